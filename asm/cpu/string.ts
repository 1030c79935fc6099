// String instructions (SDM vol. 1 §7.3.9, vol. 2 MOVS, CMPS, STOS, LODS, SCAS, INS,
// OUTS, REP/REPE/REPNE). The source is seg:(E)SI with DS overridable, the
// destination ES:(E)DI and never overridable; the address size picks SI/DI/CX or
// ESI/EDI/ECX, and EFLAGS.DF the direction.
//
// REP: the count is tested before the first iteration. Each completed iteration
// is committed as the restart point (exec.ts commitShadow) with EIP at the
// start of the instruction, so a fault in iteration k leaves iterations 0..k-1
// done and the registers pointing at k (SDM vol. 2 REP: "a repeating string
// operation can be suspended by an exception or interrupt"). At most
// REP_BUDGET elements run per execution; then EIP stays on the instruction and
// it runs again from the next step, which lets interrupts in between. With TF
// set, one iteration per step, so that #DB follows each one (SDM vol. 3
// §17.3.1.4).
//
// Fast path: REP MOVS and REP STOS with DF = 0 move whole runs that stay within
// one page of RAM on each side (one TLB lookup per page) with memory.copy /
// memory.fill. Anything else (MMIO, ROM, page-crossing elements, DF = 1, a
// destination that starts inside the source run) takes the per-element path.

import {
  R_EAX, R_ECX, R_EDX, R_ESI, R_EDI, S_DS, S_ES, OFF_EFLAGS, OFF_SEGS, SEG_SIZE,
  SEGF_BASE, SEGF_LOR, SEGF_HIR, SEGF_LOW, SEGF_HIW, DF, TF,
  reg16, reg32, setReg16, setReg32, reg8, setReg8, getEip, setEip, getCpl,
} from "./state";
import { addrsize32, segOverride, repPrefix, instrStart } from "./decode";
import { read8, read16, read32, write8, write16, write32, checkWrite } from "./mem";
import { faultPending } from "./fault";
import { setLazy, getZF, LAZY_SUB, SZ8, SZ16, SZ32 } from "./flags";
import { commitShadow, stopReason } from "./exec";
import { ioAllowed } from "./ioperm";
import { nonRoot, vmxIo } from "./vmxexit";
import { portIn, portOut } from "../io";
import { tlbEntry, tlbReadMask, tlbWriteMask, TLB_VALID } from "../mmu/paging";
import { entryFor } from "../mmu/linear";

const REP_BUDGET: u32 = 8192;

const K_MOVS: u32 = 0;
const K_STOS: u32 = 1;
const K_LODS: u32 = 2;
const K_CMPS: u32 = 3;
const K_SCAS: u32 = 4;
const K_INS: u32 = 5;
const K_OUTS: u32 = 6;

// --- address-size dependent registers ---
@inline function amask(): u32 { return addrsize32 ? 0xffffffff : 0xffff; }
@inline function getIdx(r: u32): u32 { return addrsize32 ? reg32(r) : reg16(r); }
@inline function setIdx(r: u32, v: u32): void { if (addrsize32) setReg32(r, v); else setReg16(r, v); }
@inline function srcSeg(): i32 { return segOverride >= 0 ? segOverride : S_DS; }
@inline function dfStep(size: u32): u32 { return (load<u32>(OFF_EFLAGS) & DF) ? 0 - size : size; }

@inline function readN(seg: i32, off: u32, size: u32): u32 {
  return size == 1 ? read8(seg, off) : size == 2 ? read16(seg, off) : read32(seg, off);
}
@inline function writeN(seg: i32, off: u32, v: u32, size: u32): void {
  if (size == 1) write8(seg, off, v); else if (size == 2) write16(seg, off, v); else write32(seg, off, v);
}
@inline function acc(size: u32): u32 { return size == 1 ? reg8(0) : size == 2 ? reg16(R_EAX) : reg32(R_EAX); }
@inline function setAcc(size: u32, v: u32): void {
  if (size == 1) setReg8(0, v); else if (size == 2) setReg16(R_EAX, v); else setReg32(R_EAX, v);
}
@inline function cmpFlags(size: u32, a: u32, b: u32): void {
  let sz = size == 1 ? SZ8 : size == 2 ? SZ16 : SZ32;
  let m: u32 = size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffff;
  setLazy(LAZY_SUB, sz, a, b, (a - b) & m);
}

/** One iteration of the string operation `kind` (the I/O permission check is
 *  the caller's). Raises the fault and leaves the registers alone on failure. */
