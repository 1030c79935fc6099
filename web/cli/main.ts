// `ringzero`: the machine on the command line, with qemu-system-i386's flags
// (args.ts). Runs the wasm machine in slices, copies the serial port and the
// debug console to the terminal or files, feeds the terminal to COM1, and ends
// the way QEMU ends: isa-debug-exit's code, Ctrl-A x, power-off, or a reset
// under -no-reboot.

import { readFileSync, existsSync, openSync, writeSync, closeSync, appendFileSync, writeFileSync, renameSync, unlinkSync } from "node:fs";
import { dirname, resolve, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Machine, MachineError, STOP, RING, type MachineOptions } from "../host/machine";
import { startCompileThread } from "./compilethread";
import { ReplayError, hostCalls, type HostCalls } from "../host/replay";
import { ReplayTimeline, DEFAULT_CHECKPOINT_INTERVAL } from "../host/reverse";
import { RINGZERO_VERSION } from "../host/version";
import { openRecordReplay, describeRun, type RecordReplay, type LoadedImage } from "./record";
import { save, restore, tellClockAgent, SnapshotError, type SnapshotDisk, type RunIdentity } from "../host/snapshot";
import { zlibCodec } from "./snapshot";
import { bootKernel, kernelKind, KernelImageError, type DirectBootOptions } from "../host/kernel";
import { videoRequest } from "../host/vbe";
import { splitModuleList } from "../host/multiboot";
import { parseArgs, UsageError, USAGE, type Config, type CharDev } from "./args";
import { EscapeFilter, ESCAPE_HELP } from "./escape";
import { openDrive, openHttpDrive, connectBlockDevices, closeDrives, type OpenedDrive } from "./drives";
import { isHttpUrl } from "../host/httpdisk";
import { prepareFirmwareBoot } from "../host/firmware";
import { RunControl, startGdbServer, terminalMonitor } from "./debug";
import { PROMPT } from "../host/monitor";
import { IdlePacer } from "../host/idle";
import { bridgeMain } from "./bridge";

/** The repository (or installed package) root: this file is web/cli/main.ts or build/cli/ringzero.mjs. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const IMAGES = join(ROOT, "public/images");
const VERSION = RINGZERO_VERSION;

/** Instructions per run() call; the host yields to its event loop between calls. */
const SLICE = 2_000_000;

export interface Manifest { cmdline: string; prompt: string; readyMarker: string; clockAgent?: string }

function readInput(what: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : String(code);
    throw new UsageError(`${what} ${path}: ${why}`);
  }
}

type Sink = (b: Uint8Array) => void;

function openSink(flag: string, dev: CharDev, toClose: number[]): Sink | null {
  switch (dev.kind) {
    case "null": return null;
    case "stdio": return (b) => { process.stdout.write(b); };
    case "file": {
      let fd: number;
      try { fd = openSync(dev.path, "w"); } catch (e) {
        throw new UsageError(`${flag} file:${dev.path}: cannot open for writing (${(e as NodeJS.ErrnoException).code})`);
      }
      toClose.push(fd);
      return (b) => { writeSync(fd, b); };
    }
  }
}

/** Everything the configuration names, read and checked before the machine starts. */
interface Prepared {
  wasm: Uint8Array;
  bios?: Uint8Array;
  /** The VGA option ROM for firmware boots (QEMU's default VGA BIOS, Debian's SeaBIOS VGA BIOS). */
  vgabios?: Uint8Array;
  boot?: DirectBootOptions;
  drives: OpenedDrive[];
  /** What was read into memory, by role (record/replay identifies the run by them). */
  images: LoadedImage[];
  /** The default guest's manifest, when no image was named. */
  defaultGuest?: Manifest;
}

