package dev.ocomms.shared.bus;

import java.util.List;

/**
 * Every event-bus address, in one place. Three kinds:
 * <ul>
 *   <li>bridge requests: what browsers may SEND through the bridge (the only inbound-permitted addresses);</li>
 *   <li>audience addresses {@code chat.<chatId>} and {@code user.<userId>}: where events are published and browsers
 *       REGISTER; never inbound-permitted;</li>
 *   <li>internal addresses, named {@code <owner>.<action>}: verticle-to-verticle only, never reachable from a browser.</li>
 * </ul>
 */
public final class Addresses {
  private Addresses() {
  }

  // Bridge requests (handled by messaging, presence, search and notes as those arrive).
  public static final String CHAT_MESSAGE_SEND = "chat.message.send";
  public static final String CHAT_MESSAGE_EDIT = "chat.message.edit";
  public static final String CHAT_MESSAGE_DELETE = "chat.message.delete";
  public static final String CHAT_MESSAGE_REACT = "chat.message.react";
  /** Pins or unpins a message to its chat: {messageId, pinned}. */
  public static final String CHAT_MESSAGE_PIN = "chat.message.pin";
  /** A chat's pins, newest first: {chatId}. */
  public static final String CHAT_PINS = "chat.pins";
  /** Saves a message for oneself or removes it from one's saved items: {messageId, saved}. */
  public static final String CHAT_MESSAGE_SAVE = "chat.message.save";
  /** One's saved items, newest first, paged: {cursor?, limit?}. */
  public static final String CHAT_SAVED = "chat.saved";
  public static final String CHAT_READ = "chat.read";
  public static final String CHAT_SYNC = "chat.sync";
  public static final String CHAT_HISTORY = "chat.history";
  public static final String CHAT_TYPING = "chat.typing";
  public static final String PRESENCE_UPDATE = "presence.update";
  public static final String PRESENCE_SUBSCRIBE = "presence.subscribe";
  public static final String PRESENCE_UNSUBSCRIBE = "presence.unsubscribe";
  public static final String SEARCH_QUERY = "search.query";
  public static final String NOTES_GET = "notes.get";
  public static final String NOTES_SAVE = "notes.save";
  public static final String NOTES_EDITING = "notes.editing";
  public static final String NOTES_VERSIONS = "notes.versions";
  /** The chat a device shows now, or none: {chatId | null}; its toasts are suppressed while it is focused. */
  public static final String CHAT_FOCUS = "chat.focus";
  /** Acknowledges an urgent message: {messageId}; the sender and the user's other devices hear notification.acked. */
  public static final String NOTIFICATION_ACK = "notification.ack";
  /**
   * The caller's chats, as {@code GET /api/v1/chats} answers: {} → {chats}. For bridge clients without REST (a bot
   * finds the chats to register on).
   */
  public static final String CHAT_LIST_MINE = "chat.list";
  /** The caller's own profile, as {@code GET /api/v1/users/me} answers: {} → {user} (a bot learns its id). */
  public static final String USERS_ME_BRIDGE = "users.me";

  /**
   * Runs a slash command in a chat of the caller's (served by integrations): {chatId, text ("/name args"), clientId,
   * threadRootId?} → {command, kind: builtin | custom | unknown}. What only the invoker sees comes as
   * {@code command.ephemeral} on {@code user.<id>}.
   */
  public static final String CHAT_COMMAND = "chat.command";

  /** The complete inbound allow-list of the bridge. */
  public static final List<String> BRIDGE_REQUESTS = List.of(
      CHAT_MESSAGE_SEND, CHAT_MESSAGE_EDIT, CHAT_MESSAGE_DELETE, CHAT_MESSAGE_REACT, CHAT_READ, CHAT_SYNC,
      CHAT_HISTORY, CHAT_TYPING, PRESENCE_UPDATE, PRESENCE_SUBSCRIBE, PRESENCE_UNSUBSCRIBE, SEARCH_QUERY,
      NOTES_GET, NOTES_SAVE, NOTES_EDITING, NOTES_VERSIONS, CHAT_FOCUS, NOTIFICATION_ACK, CHAT_LIST_MINE,
      USERS_ME_BRIDGE, CHAT_MESSAGE_PIN, CHAT_PINS, CHAT_MESSAGE_SAVE, CHAT_SAVED, CHAT_COMMAND);

  public static final String CHAT_PREFIX = "chat.";
  public static final String USER_PREFIX = "user.";

