// The lab scripting API's shapes (issue 12, "The lab scripting API"; the page's
// window.ringzero, README "The inspector"): registers as numbers named after
// the CPU's registers, GDT/IDT entries with the descriptor's fields under their
// SDM names, a page walk that either ends in a physical address or names the
// #PF it would raise, and events with their kind's fields at top level. These
// functions map the inspector's views (web/host/inspect.ts, web/host/events.ts,
// which the inspector panel keeps using as they are) onto those shapes; they
// read nothing themselves. No DOM, no Node: the package may use them too.

import type { Registers, SegmentRegister } from "./machine";
import type { Descriptor, PageWalk, WalkStep } from "./inspect";
import type { MachineEvent } from "./events";

/** As the status bar says it: EFLAGS.VM, else CR0.PE. */
export type CpuMode = "real" | "protected" | "virtual-8086";

export function cpuMode(cr0: number, eflags: number): CpuMode {
  return eflags & EFLAGS_VM ? "virtual-8086" : cr0 & CR0_PE ? "protected" : "real";
}

const CR0_PE = 1, CR0_PG = 0x80000000, EFLAGS_VM = 1 << 17;

export interface LabRegisters {
  eax: number; ebx: number; ecx: number; edx: number; esi: number; edi: number; esp: number; ebp: number;
  eip: number; eflags: number;
  /** The segment registers' selectors. */
  cs: number; ds: number; es: number; fs: number; gs: number; ss: number;
  cr0: number; cr2: number; cr3: number; cr4: number;
  cpl: number;
  mode: CpuMode;
  /** The segment registers' hidden parts (selector, base, limit in bytes,
   *  attributes = descriptor bits 40..55, valid), LDTR and TR too. */
  segments: Record<"es" | "cs" | "ss" | "ds" | "fs" | "gs" | "ldtr" | "tr", SegmentRegister>;
  /** The rest: GDTR and IDTR, DR0..DR7, halted (HLT waiting for an interrupt),
   *  inhibitIrq (after STI, MOV SS), the A20 gate, IA32_EFER where the model has it. */
  extra: Pick<Registers, "gdtr" | "idtr" | "dr" | "halted" | "inhibitIrq" | "a20" | "efer">;
}

export function labRegisters(r: Registers): LabRegisters {
  const [eax, ecx, edx, ebx, esp, ebp, esi, edi] = r.gpr.map((v) => v >>> 0);
  return {
    eax, ebx, ecx, edx, esi, edi, esp, ebp, eip: r.eip >>> 0, eflags: r.eflags >>> 0,
    cs: r.cs.selector, ds: r.ds.selector, es: r.es.selector, fs: r.fs.selector, gs: r.gs.selector, ss: r.ss.selector,
    cr0: r.cr0 >>> 0, cr2: r.cr2 >>> 0, cr3: r.cr3 >>> 0, cr4: r.cr4 >>> 0, cpl: r.cpl, mode: cpuMode(r.cr0, r.eflags),
    segments: { es: r.es, cs: r.cs, ss: r.ss, ds: r.ds, fs: r.fs, gs: r.gs, ldtr: r.ldtr, tr: r.tr },
    extra: { gdtr: r.gdtr, idtr: r.idtr, dr: r.dr, halted: r.halted, inhibitIrq: r.inhibitIrq, a20: r.a20, ...(r.efer !== undefined ? { efer: r.efer } : {}) },
  };
}

// SDM vol. 3 §3.4.5: the type field is bits 8..11 of the high dword, S bit 12.
const typeOf = (hi: number) => (hi >>> 8) & 0xf;
const isSystem = (hi: number) => ((hi >>> 12) & 1) === 0;

