// The inspector beside the console: registers (segment caches, control and debug
// registers, EFLAGS decoded), the GDT, LDT and IDT as tables, the TSS, the current
// VMCS under VMX (web/host/vmcs.ts), a page walk of any linear address, a memory
// view, pause/step/continue and breakpoints. It
// reads the machine through the worker's lab-bench calls (web/worker.ts, the
// decoding in web/host/inspect.ts) when the machine stops and once a second
// while it runs. Keys: F8 pause/continue, F10 step, F11 step over, F9 shows or
// hides it. In a replay, "Step back" (Shift-F10) and "Reverse continue"
// (Shift-F8) go back (web/host/reverse.ts); while recording, stepping and
// breakpoints are refused, and the controls say so.
// "Connect gdb bridge" connects the worker to `ringzero gdb-bridge`
// (web/cli/bridge.ts) so that a local gdb debugs this machine; only that click
// connects.

import type * as Comlink from "comlink";
import type { Registers, SegmentRegister } from "../host/machine";
import type { Descriptor, PageWalk } from "../host/inspect";
import { EVENT_KINDS, type EventKind, type MachineEvent } from "../host/events";
import type { MachineStatus, WorkerApi } from "../protocol";
import { vmcsText } from "../host/vmcs";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const hex = (v: number, digits = 8) => (v >>> 0).toString(16).padStart(digits, "0");
const GPR = ["EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"];
// EFLAGS bits by name (SDM vol. 1 §3.4.3).
const FLAGS: [number, string][] = [[0, "CF"], [2, "PF"], [4, "AF"], [6, "ZF"], [7, "SF"], [8, "TF"], [9, "IF"], [10, "DF"], [11, "OF"], [14, "NT"], [16, "RF"], [17, "VM"], [18, "AC"], [19, "VIF"], [20, "VIP"], [21, "ID"]];
const CR0: [number, string][] = [[0, "PE"], [1, "MP"], [2, "EM"], [3, "TS"], [4, "ET"], [5, "NE"], [16, "WP"], [18, "AM"], [29, "NW"], [30, "CD"], [31, "PG"]];
const CR4: [number, string][] = [[0, "VME"], [1, "PVI"], [2, "TSD"], [3, "DE"], [4, "PSE"], [5, "PAE"], [6, "MCE"], [7, "PGE"], [8, "PCE"], [9, "OSFXSR"], [10, "OSXMMEXCPT"], [13, "VMXE"]];
const bitNames = (v: number, names: [number, string][]) => names.filter(([b]) => (v >>> b) & 1).map(([, n]) => n).join(" ");

export function modeOf(r: Registers): string {
  if (!(r.cr0 & 1)) return "real mode";
  if (r.eflags & 0x20000) return "virtual-8086 mode";
  return `protected mode${r.cr0 & 0x80000000 ? (r.cr4 & 0x20 ? ", PAE paging" : ", paging") : ""}, ${r.cs.attributes & 0x4000 ? "32" : "16"}-bit code`;
}

function registersText(r: Registers): string {
  let s = "";
  for (let i = 0; i < 8; i += 2) s += `${GPR[i]}=${hex(r.gpr[i])}  ${GPR[i + 1]}=${hex(r.gpr[i + 1])}\n`;
  s += `EIP=${hex(r.eip)}  EFLAGS=${hex(r.eflags)} [${bitNames(r.eflags, FLAGS)}] IOPL=${(r.eflags >>> 12) & 3}\n`;
  s += `CPL=${r.cpl}  ${modeOf(r)}${r.halted ? ", halted" : ""}${r.inhibitIrq ? ", interrupts held off" : ""}\n`;
  const seg = (n: string, g: SegmentRegister) => `${n.padEnd(4)} ${hex(g.selector, 4)} base=${hex(g.base)} limit=${hex(g.limit)} attr=${hex(g.attributes, 4)}${g.valid ? "" : " (unusable)"}\n`;
  for (const [n, g] of [["CS", r.cs], ["SS", r.ss], ["DS", r.ds], ["ES", r.es], ["FS", r.fs], ["GS", r.gs], ["LDTR", r.ldtr], ["TR", r.tr]] as const) s += seg(n, g);
  s += `GDTR base=${hex(r.gdtr.base)} limit=${hex(r.gdtr.limit, 4)}  IDTR base=${hex(r.idtr.base)} limit=${hex(r.idtr.limit, 4)}\n`;
  s += `CR0=${hex(r.cr0)} [${bitNames(r.cr0, CR0)}]\nCR2=${hex(r.cr2)}  CR3=${hex(r.cr3)}\nCR4=${hex(r.cr4)} [${bitNames(r.cr4, CR4)}]\n`;
  s += `DR0=${hex(r.dr[0])} DR1=${hex(r.dr[1])} DR2=${hex(r.dr[2])} DR3=${hex(r.dr[3])}\nDR6=${hex(r.dr[6])} DR7=${hex(r.dr[7])}\n`;
  return s;
}

