// The VGA picture as an RGBA image: what the monitor's screendump writes and the
// page draws on its canvas, computed from video memory and the registers
// (asm/dev/vga.ts) the way QEMU's std VGA scans them out, so a screendump here
// matches qemu-system-i386's for the same guest state. No DOM, no Node APIs.
//
// Register semantics: IBM VGA Technical Reference, FreeVGA. Where a real VGA's
// picture is not one QEMU draws, QEMU's is followed (so that the two compare):
//   - graphics modes: width (horizontal display end + 1) * 8, height vertical
//     display end + 1 (a double-scanned 320x200 mode is 640x400, each pixel two
//     wide and two high); 256-colour modes take 4 bytes of the interleaved
//     planes per 8 dots (each byte one pixel, doubled); 16-colour modes take one
//     address's 4 planes per 8 dots (bit 7 the leftmost), twice as wide when the
//     sequencer halves the dot clock; CGA modes (shift register mode 1) 2 bits per
//     pixel from planes 0/2 then 1/3;
//   - scan lines: offset register * 8 bytes per character row, maximum scan line
//     and double scan repeat lines, CRTC mode control bits 0/1 substitute the CGA
//     and Hercules bank bits, line compare restarts at address 0. With the CGA
//     bank bit substituted (mode control bit 0 clear) QEMU (7.1 on, "vga: fix
//     incorrect line height in 640x200x2 mode") ignores the maximum scan line,
//     repeats a line only for double scan and steps the address every 2 lines
//     (4 with the Hercules bit too). The IBM VGA counts the row's scan lines
//     from the maximum scan line; the two pictures are the same when a row is
//     those 2 (4) lines, as in BIOS modes 04h-06h (maximum scan line 1, double
//     scan: 400 lines, each memory line on 2), and differ for other heights;
//   - text: 8, 9 (9th column blank, or the 8th repeated for B0h-DFh with line
//     graphics enable: QEMU's range, the IBM VGA's is C0h-DFh) or 16 dots a character from the fonts in plane 2; the
//     cursor is drawn when `cursor` is true (QEMU blinks it with its clock);
//   - colours: attribute palette (and colour select) into the DAC, 6-bit levels
//     widened as dac6to8; the PEL mask is ignored as in QEMU.
//   - Bochs VBE (enabled in its ENABLE register): XRES x YRES from the byte
//     offset V_VBE_START, V_VBE_LINE bytes a line (blanked by the attribute
//     controller as VGA modes are, as in QEMU); 4 bpp is the
//     16-colour planar scan-out, 8 bpp the DAC (its whole byte with the 8-bit
//     DAC flag, else 6 bits widened), 15 bpp 5:5:5 little-endian with the low
//     bits of each level zero (QEMU's line drawing), 16 bpp 5:6:5 with the top
//     bits repeated in the low ones (QEMU shares the guest's framebuffer as an
//     r5g6b5 surface, which pixman widens so), 24 bpp B, G, R bytes,
//     32 bpp B, G, R, unused; addresses wrap at the end of video memory.
// VgaScreen gives the page what changed since the last picture: in a VBE mode
// of 8 bpp or more, only the band of lines that touch video memory pages the
// machine logged as written (asm/mmu/dirty.ts), drawn straight into a buffer of
// its own (for the worker to transfer); otherwise the rows that differ.

import { dac6to8 } from "./vga";

export interface VgaImage {
  width: number;
  height: number;
  /** RGBA, row by row: the whole picture, or with RenderOptions.band the rows in `band`. */
  rgba: Uint8ClampedArray;
  mode: "text" | "graphics" | "blank";
  /** With RenderOptions.band, in a VBE mode of 8 bpp or more: the rows [y0, y1) drawn. */
  band?: { y0: number; y1: number };
  /** With RenderOptions.bgra at 32 bpp: `rgba` holds B, G, R, unused, as video memory (bgraToRgba makes it RGBA). */
  bgra?: boolean;
}

