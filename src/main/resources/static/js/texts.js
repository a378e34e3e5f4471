// Every sentence the page shows about the protocol: error codes, leave reasons, close codes.

const ERRORS = {
  'bad-json': 'The server could not read that message',
  'unknown-type': 'The server does not know that command',
  'empty-text': 'Nothing to send',
  'text-too-long': 'That message is too long',
  'unknown-user': 'Nobody by that name is online',
  'name-taken': 'That name is taken',
  'invalid-name': 'That name is not allowed',
  'rate-limited': 'Slow down: you are sending too fast',
};

// The server's message for these only says again what the sentence above says ("no user named
// bob", "the name bob is taken"): the person sees the sentence once.
const SAID_ALREADY = new Set(['unknown-user', 'name-taken', 'empty-text']);

/** A readable sentence for an error event; the server's own message adds the detail, if it has one. */
export function describeError(code, message) {
  const title = ERRORS[code] ?? 'Something went wrong';
  const detail = (message ?? '').replace(/^requested name refused: /, '').trim();
  return detail === '' || SAID_ALREADY.has(code) ? `${title}.` : `${title} (${detail}).`;
}

// Why someone left, after "NAME left": nothing for leaving on purpose ("alice left").
const LEAVE_REASONS = {
  quit: '',
  idle: 'idle',
  admin: 'kicked by an administrator',
  slow: 'connection too slow',
  shutdown: 'server restarting',
  error: 'protocol error',
};

/** "alice left", "alice left (idle)". */
export function describeLeave(name, reason) {
  const why = LEAVE_REASONS[reason] ?? reason ?? '';
  return why === '' ? `${name} left` : `${name} left (${why})`;
}

/** "500 people joined", "3 people left", "2 joined, 1 left": one line for a window of changes. */
export function describeBatch(changes) {
  let joined = 0;
  let left = 0;
  let renamed = 0;
  changes.forEach((change) => {
    if (change.event === 'join') {
      joined++;
    }
    else if (change.event === 'leave') {
      left++;
    }
    else if (change.event === 'rename') {
      renamed++;
    }
  });
  const people = (n) => (n === 1 ? '1 person' : `${n} people`);
  if (left === 0 && renamed === 0) {
    return `${people(joined)} joined`;
  }
  if (joined === 0 && renamed === 0) {
    return `${people(left)} left`;
  }
  if (joined === 0 && left === 0) {
    return `${people(renamed)} changed their names`;
  }
  const parts = [];
  if (joined > 0) {
    parts.push(`${joined} joined`);
  }
  if (left > 0) {
    parts.push(`${left} left`);
  }
  if (renamed > 0) {
    parts.push(`${renamed} renamed`);
  }
  return parts.join(', ');
}

const KICK_TITLES = {
  idle: 'You were disconnected for being idle',
  admin: 'You were kicked by an administrator',
  slow: 'You were disconnected: your connection was too slow',
  shutdown: 'The server is shutting down',
};

const CLOSE_TITLES = {
  4403: KICK_TITLES.admin,
  4408: KICK_TITLES.idle,
  4500: KICK_TITLES.slow,
  1002: 'Disconnected: the server did not understand this page',
  1003: 'Disconnected: the server does not accept binary messages',
  1007: 'Disconnected: the server received invalid text',
  1009: 'Disconnected: that message was too large',
};

/** The title of the banner shown after a final close. */
export function describeFinalClose(kickReason, code, closeReason) {
  return KICK_TITLES[kickReason] ?? CLOSE_TITLES[code] ?? `Disconnected (${closeReason || code})`;
}

/** "5 min", "2 s": for the idle timeout the server announces. */
export function describeDuration(seconds) {
  if (seconds >= 3600 && seconds % 3600 === 0) {
    return `${seconds / 3600} h`;
  }
  if (seconds >= 60 && seconds % 60 === 0) {
    return `${seconds / 60} min`;
  }
  return `${seconds} s`;
}
