import { test, expect, beforeEach } from "vitest";
import { makeMachine, TestMachine } from "./machine";

let m: TestMachine;
const COM1 = 0x3f8, COM2 = 0x2f8;
const RING_COM1_TX = 1, RING_COM1_RX = 2;

beforeEach(async () => {
  m = await makeMachine();
  m.outb(0x20, 0x11); m.outb(0x21, 0x08); m.outb(0x21, 0x04); m.outb(0x21, 0x01); m.outb(0x21, 0xe7); // IRQ3, IRQ4 open
});

test("COM1 transmit goes to the host ring; LSR shows THRE|TEMT", () => {
  for (const c of "hi\n") m.outb(COM1, c.charCodeAt(0));
  expect(m.ringDrain(RING_COM1_TX)).toEqual([0x68, 0x69, 0x0a]);
  expect(m.inb(COM1 + 5)).toBe(0x60);
});

test("receive without FIFO: one byte in RBR, DR, overrun on the second, OE cleared by reading LSR", () => {
  m.outb(COM1 + 4, 0x10);              // loopback
  m.outb(COM1, 0x31);
  m.outb(COM1, 0x32);
  expect(m.inb(COM1 + 5)).toBe(0x63);  // DR OE THRE TEMT
  expect(m.inb(COM1 + 5)).toBe(0x61);
  expect(m.inb(COM1)).toBe(0x32);      // non-FIFO mode: RBR holds the newest byte
  expect(m.inb(COM1 + 5)).toBe(0x60);
});

