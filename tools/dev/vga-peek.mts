// Developer aid: firmware-boot the guest's CD for N million instructions and print the VGA text screen.
import { readFileSync } from "node:fs";
import { Machine, RING } from "../../web/host/machine";
import { loadBootImages } from "../../web/host/boot";
import { textScreenLines } from "../../web/host/vga";
const m = await Machine.create({ wasm: readFileSync("build/ringzero.wasm"), ramBytes: 128 << 20 });
loadBootImages(m, { bios: readFileSync("public/images/bios.bin"), vgabios: readFileSync("public/images/vgabios.bin"), cdrom: readFileSync("public/images/cdrom.iso"), boot: "d" });
for (let i = 0; i < Number(process.argv[2] ?? 60); i++) { m.run(1_000_000); m.drain(RING.COM1_TX); }
const s = m.textScreen();
console.log(s ? textScreenLines(s).filter((l) => l.trim()).join("\n") : "no text screen");
