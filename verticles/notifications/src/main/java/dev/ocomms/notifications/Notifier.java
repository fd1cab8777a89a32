package dev.ocomms.notifications;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.EventStream;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.events.Events;
import dev.ocomms.shared.events.StreamCursor;
import dev.ocomms.shared.events.StreamEvent;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.SqlClient;
import io.vertx.rxjava3.sqlclient.SqlConnection;
import io.vertx.rxjava3.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Follows messaging's event stream and decides, for each new message (and each mention an edit adds), who is told
 * and how ({@link Decision}). Everything a page decides (toasts to publish, pushes due, the mentions seen, the bursts
 * of toasts, urgent messages awaiting acknowledgement) is stored with the cursor after the page in one transaction,
 * so that a restart neither loses nor repeats a notification. Toasts go through an outbox: written in that
 * transaction, then taken (deleted) and published right after the commit, and at start for any left by a stop.
 *
 * <p>Nothing here is on messaging's send path: messaging commits and acknowledges a send before this follower reads
 * it. What the follower asks others (the chat and its members of messaging, who is online of presence, display names
 * of accounts, focus from Redis) is asked once per chat or user and page, and only about members whose chat settings
 * let the message through: most messages of a busy channel mention nobody, and then nothing more is asked.
 */
final class Notifier {
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
  private static final int PAGE_SIZE = 200;
  /** A toast that would be the third or later within this window from one chat becomes one grouped toast. */
  static final Duration BURST_WINDOW = Duration.ofSeconds(10);
  static final int GROUP_FROM = 3;
  /** Messages older than this when read (a follower long stopped, the first start) are not notified any more. */
  static final Duration STALE_AFTER = Duration.ofMinutes(10);
  private static final int FLUSH_BATCH = 500;
  private static final int PRESENCE_BATCH = 500;
  private static final long REQUEST_TIMEOUT_MS = 5_000;
  private static final long FLUSH_INTERVAL_MS = 5_000;

  private final Vertx vertx;
  private final Pool pg;
  private final Focus focus;
  private final EventStream stream;
  private long flushTimer = -1;
  private boolean stopping;
  /** The periodic flush running now, if any (complete otherwise): a stop waits for it before the pool closes. */
  private Completable periodicFlush = Completable.complete();

  Notifier(Vertx vertx, Pool pg, Focus focus) {
    this.vertx = vertx;
    this.pg = pg;
    this.focus = focus;
    this.stream = new EventStream(vertx, "notifications", PAGE_SIZE, this::storedCursor, this::apply);
  }

  Completable start() {
    return flushOutbox().onErrorComplete().andThen(stream.start())
        .doOnComplete(() -> flushTimer = vertx.setPeriodic(FLUSH_INTERVAL_MS, id -> flushLeftovers()));
  }

  /** Stops following: completes once the page being applied and any flush running are done. */
  Completable stop() {
    stopping = true;
    vertx.cancelTimer(flushTimer);
    return stream.stop().andThen(Completable.defer(() -> periodicFlush));
  }

  /** Publishes toasts a failed flush left in the outbox (each page's toasts are flushed as it is stored). */
  private void flushLeftovers() {
    if (stopping) {
      return;
    }
    periodicFlush = flushOutbox()
        .doOnError(failure -> LOG.warn("outbox not flushed: reason={}", failure.toString()))
        .onErrorComplete()
        .cache();
    periodicFlush.subscribe();
  }

  // One page

  /** A message event that may notify: a new message, or an edit (that may add mentions). */
  private record Item(boolean edit, UUID chatId, UUID messageId, UUID senderId, JsonObject message, Instant at) {
  }

  /** A chat as the follower needs it: for titles, the DM rule and its members. */
  private record ChatFacts(boolean dm, String name, List<UUID> members) {
  }

  /** One member who may hear of one message: the chat's level and mute (or urgency) let it through. */
  private record Target(Item item, ChatFacts chat, UUID userId, boolean mentioned, boolean urgent,
                        ChatSettings settings) {
  }

  /**
   * Who of a page's chats' members may hear of its messages, and the mentions the page adds to store. Members whose
   * chat settings let nothing through are left out here, before anything is asked about them.
   */
  private record Selection(List<Target> targets, Map<UUID, Mentions> mentions) {
    Set<UUID> users() {
      Set<UUID> users = new LinkedHashSet<>();
      targets.forEach(target -> users.add(target.userId()));
      return users;
    }
  }

