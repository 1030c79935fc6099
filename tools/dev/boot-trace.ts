// Developer aid: direct-boot the default guest and report where the CPU is every
// N instructions, and the last exception vectors (usage:
// npx tsx tools/dev/boot-trace.ts [millions] ).
import { readFileSync } from "node:fs";
import { Machine, RING, STOP } from "../../web/host/machine";
import { bootKernel } from "../../web/host/kernel";

const IMG = new URL("../../public/images/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", IMG), "utf8"));
const m = await Machine.create({ wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: 128 << 20 });
bootKernel(m, { kernel: readFileSync(new URL("bzImage", IMG)), kernelName: "bzImage", cmdline: manifest.cmdline, initrd: readFileSync(new URL("initrd.img", IMG)) });
const total = Number(process.argv[2] ?? 50) * 1e6;
const hex = (v: number) => (v >>> 0).toString(16).padStart(8, "0");
let done = 0;
const t0 = Date.now();
while (done < total) {
  const r = m.run(1_000_000);
  done += 1_000_000;
  const tx = new TextDecoder("latin1").decode(m.drain(RING.COM1_TX));
  if (tx) process.stdout.write(tx);
  const s = m.cpuState();
  if (done % 10_000_000 === 0 || r !== STOP.BUDGET && r !== STOP.OUTPUT) {
    console.error(`[${(done / 1e6).toFixed(0)}M insns ${((Date.now() - t0) / 1000).toFixed(1)}s] stop=${r} eip=${hex(s.getUint32(0x20, true))} cs=${hex(s.getUint32(0x120, true))} cr0=${hex(s.getUint32(0x210, true))} icount=${m.instructions}`);
  }
  if (r === STOP.RESET) { console.error("reset, cause", m.resetCause); break; }
  if (r === STOP.HALT) { console.error("halted"); }
}