  /** Events for everyone in a chat. */
  public static String chat(String chatId) {
    return CHAT_PREFIX + chatId;
  }

  /** Events for all sessions of one user. */
  public static String user(String userId) {
    return USER_PREFIX + userId;
  }

  // Internal: messaging (workspaces, chats, membership).
  public static final String WORKSPACE_CREATE = "messaging.workspace.create";
  public static final String WORKSPACE_LIST = "messaging.workspace.list";
  public static final String WORKSPACE_INVITE_CREATE = "messaging.workspace.invite.create";
  public static final String WORKSPACE_JOIN = "messaging.workspace.join";
  public static final String WORKSPACE_MEMBERS = "messaging.workspace.members";
  public static final String CHANNEL_CREATE = "messaging.channel.create";
  public static final String CHANNEL_LIST = "messaging.channel.list";
  public static final String DM_OPEN = "messaging.dm.open";
  public static final String CHAT_LIST = "messaging.chat.list";
  public static final String CHAT_GET = "messaging.chat.get";
  public static final String CHAT_MEMBERS = "messaging.chat.members";
  public static final String CHAT_JOIN = "messaging.chat.join";
  public static final String CHAT_LEAVE = "messaging.chat.leave";
  public static final String CHAT_MEMBER_ADD = "messaging.chat.member.add";
  public static final String CHAT_MEMBER_REMOVE = "messaging.chat.member.remove";
  public static final String CHAT_UPDATE = "messaging.chat.update";
  /**
   * Which of these users share a workspace with the caller: {userIds} → {userIds}. Presence asks before subscribing,
   * accounts before it shows a profile.
   */
  public static final String USERS_VISIBLE = "messaging.users.visible";
  /**
   * The caller's role in a workspace: {workspaceId} → {role: owner | admin | member}; not_found when they are not in
   * it. Accounts asks before it creates, lists, deletes or rotates the workspace's bots (owners and admins only).
   */
  public static final String WORKSPACE_ROLE = "messaging.workspace.role";
  /**
   * Adds a bot to a workspace, as one of its members: {workspaceId, botUserId} → {}; forbidden unless the caller is
   * an owner or admin there. Asked by accounts when it creates a bot (accounts owns the bot's user).
   */
  public static final String WORKSPACE_BOT_ADD = "messaging.workspace.bot.add";
  /**
   * Takes a deleted bot out of its workspace: {workspaceId, botUserId} → {}; it leaves every channel there (members
   * hear member.left, reason removed) and the workspace's members. Owners and admins only (forbidden otherwise); asked
   * by accounts when it deletes a bot. Its DMs keep it (a DM's members never change).
   */
  public static final String WORKSPACE_BOT_REMOVE = "messaging.workspace.bot.remove";
  /**
   * A webhook's post (internal; asked by the integrations verticle only, never reachable from a client), with the
   * webhook's creator as the caller: {chatId, clientId, content, replyTo?, integration: {via: {webhookId | commandId |
   * outgoingWebhookId, name, username?, iconUrl?}, attachments, blocks}} → the stored message, as chat.message.send
   * answers. A slash command's in-channel reply comes this way too (via {commandId, name}, the invoker as the caller),
   * and an outgoing webhook's answer (via {outgoingWebhookId, name}, its creator as the caller).
   */
  public static final String WEBHOOK_POST = "messaging.webhook.post";
  /** Is the caller a member of {@code chatId}? Asked by the bridge before it lets a socket REGISTER on the chat. */
  public static final String CHAT_ACCESS = "messaging.chat.access";
  /**
   * The chats of a workspace whose messages the caller may read now (member of, or public channels):
   * {workspaceId} → {chats: [{id, kind, name, topic, private, memberCount, member, memberIds (DMs only)}]};
   * not_found outside the workspace. Search asks it for every query.
   */
  public static final String CHAT_READABLE = "messaging.chat.readable";
  /** Published by messaging to all its instances after a chat's members or archived flag changed: {chatId}. */
  public static final String MESSAGING_CHAT_CHANGED = "messaging.chat.changed";
  /**
   * The durable event stream (request): {after: cursor or absent, limit ≤ 1000} → {events, next, hasMore}. For
   * verticles that follow every committed change (search, notifications): see {@code shared/events/EventStream}.
   */
  public static final String EVENTS_READ = "messaging.events.read";
  /** Published by messaging after each commit that added to the event stream: {} (a wake-up, not the events). */
  public static final String EVENTS_APPENDED = "messaging.events.appended";

