// The SSE, SSE2 and SSE3 floating-point instructions (SDM vol. 1 ch. 10-12; vol. 2
// ADDPS ... SUBSD, SQRT*, MIN*, MAX*, CMP*, COMIS*, UCOMIS*, RCP*, RSQRT*, CVT*,
// ADDSUB*, HADD*, HSUB*).
//
// Each instruction runs sse.ts's checks (sseEnter: #UD, #NM; for an MMX operand
// also x87.ts's mmxEnter: #MF and the MMX transition), reads its operands (m128
// operands 16-byte aligned or #GP(0), except the m64 forms), computes every lane
// with ssemath.ts, then reports the lanes' exception flags as SDM vol. 1 §11.5.3
// orders them: if any lane has an unmasked pre-computation exception (IE, DE, ZE),
// only the pre-computation flags are set; otherwise all of them are; an unmasked
// one then raises #XM (#UD with CR4.OSXMMEXCPT = 0, sse.ts simdFpExceptions) and
// the destination is left unchanged. Otherwise the result is written.
//
// Names as sse.ts: V = XMM in ModRM.reg, W = XMM or memory in ModRM.rm; P = MMX
// in ModRM.reg, Q = MMX or m64; G/E general register or r/m32. Suffixes give the
// SDM's operand types (ps, pd, ss, sd, dq, pi).

import { modrm, imm, readE32 } from "./decode";
import { faultPending } from "./fault";
import { setReg32, ARITH_FLAGS, CF, PF, ZF } from "./state";
import { setArithFlags } from "./flags";
import { FEAT_SSE, FEAT_SSE2, FEAT_SSE3 } from "./features";
import { mmxEnter, mmRead, mmWrite } from "./x87";
import {
  sseEnter, xmm, setXmm, vIdx, readW128, readW64, readW32, readM64, mxcsr,
  simdFpExceptions, MX_MASK_SHIFT,
} from "./sse";
import {
  sxFlags, clearSxFlags, MX_PRE, F32, F64, fadd, fmul, fdiv, fsqrt, fminmax, fcmp, fcomi,
  fcvtToI32, fcvtFromI32, fcvtFormat, frcp, frsqrt, CMP_LT, CMP_EQ, CMP_UNORD,
} from "./ssemath";

// --- the lane operations ---
const OP_ADD: u32 = 0;
const OP_SUB: u32 = 1;
const OP_MUL: u32 = 2;
const OP_DIV: u32 = 3;
const OP_MIN: u32 = 4;
const OP_MAX: u32 = 5;

function binop(op: u32, a: u64, b: u64, f: u32, mx: u32): u64 {
  switch (op) {
    case OP_ADD: return fadd(a, b, false, f, mx);
    case OP_SUB: return fadd(a, b, true, f, mx);
    case OP_MUL: return fmul(a, b, f, mx);
    case OP_DIV: return fdiv(a, b, f, mx);
    case OP_MIN: return fminmax(a, b, false, f, mx);
    default: return fminmax(a, b, true, f, mx);
  }
}
@inline function op32(op: u32, a: i32, b: i32, mx: u32): i32 {
  return <i32>binop(op, <u64><u32>a, <u64><u32>b, F32, mx);
}
@inline function op64(op: u32, a: i64, b: i64, mx: u32): i64 {
  return <i64>binop(op, <u64>a, <u64>b, F64, mx);
}

/** The lanes' flags into MXCSR in the order of §11.5.3; false (after #XM or
 *  #UD) when one is unmasked: then nothing may be written. */
function report(): bool {
  let f = sxFlags;
  let masks = mxcsr() >> MX_MASK_SHIFT;
  if ((f & MX_PRE & ~masks) != 0) f &= MX_PRE;
  return simdFpExceptions(f);
}
/** The checks and the W operand (128 bits, aligned), then clear the lane flags.
 *  False after a fault. */
function enterW128(feat: u32): bool {
  if (!sseEnter(feat)) return false;
  w = readW128(true);
  if (faultPending) return false;
  clearSxFlags();
  return true;
}
let w: v128 = i64x2.splat(0);   // the W operand
let w64: u64 = 0;               // a 64-bit W operand (Wq) or an MMX register
let w32: u32 = 0;               // a 32-bit W operand (Wd)
function enterW64(feat: u32): bool {
  if (!sseEnter(feat)) return false;
  w64 = readW64();
  if (faultPending) return false;
  clearSxFlags();
  return true;
}
function enterW32(feat: u32): bool {
  if (!sseEnter(feat)) return false;
  w32 = readW32();
  if (faultPending) return false;
  clearSxFlags();
  return true;
}
@inline function commitV(r: v128): void { if (report()) setXmm(vIdx(), r); }