function fillTable(t: HTMLTableElement, rows: Descriptor[], what: "gdt" | "ldt" | "idt"): void {
  t.replaceChildren();
  for (const d of rows) {
    if (d.kind === "null" && what === "idt") continue;
    const tr = t.insertRow();
    if (!d.present && d.kind !== "null") tr.className = "absent";
    const where = d.target ? `${hex(d.target.selector, 4)}${d.target.offset !== undefined ? ":" + hex(d.target.offset) : ""}`
      : d.base !== undefined ? `base=${hex(d.base)} limit=${hex(d.limit!)}` : "";
    const cells = [what !== "idt" ? hex(d.selector, 4) : `${d.index} (0x${d.index.toString(16)})`, d.kind, where, d.kind === "null" ? "" : `DPL${d.dpl}${d.present ? "" : " not present"}`];
    for (const c of cells) tr.insertCell().textContent = c;
  }
}

export function walkText(w: PageWalk): string {
  if (!w.paging) return `paging is off: linear ${hex(w.linear)} = physical ${hex(w.physical!)}`;
  let s = "";
  for (const st of w.steps) s += `${st.level} at ${hex(st.address)} = ${typeof st.value === "number" ? hex(st.value) : st.value} [${st.flags}]\n`;
  if (w.physical === undefined) s += "not present\n";
  else s += `-> physical ${w.physical.toString(16).padStart(8, "0")} (${w.pageSize === 0x400000 ? "4 MiB" : w.pageSize === 0x200000 ? "2 MiB" : "4 KiB"} page, ${w.user ? "user" : "supervisor"}, ${w.writable ? "writable" : "read-only"}${w.executable ? "" : ", no-execute"})\n`;
  const f = w.faults!;
  const one = (n: string, c: number | null) => `${n}: ${c === null ? "ok" : `#PF(${hex(c, 1)})`}`;
  return s + [one("kernel read", f.read), one("kernel write", f.write), one("user read", f.userRead), one("user write", f.userWrite), one("fetch at this CPL", f.fetch)].join("  ");
}

export function hexDump(address: number, bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    s += `${hex(address + i)}  ${[...row].map((b) => hex(b, 2)).join(" ").padEnd(48)}  ${[...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("")}\n`;
  }
  return s || "(nothing mapped there)";
}

const parseHex = (text: string): number | undefined => {
  const t = text.trim().replace(/^0x/i, "");
  return /^[0-9a-f]{1,8}$/i.test(t) ? parseInt(t, 16) >>> 0 : undefined;
};

const KIND_LABELS: Record<EventKind, string> = {
  exception: "exceptions", interrupt: "interrupts", softint: "INT n", ring: "ring changes", mode: "mode switches",
  cr3: "CR3 loads", task: "task switches", v86: "virtual-8086", vmentry: "VM entries", vmexit: "VM exits",
};
/** The timeline shows the log's last events (the machine's ring holds 4096). */
const TIMELINE_MAX = 500;
/** A window of the log by its ends (seq and instruction count): the same key,
 *  the same events, in a replay gone back and forth as after a reset. */
const eventsKey = (e: MachineEvent[]) =>
  e.length ? `${e.length} ${e[0].seq}@${e[0].instructions} ${e[e.length - 1].seq}@${e[e.length - 1].instructions}` : "";

export class Inspector {
  private status?: MachineStatus;
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  /** A refresh was asked for while one ran: run another after it, or a stop's
   *  last state (a replay's end, say) would never be shown. */
  private refreshAgain = false;
  private timeline: MachineEvent[] = [];
  /** The window of the log drawn last (eventsKey), so that an unchanged one is not drawn again. */
  private drawnEvents = "";
  private readonly shownKinds = new Set<EventKind>(EVENT_KINDS.filter((k) => k !== "interrupt"));
  private readonly stopKinds = new Set<EventKind>();

