import { test, expect } from "vitest";
import { readFileSync } from "node:fs";
import { makeMachine, TestMachine } from "./machine";
import { assemble } from "../guest/harness";

const STOP = { BUDGET: 0, HALT: 1, OUTPUT: 2, EXIT: 3 };
const RING_DEBUGCON = 0, RING_COM1_TX = 1;

async function boot(name: string, hostNow?: () => number, apic = false): Promise<TestMachine> {
  const m = await makeMachine(32, { hostNow });
  const rom = readFileSync(assemble(name));
  new Uint8Array(m.mem.buffer, m.x.layoutRomBase(), rom.length).set(rom);
  expect(m.x.loadBios(rom.length)).toBe(1);
  m.x.reset();
  // No local APIC (IA32_APIC_BASE enable bit clear), as qemu -cpu pentium2,-apic:
  // the 8259A drives INTR directly, with no BIOS to set LINT0 to ExtINT.
  if (!apic) new DataView(m.mem.buffer).setUint32(0x1000 + 0x264, 0xfee00100, true);
  return m;
}

test("HLT with IF=0 stops with STOP_HALT and stays halted", async () => {
  const m = await boot("chipset_hlt_if0");
  expect(m.x.run(100000)).toBe(STOP.HALT);
  expect(String.fromCharCode(...m.ringDrain(RING_DEBUGCON))).toBe("halt");
  expect(m.x.run(100000)).toBe(STOP.HALT);
});

test("deterministic mode: HLT jumps to the PIT deadline and charges the budget", async () => {
  const m = await boot("chipset_hlt_pit");
  // 10 ms = 10 M ns: a 1 M budget runs out while halted, the clock advancing by it
  expect(m.x.run(1_000_000)).toBe(STOP.BUDGET);
  const t1 = m.x.virtualTimeNs();
  expect(t1 > 900_000n && t1 <= 1_000_000n).toBe(true);
  let r = 0;
  for (let i = 0; i < 20 && (r = m.x.run(1_000_000)) === STOP.BUDGET; i++);
  expect(r).toBe(STOP.EXIT);
  const t = m.x.virtualTimeNs();
  expect(t >= 10_000_000n && t < 10_100_000n).toBe(true); // 11932 ticks = 10.0002 ms
  expect(Number(m.x.haltedTimeNs())).toBeGreaterThan(9.9e6);   // all but a few instructions of it halted
  expect(String.fromCharCode(...m.ringDrain(RING_DEBUGCON))).toBe("wait tick 01 00 \n");
});

test("deterministic mode is reproducible: same virtual time and TSC at exit", async () => {
  const res: bigint[][] = [];
  for (let k = 0; k < 2; k++) {
    const m = await boot("chipset_hlt_rtc");
    let r = 0;
    for (let i = 0; i < 1000 && (r = m.x.run(1_000_000)) === STOP.BUDGET; i++);
    expect(r).toBe(STOP.EXIT);
    res.push([m.x.virtualTimeNs(), m.x.readTsc()]);
  }
  expect(res[0]).toEqual(res[1]);
  expect(res[0][0] > 100_000_000n).toBe(true); // the 8 Hz interrupt, >= 125 ms after start
});

test("real-time mode: HLT returns STOP_HALT with the host time to the next deadline; host time wakes it", async () => {
  let host = 5e9;                       // the host's clock, any origin
  const m = await boot("chipset_hlt_pit", () => host);
  m.x.setRealtime(1);
  expect(m.x.run(1_000_000)).toBe(STOP.HALT);
  const wait = m.x.timeUntilDeadline();
  expect(wait > 9.9e6 && wait <= 10.001e6).toBe(true);
  host += 4e6;                          // not yet: the clock follows the host while halted
  expect(m.x.run(1_000_000)).toBe(STOP.HALT);
  const t = Number(m.x.virtualTimeNs());
  expect(t >= 4e6 && t < 4.1e6).toBe(true);
  expect(Number(m.x.haltedTimeNs())).toBeGreaterThan(3.9e6);   // the time it waited counts as halted
  expect(Math.abs(m.x.timeUntilDeadline() - (wait - 4e6)) < 0.1e6).toBe(true);
  host += 6.1e6;
  expect(m.x.run(1_000_000)).toBe(STOP.EXIT);
});

