#!/usr/bin/env node
'use strict';
// Load generator for any deployment of the chat contract (im-system or the reference peer).
//
//   node loadgen.js fanout   --url ws://127.0.0.1:8080/ws/chat [--pid PID] --clients 1000 --senders 10 --messages 300
//   node loadgen.js capacity --url ... --clients 19000
//   node loadgen.js idle     --url ... --silent 10000 --active 100
//   node loadgen.js slow     --url ... --clients 500 --slow 10
//   node loadgen.js soak     --url ... --clients 2000 --duration 600
//   node loadgen.js storm    --url ... --clients 3000
//   node loadgen.js line     --host 127.0.0.1 --port 8888 --mode burst|rate --clients 1000 --senders 10
//   node loadgen.js fanout   --url ws://127.0.0.1:18080/ws/chat,ws://127.0.0.1:18081/ws/chat --node-pids A,B --redis-port 6379
//   node loadgen.js churn    --url A,B --node-pids PA,PB --redis-port 6379 [--churn-rate 100 --duration 60]   (cluster-scenarios.js)
//   node loadgen.js failover --url A,B --node-pids PA,PB --redis-port 6379 --admin-url http://A [--node-ttl 15]
//   node loadgen.js fanout   --protocol socketio --url ws://127.0.0.1:19090/socket.io/,ws://127.0.0.1:19091/socket.io/ ...
//
// Several --url (comma-separated) are the nodes of one cluster: client i connects to node i % n, so
// clients and senders are split evenly, and fanout reports the latency of copies that crossed nodes
// apart from those that did not. --protocol socketio speaks Socket.IO 4 over Engine.IO 4's
// WebSocket transport on a raw WebSocket (open packet, `40` connect, `42["event",payload]`, ping
// `2` answered with `3`): the same client code, the same cost per client, for both systems.
//
// Each run prints one JSON document on stdout (progress goes to stderr). Clients are spread over
// --workers child processes (each has its own open-file limit) and over --addresses loopback
// source addresses 127.0.0.2, 127.0.0.3, ... With --pid, server RSS, CPU, threads and open files
// come from /proc/<pid>; heap after GC comes from `jcmd` for a JVM, or from --stats-url for the
// Node peer. Every loop is bounded in count and time.

const { fork, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const NOW = () => Number(process.hrtime.bigint() / 1000n) / 1000; // monotonic ms, same clock in every process

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const args = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const key = a.slice(2);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        args[key] = true;
      }
      else {
        args[key] = next;
        i++;
      }
    }
    else {
      args._.push(a);
    }
  }
  return args;
}

function num(args, key, fallback) {
  return args[key] === undefined ? fallback : Number(args[key]);
}

// ---------------------------------------------------------------- histogram (log-linear, microseconds)

const HIST_SIZE = 1024;

function histIndex(micros) {
  let v = Math.max(0, Math.round(micros));
  if (v < 64) {
    return v;
  }
  const e = 31 - Math.clz32(v);
  if (e > 31) {
    return HIST_SIZE - 1;
  }
  return Math.min(HIST_SIZE - 1, 64 + (e - 6) * 32 + ((v >>> (e - 5)) - 32));
}

function histValue(index) {
  if (index < 64) {
    return index;
  }
  const e = Math.floor((index - 64) / 32) + 6;
  const mantissa = ((index - 64) % 32) + 32;
  // The middle of the bucket.
  return (mantissa + 0.5) * Math.pow(2, e - 5);
}

function histSummary(counts, max) {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    total += counts[i];
  }
  const at = (q) => {
    if (total === 0) {
      return null;
    }
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return round(histValue(i) / 1000, 3);
      }
    }
    return null;
  };
  return { count: total, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: total ? round(max / 1000, 3) : null };
}

function round(x, digits) {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
}

function exactSummary(values) {
  if (values.length === 0) {
    return { count: 0 };
  }
  const sorted = Float64Array.from(values).sort();
  const at = (q) => round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)], 1);
  return { count: sorted.length, min: round(sorted[0], 1), p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted[sorted.length - 1], 1) };
}

// ---------------------------------------------------------------- server stats from /proc

const CLK_TCK = 100;

