// x87 number formats and rounding (SDM vol. 1 §4.2, §4.8, §8.2; figure 4-3, table 4-3).
//
// A register holds an exact 80-bit double-extended value: a 64-bit significand
// with an explicit integer bit (J, bit 63) and a 16-bit sign/exponent. Everything
// that the SDM defines as exact (loads, stores to m80, moves, FXCH, FABS, FCHS,
// compares, integer and BCD conversions, FRNDINT, FSCALE, FXTRACT, FPREM/FPREM1)
// works on those bits with integer arithmetic and is bit-exact.
//
// FADD/FSUB/FMUL/FDIV and FSQRT are exact too: they compute the exact result on
// 64-bit significands with integer arithmetic (128-bit products, bit-serial
// division and square root) and round it once per the control word's precision
// and rounding controls (SDM vol. 1 §4.8.4, §8.1.5).
//
// Design choice (docs/X87.md): the transcendentals (FSIN FCOS FSINCOS FPTAN
// FPATAN F2XM1 FYL2X FYL2XP1) compute on wasm f64, i.e. with a 53-bit
// significand, then round to the register; they are as accurate as the f64
// library routines (about 1 ulp of double precision), not to 64 bits.

// --- operand classes ---
export const C_ZERO: u32 = 0;
export const C_NORMAL: u32 = 1;
export const C_DENORM: u32 = 2;   // exponent 0, significand non-zero (incl. pseudo-denormals)
export const C_INF: u32 = 3;
export const C_QNAN: u32 = 4;
export const C_SNAN: u32 = 5;
export const C_UNSUPPORTED: u32 = 6; // unnormal, pseudo-NaN, pseudo-infinity (SDM vol. 1 §8.2.2)

export const J_BIT: u64 = 0x8000000000000000;
export const QNAN_BIT: u64 = 0x4000000000000000;
// SDM vol. 1 table 4-3: the QNaN floating-point indefinite.
export const INDEF_SE: u32 = 0xffff;
export const INDEF_M: u64 = 0xc000000000000000;

export const BIAS80: i32 = 16383;

// Status-word exception bits (SDM vol. 1 §8.1.3.1).
export const FE_IE: u32 = 0x01;
export const FE_DE: u32 = 0x02;
export const FE_ZE: u32 = 0x04;
export const FE_OE: u32 = 0x08;
export const FE_UE: u32 = 0x10;
export const FE_PE: u32 = 0x20;

// Rounding control (SDM vol. 1 §4.8.4, table 4-8).
export const RC_NEAREST: u32 = 0;
export const RC_DOWN: u32 = 1;
export const RC_UP: u32 = 2;
export const RC_CHOP: u32 = 3;

export function classify(se: u32, m: u64): u32 {
  let e = se & 0x7fff;
  if (e == 0) return m == 0 ? C_ZERO : C_DENORM;
  if ((m & J_BIT) == 0) return C_UNSUPPORTED;
  if (e == 0x7fff) {
    if ((m << 1) == 0) return C_INF;
    return (m & QNAN_BIT) != 0 ? C_QNAN : C_SNAN;
  }
  return C_NORMAL;
}
@inline export function isNaNClass(c: u32): bool { return c == C_QNAN || c == C_SNAN; }

// --- unpacked finite values: (-1)^uS * uM / 2^63 * 2^uE, uM normalized (J set) ---
export let uS: u32 = 0;
export let uE: i32 = 0;
export let uM: u64 = 0;

/** Unpack a finite non-zero 80-bit value (normal or denormal). */
export function unpack(se: u32, m: u64): void {
  uS = se >> 15;
  let e = <i32>(se & 0x7fff);
  if (e == 0) {
    // Denormals (and pseudo-denormals) have the exponent of the smallest normal.
    let sh = <i32>clz<u64>(m);
    uM = m << <u64>sh;
    uE = 1 - BIAS80 - sh;
  } else {
    uM = m;
    uE = e - BIAS80;
  }
}

