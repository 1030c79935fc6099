// Hardware task switching (SDM vol. 3 ch. 7): 32-bit and 16-bit TSS formats
// (§7.2.1, §7.6), the switch itself (§7.3, steps 1-13), busy bits, NT and the
// back-link (§7.4). Callers (far JMP/CALL, task gates of the IDT, IRET with NT)
// have done the privilege, type and presence checks of their descriptor.
// Not modelled: the debug trap flag T of the new TSS (the #DB after the switch),
// the I/O map base is used by ioperm.ts only.

import { nonRoot, vmxTaskSwitch } from "./vmxexit";
import {
  OFF_EFLAGS, OFF_CR0, OFF_CR3, OFF_CR4, OFF_GDTR_BASE, CR0_PG, CR4_PAE, S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_LDTR, S_TR, R_ESP,
  CR0_TS, NT, VM, ATTR_S, ATTR_CODE, ATTR_CE, ATTR_RW, ATTR_P, ATTR_DPL_SHIFT,
  segSel, segBase, segLimit, segAttr, getEip, setEip, reg32, setReg32,
} from "./state";
import { raiseGP, raiseNP, raiseSS, raiseTS, faultPending } from "./fault";
import { readSys8, readSys16, readSys32, writeSys8, writeSys16, writeSys32 } from "../mmu/linear";
import { getEflags } from "./flags";
import {
  readDescriptor, descLo, descHi, descAttr, descBase, descLimit, setSegmentCache, loadSegmentDesc,
  loadSegmentReal, markAccessed, setCpl, csChanged, refreshSegmentRanges,
} from "./segments";
import { tlbFlush, loadPdptes } from "../mmu/paging";
import { commitShadow } from "./exec";
import { setEflagsRaw } from "./idt";
import { recordEvent, EV_TASK } from "./events";
import { stackUseCurrent, stackRoomPush, stackPush, stackEsp } from "./pmstack";

// Why the task switch happens (SDM vol. 3 table 7-2: busy, NT and link handling).
export const SWITCH_JMP: u32 = 0;
export const SWITCH_CALL: u32 = 1;
export const SWITCH_IRET: u32 = 2;
export const SWITCH_INT: u32 = 3;

// The new task's state, read before anything is written.
let nEip: u32 = 0;
let nEfl: u32 = 0;
let nCr3: u32 = 0;
let nLdt: u32 = 0;

const regsArr = new StaticArray<u32>(8);
const segsArr = new StaticArray<u32>(6);

/** Set or clear the busy bit (type bit 1) of the TSS descriptor for `sel` in the GDT. */
function setBusy(sel: u32, busy: bool): void {
  let p = load<u32>(OFF_GDTR_BASE) + (sel & 0xfff8) + 5;
  let b = readSys8(p);
  writeSys8(p, busy ? b | 2 : b & ~2);
}

/** Switch to the task whose TSS descriptor (`lo`, `hi`) is selected by `sel`.
 *  `ext` is the EXT bit for error codes of faults before the commit. */
