// A minimal WebSocket server side (RFC 6455), enough for the gdb bridge
// (web/cli/bridge.ts): the opening handshake on an HTTP upgrade (§4.2), and
// frames (§5): text and binary messages (fragmented or not), client masking
// (required, §5.1), ping answered with pong, close answered with close. No
// extensions, no subprotocols. Node has no WebSocket server of its own.
//
//   server.on("upgrade", (req, socket) => { const ws = acceptWebSocket(req, socket); if (ws) ws.onMessage = ... });

import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/** The GUID every server appends to the client's key (RFC 6455 §1.3). */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Largest message we take (the bridge carries gdb packets of 4 KiB). */
export const MAX_MESSAGE = 1 << 20;

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)). */
export function acceptKey(key: string): string {
  return createHash("sha1").update(key + GUID).digest("base64");
}

/** One frame, server to client: FIN set, never masked (§5.1). */
export function encodeFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 0x10000 ? 4 : 10;
  const out = new Uint8Array(head + n);
  out[0] = 0x80 | opcode;
  if (n < 126) out[1] = n;
  else if (n < 0x10000) { out[1] = 126; out[2] = n >> 8; out[3] = n & 0xff; }
  else { out[1] = 127; new DataView(out.buffer).setBigUint64(2, BigInt(n)); }
  out.set(payload, head);
  return out;
}

export type Message = { text: string } | { binary: Uint8Array };

/** Client-to-server frames from a byte stream: messages, and what the server
 *  must answer (pong, close) or why it must fail the connection. */
export class FrameReader {
  private buf = new Uint8Array(0);
  private parts: Uint8Array[] = [];
  private partOpcode = 0;
  private partLength = 0;

  constructor(private readonly on: {
    message(m: Message): void;
    ping(payload: Uint8Array): void;
    close(code: number): void;
    /** A protocol error: the connection must be closed with `code` (§7.4.1). */
    fail(code: number, why: string): void;
  }) {}

  push(bytes: Uint8Array): void {
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf);
    joined.set(bytes, this.buf.length);
    this.buf = joined;
    for (;;) {
      const f = this.frame();
      if (f === null) return;
      if (f === "failed") { this.buf = new Uint8Array(0); return; }
    }
  }

  /** One whole frame off the buffer (null: more bytes needed). */
  private frame(): null | "ok" | "failed" {
    const b = this.buf;
    if (b.length < 2) return null;
    const fin = (b[0] & 0x80) !== 0, opcode = b[0] & 0x0f, masked = (b[1] & 0x80) !== 0;
    if (b[0] & 0x70) return this.failed(1002, "reserved bits set (no extension was negotiated)");
    if (!masked) return this.failed(1002, "a client frame must be masked");
    let len = b[1] & 0x7f, at = 2;
    if (len === 126) { if (b.length < 4) return null; len = (b[2] << 8) | b[3]; at = 4; }
    else if (len === 127) {
      if (b.length < 10) return null;
      const big = new DataView(b.buffer, b.byteOffset).getBigUint64(2);
      if (big > BigInt(MAX_MESSAGE)) return this.failed(1009, "message too big");
      len = Number(big); at = 10;
    }
    if (len > MAX_MESSAGE) return this.failed(1009, "message too big");
    if (b.length < at + 4 + len) return null;
    const key = b.subarray(at, at + 4);
    const payload = b.slice(at + 4, at + 4 + len);
    for (let i = 0; i < len; i++) payload[i] ^= key[i & 3];
    this.buf = b.subarray(at + 4 + len);
    if (opcode >= 8) {
      // Control frames: not fragmented, at most 125 bytes (§5.5).
      if (!fin || len > 125) return this.failed(1002, "bad control frame");
      if (opcode === 8) this.on.close(len >= 2 ? (payload[0] << 8) | payload[1] : 1005);
      else if (opcode === 9) this.on.ping(payload);
      else if (opcode !== 10) return this.failed(1002, `unknown opcode ${opcode}`);
      return "ok";
    }
    if (opcode === 0) { if (!this.partOpcode) return this.failed(1002, "continuation without a message"); }
    else if (opcode === 1 || opcode === 2) { if (this.partOpcode) return this.failed(1002, "new message inside a fragmented one"); this.partOpcode = opcode; }
    else return this.failed(1002, `unknown opcode ${opcode}`);
    this.partLength += len;
    if (this.partLength > MAX_MESSAGE) return this.failed(1009, "message too big");
    this.parts.push(payload);
    if (!fin) return "ok";
    const whole = new Uint8Array(this.partLength);
    let o = 0;
    for (const p of this.parts) { whole.set(p, o); o += p.length; }
    const op = this.partOpcode;
    this.parts = []; this.partOpcode = 0; this.partLength = 0;
    if (op === 1) {
      let text: string;
      try { text = new TextDecoder("utf-8", { fatal: true }).decode(whole); } catch { return this.failed(1007, "text message is not UTF-8"); }
      this.on.message({ text });
    } else this.on.message({ binary: whole });
    return "ok";
  }

  private failed(code: number, why: string): "failed" { this.on.fail(code, why); return "failed"; }
}

/** A server-side WebSocket connection on an upgraded socket. */
export class WebSocketConnection {
  onMessage: (m: Message) => void = () => {};
  onClose: () => void = () => {};
  private closed = false;
  private readonly reader: FrameReader;

  constructor(private readonly socket: Duplex) {
    this.reader = new FrameReader({
      message: (m) => this.onMessage(m),
      ping: (p) => this.write(encodeFrame(10, p)),
      close: (code) => this.close(code === 1005 ? 1000 : code),
      fail: (code) => this.close(code),
    });
    socket.on("data", (b: Buffer) => { if (!this.closed) this.reader.push(new Uint8Array(b)); });
    socket.on("error", () => {});
    socket.on("close", () => this.ended());
  }

  sendBinary(b: Uint8Array): void { this.write(encodeFrame(2, b)); }
  sendText(t: string): void { this.write(encodeFrame(1, new TextEncoder().encode(t))); }

  /** A close frame with `code`, then the end of the TCP connection. */
  close(code = 1000): void {
    if (this.closed) return;
    this.write(encodeFrame(8, Uint8Array.of(code >> 8, code & 0xff)));
    this.ended();
    this.socket.end();
  }

  private write(b: Uint8Array): void { if (!this.closed && this.socket.writable) this.socket.write(b); }
  private ended(): void { if (this.closed) return; this.closed = true; this.onClose(); }
}

/** Answer an HTTP upgrade request: 101 and a connection, or 400 and null when
 *  it is not a version-13 WebSocket handshake (§4.2.1). */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex): WebSocketConnection | null {
  const key = req.headers["sec-websocket-key"];
  const ok = req.method === "GET" && String(req.headers.upgrade ?? "").toLowerCase() === "websocket" &&
    req.headers["sec-websocket-version"] === "13" && typeof key === "string" && Buffer.from(key, "base64").length === 16;
  if (!ok) {
    socket.end("HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    return null;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
  return new WebSocketConnection(socket);
}
