// Files shown in the page through object URLs: `<img src>` cannot carry the bearer token that files need, so a file
// (or its thumbnail) is fetched with it once, kept as a blob URL while something shows it, and revoked a while after
// the last one stops (scrolling back finds it still there; a long session does not keep every image ever seen).

/** How long an object URL nobody shows is kept before it is revoked. */
export const KEEP_UNUSED_MS = 60_000;

/**
 * @param deps.fetchBlob path → Promise<Blob> (with the token)
 * @param deps.urls `createObjectURL` and `revokeObjectURL` (the page's `URL`)
 * @param deps.clock `setTimeout` and `clearTimeout`
 */
export function createObjectUrls({ fetchBlob, urls = URL, clock = globalThis }) {
  const entries = new Map(); // path -> {users, url (a promise), timer}

  /** The object URL of a file path (fetched once), held until `release(path)`. */
  function acquire(path) {
    let entry = entries.get(path);
    if (!entry) {
      entry = { users: 0, timer: 0, url: null };
      entry.url = fetchBlob(path).then(blob => urls.createObjectURL(blob));
      entry.url.catch(() => {
        if (entries.get(path) === entry) {
          entries.delete(path); // shown again later, it is asked again
        }
      });
      entries.set(path, entry);
    }
    entry.users += 1;
    clock.clearTimeout(entry.timer);
    return entry.url;
  }

  /** One shower of the path is done with it; the URL is revoked when nobody took it again meanwhile. */
  function release(path) {
    const entry = entries.get(path);
    if (!entry) {
      return;
    }
    entry.users = Math.max(0, entry.users - 1);
    if (entry.users === 0) {
      entry.timer = clock.setTimeout(() => {
        if (entries.get(path) === entry && entry.users === 0) {
          entries.delete(path);
          entry.url.then(url => urls.revokeObjectURL(url), () => {});
        }
      }, KEEP_UNUSED_MS);
    }
  }

  /** How many paths have an object URL now. */
  const size = () => entries.size;

  return { acquire, release, size };
}