test("real-time mode: a busy guest never runs ahead of the host clock; it waits, then goes on", async () => {
  let host = 1e9;
  const m = await boot("clock", () => host, true);   // polls the RTC, PIT and APIC for two seconds
  m.x.setRealtime(1);
  let r = 0;
  for (let i = 0; i < 20 && (r = m.x.run(1_000_000)) === STOP.BUDGET; i++);
  // The host's clock stands still: the guest stops at most 1 ms ahead of it.
  expect(r).toBe(STOP.HALT);
  expect(Number(m.x.virtualTimeNs())).toBeLessThanOrEqual(1e6 + 1e4);
  const wait = m.x.timeUntilDeadline();
  expect(wait > 0.5e6 && wait <= 1e6).toBe(true);
  // The host's clock moves on 10 ms per slice: virtual time follows it, never more
  // than 1 ms (and the instruction that crosses it) ahead.
  for (let i = 0; i < 500; i++) {
    host += 10e6;
    r = m.x.run(1_000_000);
    expect(Number(m.x.virtualTimeNs())).toBeLessThanOrEqual(host - 1e9 + 1e6 + 1e4);
    if (r === STOP.EXIT) break;
  }
  expect(r).toBe(STOP.EXIT);
  expect(String.fromCharCode(...m.ringDrain(RING_DEBUGCON))).toBe("pit ok\nlapic ok\ntsc ok\n");
});

test("COM1 output past half the ring stops the slice with STOP_OUTPUT", async () => {
  const m = await boot("chipset_com1_flood");
  let out = 0, outputs = 0, r = 0;
  for (let i = 0; i < 100; i++) {
    r = m.x.run(1_000_000);
    out += m.ringDrain(RING_COM1_TX).length;
    if (r === STOP.OUTPUT) outputs++;
    else break;
  }
  expect(r).toBe(STOP.EXIT);
  expect(outputs).toBe(1);
  expect(out).toBe(6000);
});

/** chipset_hlt_ticks.asm in real time on the host clock `host()`, run to its
 *  first halt (set up, before the first tick): the machine and its RAM (tick
 *  count at 7FF0h, the limit at 7FF2h, each tick's TSC at 8000h + 4n). */
async function tickGuest(host: () => number): Promise<{ m: TestMachine; ram: DataView }> {
  const m = await boot("chipset_hlt_ticks", host);
  m.x.setRealtime(1);
  expect(m.x.run(1_000_000)).toBe(STOP.HALT);
  const ram = new DataView(m.mem.buffer, m.x.layoutRamBase());
  expect(ram.getUint16(0x7ff0, true)).toBe(0);
  return { m, ram };
}

/** The TSC (1 GHz on the virtual clock) at each of the first n ticks: one
 *  period (1193 counts of 1.193182 MHz = 999.85 us) apart, not bunched. */
function expectOnePeriodApart(ram: DataView, n: number): void {
  for (let k = 1; k < n; k++) {
    const d = (ram.getUint32(0x8000 + 4 * k, true) - ram.getUint32(0x8000 + 4 * (k - 1), true)) >>> 0;
    expect(Math.abs(d - 999_847)).toBeLessThan(2_000);
  }
}

test("real-time mode: a host that slept through many timer ticks gets each at its own virtual time in one run", async () => {
  // web/host/idle.ts lets a quiet guest's host sleep 50 ms past a 1 ms tick.
  let host = 2e9;
  const { m, ram } = await tickGuest(() => host);
  host += 50e6;
  expect(m.x.run(1_000_000)).toBe(STOP.HALT);   // one call takes every tick that fell due
  // Deadlines k * 999.85 us for k = 1..50 lie within 50 ms.
  const n = ram.getUint16(0x7ff0, true);
  expect(n).toBe(50);
  const t = Number(m.x.virtualTimeNs());
  expect(t).toBeLessThanOrEqual(50e6);          // never ahead of the host
  expect(t).toBeGreaterThan(49.9e6);            // and caught up with it
  expectOnePeriodApart(ram, n);
  host += 10e6;
  expect(m.x.run(1_000_000)).toBe(STOP.EXIT);   // ticks 51-60
});

test("real-time mode: a host that starved the machine for 10 s gives it at most 1 s, tick by tick (a pause, never a leap)", async () => {
  // asm/clock.ts MAX_LAG_NS: a lag over 1 s is dropped; the rest is taken one
  // deadline at a time, as after any host sleep.
  let host = 7e9;
  const { m, ram } = await tickGuest(() => host);
  ram.setUint16(0x7ff2, 5000, true);            // tick on (the program's limit)
  host += 10e9;
  expect(m.x.run(50_000_000)).toBe(STOP.HALT);
  // 1 s of 999.85 us periods: 1000 ticks, not the 10,001 that 10 s would hold.
  const n = ram.getUint16(0x7ff0, true);
  expect(n).toBeGreaterThanOrEqual(999);
  expect(n).toBeLessThanOrEqual(1001);
  const t = Number(m.x.virtualTimeNs());
  expect(t).toBeGreaterThan(0.99e9);
  expect(t).toBeLessThanOrEqual(1.001e9);
  expectOnePeriodApart(ram, n);
  // From there on the guest follows the host again: 5 ms more, 5 ticks more.
  host += 5e6;
  expect(m.x.run(1_000_000)).toBe(STOP.HALT);
  expect(ram.getUint16(0x7ff0, true) - n).toBeGreaterThanOrEqual(4);
  expect(ram.getUint16(0x7ff0, true) - n).toBeLessThanOrEqual(6);
});
