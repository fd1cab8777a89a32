// The page's title and favicon: the number of unread messages (mentions first) and the open chat's name,
// "(3) #general · OComms"; the favicon carries the count as a badge, red when someone mentioned the user.

/** Unread and mention totals over every chat. */
export function totals(chats) {
  let unread = 0;
  let mentions = 0;
  chats.forEach(chat => {
    unread += chat.unreadCount || 0;
    mentions += chat.mentionCount || 0;
  });
  return { unread, mentions };
}

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

/**
 * Keeps the title and favicon up to date; subscribes to the chats (counts, the open one) and to people (a DM's
 * title is its members' names). The favicon is drawn again only when the count changes.
 *
 * @param deps.document whose title is set
 * @param deps.chats counts and the open chat
 * @param deps.people names
 * @param deps.drawFavicon `(count, urgent) => void`
 */
export function createTitle({ document, chats, people, drawFavicon = canvasFavicon(document) }) {
  let lastCount = -1;
  function refresh() {
    const counted = totals(chats.table);
    const active = chats.table.get(chats.activeChatId());
    document.title = titleText(counted, active, chats.title(active));
    const count = counted.mentions || counted.unread;
    if (count !== lastCount) {
      lastCount = count;
      drawFavicon(count, counted.mentions > 0);
    }
  }
  chats.table.subscribe(refresh);
  chats.selection.subscribe(refresh);
  people.users.subscribe(refresh);
  return { refresh };
}
