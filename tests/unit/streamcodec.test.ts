// The page's snapshot codec (web/host/snapshot.ts streamCodec, the Compression
// Streams API): raw deflate that zlib reads back, a size limit on inflate, and a
// corrupt input refused with an error, never left as an unhandled rejection.

import { test, expect } from "vitest";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { streamCodec } from "../../web/host/snapshot";

// 9 MiB, more than two of the codec's 4 MiB writes, some of it compressible.
const data = new Uint8Array(9 << 20);
for (let i = 0; i < data.length; i++) data[i] = i % 7 === 0 ? (i * 2654435761) >>> 24 : i >> 12;

test("deflate is raw deflate (zlib inflates it to the same bytes), and inflate reads zlib's", async () => {
  const packed = await streamCodec.deflate(data);
  expect(packed.length).toBeLessThan(data.length);
  expect(inflateRawSync(packed).equals(Buffer.from(data))).toBe(true);
  const back = await streamCodec.inflate(deflateRawSync(data), data.length);
  expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);
});

test("inflate refuses output past its limit, and corrupt input, with an error", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  try {
    await expect(streamCodec.inflate(deflateRawSync(data), data.length - 1)).rejects.toThrow(`a section inflates past its ${data.length - 1} bytes`);
    const corrupt = deflateRawSync(data);
    corrupt.fill(0xff, 10, 4000);
    await expect(streamCodec.inflate(corrupt, data.length)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});
