// The connection slice: the bridge's state as the banner shows it (`connecting`, `registering`, `open`,
// `reconnecting` with the time of the next attempt, `offline`, `closed`).

import { createSlice } from './slice.js';

/** @param deps.bus the bridge client (`js/eventbus.js`) */
export function createConnection({ bus }) {
  const slice = createSlice('connection', { status: bus.state, nextAttemptAt: 0 });
  bus.onState((status, source) => slice.set({ status, nextAttemptAt: source.nextAttemptAt }));

  const isOpen = () => bus.state === 'open';

  /** Resolves when the bridge is (or next is) open and every registration effective again. */
  function whenOpen() {
    if (isOpen()) {
      return Promise.resolve();
    }
    return new Promise(resolve => {
      const stop = bus.onOpen(() => {
        stop();
        resolve();
      });
    });
  }

  return { slice, isOpen, whenOpen, reconnectNow: () => bus.reconnectNow() };
}
