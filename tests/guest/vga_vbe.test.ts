// Bochs VBE against qemu-system-i386 -vga std: each vga_vbe*.asm (vga_vbe.inc)
// finds the std VGA's PCI function, sizes its BARs, reads the DISPI identity and
// capabilities, has a bad geometry fixed up, sets a mode through the DISPI
// registers and draws through the linear framebuffer or the banked window. What
// it prints and the monitor's screendump must be the same on both machines.

import { beforeAll, describe, test, expect } from "vitest";
import { assemble } from "./harness";
import { buildCli, qemuAvailable } from "../cli/debugrun";
import { screendump, header, expectSamePpm } from "./vgadump";

beforeAll(() => { buildCli(); });

describe.skipIf(!qemuAvailable())("VBE screendump against qemu-system-i386 -vga std", () => {
  const cases: [string, string][] = [
    ["vga_vbe32", "640 480"], ["vga_vbe24", "320 200"], ["vga_vbe16", "400 300"], ["vga_vbe15", "320 240"],
    ["vga_vbe8", "640 480"], ["vga_vbe8dac", "800 600"], ["vga_vbe4", "640 480"],
  ];
  for (const [name, size] of cases) {
    test(`${name}: the same output and PPM, byte for byte`, async () => {
      const rom = assemble(name);
      const q = await screendump("qemu", rom, name);
      const r = await screendump("ringzero", rom, name);
      expect(header(q.ppm)).toMatch(/^P6 \d+ \d+ 255$/);
      expect(r.output).toBe(q.output);
      expectSamePpm(r.ppm, q.ppm);
      expect(header(q.ppm)).toBe(`P6 ${size} 255`);
    }, 120_000);
  }
});
