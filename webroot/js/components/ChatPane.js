import { h, Fragment } from 'preact';
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';
import { client } from '../store.js';
import { EphemeralMessage, Message, PendingMessage } from './Message.js';
import { Composer } from './Composer.js';
import { SearchButton } from './Search.js';
import { NotesButton } from './Notes.js';
import { FilesButton } from './Files.js';
import { PinsButton } from './Pins.js';
import { ChatNotificationButton } from './Notifications.js';
import { MembersButton, SystemLine } from './Members.js';
import { Icon } from './icons.js';
import { onMessageListKeyDown } from './list-keys.js';
import { askConfirm } from './Confirm.js';
import { postedAlike } from '../store/integrations.js';
import { useChatTitle, useRow, useSlice } from './hooks.js';

const GROUP_WINDOW_MS = 5 * 60_000;

/**
 * A message's toolbar sits above its top edge; for the message at the top of a scrolled list (where the header would
 * hide it) it goes inside instead. Once per pointer or focus entering a row, not per message rendered.
 */
export function placeToolbar(event) {
  const row = event.target.closest?.('article.message');
  if (!row || !event.currentTarget.contains(row)) return;
  const below = row.getBoundingClientRect().top - event.currentTarget.getBoundingClientRect().top < 16;
  if (below !== (row.dataset.toolbar === 'below')) {
    if (below) row.dataset.toolbar = 'below'; else delete row.dataset.toolbar;
  }
}

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });

function dayLabel(date) {
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return dayFormat.format(date);
}

/**
 * Messages with day separators and groups of consecutive messages by one sender; `before` is the message shown above
 * them. `ephemerals` (slash commands' replies only this user sees, oldest first) go among them by time, those newer
 * than every message last.
 */
export function renderMessages(messages, chatId, inThread, { before = null, lastOwn, dividerBefore = null,
  ephemerals = [] } = {}) {
  const me = client.session.me();
  const ownLast = lastOwn !== undefined ? lastOwn : lastOwnMessage(messages, me, 0);
  const items = [];
  let previous = before;
  let nextEphemeral = 0;
  const ephemeralsBefore = time => {
    while (nextEphemeral < ephemerals.length
      && (time === null || Date.parse(ephemerals[nextEphemeral].at) < Date.parse(time))) {
      const ephemeral = ephemerals[nextEphemeral];
      items.push(h(EphemeralMessage, { key: `ephemeral-${ephemeral.id}`, ephemeral }));
      previous = { id: ephemeral.id, senderId: null, createdAt: ephemeral.at, kind: 'ephemeral' }; // ends a group
      nextEphemeral += 1;
    }
  };
  messages.forEach(message => {
    ephemeralsBefore(message.createdAt);
    const created = new Date(message.createdAt);
    const newDay = !previous || new Date(previous.createdAt).toDateString() !== created.toDateString();
    if (newDay) {
      items.push(h('div', { class: 'day-separator', role: 'separator', key: `day-${message.id}` },
        h('span', null, dayLabel(created))));
    }
    const divided = message.id === dividerBefore;
    if (divided) {
      items.push(h('div', { class: 'unread-divider', role: 'separator', 'aria-label': 'New messages',
        key: 'unread-divider' }, h('span', null, 'New messages')));
    }
    // A join, a leave, a rename...: a stored system message, shown as a line between the messages.
    if (message.kind === 'system') {
      items.push(h(SystemLine, { key: message.id, message }));
      previous = message;
      return;
    }
    const compact = !newDay && !divided && previous && previous.senderId === message.senderId && !previous.deleted
      && previous.kind !== 'system' && postedAlike(previous, message)
      && created - new Date(previous.createdAt) < GROUP_WINDOW_MS;
    items.push(h(Message, { key: message.id, message, chatId, compact, isLastOwn: message === ownLast, inThread }));
    previous = message;
  });
  ephemeralsBefore(null);
  return items;
}

const NO_EPHEMERALS = [];