// --- packed and scalar arithmetic ---
function ps(op: u32): void {
  if (!enterW128(FEAT_SSE)) return;
  let a = xmm(vIdx()), mx = mxcsr();
  let r = i32x4.splat(op32(op, i32x4.extract_lane(a, 0), i32x4.extract_lane(w, 0), mx));
  r = i32x4.replace_lane(r, 1, op32(op, i32x4.extract_lane(a, 1), i32x4.extract_lane(w, 1), mx));
  r = i32x4.replace_lane(r, 2, op32(op, i32x4.extract_lane(a, 2), i32x4.extract_lane(w, 2), mx));
  r = i32x4.replace_lane(r, 3, op32(op, i32x4.extract_lane(a, 3), i32x4.extract_lane(w, 3), mx));
  commitV(r);
}
function pd(op: u32): void {
  if (!enterW128(FEAT_SSE2)) return;
  let a = xmm(vIdx()), mx = mxcsr();
  let r = i64x2.splat(op64(op, i64x2.extract_lane(a, 0), i64x2.extract_lane(w, 0), mx));
  r = i64x2.replace_lane(r, 1, op64(op, i64x2.extract_lane(a, 1), i64x2.extract_lane(w, 1), mx));
  commitV(r);
}
function ss(op: u32): void {
  if (!enterW32(FEAT_SSE)) return;
  let a = xmm(vIdx());
  commitV(i32x4.replace_lane(a, 0, op32(op, i32x4.extract_lane(a, 0), <i32>w32, mxcsr())));
}
function sd(op: u32): void {
  if (!enterW64(FEAT_SSE2)) return;
  let a = xmm(vIdx());
  commitV(i64x2.replace_lane(a, 0, op64(op, i64x2.extract_lane(a, 0), <i64>w64, mxcsr())));
}

export function addps_Vps_Wps(): void { ps(OP_ADD); }
export function subps_Vps_Wps(): void { ps(OP_SUB); }
export function mulps_Vps_Wps(): void { ps(OP_MUL); }
export function divps_Vps_Wps(): void { ps(OP_DIV); }
export function minps_Vps_Wps(): void { ps(OP_MIN); }
export function maxps_Vps_Wps(): void { ps(OP_MAX); }
export function addpd_Vpd_Wpd(): void { pd(OP_ADD); }
export function subpd_Vpd_Wpd(): void { pd(OP_SUB); }
export function mulpd_Vpd_Wpd(): void { pd(OP_MUL); }
export function divpd_Vpd_Wpd(): void { pd(OP_DIV); }
export function minpd_Vpd_Wpd(): void { pd(OP_MIN); }
export function maxpd_Vpd_Wpd(): void { pd(OP_MAX); }
export function addss_Vss_Wss(): void { ss(OP_ADD); }
export function subss_Vss_Wss(): void { ss(OP_SUB); }
export function mulss_Vss_Wss(): void { ss(OP_MUL); }
export function divss_Vss_Wss(): void { ss(OP_DIV); }
export function minss_Vss_Wss(): void { ss(OP_MIN); }
export function maxss_Vss_Wss(): void { ss(OP_MAX); }
export function addsd_Vsd_Wsd(): void { sd(OP_ADD); }
export function subsd_Vsd_Wsd(): void { sd(OP_SUB); }
export function mulsd_Vsd_Wsd(): void { sd(OP_MUL); }
export function divsd_Vsd_Wsd(): void { sd(OP_DIV); }
export function minsd_Vsd_Wsd(): void { sd(OP_MIN); }
export function maxsd_Vsd_Wsd(): void { sd(OP_MAX); }

