// The VGA renderer (web/host/vgarender.ts) on small hand-worked cases: register
// values put straight into a register block laid out as asm/dev/vga.ts's, pixel
// values worked out from the VGA's scan-out rules (IBM VGA Technical Reference:
// 16-colour modes take bit 7 first, plane p as bit p of the colour, through the
// attribute palette into the DAC; 256-colour modes one byte per pixel).

import { test, expect } from "vitest";
import { renderVga, ppm, textFontLoaded, VgaScreen, bgraToRgba } from "../../web/host/vgarender";

const STATE = 0, VRAM = 0x1000;
const V_ATTR_I = 0x04, V_SEQ = 0x10, V_GC = 0x20, V_ATTR = 0x30, V_CRTC = 0x60, V_DAC = 0x100;

function machine(): Uint8Array {
  const m = new Uint8Array(VRAM + 0x40000);
  m[STATE + V_ATTR_I] = 0x20;         // display on
  m[STATE + V_GC + 6] = 0x05;         // graphics, A0000
  m[STATE + V_CRTC + 0x17] = 0xe3;    // no CGA/Hercules address substitution
  m[STATE + V_CRTC + 0x01] = 0;       // 8 dots wide
  m[STATE + V_CRTC + 0x12] = 1;       // 2 lines
  m[STATE + V_CRTC + 0x13] = 1;       // 8 bytes (2 addresses of 4 planes) a line
  m[STATE + V_CRTC + 0x18] = 0xff; m[STATE + V_CRTC + 0x07] = 0x10; m[STATE + V_CRTC + 0x09] = 0x40; // line compare off
  m[STATE + V_ATTR + 0x12] = 0x0f;    // all planes shown
  return m;
}
const dac = (m: Uint8Array, i: number, r: number, g: number, b: number) => { m[V_DAC + i * 3] = r; m[V_DAC + i * 3 + 1] = g; m[V_DAC + i * 3 + 2] = b; };
const pixel = (img: { rgba: Uint8ClampedArray; width: number }, x: number, y: number) => {
  const o = (y * img.width + x) * 4;
  return (img.rgba[o] << 16) | (img.rgba[o + 1] << 8) | img.rgba[o + 2];
};

test("16-colour planar: bit 7 is the leftmost dot, plane p is colour bit p, attribute palette then DAC", () => {
  const m = machine();
  // Address 0: plane 0 = 80h, plane 1 = C0h, plane 2 = 01h, plane 3 = 00h.
  // Dot 0: bits 1,1,0,0 -> colour 3; dot 1: 0,1,0,0 -> 2; dots 2-6: 0; dot 7: 0,0,1,0 -> 4.
  m.set([0x80, 0xc0, 0x01, 0x00], VRAM);
  m[V_ATTR + 3] = 0x10; m[V_ATTR + 2] = 0x11; m[V_ATTR + 0] = 0x12; m[V_ATTR + 4] = 0x13;
  dac(m, 0x10, 0x3f, 0, 0); dac(m, 0x11, 0, 0x3f, 0); dac(m, 0x12, 0, 0, 0x01); dac(m, 0x13, 0x2a, 0x15, 0x3f);
  const img = renderVga(m, STATE, VRAM);
  expect([img.mode, img.width, img.height]).toEqual(["graphics", 8, 2]);
  // 6-bit levels to 8 bits: v << 2 with the low bit copied: 3Fh -> FFh, 01h -> 07h, 2Ah -> A8h, 15h -> 57h.
  expect(pixel(img, 0, 0)).toBe(0xff0000);
  expect(pixel(img, 1, 0)).toBe(0x00ff00);
  expect(pixel(img, 3, 0)).toBe(0x000007);
  expect(pixel(img, 7, 0)).toBe(0xa857ff);
  // Line 1 starts one offset (8 bytes) on: address 2, all zero -> palette 0.
  expect(pixel(img, 0, 1)).toBe(0x000007);
  // Plane enable without plane 1: dot 0 becomes colour 1 (palette 1 -> DAC 0 -> black).
  m[V_ATTR + 0x12] = 0x0d;
  expect(pixel(renderVga(m, STATE, VRAM), 0, 0)).toBe(0x000000);
});

