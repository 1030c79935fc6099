import { test, expect, beforeEach } from "vitest";
import { makeMachine, TestMachine } from "./machine";

let m: TestMachine;
const IRR = 0, ISR = 1, IMR = 2;

function initPics(aeoi = false) {
  // 8259A datasheet: ICW1 (edge, cascade, ICW4), ICW2 base, ICW3 wiring, ICW4 8086 mode
  m.outb(0x20, 0x11); m.outb(0x21, 0x08); m.outb(0x21, 0x04); m.outb(0x21, aeoi ? 0x03 : 0x01);
  m.outb(0xa0, 0x11); m.outb(0xa1, 0x70); m.outb(0xa1, 0x02); m.outb(0xa1, 0x01);
  m.outb(0x21, 0x00); m.outb(0xa1, 0x00);
}
beforeEach(async () => { m = await makeMachine(); });

test("ICW1 clears IMR; OCW1 sets it; reads return IMR on the odd port", () => {
  m.outb(0x21, 0xa5);
  expect(m.inb(0x21)).toBe(0xa5);
  initPics();
  expect(m.inb(0x21)).toBe(0x00);
  m.outb(0xa1, 0x3c);
  expect(m.inb(0xa1)).toBe(0x3c);
});

test("edge request sets IRR, INTA moves it to ISR and returns base+irq, EOI clears ISR", () => {
  initPics();
  m.x.testSetIrq(3, 1);
  expect(m.x.testPicReg(0, IRR)).toBe(0x08);
  expect(m.x.testIntrLine()).toBe(1);
  expect(m.x.testAck()).toBe(0x0b);
  expect(m.x.testPicReg(0, IRR)).toBe(0);
  expect(m.x.testPicReg(0, ISR)).toBe(0x08);
  expect(m.x.testIntrLine()).toBe(0);
  // OCW3 read ISR / IRR through port 0x20
  m.outb(0x20, 0x0b); expect(m.inb(0x20)).toBe(0x08);
  m.outb(0x20, 0x0a); expect(m.inb(0x20)).toBe(0x00);
  m.outb(0x20, 0x20); // non-specific EOI
  expect(m.x.testPicReg(0, ISR)).toBe(0);
  // the line is still high: no new edge, no new request
  expect(m.x.testPicReg(0, IRR)).toBe(0);
  m.x.testSetIrq(3, 0); m.x.testSetIrq(3, 1);
  expect(m.x.testPicReg(0, IRR)).toBe(0x08);
});

test("fully nested priorities: higher IR preempts, lower waits; masked IR waits", () => {
  initPics();
  m.x.testSetIrq(5, 1);
  expect(m.x.testAck()).toBe(0x0d);
  m.x.testSetIrq(6, 1);
  expect(m.x.testIntrLine()).toBe(0);          // IR6 lower than in-service IR5
  m.x.testSetIrq(1, 1);
  expect(m.x.testIntrLine()).toBe(1);
  expect(m.x.testAck()).toBe(0x09);
  expect(m.x.testPicReg(0, ISR)).toBe(0x22);
  m.outb(0x20, 0x20);                           // EOI goes to the highest: IR1
  expect(m.x.testPicReg(0, ISR)).toBe(0x20);
  m.outb(0x20, 0x65);                           // specific EOI IR5
  expect(m.x.testPicReg(0, ISR)).toBe(0x00);
  m.outb(0x21, 0x40);                           // mask IR6
  expect(m.x.testIntrLine()).toBe(0);
  m.outb(0x21, 0x00);
  expect(m.x.testAck()).toBe(0x0e);
});

test("cascade: slave IRQ10 gives vector 0x72 with master IR2 in service", () => {
  initPics();
  m.x.testSetIrq(10, 1);
  expect(m.x.testPicReg(1, IRR)).toBe(0x04);
  expect(m.x.testPicReg(0, IRR)).toBe(0x04);
  expect(m.x.testAck()).toBe(0x72);
  expect(m.x.testPicReg(0, ISR)).toBe(0x04);
  expect(m.x.testPicReg(1, ISR)).toBe(0x04);
  m.outb(0xa0, 0x20); m.outb(0x20, 0x20);
  expect(m.x.testPicReg(0, ISR) | m.x.testPicReg(1, ISR)).toBe(0);
});

