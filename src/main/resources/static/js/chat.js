// The chat page. Every piece of text that comes from the server or the person is put in the page
// with textContent, never parsed as HTML: names and messages are data, not markup.

import { ChatConnection } from './connection.js';
import { HELP, parseInput } from './commands.js';
import { describeBatch, describeDuration, describeError, describeFinalClose, describeLeave } from './texts.js';

const MAX_LOG_ENTRIES = 500;

/** A presence batch of at most this many changes is logged change by change; a larger one in one line. */
const BATCH_NAMED_UP_TO = 3;

/** Where the last name the server confirmed is kept, to fill in the join form next time. */
const NAME_KEY = 'im-system.name';

/** The server's chat.limits.max-text-length until it says otherwise (GET /api/chat-settings). */
const DEFAULT_MAX_TEXT_LENGTH = 1000;

const $ = (id) => document.getElementById(id);

const ui = {
  status: $('status'),
  leave: $('leave'),
  joinForm: $('join-form'),
  nameInput: $('name-input'),
  chat: $('chat'),
  log: $('log'),
  users: $('users'),
  onlineCount: $('online-count'),
  timeoutInfo: $('timeout-info'),
  composer: $('composer'),
  message: $('message'),
  send: $('send'),
  idleWarning: $('idle-warning'),
  idleSeconds: $('idle-seconds'),
  imHere: $('im-here'),
  banner: $('banner'),
  bannerTitle: $('banner-title'),
  bannerMessage: $('banner-message'),
  bannerDetail: $('banner-detail'),
  bannerAction: $('banner-action'),
};

const state = {
  me: null,
  /** lower-cased name -> name, as the server spells it */
  users: new Map(),
  /** the name asked for by the current connection, until its own join arrives: a refusal is about it */
  joiningAs: null,
  /** connections that got a welcome since the person pressed Join */
  welcomes: 0,
  /** the names asked for with rename, oldest first: each renamed or name error answers one */
  renames: [],
  /** who requests typed by the person, whose answer goes into the log */
  whoShown: 0,
  idleDeadline: 0,
  idleTimer: null,
  bannerTimer: null,
  bannerAction: null,
  /** the online count of the last presence frame */
  online: 0,
  /** the room is above the server's names limit: presence frames carry only the count */
  namesHidden: false,
  /** names changed while they were hidden: the list is old until the next who answer */
  listStale: false,
  /** in code points, as the server counts: a browser's maxlength counts UTF-16 units */
  maxTextLength: DEFAULT_MAX_TEXT_LENGTH,
};

const connection = new ChatConnection(window.location, {
  event: onEvent,
  retrying: onRetrying,
  ended: onEnded,
});

// ---- joining and leaving ----

ui.joinForm.addEventListener('submit', (submit) => {
  submit.preventDefault();
  join(ui.nameInput.value.trim());
});

ui.leave.addEventListener('click', () => {
  connection.stop();
  hideIdleWarning();
  hideBanner();
  setStatus('not connected');
  ui.leave.hidden = true;
  ui.chat.hidden = true;
  ui.joinForm.hidden = false;
  ui.nameInput.value = state.me ?? ui.nameInput.value;
  ui.nameInput.focus();
});

function join(name) {
  state.welcomes = 0;
  setComposerEnabled(true);
  ui.joinForm.hidden = true;
  ui.chat.hidden = false;
  ui.leave.hidden = false;
  hideBanner();
  setStatus('connecting…');
  connection.open(name);
  ui.message.focus();
}

// ---- what the person types ----

ui.composer.addEventListener('submit', (submit) => {
  submit.preventDefault();
  const line = ui.message.value;
  const parsed = parseInput(line);
  if (parsed === null) {
    return;
  }
  if (parsed.help) {
    HELP.forEach((text) => system(text, 'help'));
  }
  else if (parsed.problem) {
    system(parsed.problem, 'problem');
    return;
  }
  else if (!send(parsed.frame)) {
    system('Not connected: the message was not sent.', 'problem');
    return;
  }
  else if (parsed.frame.type === 'who') {
    state.whoShown++;
  }
  else if (parsed.frame.type === 'rename') {
    state.renames.push(parsed.frame.name);
  }
  ui.message.value = '';
});