// --- rounding and packing to a destination format ---
// The rounding result: sign, biased exponent in the destination format (0 for
// zero and denormals) and the significand with J at bit 63 (for denormals the
// significand is aligned so that it carries the smallest normal exponent).
export let pS: u32 = 0;
export let pE: i32 = 0;
export let pM: u64 = 0;
// Exceptions raised by the last pack/operation, and whether it rounded up in
// magnitude (the status word's C1 after an inexact result, SDM vol. 1 §8.1.3.3).
export let xFlags: u32 = 0;
export let roundedUp: bool = false;

// Destination formats: significand precision, bias, maximum biased exponent.
export const F_EXT: u32 = 0;  // register (precision from the control word)
export const F_DBL: u32 = 1;
export const F_SGL: u32 = 2;

@inline function fmtBias(f: u32): i32 { return f == F_EXT ? 16383 : f == F_DBL ? 1023 : 127; }
@inline function fmtMaxExp(f: u32): i32 { return f == F_EXT ? 0x7fff : f == F_DBL ? 0x7ff : 0xff; }

/** Decide rounding of a value truncated to `kept` with discarded bits `rem` out of
 *  a unit `unit` (rem < unit) plus a sticky flag for anything below `rem`. */
@inline function roundIncrement(rc: u32, sign: u32, rem: u64, half: u64, sticky: bool, lsbOdd: bool): bool {
  let inexact = rem != 0 || sticky;
  if (!inexact) return false;
  switch (rc) {
    case RC_NEAREST: return rem > half || (rem == half && (sticky || lsbOdd));
    case RC_DOWN: return sign != 0;
    case RC_UP: return sign == 0;
    default: return false;
  }
}

/**
 * Round (-1)^s * m/2^63 * 2^e (m normalized, plus `sticky`: a non-zero amount
 * below the last bit of m) to `prec` significand bits in format `fmt`, with
 * rounding control `rc`; masked/unmasked overflow and underflow responses
 * per SDM vol. 1 §4.9.1.4-5 and §8.5.4-5 (`masks` = control-word mask bits).
 * Sets pS/pE/pM, xFlags (OE UE PE) and roundedUp.
 */
