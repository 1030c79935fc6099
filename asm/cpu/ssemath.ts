// IEEE-754 binary32/binary64 arithmetic under MXCSR control, for the SSE/SSE2/SSE3
// floating-point instructions (SDM vol. 1 §4.8-4.9, §10.2.3, §11.5; vol. 2 per
// instruction; tables 4-7 (NaN rules), 4-10 (masked overflow), 6-8 (priority)).
//
// One lane at a time: every function takes its operands as raw bits (an f32 in the
// low 32 bits of a u64), the format (F32 or F64) and the MXCSR value, returns the
// masked result and ORs the lane's exception flags (MXCSR bits 0-5) into sxFlags.
// The instruction (ssefp.ts) clears sxFlags, runs its lanes, then applies §11.5.3:
// an unmasked pre-computation flag (IE, DE, ZE) in any lane reports only the
// pre-computation flags; otherwise every flag is recorded and an unmasked post-
// computation flag (OE, UE, PE) is reported; either way nothing is written.
//
//   sxFlags = 0;
//   let r = fadd(a, b, false, F32, mxcsr);  // then check sxFlags against the masks
//
// Per lane (SDM vol. 3 table 6-8): SNaN operand (IE) > QNaN operand > other
// invalid operations (IE) and divide-by-zero (ZE) > denormal operand (DE) >
// overflow/underflow > inexact; a lane stopped by one of the first three sets no
// other flag. DAZ turns denormal sources into signed zeros before any of this (and
// no DE); FTZ returns a masked underflow's tiny result as a signed zero with UE and
// PE. Underflow is detected after rounding with unbounded exponent (§11.5.2.5).
//
// Exactness: the operations compute the exact result with x87math.ts's integer
// arithmetic on 64-bit significands (exactAdd/Mul/Div/Sqrt) and round once
// here (roundSSE), so every rounding mode and flag is exact. The common case
// (normal operands, a normal result away from the format's edges) takes a fast
// path on wasm f64 instead (see "fast paths" below): the round-to-nearest result
// and the sign of its error from error-free transformations, then one step in
// the directed modes; tests/unit/ssemath.test.ts checks both paths against a
// BigInt reference.

import {
  exactAdd, exactMul, exactDiv, exactSqrt, aS, aE, aM, aLo, aSticky, aZero,
  roundToIntMag, rIntOverflow, rIntInexact, RC_NEAREST, RC_DOWN, RC_UP, RC_CHOP,
} from "./x87math";

// --- MXCSR (SDM vol. 1 §10.2.3, figure 10-3) ---
export const MX_IE: u32 = 0x0001;
export const MX_DE: u32 = 0x0002;
export const MX_ZE: u32 = 0x0004;
export const MX_OE: u32 = 0x0008;
export const MX_UE: u32 = 0x0010;
export const MX_PE: u32 = 0x0020;
export const MX_DAZ: u32 = 0x0040;
export const MX_MASK_SHIFT: u32 = 7;   // mask of flag F is F << 7
export const MX_RC_SHIFT: u32 = 13;    // rounding control, bits 13-14 (table 4-8 codes)
export const MX_FTZ: u32 = 0x8000;
export const MX_PRE: u32 = MX_IE | MX_DE | MX_ZE;  // pre-computation flags
export const MX_POST: u32 = MX_OE | MX_UE | MX_PE; // post-computation flags

/** Exception flags raised by the lanes since the instruction cleared it. */
export let sxFlags: u32 = 0;
export function clearSxFlags(): void { sxFlags = 0; }

// --- formats ---
export const F32: u32 = 0;
export const F64: u32 = 1;