// --- SSE3: ADDSUBPS/PD, HADDPS/PD, HSUBPS/PD ---
/** ADDSUBPS: subtract in the even lanes, add in the odd ones. */
export function addsubps_Vps_Wps(): void {
  if (!enterW128(FEAT_SSE3)) return;
  let a = xmm(vIdx()), mx = mxcsr();
  let r = i32x4.splat(op32(OP_SUB, i32x4.extract_lane(a, 0), i32x4.extract_lane(w, 0), mx));
  r = i32x4.replace_lane(r, 1, op32(OP_ADD, i32x4.extract_lane(a, 1), i32x4.extract_lane(w, 1), mx));
  r = i32x4.replace_lane(r, 2, op32(OP_SUB, i32x4.extract_lane(a, 2), i32x4.extract_lane(w, 2), mx));
  r = i32x4.replace_lane(r, 3, op32(OP_ADD, i32x4.extract_lane(a, 3), i32x4.extract_lane(w, 3), mx));
  commitV(r);
}
export function addsubpd_Vpd_Wpd(): void {
  if (!enterW128(FEAT_SSE3)) return;
  let a = xmm(vIdx()), mx = mxcsr();
  let r = i64x2.splat(op64(OP_SUB, i64x2.extract_lane(a, 0), i64x2.extract_lane(w, 0), mx));
  r = i64x2.replace_lane(r, 1, op64(OP_ADD, i64x2.extract_lane(a, 1), i64x2.extract_lane(w, 1), mx));
  commitV(r);
}
/** HADDPS/HSUBPS: adjacent lanes of V, then of W (lane 2k op lane 2k+1). */
function hps(op: u32): void {
  if (!enterW128(FEAT_SSE3)) return;
  let a = xmm(vIdx()), mx = mxcsr();
  let r = i32x4.splat(op32(op, i32x4.extract_lane(a, 0), i32x4.extract_lane(a, 1), mx));
  r = i32x4.replace_lane(r, 1, op32(op, i32x4.extract_lane(a, 2), i32x4.extract_lane(a, 3), mx));
  r = i32x4.replace_lane(r, 2, op32(op, i32x4.extract_lane(w, 0), i32x4.extract_lane(w, 1), mx));
  r = i32x4.replace_lane(r, 3, op32(op, i32x4.extract_lane(w, 2), i32x4.extract_lane(w, 3), mx));
  commitV(r);
}
function hpd(op: u32): void {
  if (!enterW128(FEAT_SSE3)) return;
  let a = xmm(vIdx()), mx = mxcsr();
  let r = i64x2.splat(op64(op, i64x2.extract_lane(a, 0), i64x2.extract_lane(a, 1), mx));
  r = i64x2.replace_lane(r, 1, op64(op, i64x2.extract_lane(w, 0), i64x2.extract_lane(w, 1), mx));
  commitV(r);
}
export function haddps_Vps_Wps(): void { hps(OP_ADD); }
export function hsubps_Vps_Wps(): void { hps(OP_SUB); }
export function haddpd_Vpd_Wpd(): void { hpd(OP_ADD); }
export function hsubpd_Vpd_Wpd(): void { hpd(OP_SUB); }

// --- SQRT, RCP, RSQRT ---
const U_SQRT: u32 = 0;
const U_RCP: u32 = 1;
const U_RSQRT: u32 = 2;
function unop32(u: u32, x: i32, mx: u32): i32 {
  if (u == U_SQRT) return <i32>fsqrt(<u64><u32>x, F32, mx);
  return <i32>(u == U_RCP ? frcp(<u32>x) : frsqrt(<u32>x));
}
function ups(u: u32): void {
  if (!enterW128(FEAT_SSE)) return;
  let mx = mxcsr();
  let r = i32x4.splat(unop32(u, i32x4.extract_lane(w, 0), mx));
  r = i32x4.replace_lane(r, 1, unop32(u, i32x4.extract_lane(w, 1), mx));
  r = i32x4.replace_lane(r, 2, unop32(u, i32x4.extract_lane(w, 2), mx));
  r = i32x4.replace_lane(r, 3, unop32(u, i32x4.extract_lane(w, 3), mx));
  commitV(r);
}
function uss(u: u32): void {
  if (!enterW32(FEAT_SSE)) return;
  commitV(i32x4.replace_lane(xmm(vIdx()), 0, unop32(u, <i32>w32, mxcsr())));
}
export function sqrtps_Vps_Wps(): void { ups(U_SQRT); }
export function sqrtss_Vss_Wss(): void { uss(U_SQRT); }
export function rcpps_Vps_Wps(): void { ups(U_RCP); }
export function rcpss_Vss_Wss(): void { uss(U_RCP); }
export function rsqrtps_Vps_Wps(): void { ups(U_RSQRT); }
export function rsqrtss_Vss_Wss(): void { uss(U_RSQRT); }
export function sqrtpd_Vpd_Wpd(): void {
  if (!enterW128(FEAT_SSE2)) return;
  let mx = mxcsr();
  let r = i64x2.splat(<i64>fsqrt(<u64>i64x2.extract_lane(w, 0), F64, mx));
  commitV(i64x2.replace_lane(r, 1, <i64>fsqrt(<u64>i64x2.extract_lane(w, 1), F64, mx)));
}
export function sqrtsd_Vsd_Wsd(): void {
  if (!enterW64(FEAT_SSE2)) return;
  commitV(i64x2.replace_lane(xmm(vIdx()), 0, <i64>fsqrt(w64, F64, mxcsr())));
}

