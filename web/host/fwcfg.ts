// Host side of QEMU's fw_cfg device (asm/dev/fwcfg.ts): puts blobs into the
// machine's fw_cfg region and registers them as numbered items or named files.
// Items survive guest resets; they are set before the guest reads them (before
// the first run slice, as QEMU fills fw_cfg before the CPU starts).

export interface FwCfgExports {
  fwcfgDataBase(): number;
  fwcfgDataEnd(): number;
  fwcfgSetItem(key: number, addr: number, len: number): number;
  fwcfgAddFile(nameAddr: number, addr: number, len: number): number;
}

/** Numbered items (QEMU docs/specs/fw_cfg.rst; values are little-endian). */
export const FW_CFG = {
  UUID: 0x02, NOGRAPHIC: 0x04, BOOT_DEVICE: 0x0c, BOOT_MENU: 0x0e,
  KERNEL_ADDR: 0x07, KERNEL_SIZE: 0x08, KERNEL_CMDLINE: 0x09,
  INITRD_ADDR: 0x0a, INITRD_SIZE: 0x0b, KERNEL_ENTRY: 0x10,
  KERNEL_DATA: 0x11, INITRD_DATA: 0x12,
  CMDLINE_ADDR: 0x13, CMDLINE_SIZE: 0x14, CMDLINE_DATA: 0x15,
  SETUP_ADDR: 0x16, SETUP_SIZE: 0x17, SETUP_DATA: 0x18,
} as const;

export class FwCfgError extends Error {}

import type { E820Entry } from "./memmap";

export class FwCfgHost {
  private next: number;
  constructor(private readonly memory: WebAssembly.Memory, private readonly x: FwCfgExports) {
    this.next = x.fwcfgDataBase();
  }

  /** Bytes left for blobs. */
  get free(): number { return this.x.fwcfgDataEnd() - this.next; }

  private put(bytes: Uint8Array): number {
    const addr = (this.next + 15) & ~15;
    if (addr + bytes.length > this.x.fwcfgDataEnd()) {
      throw new FwCfgError(`fw_cfg region full: ${bytes.length} bytes do not fit in the ${this.free} left`);
    }
    new Uint8Array(this.memory.buffer, addr, bytes.length).set(bytes);
    this.next = addr + bytes.length;
    return addr;
  }

  /** A named file ("etc/e820", "bootorder", ...); returns its selector key.
   *  Adding a name again replaces the file (the old bytes stay allocated). */
  addFile(name: string, data: Uint8Array): number {
    const enc = new TextEncoder().encode(name);
    if (enc.length === 0 || enc.length > 55 || enc.includes(0)) throw new FwCfgError(`fw_cfg file name must be 1-55 bytes: "${name}"`);
    const nameAddr = this.put(Uint8Array.from([...enc, 0]));
    const addr = this.put(data);
    const key = this.x.fwcfgAddFile(nameAddr, addr, data.length);
    if (key === 0) throw new FwCfgError(`fw_cfg directory is full, cannot add "${name}"`);
    return key;
  }

  /** A numbered item (0x02-0x18). */
  setItem(key: number, data: Uint8Array): void {
    const addr = this.put(data);
    if (!this.x.fwcfgSetItem(key, addr, data.length)) throw new FwCfgError(`fw_cfg item 0x${key.toString(16)} cannot be set`);
  }
  setU32(key: number, v: number): void { this.setItem(key, u32le(v)); }

  /** "etc/e820": 20-byte entries { u64 address, u64 length, u32 type }, as QEMU's. */
  setE820(entries: E820Entry[]): void {
    const b = new Uint8Array(entries.length * 20);
    const v = new DataView(b.buffer);
    entries.forEach((e, i) => {
      v.setBigUint64(i * 20, BigInt(e.addr), true);
      v.setBigUint64(i * 20 + 8, BigInt(e.size), true);
      v.setUint32(i * 20 + 16, e.type, true);
    });
    this.addFile("etc/e820", b);
  }

  /** The items SeaBIOS's linuxboot option ROM reads (QEMU's x86 load_linux):
   *  where to put and how big the setup, kernel, initrd and command line are. */
  setLinuxBoot(p: {
    setupAddr: number; setup: Uint8Array; kernelAddr: number; kernel: Uint8Array;
    cmdlineAddr: number; cmdline: string; initrdAddr?: number; initrd?: Uint8Array;
  }): void {
    const cmd = Uint8Array.from([...new TextEncoder().encode(p.cmdline), 0]);
    this.setU32(FW_CFG.SETUP_ADDR, p.setupAddr); this.setU32(FW_CFG.SETUP_SIZE, p.setup.length); this.setItem(FW_CFG.SETUP_DATA, p.setup);
    this.setU32(FW_CFG.KERNEL_ADDR, p.kernelAddr); this.setU32(FW_CFG.KERNEL_SIZE, p.kernel.length); this.setItem(FW_CFG.KERNEL_DATA, p.kernel);
    this.setU32(FW_CFG.CMDLINE_ADDR, p.cmdlineAddr); this.setU32(FW_CFG.CMDLINE_SIZE, cmd.length); this.setItem(FW_CFG.CMDLINE_DATA, cmd);
    if (p.initrd && p.initrdAddr !== undefined) {
      this.setU32(FW_CFG.INITRD_ADDR, p.initrdAddr); this.setU32(FW_CFG.INITRD_SIZE, p.initrd.length); this.setItem(FW_CFG.INITRD_DATA, p.initrd);
    }
  }
}

export function u32le(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}
