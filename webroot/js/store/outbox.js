// The outbox slice: the user's messages that the server has not acknowledged yet, per chat. A message is shown at
// once, kept in IndexedDB until acknowledged, and sent in the order written with its clientId (so a retry never makes
// a duplicate). A refused message says why (the server's `detail`, and its `reason` code where there is one) and
// offers "retry" only when trying again can succeed.

import { ERROR, REQUEST, RETRYABLE } from '../protocol.js';
import { createTable } from './slice.js';

/** The messaging quota of urgent messages (its `limit` in a `rate_limited` refusal). */
export const URGENT_LIMIT = 'chat.urgent';

/** What went wrong with a send, as the user is shown it: `{code, reason, detail, retryable}`. */
export function describeFailure(error) {
  const body = error?.body || {};
  const code = error?.code || body.code || ERROR.INTERNAL;
  return {
    code,
    reason: body.reason || null,
    detail: body.detail || error?.message || code,
    retryable: RETRYABLE.has(code),
  };
}

/** "failed: <detail> (<reason>)" */
export function failureText(failure) {
  if (!failure) {
    return 'failed';
  }
  return `failed: ${failure.detail}${failure.reason ? ` (${failure.reason})` : ''}`;
}

/**
 * @param deps.bus the bridge client
 * @param deps.store where unacknowledged messages are kept (`js/outbox-db.js`: put, remove, list)
 * @param deps.session who writes
 * @param deps.chats sending counts (it reads the chat up to the message)
 * @param deps.messages where an acknowledged message goes
 * @param deps.connection whether sending can be tried now
 * @param deps.newId makes a clientId
 */
