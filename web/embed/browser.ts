// The `ringzero` package in the browser: createMachine() runs the machine in a
// Web Worker, the page's own (web/worker.ts, bundled by tools/build-package.mjs
// as worker.mjs next to this file), through its Comlink protocol
// (web/protocol.ts WorkerApi); mountMachine() adds an xterm.js console for COM1
// and the VGA screen with its keyboard and mouse (web/ui/screen.ts).
// Images given as URLs are fetched by the worker (a CD-ROM or disk URL is read
// on demand with Range requests when the server allows, as on the page).

import * as Comlink from "comlink";
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { kernelKind } from "../host/kernel";
import { cpuOption } from "../host/cpumodel";
import { Screen } from "../ui/screen";
import { blinkWhileActive } from "../ui/cursor";
import type { BootConfig, ImageSource, MachineStatus, WorkerApi } from "../protocol";
import { labEvent, labGdtEntry, labIdtEntry, labRead, labRegisters, labTranslation } from "../host/labapi";
import type { ImageInput, MachineOptions, MachineState, RingZeroMachine, Registers, LabRegisters, MountOptions } from "./api";

export type { MachineOptions, MachineState, RingZeroMachine, Registers, LabRegisters, MountOptions };

const DEFAULT_MEMORY_MB = 128;

function source(name: string, v: ImageInput | undefined): ImageSource | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") return { url: v };
  if (v instanceof Uint8Array) return { name, bytes: v.slice().buffer };
  throw new TypeError(`${name}: an image must be a Uint8Array or a URL string`);
}

export async function createMachine(options: MachineOptions): Promise<RingZeroMachine> {
  return (await open(options)).machine;
}

/** The machine and the worker behind it (mountMachine draws the screen from it). */
async function open(options: MachineOptions): Promise<{ machine: RingZeroMachine; api: Comlink.Remote<WorkerApi> }> {
  const memoryMB = options.memoryMB ?? DEFAULT_MEMORY_MB;
  if (!Number.isInteger(memoryMB) || memoryMB < 1) throw new RangeError(`memoryMB must be a whole number of MiB, got ${memoryMB}`);
  // Bytes are checked here, with the command line's message; a URL is checked when the worker has fetched it.
  if (options.kernel instanceof Uint8Array) kernelKind(options.kernel);
  const config: BootConfig = {
    ramMB: memoryMB, append: options.append, cpu: cpuOption(options.cpu),
    kernel: source("kernel", options.kernel), initrd: source("initrd", options.initrd), bios: source("bios", options.bios),
    vgabios: source("vgabios", options.vgabios), cdrom: source("cdrom", options.cdrom), hda: source("hda", options.hda),
  };
  const worker = new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" });
  const api = Comlink.wrap<WorkerApi>(worker);
  const listeners = new Set<(b: Uint8Array) => void>();
  const stopListeners = new Set<(why: string) => void>();
  /** What the inspector shows; rejects before the first start(). */
  const inspection = async () => {
    const i = await api.inspect();
    if (!i) throw new Error("the machine has not started");
    return i;
  };
  let state: MachineState = "ready";
  let error: string | undefined;
  let failed: () => void = () => {};
  const fail = (message: string) => { error = message; if (state !== "stopped") state = "error"; failed(); };
  worker.addEventListener("error", () => fail("the machine's worker failed to load"));
  const callbacks = Comlink.proxy({
    console: (bytes: Uint8Array) => { for (const f of listeners) f(bytes); },
    progress: () => {},
    // A breakpoint or watchpoint paused the worker: the machine is paused here too.
    status: (s: MachineStatus) => {
      if (state !== "running" || s.state !== "paused" || !s.stop || s.stop === "paused") return;
      state = "paused";
      for (const f of stopListeners) f(s.stop);
    },
    error: fail,
    notice: () => {},
  });
  const refused = (why: string | null) => { if (why) throw new Error(why); };
  const bytesOf = (d: string | Uint8Array) => (typeof d === "string" ? new TextEncoder().encode(d) : d);

  const machine: RingZeroMachine = {
    get state() { return state; },
    get error() { return error; },
    async start() {
      if (state === "stopped" || state === "error") throw new Error(error ?? `the machine is ${state}`);
      if (state === "paused") { await api.resume(); state = "running"; return; }
      if (state === "running") return;
      state = "running";
      // The worker loads the images and powers on; what it cannot boot arrives as callbacks.error.
      await api.start(config, callbacks);
      // The error callback travels on its own port: it may arrive after start()'s answer.
      if ((await api.status()).state === "error" && error === undefined) await new Promise<void>((r) => { failed = r; });
      if (error !== undefined) throw new Error(error);
    },
    async pause() { if (state === "running") { await api.pause(); state = "paused"; } },
    async stop() { worker.terminate(); state = "stopped"; listeners.clear(); stopListeners.clear(); },
    onSerial(callback) {
      listeners.add(callback);
      return () => { listeners.delete(callback); };
    },
    sendSerial(data) { void api.input(bytesOf(data)); },
    async saveState() {
      const r = await api.snapshot({ name: "state", thumbnail: "" });
      if ("error" in r) throw new Error(r.error);
      return r.bytes;
    },
    async restoreState(bytes) {
      const r = await api.restoreState(bytes, "state");
      if ("error" in r) throw new Error(r.error);
    },
    async registers() { return labRegisters((await inspection()).registers); },
    async step(count = 1) {
      const why = await api.step(count);
      if (why) throw new Error(why);
    },
    async readMemory(address, length, physical = false) {
      await inspection();
      return labRead({ read: (a, n, p) => api.readMemory(a, n, p), walk: (a) => api.walk(a), cpl: async () => (await api.status()).cpl }, "readMemory", address, length, physical);
    },
    async translate(linear) {
      const w = await api.walk(linear >>> 0);
      if (!w) throw new Error("the machine has not started");
      return labTranslation(w, (await api.status()).cpl);
    },
    async gdt() { return (await inspection()).gdt.map(labGdtEntry); },
    async idt() { return (await inspection()).idt.map(labIdtEntry); },
    async events(since = 0) { await inspection(); return (await api.events(since, 4096)).map(labEvent); },
    async addBreakpoint(linear) { refused(await api.addBreakpoint(linear >>> 0)); },
    async removeBreakpoint(linear) { await api.removeBreakpoint(linear >>> 0); },
    async addWatchpoint(w) { refused(await api.addWatchpoint(w)); },
    async removeWatchpoint(w) { await api.removeWatchpoint(w); },
    async ldt() { return (await inspection()).ldt.map(labGdtEntry); },
    onStop(callback) {
      stopListeners.add(callback);
      return () => { stopListeners.delete(callback); };
    },
  };
  return { machine, api };
}