/**
 * The ephemeral replies to show with rows [start, end) of a chat's (or thread's) messages: those after the row
 * before the window and before the row after it; newer than them all only when the window reaches the present
 * (`present`: not when newer messages are still to be read in).
 */
export function ephemeralsIn(list, messages, start, end, present = true) {
  if (!list || list.length === 0) return NO_EPHEMERALS;
  const after = start > 0 && messages[start - 1] ? Date.parse(messages[start - 1].createdAt) : null;
  const next = end < messages.length ? messages[end]
    : !present && messages.length > 0 ? messages[messages.length - 1] : null;
  const before = next ? Date.parse(next.createdAt) : null;
  return list.filter(entry => {
    const at = Date.parse(entry.at);
    return (after === null || at >= after) && (before === null || at < before);
  });
}

/** The user's newest message that is not deleted, looking back from the end no further than index `from`. */
function lastOwnMessage(messages, me, from) {
  for (let i = messages.length - 1; i >= from; i -= 1) {
    if (messages[i].senderId === me && !messages[i].deleted && messages[i].kind !== 'system') {
      return messages[i];
    }
  }
  return null;
}

/**
 * Where the "New messages" divider goes in the loaded messages: the index of the first message of someone else after
 * the watermark (-1: none loaded), and whether unread messages older than those loaded are still to be read in.
 */
export function firstUnread(messages, afterSeq, me, hasMore) {
  const notLoaded = hasMore && messages.length > 0 && messages[0].seq > afterSeq + 1;
  if (notLoaded) return { index: -1, notLoaded };
  for (let i = indexAtSeq(messages, afterSeq + 1); i < messages.length; i += 1) {
    if (messages[i].senderId !== me) return { index: i, notLoaded };
  }
  return { index: -1, notLoaded };
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** The open chat's star: starred chats have a section at the top of the sidebar. */
function StarButton({ chatId }) {
  const starred = useSlice(client.sidebar.slice, state => state.starred.includes(chatId));
  return h('button', {
    class: `icon-button star-button${starred ? ' starred' : ''}`, 'aria-pressed': String(starred),
    'aria-label': starred ? 'Starred: remove the star' : 'Star this chat',
    title: starred ? 'Remove from Starred' : 'Star: keep it at the top of the sidebar',
    onClick: () => client.sidebar.toggleStar(chatId),
  }, h(Icon, { name: 'star', size: 16, filled: starred }));
}

/** A click on a link to a message of this client (Copy link): the chat opened at it, in place of a new tab. */
export function openPermalink(event) {
  const link = event.target.closest?.('.content a[href]');
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href, location.href);
  const chatId = url.searchParams.get('chat');
  if (url.origin !== location.origin || url.pathname !== location.pathname || !chatId
    || !client.chats.table.has(chatId)) return;
  event.preventDefault();
  client.openMessageById(chatId, url.searchParams.get('message'));
}

