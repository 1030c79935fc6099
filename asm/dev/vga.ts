// VGA: the register file a BIOS or a program sets (IBM VGA Technical
// Reference; FreeVGA "VGA/SVGA Video Programming" register pages): misc output
// (0x3C2 write, 0x3CC read), sequencer (0x3C4/5), CRTC (0x3D4/5, or 0x3B4/5 when
// misc output bit 0 selects mono), graphics controller (0x3CE/F), attribute
// controller (0x3C0/1, index/data flip-flop reset by reading input status 1),
// DAC (0x3C6-0x3C9), input status 1 (0x3DA / 0x3BA) with retrace bits that
// toggle on every read, feature control and VGA enable.
//
// Memory (layout.ts VGA_MEM, 16 MiB as QEMU's default vgamem): the planes
// interleaved, byte (a << 2) | p holding plane p at address a (the layout QEMU's
// std VGA uses, so chain-4 and the 256-colour scan-out address the same bytes
// as there, and the VBE framebuffer is the same memory). All of
// A0000-BFFFF is MMIO (vgaMemRead/vgaMemWrite); the graphics controller's memory
// map select (GC 6 bits 3:2) places the window: A0000 128 KiB, A0000 64 KiB,
// B0000 32 KiB or B8000 32 KiB; outside it reads 0xFF and writes are dropped.
// Within the window a byte goes (IBM VGA Technical Reference; FreeVGA):
//   chain-4 (sequencer 4 bit 3): to plane addr & 3, byte addr (mode 13h);
//   odd/even (GC 5 bit 4): to plane (GC 4 bit 1) | (addr & 1), at (addr & ~1);
//   otherwise planar, through the latches: a read loads all four planes into
//   the latches and returns read mode 0 (read map select) or 1 (colour compare
//   with don't care); a write applies write mode 0 (rotate, set/reset, enable
//   set/reset), 1 (latches), 2 (colour from the low nibble) or 3 (rotated data
//   AND bit mask, colour from set/reset), then the function select (replace,
//   AND, OR, XOR with the latches) and the bit mask, and stores the planes that
//   the sequencer map mask enables.
// The host renders from this memory and the registers (web/host/vgarender.ts):
// text at (start address + cell) * 4, fonts in plane 2 (32 bytes per glyph).
//
// Bochs VBE ("DISPI", as QEMU's -vga std has it; Bochs vbe.h names, the
// interface SeaBIOS's vgasrc/bochsvga.c and Linux's bochs DRM driver program):
// index at 0x1CE, data at 0x1CF (and 0x1D0), 16-bit accesses only. Registers ID
// (B0C0-B0C5 accepted, B0C5 at reset), XRES, YRES, BPP (4/8/15/16/24/32, else
// 8), ENABLE (ENABLED, GETCAPS: XRES/YRES/BPP read the maxima, 8BIT_DAC,
// LFB_ENABLED, NOCLEARMEM), BANK (64 KiB window offset at A0000), VIRT_WIDTH,
// VIRT_HEIGHT (read: lines that fit in video memory), X/Y_OFFSET,
// VIDEO_MEMORY_64K. As in QEMU: every geometry write is fixed up to what fits
// (width a multiple of 8, at most 16000 x 12000, virtual width at least the
// width, offsets that keep the picture inside memory); enabling clears the
// visible bytes unless NOCLEARMEM, and sets the VGA registers to a graphics
// mode with map select 1 (the banked window), chain-4 (except at 4 bpp) and no
// double scan, re-applied after every CRTC and graphics controller write while
// enabled. The sequencer as memory access and scan-out see it while VBE is on
// is a register set of its own (QEMU's sr_vbe, V_SR_VBE): zero at reset, the
// bits VBE forces (chain-4 and all planes for 8 bpp and up, no half dot clock at
// 4 bpp) set in it and never cleared, so a 4 bpp mode writes no plane unless a
// deeper mode was set before, as in QEMU. The linear framebuffer is the PCI function's BAR0 (dev/pci.ts
// FN_VGA), mapped as host pages whose writes are logged (mmu/dirty.ts).
//
// BAR2 (QEMU's vga-pci register window, 4 KiB): 0x000-0x07F an EDID block (as
// QEMU's edid=on, its default: the monitor's modes for drivers such as Linux's
// bochs DRM, which picks the preferred one), 0x400-0x41F the ports
// 0x3C0-0x3DF, 0x500-0x515 the DISPI registers (register i at 0x500 + 2i; an
// access also sets the index, as there), 0x600 QEMU's extended registers (size 8,
// byte order 1E1E1E1Eh little-endian); elsewhere reads 0.
//
// Not modelled: the PEL mask, no vertical retrace interrupt, no smooth scrolling
// (pel panning), no light pen; a big-endian framebuffer (the byte order register
// keeps little-endian).

