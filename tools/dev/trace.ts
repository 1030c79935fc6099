// Developer aid: run a test ROM one instruction at a time and print CS:EIP and
// the general registers of the last `keep` instructions before it stops
// (usage: npx tsx tools/dev/trace.ts build/guest/x.bin [count] [keep] [skip]:
// `skip` instructions run at full speed first).
import { readFileSync } from "node:fs";
import { Machine, RING } from "../../web/host/machine";

const [bin, countArg, keepArg, skipArg] = process.argv.slice(2);
const m = await Machine.create({ wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: 32 << 20 });
m.loadBios(readFileSync(bin));
const skip = BigInt(skipArg ?? 0);
while (m.instructions < skip) { m.run(Math.min(Number(skip - m.instructions), 1_000_000)); m.drain(RING.DEBUGCON); }
const names = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const hex = (v: number) => (v >>> 0).toString(16).padStart(8, "0");
const keep = Number(keepArg ?? 1e9);
const lines: string[] = [];
const emit = (l: string) => { lines.push(l); if (lines.length > keep) lines.shift(); };
for (let i = 0; i < Number(countArg ?? 200); i++) {
  const s = m.cpuState();
  const cs = s.getUint32(0x120, true), csBase = s.getUint32(0x124, true);
  const eip = s.getUint32(0x20, true);
  const ram = m.ram();
  const lin = (csBase + eip) >>> 0;
  const code = lin + 8 <= ram.length ? " [" + [...ram.subarray(lin, lin + 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ") + "]" : "";
  const regs = names.map((n, k) => `${n}=${hex(s.getUint32(k * 4, true))}`).join(" ");
  emit(`${i} ${cs.toString(16).padStart(4, "0")}:${hex(eip)} (lin ${hex(csBase + eip)})${code} fl=${hex(s.getUint32(0x24, true))} cpl=${s.getUint32(0x240, true)} ${regs}`);
  const r = m.run(1);
  const out = new TextDecoder().decode(m.drain(RING.DEBUGCON));
  if (out) emit("  out: " + JSON.stringify(out));
  if (r !== 0) { emit(`stop ${r}`); break; }
}
console.log(lines.join("\n"));
