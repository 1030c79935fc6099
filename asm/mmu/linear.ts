// Linear-address reads and writes: TLB fast path (one load, one compare), and the
// slow path for misses, page-crossing accesses, MMIO, ROM and clean pages.
// A page-crossing write checks both pages before writing either byte, so a
// write that faults on its second page leaves memory unchanged.

import { tlbEntry, tlbFill, tlbReadMask, tlbWriteMask, tlbFlushPage, TLB_VALID, TLB_SLOW, TLB_ROM, TLB_NOBUS } from "./paging";
import { dirtyHostWrite } from "./dirty";
import { mmioRead, mmioWrite, physEntry, PM_MMIO, PM_DEV_SHIFT } from "./phys";
import { jitCheckWrite } from "../cpu/jit";
import { faultPending } from "../cpu/fault";
import { getCpl } from "../cpu/state";
import { dataBpEnabled, dataBpCheck } from "../cpu/debug";

// Data breakpoints (cpu/debug.ts): pages holding a watched address are never
// cached in the TLB while one is enabled, so their accesses all come here. A hit
// recorded by an access that then faults is dropped when exec.ts unwinds.

@inline export function readLin8(lin: u32): u32 {
  let e = tlbEntry(lin);
  if ((e & tlbReadMask) == TLB_VALID) return <u32>load<u8>((e & ~0xfff) + lin);
  return readSlow(lin, 1, getCpl() == 3);
}
@inline export function readLin16(lin: u32): u32 {
  let e = tlbEntry(lin);
  if ((e & tlbReadMask) == TLB_VALID && (lin & 0xfff) != 0xfff) return <u32>load<u16>((e & ~0xfff) + lin);
  return readSlow(lin, 2, getCpl() == 3);
}
@inline export function readLin32(lin: u32): u32 {
  let e = tlbEntry(lin);
  if ((e & tlbReadMask) == TLB_VALID && (lin & 0xfff) <= 0xffc) return load<u32>((e & ~0xfff) + lin);
  return readSlow(lin, 4, getCpl() == 3);
}
@inline export function writeLin8(lin: u32, v: u32): void {
  let e = tlbEntry(lin);
  if ((e & tlbWriteMask) == TLB_VALID && !faultPending) { store<u8>((e & ~0xfff) + lin, <u8>v); return; }
  writeSlow(lin, 1, v, getCpl() == 3);
}
@inline export function writeLin16(lin: u32, v: u32): void {
  let e = tlbEntry(lin);
  if ((e & tlbWriteMask) == TLB_VALID && (lin & 0xfff) != 0xfff && !faultPending) { store<u16>((e & ~0xfff) + lin, <u16>v); return; }
  writeSlow(lin, 2, v, getCpl() == 3);
}
@inline export function writeLin32(lin: u32, v: u32): void {
  let e = tlbEntry(lin);
  if ((e & tlbWriteMask) == TLB_VALID && (lin & 0xfff) <= 0xffc && !faultPending) { store<u32>((e & ~0xfff) + lin, v); return; }
  writeSlow(lin, 4, v, getCpl() == 3);
}

// Supervisor-privilege accesses (descriptor tables, TSS, IDT): SDM vol. 3 §4.6
// "implicit supervisor-mode accesses" are checked as CPL 0 whatever the CPL.
export function readSys8(lin: u32): u32 { return readSlow(lin, 1, false); }
export function readSys16(lin: u32): u32 { return readSlow(lin, 2, false); }
export function readSys32(lin: u32): u32 { return readSlow(lin, 4, false); }
export function writeSys8(lin: u32, v: u32): void { writeSlow(lin, 1, v, false); }
export function writeSys16(lin: u32, v: u32): void { writeSlow(lin, 2, v, false); }
export function writeSys32(lin: u32, v: u32): void { writeSlow(lin, 4, v, false); }

/** Translate `lin` for a read by `user`, returning the TLB entry or 0 after a #PF. */
export function entryFor(lin: u32, write: bool, user: bool): u32 {
  let e = tlbEntry(lin);
  let mask = write
    ? (user ? 0b1011 : 0b0101)   // VALID|NOWRITE_USER|NOREAD_USER  /  VALID|NOWRITE_SUP
    : (user ? 0b0011 : 0b0001);  // VALID|NOREAD_USER  /  VALID
  if ((e & mask) == TLB_VALID) return e;
  return tlbFill(lin, write, user);
}

