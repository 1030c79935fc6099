import { test, expect } from "vitest";
import { assemble, runRingZero } from "./harness";

// What a VM exit reports about the guest's own events (tests/guest/vmxevt.asm)
// under -cpu coreduo,-nx,+vmx. No reference machine has VMX (qemu's TCG has
// none, Debian's Bochs is built without it), so every expected value below is
// worked out from the SDM (vol. 3 ch. 6, 24-27) and from the byte lengths of
// the guest's instructions (vol. 2 encodings; vmxevt.asm gives each one's
// offset from guest_code); none is read back from the implementation.

const VMX_CPU = { model: "coreduo", nx: false, vmx: true } as const;
const hex = (v: number) => (v >>> 0).toString(16).padStart(8, "0");
const bit = (n: number) => 2 ** n;

// Interruption information (§24.9.2, table 24-15): vector (7:0), type (10:8: 3
// hardware exception, 4 software interrupt, 5 privileged software exception, 6
// software exception), error code valid (11), NMI unblocking due to IRET (12),
// valid (31). The IDT-vectoring information has the same layout (table 24-16).
const HW = 3, SW_INT = 4, PRIV_SW = 5, SW_EXC = 6;
const intr = (vector: number, type: number, err: boolean, unblocked = false) =>
  hex(vector + type * 256 + (err ? bit(11) : 0) + (unblocked ? bit(12) : 0) + bit(31));
const GP = 13, NP = 11, DB = 1;
// An exception's error code for a gate in the IDT (§6.13, figure 6-7): index * 8,
// IDT (bit 1), EXT (bit 0) set unless the event being delivered is a software
// interrupt of INT n, INT3 or INTO.
const idtErr = (vector: number, ext: boolean) => hex(vector * 8 + 2 + (ext ? 1 : 0));

// Guest instructions (offsets from guest_code): VMCALL +0 (0F 01 C1), the IRET
// at +14 after PUSHFD and two PUSH imm32, INT 31H +15 (CD 31), INT3 +17 (CC),
// INTO +22 (CE) after MOV AL, 7FH and ADD AL, 1 (OF = 1), INT1 +23 (F1), VMCALL
// +24, INT 32H +27 (CD 32).
const IRET = 14, INT31 = 15, INT3 = 17, INTO = 22, INT1 = 23, DONE = 24, INT32 = 27;
const ev = (rip: number, info: string, rest: string) => `exit 00000000 00000000 ${hex(rip)} ${info} ${rest}`;

