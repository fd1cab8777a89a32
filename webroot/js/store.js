// The browser's one client: the slices of store/ made with the real bridge, REST, IndexedDB and page. Components
// import `client` and subscribe to the slice (or the row of it) they show (components/hooks.js, `useSlice`).

import * as api from './api.js';
import { EventBus } from './eventbus.js';
import * as outboxStore from './outbox-db.js';
import { createClient } from './store/client.js';

export const bus = new EventBus('/eventbus', {
  token: api.accessToken,
  refreshToken: async () => (await api.refreshSession()).accessToken,
});

export const client = createClient({ api, bus, outboxStore, storage: localStorage, document, window });
