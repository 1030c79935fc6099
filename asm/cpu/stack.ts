// Stack instructions (SDM vol. 1 §6.2, vol. 2 PUSH, POP, PUSHA, POPA, PUSHF, POPF,
// ENTER, LEAVE). Segment-register pushes and pops are here too; loading the
// selector goes through segments.ts.

import {
  R_ESP, R_EBP, OFF_EFLAGS, OFF_INHIBIT_IRQ, needAttention, watchTraps, S_SS, IF, IOPL_MASK, VIP, VIF, AC, ID, NT, TF, RF, DF, ARITH_FLAGS,
  EFLAGS_BITS,
  CR4_VME, reg16, reg32, setReg16, setReg32, segSel, getCpl, cr4,
} from "./state";
import { opcode, imm, modrm, readE16, readE32, writeE16, writeE32, isRegForm, fetch8, fetch16, reEvaluateEA } from "./decode";
import { push16, push32, pop16, pop32, getSP, setSP, stack32, read16, read32, write16, write32 } from "./mem";
import { getEflags } from "./flags";
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

// Segment registers: PUSH pushes the selector (a 32-bit push writes 2 or 4 bytes;
// we write 4 with the upper half zero, as P6 does not guarantee either).
function pushSeg(seg: i32, o32: bool): void { if (o32) push32(segSel(seg)); else push16(segSel(seg)); }
function popSeg(seg: i32, o32: bool): void {
  let sp = getSP();
  let v = o32 ? pop32() : pop16();
  if (faultPending) return;
  if (!loadSegment(seg, v & 0xffff)) { setSP(sp); return; }
  if (seg == S_SS) { store<u32>(OFF_INHIBIT_IRQ, 2); needAttention(); } // 2: POP SS (VMX tells it from STI's 1)
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

// PUSHF/POPF (SDM vol. 2 PUSHF, POPF; vol. 3 §20.2.7 and §20.3 for virtual-8086
// mode: IOPL-sensitive, and with CR4.VME the 16-bit forms use VIF in place of IF).
@inline function iopl(): u32 { return (load<u32>(OFF_EFLAGS) & IOPL_MASK) >> 12; }
/** Virtual-8086 mode with IOPL < 3: the 32-bit forms fault, the 16-bit forms
 *  fault unless CR4.VME is set. */
@inline function v86Sensitive(): bool { return v86Mode() && iopl() < 3; }

export function pushf16(): void {
  let fl = getEflags() & 0xffff;
  if (v86Sensitive()) {
    if (!(cr4() & CR4_VME)) { raiseGP(0); return; }
    // SDM vol. 3 §20.3.1 (VME): the image carries VIF in the IF position and IOPL 3.
    fl = (fl & ~IF) | ((load<u32>(OFF_EFLAGS) & VIF) ? IF : 0) | IOPL_MASK;
  }
  push16(fl);
}
export function pushf32(): void {
  if (v86Sensitive()) { raiseGP(0); return; }
  // VM and RF are cleared in the image (SDM vol. 2 PUSHF: EFLAGS AND 00FCFFFFH).
  push32(getEflags() & 0x00fcffff);
}

/** Write EFLAGS from a POPF/IRET-style value, changing only the bits in `mask`. */
export function writeEflagsMasked(v: u32, mask: u32): void {
  let old = getEflags();
  let nv = (old & ~mask) | (v & mask);
  nv = (nv & EFLAGS_BITS) | 2; // reserved bits: 1 set, 3 5 15 22+ clear
  store<u32>(OFF_EFLAGS, nv); // getEflags folded the lazy flags: none are lazy now
  if (nv & (TF | RF)) watchTraps();
}

// SDM vol. 2 POPF: real mode and CPL 0 may change every flag but VIP, VIF, VM
// (and RF, cleared after the instruction); CPL > 0 keeps IOPL; CPL > IOPL keeps
// IF; virtual-8086 mode with IOPL 3 keeps IOPL. The 16-bit form changes bits
// 0..15 only.
function popfCommon(v: u32, o32: bool): void {
  let mask: u32 = ARITH_FLAGS | TF | DF | NT | IF | IOPL_MASK | (o32 ? (AC | ID) : 0);
  if (v86Mode()) {
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
  if (v86Sensitive()) {
    if (!(cr4() & CR4_VME)) { raiseGP(0); return; }
    let v = pop16();
    if (faultPending) return;
    // SDM vol. 2 POPF (VME): #GP if the image sets TF, or sets IF while VIP
    // is pending; otherwise FLAGS from the image (TF, being clear, too) but IF
    // and IOPL, which stay, and the image's IF goes to VIF.
    let fl = load<u32>(OFF_EFLAGS);
    if ((v & TF) || ((v & IF) && (fl & VIP))) { raiseGP(0); return; }
    writeEflagsMasked(v, (ARITH_FLAGS | TF | DF | NT) & 0xffff);
    let nf = load<u32>(OFF_EFLAGS);
    store<u32>(OFF_EFLAGS, (v & IF) ? nf | VIF : nf & ~VIF);
    return;
  }
  let v = pop16(); if (faultPending) return; popfCommon(v, false);
}
export function popf32(): void {
  if (v86Sensitive()) { raiseGP(0); return; }
  let v = pop32(); if (faultPending) return; popfCommon(v, true);
}

// --- PUSHA/POPA (SDM vol. 2 PUSHA, POPA): the pushed (E)SP is its value before
// the first push; POPA discards the (E)SP slot. A fault part-way restores the
// registers (exec.ts shadow); the words already written lie below the stack. ---
/** PUSHA/PUSHAD (SDM vol. 2 PUSHA): EAX at SP - size down to EDI at SP - 8 *
 *  size, with the original SP. The slots are written from the lowest (EDI's)
 *  up, as qemu does, so that a push run into an unwritable page reports the
 *  same CR2 (the SDM leaves the order open); a fault restores the registers. */
export function pusha16(): void {
  let sp = getSP(), mask: u32 = stack32() ? 0xffffffff : 0xffff;
  for (let i: u32 = 0; i < 8; i++) {
    let r = 7 - i;
    write16(S_SS, (sp - 16 + 2 * i) & mask, r == R_ESP ? sp : reg16(r));
    if (faultPending) return;
  }
  setSP(sp - 16);
}
export function pusha32(): void {
  let sp = getSP(), esp = reg32(R_ESP), mask: u32 = stack32() ? 0xffffffff : 0xffff;
  for (let i: u32 = 0; i < 8; i++) {
    let r = 7 - i;
    write32(S_SS, (sp - 32 + 4 * i) & mask, r == R_ESP ? esp : reg32(r));
    if (faultPending) return;
  }
  setSP(sp - 32);
}
export function popa16(): void {
  for (let i: i32 = 7; i >= 0; i--) {
    let r = <u32>i;
    if (r == R_ESP) { setSP(getSP() + 2); continue; }
    let v = pop16();
    if (faultPending) return;
    setReg16(r, v);
  }
}
export function popa32(): void {
  for (let i: i32 = 7; i >= 0; i--) {
    let r = <u32>i;
    if (r == R_ESP) { setSP(getSP() + 4); continue; }
    let v = pop32();
    if (faultPending) return;
    setReg32(r, v);
  }
}

// --- ENTER imm16, imm8 (SDM vol. 2 ENTER). The opcode map gives no immediate
// flags: both are fetched here. Nesting level is imm8 mod 32. After the push of
// (E)BP, FrameTemp is SP for a 16-bit operand and all of ESP for a 32-bit one,
// even on a 16-bit stack (upper half included). Level > 0 copies level-1 frame
// pointers from the old frame ([SS:(E)BP - k*size], (E)BP by stack size) and
// pushes FrameTemp. BP or EBP takes FrameTemp by operand size (o16 keeps EBP's
// upper half). The allocation is subtracted from SP or ESP by stack size, as the
// 80386 manual's pseudo-code says and the pushes do (the current SDM's text
// goes by operand size there, which would carry out of SP on a 16-bit stack).
// A fault on any access leaves the registers as before (exec.ts shadow).
// Not modelled: the #SS check of the final (E)SP against the stack limit
// before any write. ---
function enter(o32: bool): void {
  let alloc = fetch16();
  let level = fetch8() & 31;
  let s32 = stack32();
  let sm: u32 = s32 ? 0xffffffff : 0xffff;
  let w: u32 = o32 ? 4 : 2;
  if (o32) push32(reg32(R_EBP)); else push16(reg16(R_EBP));
  if (faultPending) return;
  let frameTemp = o32 ? reg32(R_ESP) : reg16(R_ESP);
  if (level > 0) {
    let bp = s32 ? reg32(R_EBP) : reg16(R_EBP);
    for (let i: u32 = 1; i < level; i++) {
      bp = (bp - w) & sm;
      let v = o32 ? read32(S_SS, bp) : read16(S_SS, bp);
      if (faultPending) return;
      if (o32) push32(v); else push16(v);
      if (faultPending) return;
    }
    if (o32) push32(frameTemp); else push16(frameTemp);
    if (faultPending) return;
  }
  if (o32) setReg32(R_EBP, frameTemp); else setReg16(R_EBP, frameTemp);
  setSP((getSP() - alloc) & sm);
}
export function enter16(): void { enter(false); }
export function enter32(): void { enter(true); }

/** LEAVE: (E)SP <- (E)BP by stack size, then pop (E)BP by operand size. */
export function leave16(): void {
  if (stack32()) setReg32(R_ESP, reg32(R_EBP)); else setReg16(R_ESP, reg16(R_EBP));
  let v = pop16(); if (faultPending) return; setReg16(R_EBP, v);
}
export function leave32(): void {
  if (stack32()) setReg32(R_ESP, reg32(R_EBP)); else setReg16(R_ESP, reg16(R_EBP));
  let v = pop32(); if (faultPending) return; setReg32(R_EBP, v);
}