// Cuts what is typed or pasted at the server's limit, counted in code points: an emoji is one
// character to the server, and two UTF-16 units to the input's own maxlength.
ui.message.addEventListener('input', () => {
  const codePoints = Array.from(ui.message.value);
  if (codePoints.length > state.maxTextLength) {
    ui.message.value = codePoints.slice(0, state.maxTextLength).join('');
  }
});

ui.users.addEventListener('click', (click) => {
  const button = click.target.closest('button[data-name]');
  if (button) {
    ui.message.value = `/to ${button.dataset.name} `;
    ui.message.focus();
  }
});

// A real command, not a ping: only data frames count as activity, and this one also refreshes the
// list of who is online.
ui.imHere.addEventListener('click', () => {
  send({ type: 'who' });
  ui.message.focus();
});

ui.bannerAction.addEventListener('click', () => {
  if (state.bannerAction) {
    state.bannerAction();
  }
});

window.addEventListener('online', () => connection.retryNow());

function send(frame) {
  if (!connection.send(frame)) {
    return false;
  }
  // Every frame but ping is activity: the server restarts this session's idle clock.
  hideIdleWarning();
  return true;
}

// ---- what the server says ----

function onEvent(event) {
  switch (event.type) {
    case 'welcome':
      welcome(event);
      break;
    case 'presence':
      presence(event);
      break;
    case 'chat':
      message(event, 'chat');
      break;
    case 'private':
      message(event, 'private');
      break;
    case 'users':
      users(event);
      break;
    case 'renamed':
      renamed(event);
      break;
    case 'idle-warning':
      showIdleWarning(event.secondsLeft);
      break;
    case 'kicked':
      hideIdleWarning();
      break;
    case 'error':
      error(event);
      break;
    default:
      break;
  }
}

function welcome(event) {
  state.joiningAs = connection.name;
  state.renames = [];
  state.welcomes++;
  state.me = event.name;
  connection.rememberName(event.name);
  storeName(event.name);
  state.users.clear();
  state.namesHidden = false;
  state.listStale = false;
  state.online = event.online;
  renderUsers();
  hideBanner();
  hideIdleWarning();
  setStatus(`online as ${event.name}`);
  ui.timeoutInfo.textContent = `Idle users are disconnected after ${describeDuration(event.timeoutSeconds)}.`;
  // The welcome only counts who is online; the list itself comes from a who.
  connection.send({ type: 'who' });
}

function presence(event) {
  if (event.event === 'count') {
    presenceCount(event);
    return;
  }
  if (event.event !== 'join' && event.event !== 'leave' && event.event !== 'rename' && event.event !== 'batch') {
    // A later protocol version's kind of presence frame: nothing here to apply.
    return;
  }
  if (state.namesHidden) {
    // Back under the server's names limit: the changes while names were hidden never came, so
    // the list is shown as stale until a who refreshes it (the page does not send one itself:
    // a who is activity, and would keep an idle person from being disconnected).
    state.namesHidden = false;
    state.listStale = true;
  }
  if (event.event === 'batch') {
    presenceBatch(event);
  }
  else {
    applyChange(event, true);
  }
  state.online = event.online;
  renderUsers();
  ui.onlineCount.textContent = String(event.online);
}

/** Several presence changes of one window, in the order they happened (contract version 2). */
function presenceBatch(event) {
  // A few changes read best one by one; a crowd is one line, not hundreds.
  const oneByOne = event.changes.length <= BATCH_NAMED_UP_TO;
  event.changes.forEach((change) => applyChange(change, oneByOne));
  if (!oneByOne) {
    system(describeBatch(event.changes), 'batch');
  }
}

/** Above the server's names limit: only how many are online, no names (contract version 2). */
function presenceCount(event) {
  state.namesHidden = true;
  state.online = event.online;
  ui.onlineCount.textContent = String(event.online);
  renderUsers();
}

/**
 * Applies one join, leave or rename (a version-1 frame, or one change of a batch) to the list of
 * users, without drawing it; with {@code log}, also says it in the log.
 */
