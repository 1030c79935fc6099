// Developer aid: direct-boot the default guest in real time (as the CLI does) and
// report where the instructions and the wall time go, by kernel symbol, sampling
// EIP at the end of every slice; the instructions of a slice are charged to where
// it ended. Symbols come from /proc/kallsyms of the same boot (KASLR moves the
// kernel, and Debian ships the real System.map only in the -dbg package); user
// addresses are reported in 32-byte buckets (busybox is static and stripped:
// disassemble it around them).
//   npx tsx tools/dev/boot-profile.ts [--slice N] [--top N] [--then 'shell command']
// With --then, the command is typed at the prompt and profiled on its own.
import { readFileSync } from "node:fs";
import { Machine, RING, STOP } from "../../web/host/machine";
import { bootKernel } from "../../web/host/kernel";

const IMG = new URL("../../public/images/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", IMG), "utf8"));
const argv = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const SLICE = Number(opt("--slice", "100000"));
const TOP = Number(opt("--top", "40"));
const THEN = opt("--then", "");

type Sample = [number, number, number]; // [linear EIP or -1 for HLT, instructions, wall ms]
const m = await Machine.create({ wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: 128 << 20 });
bootKernel(m, { kernel: readFileSync(new URL("bzImage", IMG)), kernelName: "bzImage", cmdline: manifest.cmdline, initrd: readFileSync(new URL("initrd.img", IMG)) });
m.setRealtime(true);
const dec = new TextDecoder("latin1");

/** Run until `until` matches the console output, sampling; returns the samples. */
async function runUntil(until: RegExp, samples: Sample[] | null): Promise<string> {
  let out = "", last = performance.now(), prev = m.instructions;
  for (;;) {
    const r = m.run(SLICE);
    const now = performance.now();
    const s = m.cpuState();
    const eip = (s.getUint32(0x20, true) + s.getUint32(0x100 + 32 + 4, true)) >>> 0; // EIP + CS base
    const ic = m.instructions;
    samples?.push([r === STOP.HALT ? -1 : eip, Number(ic - prev), now - last]);
    prev = ic; last = now;
    out += dec.decode(m.drain(RING.COM1_TX));
    if (until.test(out)) return out;
    if (r === STOP.RESET) throw new Error("the guest reset");
    if (r === STOP.HALT) { const ns = m.timeUntilDeadline(); await new Promise((res) => setTimeout(res, ns < 0 ? 1 : Math.min(10, Math.floor(ns / 1e6)))); }
  }
}
const type = (text: string) => m.feed(RING.COM1_RX, new TextEncoder().encode(text));

const boot: Sample[] = [];
const t0 = performance.now();
await runUntil(new RegExp(manifest.readyMarker), boot);
const bootWall = performance.now() - t0;
await runUntil(new RegExp(manifest.prompt.replace(/[#$]/g, "\\$&")), null);

const then: Sample[] = [];
let thenWall = 0;
if (THEN) {
  type(THEN + "; echo THEN-\"\"DONE\n");
  const t1 = performance.now();
  const out = await runUntil(/THEN-DONE\r?\n/, then);
  thenWall = performance.now() - t1;
  process.stdout.write(out.replace(/\r/g, ""));
}

const out = (type("cat /proc/kallsyms; echo KALLSYMS-\"\"END\n"), await runUntil(/KALLSYMS-END\r?\n/, null));
const map = out.split(/\r?\n/).map((l) => l.split(" ")).filter((f) => f.length >= 3 && /^[tTwW]$/.test(f[1]))
  .map((f) => [parseInt(f[0], 16), f[2]] as [number, string]).sort((a, b) => a[0] - b[0]);
if (map.length < 1000 || map[0][0] === 0) console.log(`warning: ${map.length} kernel symbols (kptr_restrict?)`);
function where(eip: number): string {
  if (eip < 0) return "<halt>";
  if (eip < 0xc0000000) return eip < 0x100000 ? "<below 1 MiB>" : `user ${(eip & ~31).toString(16).padStart(8, "0")}`;
  if (eip < map[0][0]) return "<kernel, before _text>";
  let lo = 0, hi = map.length - 1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (map[mid][0] <= eip) lo = mid; else hi = mid - 1; }
  return map[lo][1];
}

function report(title: string, samples: Sample[], wallMs: number): void {
  const insns = new Map<string, number>(), wall = new Map<string, number>();
  let total = 0;
  for (const [eip, n, ms] of samples) {
    // Before paging, the decompressor runs at physical addresses.
    const name = eip >= 0x100000 && eip < 0x08000000 && title.startsWith("boot") ? "<physical: the bzImage decompressor>" : where(eip);
    insns.set(name, (insns.get(name) ?? 0) + n);
    wall.set(name, (wall.get(name) ?? 0) + ms);
    total += n;
  }
  console.log(`\n${title}: ${(wallMs / 1000).toFixed(1)} s wall, ${(total / 1e9).toFixed(3)} G instructions`);
  for (const [name, n] of [...insns].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`${(n / 1e6).toFixed(0).padStart(7)} M ${(100 * n / total).toFixed(1).padStart(5)}%  ${((wall.get(name) ?? 0) / 1000).toFixed(1).padStart(6)} s  ${name}`);
  }
}
report("boot to the shell marker", boot, bootWall);
if (THEN) report(`'${THEN}'`, then, thenWall);