function one(kind: u32, size: u32): void {
  let step = dfStep(size);
  switch (kind) {
    case K_MOVS: {
      let si = getIdx(R_ESI), di = getIdx(R_EDI);
      let v = readN(srcSeg(), si, size);
      if (faultPending) return;
      writeN(S_ES, di, v, size);
      if (faultPending) return;
      setIdx(R_ESI, si + step); setIdx(R_EDI, di + step);
      return;
    }
    case K_STOS: {
      let di = getIdx(R_EDI);
      writeN(S_ES, di, acc(size), size);
      if (faultPending) return;
      setIdx(R_EDI, di + step);
      return;
    }
    case K_LODS: {
      let si = getIdx(R_ESI);
      let v = readN(srcSeg(), si, size);
      if (faultPending) return;
      setAcc(size, v);
      setIdx(R_ESI, si + step);
      return;
    }
    case K_CMPS: {
      // SDM vol. 2 CMPS: flags of (source) - (destination). Which of the two
      // reads faults first when both would is not architectural; the
      // destination (ES:EDI) is read first, as qemu does, so that the
      // differential fuzzer (tools/fuzz/run.ts) sees the same CR2.
      let si = getIdx(R_ESI), di = getIdx(R_EDI);
      let b = readN(S_ES, di, size);
      if (faultPending) return;
      let a = readN(srcSeg(), si, size);
      if (faultPending) return;
      cmpFlags(size, a, b);
      setIdx(R_ESI, si + step); setIdx(R_EDI, di + step);
      return;
    }
    case K_SCAS: {
      let di = getIdx(R_EDI);
      let b = readN(S_ES, di, size);
      if (faultPending) return;
      cmpFlags(size, acc(size), b);
      setIdx(R_EDI, di + step);
      return;
    }
    case K_INS: {
      // The destination is checked (segment and page) before the port is read,
      // so a faulting INS does not consume device data.
      let di = getIdx(R_EDI);
      if (!checkWrite(S_ES, di, size)) return;
      let lin = linearOf(S_ES, di);
      let user = getCpl() == 3;
      if (entryFor(lin, true, user) == 0) return;
      if ((lin & 0xfff) + size > 4096 && entryFor(lin + size - 1, true, user) == 0) return;
      let v = portIn(reg16(R_EDX), size);
      writeN(S_ES, di, v, size);
      if (faultPending) return;
      setIdx(R_EDI, di + step);
      return;
    }
    default: { // K_OUTS
      let si = getIdx(R_ESI);
      let v = readN(srcSeg(), si, size);
      if (faultPending) return;
      portOut(reg16(R_EDX), size, v);
      setIdx(R_ESI, si + step);
      return;
    }
  }
}

@inline function linearOf(seg: i32, off: u32): u32 { return load<u32>(OFF_SEGS + <u32>seg * SEG_SIZE + SEGF_BASE) + off; }

/** How many whole elements from offset `off` stay inside the segment's valid
 *  range [lo, hi] and below the address-size wrap; 0 if `off` is outside. */
@inline function roomInSegment(seg: i32, off: u32, write: bool, size: u32): u32 {
  let p = OFF_SEGS + <u32>seg * SEG_SIZE;
  let lo = load<u32>(p + (write ? SEGF_LOW : SEGF_LOR));
  let hi = load<u32>(p + (write ? SEGF_HIW : SEGF_HIR));
  let m = amask();
  if (m < hi) hi = m;
  if (off < lo || off > hi) return 0;
  return <u32>((<u64>hi - <u64>off + 1) / <u64>size);
}

/** Bulk REP MOVS, DF = 0: returns the number of elements moved (0 = take the
 *  per-element path for the next one). */
function movsBulk(size: u32, max: u32): u32 {
  if (load<u32>(OFF_EFLAGS) & DF) return 0;
  let sseg = srcSeg();
  let si = getIdx(R_ESI), di = getIdx(R_EDI);
  let slin = linearOf(sseg, si), dlin = linearOf(S_ES, di);
  let n = max;
  let r: u32 = (<u32>4096 - (slin & 0xfff)) / size; if (r < n) n = r;
  r = (<u32>4096 - (dlin & 0xfff)) / size; if (r < n) n = r;
  r = roomInSegment(sseg, si, false, size); if (r < n) n = r;
  r = roomInSegment(S_ES, di, true, size); if (r < n) n = r;
  if (n == 0) return 0;
  let es = tlbEntry(slin);
  if ((es & tlbReadMask) != TLB_VALID) return 0;
  let ed = tlbEntry(dlin);
  if ((ed & tlbWriteMask) != TLB_VALID) return 0;
  let hs = (es & ~0xfff) + slin, hd = (ed & ~0xfff) + dlin;
  let bytes = n * size;
  // An element-by-element forward copy equals memmove unless the destination
  // starts inside the source run; then copy only up to the distance between them.
  if (hd > hs && hd - hs < bytes) {
    n = (hd - hs) / size;
    if (n == 0) return 0;
    bytes = n * size;
  }
  memory.copy(hd, hs, bytes);
  setIdx(R_ESI, si + bytes); setIdx(R_EDI, di + bytes);
  return n;
}

