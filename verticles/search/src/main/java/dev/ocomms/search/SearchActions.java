package dev.ocomms.search;

import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.limits.Quota;
import dev.ocomms.shared.limits.RateLimiter;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code search.query}: messages (the default scope), people, channels and channel notes of one workspace, for the
 * caller. Reads the
 * request, takes from the caller's search allowance, resolves the operators against what the caller may see, and
 * answers {@code {results, nextCursor, total?}} (docs/protocol.md, "Search").
 */
final class SearchActions {
  static final int MAX_QUERY_LENGTH = 500;
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 50;
  static final int DEFAULT_SUGGESTIONS = 5;
  static final int MAX_SUGGESTIONS = 20;
  /** 5 message searches a second, per user. */
  static final Quota SEARCHES = Quota.bucket("search.query", 5, Duration.ofSeconds(1),
      "at most 5 searches per second");
  /** People and channels by prefix are asked as someone types: a bigger allowance of their own. */
  static final Quota SUGGESTIONS = Quota.bucket("search.suggest", 20, Duration.ofSeconds(1),
      "at most 20 lookups per second");

  private final MessageSearch messages;
  private final NoteSearch notes;
  private final Directory directory;
  private final RateLimiter limiter;

  SearchActions(MessageSearch messages, NoteSearch notes, Directory directory, RateLimiter limiter) {
    this.messages = messages;
    this.notes = notes;
    this.directory = directory;
    this.limiter = limiter;
  }

  Single<JsonObject> query(BusRequest request) {
    Input body = request.body();
    UUID workspaceId = body.id("workspaceId");
    String scope = body.has("scope") ? body.string("scope") : "messages";
    String q = body.has("q") ? body.string("q") : "";
    if (q.length() > MAX_QUERY_LENGTH) {
      throw Input.invalid("q", "q must be at most " + MAX_QUERY_LENGTH + " characters");
    }
    return switch (scope) {
      case "messages" -> messages(request, workspaceId, q);
      case "people" -> limiter.take(request.caller().toString(), SUGGESTIONS)
          .andThen(Single.defer(() -> people(request, workspaceId, q)));
      case "channels" -> limiter.take(request.caller().toString(), SUGGESTIONS)
          .andThen(Single.defer(() -> channels(request, workspaceId, q)));
      case "notes" -> notes(request, workspaceId, q);
      default -> throw Input.invalid("scope", "scope must be messages, people, channels or notes");
    };
  }

  // Messages

  private Single<JsonObject> messages(BusRequest request, UUID workspaceId, String q) {
    Input body = request.body();
    SearchQuery query = QueryParser.parse(q);
    if (!query.hasText() && !query.hasFilters()) {
      throw Input.invalid("q", "search for at least one word, phrase or operator");
    }
    boolean recent = body.has("sort") ? sort(body.string("sort")) : false;
    recent = query.recent().orElse(recent);
    ZoneId zone = zone(body);
    int limit = body.optionalInt("limit", 1, MAX_LIMIT).orElse(DEFAULT_LIMIT);
    boolean byRelevance = !recent && query.hasText();
    String digest = digest(workspaceId + "\n" + q + "\n" + byRelevance + "\n" + zone.getId());
    Optional<SearchCursor> cursor = body.has("cursor")
        ? Optional.of(SearchCursor.parse(body.string("cursor"), digest)
            .filter(c -> byRelevance == (c.asOf() != null))
            .orElseThrow(() -> Input.invalid("cursor", "cursor must be the nextCursor of this same search")))
        : Optional.empty();
    UUID caller = request.caller();
    return limiter.take(caller.toString(), SEARCHES)
        .andThen(Single.defer(() -> directory.readableChats(caller, workspaceId)))
        .flatMap(chats -> directory.usersByUsername(usernames(query)).flatMap(users -> {
          Optional<MessageSearch.Plan> plan = plan(query, caller, chats, users, zone, byRelevance, limit, cursor,
              digest);
          if (plan.isEmpty()) {
            return Single.just(new JsonObject().put("results", new JsonArray()).putNull("nextCursor").put("total", 0));
          }
          return messages.find(plan.get()).flatMap(page -> answer(page, chats));
        }));
  }

