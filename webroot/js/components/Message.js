import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../store.js';
import { messageHtml, renderMarkdown } from '../markdown.js';
import { failureText } from '../store/outbox.js';
import { Icon } from './icons.js';
import { Attachments } from './Files.js';
import { Rich, ViaTag } from './Rich.js';
import { askConfirm } from './Confirm.js';
import { MessageMenu, PinMarker } from './Pins.js';
import { memo, useDisplayName, useIsBot, useMe, useSlice } from './hooks.js';
import { EmojiPicker } from './EmojiPicker.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

export function initials(name) {
  return (name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map(part => part[0]).join('').toUpperCase();
}

/** A stable hue per user for avatars. */
function hue(userId) {
  let n = 0;
  for (const c of userId || '') {
    n = (n * 31 + c.charCodeAt(0)) % 360;
  }
  return n;
}

/**
 * A person's picture (`avatarUrl`: no token needed, so a plain `<img>`), or their initials on their colour when they
 * have none or it cannot be loaded. `size`: 'small' in lists.
 */
export function Avatar({ userId, size }) {
  const name = useDisplayName(userId);
  const avatarUrl = useSlice(client.people.users, users => users.get(userId)?.avatarUrl || null, { key: userId });
  const [broken, setBroken] = useState(null);
  const classes = `avatar${size ? ` ${size}` : ''} hue-${Math.floor(hue(userId) / 30)}`;
  if (avatarUrl && broken !== avatarUrl) {
    return h('img', { class: `${classes} avatar-image`, src: avatarUrl, alt: '', 'aria-hidden': 'true',
      loading: 'lazy', decoding: 'async', onError: () => setBroken(avatarUrl) });
  }
  return h('span', { class: classes, 'aria-hidden': 'true' }, initials(name));
}

function Reactions({ message }) {
  const me = client.session.me();
  const reactions = message.reactions || [];
  if (reactions.length === 0) {
    return null;
  }
  return h('div', { class: 'reactions' },
    reactions.map(r => h('button', {
      class: `reaction${r.userIds.includes(me) ? ' mine' : ''}`,
      'aria-pressed': String(r.userIds.includes(me)),
      'aria-label': `${r.emoji} ${r.count} ${r.count === 1 ? 'reaction' : 'reactions'}`,
      title: r.userIds.map(client.people.displayName).join(', '),
      onClick: () => client.messages.react(message, r.emoji),
    }, h('span', { 'aria-hidden': 'true' }, r.emoji), h('span', { class: 'count' }, String(r.count)))));
}

/** How long "Link copied" shows. */
const COPIED_MS = 1_500;

/** The address of a message: opened, the client shows its chat at it, highlighted (js/desktop.js). */
export function permalink(chatId, messageId) {
  const params = new URLSearchParams({ chat: chatId, message: messageId });
  return `${location.origin}${location.pathname}?${params}`;
}

/** Puts text on the clipboard: the Clipboard API, else (not allowed, an older browser) a selected hidden field. */
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // falls back below
  }
  const field = Object.assign(document.createElement('textarea'), { value: text, readOnly: true });
  field.className = 'visually-hidden';
  document.body.append(field);
  field.select();
  try {
    document.execCommand('copy');
  } finally {
    field.remove();
  }
}

const NO_READERS = new Map();

/**
 * Who has read one's message: re-rendered when the read watermarks change (a read receipt), not when a message
 * arrives; counted only for the marks that show it.
 */
function ReadMark({ message, chatId, isLastOwn }) {
  const kind = useSlice(client.chats.table, chats => chats.get(chatId)?.kind, { key: chatId });
  const members = useSlice(client.messages.views, views => views.get(chatId)?.members || NO_READERS, { key: chatId });
  if (kind !== 'dm' && !isLastOwn) {
    return null;
  }
  const me = client.session.me();
  let readers = 0;
  members.forEach((seq, id) => {
    readers += id !== me && seq >= message.seq ? 1 : 0;
  });
  if (kind === 'dm') {
    const read = readers > 0;
    return h('span', { class: `read-mark${read ? ' read' : ''}`, title: read ? 'Read' : 'Sent',
      'aria-label': read ? 'read' : 'sent' }, read ? '✓✓' : '✓');
  }
  return isLastOwn && readers > 0 ? h('span', { class: 'seen-by' }, `Seen by ${readers}`) : null;
}

