// SSE2's 128-bit forms of the MMX integer instructions (66 0F 60-7F, D1-FE: the
// same operations on XMM registers, SDM vol. 2 per instruction) and the integer
// instructions SSE and SSE2 added, in both their MMX-register (no prefix) and
// XMM-register (66) forms: PAVGB/W, PEXTRW, PINSRW, PMAXSW/UB, PMINSW/UB,
// PMULHUW, PSADBW, PMULUDQ, PADDQ/PSUBQ, PSLLDQ/PSRLDQ, PMOVMSKB mm, MOVNTQ,
// MASKMOVQ. Operand names and checks: sse.ts. Lanes are wasm SIMD lanes; an
// MMX-register form computes on the low 64 bits of a v128, as mmx.ts does.

import {
  sseEnter, mmxQ, mq, xmm, setXmm, xmmAddr, vIdx, uIdx, readW128, writeM64, mmxEnterFeat,
} from "./sse";
import { FEAT_SSE, FEAT_SSE2 } from "./features";
import { modrm, imm, readE16, writeG32, addrsize32, segOverride } from "./decode";
import { faultPending, raiseUD } from "./fault";
import { mmRead, mmWrite } from "./x87";
import { write8 } from "./mem";
import { reg32, R_EDI, S_DS } from "./state";

// --- operands ---
let w: v128 = i64x2.splat(0);
/** The 66 forms: SSE2's checks, then W (aligned m128) into w. */
function vw(): bool {
  if (!sseEnter(FEAT_SSE2)) return false;
  w = readW128(true);
  return !faultPending;
}
@inline function V(): v128 { return xmm(vIdx()); }
@inline function setV(v: v128): void { setXmm(vIdx(), v); }
const ZERO: v128 = i64x2.splat(0);
// MMX-register forms: P (ModRM.reg) and the Q operand (mq) as v128s.
@inline function vec(x: u64): v128 { return i64x2.splat(x); }
@inline function low(v: v128): u64 { return i64x2.extract_lane(v, 0); }
@inline function P(): v128 { return vec(mmRead(vIdx())); }
@inline function setP(v: v128): void { mmWrite(vIdx(), low(v)); }
@inline function Q(): v128 { return vec(mq); }

// --- add, subtract ---
export function paddb_Vdq_Wdq(): void { if (vw()) setV(i8x16.add(V(), w)); }
export function paddw_Vdq_Wdq(): void { if (vw()) setV(i16x8.add(V(), w)); }
export function paddd_Vdq_Wdq(): void { if (vw()) setV(i32x4.add(V(), w)); }
export function paddq_Vdq_Wdq(): void { if (vw()) setV(i64x2.add(V(), w)); }
export function paddsb_Vdq_Wdq(): void { if (vw()) setV(i8x16.add_sat_s(V(), w)); }
export function paddsw_Vdq_Wdq(): void { if (vw()) setV(i16x8.add_sat_s(V(), w)); }
export function paddusb_Vdq_Wdq(): void { if (vw()) setV(i8x16.add_sat_u(V(), w)); }
export function paddusw_Vdq_Wdq(): void { if (vw()) setV(i16x8.add_sat_u(V(), w)); }
export function psubb_Vdq_Wdq(): void { if (vw()) setV(i8x16.sub(V(), w)); }
export function psubw_Vdq_Wdq(): void { if (vw()) setV(i16x8.sub(V(), w)); }
export function psubd_Vdq_Wdq(): void { if (vw()) setV(i32x4.sub(V(), w)); }
export function psubq_Vdq_Wdq(): void { if (vw()) setV(i64x2.sub(V(), w)); }
export function psubsb_Vdq_Wdq(): void { if (vw()) setV(i8x16.sub_sat_s(V(), w)); }
export function psubsw_Vdq_Wdq(): void { if (vw()) setV(i16x8.sub_sat_s(V(), w)); }
export function psubusb_Vdq_Wdq(): void { if (vw()) setV(i8x16.sub_sat_u(V(), w)); }
export function psubusw_Vdq_Wdq(): void { if (vw()) setV(i16x8.sub_sat_u(V(), w)); }
export function paddq_Pq_Qq(): void { if (mmxQ(FEAT_SSE2)) mmWrite(vIdx(), mmRead(vIdx()) + mq); }
export function psubq_Pq_Qq(): void { if (mmxQ(FEAT_SSE2)) mmWrite(vIdx(), mmRead(vIdx()) - mq); }

