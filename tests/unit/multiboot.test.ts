// The Multiboot v1 loader (web/host/multiboot.ts), checked against the
// Multiboot Specification 0.6.96 (§3.1 header, §3.3 boot information).

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, test, expect } from "vitest";
import {
  findMultibootHeader, loadMultiboot, splitModuleList, elf32Segments,
  MB_INFO_ADDR, MB_MMAP_ADDR, MULTIBOOT_BOOTLOADER_MAGIC,
} from "../../web/host/multiboot";
import { kernelKind } from "../../web/host/kernel";
import { e820Map } from "../../web/host/memmap";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
let elf: Uint8Array;

beforeAll(() => {
  mkdirSync(join(ROOT, "build/guest"), { recursive: true });
  const out = join(ROOT, "build/guest/mbkernel.elf");
  execFileSync("nasm", ["-f", "bin", "-o", out, join(ROOT, "tests/guest/mbkernel.asm")]);
  elf = new Uint8Array(readFileSync(out));
});

const cstr = (ram: Uint8Array, at: number) => { let e = at; while (ram[e]) e++; return new TextDecoder().decode(ram.subarray(at, e)); };

/** An a.out-kludge kernel: the header (flag bit 16) says where to load the file. */
function kludgeImage(headerAt: number, o: { loadAddr: number; loadEnd?: number; bssEnd?: number; entry: number; flags?: number }): Uint8Array {
  const img = new Uint8Array(headerAt + 0x100).map((_, i) => (i * 5 + 1) & 0xff);
  const v = new DataView(img.buffer);
  const flags = (o.flags ?? 0) | 0x10000;
  v.setUint32(headerAt, 0x1badb002, true);
  v.setUint32(headerAt + 4, flags, true);
  v.setUint32(headerAt + 8, (-(0x1badb002 + flags)) >>> 0, true);
  v.setUint32(headerAt + 12, o.loadAddr + headerAt, true); // header_addr
  v.setUint32(headerAt + 16, o.loadAddr, true);
  v.setUint32(headerAt + 20, o.loadEnd ?? 0, true);
  v.setUint32(headerAt + 24, o.bssEnd ?? 0, true);
  v.setUint32(headerAt + 28, o.entry, true);
  return img;
}

describe("header", () => {
  test("found 32-bit aligned in the first 8 KiB with a valid checksum", () => {
    const h = findMultibootHeader(elf)!;
    expect(h).not.toBeNull();
    expect(h.offset % 4).toBe(0);
    expect(h.flags).toBe(0);
    expect(kernelKind(elf)).toBe("multiboot");
  });

  test("a bad checksum, a misaligned or a late header is not a header", () => {
    const bad = kludgeImage(64, { loadAddr: 0x100000, entry: 0x100000 });
    new DataView(bad.buffer).setUint32(72, 0, true);
    expect(findMultibootHeader(bad)).toBeNull();
    const late = kludgeImage(8192, { loadAddr: 0x100000, entry: 0x100000 });
    expect(findMultibootHeader(late)).toBeNull();
    const mis = new Uint8Array(256);
    mis.set(kludgeImage(64, { loadAddr: 0x100000, entry: 0x100000 }).subarray(64, 76), 66);
    expect(findMultibootHeader(mis)).toBeNull();
  });

  test("unknown required features are refused", () => {
    const img = kludgeImage(0, { loadAddr: 0x100000, entry: 0x100000, flags: 1 << 5 });
    expect(() => loadMultiboot(new Uint8Array(8 << 20), img, { cmdline: "k" })).toThrow(/requires features this loader does not have/);
  });
});