function proc(pid) {
  if (!pid) {
    return null;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
    const threads = Number(/Threads:\s+(\d+)/.exec(status)[1]);
    let fds = null;
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`).length;
    }
    catch (e) {
      fds = null;
    }
    // System calls that write (write, writev, sendmsg, ...), when the kernel lets us read them.
    let writeCalls = null;
    try {
      writeCalls = Number(/syscw:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))[1]);
    }
    catch (e) {
      writeCalls = null;
    }
    return { cpuTicks: Number(fields[11]) + Number(fields[12]), rssKb, threads, fds, writeCalls, at: NOW() };
  }
  catch (e) {
    return null;
  }
}

/** CPU ticks of each thread of a process, summed by thread name with digits taken out ("http-nio-#-exec-#"). */
function threadTicks(pid) {
  const byName = {};
  if (!pid) {
    return byName;
  }
  let tasks = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  }
  catch (e) {
    return byName;
  }
  for (const tid of tasks) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[0-9]+/g, '#');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName[name] = (byName[name] || 0) + Number(fields[11]) + Number(fields[12]);
    }
    catch (e) {
      // The thread ended meanwhile.
    }
  }
  return byName;
}

/** Milliseconds of CPU per thread group between two threadTicks readings, biggest first. */
function threadCpuMs(from, to) {
  return Object.fromEntries(Object.entries(to).map(([name, ticks]) => [name, round((ticks - (from[name] || 0)) / CLK_TCK * 1000, 0)])
    .filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1]));
}

function cpuCores(from, to) {
  if (!from || !to || to.at <= from.at) {
    return null;
  }
  return round((to.cpuTicks - from.cpuTicks) / CLK_TCK / ((to.at - from.at) / 1000), 3);
}

function processName(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  }
  catch (e) {
    return null;
  }
}

/** Heap in use right after a full collection, in KiB: jcmd for a JVM, the stats URL for the peer. */
async function heapAfterGc(args) {
  const pid = args.pid;
  if (pid && processName(pid) === 'java') {
    try {
      execFileSync('jcmd', [String(pid), 'GC.run'], { stdio: 'pipe', timeout: 60000 });
      const info = execFileSync('jcmd', [String(pid), 'GC.heap_info'], { stdio: 'pipe', timeout: 60000 }).toString();
      const m = /total (\d+)K, used (\d+)K/.exec(info);
      // Young regions right after a full GC hold only what was allocated since: not live data.
      const young = /(\d+) young \((\d+)K\)/.exec(info);
      return m ? { usedKb: Number(m[2]) - (young ? Number(young[2]) : 0), committedKb: Number(m[1]) } : null;
    }
    catch (e) {
      return { error: String(e.message).slice(0, 200) };
    }
  }
  if (args['stats-url']) {
    try {
      const res = await fetch(args['stats-url'] + '?gc=1');
      const body = await res.json();
      return { usedKb: Math.round(body.heapUsed / 1024) };
    }
    catch (e) {
      return { error: String(e.message).slice(0, 200) };
    }
  }
  return null;
}

function snapshot(args, heap) {
  const p = proc(args.pid);
  return p ? { rssKb: p.rssKb, threads: p.threads, fds: p.fds, heapAfterGcKb: heap ? heap.usedKb : null } : null;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- cluster: nodes and Redis

function nodePidList(args) {
  return args['node-pids'] ? String(args['node-pids']).split(',').filter((x) => x).map(Number) : [];
}

function nodeCpu(pid, before, after, copies) {
  if (!before || !after) {
    return { pid, error: 'no /proc reading' };
  }
  const ms = (after.cpuTicks - before.cpuTicks) / CLK_TCK * 1000;
  return { pid, cpuCores: cpuCores(before, after), cpuMs: round(ms, 0), cpuMicrosPerCopy: copies ? round(ms * 1000 / copies, 3) : null, rssEndKb: after.rssKb };
}

/** Redis's CPU seconds and per-command call counts (INFO cpu, INFO commandstats), with --redis-port. */
function redisStats(args) {
  if (!args['redis-port']) {
    return null;
  }
  try {
    const text = execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(args['redis-port']), 'INFO', 'all'], { stdio: 'pipe', timeout: 10000 }).toString();
    const field = (name) => Number((new RegExp('^' + name + ':([0-9.]+)', 'm').exec(text) || [])[1]);
    const calls = {};
    for (const m of text.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) {
      calls[m[1]] = Number(m[2]);
    }
    return { cpuSeconds: field('used_cpu_sys') + field('used_cpu_user'), calls, at: NOW() };
  }
  catch (e) {
    return null;
  }
}

/**
 * What the run cost Redis. Redis counts for everyone connected to it: `backgroundPublishPerSecond`
 * (measured over an idle stretch before the run: our nodes' link probes, anything else on this
 * Redis) is subtracted for the net PUBLISH per chat message.
 */
function redisCost(before, after, sent, copies, args) {
  const seconds = (after.at - before.at) / 1000;
  const calls = {};
  for (const [cmd, n] of Object.entries(after.calls)) {
    const d = n - (before.calls[cmd] || 0);
    if (d > 0) {
      calls[cmd] = d;
    }
  }
  const publish = calls.publish || 0;
  const background = args.redisBackgroundPublishPerSecond;
  const cpuMs = (after.cpuSeconds - before.cpuSeconds) * 1000;
  return {
    seconds: round(seconds, 3), cpuMs: round(cpuMs, 0), cpuCores: round(cpuMs / 1000 / seconds, 3),
    cpuMsPer100kCopies: copies ? round(cpuMs * 100000 / copies, 1) : null,
    publish, chatMessagesSent: sent, publishPerMessage: sent ? round(publish / sent, 4) : null,
    backgroundPublishPerSecond: background === undefined ? null : round(background, 2),
    publishPerMessageNet: (sent && background !== undefined) ? round((publish - background * seconds) / sent, 4) : null,
    calls,
  };
}

/** PUBLISH per second on Redis while no chat is sent (probes, heartbeats, other users of this Redis). */
async function redisBackground(args, ms) {
  const a = redisStats(args);
  await sleep(ms);
  const b = redisStats(args);
  if (!a || !b) {
    return undefined;
  }
  return ((b.calls.publish || 0) - (a.calls.publish || 0)) / ((b.at - a.at) / 1000);
}

// ---------------------------------------------------------------- coordinator

class Coordinator {

  constructor(args) {
    this.args = args;
    this.workers = [];
    this.reports = new Map();
    this.waiters = [];
  }

  start(count) {
    for (let w = 0; w < count; w++) {
      const child = fork(__filename, ['--worker'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      child.on('message', (msg) => this.onMessage(w, msg));
      child.on('exit', (code) => {
        if (code && !this.stopping) {
          process.stderr.write(`worker ${w} exited with ${code}\n`);
        }
      });
      this.workers.push(child);
    }
  }

  onMessage(w, msg) {
    if (msg.type === 'progress') {
      this.reports.set(w, msg);
    }
    else if (msg.type === 'reply') {
      const waiter = this.waiters.find((x) => x.id === msg.id && x.worker === w);
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(msg.body);
      }
    }
  }

  /** Sends a command to every worker and waits for all replies. */
  all(cmd, perWorker) {
    const id = Math.random().toString(36).slice(2);
    return Promise.all(this.workers.map((child, w) => new Promise((resolve) => {
      this.waiters.push({ id, worker: w, resolve });
      child.send({ id, cmd, body: perWorker ? perWorker(w) : {} });
    })));
  }

  progress() {
    return [...this.reports.values()];
  }

  async stop() {
    this.stopping = true;
    for (const child of this.workers) {
      try {
        child.send({ cmd: 'exit' });
      }
      catch (e) {
        // Already gone.
      }
    }
    await sleep(300);
    for (const child of this.workers) {
      child.kill('SIGKILL');
    }
  }

}

function assign(total, workers) {
  // Client i lives in worker i % workers: senders and slow clients are spread evenly.
  return (w) => {
    const list = [];
    for (let i = w; i < total; i += workers) {
      list.push(i);
    }
    return list;
  };
}

function sum(list, key) {
  return list.reduce((a, x) => a + (x[key] || 0), 0);
}

function mergeHist(list, key) {
  const counts = new Float64Array(HIST_SIZE);
  let max = 0;
  for (const r of list) {
    const h = r[key];
    for (let i = 0; i < HIST_SIZE; i++) {
      counts[i] += h.counts[i];
    }
    max = Math.max(max, h.max);
  }
  return histSummary(counts, max);
}

function common(args, scenario) {
  return {
    scenario,
    target: args.label || args.url,
    url: args.url,
    startedAt: new Date().toISOString(),
    machine: { nproc: os.cpus().length, memGiB: round(os.totalmem() / 2 ** 30, 1), loadavg: os.loadavg().map((x) => round(x, 2)), node: process.version },
    server: args.pid ? { pid: Number(args.pid), process: processName(args.pid) } : null,
  };
}

async function connectAll(co, args, total, extra) {
  const concurrency = num(args, 'concurrency', 200);
  const started = NOW();
  const replies = await co.all('connect', (w) => ({
    url: args.url, indices: assign(total, co.workers.length)(w), prefix: args.prefix || 'b' + process.pid.toString(36),
    addresses: num(args, 'addresses', 8), concurrency: Math.max(1, Math.floor(concurrency / co.workers.length)),
    timeoutMs: num(args, 'connect-timeout', 300) * 1000, client: args.client || 'ws', protocol: args.protocol || 'chat',
    ...(extra ? extra(w) : {}),
  }));
  const welcomed = sum(replies, 'welcomed');
  const lastWelcome = Math.max(...replies.map((r) => r.lastWelcome || 0));
  return {
    requested: total, welcomed, failed: sum(replies, 'failed'),
    errors: replies.flatMap((r) => r.errors).slice(0, 5),
    timeToWelcomeAllMs: welcomed === total ? round(lastWelcome - started, 1) : null,
    elapsedMs: round(NOW() - started, 1),
  };
}

/** Waits until the clients have received nothing for quietMs (the server has caught up), at most maxMs. */
async function settle(co, quietMs, maxMs) {
  const until = NOW() + maxMs;
  let last = -1;
  let lastChange = NOW();
  while (NOW() < until) {
    await sleep(250);
    const received = sum(co.progress(), 'frames');
    if (received !== last) {
      last = received;
      lastChange = NOW();
    }
    else if (NOW() - lastChange >= quietMs) {
      return round(NOW() - until + maxMs, 0);
    }
  }
  return null;
}

// ---------------------------------------------------------------- scenarios

async function fanout(co, args) {
  const clients = num(args, 'clients', 1000);
  const senders = Math.min(clients, num(args, 'senders', 10));
  const messages = num(args, 'messages', 300);
  const rate = num(args, 'rate', 0); // broadcasts per second over all senders; 0 = saturate (closed loop)
  const window = num(args, 'window', 20);
  const textSize = num(args, 'text-size', 32);
  const maxSeconds = num(args, 'max-seconds', 120);
  const out = common(args, 'fanout');
  out.params = { clients, senders, messagesPerSender: messages, rate: rate || 'saturating', window: rate ? null : window, textSize, workers: co.workers.length };
  out.connect = await connectAll(co, args, clients);
  await settle(co, 1000, 60000);
  const warmup = num(args, 'warmup-messages', 50);
  if (warmup > 0) {
    // Same shape, fewer messages: the JIT and the buffers warm up before the measured run.
    const w = await runBroadcast(co, args, { clients, senders, messages: warmup, rate, window, textSize, maxSeconds });
    out.warmup = { delivered: w.delivery.delivered, copiesPerSecond: w.throughput.copiesPerSecond };
    await settle(co, 1000, 30000);
  }
  if (args['redis-port']) {
    args.redisBackgroundPublishPerSecond = await redisBackground(args, num(args, 'redis-background-ms', 3000));
  }
  const result = await runBroadcast(co, args, { clients, senders, messages, rate, window, textSize, maxSeconds });
  Object.assign(out, result);
  return out;
}

/** One broadcast run over the connected clients; the first `senders` clients send. */
async function runBroadcast(co, args, p) {
  const resets = await co.all('reset', () => ({ senders: p.senders, messages: p.messages }));
  const receivers = sum(resets, 'receivers');
  const nodePids = nodePidList(args);
  const nodesBefore = nodePids.map(proc);
  const redisBefore = redisStats(args);
  const before = proc(args.pid);
  const threadsBefore = threadTicks(args.pid);
  let rssMaxKb = before ? before.rssKb : null;
  const startAt = NOW();
  await co.all('send', () => ({ senders: p.senders, messages: p.messages, rate: p.rate, window: p.window, textSize: p.textSize }));
  const expected = p.senders * p.messages * receivers;
  const deadline = startAt + p.maxSeconds * 1000;
  let lastReceived = -1;
  let lastChange = NOW();
  const drainMs = num(args, 'drain', 10) * 1000;
  for (;;) {
    await sleep(200);
    const now = proc(args.pid);
    if (now) {
      rssMaxKb = Math.max(rssMaxKb, now.rssKb);
    }
    const prog = co.progress();
    const received = sum(prog, 'received');
    if (received !== lastReceived) {
      lastReceived = received;
      lastChange = NOW();
    }
    const sendsDone = prog.length === co.workers.length && prog.every((x) => x.sendsDone);
    if (received >= expected && sendsDone) {
      break;
    }
    if (NOW() > deadline || (sendsDone && NOW() - lastChange > drainMs) || (NOW() - lastChange > drainMs * 3)) {
      break;
    }
  }
  const replies = await co.all('report');
  const after = proc(args.pid);
  const threadsAfter = threadTicks(args.pid);
  const nodesAfter = nodePids.map(proc);
  const redisAfter = redisStats(args);
  const firstSend = Math.min(...replies.map((r) => r.firstSend).filter((x) => x));
  const lastRecv = Math.max(...replies.map((r) => r.lastRecv));
  const received = sum(replies, 'received');
  const malformed = sum(replies, 'malformed');
  const unique = sum(replies, 'unique');
  const sent = sum(replies, 'sent');
  const seconds = (lastRecv - firstSend) / 1000;
  return {
    delivery: {
      receivers, sent, expected: sent * receivers, delivered: received, lost: sent * receivers - unique,
      duplicated: sum(replies, 'duplicates'), outOfOrder: sum(replies, 'outOfOrder'),
      perSenderOrderKept: sum(replies, 'outOfOrder') === 0,
      sendFailures: sum(replies, 'sendFailures'),
      closedDuringRun: sum(replies, 'closedDuringRun'),
      malformed,
      // Line protocol: copies that came without the "[addr]name:" prefix, i.e. after a "\n" inside
      // another copy's line: the server broadcast several sent lines as one (what one read() returned).
      linesWithoutPrefix: sum(replies, 'unprefixed'),
    },
    throughput: { seconds: round(seconds, 3), copiesPerSecond: Math.round(received / seconds), broadcastsPerSecond: round(sent / seconds, 1) },
    latencyMs: mergeHist(replies, 'hist'),
    ...(nodePids.length || String(args.url || '').includes(',') ? {
      // Copies whose sender is connected to another node than the receiver (they went through Redis)
      // and copies whose sender is on the receiver's node.
      latencyCrossNodeMs: mergeHist(replies, 'histCross'), latencySameNodeMs: mergeHist(replies, 'histLocal'),
    } : {}),
    ...(nodePids.length ? { nodesDuringRun: nodePids.map((pid, i) => nodeCpu(pid, nodesBefore[i], nodesAfter[i], received)) } : {}),
    ...(redisBefore && redisAfter ? { redisDuringRun: redisCost(redisBefore, redisAfter, sent, received, args) } : {}),
    serverDuringRun: after ? {
      cpuCores: cpuCores(before, after), rssMaxKb, rssEndKb: after.rssKb, threads: after.threads, fds: after.fds,
      // From the first send until the loop above saw the run end (every copy in, or the drain time
      // with nothing arriving, when a server spends next to nothing).
      cpuMs: round((after.cpuTicks - before.cpuTicks) / CLK_TCK * 1000, 0),
      cpuMicrosPerCopy: received ? round((after.cpuTicks - before.cpuTicks) / CLK_TCK * 1e6 / received, 3) : null,
      // Where it went: a JVM's JIT compilers ("C# CompilerThre") and GC threads are in here too.
      threadCpuMs: threadCpuMs(threadsBefore, threadsAfter),
      // How many copies one write system call carried: one per copy for a server that writes
      // each message on its own.
      writeCalls: (after.writeCalls != null && before.writeCalls != null) ? after.writeCalls - before.writeCalls : null,
      copiesPerWriteCall: (after.writeCalls != null && before.writeCalls != null && after.writeCalls > before.writeCalls)
        ? round(received / (after.writeCalls - before.writeCalls), 2) : null,
    } : null,
  };
}

/**
 * Connect storm with the server's default presence: a probe connects first and keeps asking `who`
 * (and `ping`) while --clients connect at once; right after the last welcome it sends one chat and
 * the time until every client has it is measured. Then, once nothing has arrived for 2 s, each
 * client's presence frames and bytes.
 */
async function storm(co, args) {
  const clients = num(args, 'clients', 3000);
  args = { ...args, client: args.client || (clients > 5000 ? 'lean' : 'ws'), concurrency: num(args, 'concurrency', clients) };
  const out = common(args, 'storm');
  out.params = { clients, concurrency: args.concurrency, workers: co.workers.length, addresses: num(args, 'addresses', 8), client: args.client };
  const probe = await openProbe(args);
  const probing = probeLoop(probe, num(args, 'probe-every', 500));
  const cpuBefore = proc(args.pid);
  const threadsBefore = threadTicks(args.pid);
  const loadgenBefore = co.workers.map((child) => proc(child.pid));
  out.connect = await connectAll(co, args, clients);
  const lastWelcome = NOW();
  const cpuAtWelcome = proc(args.pid);
  // The chat right after the last welcome: how long until every client has it.
  probe.ws.send(JSON.stringify({ type: 'chat', text: `S:${Number(process.hrtime.bigint() / 1000n)}` }));
  const chatWaitMs = num(args, 'chat-wait', 30) * 1000;
  let reached = 0;
  while (NOW() < lastWelcome + chatWaitMs) {
    await sleep(100);
    reached = sum(co.progress(), 'stormChatReached');
    if (reached >= out.connect.welcomed) {
      break;
    }
  }
  out.settledMs = await settle(co, 2000, num(args, 'settle-max', 120) * 1000);
  const cpuAfter = proc(args.pid);
  const loadgenAfter = co.workers.map((child) => proc(child.pid));
  probing.stop();
  await probing.done;
  const replies = await co.all('stormReport');
  const frames = replies.flatMap((r) => r.presenceFrames);
  const bytes = replies.flatMap((r) => r.presenceBytes);
  const chatLatencies = replies.flatMap((r) => r.chatLatenciesMs);
  const totalFrames = frames.reduce((a, x) => a + x, 0);
  out.presence = {
    framesPerClient: exactSummary(frames), bytesPerClient: exactSummary(bytes),
    totalFrames, totalBytes: bytes.reduce((a, x) => a + x, 0),
    batchFrames: sum(replies, 'batchFrames'), batchChanges: sum(replies, 'batchChanges'), countFrames: sum(replies, 'countFrames'),
    note: 'frames of type presence received after the welcome, batch and count included; bytes are frame payloads',
  };
  out.closedByServer = {
    count: sum(replies, 'closed'), closeCodes: mergeCounts(replies.map((r) => r.closeCodes)), errorFrames: sum(replies, 'errorFrames'),
    // A session closed as too slow cannot get its close frame through its full queue: the client sees 1006.
    serverKicks: await kicksByReason(args),
  };
  // Latencies are taken when a worker reads the copy: a worker that fell behind reads it late.
  out.chatAfterLastWelcome = {
    clients: sum(replies, 'welcomed'), reached: chatLatencies.length,
    waitedMs: chatWaitMs, reachedWithinWait: chatLatencies.filter((x) => x <= chatWaitMs).length, latencyMs: exactSummary(chatLatencies),
    allReachedMs: chatLatencies.length === sum(replies, 'welcomed') && chatLatencies.length > 0 ? round(Math.max(...chatLatencies), 1) : null,
  };
  out.responsiveness = probe.summary(lastWelcome);
  out.server = {
    ...out.server,
    cpuSecondsToWelcomeAll: (cpuBefore && cpuAtWelcome) ? round((cpuAtWelcome.cpuTicks - cpuBefore.cpuTicks) / CLK_TCK, 2) : null,
    cpuCoresToWelcomeAll: cpuCores(cpuBefore, cpuAtWelcome),
    cpuSecondsToSettled: (cpuBefore && cpuAfter) ? round((cpuAfter.cpuTicks - cpuBefore.cpuTicks) / CLK_TCK, 2) : null,
    cpuCoresToSettled: cpuCores(cpuBefore, cpuAfter),
    threadCpuMs: threadCpuMs(threadsBefore, threadTicks(args.pid)),
    rssKb: cpuAfter ? cpuAfter.rssKb : null,
  };
  out.loadgenCpuSeconds = round(loadgenBefore.reduce((a, from, i) => a
    + ((from && loadgenAfter[i]) ? (loadgenAfter[i].cpuTicks - from.cpuTicks) : 0), 0) / CLK_TCK, 2);
  probe.ws.terminate();
  await co.all('closeAll');
  return out;
}

/** A `ws` client in the coordinator itself, connected before the storm. */
function openProbe(args) {
  const WebSocket = require('ws');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(args.url + (args.url.includes('?') ? '&' : '?') + 'name=probe' + process.pid.toString(36), { perMessageDeflate: false });
    const p = { ws, who: [], ping: [], whoOut: null, pingOut: null };
    // The probe's own process: an answer read late because this event loop was busy is not the
    // server's delay. Its delay is reported next to the answers' times.
    const loopDelay = require('perf_hooks').monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const failed = setTimeout(() => reject(new Error('probe not welcomed within 30 s')), 30000);
    ws.on('message', (data) => {
      const str = data.toString('latin1');
      if (str.startsWith('{"type":"welcome"')) {
        clearTimeout(failed);
        resolve(p);
      }
      else if (str.startsWith('{"type":"users"') && p.whoOut !== null) {
        p.who.push({ sentAt: p.whoOut, ms: NOW() - p.whoOut });
        p.whoOut = null;
      }
      else if (str.startsWith('{"type":"pong"') && p.pingOut !== null) {
        p.ping.push({ sentAt: p.pingOut, ms: NOW() - p.pingOut });
        p.pingOut = null;
      }
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      p.closeCode = code;
    });
    p.summary = (split) => {
      const part = (list, during) => exactSummary(list.filter((x) => (x.sentAt < split) === during).map((x) => x.ms));
      const open = (sentAt) => (sentAt === null ? null : round(NOW() - sentAt, 0));
      return {
        note: 'one who (and one ping) in flight at a time, the next 500 ms after the answer; "during" = sent before the last welcome',
        whoDuringStormMs: part(p.who, true), whoAfterMs: part(p.who, false), whoOver1s: p.who.filter((x) => x.ms > 1000).length,
        // When the slowest answers were asked for (wall clock), to line up with a server's GC or
        // safepoint log.
        whoSlowest: [...p.who].sort((a, b) => b.ms - a.ms).slice(0, 3)
          .map((x) => ({ askedAt: new Date(Date.now() - (NOW() - x.sentAt)).toISOString(), ms: round(x.ms, 1) })),
        whoUnansweredForMs: open(p.whoOut), probeClosedWith: p.closeCode === undefined ? null : p.closeCode,
        pingDuringStormMs: part(p.ping, true), pingAfterMs: part(p.ping, false), pingUnansweredForMs: open(p.pingOut),
        probeEventLoopDelayMs: { p50: round(loopDelay.percentile(50) / 1e6, 1), p99: round(loopDelay.percentile(99) / 1e6, 1), max: round(loopDelay.max / 1e6, 1) },
      };
    };
  });
}

/** Keeps one `who` and one `ping` in flight: each is sent again every `everyMs` once answered. */
function probeLoop(p, everyMs) {
  let stopped = false;
  const done = (async () => {
    for (let i = 0; i < 100000 && !stopped; i++) {
      if (p.ws.readyState !== 1) {
        break;
      }
      if (p.whoOut === null) {
        p.whoOut = NOW();
        p.ws.send('{"type":"who"}');
      }
      if (p.pingOut === null) {
        p.pingOut = NOW();
        p.ws.send('{"type":"ping"}');
      }
      await sleep(everyMs);
    }
  })();
  return { stop: () => { stopped = true; }, done };
}

/**
 * The original IM system's line protocol over TCP (`nc` clients): --clients connect, then
 * --senders broadcast either at --rate-per-sender lines/s (--mode rate) or all their --messages
 * lines at once (--mode burst). Lines are "B:<sender>:<seq>:<sentAtMicros>:padding", so every copy
 * is matched to its send whatever prefix the server puts before it.
 */
async function line(co, args) {
  const mode = args.mode || 'burst';
  if (mode !== 'burst' && mode !== 'rate') {
    throw new Error('--mode burst|rate');
  }
  const host = args.host || '127.0.0.1';
  const port = num(args, 'port', 8888);
  if (!/^(127\.\d+\.\d+\.\d+|localhost)$/.test(host)) {
    throw new Error('line targets are loopback only');
  }
  const clients = num(args, 'clients', 1000);
  const senders = Math.min(clients, num(args, 'senders', 10));
  const messages = num(args, 'messages', mode === 'burst' ? 100 : 1000);
  const ratePerSender = num(args, 'rate-per-sender', 100);
  const p = {
    clients, senders, messages, rate: mode === 'rate' ? ratePerSender * senders : 0, window: mode === 'burst' ? messages : 0,
    textSize: num(args, 'text-size', 32), maxSeconds: num(args, 'max-seconds', 60),
  };
  args = { ...args, url: `tcp://${host}:${port}` };
  const out = common(args, 'line-' + mode);
  out.params = { mode, clients, senders, messagesPerSender: messages, ratePerSender: mode === 'rate' ? ratePerSender : null, textSize: p.textSize, workers: co.workers.length };
  out.connect = await connectAll(co, args, clients, () => ({ line: true, host, port }));
  out.connectSettledMs = await settle(co, 1000, 60000);
  const warmup = num(args, 'warmup-messages', mode === 'burst' ? 20 : 100);
  if (warmup > 0) {
    const w = await runBroadcast(co, args, { ...p, messages: warmup, window: p.window ? warmup : 0 });
    out.warmup = { delivered: w.delivery.delivered, lost: w.delivery.lost, copiesPerSecond: w.throughput.copiesPerSecond };
    await settle(co, 1000, 30000);
  }
  Object.assign(out, await runBroadcast(co, args, p));
  // --bursts N: the same burst N times in the same server process. The first is the figure
  // above, with whatever the JIT compiles and recompiles during it (a burst larger than the warm-up
  // takes code paths the warm-up did not); the later ones show the same server warm.
  const bursts = num(args, 'bursts', 1);
  if (bursts > 1) {
    out.laterBursts = [];
    for (let i = 1; i < bursts; i++) {
      await settle(co, 1000, 30000);
      const b = await runBroadcast(co, args, p);
      out.laterBursts.push({
        delivered: b.delivery.delivered, lost: b.delivery.lost, duplicated: b.delivery.duplicated, outOfOrder: b.delivery.outOfOrder,
        seconds: b.throughput.seconds, copiesPerSecond: b.throughput.copiesPerSecond,
        cpuMicrosPerCopy: b.serverDuringRun ? b.serverDuringRun.cpuMicrosPerCopy : null,
        copiesPerWriteCall: b.serverDuringRun ? b.serverDuringRun.copiesPerWriteCall : null,
        threadCpuMs: b.serverDuringRun ? b.serverDuringRun.threadCpuMs : null,
      });
    }
  }
  out.note = 'throughput.seconds = first send to last copy received: for a burst, the time to deliver it all';
  await co.all('closeAll');
  return out;
}

async function capacity(co, args) {
  const clients = num(args, 'clients', 19000);
  // The lean client unless told otherwise: the `ws` library's HTTP client costs the load generator
  // about half as much CPU per connection as the server spends on it (see lean-ws.js).
  args = { ...args, client: args.client || 'lean' };
  const out = common(args, 'capacity');
  const warmup = num(args, 'warmup', Math.min(2000, clients));
  out.params = { clients, warmup, concurrency: num(args, 'concurrency', 200), workers: co.workers.length, addresses: num(args, 'addresses', 8), client: args.client };
  if (warmup > 0) {
    // Warms the JIT and touches the memory a first wave of handshakes needs, then lets go.
    out.warmup = await connectAll(co, { ...args, prefix: 'w' + process.pid.toString(36) }, warmup);
    await settle(co, 1000, 60000);
    await co.all('closeAll');
    await sleep(3000);
  }
  const baseHeap = await heapAfterGc(args);
  const base = snapshot(args, baseHeap);
  out.baseline = base;
  const cpuBefore = proc(args.pid);
  const threadsBefore = threadTicks(args.pid);
  const loadgenBefore = co.workers.map((child) => proc(child.pid));
  out.connect = await connectAll(co, args, clients);
  const loadgenAfter = co.workers.map((child) => proc(child.pid));
  out.settledMs = await settle(co, 2000, num(args, 'settle-max', 120) * 1000);
  const cpuAfter = proc(args.pid);
  out.serverCpuCoresWhileConnecting = cpuCores(cpuBefore, cpuAfter);
  // Where the server's CPU went (a JVM's GC and JIT compiler threads are not in a Java profile).
  out.serverThreadCpuMs = threadCpuMs(threadsBefore, threadTicks(args.pid));
  if (cpuBefore && cpuAfter) {
    // Includes the quiet settle period, in which an idle server spends next to nothing.
    out.serverCpuMsPerConnection = round((cpuAfter.cpuTicks - cpuBefore.cpuTicks) / CLK_TCK * 1000 / clients, 3);
  }
  // The load generator shares the machine: what it spends is not there for the server.
  out.loadgenCpuMsPerConnection = round(loadgenBefore.reduce((a, from, i) => a
    + ((from && loadgenAfter[i]) ? (loadgenAfter[i].cpuTicks - from.cpuTicks) : 0), 0) / CLK_TCK * 1000 / clients, 3);
  await sleep(num(args, 'hold', 5) * 1000);
  const prog = await co.all('status');
  const heldOpen = sum(prog, 'open');
  const heap = await heapAfterGc(args);
  const held = snapshot(args, heap);
  out.held = { open: heldOpen, received: sum(prog, 'received'), closedByServer: sum(prog, 'closed'), ...held };
  if (base && held && heldOpen > 0) {
    out.perConnection = {
      rssKiB: round((held.rssKb - base.rssKb) / heldOpen, 2),
      heapAfterGcKiB: (heap && baseHeap && heap.usedKb != null && baseHeap.usedKb != null) ? round((heap.usedKb - baseHeap.usedKb) / heldOpen, 2) : null,
      fds: round((held.fds - base.fds) / heldOpen, 3),
    };
  }
  await co.all('closeAll');
  return out;
}

async function idle(co, args) {
  const silent = num(args, 'silent', 10000);
  const active = num(args, 'active', 100);
  const sweepMs = num(args, 'sweep-ms', 1000);
  const out = common(args, 'idle');
  out.params = { silent, active, sweepIntervalMs: sweepMs, workers: co.workers.length };
  // Active clients are the first `active` indices; each keeps itself active with a private
  // message to itself (no broadcast) several times per timeout.
  const total = silent + active;
  const cpuBefore = proc(args.pid);
  out.connect = await connectAll(co, args, total, () => ({ activeBelow: active }));
  const replies0 = await co.all('status');
  const timeoutMs = Math.max(...replies0.map((r) => r.timeoutMs || 0));
  out.params.timeoutMs = timeoutMs;
  const deadline = NOW() + timeoutMs + num(args, 'grace', 15) * 1000;
  let rssMaxKb = 0;
  while (NOW() < deadline) {
    await sleep(250);
    const p = proc(args.pid);
    if (p) {
      rssMaxKb = Math.max(rssMaxKb, p.rssKb);
    }
    const prog = co.progress();
    if (prog.length === co.workers.length && sum(prog, 'silentClosed') >= silent) {
      break;
    }
  }
  const cpuAfter = proc(args.pid);
  let serverOnline = null;
  if (args['admin-url']) {
    // Sessions the server still holds: a kick it made but a client has not read yet is not one.
    try {
      serverOnline = (await adminGet(args, '/actuator/chat')).online;
    }
    catch (e) {
      serverOnline = 'unavailable: ' + e.message;
    }
  }
  const replies = await co.all('idleReport');
  const lags = replies.flatMap((r) => r.serverLags);
  const clientLags = replies.flatMap((r) => r.clientLags);
  const kicked = sum(replies, 'silentKicked');
  const early = lags.filter((x) => x < 0).length;
  out.result = {
    silentKicked: kicked, silentKickedPercent: round(100 * kicked / silent, 2),
    kickedAndClosedWithinTimeoutPlus2s: sum(replies, 'kickedAndClosedWithin2s'), silentNotKicked: silent - sum(replies, 'silentClosed'),
    silentClosedOtherwise: sum(replies, 'silentClosed') - kicked, closeCodes: mergeCounts(replies.map((r) => r.closeCodes)),
    closedOtherwise: replies.flatMap((r) => r.otherwise).slice(0, 5),
    early, activeKicked: sum(replies, 'activeKicked'), activeClosed: sum(replies, 'activeClosed'),
    kickLagMs: exactSummary(lags),
    kickLagClientSideMs: exactSummary(clientLags),
    serverOnlineAtEnd: serverOnline, waitedAfterConnectMs: round(NOW() - deadline + timeoutMs + num(args, 'grace', 15) * 1000, 0),
    note: 'kickLagMs = kicked.ts - welcome.ts - timeout (server clock); kickLagClientSideMs adds delivery time of the kick minus that of the welcome',
  };
  out.server = { ...out.server, cpuCores: cpuCores(cpuBefore, cpuAfter), rssMaxKb };
  out.target = { kickLagP99LimitMs: sweepMs + 50 };
  await co.all('closeAll');
  return out;
}

function mergeCounts(list) {
  const merged = {};
  for (const counts of list) {
    for (const [k, v] of Object.entries(counts)) {
      merged[k] = (merged[k] || 0) + v;
    }
  }
  return merged;
}

async function slow(co, args) {
  const clients = num(args, 'clients', 500);
  const slowCount = num(args, 'slow', 10);
  const p = {
    clients, senders: num(args, 'senders', 10), messages: num(args, 'messages', 300), rate: num(args, 'rate', 100),
    window: 0, textSize: num(args, 'text-size', 900), maxSeconds: num(args, 'max-seconds', 120),
  };
  const out = common(args, 'slow');
  out.params = { readers: clients, slow: slowCount, senders: p.senders, messagesPerSender: p.messages, rate: p.rate, textSize: p.textSize, workers: co.workers.length };
  // Slow clients are the last indices; they connect like the others.
  out.connect = await connectAll(co, args, clients + slowCount, () => ({ slowFrom: clients }));
  await settle(co, 1000, 60000);
  const base = snapshot(args, await heapAfterGc(args));
  out.baseline = base;
  // A shorter storm first, not counted: the JIT compiles the broadcast path during the first one,
  // which would otherwise inflate storm 1's p99 (once 405 ms against 37 ms in storm 2).
  await co.all('setSlow', () => ({ paused: false }));
  const warm = await runBroadcast(co, args, { ...p, messages: Math.max(1, Math.ceil(p.messages / 3)), clients: clients + slowCount });
  out.warmupStorm = { p99: warm.latencyMs.p99, lost: warm.delivery ? warm.delivery.lost : null };
  // Storm 1: the would-be slow clients still read, so nothing is slow.
  out.stormAllReading = await runBroadcast(co, args, { ...p, clients: clients + slowCount });
  // Storm 2: as many fresh clients that never read, from their welcome on, take their places. A
  // client that read through storm 1 has had its kernel receive buffer grown by TCP autotuning
  // (up to net.ipv4.tcp_rmem's maximum, 32 MiB here), which would absorb a whole storm: the server
  // would never see it as slow, only its heartbeat would find it dead.
  await co.all('dropSlow');
  const slowReplies = await co.all('connect', (w) => ({
    url: args.url, indices: assign(clients + slowCount, co.workers.length)(w).filter((i) => i >= clients),
    prefix: 'n' + process.pid.toString(36), addresses: num(args, 'addresses', 8), concurrency: 5, timeoutMs: 60000,
    client: args.client || 'ws', slowFrom: clients, pauseOnWelcome: true,
  }));
  out.slowConnect = { welcomed: sum(slowReplies, 'welcomed'), failed: sum(slowReplies, 'failed') };
  const heapSamples = [];
  const sampler = setInterval(() => {
    const s = heapUsedNow(args);
    if (s != null) {
      heapSamples.push(s);
    }
  }, 3000);
  out.stormWithSlow = await runBroadcast(co, args, { ...p, clients: clients + slowCount });
  clearInterval(sampler);
  out.heapUsedDuringStormKb = heapSamples.length ? { max: Math.max(...heapSamples), samples: heapSamples.length } : null;
  out.afterStorm = snapshot(args, await heapAfterGc(args));
  // Let the slow clients read what they were sent, to see how their connection ended.
  await co.all('setSlow', () => ({ paused: false }));
  const until = NOW() + num(args, 'close-wait', 20) * 1000;
  let slowReport = null;
  while (NOW() < until) {
    await sleep(500);
    const r = await co.all('slowReport');
    slowReport = {
      slowClosed: sum(r, 'slowClosed'), closeCodes: mergeCounts(r.map((x) => x.closeCodes)), readersClosed: sum(r, 'readersClosed'),
      readerCloseCodes: mergeCounts(r.map((x) => x.readerCloseCodes)),
    };
    if (slowReport.slowClosed >= slowCount) {
      break;
    }
  }
  out.slowClients = slowReport;
  // What the server says it did: a client that never reads cannot read a close frame stuck behind
  // its full buffers either, so its own view is a dropped connection (1006).
  out.serverKicks = await kicksByReason(args);
  const a = out.stormAllReading.latencyMs.p99;
  const b = out.stormWithSlow.latencyMs.p99;
  out.readersP99Ratio = (a && b) ? round(b / a, 3) : null;
  out.note = 'stormWithSlow counts the slow clients in "expected": its lost figure includes what they never read';
  await co.all('closeAll');
  return out;
}

/** GET on im-system's admin side (--admin-url, --admin-auth user:password), parsed as JSON. */
async function adminGet(args, path) {
  const res = await fetch(args['admin-url'] + path, { headers: { authorization: 'Basic ' + Buffer.from(args['admin-auth'] || 'admin:bench').toString('base64') } });
  return res.json();
}

/** The server's kick history by reason (im-system's admin API), or null for a server without one. */
async function kicksByReason(args) {
  if (!args['admin-url']) {
    return null;
  }
  try {
    const kicks = await adminGet(args, '/api/admin/kicks?limit=1000');
    return mergeCounts(kicks.map((k) => ({ [k.reason]: 1 })));
  }
  catch (e) {
    return 'unavailable: ' + e.message;
  }
}

/** Heap in use now (no GC), cheaply: jstat for a JVM, the stats URL otherwise. */
function heapUsedNow(args) {
  if (args.pid && processName(args.pid) === 'java') {
    try {
      const out = execFileSync('jstat', ['-gc', String(args.pid)], { stdio: 'pipe', timeout: 30000 }).toString().trim().split('\n');
      const head = out[0].trim().split(/\s+/);
      const vals = out[1].trim().split(/\s+/).map(Number);
      const get = (k) => vals[head.indexOf(k)] || 0;
      return Math.round(get('S0U') + get('S1U') + get('EU') + get('OU'));
    }
    catch (e) {
      return null;
    }
  }
  return null;
}

async function soak(co, args) {
  const clients = num(args, 'clients', 2000);
  const duration = num(args, 'duration', 600);
  const out = common(args, 'soak');
  out.params = {
    clients, durationSeconds: duration, workers: co.workers.length,
    chatsPerLife: num(args, 'chats', 2), broadcastShare: num(args, 'broadcast-share', 0.25), quitShare: num(args, 'quit-share', 0.1),
  };
  out.baseline = snapshot(args, await heapAfterGc(args));
  const started = NOW();
  await co.all('soak', (w) => ({
    url: args.url, indices: assign(clients, co.workers.length)(w), prefix: args.prefix || 's' + process.pid.toString(36),
    addresses: num(args, 'addresses', 8), durationMs: duration * 1000, chats: out.params.chatsPerLife,
    broadcastShare: out.params.broadcastShare, quitShare: out.params.quitShare, rampMs: num(args, 'ramp', 30) * 1000,
  }));
  out.during = [];
  const every = num(args, 'sample-every', 120) * 1000;
  let next = started + every;
  while (NOW() < started + duration * 1000) {
    await sleep(1000);
    if (NOW() >= next) {
      next += every;
      const prog = co.progress();
      out.during.push({
        atSeconds: Math.round((NOW() - started) / 1000), open: sum(prog, 'open'), connects: sum(prog, 'connects'),
        ...snapshot(args, await heapAfterGc(args)),
      });
      process.stderr.write(`soak ${JSON.stringify(out.during[out.during.length - 1])}\n`);
    }
  }
  const replies = await co.all('soakStop');
  out.totals = {
    connects: sum(replies, 'connects'), welcomed: sum(replies, 'welcomed'), connectFailures: sum(replies, 'failed'),
    idleKicks: sum(replies, 'idleKicks'), quits: sum(replies, 'quits'), chatsSent: sum(replies, 'chatsSent'),
    privatesSent: sum(replies, 'privatesSent'), received: sum(replies, 'received'), errorsReceived: sum(replies, 'errorEvents'),
    closeCodes: mergeCounts(replies.map((r) => r.closeCodes)), connectErrors: replies.flatMap((r) => r.errors).slice(0, 5),
  };
  // Samples after the last client left, at each of --after-at seconds (or once at --after-wait):
  // idle container threads are retired only after their keep-alive (Tomcat: 60 s).
  const afterAt = String(args['after-at'] || num(args, 'after-wait', 10)).split(',').map(Number)
    .filter((s) => Number.isFinite(s) && s >= 0 && s <= 3600).sort((a, b) => a - b);
  const leftAt = NOW();
  out.afterSamples = [];
  for (const at of afterAt) {
    await sleep(Math.max(0, leftAt + at * 1000 - NOW()));
    out.afterSamples.push({ afterSeconds: at, ...snapshot(args, await heapAfterGc(args)) });
    process.stderr.write(`soak after ${JSON.stringify(out.afterSamples[out.afterSamples.length - 1])}\n`);
  }
  out.after = out.afterSamples[out.afterSamples.length - 1];
  if (args['admin-url']) {
    try {
      out.after.online = (await adminGet(args, '/actuator/chat')).online;
    }
    catch (e) {
      out.after.online = 'unavailable: ' + e.message;
    }
  }
  return out;
}

async function coordinator(args) {
  const scenario = args._[0];
  const { churn, failover } = require('./cluster-scenarios')({ NOW, sleep, num, round, exactSummary, proc, cpuCores, redisStats, common, nodePidList });
  const scenarios = { fanout, capacity, idle, slow, soak, storm, line, churn, failover };
  if (!scenarios[scenario] || (!args.url && scenario !== 'line')) {
    process.stderr.write('usage: node loadgen.js fanout|capacity|idle|slow|soak|storm --url ws://127.0.0.1:PORT/ws/chat [--pid PID] [options]\n'
      + '       node loadgen.js line --host 127.0.0.1 --port 8888 --mode burst|rate [--pid PID] [options]\n');
    process.exit(2);
  }
  if (scenario !== 'line' && !String(args.url).split(',').every((u) => /^wss?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//.test(u)) && !args['allow-remote']) {
    process.stderr.write('refusing a non-loopback target without --allow-remote\n');
    process.exit(2);
  }
  const co = new Coordinator(args);
  // churn and failover keep their few hundred clients in this process (every view next to its `who`).
  co.start(num(args, 'workers', scenario === 'churn' || scenario === 'failover' ? 0 : 2));
  const hardLimit = setTimeout(() => {
    process.stderr.write('loadgen: hard time limit reached\n');
    co.stop().then(() => process.exit(3));
  }, num(args, 'hard-limit', 1800) * 1000);
  try {
    const result = scenario === 'churn' || scenario === 'failover' ? await scenarios[scenario](args) : await scenarios[scenario](co, args);
    result.finishedAt = new Date().toISOString();
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  }
  finally {
    clearTimeout(hardLimit);
    await co.stop();
  }
}

// ---------------------------------------------------------------- worker

function worker() {
  const { LeanWebSocket } = require('./lean-ws');
  const net = require('net');
  const clients = [];
  // The client library of the connects in progress: `ws` unless a scenario asks for the lean one.
  let Client = require('ws');
  const state = {
    received: 0, senders: 0, messages: 0, seen: null, lastSeq: null, unique: 0, duplicates: 0, outOfOrder: 0,
    hist: new Float64Array(HIST_SIZE), histMax: 0, firstSend: 0, lastRecv: 0, sent: 0, sendFailures: 0, sendsDone: true,
    closedDuringRun: 0, sending: false, malformed: 0, unprefixed: 0,
    histCross: new Float64Array(HIST_SIZE), histCrossMax: 0, histLocal: new Float64Array(HIST_SIZE), histLocalMax: 0,
  };
  // How many nodes the clients are spread over (client i on node i % nodes): set by connect.
  let nodes = 1;
  let timeoutMs = 0;
  let errorEvents = 0;
  let frames = 0;
  // Storm: how many clients got the chat the probe sent right after the last welcome.
  let stormChatReached = 0;

  const progress = () => {
    process.send({
      type: 'progress', received: state.received, frames, sendsDone: state.sendsDone, open: clients.filter((c) => c.open).length,
      silentClosed: clients.filter((c) => c.role === 'silent' && c.closedAt).length, connects: soakState ? soakState.connects : 0,
      stormChatReached,
    });
  };
  const ticker = setInterval(progress, 200);

  function onChat(c, str) {
    // text is "B:<sender>:<seq>:<sentAtMicros>:padding"
    const at = str.indexOf('"text":"B:');
    if (at < 0) {
      const s = str.indexOf('"text":"S:');
      if (s >= 0 && c.stormChatAt === undefined) {
        // Storm: "S:<sentAtMicros>", sent once by the probe right after the last welcome.
        c.stormChatAt = NOW();
        c.stormChatLatency = Number(process.hrtime.bigint() / 1000n) - parseInt(str.slice(s + 10), 10);
        stormChatReached++;
      }
      return;
    }
    recordCopy(c, str, at + 10);
  }

  /** One copy of a benchmark broadcast; `i` is where "<sender>:<seq>:<sentAtMicros>:" starts in str. */
  function recordCopy(c, str, i) {
    // Digits up to a ':'; anything else (a line a server cut or mangled) is not a copy.
    let sender = 0;
    let ch;
    while ((ch = str.charCodeAt(i++)) >= 48 && ch <= 57) {
      sender = sender * 10 + (ch - 48);
    }
    if (ch !== 58) {
      state.malformed++;
      return;
    }
    let seq = 0;
    while ((ch = str.charCodeAt(i++)) >= 48 && ch <= 57) {
      seq = seq * 10 + (ch - 48);
    }
    if (ch !== 58) {
      state.malformed++;
      return;
    }
    let sentAt = 0;
    while ((ch = str.charCodeAt(i++)) >= 48 && ch <= 57) {
      sentAt = sentAt * 10 + (ch - 48);
    }
    if (ch !== 58) {
      state.malformed++;
      return;
    }
    if (!state.seen || sender >= state.senders || seq >= state.messages || !c.seen) {
      return;
    }
    const now = Number(process.hrtime.bigint() / 1000n);
    const latency = now - sentAt;
    const bucket = histIndex(latency);
    state.hist[bucket]++;
    if (latency > state.histMax) {
      state.histMax = latency;
    }
    // A sender is client `sender`, so it sits on node sender % nodes.
    if (sender % nodes !== c.node) {
      state.histCross[bucket]++;
      if (latency > state.histCrossMax) {
        state.histCrossMax = latency;
      }
    }
    else {
      state.histLocal[bucket]++;
      if (latency > state.histLocalMax) {
        state.histLocalMax = latency;
      }
    }
    state.received++;
    state.lastRecv = now / 1000;
    const bit = sender * state.messages + seq;
    const byte = bit >> 3;
    const mask = 1 << (bit & 7);
    if (c.seen[byte] & mask) {
      state.duplicates++;
    }
    else {
      c.seen[byte] |= mask;
      state.unique++;
      if (seq < c.lastSeq[sender]) {
        state.outOfOrder++;
      }
    }
    if (seq > c.lastSeq[sender]) {
      c.lastSeq[sender] = seq;
    }
    if (c.sender !== undefined && c.sender === sender) {
      c.outstanding--;
      if (c.pump) {
        c.pump();
      }
    }
  }

  function onMessage(c, data) {
    const str = data.toString('latin1');
    c.received++;
    frames++;
    if (c.sio) {
      onSocketIo(c, str, data);
      return;
    }
    if (str.startsWith('{"type":"chat"')) {
      onChat(c, str);
      return;
    }
    if (str.startsWith('{"type":"presence"')) {
      // Version 1 sends one frame per change; version 2 also `batch` (several changes) and `count`.
      c.presenceFrames = (c.presenceFrames || 0) + 1;
      c.presenceBytes = (c.presenceBytes || 0) + data.length;
      if (str.includes('"event":"batch"')) {
        c.batchFrames = (c.batchFrames || 0) + 1;
        c.batchChanges = (c.batchChanges || 0) + (str.split('{"event":').length - 1);
      }
      else if (str.includes('"event":"count"')) {
        c.countFrames = (c.countFrames || 0) + 1;
      }
      return;
    }
    if (str.startsWith('{"type":"welcome"')) {
      welcomed(c, JSON.parse(data.toString()));
      return;
    }
    if (str.startsWith('{"type":"kicked"')) {
      const event = JSON.parse(data.toString());
      c.kickedTs = event.ts;
      c.kickedAt = NOW();
      c.kickReason = event.reason;
      return;
    }
    if (str.startsWith('{"type":"error"')) {
      errorEvents++;
    }
    if (soakState) {
      soakState.received++;
    }
  }

  /**
   * One Engine.IO 4 packet of a Socket.IO client on the WebSocket transport: `0{...}` open (answered
   * with `40`, connect to the main namespace), `40{sid}` connected, `2` ping (answered with `3`),
   * `42[event, payload]` an event, `41`/`44` disconnected or refused.
   */
  function onSocketIo(c, str, data) {
    if (str.startsWith('42["chat"')) {
      onChat(c, str);
      return;
    }
    if (str === '2') {
      c.ws.send('3');
      return;
    }
    if (str.startsWith('42["welcome"')) {
      welcomed(c, JSON.parse(data.toString().slice(2))[1]);
      return;
    }
    if (str.startsWith('0{')) {
      c.ws.send('40');
      return;
    }
    if (str.startsWith('40')) {
      return;
    }
    errorEvents++;
  }

  function welcomed(c, event) {
    c.welcomeTs = event.ts;
    c.welcomedAt = NOW();
    c.name = event.name;
    // Socket.IO's welcome has no idle timeout.
    timeoutMs = (event.timeoutSeconds || 0) * 1000;
    if (c.onWelcome) {
      c.onWelcome();
    }
  }

  /**
   * `urls` is one URL or several, comma-separated (the nodes of a cluster): client `index` connects
   * to node index % n. With `protocol` socketio each URL is a Socket.IO path (ws://host:port/socket.io/).
   */
  function open(urls, index, prefix, addresses, extra, protocol) {
    return new Promise((resolve) => {
      const name = `${prefix}-${index}`;
      const list = String(urls).split(',');
      const node = index % list.length;
      const sio = protocol === 'socketio';
      const c = { index, name, open: false, received: 0, node, sio, ...extra };
      const address = '127.0.0.' + (2 + (index % addresses));
      let url = list[node];
      if (sio) {
        url += (url.includes('?') ? '&' : '?') + 'EIO=4&transport=websocket';
      }
      const target = url + (url.includes('?') ? '&' : '?') + 'name=' + encodeURIComponent(name);
      const ws = new Client(target, { localAddress: /\/\/(127\.|localhost)/.test(url) ? address : undefined, perMessageDeflate: false, handshakeTimeout: 120000 });
      c.ws = ws;
      let settled = false;
      const done = (ok, error) => {
        if (!settled) {
          settled = true;
          resolve({ c, ok, error });
        }
      };
      c.onWelcome = () => {
        if (c.pauseOnWelcome && ws._socket) {
          // From now on nothing is read: the kernel buffers fill at their initial size.
          ws._socket.pause();
        }
        done(true);
      };
      ws.on('open', () => {
        c.open = true;
      });
      ws.on('message', (data) => onMessage(c, data));
      ws.on('close', (code) => {
        c.open = false;
        c.closeCode = code;
        c.closedAt = NOW();
        if (state.sending) {
          state.closedDuringRun++;
        }
        if (c.onClose) {
          c.onClose(code);
        }
        done(false, 'closed ' + code);
      });
      ws.on('error', (e) => done(false, e.message));
    });
  }

  /**
   * A line-protocol client (the original IM system's TCP protocol, as `nc` speaks it), with the
   * surface of a WebSocket that the broadcast code uses: send(text) writes text + "\n". It counts
   * as welcomed when its own join line `[<its address>]...` arrives (both servers send the joiner
   * its own join).
   */
  function openLine(body, index, extra) {
    return new Promise((resolve) => {
      const c = { index, name: null, open: false, received: 0, line: true, node: 0, ...extra };
      const socket = net.connect({ host: body.host, port: body.port, localAddress: '127.0.0.' + (2 + (index % body.addresses)) });
      socket.setNoDelay(true);
      let me = null;
      let carry = '';
      let settled = false;
      const done = (ok, error) => {
        if (!settled) {
          settled = true;
          resolve({ c, ok, error });
        }
      };
      c.ws = {
        send: (text) => socket.write(text + '\n'),
        terminate: () => socket.destroy(),
        close: () => socket.end(),
        get readyState() {
          return c.open ? 1 : 3;
        },
        _socket: socket,
      };
      const onLine = (line) => {
        c.received++;
        frames++;
        if (c.welcomedAt === undefined) {
          if (me !== null && line.startsWith(me)) {
            c.welcomedAt = NOW();
            done(true);
          }
          return;
        }
        // "[addr]name:B:<sender>:<seq>:<sentAtMicros>:padding"; a server that broadcasts what one
        // read() returned (the Go original) may put several sent lines into one, each after a "\n".
        const at = line.indexOf('B:');
        if (at >= 0) {
          if (at === 0) {
            state.unprefixed++;
          }
          recordCopy(c, line, at + 2);
        }
      };
      socket.on('connect', () => {
        c.open = true;
        me = '[' + socket.localAddress + ':' + socket.localPort + ']';
      });
      socket.on('data', (buf) => {
        const text = carry + buf.toString('latin1');
        let start = 0;
        let nl;
        while ((nl = text.indexOf('\n', start)) >= 0) {
          onLine(text.slice(start, nl));
          start = nl + 1;
        }
        // A server that never ends a line cannot grow this without bound.
        carry = text.length - start > 65536 ? '' : text.slice(start);
      });
      socket.on('close', () => {
        c.open = false;
        c.closedAt = NOW();
        if (state.sending) {
          state.closedDuringRun++;
        }
        done(false, 'closed');
      });
      socket.on('error', (e) => done(false, e.message));
    });
  }

  async function connect(body) {
    Client = (body.client === 'lean') ? LeanWebSocket : require('ws');
    if (body.url) {
      nodes = String(body.url).split(',').length;
    }
    const result = { welcomed: 0, failed: 0, errors: [], lastWelcome: 0 };
    const queue = body.indices.slice();
    const deadline = NOW() + body.timeoutMs;
    const runOne = async () => {
      while (queue.length && NOW() < deadline) {
        const index = queue.shift();
        const role = (body.activeBelow !== undefined) ? (index < body.activeBelow ? 'active' : 'silent')
          : (body.slowFrom !== undefined && index >= body.slowFrom) ? 'slow' : 'normal';
        const { c, ok, error } = body.line ? await openLine(body, index, { role })
          : await open(body.url, index, body.prefix, body.addresses, { role, pauseOnWelcome: role === 'slow' && body.pauseOnWelcome }, body.protocol);
        clients.push(c);
        if (ok) {
          result.welcomed++;
          result.lastWelcome = Math.max(result.lastWelcome, c.welcomedAt);
          if (role === 'active') {
            // A private message to itself: activity without a broadcast.
            c.keepAlive = setInterval(() => {
              if (c.open) {
                c.ws.send(`to|${c.name}|still here`);
              }
            }, Math.max(200, Math.floor(timeoutMs / 5)));
          }
        }
        else {
          result.failed++;
          if (result.errors.length < 5) {
            result.errors.push(error);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: body.concurrency }, runOne));
    return result;
  }

  function reset(body) {
    state.senders = body.senders;
    state.messages = body.messages;
    state.seen = true;
    const bytes = Math.ceil(body.senders * body.messages / 8);
    for (const c of clients) {
      c.seen = new Uint8Array(bytes);
      c.lastSeq = new Int32Array(body.senders).fill(-1);
      c.sender = undefined;
      c.pump = null;
    }
    Object.assign(state, {
      received: 0, unique: 0, duplicates: 0, outOfOrder: 0, hist: new Float64Array(HIST_SIZE), histMax: 0,
      histCross: new Float64Array(HIST_SIZE), histCrossMax: 0, histLocal: new Float64Array(HIST_SIZE), histLocalMax: 0,
      firstSend: 0, lastRecv: 0, sent: 0, sendFailures: 0, closedDuringRun: 0, malformed: 0, unprefixed: 0,
    });
    return { receivers: clients.filter((c) => c.open).length };
  }

  function send(body) {
    const mine = clients.filter((c) => c.index < body.senders && c.open);
    state.sendsDone = mine.length === 0;
    state.sending = true;
    let active = mine.length;
    const padding = 'x'.repeat(Math.max(0, body.textSize - 24));
    const finished = () => {
      active--;
      if (active === 0) {
        state.sendsDone = true;
      }
    };
    const sendOne = (c) => {
      const now = Number(process.hrtime.bigint() / 1000n);
      if (!state.firstSend) {
        state.firstSend = now / 1000;
      }
      try {
        const text = `B:${c.sender}:${c.sent}:${now}:${padding}`;
        // The text is ASCII without quotes or backslashes: a JSON string as it is.
        c.ws.send(c.sio ? `42["chat","${text}"]` : text);
        c.sent++;
        c.outstanding++;
        state.sent++;
      }
      catch (e) {
        state.sendFailures++;
        c.sent = body.messages;
      }
    };
    for (const c of mine) {
      c.sender = c.index;
      c.sent = 0;
      c.outstanding = 0;
      if (body.rate > 0) {
        const perSender = body.rate / body.senders;
        const start = NOW();
        const timer = setInterval(() => {
          const owed = Math.min(body.messages, Math.floor((NOW() - start) * perSender / 1000) + 1);
          while (c.sent < owed && c.open) {
            sendOne(c);
          }
          if (c.sent >= body.messages || !c.open) {
            clearInterval(timer);
            finished();
          }
        }, 2);
      }
      else {
        c.pump = () => {
          while (c.outstanding < body.window && c.sent < body.messages && c.open) {
            sendOne(c);
          }
          if ((c.sent >= body.messages || !c.open) && !c.finished) {
            c.finished = true;
            finished();
          }
        };
        c.finished = false;
        c.pump();
      }
    }
    return {};
  }

  function report() {
    state.sending = false;
    return {
      received: state.received, unique: state.unique, duplicates: state.duplicates, outOfOrder: state.outOfOrder,
      hist: { counts: Array.from(state.hist), max: state.histMax }, histCross: { counts: Array.from(state.histCross), max: state.histCrossMax },
      histLocal: { counts: Array.from(state.histLocal), max: state.histLocalMax }, firstSend: state.firstSend, lastRecv: state.lastRecv,
      sent: state.sent, sendFailures: state.sendFailures, closedDuringRun: state.closedDuringRun, malformed: state.malformed,
      unprefixed: state.unprefixed,
    };
  }

  function idleReport() {
    const r = { serverLags: [], clientLags: [], silentKicked: 0, kickedAndClosedWithin2s: 0, silentClosed: 0, activeKicked: 0, activeClosed: 0, closeCodes: {}, otherwise: [] };
    for (const c of clients) {
      if (c.keepAlive) {
        clearInterval(c.keepAlive);
      }
      if (c.role === 'silent') {
        if (c.closedAt) {
          r.silentClosed++;
          r.closeCodes[c.closeCode] = (r.closeCodes[c.closeCode] || 0) + 1;
        }
        if (c.kickedTs !== undefined && c.kickReason === 'idle' && c.closeCode === 4408) {
          r.silentKicked++;
          if (c.closedAt - c.welcomedAt <= timeoutMs + 2000) {
            r.kickedAndClosedWithin2s++;
          }
          r.serverLags.push(c.kickedTs - c.welcomeTs - timeoutMs);
          r.clientLags.push(c.kickedAt - c.welcomedAt - timeoutMs);
        }
        else if (c.closedAt && r.otherwise.length < 5) {
          // What a silent client closed some other way saw, to tell a lost close frame from a lost kick.
          r.otherwise.push({ code: c.closeCode, kickedEvent: c.kickedTs !== undefined, closedAfterWelcomeMs: round(c.closedAt - c.welcomedAt, 1) });
        }
      }
      else if (c.role === 'active') {
        if (c.kickedTs !== undefined) {
          r.activeKicked++;
        }
        if (c.closedAt) {
          r.activeClosed++;
        }
      }
    }
    return r;
  }

  function setSlow(body) {
    for (const c of clients) {
      if (c.role === 'slow' && c.ws._socket) {
        if (body.paused) {
          c.ws._socket.pause();
        }
        else {
          c.ws._socket.resume();
        }
      }
    }
    return {};
  }

  function dropSlow() {
    for (let i = clients.length - 1; i >= 0; i--) {
      const c = clients[i];
      if (c.role === 'slow') {
        c.onClose = null;
        if (c.ws.readyState <= 1) {
          c.ws.terminate();
        }
        clients.splice(i, 1);
      }
    }
    return {};
  }

  function slowReport() {
    const r = { slowClosed: 0, readersClosed: 0, closeCodes: {}, readerCloseCodes: {} };
    for (const c of clients) {
      if (c.role === 'slow' && c.closedAt) {
        r.slowClosed++;
        r.closeCodes[c.closeCode] = (r.closeCodes[c.closeCode] || 0) + 1;
      }
      else if (c.role !== 'slow' && c.closedAt) {
        r.readersClosed++;
        r.readerCloseCodes[c.closeCode] = (r.readerCloseCodes[c.closeCode] || 0) + 1;
      }
    }
    return r;
  }

  async function closeAll() {
    for (const c of clients) {
      if (c.keepAlive) {
        clearInterval(c.keepAlive);
      }
      c.onClose = null;
      if (c.ws && c.ws.readyState <= 1) {
        c.ws.terminate();
      }
    }
    clients.length = 0;
    if (soakState) {
      soakState.stopped = true;
    }
    return {};
  }

  // Soak: each client lives, chats a little, goes silent until kicked, and comes back.
  let soakState = null;

  function soakStart(body) {
    const s = soakState = {
      connects: 0, welcomed: 0, failed: 0, idleKicks: 0, quits: 0, chatsSent: 0, privatesSent: 0, received: 0,
      closeCodes: {}, errors: [], stopped: false, timers: new Set(),
    };
    const endAt = NOW() + body.durationMs;
    const later = (fn, ms) => {
      const t = setTimeout(() => {
        s.timers.delete(t);
        if (!s.stopped) {
          fn();
        }
      }, ms);
      s.timers.add(t);
    };
    const life = async (index, generation) => {
      if (s.stopped || NOW() >= endAt) {
        return;
      }
      s.connects++;
      const { c, ok, error } = await open(body.url, index, body.prefix + generation.toString(36), body.addresses, { role: 'soak' });
      clients.push(c);
      const cleanup = () => {
        const i = clients.indexOf(c);
        if (i >= 0) {
          clients.splice(i, 1);
        }
      };
      if (!ok) {
        s.failed++;
        if (s.errors.length < 5) {
          s.errors.push(error);
        }
        cleanup();
        later(() => life(index, generation + 1), 1000 + Math.random() * 2000);
        return;
      }
      s.welcomed++;
      c.onClose = (code) => {
        s.closeCodes[code] = (s.closeCodes[code] || 0) + 1;
        if (code === 4408) {
          s.idleKicks++;
        }
        cleanup();
        later(() => life(index, generation + 1), Math.random() * 3000);
      };
      const quits = Math.random() < body.quitShare;
      let chats = Math.floor(Math.random() * (body.chats * 2 + 1));
      const chat = () => {
        if (!c.open) {
          return;
        }
        if (chats-- > 0) {
          if (Math.random() < body.broadcastShare) {
            c.ws.send(JSON.stringify({ type: 'chat', text: 'soak ' + s.chatsSent }));
            s.chatsSent++;
          }
          else {
            c.ws.send(`to|${c.name}|soak ${s.privatesSent}`);
            s.privatesSent++;
          }
          later(chat, 1000 + Math.random() * 4000);
        }
        else if (quits) {
          s.quits++;
          c.ws.close(1000, 'bye');
        }
        // Otherwise it stays silent until the server kicks it.
      };
      later(chat, 500 + Math.random() * 2000);
    };
    body.indices.forEach((index, k) => later(() => life(index, 0), (k / body.indices.length) * body.rampMs));
    return {};
  }

  function soakStop() {
    const s = soakState;
    s.stopped = true;
    for (const t of s.timers) {
      clearTimeout(t);
    }
    for (const c of clients) {
      c.onClose = null;
      if (c.ws.readyState <= 1) {
        c.ws.close(1000, 'soak over');
      }
    }
    return { ...s, timers: undefined, errorEvents };
  }

  function stormReport() {
    const r = { presenceFrames: [], presenceBytes: [], batchFrames: 0, batchChanges: 0, countFrames: 0, chatLatenciesMs: [], welcomed: 0, closed: 0, closeCodes: {}, errorFrames: errorEvents };
    for (const c of clients) {
      if (c.welcomedAt === undefined) {
        continue;
      }
      r.welcomed++;
      if (c.closedAt) {
        r.closed++;
        r.closeCodes[c.closeCode] = (r.closeCodes[c.closeCode] || 0) + 1;
      }
      r.presenceFrames.push(c.presenceFrames || 0);
      r.presenceBytes.push(c.presenceBytes || 0);
      r.batchFrames += c.batchFrames || 0;
      r.batchChanges += c.batchChanges || 0;
      r.countFrames += c.countFrames || 0;
      if (c.stormChatLatency !== undefined) {
        r.chatLatenciesMs.push(c.stormChatLatency / 1000);
      }
    }
    return r;
  }

  const handlers = {
    stormReport,
    connect, reset, send, report, idleReport, setSlow, dropSlow, slowReport, closeAll,
    soak: soakStart, soakStop,
    status: () => ({ open: clients.filter((c) => c.open).length, received: clients.reduce((a, c) => a + c.received, 0), closed: clients.filter((c) => c.closedAt).length, timeoutMs }),
  };

  process.on('message', async (msg) => {
    if (msg.cmd === 'exit') {
      clearInterval(ticker);
      for (const c of clients) {
        if (c.ws) {
          c.ws.terminate();
        }
      }
      setTimeout(() => process.exit(0), 100);
      return;
    }
    const body = await handlers[msg.cmd](msg.body);
    process.send({ type: 'reply', id: msg.id, body });
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------- main

if (process.argv.includes('--worker')) {
  worker();
}
else {
  coordinator(parseArgs(process.argv.slice(2))).catch((e) => {
    process.stderr.write((e && e.stack) || String(e));
    process.stderr.write('\n');
    process.exit(1);
  });
}
