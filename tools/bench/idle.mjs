// Benchmark (not a test): CPU used by an idle guest at its shell prompt, RingZero's
// CLI beside qemu-system-i386 with the same guest, and the page in Chromium.
//   node tools/bench/idle.mjs [--runs N] [--seconds S] [--settle S] [--no-page]
// Each run boots the guest, waits for its prompt, lets it settle (5 s unless
// --settle says; the tick's code is translated after about 30 s of idle), then
// reads the process's CPU time (utime + stime from /proc, children included:
// for the page, every Chromium process this script started) over S seconds. Prints medians.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, chromiumPids, waitForPrompt } from "./chromium.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const IMAGES = join(ROOT, "public/images");
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? Number(argv[i + 1]) : def; };
const RUNS = opt("--runs", 3), SECONDS = opt("--seconds", 10), SETTLE = opt("--settle", 5);
const manifest = JSON.parse(readFileSync(join(IMAGES, "manifest.json"), "utf8"));
const HZ = 100; // USER_HZ: /proc/<pid>/stat times are in 1/100 s
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds used so far by the given processes. */
function cpuSeconds(pids) {
  let t = 0;
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      t += (Number(f[11]) + Number(f[12])) / HZ; // utime, stime (fields 14, 15)
    } catch { /* exited */ }
  }
  return t;
}

async function idleOf(name, cmd, args) {
  const p = spawn(cmd, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  p.stdout.on("data", (d) => { out += d.toString("latin1"); });
  const end = Date.now() + 300_000;
  while (!out.includes(manifest.prompt)) {
    if (Date.now() > end || p.exitCode !== null) { p.kill("SIGKILL"); throw new Error(`${name}: no prompt`); }
    await sleep(100);
  }
  await sleep(SETTLE * 1000);
  const c0 = cpuSeconds([p.pid]), w0 = Date.now();
  await sleep(SECONDS * 1000);
  const pct = (100 * (cpuSeconds([p.pid]) - c0)) / ((Date.now() - w0) / 1000);
  p.kill("SIGKILL");
  return pct;
}

async function pageIdle() {
  const server = spawn("npx", ["vite", "preview", "--port", "4319", "--strictPort"], { cwd: ROOT, stdio: "ignore", detached: true });
  await sleep(3000);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto("http://127.0.0.1:4319/");
    await waitForPrompt(page);
    await sleep(SETTLE * 1000);
    const pids = chromiumPids();
    const c0 = cpuSeconds(pids), w0 = Date.now();
    await sleep(SECONDS * 1000);
    return (100 * (cpuSeconds(pids) - c0)) / ((Date.now() - w0) / 1000);
  } finally {
    await browser.close();
    process.kill(-server.pid, "SIGTERM");
  }
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const res = { ringzero: [], qemu: [], page: [] };
for (let i = 0; i < RUNS; i++) {
  res.ringzero.push(await idleOf("ringzero", process.execPath, [join(ROOT, "bin/ringzero.mjs"), "-m", "128", "-nographic"]));
  res.qemu.push(await idleOf("qemu", "qemu-system-i386", ["-m", "128", "-nographic", "-kernel", join(IMAGES, "bzImage"), "-initrd", join(IMAGES, "initrd.img"), "-append", manifest.cmdline]));
  if (!argv.includes("--no-page")) res.page.push(await pageIdle());
  console.log(`run ${i + 1}: ringzero ${res.ringzero[i].toFixed(1)}%, qemu ${res.qemu[i].toFixed(1)}%${res.page.length ? `, page (all Chromium processes) ${res.page[i].toFixed(1)}%` : ""}`);
}
console.log(`idle CPU at the prompt, median of ${RUNS} (% of one core over ${SECONDS} s, from ${SETTLE} s after the prompt): ringzero ${median(res.ringzero).toFixed(1)}, qemu-system-i386 ${median(res.qemu).toFixed(1)}${res.page.length ? `, page ${median(res.page).toFixed(1)}` : ""}`);
