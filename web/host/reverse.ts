// Reverse execution of a replay (gdb's reverse-stepi, reverse-continue and,
// through them, reverse-next; QEMU's record/replay debugging). A replay is
// deterministic, so going back is going forward again from an earlier point:
//
//   checkpoints   while the replay runs forward for the first time, the whole
//                 machine state (state regions and the RAM pages in use), the
//                 replay's position in its recording and the run call it is in
//                 (suspended by the machine's stop target) are copied into host
//                 memory every `interval` instructions
//   going back    restore the last checkpoint before the goal and replay
//                 forward to it: to an instruction count with the machine's
//                 stop target (Machine.setStopAt), to a breakpoint hit by
//                 counting hits
//   going on      a run that a breakpoint or the stop target stopped is
//                 suspended in its recorded call and continues exactly
//                 (Machine.continueRun, Replay.next), so forward execution
//                 after reversing replays the same instructions and bytes
//
// Console output is a byte stream with a position per ring: what a replay
// writes again behind the furthest point it reached is not written twice.
// docs/REPLAY.md ("Debugging a replay") has the design; no DOM, no Node APIs.
//
//   const t = new ReplayTimeline(machine, replay, { interval: 2_000_000n, output });
//   t.advance();            // the run loop's step forward
//   t.reverseStep(points);  // gdb's bs

import { STOP, RING, type Machine, type StopReason, type WatchKind, type SuspendedRun } from "./machine";
import type { Replay, ReplayPosition } from "./replay";
import { REGION_NAMES, EVENTS_KEEP } from "./snapshot";

const PAGE = 4096;
/** Going back further than twice this from a checkpoint leaves a checkpoint
 *  this far before the goal on the way, so that the next reverse-stepi there
 *  replays this much, not a whole interval (which grows on a long replay). */
const NEAR = 100_000n;
/** Recorded calls (at most a run slice each) between turns of the host's event loop while going back. */
const PACE_CALLS = 16;
/** How many of those near checkpoints are kept (the oldest goes). */
const MAX_NEAR = 4;
/** The rings whose output a replay shows (drained after every call). */
const OUTPUT_RINGS = [RING.DEBUGCON, RING.COM1_TX] as const;
/** Instructions between checkpoints unless the host says otherwise (the CLI's
 *  -icount ...,rrinterval=N; the page's replays). */
export const DEFAULT_CHECKPOINT_INTERVAL = 2_000_000n;

export interface TimelineOptions {
  /** Instructions between checkpoints (at least; they fall between recorded calls). */
  interval: bigint;
  /** Host memory the checkpoints may hold; beyond it every second one is
   *  dropped and the interval doubles. */
  maxBytes?: number;
  /** New console bytes, once each (ring: RING.DEBUGCON or RING.COM1_TX). */
  output(ring: number, bytes: Uint8Array): void;
}

/** Where a reverse (or replayed forward) operation stopped, for gdb's stop reply. */
export type TimelineStop =
  | { reason: "step" }
  | { reason: "breakpoint" }
  | { reason: "watchpoint"; watch: WatchKind; address: number }
  /** The start of the recording (gdb: "No more reverse-execution history"). */
  | { reason: "begin" }
  /** The end of the recording. */
  | { reason: "end" }
  /** Cancelled (gdb's Ctrl-C): the stub has answered already. */
  | { reason: "interrupted" };

/** gdb's breakpoints and watchpoints, which going back takes out of the
 *  machine while it replays to an instruction count. */
export interface Points { off(): void; on(): void }

interface Checkpoint {
  icount: bigint;
  /** Replay.position: the next event, and the run call it is inside. */
  position: ReplayPosition;
  /** That run, suspended at the stop target (undefined between calls). */
  run?: SuspendedRun;
  regions: Uint8Array[];
  /** Indices of the RAM pages that held a nonzero byte, and their bytes in order. */
  pages: Uint32Array;
  ram: Uint8Array;
  /** Console bytes written before this point, per OUTPUT_RINGS entry. */
  written: number[];
  bytes: number;
}