// --- multiply ---
/** The high 16 bits of each signed (PMULHW) or unsigned (PMULHUW) product. */
function mulhs(a: v128, b: v128): v128 {
  let lo = i32x4.shr_s(i32x4.extmul_low_i16x8_s(a, b), 16);
  let hi = i32x4.shr_s(i32x4.extmul_high_i16x8_s(a, b), 16);
  return i16x8.narrow_i32x4_s(lo, hi);
}
function mulhu(a: v128, b: v128): v128 {
  let lo = i32x4.shr_u(i32x4.extmul_low_i16x8_u(a, b), 16);
  let hi = i32x4.shr_u(i32x4.extmul_high_i16x8_u(a, b), 16);
  return i16x8.narrow_i32x4_u(lo, hi);
}
/** PMULUDQ: the unsigned products of doublewords 0 and 2, as quadwords. */
function muludq(a: v128, b: v128): v128 {
  return i64x2.extmul_low_i32x4_u(i32x4.shuffle(a, a, 0, 2, 0, 2), i32x4.shuffle(b, b, 0, 2, 0, 2));
}
export function pmullw_Vdq_Wdq(): void { if (vw()) setV(i16x8.mul(V(), w)); }
export function pmulhw_Vdq_Wdq(): void { if (vw()) setV(mulhs(V(), w)); }
export function pmulhuw_Vdq_Wdq(): void { if (vw()) setV(mulhu(V(), w)); }
export function pmuludq_Vdq_Wdq(): void { if (vw()) setV(muludq(V(), w)); }
export function pmaddwd_Vdq_Wdq(): void { if (vw()) setV(i32x4.dot_i16x8_s(V(), w)); }
export function pmulhuw_Pq_Qq(): void { if (mmxQ(FEAT_SSE)) setP(mulhu(P(), Q())); }
export function pmuludq_Pq_Qq(): void { if (mmxQ(FEAT_SSE2)) setP(muludq(P(), Q())); }

// --- compare ---
export function pcmpeqb_Vdq_Wdq(): void { if (vw()) setV(i8x16.eq(V(), w)); }
export function pcmpeqw_Vdq_Wdq(): void { if (vw()) setV(i16x8.eq(V(), w)); }
export function pcmpeqd_Vdq_Wdq(): void { if (vw()) setV(i32x4.eq(V(), w)); }
export function pcmpgtb_Vdq_Wdq(): void { if (vw()) setV(i8x16.gt_s(V(), w)); }
export function pcmpgtw_Vdq_Wdq(): void { if (vw()) setV(i16x8.gt_s(V(), w)); }
export function pcmpgtd_Vdq_Wdq(): void { if (vw()) setV(i32x4.gt_s(V(), w)); }

// --- logic ---
export function pand_Vdq_Wdq(): void { if (vw()) setV(v128.and(V(), w)); }
export function pandn_Vdq_Wdq(): void { if (vw()) setV(v128.andnot(w, V())); }
export function por_Vdq_Wdq(): void { if (vw()) setV(v128.or(V(), w)); }
export function pxor_Vdq_Wdq(): void { if (vw()) setV(v128.xor(V(), w)); }

