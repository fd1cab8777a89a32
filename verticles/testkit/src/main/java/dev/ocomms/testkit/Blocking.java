package dev.ocomms.testkit;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting on the test thread for what runs on event loops. */
public final class Blocking {
  private Blocking() {
  }

  /** The future's result; its failure rethrown (runtime exceptions as they are); an assertion error after the timeout. */
  public static <T> T get(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + timeout, e);
    }
  }

  /** Sleeps for {@code millis} (polling loops on the test thread). */
  public static void pause(long millis) {
    sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis));
  }

  /** Sleeps until {@code nanoTime} (a {@link System#nanoTime()} value); returns at once if it has passed. */
  public static void sleepUntil(long nanoTime) {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
