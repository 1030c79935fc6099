// The `ringzero` package under Node: createMachine() runs the wasm machine on
// the event loop, in slices, with guest time following the host clock (the
// command line's default, QEMU's -icount shift=auto). The machine is set up by
// the same host code as the command line and the page's worker
// (web/host/boot.ts loadBootImages, web/host/replay.ts hostCalls); snapshots
// are web/host/snapshot.ts's files, deflated with zlib as the command line's.

import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Machine, RING, STOP } from "../host/machine";
import { DEFAULT_CPU_MODEL, cpuOption, parseCpuSpec } from "../host/cpumodel";
import { loadBootImages } from "../host/boot";
import { kernelKind } from "../host/kernel";
import { IdlePacer } from "../host/idle";
import { gdt, idt, ldt, pageWalk } from "../host/inspect";
import { readEvents } from "../host/events";
import { labEvent, labGdtEntry, labIdtEntry, labRead, labRegisters, labTranslation } from "../host/labapi";
import { hitText, WATCH_KINDS } from "../host/stops";
import { MemoryBackend, WriteLog } from "../host/block";
import { hostCalls, recordHeader, sha256Hex, type ImageIdentity } from "../host/replay";
import { save, restore, type RunIdentity, type SnapshotDisk } from "../host/snapshot";
import { zlibCodec, backendSha256 } from "../cli/snapshot";
import type { MachineOptions, MachineState, RingZeroMachine, Registers, LabRegisters } from "./api";

export type { MachineOptions, MachineState, RingZeroMachine, Registers, LabRegisters };

/** Instructions per run() call, as the command line's. */
const SLICE = 2_000_000;
/** Wall time the loop runs slices before it lets the event loop in. */
const SLICE_MS = 8;
const DEFAULT_MEMORY_MB = 128;
/** The -hda position and the role names the command line gives images in a snapshot (web/cli/record.ts). */
const HDA = 0;
const ROLES = { kernel: "kernel", initrd: "initrd", bios: "bios", vgabios: "vgabios", cdrom: "hdc (cdrom)", hda: "hda (disk)" } as const;

/** build/ringzero.wasm: next to the package bundle (build/package/node.mjs) or,
 *  run from source, in the repository's build/. */
async function readWasm(): Promise<Uint8Array> {
  for (const rel of ["../ringzero.wasm", "../../build/ringzero.wasm"]) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return readFile(path);
  }
  throw new Error("build/ringzero.wasm is missing: run npm run build:wasm");
}

function bytesOf(name: keyof typeof ROLES, v: unknown): Uint8Array | undefined {
  if (v === undefined) return undefined;
  if (v instanceof Uint8Array) return v;
  throw new TypeError(`${name}: under Node an image must be a Uint8Array (read the file with fs.readFile)`);
}

