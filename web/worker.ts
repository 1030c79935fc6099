// The machine's Web Worker: owns one host Machine, runs it in slices of a few
// milliseconds so that messages from the page (pause, input, reset) are handled
// between slices, and sends console output in batches — through a
// SharedArrayBuffer ring when the page is cross-origin isolated, otherwise one
// message per batch. A CD-ROM or disk given by URL is read on demand through
// HTTP Range requests (web/host/httpdisk.ts) with a synchronous XMLHttpRequest,
// which workers may make: the machine's block reads are synchronous.

import * as Comlink from "comlink";
import wasmUrl from "../build/ringzero.wasm?url";
import { Machine, STOP, RING, type StopReason } from "./host/machine";
import { guardedChannel, type CompileChannel, type CompileReply } from "./jit/compilework";
import { VgaScreen } from "./host/vgarender";
import { DEFAULT_CPU_MODEL, parseCpuSpec } from "./host/cpumodel";
import { loadBootImages } from "./host/boot";
import { CowOverlay, MemoryBackend, SECTOR, WriteLog, type BlockBackend } from "./host/block";
import { HttpBackend, HttpDiskError, probeHttpImage, readBody, type RangeFetcher } from "./host/httpdisk";
import { ConsoleRing } from "./consolering";
import { IdlePacer } from "./host/idle";
import { Recorder, Replay, recordHeader, sha256Hex, hostCalls, type HostCalls, type ImageIdentity } from "./host/replay";
import { apply, decode, planDisks, runDisk, save, streamCodec, tellClockAgent, type RunIdentity, type SnapshotDisk } from "./host/snapshot";
import { DiskStore, PersistentDisk } from "./store";
import { backInFrame, gdt, idt, ldt, pageWalk, stepOverFrame, taskState, type PageWalk, type StepOverFrame } from "./host/inspect";
import { readVmcs } from "./host/vmcs";
import { readEvents, setEventStops, type EventStops, type MachineEvent } from "./host/events";
import { disassemble, decodeOne, type DisasmLine } from "./host/disasm";
import { GdbStub } from "./host/gdb";
import { ReplayTimeline, DEFAULT_CHECKPOINT_INTERVAL, type Points, type TimelineStop } from "./host/reverse";
import { hitText, watchText, WATCH_KINDS } from "./host/stops";
import type {
  BootConfig, DiskFetch, ImageSource, Inspection, MachineStatus, RestoreResult, ReverseResult, RunState, SaveRequest, SaveResult, StartInfo, VgaFrame, VgaPicture, VgaView, Watchpoint, WorkerApi, WorkerCallbacks,
} from "./protocol";
import { IDLE_SHARE, STARTED_PAUSED } from "./protocol";

const IMAGE_ROLES = ["kernel", "initrd", "bios", "vgabios", "cdrom", "hda"] as const;
type ImageRole = (typeof IMAGE_ROLES)[number];
/** Image roles as the command line names them in a recording (web/cli/record.ts). */
const ROLE_NAMES: Record<ImageRole, string> = {
  kernel: "kernel", initrd: "initrd", bios: "bios", vgabios: "vgabios", cdrom: "hdc (cdrom)", hda: "hda (disk)",
};
const imageName = (src: ImageSource) => ("url" in src ? src.url.split("/").pop() ?? src.url : src.name);
/** loadBootImages' boot order, as the command line's -boot. */
const bootOrder = (c: BootConfig) => (c.boot === "d" || (!c.boot && c.cdrom) ? "dc" : "cd");

/** How long a block read over HTTP may take before the guest gets an I/O error. */
const RANGE_TIMEOUT_MS = 30_000;

/** A worker that translates and compiles the machine's hot blocks
 *  (web/compileworker.ts, web/jit/compilework.ts); resolves once it runs. Its
 *  replies wait in `inbox` for the machine's next poll, between run slices. */
async function startCompileWorker(): Promise<CompileChannel> {
  const w = new Worker(new URL("./compileworker.ts", import.meta.url), { type: "module" });
  await new Promise<void>((resolve, reject) => {
    w.onmessage = () => resolve();
    w.onerror = (e) => { e.preventDefault(); reject(new Error(`the compile worker did not start${e.message ? `: ${e.message}` : ""}`)); };
  });
  const inbox: CompileReply[] = [];
  const { channel, fail } = guardedChannel("the compile worker", (req, transfer) => w.postMessage(req, transfer ?? []), () => inbox.splice(0));
  w.onmessage = (e: MessageEvent<CompileReply>) => { inbox.push(e.data); };
  w.onerror = (e) => { e.preventDefault(); fail(e.message || "an error"); };
  return channel;
}

/** A synchronous range GET: XMLHttpRequest, which a worker may make synchronously
 *  (with responseType and timeout, unlike a window). */
function xhrRangeFetcher(url: string): RangeFetcher {
  return (first, last) => {
    const x = new XMLHttpRequest();
    x.open("GET", url, false);
    x.responseType = "arraybuffer";
    x.timeout = RANGE_TIMEOUT_MS;
    x.setRequestHeader("Range", `bytes=${first}-${last}`);
    try {
      x.send();
    } catch (e) {
      throw new Error(e instanceof DOMException && e.name === "TimeoutError" ? `no answer in ${RANGE_TIMEOUT_MS / 1000} s` : "the network request failed");
    }
    const body = x.response instanceof ArrayBuffer ? new Uint8Array(x.response) : new Uint8Array(0);
    return { status: x.status, contentRange: x.getResponseHeader("Content-Range"), body };
  };
}

/** IDE primary master, as QEMU's -hda. */
const HDA = 0;
/** How long after a write the disk's new writes go to IndexedDB (also when the page goes away). */
const DISK_FLUSH_MS = 250;

/** The writable disk: base image, copy-on-write overlay (every sector written
 *  since the image), the snapshot's write log over it, and on top what the
 *  machine is given (the log, or the log kept in IndexedDB). */
interface OpenDisk {
  base: BlockBackend;
  overlay: CowOverlay;
  log: WriteLog;
  top: BlockBackend;
  persist?: PersistentDisk;
  /** SnapshotDisk.sha256: absent for an image read over HTTP (named by URL). */
  sha256?: (b: BlockBackend) => Promise<string>;
}

/** A disk's contents, read through its backend into one buffer. */
function readAll(b: BlockBackend): Uint8Array {
  const out = new Uint8Array(b.size);
  const step = 8192;
  for (let lba = 0; lba < b.size / SECTOR; lba += step) {
    const n = Math.min(step, b.size / SECTOR - lba);
    b.read(lba, n, out.subarray(lba * SECTOR, (lba + n) * SECTOR));
  }
  return out;
}

/** SnapshotDisk.sha256 for a disk held in memory. */
const diskSha256 = (b: BlockBackend) => sha256Hex(readAll(b));

/** How often a download reports its progress to the page. */
const PROGRESS_MS = 100;