describe("loading", () => {
  test("ELF kernel: PT_LOAD at its physical address, bss zeroed, entry from e_entry", () => {
    const ram = new Uint8Array(32 << 20).fill(0xee, 0x100000, 0x101000);
    const b = loadMultiboot(ram, elf, { cmdline: "mbkernel.elf hello" });
    const { entry, segments } = elf32Segments(elf);
    expect(segments).toHaveLength(1);
    expect(b.entry.eip).toBe(entry);
    expect(Buffer.compare(ram.subarray(0x100000, 0x100000 + elf.length), elf)).toBe(0);
    expect(ram.subarray(0x100000 + segments[0].fileSize, 0x100000 + segments[0].memSize).every((x) => x === 0)).toBe(true);
    expect(b.kernelStart).toBe(0x100000);
  });

  test("a.out kludge: load_addr, load_end_addr, bss_end_addr", () => {
    const img = kludgeImage(32, { loadAddr: 0x200000, loadEnd: 0x200000 + 0x80, bssEnd: 0x200000 + 0x1000, entry: 0x200010 });
    const ram = new Uint8Array(8 << 20).fill(0xee, 0x200000, 0x202000);
    const b = loadMultiboot(ram, img, { cmdline: "k" });
    expect(Buffer.compare(ram.subarray(0x200000, 0x200080), img.subarray(0, 0x80))).toBe(0);
    expect(ram.subarray(0x200080, 0x201000).every((x) => x === 0)).toBe(true);
    expect(b.kernelEnd).toBe(0x201000);
    expect(b.entry.eip).toBe(0x200010);
  });

  test("errors: 64-bit ELF, segment outside RAM, modules too big", () => {
    const e64 = elf.slice(); e64[4] = 2;
    expect(() => loadMultiboot(new Uint8Array(32 << 20), e64, { cmdline: "" })).toThrow(/64-bit ELF/);
    const high = kludgeImage(0, { loadAddr: 0x3000000, entry: 0x3000000 });
    expect(() => loadMultiboot(new Uint8Array(32 << 20), high, { cmdline: "" })).toThrow(/outside the guest's usable RAM/);
    expect(() => loadMultiboot(new Uint8Array(2 << 20), elf, { cmdline: "", modules: [{ data: new Uint8Array(2 << 20), string: "big" }] }))
      .toThrow(/module 1 .* does not fit/);
  });
});

describe("boot information (§3.3)", () => {
  test("flags, memory, command line, modules, memory map, boot loader name, entry registers", () => {
    const ram = new Uint8Array(32 << 20);
    const mods = [{ data: new TextEncoder().encode("first"), string: "a.bin x=1" }, { data: new Uint8Array(5000).fill(7), string: "b.bin" }];
    const b = loadMultiboot(ram, elf, { cmdline: "mbkernel.elf hello world", modules: mods, romBytes: 0x40000 });
    const v = new DataView(ram.buffer);
    const mbi = MB_INFO_ADDR;
    expect(b.entry.regs).toEqual({ eax: MULTIBOOT_BOOTLOADER_MAGIC, ebx: mbi });
    expect(v.getUint32(mbi, true)).toBe(0x24f); // mem, boot_device, cmdline, mods, mmap, boot_loader_name
    expect(v.getUint32(mbi + 4, true)).toBe(639);
    expect(v.getUint32(mbi + 8, true)).toBe(31 * 1024);
    expect(v.getUint32(mbi + 12, true)).toBe(0x8000ffff);
    expect(cstr(ram, v.getUint32(mbi + 16, true))).toBe("mbkernel.elf hello world");
    expect(v.getUint32(mbi + 20, true)).toBe(2);
    const table = v.getUint32(mbi + 24, true);
    for (let k = 0; k < 2; k++) {
      const start = v.getUint32(table + 16 * k, true), end = v.getUint32(table + 16 * k + 4, true);
      expect(start % 4096).toBe(0);
      expect(start).toBeGreaterThanOrEqual(b.kernelEnd);
      expect(end - start).toBe(mods[k].data.length);
      expect(Buffer.compare(ram.subarray(start, end), mods[k].data)).toBe(0);
      expect(cstr(ram, v.getUint32(table + 16 * k + 8, true))).toBe(mods[k].string);
    }
    expect(v.getUint32(mbi + 48, true)).toBe(MB_MMAP_ADDR);
    const map = e820Map(32 << 20, 0x40000);
    expect(v.getUint32(mbi + 44, true)).toBe(map.length * 24);
    map.forEach((e, k) => {
      const o = MB_MMAP_ADDR + 24 * k;
      expect(v.getUint32(o, true)).toBe(20);
      expect(Number(v.getBigUint64(o + 4, true))).toBe(e.addr);
      expect(Number(v.getBigUint64(o + 12, true))).toBe(e.size);
      expect(v.getUint32(o + 20, true)).toBe(e.type);
    });
    expect(cstr(ram, v.getUint32(mbi + 64, true))).toBe("RingZero");
  });

  test("a kernel at 0x8000 over QEMU's boot information addresses: the information goes clear of it", () => {
    // a.out kludge: 0x8000..0xc000 loaded and bss, over 0x9000..0x9620 where the
    // information goes when that is free
    const img = kludgeImage(0, { loadAddr: 0x8000, loadEnd: 0x8100, bssEnd: 0xc000, entry: 0x8020 });
    const ram = new Uint8Array(8 << 20).fill(0xee);
    const mods = [{ data: new TextEncoder().encode("module"), string: "m.bin arg" }];
    const b = loadMultiboot(ram, img, { cmdline: "k at 0x8000", modules: mods });
    expect(Buffer.compare(ram.subarray(0x8000, 0x8100), img.subarray(0, 0x100))).toBe(0);
    expect(ram.subarray(0x8100, 0xc000).every((x) => x === 0)).toBe(true); // bss not overwritten
    const v = new DataView(ram.buffer);
    const mbi = b.entry.regs.ebx!;
    expect(mbi).toBe(b.infoAddr);
    const table = v.getUint32(mbi + 24, true), mmap = v.getUint32(mbi + 48, true);
    const used: [string, number, number][] = [
      ["info", mbi, mbi + 88],
      ["mmap", mmap, mmap + v.getUint32(mbi + 44, true)],
      ["cmdline", v.getUint32(mbi + 16, true), v.getUint32(mbi + 16, true) + 12],
      ["loader name", v.getUint32(mbi + 64, true), v.getUint32(mbi + 64, true) + 9],
      ["module table", table, table + 16],
      ["module string", v.getUint32(table + 8, true), v.getUint32(table + 8, true) + 10],
      ["module", v.getUint32(table, true), v.getUint32(table + 4, true)],
      ["gdt", b.entry.gdtBase, b.entry.gdtBase + b.entry.gdtLimit + 1],
    ];
    const overlap = (a0: number, a1: number, b0: number, b1: number) => a0 < b1 && b0 < a1;
    for (const [name, lo, hi] of used) {
      expect(overlap(lo, hi, 0x8000, 0xc000), `${name} ${lo.toString(16)}..${hi.toString(16)}`).toBe(false);
      for (const [name2, lo2, hi2] of used) {
        if (name2 !== name) expect(overlap(lo, hi, lo2, hi2), `${name} / ${name2}`).toBe(false);
      }
    }
    expect(cstr(ram, v.getUint32(mbi + 16, true))).toBe("k at 0x8000");
    expect(cstr(ram, v.getUint32(table + 8, true))).toBe("m.bin arg");
    expect(v.getUint32(mmap, true)).toBe(20);
    expect(b.entry.eip).toBe(0x8020);
  });

  test("a kernel clear of QEMU's addresses gets them (EBX as under QEMU)", () => {
    const b = loadMultiboot(new Uint8Array(32 << 20), elf, { cmdline: "k" });
    expect(b.infoAddr).toBe(MB_INFO_ADDR);
  });

  test("QEMU's -initrd module list: commas separate, ',,' is a comma, arguments after a space", () => {
    expect(splitModuleList("a.bin")).toEqual([{ file: "a.bin", string: "a.bin" }]);
    expect(splitModuleList("a.bin x y,b.bin")).toEqual([{ file: "a.bin", string: "a.bin x y" }, { file: "b.bin", string: "b.bin" }]);
    expect(splitModuleList("we,,ird.bin arg,,1")).toEqual([{ file: "we,ird.bin", string: "we,ird.bin arg,1" }]);
  });
});
