// The page's title and favicon: the number of unread messages (mentions first) and the open chat's name,
// "(3) #general · OComms"; the favicon carries the count as a badge, red when someone mentioned the user.

/** The title for a count (mentions if any, else unread) and the open chat (or none). */
export function titleText({ unread, mentions }, chat, chatTitle) {
  const total = mentions || unread;
  const where = chat ? `${chat.kind === 'channel' ? '#' : ''}${chatTitle} · ` : '';
  return `${total ? `(${total}) ` : ''}${where}OComms`;
}

/** Draws the favicon with a count badge on a canvas (or the plain icon for none). */
export function canvasFavicon(document) {
  return (count, urgent) => {
    const link = document.getElementById('favicon');
    if (!link) {
      return;
    }
    if (!count) {
      link.href = '/favicon.svg';
      return;
    }
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 32;
    const g = canvas.getContext('2d');
    g.fillStyle = '#4a3aff';
    g.beginPath();
    g.roundRect(0, 0, 32, 32, 7);
    g.fill();
    g.fillStyle = urgent ? '#e5484d' : '#f5a524';
    g.beginPath();
    g.arc(22, 10, 10, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = '#fff';
    g.font = 'bold 13px sans-serif';
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText(count > 9 ? '9+' : String(count), 22, 11);
    link.href = canvas.toDataURL('image/png');
  };
}

/** The title and favicon change at most this often, however fast the counts move. */
export const TITLE_INTERVAL_MS = 1000;

/**
 * Keeps the title and favicon up to date; subscribes to the chats (counts, the open one) and to people (a DM's
 * title is its members' names). They are written only when what they show changes, at most once a second (the
 * first change after a quiet second at once, the last of a burst at the end of its second): setting the title and
 * drawing the favicon cost far more than counting, and nobody reads a tab title ten times a second.
 *
 * @param deps.document whose title is set
 * @param deps.chats counts (kept as they change: `totals()`) and the open chat
 * @param deps.people names
 * @param deps.drawFavicon `(count, urgent) => void`
 * @param deps.clock `now`, `setTimeout`, `clearTimeout`
 */
export function createTitle({ document, chats, people, drawFavicon = canvasFavicon(document), clock = globalThis }) {
  const now = clock.now ? () => clock.now() : () => Date.now();
  let shownText = null;
  let shownIcon = null;
  let writtenAt = -Infinity;
  let timer = 0;

  function wanted() {
    const counted = chats.totals();
    const active = chats.table.get(chats.activeChatId());
    const count = counted.mentions || counted.unread;
    return { text: titleText(counted, active, chats.title(active)), count, urgent: counted.mentions > 0 };
  }

  function write() {
    timer = 0;
    writtenAt = now();
    const { text, count, urgent } = wanted();
    if (text !== shownText) {
      shownText = text;
      document.title = text;
    }
    const icon = `${count}|${urgent}`;
    if (icon !== shownIcon) {
      shownIcon = icon;
      drawFavicon(count, urgent);
    }
  }

  function refresh() {
    if (timer) {
      return; // written at the end of this second anyway
    }
    const { text, count, urgent } = wanted();
    if (text === shownText && `${count}|${urgent}` === shownIcon) {
      return;
    }
    const wait = writtenAt + TITLE_INTERVAL_MS - now();
    if (wait <= 0) {
      write();
    } else {
      timer = clock.setTimeout(write, wait);
    }
  }

  chats.table.subscribe(refresh);
  chats.selection.subscribe(refresh);
  people.users.subscribe(refresh);
  return { refresh };
}
