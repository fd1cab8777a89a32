// A person's status (text and emoji until an expiry) and local time: what the profile dialog offers and what the
// sidebar, the members panel and the profile card show. Pure functions of the profile and the clock.

/** "Clear after" choices, in the order the profile dialog lists them. */
export const CLEAR_AFTER = Object.freeze([
  ['30m', '30 minutes'], ['1h', '1 hour'], ['4h', '4 hours'], ['today', 'Today'], ['week', 'This week'],
  ['never', "Don't clear"],
]);

export const STATUS_TEXT_MAX = 100;

/**
 * The expiry (an ISO instant, or null for never) of a "Clear after" choice made at `now` (a Date, local time):
 * today is the coming local midnight, this week the coming Monday at 00:00.
 */
export function expiryOf(choice, now) {
  const minutes = { '30m': 30, '1h': 60, '4h': 240 }[choice];
  if (minutes) {
    return new Date(now.getTime() + minutes * 60_000).toISOString();
  }
  if (choice === 'today' || choice === 'week') {
    const end = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
    if (choice === 'week') {
      const daysToMonday = (8 - end.getDay()) % 7; // end is tomorrow; Monday is day 1
      end.setDate(end.getDate() + daysToMonday);
    }
    return end.toISOString();
  }
  return null;
}

/** The status of a profile that holds at `now` (ms), or null (none, or past its expiry). */
export function activeStatus(user, now) {
  const status = user?.status;
  if (!status || (!status.text && !status.emoji)) {
    return null;
  }
  if (status.expiresAt && Date.parse(status.expiresAt) <= now) {
    return null;
  }
  return status;
}

/** Milliseconds from `now` until the status goes, or null when it does not (or is gone). */
export function msUntilExpiry(user, now) {
  const status = activeStatus(user, now);
  return status?.expiresAt ? Math.max(0, Date.parse(status.expiresAt) - now) : null;
}

/** The browser's IANA time zone, or null. */
export function browserTimeZone(intl = globalThis.Intl) {
  try {
    return intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

/** "14:05" in the user's time zone at `now` (a Date), or null without a (known) zone. */
export function localTime(timeZone, now, locale) {
  if (!timeZone) {
    return null;
  }
  try {
    return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone })
      .format(now);
  } catch {
    return null;
  }
}

/** What a status looks like in words (a tooltip, a screen reader): "📅 In a meeting, until 15:00". */
export function statusLabel(status, locale) {
  if (!status) {
    return '';
  }
  const words = [status.emoji, status.text].filter(Boolean).join(' ');
  if (!status.expiresAt) {
    return words;
  }
  const until = new Date(status.expiresAt);
  const sameDay = until.toDateString() === new Date().toDateString();
  const when = new Intl.DateTimeFormat(locale, sameDay ? { hour: '2-digit', minute: '2-digit' }
    : { weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(until);
  return `${words}, until ${when}`;
}

/** An invite link's code, from a page path (`/invite/<code>`), or null. */
export function inviteCodeOf(pathname) {
  const match = /^\/invite\/([^/?#]+)\/?$/.exec(pathname || '');
  return match ? decodeURIComponent(match[1]) : null;
}

/** The link that opens an invite: `<origin>/invite/<code>`. */
export function inviteLink(origin, code) {
  return `${origin}/invite/${encodeURIComponent(code)}`;
}
