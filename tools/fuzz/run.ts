// Longer random-instruction run (tests/guest/fuzz.asm) with any seed and count:
//   npx tsx tools/fuzz/run.ts [--seed N] [--count N] [--qemu | --diff]
// Runs RingZero (or, with --qemu, qemu-system-i386 -cpu pentium2, to check the
// harness itself) and prints the exception counts. Exits non-zero unless the
// guest reached its final exit with every chunk accounted for.
//
// --diff runs both with a state hash printed after every chunk (the vector,
// the exception frame, the general and segment registers, CR2) and compares
// them. At the first chunk whose hashes differ it runs both again to dump that
// chunk (its bytes, disassembled, the registers it started with and both end
// states) and exits 1; --skip N1,N2,... goes past chunks already explained.
// A difference changes what later chunks find in memory, so the first one is
// the one to read.
import { runRingZero, runQemu } from "../../tests/guest/harness";
import { buildFuzzRom, parseFuzzOutput, describeCounts, parseHashes, parseDump, END_FIELDS, START_FIELDS, type ChunkDump } from "./rom";
import { disassemble } from "../../web/host/disasm";

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const seed = opt("--seed", (Math.random() * 2 ** 32) >>> 0);
const count = opt("--count", 100_000);
const budget = 20_000_000 + count * 4000;
const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");

async function ringzero(bin: string): Promise<{ stop: string; out: string; instructions: bigint }> {
  try {
    const r = await runRingZero(bin, { budget });
    return { stop: r.stop, out: r.output, instructions: r.instructions };
  } catch (e) {
    console.error("the host threw:", e);
    process.exit(2);
  }
}

function qemu(bin: string): { stop: string; out: string } {
  const r = runQemu(bin, { timeoutMs: 60_000 + count * 20 });
  return { stop: r.stop, out: r.output };
}

function describeDump(name: string, d: ChunkDump): string {
  return `${name} end: ` + END_FIELDS.map((f, i) => `${f}=${hex(d.end[i])}`).join(" ");
}

async function diff(): Promise<number> {
  const skip = new Set((args.includes("--skip") ? args[args.indexOf("--skip") + 1] : "").split(",").filter(Boolean).map(Number));
  const bin = buildFuzzRom(seed, count, { hashes: true, differential: true });
  const t0 = Date.now();
  const q = qemu(bin);
  const t1 = Date.now();
  const r = await ringzero(bin);
  const t2 = Date.now();
  const qh = parseHashes(q.out), rh = parseHashes(r.out);
  console.log(`qemu: ${qh.length} chunks in ${((t1 - t0) / 1000).toFixed(1)} s; ringzero: ${rh.length} chunks, ${r.instructions} instructions in ${((t2 - t1) / 1000).toFixed(1)} s`);
  const differing: number[] = [];
  for (let i = 0; i < Math.max(qh.length, rh.length); i++) {
    if (qh[i] !== rh[i] && !skip.has(i + 1)) differing.push(i);
  }
  const first = differing.length ? differing[0] : -1;
  const qs = parseFuzzOutput(q.out), rs = parseFuzzOutput(r.out);
  if (first < 0) {
    const ok = qs.done && rs.done && rs.chunks === count && rs.total === count;
    console.log(ok ? `${count} chunks, the same state after each (${skip.size} skipped)` : `FAILED: qemu done=${qs.done} ringzero done=${rs.done} chunks=${rs.chunks} total=${rs.total}`);
    return ok ? 0 : 1;
  }
  const same = [...Array(first).keys()].filter((i) => !skip.has(i + 1)).length;
  console.log(`${differing.length} chunks differ; the first at chunk ${first + 1}; ${same} chunks before it agree`);
  // --list N: dump the first N differing chunks (later ones may only follow from
  // an earlier difference, through memory)
  const list = opt("--list", 1);
  for (const i of differing.slice(0, list)) await dumpChunk(i + 1);
  return 1;
}

async function dumpChunk(chunk: number): Promise<void> {
  console.log(`--- chunk ${chunk} (CPL ${chunk & 1 ? 0 : 3})`);
  const dbin = buildFuzzRom(seed, chunk, { dump: chunk, differential: true });
  const qd = parseDump(qemu(dbin).out), rd = parseDump((await ringzero(dbin)).out);
  if (!qd || !rd) {
    console.log(`no dump (qemu ${qd ? "ok" : "none"}, ringzero ${rd ? "ok" : "none"})`);
    return;
  }
  console.log(`bytes: ${qd.bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ")}`);
  for (const l of disassemble(Uint8Array.from(qd.bytes), 0x800, 32)) console.log(`  ${l.address.toString(16).padStart(8, "0")}  ${l.text}`);
  console.log("start: " + START_FIELDS.map((f, i) => `${f}=${hex(qd.start[i])}`).join(" "));
  console.log(describeDump("qemu    ", qd));
  console.log(describeDump("ringzero", rd));
  console.log("differ: " + END_FIELDS.filter((_, i) => qd.end[i] !== rd.end[i]).join(" "));
}

if (args.includes("--diff")) {
  console.log(`seed ${seed} (0x${(seed >>> 0).toString(16)}), ${count} chunks, differential`);
  process.exit(await diff());
}
const bin = buildFuzzRom(seed, count);
console.log(`seed ${seed} (0x${(seed >>> 0).toString(16)}), ${count} chunks, ROM ${bin}`);
const t0 = Date.now();
let stop: string, out: string;
if (args.includes("--qemu")) {
  ({ stop, out } = qemu(bin));
} else {
  const r = await ringzero(bin);
  ({ stop, out } = r);
  console.log(`${r.instructions} instructions`);
}
const s = parseFuzzOutput(out);
console.log(`stop: ${stop}, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(describeCounts(s.counts));
const ok = s.done && s.chunks === count && s.total === count;
console.log(ok ? "fuzz run complete" : `FAILED: done=${s.done} chunks=${s.chunks} total=${s.total}\n--- output ---\n${out}`);
process.exit(ok ? 0 : 1);
