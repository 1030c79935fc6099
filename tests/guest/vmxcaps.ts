// The VMX capability MSRs of this model (-cpu coreduo,+vmx), as the guest tests
// expect them: each value worked out once from the Intel SDM vol. 3 appendix A
// and the controls docs/VMX.md says the model implements, never read back from
// the implementation. vmx.test.ts, ept.test.ts and ug.test.ts share them; the
// bits the EPT, VPID and unrestricted-guest features add are in those tests.

export const hex = (v: number) => (v >>> 0).toString(16).padStart(8, "0");
export const bit = (n: number) => 2 ** n;
export const or = (...b: number[]) => b.reduce((a, x) => a + x, 0);

// Appendix A.2-A.5: the default1 bits of each control (must be 1 without the TRUE_* MSRs).
export const PIN_DEFAULT1 = or(bit(1), bit(2), bit(4));
export const PROC_DEFAULT1 = or(bit(1), bit(4), bit(5), bit(6), bit(8), bit(13), bit(14), bit(15), bit(16), bit(26));
export const EXIT_DEFAULT1 = or(...[0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 13, 14, 16, 17].map(bit));
export const ENTRY_DEFAULT1 = or(...[0, 1, 2, 3, 4, 5, 6, 7, 8, 12].map(bit));
// The controls this model implements (docs/VMX.md), by their SDM bit numbers
// (vol. 3 tables 24-5, 24-6, 24-13): pin: external-interrupt exiting (0), NMI
// exiting (3), virtual NMIs (5), activate VMX-preemption timer (6); primary:
// interrupt-window (2), TSC offsetting (3), HLT (7), INVLPG (9), MWAIT (10),
// RDPMC (11), RDTSC (12), use TPR shadow (21), NMI-window (22), MOV-DR (23),
// unconditional I/O (24), I/O bitmaps (25), MSR bitmaps (28), MONITOR (29),
// PAUSE (30); exit: acknowledge interrupt on exit (15), save VMX-preemption
// timer value (22). No optional entry control. Primary bit 31, "activate
// secondary controls", comes only with a secondary control to offer.
export const PIN_MAY1 = PIN_DEFAULT1 + or(bit(0), bit(3), bit(5), bit(6));
export const PROC_MAY1 = PROC_DEFAULT1 + or(...[2, 3, 7, 9, 10, 11, 12, 21, 22, 23, 24, 25, 28, 29, 30].map(bit));
export const EXIT_MAY1 = EXIT_DEFAULT1 + bit(15) + bit(22);
// A.1 IA32_VMX_BASIC, high half: region size 4096 (44:32), 32-bit physical
// addresses (48: a processor without Intel 64), memory type WB = 6 (53:50).
// The low half is the revision, 52H. Bit 55 (TRUE_* MSRs) comes with secondary controls.
export const BASIC_HI = 4096 + bit(48 - 32) + 6 * bit(50 - 32);
// A.6 IA32_VMX_MISC: the preemption timer counts at TSC bit 5 (4:0; docs/VMX.md's
// choice), activity state HLT (bit 6), 4 CR3-target values (24:16).
export const TIMER_RATE = 5;
export const MISC = TIMER_RATE + bit(6) + 4 * bit(16);
// A.7: CR0 PE (0), NE (5), PG (31) fixed to 1.
export const CR0_FIXED0 = or(bit(0), bit(5), bit(31));
