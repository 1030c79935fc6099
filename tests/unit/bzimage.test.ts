// The bzImage loader (web/host/bzimage.ts) against the real Debian kernel in
// public/images and against broken or unsupported images; offsets checked against
// the kernel's Documentation/arch/x86/boot.rst and zero-page.rst.

import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { beforeAll, describe, test, expect } from "vitest";
import {
  parseBzImage, loadBzImage, placeInitrd, kernelFootprint, hasSetupHeader, KernelImageError,
  BOOT_ZERO_PAGE, BOOT_CMDLINE, BOOT_GDT, KERNEL_LOAD,
} from "../../web/host/bzimage";
import { e820Map, E820_RAM, E820_RESERVED } from "../../web/host/memmap";
import { kernelKind } from "../../web/host/kernel";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const IMAGES = join(ROOT, "public/images");
let real: Uint8Array;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;
const zero = (a: Uint8Array) => a.every((x) => x === 0);

beforeAll(() => {
  if (!existsSync(join(IMAGES, "bzImage"))) {
    const r = spawnSync(process.execPath, [join(ROOT, "tools/guest/ensure.mjs")], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`building the guest images failed: ${r.stdout}${r.stderr}`);
  }
  real = new Uint8Array(readFileSync(join(IMAGES, "bzImage")));
}, 600_000);

/** A synthetic bzImage: boot sector, setup header, `setupSects` sectors, then the 32-bit part. */
function makeImage(o: { version?: number; loadflags?: number; setupSects?: number; pm?: number; syssize?: number;
  xloadflags?: number; cmdlineSize?: number; initrdMax?: number; initSize?: number; pref?: number; align?: number } = {}): Uint8Array {
  const setupSects = o.setupSects || 4; // 0 means 4
  const pm = o.pm ?? 8192;
  const img = new Uint8Array((setupSects + 1) * 512 + pm);
  const v = new DataView(img.buffer);
  img[0x1f1] = o.setupSects === 0 ? 0 : setupSects;
  v.setUint32(0x1f4, o.syssize ?? Math.ceil(pm / 16), true);
  v.setUint16(0x1fe, 0xaa55, true);
  img[0x200] = 0xeb; img[0x201] = 0x6a; // jump: header ends at 0x26c
  v.setUint32(0x202, 0x53726448, true);
  v.setUint16(0x206, o.version ?? 0x020f, true);
  img[0x211] = o.loadflags ?? 1;
  v.setUint32(0x214, 0x100000, true);
  v.setUint32(0x22c, o.initrdMax ?? 0x7fffffff, true);
  v.setUint32(0x230, o.align ?? 0x1000000, true);
  img[0x234] = 1;
  v.setUint16(0x236, o.xloadflags ?? 0, true);
  v.setUint32(0x238, o.cmdlineSize ?? 2047, true);
  v.setUint32(0x258, o.pref ?? 0x1000000, true);
  v.setUint32(0x260, o.initSize ?? 0x200000, true);
  for (let i = 0; i < pm; i++) img[(setupSects + 1) * 512 + i] = (i * 7) & 0xff;
  return img;
}

