// Developer aid: boot the default guest in-process in real time (as the CLI does,
// 2 M-instruction slices), then run the bench's in-guest workload
// (tools/bench/workload.mjs) step by step and report, for each step, the guest's
// own `time`, the instructions, how many ran translated, block entries from the
// run loop (asm/cpu/exec.ts runCpu -> jit.ts jitRun) and what was compiled.
//   npx tsx tools/dev/workload-profile.mts [--wasm FILE] [--cpu-prof DIR [--block-names]] [--exits] [--hot N] [--top N] [--interpret]
// --steps 2,3: only those steps.
// --hot N: translate a block start after N executions (asm/cpu/jit.ts HOT).
// --icount: guest time from the instruction count (Machine.setRealtime(false)),
//   not the host's clock: every run executes the same instructions, so that two
//   builds compare on equal work (the guest's `time` is then instructions / 1 GHz).
// --cpu-prof DIR: a V8 CPU profile of each step (DIR/step-N.cpuprofile, for
//   Chrome's DevTools) and its functions by self time; use a machine built with
//   its function names (`npx asc asm/index.ts --target release --debug -o FILE`,
//   then --wasm FILE). Translated blocks are grouped as one line, or with
//   --block-names each on its own, named block_<host address>
//   (Translator.nameBlocks).
// --interpret: boot translated, then run the workload with translation off
//   (every instruction interpreted): the "interpreter alone" the steps compare with.
// --compile-thread: translate and compile in a worker thread (the CLI's
//   RINGZERO_COMPILE=thread); the compiling reported is the main thread's part.
// --memory: after the workload, the installed translations (their function
//   bytes) and the process's resident memory, then the same after dropping
//   them all and a full garbage collection (what translations hold on to).
// --exits: count, per translated block, how often it returned to the run loop,
//   what ended it and where those exits went (web/jit/translator.ts
//   Translator.countExits: a block's exits may leave from any of its
//   instructions, not only the last), chained entries and run-time look-ups.
//   This slows every exit; do not time it.
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Session } from "node:inspector/promises";
import { Machine, RING, STOP } from "../../web/host/machine";
import { bootKernel } from "../../web/host/kernel";
import { WORKLOAD } from "../bench/workload.mjs";
import { SLOT_KEY, SLOT_FN, SLOT_COUNT, SLOT_SIZE, SET_WAYS } from "../../web/jit/constants";
import { cacheSet } from "../../web/jit/emitter";
import { startCompileThread } from "../../web/cli/compilethread";

const IMG = new URL("../../public/images/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", IMG), "utf8"));
const argv = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const WASM = opt("--wasm", new URL("../../build/ringzero.wasm", import.meta.url).pathname);
const PROF = opt("--cpu-prof", "");
const TOP = Number(opt("--top", "25"));
const SLICE = 2_000_000;

const wasm = readFileSync(WASM);
const HOT = opt("--hot", "");
const m = await Machine.create({ wasm, ramBytes: 128 << 20, ...(HOT ? { translateAfter: Number(HOT) } : {}),
  ...(argv.includes("--compile-thread") ? { compileChannel: await startCompileThread() } : {}) });
const exits = argv.includes("--exits") ? m.translator.countExits() : null;
const BLOCK_NAMES = argv.includes("--block-names");
if (BLOCK_NAMES) m.translator.nameBlocks();
bootKernel(m, { kernel: readFileSync(new URL("bzImage", IMG)), kernelName: "bzImage", cmdline: manifest.cmdline, initrd: readFileSync(new URL("initrd.img", IMG)) });
if (!argv.includes("--icount")) m.setRealtime(true);
/** CPU seconds of this thread alone (Linux: /proc), without V8's compiler and GC
 *  threads, which process.cpuUsage() adds in; NaN elsewhere. */
function mainThreadCpu(): number {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime (fields 14, 15) in USER_HZ ticks
  } catch { return NaN; }
}
const dec = new TextDecoder("latin1");

