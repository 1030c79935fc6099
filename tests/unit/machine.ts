// Instantiates the release machine module for device unit tests: exports only,
// no host, no BIOS (devices are driven through index.ts's test surface).

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
let mod: WebAssembly.Module | undefined;

export interface Dev {
  init(ram: number): void;
  reset(): void;
  run(budget: number): number;
  testPortIn(port: number, size: number): number;
  testPortOut(port: number, size: number, v: number): void;
  testMemRead32(addr: number): number;
  testMemWrite32(addr: number, v: number): void;
  testAdvance(ns: number): void;
  testIntrLine(): number;
  testAck(): number;
  testPicReg(chip: number, which: number): number;
  testSetIrq(line: number, level: number): void;
  testSetPciIrq(pirq: number, level: number): void;
  virtualTimeNs(): bigint;
  haltedTimeNs(): bigint;
  readTsc(): bigint;
  setRtcTime(s: number): void;
  rtcTime(): number;
  setRtcClockHost(on: number): void;
  setCmosByte(i: number, v: number): void;
  getCmosByte(i: number): number;
  mouseEvent(dx: number, dy: number, dz: number, b: number): void;
  setRealtime(on: number): void;
  setIcountShift(shift: number): void;
  timeUntilDeadline(): number;
  layoutRings(): number;
  layoutRingStride(): number;
  layoutRingHeader(): number;
  layoutRingCapacity(): number;
  layoutRomBase(): number;
  layoutRamBase(): number;
  loadBios(size: number): number;
  powerButton(): void;
  setHpet(on: number): void;
}

export interface TestMachine {
  x: Dev;
  mem: WebAssembly.Memory;
  inb(p: number): number;
  outb(p: number, v: number): void;
  inw(p: number): number;
  outw(p: number, v: number): void;
  inl(p: number): number;
  outl(p: number, v: number): void;
  ringPush(r: number, bytes: number[]): void;
  ringDrain(r: number): number[];
}

/** A machine with the wiring a BIOS leaves: LINT0 in ExtINT (virtual wire) mode,
 *  so the 8259A reaches the CPU. `virtualWire: false` keeps the reset state
 *  (every LVT masked), for the local APIC's own tests. */
export async function makeMachine(ramMB = 32, opts: { virtualWire?: boolean; hostNow?: () => number } = {}): Promise<TestMachine> {
  // RZ_WASM=build/ringzero.debug.wasm (npm run build:debug) runs the same tests with assertions on
  mod ??= await WebAssembly.compile(readFileSync(join(ROOT, process.env.RZ_WASM ?? "build/ringzero.wasm")));
  const pages = (0x3000000 + (ramMB << 20)) / 65536;
  const mem = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const inst = await WebAssembly.instantiate(mod, {
    // No drives are attached in these tests: a block request would be a host error.
    env: {
      memory: mem, abort() { throw new Error("wasm abort"); }, jitCompile: () => 0, jitFlush: () => {}, jitRelease: () => {}, jitMmioSite: () => 0, blockIo: () => 1,
      hostNow: opts.hostNow ?? (() => performance.now() * 1e6),
    },
  });
  const x = inst.exports as unknown as Dev;
  x.init(ramMB << 20);
  if (opts.virtualWire ?? true) { x.testMemWrite32(0xfee000f0, 0x1ff); x.testMemWrite32(0xfee00350, 0x700); }
  const u32 = () => new Uint32Array(mem.buffer);
  const u8 = () => new Uint8Array(mem.buffer);
  const ring = (r: number) => x.layoutRings() + r * x.layoutRingStride();
  return {
    x, mem,
    inb: (p) => x.testPortIn(p, 1), outb: (p, v) => x.testPortOut(p, 1, v),
    inw: (p) => x.testPortIn(p, 2), outw: (p, v) => x.testPortOut(p, 2, v),
    inl: (p) => x.testPortIn(p, 4) >>> 0, outl: (p, v) => x.testPortOut(p, 4, v),
    ringPush(r, bytes) {
      const a = ring(r);
      const cap = x.layoutRingCapacity();
      let w = u32()[a >> 2];
      for (const b of bytes) { u8()[a + x.layoutRingHeader() + (w & (cap - 1))] = b; w = (w + 1) >>> 0; }
      u32()[a >> 2] = w;
    },
    ringDrain(r) {
      const a = ring(r);
      const cap = x.layoutRingCapacity();
      const w = u32()[a >> 2];
      let rd = u32()[(a >> 2) + 1];
      const out: number[] = [];
      while (rd !== w) { out.push(u8()[a + x.layoutRingHeader() + (rd & (cap - 1))]); rd = (rd + 1) >>> 0; }
      u32()[(a >> 2) + 1] = rd;
      return out;
    },
  };
}
