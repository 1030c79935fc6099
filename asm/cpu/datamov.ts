// Data movement (SDM vol. 1 §7.3.1, §7.3.16; vol. 2 per instruction): MOV forms,
// XCHG, MOVZX/MOVSX, LEA, CMOVcc, SETcc, BSWAP, XADD, CMPXCHG, CMPXCHG8B, CBW/CWDE,
// CWD/CDQ, XLAT, LAHF/SAHF, the flag-bit instructions CLC/STC/CMC/CLD/STD and the
// hint NOPs 0F 18-1F.

import {
  reg8, setReg8, setReg16, setReg32, R_EAX, R_ECX, R_EDX, R_EBX, reg16, reg32,
  OFF_EFLAGS, CF, PF, AF, ZF, SF, DF, S_DS,
} from "./state";
import {
  opcode, imm, eaSeg, eaOff, addrsize32, segOverride, isRegForm, repPrefix,
  readE8, readE16, readE32, writeE8, writeE16, writeE32,
  readG8, readG16, readG32, writeG8, writeG16, writeG32, readM32, writeM32,
} from "./decode";
import { read8, read16, read32, write8, write16, write32 } from "./mem";
import { nonRoot, vmxPause } from "./vmxexit";
import { faultPending, raiseUD } from "./fault";
import { setLazy, testCC, getCF, getEflags, setArithFlags, LAZY_ADD, LAZY_SUB, SZ8, SZ16, SZ32 } from "./flags";

export function mov_Eb_Gb(): void { writeE8(readG8()); }
export function mov_Ev_Gv16(): void { writeE16(readG16()); }
export function mov_Ev_Gv32(): void { writeE32(readG32()); }
export function mov_Gb_Eb(): void { let v = readE8(); writeG8(v); }
export function mov_Gv_Ev16(): void { let v = readE16(); writeG16(v); }
export function mov_Gv_Ev32(): void { let v = readE32(); writeG32(v); }
export function mov_Eb_Ib(): void { writeE8(imm); }
export function mov_Ev_Iv16(): void { writeE16(imm); }
export function mov_Ev_Iv32(): void { writeE32(imm); }
export function mov_reg8_Ib(): void { setReg8(opcode & 7, imm); }
export function mov_reg_Iv16(): void { setReg16(opcode & 7, imm); }
export function mov_reg_Iv32(): void { setReg32(opcode & 7, imm); }
export function mov_AL_Ob(): void { let v = read8(eaSeg, eaOff); setReg8(0, v); }
export function mov_eAX_Ov16(): void { let v = read16(eaSeg, eaOff); setReg16(R_EAX, v); }
export function mov_eAX_Ov32(): void { let v = read32(eaSeg, eaOff); setReg32(R_EAX, v); }
export function mov_Ob_AL(): void { write8(eaSeg, eaOff, reg8(0)); }
export function mov_Ov_eAX16(): void { write16(eaSeg, eaOff, reg16(R_EAX)); }
export function mov_Ov_eAX32(): void { write32(eaSeg, eaOff, reg32(R_EAX)); }
/** 90: NOP, and with F3 PAUSE (a spin-wait hint, a NOP here), which exits in
 *  VMX non-root operation with "PAUSE exiting" (SDM vol. 3 §25.1.3). */
export function nop(): void { if (repPrefix == 0xf3 && nonRoot()) vmxPause(); }
/** 0F 18-1F: prefetch hints and the multi-byte NOP; the ModRM is decoded but
 *  no memory is accessed (SDM vol. 2 NOP, PREFETCHh). */
export function nop_Ev16(): void {}
export function nop_Ev32(): void {}

// --- XCHG (SDM vol. 2 XCHG): the memory operand is read before either write ---
export function xchg_Eb_Gb(): void {
  let a = readE8();
  if (faultPending) return;
  let b = readG8();
  writeE8(b);
  if (faultPending) return;
  writeG8(a);
}
export function xchg_Ev_Gv16(): void {
  let a = readE16();
  if (faultPending) return;
  let b = readG16();
  writeE16(b);
  if (faultPending) return;
  writeG16(a);
}
export function xchg_Ev_Gv32(): void {
  let a = readE32();
  if (faultPending) return;
  let b = readG32();
  writeE32(b);
  if (faultPending) return;
  writeG32(a);
}
export function xchg_reg_eAX16(): void {
  let r = opcode & 7, t = reg16(r);
  setReg16(r, reg16(R_EAX)); setReg16(R_EAX, t);
}
export function xchg_reg_eAX32(): void {
  let r = opcode & 7, t = reg32(r);
  setReg32(r, reg32(R_EAX)); setReg32(R_EAX, t);
}

