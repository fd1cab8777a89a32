package dev.ocomms.gateway.bridge;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One chat address's {@link ReorderBuffer}, on its own: what it releases, in which order, and when. Each test runs on
 * one Vert.x event loop, as the buffer does in the bridge (its hold timer fires there too).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("A chat's reorder buffer")
class ReorderBufferTest {
  private final List<String> released = new ArrayList<>();

  private static Outbound sequenced(long seq) {
    return new Outbound("frame " + seq, "message.new", seq, null, -1);
  }

  /** A read receipt: its seq field is a watermark, so the bridge gives it no position ({@link Outbound#of}). */
  private static Outbound receipt(long watermark) {
    return new Outbound("receipt " + watermark, "read.receipt", -1, null, -1);
  }

  private ReorderBuffer buffer(Vertx vertx) {
    return buffer(vertx, event -> { });
  }

  private ReorderBuffer buffer(Vertx vertx, Consumer<Outbound> alsoOnRelease) {
    return new ReorderBuffer(io.vertx.rxjava3.core.Vertx.newInstance(vertx), event -> {
      released.add(event.frame());
      alsoOnRelease.accept(event);
    });
  }

  /** Runs {@code scenario} on an event loop and completes the test after it, failing it on a failed assertion. */
  private static void onEventLoop(Vertx vertx, VertxTestContext test, Runnable scenario) {
    vertx.runOnContext(v -> test.verify(() -> {
      scenario.run();
      test.completeNow();
    }));
  }

  @Test
  @DisplayName("releases the first sequenced event it sees at once, whatever its seq, and the next ones in turn")
  void firstEventSetsTheStart(Vertx vertx, VertxTestContext test) {
    onEventLoop(vertx, test, () -> {
      ReorderBuffer buffer = buffer(vertx);
      buffer.accept(sequenced(41));
      buffer.accept(sequenced(42));
      buffer.accept(sequenced(43));
      assertThat(released).containsExactly("frame 41", "frame 42", "frame 43");
    });
  }

  @Test
  @DisplayName("holds an event that comes before the one numbered ahead of it, then releases both in seq order")
  void earlyEventWaitsForTheOneBefore(Vertx vertx, VertxTestContext test) {
    onEventLoop(vertx, test, () -> {
      ReorderBuffer buffer = buffer(vertx);
      buffer.accept(sequenced(1));
      buffer.accept(sequenced(4));
      buffer.accept(sequenced(3));
      assertThat(released).as("while 2 is missing").containsExactly("frame 1");
      buffer.accept(sequenced(2));
      assertThat(released).containsExactly("frame 1", "frame 2", "frame 3", "frame 4");
    });
  }

  @Test
  @DisplayName("passes events that are not sequenced straight through, also while sequenced ones are held")
  void unsequencedEventsAreNeverHeld(Vertx vertx, VertxTestContext test) {
    onEventLoop(vertx, test, () -> {
      ReorderBuffer buffer = buffer(vertx);
      buffer.accept(sequenced(1));
      buffer.accept(sequenced(3));
      buffer.accept(receipt(3));
      assertThat(released).containsExactly("frame 1", "receipt 3");
      buffer.accept(sequenced(2));
      assertThat(released).containsExactly("frame 1", "receipt 3", "frame 2", "frame 3");
    });
  }

  @Test
  @DisplayName("releases an event numbered before the one expected at once (it came after its wait was over)")
  void lateEventGoesOutAtOnce(Vertx vertx, VertxTestContext test) {
    onEventLoop(vertx, test, () -> {
      ReorderBuffer buffer = buffer(vertx);
      buffer.accept(sequenced(5));
      buffer.accept(sequenced(6));
      buffer.accept(sequenced(4));
      buffer.accept(sequenced(6));
      assertThat(released).containsExactly("frame 5", "frame 6", "frame 4", "frame 6");
    });
  }

  @Test
  @DisplayName("releases what it holds, in seq order, once the first held event has waited 500 ms for a missing one")
  void waitsAtMostHalfASecond(Vertx vertx, VertxTestContext test) {
    long[] heldAt = new long[1];
    vertx.runOnContext(v -> {
      ReorderBuffer buffer = buffer(vertx, event -> {
        if (event.seq() == 5) {
          long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - heldAt[0]);
          test.verify(() -> {
            assertThat(waited).as("how long 3 and 5 waited for 2 and 4").isGreaterThanOrEqualTo(ReorderBuffer.HOLD_MS);
            assertThat(released).containsExactly("frame 1", "frame 3", "frame 5");
          });
          test.completeNow();
        }
      });
      buffer.accept(sequenced(1));
      heldAt[0] = System.nanoTime();
      buffer.accept(sequenced(3));
      buffer.accept(sequenced(5));
      test.verify(() -> assertThat(released).as("at once").containsExactly("frame 1"));
    });
  }

  @Test
  @DisplayName("after its wait, carries on from the last event released: a later gap waits again, earlier ones pass")
  void carriesOnAfterAWait(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> {
      ReorderBuffer buffer = buffer(vertx);
      buffer.accept(sequenced(1));
      buffer.accept(sequenced(3));
      vertx.setTimer(ReorderBuffer.HOLD_MS + 200, id -> test.verify(() -> {
        assertThat(released).as("after the wait").containsExactly("frame 1", "frame 3");
        buffer.accept(sequenced(2));
        buffer.accept(sequenced(5));
        buffer.accept(sequenced(4));
        assertThat(released).containsExactly("frame 1", "frame 3", "frame 2", "frame 4", "frame 5");
        test.completeNow();
      }));
    });
  }

  @Test
  @DisplayName("once stopped (its address has no sockets left), releases nothing it held")
  void stopDropsHeldEvents(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> {
      ReorderBuffer buffer = buffer(vertx);
      buffer.accept(sequenced(1));
      buffer.accept(sequenced(3));
      buffer.stop();
      vertx.setTimer(ReorderBuffer.HOLD_MS + 200, id -> test.verify(() -> {
        assertThat(released).containsExactly("frame 1");
        test.completeNow();
      }));
    });
  }
}