function applyChange(change, log) {
  const own = change.name === state.me && (change.event !== 'leave');
  if (change.event === 'join') {
    state.users.set(change.name.toLowerCase(), change.name);
    if (!log) {
      return;
    }
    if (own && state.joiningAs !== null) {
      state.joiningAs = null;
      system(state.welcomes > 1 ? `Reconnected as ${change.name}.` : `You joined as ${change.name}.`, 'join');
    }
    else if (!own) {
      system(`${change.name} joined`, 'join');
    }
  }
  else if (change.event === 'leave') {
    state.users.delete(change.name.toLowerCase());
    if (log) {
      const entry = system(describeLeave(change.name, change.reason), 'leave');
      entry.dataset.reason = change.reason ?? '';
    }
  }
  else if (change.event === 'rename') {
    state.users.delete(change.previousName.toLowerCase());
    state.users.set(change.name.toLowerCase(), change.name);
    if (log && !own) {
      system(`${change.previousName} is now ${change.name}`, 'rename');
    }
  }
}

function renamed(event) {
  state.renames.shift();
  state.me = event.name;
  connection.rememberName(event.name);
  storeName(event.name);
  setStatus(`online as ${event.name}`);
  system(`You are now ${event.name}.`, 'rename');
  renderUsers();
}

function error(event) {
  let text = describeError(event.code, event.message);
  if (event.code === 'name-taken' || event.code === 'invalid-name') {
    if (state.joiningAs !== null) {
      text = `You could not join as “${state.joiningAs}”: ${text} You are ${state.me} for now; /rename to change it.`;
      state.joiningAs = null;
    }
    else if (state.renames.length > 0) {
      text = `You could not rename to “${state.renames.shift()}”: ${text}`;
    }
  }
  system(text, 'problem');
}

function message(event, kind) {
  const entry = document.createElement('li');
  entry.className = `msg ${kind}`;
  if (event.from === state.me) {
    entry.classList.add('mine');
  }
  entry.append(time(event.ts));
  if (kind === 'private') {
    entry.append(span('label', 'private'));
    const to = event.to === state.me ? 'you' : event.to;
    const from = event.from === state.me ? 'you' : event.from;
    entry.append(span('from', `${from} → ${to}`));
  }
  else {
    entry.append(span('from', event.from));
  }
  entry.append(span('text', event.text));
  appendToLog(entry);
}

function users(event) {
  state.users.clear();
  event.users.forEach((user) => state.users.set(user.name.toLowerCase(), user.name));
  state.listStale = false;
  state.online = event.users.length;
  renderUsers();
  ui.onlineCount.textContent = String(event.users.length);
  if (state.whoShown > 0) {
    state.whoShown--;
    const list = event.users
      .map((user) => (user.idleSeconds > 0 ? `${user.name} (idle ${user.idleSeconds} s)` : user.name))
      .join(', ');
    system(`Online (${event.users.length}): ${list}`, 'who');
  }
}

function onRetrying({ delayMs, kick, crowded }) {
  hideIdleWarning();
  markUsersStale();
  let title = kick?.reason === 'shutdown' ? 'The server is restarting' : 'Connection lost';
  let message = kick?.message ?? '';
  if (crowded) {
    title = 'Too many connections from your address';
    message = `${crowded.detail} Close some chat tabs or clients; this page tries again less often.`.trim();
  }
  const retryAt = Date.now() + delayMs;
  showBanner(crowded ? 'crowded' : 'reconnecting', title, message, 'Reconnect now', () => connection.retryNow());
  const tick = () => {
    const seconds = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
    ui.bannerDetail.textContent = `Reconnecting in ${seconds} s…`;
    setStatus(`reconnecting in ${seconds} s`);
  };
  tick();
  state.bannerTimer = setInterval(tick, 250);
}

function onEnded({ code, reason, kick }) {
  hideIdleWarning();
  markUsersStale();
  setStatus('disconnected');
  // Nothing typed now could be sent: the composer waits for Rejoin.
  setComposerEnabled(false);
  const title = describeFinalClose(kick?.reason, code, reason);
  showBanner('ended', title, kick?.message ?? '', 'Rejoin', () => join(state.me ?? ''));
  ui.bannerDetail.textContent = 'You will not be reconnected automatically.';
  // The log keeps the kick message too: the banner goes away on Rejoin.
  const entry = system(kick?.message ? `${title}: “${kick.message}”` : `${title}.`, 'problem');
  entry.classList.add('ended');
  ui.bannerAction.focus();
}

