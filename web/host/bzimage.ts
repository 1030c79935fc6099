// Direct Linux boot: the x86 boot protocol for bzImage kernels, entered through
// its 32-bit entry point with no BIOS (the kernel's Documentation/arch/x86/boot.rst,
// "The Real-Mode Kernel Header", "Loading The Rest of The Kernel", "32-bit Boot
// Protocol"; zero-page.rst for struct boot_params).
// Not done here: the 16-bit entry (real-mode setup code, which needs a BIOS),
// EFI handover, setup_data lists, zImage (loaded low) kernels and 64-bit kernels.

import { e820Map, type E820Entry } from "./memmap";
import { writeAcpiTables, ACPI_TABLES } from "./acpi";

/** BIOS data area word: the EBDA's segment. */
const BDA_EBDA_SEGMENT = 0x40e;
import { writeBootGdt, type EntryState } from "./cpustate";
import type { LinearFramebuffer } from "./vbe";

export class KernelImageError extends Error {}

// setup header offsets (boot.rst, "The Real-Mode Kernel Header")
export const HDR = {
  setup_sects: 0x1f1, root_flags: 0x1f2, syssize: 0x1f4, ram_size: 0x1f8, vid_mode: 0x1fa,
  root_dev: 0x1fc, boot_flag: 0x1fe, jump: 0x200, header: 0x202, version: 0x206,
  realmode_swtch: 0x208, start_sys_seg: 0x20c, kernel_version: 0x20e, type_of_loader: 0x210,
  loadflags: 0x211, setup_move_size: 0x212, code32_start: 0x214, ramdisk_image: 0x218,
  ramdisk_size: 0x21c, bootsect_kludge: 0x220, heap_end_ptr: 0x224, ext_loader_ver: 0x226,
  ext_loader_type: 0x227, cmd_line_ptr: 0x228, initrd_addr_max: 0x22c, kernel_alignment: 0x230,
  relocatable_kernel: 0x234, min_alignment: 0x235, xloadflags: 0x236, cmdline_size: 0x238,
  hardware_subarch: 0x23c, payload_offset: 0x248, payload_length: 0x24c, setup_data: 0x250,
  pref_address: 0x258, init_size: 0x260, handover_offset: 0x264,
} as const;

// struct boot_params fields outside the setup header (zero-page.rst)
export const ZP = {
  screen_info: 0x000, acpi_rsdp_addr: 0x070, alt_mem_k: 0x1e0, e820_entries: 0x1e8, hdr: 0x1f1, e820_table: 0x2d0,
  size: 0x1000,
} as const;
export const E820_MAX_ENTRIES_ZEROPAGE = 128;

// struct screen_info, the fields of a VESA linear framebuffer (include/uapi/linux/screen_info.h)
export const SI = {
  orig_video_isVGA: 0x0f, lfb_width: 0x12, lfb_height: 0x14, lfb_depth: 0x16, lfb_base: 0x18, lfb_size: 0x1c,
  lfb_linelength: 0x24, red_size: 0x26, vesapm_seg: 0x2e, pages: 0x32, vesa_attributes: 0x34, capabilities: 0x36,
} as const;
/** orig_video_isVGA: a VESA VGA in graphic mode (screen_info.h VIDEO_TYPE_VLFB). */
export const VIDEO_TYPE_VLFB = 0x23;
/** struct boot_params: the setup header ends before edd_mbr_sig_buffer at 0x290. */
const HDR_MAX_END = 0x290;

export const HDRS_MAGIC = 0x53726448; // "HdrS"
export const LOADED_HIGH = 1 << 0;
export const CAN_USE_HEAP = 1 << 7;
export const XLF_KERNEL_64 = 1 << 0;
/** Boot loader id: 0xFF is "undefined" (boot.rst, type_of_loader); RingZero has no assigned id. */
export const TYPE_OF_LOADER = 0xff;
export const MIN_PROTOCOL = 0x0204;
/** syssize counts 16-byte paragraphs (boot.rst). */
const SYSSIZE_UNIT = 16;

