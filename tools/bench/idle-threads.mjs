// Benchmark (not a test): where the page's idle CPU goes, per Chromium process
// and thread, beside the floor Chromium costs without us.
//   node tools/bench/idle-threads.mjs [--what guest|blank|page] [--runs N] [--seconds S] [--settle S]
// guest: the built page (dist/, `npx vite build`) with the default guest at its
// prompt, as tools/bench/idle.mjs measures it; page: the same page with its
// images refused (no machine runs: what the page itself costs); blank:
// about:blank (Chromium's own floor with the same flags). Each run starts its own
// `vite preview` and Chromium, waits (for the prompt, then --settle s, 60 unless
// told), then reads every thread's CPU time (/proc/<pid>/task/<tid>/schedstat, ns
// on the CPU) and context switches (voluntary ones are wake-ups) over S seconds
// (15 unless told). Prints per run and the median per process type and thread name.
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, chromiumPids, waitForPrompt } from "./chromium.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const WHAT = opt("--what", "guest"), RUNS = Number(opt("--runs", 3));
const SECONDS = Number(opt("--seconds", 15)), SETTLE = Number(opt("--settle", 60));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const read = (f) => { try { return readFileSync(f, "utf8"); } catch { return undefined; } };

/** Process type from Chromium's --type= (the browser has none). */
function kindOf(pid) {
  // Zygote-forked processes rewrite their command line as one space-separated string.
  const cmd = (read(`/proc/${pid}/cmdline`) ?? "").split(/[\0 ]/);
  const t = cmd.find((a) => a.startsWith("--type="))?.slice(7) ?? "browser";
  const sub = cmd.find((a) => a.startsWith("--utility-sub-type="))?.slice(19).split(".").pop();
  return sub ? `${t}:${sub}` : t;
}

/** Every thread: key "kind/name" -> { ns, wakeups } (summed over threads of the same name). */
function sample(pids) {
  const out = new Map();
  let ticks = 0;
  for (const pid of pids) {
    const kind = kindOf(pid);
    const st = read(`/proc/${pid}/stat`);
    if (st) { const f = st.split(") ")[1].split(" "); ticks += Number(f[11]) + Number(f[12]); }
    let tids = [];
    try { tids = readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const tid of tids) {
      const name = (read(`/proc/${pid}/task/${tid}/comm`) ?? "?").trim().replace(/\d+$/, "#");
      const sched = read(`/proc/${pid}/task/${tid}/schedstat`);
      const status = read(`/proc/${pid}/task/${tid}/status`) ?? "";
      if (!sched) continue;
      const key = `${kind}/${name}`;
      const e = out.get(key) ?? { ns: 0, wakeups: 0, ids: new Set() };
      e.ns += Number(sched.split(" ")[0]);
      e.wakeups += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
      e.ids.add(`${pid}/${tid}`);
      out.set(key, e);
    }
  }
  return { threads: out, ticks };
}

async function once() {
  const server = WHAT === "blank" ? undefined
    : spawn("npx", ["vite", "preview", "--port", "4319", "--strictPort"], { cwd: ROOT, stdio: "ignore", detached: true });
  if (server) await sleep(3000);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    if (WHAT === "page") await page.route("**/images/**", (r) => r.abort());
    await page.goto(WHAT === "blank" ? "about:blank" : "http://127.0.0.1:4319/");
    if (WHAT === "guest") await waitForPrompt(page);
    await sleep(SETTLE * 1000);
    const pids = chromiumPids();
    const a = sample(pids), w0 = Date.now();
    await sleep(SECONDS * 1000);
    const b = sample(pids), secs = (Date.now() - w0) / 1000;
    const rows = new Map();
    for (const [key, e] of b.threads) {
      // Only the threads alive at both ends (a thread born in the window counts from birth).
      const s = a.threads.get(key) ?? { ns: 0, wakeups: 0 };
      rows.set(key, { pct: (100 * (e.ns - s.ns)) / 1e9 / secs, wakeups: (e.wakeups - s.wakeups) / secs });
    }
    const total = (b.ticks - a.ticks) / secs; // USER_HZ 100: ticks/s = % of a core
    return { rows, total };
  } finally {
    await browser.close();
    if (server) process.kill(-server.pid, "SIGTERM");
  }
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const runs = [];
for (let i = 0; i < RUNS; i++) {
  const r = await once();
  runs.push(r);
  const sum = [...r.rows.values()].reduce((s, x) => s + x.pct, 0);
  console.log(`run ${i + 1} (${WHAT}): all Chromium processes ${r.total.toFixed(1)}% (/proc stat), threads ${sum.toFixed(2)}% (schedstat)`);
}
const keys = [...new Set(runs.flatMap((r) => [...r.rows.keys()]))];
const table = keys.map((k) => ({
  k,
  pct: median(runs.map((r) => r.rows.get(k)?.pct ?? 0)),
  wakeups: median(runs.map((r) => r.rows.get(k)?.wakeups ?? 0)),
})).filter((r) => r.pct >= 0.05 || r.wakeups >= 1).sort((x, y) => y.pct - x.pct);
console.log(`${WHAT}: median of ${RUNS} over ${SECONDS} s from ${SETTLE} s after ${WHAT === "guest" ? "the prompt" : "load"}: all ${median(runs.map((r) => r.total)).toFixed(1)}% of a core`);
for (const r of table) console.log(`  ${r.pct.toFixed(2).padStart(6)}%  ${r.wakeups.toFixed(0).padStart(5)} wake-ups/s  ${r.k}`);
