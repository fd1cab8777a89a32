package dev.ocomms.runtime;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A real PostgreSQL server run as a child process, for the embedded default and for tests. Its data directory is
 * kept across restarts. Started and stopped outside event loops (start-up and shutdown only).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  public static final String DATABASE = "ocomms";

  private final EmbeddedPostgres postgres;
  private final boolean reused;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, boolean reused) {
    this.postgres = postgres;
    this.reused = reused;
  }

  /** Starts PostgreSQL with its data in {@code dataDirectory} (created, or reused when it holds a cluster). */
  public static EmbeddedPostgresServer start(Path dataDirectory, int port) throws IOException {
    boolean reused = Files.exists(dataDirectory.resolve("PG_VERSION"));
    Files.createDirectories(dataDirectory);
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setDataDirectory(dataDirectory)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setRegisterShutdownHook(false)
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("max_connections", "300")
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("shared_buffers", sharedBuffersMegabytes() + "MB")
        .start();
    EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres, reused);
    server.createDatabase(DATABASE);
    LOG.info("embedded PostgreSQL started: url={} dataDir={} reusedData={}", server.url(DATABASE), dataDirectory, reused);
    return server;
  }

  /**
   * A quarter of the machine's memory, between PostgreSQL's default of 128 MB and 1 GB. With the default, the search
   * index of a million messages (about 600 MB with its indexes) does not stay in PostgreSQL's buffers, and a search
   * that reads a few thousand documents costs 100 ms of reads from the operating system's cache instead of 15 ms.
   */
  static long sharedBuffersMegabytes() {
    long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
    return Math.max(128, Math.min(1024, physical / 4 / (1024 * 1024)));
  }

  /** Creates a database if it does not exist yet (used once at start, and by tests for an isolated database each). */
  public void createDatabase(String name) throws IOException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
         Statement statement = connection.createStatement()) {
      try (ResultSet exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
        if (exists.next()) {
          return;
        }
      }
      statement.execute("CREATE DATABASE \"" + name + "\"");
    } catch (SQLException e) {
      throw new IOException("could not create database " + name, e);
    }
  }

  /** A connection URL for the reactive client and for migrations. */
  public String url(String database) {
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/" + database;
  }

  public boolean reusedData() {
    return reused;
  }

  @Override
  public void close() throws IOException {
    postgres.close();
    LOG.info("embedded PostgreSQL stopped");
  }
}