import { slotAddr, SLOT_VGA } from "./slots";
import { VGA_MEM, VGA_MEM_SIZE } from "../layout";
import { dirtyMark, dirtyAll } from "../mmu/dirty";

export const VGA_STATE: u32 = slotAddr(SLOT_VGA);
const V_MISC: u32 = 0x00, V_SEQ_I: u32 = 0x01, V_CRTC_I: u32 = 0x02, V_GC_I: u32 = 0x03, V_ATTR_I: u32 = 0x04;
const V_FLIP: u32 = 0x05, V_DAC_R: u32 = 0x06, V_DAC_W: u32 = 0x07, V_DAC_C: u32 = 0x08, V_DAC_STATE: u32 = 0x09;
const V_PEL_MASK: u32 = 0x0a, V_FEATURE: u32 = 0x0b, V_RETRACE: u32 = 0x0c, V_ENABLE: u32 = 0x0d;
const V_LATCH: u32 = 0x48; // u32: the four latches, plane p in byte p
export const V_SEQ: u32 = 0x10, V_GC: u32 = 0x20, V_ATTR: u32 = 0x30, V_CRTC: u32 = 0x60, V_DAC: u32 = 0x100;
// Bochs VBE:
const V_VBE_I: u32 = 0x80;     // u16 DISPI index
export const V_VBE: u32 = 0x82; // u16 x DISPI_NREGS: the DISPI registers
export const V_SR_VBE: u32 = 0x98; // 8 bytes: the sequencer as VBE forces it (used while enabled)
export const V_VBE_LINE: u32 = 0xa0;  // u32 bytes per scan line
export const V_VBE_START: u32 = 0xa4; // u32 byte offset of the first visible pixel
const V_VBE_BANK: u32 = 0xa8;  // u32 byte offset of the A0000 window (BANK << 16)

// DISPI register indices and ENABLE bits (Bochs vbe.h).
const DISPI_ID: u32 = 0, DISPI_XRES: u32 = 1, DISPI_YRES: u32 = 2, DISPI_BPP: u32 = 3, DISPI_ENABLE: u32 = 4;
const DISPI_BANK: u32 = 5, DISPI_VIRT_WIDTH: u32 = 6, DISPI_VIRT_HEIGHT: u32 = 7, DISPI_X_OFFSET: u32 = 8;
const DISPI_Y_OFFSET: u32 = 9, DISPI_VIDEO_MEMORY_64K: u32 = 10, DISPI_NREGS: u32 = 10;
export const DISPI_ENABLED: u32 = 0x01;
const DISPI_GETCAPS: u32 = 0x02, DISPI_NOCLEARMEM: u32 = 0x80;
export const DISPI_8BIT_DAC: u32 = 0x20;
const DISPI_ID0: u32 = 0xb0c0, DISPI_ID5: u32 = 0xb0c5;
const DISPI_MAX_XRES: u32 = 16000, DISPI_MAX_YRES: u32 = 12000, DISPI_MAX_BPP: u32 = 32;


@inline function r8(f: u32): u32 { return <u32>load<u8>(VGA_STATE + f); }
@inline function w8(f: u32, v: u32): void { store<u8>(VGA_STATE + f, <u8>v); }
@inline function dispi(i: u32): u32 { return <u32>load<u16>(VGA_STATE + V_VBE + (i << 1)); }
@inline function setDispi(i: u32, v: u32): void { store<u16>(VGA_STATE + V_VBE + (i << 1), <u16>v); }
@inline function vbeOn(): bool { return (dispi(DISPI_ENABLE) & DISPI_ENABLED) != 0; }
/** A sequencer register as memory access and scan-out see it (QEMU's sr()). */
@inline function seq(i: u32): u32 { return vbeOn() ? r8(V_SR_VBE + i) : r8(V_SEQ + i); }

// Mode 3 (80x25 colour text), the values a VGA BIOS leaves, so a machine booted
// without one (direct kernel boot) shows text (IBM VGA Technical Reference, BIOS
// parameter table for mode 3+).
const MODE3_SEQ: StaticArray<u8> = [0x03, 0x00, 0x03, 0x00, 0x02];
const MODE3_CRTC: StaticArray<u8> = [0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e,
  0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff];
const MODE3_GC: StaticArray<u8> = [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff];
const MODE3_ATTR: StaticArray<u8> = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b,
  0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00];

