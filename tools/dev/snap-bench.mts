// Developer aid: snapshot size and save/restore times for the default guest at
// its prompt (boots it in icount mode first). npx tsx tools/dev/snap-bench.mts
// RZ_CODEC=stream times the page's codec (Compression Streams) instead of zlib.
import { readFileSync } from "node:fs";
import { Machine, RING } from "../../web/host/machine";
import { bootKernel } from "../../web/host/kernel";
import { save, restore, streamCodec } from "../../web/host/snapshot";
import { zlibCodec } from "../../web/cli/snapshot";
const codec = process.env.RZ_CODEC === "stream" ? streamCodec : zlibCodec;

const IMG = new URL("../../public/images/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", IMG), "utf8"));
const wasm = readFileSync(new URL("../../build/ringzero.wasm", import.meta.url));
const boot = { kernel: readFileSync(new URL("bzImage", IMG)), kernelName: "bzImage", cmdline: process.argv[2] ?? manifest.cmdline, initrd: readFileSync(new URL("initrd.img", IMG)) };
async function mk() {
  const m = await Machine.create({ wasm, ramBytes: 128 << 20 });
  m.setIcountShift(3);
  bootKernel(m, boot);
  return m;
}
const id = { settings: { "-m": "128" }, images: [] };
const a = await mk();
let out = "";
while (!out.includes(manifest.prompt)) { a.run(2_000_000); out += new TextDecoder("latin1").decode(a.drain(RING.COM1_TX)); }
a.run(20_000_000);
const b = await mk();
const saves: number[] = [], restores: number[] = [];
let size = 0;
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const f = await save(a, { identity: id }, codec);
  const t1 = performance.now();
  await restore(b, f, "x", id, codec);
  const t2 = performance.now();
  saves.push(t1 - t0); restores.push(t2 - t1); size = f.length;
}
const med = (x: number[]) => x.sort((p, q) => p - q)[x.length >> 1].toFixed(0);
console.log(`snapshot ${(size / 1e6).toFixed(1)} MB; save median ${med(saves)} ms, restore median ${med(restores)} ms (5 each)`);
