// QEMU firmware configuration device (fw_cfg), x86 I/O port flavour, as QEMU's
// docs/specs/fw_cfg.rst describes it: selector register at 0x510 (16-bit, write),
// data register at 0x511 (8-bit, read). SeaBIOS and Linux's qemu_fw_cfg find it by
// the "QEMU" signature and read the file directory (key 0x19).
//
// Not modelled: the DMA interface (0x514): FW_CFG_ID reports bit 0 only (the
// traditional interface), and SeaBIOS 1.16 then reads everything through the data
// port (its qemu_cfg_init checks the ID bit before using DMA; writes to items,
// which need DMA, are skipped by it). Writing items (selector bit 14) is ignored,
// as on QEMU >= 2.4 through the port interface. Arch-local keys (bit 15, e.g. the
// legacy E820 table 0x8003) read as empty: SeaBIOS prefers "etc/e820".
//
// Items are blobs the host writes into the fw_cfg region of linear memory
// (layout.ts FWCFG_REGION, invisible to the guest), laid out as:
//   +0x0000  item table: 0x60 entries of (u32 address, u32 length), keys 0x00-0x5f
//            (0x00-0x1f the numbered items, 0x20-0x5f the files)
//   +0x0400  the file directory blob (key 0x19): BE32 count, then 64-byte entries
//            { BE32 size, BE16 select, u16 reserved, char name[56] }
//   +0x1400  built-in items: signature, ID, RAM size, CPU counts
//   +0x2000  free for the host's blobs up to the end of the region
// The host ABI: write a blob at an address it chooses in [fwcfgDataBase(),
// fwcfgDataEnd()), then fwcfgSetItem(key, addr, len) for a numbered item
// (kernel, initrd, cmdline, setup: keys 0x07-0x18) or fwcfgAddFile(nameAddr,
// addr, len) for a named file (the NUL-terminated name is also written by the host
// in the region; it returns the file's key, 0 when the directory is full).
// web/host/fwcfg.ts wraps this.

import { slotAddr, SLOT_FWCFG } from "./slots";
import { FWCFG_REGION, FWCFG_REGION_SIZE } from "../layout";

// Item keys (fw_cfg.rst "Selector Register" and QEMU's fw_cfg_keys.h).
export const FW_CFG_SIGNATURE: u32 = 0x00;
export const FW_CFG_ID: u32 = 0x01;
export const FW_CFG_UUID: u32 = 0x02;
export const FW_CFG_RAM_SIZE: u32 = 0x03;      // u64 LE
export const FW_CFG_NOGRAPHIC: u32 = 0x04;
export const FW_CFG_NB_CPUS: u32 = 0x05;       // u16 LE
export const FW_CFG_MACHINE_ID: u32 = 0x06;
export const FW_CFG_KERNEL_ADDR: u32 = 0x07;   // u32 LE, and so on up to 0x18
export const FW_CFG_KERNEL_SIZE: u32 = 0x08;
export const FW_CFG_KERNEL_CMDLINE: u32 = 0x09;
export const FW_CFG_INITRD_ADDR: u32 = 0x0a;
export const FW_CFG_INITRD_SIZE: u32 = 0x0b;
export const FW_CFG_BOOT_DEVICE: u32 = 0x0c;
export const FW_CFG_NUMA: u32 = 0x0d;
export const FW_CFG_BOOT_MENU: u32 = 0x0e;
export const FW_CFG_MAX_CPUS: u32 = 0x0f;      // u16 LE
export const FW_CFG_KERNEL_ENTRY: u32 = 0x10;
export const FW_CFG_KERNEL_DATA: u32 = 0x11;
export const FW_CFG_INITRD_DATA: u32 = 0x12;
export const FW_CFG_CMDLINE_ADDR: u32 = 0x13;
export const FW_CFG_CMDLINE_SIZE: u32 = 0x14;
export const FW_CFG_CMDLINE_DATA: u32 = 0x15;
export const FW_CFG_SETUP_ADDR: u32 = 0x16;
export const FW_CFG_SETUP_SIZE: u32 = 0x17;
export const FW_CFG_SETUP_DATA: u32 = 0x18;
export const FW_CFG_FILE_DIR: u32 = 0x19;
export const FW_CFG_FILE_FIRST: u32 = 0x20;
const KEYS: u32 = 0x60;
const MAX_FILES: u32 = KEYS - FW_CFG_FILE_FIRST;

const ITEMS: u32 = FWCFG_REGION;
const DIR: u32 = FWCFG_REGION + 0x400;
const BUILTIN: u32 = FWCFG_REGION + 0x1400;
export const FWCFG_DATA: u32 = FWCFG_REGION + 0x2000;
const END: u32 = FWCFG_REGION + FWCFG_REGION_SIZE;

// State: device slot 0x4d: u16 selector, u32 offset into the selected item.
const FW_STATE: u32 = slotAddr(SLOT_FWCFG);
const S_SELECT: u32 = 0, S_OFFSET: u32 = 4;