describe("parseBzImage", () => {
  test("reads the setup header of the Debian i686 kernel", () => {
    const h = parseBzImage(real);
    const v = new DataView(real.buffer, real.byteOffset);
    expect(h.version).toBeGreaterThanOrEqual(0x020a);
    expect(h.version).toBe(v.getUint16(0x206, true));
    expect(h.loadflags & 1).toBe(1); // LOADED_HIGH
    expect(h.setupSects).toBe(real[0x1f1] || 4);
    expect(h.pmOffset).toBe((h.setupSects + 1) * 512);
    expect(h.pmSize).toBe(real.length - h.pmOffset);
    expect(h.syssize * 16).toBeLessThanOrEqual(h.pmSize);
    expect(h.syssize * 16).toBeGreaterThan(h.pmSize - 4096);
    expect(h.code32Start).toBe(0x100000);
    expect(h.relocatable).toBe(true);
    expect(h.kernelAlignment).toBe(v.getUint32(0x230, true));
    expect(h.initrdAddrMax).toBe(v.getUint32(0x22c, true));
    expect(h.cmdlineSize).toBe(2047);
    expect(h.prefAddress).toBe(0x1000000);
    expect(h.initSize).toBe(v.getUint32(0x260, true));
    expect(h.xloadflags & 1).toBe(0); // not a 64-bit kernel
    expect(h.headerEnd).toBe(0x202 + real[0x201]);
    const manifest = JSON.parse(readFileSync(join(IMAGES, "manifest.json"), "utf8")) as { kernelVersion: string };
    expect(h.kernelVersion.startsWith(manifest.kernelVersion + " ")).toBe(true);
    expect(kernelKind(real)).toBe("bzimage");
  });

  test("garbage is not a kernel", () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 31 + 7) & 0xff);
    expect(() => parseBzImage(junk)).toThrow(/no boot sector signature 0xAA55/);
    expect(() => parseBzImage(new Uint8Array(100))).toThrow(/only 100 bytes/);
    expect(hasSetupHeader(junk)).toBe(false);
    expect(() => kernelKind(junk)).toThrow(/not a bootable kernel/);
  });

  test("a boot sector without HdrS is refused", () => {
    const img = makeImage();
    img.fill(0, 0x202, 0x206);
    expect(() => parseBzImage(img)).toThrow(KernelImageError);
    expect(() => parseBzImage(img)).toThrow(/no "HdrS" setup header at offset 0x202/);
  });

  test("old protocols, zImages and 64-bit kernels are refused with the reason", () => {
    expect(() => parseBzImage(makeImage({ version: 0x0203 }))).toThrow(/boot protocol 2\.03 is too old: RingZero needs 2\.04/);
    expect(() => parseBzImage(makeImage({ loadflags: 0 }))).toThrow(/zImage/);
    expect(() => parseBzImage(makeImage({ xloadflags: 1 }))).toThrow(/64-bit \(x86-64\) kernel/);
  });

  test("a truncated image is refused", () => {
    const img = makeImage({ pm: 8192 });
    expect(() => parseBzImage(img.subarray(0, img.length - 100))).toThrow(/truncated bzImage/);
    expect(() => parseBzImage(real.subarray(0, 200_000))).toThrow(/truncated bzImage/);
  });

  test("syssize counts 16-byte paragraphs, rounded up: a file up to 15 bytes short of syssize * 16 is whole (as QEMU boots it)", () => {
    // the setup headers of Debian's memtest86+ 6.10 (memtest86+ia32.bin) and ipxe.lkrn:
    // their 32-bit parts are 8 and 7 bytes short of syssize * 16
    const memtest = makeImage({ setupSects: 2, version: 0x020c, pm: 137176, syssize: 8574 });
    expect(parseBzImage(memtest).pmSize).toBe(137176);
    const ipxe = makeImage({ setupSects: 5, version: 0x0207, pm: 303449, syssize: 18966 });
    expect(parseBzImage(ipxe).pmSize).toBe(303449);
    expect(parseBzImage(makeImage({ pm: 8192 - 15, syssize: 512 })).syssize).toBe(512);
    // a whole paragraph missing is a truncated file
    expect(() => parseBzImage(makeImage({ pm: 8192 - 16, syssize: 512 }))).toThrow(/^truncated bzImage: syssize says .* is 8192 bytes, the file holds only 8176$/);
  });

  test("setup_sects 0 means 4", () => {
    const h = parseBzImage(makeImage({ setupSects: 0 }));
    expect(h.setupSects).toBe(4);
    expect(h.pmOffset).toBe(5 * 512);
  });

  test("protocol 2.04/2.05 defaults: initrd_addr_max read, cmdline_size 255", () => {
    const h = parseBzImage(makeImage({ version: 0x0204, initrdMax: 0x37ffffff }));
    expect(h.cmdlineSize).toBe(255);
    expect(h.initrdAddrMax).toBe(0x37ffffff);
    expect(h.initSize).toBe(0);
  });
});