@inline function fracBits(f: u32): u64 { return f == F32 ? 23 : 52; }
@inline function expMax(f: u32): u64 { return f == F32 ? 0xff : 0x7ff; }
@inline function bias(f: u32): i32 { return f == F32 ? 127 : 1023; }
@inline function precision(f: u32): u64 { return f == F32 ? 24 : 53; }
@inline function signShift(f: u32): u64 { return f == F32 ? 31 : 63; }
@inline function quietBit(f: u32): u64 { return <u64>1 << (fracBits(f) - 1); }
@inline function fracMask(f: u32): u64 { return (<u64>1 << fracBits(f)) - 1; }
/** SDM vol. 1 table 4-3: the QNaN floating-point indefinite. */
@inline export function indefinite(f: u32): u64 { return f == F32 ? 0xffc00000 : 0xfff8000000000000; }
@inline function signOf(x: u64, f: u32): u32 { return <u32>(x >> signShift(f)) & 1; }
@inline function zeroOf(s: u32, f: u32): u64 { return <u64>s << signShift(f); }
@inline function infOf(s: u32, f: u32): u64 { return zeroOf(s, f) | (expMax(f) << fracBits(f)); }
@inline function maxFinite(s: u32, f: u32): u64 { return infOf(s, f) - 1; }
@inline function masked(mx: u32, flag: u32): bool { return ((mx >> MX_MASK_SHIFT) & flag) != 0; }
@inline function rcOf(mx: u32): u32 { return (mx >> MX_RC_SHIFT) & 3; }

// --- operand classes ---
export const K_ZERO: u32 = 0;
export const K_NORMAL: u32 = 1;
export const K_DENORM: u32 = 2;
export const K_INF: u32 = 3;
export const K_QNAN: u32 = 4;
export const K_SNAN: u32 = 5;
@inline function isNaNK(k: u32): bool { return k >= K_QNAN; }

export function classOf(x: u64, f: u32): u32 {
  let e = (x >> fracBits(f)) & expMax(f);
  let frac = x & fracMask(f);
  if (e == 0) return frac == 0 ? K_ZERO : K_DENORM;
  if (e == expMax(f)) return frac == 0 ? K_INF : (frac & quietBit(f)) != 0 ? K_QNAN : K_SNAN;
  return K_NORMAL;
}
/** The class of a source operand after DAZ (SDM vol. 1 §10.2.3.4). */
@inline function srcClass(x: u64, f: u32, mx: u32): u32 {
  let k = classOf(x, f);
  return k == K_DENORM && (mx & MX_DAZ) != 0 ? K_ZERO : k;
}
/** A source operand's bits after DAZ. */
@inline function srcBits(x: u64, f: u32, mx: u32): u64 {
  return classOf(x, f) == K_DENORM && (mx & MX_DAZ) != 0 ? zeroOf(signOf(x, f), f) : x;
}

// Unpacked finite non-zero value: (-1)^vS * vM/2^63 * 2^vE, vM normalized.
let vS: u32 = 0;
let vE: i32 = 0;
let vM: u64 = 0;
function unpackFinite(x: u64, f: u32): void {
  let fb = fracBits(f);
  vS = signOf(x, f);
  let e = <i32>((x >> fb) & expMax(f));
  let frac = x & fracMask(f);
  if (e == 0) {
    let m = frac << (63 - fb);
    let sh = clz<u64>(m);
    vM = m << sh;
    vE = 1 - bias(f) - <i32>sh;
  } else {
    vM = (frac | (<u64>1 << fb)) << (63 - fb);
    vE = e - bias(f);
  }
}

// --- rounding (SDM vol. 1 §4.8.4) ---
/** Whether to add one unit at the rounding point: `rem` discarded out of a unit
 *  whose half is `half`, `sticky` for anything below rem, `odd` the kept lsb. */
@inline function roundUp(rc: u32, s: u32, rem: u64, half: u64, sticky: bool, odd: bool): bool {
  if (rem == 0 && !sticky) return false;
  if (rc == RC_NEAREST) return rem > half || (rem == half && (sticky || odd));
  if (rc == RC_DOWN) return s != 0;
  if (rc == RC_UP) return s == 0;
  return false;
}