  constructor(private readonly api: () => Comlink.Remote<WorkerApi> | undefined, private readonly showError: (m: string) => void) {
    this.eventControls();
    $("inspect").addEventListener("click", () => this.toggle());
    $("i-pause").addEventListener("click", () => void this.pauseOrContinue());
    $("i-step").addEventListener("click", () => void this.step());
    $("i-over").addEventListener("click", () => void this.stepOver());
    $("i-back").addEventListener("click", () => void this.stepBack());
    $("i-rcont").addEventListener("click", () => void this.reverseContinue());
    $("i-gdb-form").addEventListener("submit", (e) => { e.preventDefault(); void this.gdbButton(); });
    this.onSubmit("i-walk-form", "i-walk", async (a, api) => {
      const w = await api.walk(a);
      $("i-walk-out").textContent = w ? walkText(w) : "";
    });
    this.onSubmit("i-mem-form", "i-mem", async (a, api) => {
      $("i-mem-out").textContent = hexDump(a, await api.readMemory(a, 256, ($("i-phys") as HTMLInputElement).checked));
    });
    this.onSubmit("i-wp-form", "i-wp", async (a, api) => {
      const length = Number(($("i-wp-len") as HTMLInputElement).value);
      const kind = ($("i-wp-kind") as HTMLSelectElement).value as "write" | "read" | "access";
      const err = await api.addWatchpoint({ address: a, length, kind });
      if (err) this.showError(err);
      await this.refresh();
    });
    this.onSubmit("i-bp-form", "i-bp", async (a, api) => {
      const err = await api.addBreakpoint(a);
      if (err) this.showError(err);
      await this.refresh();
    });
  }

  get shown(): boolean { return !$("inspector").hidden; }

  /** Open it (a lab demo starts with it open). */
  show(): void { if (!this.shown) this.toggle(); }

  toggle(): void {
    $("inspector").hidden = !$("inspector").hidden;
    window.dispatchEvent(new Event("resize")); // the terminal refits
    clearInterval(this.timer);
    if (this.shown) {
      void this.refresh();
      this.timer = setInterval(() => { if (this.status?.state === "running") void this.refresh(); }, 1000);
    }
  }

  /** F8, F9, F10 (the keys a debugger user reaches for), Shift with F10 and F8
   *  for the same backwards; true when handled. */
  key(e: KeyboardEvent): boolean {
    if (e.type !== "keydown" || e.ctrlKey || e.altKey || e.metaKey) return false;
    if (e.shiftKey && e.key === "F10") { void this.stepBack(); return true; }
    if (e.shiftKey && e.key === "F8") { void this.reverseContinue(); return true; }
    if (e.key === "F9") { this.toggle(); return true; }
    if (e.key === "F8") { void this.pauseOrContinue(); return true; }
    if (e.key === "F10") { void this.step(); return true; }
    if (e.key === "F11") { void this.stepOver(); return true; }
    return false;
  }

  /** The machine's status changed: show why it stopped, refresh when it did. */
  update(s: MachineStatus): void {
    const was = this.status?.state;
    this.status = s;
    $("i-pause").textContent = s.state === "paused" ? "Continue" : "Pause";
    ($("i-pause") as HTMLButtonElement).disabled = !(s.state === "running" || s.state === "paused" || s.state === "halted");
    // The recording does not carry steps or breakpoints (the worker refuses them): say so here.
    const recording = s.session === "recording";
    ($("i-step") as HTMLButtonElement).disabled = s.state !== "paused" || recording;
    ($("i-over") as HTMLButtonElement).disabled = s.state !== "paused" || recording;
    $("i-rr-note").textContent = recording ? "Recording: no stepping or breakpoints (the recording does not carry them). Save it and replay it to debug, forwards and back." : "";
    // A replay goes back from a pause or from its end.
    const replay = s.session === "replaying" || s.session === "replayed";
    for (const id of ["i-back", "i-rcont"]) {
      const b = $(id) as HTMLButtonElement;
      b.hidden = !replay;
      b.disabled = !(s.state === "paused" || s.state === "stopped");
    }
    $("i-gdb").textContent = s.gdb ? "Disconnect gdb bridge" : "Connect gdb bridge";
    $("i-gdb-state").textContent = s.gdb ?? "";
    $("i-stop").textContent = s.state === "paused" ? s.stop ?? "paused" : "";
    if (this.shown && (s.state === "paused" || was !== s.state)) void this.refresh();
  }

  async pauseOrContinue(): Promise<void> {
    const api = this.api();
    if (this.status?.state === "paused") await api?.resume(); else await api?.pause();
  }

  async step(): Promise<void> {
    const api = this.api();
    if (!api) return;
    const n = Math.max(1, Number(($("i-count") as HTMLInputElement).value) || 1);
    const err = await api.step(n);
    if (err) this.showError(err);
    await this.refresh();
  }

  async stepOver(): Promise<void> {
    const api = this.api();
    if (!api) return;
    const err = await api.stepOver();
    if (err) this.showError(err);
    await this.refresh();
  }

