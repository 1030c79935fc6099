// Direct boot's `vga=`: the graphics mode a boot loader asks Linux's real-mode
// setup for, set here by the host because RingZero enters the kernel's 32-bit
// entry and no setup code (nor VGA BIOS) runs.
//
// With QEMU, `-kernel bzImage -append "... vga=0x344"` works so: QEMU copies the
// number into the setup header's vid_mode (hw/i386/x86.c x86_load_linux: "normal",
// "ext", "ask" or a C number), the kernel's setup (arch/x86/boot/video*.c) asks the
// VGA BIOS (SeaBIOS's vgabios-stdvga: INT 10h AX=4F02h) for VESA mode
// vid_mode - 0x200 with its linear framebuffer, and fills boot_params.screen_info
// from the mode information (video-vesa.c vesa_store_mode_params_graphics): type
// VIDEO_TYPE_VLFB, resolution, depth, line length, framebuffer address and size,
// the colour fields. Linux's sysfb then makes a "vesa-framebuffer" device for
// vesafb, and fbcon draws the console on it.
//
// This file does the same steps for the std VGA (asm/dev/vga.ts): the VESA mode
// list of Debian's vgabios-stdvga.bin (SeaBIOS 1.16.2 vgasrc/svgamodes.c; the
// packed-pixel and direct-colour modes that fit in the 16 MiB of video memory:
// the ones Linux's setup accepts), BAR0 placed where SeaBIOS places it under
// QEMU, the Bochs DISPI registers written as vgasrc/bochsvga.c's
// bochsvga_set_mode writes them, and screen_info's fields as the setup fills
// them from the BIOS's answers (checked against qemu-system-i386 7.2 with the
// same kernel: tests/system/fbcon.test.ts).
//
// Not done: text modes other than 80x25 (vga=ext, ask, menu numbers: the setup's
// own VGA programming), the 16-colour planar VESA modes (Linux's setup does not
// offer them either), the VBE protected-mode interface (SeaBIOS has none), EDID.

import { KernelImageError } from "./bzimage";

/** How the host reaches the machine's I/O ports (web/host/machine.ts Machine). */
export interface PortIo {
  portIn(port: number, size: 1 | 2 | 4): number;
  portOut(port: number, size: 1 | 2 | 4, value: number): void;
}

export interface VesaMode { mode: number; width: number; height: number; bpp: number }

