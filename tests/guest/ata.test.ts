// ATA PIO from real mode (tests/guest/ata_pio.asm) with the same 1 MiB disk image
// under RingZero and qemu-system-i386 -drive if=ide: the outputs must be the same,
// and the key values are checked against the image itself.

import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu, guestSums } from "./harness";

const SECTORS = 2048;
// Every byte differs with sector and offset, so sums and xors catch misplaced data.
const byte = (s: number, i: number) => (Math.imul(s + 1, 0x9e3779b1) + Math.imul(i + 7, 0x85ebca6b)) >>> 24;

function image(): Uint8Array {
  const a = new Uint8Array(SECTORS * 512);
  for (let s = 0; s < SECTORS; s++) for (let i = 0; i < 512; i++) a[s * 512 + i] = byte(s, i);
  return a;
}

test("ATA PIO from real mode: reset, IDENTIFY, read/write/multiple/48-bit/CHS, errors (same as qemu)", async () => {
  const bin = assemble("ata_pio");
  const rz = await runRingZero(bin, { drives: [{ index: 0, kind: "disk", image: image() }] });
  const q = runQemu(bin, { drives: [{ index: 0, kind: "disk", image: image() }] });
  expect(rz.stop).toBe("exit");

  const img = image();
  const lines = rz.output.split("\n");
  expect(lines[0]).toBe("sig 01.01.00.00.a0");
  expect(lines[1]).toBe("identify st=58 after=50");
  // config, cylinders 2, heads 16, sectors 63, multiple 16, LBA+DMA, capacity 2048
  expect(lines[2]).toMatch(/^words 0040 0002 0010 003f 8010 0b00 /);
  expect(lines[2]).toMatch(/ 0800 0000 00f0 7400 0800 0000 0000$/);
  // The task file ends at the next sector with a count of 0 (as QEMU leaves it).
  expect(lines[3]).toBe(`read ${guestSums(img, 5 * 512, 3 * 512)} st=50 tf=00.08.00.00.e0`);
  // The rewritten sectors 9 and 10 between the original 8.
  const w = img.slice();
  for (let s = 9; s <= 10; s++) for (let i = 0; i < 256; i++) { const v = 0x1234 + i; w[s * 512 + i * 2] = v & 0xff; w[s * 512 + i * 2 + 1] = v >> 8; }
  expect(lines[4]).toBe("write st=50 tf=00.0b.00.00.e0");
  expect(lines[5]).toBe(`readback ${guestSums(w, 8 * 512, 3 * 512)} st=50 tf=00.0b.00.00.e0`);
  expect(lines[6]).toBe("setmult st=50");
  expect(lines[7]).toBe(`readmult ${guestSums(img, 30 * 512, 6 * 512)} st=50 tf=00.24.00.00.e0`);
  expect(lines[8]).toBe(`readext ${guestSums(img, 258 * 512, 2 * 512)} st=50 tf=00.04.01.00.e0`);
  expect(lines[9]).toBe(`chs ${guestSums(img, 65 * 512, 1 * 512)} st=50 tf=00.04.00.00.a1`);
  expect(lines[10]).toBe("verify st=50 tf=08.64.00.00.e0");
  expect(lines[11]).toBe("pastend st=41 err=04");
  expect(lines[12]).toBe("unknown st=41 err=04");
  expect(lines[13]).toBe("slave st=00");
  expect(q.output).toBe(rz.output);
});
