package dev.ocomms.testkit;

import dev.ocomms.runtime.EmbeddedPostgresServer;
import dev.ocomms.runtime.EmbeddedRedisServer;
import dev.ocomms.runtime.FreePorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The real PostgreSQL and Redis of a test JVM: started once, on the first call, on free ports, and stopped (their
 * files deleted) when the JVM exits. Each test asks for its own database and its own Redis logical database, so no
 * test sees another's data.
 */
public final class TestInfra {
  private static final int REDIS_DATABASES = 4096;
  private static final AtomicInteger NEXT_REDIS_DATABASE = new AtomicInteger(1);
  private static TestInfra instance;

  private final EmbeddedPostgresServer postgres;
  private final EmbeddedRedisServer redis;

  private TestInfra(EmbeddedPostgresServer postgres, EmbeddedRedisServer redis) {
    this.postgres = postgres;
    this.redis = redis;
  }

  public static synchronized TestInfra get() {
    if (instance == null) {
      try {
        Path root = Files.createTempDirectory("ocomms-test-");
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(root.resolve("pg"), FreePorts.next());
        EmbeddedRedisServer redis = EmbeddedRedisServer.start(root.resolve("redis"), FreePorts.next(),
            REDIS_DATABASES);
        instance = new TestInfra(postgres, redis);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> instance.stop(root), "ocomms-test-infra-stop"));
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the test PostgreSQL and Redis", e);
      }
    }
    return instance;
  }

  /** A URL to a new, empty database. */
  public String newPgUrl() {
    String name = "t_" + UUID.randomUUID().toString().replace("-", "");
    try {
      postgres.createDatabase(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return postgres.url(name);
  }

  /** A URL to a Redis logical database no other test uses. */
  public String newRedisUrl() {
    int database = NEXT_REDIS_DATABASE.getAndIncrement();
    if (database >= REDIS_DATABASES) {
      throw new IllegalStateException("out of Redis test databases");
    }
    return redis.url(database);
  }

  private void stop(Path root) {
    try {
      redis.close();
    } catch (Exception ignored) {
      // The JVM is exiting; the process dies with it.
    }
    try {
      postgres.close();
    } catch (Exception ignored) {
      // As above.
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // A temp directory left behind is harmless.
    }
  }
}
