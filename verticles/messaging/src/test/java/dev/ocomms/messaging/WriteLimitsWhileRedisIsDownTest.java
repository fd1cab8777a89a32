package dev.ocomms.messaging;

import dev.ocomms.runtime.EmbeddedRedisServer;
import dev.ocomms.runtime.FreePorts;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Observable;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;

import static dev.ocomms.messaging.MessagingApi.message;
import static dev.ocomms.messaging.MessagingApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Write limits with a Redis of this class's own, stopped once everything is deployed (the shared test Redis must stay
 * up): they are counted in the node's memory instead of switching off.
 */
@DisplayName("Write limits while Redis is down")
class WriteLimitsWhileRedisIsDownTest {
  @TempDir
  static Path redisDirectory;
  private static EmbeddedRedisServer redis;
  private static MessagingApi api;

  // Started once for the class, so that a slow start-up on a busy machine is not taken for a blocked event loop.
  @BeforeAll
  static void start() throws IOException {
    redis = EmbeddedRedisServer.start(redisDirectory, FreePorts.next(), 16);
    api = MessagingApi.start(config -> config.with(Setting.REDIS_URL, redis.url(0)));
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      api.close();
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  /** Each request's reply or failure, sent one after another. */
  private static List<Object> oneAfterAnother(int count, UUID caller, String address, IntFunction<JsonObject> body) {
    return Observable.range(0, count)
        .concatMapSingle(i -> api.request(1, caller, address, body.apply(i)).<Object>map(reply -> reply)
            .onErrorReturn(failure -> failure))
        .toList().blockingGet();
  }

  private static List<OcommsException> refusals(List<Object> outcomes) {
    return outcomes.stream().filter(OcommsException.class::isInstance).map(OcommsException.class::cast).toList();
  }

  @Test
  @DisplayName("sends and edits past their limits are still rate_limited, counted in memory; others still write")
  void limitsHoldFromMemory() throws IOException {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String messageId = api.send(alice, chatId, "draft").getString("id");
    redis.close();
    redis = null;

    List<Object> sends = Observable.range(0, 16)
        .flatMapSingle(i -> api.request(1, alice, Addresses.CHAT_MESSAGE_SEND, message(chatId, "spam " + i))
            .<Object>map(ack -> ack).onErrorReturn(failure -> failure))
        .toList().blockingGet();
    assertThat(sends.stream().filter(JsonObject.class::isInstance)).as("sends accepted").hasSizeBetween(10, 13);
    assertThat(refusals(sends)).isNotEmpty().allSatisfy(refused -> {
      assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
      assertThat(refused.details().getString("limit")).isEqualTo("chat.send");
      assertThat(refused.details().getLong("retryAfter")).isEqualTo(1);
    });

    List<Object> edits = oneAfterAnother(14, alice, Addresses.CHAT_MESSAGE_EDIT,
        i -> new JsonObject().put("messageId", messageId).put("content", "edit " + i));
    assertThat(edits.subList(0, 10)).allMatch(JsonObject.class::isInstance);
    assertThat(edits.get(13)).isInstanceOfSatisfying(OcommsException.class, refused -> {
      assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
      assertThat(refused.details().getString("limit")).isEqualTo("chat.edit");
    });

    assertThat(api.send(bob, chatId, "my turn").getString("senderId")).isEqualTo(bob.toString());
  }
}
