// Disk and CD images read over HTTP on demand: a read-only BlockBackend that asks
// the server for the blocks the guest reads (RFC 9110 §14, Range requests) and
// keeps them, so a 650 MiB ISO boots after fetching the few MiB its boot reads.
//
//   const img = await probeHttpImage(url, { notice });            // async, before the machine runs
//   const disk = img.kind === "range"
//     ? new HttpBackend(url, img.length, syncFetcher)              // blocks on demand
//     : new MemoryBackend(img.bytes, true);                        // the server has no Range support
//
// The machine's block import is synchronous (block.ts), so reads go through an
// injected synchronous fetcher: a synchronous XMLHttpRequest in the page's worker
// (web/worker.ts), a fetch() in a worker thread waited on with Atomics.wait on the
// command line (web/cli/syncfetch.ts). This file uses neither: no DOM, no Node.
//
// Reads are in fixed blocks (64 KiB); the missing blocks a read needs are asked
// for in one request, and a read that continues the previous one fetches a
// growing window of blocks ahead (up to 1 MiB), as a sequential reader will want
// them next. Blocks are cached in memory, least recently used dropped past a
// bound. A wrong answer during a read (not 206, another range, a short body, a
// network failure) is a BlockError, which the guest sees as an I/O error; the
// first one is also told to the host's log. Left out: writes (QEMU's curl driver
// is read-only too; a CowOverlay on top keeps the guest's writes), validators
// (If-Range/ETag: an image changed on the server mid-run is only noticed when its
// size changes), and persistence of the cache.

import { BlockError, SECTOR, checkRange, type BlockBackend } from "./block";

/** What a range GET answered. `contentRange` is null when the header is absent
 *  (or hidden from a cross-origin page). */
export interface RangeResponse { status: number; contentRange: string | null; body: Uint8Array }

/** GET bytes start..endInclusive of the image, synchronously; throws on a network failure. */
export type RangeFetcher = (start: number, endInclusive: number) => RangeResponse;

/** A problem opening an image, in one line naming the URL. */
export class HttpDiskError extends Error {}

/** Whether an image name is an http(s) URL (the command line's test; the page also takes relative URLs). */
export const isHttpUrl = (name: string): boolean => /^https?:\/\//i.test(name);

export const HTTP_BLOCK = 64 * 1024;
const MAX_READAHEAD_BLOCKS = 16;
const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

/** `bytes FIRST-LAST/TOTAL` (TOTAL may be `*`), RFC 9110 §14.4. */
export function parseContentRange(v: string | null): { first: number; last: number; total: number | null } | null {
  const m = v ? /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(v) : null;
  if (!m) return null;
  return { first: Number(m[1]), last: Number(m[2]), total: m[3] === "*" ? null : Number(m[3]) };
}

export type HttpImage =
  /** The server answers Range requests: read blocks on demand. */
  | { kind: "range"; url: string; length: number }
  /** It does not (or hid the size): the whole image, downloaded. */
  | { kind: "whole"; url: string; bytes: Uint8Array };

export interface ProbeOptions {
  /** The fetch to use (tests inject one); the global fetch by default. */
  fetch?: typeof fetch;
  /** Told before a whole download starts, with the reason. */
  notice?: (message: string) => void;
  /** A whole download's progress. */
  progress?: (loaded: number, total: number) => void;
}

/** Node's fetch puts the reason in `cause` (ECONNREFUSED, "bad port"); a browser says nothing more. */
function networkWhy(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (typeof cause?.code === "string") return `could not connect (${cause.code})`;
  return `the network request failed${typeof cause?.message === "string" ? ` (${cause.message})` : ""}`;
}

async function get(url: string, f: typeof fetch, headers?: Record<string, string>): Promise<Response> {
  try {
    return await f(url, headers ? { headers } : undefined);
  } catch (e) {
    throw new HttpDiskError(`${url}: ${networkWhy(e)}`);
  }
}

/** The probe asks for the first sector, not byte 0 alone: Vite's static server
 *  (sirv, `npm start`) reads the end "0" as absent and would send the whole file. */
export const PROBE_RANGE = "bytes=0-511";

/** Ask the server for the first bytes: 206 with a Content-Range total means Range
 *  support and gives the size; 200 means none, and the body is the image. */
export async function probeHttpImage(url: string, opts: ProbeOptions = {}): Promise<HttpImage> {
  const f = opts.fetch ?? fetch;
  let res = await get(url, f, { Range: PROBE_RANGE });
  if (res.status === 206) {
    const cr = parseContentRange(res.headers.get("content-range"));
    await res.body?.cancel();
    if (cr?.total != null) {
      if (cr.total === 0) throw new HttpDiskError(`${url}: the image is empty`);
      return { kind: "range", url, length: cr.total };
    }
    opts.notice?.(`${url}: the server did not give the image's size (Content-Range; a cross-origin server must expose it): downloading the whole image`);
    res = await get(url, f);
  } else if (res.status === 200) {
    opts.notice?.(`${url}: server has no Range support: downloading the whole image`);
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new HttpDiskError(`${url}: the server answered ${res.status}${res.statusText ? " " + res.statusText : ""}`);
  }
  const bytes = await readBody(res, opts.progress);
  if (bytes.length === 0) throw new HttpDiskError(`${url}: the image is empty`);
  return { kind: "whole", url, bytes };
}