/** Where the direct boot puts its own structures, all in conventional memory. */
export const BOOT_ZERO_PAGE = 0x10000;
export const BOOT_GDT = 0x11000;
export const BOOT_CMDLINE = 0x20000;
/** bzImage protected-mode code load address (boot.rst: 0x100000 for bzImage kernels). */
export const KERNEL_LOAD = 0x100000;
export const BOOT_CS = 0x10;
export const BOOT_DS = 0x18;

export interface SetupHeader {
  /** Protocol version, (major << 8) | minor. */
  version: number;
  setupSects: number;
  syssize: number;
  loadflags: number;
  code32Start: number;
  initrdAddrMax: number;
  kernelAlignment: number;
  relocatable: boolean;
  minAlignment: number;
  xloadflags: number;
  /** Longest command line the kernel takes, without the terminating NUL. */
  cmdlineSize: number;
  prefAddress: number;
  initSize: number;
  /** The "kernel_version" string, when the image has one. */
  kernelVersion: string;
  /** First byte after the setup header (0x202 + byte at 0x201), capped at 0x290. */
  headerEnd: number;
  /** File offset and length of the 32-bit (protected-mode) kernel. */
  pmOffset: number;
  pmSize: number;
}

const hex = (n: number, w = 0) => "0x" + (n >>> 0).toString(16).padStart(w, "0");
const versionText = (v: number) => `${v >> 8}.${(v & 0xff).toString().padStart(2, "0")}`;

function view(b: Uint8Array): DataView { return new DataView(b.buffer, b.byteOffset, b.byteLength); }

/** True when the image carries the boot protocol's "HdrS" magic at 0x202. */
export function hasSetupHeader(img: Uint8Array): boolean {
  return img.length >= HDR.header + 4 && view(img).getUint32(HDR.header, true) === HDRS_MAGIC;
}

