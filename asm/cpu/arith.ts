// Binary arithmetic and logic (SDM vol. 1 §7.3.2-7.3.4): the eight ALU operations
// (their operand forms are generated: alu_forms.ts), INC, DEC, TEST, NEG, NOT,
// MUL/IMUL, DIV/IDIV, the decimal adjusts and SALC.
// Flags are lazy (flags.ts).

import { reg16, reg32, setReg16, setReg32, setReg8, R_EAX, R_EDX, CF, AF, OF } from "./state";
import {
  setLazy, setLazyKeepCF, setLazyLogic, setLazyResultEager, setArithFlags, getCF, getAF,
  LAZY_ADD, LAZY_ADC1, LAZY_SUB, LAZY_SBB1, SZ8, SZ16, SZ32,
} from "./flags";
import {
  opcode, imm, readE8, readE16, readE32, writeE8, writeE16, writeE32, readG8, readG16, readG32,
  writeG16, writeG32,
} from "./decode";
import { reg8 } from "./state";
import { faultPending, raiseDE } from "./fault";

// Operation numbers are ModRM.reg of opcodes 80-83: ADD OR ADC SBB AND SUB XOR CMP.
@inline function alu(op: u32, sz: u32, a: u32, b: u32): u32 {
  let r: u32;
  switch (op) {
    case 0: r = a + b; setLazy(LAZY_ADD, sz, a, b, r); return r;
    case 1: r = a | b; setLazyLogic(sz, r); return r;
    case 2: {
      let c: u32 = getCF() ? 1 : 0;
      r = a + b + c; setLazy(c ? LAZY_ADC1 : LAZY_ADD, sz, a, b, r); return r;
    }
    case 3: {
      let c: u32 = getCF() ? 1 : 0;
      r = a - b - c; setLazy(c ? LAZY_SBB1 : LAZY_SUB, sz, a, b, r); return r;
    }
    case 4: r = a & b; setLazyLogic(sz, r); return r;
    case 6: r = a ^ b; setLazyLogic(sz, r); return r;
    default: r = a - b; setLazy(LAZY_SUB, sz, a, b, r); return r; // SUB, CMP
  }
}
@inline export function alu8(op: u32, a: u32, b: u32): u32 { return alu(op, SZ8, a & 0xff, b & 0xff) & 0xff; }
@inline export function alu16(op: u32, a: u32, b: u32): u32 { return alu(op, SZ16, a & 0xffff, b & 0xffff) & 0xffff; }
@inline export function alu32(op: u32, a: u32, b: u32): u32 { return alu(op, SZ32, a, b); }

// INC/DEC: like ADD/SUB 1 but CF is preserved (SDM vol. 2 INC, DEC).
@inline function incdec(sz: u32, a: u32, dec: bool): u32 {
  let cf = getCF();
  let r = dec ? a - 1 : a + 1;
  setLazyKeepCF(dec ? LAZY_SUB : LAZY_ADD, sz, a, 1, r, cf);
  return r;
}
export function inc_reg16(): void { setReg16(opcode & 7, incdec(SZ16, reg16(opcode & 7), false) & 0xffff); }
export function inc_reg32(): void { setReg32(opcode & 7, incdec(SZ32, reg32(opcode & 7), false)); }
export function dec_reg16(): void { setReg16(opcode & 7, incdec(SZ16, reg16(opcode & 7), true) & 0xffff); }
export function dec_reg32(): void { setReg32(opcode & 7, incdec(SZ32, reg32(opcode & 7), true)); }
export function inc_Eb(): void { let a = readE8(); if (faultPending) return; writeE8(incdec(SZ8, a, false) & 0xff); }
export function dec_Eb(): void { let a = readE8(); if (faultPending) return; writeE8(incdec(SZ8, a, true) & 0xff); }
export function inc_Ev16(): void { let a = readE16(); if (faultPending) return; writeE16(incdec(SZ16, a, false) & 0xffff); }
export function dec_Ev16(): void { let a = readE16(); if (faultPending) return; writeE16(incdec(SZ16, a, true) & 0xffff); }
export function inc_Ev32(): void { let a = readE32(); if (faultPending) return; writeE32(incdec(SZ32, a, false)); }
export function dec_Ev32(): void { let a = readE32(); if (faultPending) return; writeE32(incdec(SZ32, a, true)); }

