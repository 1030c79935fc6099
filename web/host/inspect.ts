// A view inside the machine for the page's inspector and the lab API: descriptor
// tables (GDT, LDT, IDT) decoded (SDM vol. 3 §3.4.5 segment descriptors, table 3-2 system types,
// §6.11 IDT gates, §7.2.1 the 32-bit TSS), and the walk of a linear address
// through the 32-bit page tables (§4.3, 4 KiB and PSE 4 MiB pages) with the rights
// it grants and the #PF a given access would raise (§4.6, §4.7), and through PAE
// tables (§4.4: PDPTE, 64-bit PDE/PTE, 2 MiB pages, XD with EFER.NXE). Everything
// is read through the Machine's debugging methods: no TLB fill, no side effects.
// The PDPTEs are read from memory at CR3, where the CPU uses the copies it loaded
// (they differ only if the guest changed the PDPT without reloading CR3).

import type { Machine, Registers } from "./machine";

export interface Descriptor {
  index: number;
  /** The selector (GDT: index*8; LDT: index*8|4) or the vector (IDT). */
  selector: number;
  lo: number;
  hi: number;
  present: boolean;
  dpl: number;
  /** What it describes: "code 32-bit, readable", "32-bit interrupt gate", "TSS (busy)", ... */
  kind: string;
  /** Segments and TSS/LDT: base and byte-granular limit. */
  base?: number;
  limit?: number;
  /** Gates: the target (a task gate names only a TSS selector). */
  target?: { selector: number; offset?: number };
}

const SYSTEM_TYPES: Record<number, string> = {
  0x1: "16-bit TSS (available)", 0x2: "LDT", 0x3: "16-bit TSS (busy)", 0x4: "16-bit call gate", 0x5: "task gate",
  0x6: "16-bit interrupt gate", 0x7: "16-bit trap gate", 0x9: "32-bit TSS (available)", 0xb: "32-bit TSS (busy)",
  0xc: "32-bit call gate", 0xe: "32-bit interrupt gate", 0xf: "32-bit trap gate",
};

/** Decode one 8-byte descriptor (the low and high dwords). */
export function decodeDescriptor(index: number, selector: number, lo: number, hi: number): Descriptor {
  lo >>>= 0; hi >>>= 0;
  const type = (hi >>> 8) & 0xf, system = ((hi >>> 12) & 1) === 0;
  const d: Descriptor = { index, selector, lo, hi, present: ((hi >>> 15) & 1) === 1, dpl: (hi >>> 13) & 3, kind: "" };
  if (lo === 0 && hi === 0) { d.kind = "null"; return d; }
  if (system && (type & 7) >= 4 && type !== 0x9 && type !== 0xb) {
    d.kind = SYSTEM_TYPES[type] ?? `reserved system type ${type}`;
    if (SYSTEM_TYPES[type]) {
      const sel = lo >>> 16;
      d.target = type === 0x5 ? { selector: sel } : { selector: sel, offset: type & 8 ? ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0 : lo & 0xffff };
      if (type === 0x4 || type === 0xc) d.kind += `, ${hi & 0x1f} parameters`;
    }
    return d;
  }
  d.base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
  const raw = (lo & 0xffff) | (hi & 0xf0000);
  d.limit = (hi >>> 23) & 1 ? ((raw << 12) | 0xfff) >>> 0 : raw;
  if (system) { d.kind = SYSTEM_TYPES[type] ?? `reserved system type ${type}`; return d; }
  const bits = (hi >>> 22) & 1 ? "32-bit" : "16-bit";
  const acc = type & 1 ? ", accessed" : "";
  d.kind = type & 8
    ? `code ${bits}${type & 2 ? ", readable" : ", execute-only"}${type & 4 ? ", conforming" : ""}${acc}`
    : `data ${bits}${type & 2 ? ", writable" : ", read-only"}${type & 4 ? ", expand-down" : ""}${acc}`;
  return d;
}

