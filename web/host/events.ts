// The event timeline (asm/cpu/events.ts) on the host side: the ring buffer
// decoded into events a person can read, and the teaching breakpoints (stop on
// an event kind, or on chosen exception vectors). Shared by the page's worker and,
// later, the command line.

import type { Machine } from "./machine";

export const EVENT_KINDS = ["exception", "interrupt", "softint", "ring", "mode", "cr3", "task", "v86", "vmentry", "vmexit"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface MachineEvent {
  /** Position since power-on (0, 1, 2, ...): with `stoppedAt` it names the event that stopped the machine. */
  seq: number;
  instructions: number;
  kind: EventKind;
  /** CS:EIP when it happened: for an exception the faulting instruction's; for
   *  an instruction's event the instruction's CS and the EIP after it (INT n:
   *  the return address; a ring change: the CS:EIP left behind). */
  eip: number;
  cs: number;
  /** Per kind: exception {vector, error (undefined: none), cr2}; interrupt/softint
   *  {vector}; ring {from, to}; mode {cr0Before, cr0After}; cr3 {before, after};
   *  task {selector, reason}; v86 {entering}; vmentry {launch, rip}; vmexit
   *  {reason, failedEntry, qualification, rip} (docs/VMX.md). */
  detail: Record<string, number | boolean | undefined>;
  /** One line, e.g. "#PF error 0x6 CR2=0x0804a000", "ring 3 -> 0". */
  text: string;
}

// Layout (asm/cpu/events.ts): header words, then entries from +64.
const TOTAL = 0, STOP_KINDS = 4, STOP_VECTORS = 8, STOP_AT = 12, ENTRIES = 64, CAPACITY = 4096, SIZE = 32;
const NO_ERROR = 0xffffffff;
const EXCEPTIONS = ["#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM"];
const hex = (v: number) => "0x" + (v >>> 0).toString(16);
/** Basic VM-exit reasons (SDM vol. 3 appendix C) up to the last this CPU can
 *  report, the VMX-preemption timer's (52). */
export const EXIT_REASONS = ["exception or NMI", "external interrupt", "triple fault", "INIT", "SIPI", "I/O SMI", "other SMI",
  "interrupt window", "NMI window", "task switch", "CPUID", "GETSEC", "HLT", "INVD", "INVLPG", "RDPMC", "RDTSC", "RSM",
  "VMCALL", "VMCLEAR", "VMLAUNCH", "VMPTRLD", "VMPTRST", "VMREAD", "VMRESUME", "VMWRITE", "VMXOFF", "VMXON",
  "control-register access", "MOV DR", "I/O instruction", "RDMSR", "WRMSR", "invalid guest state", "MSR loading",
  "reason 35", "MWAIT", "monitor trap flag", "reason 38", "MONITOR", "PAUSE", "machine-check event", "reason 42",
  "TPR below threshold", "APIC access", "virtualized EOI", "GDTR/IDTR access", "LDTR/TR access", "EPT violation",
  "EPT misconfiguration", "INVEPT", "RDTSCP", "VMX-preemption timer"];

function describe(kind: EventKind, a: number, b: number, c: number): { detail: MachineEvent["detail"]; text: string } {
  switch (kind) {
    case "exception": {
      const error = b === NO_ERROR ? undefined : b;
      const name = EXCEPTIONS[a] ?? `exception ${a}`;
      return { detail: { vector: a, error, cr2: c }, text: `${name}${error !== undefined ? ` error ${hex(error)}` : ""}${a === 14 ? ` CR2=${hex(c)}` : ""}` };
    }
    case "interrupt": return { detail: { vector: a }, text: `interrupt vector ${hex(a)}` };
    case "softint": return { detail: { vector: a }, text: `INT ${hex(a)}` };
    case "ring": return { detail: { from: a, to: b }, text: `ring ${a} -> ${b}` };
    case "mode": {
      const m = (cr0: number) => (cr0 & 1 ? (cr0 & 0x80000000 ? "protected, paging" : "protected") : "real");
      return { detail: { cr0Before: a >>> 0, cr0After: b >>> 0 }, text: `${m(a)} -> ${m(b)} (CR0 ${hex(a)} -> ${hex(b)})` };
    }
    case "cr3": return { detail: { before: a >>> 0, after: b >>> 0 }, text: `CR3 ${hex(a)} -> ${hex(b)}` };
    case "task": return { detail: { selector: a, reason: b }, text: `task switch to TSS ${hex(a)}` };
    case "v86": return { detail: { entering: a === 1 }, text: a === 1 ? "enter virtual-8086 mode" : "leave virtual-8086 mode" };
    case "vmentry": return { detail: { launch: a === 1, rip: b >>> 0 }, text: `${a === 1 ? "VMLAUNCH" : "VMRESUME"}: guest at ${hex(b)}` };
    case "vmexit": {
      const reason = a & 0xffff, failed = (a & 0x80000000) !== 0;
      const name = EXIT_REASONS[reason] ?? `reason ${reason}`;
      return {
        detail: { reason, failedEntry: failed, qualification: b >>> 0, rip: c >>> 0 },
        text: failed ? `VM entry failed: ${name}, qualification ${hex(b)}` : `VM exit: ${name}, qualification ${hex(b)}, guest at ${hex(c)}`,
      };
    }
  }
}

/** Events with seq >= `since` that the ring still holds (it keeps the last 4096), oldest first. */
export function readEvents(m: Machine, since = 0, max = CAPACITY): MachineEvent[] {
  const v = new DataView(m.memory.buffer, m.eventsAddress, ENTRIES + CAPACITY * SIZE);
  const total = v.getUint32(TOTAL, true);
  const first = Math.max(since, total - CAPACITY, total - max, 0);
  const out: MachineEvent[] = [];
  for (let seq = first; seq < total; seq++) {
    const e = ENTRIES + (seq % CAPACITY) * SIZE;
    const kind = EVENT_KINDS[v.getUint32(e + 8, true) - 1];
    if (!kind) continue;
    const { detail, text } = describe(kind, v.getUint32(e + 20, true), v.getUint32(e + 24, true), v.getUint32(e + 28, true));
    out.push({ seq, instructions: Number(v.getBigUint64(e, true)), kind, eip: v.getUint32(e + 12, true), cs: v.getUint32(e + 16, true), detail, text });
  }
  return out;
}

/** Teaching breakpoints: the kinds that stop the machine (STOP.BREAKPOINT, hit kind
 *  "event"), and for exceptions which vectors (empty: every one). */
export interface EventStops { kinds: EventKind[]; vectors?: number[] }

export function setEventStops(m: Machine, s: EventStops): void {
  const v = new DataView(m.memory.buffer, m.eventsAddress, ENTRIES);
  let kinds = 0, vectors = 0;
  for (const k of s.kinds) kinds |= 1 << (EVENT_KINDS.indexOf(k) + 1);
  for (const n of s.vectors ?? []) if (n >= 0 && n < 32) vectors |= 1 << n;
  v.setUint32(STOP_KINDS, kinds >>> 0, true);
  v.setUint32(STOP_VECTORS, vectors >>> 0, true);
}

/** After a stop on an event: its seq (undefined when no event stopped the machine yet). */
export function stoppedAt(m: Machine): number | undefined {
  const n = new DataView(m.memory.buffer, m.eventsAddress, ENTRIES).getUint32(STOP_AT, true);
  return n === 0 ? undefined : n - 1;
}