export function roundPack(s: u32, e: i32, m: u64, sticky: bool, prec: u32, fmt: u32, rc: u32, masks: u32, ovfPrec: u32 = 0): void {
  roundPackLo(s, e, m, 0, sticky, prec, fmt, rc, masks, ovfPrec);
}
/** roundPack with 64 more bits `lo` below m (for exact products and quotients). */
export function roundPackLo(s: u32, e: i32, m: u64, lo: u64, sticky0: bool, prec: u32, fmt: u32, rc: u32, masks: u32, ovfPrec: u32): void {
  xFlags = 0;
  roundedUp = false;
  pS = s;
  let sticky = sticky0;
  let bias = fmtBias(fmt);
  let maxE = fmtMaxExp(fmt);
  let be = e + bias; // biased exponent
  if (be <= 0) {
    if ((masks & FE_UE) == 0) {
      // Unmasked underflow: the result is the rounded significand with the
      // exponent biased by 24576 (extended) / 1536 / 192 (SDM vol. 1 §4.9.1.5).
      be += fmt == F_EXT ? 24576 : fmt == F_DBL ? 1536 : 192;
      xFlags |= FE_UE;
    } else {
      // Denormalize: shift right so the exponent becomes the minimum (biased 1,
      // stored as 0), then round at the precision boundary.
      // bits removed from m: the denormalizing shift plus the precision drop
      let drop: u64 = <u64>(64 - prec);
      let total: u64 = <u64>(1 - be) + drop;
      let st = sticky || lo != 0; // the rounding point is above m's last bit
      let kept: u64 = 0;
      let rem: u64 = 0;
      let half: u64 = 1;
      let lsb = false;
      if (total > 64) { st = st || m != 0; }
      else if (total == 64) { rem = m; half = J_BIT; }
      else {
        let q = m >> total;
        kept = q << drop;
        rem = m & ((<u64>1 << total) - 1);
        half = <u64>1 << (total - 1);
        lsb = (q & 1) != 0;
      }
      let inexact = rem != 0 || st;
      if (roundIncrement(rc, s, rem, half, st, lsb)) {
        kept += <u64>1 << drop;
        roundedUp = true;
      }
      if (inexact) xFlags |= FE_UE | FE_PE;
      pM = kept;
      pE = (kept & J_BIT) != 0 ? 1 : 0; // rounded up into the smallest normal
      return;
    }
  }
  let drop: u64 = <u64>(64 - prec);
  let kept = m;
  if (drop > 0) sticky = sticky || lo != 0;
  let inexact = sticky;
  if (drop > 0) {
    let mask: u64 = (<u64>1 << drop) - 1;
    let rem = m & mask;
    kept = m & ~mask;
    inexact = inexact || rem != 0;
    if (roundIncrement(rc, s, rem, <u64>1 << (drop - 1), sticky, (kept >> drop & 1) != 0)) {
      kept += <u64>1 << drop;
      roundedUp = true;
      if (kept == 0) { kept = J_BIT; be++; }
    }
  } else if (lo != 0 || sticky) {
    inexact = true;
    if (roundIncrement(rc, s, lo, J_BIT, sticky, (m & 1) != 0)) {
      kept += 1;
      roundedUp = true;
      if (kept == 0) { kept = J_BIT; be++; }
    }
  }
  if (inexact) xFlags |= FE_PE;
  if (be >= maxE) {
    if ((masks & FE_OE) == 0) {
      be -= fmt == F_EXT ? 24576 : fmt == F_DBL ? 1536 : 192;
      xFlags |= FE_OE;
    } else {
      // SDM vol. 1 table 4-10: masked overflow result by rounding mode and sign.
      xFlags |= FE_OE | FE_PE;
      let toInf = rc == RC_NEAREST || (rc == RC_UP && s == 0) || (rc == RC_DOWN && s != 0);
      if (toInf) { pE = maxE; pM = J_BIT; roundedUp = true; }
      else {
        // the largest finite number of the precision in effect
        let od: u64 = <u64>(64 - (ovfPrec != 0 ? ovfPrec : prec));
        pE = maxE - 1; pM = ~((<u64>1 << od) - 1); roundedUp = false;
      }
      return;
    }
  }
  pE = be;
  pM = kept;
}

// --- encoders from the pack result ---
/** The pack result as an 80-bit register value: sign/exponent. */
@inline export function packedSE(): u32 { return (pS << 15) | <u32>pE; }
export function packedDouble(): u64 {
  return (<u64>pS << 63) | (<u64>pE << 52) | ((pM >> 11) & 0x000fffffffffffff);
}
export function packedSingle(): u32 {
  return (pS << 31) | (<u32>pE << 23) | (<u32>(pM >> 40) & 0x7fffff);
}

// --- f64 bridge ---
/** A finite non-zero unpacked value's significand as an f64 in [1, 2]
 *  (rounded to nearest from 64 to 53 bits: the documented precision loss). */
@inline export function sigToF64(m: u64): f64 { return <f64>m * 1.0842021724855044e-19; /* 2^-63 */ }

/** 2^n for any i32 n, as f64 (0 or Infinity outside the f64 range). */
export function pow2(n: i32): f64 {
  if (n > 1023) return Infinity;
  if (n < -1074) return 0;
  if (n < -1022) return reinterpret<f64>(<u64>1 << <u64>(n + 1074));
  return reinterpret<f64>(<u64>(n + 1023) << 52);
}

/** Round |q| * 2^k (q a finite non-zero f64 result, `err` the sign of the true
 *  value minus q: -1, 0 or 1) with sign s to the register format; used for the
 *  f64-computed transcendentals, so at most 53 bits are significant. */
