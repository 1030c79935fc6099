// The physical address space: one u32 per 4 KiB page (layout.ts PHYS_MAP) saying
// where the page lives. RAM and ROM pages point at host memory; MMIO pages name
// a device; anything else is open bus (reads all ones, writes ignored).
//
// Entry: bits 31..12 host address of the page (RAM/ROM), low bits:
export const PM_HOST: u32 = 1 << 0;  // backed by host memory (RAM or ROM)
export const PM_ROM: u32 = 1 << 1;   // writes are ignored
export const PM_MMIO: u32 = 1 << 2;  // device; bits 11..4 = device id
export const PM_DEV_SHIFT: u32 = 4;
export const PM_CODE: u32 = 1 << 3;  // RAM holding translated code (cpu/jit.ts): writes must drop it
export const PM_WATCH: u32 = 1 << 4; // host page whose next write is logged (mmu/dirty.ts); host entries only

import { PHYS_MAP, RAM_BASE } from "../layout";
import { OFF_A20 } from "../cpu/state";
import { jitCodeWritten } from "../cpu/jit";
import { dirtyHostMark } from "./dirty";

export let ramSize: u32 = 0;
export let a20Mask: u32 = 0xffffffff;

// MMIO dispatch, installed by machine.ts (the MMU does not know devices).
export type MmioRead = (dev: u32, addr: u32, size: u32) => u32;
export type MmioWrite = (dev: u32, addr: u32, size: u32, value: u32) => void;
function openBusRead(dev: u32, addr: u32, size: u32): u32 { return 0xffffffff; }
function openBusWrite(dev: u32, addr: u32, size: u32, value: u32): void {}
export let mmioRead: MmioRead = openBusRead;
export let mmioWrite: MmioWrite = openBusWrite;
/** A debugger's read of one byte of device memory: the byte, or -1 where the
 *  device cannot be read without side effects (the copy stops there). */
export type MmioPeek = (dev: u32, addr: u32) => i32;
function openBusPeek(dev: u32, addr: u32): i32 { return -1; }
export let mmioPeek: MmioPeek = openBusPeek;
// Whether a device was reached since the last mmioSeenTake (cpu/jit.ts: an
// instruction a block left to the interpreter that touched MMIO).
let mmioSeen: bool = false;
@inline export function noteMmio(): void { mmioSeen = true; }
export function mmioSeenTake(): bool { let s = mmioSeen; mmioSeen = false; return s; }
export function setMmioHandlers(r: MmioRead, w: MmioWrite, peek: MmioPeek): void { mmioRead = r; mmioWrite = w; mmioPeek = peek; }

@inline export function physEntry(phys: u32): u32 { return load<u32>(PHYS_MAP + ((phys >>> 12) << 2)); }
export function setPhysEntry(page: u32, e: u32): void { store<u32>(PHYS_MAP + (page << 2), e); }

/** Map [phys, phys+size) to host memory at `host` (page aligned). */
export function mapHost(phys: u32, size: u32, host: u32, rom: bool): void {
  for (let off: u32 = 0; off < size; off += 4096) {
    setPhysEntry((phys + off) >>> 12, ((host + off) & ~0xfff) | PM_HOST | (rom ? PM_ROM : 0));
  }
}
export function mapMmio(phys: u32, size: u32, dev: u32): void {
  for (let off: u32 = 0; off < size; off += 4096) {
    setPhysEntry((phys + off) >>> 12, PM_MMIO | (dev << PM_DEV_SHIFT));
  }
}
export function unmap(phys: u32, size: u32): void {
  for (let off: u32 = 0; off < size; off += 4096) setPhysEntry((phys + off) >>> 12, 0);
}

export function initPhys(bytes: u32): void {
  ramSize = bytes;
  memory.fill(PHYS_MAP, 0, 0x100000 * 4);
  mapHost(0, bytes, RAM_BASE, false);
}

export function setA20(enabled: bool): void {
  a20Mask = enabled ? 0xffffffff : 0xffefffff;
  store<u32>(OFF_A20, enabled ? 1 : 0);
}

// Physical accesses (page walks, DMA, the host). Not on the per-instruction path.
export function physRead8(addr: u32): u32 {
  addr &= a20Mask;
  let e = physEntry(addr);
  if (e & PM_HOST) return <u32>load<u8>((e & ~0xfff) | (addr & 0xfff));
  if (e & PM_MMIO) return mmioRead((e >> PM_DEV_SHIFT) & 0xff, addr, 1) & 0xff;
  return 0xff;
}
export function physRead32(addr: u32): u32 {
  addr &= a20Mask;
  if ((addr & 0xfff) > 0xffc) {
    return physRead8(addr) | (physRead8(addr + 1) << 8) | (physRead8(addr + 2) << 16) | (physRead8(addr + 3) << 24);
  }
  let e = physEntry(addr);
  if (e & PM_HOST) return load<u32>((e & ~0xfff) | (addr & 0xfff));
  if (e & PM_MMIO) return mmioRead((e >> PM_DEV_SHIFT) & 0xff, addr, 4);
  return 0xffffffff;
}
export function physWrite8(addr: u32, v: u32): void {
  addr &= a20Mask;
  let e = physEntry(addr);
  if (e & PM_CODE) { jitCodeWritten(addr >>> 12); e = physEntry(addr); }
  if (e & PM_WATCH) dirtyHostMark(e & ~0xfff);
  if ((e & (PM_HOST | PM_ROM)) == PM_HOST) store<u8>((e & ~0xfff) | (addr & 0xfff), <u8>v);
  else if (e & PM_MMIO) mmioWrite((e >> PM_DEV_SHIFT) & 0xff, addr, 1, v & 0xff);
}
export function physWrite32(addr: u32, v: u32): void {
  addr &= a20Mask;
  if ((addr & 0xfff) > 0xffc) {
    physWrite8(addr, v); physWrite8(addr + 1, v >> 8); physWrite8(addr + 2, v >> 16); physWrite8(addr + 3, v >> 24);
    return;
  }
  let e = physEntry(addr);
  if (e & PM_CODE) { jitCodeWritten(addr >>> 12); e = physEntry(addr); }
  if (e & PM_WATCH) dirtyHostMark(e & ~0xfff);
  if ((e & (PM_HOST | PM_ROM)) == PM_HOST) store<u32>((e & ~0xfff) | (addr & 0xfff), v);
  else if (e & PM_MMIO) mmioWrite((e >> PM_DEV_SHIFT) & 0xff, addr, 4, v);
}