  // Internal: search.
  /** Drops the search index and rebuilds it from the whole event stream (operators): {} → {}. */
  public static final String SEARCH_REINDEX = "search.reindex";
  /** Published by search after a reindex reset its cursor: {}. Each node's follower of the event stream reloads it. */
  public static final String SEARCH_INDEX_RESET = "search.index.reset";

  // Internal: presence.
  /** From each gateway when a bridge connection authenticates: {userId, connectionId}. */
  public static final String PRESENCE_SESSION_OPENED = "presence.session.opened";
  /** From each gateway when a bridge connection closes: {userId, connectionId}. */
  public static final String PRESENCE_SESSION_CLOSED = "presence.session.closed";
  /** From each gateway every 30 s: {sessions: [{userId, connectionId}]} of its live connections. */
  public static final String PRESENCE_HEARTBEAT = "presence.heartbeat";
  /** Published by messaging after each new message: {chatId, userId}; ends that user's typing in that chat. */
  public static final String PRESENCE_MESSAGE_SENT = "presence.message.sent";

  // Internal: accounts (users, sessions, refresh tokens, profiles). The gateway asks on the browser's behalf.
  /** Opens an account and its first session: {email, username, password, displayName} → {user, accessToken, ...}. */
  public static final String ACCOUNTS_REGISTER = "accounts.auth.register";
  /** A new session: {login, password, clientIp} → {user, accessToken, refreshToken, expiresIn}. */
  public static final String ACCOUNTS_LOGIN = "accounts.auth.login";
  /** Rotates a refresh token: {refreshToken} → {accessToken, refreshToken, expiresIn}. */
  public static final String ACCOUNTS_REFRESH = "accounts.auth.refresh";
  /** Revokes the caller's session (from the headers): {} → {}. */
  public static final String ACCOUNTS_LOGOUT = "accounts.auth.logout";
  /** Whether a session is revoked: {sessionId} → {revoked}. Asked by the gateway when it verifies a token. */
  public static final String SESSION_STATUS = "accounts.session.status";
  /** The caller's own profile, with email: {} → {user}. */
  public static final String USERS_ME = "accounts.users.me";
  /** Changes the caller's display name: {displayName} → {user}. */
  public static final String USERS_ME_UPDATE = "accounts.users.me.update";
  /**
   * One public profile: {userId} → {user}; not_found for an unknown id and for a user who shares no workspace with
   * the caller.
   */
  public static final String USERS_GET = "accounts.users.get";
  /** Public profiles by id: {userIds: [..]} → {users: [{id, username, displayName, createdAt}]}. */
  public static final String USERS_PROFILES = "accounts.users.profiles";
  /** Resolves usernames to users (for mentions): {usernames: [..]} → {users: [{id, username, ...}]}. */
  public static final String USERS_BY_USERNAME = "accounts.users.by-username";
  /**
   * Published cluster-wide by accounts when a session is revoked (logout, refresh-token reuse): {sessionId, userId}.
   * Every gateway stops accepting the session's tokens and closes its bridge sockets.
   */
  public static final String SESSION_REVOKED = "accounts.session.revoked";
  /**
   * The keys access tokens are verified with: {} → {keys: [{kid, publicKey (PEM), notAfter? (ISO instant: no token
   * it signed is valid after it; absent for the current key)}]}. Asked by every gateway, which verifies tokens itself
   * and never reads accounts' tables.
   */
  public static final String TOKEN_KEYS = "accounts.token.keys";
  /** Published cluster-wide by accounts after the access-token keys changed (a rotation): {kid} (the new current). */
  public static final String TOKEN_KEYS_CHANGED = "accounts.token.keys.changed";
  /**
   * Makes a new access-token key the current one now (operators): {} → {kid}; conflict when the keys are configured
   * rather than kept in the database. The previous keys still verify the tokens they signed.
   */
  public static final String TOKEN_KEYS_ROTATE = "accounts.token.keys.rotate";

