// A reference model of SSE floating-point lanes, written from the SDM with exact
// rational arithmetic on BigInt (independent of asm/cpu/ssemath.ts): IEEE rounding
// in every MXCSR.RC mode, overflow (vol. 1 table 4-10), underflow detected after
// rounding (§11.5.2.5), FTZ (§10.2.3.3), DAZ (§10.2.3.4), the NaN rules of table
// 4-7 and the priorities of vol. 3 table 6-8. Used by tests/unit/ssemath.test.ts
// and tests/guest/ssefp.test.ts.

export const IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, DAZ = 0x40, FTZ = 0x8000;
export const MASKED = 0x1f80;
export const F32 = 0, F64 = 1;
export const FMT = [
  { p: 24n, bias: 127n, fb: 23n, eb: 8n },
  { p: 53n, bias: 1023n, fb: 52n, eb: 11n },
];
export type Kind = "zero" | "denorm" | "normal" | "inf" | "qnan" | "snan";
export interface Dec { s: number; kind: Kind; M: bigint; E: bigint } // value (-1)^s * M * 2^E

export function decode(x: bigint, f: number, mx: number): Dec {
  const F = FMT[f];
  const s = Number(x >> (F.fb + F.eb)) & 1;
  const e = (x >> F.fb) & ((1n << F.eb) - 1n), frac = x & ((1n << F.fb) - 1n);
  const emaxB = (1n << F.eb) - 1n;
  if (e === emaxB) return { s, kind: frac === 0n ? "inf" : frac >> (F.fb - 1n) ? "qnan" : "snan", M: 0n, E: 0n };
  if (e === 0n) {
    if (frac === 0n || (mx & DAZ)) return { s, kind: "zero", M: 0n, E: 0n };
    return { s, kind: "denorm", M: frac, E: 1n - F.bias - F.fb };
  }
  return { s, kind: "normal", M: frac | (1n << F.fb), E: e - F.bias - F.fb };
}
export const bitlen = (n: bigint) => n.toString(2).length;
export const signBit = (s: number, f: number) => BigInt(s) << (FMT[f].fb + FMT[f].eb);
export const infBits = (s: number, f: number) => signBit(s, f) | (((1n << FMT[f].eb) - 1n) << FMT[f].fb);
export const INDEF = [0xffc00000n, 0xfff8000000000000n];

/** floor((n/d) * 2^-qexp) with the rounding per rc and sign; returns [q, inexact]. */
export function roundQ(n: bigint, d: bigint, qexp: bigint, rc: number, s: number): [bigint, boolean] {
  const num = qexp < 0n ? n << -qexp : n, den = qexp > 0n ? d << qexp : d;
  let q = num / den;
  const r = num % den;
  if (r !== 0n) {
    const up = rc === 0 ? (2n * r > den || (2n * r === den && (q & 1n) === 1n)) : rc === 1 ? s === 1 : rc === 2 ? s === 0 : false;
    if (up) q += 1n;
  }
  return [q, r !== 0n];
}
/** Round the exact non-zero value (-1)^s * n/d to format f under mx: [bits, flags]. */
export function refRound(s: number, n: bigint, d: bigint, f: number, mx: number): [bigint, number] {
  const F = FMT[f], rc = (mx >> 13) & 3;
  let k = BigInt(bitlen(n) - bitlen(d)); // 2^k <= n/d < 2^(k+2)
  if ((n << (k < 0n ? -k : 0n)) < (d << (k > 0n ? k : 0n))) k -= 1n; // now 2^k <= n/d < 2^(k+1)
  const emin = 1n - F.bias, emax = F.bias;
  let [q, inexact] = roundQ(n, d, k - F.p + 1n, rc, s);
  let er = k;
  if (q === 1n << F.p) { q >>= 1n; er += 1n; }
  if (er > emax) {
    if (!(mx & (OE << 7))) return [0n, OE | (inexact ? PE : 0)];
    const toInf = rc === 0 || (rc === 2 && s === 0) || (rc === 1 && s === 1);
    return [toInf ? infBits(s, f) : infBits(s, f) - 1n, OE | PE];
  }
  if (er < emin) {
    if (!(mx & (UE << 7))) return [0n, UE | (inexact ? PE : 0)];
    if (mx & FTZ) return [signBit(s, f), UE | PE];
    const [qd, inx] = roundQ(n, d, emin - F.p + 1n, rc, s);
    return [signBit(s, f) | qd, inx ? UE | PE : 0];
  }
  return [signBit(s, f) | ((er + F.bias) << F.fb) | (q & ((1n << F.fb) - 1n)), inexact ? PE : 0];
}
export const isNaN_ = (k: Kind) => k === "qnan" || k === "snan";
export const quiet = (x: bigint, f: number) => x | (1n << (FMT[f].fb - 1n));
export function nan2(a: bigint, da: Dec, b: bigint, db: Dec, f: number): [bigint, number] {
  return [isNaN_(da.kind) ? quiet(a, f) : quiet(b, f), da.kind === "snan" || db.kind === "snan" ? IE : 0];
}
export const den = (...ds: Dec[]) => (ds.some((d) => d.kind === "denorm") ? DE : 0);
export function withFlag(r: [bigint, number], fl: number): [bigint, number] { return [r[0], r[1] | fl]; }