/** Host memory a replay's checkpoints may hold (web/host/reverse.ts; the CLI
 *  allows 1 GiB): a tab holds the guest's RAM besides. */
const REPLAY_CHECKPOINT_BYTES = 256 << 20;
/** The answer to debugging calls while a reverse continue runs. */
const REVERSING = "A reverse continue is under way: wait for it, or pause.";
/** A replay's checkpoint interval before anyone debugs it: never. */
const NO_CHECKPOINTS = 1n << 62n;

const SLICE_INSTRUCTIONS = 500_000;
const SLICE_MS = 12;
/** How often a status goes to the page while the guest stays idle and quiet
 *  (MachineWorker.measure). */
const IDLE_STATUS_MS = 5000;

/** Runs `f` after the current task without setTimeout's 4 ms clamp on nested timers. */
/** Instructions step over runs through: calls, software interrupts, repeated string operations. */
function stepsOver(text: string): boolean {
  return /^(call|int|int1|int3|into)\b/.test(text) || /^(rep|repne) (movs|cmps|stos|lods|scas|ins|outs)/.test(text);
}

/** A status without its running figures (instructions, rate, idle share). */
function statusShape(s: MachineStatus): string {
  return JSON.stringify({ ...s, ips: 0, idle: 0, instructions: 0 });
}

/** SharedArrayBuffer is there (the page is cross-origin isolated). */
const sharedMemory = () => typeof SharedArrayBuffer !== "undefined" && self.crossOriginIsolated;

/** `message` with the picture's rows transferred, unless they are shared. */
function transferred<T>(message: T, picture: VgaPicture): T {
  const buffer = picture.rgba.buffer;
  return buffer instanceof ArrayBuffer ? Comlink.transfer(message, [buffer]) : message;
}

function soon(f: () => void): void {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => { ch.port1.close(); f(); };
  ch.port2.postMessage(null);
}

class MachineWorker implements WorkerApi {
  private machine?: Machine;
  /** The page's picture as last sent (only changed rows go across). A VBE
   *  picture is drawn into a SharedArrayBuffer when the page is cross-origin
   *  isolated: the page copies the changed rows out of it (web/ui/vga.ts).
   *  Otherwise into the buffer the page gave back with its last vgaFrame, when
   *  it is large enough, and transferred: either way nothing 3 MiB large is
   *  allocated and freed each frame. */
  private screen = new VgaScreen(sharedMemory() ? (bytes) => new Uint8ClampedArray(new SharedArrayBuffer(bytes)) : (bytes) => {
    const b = this.spare;
    this.spare = undefined;
    return b && b.byteLength >= bytes ? new Uint8ClampedArray(b, 0, bytes) : new Uint8ClampedArray(bytes);
  });
  /** The last picture's buffer, given back by the page (vgaFrame). */
  private spare?: ArrayBuffer;
  /** The machine's calls from here: direct, or recorded (web/host/replay.ts). */
  private host?: HostCalls;
  private recorder?: Recorder;
  /** The recording's bytes so far (record mode). */
  private recording?: Uint8Array[];
  private replay?: Replay;
  /** A replay runs through its timeline (web/host/reverse.ts), as the CLI's
   *  under gdb: checkpoints on the way, so that it can step and go back. */
  private timeline?: ReplayTimeline;
  /** A reverse continue is under way: no slice runs, Pause cancels it. */
  private reversing = false;
  /** A replay goes on from a stop: a breakpoint at the instruction it stands on
   *  does not stop it again before that instruction has run. */
  private passHere = false;
  /** Why the machine is paused, for the status bar and the inspector. */
  private stopWhy?: string;
  /** The replay has been debugged: it takes checkpoints (debugging()). */
  private debugged = false;
  /** Stopped at a breakpoint: the next run first steps off it. */
  private atBreakpoint = false;
  private readonly breakpointList = new Set<number>();
  /** Step over: the temporary breakpoint after the CALL/INT/REP instruction, and
   *  who waits for the machine to stop again. */
  private overAt: number | undefined;
  /** The frame the step over began in: the breakpoint ends it only there. */
  private overFrame?: StepOverFrame;
  private stopWaiters: (() => void)[] = [];
  /** The gdb bridge (web/cli/bridge.ts): its WebSocket, and the stub while a gdb is attached. */
  private bridge?: WebSocket;
  private gdb?: GdbStub;
  private watchpointList: Watchpoint[] = [];
  private cb?: WorkerCallbacks;
  private ring?: ConsoleRing;
  private state: RunState = "stopped";
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending = new Uint8Array(0);
  /** Keyboard bytes not yet taken by the i8042's ring. */
  private pendingKeys = new Uint8Array(0);
  private lastCount = 0;
  private lastTime = 0;
  private ips = 0;
  private lastVirtual = 0n;
  private lastHalted = 0n;
  private idle = 0;
  /** When the last status went to the page (performance.now()), and what it
   *  said besides the running figures (statusShape). */
  private lastStatus = -Infinity;
  private lastShape = "";
  /** Set while the worker sleeps until the guest's next timer. */
  private sleeping = false;
  /** How long past the next timer a quiet guest may sleep (web/host/idle.ts). */
  private readonly pacer = new IdlePacer();
  private resets = 0;
  /** Images read on demand over HTTP, for the status bar. */
  private remote: { name: DiskFetch["name"]; disk: HttpBackend }[] = [];
  /** The writable hda's layers, when there is one. */
  private disk?: OpenDisk;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private flushFailed = false;
  /** The guest sets its clock from a line on this serial port (BootConfig.clockAgent). */
  private clockAgent?: BootConfig["clockAgent"];
  /** What identifies this run for snapshots (computed on first use). */
  private describeRun?: () => Promise<RunIdentity>;
  private identity?: Promise<RunIdentity>;

