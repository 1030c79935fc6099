// Multiboot v1 kernels, as QEMU's -kernel boots them (Multiboot Specification
// version 0.6.96: §3.1 "OS image format", §3.2 "Machine state", §3.3 "Boot
// information format"). ELF32 kernels are loaded by their PT_LOAD program headers
// (System V ABI, ELF "Program Header"); a header with flag bit 16 gives the load
// addresses itself (the "a.out kludge").
// The boot information (§3.3 structure, memory map, boot GDT) goes at QEMU's
// low-memory addresses unless a kernel segment lies there (a kernel linked at
// 0x8000, say); then it goes after the modules. The command line, strings and
// the module list always follow the highest kernel segment, so nothing the
// loader writes overlaps a segment or a module.
// Not done: video mode requests (flag bit 2: accepted, and no video information
// is passed, as QEMU does), ELF section headers (info flag bit 5), drives, APM,
// VBE and the config table.

import { e820Map, LOW_MEM_END, HIGH_MEM_START, type E820Entry } from "./memmap";
import { writeBootGdt, type EntryState } from "./cpustate";
import { KernelImageError, BOOT_CS, BOOT_DS } from "./bzimage";

export const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
/** §3.1.1: the header lies within the first 8192 bytes, 32-bit aligned. */
export const MULTIBOOT_SEARCH = 8192;

export const MB_PAGE_ALIGN = 1 << 0;
export const MB_MEMORY_INFO = 1 << 1;
export const MB_VIDEO_MODE = 1 << 2;
export const MB_AOUT_KLUDGE = 1 << 16;

// multiboot_info flags (§3.3)
export const MBI_MEMORY = 1 << 0;
export const MBI_BOOT_DEVICE = 1 << 1;
export const MBI_CMDLINE = 1 << 2;
export const MBI_MODS = 1 << 3;
export const MBI_MMAP = 1 << 6;
export const MBI_BOOT_LOADER_NAME = 1 << 9;

// multiboot_info offsets (§3.3)
export const MBI = {
  flags: 0, mem_lower: 4, mem_upper: 8, boot_device: 12, cmdline: 16, mods_count: 20, mods_addr: 24,
  mmap_length: 44, mmap_addr: 48, boot_loader_name: 64, size: 88,
} as const;

/** Where the boot information goes when no kernel segment is there: the same
 *  low-memory addresses QEMU uses, so a kernel sees the same EBX under both. */
export const MB_MMAP_ADDR = 0x9000;
export const MB_INFO_ADDR = 0x9500;
export const MB_GDT = 0x9600;
const MB_GDT_SIZE = 0x20;
const MMAP_ENTRY_SIZE = 24; // §3.3: size field + base_addr + length + type
export const BOOT_LOADER_NAME = "RingZero";
/** "No boot device information": BIOS drive 0x80, no partitions (QEMU passes the same). */
export const MB_BOOT_DEVICE = 0x8000ffff;

export interface MultibootHeader {
  /** File offset of the header. */
  offset: number;
  flags: number;
  headerAddr: number;
  loadAddr: number;
  loadEndAddr: number;
  bssEndAddr: number;
  entryAddr: number;
}

function view(b: Uint8Array): DataView { return new DataView(b.buffer, b.byteOffset, b.byteLength); }
const hex = (n: number) => "0x" + (n >>> 0).toString(16);