async function runUntil(until: RegExp): Promise<string> {
  let out = "";
  for (;;) {
    const r = m.run(SLICE);
    out += dec.decode(m.drain(RING.COM1_TX));
    if (until.test(out)) return out;
    if (r === STOP.RESET) throw new Error("the guest reset");
    if (r === STOP.HALT) { const ns = m.timeUntilDeadline(); await new Promise((res) => setTimeout(res, ns < 0 ? 1 : Math.min(10, Math.floor(ns / 1e6)))); }
  }
}
const PROMPT = new RegExp(manifest.prompt.replace(/[#$]/g, "\\$&"));
const t0 = performance.now(), bootCpu0 = process.cpuUsage(), bootMain0 = mainThreadCpu();
await runUntil(new RegExp(manifest.readyMarker + "[\\s\\S]*" + PROMPT.source));
const bootCpu = process.cpuUsage(bootCpu0);
console.log(`boot to the prompt: ${((performance.now() - t0) / 1000).toFixed(1)} s (CPU ${((bootCpu.user + bootCpu.system) / 1e6).toFixed(1)} s, main thread ${(mainThreadCpu() - bootMain0).toFixed(1)} s), ` +
  `${(Number(m.instructions) / 1e9).toFixed(2)} G instructions, ${(100 * Number(m.translatedInstructions) / Number(m.instructions)).toFixed(1)}% translated, ` +
  `${(Number(m.translatedBlockCalls) / 1e6).toFixed(2)} M block entries from the run loop, ` +
  `blocks compiled ${m.translator.stats.blocks} in ${m.translator.stats.modules} modules (${m.translator.stats.compileMs.toFixed(0)} ms), declined ${m.translator.stats.declined}` + (m.translator.firstFailure ? `, FAILED ${m.translator.stats.failed} (${m.translator.firstFailure})` : ""));

const counters = () => ({
  insns: Number(m.instructions), translated: Number(m.translatedInstructions), entries: Number(m.translatedBlockCalls),
  ...m.translator.stats, chains: exits?.chains ?? 0, lookups: exits?.lookups ?? 0, lookupHits: exits?.lookupHits ?? 0,
});
const exitsNow = () => exits?.blocks.map((b) => b.exits) ?? [];

interface ProfNode { id: number; callFrame: { functionName: string; url: string }; hitCount?: number }
function selfTimes(profile: { nodes: ProfNode[]; samples: number[] }, machineUrl: string): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  for (const id of profile.samples) {
    const f = byId.get(id)!.callFrame;
    let name = f.functionName || "(anonymous)";
    if (f.url.startsWith("wasm://") && !f.url.includes(machineUrl)) name = BLOCK_NAMES ? name : "[translated blocks]";
    else if (f.url.startsWith("wasm://")) name = `wasm ${name}`;
    else if (f.url) name = `${name} ${f.url.replace(/^.*\//, "")}`;
    self.set(name, (self.get(name) ?? 0) + 1);
  }
  const total = profile.samples.length;
  for (const [name, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${(100 * n / total).toFixed(1).padStart(5)}%  ${name}`);
}

/** What the block cache holds for the start at host address `host`. */
function slotState(host: number): string {
  const mem = new DataView(m.memory.buffer);
  // its set's slots (asm/cpu/jit.ts setOf): a start is counted only
  // in a slot that holds no translation
  const set = cacheSet(host);
  const ways = [...Array(SET_WAYS).keys()].map((w) => set + w * SLOT_SIZE);
  const held = ways.filter((s) => mem.getUint32(s + SLOT_FN, true) !== 0).length;
  const slot = ways.find((s) => mem.getUint32(s + SLOT_KEY, true) === host);
  if (slot === undefined) return `not in the cache (its set holds ${held} translation${held === 1 ? "" : "s"})`;
  const fn = mem.getUint32(slot + SLOT_FN, true), count = mem.getUint32(slot + SLOT_COUNT, true);
  return fn ? `translated, ${count} insns` : count === 0xffffffff ? "declined" : count >= 0xf0000000 ? "waiting for its module" : `counted ${count} (its set holds ${held} translation${held === 1 ? "" : "s"})`;
}

const session = PROF ? new Session() : null;
if (session) {
  mkdirSync(PROF, { recursive: true });
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
}
if (argv.includes("--interpret")) m.setTranslation(false);
const STEPS = opt("--steps", "").split(",").filter(Boolean).map(Number);
for (const [k, cmd] of WORKLOAD.entries()) {
  if (STEPS.length && !STEPS.includes(k + 1)) continue;
  await runUntil(/$/); // drain
  const c0 = counters(), e0 = exitsNow();
  exits?.lookupMisses.clear();
  exits?.blocks.forEach((b) => b.to.clear());
  console.log(`starting step ${k + 1} (pid ${process.pid})`); // for `perf record -p`
  if (session) await session.post("Profiler.start");
  m.feed(RING.COM1_RX, new TextEncoder().encode(cmd + "; echo STEP-\"\"DONE\n"));
  const w0 = performance.now(), cpu0 = process.cpuUsage(), main0 = mainThreadCpu();
  const out = await runUntil(/STEP-DONE\r?\n/);
  const wall = (performance.now() - w0) / 1000;
  const cpu = process.cpuUsage(cpu0), main = mainThreadCpu() - main0;
  const prof = session ? (await session.post("Profiler.stop")).profile : null;
  const c1 = counters();
  const d = Object.fromEntries(Object.entries(c1).map(([key, v]) => [key, v - c0[key as keyof typeof c0]])) as typeof c0;
  const real = /real\s+(\d+)m\s*([\d.]+)s/.exec(out);
  console.log(`\nstep ${k + 1}: ${cmd}`);
  console.log(`  guest time ${real ? Number(real[1]) * 60 + Number(real[2]) : "?"} s, wall ${wall.toFixed(2)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (all threads), ${main.toFixed(2)} s (main thread); ${(d.insns / 1e6).toFixed(0)} M instructions, ` +
    `${(100 * d.translated / d.insns).toFixed(1)}% translated, ${(d.insns / wall / 1e6).toFixed(0)} M/s`);
  console.log(`  block entries from the run loop ${(d.entries / 1e6).toFixed(2)} M (${(d.translated / d.entries).toFixed(1)} translated instructions each); ` +
    `blocks compiled ${d.blocks}${d.requested ? ` (${d.requested} requested from the compile thread, ${d.here} translated here)` : ""} in ${d.modules} modules (${(d.wasmBytes / 1024).toFixed(0)} KiB, ${d.compileMs.toFixed(0)} ms), declined ${d.declined}, released ${d.released}`);
  if (exits) {
    console.log(`  chained entries ${(d.chains / 1e6).toFixed(2)} M; look-ups past the target caches ${(d.lookups / 1e6).toFixed(2)} M, ${(100 * d.lookupHits / Math.max(1, d.lookups)).toFixed(1)}% found a block`);
    const byEnd = new Map<string, number>();
    const blocks = exits.blocks.map((b, i) => ({ ...b, n: b.exits - (e0[i] ?? 0) })).filter((b) => b.n > 0);
    let sum = 0;
    for (const b of blocks) { byEnd.set(b.ends, (byEnd.get(b.ends) ?? 0) + b.n); sum += b.n; }
    console.log(`  exits to the run loop from translated blocks: ${(sum / 1e6).toFixed(2)} M, by what ended the block:`);
    for (const [key, n] of [...byEnd].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`    ${(100 * n / sum).toFixed(1).padStart(5)}%  ${key}`);
    console.log(`  blocks with the most exits (host address, length, what ended it, exits; where the most went:`);
    console.log(`  hex bytes from the block's entry EIP, or the EIP of a target more than a page away):`);
    for (const b of blocks.sort((a, b) => b.n - a.n).slice(0, 12)) {
      const sorted = [...b.to].sort((x, y) => y[1] - x[1]);
      const to = sorted.slice(0, 3).map(([w, n]) => `${w}: ${n}`);
      // the block cache's slot for the first, when it is on the block's page
      const first = sorted[0]?.[0];
      const there = first && first[0] !== "E" ? `; ${first}: ${slotState(b.host + (first[0] === "-" ? -1 : 1) * parseInt(first.slice(1), 16))}` : "";
      console.log(`    ${b.host.toString(16)} ${b.insns} insns, ${b.ends}: ${b.n} (${to.join(", ")}${b.to.size > 3 ? ", ..." : ""}${there})`);
    }
  }
  if (exits) {
    // What the block cache holds for the targets look-ups missed most.
    const mem = new DataView(m.memory.buffer);
    const RAM_BASE = 0x3000000; // layout.ts, as web/host/machine.ts checks
    console.log(`  look-up targets that found no block most often (EIP: misses, the cache's slot):`);
    for (const [eip, n] of [...exits.lookupMisses].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
      const phys = m.translate(eip);
      let state = "not mapped now";
      if (phys !== undefined) {
        state = slotState((RAM_BASE + phys) >>> 0);
      }
      console.log(`    ${(eip >>> 0).toString(16)}: ${n}, ${state}`);
    }
  }
  if (prof) {
    writeFileSync(join(PROF, `step-${k + 1}.cpuprofile`), JSON.stringify(prof));
    const machineUrl = (prof.nodes as ProfNode[]).find((n) => n.callFrame.functionName === "jitRun" || n.callFrame.functionName.endsWith("runCpu"))?.callFrame.url ?? "\0";
    console.log(`  self time (${prof.samples!.length} samples):`);
    selfTimes(prof as unknown as { nodes: ProfNode[]; samples: number[] }, machineUrl);
  }
}
if (argv.includes("--memory")) {
  const { setFlagsFromString } = await import("node:v8");
  const { runInNewContext } = await import("node:vm");
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const mib = (n: number) => (n / 1048576).toFixed(1);
  const report = (when: string) => {
    gc();
    const u = process.memoryUsage();
    const s = m.translator.stats;
    console.log(`${when}: ${s.blocks - s.released} translations installed, ${mib(m.translator.liveBytes)} MiB of function bytes; ` +
      `resident ${mib(u.rss)} MiB, V8 heap ${mib(u.heapUsed)} MiB, external ${mib(u.external)} MiB`);
  };
  report("\nafter the workload");
  m.translator.dropAll();
  report("after dropping them all");
}
process.exit(0);