// Debian seabios 1.16.2 vgabios-stdvga.bin, svga_modes[] (mode, memory model,
// width, height, depth), without the planar modes and those larger than video
// memory, which bochsvga_setup removes. tests/unit/vbe.test.ts reads the table
// back from the ROM image to check it.
const MODES: [number, number, number, number][] = [
  [0x100, 640, 400, 8], [0x101, 640, 480, 8], [0x103, 800, 600, 8], [0x105, 1024, 768, 8],
  [0x107, 1280, 1024, 8], [0x10d, 320, 200, 15], [0x10e, 320, 200, 16], [0x10f, 320, 200, 24],
  [0x110, 640, 480, 15], [0x111, 640, 480, 16], [0x112, 640, 480, 24], [0x113, 800, 600, 15],
  [0x114, 800, 600, 16], [0x115, 800, 600, 24], [0x116, 1024, 768, 15], [0x117, 1024, 768, 16],
  [0x118, 1024, 768, 24], [0x119, 1280, 1024, 15], [0x11a, 1280, 1024, 16], [0x11b, 1280, 1024, 24],
  [0x11c, 1600, 1200, 8], [0x11d, 1600, 1200, 15], [0x11e, 1600, 1200, 16], [0x11f, 1600, 1200, 24],
  [0x140, 320, 200, 32], [0x141, 640, 400, 32], [0x142, 640, 480, 32], [0x143, 800, 600, 32],
  [0x144, 1024, 768, 32], [0x145, 1280, 1024, 32], [0x146, 320, 200, 8], [0x147, 1600, 1200, 32],
  [0x148, 1152, 864, 8], [0x149, 1152, 864, 15], [0x14a, 1152, 864, 16], [0x14b, 1152, 864, 24],
  [0x14c, 1152, 864, 32], [0x175, 1280, 768, 16], [0x176, 1280, 768, 24], [0x177, 1280, 768, 32],
  [0x178, 1280, 800, 16], [0x179, 1280, 800, 24], [0x17a, 1280, 800, 32], [0x17b, 1280, 960, 16],
  [0x17c, 1280, 960, 24], [0x17d, 1280, 960, 32], [0x17e, 1440, 900, 16], [0x17f, 1440, 900, 24],
  [0x180, 1440, 900, 32], [0x181, 1400, 1050, 16], [0x182, 1400, 1050, 24], [0x183, 1400, 1050, 32],
  [0x184, 1680, 1050, 16], [0x185, 1680, 1050, 24], [0x186, 1680, 1050, 32], [0x187, 1920, 1200, 16],
  [0x188, 1920, 1200, 24], [0x189, 1920, 1200, 32], [0x18a, 2560, 1600, 16], [0x18b, 2560, 1600, 24],
  [0x18c, 2560, 1600, 32], [0x18d, 1280, 720, 16], [0x18e, 1280, 720, 24], [0x18f, 1280, 720, 32],
  [0x190, 1920, 1080, 16], [0x191, 1920, 1080, 24], [0x192, 1920, 1080, 32], [0x193, 1600, 900, 16],
  [0x194, 1600, 900, 24], [0x195, 1600, 900, 32], [0x196, 2560, 1440, 16], [0x197, 2560, 1440, 24],
  [0x198, 2560, 1440, 32], [0x199, 3840, 2160, 16],
];
export const VESA_MODES: readonly VesaMode[] = MODES.map(([mode, width, height, bpp]) => ({ mode, width, height, bpp }));

// vid_mode values (Documentation/arch/x86/boot.rst "vid_mode"; arch/x86/boot/video.h).
export const VID_NORMAL = 0xffff;
export const VID_EXTENDED = 0xfffe;
export const VID_ASK = 0xfffd;
const VIDEO_80x25 = 0x0f00;
/** vid_mode 0x0200-0x08ff: VESA BIOS mode (vid_mode - 0x200) (video.h VIDEO_FIRST_VESA, VIDEO_FIRST_V7). */
const VIDEO_FIRST_VESA = 0x0200, VIDEO_FIRST_V7 = 0x0900;

/** What `vga=` asks for: the 80x25 text console (also without vga=), or a VESA mode. */
export type VideoRequest = { kind: "text"; vidMode: number } | { kind: "vesa"; vidMode: number; mode: VesaMode };

const hex = (n: number) => "0x" + n.toString(16);

function unsupported(text: string, why: string): KernelImageError {
  return new KernelImageError(
    `vga=${text}: ${why}. RingZero's direct boot sets the VESA modes of the std VGA's BIOS itself ` +
    `(vga=0x200 + the VESA mode number): e.g. vga=0x344 (1024x768x32), 0x318 (1024x768x24), ` +
    `0x317 (1024x768x16), 0x305 (1024x768x8), 0x342 (640x480x32); or vga=normal (80x25 text). ` +
    `Other text modes (ext, ask, menu numbers) need the kernel's real-mode setup: boot it through SeaBIOS (a CD or disk image) instead`);
}

/** The `vga=` of a kernel command line, read as QEMU reads it (the first "vga=";
 *  "normal", "ext", "ask" or a number in C notation: 0x.. hex, 0.. octal, decimal). */