/** Register block offsets (asm/dev/vga.ts V_*). */
const V_ATTR_I = 0x04, V_SEQ = 0x10, V_GC = 0x20, V_ATTR = 0x30, V_CRTC = 0x60, V_DAC = 0x100;
const V_VBE = 0x82, V_SR_VBE = 0x98, V_VBE_LINE = 0xa0, V_VBE_START = 0xa4;
const DISPI_XRES = 1, DISPI_YRES = 2, DISPI_BPP = 3, DISPI_ENABLE = 4, DISPI_ENABLED = 0x01, DISPI_8BIT_DAC = 0x20;
/** Register block size (vga.ts: registers, VBE, then the DAC). */
export const VGA_STATE_BYTES = 0x400;
const VRAM_MASK = 0xffffff; // 16 MiB of video memory; QEMU masks every scan-out access so
const PAGE_SHIFT = 12;

/** `mem`: the machine's memory; `state`: vgaStateBase(); `vram`: vgaTextBase(). */
export interface RenderOptions {
  cursor?: boolean;
  /** In a VBE mode of 8 bpp or more: whether the line at video memory offset
   *  `a`, `n` bytes long, changed; only the lines from the first that did to
   *  the last are drawn (VgaImage.band; none when none did). Other modes are drawn whole. */
  band?: (a: number, n: number) => boolean;
  /** In a VBE mode of 8 bpp or more: where to draw, an array of `bytes` (the
   *  whole picture) given for it, each line at its place; the image's `rgba`
   *  is then a view of it (of the band's rows with `band`). */
  target?: (bytes: number) => Uint8ClampedArray;
  /** At 32 bpp: the lines as video memory holds them, copied, not converted
   *  (VgaImage.bgra): the page's screen converts them on its own thread. */
  bgra?: boolean;
}

