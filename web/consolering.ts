// A single-producer single-consumer byte ring in a SharedArrayBuffer: the worker
// writes console output and wakes the page (Atomics.notify on the write index),
// the page waits for it (Atomics.waitAsync) and reads it once per animation frame,
// so an idle guest costs the page no frames at all. Header: Int32 write index,
// Int32 read index (free-running); data follows.

export const CONSOLE_RING_BYTES = 1 << 16;
const HEADER = 8;

/** ES2024's Atomics.waitAsync (Chromium has it; older engines do not). */
const waitAsync = (Atomics as unknown as {
  waitAsync?: (a: Int32Array, i: number, v: number, t: number) => { async: boolean; value: Promise<string> | string };
}).waitAsync;

export function createConsoleRing(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER + CONSOLE_RING_BYTES);
}

export class ConsoleRing {
  private readonly idx: Int32Array;
  private readonly data: Uint8Array;
  constructor(sab: SharedArrayBuffer) {
    this.idx = new Int32Array(sab, 0, 2);
    this.data = new Uint8Array(sab, HEADER, CONSOLE_RING_BYTES);
  }
  /** Producer: append as much of `bytes` as fits; returns the count written. */
  write(bytes: Uint8Array): number {
    const w = Atomics.load(this.idx, 0), r = Atomics.load(this.idx, 1);
    const free = CONSOLE_RING_BYTES - ((w - r) >>> 0);
    const n = Math.min(free, bytes.length);
    for (let i = 0; i < n; i++) this.data[(w + i) & (CONSOLE_RING_BYTES - 1)] = bytes[i];
    Atomics.store(this.idx, 0, (w + n) | 0);
    if (n) Atomics.notify(this.idx, 0);
    return n;
  }
  /** Consumer: resolves with true when there is something to read, or with
   *  false after `timeoutMs` of nothing (where Atomics.waitAsync is missing: true
   *  at the next animation frame, so that the reader polls once a frame). */
  async readable(timeoutMs: number): Promise<boolean> {
    const w = Atomics.load(this.idx, 0);
    if (w !== Atomics.load(this.idx, 1)) return true;
    if (!waitAsync) { await new Promise((r) => requestAnimationFrame(r)); return true; }
    const res = waitAsync(this.idx, 0, w, timeoutMs);
    return (res.async ? await res.value : res.value) !== "timed-out";
  }
  /** Consumer: take everything available. */
  read(): Uint8Array {
    const w = Atomics.load(this.idx, 0), r = Atomics.load(this.idx, 1);
    const n = (w - r) >>> 0;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.data[(r + i) & (CONSOLE_RING_BYTES - 1)];
    Atomics.store(this.idx, 1, w);
    return out;
  }
}
