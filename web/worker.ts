// The machine's Web Worker: owns one host Machine, runs it in slices of a few
// milliseconds so that messages from the page (pause, input, reset) are handled
// between slices, and sends console output in batches — through a
// SharedArrayBuffer ring when the page is cross-origin isolated, otherwise one
// message per batch.

import * as Comlink from "comlink";
import wasmUrl from "../build/ringzero.wasm?url";
import { Machine, STOP, RING } from "./host/machine";
import { loadBootImages } from "./host/boot";
import { ConsoleRing } from "./consolering";
import type { BootConfig, ImageSource, MachineStatus, RunState, VgaView, WorkerApi, WorkerCallbacks } from "./protocol";

const SLICE_INSTRUCTIONS = 500_000;
const SLICE_MS = 12;

/** Runs `f` after the current task without setTimeout's 4 ms clamp on nested timers. */
function soon(f: () => void): void {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => { ch.port1.close(); f(); };
  ch.port2.postMessage(null);
}

class MachineWorker implements WorkerApi {
  private machine?: Machine;
  private reboot?: () => void;
  private cb?: WorkerCallbacks;
  private ring?: ConsoleRing;
  private state: RunState = "stopped";
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending = new Uint8Array(0);
  private lastCount = 0;
  private lastTime = 0;
  private ips = 0;
  private lastVirtual = 0n;
  private lastHalted = 0n;
  private idle = 0;
  /** Set while the worker sleeps until the guest's next timer. */
  private sleeping = false;
  private resets = 0;

  async start(config: BootConfig, callbacks: WorkerCallbacks, consoleRing?: SharedArrayBuffer): Promise<void> {
    this.cb = callbacks;
    this.ring = consoleRing ? new ConsoleRing(consoleRing) : undefined;
    this.setState("loading");
    try {
      const wasm = await fetchBytes({ url: wasmUrl }, "machine", callbacks);
      const machine = await Machine.create({ wasm, ramBytes: config.ramMB << 20 });
      machine.setRealtime(true);
      const images: Record<string, Uint8Array> = {};
      for (const key of ["kernel", "initrd", "bios", "vgabios", "cdrom", "hda"] as const) {
        const src = config[key];
        if (src) images[key] = await fetchBytes(src, key, callbacks);
      }
      this.reboot = loadBootImages(machine, {
        kernel: images.kernel, initrd: images.initrd, append: config.append,
        bios: images.bios, vgabios: images.vgabios, cdrom: images.cdrom, hda: images.hda, boot: config.boot,
      });
      this.machine = machine;
      // The RTC starts at the host's time of day when the machine starts to run
      // (its clock starts then too; the images took their time to load).
      machine.setRtcTime(Date.now() / 1000);
    } catch (e) {
      this.setState("error");
      callbacks.error(e instanceof Error ? e.message : String(e));
      return;
    }
    this.lastTime = performance.now();
    this.setState("running");
    this.schedule();
  }

  pause(): void {
    if (this.state !== "running" && this.state !== "halted") return;
    clearTimeout(this.timer);
    this.setState("paused");
  }

  resume(): void {
    if (this.state !== "paused") return;
    this.setState("running");
    this.schedule();
  }

  reset(): void {
    if (!this.machine) return;
    this.machine.reset();
    this.reboot?.();
    this.resets++;
    if (this.state === "halted" || this.state === "stopped") { this.setState("running"); this.schedule(); }
    this.sendStatus();
  }

  input(bytes: Uint8Array): void {
    const joined = new Uint8Array(this.pending.length + bytes.length);
    joined.set(this.pending);
    joined.set(bytes, this.pending.length);
    this.pending = joined;
    if (this.sleeping) this.schedule(); // typed input wakes an idle machine at once
  }

