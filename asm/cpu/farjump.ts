// Far JMP, CALL and RET (SDM vol. 2 JMP, CALL, RET; vol. 3 §5.8 privilege checks
// for control transfers, §5.8.3-5.8.6 call gates and stack switching, §7.3 task
// switches through TSS descriptors and task gates). Real-address and
// virtual-8086 mode transfers load CS as base = selector * 16.

import {
  S_CS, S_SS, R_ESP, ATTR_S, ATTR_CODE, ATTR_CE, ATTR_P, ATTR_DPL_SHIFT,
  segSel, segLimit, getCpl, getEip, setEip, reg32, setReg32,
} from "./state";
import { raiseGP, raiseNP, raiseUD, faultPending } from "./fault";
import { opsize32, imm, fetch16, fetch32, isRegForm, readM16, readM32 } from "./decode";
import { read16, read32 } from "./mem";
import {
  pmodeNotV86, loadSegmentReal, readDescriptor, descLo, descHi, descAttr, descBase, descLimit,
  loadCodeSegment, loadSegmentDesc, markAccessed, nullInaccessibleDataSegments,
} from "./segments";
import {
  stackUse, stackUseCurrent, stackRoomPush, stackRoomPop, stackPush, stackPop, stackSkip, stackEsp,
  readTssStack, tssSS, tssESP, checkInnerSS, ssLo, ssHi, stSp,
} from "./pmstack";
import { checkOuterSS } from "./idt";
import { taskSwitch, SWITCH_JMP, SWITCH_CALL } from "./task";

@inline function dplOf(attr: u32): u32 { return (attr >> ATTR_DPL_SHIFT) & 3; }

// --- instruction handlers ---

/** JMP ptr16:16 / ptr16:32 */
export function jmp_far_Ap16(): void { let off = fetch16(); let sel = fetch16(); jmpFar(sel, off); }
export function jmp_far_Ap32(): void { let off = fetch32(); let sel = fetch16(); jmpFar(sel, off); }
/** CALL ptr16:16 / ptr16:32 */
export function call_far_Ap16(): void { let off = fetch16(); let sel = fetch16(); callFar(sel, off); }
export function call_far_Ap32(): void { let off = fetch32(); let sel = fetch16(); callFar(sel, off); }
/** JMP/CALL m16:16 / m16:32; a register operand is #UD. */
export function jmp_far_Mp16(): void {
  if (isRegForm()) { raiseUD(); return; }
  let off = readM16(0), sel = readM16(2);
  if (!faultPending) jmpFar(sel, off);
}
export function jmp_far_Mp32(): void {
  if (isRegForm()) { raiseUD(); return; }
  let off = readM32(0), sel = readM16(4);
  if (!faultPending) jmpFar(sel, off);
}
export function call_far_Mp16(): void {
  if (isRegForm()) { raiseUD(); return; }
  let off = readM16(0), sel = readM16(2);
  if (!faultPending) callFar(sel, off);
}
export function call_far_Mp32(): void {
  if (isRegForm()) { raiseUD(); return; }
  let off = readM32(0), sel = readM16(4);
  if (!faultPending) callFar(sel, off);
}
/** RET far, RET far imm16 */
export function retf16(): void { retFar(false, 0); }
export function retf32(): void { retFar(true, 0); }
export function retf_Iw16(): void { retFar(false, imm & 0xffff); }
export function retf_Iw32(): void { retFar(true, imm & 0xffff); }

// --- real-address and virtual-8086 mode ---

export function jmpFar(sel: u32, off: u32): void {
  if (pmodeNotV86()) { jmpFarProtected(sel, off); return; }
  if (off > segLimit(S_CS)) { raiseGP(0); return; }
  loadSegmentReal(S_CS, sel);
  setEip(off);
}

export function callFar(sel: u32, off: u32): void {
  if (pmodeNotV86()) { callFarProtected(sel, off); return; }
  let o32 = opsize32;
  stackUseCurrent(0);
  if (!stackRoomPush(o32 ? 8 : 4)) return;
  if (off > segLimit(S_CS)) { raiseGP(0); return; }
  stackPush(segSel(S_CS), o32);
  stackPush(getEip(), o32);
  if (faultPending) return;
  setReg32(R_ESP, stackEsp(reg32(R_ESP)));
  loadSegmentReal(S_CS, sel);
  setEip(off);
}

