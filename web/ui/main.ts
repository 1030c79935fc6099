// The page: the guest's serial console in xterm.js, controls, a status bar, the
// VGA text screen, and loading of user images. The machine itself runs in a Web
// Worker (web/worker.ts) driven through Comlink.

import * as Comlink from "comlink";
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { compileFrom, configFromUrl, configFromFiles, defaultGuest, demoFromUrl, withTextFont, type LabStops } from "./config";
import { createConsoleRing, ConsoleRing } from "../consolering";
import { Screen } from "./screen";
import { blinkWhileActive } from "./cursor";
import { Inspector } from "./inspector";
import { States, STATE_EXT, download, messageOf } from "./states";
import { IDLE_SHARE, STARTED_PAUSED, type BootConfig, type ImageSource, type MachineStatus, type RestoredState, type StartInfo, type Watchpoint, type WorkerApi } from "../protocol";
import type { EventStops } from "../host/events";
import { labEvent, labGdtEntry, labIdtEntry, labRead, labRegisters, labTranslation } from "../host/labapi";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const term = new Terminal({ fontSize: 14, cursorBlink: true, scrollback: 5000, convertEol: false });
const fit = new FitAddon();
term.loadAddon(fit);
term.open($("terminal"));
fit.fit();
window.addEventListener("resize", () => fit.fit());
blinkWhileActive(term); // stops 10 s after the last key or output (web/ui/cursor.ts)
// Copy/paste: Ctrl+Shift+C copies the selection; paste (Ctrl+Shift+V or the
// browser's paste) goes to the guest through onData.
term.attachCustomKeyEventHandler((e) => {
  if (inspector.key(e)) { e.preventDefault(); return false; }
  if (e.type === "keydown" && e.ctrlKey && e.shiftKey && e.code === "KeyC") {
    const sel = term.getSelection();
    if (sel) void navigator.clipboard?.writeText(sel);
    return false;
  }
  return true;
});

let worker: Worker | undefined;
let api: Comlink.Remote<WorkerApi> | undefined;
let ring: ConsoleRing | undefined;
let paused = false;
/** The configuration last booted, without record/replay: Record and Replay use its images. */
let current: BootConfig | undefined;
let session: MachineStatus["session"] = "live";
const encoder = new TextEncoder();

term.onData((d) => { void api?.input(encoder.encode(d)); });
const inspector = new Inspector(() => api, (m) => showError(m));
// The inspector's keys work outside the terminal too (in its own fields they are the field's).
document.addEventListener("keydown", (e) => {
  if (e.target instanceof HTMLInputElement || (e.target as HTMLElement)?.closest?.("#terminal")) return;
  if (inspector.key(e)) e.preventDefault();
});

function showError(msg: string): void {
  const el = $("error");
  el.textContent = msg;
  el.hidden = false;
}
const clearError = () => { $("error").hidden = true; };

/** Lines of console the thumbnail of a saved state keeps. */
const THUMBNAIL_LINES = 24;

/** The console's last lines up to the cursor, as plain text (a saved state's thumbnail). */
function consoleTail(n = THUMBNAIL_LINES): string {
  const b = term.buffer.active;
  const end = b.baseY + b.cursorY;
  const lines: string[] = [];
  for (let i = Math.max(0, end - n + 1); i <= end; i++) {
    const line = b.getLine(i);
    // The cursor's line up to the cursor: a prompt keeps its trailing space.
    lines.push(i === end ? line?.translateToString(false, 0, b.cursorX) ?? "" : line?.translateToString(true) ?? "");
  }
  while (lines.length > 1 && lines[0] === "") lines.shift();
  return lines.join("\n");
}

/** The default guest's prompt: a snapshot without a thumbnail shows it. */
let guestPrompt = "";

/** After a restore the guest's screen is not sent again: show the state's last lines. */
function showRestored(s: RestoredState): void {
  term.reset();
  term.write((s.thumbnail || guestPrompt).replace(/\n/g, "\r\n"));
}

/** How this page's machine started, in the status bar. */
const showStart = (text: string) => { $("st-start").textContent = text; };

const states = new States({ api: () => api, thumbnail: () => consoleTail(), restored: showRestored, error: showError, clearError });

