// The default Linux guest as the boot benchmarks run it (bench.mjs,
// boot-phases.mjs): the same kernel, initramfs, command line and memory for
// every emulator, each with its serial console on stdio.
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const IMG = join(ROOT, "public/images");
export const MEM = 128;

/** The guest's manifest (tools/guest/build.mjs): command line, prompt, ready marker. */
export function linuxGuest() {
  const manifest = JSON.parse(readFileSync(join(IMG, "manifest.json"), "utf8"));
  const kernelArgs = ["-kernel", join(IMG, "bzImage"), "-initrd", join(IMG, "initrd.img"), "-append", manifest.cmdline];
  return {
    manifest,
    prompt: manifest.prompt ?? "ringzero# ",
    ready: manifest.readyMarker ?? "RINGZERO-SHELL-READY",
    /** [command, args] per emulator; `ringzero` from another checkout `dir` for a baseline. */
    commands: {
      ringzero: (dir = ROOT) => ["node", [join(dir, "bin/ringzero.mjs"), "-m", String(MEM), "-nographic", ...kernelArgs]],
      v86: () => ["node", [join(ROOT, "tools/bench/v86-serial.mjs"), "-m", String(MEM), "-bios", join(IMG, "bios.bin"),
        "-vgabios", join(IMG, "vgabios.bin"), ...kernelArgs]],
      qemu: () => ["qemu-system-i386", ["-m", String(MEM), "-nographic", "-no-reboot", "-accel", "tcg", ...kernelArgs]],
    },
  };
}
