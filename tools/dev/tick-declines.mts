// Developer aid: which instructions of the idle guest's timer tick the translator
// leaves to the interpreter. Boots the default guest to its prompt, then steps
// one tick instruction by instruction (interpreted) and asks the translator's
// decoder (web/jit/decode.ts) about each; prints the declined ones by count,
// disassembled. npx tsx tools/dev/tick-declines.mts [ticks]
import { readFileSync } from "node:fs";
import { Machine, RING, STOP } from "../../web/host/machine";
import { bootKernel } from "../../web/host/kernel";
import { decodeOne as jitDecode } from "../../web/jit/decode";
import { decodeOne as disasm } from "../../web/host/disasm";

const TICKS = Number(process.argv[2] ?? 20);
const IMG = new URL("../../public/images/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", IMG), "utf8"));
const m = await Machine.create({ wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: 128 << 20 });
m.setIcountShift(3);
bootKernel(m, { kernel: readFileSync(new URL("bzImage", IMG)), kernelName: "bzImage", cmdline: manifest.cmdline, initrd: readFileSync(new URL("initrd.img", IMG)) });
let out = "";
while (!out.includes(manifest.prompt)) { m.run(2_000_000); out += new TextDecoder("latin1").decode(m.drain(RING.COM1_TX)); }
m.run(50_000_000); // settle at the prompt
const declined = new Map<string, number>();
let steps = 0, translatable = 0;
for (let t = 0; t < TICKS; t++) {
  // Halted until the next tick: let the machine take it, then step until it halts again.
  while (m.registers().halted) m.run(1);
  for (let n = 0; n < 100_000; n++) {
    const r = m.registers();
    if (r.halted) break;
    const at = (r.cs.base + r.eip) >>> 0;
    const code = m.readLinear(at, 16);
    steps++;
    if (jitDecode(code, 0)) translatable++;
    else {
      const d = disasm(code, at, 32);
      const key = d ? d.text.replace(/0x[0-9a-f]+/g, "N") : "?";
      declined.set(key, (declined.get(key) ?? 0) + 1);
    }
    if (m.step() === STOP.HALT) break;
  }
}
console.log(`${TICKS} ticks: ${steps} instructions, ${translatable} the translator decodes, ${steps - translatable} it declines`);
for (const [k, v] of [...declined].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(String(v).padStart(6), k);
