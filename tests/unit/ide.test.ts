// IDE controller (asm/dev/ide.ts) driven through its ports from the host, with
// images from web/host/block.ts: ATA IDENTIFY, PIO/multiple/LBA48/CHS transfers,
// bus-master DMA through PRD tables in guest RAM, resets and signatures, and the
// ATAPI CD-ROM on the ISO built by `npm run guest` (or a generated one).

import { test, expect, describe, beforeEach } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { TestMachine, DRIVE } from "./storage-machine";
import { MemoryBackend, CowOverlay, type BlockBackend } from "../../web/host/block";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const P = 0x1f0, PCTL = 0x3f6, S = 0x170, SCTL = 0x376, BM = 0xc000;

/** A disk whose every sector holds its own LBA pattern, of any size, without memory. */
class PatternDisk implements BlockBackend {
  readonly readOnly = false;
  writes: { lba: number; data: Uint8Array }[] = [];
  constructor(readonly size: number) {}
  static byte(lba: number, i: number): number { return (lba * 7 + i * 13 + (lba >>> 8)) & 0xff; }
  read(lba: number, count: number, into: Uint8Array): void {
    for (let s = 0; s < count; s++) for (let i = 0; i < 512; i++) into[s * 512 + i] = PatternDisk.byte(lba + s, i);
  }
  write(lba: number, count: number, from: Uint8Array): void {
    this.writes.push({ lba, data: from.slice(0, count * 512) });
  }
}

function patternImage(sectors: number): Uint8Array {
  const a = new Uint8Array(sectors * 512);
  for (let s = 0; s < sectors; s++) for (let i = 0; i < 512; i++) a[s * 512 + i] = PatternDisk.byte(s, i);
  return a;
}

function readWords(m: TestMachine, base: number, n: number): number[] {
  const w: number[] = [];
  for (let i = 0; i < n; i++) w.push(m.inw(base));
  return w;
}
function readBytes16(m: TestMachine, base: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 2) { const v = m.inw(base); out[i] = v & 0xff; out[i + 1] = v >> 8; }
  return out;
}
/** ATA strings: two characters per word, the first in the high byte. */
function idString(w: number[], from: number, words: number): string {
  let s = "";
  for (let i = from; i < from + words; i++) s += String.fromCharCode(w[i] >> 8, w[i] & 0xff);
  return s;
}

