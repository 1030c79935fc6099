// VGA text mode (asm/dev/vga.ts): register programming through the ports, as a
// BIOS does it, and the host's view of the text screen.

import { test, expect, beforeEach } from "vitest";
import { TestMachine } from "./storage-machine";

let m: TestMachine;
beforeEach(async () => { m = await TestMachine.create(); });

test("power-on state is mode 3: 80x25 colour text, B8000, 16-line characters", () => {
  expect(m.x.vgaTextMode()).toBe(1);
  expect(m.x.vgaColumns()).toBe(80);
  expect(m.x.vgaRows()).toBe(25);
  expect(m.x.vgaCharHeight()).toBe(16);
  expect(m.inb(0x3cc)).toBe(0x67);
  expect(m.x.vgaCursorShape()).toBe(0x0d | (0x0e << 8));
});

test("text memory written at B8000 lands in planes 0 (characters) and 1 (attributes), 4 bytes a cell", () => {
  const text = "Hello, VGA";
  for (let i = 0; i < text.length; i++) {
    m.x.storageTestPhysWrite8(0xb8000 + 160 + i * 2, text.charCodeAt(i));
    m.x.storageTestPhysWrite8(0xb8000 + 160 + i * 2 + 1, 0x1f);
  }
  const base = m.x.vgaTextBase();
  const b = m.bytes;
  let s = "";
  // Odd/even: address 2k goes to plane 0 at 2k, 2k+1 to plane 1 at 2k; plane p
  // of address a is byte a * 4 + p.
  for (let i = 0; i < text.length; i++) { s += String.fromCharCode(b[base + (80 + i) * 4]); expect(b[base + (80 + i) * 4 + 1]).toBe(0x1f); }
  expect(s).toBe(text);
  expect(m.x.storageTestPhysRead8(0xb8000 + 160)).toBe(0x48);
});

test("CRTC: cursor, start address, 16-bit index/data writes, write protection of 0-7", () => {
  m.outw(0x3d4, 0x0e | (0x01 << 8));
  m.outw(0x3d4, 0x0f | (0x40 << 8));
  expect(m.x.vgaCursorAddress()).toBe(0x140);
  m.outb(0x3d4, 0x0c); m.outb(0x3d5, 0x07);
  m.outb(0x3d4, 0x0d); m.outb(0x3d5, 0xd0);
  expect(m.x.vgaStartAddress()).toBe(0x7d0);
  m.outb(0x3d4, 0x0e);
  expect(m.inb(0x3d5)).toBe(0x01);
  m.outw(0x3d4, 0x0a | (0x20 << 8)); // cursor off
  expect(m.x.vgaCursorShape() >> 16).toBe(1);
  // Register 11h bit 7 set (as in mode 3): horizontal display end is protected.
  m.outw(0x3d4, 0x01 | (0x27 << 8));
  expect(m.x.vgaColumns()).toBe(80);
  m.outw(0x3d4, 0x11 | (0x0e << 8));
  m.outw(0x3d4, 0x01 | (0x27 << 8));
  expect(m.x.vgaColumns()).toBe(40);
  // 8-line characters over 400 lines: 50 rows.
  m.outw(0x3d4, 0x09 | (0x47 << 8));
  expect(m.x.vgaCharHeight()).toBe(8);
  expect(m.x.vgaRows()).toBe(50);
});

test("mono: misc output bit 0 clear moves the CRTC to 0x3B4/5 and status to 0x3BA", () => {
  m.outb(0x3c2, 0x66);
  expect(m.inb(0x3cc)).toBe(0x66);
  m.outw(0x3b4, 0x0f | (0x22 << 8));
  expect(m.inb(0x3d5)).toBe(0xff);
  m.outb(0x3d4, 0x0f); m.outb(0x3d5, 0x99); // ignored
  expect(m.x.vgaCursorAddress() & 0xff).toBe(0x22);
  // Mode 3's memory map (GC 6 = 0Eh: B8000, 32 KiB): B0000 is outside the window.
  expect(m.x.storageTestPhysRead8(0xb0000)).toBe(0xff);
  m.outw(0x3ce, 0x0a06); // map B0000 32 KiB
  m.x.storageTestPhysWrite8(0xb0000, 0x41);
  expect(m.bytes[m.x.vgaTextBase()]).toBe(0x41);
});

