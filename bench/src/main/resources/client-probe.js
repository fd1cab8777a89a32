// The client bench's observers, put into every page before the web client loads (CDP
// Page.addScriptToEvaluateOnNewDocument). They record what docs/benchmarks.md's `client` scenario measures and do as
// little as they can per event, so that they do not change what they measure: the bench (ClientScenario) reads and
// computes. Times are page milliseconds (performance.now(): since navigation start) unless named `epoch` (Date.now(),
// the clock the bench's senders stamp their sends with).
(() => {
  if (window.__ocommsBench) {
    return;
  }
  const now = () => performance.now();
  const state = {
    longTasks: [], // [start, duration]
    badges: new Map(), // chatId -> the count its sidebar row shows
    badgeLog: [], // [chatId, count, epoch] whenever a row's count changed
    visible: new Map(), // messageId -> [epoch, page ms] when its article first entered the DOM
    reads: [], // {at, chatId, seq, answeredAt, outcome}
    syncs: [], // {at, chats, answeredAt, outcome, error}
    unaddressedErrors: [], // {at, failureCode, message}: err frames that name no request
    switches: [], // {chatId, clickAt, frameAt}
  };
  const pending = new Map(); // replyAddress -> a read or sync entry
  let expectedSwitch = null; // {chatId, messageId}

  // Long tasks
  try {
    new PerformanceObserver(list => list.getEntries()
      .forEach(entry => state.longTasks.push([entry.startTime, entry.duration])))
      .observe({ type: 'longtask', buffered: true });
  } catch (unsupported) {
    state.longTasksUnsupported = String(unsupported);
  }

  // Badges and messages: one observer of the whole document.
  const countOf = row => {
    const badge = row.querySelector('.badge');
    return badge ? parseInt(badge.textContent, 10) || 0 : 0;
  };
  const seen = (article, epoch, at) => {
    const id = article.getAttribute('data-message-id');
    if (!state.visible.has(id)) {
      state.visible.set(id, [epoch, at]);
    }
  };
  const observer = new MutationObserver(records => {
    const epoch = Date.now();
    const at = now();
    const rows = new Set();
    for (const record of records) {
      const target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      const row = target && target.closest ? target.closest('a.chat-link') : null;
      if (row) {
        rows.add(row);
        continue;
      }
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) {
          continue;
        }
        if (node.matches('article.message[data-message-id]')) {
          seen(node, epoch, at);
        } else if (node.firstElementChild) {
          node.querySelectorAll('article.message[data-message-id]').forEach(article => seen(article, epoch, at));
          node.querySelectorAll('a.chat-link').forEach(link => rows.add(link));
        }
      }
    }
    rows.forEach(row => {
      const chatId = row.getAttribute('data-chat-id');
      const count = countOf(row);
      if (state.badges.get(chatId) !== count) {
        state.badges.set(chatId, count);
        state.badgeLog.push([chatId, count, epoch]);
      }
    });
  });
  // The document itself: at this point it may have no element yet.
  observer.observe(document, { childList: true, subtree: true, characterData: true });

  // Bridge frames: SockJS wraps each frame as a JSON string in an array ('["…"]' sent, 'a["…"]' received); a raw
  // WebSocket sends the frame itself.
  const framesOf = data => {
    let outer;
    if (data[0] === 'a') {
      outer = JSON.parse(data.slice(1));
    } else if (data[0] === '[' || data[0] === '{') {
      outer = JSON.parse(data);
    } else {
      return []; // SockJS open, heartbeat, close
    }
    return (Array.isArray(outer) ? outer : [outer]).map(item => (typeof item === 'string' ? JSON.parse(item) : item));
  };
  const NativeWebSocket = window.WebSocket;
  const nativeSend = NativeWebSocket.prototype.send;
  NativeWebSocket.prototype.send = function send(data) {
    if (typeof data === 'string' && (data.includes('chat.read') || data.includes('chat.sync'))) {
      try {
        const at = now();
        framesOf(data).forEach(frame => {
          if (frame.type !== 'send' || !frame.replyAddress) {
            return;
          }
          if (frame.address === 'chat.read') {
            const read = { at, chatId: frame.body?.chatId, seq: frame.body?.seq, answeredAt: null, outcome: null };
            state.reads.push(read);
            pending.set(frame.replyAddress, read);
          } else if (frame.address === 'chat.sync') {
            const sync = { at, chats: Object.keys(frame.body?.chats || {}).length, answeredAt: null, outcome: null };
            state.syncs.push(sync);
            pending.set(frame.replyAddress, sync);
          }
        });
      } catch (notAFrame) {
        // not ours to read
      }
    }
    return nativeSend.call(this, data);
  };
  const received = event => {
    const data = event.data;
    if (typeof data !== 'string' || !((pending.size > 0 && data.includes('reply.')) || data.includes('err'))) {
      return;
    }
    try {
      const at = now();
      framesOf(data).forEach(frame => {
        const request = frame.address ? pending.get(frame.address) : null;
        if (request) {
          pending.delete(frame.address);
          request.answeredAt = at;
          request.outcome = frame.type === 'err' ? 'error' : 'answered';
          if (frame.type === 'err') {
            request.error = `${frame.failureCode} ${frame.message}`;
          }
        } else if (frame.type === 'err' && !frame.address) {
          state.unaddressedErrors.push({ at, failureCode: frame.failureCode, message: frame.message });
        }
      });
    } catch (notAFrame) {
      // not ours to read
    }
  };
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      // Before the page's own handler (set later as onmessage): the time is the frame's arrival.
      this.addEventListener('message', received);
    }
  };

  // Channel switches: from the click's own timeStamp to the first animation frame that finds the target chat's
  // newest message in the message list.
  document.addEventListener('click', event => {
    const link = event.target && event.target.closest ? event.target.closest('a.chat-link') : null;
    if (!link || !expectedSwitch || link.getAttribute('data-chat-id') !== expectedSwitch.chatId) {
      return;
    }
    const entry = { chatId: expectedSwitch.chatId, clickAt: event.timeStamp, frameAt: null };
    const selector = `.message-list article[data-message-id="${expectedSwitch.messageId}"]`;
    expectedSwitch = null;
    state.switches.push(entry);
    const check = () => {
      if (document.querySelector(selector)) {
        entry.frameAt = now();
      } else if (now() - entry.clickAt < 30_000) {
        requestAnimationFrame(check);
      }
    };
    requestAnimationFrame(check);
  }, true);

  const within = (from, to) => at => at >= from && at <= to;

  // What the bench calls (each answer is a JSON string).
  window.__ocommsBench = {
    now,
    timeOrigin: () => performance.timeOrigin,
    /** Counts the sidebar shows now, by chat id. */
    badgeCounts: () => JSON.stringify(Object.fromEntries([...document.querySelectorAll('a.chat-link[data-chat-id]')]
      .map(row => [row.getAttribute('data-chat-id'), countOf(row)]))),
    /** How many of the given chats' rows do not show the given count (a missing row counts as wrong). */
    badgesWrong: expected => {
      let wrong = 0;
      Object.entries(expected).forEach(([chatId, count]) => {
        const row = document.querySelector(`a.chat-link[data-chat-id="${chatId}"]`);
        if (!row || countOf(row) !== count) {
          wrong += 1;
        }
      });
      return wrong;
    },
    /** The badge changes so far, and forgets them. */
    takeBadgeLog: () => JSON.stringify(state.badgeLog.splice(0)),
    longTasks: (from, to) => JSON.stringify(state.longTasks.filter(([start]) => within(from, to)(start))),
    reads: (from, to) => JSON.stringify(state.reads.filter(read => within(from, to)(read.at))),
    syncs: () => JSON.stringify({ syncs: state.syncs, unaddressedErrors: state.unaddressedErrors }),
    /** When each given message first entered the DOM: {id: [epoch, page ms]} (absent: not yet). */
    visible: ids => JSON.stringify(Object.fromEntries(ids.filter(id => state.visible.has(id))
      .map(id => [id, state.visible.get(id)]))),
    expectSwitch: (chatId, messageId) => {
      expectedSwitch = { chatId, messageId };
    },
    switches: () => JSON.stringify(state.switches),
    /** Bytes of the navigation and the resources that had finished by `until` (page ms). */
    bytes: until => {
      const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
        .filter(entry => entry.responseEnd <= until);
      return JSON.stringify({
        entries: entries.length,
        transferBytes: entries.reduce((sum, entry) => sum + (entry.transferSize || 0), 0),
        encodedBodyBytes: entries.reduce((sum, entry) => sum + (entry.encodedBodySize || 0), 0),
        decodedBodyBytes: entries.reduce((sum, entry) => sum + (entry.decodedBodySize || 0), 0),
      });
    },
    longTasksUnsupported: () => state.longTasksUnsupported || null,
  };
})();
