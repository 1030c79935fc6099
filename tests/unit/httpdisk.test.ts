// web/host/httpdisk.ts with a fake server: which ranges a read asks for (one
// request per run of missing blocks, read-ahead on sequential reads), what stays
// cached, the counts the page's progress shows, the answers that are guest I/O
// errors, and the probe that decides between Range reads and a whole download.

import { describe, test, expect } from "vitest";
import { HttpBackend, HttpDiskError, probeHttpImage, parseContentRange, type RangeResponse } from "../../web/host/httpdisk";
import { BlockError, BlockHost, SECTOR } from "../../web/host/block";

const B = 4096; // a small block, so that images stay small

/** An image whose every byte says where it is (byte i = (i * 7 + (i >> 9)) & 255). */
function image(length: number): Uint8Array<ArrayBuffer> {
  const d = new Uint8Array(length);
  for (let i = 0; i < length; i++) d[i] = (i * 7 + (i >> 9)) & 255;
  return d;
}

/** A well-behaved server over `data`, logging the ranges asked for. */
function server(data: Uint8Array) {
  const asked: [number, number][] = [];
  const fetcher = (first: number, last: number): RangeResponse => {
    asked.push([first, last]);
    return { status: 206, contentRange: `bytes ${first}-${last}/${data.length}`, body: data.slice(first, last + 1) };
  };
  return { asked, fetcher };
}

function read(d: HttpBackend, lba: number, count: number): Uint8Array {
  const buf = new Uint8Array(count * SECTOR);
  d.read(lba, count, buf);
  return buf;
}

const SPB = B / SECTOR; // sectors per block

describe("HttpBackend reads", () => {
  test("a read spanning missing blocks is one request; the same read again is none", () => {
    const data = image(16 * B);
    const s = server(data);
    const d = new HttpBackend("http://x/i", data.length, s.fetcher, { blockSize: B });
    // From the last sector of block 1 to the first of block 3: blocks 1..3.
    const got = read(d, 2 * SPB - 1, SPB + 2);
    expect(got).toEqual(data.subarray((2 * SPB - 1) * SECTOR, (3 * SPB + 1) * SECTOR));
    expect(s.asked).toEqual([[1 * B, 4 * B - 1]]);
    expect(d.fetchedBytes).toBe(3 * B);
    expect(d.requests).toBe(1);
    expect(d.cachedBlocks).toBe(3);
    expect(read(d, 2 * SPB - 1, SPB + 2)).toEqual(got);
    expect(read(d, SPB, 1)).toEqual(data.subarray(B, B + SECTOR));
    expect(s.asked).toHaveLength(1);
  });

  test("cached blocks split a read's requests into the missing runs", () => {
    const data = image(16 * B);
    const s = server(data);
    const d = new HttpBackend("http://x/i", data.length, s.fetcher, { blockSize: B });
    read(d, 2 * SPB, 1); // block 2
    read(d, 5 * SPB, 1); // block 5 (not sequential: no read-ahead)
    s.asked.length = 0;
    expect(read(d, 1 * SPB, 6 * SPB)).toEqual(data.subarray(B, 7 * B)); // blocks 1..6
    expect(s.asked).toEqual([[B, 2 * B - 1], [3 * B, 5 * B - 1], [6 * B, 7 * B - 1]]);
    expect(d.fetchedBytes).toBe(6 * B);
  });

  test("sequential reads fetch a growing window ahead; a jump starts over", () => {
    const data = image(64 * B);
    const s = server(data);
    const d = new HttpBackend("http://x/i", data.length, s.fetcher, { blockSize: B });
    read(d, 0, SPB); // block 0, first read: no window
    read(d, SPB, SPB); // continues: block 1 + 1 ahead
    read(d, 2 * SPB, SPB); // block 2 cached: no request
    read(d, 3 * SPB, SPB); // continues: block 3 + 4 ahead (the window doubles per sequential read)
    expect(s.asked).toEqual([[0, B - 1], [B, 3 * B - 1], [3 * B, 8 * B - 1]]);
    read(d, 40 * SPB, 1); // a jump: just its block
    expect(s.asked.at(-1)).toEqual([40 * B, 41 * B - 1]);
    // Reading on and on, the window stops at 16 blocks and at the image's end.
    for (let lba = 40 * SPB + 1; lba < 64 * SPB; lba += SPB) read(d, lba, Math.min(SPB, 64 * SPB - lba));
    const sizes = s.asked.slice(4).map(([a, b]) => (b - a + 1) / B);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(17);
    expect(s.asked.at(-1)![1]).toBe(data.length - 1);
    expect(d.fetchedBytes).toBe(s.asked.reduce((n, [a, b]) => n + b - a + 1, 0));
  });

  test("an image that ends mid-block and mid-sector: requests stop at its last byte, the rest reads as zeros", () => {
    const length = 3 * B + 700; // a CD image need not be whole sectors
    const data = image(length);
    const s = server(data);
    const d = new HttpBackend("http://x/i", length, s.fetcher, { blockSize: B });
    expect(d.size).toBe(3 * B + 1024);
    const got = read(d, 3 * SPB, 2);
    expect(s.asked).toEqual([[3 * B, length - 1]]);
    expect(got.subarray(0, 700)).toEqual(data.subarray(3 * B));
    expect(got.subarray(700).every((b) => b === 0)).toBe(true);
    expect(() => read(d, 3 * SPB + 2, 1)).toThrow(BlockError); // past the end
  });

  test("the cache keeps at most its bound, dropping the least recently used block", () => {
    const data = image(8 * B);
    const s = server(data);
    const d = new HttpBackend("http://x/i", data.length, s.fetcher, { blockSize: B, cacheBytes: 2 * B });
    read(d, 0, 1); read(d, 4 * SPB, 1); read(d, 0, 1); // block 0 used last
    read(d, 6 * SPB, 1); // drops block 4
    expect(d.cachedBlocks).toBe(2);
    s.asked.length = 0;
    read(d, 0, 1);
    expect(s.asked).toEqual([]);
    read(d, 4 * SPB, 1);
    expect(s.asked).toEqual([[4 * B, 5 * B - 1]]);
  });

  test("writes are refused", () => {
    const d = new HttpBackend("http://x/i", B, server(image(B)).fetcher, { blockSize: B });
    expect(d.readOnly).toBe(true);
    expect(() => d.write()).toThrow(BlockError);
  });
});

