// VGA against qemu-system-i386 -vga std: each program (vga_13h.asm, vga_12h.asm,
// vga_modex.asm, vga_text.asm, vga_cga.asm, vga_0dh.asm) programs a mode through the registers and draws;
// once it prints "done" and halts, the monitor's `screendump FILE` is taken on
// both machines (the CLI's -monitor stdio, as a user would) and the two PPM files
// must be the same bytes. What the programs print (read modes, read back) must
// match too.

import { readFileSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, test, expect } from "vitest";
import { assemble } from "./harness";
import { buildCli, startEmulator, waitForFile, OUT, type Emulator } from "../cli/debugrun";

beforeAll(() => { buildCli(); });

async function screendump(which: Emulator, rom: string, name: string): Promise<{ ppm: Buffer; output: string }> {
  const debugcon = join(OUT, `${name}-${which}.txt`), file = join(OUT, `${name}-${which}.ppm`);
  rmSync(debugcon, { force: true });
  rmSync(file, { force: true });
  const emu = startEmulator(which, rom, ["-vga", "std", "-monitor", "stdio", "-debugcon", `file:${debugcon}`]);
  try {
    await waitForFile(debugcon, "done\n", 30_000);
    emu.stdin!.write(`screendump ${file}\nquit\n`);
    await Promise.race([emu.exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (!existsSync(file)) throw new Error(`${which} wrote no ${file}:\n${emu.output()}`);
    return { ppm: readFileSync(file), output: readFileSync(debugcon, "latin1") };
  } finally {
    emu.kill();
  }
}

function header(ppm: Buffer): string { return ppm.subarray(0, 20).toString("latin1").split("\n").slice(0, 3).join(" "); }

describe("VGA screendump against qemu-system-i386 -vga std", () => {
  for (const [name, size] of [["vga_13h", "640 400"], ["vga_12h", "640 480"], ["vga_modex", "640 480"], ["vga_text", "720 400"], ["vga_cga", "640 400"], ["vga_0dh", "640 400"]]) {
    test(`${name}: the same PPM, byte for byte`, async () => {
      const rom = assemble(name);
      const q = await screendump("qemu", rom, name);
      const r = await screendump("ringzero", rom, name);
      expect(header(q.ppm)).toBe(`P6 ${size} 255`);
      expect(r.output).toBe(q.output);
      expect(header(r.ppm)).toBe(header(q.ppm));
      expect(r.ppm.length).toBe(q.ppm.length);
      // First differing byte, for a readable failure rather than a 1 MB diff.
      let diff = -1;
      for (let i = 0; i < q.ppm.length; i++) if (q.ppm[i] !== r.ppm[i]) { diff = i; break; }
      expect(diff).toBe(-1);
    }, 90_000);
  }
});