export function taskSwitch(sel: u32, lo: u32, hi: u32, reason: u32, ext: u32): void {
  if (nonRoot()) { vmxTaskSwitch(sel, reason); return; }
  recordEvent(EV_TASK, sel, reason, 0);
  let new32 = (hi & (8 << 8)) != 0;
  let nBase = descBase(lo, hi), nLimit = descLimit(lo, hi);
  // Step 3: the new TSS must be at least 104 (32-bit) or 44 (16-bit) bytes.
  let minLimit: u32 = new32 ? 0x67 : 0x2b;
  if (nLimit < minLimit) { raiseTS((sel & 0xfffc) | ext); return; }
  let oldSel = segSel(S_TR), oBase = segBase(S_TR);
  let old32 = (segAttr(S_TR) & 8) != 0;
  let oldMin: u32 = old32 ? 0x5f : 0x29;
  if (segLimit(S_TR) < oldMin) { raiseTS((oldSel & 0xfffc) | ext); return; }

  // Read the new state first so that a #PF leaves everything unchanged (step 5).
  if (new32) {
    nCr3 = readSys32(nBase + 0x1c);
    nEip = readSys32(nBase + 0x20);
    nEfl = readSys32(nBase + 0x24);
    for (let i = 0; i < 8; i++) unchecked(regsArr[i] = readSys32(nBase + 0x28 + (<u32>i << 2)));
    for (let i = 0; i < 6; i++) unchecked(segsArr[i] = readSys16(nBase + 0x48 + (<u32>i << 2)));
    nLdt = readSys16(nBase + 0x60);
  } else {
    nEip = readSys16(nBase + 0x0e);
    nEfl = readSys16(nBase + 0x10);
    // Upper halves of the registers are undefined after a 16-bit TSS load; they
    // are set to ones as Bochs and QEMU do.
    for (let i = 0; i < 8; i++) unchecked(regsArr[i] = 0xffff0000 | readSys16(nBase + 0x12 + (<u32>i << 1)));
    for (let i = 0; i < 4; i++) unchecked(segsArr[i] = readSys16(nBase + 0x22 + (<u32>i << 1)));
    unchecked(segsArr[S_FS] = 0);
    unchecked(segsArr[S_GS] = 0);
    nLdt = readSys16(nBase + 0x2a);
  }
  if (faultPending) return;

  // Steps 6-8: save the current task in its TSS.
  let efl = getEflags();
  if (reason == SWITCH_IRET) efl &= ~NT;
  let eip = getEip();
  if (old32) {
    writeSys32(oBase + 0x20, eip);
    writeSys32(oBase + 0x24, efl);
    for (let i: u32 = 0; i < 8; i++) writeSys32(oBase + 0x28 + (i << 2), reg32(i));
    for (let i: i32 = 0; i < 6; i++) writeSys16(oBase + 0x48 + (<u32>i << 2), segSel(i));
  } else {
    writeSys16(oBase + 0x0e, eip);
    writeSys16(oBase + 0x10, efl);
    for (let i: u32 = 0; i < 8; i++) writeSys16(oBase + 0x12 + (i << 1), reg32(i));
    for (let i: i32 = 0; i < 4; i++) writeSys16(oBase + 0x22 + (<u32>i << 1), segSel(i));
  }
  if (faultPending) return;
  if (reason == SWITCH_JMP || reason == SWITCH_IRET) setBusy(oldSel, false);

  // Steps 9-11: link, NT, busy, TR.
  if (reason == SWITCH_CALL || reason == SWITCH_INT) {
    writeSys16(nBase, oldSel);
    nEfl |= NT;
  }
  if (reason != SWITCH_IRET) setBusy(sel, true);
  setSegmentCache(S_TR, sel, nBase, nLimit, descAttr(hi) | 2, true);
  store<u32>(OFF_CR0, load<u32>(OFF_CR0) | CR0_TS);

  // Step 12: load the new state. From here on faults belong to the new task.
  if (new32) {
    store<u32>(OFF_CR3, nCr3);
    tlbFlush(false);
    // PAE paging: the new CR3's PDPTEs, #GP(0) in the new task if one is reserved (SDM vol. 3 §4.4.1).
    if ((load<u32>(OFF_CR0) & CR0_PG) && (load<u32>(OFF_CR4) & CR4_PAE)) loadPdptes(nCr3);
  }
  setEflagsRaw(nEfl);
  setEip(nEip);
  for (let i: u32 = 0; i < 8; i++) setReg32(i, unchecked(regsArr[i]));
  let vm = (nEfl & VM) != 0;
  // Selectors first, descriptors not yet usable (step 13 qualifies them).
  setSegmentCache(S_LDTR, nLdt, 0, 0, 0, false);
  let cpl: u32 = vm ? 3 : unchecked(segsArr[S_CS]) & 3;
  setCpl(cpl);
  for (let s: i32 = 0; s < 6; s++) {
    let v = unchecked(segsArr[s]);
    if (vm) loadSegmentReal(s, v); else setSegmentCache(s, v, 0, 0, 0, false);
  }
  csChanged();
  commitShadow();
  if (vm) refreshSegmentRanges();

  // Step 13: LDTR, then the segment registers (SDM vol. 3 table 7-1).
  if (!loadTaskLdt(nLdt, ext)) return;
  if (!vm) {
    if (!loadTaskCs(unchecked(segsArr[S_CS]), ext)) return;
    if (!loadTaskSs(unchecked(segsArr[S_SS]), cpl, ext)) return;
    for (let s: i32 = 0; s < 6; s++) {
      if (s == S_CS || s == S_SS) continue;
      if (!loadTaskData(s, unchecked(segsArr[s]), cpl, ext)) return;
    }
  }
  if (getEip() > segLimit(S_CS)) { raiseGP(0); return; }
}

