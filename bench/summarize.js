#!/usr/bin/env node
'use strict';
// Folds the per-run documents of one bench/run.sh invocation into one JSON document: every run,
// the median per side, ours/peer ratios, and each target of issue 6 as met or not.
//
//   node summarize.js SCENARIO RESULTS_DIR

const fs = require('fs');
const path = require('path');

const [scenario, dir] = process.argv.slice(2);
const runs = fs.readdirSync(dir)
  .filter((f) => /^(ours|peer|single)-\d+\.json$/.test(f))
  .sort()
  .map((f) => {
    try {
      return { file: f, side: f.split('-')[0], doc: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) };
    }
    catch (e) {
      return { file: f, side: f.split('-')[0], doc: null, error: e.message };
    }
  });

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) {
    return null;
  }
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function pick(side, getter) {
  return median(runs.filter((r) => r.side === side && r.doc).map((r) => {
    try {
      return getter(r.doc);
    }
    catch (e) {
      return null;
    }
  }));
}

function all(side, predicate) {
  const docs = runs.filter((r) => r.side === side && r.doc).map((r) => r.doc);
  return docs.length > 0 && docs.every((d) => {
    try {
      return predicate(d);
    }
    catch (e) {
      return false;
    }
  });
}

const ratio = (a, b) => (a != null && b) ? Math.round((a / b) * 1000) / 1000 : null;
const summary = { scenario, results: dir, runs: runs.map((r) => ({ file: r.file, side: r.side, error: r.error })), sides: {}, targets: [] };

function side(name, fields) {
  const s = {};
  for (const [k, f] of Object.entries(fields)) {
    s[k] = pick(name, f);
  }
  summary.sides[name] = s;
  return s;
}

function target(what, value, met) {
  summary.targets.push({ target: what, value, met: !!met });
}

const fanoutFields = {
  copiesPerSecond: (d) => d.throughput.copiesPerSecond,
  p50Ms: (d) => d.latencyMs.p50, p90Ms: (d) => d.latencyMs.p90, p99Ms: (d) => d.latencyMs.p99, maxMs: (d) => d.latencyMs.max,
  lost: (d) => d.delivery.lost, duplicated: (d) => d.delivery.duplicated, outOfOrder: (d) => d.delivery.outOfOrder,
  serverCpuCores: (d) => d.serverDuringRun.cpuCores, serverRssMaxKb: (d) => d.serverDuringRun.rssMaxKb,
  serverCpuMicrosPerCopy: (d) => d.serverDuringRun.cpuMicrosPerCopy, seconds: (d) => d.throughput.seconds,
  delivered: (d) => d.delivery.delivered, expected: (d) => d.delivery.expected,
};

