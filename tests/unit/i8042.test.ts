import { test, expect, beforeEach } from "vitest";
import { makeMachine, TestMachine } from "./machine";

let m: TestMachine;
const RING_KBD = 3;
const read = () => { expect(m.inb(0x64) & 1).toBe(1); return m.inb(0x60); };
const drain = () => { const o: number[] = []; while (m.inb(0x64) & 1) o.push(m.inb(0x60)); return o; };

beforeEach(async () => {
  m = await makeMachine();
  m.outb(0x20, 0x11); m.outb(0x21, 0x08); m.outb(0x21, 0x04); m.outb(0x21, 0x01); m.outb(0x21, 0xf9);
  m.outb(0xa0, 0x11); m.outb(0xa1, 0x70); m.outb(0xa1, 0x02); m.outb(0xa1, 0x01); m.outb(0xa1, 0xef);
});

test("controller self test, command byte, interface tests", () => {
  m.outb(0x64, 0xaa); expect(read()).toBe(0x55);
  expect(m.inb(0x64) & 0x04).toBe(0x04);  // system flag
  m.outb(0x64, 0x60); m.outb(0x60, 0x65);
  m.outb(0x64, 0x20); expect(read()).toBe(0x65);
  m.outb(0x64, 0xab); expect(read()).toBe(0x00);
  m.outb(0x64, 0xa9); expect(read()).toBe(0x00);
  m.outb(0x64, 0xa7); m.outb(0x64, 0x20); expect(read() & 0x20).toBe(0x20);
  m.outb(0x64, 0xa8); m.outb(0x64, 0x20); expect(read() & 0x20).toBe(0x00);
});

test("keyboard reset and identify; translated responses with XLAT", () => {
  m.outb(0x64, 0x60); m.outb(0x60, 0x44); // XLAT, no interrupts
  m.outb(0x60, 0xff); expect(drain()).toEqual([0xfa, 0xaa]);
  m.outb(0x60, 0xf2); expect(drain()).toEqual([0xfa, 0xab, 0x41]);
  m.outb(0x60, 0xed); m.outb(0x60, 0x07); expect(drain()).toEqual([0xfa, 0xfa]);
  m.outb(0x60, 0xf3); m.outb(0x60, 0x20); expect(drain()).toEqual([0xfa, 0xfa]);
  m.outb(0x64, 0x60); m.outb(0x60, 0x04); // no XLAT
  m.outb(0x60, 0xf0); m.outb(0x60, 0x00); expect(drain()).toEqual([0xfa, 0xfa, 0x02]);
  m.outb(0x60, 0xee); expect(drain()).toEqual([0xee]);
  m.outb(0x60, 0x77); expect(drain()).toEqual([0xfe]);
});

test("host set-2 key bytes: translated to set 1 with XLAT, raw without; IRQ1", () => {
  m.outb(0x64, 0x60); m.outb(0x60, 0x45); // XLAT + keyboard interrupt
  // 'a' down/up, right ctrl down/up (E0 14 / E0 F0 14)
  m.ringPush(RING_KBD, [0x1c, 0xf0, 0x1c, 0xe0, 0x14, 0xe0, 0xf0, 0x14]);
  m.x.testAdvance(1);
  expect(m.x.testIntrLine()).toBe(1);
  expect(m.x.testAck()).toBe(0x09);
  const got = drain();
  expect(got).toEqual([0x1e, 0x9e, 0xe0, 0x1d, 0xe0, 0x9d]);
  m.outb(0x20, 0x20);
  m.outb(0x64, 0x60); m.outb(0x60, 0x05);
  m.ringPush(RING_KBD, [0x76, 0xf0, 0x76]);
  m.x.testAdvance(1);
  expect(drain()).toEqual([0x76, 0xf0, 0x76]);
});

test("keyboard switched to scan code set 1 emits set 1 itself; F5 stops scanning", () => {
  m.outb(0x64, 0x60); m.outb(0x60, 0x04);
  m.outb(0x60, 0xf0); m.outb(0x60, 0x01); drain();
  m.ringPush(RING_KBD, [0x5a, 0xf0, 0x5a]);
  m.x.testAdvance(1);
  expect(drain()).toEqual([0x1c, 0x9c]);
  m.outb(0x60, 0xf5); drain();
  m.ringPush(RING_KBD, [0x29]);
  m.x.testAdvance(1);
  expect(drain()).toEqual([]);
  m.outb(0x60, 0xf4); drain();
  m.x.testAdvance(1);
  expect(drain()).toEqual([0x29]);      // held in the ring while disabled; set 2 again after F5
});

test("mouse: D4 commands, status, stream packets on IRQ12 with AUXB", () => {
  m.outb(0x64, 0x60); m.outb(0x60, 0x47);
  const mc = (b: number) => { m.outb(0x64, 0xd4); m.outb(0x60, b); };
  mc(0xff); expect(drain()).toEqual([0xfa, 0xaa, 0x00]);
  mc(0xf2); expect(drain()).toEqual([0xfa, 0x00]);
  mc(0xf3); mc(200); mc(0xf3); mc(100); mc(0xf3); mc(80); drain();
  mc(0xf2); expect(drain()).toEqual([0xfa, 0x03]);   // IntelliMouse
  mc(0xe8); mc(0x03); mc(0xe7); drain();
  mc(0xe9); expect(drain()).toEqual([0xfa, 0x10, 0x03, 80]);
  mc(0xe6); mc(0xf4); drain();
  m.x.mouseEvent(5, -3, 1, 1);
  expect(m.inb(0x64) & 0x21).toBe(0x21);
  expect(m.x.testIntrLine()).toBe(1);
  expect(m.x.testAck()).toBe(0x74);                  // IRQ12
  expect(drain()).toEqual([0x29, 0x05, 0xfd, 0x01]);
});

test("output port: D1 A20 and reset bit; FE pulse resets the machine", () => {
  m.outb(0x64, 0xd0); expect(read()).toBe(0xcf);
  m.outb(0x64, 0xd1); m.outb(0x60, 0xcd);            // A20 off
  m.x.testMemWrite32(0x500, 0x11111111);
  m.x.testMemWrite32(0x100500, 0x22222222);
  expect(m.x.testMemRead32(0x500)).toBe(0x22222222);
  m.outb(0x92, 0x02);                                 // fast A20 on
  m.x.testMemWrite32(0x100500, 0x33333333);
  expect(m.x.testMemRead32(0x500)).toBe(0x22222222);
  m.outb(0x92, 0x00);
  m.outb(0x64, 0xd1); m.outb(0x60, 0xcf);
  expect(m.x.testMemRead32(0x100500)).toBe(0x33333333);
  m.outb(0x64, 0x60); m.outb(0x60, 0x00);
  m.outb(0x64, 0xfe);                                 // pulse reset
  m.outb(0x64, 0x20); expect(read()).toBe(0x03);      // controller back to its reset state
});

test("each byte of a multi-byte sequence gives the edge-triggered IRQ1 a new edge", () => {
  m.outb(0x64, 0x60); m.outb(0x60, 0x45);
  m.ringPush(RING_KBD, [0x1c, 0xf0, 0x1c]);
  m.x.testAdvance(1);
  const got: number[] = [];
  for (let i = 0; i < 2; i++) {
    expect(m.x.testAck()).toBe(0x09);
    got.push(m.inb(0x60));
    m.outb(0x20, 0x20);
  }
  expect(got).toEqual([0x1e, 0x9e]);
  expect(m.x.testIntrLine()).toBe(0);
});
