// Real-address mode interrupts and far transfers (SDM vol. 3 §20.1.4; vol. 2 INT
// n, INTO, INT3, IRET, CALL/JMP/RET far, BOUND). Differential against QEMU plus
// explicit frame checks.
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("int_real: IVT delivery, IRET/IRETD, far CALL/JMP/RETF, BOUND (same as qemu)", async () => {
  const bin = assemble("int_real");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const out = rz.output;
  expect(out).toMatch(/^vec 40 ip=[0-9a-f]{4} cs=f000 fl=0002 sp=6ffa now=0000\n/);
  expect(out).toMatch(/vec 03 ip=[0-9a-f]{4} cs=f000 fl=0002 sp=6ffa now=0000\n/);
  expect(out).toMatch(/vec 04 ip=[0-9a-f]{4} cs=f000 fl=0802 sp=6ffa now=0000\nafter ints\n/); // INTO only with OF=1
  expect(out).toContain("after iretd sp=7000\n");
  expect(out).toContain("far2 ret cs p2 p1: f000 2222 1111\nafter retf 4 sp=7000\n");
  expect(out).toContain("far32 hi cs cs-hi: f000 0000 0000\nfar32 hi cs cs-hi: f000 0000 0000\njmp far ok\n");
  expect(out).toMatch(/#BR at [0-9a-f]{4}\nafter bound\ndone\n$/);
  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
});
