// Protected-mode and virtual-8086-mode interrupt delivery through the IDT, and
// IRET in protected and virtual-8086 mode.
// SDM vol. 3 §6.10-6.14 (IDT, gates, privilege changes, error codes, flags),
// §7.3 (task gates), §20.3 (interrupts and IRET in virtual-8086 mode); the check
// order and error codes follow the pseudocode of INT n/INTO/INT3/INT1 and IRET in
// SDM vol. 2. With CR4.VME, a 16-bit IRET in v8086 mode at IOPL < 3 returns
// with VIF from the image's IF (§20.3.2); INT n's redirection is interrupts.ts.

import {
  OFF_IDTR_BASE, OFF_IDTR_LIMIT, OFF_EFLAGS, OFF_FLAGS_LAZY, watchTraps, S_CS, S_SS, S_DS, S_ES, S_FS, S_GS, S_TR, R_ESP,
  TF, IF, NT, RF, VM, AC, ID, VIF, VIP, IOPL_MASK, CF, PF, AF, ZF, SF, DF, OF, EFLAGS_BITS,
  ATTR_S, ATTR_CODE, ATTR_CE, ATTR_RW, ATTR_P, ATTR_DB, ATTR_DPL_SHIFT,
  CR4_VME, segSel, segBase, segLimit, getCpl, getEip, setEip, reg32, setReg32, cr4,
} from "./state";
import { raiseGP, raiseNP, raiseSS, raiseTS, faultPending } from "./fault";
import { readSys16, readSys32 } from "../mmu/linear";
import { getEflags } from "./flags";
import {
  readDescriptor, descLo, descHi, descAttr, descBase, descLimit, loadSegmentDesc, loadCodeSegment,
  loadSegmentReal, markAccessed, nullInaccessibleDataSegments, refreshSegmentRanges, setSegmentCache,
  setCpl, csChanged,
} from "./segments";
import {
  stackUse, stackUseCurrent, stackRoomPush, stackRoomPop, stackPush, stackPop, stackEsp,
  readTssStack, tssSS, tssESP, checkInnerSS, ssLo, ssHi,
} from "./pmstack";
import { taskSwitch, SWITCH_INT, SWITCH_IRET, taskEntryErrorCode } from "./task";
import { recordEvent, EV_V86 } from "./events";
import { nonRoot, vmxTaskSwitch } from "./vmxexit";

// How an interrupt came about; decides privilege checks and error codes.
export const INT_EXT: u32 = 0;       // external (PIC/APIC) or NMI
export const INT_SOFT: u32 = 1;      // INT n: gate DPL checked, IOPL-sensitive in v8086 mode
export const INT_EXC: u32 = 2;       // processor exception
export const INT_SOFT_EXC: u32 = 3;  // INT3, INTO: gate DPL checked, not IOPL-sensitive
export const INT_ICEBP: u32 = 4;     // INT1 (F1): delivered like an external event, no DPL check

/** Write all of EFLAGS (reserved bits forced) and drop the lazy-flag state. */
export function setEflagsRaw(v: u32): void {
  if ((load<u32>(OFF_EFLAGS) ^ v) & VM) recordEvent(EV_V86, v & VM ? 1 : 0, 0, 0);
  store<u32>(OFF_EFLAGS, (v & EFLAGS_BITS) | 2);
  store<u32>(OFF_FLAGS_LAZY, 0);
  if (v & (TF | RF)) watchTraps();
}

@inline function dplOf(attr: u32): u32 { return (attr >> ATTR_DPL_SHIFT) & 3; }

/** Deliver `vector` through the IDT (SDM vol. 2 INT n pseudocode, PROTECTED-MODE).
 *  The return address is the current EIP. On a fault, nothing outside the
 *  shadowed state has changed. */