/**
 * Round (-1)^s * m/2^63 * 2^e (m normalized; `sticky`: a non-zero amount below
 * m's last bit) to format f under MXCSR mx. Overflow (§11.5.2.4, table 4-10) and
 * underflow (§11.5.2.5, FTZ §10.2.3.3) responses; flags into sxFlags. With an
 * unmasked OE or UE the returned value is not meant to be written.
 */
export function roundSSE(s: u32, e: i32, m: u64, sticky: bool, f: u32, mx: u32): u64 {
  let rc = rcOf(mx);
  let drop: u64 = 64 - precision(f);
  // rounding with unbounded exponent
  let rem = m & ((<u64>1 << drop) - 1);
  let kept = m >> drop;
  let inexact = rem != 0 || sticky;
  let er = e;
  if (roundUp(rc, s, rem, <u64>1 << (drop - 1), sticky, (kept & 1) != 0)) {
    kept += 1;
    if ((kept >> precision(f)) != 0) { kept >>= 1; er += 1; }
  }
  let emax = bias(f);
  let emin = 1 - bias(f);
  if (er > emax) {
    if (!masked(mx, MX_OE)) { sxFlags |= MX_OE | (inexact ? MX_PE : 0); return 0; }
    sxFlags |= MX_OE | MX_PE;
    let toInf = rc == RC_NEAREST || (rc == RC_UP && s == 0) || (rc == RC_DOWN && s != 0);
    return toInf ? infOf(s, f) : maxFinite(s, f);
  }
  if (er < emin) {
    if (!masked(mx, MX_UE)) { sxFlags |= MX_UE | (inexact ? MX_PE : 0); return 0; }
    if ((mx & MX_FTZ) != 0) { sxFlags |= MX_UE | MX_PE; return zeroOf(s, f); }
    return denormalize(s, e, m, sticky, f, rc);
  }
  if (inexact) sxFlags |= MX_PE;
  return zeroOf(s, f) | (<u64>(er + bias(f)) << fracBits(f)) | (kept & fracMask(f));
}

/** The masked underflow response: the exact value rounded to a denormal (which may
 *  round up to the smallest normal); UE and PE when that is inexact. */
function denormalize(s: u32, e: i32, m: u64, sticky: bool, f: u32, rc: u32): u64 {
  // bits dropped from m: down to the precision, plus the shift to the minimum exponent
  let sh = <u64>(1 - bias(f) - e) + (64 - precision(f));
  let q: u64 = 0;
  let rem: u64 = 0;
  let half: u64 = 1;
  let st = sticky;
  if (sh > 64) st = true; // m != 0 lies entirely below half a unit
  else if (sh == 64) { rem = m; half = <u64>1 << 63; }
  else { q = m >> sh; rem = m & ((<u64>1 << sh) - 1); half = <u64>1 << (sh - 1); }
  let inexact = rem != 0 || st;
  if (roundUp(rc, s, rem, half, st, (q & 1) != 0)) q += 1; // a carry makes the smallest normal
  if (inexact) sxFlags |= MX_UE | MX_PE;
  return zeroOf(s, f) | q;
}

@inline function roundExact(s: u32, f: u32, mx: u32): u64 {
  return roundSSE(s, aE, aM, aLo != 0 || aSticky, f, mx);
}
/** A finite non-zero source passed through unchanged in value (x + 0): still
 *  subject to FTZ when it is tiny. */
function passFinite(x: u64, s: u32, f: u32, mx: u32): u64 {
  unpackFinite(x, f);
  return roundSSE(s, vE, vM, false, f, mx);
}

// --- NaN operands (SDM vol. 1 table 4-7, SSE column) ---
@inline function quiet(x: u64, f: u32): u64 { return x | quietBit(f); }
/** Two sources, at least one a NaN: IE for an SNaN; the first source's NaN wins,
 *  quieted. */
