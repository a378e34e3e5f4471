// The admin console. Every piece of text that comes from the server (names, kick messages, problem
// details) is put in the page with textContent, never parsed as HTML: the Content-Security-Policy
// (Trusted Types) would refuse HTML strings anyway.

import { api, ApiError, userPath } from './api.js';
import { clock, duration, timeElement } from './format.js';

const POLL_MS = 2000;
const TICK_MS = 1000;
const KICK_LIMIT = 50;
const AUDIT_SHOWN = 6;

const $ = (id) => document.getElementById(id);

const ui = {
  status: $('status'),
  onlineCount: $('online-count'),
  actionResult: $('action-result'),
  userRows: $('user-rows'),
  usersEmpty: $('users-empty'),
  manage: $('manage'),
  manageName: $('manage-name'),
  manageGone: $('manage-gone'),
  manageClose: $('manage-close'),
  overrideForm: $('override-form'),
  overrideSeconds: $('override-seconds'),
  overrideHuman: $('override-human'),
  overrideNow: $('override-now'),
  overrideSet: $('override-set'),
  overrideRemove: $('override-remove'),
  kickForm: $('kick-form'),
  kickReason: $('kick-reason'),
  kick: $('kick'),
  timeoutNow: $('timeout-now'),
  timeoutForm: $('timeout-form'),
  timeoutSeconds: $('timeout-seconds'),
  timeoutHuman: $('timeout-human'),
  warningSeconds: $('warning-seconds'),
  warningHuman: $('warning-human'),
  timeoutResult: $('timeout-result'),
  audit: $('audit'),
  auditEmpty: $('audit-empty'),
  previewForm: $('preview-form'),
  previewAmount: $('preview-amount'),
  previewUnit: $('preview-unit'),
  previewSummary: $('preview-summary'),
  previewList: $('preview-list'),
  kickFilter: $('kick-filter'),
  kickRows: $('kick-rows'),
  kicksEmpty: $('kicks-empty'),
};

const state = {
  /** name -> {view, row, cells}: one table row per online user, kept across refreshes */
  users: new Map(),
  /** performance.now() when the user list was fetched: idle times count up from there */
  fetchedAt: 0,
  /** the user the manage panel is about */
  selected: null,
  /** the global settings, as last fetched */
  settings: null,
  /** the administrator is editing the global timeout form: polling leaves its fields alone */
  timeoutEdited: false,
  /** the timeout of the last preview asked for, which later refreshes repeat */
  previewSeconds: null,
  /** the login is gone: stop polling until the page is reloaded */
  stopped: false,
  pollTimer: null,
  /** the refresh running now, if any */
  refreshing: null,
  refreshAgain: false,
};

// ---- polling ----

/**
 * Fetches everything the page shows, then polls again. A refresh asked for while one is running
 * (after a change, say) runs right after it, so that the page shows the change's effect.
 */
function refresh() {
  if (state.refreshing !== null) {
    state.refreshAgain = true;
    return state.refreshing;
  }
  state.refreshing = refreshOnce().finally(() => {
    state.refreshing = null;
    if (state.refreshAgain) {
      state.refreshAgain = false;
      refresh();
    }
  });
  return state.refreshing;
}

async function refreshOnce() {
  clearTimeout(state.pollTimer);
  if (state.stopped) {
    return;
  }
  const results = await Promise.allSettled([
    loadUsers(), loadSettings(), loadAudit(), loadKicks(), loadPreview(),
  ]);
  const failure = results.find((result) => result.status === 'rejected')?.reason;
  if (failure) {
    showConnectionProblem(failure);
  }
  else {
    setStatus(`live · updated ${clock()}`, false);
  }
  if (!state.stopped && !document.hidden) {
    state.pollTimer = setTimeout(refresh, POLL_MS);
  }
}

function showConnectionProblem(failure) {
  const message = failure instanceof ApiError ? failure.message : String(failure);
  if (failure instanceof ApiError && failure.unauthorized) {
    state.stopped = true;
    setStatus(message, true);
  }
  else {
    setStatus(`${message} Retrying…`, true);
  }
}

// A hidden tab does not poll; coming back refreshes at once.
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    refresh();
  }
});

setInterval(tick, TICK_MS);

// ---- online users ----

async function loadUsers() {
  const views = await api('GET', '/users');
  state.fetchedAt = performance.now();
  renderUsers(views);
}