export function vgaReset(): void {
  memory.fill(VGA_STATE, 0, 0x400);
  w8(V_MISC, 0x67);
  w8(V_PEL_MASK, 0xff);
  w8(V_ENABLE, 1);
  for (let i = 0; i < MODE3_SEQ.length; i++) w8(V_SEQ + i, unchecked(MODE3_SEQ[i]));
  for (let i = 0; i < MODE3_CRTC.length; i++) w8(V_CRTC + i, unchecked(MODE3_CRTC[i]));
  for (let i = 0; i < MODE3_GC.length; i++) w8(V_GC + i, unchecked(MODE3_GC[i]));
  for (let i = 0; i < MODE3_ATTR.length; i++) w8(V_ATTR + i, unchecked(MODE3_ATTR[i]));
  w8(V_ATTR_I, 0x20); // palette address source set: the display is on
  setDispi(DISPI_ID, DISPI_ID5);
  setDispi(DISPI_BPP, 8); // QEMU's reset values (vbe_reset)
  dirtyAll();
  // The 64-colour EGA palette in DAC entries 0-63 (rgbRGB bits, 6-bit levels).
  for (let i: u32 = 0; i < 64; i++) {
    w8(V_DAC + i * 3, ((i >> 2) & 1) * 0x2a + ((i >> 5) & 1) * 0x15);
    w8(V_DAC + i * 3 + 1, ((i >> 1) & 1) * 0x2a + ((i >> 4) & 1) * 0x15);
    w8(V_DAC + i * 3 + 2, (i & 1) * 0x2a + ((i >> 3) & 1) * 0x15);
  }
}

/** Power-on: clear video memory too. */
export function vgaInit(): void {
  memory.fill(VGA_MEM, 0, VGA_MEM_SIZE);
  vgaReset();
}

@inline function mono(): bool { return (r8(V_MISC) & 1) == 0; }

export function vgaPortRead(port: u32, size: u32): u32 {
  if (port - 0x1ce < 3) return dispiPortRead(port, size);
  let v = read8(port);
  if (size >= 2) v |= read8(port + 1) << 8;
  if (size == 4) v |= (read8(port + 2) << 16) | (read8(port + 3) << 24);
  return v;
}
export function vgaPortWrite(port: u32, size: u32, value: u32): void {
  if (port - 0x1ce < 3) { dispiPortWrite(port, size, value); return; }
  // OUT DX, AX to an index register writes the index, then the data (0x3C4 → 0x3C5).
  write8(port, value & 0xff);
  if (size >= 2) write8(port + 1, (value >> 8) & 0xff);
  if (size == 4) { write8(port + 2, (value >> 16) & 0xff); write8(port + 3, value >> 24); }
}

function read8(port: u32): u32 {
  switch (port) {
    case 0x3c0: return r8(V_ATTR_I);
    case 0x3c1: return r8(V_ATTR + (r8(V_ATTR_I) & 0x1f));
    case 0x3c2: return 0x10;                  // input status 0: switch sense (a colour monitor)
    case 0x3c3: return r8(V_ENABLE);
    case 0x3c4: return r8(V_SEQ_I);
    case 0x3c5: return r8(V_SEQ + (r8(V_SEQ_I) & 7));
    case 0x3c6: return r8(V_PEL_MASK);
    case 0x3c7: return r8(V_DAC_STATE);
    case 0x3c8: return r8(V_DAC_W);
    case 0x3c9: {
      let i = r8(V_DAC_R), c = r8(V_DAC_C);
      let v = r8(V_DAC + i * 3 + c);
      if (++c == 3) { c = 0; w8(V_DAC_R, (i + 1) & 0xff); }
      w8(V_DAC_C, c);
      return v;
    }
    case 0x3ca: return r8(V_FEATURE);
    case 0x3cc: return r8(V_MISC);
    case 0x3ce: return r8(V_GC_I);
    case 0x3cf: return r8(V_GC + (r8(V_GC_I) & 0x0f));
    case 0x3b4: case 0x3d4:
      return (port == 0x3b4) == mono() ? r8(V_CRTC_I) : 0xff;
    case 0x3b5: case 0x3d5:
      if ((port == 0x3b5) != mono()) return 0xff;
      return r8(V_CRTC + (r8(V_CRTC_I) & 0x3f));
    case 0x3ba: case 0x3da: {
      if ((port == 0x3ba) != mono()) return 0xff;
      // Input status 1: reading resets the attribute flip-flop to "index". The
      // vertical retrace (bit 3) and display-disabled (bit 0) bits alternate on
      // every read, so both edges of a BIOS's retrace wait loop are seen.
      w8(V_FLIP, 0);
      let t = r8(V_RETRACE) ^ 1;
      w8(V_RETRACE, t);
      return t != 0 ? 0x09 : 0x00;
    }
  }
  return 0xff;
}