function nan2(a: u64, ka: u32, b: u64, kb: u32, f: u32): u64 {
  if (ka == K_SNAN || kb == K_SNAN) sxFlags |= MX_IE;
  return isNaNK(ka) ? quiet(a, f) : quiet(b, f);
}
@inline function invalid(f: u32): u64 { sxFlags |= MX_IE; return indefinite(f); }
@inline function denormalFlag(ka: u32, kb: u32): void {
  if (ka == K_DENORM || kb == K_DENORM) sxFlags |= MX_DE;
}

// --- fast paths (normal operands; the result normal, not the largest finite and
// not in the lowest binade, so neither the step below nor the exact value can
// overflow or underflow: no flag but PE, FTZ and DAZ irrelevant) ---
// The round-to-nearest result comes from wasm (binary32 through binary64: double
// rounding is innocuous for + - * / sqrt since 53 >= 2*24 + 2, Figueroa 1995);
// the sign of (exact - result) from an error-free transformation: TwoSum
// (Knuth), Dekker's TwoProduct with Veltkamp splitting, the residuals
// a - q*b and x - r*r. fastOk is false when the operands or result are out of
// the safe range; the caller then takes the exact path.
let fastOk: bool = false;
const SPLIT: f64 = 134217729.0; // 2^27 + 1
let tpHi: f64 = 0;
let tpLo: f64 = 0;
/** a * b = tpHi + tpLo exactly (|a|, |b| < 2^996; the product not below 2^-960). */
function twoProduct(a: f64, b: f64): void {
  let p = a * b;
  let ca = SPLIT * a, cb = SPLIT * b;
  let ah = ca - (ca - a), bh = cb - (cb - b);
  let al = a - ah, bl = b - bh;
  tpHi = p;
  tpLo = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}
/** Biased exponent of a binary64. */
@inline function exp64(x: f64): u32 { return <u32>(reinterpret<u64>(x) >> 52) & 0x7ff; }
// binary64 operands for the Dekker products: exponent in [60, 2000) biased
@inline function safe64(x: f64): bool { let e = exp64(x); return e >= 60 && e < 2000; }
/** The sign of d - e for exact d and e (compared, never rounded). */
@inline function cmpSign(d: f64, e: f64): i32 { return d > e ? 1 : d < e ? -1 : 0; }

/** Step the round-to-nearest result r (bits, format f) one unit in the direction
 *  MXCSR.RC asks for, given the sign of (exact - r); PE when inexact. */
function directed(r: u64, err: i32, f: u32, mx: u32): u64 {
  if (err == 0) return r;
  sxFlags |= MX_PE;
  let rc = rcOf(mx);
  if (rc == RC_NEAREST) return r;
  let neg = signOf(r, f) != 0;
  let up = (rc == RC_UP && err > 0) || (rc == RC_CHOP && neg && err > 0);
  let down = (rc == RC_DOWN && err < 0) || (rc == RC_CHOP && !neg && err < 0);
  if (up) return neg ? r - 1 : r + 1;
  if (down) return neg ? r + 1 : r - 1;
  return r;
}
/** A result safe for directed(): biased exponent at least 2 and below the top
 *  binade's largest value. */
@inline function safeResult(r: u64, f: u32): bool {
  let e = (r >> fracBits(f)) & expMax(f);
  return e >= 2 && (r & ~(<u64>1 << signShift(f))) < maxFinite(0, f);
}

