#!/usr/bin/env node
// node tools/bench/simd.mjs [--rom simd|real16] [--runs N] [--iters N] [--quick] [--no-v86] [--no-qemu] [--out F]
//
// A kernel ROM's throughput: by default SIMD (issue 17), the SSE2 kernel of
// tools/bench/simd.asm; --rom real16 the 16-bit real-mode code of
// tools/bench/real16.asm (issue 13). A bare -bios ROM, run in RingZero (-cpu
// coreduo), v86 (npm `v86`, its JIT) and qemu-system-i386 (TCG, -cpu coreduo),
// each in its own process with the serial line on stdout, alternating A B C
// for --runs rounds (default 5).
// Each run is timed on the host's wall clock from the moment "SIMD-START" (or
// "REAL16-START") shows on the serial line to "SIMD-END <checksum>", not from process start, so boot
// and compile time of the emulators stay out of it; the process is killed after
// END. Every run must print the same checksum: a difference is printed and the
// exit status is 1. RingZero's guest MIPS over the timed part: its RINGZERO_STATS
// counter, sampled on SIGUSR1 once END shows (the guest is halted by then, so the
// count is exact), less the same count for the ROM built with one pass, gives
// (passes - 1) passes' instructions; scaled to all passes, over the wall seconds.
// (A sample at START would come late by a run slice and the signal's latency.)
// Prints medians and per-round ratios (RingZero / v86, RingZero / qemu) as a
// markdown table and writes build/bench/simd.json (--out).
// --iters N assembles the ROM with -DITERS=N (passes over the data); the
// default is the ROM's own. `npm run bench` runs both ROMs after its rounds.
// This is a benchmark, not a test: it does not run in `npm test`.

import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const KNOWN = new Set(["--rom", "--runs", "--iters", "--quick", "--no-v86", "--no-qemu", "--out"]);
const WITH_VALUE = new Set(["--rom", "--runs", "--iters", "--out"]);
for (let i = 0; i < argv.length; i++) {
  if (!KNOWN.has(argv[i])) fail(`unknown option ${argv[i]}`);
  if (WITH_VALUE.has(argv[i]) && ++i >= argv.length) fail(`${argv[i - 1]} needs an argument`);
}
const flag = (n) => argv.includes(n);
const value = (n, d) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : d);
const count = (n, d) => {
  const v = value(n, d);
  if (!/^[1-9]\d*$/.test(String(v))) fail(`${n} needs a positive integer, not ${v}`);
  return Number(v);
};
/** The ROMs: source, the tag of their START/END lines, the table's row. */
const ROMS = {
  simd: { tag: "SIMD", title: "SIMD kernel", row: "SSE2 kernel (s)" },
  real16: { tag: "REAL16", title: "16-bit real-mode code", row: "16-bit code (s)" },
};
const romName = value("--rom", "simd");
if (!ROMS[romName]) fail(`--rom: ${romName} is not one of ${Object.keys(ROMS).join(", ")}`);
const { tag, title, row } = ROMS[romName];
const runs = flag("--quick") ? 1 : count("--runs", 5);
const iters = argv.includes("--iters") ? count("--iters") : null;
const outFile = value("--out", join(ROOT, `build/bench/${romName}.json`));
const MEM = 32;
const TIMEOUT_MS = 600_000;

function fail(msg) {
  console.error(`simd.mjs: ${msg}`);
  process.exit(2);
}

// Assemble the ROM.
const src = join(ROOT, `tools/bench/${romName}.asm`);
const rom = join(ROOT, `build/bench/${romName}.rom`);
mkdirSync(dirname(rom), { recursive: true });
const INC = ["-I", join(ROOT, "tools/bench") + "/"]; // uart.inc
const asm = spawnSync("nasm", ["-f", "bin", ...INC, ...(iters ? [`-DITERS=${iters}`] : []), "-o", rom, src], { encoding: "utf8" });
if (asm.error) fail(`cannot run nasm (${asm.error.code}); install nasm`);
if (asm.status !== 0) fail(`nasm failed:\n${asm.stderr}`);
const romIters = iters ?? Number(/^ITERS\s+equ\s+(\d+)/m.exec(readFileSync(src, "utf8"))?.[1]);
// The one-pass ROM for RingZero's instruction count (see the top).
const rom1 = join(ROOT, `build/bench/${romName}-1pass.rom`);
const asm1 = spawnSync("nasm", ["-f", "bin", ...INC, "-DITERS=1", "-o", rom1, src], { encoding: "utf8" });
if (asm1.status !== 0) fail(`nasm failed:\n${asm1.stderr}`);