async function prepare(c: Config, drives: OpenedDrive[]): Promise<Prepared> {
  const wasmPath = join(ROOT, "build/ringzero.wasm");
  if (!existsSync(wasmPath)) throw new UsageError(`${wasmPath} is missing: run npm run build:wasm`);
  const p: Prepared = { wasm: readFileSync(wasmPath), drives, images: [] };
  const load = (role: string, what: string, path: string) => {
    const bytes = readInput(what, path);
    p.images.push({ role, path, bytes });
    return bytes;
  };
  let kernel = c.kernel, initrd = c.initrd, append = c.append;
  const useDefaultGuest = !c.kernel && !c.bios && c.drives.length === 0;
  if (useDefaultGuest) {
    const manifestPath = join(IMAGES, "manifest.json");
    if (!existsSync(manifestPath) || !existsSync(join(IMAGES, "bzImage"))) {
      throw new UsageError("the default Linux guest is not built: run npm run guest (or give -kernel, -bios, -hda or -cdrom)");
    }
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
    p.defaultGuest = manifest;
    kernel = join(IMAGES, "bzImage");
    initrd = join(IMAGES, "initrd.img");
    append = manifest.cmdline;
  }
  if (c.bios) p.bios = load("bios", "BIOS image", c.bios);
  else if (!kernel) {
    // disks and no -bios: the pc machine's default firmware (QEMU loads bios-256k.bin)
    const def = join(IMAGES, "bios-256k.bin");
    if (!existsSync(def)) throw new UsageError(`no -bios given and the default SeaBIOS ${def} is not built: run npm run guest`);
    p.bios = load("bios", "BIOS image", def);
  }
  // The VGA BIOS: for SeaBIOS to run, or for its font after a direct boot
  // (web/host/kernel.ts). A direct boot's font is not part of the run's identity:
  // a snapshot carries it in the VGA's memory, and the page and the package,
  // whose text views need no font, restore the CLI's snapshots without the image.
  const vgaDefault = join(IMAGES, "vgabios.bin");
  if (existsSync(vgaDefault)) {
    if (!kernel) p.vgabios = load("vgabios", "VGA BIOS", vgaDefault);
    else if (c.vga) p.vgabios = readInput("VGA BIOS", vgaDefault);
  }
  if (kernel) {
    const img = load("kernel", "kernel", kernel);
    const kind = kernelKind(img);
    const boot: DirectBootOptions = { kernel: img, kernelName: kernel, cmdline: append ?? "", vgaBios: p.vgabios };
    if (initrd !== undefined) {
      if (kind === "bzimage") boot.initrd = load("initrd", "initrd", initrd);
      else boot.modules = splitModuleList(initrd).map((m, i) => ({ data: load(`module ${i}`, "Multiboot module", m.file), string: m.string }));
    }
    // QEMU's setup code finds no VGA BIOS to set a VESA mode with under -vga none.
    if (kind === "bzimage" && !c.vga && videoRequest(boot.cmdline).kind === "vesa") {
      throw new UsageError(`-vga none: the kernel's ${/(?:^|\s)(vga=\S*)/.exec(boot.cmdline)![1]} asks for a VESA mode of the std VGA, which -vga none leaves out (drop vga= or use -vga std)`);
    }
    p.boot = boot;
  }
  // A replay never writes an image: the recording has what the guest read.
  for (const d of c.drives) p.drives.push(isHttpUrl(d.path) ? await openHttpDrive(d) : openDrive(d, c.rr?.mode === "replay"));
  return p;
}