/** The fast results: op 0 add, 1 mul, 2 div, 3 sqrt (b unused). */
const FOP_ADD: u32 = 0;
const FOP_MUL: u32 = 1;
const FOP_DIV: u32 = 2;
const FOP_SQRT: u32 = 3;
function fast32(op: u32, a: u64, b: u64, mx: u32): u64 {
  fastOk = false;
  let x = <f64>reinterpret<f32>(<u32>a), y = <f64>reinterpret<f32>(<u32>b);
  let r: f32;
  let err: i32;
  if (op == FOP_MUL) { let p = x * y; r = <f32>p; err = cmpSign(p, <f64>r); }  // p is exact (48 bits)
  else if (op == FOP_ADD) {
    let s = x + y; // TwoSum: x + y = s + t exactly
    let bb = s - x;
    let t = (x - (s - bb)) + (y - bb);
    r = <f32>s;
    err = cmpSign(s - <f64>r, -t); // s - r is exact (both within an ulp of r)
  } else if (op == FOP_DIV) {
    r = <f32>(x / y);
    err = cmpSign(x, <f64>r * y) * (y < 0 ? -1 : 1); // r*y exact (48 bits), compared exactly
  } else {
    r = <f32>Math.sqrt(x);
    err = cmpSign(x, <f64>r * <f64>r);
  }
  let bits = <u64>reinterpret<u32>(r);
  if (!safeResult(bits, F32)) return 0;
  fastOk = true;
  return directed(bits, err, F32, mx);
}
function fast64(op: u32, a: u64, b: u64, mx: u32): u64 {
  fastOk = false;
  let x = reinterpret<f64>(a), y = reinterpret<f64>(b);
  let r: f64;
  let err: i32;
  if (op == FOP_ADD) {
    r = x + y;
    let bb = r - x;
    err = cmpSign((x - (r - bb)) + (y - bb), 0);
  } else {
    if (!safe64(x) || (op != FOP_SQRT && !safe64(y))) return 0;
    if (op == FOP_MUL) { r = x * y; if (exp64(r) < 60) return 0; twoProduct(x, y); err = cmpSign(tpLo, 0); }
    else {
      // residual x - r*y (x - r*r): r*y = tpHi + tpLo with tpHi within an ulp of
      // x, so x - tpHi is exact (Sterbenz) and compared with tpLo
      r = op == FOP_DIV ? x / y : Math.sqrt(x);
      if (exp64(r) < 60 || exp64(r) >= 2000) return 0;
      twoProduct(r, op == FOP_DIV ? y : r);
      err = cmpSign(x - tpHi, tpLo) * (op == FOP_DIV && y < 0 ? -1 : 1);
    }
  }
  let bits = reinterpret<u64>(r);
  if (!safeResult(bits, F64)) return 0;
  fastOk = true;
  return directed(bits, err, F64, mx);
}
@inline function fast(op: u32, a: u64, b: u64, f: u32, mx: u32): u64 {
  return f == F32 ? fast32(op, a, b, mx) : fast64(op, a, b, mx);
}

// --- arithmetic ---
/** a + b, or a - b with `negB` (ADD*, SUB*, ADDSUB*, HADD*, HSUB*). */
export function fadd(a: u64, b: u64, negB: bool, f: u32, mx: u32): u64 {
  let ka = srcClass(a, f, mx), kb = srcClass(b, f, mx);
  if (isNaNK(ka) || isNaNK(kb)) return nan2(a, ka, b, kb, f);
  let sa = signOf(a, f), sb = signOf(b, f) ^ (negB ? 1 : 0);
  if (ka == K_INF || kb == K_INF) {
    if (ka == K_INF && kb == K_INF && sa != sb) return invalid(f);
    denormalFlag(ka, kb);
    return infOf(ka == K_INF ? sa : sb, f);
  }
  if (ka == K_NORMAL && kb == K_NORMAL) {
    let r = fast(FOP_ADD, a, negB ? b ^ (<u64>1 << signShift(f)) : b, f, mx);
    if (fastOk) return r;
  }
  denormalFlag(ka, kb);
  if (ka == K_ZERO && kb == K_ZERO) return zeroOf(sa == sb ? sa : rcOf(mx) == RC_DOWN ? 1 : 0, f);
  if (kb == K_ZERO) return passFinite(a, sa, f, mx);
  if (ka == K_ZERO) return passFinite(b, sb, f, mx);
  unpackFinite(a, f);
  let ea = vE, ma = vM;
  unpackFinite(b, f);
  exactAdd(sa, ea, ma, sb, vE, vM, rcOf(mx));
  if (aZero) return zeroOf(aS, f);
  return roundExact(aS, f, mx);
}