const NO_ACKS = [];

/** Under one's own urgent message: who acknowledged it ("Seen by Bob"), as they do. */
function AckLine({ messageId }) {
  const by = useSlice(client.notifications.slice, state => state.acks[messageId] || NO_ACKS);
  useSlice(client.people.users, () => by.map(client.people.displayName).join(', '));
  if (by.length === 0) {
    return h('span', { class: 'ack-line waiting', 'data-acks': '0' }, 'Not acknowledged yet');
  }
  return h('span', { class: 'ack-line', 'data-acks': String(by.length) },
    `Seen by ${by.map(client.people.displayName).join(', ')}`);
}

/** Editing one's message: a refusal is shown under the box, which keeps the text. */
function EditBox({ message, done }) {
  const [draft, setDraft] = useState(message.content);
  const boxRef = useRef(null);
  useEffect(() => boxRef.current?.scrollIntoView?.({ block: 'nearest' }), []);
  const [error, setError] = useState(null);
  const save = async () => {
    const content = draft.trim();
    if (content && content !== message.content) {
      try {
        setError(null);
        await client.messages.edit(message.id, content);
      } catch (failure) {
        setError(failure.message);
        return;
      }
    }
    done();
  };
  return h('div', { class: 'edit-box', ref: boxRef },
    h('textarea', { 'aria-label': 'Edit message', value: draft, onInput: e => setDraft(e.currentTarget.value),
      ref: el => el && !el.dataset.focused && (el.dataset.focused = '1', el.focus()),
      onKeyDown: e => {
        if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); save(); }
        if (e.key === 'Escape') { e.stopPropagation(); done(); }
      } }),
    error && h('p', { class: 'form-error', role: 'alert' }, error),
    h('div', { class: 'edit-actions' },
      h('button', { class: 'secondary', onClick: done }, 'Cancel'),
      h('button', { class: 'primary', onClick: save }, 'Save')));
}

/** A BOT tag beside a bot's name (in messages and in the members panel); nothing for a person. */
export function BotTag({ userId }) {
  return useIsBot(userId) ? h('span', { class: 'bot-tag', title: 'Bot' }, 'BOT') : null;
}

/**
 * One message; `compact` when it continues the previous one's group. Rendered again only when its props change (the
 * message object is replaced only when that message changes) or what it subscribes to does.
 */