export function videoRequest(cmdline: string): VideoRequest {
  const m = /(?:^|\s)vga=(\S*)/.exec(cmdline);
  if (!m) return { kind: "text", vidMode: VID_NORMAL };
  const text = m[1];
  if (text.startsWith("normal")) return { kind: "text", vidMode: VID_NORMAL };
  const EXT = "the 80x43/80x50 text mode is not one the host sets";
  const ASK = "there is no setup program to ask at the 32-bit entry";
  if (text.startsWith("ext")) throw unsupported(text, EXT);
  if (text.startsWith("ask")) throw unsupported(text, ASK);
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]*$/.test(text)) n = parseInt(text, 8);
  else if (/^[1-9][0-9]*$/.test(text)) n = parseInt(text, 10);
  else throw new KernelImageError(`invalid 'vga=' kernel parameter: "vga=${text}" (a mode number such as 0x344, or normal, ext, ask)`);
  if (n === VID_NORMAL || n === VIDEO_80x25) return { kind: "text", vidMode: n };
  if (n === VID_EXTENDED || n === VID_ASK) throw unsupported(text, n === VID_ASK ? ASK : EXT);
  if (n < VIDEO_FIRST_VESA || n >= VIDEO_FIRST_V7) throw unsupported(text, `mode ${hex(n)} is not a VESA mode (0x200-0x8ff)`);
  const mode = VESA_MODES.find((v) => v.mode === n - VIDEO_FIRST_VESA);
  if (!mode) throw unsupported(text, `the std VGA's BIOS has no packed-pixel or direct-colour VESA mode ${hex(n - VIDEO_FIRST_VESA)}`);
  return { kind: "vesa", vidMode: n, mode };
}

/** screen_info for a VESA linear framebuffer (include/uapi/linux/screen_info.h). */
export interface LinearFramebuffer {
  base: number;
  width: number;
  height: number;
  depth: number;
  lineLength: number;
  /** Video memory, bytes (screen_info.lfb_size counts 64 KiB). */
  vramBytes: number;
  /** Image pages beyond the first (VBE mode info NumberOfImagePages). */
  pages: number;
  /** size and position of each colour field: red, green, blue, reserved */
  fields: [number, number, number, number, number, number, number, number];
  /** VBE controller capabilities (bit 0: DAC switchable to 8 bits). */
  capabilities: number;
  /** VBE mode attributes. */
  modeAttributes: number;
}

// PCI configuration mechanism #1 and the std VGA's function (asm/dev/pci.ts: 00:02.0).
const PCI_ADDRESS = 0xcf8, PCI_DATA = 0xcfc;
const VGA_CONFIG = 0x80000000 | (2 << 11);
const PCI_COMMAND = 0x04, PCI_BAR0 = 0x10, PCI_BAR2 = 0x18;
const PCI_COMMAND_IO = 0x1, PCI_COMMAND_MEMORY = 0x2;
/** Where SeaBIOS puts the std VGA's BARs under QEMU's pc machine with 128 MiB
 *  (qemu-system-i386 7.2's boot log: "BAR 0 [mem 0xfd000000-0xfdffffff pref]",
 *  "BAR 2 [mem 0xfebf0000-0xfebf0fff]"), inside the PCI window of our DSDT. */
export const LFB_BASE = 0xfd000000;
const MMIO_BASE = 0xfebf0000;

// Bochs DISPI (vbe.h names; asm/dev/vga.ts).
const DISPI_INDEX = 0x1ce, DISPI_DATA = 0x1cf;
const DISPI = { ID: 0, XRES: 1, YRES: 2, BPP: 3, ENABLE: 4, BANK: 5, VIRT_WIDTH: 6, VIDEO_MEMORY_64K: 10 } as const;
const DISPI_ENABLED = 0x01, DISPI_8BIT_DAC = 0x20, DISPI_LFB_ENABLED = 0x40;
const DISPI_ID0 = 0xb0c0;

// VBE mode attributes (VBE 3.0 §4.4, ModeAttributes): supported, optional
// information available, colour, graphics, linear framebuffer.
const MODE_ATTRIBUTES = 0x01 | 0x02 | 0x08 | 0x10 | 0x80;
/** SeaBIOS's VBE_capabilities: VBE_CAPABILITY_8BIT_DAC. */
const VBE_CAPABILITY_8BIT_DAC = 0x01;

/** Colour fields as SeaBIOS's VBE mode information gives them (vgasrc/vbe.c);
 *  for 8 bpp the setup's vesa_dac_set_8bits has set all four sizes to the DAC's 8 bits
 *  and the positions to 0. */
