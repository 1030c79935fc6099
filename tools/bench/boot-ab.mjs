#!/usr/bin/env node
// Boot-to-shell time of the default guest under two RingZero checkouts, run
// alternately (A, B, A, B, ...) so that a shared machine's load falls on both
// alike; medians and their ratio. For measuring what one change to the
// machine costs: build the variant in a second worktree (`git worktree add`,
// edit, `npm run build:wasm && npm run build:cli`) and compare.
//   node tools/bench/boot-ab.mjs --b /path/to/other/checkout [--a .] [--runs 5]
// Both use this checkout's public/images (the guest the manifest names).
// docs/PERFORMANCE.md, "The event timeline", uses it with recordEvent emptied.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const IMG = join(ROOT, "public/images");
const argv = process.argv.slice(2);
const value = (n, d) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : d);
const a = resolve(value("--a", ROOT)), b = value("--b", undefined);
const runs = Number(value("--runs", 5));
if (!b || !Number.isInteger(runs) || runs < 1) {
  console.error("usage: node tools/bench/boot-ab.mjs --b OTHER_CHECKOUT [--a CHECKOUT] [--runs N]");
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(IMG, "manifest.json"), "utf8"));
const args = ["-m", "128", "-nographic", "-no-reboot", "-kernel", join(IMG, "bzImage"), "-initrd", join(IMG, "initrd.img"), "-append", manifest.cmdline];

/** Seconds from process start to the shell prompt after the ready marker. */
function bootOnce(checkout) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const p = spawn("node", [join(checkout, "bin/ringzero.mjs"), ...args], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    const timer = setTimeout(() => { p.kill("SIGKILL"); rej(new Error(`${checkout}: no shell within 10 minutes`)); }, 600_000);
    p.stdout.on("data", (d) => {
      out += d.toString("latin1");
      const i = out.indexOf(manifest.readyMarker);
      if (i >= 0 && out.indexOf(manifest.prompt, i) >= 0) {
        clearTimeout(timer);
        p.kill("SIGKILL");
        res((performance.now() - t0) / 1000);
      }
    });
    p.on("exit", (code) => { if (code !== null && code !== 0) { clearTimeout(timer); rej(new Error(`${checkout}: ringzero exited with ${code}`)); } });
  });
}

const median = (xs) => { const s = [...xs].sort((x, y) => x - y); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const ta = [], tb = [];
for (let i = 0; i < runs; i++) {
  ta.push(await bootOnce(a));
  tb.push(await bootOnce(b));
  console.error(`run ${i + 1}: A ${ta[i].toFixed(2)} s, B ${tb[i].toFixed(2)} s`);
}
const ma = median(ta), mb = median(tb);
console.log(`A ${a}: median ${ma.toFixed(2)} s (${ta.map((t) => t.toFixed(2)).join(", ")})`);
console.log(`B ${b}: median ${mb.toFixed(2)} s (${tb.map((t) => t.toFixed(2)).join(", ")})`);
console.log(`A/B ${(ma / mb).toFixed(3)}: A takes ${((ma / mb - 1) * 100).toFixed(1)}% more than B`);
