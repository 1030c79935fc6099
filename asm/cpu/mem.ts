// Segmented memory access: segment limit and rights checks (SDM vol. 3 §5.3), then
// the linear access. Each segment register carries its precomputed valid offset
// ranges for reads and writes (state.ts SEGF_LO/HIR/HIW), so a check is two
// compares whatever the segment's type, expand direction or null-ness.

import { OFF_SEGS, SEG_SIZE, SEGF_BASE, SEGF_LOR, SEGF_HIR, SEGF_LOW, SEGF_HIW, S_SS, R_ESP, reg32, setReg32, segAttr, ATTR_DB } from "./state";
import { readLin8, readLin16, readLin32, writeLin8, writeLin16, writeLin32 } from "../mmu/linear";
import { raiseGP, raiseSS } from "./fault";

/** #SS(0) for the stack segment, #GP(0) otherwise (SDM vol. 3 §6.15, int 12/13). */
export function segFault(seg: i32): void {
  if (seg == S_SS) raiseSS(0); else raiseGP(0);
}

// An access that runs past offset FFFFFFFFH of a segment whose every offset is
// valid (a flat 4 GiB segment) wraps to offset 0 instead of faulting: the SDM
// leaves that case to the implementation (vol. 3 §5.3, "may or may not cause
// the indicated exceptions"), and qemu wraps. The test comes after the usual
// one, so it costs nothing on accesses that pass.
@inline function okRead(seg: i32, off: u32, size: u32): bool {
  let p = OFF_SEGS + <u32>seg * SEG_SIZE;
  let lo = load<u32>(p + SEGF_LOR), hi = load<u32>(p + SEGF_HIR);
  return (off >= lo && <u64>off + <u64>(size - 1) <= <u64>hi) || (lo == 0 && hi == 0xffffffff);
}
@inline function okWrite(seg: i32, off: u32, size: u32): bool {
  let p = OFF_SEGS + <u32>seg * SEG_SIZE;
  let lo = load<u32>(p + SEGF_LOW), hi = load<u32>(p + SEGF_HIW);
  return (off >= lo && <u64>off + <u64>(size - 1) <= <u64>hi) || (lo == 0 && hi == 0xffffffff);
}
@inline export function linear(seg: i32, off: u32): u32 { return load<u32>(OFF_SEGS + <u32>seg * SEG_SIZE + SEGF_BASE) + off; }

@inline export function read8(seg: i32, off: u32): u32 {
  if (!okRead(seg, off, 1)) { segFault(seg); return 0; }
  return readLin8(linear(seg, off));
}
@inline export function read16(seg: i32, off: u32): u32 {
  if (!okRead(seg, off, 2)) { segFault(seg); return 0; }
  return readLin16(linear(seg, off));
}
@inline export function read32(seg: i32, off: u32): u32 {
  if (!okRead(seg, off, 4)) { segFault(seg); return 0; }
  return readLin32(linear(seg, off));
}
@inline export function write8(seg: i32, off: u32, v: u32): void {
  if (!okWrite(seg, off, 1)) { segFault(seg); return; }
  writeLin8(linear(seg, off), v);
}
@inline export function write16(seg: i32, off: u32, v: u32): void {
  if (!okWrite(seg, off, 2)) { segFault(seg); return; }
  writeLin16(linear(seg, off), v);
}
@inline export function write32(seg: i32, off: u32, v: u32): void {
  if (!okWrite(seg, off, 4)) { segFault(seg); return; }
  writeLin32(linear(seg, off), v);
}

/** Check that [off, off+size) is writable in `seg` without writing (for
 *  instructions that must not fault half-way, e.g. PUSHA, ENTER, far CALL). */
export function checkWrite(seg: i32, off: u32, size: u32): bool {
  if (!okWrite(seg, off, size)) { segFault(seg); return false; }
  return true;
}
export function checkRead(seg: i32, off: u32, size: u32): bool {
  if (!okRead(seg, off, size)) { segFault(seg); return false; }
  return true;
}

// --- the stack (SS.B selects ESP or SP; SDM vol. 1 §6.2.3) ---
@inline export function stack32(): bool { return (segAttr(S_SS) & ATTR_DB) != 0; }
@inline export function getSP(): u32 { return stack32() ? reg32(R_ESP) : reg32(R_ESP) & 0xffff; }
/** Set the stack pointer, keeping ESP's upper half for a 16-bit stack. */
@inline export function setSP(v: u32): void {
  if (stack32()) setReg32(R_ESP, v);
  else setReg32(R_ESP, (reg32(R_ESP) & 0xffff0000) | (v & 0xffff));
}
@inline function spMask(): u32 { return stack32() ? 0xffffffff : 0xffff; }

export function push16(v: u32): void {
  let sp = (getSP() - 2) & spMask();
  write16(S_SS, sp, v);
  setSP(sp);
}
@inline export function push32(v: u32): void {
  let sp = (getSP() - 4) & spMask();
  write32(S_SS, sp, v);
  setSP(sp);
}
/** Pops leave ESP unchanged if the read faults: the caller restores anyway,
 *  but instructions that pop into a segment register rely on the order. */
export function pop16(): u32 {
  let sp = getSP();
  let v = read16(S_SS, sp);
  setSP(sp + 2);
  return v;
}
@inline export function pop32(): u32 {
  let sp = getSP();
  let v = read32(S_SS, sp);
  setSP(sp + 4);
  return v;
}
/** Read the stack at SP + `delta` without popping. */
export function peek16(delta: u32): u32 { return read16(S_SS, (getSP() + delta) & spMask()); }
export function peek32(delta: u32): u32 { return read32(S_SS, (getSP() + delta) & spMask()); }