export function packF64(s: u32, q: f64, k: i32, err: i32, prec: u32, rc: u32, masks: u32): void {
  let bits = reinterpret<u64>(q) & 0x7fffffffffffffff;
  let ex = <i32>(bits >> 52);
  let frac = bits & 0x000fffffffffffff;
  let m: u64;
  let e: i32;
  if (ex == 0) {
    let sh = <i32>clz<u64>(frac);
    m = frac << <u64>sh;
    e = -1022 - (sh - 11) + k;
  } else {
    m = (frac | 0x0010000000000000) << 11;
    e = ex - 1023 + k;
  }
  let sticky = false;
  if (err != 0) {
    sticky = true;
    if (err < 0) {
      if (m == J_BIT) { m = 0xffffffffffffffff; e -= 1; }
      else m -= 1;
    }
  }
  let p = prec > 53 ? <u32>53 : prec;
  roundPack(s, e, m, sticky, p, F_EXT, rc, masks, prec);
}

// --- integers ---
/** Round a finite unpacked value (uS, uE, uM) to an integer per `rc`.
 *  Returns the magnitude; rIntOverflow is set when it needs more than 64 bits,
 *  rIntInexact when bits were discarded. */
export let rIntOverflow: bool = false;
export let rIntInexact: bool = false;
export let rIntUp: bool = false;
export function roundToIntMag(s: u32, e: i32, m: u64, rc: u32): u64 {
  rIntOverflow = false;
  rIntInexact = false;
  rIntUp = false;
  if (e >= 64) { rIntOverflow = true; return 0; }
  if (e == 63) return m;
  let r: u64;
  let rem: u64;
  let half: u64;
  let sticky = false;
  if (e < -1) {
    r = 0; rem = 0; half = 1; sticky = true; // |x| < 0.5
  } else {
    let sh = <u64>(63 - e); // 1..64
    if (sh == 64) { r = 0; rem = m; half = J_BIT; }
    else {
      r = m >> sh;
      rem = m & ((<u64>1 << sh) - 1);
      half = <u64>1 << (sh - 1);
    }
  }
  rIntInexact = rem != 0 || sticky;
  if (roundIncrement(rc, s, rem, half, sticky, (r & 1) != 0)) {
    r += 1;
    rIntUp = true;
    if (r == 0) rIntOverflow = true;
  }
  return r;
}

// --- exact arithmetic on 64-bit significands (SDM vol. 1 §4.8.4: the result is
// computed as if to infinite precision, then rounded) ---
// Results: (-1)^aS * (aM + aLo/2^64)/2^63 * 2^aE, plus aSticky for anything
// below aLo; aM normalized. aZero: the exact result is zero.
export let aS: u32 = 0;
export let aE: i32 = 0;
export let aM: u64 = 0;
export let aLo: u64 = 0;
export let aSticky: bool = false;
export let aZero: bool = false;

