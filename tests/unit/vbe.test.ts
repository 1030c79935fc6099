// Direct boot's vga= (web/host/vbe.ts): the command line read as QEMU reads it,
// the VESA mode list checked against Debian's VGA BIOS itself, and a boot of the
// Debian kernel with vga=0x344 leaving the std VGA and screen_info as the real-mode
// setup leaves them under qemu-system-i386 7.2 (SeaBIOS 1.16.2, 128 MiB): its boot log
// says "vesafb: mode is 1024x768x32, linelength=4096, pages=4", "Truecolor:
// size=8:8:8:8, shift=24:16:8:0", "framebuffer at 0xfd000000 ... total 16384k",
// and "pci 0000:00:02.0: BAR 0 [mem 0xfd000000-0xfdffffff pref]".

import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { beforeAll, describe, test, expect } from "vitest";
import { Machine } from "../../web/host/machine";
import { bootKernel, KernelImageError } from "../../web/host/kernel";
import { videoRequest, VESA_MODES } from "../../web/host/vbe";
import { BOOT_ZERO_PAGE, HDR } from "../../web/host/bzimage";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const IMAGES = join(ROOT, "public/images");

beforeAll(() => {
  if (!existsSync(join(IMAGES, "bzImage")) || !existsSync(join(IMAGES, "vgabios.bin"))) {
    const r = spawnSync(process.execPath, [join(ROOT, "tools/guest/ensure.mjs")], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`building the guest images failed: ${r.stdout}${r.stderr}`);
  }
}, 600_000);

describe("videoRequest (vga= as QEMU's x86_load_linux reads it)", () => {
  test("no vga=, vga=normal, 0xffff and 0x0f00 are the 80x25 text console", () => {
    expect(videoRequest("console=ttyS0")).toEqual({ kind: "text", vidMode: 0xffff });
    expect(videoRequest("vga=normal quiet")).toEqual({ kind: "text", vidMode: 0xffff });
    expect(videoRequest("vga=0xffff")).toEqual({ kind: "text", vidMode: 0xffff });
    expect(videoRequest("vga=0xF00")).toEqual({ kind: "text", vidMode: 0x0f00 });
  });
  test("a VESA mode number in hex, decimal or octal is 0x200 + the VGA BIOS's mode", () => {
    const m1024 = { mode: 0x144, width: 1024, height: 768, bpp: 32 };
    expect(videoRequest("console=tty0 vga=0x344")).toEqual({ kind: "vesa", vidMode: 0x344, mode: m1024 });
    expect(videoRequest("vga=836")).toEqual({ kind: "vesa", vidMode: 0x344, mode: m1024 });
    expect(videoRequest("vga=01504")).toEqual({ kind: "vesa", vidMode: 0x344, mode: m1024 });
    expect(videoRequest("vga=0x318")).toMatchObject({ mode: { width: 1024, height: 768, bpp: 24 } });
    expect(videoRequest("vga=0x305")).toMatchObject({ mode: { width: 1024, height: 768, bpp: 8 } });
    // Only a whole word: "xvga=" is another parameter.
    expect(videoRequest("xvga=0x344")).toEqual({ kind: "text", vidMode: 0xffff });
  });
  test("modes the host cannot set are errors that say what it can set", () => {
    for (const bad of ["vga=ext", "vga=ask", "vga=0xfffe", "vga=1", "vga=0x304", "vga=0x3ff", "vga=0x1234"]) {
      expect(() => videoRequest(bad), bad).toThrow(KernelImageError);
      expect(() => videoRequest(bad), bad).toThrow(/vga=0x344 \(1024x768x32\)/);
    }
    // 0x304 is VESA 104h, 1024x768 in 16 planar colours: Linux's setup does not offer it either.
    expect(() => videoRequest("vga=0x304")).toThrow(/no packed-pixel or direct-colour VESA mode 0x104/);
    expect(() => videoRequest("vga=0x34g")).toThrow(/invalid 'vga=' kernel parameter/);
  });
});

test("the mode list is the one in Debian's vgabios-stdvga.bin, less the planar modes and those over 16 MiB", () => {
  // SeaBIOS's svga_modes[]: u16 mode, then struct vgamode_s { u8 memmodel; u16 width;
  // u16 height; u8 depth; u8 cwidth; u8 cheight; u16 sstart } as GCC lays it out, 14 bytes.
  const rom = readFileSync(join(IMAGES, "vgabios.bin"));
  const first = [0x00, 0x01, 0x04, 0x00, 0x80, 0x02, 0x90, 0x01, 0x08]; // 100h: packed, 640x400x8
  const at = rom.indexOf(Buffer.from(first));
  expect(at).toBeGreaterThan(0);
  const MM_PACKED = 4, MM_DIRECT = 6, VRAM = 16 << 20;
  const listed: { mode: number; width: number; height: number; bpp: number }[] = [];
  for (let o = at; ; o += 14) {
    const mode = rom.readUInt16LE(o);
    if (mode < 0x100 || mode > 0x1ff) break;
    const model = rom[o + 2], width = rom.readUInt16LE(o + 4), height = rom.readUInt16LE(o + 6), bpp = rom[o + 8];
    const fits = height * width * Math.ceil(bpp / 8) <= VRAM; // bochsvga_setup removes the others
    if ((model === MM_PACKED || model === MM_DIRECT) && fits) listed.push({ mode, width, height, bpp });
  }
  expect(listed.length).toBeGreaterThan(60);
  expect(VESA_MODES).toEqual(listed);
});