/** A response's whole body, with progress as it arrives. */
export async function readBody(res: Response, progress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
  const total = Number(res.headers.get("content-length") ?? 0);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    progress?.(loaded, total || loaded);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

export interface HttpBackendOptions {
  /** Bytes per block (a multiple of 512). */
  blockSize?: number;
  /** Cached bytes kept at most (least recently used blocks dropped). */
  cacheBytes?: number;
  /** The host's log: told about the first failed read. */
  log?: (message: string) => void;
}

/** A read-only image at `url` of `length` bytes, read through `fetcher` in blocks. */
export class HttpBackend implements BlockBackend {
  readonly readOnly = true;
  /** `length` rounded up to whole sectors; the part past the image reads as zeros (a CD image may end mid-block). */
  readonly size: number;
  /** Bytes received from the server, and the requests that brought them. */
  fetchedBytes = 0;
  requests = 0;
  private readonly blockSize: number;
  private readonly cacheBytes: number;
  /** Block number -> its bytes (the last block may be short); Map order is least recently used first. */
  private readonly cache = new Map<number, Uint8Array>();
  private cachedBytes = 0;
  /** Byte offset just past the last read, and the read-ahead window in blocks. */
  private lastEnd = -1;
  private window = 0;
  private reported = false;

  constructor(readonly url: string, readonly length: number, private readonly fetcher: RangeFetcher, private readonly opts: HttpBackendOptions = {}) {
    this.blockSize = opts.blockSize ?? HTTP_BLOCK;
    if (this.blockSize <= 0 || this.blockSize % SECTOR) throw new Error(`block size ${this.blockSize} is not a multiple of ${SECTOR}`);
    this.cacheBytes = opts.cacheBytes ?? DEFAULT_CACHE_BYTES;
    this.size = Math.ceil(length / SECTOR) * SECTOR;
  }

  /** Blocks held in the cache now. */
  get cachedBlocks(): number { return this.cache.size; }

  read(lba: number, count: number, into: Uint8Array): void {
    checkRange(this, lba, count, into);
    if (count === 0) return;
    const start = lba * SECTOR, end = start + count * SECTOR;
    const B = this.blockSize;
    const first = Math.floor(start / B), last = Math.floor((end - 1) / B);
    const lastBlock = Math.floor((this.length - 1) / B);
    // A read that starts where the last one ended doubles the window; any other starts over.
    this.window = start === this.lastEnd ? Math.min(Math.max(1, this.window * 2), MAX_READAHEAD_BLOCKS) : 0;
    const got = new Map<number, Uint8Array>();
    for (let b = first; b <= last;) {
      const hit = this.touch(b);
      if (hit) { got.set(b, hit); b++; continue; }
      // Missing blocks b..e go in one request; past the read's end, the read-ahead window.
      let e = b;
      while (e < last && e < lastBlock && !this.cache.has(e + 1)) e++;
      if (e === last) while (e < lastBlock && e - last < this.window && !this.cache.has(e + 1)) e++;
      this.fetchRun(b, e, got);
      b = e + 1;
    }
    for (let b = first; b <= last; b++) {
      const data = got.get(b)!;
      const blockStart = b * B;
      const from = Math.max(start, blockStart), to = Math.min(end, blockStart + B);
      const avail = Math.max(0, Math.min(to, blockStart + data.length) - from);
      into.set(data.subarray(from - blockStart, from - blockStart + avail), from - start);
      into.fill(0, from - start + avail, to - start); // past the image's end
    }
    this.lastEnd = end;
  }

  write(): void { throw new BlockError("image is read-only (read over HTTP)"); }

  /** A cached block, now the most recently used. */
  private touch(b: number): Uint8Array | undefined {
    const d = this.cache.get(b);
    if (d) { this.cache.delete(b); this.cache.set(b, d); }
    return d;
  }

  private fetchRun(b: number, e: number, got: Map<number, Uint8Array>): void {
    const B = this.blockSize;
    const first = b * B, last = Math.min((e + 1) * B, this.length) - 1;
    const want = last - first + 1;
    let r: RangeResponse;
    try {
      r = this.fetcher(first, last);
    } catch (err) {
      this.fail(`bytes ${first}-${last}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (r.status !== 206) this.fail(`bytes ${first}-${last}: the server answered ${r.status} instead of 206 Partial Content`);
    const cr = parseContentRange(r.contentRange);
    if (cr && (cr.first !== first || cr.last !== last)) this.fail(`bytes ${first}-${last}: the server sent bytes ${cr.first}-${cr.last}`);
    if (cr?.total != null && cr.total !== this.length) this.fail(`the image's size changed on the server (${this.length} -> ${cr.total} bytes)`);
    if (r.body.length !== want) this.fail(`bytes ${first}-${last}: got ${r.body.length} of ${want} bytes`);
    this.fetchedBytes += want;
    this.requests++;
    for (let k = b; k <= e; k++) {
      const data = r.body.slice((k - b) * B, Math.min((k - b + 1) * B, want));
      this.cache.set(k, data);
      this.cachedBytes += data.length;
      got.set(k, data);
    }
    // Drop the least recently used blocks past the bound (never the ones this read holds in `got`).
    for (const [k, d] of this.cache) {
      if (this.cachedBytes <= this.cacheBytes) break;
      this.cache.delete(k);
      this.cachedBytes -= d.length;
    }
  }

  private fail(detail: string): never {
    const message = `${this.url}: ${detail}`;
    if (!this.reported) {
      this.reported = true;
      this.opts.log?.(`${message} (the guest gets an I/O error; later errors are not reported)`);
    }
    throw new BlockError(message);
  }
}
