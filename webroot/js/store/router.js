// Hands each bridge event to the one slice that owns its type. Events come on two kinds of address (SCOPE): a chat's
// (`chat.<id>`, the handler gets the chatId) and the user's own (`user.<id>`); `sync.required` exists on both with
// different meanings, so ownership is per scope and type. A type nobody owns is ignored, as docs/protocol.md asks of
// clients; a type claimed twice is a bug, and fails at start-up rather than being handled twice.

import { EVENTS_BY_SCOPE } from '../protocol.js';

export function createRouter() {
  const owners = new Map(); // `${scope} ${type}` -> {owner, handle}
  const keyOf = (scope, type) => `${scope} ${type}`;

  return {
    /** `owner` (a slice's name) handles events of `type` arriving in `scope`: `handle(event, chatId)`. */
    own(scope, type, owner, handle) {
      if (!EVENTS_BY_SCOPE[scope]?.includes(type)) {
        throw new Error(`${owner} claims ${type} on ${scope} addresses, which docs/protocol.md does not name`);
      }
      const key = keyOf(scope, type);
      if (owners.has(key)) {
        throw new Error(`${type} on ${scope} addresses is owned by ${owners.get(key).owner}, not also by ${owner}`);
      }
      owners.set(key, { owner, handle });
    },

    /** Delivers one event; false when no slice owns its type (it is ignored). */
    route(scope, event, chatId) {
      const entry = event && owners.get(keyOf(scope, event.type));
      if (!entry) {
        return false;
      }
      entry.handle(event, chatId);
      return true;
    },

    /** The slice that owns a type, or undefined. */
    ownerOf(scope, type) {
      return owners.get(keyOf(scope, type))?.owner;
    },
  };
}