test("256-colour (shift register 256-colour mode): a byte a pixel, each two dots wide, double scan", () => {
  const m = machine();
  m[V_GC + 5] = 0x40;
  m[V_CRTC + 0x09] = 0x80 | 0x40;      // double scan: 2 lines show line 0
  m.set([1, 2, 3, 4], VRAM);
  m.set([9, 9, 9, 9], VRAM + 8);
  dac(m, 1, 1, 0, 0); dac(m, 2, 0, 2, 0); dac(m, 3, 0, 0, 3); dac(m, 4, 4, 4, 4); dac(m, 9, 0x3f, 0x3f, 0x3f);
  const img = renderVga(m, STATE, VRAM);
  expect([img.width, img.height]).toEqual([8, 2]);
  const row = (y: number) => Array.from({ length: 8 }, (_, x) => pixel(img, x, y));
  expect(row(0)).toEqual([0x070000, 0x070000, 0x000800, 0x000800, 0x00000f, 0x00000f, 0x101010, 0x101010]);
  expect(row(1)).toEqual(row(0));
  // Start address 2 (in 4-byte units): the picture starts at byte 8.
  m[V_CRTC + 0x0d] = 2;
  expect(pixel(renderVga(m, STATE, VRAM), 0, 0)).toBe(0xffffff);
});

test("CGA 640x200 (BIOS mode 06h's CRTC): a row is 2 scan lines, one per 8 KiB bank, each doubled; every memory line shows on 2 lines", () => {
  // SeaBIOS's mode 06h: maximum scan line C1h (double scan, 2 scan lines a row),
  // mode control C2h (byte mode, row scan bit 0 as address bit 13), one plane shown.
  // IBM VGA: double scan clocks the row scan counter every 2nd line, so lines
  // 0-1 are row 0 scan 0 (address 0), lines 2-3 row 0 scan 1 (address 2000h),
  // lines 4-5 row 1 scan 0 (address 0 + offset = 2), lines 6-7 address 2002h.
  const m = machine();
  m[V_CRTC + 0x09] = 0xc1;
  m[V_CRTC + 0x17] = 0xc2;
  m[V_CRTC + 0x12] = 7;                // 8 lines
  m[V_ATTR + 0x12] = 0x01;
  m[V_ATTR + 1] = 0x3f; dac(m, 0x3f, 0x3f, 0x3f, 0x3f);
  // Plane 0 of address a is byte 4a: one dot lit per bank line, dot n on memory line n.
  m[VRAM + 4 * 0] = 0x80; m[VRAM + 4 * 0x2000] = 0x40; m[VRAM + 4 * 2] = 0x20; m[VRAM + 4 * 0x2002] = 0x10;
  const img = renderVga(m, STATE, VRAM);
  expect([img.width, img.height]).toEqual([8, 8]);
  for (let y = 0; y < 8; y++) {
    expect(Array.from({ length: 8 }, (_, x) => pixel(img, x, y) ? 1 : 0), `line ${y}`).toEqual(Array.from({ length: 8 }, (_, x) => x === y >> 1 ? 1 : 0));
  }
});

test("text: 9-dot cells from the font in plane 2; the 9th column repeats the 8th only for line-drawing characters (B0h-DFh, as QEMU; the IBM VGA says C0h-DFh)", () => {
  const m = machine();
  m[V_GC + 6] = 0x0e;                  // text
  m[V_CRTC + 0x09] = 0x01;             // 2 scan lines a character
  m[V_CRTC + 0x12] = 1;                // 2 lines: one row
  m[V_CRTC + 0x01] = 1;                // 2 columns
  m[V_CRTC + 0x0a] = 0x20;             // cursor off
  m[V_ATTR + 0x10] = 0x0c;             // line graphics enable
  m[V_ATTR + 1] = 1; m[V_ATTR + 7] = 7;
  dac(m, 1, 0, 0, 0x3f); dac(m, 7, 0x3f, 0x3f, 0x3f);
  // Cells: 'A' (41h) with attribute 17h (white on blue) and C4h with 17h.
  m.set([0x41, 0x17, 0, 0, 0xc4, 0x17], VRAM);
  // Plane 2, glyph row r of character c at byte ((c * 32 + r) * 4) + 2.
  m[VRAM + (0x41 * 32) * 4 + 2] = 0x81; m[VRAM + (0x41 * 32 + 1) * 4 + 2] = 0x01;
  m[VRAM + (0xc4 * 32) * 4 + 2] = 0x01;
  const img = renderVga(m, STATE, VRAM);
  expect([img.mode, img.width, img.height]).toEqual(["text", 18, 2]);
  const W = 0xffffff, B = 0x0000ff;
  const row = (y: number) => Array.from({ length: 18 }, (_, x) => pixel(img, x, y));
  expect(row(0)).toEqual([W, B, B, B, B, B, B, W, B, B, B, B, B, B, B, B, W, W]);
  expect(row(1)).toEqual([B, B, B, B, B, B, B, W, B, B, B, B, B, B, B, B, B, B]);
});

