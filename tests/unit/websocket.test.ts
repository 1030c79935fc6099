// The bridge's WebSocket server (web/cli/websocket.ts) against RFC 6455's own
// examples: the handshake key of §1.3 and the frames of §5.7.

import { test, expect } from "vitest";
import { acceptKey, encodeFrame, FrameReader, type Message } from "../../web/cli/websocket";

function reader() {
  const got: { messages: Message[]; pings: Uint8Array[]; closes: number[]; fails: number[] } = { messages: [], pings: [], closes: [], fails: [] };
  const r = new FrameReader({
    message: (m) => got.messages.push(m), ping: (p) => got.pings.push(p), close: (c) => got.closes.push(c), fail: (c) => got.fails.push(c),
  });
  return { r, got };
}

test("Sec-WebSocket-Accept for the RFC's example key (§1.3)", () => {
  expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

test("a masked text frame, whole and byte by byte (§5.7: \"Hello\")", () => {
  const frame = Uint8Array.of(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
  const { r, got } = reader();
  r.push(frame);
  for (const b of frame) r.push(Uint8Array.of(b));
  expect(got.messages).toEqual([{ text: "Hello" }, { text: "Hello" }]);
  expect(got.fails).toEqual([]);
});

test("a fragmented message (§5.7: \"Hel\" then \"lo\"), masked", () => {
  const mask = (b: number[], first: number) => {
    const key = [1, 2, 3, 4];
    return [first, 0x80 | b.length, ...key, ...b.map((x, i) => x ^ key[i & 3])];
  };
  const { r, got } = reader();
  r.push(Uint8Array.from([...mask([0x48, 0x65, 0x6c], 0x01), ...mask([0x6c, 0x6f], 0x80)]));
  expect(got.messages).toEqual([{ text: "Hello" }]);
});

test("a 256-byte binary message with a 16-bit length, ping, close", () => {
  const payload = Uint8Array.from({ length: 256 }, (_, i) => i);
  const key = [0xde, 0xad, 0xbe, 0xef];
  const f = [0x82, 0xfe, 0x01, 0x00, ...key, ...payload.map((x, i) => x ^ key[i & 3])];
  const ping = [0x89, 0x85, ...key, ..."Hello".split("").map((c, i) => c.charCodeAt(0) ^ key[i & 3])];
  const close = [0x88, 0x82, ...key, 0x03 ^ key[0], 0xe8 ^ key[1]];
  const { r, got } = reader();
  r.push(Uint8Array.from([...f, ...ping, ...close]));
  expect(got.messages).toEqual([{ binary: payload }]);
  expect(got.pings.map((p) => new TextDecoder().decode(p))).toEqual(["Hello"]);
  expect(got.closes).toEqual([1000]);
});

test("an unmasked client frame fails the connection with 1002 (§5.1)", () => {
  const { r, got } = reader();
  r.push(Uint8Array.of(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f));
  expect(got.messages).toEqual([]);
  expect(got.fails).toEqual([1002]);
});

test("server frames: unmasked, the RFC's lengths (§5.7)", () => {
  expect([...encodeFrame(1, new TextEncoder().encode("Hello"))]).toEqual([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
  expect([...encodeFrame(2, new Uint8Array(256)).subarray(0, 4)]).toEqual([0x82, 0x7e, 0x01, 0x00]);
  expect([...encodeFrame(2, new Uint8Array(65536)).subarray(0, 10)]).toEqual([0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
});
