// VGA in text mode: the register file a BIOS programs (IBM VGA Technical
// Reference; FreeVGA "VGA/SVGA Video Programming" register pages): misc output
// (0x3C2 write, 0x3CC read), sequencer (0x3C4/5), CRTC (0x3D4/5, or 0x3B4/5 when
// misc output bit 0 selects mono), graphics controller (0x3CE/F), attribute
// controller (0x3C0/1, index/data flip-flop reset by reading input status 1),
// DAC (0x3C6-0x3C9), input status 1 (0x3DA / 0x3BA) with retrace bits that
// toggle on every read, feature control and VGA enable.
//
// Memory (layout.ts VGA_MEM, 256 KiB):
//   +0x00000  "plane 0/1/3" store for the A0000-AFFFF window (MMIO)
//   +0x10000  the B0000-BFFFF window, mapped straight as host memory (RAM-like):
//             B8000 is +0x18000. In text mode the CPU's odd/even view is what is
//             stored: character at even, attribute at odd addresses.
//   +0x20000  plane 2: the font the BIOS loads through A0000 (32 bytes per glyph,
//             character map selected by sequencer register 3)
//   +0x30000  plane 3
// The host renders the text screen from vgaTextBase() and the CRTC values below;
// it needs no call per frame beyond reading them.
//
// Not modelled: graphics modes (planar/chain-4 pixel memory, write modes 1-3,
// the ALU, bit mask, set/reset, latches), which are out of scope; A0000 writes
// go to one store per enabled plane as plain bytes. The memory map select of the
// graphics controller does not move the windows (B0000-BFFFF is always text
// memory). No vertical retrace interrupt, no split screen, no smooth scrolling.
// Bochs VBE (0x1CE/0x1CF) and the PCI function of a stdvga are not here.

import { slotAddr, SLOT_VGA } from "./slots";
import { VGA_MEM } from "../layout";

export const VGA_STATE: u32 = slotAddr(SLOT_VGA);
const V_MISC: u32 = 0x00, V_SEQ_I: u32 = 0x01, V_CRTC_I: u32 = 0x02, V_GC_I: u32 = 0x03, V_ATTR_I: u32 = 0x04;
const V_FLIP: u32 = 0x05, V_DAC_R: u32 = 0x06, V_DAC_W: u32 = 0x07, V_DAC_C: u32 = 0x08, V_DAC_STATE: u32 = 0x09;
const V_PEL_MASK: u32 = 0x0a, V_FEATURE: u32 = 0x0b, V_RETRACE: u32 = 0x0c, V_ENABLE: u32 = 0x0d;
export const V_SEQ: u32 = 0x10, V_GC: u32 = 0x20, V_ATTR: u32 = 0x30, V_CRTC: u32 = 0x60, V_DAC: u32 = 0x100;

export const VGA_WINDOW_B0000: u32 = VGA_MEM + 0x10000;
const PLANE2: u32 = VGA_MEM + 0x20000;
const PLANE3: u32 = VGA_MEM + 0x30000;

@inline function r8(f: u32): u32 { return <u32>load<u8>(VGA_STATE + f); }
@inline function w8(f: u32, v: u32): void { store<u8>(VGA_STATE + f, <u8>v); }

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
  // The 64-colour EGA palette in DAC entries 0-63 (rgbRGB bits, 6-bit levels).
  for (let i: u32 = 0; i < 64; i++) {
    w8(V_DAC + i * 3, ((i >> 2) & 1) * 0x2a + ((i >> 5) & 1) * 0x15);
    w8(V_DAC + i * 3 + 1, ((i >> 1) & 1) * 0x2a + ((i >> 4) & 1) * 0x15);
    w8(V_DAC + i * 3 + 2, (i & 1) * 0x2a + ((i >> 3) & 1) * 0x15);
  }
}

/** Power-on: clear video memory too. */
export function vgaInit(): void {
  memory.fill(VGA_MEM, 0, 0x40000);
  vgaReset();
}

@inline function mono(): bool { return (r8(V_MISC) & 1) == 0; }

export function vgaPortRead(port: u32, size: u32): u32 {
  let v = read8(port);
  if (size >= 2) v |= read8(port + 1) << 8;
  if (size == 4) v |= (read8(port + 2) << 16) | (read8(port + 3) << 24);
  return v;
}
export function vgaPortWrite(port: u32, size: u32, value: u32): void {
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
      w8(V_DAC + i * 3 + c, v & 0x3f);
      if (++c == 3) { c = 0; w8(V_DAC_W, (i + 1) & 0xff); }
      w8(V_DAC_C, c);
      break;
    }
    case 0x3ce: w8(V_GC_I, v); break;
    case 0x3cf: { let i = r8(V_GC_I) & 0x0f; if (i < 9) w8(V_GC + i, v); break; }
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
      break;
    }
    case 0x3ba: case 0x3da:
      if ((port == 0x3ba) == mono()) w8(V_FEATURE, v);
      break;
  }
}

// ---- A0000-AFFFF (MMIO) ----

/** The store behind A0000 for plane `p` (planes 0 and 1 share one, see above). */
@inline function planeBase(p: u32): u32 { return p == 2 ? PLANE2 : p == 3 ? PLANE3 : VGA_MEM; }

export function vgaMemRead(addr: u32, size: u32): u32 {
  let off = addr & 0xffff;
  let base = planeBase(r8(V_GC + 4) & 3); // read map select
  let v: u32 = 0;
  for (let i: u32 = 0; i < size; i++) v |= <u32>load<u8>(base + ((off + i) & 0xffff)) << (i << 3);
  return v;
}
export function vgaMemWrite(addr: u32, size: u32, value: u32): void {
  let off = addr & 0xffff;
  let mask = r8(V_SEQ + 2) & 0x0f; // map mask: planes written
  for (let i: u32 = 0; i < size; i++) {
    let a = (off + i) & 0xffff, b = <u8>(value >> (i << 3));
    if (mask & 0x03) store<u8>(VGA_MEM + a, b);
    if (mask & 0x04) store<u8>(PLANE2 + a, b);
    if (mask & 0x08) store<u8>(PLANE3 + a, b);
  }
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
/** Linear-memory address of the text window (character, attribute pairs): B8000
 *  for colour, B0000 for mono (misc output bit 0). Cell i of the screen is at
 *  base + ((start + i) * 2 & 0x7fff). */
export function vgaTextBase(): u32 { return VGA_WINDOW_B0000 + (mono() ? 0 : 0x8000); }
/** Linear-memory address of the font for character map A (32 bytes per glyph). */
export function vgaFontBase(): u32 {
  let s = r8(V_SEQ + 3);
  let sel = ((s & 3) << 1) | ((s >> 5) & 1);  // map A select: bits 5, 1, 0 (bit 5 is the low one)
  return PLANE2 + (sel >> 1) * 0x4000 + (sel & 1) * 0x2000;
}
/** The register block (layout above: V_SEQ, V_GC, V_ATTR, V_CRTC, V_DAC offsets)
 *  for a renderer's palette: attribute registers 0x30-0x44 (palette 0x30-0x3F), CRTC 0x60-0x78, DAC 0x100 (256 × RGB, 6 bits). */
export function vgaStateBase(): u32 { return VGA_STATE; }