// TEST: AND without writing the result.
export function test_Eb_Gb(): void { setLazyLogic(SZ8, readE8() & readG8()); }
export function test_Ev_Gv16(): void { setLazyLogic(SZ16, readE16() & readG16()); }
export function test_Ev_Gv32(): void { setLazyLogic(SZ32, readE32() & readG32()); }
export function test_AL_Ib(): void { setLazyLogic(SZ8, reg8(0) & imm); }
export function test_eAX_Iv16(): void { setLazyLogic(SZ16, reg16(0) & imm); }
export function test_eAX_Iv32(): void { setLazyLogic(SZ32, reg32(0) & imm); }
export function test_Eb_Ib(): void { setLazyLogic(SZ8, readE8() & imm); }
export function test_Ev_Iv16(): void { setLazyLogic(SZ16, readE16() & imm); }
export function test_Ev_Iv32(): void { setLazyLogic(SZ32, readE32() & imm); }

// NEG: 0 - src; CF = (src != 0), the rest as for SUB (SDM vol. 2 NEG).
export function neg_Eb(): void { let a = readE8(); if (faultPending) return; let r = (0 - a) & 0xff; setLazy(LAZY_SUB, SZ8, 0, a, r); writeE8(r); }
export function neg_Ev16(): void { let a = readE16(); if (faultPending) return; let r = (0 - a) & 0xffff; setLazy(LAZY_SUB, SZ16, 0, a, r); writeE16(r); }
export function neg_Ev32(): void { let a = readE32(); if (faultPending) return; let r = 0 - a; setLazy(LAZY_SUB, SZ32, 0, a, r); writeE32(r); }
// NOT: no flags affected (SDM vol. 2 NOT).
export function not_Eb(): void { let a = readE8(); if (faultPending) return; writeE8(~a & 0xff); }
export function not_Ev16(): void { let a = readE16(); if (faultPending) return; writeE16(~a & 0xffff); }
export function not_Ev32(): void { let a = readE32(); if (faultPending) return; writeE32(~a); }

