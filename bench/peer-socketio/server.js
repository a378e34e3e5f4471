#!/usr/bin/env node
'use strict';
// The clustered reference peer: what a team picks today for a clustered WebSocket chat, Socket.IO 4
// with @socket.io/redis-adapter on the `redis` client, speaking the welcome/chat subset of the chat
// contract as Socket.IO events. Run two (or more) on different ports with one Redis and one
// --key: a `chat` from any client reaches every client of every node.
//
//   node peer-socketio/server.js --port 19090 --redis redis://127.0.0.1:6379 --key bench-1234
//
// On connect the client gets `welcome` {name, online, ts}; a `chat` event whose payload is the text
// is broadcast to all as `chat` {from, text, ts}. WebSocket transport only (no long-polling, no
// compression), as the load generator connects. `online` is this node's count: a cluster-wide
// count would cost a fetchSockets() round trip through Redis per connect, which our server does
// not pay either (its directory is read locally). Names are unique per node only.
//
// GET /stats answers {online, rss, heapUsed}; /stats?gc=1 collects garbage first (with --expose-gc).

const http = require('http');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createClient } = require('redis');

function option(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const port = Number(option('port', 19090));
const host = option('host', '127.0.0.1');
const redisUrl = option('redis', 'redis://127.0.0.1:6379');
// The adapter's channel prefix: one per run, so two runs on one Redis never see each other.
const key = option('key', 'socket.io');
const maxFrameBytes = Number(option('max-frame-bytes', 8192));

const byName = new Map();
let generated = 0;

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/stats')) {
    if (req.url.includes('gc=1') && typeof global.gc === 'function') {
      global.gc();
    }
    const memory = process.memoryUsage();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ online: io.engine.clientsCount, rss: memory.rss, heapUsed: memory.heapUsed }));
    return;
  }
  // socket.io answers its own path; everything else is not found.
  if (!req.url.startsWith('/socket.io/')) {
    res.statusCode = 404;
    res.end();
  }
});

const io = new Server(server, {
  transports: ['websocket'], serveClient: false, perMessageDeflate: false, maxHttpBufferSize: maxFrameBytes,
});

io.on('connection', (socket) => {
  const requested = socket.handshake.query.name;
  let name = typeof requested === 'string' ? requested : '';
  if (!name || byName.has(name.toLowerCase())) {
    name = 'user-' + (generated++).toString(16).padStart(6, '0');
  }
  byName.set(name.toLowerCase(), socket);
  socket.emit('welcome', { name, online: io.engine.clientsCount, ts: Date.now() });
  socket.on('chat', (text) => {
    io.emit('chat', { from: name, text: String(text), ts: Date.now() });
  });
  socket.on('disconnect', () => {
    if (byName.get(name.toLowerCase()) === socket) {
      byName.delete(name.toLowerCase());
    }
  });
});

async function main() {
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  pub.on('error', (e) => process.stderr.write(`redis (pub): ${e.message}\n`));
  sub.on('error', (e) => process.stderr.write(`redis (sub): ${e.message}\n`));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub, { key }));
  server.listen(port, host, () => {
    process.stdout.write(`socket.io peer listening on ${host}:${port}, redis ${redisUrl}, key ${key}\n`);
  });
}

main().catch((e) => {
  process.stderr.write(((e && e.stack) || String(e)) + '\n');
  process.exit(1);
});

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