  /** What was asked of other verticles about a page's targets. */
  private record Facts(Set<UUID> online, Map<String, Set<String>> focused, Map<UUID, String> names) {
    static final Facts NONE = new Facts(Set.of(), Map.of(), Map.of());
  }

  private record Mentions(Set<UUID> users, boolean channel, boolean here) {
    static final Mentions NONE = new Mentions(Set.of(), false, false);

    static Mentions of(JsonObject json) {
      if (json == null) {
        return NONE;
      }
      Set<UUID> users = new HashSet<>();
      json.getJsonArray("users", new JsonArray()).forEach(id -> Ids.parse((String) id).ifPresent(users::add));
      return new Mentions(users, json.getBoolean("channel", false), json.getBoolean("here", false));
    }

    boolean any() {
      return channel || here || !users.isEmpty();
    }

    boolean everyone() {
      return channel || here;
    }

    Mentions union(Mentions other) {
      Set<UUID> all = new HashSet<>(users);
      all.addAll(other.users);
      return new Mentions(all, channel || other.channel, here || other.here);
    }
  }

  private record Burst(Instant startedAt, int count) {
  }

  private record Toast(UUID userId, JsonObject toast) {
  }

  private record Push(UUID userId, UUID chatId, UUID messageId, JsonObject payload) {
  }

  private record Urgent(UUID messageId, UUID userId, UUID chatId, UUID senderId, String title, String body) {
  }

  /** What a page decided, to store with its cursor. */
  private static final class Plan {
    final List<Toast> toasts = new ArrayList<>();
    final List<Push> pushes = new ArrayList<>();
    final Map<UUID, Mentions> mentions = new LinkedHashMap<>();
    final Map<String, Burst> bursts = new LinkedHashMap<>();
    final List<Urgent> urgent = new ArrayList<>();
  }

  private Completable apply(EventStream.Page page) {
    StreamCursor after = stream.cursor();
    Instant now = Instant.now();
    List<Item> items = items(page, now);
    if (items.isEmpty()) {
      return pg.rxWithTransaction(tx -> moveCursor(tx, after, page).toMaybe()).ignoreElement();
    }
    return chats(items)
        .flatMap(chats -> select(items, chats))
        .flatMapCompletable(selection -> facts(selection)
            .flatMapCompletable(facts -> pg.rxWithTransaction(tx -> moveCursor(tx, after, page)
                    .andThen(Single.defer(() -> decide(tx, selection, facts, now)))
                    .flatMapCompletable(plan -> store(tx, plan))
                    .toMaybe())
                .ignoreElement()))
        // The page is stored: its toasts go out now (and a failure here leaves them for the next flush).
        .andThen(Completable.defer(this::flushOutbox).onErrorComplete());
  }

  private static List<Item> items(EventStream.Page page, Instant now) {
    List<Item> items = new ArrayList<>();
    for (StreamEvent event : page.events()) {
      EventType type = event.type().orElseThrow();
      if (type != EventType.MESSAGE_NEW && type != EventType.MESSAGE_UPDATED) {
        continue;
      }
      JsonObject message = event.json().getJsonObject("message");
      // System messages (a join, a rename...) never notify anyone.
      if (message == null || message.getBoolean("deleted", false) || "system".equals(message.getString("kind"))) {
        continue;
      }
      boolean edit = type == EventType.MESSAGE_UPDATED;
      String when = edit && message.getString("editedAt") != null ? message.getString("editedAt")
          : message.getString("createdAt");
      Instant at = when == null ? now : Instant.parse(when);
      if (at.isBefore(now.minus(STALE_AFTER))) {
        continue;
      }
      Optional<UUID> chatId = Ids.parse(message.getString("chatId"));
      Optional<UUID> messageId = Ids.parse(message.getString("id"));
      Optional<UUID> senderId = Ids.parse(message.getString("senderId"));
      if (chatId.isPresent() && messageId.isPresent() && senderId.isPresent()) {
        items.add(new Item(edit, chatId.get(), messageId.get(), senderId.get(), message, at));
      }
    }
    return items;
  }

  // Asking the others