test("attribute controller flip-flop, reset by reading input status 1; retrace bit toggles", () => {
  m.inb(0x3da);
  m.outb(0x3c0, 0x10);          // index (PAS clear)
  m.outb(0x3c0, 0x01);          // data: graphics mode
  expect(m.x.vgaTextMode()).toBe(0);
  m.outb(0x3c0, 0x30);          // back to index: 10h with PAS
  expect(m.inb(0x3c0)).toBe(0x30);
  m.outb(0x3c0, 0x0c);
  expect(m.x.vgaTextMode()).toBe(1);
  m.outb(0x3c0, 0x12);          // index
  m.inb(0x3da);                 // reset: the next write is an index again
  m.outb(0x3c0, 0x31);
  m.outb(0x3c0, 0x2f);
  m.outb(0x3c0, 0x11);
  expect(m.inb(0x3c1)).toBe(0x2f);
  const a = m.inb(0x3da) & 0x08, b = m.inb(0x3da) & 0x08;
  expect(a ^ b).toBe(0x08);
});

test("DAC: write index, three components per entry, auto-increment, read back (the whole byte, as qemu: vga_vbe*.asm prints it)", () => {
  m.outb(0x3c8, 5);
  for (const v of [0x3f, 0x20, 0x41, 1, 2, 3]) m.outb(0x3c9, v);
  expect(m.inb(0x3c8)).toBe(7);
  m.outb(0x3c7, 5);
  expect(m.inb(0x3c7)).toBe(3);
  expect([0, 1, 2, 3, 4, 5].map(() => m.inb(0x3c9))).toEqual([0x3f, 0x20, 0x41, 1, 2, 3]);
  const st = m.x.vgaStateBase();
  expect(m.bytes[st + 0x100 + 6 * 3 + 2]).toBe(3);
});

test("font upload through A0000 with plane 2 selected lands at vgaFontBase()", () => {
  // What a VGA BIOS does to load a font: sequencer map mask = plane 2, memory
  // mode sequential; graphics read map 2, A0000 64 KiB map.
  m.outw(0x3c4, 0x0100); m.outw(0x3c4, 0x0402); m.outw(0x3c4, 0x0704); m.outw(0x3c4, 0x0300);
  m.outw(0x3ce, 0x0204); m.outw(0x3ce, 0x0005); m.outw(0x3ce, 0x0406);
  for (let i = 0; i < 16; i++) m.x.storageTestPhysWrite8(0xa0000 + 0x41 * 32 + i, 0x80 >> (i & 7));
  expect(m.x.storageTestPhysRead8(0xa0000 + 0x41 * 32 + 1)).toBe(0x40);
  const f = m.x.vgaFontBase();
  expect([0, 1, 2, 3].map((r) => m.bytes[f + (0x41 * 32 + r) * 4])).toEqual([0x80, 0x40, 0x20, 0x10]);
  // Back to text: nothing of it shows in the text window.
  m.outw(0x3c4, 0x0302); m.outw(0x3c4, 0x0304); m.outw(0x3ce, 0x0004); m.outw(0x3ce, 0x1005); m.outw(0x3ce, 0x0e06);
  expect(m.bytes[m.x.vgaTextBase() + 0x41 * 32 * 4]).toBe(0);
  // Character map select moves the font base (map B = 1: the second 16 KiB of plane 2).
  m.outw(0x3c4, 0x0103);
  expect(m.x.vgaFontBase()).toBe(f + 0x4000 * 4);
});

test("host helper: the screen as lines, the cursor cell and the 16 text colours", async () => {
  const { readTextScreen, textScreenLines, textPalette } = await import("../../web/host/vga");
  const msg = "RingZero";
  for (let i = 0; i < msg.length; i++) {
    m.x.storageTestPhysWrite8(0xb8000 + (2 * 80 + 5 + i) * 2, msg.charCodeAt(i));
    m.x.storageTestPhysWrite8(0xb8000 + (2 * 80 + 5 + i) * 2 + 1, 0x07);
  }
  m.outw(0x3d4, 0x0e | (0x00 << 8));
  m.outw(0x3d4, 0x0f | (2 * 80 + 13) << 8);
  const s = readTextScreen(m.memory, m.x)!;
  expect(s.columns).toBe(80);
  expect(textScreenLines(s)[2]).toBe("     RingZero".padEnd(80));
  expect(s.cells[2 * 80 + 5]).toBe(0x0752);
  expect(s.cursor).toEqual({ row: 2, column: 13, start: 0x0d, end: 0x0e });
  // Scrolling by the start address moves what the host sees.
  m.outw(0x3d4, 0x0d | (80 << 8));
  expect(textScreenLines(readTextScreen(m.memory, m.x)!)[1]).toBe("     RingZero".padEnd(80));
  const pal = textPalette(m.memory, m.x);
  expect(pal[0]).toBe(0x000000);
  // 6-bit DAC levels widened as QEMU does (v << 2 | low bit copied twice): 2Ah -> A8h, 15h -> 57h.
  expect(pal[1]).toBe(0x0000a8);
  expect(pal[6]).toBe(0xa85700); // brown: attribute 6 -> DAC 14h
  expect(pal[15]).toBe(0xffffff);
});