export const Message = memo(function MessageRow({ message, chatId, compact, isLastOwn, inThread }) {
  const me = useMe();
  const sender = useDisplayName(message.senderId);
  const editing = useSlice(client.drafts.editing, state => state.messageId === message.id);
  const setEditing = value => client.drafts.edit(value ? message.id : null);
  const [picking, setPicking] = useState(false);
  const reactButton = useRef(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return undefined;
    const timer = setTimeout(() => setCopied(false), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copied]);
  const stopEditing = () => {
    setEditing(false);
    // Back to the composer the edit most likely came from (up-arrow), as Slack does.
    document.querySelector(inThread ? '.thread-panel .composer-input' : '.chat-pane .composer-input')?.focus();
  };
  const quote = () => client.drafts.quote(chatId, inThread ? message.replyTo || message.id : null, message, sender);
  const copyLink = async () => {
    await copyText(permalink(chatId, message.id));
    setCopied(true);
  };
  const own = message.senderId === me.id;
  const created = new Date(message.createdAt);
  const classes = ['message'];
  if (compact) classes.push('compact');
  if (message.deleted) classes.push('deleted');
  if (message.priority === 'urgent') classes.push('urgent');
  if (message.via) classes.push('via-webhook');
  if (message.mentions && (message.mentions.users?.includes(me.id) || message.mentions.channel
    || message.mentions.here) && !own) classes.push('mentions-me');

  const askDelete = () => askConfirm({ title: 'Delete message', text: 'Delete this message? This cannot be undone.',
    confirm: 'Delete', danger: true, run: () => client.messages.remove(message.id) });

  return h('article', {
    class: classes.join(' '), 'data-message-id': message.id, 'data-seq': message.seq,
    'aria-label': `${sender}, ${fullFormat.format(created)}`, tabindex: -1,
  },
  compact ? h('span', { class: 'gutter-time', 'aria-hidden': 'true' }, timeFormat.format(created))
    : h('button', { class: 'avatar-button', tabindex: -1, 'aria-hidden': 'true',
      onClick: () => client.people.showCard(message.senderId) }, h(Avatar, { userId: message.senderId })),
  h('div', { class: 'message-main' },
    !compact && h('header', { class: 'message-header' },
      h('button', { class: 'sender', 'data-user-id': message.senderId, title: `View ${sender}'s profile`,
        onClick: () => client.people.showCard(message.senderId) }, message.via?.username || sender),
      h(BotTag, { userId: message.senderId }),
      h(ViaTag, { via: message.via }),
      h('time', { datetime: message.createdAt, title: fullFormat.format(created) }, timeFormat.format(created)),
      message.priority === 'urgent' && h('span', { class: 'urgent-tag' }, 'Urgent'),
      message.pinned && !message.deleted && h(PinMarker)),
    compact && message.priority === 'urgent' && h('span', { class: 'urgent-tag' }, 'Urgent'),
    compact && message.pinned && !message.deleted && h(PinMarker),
    message.deleted
      ? h('p', { class: 'tombstone' }, 'This message was deleted.')
      : editing
        ? h(EditBox, { message, done: stopEditing })
        : message.content && h('div', { class: 'content', dangerouslySetInnerHTML: { __html: messageHtml(message, me.username) } }),
    !message.deleted && h(Rich, { rich: message.rich, me: me.username }),
    !message.deleted && h(Attachments, { attachments: message.attachments }),
    message.editedAt && !message.deleted && h('span', { class: 'edited', title: fullFormat.format(new Date(message.editedAt)) }, '(edited)'),
    !message.deleted && h(Reactions, { message }),
    !inThread && message.replyCount > 0 && h('button', {
      class: 'thread-summary', onClick: () => client.openThread(message.id),
    }, `${message.replyCount} ${message.replyCount === 1 ? 'reply' : 'replies'}`),
    // An urgent message says who acknowledged it, in place of who read it.
    own && !message.deleted && (message.priority === 'urgent' ? h(AckLine, { messageId: message.id })
      : h(ReadMark, { message, chatId, isLastOwn }))),
  !message.deleted && !editing && h('div', { class: 'message-actions', role: 'toolbar', 'aria-label': 'Message actions' },
    h('button', { ref: reactButton, 'aria-label': 'Add reaction', title: 'Add reaction', 'aria-haspopup': 'dialog',
      'aria-expanded': String(picking), onClick: () => setPicking(!picking) }, h(Icon, { name: 'smile' })),
    !inThread && h('button', { 'aria-label': 'Reply in thread', title: 'Reply in thread',
      onClick: () => client.openThread(message.id) }, h(Icon, { name: 'thread' })),
    message.content && h('button', { 'aria-label': 'Quote', title: 'Quote', 'data-action': 'quote', onClick: quote },
      h(Icon, { name: 'quote' })),
    h('button', { 'aria-label': copied ? 'Link copied' : 'Copy link', title: copied ? 'Copied' : 'Copy link',
      'data-action': 'copy-link', class: copied ? 'copied' : undefined, onClick: copyLink },
    h(Icon, { name: copied ? 'check' : 'link' })),
    copied && h('span', { class: 'copied-tip', role: 'status' }, 'Link copied'),
    own && h('button', { 'aria-label': 'Edit message', title: 'Edit', onClick: () => setEditing(true) }, h(Icon, { name: 'edit' })),
    own && h('button', { 'aria-label': 'Delete message', title: 'Delete', onClick: askDelete },
      h(Icon, { name: 'trash' })),
    h(MessageMenu, { message })),
  picking && h(EmojiPicker, {
    anchor: reactButton.current, label: 'Pick a reaction',
    onPick: emoji => client.messages.react(message, emoji), onClose: () => setPicking(false),
  }));
});