// --- MOVZX / MOVSX ---
export function movzx_Gv_Eb16(): void { let v = readE8(); if (faultPending) return; writeG16(v); }
export function movzx_Gv_Eb32(): void { let v = readE8(); if (faultPending) return; writeG32(v); }
export function movzx_Gv_Ew16(): void { let v = readE16(); if (faultPending) return; writeG16(v); }
export function movzx_Gv_Ew32(): void { let v = readE16(); if (faultPending) return; writeG32(v); }
export function movsx_Gv_Eb16(): void { let v = readE8(); if (faultPending) return; writeG16(<u32><i32><i8>v); }
export function movsx_Gv_Eb32(): void { let v = readE8(); if (faultPending) return; writeG32(<u32><i32><i8>v); }
export function movsx_Gv_Ew16(): void { let v = readE16(); if (faultPending) return; writeG16(v); }
export function movsx_Gv_Ew32(): void { let v = readE16(); if (faultPending) return; writeG32(<u32><i32><i16>v); }

// --- LEA: the offset computed with the address size, then truncated or
// zero-extended to the operand size (SDM vol. 2 LEA, table 3-54); a register
// source is #UD. ---
export function lea_Gv_M16(): void { if (isRegForm()) { raiseUD(); return; } writeG16(eaOff); }
export function lea_Gv_M32(): void { if (isRegForm()) { raiseUD(); return; } writeG32(eaOff); }

// --- CMOVcc: the source is read (and may fault) whatever the condition; with a
// false condition the destination is unchanged (SDM vol. 2 CMOVcc). ---
export function cmovcc_Gv_Ev16(): void {
  let v = readE16();
  if (faultPending) return;
  if (testCC(opcode & 0xf)) writeG16(v);
}
export function cmovcc_Gv_Ev32(): void {
  let v = readE32();
  if (faultPending) return;
  if (testCC(opcode & 0xf)) writeG32(v);
}

// --- SETcc ---
export function setcc_Eb(): void { writeE8(testCC(opcode & 0xf) ? 1 : 0); }

// --- BSWAP: with a 16-bit operand the result is undefined (SDM vol. 2 BSWAP);
// P6-family processors and QEMU leave 0 in the low word. ---
export function bswap_reg16(): void { setReg16(opcode & 7, 0); }
export function bswap_reg32(): void { setReg32(opcode & 7, bswap<u32>(reg32(opcode & 7))); }

// --- XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (SDM vol. 2 XADD). With
// both operands the same register the sum wins. Memory is written first so a
// faulting write leaves the register alone. ---
export function xadd_Eb_Gb(): void {
  let d = readE8();
  if (faultPending) return;
  let s = readG8(), r = (d + s) & 0xff;
  if (isRegForm()) { writeG8(d); writeE8(r); }
  else { writeE8(r); if (faultPending) return; writeG8(d); }
  setLazy(LAZY_ADD, SZ8, d, s, r);
}
export function xadd_Ev_Gv16(): void {
  let d = readE16();
  if (faultPending) return;
  let s = readG16(), r = (d + s) & 0xffff;
  if (isRegForm()) { writeG16(d); writeE16(r); }
  else { writeE16(r); if (faultPending) return; writeG16(d); }
  setLazy(LAZY_ADD, SZ16, d, s, r);
}
export function xadd_Ev_Gv32(): void {
  let d = readE32();
  if (faultPending) return;
  let s = readG32(), r = d + s;
  if (isRegForm()) { writeG32(d); writeE32(r); }
  else { writeE32(r); if (faultPending) return; writeG32(d); }
  setLazy(LAZY_ADD, SZ32, d, s, r);
}