// --- CMPccPS/PD/SS/SD (imm8 bits 2:0 the predicate; bits 7:3 are reserved in
// the legacy encoding, SDM vol. 2 CMPPS, and ignored) ---
@inline function pred(): u32 { return imm & 7; }
@inline function cmp32(a: i32, b: i32, mx: u32): i32 {
  return fcmp(<u64><u32>a, <u64><u32>b, pred(), F32, mx) ? -1 : 0;
}
@inline function cmp64(a: i64, b: i64, mx: u32): i64 {
  return fcmp(<u64>a, <u64>b, pred(), F64, mx) ? -1 : 0;
}
export function cmpps_Vps_Wps_Ib(): void {
  if (!enterW128(FEAT_SSE)) return;
  let a = xmm(vIdx()), mx = mxcsr();
  let r = i32x4.splat(cmp32(i32x4.extract_lane(a, 0), i32x4.extract_lane(w, 0), mx));
  r = i32x4.replace_lane(r, 1, cmp32(i32x4.extract_lane(a, 1), i32x4.extract_lane(w, 1), mx));
  r = i32x4.replace_lane(r, 2, cmp32(i32x4.extract_lane(a, 2), i32x4.extract_lane(w, 2), mx));
  r = i32x4.replace_lane(r, 3, cmp32(i32x4.extract_lane(a, 3), i32x4.extract_lane(w, 3), mx));
  commitV(r);
}
export function cmppd_Vpd_Wpd_Ib(): void {
  if (!enterW128(FEAT_SSE2)) return;
  let a = xmm(vIdx()), mx = mxcsr();
  let r = i64x2.splat(cmp64(i64x2.extract_lane(a, 0), i64x2.extract_lane(w, 0), mx));
  commitV(i64x2.replace_lane(r, 1, cmp64(i64x2.extract_lane(a, 1), i64x2.extract_lane(w, 1), mx)));
}
export function cmpss_Vss_Wss_Ib(): void {
  if (!enterW32(FEAT_SSE)) return;
  let a = xmm(vIdx());
  commitV(i32x4.replace_lane(a, 0, cmp32(i32x4.extract_lane(a, 0), <i32>w32, mxcsr())));
}
export function cmpsd_Vsd_Wsd_Ib(): void {
  if (!enterW64(FEAT_SSE2)) return;
  let a = xmm(vIdx());
  commitV(i64x2.replace_lane(a, 0, cmp64(i64x2.extract_lane(a, 0), <i64>w64, mxcsr())));
}

// --- COMISS/COMISD/UCOMISS/UCOMISD: ZF PF CF from the relation (unordered
// 111, greater 000, less 001, equal 100); OF SF AF cleared; EFLAGS unchanged
// after #XM ---
function setComiFlags(r: u32): void {
  let v: u32 = r == CMP_UNORD ? ZF | PF | CF : r == CMP_LT ? CF : r == CMP_EQ ? ZF : 0;
  setArithFlags(ARITH_FLAGS, v);
}
function comis(signalQNaN: bool): void {
  if (!enterW32(FEAT_SSE)) return;
  let r = fcomi(<u64><u32>i32x4.extract_lane(xmm(vIdx()), 0), <u64>w32, signalQNaN, F32, mxcsr());
  if (report()) setComiFlags(r);
}
function comisd(signalQNaN: bool): void {
  if (!enterW64(FEAT_SSE2)) return;
  let r = fcomi(<u64>i64x2.extract_lane(xmm(vIdx()), 0), w64, signalQNaN, F64, mxcsr());
  if (report()) setComiFlags(r);
}
export function comiss_Vss_Wss(): void { comis(true); }
export function ucomiss_Vss_Wss(): void { comis(false); }
export function comisd_Vsd_Wsd(): void { comisd(true); }
export function ucomisd_Vsd_Wsd(): void { comisd(false); }