export async function mountMachine(element: HTMLElement, options: MachineOptions, mount: MountOptions = {}): Promise<RingZeroMachine> {
  const view = mount.view ?? "auto";
  if (view !== "auto" && view !== "console" && view !== "screen") throw new RangeError(`view must be "auto", "console" or "screen", got ${String(view)}`);
  const { machine, api } = await open(options);
  const consoleBox = document.createElement("div");
  consoleBox.className = "ringzero-console";
  consoleBox.style.cssText = "width: 100%; height: 100%;";
  const canvas = document.createElement("canvas");
  canvas.className = "ringzero-screen";
  // The guest's resolution, scaled to fit and kept sharp.
  canvas.style.cssText = "display: block; max-width: 100%; max-height: 100%; margin: auto; image-rendering: pixelated; background: #000;";
  element.append(consoleBox, canvas);
  const term = new Terminal({ fontSize: 14, cursorBlink: true, scrollback: 5000 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(consoleBox);
  blinkWhileActive(term);
  const screen = new Screen(canvas, () => api);
  const showScreen = (on: boolean) => {
    consoleBox.hidden = on;
    canvas.hidden = !on;
    screen.show(on);
    if (!on) fit.fit();
  };
  showScreen(view === "screen");
  new ResizeObserver(() => { if (!consoleBox.hidden) fit.fit(); }).observe(element);
  machine.onSerial((b) => term.write(b));
  term.onData((d) => machine.sendSerial(d));
  // "auto": the screen once the guest shows a graphics mode, as the page does.
  const look = view === "auto" ? setInterval(() => {
    if (machine.state !== "running") return;
    void screen.graphicsModeSeen().then((seen) => { if (seen) { clearInterval(look); showScreen(true); } });
  }, 1000) : undefined;
  const stop = machine.stop.bind(machine);
  machine.stop = async () => { clearInterval(look); screen.show(false); await stop(); };
  await machine.start();
  return machine;
}