/** Read and check the setup header; throws KernelImageError naming the problem. */
export function parseBzImage(img: Uint8Array): SetupHeader {
  if (img.length < 1024) throw new KernelImageError(`not a Linux kernel: only ${img.length} bytes`);
  const v = view(img);
  if (v.getUint16(HDR.boot_flag, true) !== 0xaa55) {
    throw new KernelImageError("not a Linux kernel: no boot sector signature 0xAA55 at offset 510");
  }
  if (v.getUint32(HDR.header, true) !== HDRS_MAGIC) {
    throw new KernelImageError("not a bzImage: no \"HdrS\" setup header at offset 0x202 (a zImage from before Linux 1.3.73?)");
  }
  const version = v.getUint16(HDR.version, true);
  if (version < MIN_PROTOCOL) {
    throw new KernelImageError(`Linux boot protocol ${versionText(version)} is too old: RingZero needs ${versionText(MIN_PROTOCOL)} or later (Linux 2.6.14+)`);
  }
  const loadflags = img[HDR.loadflags];
  if (!(loadflags & LOADED_HIGH)) throw new KernelImageError("a zImage (loaded below 1 MiB) is not supported: use a bzImage");
  const setupSects = img[HDR.setup_sects] || 4; // boot.rst: 0 means 4
  const pmOffset = (setupSects + 1) * 512;
  const syssize = v.getUint32(HDR.syssize, true);
  if (pmOffset >= img.length) {
    throw new KernelImageError(`truncated bzImage: the file (${img.length} bytes) ends inside the ${setupSects} setup sectors`);
  }
  // syssize is in 16-byte paragraphs, rounded up (boot.rst), so a whole file may
  // be up to 15 bytes shorter than syssize * 16: memtest86+ and ipxe.lkrn are.
  // QEMU loads whatever follows the setup; a whole paragraph missing is a cut file.
  const pmBytes = img.length - pmOffset;
  if (syssize * 16 - pmBytes >= SYSSIZE_UNIT) {
    throw new KernelImageError(`truncated bzImage: syssize says the 32-bit kernel at offset ${hex(pmOffset)} is ${syssize * 16} bytes, the file holds only ${pmBytes}`);
  }
  const has = (min: number) => version >= min;
  const xloadflags = has(0x020c) ? v.getUint16(HDR.xloadflags, true) : 0;
  const prefLo = has(0x020a) ? v.getUint32(HDR.pref_address, true) : 0;
  const prefHi = has(0x020a) ? v.getUint32(HDR.pref_address + 4, true) : 0;
  const kvOff = v.getUint16(HDR.kernel_version, true);
  let kernelVersion = "";
  if (kvOff !== 0 && kvOff + 0x200 < pmOffset) {
    const start = kvOff + 0x200;
    let end = start;
    while (end < pmOffset && end < start + 256 && img[end] !== 0) end++;
    kernelVersion = String.fromCharCode(...img.subarray(start, end));
  }
  const h: SetupHeader = {
    version, setupSects, syssize, loadflags,
    code32Start: v.getUint32(HDR.code32_start, true),
    initrdAddrMax: has(0x0203) ? v.getUint32(HDR.initrd_addr_max, true) : 0x37ffffff,
    kernelAlignment: has(0x0205) ? v.getUint32(HDR.kernel_alignment, true) : 0,
    relocatable: has(0x0205) ? img[HDR.relocatable_kernel] !== 0 : false,
    minAlignment: has(0x020a) ? img[HDR.min_alignment] : 0,
    xloadflags,
    cmdlineSize: has(0x0206) ? v.getUint32(HDR.cmdline_size, true) : 255,
    prefAddress: prefHi !== 0 ? Number.POSITIVE_INFINITY : prefLo,
    initSize: has(0x020a) ? v.getUint32(HDR.init_size, true) : 0,
    kernelVersion,
    headerEnd: Math.min(0x202 + img[0x201], HDR_MAX_END),
    pmOffset,
    pmSize: img.length - pmOffset,
  };
  if (xloadflags & XLF_KERNEL_64) {
    throw new KernelImageError("this is a 64-bit (x86-64) kernel; RingZero emulates a 32-bit i686 CPU: use an i386/i686 kernel");
  }
  return h;
}

/** Where a relocatable kernel decompresses itself, and the end of the memory it
 *  needs before it reads the memory map (boot.rst: init_size, kernel_alignment,
 *  pref_address; arch/x86/boot/compressed/head_32.S aligns the load address up to
 *  kernel_alignment and never goes below LOAD_PHYSICAL_ADDR = pref_address). */
export function kernelFootprint(h: SetupHeader): { runStart: number; end: number } {
  let runStart = KERNEL_LOAD;
  if (h.version >= 0x020a && Number.isFinite(h.prefAddress)) {
    const align = h.relocatable && h.kernelAlignment > 0 ? h.kernelAlignment : 1;
    const aligned = Math.ceil(KERNEL_LOAD / align) * align;
    runStart = h.relocatable ? Math.max(aligned, h.prefAddress) : Math.max(h.prefAddress, KERNEL_LOAD);
  }
  const end = Math.max(KERNEL_LOAD + h.pmSize, runStart + h.initSize);
  return { runStart, end };
}

/** Highest 4 KiB-aligned start for an initrd of `size` bytes whose last byte is at
 *  or below min(initrd_addr_max, last byte of RAM) (boot.rst: initrd_addr_max is
 *  the highest byte the initrd may occupy). Returns -1 when it cannot sit above `floor`. */
export function placeInitrd(size: number, initrdAddrMax: number, ramBytes: number, floor: number): number {
  const top = Math.min(initrdAddrMax >>> 0, ramBytes - 1);
  const start = Math.floor((top + 1 - size) / 4096) * 4096;
  return start >= floor ? start : -1;
}

