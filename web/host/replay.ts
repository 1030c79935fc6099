// Deterministic record/replay (QEMU's -icount rr=record|replay,rrfile=FILE).
//
// The machine is deterministic: given the same images, settings and the same
// sequence of calls from its host, it executes the same instructions and writes
// the same bytes. So a recording is the host's side of the conversation, in
// order, each call stamped with the instruction count it happened at:
//
//   calls the host makes   run(budget), feed(ring, bytes), mouse(dx, dy, dz,
//                          buttons), timeUntilDeadline(), pause(), reset(),
//                          and re-loading the boot images
//                          (after a guest reset, or the monitor's system_reset)
//   answers the host gives the host clock (env.hostNow, read in real time) and
//                          sector reads of a writable disk, whose contents the
//                          recorded run itself changes
//
// Replay loads the same images, takes the settings from the recording, makes
// the recorded calls and serves the recorded answers; it checks every call's
// result (the stop reason and instruction count after run(), the bytes a feed
// took) and stops with a "diverged" error at the first difference. Read-only
// images are identified by SHA-256 in the header; a writable disk's reads come
// from the recording and its writes go nowhere, so replay never changes a file.
//
// File layout (little-endian):
//
//   "RZRR" u32 format  u32 n  n bytes of JSON: RecordHeader
//   events:   u8 tag, then by tag
//     CALL_*  u64 icount, arguments      a host call starts
//     CLOCK   f64 ns                     env.hostNow answered, inside a call
//     DISK    u8 drive, f64 lba, u32 n, n*512 bytes   a writable disk's read
//     DONE    u32 result, u64 icount     the call returned
//     END     u64 icount, i32 exit status, u32 CRC-32 of every byte before it
//
// Arguments: RUN u32 budget; FEED u8 ring, u32 n, n bytes; MOUSE i32 dx, dy,
// dz, u8 buttons; the others none.
// Host code with no DOM and no Node APIs: the CLI and the page's worker share it.

import { STOP, type Machine, type StopReason } from "./machine";
import { SECTOR, type BlockBackend } from "./block";
import { RINGZERO_VERSION } from "./version";
import { crc32 } from "./crc32";

export const RR_FORMAT = 1;
const MAGIC = [0x52, 0x5a, 0x52, 0x52]; // "RZRR"

const enum Tag {
  RUN = 1, FEED = 2, DEADLINE = 3, PAUSE = 4, RESET = 5, REBOOT = 6, MOUSE = 7,
  CLOCK = 16, DISK = 17, DONE = 32, END = 255,
}
const CALL_NAMES: Record<number, string> = {
  [Tag.RUN]: "run", [Tag.FEED]: "input", [Tag.DEADLINE]: "a deadline query", [Tag.PAUSE]: "pause",
  [Tag.RESET]: "reset", [Tag.REBOOT]: "a reboot", [Tag.MOUSE]: "mouse input",
};

/** An image the machine was started with. `sha256` is absent for a writable
 *  disk: the recording carries what the guest read from it. */
export interface ImageIdentity { role: string; name: string; size: number; sha256?: string; /** An image read over HTTP: its URL instead of a hash. */ url?: string }

export interface RecordHeader {
  /** RingZero's version and the machine module's SHA-256: another build may execute differently. */
  ringzero: string;
  machine: string;
  /** Every setting that changes what the machine does, as "flag": "value"
   *  (e.g. "-m": "128", "-icount": "shift=auto"); compared one by one on replay. */
  settings: Record<string, string>;
  /** The RTC's time at power-on (seconds since 1970); replay uses it. */
  rtc: number;
  images: ImageIdentity[];
}

/** What identifies a run: the settings that change what the machine does.
 *  The CLI and the page describe a run the same way, so a recording of the
 *  default guest made by one replays in the other. */
