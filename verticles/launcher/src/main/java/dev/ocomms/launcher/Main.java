package dev.ocomms.launcher;

import dev.ocomms.shared.config.ConfigException;
import dev.ocomms.shared.config.ConfigLoader;
import dev.ocomms.shared.config.OcommsConfig;
import io.vertx.rxjava3.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the runnable jar: {@code java -jar ocomms.jar [--config FILE]}. Settings come from the file
 * (default {@code conf/ocomms.json}) and {@code OCOMMS_*} environment variables; an invalid value stops the start
 * with exit code 2 and a message naming it, an unknown setting is logged as a warning naming it.
 */
public final class Main {
  static {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    System.setProperty("hazelcast.logging.type", "slf4j");
  }

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    String configFile = ConfigLoader.DEFAULT_FILE;
    for (int i = 0; i < args.length; i++) {
      if ("--config".equals(args[i]) && i + 1 < args.length) {
        configFile = args[++i];
      } else {
        System.err.println("usage: ocomms [--config FILE]");
        System.exit(2);
      }
    }

    OcommsConfig config;
    Vertx bootstrap = Vertx.vertx();
    try {
      config = ConfigLoader.load(bootstrap, configFile).blockingGet();
    } catch (ConfigException e) {
      System.err.println("OComms cannot start. " + e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      System.err.println("OComms cannot start: could not read configuration " + configFile + ": " + e.getMessage());
      System.exit(2);
      return;
    } finally {
      bootstrap.close().blockingAwait();
    }

    // Settings of another version (a rolling upgrade) or typos: named, and the start goes on.
    config.warnings().forEach(warning -> LOG.warn("configuration: {}", warning));
    OcommsServer server = new OcommsServer();
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "ocomms-shutdown"));
    try {
      server.start(config);
    } catch (Exception e) {
      LOG.error("OComms failed to start", e);
      System.exit(1);
    }
  }
}
