// Host view of the VGA text screen (asm/dev/vga.ts): what a canvas renderer or
// a test needs, read straight from the machine's memory between run slices.

export interface VgaExports {
  vgaTextMode(): number;
  vgaColumns(): number;
  vgaRows(): number;
  vgaCharHeight(): number;
  vgaStartAddress(): number;
  vgaCursorAddress(): number;
  vgaCursorShape(): number;
  vgaTextBase(): number;
  vgaFontBase(): number;
  vgaStateBase(): number;
}

export interface TextScreen {
  columns: number;
  rows: number;
  charHeight: number;
  /** Character (low byte, CP437) and attribute (high byte) per cell, row by row. */
  cells: Uint16Array;
  /** Cursor cell (row, column), or undefined when off or outside the screen. */
  cursor?: { row: number; column: number; start: number; end: number };
}

/** The current text screen, or undefined in a graphics mode (not emulated). */
/** The VGA shows a text screen (of at least one cell). */
export function inTextMode(x: VgaExports): boolean {
  return x.vgaTextMode() !== 0 && x.vgaColumns() !== 0 && x.vgaRows() !== 0;
}

export function readTextScreen(memory: WebAssembly.Memory, x: VgaExports): TextScreen | undefined {
  if (!inTextMode(x)) return undefined;
  const columns = x.vgaColumns(), rows = x.vgaRows();
  const mem = new Uint8Array(memory.buffer);
  const base = x.vgaTextBase(), start = x.vgaStartAddress();
  const cells = new Uint16Array(columns * rows);
  // Cell i: plane 0 (character) and plane 1 (attribute) of address start + i,
  // bytes (start + i) * 4 and +1 of the interleaved planes (asm/dev/vga.ts).
  for (let i = 0; i < cells.length; i++) {
    const a = base + (((start + i) * 4) & 0x3ffff);
    cells[i] = mem[a] | (mem[a + 1] << 8);
  }
  const shape = x.vgaCursorShape();
  const rel = x.vgaCursorAddress() - start;
  const cursor = (shape >> 16) & 1 || rel < 0 || rel >= cells.length ? undefined
    : { row: Math.floor(rel / columns), column: rel % columns, start: shape & 0x1f, end: (shape >> 8) & 0x1f };
  return { columns, rows, charHeight: x.vgaCharHeight(), cells, cursor };
}

/** The screen as text lines (characters only, trailing spaces kept), for tests and logs. */
export function textScreenLines(s: TextScreen): string[] {
  const lines: string[] = [];
  for (let r = 0; r < s.rows; r++) {
    let line = "";
    for (let c = 0; c < s.columns; c++) {
      const ch = s.cells[r * s.columns + c] & 0xff;
      line += ch >= 0x20 && ch < 0x7f ? String.fromCharCode(ch) : ch === 0 ? " " : ".";
    }
    lines.push(line);
  }
  return lines;
}

/** A 6-bit DAC level as 8 bits, as QEMU's std VGA widens it (vga_int.h c6_to_8):
 *  shifted left 2, the low bit copied into both new bits (3Fh -> FFh, 2Ah -> A8h). */
export function dac6to8(v: number): number {
  v &= 0x3f;
  const b = v & 1;
  return (v << 2) | (b << 1) | b;
}

/** The 16 text colours as 0xRRGGBB: attribute palette → DAC (6-bit levels). */
export function textPalette(memory: WebAssembly.Memory, x: VgaExports): number[] {
  const mem = new Uint8Array(memory.buffer);
  const st = x.vgaStateBase();
  const out: number[] = [];
  for (let i = 0; i < 16; i++) {
    const idx = mem[st + 0x30 + i] & 0x3f; // attribute palette register i (vga.ts V_ATTR)
    const d = st + 0x100 + idx * 3;        // DAC entry (vga.ts V_DAC)
    const c = dac6to8;
    out.push((c(mem[d]) << 16) | (c(mem[d + 1]) << 8) | c(mem[d + 2]));
  }
  return out;
}

// The IBM VGA's 8x16 font begins with a blank glyph 0 and the smiley of glyph 1
// (CP437 01h); glyph DBh is the full block. Every VGA BIOS carries the table, as
// SeaBIOS's vgabios-stdvga.bin does (vgasrc/vgafonts.c, what INT 10h AX=1130h
// BH=6 points at).
const SMILEY_16 = [0x00, 0x00, 0x7e, 0x81, 0xa5, 0x81, 0x81, 0xbd, 0x99, 0x81, 0x81, 0x7e, 0x00, 0x00, 0x00, 0x00];

/** The 8x16 font (256 glyphs of 16 bytes) inside a VGA BIOS image, or undefined
 *  when the image has none: found by its first two glyphs, checked by the full block. */
export function findFont8x16(rom: Uint8Array): Uint8Array | undefined {
  const sig = new Uint8Array(32);
  sig.set(SMILEY_16, 16);
  search: for (let o = rom.indexOf(0); o >= 0 && o + 4096 <= rom.length; o = rom.indexOf(0, o + 1)) {
    for (let i = 0; i < 32; i++) if (rom[o + i] !== sig[i]) continue search;
    const font = rom.subarray(o, o + 4096);
    if (font.subarray(0xdb * 16, 0xdc * 16).every((b) => b === 0xff)) return font;
  }
  return undefined;
}