export class ReplayTimeline {
  private readonly checkpoints: Checkpoint[] = [];
  /** RAM copies of dropped checkpoints, to be filled again: memory the process
   *  has touched before costs no page faults (fresh memory costs more than the copy). */
  private spare: Uint8Array[] = [];
  /** The near checkpoints (NEAR), oldest first. */
  private readonly nearOnes: Checkpoint[] = [];
  private interval: bigint;
  private readonly maxBytes: number;
  /** Per output ring: bytes the machine has written so far on this pass, and the most ever shown. */
  private readonly written = OUTPUT_RINGS.map(() => 0);
  private readonly shown = OUTPUT_RINGS.map(() => 0);
  private ended = false;
  private cancelled = false;
  private paced = 0;
  /** Where the caller wants the replay to stop (the machine's stop target is
   *  this or the next checkpoint's count, whichever comes first). */
  private target: bigint | undefined;
  /** Checkpoints taken and their cost (for measurements). */
  readonly stats = { taken: 0, captureMs: 0, restores: 0, restoreMs: 0 };

  /** `m` stands where `replay` starts (after the boot images are loaded). */
  constructor(private readonly m: Machine, private readonly replay: Replay, private readonly opts: TimelineOptions) {
    this.interval = opts.interval > 0n ? opts.interval : 1n;
    this.maxBytes = opts.maxBytes ?? 1 << 30;
    this.capture();
  }

  /** Take checkpoints every `interval` instructions from here on (the page
   *  starts a replay with the first one only, and takes them once someone
   *  debugs it: web/worker.ts). */
  checkpointEvery(interval: bigint): void { this.interval = interval > 0n ? interval : 1n; }

  /** The checkpoints held now: count, instruction counts and host bytes. */
  get checkpointInfo(): { count: number; bytes: number; icounts: bigint[] } {
    return { count: this.checkpoints.length, bytes: this.checkpoints.reduce((s, c) => s + c.bytes, 0), icounts: this.checkpoints.map((c) => c.icount) };
  }

  /** Whether the last forward step reached the end of the recording. */
  get atEnd(): boolean { return this.ended; }

  /** The run loop's step: the next recorded call (or the rest of a suspended
   *  run); shows new output. Checkpoints are taken on the way, where the
   *  machine's stop target halts the run for them (the caller never sees those
   *  stops). With `pass`, an execution breakpoint at the instruction the
   *  machine stands on does not stop it before that instruction has run: the
   *  caller goes on from a stop there (a step, a step back), as gdb steps over
   *  a breakpoint at its PC before it continues. (A stop at a breakpoint is
   *  passed anyway: Machine.continueRun runs the instruction it stopped before.) */
  advance(pass = false): StopReason | "end" | null {
    const from = pass ? { icount: this.m.instructions, pc: this.pc() } : undefined;
    for (;;) {
      const due = this.checkpoints[this.checkpoints.length - 1].icount + this.interval;
      this.m.setStopAt(this.target !== undefined && this.target < due ? this.target : due);
      const r = this.replay.next();
      this.flush();
      this.ended = r === "end";
      if (r === STOP.BREAKPOINT && from && this.m.instructions === from.icount) {
        const hit = this.m.breakpointHit();
        if (hit?.kind === "breakpoint" && hit.address === from.pc) continue;
      }
      if (r !== STOP.TARGET) return r;
      const now = this.m.instructions;
      if (now >= due) this.capture();
      if (this.target !== undefined && now >= this.target) return r;
    }
  }

  /** The linear address of the instruction at CS:EIP (what breakpoints are set at). */
  private pc(): number {
    const r = this.m.registers();
    return (r.cs.base + r.eip) >>> 0;
  }

  /** Drain the output rings; bytes behind the furthest point shown are dropped. */
  flush(): void {
    OUTPUT_RINGS.forEach((ring, i) => {
      const b = this.m.drain(ring);
      if (b.length === 0) return;
      const start = this.written[i];
      this.written[i] += b.length;
      if (this.written[i] <= this.shown[i]) return;
      this.opts.output(ring, b.subarray(Math.max(0, this.shown[i] - start)));
      this.shown[i] = this.written[i];
    });
  }

  // ---- forward ----

  /** gdb's stepi in a replay: on to one more instruction retired (an
   *  interrupt or exception taken on the way is delivered first, so the
   *  instruction is then the handler's first). */
  stepForward(): TimelineStop {
    return this.runTo(this.m.instructions + 1n, true, true);
  }

  /** Replay until `icount` instructions have retired, or a breakpoint or
   *  watchpoint stops the run (when `points`), or the recording ends; `pass`
   *  as advance's. */
  private runTo(icount: bigint, points: boolean, pass = false): TimelineStop {
    this.target = icount;
    try {
      for (;;) {
        const r = this.advance(pass);
        if (r === "end") return { reason: "end" };
        if (r === STOP.TARGET) return { reason: "step" };
        if (r === STOP.BREAKPOINT && points) return this.hitStop();
      }
    } finally {
      this.target = undefined;
    }
  }