  async start(config: BootConfig, callbacks: WorkerCallbacks, consoleRing?: SharedArrayBuffer): Promise<StartInfo> {
    this.cb = callbacks;
    this.ring = consoleRing ? new ConsoleRing(consoleRing) : undefined;
    this.setState("loading");
    const info: StartInfo = {};
    try {
      const images: Partial<Record<ImageRole, Uint8Array>> = {};
      const disks: { cdrom?: HttpBackend; hda?: HttpBackend } = {};
      const rr = config.record || config.replay;
      // Everything is fetched at once (a saved state to start from too).
      const load = async (key: ImageRole): Promise<void> => {
        const src = config[key];
        if (!src) return;
        if ((key === "cdrom" || key === "hda") && "url" in src && !rr) {
          const disk = await openRemote(src.url, key, callbacks);
          if (disk instanceof HttpBackend) { disks[key] = disk; this.remote.push({ name: key, disk }); }
          else images[key] = disk;
          return;
        }
        images[key] = await fetchBytes(src, key, callbacks);
      };
      const [wasm, state, textFont] = await Promise.all([
        fetchBytes({ url: wasmUrl }, "machine", callbacks),
        config.state && !rr ? fetchBytes(config.state, "saved state", callbacks, "saved state").catch((e: Error) => e) : undefined,
        config.kernel && !config.vgabios && config.textFont ? fetchBytes(config.textFont, "vgabios", callbacks).catch(() => undefined) : undefined,
        ...IMAGE_ROLES.map(load),
      ]);
      // The RTC starts at the host's time of day when the machine starts to run
      // (its clock starts then too; the images took their time to load).
      let rtc = Date.now() / 1000;
      let hostNow = () => performance.now() * 1e6;
      const describe = (ids: ImageIdentity[]) => async () => recordHeader({
        machineSha256: await sha256Hex(wasm), ramMB: config.ramMB, cpu: config.cpu ?? DEFAULT_CPU_MODEL, rtc, rtcClock: "host", images: ids,
        append: images.kernel ? config.append ?? "" : undefined,
        firmware: images.kernel ? undefined : { boot: bootOrder(config), nographic: false },
      });
      if (rr) {
        // A recording names every image by SHA-256, the disk's starting contents too.
        const ids: ImageIdentity[] = [];
        for (const key of IMAGE_ROLES) {
          const img = images[key], src = config[key];
          if (img && src) ids.push({ role: ROLE_NAMES[key], name: imageName(src), size: img.length, sha256: await sha256Hex(img) });
        }
        const header = await describe(ids)();
        if (config.replay) {
          const replay = new Replay(new Uint8Array(config.replay.bytes), config.replay.name);
          replay.check(header);
          this.replay = replay;
          hostNow = replay.clock();
          rtc = replay.header.rtc;
        } else {
          const chunks: Uint8Array[] = [];
          this.recorder = new Recorder(header, (c) => chunks.push(c));
          this.recording = chunks;
          hostNow = this.recorder.clock(hostNow);
        }
      }
      // A snapshot names the run as the command line names the same run
      // (web/cli/record.ts describeRun): read-only images by SHA-256, an image
      // read over HTTP by its URL, the writable disk by neither (its sectors
      // travel in the snapshot). Hashed when first needed.
      this.describeRun = async () => {
        const ids: ImageIdentity[] = [];
        for (const key of IMAGE_ROLES) {
          const src = config[key];
          if (!src) continue;
          const remote = key === "cdrom" || key === "hda" ? disks[key] : undefined;
          if (remote) ids.push({ role: ROLE_NAMES[key], name: remote.url, size: remote.length, url: remote.url });
          else if (key === "hda") ids.push({ role: ROLE_NAMES[key], name: imageName(src), size: images.hda!.length });
          else ids.push({ role: ROLE_NAMES[key], name: imageName(src), size: images[key]!.length, sha256: await sha256Hex(images[key]!) });
        }
        return describe(ids)();
      };
      const hda = images.hda ?? disks.hda;
      if (hda) info.disk = await this.openDisk(hda, config, !rr);
      let compileChannel: CompileChannel | undefined;
      if (config.compile === "thread" && rr) {
        // translation is decided by execution counts in a recording and its
        // replay (docs/REPLAY.md); a compile worker would make it the host's timing
        callbacks.notice("Blocks are compiled on the machine's thread while recording or replaying (?compile=thread is for live runs).");
      } else if (config.compile === "thread") {
        try {
          compileChannel = await startCompileWorker();
        } catch (e) {
          callbacks.notice(`${e instanceof Error ? e.message : String(e)}; blocks are compiled on the machine's thread.`);
        }
      }
      const machine = await Machine.create({ wasm, ramBytes: config.ramMB << 20, hostNow, cpu: parseCpuSpec(config.cpu ?? DEFAULT_CPU_MODEL), compileChannel });
      machine.setRealtime(true);
      // The page's RTC follows the host's clock across its Pause, gdb stops and
      // a background tab's starvation, as the command line's default in real
      // time (QEMU's -rtc clock=host).
      machine.setRtcClock("host");
      const boot = loadBootImages(machine, { ...images, vgabios: images.vgabios ?? textFont, cdrom: disks.cdrom ?? images.cdrom, hda: this.disk?.top, append: config.append, boot: config.boot });
      this.machine = machine;
      this.host = hostCalls(machine, boot, this.recorder, this.replay);
      machine.setRtcTime(rtc);
      this.clockAgent = config.clockAgent;
      // A saved state to start from goes into the machine before anything is
      // loaded into its RAM (which is then all zero: apply's freshRam); refused,
      // the machine boots.
      if (state instanceof Error) info.refused = state.message;
      else if (state && config.state) {
        const r = await this.restore(machine, state, imageName(config.state), true);
        if ("error" in r) info.refused = r.error; else info.restored = r;
      }
      if (!info.restored) boot();
      // The first checkpoint: power-on, the boot images loaded, before the first recorded call.
      if (this.replay) {
        this.debugged = false;
        this.timeline = new ReplayTimeline(machine, this.replay, {
          // Only the first checkpoint until someone debugs the replay (debugging()):
          // a replay that is only watched costs no copies of the machine.
          interval: NO_CHECKPOINTS, maxBytes: REPLAY_CHECKPOINT_BYTES,
          // The page shows COM1 (as live); each byte once, however often a stretch is replayed.
          output: (ring, b) => { if (ring === RING.COM1_TX) this.flushConsole(b); },
        });
      }
    } catch (e) {
      this.setState("error");
      callbacks.error(e instanceof Error ? e.message : String(e));
      return info;
    }
    this.lastTime = performance.now();
    if (config.paused) {
      this.stopWhy = STARTED_PAUSED;
      this.setState("paused");
      return info;
    }
    this.setState("running");
    this.schedule();
    return info;
  }

  // ---- the writable disk ----

  /** The hda as the guest sees it: the image (bytes, or read over HTTP) under a
   *  copy-on-write overlay, whose sectors a snapshot carries (WriteLog) and, in a
   *  live session, IndexedDB keeps across reloads (web/store.ts), by the image's
   *  SHA-256 or URL. */
  private async openDisk(img: Uint8Array | HttpBackend, config: BootConfig, keep: boolean): Promise<StartInfo["disk"]> {
    const base = img instanceof HttpBackend ? img : new MemoryBackend(img, true);
    const overlay = new CowOverlay(base);
    const log = new WriteLog(overlay);
    const name = imageName(config.hda!);
    const disk: OpenDisk = { base, overlay, log, top: log, sha256: img instanceof HttpBackend ? undefined : diskSha256 };
    this.disk = disk;
    if (!keep) return { name, kept: false, restoredSectors: 0 };
    const key = img instanceof HttpBackend ? `url:${img.url}` : `sha256:${await sha256Hex(img)}`;
    const store = new DiskStore();
    let restoredSectors = 0;
    try {
      const kept = await store.load(key, base.size);
      if (kept.dropped) this.cb?.notice(`${name}: the image changed size since its changes were kept; they were dropped.`);
      for (const [lba, data] of kept.sectors) { overlay.write(lba, 1, data); log.written.set(lba, data); }
      restoredSectors = kept.sectors.length;
    } catch (e) {
      this.cb?.notice(`${name}: the disk's changes cannot be kept across reloads (${e instanceof Error ? e.message : String(e)}).`);
      return { name, kept: false, restoredSectors: 0 };
    }
    // Writes go to IndexedDB in batches: a flush DISK_FLUSH_MS after the first write since the last.
    disk.persist = new PersistentDisk(log, overlay, store, key, () => {
      this.flushTimer ??= setTimeout(() => { this.flushTimer = undefined; void this.flushDisk(); }, DISK_FLUSH_MS);
    });
    disk.top = disk.persist;
    return { name, kept: true, restoredSectors };
  }

