// Bochs VBE against qemu-system-i386 -vga std: each vga_vbe*.asm (vga_vbe.inc)
// finds the std VGA's PCI function, sizes its BARs, reads the DISPI identity and
// capabilities, has a bad geometry fixed up, sets a mode through the DISPI
// registers and draws through the linear framebuffer or the banked window. What
// it prints and the monitor's screendump must be the same on both machines.

import { existsSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, test, expect } from "vitest";
import { assemble, OUT } from "./harness";
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

// The standard VGA modes as the VGA BIOS sets them (INT 10h AH=00h), not by
// registers: vga_biosmode.asm writes text through the BIOS (in a graphics mode
// the BIOS draws the glyphs from its font) and pixels in every colour.
describe("standard VGA modes set through SeaBIOS's VGA BIOS against qemu-system-i386", () => {
  // mode, graphics, colours drawn (4 pixels each), screendump size: QEMU's
  // scan-out doubles 200-line modes to 400 lines and the 40-column modes' dots
  // (a 320-dot line drawn at 640); 80-column text has 9-dot cells. Mode 06h's
  // 400 lines are 100 rows of 2 scan lines (one per 8 KiB bank), each doubled.
  const modes: [number, boolean, number, string][] = [
    [0x00, false, 16, "640 400"], [0x01, false, 16, "640 400"], [0x02, false, 16, "720 400"], [0x03, false, 16, "720 400"],
    [0x04, true, 4, "640 400"], [0x05, true, 4, "640 400"], [0x06, true, 2, "640 400"], [0x07, false, 16, "720 400"],
    [0x0d, true, 16, "640 400"], [0x0e, true, 16, "640 400"], [0x0f, true, 4, "640 350"], [0x10, true, 16, "640 350"],
    [0x11, true, 2, "640 480"], [0x12, true, 16, "640 480"], [0x13, true, 80, "640 400"],
  ];
  for (const [mode, graphics, colours, size] of modes) {
    const name = `vga_biosmode_${mode.toString(16).padStart(2, "0")}`;
    test(`mode ${mode.toString(16).padStart(2, "0")}h: the same PPM, byte for byte`, async () => {
      mkdirSync(OUT, { recursive: true });
      const img = join(OUT, `${name}.img`);
      execFileSync("nasm", ["-f", "bin", `-DMODE=${mode}`, `-DGRAPHICS=${graphics ? 1 : 0}`, `-DCOLOURS=${colours}`, "-o", img,
        fileURLToPath(new URL("vga_biosmode.asm", import.meta.url))]);
      const q = await screendump("qemu", SEABIOS, name, ["-hda", img]);
      const r = await screendump("ringzero", SEABIOS, name, ["-hda", img]);
      expect(q.output).toBe("done\n");
      expect(r.output).toBe("done\n");
      expect(header(q.ppm)).toBe(`P6 ${size} 255`);
      expectSamePpm(r.ppm, q.ppm);
    }, 120_000);
  }
});