export function deliverProtected(vector: u32, kind: u32, error: u32, hasError: bool): void {
  // SDM vol. 3 §6.13: EXT is set when the event is external to the program
  // (hardware interrupt, exception, INT1), clear for INT n / INT3 / INTO.
  let ext: u32 = (kind == INT_SOFT || kind == INT_SOFT_EXC) ? 0 : 1;
  let cpl = getCpl();
  let vm = (load<u32>(OFF_EFLAGS) & VM) != 0;
  let idtOff = vector << 3;
  let idtErr = idtOff | 2 | ext; // IDT bit set (SDM vol. 3 §6.13, figure 6-7)
  if (idtOff + 7 > load<u32>(OFF_IDTR_LIMIT)) { raiseGP(idtErr); return; }
  let ibase = load<u32>(OFF_IDTR_BASE);
  let gLo = readSys32(ibase + idtOff);
  let gHi = readSys32(ibase + idtOff + 4);
  if (faultPending) return;
  let gType = (gHi >> 8) & 0x1f; // S bit and type
  if (gType != 0x05 && gType != 0x06 && gType != 0x07 && gType != 0x0e && gType != 0x0f) { raiseGP(idtErr); return; }
  // Software interrupts may not reach a gate more privileged than CPL (SDM vol. 3 §6.12.1.1).
  if ((kind == INT_SOFT || kind == INT_SOFT_EXC) && ((gHi >> 13) & 3) < cpl) { raiseGP(idtErr); return; }
  if (!(gHi & (1 << 15))) { raiseNP(idtErr); return; }

  if (gType == 0x05) { interruptTaskGate(gLo >>> 16, ext, hasError, error); return; }

  let gate32 = (gType & 8) != 0;
  let trap = (gType & 1) != 0;
  let sel = gLo >>> 16;
  let off = gate32 ? (gLo & 0xffff) | (gHi & 0xffff0000) : gLo & 0xffff;
  if ((sel & 0xfffc) == 0) { raiseGP(ext); return; }
  if (!readDescriptor(sel)) { raiseGP((sel & 0xfffc) | ext); return; }
  if (faultPending) return;
  let cLo = descLo, cHi = descHi;
  let cAttr = descAttr(cHi);
  let dpl = dplOf(cAttr);
  if (!(cAttr & ATTR_S) || !(cAttr & ATTR_CODE) || dpl > cpl) { raiseGP((sel & 0xfffc) | ext); return; }
  if (!(cAttr & ATTR_P)) { raiseNP((sel & 0xfffc) | ext); return; }
  let size: u32 = gate32 ? 4 : 2;
  let oldEfl = getEflags();
  let newEfl = oldEfl & ~(TF | NT | RF | VM);
  if (!trap) newEfl &= ~IF;

  if (!(cAttr & ATTR_CE) && dpl < cpl) {
    // Inner privilege level: stack from the TSS (SDM vol. 3 §6.12.1, figure 6-4).
    // From virtual-8086 mode the handler must be at ring 0 (SDM vol. 3 §20.3.1.1).
    if (vm && dpl != 0) { raiseGP((sel & 0xfffc) | ext); return; }
    let newCpl = dpl;
    if (!readTssStack(newCpl, ext)) return;
    let nss = tssSS, nesp = tssESP;
    if (!checkInnerSS(nss, newCpl, ext)) return;
    let sLo = ssLo, sHi = ssHi;
    stackUse(descBase(sLo, sHi), descLimit(sLo, sHi), descAttr(sHi), nesp, false, (nss & 0xfffc) | ext);
    let words: u32 = (vm ? 9 : 5) + (hasError ? 1 : 0);
    if (!stackRoomPush(words * size)) return;
    if (off > descLimit(cLo, cHi)) { raiseGP(ext); return; }
    if (vm) {
      stackPush(segSel(S_GS), gate32);
      stackPush(segSel(S_FS), gate32);
      stackPush(segSel(S_DS), gate32);
      stackPush(segSel(S_ES), gate32);
    }
    stackPush(segSel(S_SS), gate32);
    stackPush(reg32(R_ESP), gate32);
    stackPush(oldEfl, gate32);
    stackPush(segSel(S_CS), gate32);
    stackPush(getEip(), gate32);
    if (hasError) stackPush(error, gate32);
    if (faultPending) return;
    // Commit: everything below cannot fault.
    setEflagsRaw(newEfl);
    if (vm) {
      for (let s: i32 = 0; s < 6; s++) {
        if (s == S_ES || s == S_DS || s == S_FS || s == S_GS) setSegmentCache(s, 0, 0, 0, 0, false);
      }
    }
    markAccessed(nss, sHi);
    loadSegmentDesc(S_SS, (nss & 0xfffc) | newCpl, sLo, sHi | (1 << 8));
    setReg32(R_ESP, stackEsp(nesp));
    markAccessed(sel, cHi);
    loadCodeSegment(sel, cLo, cHi | (1 << 8), newCpl);
    if (vm) refreshSegmentRanges();
    setEip(off);
    return;
  }
  // Same privilege level (conforming code, or DPL = CPL); never from v8086 mode.
  if (vm) { raiseGP((sel & 0xfffc) | ext); return; }
  stackUseCurrent(ext);
  if (!stackRoomPush((hasError ? 4 : 3) * size)) return;
  if (off > descLimit(cLo, cHi)) { raiseGP(ext); return; }
  stackPush(oldEfl, gate32);
  stackPush(segSel(S_CS), gate32);
  stackPush(getEip(), gate32);
  if (hasError) stackPush(error, gate32);
  if (faultPending) return;
  setEflagsRaw(newEfl);
  setReg32(R_ESP, stackEsp(reg32(R_ESP)));
  markAccessed(sel, cHi);
  loadCodeSegment(sel, cLo, cHi | (1 << 8), cpl);
  setEip(off);
}

