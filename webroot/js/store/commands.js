// The slash commands slice (issue #23): the commands a workspace offers (its custom ones and the built-ins, read
// once per workspace and kept), running a command line (`chat.command`), and the replies only the invoker sees
// (`command.ephemeral` on the user's address), kept in memory per chat until dismissed: never stored, gone after a
// reload, as the server does not store them either.

import { BUILT_IN_COMMANDS, EVENT, REQUEST, SCOPE } from '../protocol.js';
import { createTable } from './slice.js';

/** After a failed read of a workspace's commands, the next "/" asks again only after this long. */
export const RETRY_LIST_MS = 30_000;
/** At most this many ephemeral replies are kept per chat (the oldest go first). */
export const MAX_EPHEMERAL = 20;

/**
 * What the composer sends for a line: `{kind: 'command', text, command}` for a line that starts with a slash and a
 * name ("/shrug ok"), else `{kind: 'message', content}`: a line starting "//" sends one slash fewer ("//etc" posts
 * "/etc"), and a lone "/" or "/ x" is just text.
 */
export function parseLine(text) {
  const line = (text || '').trim();
  if (line.startsWith('//')) {
    return { kind: 'message', content: line.slice(1) };
  }
  if (/^\/[^\s/]/.test(line)) {
    return { kind: 'command', text: line, command: line.split(/\s/, 1)[0].toLowerCase() };
  }
  return { kind: 'message', content: line };
}

/**
 * The command name being typed, when the box's text up to the caret is a slash and the start of a name ("/sh" →
 * "sh", "/" → ""); null otherwise (text before the slash, a space after the name, "//").
 */
export function commandQuery(beforeCaret) {
  const match = /^\/([a-z0-9_-]*)$/i.exec(beforeCaret || '');
  return match ? match[1].toLowerCase() : null;
}

/** The commands whose name starts with `query`, by name: `[{command, description, usageHint, builtIn}]`. */
export function commandCompletions(commands, query, limit = 20) {
  const prefix = `/${(query || '').toLowerCase()}`;
  return commands.filter(entry => entry.command.toLowerCase().startsWith(prefix))
    .sort((a, b) => a.command.localeCompare(b.command))
    .slice(0, limit);
}

const builtIn = entry => ({ command: entry.command, description: entry.description || '',
  usageHint: entry.usageHint || '', builtIn: true });

const custom = entry => ({ ...entry, description: entry.description || '', usageHint: entry.usageHint || '',
  builtIn: false });

/** An ephemeral reply as the client keeps it, from its `command.ephemeral` event. */
export function ephemeralOf(event) {
  return {
    id: event.id,
    chatId: event.chatId,
    threadRootId: event.threadRootId || null,
    command: event.command || null,
    text: event.text || '',
    rich: event.attachments || event.blocks
      ? { attachments: event.attachments || [], blocks: event.blocks || [] } : null,
    at: event.at || new Date().toISOString(),
  };
}

/**
 * @param deps.api REST (`rest.commands`)
 * @param deps.bus the bridge client (`chat.command`)
 * @param deps.router where this slice claims `command.ephemeral` on the user's address
 * @param deps.newId makes a command's clientId
 * @param deps.clock optional: `now`
 */
export function createCommands({ api, bus, router, newId = () => crypto.randomUUID(), clock = globalThis }) {
  const now = () => (clock.now ? clock.now() : Date.now());
  // workspaceId -> {custom: [command], builtIns: [..], loaded, failedAt}
  const lists = createTable('commands.lists');
  const ephemerals = createTable('commands.ephemeral'); // chatId -> [ephemeral], oldest first
  const loading = new Map(); // workspaceId -> the read in flight

  router.own(SCOPE.USER, EVENT.COMMAND_EPHEMERAL, 'commands', event => {
    if (!event?.chatId || !event.id) {
      return;
    }
    const list = ephemerals.get(event.chatId) || [];
    if (list.some(entry => entry.id === event.id)) {
      return;
    }
    ephemerals.put(event.chatId, [...list, ephemeralOf(event)].slice(-MAX_EPHEMERAL));
  });

  /**
   * Reads a workspace's commands once (later calls answer from the cache; `force` reads again). A failed read is
   * tried again on a later call after RETRY_LIST_MS; meanwhile the built-ins are offered.
   */
  function load(workspaceId, { force = false } = {}) {
    if (!workspaceId) {
      return Promise.resolve(null);
    }
    const known = lists.get(workspaceId);
    if (!force && (known?.loaded || (known?.failedAt && now() - known.failedAt < RETRY_LIST_MS))) {
      return Promise.resolve(known);
    }
    if (loading.has(workspaceId)) {
      return loading.get(workspaceId);
    }
    const read = api.rest.commands(workspaceId).then(answer => remember(workspaceId, answer), error => {
      console.warn('commands not loaded', error);
      lists.put(workspaceId, { ...(known || { custom: [], builtIns: [] }), loaded: false, failedAt: now() });
      return lists.get(workspaceId);
    }).finally(() => loading.delete(workspaceId));
    loading.set(workspaceId, read);
    return read;
  }

  /** A workspace's list as `GET /workspaces/{id}/commands` answered it (read here, or by the Integrations page). */
  function remember(workspaceId, answer) {
    return lists.put(workspaceId, {
      custom: (answer.commands || []).map(custom),
      builtIns: (answer.builtIns || []).map(builtIn),
      loaded: true,
      failedAt: 0,
    });
  }

  /** Every command one may type in the workspace: its custom commands and the built-ins (the contract's, until read). */
  function available(workspaceId) {
    const list = lists.get(workspaceId);
    const builtIns = list?.builtIns?.length ? list.builtIns : BUILT_IN_COMMANDS.map(builtIn);
    return [...(list?.custom || []), ...builtIns];
  }

  /** The workspace's custom commands as last read (null before they are). */
  const customOf = workspaceId => (lists.get(workspaceId)?.loaded ? lists.get(workspaceId).custom : null);

  /** A command created on the Integrations page joins the cached list at once. */
  function added(workspaceId, command) {
    lists.update(workspaceId, list => ({ ...list,
      custom: [...list.custom.filter(entry => entry.id !== command.id), custom(command)] }));
  }

  function removed(workspaceId, commandId) {
    lists.update(workspaceId, list => ({ ...list, custom: list.custom.filter(entry => entry.id !== commandId) }));
  }

  /**
   * Runs a command line in a chat (or a thread): resolves with the server's reply (`{command, kind}`) once it took
   * the command, rejects as a send does (a BusError with the code, and the body's reason and detail).
   */
  function run(chatId, text, threadRootId = null) {
    const body = { chatId, text, clientId: newId() };
    if (threadRootId) {
      body.threadRootId = threadRootId;
    }
    return bus.request(REQUEST.COMMAND, body);
  }

  /** The ephemeral replies shown in a chat's list (`rootId` null) or in one thread. */
  function shownIn(list, rootId = null) {
    return (list || []).filter(entry => entry.threadRootId === (rootId || null));
  }

  function dismiss(chatId, id) {
    const list = ephemerals.get(chatId);
    if (!list) {
      return;
    }
    const rest = list.filter(entry => entry.id !== id);
    if (rest.length === 0) {
      ephemerals.remove(chatId);
    } else if (rest.length !== list.length) {
      ephemerals.put(chatId, rest);
    }
  }

  function clear() {
    lists.clear();
    ephemerals.clear();
    loading.clear();
  }

  return { lists, ephemerals, load, remember, available, customOf, added, removed, run, shownIn, dismiss, clear };
}