  /** A replay: one instruction back. */
  async stepBack(): Promise<void> {
    const r = await this.api()?.reverseStep();
    if (r && "error" in r) this.showError(r.error);
    await this.refresh();
  }

  /** A replay: back to the last breakpoint hit before this point (or its start). */
  async reverseContinue(): Promise<void> {
    const r = await this.api()?.reverseContinue();
    if (r && "error" in r) this.showError(r.error);
    await this.refresh();
  }

  /** Connect to the gdb bridge at the URL typed (or disconnect). */
  private async gdbButton(): Promise<void> {
    const api = this.api();
    if (!api) return;
    if (this.status?.gdb) { await api.gdbDisconnect(); return; }
    const err = await api.gdbConnect(($("i-gdb-url") as HTMLInputElement).value.trim());
    if (err) this.showError(err);
  }

  async refresh(): Promise<void> {
    const api = this.api();
    if (!api) return;
    if (this.busy) { this.refreshAgain = true; return; }
    this.busy = true;
    this.refreshAgain = false;
    try {
      const v = await api.inspect();
      if (!v) return;
      $("i-regs").textContent = registersText(v.registers);
      fillTable($("i-gdt") as HTMLTableElement, v.gdt, "gdt");
      fillTable($("i-idt") as HTMLTableElement, v.idt, "idt");
      // The LDT, while LDTR holds a selector (LLDT with a null one, or reset, leaves none).
      const r = v.registers, hasLdt = (r.cr0 & 1) !== 0 && (r.ldtr.selector & 0xfffc) !== 0;
      $("i-ldt-section").hidden = !hasLdt;
      $("i-ldt-title").textContent = hasLdt ? `LDT (LDTR ${hex(r.ldtr.selector, 4)}, base=${hex(r.ldtr.base)} limit=${hex(r.ldtr.limit)})` : "LDT";
      fillTable($("i-ldt") as HTMLTableElement, v.ldt, "ldt");
      const t = v.tss;
      $("i-tss").textContent = t ? `TR ${hex(t.selector, 4)} base=${hex(t.base)} limit=${hex(t.limit)}\nSS0:ESP0=${hex(t.ss0, 4)}:${hex(t.esp0)}  SS1:ESP1=${hex(t.ss1, 4)}:${hex(t.esp1)}  SS2:ESP2=${hex(t.ss2, 4)}:${hex(t.esp2)}\nCR3=${hex(t.cr3)} EIP=${hex(t.eip)} link=${hex(t.link, 4)} I/O map at +${hex(t.ioMapBase, 4)}` : "(no 32-bit TSS loaded)";
      $("i-vmcs-section").hidden = !v.vmcs;
      $("i-vmcs").textContent = v.vmcs ? vmcsText(v.vmcs) : "";
      await this.readEvents(api);
      await this.drawCode(api, v.breakpoints, (v.registers.cs.base + v.registers.eip) >>> 0);
      const ul = $("i-bps");
      ul.replaceChildren();
      for (const a of v.breakpoints) {
        const li = document.createElement("li");
        const rm = document.createElement("button");
        rm.textContent = "remove";
        rm.addEventListener("click", async () => { await api.removeBreakpoint(a); await this.refresh(); });
        li.append(`${hex(a)} `, rm);
        ul.append(li);
      }
      for (const w of v.watchpoints) {
        const li = document.createElement("li");
        const rm = document.createElement("button");
        rm.textContent = "remove";
        rm.addEventListener("click", async () => { await api.removeWatchpoint(w); await this.refresh(); });
        li.append(`${w.kind} ${hex(w.address)} (${w.length} byte${w.length > 1 ? "s" : ""}) `, rm);
        ul.append(li);
      }
    } finally {
      this.busy = false;
      if (this.refreshAgain) void this.refresh();
    }
  }

  /** The instructions from CS:EIP on; a click sets or clears a breakpoint there. */
  private async drawCode(api: Comlink.Remote<WorkerApi>, breakpoints: number[], eip: number): Promise<void> {
    const d = await api.disassemble(null, 16);
    const t = $("i-code") as HTMLTableElement;
    t.replaceChildren();
    if (!d) return;
    for (const l of d.lines) {
      const tr = t.insertRow();
      if (l.address === eip) tr.className = "eip";
      if (breakpoints.includes(l.address)) tr.classList.add("bp");
      for (const c of [hex(l.address), [...l.bytes].map((b) => hex(b, 2)).join(" "), l.text]) tr.insertCell().textContent = c;
      tr.addEventListener("click", async () => {
        if (breakpoints.includes(l.address)) await api.removeBreakpoint(l.address);
        else { const err = await api.addBreakpoint(l.address); if (err) this.showError(err); }
        await this.refresh();
      });
    }
  }