/** Through a task gate (SDM vol. 2 INT n, TASK-GATE; vol. 3 §7.3): switch tasks,
 *  then push the error code on the new task's stack. */
function interruptTaskGate(tssSel: u32, ext: u32, hasError: bool, error: u32): void {
  if ((tssSel & 4) || !readDescriptor(tssSel)) { raiseGP((tssSel & 0xfffc) | ext); return; }
  if (faultPending) return;
  let lo = descLo, hi = descHi;
  let type = (hi >> 8) & 0x1f;
  if (type != 0x01 && type != 0x09) { raiseGP((tssSel & 0xfffc) | ext); return; } // busy or not a TSS
  if (!(hi & (1 << 15))) { raiseNP((tssSel & 0xfffc) | ext); return; }
  if (nonRoot()) { vmxTaskSwitch(tssSel, SWITCH_INT); return; } // a VM exit: no error code pushed
  taskSwitch(tssSel, lo, hi, SWITCH_INT, ext);
  if (faultPending) return;
  if (hasError) taskEntryErrorCode(error, (hi & (8 << 8)) != 0, ext);
}

// --- IRET (SDM vol. 2 IRET/IRETD) ---

@inline function iopl(): u32 { return (load<u32>(OFF_EFLAGS) & IOPL_MASK) >> 12; }