describe("ATA disk", () => {
  let m: TestMachine;
  let img: Uint8Array;
  beforeEach(async () => {
    m = await TestMachine.create();
    img = patternImage(20000);
    m.attach(0, DRIVE.DISK, new MemoryBackend(img));
    m.x.reset();
    m.pciSetup();
  });

  test("IDENTIFY DEVICE: geometry, strings, LBA28 and LBA48 capacity, status and IRQ 14", () => {
    m.outb(P + 6, 0xa0);
    m.outb(P + 7, 0xec);
    expect(m.inb(PCTL)).toBe(0x58); // DRDY DSC DRQ; alternate status leaves the IRQ
    expect(m.irq(14)).toBe(true);
    expect(m.inb(P + 7)).toBe(0x58);
    expect(m.irq(14)).toBe(false);
    const w = readWords(m, P, 256);
    expect(m.inb(P + 7)).toBe(0x50);
    expect(w[0]).toBe(0x0040);
    expect(w[1]).toBe(Math.floor(20000 / (16 * 63)));
    expect(w[3]).toBe(16);
    expect(w[6]).toBe(63);
    expect(idString(w, 27, 20)).toBe("RingZero HARDDISK".padEnd(40));
    expect(idString(w, 10, 10)).toBe("RZ000000000000000001");
    expect(idString(w, 23, 4)).toBe("1.0".padEnd(8));
    expect(w[47]).toBe(0x8010);
    expect(w[49] & 0x0300).toBe(0x0300);
    expect(w[60] | (w[61] << 16)).toBe(20000);
    expect(w[83] & 0x0400).toBe(0x0400); // 48-bit feature set
    expect(w[86] & 0x0400).toBe(0x0400);
    expect(w[100] + w[101] * 65536 + w[102] * 2 ** 32 + w[103] * 2 ** 48).toBe(20000);
    expect(w[57] | (w[58] << 16)).toBe(w[54] * w[55] * w[56]);
  });

  test("IDENTIFY of a disk over 128 GiB: LBA28 capacity saturates, words 100-103 hold all", async () => {
    const big = 2 ** 29 + 5;
    m.attach(1, DRIVE.DISK, new PatternDisk(big * 512));
    m.outb(P + 6, 0xb0);
    m.outb(P + 7, 0xec);
    const w = readWords(m, P, 256);
    expect(w[60] | (w[61] << 16)).toBe(0x0fffffff);
    expect(w[100] + w[101] * 65536 + w[102] * 2 ** 32 + w[103] * 2 ** 48).toBe(big);
    expect(w[1]).toBe(16383);
  });

  test("absent slave: status reads 0, commands are ignored", () => {
    m.outb(P + 6, 0xb0);
    expect(m.inb(P + 7)).toBe(0);
    m.outb(P + 7, 0xec);
    expect(m.inb(P + 7)).toBe(0);
    expect(m.irq(14)).toBe(false);
    // A channel with nothing on it reads 0 everywhere.
    expect(m.inb(S + 7)).toBe(0);
    expect(m.inb(S + 2)).toBe(0);
  });

  test("READ SECTORS (LBA28) through 16- and 32-bit data port reads; task file ends at the next sector", () => {
    m.outb(P + 6, 0xe0);
    m.outb(P + 2, 3); m.outb(P + 3, 5); m.outb(P + 4, 0); m.outb(P + 5, 0);
    m.outb(P + 7, 0x20);
    let irqs = 0;
    const got = new Uint8Array(3 * 512);
    for (let s = 0; s < 3; s++) {
      expect(m.irq(14)).toBe(true); irqs++;
      expect(m.inb(P + 7) & 0x89).toBe(0x08);
      for (let i = 0; i < 512; i += 4) {
        if (s === 1) { const v = m.ind(P); got[s * 512 + i] = v & 0xff; got[s * 512 + i + 1] = (v >>> 8) & 0xff; got[s * 512 + i + 2] = (v >>> 16) & 0xff; got[s * 512 + i + 3] = v >>> 24; }
        else { const a = m.inw(P), b = m.inw(P); got.set([a & 0xff, a >> 8, b & 0xff, b >> 8], s * 512 + i); }
      }
    }
    expect(irqs).toBe(3);
    expect(m.irq(14)).toBe(false); // no interrupt after the last block of a read
    expect(m.inb(P + 7)).toBe(0x50);
    expect(got).toEqual(img.subarray(5 * 512, 8 * 512));
    expect([m.inb(P + 2), m.inb(P + 3)]).toEqual([0, 8]); // count left, next sector
  });

  test("WRITE SECTORS: DRQ at once, an interrupt per sector, data lands in the image", () => {
    m.outb(P + 6, 0xe0);
    m.outb(P + 2, 2); m.outb(P + 3, 10); m.outb(P + 4, 0); m.outb(P + 5, 0);
    m.outb(P + 7, 0x30);
    expect(m.irq(14)).toBe(false);
    expect(m.inb(PCTL)).toBe(0x58);
    for (let i = 0; i < 256; i++) m.outw(P, 0xa500 + i);
    expect(m.irq(14)).toBe(true);
    expect(m.inb(P + 7)).toBe(0x58);
    for (let i = 0; i < 128; i++) m.outd(P, 0x11223344 + i);
    expect(m.irq(14)).toBe(true);
    expect(m.inb(P + 7)).toBe(0x50);
    expect(img[10 * 512]).toBe(0x00);
    expect(img[10 * 512 + 1]).toBe(0xa5);
    expect(img[10 * 512 + 511]).toBe(0xa5);
    expect(Array.from(img.subarray(11 * 512, 11 * 512 + 8))).toEqual([0x44, 0x33, 0x22, 0x11, 0x45, 0x33, 0x22, 0x11]);
    expect(img[12 * 512]).toBe(PatternDisk.byte(12, 0));
  });

  test("READ MULTIPLE after SET MULTIPLE MODE 4: DRQ blocks of 4, 4, 2 sectors", () => {
    m.outb(P + 6, 0xe0);
    m.outb(P + 2, 4); m.outb(P + 7, 0xc6);
    expect(m.inb(P + 7)).toBe(0x50);
    m.outb(P + 2, 10); m.outb(P + 3, 100); m.outb(P + 4, 0); m.outb(P + 5, 0);
    m.outb(P + 7, 0xc4);
    const sizes: number[] = [];
    const got: number[] = [];
    while (m.inb(PCTL) & 0x08) {
      expect(m.inb(P + 7) & 0x08).toBe(0x08);
      // A block ends where the next one's interrupt arrives (or DRQ drops).
      let n = 0;
      do { const v = m.inw(P); got.push(v & 0xff, v >> 8); n += 2; } while (!m.irq(14) && (m.inb(PCTL) & 0x08));
      sizes.push(n / 512);
    }
    expect(sizes).toEqual([4, 4, 2]);
    expect(Uint8Array.from(got)).toEqual(img.subarray(100 * 512, 110 * 512));
    // SET MULTIPLE with a count that is not a power of two aborts.
    m.outb(P + 2, 3); m.outb(P + 7, 0xc6);
    expect(m.inb(P + 7)).toBe(0x41);
    expect(m.inb(P + 1)).toBe(0x04);
  });

  test("CHS addressing after INITIALIZE DEVICE PARAMETERS (4 heads, 17 sectors)", () => {
    m.outb(P + 6, 0xa0 | 3); m.outb(P + 2, 17); m.outb(P + 7, 0x91);
    expect(m.inb(P + 7)).toBe(0x50);
    // C=2 H=1 S=5 -> LBA (2*4+1)*17+4 = 157
    m.outb(P + 6, 0xa0 | 1); m.outb(P + 2, 1); m.outb(P + 3, 5); m.outb(P + 4, 2); m.outb(P + 5, 0);
    m.outb(P + 7, 0x20);
    expect(readBytes16(m, P, 512)).toEqual(img.subarray(157 * 512, 158 * 512));
    m.outb(P + 6, 0xa0); m.outb(P + 7, 0xec);
    const w = readWords(m, P, 256);
    expect([w[54], w[55], w[56]]).toEqual([Math.floor(20000 / 68), 4, 17]);
  });

  test("LBA48: READ SECTORS EXT beyond 2^32 sectors, HOB readback, WRITE SECTORS EXT", () => {
    const disk = new PatternDisk(2 ** 33 * 512);
    m.attach(0, DRIVE.DISK, disk);
    const lba = 0x1_2345_6789;
    m.outb(P + 6, 0x40);
    // Each register twice: high-order byte first (ATA-6 §6.1, 48-bit address).
    m.outb(P + 2, 0); m.outb(P + 2, 2);
    m.outb(P + 3, (lba / 2 ** 24) & 0xff); m.outb(P + 3, lba & 0xff);
    m.outb(P + 4, (lba / 2 ** 32) & 0xff); m.outb(P + 4, (lba >>> 8) & 0xff);
    m.outb(P + 5, 0); m.outb(P + 5, (lba >>> 16) & 0xff);
    m.outb(P + 7, 0x24);
    const a = readBytes16(m, P, 512), b = readBytes16(m, P, 512);
    for (let i = 0; i < 512; i++) {
      expect(a[i]).toBe(PatternDisk.byte(lba, i));
      expect(b[i]).toBe(PatternDisk.byte(lba + 1, i));
    }
    expect(m.inb(P + 7)).toBe(0x50);
    // The task file holds the next sector; HOB (device control bit 7) shows the high bytes.
    const last = lba + 2;
    expect(m.inb(P + 3)).toBe(last & 0xff);
    expect(m.inb(P + 4)).toBe((last >>> 8) & 0xff);
    expect(m.inb(P + 5)).toBe((last >>> 16) & 0xff);
    m.outb(PCTL, 0x80);
    expect(m.inb(P + 3)).toBe(Math.floor(last / 2 ** 24) & 0xff);
    expect(m.inb(P + 4)).toBe(Math.floor(last / 2 ** 32) & 0xff);
    m.outb(PCTL, 0x00);
    m.outb(P + 2, 0); m.outb(P + 2, 1);
    m.outb(P + 3, 0); m.outb(P + 3, 0x10);
    m.outb(P + 4, 1); m.outb(P + 4, 0);
    m.outb(P + 5, 0); m.outb(P + 5, 0);
    m.outb(P + 7, 0x34);
    for (let i = 0; i < 256; i++) m.outw(P, i);
    expect(m.inb(P + 7)).toBe(0x50);
    expect(disk.writes.length).toBe(1);
    expect(disk.writes[0].lba).toBe(2 ** 32 + 0x10);
    expect(disk.writes[0].data[2]).toBe(1);
  });

  test("reading past the end aborts; READ VERIFY leaves the task file", () => {
    m.outb(P + 6, 0xe0);
    m.outb(P + 2, 2); m.outb(P + 3, 19999 & 0xff); m.outb(P + 4, 19999 >> 8); m.outb(P + 5, 0);
    m.outb(P + 7, 0x20);
    expect(m.inb(P + 7)).toBe(0x41);
    expect(m.inb(P + 1)).toBe(0x04);
    m.outb(P + 2, 4); m.outb(P + 3, 10); m.outb(P + 4, 0); m.outb(P + 5, 0);
    m.outb(P + 7, 0x40);
    expect(m.inb(P + 7)).toBe(0x50);
    expect([m.inb(P + 2), m.inb(P + 3)]).toEqual([4, 10]);
  });

  test("SET FEATURES, CHECK POWER MODE, FLUSH CACHE, IDLE, unknown command aborts", () => {
    m.outb(P + 6, 0xa0);
    m.outb(P + 1, 0x03); m.outb(P + 2, 0x22); m.outb(P + 7, 0xef); // multiword DMA 2
    expect(m.inb(P + 7)).toBe(0x50);
    m.outb(P + 7, 0xec);
    const w = readWords(m, P, 256);
    expect(w[63]).toBe(0x0407);
    m.outb(P + 2, 0); m.outb(P + 7, 0xe5);
    expect(m.inb(P + 7)).toBe(0x50);
    expect(m.inb(P + 2)).toBe(0xff);
    for (const c of [0xe7, 0xea, 0xe1, 0xe0, 0x10]) { m.outb(P + 7, c); expect(m.inb(P + 7)).toBe(0x50); }
    m.outb(P + 7, 0xb0); // SMART: not supported
    expect(m.inb(P + 7)).toBe(0x41);
    expect(m.inb(P + 1)).toBe(0x04);
  });

  test("nIEN masks INTRQ; SRST resets the device and restores the signature", () => {
    m.outb(PCTL, 0x02);
    m.outb(P + 6, 0xa0); m.outb(P + 7, 0xec);
    expect(m.irq(14)).toBe(false);
    m.outb(PCTL, 0x00);
    expect(m.irq(14)).toBe(true); // the pending interrupt shows once enabled
    m.outb(P + 2, 0x55); m.outb(P + 3, 0xaa);
    m.outb(PCTL, 0x04);
    expect(m.inb(PCTL) & 0x80).toBe(0x80);
    m.outb(PCTL, 0x00);
    expect(m.inb(P + 7)).toBe(0x50);
    expect([m.inb(P + 2), m.inb(P + 3), m.inb(P + 4), m.inb(P + 5)]).toEqual([1, 1, 0, 0]);
    expect(m.inb(P + 1)).toBe(1);
  });

  test("copy-on-write overlay: the guest's writes are seen, the image is untouched", () => {
    const base = new MemoryBackend(patternImage(100), true);
    const cow = new CowOverlay(base);
    m.attach(0, DRIVE.DISK, cow);
    m.outb(P + 6, 0xe0); m.outb(P + 2, 1); m.outb(P + 3, 3); m.outb(P + 4, 0); m.outb(P + 5, 0);
    m.outb(P + 7, 0x30);
    for (let i = 0; i < 256; i++) m.outw(P, 0xbeef);
    expect(m.inb(P + 7)).toBe(0x50);
    expect(base.data[3 * 512]).toBe(PatternDisk.byte(3, 0));
    expect(cow.dirtySectors).toBe(1);
    m.outb(P + 2, 3); m.outb(P + 3, 2); m.outb(P + 7, 0x20);
    const got = readBytes16(m, P, 3 * 512);
    expect(got[0]).toBe(PatternDisk.byte(2, 0));
    expect(got[512]).toBe(0xef);
    expect(got[1024 + 5]).toBe(PatternDisk.byte(4, 5));
  });
});