/** 80x25 text, 16 scan lines a character, 9 dots, cursor off: mode 3's geometry. */
function textMode(): Uint8Array {
  const m = machine();
  m[V_GC + 6] = 0x0e;
  m[V_CRTC + 0x09] = 0x0f;             // 16 scan lines a character
  m[V_CRTC + 0x12] = 0x8f; m[V_CRTC + 0x07] = 0x02 | 0x10; // 400 lines (vertical display end 18Fh: bit 8 in register 7 bit 1), line compare off
  m[V_CRTC + 0x01] = 79;               // 80 columns
  m[V_CRTC + 0x13] = 40;               // 160 bytes (80 cells) a row
  m[V_CRTC + 0x0a] = 0x20;             // cursor off
  m[V_ATTR + 7] = 7; dac(m, 7, 0x2a, 0x2a, 0x2a);
  return m;
}

test("text: a font is loaded when the character maps sequencer register 3 selects hold a printable glyph", () => {
  const m = textMode();
  expect(textFontLoaded(m, STATE, VRAM)).toBe(false);
  // Row 5 of 'Z' (5Ah) at 16 KiB into plane 2: not shown while register 3 is 0.
  const z = (kib: number) => VRAM + (kib * 1024 + 0x5a * 32 + 5) * 4 + 2;
  m[z(16)] = 0x18;
  expect(textFontLoaded(m, STATE, VRAM)).toBe(false);
  // Register 3 bits 1-0 = 1: map B (attribute bit 3 clear) at 16 KiB.
  m[V_SEQ + 3] = 0x01;
  expect(textFontLoaded(m, STATE, VRAM)).toBe(true);
  // Bits 5, 3-2 = 1, 0, 1: map A (attribute bit 3 set) at 1 * 16 + 8 = 24 KiB; map B back at 0.
  m[z(16)] = 0; m[z(24)] = 0x18; m[V_SEQ + 3] = 0x24;
  expect(textFontLoaded(m, STATE, VRAM)).toBe(true);
  m[V_SEQ + 3] = 0x04; // map A at 16 KiB: nothing there
  expect(textFontLoaded(m, STATE, VRAM)).toBe(false);
  // A control character's glyph (01h, the smiley) is not taken for a font.
  m[z(24)] = 0; m[VRAM + (0x01 * 32 + 3) * 4 + 2] = 0xff; m[V_SEQ + 3] = 0;
  expect(textFontLoaded(m, STATE, VRAM)).toBe(false);
});

test("text: the page's screen gets back only the character rows whose pixels changed", () => {
  const m = textMode();
  for (let r = 0; r < 16; r++) m[VRAM + (0x41 * 32 + r) * 4 + 2] = 0xff; // 'A' a solid block
  const screen = new VgaScreen(), none = new Uint8Array(512);
  const first = screen.update(m, STATE, VRAM, none);
  expect([first.mode, first.width, first.height, first.y0, first.y1, first.rgba.length]).toEqual(["text", 720, 400, 0, 400, 720 * 400 * 4]);
  expect(screen.update(m, STATE, VRAM, none)).toMatchObject({ y0: 0, y1: 0 });
  // 'A' in row 3, column 10: 4 bytes a cell, 80 cells a row; pixel rows 48-63.
  m.set([0x41, 0x07], VRAM + (3 * 80 + 10) * 4);
  const next = screen.update(m, STATE, VRAM, none);
  expect([next.y0, next.y1, next.rgba.length]).toEqual([48, 64, 720 * 16 * 4]);
  expect(pixel(next, 90, 0)).toBe(0xa8a8a8); // DAC 2Ah widened to A8h; row 48 is the band's first
  // The same cell's attribute changed back to 00h: black on black, the same rows again.
  m[VRAM + (3 * 80 + 10) * 4 + 1] = 0;
  expect(screen.update(m, STATE, VRAM, none)).toMatchObject({ y0: 48, y1: 64 });
  // Forgotten (the canvas showed something else): the whole picture.
  screen.forget();
  expect(screen.update(m, STATE, VRAM, none)).toMatchObject({ y0: 0, y1: 400 });
});

