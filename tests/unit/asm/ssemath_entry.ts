// Test entry: exposes asm/cpu/ssemath.ts lane by lane to tests/unit/ssemath.test.ts
// (compiled there on its own; not part of the machine module).
import {
  sxFlags, clearSxFlags, fadd, fmul, fdiv, fsqrt, fminmax, fcmp, fcomi,
  fcvtToI32, fcvtFromI32, fcvtFormat, frcp, frsqrt,
} from "../../../asm/cpu/ssemath";

export function flags(): u32 { return sxFlags; }
export function clear(): void { clearSxFlags(); }
export function add(a: u64, b: u64, neg: u32, f: u32, mx: u32): u64 { return fadd(a, b, neg != 0, f, mx); }
export function mul(a: u64, b: u64, f: u32, mx: u32): u64 { return fmul(a, b, f, mx); }
export function div(a: u64, b: u64, f: u32, mx: u32): u64 { return fdiv(a, b, f, mx); }
export function sqrt(a: u64, f: u32, mx: u32): u64 { return fsqrt(a, f, mx); }
export function minmax(a: u64, b: u64, isMax: u32, f: u32, mx: u32): u64 { return fminmax(a, b, isMax != 0, f, mx); }
export function cmp(a: u64, b: u64, p: u32, f: u32, mx: u32): u32 { return fcmp(a, b, p, f, mx) ? 1 : 0; }
export function comi(a: u64, b: u64, q: u32, f: u32, mx: u32): u32 { return fcomi(a, b, q != 0, f, mx); }
export function toI32(a: u64, t: u32, f: u32, mx: u32): u32 { return fcvtToI32(a, t != 0, f, mx); }
export function fromI32(i: i32, f: u32, mx: u32): u64 { return fcvtFromI32(i, f, mx); }
export function cvt(a: u64, from: u32, to: u32, mx: u32): u64 { return fcvtFormat(a, from, to, mx); }
export function rcp(a: u32): u32 { return frcp(a); }
export function rsqrt(a: u32): u32 { return frsqrt(a); }