/** Find a Multiboot header (magic, flags, checksum summing to 0) in the first 8 KiB. */
export function findMultibootHeader(img: Uint8Array): MultibootHeader | null {
  const v = view(img);
  const end = Math.min(img.length, MULTIBOOT_SEARCH) - 12;
  for (let i = 0; i <= end; i += 4) {
    if (v.getUint32(i, true) !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = v.getUint32(i + 4, true);
    if (((MULTIBOOT_HEADER_MAGIC + flags + v.getUint32(i + 8, true)) >>> 0) !== 0) continue;
    const at = (o: number) => (i + o + 4 <= img.length ? v.getUint32(i + o, true) : 0);
    return { offset: i, flags, headerAddr: at(12), loadAddr: at(16), loadEndAddr: at(20), bssEndAddr: at(24), entryAddr: at(28) };
  }
  return null;
}

interface Segment { fileOffset: number; fileSize: number; addr: number; memSize: number }

/** PT_LOAD segments and entry point of an ELF32 i386 executable. */
export function elf32Segments(img: Uint8Array): { entry: number; segments: Segment[] } {
  const v = view(img);
  if (img.length < 52 || v.getUint32(0, false) !== 0x7f454c46) {
    throw new KernelImageError("Multiboot kernel is not an ELF file and its header has no load addresses (flag bit 16)");
  }
  if (img[4] === 2) throw new KernelImageError("Multiboot kernel is a 64-bit ELF file: give a 32-bit one");
  if (img[4] !== 1 || img[5] !== 1) throw new KernelImageError("Multiboot kernel is not a little-endian 32-bit ELF file");
  const machine = v.getUint16(18, true);
  if (machine !== 3) throw new KernelImageError(`Multiboot kernel is an ELF file for machine ${machine}, not i386 (3)`);
  const entry = v.getUint32(24, true);
  const phoff = v.getUint32(28, true), phentsize = v.getUint16(42, true), phnum = v.getUint16(44, true);
  if (phnum === 0 || phentsize < 32 || phoff + phnum * phentsize > img.length) {
    throw new KernelImageError("Multiboot ELF kernel has no readable program headers");
  }
  const segments: Segment[] = [];
  let entryPhys = -1;
  for (let k = 0; k < phnum; k++) {
    const o = phoff + k * phentsize;
    if (v.getUint32(o, true) !== 1) continue; // PT_LOAD
    const s = {
      fileOffset: v.getUint32(o + 4, true), addr: v.getUint32(o + 12, true),
      fileSize: v.getUint32(o + 16, true), memSize: v.getUint32(o + 20, true),
    };
    const vaddr = v.getUint32(o + 8, true);
    if (s.fileOffset + s.fileSize > img.length) throw new KernelImageError(`Multiboot ELF kernel is truncated: segment ${k} runs past the end of the file`);
    if (s.memSize < s.fileSize) s.memSize = s.fileSize;
    // Loaded at the physical address; an entry given as a virtual address in a
    // segment linked elsewhere is translated, as GRUB does.
    if (entry >= vaddr && entry - vaddr < s.memSize) entryPhys = s.addr + (entry - vaddr);
    segments.push(s);
  }
  if (segments.length === 0) throw new KernelImageError("Multiboot ELF kernel has no loadable (PT_LOAD) segment");
  return { entry: entryPhys >= 0 ? entryPhys >>> 0 : entry, segments };
}

export interface MultibootModule { data: Uint8Array; /** the module's string: file name and arguments */ string: string }

export interface MultibootOptions {
  /** The kernel's command line as QEMU builds it: "<kernel file name> <-append text>". */
  cmdline: string;
  modules?: MultibootModule[];
  romBytes?: number;
}

export interface MultibootBoot {
  header: MultibootHeader;
  infoAddr: number;
  kernelStart: number;
  kernelEnd: number;
  modules: { start: number; end: number; string: number }[];
  e820: E820Entry[];
  entry: EntryState;
}

/** Load a Multiboot kernel and its modules into guest RAM, build the boot
 *  information, and return the CPU state that enters it (§3.2). */
export function loadMultiboot(ram: Uint8Array, img: Uint8Array, opts: MultibootOptions): MultibootBoot {
  const h = findMultibootHeader(img);
  if (!h) throw new KernelImageError("no Multiboot header in the first 8 KiB of the kernel");
  const unsupported = h.flags & 0xfff8; // bits 3..15: requirements this loader does not know (§3.1.2)
  if (unsupported) throw new KernelImageError(`Multiboot kernel requires features this loader does not have (header flags ${hex(h.flags)})`);
  const ramBytes = ram.length;
  const fits = (addr: number, size: number) => addr >= 0 && addr + size <= ramBytes;

  let entry: number;
  let segments: Segment[];
  if (h.flags & MB_AOUT_KLUDGE) {
    // §3.1.3: header_addr locates the header in memory, so the file offset of load_addr is offset - (header_addr - load_addr)
    if (h.headerAddr < h.loadAddr) throw new KernelImageError("Multiboot header_addr is below load_addr");
    const fileStart = h.offset - (h.headerAddr - h.loadAddr);
    if (fileStart < 0) throw new KernelImageError("Multiboot load_addr lies before the start of the file");
    let loadSize = img.length - fileStart;
    if (h.loadEndAddr) {
      if (h.loadEndAddr < h.loadAddr) throw new KernelImageError("Multiboot load_end_addr is below load_addr");
      loadSize = Math.min(h.loadEndAddr - h.loadAddr, img.length - fileStart);
    }
    let memSize = loadSize;
    if (h.bssEndAddr) {
      if (h.bssEndAddr < h.loadAddr + loadSize) throw new KernelImageError("Multiboot bss_end_addr is below the end of the loaded image");
      memSize = h.bssEndAddr - h.loadAddr;
    }
    segments = [{ fileOffset: fileStart, fileSize: loadSize, addr: h.loadAddr, memSize }];
    entry = h.entryAddr;
  } else {
    ({ entry, segments } = elf32Segments(img));
  }

  let kernelStart = 0xffffffff, kernelEnd = 0;
  for (const s of segments) {
    if (!fits(s.addr, s.memSize) || s.addr < HIGH_MEM_START && s.addr + s.memSize > LOW_MEM_END) {
      throw new KernelImageError(`Multiboot kernel segment at ${hex(s.addr)} (${s.memSize} bytes) is outside the guest's usable RAM (${ramBytes >>> 20} MiB)`);
    }
    ram.set(img.subarray(s.fileOffset, s.fileOffset + s.fileSize), s.addr);
    ram.fill(0, s.addr + s.fileSize, s.addr + s.memSize);
    kernelStart = Math.min(kernelStart, s.addr);
    kernelEnd = Math.max(kernelEnd, s.addr + s.memSize);
  }

  // After the kernel, page aligned: the module table, strings, then each module on a page boundary.
  const page = (n: number) => Math.ceil(n / 4096) * 4096;
  const mods = opts.modules ?? [];
  const enc = new TextEncoder();
  let p = page(Math.max(kernelEnd, HIGH_MEM_START));
  const modTable = p;
  p += mods.length * 16;
  const putString = (s: string): number => {
    const b = enc.encode(s);
    if (!fits(p, b.length + 1)) throw new KernelImageError(`Multiboot kernel and modules do not fit in ${ramBytes >>> 20} MiB of RAM (use -m)`);
    ram.set(b, p); ram[p + b.length] = 0;
    const at = p; p += b.length + 1; return at;
  };
  const modStrings = mods.map((m) => putString(m.string));
  const cmdline = putString(opts.cmdline);
  const loaderName = putString(BOOT_LOADER_NAME);
  const v = view(ram);
  const placed: MultibootBoot["modules"] = [];
  mods.forEach((m, k) => {
    p = page(p);
    if (!fits(p, m.data.length)) throw new KernelImageError(`Multiboot module ${k + 1} (${m.data.length} bytes) does not fit in ${ramBytes >>> 20} MiB of RAM (use -m)`);
    ram.set(m.data, p);
    placed.push({ start: p, end: p + m.data.length, string: modStrings[k] });
    v.setUint32(modTable + k * 16, p, true);
    v.setUint32(modTable + k * 16 + 4, p + m.data.length, true);
    v.setUint32(modTable + k * 16 + 8, modStrings[k], true);
    v.setUint32(modTable + k * 16 + 12, 0, true);
    p += m.data.length;
  });

  // The memory map, the information structure and the GDT: at QEMU's addresses
  // when no segment is there, else after the modules.
  const e820 = e820Map(ramBytes, opts.romBytes ?? 0);
  const mmapBytes = e820.length * MMAP_ENTRY_SIZE;
  let mmapAddr = MB_MMAP_ADDR, mbi = MB_INFO_ADDR, gdtAddr = MB_GDT;
  const atQemuAddrs = MB_GDT + MB_GDT_SIZE - MB_MMAP_ADDR;
  if (segments.some((s) => s.addr < MB_MMAP_ADDR + atQemuAddrs && MB_MMAP_ADDR < s.addr + s.memSize)) {
    mmapAddr = Math.ceil(p / 8) * 8;
    mbi = mmapAddr + mmapBytes;
    gdtAddr = mbi + MBI.size;
    if (!fits(mmapAddr, gdtAddr + MB_GDT_SIZE - mmapAddr)) throw new KernelImageError(`Multiboot kernel and modules do not fit in ${ramBytes >>> 20} MiB of RAM (use -m)`);
  }

  // §3.3: memory map entries are size (not counting itself), base_addr, length, type.
  e820.forEach((e, k) => {
    const o = mmapAddr + k * MMAP_ENTRY_SIZE;
    v.setUint32(o, 20, true);
    v.setBigUint64(o + 4, BigInt(e.addr), true);
    v.setBigUint64(o + 12, BigInt(e.size), true);
    v.setUint32(o + 20, e.type, true);
  });

  ram.fill(0, mbi, mbi + MBI.size);
  v.setUint32(mbi + MBI.flags, MBI_MEMORY | MBI_BOOT_DEVICE | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_BOOT_LOADER_NAME, true);
  v.setUint32(mbi + MBI.mem_lower, LOW_MEM_END >>> 10, true);
  // mem_upper: KiB of memory from 1 MiB to the first hole (§3.3)
  v.setUint32(mbi + MBI.mem_upper, Math.max(0, ramBytes - HIGH_MEM_START) >>> 10, true);
  v.setUint32(mbi + MBI.boot_device, MB_BOOT_DEVICE, true);
  v.setUint32(mbi + MBI.cmdline, cmdline, true);
  v.setUint32(mbi + MBI.mods_count, mods.length, true);
  v.setUint32(mbi + MBI.mods_addr, modTable, true);
  v.setUint32(mbi + MBI.mmap_length, mmapBytes, true);
  v.setUint32(mbi + MBI.mmap_addr, mmapAddr, true);
  v.setUint32(mbi + MBI.boot_loader_name, loaderName, true);

  const gdt = writeBootGdt(ram, gdtAddr);
  return {
    header: h, infoAddr: mbi, kernelStart, kernelEnd, modules: placed, e820,
    entry: {
      eip: entry, gdtBase: gdt.base, gdtLimit: gdt.limit, cs: BOOT_CS, ds: BOOT_DS,
      regs: { eax: MULTIBOOT_BOOTLOADER_MAGIC, ebx: mbi },
    },
  };
}

/** Split QEMU's -initrd for Multiboot: modules separated by ",", a literal comma
 *  written ",,"; in each, the file name ends at the first space and the whole
 *  text is the module's string. */
export function splitModuleList(list: string): { file: string; string: string }[] {
  const out: { file: string; string: string }[] = [];
  let cur = "";
  for (let i = 0; i < list.length; i++) {
    if (list[i] === ",") {
      if (list[i + 1] === ",") { cur += ","; i++; continue; }
      out.push(mod(cur)); cur = "";
    } else cur += list[i];
  }
  out.push(mod(cur));
  return out;
  function mod(s: string) { const sp = s.indexOf(" "); return { file: sp < 0 ? s : s.slice(0, sp), string: s }; }
}