/** The index of the first message with a seq at or above `seq` (messages are in seq order). */
function indexAtSeq(messages, seq) {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (messages[middle].seq < seq) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

const NO_PENDING = [];
/** At most this many messages are in the DOM, whatever the history loaded: what a long chat costs to show. */
export const WINDOW_ROWS = 150;
/**
 * While following the newest messages (a chat just opened), this many to begin with, more while they are not half as
 * tall again as the list: every row in the page is painted again with each new message.
 */
const FOLLOW_ROWS = 25;
/** How many more rows come in when the reader nears the top or the bottom of what is rendered. */
const STEP_ROWS = 50;
/** How near (in pixels) to an edge of the rendered rows the reader must be for more to come in. */
const EDGE_PX = 600;

/** How long a message brought into view (a search result) stays highlighted. */
const HIGHLIGHT_MS = 2_000;

/** Scrolls a message row to the middle of its list, highlights it for a moment, and gives it the focus. */
export function bringIntoView(row) {
  row.scrollIntoView({ block: 'center' });
  row.classList.add('highlighted');
  setTimeout(() => row.classList.remove('highlighted'), HIGHLIGHT_MS);
  row.focus({ preventScroll: true });
}

const following = () => ({ follow: true, followRows: FOLLOW_ROWS, fromSeq: 0, toSeq: 0, toNewest: true, anchor: null,
  loadedAbove: null });

/**
 * The rendered part of a chat's messages: the newest FOLLOW_ROWS while the reader follows the chat at its bottom;
 * once they scroll up, a window of rows between two seqs that moves by STEP_ROWS as they near its top or bottom
 * (older pages are fetched when its top is the oldest message loaded, newer ones when its bottom is the newest loaded
 * and the loaded messages do not reach the chat's newest). The reader's place is kept by an anchor: the first message
 * in view and its distance from the top, restored after every render that changed the rows above it.
 *
 * A message to bring into view (`view.focus`, a search result) puts the rows around it in the page and scrolls it to
 * the middle; a new loaded window without one (back to the present) follows the newest again.
 */
function MessageList({ chatId }) {
  const view = useRow(client.messages.views, chatId);
  const unsent = useRow(client.outbox.pending, chatId) || NO_PENDING;
  const ephemeral = useRow(client.commands.ephemerals, chatId);
  const scroller = useRef(null);
  // follow: at the bottom, showing the newest; else the window's first and last seq, and whether it reaches the
  // newest loaded (then newly loaded messages join it). anchor: {seq, offset}. epoch and focus: the loaded window and
  // the message to show that this list has placed itself for; scrollTo: that message, until it is scrolled to.
  const place = useRef(null);
  if (place.current === null) {
    place.current = { ...following(), epoch: view?.epoch, focus: null, scrollTo: null };
  }
  const [, rerender] = useReducer(n => n + 1, 0);
  const [pill, setPill] = useState(false);
  const divider = useSlice(client.reads.divider, state => (state.chatId === chatId ? state : null));
  const [dividerAbove, setDividerAbove] = useState(false); // the divider is scrolled out of view, above

  const messages = view ? view.messages : [];
  const detached = !!view?.hasNewer; // the loaded messages do not reach the chat's newest
  if (view && view.epoch !== place.current.epoch) {
    // A new loaded window: with a message to show, placed below; else the newest (back to the present).
    Object.assign(place.current, following(), { epoch: view.epoch, scrollTo: null, arrived: true });
  }
  if (view?.focus && view.focus !== place.current.focus && messages.length > 0) {
    const at = Math.min(indexAtSeq(messages, view.focus.seq), messages.length - 1);
    const from = Math.max(0, Math.min(at - STEP_ROWS, messages.length - WINDOW_ROWS));
    const to = Math.min(messages.length, from + WINDOW_ROWS);
    Object.assign(place.current, {
      follow: false, fromSeq: messages[from].seq, toSeq: messages[to - 1].seq, toNewest: to === messages.length,
      anchor: null, loadedAbove: null, focus: view.focus, scrollTo: view.focus,
    });
  }
  let start;
  let end;
  if (place.current.follow || messages.length === 0) {
    end = messages.length;
    start = Math.max(0, end - place.current.followRows);
  } else {
    start = indexAtSeq(messages, place.current.fromSeq);
    end = Math.max(start, Math.min(messages.length, indexAtSeq(messages, place.current.toSeq + 1)));
    if (place.current.toNewest && end < messages.length) {
      // The window reached the newest message: new ones join it below what the reader looks at.
      end = messages.length;
      start = Math.max(start, end - WINDOW_ROWS);
      place.current.fromSeq = messages[start].seq;
      place.current.toSeq = messages[end - 1].seq;
    }
  }
  place.current.toNewest = end === messages.length;
  const unread = divider ? firstUnread(messages, divider.afterSeq, client.session.me(), !!view?.hasMore)
    : { index: -1, notLoaded: false };

  /** Whether the divider is in the page but above what the list shows. */
  const checkDivider = el => {
    const line = el.querySelector(':scope > .unread-divider');
    const above = !!line && line.getBoundingClientRect().bottom <= el.getBoundingClientRect().top + 1;
    if (above !== dividerAbove) setDividerAbove(above);
  };

  /** To the first unread message: the divider scrolled to the top, or the page around it read in. */
  const toFirstUnread = () => {
    const el = scroller.current;
    const line = el?.querySelector(':scope > .unread-divider');
    if (line) {
      line.scrollIntoView({ block: 'start' });
      return;
    }
    const target = unread.index >= 0 ? messages[unread.index] : null;
    client.messages.showMessage(chatId, target ? { seq: target.seq, messageId: target.id }
      : { seq: divider.afterSeq + 1 });
  };

  const distanceToBottom = el => el.scrollHeight - el.scrollTop - el.clientHeight;

  /** The first message in view, and how far below the list's top edge it is. */
  const anchorOf = el => {
    const top = el.getBoundingClientRect().top;
    const rows = el.querySelectorAll(':scope > article.message[data-seq]');
    for (const row of rows) {
      const rect = row.getBoundingClientRect();
      if (rect.bottom > top) {
        return { seq: Number(row.dataset.seq), offset: rect.top - top };
      }
    }
    return null;
  };

  const follow = () => {
    Object.assign(place.current, following());
    setPill(false);
    client.reads.setAtBottom(!detached);
    rerender();
  };

  const scrollToBottom = () => {
    follow();
    requestAnimationFrame(() => {
      const el = scroller.current;
      if (el) {
        el.scrollTop = el.scrollHeight;
      }
    });
  };

  /** To the newest messages: reads them in when the loaded ones do not reach them (the list follows once they are). */
  const toPresent = () => {
    if (detached) {
      client.messages.jumpToPresent(chatId);
    } else {
      scrollToBottom();
    }
  };

  /** Shows rows [from, to) of the messages, keeping the reader where they are. */
  const showRows = (from, to) => {
    const el = scroller.current;
    if (messages.length === 0) return;
    place.current.follow = false;
    place.current.fromSeq = messages[from].seq;
    place.current.toSeq = messages[Math.max(from, to - 1)].seq;
    place.current.toNewest = to >= messages.length;
    place.current.anchor = el ? anchorOf(el) : null;
    rerender();
  };

  useEffect(() => {
    setPill(false);
    client.reads.setAtBottom(place.current.follow && !detached);
  }, [chatId]);

  useEffect(() => client.messages.onNewMessage((id, message) => {
    if (id === chatId && message.senderId !== client.session.me() && message.kind !== 'system'
      && !place.current.follow) {
      setPill(true);
    }
  }), [chatId]);

  useEffect(() => {
    const onSent = event => {
      if (event.detail.chatId === chatId && !event.detail.rootId) {
        toPresent();
      }
    };
    window.addEventListener('ocomms:sent', onSent);
    return () => window.removeEventListener('ocomms:sent', onSent);
  }, [chatId, detached]);

  // After each render: the message to show in the middle; at the bottom while following; else the anchor message
  // where it was.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !view) return;
    const remembered = place.current;
    if (remembered.scrollTo) {
      const target = remembered.scrollTo;
      remembered.scrollTo = null;
      const rows = [...el.querySelectorAll(':scope > article.message[data-seq]')];
      const exact = !target.rootId && rows.find(row => row.dataset.messageId === target.messageId);
      const row = exact || rows.find(row => Number(row.dataset.seq) >= target.seq) || rows[rows.length - 1];
      if (row) {
        if (exact) {
          bringIntoView(row);
        } else {
          row.scrollIntoView({ block: 'center' }); // a thread reply: the conversation where it was written
        }
      }
      remembered.anchor = anchorOf(el);
      setPill(false);
      client.reads.setAtBottom(false);
    } else if (remembered.follow) {
      el.scrollTop = el.scrollHeight;
      if (remembered.arrived) {
        remembered.arrived = false; // back at the present: the reads slice hears it even if nothing scrolled
        setPill(false);
        client.reads.setAtBottom(!detached);
      }
      if (start > 0 && el.scrollHeight < 1.5 * el.clientHeight && remembered.followRows < WINDOW_ROWS) {
        remembered.followRows += FOLLOW_ROWS; // a tall list: more rows, so that the reader can scroll at all
        rerender();
        return;
      }
    } else if (remembered.anchor) {
      const row = el.querySelector(`:scope > article.message[data-seq="${remembered.anchor.seq}"]`);
      if (row) {
        el.scrollTop += row.getBoundingClientRect().top - el.getBoundingClientRect().top - remembered.anchor.offset;
      }
    }
    checkDivider(el);
    // A short chat (or a short window of it) cannot scroll: fetch pages until it can (or there are none).
    if (el.scrollHeight <= el.clientHeight && view.loaded && !view.jumping) {
      if (start === 0 && view.hasMore && !view.loading) {
        client.messages.loadOlder(chatId);
      } else if (end === messages.length && view.hasNewer && !view.loadingNewer) {
        client.messages.loadNewer(chatId);
      }
    }
  });

  // Older messages arrived while the window's top was the oldest one loaded: the window grows up into them.
  const oldestSeq = messages[0]?.seq;
  useEffect(() => {
    const remembered = place.current;
    if (!remembered.follow && remembered.loadedAbove !== null && oldestSeq !== undefined
      && oldestSeq < remembered.loadedAbove) {
      remembered.loadedAbove = null;
      const from = Math.max(0, start - STEP_ROWS);
      showRows(from, Math.min(end, from + WINDOW_ROWS));
    }
  }, [oldestSeq]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el || !view) return;
    const remembered = place.current;
    const toBottom = distanceToBottom(el);
    const atBottom = toBottom < 48 && end === messages.length && !detached;
    if (atBottom) {
      if (!remembered.follow) {
        follow();
      }
    } else {
      if (remembered.follow && messages.length > 0) {
        // Scrolled up from the bottom: the rows shown stay (new messages still join them below), nothing moves.
        remembered.follow = false;
        remembered.fromSeq = messages[start].seq;
        remembered.toSeq = messages[Math.max(start, end - 1)].seq;
        remembered.toNewest = end === messages.length;
      }
      remembered.anchor = anchorOf(el);
      if (el.scrollTop < EDGE_PX && start > 0) {
        const from = Math.max(0, start - STEP_ROWS);
        showRows(from, Math.min(end, from + WINDOW_ROWS));
      } else if (el.scrollTop < EDGE_PX && start === 0 && view.hasMore && !view.loading) {
        remembered.loadedAbove = messages[0]?.seq ?? null;
        client.messages.loadOlder(chatId);
      } else if (toBottom < EDGE_PX && end < messages.length) {
        const to = Math.min(messages.length, end + STEP_ROWS);
        showRows(Math.max(0, to - WINDOW_ROWS), to);
      } else if (toBottom < EDGE_PX && detached && !view.loadingNewer) {
        client.messages.loadNewer(chatId); // they join the window below (it reaches the newest loaded)
      }
    }
    client.reads.setAtBottom(atBottom);
    checkDivider(el);
    if (atBottom && pill) {
      setPill(false);
    }
  };

  if (!view) {
    return null; // the chat is going away
  }
  const me = client.session.me();
  const shown = messages.slice(start, end);
  const pending = unsent.filter(p => !p.replyTo);
  const atEnd = end === messages.length;
  const unreadHidden = !!divider && (unread.notLoaded || (unread.index >= 0 && (unread.index < start || dividerAbove)));
  const since = unread.index >= 0 ? timeOfDay.format(new Date(messages[unread.index].createdAt)) : null;
  return h('div', { class: 'message-list-wrap' },
    unreadHidden && h('div', { class: 'unread-bar', role: 'status' },
      h('button', { class: 'unread-jump', 'data-action': 'jump-to-unread', onClick: toFirstUnread,
        'aria-label': `Jump to first unread: ${divider.count} new ${divider.count === 1 ? 'message' : 'messages'}`
          + `${since ? ` since ${since}` : ''}` },
      `${divider.count} new ${divider.count === 1 ? 'message' : 'messages'}`,
      since && h('span', { class: 'unread-since' }, ` since ${since}`),
      h('span', { class: 'unread-jump-label' }, ' · Jump to first unread'), ' ↑'),
      h('button', { class: 'link unread-mark-read', 'data-action': 'mark-read', title: 'Mark as read (Esc)',
        onClick: () => client.reads.markChatRead(chatId) }, 'Mark as read')),
    h('div', {
      class: 'message-list', ref: scroller, onScroll, role: 'log', 'aria-label': 'Messages',
      onMouseOver: placeToolbar, onFocusIn: placeToolbar, onClick: openPermalink,
      onKeyDown: onMessageListKeyDown, // arrows move through the messages (list-keys.js)
      'aria-busy': String(view.loading || view.loadingNewer || view.jumping), tabindex: 0,
      // How many messages are loaded, of which only a window is in the page (for tests and the bench); whether they
      // reach the chat's newest.
      'data-loaded': messages.length,
      'data-present': String(!detached),
    },
    view.loading && h('div', { class: 'loading-older', role: 'status' }, 'Loading earlier messages…'),
    start === 0 && view.loaded && !view.hasMore
      && h('div', { class: 'chat-start' }, 'This is the very beginning of the conversation.'),
    renderMessages(shown, chatId, false, {
      before: start > 0 ? messages[start - 1] : null,
      lastOwn: lastOwnMessage(messages, me, start),
      dividerBefore: unread.index >= 0 ? messages[unread.index].id : null,
      ephemerals: ephemeralsIn(client.commands.shownIn(ephemeral, null), messages, start, end, !detached),
    }),
    atEnd && view.loadingNewer && h('div', { class: 'loading-older', role: 'status' }, 'Loading later messages…'),
    atEnd && !detached && pending.map(p => h(PendingMessage, { key: p.clientId, pending: p }))),
    detached
      ? h('button', { class: 'new-messages-pill jump-to-present', onClick: toPresent, disabled: view.jumping },
        view.jumping ? 'Jumping to the present…' : 'Jump to present ↓')
      : pill && h('button', { class: 'new-messages-pill', onClick: scrollToBottom }, 'New messages ↓'));
}