  /** The page's chats with their members, as messaging says (a chat the sender may no longer see is left out). */
  private Single<Map<UUID, ChatFacts>> chats(List<Item> items) {
    Map<UUID, UUID> askAs = new LinkedHashMap<>();
    items.forEach(item -> askAs.putIfAbsent(item.chatId(), item.senderId()));
    return Flowable.fromIterable(askAs.entrySet())
        .concatMapSingle(entry -> chat(entry.getKey(), entry.getValue())
            .map(found -> Map.entry(entry.getKey(), found)))
        .collect(HashMap::new, (chats, entry) -> entry.getValue().ifPresent(chat -> chats.put(entry.getKey(), chat)));
  }

  /**
   * Who may hear of each message, from the chats' members, the stored chat settings and mentions (this follower's
   * own tables, read before its transaction: only this follower writes the mentions, one page at a time).
   */
  private Single<Selection> select(List<Item> items, Map<UUID, ChatFacts> chats) {
    Set<UUID> members = new HashSet<>();
    chats.values().forEach(chat -> members.addAll(chat.members()));
    List<UUID> edited = items.stream().filter(Item::edit).map(Item::messageId).distinct().toList();
    if (members.isEmpty()) {
      return Single.just(new Selection(List.of(), Map.of()));
    }
    return Settings.chats(pg, new ArrayList<>(members), new ArrayList<>(chats.keySet()))
        .flatMap(chatSettings -> storedMentions(pg, edited)
            .map(stored -> select(items, chats, chatSettings, stored)));
  }

  private static Selection select(List<Item> items, Map<UUID, ChatFacts> chats,
                                  Map<String, ChatSettings> chatSettings, Map<UUID, Mentions> storedMentions) {
    List<Target> targets = new ArrayList<>();
    Map<UUID, Mentions> added = new LinkedHashMap<>();
    Map<UUID, Mentions> seen = new HashMap<>(storedMentions);
    for (Item item : items) {
      ChatFacts chat = chats.get(item.chatId());
      if (chat == null) {
        continue;
      }
      Mentions current = Mentions.of(item.message().getJsonObject("mentions"));
      boolean urgent = !item.edit() && "urgent".equals(item.message().getString("priority"));
      Set<UUID> reached = new LinkedHashSet<>();
      Set<UUID> mentioned = new HashSet<>();
      if (!item.edit()) {
        reached.addAll(chat.members());
        chat.members().stream().filter(member -> current.everyone() || current.users().contains(member))
            .forEach(mentioned::add);
      } else {
        // An edit notifies only the mentions it added, once: who was mentioned before was told (or not) then.
        Mentions before = seen.getOrDefault(item.messageId(), Mentions.NONE);
        if (!before.everyone()) {
          if (current.everyone()) {
            chat.members().stream().filter(member -> !before.users().contains(member)).forEach(reached::add);
          } else {
            current.users().stream().filter(user -> !before.users().contains(user)
                && chat.members().contains(user)).forEach(reached::add);
          }
        }
        mentioned.addAll(reached);
      }
      if (current.any()) {
        Mentions merged = seen.getOrDefault(item.messageId(), Mentions.NONE).union(current);
        seen.put(item.messageId(), merged);
        added.put(item.messageId(), merged);
      }
      for (UUID user : reached) {
        if (user.equals(item.senderId())) {
          continue;
        }
        boolean isMentioned = mentioned.contains(user);
        ChatSettings settings = chatSettings.getOrDefault(Settings.key(user, item.chatId()), ChatSettings.DEFAULTS);
        if (urgent || Decision.wanted(chat.dm(), isMentioned, settings)) {
          targets.add(new Target(item, chat, user, isMentioned, urgent, settings));
        }
      }
    }
    return new Selection(targets, added);
  }

  /** Presence, focus and the senders' names, asked only about the targets (often none: nothing is asked then). */
  private Single<Facts> facts(Selection selection) {
    if (selection.targets().isEmpty()) {
      return Single.just(Facts.NONE);
    }
    List<String> users = selection.users().stream().map(UUID::toString).toList();
    Set<UUID> senders = new LinkedHashSet<>();
    selection.targets().forEach(target -> senders.add(target.item().senderId()));
    return Single.zip(online(users), focus.focused(users), names(senders), Facts::new);
  }