describe("HttpBackend: wrong answers are guest I/O errors, reported once", () => {
  const data = image(8 * B);
  const cases: [string, (first: number, last: number) => RangeResponse, RegExp][] = [
    ["a short body", (f, l) => ({ status: 206, contentRange: `bytes ${f}-${l}/${data.length}`, body: data.slice(f, l) }), /got 4095 of 4096 bytes/],
    ["200 with the whole image", () => ({ status: 200, contentRange: null, body: data }), /answered 200 instead of 206/],
    ["a 503", () => ({ status: 503, contentRange: null, body: new Uint8Array(0) }), /answered 503/],
    ["another range", (f, l) => ({ status: 206, contentRange: `bytes 0-${l - f}/${data.length}`, body: data.slice(0, l - f + 1) }), /sent bytes 0-4095/],
    ["another size", (f, l) => ({ status: 206, contentRange: `bytes ${f}-${l}/99999`, body: data.slice(f, l + 1) }), /size changed/],
    ["a network failure", () => { throw new Error("connection reset"); }, /connection reset/],
  ];
  test.each(cases)("%s", (_, fetcher, re) => {
    const log: string[] = [];
    const d = new HttpBackend("http://x/i", data.length, fetcher, { blockSize: B, log: (m) => log.push(m) });
    expect(() => read(d, SPB, 1)).toThrow(re);
    expect(() => read(d, SPB, 1)).toThrow(BlockError); // nothing was cached: asked again, failing again
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^http:\/\/x\/i: bytes \d+-\d+: |^http:\/\/x\/i: the image's size/);
    expect(d.fetchedBytes).toBe(0);
    expect(d.cachedBlocks).toBe(0);
    // Through the machine's block import: an error return, never an exception.
    const host = new BlockHost();
    host.bind(new WebAssembly.Memory({ initial: 1 }));
    host.drives[2] = d;
    expect(host.io(2, 0, SPB, 0, 1, 0)).toBe(1);
    expect(host.lastError).toMatch(re);
  });
});