// --- conversions between formats ---
@inline function s2d(x: i32, mx: u32): i64 { return <i64>fcvtFormat(<u64><u32>x, F32, F64, mx); }
@inline function d2s(x: i64, mx: u32): i32 { return <i32>fcvtFormat(<u64>x, F64, F32, mx); }
/** CVTPS2PD xmm, xmm/m64: the two low singles, exactly. */
export function cvtps2pd_Vpd_Wps(): void {
  if (!enterW64(FEAT_SSE2)) return;
  let mx = mxcsr();
  let r = i64x2.splat(s2d(<i32>w64, mx));
  commitV(i64x2.replace_lane(r, 1, s2d(<i32>(w64 >> 32), mx)));
}
/** CVTPD2PS: two singles in the low half, the high half zeroed. */
export function cvtpd2ps_Vps_Wpd(): void {
  if (!enterW128(FEAT_SSE2)) return;
  let mx = mxcsr();
  let r = i32x4.splat(0);
  r = i32x4.replace_lane(r, 0, d2s(i64x2.extract_lane(w, 0), mx));
  commitV(i32x4.replace_lane(r, 1, d2s(i64x2.extract_lane(w, 1), mx)));
}
export function cvtss2sd_Vsd_Wss(): void {
  if (!enterW32(FEAT_SSE2)) return;
  commitV(i64x2.replace_lane(xmm(vIdx()), 0, s2d(<i32>w32, mxcsr())));
}
export function cvtsd2ss_Vss_Wsd(): void {
  if (!enterW64(FEAT_SSE2)) return;
  commitV(i32x4.replace_lane(xmm(vIdx()), 0, d2s(<i64>w64, mxcsr())));
}

// --- conversions from int32 ---
@inline function i2s(x: i32, mx: u32): i32 { return <i32>fcvtFromI32(x, F32, mx); }
@inline function i2d(x: i32, mx: u32): i64 { return <i64>fcvtFromI32(x, F64, mx); }
export function cvtdq2ps_Vps_Wdq(): void {
  if (!enterW128(FEAT_SSE2)) return;
  let mx = mxcsr();
  let r = i32x4.splat(i2s(i32x4.extract_lane(w, 0), mx));
  r = i32x4.replace_lane(r, 1, i2s(i32x4.extract_lane(w, 1), mx));
  r = i32x4.replace_lane(r, 2, i2s(i32x4.extract_lane(w, 2), mx));
  commitV(i32x4.replace_lane(r, 3, i2s(i32x4.extract_lane(w, 3), mx)));
}
/** CVTDQ2PD xmm, xmm/m64: exact. */
export function cvtdq2pd_Vpd_Wq(): void {
  if (!enterW64(FEAT_SSE2)) return;
  let mx = mxcsr();
  commitV(i64x2.replace_lane(i64x2.splat(i2d(<i32>w64, mx)), 1, i2d(<i32>(w64 >> 32), mx)));
}
export function cvtsi2ss_Vss_Ed(): void {
  if (!sseEnter(FEAT_SSE)) return;
  let x = readE32();
  if (faultPending) return;
  clearSxFlags();
  commitV(i32x4.replace_lane(xmm(vIdx()), 0, i2s(<i32>x, mxcsr())));
}
export function cvtsi2sd_Vsd_Ed(): void {
  if (!sseEnter(FEAT_SSE2)) return;
  let x = readE32();
  if (faultPending) return;
  clearSxFlags();
  commitV(i64x2.replace_lane(xmm(vIdx()), 0, i2d(<i32>x, mxcsr())));
}

// --- conversions to int32 (`t`: truncating, the CVTT* forms) ---
@inline function s2i(x: i32, t: bool, mx: u32): i32 { return <i32>fcvtToI32(<u64><u32>x, t, F32, mx); }
@inline function d2i(x: i64, t: bool, mx: u32): i32 { return <i32>fcvtToI32(<u64>x, t, F64, mx); }
function ps2dq(t: bool): void {
  if (!enterW128(FEAT_SSE2)) return;
  let mx = mxcsr();
  let r = i32x4.splat(s2i(i32x4.extract_lane(w, 0), t, mx));
  r = i32x4.replace_lane(r, 1, s2i(i32x4.extract_lane(w, 1), t, mx));
  r = i32x4.replace_lane(r, 2, s2i(i32x4.extract_lane(w, 2), t, mx));
  commitV(i32x4.replace_lane(r, 3, s2i(i32x4.extract_lane(w, 3), t, mx)));
}
/** CVTPD2DQ/CVTTPD2DQ: two int32 in the low half, the high half zeroed. */
function pd2dq(t: bool): void {
  if (!enterW128(FEAT_SSE2)) return;
  let mx = mxcsr();
  let r = i32x4.replace_lane(i32x4.splat(0), 0, d2i(i64x2.extract_lane(w, 0), t, mx));
  commitV(i32x4.replace_lane(r, 1, d2i(i64x2.extract_lane(w, 1), t, mx)));
}
export function cvtps2dq_Vdq_Wps(): void { ps2dq(false); }
export function cvttps2dq_Vdq_Wps(): void { ps2dq(true); }
export function cvtpd2dq_Vdq_Wpd(): void { pd2dq(false); }
export function cvttpd2dq_Vdq_Wpd(): void { pd2dq(true); }

