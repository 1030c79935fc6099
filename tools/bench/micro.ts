// Guest micro-benchmarks: runs each tools/bench/micro/*.asm ROM in the release
// wasm through the host Machine and prints the median MIPS (guest instructions
// retired per wall-clock second) over several runs, flat and with paging on, and
// the median per second of this process's CPU time (steadier on a busy machine).
//
//   npx tsx tools/bench/micro.ts [-n RUNS] [-s SCALE] [--only NAME] [--wasm FILE] [--check] [--json]
//     -n       runs per benchmark (median reported; one warm-up run is discarded)
//     -s       multiply every benchmark's iteration count (default 1)
//     --wasm   the machine to measure (default build/ringzero.wasm), e.g. a saved
//              copy of a previous build for a before/after comparison
//     --check  also run each ROM under qemu-system-i386 with the same iteration
//              count and compare the printed checksums (slow: qemu enters
//              protected mode through the ROM's own stub)
//   profile:   node --cpu-prof --cpu-prof-dir=build/prof --import tsx tools/bench/micro.ts -n 1
//              node tools/bench/micro-prof.mjs build/prof   (names the wasm functions)
//
// The driver enters 32-bit protected mode by writing the CPU state block (flat
// 4 GiB segments, CPL 0, optionally CR0.PG with identity page tables) and starts
// at the ROM's BENCH_ENTRY; see tools/bench/micro/micro.inc.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { Machine, STOP, RING } from "../../web/host/machine";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SRC = join(ROOT, "tools/bench/micro");
const OUT = join(ROOT, "build/bench");

// Outer iterations per run: each gives roughly 20-40 million guest instructions.
const ITERS: Record<string, number> = { alu: 2000, call: 1000, string: 10000, flags: 7000, mpi: 8000, dispatch: 4000, md5: 120, events: 20000, vgatext: 2000 };

// Must match micro.inc.
const ITERS_ADDR = 0x500, STACK_TOP = 0x90000, PD_ADDR = 0x10000, BENCH_ENTRY = 0xfff00;
// state.ts offsets within the CPU state block
const OFF_EIP = 0x20, OFF_ESP = 0x10, OFF_SEGS = 0x100, SEG_SIZE = 32, OFF_CR0 = 0x210, OFF_CR3 = 0x218;
// segment attributes (descriptor bits 40..55 >> 40, plus ATTR_VALID): P S type DB G
const ATTR_CODE32 = 0x1c09b, ATTR_DATA32 = 0x1c093;

function args() {
  const a = process.argv.slice(2);
  const o = { runs: 5, scale: 1, only: "", wasm: join(ROOT, "build/ringzero.wasm"), check: false, json: false };
  for (let i = 0; i < a.length; i++) {
    if (a[i] === "-n") o.runs = Number(a[++i]);
    else if (a[i] === "-s") o.scale = Number(a[++i]);
    else if (a[i] === "--only") o.only = a[++i];
    else if (a[i] === "--wasm") o.wasm = a[++i];
    else if (a[i] === "--check") o.check = true;
    else if (a[i] === "--json") o.json = true;
    else throw new Error(`unknown argument ${a[i]}`);
  }
  return o;
}

function assemble(name: string, defs: string[] = []): string {
  mkdirSync(OUT, { recursive: true });
  const bin = join(OUT, name + (defs.length ? "-" + defs.join("-").replace(/[^\w]/g, "_") : "") + ".bin");
  execFileSync("nasm", ["-f", "bin", "-I", join(ROOT, "tests/guest") + "/", "-I", SRC + "/",
    ...defs.map((d) => "-D" + d), "-o", bin, join(SRC, name + ".asm")], { stdio: "pipe" });
  return bin;
}

/** Put the machine in flat 32-bit protected mode at BENCH_ENTRY, as the ROM's stub would. */
function enterProtectedMode(m: Machine, iters: number, paging: boolean): void {
  const st = m.cpuState();
  for (let s = 0; s < 6; s++) {
    const p = OFF_SEGS + s * SEG_SIZE;
    st.setUint32(p, s === 1 ? 0x08 : 0x10, true);
    st.setUint32(p + 4, 0, true);
    st.setUint32(p + 8, 0xffffffff, true);
    st.setUint32(p + 12, s === 1 ? ATTR_CODE32 : ATTR_DATA32, true);
  }
  const ram = new DataView(m.ram().buffer, m.ram().byteOffset, m.ramBytes);
  ram.setUint32(ITERS_ADDR, iters, true);
  let cr0 = 0x11; // PE ET
  if (paging) {
    // identity map 0..32 MiB with 4 KiB pages, present + writable, supervisor
    for (let i = 0; i < 1024; i++) ram.setUint32(PD_ADDR + i * 4, i < 8 ? PD_ADDR + 0x1000 * (i + 1) + 3 : 0, true);
    for (let i = 0; i < 8 * 1024; i++) ram.setUint32(PD_ADDR + 0x1000 + i * 4, i * 0x1000 + 3, true);
    st.setUint32(OFF_CR3, PD_ADDR, true);
    cr0 |= 0x80000000;
  }
  st.setUint32(OFF_CR0, cr0, true);
  st.setUint32(OFF_EIP, BENCH_ENTRY, true);
  st.setUint32(OFF_ESP, STACK_TOP, true);
  (m as unknown as { x: { cpuStateChanged(): void } }).x.cpuStateChanged();
}

