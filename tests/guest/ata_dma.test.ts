// Bus-master IDE DMA from real mode (tests/guest/ata_dma.asm) with the same disk
// image under RingZero and qemu-system-i386: PRD tables in guest RAM, the
// SFF-8038i status bits, data landing in memory and on the disk.

import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu, guestSums } from "./harness";

const SECTORS = 2048;
const byte = (s: number, i: number) => (Math.imul(s + 1, 0x9e3779b1) + Math.imul(i + 7, 0x85ebca6b)) >>> 24;
function image(): Uint8Array {
  const a = new Uint8Array(SECTORS * 512);
  for (let s = 0; s < SECTORS; s++) for (let i = 0; i < 512; i++) a[s * 512 + i] = byte(s, i);
  return a;
}

test("IDE bus-master DMA: READ DMA through a PRD table, WRITE DMA, oversized table (same as qemu)", async () => {
  const bin = assemble("ata_dma");
  const rz = await runRingZero(bin, { drives: [{ index: 0, kind: "disk", image: image() }] });
  const q = runQemu(bin, { drives: [{ index: 0, kind: "disk", image: image() }] });
  expect(rz.stop).toBe("exit");
  const img = image();
  const lines = rz.output.split("\n");
  expect(lines[0]).toBe(`readdma bm=04 st=50 tf=00.2d.00.00.e0 mem ${guestSums(img, 42 * 512, 3 * 512)}`);
  expect(lines[1]).toBe("writedma bm=04 st=50 tf=00.66.00.00.e0");
  const w = new Uint8Array(1024);
  for (let i = 0; i < 512; i++) { w[i * 2] = (0x5000 + i) & 0xff; w[i * 2 + 1] = (0x5000 + i) >> 8; }
  expect(lines[2]).toBe(`readback ${guestSums(w, 0, 1024)} st=50 tf=00.66.00.00.e0`);
  expect(lines[3]).toBe("bigprd bm=05 st=50 tf=00.08.00.00.e0");
  // qemu runs its DMA asynchronously: right after an oversized PRD table the guest
  // may catch it mid-transfer (DRQ still set, sector count and number not yet
  // final), depending on host timing. RingZero's line is checked exactly above; of
  // qemu's, only the bus-master status (bm=05: active, interrupt) is behaviour.
  const settled = (out: string) => out.replace(/^(bigprd bm=05) .*$/m, "$1");
  expect(settled(q.output)).toBe(settled(rz.output));
});
