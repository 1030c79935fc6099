#!/usr/bin/env node
// Boot-to-shell time of RingZero's two boot paths, median of N runs:
//   node tools/bench/boot-times.mjs [--runs 5] [--path direct|cd|both]
// direct: -kernel/-initrd (the default guest); cd: SeaBIOS from the guest's ISO.
// Wall seconds from process start to the shell prompt after the ready marker.
// A measurement, not a test; `npm run bench` compares the direct path with v86.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const IMG = join(ROOT, "public/images");
const argv = process.argv.slice(2);
const value = (n, d) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : d);
const runs = Number(value("--runs", 5));
const which = value("--path", "both");
const manifest = JSON.parse(readFileSync(join(IMG, "manifest.json"), "utf8"));
const PATHS = {
  direct: ["-m", "128", "-nographic", "-no-reboot"],
  cd: ["-m", "128", "-nographic", "-no-reboot", "-cdrom", join(IMG, "cdrom.iso"), "-boot", "d"],
};

function bootOnce(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn("node", [join(ROOT, "bin/ringzero.mjs"), ...args], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    const timer = setTimeout(() => { p.kill("SIGKILL"); reject(new Error("no shell within 10 minutes")); }, 600_000);
    p.stdout.on("data", (d) => {
      out += d.toString("latin1");
      const i = out.indexOf(manifest.readyMarker);
      if (i >= 0 && out.indexOf(manifest.prompt, i) >= 0) {
        clearTimeout(timer);
        const s = (performance.now() - t0) / 1000;
        p.kill("SIGKILL");
        resolve(s);
      }
    });
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
for (const name of which === "both" ? ["direct", "cd"] : [which]) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    times.push(await bootOnce(PATHS[name]));
    console.error(`${name} run ${i + 1}: ${times[i].toFixed(1)} s`);
  }
  console.log(`${name}: median ${median(times).toFixed(1)} s over ${runs} runs (${times.map((t) => t.toFixed(1)).join(", ")})`);
}