describe("memory layout", () => {
  test("e820 map: low RAM to 639 KiB, EBDA and BIOS area reserved, RAM from 1 MiB, BIOS ROM reserved", () => {
    expect(e820Map(128 << 20)).toEqual([
      { addr: 0, size: 0x9fc00, type: E820_RAM },
      { addr: 0x9fc00, size: 0x400, type: E820_RESERVED },
      { addr: 0xf0000, size: 0x10000, type: E820_RESERVED },
      { addr: 0x100000, size: (128 << 20) - 0x100000, type: E820_RAM },
    ]);
    expect(e820Map(32 << 20, 0x40000).at(-1)).toEqual({ addr: 0xfffc0000, size: 0x40000, type: E820_RESERVED });
  });

  test("initrd goes as high as possible, 4 KiB aligned, within initrd_addr_max and RAM", () => {
    // boot.rst: initrd_addr_max is the highest byte the initrd may occupy
    expect(placeInitrd(131072, 0x37ffffff, 2048 * 2 ** 20, 0)).toBe(0x37fe0000);
    expect(placeInitrd(5000, 0x7fffffff, 128 << 20, 0)).toBe((128 << 20) - 8192);
    expect(placeInitrd(4096, 0x7fffffff, 64 << 20, 0)).toBe((64 << 20) - 4096);
    expect(placeInitrd(1 << 20, 0x7fffffff, 32 << 20, 32 << 20)).toBe(-1); // no room above the kernel
  });

  test("the Debian kernel decompresses at pref_address and needs init_size above it", () => {
    const h = parseBzImage(real);
    const fp = kernelFootprint(h);
    expect(fp.runStart).toBe(0x1000000);
    expect(fp.end).toBe(0x1000000 + h.initSize);
  });
});

