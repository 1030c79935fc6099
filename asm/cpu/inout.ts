// IN and OUT (SDM vol. 2): port I/O after the IOPL / bitmap check of ioperm.ts.
// INS/OUTS are string instructions (string.ts).

import { R_EAX, R_EDX, reg8, reg16, reg32, setReg8, setReg16, setReg32 } from "./state";
import { imm } from "./decode";
import { ioAllowed } from "./ioperm";
import { nonRoot, vmxIo } from "./vmxexit";

/** The access may go on: the I/O permission, then (in VMX non-root) no VM exit. */
@inline function ioOk(port: u32, size: u32, isIn: bool, immediate: bool): bool {
  return ioAllowed(port, size) && !(nonRoot() && vmxIo(port, size, isIn, false, false, immediate));
}
import { portIn, portOut } from "../io";

export function in_AL_Ib(): void { if (ioOk(imm, 1, true, true)) setReg8(0, portIn(imm, 1)); }
export function in_eAX_Ib16(): void { if (ioOk(imm, 2, true, true)) setReg16(R_EAX, portIn(imm, 2)); }
export function in_eAX_Ib32(): void { if (ioOk(imm, 4, true, true)) setReg32(R_EAX, portIn(imm, 4)); }
export function out_Ib_AL(): void { if (ioOk(imm, 1, false, true)) portOut(imm, 1, reg8(0)); }
export function out_Ib_eAX16(): void { if (ioOk(imm, 2, false, true)) portOut(imm, 2, reg16(R_EAX)); }
export function out_Ib_eAX32(): void { if (ioOk(imm, 4, false, true)) portOut(imm, 4, reg32(R_EAX)); }
export function in_AL_DX(): void { let p = reg16(R_EDX); if (ioOk(p, 1, true, false)) setReg8(0, portIn(p, 1)); }
export function in_eAX_DX16(): void { let p = reg16(R_EDX); if (ioOk(p, 2, true, false)) setReg16(R_EAX, portIn(p, 2)); }
export function in_eAX_DX32(): void { let p = reg16(R_EDX); if (ioOk(p, 4, true, false)) setReg32(R_EAX, portIn(p, 4)); }
export function out_DX_AL(): void { let p = reg16(R_EDX); if (ioOk(p, 1, false, false)) portOut(p, 1, reg8(0)); }
export function out_DX_eAX16(): void { let p = reg16(R_EDX); if (ioOk(p, 2, false, false)) portOut(p, 2, reg16(R_EAX)); }
export function out_DX_eAX32(): void { let p = reg16(R_EDX); if (ioOk(p, 4, false, false)) portOut(p, 4, reg32(R_EAX)); }