/** IRET in protected mode (CR0.PE = 1), including virtual-8086 mode. */
export function iretProtected(o32: bool): void {
  let efl = getEflags();
  if (efl & VM) { iretInV86(o32, efl); return; }
  if (efl & NT) { taskReturn(); return; }
  let cpl = getCpl();
  let size: u32 = o32 ? 4 : 2;
  stackUseCurrent(0);
  if (!stackRoomPop(3 * size)) return;
  let nEip = stackPop(o32);
  let nCs = stackPop(o32) & 0xffff;
  let nEfl = stackPop(o32);
  if (faultPending) return;
  if (o32 && (nEfl & VM) && cpl == 0) { iretToV86(nEip, nCs, nEfl); return; }
  if ((nCs & 0xfffc) == 0) { raiseGP(0); return; }
  if (!readDescriptor(nCs)) { raiseGP(nCs & 0xfffc); return; }
  if (faultPending) return;
  let cLo = descLo, cHi = descHi;
  let cAttr = descAttr(cHi);
  let rpl = nCs & 3;
  let dpl = dplOf(cAttr);
  if (!(cAttr & ATTR_S) || !(cAttr & ATTR_CODE) || rpl < cpl) { raiseGP(nCs & 0xfffc); return; }
  if ((cAttr & ATTR_CE) ? dpl > rpl : dpl != rpl) { raiseGP(nCs & 0xfffc); return; }
  if (!(cAttr & ATTR_P)) { raiseNP(nCs & 0xfffc); return; }
  if (!o32) nEip &= 0xffff;
  if (rpl > cpl) {
    // RETURN-TO-OUTER-PRIVILEGE-LEVEL
    if (!stackRoomPop(2 * size)) return;
    let nEsp = stackPop(o32);
    let nSs = stackPop(o32) & 0xffff;
    if (faultPending) return;
    if (!checkOuterSS(nSs, rpl)) return;
    let sLo = descLo, sHi = descHi;
    if (nEip > descLimit(cLo, cHi)) { raiseGP(0); return; }
    writeIretFlags(nEfl, o32, cpl);
    markAccessed(nCs, cHi);
    loadCodeSegment(nCs, cLo, cHi | (1 << 8), rpl);
    markAccessed(nSs, sHi);
    loadSegmentDesc(S_SS, nSs, sLo, sHi | (1 << 8));
    // A 16-bit outer stack gets only SP; ESP's upper half stays (SDM vol. 1 §6.2.3).
    let esp = (sHi & (1 << 22)) ? nEsp : (reg32(R_ESP) & 0xffff0000) | (nEsp & 0xffff);
    setReg32(R_ESP, esp);
    nullInaccessibleDataSegments(rpl);
    setEip(nEip);
    return;
  }
  // RETURN-TO-SAME-PRIVILEGE-LEVEL
  if (nEip > descLimit(cLo, cHi)) { raiseGP(0); return; }
  writeIretFlags(nEfl, o32, cpl);
  setReg32(R_ESP, stackEsp(reg32(R_ESP)));
  markAccessed(nCs, cHi);
  loadCodeSegment(nCs, cLo, cHi | (1 << 8), cpl);
  setEip(nEip);
}

/** The SS of a return to an outer level (IRET, far RET): writable data with
 *  RPL = DPL = the new CPL, present; descriptor left in descLo/descHi. */
export function checkOuterSS(sel: u32, rpl: u32): bool {
  if ((sel & 0xfffc) == 0) { raiseGP(0); return false; }
  if (!readDescriptor(sel)) { raiseGP(sel & 0xfffc); return false; }
  if (faultPending) return false;
  let a = descAttr(descHi);
  if ((sel & 3) != rpl || !(a & ATTR_S) || (a & ATTR_CODE) || !(a & ATTR_RW) || dplOf(a) != rpl) {
    raiseGP(sel & 0xfffc); return false;
  }
  if (!(a & ATTR_P)) { raiseSS(sel & 0xfffc); return false; }
  return true;
}

/** EFLAGS from an IRET image: IF only if CPL <= IOPL, IOPL (and VIF/VIP) only at
 *  CPL 0; a 16-bit IRET changes the low 16 bits only. `cpl` is the CPL before
 *  the return. */
function writeIretFlags(v: u32, o32: bool, cpl: u32): void {
  let mask: u32 = CF | PF | AF | ZF | SF | TF | DF | OF | NT;
  if (o32) mask |= RF | AC | ID;
  if (cpl <= iopl()) mask |= IF;
  if (cpl == 0) mask |= IOPL_MASK | (o32 ? (VIF | VIP) : 0);
  let old = getEflags();
  setEflagsRaw((old & ~mask) | (v & mask));
}

/** RETURN-TO-VIRTUAL-8086-MODE: from CPL 0 with VM set in the popped EFLAGS; the
 *  rest of the frame is ESP, SS, ES, DS, FS, GS (SDM vol. 3 §20.2.5). */
