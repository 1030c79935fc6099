// asm/cpu/ssemath.ts lane by lane (compiled on its own through
// tests/unit/asm/ssemath_entry.ts) against a reference written here from the SDM
// with exact rational arithmetic on BigInt: IEEE rounding in every MXCSR.RC mode,
// overflow (table 4-10), underflow after rounding (§11.5.2.5), FTZ (§10.2.3.3),
// DAZ (§10.2.3.4), the NaN rules of table 4-7 and the priorities of table 6-8.
import { test, expect, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
interface Lanes {
  flags(): number; clear(): void;
  add(a: bigint, b: bigint, neg: number, f: number, mx: number): bigint;
  mul(a: bigint, b: bigint, f: number, mx: number): bigint;
  div(a: bigint, b: bigint, f: number, mx: number): bigint;
  sqrt(a: bigint, f: number, mx: number): bigint;
  minmax(a: bigint, b: bigint, isMax: number, f: number, mx: number): bigint;
  cmp(a: bigint, b: bigint, p: number, f: number, mx: number): number;
  comi(a: bigint, b: bigint, q: number, f: number, mx: number): number;
  toI32(a: bigint, t: number, f: number, mx: number): number;
  fromI32(i: number, f: number, mx: number): bigint;
  cvt(a: bigint, from: number, to: number, mx: number): bigint;
  rcp(a: number): number; rsqrt(a: number): number;
}
let L: Lanes;

beforeAll(async () => {
  const out = join(ROOT, "build/test");
  mkdirSync(out, { recursive: true });
  const wasm = join(out, "ssemath.wasm");
  execFileSync(join(ROOT, "node_modules/.bin/asc"), ["tests/unit/asm/ssemath_entry.ts", "--outFile", wasm,
    "--runtime", "stub", "--enable", "simd", "-O3"], { cwd: ROOT, stdio: "pipe" });
  const inst = await WebAssembly.instantiate(readFileSync(wasm), { env: { memory: new WebAssembly.Memory({ initial: 512 }), abort() { throw new Error("abort"); } } });
  L = inst.instance.exports as unknown as Lanes;
}, 60_000);

// --- the reference ---
const IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, DAZ = 0x40, FTZ = 0x8000;
const MASKED = 0x1f80;
const F32 = 0, F64 = 1;
const FMT = [
  { p: 24n, bias: 127n, fb: 23n, eb: 8n },
  { p: 53n, bias: 1023n, fb: 52n, eb: 11n },
];
type Kind = "zero" | "denorm" | "normal" | "inf" | "qnan" | "snan";
interface Dec { s: number; kind: Kind; M: bigint; E: bigint } // value (-1)^s * M * 2^E

function decode(x: bigint, f: number, mx: number): Dec {
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
const bitlen = (n: bigint) => n.toString(2).length;
const signBit = (s: number, f: number) => BigInt(s) << (FMT[f].fb + FMT[f].eb);
const infBits = (s: number, f: number) => signBit(s, f) | (((1n << FMT[f].eb) - 1n) << FMT[f].fb);
const INDEF = [0xffc00000n, 0xfff8000000000000n];

/** floor((n/d) * 2^-qexp) with the rounding per rc and sign; returns [q, inexact]. */
function roundQ(n: bigint, d: bigint, qexp: bigint, rc: number, s: number): [bigint, boolean] {
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
function refRound(s: number, n: bigint, d: bigint, f: number, mx: number): [bigint, number] {
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
const isNaN_ = (k: Kind) => k === "qnan" || k === "snan";
const quiet = (x: bigint, f: number) => x | (1n << (FMT[f].fb - 1n));
function nan2(a: bigint, da: Dec, b: bigint, db: Dec, f: number): [bigint, number] {
  return [isNaN_(da.kind) ? quiet(a, f) : quiet(b, f), da.kind === "snan" || db.kind === "snan" ? IE : 0];
}
const den = (...ds: Dec[]) => (ds.some((d) => d.kind === "denorm") ? DE : 0);
function withFlag(r: [bigint, number], fl: number): [bigint, number] { return [r[0], r[1] | fl]; }

function refArith(op: "add" | "sub" | "mul" | "div", a: bigint, b: bigint, f: number, mx: number): [bigint, number] {
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

// --- operands: specials, boundaries and random bit patterns ---
let seed = 0x2545f491;
const rnd32 = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return seed >>> 0; };
function specials(f: number): bigint[] {
  const F = FMT[f], one = f === F32 ? 0x3f800000n : 0x3ff0000000000000n;
  const minN = 1n << F.fb, maxF = infBits(0, f) - 1n;
  const base = [0n, 1n, 2n, minN - 1n, minN, minN + 1n, one, one + 1n, one - 1n, maxF, maxF - 1n, infBits(0, f),
    infBits(0, f) | 1n, quiet(infBits(0, f), f) | 5n, one + (3n << (F.fb - 2n)), (F.bias + F.p) << F.fb];
  return [...base, ...base.map((x) => x | signBit(1, f))];
}
function randomOperand(f: number): bigint {
  const r = rnd32() % 8;
  const bits = f === F32 ? BigInt(rnd32()) : (BigInt(rnd32()) << 32n) | BigInt(rnd32());
  const F = FMT[f];
  if (r < 2) return bits & ~(((1n << F.eb) - 1n) << F.fb) | (((F.bias + BigInt(rnd32() % 8) - 4n)) << F.fb); // near 1
  if (r === 2) return bits & ~(((1n << F.eb) - 2n) << F.fb); // exponent 0 or 1: denormals, smallest normals
  if (r === 3) return bits | (((1n << F.eb) - 2n) << F.fb) & ~(1n << F.fb); // near the top
  return bits;
}
const MODES: number[] = [];
for (const rc of [0, 1, 2, 3]) for (const extra of [0, FTZ, DAZ, FTZ | DAZ]) MODES.push(MASKED | (rc << 13) | extra);
MODES.push(0x0000, 0x6000 | (PE << 7), 0x2000 | ((PE | UE) << 7)); // unmasked OE/UE (and more)

const hex = (x: bigint) => x.toString(16);

test("ssemath: add, sub, mul, div of f32 and f64 under every RC, FTZ, DAZ and mask set match the SDM reference", () => {
  const ops = ["add", "sub", "mul", "div"] as const;
  let n = 0;
  for (const f of [F32, F64]) {
    const pairs: [bigint, bigint][] = [];
    const sp = specials(f);
    for (const a of sp) for (const b of sp) pairs.push([a, b]);
    for (let i = 0; i < 1500; i++) pairs.push([randomOperand(f), randomOperand(f)]);
    for (const mx of MODES) for (const [a, b] of pairs) for (const op of ops) {
      const [want, wantFl] = refArith(op, a, b, f, mx);
      L.clear();
      const got = op === "add" ? L.add(a, b, 0, f, mx) : op === "sub" ? L.add(a, b, 1, f, mx) : op === "mul" ? L.mul(a, b, f, mx) : L.div(a, b, f, mx);
      const fl = L.flags();
      const unmaskedPost = (fl & 0x38 & ~(mx >> 7)) !== 0;
      const where = `${op} f${f ? 64 : 32} ${hex(a)} ${hex(b)} mx=${mx.toString(16)}`;
      expect(fl, where).toBe(wantFl);
      if (!unmaskedPost && !(fl & 7 & ~(mx >> 7))) expect(hex(BigInt.asUintN(f ? 64 : 32, got)), where).toBe(hex(want));
      n++;
    }
  }
  expect(n).toBeGreaterThan(300_000);
});

test("ssemath: sqrt is the correctly rounded root (r^2 brackets x) in every mode", () => {
  for (const f of [F32, F64]) for (const mx of MODES.slice(0, 16)) for (let i = 0; i < 2000; i++) {
    const a = i < specials(f).length ? specials(f)[i] : randomOperand(f);
    L.clear();
    const r = BigInt.asUintN(f ? 64 : 32, L.sqrt(a, f, mx));
    const fl = L.flags();
    const d = decode(a, f, mx);
    const where = `sqrt ${hex(a)} mx=${mx.toString(16)}`;
    if (isNaN_(d.kind)) { expect([r, fl], where).toEqual([quiet(a, f), d.kind === "snan" ? IE : 0]); continue; }
    if (d.kind === "zero") { expect([r, fl], where).toEqual([signBit(d.s, f), 0]); continue; }
    if (d.s) { expect([r, fl], where).toEqual([INDEF[f], IE]); continue; }
    if (d.kind === "inf") { expect([r, fl], where).toEqual([a, 0]); continue; }
    // r = M' 2^E' (normal: the result of a square root of a float is never tiny);
    // it must satisfy the mode's bracket: RN |sqrt x - r| <= half an ulp, etc.
    const dr = decode(r, f, 0);
    const x = [d.M, d.E] as const, R = [dr.M, dr.E] as const;
    // compare (R.M * 2^R.E)^2 against x, and (R.M +- 1/2)... via integers scaled by 2^(-2 R.E + 2)
    const cmp = (m2: bigint) => { // sign of (m2/4 * 2^(2 R.E)) - x.M*2^x.E, m2 = (2 R.M + k)^2
      const e1 = 2n * R[1] - 2n, e2 = x[1];
      const lo = e1 < e2 ? e1 : e2;
      const l = m2 << (e1 - lo), rr = x[0] << (e2 - lo);
      return l === rr ? 0 : l < rr ? -1 : 1;
    };
    const at = cmp((2n * R[0]) ** 2n), below = cmp((2n * R[0] - 1n) ** 2n), above = cmp((2n * R[0] + 1n) ** 2n);
    const rc = (mx >> 13) & 3;
    expect(fl, where).toBe(at === 0 ? (d.kind === "denorm" ? DE : 0) : PE | (d.kind === "denorm" ? DE : 0));
    if (rc === 0) expect(below <= 0 && above >= 0, where).toBe(true);
    else if (rc === 2) expect(at >= 0 && cmp((2n * R[0] - 2n) ** 2n) < 0, where).toBe(true);
    else expect(at <= 0 && cmp((2n * R[0] + 2n) ** 2n) > 0, where).toBe(true);
  }
});

test("ssemath: MIN/MAX, compares and COMIS rules (SDM vol. 2 MAXPS, CMPPS, COMISS, UCOMISS)", () => {
  const one = 0x3f800000n, two = 0x40000000n, qnan = 0x7fc00001n, snan = 0x7f800001n, den32 = 0x00000001n;
  const mm = (a: bigint, b: bigint, isMax: number, mx = MASKED) => { L.clear(); const r = L.minmax(a, b, isMax, F32, mx); return [hex(BigInt.asUintN(32, r)), L.flags()]; };
  expect(mm(one, two, 1)).toEqual(["40000000", 0]);
  expect(mm(one, two, 0)).toEqual(["3f800000", 0]);
  expect(mm(0n, 0x80000000n, 1)).toEqual(["80000000", 0]); // both zero: the second
  expect(mm(0x80000000n, 0n, 0)).toEqual(["0", 0]);
  expect(mm(qnan, one, 1)).toEqual(["3f800000", IE]);    // any NaN: the second, invalid
  expect(mm(one, snan, 0)).toEqual(["7f800001", IE]);    // returned unchanged, not quieted
  expect(mm(den32, 0n, 1)).toEqual(["1", DE]);
  expect(mm(den32, 0n, 1, MASKED | DAZ)).toEqual(["0", 0]); // DAZ: both zero, the second
  const cm = (a: bigint, b: bigint, p: number) => { L.clear(); const r = L.cmp(a, b, p, F32, MASKED); return [r, L.flags()]; };
  // predicates 0-7 on 1 < 2, 2 vs 2, and unordered with a QNaN / SNaN
  expect([0, 1, 2, 3, 4, 5, 6, 7].map((p) => cm(one, two, p)[0])).toEqual([0, 1, 1, 0, 1, 0, 0, 1]);
  expect([0, 1, 2, 3, 4, 5, 6, 7].map((p) => cm(two, two, p)[0])).toEqual([1, 0, 1, 0, 0, 1, 0, 1]);
  expect([0, 1, 2, 3, 4, 5, 6, 7].map((p) => cm(qnan, two, p))).toEqual(
    [[0, 0], [0, IE], [0, IE], [1, 0], [1, 0], [1, IE], [1, IE], [0, 0]]);
  expect([0, 3, 4, 7].map((p) => cm(two, snan, p)[1])).toEqual([IE, IE, IE, IE]);
  const co = (a: bigint, b: bigint, q: number) => { L.clear(); return [L.comi(a, b, q, F32, MASKED), L.flags()]; };
  expect(co(one, two, 1)).toEqual([1, 0]);
  expect(co(two, one, 0)).toEqual([0, 0]);
  expect(co(0n, 0x80000000n, 0)).toEqual([2, 0]);
  expect(co(qnan, one, 0)).toEqual([3, 0]);   // UCOMISS: QNaN quiet
  expect(co(qnan, one, 1)).toEqual([3, IE]);  // COMISS: QNaN invalid
  expect(co(snan, one, 0)).toEqual([3, IE]);
});

test("ssemath: conversions (integer indefinite, RC and truncation, f32<->f64 with NaN payloads)", () => {
  const ti = (a: bigint, t: number, f: number, mx = MASKED) => { L.clear(); const r = L.toI32(a, t, f, mx); return [(r >>> 0).toString(16), L.flags()]; };
  const f64 = (x: number) => BigInt.asUintN(64, BigInt(new BigInt64Array(new Float64Array([x]).buffer)[0]));
  expect(ti(f64(2.5), 0, F64)).toEqual(["2", PE]);            // nearest even
  expect(ti(f64(3.5), 0, F64)).toEqual(["4", PE]);
  expect(ti(f64(-2.5), 0, F64, MASKED | 0x2000)).toEqual(["fffffffd", PE]); // down
  expect(ti(f64(-2.5), 1, F64, MASKED | 0x2000)).toEqual(["fffffffe", PE]); // CVTT: toward zero
  expect(ti(f64(2147483647.4), 0, F64)).toEqual(["7fffffff", PE]);
  expect(ti(f64(2147483647.5), 0, F64)).toEqual(["80000000", IE]);
  expect(ti(f64(-2147483648.9), 1, F64)).toEqual(["80000000", PE]);
  expect(ti(f64(-2147483649), 1, F64)).toEqual(["80000000", IE]);
  expect(ti(0x7ff8000000000000n, 0, F64)).toEqual(["80000000", IE]);
  expect(ti(0xff800000n, 1, F32)).toEqual(["80000000", IE]);
  expect(ti(1n, 0, F32)).toEqual(["0", PE]);                  // a denormal: inexact, no DE
  expect(ti(1n, 0, F32, MASKED | 0x4000)).toEqual(["1", PE]); // up
  expect(ti(1n, 0, F32, MASKED | 0x4000 | DAZ)).toEqual(["0", 0]);
  const fi = (i: number, f: number, mx = MASKED) => { L.clear(); const r = L.fromI32(i, f, mx); return [hex(BigInt.asUintN(64, r)), L.flags()]; };
  expect(fi(16777217, F32)).toEqual(["4b800000", PE]);       // 2^24+1: ties to even
  expect(fi(16777217, F32, MASKED | 0x4000)).toEqual(["4b800001", PE]);
  expect(fi(-2147483648, F32)).toEqual(["cf000000", 0]);
  expect(fi(-2147483647, F64)).toEqual(["c1dfffffffc00000", 0]);
  const cv = (a: bigint, from: number, to: number, mx = MASKED) => { L.clear(); const r = L.cvt(a, from, to, mx); return [hex(BigInt.asUintN(64, r)), L.flags()]; };
  expect(cv(0x7f800001n, F32, F64)).toEqual(["7ff8000020000000", IE]); // SNaN: quieted, payload kept
  expect(cv(0xfff0000000000001n, F64, F32)).toEqual(["ffc00000", IE]);  // payload below f32's: lost
  expect(cv(0x00000001n, F32, F64)).toEqual(["36a0000000000000", DE]);  // 2^-149, exact
  expect(cv(f64(1e300), F64, F32)).toEqual(["7f800000", OE | PE]);
  expect(cv(f64(1e300), F64, F32, MASKED | 0x6000)).toEqual(["7f7fffff", OE | PE]);
  expect(cv(f64(1e-300), F64, F32)).toEqual(["0", UE | PE]);
  expect(cv(f64(1e-300), F64, F32, MASKED | 0x4000)).toEqual(["1", UE | PE]);
  expect(cv(f64(2 ** -149), F64, F32, MASKED | FTZ)).toEqual(["0", UE | PE]); // exact but tiny: FTZ
  expect(cv(f64(2 ** -149), F64, F32)).toEqual(["1", 0]);                   // exact tiny: no flag
  // every f64 -> f32 against the reference on random operands
  for (const mx of MODES) for (let i = 0; i < 2000; i++) {
    const a = randomOperand(F64);
    const d = decode(a, F64, mx);
    if (d.kind !== "normal" && d.kind !== "denorm") continue;
    const [w, wf] = refRound(d.s, d.E >= 0n ? d.M << d.E : d.M, d.E >= 0n ? 1n : 1n << -d.E, F32, mx);
    L.clear();
    const r = BigInt.asUintN(32, L.cvt(a, F64, F32, mx));
    const fl = L.flags();
    expect(fl, hex(a)).toBe(wf | den(d));
    if (!(fl & 0x38 & ~(mx >> 7))) expect(hex(r), hex(a)).toBe(hex(w));
  }
});

test("ssemath: RCP and RSQRT within the SDM's 1.5 * 2^-12 and their special values", () => {
  const f32 = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
  const val = (b: number) => new Float32Array(new Uint32Array([b]).buffer)[0];
  for (let i = 0; i < 5000; i++) {
    const a = (rnd32() & 0x7fffffff) % 0x7d800000 + 0x01000000; // positive normals below 2^126: 1/x is normal
    const x = val(a);
    expect(Math.abs(val(L.rcp(a)) * x - 1)).toBeLessThanOrEqual(1.5 * 2 ** -12);
    expect(Math.abs(val(L.rsqrt(a)) * Math.sqrt(x) - 1)).toBeLessThanOrEqual(1.5 * 2 ** -12);
  }
  expect(L.rcp(0) >>> 0).toBe(0x7f800000);
  expect(L.rcp(0x80000001) >>> 0).toBe(0xff800000); // a denormal counts as zero
  expect(L.rcp(f32(2 ** 127)) >>> 0).toBe(0);       // tiny result flushed
  expect(L.rcp(0x7f800001) >>> 0).toBe(0x7fc00001);
  expect(L.rsqrt(f32(-4)) >>> 0).toBe(0xffc00000);
  expect(L.rsqrt(0x80000000) >>> 0).toBe(0xff800000);
  expect(L.rsqrt(0x7f800000) >>> 0).toBe(0);
});
