'use strict';
// A minimal WebSocket client (RFC 6455) for the load generator's connect storms: a raw TCP socket,
// the upgrade request written by hand, server frames parsed in place. The `ws` library opens each
// connection through Node's HTTP client (agent, request, parser objects, stream plumbing), which
// costs the load generator about 0.19 ms of CPU per connection: 3.6 s of CPU for 19,000 clients,
// taken from the same two cores the server under test runs on. This client does the same handshake
// for a fraction of that, so a capacity run measures the server rather than the tool.
//
// It has the surface of a `ws` WebSocket that loadgen.js uses: events open / message(data,
// isBinary) / close(code) / error, send(text), close(code, reason), terminate(), readyState and
// _socket. It answers pings, replies to a close, reassembles fragmented messages, masks what it
// sends, and checks Sec-WebSocket-Accept. No extensions, no subprotocols, no TLS.

const net = require('net');
const crypto = require('crypto');
const { EventEmitter } = require('events');

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const MAX_HEAD = 16384;

class LeanWebSocket extends EventEmitter {

  constructor(url, options = {}) {
    super();
    const u = new URL(url);
    if (u.protocol !== 'ws:') {
      throw new Error('lean client speaks ws:// only, not ' + u.protocol);
    }
    this.readyState = CONNECTING;
    this._pending = null;
    this._fragments = null;
    this._closeCode = 1006;
    this._closeEmitted = false;
    const key = crypto.randomBytes(16).toString('base64');
    this._accept = crypto.createHash('sha1').update(key + GUID).digest('base64');
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 80), localAddress: options.localAddress });
    this._socket = socket;
    socket.setNoDelay(true);
    this._timer = options.handshakeTimeout
      ? setTimeout(() => this._fail(new Error('Opening handshake has timed out')), options.handshakeTimeout) : null;
    socket.on('connect', () => socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n`
      + `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`));
    socket.on('data', (chunk) => this._onData(chunk));
    socket.on('error', (e) => this._fail(e));
    socket.on('close', () => this._onSocketClose());
  }

  send(text) {
    if (this.readyState === OPEN) {
      this._write(0x1, Buffer.from(String(text), 'utf8'));
    }
  }

  close(code = 1000, reason = '') {
    if (this.readyState === OPEN) {
      const why = Buffer.from(reason, 'utf8');
      const payload = Buffer.allocUnsafe(2 + why.length);
      payload.writeUInt16BE(code, 0);
      why.copy(payload, 2);
      this._write(0x8, payload);
      this.readyState = CLOSING;
      // The server answers with its close and ends the connection; a server that does not is cut off.
      setTimeout(() => this._socket.destroy(), 5000).unref();
    }
    else if (this.readyState === CONNECTING) {
      this.terminate();
    }
  }

  terminate() {
    if (this.readyState !== CLOSED) {
      this.readyState = CLOSING;
      this._socket.destroy();
    }
  }

  _fail(error) {
    if (this.readyState === CONNECTING) {
      this.emit('error', error);
    }
    this.terminate();
  }

  _onSocketClose() {
    if (this._timer) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    this.readyState = CLOSED;
    if (!this._closeEmitted) {
      this._closeEmitted = true;
      this.emit('close', this._closeCode);
    }
  }

  _onData(chunk) {
    let buf = this._pending ? Buffer.concat([this._pending, chunk]) : chunk;
    this._pending = null;
    if (this.readyState === CONNECTING) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_HEAD) {
          this._fail(new Error('Handshake response head too long'));
          return;
        }
        this._pending = buf;
        return;
      }
      const head = buf.toString('latin1', 0, end);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (!status || status[1] !== '101') {
        this._fail(new Error('Unexpected server response: ' + (status ? status[1] : head.slice(0, 40))));
        return;
      }
      const accept = /\r\nsec-websocket-accept:[ \t]*([^\r\n]*?)[ \t]*(?:\r\n|$)/i.exec(head);
      if (!accept || accept[1] !== this._accept) {
        this._fail(new Error('Invalid Sec-WebSocket-Accept header'));
        return;
      }
      clearTimeout(this._timer);
      this._timer = null;
      this.readyState = OPEN;
      this.emit('open');
      buf = buf.subarray(end + 4);
    }
    let off = 0;
    while (buf.length - off >= 2 && this.readyState !== CLOSED) {
      const b0 = buf[off];
      const b1 = buf[off + 1];
      if (b1 & 0x80) {
        this._protocolError('masked frame from the server');
        return;
      }
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buf.length - off < 4) {
          break;
        }
        length = buf.readUInt16BE(off + 2);
        header = 4;
      }
      else if (length === 127) {
        if (buf.length - off < 10) {
          break;
        }
        length = Number(buf.readBigUInt64BE(off + 2));
        header = 10;
      }
      if (buf.length - off < header + length) {
        break;
      }
      const payload = buf.subarray(off + header, off + header + length);
      off += header + length;
      this._onFrame((b0 & 0x80) !== 0, b0 & 0x0f, payload);
    }
    if (off < buf.length && this.readyState !== CLOSED) {
      // A copy, so that a partial frame does not pin the whole chunk it arrived in.
      this._pending = Buffer.from(buf.subarray(off));
    }
  }

  _onFrame(fin, opcode, payload) {
    switch (opcode) {
      case 0x0:
        if (!this._fragments) {
          this._protocolError('continuation without a message');
          return;
        }
        this._fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(this._fragments);
          this._fragments = null;
          this.emit('message', whole, this._binary);
        }
        return;
      case 0x1:
      case 0x2:
        if (fin) {
          this.emit('message', payload, opcode === 0x2);
        }
        else {
          this._fragments = [Buffer.from(payload)];
          this._binary = opcode === 0x2;
        }
        return;
      case 0x8:
        this._closeCode = (payload.length >= 2) ? payload.readUInt16BE(0) : 1005;
        if (this.readyState === OPEN) {
          this._write(0x8, payload.subarray(0, Math.min(2, payload.length)));
        }
        this.readyState = CLOSING;
        this._socket.end();
        return;
      case 0x9:
        if (this.readyState === OPEN) {
          this._write(0xA, payload);
        }
        return;
      case 0xA:
        return;
      default:
        this._protocolError('opcode ' + opcode);
    }
  }

  _protocolError(what) {
    this._closeCode = 1002;
    this.emit('error', new Error('Protocol error: ' + what));
    this.terminate();
  }

  _write(opcode, payload) {
    const length = payload.length;
    const header = (length < 126) ? 2 : (length < 65536) ? 4 : 10;
    const frame = Buffer.allocUnsafe(header + 4 + length);
    frame[0] = 0x80 | opcode;
    if (length < 126) {
      frame[1] = 0x80 | length;
    }
    else if (length < 65536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    }
    else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    crypto.randomFillSync(frame, header, 4);
    for (let i = 0; i < length; i++) {
      frame[header + 4 + i] = payload[i] ^ frame[header + (i & 3)];
    }
    this._socket.write(frame);
  }

}

module.exports = { LeanWebSocket };
