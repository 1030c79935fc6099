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

import {
  IE, DE, ZE, OE, UE, PE, DAZ, FTZ, MASKED, F32, F64, FMT, decode, signBit, infBits, INDEF,
  refRound, isNaN_, quiet, den, refArith,
} from "../guest/sseref";

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

test("ssemath: normal operands in every RC (the f64 fast paths and their edges) match the SDM reference", () => {
  // exponents spread over the whole range, so that results land near overflow,
  // near the smallest normal and in between, with signs mixed
  const ops = ["add", "sub", "mul", "div"] as const;
  for (const f of [F32, F64]) {
    const F = FMT[f];
    const normal = () => {
      const frac = f === F32 ? BigInt(rnd32() & 0x7fffff) : (BigInt(rnd32() & 0xfffff) << 32n) | BigInt(rnd32());
      const e = 1n + BigInt(rnd32()) % ((1n << F.eb) - 2n);
      return (BigInt(rnd32() & 1) << (F.fb + F.eb)) | (e << F.fb) | frac;
    };
    for (let i = 0; i < 4000; i++) {
      const a = normal(), b = i % 2 ? normal() : a ^ BigInt(rnd32() & 0xff); // also nearly equal pairs
      for (const rc of [0, 1, 2, 3]) {
        const mx = MASKED | (rc << 13);
        for (const op of ops) {
          const [want, wantFl] = refArith(op, a, b, f, mx);
          L.clear();
          const got = op === "add" ? L.add(a, b, 0, f, mx) : op === "sub" ? L.add(a, b, 1, f, mx) : op === "mul" ? L.mul(a, b, f, mx) : L.div(a, b, f, mx);
          const where = `${op} f${f ? 64 : 32} ${hex(a)} ${hex(b)} rc=${rc}`;
          expect([hex(BigInt.asUintN(f ? 64 : 32, got)), L.flags()], where).toEqual([hex(want), wantFl]);
        }
      }
    }
  }
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
