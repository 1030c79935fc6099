import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("debug: single-step, instruction and data breakpoints, DR6 status (same output as qemu)", async () => {
  const bin = assemble("debug");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  const out = rz.output;
  // Single-step (SDM vol. 3 §17.3.1.4): a trap after the instruction that began with
  // TF set (EAX = 1, IP of the next instruction, TF set in the pushed FLAGS), DR6.BS.
  expect(out).toContain("step v=01 ip=02ae 00000001 00000100 00000000 dr6 ffff4ff0\n");
  // INT n with TF set: no trap after it (its handler ran with TF clear, EBX = 1); the
  // handler's IRET restores TF and the next instruction (EAX = 3) traps.
  expect(out).toMatch(/step-int v=01 ip=\w{4} 00000003 00000001 00000000 dr6 ffff4ff0\n/);
  // Instruction breakpoint (§17.3.1.1): a fault at the instruction, which has not run.
  expect(out).toContain("ibp v=01 ip=1000 00000000 dr6 ffff0ff1\n");
  expect(out).toContain("ibp-g0 v=01 ip=1006 00001234 dr6 ffff0ff1\n");
  expect(out).toContain("ibp-off v=ff 00001234\n");
  // Data breakpoints (§17.3.1.2): traps after the access, which has happened.
  expect(out).toContain("wbp-read v=ff dr6 ffff0ff0\n");
  expect(out).toMatch(/wbp-write v=01 ip=\w{4} 00000000 44aa2211 dr6 ffff0ff2\n/);
  expect(out).toMatch(/wbp-outside v=ff dr6 ffff0ff0 overlap v=01 ip=\w{4} dr6 ffff0ff2 88aa2211\n/);
  expect(out).toMatch(/rwbp-1 v=ff dr6 ffff0ff0 v=01 ip=\w{4} dr6 ffff0ff4\n/);
  expect(out).toMatch(/rwbp-word-over v=01 ip=\w{4} dr6 ffff0ff4\n/);
  expect(out).toMatch(/rwbp-2 v=ff dr6 ffff0ff0 v=01 ip=\w{4} dr6 ffff0ff8\n/);
  expect(out.endsWith("done\n")).toBe(true);
  expect(runQemu(bin).output).toBe(out);
});
