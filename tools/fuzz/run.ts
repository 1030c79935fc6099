// Longer random-instruction run (tests/guest/fuzz.asm) with any seed and count:
//   npx tsx tools/fuzz/run.ts [--seed N] [--count N] [--qemu]
// Runs RingZero (or, with --qemu, qemu-system-i386 -cpu pentium2, to check the
// harness itself) and prints the exception counts. Exits non-zero unless the
// guest reached its final exit with every chunk accounted for.
import { runRingZero, runQemu } from "../../tests/guest/harness";
import { buildFuzzRom, parseFuzzOutput, describeCounts } from "./rom";

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const seed = opt("--seed", (Math.random() * 2 ** 32) >>> 0);
const count = opt("--count", 100_000);
const bin = buildFuzzRom(seed, count);
console.log(`seed ${seed} (0x${(seed >>> 0).toString(16)}), ${count} chunks, ROM ${bin}`);
const t0 = Date.now();
let stop: string, out: string;
try {
  if (args.includes("--qemu")) {
    const r = runQemu(bin, { timeoutMs: 600_000 });
    stop = r.stop; out = r.output;
  } else {
    const r = await runRingZero(bin, { budget: 20_000_000 + count * 4000 });
    stop = r.stop; out = r.output;
    console.log(`${r.instructions} instructions`);
  }
} catch (e) {
  console.error("the host threw:", e);
  process.exit(2);
}
const s = parseFuzzOutput(out);
console.log(`stop: ${stop}, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(describeCounts(s.counts));
const ok = s.done && s.chunks === count && s.total === count;
console.log(ok ? "fuzz run complete" : `FAILED: done=${s.done} chunks=${s.chunks} total=${s.total}\n--- output ---\n${out}`);
process.exit(ok ? 0 : 1);