function renderUsers(views) {
  const seen = new Set();
  views.forEach((view) => {
    seen.add(view.name);
    const known = state.users.get(view.name);
    if (known) {
      known.view = view;
    }
    else {
      state.users.set(view.name, { view, ...createRow(view) });
    }
  });
  for (const [name, user] of state.users) {
    if (!seen.has(name)) {
      user.row.remove();
      state.users.delete(name);
    }
  }
  // Rows are kept, not rebuilt, so that a focused button keeps its focus; they are only moved
  // when the order changed.
  const order = views.map((view) => state.users.get(view.name).row);
  const current = [...ui.userRows.children];
  if (order.length !== current.length || order.some((row, index) => row !== current[index])) {
    ui.userRows.append(...order);
  }
  ui.onlineCount.textContent = String(views.length);
  ui.usersEmpty.hidden = views.length > 0;
  tick();
  renderManage();
}

function createRow(view) {
  const row = document.createElement('tr');
  row.dataset.name = view.name;
  const cell = (className, label) => {
    const td = document.createElement('td');
    td.className = className;
    td.dataset.label = label;
    row.append(td);
    return td;
  };
  const name = cell('name', 'User');
  name.textContent = view.name;
  const address = cell('address', 'Address');
  address.textContent = view.remoteAddress;
  cell('connected', 'Connected').append(timeElement(view.connectedAt));

  const idle = cell('idle', 'Idle');
  const idleText = document.createElement('span');
  idleText.className = 'idle-text';
  const meter = document.createElement('meter');
  meter.min = 0;
  idle.append(idleText, meter);

  const timeout = cell('timeout', 'Timeout');
  const timeoutText = document.createElement('span');
  timeoutText.className = 'timeout-text';
  const tag = document.createElement('span');
  tag.className = 'tag';
  timeout.append(timeoutText, ' ', tag);

  const actions = cell('actions', '');
  const manage = document.createElement('button');
  manage.type = 'button';
  manage.className = 'quiet manage-button';
  manage.textContent = 'Manage';
  manage.setAttribute('aria-label', `Manage ${view.name}`);
  manage.addEventListener('click', () => select(view.name));
  actions.append(manage);
  return { row, idleText, meter, timeoutText, tag, manage };
}

/** Counts idle times up between two fetches, so that they move every second. */
function tick() {
  const elapsed = Math.floor((performance.now() - state.fetchedAt) / 1000);
  for (const user of state.users.values()) {
    const { view } = user;
    const idle = view.idleSeconds + elapsed;
    user.idleText.textContent = duration(idle);
    user.row.dataset.idleSeconds = String(idle);
    user.meter.max = view.timeoutSeconds;
    user.meter.low = view.timeoutSeconds * 0.6;
    user.meter.high = view.timeoutSeconds * 0.85;
    user.meter.optimum = 0;
    user.meter.value = Math.min(idle, view.timeoutSeconds);
    const left = view.timeoutSeconds - idle;
    user.meter.title = left > 0 ? `disconnected in ${duration(left)} if idle` : 'due at the next sweep';
    user.row.classList.toggle('due', left <= 0);
    user.timeoutText.textContent = duration(view.timeoutSeconds);
    user.tag.textContent = view.override ? 'own' : 'global';
    user.tag.classList.toggle('own', view.override);
    user.row.classList.toggle('selected', view.name === state.selected);
  }
}

// ---- managing one user ----

function select(name) {
  state.selected = name;
  const user = state.users.get(name);
  ui.manageName.textContent = name;
  ui.overrideSeconds.value = user?.view.override ? String(user.view.timeoutSeconds) : '';
  ui.kickReason.value = '';
  describeSeconds(ui.overrideSeconds, ui.overrideHuman);
  ui.manage.hidden = false;
  renderManage();
  tick();
  ui.overrideSeconds.focus();
}

function closeManage() {
  const name = state.selected;
  state.selected = null;
  ui.manage.hidden = true;
  tick();
  state.users.get(name)?.manage.focus();
}

function renderManage() {
  if (state.selected === null) {
    return;
  }
  const user = state.users.get(state.selected);
  const gone = user === undefined;
  ui.manageGone.hidden = !gone;
  [ui.overrideSeconds, ui.overrideSet, ui.kickReason, ui.kick].forEach((control) => {
    control.disabled = gone;
  });
  ui.overrideRemove.disabled = gone || !user.view.override;
  if (gone) {
    ui.overrideNow.textContent = '';
    return;
  }
  const global = state.settings ? duration(state.settings.timeoutSeconds) : '…';
  ui.overrideNow.textContent = user.view.override
    ? `Now: its own timeout, ${duration(user.view.timeoutSeconds)} (the global one is ${global}).`
    : `Now: the global timeout, ${global}.`;
}

ui.manageClose.addEventListener('click', closeManage);

ui.manage.addEventListener('keydown', (key) => {
  if (key.key === 'Escape') {
    closeManage();
  }
});

