#!/usr/bin/env node
// npm run bench [-- --quick] [-- --runs N] [-- --no-qemu] [-- --out F] [-- --baseline DIR] [-- --env K=V] [-- --no-simd]
//
// Boots the same Debian guest (kernel, initramfs, command line, memory) in RingZero
// and in v86 (with its JIT, Debian's SeaBIOS), alternating A B A B in one
// invocation, and reports medians and per-pair ratios for:
//   1. boot to the shell prompt (wall seconds, from process start),
//   2. an in-guest CPU workload after the prompt, timed inside the guest by
//      busybox `time` (and on the host's wall clock),
//   3. RingZero's guest instructions per second on that workload,
//   4. RingZero's main-thread time translating and compiling blocks, in the
//      boot and in the workload (its translator's own clock, from the CLI's
//      RINGZERO_STATS file).
// qemu-system-i386 (TCG) runs the same guest as a second reference when present.
// Each emulator runs in its own process with the serial console on stdio.
// --baseline DIR adds another RingZero checkout (built, e.g. a `git worktree` of
// an earlier commit) to each round, as "baseline", for before/after ratios.
// --env K=V[,K=V...] sets environment variables for this checkout's RingZero
// only (not the baseline's): `--baseline . --env RINGZERO_COMPILE=thread`
// compares a setting with the default in the same rounds.
// Then, unless --no-simd, tools/bench/simd.mjs for its two ROMs (the SSE2 kernel,
// and 16-bit real-mode code: in RingZero, v86 and qemu) with the same
// --runs/--quick/--no-qemu.
// This is a benchmark, not a test: it does not run in `npm test`.

import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { WORKLOAD } from "./workload.mjs";
import { ROOT, MEM, linuxGuest } from "./linux-guest.mjs";

const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const value = (n, d) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : d);
const quick = flag("--quick");
const runs = quick ? 1 : Number(value("--runs", 5));
const outFile = value("--out", join(ROOT, "build/bench/result.json"));
const baseline = value("--baseline", null);
const ringzeroEnv = Object.fromEntries(value("--env", "").split(",").filter(Boolean).map((kv) => {
  const eq = kv.indexOf("=");
  if (eq < 1) { console.error(`bench: --env ${kv}: expected NAME=VALUE`); process.exit(2); }
  return [kv.slice(0, eq), kv.slice(eq + 1)];
}));

spawnSync("node", [join(ROOT, "tools/guest/ensure.mjs")], { stdio: "inherit" });
const guest = linuxGuest();
const { manifest, prompt: PROMPT, ready: READY } = guest;
const EMULATORS = { ...guest.commands, baseline: () => guest.commands.ringzero(baseline) };