// --- pack (V's lanes to the low half, W's to the high half), unpack ---
export function packsswb_Vdq_Wdq(): void { if (vw()) setV(i8x16.narrow_i16x8_s(V(), w)); }
export function packuswb_Vdq_Wdq(): void { if (vw()) setV(i8x16.narrow_i16x8_u(V(), w)); }
export function packssdw_Vdq_Wdq(): void { if (vw()) setV(i16x8.narrow_i32x4_s(V(), w)); }
export function punpcklbw_Vdq_Wdq(): void {
  if (vw()) setV(i8x16.shuffle(V(), w, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
}
export function punpckhbw_Vdq_Wdq(): void {
  if (vw()) setV(i8x16.shuffle(V(), w, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
}
export function punpcklwd_Vdq_Wdq(): void { if (vw()) setV(i16x8.shuffle(V(), w, 0, 8, 1, 9, 2, 10, 3, 11)); }
export function punpckhwd_Vdq_Wdq(): void { if (vw()) setV(i16x8.shuffle(V(), w, 4, 12, 5, 13, 6, 14, 7, 15)); }
export function punpckldq_Vdq_Wdq(): void { if (vw()) setV(i32x4.shuffle(V(), w, 0, 4, 1, 5)); }
export function punpckhdq_Vdq_Wdq(): void { if (vw()) setV(i32x4.shuffle(V(), w, 2, 6, 3, 7)); }

// --- average, minimum, maximum, sum of absolute differences ---
/** PSADBW: per quadword, the sum of the absolute differences of its 8 bytes,
 *  in the low word (the rest zero). */
function sad(a: v128, b: v128): v128 {
  let d = i8x16.sub(i8x16.max_u(a, b), i8x16.min_u(a, b));
  let s32 = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(d));
  return i64x2.add(v128.and(s32, i64x2.splat(0xffffffff)), i64x2.shr_u(s32, 32));
}
export function pavgb_Vdq_Wdq(): void { if (vw()) setV(i8x16.avgr_u(V(), w)); }
export function pavgw_Vdq_Wdq(): void { if (vw()) setV(i16x8.avgr_u(V(), w)); }
export function pminub_Vdq_Wdq(): void { if (vw()) setV(i8x16.min_u(V(), w)); }
export function pmaxub_Vdq_Wdq(): void { if (vw()) setV(i8x16.max_u(V(), w)); }
export function pminsw_Vdq_Wdq(): void { if (vw()) setV(i16x8.min_s(V(), w)); }
export function pmaxsw_Vdq_Wdq(): void { if (vw()) setV(i16x8.max_s(V(), w)); }
export function psadbw_Vdq_Wdq(): void { if (vw()) setV(sad(V(), w)); }
export function pavgb_Pq_Qq(): void { if (mmxQ(FEAT_SSE)) setP(i8x16.avgr_u(P(), Q())); }
export function pavgw_Pq_Qq(): void { if (mmxQ(FEAT_SSE)) setP(i16x8.avgr_u(P(), Q())); }
export function pminub_Pq_Qq(): void { if (mmxQ(FEAT_SSE)) setP(i8x16.min_u(P(), Q())); }
export function pmaxub_Pq_Qq(): void { if (mmxQ(FEAT_SSE)) setP(i8x16.max_u(P(), Q())); }
export function pminsw_Pq_Qq(): void { if (mmxQ(FEAT_SSE)) setP(i16x8.min_s(P(), Q())); }
export function pmaxsw_Pq_Qq(): void { if (mmxQ(FEAT_SSE)) setP(i16x8.max_s(P(), Q())); }
export function psadbw_Pq_Qq(): void { if (mmxQ(FEAT_SSE)) setP(sad(P(), Q())); }

// --- shifts: by the low quadword of W, or by imm8 (66 0F 71-73, register
// only); a count past the lane width gives 0 (logical) or the sign (arithmetic) ---
const SH_LL: u32 = 0, SH_RL: u32 = 1, SH_RA: u32 = 2;
function shW(v: v128, n: u64, kind: u32): v128 {
  if (kind == SH_RA) return i16x8.shr_s(v, <i32>(n > 15 ? 15 : n));
  if (n > 15) return ZERO;
  return kind == SH_LL ? i16x8.shl(v, <i32>n) : i16x8.shr_u(v, <i32>n);
}
function shD(v: v128, n: u64, kind: u32): v128 {
  if (kind == SH_RA) return i32x4.shr_s(v, <i32>(n > 31 ? 31 : n));
  if (n > 31) return ZERO;
  return kind == SH_LL ? i32x4.shl(v, <i32>n) : i32x4.shr_u(v, <i32>n);
}
function shQ(v: v128, n: u64, kind: u32): v128 {
  if (n > 63) return ZERO;
  return kind == SH_LL ? i64x2.shl(v, <i32>n) : i64x2.shr_u(v, <i32>n);
}
@inline function count(): u64 { return i64x2.extract_lane(w, 0); }
export function psllw_Vdq_Wdq(): void { if (vw()) setV(shW(V(), count(), SH_LL)); }
export function psrlw_Vdq_Wdq(): void { if (vw()) setV(shW(V(), count(), SH_RL)); }
export function psraw_Vdq_Wdq(): void { if (vw()) setV(shW(V(), count(), SH_RA)); }
export function pslld_Vdq_Wdq(): void { if (vw()) setV(shD(V(), count(), SH_LL)); }
export function psrld_Vdq_Wdq(): void { if (vw()) setV(shD(V(), count(), SH_RL)); }
export function psrad_Vdq_Wdq(): void { if (vw()) setV(shD(V(), count(), SH_RA)); }
export function psllq_Vdq_Wdq(): void { if (vw()) setV(shQ(V(), count(), SH_LL)); }
export function psrlq_Vdq_Wdq(): void { if (vw()) setV(shQ(V(), count(), SH_RL)); }

/** The 66 0F 71-73 groups: an XMM register in ModRM.rm (memory #UD). */
@inline function enterU(): bool {
  if (modrm < 0xc0) { raiseUD(); return false; }
  return sseEnter(FEAT_SSE2);
}
@inline function U(): v128 { return xmm(uIdx()); }
@inline function setU(v: v128): void { setXmm(uIdx(), v); }
@inline function cnt(): u64 { return <u64>imm; }
export function psrlw_Udq_Ib(): void { if (enterU()) setU(shW(U(), cnt(), SH_RL)); }
export function psraw_Udq_Ib(): void { if (enterU()) setU(shW(U(), cnt(), SH_RA)); }
export function psllw_Udq_Ib(): void { if (enterU()) setU(shW(U(), cnt(), SH_LL)); }
export function psrld_Udq_Ib(): void { if (enterU()) setU(shD(U(), cnt(), SH_RL)); }
export function psrad_Udq_Ib(): void { if (enterU()) setU(shD(U(), cnt(), SH_RA)); }
export function pslld_Udq_Ib(): void { if (enterU()) setU(shD(U(), cnt(), SH_LL)); }
export function psrlq_Udq_Ib(): void { if (enterU()) setU(shQ(U(), cnt(), SH_RL)); }
export function psllq_Udq_Ib(): void { if (enterU()) setU(shQ(U(), cnt(), SH_LL)); }
/** PSRLDQ/PSLLDQ: the whole register shifted by imm8 bytes (16 or more: zero),
 *  read from a 32-byte window with the value in one half and zeros in the other. */
const WINDOW: usize = memory.data(32, 16);
export function psrldq_Udq_Ib(): void {
  if (!enterU()) return;
  let n = imm > 16 ? 16 : imm;
  v128.store(WINDOW, U());
  v128.store(WINDOW + 16, ZERO);
  setU(v128.load(WINDOW + n));
}
export function pslldq_Udq_Ib(): void {
  if (!enterU()) return;
  let n = imm > 16 ? 16 : imm;
  v128.store(WINDOW, ZERO);
  v128.store(WINDOW + 16, U());
  setU(v128.load(WINDOW + 16 - n));
}

// --- PEXTRW, PINSRW: a word chosen by imm8 (register sources only for PEXTRW) ---
export function pextrw_Gd_Udq_Ib(): void {
  if (modrm < 0xc0) { raiseUD(); return; }
  if (sseEnter(FEAT_SSE2)) writeG32(<u32>load<u16>(xmmAddr(uIdx()) + ((imm & 7) << 1)));
}
export function pinsrw_Vdq_Ew_Ib(): void {
  if (!sseEnter(FEAT_SSE2)) return;
  let v = readE16();
  if (!faultPending) store<u16>(xmmAddr(vIdx()) + ((imm & 7) << 1), <u16>v);
}
export function pextrw_Gd_Nq_Ib(): void {
  if (modrm < 0xc0) { raiseUD(); return; }
  if (mmxEnterFeat(FEAT_SSE)) writeG32(<u32>(mmRead(modrm & 7) >> ((imm & 3) * 16)) & 0xffff);
}
export function pinsrw_Pq_Ew_Ib(): void {
  if (!mmxEnterFeat(FEAT_SSE)) return;
  let v = readE16();
  if (faultPending) return;
  let sh = <u64>(imm & 3) * 16;
  let p = mmRead(vIdx());
  mmWrite(vIdx(), (p & ~(<u64>0xffff << sh)) | (<u64>(v & 0xffff) << sh));
}

// --- PMOVMSKB mm, MOVNTQ, MASKMOVQ (SSE, MMX registers) ---
export function pmovmskb_Gd_Nq(): void {
  if (modrm < 0xc0) { raiseUD(); return; }
  if (mmxEnterFeat(FEAT_SSE)) writeG32(i8x16.bitmask(vec(mmRead(modrm & 7))) & 0xff);
}
export function movntq_Mq_Pq(): void {
  if (modrm >= 0xc0) { raiseUD(); return; }
  if (mmxEnterFeat(FEAT_SSE)) writeM64(mmRead(vIdx()));
}
/** MASKMOVQ: the bytes of P whose mask byte (N) has its top bit set, to
 *  DS:[EDI] (as MASKMOVDQU, ssemov.ts). */
export function maskmovq_Pq_Nq(): void {
  if (modrm < 0xc0) { raiseUD(); return; }
  if (!mmxEnterFeat(FEAT_SSE)) return;
  let data = mmRead(vIdx()), bits = i8x16.bitmask(vec(mmRead(modrm & 7)));
  let seg = segOverride >= 0 ? segOverride : S_DS;
  let base = reg32(R_EDI);
  for (let i: u32 = 0; i < 8; i++) {
    if ((bits & (1 << i)) == 0) continue;
    write8(seg, addrsize32 ? base + i : (base + i) & 0xffff, <u32>(data >> (i * 8)) & 0xff);
    if (faultPending) return;
  }
}