// Multiplies (SDM vol. 2 MUL, IMUL): CF = OF = 1 when the significant part of the
// product does not fit the low half (MUL: high half non-zero; IMUL: the product
// differs from the sign extension of its truncation). SF ZF AF PF are undefined;
// we derive SF ZF PF from the low half and clear AF, as QEMU does, so differential
// runs agree on them too.
@inline function mulFlags(sz: u32, low: u32, overflow: bool): void {
  setLazyResultEager(sz, low, CF | OF | AF, overflow ? CF | OF : 0);
}
export function mul_Eb(): void {
  let b = readE8(); if (faultPending) return;
  let r = reg8(R_EAX) * b;
  setReg16(R_EAX, r);
  mulFlags(SZ8, r & 0xff, (r >> 8) != 0);
}
export function mul_Ev16(): void {
  let b = readE16(); if (faultPending) return;
  let r = reg16(R_EAX) * b;
  setReg16(R_EAX, r & 0xffff); setReg16(R_EDX, r >>> 16);
  mulFlags(SZ16, r & 0xffff, (r >>> 16) != 0);
}
export function mul_Ev32(): void {
  let b = readE32(); if (faultPending) return;
  let r = <u64>reg32(R_EAX) * <u64>b;
  let hi = <u32>(r >>> 32);
  setReg32(R_EAX, <u32>r); setReg32(R_EDX, hi);
  mulFlags(SZ32, <u32>r, hi != 0);
}
export function imul_Eb(): void {
  let b = readE8(); if (faultPending) return;
  let r = <i32><i8>reg8(R_EAX) * <i32><i8>b;
  setReg16(R_EAX, <u32>r & 0xffff);
  mulFlags(SZ8, <u32>r & 0xff, r != <i32><i8>r);
}
export function imul_Ev16(): void {
  let b = readE16(); if (faultPending) return;
  let r = <i32><i16>reg16(R_EAX) * <i32><i16>b;
  setReg16(R_EAX, <u32>r & 0xffff); setReg16(R_EDX, <u32>r >>> 16);
  mulFlags(SZ16, <u32>r & 0xffff, r != <i32><i16>r);
}
export function imul_Ev32(): void {
  let b = readE32(); if (faultPending) return;
  let r = <i64><i32>reg32(R_EAX) * <i64><i32>b;
  setReg32(R_EAX, <u32>r); setReg32(R_EDX, <u32>(r >>> 32));
  mulFlags(SZ32, <u32>r, r != <i64><i32>r);
}
// IMUL Gv,Ev and Gv,Ev,imm: the product truncated to the operand size.
@inline function imul16(a: u32, b: u32): u32 {
  let r = <i32><i16>a * <i32><i16>b;
  mulFlags(SZ16, <u32>r & 0xffff, r != <i32><i16>r);
  return <u32>r & 0xffff;
}
@inline function imul32(a: u32, b: u32): u32 {
  let r = <i64><i32>a * <i64><i32>b;
  mulFlags(SZ32, <u32>r, r != <i64><i32>r);
  return <u32>r;
}
export function imul_Gv_Ev16(): void { let b = readE16(); if (faultPending) return; writeG16(imul16(readG16(), b)); }
export function imul_Gv_Ev32(): void { let b = readE32(); if (faultPending) return; writeG32(imul32(readG32(), b)); }
export function imul_Gv_Ev_Iv16(): void { let b = readE16(); if (faultPending) return; writeG16(imul16(b, imm)); }
export function imul_Gv_Ev_Iv32(): void { let b = readE32(); if (faultPending) return; writeG32(imul32(b, imm)); }

// Divides (SDM vol. 2 DIV, IDIV): #DE on a zero divisor or a quotient that does
// not fit the destination; flags are undefined and left as they were. The
// divisor is checked before any wasm division (which would trap on /0 and on
// INT_MIN / -1); the fault leaves every register as it was (exec.ts shadow).
export function div_Eb(): void {
  let b = readE8(); if (faultPending) return;
  if (b == 0) { raiseDE(); return; }
  let a = reg16(R_EAX);
  let q = a / b;
  if (q > 0xff) { raiseDE(); return; }
  setReg16(R_EAX, ((a % b) << 8) | q);
}
export function div_Ev16(): void {
  let b = readE16(); if (faultPending) return;
  if (b == 0) { raiseDE(); return; }
  let a = (reg16(R_EDX) << 16) | reg16(R_EAX);
  let q = a / b;
  if (q > 0xffff) { raiseDE(); return; }
  setReg16(R_EAX, q); setReg16(R_EDX, a % b);
}
export function div_Ev32(): void {
  let b = readE32(); if (faultPending) return;
  if (b == 0) { raiseDE(); return; }
  let a = (<u64>reg32(R_EDX) << 32) | <u64>reg32(R_EAX);
  let q = a / <u64>b;
  if (q > 0xffffffff) { raiseDE(); return; }
  setReg32(R_EAX, <u32>q); setReg32(R_EDX, <u32>(a % <u64>b));
}
// Signed: the dividend is widened to i64 so that neither INT_MIN / -1 nor any
// other pair can reach a trapping wasm division; the remainder has the sign of
// the dividend (truncating division).
@inline function idivOk(a: i64, b: i64, lo: i64, hi: i64): bool {
  if (b == 0) { raiseDE(); return false; }
  if (b == -1) {
    if (a == i64.MIN_VALUE) { raiseDE(); return false; }
    idivQ = -a; idivR = 0;
  } else {
    idivQ = a / b; idivR = a % b;
  }
  if (idivQ < lo || idivQ > hi) { raiseDE(); return false; }
  return true;
}
let idivQ: i64 = 0;
let idivR: i64 = 0;
export function idiv_Eb(): void {
  let b = readE8(); if (faultPending) return;
  if (!idivOk(<i64><i16>reg16(R_EAX), <i64><i8>b, -0x80, 0x7f)) return;
  setReg16(R_EAX, ((<u32>idivR & 0xff) << 8) | (<u32>idivQ & 0xff));
}
export function idiv_Ev16(): void {
  let b = readE16(); if (faultPending) return;
  let a = <i64><i32>((reg16(R_EDX) << 16) | reg16(R_EAX));
  if (!idivOk(a, <i64><i16>b, -0x8000, 0x7fff)) return;
  setReg16(R_EAX, <u32>idivQ & 0xffff); setReg16(R_EDX, <u32>idivR & 0xffff);
}
export function idiv_Ev32(): void {
  let b = readE32(); if (faultPending) return;
  let a = <i64>((<u64>reg32(R_EDX) << 32) | <u64>reg32(R_EAX));
  if (!idivOk(a, <i64><i32>b, -0x80000000, 0x7fffffff)) return;
  setReg32(R_EAX, <u32>idivQ); setReg32(R_EDX, <u32>idivR);
}