  /** The query resolved against the caller's chats and the workspace's people; empty when nothing can match. */
  private static Optional<MessageSearch.Plan> plan(SearchQuery query, UUID caller, List<ReadableChat> chats,
                                                   Map<String, UUID> users, ZoneId zone, boolean byRelevance,
                                                   int limit, Optional<SearchCursor> cursor, String digest) {
    if (query.contradicts()) {
      return Optional.empty();
    }
    List<UUID> chatIds = new ArrayList<>();
    boolean narrowed = !query.inChannels().isEmpty() || !query.inDms().isEmpty();
    for (ReadableChat chat : chats) {
      boolean named = !chat.dm() && chat.name() != null
          && query.inChannels().contains(chat.name().toLowerCase(Locale.ROOT));
      boolean withPerson = chat.dm() && query.inDms().stream()
          .map(name -> person(name, caller, users)).flatMap(Optional::stream)
          .anyMatch(person -> person.equals(caller) ? chat.memberIds().equals(List.of(caller))
              : chat.memberIds().contains(person));
      if (!narrowed || named || withPerson) {
        chatIds.add(chat.id());
      }
    }
    List<UUID> senders = query.from().stream().map(name -> person(name, caller, users)).flatMap(Optional::stream)
        .distinct().toList();
    List<Optional<UUID>> mentionedOrUnknown = query.mentions().stream().map(name -> person(name, caller, users))
        .toList();
    if (chatIds.isEmpty() || (!query.from().isEmpty() && senders.isEmpty())
        || mentionedOrUnknown.stream().anyMatch(Optional::isEmpty)) {
      return Optional.empty();
    }
    List<UUID> mentioned = mentionedOrUnknown.stream().map(Optional::orElseThrow).distinct().toList();
    Optional<Instant> from = later(query.after().map(day -> startOf(day.plusDays(1), zone)),
        query.on().map(day -> startOf(day, zone)));
    Optional<Instant> until = earlier(query.before().map(day -> startOf(day, zone)),
        query.on().map(day -> startOf(day.plusDays(1), zone)));
    if (from.isPresent() && until.isPresent() && !from.get().isBefore(until.get())) {
      return Optional.empty();
    }
    return Optional.of(new MessageSearch.Plan(query, chatIds, senders, mentioned, from, until, byRelevance, limit,
        cursor, digest));
  }

  private static Optional<UUID> person(String username, UUID caller, Map<String, UUID> users) {
    return "me".equals(username) ? Optional.of(caller) : Optional.ofNullable(users.get(username));
  }

  private static Set<String> usernames(SearchQuery query) {
    Set<String> names = new LinkedHashSet<>();
    names.addAll(query.from());
    names.addAll(query.inDms());
    names.addAll(query.mentions());
    names.remove("me");
    return names;
  }

  private Single<JsonObject> answer(MessageSearch.Page page, List<ReadableChat> chats) {
    Map<UUID, ReadableChat> byId = new java.util.HashMap<>();
    chats.forEach(chat -> byId.put(chat.id(), chat));
    Set<UUID> senders = new LinkedHashSet<>();
    page.hits().forEach(hit -> senders.add(hit.senderId()));
    return directory.profiles(senders).map(profiles -> {
      JsonArray results = new JsonArray();
      for (MessageSearch.Hit hit : page.hits()) {
        Directory.Person sender = profiles.get(hit.senderId());
        results.add(new JsonObject()
            .put("type", "message")
            .put("messageId", hit.messageId().toString())
            .put("chatId", hit.chatId().toString())
            .put("chat", byId.get(hit.chatId()).summary())
            .put("seq", hit.seq())
            .put("rootId", hit.rootId() == null ? null : hit.rootId().toString())
            .put("senderId", hit.senderId().toString())
            .put("sender", sender == null ? null : sender.toJson())
            .put("createdAt", hit.createdAt().toInstant().toString())
            .put("editedAt", hit.editedAt() == null ? null : hit.editedAt().toInstant().toString())
            .put("snippet", hit.snippet()));
      }
      JsonObject answer = new JsonObject().put("results", results)
          .put("nextCursor", page.next().map(SearchCursor::wire).orElse(null));
      page.total().ifPresent(total -> answer.put("total", total));
      return answer;
    });
  }

  // Channel notes