function write8(port: u32, v: u32): void {
  switch (port) {
    case 0x3c0: {
      if (r8(V_FLIP) == 0) w8(V_ATTR_I, v & 0x3f);
      else {
        let i = r8(V_ATTR_I) & 0x1f;
        if (i < 0x15) w8(V_ATTR + i, v);
      }
      w8(V_FLIP, r8(V_FLIP) ^ 1);
      break;
    }
    case 0x3c2: w8(V_MISC, v); break;
    case 0x3c3: w8(V_ENABLE, v & 1); break;
    case 0x3c4: w8(V_SEQ_I, v); break;
    case 0x3c5: { let i = r8(V_SEQ_I) & 7; if (i < 5) w8(V_SEQ + i, v); break; }
    case 0x3c6: w8(V_PEL_MASK, v); break;
    case 0x3c7: w8(V_DAC_R, v); w8(V_DAC_C, 0); w8(V_DAC_STATE, 3); break;
    case 0x3c8: w8(V_DAC_W, v); w8(V_DAC_C, 0); w8(V_DAC_STATE, 0); break;
    case 0x3c9: {
      let i = r8(V_DAC_W), c = r8(V_DAC_C);
      w8(V_DAC + i * 3 + c, v); // the whole byte, as QEMU: the 8-bit DAC (VBE) uses it
      if (++c == 3) { c = 0; w8(V_DAC_W, (i + 1) & 0xff); }
      w8(V_DAC_C, c);
      break;
    }
    case 0x3ce: w8(V_GC_I, v); break;
    case 0x3cf: { let i = r8(V_GC_I) & 0x0f; if (i < 9) w8(V_GC + i, v); vbeUpdateVgaRegs(); break; }
    case 0x3b4: case 0x3d4:
      if ((port == 0x3b4) == mono()) w8(V_CRTC_I, v);
      break;
    case 0x3b5: case 0x3d5: {
      if ((port == 0x3b5) != mono()) break;
      let i = r8(V_CRTC_I) & 0x3f;
      if (i > 0x18) break;
      // CRTC register 11h bit 7 write-protects registers 0-7, except the line
      // compare bit (bit 4) of the overflow register 7.
      if ((r8(V_CRTC + 0x11) & 0x80) != 0 && i <= 7) {
        if (i == 7) w8(V_CRTC + 7, (r8(V_CRTC + 7) & ~0x10) | (v & 0x10));
        break;
      }
      w8(V_CRTC + i, v);
      vbeUpdateVgaRegs();
      break;
    }
    case 0x3ba: case 0x3da:
      if ((port == 0x3ba) == mono()) w8(V_FEATURE, v);
      break;
  }
}

// ---- A0000-BFFFF (MMIO) ----

/** The video memory address of a physical address under the memory map select
 *  (the 64 KiB window at A0000 adds the VBE bank offset), or -1. */
function windowOffset(addr: u32): i32 {
  let a = <i32>((addr - 0xa0000) & 0x1ffff);
  switch ((r8(V_GC + 6) >> 2) & 3) {
    case 0: return a;
    case 1: return a < 0x10000 ? a + <i32>load<u32>(VGA_STATE + V_VBE_BANK) : -1;
    case 2: a -= 0x10000; return a >= 0 && a < 0x8000 ? a : -1;
    default: a -= 0x18000; return a >= 0 && a < 0x8000 ? a : -1;
  }
}

/** Each set bit i of the low nibble as 0xFF in byte i. */
@inline function expand4(m: u32): u32 {
  return ((m & 1) ? 0xff : 0) | ((m & 2) ? 0xff00 : 0) | ((m & 4) ? 0xff0000 : 0) | ((m & 8) ? 0xff000000 : 0);
}

// Past the end of video memory reads give 0xFF and writes are dropped (QEMU).
/** The byte a CPU read of `addr` returns; `latch`: the read loads the latches
 *  (false for a debugger's look, which must leave the device as it was). */
function memReadByte(addr: u32, latch: bool = true): u32 {
  let o = windowOffset(addr);
  if (o < 0) return 0xff;
  let a = <u32>o;
  if (seq(4) & 0x08) return <u32>load<u8>(VGA_MEM + (a & (VGA_MEM_SIZE - 1))); // chain-4
  if (r8(V_GC + 5) & 0x10) {                                              // odd/even
    let p = (r8(V_GC + 4) & 2) | (a & 1);
    let b = ((a & ~1) << 1) | p;
    return b < VGA_MEM_SIZE ? <u32>load<u8>(VGA_MEM + b) : 0xff;
  }
  if (a >= (VGA_MEM_SIZE >> 2)) return 0xff;
  let planes = load<u32>(VGA_MEM + (a << 2));
  if (latch) store<u32>(VGA_STATE + V_LATCH, planes);
  if ((r8(V_GC + 5) & 0x08) == 0) return (planes >> ((r8(V_GC + 4) & 3) << 3)) & 0xff; // read mode 0
  // Read mode 1: bit set where every plane not masked out by colour don't care
  // matches colour compare.
  let d = (planes ^ expand4(r8(V_GC + 2))) & expand4(r8(V_GC + 7));
  d |= d >> 16;
  d |= d >> 8;
  return ~d & 0xff;
}