// Decimal adjust (SDM vol. 2 DAA, DAS, AAA, AAS, AAM, AAD). Undefined flags: OF
// is cleared by DAA/DAS; AAA/AAS leave SF ZF PF OF alone; AAM/AAD clear CF OF AF
// (QEMU's choices, so differential runs agree).
export function daa(): void {
  let al = reg8(R_EAX), cf = getCF(), af = getAF();
  let r = al, ncf = false, naf = false;
  if ((al & 0xf) > 9 || af) { r = (r + 6) & 0xff; naf = true; }
  if (al > 0x99 || cf) { r = (r + 0x60) & 0xff; ncf = true; }
  setReg8(R_EAX, r);
  setLazyResultEager(SZ8, r, CF | AF | OF, (ncf ? CF : 0) | (naf ? AF : 0));
}
export function das(): void {
  let al = reg8(R_EAX), cf = getCF(), af = getAF();
  let r = al, ncf = false, naf = false;
  if ((al & 0xf) > 9 || af) { naf = true; if (al < 6 || cf) ncf = true; r = (r - 6) & 0xff; }
  if (al > 0x99 || cf) { r = (r - 0x60) & 0xff; ncf = true; }
  setReg8(R_EAX, r);
  setLazyResultEager(SZ8, r, CF | AF | OF, (ncf ? CF : 0) | (naf ? AF : 0));
}
export function aaa(): void {
  let ax = reg16(R_EAX);
  if ((ax & 0xf) > 9 || getAF()) {
    ax = (ax + 0x106) & 0xffff;
    setArithFlags(CF | AF, CF | AF);
  } else {
    setArithFlags(CF | AF, 0);
  }
  setReg16(R_EAX, ax & 0xff0f);
}
export function aas(): void {
  let ax = reg16(R_EAX);
  if ((ax & 0xf) > 9 || getAF()) {
    ax = (ax - 6) & 0xffff;
    ax = (ax - 0x100) & 0xffff;
    setArithFlags(CF | AF, CF | AF);
  } else {
    setArithFlags(CF | AF, 0);
  }
  setReg16(R_EAX, ax & 0xff0f);
}
export function aam(): void {
  if ((imm & 0xff) == 0) { raiseDE(); return; }
  let al = reg8(R_EAX), base = imm & 0xff;
  let r = al % base;
  setReg16(R_EAX, ((al / base) << 8) | r);
  setLazyLogic(SZ8, r);
}
export function aad(): void {
  let r = (reg8(R_EAX) + reg8(4 /* AH */) * (imm & 0xff)) & 0xff;
  setReg16(R_EAX, r);
  setLazyLogic(SZ8, r);
}
// SALC (D6), undocumented: AL = CF ? FF : 00, flags unchanged.
export function salc(): void { setReg8(R_EAX, getCF() ? 0xff : 0); }
