package dev.ocomms.messaging;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.BusService;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.Migrations;
import dev.ocomms.shared.db.PgClients;
import dev.ocomms.shared.limits.RateLimiter;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Workspaces, chats (channels, DMs, membership), messages, history and sync, read state, and the durable event
 * stream (schema {@code messaging}). This class is the wiring: start-up (configuration, clients, migrations, stores)
 * and the address table; each feature's actions are in a class named after it. Requests on a user's behalf name the
 * caller in the gateway's {@link Caller} headers; events go out only after the change they describe has committed,
 * and only when something changed.
 */
public class MessagingVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(MessagingVerticle.class);

  private Pool pg;
  /** Older history pages: the read replica when there is one (see HistoryActions), else the primary. */
  private Pool replica;
  private Redis redis;
  private MessageActions messages;
  private ChatEvents chatEvents;

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    return PgClients.connectedPool(vertx, settings, "messaging")
        .doOnSuccess(pool -> pg = pool)
        .flatMap(pool -> PgClients.connectedReplicaPool(vertx, settings, "messaging", Map.of()))
        .doOnSuccess(pool -> replica = pool)
        .flatMap(pool -> RedisClients.connectedClient(vertx, settings))
        .doOnSuccess(client -> redis = client)
        .ignoreElement()
        .andThen(Completable.defer(() -> Migrations.migrate(vertx, settings.pgUrl().orElseThrow(), "messaging")))
        .andThen(Completable.defer(this::serve));
  }

  @Override
  public Completable rxStop() {
    // Sends begun are stored and acknowledged before the pools they use close.
    return BusService.drain(vertx, Duration.ofSeconds(OcommsConfig.fromJson(config()).shutdownGraceSeconds()))
        .andThen(Completable.defer(() -> {
          if (messages != null) {
            messages.close();
          }
          if (chatEvents != null) {
            chatEvents.close();
          }
          return Completable.mergeArray(pg == null ? Completable.complete() : pg.rxClose(),
              replica == null ? Completable.complete() : replica.rxClose());
        }))
        .doFinally(() -> {
          if (redis != null) {
            redis.close();
          }
        });
  }

  /** Builds the stores and actions, and serves every address. */
  private Completable serve() {
    ChatStore chatStore = new ChatStore(pg);
    MessageStore messageStore = new MessageStore(pg);
    Memberships memberships = new Memberships(messageStore);
    chatEvents = new ChatEvents(vertx);
    UnreadBadges badges = new UnreadBadges(vertx, messageStore);

    RateLimits limits = new RateLimits(RateLimiter.create(vertx, redis));
    WorkspaceActions workspaces = new WorkspaceActions(chatStore, chatEvents, limits);
    ChatActions chats = new ChatActions(chatStore, messageStore, memberships, chatEvents, limits);
    messages = new MessageActions(vertx, messageStore, limits, memberships, badges);
    HistoryActions history = new HistoryActions(messageStore, new MessageStore(replica));
    SyncActions sync = new SyncActions(messageStore);
    ReadStateActions readState = new ReadStateActions(vertx, messageStore, badges);
    EventStreamActions stream = new EventStreamActions(messageStore);

    Map<String, Function<BusRequest, Single<JsonObject>>> actions = new LinkedHashMap<>();
    actions.put(Addresses.WORKSPACE_CREATE, workspaces::createWorkspace);
    actions.put(Addresses.WORKSPACE_LIST, workspaces::listWorkspaces);
    actions.put(Addresses.WORKSPACE_INVITE_CREATE, workspaces::createInvite);
    actions.put(Addresses.WORKSPACE_JOIN, workspaces::joinWorkspace);
    actions.put(Addresses.WORKSPACE_MEMBERS, workspaces::workspaceMembers);
    actions.put(Addresses.USERS_VISIBLE, workspaces::visibleUsers);
    actions.put(Addresses.WORKSPACE_ROLE, workspaces::workspaceRole);
    actions.put(Addresses.WORKSPACE_BOT_ADD, workspaces::addBot);
    actions.put(Addresses.WORKSPACE_BOT_REMOVE, workspaces::removeBot);
    actions.put(Addresses.CHANNEL_CREATE, chats::createChannel);
    actions.put(Addresses.CHANNEL_LIST, chats::listChannels);
    actions.put(Addresses.DM_OPEN, chats::openDm);
    actions.put(Addresses.CHAT_LIST, chats::listChats);
    actions.put(Addresses.CHAT_LIST_MINE, chats::listChats);
    actions.put(Addresses.CHAT_GET, chats::getChat);
    actions.put(Addresses.CHAT_UPDATE, chats::updateChat);
    actions.put(Addresses.CHAT_MEMBERS, chats::chatMembers);
    actions.put(Addresses.CHAT_JOIN, chats::joinChat);
    actions.put(Addresses.CHAT_LEAVE, chats::leaveChat);
    actions.put(Addresses.CHAT_MEMBER_ADD, chats::addMember);
    actions.put(Addresses.CHAT_MEMBER_REMOVE, chats::removeMember);
    actions.put(Addresses.CHAT_ACCESS, chats::chatAccess);
    actions.put(Addresses.CHAT_READABLE, chats::readableChats);
    actions.put(Addresses.CHAT_MESSAGE_SEND, messages::sendMessage);
    actions.put(Addresses.WEBHOOK_POST, messages::postFromWebhook);
    actions.put(Addresses.CHAT_MESSAGE_EDIT, messages::editMessage);
    actions.put(Addresses.CHAT_MESSAGE_DELETE, messages::deleteMessage);
    actions.put(Addresses.CHAT_MESSAGE_REACT, messages::react);
    actions.put(Addresses.CHAT_MESSAGE_PIN, messages::pin);
    actions.put(Addresses.CHAT_PINS, messages::pins);
    actions.put(Addresses.CHAT_MESSAGE_SAVE, messages::save);
    actions.put(Addresses.CHAT_SAVED, messages::saved);
    actions.put(Addresses.CHAT_HISTORY, history::history);
    actions.put(Addresses.CHAT_SYNC, sync::sync);
    actions.put(Addresses.CHAT_READ, readState::markRead);
    Map<String, Function<Input, Single<JsonObject>>> internal = Map.of(Addresses.EVENTS_READ, stream::readEvents);

    // Every instance forgets a chat whose members or flags changed (announced by whichever instance changed them).
    MessageConsumer<JsonObject> changes = vertx.eventBus().consumer(Addresses.MESSAGING_CHAT_CHANGED,
        message -> Ids.parse(message.body().getString("chatId")).ifPresent(memberships::changed));
    // Wait until the cluster knows every consumer, so that requests sent right after deployment find one.
    return BusService.serve(vertx, actions)
        .andThen(BusService.serveInternal(vertx, internal))
        .andThen(changes.rxCompletion())
        .doOnComplete(() -> LOG.info("messaging ready: addresses={}", actions.size() + internal.size()));
  }
}
