// Screendumps of a guest program on both machines, for the VGA/VBE differential
// tests: the program runs under RingZero's CLI and under qemu-system-i386 with
// -vga std and the monitor on stdio; once it prints "done" (debugcon), the
// monitor's `screendump FILE` is taken on each, as a user would.

import { readFileSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { startEmulator, waitForFile, OUT, type Emulator } from "../cli/debugrun";

/** `rom`: the -bios image; `args`: more flags for both machines. */
export async function screendump(which: Emulator, rom: string, name: string, args: string[] = []): Promise<{ ppm: Buffer; output: string }> {
  const debugcon = join(OUT, `${name}-${which}.txt`), file = join(OUT, `${name}-${which}.ppm`);
  rmSync(debugcon, { force: true });
  rmSync(file, { force: true });
  const emu = startEmulator(which, rom, ["-vga", "std", "-monitor", "stdio", "-debugcon", `file:${debugcon}`, ...args]);
  try {
    await waitForFile(debugcon, "done\n", 60_000);
    emu.stdin!.write(`screendump ${file}\nquit\n`);
    await Promise.race([emu.exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (!existsSync(file)) throw new Error(`${which} wrote no ${file}:\n${emu.output()}`);
    return { ppm: readFileSync(file), output: readFileSync(debugcon, "latin1") };
  } finally {
    emu.kill();
  }
}

export function header(ppm: Buffer): string { return ppm.subarray(0, 20).toString("latin1").split("\n").slice(0, 3).join(" "); }

/** The two dumps are the same bytes (the first difference named, not a 1 MB diff). */
export function expectSamePpm(r: Buffer, q: Buffer): void {
  expect(header(r)).toBe(header(q));
  expect(r.length).toBe(q.length);
  let diff = -1;
  for (let i = 0; i < q.length; i++) if (q[i] !== r[i]) { diff = i; break; }
  expect(diff).toBe(-1);
}
