import { test, expect, beforeEach } from "vitest";
import { makeMachine, TestMachine } from "./machine";

let m: TestMachine;
const LAPIC = 0xfee00000, IOAPIC = 0xfec00000;
const lr = (o: number) => m.x.testMemRead32(LAPIC + o) >>> 0;
const lw = (o: number, v: number) => m.x.testMemWrite32(LAPIC + o, v);
const ior = (r: number) => { m.x.testMemWrite32(IOAPIC, r); return m.x.testMemRead32(IOAPIC + 0x10) >>> 0; };
const iow = (r: number, v: number) => { m.x.testMemWrite32(IOAPIC, r); m.x.testMemWrite32(IOAPIC + 0x10, v); };

beforeEach(async () => { m = await makeMachine(32, { virtualWire: false }); });

test("local APIC reset values: version, SVR, LVT masks (LINT0 masked too)", () => {
  expect(lr(0x30)).toBe(0x00040014); // version 0x14 (as QEMU reports for P6 models), max LVT 4
  expect(lr(0xf0)).toBe(0xff);
  expect(lr(0xe0)).toBe(0xffffffff);
  expect(lr(0x320)).toBe(0x10000);
  expect(lr(0x350)).toBe(0x10000); // SDM vol. 3 §10.4.7.1: all LVTs masked after RESET
  expect(lr(0x360)).toBe(0x10000);
  expect(lr(0x390)).toBe(0);
});

test("the 8259A reaches the CPU through LINT0 ExtINT; masking LINT0 cuts it off", () => {
  m.outb(0x20, 0x11); m.outb(0x21, 0x20); m.outb(0x21, 0x04); m.outb(0x21, 0x01); m.outb(0x21, 0x00);
  m.x.testSetIrq(1, 1);
  expect(m.x.testIntrLine()).toBe(0); // LINT0 masked after reset
  lw(0xf0, 0x1ff);
  lw(0x350, 0x700);
  expect(m.x.testIntrLine()).toBe(1);
  lw(0x350, 0x10700);
  expect(m.x.testIntrLine()).toBe(0);
  lw(0x350, 0x700);
  expect(m.x.testAck()).toBe(0x21);
});

test("self IPI, priority against TPR and ISR, EOI", () => {
  lw(0xf0, 0x1ff);                       // software enable
  lw(0x300, 0x40050);                    // fixed, self, vector 0x50
  expect(lr(0x200 + 0x20)).toBe(1 << 16); // IRR bit 0x50
  expect(m.x.testIntrLine()).toBe(1);
  lw(0x80, 0x50);                        // TPR class 5 blocks class 5
  expect(m.x.testIntrLine()).toBe(0);
  lw(0x80, 0x40);
  expect(m.x.testAck()).toBe(0x50);
  expect(lr(0x100 + 0x20)).toBe(1 << 16); // ISR
  expect(lr(0xa0)).toBe(0x50);           // PPR = ISR class
  lw(0x300, 0x40045);                    // class 4 < in-service class 5: waits
  expect(m.x.testIntrLine()).toBe(0);
  lw(0x300, 0x40061);
  expect(m.x.testAck()).toBe(0x61);
  lw(0xb0, 0); lw(0xb0, 0);
  expect(lr(0x100 + 0x20) | lr(0x100 + 0x30)).toBe(0);
  lw(0x80, 0);
  expect(m.x.testAck()).toBe(0x45);
});

test("illegal vector sets ESR bits after an ESR write; SVR bits 3-0 hardwired on P6", () => {
  lw(0xf0, 0x1f0);
  expect(lr(0xf0)).toBe(0x1ff);
  lw(0x300, 0x40005);
  expect(lr(0x280)).toBe(0);
  lw(0x280, 0);
  expect(lr(0x280)).toBe(0x20);          // send illegal vector
  lw(0x280, 0);
  expect(lr(0x280)).toBe(0);
});

test("timer one-shot and periodic with the divide configuration", () => {
  lw(0xf0, 0x1ff);
  lw(0x350, 0x10700);                    // the unprogrammed 8259A already sees IRQ0 from the PIT
  lw(0x3e0, 0x3);                        // divide by 16
  lw(0x320, 0x30);                       // one-shot, vector 0x30
  lw(0x380, 1000);
  m.x.testAdvance(16 * 400);
  expect(lr(0x390)).toBe(600);
  m.x.testAdvance(16 * 600);
  expect(lr(0x390)).toBe(0);
  expect(m.x.testAck()).toBe(0x30);
  lw(0xb0, 0);
  m.x.testAdvance(16 * 5000);
  expect(m.x.testIntrLine()).toBe(0);
  lw(0x3e0, 0xb);                        // divide by 1
  lw(0x320, 0x20031);                    // periodic, vector 0x31
  lw(0x380, 500);
  m.x.testAdvance(1200);
  expect(lr(0x390)).toBe(300);
  expect(m.x.testAck()).toBe(0x31);
  lw(0xb0, 0);
  m.x.testAdvance(300);
  expect(m.x.testAck()).toBe(0x31);
});