function memWriteByte(addr: u32, v: u32): void {
  let o = windowOffset(addr);
  if (o < 0) return;
  let a = <u32>o;
  let mapMask = seq(2) & 0x0f;
  if (seq(4) & 0x08) {                                                    // chain-4
    a &= VGA_MEM_SIZE - 1;
    if (mapMask & (1 << (a & 3))) { store<u8>(VGA_MEM + a, <u8>v); dirtyMark(a, 1); }
    return;
  }
  if (r8(V_GC + 5) & 0x10) {                                              // odd/even
    let p = (r8(V_GC + 4) & 2) | (a & 1);
    let b = ((a & ~1) << 1) | p;
    if ((mapMask & (1 << p)) != 0 && b < VGA_MEM_SIZE) { store<u8>(VGA_MEM + b, <u8>v); dirtyMark(b, 1); }
    return;
  }
  let latch = load<u32>(VGA_STATE + V_LATCH);
  let rot = r8(V_GC + 3) & 7;
  let val: u32, bitMask: u32;
  switch (r8(V_GC + 5) & 3) {
    case 0: {
      val = ((v >> rot) | (v << (8 - rot))) & 0xff;
      val *= 0x01010101;
      let en = expand4(r8(V_GC + 1));
      val = (val & ~en) | (expand4(r8(V_GC + 0)) & en);
      bitMask = r8(V_GC + 8);
      break;
    }
    case 1: val = latch; bitMask = 0; break;
    case 2: val = expand4(v); bitMask = r8(V_GC + 8); break;
    default: {
      let r = ((v >> rot) | (v << (8 - rot))) & 0xff;
      bitMask = r8(V_GC + 8) & r;
      val = expand4(r8(V_GC + 0));
      break;
    }
  }
  if ((r8(V_GC + 5) & 3) != 1) {
    switch ((r8(V_GC + 3) >> 3) & 3) {
      case 1: val &= latch; break;
      case 2: val |= latch; break;
      case 3: val ^= latch; break;
    }
    bitMask *= 0x01010101;
    val = (val & bitMask) | (latch & ~bitMask);
  }
  if (a >= (VGA_MEM_SIZE >> 2)) return;
  let wm = expand4(mapMask);
  let p = VGA_MEM + (a << 2);
  store<u32>(p, (load<u32>(p) & ~wm) | (val & wm));
  dirtyMark(a << 2, 4);
}

export function vgaMemRead(addr: u32, size: u32): u32 {
  let v: u32 = 0;
  for (let i: u32 = 0; i < size; i++) v |= memReadByte(addr + i) << (i << 3);
  return v;
}
/** vgaMemRead's byte for a debugger (the monitor's x/xp, gdb): the latches are
 *  left as they were. */
export function vgaMemPeek(addr: u32): u32 { return memReadByte(addr, false); }
export function vgaMemWrite(addr: u32, size: u32, value: u32): void {
  for (let i: u32 = 0; i < size; i++) memWriteByte(addr + i, (value >> (i << 3)) & 0xff);
}

// ---- The host's view of the text screen ----

/** 1 in an alphanumeric mode (attribute mode control bit 0 and GC misc bit 0 clear). */
export function vgaTextMode(): u32 { return ((r8(V_ATTR + 0x10) & 1) == 0 && (r8(V_GC + 6) & 1) == 0) ? 1 : 0; }
/** Characters per row: horizontal display end + 1. */
export function vgaColumns(): u32 { return r8(V_CRTC + 1) + 1; }
/** Scan lines per character row: maximum scan line + 1. */
export function vgaCharHeight(): u32 { return (r8(V_CRTC + 9) & 0x1f) + 1; }
/** Rows: (vertical display end + 1) / character height (double scan halves it). */
export function vgaRows(): u32 {
  let o = r8(V_CRTC + 7);
  let vde = r8(V_CRTC + 0x12) | ((o & 0x02) << 7) | ((o & 0x40) << 3);
  let lines = vde + 1;
  if (r8(V_CRTC + 9) & 0x80) lines >>= 1;
  return lines / vgaCharHeight();
}
/** Start address (CRTC 0Ch/0Dh), in character cells from the window start. */
export function vgaStartAddress(): u32 { return (r8(V_CRTC + 0x0c) << 8) | r8(V_CRTC + 0x0d); }
/** Cursor location (CRTC 0Eh/0Fh), in character cells from the window start. */
export function vgaCursorAddress(): u32 { return (r8(V_CRTC + 0x0e) << 8) | r8(V_CRTC + 0x0f); }
/** Cursor shape: start scan line | end scan line << 8 | disabled << 16. */
export function vgaCursorShape(): u32 {
  let s = r8(V_CRTC + 0x0a);
  return (s & 0x1f) | ((r8(V_CRTC + 0x0b) & 0x1f) << 8) | (((s >> 5) & 1) << 16);
}
/** Linear-memory address of video memory (planes interleaved, see above). In
 *  text modes cell i of the screen is at base + (start + i) * 4 (character) and
 *  +1 (attribute): odd/even puts even addresses in plane 0, odd ones in plane 1. */