export function fmul(a: u64, b: u64, f: u32, mx: u32): u64 {
  let ka = srcClass(a, f, mx), kb = srcClass(b, f, mx);
  if (isNaNK(ka) || isNaNK(kb)) return nan2(a, ka, b, kb, f);
  let s = signOf(a, f) ^ signOf(b, f);
  if (ka == K_INF || kb == K_INF) {
    if (ka == K_ZERO || kb == K_ZERO) return invalid(f);
    denormalFlag(ka, kb);
    return infOf(s, f);
  }
  if (ka == K_NORMAL && kb == K_NORMAL) {
    let r = fast(FOP_MUL, a, b, f, mx);
    if (fastOk) return r;
  }
  denormalFlag(ka, kb);
  if (ka == K_ZERO || kb == K_ZERO) return zeroOf(s, f);
  unpackFinite(a, f);
  let ea = vE, ma = vM;
  unpackFinite(b, f);
  exactMul(ea, ma, vE, vM);
  return roundExact(s, f, mx);
}

export function fdiv(a: u64, b: u64, f: u32, mx: u32): u64 {
  let ka = srcClass(a, f, mx), kb = srcClass(b, f, mx);
  if (isNaNK(ka) || isNaNK(kb)) return nan2(a, ka, b, kb, f);
  let s = signOf(a, f) ^ signOf(b, f);
  if (ka == K_INF) {
    if (kb == K_INF) return invalid(f);
    denormalFlag(ka, kb);
    return infOf(s, f);
  }
  if (kb == K_ZERO) {
    if (ka == K_ZERO) return invalid(f);
    sxFlags |= MX_ZE; // §11.5.2.3; takes priority over DE (table 6-8)
    return infOf(s, f);
  }
  if (ka == K_NORMAL && kb == K_NORMAL) {
    let r = fast(FOP_DIV, a, b, f, mx);
    if (fastOk) return r;
  }
  denormalFlag(ka, kb);
  if (kb == K_INF || ka == K_ZERO) return zeroOf(s, f);
  unpackFinite(a, f);
  let ea = vE, ma = vM;
  unpackFinite(b, f);
  exactDiv(ea, ma, vE, vM);
  return roundExact(s, f, mx);
}

export function fsqrt(a: u64, f: u32, mx: u32): u64 {
  let k = srcClass(a, f, mx);
  if (isNaNK(k)) { if (k == K_SNAN) sxFlags |= MX_IE; return quiet(a, f); }
  let s = signOf(a, f);
  if (k == K_ZERO) return zeroOf(s, f); // sqrt(-0) = -0
  if (s != 0) return invalid(f);
  if (k == K_INF) return a;
  if (k == K_NORMAL) {
    let r = fast(FOP_SQRT, a, 0, f, mx);
    if (fastOk) return r;
  }
  denormalFlag(k, K_NORMAL);
  unpackFinite(a, f);
  exactSqrt(vE, vM);
  return roundExact(0, f, mx);
}

/** MINxx and MAXxx (SDM vol. 2 MAXPS/MINPS): a NaN in either source (SNaN or QNaN) is
 *  invalid and returns the second source, not quieted; so do two zeros of any sign.
 *  With DAZ the sources are compared and returned as DAZ made them. */
export function fminmax(a: u64, b: u64, isMax: bool, f: u32, mx: u32): u64 {
  let ka = srcClass(a, f, mx), kb = srcClass(b, f, mx);
  if (isNaNK(ka) || isNaNK(kb)) { sxFlags |= MX_IE; return srcBits(b, f, mx); }
  denormalFlag(ka, kb);
  let x = srcBits(a, f, mx), y = srcBits(b, f, mx);
  let gt = isMax ? less(y, x, f) : less(x, y, f);
  return gt ? x : y;
}