  async flushDisk(): Promise<void> {
    try { await this.disk?.persist?.flush(); } catch (e) {
      if (this.flushFailed) return;
      this.flushFailed = true;
      this.cb?.notice(`The disk's changes could not be stored (${e instanceof Error ? e.message : String(e)}); they are kept in memory only.`);
    }
  }

  async discardDiskChanges(): Promise<string> {
    const p = this.disk?.persist;
    if (!p) return "There is no kept disk to discard.";
    await p.discard();
    return "Disk changes discarded: the next boot starts from the image. This run keeps its changes in memory and stores no more.";
  }

  /** The disk as the guest sees it now (the image with its changes), as a raw image. */
  diskImage(): Uint8Array | null {
    const d = this.disk;
    if (!d) return null;
    const out = readAll(d.log);
    return Comlink.transfer(out, [out.buffer]);
  }

  // ---- snapshots (web/host/snapshot.ts) ----

  /** A restored guest's clocks show the time of the save: the RTC follows the
   *  host again (as QEMU's after a migration), and a guest with the clock agent
   *  (tools/guest/init.sh) is told the time on its second serial port. */
  private setGuestTime(m: Machine): void {
    m.setRtcTime(Date.now() / 1000);
    tellClockAgent(m, this.clockAgent);
  }

  private runIdentity(): Promise<RunIdentity> {
    if (!this.describeRun) return Promise.reject(new Error("The machine is not running."));
    this.identity ??= this.describeRun();
    return this.identity;
  }

  private snapshotDisks(): SnapshotDisk[] {
    const d = this.disk;
    return d ? [{ drive: HDA, log: d.log, sha256: d.sha256 }] : [];
  }

  private snapshotRefused(): string | null {
    if (!this.machine || this.state === "loading" || this.state === "error") return "The machine is not running.";
    if (this.recorder || this.replay) return "Saved states are not available while recording or replaying.";
    return null;
  }

