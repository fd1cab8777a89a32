// Every name the client uses on the bridge, spelled once: the addresses it sends to and registers on, the event
// types it handles, the error codes and reason codes it tells apart. They are docs/protocol.md's names; a name used
// anywhere else in the client comes from here.

/** Request addresses (docs/protocol.md, "Permissions"): the client sends to these and waits for the reply. */
export const REQUEST = Object.freeze({
  MESSAGE_SEND: 'chat.message.send',
  MESSAGE_EDIT: 'chat.message.edit',
  MESSAGE_DELETE: 'chat.message.delete',
  MESSAGE_REACT: 'chat.message.react',
  READ: 'chat.read',
  SYNC: 'chat.sync',
  HISTORY: 'chat.history',
  TYPING: 'chat.typing',
  PRESENCE_UPDATE: 'presence.update',
  PRESENCE_SUBSCRIBE: 'presence.subscribe',
  PRESENCE_UNSUBSCRIBE: 'presence.unsubscribe',
  SEARCH: 'search.query',
  NOTES_EDITING: 'notes.editing',
  NOTES_VERSIONS: 'notes.versions',
  CHAT_FOCUS: 'chat.focus',
  NOTIFICATION_ACK: 'notification.ack',
  MESSAGE_PIN: 'chat.message.pin',
  PINS: 'chat.pins',
  MESSAGE_SAVE: 'chat.message.save',
  SAVED: 'chat.saved',
  COMMAND: 'chat.command',
});

/** The address a chat's events are published on (members may register). */
export const chatAddress = chatId => `chat.${chatId}`;

/** The address a user's own events are published on (only that user may register). */
export const userAddress = userId => `user.${userId}`;

/** Event types (docs/protocol.md, "Events"). */
export const EVENT = Object.freeze({
  MESSAGE_NEW: 'message.new',
  MESSAGE_UPDATED: 'message.updated',
  MESSAGE_DELETED: 'message.deleted',
  MESSAGE_REACTION: 'message.reaction',
  MESSAGE_PINNED: 'message.pinned',
  MESSAGE_UNPINNED: 'message.unpinned',
  MESSAGE_SAVED: 'message.saved',
  READ_RECEIPT: 'read.receipt',
  TYPING_INDICATOR: 'typing.indicator',
  MEMBER_JOINED: 'member.joined',
  MEMBER_LEFT: 'member.left',
  CHAT_UPDATED: 'chat.updated',
  SYNC_REQUIRED: 'sync.required',
  CHAT_ADDED: 'chat.added',
  CHAT_REMOVED: 'chat.removed',
  NOTIFICATION_BADGE: 'notification.badge',
  PRESENCE_CHANGED: 'presence.changed',
  NOTE_UPDATED: 'note.updated',
  NOTE_EDITING: 'note.editing',
  PERSONAL_NOTE_UPDATED: 'note.personal.updated',
  NOTIFICATION_TOAST: 'notification.toast',
  NOTIFICATION_SETTINGS: 'notification.settings',
  NOTIFICATION_ACKED: 'notification.acked',
  USER_UPDATED: 'user.updated',
  COMMAND_EPHEMERAL: 'command.ephemeral',
});

/** Where an event arrives: on `chat.<id>` (a chat's members) or on `user.<id>` (one user's connections). */
export const SCOPE = Object.freeze({ CHAT: 'chat', USER: 'user' });

/** The event types of each scope, as docs/protocol.md lists them. */
export const EVENTS_BY_SCOPE = Object.freeze({
  [SCOPE.CHAT]: Object.freeze([
    EVENT.MESSAGE_NEW, EVENT.MESSAGE_UPDATED, EVENT.MESSAGE_DELETED, EVENT.MESSAGE_REACTION, EVENT.READ_RECEIPT,
    EVENT.TYPING_INDICATOR, EVENT.MEMBER_JOINED, EVENT.MEMBER_LEFT, EVENT.CHAT_UPDATED, EVENT.SYNC_REQUIRED,
    EVENT.NOTE_UPDATED, EVENT.NOTE_EDITING, EVENT.MESSAGE_PINNED, EVENT.MESSAGE_UNPINNED,
  ]),
  [SCOPE.USER]: Object.freeze([
    EVENT.CHAT_ADDED, EVENT.CHAT_REMOVED, EVENT.NOTIFICATION_BADGE, EVENT.PRESENCE_CHANGED, EVENT.SYNC_REQUIRED,
    EVENT.PERSONAL_NOTE_UPDATED, EVENT.NOTIFICATION_TOAST, EVENT.NOTIFICATION_SETTINGS, EVENT.NOTIFICATION_ACKED,
    EVENT.USER_UPDATED,
    EVENT.MESSAGE_SAVED,
    EVENT.COMMAND_EPHEMERAL,
  ]),
});