/** The physical map entry behind a TLB_SLOW entry: none above 4 GiB (open bus). */
@inline function slowEntry(e: u32, phys: u32): u32 { return (e & TLB_NOBUS) ? 0 : physEntry(phys); }

function readByteWithEntry(e: u32, lin: u32): u32 {
  if (e & TLB_SLOW) {
    let phys = (e & ~0xfff) + lin;
    let pm = slowEntry(e, phys);
    if (pm & PM_MMIO) return mmioRead((pm >> PM_DEV_SHIFT) & 0xff, phys, 1) & 0xff;
    return 0xff;
  }
  return <u32>load<u8>((e & ~0xfff) + lin);
}

export function readSlow(lin: u32, size: u32, user: bool): u32 {
  if (faultPending) return 0;
  let e = entryFor(lin, false, user);
  if (e == 0) return 0;
  if (dataBpEnabled) dataBpCheck(lin, size, false);
  let off = lin & 0xfff;
  if (off + size <= 4096) {
    if (e & TLB_SLOW) {
      let phys = (e & ~0xfff) + lin;
      let pm = slowEntry(e, phys);
      if (pm & PM_MMIO) {
        let v = mmioRead((pm >> PM_DEV_SHIFT) & 0xff, phys, size);
        return size == 4 ? v : v & ((1 << (size << 3)) - 1);
      }
      return size == 4 ? 0xffffffff : (1 << (size << 3)) - 1;
    }
    let host = (e & ~0xfff) + lin;
    return size == 1 ? <u32>load<u8>(host) : size == 2 ? <u32>load<u16>(host) : load<u32>(host);
  }
  // Crosses into the next page: translate that one too before reading anything.
  let e2 = entryFor((lin + size - 1) & ~0xfff, false, user); // CR2 names the first byte on the second page
  if (e2 == 0) return 0;
  let v: u32 = 0;
  for (let i: u32 = 0; i < size; i++) {
    let a = lin + i;
    v |= readByteWithEntry((a & 0xfff) >= off ? e : e2, a) << (i << 3);
  }
  return v;
}

function writeByteWithEntry(e: u32, lin: u32, v: u32): void {
  if (e & TLB_ROM) return;
  if (e & TLB_SLOW) {
    let phys = (e & ~0xfff) + lin;
    let pm = slowEntry(e, phys);
    if (pm & PM_MMIO) mmioWrite((pm >> PM_DEV_SHIFT) & 0xff, phys, 1, v & 0xff);
    return;
  }
  store<u8>((e & ~0xfff) + lin, <u8>v);
}

/** Before a slow-path write lands on host memory: drop translated code there
 *  (cpu/jit.ts), log a first write to clean video memory (dirty.ts) and drop the
 *  TLB entry that kept it off the fast path. */
@inline function hostWriteChecks(host: u32, lin: u32): void {
  jitCheckWrite(host);
  if (dirtyHostWrite(host)) tlbFlushPage(lin);
}

export function writeSlow(lin: u32, size: u32, v: u32, user: bool): void {
  if (faultPending) return;
  let e = entryFor(lin, true, user);
  if (e == 0) return;
  if (dataBpEnabled) dataBpCheck(lin, size, true);
  let off = lin & 0xfff;
  if (off + size <= 4096) {
    if (e & TLB_ROM) return;
    if (!(e & TLB_SLOW)) hostWriteChecks((e & ~0xfff) + lin, lin);
    if (e & TLB_SLOW) {
      let phys = (e & ~0xfff) + lin;
      let pm = slowEntry(e, phys);
      if (pm & PM_MMIO) mmioWrite((pm >> PM_DEV_SHIFT) & 0xff, phys, size, v);
      return;
    }
    let host = (e & ~0xfff) + lin;
    if (size == 1) store<u8>(host, <u8>v);
    else if (size == 2) store<u16>(host, <u16>v);
    else store<u32>(host, v);
    return;
  }
  let e2 = entryFor((lin + size - 1) & ~0xfff, true, user); // CR2 names the first byte on the second page
  if (e2 == 0) return;
  if (!(e & (TLB_SLOW | TLB_ROM))) hostWriteChecks((e & ~0xfff) + lin, lin);
  if (!(e2 & (TLB_SLOW | TLB_ROM))) hostWriteChecks((e2 & ~0xfff) + ((lin + size - 1) & ~0xfff), lin + size - 1);
  for (let i: u32 = 0; i < size; i++) {
    let a = lin + i;
    writeByteWithEntry((a & 0xfff) >= off ? e : e2, a, v >>> (i << 3));
  }
}
