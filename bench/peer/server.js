#!/usr/bin/env node
'use strict';
// The reference peer: a bare Node `ws` broadcast server speaking the welcome/chat subset of the
// chat contract (plus `to|name|text` private messages, so idle benchmarks can keep a client active
// without a broadcast). One serialized buffer per broadcast, one timer per socket for idle kicks,
// the same JSON shapes and close codes as im-system. It exists only to be measured against.
//
//   node --expose-gc peer/server.js --port 9090 --timeout-ms 300000 --buffer-limit 524288
//
// GET /stats answers {online, rss, heapUsed}; /stats?gc=1 collects garbage first (with --expose-gc).

const http = require('http');
const { WebSocketServer } = require('ws');

function option(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const port = Number(option('port', 9090));
const host = option('host', '127.0.0.1');
const timeoutMs = Number(option('timeout-ms', 300000));
const bufferLimit = Number(option('buffer-limit', 512 * 1024));
const maxFrameBytes = Number(option('max-frame-bytes', 8192));

const clients = new Set();
const byName = new Map();
let generated = 0;

function broadcast(event) {
  const frame = Buffer.from(JSON.stringify(event));
  for (const ws of clients) {
    send(ws, frame);
  }
}

function send(ws, frame) {
  if (ws.readyState !== 1) {
    return;
  }
  if (ws.bufferedAmount + frame.length > bufferLimit) {
    slow(ws);
    return;
  }
  ws.send(frame);
}

function slow(ws) {
  forget(ws);
  ws.close(4500, 'too slow');
  // A client that does not read never answers the close frame.
  setTimeout(() => ws.terminate(), 5000).unref();
}

function forget(ws) {
  clients.delete(ws);
  if (ws.chatName !== undefined && byName.get(ws.chatName.toLowerCase()) === ws) {
    byName.delete(ws.chatName.toLowerCase());
  }
  clearTimeout(ws.idleTimer);
}

function kickIdle(ws) {
  forget(ws);
  if (ws.readyState === 1) {
    ws.send(JSON.stringify({ type: 'kicked', reason: 'idle', message: '你被踢了', ts: Date.now() }));
    ws.close(4408, 'idle timeout');
    setTimeout(() => ws.terminate(), 5000).unref();
  }
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/stats')) {
    if (req.url.includes('gc=1') && typeof global.gc === 'function') {
      global.gc();
    }
    const memory = process.memoryUsage();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ online: clients.size, rss: memory.rss, heapUsed: memory.heapUsed }));
    return;
  }
  res.statusCode = 404;
  res.end();
});

const wss = new WebSocketServer({ server, path: '/ws/chat', perMessageDeflate: false, maxPayload: maxFrameBytes, clientTracking: false });

wss.on('connection', (ws, req) => {
  const requested = new URL(req.url, 'http://peer').searchParams.get('name');
  let name = requested;
  if (!name || byName.has(name.toLowerCase())) {
    name = 'user-' + (generated++).toString(16).padStart(6, '0');
  }
  ws.chatName = name;
  byName.set(name.toLowerCase(), ws);
  clients.add(ws);
  // The welcome's ts is the start of the idle stretch, as in im-system: taken before the timer starts.
  const joinedAt = Date.now();
  ws.idleTimer = setTimeout(kickIdle, timeoutMs, ws);
  ws.send(JSON.stringify({
    type: 'welcome', name, online: clients.size, timeoutSeconds: Math.round(timeoutMs / 1000), warningSeconds: 0,
    ts: joinedAt,
  }));
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      forget(ws);
      ws.close(1003, 'binary frames are not accepted');
      return;
    }
    const text = data.toString();
    let type = 'chat';
    let body = text;
    let to;
    if (text.trimStart().startsWith('{')) {
      let parsed;
      try {
        parsed = JSON.parse(text);
      }
      catch (e) {
        ws.send(JSON.stringify({ type: 'error', code: 'bad-json', message: 'frame is not a JSON object', ts: Date.now() }));
        ws.idleTimer.refresh();
        return;
      }
      type = parsed.type;
      body = parsed.text;
      to = parsed.to;
    }
    else if (text.startsWith('to|')) {
      const bar = text.indexOf('|', 3);
      type = 'private';
      to = bar < 0 ? text.substring(3) : text.substring(3, bar);
      body = bar < 0 ? '' : text.substring(bar + 1);
    }
    if (type === 'ping') {
      ws.send(JSON.stringify({ type: 'pong', ts: Date.now() }));
      return;
    }
    ws.idleTimer.refresh();
    if (type === 'chat') {
      broadcast({ type: 'chat', from: ws.chatName, text: body, ts: Date.now() });
    }
    else if (type === 'private') {
      const target = byName.get(String(to).toLowerCase());
      const event = Buffer.from(JSON.stringify({ type: 'private', from: ws.chatName, to, text: body, ts: Date.now() }));
      if (target) {
        send(target, event);
      }
      if (target !== ws) {
        send(ws, event);
      }
    }
  });
  ws.on('close', () => forget(ws));
  ws.on('error', () => forget(ws));
});

server.listen(port, host, () => {
  process.stdout.write(`peer listening on ${host}:${port}\n`);
});

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