/** x < y for non-NaN operands (exact in wasm). */
@inline function less(x: u64, y: u64, f: u32): bool {
  return f == F32 ? reinterpret<f32>(<u32>x) < reinterpret<f32>(<u32>y) : reinterpret<f64>(x) < reinterpret<f64>(y);
}
@inline function equal(x: u64, y: u64, f: u32): bool {
  return f == F32 ? reinterpret<f32>(<u32>x) == reinterpret<f32>(<u32>y) : reinterpret<f64>(x) == reinterpret<f64>(y);
}

// --- compares ---
/** CMPccPS/SS/PD/SD predicate `p` (imm8 bits 2:0, SDM vol. 2 CMPPS table 3-7):
 *  0 EQ, 1 LT, 2 LE, 3 UNORD, 4 NEQ, 5 NLT, 6 NLE, 7 ORD. LT, LE, NLT and NLE
 *  signal invalid on a QNaN too; every predicate on an SNaN. */
export function fcmp(a: u64, b: u64, p: u32, f: u32, mx: u32): bool {
  let ka = srcClass(a, f, mx), kb = srcClass(b, f, mx);
  let q = p & 3;
  if (isNaNK(ka) || isNaNK(kb)) {
    if (ka == K_SNAN || kb == K_SNAN || q == 1 || q == 2) sxFlags |= MX_IE;
    return p >= 3 && p <= 6; // unordered: UNORD, NEQ, NLT, NLE hold
  }
  denormalFlag(ka, kb);
  let x = srcBits(a, f, mx), y = srcBits(b, f, mx);
  let eq = equal(x, y, f), lt = less(x, y, f);
  switch (p) {
    case 0: return eq;
    case 1: return lt;
    case 2: return lt || eq;
    case 3: return false;
    case 4: return !eq;
    case 5: return !lt;
    case 6: return !(lt || eq);
    default: return true;
  }
}

export const CMP_GT: u32 = 0;
export const CMP_LT: u32 = 1;
export const CMP_EQ: u32 = 2;
export const CMP_UNORD: u32 = 3;
/** COMISS/COMISD, UCOMISS/UCOMISD: the relation of a to b; `signalQNaN` (COMISx) makes a QNaN
 *  invalid too, UCOMISx only an SNaN. */
export function fcomi(a: u64, b: u64, signalQNaN: bool, f: u32, mx: u32): u32 {
  let ka = srcClass(a, f, mx), kb = srcClass(b, f, mx);
  if (isNaNK(ka) || isNaNK(kb)) {
    if (signalQNaN || ka == K_SNAN || kb == K_SNAN) sxFlags |= MX_IE;
    return CMP_UNORD;
  }
  denormalFlag(ka, kb);
  let x = srcBits(a, f, mx), y = srcBits(b, f, mx);
  return equal(x, y, f) ? CMP_EQ : less(x, y, f) ? CMP_LT : CMP_GT;
}

// --- conversions ---
export const INT_INDEFINITE: u32 = 0x80000000;
/** Float to int32 (CVT*2SI, CVT*2DQ, CVT*2PI): rounded per MXCSR.RC, or toward zero
 *  with `truncate` (CVTT*). NaN, infinity or out of range: IE and the integer
 *  indefinite. No DE (SDM vol. 2 CVTSS2SI: Invalid, Precision). */
export function fcvtToI32(a: u64, truncate: bool, f: u32, mx: u32): u32 {
  let k = srcClass(a, f, mx);
  if (k == K_ZERO) return 0;
  if (k == K_INF || isNaNK(k)) { sxFlags |= MX_IE; return INT_INDEFINITE; }
  unpackFinite(a, f);
  let mag = roundToIntMag(vS, vE, vM, truncate ? RC_CHOP : rcOf(mx));
  let limit: u64 = vS != 0 ? 0x80000000 : 0x7fffffff;
  if (rIntOverflow || mag > limit) { sxFlags |= MX_IE; return INT_INDEFINITE; }
  if (rIntInexact) sxFlags |= MX_PE;
  return vS != 0 ? <u32>(0 - <u32>mag) : <u32>mag;
}

