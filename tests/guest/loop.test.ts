import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("loop: LOOP/LOOPE/LOOPNE/JCXZ with CX and ECX counters (same as qemu)", async () => {
  const bin = assemble("loop");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const line = (name: string) => rz.output.split("\n").find((l) => l.startsWith(name + ": "))!.slice(name.length + 2).trim().split(" ");
  expect(line("loop")).toEqual(["00000005", "12340000", "00010003", "00000000", "00010000", "abcd0000", "00000015", "abcd0000"]);
  const cc = line("loopcc");
  expect([cc[0], cc[1], cc[3], cc[4]]).toEqual(["00000004", "abcd0006", "00000005", "abcd0005"]);
  expect(cc.slice(6)).toEqual(["00010002", "00000000", "00000001", "00000002"]);
  expect(line("jcxz")).toEqual(["00001010"]);
  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
});