  private hitStop(): TimelineStop {
    const hit = this.m.breakpointHit();
    if (hit?.kind === "watchpoint") return { reason: "watchpoint", watch: hit.watch, address: hit.address };
    return { reason: "breakpoint" };
  }

  // ---- backward ----

  /** gdb's bs: back to one instruction fewer retired. At the start of the
   *  recording nothing is before: "begin". */
  reverseStep(points: Points): TimelineStop {
    const now = this.m.instructions;
    if (now <= this.checkpoints[0].icount) { this.restore(this.checkpoints[0]); return { reason: "begin" }; }
    points.off();
    try { return this.goTo(now - 1n); } finally { points.on(); }
  }

  /** To the point where `icount` instructions have retired, backwards or
   *  forwards, passing breakpoints and watchpoints (an event's instruction
   *  count: the machine as it was just before the event's instruction). Past
   *  the recording's end: "end", stopped there. */
  travelTo(icount: bigint, points: Points): TimelineStop {
    points.off();
    try {
      if (icount < this.m.instructions) return this.goTo(icount);
      if (icount === this.m.instructions) return { reason: "step" };
      return this.runTo(icount, false);
    } finally { points.on(); }
  }

  /** Restore the last checkpoint before instruction count `icount` and replay to it. */
  private goTo(icount: bigint): TimelineStop {
    this.restore(this.checkpoints[this.before(icount)]);
    if (icount <= this.m.instructions) return { reason: "step" };
    if (icount - this.m.instructions > 2n * NEAR && this.runTo(icount - NEAR, false).reason === "step") this.capture(true);
    const r = this.runTo(icount, false);
    return r.reason === "end" ? r : { reason: "step" };
  }

  /** The index of the last checkpoint whose count is below `icount` (the first when none is). */
  private before(icount: bigint): number {
    let i = this.checkpoints.length - 1;
    while (i > 0 && this.checkpoints[i].icount >= icount) i--;
    return i;
  }

  /** gdb's bc: back to the last breakpoint or watchpoint hit before the
   *  current point, or to the start of the recording when there is none. A
   *  breakpoint stops where it stopped going forward (before the instruction at
   *  its address); a watchpoint before the instruction that made the access
   *  (going backwards, that instruction is the one that changes the memory).
   *  It gives the host's event loop a turn now and then: cancel() (gdb's
   *  Ctrl-C) stops it where it is, a point of the replay like any other. */
  async reverseContinue(points: Points): Promise<TimelineStop> {
    this.cancelled = false;
    const now = this.m.instructions;
    const last = this.before(now);
    for (let i = last; i >= 0; i--) {
      const c = this.checkpoints[i];
      const upto = i === last ? now : this.checkpoints[i + 1].icount;
      // Every hit in this stretch, in order; the last one before `now` wins.
      this.restore(c);
      let n = 0, found = -1, foundAt = 0n, foundWatch: TimelineStop | undefined;
      this.target = upto;
      try {
        for (;;) {
          if (await this.pace()) return { reason: "interrupted" };
          const r = this.advance();
          if (r === "end" || r === STOP.TARGET) break;
          if (r !== STOP.BREAKPOINT) continue;
          const h = this.m.instructions, stop = this.hitStop();
          if (stop.reason === "watchpoint" ? h <= now : h < now) { found = n; foundAt = h; foundWatch = stop.reason === "watchpoint" ? stop : undefined; }
          n++;
        }
      } finally {
        this.target = undefined;
      }
      if (found < 0) continue;
      this.restore(c);
      if (foundWatch) {
        points.off();
        try { this.goTo(foundAt - 1n); } finally { points.on(); }
        return foundWatch;
      }
      // Replay to the same hit: the ones before it are passed (their runs continue).
      this.target = upto;
      try {
        for (let k = 0; ;) {
          if (await this.pace()) return { reason: "interrupted" };
          const r = this.advance();
          if (r === STOP.BREAKPOINT && k++ === found) return { reason: "breakpoint" };
          if (r === "end" || r === STOP.TARGET) break; // cannot happen: the replay is deterministic
        }
      } finally {
        this.target = undefined;
      }
    }
    this.restore(this.checkpoints[0]);
    return { reason: "begin" };
  }