function TypingLine({ chatId }) {
  useRow(client.typing.table, chatId);
  const text = client.typing.text(chatId);
  return h('div', { class: 'typing', 'aria-live': 'polite' }, text);
}

/** Whether a drag carries files (not text or a link from the page). */
const carriesFiles = event => [...(event.dataTransfer?.types || [])].includes('Files');

/** The open chat: header, messages, typing line and composer; files dropped on it join the composer. */
export function ChatPane({ onShowChats, openDialog }) {
  const activeChatId = useSlice(client.chats.selection, state => state.activeChatId);
  const [more, setMore] = useState(false); // the header's secondary actions, in a menu at phone width
  useEffect(() => setMore(false), [activeChatId]);
  const [dropping, setDropping] = useState(false);
  const depth = useRef(0); // dragenter and dragleave come for every child crossed
  const chat = useRow(client.chats.table, activeChatId);
  const title = useChatTitle(chat);
  const noWorkspace = useSlice(client.session.slice, state => state.workspaces.length === 0);
  // The workspace's default channel (#general) is not offered to leave.
  const isDefault = useSlice(client.session.slice, state => !!activeChatId
    && state.workspaces.some(ws => ws.generalChatId === activeChatId));
  if (!chat) {
    return h('main', { class: 'chat-pane empty', id: 'main' },
      h('button', { class: 'icon-button show-chats floating', 'aria-label': 'Show chats', title: 'Chats',
        onClick: onShowChats }, h(Icon, { name: 'menu' })),
      h('div', { class: 'empty-state' },
        noWorkspace
          ? [h('h2', null, 'Welcome to OComms'), h('p', null, 'Create a workspace or join one with an invite code.'),
            h('button', { class: 'primary', 'data-action': 'add-workspace', onClick: () => openDialog?.('workspace') },
              'Create or join a workspace')]
          : [h('h2', null, 'No chat open'), h('p', null, 'Pick a channel or start a conversation.'),
            h('div', { class: 'empty-actions' },
              h('button', { class: 'primary', 'data-action': 'browse', onClick: () => openDialog?.('browse') },
                'Browse channels'),
              h('button', { class: 'secondary', 'data-action': 'new-dm', onClick: () => openDialog?.('newDm') },
                'New message'))]));
  }
  const label = chat.kind === 'channel' ? `Message #${title}` : `Message ${title}`;
  const drop = {
    onDragEnter: event => {
      if (carriesFiles(event)) {
        depth.current += 1;
        setDropping(true);
      }
    },
    onDragOver: event => {
      if (carriesFiles(event)) {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
      }
    },
    onDragLeave: event => {
      if (carriesFiles(event) && (depth.current = Math.max(0, depth.current - 1)) === 0) {
        setDropping(false);
      }
    },
    onDrop: event => {
      if (carriesFiles(event)) {
        event.preventDefault();
        depth.current = 0;
        setDropping(false);
        client.uploads.add(chat.id, chat.id, [...event.dataTransfer.files]);
      }
    },
  };
  return h('main', { class: `chat-pane${dropping ? ' dropping' : ''}`, id: 'main', 'aria-label': title, ...drop },
    dropping && h('div', { class: 'drop-overlay', 'aria-hidden': 'true' }, h('span', null, `Drop files to share them in ${label.slice(8)}`)),
    h('header', { class: `chat-header${more ? ' more-open' : ''}`,
      onKeyDown: event => more && event.key === 'Escape' && (event.preventDefault(), setMore(false)) },
      h('button', { class: 'icon-button show-chats', 'aria-label': 'Back to chats', title: 'Chats', onClick: onShowChats },
        h(Icon, { name: 'back' })),
      h('h1', null, chat.kind === 'channel' ? h(Fragment, null, h('span', { class: 'hash', 'aria-hidden': 'true' }, chat.private ? '🔒' : '#'), title) : title),
      h(StarButton, { chatId: chat.id }),
      chat.topic && h('p', { class: 'topic' }, chat.topic),
      // In the header's row on a wide screen; behind "More" on a phone.
      h('div', { class: 'header-actions', id: `header-actions-${chat.id}` },
        h(MembersButton, { chat }),
        chat.kind === 'channel' && !isDefault && h('button', {
          class: 'link leave', onClick: () => askConfirm({ title: `Leave #${title}`, confirm: 'Leave', danger: true,
            text: chat.private ? 'You can come back only if a member adds you again.'
              : 'You can join it again from Browse channels.',
            run: () => client.leaveChat(chat.id) }),
        }, 'Leave'),
        h(ChatNotificationButton, { chatId: chat.id }),
        h(NotesButton, { chatId: chat.id }),
        h(FilesButton, { chatId: chat.id }),
        h(PinsButton, { chatId: chat.id })),
      h(SearchButton),
      h('button', { class: 'icon-button header-more', 'aria-label': 'More actions', title: 'More',
        'aria-expanded': String(more), 'aria-controls': `header-actions-${chat.id}`, onClick: () => setMore(!more) },
      h(Icon, { name: 'more' }))),
    h(MessageList, { key: chat.id, chatId: chat.id }),
    h(TypingLine, { chatId: chat.id }),
    h(Composer, { chatId: chat.id, label }));
}