export interface BzImageOptions {
  cmdline: string;
  initrd?: Uint8Array;
  /** Size of the system BIOS image mapped below 4 GiB (reserved in the e820 map), 0 if none. */
  romBytes?: number;
  /** Describe an 80x25 colour text console in screen_info (only with a VGA card); default: no video. */
  vgaText?: boolean;
  /** The machine has an HPET (its ACPI table is written); default true, as QEMU's pc. */
  hpet?: boolean;
  /** The video mode the boot loader set (web/host/vbe.ts): vid_mode, and the
   *  linear framebuffer of a VESA mode, described in screen_info. */
  video?: { vidMode: number; lfb?: LinearFramebuffer };
}

export interface BzImageBoot {
  header: SetupHeader;
  zeroPage: number;
  cmdline: number;
  initrd: { addr: number; size: number } | null;
  e820: E820Entry[];
  entry: EntryState;
}

/** Fill struct boot_params (the "zero page") at `at` in `zp` (4 KiB, zeroed here). */
export function buildZeroPage(zp: Uint8Array, img: Uint8Array, h: SetupHeader, p: {
  ramBytes: number; cmdlineAddr: number; initrd: { addr: number; size: number } | null; e820: E820Entry[]; vgaText: boolean;
  video?: BzImageOptions["video"];
  /** Physical address of the ACPI RSDP (boot protocol 2.14+), 0 for none. */
  acpiRsdp?: number;
}): void {
  zp.fill(0, 0, ZP.size);
  const v = view(zp);
  // boot.rst "32-bit Boot Protocol": copy the setup header from 0x1F1 of the image.
  zp.set(img.subarray(HDR.setup_sects, h.headerEnd), HDR.setup_sects);
  if (p.vgaText) {
    // struct screen_info: cursor 0,0; mode 3 (80x25 colour text); VGA; 16-line font
    zp[0x06] = 3; zp[0x07] = 80; zp[0x0e] = 25; zp[0x0f] = 1; v.setUint16(0x10, 16, true);
  }
  const lfb = p.video?.lfb;
  if (lfb) {
    // What arch/x86/boot/video-vesa.c vesa_store_mode_params_graphics stores from
    // the VBE mode information (no protected-mode interface: vesapm_seg 0).
    zp.fill(0, 0, 0x40);
    zp[SI.orig_video_isVGA] = VIDEO_TYPE_VLFB;
    v.setUint16(SI.lfb_width, lfb.width, true);
    v.setUint16(SI.lfb_height, lfb.height, true);
    v.setUint16(SI.lfb_depth, lfb.depth, true);
    v.setUint32(SI.lfb_base, lfb.base, true);
    v.setUint32(SI.lfb_size, lfb.vramBytes >>> 16, true); // 64 KiB units (vginfo.total_memory)
    v.setUint16(SI.lfb_linelength, lfb.lineLength, true);
    zp.set(lfb.fields, SI.red_size); // red, green, blue, reserved: size and position each
    v.setUint16(SI.pages, lfb.pages, true);
    v.setUint16(SI.vesa_attributes, lfb.modeAttributes, true);
    v.setUint32(SI.capabilities, lfb.capabilities, true);
  }
  v.setUint32(ZP.alt_mem_k, Math.max(0, (p.ramBytes >>> 10) - 1024), true);
  if (p.acpiRsdp && h.version >= 0x020e) v.setBigUint64(ZP.acpi_rsdp_addr, BigInt(p.acpiRsdp), true);
  const n = Math.min(p.e820.length, E820_MAX_ENTRIES_ZEROPAGE);
  zp[ZP.e820_entries] = n;
  for (let i = 0; i < n; i++) {
    const e = p.e820[i], o = ZP.e820_table + i * 20;
    v.setBigUint64(o, BigInt(e.addr), true);
    v.setBigUint64(o + 8, BigInt(e.size), true);
    v.setUint32(o + 16, e.type, true);
  }
  // boot.rst vid_mode: 0xFFFF "normal"; or the mode web/host/vbe.ts set for vga=,
  // which the setup code would have stored after setting it.
  v.setUint16(HDR.vid_mode, p.video?.vidMode ?? 0xffff, true);
  zp[HDR.type_of_loader] = TYPE_OF_LOADER;
  zp[HDR.loadflags] = (zp[HDR.loadflags] | CAN_USE_HEAP) & 0xff; // LOADED_HIGH stays as the kernel set it
  v.setUint16(HDR.heap_end_ptr, 0xfe00, true); // end of a 64 KiB real-mode segment, minus 0x200
  v.setUint32(HDR.code32_start, KERNEL_LOAD, true);
  v.setUint32(HDR.cmd_line_ptr, p.cmdlineAddr, true);
  v.setUint32(HDR.ramdisk_image, p.initrd?.addr ?? 0, true);
  v.setUint32(HDR.ramdisk_size, p.initrd?.size ?? 0, true);
}