  /** Stop a reverseContinue that is under way (it returns "interrupted"). */
  cancel(): void { this.cancelled = true; }

  /** Every PACE_CALLS calls: a turn for the host's event loop; true when cancelled meanwhile. */
  private async pace(): Promise<boolean> {
    if (++this.paced % PACE_CALLS === 0) await new Promise((r) => setTimeout(r, 0));
    return this.cancelled;
  }

  // ---- checkpoints ----

  private capture(near = false): void {
    const t0 = performance.now();
    const position = this.replay.position;
    const mem = new Uint8Array(this.m.memory.buffer);
    const regions = this.m.stateRegions().map((r) => mem.slice(r.base, r.base + r.size));
    const used = this.m.ramPagesInUse(), ram = this.m.ram();
    let n = 0;
    for (const u of used) n += u;
    const pages = new Uint32Array(n), copy = this.buffer(n * PAGE);
    for (let p = 0, k = 0; p < used.length; p++) {
      if (!used[p]) continue;
      pages[k] = p;
      copy.set(ram.subarray(p * PAGE, (p + 1) * PAGE), k * PAGE);
      k++;
    }
    const bytes = copy.length + regions.reduce((s, r) => s + r.length, 0);
    const c: Checkpoint = { icount: this.m.instructions, position, run: this.m.suspendedRun, regions, pages, ram: copy, written: [...this.written], bytes };
    if (near) {
      // the oldest near one goes (if thinning has not taken it already)
      const old = this.nearOnes.length >= MAX_NEAR ? this.checkpoints.indexOf(this.nearOnes.shift()!) : -1;
      if (old > 0) this.drop(this.checkpoints.splice(old, 1));
      this.nearOnes.push(c);
      this.checkpoints.splice(this.before(c.icount) + 1, 0, c);
    } else this.checkpoints.push(c);
    this.stats.taken++;
    this.stats.captureMs += performance.now() - t0;
    this.thin();
  }

  /** Over the memory budget: keep the first and every second one after it, and space new ones twice as far. */
  private thin(): void {
    if (this.checkpointInfo.bytes <= this.maxBytes || this.checkpoints.length < 3) return;
    const keep = this.checkpoints.filter((_, i) => i === 0 || i % 2 === 0 || i === this.checkpoints.length - 1);
    this.drop(this.checkpoints.filter((c) => !keep.includes(c)));
    this.checkpoints.splice(0, this.checkpoints.length, ...keep);
    this.interval *= 2n;
  }

  /** A buffer of `n` bytes for a RAM copy: the smallest spare one that fits, or a new one. */
  private buffer(n: number): Uint8Array {
    let best = -1;
    this.spare.forEach((b, i) => { if (b.length >= n && (best < 0 || b.length < this.spare[best].length)) best = i; });
    if (best < 0) return new Uint8Array(n);
    return this.spare.splice(best, 1)[0].subarray(0, n);
  }

  private drop(cs: Checkpoint[]): void {
    for (const c of cs) this.spare.push(new Uint8Array(c.ram.buffer));
    // spare buffers up to a quarter of the budget (the oldest go first)
    let total = this.spare.reduce((s, b) => s + b.length, 0);
    while (this.spare.length && total > this.maxBytes / 4) total -= this.spare.shift()!.length;
  }

  private restore(c: Checkpoint): void {
    const t0 = performance.now();
    const mem = new Uint8Array(this.m.memory.buffer);
    this.m.stateRegions().forEach((r, i) => {
      // The host's part of the events region (what to stop on) is not the guest's.
      const keep = REGION_NAMES[i] === "events" ? mem.slice(r.base + EVENTS_KEEP[0], r.base + EVENTS_KEEP[1]) : undefined;
      mem.set(c.regions[i], r.base);
      if (keep) mem.set(keep, r.base + EVENTS_KEEP[0]);
    });
    const ram = this.m.ram();
    ram.fill(0);
    c.pages.forEach((p, k) => ram.set(c.ram.subarray(k * PAGE, (k + 1) * PAGE), p * PAGE));
    // The clock's state came back with the regions: no host clock reading, no
    // change of time mode (Machine.stateRestored would read the host clock).
    this.m.stateRestoredExactly();
    if (c.run) this.m.restoreSuspendedRun(c.run);
    this.replay.seek(c.position);
    c.written.forEach((w, i) => { this.written[i] = w; });
    this.ended = false;
    this.stats.restores++;
    this.stats.restoreMs += performance.now() - t0;
  }
}