export interface RunDescription {
  machineSha256: string;
  ramMB: number;
  /** -cpu as QEMU writes it, e.g. "pentium2,+nx". */
  cpu: string;
  /** -icount shift, undefined for real time (shift=auto). */
  icountShift?: number;
  /** Direct boot's kernel command line; undefined for a firmware boot. */
  append?: string;
  /** Firmware boots: the boot order and -nographic. */
  firmware?: { boot: string; nographic: boolean };
  /** RINGZERO_TRANSLATE (the CLI's translation override), when set. */
  translate?: string;
  /** The machine has an HPET (MachineOptions.hpet; default true, as QEMU's pc). */
  hpet?: boolean;
  /** -rtc clock=: "host" makes the RTC jump after a pause (from the recorded
   *  host clock readings), "vm" (the default when absent) does not. */
  rtcClock?: "host" | "vm";
  rtc: number;
  images: ImageIdentity[];
}

export function recordHeader(d: RunDescription): RecordHeader {
  const settings: Record<string, string> = {
    "-m": String(d.ramMB),
    "-cpu": d.cpu,
    "-icount": d.icountShift === undefined ? "shift=auto" : `shift=${d.icountShift}`,
  };
  if (d.append !== undefined) settings["-append"] = d.append;
  if (d.firmware) { settings["-boot"] = d.firmware.boot; settings["-nographic"] = d.firmware.nographic ? "on" : "off"; }
  if (d.translate) settings.RINGZERO_TRANSLATE = d.translate;
  // The HPET's presence is machine state (its slot says whether it is mapped):
  // a snapshot or recording made without one does not fit a run with one, nor
  // the reverse. Written only when off, so that a header that does not name it
  // (every one made before it was named, the default snapshot's too) means the
  // default machine, which has one.
  if (d.hpet === false) settings[HPET_SETTING] = "off";
  // Likewise the RTC's clock: recordings made before clock=host existed were vm.
  if (d.rtcClock === "host") settings[RTC_CLOCK_SETTING] = "host";
  return { ringzero: RINGZERO_VERSION, machine: d.machineSha256, settings, rtc: d.rtc, images: d.images };
}

/** The setting that names a machine without an HPET (QEMU's -machine hpet=off, or -no-hpet). */
export const HPET_SETTING = "-machine hpet";
/** Which clock the RTC counts (QEMU's -rtc clock=). */
export const RTC_CLOCK_SETTING = "-rtc clock";
/** What a setting that a header leaves out means. */
const SETTING_DEFAULTS: Record<string, string> = { [HPET_SETTING]: "on", [RTC_CLOCK_SETTING]: "vm" };

/** How a recorded run (or a snapshot's) differs from this one, as "<what it
 *  had>, this run has <what this has>"; undefined when the settings and images
 *  agree. Settings named in `ignore` may differ. */
export function runDifference(was: Pick<RecordHeader, "settings" | "images">, now: Pick<RecordHeader, "settings" | "images">, ignore: string[] = []): string | undefined {
  const keys = new Set([...Object.keys(was.settings), ...Object.keys(now.settings)]);
  const value = (s: Record<string, string>, k: string) => s[k] ?? SETTING_DEFAULTS[k] ?? "(not given)";
  for (const k of keys) {
    if (ignore.includes(k)) continue;
    const a = value(was.settings, k), b = value(now.settings, k);
    if (a !== b) return `${k} ${JSON.stringify(a)}, this run has ${k} ${JSON.stringify(b)}`;
  }
  for (const img of new Set([...was.images.map((i) => i.role), ...now.images.map((i) => i.role)])) {
    const a = was.images.find((i) => i.role === img), b = now.images.find((i) => i.role === img);
    if (!a || !b) return `${a ? "a" : "no"} ${img} image, this run has ${b ? "one" : "none"}`;
    if (a.size !== b.size || a.sha256 !== b.sha256 || a.url !== b.url) {
      const id = (i: ImageIdentity) => i.url ? `${i.size} bytes` : i.sha256 ? `sha256 ${i.sha256.slice(0, 16)}` : `${i.size} bytes, writable`;
      return `${img} ${a.name} (${id(a)}), this run has ${b.name} (${id(b)})`;
    }
  }
  return undefined;
}

/** A recording that cannot be replayed here: names the file and what is wrong. */
export class ReplayError extends Error {}

// ---- writing ----

