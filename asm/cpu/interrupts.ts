// Interrupt and exception delivery (SDM vol. 3 ch. 6): real mode through the IVT
// (§20.1.4); protected and virtual-8086 mode through the IDT (idt.ts), except
// INT n in virtual-8086 mode with CR4.VME, which the software interrupt
// redirection bitmap may send to the v8086 task's own IVT (§20.3.3, table 20-2).
// The instructions INT n, INT3, INTO, INT1 and IRET (SDM vol. 2).

import {
  OFF_IDTR_BASE, OFF_IDTR_LIMIT, OFF_EFLAGS, OFF_CR2, S_CS, S_TR, R_ESP, IF, TF, AC, RF, IOPL_MASK, VM, VIF,
  CR4_VME, segSel, segLimit, segBase, segAttr, getEip, setEip, reg32, setReg32, cr4,
} from "./state";
import { getEflags, getOF } from "./flags";
import { push16, checkWrite, getSP, stack32 } from "./mem";
import { raiseGP, faultPending } from "./fault";
import { readLin16, readSys8, readSys16 } from "../mmu/linear";
import { protectedMode, loadSegmentReal } from "./segments";
import {
  deliverProtected, iretProtected, setEflagsRaw, INT_EXT, INT_SOFT, INT_EXC, INT_SOFT_EXC, INT_ICEBP,
} from "./idt";
import { stackUseCurrent, stackRoomPop, stackPop, stackEsp } from "./pmstack";
import { imm } from "./decode";
import { nonRoot, vmxSoftEvent, vmxDelivered, INTR_SW_INT, INTR_SW_EXCEPTION, INTR_PRIV_SW_EXCEPTION } from "./vmxexit";
import { markSoftInt, nmiIretDone } from "./exec";
import { recordEvent, EV_EXCEPTION, EV_INTERRUPT, EV_SOFTINT, EV_NO_ERROR } from "./events";

export { INT_EXT, INT_SOFT, INT_EXC, INT_SOFT_EXC, INT_ICEBP };

/** Deliver `vector`. On return either the handler is entered (CS:EIP, stack and
 *  flags updated) or a fault is pending (fault.ts) and the caller unwinds. */
export function deliverInterrupt(vector: u32, kind: u32, error: u32, hasError: bool): void {
  if (kind == INT_EXC) recordEvent(EV_EXCEPTION, vector, hasError ? error : EV_NO_ERROR, load<u32>(OFF_CR2));
  else recordEvent(kind == INT_EXT ? EV_INTERRUPT : EV_SOFTINT, vector, 0, 0);
  if (protectedMode()) { deliverProtected(vector, kind, error, hasError); return; }
  // Real mode: FLAGS, CS, IP pushed; CS:IP from the 4-byte IVT entry.
  let entry = vector << 2;
  if (entry + 3 > load<u32>(OFF_IDTR_LIMIT)) { raiseGP(0); return; }
  // The three words go where push16 puts them, each checked before any is
  // written: on a 16-bit stack SP wraps at 64K between them (SP 2 or 4 is
  // fine, as in qemu; only a word across the limit, SP 1, 3 or 5, faults).
  let sp = getSP(), spMask: u32 = stack32() ? 0xffffffff : 0xffff;
  for (let k: u32 = 2; k <= 6; k += 2) if (!checkWrite(2 /* SS */, (sp - k) & spMask, 2)) return;
  let base = load<u32>(OFF_IDTR_BASE);
  let ip = readLin16(base + entry);
  let cs = readLin16(base + entry + 2);
  // Nothing changes when the IVT or the stack cannot be reached (in VMX
  // non-root operation an EPT violation: CS stays as it was, SDM vol. 3 §27.1).
  if (faultPending) return;
  push16(getEflags());
  push16(segSel(S_CS));
  push16(getEip());
  if (faultPending) return;
  store<u32>(OFF_EFLAGS, load<u32>(OFF_EFLAGS) & ~(IF | TF | AC | RF));
  loadSegmentReal(S_CS, cs);
  setEip(ip);
}

@inline function iopl3(): bool { return (load<u32>(OFF_EFLAGS) & IOPL_MASK) == IOPL_MASK; }

// The software interrupt redirection bitmap: 32 bytes just below the I/O map
// base of the current (32-bit) TSS, one bit per vector (SDM vol. 3 §20.3.3,
// figure 20-5). A clear bit redirects INT n to the v8086 task's IVT.
const TSS_IOMAP_BASE: u32 = 0x66; // u16 offset of the I/O permission bitmap
const TSS_MIN_LIMIT: u32 = 0x67;  // a 32-bit TSS's fixed part
const REDIR_BITMAP_BYTES: u32 = 32;

/** Bit `vector` of the redirection bitmap: 1 (to the IDT), 0 (redirected), or
 *  -1 after #GP(0) for a TSS too short to hold the byte (as for the I/O bitmap,
 *  ioperm.ts) or a fault reading it. */