export interface LabGdtEntry {
  index: number;
  /** The entry's selector (index * 8, RPL 0). */
  selector: number;
  /** Segments, TSS and LDT descriptors (and the null descriptor: 0, 0); the
   *  limit in bytes after the G bit's scaling. Absent for gates. */
  base?: number;
  limit?: number;
  /** The descriptor's 4-bit type field; `system` is S clear (TSS, LDT, gates). */
  type: number;
  system: boolean;
  /** The type spelled out: "code 32-bit, readable", "32-bit TSS (busy)", "null", ... */
  kind: string;
  dpl: number;
  present: boolean;
  /** A call or task gate's target. */
  target?: { selector: number; offset?: number };
  /** The descriptor's two dwords, low first. */
  lo: number;
  hi: number;
}

export function labGdtEntry(d: Descriptor): LabGdtEntry {
  const e: LabGdtEntry = { index: d.index, selector: d.selector, type: typeOf(d.hi), system: isSystem(d.hi), kind: d.kind, dpl: d.dpl, present: d.present, lo: d.lo, hi: d.hi };
  if (d.kind === "null") { e.base = 0; e.limit = 0; }
  if (d.base !== undefined) e.base = d.base;
  if (d.limit !== undefined) e.limit = d.limit;
  if (d.target) e.target = d.target;
  return e;
}

export interface LabIdtEntry {
  vector: number;
  /** The gate's code segment selector (a task gate's: its TSS selector; real
   *  mode: the vector's segment). */
  selector: number;
  /** The handler's offset in that segment (16-bit gates: 16 bits); absent for
   *  task gates. A gate has no limit. */
  offset?: number;
  /** The gate's 4-bit type field (0xE a 32-bit interrupt gate, 0xF a trap gate,
   *  0x5 a task gate, ...); absent in real mode. */
  type?: number;
  kind: string;
  dpl: number;
  present: boolean;
  lo: number;
  hi: number;
}

export function labIdtEntry(d: Descriptor): LabIdtEntry {
  const real = d.kind === "real-mode vector";
  // §6.11: selector in bits 16..31 of the low dword, offset 15..0 there and
  // 31..16 in the high dword. An entry that is no gate is read the same way.
  const selector = d.target?.selector ?? d.lo >>> 16;
  const offset = d.target ? d.target.offset : ((d.hi & 0xffff0000) | (d.lo & 0xffff)) >>> 0;
  const e: LabIdtEntry = { vector: d.index, selector, kind: d.kind, dpl: d.dpl, present: d.present, lo: d.lo, hi: d.hi };
  if (offset !== undefined) e.offset = offset;
  if (!real) e.type = typeOf(d.hi);
  return e;
}

/** The #PF a walk that found no page would raise (SDM vol. 3 §4.7). */
export interface LabFault {
  vector: 14;
  /** For a data read at the current CPL: P clear, U/S set at CPL 3. */
  errorCode: number;
  /** What CR2 would hold: the linear address. */
  cr2: number;
  /** "#PF error 0x0: PDE not present". */
  message: string;
}

/** translate(linear): where the walk ends, or the fault. Both carry the walk's
 *  steps, `paging` and (paging on) `faults`, the #PF error code each kind of
 *  access would raise (null: allowed). */
export type LabTranslation =
  | { linear: number; paging: boolean; physical: number; pageSize: number; steps: WalkStep[]; user?: boolean; writable?: boolean; executable?: boolean; faults?: PageWalk["faults"] }
  | { linear: number; paging: true; fault: LabFault; steps: WalkStep[]; faults?: PageWalk["faults"] };

const PF_U = 4;
const hex8 = (v: number) => "0x" + (v >>> 0).toString(16).padStart(8, "0");

export function labTranslation(w: PageWalk, cpl: number): LabTranslation {
  if (w.physical !== undefined) {
    const { linear, paging, physical, pageSize, steps, user, writable, executable, faults } = w;
    return { linear, paging, physical, pageSize: pageSize ?? 0, steps, ...(paging ? { user, writable, executable, faults } : {}) };
  }
  const errorCode = cpl === 3 ? PF_U : 0;
  const last = w.steps[w.steps.length - 1];
  const fault: LabFault = { vector: 14, errorCode, cr2: w.linear, message: `#PF error 0x${errorCode.toString(16)}: ${last ? `${last.level} not present` : "not mapped"}` };
  return { linear: w.linear, paging: true, fault, steps: w.steps, faults: w.faults };
}