test("software disable masks the LVTs and holds interrupts", () => {
  lw(0xf0, 0x1ff);
  lw(0x320, 0x30);
  lw(0xf0, 0x0ff);
  expect(lr(0x320)).toBe(0x10030);
  lw(0x320, 0x30);
  expect(lr(0x320)).toBe(0x10030);       // cannot unmask while disabled
});

test("I/O APIC: ID, version, entries reset masked, edge delivery of ISA IRQ4", () => {
  expect(ior(1)).toBe(0x00170011);
  iow(0, 0x02000000);
  expect(ior(0)).toBe(0x02000000);
  expect(ior(0x10)).toBe(0x10000);
  lw(0xf0, 0x1ff);
  lw(0x350, 0x10700);                    // take the 8259A out
  iow(0x18, 0x41); iow(0x19, 0x00000000); // pin 4 -> vector 0x41, physical dest 0
  m.x.testSetIrq(4, 1);
  expect(m.x.testAck()).toBe(0x41);
  expect(lr(0x180 + 0x20)).toBe(0);      // TMR clear: edge
  m.x.testSetIrq(4, 0);
  lw(0xb0, 0);
  m.x.testSetIrq(0, 1);                  // IRQ0 is wired to pin 2
  iow(0x14, 0x30);
  m.x.testSetIrq(0, 0); m.x.testSetIrq(0, 1);
  expect(m.x.testAck()).toBe(0x30);
});

test("I/O APIC level-triggered: remote IRR until EOI, re-delivery while asserted", () => {
  lw(0xf0, 0x1ff);
  lw(0x350, 0x10700);
  iow(0x10 + 2 * 11, 0x8000 | 0x62);     // pin 11 level, vector 0x62
  m.x.testSetIrq(11, 1);
  expect(ior(0x10 + 2 * 11) & 0x4000).toBe(0x4000);
  expect(m.x.testAck()).toBe(0x62);
  expect(lr(0x180 + 0x30) & 4).toBe(4);  // TMR bit 0x62
  expect(m.x.testIntrLine()).toBe(0);
  lw(0xb0, 0);                           // EOI broadcast: still asserted -> again
  expect(ior(0x10 + 2 * 11) & 0x4000).toBe(0x4000);
  expect(m.x.testAck()).toBe(0x62);
  m.x.testSetIrq(11, 0);
  lw(0xb0, 0);
  expect(ior(0x10 + 2 * 11) & 0x4000).toBe(0);
  expect(m.x.testIntrLine()).toBe(0);
  // masked while asserted, delivered on unmask
  iow(0x10 + 2 * 11, 0x18062);
  m.x.testSetIrq(11, 1);
  expect(m.x.testIntrLine()).toBe(0);
  iow(0x10 + 2 * 11, 0x8062);
  expect(m.x.testAck()).toBe(0x62);
});

test("PCI PIRQ routing drives an 8259A input and I/O APIC pins 16-19", () => {
  m.outb(0x20, 0x11); m.outb(0x21, 0x20); m.outb(0x21, 0x04); m.outb(0x21, 0x01); m.outb(0x21, 0xfb);
  m.outb(0xa0, 0x11); m.outb(0xa1, 0x28); m.outb(0xa1, 0x02); m.outb(0xa1, 0x01); m.outb(0xa1, 0x00);
  m.outb(0x4d1, 0x08);                   // IRQ11 level triggered
  lw(0xf0, 0x1ff);                       // virtual wire: the 8259A through LINT0
  lw(0x350, 0x700);
  m.x.testSetPciIrq(0, 1);               // PIRQA, routing disabled at reset
  expect(m.x.testIntrLine()).toBe(0);
  m.outl(0xcf8, 0x80000860); m.outb(0xcfc, 0x0b); // PIRQA -> IRQ11
  expect(m.x.testIntrLine()).toBe(1);
  expect(m.x.testAck()).toBe(0x2b);
  expect(m.x.testPicReg(1, 0)).toBe(0x08); // level: IRR stays while asserted
  m.x.testSetPciIrq(0, 0);
  expect(m.x.testPicReg(1, 0)).toBe(0x00);
  // I/O APIC pin 16
  lw(0xf0, 0x1ff);
  lw(0x350, 0x10700);
  iow(0x10 + 32, 0x8000 | 0x90);
  m.x.testSetPciIrq(0, 1);
  expect(m.x.testAck()).toBe(0x90);
});

test("changing the divide configuration keeps the current count and changes the rate", () => {
  lw(0xf0, 0x1ff);
  lw(0x350, 0x10700);
  lw(0x3e0, 0xb);                        // divide by 1
  lw(0x320, 0x40);
  lw(0x380, 1000);
  m.x.testAdvance(400);
  expect(lr(0x390)).toBe(600);
  lw(0x3e0, 0x0);                        // divide by 2
  expect(lr(0x390)).toBe(600);
  m.x.testAdvance(800);
  expect(lr(0x390)).toBe(200);
  m.x.testAdvance(400);
  expect(m.x.testAck()).toBe(0x40);
});
