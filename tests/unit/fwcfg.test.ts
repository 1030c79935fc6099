// fw_cfg (asm/dev/fwcfg.ts) through its ports, with items put in by the host
// helper (web/host/fwcfg.ts), read the way SeaBIOS does (outw selector, inb data).

import { test, expect, beforeEach } from "vitest";
import { TestMachine } from "./storage-machine";
import { FwCfgHost, FW_CFG } from "../../web/host/fwcfg";
import { E820_RAM } from "../../web/host/memmap";

let m: TestMachine;
let fw: FwCfgHost;
beforeEach(async () => {
  m = await TestMachine.create(32);
  fw = new FwCfgHost(m.memory, m.x);
});

function read(key: number, n: number): Uint8Array {
  m.outw(0x510, key);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = m.inb(0x511);
  return b;
}
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

interface DirEntry { size: number; select: number; name: string }
function directory(): DirEntry[] {
  const count = dv(read(0x19, 4)).getUint32(0, false);
  // The directory is one item: read it again whole, as SeaBIOS does.
  const all = read(0x19, 4 + count * 64);
  const out: DirEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = all.subarray(4 + i * 64, 4 + (i + 1) * 64);
    const name = new TextDecoder().decode(e.subarray(8, 64)).replace(/\0.*$/s, "");
    out.push({ size: dv(e).getUint32(0, false), select: dv(e).getUint16(4, false), name });
  }
  return out;
}

test("signature, ID (no DMA), RAM size, CPU counts; unknown keys and reads past the end give 0", () => {
  expect(new TextDecoder().decode(read(0x00, 4))).toBe("QEMU");
  expect(dv(read(0x01, 4)).getUint32(0, true)).toBe(1);
  expect(dv(read(0x03, 8)).getBigUint64(0, true)).toBe(32n << 20n);
  expect(dv(read(0x05, 2)).getUint16(0, true)).toBe(1);
  expect(dv(read(0x0f, 2)).getUint16(0, true)).toBe(1);
  expect(Array.from(read(0x00, 6))).toEqual([0x51, 0x45, 0x4d, 0x55, 0, 0]);
  expect(Array.from(read(0x8003, 4))).toEqual([0, 0, 0, 0]);
  expect(Array.from(read(0x1234, 2))).toEqual([0, 0]);
  // A 16-bit read of the data port returns two bytes in order.
  m.outw(0x510, 0);
  expect(m.inw(0x511)).toBe(0x4551);
  // Selecting again restarts at offset 0.
  m.outw(0x510, 0);
  expect(m.inb(0x511)).toBe(0x51);
});

test("file directory: big-endian count and entries; files read back; the same name replaces", () => {
  expect(directory()).toEqual([]);
  fw.setE820([{ addr: 0, size: 0x9fc00, type: E820_RAM }, { addr: 0x100000, size: (32 << 20) - 0x100000, type: E820_RAM }]);
  const boot = new TextEncoder().encode("/pci@i0cf8/ide@1,1/drive@1/disk@0\n");
  fw.addFile("bootorder", boot);
  fw.addFile("etc/boot-fail-wait", Uint8Array.from([0x10, 0x27, 0, 0]));
  const dir = directory();
  expect(dir.map((e) => e.name)).toEqual(["etc/e820", "bootorder", "etc/boot-fail-wait"]);
  expect(dir.map((e) => e.select)).toEqual([0x20, 0x21, 0x22]);
  expect(dir[0].size).toBe(40);
  const e820 = dv(read(dir[0].select, 40));
  expect(e820.getBigUint64(20, true)).toBe(0x100000n);
  expect(e820.getUint32(36, true)).toBe(1);
  expect(new TextDecoder().decode(read(dir[1].select, dir[1].size))).toBe("/pci@i0cf8/ide@1,1/drive@1/disk@0\n");
  fw.addFile("bootorder", new TextEncoder().encode("x"));
  const dir2 = directory();
  expect(dir2.length).toBe(3);
  expect(dir2[1]).toEqual({ size: 1, select: 0x21, name: "bootorder" });
  expect(() => fw.addFile("", new Uint8Array(1))).toThrow();
});

test("kernel items: addresses and sizes little-endian, data and command line", () => {
  const setup = new Uint8Array(1024).fill(0xaa), kernel = new Uint8Array(5000).fill(0x55);
  fw.setLinuxBoot({ setupAddr: 0x90000, setup, kernelAddr: 0x100000, kernel, cmdlineAddr: 0x20000, cmdline: "console=ttyS0" });
  expect(dv(read(FW_CFG.KERNEL_ADDR, 4)).getUint32(0, true)).toBe(0x100000);
  expect(dv(read(FW_CFG.KERNEL_SIZE, 4)).getUint32(0, true)).toBe(5000);
  expect(dv(read(FW_CFG.SETUP_SIZE, 4)).getUint32(0, true)).toBe(1024);
  expect(read(FW_CFG.KERNEL_DATA, 5001)[4999]).toBe(0x55);
  expect(new TextDecoder().decode(read(FW_CFG.CMDLINE_DATA, 14))).toBe("console=ttyS0\0");
  expect(dv(read(FW_CFG.CMDLINE_SIZE, 4)).getUint32(0, true)).toBe(14);
  // The signature, ID and directory cannot be replaced by the host.
  expect(m.x.fwcfgSetItem(0x00, m.x.fwcfgDataBase(), 4)).toBe(0);
  expect(m.x.fwcfgSetItem(0x19, m.x.fwcfgDataBase(), 4)).toBe(0);
  // Nor point an item outside the fw_cfg region.
  expect(m.x.fwcfgSetItem(0x09, 0x1000, 4)).toBe(0);
});