/** What one read() returns at most (the worker's readMemory limit). */
export const READ_MAX = 65536;

/** Where read() gets its bytes, walks and CPL: the page's worker, or a Machine (the package). */
export interface LabReader {
  read(address: number, length: number, physical: boolean): Uint8Array | Promise<Uint8Array>;
  walk(linear: number): PageWalk | null | undefined | Promise<PageWalk | null | undefined>;
  cpl(): number | Promise<number>;
}

/** read(): `length` bytes (0 to READ_MAX) at a linear or physical address, or
 *  an error naming the first byte that could not be read and why. `method`
 *  names the caller in a RangeError ("read", the package's "readMemory"). */
export async function labRead(io: LabReader, method: string, address: number, length: number, physical: boolean): Promise<Uint8Array> {
  if (!(Number.isInteger(length) && length >= 0 && length <= READ_MAX)) throw new RangeError(`${method}: length ${length}: 0 to ${READ_MAX} bytes a call`);
  const bytes = await io.read(address >>> 0, length, physical);
  if (bytes.length === length) return bytes;
  const at = (address + bytes.length) >>> 0;
  throw new Error(readFailure(address >>> 0, length, at, physical, physical ? null : (await io.walk(at)) ?? null, await io.cpl()));
}

/** Why read() got fewer bytes than asked: the first byte it could not read is
 *  `at`; `walk` is that address's page walk (linear reads). */
export function readFailure(address: number, length: number, at: number, physical: boolean, walk: PageWalk | null, cpl: number): string {
  const head = `read(${hex8(address)}, ${length})${physical ? " physical" : ""}`;
  if (physical) return `${head}: physical ${hex8(at)} is not memory (no RAM, ROM or readable device there)`;
  if (!walk) return `${head}: the machine has not started`;
  const t = labTranslation(walk, cpl);
  if ("fault" in t) return `${head}: linear ${hex8(at)} is not mapped: ${t.fault.message}`;
  return `${head}: linear ${hex8(at)} maps to physical ${hex8(t.physical)}, which is not memory`;
}

export interface LabEventBase {
  /** Position since power-on: with the inspector's "stopped on ... (event N)" it names the event that stopped the machine. */
  seq: number;
  /** Instructions retired when it happened. */
  instructions: number;
  /** CS:EIP when it happened: an exception's faulting instruction; INT n: its return address; a ring change: the CS:EIP left behind. */
  eip: number;
  cs: number;
  /** One line, as the inspector's timeline shows it. */
  text: string;
}

/** One event of the timeline, its kind's fields at top level. */
export type LabEvent = LabEventBase & (
  | { kind: "exception"; vector: number; errorCode?: number; cr2: number }
  | { kind: "interrupt"; vector: number }
  | { kind: "softint"; vector: number }
  | { kind: "ring"; from: number; to: number }
  | { kind: "mode"; from: string; to: string; cr0Before: number; cr0After: number }
  | { kind: "cr3"; before: number; after: number }
  | { kind: "task"; selector: number; reason: number }
  | { kind: "v86"; entering: boolean }
  | { kind: "vmentry"; launch: boolean; rip: number }
  | { kind: "vmexit"; reason: number; failedEntry: boolean; qualification: number; rip: number }
);

// The mode event's ends as the timeline's text names them.
const modeName = (cr0: number) => (cr0 & CR0_PE ? (cr0 & CR0_PG ? "protected, paging" : "protected") : "real");

export function labEvent(e: MachineEvent): LabEvent {
  const { detail, ...base } = e;
  const fields: Record<string, number | boolean | string> = {};
  for (const [k, v] of Object.entries(detail)) if (v !== undefined) fields[k === "error" && e.kind === "exception" ? "errorCode" : k] = v;
  if (e.kind === "mode") { fields.from = modeName(detail.cr0Before as number); fields.to = modeName(detail.cr0After as number); }
  return { ...base, ...fields } as LabEvent;
}
