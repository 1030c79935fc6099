// Binary arithmetic and logic (SDM vol. 1 §7.3.2-7.3.4): the eight ALU operations
// (their operand forms are generated: alu_forms.ts), INC, DEC, TEST.
// Flags are lazy (flags.ts).

import { reg16, reg32, setReg16, setReg32 } from "./state";
import { setLazy, setLazyKeepCF, setLazyLogic, getCF, LAZY_ADD, LAZY_ADC1, LAZY_SUB, LAZY_SBB1, SZ8, SZ16, SZ32 } from "./flags";
import {
  opcode, imm, readE8, readE16, readE32, writeE8, writeE16, writeE32, readG8, readG16, readG32,
} from "./decode";
import { reg8 } from "./state";
import { faultPending } from "./fault";

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
export function alu8(op: u32, a: u32, b: u32): u32 { return alu(op, SZ8, a & 0xff, b & 0xff) & 0xff; }
export function alu16(op: u32, a: u32, b: u32): u32 { return alu(op, SZ16, a & 0xffff, b & 0xffff) & 0xffff; }
export function alu32(op: u32, a: u32, b: u32): u32 { return alu(op, SZ32, a, b); }

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
