// Developer aid: run a test ROM one instruction at a time and print CS:EIP and
// the general registers (usage: npx tsx tools/dev/trace.ts build/guest/x.bin [count]).
import { readFileSync } from "node:fs";
import { Machine, RING } from "../../web/host/machine";

const [bin, countArg] = process.argv.slice(2);
const m = await Machine.create({ wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: 32 << 20 });
m.loadBios(readFileSync(bin));
const names = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const hex = (v: number) => (v >>> 0).toString(16).padStart(8, "0");
for (let i = 0; i < Number(countArg ?? 200); i++) {
  const s = m.cpuState();
  const cs = s.getUint32(0x100 + 32 + 0, true), csBase = s.getUint32(0x100 + 32 + 4, true);
  const eip = s.getUint32(0x20, true);
  const regs = names.map((n, k) => `${n}=${hex(s.getUint32(k * 4, true))}`).join(" ");
  console.log(`${cs.toString(16).padStart(4, "0")}:${hex(eip)} (lin ${hex(csBase + eip)}) fl=${hex(s.getUint32(0x24, true))} ${regs}`);
  const r = m.run(1);
  const out = new TextDecoder().decode(m.drain(RING.DEBUGCON));
  if (out) console.log("  out:", JSON.stringify(out));
  if (r !== 0) { console.log("stop", r); break; }
}