function retFar(o32: bool, n: u32): void {
  if (pmodeNotV86()) { retFarProtected(o32, n); return; }
  stackUseCurrent(0);
  if (!stackRoomPop(o32 ? 8 : 4)) return;
  let off = stackPop(o32);
  let sel = stackPop(o32) & 0xffff;
  if (faultPending) return;
  if (off > segLimit(S_CS)) { raiseGP(0); return; }
  stackSkip(n);
  setReg32(R_ESP, stackEsp(reg32(R_ESP)));
  loadSegmentReal(S_CS, sel);
  setEip(off);
}

// --- protected mode ---

/** Checks shared by JMP and CALL to a code segment (SDM vol. 3 §5.8.1-5.8.2):
 *  conforming DPL <= CPL; non-conforming RPL <= CPL and DPL = CPL. */
function codeTargetOk(sel: u32, attr: u32, cpl: u32): bool {
  let dpl = dplOf(attr);
  if ((attr & ATTR_CE) ? dpl > cpl : ((sel & 3) > cpl || dpl != cpl)) { raiseGP(sel & 0xfffc); return false; }
  if (!(attr & ATTR_P)) { raiseNP(sel & 0xfffc); return false; }
  return true;
}

/** A JMP/CALL to a TSS descriptor or through a task gate (SDM vol. 2 JMP, CALL:
 *  TASK-GATE, TASK-STATE-SEGMENT). `sel`/`lo`/`hi` name the gate or TSS. */
function farToTask(sel: u32, lo: u32, hi: u32, reason: u32): void {
  let cpl = getCpl();
  let attr = descAttr(hi);
  let dpl = dplOf(attr);
  if (dpl < cpl || dpl < (sel & 3)) { raiseGP(sel & 0xfffc); return; }
  let tss = sel, tLo = lo, tHi = hi;
  if ((attr & 0xf) == 5) {
    if (!(attr & ATTR_P)) { raiseNP(sel & 0xfffc); return; }
    tss = lo >>> 16;
    if ((tss & 4) || !readDescriptor(tss)) { raiseGP(tss & 0xfffc); return; }
    if (faultPending) return;
    tLo = descLo; tHi = descHi;
  }
  let type = (tHi >> 8) & 0x1f;
  if ((tss & 4) || (type != 0x01 && type != 0x09)) { raiseGP(tss & 0xfffc); return; }
  if (!(tHi & (1 << 15))) { raiseNP(tss & 0xfffc); return; }
  taskSwitch(tss, tLo, tHi, reason, 0);
}

export function jmpFarProtected(sel: u32, off: u32): void {
  let cpl = getCpl();
  if ((sel & 0xfffc) == 0) { raiseGP(0); return; }
  if (!readDescriptor(sel)) { raiseGP(sel & 0xfffc); return; }
  if (faultPending) return;
  let lo = descLo, hi = descHi;
  let attr = descAttr(hi);
  if (attr & ATTR_S) {
    if (!(attr & ATTR_CODE)) { raiseGP(sel & 0xfffc); return; }
    if (!codeTargetOk(sel, attr, cpl)) return;
    if (off > descLimit(lo, hi)) { raiseGP(0); return; }
    markAccessed(sel, hi);
    loadCodeSegment(sel, lo, hi | (1 << 8), cpl);
    setEip(off);
    return;
  }
  let type = attr & 0xf;
  if (type == 0x4 || type == 0xc) {
    // Call gate: JMP stays at CPL (SDM vol. 3 §5.8.4, table 5-2).
    let gdpl = dplOf(attr);
    if (gdpl < cpl || (sel & 3) > gdpl) { raiseGP(sel & 0xfffc); return; }
    if (!(attr & ATTR_P)) { raiseNP(sel & 0xfffc); return; }
    let csel = lo >>> 16;
    let goff = type == 0xc ? (lo & 0xffff) | (hi & 0xffff0000) : lo & 0xffff;
    if ((csel & 0xfffc) == 0) { raiseGP(0); return; }
    if (!readDescriptor(csel)) { raiseGP(csel & 0xfffc); return; }
    if (faultPending) return;
    let cLo = descLo, cHi = descHi;
    let cAttr = descAttr(cHi);
    let cdpl = dplOf(cAttr);
    if (!(cAttr & ATTR_S) || !(cAttr & ATTR_CODE) || ((cAttr & ATTR_CE) ? cdpl > cpl : cdpl != cpl)) {
      raiseGP(csel & 0xfffc); return;
    }
    if (!(cAttr & ATTR_P)) { raiseNP(csel & 0xfffc); return; }
    if (goff > descLimit(cLo, cHi)) { raiseGP(0); return; }
    markAccessed(csel, cHi);
    loadCodeSegment(csel, cLo, cHi | (1 << 8), cpl);
    setEip(goff);
    return;
  }
  if (type == 0x5 || type == 0x1 || type == 0x9) { farToTask(sel, lo, hi, SWITCH_JMP); return; }
  raiseGP(sel & 0xfffc);
}

