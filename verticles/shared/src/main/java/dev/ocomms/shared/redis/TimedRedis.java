package dev.ocomms.shared.redis;

import io.vertx.core.Future;
import io.vertx.core.impl.NoStackTraceTimeoutException;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis client whose commands fail after a deadline. The Vert.x client has none: a Redis that accepts connections
 * but does not answer (stalled, swapping, a network partition) would hold every request that uses it for as long as
 * the TCP connection lives. Every user of {@link RedisClients} gets this, so each can fall back or answer
 * {@code unavailable} in time.
 */
final class TimedRedis implements Redis {
  private final Redis delegate;
  private final long timeoutMillis;

  TimedRedis(Redis delegate, long timeoutMillis) {
    this.delegate = delegate;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public Future<Response> send(Request command) {
    return delegate.send(command).timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .recover(failure -> Future.failedFuture(named(failure, "Redis did not answer within ")));
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return delegate.batch(commands).timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .recover(failure -> Future.failedFuture(named(failure, "Redis did not answer a batch within ")));
  }

  /** A dedicated connection (subscriptions, transactions): only getting it is timed, as its use is the caller's. */
  @Override
  public Future<RedisConnection> connect() {
    return delegate.connect().timeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }

  /** Vert.x's timeout names no service; say which one did not answer. */
  private Throwable named(Throwable failure, String what) {
    return failure instanceof NoStackTraceTimeoutException
        ? new NoStackTraceTimeoutException(what + timeoutMillis + " ms") : failure;
  }
}
