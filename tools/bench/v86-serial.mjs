#!/usr/bin/env node
// Runs the v86 emulator (npm `v86`, used only as a peer to measure against) under
// Node with the guest's serial console on stdin/stdout, so the benchmark driver
// can treat it like `ringzero -nographic` and `qemu-system-i386 -nographic`.
//   node tools/bench/v86-serial.mjs -m 128 -bios F [-vgabios F] [-kernel F [-initrd F] [-append S]]
// Without -kernel, v86 starts the -bios image at its reset vector (v86 copies the
// image to just below 1 MiB, so a 64 KiB ROM sits at F0000h as on a PC).
// Env RINGZERO_STATS=path: on exit, write {"instructions": N} (v86's own counter).
import { V86 } from "v86";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const args = process.argv.slice(2);
const opt = {};
for (let i = 0; i < args.length; i += 2) opt[args[i]] = args[i + 1];
const img = (p) => (p === undefined ? undefined : { buffer: readFileSync(p).buffer });
if (opt["-bios"] === undefined) {
  process.stderr.write("v86-serial: -bios is required\n");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const wasmPath = join(dirname(require.resolve("v86")), "v86.wasm");
const jit = process.env.V86_NO_JIT ? { disable_jit: true } : {};

const emulator = new V86({
  wasm_path: wasmPath,
  memory_size: Number(opt["-m"] ?? 128) << 20,
  bios: img(opt["-bios"]),
  ...(opt["-vgabios"] !== undefined ? { vga_bios: img(opt["-vgabios"]) } : {}),
  ...(opt["-kernel"] !== undefined ? { bzimage: img(opt["-kernel"]), initrd: img(opt["-initrd"]), cmdline: opt["-append"] ?? "" } : {}),
  autostart: true,
  disable_speaker: true,
  disable_keyboard: true,
  disable_mouse: true,
  ...jit,
});

// The instruction counter is a wrapping u32: sample it often and count wraps.
let last = 0, wraps = 0;
const sample = () => {
  const now = emulator.get_instruction_counter();
  if (now < last) wraps++;
  last = now;
  return wraps * 2 ** 32 + now;
};
setInterval(sample, 200).unref();

emulator.add_listener("serial0-output-byte", (b) => process.stdout.write(Uint8Array.of(b)));
process.stdin.on("data", (d) => emulator.serial0_send(d.toString("latin1")));
const finish = () => {
  if (process.env.RINGZERO_STATS) writeFileSync(process.env.RINGZERO_STATS, JSON.stringify({ instructions: sample() }));
  process.exit(0);
};
process.on("SIGTERM", finish);
process.on("SIGINT", finish);
process.stdin.on("end", finish);