  /** The chat and its members, asked of messaging as the sender; empty when the sender may not see it any more. */
  private Single<Optional<ChatFacts>> chat(UUID chatId, UUID askAs) {
    DeliveryOptions options = new Caller(askAs.toString(), null).deliveryOptions()
        .setSendTimeout(REQUEST_TIMEOUT_MS);
    JsonObject body = new JsonObject().put("chatId", chatId.toString());
    return Requests.<JsonObject>request(vertx, Addresses.CHAT_GET, body, options)
        .flatMap(chat -> Requests.<JsonObject>request(vertx, Addresses.CHAT_MEMBERS, body, options)
            .map(members -> {
              JsonObject json = chat.body().getJsonObject("chat");
              List<UUID> ids = new ArrayList<>();
              members.body().getJsonArray("members", new JsonArray()).forEach(member ->
                  Ids.parse(((JsonObject) member).getString("userId")).ifPresent(ids::add));
              return Optional.of(new ChatFacts("dm".equals(json.getString("kind")), json.getString("name"), ids));
            }))
        .onErrorResumeNext(failure -> {
          if (failure instanceof ReplyException reply && reply.failureCode() == 404) {
            return Single.just(Optional.empty());
          }
          return Single.error(failure);
        });
  }

  /** Who of these users has a live connection, as presence says; without presence, everyone counts as online. */
  private Single<Set<UUID>> online(List<String> userIds) {
    List<List<String>> batches = new ArrayList<>();
    for (int i = 0; i < userIds.size(); i += PRESENCE_BATCH) {
      batches.add(userIds.subList(i, Math.min(userIds.size(), i + PRESENCE_BATCH)));
    }
    return Flowable.fromIterable(batches)
        .concatMapSingle(batch -> Requests.<JsonObject>request(vertx, Addresses.PRESENCE_READ,
                new JsonObject().put("userIds", new JsonArray(batch)),
                new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS))
            .map(reply -> reply.body().getJsonArray("users", new JsonArray()).stream()
                .map(JsonObject.class::cast)
                .filter(state -> !"offline".equals(state.getString("status")))
                .map(state -> UUID.fromString(state.getString("userId")))
                .toList())
            .onErrorReturn(failure -> {
              LOG.warn("presence not read, everyone counts as online: reason={}", failure.toString());
              return batch.stream().map(UUID::fromString).toList();
            }))
        .collect(HashSet::new, Set::addAll);
  }

  private Single<Map<UUID, String>> names(Set<UUID> userIds) {
    if (userIds.isEmpty()) {
      return Single.just(Map.of());
    }
    return Requests.<JsonObject>request(vertx, Addresses.USERS_PROFILES,
            new JsonObject().put("userIds", new JsonArray(userIds.stream().map(UUID::toString).toList())),
            new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS))
        .map(reply -> {
          Map<UUID, String> names = new HashMap<>();
          reply.body().getJsonArray("users", new JsonArray()).forEach(user -> {
            JsonObject profile = (JsonObject) user;
            names.put(UUID.fromString(profile.getString("id")), profile.getString("displayName"));
          });
          return names;
        })
        .onErrorReturn(failure -> Map.of());
  }

  // Deciding

  private Single<Plan> decide(SqlConnection tx, Selection selection, Facts facts, Instant now) {
    if (selection.targets().isEmpty()) {
      Plan plan = new Plan();
      plan.mentions.putAll(selection.mentions());
      return Single.just(plan);
    }
    List<UUID> users = new ArrayList<>(selection.users());
    List<UUID> chats = selection.targets().stream().map(target -> target.item().chatId()).distinct().toList();
    return Settings.users(tx, users)
        .flatMap(userSettings -> storedBursts(tx, users, chats)
            .map(bursts -> plan(selection, facts, userSettings, bursts, now)));
  }

  private static Plan plan(Selection selection, Facts facts, Map<UUID, UserSettings> userSettings,
                           Map<String, Burst> bursts, Instant now) {
    Plan plan = new Plan();
    plan.mentions.putAll(selection.mentions());
    for (Target target : selection.targets()) {
      Item item = target.item();
      UUID user = target.userId();
      String sender = facts.names().getOrDefault(item.senderId(), "Someone");
      Decision.Recipient recipient = new Decision.Recipient(false, target.chat().dm(), target.mentioned(),
          target.urgent(), facts.focused().getOrDefault(user.toString(), Set.of()).contains(item.chatId().toString()),
          facts.online().contains(user));
      Decision.Outcome outcome = Decision.decide(recipient, userSettings.getOrDefault(user, UserSettings.DEFAULTS),
          target.settings(), now);
      if (target.urgent()) {
        JsonObject shown = toast(item, target.chat(), sender, 1);
        plan.urgent.add(new Urgent(item.messageId(), user, item.chatId(), item.senderId(), shown.getString("title"),
            shown.getString("body")));
      }
      switch (outcome.delivery()) {
        case TOAST -> {
          int count = 1;
          if (!target.urgent()) {
            String key = Settings.key(user, item.chatId());
            Burst burst = plan.bursts.getOrDefault(key, bursts.get(key));
            burst = burst != null && item.at().isBefore(burst.startedAt().plus(BURST_WINDOW))
                ? new Burst(burst.startedAt(), burst.count() + 1) : new Burst(item.at(), 1);
            plan.bursts.put(key, burst);
            count = burst.count();
          }
          plan.toasts.add(new Toast(user, toast(item, target.chat(), sender, count)));
        }
        case PUSH -> plan.pushes.add(new Push(user, item.chatId(), item.messageId(),
            toast(item, target.chat(), sender, 1)));
        case NOTHING -> { }
      }
    }
    return plan;
  }

  /** The toast of one message, or of a burst of {@code count} from its chat (this message the latest of them). */
  static JsonObject toast(Item item, ChatFacts chat, String sender, int count) {
    String text = PlainText.of(item.message().getString("content", ""));
    String place = chat.dm() ? "" : " in #" + chat.name();
    String title;
    String body;
    if (count >= GROUP_FROM) {
      title = count + " new messages" + (chat.dm() ? " from " + sender : place);
      body = PlainText.cut(sender + ": " + text);
    } else {
      title = sender + place;
      body = text;
    }
    return new JsonObject().put("title", title).put("body", body).put("chatId", item.chatId().toString())
        .put("messageId", item.messageId().toString()).put("senderId", item.senderId().toString())
        .put("priority", item.message().getString("priority", "normal")).put("count", count);
  }

  // Storing

  private Single<StreamCursor> storedCursor() {
    return pg.query("SELECT tx, position FROM notifications.stream_cursor").rxExecute()
        .map(rows -> {
          Row row = rows.iterator().next();
          return new StreamCursor(row.getLong("tx"), row.getLong("position"));
        });
  }

  private static Completable moveCursor(SqlConnection tx, StreamCursor after, EventStream.Page page) {
    StreamCursor next = page.next();
    return tx.preparedQuery("""
            UPDATE notifications.stream_cursor SET tx = $1, position = $2 WHERE tx = $3 AND position = $4""")
        .rxExecute(Tuple.of(next.tx(), next.position(), after.tx(), after.position()))
        .flatMapCompletable(rows -> rows.rowCount() == 1 ? Completable.complete()
            : Completable.error(new EventStream.CursorMoved()));
  }

  private static Single<Map<UUID, Mentions>> storedMentions(SqlClient client, List<UUID> messageIds) {
    if (messageIds.isEmpty()) {
      return Single.just(Map.of());
    }
    return client.preparedQuery("""
            SELECT message_id, users, channel, here FROM notifications.message_mentions WHERE message_id = ANY($1)""")
        .rxExecute(Tuple.of(messageIds.toArray(UUID[]::new)))
        .map(rows -> {
          Map<UUID, Mentions> found = new HashMap<>();
          for (Row row : rows) {
            found.put(row.getUUID("message_id"), new Mentions(Set.of(row.getArrayOfUUIDs("users")),
                row.getBoolean("channel"), row.getBoolean("here")));
          }
          return found;
        });
  }

  private static Single<Map<String, Burst>> storedBursts(SqlConnection tx, List<UUID> userIds, List<UUID> chatIds) {
    return tx.preparedQuery("""
            SELECT user_id, chat_id, started_at, count FROM notifications.bursts
            WHERE user_id = ANY($1) AND chat_id = ANY($2)""")
        .rxExecute(Tuple.of(userIds.toArray(UUID[]::new), chatIds.toArray(UUID[]::new)))
        .map(rows -> {
          Map<String, Burst> found = new HashMap<>();
          for (Row row : rows) {
            found.put(Settings.key(row.getUUID("user_id"), row.getUUID("chat_id")),
                new Burst(row.getOffsetDateTime("started_at").toInstant(), row.getInteger("count")));
          }
          return found;
        });
  }

  private static Completable store(SqlConnection tx, Plan plan) {
    List<Completable> writes = new ArrayList<>();
    if (!plan.toasts.isEmpty()) {
      writes.add(tx.preparedQuery("""
              INSERT INTO notifications.outbox (user_id, toast)
              SELECT u, t::jsonb FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS x(u, t, n) ORDER BY n""")
          .rxExecute(Tuple.of(plan.toasts.stream().map(Toast::userId).toArray(UUID[]::new),
              plan.toasts.stream().map(toast -> toast.toast().encode()).toArray(String[]::new)))
          .ignoreElement());
    }
    if (!plan.pushes.isEmpty()) {
      writes.add(tx.preparedQuery("""
              INSERT INTO notifications.push_due (user_id, chat_id, message_id, payload)
              SELECT u, c, m, p::jsonb FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[])
                WITH ORDINALITY AS x(u, c, m, p, n) ORDER BY n""")
          .rxExecute(Tuple.of(plan.pushes.stream().map(Push::userId).toArray(UUID[]::new),
              plan.pushes.stream().map(Push::chatId).toArray(UUID[]::new),
              plan.pushes.stream().map(Push::messageId).toArray(UUID[]::new),
              plan.pushes.stream().map(push -> push.payload().encode()).toArray(String[]::new)))
          .ignoreElement());
    }
    if (!plan.mentions.isEmpty()) {
      List<Tuple> rows = new ArrayList<>();
      plan.mentions.forEach((id, mentions) -> rows.add(Tuple.of(id, mentions.users().toArray(UUID[]::new),
          mentions.channel(), mentions.here())));
      writes.add(tx.preparedQuery("""
              INSERT INTO notifications.message_mentions (message_id, users, channel, here) VALUES ($1, $2, $3, $4)
              ON CONFLICT (message_id) DO UPDATE SET users = $2, channel = $3, here = $4""")
          .rxExecuteBatch(rows).ignoreElement());
    }
    if (!plan.bursts.isEmpty()) {
      List<Tuple> rows = new ArrayList<>();
      plan.bursts.forEach((key, burst) -> {
        String[] ids = key.split("/");
        rows.add(Tuple.of(UUID.fromString(ids[0]), UUID.fromString(ids[1]),
            OffsetDateTime.ofInstant(burst.startedAt(), ZoneOffset.UTC), burst.count()));
      });
      writes.add(tx.preparedQuery("""
              INSERT INTO notifications.bursts (user_id, chat_id, started_at, count) VALUES ($1, $2, $3, $4)
              ON CONFLICT (user_id, chat_id) DO UPDATE SET started_at = $3, count = $4""")
          .rxExecuteBatch(rows).ignoreElement());
    }
    if (!plan.urgent.isEmpty()) {
      List<Tuple> rows = plan.urgent.stream().map(urgent -> Tuple.of(urgent.messageId(), urgent.userId(),
          urgent.chatId(), urgent.senderId(), urgent.title(), urgent.body())).toList();
      writes.add(tx.preparedQuery("""
              INSERT INTO notifications.urgent (message_id, user_id, chat_id, sender_id, title, body)
              VALUES ($1, $2, $3, $4, $5, $6)
              ON CONFLICT DO NOTHING""")
          .rxExecuteBatch(rows).ignoreElement());
    }
    return Completable.concat(writes);
  }

  /**
   * Publishes the toasts waiting in the outbox, oldest first. Each is deleted as it is taken, so that of several
   * nodes flushing at once each toast goes out from one.
   */
  Completable flushOutbox() {
    return pg.query("""
            DELETE FROM notifications.outbox WHERE id IN (
              SELECT id FROM notifications.outbox ORDER BY id LIMIT %d FOR UPDATE SKIP LOCKED)
            RETURNING id, user_id, toast""".formatted(FLUSH_BATCH))
        .rxExecute()
        .flatMapCompletable(rows -> {
          List<Row> taken = new ArrayList<>();
          rows.forEach(taken::add);
          taken.sort(Comparator.comparingLong(row -> row.getLong("id")));
          for (Row row : taken) {
            Object toast = row.getValue("toast");
            Events.publish(vertx.eventBus(), new Event.NotificationToast(row.getUUID("user_id").toString(),
                toast instanceof JsonObject json ? json : new JsonObject(String.valueOf(toast))));
          }
          return taken.size() == FLUSH_BATCH ? Completable.defer(this::flushOutbox) : Completable.complete();
        });
  }
}