/** Numbered per chat, replayed by `chat.sync`, delivered in seq order. */
export const SEQUENCED = Object.freeze(new Set([
  EVENT.MESSAGE_NEW, EVENT.MESSAGE_UPDATED, EVENT.MESSAGE_DELETED, EVENT.MESSAGE_REACTION, EVENT.MESSAGE_PINNED,
  EVENT.MESSAGE_UNPINNED,
]));

/**
 * Error codes (docs/protocol.md, "Error codes"), and the client's own: `disconnected` for a lost bridge connection,
 * `network` for a REST request (an upload) that did not reach the server.
 */
export const ERROR = Object.freeze({
  VALIDATION_FAILED: 'validation_failed',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  CONFLICT: 'conflict',
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  RATE_LIMITED: 'rate_limited',
  UNAVAILABLE: 'unavailable',
  TIMEOUT: 'timeout',
  INTERNAL: 'internal',
  DISCONNECTED: 'disconnected',
  NETWORK: 'network',
});

/**
 * The failures worth trying again with the same request: the server asked to wait, was busy or slow, or the
 * connection dropped (the request may not have arrived). Anything else (a validation failure, a refusal, a missing
 * chat) fails the same way every time.
 */
export const RETRYABLE = Object.freeze(new Set([
  ERROR.RATE_LIMITED, ERROR.UNAVAILABLE, ERROR.TIMEOUT, ERROR.DISCONNECTED,
]));

/** Stable reason codes under the error codes, for cases a client tells apart (`reason` beside `code`). */
export const REASON = Object.freeze({
  CONTENT_TOO_LONG: 'content_too_long',
  CHAT_ARCHIVED: 'chat_archived',
  NAME_TAKEN: 'name_taken',
  INVITE_EXPIRED: 'invite_expired',
  INVITE_USED_UP: 'invite_used_up',
  TOO_MANY_FRAMES: 'too_many_frames',
  SEARCH_UNAVAILABLE: 'search_unavailable',
  UPLOAD_TOO_LARGE: 'upload_too_large',
  QUOTA_EXCEEDED: 'quota_exceeded',
  IMAGE_TOO_LARGE: 'image_too_large',
  FILE_TYPE_NOT_ALLOWED: 'file_type_not_allowed',
  FILE_TYPE_MISMATCH: 'file_type_mismatch',
  IMAGE_UNREADABLE: 'image_unreadable',
  TOO_MANY_PINS: 'too_many_pins',
  TOO_MANY_SAVED_ITEMS: 'too_many_saved_items',
});

/**
 * The built-in slash commands (the contract of issue #23), offered before the workspace's list has come (or when it
 * cannot be read); the server's `builtIns` replace them once it has.
 */
export const BUILT_IN_COMMANDS = Object.freeze([
  { command: '/me', description: 'Show your text as an action', usageHint: '<text>' },
  { command: '/shrug', description: 'Append ¯\\_(ツ)_/¯ to your message', usageHint: '[text]' },
  { command: '/topic', description: "Set the channel's topic", usageHint: '<text>' },
  { command: '/invite', description: 'Add someone to this chat', usageHint: '@username' },
  { command: '/leave', description: 'Leave this channel', usageHint: '' },
  { command: '/mute', description: 'Mute or unmute this chat', usageHint: '' },
  { command: '/dnd', description: 'Pause notifications', usageHint: '<30m | 1h | tomorrow | off>' },
  { command: '/help', description: 'List the commands you can use', usageHint: '' },
].map(Object.freeze));

/** Limits the server sets on requests the client makes. */
export const LIMITS = Object.freeze({
  SYNC_CHATS: 500,
  PRESENCE_USERS: 500,
  HISTORY_PAGE: 50,
  THREAD_PAGE: 100,
});