if (scenario === 'fanout' || scenario === 'fanout5k') {
  const ours = side('ours', fanoutFields);
  const peer = side('peer', fanoutFields);
  summary.ratios = { copiesPerSecond: ratio(ours.copiesPerSecond, peer.copiesPerSecond), p99: ratio(ours.p99Ms, peer.p99Ms) };
  const clean = all('ours', (d) => d.delivery.lost === 0 && d.delivery.duplicated === 0 && d.delivery.perSenderOrderKept);
  if (scenario === 'fanout') {
    target('copies/s ours/peer >= 1.0', summary.ratios.copiesPerSecond, summary.ratios.copiesPerSecond >= 1.0);
    target('zero loss, no duplicates, per-sender order kept (every run of ours)', clean, clean);
  }
  else {
    target('p99 latency ours/peer <= 1.0', summary.ratios.p99, summary.ratios.p99 != null && summary.ratios.p99 <= 1.0);
    target('zero loss, no duplicates, per-sender order kept (every run of ours)', clean, clean);
  }
}
else if (scenario === 'cluster-fanout') {
  const fields = {
    ...fanoutFields,
    crossNodeP50Ms: (d) => d.latencyCrossNodeMs.p50, crossNodeP99Ms: (d) => d.latencyCrossNodeMs.p99,
    sameNodeP50Ms: (d) => d.latencySameNodeMs.p50, sameNodeP99Ms: (d) => d.latencySameNodeMs.p99,
    node1CpuCores: (d) => d.nodesDuringRun[0].cpuCores, node2CpuCores: (d) => d.nodesDuringRun[1].cpuCores,
    nodesCpuMicrosPerCopy: (d) => d.nodesDuringRun.reduce((a, n) => a + n.cpuMicrosPerCopy, 0),
    redisCpuCores: (d) => d.redisDuringRun.cpuCores, redisCpuMsPer100kCopies: (d) => d.redisDuringRun.cpuMsPer100kCopies,
    publishPerMessage: (d) => d.redisDuringRun.publishPerMessage, publishPerMessageNet: (d) => d.redisDuringRun.publishPerMessageNet,
    redisBackgroundPublishPerSecond: (d) => d.redisDuringRun.backgroundPublishPerSecond,
  };
  const ours = side('ours', fields);
  const peer = side('peer', fields);
  summary.sides.peer.system = 'Socket.IO 4 + @socket.io/redis-adapter, 2 nodes';
  summary.sides.ours.system = 'im-system, chat.cluster.mode=redis, 2 nodes';
  const single = runs.some((r) => r.side === 'single') ? side('single', fields) : null;
  if (single) {
    single.system = 'im-system, one node, chat.cluster.mode=local';
  }
  summary.ratios = {
    copiesPerSecond: ratio(ours.copiesPerSecond, peer.copiesPerSecond), p99: ratio(ours.p99Ms, peer.p99Ms),
    crossNodeP99: ratio(ours.crossNodeP99Ms, peer.crossNodeP99Ms), sameNodeP99: ratio(ours.sameNodeP99Ms, peer.sameNodeP99Ms),
    nodesCpuPerCopy: ratio(ours.nodesCpuMicrosPerCopy, peer.nodesCpuMicrosPerCopy),
    redisCpuPer100kCopies: ratio(ours.redisCpuMsPer100kCopies, peer.redisCpuMsPer100kCopies),
  };
  const clean = all('ours', (d) => d.delivery.lost === 0 && d.delivery.duplicated === 0 && d.delivery.perSenderOrderKept);
  target('copies/s ours/Socket.IO >= 1.5', summary.ratios.copiesPerSecond, summary.ratios.copiesPerSecond >= 1.5);
  target('p99 latency ours/Socket.IO <= 1.0', summary.ratios.p99, summary.ratios.p99 != null && summary.ratios.p99 <= 1.0);
  target('zero loss, no duplicates, per-sender order kept (every run of ours)', clean, clean);
  // Net of the PUBLISH Redis saw while nobody chatted (our nodes' link probes, 1 per node per second).
  const onePublish = all('ours', (d) => Math.round(d.redisDuringRun.publishPerMessageNet * 100) === 100);
  target('one PUBLISH per chat message (net of the background, every run of ours)', ours.publishPerMessageNet, onePublish);
  if (single) {
    summary.ratios.copiesPerSecondTwoNodesOverOne = ratio(ours.copiesPerSecond, single.copiesPerSecond);
    target('two nodes >= 0.8 x the copies/s of one node (TARGETS with single)', summary.ratios.copiesPerSecondTwoNodesOverOne,
      summary.ratios.copiesPerSecondTwoNodesOverOne >= 0.8);
  }
}
else if (scenario === 'fanout-burst') {
  const ours = side('ours', fanoutFields);
  const peer = side('peer', fanoutFields);
  summary.ratios = {
    copiesPerSecond: ratio(ours.copiesPerSecond, peer.copiesPerSecond),
    serverCpuPerCopy: ratio(ours.serverCpuMicrosPerCopy, peer.serverCpuMicrosPerCopy),
  };
  const clean = all('ours', (d) => d.delivery.lost === 0 && d.delivery.duplicated === 0 && d.delivery.perSenderOrderKept);
  target('copies/s ours/peer >= 1.0', summary.ratios.copiesPerSecond, summary.ratios.copiesPerSecond >= 1.0);
  target('zero loss, no duplicates, per-sender order kept (every run of ours)', clean, clean);
}
else if (scenario === 'line-rate' || scenario === 'line-burst') {
  const fields = {
    ...fanoutFields, malformed: (d) => d.delivery.malformed, linesWithoutPrefix: (d) => d.delivery.linesWithoutPrefix, timeToWelcomeAllMs: (d) => d.connect.timeToWelcomeAllMs };
  const ours = side('ours', fields);
  const peer = side('peer', fields);
  summary.ratios = {
    copiesPerSecond: ratio(ours.copiesPerSecond, peer.copiesPerSecond), p50: ratio(ours.p50Ms, peer.p50Ms), p99: ratio(ours.p99Ms, peer.p99Ms),
    serverCpuPerCopy: ratio(ours.serverCpuMicrosPerCopy, peer.serverCpuMicrosPerCopy),
  };
  const clean = all('ours', (d) => d.delivery.lost === 0 && d.delivery.duplicated === 0 && d.delivery.perSenderOrderKept);
  target('all delivered, no duplicates, per-sender order kept (every run of ours)', clean, clean);
  if (scenario === 'line-rate') {
    target('p99 latency ours/peer <= 1.0', summary.ratios.p99, summary.ratios.p99 != null && summary.ratios.p99 <= 1.0);
  }
  else {
    target('copies/s ours/peer >= 1.0', summary.ratios.copiesPerSecond, summary.ratios.copiesPerSecond >= 1.0);
    // With --bursts N: the last burst of each run, the same servers warm.
    const warm = (d) => d.laterBursts[d.laterBursts.length - 1];
    const oursWarm = pick('ours', (d) => warm(d).copiesPerSecond);
    const peerWarm = pick('peer', (d) => warm(d).copiesPerSecond);
    if (oursWarm != null && peerWarm != null) {
      ours.lastBurstCopiesPerSecond = oursWarm;
      peer.lastBurstCopiesPerSecond = peerWarm;
      ours.lastBurstCpuMicrosPerCopy = pick('ours', (d) => warm(d).cpuMicrosPerCopy);
      peer.lastBurstCpuMicrosPerCopy = pick('peer', (d) => warm(d).cpuMicrosPerCopy);
      summary.ratios.lastBurstCopiesPerSecond = ratio(oursWarm, peerWarm);
      const warmClean = all('ours', (d) => d.laterBursts.every((b) => b.lost === 0 && b.duplicated === 0 && b.outOfOrder === 0));
      target('later bursts: all delivered, in order (every run of ours)', warmClean, warmClean);
      target('last burst (warm) copies/s ours/peer >= 1.0', summary.ratios.lastBurstCopiesPerSecond, summary.ratios.lastBurstCopiesPerSecond >= 1.0);
    }
  }
}
else if (scenario === 'storm') {
  const fields = {
    welcomed: (d) => d.connect.welcomed, requested: (d) => d.connect.requested, timeToWelcomeAllMs: (d) => d.connect.timeToWelcomeAllMs,
    presenceFramesP50: (d) => d.presence.framesPerClient.p50, presenceFramesMax: (d) => d.presence.framesPerClient.max,
    presenceBytesP50: (d) => d.presence.bytesPerClient.p50, presenceBytesMax: (d) => d.presence.bytesPerClient.max,
    presenceFramesTotal: (d) => d.presence.totalFrames, presenceBytesTotal: (d) => d.presence.totalBytes,
    chatReached: (d) => d.chatAfterLastWelcome.reached, chatReachedWithinWait: (d) => d.chatAfterLastWelcome.reachedWithinWait,
    closedByServer: (d) => d.closedByServer.count, chatAllReachedMs: (d) => d.chatAfterLastWelcome.allReachedMs,
    chatP50Ms: (d) => d.chatAfterLastWelcome.latencyMs.p50, chatMaxMs: (d) => d.chatAfterLastWelcome.latencyMs.max,
    whoDuringMaxMs: (d) => d.responsiveness.whoDuringStormMs.max, whoAfterMaxMs: (d) => d.responsiveness.whoAfterMs.max,
    whoOver1s: (d) => d.responsiveness.whoOver1s, pingDuringMaxMs: (d) => d.responsiveness.pingDuringStormMs.max,
    serverCpuSecondsToWelcomeAll: (d) => d.server.cpuSecondsToWelcomeAll, serverCpuSecondsToSettled: (d) => d.server.cpuSecondsToSettled,
    settledMs: (d) => d.settledMs,
  };
  const ours = side('ours', fields);
  const peer = side('peer', fields);
  summary.ratios = { timeToWelcomeAll: ratio(ours.timeToWelcomeAllMs, peer.timeToWelcomeAllMs) };
  target('all welcomed', `${ours.welcomed}/${ours.requested}`, ours.welcomed === ours.requested);
  target('time to welcome all ours/peer <= 2.0', summary.ratios.timeToWelcomeAll, summary.ratios.timeToWelcomeAll != null && summary.ratios.timeToWelcomeAll <= 2.0);
  target('every who answered within 1 s', ours.whoOver1s, ours.whoOver1s === 0);
}
else if (scenario === 'capacity') {
  const fields = {
    held: (d) => d.held.open, timeToWelcomeAllMs: (d) => d.connect.timeToWelcomeAllMs,
    rssPerConnectionKiB: (d) => d.perConnection.rssKiB, heapPerConnectionKiB: (d) => d.perConnection.heapAfterGcKiB,
    rssHeldKb: (d) => d.held.rssKb, settledMs: (d) => d.settledMs,
  };
  const ours = side('ours', fields);
  side('peer', fields);
  const requested = pick('ours', (d) => d.params.clients);
  target(`${requested} idle sockets held`, ours.held, ours.held >= requested && requested >= 19000);
  target('marginal memory <= 16 KiB per connection (RSS)', ours.rssPerConnectionKiB, ours.rssPerConnectionKiB != null && ours.rssPerConnectionKiB <= 16);
  target('all welcomed in <= 5 s', ours.timeToWelcomeAllMs, ours.timeToWelcomeAllMs != null && ours.timeToWelcomeAllMs <= 5000);
}
else if (scenario === 'idle' || scenario === 'idle-storm') {
  const fields = {
    kickedPercent: (d) => d.result.silentKickedPercent, early: (d) => d.result.early, activeKicked: (d) => d.result.activeKicked,
    lagP50Ms: (d) => d.result.kickLagMs.p50, lagP99Ms: (d) => d.result.kickLagMs.p99, lagMaxMs: (d) => d.result.kickLagMs.max,
    lagMinMs: (d) => d.result.kickLagMs.min, clientSideLagP99Ms: (d) => d.result.kickLagClientSideMs.p99,
    timeToWelcomeAllMs: (d) => d.connect.timeToWelcomeAllMs, kickedAndClosedWithinTimeoutPlus2s: (d) => d.result.kickedAndClosedWithinTimeoutPlus2s,
    closedOtherwise: (d) => d.result.silentClosedOtherwise, notKicked: (d) => d.result.silentNotKicked,
  };
  const ours = side('ours', fields);
  side('peer', fields);
  const limit = pick('ours', (d) => d.target.kickLagP99LimitMs);
  target('100 % kicked', ours.kickedPercent, ours.kickedPercent === 100);
  target('0 early', ours.early, ours.early === 0);
  target(`kick lag p99 <= sweep interval + 50 ms (${limit} ms)`, ours.lagP99Ms, ours.lagP99Ms != null && ours.lagP99Ms <= limit);
  target('0 active kicked', ours.activeKicked, ours.activeKicked === 0);
}
else if (scenario === 'slow') {
  const fields = {
    readersP99AllReadingMs: (d) => d.stormAllReading.latencyMs.p99, readersP99WithSlowMs: (d) => d.stormWithSlow.latencyMs.p99,
    p99Ratio: (d) => d.readersP99Ratio, slowClosed: (d) => d.slowClients.slowClosed, slowClosedWith4500: (d) => d.slowClients.closeCodes['4500'] || 0,
    heapUsedMaxDuringStormKb: (d) => d.heapUsedDuringStormKb && d.heapUsedDuringStormKb.max,
    heapAfterGcBaselineKb: (d) => d.baseline.heapAfterGcKb, heapAfterGcAfterStormKb: (d) => d.afterStorm.heapAfterGcKb,
    readersClosed: (d) => d.slowClients.readersClosed,
  };
  const ours = side('ours', fields);
  side('peer', fields);
  const slowCount = pick('ours', (d) => d.params.slow);
  target('slow clients closed with 4500', `${ours.slowClosedWith4500}/${slowCount}`, ours.slowClosedWith4500 === slowCount);
  target("readers' p99 does not move (with slow / all reading <= 1.25)", ours.p99Ratio, ours.p99Ratio != null && ours.p99Ratio <= 1.25);
  target('no reader closed', ours.readersClosed, ours.readersClosed === 0);
}
else if (scenario === 'cluster-churn') {
  // Socket.IO's peer has no presence and no who: its side has connects, welcomes and chat only.
  const fields = {
    connectsPerSecond: (d) => d.churn.connectsPerSecond, nameClaimsPerSecond: (d) => d.churn.nameClaimsPerSecond,
    churnersWelcomed: (d) => d.churn.welcomed, churnersStarted: (d) => d.churn.started,
    welcomeP50Ms: (d) => d.churn.welcomeLatencyMs.p50, welcomeP99Ms: (d) => d.churn.welcomeLatencyMs.p99,
    whoP50Ms: (d) => d.whoLatencyMs.p50, whoP99Ms: (d) => d.whoLatencyMs.p99, whoMaxMs: (d) => d.whoLatencyMs.max,
    viewsEqualToWhoAtCheck: (d) => d.presence.atCheck.viewEqualsWho, viewsEqualToExpectedAtCheck: (d) => d.presence.atCheck.viewEqualsExpected,
    lastViewChangeAfterStopMaxMs: (d) => d.presence.lastViewChangeAfterChurnStopMs.max,
    presenceAnomalies: (d) => d.presence.anomalies, countFrames: (d) => d.presence.countFrames,
    chatLost: (d) => d.chat.expected - d.chat.delivered, chatP99Ms: (d) => d.chat.latencyMs.p99,
    nodeCpuCores: (d) => Math.round(d.nodesDuringChurn.reduce((a, n) => a + (n.cpuCores || 0), 0) * 1000) / 1000,
    redisCpuCores: (d) => d.redisDuringChurn.cpuCores, malformedFrames: (d) => d.malformedFrames.count,
  };
  for (const name of ['ours', 'peer', 'single']) {
    if (runs.some((r) => r.side === name)) {
      side(name, fields);
    }
  }
  for (const name of ['ours', 'single']) {
    if (runs.some((r) => r.side === name)) {
      target(`${name}: every stable client's view equals who 1 s after the churn stopped`,
        { viewsEqualToWho: pick(name, (d) => d.presence.atCheck.viewEqualsWho), of: pick(name, (d) => d.presence.atCheck.clients) },
        all(name, (d) => d.presence.met === true));
    }
  }
  if (runs.some((r) => r.side === 'peer')) {
    summary.peerNote = 'the Socket.IO peer has no presence and no who: only its connects, welcomes and chat are measured';
  }
}
else if (scenario === 'cluster-failover') {
  const fields = {
    allLeavesSeenP50Ms: (d) => d.leaves.allLeavesSeenAfterKillMs.p50, allLeavesSeenP99Ms: (d) => d.leaves.allLeavesSeenAfterKillMs.p99,
    allLeavesSeenMaxMs: (d) => d.leaves.allLeavesSeenAfterKillMs.max, survivorsThatSawEveryLeave: (d) => d.leaves.survivorsThatSawEveryLeave,
    duplicateNames: (d) => d.duplicateNames.duplicates.length, whoPolls: (d) => d.duplicateNames.whoPolls, adminPolls: (d) => d.duplicateNames.adminPolls,
    killedClientsClosedP50Ms: (d) => d.killedNodeClients.closedAfterKillMs.p50,
    backUnderOwnNameP50Ms: (d) => d.killedNodeClients.ownNameAfterKillMs.p50, backUnderOwnNameMaxMs: (d) => d.killedNodeClients.ownNameAfterKillMs.max,
    chatAmongSurvivorsLost: (d) => d.chatAmongSurvivors.lost, malformedFrames: (d) => d.malformedFrames.count,
  };
  side('ours', fields);
  if (runs.some((r) => r.side === 'peer')) {
    side('peer', fields);
    summary.peerNote = 'the Socket.IO peer announces nothing when a node dies and lists no users: leaves and duplicate names are n/a';
  }
  target('every survivor client saw every leave within node-ttl + 1 s',
    { p99Ms: pick('ours', (d) => d.leaves.allLeavesSeenAfterKillMs.p99), targetMs: pick('ours', (d) => d.leaves.targetMs) }, all('ours', (d) => d.leaves.met === true));
  target('no name listed twice by who or GET /api/admin/users', pick('ours', (d) => d.duplicateNames.duplicates.length),
    all('ours', (d) => d.duplicateNames.met === true));
}
else if (scenario === 'soak') {
  const doc = runs.find((r) => r.side === 'ours' && r.doc);
  if (doc) {
    const d = doc.doc;
    summary.figures = { baseline: d.baseline, during: d.during, after: d.after, totals: d.totals };
    target('open files back to baseline (+-10)', `${d.baseline.fds} -> ${d.after.fds}`, Math.abs(d.after.fds - d.baseline.fds) <= 10);
    target('threads back to baseline (+-10)', `${d.baseline.threads} -> ${d.after.threads}`, Math.abs(d.after.threads - d.baseline.threads) <= 10);
    target('heap after GC back to baseline (+-20 MiB)', `${d.baseline.heapAfterGcKb} -> ${d.after.heapAfterGcKb} KiB`,
      Math.abs(d.after.heapAfterGcKb - d.baseline.heapAfterGcKb) <= 20 * 1024);
    target('no session left on the server', d.after.online, d.after.online === 0);
  }
}
process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