function iretToV86(nEip: u32, nCs: u32, nEfl: u32): void {
  if (!stackRoomPop(24)) return;
  let nEsp = stackPop(true);
  let nSs = stackPop(true);
  let nEs = stackPop(true);
  let nDs = stackPop(true);
  let nFs = stackPop(true);
  let nGs = stackPop(true);
  if (faultPending) return;
  setEflagsRaw(nEfl);
  setCpl(3);
  loadSegmentReal(S_CS, nCs);
  loadSegmentReal(S_SS, nSs);
  loadSegmentReal(S_ES, nEs);
  loadSegmentReal(S_DS, nDs);
  loadSegmentReal(S_FS, nFs);
  loadSegmentReal(S_GS, nGs);
  setReg32(R_ESP, nEsp);
  setEip(nEip & 0xffff);
  csChanged();
}

/** IRET inside virtual-8086 mode: a real-mode style return if IOPL = 3, which
 *  cannot change IOPL (or VM, VIF, VIP); #GP(0) otherwise (SDM vol. 3 §20.2.7),
 *  but for a 16-bit IRET with CR4.VME (iretV86Vme). */
function iretInV86(o32: bool, efl: u32): void {
  if (iopl() != 3) {
    if (!o32 && (cr4() & CR4_VME)) iretV86Vme(efl); else raiseGP(0);
    return;
  }
  let size: u32 = o32 ? 4 : 2;
  stackUseCurrent(0);
  if (!stackRoomPop(3 * size)) return;
  let nEip = stackPop(o32);
  let nCs = stackPop(o32) & 0xffff;
  let nEfl = stackPop(o32);
  if (faultPending) return;
  if (o32 && nEip > segLimit(S_CS)) { raiseGP(0); return; }
  let keep: u32 = VM | IOPL_MASK | VIF | VIP | (o32 ? 0 : 0xffff0000);
  setEflagsRaw((efl & keep) | (nEfl & ~keep));
  setReg32(R_ESP, stackEsp(reg32(R_ESP)));
  loadSegmentReal(S_CS, nCs);
  setEip(o32 ? nEip : nEip & 0xffff);
}

/** A 16-bit IRET in v8086 mode with CR4.VME and IOPL < 3 (SDM vol. 3 §20.3.2;
 *  the IRET pseudocode, as POPF's): #GP(0) if the image sets TF, or sets IF
 *  while VIP is set; otherwise FLAGS from the image but IF and IOPL, which
 *  stay, and the image's IF goes to VIF. */
function iretV86Vme(efl: u32): void {
  stackUseCurrent(0);
  if (!stackRoomPop(6)) return;
  let nIp = stackPop(false);
  let nCs = stackPop(false) & 0xffff;
  let nFl = stackPop(false);
  if (faultPending) return;
  if ((nFl & TF) || ((nFl & IF) && (efl & VIP))) { raiseGP(0); return; }
  let keep: u32 = ~0xffff | IF | IOPL_MASK;
  let nEfl = (efl & keep) | (nFl & ~keep);
  setEflagsRaw((nFl & IF) ? nEfl | VIF : nEfl & ~VIF);
  setReg32(R_ESP, stackEsp(reg32(R_ESP)));
  loadSegmentReal(S_CS, nCs);
  setEip(nIp & 0xffff);
}

/** IRET with NT = 1: return to the task named by the back-link of the current
 *  TSS, which must be a busy TSS in the GDT (SDM vol. 2 IRET, TASK-RETURN). */
function taskReturn(): void {
  let link = readSys16(segBase(S_TR));
  if (faultPending) return;
  if ((link & 4) || !readDescriptor(link)) { raiseTS(link & 0xfffc); return; }
  if (faultPending) return;
  let lo = descLo, hi = descHi;
  let type = (hi >> 8) & 0x1f;
  if (type != 0x03 && type != 0x0b) { raiseTS(link & 0xfffc); return; }
  if (!(hi & (1 << 15))) { raiseNP(link & 0xfffc); return; }
  taskSwitch(link, lo, hi, SWITCH_IRET, 0);
}

