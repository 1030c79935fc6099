// Protected-mode and virtual-8086-mode interrupt delivery through the IDT.
// SDM vol. 3 §6.10-6.14 (gates, privilege changes, error codes), §7.3 (task gates),
// §20.3 (interrupts in virtual-8086 mode).

import { raise, DF as V_DF } from "./fault";

/** Deliver through the IDT. (Filled in by the protection work.) */
export function deliverProtected(vector: u32, kind: u32, error: u32, hasError: bool): void {
  // Until IDT delivery exists, any protected-mode interrupt is unrecoverable.
  raise(V_DF, 0, true);
}
