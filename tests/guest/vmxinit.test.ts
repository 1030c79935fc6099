import { test, expect } from "vitest";
import { assemble, runRingZero } from "./harness";
import { hex, bit, MISC } from "./vmxcaps";
import type { Machine } from "../../web/host/machine";

// INIT in VMX operation (tests/guest/vmxinit.asm) under -cpu coreduo,-nx,+vmx.
// No reference machine has VMX (qemu's TCG has none), so every expected value
// is worked out from the SDM (vol. 3 §23.8, §25.2, §26.6.2, §27.1-§27.3,
// appendix C, VMXOFF in ch. 30; table 9-1 for the INIT reset) and from the byte
// lengths of the guest's instructions; none is read back from the implementation.

const VMX_CPU = { model: "coreduo", nx: false, vmx: true } as const;
// Appendix C: basic exit reason 3 "INIT signal", 18 VMCALL.
const INIT = 3, VMCALL = 18;
// Guest offsets from guest_code: the ICR write (C7 05 disp32 imm32) at +0, the
// JMP $ (EB FE) after it at +10, VMCALL (0F 01 C1) at +12, the VMCALL at +15
// that the HLT-state entry loads as RIP; at +18 a JMP (EB 0A) to +30, whose JMP
// (EB F2) goes back to MOV [ICR], EBX (89 1D disp32) at +20, INC ECX at +26
// (41), VMCALL at +27.
const SPIN = 10, DONE = 12, HALTED = 15, ICR_INC = 26, ICR_VMCALL = 27;
const initExit = (rip: number, activity: number) =>
  // Qualification 0 (§27.2.1: INIT has none). Not a vectored event: the exit
  // interruption information is invalid, 0 (§27.2.2), and the exit happens
  // outside event delivery: no IDT-vectoring information (§27.2.3). The
  // activity state saved is the one "before the VM exit" (§27.3.4; §27.1: a
  // VM exit that wakes the processor returns it to the active state only after
  // it completes); no blocking by STI, MOV SS or NMI (table 24-3). The exit
  // performs "none of the operations normally associated" with INIT (§25.2):
  // the local APIC keeps its software enable (SVR 1FFH) and TPR 10H, which an
  // INIT reset would clear (§10.4.7.3).
  `exit ${hex(INIT)} 00000000 ${hex(rip)} 00000000 vec 00000000 act ${hex(activity)} ib 00000000 apic 000001ff 00000010`;
// "exit REASON QUAL RIP LENGTH" for the VMCALL that shows no INIT was left pending.
const vmcall = `exit ${hex(VMCALL)} 00000000 ${hex(DONE)} 00000003`;

const EXPECTED = [
  // §25.2: "INIT signals cause VM exits" in non-root operation. The ICR write
  // completes; the INIT is recognized at the next instruction boundary
  // (priority 3, §6.9), before the guest's JMP $, so the RIP saved is the JMP's.
  `nonroot ${initExit(SPIN, 0)}`,
  // The exit was the INIT's whole effect: resumed at its VMCALL, the guest
  // exits for the VMCALL, not for an INIT again.
  `consumed ${vmcall}`,
  // The same ICR write three times, from a translated block the second and
  // third time when the test translates. An INIT level de-assert is no INIT (table 10-4 note
  // 3): the INC and the VMCALL run (ECX 1). An INIT is taken at the boundary
  // after the write, before the INC: RIP +24, ECX still 0 (VM exits leave the
  // GPRs as the guest had them, §27.5).
  `icr-deassert exit ${hex(VMCALL)} 00000000 ${hex(ICR_VMCALL)} 00000003 ecx 00000001`,
  `icr-deassert exit ${hex(VMCALL)} 00000000 ${hex(ICR_VMCALL)} 00000003 ecx 00000001`,
  `icr-init ${initExit(ICR_INC, 0)} ecx 00000000`,
  // §23.8: "INIT signals are blocked whenever a logical processor is in VMX
  // root operation": the host goes on running with it held.
  "root: running",
  // Entered with activity state HLT (IA32_VMX_MISC[6]): INIT is not blocked in
  // non-root operation (§23.8), and only the wait-for-SIPI state blocks it
  // (§26.6.2), so it exits immediately after the entry, before any guest
  // instruction: RIP as loaded, activity state HLT saved.
  `entry-hlt ${initExit(HALTED, 1)}`,
  `consumed ${vmcall}`,
  // An INIT held in root operation until VMXOFF, which "unblocks INIT"
  // (VMXOFF's operation, vol. 3 ch. 30): the INIT reset outside VMX operation.
  "vmxoff",
  // The processor starts again at the reset vector (the program's mark in RAM
  // survives: table 9-1 and §9.1, INIT does not touch memory): CR0 60000010H
  // (the program never cleared CD and NW, which INIT keeps: table 9-1 note 2),
  // CR4 0 (VMXE cleared), IA32_FEATURE_CONTROL and IA32_APIC_BASE unchanged
  // ("all other MSRs": lock and VMX outside SMX, 5; enabled BSP at FEE00000H).
  "restart cr0 60000010 cr4 00000000 fc 00000005 apic_base fee00900",
].join("\n") + "\n";

test("the model has no wait-for-SIPI activity state (IA32_VMX_MISC[8] = 0), so INIT never finds one", () => {
  expect(MISC & bit(8)).toBe(0);
});

for (const how of [{ interpret: true }, { translate: true }]) {
  const mode = how.interpret ? "interpreted" : "translated";
  test(`INIT: a VM exit in non-root operation, blocked in root operation until a VM entry or VMXOFF (${mode})`, async () => {
    let exits: ReturnType<Machine["translator"]["countExits"]> | undefined;
    const r = await runRingZero(assemble("vmxinit"), { cpu: VMX_CPU, ...how, setup: (m) => { exits = m.translator.countExits(); } });
    expect(r.output).toBe(EXPECTED);
    expect(r.exitCode).toBe(1); // EXIT 0: isa-debug-exit reports (0 << 1) | 1
    // Translated: the block MOV [ICR], EBX; INC ECX (ending before the VMCALL)
    // ran for the second de-assert and for the INIT.
    if (how.translate) expect(exits!.blocks.filter((b) => b.ends === "untranslated 0f 01 c1" && b.insns === 2 && b.exits >= 2)).toHaveLength(1);
  });
}