function redirectionBit(vector: u32): i32 {
  let base = segBase(S_TR), limit = segLimit(S_TR);
  let type = segAttr(S_TR) & 0xf;
  if ((type != 9 && type != 11) || limit < TSS_MIN_LIMIT) { raiseGP(0); return -1; }
  let map = readSys16(base + TSS_IOMAP_BASE);
  if (faultPending) return -1;
  let off = map - REDIR_BITMAP_BYTES + (vector >> 3);
  if (off > limit) { raiseGP(0); return -1; }
  let bits = readSys8(base + off);
  if (faultPending) return -1;
  return <i32>((bits >> (vector & 7)) & 1);
}

/** Methods 5 and 6 of SDM vol. 3 table 20-2 (INT n pseudocode, "redirect
 *  interrupt to 8086 program interrupt handler"): FLAGS, CS, IP pushed on the
 *  v8086 stack, CS:IP from the IVT at linear 0 of the task, TF cleared; with
 *  IOPL 3 IF is cleared, with IOPL < 3 the image carries VIF as IF and IOPL 3,
 *  and VIF is cleared instead. */
function redirectV86(vector: u32): void {
  // The IVT is the program's own memory, read as CPL 3 reads it.
  let entry = vector << 2;
  let ip = readLin16(entry);
  let cs = readLin16(entry + 2);
  if (faultPending) return;
  let efl = getEflags();
  let image = efl & 0xffff;
  if (!iopl3()) image = (image & ~IF) | ((efl & VIF) ? IF : 0) | IOPL_MASK;
  // A fault on a push leaves SP to the caller's restore (exec.ts unwind).
  push16(image);
  if (faultPending) return;
  push16(segSel(S_CS));
  if (faultPending) return;
  push16(getEip());
  if (faultPending) return;
  setEflagsRaw(efl & ~(TF | (iopl3() ? IF : VIF)));
  loadSegmentReal(S_CS, cs);
  setEip(ip);
}

/** INT n (SDM vol. 2 INT n pseudocode; vol. 3 §20.3.3, table 20-2). In
 *  virtual-8086 mode without CR4.VME: the IDT with IOPL 3 (method 1), #GP(0)
 *  with IOPL < 3 (method 2). With CR4.VME the redirection bitmap decides: a set
 *  bit goes to the IDT with IOPL 3 (method 4) and is #GP(0) with IOPL < 3
 *  (method 3); a clear bit goes to the task's IVT (methods 5 and 6). */
export function int_Ib(): void {
  let vector = imm & 0xff;
  if (load<u32>(OFF_EFLAGS) & VM) {
    if (cr4() & CR4_VME) {
      let bit = redirectionBit(vector);
      if (bit < 0) return;
      if (bit == 0) {
        markSoftInt();
        recordEvent(EV_SOFTINT, vector, 0, 0);
        redirectV86(vector);
        return;
      }
    }
    if (!iopl3()) { raiseGP(0); return; }
  }
  softEvent(vector, INT_SOFT, INTR_SW_INT);
}
/** A software interrupt or exception raised by an instruction. In VMX non-root
 *  operation INT3, INTO and INT1 may exit first (the exception bitmap), and the
 *  delivery is recorded as the event in progress, of interruption type
 *  `vmxType` and the instruction's length, for the IDT-vectoring information of
 *  a VM exit it causes (vmxexit.ts vmxSoftEvent; SDM vol. 3 §27.2.3). */
function softEvent(vector: u32, kind: u32, vmxType: u32): void {
  markSoftInt();
  if (nonRoot() && vmxSoftEvent(vector, vmxType)) return;
  deliverInterrupt(vector, kind, 0, false);
  if (!faultPending) vmxDelivered();
}
/** INT3: not IOPL-sensitive; gate DPL is checked (SDM vol. 3 §20.3.1.1 note).
 *  INT3, INTO and INT1 are not INT n: never redirected under CR4.VME (SDM vol. 2
 *  INT n pseudocode: the VME branch "doesn't apply to INT1, INT3, INTO"). */
export function int3(): void { softEvent(3, INT_SOFT_EXC, INTR_SW_EXCEPTION); }
export function into(): void {
  if (!getOF()) return;
  softEvent(4, INT_SOFT_EXC, INTR_SW_EXCEPTION);
}
/** INT1 (ICEBP, F1): #DB delivered as an external event, no gate DPL check; in
 *  VMX a "privileged software exception" (SDM vol. 3 table 24-15). */
export function int1(): void { softEvent(1, INT_ICEBP, INTR_PRIV_SW_EXCEPTION); }

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
// An IRET (any mode, a task-switching one too) ends NMI blocking, even if it
// faults: NMIs are unblocked before the fault's handler runs (SDM vol. 3
// §6.7.1; in VMX non-root operation §25.3, exec.ts nmiIretDone). An IRET whose
// task switch became a VM exit (§25.4.2) did nothing in the guest.
export function iret16(): void {
  let vmx = nonRoot();
  if (protectedMode()) iretProtected(false); else iretReal(false);
  iretDone(vmx);
}
export function iret32(): void {
  let vmx = nonRoot();
  if (protectedMode()) iretProtected(true); else iretReal(true);
  iretDone(vmx);
}
@inline function iretDone(wasNonRoot: bool): void {
  if (wasNonRoot && !nonRoot()) return;
  nmiIretDone(faultPending);
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
