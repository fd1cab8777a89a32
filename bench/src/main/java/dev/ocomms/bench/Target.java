package dev.ocomms.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The OComms under test: one given by URL, or (by default) the packaged jar started as its own process with the
 * embedded PostgreSQL and Redis, its connection limits raised for load, and stopped afterwards.
 */
final class Target implements AutoCloseable {
  final String host;
  final int port;
  private final Process process;
  private final Path dataDir;

  private Target(String host, int port, Process process, Path dataDir) {
    this.host = host;
    this.port = port;
    this.process = process;
    this.dataDir = dataDir;
  }

  static Target of(String url) {
    URI uri = URI.create(url);
    return new Target(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(), null, null);
  }

  static Target start(Path jar, String heap) throws IOException, InterruptedException {
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: build it with ./mvnw -DskipTests package");
    }
    int port = freePort();
    Path dataDir = Files.createTempDirectory("ocomms-bench-");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-jar", jar.toAbsolutePath().toString())
        .redirectErrorStream(true)
        .redirectOutput(dataDir.resolve("server.log").toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("OCOMMS_"));
    builder.environment().put("OCOMMS_HTTP_PORT", String.valueOf(port));
    builder.environment().put("OCOMMS_HTTP_HOST", "127.0.0.1");
    builder.environment().put("OCOMMS_CLUSTER_PORT", String.valueOf(freePort()));
    builder.environment().put("OCOMMS_DATA_DIR", dataDir.resolve("data").toString());
    builder.environment().put("OCOMMS_PG_POOL_SIZE", "16");
    builder.environment().put("OCOMMS_BRIDGE_CONNECTIONS_PER_SECOND", "100000");
    builder.environment().put("OCOMMS_BRIDGE_CONNECTIONS_PER_IP_PER_SECOND", "100000");
    Target target = new Target("127.0.0.1", port, builder.start(), dataDir);
    target.awaitReady(Duration.ofSeconds(120));
    return target;
  }

  private void awaitReady(Duration within) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException("the server exited; see " + dataDir.resolve("server.log"));
      }
      try {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port
            + "/ready")).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Still starting.
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the server did not get ready within " + within);
  }

  /** The server's process id, when this run started it. */
  OptionalLong pid() {
    return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
