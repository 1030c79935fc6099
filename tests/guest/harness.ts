// Runs a guest test program (tests/guest/*.asm, see lib/rom.inc) headless in
// RingZero and, for differential tests, under qemu-system-i386 with the same
// ROM, and returns what each wrote to port 0xE9 and its exit status.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, basename } from "node:path";
import { fileURLToPath } from "node:url";
import { Machine, STOP, RING, type CpuFeatures } from "../../web/host/machine";
import { MemoryBackend, DRIVE } from "../../web/host/block";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
/** Where the guest tests put what they build and what the emulators write. The
 *  interpreted run (RZ_TRANSLATE=off, the "interpreted" project in
 *  vitest.config.ts) has a folder of its own: it runs the same files at the same
 *  time as the translated one, and one must not rewrite a file under the other. */
export const OUT = join(ROOT, process.env.RZ_TRANSLATE === "off" ? "build/guest-interpreted" : "build/guest");
let wasmModule: WebAssembly.Module | undefined;

export function assemble(name: string): string {
  mkdirSync(OUT, { recursive: true });
  const src = join(ROOT, "tests/guest", name.endsWith(".asm") ? name : name + ".asm");
  const bin = join(OUT, basename(src, ".asm") + ".bin");
  execFileSync("nasm", ["-f", "bin", "-I", join(ROOT, "tests/guest") + "/", "-o", bin, src], { stdio: "pipe" });
  return bin;
}

/** Assemble tests/guest/NAME.asm with nasm's symbol map: the ROM, and a label's
 *  ROM offset (linear F0000H + offset; in PM_ENTER's code segment, the offset
 *  itself). The ROM is a file of its own (NAME.sym.bin), so that another test
 *  file assembling the same program in parallel (assemble()) does not rewrite it
 *  under a running QEMU. */
export function assembleWithSymbols(name: string): { bin: string; sym: (label: string) => number } {
  mkdirSync(OUT, { recursive: true });
  const map = join(OUT, `${name}.map`), bin = join(OUT, `${name}.sym.bin`);
  execFileSync("nasm", ["-f", "bin", "-I", join(ROOT, "tests/guest") + "/", "--before", `[map symbols ${map}]`,
    "-o", bin, join(ROOT, "tests/guest", `${name}.asm`)], { stdio: "pipe" });
  const labels = new Map<string, number>();
  for (const m of readFileSync(map, "latin1").matchAll(/^\s*([0-9A-F]+)\s+[0-9A-F]+\s+(\S+)$/gm)) labels.set(m[2], parseInt(m[1], 16));
  const sym = (label: string) => {
    const v = labels.get(label);
    if (v === undefined) throw new Error(`no label ${label} in nasm's map of ${name}.asm`);
    return v;
  };
  return { bin, sym };
}

export interface GuestResult { output: string; exitCode: number | null; stop: string; instructions: bigint; blocksTranslated?: number; drops?: number }

/** The checksum the ATA/ATAPI test ROMs print for `length` bytes at `offset`:
 *  16-bit sum and xor of the little-endian words. */
export function guestSums(img: Uint8Array, offset: number, length: number): string {
  let sum = 0, xor = 0;
  for (let i = offset; i < offset + length; i += 2) { const w = img[i] | (img[i + 1] << 8); sum = (sum + w) & 0xffff; xor ^= w; }
  const h = (v: number) => v.toString(16).padStart(4, "0");
  return `sum=${h(sum)} xor=${h(xor)}`;
}

/** How the guest tests run guest code: RZ_TRANSLATE=off interprets every
 *  instruction; otherwise blocks are translated from their second execution, so
 *  that these short programs exercise the translator (web/jit/) and its
 *  mixing with the interpreter. The test script runs this directory both ways. */
export function translation(): { translate: boolean; translateAfter?: number } {
  return process.env.RZ_TRANSLATE === "off" ? { translate: false } : { translate: true, translateAfter: 1 };
}

/** Run a ROM image in RingZero until it exits, resets or spends the budget. */
export interface GuestDrive { index: number; kind: "disk" | "cdrom"; image: Uint8Array }