export function callFarProtected(sel: u32, off: u32): void {
  let cpl = getCpl();
  let o32 = opsize32;
  if ((sel & 0xfffc) == 0) { raiseGP(0); return; }
  if (!readDescriptor(sel)) { raiseGP(sel & 0xfffc); return; }
  if (faultPending) return;
  let lo = descLo, hi = descHi;
  let attr = descAttr(hi);
  if (attr & ATTR_S) {
    if (!(attr & ATTR_CODE)) { raiseGP(sel & 0xfffc); return; }
    if (!codeTargetOk(sel, attr, cpl)) return;
    stackUseCurrent(0);
    if (!stackRoomPush(o32 ? 8 : 4)) return;
    if (off > descLimit(lo, hi)) { raiseGP(0); return; }
    stackPush(segSel(S_CS), o32);
    stackPush(getEip(), o32);
    if (faultPending) return;
    setReg32(R_ESP, stackEsp(reg32(R_ESP)));
    markAccessed(sel, hi);
    loadCodeSegment(sel, lo, hi | (1 << 8), cpl);
    setEip(off);
    return;
  }
  let type = attr & 0xf;
  if (type == 0x5 || type == 0x1 || type == 0x9) { farToTask(sel, lo, hi, SWITCH_CALL); return; }
  if (type != 0x4 && type != 0xc) { raiseGP(sel & 0xfffc); return; }
  // Call gate (SDM vol. 2 CALL, CALL-GATE; vol. 3 §5.8.5).
  let gdpl = dplOf(attr);
  if (gdpl < cpl || (sel & 3) > gdpl) { raiseGP(sel & 0xfffc); return; }
  if (!(attr & ATTR_P)) { raiseNP(sel & 0xfffc); return; }
  let gate32 = type == 0xc;
  let count = hi & 0x1f;
  let csel = lo >>> 16;
  let goff = gate32 ? (lo & 0xffff) | (hi & 0xffff0000) : lo & 0xffff;
  if ((csel & 0xfffc) == 0) { raiseGP(0); return; }
  if (!readDescriptor(csel)) { raiseGP(csel & 0xfffc); return; }
  if (faultPending) return;
  let cLo = descLo, cHi = descHi;
  let cAttr = descAttr(cHi);
  let cdpl = dplOf(cAttr);
  if (!(cAttr & ATTR_S) || !(cAttr & ATTR_CODE) || cdpl > cpl) { raiseGP(csel & 0xfffc); return; }
  if (!(cAttr & ATTR_P)) { raiseNP(csel & 0xfffc); return; }
  let size: u32 = gate32 ? 4 : 2;
  if (!(cAttr & ATTR_CE) && cdpl < cpl) {
    // MORE-PRIVILEGE: new stack from the TSS, parameters copied (figure 5-13).
    let newCpl = cdpl;
    if (!readTssStack(newCpl, 0)) return;
    let nss = tssSS, nesp = tssESP;
    if (!checkInnerSS(nss, newCpl, 0)) return;
    let sLo = ssLo, sHi = ssHi;
    stackUse(descBase(sLo, sHi), descLimit(sLo, sHi), descAttr(sHi), nesp, false, nss & 0xfffc);
    if (!stackRoomPush((4 + count) * size)) return;
    if (goff > descLimit(cLo, cHi)) { raiseGP(0); return; }
    let oldEsp = reg32(R_ESP);
    stackPush(segSel(S_SS), gate32);
    stackPush(oldEsp, gate32);
    // Parameters from the caller's stack (checked against its SS limit, #SS(0)).
    let ospMask: u32 = (segLimitBig()) ? 0xffffffff : 0xffff;
    for (let i = <i32>count - 1; i >= 0; i--) {
      let a = (oldEsp + <u32>i * size) & ospMask;
      let v = gate32 ? read32(S_SS, a) : read16(S_SS, a);
      stackPush(v, gate32);
    }
    stackPush(segSel(S_CS), gate32);
    stackPush(getEip(), gate32);
    if (faultPending) return;
    let newEsp = stSp;
    markAccessed(nss, sHi);
    loadSegmentDesc(S_SS, nss, sLo, sHi | (1 << 8));
    setReg32(R_ESP, (sHi & (1 << 22)) ? newEsp : (nesp & 0xffff0000) | (newEsp & 0xffff));
    markAccessed(csel, cHi);
    loadCodeSegment(csel, cLo, cHi | (1 << 8), newCpl);
    setEip(goff);
    return;
  }
  // SAME-PRIVILEGE through the gate: the gate size sets the push size.
  stackUseCurrent(0);
  if (!stackRoomPush(2 * size)) return;
  if (goff > descLimit(cLo, cHi)) { raiseGP(0); return; }
  stackPush(segSel(S_CS), gate32);
  stackPush(getEip(), gate32);
  if (faultPending) return;
  setReg32(R_ESP, stackEsp(reg32(R_ESP)));
  markAccessed(csel, cHi);
  loadCodeSegment(csel, cLo, cHi | (1 << 8), cpl);
  setEip(goff);
}