export function fwcfgDataBase(): u32 { return FWCFG_DATA; }
export function fwcfgDataEnd(): u32 { return END; }

/** Power-on: empty item table and directory, built-in items for `ramBytes`. */
export function fwcfgInit(ramBytes: u32, cpus: u32): void {
  memory.fill(FWCFG_REGION, 0, FWCFG_DATA - FWCFG_REGION);
  store<u32>(BUILTIN, 0x554d4551);           // "QEMU"
  store<u32>(BUILTIN + 4, 1);                // ID: traditional interface, no DMA
  store<u64>(BUILTIN + 8, <u64>ramBytes);
  store<u16>(BUILTIN + 16, <u16>cpus);
  store<u16>(BUILTIN + 18, <u16>cpus);
  setItem(FW_CFG_SIGNATURE, BUILTIN, 4);
  setItem(FW_CFG_ID, BUILTIN + 4, 4);
  setItem(FW_CFG_RAM_SIZE, BUILTIN + 8, 8);
  setItem(FW_CFG_NB_CPUS, BUILTIN + 16, 2);
  setItem(FW_CFG_MAX_CPUS, BUILTIN + 18, 2);
  setItem(FW_CFG_FILE_DIR, DIR, 4);
  fwcfgReset();
}
export function fwcfgReset(): void {
  store<u16>(FW_STATE + S_SELECT, 0);
  store<u32>(FW_STATE + S_OFFSET, 0);
}

function setItem(key: u32, addr: u32, len: u32): void {
  store<u32>(ITEMS + key * 8, addr);
  store<u32>(ITEMS + key * 8 + 4, len);
}

@inline function inRegion(addr: u32, len: u32): bool {
  return addr >= FWCFG_DATA && addr <= END && len <= END - addr;
}

/** Host: numbered item `key` (0x02-0x18, not the signature, ID or directory)
 *  is `len` bytes at `addr` in the data area. False if refused. */
export function fwcfgSetItem(key: u32, addr: u32, len: u32): bool {
  if (key >= FW_CFG_FILE_DIR || key < FW_CFG_UUID || !inRegion(addr, len)) return false;
  setItem(key, addr, len);
  return true;
}

/** Host: add a file named by the NUL-terminated string at `nameAddr` (at most 55
 *  characters) with `len` bytes at `addr`; returns its key, or 0 if refused.
 *  A file of the same name is replaced. */
export function fwcfgAddFile(nameAddr: u32, addr: u32, len: u32): u32 {
  if (!inRegion(addr, len) || !inRegion(nameAddr, 1)) return 0;
  let n: u32 = 0;
  while (n < 56 && nameAddr + n < END && load<u8>(nameAddr + n) != 0) n++;
  if (n == 0 || n >= 56 || nameAddr + n >= END) return 0;
  let count = bswap<u32>(load<u32>(DIR));
  let slot = count;
  for (let i: u32 = 0; i < count; i++) {
    if (sameName(DIR + 4 + i * 64 + 8, nameAddr, n)) { slot = i; break; }
  }
  if (slot >= MAX_FILES) return 0;
  let key = FW_CFG_FILE_FIRST + slot;
  let e = DIR + 4 + slot * 64;
  store<u32>(e, bswap<u32>(len));
  store<u16>(e + 4, bswap<u16>(<u16>key));
  store<u16>(e + 6, 0);
  memory.fill(e + 8, 0, 56);
  memory.copy(e + 8, nameAddr, n);
  if (slot == count) {
    count++;
    store<u32>(DIR, bswap<u32>(count));
    setItem(FW_CFG_FILE_DIR, DIR, 4 + count * 64);
  }
  setItem(key, addr, len);
  return key;
}

function sameName(a: u32, b: u32, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return load<u8>(a + n) == 0;
}

/** Port 0x510 (selector) write. */
export function fwcfgSelect(v: u32): void {
  store<u16>(FW_STATE + S_SELECT, <u16>v);
  store<u32>(FW_STATE + S_OFFSET, 0);
}

/** Port 0x511 (data) read, `size` bytes from the selected item, little-endian;
 *  past the end an item reads as 0. */
export function fwcfgData(size: u32): u32 {
  let key = <u32>load<u16>(FW_STATE + S_SELECT) & 0x3fff;
  let arch = (<u32>load<u16>(FW_STATE + S_SELECT) & 0x8000) != 0;
  let off = load<u32>(FW_STATE + S_OFFSET);
  let addr: u32 = 0, len: u32 = 0;
  if (!arch && key < KEYS) { addr = load<u32>(ITEMS + key * 8); len = load<u32>(ITEMS + key * 8 + 4); }
  let v: u32 = 0;
  for (let i: u32 = 0; i < size; i++) {
    if (off < len) { v |= <u32>load<u8>(addr + off) << (i << 3); off++; }
  }
  store<u32>(FW_STATE + S_OFFSET, off);
  return v;
}
