// The page's keys as a PS/2 keyboard sends them (web/ui/keymap.ts), against the
// IBM PS/2 Hardware Interface Technical Reference's scan code set 2 table
// (make codes; break = F0 make; extended keys E0-prefixed), and through the
// machine's i8042 with translation on, against the same reference's set 1
// table (what a guest reads at port 0x60 after the BIOS enabled XLAT).

import { test, expect, beforeEach } from "vitest";
import { makeMachine, type TestMachine } from "./machine";
import { set2Bytes, ctrlAltDel } from "../../web/ui/keymap";

const RING_KBD = 3;

test("set 2 make and break codes: plain, extended, Print Screen, Pause, unknown keys", () => {
  expect(set2Bytes("KeyA", true)).toEqual([0x1c]);
  expect(set2Bytes("KeyA", false)).toEqual([0xf0, 0x1c]);
  expect(set2Bytes("Enter", true)).toEqual([0x5a]);
  expect(set2Bytes("NumpadEnter", true)).toEqual([0xe0, 0x5a]);
  expect(set2Bytes("ArrowUp", true)).toEqual([0xe0, 0x75]);
  expect(set2Bytes("ArrowUp", false)).toEqual([0xe0, 0xf0, 0x75]);
  expect(set2Bytes("ControlRight", false)).toEqual([0xe0, 0xf0, 0x14]);
  expect(set2Bytes("F7", true)).toEqual([0x83]);
  expect(set2Bytes("Escape", true)).toEqual([0x76]);
  expect(set2Bytes("PrintScreen", true)).toEqual([0xe0, 0x12, 0xe0, 0x7c]);
  expect(set2Bytes("PrintScreen", false)).toEqual([0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12]);
  expect(set2Bytes("Pause", true)).toEqual([0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77]);
  expect(set2Bytes("Pause", false)).toEqual([]);
  expect(set2Bytes("LaunchMail", true)).toBeNull();
});

let m: TestMachine;
const drain = () => { const o: number[] = []; while (m.inb(0x64) & 1) o.push(m.inb(0x60)); return o; };
beforeEach(async () => { m = await makeMachine(); });

test("through the i8042 with XLAT: set 1 codes (A, Delete, Ctrl-Alt-Del)", () => {
  m.outb(0x64, 0x60); m.outb(0x60, 0x44); // XLAT, no interrupts
  m.ringPush(RING_KBD, [...set2Bytes("KeyA", true)!, ...set2Bytes("KeyA", false)!, ...set2Bytes("Delete", true)!, ...set2Bytes("Delete", false)!]);
  m.x.testAdvance(1);
  expect(drain()).toEqual([0x1e, 0x9e, 0xe0, 0x53, 0xe0, 0xd3]);
  m.ringPush(RING_KBD, ctrlAltDel());
  m.x.testAdvance(1);
  // Ctrl 1D, Alt 38, Delete E0 53 down; then up in reverse order.
  expect(drain()).toEqual([0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d]);
});
