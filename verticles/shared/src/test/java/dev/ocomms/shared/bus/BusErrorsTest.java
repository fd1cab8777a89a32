package dev.ocomms.shared.bus;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.impl.NoStackTraceTimeoutException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Failures answered over the event bus")
class BusErrorsTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.rxClose().blockingAwait();
  }

  /** What a requester makes of a request whose handler failed with {@code failure}. */
  private static OcommsException answerTo(Throwable failure) {
    String address = "test.errors." + UUID.randomUUID();
    vertx.eventBus().<JsonObject>consumer(address, message -> BusErrors.fail(message, failure));
    Throwable seen = vertx.eventBus().rxRequest(address, new JsonObject(), new DeliveryOptions().setSendTimeout(5_000))
        .map(reply -> (Throwable) new AssertionError("the request succeeded"))
        .onErrorReturn(replyFailure -> replyFailure)
        .blockingGet();
    return BusErrors.fromFailure(seen);
  }

  @Test
  @DisplayName("a catalogued failure reaches the requester with its code, detail and details")
  void cataloguedFailure() {
    OcommsException answer = answerTo(new OcommsException(ErrorCode.CONFLICT, "taken",
        new JsonObject().put("field", "username")));
    assertThat(answer.code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(answer.getMessage()).isEqualTo("taken");
    assertThat(answer.details().getString("field")).isEqualTo("username");
  }

  @Test
  @DisplayName("a full connection pool is answered as unavailable with retryAfter, not as an internal error")
  void overloadedPool() {
    OcommsException answer = answerTo(new ConnectionPoolTooBusyException("max wait queue size reached"));
    assertThat(answer.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(answer.details().getInteger("retryAfter")).isEqualTo(1);
  }

  @Test
  @DisplayName("a transaction PostgreSQL cancelled to break a deadlock or a serialization conflict is for a retry")
  void collidedTransaction() {
    for (String sqlState : List.of("40P01", "40001")) {
      OcommsException answer = answerTo(new PgException("deadlock detected", "ERROR", sqlState, null));
      assertThat(answer.code()).as("answer to %s", sqlState).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(answer.details().getInteger("retryAfter")).as("retryAfter for %s", sqlState).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("PostgreSQL or Redis out of reach is answered as unavailable with retryAfter, not as an internal error")
  void unreachableStore() {
    for (Throwable outage : List.of(new ConnectException("Connection refused"), ClosedConnectionException.INSTANCE,
        new NoStackTraceTimeoutException("Redis did not answer within 2000 ms"),
        // A restarting PostgreSQL resetting a pooled connection: Netty's native transport reports it as a plain
        // IOException of its own (Errors.NativeIoException, which needs the native library to be built here).
        new IOException("recvAddress(..) failed with error(-104): Connection reset by peer"))) {
      OcommsException answer = answerTo(outage);
      assertThat(answer.code()).as("answer to %s", outage).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(answer.details().getInteger("retryAfter")).as("retryAfter for %s", outage).isPositive();
    }
  }

  @Test
  @DisplayName("an unexpected failure is answered as internal, revealing nothing of it")
  void unexpectedFailure() {
    OcommsException answer = answerTo(new IllegalStateException("secret internals"));
    assertThat(answer.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(answer.getMessage()).doesNotContain("secret internals");
  }
}