test("a masked request does not raise INT and is not acknowledged", () => {
  initPics();
  m.outb(0x21, 0xff);
  m.x.testSetIrq(4, 1);
  expect(m.x.testPicReg(0, IRR)).toBe(0x10);
  expect(m.x.testIntrLine()).toBe(0);
  expect(m.x.testAck()).toBe(-1);
  expect(m.x.testPicReg(0, ISR)).toBe(0);
});

test("automatic EOI mode leaves ISR clear", () => {
  initPics(true);
  m.x.testSetIrq(4, 1);
  expect(m.x.testAck()).toBe(0x0c);
  expect(m.x.testPicReg(0, ISR)).toBe(0);
});

test("ELCR level mode: IRR follows the line and survives INTA; edge-only bits are fixed", () => {
  initPics();
  m.outb(0x4d0, 0xff); m.outb(0x4d1, 0xff);
  expect(m.inb(0x4d0)).toBe(0xf8);
  expect(m.inb(0x4d1)).toBe(0xde);
  m.outb(0x4d1, 0x08);                           // IRQ11 level
  m.x.testSetIrq(11, 1);
  expect(m.x.testAck()).toBe(0x73);
  expect(m.x.testPicReg(1, IRR)).toBe(0x08);
  m.x.testSetIrq(11, 0);
  expect(m.x.testPicReg(1, IRR)).toBe(0x00);
});

test("poll command returns 0x80|level and acknowledges it", () => {
  initPics();
  m.outb(0x21, 0xff);                            // poll works with INT masked off
  m.outb(0x21, 0x00);
  m.x.testSetIrq(6, 1);
  m.outb(0x20, 0x0c);
  expect(m.inb(0x20)).toBe(0x86);
  expect(m.x.testPicReg(0, ISR)).toBe(0x40);
  m.outb(0x20, 0x0c);
  expect(m.inb(0x20)).toBe(0x00);
});

test("special mask mode lets lower priorities through while the in-service level is masked", () => {
  initPics();
  m.x.testSetIrq(3, 1);
  expect(m.x.testAck()).toBe(0x0b);
  m.x.testSetIrq(5, 1);
  expect(m.x.testIntrLine()).toBe(0);
  m.outb(0x21, 0x08);                            // mask IR3
  m.outb(0x20, 0x68);                            // OCW3: set special mask mode
  expect(m.x.testIntrLine()).toBe(1);
  expect(m.x.testAck()).toBe(0x0d);
  m.outb(0x20, 0x48);                            // reset special mask mode
});

test("rotation: rotate on non-specific EOI makes the serviced IR lowest", () => {
  initPics();
  m.x.testSetIrq(0, 1);
  expect(m.x.testAck()).toBe(0x08);
  m.outb(0x20, 0xa0);                            // rotate on non-specific EOI
  m.x.testSetIrq(0, 0);
  m.x.testSetIrq(0, 1); m.x.testSetIrq(7, 1);
  expect(m.x.testAck()).toBe(0x0f);              // IR7 now outranks IR0
  m.outb(0x20, 0xc7);                            // set priority: IR7 lowest again
  m.outb(0x20, 0x67);
  expect(m.x.testAck()).toBe(0x08);
});

test("a word access to byte-wide ports is split into byte cycles at consecutive ports", () => {
  initPics();
  m.outw(0xa0, 0x550a);                          // OCW3 read-IRR to 0xA0, IMR 0x55 to 0xA1
  expect(m.inb(0xa1)).toBe(0x55);
  expect(m.inw(0x20) >> 8).toBe(0x00);           // high byte: master IMR
  m.outb(0x21, 0x81);
  expect(m.inw(0x20) >> 8).toBe(0x81);
});
