package dev.ocomms.search;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Requests;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * What search asks the owners of chats and people: the chats a caller may read (messaging, on every search, so that
 * leaving a channel takes effect at once), users by username and by id (accounts), and a workspace's people for
 * prefix lookups. People and profiles are kept for {@link #PEOPLE_TTL_MS}: a new member or a new name shows up that
 * much later.
 */
final class Directory {
  static final long PEOPLE_TTL_MS = 30_000;
  private static final long REQUEST_TIMEOUT_MS = 5_000;
  private static final int PROFILES_PER_REQUEST = 1_000;
  private static final int MAX_CACHED_WORKSPACES = 1_000;
  private static final int MAX_CACHED_PROFILES = 20_000;

  /** A person as results show them, with their names as prefix lookups compare them. */
  record Person(UUID id, String username, String displayName, NameKey usernameKey, NameKey displayNameKey) {
    static Person of(JsonObject user) {
      String username = user.getString("username");
      String displayName = user.getString("displayName", username);
      return new Person(UUID.fromString(user.getString("id")), username, displayName, NameKey.of(username),
          NameKey.of(displayName));
    }

    JsonObject toJson() {
      return new JsonObject().put("id", id.toString()).put("username", username).put("displayName", displayName);
    }
  }

  private record People(List<Person> people, long loadedAt) {
  }

  private record Profile(Person person, long loadedAt) {
  }

  private final Vertx vertx;
  private final Map<UUID, People> peopleByWorkspace = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<UUID, People> eldest) {
      return size() > MAX_CACHED_WORKSPACES;
    }
  };

  /** Senders as results show them, kept like the people of a workspace: most results come from a few people. */
  private final Map<UUID, Profile> profilesById = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<UUID, Profile> eldest) {
      return size() > MAX_CACHED_PROFILES;
    }
  };

  Directory(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The chats of the workspace the caller may read now; not_found when they are not in the workspace. */
  Single<List<ReadableChat>> readableChats(UUID caller, UUID workspaceId) {
    return ask(Addresses.CHAT_READABLE, new JsonObject().put("workspaceId", workspaceId.toString()), caller)
        .map(reply -> reply.getJsonArray("chats", new JsonArray()).stream()
            .map(chat -> ReadableChat.of((JsonObject) chat)).toList());
  }

  /** The users with these usernames (lower case), by username; unknown names are absent. */
  Single<Map<String, UUID>> usersByUsername(Collection<String> usernames) {
    if (usernames.isEmpty()) {
      return Single.just(Map.of());
    }
    return ask(Addresses.USERS_BY_USERNAME, new JsonObject().put("usernames", new JsonArray(List.copyOf(usernames))),
        null)
        .map(reply -> {
          Map<String, UUID> byName = new HashMap<>();
          reply.getJsonArray("users", new JsonArray()).forEach(user -> {
            Person person = Person.of((JsonObject) user);
            byName.put(person.username().toLowerCase(Locale.ROOT), person.id());
          });
          return byName;
        });
  }

  /** Public profiles by id (kept for {@link #PEOPLE_TTL_MS}); unknown ids are absent. */
  Single<Map<UUID, Person>> profiles(Collection<UUID> ids) {
    long now = System.currentTimeMillis();
    Map<UUID, Person> known = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (UUID id : ids) {
      Profile profile = profilesById.get(id);
      if (profile != null && now - profile.loadedAt() < PEOPLE_TTL_MS) {
        known.put(id, profile.person());
      } else {
        missing.add(id.toString());
      }
    }
    if (missing.isEmpty()) {
      return Single.just(known);
    }
    List<Single<JsonObject>> chunks = new ArrayList<>();
    for (int from = 0; from < missing.size(); from += PROFILES_PER_REQUEST) {
      List<String> chunk = missing.subList(from, Math.min(missing.size(), from + PROFILES_PER_REQUEST));
      chunks.add(ask(Addresses.USERS_PROFILES, new JsonObject().put("userIds", new JsonArray(chunk)), null));
    }
    return Single.concat(chunks).reduce(known, (byId, reply) -> {
      reply.getJsonArray("users", new JsonArray()).forEach(user -> {
        Person person = Person.of((JsonObject) user);
        byId.put(person.id(), person);
        profilesById.put(person.id(), new Profile(person, now));
      });
      return byId;
    });
  }

  /**
   * The workspace's people, for a caller who is one of them (else not_found, as messaging answers). Kept for
   * {@link #PEOPLE_TTL_MS}, membership included.
   */
  Single<List<Person>> people(UUID caller, UUID workspaceId) {
    People known = peopleByWorkspace.get(workspaceId);
    if (known != null && System.currentTimeMillis() - known.loadedAt() < PEOPLE_TTL_MS
        && known.people().stream().anyMatch(person -> person.id().equals(caller))) {
      return Single.just(known.people());
    }
    long started = System.currentTimeMillis();
    return ask(Addresses.WORKSPACE_MEMBERS, new JsonObject().put("workspaceId", workspaceId.toString()), caller)
        .map(reply -> reply.getJsonArray("members", new JsonArray()).stream()
            .map(member -> UUID.fromString(((JsonObject) member).getString("userId"))).toList())
        .flatMap(this::profiles)
        .map(byId -> {
          List<Person> people = List.copyOf(byId.values());
          peopleByWorkspace.put(workspaceId, new People(people, started));
          return people;
        });
  }

  private Single<JsonObject> ask(String address, JsonObject body, UUID caller) {
    DeliveryOptions options = caller == null ? new DeliveryOptions()
        : new Caller(caller.toString(), null).deliveryOptions();
    return Requests.<JsonObject>request(vertx, address, body, options.setSendTimeout(REQUEST_TIMEOUT_MS))
        .map(reply -> reply.body() == null ? new JsonObject() : reply.body())
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }
}