test("host RX bytes fill the FIFO up to 16; received-data interrupt at the trigger level", () => {
  m.outb(COM1 + 2, 0x81);              // FIFO on, trigger 8
  m.outb(COM1 + 1, 0x01);              // ERBFI
  m.outb(COM1 + 4, 0x08);              // OUT2: IRQ to the bus
  m.ringPush(RING_COM1_RX, [1, 2, 3, 4, 5, 6, 7]);
  m.x.testAdvance(1000);
  expect(m.inb(COM1 + 2)).toBe(0xc1);  // below trigger, no timeout yet
  m.ringPush(RING_COM1_RX, [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
  m.x.testAdvance(1000);
  expect(m.inb(COM1 + 2)).toBe(0xc4);
  expect(m.x.testIntrLine()).toBe(1);
  expect(m.x.testAck()).toBe(0x0c);    // IRQ4
  const got: number[] = [];
  while (m.inb(COM1 + 5) & 1) got.push(m.inb(COM1));
  expect(got.length).toBe(18);          // the FIFO refills from the ring as it drains
  expect(got[0]).toBe(1);
  expect(got[17]).toBe(18);
  expect(m.inb(COM1 + 2)).toBe(0xc1);
});

test("character timeout: data below the trigger level for 4 character times", () => {
  m.outb(COM1 + 3, 0x80); m.outb(COM1, 12); m.outb(COM1 + 1, 0); m.outb(COM1 + 3, 0x03); // 9600 8N1
  m.outb(COM1 + 2, 0xc1);              // trigger 14
  m.outb(COM1 + 1, 0x01);
  m.ringPush(RING_COM1_RX, [0x41, 0x42]);
  m.x.testAdvance(1000);
  expect(m.inb(COM1 + 2)).toBe(0xc1);
  const charNs = 10 * 12 * 16 * 1e9 / 1843200; // 10 bits at 9600 baud
  m.x.testAdvance(4 * charNs);
  expect(m.inb(COM1 + 2)).toBe(0xcc);
  expect(m.inb(COM1)).toBe(0x41);      // reading resets the timeout indication
  expect(m.inb(COM1 + 2)).toBe(0xc1);
});

test("IIR priorities: line status > received data > THRE > modem status", () => {
  m.outb(COM2 + 4, 0x10);              // loopback: CTS/DSR/DCD drop (deltas)
  expect(m.inb(COM2 + 6)).toBe(0x0b);  // DCTS DDSR DDCD, cleared by the read
  m.outb(COM2 + 1, 0x0f);              // all sources
  // THRE (enabled while THR empty) and modem status (none yet)
  expect(m.inb(COM2 + 2)).toBe(0x02);
  expect(m.inb(COM2 + 2)).toBe(0x01);  // THRE cleared by the IIR read
  m.outb(COM2 + 4, 0x11);              // DTR -> DSR changes: DDSR
  expect(m.inb(COM2 + 2)).toBe(0x00);
  m.outb(COM2, 0x55);                  // byte back: RDA, and THRE again
  expect(m.inb(COM2 + 2)).toBe(0x04);
  m.outb(COM2, 0x56);                  // overrun: line status first
  expect(m.inb(COM2 + 2)).toBe(0x06);
  expect(m.inb(COM2 + 5) & 0x02).toBe(0x02);
  expect(m.inb(COM2 + 2)).toBe(0x04);
  m.inb(COM2);
  expect(m.inb(COM2 + 2)).toBe(0x02);
  expect(m.inb(COM2 + 6)).toBe(0x22);  // DSR with DDSR, cleared by the read
  expect(m.inb(COM2 + 2)).toBe(0x01);
});

test("the IRQ follows IIR whatever MCR says (QEMU): OUT2 clear, loopback", () => {
  m.outb(COM2 + 1, 0x02);              // MCR = 0: OUT2 clear
  expect(m.x.testIntrLine()).toBe(1);
  expect(m.x.testAck()).toBe(0x0b);    // IRQ3
  expect(m.inb(COM2 + 2)).toBe(0x02);  // clears the THRE interrupt: the line drops
  m.outb(0x20, 0x20);
  expect(m.x.testIntrLine()).toBe(0);
  m.outb(COM2 + 1, 0x01);
  m.outb(COM2 + 4, 0x10);              // loopback (OUT2 forced inactive on a real board)
  m.outb(COM2, 0x55);
  expect(m.x.testIntrLine()).toBe(1);
  expect(m.x.testAck()).toBe(0x0b);
});

test("xv6's COM1 setup (FIFO off, MCR = 0, IER = 1) gets IRQ4 for host input", () => {
  m.outb(COM1 + 2, 0x00); m.outb(COM1 + 3, 0x80); m.outb(COM1, 12); m.outb(COM1 + 1, 0);
  m.outb(COM1 + 3, 0x03); m.outb(COM1 + 4, 0x00); m.outb(COM1 + 1, 0x01);
  expect(m.x.testIntrLine()).toBe(0);
  m.ringPush(RING_COM1_RX, [0x6c]);
  m.x.testAdvance(1000);
  expect(m.x.testIntrLine()).toBe(1);
  expect(m.x.testAck()).toBe(0x0c);    // IRQ4
  expect(m.inb(COM1 + 2)).toBe(0x04);
  expect(m.inb(COM1)).toBe(0x6c);
  expect(m.inb(COM1 + 2)).toBe(0x01);
});

test("divisor latch, scratch and LCR are independent per UART", () => {
  for (const [i, b] of [0x3f8, 0x2f8, 0x3e8, 0x2e8].entries()) {
    m.outb(b + 7, 0x10 + i);
    m.outb(b + 3, 0x80); m.outb(b, 0x20 + i); m.outb(b + 1, 0x30 + i); m.outb(b + 3, 0x1b);
  }
  for (const [i, b] of [0x3f8, 0x2f8, 0x3e8, 0x2e8].entries()) {
    expect(m.inb(b + 7)).toBe(0x10 + i);
    expect(m.inb(b + 3)).toBe(0x1b);
    m.outb(b + 3, 0x9b);
    expect([m.inb(b), m.inb(b + 1)]).toEqual([0x20 + i, 0x30 + i]);
  }
});