let restoreTerminal: () => void = () => {};

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === "gdb-bridge") return bridgeMain(argv.slice(1)); // gdb in the page (web/cli/bridge.ts)
  const toClose: number[] = [];
  const drives: OpenedDrive[] = [];
  let rr: RecordReplay | undefined;
  try {
    const c = parseArgs(argv);
    if (c.help) { process.stdout.write(USAGE); return 0; }
    if (c.version) { process.stdout.write(`ringzero ${VERSION} (QEMU-compatible command line)\n`); return 0; }
    // Drives are closed at the end even when opening a later one fails.
    const p = await prepare(c, drives);
    const serial = openSink("-serial", c.serial, toClose);
    const debugcon = c.debugcon ? openSink("-debugcon", c.debugcon, toClose) : null;

    // The RTC starts at the host's time of day unless -rtc base= says otherwise:
    // set now (a recording's header keeps this), and again when the CPU first
    // runs (startRtc below).
    const rtcNow = () => {
      const now = Date.now() / 1000;
      return c.rtcBase === "utc" ? now : c.rtcBase === "localtime" ? now - new Date().getTimezoneOffset() * 60 : c.rtcBase;
    };
    let rtc = rtcNow();
    let hostNow = () => performance.now() * 1e6;
    // (before a recording is opened: a setting it refuses leaves no file)
    const translation = await translationFromEnv(c.rr?.mode);
    if (c.rr) {
      rr = openRecordReplay(c, p.wasm, p.images, p.drives, rtc, p.boot?.cmdline, hostNow);
      ({ hostNow, rtc } = rr);
    }
    const m = await Machine.create({ wasm: p.wasm, ramBytes: c.ramMB * 1024 * 1024, cpu: c.cpu, hpet: c.hpet, hostNow, ...translation });
    if (p.bios) m.loadBios(p.bios);
    // Guest time follows the host clock (QEMU's -icount shift=auto), or the instruction
    // count (-icount shift=N).
    if (c.icountShift === undefined) m.setRealtime(true);
    else m.setIcountShift(c.icountShift);
    // -rtc clock=host (the default in real time): the RTC catches up on the
    // host's time the machine does not run (asm/dev/cmos.ts).
    m.setRtcClock(c.rtcClock);
    m.setRtcTime(rtc);
    const disks = connectBlockDevices(m, p.drives, rr?.writable);
    const boot = () => {
      if (p.boot) bootKernel(m, p.boot);
      else prepareFirmwareBoot(m, c.bootOrder, p.vgabios, c.noGraphics);
    };
    boot();
    // Snapshots name the run by its settings and images (hashed when first needed).
    let identity: RunIdentity | undefined;
    const snap: Snapshots = {
      disks,
      identity: () => (identity ??= describeRun(c, p.wasm, p.images, p.drives, rtc, p.boot?.cmdline)),
    };
    if (c.incoming !== undefined) {
      await restoreFrom(m, c.incoming, snap);
      // The restored guest's clocks show the time of the save. The RTC follows
      // the host again (as QEMU's with -rtc base=utc|localtime), and the default
      // guest's clock agent (tools/guest/init.sh) sets the system time.
      if (typeof c.rtcBase !== "number") m.setRtcTime(rtcNow());
      tellClockAgent(m, p.defaultGuest?.clockAgent);
    }
    const ctl = new RunControl(c.startPaused);
    // The virtual clock starts when the CPU first runs, after the module's
    // compile, the images' loading and any -S wait: the RTC starts at the
    // host's time of day then, or it would lag by that time (over a second on
    // a loaded host). A recording's RTC starts at its header's time.
    const startRtc = typeof c.rtcBase !== "number" && !rr ? () => m.setRtcTime(rtcNow()) : undefined;
    // A replay under gdb keeps checkpoints, so that it can run backwards.
    const timeline = rr?.replay && c.gdb ? new ReplayTimeline(m, rr.replay, {
      interval: c.rr?.interval !== undefined ? BigInt(c.rr.interval) : DEFAULT_CHECKPOINT_INTERVAL,
      output: (ring, b) => { const sink = ring === RING.DEBUGCON ? debugcon : serial; sink?.(b); },
    }) : undefined;
    if (c.gdb) {
      await startGdbServer(m, ctl, c.gdb, timeline && {
        step: () => timeline.stepForward(),
        reverseStep: (p) => timeline.reverseStep(p),
        reverseContinue: (p) => timeline.reverseContinue(p),
        cancel: () => timeline.cancel(),
        atEnd: () => timeline.atEnd,
      });
    }
    const host = hostCalls(m, boot, rr?.recorder, rr?.replay);
    const status = await runLoop(m, c, { serial, debugcon, host, ctl, snap, timeline, startRtc });
    rr?.finish(status);
    rr = undefined;
    return status;
  } catch (e) {
    if (e instanceof UsageError || e instanceof KernelImageError || e instanceof MachineError || e instanceof ReplayError || e instanceof SnapshotError) {
      process.stderr.write(`ringzero: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    rr?.finish(1); // the run ended by an error: the recording still closes
    restoreTerminal();
    closeDrives(drives);
    for (const fd of toClose) closeSync(fd);
  }
}

interface Io {
  serial: Sink | null; debugcon: Sink | null; host: HostCalls; ctl: RunControl; snap: Snapshots; timeline?: ReplayTimeline;
  /** Called once, before the CPU first runs. */
  startRtc?: () => void;
}

/** What migrate and -incoming need: the writable disks and the run's identity. */
interface Snapshots { disks: SnapshotDisk[]; identity(): RunIdentity }

/** -incoming file:PATH: the machine, already set up from the same flags, takes the saved state. */
async function restoreFrom(m: Machine, path: string, snap: Snapshots): Promise<void> {
  const bytes = readInput("-incoming snapshot", path);
  await restore(m, bytes, path, snap.identity(), zlibCodec, snap.disks);
}

/** The monitor's migrate file:PATH: the snapshot goes to PATH.tmp, then takes
 *  PATH's place, so a failed save never leaves half a file under the name. */
async function migrateTo(m: Machine, path: string, snap: Snapshots): Promise<string> {
  const bytes = await save(m, { identity: snap.identity(), disks: snap.disks }, zlibCodec);
  const tmp = `${path}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* never written */ }
    throw new Error(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return "";
}

async function runLoop(m: Machine, c: Config, io: Io): Promise<number> {
  const input: Uint8Array[] = [];
  const ctl = io.ctl;
  const stdin = process.stdin;
  const host = io.host;
  let startRtc = io.startRtc;
  const monitor = c.monitor ? terminalMonitor(m, ctl, VERSION, () => {
    if (host.replay) process.stdout.write("system_reset is not available during a replay\r\n");
    else host.reset();
  }, (path) => migrateTo(m, path, io.snap), c.vga, () => {
    // An injected NMI is not a recorded event: a replay could not repeat it.
    if (host.replay || host.recording) return "nmi is not available during record/replay\n";
    m.nmi();
    ctl.poke();
    return "";
  }, () => {
    // Nor is a power-button press.
    if (host.replay || host.recording) return "system_powerdown is not available during record/replay\n";
    m.powerButton();
    ctl.poke();
    return "";
  }) : null;
  let inMonitor = false, monitorGreeted = false; // mux: Ctrl-A c switches the terminal to the monitor and back
  if (c.monitor === "stdio") {
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      restoreTerminal = () => { try { stdin.setRawMode(false); } catch { /* closed */ } restoreTerminal = () => {}; };
      process.on("exit", () => restoreTerminal());
    }
    monitor!.start();
    stdin.on("data", (chunk: Buffer) => monitor!.input(new Uint8Array(chunk)));
    stdin.on("error", () => {});
    stdin.resume();
  }
  if (c.serial.kind === "stdio") {
    const escapes = c.muxEscapes ? new EscapeFilter() : null;
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      restoreTerminal = () => { try { stdin.setRawMode(false); } catch { /* closed */ } restoreTerminal = () => {}; };
      process.on("exit", () => restoreTerminal());
    }
    stdin.on("data", (chunk: Buffer) => {
      ctl.poke();
      if (!escapes) { input.push(new Uint8Array(chunk)); return; }
      for (const piece of escapes.feed(new Uint8Array(chunk))) {
        if ("bytes" in piece) {
          if (inMonitor) monitor!.input(piece.bytes);
          else input.push(piece.bytes);
          continue;
        }
        const ev = piece.event;
        if (ev === "quit") { process.stdout.write("ringzero: terminated\r\n"); ctl.end(0); }
        else if (ev === "help") process.stdout.write(ESCAPE_HELP);
        else if (ev === "monitor" && monitor) {
          inMonitor = !inMonitor;
          if (inMonitor && !monitorGreeted) { monitorGreeted = true; monitor.start(); }
          else if (inMonitor) process.stdout.write(PROMPT);
          else process.stdout.write("\r\n");
        }
        else process.stdout.write(`ringzero: C-a ${ev === "monitor" ? "c (no monitor: use -serial mon:stdio)" : ev.unsupported} is not supported\r\n`);
      }
    });
    stdin.on("error", () => {});
    stdin.resume();
  }
  const onSignal = (sig: NodeJS.Signals) => { process.stderr.write(`ringzero: terminating on signal ${sig}\n`); ctl.end(0); };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  // For `npm run bench` (not a QEMU flag): with RINGZERO_STATS=path, SIGUSR1 and
  // the exit each append {"instructions": N} to that file.
  const statsPath = process.env.RINGZERO_STATS;
  const writeStats = () => {
    if (statsPath) {
      appendFileSync(statsPath, JSON.stringify({ instructions: Number(m.instructions), blockCalls: Number(m.translatedBlockCalls), translated: Number(m.translatedInstructions), ...m.translator.stats }) + "\n");
    }
  };
  if (statsPath) process.on("SIGUSR1", writeStats);

  const pacer = new IdlePacer();
  const flush = () => {
    const dbg = m.drain(RING.DEBUGCON);
    if (dbg.length && io.debugcon) io.debugcon(dbg);
    const tx = m.drain(RING.COM1_TX);
    if (tx.length && io.serial) io.serial(tx);
    if (dbg.length || tx.length) pacer.active(performance.now());
  };
  const yieldToHost = () => new Promise<void>((r) => setImmediate(r));
  let replayed = 0;
  // Idle: sleep until the machine's next timer is due, or a little past it when
  // the guest is quiet (web/host/idle.ts); input, a signal, gdb or the monitor
  // wakes it early (ctl.poke).
  const sleepUntilDue = (ns: number) => new Promise<void>((r) => {
    const ms = pacer.sleepMs(ns, performance.now());
    // With nothing but input to wake the guest (HLT with interrupts off), a timer
    // that never fires keeps Node running, as QEMU keeps running a halted guest;
    // a pending promise alone would let the process end, skipping its clean-up.
    const timer = ms < 0 ? setInterval(() => {}, 1 << 30) : setTimeout(() => { ctl.sleeper = null; r(); }, ms);
    ctl.sleeper = () => { clearTimeout(timer); ctl.sleeper = null; r(); };
  });
  // gdb's stepi runs here, between slices; an exit or reset it causes is handled after the stub's reply.
  ctl.stepper = () => {
    const r = m.step();
    flush();
    if ((r === STOP.EXIT && c.debugExit) || (r === STOP.RESET && c.noReboot)) {
      const code = r === STOP.EXIT ? m.exitCode : 0;
      setImmediate(() => void ctl.exited(code).then(() => ctl.end(code)));
    } else if (r === STOP.RESET) host.reboot();
    return r;
  };

  try {
    for (;;) {
      // Stopped by gdb, the monitor or -S: wait, without spinning, until told to go on.
      if (ctl.paused && ctl.quit === null) {
        const keepAlive = setInterval(() => {}, 1 << 30); // a pending promise alone would let Node exit
        while (ctl.paused && ctl.quit === null) await ctl.resumed();
        clearInterval(keepAlive);
      }
      startRtc?.();
      startRtc = undefined;
      if (ctl.quit !== null) return ctl.quit;
      if (io.timeline) {
        // Under gdb: the recording's calls, with checkpoints; a breakpoint or the
        // recording's end stops and waits for gdb (which may go backwards).
        input.length = 0;
        const r = io.timeline.advance();
        if (r === "end" && !ctl.gdbAttached) {
          process.stderr.write(`ringzero: replay finished at instruction ${m.instructions}, as recorded\n`);
          if (process.env.RINGZERO_STATS) {
            const t = io.timeline, cp = t.checkpointInfo;
            process.stderr.write(`ringzero: ${cp.count} checkpoints held (${(cp.bytes / cp.count / 1024).toFixed(0)} KiB each), ` +
              `${t.stats.taken} taken in ${(t.stats.captureMs / t.stats.taken).toFixed(2)} ms each, ` +
              `${t.stats.restores} restores in ${(t.stats.restoreMs / Math.max(1, t.stats.restores)).toFixed(2)} ms each\n`);
          }
          return host.replay!.exitStatus;
        }
        if (r === "end") {
          process.stderr.write(`ringzero: replay reached the end of the recording at instruction ${m.instructions}\n`);
          ctl.stopped("end");
        } else if (r === STOP.BREAKPOINT) ctl.stopped(r);
        if (++replayed % 64 === 0) await yieldToHost();
        continue;
      }
      if (host.replay) {
        // The recording's calls, as fast as they run; typed input is not the guest's.
        input.length = 0;
        const r = host.replay.next();
        flush();
        if (r === "end") {
          process.stderr.write(`ringzero: replay finished at instruction ${m.instructions}, as recorded\n`);
          return host.replay.exitStatus;
        }
        if (++replayed % 64 === 0) await yieldToHost();
        continue;
      }
      if (input.length) pacer.active(performance.now());
      while (input.length) {
        const head = input[0];
        const n = host.feed(RING.COM1_RX, head);
        if (n === head.length) input.shift();
        else { input[0] = head.subarray(n); break; }
      }
      const stop = host.run(SLICE);
      flush();
      if (stop !== STOP.HALT || !m.halted || m.inputPending()) pacer.active(performance.now());
      if (ctl.quit !== null) return ctl.quit;
      switch (stop) {
        case STOP.EXIT:
          // Without -device isa-debug-exit, port 0xF4 is not a device in QEMU: the write does nothing.
          if (c.debugExit) { await ctl.exited(m.exitCode); return m.exitCode; }
          break;
        case STOP.BREAKPOINT: case STOP.PAUSE:
          ctl.stopped(stop);
          break;
        case STOP.RESET:
          if (c.noReboot) {
            process.stderr.write(`ringzero: guest reset (${m.resetCause === 1 ? "triple fault" : "reset request"}); exiting because of -no-reboot\n`);
            return 0;
          }
          host.reboot();
          break;
        case STOP.POWEROFF:
          await ctl.exited(0);
          return 0;
        case STOP.HALT:
          // Nothing to run before the next device timer (or, with none, input).
          if (input.length === 0 && ctl.quit === null && !ctl.paused) await sleepUntilDue(host.timeUntilDeadline());
          continue;
      }
      await yieldToHost();
    }
  } finally {
    writeStats();
    if (statsPath) process.off("SIGUSR1", writeStats);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
    stdin.pause();
    stdin.removeAllListeners("data");
  }
}

