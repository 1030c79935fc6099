import { test, expect, beforeEach } from "vitest";
import { readFileSync } from "node:fs";
import { makeMachine, TestMachine } from "./machine";
import { assemble } from "../guest/harness";

let m: TestMachine;
const rd = (i: number) => { m.outb(0x70, i); return m.inb(0x71); };
const wr = (i: number, v: number) => { m.outb(0x70, i); m.outb(0x71, v); };

beforeEach(async () => {
  m = await makeMachine();
  m.outb(0x20, 0x11); m.outb(0x21, 0x08); m.outb(0x21, 0x04); m.outb(0x21, 0x01); m.outb(0x21, 0xfb);
  m.outb(0xa0, 0x11); m.outb(0xa1, 0x70); m.outb(0xa1, 0x02); m.outb(0xa1, 0x01); m.outb(0xa1, 0xfe);
});

// 2024-02-29 23:59:58 UTC, a Thursday
const T = Date.UTC(2024, 1, 29, 23, 59, 58) / 1000;

test("time registers in BCD / 24 h, and they follow the virtual clock across midnight", () => {
  m.x.setRtcTime(T);
  expect([rd(0), rd(2), rd(4), rd(6), rd(7), rd(8), rd(9), rd(0x32)]).toEqual([0x58, 0x59, 0x23, 5, 0x29, 0x02, 0x24, 0x20]);
  m.x.testAdvance(2e9);
  expect([rd(0), rd(2), rd(4), rd(6), rd(7), rd(8), rd(9)]).toEqual([0x00, 0x00, 0x00, 6, 0x01, 0x03, 0x24]);
});

test("binary mode and 12-hour mode (PM flag in bit 7)", () => {
  m.x.setRtcTime(T);
  wr(0x0b, 0x06);                      // binary, 24 h
  expect([rd(0), rd(2), rd(4), rd(7)]).toEqual([58, 59, 23, 29]);
  wr(0x0b, 0x04);                      // binary, 12 h
  expect(rd(4)).toBe(0x80 | 11);
  wr(0x0b, 0x00);                      // BCD, 12 h
  expect(rd(4)).toBe(0x91);
  m.x.setRtcTime(Date.UTC(2024, 0, 1, 0, 30, 0) / 1000);
  expect(rd(4)).toBe(0x12);            // 12 AM
});

test("setting the time with SET, then it runs on from the new value", () => {
  m.x.setRtcTime(T);
  wr(0x0b, 0x82);
  wr(0, 0x30); wr(2, 0x15); wr(4, 0x10); wr(7, 0x04); wr(8, 0x07); wr(9, 0x99);
  m.x.testAdvance(5e9);                // frozen while SET
  expect(rd(0)).toBe(0x30);
  wr(0x0b, 0x02);
  m.x.testAdvance(3e9);
  expect([rd(0), rd(2), rd(4), rd(7), rd(8), rd(9)]).toEqual([0x33, 0x15, 0x10, 0x04, 0x07, 0x99]);
});

test("periodic interrupt: PF at the programmed rate, IRQ8 with IRQF, cleared by reading C", () => {
  wr(0x0a, 0x26);                      // 1024 Hz
  wr(0x0b, 0x42);                      // PIE
  expect(rd(0x0c)).toBe(0x00);
  m.x.testAdvance(1e9 / 1024 + 1000);
  expect(m.x.testIntrLine()).toBe(1);
  expect(m.x.testAck()).toBe(0x70);
  expect(rd(0x0c)).toBe(0xc0);
  expect(rd(0x0c)).toBe(0x00);
  m.outb(0xa0, 0x20); m.outb(0x20, 0x20);
  expect(m.x.testIntrLine()).toBe(0);
  m.x.testAdvance(1e9 / 1024);
  expect(m.x.testIntrLine()).toBe(1);
});

test("PF is set without PIE (no interrupt); rate 0 stops it", () => {
  wr(0x0a, 0x2f);                      // 2 Hz
  m.x.testAdvance(0.6e9);
  expect(m.x.testIntrLine()).toBe(0);
  expect(rd(0x0c)).toBe(0x40);
  wr(0x0a, 0x20);
  m.x.testAdvance(1e9);
  expect(rd(0x0c) & 0x40).toBe(0);
});

test("update-ended and alarm interrupts (alarm with don't-care hours)", () => {
  m.x.setRtcTime(Date.UTC(2024, 0, 1, 10, 20, 5) / 1000);
  rd(0x0c);
  wr(1, 0x07); wr(3, 0x20); wr(5, 0xc0);  // alarm at xx:20:07
  wr(0x0b, 0x32);                          // AIE UIE
  m.x.testAdvance(1e9);
  expect(rd(0x0c) & 0xb0).toBe(0x90);      // UF only (now :06); PF runs at the default 1024 Hz
  m.x.testAdvance(1e9);
  expect(rd(0x0c) & 0xb0).toBe(0xb0);      // UF and AF at :07
});

test("UIP is set in the last 244 us before the update", () => {
  const now = Number(m.x.virtualTimeNs());
  const toNext = 1e9 - (now % 1e9);
  m.x.testAdvance(toNext - 200_000);
  expect(rd(0x0a) & 0x80).toBe(0x80);
  m.x.testAdvance(300_000);
  expect(rd(0x0a) & 0x80).toBe(0);
});

