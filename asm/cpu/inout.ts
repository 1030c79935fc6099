// IN and OUT (SDM vol. 2): port I/O after the IOPL / bitmap check of ioperm.ts.
// INS/OUTS are string instructions (string.ts).

import { R_EAX, R_EDX, reg8, reg16, reg32, setReg8, setReg16, setReg32 } from "./state";
import { imm } from "./decode";
import { ioAllowed } from "./ioperm";
import { portIn, portOut } from "../io";

export function in_AL_Ib(): void { if (ioAllowed(imm, 1)) setReg8(0, portIn(imm, 1)); }
export function in_eAX_Ib16(): void { if (ioAllowed(imm, 2)) setReg16(R_EAX, portIn(imm, 2)); }
export function in_eAX_Ib32(): void { if (ioAllowed(imm, 4)) setReg32(R_EAX, portIn(imm, 4)); }
export function out_Ib_AL(): void { if (ioAllowed(imm, 1)) portOut(imm, 1, reg8(0)); }
export function out_Ib_eAX16(): void { if (ioAllowed(imm, 2)) portOut(imm, 2, reg16(R_EAX)); }
export function out_Ib_eAX32(): void { if (ioAllowed(imm, 4)) portOut(imm, 4, reg32(R_EAX)); }
export function in_AL_DX(): void { let p = reg16(R_EDX); if (ioAllowed(p, 1)) setReg8(0, portIn(p, 1)); }
export function in_eAX_DX16(): void { let p = reg16(R_EDX); if (ioAllowed(p, 2)) setReg16(R_EAX, portIn(p, 2)); }
export function in_eAX_DX32(): void { let p = reg16(R_EDX); if (ioAllowed(p, 4)) setReg32(R_EAX, portIn(p, 4)); }
export function out_DX_AL(): void { let p = reg16(R_EDX); if (ioAllowed(p, 1)) portOut(p, 1, reg8(0)); }
export function out_DX_eAX16(): void { let p = reg16(R_EDX); if (ioAllowed(p, 2)) portOut(p, 2, reg16(R_EAX)); }
export function out_DX_eAX32(): void { let p = reg16(R_EDX); if (ioAllowed(p, 4)) portOut(p, 4, reg32(R_EAX)); }