describe("bus-master DMA", () => {
  let m: TestMachine;
  let img: Uint8Array;
  beforeEach(async () => {
    m = await TestMachine.create();
    img = patternImage(2000);
    m.attach(0, DRIVE.DISK, new MemoryBackend(img));
    m.x.reset();
    m.pciSetup();
  });
  function prd(table: number, entries: [number, number, boolean][]): void {
    const r = m.ram();
    const v = new DataView(r.buffer, r.byteOffset);
    entries.forEach(([addr, len, eot], i) => {
      v.setUint32(table + i * 8, addr, true);
      v.setUint32(table + i * 8 + 4, (len & 0xffff) | (eot ? 0x80000000 : 0), true);
    });
  }

  test("READ DMA scatters into a PRD table (page-crossing entries); status per SFF-8038i", () => {
    prd(0x8000, [[0x10f00, 1024, false], [0x30000, 512, true]]);
    m.outd(BM + 4, 0x8000);
    expect(m.ind(BM + 4)).toBe(0x8000);
    m.outb(BM + 2, 0x60); // what a BIOS does: both drives DMA capable
    expect(m.inb(BM + 2)).toBe(0x60);
    m.outb(P + 6, 0xe0); m.outb(P + 2, 3); m.outb(P + 3, 42); m.outb(P + 4, 0); m.outb(P + 5, 0);
    m.outb(P + 7, 0xc8);
    expect(m.inb(PCTL) & 0x08).toBe(0x08); // waiting for the bus master
    expect(m.irq(14)).toBe(false);
    m.outb(BM, 0x09); // start, device-to-memory
    expect(m.irq(14)).toBe(true);
    expect(m.inb(BM + 2)).toBe(0x64); // interrupt, not active (table used up exactly)
    expect(m.inb(P + 7)).toBe(0x50);
    const r = m.ram();
    expect(r.subarray(0x10f00, 0x10f00 + 1024)).toEqual(img.subarray(42 * 512, 44 * 512));
    expect(r.subarray(0x30000, 0x30000 + 512)).toEqual(img.subarray(44 * 512, 45 * 512));
    m.outb(BM + 2, 0x64); // interrupt: write one to clear; drive-capable bits are plain R/W
    expect(m.inb(BM + 2)).toBe(0x60);
    m.outb(BM + 2, 0x20);
    expect(m.inb(BM + 2)).toBe(0x20);
    m.outb(BM, 0x00);
  });

  test("a PRD table larger than the transfer leaves active set; WRITE DMA (EXT) gathers", () => {
    const r = m.ram();
    for (let i = 0; i < 1024; i++) r[0x50000 + i] = (i * 3) & 0xff;
    prd(0x9000, [[0x50000, 512, false], [0x50200, 0, true]]); // 0 = 64 KiB
    m.outd(BM + 4, 0x9000);
    m.outb(P + 6, 0x40);
    m.outb(P + 2, 0); m.outb(P + 2, 2);
    m.outb(P + 3, 0); m.outb(P + 3, 7);
    m.outb(P + 4, 0); m.outb(P + 4, 0);
    m.outb(P + 5, 0); m.outb(P + 5, 0);
    m.outb(BM, 0x01); // start first, memory-to-device
    expect(m.inb(BM + 2) & 1).toBe(1);
    m.outb(P + 7, 0x35);
    expect(m.irq(14)).toBe(true);
    expect(m.inb(BM + 2)).toBe(0x05);
    for (let i = 0; i < 1024; i++) expect(img[7 * 512 + i]).toBe((i * 3) & 0xff);
    m.outb(BM, 0x00);
    expect(m.inb(BM + 2) & 1).toBe(0);
  });

  test("nIEN: no INTRQ, so the bus master latches no interrupt either", () => {
    const r = m.ram();
    new DataView(r.buffer, r.byteOffset).setUint32(0xb000, 0x41000, true);
    new DataView(r.buffer, r.byteOffset).setUint32(0xb004, 0x80000200, true);
    m.outd(BM + 4, 0xb000);
    m.outb(PCTL, 0x02);
    m.outb(P + 6, 0xe0); m.outb(P + 2, 1); m.outb(P + 3, 0); m.outb(P + 4, 0); m.outb(P + 5, 0);
    m.outb(P + 7, 0xc8);
    m.outb(BM, 0x09);
    expect(m.inb(BM + 2)).toBe(0x00);  // done (not active), no interrupt
    expect(m.inb(P + 7)).toBe(0x50);
    expect(r.subarray(0x41000, 0x41200)).toEqual(img.subarray(0, 512));
  });

  test("a PRD table too short: the engine stops without an interrupt", () => {
    prd(0xa000, [[0x40000, 512, true]]);
    m.outd(BM + 4, 0xa000);
    m.outb(P + 6, 0xe0); m.outb(P + 2, 2); m.outb(P + 3, 0); m.outb(P + 4, 0); m.outb(P + 5, 0);
    m.outb(P + 7, 0xc8);
    m.outb(BM, 0x09);
    expect(m.inb(BM + 2)).toBe(0x00);
    expect(m.irq(14)).toBe(false);
    expect(m.inb(P + 7) & 0x08).toBe(0x08);
  });
});