interface Run { mips: number; cpuMips: number; seconds: number; instructions: bigint; output: string }

async function runOnce(wasm: WebAssembly.Module, bin: Uint8Array, iters: number, paging: boolean): Promise<Run> {
  const m = await Machine.create({ wasm, ramBytes: 32 << 20 });
  m.loadBios(bin);
  enterProtectedMode(m, iters, paging);
  const dec = new TextDecoder("latin1");
  let out = "";
  const i0 = m.instructions;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let n = 0; n < 10_000; n++) {
    const r = m.run(50_000_000);
    if (r === STOP.EXIT) break;
    if (r !== STOP.BUDGET && r !== STOP.OUTPUT) throw new Error(`benchmark stopped with reason ${r}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const cpuSeconds = (c1.user + c1.system) / 1e6;
  out += dec.decode(m.drain(RING.DEBUGCON));
  const instructions = m.instructions - i0;
  if (m.exitCode !== 1) throw new Error(`benchmark did not exit cleanly (exit code ${m.exitCode}, output ${JSON.stringify(out)})`);
  return { mips: Number(instructions) / seconds / 1e6, cpuMips: Number(instructions) / cpuSeconds / 1e6, seconds, instructions, output: out.trim() };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

async function main() {
  const o = args();
  const wasm = await WebAssembly.compile(readFileSync(o.wasm));
  const names = readdirSync(SRC).filter((f) => f.endsWith(".asm")).map((f) => f.slice(0, -4))
    .filter((n) => !o.only || o.only.split(",").includes(n)).sort();
  const rows: { bench: string; mips: number; cpuMips: number; runs: number[]; seconds: number; minstr: number; checksum: string }[] = [];
  for (const name of names) {
    const bin = readFileSync(assemble(name));
    const iters = Math.max(1, Math.round((ITERS[name] ?? 1000) * o.scale));
    for (const paging of [false, true]) {
      const label = name + (paging ? "+pg" : "");
      await runOnce(wasm, bin, Math.max(1, iters >> 3), paging); // warm-up (lets V8 tier up)
      const runs: Run[] = [];
      for (let i = 0; i < o.runs; i++) runs.push(await runOnce(wasm, bin, iters, paging));
      const sums = new Set(runs.map((r) => r.output));
      if (sums.size !== 1) throw new Error(`${label}: checksums differ between runs: ${[...sums]}`);
      if (o.check) {
        const qbin = assemble(name, [`DEFAULT_ITERS=${iters}`, ...(paging ? ["PAGING"] : [])]);
        const log = qbin + ".qemu.txt";
        spawnSync("qemu-system-i386", ["-bios", qbin, "-display", "none", "-m", "32", "-no-reboot", "-accel", "tcg",
          "-cpu", "pentium2", "-debugcon", `file:${log}`, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
          "-serial", "none", "-parallel", "none", "-monitor", "none", "-nodefaults"], { timeout: 120_000 });
        const q = existsSync(log) ? readFileSync(log, "latin1").trim() : "";
        if (q !== runs[0].output) throw new Error(`${label}: checksum ${runs[0].output} differs from qemu's ${q}`);
      }
      const row = {
        bench: label, mips: median(runs.map((r) => r.mips)), cpuMips: median(runs.map((r) => r.cpuMips)), runs: runs.map((r) => Math.round(r.mips * 10) / 10),
        seconds: median(runs.map((r) => r.seconds)), minstr: Number(runs[0].instructions) / 1e6, checksum: runs[0].output,
      };
      rows.push(row);
      if (!o.json) {
        console.log(`${label.padEnd(10)} ${row.mips.toFixed(1).padStart(7)} MIPS ${row.cpuMips.toFixed(1).padStart(7)} MIPS/cpu-s` +
          `  (wall, median of ${o.runs}: ${row.runs.join(" ")})` +
          `  ${row.minstr.toFixed(1)}M instr in ${row.seconds.toFixed(2)} s  checksum ${row.checksum}${o.check ? " = qemu" : ""}`);
      }
    }
  }
  if (o.json) console.log(JSON.stringify(rows, null, 1));
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