export function refArith(op: "add" | "sub" | "mul" | "div", a: bigint, b: bigint, f: number, mx: number): [bigint, number] {
  const da = decode(a, f, mx), db = decode(b, f, mx), rc = (mx >> 13) & 3;
  if (isNaN_(da.kind) || isNaN_(db.kind)) return nan2(a, da, b, db, f);
  const sb = op === "sub" ? db.s ^ 1 : db.s;
  const dn = den(da, db);
  if (op === "add" || op === "sub") {
    if (da.kind === "inf" || db.kind === "inf") {
      if (da.kind === "inf" && db.kind === "inf" && da.s !== sb) return [INDEF[f], IE];
      return [infBits(da.kind === "inf" ? da.s : sb, f), dn];
    }
    const e0 = da.E < db.E ? da.E : db.E;
    const n = (da.s ? -1n : 1n) * (da.M << (da.E - e0)) + (sb ? -1n : 1n) * (db.M << (db.E - e0));
    if (n === 0n) return [signBit(da.kind === "zero" && db.kind === "zero" && da.s === sb ? da.s : rc === 1 ? 1 : 0, f), dn];
    const abs = n < 0n ? -n : n;
    return withFlag(e0 >= 0n ? refRound(n < 0n ? 1 : 0, abs << e0, 1n, f, mx) : refRound(n < 0n ? 1 : 0, abs, 1n << -e0, f, mx), dn);
  }
  const s = da.s ^ db.s;
  if (op === "mul") {
    if (da.kind === "inf" || db.kind === "inf") return da.kind === "zero" || db.kind === "zero" ? [INDEF[f], IE] : [infBits(s, f), dn];
    if (da.kind === "zero" || db.kind === "zero") return [signBit(s, f), dn];
    const e = da.E + db.E, n = da.M * db.M;
    return withFlag(e >= 0n ? refRound(s, n << e, 1n, f, mx) : refRound(s, n, 1n << -e, f, mx), dn);
  }
  if (da.kind === "inf") return db.kind === "inf" ? [INDEF[f], IE] : [infBits(s, f), dn];
  if (db.kind === "zero") return da.kind === "zero" ? [INDEF[f], IE] : [infBits(s, f), ZE];
  if (db.kind === "inf" || da.kind === "zero") return [signBit(s, f), dn];
  const e = da.E - db.E;
  return withFlag(e >= 0n ? refRound(s, da.M << e, db.M, f, mx) : refRound(s, da.M, db.M << -e, f, mx), dn);
}

