#!/usr/bin/env node
// Where the boot's time goes, against v86: the host's wall clock at each
// milestone of the default guest's boot (the kernel's first line, its delay
// loop calibration, the ISA PnP scan, /init, the IDE driver, the shell),
// RingZero and v86 alternating, medians of N runs each, and the time of each
// phase (from the milestone before) side by side. A phase that takes longer
// in RingZero is where its boot loses; one that takes the same time is bound
// by the guest's own clock (delays, timer waits), not by the CPU.
//   node tools/bench/boot-phases.mjs [--runs 3]
// The same emulator command lines as `npm run bench` (tools/bench/linux-guest.mjs).
// A measurement, not a test.

import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, linuxGuest } from "./linux-guest.mjs";

const argv = process.argv.slice(2);
const runs = Number(argv.includes("--runs") ? argv[argv.indexOf("--runs") + 1] : 3);

spawnSync("node", [join(ROOT, "tools/guest/ensure.mjs")], { stdio: "inherit" });
const guest = linuxGuest();
const PROMPT = guest.prompt;
const EMULATORS = { ringzero: guest.commands.ringzero(), v86: guest.commands.v86() };
/** Milestones in the order the boot reaches them: a name and the serial text. */
const MILESTONES = [
  ["kernel's first line", /Linux version/],
  ["Calibrating delay loop", /Calibrating delay loop/],
  ["isapnp scan", /isapnp: Scanning/],
  ["Run /init", /Run \/init/],
  ["IDE driver", /scsi host0: ata_piix/],
  ["shell prompt", new RegExp(guest.ready + "[\\s\\S]*" + PROMPT.replace(/[#$ ]/g, (c) => "\\" + c))],
];

/** One boot: seconds from process start to each milestone. */
function bootOnce(name) {
  const [cmd, args] = EMULATORS[name];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { stdio: ["pipe", "pipe", "inherit"] });
    const at = [];
    let out = "";
    const timer = setTimeout(() => { p.kill("SIGKILL"); reject(new Error(`${name}: no shell within 10 minutes`)); }, 600_000);
    p.stdout.on("data", (d) => {
      out += d.toString("latin1");
      while (at.length < MILESTONES.length && MILESTONES[at.length][1].test(out)) at.push((performance.now() - t0) / 1000);
      if (at.length === MILESTONES.length) { clearTimeout(timer); p.kill("SIGKILL"); resolve(at); }
    });
    p.on("exit", () => { if (at.length < MILESTONES.length) { clearTimeout(timer); reject(new Error(`${name} exited after "${MILESTONES[at.length - 1]?.[0] ?? "nothing"}"`)); } });
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const times = { ringzero: [], v86: [] };
for (let r = 0; r < runs; r++) {
  for (const name of Object.keys(times)) times[name].push(await bootOnce(name));
  console.error(`run ${r + 1}/${runs}: shell at ${times.ringzero[r].at(-1).toFixed(2)} s vs v86 ${times.v86[r].at(-1).toFixed(2)} s`);
}
const med = Object.fromEntries(Object.entries(times).map(([n, ts]) => [n, MILESTONES.map((_, k) => median(ts.map((t) => t[k])))]));
console.log(`\nBoot milestones, wall seconds from process start (medians of ${runs}), and each phase's time:`);
console.log("| milestone | RingZero | v86 | phase: RingZero | phase: v86 | difference |");
console.log("| --- | --- | --- | --- | --- | --- |");
MILESTONES.forEach(([label], k) => {
  const [a, b] = [med.ringzero[k], med.v86[k]];
  const [pa, pb] = [a - (k ? med.ringzero[k - 1] : 0), b - (k ? med.v86[k - 1] : 0)];
  console.log(`| ${label} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${pa.toFixed(2)} | ${pb.toFixed(2)} | ${(pa - pb >= 0 ? "+" : "") + (pa - pb).toFixed(2)} |`);
});
