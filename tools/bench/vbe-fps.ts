// Benchmark (not a test): the screen at 1024x768x32 (Bochs VBE) as the page's
// worker draws it, and what drawing costs the guest.
//   npx tsx tools/bench/vbe-fps.ts [--seconds S]
// The guest (vbe-fps.asm) redraws the whole screen, or a moving 128x128 square,
// 60 times a second by the PIT, and counts its frames and the loop iterations it
// spins while waiting (its spare speed). Each case runs S seconds without
// drawing, then S seconds with the host taking the dirty-page log and redrawing
// the picture (web/host/vgarender.ts VgaScreen, the worker's path) every 1/60 s
// of wall time, the rest of the time running the guest in slices as the worker
// does. Prints the host's redraws per second and ms per redraw (median and
// best), the guest's frames per second, and its spare loop iterations per CPU
// second of this process without and with drawing: the guest's speed, of which
// drawing takes its share (the slowdown). Wall-clock figures (redraws, ms)
// need an otherwise idle machine. This is the worker's half under Node; the
// whole path in Chromium (the worker, the transfer, the page's canvas) is
// tools/bench/vbe-fps-page.mjs, with the same guest.
import { execFileSync } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Machine } from "../../web/host/machine";
import { VgaScreen } from "../../web/host/vgarender";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const SECONDS = Number(argv[argv.indexOf("--seconds") + 1] || 5) || 5;
const FRAME_MS = 1000 / 60;
const SLICE = 50_000; // instructions per run() call

function rom(full: number): Uint8Array {
  const out = join(ROOT, "build/bench");
  mkdirSync(out, { recursive: true });
  const bin = join(out, `vbe-fps-${full}.bin`);
  execFileSync("nasm", ["-f", "bin", `-DFULL=${full}`, "-I", join(ROOT, "tests/guest") + "/", "-o", bin, join(ROOT, "tools/bench/vbe-fps.asm")]);
  return readFileSync(bin);
}

async function machine(image: Uint8Array): Promise<Machine> {
  const m = await Machine.create({ wasm: readFileSync(join(ROOT, "build/ringzero.wasm")), ramBytes: 64 << 20 });
  m.loadBios(image);
  m.setRealtime(true);
  return m;
}

const counter = (m: Machine, at: number) => new DataView(m.ram().buffer, m.ram().byteOffset + at, 4).getUint32(0, true);
const frames = (m: Machine) => counter(m, 0x5000);
const spins = (m: Machine) => counter(m, 0x5004);

interface Result { guestFps: number; spins: number; redraws: number; msMedian: number; msBest: number; rows: number }
async function run(full: number, draw: boolean): Promise<Result> {
  const m = await machine(rom(full));
  // Warm up: the mode set and the first frames.
  for (let t = performance.now(); performance.now() - t < 500;) m.run(SLICE);
  const screen = new VgaScreen();
  if (draw) m.vgaScreenUpdate(screen);
  const f0 = frames(m), s0 = spins(m), t0 = performance.now(), c0 = process.cpuUsage();
  let redraws = 0, rows = 0, next = t0 + FRAME_MS;
  const times: number[] = [];
  while (performance.now() - t0 < SECONDS * 1000) {
    m.run(SLICE);
    if (draw && performance.now() >= next) {
      const a = performance.now();
      const { y0, y1 } = m.vgaScreenUpdate(screen);
      times.push(performance.now() - a);
      rows += y1 - y0;
      redraws++;
      next += FRAME_MS;
      if (next < performance.now()) next = performance.now() + FRAME_MS; // behind: do not catch up
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0), cpu = (cu.user + cu.system) / 1e6;
  times.sort((x, y) => x - y);
  return {
    guestFps: (frames(m) - f0) / secs, spins: (spins(m) - s0) / cpu, redraws: redraws / secs,
    msMedian: times.length ? times[times.length >> 1] : 0, msBest: times.length ? times[0] : 0, rows: redraws ? rows / redraws : 0,
  };
}

for (const [full, name] of [[1, "whole screen each frame"], [0, "128x128 square moving"]] as const) {
  const base = await run(full, false);
  const drawn = await run(full, true);
  console.log(`1024x768x32, ${name}:`);
  console.log(`  host redraws: ${drawn.redraws.toFixed(1)}/s, ${drawn.msMedian.toFixed(2)} ms median (best ${drawn.msBest.toFixed(2)}), ${drawn.rows.toFixed(0)} rows changed on average`);
  console.log(`  guest frames: ${base.guestFps.toFixed(1)}/s without drawing, ${drawn.guestFps.toFixed(1)}/s with`);
  const slow = (b: number, d: number) => (b > 0 ? `${(100 * (1 - d / b)).toFixed(1)}% slower` : "no spare time");
  console.log(`  guest spare loop per CPU second: ${base.spins.toFixed(0)} without drawing, ${drawn.spins.toFixed(0)} with (${slow(base.spins, drawn.spins)})`);
}
