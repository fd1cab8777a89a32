package dev.ocomms.shared.events;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Event types, stream cursors and stream events, as every node reads them")
class EventsTest {

  @Test
  @DisplayName("a stream event of a type this node does not know has an empty type, and keeps its cursor, chat and seq")
  void unknownStreamEventTypeIsEmpty() {
    JsonObject json = new JsonObject().put("type", "message.bookmarked").put("chatId", "c1").put("seq", 7)
        .put("position", "41.99");

    StreamEvent event = StreamEvent.of(json);

    assertThat(event.type()).isEmpty();
    assertThat(event.cursor()).isEqualTo(new StreamCursor(41, 99));
    assertThat(event.chatId()).isEqualTo("c1");
    assertThat(event.seq()).isEqualTo(7);
    assertThat(event.json()).isSameAs(json);
  }

  @Test
  @DisplayName("a stream event of a known type has that type; one without a type has none; one without a seq has -1")
  void knownStreamEventType() {
    assertThat(StreamEvent.of(new JsonObject().put("type", "message.deleted").put("position", "1.2")).type())
        .contains(EventType.MESSAGE_DELETED);
    assertThat(StreamEvent.of(new JsonObject().put("position", "1.2")).type()).isEmpty();
    assertThat(StreamEvent.of(new JsonObject().put("type", "message.new").put("position", "1.2")).seq())
        .isEqualTo(-1);
  }

  @Test
  @DisplayName("a stream event without a valid position is refused")
  void streamEventNeedsAPosition() {
    assertThatThrownBy(() -> StreamEvent.of(new JsonObject().put("type", "message.new")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamEvent.of(new JsonObject().put("type", "message.new").put("position", "x")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("EventType.find of an unknown, empty, null or enum-constant name is empty and never throws")
  void findUnknownIsEmpty() {
    assertThat(EventType.find("message.bookmarked")).isEmpty();
    assertThat(EventType.find("")).isEmpty();
    assertThat(EventType.find(null)).isEmpty();
    assertThat(EventType.find("MESSAGE_NEW")).as("the enum name is not the wire name").isEmpty();
    assertThat(EventType.find("Message.New")).as("wire names are exact").isEmpty();
  }

  @Test
  @DisplayName("EventType.find gives back every type by its wire name")
  void findKnown() {
    for (EventType type : EventType.values()) {
      assertThat(EventType.find(type.wireName())).as(type.wireName()).contains(type);
    }
    assertThat(Arrays.stream(EventType.values()).map(EventType::wireName).distinct())
        .as("wire names are unique").hasSize(EventType.values().length);
  }

  @Test
  @DisplayName("only the message events (new, updated, deleted, reaction, pinned, unpinned) are sequenced")
  void onlyMessageEventsAreSequenced() {
    Set<String> sequenced = Set.of("message.new", "message.updated", "message.deleted", "message.reaction",
        "message.pinned", "message.unpinned");
    for (EventType type : EventType.values()) {
      assertThat(EventType.isSequenced(type.wireName())).as(type.wireName())
          .isEqualTo(sequenced.contains(type.wireName()));
      assertThat(type.sequenced()).as(type.wireName()).isEqualTo(sequenced.contains(type.wireName()));
    }
    assertThat(EventType.isSequenced("read.receipt")).as("its seq is a watermark").isFalse();
    assertThat(EventType.isSequenced("message.bookmarked")).isFalse();
    assertThat(EventType.isSequenced(null)).isFalse();
  }

  @Test
  @DisplayName("a stream cursor parses from and prints as \"<tx>.<position>\"")
  void cursorParsesAndPrints() {
    assertThat(StreamCursor.parse("12.345")).contains(new StreamCursor(12, 345));
    assertThat(new StreamCursor(12, 345).wire()).isEqualTo("12.345");
    assertThat(new StreamCursor(12, 345).toString()).isEqualTo("12.345");
    assertThat(StreamCursor.START.wire()).isEqualTo("0.0");
    assertThat(StreamCursor.parse("0.0")).contains(StreamCursor.START);
    StreamCursor big = new StreamCursor(Long.MAX_VALUE, Long.MAX_VALUE);
    assertThat(StreamCursor.parse(big.wire())).contains(big);
  }

  @Test
  @DisplayName("stream cursors order by transaction first, then by position")
  void cursorsOrderByTxThenPosition() {
    StreamCursor a = new StreamCursor(1, 900);
    StreamCursor b = new StreamCursor(2, 5);
    StreamCursor c = new StreamCursor(2, 6);
    StreamCursor d = new StreamCursor(10, 1);
    List<StreamCursor> shuffled = new ArrayList<>(List.of(d, b, StreamCursor.START, c, a));
    Collections.sort(shuffled);

    assertThat(shuffled).containsExactly(StreamCursor.START, a, b, c, d);
    assertThat(a.compareTo(b)).as("an older transaction comes first even with a later position").isNegative();
    assertThat(c.compareTo(b)).isPositive();
    assertThat(c.compareTo(new StreamCursor(2, 6))).isZero();
  }

  @Test
  @DisplayName("a stream cursor refuses garbage: missing parts, signs, letters, extra dots, spaces, overflow")
  void cursorRejectsGarbage() {
    for (String garbage : Arrays.asList(null, "", ".", "12", "12.", ".34", "a.b", "1.b", "a.2", "1.2.3", "-1.2",
        "1.-2", " 1.2", "1.2 ", "1,2", "1..2", "0x1.2", "99999999999999999999.1", "1.99999999999999999999")) {
      assertThat(StreamCursor.parse(garbage)).as("parse(%s)", garbage).isEqualTo(Optional.empty());
    }
  }

  @Test
  @DisplayName("Events.json reads an event body given as JSON text or as a JSON object, and refuses anything else")
  void jsonReadsStringAndObject() {
    JsonObject event = new JsonObject().put("type", "message.new").put("chatId", "c1").put("seq", 3);

    assertThat(Events.json(event.encode())).isEqualTo(event);
    assertThat(Events.json(event)).isSameAs(event);
    assertThatThrownBy(() -> Events.json(42)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Events.json(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a follower's page size must be 1 to 1000")
  void pageSizeIsBounded() {
    assertThatThrownBy(() -> new EventStream(null, "t", 0, null, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EventStream(null, "t", EventStream.MAX_PAGE + 1, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new EventStream(null, "t", 1, null, null)).isNotNull();
    assertThat(new EventStream(null, "t", EventStream.MAX_PAGE, null, null)).isNotNull();
  }
}
