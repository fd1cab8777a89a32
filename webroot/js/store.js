// The browser's one client: the slices of store/ made with the real bridge, REST, IndexedDB and page. Components
// import `client` and subscribe to the slice (or the row of it) they show (components/hooks.js, `useSlice`).

import * as api from './api.js';
import { EventBus } from './eventbus.js';
import * as outboxStore from './outbox-db.js';
import { createObjectUrls } from './object-urls.js';
import { createClient } from './store/client.js';

export const bus = new EventBus('/eventbus', {
  token: api.accessToken,
  refreshToken: async () => (await api.refreshSession()).accessToken,
});

export const client = createClient({ api, bus, outboxStore, storage: localStorage, document, window });

/** Files and thumbnails shown in the page, fetched with the token (js/object-urls.js). */
export const objectUrls = createObjectUrls({ fetchBlob: api.fileBlob });

/** Saves a file under its name: fetched with the token, then handed to the browser as a download. */
export async function downloadFile(url, name) {
  const href = URL.createObjectURL(await api.fileBlob(url));
  const link = Object.assign(document.createElement('a'), { href, download: name || 'file' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