/** Little-endian output in chunks handed to a sink (a file, or a list of Blob parts). */
class Out {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private n = 0;
  crc = 0;
  constructor(private readonly sink: (chunk: Uint8Array) => void) {}
  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    this.flush();
    if (k > this.buf.length) { this.buf = new Uint8Array(k); this.view = new DataView(this.buf.buffer); }
  }
  u8(v: number): void { this.room(1); this.view.setUint8(this.n, v); this.n += 1; }
  u32(v: number): void { this.room(4); this.view.setUint32(this.n, v >>> 0, true); this.n += 4; }
  i32(v: number): void { this.room(4); this.view.setInt32(this.n, v, true); this.n += 4; }
  u64(v: bigint): void { this.room(8); this.view.setBigUint64(this.n, v, true); this.n += 8; }
  f64(v: number): void { this.room(8); this.view.setFloat64(this.n, v, true); this.n += 8; }
  bytes(b: Uint8Array): void { this.room(b.length); this.buf.set(b, this.n); this.n += b.length; }
  /** Bytes for the sink that are not part of the running CRC (the end record). */
  sinkDirect(b: Uint8Array): void { this.flush(); this.sink(b); }
  flush(): void {
    if (this.n === 0) return;
    const chunk = this.buf.slice(0, this.n);
    this.crc = crc32(this.crc, chunk);
    this.n = 0;
    this.sink(chunk);
  }
}

/** Records a session. Create it before the machine (its clock() goes into
 *  MachineOptions.hostNow), wrap writable disks with disk(), then drive the
 *  machine through it instead of directly. */
export class Recorder {
  private readonly out: Out;
  private m?: Machine;
  private ended = false;

  constructor(header: RecordHeader, sink: (chunk: Uint8Array) => void) {
    this.out = new Out(sink);
    const json = new TextEncoder().encode(JSON.stringify(header));
    this.out.bytes(new Uint8Array(MAGIC));
    this.out.u32(RR_FORMAT);
    this.out.u32(json.length);
    this.out.bytes(json);
  }

  /** The host clock for MachineOptions.hostNow: each reading is recorded. */
  clock(hostNow: () => number): () => number {
    return () => { const t = hostNow(); this.out.u8(Tag.CLOCK); this.out.f64(t); return t; };
  }

  /** A writable disk whose reads are recorded (the run's own writes change the file). */
  disk(drive: number, b: BlockBackend): BlockBackend {
    const out = this.out;
    return {
      get size() { return b.size; },
      get readOnly() { return b.readOnly; },
      read(lba, count, into) {
        b.read(lba, count, into);
        out.u8(Tag.DISK); out.u8(drive); out.f64(lba); out.u32(count); out.bytes(into.subarray(0, count * SECTOR));
      },
      write(lba, count, from) { b.write(lba, count, from); },
    };
  }

  attach(m: Machine): void { this.m = m; }

  private call<T>(tag: Tag, args: () => void, f: () => T, result: (r: T) => number): T {
    const m = this.m!;
    this.out.u8(tag);
    this.out.u64(m.instructions);
    args();
    const r = f();
    this.out.u8(Tag.DONE);
    this.out.u32(result(r));
    this.out.u64(m.instructions);
    return r;
  }

  run(budget: number): StopReason {
    return this.call(Tag.RUN, () => this.out.u32(budget), () => this.m!.run(budget), (r) => r);
  }
  feed(ring: number, bytes: Uint8Array): number {
    // Only what the ring took is recorded: the rest is offered again later.
    const n = this.m!.feed(ring, bytes);
    const taken = bytes.subarray(0, n);
    this.out.u8(Tag.FEED); this.out.u64(this.m!.instructions); this.out.u8(ring); this.out.u32(n); this.out.bytes(taken);
    this.out.u8(Tag.DONE); this.out.u32(n); this.out.u64(this.m!.instructions);
    return n;
  }
  mouse(dx: number, dy: number, dz: number, buttons: number): void {
    this.call(Tag.MOUSE, () => { this.out.i32(dx); this.out.i32(dy); this.out.i32(dz); this.out.u8(buttons); },
      () => this.m!.mouseEvent(dx, dy, dz, buttons), () => 0);
  }
  timeUntilDeadline(): number {
    return this.call(Tag.DEADLINE, () => {}, () => this.m!.timeUntilDeadline(), () => 0);
  }
  pause(): void { this.call(Tag.PAUSE, () => {}, () => this.m!.pause(), () => 0); }
  reset(): void { this.call(Tag.RESET, () => {}, () => this.m!.reset(), () => 0); }
  /** The host loads the boot images again (direct boot or firmware set-up). */
  reboot(boot: () => void): void { this.call(Tag.REBOOT, () => {}, boot, () => 0); }

