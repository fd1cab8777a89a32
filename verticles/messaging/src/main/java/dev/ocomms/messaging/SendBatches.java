package dev.ocomms.messaging;

import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.subjects.SingleSubject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Stores new messages in batches (group commit): while this instance's statement is being stored, the sends that
 * arrive meanwhile wait and then share the next one, whatever their chats: a single statement (one round trip, one row
 * lock and one seq update per chat, multi-row inserts, one commit; see {@link MessageStore#storeBatch}). When nothing
 * is in flight a send starts at once, so batching adds no delay without load, and batches grow with the load: the
 * database then does one transaction for many sends instead of one each, which is what lets it keep up.
 *
 * <p>A chat is in at most one statement of this instance at a time, so its sends keep their order. One instance per
 * verticle instance, used only from its event loop. Instances (and nodes) store their own batches of the same chat;
 * the chat row lock orders them, and each batch rechecks membership and clientId in its statement, so seqs stay
 * unique and gap-free per chat and a clientId is stored once. A batch the database refuses for one send's data is
 * stored again one send at a time, so that only that send fails.
 */
final class SendBatches {
  private static final Logger LOG = LoggerFactory.getLogger(SendBatches.class);
  /** At most this many sends share a transaction (10 array parameters of this length). */
  static final int MAX_BATCH = 200;
  /**
   * Statements of this instance in flight at once. One per instance (a node runs one per core) is enough to keep the
   * database busy, and makes every send that arrives meanwhile join the next statement.
   */
  static final int MAX_IN_FLIGHT = 1;
  /** How often a batch runs again after losing a clientId race or a deadlock (each run sees more of what committed). */
  private static final int RACE_RETRIES = 3;

  /** A send that passed its checks, waiting for its batch. */
  record Pending(UUID id, UUID chatId, UUID clientId, UUID senderId, String content, UUID replyTo,
                 MessageActions.MentionSet mentions, String priority, JsonArray attachments, JsonObject integration,
                 SingleSubject<Message> result) {

    MessageStore.NewMessage toStore() {
      return new MessageStore.NewMessage(chatId, id, clientId, senderId, content, replyTo, mentions.toJson(), priority,
          attachments, integration);
    }

    /** The message as its batch stored it: new, so no replies, edits or reactions yet. */
    Message stored(SendDecision.Stored decision) {
      return new Message(id, chatId, decision.seq(), clientId, senderId, content, replyTo, 0, null, mentions.toJson(),
          priority, attachments, decision.createdAt(), null, null, new JsonArray(), null, integration, null);
    }
  }

  /** What a batch means for one of its sends once it has ended: the stored message, or why it was refused. */
  private sealed interface Outcome {
    /** Answers the send. */
    void answer();
  }

  private record Accepted(Pending pending, Message message) implements Outcome {
    @Override
    public void answer() {
      pending.result().onSuccess(message);
    }
  }

  private record Refused(Pending pending, Throwable refusal) implements Outcome {
    @Override
    public void answer() {
      pending.result().onError(refusal);
    }
  }

  private static final class ChatQueue {
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    boolean storing;
  }

  private final MessageStore store;
  private final Consumer<List<Message>> committed;
  /** Chats with sends waiting or being stored. */
  private final Map<UUID, ChatQueue> chats = new HashMap<>();
  /** Chats with sends waiting and none being stored, in the order they became ready. */
  private final Set<UUID> ready = new LinkedHashSet<>();
  private int inFlight;

  /**
   * @param committed called right after each batch has committed and before any of its sends is answered (publishing
   *                  the events), once per chat of the batch with that chat's stored messages in seq order (a batch
   *                  stored one send at a time calls it once they all have ended)
   */
  SendBatches(MessageStore store, Consumer<List<Message>> committed) {
    this.store = store;
    this.committed = committed;
  }

  /** Queues a send; the stored message once its batch has committed, or why it was refused. */
  Single<Message> send(UUID chatId, UUID senderId, UUID clientId, String content, UUID replyTo,
                       MessageActions.MentionSet mentions, String priority, JsonArray attachments, UUID id) {
    return send(chatId, senderId, clientId, content, replyTo, mentions, priority, attachments, null, id);
  }

  /** As {@link #send}, for a webhook's post: {@code integration} is its {via, attachments, blocks} (else null). */
  Single<Message> send(UUID chatId, UUID senderId, UUID clientId, String content, UUID replyTo,
                       MessageActions.MentionSet mentions, String priority, JsonArray attachments,
                       JsonObject integration, UUID id) {
    SingleSubject<Message> result = SingleSubject.create();
    ChatQueue queue = chats.computeIfAbsent(chatId, key -> new ChatQueue());
    queue.waiting.add(new Pending(id, chatId, clientId, senderId, content, replyTo, mentions, priority, attachments,
        integration, result));
    if (!queue.storing) {
      ready.add(chatId);
    }
    storeNext();
    return result;
  }

  /** Number of chats with sends waiting or being stored (for tests). */
  int activeChats() {
    return chats.size();
  }

  private void storeNext() {
    while (inFlight < MAX_IN_FLIGHT && !ready.isEmpty()) {
      // Two sends with the same clientId never share a batch: the second one waits and then finds the first stored.
      List<Pending> batch = new ArrayList<>();
      Set<UUID> clientIds = new HashSet<>();
      List<UUID> batchChats = new ArrayList<>();
      for (Iterator<UUID> chatIt = ready.iterator(); chatIt.hasNext() && batch.size() < MAX_BATCH; ) {
        UUID chatId = chatIt.next();
        ChatQueue queue = chats.get(chatId);
        for (Iterator<Pending> it = queue.waiting.iterator(); it.hasNext() && batch.size() < MAX_BATCH; ) {
          Pending pending = it.next();
          if (clientIds.add(pending.clientId())) {
            batch.add(pending);
            it.remove();
          }
        }
        chatIt.remove();
        queue.storing = true;
        batchChats.add(chatId);
      }
      inFlight++;
      storeBatch(batch).subscribe(
          outcomes -> finish(batchChats, outcomes),
          failure -> finish(batchChats,
              batch.stream().<Outcome>map(pending -> new Refused(pending, failure)).toList()));
    }
  }

  private void finish(List<UUID> batchChats, List<Outcome> outcomes) {
    inFlight--;
    for (UUID chatId : batchChats) {
      ChatQueue queue = chats.get(chatId);
      queue.storing = false;
      if (queue.waiting.isEmpty()) {
        chats.remove(chatId);
      } else {
        ready.add(chatId);
      }
    }
    Map<UUID, List<Message>> storedByChat = new LinkedHashMap<>();
    outcomes.forEach(outcome -> {
      if (outcome instanceof Accepted accepted) {
        storedByChat.computeIfAbsent(accepted.message().chatId(), key -> new ArrayList<>()).add(accepted.message());
      }
    });
    try {
      storedByChat.values().forEach(committed);
      outcomes.forEach(Outcome::answer);
    } finally {
      storeNext();
    }
  }

  /**
   * The batch in one statement; when the database refuses the statement for what one of its sends holds, each send
   * again on its own (in order, so a chat's seqs stay in send order): the innocent ones are stored and acked as usual
   * and only the send at fault fails. Validation should refuse such a send first; this keeps a case it misses from
   * failing everyone who happened to share its batch.
   */
  private Single<List<Outcome>> storeBatch(List<Pending> batch) {
    return storeTogether(batch).onErrorResumeNext(failure -> {
      if (batch.size() == 1 || !refusedForItsData(failure)) {
        return Single.error(failure);
      }
      LOG.warn("a batch of {} sends was refused (SQL state {}); storing them one by one", batch.size(),
          ((PgException) failure).getSqlState());
      return Observable.fromIterable(batch)
          .concatMapSingle(pending -> storeTogether(List.of(pending))
              .onErrorReturn(refusal -> List.of(new Refused(pending, refusal))))
          .concatMapIterable(outcomes -> outcomes)
          .toList();
    });
  }

  /**
   * The sends in one statement (see {@link MessageStore#storeBatch}), run again when a concurrent retry won a race or
   * the database broke a deadlock with another node's batch.
   */
  private Single<List<Outcome>> storeTogether(List<Pending> batch) {
    List<MessageStore.NewMessage> messages = batch.stream().map(Pending::toStore).toList();
    return Single.defer(() -> store.storeBatch(messages))
        .retry(RACE_RETRIES, SendBatches::worthRetrying)
        .map(decisions -> {
          List<Outcome> outcomes = new ArrayList<>(batch.size());
          for (int i = 0; i < batch.size(); i++) {
            Pending pending = batch.get(i);
            outcomes.add(decisions.get(i).<Outcome>answer(
                stored -> new Accepted(pending, pending.stored(stored)),
                refusal -> new Refused(pending, refusal)));
          }
          return outcomes;
        });
  }

  /**
   * A batch of another instance stored one of this batch's clientIds while this one waited for a chat's lock
   * (unique violation), or locked two of its chats in the other order on a plan that did not sort them (deadlock).
   */
  private static boolean worthRetrying(Throwable failure) {
    return failure instanceof PgException pg
        && ("23505".equals(pg.getSqlState()) || "40P01".equals(pg.getSqlState()));
  }

  /**
   * The database refused the statement for the data it carried (a data exception such as a NUL in text, a constraint,
   * a size limit), which one send can cause for all. A lost connection or an overloaded server is not worth a retry
   * per send: it fails the batch as it is.
   */
  private static boolean refusedForItsData(Throwable failure) {
    if (!(failure instanceof PgException pg) || pg.getSqlState() == null) {
      return false;
    }
    String sqlClass = pg.getSqlState().substring(0, 2);
    return sqlClass.equals("22") || sqlClass.equals("23") || sqlClass.equals("54");
  }
}
