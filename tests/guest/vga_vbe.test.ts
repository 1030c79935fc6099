// Bochs VBE against qemu-system-i386 -vga std: each vga_vbe*.asm (vga_vbe.inc)
// finds the std VGA's PCI function, sizes its BARs, reads the DISPI identity and
// capabilities, has a bad geometry fixed up, sets a mode through the DISPI
// registers and draws through the linear framebuffer or the banked window. What
// it prints and the monitor's screendump must be the same on both machines.

import { existsSync } from "node:fs";
import { beforeAll, describe, test, expect } from "vitest";
import { assemble } from "./harness";
import { buildCli } from "../cli/debugrun";
import { screendump, header, expectSamePpm } from "./vgadump";

beforeAll(() => { buildCli(); });

describe("VBE screendump against qemu-system-i386 -vga std", () => {
  const cases: [string, string][] = [
    ["vga_vbe32", "640 480"], ["vga_vbe32hi", "1280 1024"], ["vga_vbe24", "320 200"], ["vga_vbe16", "400 300"], ["vga_vbe15", "320 240"],
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

// The same through the VGA BIOS: SeaBIOS runs vgabios-stdvga.bin from the std
// VGA's ROM BAR, which finds the DISPI interface and the framebuffer BAR, and
// vga_vbebios.asm (a disk image) lists the VBE modes, makes bad requests and
// sets a mode by INT 10h AX=4F02.
const SEABIOS = "/usr/share/seabios/bios-256k.bin";
describe("VBE through SeaBIOS's VGA BIOS against qemu-system-i386", () => {
  test("INT 10h 4F00/4F01/4F02/4F03: the same answers and PPM, byte for byte; bad mode requests fail with AX=014Fh", async () => {
    const img = assemble("vga_vbebios");
    const q = await screendump("qemu", SEABIOS, "vga_vbebios", ["-hda", img]);
    const r = await screendump("ringzero", SEABIOS, "vga_vbebios", ["-hda", img]);
    const lines = q.output.split("\n");
    // 4F00: success, "VESA", VBE 3.0, 16 MiB; then the modes, each 4F01 successful.
    expect(lines[0]).toMatch(/^004f 41534556 0300 [0-9a-f]{8} 0100$/);
    const modes = lines.slice(1).filter((l) => /^[0-9a-f]{4} 004f /.test(l));
    expect(modes.length).toBeGreaterThan(20);
    // The VBE 3.0 specification: AX = 014Fh, "function call failed", for a mode
    // the BIOS does not have (4F01; 4F02 with and without the LFB bit); the
    // mode stays 3.
    const bad = lines.find((l) => l.endsWith(" 004f 0003"));
    expect(bad).toBe("014f 014f 014f 014f 004f 0003");
    // The mode set: success, 4F03 reads 4118h back, the framebuffer at BAR0.
    expect(lines).toContain("004f 4118 fd000000");
    expect(r.output).toBe(q.output);
    expect(header(q.ppm)).toBe("P6 1024 768 255");
    expectSamePpm(r.ppm, q.ppm);
  }, 180_000);
});
