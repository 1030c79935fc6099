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

test("ENTER/LEAVE: operand size x stack size, levels 0/1/3/33, #PF in a ring-3 frame (same as qemu)", async () => {
  const bin = assemble("enter");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const line = (name: string) => rz.output.split("\n").find((l) => l.startsWith(name + " "))!.slice(name.length + 1);
  // SDM vol. 2 ENTER, o32 on a 16-bit stack: Push(EBP) decrements SP only;
  // FrameTemp <- ESP (upper half 5a5a included) is pushed and becomes EBP;
  // the display copies are read at SS:BP-4, SS:BP-8; SP <- SP - 4.
  expect(line("o32 s16 L3")).toBe("5a5a7ffc 5a5a7fec | eeeeeeee eeeeeeee 5a5a7ffc 33334444 11112222 5a5a7f00 | 5a5a7f00 5a5a8000");
  expect(line("o32 s16 L3 ebp-hi")).toBe("5a5a7ffc 5a5a7fec | eeeeeeee eeeeeeee 5a5a7ffc 33334444 11112222 11117f00 | 11117f00 5a5a8000");
  // o16 on a 32-bit stack: BP <- FrameTemp[15:0], EBP's upper half stays; LEAVE
  // then takes ESP from that EBP (SDM LEAVE: StackAddressSize = 32: ESP <- EBP).
  expect(line("o16 s32 L3 ebp-hi")).toBe("00027ffe 00017ff4 | eeeeeeee eeeeeeee eeeeeeee eeeeeeee 22227ffe 7f001111 | 00025a5a 00028000");
  // #PF: error code P|W|U = 7 (read: 5), CR2 the first byte of the access in the
  // supervisor page, EIP at the ENTER, ESP and EBP as before it.
  expect(line("pf o32 L3 push")).toMatch(/^v=0e e=00000007 cr2=00040ffc eip=\w+ 00041008 00041100$/);
  expect(line("pf o32 L0 split")).toMatch(/^v=0e e=00000007 cr2=00040ffe eip=\w+ 00041002 12345678$/);
  expect(line("pf o32 L3 read")).toMatch(/^v=0e e=00000005 cr2=00040ffc eip=\w+ 00041100 00041004$/);
  const q = runQemu(bin);
  expect(rz.output).toBe(q.output);
});