// --- CMPXCHG: flags as CMP accumulator, DEST. The destination is written in
// both cases, with its own value when they differ (SDM vol. 2 CMPXCHG: "the
// destination operand is written back if the comparison fails"), then the
// accumulator takes the old destination. ---
export function cmpxchg_Eb_Gb(): void {
  let d = readE8();
  if (faultPending) return;
  let a = reg8(0);
  let eq = a == d;
  writeE8(eq ? readG8() : d);
  if (faultPending) return;
  setLazy(LAZY_SUB, SZ8, a, d, (a - d) & 0xff);
  if (!eq) setReg8(0, d);
}
export function cmpxchg_Ev_Gv16(): void {
  let d = readE16();
  if (faultPending) return;
  let a = reg16(R_EAX);
  let eq = a == d;
  writeE16(eq ? readG16() : d);
  if (faultPending) return;
  setLazy(LAZY_SUB, SZ16, a, d, (a - d) & 0xffff);
  if (!eq) setReg16(R_EAX, d);
}
export function cmpxchg_Ev_Gv32(): void {
  let d = readE32();
  if (faultPending) return;
  let a = reg32(R_EAX);
  let eq = a == d;
  writeE32(eq ? readG32() : d);
  if (faultPending) return;
  setLazy(LAZY_SUB, SZ32, a, d, a - d);
  if (!eq) setReg32(R_EAX, d);
}

/** CMPXCHG8B m64: compare EDX:EAX with m64; if equal store ECX:EBX, else load
 *  it into EDX:EAX (memory is written back either way). Only ZF changes. A
 *  register operand is #UD (SDM vol. 2 CMPXCHG8B). The high half is first
 *  rewritten with its own value so that a fault on either half (segment limit,
 *  page) is taken before memory changes. */
export function cmpxchg8b_Mq(): void {
  if (isRegForm()) { raiseUD(); return; }
  let lo = readM32(0), hi = readM32(4);
  if (faultPending) return;
  let eq = lo == reg32(R_EAX) && hi == reg32(R_EDX);
  writeM32(4, hi);
  if (faultPending) return;
  if (eq) {
    writeM32(0, reg32(R_EBX));
    if (faultPending) return;
    writeM32(4, reg32(R_ECX));
  } else {
    writeM32(0, lo);
    if (faultPending) return;
    setReg32(R_EAX, lo); setReg32(R_EDX, hi);
  }
  setArithFlags(ZF, eq ? ZF : 0);
}

// --- CBW/CWDE, CWD/CDQ ---
export function cbw16(): void { setReg16(R_EAX, <u32><i32><i8>reg8(0)); }
export function cbw32(): void { setReg32(R_EAX, <u32><i32><i16>reg16(R_EAX)); }
export function cwd16(): void { setReg16(R_EDX, (reg16(R_EAX) & 0x8000) ? 0xffff : 0); }
export function cwd32(): void { setReg32(R_EDX, (reg32(R_EAX) & 0x80000000) ? 0xffffffff : 0); }

/** XLAT: AL = [seg:(E)BX + AL], DS overridable; the sum wraps at the address size. */
export function xlat(): void {
  let seg = segOverride >= 0 ? segOverride : S_DS;
  let off = addrsize32 ? reg32(R_EBX) + reg8(0) : (reg16(R_EBX) + reg8(0)) & 0xffff;
  let v = read8(seg, off);
  if (faultPending) return;
  setReg8(0, v);
}

// --- LAHF/SAHF: AH <-> SF:ZF:0:AF:0:PF:1:CF (SDM vol. 2 LAHF, SAHF) ---
export function lahf(): void { setReg8(4, (getEflags() & (SF | ZF | AF | PF | CF)) | 2); }
export function sahf(): void { setArithFlags(SF | ZF | AF | PF | CF, reg8(4)); }

// --- CF and DF ---
export function clc(): void { setArithFlags(CF, 0); }
export function stc(): void { setArithFlags(CF, CF); }
export function cmc(): void { setArithFlags(CF, getCF() ? 0 : CF); }
export function cld(): void { store<u32>(OFF_EFLAGS, load<u32>(OFF_EFLAGS) & ~DF); }
export function std(): void { store<u32>(OFF_EFLAGS, load<u32>(OFF_EFLAGS) | DF); }

