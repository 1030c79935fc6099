import { test, expect } from "vitest";
import { runRingZero, runQemu } from "./harness";
import { buildFuzzRom, parseFuzzOutput, describeCounts } from "../../tools/fuzz/rom";

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
