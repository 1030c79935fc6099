import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("sys: CR0/SMSW/LMSW/CLTS, CR2-4, DR0-7, #UD of MOV CR/DR, MSRs, TSC (same output as qemu)", async () => {
  const bin = assemble("sys");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  const out = rz.output;
  // SDM vol. 3 table 9-1: CR0 = 60000010H after reset; EDX = the CPUID signature.
  expect(out).toContain("reset-edx 00000652 cr0 60000010\n");
  expect(out).toContain("smsw16 12340010 smsw32 60000010 smsw-mem aaaa0010\n");
  expect(out).toContain("lmsw-e 6000001e clts 60000016 lmsw0 60000010\n");
  expect(out).toContain("cr2 12345678 cr3 00123018 cr4 0000019c 00000000\n");
  expect(out).toContain("cr-mod00 60000010 12345678\n");
  expect(out).toContain("dr0-3 11111111 22222222 33333333 44444444\n");
  // DR6 bits 4-11 and 16-31 read as 1; DR7 bit 10 reads as 1 (SDM vol. 3 §17.2).
  expect(out).toContain("dr6 ffff0ff0 ffffefff dr7 00000400 00000500\n");
  expect(out).toContain("dr4 ffff0ff0 dr5->dr7 00000600\n");
  expect(out).toMatch(/ud cr1 v=06 ip=\w{4} cr5 v=06 ip=\w{4}\n/);
  expect(out).toMatch(/dr4-with-de v=06 ip=\w{4}\n/);
  expect(out).toMatch(/ud2 v=06 ip=\w{4} invlpg-reg v=06 ip=\w{4} invlpg-mem v=ff wbinvd v=ff\n/);
  expect(out).toContain("sysenter 00000008 00008000 c0001234\n");
  expect(out).toContain("mtrrcap 00000000 00000508 mtrr 00000000 12345006 0000000f fff00800 00000c06\n");
  expect(out).toContain("tsc-advances yes tsc-after-wrmsr-hi 00000000\n");
  expect(out.endsWith("done\n")).toBe(true);
  expect(runQemu(bin).output).toBe(out);
});

test.each([
  // pentium2 (PAE as in QEMU's model): CPUID.PAE, and CR4.PAE can be set.
  ["pentium2", { pae: true, nx: false }, "0181fbfd", "pae v=ff"],
  // pentium2,-pae: no CPUID.PAE, CR4.PAE reserved (#GP).
  ["pentium2,-pae", { pae: false, nx: false }, "0181fbbd", "pae v=0d ip=\\w{4}"],
] as const)("sys-rz -cpu %s: CPUID identity and features, reserved-bit and MSR #GP, DR7.GD, RDPMC, TSC (SDM, not qemu)", async (_name, cpu, leaf1, pae) => {
  const bin = assemble("sys-rz");
  const rz = await runRingZero(bin, { cpu });
  expect(rz.stop).toBe("exit");
  const out = rz.output;
  // Leaf 0: max leaf 2, "GenuineIntel" in EBX EDX ECX.
  expect(out).toContain("cpuid 00000000: 00000002 756e6547 6c65746e 49656e69\n");
  // Leaf 1: family 6 model 5 stepping 2; FPU DE PSE TSC MSR MCE CX8 APIC SEP MTRR PGE MCA CMOV PAT
  // MMX FXSR (bits 0 2 3 4 5 7 8 9 11 12 13 14 15 16 23 24), PAE (6) with the model's
  // feature; no VME PSE36 SSE.
  expect(out).toContain(`cpuid 00000001: 00000652 00000000 00000000 ${leaf1}\n`);
  // Leaf 2: one iteration, P6 descriptors; higher leaves return the highest basic leaf.
  expect(out).toContain("cpuid 00000002: 03020101 00000000 00000000 0c040843\n");
  expect(out).toContain("cpuid 00000003: 03020101 00000000 00000000 0c040843\n");
  expect(out).toContain("cpuid 80000000: 03020101 00000000 00000000 0c040843\n");
  expect(out).toMatch(/cr0-pg-no-pe v=0d ip=\w{4} cr0-nw-no-cd v=0d ip=\w{4} 60000010\n/);
  // CR4.OSFXSR exists with FXSR (SDM vol. 3 §2.5): the last MOV sets CR4 to 200H.
  expect(out).toMatch(new RegExp(`cr4-vme v=0d ip=\\w{4} ${pae} mce v=ff osfxsr v=ff 00000200\n`));
  // General detect: #DB fault (IP of the MOV DR), DR6.BD set, DR7.GD cleared.
  expect(out).toMatch(/gd v=01 ip=\w{4} ffff2ff0 00000400\n/);
  expect(out).toMatch(/rdmsr-unknown v=0d ip=\w{4} wrmsr-mtrrcap v=0d ip=\w{4} rdmsr-mtrr-hole v=0d ip=\w{4} platform-id v=ff 00000000 00000000\n/);
  expect(out).toMatch(/rdpmc0 v=ff 00000000 00000000 rdpmc2 v=0d ip=\w{4}\n/);
  // WRMSR TSC writes all 64 bits (EDX:EAX), as later models than the P6 do
  // (SDM vol. 3 §17.17); one tick per instruction, carrying into the high half.
  // Not compared with qemu: its TCG WRMSR ignores IA32_TIME_STAMP_COUNTER.
  expect(out).toContain("tsc 12345678 00001001 rdmsr fedcba99 00000000\n");
  expect(out.endsWith("done\n")).toBe(true);
});
