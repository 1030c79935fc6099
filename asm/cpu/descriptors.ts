// Descriptor-table and selector instructions (SDM vol. 2 LGDT/LIDT, SGDT/SIDT,
// LLDT, LTR, SLDT, STR, LAR, LSL, VERR, VERW, ARPL; vol. 3 §2.4, §3.5, §5.10).

import { monitor, mwait } from "./sse";
import {
  OFF_GDTR_BASE, OFF_GDTR_LIMIT, OFF_IDTR_BASE, OFF_IDTR_LIMIT, S_LDTR, S_TR, ZF,
  ATTR_S, ATTR_CODE, ATTR_CE, ATTR_RW, ATTR_P, ATTR_DPL_SHIFT,
  segSel, getCpl, setReg32,
} from "./state";
import { raiseGP, raiseNP, raiseUD, faultPending } from "./fault";
import {
  opsize32, modrm, isRegForm, readE16, writeE16, readM16, readM32, writeM16, writeM32, writeG16, writeG32, readG16,
} from "./decode";
import { setArithFlags } from "./flags";
import {
  protectedMode, pmodeNotV86, readDescriptor, descLo, descHi, descAttr, descBase, descLimit,
  setSegmentCache,
} from "./segments";
import { writeSys8 } from "../mmu/linear";

/** CPL 0 required in protected mode (v8086 mode runs at CPL 3). */
@inline function privileged(): bool {
  if (protectedMode() && getCpl() != 0) { raiseGP(0); return false; }
  return true;
}

// --- LGDT / LIDT / SGDT / SIDT: m16&32; a 16-bit operand size uses 24 bits of base ---
function loadTableReg(baseOff: u32, limitOff: u32): void {
  if (isRegForm()) { raiseUD(); return; }
  if (!privileged()) return;
  let limit = readM16(0);
  let base = readM32(2);
  if (faultPending) return;
  store<u32>(limitOff, limit);
  store<u32>(baseOff, opsize32 ? base : base & 0xffffff);
}
export function lgdt_M16(): void { loadTableReg(OFF_GDTR_BASE, OFF_GDTR_LIMIT); }
export function lgdt_M32(): void { loadTableReg(OFF_GDTR_BASE, OFF_GDTR_LIMIT); }
export function lidt_M16(): void { loadTableReg(OFF_IDTR_BASE, OFF_IDTR_LIMIT); }
export function lidt_M32(): void { loadTableReg(OFF_IDTR_BASE, OFF_IDTR_LIMIT); }

/** SGDT/SIDT are not privileged. With a 16-bit operand size the top byte of the
 *  base is stored as 0 (80286-compatible form of older SDM editions; QEMU does so). */
function storeTableReg(baseOff: u32, limitOff: u32): void {
  if (isRegForm()) { raiseUD(); return; }
  let base = load<u32>(baseOff);
  writeM16(0, load<u32>(limitOff));
  writeM32(2, opsize32 ? base : base & 0xffffff);
}
export function sgdt_M16(): void { storeTableReg(OFF_GDTR_BASE, OFF_GDTR_LIMIT); }
export function sgdt_M32(): void { storeTableReg(OFF_GDTR_BASE, OFF_GDTR_LIMIT); }
// 0F 01 /1 with a register ModRM: C8 MONITOR, C9 MWAIT (sse.ts), else #UD.
export function sidt_M16(): void { if (isRegForm()) monitorMwait(); else storeTableReg(OFF_IDTR_BASE, OFF_IDTR_LIMIT); }
export function sidt_M32(): void { if (isRegForm()) monitorMwait(); else storeTableReg(OFF_IDTR_BASE, OFF_IDTR_LIMIT); }
function monitorMwait(): void {
  if (modrm == 0xc8) monitor(); else if (modrm == 0xc9) mwait(); else raiseUD();
}

// --- LLDT / LTR / SLDT / STR: protected mode only (#UD in real and v8086 mode) ---

/** SLDT/STR: a register destination with a 32-bit operand size is zero-extended. */
function storeSelector(v: u32): void {
  if (isRegForm() && opsize32) setReg32(modrm & 7, v);
  else writeE16(v);
}
export function sldt_Ew(): void { if (!pmodeNotV86()) { raiseUD(); return; } storeSelector(segSel(S_LDTR)); }
export function str_Ew(): void { if (!pmodeNotV86()) { raiseUD(); return; } storeSelector(segSel(S_TR)); }

export function lldt_Ew(): void {
  if (!pmodeNotV86()) { raiseUD(); return; }
  if (!privileged()) return;
  let sel = readE16();
  if (faultPending) return;
  if ((sel & 0xfffc) == 0) { setSegmentCache(S_LDTR, sel, 0, 0, 0, false); return; }
  if ((sel & 4) || !readDescriptor(sel)) { raiseGP(sel & 0xfffc); return; }
  if (faultPending) return;
  if (((descHi >> 8) & 0x1f) != 0x02) { raiseGP(sel & 0xfffc); return; }
  if (!(descHi & (1 << 15))) { raiseNP(sel & 0xfffc); return; }
  setSegmentCache(S_LDTR, sel, descBase(descLo, descHi), descLimit(descLo, descHi), descAttr(descHi), true);
}