function colourFields(bpp: number): LinearFramebuffer["fields"] {
  switch (bpp) {
    case 8: return [8, 0, 8, 0, 8, 0, 8, 0];
    case 15: return [5, 10, 5, 5, 5, 0, 1, 15];
    case 16: return [5, 11, 6, 5, 5, 0, 0, 0];
    case 24: return [8, 16, 8, 8, 8, 0, 0, 0];
    default: return [8, 16, 8, 8, 8, 0, 8, 24];
  }
}

/** Set `mode` on the std VGA as the VGA BIOS does for INT 10h AX=4F02h with the
 *  linear framebuffer bit, after placing and enabling its PCI BARs as the
 *  firmware would have; returns what the kernel's setup would put in screen_info.
 *  Throws KernelImageError when the device does not take the mode. */
export function setVesaMode(io: PortIo, mode: VesaMode): LinearFramebuffer {
  const cfgWrite = (reg: number, size: 2 | 4, v: number) => {
    io.portOut(PCI_ADDRESS, 4, VGA_CONFIG | reg);
    io.portOut(PCI_DATA + (reg & 2), size, v);
  };
  const dispiWrite = (i: number, v: number) => { io.portOut(DISPI_INDEX, 2, i); io.portOut(DISPI_DATA, 2, v); };
  const dispiRead = (i: number) => { io.portOut(DISPI_INDEX, 2, i); return io.portIn(DISPI_DATA, 2); };

  cfgWrite(PCI_BAR0, 4, LFB_BASE);
  cfgWrite(PCI_BAR2, 4, MMIO_BASE);
  cfgWrite(PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
  io.portOut(PCI_ADDRESS, 4, 0);

  // bochsvga_setup's probe, then bochsvga_set_mode.
  dispiWrite(DISPI.ID, DISPI_ID0);
  if (dispiRead(DISPI.ID) !== DISPI_ID0) throw new KernelImageError(`vga=${hex(mode.mode + VIDEO_FIRST_VESA)}: the machine's VGA has no Bochs VBE (DISPI) interface`);
  dispiWrite(DISPI.ENABLE, 0);
  dispiWrite(DISPI.BPP, mode.bpp);
  dispiWrite(DISPI.XRES, mode.width);
  dispiWrite(DISPI.YRES, mode.height);
  dispiWrite(DISPI.BANK, 0);
  // The setup switches the DAC to 8 bits for palette modes (video-vesa.c vesa_dac_set_8bits, VBE 4F08h).
  dispiWrite(DISPI.ENABLE, DISPI_ENABLED | DISPI_LFB_ENABLED | (mode.bpp <= 8 ? DISPI_8BIT_DAC : 0));
  const got = { width: dispiRead(DISPI.XRES), height: dispiRead(DISPI.YRES), bpp: dispiRead(DISPI.BPP) };
  if (got.width !== mode.width || got.height !== mode.height || got.bpp !== mode.bpp) {
    throw new KernelImageError(`vga=${hex(mode.mode + VIDEO_FIRST_VESA)}: the VGA did not take ${mode.width}x${mode.height}x${mode.bpp} (it has ${got.width}x${got.height}x${got.bpp})`);
  }
  const bytesPerPixel = Math.ceil(mode.bpp / 8);
  const lineLength = dispiRead(DISPI.VIRT_WIDTH) * bytesPerPixel; // bochsvga_get_linelength
  const vramBytes = dispiRead(DISPI.VIDEO_MEMORY_64K) * 65536;
  return {
    base: LFB_BASE, width: mode.width, height: mode.height, depth: mode.bpp, lineLength, vramBytes,
    pages: Math.floor(vramBytes / (lineLength * mode.height)) - 1, // SeaBIOS vbe_104f01
    fields: colourFields(mode.bpp),
    capabilities: VBE_CAPABILITY_8BIT_DAC,
    modeAttributes: MODE_ATTRIBUTES,
  };
}