const EMULATORS = {
  ringzero: (r = rom) => ["node", [join(ROOT, "bin/ringzero.mjs"), "-cpu", "coreduo", "-bios", r, "-nographic", "-m", String(MEM)]],
  v86: () => ["node", [join(ROOT, "tools/bench/v86-serial.mjs"), "-bios", rom, "-m", String(MEM)]],
  qemu: () => ["qemu-system-i386", ["-accel", "tcg", "-cpu", "coreduo", "-bios", rom, "-nographic", "-m", String(MEM)]],
};
const names = ["ringzero"];
if (!flag("--no-v86")) names.push("v86");
if (!flag("--no-qemu")) {
  if (spawnSync("qemu-system-i386", ["--version"]).status === 0) names.push("qemu");
  else console.error("simd.mjs: qemu-system-i386 not found; running without it");
}

async function runOne(name, romFile = rom) {
  const [cmd, args] = EMULATORS[name](romFile);
  const statsFile = join(tmpdir(), `ringzero-${romName}-${process.pid}-${name}.json`);
  rmSync(statsFile, { force: true });
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, RINGZERO_STATS: statsFile } });
  let out = "", err = "", tStart = null, tEnd = null;
  const result = { emulator: name };
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${tag}-END within 600 s`)), TIMEOUT_MS);
      const done = (e) => { clearTimeout(timer); if (e) reject(e); else resolve(); };
      child.on("error", (e) => done(new Error(`cannot start ${cmd}: ${e.message}`)));
      child.on("exit", (code, sig) => done(new Error(`exited (${sig ?? code}) before ${tag}-END`)));
      child.stderr.on("data", (d) => { err += d.toString("latin1"); });
      child.stdout.on("data", (d) => {
        const now = performance.now();
        out += d.toString("latin1");
        if (tStart === null && new RegExp(`${tag}-START\\r?\\n`).test(out)) tStart = now;
        const end = new RegExp(`${tag}-END ([0-9a-f]+)\\r?\\n`).exec(out);
        if (end && tEnd === null) {
          tEnd = now;
          result.checksum = end[1];
          if (name === "ringzero") child.kill("SIGUSR1");
          done();
        }
        const bad = new RegExp(`${tag}-(FAULT [0-9a-f]+ [0-9a-f]+|NOSSE2)\\r?\\n`).exec(out);
        if (bad) done(new Error(bad[0].trim()));
      });
    });
    if (tStart === null) throw new Error(`${tag}-END without ${tag}-START`);
    result.seconds = (tEnd - tStart) / 1000;
    if (name === "ringzero") await new Promise((r) => setTimeout(r, 300)); // the END sample
  } catch (e) {
    e.message = `${name}: ${e.message}; serial output ends:\n${out.slice(-400)}\nstderr ends:\n${err.slice(-400)}`;
    throw e;
  } finally {
    child.removeAllListeners("exit");
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.on("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  }
  if (existsSync(statsFile)) {
    // One JSON object a line: the END sample, then the exit's.
    const first = JSON.parse(readFileSync(statsFile, "utf8").split("\n")[0]);
    result.instructionsAtEnd = first.instructions;
    result.translatedAtEnd = first.translated;
    rmSync(statsFile, { force: true });
  }
  return result;
}

const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };

// Passes' instructions from START to END, from the END counts of this ROM and the
// one-pass ROM: (N - 1) passes' worth, times N / (N - 1).
let onePass = null;
if (romIters >= 2) {
  try {
    onePass = await runOne("ringzero", rom1);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
const passInstructions = (r, key) => (onePass?.[key] !== undefined && r[key] !== undefined
  ? (r[key] - onePass[key]) * romIters / (romIters - 1) : NaN);

const rounds = [];
for (let i = 0; i < runs; i++) {
  const round = {};
  for (const name of names) {
    try {
      round[name] = await runOne(name);
    } catch (e) {
      console.error(e.message);
      process.exit(1);
    }
  }
  const rz = round.ringzero;
  rz.instructions = Math.round(passInstructions(rz, "instructionsAtEnd"));
  rz.translatedShare = passInstructions(rz, "translatedAtEnd") / rz.instructions;
  rz.mips = rz.instructions / rz.seconds / 1e6;
  rounds.push(round);
  console.error(`${romName} run ${i + 1}/${runs}: ` + names.map((n) => `${n} ${round[n].seconds.toFixed(3)} s`).join(", "));
}

const checksums = new Set(rounds.flatMap((r) => names.map((n) => r[n].checksum)));
const col = (n, key) => rounds.map((r) => r[n][key]);
const ratio = (other) => median(rounds.map((r) => r.ringzero.seconds / r[other].seconds));
const summary = {
  date: new Date().toISOString(),
  rom: romName,
  runs,
  iters: romIters,
  memoryMB: MEM,
  commands: Object.fromEntries(names.map((n) => { const [c, a] = EMULATORS[n](); return [n, [c, ...a].join(" ")]; })),
  checksum: checksums.size === 1 ? [...checksums][0] : null,
  checksumsAgree: checksums.size === 1,
  medianSeconds: Object.fromEntries(names.map((n) => [n, median(col(n, "seconds"))])),
  ...(names.includes("v86") ? { ratioRingzeroOverV86: ratio("v86") } : {}),
  ...(names.includes("qemu") ? { ratioRingzeroOverQemu: ratio("qemu") } : {}),
  ringzeroMIPS: median(col("ringzero", "mips")),
  ringzeroTranslatedShare: median(col("ringzero", "translatedShare")),
  rounds,
};
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify(summary, null, 2));

const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
const label = { ringzero: "RingZero", v86: "v86 (JIT)", qemu: "qemu TCG" };
console.log(`\n${title} (tools/bench/${romName}.asm, ${romIters} passes), ${runs} alternating run(s), medians of wall seconds ${tag}-START to ${tag}-END;` +
  " ratio = RingZero / other per round, median");
const heads = [...names.map((n) => label[n]), ...(names.includes("v86") ? ["RingZero / v86"] : []), ...(names.includes("qemu") ? ["RingZero / qemu"] : [])];
console.log(`| measure | ${heads.join(" | ")} |`);
console.log(`| --- | ${heads.map(() => "---").join(" | ")} |`);
const cells = [...names.map((n) => f(summary.medianSeconds[n], 3)),
  ...(names.includes("v86") ? [f(summary.ratioRingzeroOverV86)] : []), ...(names.includes("qemu") ? [f(summary.ratioRingzeroOverQemu)] : [])];
console.log(`| ${row} | ${cells.join(" | ")} |`);
console.log(`\nRingZero: ${f(summary.ringzeroMIPS, 1)} guest MIPS over the timed part, ${f(100 * summary.ringzeroTranslatedShare, 1)}% of it translated`);
const shortest = Math.min(...Object.values(summary.medianSeconds));
if (!(shortest >= 0.1)) console.log(`(a median of ${f(shortest, 3)} s is too short to time on the serial line: raise --iters)`);
if (summary.checksumsAgree) console.log(`checksum ${summary.checksum}, the same in every run of every emulator`);
console.log(`written: ${outFile}`);
if (!summary.checksumsAgree) {
  console.error("simd.mjs: CHECKSUMS DIFFER:");
  for (const [i, r] of rounds.entries()) console.error(`  run ${i + 1}: ` + names.map((n) => `${n} ${r[n].checksum}`).join(", "));
  process.exit(1);
}