  /** Close the recording with the run's exit status; returns the instruction count it ends at. */
  end(exitStatus: number): bigint {
    const icount = this.m ? this.m.instructions : 0n;
    if (this.ended) return icount;
    this.ended = true;
    const end = this.endRecord(exitStatus);
    this.out.sinkDirect(end);
    return icount;
  }

  /** The end record for the recording so far (everything before it is in the
   *  sink): with it, the sink's bytes are a complete recording that replays to
   *  this instruction count, while this one goes on (the page's download). */
  endRecord(exitStatus: number): Uint8Array {
    this.out.flush();
    const end = new Uint8Array(17);
    const v = new DataView(end.buffer);
    v.setUint8(0, Tag.END);
    v.setBigUint64(1, this.m ? this.m.instructions : 0n, true);
    v.setInt32(9, exitStatus, true);
    v.setUint32(13, crc32(this.out.crc, end.subarray(0, 13)), true);
    return end;
  }
}

// ---- reading ----

/** A point in a replay: Replay.position. */
export interface ReplayPosition { pos: number; suspendedAt?: bigint }

/** A parsed recording, checked for integrity, replayed call by call. */
export class Replay {
  readonly header: RecordHeader;
  private readonly view: DataView;
  private pos: number;
  private readonly endPos: number;
  /** The recorded run's instruction count and exit status at its end. */
  readonly endInstructions: bigint;
  readonly exitStatus: number;
  private m?: Machine;
  private boot?: () => void;
  /** Set when the machine asked for something the recording does not have next. */
  private divergence = "";

