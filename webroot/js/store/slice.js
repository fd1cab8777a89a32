// The two kinds of state a slice holds, and how a reader watches a part of them.
//
// A slice's values are never changed in place: a change puts a new value (a new object for the row or state that
// changed, the very same objects for everything else), so "did what I show change?" is an identity check. Listeners
// of a slice hear of its changes once per microtask, however many changes a burst of events made; listeners of other
// slices hear nothing.

function batched(flush) {
  let scheduled = false;
  return () => {
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        flush();
      });
    }
  };
}

/**
 * One state object, replaced on every change: `set({field: value})` makes a new object when a field's value is not
 * the same as before, `update(state => next)` when the function returns a new one.
 */
export function createSlice(name, initial) {
  let state = initial;
  let version = 0;
  const listeners = new Set();
  const notify = batched(() => listeners.forEach(listener => listener()));
  const slice = {
    name,
    get state() {
      return state;
    },
    /** Goes up by one on every change. */
    get version() {
      return version;
    },
    set(patch) {
      if (Object.keys(patch).some(key => !Object.is(state[key], patch[key]))) {
        slice.update(current => ({ ...current, ...patch }));
      }
    },
    update(change) {
      const next = change(state);
      if (next !== state) {
        state = next;
        version += 1;
        notify();
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return slice;
}

/**
 * Rows by key (a chat's messages by chatId, a user's presence by userId), each replaced on its own change. Listeners
 * hear which keys changed; a listener of one key (`subscribeKey`) hears only of that row. `onRowChange(key, before,
 * after)` (optional) hears every change at once, as it is made: what keeps a sum over the rows up to date without
 * visiting them all.
 */
export function createTable(name, { onRowChange = null } = {}) {
  const rows = new Map();
  let version = 0;
  let changed = new Set();
  const listeners = new Set();
  const keyListeners = new Map();
  const notify = batched(() => {
    const keys = changed;
    changed = new Set();
    listeners.forEach(listener => listener(keys));
    keys.forEach(key => keyListeners.get(key)?.forEach(listener => listener()));
  });
  const touch = key => {
    version += 1;
    changed.add(key);
    notify();
  };
  const table = {
    name,
    /** The table itself: selectors read rows through `get`. */
    get state() {
      return table;
    },
    get version() {
      return version;
    },
    get size() {
      return rows.size;
    },
    get: key => rows.get(key),
    has: key => rows.has(key),
    keys: () => rows.keys(),
    values: () => rows.values(),
    entries: () => rows.entries(),
    forEach: visit => rows.forEach(visit),
    put(key, row) {
      if (rows.get(key) !== row || !rows.has(key)) {
        const before = rows.get(key);
        rows.set(key, row);
        onRowChange?.(key, before, row);
        touch(key);
      }
      return row;
    },
    /** Replaces an existing row with `change(row)`; nothing happens when there is no row or it returns the same. */
    update(key, change) {
      if (!rows.has(key)) {
        return undefined;
      }
      return table.put(key, change(rows.get(key)));
    },
    remove(key) {
      const before = rows.get(key);
      if (rows.delete(key)) {
        onRowChange?.(key, before, undefined);
        touch(key);
      }
    },
    clear() {
      [...rows.keys()].forEach(table.remove);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribeKey(key, listener) {
      let set = keyListeners.get(key);
      if (!set) {
        set = new Set();
        keyListeners.set(key, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && keyListeners.get(key) === set) {
          keyListeners.delete(key);
        }
      };
    },
  };
  return table;
}

/** True when two arrays (or plain objects) hold the same values, compared by identity. */
export function shallowEqual(a, b) {
  if (Object.is(a, b)) {
    return true;
  }
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') {
    return false;
  }
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every(key => Object.is(a[key], b[key]));
}

/**
 * What one reader (a component) shows of a slice: `read(selector)` during render gives the selection and remembers
 * it; `listen(onChange)` calls `onChange` whenever the slice changes so that the selector gives something else than
 * what was last read (by `equals`). Subscribes to that one slice only, or to one row (`{key}`) of a table.
 * `useSlice` (components/hooks.js) is this for components.
 */
export function createSelection(source, { key } = {}) {
  let selector = state => state;
  let equals = Object.is;
  let shown;
  return {
    read(nextSelector = state => state, nextEquals = Object.is) {
      selector = nextSelector;
      equals = nextEquals;
      shown = selector(source.state);
      return shown;
    },
    listen(onChange) {
      const check = () => {
        if (!equals(shown, selector(source.state))) {
          onChange();
        }
      };
      check(); // it may have changed between the read and now
      return key === undefined ? source.subscribe(check) : source.subscribeKey(key, check);
    },
  };
}
