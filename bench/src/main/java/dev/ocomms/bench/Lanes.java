package dev.ocomms.bench;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Runs many asynchronous tasks with bounded concurrency. */
final class Lanes {
  private Lanes() {
  }

  /** Runs tasks 0..count-1 with at most {@code concurrency} at once; their results in index order. */
  static <T> Future<List<T>> bounded(int count, int concurrency, Function<Integer, Future<T>> task) {
    List<T> results = new ArrayList<>(Collections.nCopies(count, null));
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < Math.min(concurrency, count); lane++) {
      lanes.add(lane(next, count, task, results));
    }
    return Future.all(lanes).map(done -> results);
  }

  private static <T> Future<Void> lane(AtomicInteger next, int count, Function<Integer, Future<T>> task,
                                       List<T> results) {
    int index = next.getAndIncrement();
    if (index >= count) {
      return Future.succeededFuture();
    }
    return task.apply(index).compose(result -> {
      synchronized (results) {
        results.set(index, result);
      }
      return lane(next, count, task, results);
    });
  }

  /** Blocks the calling (non-event-loop) thread for a future's result. */
  static <T> T await(Future<T> future, int seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
