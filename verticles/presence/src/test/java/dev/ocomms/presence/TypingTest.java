package dev.ocomms.presence;

import dev.ocomms.presence.PresenceApi.Probe;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.ocomms.presence.PresenceApi.newUser;
import static dev.ocomms.presence.PresenceApi.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Typing indicators, with presence on two nodes: consecutive requests of one user go to different presence instances,
 * as they do in a scaled-out deployment. The gateway is not deployed, so display names are empty here (the end-to-end
 * test checks them). Every assertion names what the chat's audience address received.
 */
@DisplayName("Typing")
class TypingTest {
  private static final Duration QUIET = Duration.ofMillis(700);
  private static PresenceApi api;

  @BeforeAll
  static void start() {
    api = PresenceApi.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static JsonObject indicator(String chatId, String userId, boolean active) {
    return new JsonObject().put("type", "typing.indicator").put("chatId", chatId).put("userId", userId)
        .put("displayName", "").put("active", active);
  }

  /** A typing indicator (the chat's address also carries its messages, such as the members' join lines). */
  private static boolean isIndicator(JsonObject event, boolean active) {
    return "typing.indicator".equals(event.getString("type")) && event.getBoolean("active") == active;
  }

  private static List<JsonObject> indicators(Probe chat) {
    return chat.received().stream().filter(event -> "typing.indicator".equals(event.getString("type"))).toList();
  }

  @Test
  @DisplayName("chat.typing {active: true} announces typing.indicator {active: true} to the chat")
  void startAnnounced() {
    String alice = newUser();
    String chatId = api.workspace(alice, newUser());
    Probe chat = api.listen("chat." + chatId);

    assertThat(api.typing(alice, chatId, true)).isEqualTo(new JsonObject().put("accepted", true));

    assertThat(chat.await(event -> isIndicator(event, true), Duration.ofSeconds(3)))
        .isEqualTo(indicator(chatId, alice, true));
    pause(QUIET);
    assertThat(indicators(chat)).containsExactly(indicator(chatId, alice, true));
  }

  @Test
  @DisplayName("typing ends with {active: false} 5 s after the last start, whichever node heard the starts")
  void expiresAfterLastStart() {
    String alice = newUser();
    String chatId = api.workspace(alice, newUser());
    Probe chat = api.listen("chat." + chatId);

    api.typing(alice, chatId, true);
    pause(Duration.ofMillis(1500));
    assertThat(api.typing(alice, chatId, true)).as("a start 1.5 s later").isEqualTo(new JsonObject()
        .put("accepted", true));
    long lastStart = System.nanoTime();

    chat.await(event -> isIndicator(event, false), Duration.ofSeconds(8));
    Duration after = Duration.ofNanos(System.nanoTime() - lastStart);
    assertThat(after).as("end after the last start").isBetween(Duration.ofMillis(4500), Duration.ofMillis(6500));
    pause(QUIET);
    assertThat(indicators(chat)).containsExactly(indicator(chatId, alice, true), indicator(chatId, alice, false));
  }

  @Test
  @DisplayName("chat.typing {active: false} ends typing at once")
  void stopEndsAtOnce() {
    String alice = newUser();
    String chatId = api.workspace(alice, newUser());
    Probe chat = api.listen("chat." + chatId);
    api.typing(alice, chatId, true);
    chat.await(event -> isIndicator(event, true), Duration.ofSeconds(3));

    assertThat(api.typing(alice, chatId, false)).isEqualTo(new JsonObject().put("accepted", true));

    chat.await(event -> isIndicator(event, false), Duration.ofSeconds(1));
    pause(Duration.ofSeconds(5));
    assertThat(indicators(chat)).as("and not again when it would have expired")
        .containsExactly(indicator(chatId, alice, true), indicator(chatId, alice, false));
  }

  @Test
  @DisplayName("sending a message in the chat ends the sender's typing there at once")
  void sendingEnds() {
    String alice = newUser();
    String chatId = api.workspace(alice, newUser());
    Probe chat = api.listen("chat." + chatId);
    api.typing(alice, chatId, true);
    chat.await(event -> isIndicator(event, true), Duration.ofSeconds(3));

    api.send(alice, chatId, "done typing");

    chat.await(event -> isIndicator(event, false),
        Duration.ofSeconds(1));
    assertThat(chat.received()).extracting(event -> event.getString("type") + " " + event.getValue("active"))
        .containsExactly("typing.indicator true", "message.new null", "typing.indicator false");
  }

  @Test
  @DisplayName("a second start within 1 s is dropped silently: {accepted: false} and no event")
  void startsRationed() {
    String alice = newUser();
    String chatId = api.workspace(alice, newUser());
    Probe chat = api.listen("chat." + chatId);
    api.typing(alice, chatId, true);

    assertThat(api.typing(alice, chatId, true)).isEqualTo(new JsonObject().put("accepted", false));
    assertThat(api.typing(alice, chatId, true)).isEqualTo(new JsonObject().put("accepted", false));

    pause(QUIET);
    assertThat(indicators(chat)).containsExactly(indicator(chatId, alice, true));
  }

  @Test
  @DisplayName("someone who is not a member of the chat cannot type in it: not_found, and no event")
  void membersOnly() {
    String alice = newUser();
    String outsider = newUser();
    String chatId = api.workspace(alice);
    api.workspace(outsider);
    Probe chat = api.listen("chat." + chatId);

    OcommsException failure = api.fails(outsider, "chat.typing", new JsonObject().put("chatId", chatId)
        .put("active", true));

    assertThat(failure.code()).isEqualTo(ErrorCode.NOT_FOUND);
    chat.assertNothing(event -> true, QUIET);
  }
}
