// The `ringzero` package in the browser: createMachine() runs the machine in a
// Web Worker, the page's own (web/worker.ts, bundled by tools/build-package.mjs
// as worker.mjs next to this file), through its Comlink protocol
// (web/protocol.ts WorkerApi); mountMachine() adds an xterm.js console for COM1.
// Images given as URLs are fetched by the worker (a CD-ROM or disk URL is read
// on demand with Range requests when the server allows, as on the page).

import * as Comlink from "comlink";
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { kernelKind } from "../host/kernel";
import { cpuOption } from "../host/cpumodel";
import type { BootConfig, ImageSource, WorkerApi } from "../protocol";
import type { ImageInput, MachineOptions, MachineState, RingZeroMachine, Registers } from "./api";

export type { MachineOptions, MachineState, RingZeroMachine, Registers };

const DEFAULT_MEMORY_MB = 128;

function source(name: string, v: ImageInput | undefined): ImageSource | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") return { url: v };
  if (v instanceof Uint8Array) return { name, bytes: v.slice().buffer };
  throw new TypeError(`${name}: an image must be a Uint8Array or a URL string`);
}

export async function createMachine(options: MachineOptions): Promise<RingZeroMachine> {
  const memoryMB = options.memoryMB ?? DEFAULT_MEMORY_MB;
  if (!Number.isInteger(memoryMB) || memoryMB < 1) throw new RangeError(`memoryMB must be a whole number of MiB, got ${memoryMB}`);
  // Bytes are checked here, with the command line's message; a URL is checked when the worker has fetched it.
  if (options.kernel instanceof Uint8Array) kernelKind(options.kernel);
  const config: BootConfig = {
    ramMB: memoryMB, append: options.append, cpu: cpuOption(options.cpu),
    kernel: source("kernel", options.kernel), initrd: source("initrd", options.initrd), bios: source("bios", options.bios),
    cdrom: source("cdrom", options.cdrom), hda: source("hda", options.hda),
  };
  const worker = new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" });
  const api = Comlink.wrap<WorkerApi>(worker);
  const listeners = new Set<(b: Uint8Array) => void>();
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
    status: () => {},
    error: fail,
    notice: () => {},
  });
  const bytesOf = (d: string | Uint8Array) => (typeof d === "string" ? new TextEncoder().encode(d) : d);

  return {
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
    async stop() { worker.terminate(); state = "stopped"; listeners.clear(); },
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
    async registers() { return (await inspection()).registers; },
    async step(count = 1) {
      const why = await api.step(count);
      if (why) throw new Error(why);
    },
    async readMemory(address, length, physical = false) {
      await inspection();
      return api.readMemory(address, length, physical);
    },
    async translate(linear) {
      const w = await api.walk(linear >>> 0);
      if (!w) throw new Error("the machine has not started");
      return w;
    },
    async gdt() { return (await inspection()).gdt; },
    async idt() { return (await inspection()).idt; },
    async events(since = 0) { await inspection(); return api.events(since, 4096); },
  };
}

export async function mountMachine(element: HTMLElement, options: MachineOptions): Promise<RingZeroMachine> {
  const machine = await createMachine(options);
  const term = new Terminal({ fontSize: 14, cursorBlink: true, scrollback: 5000 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(element);
  fit.fit();
  new ResizeObserver(() => fit.fit()).observe(element);
  machine.onSerial((b) => term.write(b));
  term.onData((d) => machine.sendSerial(d));
  await machine.start();
  return machine;
}
