// The VGA screen on a canvas: the picture the worker renders from video memory
// and the registers (web/host/vgarender.ts, as QEMU draws it), pixel for pixel,
// text modes with the font in plane 2. Only when plane 2 holds no font (a
// kernel booted directly without a VGA BIOS): the text cells drawn with the
// browser's monospace font (code page 437's printable ASCII as is, its
// box-drawing and block characters through a small table, anything else as a
// middle dot).

import type { VgaView, VgaPicture } from "../protocol";
import { bgraToRgba } from "../host/vgarender";

const CELL_W = 9;
const CELL_H = 16;

// CP437 0xB0-0xDF: shades, box drawing and blocks.
const CP437_HIGH =
  "░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀";

function glyph(ch: number): string {
  if (ch >= 0x20 && ch < 0x7f) return String.fromCharCode(ch);
  if (ch >= 0xb0 && ch <= 0xdf) return CP437_HIGH[ch - 0xb0];
  if (ch === 0 || ch === 0xff) return " ";
  return "·";
}

const css = (rgb: number) => `#${rgb.toString(16).padStart(6, "0")}`;

/** A canvas's whole picture, for rows the worker shares rather than sends
 *  (an ImageData cannot be made on shared memory): copied in, then drawn. */
const shown = new WeakMap<HTMLCanvasElement, ImageData>();

function putRows(canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, p: VgaPicture): void {
  const rgba = p.rgba;
  if (rgba.buffer instanceof ArrayBuffer) {
    // Its own buffer: made RGBA in place, drawn as it is.
    if (p.bgra) bgraToRgba(rgba, rgba, 0);
    ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, p.width, p.rows), 0, p.y0);
    return;
  }
  let img = shown.get(canvas);
  if (!img || img.width !== p.width || img.height !== p.height) shown.set(canvas, img = new ImageData(p.width, p.height));
  if (p.bgra) bgraToRgba(rgba, img.data, p.y0 * p.width * 4);
  else img.data.set(rgba, p.y0 * p.width * 4);
  ctx.putImageData(img, 0, 0, 0, p.y0, p.width, p.rows);
}

export function drawVga(canvas: HTMLCanvasElement, v: VgaView | null, picture: VgaPicture | null = null): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  if (picture) {
    if (canvas.width !== picture.width || canvas.height !== picture.height) { canvas.width = picture.width; canvas.height = picture.height; }
    if (picture.rows > 0) putRows(canvas, ctx, picture);
    return;
  }
  if (!v) {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#888";
    ctx.font = "16px monospace";
    ctx.fillText("No VGA picture (the display is off).", 16, 32);
    return;
  }
  const w = v.columns * CELL_W, h = v.rows * CELL_H;
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  ctx.font = `${CELL_H - 2}px monospace`;
  ctx.textBaseline = "top";
  for (let r = 0; r < v.rows; r++) {
    for (let c = 0; c < v.columns; c++) {
      const cell = v.cells[r * v.columns + c];
      const attr = cell >> 8;
      ctx.fillStyle = css(v.palette[(attr >> 4) & 0x7]);
      ctx.fillRect(c * CELL_W, r * CELL_H, CELL_W, CELL_H);
      const ch = cell & 0xff;
      if (ch !== 0x20 && ch !== 0) {
        ctx.fillStyle = css(v.palette[attr & 0xf]);
        ctx.fillText(glyph(ch), c * CELL_W, r * CELL_H + 1);
      }
    }
  }
  if (v.cursor) {
    const cell = v.cells[v.cursor.row * v.columns + v.cursor.column];
    ctx.fillStyle = css(v.palette[(cell >> 8) & 0xf]);
    ctx.fillRect(v.cursor.column * CELL_W, v.cursor.row * CELL_H + CELL_H - 3, CELL_W, 2);
  }
}
