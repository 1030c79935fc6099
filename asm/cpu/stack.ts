// Stack instructions (SDM vol. 1 §6.2, vol. 2 PUSH, POP, PUSHA, POPA, PUSHF, POPF,
// ENTER, LEAVE). Segment-register pushes and pops are here too; loading the
// selector goes through segments.ts.

import {
  R_ESP, OFF_EFLAGS, OFF_INHIBIT_IRQ, S_SS, VM, RF, IF, IOPL_MASK, VIP, VIF, AC, ID, NT, TF, DF, ARITH_FLAGS,
  reg16, reg32, setReg16, setReg32, segSel, getCpl,
} from "./state";
import { opcode, imm, modrm, readE16, readE32, writeE16, writeE32, isRegForm, eaSeg, eaOff, setOpcode } from "./decode";
import { push16, push32, pop16, pop32, getSP, setSP } from "./mem";
import { getEflags, setArithFlags } from "./flags";
import { faultPending, raiseGP } from "./fault";
import { loadSegment, protectedMode, v86Mode } from "./segments";

export function push_reg16(): void { push16(reg16(opcode & 7)); }
export function push_reg32(): void { push32(reg32(opcode & 7)); }
/** POP r: ESP is incremented before the register is written, so POP ESP
 *  loads the popped value (SDM vol. 2 POP). */
export function pop_reg16(): void { let v = pop16(); if (faultPending) return; setReg16(opcode & 7, v); }
export function pop_reg32(): void { let v = pop32(); if (faultPending) return; setReg32(opcode & 7, v); }
export function push_Iv16(): void { push16(imm); }
export function push_Iv32(): void { push32(imm); }
export function push_Ev16(): void { let v = readE16(); if (faultPending) return; push16(v); }
export function push_Ev32(): void { let v = readE32(); if (faultPending) return; push32(v); }

/** POP r/m: the address is computed after ESP is incremented (SDM vol. 2 POP). */
export function pop_Ev16(): void {
  let v = pop16();
  if (faultPending) return;
  if (isRegForm()) { setReg16(modrm & 7, v); return; }
  reEvaluateEA();
  writeE16(v);
}
export function pop_Ev32(): void {
  let v = pop32();
  if (faultPending) return;
  if (isRegForm()) { setReg32(modrm & 7, v); return; }
  reEvaluateEA();
  writeE32(v);
}
import { reEvaluateEA } from "./decode";

// Segment registers: PUSH pushes the selector (a 32-bit push writes 2 or 4 bytes;
// we write 4 with the upper half zero, as P6 does not guarantee either).
function pushSeg(seg: i32, o32: bool): void { if (o32) push32(segSel(seg)); else push16(segSel(seg)); }
function popSeg(seg: i32, o32: bool): void {
  let sp = getSP();
  let v = o32 ? pop32() : pop16();
  if (faultPending) return;
  if (!loadSegment(seg, v & 0xffff)) { setSP(sp); return; }
  if (seg == S_SS) store<u32>(OFF_INHIBIT_IRQ, 1);
}
export function push_ES16(): void { pushSeg(0, false); }
export function push_ES32(): void { pushSeg(0, true); }
export function push_CS16(): void { pushSeg(1, false); }
export function push_CS32(): void { pushSeg(1, true); }
export function push_SS16(): void { pushSeg(2, false); }
export function push_SS32(): void { pushSeg(2, true); }
export function push_DS16(): void { pushSeg(3, false); }
export function push_DS32(): void { pushSeg(3, true); }
export function push_FS16(): void { pushSeg(4, false); }
export function push_FS32(): void { pushSeg(4, true); }
export function push_GS16(): void { pushSeg(5, false); }
export function push_GS32(): void { pushSeg(5, true); }
export function pop_ES16(): void { popSeg(0, false); }
export function pop_ES32(): void { popSeg(0, true); }
export function pop_SS16(): void { popSeg(2, false); }
export function pop_SS32(): void { popSeg(2, true); }
export function pop_DS16(): void { popSeg(3, false); }
export function pop_DS32(): void { popSeg(3, true); }
export function pop_FS16(): void { popSeg(4, false); }
export function pop_FS32(): void { popSeg(4, true); }
export function pop_GS16(): void { popSeg(5, false); }
export function pop_GS32(): void { popSeg(5, true); }

// PUSHF/POPF (SDM vol. 2 PUSHF, POPF; vol. 3 §20.2.7 for virtual-8086 mode).
@inline function iopl(): u32 { return (load<u32>(OFF_EFLAGS) & IOPL_MASK) >> 12; }

export function pushf16(): void {
  if (v86Mode() && iopl() < 3) { raiseGP(0); return; }
  push16(getEflags() & 0xffff);
}
export function pushf32(): void {
  if (v86Mode() && iopl() < 3) { raiseGP(0); return; }
  push32(getEflags() & ~(VM | RF) & 0x3f7fd7);
}

/** Write EFLAGS from a POPF/IRET-style value, changing only the bits in `mask`. */
export function writeEflagsMasked(v: u32, mask: u32): void {
  let old = getEflags();
  let nv = (old & ~mask) | (v & mask);
  nv = (nv & 0x3f7fd5) | 2; // reserved bits: 1 set, 3 5 15 22+ clear
  store<u32>(OFF_EFLAGS, nv);
  setArithFlags(0, 0); // lazy state was folded by getEflags
}

function popfCommon(v: u32, o32: bool): void {
  let mask: u32 = ARITH_FLAGS | TF | DF | NT | IF | IOPL_MASK | (o32 ? (AC | ID) : 0);
  if (v86Mode()) {
    if (iopl() < 3) { raiseGP(0); return; }
    mask &= ~IOPL_MASK;
  } else if (protectedMode()) {
    let cpl = getCpl();
    if (cpl > 0) mask &= ~IOPL_MASK;
    if (cpl > iopl()) mask &= ~IF;
  }
  if (!o32) mask &= 0xffff;
  writeEflagsMasked(v, mask);
}
export function popf16(): void {
  if (v86Mode() && iopl() < 3) { raiseGP(0); return; }
  let v = pop16(); if (faultPending) return; popfCommon(v, false);
}
export function popf32(): void {
  if (v86Mode() && iopl() < 3) { raiseGP(0); return; }
  let v = pop32(); if (faultPending) return; popfCommon(v, true);
}

export { VIP, VIF, R_ESP, eaSeg, eaOff, setOpcode };
