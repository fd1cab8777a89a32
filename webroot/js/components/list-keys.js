// Moving through a list of messages with the keyboard: with the list or a message focused, Down and Up focus the next
// and previous message, Home and End the first and last shown. Keys typed in a field inside a message (an edit box)
// are left alone.

const ROWS = 'article.message';

/** The message to focus for `key`, from `current` (the list itself when no message has the focus), or null. */
export function nextRow(rows, current, key) {
  if (rows.length === 0) return null;
  const index = rows.indexOf(current);
  if (key === 'Home') return rows[0];
  if (key === 'End') return rows[rows.length - 1];
  if (key === 'ArrowDown') return index === -1 ? rows[rows.length - 1] : rows[Math.min(index + 1, rows.length - 1)];
  if (key === 'ArrowUp') return index === -1 ? rows[rows.length - 1] : rows[Math.max(index - 1, 0)];
  return null;
}

/** A keydown handler for the element holding the messages. */
export function onMessageListKeyDown(event) {
  if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key) || event.altKey || event.ctrlKey || event.metaKey
    || event.shiftKey) return;
  const list = event.currentTarget;
  const target = event.target;
  if (target !== list && !(target.matches?.(ROWS) && list.contains(target))) return; // a button, a field: its own keys
  const next = nextRow([...list.querySelectorAll(ROWS)], target, event.key);
  if (next) {
    event.preventDefault();
    next.focus();
    next.scrollIntoView({ block: 'nearest' });
  }
}