/** Things the user should know that stop nothing, one a line (web/protocol.ts WorkerCallbacks.notice). */
function showNotice(msg: string): void {
  const el = $("notice");
  el.textContent = el.hidden ? msg : `${el.textContent}\n${msg}`;
  el.hidden = false;
}

const mib = (n: number) => (n / 1048576).toFixed(1);

/** Called once, the next time the machine pauses (a lab's first breakpoint). */
let onNextPause: (() => void) | undefined;
/** The lab demo running, if one is. */
let lab: LabStops | undefined;

/** A lab demo (web/ui/config.ts): started paused with the inspector open, it runs
 *  to its breakpoint; from there on the teaching breakpoints stop it at each
 *  event the lab shows, and F8 (Continue) goes on to the next. */
async function startLab(config: BootConfig, stops: LabStops): Promise<void> {
  inspector.show();
  await boot(config);
  const a = api;
  // A machine that did not start has said why (an image missing): that stays the error line.
  if (!a || (await a.status()).state === "error") return;
  const err = await a.addBreakpoint(stops.breakAt);
  if (err) { showError(err); return; }
  lab = stops;
  onNextPause = () => void inspector.setStops(stops.stops);
  await a.resume();
}

/** Set an element's text only when it changes: the status comes up to twice a second,
 *  and rewriting the same text still costs the page a layout and a paint. */
