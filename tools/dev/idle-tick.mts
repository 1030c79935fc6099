// Developer aid: what one timer tick of the idle default guest costs the host,
// with nothing else in the way (no sleeping, warm caches). Restores the guest at
// its prompt from public/images/default.rzstate, runs it in icount mode (a halt
// jumps to the next deadline at once) until the tick's code is translated, then
// times `seconds` of guest time in CPU time (the process's, V8's threads included).
// With RZ_SLEEP_MS=N it sleeps N ms of host time after every N ms of guest
// time, as an idle host does (web/host/idle.ts): the CPU's caches go cold
// between the batches, as they do there.
//   npx tsx tools/dev/idle-tick.mts [seconds] [warm-up seconds]   (RINGZERO_TRANSLATE=off: interpreted)
import { readFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { Machine } from "../../web/host/machine";
import { readHeader, decode, apply, type Codec } from "../../web/host/snapshot";

const SECONDS = Number(process.argv[2] ?? 10), WARM = Number(process.argv[3] ?? 40);
const IMG = new URL("../../public/images/", import.meta.url);
const bytes = readFileSync(new URL("default.rzstate", IMG));
const h = readHeader(bytes, "default.rzstate");
const codec: Codec = { async deflate() { throw new Error("unused"); }, async inflate(b, max) { return inflateRawSync(b, { maxOutputLength: Math.max(1, max) }); } };
const m = await Machine.create({ translate: process.env.RINGZERO_TRANSLATE !== "off", wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: h.ramBytes });
apply(m, await decode(m, bytes, "default.rzstate", { settings: h.settings, images: h.images }, codec));
m.setIcountShift(2);
const SLEEP_MS = Number(process.env.RZ_SLEEP_MS ?? 0);
const runFor = (ns: number) => {
  const end = m.virtualTime + BigInt(ns);
  let runs = 0;
  while (m.virtualTime < end) { m.run(2_000_000); runs++; }
  return runs;
};
/** `ns` of guest time, in batches of RZ_SLEEP_MS with a host sleep after each when RZ_SLEEP_MS is set. */
const runPaced = async (ns: number) => {
  if (!SLEEP_MS) return runFor(ns);
  let runs = 0;
  for (let t = 0; t < ns; t += SLEEP_MS * 1e6) {
    runs += runFor(SLEEP_MS * 1e6);
    await new Promise((r) => setTimeout(r, SLEEP_MS));
  }
  return runs;
};
runFor(WARM * 1e9);
const st0 = { ...m.translator.stats }, i0 = m.instructions, t0 = performance.now(), u0 = process.cpuUsage(), tr0 = m.translatedInstructions, b0 = m.translatedBlockCalls;
const runs = await runPaced(SECONDS * 1e9);
const wall = performance.now() - t0, u = process.cpuUsage(u0), ms = (u.user + u.system) / 1000, ticks = SECONDS * 250;
const insns = Number(m.instructions - i0);
console.log(`${ticks} ticks (HZ=250) in ${ms.toFixed(0)} ms of CPU time (${wall.toFixed(0)} ms wall): ${(ms * 1000 / ticks).toFixed(1)} us a tick, ${(insns / ticks).toFixed(0)} instructions a tick ` +
  `(${(100 * Number(m.translatedInstructions - tr0) / insns).toFixed(1)}% translated, ${(Number(m.translatedBlockCalls - b0) / ticks).toFixed(0)} block calls), ` +
  `${(ms * 1e6 / insns).toFixed(1)} ns an instruction; ${runs} run() calls; ${(ms / SECONDS / 10).toFixed(2)}% of a core at HZ=250`);
const st = m.translator.stats;
console.log(`translator during the timed stretch: ${st.blocks - st0.blocks} blocks compiled (${((st.compileMs - st0.compileMs)).toFixed(0)} ms), ${st.declined - st0.declined} declined, ${st.released - st0.released} released`);
console.log(`translations held: ${st.blocks - st.released}, ${(st.wasmBytes / st.blocks).toFixed(0)} wasm bytes a block on average`);
