// Segment registers: the descriptor cache and loading a selector into a data or
// stack segment register (SDM vol. 3 §3.4, §5.4-5.6; MOV/POP/LDS in vol. 2).
// CS loads that change privilege belong to far transfers (control.ts / the
// protected-mode transfer code); this file gives them setSegmentCache().

import {
  OFF_SEGS, SEG_SIZE, SEGF_SEL, SEGF_BASE, SEGF_LIMIT, SEGF_ATTR, SEGF_LOR, SEGF_HIR, SEGF_LOW, SEGF_HIW, OFF_SEG_FLAT,
  S_CS, S_SS, S_LDTR, OFF_GDTR_BASE, OFF_GDTR_LIMIT, OFF_EFLAGS, OFF_CPL, CR0_PE, VM,
  ATTR_VALID, ATTR_RW, ATTR_CE, ATTR_CODE, ATTR_S, ATTR_P, ATTR_DB, ATTR_G, ATTR_DPL_SHIFT, ATTR_ACCESSED,
  cr0, getCpl, segBase, segLimit, segAttr, segSel,
} from "./state";
import { raiseGP, raiseSS, raiseNP, faultPending } from "./fault";
import { readSys32, writeSys8 } from "../mmu/linear";
import { setCsDefault32 } from "./decode";
import { invalidateFetchCache } from "../mmu/paging";
import { recordEvent, EV_RING } from "./events";

@inline export function protectedMode(): bool { return (cr0() & CR0_PE) != 0; }
@inline export function v86Mode(): bool { return (load<u32>(OFF_EFLAGS) & VM) != 0; }
/** Protected mode and not virtual-8086: descriptors are used for segment loads. */
@inline export function pmodeNotV86(): bool { return protectedMode() && !v86Mode(); }

/** Load a segment register's hidden part and precompute its valid offset ranges.
 *  `attr` is descriptor bits 40..55 (>> 40); `limit` is already byte-granular. */
export function setSegmentCache(seg: i32, sel: u32, base: u32, limit: u32, attr: u32, valid: bool): void {
  let p = OFF_SEGS + <u32>seg * SEG_SIZE;
  store<u32>(p + SEGF_SEL, sel & 0xffff);
  store<u32>(p + SEGF_BASE, base);
  store<u32>(p + SEGF_LIMIT, limit);
  store<u32>(p + SEGF_ATTR, valid ? attr | ATTR_VALID : attr & ~ATTR_VALID);
  let loR: u32 = 0, hiR: u32 = limit, loW: u32 = 0, hiW: u32 = limit;
  if (!valid) {
    loR = 1; hiR = 0; loW = 1; hiW = 0;
  } else if ((attr & ATTR_S) && !(attr & ATTR_CODE) && (attr & ATTR_CE)) {
    // expand-down data: offsets limit+1 .. 0xffff or 0xffffffff (SDM vol. 3 §3.4.5.1)
    loR = limit + 1; loW = loR;
    hiR = (attr & ATTR_DB) ? 0xffffffff : 0xffff; hiW = hiR;
    if (limit >= hiR) { loR = 1; hiR = 0; loW = 1; hiW = 0; }
  }
  // Type checks apply in protected mode only; in real and virtual-8086 mode any
  // segment register may be read and written within its limit.
  if ((attr & ATTR_S) && valid && pmodeNotV86()) {
    if (attr & ATTR_CODE) {
      loW = 1; hiW = 0;                              // code is never writable
      if (!(attr & ATTR_RW)) { loR = 1; hiR = 0; }   // execute-only: no data reads
    } else if (!(attr & ATTR_RW)) {
      loW = 1; hiW = 0;                              // read-only data
    }
  }
  store<u32>(p + SEGF_LOR, loR);
  store<u32>(p + SEGF_HIR, hiR);
  store<u32>(p + SEGF_LOW, loW);
  store<u32>(p + SEGF_HIW, hiW);
  let flat = base == 0 && loR == 0 && hiR == 0xffffffff && loW == 0 && hiW == 0xffffffff;
  let bits = load<u32>(OFF_SEG_FLAT) & ~(<u32>1 << seg);
  store<u32>(OFF_SEG_FLAT, flat ? bits | (<u32>1 << seg) : bits);
}