function ss2si(t: bool): void {
  if (!enterW32(FEAT_SSE)) return;
  let r = s2i(<i32>w32, t, mxcsr());
  if (report()) setReg32(vIdx(), <u32>r);
}
function sd2si(t: bool): void {
  if (!enterW64(FEAT_SSE2)) return;
  let r = d2i(<i64>w64, t, mxcsr());
  if (report()) setReg32(vIdx(), <u32>r);
}
export function cvtss2si_Gd_Wss(): void { ss2si(false); }
export function cvttss2si_Gd_Wss(): void { ss2si(true); }
export function cvtsd2si_Gd_Wsd(): void { sd2si(false); }
export function cvttsd2si_Gd_Wsd(): void { sd2si(true); }

// --- the MMX-operand conversions: after the SSE checks, mmxEnter (#MF for a
// pending x87 exception, then TOP = 0 and every tag valid), for the register and
// the memory forms alike (SDM vol. 2 CVTPI2PS, CVTPS2PI: "causes a transition
// from x87 FPU to MMX technology operation") ---
/** The Q operand (MMX register or m64) into w64, after both sets of checks. */
function enterQ(feat: u32): bool {
  if (!sseEnter(feat) || !mmxEnter()) return false;
  w64 = modrm >= 0xc0 ? mmRead(modrm & 7) : readM64();
  if (faultPending) return false;
  clearSxFlags();
  return true;
}
/** CVTPI2PS xmm, mm/m64: two singles rounded per MXCSR.RC; lanes 2-3 kept. */
export function cvtpi2ps_Vps_Qpi(): void {
  if (!enterQ(FEAT_SSE)) return;
  let mx = mxcsr();
  let r = i32x4.replace_lane(xmm(vIdx()), 0, i2s(<i32>w64, mx));
  commitV(i32x4.replace_lane(r, 1, i2s(<i32>(w64 >> 32), mx)));
}
/** CVTPI2PD xmm, mm/m64: exact. */
export function cvtpi2pd_Vpd_Qpi(): void {
  if (!enterQ(FEAT_SSE2)) return;
  let mx = mxcsr();
  commitV(i64x2.replace_lane(i64x2.splat(i2d(<i32>w64, mx)), 1, i2d(<i32>(w64 >> 32), mx)));
}
/** CVTPS2PI/CVTTPS2PI mm, xmm/m64: the two low singles. */
function ps2pi(t: bool): void {
  if (!sseEnter(FEAT_SSE) || !mmxEnter()) return;
  w64 = readW64();
  if (faultPending) return;
  clearSxFlags();
  let mx = mxcsr();
  let lo = <u32>s2i(<i32>w64, t, mx), hi = <u32>s2i(<i32>(w64 >> 32), t, mx);
  if (report()) mmWrite(vIdx(), <u64>lo | (<u64>hi << 32));
}
/** CVTPD2PI/CVTTPD2PI mm, xmm/m128 (aligned). */
function pd2pi(t: bool): void {
  if (!sseEnter(FEAT_SSE2) || !mmxEnter()) return;
  w = readW128(true);
  if (faultPending) return;
  clearSxFlags();
  let mx = mxcsr();
  let lo = <u32>d2i(i64x2.extract_lane(w, 0), t, mx), hi = <u32>d2i(i64x2.extract_lane(w, 1), t, mx);
  if (report()) mmWrite(vIdx(), <u64>lo | (<u64>hi << 32));
}
export function cvtps2pi_Ppi_Wps(): void { ps2pi(false); }
export function cvttps2pi_Ppi_Wps(): void { ps2pi(true); }
export function cvtpd2pi_Ppi_Wpd(): void { pd2pi(false); }
export function cvttpd2pi_Ppi_Wpd(): void { pd2pi(true); }
