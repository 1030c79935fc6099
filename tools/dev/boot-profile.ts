// Developer aid: direct-boot the default guest in real time (as the CLI does) and
// report where the instructions and the wall time go, by kernel symbol
// (System.map from the guest build's cache), sampling EIP at the end of every
// slice; the instructions of a slice are charged to the symbol it ended in.
// Usage: npx tsx tools/dev/boot-profile.ts [slice=100000] [top=40]
import { readFileSync, readdirSync } from "node:fs";
import { Machine, RING, STOP } from "../../web/host/machine";
import { bootKernel } from "../../web/host/kernel";

const IMG = new URL("../../public/images/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", IMG), "utf8"));
const SLICE = Number(process.argv[2] ?? 100_000);
const TOP = Number(process.argv[3] ?? 40);

// Symbols: /proc/kallsyms of the same boot (the kernel is relocated by KASLR, and
// Debian ships the real System.map only in the -dbg package), read once the shell is up.
let map: [number, string][] = [];
function sym(eip: number): string {
  if (eip < 0xc0000000) return eip < 0x100000 ? "<low/bios>" : eip < 0x08000000 ? "<phys: decompressor>" : "<user>";
  let lo = 0, hi = map.length - 1;
  if (hi < 0 || eip < map[0][0]) return "<kernel?>";
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (map[mid][0] <= eip) lo = mid; else hi = mid - 1; }
  return map[lo][1];
}

const m = await Machine.create({ wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: 128 << 20 });
bootKernel(m, { kernel: readFileSync(new URL("bzImage", IMG)), kernelName: "bzImage", cmdline: manifest.cmdline, initrd: readFileSync(new URL("initramfs.cpio.gz", IMG)) });
m.setRealtime(true);
const samples: [number, number, number][] = []; // [eip or -1 for HLT, instructions, wall ms]
const t0 = performance.now();
let last = t0, out = "", prevIcount = 0n;
for (;;) {
  m.setHostTime(performance.now() * 1e6);
  const r = m.run(SLICE);
  const now = performance.now();
  const s = m.cpuState();
  const eip = s.getUint32(0x20, true) + s.getUint32(0x100 + 32 + 4, true); // EIP + CS base (approx.)
  const ic = m.instructions;
  samples.push([r === STOP.HALT ? -1 : eip >>> 0, Number(ic - prevIcount), now - last]);
  prevIcount = ic; last = now;
  out += new TextDecoder("latin1").decode(m.drain(RING.COM1_TX));
  if (out.includes(manifest.readyMarker)) break;
  if (out.length > 100000) out = out.slice(-1000);
  if (r === STOP.RESET) { console.error("reset"); break; }
  if (r === STOP.HALT) { const ns = m.timeUntilDeadline(); await new Promise((res) => setTimeout(res, ns < 0 ? 1 : Math.min(10, Math.floor(ns / 1e6)))); }
}
const total = Number(m.instructions), totalWall = performance.now() - t0;
// Ask the shell for the symbol table.
out = "";
m.feed(RING.COM1_RX, new TextEncoder().encode("cat /proc/kallsyms; echo KALLSYMS-\"\"END\n"));
while (!/KALLSYMS-END\r?\n/.test(out)) {
  m.setHostTime(performance.now() * 1e6);
  const r = m.run(SLICE);
  out += new TextDecoder("latin1").decode(m.drain(RING.COM1_TX));
  if (r === STOP.HALT) await new Promise((res) => setTimeout(res, 1));
}
map = out.split(/\r?\n/).map((l) => l.split(" ")).filter((f) => f.length >= 3 && /^[tTwW]$/.test(f[1]))
  .map((f) => [parseInt(f[0], 16), f[2]] as [number, string]).sort((a, b) => a[0] - b[0]);
if (map.length < 1000 || map[0][0] === 0) console.log(`warning: ${map.length} symbols (kptr_restrict?)`);
const insns = new Map<string, number>();
const wall = new Map<string, number>();
for (const [eip, n, ms] of samples) {
  const name = eip < 0 ? "<halt>" : sym(eip);
  insns.set(name, (insns.get(name) ?? 0) + n);
  wall.set(name, (wall.get(name) ?? 0) + ms);
}
console.log(`boot to marker: ${(totalWall / 1000).toFixed(1)} s wall, ${(total / 1e9).toFixed(2)} G instructions`);
for (const [name, n] of [...insns].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
  console.log(`${(n / 1e6).toFixed(0).padStart(7)} M ${(100 * n / total).toFixed(1).padStart(5)}%  ${((wall.get(name) ?? 0) / 1000).toFixed(1).padStart(6)} s  ${name}`);
}