  /** The notes of the caller's chats (members only: a public channel one has not joined is left out) with the words. */
  private Single<JsonObject> notes(BusRequest request, UUID workspaceId, String q) {
    SearchQuery query = QueryParser.parse(q);
    if (!query.hasText()) {
      throw Input.invalid("q", "search notes for at least one word or phrase");
    }
    int limit = request.body().optionalInt("limit", 1, MAX_LIMIT).orElse(DEFAULT_LIMIT);
    UUID caller = request.caller();
    return limiter.take(caller.toString(), SEARCHES)
        .andThen(Single.defer(() -> directory.readableChats(caller, workspaceId)))
        .flatMap(chats -> {
          Map<UUID, ReadableChat> memberOf = new java.util.HashMap<>();
          chats.stream().filter(ReadableChat::member).forEach(chat -> memberOf.put(chat.id(), chat));
          if (memberOf.isEmpty()) {
            return Single.just(new JsonObject().put("results", new JsonArray()).putNull("nextCursor"));
          }
          return notes.find(query, List.copyOf(memberOf.keySet()), limit).map(hits -> new JsonObject()
              .put("results", new JsonArray(hits.stream().map(hit -> new JsonObject()
                  .put("type", "note")
                  .put("chatId", hit.chatId().toString())
                  .put("chat", memberOf.get(hit.chatId()).summary())
                  .put("version", hit.version())
                  .put("updatedAt", hit.updatedAt().toInstant().toString())
                  .put("snippet", hit.snippet())).toList()))
              .putNull("nextCursor"));
        });
  }

  // People and channels, by prefix

  private Single<JsonObject> people(BusRequest request, UUID workspaceId, String q) {
    String prefix = NameKey.folded(q.strip().replaceFirst("^@", ""));
    int limit = request.body().optionalInt("limit", 1, MAX_SUGGESTIONS).orElse(DEFAULT_SUGGESTIONS);
    return directory.people(request.caller(), workspaceId).map(people -> {
      List<Directory.Person> found = people.stream()
          .filter(person -> person.usernameKey().startsWith(prefix) || person.displayNameKey().startsWith(prefix))
          .sorted(Comparator.comparing((Directory.Person person) -> !person.usernameKey().folded().equals(prefix))
              .thenComparing(person -> !person.usernameKey().folded().startsWith(prefix))
              .thenComparing(person -> person.displayNameKey().folded()))
          .limit(limit)
          .toList();
      JsonArray results = new JsonArray();
      found.forEach(person -> results.add(new JsonObject().put("type", "person").put("user", person.toJson())));
      return new JsonObject().put("results", results).putNull("nextCursor");
    });
  }

  /** A channel with its name and topic as prefix lookups compare them. */
  private record ChannelCandidate(ReadableChat chat, NameKey name, NameKey topic) {
  }

  private Single<JsonObject> channels(BusRequest request, UUID workspaceId, String q) {
    String prefix = NameKey.folded(q.strip().replaceFirst("^#", ""));
    int limit = request.body().optionalInt("limit", 1, MAX_SUGGESTIONS).orElse(DEFAULT_SUGGESTIONS);
    return directory.readableChats(request.caller(), workspaceId).map(chats -> {
      List<ChannelCandidate> found = chats.stream()
          .filter(chat -> !chat.dm())
          .map(chat -> new ChannelCandidate(chat, NameKey.of(chat.name()), NameKey.of(chat.topic())))
          .filter(channel -> channel.name().startsWith(prefix) || channel.topic().startsWith(prefix))
          .sorted(Comparator.comparing((ChannelCandidate channel) -> !channel.name().folded().startsWith(prefix))
              .thenComparing(channel -> !channel.chat().member())
              .thenComparing(channel -> channel.chat().name()))
          .limit(limit)
          .toList();
      JsonArray results = new JsonArray();
      found.forEach(channel -> results.add(new JsonObject().put("type", "channel")
          .put("chat", channel.chat().channel())));
      return new JsonObject().put("results", results).putNull("nextCursor");
    });
  }

  // Reading the request

  private static boolean sort(String sort) {
    return switch (sort) {
      case "recent" -> true;
      case "relevance" -> false;
      default -> throw Input.invalid("sort", "sort must be relevance or recent");
    };
  }

  private static ZoneId zone(Input body) {
    if (!body.has("tz")) {
      return ZoneId.of("UTC");
    }
    String tz = body.string("tz");
    try {
      return ZoneId.of(tz);
    } catch (DateTimeException unknown) {
      throw Input.invalid("tz", "tz must be an IANA time zone such as Europe/Paris");
    }
  }

  private static Instant startOf(LocalDate day, ZoneId zone) {
    return day.atStartOfDay(zone).toInstant();
  }

  private static Optional<Instant> later(Optional<Instant> a, Optional<Instant> b) {
    return a.isEmpty() ? b : b.isEmpty() ? a : Optional.of(a.get().isAfter(b.get()) ? a.get() : b.get());
  }

  private static Optional<Instant> earlier(Optional<Instant> a, Optional<Instant> b) {
    return a.isEmpty() ? b : b.isEmpty() ? a : Optional.of(a.get().isBefore(b.get()) ? a.get() : b.get());
  }

  private static String digest(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
