// ATAPI CD-ROM from real mode (tests/guest/atapi_pio.asm) with the same small
// data CD image under RingZero and qemu-system-i386 -cdrom (secondary master).

import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu, guestSums } from "./harness";

const BLOCKS = 64;
function image(): Uint8Array {
  const a = new Uint8Array(BLOCKS * 2048);
  for (let i = 0; i < a.length; i++) a[i] = (Math.imul(i + 1, 0x9e3779b1) + Math.imul(i >>> 11, 0x85ebca6b)) >>> 24;
  a.set([1, 0x43, 0x44, 0x30, 0x30, 0x31, 1, 0], 16 * 2048); // ISO 9660 primary volume descriptor
  return a;
}

test("ATAPI PIO from real mode: signature, IDENTIFY PACKET, TUR/SENSE/INQUIRY/CAPACITY/READ/TOC, errors (same as qemu)", async () => {
  const bin = assemble("atapi_pio");
  const img = image();
  const rz = await runRingZero(bin, { drives: [{ index: 2, kind: "cdrom", image: img }] });
  const q = runQemu(bin, { drives: [{ index: 2, kind: "cdrom", image: img }] });
  expect(rz.stop).toBe("exit");
  const lines = rz.output.split("\n");
  expect(lines[0]).toBe("sig 01.01.14.eb st=50");
  expect(lines[2]).toMatch(/w0=85c0$/);
  const read10 = lines.find((l) => l.startsWith("read10 "))!;
  expect(read10).toContain(guestSums(img, 16 * 2048, 2048));
  expect(read10).toContain("data=0143443030310100");
  const cap = lines.find((l) => l.startsWith("capacity"))!;
  expect(cap).toMatch(/data=0000003f00000800$/);
  expect(lines.find((l) => l.startsWith("read10x3"))).toContain(guestSums(img, 20 * 2048, 3 * 2048));
  expect(q.output).toBe(rz.output);
});
