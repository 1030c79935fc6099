#!/usr/bin/env node
// node tools/bench/vmexit.mjs [--runs N] [--exits N] [--loop N]
//
// The cost of one VM exit round trip (issue 15): tests/guest/vmx.asm built with
// -DBENCH=N makes N CPUID exits after its first one, each followed by the
// host's VMRESUME (docs/VMX.md "Cost"). The ROM runs on `ringzero -bios` with
// -cpu pentium2,+vmx, once with N = 1 and once with N = --exits (2000000 unless
// told), alternating, --runs times each (default 3); the difference of the
// medians over N - 1 is the host time of one exit, the exit's VMCS traffic and
// the entry back. Then the speed of guest code in non-root operation against
// the same code in root operation: a 5-instruction loop of --loop passes
// (100000000 unless told) in vmx.asm's guest (-DLOOP) and before its VMXON
// (-DHOSTLOOP), each timed against the N = 1 run. Only RingZero: v86 and
// QEMU's TCG have no VMX. A benchmark, not a test.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const fail = (msg) => { console.error(`vmexit.mjs: ${msg}`); process.exit(2); };
const opt = (name, d) => {
  const i = argv.indexOf(name);
  if (i < 0) return d;
  const v = argv[i + 1];
  if (!/^[1-9]\d*$/.test(v ?? "")) fail(`${name} needs a positive integer, not ${v}`);
  return Number(v);
};
for (let i = 0; i < argv.length; i += 2) if (!["--runs", "--exits", "--loop"].includes(argv[i])) fail(`unknown option ${argv[i]}`);
const runs = opt("--runs", 3);
const exits = opt("--exits", 2000000);
const loop = opt("--loop", 100000000);
if (exits < 2) fail("--exits needs at least 2");

const dir = mkdtempSync(join(tmpdir(), "rz-vmexit-"));
const build = (name, defs) => {
  const out = join(dir, `vmx-${name}.bin`);
  try {
    execFileSync("nasm", ["-f", "bin", ...defs.map((d) => `-D${d}`), "-I", join(ROOT, "tests/guest/"), "-o", out, join(ROOT, "tests/guest/vmx.asm")]);
  } catch { fail("nasm failed (apt-get install nasm)"); }
  return out;
};
const roms = { 1: build("1", ["BENCH=1"]), [exits]: build("n", [`BENCH=${exits}`]),
  guest: build("guest", ["BENCH=1", `LOOP=${loop}`]), host: build("host", ["BENCH=1", `HOSTLOOP=${loop}`]) };

/** Seconds from spawn to exit of one run; the guest prints "bench done" on its debug console. */
function once(n) {
  const con = join(dir, `out-${n}.txt`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync("node", [join(ROOT, "bin/ringzero.mjs"), "-bios", roms[n], "-cpu", "pentium2,+vmx", "-display", "none",
    "-debugcon", `file:${con}`, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-icount", "shift=0"], { stdio: ["ignore", "ignore", "inherit"] });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!readFileSync(con, "latin1").includes("bench done")) fail(`the ${n} run did not finish (exit status ${r.status})`);
  return s;
}

const times = { 1: [], [exits]: [], guest: [], host: [] };
for (let i = 0; i < runs; i++) {
  for (const n of [1, exits, "guest", "host"]) times[n].push(once(n));
  console.log(`run ${i + 1}/${runs}: 1 exit ${times[1][i].toFixed(2)} s, ${exits} exits ${times[exits][i].toFixed(2)} s, `
    + `loop in non-root ${times.guest[i].toFixed(2)} s, in root ${times.host[i].toFixed(2)} s`);
}
rmSync(dir, { recursive: true, force: true });
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const base = median(times[1]);
const per = (median(times[exits]) - base) / (exits - 1);
console.log(`median: ${base.toFixed(2)} s and ${median(times[exits]).toFixed(2)} s: ${(per * 1e6).toFixed(2)} us per VM exit round trip (CPUID exit + VMRESUME), ${runs} run(s) each`);
const g = median(times.guest) - base, h = median(times.host) - base;
console.log(`loop of ${loop} x 5 instructions: ${g.toFixed(2)} s in non-root operation, ${h.toFixed(2)} s in root operation `
  + `(${(5 * loop / g / 1e6).toFixed(0)} and ${(5 * loop / h / 1e6).toFixed(0)} MIPS; non-root/root time ${(g / h).toFixed(2)})`);
