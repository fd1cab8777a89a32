// The uploads slice: the files attached in a composer before its message is sent, per composer (a chat, or a thread
// of it). Each file uploads at once (POST /api/v1/files?chatId=, with progress); sending waits for the uploads, then
// hands the message with its files to the outbox. A refused file says why in words (too large, with the limit; a
// type not allowed; the quota; too many uploads) and stays until removed, so nothing is sent without it unnoticed.

import { ERROR, REASON } from '../protocol.js';
import { createTable } from './slice.js';

/** The server takes at most this many files on one message (`fileIds`). */
export const MAX_FILES_PER_MESSAGE = 10;

/** The composer a file belongs to: a chat's, or a thread's within it. */
export const composerKey = (chatId, rootId) => (rootId ? `${chatId}/${rootId}` : chatId);

const UNITS = ['KB', 'MB', 'GB', 'TB'];

/** "812 B", "1.5 KB", "25 MB": binary units, as the server counts its limits. */
export function formatBytes(bytes) {
  if (!Number.isFinite(bytes) || bytes < 1024) {
    return `${Math.max(0, Math.round(bytes || 0))} B`;
  }
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit += 1;
  } while (value >= 1024 && unit < UNITS.length - 1);
  const shown = value >= 10 || Number.isInteger(value) ? Math.round(value) : Math.round(value * 10) / 10;
  return `${shown} ${UNITS[unit]}`;
}

/** Short names for the MIME types people meet, for messages about them. */
function typeName(mime) {
  if (!mime) {
    return 'unknown';
  }
  const known = {
    'text/html': 'HTML', 'image/svg+xml': 'SVG', 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/gif': 'GIF',
    'image/webp': 'WebP', 'application/pdf': 'PDF', 'text/plain': 'plain text',
    'application/zip': 'ZIP', 'application/x-msdownload': 'a Windows program', 'application/octet-stream': 'unknown',
  };
  return known[mime] || mime;
}

/**
 * What went wrong with an upload, as the user is shown it: `{code, reason, text, retryable}`, from the problem
 * document's `code` and `reason` and their fields (an ApiError, or the refusal made here before uploading).
 */
export function describeUploadFailure(error, { name = 'The file', size } = {}) {
  const problem = error?.problem || {};
  const code = error?.code || problem.code || ERROR.INTERNAL;
  const reason = problem.reason || null;
  const failure = (text, retryable = false) => ({ code, reason, text, retryable });
  switch (reason) {
    case REASON.UPLOAD_TOO_LARGE:
      return failure(`Too large: ${size != null ? `${formatBytes(size)}; ` : ''}files can be at most `
        + `${formatBytes(problem.limitBytes)}`);
    case REASON.QUOTA_EXCEEDED:
      return failure(`Your storage is full: ${formatBytes(problem.usedBytes)} of ${formatBytes(problem.quotaBytes)}`
        + ' used. Delete messages with files to make room');
    case REASON.IMAGE_TOO_LARGE:
      return failure(`The image is too large: ${problem.width} × ${problem.height} pixels (at most `
        + `${problem.maxSide} on a side and ${Math.round(problem.maxPixels / 1e6)} megapixels)`);
    case REASON.FILE_TYPE_NOT_ALLOWED:
      return failure(`This type of file (${typeName(problem.detected)}) cannot be shared`);
    case REASON.FILE_TYPE_MISMATCH:
      return failure(`The file is ${typeName(problem.detected)} but its name says ${typeName(problem.claimed)}: `
        + 'not shared');
    case REASON.IMAGE_UNREADABLE:
      return failure('The image cannot be read: it may be damaged');
    default:
      break;
  }
  switch (code) {
    case ERROR.RATE_LIMITED:
      return failure(`Too many uploads: try again in ${problem.retryAfter || 60} s`, true);
    case ERROR.NETWORK:
      return failure('The server cannot be reached', true);
    case ERROR.UNAVAILABLE:
    case ERROR.TIMEOUT:
      return failure('File sharing is unavailable right now', true);
    case ERROR.NOT_FOUND:
      return failure('You cannot share files in this chat');
    case ERROR.PAYLOAD_TOO_LARGE:
      return failure(`${name} is too large`);
    default:
      return failure(problem.detail || error?.message || 'The upload failed', true);
  }
}

/**
 * @param deps.api `uploadFile(chatId, file, onProgress)` → `{done, abort}` and `rest.fileLimits()` (`js/api.js`)
 * @param deps.outbox where a message goes once its files are uploaded
 * @param deps.newId makes an id for a pending file
 */
