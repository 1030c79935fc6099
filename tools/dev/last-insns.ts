// Developer aid: direct-boot the default guest one instruction at a time and,
// when the machine resets, print the last instructions executed (CS:EIP and the
// code bytes). Usage: npx tsx tools/dev/last-insns.ts [maxMillions]
import { readFileSync } from "node:fs";
import { Machine, STOP, RING } from "../../web/host/machine";
import { bootKernel } from "../../web/host/kernel";

const IMG = new URL("../../public/images/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", IMG), "utf8"));
const m = await Machine.create({ wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: 128 << 20 });
bootKernel(m, { kernel: readFileSync(new URL("bzImage", IMG)), kernelName: "bzImage", cmdline: manifest.cmdline, initrd: readFileSync(new URL("initrd.img", IMG)) });
const max = Number(process.argv[2] ?? 5) * 1e6;
const hex = (v: number, w = 8) => (v >>> 0).toString(16).padStart(w, "0");
const ram = m.ram();
const hist: string[] = [];
for (let i = 0; i < max; i++) {
  const s = m.cpuState();
  const eip = s.getUint32(0x20, true), csBase = s.getUint32(0x124, true);
  const lin = (csBase + eip) >>> 0;
  const cr0 = s.getUint32(0x210, true);
  let bytes = "";
  if (!(cr0 & 0x80000000) && lin < ram.length - 8) for (let k = 0; k < 8; k++) bytes += hex(ram[lin + k], 2) + " ";
  const regs = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => hex(s.getUint32(r * 4, true))).join(" ");
  hist.push(`${i} ${hex(s.getUint32(0x120, true), 4)}:${hex(eip)} lin=${hex(lin)} ${bytes} | ${regs} fl=${hex(s.getUint32(0x24, true))}`);
  if (hist.length > 40) hist.shift();
  const r = m.run(1);
  m.drain(RING.COM1_TX);
  if (r === STOP.RESET) { console.log(hist.join("\n")); console.log("RESET cause", m.resetCause); process.exit(0); }
}
console.log("no reset within", max, "instructions; last:\n" + hist.slice(-5).join("\n"));