function loadTaskLdt(sel: u32, ext: u32): bool {
  if ((sel & 0xfffc) == 0) return true;
  if ((sel & 4) || !readDescriptor(sel)) { raiseTS((sel & 0xfffc) | ext); return false; }
  if (faultPending) return false;
  if (((descHi >> 8) & 0x1f) != 0x02) { raiseTS((sel & 0xfffc) | ext); return false; }
  if (!(descHi & (1 << 15))) { raiseTS((sel & 0xfffc) | ext); return false; }
  setSegmentCache(S_LDTR, sel, descBase(descLo, descHi), descLimit(descLo, descHi), descAttr(descHi), true);
  return true;
}

function loadTaskCs(sel: u32, ext: u32): bool {
  if ((sel & 0xfffc) == 0 || !readDescriptor(sel)) { raiseTS((sel & 0xfffc) | ext); return false; }
  if (faultPending) return false;
  let a = descAttr(descHi);
  let dpl = (a >> ATTR_DPL_SHIFT) & 3, rpl = sel & 3;
  if (!(a & ATTR_S) || !(a & ATTR_CODE) || ((a & ATTR_CE) ? dpl > rpl : dpl != rpl)) {
    raiseTS((sel & 0xfffc) | ext); return false;
  }
  if (!(a & ATTR_P)) { raiseNP((sel & 0xfffc) | ext); return false; }
  let lo = descLo, hi = descHi;
  markAccessed(sel, hi);
  loadSegmentDesc(S_CS, sel, lo, hi | (1 << 8));
  csChanged();
  return true;
}

function loadTaskSs(sel: u32, cpl: u32, ext: u32): bool {
  if ((sel & 0xfffc) == 0 || !readDescriptor(sel)) { raiseTS((sel & 0xfffc) | ext); return false; }
  if (faultPending) return false;
  let a = descAttr(descHi);
  if ((sel & 3) != cpl || ((a >> ATTR_DPL_SHIFT) & 3) != cpl || !(a & ATTR_S) || (a & ATTR_CODE) || !(a & ATTR_RW)) {
    raiseTS((sel & 0xfffc) | ext); return false;
  }
  if (!(a & ATTR_P)) { raiseSS((sel & 0xfffc) | ext); return false; }
  let lo = descLo, hi = descHi;
  markAccessed(sel, hi);
  loadSegmentDesc(S_SS, sel, lo, hi | (1 << 8));
  return true;
}

function loadTaskData(seg: i32, sel: u32, cpl: u32, ext: u32): bool {
  if ((sel & 0xfffc) == 0) return true; // a null selector stays unusable
  if (!readDescriptor(sel)) { raiseTS((sel & 0xfffc) | ext); return false; }
  if (faultPending) return false;
  let a = descAttr(descHi);
  let dpl = (a >> ATTR_DPL_SHIFT) & 3;
  if (!(a & ATTR_S) || ((a & ATTR_CODE) && !(a & ATTR_RW))) { raiseTS((sel & 0xfffc) | ext); return false; }
  let conformingCode = (a & ATTR_CODE) != 0 && (a & ATTR_CE) != 0;
  if (!conformingCode && (dpl < cpl || dpl < (sel & 3))) { raiseTS((sel & 0xfffc) | ext); return false; }
  if (!(a & ATTR_P)) { raiseNP((sel & 0xfffc) | ext); return false; }
  let lo = descLo, hi = descHi;
  markAccessed(sel, hi);
  loadSegmentDesc(seg, sel, lo, hi | (1 << 8));
  return true;
}

/** After a task switch through an IDT task gate for an exception with an error
 *  code: push it on the new task's stack, sized by the new TSS (SDM vol. 2 INT n,
 *  TASK-GATE: #SS(EXT) without room). */
export function taskEntryErrorCode(error: u32, tss32: bool, ext: u32): void {
  stackUseCurrent(ext);
  if (!stackRoomPush(tss32 ? 4 : 2)) return;
  stackPush(error, tss32);
  if (faultPending) return;
  setReg32(R_ESP, stackEsp(reg32(R_ESP)));
}

