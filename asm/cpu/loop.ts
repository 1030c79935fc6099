// LOOP, LOOPE, LOOPNE, JCXZ/JECXZ (SDM vol. 2 LOOP/LOOPcc, Jcc). The counter is
// CX or ECX by the ADDRESS size; the target is EIP + rel8, truncated to 16 bits
// with a 16-bit operand size (decode.ts jumpRelative). LOOP does not touch flags.

import { R_ECX, reg16, reg32, setReg16, setReg32 } from "./state";
import { imm, addrsize32, jumpRelative } from "./decode";
import { getZF } from "./flags";

/** Decrement the counter and return its new value. */
@inline function decCount(): u32 {
  if (addrsize32) { let c = reg32(R_ECX) - 1; setReg32(R_ECX, c); return c; }
  let c = (reg16(R_ECX) - 1) & 0xffff;
  setReg16(R_ECX, c);
  return c;
}

export function loop_Jb(): void { if (decCount() != 0) jumpRelative(imm); }
export function loope_Jb(): void { let c = decCount(); if (c != 0 && getZF()) jumpRelative(imm); }
export function loopne_Jb(): void { let c = decCount(); if (c != 0 && !getZF()) jumpRelative(imm); }
export function jcxz_Jb(): void {
  let c = addrsize32 ? reg32(R_ECX) : reg16(R_ECX);
  if (c == 0) jumpRelative(imm);
}
