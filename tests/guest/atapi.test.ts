// ATAPI CD-ROM from real mode (tests/guest/atapi_pio.asm) with the same small
// data CD image under RingZero and qemu-system-i386 -cdrom (secondary master).

import { test, expect } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assemble, runRingZero, runQemu } from "./harness";

const BLOCKS = 64;
function image(): Uint8Array {
  const a = new Uint8Array(BLOCKS * 2048);
  for (let i = 0; i < a.length; i++) a[i] = (Math.imul(i + 1, 0x9e3779b1) + Math.imul(i >>> 11, 0x85ebca6b)) >>> 24;
  a.set([1, 0x43, 0x44, 0x30, 0x30, 0x31, 1, 0], 16 * 2048); // ISO 9660 primary volume descriptor
  return a;
}
function sums(img: Uint8Array, from: number, n: number): string {
  let sum = 0, xor = 0;
  for (let i = from; i < from + n; i += 2) { const w = img[i] | (img[i + 1] << 8); sum = (sum + w) & 0xffff; xor ^= w; }
  const h = (v: number) => v.toString(16).padStart(4, "0");
  return `sum=${h(sum)} xor=${h(xor)}`;
}

test("ATAPI PIO from real mode: signature, IDENTIFY PACKET, TUR/SENSE/INQUIRY/CAPACITY/READ/TOC, errors (same as qemu)", async () => {
  const bin = assemble("atapi_pio");
  const img = image();
  const rz = await runRingZero(bin, { drives: [{ index: 2, kind: "cdrom", image: img }] });
  const dir = mkdtempSync(join(tmpdir(), "rz-atapi-"));
  const file = join(dir, "cd.iso");
  writeFileSync(file, img);
  const q = runQemu(bin, { args: ["-drive", `file=${file},format=raw,if=ide,index=2,media=cdrom`] });
  expect(rz.stop).toBe("exit");
  const lines = rz.output.split("\n");
  expect(lines[0]).toBe("sig 01.01.14.eb st=50");
  expect(lines[2]).toMatch(/w0=85c0$/);
  const read10 = lines.find((l) => l.startsWith("read10 "))!;
  expect(read10).toContain(sums(img, 16 * 2048, 2048));
  expect(read10).toContain("data=0143443030310100");
  const cap = lines.find((l) => l.startsWith("capacity"))!;
  expect(cap).toMatch(/data=0000003f00000800$/);
  expect(lines.find((l) => l.startsWith("read10x3"))).toContain(sums(img, 20 * 2048, 3 * 2048));
  expect(q.output).toBe(rz.output);
});