function setText(id: string, text: string): void {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

function showStatus(s: MachineStatus): void {
  if (s.state === "paused" && s.stop !== STARTED_PAUSED && onNextPause) {
    const f = onNextPause;
    onNextPause = undefined;
    f();
  }
  // A running guest that mostly waits for its timers (at its prompt) shows as idle.
  const idle = s.state === "running" && s.idle >= IDLE_SHARE;
  setText("st-state", idle ? "idle" : s.state);
  setText("st-ips", s.state === "running" ? `${(s.ips / 1e6).toFixed(1)} M instr/s, ${Math.round(s.idle * 100)}% idle` : "");
  setText("st-mode", `mode: ${s.mode}`);
  // VT-x: whose code runs, the hypervisor's (root) or its guest's (non-root).
  setText("st-ring", `ring ${s.cpl}` + (s.vmx ? `, VMX ${s.vmx.mode}` + (s.vmx.vmcs !== null ? ` (VMCS at 0x${s.vmx.vmcs.toString(16)})` : "") : ""));
  setText("st-paging", s.paging ? "paging on" : "paging off");
  setText("st-session", s.session === "live" ? "" : s.session === "recording" ? "● recording" : s.session);
  // Images read on demand over HTTP (web/host/httpdisk.ts).
  setText("st-disks", (s.disks ?? []).map((d) => `${d.name}: ${mib(d.fetched)} of ${mib(d.size)} MiB fetched`).join(", "));
  document.body.dataset.session = s.session;
  session = s.session;
  setText("record", s.session === "recording" ? "Save recording" : "Record");
  document.body.dataset.state = s.state;
  document.body.dataset.idle = String(idle);
  ($("pause") as HTMLButtonElement).disabled = !(s.state === "running" || s.state === "paused" || s.state === "halted");
  ($("reset") as HTMLButtonElement).disabled = s.state === "loading" || s.state === "error";
  setText("pause", s.state === "paused" ? "Resume" : "Pause");
  paused = s.state === "paused";
  inspector.update(s);
}

const progressRows = new Map<string, HTMLProgressElement>();
function showProgress(name: string, loaded: number, total: number): void {
  let bar = progressRows.get(name);
  if (!bar) {
    const row = document.createElement("div");
    row.textContent = name;
    bar = document.createElement("progress");
    const label = document.createElement("span");
    row.append(bar, label);
    $("progress").append(row);
    progressRows.set(name, bar);
  }
  bar.max = total;
  bar.value = loaded;
  (bar.nextSibling as HTMLElement).textContent = `${mib(loaded)} / ${mib(total)} MiB`;
  if (loaded >= total) setTimeout(() => bar?.parentElement?.remove(), 1500);
}

function newWorker(): Worker {
  const w = new Worker(new URL("../worker.ts", import.meta.url), { type: "module" });
  w.addEventListener("error", () => showError("The machine could not start: its worker failed to load."));
  return w;
}
/** The first machine's worker, loading while the page reads the manifest. */
let spareWorker: Worker | undefined = newWorker();

/** Where the machines of this page compile their blocks (?compile=). */
let compileSetting: Pick<BootConfig, "compile"> = {};

async function boot(config: BootConfig): Promise<StartInfo | undefined> {
  const { record: _r, replay: _p, state: _s, paused: _z, ...plain } = config;
  current = plain;
  // A new machine may switch to the VGA view again (the auto-switch below).
  vgaSwitched = false;
  screen.forgetLooks();
  // The disk's last writes go to IndexedDB before the old machine goes.
  if (api) await Promise.race([api.flushDisk(), new Promise((r) => setTimeout(r, 2000))]);
  worker?.terminate();
  states.current = undefined;
  term.reset();
  $("error").hidden = true;
  $("notice").hidden = true;
  worker = spareWorker ?? newWorker();
  spareWorker = undefined;
  api = Comlink.wrap<WorkerApi>(worker);
  const sab = globalThis.crossOriginIsolated ? createConsoleRing() : undefined;
  ring = sab ? new ConsoleRing(sab) : undefined;
  if (ring) void drainConsole(ring);
  const callbacks = Comlink.proxy({
    console: (bytes: Uint8Array) => term.write(bytes),
    progress: showProgress,
    status: showStatus,
    error: showError,
    notice: showNotice,
  });
  const info = await api.start(withTextFont({ ...config, ...compileSetting }), callbacks, sab);
  if (info.restored) showRestored(info.restored);
  showDisk(info.disk);
  return info;
}

/** The writable disk's buttons: shown when there is one. */
let diskName = "disk.img";
function showDisk(d: StartInfo["disk"]): void {
  $("disk-controls").hidden = !d;
  ($("disk-discard") as HTMLButtonElement).disabled = !d?.kept;
  if (d) diskName = d.name;
  if (d?.restoredSectors) showNotice(`${d.name}: ${d.restoredSectors} sectors of changes from earlier runs (kept in this browser).`);
}
$("disk-discard").addEventListener("click", async () => {
  const m = await api?.discardDiskChanges();
  if (m) showNotice(m);
  ($("disk-discard") as HTMLButtonElement).disabled = true;
});
$("disk-download").addEventListener("click", async () => {
  const bytes = await api?.diskImage();
  if (bytes) download(bytes as Uint8Array<ArrayBuffer>, diskName);
});
// The disk's last writes, when the page goes away (reload, close): best effort,
// since the worker may be stopped before IndexedDB commits.
window.addEventListener("pagehide", () => { void api?.flushDisk(); });

// The shared console ring: woken by the worker's writes, read at the next frame
// (so a burst of output is one terminal write a frame); nothing runs while the
// guest prints nothing: the wait's timeout (to notice a replaced ring, a new
// machine, and end) asks for no frame.
async function drainConsole(r: ConsoleRing): Promise<void> {
  while (ring === r) {
    const something = await r.readable(1000);
    if (ring !== r) return;
    if (!something) continue;
    await new Promise((f) => requestAnimationFrame(f));
    const bytes = r.read();
    if (bytes.length) term.write(bytes);
  }
}

// The VGA view (web/ui/screen.ts). While the serial console is shown, one look
// a second: the first time the guest leaves text mode (a picture, not a blank
// screen), the page shows the VGA view; nothing is drawn while it is hidden.
const screen = new Screen($("vga") as HTMLCanvasElement, () => api);
let vgaSwitched = false;
// A guest whose console is the serial line (the default Linux guest's
// console=ttyS0) keeps the serial view: its user types there. (CI's e2e runs
// once saw the view switch under such a guest, hiding the terminal; the look
// was then two calls, text then picture, that a restore could fall between.)
const serialConsole = () => /(^|\s)console=ttyS/.test(current?.append ?? "");
setInterval(() => {
  if (vgaSwitched || serialConsole()) { screen.forgetLooks(); return; }
  void screen.graphicsModeSeen().then((seen) => {
    if (!seen) return;
    vgaSwitched = true;
    const r = document.querySelector<HTMLInputElement>('input[name="view"][value="vga"]');
    if (r && !r.checked) r.click();
  });
}, 1000);

$("pause").addEventListener("click", () => { if (paused) void api?.resume(); else void api?.pause(); });
$("reset").addEventListener("click", async () => {
  // A lab starts its tour again: no stops in the firmware, then the same ones from its breakpoint.
  if (lab) {
    const again = lab.stops;
    await inspector.setStops([]);
    onNextPause = () => void inspector.setStops(again);
  }
  await api?.reset();
});

// Record/replay (web/host/replay.ts): a recording starts at power-on, so Record
// restarts the machine; while recording the button saves the session so far.
async function record(): Promise<void> {
  if (current) await boot({ ...current, record: true });
}
async function saveRecording(): Promise<void> {
  const bytes = await api?.recordingSoFar();
  if (!bytes) return;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
  a.download = `ringzero-${new Date().toISOString().replace(/[:.]/g, "-")}.rzrr`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
async function replay(name: string, bytes: ArrayBuffer): Promise<void> {
  if (current) await boot({ ...current, replay: { name, bytes } });
}
$("record").addEventListener("click", () => void (session === "recording" ? saveRecording() : record()));
$("replay").addEventListener("click", () => ($("replay-file") as HTMLInputElement).click());
$("replay-file").addEventListener("change", async (e) => {
  const input = e.target as HTMLInputElement;
  const f = input.files?.[0];
  input.value = "";
  if (f) await replay(f.name, await f.arrayBuffer());
});

const dialog = $("own-dialog") as HTMLDialogElement;
$("own").addEventListener("click", () => dialog.showModal());
dialog.addEventListener("close", async () => {
  if (dialog.returnValue !== "boot") return;
  const form = $("own-form") as HTMLFormElement;
  const data = new FormData(form);
  const files: Record<string, File> = {};
  for (const k of ["kernel", "initrd", "cdrom", "hda"]) {
    const f = data.get(k);
    if (f instanceof File && f.size > 0) files[k] = f;
  }
  try {
    await boot(await configFromFiles(files, String(data.get("append") ?? ""), Number(data.get("mem") ?? 128)));
  } catch (e) { showError(e instanceof Error ? e.message : String(e)); }
});

// Drag and drop: files are sorted into kernel/initrd/cdrom/hda by name.
document.addEventListener("dragover", (e) => { e.preventDefault(); document.body.classList.add("dragging"); });
document.addEventListener("dragleave", () => document.body.classList.remove("dragging"));
document.addEventListener("drop", async (e) => {
  e.preventDefault();
  document.body.classList.remove("dragging");
  const dropped = [...(e.dataTransfer?.files ?? [])];
  if (!dropped.length) return;
  const state = dropped.find((f) => f.name.toLowerCase().endsWith(STATE_EXT));
  if (state) { await states.importFile(state).catch((err) => showError(messageOf(err))); return; }
  try {
    await boot(await configFromFiles(Object.fromEntries(dropped.map((f) => [guessRole(f.name), f])), "", 128));
  } catch (err) { showError(err instanceof Error ? err.message : String(err)); }
});

function guessRole(name: string): string {
  const n = name.toLowerCase();
  if (n.endsWith(".iso")) return "cdrom";
  if (n.includes("initrd") || n.includes("initramfs") || n.includes(".cpio")) return "initrd";
  if (n.endsWith(".img") || n.endsWith(".raw") || n.endsWith(".hdd")) return "hda";
  return "kernel";
}

$("cad").addEventListener("click", () => screen.ctrlAltDel());

document.querySelectorAll<HTMLInputElement>('input[name="view"]').forEach((r) =>
  r.addEventListener("change", () => {
    const vga = r.value === "vga" && r.checked;
    screen.show(vga);
    $("terminal").hidden = vga;
    $("vga").hidden = !vga;
    if (!vga) fit.fit();
  }));

// Start: the machine the URL names, or the default guest. The default guest
// starts from its snapshot at the prompt when there is one (instant boot; the
// same images and settings, so it restores), ?boot=fresh boots it from power-on;
// ?state=URL starts from that saved state (the other parameters name its images).
(async () => {
  try {
    const q = new URLSearchParams(location.search);
    compileSetting = compileFrom(q.get("compile"));
    const demo = await demoFromUrl(q);
    if (demo?.lab) {
      await startLab(demo.config, demo.lab);
      return;
    }
    if (demo) {
      await boot(demo.config);
      if (demo.screen) document.querySelector<HTMLInputElement>('input[name="view"][value="vga"]')?.click();
      if (demo.command) await typeAtPrompt(demo.prompt, demo.command);
      return;
    }
    const fromUrl = configFromUrl(q);
    const guest = fromUrl ? undefined : await defaultGuest();
    const config = fromUrl ?? guest!.config;
    guestPrompt = guest?.prompt ?? "";
    if (q.has("record")) { await boot({ ...config, record: true }); return; }
    const stateUrl = q.get("state");
    let state: ImageSource | undefined;
    let instant = false;
    if (stateUrl) state = { url: new URL(stateUrl, location.href).href };
    else if (guest && q.get("boot") !== "fresh") {
      if (guest.snapshot) { state = { url: guest.snapshot }; instant = true; }
      else showStart("booted fresh: the default guest has no snapshot (npm run guest makes one)");
    }
    const info = await boot(state ? { ...config, state } : config);
    if (info?.refused) {
      if (instant) showStart(`booted fresh: ${info.refused}`);
      else showError(info.refused);
    }
    if (info?.restored) showStart(`started from ${instant ? "the default guest's snapshot" : info.restored.name} in ${(performance.now() / 1000).toFixed(1)} s`);
  } catch (e) { showError(e instanceof Error ? e.message : String(e)); }
})();

/** Waits for `prompt` at the console's cursor, then types `command` and Enter
 *  into the guest, as the user would. */
async function typeAtPrompt(prompt: string, command: string): Promise<void> {
  while (!consoleTail(1).endsWith(prompt || "# ")) await new Promise((r) => setTimeout(r, 250));
  await api?.input(encoder.encode(`${command}\r`));
}

// For tests and the curious: the terminal's visible text.
(globalThis as unknown as { ringzero: object }).ringzero = {
  screenText: () => {
    const b = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? "");
    return lines.join("\n");
  },
  status: () => api?.status(),
  translation: () => api?.translation(),
  /** Restart the machine recording; recording() is the file so far; replay(bytes) plays one. */
  record,
  recording: () => api?.recordingSoFar(),
  replay: (bytes: Uint8Array, name = "recording.rzrr") => replay(name, bytes.slice().buffer),
  // The lab bench (web/host/inspect.ts): what the inspector shows, for scripts and labs.
  pause: () => api?.pause(),
  resume: () => api?.resume(),
  /** Paused: run `n` instructions; resolves with an error message or null. */
  step: (n = 1) => api?.step(n),
  /** Paused: step over a CALL, INT n or REP string instruction (run to the next
   *  instruction), else step one; resolves with an error message or null once stopped again. */
  stepOver: () => api?.stepOver(),
  /** A replay, paused or at its end: one instruction back (gdb's reverse-stepi);
   *  reverseContinue() back to the last breakpoint or watchpoint hit, or the
   *  start. Each resolves with { eip, instructions, stop } or { error }. */
  reverseStep: () => api?.reverseStep(),
  reverseContinue: () => api?.reverseContinue(),
  /** A replay, paused or at its end: to the point where `instructions` have retired
   *  (an event's `instructions`: the machine just before it); { eip, instructions, stop } or { error }. */
  goTo: (instructions: number) => api?.goTo(instructions),
  /** The CPU's registers as numbers (README "The lab scripting API"): eax..edi, esp, ebp, eip, eflags,
   *  cs..ss (selectors), cr0, cr2, cr3, cr4, cpl, mode; the segment caches under `segments`, the rest under `extra`. */
  registers: async () => { const v = await api?.inspect(); return v ? labRegisters(v.registers) : undefined; },
  /** The GDT's entries: { index, selector, base, limit, type, system, kind, dpl, present, target?, lo, hi }. */
  gdt: async () => (await api?.inspect())?.gdt.map(labGdtEntry),
  /** The IDT's gates: { vector, selector (the gate's code segment), offset, type, kind, dpl, present, lo, hi }. */
  idt: async () => (await api?.inspect())?.idt.map(labIdtEntry),
  tss: async () => (await api?.inspect())?.tss,
  /** The LDT that LDTR names, entries as gdt()'s (selectors with TI set); [] while LDTR is null. */
  ldt: async () => (await api?.inspect())?.ldt.map(labGdtEntry),
  /** The current VMCS under VMX: { address, revision, abort, launched, fields: [{ encoding, name, group, value }] }, or null. */
  vmcs: async () => (await api?.inspect())?.vmcs ?? null,
  /** The page walk of a linear address: { physical, steps, ... } or, when no page maps it,
   *  { fault: { vector: 14, errorCode, cr2, message }, steps, ... } (the #PF a read at the current CPL would raise). */
  translate: async (linear: number) => {
    const w = await api?.walk(linear >>> 0);
    return w ? labTranslation(w, (await api!.status()).cpl) : undefined;
  },
  /** `length` bytes (up to 64 KiB) at a linear address, or a physical one; rejects, naming the
   *  address and why, when any of them cannot be read (not mapped, no memory there). */
  read: async (address: number, length: number, opts: { physical?: boolean } = {}) => {
    if (!api) throw new Error("read: the machine has not started");
    const w = api;
    return labRead({ read: (a, n, p) => w.readMemory(a, n, p), walk: (a) => w.walk(a), cpl: async () => (await w.status()).cpl }, "read", address, length, opts.physical ?? false);
  },
  /** An execution breakpoint at a linear address, mapped or not (as QEMU's gdb stub: it fires
   *  once code there runs); resolves with an error message or null. */
  addBreakpoint: (linear: number) => api?.addBreakpoint(linear),
  /** Disassembly (Intel syntax) from `linear`, by default CS:EIP: { bits, lines: [{ address, length, bytes, text }] }. */
  disassemble: (linear?: number, count = 16) => api?.disassemble(linear ?? null, count),
  /** The event timeline, oldest first: { seq, kind, eip, cs, instructions, text, ...the kind's fields }
   *  (kinds exception, interrupt, softint, ring, mode, cr3, task, v86, vmentry, vmexit). */
  events: async (opts: { since?: number; max?: number } = {}) => (await api?.events(opts.since ?? 0, opts.max ?? 4096))?.map(labEvent),
  /** Teaching breakpoints, e.g. stopOn({ kinds: ["exception"], vectors: [14] }) or { kinds: ["ring"] }; { kinds: [] } clears. */
  stopOn: (stops: EventStops) => api?.stopOn(stops),
  removeBreakpoint: (linear: number) => api?.removeBreakpoint(linear),
  /** Data watchpoints: addWatchpoint({ address, length (bytes, any), kind: "write" | "read" | "access" }). */
  addWatchpoint: (w: Watchpoint) => api?.addWatchpoint(w),
  removeWatchpoint: (w: Watchpoint) => api?.removeWatchpoint(w),
  vgaText: () => api?.vgaText(),
  /** The VGA picture as QEMU draws it: { width, height, y0: 0, rows: height, rgba }, or null when the display is off. */
  vgaImage: () => api?.vgaImage(),
  // Saved states (web/ui/states.ts): kept in this browser, a tree by parent.
  /** Save the running machine; resolves with the state's { name, parent, created, thumbnail }. */
  saveState: (name?: string) => states.save(name).then(({ size: _s, ...info }) => info),
  /** Restore a kept state; rejects (and the page shows why) when it does not fit this machine. */
  restoreState: (name: string) => states.restore(name).catch((e) => { showError(messageOf(e)); throw e; }),
  states: () => states.store.list().then((l) => l.map(({ name, parent, created, thumbnail }) => ({ name, parent, created, thumbnail }))),
  deleteState: (name: string) => states.delete(name),
  /** The running machine as a .rzstate Blob. */
  exportState: () => states.exportBlob(),
  /** Restore a .rzstate Blob (kept in the list when it runs); rejects, shown in the page, when refused. */
  importState: async (blob: Blob, name?: string) =>
    states.importBytes(new Uint8Array(await blob.arrayBuffer()), name ?? (blob instanceof File ? blob.name : undefined)).catch((e) => { showError(messageOf(e)); throw e; }),
  /** Store the disk's pending writes in IndexedDB now. */
  flushDisk: () => api?.flushDisk(),
};
