// Shifts and rotates (SDM vol. 2 SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD).
// The count comes in `imm` (the opcode map puts 1, CL or the immediate there) and
// is masked to 5 bits. A masked count of 0 changes no flag; the operand is still
// read and written back, as the hardware's read-modify-write cycle does.
// Flags: CF is the last bit shifted out; OF is defined only for a count of 1 -
// for larger counts we compute it as QEMU does (MSB of the result XOR the MSB
// of the value one step before), so that differential runs agree. Shifts set SF
// ZF PF from the result and clear AF (undefined); rotates touch only CF and OF.
// CF for SHL/SHR with a count >= the operand width is undefined; here it is what
// shifting the zero-extended value gives (0), again QEMU's answer.

import { CF, OF, AF } from "./state";
import { setLazyResultEager, setArithFlags, getCF, SZ8, SZ16, SZ32 } from "./flags";
import { imm, readE8, readE16, readE32, writeE8, writeE16, writeE32, readG16, readG32 } from "./decode";
import { faultPending } from "./fault";

@inline function widthOf(sz: u32): u32 { return sz == SZ32 ? 32 : sz == SZ16 ? 16 : 8; }
@inline function maskOf(sz: u32): u32 { return sz == SZ32 ? 0xffffffff : sz == SZ16 ? 0xffff : 0xff; }

/** Flags ovf a shift: tmp is the value shifted by count-1, res the result. */
@inline function shiftFlags(sz: u32, res: u32, cf: u32, tmp: u32): void {
  let top = widthOf(sz) - 1;
  let ovf = ((res ^ tmp) >>> top) & 1;
  setLazyResultEager(sz, res, CF | OF | AF, (cf ? CF : 0) | (ovf ? OF : 0));
}

// Operation numbers are ModRM.reg ovf the C0/C1/D0-D3 groups.
const ROL: u32 = 0, ROR: u32 = 1, RCL: u32 = 2, RCR: u32 = 3, SHL: u32 = 4, SHR: u32 = 5, SAR: u32 = 7;

/** One shift or rotate ovf `v` (already masked to the operand size) by `count`
 *  (masked to 5 bits, non-zero); sets the flags and returns the result. */
function shiftOp(op: u32, sz: u32, v: u32, count: u32): u32 {
  let w = widthOf(sz), m = maskOf(sz), top = w - 1;
  switch (op) {
    case SHL: {
      let tmp = v << (count - 1);
      let res = (tmp << 1) & m;
      shiftFlags(sz, res, (tmp >>> top) & 1, tmp & m);
      return res;
    }
    case SHR: {
      let tmp = v >>> (count - 1);
      let res = tmp >>> 1;
      shiftFlags(sz, res, tmp & 1, tmp);
      return res;
    }
    case SAR: {
      let sv: i32 = sz == SZ32 ? <i32>v : sz == SZ16 ? <i32><i16>v : <i32><i8>v;
      let tmp = sv >> (count - 1);
      let res = <u32>(tmp >> 1) & m;
      shiftFlags(sz, res, <u32>tmp & 1, <u32>tmp & m);
      return res;
    }
    case ROL: case ROR: {
      // SDM ROL/ROR: the rotation is by count MOD width, but the flags are
      // updated for any non-zero masked count.
      let n = count & top;
      let res = op == ROL
        ? ((v << n) | (v >>> ((w - n) & top))) & m
        : ((v >>> n) | (v << ((w - n) & top))) & m;
      if (n == 0) res = v;
      let cf: u32, ovf: u32;
      if (op == ROL) { cf = res & 1; ovf = ((res >>> top) ^ res) & 1; }
      else { cf = (res >>> top) & 1; ovf = ((res >>> top) ^ (res >>> (top - 1))) & 1; }
      setArithFlags(CF | OF, (cf ? CF : 0) | (ovf ? OF : 0));
      return res;
    }
    default: { // RCL, RCR: rotate the (width+1)-bit value CF:v; SDM: count MOD 9 / 17.
      let n = sz == SZ32 ? count : count % (w + 1);
      if (n == 0) return v;
      let wide = (<u64>(getCF() ? 1 : 0) << <u64>w) | <u64>v;
      let wm: u64 = (<u64>1 << <u64>(w + 1)) - 1;
      let r: u64 = op == RCL
        ? ((wide << <u64>n) | (wide >> <u64>(w + 1 - n))) & wm
        : ((wide >> <u64>n) | (wide << <u64>(w + 1 - n))) & wm;
      let res = <u32>r & m;
      let cf = <u32>(r >> <u64>w) & 1;
      let ovf = ((v ^ res) >>> top) & 1;
      setArithFlags(CF | OF, (cf ? CF : 0) | (ovf ? OF : 0));
      return res;
    }
  }
}