  status(): MachineStatus {
    const m = this.machine;
    let mode: MachineStatus["mode"] = "real", cpl = 0, paging = false;
    if (m) {
      const s = m.cpuState();
      const cr0 = s.getUint32(0x210, true), eflags = s.getUint32(0x24, true);
      mode = eflags & (1 << 17) ? "virtual-8086" : cr0 & 1 ? "protected" : "real";
      cpl = s.getUint32(0x240, true);
      paging = (cr0 & 0x80000000) !== 0;
    }
    return { state: this.state, ips: this.ips, idle: this.idle, instructions: m ? Number(m.instructions) : 0, mode, cpl, paging, resets: this.resets };
  }

  vgaText(): VgaView | null {
    const m = this.machine;
    const screen = m?.textScreen();
    if (!m || !screen) return null;
    const cursor = screen.cursor ? { row: screen.cursor.row, column: screen.cursor.column } : undefined;
    return { columns: screen.columns, rows: screen.rows, cells: screen.cells, cursor, palette: m.textPalette() };
  }

  private setState(s: RunState): void { this.state = s; this.sendStatus(); }
  private sendStatus(): void { this.cb?.status(this.status()); }
  /** Run the next slice: after `ns` ns (the guest is idle until then; -1 until
   *  input or a control call), or as soon as the worker's other tasks allow. */
  private schedule(ns = 0): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sleeping = ns !== 0;
    if (ns === 0) soon(() => { if (!this.sleeping && this.timer === undefined) this.slice(); });
    else if (ns > 0) this.timer = setTimeout(() => { this.sleeping = false; this.slice(); }, Math.ceil(ns / 1e6));
  }

  private slice(): void {
    const m = this.machine;
    if (!m || this.state !== "running") return;
    const t0 = performance.now();
    let sleepNs = 0;
    try {
      while (performance.now() - t0 < SLICE_MS) {
        if (this.pending.length) this.pending = this.pending.subarray(m.feed(RING.COM1_RX, this.pending));
        const r = m.run(SLICE_INSTRUCTIONS);
        this.flushConsole(m.drain(RING.COM1_TX));
        if (r === STOP.HALT) {
          // Nothing to run until the next device timer (asm/clock.ts): sleep.
          if (!this.pending.length) sleepNs = m.timeUntilDeadline();
          break;
        }
        if (r === STOP.RESET) {
          this.resets++;
          if (m.resetCause === 1) this.cb?.error("The guest triple-faulted; the machine was reset.");
          this.reboot?.();
        }
        if (r === STOP.EXIT || r === STOP.POWEROFF) { this.setState("stopped"); this.cb?.error("The guest powered the machine off."); return; }
      }
    } catch (e) {
      this.setState("error");
      this.cb?.error(`The machine stopped with an internal error: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const now = performance.now();
    if (now - this.lastTime >= 500) {
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
      this.sendStatus();
    }
    this.schedule(sleepNs);
  }

  private flushConsole(bytes: Uint8Array): void {
    if (!bytes.length) return;
    if (this.ring) {
      const n = this.ring.write(bytes);
      if (n === bytes.length) return;
      bytes = bytes.subarray(n); // ring full: fall back to a message for the rest
    }
    this.cb?.console(Comlink.transfer(bytes, [bytes.buffer]));
  }
}

async function fetchBytes(src: ImageSource, name: string, cb: WorkerCallbacks): Promise<Uint8Array> {
  if ("bytes" in src) {
    cb.progress(src.name, src.bytes.byteLength, src.bytes.byteLength);
    return new Uint8Array(src.bytes);
  }
  let res: Response;
  try {
    res = await fetch(src.url);
  } catch {
    throw new Error(`Could not load the ${name} image from ${src.url}: the network request failed.`);
  }
  if (!res.ok) throw new Error(`Could not load the ${name} image from ${src.url}: the server answered ${res.status} ${res.statusText}.`);
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
    cb.progress(name, loaded, total || loaded);
  }
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) { out.set(c, off); off += c.length; }
  return out;
}

Comlink.expose(new MachineWorker());
