// Interrupt and exception delivery (SDM vol. 3 ch. 6): real mode through the IVT
// (§20.1.4); protected and virtual-8086 mode through the IDT (idt.ts). The
// instructions INT n, INT3, INTO, INT1 and IRET (SDM vol. 2).

import {
  OFF_IDTR_BASE, OFF_IDTR_LIMIT, OFF_EFLAGS, OFF_CR2, S_CS, R_ESP, IF, TF, AC, RF, IOPL_MASK, VM,
  segSel, segLimit, getEip, setEip, reg32, setReg32,
} from "./state";
import { getEflags, getOF } from "./flags";
import { push16, checkWrite, getSP } from "./mem";
import { raiseGP, faultPending } from "./fault";
import { readLin16 } from "../mmu/linear";
import { protectedMode, loadSegmentReal } from "./segments";
import {
  deliverProtected, iretProtected, setEflagsRaw, INT_EXT, INT_SOFT, INT_EXC, INT_SOFT_EXC, INT_ICEBP,
} from "./idt";
import { stackUseCurrent, stackRoomPop, stackPop, stackEsp } from "./pmstack";
import { imm } from "./decode";
import { nonRoot, vmxSoftException } from "./vmxexit";
import { markSoftInt, nmiIretDone } from "./exec";
import { recordEvent, EV_EXCEPTION, EV_INTERRUPT, EV_SOFTINT, EV_NO_ERROR } from "./events";

export { INT_EXT, INT_SOFT, INT_EXC, INT_SOFT_EXC, INT_ICEBP };

/** Deliver `vector`. On return either the handler is entered (CS:EIP, stack and
 *  flags updated) or a fault is pending (fault.ts) and the caller unwinds. */
export function deliverInterrupt(vector: u32, kind: u32, error: u32, hasError: bool): void {
  if (kind == INT_SOFT_EXC && nonRoot() && vmxSoftException(vector)) return;
  if (kind == INT_EXC) recordEvent(EV_EXCEPTION, vector, hasError ? error : EV_NO_ERROR, load<u32>(OFF_CR2));
  else recordEvent(kind == INT_EXT ? EV_INTERRUPT : EV_SOFTINT, vector, 0, 0);
  if (protectedMode()) { deliverProtected(vector, kind, error, hasError); return; }
  // Real mode: FLAGS, CS, IP pushed; CS:IP from the 4-byte IVT entry.
  let entry = vector << 2;
  if (entry + 3 > load<u32>(OFF_IDTR_LIMIT)) { raiseGP(0); return; }
  if (!checkWrite(2 /* SS */, (getSP() - 6) & 0xffff, 6)) return;
  let base = load<u32>(OFF_IDTR_BASE);
  let ip = readLin16(base + entry);
  let cs = readLin16(base + entry + 2);
  push16(getEflags());
  push16(segSel(S_CS));
  push16(getEip());
  store<u32>(OFF_EFLAGS, load<u32>(OFF_EFLAGS) & ~(IF | TF | AC | RF));
  loadSegmentReal(S_CS, cs);
  setEip(ip);
}

@inline function v86Iopl3(): bool {
  let f = load<u32>(OFF_EFLAGS);
  return !(f & VM) || (f & IOPL_MASK) == IOPL_MASK;
}

/** INT n: in virtual-8086 mode with IOPL < 3, #GP(0) (no VME: SDM vol. 3 §20.3.1.1). */
export function int_Ib(): void {
  if (!v86Iopl3()) { raiseGP(0); return; }
  markSoftInt();
  deliverInterrupt(imm & 0xff, INT_SOFT, 0, false);
}
/** INT3: not IOPL-sensitive; gate DPL is checked (SDM vol. 3 §20.3.1.1 note). */
export function int3(): void { markSoftInt(); deliverInterrupt(3, INT_SOFT_EXC, 0, false); }
export function into(): void {
  if (!getOF()) return;
  markSoftInt();
  deliverInterrupt(4, INT_SOFT_EXC, 0, false);
}
/** INT1 (ICEBP, F1): #DB delivered as an external event, no gate DPL check. */
export function int1(): void { markSoftInt(); deliverInterrupt(1, INT_ICEBP, 0, false); }

/** IRET: real mode pops IP, CS, FLAGS (all flags writable); a 32-bit IRET keeps
 *  VM, VIF and VIP (SDM vol. 2 IRET, REAL-ADDRESS-MODE). */
function iretReal(o32: bool): void {
  stackUseCurrent(0);
  if (!stackRoomPop(o32 ? 12 : 6)) return;
  let nEip = stackPop(o32);
  let nCs = stackPop(o32) & 0xffff;
  let nEfl = stackPop(o32);
  if (faultPending) return;
  if (o32 && nEip > segLimit(S_CS)) { raiseGP(0); return; }
  let old = getEflags();
  if (o32) setEflagsRaw((nEfl & 0x257fd5) | (old & 0x1a0000));
  else setEflagsRaw((old & 0xffff0000) | (nEfl & 0xffff));
  setReg32(R_ESP, stackEsp(reg32(R_ESP)));
  loadSegmentReal(S_CS, nCs);
  setEip(o32 ? nEip : nEip & 0xffff);
}
// A completed IRET (any mode, a task-switching one too) ends NMI blocking (SDM
// vol. 3 §6.7.1); a faulting one leaves it in place.
export function iret16(): void {
  if (protectedMode()) iretProtected(false); else iretReal(false);
  if (!faultPending) nmiIretDone();
}
export function iret32(): void {
  if (protectedMode()) iretProtected(true); else iretReal(true);
  if (!faultPending) nmiIretDone();
}

// BOUND r, m16&16 / m32&32: #BR when the signed index is outside [lower, upper];
// a register operand is #UD (SDM vol. 2 BOUND).
import { isRegForm, readM16, readM32, readG16, readG32 } from "./decode";
import { raise, raiseUD, BR } from "./fault";
export function bound_Gv_Ma16(): void {
  if (isRegForm()) { raiseUD(); return; }
  let lo = <i32><i16>readM16(0), hi = <i32><i16>readM16(2);
  if (faultPending) return;
  let i = <i32><i16>readG16();
  if (i < lo || i > hi) raise(BR, 0, false);
}
export function bound_Gv_Ma32(): void {
  if (isRegForm()) { raiseUD(); return; }
  let lo = <i32>readM32(0), hi = <i32>readM32(4);
  if (faultPending) return;
  let i = <i32>readG32();
  if (i < lo || i > hi) raise(BR, 0, false);
}