/** Recompute the offset ranges of the six segment registers after a change of
 *  mode (CR0.PE, EFLAGS.VM), which changes whether type checks apply. */
export function refreshSegmentRanges(): void {
  for (let s: i32 = 0; s < 6; s++) {
    let p = OFF_SEGS + <u32>s * SEG_SIZE;
    let attr = load<u32>(p + SEGF_ATTR);
    setSegmentCache(s, load<u32>(p + SEGF_SEL), load<u32>(p + SEGF_BASE), load<u32>(p + SEGF_LIMIT), attr, (attr & ATTR_VALID) != 0);
  }
}

/** Real-mode and virtual-8086 segment load: base = selector * 16 (SDM vol. 3 §20.1.1).
 *  Real mode keeps the cached limit and attributes ("unreal mode"); v8086 mode
 *  sets a 64 KiB DPL-3 data segment (SDM vol. 3 §20.2.1). */
export function loadSegmentReal(seg: i32, sel: u32): void {
  sel &= 0xffff;
  if (v86Mode()) {
    let attr: u32 = ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | (3 << ATTR_DPL_SHIFT) | (seg == S_CS ? ATTR_CODE : 0);
    setSegmentCache(seg, sel, sel << 4, 0xffff, attr, true);
  } else {
    let attr = segAttr(seg);
    setSegmentCache(seg, sel, sel << 4, segLimit(seg), attr | ATTR_P | ATTR_S, true);
  }
  if (seg == S_CS) csChanged();
}

/** Read the 8-byte descriptor for `sel` from the GDT or LDT into descLo/descHi.
 *  Returns false (with no fault raised) when the selector is outside the table's limit. */
export let descLo: u32 = 0;
export let descHi: u32 = 0;
export function readDescriptor(sel: u32): bool {
  let base: u32, limit: u32;
  if (sel & 4) {
    if (!(segAttr(S_LDTR) & ATTR_VALID)) return false;
    base = segBase(S_LDTR); limit = segLimit(S_LDTR);
  } else {
    base = load<u32>(OFF_GDTR_BASE); limit = load<u32>(OFF_GDTR_LIMIT);
  }
  let idx = sel & 0xfff8;
  if (idx + 7 > limit) return false;
  descLo = readSys32(base + idx);
  descHi = readSys32(base + idx + 4);
  return true;
}

/** Set the accessed bit of the descriptor just read (SDM vol. 3 §3.4.5 type field). */
export function setAccessed(sel: u32): void {
  if (descHi & (1 << 8)) return;
  descHi |= 1 << 8;
  let base = (sel & 4) ? segBase(S_LDTR) : load<u32>(OFF_GDTR_BASE);
  writeSys8(base + (sel & 0xfff8) + 5, (descHi >> 8) & 0xff);
}

@inline export function descBase(lo: u32, hi: u32): u32 { return (lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000); }
@inline export function descLimit(lo: u32, hi: u32): u32 {
  let l = (lo & 0xffff) | (hi & 0xf0000);
  return (hi & (1 << 23)) ? (l << 12) | 0xfff : l;
}
@inline export function descAttr(hi: u32): u32 { return (hi >> 8) & 0xf0ff; }

/** MOV/POP/LDS etc. into DS, ES, FS, GS or SS. Raises the fault and returns false
 *  when the selector may not be loaded (SDM vol. 2 MOV "Protected Mode Exceptions"). */
