import { test, expect, beforeEach } from "vitest";
import { makeMachine, TestMachine } from "./machine";

let m: TestMachine;
const HZ = 1193182;
/** ns for `ticks` input clocks (rounded up so that the tick has happened). */
const ns = (ticks: number) => Math.ceil((ticks * 1e9) / HZ);
let elapsedTicks = 0;
/** Advance to exactly `ticks` clocks after the count was loaded (absolute within a test). */
function to(ticks: number) { const d = ns(ticks) - ns(elapsedTicks); elapsedTicks = ticks; m.x.testAdvance(d); }

beforeEach(async () => {
  m = await makeMachine();
  // PIC: IRQ0 -> vector 8, unmasked
  m.outb(0x20, 0x11); m.outb(0x21, 0x08); m.outb(0x21, 0x04); m.outb(0x21, 0x01); m.outb(0x21, 0xfe);
});

function latch(ch: number): number {
  m.outb(0x43, ch << 6);
  return m.inb(0x40 + ch) | (m.inb(0x40 + ch) << 8);
}
function load(ch: number, mode: number, count: number, bcd = 0) {
  m.outb(0x43, (ch << 6) | 0x30 | (mode << 1) | bcd);
  m.outb(0x40 + ch, count & 0xff); m.outb(0x40 + ch, count >> 8);
  elapsedTicks = 0;
}
function status(ch: number): number { m.outb(0x43, 0xe0 | (2 << ch)); return m.inb(0x40 + ch); }

test("mode 2 rate generator: counts down N..1 and raises IRQ0 every N clocks", () => {
  load(0, 2, 1000);
  to(100);
  expect(latch(0)).toBe(900);
  to(999);
  expect(latch(0)).toBe(1);
  expect(status(0) & 0x80).toBe(0);            // OUT low while the count is 1
  to(1000);
  expect(latch(0)).toBe(1000);                  // reloaded
  expect(m.x.testIntrLine()).toBe(1);
  expect(m.x.testAck()).toBe(8);
  m.outb(0x20, 0x20);
  to(1500);
  expect(m.x.testIntrLine()).toBe(0);
  to(2000);
  expect(m.x.testIntrLine()).toBe(1);
});

test("mode 0 interrupt on terminal count: OUT low, high at 0, count wraps", () => {
  load(0, 0, 500);
  expect(status(0)).toBe(0x30);                 // OUT low, LSB/MSB, mode 0, binary
  to(499);
  expect(m.x.testIntrLine()).toBe(0);
  to(500);
  expect(status(0) & 0x80).toBe(0x80);
  expect(m.x.testIntrLine()).toBe(1);
  to(510);
  expect(latch(0)).toBe(0x10000 - 10);          // keeps counting after terminal count
});

test("mode 3 square wave: OUT high for N/2, low for N/2; counts by two", () => {
  load(0, 3, 100);
  to(10);
  expect(latch(0)).toBe(80);
  expect(status(0) & 0x80).toBe(0x80);
  to(60);
  expect(status(0) & 0x80).toBe(0);
  expect(latch(0)).toBe(80);
  to(100);
  expect(status(0) & 0x80).toBe(0x80);
});

test("mode 4 software strobe: OUT low for one clock at terminal count", () => {
  load(0, 4, 50);
  expect(status(0) & 0x80).toBe(0x80);
  to(50);
  expect(status(0) & 0x80).toBe(0);
  to(51);
  expect(status(0) & 0x80).toBe(0x80);
  expect(m.x.testIntrLine()).toBe(1);
});

test("modes 1 and 5 wait for a GATE trigger (counter 2 gate = port 0x61 bit 0)", () => {
  m.outb(0x61, 0);
  load(2, 1, 300);
  expect(status(2) & 0x80).toBe(0x80);          // OUT high until triggered
  m.outb(0x61, 1);                              // rising gate triggers
  elapsedTicks = 0;
  to(100);
  expect(status(2) & 0x80).toBe(0);             // one-shot: low while counting
  expect(latch(2)).toBe(200);
  to(300);
  expect(status(2) & 0x80).toBe(0x80);
  expect(m.inb(0x61) & 0x20).toBe(0x20);        // OUT2 visible in port 0x61 bit 5
  m.outb(0x61, 0);
  load(2, 5, 20);
  m.outb(0x61, 1); elapsedTicks = 0;
  to(20);
  expect(status(2) & 0x80).toBe(0);
});

test("counter latch holds the value; a second latch before reading is ignored", () => {
  load(0, 2, 4000);
  to(10);
  m.outb(0x43, 0x00);
  to(500);
  m.outb(0x43, 0x00);
  expect(m.inb(0x40) | (m.inb(0x40) << 8)).toBe(3990);
  expect(latch(0)).toBe(3500);
});

test("LSB-only and MSB-only access modes", () => {
  m.outb(0x43, 0x14);                            // ch0 LSB only, mode 2
  m.outb(0x40, 200); elapsedTicks = 0;
  to(50);
  m.outb(0x43, 0x00);
  expect(m.inb(0x40)).toBe(150);
  m.outb(0x43, 0x24);                            // MSB only: count 0x0300
  m.outb(0x40, 0x03); elapsedTicks = 0;
  to(0x100);
  m.outb(0x43, 0x00);
  expect(m.inb(0x40)).toBe(0x02);
});

test("BCD counting: count 1000 decimal, read back in BCD; status shows BCD", () => {
  load(0, 2, 0x1000, 1);
  to(1);
  expect(latch(0)).toBe(0x0999);
  to(456);
  expect(latch(0)).toBe(0x0544);
  expect(status(0)).toBe(0xb5);                 // OUT high, LSB/MSB, mode 2, BCD
});

test("read-back: status then count of several counters; bit 5/4 select what is latched", () => {
  m.outb(0x61, 1);                                // counter 2 gate on
  load(0, 2, 1000);
  load(2, 3, 600);
  to(100);
  m.outb(0x43, 0xc0 | 0x02 | 0x08);              // latch count and status of 0 and 2
  expect(m.inb(0x40)).toBe(0xb4);                 // OUT high, LSB/MSB, mode 2, binary
  expect(m.inb(0x40) | (m.inb(0x40) << 8)).toBe(900);
  expect(m.inb(0x42)).toBe(0xb6);
  expect(m.inb(0x42) | (m.inb(0x42) << 8)).toBe(400);
  m.outb(0x43, 0xd0 | 0x02);                      // count only (status bit 4 set = don't)
  expect(m.inb(0x40) | (m.inb(0x40) << 8)).toBe(900);
});

test("port 0x61: refresh toggle changes every 15 us; bits 0-1 read back", () => {
  m.outb(0x61, 0x03);
  expect(m.inb(0x61) & 0x0f).toBe(0x03);
  const a = m.inb(0x61) & 0x10;
  m.x.testAdvance(15085);
  expect(m.inb(0x61) & 0x10).toBe(a ^ 0x10);
});