/**
 * Our own message before the server has it: sending, waiting for the connection, or refused. A refused one says why
 * (the server's detail and reason code) and offers "retry" only when trying again can succeed.
 */
export function PendingMessage({ pending }) {
  const me = useMe();
  const failed = pending.status === 'failed';
  const failure = pending.failure;
  const label = failed ? failureText(failure)
    : { sending: 'sending…', queued: 'waiting for connection…' }[pending.status];
  return h('article', { class: `message pending ${pending.status}`, 'data-client-id': pending.clientId,
    'data-status': pending.status },
  h(Avatar, { userId: me.id }),
  h('div', { class: 'message-main' },
    h('header', { class: 'message-header' }, h('span', { class: 'sender' }, me.displayName),
      pending.priority === 'urgent' && h('span', { class: 'urgent-tag' }, 'Urgent')),
    pending.content && h('div', { class: 'content', dangerouslySetInnerHTML: { __html: messageHtml(pending, me.username) } }),
    h(Attachments, { attachments: pending.attachments }),
    h('span', {
      class: 'send-status', role: failed ? 'alert' : undefined,
      'data-code': failure?.code, 'data-reason': failure?.reason || undefined,
    }, label,
    failed && [' — ',
      failure?.retryable !== false && [
        h('button', { class: 'link', onClick: () => client.outbox.retry(pending.chatId, pending.clientId) }, 'retry'),
        ' · '],
      pending.priority === 'urgent' && [
        h('button', { class: 'link', 'data-action': 'send-normal',
          onClick: () => client.outbox.sendAsNormal(pending.chatId, pending.clientId) }, 'send as normal'),
        ' · '],
      h('button', { class: 'link', onClick: () => client.outbox.discard(pending.chatId, pending.clientId) },
        'discard')])));
}

/**
 * A slash command's reply that only this user sees (`command.ephemeral`): shown in the chat (or its thread) as from
 * OComms, labelled "Only visible to you", with a button that dismisses it. Kept in memory only: a reload forgets it.
 */
export function EphemeralMessage({ ephemeral }) {
  const me = useMe();
  const at = new Date(ephemeral.at);
  const dismiss = event => {
    // The focus goes to the message list (or thread) rather than to the page's body with the row gone.
    event.currentTarget.closest('.message-list, .thread-body')?.focus?.();
    client.commands.dismiss(ephemeral.chatId, ephemeral.id);
  };
  return h('article', { class: 'message ephemeral', 'data-ephemeral-id': ephemeral.id,
    'data-command': ephemeral.command || undefined, tabindex: -1,
    'aria-label': `OComms${ephemeral.command ? ` (${ephemeral.command})` : ''}, only visible to you, ${fullFormat.format(at)}` },
  h('span', { class: 'avatar hue-7 ephemeral-avatar', 'aria-hidden': 'true' }, 'O'),
  h('div', { class: 'message-main' },
    h('header', { class: 'message-header' },
      h('span', { class: 'sender' }, 'OComms'),
      ephemeral.command && h('span', { class: 'ephemeral-command' }, ephemeral.command),
      h('time', { datetime: ephemeral.at, title: fullFormat.format(at) }, timeFormat.format(at)),
      h('span', { class: 'ephemeral-tag' }, h(Icon, { name: 'eye', size: 12 }), 'Only visible to you'),
      h('button', { class: 'link ephemeral-dismiss', 'data-action': 'dismiss',
        'aria-label': `Dismiss this message${ephemeral.command ? ` from ${ephemeral.command}` : ''}`,
        onClick: dismiss }, 'Dismiss')),
    ephemeral.text && h('div', { class: 'content',
      dangerouslySetInnerHTML: { __html: renderMarkdown(ephemeral.text, me.username) } }),
    h(Rich, { rich: ephemeral.rich, me: me.username })));
}