export function loadSegment(seg: i32, sel: u32): bool {
  sel &= 0xffff;
  if (!pmodeNotV86()) { loadSegmentReal(seg, sel); return true; }
  let cpl = getCpl();
  let rpl = sel & 3;
  if ((sel & 0xfffc) == 0) {
    if (seg == S_SS) { raiseGP(0); return false; }
    // A null selector may be loaded into DS/ES/FS/GS; using it faults.
    setSegmentCache(seg, sel, 0, 0, 0, false);
    return true;
  }
  if (!readDescriptor(sel)) { raiseGP(sel & 0xfffc); return false; }
  if (faultPending) return false; // #PF reading the descriptor table
  let attr = descAttr(descHi);
  let dpl = (attr >> ATTR_DPL_SHIFT) & 3;
  if (seg == S_SS) {
    // writable data segment with RPL = DPL = CPL
    if (!(attr & ATTR_S) || (attr & ATTR_CODE) || !(attr & ATTR_RW) || rpl != cpl || dpl != cpl) {
      raiseGP(sel & 0xfffc); return false;
    }
    if (!(attr & ATTR_P)) { raiseSS(sel & 0xfffc); return false; }
  } else {
    // data or readable code; for data and non-conforming code, DPL >= max(CPL, RPL)
    if (!(attr & ATTR_S) || ((attr & ATTR_CODE) && !(attr & ATTR_RW))) { raiseGP(sel & 0xfffc); return false; }
    let conformingCode = (attr & ATTR_CODE) != 0 && (attr & ATTR_CE) != 0;
    if (!conformingCode && (rpl > dpl || cpl > dpl)) { raiseGP(sel & 0xfffc); return false; }
    if (!(attr & ATTR_P)) { raiseNP(sel & 0xfffc); return false; }
  }
  setAccessed(sel);
  setSegmentCache(seg, sel, descBase(descLo, descHi), descLimit(descLo, descHi), descAttr(descHi), true);
  return true;
}

/** After any change to CS: refresh the decoder's default size and drop the fetch cache. */
export function csChanged(): void {
  setCsDefault32((segAttr(S_CS) & ATTR_DB) != 0 && !v86Mode() && protectedMode());
  invalidateFetchCache();
}

export function setCpl(cpl: u32): void {
  let old = load<u32>(OFF_CPL);
  if (old != cpl) recordEvent(EV_RING, old, cpl, 0);
  store<u32>(OFF_CPL, cpl);
  cplChanged();
}

import { setUserMode } from "../mmu/paging";
export function cplChanged(): void {
  setUserMode(getCpl() == 3);
}


// --- helpers for protected-mode control transfers (farjump.ts, idt.ts, task.ts) ---

/** Load a segment register from a descriptor that the caller has checked. */
export function loadSegmentDesc(seg: i32, sel: u32, lo: u32, hi: u32): void {
  setSegmentCache(seg, sel, descBase(lo, hi), descLimit(lo, hi), descAttr(hi), true);
}

/** Load CS from a checked code descriptor with RPL = `cpl`, and make `cpl` current.
 *  The decoder's default size and fetch cache follow (csChanged). The CPL
 *  changes first, so that a ring event names the CS:EIP it left. */
export function loadCodeSegment(sel: u32, lo: u32, hi: u32, cpl: u32): void {
  if (getCpl() != cpl) setCpl(cpl);
  setSegmentCache(S_CS, (sel & 0xfffc) | cpl, descBase(lo, hi), descLimit(lo, hi), descAttr(hi), true);
  csChanged();
}

/** Set the accessed bit of the descriptor `hi` for `sel` in its table, if clear
 *  (SDM vol. 3 §3.4.5.1: set when the selector is loaded into a segment register). */
export function markAccessed(sel: u32, hi: u32): void {
  if (hi & (1 << 8)) return;
  let base = (sel & 4) ? segBase(S_LDTR) : load<u32>(OFF_GDTR_BASE);
  writeSys8(base + (sel & 0xfff8) + 5, ((hi >> 8) & 0xff) | 1);
}

/** A far RET or IRET to an outer privilege level: ES, DS, FS and GS are nulled when
 *  they hold a data or non-conforming code segment with DPL < the new CPL
 *  (SDM vol. 2 RET, IRET: "RETURN-TO-OUTER-PRIVILEGE-LEVEL"). */
export function nullInaccessibleDataSegments(cpl: u32): void {
  for (let s: i32 = 0; s < 6; s++) {
    if (s == S_CS || s == S_SS) continue;
    let attr = segAttr(s);
    if (!(attr & ATTR_VALID)) continue;
    let conformingCode = (attr & ATTR_CODE) != 0 && (attr & ATTR_CE) != 0;
    if (!conformingCode && ((attr >> ATTR_DPL_SHIFT) & 3) < cpl) setSegmentCache(s, 0, 0, 0, 0, false);
  }
}