/** Load a bzImage (and initrd) into guest RAM, build the zero page, and return the
 *  CPU state that enters its 32-bit entry point. Throws KernelImageError. */
export function loadBzImage(ram: Uint8Array, img: Uint8Array, opts: BzImageOptions): BzImageBoot {
  const h = parseBzImage(img);
  const ramBytes = ram.length;
  const cmd = new TextEncoder().encode(opts.cmdline);
  if (cmd.length > h.cmdlineSize) {
    throw new KernelImageError(`kernel command line is ${cmd.length} bytes; this kernel takes at most ${h.cmdlineSize}`);
  }
  const fp = kernelFootprint(h);
  if (fp.end > ramBytes) {
    const mib = Math.ceil(fp.end / (1 << 20));
    throw new KernelImageError(`this kernel needs at least ${mib} MiB of RAM to boot, the machine has ${ramBytes >>> 20} MiB (use -m)`);
  }
  let initrd: { addr: number; size: number } | null = null;
  if (opts.initrd && opts.initrd.length > 0) {
    const size = opts.initrd.length;
    const addr = placeInitrd(size, h.initrdAddrMax, ramBytes, fp.end);
    if (addr < 0) {
      throw new KernelImageError(`the initrd (${size} bytes) does not fit in RAM above the kernel and below ${hex(Math.min(h.initrdAddrMax, ramBytes - 1) + 1)}: give the machine more memory (-m)`);
    }
    initrd = { addr, size };
    ram.set(opts.initrd, addr);
  }
  ram.set(img.subarray(h.pmOffset), KERNEL_LOAD);
  ram.set(cmd, BOOT_CMDLINE);
  ram[BOOT_CMDLINE + cmd.length] = 0;
  const e820 = e820Map(ramBytes, opts.romBytes ?? 0);
  // The ACPI tables a firmware would have left (PM timer, power-off), in the
  // reserved EBDA; older kernels find the RSDP by scanning the EBDA (BDA 0x40E).
  const acpiRsdp = writeAcpiTables(ram, ACPI_TABLES, { hpet: opts.hpet ?? true });
  new DataView(ram.buffer, ram.byteOffset).setUint16(BDA_EBDA_SEGMENT, ACPI_TABLES >>> 4, true);
  buildZeroPage(ram.subarray(BOOT_ZERO_PAGE, BOOT_ZERO_PAGE + ZP.size), img, h, {
    ramBytes, cmdlineAddr: BOOT_CMDLINE, initrd, e820, vgaText: opts.vgaText ?? false, acpiRsdp, video: opts.video,
  });
  const gdt = writeBootGdt(ram, BOOT_GDT);
  return {
    header: h, zeroPage: BOOT_ZERO_PAGE, cmdline: BOOT_CMDLINE, initrd, e820,
    entry: {
      eip: KERNEL_LOAD, gdtBase: gdt.base, gdtLimit: gdt.limit, cs: BOOT_CS, ds: BOOT_DS,
      // boot.rst: %esi = struct boot_params; %ebp, %edi and %ebx zero
      regs: { esi: BOOT_ZERO_PAGE, ebp: 0, edi: 0, ebx: 0 },
    },
  };
}