export function renderVga(mem: Uint8Array, state: number, vram: number, opts: RenderOptions = {}): VgaImage {
  const vbe = (i: number) => mem[state + V_VBE + 2 * i] | (mem[state + V_VBE + 2 * i + 1] << 8);
  const vbeOn = (vbe(DISPI_ENABLE) & DISPI_ENABLED) !== 0;
  const sr = (i: number) => mem[state + (vbeOn ? V_SR_VBE : V_SEQ) + i];
  const gr = (i: number) => mem[state + V_GC + i];
  const ar = (i: number) => mem[state + V_ATTR + i];
  const cr = (i: number) => mem[state + V_CRTC + i];
  const dac = (i: number) => dac6to8(mem[state + V_DAC + i]);
  const vb = (a: number) => mem[vram + (a & VRAM_MASK)];
  const rgb = (e: number) => (dac(e * 3) << 16) | (dac(e * 3 + 1) << 8) | dac(e * 3 + 2);
  const dac8 = vbeOn && (vbe(DISPI_ENABLE) & DISPI_8BIT_DAC) !== 0;
  const rgb256 = (e: number) => dac8 ? (mem[state + V_DAC + e * 3] << 16) | (mem[state + V_DAC + e * 3 + 1] << 8) | mem[state + V_DAC + e * 3 + 2] : rgb(e);

  const pal16: number[] = [];
  for (let i = 0; i < 16; i++) {
    let v = ar(i) & 0x3f;
    v = ar(0x10) & 0x80 ? ((ar(0x14) & 0xf) << 4) | (v & 0xf) : ((ar(0x14) & 0xc) << 4) | v;
    pal16.push(rgb(v));
  }
  const vde = (cr(0x12) | ((cr(7) & 0x02) << 7) | ((cr(7) & 0x40) << 3)) + 1;
  const vbeView = (i: number) => mem[state + i] | (mem[state + i + 1] << 8) | (mem[state + i + 2] << 16) | (mem[state + i + 3] << 24);
  const lineOffset = vbeOn ? vbeView(V_VBE_LINE) : cr(0x13) << 3;
  const start = vbeOn ? vbeView(V_VBE_START) >>> 2 : (cr(0x0c) << 8) | cr(0x0d);
  const lineCompare = vbeOn ? 65535 : cr(0x18) | ((cr(7) & 0x10) << 4) | ((cr(9) & 0x40) << 3);

  if (!(mem[state + V_ATTR_I] & 0x20)) return { width: 0, height: 0, rgba: new Uint8ClampedArray(0), mode: "blank" };

  if (!(gr(6) & 1)) return renderText();

  // ---- graphics ----
  const width = vbeOn ? vbe(DISPI_XRES) : (cr(1) + 1) * 8, height = vbeOn ? vbe(DISPI_YRES) : vde;
  const shift = (gr(5) >> 5) & 3;
  const depth = vbeOn ? vbe(DISPI_BPP) : 0;
  if (shift >= 2 && depth > 4) return renderVbe(depth);
  const doubleScan = cr(9) >> 7;
  // Each line of memory on multiScan + 1 lines; with the CGA bank bit
  // substituted only double scan counts (QEMU's rule, in the header).
  const multiScan = cr(0x17) & 1 ? (((cr(9) & 0x1f) + 1) << doubleScan) - 1 : doubleScan;
  const half = (sr(1) & 8) !== 0;
  const dispWidth = shift <= 1 && half ? width * 2 : width;
  const pal = shift <= 1 ? pal16 : Array.from({ length: 256 }, (_, i) => rgb256(i));
  const out = new Uint8ClampedArray(dispWidth * height * 4);
  const planeMask = ar(0x12) & 0x0f;
  const put = (o: number, c: number) => { out[o] = c >> 16; out[o + 1] = (c >> 8) & 0xff; out[o + 2] = c & 0xff; out[o + 3] = 255; };
  let addr1 = start * 4, y1 = 0, multiRun = multiScan;
  for (let y = 0; y < height; y++) {
    let addr = addr1;
    if (!(cr(0x17) & 1)) { const s = 14 + ((cr(0x17) >> 6) & 1); addr = (addr & ~(1 << s)) | ((y1 & 1) << s); }
    if (!(cr(0x17) & 2)) addr = (addr & ~0x8000) | ((y1 & 2) << 14);
    let o = y * dispWidth * 4;
    const rep = half && shift <= 1 ? 2 : 1;
    for (let x = 0; x < width >> 3; x++, addr += 4) {
      const p = [0, 1, 2, 3].map((i) => (planeMask >> i) & 1 ? vb(addr + i) : 0);
      if (shift === 0) {
        for (let k = 7; k >= 0; k--) {
          const c = pal[((p[0] >> k) & 1) | (((p[1] >> k) & 1) << 1) | (((p[2] >> k) & 1) << 2) | (((p[3] >> k) & 1) << 3)];
          for (let r = 0; r < rep; r++, o += 4) put(o, c);
        }
      } else if (shift === 1) {
        for (const [lo, hi] of [[p[0], p[2]], [p[1], p[3]]]) {
          for (let k = 6; k >= 0; k -= 2) {
            const c = pal[((lo >> k) & 3) | (((hi >> k) & 3) << 2)];
            for (let r = 0; r < rep; r++, o += 4) put(o, c);
          }
        }
      } else {
        for (let i = 0; i < 4; i++) { const c = pal[vb(addr + i)]; put(o, c); put(o + 4, c); o += 8; }
      }
    }
    if (!multiRun) {
      const mask = (cr(0x17) & 3) ^ 3;
      if ((y1 & mask) === mask) addr1 += lineOffset;
      y1++;
      multiRun = multiScan;
    } else multiRun--;
    if (y === lineCompare) addr1 = 0;
  }
  return { width: dispWidth, height, rgba: out, mode: "graphics" };

  /** VBE 8/15/16/24/32 bpp: one line at a time; with `band`, only the lines
   *  from the first changed one to the last. */
  function renderVbe(bpp: number): VgaImage {
    const bytes = bpp === 8 ? 1 : bpp <= 16 ? 2 : bpp >> 3;
    const lineAt = (y: number) => start * 4 + y * lineOffset;
    let y0 = 0, y1 = height;
    if (opts.band) {
      while (y0 < y1 && !opts.band(lineAt(y0) & VRAM_MASK, width * bytes)) y0++;
      while (y1 > y0 && !opts.band(lineAt(y1 - 1) & VRAM_MASK, width * bytes)) y1--;
      if (y0 === y1) y0 = y1 = 0;
    }
    const whole = opts.target?.(width * height * 4);
    const out = whole ? whole.subarray(y0 * width * 4, y1 * width * 4) : new Uint8ClampedArray(width * (y1 - y0) * 4);
    const px = new Uint32Array(out.buffer, out.byteOffset, out.length >>> 2);
    const px32 = new Int32Array(out.buffer, out.byteOffset, out.length >>> 2);
    const mem32 = new Int32Array(mem.buffer, mem.byteOffset, mem.byteLength >>> 2); // vram is page aligned
    const pal = bpp === 8 ? Array.from({ length: 256 }, (_, i) => rgb256(i)) : [];
    const abgr = (r: number, g: number, b: number) => (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;
    const palAbgr = pal.map((c) => abgr(c >> 16, (c >> 8) & 0xff, c & 0xff));
    const raw = bpp === 32 && opts.bgra === true;
    for (let y = y0; y < y1; y++) {
      const a0 = lineAt(y);
      let o = (y - y0) * width;
      if (bpp === 32 && (a0 & 3) === 0 && a0 + width * 4 - 1 <= VRAM_MASK) {
        if (raw) out.set(mem.subarray(vram + a0, vram + a0 + width * 4), o * 4);
        else line32(mem32, (vram + a0) >>> 2, px32, o, width);
        continue;
      }
      for (let x = 0, a = a0; x < width; x++, a += bytes) {
        if (bpp === 8) { px[o++] = palAbgr[vb(a)]; continue; }
        if (bpp <= 16) {
          const v = vb(a) | (vb(a + 1) << 8);
          if (bpp === 15) { px[o++] = abgr((v >> 7) & 0xf8, (v >> 2) & 0xf8, (v << 3) & 0xf8); continue; }
          const r = v >> 11, g = (v >> 5) & 0x3f, b = v & 0x1f;
          px[o++] = abgr((r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2));
          continue;
        }
        px[o++] = raw ? (vb(a + 2) << 16) | (vb(a + 1) << 8) | vb(a) : abgr(vb(a + 2), vb(a + 1), vb(a));
      }
    }
    return { width, height, rgba: out, mode: "graphics", band: opts.band ? { y0, y1 } : undefined, bgra: raw || undefined };
  }

  function renderText(): VgaImage {
    const cheight = (cr(9) & 0x1f) + 1;
    const cw = sr(1) & 8 ? 16 : sr(1) & 1 ? 8 : 9;
    const cols = cr(1) + 1;
    const rows = cr(6) === 100 ? 100 : Math.floor(vde / cheight);
    if (cols * rows <= 1) return { width: 0, height: 0, rgba: new Uint8ClampedArray(0), mode: "blank" };
    const W = cols * cw, H = rows * cheight;
    const out = new Uint8ClampedArray(W * H * 4);
    const v = sr(3);
    const fonts = charMaps(v).map((at) => at * 8192 * 4 + 2);
    const cursorAddr = ((cr(0x0e) << 8) | cr(0x0f)) * 4;
    const dup9ok = (ar(0x10) & 0x04) !== 0;
    let offset = start * 4, line = 0;
    const px = (x: number, y: number, c: number) => { const o = (y * W + x) * 4; out[o] = c >> 16; out[o + 1] = (c >> 8) & 0xff; out[o + 2] = c & 0xff; out[o + 3] = 255; };
    const glyph = (x0: number, y0: number, bits: (r: number) => number, n: number, fg: number, bg: number, dup9: boolean) => {
      for (let r = 0; r < n; r++) {
        const b = bits(r);
        for (let k = 0; k < 8; k++) {
          const c = (b >> (7 - k)) & 1 ? fg : bg;
          if (cw === 16) { px(x0 + 2 * k, y0 + r, c); px(x0 + 2 * k + 1, y0 + r, c); } else px(x0 + k, y0 + r, c);
        }
        if (cw === 9) px(x0 + 8, y0 + r, dup9 && (b & 1) ? fg : bg);
      }
    };
    for (let cy = 0; cy < rows; cy++) {
      let src = offset;
      for (let cx = 0; cx < cols; cx++, src += 4) {
        const ch = vb(src), attr = vb(src + 1);
        const font = fonts[(attr >> 3) & 1] + 32 * 4 * ch;
        const fg = pal16[attr & 0xf], bg = pal16[attr >> 4];
        const dup9 = ch >= 0xb0 && ch <= 0xdf && dup9ok;
        glyph(cx * cw, cy * cheight, (r) => vb(font + 4 * r), cheight, fg, bg, dup9);
        if (opts.cursor && src === cursorAddr && !(cr(0x0a) & 0x20)) {
          const first = cr(0x0a) & 0x1f;
          const last = Math.min(cr(0x0b) & 0x1f, cheight - 1);
          if (last >= first && first < cheight) glyph(cx * cw, cy * cheight + first, () => 0xff, last - first + 1, fg, bg, true);
        }
      }
      const line1 = line + cheight;
      offset += lineOffset;
      if (line < lineCompare && line1 >= lineCompare) offset = 0;
      line = line1;
    }
    return { width: W, height: H, rgba: out, mode: "text" };
  }
}

/** Pixels of 32 bpp video memory (B, G, R, unused), `src`, as RGBA into `dst`
 *  from byte `at` (a multiple of 4): the page's screen, for VgaImage.bgra. */
export function bgraToRgba(src: Uint8ClampedArray, dst: Uint8ClampedArray, at: number): void {
  const n = src.length >>> 2;
  line32(new Int32Array(src.buffer, src.byteOffset, n), 0, new Int32Array(dst.buffer, dst.byteOffset + at, n), 0, n);
}

/** One line of 32 bpp video memory (B, G, R, unused) as RGBA: a 32-bit load,
 *  the red and blue bytes swapped. Int32Arrays both ways, in a function of its
 *  own: a Uint32Array element of 2^31 or more is a double to the JIT, and this
 *  loop is most of a 1024x768x32 redraw. */
function line32(src: Int32Array, from: number, dst: Int32Array, to: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = src[from + i];
    dst[to + i] = 0xff000000 | ((v & 0xff) << 16) | (v & 0xff00) | ((v >>> 16) & 0xff);
  }
}

