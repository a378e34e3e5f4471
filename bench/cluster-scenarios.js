'use strict';
// Issue 16's churn and failover scenarios (bench/run.sh cluster-churn, cluster-failover). They run
// a few hundred clients, so they live in the load generator's own process (no workers): every
// client's presence view is kept here and compared with `who` answers taken in the same process.
//
//   node loadgen.js churn    --url A,B --node-pids PA,PB --redis-port 16379 [--churn-rate 100 --duration 60]
//   node loadgen.js failover --url A,B --node-pids PA,PB --redis-port 16379 --admin-url http://A [--node-ttl 15]
//
// A client's view of the room: the names of a `who` answer taken while the room is quiet (no
// presence change in flight, checked), then every presence change applied in order, `batch`
// changes one by one; a `count` frame (over chat.presence.names-limit) carries no names, so the
// view cannot be kept and the run says so. Socket.IO's peer has neither presence nor `who`: its
// side of these scenarios reports connects, chat and what its clients see, and says so.

const WebSocket = require('ws');

module.exports = function clusterScenarios(h) {
  const { NOW, sleep, num, round, exactSummary, proc, cpuCores, redisStats, common, nodePidList } = h;

  const micros = () => Number(process.hrtime.bigint() / 1000n);
  // Frames of ours that did not parse as JSON (none should).
  const malformed = { count: 0, examples: [] };

  /**
   * One client of either protocol. Ours: JSON frames of the contract. Socket.IO: Engine.IO 4 over a
   * raw WebSocket (`0{..}` open -> `40`, ping `2` -> `3`, `42["event",payload]`), events mapped to
   * the same {type, ...} objects. `onEvent(c, event, at)` gets every event but chat copies, which go
   * to `onChat(c, sender, seq, sentAtMicros)`.
   */
  function open(url, name, opts) {
    const sio = opts.protocol === 'socketio';
    let target = url;
    if (sio) {
      target += (target.includes('?') ? '&' : '?') + 'EIO=4&transport=websocket';
    }
    if (name) {
      target += (target.includes('?') ? '&' : '?') + 'name=' + encodeURIComponent(name);
    }
    const c = {
      requested: name, name: null, node: opts.node, sio, startedAt: NOW(), welcomedAt: null, closedAt: null, closeCode: null,
      view: null, online: null, anomalies: [], countFrames: 0, lastViewChangeAt: null, pendingWho: [], frames: 0, nameTaken: false,
    };
    c.ws = new WebSocket(target, { localAddress: opts.localAddress, perMessageDeflate: false, handshakeTimeout: 30000 });
    c.welcome = new Promise((resolve) => {
      c.resolveWelcome = resolve;
    });
    c.ws.on('message', (data) => {
      const str = data.toString();
      c.frames++;
      if (sio) {
        if (str === '2') {
          c.ws.send('3');
          return;
        }
        if (str.startsWith('0{')) {
          c.ws.send('40');
          return;
        }
        if (!str.startsWith('42[')) {
          return;
        }
        const [type, payload] = JSON.parse(str.slice(2));
        if (type === 'chat') {
          chatCopy(c, payload.text, opts);
          return;
        }
        handle(c, { type, ...payload }, opts);
        return;
      }
      if (str.startsWith('{"type":"chat"')) {
        const i = str.indexOf('"text":"');
        chatCopy(c, str.slice(i + 8, str.indexOf('"', i + 8)), opts);
        return;
      }
      let event;
      try {
        event = JSON.parse(str);
      }
      catch (e) {
        // Not JSON: a server bug; kept (the first few, whole) for the report.
        malformed.count++;
        if (malformed.examples.length < 3) {
          malformed.examples.push({ client: c.name, node: c.node, at: NOW(), error: e.message, frameBase64: data.toString('base64') });
        }
        return;
      }
      handle(c, event, opts);
    });
    c.ws.on('close', (code) => {
      c.closedAt = NOW();
      c.closeCode = code;
      c.resolveWelcome(false);
      for (const w of c.pendingWho.splice(0)) {
        w.resolve(null);
      }
      if (opts.onClose) {
        opts.onClose(c);
      }
    });
    c.ws.on('error', () => {
      // 'close' follows.
    });
    return c;
  }

  function chatCopy(c, text, opts) {
    // "C:<sender>:<seq>:<sentAtMicros>"
    if (!text.startsWith('C:') || !opts.onChat) {
      return;
    }
    const [, sender, seq, sentAt] = text.split(':');
    opts.onChat(c, Number(sender), Number(seq), Number(sentAt));
  }

  function handle(c, e, opts) {
    const at = NOW();
    if (e.type === 'welcome') {
      c.name = e.name;
      c.welcomedAt = at;
      c.online = e.online;
      c.resolveWelcome(true);
    }
    else if (e.type === 'error' && e.code === 'name-taken') {
      c.nameTaken = true;
    }
    else if (e.type === 'renamed') {
      c.name = e.name;
      if (c.onRenamed) {
        c.onRenamed(e);
      }
    }
    else if (e.type === 'users') {
      const w = c.pendingWho.shift();
      if (w) {
        w.resolve({ names: e.users.map((u) => u.name), ms: at - w.sentAt, at });
      }
    }
    else if (e.type === 'presence') {
      c.online = e.online;
      if (e.event === 'count') {
        c.countFrames++;
      }
      else if (c.view) {
        const changes = e.event === 'batch' ? e.changes : [e];
        for (const ch of changes) {
          apply(c, ch, at);
        }
      }
      else if (c.whoInFlightForView) {
        c.presenceWhileTakingView = (c.presenceWhileTakingView || 0) + 1;
      }
      if (opts.onPresence) {
        opts.onPresence(c, e, at);
      }
    }
  }

  /** One presence change on a client's view; what cannot happen in a correct stream is an anomaly. */
  function apply(c, ch, at) {
    const key = (n) => n.toLowerCase();
    if (ch.event === 'join') {
      if (c.view.has(key(ch.name))) {
        c.anomalies.push({ at, what: 'join of a listed name', name: ch.name });
      }
      c.view.add(key(ch.name));
    }
    else if (ch.event === 'leave') {
      if (!c.view.delete(key(ch.name))) {
        c.anomalies.push({ at, what: 'leave of an unlisted name', name: ch.name });
      }
    }
    else if (ch.event === 'rename') {
      if (!c.view.delete(key(ch.previousName))) {
        c.anomalies.push({ at, what: 'rename of an unlisted name', name: ch.previousName });
      }
      if (c.view.has(key(ch.name)) && key(ch.name) !== key(ch.previousName)) {
        c.anomalies.push({ at, what: 'rename to a listed name', name: ch.name });
      }
      c.view.add(key(ch.name));
    }
    c.lastViewChangeAt = at;
  }

  function who(c, timeoutMs = 5000) {
    return new Promise((resolve) => {
      if (c.ws.readyState !== 1) {
        resolve(null);
        return;
      }
      const w = { sentAt: NOW(), resolve };
      c.pendingWho.push(w);
      c.ws.send('{"type":"who"}');
      setTimeout(() => {
        const i = c.pendingWho.indexOf(w);
        if (i >= 0) {
          c.pendingWho.splice(i, 1);
          resolve(null);
        }
      }, timeoutMs);
    });
  }

  function sendChat(c, text) {
    if (c.ws.readyState !== 1) {
      return false;
    }
    c.ws.send(c.sio ? '42' + JSON.stringify(['chat', text]) : JSON.stringify({ type: 'chat', text }));
    return true;
  }

  /** Opens `count` clients named prefix-i, client i on node i % n, `concurrency` handshakes at a time. */
  async function openMany(urls, prefix, count, opts, concurrency = 50) {
    const clients = [];
    for (let i = 0; i < count; i += concurrency) {
      const batch = [];
      for (let j = i; j < Math.min(count, i + concurrency); j++) {
        const node = j % urls.length;
        const c = open(urls[node], `${prefix}-${j}`, { ...opts, node, localAddress: '127.0.0.' + (2 + (j % 8)) });
        c.index = j;
        clients.push(c);
        batch.push(c.welcome);
      }
      await Promise.all(batch);
    }
    return clients;
  }

  /** Waits until no presence frame has reached any of `clients` for quietMs, at most maxMs. */
  async function quiet(clients, quietMs, maxMs) {
    const until = NOW() + maxMs;
    let last = -1;
    let since = NOW();
    while (NOW() < until) {
      await sleep(100);
      const frames = clients.reduce((a, c) => a + c.frames, 0);
      if (frames !== last) {
        last = frames;
        since = NOW();
      }
      else if (NOW() - since >= quietMs) {
        return true;
      }
    }
    return false;
  }

  /** Every tracked client's view starts as its own `who` answer, taken while the room is quiet. */
  /**
   * `who` from every client, `concurrency` in flight. The server answers `who` with its own node's
   * users alone when its Redis read fails (a 1 s command timeout included), and the answer does not
   * say so: 200 at once on this loaded machine gave 74 such answers. So at most a few at a time,
   * and an answer shorter than `expected` is asked again (up to 3 times) and counted.
   */
  async function whoAll(clients, concurrency, expected) {
    const answers = new Array(clients.length).fill(null);
    let short = 0;
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < clients.length; i = next++) {
        for (let t = 0; t < 3; t++) {
          answers[i] = await who(clients[i], 10000);
          if (!answers[i] || expected === undefined || answers[i].names.length >= expected) {
            break;
          }
          short++;
        }
      }
    };
    await Promise.all([...Array(concurrency).keys()].map(lane));
    return { answers, short };
  }

  /** Every tracked client's view starts as its own `who` answer, taken while the room is quiet. */
  async function takeViews(clients, expected) {
    clients.forEach((c) => {
      c.whoInFlightForView = true;
    });
    const { answers, short } = await whoAll(clients, 10, expected);
    clients.forEach((c, i) => {
      c.whoInFlightForView = false;
      c.view = new Set(answers[i] ? answers[i].names.map((n) => n.toLowerCase()) : []);
    });
    return {
      presenceFramesMeanwhile: clients.reduce((a, c) => a + (c.presenceWhileTakingView || 0), 0),
      unanswered: answers.filter((a) => !a).length,
      expectedSize: expected, shortAnswersAskedAgain: short,
      whoSizes: countBy(answers.filter((a) => a).map((a) => a.names.length)),
      whoMs: exactSummary(answers.filter((a) => a).map((a) => a.ms)),
    };
  }

  /** Chat among the tracked clients: `senders` of them, each `rate` messages/s. */
  function chatter(clients, senders, rate) {
    const sent = new Array(senders).fill(0);
    const receivedBy = new Map(); // client -> per-sender count
    const latencies = [];
    const timers = [];
    let running = true;
    for (let s = 0; s < senders && s < clients.length; s++) {
      const c = clients[s];
      const step = () => {
        if (!running) {
          return;
        }
        if (sendChat(c, `C:${s}:${sent[s]}:${micros()}`)) {
          sent[s]++;
        }
        timers[s] = setTimeout(step, 1000 / rate);
      };
      timers[s] = setTimeout(step, Math.random() * 1000 / rate);
    }
    const onChat = (c, sender, seq, sentAt) => {
      if (!receivedBy.has(c)) {
        receivedBy.set(c, new Array(senders).fill(0));
      }
      receivedBy.get(c)[sender]++;
      latencies.push((micros() - sentAt) / 1000);
    };
    return {
      onChat,
      stop: () => {
        running = false;
        for (const t of timers) {
          clearTimeout(t);
        }
      },
      report: (receivers) => {
        const totalSent = sent.reduce((a, x) => a + x, 0);
        let delivered = 0;
        for (const c of receivers) {
          const r = receivedBy.get(c);
          delivered += r ? r.reduce((a, x) => a + x, 0) : 0;
        }
        return { senders, ratePerSender: rate, sent: totalSent, receivers: receivers.length, expected: totalSent * receivers.length, delivered, latencyMs: exactSummary(latencies) };
      },
      sentBy: (s) => sent[s],
      receivedFrom: (c, s) => (receivedBy.get(c) || [])[s] || 0,
    };
  }

  function nodeUsage(pids, before, after) {
    return pids.map((pid, i) => ({
      pid, cpuCores: cpuCores(before[i], after[i]),
      cpuMs: before[i] && after[i] ? round((after[i].cpuTicks - before[i].cpuTicks) * 10, 0) : null,
      rssEndKb: after[i] ? after[i].rssKb : null,
    }));
  }

  function redisUsage(before, after) {
    if (!before || !after) {
      return null;
    }
    const seconds = (after.at - before.at) / 1000;
    const calls = {};
    for (const [cmd, n] of Object.entries(after.calls)) {
      const d = n - (before.calls[cmd] || 0);
      if (d > 0) {
        calls[cmd] = d;
      }
    }
    const cpuMs = (after.cpuSeconds - before.cpuSeconds) * 1000;
    return { seconds: round(seconds, 3), cpuMs: round(cpuMs, 0), cpuCores: round(cpuMs / 1000 / seconds, 4), calls };
  }

  // ------------------------------------------------------------------------------------- churn

  /**
   * --clients stable clients (split over the nodes, --senders of them chatting at --chat-rate
   * messages/s each) watch while --churn-rate clients a second connect with a name of their own,
   * stay --lifetime ms after their welcome and close, for --duration seconds. One stable client per
   * node asks `who` all along (one in flight, every --who-every ms). --check-after ms after the last
   * churner's close came back, every stable client asks `who` and its view is compared with the
   * answer.
   */
  async function churn(args) {
    const urls = String(args.url).split(',');
    const protocol = args.protocol || 'chat';
    const ours = protocol !== 'socketio';
    const stable = num(args, 'clients', 200);
    const senders = Math.min(stable, num(args, 'senders', 10));
    const chatRate = num(args, 'chat-rate', 5);
    const churnRate = num(args, 'churn-rate', 100);
    const duration = num(args, 'duration', 60);
    const lifetime = num(args, 'lifetime', 1000);
    const checkAfter = num(args, 'check-after', 1000);
    const whoEvery = num(args, 'who-every', 100);
    const runId = Date.now().toString(36).slice(-5);
    const out = common(args, 'churn');
    out.params = { nodes: urls.length, protocol, stableClients: stable, senders, chatRatePerSender: chatRate, churnRatePerSecond: churnRate, durationSeconds: duration, churnerLifetimeMs: lifetime, checkAfterMs: checkAfter, whoEveryMs: whoEvery };
    let talk = null; // the chatter, once the stable clients are in
    const clients = await openMany(urls, `s${runId}`, stable, { protocol, onChat: (c, s, q, t) => talk && talk.onChat(c, s, q, t) });
    const welcomed = clients.filter((c) => c.welcomedAt !== null).length;
    out.stable = { requested: stable, welcomed };
    if (welcomed < stable) {
      out.error = 'not every stable client was welcomed';
      clients.forEach((c) => c.ws.terminate());
      return out;
    }
    if (ours) {
      out.stable.quietBeforeViews = await quiet(clients, 1500, 30000);
      out.stable.views = await takeViews(clients, stable);
    }
    talk = chatter(clients, senders, chatRate);

    // `who` all along, from one stable client per node.
    const whoSamples = [];
    let whoShort = 0;
    let probing = ours;
    const probes = ours ? urls.map((u, n) => clients.find((c) => c.node === n)) : [];
    const probeLoops = probes.map(async (p) => {
      for (let i = 0; i < 100000 && probing; i++) {
        const a = await who(p, 5000);
        whoSamples.push(a ? a.ms : Infinity);
        if (a && a.names.length < stable) {
          // Fewer than the stable clients alone: the answer of a node that could not read Redis.
          whoShort++;
        }
        await sleep(whoEvery);
      }
    });

    const pids = nodePidList(args);
    const nodesBefore = pids.map(proc);
    const redisBefore = redisStats(args);
    const churners = [];
    let openChurners = 0;
    let maxOpen = 0;
    let skipped = 0;
    const startAt = NOW();
    const total = Math.round(churnRate * duration);
    for (let i = 0; i < total; i++) {
      const due = startAt + (i * 1000) / churnRate;
      const wait = due - NOW();
      if (wait > 0) {
        await sleep(wait);
      }
      if (openChurners >= churnRate * 20) {
        // Bounded: churners piling up (welcomes far behind) are not added to.
        skipped++;
        continue;
      }
      const node = i % urls.length;
      const c = open2(urls[node], `k${runId}-${i}`, node, i);
      churners.push(c);
    }
    function open2(url, name, node, i) {
      openChurners++;
      maxOpen = Math.max(maxOpen, openChurners);
      const c = open(url, name, { protocol, node, localAddress: '127.0.0.' + (10 + (i % 8)), onClose: () => { openChurners--; } });
      c.welcome.then((ok) => {
        if (ok) {
          setTimeout(() => c.ws.close(1000, 'churn'), lifetime);
        }
      });
      return c;
    }
    const lastStartedAt = NOW();
    process.stderr.write(`churn: ${churners.length} churners started, ${skipped} skipped, waiting for ${openChurners} to close\n`);
    // The churn is over when every churner is closed (its close came back or the socket died).
    const closedBy = NOW() + lifetime + 30000;
    while (openChurners > 0 && NOW() < closedBy) {
      await sleep(20);
    }
    const churnStop = Math.max(...churners.map((c) => c.closedAt || 0));
    talk.stop();
    probing = false;
    await Promise.all(probeLoops);
    await sleep(Math.max(0, churnStop + 500 - NOW())); // the last chats sent reach their receivers before they are counted
    const nodesAfter = pids.map(proc);
    const redisAfter = redisStats(args);

    const ok = churners.filter((c) => c.welcomedAt !== null);
    const ownName = ok.filter((c) => c.name && c.name.toLowerCase() === c.requested.toLowerCase());
    const churnSeconds = (lastStartedAt - startAt) / 1000;
    out.churn = {
      started: churners.length, skippedBecausePiledUp: skipped, welcomed: ok.length, failed: churners.length - ok.length,
      failedCloseCodes: countBy(churners.filter((c) => c.welcomedAt === null).map((c) => c.closeCode)),
      withOwnName: ownName.length, nameTaken: churners.filter((c) => c.nameTaken).length,
      secondsOfChurn: round(churnSeconds, 2),
      connectsPerSecond: round(churners.length / churnSeconds, 1),
      nameClaimsPerSecond: ours ? round(ownName.length / churnSeconds, 1) : null,
      welcomeLatencyMs: exactSummary(ok.map((c) => c.welcomedAt - c.startedAt)),
      maxOpenChurners: maxOpen,
      note: ours ? 'a churner asks for its own name (?name=); a welcome with that name is one name claim across the cluster (Redis)'
        : 'Socket.IO peer: names are unique per node only, there is no cluster-wide claim; connectsPerSecond is its figure',
    };
    out.whoLatencyMs = ours ? { ...exactSummary(whoSamples.filter((x) => x !== Infinity)), unanswered: whoSamples.filter((x) => x === Infinity).length, answersListingFewerThanTheStableClients: whoShort, note: 'one probe per node, one who in flight, the next whoEveryMs after the answer, from the first churner to the last close' } : 'n/a: the Socket.IO peer has no who';
    out.chat = talk.report(clients);
    // A stable client never leaves by itself: one closed here was closed by the server.
    out.stableClosed = { count: clients.filter((c) => c.closedAt !== null).length, closeCodes: countBy(clients.filter((c) => c.closedAt !== null).map((c) => c.closeCode)) };
    out.nodesDuringChurn = nodeUsage(pids, nodesBefore, nodesAfter);
    out.redisDuringChurn = redisUsage(redisBefore, redisAfter);

    if (ours) {
      // Presence delivery: at churnStop + checkAfter every stable client compares its view with `who`.
      const wait = churnStop + checkAfter - NOW();
      out.presence = { checkedAtMsAfterChurnStop: null };
      if (wait > 0) {
        await sleep(wait);
      }
      // The views as they are now; the room no longer changes (the churners are gone, the stable
      // clients stay), so `who` answers taken next are the truth for this moment.
      out.presence.checkedAtMsAfterChurnStop = round(NOW() - churnStop, 0);
      const snapshot = clients.map((c) => ({ view: new Set(c.view), online: c.online }));
      const expectedNames = new Set(clients.map((c) => c.name.toLowerCase()));
      const { answers, short } = await whoAll(clients, 10);
      out.presence.atCheck = compareViews(clients, snapshot, answers, expectedNames);
      out.presence.atCheck.whoAnswersShorterThanTheRoom = short;
      await sleep(2000);
      const later = await whoAll(clients, 10);
      out.presence.twoSecondsLater = compareViews(clients, clients.map((c) => ({ view: c.view, online: c.online })), later.answers, expectedNames);
      out.presence.countFrames = clients.reduce((a, c) => a + c.countFrames, 0);
      out.presence.anomalies = clients.reduce((a, c) => a + c.anomalies.length, 0);
      out.presence.anomalyExamples = clients.flatMap((c) => c.anomalies.map((x) => ({ client: c.name, ...x, at: round(x.at - startAt, 0) }))).slice(0, 10);
      out.presence.lastViewChangeAfterChurnStopMs = exactSummary(clients.map((c) => Math.max(0, (c.lastViewChangeAt || 0) - churnStop)));
      out.presence.target = `every stable client's view equals its who within ${checkAfter} ms of the churn stopping`;
      out.presence.met = out.presence.atCheck.viewEqualsWho === clients.length && out.presence.atCheck.viewEqualsExpected === clients.length
        && out.presence.countFrames === 0 && out.presence.anomalies === 0;
    }
    else {
      out.presence = 'n/a: the Socket.IO peer sends no presence and has no who; nothing to compare';
    }
    out.malformedFrames = malformed;
    clients.forEach((c) => c.ws.terminate());
    return out;
  }

  /**
   * Each view against its client's `who` answer, and against the names expected (the stable
   * clients: every churner has left). A `who` answer that lists only its node's users (see whoAll)
   * shows up as whoShorterThanExpected, not as a wrong view.
   */
  function compareViews(clients, views, answers, expectedNames) {
    let equal = 0;
    let equalExpected = 0;
    let unanswered = 0;
    let whoShort = 0;
    let onlineMatches = 0;
    const diffs = [];
    const same = (a, b) => a.size === b.size && [...a].every((n) => b.has(n));
    clients.forEach((c, i) => {
      const { view, online } = views[i];
      if (same(view, expectedNames)) {
        equalExpected++;
      }
      if (online === expectedNames.size) {
        onlineMatches++;
      }
      const a = answers[i];
      if (!a) {
        unanswered++;
        return;
      }
      const truth = new Set(a.names.map((n) => n.toLowerCase()));
      if (!same(truth, expectedNames)) {
        whoShort++;
      }
      if (same(view, truth)) {
        equal++;
      }
      else if (diffs.length < 5) {
        const missing = [...truth].filter((n) => !view.has(n));
        const extra = [...view].filter((n) => !truth.has(n));
        diffs.push({ client: c.name, missing: missing.slice(0, 5), extra: extra.slice(0, 5), missingCount: missing.length, extraCount: extra.length });
      }
    });
    return {
      clients: clients.length, viewEqualsWho: equal, viewEqualsExpected: equalExpected, unanswered, whoNotExpected: whoShort,
      lastOnlineEqualsExpected: onlineMatches, expectedSize: expectedNames.size, examples: diffs,
    };
  }

  function countBy(list) {
    const out = {};
    for (const x of list) {
      out[x] = (out[x] || 0) + 1;
    }
    return out;
  }

  // ------------------------------------------------------------------------------------- failover

  /**
   * --clients split over two nodes, --senders chatting (half per node) at --chat-rate each. After a
   * quiet baseline, kill -9 of the second node (the second of --node-pids). Measured: for every
   * client of the survivor, when it has seen the leave of every user of the killed node (ours); when
   * the killed node's clients saw their sockets close; how long until they are back on the survivor
   * under their own names (they reconnect after --reconnect-delay ms and, when the name is still
   * taken, ask for it again with `rename` every second); chat between survivors across the kill;
   * and, polled all along, whether any name is listed twice by `who` (a survivor client) or by GET
   * /api/admin/users (--admin-url, the survivor).
   */
  async function failover(args) {
    const urls = String(args.url).split(',');
    if (urls.length !== 2) {
      throw new Error('failover needs two nodes (--url A,B)');
    }
    const protocol = args.protocol || 'chat';
    const ours = protocol !== 'socketio';
    const total = num(args, 'clients', 400);
    const senders = Math.min(total, num(args, 'senders', 10));
    const chatRate = num(args, 'chat-rate', 5);
    const nodeTtl = num(args, 'node-ttl', 15);
    const reconnectDelay = num(args, 'reconnect-delay', 1000);
    const pids = nodePidList(args);
    const runId = Date.now().toString(36).slice(-5);
    const out = common(args, 'failover');
    out.params = { nodes: 2, protocol, clients: total, senders, chatRatePerSender: chatRate, nodeTtlSeconds: nodeTtl, reconnectDelayMs: reconnectDelay, killed: `node 2 of 2 (pid ${pids[1]}), kill -9` };
    let talk = null;
    let killAt = null;
    const onPresence = (c, e, at) => {
      if (killAt === null || c.node !== 0) {
        return;
      }
      const changes = e.event === 'batch' ? e.changes : [e];
      for (const ch of changes) {
        if (ch.event === 'leave' && victimNames.has(ch.name.toLowerCase())) {
          c.leavesSeen = c.leavesSeen || new Map();
          if (!c.leavesSeen.has(ch.name.toLowerCase())) {
            c.leavesSeen.set(ch.name.toLowerCase(), { at, reason: ch.reason });
          }
        }
      }
    };
    const victimNames = new Set();
    const clients = await openMany(urls, `f${runId}`, total, { protocol, onPresence, onChat: (c, s, q, t) => talk && talk.onChat(c, s, q, t) });
    if (clients.some((c) => c.welcomedAt === null)) {
      out.error = 'not every client was welcomed';
      clients.forEach((c) => c.ws.terminate());
      return out;
    }
    const survivors = clients.filter((c) => c.node === 0);
    const victims = clients.filter((c) => c.node === 1);
    victims.forEach((c) => victimNames.add(c.name.toLowerCase()));
    if (ours) {
      out.quietBeforeViews = await quiet(clients, 1500, 30000);
      out.views = await takeViews(survivors, total);
    }
    talk = chatter(clients, senders, chatRate);

    // Duplicate names, polled all along: `who` from one survivor client, GET /api/admin/users.
    const dup = { whoPolls: 0, whoUnanswered: 0, adminPolls: 0, adminErrors: {}, duplicates: [] };
    let polling = true;
    const checkDup = (names, source, at) => {
      const seen = new Set();
      for (const n of names) {
        const k = n.toLowerCase();
        if (seen.has(k) && dup.duplicates.length < 20) {
          dup.duplicates.push({ source, name: n, msAfterKill: killAt === null ? null : round(at - killAt, 0) });
        }
        seen.add(k);
      }
    };
    const whoPoller = (async () => {
      const probe = survivors[survivors.length - 1];
      for (let i = 0; i < 100000 && polling && ours; i++) {
        const a = await who(probe, 5000);
        if (a) {
          dup.whoPolls++;
          checkDup(a.names, 'who', a.at);
        }
        else {
          dup.whoUnanswered++;
        }
        await sleep(200);
      }
    })();
    const adminPoller = (async () => {
      for (let i = 0; i < 100000 && polling && ours && args['admin-url']; i++) {
        try {
          const res = await fetch(args['admin-url'] + '/api/admin/users', { headers: { authorization: 'Basic ' + Buffer.from(args['admin-auth'] || 'admin:bench').toString('base64') }, signal: AbortSignal.timeout(5000) });
          if (res.ok) {
            dup.adminPolls++;
            checkDup((await res.json()).map((u) => u.name), 'admin', NOW());
          }
          else {
            dup.adminErrors[res.status] = (dup.adminErrors[res.status] || 0) + 1;
          }
        }
        catch (e) {
          dup.adminErrors[e.name] = (dup.adminErrors[e.name] || 0) + 1;
        }
        await sleep(500);
      }
    })();

    await sleep(num(args, 'baseline', 3000));
    const sentBeforeKill = [...Array(senders).keys()].map((s) => talk.sentBy(s));
    const nodesBefore = pids.map(proc);
    const redisBefore = redisStats(args);
    // Reconnect: a killed node's client comes back on the survivor, asking for its own name.
    const back = [];
    for (const v of victims) {
      v.ws.removeAllListeners('close');
      v.ws.on('close', (code) => {
        v.closedAt = NOW();
        v.closeCode = code;
        setTimeout(() => back.push(reconnect(v)), reconnectDelay);
      });
    }
    function reconnect(v) {
      const c = open(urls[0], v.name, { protocol, node: 0, localAddress: '127.0.0.20' });
      const r = { name: v.name, startedAt: NOW(), c, ownNameAt: null, renameTries: 0 };
      c.welcome.then(async (ok) => {
        if (!ok) {
          return;
        }
        if (!c.nameTaken) {
          r.ownNameAt = c.welcomedAt;
          return;
        }
        c.onRenamed = (e) => {
          if (e.name.toLowerCase() === v.name.toLowerCase() && r.ownNameAt === null) {
            r.ownNameAt = NOW();
          }
        };
        for (let i = 0; i < 120 && r.ownNameAt === null && c.ws.readyState === 1 && polling; i++) {
          await sleep(1000);
          if (r.ownNameAt === null) {
            r.renameTries++;
            c.ws.send(JSON.stringify({ type: 'rename', name: v.name }));
          }
        }
      });
      return r;
    }

    killAt = NOW();
    process.kill(pids[1], 'SIGKILL');
    process.stderr.write(`failover: kill -9 ${pids[1]}\n`);
    const deadline = killAt + (ours ? (nodeTtl * 2 + 15) * 1000 : 15000);
    const allSeen = () => survivors.every((c) => c.leavesSeen && c.leavesSeen.size === victims.length);
    const allBack = () => back.length === victims.length && back.every((r) => r.ownNameAt !== null);
    while (NOW() < deadline) {
      await sleep(100);
      if ((!ours || allSeen()) && allBack() && victims.every((v) => v.closedAt !== null)) {
        break;
      }
    }
    await sleep(2000); // polls continue a little past recovery
    polling = false;
    talk.stop();
    await Promise.all([whoPoller, adminPoller]);
    await sleep(1000); // the last chats sent reach their receivers before they are counted
    const nodesAfter = pids.map(proc);
    const redisAfter = redisStats(args);

    out.killedNodeClients = {
      clients: victims.length, closed: victims.filter((v) => v.closedAt !== null).length,
      closeCodes: countBy(victims.map((v) => v.closeCode)),
      closedAfterKillMs: exactSummary(victims.filter((v) => v.closedAt !== null).map((v) => v.closedAt - killAt)),
      reconnected: back.filter((r) => r.c.welcomedAt !== null).length,
      backUnderOwnName: back.filter((r) => r.ownNameAt !== null).length,
      nameTakenOnReconnect: back.filter((r) => r.c.nameTaken).length,
      ownNameAfterKillMs: exactSummary(back.filter((r) => r.ownNameAt !== null).map((r) => r.ownNameAt - killAt)),
      renameTries: back.reduce((a, r) => a + r.renameTries, 0),
      note: ours ? 'reconnect to the survivor after reconnectDelayMs asking ?name=<own>; on name-taken a rename to it every second until `renamed`'
        : 'reconnect to the survivor after reconnectDelayMs asking ?name=<own> (the peer\'s names are unique per node only)',
    };
    if (ours) {
      const perClient = survivors.map((c) => (c.leavesSeen && c.leavesSeen.size === victims.length ? Math.max(...[...c.leavesSeen.values()].map((x) => x.at)) - killAt : Infinity));
      const perLeave = survivors.flatMap((c) => (c.leavesSeen ? [...c.leavesSeen.values()].map((x) => x.at - killAt) : []));
      const reasons = countBy(survivors.flatMap((c) => (c.leavesSeen ? [...c.leavesSeen.values()].map((x) => x.reason) : [])));
      const seenAll = perClient.filter((x) => x !== Infinity);
      out.leaves = {
        survivorClients: survivors.length, killedNodeUsers: victims.length,
        survivorsThatSawEveryLeave: seenAll.length,
        allLeavesSeenAfterKillMs: exactSummary(seenAll),
        eachLeaveAfterKillMs: exactSummary(perLeave), leavesSeen: perLeave.length, leavesExpected: survivors.length * victims.length,
        reasons,
        targetMs: (nodeTtl + 1) * 1000,
        met: seenAll.length === survivors.length && seenAll.every((x) => x <= (nodeTtl + 1) * 1000),
      };
      out.presenceAnomalies = { count: survivors.reduce((a, c) => a + c.anomalies.length, 0), examples: survivors.flatMap((c) => c.anomalies.map((x) => ({ client: c.name, ...x, at: round(x.at - killAt, 0) }))).slice(0, 10) };
      const final = await who(survivors[0], 5000);
      const finalSet = final ? new Set(final.names.map((n) => n.toLowerCase())) : null;
      out.survivorViewsAtEnd = finalSet ? { whoSize: finalSet.size, equal: survivors.filter((c) => c.view.size === finalSet.size && [...c.view].every((n) => finalSet.has(n))).length, of: survivors.length } : null;
      out.duplicateNames = { ...dup, met: dup.duplicates.length === 0 };
    }
    else {
      out.leaves = 'n/a: the Socket.IO peer announces nothing when a node dies (no presence); the survivor\'s clients see no frame about the killed node\'s users, and nothing lists who is online';
      out.framesOtherThanChatToSurvivors = 'none by construction: the peer emits only welcome and chat';
      out.duplicateNames = 'n/a: the peer has no who and no user list';
    }
    // Chat between two clients of the survivor across the kill: from the survivor's senders (even
    // indices: node 0) to the survivor's clients.
    const survivorSenders = [...Array(senders).keys()].filter((s) => s % 2 === 0);
    let sentS = 0;
    let gotS = 0;
    for (const s of survivorSenders) {
      sentS += talk.sentBy(s);
      for (const c of survivors) {
        gotS += talk.receivedFrom(c, s);
      }
    }
    out.chatAmongSurvivors = { senders: survivorSenders.length, sent: sentS, expected: sentS * survivors.length, delivered: gotS, lost: sentS * survivors.length - gotS };
    out.chatFromKilledNodeBeforeKill = [...Array(senders).keys()].filter((s) => s % 2 === 1).reduce((a, s) => a + sentBeforeKill[s], 0);
    out.chatLatencyMs = talk.report(survivors).latencyMs;
    out.nodesDuringFailover = nodeUsage(pids, nodesBefore, nodesAfter);
    out.redisDuringFailover = redisUsage(redisBefore, redisAfter);
    out.malformedFrames = malformed;
    clients.forEach((c) => c.ws.terminate());
    back.forEach((r) => r.c.ws.terminate());
    return out;
  }

  return { churn, failover };
};