  // Internal: accounts, bots (docs/protocol.md, "Bots"). Asked by the gateway on the caller's behalf.
  /** Creates a bot in a workspace: {workspaceId, username, displayName, description?} → {bot, token}. */
  public static final String BOTS_CREATE = "accounts.bots.create";
  /** A workspace's bots: {workspaceId} → {bots}. */
  public static final String BOTS_LIST = "accounts.bots.list";
  /** Deletes a bot; its token stops working on every node and its connections close: {botId} → {}. */
  public static final String BOTS_DELETE = "accounts.bots.delete";
  /** Gives a bot a new token; the previous one stops working everywhere: {botId} → {bot, token}. */
  public static final String BOTS_TOKEN_ROTATE = "accounts.bots.token.rotate";
  /**
   * Who a bot token is (internal, asked by the gateway on a cache miss): {tokenHash (base64 of its SHA-256)} →
   * {userId, tokenId, workspaceId}; unauthorized for an unknown, rotated or deleted bot's token. The token id is the
   * bot's "session": a deletion or rotation revokes it on {@link #SESSION_REVOKED}, as a logout does a session.
   */
  public static final String BOTS_TOKEN_VERIFY = "accounts.bots.token.verify";

  /**
   * Sets or clears the caller's avatar (asked by uploads, which stores the image): {avatarUrl (null clears)} →
   * {user, previousAvatarUrl} (the own profile, and the avatar it replaced, for uploads to remove).
   */
  public static final String USERS_AVATAR_SET = "accounts.users.avatar.set";

  // Internal: uploads.
  /**
   * Where an uploads instance serves its internal HTTP port: {} → {host, port}. Each instance consumes it, so a request
   * reaches one of them (the event bus round-robins); the gateway streams file requests there.
   */
  public static final String UPLOADS_ENDPOINT = "uploads.endpoint";
  /**
   * Checks the files a message is to carry and records them as attached: {userId, chatId, messageId, fileIds} →
   * {attachments: [{id, name, type, size, width, height, url, thumbnailUrl}]} in fileIds order; validation_failed
   * (field fileIds) unless each is a file that user uploaded. Messaging asks before it stores such a message.
   */
  public static final String UPLOADS_FILES_CLAIM = "uploads.files.claim";
  /**
   * Runs the orphan sweep now (operators, tests): {now?: ISO instant, as if it were then} → {removedFiles}. Files
   * attached to no message for 24 h are removed; it also runs by itself every few minutes, on one node at a time.
   */
  public static final String UPLOADS_SWEEP = "uploads.sweep";

  // Internal: notes (asked by the gateway for the REST API's revision routes, on the caller's behalf).
  /** The kept versions of a note, newest first: {chatId | workspaceId} → {revisions: [{version, ...}]}. */
  public static final String NOTES_REVISIONS = "notes.revisions";
  /** One kept version and its diff to the current text: {chatId | workspaceId, version} → {revision, diff}. */
  public static final String NOTES_REVISION = "notes.revision";
  /** Brings back a kept version as a new one: {chatId | workspaceId, version} → the note. */
  public static final String NOTES_RESTORE = "notes.restore";
  /**
   * Chat notes saved after a point, oldest first, for search to index (internal, no caller):
   * {afterTime?: ISO instant, afterChatId?, limit ≤ 500} → {notes: [{chatId, content, version, updatedAt}], hasMore}.
   * Saves commit out of their timestamps' order: a reader asks again from a little before where it stood.
   */
  public static final String NOTES_CHAT_CHANGES = "notes.chat.changes";
  /** Published by notes after a chat's note was saved: {chatId, version} (a wake-up; the text is not carried). */
  public static final String NOTES_CHAT_SAVED = "notes.chat.saved";

  // Internal: presence, asked by notifications.
  /** These users' presence: {userIds} (at most 500) → {users: [{userId, status}]} (offline, unknown, ...). */
  public static final String PRESENCE_READ = "presence.read";

