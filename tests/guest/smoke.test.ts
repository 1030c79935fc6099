import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("smoke: reset vector, MOV, jumps, debugcon, exit port (same output as qemu)", async () => {
  const bin = assemble("smoke");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.output).toBe("smoke deadbeef\n");
  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
});