/** Where in plane 2 (in 8 KiB units) the fonts are that sequencer register 3
 *  selects for attribute bit 3 clear (map B: bits 1-0 in 16 KiB steps, bit 4
 *  the 8 KiB between) and set (map A: bits 3-2, bit 5). */
const charMaps = (sr3: number): number[] => [((sr3 >> 4) & 1) | ((sr3 << 1) & 6), ((sr3 >> 5) & 1) | ((sr3 >> 1) & 6)];

/** Whether the text the VGA shows has glyphs to draw: some bit set in the
 *  printable ASCII glyphs (21h-7Eh) of the character maps that sequencer
 *  register 3 selects. After a direct kernel boot without a VGA BIOS, plane 2
 *  is empty and every character would be drawn blank. */
export function textFontLoaded(mem: Uint8Array, state: number, vram: number): boolean {
  for (const at of charMaps(mem[state + V_SEQ + 3])) {
    // Plane 2 of character c row r: byte (at * 8 KiB + c * 32 + r) * 4 + 2 of the interleaved planes.
    for (let a = (at * 8192 + 0x21 * 32) * 4 + 2, end = (at * 8192 + 0x7f * 32) * 4; a < end; a += 4) {
      if (mem[vram + a]) return true;
    }
  }
  return false;
}