export function vgaTextBase(): u32 { return VGA_MEM; }
/** Linear-memory address of glyph 0 of the font the attribute's bit 3 = 0 selects
 *  (sequencer 3, map B: bits 4, 1, 0), in plane 2: row r of glyph c at
 *  base + (c * 32 + r) * 4. */
export function vgaFontBase(): u32 {
  let s = r8(V_SEQ + 3);
  let sel = ((s >> 4) & 1) | ((s << 1) & 6);
  return VGA_MEM + sel * 0x2000 * 4 + 2;
}
/** The register block (layout above: V_SEQ, V_GC, V_ATTR, V_CRTC, V_DAC offsets)
 *  for a renderer: misc 0x00, sequencer 0x10-0x14, graphics controller 0x20-0x28,
 *  attribute 0x30-0x44 (palette 0x30-0x3F), attribute index 0x04 (bit 5: display
 *  on), CRTC 0x60-0x78, DAC 0x100 (256 × RGB, 6 bits). */
export function vgaStateBase(): u32 { return VGA_STATE; }

// ---- Bochs VBE (DISPI registers at 0x1CE/0x1CF) ----

function dispiPortRead(port: u32, size: u32): u32 {
  if (size == 4) return dispiPortRead(port, 2) | (dispiPortRead(port + 2, 2) << 16);
  if (size != 2) return 0xff; // the interface is 16 bits wide (QEMU answers bytes with all ones)
  if (port == 0x1ce) return <u32>load<u16>(VGA_STATE + V_VBE_I);
  if (port > 0x1d0) return 0xffff;
  return dispiRead(<u32>load<u16>(VGA_STATE + V_VBE_I));
}

function dispiPortWrite(port: u32, size: u32, v: u32): void {
  if (size == 4) { dispiPortWrite(port, 2, v & 0xffff); dispiPortWrite(port + 2, 2, v >>> 16); return; }
  if (size != 2) return;
  if (port == 0x1ce) store<u16>(VGA_STATE + V_VBE_I, <u16>v);
  else if (port <= 0x1d0) dispiWrite(<u32>load<u16>(VGA_STATE + V_VBE_I), v & 0xffff);
}

function dispiRead(i: u32): u32 {
  if (i == DISPI_VIDEO_MEMORY_64K) return VGA_MEM_SIZE >> 16;
  if (i >= DISPI_NREGS) return 0;
  if (dispi(DISPI_ENABLE) & DISPI_GETCAPS) {
    if (i == DISPI_XRES) return DISPI_MAX_XRES;
    if (i == DISPI_YRES) return DISPI_MAX_YRES;
    if (i == DISPI_BPP) return DISPI_MAX_BPP;
  }
  return dispi(i);
}

function dispiWrite(i: u32, v: u32): void {
  switch (i) {
    case DISPI_ID:
      if (v >= DISPI_ID0 && v <= DISPI_ID5) setDispi(DISPI_ID, v);
      break;
    case DISPI_XRES: case DISPI_YRES: case DISPI_BPP: case DISPI_VIRT_WIDTH: case DISPI_X_OFFSET: case DISPI_Y_OFFSET:
      setDispi(i, v);
      vbeFixup();
      vbeUpdateVgaRegs();
      break;
    case DISPI_BANK:
      v &= (VGA_MEM_SIZE >> 16) - 1;
      setDispi(DISPI_BANK, v);
      store<u32>(VGA_STATE + V_VBE_BANK, v << 16);
      break;
    case DISPI_ENABLE:
      if ((v & DISPI_ENABLED) != 0 && !vbeOn()) {
        setDispi(DISPI_VIRT_WIDTH, 0);
        setDispi(DISPI_X_OFFSET, 0);
        setDispi(DISPI_Y_OFFSET, 0);
        setDispi(DISPI_ENABLE, dispi(DISPI_ENABLE) | DISPI_ENABLED);
        vbeFixup();
        vbeUpdateVgaRegs();
        if ((v & DISPI_NOCLEARMEM) == 0) {
          let n = dispi(DISPI_YRES) * load<u32>(VGA_STATE + V_VBE_LINE);
          memory.fill(VGA_MEM, 0, n);
          dirtyMark(0, n);
        }
      } else store<u32>(VGA_STATE + V_VBE_BANK, 0);
      setDispi(DISPI_ENABLE, v);
      dirtyAll();
      break;
  }
}

