#!/usr/bin/env node
// Page-load-to-shell time in Chromium (Debian's, via playwright-core), median of N:
//   node tools/bench/page-boot.mjs [--runs 5]
// Builds the static site, serves it with `vite preview` (COOP/COEP headers), and
// loads the page N times in a fresh tab, timing from navigation to the shell
// prompt in the xterm console: the default page (instant boot from the
// snapshot) and ?boot=fresh. A measurement, not a test.

import { execFileSync, spawn } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const runs = Number(argv.includes("--runs") ? argv[argv.indexOf("--runs") + 1] : 5);
const PORT = 4318;
const BASE = `http://127.0.0.1:${PORT}/`;

execFileSync("node", ["tools/guest/ensure.mjs"], { cwd: ROOT, stdio: "inherit" });
execFileSync("npx", ["vite", "build", "--logLevel", "warn"], { cwd: ROOT, stdio: "inherit" });
const server = spawn("npx", ["vite", "preview", "--port", String(PORT), "--strictPort"], { cwd: ROOT, stdio: "ignore", detached: true });
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(BASE)).ok) break; } catch { /* not up yet */ }
    if (i === 100) throw new Error("vite preview did not start");
    await new Promise((r) => setTimeout(r, 200));
  }
  const browser = await launchChromium();
  // The default page starts from the default guest's snapshot (instant boot);
  // ?boot=fresh boots it from power-on.
  const results = [];
  for (const [what, url] of [["instant boot (snapshot)", BASE], ["fresh boot", `${BASE}?boot=fresh`]]) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const page = await browser.newPage();
      const t0 = performance.now();
      await page.goto(url);
      await page.waitForFunction(() => /ringzero# $/m.test(globalThis.ringzero?.screenText?.() ?? ""), null, { timeout: 600_000, polling: 50 });
      times.push((performance.now() - t0) / 1000);
      console.error(`${what}, run ${i + 1}: ${times[i].toFixed(2)} s`);
      await page.close();
    }
    const s = [...times].sort((a, b) => a - b);
    const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    results.push(`${what}: median ${median.toFixed(2)} s over ${runs} runs (${times.map((t) => t.toFixed(2)).join(", ")})`);
  }
  await browser.close();
  for (const r of results) console.log(`page load to shell in Chromium, ${r}`);
} finally {
  if (server.pid) process.kill(-server.pid, "SIGTERM");
}
