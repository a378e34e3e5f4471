// One chat connection with the contract's reconnect rules: 44xx and 4500 are final (the person
// was kicked, or their connection cannot keep up: reconnecting by itself would only undo the
// kick), and so are the protocol-error closes (the same frame would break the same rule again).
// Anything else, a network drop (1006) or a server restart (1001), is retried with backoff.

const PROTOCOL_ERRORS = new Set([1002, 1003, 1007, 1009]);

export function isFinal(code) {
  return (code >= 4400 && code <= 4499) || code === 4500 || PROTOCOL_ERRORS.has(code);
}

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;

// An address at its connection limit stays there until someone closes a tab: retrying every
// second or two would only add refused handshakes.
const CROWDED_FIRST_DELAY_MS = 15000;
const CROWDED_MAX_DELAY_MS = 300000;

/** Asked when a socket closed without ever opening: 204, or 429 with a problem detail. */
const CONNECTION_CHECK_URL = '/api/connection-check';

/**
 * 1 s, 2 s, 4 s, ... up to 30 s (15 s, 30 s, ... up to 5 min for a crowded address), plus up to a
 * quarter more so that clients do not come back in step.
 */
export function backoffDelay(attempt, crowded = false) {
  const first = crowded ? CROWDED_FIRST_DELAY_MS : FIRST_DELAY_MS;
  const max = crowded ? CROWDED_MAX_DELAY_MS : MAX_DELAY_MS;
  const base = Math.min(max, first * 2 ** Math.min(attempt, 15));
  return base + Math.floor(Math.random() * base / 4);
}

/**
 * Why the server refused this page's handshake, if it was for too many connections from its
 * address: {detail} from the problem, else null (any other answer, or no answer at all).
 */
async function crowdedProblem() {
  try {
    const response = await fetch(CONNECTION_CHECK_URL, { cache: 'no-store' });
    if (response.status !== 429) {
      return null;
    }
    const problem = await response.json().catch(() => ({}));
    return { detail: typeof problem.detail === 'string' ? problem.detail : '' };
  }
  catch {
    return null;
  }
}

export function chatUrl(location, name) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = name ? `?name=${encodeURIComponent(name)}` : '';
  return `${scheme}//${location.host}/ws/chat${query}`;
}

/**
 * Calls listener.event(event) for every server event, listener.retrying({delayMs, code, kick,
 * crowded}) before each automatic reconnect (crowded: {detail} when the address is at its
 * connection limit), and listener.ended({code, reason, kick}) once the connection is
 * over for good (a final close, or stop()).
 */
export class ChatConnection {

  constructor(location, listener) {
    this.location = location;
    this.listener = listener;
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.retryAt = 0;
    this.name = '';
    /** Counts open() and stop(): an answer about an older socket is ignored. */
    this.generation = 0;
  }

  /** Connects now, asking for name (empty: the server generates one). */
  open(name) {
    this.cancelRetry();
    this.generation++;
    this.name = name;
    this.kick = null;
    const socket = new WebSocket(chatUrl(this.location, this.name));
    this.socket = socket;
    let opened = false;
    socket.addEventListener('open', () => {
      opened = true;
    });
    socket.addEventListener('message', (message) => {
      if (socket === this.socket) {
        this.receive(message.data);
      }
    });
    socket.addEventListener('close', (close) => {
      if (socket === this.socket) {
        this.socket = null;
        this.closed(close.code, close.reason, opened);
      }
    });
  }

  /** The name to ask for when reconnecting: the one the server last confirmed. */
  rememberName(name) {
    this.name = name;
  }

  get connected() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends a frame; false if there is no open connection. */
  send(frame) {
    if (!this.connected) {
      return false;
    }
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Reconnects at once if a reconnect is waiting (the person asked, or the network is back). */
  retryNow() {
    if (this.timer !== null) {
      this.open(this.name);
    }
  }

  /** Leaves on purpose: no reconnect. */
  stop() {
    this.cancelRetry();
    this.generation++;
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      socket.close(1000, 'left');
    }
  }

  receive(data) {
    let event;
    try {
      event = JSON.parse(data);
    }
    catch {
      return;
    }
    if (event === null || typeof event !== 'object' || typeof event.type !== 'string') {
      return;
    }
    if (event.type === 'welcome') {
      this.attempt = 0;
    }
    if (event.type === 'kicked') {
      this.kick = event;
    }
    this.listener.event(event);
  }

  closed(code, reason, opened) {
    const kick = this.kick;
    if (isFinal(code)) {
      this.listener.ended({ code, reason, kick });
      return;
    }
    if (opened) {
      this.retryLater({ code, kick, crowded: null });
      return;
    }
    // Never opened: the handshake failed, and the page cannot see its HTTP status. Ask why.
    const generation = this.generation;
    crowdedProblem().then((crowded) => {
      if (generation === this.generation && this.socket === null) {
        this.retryLater({ code, kick, crowded });
      }
    });
  }

  retryLater({ code, kick, crowded }) {
    const delayMs = backoffDelay(this.attempt++, crowded !== null);
    this.retryAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open(this.name);
    }, delayMs);
    this.listener.retrying({ delayMs, code, kick, crowded });
  }

  cancelRetry() {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

}
