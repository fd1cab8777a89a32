package dev.ocomms.messaging;

import io.reactivex.rxjava3.core.Single;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Who belongs to which chat, remembered by each messaging instance so that a send needs no query before its batch.
 * Every change of membership or of a chat's archived flag is announced to every instance
 * ({@code messaging.chat.changed}, after its commit), which forgets that chat; the next use loads it again.
 *
 * <p>Only "yes, a member of a writable chat" is trusted: an announcement can arrive a moment after its commit, so a
 * remembered member may have just left (the batch statement rechecks membership under the chat's lock and refuses),
 * and a "no" is asked of PostgreSQL again (someone who has just joined must not be refused). Used only from its
 * instance's event loop.
 */
final class Memberships {
  static final int MAX_CHATS = 20_000;

  private final MessageStore store;
  /** Least recently used first. */
  private final Map<UUID, MessageStore.ChatMembers> chats = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<UUID, MessageStore.ChatMembers> eldest) {
      return size() > MAX_CHATS;
    }
  };
  /** Loads under way, shared by the requests that need the same chat meanwhile. */
  private final Map<UUID, Single<Optional<MessageStore.ChatMembers>>> loading = new HashMap<>();
  /** Counts forgotten chats: a load that started before a change is not kept. */
  private long changes;

  Memberships(MessageStore store) {
    this.store = store;
  }

  /** The chat's state, from memory when it is known to allow this user to write; else fresh from PostgreSQL. */
  Single<Optional<MessageStore.ChatMembers>> forWriter(UUID chatId, UUID userId) {
    MessageStore.ChatMembers known = chats.get(chatId);
    if (known != null && !known.archived() && known.members().contains(userId)) {
      return Single.just(Optional.of(known));
    }
    return load(chatId);
  }

  /** Whether the user is a member of the chat (a remembered yes, else PostgreSQL's answer). */
  Single<Boolean> isMember(UUID chatId, UUID userId) {
    MessageStore.ChatMembers known = chats.get(chatId);
    if (known != null && known.members().contains(userId)) {
      return Single.just(true);
    }
    return load(chatId).map(chat -> chat.map(state -> state.members().contains(userId)).orElse(false));
  }

  /** Of these users, the members of the chat: mentions count only members. */
  Single<Set<UUID>> membersAmong(UUID chatId, Set<UUID> userIds) {
    MessageStore.ChatMembers known = chats.get(chatId);
    if (known != null && known.members().containsAll(userIds)) {
      return Single.just(userIds);
    }
    return load(chatId).map(chat -> chat.map(state -> userIds.stream().filter(state.members()::contains)
        .collect(Collectors.toSet())).orElse(Set.of()));
  }

  /** The chat's members or archived flag changed (announced after the commit). */
  void changed(UUID chatId) {
    changes++;
    chats.remove(chatId);
  }

  private Single<Optional<MessageStore.ChatMembers>> load(UUID chatId) {
    Single<Optional<MessageStore.ChatMembers>> running = loading.get(chatId);
    if (running != null) {
      return running;
    }
    long changesBefore = changes;
    Single<Optional<MessageStore.ChatMembers>> load = store.chatMembers(chatId)
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .doOnSuccess(chat -> {
          if (chat.isPresent() && changes == changesBefore) {
            chats.put(chatId, chat.get());
          }
        })
        .doFinally(() -> loading.remove(chatId))
        .cache();
    loading.put(chatId, load);
    return load;
  }
}