const EXPECTED = [
  // §27.2.1, appendix C: VMCALL (reason 18), its RIP and length 3.
  "launch exit 00000012 00000000 00000000 00000003",
  // The guest's IRET pops CS 1238H, past the GDT's limit: #GP(1238H) (vol. 2
  // IRET), a fault, so the RIP saved is the IRET's (§27.3.3). With virtual
  // NMIs and virtual-NMI blocking before it, bit 12 "NMI unblocking due to
  // IRET" is 1 (§27.2.2), and the blocking was cleared before the VM exit
  // (§25.3: IRET removes virtual-NMI blocking even if it faults; §27.1), so the
  // saved interruptibility state has no bit 3 (table 24-3).
  `iret-vnmi ${ev(IRET, intr(GP, HW, true, true), "err 00001238 vec 00000000 ib 00000000")}`,
  // No virtual-NMI blocking before the IRET: bit 12 is 0 (§27.2.2, "for all
  // other relevant VM exits").
  `iret-vnmi-open ${ev(IRET, intr(GP, HW, true), "err 00001238 vec 00000000 ib 00000000")}`,
  // Without NMI exiting (and so without virtual NMIs), blocking by NMI loaded
  // from bit 3 (§26.6.1): IRET unblocks NMIs even if it faults (§6.7.1, §25.3),
  // bit 12 is 1 and the blocking was cleared before the exit (§27.1).
  `iret-nmi ${ev(IRET, intr(GP, HW, true, true), "err 00001238 vec 00000000 ib 00000000")}`,
  // NMI exiting without virtual NMIs: IRET does not affect blocking by NMI
  // (§25.3), so bit 3 is saved again; bit 12 is undefined then (§27.2.2) and
  // the program prints it as 0.
  `iret-nmi-exiting ${ev(IRET, intr(GP, HW, true), "err 00001238 vec 00000000 ib 00000008")}`,
  // #GP not in the bitmap, its gate not present: delivering it raises #NP,
  // and a contributory exception during the delivery of another makes a #DF
  // (§6.15, table 6-5), which is in the bitmap. A #DF that exits directly is
  // not an exit during event delivery (§27.2.3): no IDT-vectoring information;
  // bit 12 is undefined for #DF (printed as 0); the error code is 0. The IRET
  // had removed the virtual-NMI blocking (§25.3).
  `iret-vnmi-df ${ev(IRET, intr(8, HW, true), "err 00000000 vec 00000000 ib 00000000")}`,
  // The #GP's gate a task gate (TSS selector 30H): a task switch always exits
  // (reason 9, §25.4.2), with the selector and source 3, "task gate in the
  // IDT", as the qualification (bits 15:0 and 31:30). It happens while the #GP
  // is delivered: the IDT-vectoring information is the #GP with its error code
  // (§27.2.3). Not a vectored event: the exit interruption information is
  // invalid (bit 31 = 0; the rest is undefined and not printed).
  `iret-vnmi-task exit 00000009 ${hex(0x30 + 3 * bit(30))} ${hex(IRET)} 00000000 vec ${intr(GP, HW, true)} verr 00001238 ib 00000000`,
  // Nothing in the bitmap, NMI-window exiting on: the faulting IRET removed the
  // virtual-NMI blocking, the #GP is delivered through the guest's IDT, and
  // the NMI-window exit (reason 8, §25.2) comes before the first instruction
  // of its handler (RIP = gate 13's offset; the handler has not run). The
  // delivery completed, so there is no IDT-vectoring information. The guest's
  // stack: the IRET's 3 pushes, restored by its fault, then EFLAGS, CS, EIP and
  // the error code (28 bytes): error code 1238H, EIP the IRET's.
  `iret-nmi-window exit 00000008 00000000 at-handler 00000000 vec 00000000 ib 00000000 handler-ran ffffffff stack ${hex(28)} 00001238 ${hex(IRET)}`,
  // Faults while delivering the guest's INT 31H, INT3, INTO and INT1, whose
  // gates are not present; only #NP is in the bitmap. The #NP's error code has
  // EXT = 0 for INT n, INT3 and INTO, EXT = 1 for INT1 (§6.13); the exit
  // reports the event being delivered as IDT-vectoring information (§27.2.3:
  // type 4 for INT n, 6 for INT3/INTO, 5 for INT1, table 24-16) and the
  // instruction's length (§27.2.4: "VM exits due to faults encountered during
  // delivery of a software interrupt, privileged software exception, or
  // software exception"), at the instruction's RIP; bit 12 is undefined with
  // IDT-vectoring information (printed as 0).
  `int-np ${ev(INT31, intr(NP, HW, true), `err ${idtErr(0x31, false)} vec ${intr(0x31, SW_INT, false)} len 00000002 ib 00000000`)}`,
  `int3-np ${ev(INT3, intr(NP, HW, true), `err ${idtErr(3, false)} vec ${intr(3, SW_EXC, false)} len 00000001 ib 00000000`)}`,
  `into-np ${ev(INTO, intr(NP, HW, true), `err ${idtErr(4, false)} vec ${intr(4, SW_EXC, false)} len 00000001 ib 00000000`)}`,
  `int1-np ${ev(INT1, intr(NP, HW, true), `err ${idtErr(DB, true)} vec ${intr(DB, PRIV_SW, false)} len 00000001 ib 00000000`)}`,
  // INT 32H meets a task gate (TSS selector 30H), the task-switch exit as
  // above while INT 32H is delivered: IDT-vectoring information type 4
  // (§27.2.3) and the INT's length (§27.2.4 names this case), at the INT's
  // RIP, from which a hypervisor re-injecting the event with that length
  // returns past it.
  `int-task-gate exit 00000009 ${hex(0x30 + 3 * bit(30))} ${hex(INT32)} 00000000 vec ${intr(0x32, SW_INT, false)} len 00000002 ib 00000000`,
  // INT1 with #DB in the exception bitmap: a VM exit on the INT1 itself as a
  // privileged software exception (type 5, §27.2.2), vector 1, no error code,
  // at its RIP with its length, 1 (§27.2.4 lists privileged software
  // exceptions with INT3 and INTO); the qualification of a #DB exit holds the
  // debug conditions of table 27-1 (B0-B3, BD, BS), none of which INT1 sets: 0.
  `int1-exit ${ev(INT1, intr(DB, PRIV_SW, false), "vec 00000000 len 00000001 ib 00000000")}`,
  // Without #DB in the bitmap INT1 is delivered through the guest's IDT as a
  // trap: the handler sees vector 1 and the return address after the F1; it
  // ends in the VMCALL at +24.
  `int1-delivered exit 00000012 00000000 ${hex(DONE)} 00000003 vec 00000001 ret ${hex(DONE)}`,
  "done",
].join("\n") + "\n";

for (const how of [{ interpret: true }, { translate: true }]) {
  const mode = how.interpret ? "interpreted" : "translated";
  test(`VM exits: NMI unblocking due to IRET, faults delivering INT n/INT3/INTO/INT1, INT1 exits (${mode})`, async () => {
    const r = await runRingZero(assemble("vmxevt"), { cpu: VMX_CPU, ...how });
    expect(r.output).toBe(EXPECTED);
    expect(r.exitCode).toBe(1); // EXIT 0: isa-debug-exit reports (0 << 1) | 1
  });
}