import { segAttr, ATTR_DB } from "./state";
@inline function segLimitBig(): bool { return (segAttr(S_SS) & ATTR_DB) != 0; }

function retFarProtected(o32: bool, n: u32): void {
  let cpl = getCpl();
  stackUseCurrent(0);
  if (!stackRoomPop(o32 ? 8 : 4)) return;
  let nEip = stackPop(o32);
  let nCs = stackPop(o32) & 0xffff;
  if (faultPending) return;
  if ((nCs & 0xfffc) == 0) { raiseGP(0); return; }
  if (!readDescriptor(nCs)) { raiseGP(nCs & 0xfffc); return; }
  if (faultPending) return;
  let cLo = descLo, cHi = descHi;
  let cAttr = descAttr(cHi);
  let rpl = nCs & 3, dpl = dplOf(cAttr);
  if (!(cAttr & ATTR_S) || !(cAttr & ATTR_CODE) || rpl < cpl) { raiseGP(nCs & 0xfffc); return; }
  if ((cAttr & ATTR_CE) ? dpl > rpl : dpl != rpl) { raiseGP(nCs & 0xfffc); return; }
  if (!(cAttr & ATTR_P)) { raiseNP(nCs & 0xfffc); return; }
  if (rpl > cpl) {
    // RETURN-TO-OUTER-PRIVILEGE-LEVEL: skip the parameters, pop SS:ESP.
    stackSkip(n);
    if (!stackRoomPop(o32 ? 8 : 4)) return;
    let nEsp = stackPop(o32);
    let nSs = stackPop(o32) & 0xffff;
    if (faultPending) return;
    if (!checkOuterSS(nSs, rpl)) return;
    let sLo = descLo, sHi = descHi;
    if (nEip > descLimit(cLo, cHi)) { raiseGP(0); return; }
    markAccessed(nCs, cHi);
    loadCodeSegment(nCs, cLo, cHi | (1 << 8), rpl);
    markAccessed(nSs, sHi);
    loadSegmentDesc(S_SS, nSs, sLo, sHi | (1 << 8));
    let esp = (sHi & (1 << 22)) ? nEsp + n : (reg32(R_ESP) & 0xffff0000) | ((nEsp + n) & 0xffff);
    setReg32(R_ESP, esp);
    nullInaccessibleDataSegments(rpl);
    setEip(nEip);
    return;
  }
  if (nEip > descLimit(cLo, cHi)) { raiseGP(0); return; }
  stackSkip(n);
  setReg32(R_ESP, stackEsp(reg32(R_ESP)));
  markAccessed(nCs, cHi);
  loadCodeSegment(nCs, cLo, cHi | (1 << 8), cpl);
  setEip(nEip);
}