export async function createMachine(options: MachineOptions): Promise<RingZeroMachine> {
  const memoryMB = options.memoryMB ?? DEFAULT_MEMORY_MB;
  if (!Number.isInteger(memoryMB) || memoryMB < 1) throw new RangeError(`memoryMB must be a whole number of MiB, got ${memoryMB}`);
  const images = {
    kernel: bytesOf("kernel", options.kernel), initrd: bytesOf("initrd", options.initrd), bios: bytesOf("bios", options.bios),
    vgabios: bytesOf("vgabios", options.vgabios), cdrom: bytesOf("cdrom", options.cdrom), hda: bytesOf("hda", options.hda),
  };
  // Refused before anything runs, with the command line's message.
  if (images.kernel) kernelKind(images.kernel);
  const wasm = await readWasm();
  const cpu = cpuOption(options.cpu);
  const m = await Machine.create({ wasm, ramBytes: memoryMB << 20, cpu: parseCpuSpec(cpu ?? DEFAULT_CPU_MODEL) });
  m.setRealtime(true);
  m.setRtcClock("host"); // as the command line's default in real time
  const rtc = Date.now() / 1000;
  m.setRtcTime(rtc);
  // The disk's writes stay in memory, logged for snapshots (as the command line's writable -hda).
  const disks: SnapshotDisk[] = [];
  let hda: WriteLog | undefined;
  if (images.hda) {
    hda = new WriteLog(new MemoryBackend(images.hda.slice(), false));
    disks.push({ drive: HDA, log: hda, sha256: backendSha256 });
  }
  const boot = loadBootImages(m, { kernel: images.kernel, initrd: images.initrd, append: options.append, bios: images.bios, vgabios: images.vgabios, cdrom: images.cdrom, hda });
  boot();
  const host = hostCalls(m, boot);

  // What names this run in a snapshot, as the command line names the same run.
  let identity: Promise<RunIdentity> | undefined;
  const describeRun = async (): Promise<RunIdentity> => {
    const ids: ImageIdentity[] = [];
    for (const key of ["kernel", "initrd", "bios", "cdrom", "hda"] as const) {
      const img = images[key];
      if (!img) continue;
      ids.push({ role: ROLES[key], name: key, size: img.length, sha256: key === "hda" ? undefined : await sha256Hex(img) });
    }
    return recordHeader({
      machineSha256: await sha256Hex(wasm), ramMB: memoryMB, cpu: cpu ?? DEFAULT_CPU_MODEL, rtc, rtcClock: "host", images: ids,
      append: images.kernel ? options.append ?? "" : undefined,
      firmware: images.kernel ? undefined : { boot: images.cdrom ? "dc" : "cd", nographic: false },
    });
  };

  const listeners = new Set<(b: Uint8Array) => void>();
  const stopListeners = new Set<(why: string) => void>();
  /** Paused by an execution breakpoint: start() first steps off it. */
  let atBreakpoint = false;
  let state: MachineState = "ready";
  let error: string | undefined;
  let pending = new Uint8Array(0);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sleeping = false;
  // Timers keep Node alive while the machine runs, even when the guest sleeps until input.
  let keepAlive: ReturnType<typeof setInterval> | undefined;

  // An idle guest's ticks are run in batches, as the command line does (web/host/idle.ts).
  const pacer = new IdlePacer();
  const emit = (b: Uint8Array) => { if (b.length) { pacer.active(performance.now()); for (const f of listeners) f(b); } };
  /** Run the next slice after `ns` of host time (0: now; -1: when input comes). */
  const schedule = (ns: number) => {
    clearTimeout(timer);
    sleeping = ns !== 0;
    const ms = ns === 0 ? 0 : pacer.sleepMs(ns, performance.now());
    timer = ms < 0 ? undefined : setTimeout(() => { timer = undefined; sleeping = false; slice(); }, ms);
  };
  const halt = (s: MachineState) => {
    state = s;
    clearTimeout(timer);
    timer = undefined;
    clearInterval(keepAlive);
    keepAlive = undefined;
  };
  /** A breakpoint or watchpoint stopped the machine: paused, and the listeners hear which. */
  const breakpointStop = () => {
    atBreakpoint = m.breakpointHit()?.kind === "breakpoint";
    halt("paused");
    const why = hitText(m);
    for (const f of stopListeners) f(why);
  };
  const slice = () => {
    if (state !== "running") return;
    const t0 = performance.now();
    let sleepNs = 0;
    try {
      while (performance.now() - t0 < SLICE_MS) {
        if (pending.length) { pending = pending.subarray(host.feed(RING.COM1_RX, pending)); pacer.active(performance.now()); }
        const r = host.run(SLICE);
        emit(m.drain(RING.COM1_TX));
        if (r !== STOP.HALT || !m.halted || m.inputPending()) pacer.active(performance.now());
        if (state !== "running") return; // a listener paused or stopped it
        if (r === STOP.HALT) {
          // Nothing to run before the next device timer: sleep until it is due.
          if (!pending.length) sleepNs = host.timeUntilDeadline();
          break;
        }
        if (r === STOP.RESET) host.reboot();
        if (r === STOP.POWEROFF) { halt("stopped"); return; }
        if (r === STOP.BREAKPOINT) { breakpointStop(); return; }
      }
    } catch (e) {
      // A host-side failure ends this machine, never the embedding program.
      error = `the machine stopped with an internal error: ${e instanceof Error ? e.message : String(e)}`;
      halt("error");
      return;
    }
    schedule(sleepNs);
  };

  return {
    get state() { return state; },
    get error() { return error; },
    async start() {
      if (state === "stopped" || state === "error") throw new Error(error ?? `the machine is ${state}`);
      if (state === "running") return;
      if (atBreakpoint) {
        // Off the breakpoint, as gdb resumes: its instruction runs (a watchpoint
        // it hits stops the machine again at once).
        atBreakpoint = false;
        const r = m.step();
        emit(m.drain(RING.COM1_TX));
        if (r === STOP.RESET) host.reboot();
        if (r === STOP.BREAKPOINT) { state = "running"; breakpointStop(); return; }
      }
      state = "running";
      keepAlive ??= setInterval(() => {}, 1 << 30);
      schedule(0);
    },
    async pause() { if (state === "running") halt("paused"); },
    async stop() { halt("stopped"); listeners.clear(); stopListeners.clear(); },
    onSerial(callback) {
      listeners.add(callback);
      return () => { listeners.delete(callback); };
    },
    sendSerial(data) {
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      const joined = new Uint8Array(pending.length + bytes.length);
      joined.set(pending);
      joined.set(bytes, pending.length);
      pending = joined;
      if (state === "running" && sleeping) schedule(0); // input wakes an idle machine at once
    },
    async saveState() {
      return save(m, { identity: await (identity ??= describeRun()), disks }, zlibCodec);
    },
    async restoreState(bytes) {
      await restore(m, bytes, "state", await (identity ??= describeRun()), zlibCodec, disks);
      atBreakpoint = false;
    },
    async registers() { return labRegisters(m.registers()); },
    async step(count = 1) {
      if (state === "running") throw new Error("pause the machine to step");
      if (state === "stopped" || state === "error") throw new Error(error ?? `the machine is ${state}`);
      atBreakpoint = false; // a step runs the breakpoint's instruction
      for (let i = 0; i < count; i++) {
        const r = m.step();
        emit(m.drain(RING.COM1_TX));
        if (r === STOP.RESET) host.reboot();
        if (r === STOP.HALT || r === STOP.POWEROFF) break;
      }
    },
    async readMemory(address, length, physical = false) {
      return labRead({ read: (a, n, p) => (p ? m.readPhysical(a, n) : m.readLinear(a, n)), walk: (a) => pageWalk(m, a), cpl: () => m.registers().cpl }, "readMemory", address, length, physical);
    },
    async translate(linear) { return labTranslation(pageWalk(m, linear >>> 0), m.registers().cpl); },
    async gdt() { return gdt(m).map(labGdtEntry); },
    async idt() { return idt(m).map(labIdtEntry); },
    async events(since = 0) { return readEvents(m, since).map(labEvent); },
    async addBreakpoint(linear) {
      if (!m.insertBreakpoint(linear >>> 0)) throw new Error("No room for another breakpoint (256 at most).");
    },
    async removeBreakpoint(linear) { m.removeBreakpoint(linear >>> 0); },
    async addWatchpoint(w) {
      if (!m.insertWatchpoint(w.address >>> 0, w.length, WATCH_KINDS[w.kind])) throw new Error("No room for another watchpoint (32 at most), or a length of 0 or one running past 4 GiB.");
    },
    async removeWatchpoint(w) { m.removeWatchpoint(w.address >>> 0, w.length, WATCH_KINDS[w.kind]); },
    async ldt() { return ldt(m).map(labGdtEntry); },
    onStop(callback) {
      stopListeners.add(callback);
      return () => { stopListeners.delete(callback); };
    },
  };
}

export async function mountMachine(): Promise<RingZeroMachine> {
  throw new Error("mountMachine is for the browser: under Node use createMachine and onSerial");
}