/** Bulk REP STOS, DF = 0 (see movsBulk). */
function stosBulk(size: u32, max: u32): u32 {
  if (load<u32>(OFF_EFLAGS) & DF) return 0;
  let di = getIdx(R_EDI);
  let dlin = linearOf(S_ES, di);
  let n = max;
  let r: u32 = (<u32>4096 - (dlin & 0xfff)) / size; if (r < n) n = r;
  r = roomInSegment(S_ES, di, true, size); if (r < n) n = r;
  if (n == 0) return 0;
  let ed = tlbEntry(dlin);
  if ((ed & tlbWriteMask) != TLB_VALID) return 0;
  let hd = (ed & ~0xfff) + dlin;
  let v = acc(size);
  let bytes = n * size;
  if (size == 1) memory.fill(hd, <u8>v, bytes);
  else if (size == 2) {
    if ((v & 0xff) == (v >> 8)) memory.fill(hd, <u8>v, bytes);
    else for (let i: u32 = 0; i < bytes; i += 2) store<u16>(hd + i, <u16>v);
  } else {
    if (v == (v & 0xff) * 0x01010101) memory.fill(hd, <u8>v, bytes);
    else for (let i: u32 = 0; i < bytes; i += 4) store<u32>(hd + i, v);
  }
  setIdx(R_EDI, di + bytes);
  return n;
}

/** INS/OUTS may go on: the I/O permission, then (in VMX non-root) no VM exit. */
function strIoOk(kind: u32, size: u32): bool {
  let p = reg16(R_EDX);
  return ioAllowed(p, size) && !(nonRoot() && vmxIo(p, size, kind == K_INS, true, repPrefix != 0, false));
}

/** A string instruction of `kind` (K_*) and element `size`, with the decoded
 *  prefixes (REP, addressing, segment); exec.ts stringInBlock calls it for
 *  translated blocks. */
export function stringOp(kind: u32, size: u32): void {
  if (repPrefix == 0) {
    if (kind >= K_INS && !strIoOk(kind, size)) return;
    one(kind, size);
    return;
  }
  let cnt = addrsize32 ? reg32(R_ECX) : reg16(R_ECX);
  if (cnt == 0) return;
  // The port does not change during the instruction: one permission check.
  if (kind >= K_INS && !strIoOk(kind, size)) return;
  let next = getEip();
  setEip(instrStart);
  let budget: u32 = (load<u32>(OFF_EFLAGS) & TF) ? 1 : REP_BUDGET;
  let cond = kind == K_CMPS || kind == K_SCAS;
  let whileZF = repPrefix == 0xf3;
  for (;;) {
    let max = cnt < budget ? cnt : budget;
    let n: u32 = 0;
    if (kind == K_MOVS) n = movsBulk(size, max);
    else if (kind == K_STOS) n = stosBulk(size, max);
    if (n == 0) {
      one(kind, size);
      if (faultPending) return;
      n = 1;
    }
    cnt -= n;
    if (addrsize32) setReg32(R_ECX, cnt); else setReg16(R_ECX, cnt);
    if (cnt == 0) break;
    // REPE stops when ZF = 0, REPNE when ZF = 1 (SDM vol. 2 REP, table 4-18).
    if (cond && getZF() != whileZF) break;
    commitShadow();
    if (n >= budget || stopReason != 0) return; // EIP stays here: runs again
    budget -= n;
  }
  setEip(next);
}

export function movsb(): void { stringOp(K_MOVS, 1); }
export function movs16(): void { stringOp(K_MOVS, 2); }
export function movs32(): void { stringOp(K_MOVS, 4); }
export function stosb(): void { stringOp(K_STOS, 1); }
export function stos16(): void { stringOp(K_STOS, 2); }
export function stos32(): void { stringOp(K_STOS, 4); }
export function lodsb(): void { stringOp(K_LODS, 1); }
export function lods16(): void { stringOp(K_LODS, 2); }
export function lods32(): void { stringOp(K_LODS, 4); }
export function cmpsb(): void { stringOp(K_CMPS, 1); }
export function cmps16(): void { stringOp(K_CMPS, 2); }
export function cmps32(): void { stringOp(K_CMPS, 4); }
export function scasb(): void { stringOp(K_SCAS, 1); }
export function scas16(): void { stringOp(K_SCAS, 2); }
export function scas32(): void { stringOp(K_SCAS, 4); }
export function insb(): void { stringOp(K_INS, 1); }
export function ins16(): void { stringOp(K_INS, 2); }
export function ins32(): void { stringOp(K_INS, 4); }
export function outsb(): void { stringOp(K_OUTS, 1); }
export function outs16(): void { stringOp(K_OUTS, 2); }
export function outs32(): void { stringOp(K_OUTS, 4); }