function parseTime(text) {
  // busybox time: "real\t0m 1.23s"
  const m = /real\s+(\d+)m\s*([\d.]+)s/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

async function runOne(name) {
  const [cmd, args] = EMULATORS[name]();
  const statsFile = join(tmpdir(), `ringzero-bench-${process.pid}-${name}.json`);
  rmSync(statsFile, { force: true });
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, ...(name === "ringzero" ? ringzeroEnv : {}), RINGZERO_STATS: statsFile } });
  let out = "";
  let waiter = null;
  child.stdout.on("data", (d) => {
    out += d.toString("latin1");
    if (waiter && waiter.re.test(out.slice(waiter.from))) { const w = waiter; waiter = null; w.resolve(); }
  });
  const waitFor = (re, from, ms) => new Promise((resolve, reject) => {
    if (re.test(out.slice(from))) return resolve();
    const timer = setTimeout(() => reject(new Error(`${name}: timed out waiting for ${re}; output ends:\n${out.slice(-800)}`)), ms);
    waiter = { re, from, resolve: () => { clearTimeout(timer); resolve(); } };
  });
  const result = { emulator: name };
  try {
    await waitFor(new RegExp(READY + "[\\s\\S]*" + PROMPT.replace(/[#$ ]/g, (c) => "\\" + c)), 0, 600_000);
    result.bootSeconds = (performance.now() - t0) / 1000;
    result.workloads = [];
    // RingZero's CLI appends its instruction count to RINGZERO_STATS on SIGUSR1.
    if (name === "ringzero" || name === "baseline") child.kill("SIGUSR1");
    for (const cmd of WORKLOAD) {
      const from = out.length;
      const w0 = performance.now();
      child.stdin.write(cmd + "; echo BENCH-DONE\n");
      // The prompt may be followed by busybox's cursor-position query (ESC[6n).
      await waitFor(new RegExp("BENCH-DONE\\r?\\n[\\s\\S]*" + PROMPT.replace(/[#$ ]/g, (c) => "\\" + c)), from + cmd.length, 600_000);
      const text = out.slice(from);
      result.workloads.push({ cmd, guestSeconds: parseTime(text), wallSeconds: (performance.now() - w0) / 1000 });
    }
    if (name === "ringzero" || name === "baseline") { child.kill("SIGUSR1"); await new Promise((r) => setTimeout(r, 200)); }
    result.workloadGuestSeconds = result.workloads.reduce((s, w) => s + w.guestSeconds, 0);
    result.workloadWallSeconds = result.workloads.reduce((s, w) => s + w.wallSeconds, 0);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.on("exit", r));
  }
  if (existsSync(statsFile)) {
    // One JSON object a line: {"instructions": N}; RingZero writes one at each
    // SIGUSR1 (workload start and end) and one at exit, v86 one at exit.
    const lines = readFileSync(statsFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    result.instructions = lines[lines.length - 1].instructions;
    if ((name === "ringzero" || name === "baseline") && lines.length >= 3) {
      result.workloadInstructions = lines[1].instructions - lines[0].instructions;
      // the main thread's time translating blocks and compiling their modules
      // (web/jit/translator.ts stats.compileMs), to the prompt and in the workload
      result.compileSeconds = { boot: lines[0].compileMs / 1000, workload: (lines[1].compileMs - lines[0].compileMs) / 1000 };
      // with RINGZERO_COMPILE=thread, the compile worker thread's time (stats.workerMs)
      if (lines[0].workerMs) result.workerSeconds = { boot: lines[0].workerMs / 1000, workload: (lines[1].workerMs - lines[0].workerMs) / 1000 };
    }
    rmSync(statsFile, { force: true });
  }
  return result;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };

const haveQemu = !flag("--no-qemu") && spawnSync("qemu-system-i386", ["--version"]).status === 0;
const pairs = [];
for (let i = 0; i < runs; i++) {
  const a = await runOne("ringzero");
  const b = await runOne("v86");
  const pair = { ringzero: a, v86: b };
  if (baseline) pair.baseline = await runOne("baseline");
  if (haveQemu) pair.qemu = await runOne("qemu");
  pairs.push(pair);
  console.error(`run ${i + 1}/${runs}: boot ${a.bootSeconds.toFixed(1)}s vs v86 ${b.bootSeconds.toFixed(1)}s; workload ${a.workloadGuestSeconds.toFixed(2)}s vs ${b.workloadGuestSeconds.toFixed(2)}s`);
}

const col = (emu, key) => pairs.map((p) => p[emu]?.[key]).filter((x) => x !== undefined);
const ratio = (key) => pairs.map((p) => p.ringzero[key] / p.v86[key]);
const summary = {
  date: new Date().toISOString(),
  runs,
  memoryMB: MEM,
  cmdline: manifest.cmdline,
  kernel: manifest.kernelVersion,
  workload: WORKLOAD,
  median: {
    ringzero: { bootSeconds: median(col("ringzero", "bootSeconds")), workloadGuestSeconds: median(col("ringzero", "workloadGuestSeconds")) },
    v86: { bootSeconds: median(col("v86", "bootSeconds")), workloadGuestSeconds: median(col("v86", "workloadGuestSeconds")) },
    ...(haveQemu ? { qemu: { bootSeconds: median(col("qemu", "bootSeconds")), workloadGuestSeconds: median(col("qemu", "workloadGuestSeconds")) } } : {}),
    ...(baseline ? { baseline: { bootSeconds: median(col("baseline", "bootSeconds")), workloadGuestSeconds: median(col("baseline", "workloadGuestSeconds")) } } : {}),
  },
  ...(baseline ? {
    baseline,
    ratioRingzeroOverBaseline: {
      boot: median(pairs.map((p) => p.ringzero.bootSeconds / p.baseline.bootSeconds)),
      workload: median(pairs.map((p) => p.ringzero.workloadGuestSeconds / p.baseline.workloadGuestSeconds)),
      // per workload step, in-guest seconds
      steps: WORKLOAD.map((_, k) => median(pairs.map((p) => p.ringzero.workloads[k].guestSeconds / p.baseline.workloads[k].guestSeconds))),
    },
  } : {}),
  ratioRingzeroOverV86: { boot: median(ratio("bootSeconds")), workload: median(ratio("workloadGuestSeconds")) },
  ringzeroWorkloadMIPS: median(pairs.map((p) => p.ringzero.workloadInstructions !== undefined
    ? p.ringzero.workloadInstructions / p.ringzero.workloadWallSeconds / 1e6 : NaN)),
  ringzeroCompileSeconds: {
    boot: median(pairs.map((p) => p.ringzero.compileSeconds?.boot ?? NaN)),
    workload: median(pairs.map((p) => p.ringzero.compileSeconds?.workload ?? NaN)),
  },
  ringzeroWorkerSeconds: {
    boot: median(pairs.map((p) => p.ringzero.workerSeconds?.boot ?? NaN)),
    workload: median(pairs.map((p) => p.ringzero.workerSeconds?.workload ?? NaN)),
  },
  pairs,
};
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify(summary, null, 2));

const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
console.log(`\nRingZero vs v86 (JIT), ${runs} alternating run(s), medians; ratio = RingZero / v86 per pair, median`);
console.log(`| measure | RingZero | v86 | ratio |${haveQemu ? " qemu TCG |" : ""}`);
console.log(`| --- | --- | --- | --- |${haveQemu ? " --- |" : ""}`);
console.log(`| boot to shell (s) | ${f(summary.median.ringzero.bootSeconds)} | ${f(summary.median.v86.bootSeconds)} | ${f(summary.ratioRingzeroOverV86.boot)} |${haveQemu ? ` ${f(summary.median.qemu.bootSeconds)} |` : ""}`);
console.log(`| in-guest workload (s) | ${f(summary.median.ringzero.workloadGuestSeconds)} | ${f(summary.median.v86.workloadGuestSeconds)} | ${f(summary.ratioRingzeroOverV86.workload)} |${haveQemu ? ` ${f(summary.median.qemu.workloadGuestSeconds)} |` : ""}`);
console.log(`| RingZero MIPS on the workload | ${f(summary.ringzeroWorkloadMIPS)} | | | |`);
const share = (part, whole) => (Number.isFinite(part / whole) ? ` (${((part / whole) * 100).toFixed(0)}%)` : "");
console.log(`| RingZero translating and compiling, main thread: boot (s) | ${f(summary.ringzeroCompileSeconds.boot)}${share(summary.ringzeroCompileSeconds.boot, summary.median.ringzero.bootSeconds)} | | | |`);
console.log(`| RingZero translating and compiling, main thread: workload (s) | ${f(summary.ringzeroCompileSeconds.workload)} | | | |`);
if (Number.isFinite(summary.ringzeroWorkerSeconds.boot)) {
  console.log(`| RingZero translating and compiling, compile worker: boot, workload (s) | ${f(summary.ringzeroWorkerSeconds.boot)}, ${f(summary.ringzeroWorkerSeconds.workload)} | | | |`);
}
if (baseline) {
  const r = summary.ratioRingzeroOverBaseline;
  console.log(`\nagainst the baseline ${baseline} (ratio = this / baseline per round, median): boot ${f(r.boot)}, workload ${f(r.workload)}; steps ${r.steps.map(f).join(", ")}`);
}
console.log(`\nwritten: ${outFile}`);

if (!flag("--no-simd")) {
  for (const rom of ["simd", "real16"]) {
    const r = spawnSync("node", [join(ROOT, "tools/bench/simd.mjs"), "--rom", rom, "--runs", String(runs), ...(flag("--no-qemu") ? ["--no-qemu"] : [])], { stdio: "inherit" });
    if (r.status !== 0) process.exitCode = 1;
  }
}