test("VBE 32 bpp: the page's screen gets back only the band of lines on written video memory pages", () => {
  // Bochs VBE 1024x4x32 (asm/dev/vga.ts V_VBE: the DISPI registers as words),
  // 4096 bytes a line: line y is video memory page y.
  const m = new Uint8Array(VRAM + 4 * 4096);
  const vbe = (i: number, v: number) => { m[0x82 + 2 * i] = v & 0xff; m[0x82 + 2 * i + 1] = v >> 8; };
  vbe(1, 1024); vbe(2, 4); vbe(3, 32); vbe(4, 0x01);
  m.set([0x00, 0x10, 0, 0], 0xa0);     // V_VBE_LINE 4096; V_VBE_START 0
  m[V_ATTR_I] = 0x20; m[V_GC + 6] = 0x01; m[V_GC + 5] = 0x40;
  const dirty = (...pages: number[]) => { const d = new Uint8Array(512); for (const p of pages) d[p >> 3] |= 1 << (p & 7); return d; };
  const screen = new VgaScreen();
  expect(screen.update(m, STATE, VRAM, dirty())).toMatchObject({ mode: "graphics", width: 1024, height: 4, y0: 0, y1: 4 });
  expect(screen.update(m, STATE, VRAM, dirty()).rgba.length).toBe(0);
  // Pixel 5 of line 2: B, G, R, unused.
  m.set([0x01, 0x02, 0x03, 0], VRAM + 2 * 4096 + 5 * 4);
  const two = screen.update(m, STATE, VRAM, dirty(2));
  expect([two.y0, two.y1, two.rgba.length, pixel(two, 5, 0)]).toEqual([2, 3, 1024 * 4, 0x030201]);
  // Lines 1 and 3 written: the band between them, line 2 as it is.
  const band = screen.update(m, STATE, VRAM, dirty(1, 3));
  expect([band.y0, band.y1, pixel(band, 5, 1)]).toEqual([1, 4, 0x030201]);
  // The display start moved a line: the whole picture, from line 1 of video memory.
  m[0xa5] = 0x10;
  const moved = screen.update(m, STATE, VRAM, dirty());
  expect([moved.y0, moved.y1, pixel(moved, 5, 1)]).toEqual([0, 4, 0x030201]);
  // For the page's screen: the lines as video memory holds them, made RGBA (opaque) on the page.
  const raw = screen.update(m, STATE, VRAM, dirty(2), { bgra: true });
  expect([raw.y0, raw.y1, raw.bgra, Array.from(raw.rgba.subarray(5 * 4, 6 * 4))]).toEqual([1, 2, true, [0x01, 0x02, 0x03, 0]]);
  const rgba = new Uint8ClampedArray(raw.rgba.length);
  bgraToRgba(raw.rgba, rgba, 0);
  expect(Array.from(rgba.subarray(5 * 4, 6 * 4))).toEqual([0x03, 0x02, 0x01, 0xff]);
});

test("VBE 4 bpp (planar, as the 16-colour modes): a written line is redrawn on the page's screen", () => {
  // Bochs VBE 8x2x4: the sequencer, graphics and attribute registers of a
  // 16-colour mode, 8 bytes (2 addresses of 4 planes) a line.
  const m = machine();
  const vbe = (i: number, v: number) => { m[0x82 + 2 * i] = v & 0xff; m[0x82 + 2 * i + 1] = v >> 8; };
  vbe(1, 8); vbe(2, 2); vbe(3, 4); vbe(4, 0x01);
  m[0xa0] = 8;                         // V_VBE_LINE
  m[V_ATTR + 1] = 1; dac(m, 1, 0x3f, 0, 0);
  const page0 = new Uint8Array(512); page0[0] = 1;
  const screen = new VgaScreen();
  expect(screen.update(m, STATE, VRAM, page0)).toMatchObject({ mode: "graphics", width: 8, height: 2, y0: 0, y1: 2 });
  m[VRAM + 8] = 0x80;                  // line 1, plane 0, leftmost dot: colour 1
  const u = screen.update(m, STATE, VRAM, page0);
  expect(u.y0 <= 1 && u.y1 >= 2).toBe(true);
  expect(pixel(u, 0, 1 - u.y0)).toBe(0xff0000);
});

test("PPM: P6 header, then RGB without alpha", () => {
  const m = machine();
  dac(m, 0, 0x3f, 0, 0x01);
  const p = ppm(renderVga(m, STATE, VRAM));
  const head = "P6\n8 2\n255\n";
  expect(new TextDecoder().decode(p.subarray(0, head.length))).toBe(head);
  expect(p.length).toBe(head.length + 8 * 2 * 3);
  expect(Array.from(p.subarray(head.length, head.length + 3))).toEqual([0xff, 0x00, 0x07]);
});