/** What QEMU's vbe_fixup_regs does while VBE is enabled: a depth it knows, a
 *  width that is a multiple of 8 and at most the maximum, a virtual width at
 *  least the width, a height that fits in video memory, and offsets that keep
 *  the picture inside it; then VIRT_HEIGHT, the line length and the start. */
function vbeFixup(): void {
  if (!vbeOn()) return;
  let bpp = dispi(DISPI_BPP), bits: u32;
  if (bpp == 4 || bpp == 8 || bpp == 16 || bpp == 24 || bpp == 32) bits = bpp;
  else if (bpp == 15) bits = 16;
  else { bits = 8; setDispi(DISPI_BPP, 8); }
  let xres = dispi(DISPI_XRES) & ~7;
  if (xres == 0) xres = 8;
  if (xres > DISPI_MAX_XRES) xres = DISPI_MAX_XRES;
  setDispi(DISPI_XRES, xres);
  let vw = dispi(DISPI_VIRT_WIDTH) & ~7;
  if (vw > DISPI_MAX_XRES) vw = DISPI_MAX_XRES;
  if (vw < xres) vw = xres;
  setDispi(DISPI_VIRT_WIDTH, vw);
  let line = vw * bits / 8;
  let maxy = VGA_MEM_SIZE / line;
  let yres = dispi(DISPI_YRES);
  if (yres == 0) yres = 1;
  if (yres > DISPI_MAX_YRES) yres = DISPI_MAX_YRES;
  if (yres > maxy) yres = maxy;
  setDispi(DISPI_YRES, yres);
  if (dispi(DISPI_X_OFFSET) > DISPI_MAX_XRES) setDispi(DISPI_X_OFFSET, DISPI_MAX_XRES);
  if (dispi(DISPI_Y_OFFSET) > DISPI_MAX_YRES) setDispi(DISPI_Y_OFFSET, DISPI_MAX_YRES);
  let offset = dispi(DISPI_X_OFFSET) * bits / 8 + dispi(DISPI_Y_OFFSET) * line;
  if (offset + yres * line > VGA_MEM_SIZE) {
    setDispi(DISPI_Y_OFFSET, 0);
    offset = dispi(DISPI_X_OFFSET) * bits / 8;
    if (offset + yres * line > VGA_MEM_SIZE) { setDispi(DISPI_X_OFFSET, 0); offset = 0; }
  }
  setDispi(DISPI_VIRT_HEIGHT, maxy > 0xffff ? maxy & 0xffff : maxy);
  store<u32>(VGA_STATE + V_VBE_LINE, line);
  store<u32>(VGA_STATE + V_VBE_START, offset & ~3); // QEMU keeps it in dwords
  dirtyAll();
}

/** While VBE is enabled, the VGA registers describe its mode (QEMU's
 *  vbe_update_vgaregs): graphics, map select 1, no CGA addressing, the line
 *  offset, width and height, line compare off, 256-colour shifting and chain-4
 *  (or planar at 4 bpp), no double scan. */
function vbeUpdateVgaRegs(): void {
  if (!vbeOn()) return;
  w8(V_GC + 6, (r8(V_GC + 6) & ~0x0c) | 0x05);
  w8(V_CRTC + 0x17, r8(V_CRTC + 0x17) | 3);
  w8(V_CRTC + 0x13, load<u32>(VGA_STATE + V_VBE_LINE) >> 3);
  w8(V_CRTC + 0x01, (dispi(DISPI_XRES) >> 3) - 1);
  let h = dispi(DISPI_YRES) - 1;
  w8(V_CRTC + 0x12, h);
  w8(V_CRTC + 0x07, (r8(V_CRTC + 0x07) & ~0x42) | ((h >> 7) & 0x02) | ((h >> 3) & 0x40) | 0x10);
  w8(V_CRTC + 0x18, 0xff);
  w8(V_CRTC + 0x09, r8(V_CRTC + 0x09) | 0x40);
  let shift: u32;
  if (dispi(DISPI_BPP) == 4) {
    shift = 0;
    w8(V_SR_VBE + 1, r8(V_SR_VBE + 1) & ~8);
  } else {
    shift = 2;
    w8(V_SR_VBE + 4, r8(V_SR_VBE + 4) | 0x08);
    w8(V_SR_VBE + 2, r8(V_SR_VBE + 2) | 0x0f);
  }
  w8(V_GC + 5, (r8(V_GC + 5) & ~0x60) | (shift << 5));
  w8(V_CRTC + 0x09, r8(V_CRTC + 0x09) & ~0x9f);
}