ui.overrideSeconds.addEventListener('input', () => describeSeconds(ui.overrideSeconds, ui.overrideHuman));

ui.overrideForm.addEventListener('submit', async (submit) => {
  submit.preventDefault();
  const name = state.selected;
  const seconds = Number(ui.overrideSeconds.value);
  await act(async () => {
    const view = await api('PUT', userPath(name, '/timeout'), { timeoutSeconds: seconds });
    return `${view.name} now has their own idle timeout: ${duration(view.timeoutSeconds)}.`;
  });
});

ui.overrideRemove.addEventListener('click', async () => {
  const name = state.selected;
  await act(async () => {
    const view = await api('DELETE', userPath(name, '/timeout'));
    ui.overrideSeconds.value = '';
    describeSeconds(ui.overrideSeconds, ui.overrideHuman);
    return `${view.name} follows the global idle timeout again: ${duration(view.timeoutSeconds)}.`;
  });
});

ui.kickForm.addEventListener('submit', async (submit) => {
  submit.preventDefault();
  const name = state.selected;
  const reason = ui.kickReason.value.trim();
  const kicked = await act(async () => {
    const kick = await api('POST', userPath(name, '/kick'), reason === '' ? undefined : { message: reason });
    return `${kick.name} was kicked with the message “${kick.message}”.`;
  });
  if (kicked) {
    state.selected = null;
    ui.manage.hidden = true;
    ui.actionResult.focus();
  }
});

/** Runs one change, shows its outcome (or the API's problem) and refreshes everything. */
async function act(change) {
  let succeeded = false;
  try {
    showResult(ui.actionResult, await change(), false);
    succeeded = true;
  }
  catch (failure) {
    showResult(ui.actionResult, failure.message, true);
  }
  await refresh();
  return succeeded;
}

// ---- the global timeout ----

async function loadSettings() {
  const settings = await api('GET', '/timeout');
  state.settings = settings;
  // A warning set (at start-up, or kept by a call that changed only the timeout) that is not
  // shorter than the timeout comes at half of it: show the one that applies, and why.
  const halved = settings.effectiveWarningSeconds !== settings.warningSeconds
    ? ` (${duration(settings.warningSeconds)} is set, not shorter than the timeout, so half the timeout applies)`
    : '';
  ui.timeoutNow.replaceChildren(
    'Now ', strong(duration(settings.timeoutSeconds)), ', with a warning ',
    strong(duration(settings.effectiveWarningSeconds)), ` before${halved}. The sweeper checks every `,
    `${settings.sweepIntervalMillis < 1000 ? `${settings.sweepIntervalMillis} ms` : duration(settings.sweepIntervalMillis / 1000)}.`,
  );
  if (!state.timeoutEdited) {
    fillTimeoutForm(settings);
  }
}

function fillTimeoutForm(settings) {
  ui.timeoutSeconds.value = String(settings.timeoutSeconds);
  ui.warningSeconds.value = String(settings.effectiveWarningSeconds);
  describeSeconds(ui.timeoutSeconds, ui.timeoutHuman);
  describeSeconds(ui.warningSeconds, ui.warningHuman);
}

[[ui.timeoutSeconds, ui.timeoutHuman], [ui.warningSeconds, ui.warningHuman]].forEach(([input, output]) => {
  input.addEventListener('input', () => {
    state.timeoutEdited = true;
    describeSeconds(input, output);
  });
});

ui.timeoutForm.addEventListener('submit', async (submit) => {
  submit.preventDefault();
  const body = {
    timeoutSeconds: Number(ui.timeoutSeconds.value),
    warningSeconds: Number(ui.warningSeconds.value),
  };
  // The API refuses this too; saying so here names the fix without a round trip.
  if (body.warningSeconds > 0 && body.warningSeconds >= body.timeoutSeconds) {
    showResult(ui.timeoutResult, `The warning (${duration(body.warningSeconds)}) must be shorter than the timeout `
      + `(${duration(body.timeoutSeconds)}), or 0 for no warning.`, true);
    return;
  }
  try {
    const settings = await api('PUT', '/timeout', body);
    state.timeoutEdited = false;
    fillTimeoutForm(settings);
    showResult(ui.timeoutResult, `The idle timeout is now ${duration(settings.timeoutSeconds)}, `
      + `with a warning ${duration(settings.warningSeconds)} before.`, false);
  }
  catch (failure) {
    showResult(ui.timeoutResult, failure.message, true);
  }
  await refresh();
});

