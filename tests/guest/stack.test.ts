import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("stack: PUSH/POP forms, PUSHF/POPF, PUSHA/POPA, ENTER/LEAVE on a 16-bit stack (same as qemu)", async () => {
  const bin = assemble("stack");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const line = (name: string) => rz.output.split("\n").find((l) => l.startsWith(name + ": "))!.slice(name.length + 2).trim().split(" ");
  const push = line("push");
  expect(push.slice(0, 7)).toEqual(["fffd", "ffff", "cdef", "89ab", "fffe", "1234", "00006ff0"]);
  expect(push.slice(13, 16)).toEqual(["22222222", "00006ffc", "22227000"]); // POP [ESP], PUSH SP
  // real mode: POPF sets IOPL and NT, never bit 15; POPFD sets AC and ID, not VIP/VIF/VM/RF
  expect(line("flags")).toEqual(["00007ed7", "00000002", "00247ed7", "00000002", "80000894"]);
  const pusha = line("pusha");
  expect(pusha.slice(0, 8)).toEqual(["0007", "0006", "0005", "7000", "0004", "0003", "0002", "0001"]);
  expect(pusha[12]).toBe("00006ffc"); // after POPA: SP from the pops, not from the slot
  const enter = line("enter");
  expect(enter.slice(0, 2)).toEqual(["00006ffe", "00006ff2"]); // ENTER 8,0
  expect(enter.slice(12, 14)).toEqual(["00006ffe", "00006fee"]); // ENTER 6,3
  expect(enter.slice(17, 20)).toEqual(["6ffe", "bbbb", "aaaa"]); // frame pointer and the copied display
  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
});