/** The VBE mode for the host: bits per pixel when enabled (4/8/15/16/24/32), else 0. */
export function vgaVbeBpp(): u32 { return vbeOn() ? dispi(DISPI_BPP) : 0; }
/** XRES | YRES << 16 of the enabled VBE mode. */
export function vgaVbeSize(): u32 { return dispi(DISPI_XRES) | (dispi(DISPI_YRES) << 16); }

// ---- BAR2: the memory-mapped register window ----

const MMIO_VGA: u32 = 0x400, MMIO_DISPI: u32 = 0x500, MMIO_QEXT: u32 = 0x600;

// The EDID block (VESA E-EDID 1.4, 128 bytes, no extensions) of a 1280x800
// monitor, QEMU's default preferred size for the std VGA. Fields by offset:
// header; manufacturer "RHT" and product 1234h (QEMU's); E-EDID 1.4; digital
// input, 8 bits a colour; 32x20 cm; gamma 2.2; sRGB, the first detailed timing
// native; sRGB chromaticity; established 640x480, 800x600 and 1024x768 at 60 Hz;
// no standard timings; then four descriptors: 1280x800 at 60 Hz (VESA CVT:
// 83.5 MHz, 1680x831 total, sync at +72/128 and +3/6, -hsync +vsync), the name,
// range limits, a dummy; no extension; the checksum makes the bytes sum to 0.
// Linux's bochs DRM driver reads it and takes its modes (tests/system/fbcon.test.ts).
const EDID_SIZE: u32 = 128;
const EDID: StaticArray<u8> = [
  0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x49, 0x14, 0x34, 0x12, 0x00, 0x00, 0x00, 0x00,
  0x01, 0x20, 0x01, 0x04, 0xa5, 0x20, 0x14, 0x78, 0x06, 0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99, 0x26,
  0x0f, 0x50, 0x54, 0x21, 0x08, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
  0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x9e, 0x20, 0x00, 0x90, 0x51, 0x20, 0x1f, 0x30, 0x48, 0x80,
  0x36, 0x00, 0x40, 0xc8, 0x10, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0xfc, 0x00, 0x52, 0x69, 0x6e,
  0x67, 0x5a, 0x65, 0x72, 0x6f, 0x0a, 0x20, 0x20, 0x20, 0x20, 0x00, 0x00, 0x00, 0xfd, 0x00, 0x32,
  0x7d, 0x1e, 0xa0, 0x14, 0x00, 0x0a, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x00, 0x00, 0x00, 0x10,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2b,
];
const QEXT_SIZE: u32 = 8, QEXT_LITTLE_ENDIAN: u32 = 0x1e1e1e1e;

/** A read of BAR2 at offset `off` (QEMU splits wider accesses into the
 *  registers' own width: bytes for the ports, 16 bits for DISPI). */
export function vgaMmioRead(off: u32, size: u32): u32 {
  let v: u32 = 0;
  if (off < EDID_SIZE) {
    for (let i: u32 = 0; i < size && off + i < EDID_SIZE; i++) v |= <u32>EDID[off + i] << (i << 3);
    return v;
  }
  if (off - MMIO_VGA < 0x20) {
    for (let i: u32 = 0; i < size; i++) v |= read8(0x3c0 + ((off + i - MMIO_VGA) & 0x1f)) << (i << 3);
    return v;
  }
  if (off - MMIO_DISPI < 0x16) {
    for (let a = off & ~1; a < off + size; a += 2) {
      let i = (a - MMIO_DISPI) >> 1;
      store<u16>(VGA_STATE + V_VBE_I, <u16>i);
      let w = dispiRead(i);
      let shift = <i32>(a - off) << 3;
      v |= shift >= 0 ? w << shift : w >> -shift;
    }
    return size == 4 ? v : v & ((1 << (size << 3)) - 1);
  }
  if (off == MMIO_QEXT && size == 4) return QEXT_SIZE;
  if (off == MMIO_QEXT + 4 && size == 4) return QEXT_LITTLE_ENDIAN;
  return 0;
}

export function vgaMmioWrite(off: u32, size: u32, v: u32): void {
  if (off - MMIO_VGA < 0x20) {
    for (let i: u32 = 0; i < size; i++) write8(0x3c0 + ((off + i - MMIO_VGA) & 0x1f), (v >> (i << 3)) & 0xff);
    return;
  }
  if (off - MMIO_DISPI < 0x16 && size >= 2 && (off & 1) == 0) {
    for (let a = off; a < off + size; a += 2) {
      let i = (a - MMIO_DISPI) >> 1;
      store<u16>(VGA_STATE + V_VBE_I, <u16>i);
      dispiWrite(i, (v >> ((a - off) << 3)) & 0xffff);
    }
  }
}
