// A minimal page with the ringzero package: the default guest's images from
// public/images/ (copy or link the repository's public/images here; `npm run
// guest` builds them), its console and screen, and the machine's controls.
import "@xterm/xterm/css/xterm.css";
import { mountMachine } from "ringzero";

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const manifest = (await (await fetch("/images/manifest.json")).json()) as { cmdline: string };
// ?hda=URL boots that disk image through SeaBIOS instead, with its VGA BIOS: the
// screen takes over from the console when the guest shows a graphics mode.
const hda = new URLSearchParams(location.search).get("hda");
const m = await mountMachine($("vm"), hda
  ? { bios: "/images/bios.bin", vgabios: "/images/vgabios.bin", hda }
  : { memoryMB: 128, kernel: "/images/bzImage", initrd: "/images/initrd.img", append: manifest.cmdline });
// For the browser's console and scripts: machine.gdt(), machine.translate(eip)...
(globalThis as unknown as { machine: typeof m }).machine = m;
let saved: Uint8Array | undefined;
$("pause").onclick = () => void m.pause();
$("resume").onclick = () => void m.start();
$("save").onclick = async () => {
  saved = await m.saveState();
  ($("restore") as HTMLButtonElement).disabled = false;
  $("status").textContent = `saved ${saved.length} bytes; EIP ${(await m.registers()).eip.toString(16)}`;
};
$("restore").onclick = async () => {
  await m.restoreState(saved!).catch((e: Error) => { $("status").textContent = e.message; });
};
