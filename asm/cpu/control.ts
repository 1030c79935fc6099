// Control transfer (SDM vol. 1 §7.3.8): near JMP/Jcc/CALL/RET, LOOP. Far
// transfers (all modes, gates, privilege changes, task switches) are in farjump.ts.

import { setEip, getEip } from "./state";
import { imm, opcode, jumpRelative, nearJump, nearTargetOk } from "./decode";
import { testCCInline } from "./flags";

export function jmp_Jb(): void { jumpRelative(imm); }
export function jmp_Jv16(): void { jumpRelative(imm); }
export function jmp_Jv32(): void { jumpRelative(imm); }
// Jcc (SDM vol. 2 Jcc): the opcode map passes the condition (the opcode's low
// four bits) as a constant, so that testCCInline folds it where this is expanded
// and the common CMP/logic case costs no call. The immediate (rel8 or rel16/32)
// is already sign-extended.
@inline
export function jcc(cc: u32): void { if (testCCInline(cc)) jumpRelative(imm); }

// Near CALL/RET (SDM vol. 2 CALL, RET): the return address is EIP after the
// instruction; a 16-bit operand size pushes IP and truncates the target.
import { push16, push32, pop16, pop32, getSP, setSP } from "./mem";
import { faultPending, raiseGP } from "./fault";
import { readE16, readE32 } from "./decode";

// A target outside CS's limit is #GP(0) before anything is pushed or popped
// (decode.ts nearJump; the run loop restores registers on a fault).
export function call_Jv16(): void { let r = getEip(); let t = (r + imm) & 0xffff; if (!nearTargetOk(t)) return; push16(r); if (faultPending) return; setEip(t); }
export function call_Jv32(): void { let r = getEip(); let t = r + imm; if (!nearTargetOk(t)) return; push32(r); if (faultPending) return; setEip(t); }
export function call_Ev16(): void { let t = readE16(); if (faultPending || !nearTargetOk(t)) return; push16(getEip()); if (faultPending) return; setEip(t); }
export function call_Ev32(): void { let t = readE32(); if (faultPending || !nearTargetOk(t)) return; push32(getEip()); if (faultPending) return; setEip(t); }
export function jmp_Ev16(): void { let t = readE16(); if (faultPending) return; nearJump(t); }
export function jmp_Ev32(): void { let t = readE32(); if (faultPending) return; nearJump(t); }
export function ret_near16(): void { let t = pop16(); if (faultPending) return; nearJump(t); }
export function ret_near32(): void { let t = pop32(); if (faultPending) return; nearJump(t); }
export function ret_near_Iw16(): void { let t = pop16(); if (faultPending || !nearTargetOk(t)) return; setSP(getSP() + imm); setEip(t); }
export function ret_near_Iw32(): void { let t = pop32(); if (faultPending || !nearTargetOk(t)) return; setSP(getSP() + imm); setEip(t); }