/** RINGZERO_TRANSLATE (not a QEMU flag): "off" interprets every instruction (to
 *  compare, or to bisect a suspected translator bug); a number sets how many times
 *  a block start runs before it is translated. RINGZERO_COMPILE=thread translates
 *  and compiles hot blocks in a worker thread (web/cli/compilethread.ts; "here",
 *  the default, on the machine's thread: docs/PERFORMANCE.md says why). */
async function translationFromEnv(rr?: string): Promise<Pick<MachineOptions, "translate" | "translateAfter" | "compileChannel">> {
  const v = process.env.RINGZERO_TRANSLATE, where = process.env.RINGZERO_COMPILE;
  if (where !== undefined && where !== "" && where !== "here" && where !== "thread") {
    throw new UsageError(`RINGZERO_COMPILE must be "here" or "thread", got "${where}"`);
  }
  if (v === "off") return { translate: false };
  let channel: Pick<MachineOptions, "compileChannel"> = {};
  if (where === "thread") {
    // A recording's replay runs what the recording ran because translation is
    // decided by execution counts (docs/REPLAY.md); with a compile thread it
    // would depend on the host's timing.
    if (rr) throw new UsageError(`RINGZERO_COMPILE=thread: not with -icount rr=${rr} (which code runs translated when would depend on the host's timing)`);
    try {
      channel = { compileChannel: await startCompileThread() };
    } catch (e) {
      throw new UsageError(`RINGZERO_COMPILE=thread: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (v === undefined || v === "") return channel;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`RINGZERO_TRANSLATE must be "off" or a whole number of executions, got "${v}"`);
  return { translateAfter: n, ...channel };
}
