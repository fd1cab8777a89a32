package dev.ocomms.shared.errors;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Failures that mean PostgreSQL or Redis cannot be reached right now (refused, reset, restarting, not answering)
 * rather than that a request is wrong or the code is. Clients are told {@code unavailable} with {@code retryAfter}:
 * the same request is expected to work once the store is back, and the pools reconnect by themselves.
 */
public final class StoreOutages {
  /** Seconds a client is asked to wait: a restarting store is usually back within a few. */
  public static final int RETRY_AFTER_SECONDS = 2;
  /**
   * SQLSTATEs of a server that is shutting down, restarting or refusing connections: class 08 (connection exception)
   * and 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now).
   */
  private static final Set<String> SHUTDOWN_STATES = Set.of("57P01", "57P02", "57P03");

  private StoreOutages() {
  }

  /** Whether {@code failure} (or one of its causes) says a store is unreachable or not answering. */
  public static boolean isOutage(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      // Any I/O failure on a store's connection: refused, reset by a restarting server (Netty's native transport
      // reports a reset as its own IOException, not a SocketException), closed channel.
      if (cause instanceof IOException || cause instanceof ClosedConnectionException
          || cause instanceof TimeoutException || cause instanceof ConnectTimeoutException) {
        return true;
      }
      if (cause instanceof DatabaseException database && database.getSqlState() != null
          && (database.getSqlState().startsWith("08") || SHUTDOWN_STATES.contains(database.getSqlState()))) {
        return true;
      }
      // A connection that ended under a request (the Redis client and Netty say so without a type of their own).
      if (cause instanceof VertxException && cause.getMessage() != null) {
        String message = cause.getMessage().toLowerCase(Locale.ROOT);
        if (message.contains("connection") && message.contains("closed")) {
          return true;
        }
      }
    }
    return false;
  }

  /** What a client is told while a store is out. */
  public static OcommsException unavailable() {
    return new OcommsException(ErrorCode.UNAVAILABLE, "a data store is unreachable right now; retry shortly",
        new JsonObject().put("retryAfter", RETRY_AFTER_SECONDS));
  }
}