function cdImage(): Uint8Array {
  const iso = join(ROOT, "public/images/cdrom.iso");
  if (existsSync(iso)) return new Uint8Array(readFileSync(iso));
  // A stand-in with the ISO 9660 volume descriptor at block 16.
  const a = new Uint8Array(200 * 2048);
  a.set([1, 0x43, 0x44, 0x30, 0x30, 0x31, 1], 16 * 2048);
  for (let i = 17 * 2048; i < a.length; i++) a[i] = (i * 5 + (i >>> 11)) & 0xff;
  return a;
}

describe("ATAPI CD-ROM", () => {
  let m: TestMachine;
  let iso: Uint8Array;
  beforeEach(async () => {
    m = await TestMachine.create();
    iso = cdImage();
    m.attach(2, DRIVE.CDROM, new MemoryBackend(iso, true));
    m.x.reset();
    m.pciSetup();
  });

  /** Send a packet; collect the data-in phase through PIO; returns data and final status. */
  function packet(cdb: number[], bcl = 0xfffe, dma = false): { data: Uint8Array; status: number; error: number; drqs: number[] } {
    m.outb(S + 6, 0xa0);
    m.outb(S + 1, dma ? 1 : 0);
    m.outb(S + 4, bcl & 0xff); m.outb(S + 5, bcl >> 8);
    m.outb(S + 7, 0xa0);
    expect(m.inb(SCTL) & 0x88).toBe(0x08);
    expect(m.inb(S + 2) & 3).toBe(1); // CoD: waiting for the command packet
    const p = [...cdb, ...new Array(12).fill(0)].slice(0, 12);
    for (let i = 0; i < 12; i += 2) m.outw(S, p[i] | (p[i + 1] << 8));
    const out: number[] = [];
    const drqs: number[] = [];
    while (!dma && (m.inb(S + 7) & 0x08)) {
      expect(m.inb(S + 2) & 3).toBe(2); // IO: data to the host
      const n = m.inb(S + 4) | (m.inb(S + 5) << 8);
      drqs.push(n);
      for (let i = 0; i < n; i += 2) { const v = m.inw(S); out.push(v & 0xff, v >> 8); }
    }
    const status = m.inb(S + 7);
    if (!dma) expect(m.inb(S + 2) & 3).toBe(3);
    return { data: Uint8Array.from(out), status, error: m.inb(S + 1), drqs };
  }
  function sense(): [number, number] {
    const r = packet([0x03, 0, 0, 0, 18]);
    return [r.data[2] & 0x0f, r.data[12]];
  }

  test("signature after reset; IDENTIFY DEVICE aborts; IDENTIFY PACKET DEVICE", () => {
    m.outb(S + 6, 0xa0);
    expect([m.inb(S + 2), m.inb(S + 3), m.inb(S + 4), m.inb(S + 5)]).toEqual([1, 1, 0x14, 0xeb]);
    expect(m.inb(S + 7)).toBe(0x50); // ready at power-on (as QEMU)
    m.outb(SCTL, 0x04); m.outb(SCTL, 0x00); // SRST: a packet device then leaves DRDY clear
    expect(m.inb(S + 7)).toBe(0x00);
    expect([m.inb(S + 2), m.inb(S + 3), m.inb(S + 4), m.inb(S + 5)]).toEqual([1, 1, 0x14, 0xeb]);
    m.outb(S + 7, 0xec);
    expect(m.inb(S + 7) & 0x01).toBe(1);
    expect(m.inb(S + 1)).toBe(0x04);
    expect([m.inb(S + 4), m.inb(S + 5)]).toEqual([0x14, 0xeb]);
    m.outb(S + 7, 0xa1);
    expect(m.irq(15)).toBe(true);
    const w = readWords(m, S, 256);
    expect(w[0]).toBe(0x85c0);
    expect(idString(w, 27, 20)).toBe("RingZero CD-ROM".padEnd(40));
    expect(w[49] & 0x0200).toBe(0x0200);
  });

  test("INQUIRY, TEST UNIT READY, READ CAPACITY", () => {
    const inq = packet([0x12, 0, 0, 0, 36]);
    expect(inq.status & 0x01).toBe(0);
    expect(inq.data.length).toBe(36);
    expect(inq.data[0]).toBe(0x05);
    expect(inq.data[1]).toBe(0x80);
    expect(new TextDecoder().decode(inq.data.subarray(8, 16))).toBe("RINGZERO");
    expect(packet([0x12, 0, 0, 0, 5]).data.length).toBe(6); // cut to the allocation length (even)
    expect(packet([0x00]).status).toBe(0x50);
    const cap = packet([0x25]);
    const v = new DataView(cap.data.buffer);
    expect(v.getUint32(0)).toBe(iso.length / 2048 - 1);
    expect(v.getUint32(4)).toBe(2048);
  });

  test("READ(10) of the ISO 9660 volume descriptor, and across DRQ blocks cut by the byte count limit", () => {
    const r = packet([0x28, 0, 0, 0, 0, 16, 0, 0, 1]);
    expect(r.status).toBe(0x50);
    expect(r.data.length).toBe(2048);
    expect(new TextDecoder().decode(r.data.subarray(1, 6))).toBe("CD001");
    expect(r.data).toEqual(iso.subarray(16 * 2048, 17 * 2048));
    const r2 = packet([0x28, 0, 0, 0, 0, 17, 0, 0, 3], 1000);
    expect(r2.data).toEqual(iso.subarray(17 * 2048, 20 * 2048));
    expect(Math.max(...r2.drqs)).toBeLessThanOrEqual(1000);
    expect(r2.drqs.reduce((a, b) => a + b, 0)).toBe(3 * 2048);
    // READ(12), many blocks (more than one bounce-buffer fill).
    const n = Math.min(100, iso.length / 2048 - 1);
    const r3 = packet([0xa8, 0, 0, 0, 0, 1, 0, 0, 0, n]);
    expect(r3.data).toEqual(iso.subarray(2048, (1 + n) * 2048));
    // Past the end: ILLEGAL REQUEST, LBA out of range.
    const bad = packet([0x28, 0, 0xff, 0xff, 0xff, 0, 0, 0, 1]);
    expect(bad.status & 0x01).toBe(1);
    expect(bad.error >> 4).toBe(5);
    expect(sense()).toEqual([5, 0x21]);
  });

  test("READ(10) by DMA through the bus master of the secondary channel", () => {
    const r = m.ram();
    const v = new DataView(r.buffer, r.byteOffset);
    v.setUint32(0x7000, 0x60000, true); v.setUint32(0x7004, 0x80000000 | 4096, true);
    m.outd(BM + 8 + 4, 0x7000);
    packet([0x28, 0, 0, 0, 0, 16, 0, 0, 2], 0xfffe, true);
    expect(m.inb(S + 7) & 0x08).toBe(0x08);
    m.outb(BM + 8, 0x09);
    expect(m.irq(15)).toBe(true);
    expect(m.inb(BM + 8 + 2)).toBe(0x04);
    expect(m.inb(S + 7)).toBe(0x50);
    expect(m.inb(S + 2) & 3).toBe(3);
    expect(r.subarray(0x60000, 0x61000)).toEqual(iso.subarray(16 * 2048, 18 * 2048));
  });

  test("READ TOC formats 0 (LBA and MSF) and 1; MODE SENSE(10) capabilities; GET CONFIGURATION", () => {
    const blocks = iso.length / 2048;
    const toc = packet([0x43, 0, 0, 0, 0, 0, 0, 0, 100]);
    const t = new DataView(toc.data.buffer);
    expect(t.getUint16(0)).toBe(18);
    expect([toc.data[2], toc.data[3]]).toEqual([1, 1]);
    expect(toc.data[6]).toBe(1);
    expect(t.getUint32(8)).toBe(0);
    expect(toc.data[14]).toBe(0xaa);
    expect(t.getUint32(16)).toBe(blocks);
    const msf = packet([0x43, 2, 0, 0, 0, 0, 0, 0, 100]);
    const f = blocks + 150;
    expect(Array.from(msf.data.subarray(17, 20))).toEqual([Math.floor(f / 4500), Math.floor(f / 75) % 60, f % 75]);
    expect(Array.from(msf.data.subarray(9, 12))).toEqual([0, 2, 0]);
    const ses = packet([0x43, 0, 1, 0, 0, 0, 0, 0, 12]);
    expect(Array.from(ses.data.subarray(0, 4))).toEqual([0, 10, 1, 1]);
    const ms = packet([0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 128]);
    expect(ms.status).toBe(0x50);
    expect(ms.data[8]).toBe(0x2a);
    expect((ms.data[0] << 8) | ms.data[1]).toBe(ms.data.length - 2);
    expect(packet([0x5a, 0, 0x15, 0, 0, 0, 0, 0, 128]).error >> 4).toBe(5);
    const gc = packet([0x46, 0, 0, 0, 0, 0, 0, 0, 64]);
    expect((gc.data[6] << 8) | gc.data[7]).toBe(0x0008);
  });

  test("media change: unit attention once, then ready; GET EVENT STATUS reports new media; empty tray", () => {
    m.attach(2, DRIVE.CDROM, new MemoryBackend(iso, true)); // a new disc
    const tur = packet([0x00]);
    expect(tur.status & 0x01).toBe(1);
    expect(tur.error >> 4).toBe(6);
    expect(sense()).toEqual([6, 0x28]);
    expect(packet([0x00]).status).toBe(0x50);
    const ev = packet([0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8]);
    expect(ev.data[2]).toBe(0x04);
    expect(ev.data[4]).toBe(2); // new media
    expect(ev.data[5] & 2).toBe(2);
    expect(packet([0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8]).data[4]).toBe(0);
    // Eject through START STOP UNIT, refused while locked.
    packet([0x1e, 0, 0, 0, 1]);
    expect(packet([0x1b, 0, 0, 0, 2]).status & 1).toBe(1);
    packet([0x1e, 0, 0, 0, 0]);
    expect(packet([0x1b, 0, 0, 0, 2]).status).toBe(0x50);
    expect(m.x.ideTakeEject(2)).toBe(1);
    const empty = packet([0x00]);
    expect(empty.error >> 4).toBe(2);
    expect(sense()).toEqual([2, 0x3a]);
    expect(packet([0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8]).data[4]).toBe(3); // media removal
    // Unknown opcode: ILLEGAL REQUEST, invalid command operation code.
    expect(packet([0xd8]).error >> 4).toBe(5);
    expect(sense()).toEqual([5, 0x20]);
  });
});