/** A fetch that answers from a table of responses by Range header ("none" without one). */
function fakeFetch(answers: Record<string, () => Response>): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  const f = (async (_url: string, init?: RequestInit) => {
    const range = (init?.headers as Record<string, string> | undefined)?.Range ?? "none";
    calls.push(range);
    const a = answers[range];
    if (!a) throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    return a();
  }) as typeof fetch;
  return { fetch: f, calls };
}

describe("probeHttpImage", () => {
  const url = "http://127.0.0.1:1/cd.iso";
  test("206 with a Content-Range total: Range reads of that size", async () => {
    const { fetch, calls } = fakeFetch({ "bytes=0-511": () => new Response(new Uint8Array(512), { status: 206, headers: { "content-range": "bytes 0-511/681574400" } }) });
    const notices: string[] = [];
    expect(await probeHttpImage(url, { fetch, notice: (m) => notices.push(m) })).toEqual({ kind: "range", url, length: 681574400 });
    expect(calls).toEqual(["bytes=0-511"]);
    expect(notices).toEqual([]);
  });

  test("200: no Range support, the body is the whole image, and the host is told first", async () => {
    const body = image(10000);
    const { fetch, calls } = fakeFetch({ "bytes=0-511": () => new Response(body, { status: 200, headers: { "content-length": "10000" } }) });
    const notices: string[] = [];
    const progress: number[] = [];
    const img = await probeHttpImage(url, { fetch, notice: (m) => notices.push(m), progress: (n, t) => { expect(t).toBe(10000); progress.push(n); } });
    expect(img.kind).toBe("whole");
    expect(img.kind === "whole" && img.bytes).toEqual(body);
    expect(calls).toEqual(["bytes=0-511"]);
    expect(notices).toEqual([`${url}: server has no Range support: downloading the whole image`]);
    expect(progress.at(-1)).toBe(10000);
  });

  test("206 without a total (a cross-origin server hiding Content-Range): a whole download, said so", async () => {
    const body = image(3000);
    const { fetch, calls } = fakeFetch({
      "bytes=0-511": () => new Response(new Uint8Array([1]), { status: 206 }),
      none: () => new Response(body, { status: 200 }),
    });
    const notices: string[] = [];
    const img = await probeHttpImage(url, { fetch, notice: (m) => notices.push(m) });
    expect(img.kind === "whole" && img.bytes).toEqual(body);
    expect(calls).toEqual(["bytes=0-511", "none"]);
    expect(notices[0]).toMatch(/did not give the image's size.*downloading the whole image$/);
  });

  test.each([
    [404, "Not Found", `${url}: the server answered 404 Not Found`],
    [416, "Range Not Satisfiable", `${url}: the server answered 416 Range Not Satisfiable`],
  ])("%i is a one-line error naming the URL", async (status, statusText, message) => {
    const { fetch } = fakeFetch({ "bytes=0-511": () => new Response("no", { status, statusText }) });
    await expect(probeHttpImage(url, { fetch })).rejects.toThrow(new HttpDiskError(message));
  });

  test("a network failure is a one-line error naming the URL and the reason", async () => {
    const { fetch } = fakeFetch({});
    await expect(probeHttpImage(url, { fetch })).rejects.toThrow(new HttpDiskError(`${url}: could not connect (ECONNREFUSED)`));
  });

  test("Content-Range parsing", () => {
    expect(parseContentRange("bytes 0-0/1234")).toEqual({ first: 0, last: 0, total: 1234 });
    expect(parseContentRange("bytes 5-9/*")).toEqual({ first: 5, last: 9, total: null });
    expect(parseContentRange("bytes */1234")).toBeNull();
    expect(parseContentRange(null)).toBeNull();
  });
});