export function createOutbox({ bus, store, session, chats, messages, connection, newId = () => crypto.randomUUID() }) {
  // chatId -> [{clientId, chatId, content, replyTo, fileIds, attachments, createdAt, status, failure}]
  const pending = createTable('outbox');
  let flushing = false;
  let retryTimer = 0;

  const entryOf = (chatId, clientId) => pending.get(chatId)?.find(entry => entry.clientId === clientId);

  function change(chatId, clientId, patch) {
    pending.update(chatId, list => list.map(entry => (entry.clientId === clientId ? { ...entry, ...patch } : entry)));
  }

  function drop(chatId, clientId) {
    pending.update(chatId, list => (list.some(entry => entry.clientId === clientId)
      ? list.filter(entry => entry.clientId !== clientId) : list));
  }

  function add(entry) {
    pending.put(entry.chatId, [...(pending.get(entry.chatId) || []), entry]);
  }

  // The server has it (acknowledged, or heard live first): it is a message now, not a pending one.
  messages.onUpsert((chatId, message) => {
    if (message.clientId) {
      drop(chatId, message.clientId);
    }
  });

  /**
   * Writes a message (or a thread reply), with the uploaded `files` it carries: shown at once, kept in the outbox
   * until the server has it. `priority: 'urgent'` notifies every member until they acknowledge it.
   */
  async function send(chatId, content, replyTo, files = [], { priority } = {}) {
    const entry = {
      clientId: newId(),
      userId: session.me(),
      chatId,
      content,
      replyTo: replyTo || null,
      fileIds: files.map(file => file.id),
      attachments: files.map(({ id, name, type, size, width, height, url, thumbnailUrl }) =>
        ({ id, name, type, size, width, height, url, thumbnailUrl })),
      createdAt: new Date().toISOString(),
    };
    if (priority === 'urgent') {
      entry.priority = 'urgent';
    }
    add({ ...entry, status: 'sending', failure: null });
    try {
      await store.put(entry);
    } catch (error) {
      console.warn('outbox unavailable; the message lives in memory only', error);
    }
    if (connection.isOpen() && !flushing) {
      await flush();
    } else {
      change(chatId, entry.clientId, { status: 'queued' });
    }
  }

  /** What the outbox kept from earlier (a closed tab, a reload), shown as waiting and sent when connected. */
  async function loadStored() {
    const stored = await store.list(session.me()).catch(() => []);
    stored.filter(entry => !entryOf(entry.chatId, entry.clientId))
      .forEach(entry => add({ ...entry, status: 'queued', failure: null }));
    if (connection.isOpen()) {
      await flush();
    }
  }

  /** Sends what waits, in the order it was written; stops at the first message that cannot go now. */
  async function flush() {
    if (flushing || !session.me()) {
      return;
    }
    flushing = true;
    try {
      for (;;) {
        const waiting = [];
        pending.forEach(list => list.forEach(entry => {
          if (entry.status === 'sending' || entry.status === 'queued') {
            waiting.push(entry);
          }
        }));
        waiting.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
        const next = waiting[0];
        if (!next || !connection.isOpen()) {
          return;
        }
        change(next.chatId, next.clientId, { status: 'sending' });
        if (!(await deliver(next))) {
          return;
        }
      }
    } finally {
      flushing = false;
    }
  }

  /** One attempt; true when the outbox may go on with the next message. */
  async function deliver(entry) {
    const body = { chatId: entry.chatId, clientId: entry.clientId, content: entry.content };
    if (entry.replyTo) {
      body.replyTo = entry.replyTo;
    }
    if (entry.fileIds?.length) {
      body.fileIds = entry.fileIds;
    }
    if (entry.priority === 'urgent') {
      body.priority = 'urgent';
    }
    try {
      const message = await bus.request(REQUEST.MESSAGE_SEND, body);
      await store.remove(entry.clientId).catch(() => {});
      messages.upsert(entry.chatId, message, 0);
      drop(entry.chatId, entry.clientId);
      chats.countMessage(entry.chatId, message);
      return true;
    } catch (error) {
      const failure = describeFailure(error);
      if (failure.code === ERROR.DISCONNECTED) {
        change(entry.chatId, entry.clientId, { status: 'queued' }); // goes out again after the reconnect
        return false;
      }
      if (failure.code === ERROR.RATE_LIMITED && entry.priority === 'urgent' && error.body?.limit === URGENT_LIMIT) {
        // Waiting out an hour's quota is not what the writer meant: they are told, and decide.
        const minutes = Math.max(1, Math.ceil((error.body.retryAfter || 60) / 60));
        change(entry.chatId, entry.clientId, { status: 'failed', failure: { ...failure, retryable: false,
          detail: `not sent as urgent: ${failure.detail || 'too many urgent messages'}; try again in ${minutes} min`
            + ' or send it as a normal message' } });
        await store.remove(entry.clientId).catch(() => {});
        return true;
      }
      if (failure.code === ERROR.RATE_LIMITED) {
        change(entry.chatId, entry.clientId, { status: 'queued' });
        const body = error.body || {};
        clearTimeout(retryTimer);
        retryTimer = setTimeout(flush, body.retryAfterMs || (body.retryAfter || 1) * 1000);
        return false;
      }
      // Refused or unanswered: the user sees why, and decides (a retry keeps the clientId: no duplicate either way).
      change(entry.chatId, entry.clientId, { status: 'failed', failure });
      await store.remove(entry.clientId).catch(() => {});
      return true;
    }
  }

  /** Sends a failed message again, when its failure is one that trying again can overcome. */
  async function retry(chatId, clientId) {
    const entry = entryOf(chatId, clientId);
    if (!entry || (entry.failure && !entry.failure.retryable)) {
      return;
    }
    await resend(entry);
  }

  /** Sends a message refused as urgent (the quota was spent) again as a normal one. */
  async function sendAsNormal(chatId, clientId) {
    const entry = entryOf(chatId, clientId);
    if (!entry || entry.priority !== 'urgent') {
      return;
    }
    const { priority, ...normal } = entry;
    pending.update(chatId, list => list.map(item => (item === entry ? normal : item)));
    await resend(normal);
  }

  async function resend(entry) {
    const { chatId, clientId } = entry;
    change(chatId, clientId, { status: 'queued', failure: null });
    const { content, replyTo, fileIds, attachments, createdAt, priority } = entry;
    await store.put({ clientId, userId: session.me(), chatId, content, replyTo, fileIds, attachments, createdAt,
      ...(priority ? { priority } : {}) })
      .catch(() => {});
    await flush();
  }

  function discard(chatId, clientId) {
    drop(chatId, clientId);
    store.remove(clientId).catch(() => {});
  }

  function clear() {
    clearTimeout(retryTimer);
    pending.clear();
  }

  return { pending, send, loadStored, flush, retry, sendAsNormal, discard, clear };
}
