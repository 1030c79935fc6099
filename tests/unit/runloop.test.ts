import { test, expect } from "vitest";
import { readFileSync } from "node:fs";
import { makeMachine, TestMachine } from "./machine";
import { assemble } from "../guest/harness";

const STOP = { BUDGET: 0, HALT: 1, OUTPUT: 2, EXIT: 3 };
const RING_DEBUGCON = 0, RING_COM1_TX = 1;

async function boot(name: string): Promise<TestMachine> {
  const m = await makeMachine();
  const rom = readFileSync(assemble(name));
  new Uint8Array(m.mem.buffer, m.x.layoutRomBase(), rom.length).set(rom);
  expect(m.x.loadBios(rom.length)).toBe(1);
  m.x.reset();
  // No local APIC (IA32_APIC_BASE enable bit clear), as qemu -cpu pentium2,-apic:
  // the 8259A drives INTR directly, with no BIOS to set LINT0 to ExtINT.
  new DataView(m.mem.buffer).setUint32(0x1000 + 0x264, 0xfee00100, true);
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

test("real-time mode: HLT returns STOP_HALT with the time to the next deadline; host time wakes it", async () => {
  const m = await boot("chipset_hlt_pit");
  m.x.setRealtime(1);
  m.x.setHostTime(5e9);                 // any origin
  expect(m.x.run(1_000_000)).toBe(STOP.HALT);
  const wait = m.x.timeUntilDeadline();
  expect(wait > 9.9e6 && wait <= 10.001e6).toBe(true);
  m.x.setHostTime(5e9 + 4e6);           // not yet
  expect(m.x.run(1_000_000)).toBe(STOP.HALT);
  m.x.setHostTime(5e9 + 10.1e6);
  expect(m.x.run(1_000_000)).toBe(STOP.EXIT);
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