/** A binary PPM (P6, maxval 255) of the image, the file QEMU's screendump writes. */
export function ppm(img: VgaImage): Uint8Array {
  const head = new TextEncoder().encode(`P6\n${img.width} ${img.height}\n255\n`);
  const out = new Uint8Array(head.length + img.width * img.height * 3);
  out.set(head);
  for (let i = 0, o = head.length; i < img.width * img.height; i++, o += 3) {
    out[o] = img.rgba[i * 4]; out[o + 1] = img.rgba[i * 4 + 1]; out[o + 2] = img.rgba[i * 4 + 2];
  }
  return out;
}

/** The rows [y0, y1) in which two pictures of the same size differ ([0, 0) when none do). */
function changedRows(a: VgaImage, b: VgaImage): { y0: number; y1: number } {
  const w = a.width, pa = new Uint32Array(a.rgba.buffer, a.rgba.byteOffset, w * a.height), pb = new Uint32Array(b.rgba.buffer, b.rgba.byteOffset, w * b.height);
  const differs = (y: number) => { for (let i = y * w, end = i + w; i < end; i++) if (pa[i] !== pb[i]) return true; return false; };
  let y0 = 0, y1 = a.height;
  while (y0 < y1 && !differs(y0)) y0++;
  while (y1 > y0 && !differs(y1 - 1)) y1--;
  return y0 === y1 ? { y0: 0, y1: 0 } : { y0, y1 };
}

/** What VgaScreen.update draws: the text cursor, and 32 bpp left as video memory holds it. */
export type ScreenOptions = Pick<RenderOptions, "cursor" | "bgra">;

