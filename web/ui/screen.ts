// The VGA screen as a live canvas with the keyboard and the mouse on it, fed by
// the worker (web/protocol.ts WorkerApi). The page's VGA view and the package's
// mountMachine() both use it.
//
//   drawing   while shown: every animation frame in a graphics mode, ten times
//             a second in a text mode; the worker renders the picture as QEMU
//             does (text with the font in plane 2) and sends only the rows that
//             changed (web/ui/vga.ts draws it, or the text cells with the
//             page's font when plane 2 holds none)
//   keyboard  while the canvas has the focus: keys as PS/2 set 2 scan codes for
//             the i8042 (web/ui/keymap.ts)
//   mouse     a click captures the pointer (pointer lock); its motion, buttons
//             and wheel go to the PS/2 mouse

import { transfer } from "comlink";
import type { VgaFrame } from "../protocol";
import { drawVga } from "./vga";
import { set2Bytes, ctrlAltDel } from "./keymap";

/** What the screen needs of the worker (a Comlink proxy of WorkerApi has it). */
export interface ScreenSource {
  vgaFrame(changedRows?: boolean, spare?: ArrayBuffer): Promise<VgaFrame>;
  vgaMode(): Promise<"none" | "text" | "graphics" | "blank">;
  keys(bytes: Uint8Array): unknown;
  mouse(dx: number, dy: number, dz: number, buttons: number): unknown;
}

/** Text modes change rarely: at most this often (ms) is the text redrawn. */
const TEXT_REDRAW_MS = 100;

export class Screen {
  private shown = false;
  private pumping = false;
  /** A call to the worker is outstanding: the next waits for it. */
  private pending = false;
  private graphics = false;
  /** The canvas holds the worker's last picture: only changed rows are asked for. */
  private pictureShown = false;
  private lastDraw = 0;
  private graphicsLooks = 0;
  private buttons = 0;
  /** The last picture's own buffer, drawn: the worker draws the next into it. */
  private spare?: ArrayBuffer;

  /** `source` is asked each time: the page's worker changes when it boots anew. */
  constructor(readonly canvas: HTMLCanvasElement, private readonly source: () => ScreenSource | undefined) {
    canvas.tabIndex = 0;
    const key = (e: KeyboardEvent) => {
      const bytes = set2Bytes(e.code, e.type === "keydown");
      if (!bytes) return;
      e.preventDefault();
      e.stopPropagation();
      if (bytes.length) void this.source()?.keys(Uint8Array.from(bytes));
    };
    canvas.addEventListener("keydown", key);
    canvas.addEventListener("keyup", key);
    canvas.addEventListener("click", () => {
      canvas.focus();
      if (document.pointerLockElement !== canvas) void canvas.requestPointerLock?.();
    });
    const locked = () => document.pointerLockElement === canvas;
    canvas.addEventListener("mousemove", (e) => { if (locked()) this.mouse(e.movementX, e.movementY, 0); });
    for (const type of ["mousedown", "mouseup"] as const) {
      canvas.addEventListener(type, (e) => {
        if (!locked()) return;
        this.buttons = e.buttons & 7; // DOM: left 1, right 2, middle 4, as PS/2
        this.mouse(0, 0, 0);
      });
    }
    canvas.addEventListener("wheel", (e) => {
      if (!locked()) return;
      e.preventDefault();
      this.mouse(0, 0, Math.sign(e.deltaY)); // PS/2 wheel: positive is down, as deltaY
    }, { passive: false });
    canvas.addEventListener("contextmenu", (e) => e.preventDefault());
  }

  get isShown(): boolean { return this.shown; }

  /** Start or stop drawing (the caller shows or hides the canvas). */
  show(on: boolean): void {
    this.shown = on;
    this.graphicsLooks = 0;
    if (on && !this.pumping) { this.pumping = true; requestAnimationFrame(this.pump); }
  }

  /** Ctrl-Alt-Del on the guest's keyboard. */
  ctrlAltDel(): void { void this.source()?.keys(Uint8Array.from(ctrlAltDel())); }

  /** One look at the guest's display mode, for a caller that polls (about once a
   *  second) while the screen is hidden: true at the second look in a row that
   *  finds a graphics mode, so that a moment of register reprogramming (a mode
   *  set, a font upload) is not taken for one. */
  async graphicsModeSeen(): Promise<boolean> {
    const s = this.source();
    if (this.shown || this.pending || !s) { this.graphicsLooks = 0; return false; }
    this.pending = true;
    try {
      this.graphicsLooks = (await s.vgaMode()) === "graphics" ? this.graphicsLooks + 1 : 0;
      return this.graphicsLooks >= 2;
    } finally { this.pending = false; }
  }

  /** Forget earlier looks (a new machine). */
  forgetLooks(): void { this.graphicsLooks = 0; }

  private mouse(dx: number, dy: number, dz: number): void {
    void this.source()?.mouse(dx, -dy, dz, this.buttons); // PS/2: dy positive is up
  }

  private readonly pump = (now: number): void => {
    if (!this.shown) { this.pumping = false; return; }
    const s = this.source();
    if (s && !this.pending && (this.graphics || now - this.lastDraw > TEXT_REDRAW_MS)) {
      this.lastDraw = now;
      this.pending = true;
      // One call a frame: each waits for the worker's running slice to end.
      const spare = this.spare;
      this.spare = undefined;
      void s.vgaFrame(this.pictureShown, spare && transfer(spare, [spare])).then((f) => {
        this.graphics = !f.textMode;
        drawVga(this.canvas, f.text, f.picture);
        this.pictureShown = f.picture !== null;
        const rows = f.picture?.rgba.buffer;
        if (rows instanceof ArrayBuffer) this.spare = rows;
      }).finally(() => { this.pending = false; });
    }
    requestAnimationFrame(this.pump);
  };
}