let mHi: u64 = 0;
let mLo: u64 = 0;
/** 64 x 64 -> 128-bit product in mHi:mLo. */
function mul128(a: u64, b: u64): void {
  let a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  let p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  let mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  mLo = (p00 & 0xffffffff) | (mid << 32);
  mHi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/** Normalize a 128-bit magnitude hi:lo (non-zero) at exponent e into aM/aLo/aE. */
function norm128(hi: u64, lo: u64, e: i32): void {
  if (hi == 0) { hi = lo; lo = 0; e -= 64; }
  let sh = clz<u64>(hi);
  if (sh != 0) { hi = (hi << sh) | (lo >> (64 - sh)); lo <<= sh; }
  aM = hi; aLo = lo; aE = e - <i32>sh;
}

/** a + b for finite non-zero unpacked operands (sb already negated for SUB). */
export function exactAdd(sa: u32, ea: i32, ma: u64, sb: u32, eb: i32, mb: u64, rc: u32): void {
  aSticky = false;
  aZero = false;
  if (eb > ea || (eb == ea && mb > ma)) {
    let ts = sa; sa = sb; sb = ts;
    let te = ea; ea = eb; eb = te;
    let tm = ma; ma = mb; mb = tm;
  }
  // align b to a: b as hi:lo shifted right by d, bits beyond 128 go to sticky
  let d = ea - eb;
  let bh: u64 = mb, bl: u64 = 0;
  let st = false;
  if (d >= 128) { st = true; bh = 0; bl = 0; }
  else if (d >= 64) {
    let k = <u64>(d - 64);
    st = k != 0 && (mb << (64 - k)) != 0;
    bl = k == 0 ? mb : mb >> k;
    bh = 0;
  } else if (d > 0) {
    bl = mb << <u64>(64 - d);
    bh = mb >> <u64>d;
  }
  aS = sa;
  if (sa == sb) {
    let lo = bl;           // a's low word is 0
    let hi = ma + bh;
    let carry = hi < ma;
    if (carry) {
      st = st || (lo & 1) != 0;
      lo = (lo >> 1) | (hi << 63);
      hi = (hi >> 1) | J_BIT;
      aM = hi; aLo = lo; aE = ea + 1;
    } else { aM = hi; aLo = lo; aE = ea; }
    aSticky = st;
    return;
  }
  // |a| >= |b|: a - b; a sticky remainder of b means subtracting a bit more
  let lo: u64 = 0 - bl;
  let borrow: u64 = bl != 0 ? 1 : 0;
  if (st) { lo -= 1; if (lo == 0xffffffffffffffff) borrow += 1; }
  let hi = ma - bh - borrow;
  if (hi == 0 && lo == 0 && !st) { aZero = true; aS = rc == RC_DOWN ? 1 : 0; return; }
  norm128(hi, lo, ea);
  aSticky = st;
}

export function exactMul(ea: i32, ma: u64, eb: i32, mb: u64): void {
  aSticky = false;
  aZero = false;
  mul128(ma, mb);
  // product of two [1,2) significands is in [1,4): value = hi:lo / 2^126
  if ((mHi >> 63) != 0) { aM = mHi; aLo = mLo; aE = ea + eb + 1; }
  else { aM = (mHi << 1) | (mLo >> 63); aLo = mLo << 1; aE = ea + eb; }
}

export function exactDiv(ea: i32, ma: u64, eb: i32, mb: u64): void {
  aSticky = false;
  aZero = false;
  let rem = ma;
  let q: u64 = 0;
  let e = ea - eb;
  let steps = 63;
  if (rem >= mb) { rem -= mb; q = 1; }
  else { e -= 1; steps = 64; }
  for (let k = 0; k < steps; k++) {
    let carry = (rem >> 63) != 0;
    rem <<= 1;
    q <<= 1;
    if (carry || rem >= mb) { rem -= mb; q |= 1; }
  }
  // one more quotient bit (the guard) and the sticky remainder
  let carry = (rem >> 63) != 0;
  rem <<= 1;
  let guard = carry || rem >= mb;
  if (guard) rem -= mb;
  aM = q; aE = e;
  aLo = guard ? J_BIT : 0;
  aSticky = rem != 0;
}

/** Square root of a positive finite value: R = floor(sqrt(X)) bit by bit over
 *  the 128-bit radicand X, then the guard from X - R^2 against R. */
export function exactSqrt(e: i32, m: u64): void {
  aSticky = false;
  aZero = false;
  let xh: u64, xl: u64;
  if ((e & 1) == 0) { xh = m >> 1; xl = m << 63; aE = e >> 1; }
  else { xh = m; xl = 0; aE = (e - 1) >> 1; }
  let r: u64 = 0;
  for (let bit: i32 = 63; bit >= 0; bit--) {
    let t = r | (<u64>1 << <u64>bit);
    mul128(t, t);
    if (mHi < xh || (mHi == xh && mLo <= xl)) r = t;
  }
  mul128(r, r);
  // remainder X - R^2 (fits in 65 bits: < 2R + 1)
  let rl = xl - mLo;
  let rh = xh - mHi - (xl < mLo ? 1 : 0);
  aM = r;
  let exact = rh == 0 && rl == 0;
  let above = rh != 0 || rl > r; // X - R^2 > R: beyond the half-way point
  aLo = above ? J_BIT : 0;
  aSticky = !exact;
}