/** LTR: an available TSS in the GDT, marked busy (SDM vol. 2 LTR). */
export function ltr_Ew(): void {
  if (!pmodeNotV86()) { raiseUD(); return; }
  if (!privileged()) return;
  let sel = readE16();
  if (faultPending) return;
  if ((sel & 0xfffc) == 0) { raiseGP(0); return; }
  if ((sel & 4) || !readDescriptor(sel)) { raiseGP(sel & 0xfffc); return; }
  if (faultPending) return;
  let type = (descHi >> 8) & 0x1f;
  if (type != 0x01 && type != 0x09) { raiseGP(sel & 0xfffc); return; }
  if (!(descHi & (1 << 15))) { raiseNP(sel & 0xfffc); return; }
  let lo = descLo, hi = descHi | (2 << 8);
  writeSys8(load<u32>(OFF_GDTR_BASE) + (sel & 0xfff8) + 5, (hi >> 8) & 0xff);
  if (faultPending) return;
  setSegmentCache(S_TR, sel, descBase(lo, hi), descLimit(lo, hi), descAttr(hi), true);
}

// --- LAR / LSL / VERR / VERW: ZF reports success (SDM vol. 2) ---

@inline function setZF(b: bool): void { setArithFlags(ZF, b ? ZF : 0); }

/** Read the descriptor for `sel` and apply the common visibility rule: not null,
 *  within its table, and for all but conforming code DPL >= CPL and DPL >= RPL.
 *  `types` is a bitmask of the system types (0-15) that are acceptable. */
function visible(sel: u32, types: u32): bool {
  if ((sel & 0xfffc) == 0) return false;
  if (!readDescriptor(sel)) return false;
  if (faultPending) return false;
  let a = descAttr(descHi);
  if (!(a & ATTR_S)) {
    if (!((types >> (a & 0xf)) & 1)) return false;
  } else if ((a & ATTR_CODE) && (a & ATTR_CE)) {
    return true;
  }
  let dpl = (a >> ATTR_DPL_SHIFT) & 3;
  return dpl >= getCpl() && dpl >= (sel & 3);
}
// LAR: TSS (1 3 9 B), LDT (2), call gates (4 C), task gate (5).
const LAR_TYPES: u32 = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 9) | (1 << 0xb) | (1 << 0xc);
// LSL: only the system types that have a limit: TSS and LDT.
const LSL_TYPES: u32 = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 9) | (1 << 0xb);

function lar(o32: bool): void {
  if (!pmodeNotV86()) { raiseUD(); return; }
  let sel = readE16();
  if (faultPending) return;
  let ok = visible(sel, LAR_TYPES);
  if (faultPending) return;
  if (ok) {
    // SDM vol. 2 LAR: 32-bit result masked by 00FxFF00H, bits 19:16 undefined;
    // they read as 0 here, as in QEMU.
    if (o32) writeG32(descHi & 0x00f0ff00); else writeG16(descHi & 0xff00);
  }
  setZF(ok);
}
export function lar_Gv_Ew16(): void { lar(false); }
export function lar_Gv_Ew32(): void { lar(true); }

function lsl(o32: bool): void {
  if (!pmodeNotV86()) { raiseUD(); return; }
  let sel = readE16();
  if (faultPending) return;
  let ok = visible(sel, LSL_TYPES);
  if (faultPending) return;
  if (ok) {
    let limit = descLimit(descLo, descHi);
    if (o32) writeG32(limit); else writeG16(limit);
  }
  setZF(ok);
}
export function lsl_Gv_Ew16(): void { lsl(false); }
export function lsl_Gv_Ew32(): void { lsl(true); }

/** VERR: a readable code or any data segment visible at CPL/RPL. */
export function verr_Ew(): void {
  if (!pmodeNotV86()) { raiseUD(); return; }
  let sel = readE16();
  if (faultPending) return;
  let ok = visible(sel, 0);
  if (faultPending) return;
  let a = descAttr(descHi);
  setZF(ok && (a & ATTR_S) != 0 && (!(a & ATTR_CODE) || (a & ATTR_RW) != 0));
}
/** VERW: a writable data segment visible at CPL/RPL. */
export function verw_Ew(): void {
  if (!pmodeNotV86()) { raiseUD(); return; }
  let sel = readE16();
  if (faultPending) return;
  let ok = visible(sel, 0);
  if (faultPending) return;
  let a = descAttr(descHi);
  setZF(ok && (a & ATTR_S) != 0 && !(a & ATTR_CODE) && (a & ATTR_RW) != 0);
}

/** ARPL r/m16, r16: raise the RPL of the destination to that of the source. */
export function arpl_Ew_Gw(): void {
  if (!pmodeNotV86()) { raiseUD(); return; }
  let d = readE16();
  if (faultPending) return;
  let src = readG16();
  if ((d & 3) < (src & 3)) {
    writeE16((d & 0xfffc) | (src & 3));
    if (faultPending) return;
    setZF(true);
  } else setZF(false);
}
