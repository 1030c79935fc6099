// What runs in Chromium while the page's guest idles at its prompt: a browser-wide
// trace (CDP Tracing, every process) over S seconds after the prompt settles,
// summed per thread and top-level event (time on the thread and how often).
//   node tools/dev/idle-trace.mjs [--settle S] [--seconds S] [--what guest|page] [--out trace.json]
// Needs dist/ (`npx vite build`); serves it as tools/bench/idle.mjs does.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { launchChromium } from "../bench/chromium.mjs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const SETTLE = Number(opt("--settle", 60)), SECONDS = Number(opt("--seconds", 15)), WHAT = opt("--what", "guest"), OUT = opt("--out", "");
const CATEGORIES = ["toplevel", "v8", "v8.wasm", "disabled-by-default-v8.gc", "devtools.timeline", "blink", "cc", "viz", "gpu", "ipc", "mojom", "renderer.scheduler", "sequence_manager"];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const server = spawn("npx", ["vite", "preview", "--port", "4319", "--strictPort"], { cwd: ROOT, stdio: "ignore", detached: true });
await sleep(3000);
const browser = await launchChromium();
let events = [];
try {
  const page = await browser.newPage();
  if (WHAT === "page") await page.route("**/images/**", (r) => r.abort());
  await page.goto("http://127.0.0.1:4319/");
  if (WHAT === "guest") {
    while (!/ringzero# $/m.test(await page.evaluate(() => globalThis.ringzero.screenText()))) await sleep(250);
  }
  await sleep(SETTLE * 1000);
  const cdp = await browser.newBrowserCDPSession();
  const done = new Promise((r) => cdp.on("Tracing.tracingComplete", r));
  cdp.on("Tracing.dataCollected", (e) => { events.push(...e.value); });
  await cdp.send("Tracing.start", { traceConfig: { includedCategories: CATEGORIES, recordMode: "recordContinuously" }, transferMode: "ReportEvents" });
  await sleep(SECONDS * 1000);
  await cdp.send("Tracing.end");
  await done;
} finally {
  await browser.close();
  process.kill(-server.pid, "SIGTERM");
}
if (OUT) writeFileSync(OUT, JSON.stringify({ traceEvents: events }));

// Thread names (metadata), then complete events ('X', or B/E pairs) per thread,
// keeping only the outermost (an event inside another on the same thread is its cost).
const names = new Map(), procs = new Map();
for (const e of events) {
  if (e.ph === "M" && e.name === "thread_name") names.set(`${e.pid}/${e.tid}`, e.args.name);
  if (e.ph === "M" && e.name === "process_name") procs.set(e.pid, e.args.name);
}
const perThread = new Map();
const open = new Map();
for (const e of events) {
  const t = `${e.pid}/${e.tid}`;
  if (e.ph === "X") (perThread.get(t) ?? perThread.set(t, []).get(t)).push({ name: e.name, ts: e.ts, end: e.ts + (e.dur ?? 0) });
  else if (e.ph === "B") (open.get(t) ?? open.set(t, []).get(t)).push(e);
  else if (e.ph === "E") {
    const b = open.get(t)?.pop();
    if (b) (perThread.get(t) ?? perThread.set(t, []).get(t)).push({ name: b.name, ts: b.ts, end: e.ts });
  }
}
const rows = new Map();
for (const [t, list] of perThread) {
  list.sort((a, b) => a.ts - b.ts || b.end - a.end);
  let until = -Infinity;
  for (const ev of list) {
    if (ev.ts < until) continue; // nested
    until = ev.end;
    const key = `${procs.get(Number(t.split("/")[0])) ?? "?"}/${names.get(t) ?? t}  ${ev.name}`;
    const r = rows.get(key) ?? { us: 0, n: 0 };
    r.us += ev.end - ev.ts;
    r.n++;
    rows.set(key, r);
  }
}
console.log(`${WHAT}: top-level trace events over ${SECONDS} s (ms/s of the thread, count/s)`);
for (const [k, r] of [...rows].sort((a, b) => b[1].us - a[1].us).slice(0, 40)) {
  console.log(`  ${(r.us / 1000 / SECONDS).toFixed(2).padStart(7)} ms/s  ${(r.n / SECONDS).toFixed(1).padStart(6)}/s  ${k}`);
}
