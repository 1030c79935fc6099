// Protected-mode basics (SDM vol. 3 ch. 3, 5, 6; vol. 2 LAR/LSL/VERR/VERW/ARPL,
// SGDT/SIDT/SLDT/STR/LLDT/LTR, MOV Sreg, BOUND): differential against
// qemu-system-i386 -cpu pentium2 where QEMU models the behaviour, plus explicit
// expected values.
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("pm_basic: enter/leave PM, descriptor instructions, segment-load and gate faults (same as qemu)", async () => {
  const bin = assemble("pm_basic");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1); // EXIT 0 (isa-debug-exit status (0 << 1) | 1)
  const out = rz.output;
  expect(out).toContain("pm cs=0008 ss=0010\n");
  expect(out).toContain("sgdt 03ff 00001000 sidt 07ff 00002000 str 00000028 sldt 00000048 0048\n");
  expect(out).toContain("tss0 acc=8b\n"); // LTR marked TSS0 busy
  expect(out).toContain("0040: lar 0000ec00/01 lsl eeeeeeee/00"); // call gate: LAR yes, LSL no
  expect(out).toContain("0080: lar 00c0f000/01 lsl 2fffffff/01 lar16 eeeef000 verr 01 verw 00\n");
  expect(out).toContain("0013: lar eeeeeeee/00"); // RPL 3 > DPL 0
  expect(out).toContain("arpl 0013/01 0013/00\n");
  expect(out).toContain("#0b e=00000050 ");  // MOV DS, not present -> #NP(sel)
  expect(out).toContain("#0d e=00000020 ");  // MOV SS, DPL 3 at CPL 0 -> #GP(sel)
  expect(out).toContain("#0c e=00000070 ");  // MOV SS, not present -> #SS(sel)
  expect(out).toContain("#0d e=00000482 ");  // INT 90h, empty gate -> #GP(90h*8+2)
  expect(out).toContain("#0b e=0000048a ");  // INT 91h, gate not present -> #NP
  expect(out).toContain("#0d e=000007fa ");  // beyond IDT limit
  expect(out).toContain("bound ok\n#05 e=00000000");
  expect(out).toContain("ltr16 acc=83\n#0d e=00000088 ");
  expect(out).toContain("real mode again\n");
  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
});

test("pm_limits: data-segment limit and type checks (RingZero only: QEMU does not check them)", async () => {
  const rz = await runRingZero(assemble("pm_limits"));
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1); // EXIT 0 (isa-debug-exit status (0 << 1) | 1)
  const eip = "@0008:[0-9a-f]{8}\\n";
  expect(rz.output).toMatch(new RegExp(
    "^expdn ok\\n#0d e=00000000 " + eip +
    "ss ok\\n#0c e=00000000 " + eip +
    "#0d e=00000000 " + eip +
    "#0d e=00000000 " + eip +
    "null es loaded\\n#0d e=00000000 " + eip +
    "done\\n$"));
});