export function createUploads({ api, outbox, newId = () => crypto.randomUUID() }) {
  // composer key -> {chatId, items: [{id, name, size, type, loaded, status, file, failure}], sending}
  const table = createTable('uploads');
  const running = new Map(); // item id -> {done (settles, never rejects), abort}
  const sources = new Map(); // item id -> the File, to send again on retry
  let limits = null;

  const itemOf = (key, id) => table.get(key)?.items.find(item => item.id === id);

  function change(key, id, patch) {
    table.update(key, row => (row.items.some(item => item.id === id)
      ? { ...row, items: row.items.map(item => (item.id === id ? { ...item, ...patch } : item)) } : row));
  }

  /** The server's limits, asked once; null while unknown (the server checks anyway). */
  async function knownLimits() {
    if (!limits) {
      limits = api.rest.fileLimits().catch(() => null);
    }
    const known = await limits;
    if (!known) {
      limits = null; // ask again next time
    }
    return known;
  }

  /** What the server would refuse at once, said before a byte is sent. */
  function refusedHere(file, known, count) {
    if (count >= MAX_FILES_PER_MESSAGE) {
      return { code: ERROR.VALIDATION_FAILED, reason: null, retryable: false,
        text: `At most ${MAX_FILES_PER_MESSAGE} files go with one message` };
    }
    if (known && file.size > known.maxBytes) {
      return describeUploadFailure({ code: ERROR.PAYLOAD_TOO_LARGE,
        problem: { reason: REASON.UPLOAD_TOO_LARGE, limitBytes: known.maxBytes } }, file);
    }
    if (known && known.quotaBytes != null && known.usedBytes + file.size > known.quotaBytes) {
      return describeUploadFailure({ code: ERROR.PAYLOAD_TOO_LARGE,
        problem: { reason: REASON.QUOTA_EXCEEDED, quotaBytes: known.quotaBytes, usedBytes: known.usedBytes } }, file);
    }
    return null;
  }

  function start(key, chatId, id, file) {
    sources.set(id, file);
    const upload = api.uploadFile(chatId, file, loaded => change(key, id, { loaded: Math.min(loaded, file.size) }));
    const done = upload.done.then(answer => {
      if (limits) {
        limits = limits.then(known => known && { ...known, usedBytes: known.usedBytes + answer.size });
      }
      change(key, id, { status: 'done', loaded: file.size, file: answer });
    }, error => {
      if (error?.code !== 'aborted') {
        change(key, id, { status: 'failed', failure: describeUploadFailure(error, file) });
      }
    }).finally(() => running.delete(id));
    running.set(id, { done, abort: upload.abort });
  }

  /** Attaches files to a composer: each starts uploading at once, unless it is refused before (size, count). */
  async function add(key, chatId, files) {
    const known = await knownLimits();
    [...files].forEach(file => {
      const row = table.get(key) || { chatId, items: [], sending: false };
      const item = {
        id: newId(), name: file.name || 'pasted file', size: file.size, type: file.type || '', loaded: 0,
        status: 'uploading', file: null, failure: refusedHere(file, known, row.items.length),
      };
      if (item.failure) {
        item.status = 'failed';
      }
      table.put(key, { ...row, items: [...row.items, item] });
      if (!item.failure) {
        start(key, chatId, item.id, file);
      }
    });
  }

  /** Removes a file from the composer, stopping its upload. */
  function remove(key, id) {
    running.get(id)?.abort();
    running.delete(id);
    sources.delete(id);
    table.update(key, row => ({ ...row, items: row.items.filter(item => item.id !== id) }));
    if (table.get(key)?.items.length === 0 && !table.get(key).sending) {
      table.remove(key);
    }
  }

  /** Uploads a failed file again, when trying again can succeed. */
  function retry(key, id) {
    const item = itemOf(key, id);
    const file = sources.get(id);
    if (!item || item.status !== 'failed' || !item.failure?.retryable || !file) {
      return;
    }
    change(key, id, { status: 'uploading', loaded: 0, failure: null });
    start(key, table.get(key).chatId, id, file);
  }

  /** Resolves once no file of the composer is uploading (files added or removed meanwhile included). */
  async function settled(key) {
    for (;;) {
      const uploading = (table.get(key)?.items || []).filter(item => item.status === 'uploading');
      if (uploading.length === 0) {
        return;
      }
      await Promise.all(uploading.map(item => running.get(item.id)?.done));
    }
  }

  /**
   * Sends the composer's message once its files are uploaded: to the outbox with their ids (the content may then be
   * empty); resolves when the outbox has it, not when the server acknowledges it. False, with nothing sent, when a
   * file failed (it must be removed or retried first) or there is nothing to send; the composer keeps its text then.
   */
  async function send(key, { chatId, content, rootId, priority }) {
    const row = table.get(key);
    if (!row || row.items.length === 0) {
      if (!content) {
        return false;
      }
      outbox.send(chatId, content, rootId, [], { priority });
      return true;
    }
    if (row.sending) {
      return false;
    }
    table.put(key, { ...row, sending: true });
    await settled(key);
    const now = table.get(key);
    const files = (now?.items || []).filter(item => item.status === 'done').map(item => item.file);
    if (!now || now.items.some(item => item.status === 'failed') || (!content && files.length === 0)) {
      if (now) {
        table.put(key, { ...now, sending: false });
      }
      return false;
    }
    now.items.forEach(item => sources.delete(item.id));
    table.remove(key);
    outbox.send(chatId, content, rootId, files, { priority }); // the outbox shows it at once, and answers for it from here
    return true;
  }

  function clear() {
    running.forEach(upload => upload.abort());
    running.clear();
    sources.clear();
    table.clear();
    limits = null;
  }

  return {
    table, add, remove, retry, send, settled, clear, limits: knownLimits,
    /** The local file behind a pending one (a preview of a picture before it is uploaded), while it is pending. */
    sourceOf: id => sources.get(id) || null,
  };
}