async function loadAudit() {
  const entries = (await api('GET', '/audit')).slice(0, AUDIT_SHOWN);
  ui.audit.replaceChildren(...entries.map((entry) => {
    const item = document.createElement('li');
    item.append(timeElement(entry.at), span('actor', entry.actor), span('change', describeChange(entry)));
    return item;
  }));
  ui.auditEmpty.hidden = entries.length > 0;
}

function describeChange(entry) {
  const seconds = (value) => (value === null ? 'global' : duration(value));
  switch (entry.action) {
    case 'global-timeout': {
      const warning = entry.oldWarningSeconds === entry.newWarningSeconds
        ? '' : `, warning ${duration(entry.oldWarningSeconds)} → ${duration(entry.newWarningSeconds)}`;
      return `global timeout ${duration(entry.oldSeconds)} → ${duration(entry.newSeconds)}${warning}`;
    }
    case 'user-timeout':
    case 'user-timeout-removed':
      return `${entry.target}: ${seconds(entry.oldSeconds)} → ${seconds(entry.newSeconds)}`;
    case 'kick':
      return `kicked ${entry.target}`;
    default:
      return `${entry.action} ${entry.target}`;
  }
}

// ---- idle preview ----

ui.previewForm.addEventListener('submit', async (submit) => {
  submit.preventDefault();
  state.previewSeconds = Math.round(Number(ui.previewAmount.value) * Number(ui.previewUnit.value));
  try {
    await loadPreview();
  }
  catch (failure) {
    ui.previewList.replaceChildren();
    ui.previewSummary.textContent = failure.message;
    ui.previewSummary.classList.add('problem');
  }
});

/** Repeated with every refresh once asked for, so the answer stays current. */
async function loadPreview() {
  if (state.previewSeconds === null) {
    return;
  }
  const seconds = state.previewSeconds;
  const wouldGo = await api('GET', `/idle-preview?timeoutSeconds=${seconds}`);
  if (seconds !== state.previewSeconds) {
    return;
  }
  const online = state.users.size;
  ui.previewSummary.classList.remove('problem');
  ui.previewSummary.textContent = wouldGo.length === 0
    ? `At ${duration(seconds)}, nobody would be disconnected now (${online} online).`
    : `At ${duration(seconds)}, ${wouldGo.length} of ${online} online would be disconnected now:`;
  ui.previewList.replaceChildren(...wouldGo.map((view) => {
    const item = document.createElement('li');
    item.dataset.name = view.name;
    item.append(span('name', view.name), span('idle-text', `idle ${duration(view.idleSeconds)}`));
    if (view.override) {
      item.append(span('tag own', `own timeout ${duration(view.timeoutSeconds)}`));
    }
    return item;
  }));
}

// ---- kick history ----

ui.kickFilter.addEventListener('change', () => {
  loadKicks().catch(showConnectionProblem);
});

async function loadKicks() {
  const reason = ui.kickFilter.value;
  const query = `?limit=${KICK_LIMIT}${reason ? `&reason=${encodeURIComponent(reason)}` : ''}`;
  const kicks = await api('GET', `/kicks${query}`);
  if (reason !== ui.kickFilter.value) {
    return;
  }
  ui.kickRows.replaceChildren(...kicks.map((kick) => {
    const row = document.createElement('tr');
    row.dataset.reason = kick.reason;
    const cell = (className, label, content) => {
      const td = document.createElement('td');
      td.className = className;
      td.dataset.label = label;
      td.append(content);
      row.append(td);
    };
    cell('when', 'When', timeElement(kick.kickedAt));
    cell('name', 'User', kick.name);
    cell('reason', 'Reason', span(`tag reason-${kick.reason}`, kick.reason));
    cell('by', 'By', kick.kickedBy ?? 'server');
    cell('idle', 'Idle', duration(kick.idleSeconds));
    cell('message', 'Message', kick.message ?? '');
    cell('address', 'Address', kick.remoteAddress ?? '');
    return row;
  }));
  ui.kicksEmpty.textContent = reason ? `No kicks with reason ${reason}.` : 'No kicks yet.';
  ui.kicksEmpty.hidden = kicks.length > 0;
}

// ---- small helpers ----

function setStatus(text, problem) {
  ui.status.textContent = text;
  ui.status.classList.toggle('problem', problem);
}

function showResult(element, text, problem) {
  element.textContent = text;
  element.classList.toggle('problem', problem);
  element.hidden = false;
}

/** Shows "= 5 min" next to a seconds field. */
function describeSeconds(input, output) {
  const value = Number(input.value);
  output.textContent = input.value !== '' && Number.isInteger(value) && value >= 60 ? `= ${duration(value)}` : '';
}

function span(className, text) {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

function strong(text) {
  const element = document.createElement('strong');
  element.textContent = text;
  return element;
}

refresh();
