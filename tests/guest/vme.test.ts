// Virtual-8086 mode extensions (CR4.VME) and protected-mode virtual interrupts
// (CR4.PVI): tests/guest/vme.asm. QEMU's TCG has no VME, so every expected line
// is worked out here from the SDM: vol. 3 §20.3.2 (VIF/VIP), §20.3.3 and table
// 20-2 (the six methods of INT n in v8086 mode), §20.4 (PVI), and the vol. 2
// pseudocode of CLI, STI, PUSHF, POPF, INT n and IRET. Flags are shown masked:
// v8086 PUSHF images & 7301H (IOPL IF TF CF), ring-0 frames & 1A7300H (VIP VIF
// VM NT IOPL IF TF). The program starts the v8086 task with VM, IOPL 3 and IF
// (PIC inputs masked), SS:SP = 0800:0FF0, and a TSS whose redirection bitmap
// (32 bytes below the I/O map base) has only the bits of vectors 3, 4, 40H clear.
import { test, expect } from "vitest";
import { assemble, runRingZero } from "./harness";

const WITH_VME = [
  "cpuid.1 edx.vme=02",                 // CPUID.1:EDX.VME (bit 1)
  "cr4=03",                             // CR4.VME and CR4.PVI settable
  // CR4.VME = 0, IOPL 3: INT 40h goes through the IDT though its bitmap bit is
  // clear (method 1); the frame's EFLAGS: VM, IOPL 3, IF.
  "a0",
  "idt40 eip=ok cs=f000 fl=00023200 sp=0ff0 ss=0800",
  // CR4.VME = 1, IOPL 3, bit clear: method 5. FLAGS, CS, IP pushed on the v8086
  // stack (SP 0FF0H - 6), the image as it was (IOPL 3, IF); IF and TF cleared;
  // CS:IP from the IVT. The handler's INT 50h (bit set, IOPL 3: method 4) shows
  // IF = 0 and VIF = 0 in EFLAGS; IRET (IOPL 3) restores IF.
  "a1",
  "h40 sp=0fea ip=ok cs=f000 img=3200 now=3000",
  "idt50 eip=ok cs=f000 fl=00023000 sp=0fe6 ss=0800",
  "a1 back 3200",
  "idt50 eip=ok cs=f000 fl=00023200 sp=0ff0 ss=0800",   // method 4 from the main line
  // IOPL 0 with VIF 1 (IF stays 1). PUSHF: IF in the image is VIF, IOPL 3.
  "b1 pushf 3200",
  "b1 cli 3000",                        // CLI clears VIF (CLI table: VM 1, IOPL < 3, VME 1)
  "#GP e=00000000 op=cd50 fl=00020200", // bit set, IOPL < 3: #GP(0) (method 3); IF still 1
  // Method 6 with VIF 0 (IF 1): the image has VIF as IF (0) and IOPL 3; VIF
  // (not IF) is cleared; the handler's INT 50h faults and shows IF = 1; the
  // 16-bit IRET takes VIF from the image's IF.
  "b2",
  "h40 sp=0fea ip=ok cs=f000 img=3000 now=3000",
  "#GP e=00000000 op=cd50 fl=00020200",
  "b2 back 3000",
  "b3 sti 3200",                        // STI sets VIF (VIP 0)
  "#GP e=00000000 op=cd50 fl=000a0200", // VIF and IF set, IOPL 0
  "h40 sp=0fea ip=ok cs=f000 img=3200 now=3000", // method 6 with VIF 1: image IF 1; VIF cleared
  "#GP e=00000000 op=cd50 fl=00020200",
  "b3 back 3200",                       // IRET: VIF from the image
  // POPF (16-bit, IOPL < 3, VME): TF in the image is #GP(0); the image's IF goes
  // to VIF; IF and IOPL stay (0x3000: IOPL 3 and IF 0 in the image leave IOPL 0, IF 1).
  "#GP e=00000000 op=9d fl=000a0200",
  "b4 popf 0000 3000",
  "#GP e=00000000 op=cd50 fl=00020200",
  "b4 popf 0201 3201",                  // VIF 1, CF 1
  // VIP set (VIF 0): STI #GP(0); POPF and IRET whose image sets IF #GP(0);
  // POPF with IF clear and CLI do not fault.
  "#GP e=00000000 op=fb fl=00120200",
  "#GP e=00000000 op=9d fl=00120200",
  "#GP e=00000000 op=cf fl=00120200",
  "#GP e=00000000 op=cd50 fl=00120200",
  // IRET at IOPL < 3: TF in the image #GP(0); otherwise FLAGS but IF and IOPL,
  // VIF from the image's IF (0x3201: VIF 1, CF 1, IOPL stays 0).
  "#GP e=00000000 op=cf fl=00020200",
  "b7 iret 3201",
  "#GP e=00000000 op=cd50 fl=000a0200",
  // IRETD, PUSHFD, POPFD at IOPL < 3: #GP(0) with VME too.
  "#GP e=00000000 op=66cf fl=000a0200",
  "#GP e=00000000 op=669c fl=000a0200",
  "#GP e=00000000 op=669d fl=000a0200",
  // INT3 and INTO are not INT n: the IDT (DPL 3 gates), though bits 3 and 4 are
  // clear; CD 03 is INT n and is redirected (method 6: image IF = VIF = 1);
  // INT1 (F1) goes to the IDT without the gate DPL check (gate 1 has DPL 0).
  "idt03 eip=ok cs=f000 fl=000a0200 sp=0ff0 ss=0800",
  "h03 ip=ok img=3200",
  "idt04 eip=ok cs=f000 fl=000a0200 sp=0ff0 ss=0800",
  "idt01 eip=ok cs=f000 fl=000a0200 sp=0ff0 ss=0800",
  // I/O map base 100H: the bitmap's byte for 40H lies beyond the TSS limit
  // (A8H): #GP(0). Then 88H again: redirected as before.
  "#GP e=00000000 op=cd40 fl=000a0200",
  "b11",
  "h40 sp=0fea ip=ok cs=f000 img=3200 now=3000",
  "#GP e=00000000 op=cd50 fl=00020200",
  // PVI, CPL 3, IOPL 0, IF 0 (SDM vol. 3 §20.4; CLI/STI tables, PE 1 VM 0):
  // STI sets VIF, CLI clears it, IF untouched; STI with VIP #GP(0), CLI not;
  // with CR4.PVI = 0 both #GP(0).
  "pvi",
  "c1 sti 00080000 cli 00000000",
  "#GP e=00000000 op=fb fl=00100000",
  "c2 cli ok",
  "#GP e=00000000 op=fa fl=00000000",
  "#GP e=00000000 op=fb fl=00000000",
  // CPL 1 (IOPL 0, CR4.PVI = 1): the tables' row PE 1, VM 0, IOPL < CPL, CPL < 3 is #GP(0).
  "cpl1",
  "#GP e=00000000 op=fa fl=00000000",
  "#GP e=00000000 op=fb fl=00000000",
  "done",
].join("\n") + "\n";

