// The outbox's storage (the outbox slice, store/outbox.js, sends): messages written but not yet acknowledged, kept in
// IndexedDB so that neither a lost connection nor a closed tab loses them. Sent again in the order they were written,
// with their original clientId (the server keeps one message per clientId, so a retry never duplicates).

const DB_NAME = 'ocomms';
const STORE = 'outbox';
let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { keyPath: 'clientId' });
        store.createIndex('byOrder', 'order');
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

async function run(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result?.result ?? result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** Adds an entry `{clientId, userId, chatId, content, replyTo, createdAt}`; its order is the time it was written. */
export function put(entry) {
  return run('readwrite', store => store.put({ order: Date.now() + Math.random() / 1000, ...entry }));
}

export function remove(clientId) {
  return run('readwrite', store => store.delete(clientId));
}

/** Every entry of one user, oldest first. */
export async function list(userId) {
  const all = await run('readonly', store => store.index('byOrder').getAll());
  return all.filter(entry => entry.userId === userId);
}
