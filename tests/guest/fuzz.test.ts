import { test, expect } from "vitest";
import { runRingZero, runQemu } from "./harness";
import { buildFuzzRom, parseFuzzOutput, describeCounts, parseHashes } from "../../tools/fuzz/rom";

// A fixed seed and a few thousand 16-byte chunks at CPL 0 and CPL 3 (fuzz.asm);
// tools/fuzz/run.ts runs longer ones with any seed.
const SEED = 0x12345678;
const COUNT = 4000;

test("fuzz: the harness survives its own random code under qemu", () => {
  const r = runQemu(buildFuzzRom(SEED, COUNT));
  const s = parseFuzzOutput(r.output);
  expect(s.done).toBe(true);
  expect(s.chunks).toBe(COUNT);
  expect(s.total).toBe(COUNT);
});

test("fuzz: random instructions at CPL 0 and 3 never trap the wasm or reset; every fault reaches the guest", async () => {
  const bin = buildFuzzRom(SEED, COUNT);
  const r = await runRingZero(bin, { budget: 50_000_000 }); // throws if the wasm traps
  const s = parseFuzzOutput(r.output);
  console.log(`fuzz seed ${SEED.toString(16)}: ${COUNT} chunks, ${r.instructions} instructions, stop ${r.stop}\n${describeCounts(s.counts)}`);
  expect(r.stop).toBe("exit");          // not a triple fault, halt or budget stop
  expect(r.exitCode).toBe(1);
  expect(s.done).toBe(true);
  expect(s.chunks).toBe(COUNT);
  expect(s.total).toBe(COUNT);          // each chunk ended in exactly one handled event
  expect(s.counts.get(13) ?? 0).toBeGreaterThan(0);
  expect(s.counts.get(14) ?? 0).toBeGreaterThan(0);
  expect(s.counts.get(6) ?? 0).toBeGreaterThan(0);
});

// Differential: the same chunks on both machines, a hash of the state after
// each (the exception, its frame, the general, segment and x87 control
// registers) compared chunk by chunk. The ROM leaves out what qemu 7.2 does
// differently from the SDM (fuzz.asm, flag 2; tools/fuzz/run.ts --diff finds
// and dumps a differing chunk).
test("fuzz: differential against qemu, the same state after every chunk", async () => {
  const bin = buildFuzzRom(SEED, COUNT, { hashes: true, differential: true });
  const q = parseHashes(runQemu(bin).output);
  const r = parseHashes((await runRingZero(bin, { budget: 50_000_000 })).output);
  expect(q.length).toBe(COUNT);
  expect(r.length).toBe(COUNT);
  const first = r.findIndex((h, i) => h !== q[i]);
  expect(first, `chunk ${first + 1} differs: npx tsx tools/fuzz/run.ts --diff --seed ${SEED} --count ${COUNT}`).toBe(-1);
});

// Needs no protected-mode delivery: random 64 KiB BIOS images and random RAM,
// started from the reset vector in real mode, restarted after every triple
// fault or HLT. Whatever the bytes do, the wasm must not trap or abort (the
// host would throw) and the machine must keep answering.
test("fuzz: random BIOS and RAM images from reset never trap the wasm", async () => {
  const { Machine } = await import("../../web/host/machine");
  const { readFileSync } = await import("node:fs");
  const { join, dirname } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const wasm = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../build/ringzero.wasm"));
  const m = await Machine.create({ wasm, ramBytes: 4 << 20 });
  let x = SEED;
  const rnd = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  const stops = new Map<number, number>();
  let slices = 0;
  for (let image = 0; image < 64; image++) {
    const rom = new Uint8Array(65536);
    for (let i = 0; i < rom.length; i += 4) new DataView(rom.buffer).setUint32(i, rnd());
    const ram = m.ram();
    for (let i = 0; i < ram.length; i += 4) new DataView(ram.buffer, ram.byteOffset).setUint32(i, rnd());
    m.loadBios(rom);
    for (let slice = 0; slice < 20; slice++) {
      const r = m.run(5000);
      stops.set(r, (stops.get(r) ?? 0) + 1);
      slices++;
      m.drain(0);
      if (r !== 0 && r !== 2) m.reset(); // halted, exited or reset: start again
    }
  }
  // stop reasons (exec.ts STOP_*): 0 budget, 1 halt, 3 exit, 4 reset (triple fault)
  console.log(`random images: ${slices} slices of up to 5000 instructions; stop reasons ${JSON.stringify([...stops])}`);
  expect(slices).toBe(64 * 20);
});
