// Data movement (SDM vol. 1 §7.3.1): MOV forms, and (to come) XCHG, MOVZX/MOVSX,
// LEA, CMOVcc, SETcc, BSWAP, XADD, CMPXCHG, CMPXCHG8B, CBW/CWD, XLAT, LAHF/SAHF.

import { reg8, setReg8, setReg16, setReg32, R_EAX, reg16, reg32 } from "./state";
import {
  opcode, imm, eaSeg, eaOff, readE8, readE16, readE32, writeE8, writeE16, writeE32,
  readG8, readG16, readG32, writeG8, writeG16, writeG32,
} from "./decode";
import { read8, read16, read32, write8, write16, write32 } from "./mem";

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
export function nop(): void {}
