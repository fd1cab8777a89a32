package dev.ocomms.testkit;

import dev.ocomms.runtime.EmbeddedPostgresServer;
import dev.ocomms.runtime.FreePorts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A PostgreSQL primary and a streaming replica of it (hot standby) for one test class. The replica starts from a copy
 * of the primary's data directory taken while it was cleanly stopped (as good as a base backup), with
 * {@code standby.signal} and {@code primary_conninfo}. Tests can pause and resume its replay to see which reads it
 * serves. Both stopped, and their files deleted, by {@link #close()}.
 */
public final class TestPostgresReplica implements AutoCloseable {
  private static final Duration CATCH_UP = Duration.ofSeconds(30);

  private final Path directory;
  private EmbeddedPostgresServer primary;
  private EmbeddedPostgres replica;
  private int primaryPort;
  private int replicaPort;

  private TestPostgresReplica(Path directory) {
    this.directory = directory;
  }

  public static TestPostgresReplica start() {
    TestPostgresReplica pair;
    try {
      pair = new TestPostgresReplica(Files.createTempDirectory("ocomms-pg-replica-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Path primaryData = pair.directory.resolve("primary");
      Path replicaData = pair.directory.resolve("replica");
      int primaryPort = FreePorts.next();
      pair.primaryPort = primaryPort;
      EmbeddedPostgresServer.start(primaryData, primaryPort).close();
      copy(primaryData, replicaData);
      // PostgreSQL refuses a data directory others can read.
      Files.setPosixFilePermissions(replicaData, PosixFilePermissions.fromString("rwx------"));
      Files.deleteIfExists(replicaData.resolve("postmaster.pid"));
      Files.createFile(replicaData.resolve("standby.signal"));
      Files.writeString(replicaData.resolve("postgresql.auto.conf"),
          "\nprimary_conninfo = 'host=127.0.0.1 port=" + primaryPort + " user=postgres'\nhot_standby = on\n",
          StandardOpenOption.APPEND, StandardOpenOption.CREATE);
      pair.primary = EmbeddedPostgresServer.start(primaryData, primaryPort);
      pair.replicaPort = FreePorts.next();
      pair.replica = EmbeddedPostgres.builder()
          .setDataDirectory(replicaData)
          .setCleanDataDirectory(false)
          .setPort(pair.replicaPort)
          .setRegisterShutdownHook(false)
          .setPGStartupWait(Duration.ofSeconds(60))
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("max_connections", "300")
          .start();
      return pair;
    } catch (IOException | RuntimeException e) {
      pair.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  public String primaryUrl() {
    return primary.url(EmbeddedPostgresServer.DATABASE);
  }

  public String replicaUrl() {
    return "postgresql://postgres@127.0.0.1:" + replicaPort + "/" + EmbeddedPostgresServer.DATABASE;
  }

  /** Stops applying what the primary sends: the replica stays at what it has until {@link #resumeReplay()}. */
  public void pauseReplay() {
    onReplica("SELECT pg_wal_replay_pause()");
  }

  public void resumeReplay() {
    onReplica("SELECT pg_wal_replay_resume()");
  }

  /** Waits until the replica has replayed everything the primary has written so far. */
  public void awaitCaughtUp() {
    String target = onPrimary("SELECT pg_current_wal_lsn()::text");
    long deadline = System.nanoTime() + CATCH_UP.toNanos();
    while (!"true".equals(onReplica("SELECT (pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn)::text"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the replica did not replay up to " + target + " in " + CATCH_UP);
      }
      Blocking.pause(50);
    }
  }

  /** One query on the primary's OComms database, blocking (the test's thread); its first column, as text. */
  public String onPrimary(String sql) {
    return query("jdbc:postgresql://127.0.0.1:" + primaryPort + "/" + EmbeddedPostgresServer.DATABASE, sql);
  }

  private String onReplica(String sql) {
    return query("jdbc:postgresql://127.0.0.1:" + replicaPort + "/" + EmbeddedPostgresServer.DATABASE, sql);
  }

  private static String query(String jdbcUrl, String sql) {
    try (Connection connection = java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "");
         Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? String.valueOf(rows.getString(1)) : "";
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + sql, e);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      if (replica != null) {
        replica.close();
      }
    } catch (IOException | RuntimeException ignored) {
      // The primary still has to stop.
    }
    try {
      if (primary != null) {
        primary.close();
      }
    } catch (IOException | RuntimeException ignored) {
      // Both are gone or going; their files go next.
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // A temporary directory left behind is not worth failing a test for.
    }
  }
}