describe("a direct boot with vga=0x344", () => {
  let m: Machine;
  beforeAll(async () => {
    m = await Machine.create({ wasm: readFileSync(join(ROOT, "build/ringzero.wasm")), ramBytes: 128 << 20 });
    bootKernel(m, { kernel: new Uint8Array(readFileSync(join(IMAGES, "bzImage"))), kernelName: "bzImage", cmdline: "console=ttyS0 vga=0x344" });
  });
  const dispi = (i: number) => { m.portOut(0x1ce, 2, i); return m.portIn(0x1cf, 2); };
  const pciVga = (reg: number) => { m.portOut(0xcf8, 4, 0x80001000 | reg); return m.portIn(0xcfc, 4) >>> 0; };

  test("the std VGA holds 1024x768x32 with its linear framebuffer at 0xfd000000, as SeaBIOS leaves it", () => {
    expect([dispi(1), dispi(2), dispi(3)]).toEqual([1024, 768, 32]); // XRES, YRES, BPP
    expect(dispi(4)).toBe(0x41); // ENABLE: ENABLED | LFB_ENABLED
    expect(dispi(6)).toBe(1024); // VIRT_WIDTH
    expect(pciVga(0x10)).toBe(0xfd000008); // BAR0: prefetchable memory
    expect(pciVga(0x18)).toBe(0xfebf0000); // BAR2
    expect(pciVga(0x04) & 0x3).toBe(0x3); // I/O and memory decode on
    // The picture is the VBE mode's, 1024x768, and cleared to black.
    const img = m.vgaImage();
    expect([img.mode, img.width, img.height]).toEqual(["graphics", 1024, 768]);
    expect(img.rgba.every((v, i) => (i & 3) === 3 || v === 0)).toBe(true);
  });

  test("screen_info describes it as the setup's vesa_store_mode_params_graphics does", () => {
    const zp = m.readPhysical(BOOT_ZERO_PAGE, 0x40 + 0x200);
    const v = new DataView(zp.buffer, zp.byteOffset);
    expect(zp[0x0f]).toBe(0x23); // orig_video_isVGA: VIDEO_TYPE_VLFB
    expect([v.getUint16(0x12, true), v.getUint16(0x14, true), v.getUint16(0x16, true)]).toEqual([1024, 768, 32]);
    expect(v.getUint32(0x18, true)).toBe(0xfd000000); // lfb_base
    expect(v.getUint32(0x1c, true)).toBe(256); // lfb_size: 16384k in 64 KiB units
    expect(v.getUint16(0x24, true)).toBe(4096); // lfb_linelength
    expect([...zp.subarray(0x26, 0x2e)]).toEqual([8, 16, 8, 8, 8, 0, 8, 24]); // size=8:8:8:8 shift=24:16:8:0 (rsvd:red:green:blue)
    expect(v.getUint16(0x2e, true)).toBe(0); // vesapm_seg: no protected-mode interface
    expect(v.getUint16(0x32, true)).toBe(4); // pages
    expect(v.getUint16(HDR.vid_mode, true)).toBe(0x344);
  });
});

test("vga=0x305 (1024x768x8) switches the DAC to 8 bits, as the setup asks the BIOS to; a bad vga= stops the boot before anything changes", async () => {
  const m = await Machine.create({ wasm: readFileSync(join(ROOT, "build/ringzero.wasm")), ramBytes: 128 << 20 });
  const kernel = new Uint8Array(readFileSync(join(IMAGES, "bzImage")));
  const dispi = (i: number) => { m.portOut(0x1ce, 2, i); return m.portIn(0x1cf, 2); };
  bootKernel(m, { kernel, kernelName: "bzImage", cmdline: "vga=0x305" });
  expect([dispi(1), dispi(2), dispi(3), dispi(4)]).toEqual([1024, 768, 8, 0x61]); // ENABLED | 8BIT_DAC | LFB_ENABLED
  const zp = m.readPhysical(BOOT_ZERO_PAGE, 0x40);
  // qemu-system-i386 with vga=0x305: "vesafb: Pseudocolor: size=8:8:8:8, shift=0:0:0:0".
  expect([...zp.subarray(0x26, 0x2e)]).toEqual([8, 0, 8, 0, 8, 0, 8, 0]);
  expect(new DataView(zp.buffer, zp.byteOffset).getUint16(0x24, true)).toBe(1024);
  expect(() => bootKernel(m, { kernel, kernelName: "bzImage", cmdline: "vga=ask" })).toThrow(KernelImageError);
  expect([dispi(3), dispi(4)]).toEqual([8, 0x61]); // still the mode of the boot before: no reset, no mode set
});