  /** Parse and check a whole file; a ReplayError names `name` and the problem. */
  constructor(private readonly bytes: Uint8Array, private readonly name: string) {
    const bad = (why: string) => new ReplayError(`replay file ${name}: ${why}`);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < 12 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad("not a RingZero recording");
    const format = this.view.getUint32(4, true);
    if (format !== RR_FORMAT) throw bad(`format ${format}; this RingZero reads format ${RR_FORMAT}`);
    const n = this.view.getUint32(8, true);
    if (12 + n > bytes.length) throw bad("truncated header");
    try {
      this.header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(12, 12 + n))) as RecordHeader;
    } catch {
      throw bad("corrupt header");
    }
    const h = this.header;
    if (typeof h !== "object" || h === null || typeof h.machine !== "string" || typeof h.rtc !== "number" ||
        !Array.isArray(h.images) || typeof h.settings !== "object" || h.settings === null) throw bad("corrupt header");
    // END is the last 17 bytes: tag, u64 icount, i32 status, u32 CRC.
    const endAt = bytes.length - 17;
    if (endAt < 12 + n || bytes[endAt] !== Tag.END) throw bad("no end record (the recording was cut short)");
    if (crc32(0, bytes.subarray(0, bytes.length - 4)) !== this.view.getUint32(bytes.length - 4, true)) throw bad("checksum mismatch (the file is corrupt)");
    this.endInstructions = this.view.getBigUint64(endAt + 1, true);
    this.exitStatus = this.view.getInt32(endAt + 9, true);
    this.pos = 12 + n;
    this.endPos = endAt;
  }

  /** Refuse to replay against different images or settings: the error names the first difference. */
  check(now: RecordHeader): void {
    const h = this.header, bad = (why: string) => new ReplayError(`replay file ${this.name}: ${why}`);
    if (h.ringzero !== now.ringzero || h.machine !== now.machine) {
      throw bad(`recorded by RingZero ${h.ringzero} (machine ${h.machine.slice(0, 12)}), this is ${now.ringzero} (machine ${now.machine.slice(0, 12)})`);
    }
    const why = runDifference(h, now);
    if (why) throw bad(`recorded with ${why}`);
  }

  /** The host clock for MachineOptions.hostNow: the recorded readings, in order. */
  clock(): () => number {
    let last = 0;
    return () => {
      if (!this.expect(Tag.CLOCK, "read the host clock")) return last;
      last = this.view.getFloat64(this.pos, true);
      this.pos += 8;
      return last;
    };
  }

  /** A writable disk in replay: reads come from the recording, writes go nowhere. */
  disk(drive: number, size: number): BlockBackend {
    const self = this;
    return {
      size, readOnly: false,
      read(lba, count, into) {
        if (!self.expect(Tag.DISK, `read drive ${drive}`)) { into.fill(0, 0, count * SECTOR); return; }
        const v = self.view, p = self.pos;
        const d = v.getUint8(p), l = v.getFloat64(p + 1, true), n = v.getUint32(p + 9, true);
        if (d !== drive || l !== lba || n !== count) {
          self.diverge(`the guest read drive ${drive} sectors ${lba}+${count}, the recording drive ${d} sectors ${l}+${n}`);
          into.fill(0, 0, count * SECTOR);
          return;
        }
        into.set(self.bytes.subarray(p + 13, p + 13 + n * SECTOR));
        self.pos = p + 13 + n * SECTOR;
      },
      write() { /* the recorded run wrote this; replay leaves the image alone */ },
    };
  }

  /** The machine to drive, and how its host loads the boot images (after resets). */
  attach(m: Machine, boot: () => void): void { this.m = m; this.boot = boot; }

  /** Where the replay is (a checkpoint keeps it with the machine's state;
   *  web/host/reverse.ts): the next event, and the start of the run call a
   *  debugger suspended, if one is. */
  get position(): ReplayPosition { return { pos: this.pos, suspendedAt: this.suspended?.at }; }
  /** Go back (or forward) to a position `position` gave, with the machine's
   *  state restored to what it was there. */
  seek(p: ReplayPosition): void {
    this.pos = p.pos;
    this.suspended = p.suspendedAt === undefined ? undefined : { at: p.suspendedAt };
    this.divergence = "";
  }
  /** The run call a debugger's breakpoint or stop target suspended: its start. */
  private suspended?: { at: bigint };

  /** Make the next recorded call. Returns the stop reason of a run, "end" when
   *  the recording is over, or null for any other call. Throws ReplayError when
   *  the machine does not do what it did when recorded.
   *
   *  A run that stops at a host breakpoint, watchpoint or the machine's stop
   *  target (BREAKPOINT, TARGET: a debugger's, never recorded) returns that
   *  stop and is suspended in the middle of its call; the next call of next()
   *  continues it (Machine.continueRun) and checks its result when it ends. */
  next(): StopReason | "end" | null {
    const m = this.m!;
    if (this.suspended) return this.finishRun(this.suspended.at, m.continueRun());
    if (this.pos >= this.endPos) {
      if (m.instructions !== this.endInstructions) this.diverge(`the recording ended at instruction ${this.endInstructions}, the replay is at ${m.instructions}`);
      this.raise();
      return "end";
    }
    const v = this.view;
    const tag = v.getUint8(this.pos);
    if (!(tag in CALL_NAMES)) throw new ReplayError(`replay file ${this.name}: corrupt event (tag ${tag}) at byte ${this.pos}`);
    const at = v.getBigUint64(this.pos + 1, true);
    this.pos += 9;
    if (at !== m.instructions) this.diverge(`${CALL_NAMES[tag]} was recorded at instruction ${at}, the replay is at ${m.instructions}`);
    this.raise();
    let result = 0;
    const stop: StopReason | null = null;
    switch (tag) {
      case Tag.RUN: {
        const budget = v.getUint32(this.pos, true);
        this.pos += 4;
        return this.finishRun(at, m.run(budget));
      }
      case Tag.FEED: {
        const ring = v.getUint8(this.pos), n = v.getUint32(this.pos + 1, true);
        result = m.feed(ring, this.bytes.subarray(this.pos + 5, this.pos + 5 + n));
        this.pos += 5 + n;
        break;
      }
      case Tag.MOUSE: {
        m.mouseEvent(v.getInt32(this.pos, true), v.getInt32(this.pos + 4, true), v.getInt32(this.pos + 8, true), v.getUint8(this.pos + 12));
        this.pos += 13;
        break;
      }
      case Tag.DEADLINE: m.timeUntilDeadline(); break;
      case Tag.PAUSE: m.pause(); break;
      case Tag.RESET: m.reset(); break;
      case Tag.REBOOT: this.boot!(); break;
    }
    this.done(tag, at, result);
    return stop;
  }

  /** A run call returned `stop`: suspended by a debugger, or done. */
  private finishRun(at: bigint, stop: StopReason): StopReason {
    if ((stop === STOP.BREAKPOINT || stop === STOP.TARGET) && this.m!.runSuspended) {
      this.suspended = { at };
      this.raise();
      return stop;
    }
    this.suspended = undefined;
    this.done(Tag.RUN, at, stop);
    return stop;
  }

  /** The call that started at `at` returned `result`: check it against its DONE record. */
  private done(tag: Tag, at: bigint, result: number): void {
    const v = this.view, m = this.m!;
    this.raise();
    if (!this.expect(Tag.DONE, `finish ${CALL_NAMES[tag]}`)) this.raise();
    const want = v.getUint32(this.pos, true), after = v.getBigUint64(this.pos + 4, true);
    this.pos += 12;
    if (want !== result) this.diverge(`${CALL_NAMES[tag]} at instruction ${at} gave ${result}, recorded ${want}`);
    else if (after !== m.instructions) this.diverge(`${CALL_NAMES[tag]} at instruction ${at} ended at ${m.instructions}, recorded ${after}`);
    this.raise();
  }

  /** Inside a call: is the next event `tag`? (Records a divergence if not.) */
  private expect(tag: Tag, doing: string): boolean {
    if (this.divergence) return false;
    if (this.pos < this.endPos && this.view.getUint8(this.pos) === tag) { this.pos++; return true; }
    const next = this.pos >= this.endPos ? "the end" : `event ${this.view.getUint8(this.pos)}`;
    this.diverge(`the machine went to ${doing}; the recording has ${next} next`);
    return false;
  }
  private diverge(why: string): void { if (!this.divergence) this.divergence = why; }
  private raise(): void {
    if (this.divergence) throw new ReplayError(`replay of ${this.name} diverged: ${this.divergence}`);
  }
}