function dwords(m: Machine, linear: number, bytes: number): DataView {
  const b = m.readLinear(linear, bytes);
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** The GDT's entries (up to `max`), from GDTR. */
export function gdt(m: Machine, max = 256): Descriptor[] {
  const r = m.registers();
  return table(m, r.gdtr.base, r.gdtr.limit, max, (i) => i * 8);
}

/** The current LDT's entries (up to `max`): the table LDTR's cached descriptor
 *  names (SDM vol. 3 §3.5.1: LLDT loads its base and limit from the GDT, and a
 *  later change to that GDT entry does not move the LDT). Empty in real mode and
 *  with a null LDTR: after reset the cache still holds base 0, limit FFFFH (§9.1.1
 *  table 9-1), but no program set that table up. Selectors are index*8 with TI
 *  set (§3.4.2). */
export function ldt(m: Machine, max = 256): Descriptor[] {
  const r = m.registers();
  if (!(r.cr0 & 1) || !r.ldtr.valid || (r.ldtr.selector & 0xfffc) === 0) return [];
  return table(m, r.ldtr.base, r.ldtr.limit, max, (i) => i * 8 | 4);
}

/** The IDT's gates (protected mode), or the real-mode interrupt vector table
 *  as far-pointer "gates". */
export function idt(m: Machine, max = 256): Descriptor[] {
  const r = m.registers();
  if (!(r.cr0 & 1)) {
    const n = Math.min(max, Math.floor((r.idtr.limit + 1) / 4));
    const v = dwords(m, r.idtr.base, n * 4);
    const out: Descriptor[] = [];
    for (let i = 0; i < n && (i + 1) * 4 <= v.byteLength; i++) {
      const off = v.getUint16(i * 4, true), seg = v.getUint16(i * 4 + 2, true);
      out.push({ index: i, selector: i, lo: v.getUint32(i * 4, true), hi: 0, present: true, dpl: 0, kind: "real-mode vector", target: { selector: seg, offset: off } });
    }
    return out;
  }
  return table(m, r.idtr.base, r.idtr.limit, max, (i) => i);
}

function table(m: Machine, base: number, limit: number, max: number, selector: (i: number) => number): Descriptor[] {
  const n = Math.min(max, Math.floor((limit + 1) / 8));
  const v = dwords(m, base, n * 8);
  const out: Descriptor[] = [];
  for (let i = 0; i < n && (i + 1) * 8 <= v.byteLength; i++) out.push(decodeDescriptor(i, selector(i), v.getUint32(i * 8, true), v.getUint32(i * 8 + 4, true)));
  return out;
}

/** The current 32-bit TSS's fields that a lab looks at (SDM vol. 3 figure 7-2). */
export interface TaskState { selector: number; base: number; limit: number; link: number; esp0: number; ss0: number; esp1: number; ss1: number; esp2: number; ss2: number; cr3: number; eip: number; ioMapBase: number }

export function taskState(m: Machine): TaskState | undefined {
  const r = m.registers();
  if (!(r.cr0 & 1) || !r.tr.valid || r.tr.limit < 0x67) return undefined;
  const v = dwords(m, r.tr.base, 0x68);
  if (v.byteLength < 0x68) return undefined;
  const u = (o: number) => v.getUint32(o, true), w = (o: number) => v.getUint16(o, true);
  return {
    selector: r.tr.selector, base: r.tr.base, limit: r.tr.limit, link: w(0), esp0: u(4), ss0: w(8), esp1: u(0xc), ss1: w(0x10),
    esp2: u(0x14), ss2: w(0x18), cr3: u(0x1c), eip: u(0x20), ioMapBase: w(0x66),
  };
}

// ---- page walk ----

export interface WalkStep {
  level: "PDPTE" | "PDE" | "PTE";
  /** Physical address of the entry, and its value (64-bit entries: as a bigint's hex). */
  address: number;
  value: number | string;
  flags: string;
}

export interface PageWalk {
  linear: number;
  paging: boolean;
  steps: WalkStep[];
  /** Where the walk ends: the physical address, or undefined when not present. */
  physical?: number;
  pageSize?: number;
  /** Rights the walk grants (both levels combined). */
  user?: boolean;
  writable?: boolean;
  /** PAE with EFER.NXE: instruction fetches are allowed. */
  executable?: boolean;
  /** The #PF error code each access would raise, or null when it is allowed. */
  faults?: Record<"read" | "write" | "userRead" | "userWrite" | "fetch", number | null>;
}

const PF_P = 1, PF_W = 2, PF_U = 4, PF_ID = 0x10;

function entryFlags(e: number, level: WalkStep["level"], xd = false): string {
  const f: string[] = [];
  const bit = (n: number, name: string) => { if ((e >>> n) & 1) f.push(name); };
  bit(0, "P");
  if (level !== "PDPTE") { bit(1, "RW"); bit(2, "US"); }
  bit(3, "PWT"); bit(4, "PCD");
  if (level !== "PDPTE") { bit(5, "A"); bit(6, "D"); bit(7, level === "PDE" ? "PS" : "PAT"); bit(8, "G"); }
  if (xd) f.push("XD");
  return f.join(" ");
}

/** Rights of a walk's last level combined with the levels above: U/S, R/W, and
 *  (PAE with NXE) execute. */
interface Rights { user: boolean; writable: boolean; executable: boolean }

/** Walk `linear` through the page tables as the CPU would now. */
export function pageWalk(m: Machine, linear: number, r: Registers = m.registers()): PageWalk {
  linear >>>= 0;
  if (!(r.cr0 & 0x80000000)) return { linear, paging: false, steps: [], physical: r.a20 ? linear : linear & ~0x100000, pageSize: 0 };
  return r.cr4 & 0x20 ? walkPae(m, linear, r) : walk32(m, linear, r);
}

function result(linear: number, r: Registers, steps: WalkStep[], physical: number | undefined, pageSize: number, rights: Rights, nx: boolean): PageWalk {
  const present = physical !== undefined;
  const wp = (r.cr0 & 0x10000) !== 0;
  // §4.6: user accesses need U/S in every level, user writes R/W too; supervisor
  // writes need R/W when CR0.WP is set; with NXE, fetches need XD clear in every
  // level. Error code (§4.7): P, W/R, U/S, and I/D for fetches when NXE is set.
  const fault = (write: boolean, usr: boolean, fetch = false): number | null => {
    const code = (present ? PF_P : 0) | (write ? PF_W : 0) | (usr ? PF_U : 0) | (fetch && nx ? PF_ID : 0);
    if (!present) return code;
    if (usr && (!rights.user || (write && !rights.writable))) return code;
    if (!usr && write && wp && !rights.writable) return code;
    if (fetch && !rights.executable) return code;
    return null;
  };
  return {
    linear, paging: true, steps, physical, pageSize, user: rights.user, writable: rights.writable, executable: rights.executable,
    faults: { read: fault(false, false), write: fault(true, false), userRead: fault(false, true), userWrite: fault(true, true), fetch: fault(false, r.cpl === 3, true) },
  };
}

function read32(m: Machine, phys: number): number {
  const b = m.readPhysical(phys >>> 0, 4);
  return b.length === 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : 0;
}

function walk32(m: Machine, linear: number, r: Registers): PageWalk {
  const steps: WalkStep[] = [];
  const none: Rights = { user: false, writable: false, executable: false };
  const pdeAt = ((r.cr3 & 0xfffff000) + (linear >>> 22) * 4) >>> 0;
  const pde = read32(m, pdeAt);
  steps.push({ level: "PDE", address: pdeAt, value: pde, flags: entryFlags(pde, "PDE") });
  const rights = (e: number): Rights => ({ user: (e & PF_U) !== 0, writable: (e & PF_W) !== 0, executable: true });
  if (!(pde & 1)) return result(linear, r, steps, undefined, 0, none, false);
  if (pde & 0x80 && r.cr4 & 0x10) return result(linear, r, steps, ((pde & 0xffc00000) | (linear & 0x3fffff)) >>> 0, 0x400000, rights(pde), false);
  const pteAt = ((pde & 0xfffff000) + ((linear >>> 12) & 0x3ff) * 4) >>> 0;
  const pte = read32(m, pteAt);
  steps.push({ level: "PTE", address: pteAt, value: pte, flags: entryFlags(pte, "PTE") });
  if (!(pte & 1)) return result(linear, r, steps, undefined, 0, none, false);
  return result(linear, r, steps, ((pte & 0xfffff000) | (linear & 0xfff)) >>> 0, 0x1000, rights(pde & pte), false);
}

/** PAE (§4.4): 4 PDPTEs at CR3, then 512-entry tables of 64-bit entries. Physical
 *  addresses above 4 GiB are shown, but the inspector cannot read tables there. */
function walkPae(m: Machine, linear: number, r: Registers): PageWalk {
  const nx = ((r.efer ?? 0) & 0x800) !== 0;
  const steps: WalkStep[] = [];
  const none: Rights = { user: false, writable: false, executable: false };
  const entry = (level: WalkStep["level"], at: number) => {
    const lo = read32(m, at), hi = read32(m, at + 4);
    const xd = nx && (hi & 0x80000000) !== 0;
    steps.push({ level, address: at, value: ((BigInt(hi) << 32n) | BigInt(lo)).toString(16).padStart(16, "0"), flags: entryFlags(lo, level, xd) });
    // Bits 35:32 of the next address (MAXPHYADDR 36).
    return { lo, base: (hi & 0xf) * 0x100000000 + ((lo & 0xfffff000) >>> 0), xd };
  };
  const pdpte = entry("PDPTE", ((r.cr3 & 0xffffffe0) + (linear >>> 30) * 8) >>> 0);
  if (!(pdpte.lo & 1)) return result(linear, r, steps, undefined, 0, none, nx);
  const pde = entry("PDE", pdpte.base + ((linear >>> 21) & 0x1ff) * 8);
  if (!(pde.lo & 1)) return result(linear, r, steps, undefined, 0, none, nx);
  const rights = (e: number, xd: boolean): Rights => ({ user: (e & PF_U) !== 0, writable: (e & PF_W) !== 0, executable: !xd });
  if (pde.lo & 0x80) {
    const base = pde.base - (pde.base % 0x200000);
    return result(linear, r, steps, base + (linear & 0x1fffff), 0x200000, rights(pde.lo, pde.xd), nx);
  }
  const pte = entry("PTE", pde.base + ((linear >>> 12) & 0x1ff) * 8);
  if (!(pte.lo & 1)) return result(linear, r, steps, undefined, 0, none, nx);
  return result(linear, r, steps, pte.base + (linear & 0xfff), 0x1000, rights(pde.lo & pte.lo, pde.xd || pte.xd), nx);
}

// ---- step over ----

/** Where a step over (the page's Step over, a CALL, INT or REP run to the
 *  instruction after it) began: its address space and stack frame. */
export interface StepOverFrame { cr3: number; ss: number; esp: number }

export function stepOverFrame(m: Machine): StepOverFrame {
  const r = m.registers();
  return { cr3: r.cr3, ss: r.ss.selector, esp: r.gpr[4] };
}

/** At the step over's breakpoint (the instruction after the CALL): is this the
 *  step's own return, or the same code reached elsewhere? A recursive call of
 *  the routine returns there first with its deeper frame (ESP below the one
 *  the step began with, the stack grows down), and another process may run the
 *  same code (another CR3); the step goes on through both. */
export function backInFrame(m: Machine, f: StepOverFrame): boolean {
  const r = m.registers();
  if (r.cr3 !== f.cr3) return false;
  return r.ss.selector !== f.ss || r.gpr[4] >>> 0 >= f.esp >>> 0;
}