/** int32 to float (CVTSI2S*, CVTDQ2P*, CVTPI2P*): exact for F64, rounded per
 *  MXCSR.RC (PE when inexact) for F32. */
export function fcvtFromI32(i: i32, f: u32, mx: u32): u64 {
  if (i == 0) return 0;
  let s: u32 = i < 0 ? 1 : 0;
  let u = <u32>i;
  if (i < 0) u = 0 - u;
  let mag = <u64>u;
  let sh = clz<u64>(mag);
  return roundSSE(s, 63 - <i32>sh, mag << sh, false, f, mx);
}

/** Between formats (CVTSS2SD, CVTPS2PD: exact; CVTSD2SS, CVTPD2PS: rounded per
 *  MXCSR with overflow, underflow and precision). A NaN keeps its sign and the
 *  top of its payload, quieted (SDM vol. 1 §4.8.3.5 table 4-7 note). */
export function fcvtFormat(a: u64, from: u32, to: u32, mx: u32): u64 {
  let k = srcClass(a, from, mx);
  let s = signOf(a, from);
  if (isNaNK(k)) {
    if (k == K_SNAN) sxFlags |= MX_IE;
    let frac = a & fracMask(from);
    frac = to == F64 ? frac << 29 : frac >> 29;
    return quiet(infOf(s, to) | frac, to);
  }
  if (k == K_INF) return infOf(s, to);
  if (k == K_ZERO) return zeroOf(s, to);
  denormalFlag(k, K_NORMAL);
  unpackFinite(a, from);
  return roundSSE(s, vE, vM, false, to, mx);
}

// --- approximations (SDM vol. 2 RCPPS, RSQRTPS) ---
// |relative error| <= 1.5 * 2^-12 is all the SDM promises; these return the
// correctly rounded 1/x and 1/sqrt(x) (RSQRT as 1/(sqrt x rounded)), which QEMU
// returns too, within that bound. Special values as the SDM lists them: a
// denormal source counts as 0 (so gives an infinity), a tiny result is flushed to
// a signed zero, no flag is ever set and MXCSR.RC is not used.
const APPROX_MXCSR: u32 = 0x1f80; // every exception masked, round to nearest
const ONE_F32: u64 = 0x3f800000;

function approxFlush(r: u64, s: u32): u64 {
  return classOf(r, F32) == K_DENORM ? zeroOf(s, F32) : r;
}
export function frcp(a: u32): u32 {
  let x = <u64>a;
  let k = classOf(x, F32);
  let s = signOf(x, F32);
  if (isNaNK(k)) return <u32>quiet(x, F32);
  if (k == K_ZERO || k == K_DENORM) return <u32>infOf(s, F32);
  if (k == K_INF) return <u32>zeroOf(s, F32);
  let saved = sxFlags;
  let r = fdiv(ONE_F32, x, F32, APPROX_MXCSR);
  sxFlags = saved;
  return <u32>approxFlush(r, s);
}
export function frsqrt(a: u32): u32 {
  let x = <u64>a;
  let k = classOf(x, F32);
  let s = signOf(x, F32);
  if (isNaNK(k)) return <u32>quiet(x, F32);
  if (k == K_ZERO || k == K_DENORM) return <u32>infOf(s, F32);
  if (s != 0) return <u32>indefinite(F32);
  if (k == K_INF) return 0;
  let saved = sxFlags;
  let r = fdiv(ONE_F32, fsqrt(x, F32, APPROX_MXCSR), F32, APPROX_MXCSR);
  sxFlags = saved;
  return <u32>r;
}