// ---- idle warning ----

function showIdleWarning(secondsLeft) {
  state.idleDeadline = Date.now() + secondsLeft * 1000;
  const tick = () => {
    ui.idleSeconds.textContent = String(Math.max(0, Math.ceil((state.idleDeadline - Date.now()) / 1000)));
  };
  tick();
  clearInterval(state.idleTimer);
  state.idleTimer = setInterval(tick, 250);
  ui.idleWarning.hidden = false;
}

function hideIdleWarning() {
  clearInterval(state.idleTimer);
  state.idleTimer = null;
  ui.idleWarning.hidden = true;
}

// ---- banner ----

function showBanner(kind, title, kickMessage, actionLabel, action) {
  clearInterval(state.bannerTimer);
  ui.banner.dataset.kind = kind;
  ui.bannerTitle.textContent = title;
  ui.bannerMessage.textContent = kickMessage;
  ui.bannerMessage.hidden = kickMessage === '';
  ui.bannerDetail.textContent = '';
  ui.bannerAction.textContent = actionLabel;
  state.bannerAction = action;
  ui.banner.hidden = false;
}

function hideBanner() {
  clearInterval(state.bannerTimer);
  state.bannerTimer = null;
  state.bannerAction = null;
  ui.banner.hidden = true;
}

// ---- rendering ----

function setStatus(text) {
  ui.status.textContent = text;
}

function setComposerEnabled(enabled) {
  ui.message.disabled = !enabled;
  ui.send.disabled = !enabled;
}

// ---- remembered name and the server's limits ----

function storeName(name) {
  try {
    localStorage.setItem(NAME_KEY, name);
  }
  catch {
    // Storage turned off (a private window, a policy): the form just starts empty next time.
  }
}

function storedName() {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  }
  catch {
    return '';
  }
}

async function loadSettings() {
  try {
    const response = await fetch('/api/chat-settings', { cache: 'no-store' });
    if (response.ok) {
      const settings = await response.json();
      if (Number.isInteger(settings.maxTextLength) && settings.maxTextLength > 0) {
        state.maxTextLength = settings.maxTextLength;
      }
    }
  }
  catch {
    // The default is the server's default; the server still refuses what is too long.
  }
}

function renderUsers() {
  if (state.namesHidden) {
    // Only the count is kept up to date in a room this large, and thousands of names would be
    // redrawn at every count: the list is the who answer in the log.
    const note = document.createElement('li');
    note.className = 'note';
    note.textContent = `${state.online} online (names hidden in a room this large; /who lists everyone)`;
    ui.users.replaceChildren(note);
    ui.users.classList.remove('stale');
    return;
  }
  const names = [...state.users.values()].sort((a, b) => a.localeCompare(b));
  const items = names.map((name) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'user';
    button.dataset.name = name;
    button.textContent = name;
    if (name === state.me) {
      item.classList.add('me');
      button.setAttribute('aria-label', `${name} (you)`);
    }
    else {
      button.setAttribute('aria-label', `whisper to ${name}`);
    }
    item.append(button);
    return item;
  });
  ui.users.replaceChildren(...items);
  ui.users.classList.toggle('stale', state.listStale);
}

function markUsersStale() {
  ui.users.classList.add('stale');
}

function system(text, kind) {
  const entry = document.createElement('li');
  entry.className = `sys ${kind}`;
  entry.append(time(Date.now()), span('text', text));
  appendToLog(entry);
  return entry;
}

function appendToLog(entry) {
  const log = ui.log;
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.append(entry);
  while (log.childElementCount > MAX_LOG_ENTRIES) {
    log.firstElementChild.remove();
  }
  if (atBottom) {
    log.scrollTop = log.scrollHeight;
  }
}

function time(ts) {
  const element = document.createElement('time');
  const date = new Date(ts);
  element.dateTime = date.toISOString();
  element.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return element;
}

function span(className, text) {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

ui.nameInput.value = storedName();
ui.nameInput.focus();
loadSettings();