for (const how of ["interpreted", "translated"] as const) {
  test(`vme: INT n methods 1 and 3-6, VIF/VIP with CLI STI PUSHF POPF IRET, PVI (SDM, ${how})`, async () => {
    const r = await runRingZero(assemble("vme"), { cpu: { model: "coreduo" }, ...(how === "interpreted" ? { interpret: true } : { translate: true }) });
    expect(r.stop).toBe("exit");
    expect(r.exitCode).toBe(1);
    expect(r.output).toBe(WITH_VME);
    // The PVI loop at CPL 3 is 32-bit code: its blocks are translated, and the
    // translator leaves CLI/STI at CPL > IOPL to the interpreter (insns.ts ifWritable).
    if (how === "translated") expect(r.blocksTranslated).toBeGreaterThan(0);
  });
}

test("vme: -cpu pentium2,+vme has it; pentium2 (as QEMU's TCG) has no CPUID.VME and CR4.VME/PVI are reserved (#GP(0))", async () => {
  const bin = assemble("vme");
  const plus = await runRingZero(bin, { cpu: { model: "pentium2", vme: true }, interpret: true });
  expect(plus.output).toBe(WITH_VME);
  const r = await runRingZero(bin, { cpu: { model: "pentium2" } });
  expect(r.exitCode).toBe(1);
  // SDM vol. 2 MOV CR: setting a reserved CR4 bit is #GP(0); each write faults
  // (the stub prints the vector, error code and CS:EIP) and CR4 stays 0.
  expect(r.output).toMatch(/^cpuid\.1 edx\.vme=00\n#0d e=00000000 @0008:[0-9a-f]{8}\n#0d e=00000000 @0008:[0-9a-f]{8}\ncr4=00\nno vme\n$/);
  const coreduoOff = await runRingZero(bin, { cpu: { model: "coreduo", vme: false } });
  expect(coreduoOff.output).toBe(r.output);
});