export async function runRingZero(bin: string, opts: { budget?: number; ramMB?: number; drives?: GuestDrive[]; setup?: (m: Machine) => void; watch?: (m: Machine, output: string) => void; slice?: number; interpret?: boolean; translate?: boolean; translateAfter?: number; cpu?: CpuFeatures } = {}): Promise<GuestResult> {
  wasmModule ??= await WebAssembly.compile(readFileSync(join(ROOT, "build/ringzero.wasm")));
  // interpret / translate: this run whatever RZ_TRANSLATE says (the translator's own tests)
  const how = opts.interpret ? { translate: false } : opts.translate ? { translate: true, translateAfter: opts.translateAfter ?? 1 } : translation();
  const m = await Machine.create({ wasm: wasmModule, ramBytes: (opts.ramMB ?? 32) << 20, cpu: { model: "pentium2", ...opts.cpu }, ...how });
  for (const d of opts.drives ?? []) {
    m.attachDrive(d.index, d.kind === "disk" ? DRIVE.DISK : DRIVE.CDROM, new MemoryBackend(d.image, d.kind === "cdrom"));
  }
  m.loadBios(readFileSync(bin));
  opts.setup?.(m); // after reset, before the first instruction (e.g. preset MSRs in the state block)
  let budget = opts.budget ?? 200_000_000;
  let out = "";
  const dec = new TextDecoder("latin1");
  let stop = "budget";
  let exitCode: number | null = null;
  while (budget > 0) {
    const slice = Math.min(budget, opts.slice ?? 1_000_000);
    const r = m.run(slice);
    out += dec.decode(m.drain(RING.DEBUGCON));
    opts.watch?.(m, out); // between slices: what the test looks at as the output grows
    if (r === STOP.EXIT) { exitCode = m.exitCode; stop = "exit"; break; }
    if (r === STOP.RESET) { stop = m.resetCause === 1 ? "triple-fault" : "reset"; break; }
    if (r === STOP.HALT) { stop = "halt"; break; }
    budget -= slice;
  }
  // A translation that failed is a translator bug the machine hid by interpreting.
  if (m.translator.firstFailure) throw new Error(`translator failed ${m.translator.stats.failed} time(s), first: ${m.translator.firstFailure}`);
  return { output: out, exitCode, stop, instructions: m.instructions, blocksTranslated: m.translator.stats.blocks, drops: m.translator.stats.drops };
}

/** Run the same ROM under qemu-system-i386 (TCG) and return its port 0xE9 output. */
export function runQemu(bin: string, opts: { timeoutMs?: number; cpu?: string; serial?: string[]; args?: string[]; drives?: GuestDrive[] } = {}): GuestResult {
  const log = bin + ".qemu.txt";
  // The same drives runRingZero attaches, as raw image files on qemu's IDE bus.
  const driveArgs: string[] = [];
  if (opts.drives?.length) {
    const dir = mkdtempSync(join(tmpdir(), "rz-drives-"));
    for (const d of opts.drives) {
      const file = join(dir, `drive${d.index}.img`);
      writeFileSync(file, d.image);
      driveArgs.push("-drive", `file=${file},format=raw,if=ide,index=${d.index}${d.kind === "cdrom" ? ",media=cdrom" : ""}`);
    }
  }
  const r = spawnSync("qemu-system-i386", [
    "-bios", bin, "-display", "none", "-m", "32", "-no-reboot", "-accel", "tcg",
    "-cpu", opts.cpu ?? "pentium2",
    "-debugcon", `file:${log}`,
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
    ...(opts.serial ?? ["none"]).flatMap((s) => ["-serial", s]),
    "-parallel", "none", "-monitor", "none", "-nodefaults",
    ...driveArgs,
    ...(opts.args ?? []),
  ], { timeout: opts.timeoutMs ?? 60_000 });
  const output = existsSync(log) ? readFileSync(log, "latin1") : "";
  return { output, exitCode: r.status, stop: r.signal ? "timeout" : "exit", instructions: 0n };
}
