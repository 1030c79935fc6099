// VGA against qemu-system-i386 -vga std: each program (vga_13h.asm, vga_12h.asm,
// vga_modex.asm, vga_text.asm, vga_cga.asm, vga_0dh.asm) programs a mode through the registers and draws;
// once it prints "done" and halts, the monitor's `screendump FILE` is taken on
// both machines (the CLI's -monitor stdio, as a user would) and the two PPM files
// must be the same bytes. What the programs print (read modes, read back) must
// match too. vga_kernel.asm is a Multiboot kernel booted with -kernel, which
// sets no mode and loads no font: it writes text over what the VGA BIOS left.

import { beforeAll, describe, test, expect } from "vitest";
import { assemble } from "./harness";
import { buildCli } from "../cli/debugrun";
import { screendump, header, expectSamePpm } from "./vgadump";
import { IMAGES } from "../system/serial-guest";
import { join } from "node:path";

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

  // QEMU runs SeaBIOS (its default firmware, bios-256k.bin) and the VGA BIOS
  // before the kernel; RingZero's direct boot runs neither but puts the same
  // VGA BIOS's font in plane 2 (public/images/vgabios.bin, from Debian's seabios).
  test("a -kernel boot: text at B8000H in the VGA BIOS's font, the same PPM byte for byte", async () => {
    const kernel = assemble("vga_kernel");
    const args = ["-kernel", kernel];
    const bios = join(IMAGES, "bios-256k.bin");
    const q = await screendump("qemu", bios, "vga_kernel", args);
    const r = await screendump("ringzero", bios, "vga_kernel", args);
    expect(header(q.ppm)).toBe("P6 720 400 255");
    expect(r.output).toBe("done\n");
    expect(q.output).toBe("done\n");
    expectSamePpm(r.ppm, q.ppm);
  }, 90_000);
});