/** The calls a host's run loop makes into the machine: directly, or through a
 *  recorder; in replay the recording makes them (Replay.next), and `replay` is set. */
export interface HostCalls {
  run(budget: number): StopReason;
  feed(ring: number, bytes: Uint8Array): number;
  /** PS/2 mouse input (Machine.mouseEvent). */
  mouse(dx: number, dy: number, dz: number, buttons: number): void;
  timeUntilDeadline(): number;
  /** Load the boot images again (after a guest reset). */
  reboot(): void;
  /** Reset and boot again (the monitor's system_reset, the page's Reset). */
  reset(): void;
  replay?: Replay;
  /** Set while recording. */
  recording?: boolean;
}

/** The host's calls for `m`, whose boot images `boot` loads: recorded when
 *  `rec` is given; with `replay`, attached to it (the loop then calls replay.next). */
export function hostCalls(m: Machine, boot: () => void, rec?: Recorder, replay?: Replay): HostCalls {
  if (rec) {
    rec.attach(m);
    return {
      run: (b) => rec.run(b), feed: (r, b) => rec.feed(r, b), mouse: (dx, dy, dz, btn) => rec.mouse(dx, dy, dz, btn),
      timeUntilDeadline: () => rec.timeUntilDeadline(),
      reboot: () => rec.reboot(boot), reset: () => { rec.reset(); rec.reboot(boot); }, recording: true,
    };
  }
  replay?.attach(m, boot);
  return {
    run: (b) => m.run(b), feed: (r, b) => m.feed(r, b), mouse: (dx, dy, dz, btn) => m.mouseEvent(dx, dy, dz, btn),
    timeUntilDeadline: () => m.timeUntilDeadline(),
    reboot: boot, reset: () => { m.reset(); boot(); }, replay,
  };
}

/** SHA-256 of bytes as hex (WebCrypto: the page's worker and Node alike). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}