  async snapshot(req: SaveRequest): Promise<SaveResult> {
    const refused = this.snapshotRefused();
    if (refused) return { error: refused };
    try {
      const identity = await this.runIdentity();
      const bytes = await save(this.machine!, { identity, disks: this.snapshotDisks(), name: req.name, parent: req.parent, thumbnail: req.thumbnail }, streamCodec);
      return Comlink.transfer({ bytes }, [bytes.buffer]);
    } catch (e) {
      return { error: `The state could not be saved: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /** Restore a snapshot: everything is checked and decoded first, so a file that
   *  does not fit this machine is refused and the machine goes on unharmed. */
  async restoreState(bytes: Uint8Array, name: string): Promise<RestoreResult> {
    const refused = this.snapshotRefused();
    return refused ? { error: refused } : this.restore(this.machine!, bytes, name);
  }

  private async restore(m: Machine, bytes: Uint8Array, name: string, freshRam = false): Promise<RestoreResult> {
    try {
      const identity = await this.runIdentity();
      const disk = this.disk;
      // The saved disk is its image with the saved sectors over it: check that
      // against the image alone (a throwaway overlay), whatever this run wrote.
      const base: SnapshotDisk[] = disk ? [{ drive: HDA, log: new WriteLog(new CowOverlay(disk.base)), sha256: disk.sha256 }] : [];
      const d = await decode(m, bytes, name, identity, streamCodec, base.map(runDisk));
      const plan = await planDisks(d, base, name);
      disk?.overlay.discard();
      apply(m, d, this.snapshotDisks(), plan, { freshRam });
      this.setGuestTime(m);
      disk?.persist?.replaced();
      this.pending = new Uint8Array(0);
      this.pendingKeys = new Uint8Array(0);
      this.atBreakpoint = false;
      if (this.state === "stopped") this.setState("running");
      if (this.state === "running") this.schedule();
      this.sendStatus();
      return { name: d.header.name ?? name, thumbnail: d.header.thumbnail ?? "", created: d.header.created, parent: d.header.parent };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }

  recordingSoFar(): Uint8Array | null {
    if (!this.recorder || !this.recording) return null;
    const end = this.recorder.endRecord(0);
    const parts = [...this.recording, end];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return Comlink.transfer(out, [out.buffer]);
  }

  pause(): void {
    if (this.reversing) { this.timeline?.cancel(); return; } // it stops where it is and pauses there
    this.debugging();
    if (this.state !== "running" && this.state !== "halted") return;
    clearTimeout(this.timer);
    this.stopWhy = "paused";
    this.setState("paused");
    this.hasStopped(STOP.PAUSE);
  }

  /** The machine went from running to paused: the step over ends, gdb hears of it. */
  private hasStopped(reason: StopReason): void {
    this.endStepOver();
    this.gdb?.stopped(reason);
  }

  /** A step over ends (the machine stopped, or it powered off): its breakpoint goes, its caller hears. */
  private endStepOver(): void {
    if (this.overAt !== undefined) { this.machine?.removeBreakpoint(this.overAt); this.overAt = undefined; }
    this.overFrame = undefined;
    const w = this.stopWaiters;
    this.stopWaiters = [];
    for (const f of w) f();
  }

  resume(): void {
    if (this.state !== "paused" || this.reversing) return;
    if (this.timeline) this.passHere = true; // a replay cannot step outside its run calls: its run passes the breakpoint
    else if (this.atBreakpoint && this.machine) {
      // Off the breakpoint, as gdb resumes: its instruction runs, and a stop it
      // makes (an event such as the #PF it raises, a watchpoint) is a stop there.
      if (this.stepOne(this.machine) === STOP.BREAKPOINT && this.breakpointStop(this.machine)) return;
    }
    this.stopWhy = undefined;
    this.setState("running");
    this.schedule();
  }

  // ---- the lab bench ----

  inspect(): Inspection | null {
    const m = this.machine;
    if (!m) return null;
    return { registers: m.registers(), gdt: gdt(m), ldt: ldt(m), idt: idt(m), tss: taskState(m), vmcs: readVmcs(m) ?? undefined, breakpoints: [...this.breakpointList], watchpoints: [...this.watchpointList] };
  }
  walk(linear: number): PageWalk | null { return this.machine ? pageWalk(this.machine, linear) : null; }
  readMemory(address: number, length: number, physical: boolean): Uint8Array {
    const m = this.machine;
    if (!m) return new Uint8Array(0);
    const len = Math.max(0, Math.min(length, 65536));
    return physical ? m.readPhysical(address >>> 0, len) : m.readLinear(address >>> 0, len);
  }
  /** Before stepping or setting a breakpoint or stop: why not (while recording,
   *  which does not carry them: replay it to debug; while a reverse continue
   *  runs, which counts the breakpoints' hits), or null, and then a replay
   *  counts as debugged from here on (debugging()). */
  private startDebugging(): string | null {
    if (this.recorder) return "Stepping and breakpoints are not available while recording: the recording does not carry them. Save the recording and replay it to debug.";
    if (this.reversing) return REVERSING;
    this.debugging();
    return null;
  }
  /** A replay is being debugged (paused, stepped, given a breakpoint): from
   *  here on it takes checkpoints, so that going back is quick. Before this
   *  point, going back replays from the start. */
  private debugging(): void {
    if (!this.timeline || this.debugged) return;
    this.debugged = true;
    this.timeline.checkpointEvery(DEFAULT_CHECKPOINT_INTERVAL);
  }
  step(count: number): string | null {
    const m = this.machine;
    if (!m) return "The machine is not running.";
    const refused = this.startDebugging();
    if (refused) return refused;
    if (this.state !== "paused") return "Pause the machine to step.";
    const n = Math.max(1, Math.min(count, 1_000_000));
    if (this.timeline) return this.replayStep(m, this.timeline, n);
    for (let i = 0; i < n; i++) {
      const r = this.stepOne(m);
      if (r === STOP.HALT) { this.stopWhy = "step: the CPU is halted, waiting for an interrupt (continue to take it)"; break; }
      this.stopWhy = "step";
    }
    this.flushConsole(m.drain(RING.COM1_TX));
    this.sendStatus();
    return null;
  }
  /** Step in a replay: by the recording (web/host/reverse.ts stepForward), so
   *  that an interrupt due on the way is taken as it was recorded; a breakpoint
   *  or watchpoint ends the steps, and so does the recording's end. */
  private replayStep(m: Machine, t: ReplayTimeline, n: number): string | null {
    try {
      for (let i = 0; i < n; i++) {
        const s = t.stepForward();
        if (s.reason === "end") { this.replayEnded(m); return null; }
        this.stopWhy = s.reason === "step" ? "step" : this.stopText(m, s);
        if (s.reason !== "step") break;
      }
    } catch (e) {
      this.replayFailed(e);
      return null;
    }
    this.sendStatus();
    return null;
  }

  /** Where the timeline stopped, for the status bar. */
  private stopText(m: Machine, s: TimelineStop): string {
    switch (s.reason) {
      case "watchpoint": return watchText(s.watch, s.address);
      case "breakpoint": return hitText(m, m.breakpointHit());
      case "begin": return "at the start of the replay";
      case "end": return "at the end of the replay";
      case "interrupted": return "interrupted";
      case "step": return "step";
    }
  }

  // ---- going back in a replay (web/host/reverse.ts, as gdb's reverse-stepi and reverse-continue) ----

  /** The page's breakpoints and watchpoints, which going back takes out of the
   *  machine while it replays to an instruction count. */
  private readonly points: Points = {
    off: () => {
      const m = this.machine!;
      for (const a of this.breakpointList) m.removeBreakpoint(a);
      for (const w of this.watchpointList) m.removeWatchpoint(w.address, w.length, WATCH_KINDS[w.kind]);
    },
    on: () => {
      const m = this.machine!;
      for (const a of this.breakpointList) m.insertBreakpoint(a);
      for (const w of this.watchpointList) m.insertWatchpoint(w.address, w.length, WATCH_KINDS[w.kind]);
    },
  };

  /** Before going back: why not, or null, and then the replay counts as debugged (debugging()). */
  private startGoingBack(): string | null {
    if (!this.machine) return "The machine is not running.";
    if (!this.timeline) return "Going back needs a replay: record a session, save the recording and replay it.";
    if (this.reversing) return REVERSING;
    // At the recording's end the replay stopped; it can go back from there.
    if (this.state !== "paused" && this.state !== "stopped") return "Pause the replay to go back.";
    this.debugging();
    return null;
  }

  /** Where going back left the machine: it is paused there. */
  private reversed(m: Machine, s: TimelineStop, what: string): ReverseResult {
    this.atBreakpoint = false;
    this.stopWhy = s.reason === "step" ? what : `${what}: ${this.stopText(m, s)}`;
    if (this.state !== "paused") this.setState("paused"); else this.sendStatus();
    return { eip: m.registers().eip, instructions: Number(m.instructions), stop: s.reason };
  }

  reverseStep(): ReverseResult {
    const refused = this.startGoingBack();
    if (refused) return { error: refused };
    const m = this.machine!;
    try {
      return this.reversed(m, this.timeline!.reverseStep(this.points), "step back");
    } catch (e) {
      this.replayFailed(e);
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** A replay: to the point where `instructions` have retired, backwards or
   *  forwards (an event of the timeline: just before its instruction). */
  goTo(instructions: number): ReverseResult {
    const refused = this.startGoingBack();
    if (refused) return { error: refused };
    if (!Number.isSafeInteger(instructions) || instructions < 0) return { error: `goTo(${instructions}): an instruction count is a whole number from 0` };
    const m = this.machine!;
    try {
      const s = this.timeline!.travelTo(BigInt(instructions), this.points);
      if (s.reason === "end") { this.replayEnded(m); return { eip: m.registers().eip, instructions: Number(m.instructions), stop: "end" }; }
      return this.reversed(m, s, `at instruction ${instructions}`);
    } catch (e) {
      this.replayFailed(e);
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }

  async reverseContinue(): Promise<ReverseResult> {
    const refused = this.startGoingBack();
    if (refused) return { error: refused };
    const m = this.machine!;
    this.reversing = true;
    this.stopWhy = undefined;
    this.setState("running"); // Pause cancels it (timeline.cancel)
    let s: TimelineStop;
    try {
      s = await this.timeline!.reverseContinue(this.points);
    } catch (e) {
      this.replayFailed(e);
      return { error: e instanceof Error ? e.message : String(e) };
    } finally {
      this.reversing = false;
    }
    this.state = "paused"; // reversed() tells the page
    return this.reversed(m, s, "reverse continue");
  }

  private stepOne(m: Machine): number {
    this.atBreakpoint = false;
    const r = m.step();
    if (r === STOP.RESET) this.host?.reboot();
    return r;
  }
  /** Step over: a CALL, INT n/INT3/INTO or REP-prefixed string instruction at
   *  CS:EIP runs until the next instruction (a temporary breakpoint there, the
   *  machine resumed); anything else is one step. Resolves (null) when the
   *  machine has stopped again: there, at another breakpoint, or by a pause. */
  stepOver(): Promise<string | null> | string | null {
    const m = this.machine;
    if (!m) return "The machine is not running.";
    const refused = this.startDebugging();
    if (refused) return refused;
    if (this.state !== "paused") return "Pause the machine to step.";
    const r = m.registers();
    const bits = (r.cr0 & 1) && !(r.eflags & 0x20000) && (r.cs.attributes & 0x4000) ? 32 : 16;
    const at = (r.cs.base + r.eip) >>> 0;
    const d = decodeOne(m.readLinear(at, 15), at, bits);
    if (!d || !stepsOver(d.text)) return this.step(1);
    // The next instruction, as the CPU counts it: EIP wraps at 64 KiB in 16-bit code.
    const nextEip = bits === 32 ? (r.eip + d.length) >>> 0 : (r.eip + d.length) & 0xffff;
    const next = (r.cs.base + nextEip) >>> 0;
    if (!m.insertBreakpoint(next)) return "No room for the step-over breakpoint (256 at most).";
    this.overAt = next;
    this.overFrame = stepOverFrame(m);
    const done = new Promise<string | null>((res) => this.stopWaiters.push(() => res(null)));
    this.resume();
    return done;
  }

  // ---- gdb through the bridge (web/cli/bridge.ts) ----

  /** Connect to a gdb bridge at `url` (ws://...): resolves null when connected, or why not. */
  gdbConnect(url: string): Promise<string | null> {
    if (!/^wss?:\/\/[^\s]+$/.test(url)) return Promise.resolve(`Not a WebSocket URL: "${url}" (e.g. ws://localhost:1235).`);
    if (!this.machine) return Promise.resolve("The machine is not running.");
    // gdb can write registers and memory (a recording does not carry that);
    // a replay steps and goes back in the inspector.
    if (this.recorder || this.replay) return Promise.resolve("The gdb bridge is not available while recording or replaying: the recording does not carry what gdb changes. The inspector steps a replay, forwards and back.");
    this.gdbDisconnect();
    let ws: WebSocket;
    try { ws = new WebSocket(url); } catch (e) { return Promise.resolve(`Cannot connect to ${url}: ${e instanceof Error ? e.message : String(e)}`); }
    ws.binaryType = "arraybuffer";
    this.bridge = ws;
    return new Promise((resolve) => {
      let open = false;
      ws.onopen = () => { open = true; this.sendStatus(); resolve(null); };
      ws.onerror = () => { if (!open) resolve(`Cannot connect to the gdb bridge at ${url}: is "ringzero gdb-bridge" running?`); };
      ws.onclose = () => {
        if (this.bridge !== ws) return;
        this.detachGdb();
        this.bridge = undefined;
        this.sendStatus();
        if (open) this.cb?.error("The gdb bridge closed the connection.");
      };
      ws.onmessage = (e: MessageEvent) => {
        if (typeof e.data === "string") {
          if (e.data === "gdb-attach") this.attachGdb(ws);
          else if (e.data === "gdb-detach") this.detachGdb();
          return;
        }
        this.gdb?.receive(new Uint8Array(e.data as ArrayBuffer));
      };
    });
  }

  gdbDisconnect(): void {
    const ws = this.bridge;
    this.bridge = undefined;
    this.detachGdb();
    ws?.close();
    this.sendStatus();
  }

  /** gdb connected to the bridge: as QEMU does, the machine stops for it. */
  private attachGdb(ws: WebSocket): void {
    const m = this.machine;
    if (!m) return;
    this.detachGdb();
    this.pause();
    this.gdb = new GdbStub(m, {
      send: (b) => { if (ws.readyState === WebSocket.OPEN) ws.send(b); },
      resume: () => this.resume(),
      stop: () => this.pause(),
      step: () => {
        if (this.state !== "paused") this.pause();
        const r = this.stepOne(m) as StopReason;
        this.stopWhy = "gdb stepi";
        this.flushConsole(m.drain(RING.COM1_TX));
        this.sendStatus();
        return r;
      },
      // The page cannot end: gdb's kill leaves the machine paused, the bridge connected.
      kill: () => { this.pause(); this.stopWhy = "gdb killed the session (the machine stays, paused)"; this.detachGdb(); },
    });
    this.sendStatus();
  }

  private detachGdb(): void {
    if (!this.gdb) return;
    this.gdb.disconnected();
    this.gdb = undefined;
    this.sendStatus();
  }

  addBreakpoint(linear: number): string | null {
    const refused = this.startDebugging();
    if (refused) return refused;
    if (!this.machine) return "The machine is not running.";
    if (!this.machine.insertBreakpoint(linear >>> 0)) return "No room for another breakpoint (256 at most).";
    this.breakpointList.add(linear >>> 0);
    return null;
  }
  disassemble(linear: number | null, count: number): { bits: 16 | 32; lines: DisasmLine[] } | null {
    const m = this.machine;
    if (!m) return null;
    const r = m.registers();
    // 32-bit code: protected mode (not virtual-8086) with CS.D set.
    const bits = (r.cr0 & 1) && !(r.eflags & 0x20000) && (r.cs.attributes & 0x4000) ? 32 : 16;
    const at = linear ?? (r.cs.base + r.eip) >>> 0;
    const n = Math.max(1, Math.min(count, 200));
    return { bits, lines: disassemble(m.readLinear(at, n * 15), at, bits, n) };
  }
  events(since: number, max: number): MachineEvent[] {
    return this.machine ? readEvents(this.machine, since, max) : [];
  }
  stopOn(stops: EventStops): string | null {
    if (stops.kinds.length || this.reversing) { const refused = this.startDebugging(); if (refused) return refused; }
    if (!this.machine) return "The machine is not running.";
    setEventStops(this.machine, stops);
    return null;
  }
  addWatchpoint(w: Watchpoint): string | null {
    const refused = this.startDebugging();
    if (refused) return refused;
    if (!this.machine) return "The machine is not running.";
    if (!this.machine.insertWatchpoint(w.address >>> 0, w.length, WATCH_KINDS[w.kind])) return "No room for another watchpoint (32 at most), or a length of 0 or one running past 4 GiB.";
    this.watchpointList.push({ ...w, address: w.address >>> 0 });
    return null;
  }
  removeWatchpoint(w: Watchpoint): void {
    if (this.reversing) return; // a reverse continue counts its hits
    this.machine?.removeWatchpoint(w.address >>> 0, w.length, WATCH_KINDS[w.kind]);
    this.watchpointList = this.watchpointList.filter((x) => !(x.address === w.address >>> 0 && x.length === w.length && x.kind === w.kind));
  }
  removeBreakpoint(linear: number): void {
    if (this.reversing) return;
    this.machine?.removeBreakpoint(linear >>> 0);
    this.breakpointList.delete(linear >>> 0);
  }

  reset(): void {
    if (!this.machine || !this.host) return;
    if (this.replay) { this.cb?.error("A replay cannot be reset: it makes only the recorded run's calls."); return; }
    this.endStepOver(); // the instruction it would stop after is gone
    this.host.reset();
    this.resets++;
    if (this.state === "halted" || this.state === "stopped") { this.setState("running"); this.schedule(); }
    this.sendStatus();
  }

  input(bytes: Uint8Array): void {
    if (this.replay) return; // the recording has the guest's input
    const joined = new Uint8Array(this.pending.length + bytes.length);
    joined.set(this.pending);
    joined.set(bytes, this.pending.length);
    this.pending = joined;
    this.pacer.active(performance.now());
    if (this.sleeping) this.schedule(); // typed input wakes an idle machine at once
  }

  keys(bytes: Uint8Array): void {
    if (this.replay) return;
    const joined = new Uint8Array(this.pendingKeys.length + bytes.length);
    joined.set(this.pendingKeys);
    joined.set(bytes, this.pendingKeys.length);
    this.pendingKeys = joined;
    if (this.sleeping) this.schedule();
  }

  /** Mouse motion goes to the machine at once (not through a ring: a recording
   *  does not have it, see docs/DEVICES.md). */
  mouse(dx: number, dy: number, dz: number, buttons: number): void {
    if (this.replay || !this.host) return;
    this.host.mouse(dx, dy, dz, buttons); // recorded while recording, as typed input is
    if (this.sleeping) this.schedule();
  }

  translation(): { stats: Record<string, number>; lost?: string } | null {
    const t = this.machine?.translator;
    return t ? { stats: { ...t.stats }, lost: t.lost } : null;
  }

  status(): MachineStatus {
    const m = this.machine;
    let mode: MachineStatus["mode"] = "real", cpl = 0, paging = false;
    let vmx: MachineStatus["vmx"];
    if (m) {
      const v = m.vmx();
      if (v.mode !== "off") vmx = { mode: v.mode, vmcs: v.vmcs };
      const s = m.cpuState();
      const cr0 = s.getUint32(0x210, true), eflags = s.getUint32(0x24, true);
      mode = eflags & (1 << 17) ? "virtual-8086" : cr0 & 1 ? "protected" : "real";
      cpl = s.getUint32(0x240, true);
      paging = (cr0 & 0x80000000) !== 0;
    }
    return {
      state: this.state, ips: this.ips, idle: this.idle, instructions: m ? Number(m.instructions) : 0, mode, cpl, paging, vmx, resets: this.resets,
      session: this.replay ? (this.state === "stopped" ? "replayed" : "replaying") : this.recorder ? "recording" : "live",
      stop: this.state === "paused" ? this.stopWhy : undefined,
      checkpoints: this.timeline?.checkpointInfo.count,
      gdb: this.bridge ? (this.gdb ? "gdb attached" : this.bridge.readyState === WebSocket.OPEN ? "bridge connected, waiting for gdb" : "connecting") : undefined,
      disks: this.remote.length ? this.remote.map(({ name, disk }) => ({ name, fetched: disk.fetchedBytes, size: disk.length })) : undefined,
    };
  }

  vgaText(): VgaView | null {
    const m = this.machine;
    const screen = m?.textScreen();
    if (!m || !screen) return null;
    const cursor = screen.cursor ? { row: screen.cursor.row, column: screen.cursor.column } : undefined;
    return { columns: screen.columns, rows: screen.rows, cells: screen.cells, cursor, palette: m.textPalette(), font: m.vgaTextFontLoaded() };
  }

  vgaMode(): "none" | "text" | "graphics" | "blank" {
    const m = this.machine;
    if (!m) return "none";
    if (m.textScreen()) return "text";
    return m.vgaImage().mode === "blank" ? "blank" : "graphics";
  }

  /** The picture; with `changedRows` (the page's screen) only the rows that changed
   *  since the last such call (all of it after a mode or palette change), which
   *  the page draws in place. Without, the whole picture, and the next call with
   *  `changedRows` gives the whole picture too (the canvas may not show the last). */
  vgaImage(changedRows = false): VgaPicture | null {
    const picture = this.picture(changedRows);
    return picture && transferred(picture, picture);
  }

  vgaFrame(changedRows = false, spare?: ArrayBuffer): VgaFrame {
    if (spare) this.spare = spare;
    // Text modes too are drawn here once plane 2 holds a font; until then the
    // page draws the cells in its own.
    const textMode = this.machine?.textMode ?? false;
    const picture = !textMode || this.machine!.vgaTextFontLoaded() ? this.picture(changedRows, true) : null;
    const frame: VgaFrame = { textMode, picture, text: picture ? null : this.vgaText() };
    return picture ? transferred(frame, picture) : frame;
  }

  /** vgaImage's picture, its rows in a buffer of their own (to be transferred)
   *  or shared; `bgra`: 32 bpp as video memory holds it (the page converts it). */
  private picture(changedRows: boolean, bgra = false): VgaPicture | null {
    const m = this.machine;
    if (!m) return null;
    if (changedRows) {
      const u = m.vgaScreenUpdate(this.screen, { cursor: true, bgra });
      return u.mode === "blank" ? null : { width: u.width, height: u.height, y0: u.y0, rows: u.y1 - u.y0, rgba: u.rgba, bgra: u.bgra };
    }
    this.screen.forget();
    const img = m.vgaImage({ cursor: true });
    return img.mode === "blank" ? null : { width: img.width, height: img.height, y0: 0, rows: img.height, rgba: img.rgba };
  }

  private setState(s: RunState): void { this.state = s; this.sendStatus(); }
  private sendStatus(s = this.status()): void {
    this.lastStatus = performance.now();
    this.lastShape = statusShape(s);
    this.cb?.status(s);
  }
  /** Run the next slice: after `ms` ms (the guest is idle until then; -1 until
   *  input or a control call), or as soon as the worker's other tasks allow. */
  private schedule(ms = 0): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sleeping = ms !== 0;
    if (ms === 0) soon(() => { if (!this.sleeping && this.timer === undefined) this.slice(); });
    else if (ms > 0) this.timer = setTimeout(() => { this.sleeping = false; this.slice(); }, ms);
  }

  private slice(): void {
    const m = this.machine, host = this.host;
    if (!m || !host || this.state !== "running" || this.reversing) return;
    if (this.timeline) { this.replaySlice(m, this.timeline); return; }
    const t0 = performance.now();
    let sleepMs = 0;
    try {
      while (performance.now() - t0 < SLICE_MS) {
        if (this.pending.length) this.pending = this.pending.subarray(host.feed(RING.COM1_RX, this.pending));
        if (this.pendingKeys.length) this.pendingKeys = this.pendingKeys.subarray(host.feed(RING.KBD, this.pendingKeys));
        const r = host.run(SLICE_INSTRUCTIONS);
        if (this.flushConsole(m.drain(RING.COM1_TX)) || r !== STOP.HALT || !m.halted || m.inputPending()) this.pacer.active(performance.now());
        if (r === STOP.HALT) {
          // Nothing to run until the next device timer (asm/clock.ts): sleep,
          // a little longer when the guest is quiet (web/host/idle.ts).
          if (!this.pending.length && !this.pendingKeys.length) sleepMs = this.pacer.sleepMs(host.timeUntilDeadline(), performance.now());
          break;
        }
        if (r === STOP.RESET) {
          this.resets++;
          if (m.resetCause === 1) this.cb?.error("The guest triple-faulted; the machine was reset.");
          host.reboot();
        }
        if (r === STOP.EXIT || r === STOP.POWEROFF) {
          this.setState("stopped");
          this.cb?.error("The guest powered the machine off.");
          this.endStepOver();
          this.gdb?.exited(r === STOP.EXIT ? m.exitCode : 0);
          return;
        }
        if (r === STOP.BREAKPOINT && this.breakpointStop(m)) return;
      }
    } catch (e) {
      this.setState("error");
      this.cb?.error(`The machine stopped with an internal error: ${e instanceof Error ? e.message : String(e)}`);
      this.endStepOver();
      return;
    }
    this.measure(m);
    this.schedule(sleepMs);
  }

  /** A breakpoint, watchpoint or event stopped the run: the machine pauses
   *  there (true), or goes on (false) when it is the step over's breakpoint
   *  reached by a deeper (recursive) call of the routine, or by another
   *  process: not the end of the step. */
  private breakpointStop(m: Machine): boolean {
    const hit = m.breakpointHit();
    if (hit?.kind === "breakpoint" && hit.address === this.overAt && this.overFrame && !this.breakpointList.has(hit.address) && !backInFrame(m, this.overFrame)) {
      // A replay's suspended run passes it when it goes on (Machine.continueRun).
      if (!this.timeline) this.stepOne(m);
      return false;
    }
    this.atBreakpoint = true;
    this.stopWhy = hitText(m, hit);
    if (hit?.kind === "breakpoint" && hit.address === this.overAt) {
      this.stopWhy = "step over";
      // Only the temporary breakpoint: not one to step off on the next run.
      if (!this.breakpointList.has(hit.address)) this.atBreakpoint = false;
    }
    this.setState("paused");
    this.hasStopped(STOP.BREAKPOINT);
    return true;
  }

  /** Replay: the recording's calls through the timeline (checkpoints on the
   *  way), as fast as they run, a slice at a time; breakpoints stop it. */
  private replaySlice(m: Machine, t: ReplayTimeline): void {
    const t0 = performance.now();
    try {
      while (performance.now() - t0 < SLICE_MS) {
        const pass = this.passHere;
        this.passHere = false;
        const r = t.advance(pass);
        if (r === "end") { this.replayEnded(m); return; }
        if (r === STOP.BREAKPOINT && this.breakpointStop(m)) return;
      }
    } catch (e) {
      this.replayFailed(e);
      return;
    }
    this.measure(m);
    this.schedule();
  }

  /** The replay reached the recording's end (it can still go back from there). */
  // The message goes before the state: the page handles each in a task of its
  // own, and a page (or a script) that sees the replay stopped must find why.
  private replayEnded(m: Machine): void {
    this.cb?.error(`The replay finished at instruction ${m.instructions}, as recorded.`);
    this.setState("stopped");
    this.endStepOver();
  }

  private replayFailed(e: unknown): void {
    this.cb?.error(e instanceof Error ? e.message : String(e));
    this.setState("error");
    this.endStepOver();
  }

  private measure(m: Machine): void {
    const now = performance.now();
    // Twice a second, or once a second while the guest idles (>= 90% halted, as
    // the page shows it).
    if (now - this.lastTime < (this.idle >= IDLE_SHARE ? 1000 : 500)) return;
    const wasIdle = this.idle >= IDLE_SHARE;
    const count = Number(m.instructions);
    this.ips = ((count - this.lastCount) * 1000) / (now - this.lastTime);
    // Idle: the share of guest time the CPU spent halted, waiting for an interrupt.
    const virtual = m.virtualTime, halted = m.haltedTime;
    const span = Number(virtual - this.lastVirtual);
    this.idle = span > 0 ? Number(halted - this.lastHalted) / span : 0;
    this.lastVirtual = virtual;
    this.lastHalted = halted;
    this.lastCount = count;
    this.lastTime = now;
    // Each status costs the page a message, a layout, a paint and a frame (its
    // main thread, compositor and GPU process; Comlink's reply wakes this
    // worker too): while the guest stays idle and quiet (web/host/idle.ts) and
    // only the running figures change, one goes every IDLE_STATUS_MS. Leaving
    // idle, any input or output, or a change of anything else sends them as
    // often as before.
    const st = this.status();
    const still = wasIdle && this.idle >= IDLE_SHARE && this.pacer.quiet(now) && statusShape(st) === this.lastShape;
    if (still && now - this.lastStatus < IDLE_STATUS_MS) return;
    this.sendStatus(st);
  }

  /** Console output to the page; false when there was none. */
  private flushConsole(bytes: Uint8Array): boolean {
    if (!bytes.length) return false;
    if (this.ring) {
      const n = this.ring.write(bytes);
      if (n === bytes.length) return true;
      bytes = bytes.subarray(n); // ring full: fall back to a message for the rest
    }
    this.cb?.console(Comlink.transfer(bytes, [bytes.buffer]));
    return true;
  }
}

async function fetchBytes(src: ImageSource, name: string, cb: WorkerCallbacks, what = `${name} image`): Promise<Uint8Array> {
  if ("bytes" in src) {
    cb.progress(src.name, src.bytes.byteLength, src.bytes.byteLength);
    return new Uint8Array(src.bytes);
  }
  let res: Response;
  try {
    res = await fetch(src.url);
  } catch {
    throw new Error(`Could not load the ${what} from ${src.url}: the network request failed.`);
  }
  if (!res.ok) throw new Error(`Could not load the ${what} from ${src.url}: the server answered ${res.status} ${res.statusText}.`);
  // Progress at most every PROGRESS_MS: each call is a message to the page.
  let last = 0;
  return readBody(res, (loaded, total) => {
    const now = performance.now();
    if (now - last < PROGRESS_MS && loaded < total) return;
    last = now;
    cb.progress(name, loaded, total);
  });
}

/** A CD-ROM or disk image by URL: read on demand when the server takes Range
 *  requests, else downloaded whole (and the page says so). */
async function openRemote(url: string, name: DiskFetch["name"], cb: WorkerCallbacks): Promise<HttpBackend | Uint8Array> {
  try {
    const img = await probeHttpImage(url, { notice: (m) => cb.notice(m), progress: (loaded, total) => cb.progress(name, loaded, total) });
    if (img.kind === "whole") return img.bytes;
    return new HttpBackend(url, img.length, xhrRangeFetcher(url), { log: (m) => cb.notice(m) });
  } catch (e) {
    if (e instanceof HttpDiskError) throw new Error(`Could not load the ${name} image: ${e.message}.`);
    throw e;
  }
}

Comlink.expose(new MachineWorker());