/** What changed on the screen (VgaScreen.update): rows [y0, y1) of a picture
 *  `width` x `height` ([0, 0) when nothing did), in a buffer of their own or,
 *  a VBE picture of a screen given a buffer (VgaScreen's `alloc`), a view of
 *  it, valid until the next update. */
export interface VgaUpdate {
  mode: VgaImage["mode"];
  width: number;
  height: number;
  y0: number;
  y1: number;
  /** RGBA, rows y0 to y1 - 1 (with `bgra`, as VgaImage.bgra). */
  rgba: Uint8ClampedArray;
  bgra?: boolean;
}

/** The screen as the page keeps it, redrawn where the guest changed something.
 *  A VBE picture of 8 bpp or more whose registers, palette and size stayed the
 *  same gets only the band of lines that touch a written page of video memory,
 *  drawn for the page alone (no copy of a VBE picture is kept: a 1024x768x32
 *  one is 3 MiB a frame to copy), or into the screen's own buffer when it was
 *  given one (the worker's, shared with the page). Anything else is drawn whole; a
 *  text or VGA graphics picture (at most 720x480) is kept and compared with
 *  the last, and only the rows from the first to the last that differ are given. */
export class VgaScreen {
  /** The last text or VGA graphics picture, to compare the next with. */
  private img: VgaImage | null = null;
  /** What the page shows: the last update's mode and size, or null (forgotten). */
  private shown: Pick<VgaImage, "mode" | "width" | "height"> | null = null;
  private regs = new Uint8Array(VGA_STATE_BYTES);
  /** The buffer VBE pictures are drawn into, from `alloc`. */
  private buffer: Uint8ClampedArray | null = null;

  /** `alloc`: where VBE pictures of 8 bpp and more are drawn, an array of
   *  `bytes`, asked for again when the size changes or the last one's buffer
   *  was transferred away (the worker gives a SharedArrayBuffer's, which the
   *  page reads without a copy or a transfer, or else the buffer the page gave
   *  back); without, each update's rows are an array of their own. */
  constructor(private readonly alloc?: (bytes: number) => Uint8ClampedArray) {}

  /** The next update draws the whole picture (what it was drawn on no longer shows the last). */
  forget(): void { this.img = null; this.shown = null; }

  /** `dirty`: the bitmap of video memory pages written since the last update
   *  (bit p & 7 of byte p >> 3). */
  update(mem: Uint8Array, state: number, vram: number, dirty: Uint8Array, opts: ScreenOptions = {}): VgaUpdate {
    const regs = mem.subarray(state, state + VGA_STATE_BYTES);
    const vbeOn = (regs[V_VBE + 2 * DISPI_ENABLE] & DISPI_ENABLED) !== 0;
    const same = vbeOn && this.shown !== null && this.shown.mode === "graphics" && regs.every((v, i) => v === this.regs[i]);
    this.regs.set(regs);
    const written = (a: number, n: number): boolean => {
      for (let p = a >>> PAGE_SHIFT, last = (a + n - 1) >>> PAGE_SHIFT; p <= last; p++) {
        const q = p & (VRAM_MASK >>> PAGE_SHIFT);
        if (dirty[q >>> 3] & (1 << (q & 7))) return true;
      }
      return false;
    };
    const alloc = this.alloc;
    const target = alloc && ((bytes: number) => this.buffer?.length === bytes ? this.buffer : (this.buffer = alloc(bytes)));
    const img = renderVga(mem, state, vram, { ...opts, band: same ? written : undefined, target });
    const { mode, width, height } = img, shown = this.shown, prev = this.img;
    this.shown = { mode, width, height };
    if (img.band) { this.img = null; return { mode, width, height, ...img.band, rgba: img.rgba, bgra: img.bgra }; }
    // A VBE picture drawn whole (new registers or palette) is not kept: the
    // next is a band or whole again. A smaller one is, and is given as a copy.
    const kept = !(vbeOn && mode === "graphics");
    this.img = kept ? img : null;
    if (!prev || !shown || shown.mode !== mode || shown.width !== width || shown.height !== height) {
      return { mode, width, height, y0: 0, y1: height, rgba: kept ? img.rgba.slice() : img.rgba, bgra: img.bgra };
    }
    const { y0, y1 } = changedRows(prev, img);
    return { mode, width, height, y0, y1, rgba: img.rgba.slice(y0 * width * 4, y1 * width * 4) };
  }
}