@inline function grp8(op: u32): void {
  let v = readE8(); if (faultPending) return;
  let c = imm & 31;
  writeE8(c == 0 ? v : shiftOp(op, SZ8, v, c));
}
@inline function grp16(op: u32): void {
  let v = readE16(); if (faultPending) return;
  let c = imm & 31;
  writeE16(c == 0 ? v : shiftOp(op, SZ16, v, c));
}
@inline function grp32(op: u32): void {
  let v = readE32(); if (faultPending) return;
  let c = imm & 31;
  writeE32(c == 0 ? v : shiftOp(op, SZ32, v, c));
}

export function rol_Eb(): void { grp8(ROL); }
export function ror_Eb(): void { grp8(ROR); }
export function rcl_Eb(): void { grp8(RCL); }
export function rcr_Eb(): void { grp8(RCR); }
export function shl_Eb(): void { grp8(SHL); }
export function shr_Eb(): void { grp8(SHR); }
export function sar_Eb(): void { grp8(SAR); }
export function rol_Ev16(): void { grp16(ROL); }
export function ror_Ev16(): void { grp16(ROR); }
export function rcl_Ev16(): void { grp16(RCL); }
export function rcr_Ev16(): void { grp16(RCR); }
export function shl_Ev16(): void { grp16(SHL); }
export function shr_Ev16(): void { grp16(SHR); }
export function sar_Ev16(): void { grp16(SAR); }
export function rol_Ev32(): void { grp32(ROL); }
export function ror_Ev32(): void { grp32(ROR); }
export function rcl_Ev32(): void { grp32(RCL); }
export function rcr_Ev32(): void { grp32(RCR); }
export function shl_Ev32(): void { grp32(SHL); }
export function shr_Ev32(): void { grp32(SHR); }
export function sar_Ev32(): void { grp32(SAR); }

// SHLD/SHRD (SDM vol. 2): the destination is shifted with bits of the source
// filling in. A 16-bit count above 16 is undefined; we shift the 48-bit value
// dest:src:dest (Intel's observed behaviour, also QEMU's). OF for a count above
// 1 is undefined: QEMU computes it from the value shifted by count - 1 without
// the bits that wrap in - SHRD's from the destination alone (32-bit) or from
// src:dest (16-bit), zeros shifted in above - and so do we; for SHLD the top
// bit is the same either way. CF does not depend on it.

export function shld_Ev_Gv16(): void {
  let d = readE16(); if (faultPending) return;
  let c = imm & 31;
  if (c == 0) { writeE16(d); return; }
  let v = (<u64>d << 32) | (<u64>readG16() << 16) | <u64>d;
  let tmp = <u32>((v << <u64>(c - 1)) >> 32) & 0xffff;
  let res = <u32>((v << <u64>c) >> 32) & 0xffff;
  shiftFlags(SZ16, res, (tmp >>> 15) & 1, tmp);
  writeE16(res);
}
export function shld_Ev_Gv32(): void {
  let d = readE32(); if (faultPending) return;
  let c = imm & 31;
  if (c == 0) { writeE32(d); return; }
  let v = (<u64>d << 32) | <u64>readG32();
  let tmp = <u32>((v << <u64>(c - 1)) >> 32);
  let res = <u32>((v << <u64>c) >> 32);
  shiftFlags(SZ32, res, tmp >>> 31, tmp);
  writeE32(res);
}
export function shrd_Ev_Gv16(): void {
  let d = readE16(); if (faultPending) return;
  let c = imm & 31;
  if (c == 0) { writeE16(d); return; }
  let s = readG16();
  let v = (<u64>d << 32) | (<u64>s << 16) | <u64>d;
  let tmp = (((s << 16) | d) >>> (c - 1)) & 0xffff; // QEMU's: zeros above src:dest
  let res = <u32>(v >> <u64>c) & 0xffff;
  shiftFlags(SZ16, res, tmp & 1, tmp);
  writeE16(res);
}
export function shrd_Ev_Gv32(): void {
  let d = readE32(); if (faultPending) return;
  let c = imm & 31;
  if (c == 0) { writeE32(d); return; }
  let v = (<u64>readG32() << 32) | <u64>d;
  let tmp = d >>> (c - 1); // QEMU's: the destination alone
  let res = <u32>(v >> <u64>c);
  shiftFlags(SZ32, res, tmp & 1, tmp);
  writeE32(res);
}