  /** Check boxes: which kinds the table shows, and which stop the machine. */
  private eventControls(): void {
    const box = (parent: string, kind: EventKind, checked: boolean, change: (on: boolean) => void) => {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.checked = checked;
      input.dataset.kind = kind;
      input.addEventListener("change", () => change(input.checked));
      label.append(input, ` ${KIND_LABELS[kind]}`);
      $(parent).insertBefore(label, parent === "i-ev-stop" ? $("i-ev-vectors") : null);
    };
    for (const k of EVENT_KINDS) {
      box("i-ev-show", k, this.shownKinds.has(k), (on) => {
        if (on) this.shownKinds.add(k); else this.shownKinds.delete(k);
        this.drawEvents();
        const api = this.api();
        if (api) void this.readEvents(api);
      });
      box("i-ev-stop", k, false, (on) => { if (on) this.stopKinds.add(k); else this.stopKinds.delete(k); void this.sendStops(); });
    }
    $("i-ev-vectors").addEventListener("change", () => void this.sendStops());
  }

  /** Tick these kinds' "stop on" boxes (and only these) and send them, as a click on each would. */
  async setStops(kinds: readonly EventKind[]): Promise<void> {
    for (const k of EVENT_KINDS) {
      const on = kinds.includes(k);
      const box = $("i-ev-stop").querySelector<HTMLInputElement>(`input[data-kind="${k}"]`);
      if (box) box.checked = on;
      if (on) this.stopKinds.add(k); else this.stopKinds.delete(k);
    }
    await this.sendStops();
  }

  private async sendStops(): Promise<void> {
    const vectors = ($("i-ev-vectors") as HTMLInputElement).value.split(/[\s,]+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n >= 0 && n < 32);
    const err = await this.api()?.stopOn({ kinds: [...this.stopKinds], vectors });
    if (err) this.showError(err);
  }

  private drawEvents(): void {
    const t = $("i-events") as HTMLTableElement;
    t.replaceChildren();
    for (const e of this.timeline) {
      if (!this.shownKinds.has(e.kind)) continue;
      const tr = t.insertRow();
      tr.dataset.kind = e.kind;
      tr.dataset.seq = String(e.seq);
      for (const c of [String(e.seq), e.instructions.toLocaleString("en"), `${hex(e.cs, 4)}:${hex(e.eip)}`, e.text]) tr.insertCell().textContent = c;
      tr.addEventListener("click", () => void this.openEvent(e));
    }
    t.scrollTop = t.scrollHeight;
  }

  /** A click on an event: what it was, and in a replay the machine as it was
   *  just before it (the replay goes to the event's instruction count, and the
   *  inspector then shows its registers, code and memory). */
  private async openEvent(e: MachineEvent): Promise<void> {
    const what = `Event ${e.seq}: ${e.text}, at ${hex(e.cs, 4)}:${hex(e.eip)} after ${e.instructions.toLocaleString("en")} instructions.`;
    const s = this.status;
    if (!(s?.session === "replaying" || s?.session === "replayed")) {
      $("i-ev-detail").textContent = `${what} To see the machine as it was then, record a session and replay it: in a replay a click goes there.`;
      return;
    }
    const r = await this.api()?.goTo(e.instructions);
    if (r && "error" in r) { $("i-ev-detail").textContent = what; this.showError(r.error); return; }
    $("i-ev-detail").textContent = `${what} The replay is there now, just before it.`;
    await this.refresh();
  }

  /** The timeline is the log's last TIMELINE_MAX events, read whole each
   *  time: a replay that goes back takes the log back with it (its seq numbers
   *  too), and a reset starts it again, so nothing read before can be kept. */
  private async readEvents(api: Comlink.Remote<WorkerApi>): Promise<void> {
    const events = await api.events(0, TIMELINE_MAX);
    const key = eventsKey(events);
    if (key === this.drawnEvents) return;
    this.drawnEvents = key;
    this.timeline = events;
    this.drawEvents();
  }

  private onSubmit(formId: string, inputId: string, f: (address: number, api: Comlink.Remote<WorkerApi>) => Promise<void>): void {
    $(formId).addEventListener("submit", async (e) => {
      e.preventDefault();
      const api = this.api();
      const a = parseHex(($(inputId) as HTMLInputElement).value);
      if (a === undefined) { this.showError("Give an address in hex, e.g. c0100000."); return; }
      if (api) await f(a, api);
    });
  }
}
