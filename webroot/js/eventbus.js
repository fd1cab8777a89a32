// Our event-bus client: the Vert.x bridge wire protocol over SockJS (docs/protocol.md, "The event-bus bridge"),
// plus what the stock client lacks: reconnect with exponential backoff and jitter, registrations that survive a
// reconnect, the OComms register acknowledgement, the token on every frame, and a connection state for the UI.

import { ERROR, REASON, RETRYABLE } from './protocol.js';

/** Seconds to wait before reconnect attempt n (then 30 s for every later one); each is jittered. */
export const BACKOFF_SECONDS = [1, 2, 4, 8, 16, 30];
const PING_INTERVAL_MS = 25_000;
const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * Registrations waiting for their answer at once. The server handles a connection's frames one at a time and holds
 * at most 200 waiting (docs/protocol.md, "Limits"): a user in hundreds of chats registers them a few at a time, and
 * the requests made meanwhile (the open chat's history, chat.sync) wait behind a few frames, not hundreds.
 */
export const REGISTERS_IN_FLIGHT = 16;
/** How often a frame the server refused as one too many (`too_many_frames`) is sent again before failing. */
export const FRAME_RETRIES = 5;

/** Whether the server refused a frame only because too many of this connection's frames were waiting. */
export const isFrameRefusal = error => error?.code === ERROR.RATE_LIMITED && error.reason === REASON.TOO_MANY_FRAMES;

/** The wait before sending a refused frame again: the server's hint, doubled per attempt, jittered. */
export function frameRetryDelayMs(error, attempt, random = Math.random) {
  const base = Math.max(50, Number(error?.body?.retryAfterMs) || 200) * 2 ** attempt;
  return Math.round(base / 2 + random() * base / 2);
}

const wait = ms => new Promise(resolve => setTimeout(resolve, ms));

/**
 * A failed request or registration: `code` is the wire error code (`timeout`, `forbidden`, `disconnected`, …),
 * `reason` the stable reason code under it where the server gives one (`content_too_long`, `chat_archived`, …).
 */
export class BusError extends Error {
  constructor(code, failureCode, detail, body) {
    super(detail || code);
    this.code = code;
    this.failureCode = failureCode;
    this.body = body || {};
  }

  get reason() {
    return this.body.reason || null;
  }

  /** Worth trying again later with the same request (the server may not have seen it, or asks to wait). */
  get retryable() {
    return RETRYABLE.has(this.code);
  }
}

/** A random delay in [base/2, base] seconds, so that a restarted server is not hit by every client at once. */
export function backoffDelayMs(attempt, random = Math.random) {
  const base = BACKOFF_SECONDS[Math.min(attempt, BACKOFF_SECONDS.length - 1)] * 1000;
  return Math.round(base / 2 + random() * base / 2);
}

let counter = 0;
function replyAddress() {
  counter += 1;
  return `reply.${Date.now().toString(36)}.${counter}.${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * One logical connection to `/eventbus` that reconnects by itself.
 *
 * states: `connecting` (first attempt), `open`, `reconnecting` (waiting for the next attempt; `nextAttemptAt`),
 * `offline` (the browser says it has no network: waits for it), `closed` (stopped).
 */
export class EventBus {
  /**
   * @param url e.g. '/eventbus'
   * @param options.token () => the current access token
   * @param options.refreshToken () => Promise of a fresh access token (called on err 401)
   * @param options.socketFactory url => a SockJS-like socket (tests and other transports)
   */
  constructor(url, { token, refreshToken, socketFactory } = {}) {
    this.url = url;
    this.token = token || (() => null);
    this.refreshToken = refreshToken || (() => Promise.reject(new BusError(ERROR.UNAUTHORIZED, 401)));
    this.socketFactory = socketFactory || (target => new window.SockJS(target, null, {
      transports: ['websocket', 'xhr-streaming', 'xhr-polling'],
    }));
    this.state = 'closed';
    this.nextAttemptAt = 0;
    this.attempt = 0;
    this.socket = null;
    this.pending = new Map(); // replyAddress -> {resolve, reject, timer}
    this.registerReplies = new Map(); // address -> the replyAddress of its register in flight (refusals name the address)
    this.registerQueue = []; // {address, resolve, reject, attempt, connection}: registrations not sent yet
    this.registersInFlight = 0;
    this.connection = 0; // goes up with every socket: a retry never crosses to another connection
    this.handlers = new Map(); // address -> Set of handlers
    this.stateListeners = new Set();
    this.openListeners = new Set();
    this.errorListeners = new Set();
    this.pingTimer = 0;
    this.retryTimer = 0;
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => this.dropConnection('offline');
  }

  start() {
    if (this.state !== 'closed') {
      return;
    }
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.connect('connecting');
  }

  /** Stops for good: pending requests fail, nothing reconnects. */
  close() {
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    clearTimeout(this.retryTimer);
    this.setState('closed');
    this.teardownSocket();
    this.failPending(new BusError(ERROR.DISCONNECTED, 0, 'closed'));
  }

  onState(listener) {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** After every (re)connection, once every registration is effective again: the time to sync. */
  onOpen(listener) {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }

  /** `err` frames that belong to no request (for example "session revoked"). */
  onError(listener) {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  setState(state) {
    if (this.state !== state) {
      this.state = state;
      this.stateListeners.forEach(listener => listener(state, this));
    }
  }

  // Requests

  /**
   * A request with a reply: resolves with the reply's body, rejects with a BusError. Retries once after a 401, and
   * with backoff when the server refused the frame unread (too many frames waiting: it never reached a service).
   */
  async request(address, body, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.requestOnce(address, body, timeout);
      } catch (error) {
        if (error instanceof BusError && error.failureCode === 401) {
          await this.refreshToken();
          return this.requestOnce(address, body, timeout);
        }
        if (!isFrameRefusal(error) || attempt >= FRAME_RETRIES) {
          throw error;
        }
        await wait(frameRetryDelayMs(error, attempt));
      }
    }
  }

  requestOnce(address, body, timeout) {
    if (this.state !== 'open') {
      return Promise.reject(new BusError(ERROR.DISCONNECTED, 0, 'not connected'));
    }
    return this.exchange({ type: 'send', address, body }, timeout);
  }

  /** Sends a frame with a reply address; its answer (or an `err` on that address) settles the promise. */
  exchange(frame, timeout, reply = replyAddress()) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(reply);
        reject(new BusError(ERROR.TIMEOUT, 504, `no reply from ${frame.address} in ${timeout} ms`));
      }, timeout);
      this.pending.set(reply, { resolve, reject, timer });
      if (!this.write({ ...frame, replyAddress: reply })) {
        clearTimeout(timer);
        this.pending.delete(reply);
        reject(new BusError(ERROR.DISCONNECTED, 0, 'not connected'));
      }
    });
  }

  // Registrations

  /**
   * Receives the events published on `address` for as long as the returned function is not called, across
   * reconnects. The returned promise-like `ready` resolves once the bridge acknowledged the registration.
   */
  subscribe(address, handler) {
    let set = this.handlers.get(address);
    const first = !set;
    if (first) {
      set = new Set();
      this.handlers.set(address, set);
    }
    set.add(handler);
    const live = this.state === 'open' || this.state === 'registering';
    const ready = first && live ? this.register(address) : Promise.resolve();
    ready.catch(() => {}); // a refusal is for whoever waits on `ready`; nobody has to
    const unsubscribe = () => {
      const current = this.handlers.get(address);
      if (!current || !current.delete(handler) || current.size > 0) {
        return;
      }
      this.handlers.delete(address);
      if (this.state === 'open') {
        this.write({ type: 'unregister', address });
      }
    };
    unsubscribe.ready = ready;
    return unsubscribe;
  }

  /** Registers `address` on this connection, REGISTERS_IN_FLIGHT at a time, in the order asked. */
  register(address) {
    return new Promise((resolve, reject) => {
      this.registerQueue.push({ address, resolve, reject, attempt: 0, connection: this.connection });
      this.sendRegisters();
    }).catch(error => {
      if (error.failureCode === 401) {
        return this.refreshToken().then(() => this.register(address));
      }
      if (error.code === ERROR.FORBIDDEN || error.code === ERROR.NOT_FOUND) {
        this.handlers.delete(address); // not (or no longer) ours to hear
      }
      throw error;
    });
  }

  sendRegisters() {
    while (this.registersInFlight < REGISTERS_IN_FLIGHT && this.registerQueue.length > 0) {
      const item = this.registerQueue.shift();
      if (item.connection !== this.connection) {
        item.reject(new BusError(ERROR.DISCONNECTED, 0, 'connection lost'));
        continue;
      }
      if (!this.handlers.has(item.address)) {
        item.resolve(); // nobody listens any more
        continue;
      }
      this.registersInFlight += 1;
      const reply = replyAddress();
      this.registerReplies.set(item.address, reply);
      this.exchange({ type: 'register', address: item.address }, DEFAULT_TIMEOUT_MS, reply).then(item.resolve, error => {
        if (isFrameRefusal(error) && item.attempt < FRAME_RETRIES && item.connection === this.connection) {
          setTimeout(() => {
            this.registerQueue.unshift(item);
            this.sendRegisters();
          }, frameRetryDelayMs(error, item.attempt));
          item.attempt += 1;
        } else {
          item.reject(error);
        }
      }).finally(() => {
        this.registerReplies.delete(item.address);
        this.registersInFlight -= 1;
        this.sendRegisters();
      });
    }
  }

  // The connection

  connect(state) {
    clearTimeout(this.retryTimer);
    if (navigator.onLine === false) {
      this.setState('offline');
      return;
    }
    this.setState(state);
    this.connection += 1;
    let socket;
    try {
      socket = this.socketFactory(this.url);
    } catch (error) {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket === socket) {
        this.opened();
      }
    };
    socket.onmessage = event => {
      if (this.socket === socket) {
        this.receive(event.data);
      }
    };
    socket.onclose = () => {
      if (this.socket === socket) {
        this.dropConnection('reconnecting');
      }
    };
  }

  async opened() {
    this.sendPing();
    this.pingTimer = setInterval(() => this.sendPing(), PING_INTERVAL_MS);
    // Re-register everything before anyone is told the connection is back: events are not missed after sync.
    const addresses = [...this.handlers.keys()];
    this.setState('registering');
    const socket = this.socket;
    const results = await Promise.allSettled(addresses.map(address => this.register(address)));
    if (this.socket !== socket) {
      return; // dropped meanwhile; the next connection registers again
    }
    results.forEach((result, i) => {
      if (result.status === 'rejected' && !(result.reason?.code === ERROR.FORBIDDEN)) {
        console.warn('register failed', addresses[i], result.reason);
      }
    });
    this.attempt = 0;
    this.setState('open');
    this.openListeners.forEach(listener => listener());
  }

  /** Closes the socket, fails requests in flight, and tries again later (or once the network is back). */
  dropConnection(nextState) {
    if (this.state === 'closed') {
      return;
    }
    this.teardownSocket();
    this.failPending(new BusError(ERROR.DISCONNECTED, 0, 'connection lost'));
    if (nextState === 'offline' || navigator.onLine === false) {
      clearTimeout(this.retryTimer);
      this.setState('offline');
      return;
    }
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    const delay = backoffDelayMs(this.attempt);
    this.attempt += 1;
    this.nextAttemptAt = Date.now() + delay;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect('reconnecting'), delay);
    this.setState('reconnecting');
    this.stateListeners.forEach(listener => listener(this.state, this)); // nextAttemptAt changed
  }

  /** Tries at once (the network came back, or the user asked). */
  reconnectNow() {
    if (this.state === 'closed' || this.state === 'open' || this.state === 'registering') {
      return;
    }
    this.attempt = 0;
    this.teardownSocket();
    this.connect('reconnecting');
  }

  teardownSocket() {
    clearInterval(this.pingTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      try {
        socket.close();
      } catch {
        // already closed
      }
    }
  }

  failPending(error) {
    this.registerQueue.splice(0).forEach(item => item.reject(error));
    const pending = [...this.pending.values()];
    this.pending.clear();
    pending.forEach(({ reject, timer }) => {
      clearTimeout(timer);
      reject(error);
    });
  }

  sendPing() {
    this.write({ type: 'ping' });
  }

  write(frame) {
    const socket = this.socket;
    if (!socket || socket.readyState !== 1) {
      return false;
    }
    const token = this.token();
    const withHeaders = token ? { ...frame, headers: { Authorization: `Bearer ${token}` } } : frame;
    socket.send(JSON.stringify(withHeaders));
    return true;
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (frame.type === 'pong') {
      return;
    }
    // A refused registration names the address it was for, not the reply address of its register frame.
    const replyTo = frame.type === 'err' && this.registerReplies.has(frame.address)
      ? this.registerReplies.get(frame.address) : frame.address;
    const pending = replyTo ? this.pending.get(replyTo) : null;
    if (pending) {
      this.pending.delete(replyTo);
      clearTimeout(pending.timer);
      if (frame.type === 'err') {
        pending.reject(busError(frame));
      } else {
        pending.resolve(frame.body);
      }
      return;
    }
    if (frame.type === 'rec') {
      const handlers = this.handlers.get(frame.address);
      handlers?.forEach(handler => {
        try {
          handler(frame.body, frame);
        } catch (error) {
          console.error('event handler failed', frame.address, error);
        }
      });
      return;
    }
    if (frame.type === 'err') {
      if (frame.address && this.handlers.has(frame.address)) {
        this.handlers.delete(frame.address); // a registration refused after the fact
      }
      const error = busError(frame);
      this.errorListeners.forEach(listener => listener(error, frame));
    }
  }
}

function busError(frame) {
  const code = frame.body?.code || frame.message || ERROR.INTERNAL;
  return new BusError(code, frame.failureCode, frame.body?.detail || frame.message, frame.body);
}