test("NVRAM and the memory bytes for 32 MiB; register D reads valid", () => {
  expect(rd(0x0d)).toBe(0x80);
  expect([rd(0x15), rd(0x16), rd(0x17), rd(0x18), rd(0x30), rd(0x31), rd(0x34), rd(0x35)])
    .toEqual([0x80, 0x02, 0x00, 0x7c, 0x00, 0x7c, 0x00, 0x01]);
  wr(0x50, 0x12);
  m.outb(0x70, 0xd0);                      // NMI disable bit with the same index
  expect(m.inb(0x71)).toBe(0x12);
  m.x.setCmosByte(0x12, 0xf0);
  const sum = Array.from({ length: 0x1e }, (_, i) => rd(0x10 + i)).reduce((a, b) => a + b, 0);
  expect((rd(0x2e) << 8) | rd(0x2f)).toBe(sum);
});

// --- -rtc clock=host against clock=vm: the machine stopped while the host's clock ran on ---
//
// In real time the virtual clock catches up at most 1 s of a lag behind the
// host and drops the rest (asm/clock.ts MAX_LAG_NS): a machine not run for a
// minute comes back 59 s behind. Under clock=vm the RTC counts the virtual
// clock and falls behind by that much (QEMU's clock=vm stops with the VM);
// under clock=host it counts the dropped time too, so it reads the host's time
// but for the second the virtual clock is still catching up, and the host's
// time exactly once that second has run. A jump is one update cycle (UF), and
// an alarm among the seconds it passes over sets AF, as QEMU's RTC on the host
// clock does when its alarm timer's time has passed.

const STOP_HALT = 1;

/** A machine halted with IF=0 (no BIOS) in real time, on a host clock the test moves. */
async function haltedInRealTime(clockHost: boolean, host: { ns: number }): Promise<TestMachine> {
  const mm = await makeMachine(32, { hostNow: () => host.ns });
  const rom = readFileSync(assemble("chipset_hlt_if0"));
  new Uint8Array(mm.mem.buffer, mm.x.layoutRomBase(), rom.length).set(rom);
  expect(mm.x.loadBios(rom.length)).toBe(1);
  mm.x.reset();
  mm.x.setRealtime(1);
  mm.x.setRtcClockHost(clockHost ? 1 : 0);
  return mm;
}

test("clock=host: after a minute stopped the RTC reads the host's time, UF and the alarm passed over set; clock=vm lags 59 s", async () => {
  const want = {
    // hh:mm:ss right after the stop, after the virtual clock's last second; C's UF|AF then
    host: { after: [0x10, 0x20, 0x59], caught: [0x10, 0x21, 0x00], flags: 0x30 },
    vm: { after: [0x10, 0x20, 0x00], caught: [0x10, 0x20, 0x01], flags: 0x00 },
  };
  for (const clock of ["host", "vm"] as const) {
    const host = { ns: 7e9 };
    m = await haltedInRealTime(clock === "host", host);
    expect(m.x.run(100_000)).toBe(STOP_HALT);            // the first host reading: guest time starts
    // Half a second into 10:20:00: the guest ran up to 1 ms ahead of the host
    // (LEAD_NS), which the stop's lag comes short of by as much.
    m.x.setRtcTime(Date.UTC(2024, 0, 1, 10, 20, 0) / 1000 + 0.5);
    wr(1, 0x30); wr(3, 0x20); wr(5, 0x10);                // alarm at 10:20:30
    rd(0x0c);
    host.ns += 60e9;                                      // stopped for a minute
    expect(m.x.run(100_000)).toBe(STOP_HALT);
    expect([rd(4), rd(2), rd(0)], clock).toEqual(want[clock].after);
    expect(rd(0x0c) & 0x30, clock).toBe(want[clock].flags);
    m.x.testAdvance(1e9);                                 // the second the virtual clock still owed
    expect([rd(4), rd(2), rd(0)], clock).toEqual(want[clock].caught);
  }
});

test("clock=host: a time the guest set keeps its offset to the host's clock across a stop, and never runs backwards", async () => {
  const host = { ns: 1e9 };
  m = await haltedInRealTime(true, host);
  expect(m.x.run(100_000)).toBe(STOP_HALT);
  m.x.setRtcTime(T);
  wr(0x0b, 0x82);                                         // SET: 2099-07-04 10:15:30 (century 20h)
  wr(0, 0x30); wr(2, 0x15); wr(4, 0x10); wr(7, 0x04); wr(8, 0x07); wr(9, 0x99);
  wr(0x0b, 0x02);
  const set = m.x.rtcTime();
  expect(set).toBe(Date.UTC(2099, 6, 4, 10, 15, 30) / 1000);
  host.ns += 10e9;                                        // 10 s stopped: 9 s dropped
  expect(m.x.run(100_000)).toBe(STOP_HALT);
  expect(m.x.rtcTime() - set).toBeCloseTo(9, 3);
  host.ns -= 5e9;                                         // the host's clock read earlier than before
  expect(m.x.run(100_000)).toBe(STOP_HALT);
  expect(m.x.rtcTime() - set).toBeCloseTo(9, 3);
  // Switching to clock=vm and back moves the time of day by nothing.
  m.x.setRtcClockHost(0);
  expect(m.x.rtcTime() - set).toBeCloseTo(9, 3);
  m.x.setRtcClockHost(1);
  expect(m.x.rtcTime() - set).toBeCloseTo(9, 3);
});