describe("loadBzImage", () => {
  const initrd = new Uint8Array(300_000).map((_, i) => (i * 13) & 0xff);
  const cmdline = "console=ttyS0 panic=-1";

  test("zero page, command line, kernel, initrd and entry state for the Debian kernel", () => {
    const ram = new Uint8Array(128 << 20).fill(0xcc, 0, 0x30000);
    const b = loadBzImage(ram, real, { cmdline, initrd });
    const zp = new DataView(ram.buffer, BOOT_ZERO_PAGE, 4096);
    const h = b.header;
    // the setup header is copied from 0x1F1 to its end; obligatory fields are written
    expect(zp.getUint16(0x1fe, true)).toBe(0xaa55);
    expect(zp.getUint32(0x202, true)).toBe(0x53726448);
    expect(zp.getUint16(0x206, true)).toBe(h.version);
    expect(ram[BOOT_ZERO_PAGE + 0x1f1]).toBe(real[0x1f1]);
    expect(zp.getUint32(0x1f4, true)).toBe(h.syssize);
    expect(zp.getUint32(0x230, true)).toBe(h.kernelAlignment);
    expect(zp.getUint32(0x260, true)).toBe(h.initSize);
    expect(zp.getUint16(0x1fa, true)).toBe(0xffff); // vid_mode "normal"
    expect(zp.getUint8(0x210)).toBe(0xff); // type_of_loader: undefined
    expect(zp.getUint8(0x211)).toBe(0x81); // CAN_USE_HEAP | LOADED_HIGH
    expect(zp.getUint16(0x224, true)).toBe(0xfe00); // heap_end_ptr
    expect(zp.getUint32(0x214, true)).toBe(KERNEL_LOAD); // code32_start
    expect(zp.getUint32(0x228, true)).toBe(BOOT_CMDLINE);
    expect(zp.getUint32(0x218, true)).toBe(b.initrd!.addr);
    expect(zp.getUint32(0x21c, true)).toBe(initrd.length);
    // everything outside the header that is not filled in is zero (boot.rst: zero the page first)
    expect(zero(ram.subarray(BOOT_ZERO_PAGE, BOOT_ZERO_PAGE + 0x70))).toBe(true); // screen_info .. tboot_addr
    // acpi_rsdp_addr (zero-page.rst 0x070, protocol 2.14+): the RSDP of the tables in the EBDA
    expect(zp.getBigUint64(0x70, true)).toBe(0x9fc00n);
    expect(String.fromCharCode(...ram.subarray(0x9fc00, 0x9fc08))).toBe("RSD PTR ");
    expect(zero(ram.subarray(BOOT_ZERO_PAGE + 0x78, BOOT_ZERO_PAGE + 0x1e0))).toBe(true); // .. efi_info
    expect(zero(ram.subarray(BOOT_ZERO_PAGE + 0x290, BOOT_ZERO_PAGE + 0x2d0))).toBe(true);
    // alt_mem_k and the e820 table (zero-page.rst: e820_entries at 0x1E8, e820_table at 0x2D0, 20 bytes each)
    expect(zp.getUint32(0x1e0, true)).toBe(127 * 1024);
    expect(zp.getUint8(0x1e8)).toBe(4);
    const e820 = [0, 1, 2, 3].map((i) => ({
      addr: Number(zp.getBigUint64(0x2d0 + i * 20, true)), size: Number(zp.getBigUint64(0x2d8 + i * 20, true)), type: zp.getUint32(0x2e0 + i * 20, true),
    }));
    expect(e820).toEqual(e820Map(128 << 20));
    expect(zero(ram.subarray(BOOT_ZERO_PAGE + 0x2d0 + 80, BOOT_ZERO_PAGE + 0x1000))).toBe(true);
    // command line, NUL-terminated
    expect(new TextDecoder().decode(ram.subarray(BOOT_CMDLINE, BOOT_CMDLINE + cmdline.length))).toBe(cmdline);
    expect(ram[BOOT_CMDLINE + cmdline.length]).toBe(0);
    // the 32-bit kernel at 1 MiB
    expect(same(ram.subarray(KERNEL_LOAD, KERNEL_LOAD + h.pmSize), real.subarray(h.pmOffset))).toBe(true);
    // initrd: page aligned, as high as RAM allows, above the kernel's decompression area
    expect(b.initrd!.addr % 4096).toBe(0);
    expect(b.initrd!.addr + initrd.length).toBeLessThanOrEqual(128 << 20);
    expect(b.initrd!.addr + initrd.length + 4096).toBeGreaterThan(128 << 20);
    expect(b.initrd!.addr).toBeGreaterThanOrEqual(kernelFootprint(h).end);
    expect(same(ram.subarray(b.initrd!.addr, b.initrd!.addr + initrd.length), initrd)).toBe(true);
    // entry: boot.rst 32-bit protocol
    expect(b.entry).toMatchObject({ eip: 0x100000, cs: 0x10, ds: 0x18, gdtBase: BOOT_GDT, gdtLimit: 0x1f, regs: { esi: BOOT_ZERO_PAGE, ebp: 0, edi: 0, ebx: 0 } });
    const g = new DataView(ram.buffer, BOOT_GDT, 32);
    expect([g.getUint32(0x10, true), g.getUint32(0x14, true)]).toEqual([0xffff, 0x00cf9b00]);
    expect([g.getUint32(0x18, true), g.getUint32(0x1c, true)]).toEqual([0xffff, 0x00cf9300]);
  });

  test("no initrd: ramdisk fields stay zero", () => {
    const ram = new Uint8Array(64 << 20);
    const b = loadBzImage(ram, makeImage(), { cmdline: "" });
    expect(b.initrd).toBeNull();
    const zp = new DataView(ram.buffer, BOOT_ZERO_PAGE, 4096);
    expect(zp.getUint32(0x218, true)).toBe(0);
    expect(zp.getUint32(0x21c, true)).toBe(0);
    expect(ram[BOOT_CMDLINE]).toBe(0);
  });

  test("the initrd respects a low initrd_addr_max", () => {
    const ram = new Uint8Array(64 << 20);
    const b = loadBzImage(ram, makeImage({ initrdMax: 0x2ffffff }), { cmdline: "", initrd: new Uint8Array(10000) });
    expect(b.initrd!.addr).toBe(0x3000000 - 12288);
  });

  test("a BIOS ROM adds its reserved range to the e820 table", () => {
    const ram = new Uint8Array(64 << 20);
    loadBzImage(ram, makeImage(), { cmdline: "", romBytes: 0x20000 });
    const zp = new DataView(ram.buffer, BOOT_ZERO_PAGE, 4096);
    expect(zp.getUint8(0x1e8)).toBe(5);
    expect(Number(zp.getBigUint64(0x2d0 + 4 * 20, true))).toBe(0xfffe0000);
    expect(zp.getUint32(0x2d0 + 4 * 20 + 16, true)).toBe(E820_RESERVED);
  });

  test("errors: command line too long, too little RAM, initrd does not fit", () => {
    expect(() => loadBzImage(new Uint8Array(64 << 20), makeImage({ cmdlineSize: 10 }), { cmdline: "console=ttyS0" }))
      .toThrow(/command line is 13 bytes; this kernel takes at most 10/);
    expect(() => loadBzImage(new Uint8Array(32 << 20), real, { cmdline: "" })).toThrow(/needs at least 33 MiB of RAM.*-m/);
    expect(() => loadBzImage(new Uint8Array(20 << 20), makeImage(), { cmdline: "", initrd: new Uint8Array(4 << 20) }))
      .toThrow(/initrd \(4194304 bytes\) does not fit/);
  });
});
