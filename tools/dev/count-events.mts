// Developer aid: boot the default guest to its prompt and count the events the
// timeline recorded (asm/cpu/events.ts), by kind. npx tsx tools/dev/count-events.mts
import { readFileSync } from "node:fs";
import { Machine, RING } from "../../web/host/machine";
import { bootKernel } from "../../web/host/kernel";
import { readEvents, EVENT_KINDS } from "../../web/host/events";

const IMG = new URL("../../public/images/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", IMG), "utf8"));
const m = await Machine.create({ wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: 128 << 20 });
m.setRealtime(true);
bootKernel(m, { kernel: readFileSync(new URL("bzImage", IMG)), kernelName: "bzImage", cmdline: manifest.cmdline, initrd: readFileSync(new URL("initrd.img", IMG)) });
const counts = new Map<string, number>();
let out = "", since = 0;
while (!out.includes(manifest.prompt)) {
  m.run(2_000_000);
  out += new TextDecoder("latin1").decode(m.drain(RING.COM1_TX));
  // Read as it goes: the ring keeps only the last 4096.
  for (const e of readEvents(m, since)) { counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1); since = e.seq + 1; }
}
const total = [...counts.values()].reduce((a, b) => a + b, 0);
console.log(`${m.instructions} instructions to the prompt, ${total} events (${(Number(m.instructions) / total).toFixed(0)} instructions per event)`);
for (const k of EVENT_KINDS) console.log(`  ${k}: ${counts.get(k) ?? 0}`);
