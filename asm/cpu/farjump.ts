// Protected-mode far JMP/CALL/RET (SDM vol. 2 JMP, CALL, RET; vol. 3 §5.8).
// (Filled in by the protection work.)
import { raiseGP } from "./fault";
export function jmpFarProtected(sel: u32, off: u32): void { raiseGP(sel & 0xfffc); }
