// System instructions (SDM vol. 3 §2.8, vol. 2): HLT and (to come) control and
// debug register moves, CPUID, RDTSC, MSRs, cache and TLB control.

import { OFF_HALTED, getCpl } from "./state";
import { raiseGP } from "./fault";
import { pmodeNotV86, protectedMode } from "./segments";

/** HLT: privileged (#GP(0) at CPL > 0); the run loop stops until an interrupt. */
export function hlt(): void {
  if (protectedMode() && getCpl() != 0) { raiseGP(0); return; }
  store<u32>(OFF_HALTED, 1);
}
