// VGA against qemu-system-i386 -vga std: each program (vga_13h.asm, vga_12h.asm,
// vga_modex.asm, vga_text.asm, vga_cga.asm, vga_0dh.asm) programs a mode through the registers and draws;
// once it prints "done" and halts, the monitor's `screendump FILE` is taken on
// both machines (the CLI's -monitor stdio, as a user would) and the two PPM files
// must be the same bytes. What the programs print (read modes, read back) must
// match too.

import { beforeAll, describe, test, expect } from "vitest";
import { assemble } from "./harness";
import { buildCli } from "../cli/debugrun";
import { screendump, header, expectSamePpm } from "./vgadump";

beforeAll(() => { buildCli(); });

describe("VGA screendump against qemu-system-i386 -vga std", () => {
  for (const [name, size] of [["vga_13h", "640 400"], ["vga_12h", "640 480"], ["vga_modex", "640 480"], ["vga_text", "720 400"], ["vga_cga", "640 400"], ["vga_0dh", "640 400"]]) {
    test(`${name}: the same PPM, byte for byte`, async () => {
      const rom = assemble(name);
      const q = await screendump("qemu", rom, name);
      const r = await screendump("ringzero", rom, name);
      expect(header(q.ppm)).toBe(`P6 ${size} 255`);
      expect(r.output).toBe(q.output);
      expectSamePpm(r.ppm, q.ppm);
    }, 90_000);
  }
});