  // Internal: notifications (asked by the gateway for the REST API, on the caller's behalf).
  /** The caller's global notification settings, and the chats not at the defaults: {} → {settings, chats}. */
  public static final String NOTIFICATION_SETTINGS_GET = "notifications.settings.get";
  /** Replaces the caller's global notification settings: {desktop?, sound?, dnd?, schedule?} → {settings}. */
  public static final String NOTIFICATION_SETTINGS_SAVE = "notifications.settings.save";
  /** The caller's settings for one chat of theirs: {chatId} → {chatId, level, muted}. */
  public static final String NOTIFICATION_CHAT_SETTINGS_GET = "notifications.chat.settings.get";
  /** Changes the caller's settings for one chat of theirs: {chatId, level?, muted?} → {chatId, level, muted}. */
  public static final String NOTIFICATION_CHAT_SETTINGS_SAVE = "notifications.chat.settings.save";
  /**
   * The urgent messages the caller has not acknowledged yet, newest first (a client shows them again after a reload):
   * {} → {urgent: [{messageId, chatId, senderId, createdAt, title, body}], sent: [{messageId, chatId, createdAt,
   * recipients, acknowledgedBy}]} (sent: the caller's own urgent messages of the last 7 days).
   */
  public static final String NOTIFICATION_URGENT_PENDING = "notifications.urgent.pending";
  /** The VAPID public key browsers subscribe with: {} → {publicKey} (base64url uncompressed P-256 point). */
  public static final String NOTIFICATION_PUSH_KEY = "notifications.push.key";
  /**
   * Registers (or re-registers) one of the caller's browsers for Web Push:
   * {endpoint, keys: {p256dh, auth}, expirationTime?} → {subscription: {id, endpoint, createdAt}}.
   */
  public static final String NOTIFICATION_PUSH_SUBSCRIBE = "notifications.push.subscribe";
  /** Removes one of the caller's push subscriptions: {endpoint} or {id} → {}; not_found unless the caller's. */
  public static final String NOTIFICATION_PUSH_UNSUBSCRIBE = "notifications.push.unsubscribe";
  /** The caller's push subscriptions: {} → {subscriptions: [{id, origin, createdAt, lastSuccessAt}]}. */
  public static final String NOTIFICATION_PUSH_LIST = "notifications.push.list";

  // Internal: integrations (asked by the gateway for the REST API, on the caller's behalf).
  /** Creates a webhook in a chat of the caller's: {chatId, name, iconUrl?} → {webhook, url}. */
  public static final String WEBHOOKS_CREATE = "integrations.webhooks.create";
  /** A chat's webhooks: {chatId} → {webhooks}. */
  public static final String WEBHOOKS_LIST = "integrations.webhooks.list";
  /** Renames a webhook or changes its icon: {webhookId, name?, iconUrl?} → {webhook}. */
  public static final String WEBHOOKS_UPDATE = "integrations.webhooks.update";
  /** Deletes a webhook; its URL answers 404 from now on: {webhookId} → {}. */
  public static final String WEBHOOKS_DELETE = "integrations.webhooks.delete";
  /**
   * A post to {@code /hooks/<secret>} (no caller; the secret is the credential): {secret, payload (Slack's JSON)} →
   * {}; not_found for an unknown or deleted secret, invalid_payload for a malformed one, rate_limited (retryAfter).
   */
  public static final String WEBHOOKS_INCOMING = "integrations.webhooks.incoming";

  // Internal: integrations, slash commands and outgoing webhooks (docs/protocol.md, "Slash commands").
  /** Creates a custom command (owners, admins): {workspaceId, command, url, description?, usageHint?} → {command, signingSecret}. */
  public static final String COMMANDS_CREATE = "integrations.commands.create";
  /** A workspace's commands (members): {workspaceId} → {commands, builtIns}. */
  public static final String COMMANDS_LIST = "integrations.commands.list";
  /** Deletes a custom command (owners, admins): {commandId} → {}. */
  public static final String COMMANDS_DELETE = "integrations.commands.delete";
  /** A command's last 50 calls, newest first (owners, admins): {commandId} → {deliveries}. */
  public static final String COMMANDS_DELIVERIES = "integrations.commands.deliveries";
  /**
   * A post to a command's {@code response_url} (no caller; the token is the credential): {token, payload} → {};
   * not_found (reasons response_url_expired, response_url_used_up) once it may not be used any more.
   */
  public static final String COMMANDS_RESPONSE = "integrations.commands.response";
  /** Creates an outgoing webhook in a channel: {chatId, name, url, triggerWords?} → {outgoingWebhook, signingSecret}. */
  public static final String OUTGOING_WEBHOOKS_CREATE = "integrations.outgoing.create";
  /** A chat's outgoing webhooks: {chatId} → {outgoingWebhooks}. */
  public static final String OUTGOING_WEBHOOKS_LIST = "integrations.outgoing.list";
  /** Deletes an outgoing webhook: {outgoingWebhookId} → {}. */
  public static final String OUTGOING_WEBHOOKS_DELETE = "integrations.outgoing.delete";
  /** An outgoing webhook's last 50 calls, newest first: {outgoingWebhookId} → {deliveries}. */
  public static final String OUTGOING_WEBHOOKS_DELIVERIES = "integrations.outgoing.deliveries";

  // Internal: gateway.
  /** Published cluster-wide to close one bridge socket wherever it is (per-user connection limit). */
  public static final String SOCKET_CLOSE = "gateway.socket.close";
}
