// SSE/SSE2/SSE3 data movement, logic and shuffles on XMM registers (SDM vol. 2:
// MOVAPS, MOVUPS, MOVSS, MOVAPD, MOVUPD, MOVSD, MOVLPS/HPS/LPD/HPD, MOVHLPS,
// MOVLHPS, MOVMSKPS/PD, MOVD/MOVQ with XMM, MOVDQA/DQU, MOVQ2DQ, MOVDQ2Q,
// MOVNTPS/PD/DQ/I, MASKMOVDQU, PMOVMSKB, ANDPS...XORPD, SHUFPS/PD, UNPCK*PS/PD,
// PSHUFD/HW/LW, MOVDDUP, MOVSHDUP, MOVSLDUP, LDDQU). Operand names and the
// checks are sse.ts's. The non-temporal stores are plain stores (no caches are
// modelled), with their alignment rules.

import {
  sseEnter, xmm, setXmm, xmmLo, setXmmLo, xmmHi, setXmmHi, vIdx, uIdx,
  readW128, readW64, readW32, readM64, writeM128, writeM64, checkStore, xmmAddr, mmxQ, mq,
} from "./sse";
import { FEAT_SSE, FEAT_SSE2, FEAT_SSE3 } from "./features";
import { modrm, imm, readE32, writeE32, writeG32, writeM32, addrsize32, segOverride } from "./decode";
import { faultPending, raiseUD } from "./fault";
import { mmxEnter, mmRead, mmWrite } from "./x87";
import { write8 } from "./mem";
import { reg32, R_EDI, S_DS } from "./state";

/** A scratch copy of an operand, for lanes chosen at run time. */
const SCRATCH: usize = memory.data(16, 16);

// --- the common forms ---
/** V <- W (128 bits; `align`: the 16-byte rule for m128). */
function movVW(feat: u32, align: bool): void {
  if (!sseEnter(feat)) return;
  let v = readW128(align);
  if (!faultPending) setXmm(vIdx(), v);
}
/** W <- V. */
function movWV(feat: u32, align: bool): void {
  if (!sseEnter(feat)) return;
  let v = xmm(vIdx());
  if (modrm >= 0xc0) setXmm(uIdx(), v); else writeM128(v, align);
}
/** The checks, then the W operand (aligned m128); false after a fault. */
let w: v128 = i64x2.splat(0);
function enterVW(feat: u32): bool {
  if (!sseEnter(feat)) return false;
  w = readW128(true);
  return !faultPending;
}
@inline function V(): v128 { return xmm(vIdx()); }
@inline function setV(v: v128): void { setXmm(vIdx(), v); }
/** Memory-only forms: a register ModRM is #UD. */
@inline function memOnly(feat: u32): bool {
  if (modrm >= 0xc0) { raiseUD(); return false; }
  return sseEnter(feat);
}
@inline function regOnly(feat: u32): bool {
  if (modrm < 0xc0) { raiseUD(); return false; }
  return sseEnter(feat);
}

// --- whole-register moves ---
export function movups_Vps_Wps(): void { movVW(FEAT_SSE, false); }
export function movups_Wps_Vps(): void { movWV(FEAT_SSE, false); }
export function movaps_Vps_Wps(): void { movVW(FEAT_SSE, true); }
export function movaps_Wps_Vps(): void { movWV(FEAT_SSE, true); }
export function movupd_Vpd_Wpd(): void { movVW(FEAT_SSE2, false); }
export function movupd_Wpd_Vpd(): void { movWV(FEAT_SSE2, false); }
export function movapd_Vpd_Wpd(): void { movVW(FEAT_SSE2, true); }
export function movapd_Wpd_Vpd(): void { movWV(FEAT_SSE2, true); }
export function movdqu_Vdq_Wdq(): void { movVW(FEAT_SSE2, false); }
export function movdqu_Wdq_Vdq(): void { movWV(FEAT_SSE2, false); }
export function movdqa_Vdq_Wdq(): void { movVW(FEAT_SSE2, true); }
export function movdqa_Wdq_Vdq(): void { movWV(FEAT_SSE2, true); }
/** LDDQU (SSE3): an unaligned 128-bit load. */
export function lddqu_Vdq_Mdq(): void { if (memOnly(FEAT_SSE3)) { let v = readW128(false); if (!faultPending) setV(v); } }

// --- non-temporal stores (memory only; MOVNTPS/PD/DQ aligned) ---
export function movntps_Mps_Vps(): void { if (memOnly(FEAT_SSE)) writeM128(V(), true); }
export function movntpd_Mpd_Vpd(): void { if (memOnly(FEAT_SSE2)) writeM128(V(), true); }
export function movntdq_Mdq_Vdq(): void { if (memOnly(FEAT_SSE2)) writeM128(V(), true); }
/** MOVNTI m32, r32 (SSE2; no mandatory prefix, no XMM register). */
export function movnti_Md_Gd(): void {
  if (!memOnly(FEAT_SSE2)) return;
  if (checkStore(4)) writeM32(0, reg32(vIdx()));
}

// --- scalar moves: a register source keeps the destination's other lanes; a
// memory source zeroes them (SDM vol. 2 MOVSS, MOVSD) ---
export function movss_Vss_Wss(): void {
  if (!sseEnter(FEAT_SSE)) return;
  let v = readW32();
  if (faultPending) return;
  if (modrm >= 0xc0) store<u32>(xmmAddr(vIdx()), v);
  else setV(i32x4.replace_lane(i64x2.splat(0), 0, v));
}
export function movss_Wss_Vss(): void {
  if (!sseEnter(FEAT_SSE)) return;
  let v = load<u32>(xmmAddr(vIdx()));
  if (modrm >= 0xc0) store<u32>(xmmAddr(uIdx()), v);
  else if (checkStore(4)) writeM32(0, v);
}
export function movsd_Vsd_Wsd(): void {
  if (!sseEnter(FEAT_SSE2)) return;
  let v = readW64();
  if (faultPending) return;
  setXmmLo(vIdx(), v);
  if (modrm < 0xc0) setXmmHi(vIdx(), 0);
}
export function movsd_Wsd_Vsd(): void {
  if (!sseEnter(FEAT_SSE2)) return;
  let v = xmmLo(vIdx());
  if (modrm >= 0xc0) setXmmLo(uIdx(), v); else writeM64(v);
}

// --- half-register moves ---
/** 0F 12: MOVLPS xmm, m64 (V.lo <- m64), or with a register MOVHLPS (V.lo <- U.hi). */
export function movlps_Vq_Mq(): void {
  if (!sseEnter(FEAT_SSE)) return;
  if (modrm >= 0xc0) { setXmmLo(vIdx(), xmmHi(uIdx())); return; }
  let v = readM64();
  if (!faultPending) setXmmLo(vIdx(), v);
}
/** 0F 16: MOVHPS xmm, m64 (V.hi <- m64), or with a register MOVLHPS (V.hi <- U.lo). */
export function movhps_Vq_Mq(): void {
  if (!sseEnter(FEAT_SSE)) return;
  if (modrm >= 0xc0) { setXmmHi(vIdx(), xmmLo(uIdx())); return; }
  let v = readM64();
  if (!faultPending) setXmmHi(vIdx(), v);
}
export function movlpd_Vq_Mq(): void {
  if (!memOnly(FEAT_SSE2)) return;
  let v = readM64();
  if (!faultPending) setXmmLo(vIdx(), v);
}
export function movhpd_Vq_Mq(): void {
  if (!memOnly(FEAT_SSE2)) return;
  let v = readM64();
  if (!faultPending) setXmmHi(vIdx(), v);
}
export function movlps_Mq_Vq(): void { if (memOnly(FEAT_SSE)) writeM64(xmmLo(vIdx())); }
export function movhps_Mq_Vq(): void { if (memOnly(FEAT_SSE)) writeM64(xmmHi(vIdx())); }
export function movlpd_Mq_Vq(): void { if (memOnly(FEAT_SSE2)) writeM64(xmmLo(vIdx())); }
export function movhpd_Mq_Vq(): void { if (memOnly(FEAT_SSE2)) writeM64(xmmHi(vIdx())); }

// --- sign masks (register source only) ---
export function movmskps_Gd_Ups(): void { if (regOnly(FEAT_SSE)) writeG32(i32x4.bitmask(xmm(uIdx()))); }
export function movmskpd_Gd_Upd(): void { if (regOnly(FEAT_SSE2)) writeG32(i64x2.bitmask(xmm(uIdx()))); }
export function pmovmskb_Gd_Udq(): void { if (regOnly(FEAT_SSE2)) writeG32(i8x16.bitmask(xmm(uIdx()))); }

// --- MOVD/MOVQ between XMM and general registers, memory and MMX ---
/** 66 0F 6E: V <- r/m32, zero-extended. */
export function movd_Vd_Ed(): void {
  if (!sseEnter(FEAT_SSE2)) return;
  let v = readE32();
  if (!faultPending) setV(i32x4.replace_lane(i64x2.splat(0), 0, v));
}
/** 66 0F 7E: r/m32 <- V's low doubleword. */
export function movd_Ed_Vd(): void {
  if (!sseEnter(FEAT_SSE2)) return;
  let v = load<u32>(xmmAddr(vIdx()));
  if (modrm >= 0xc0) writeE32(v); else if (checkStore(4)) writeM32(0, v);
}
/** F3 0F 7E: V <- W's low quadword, zero-extended. */
export function movq_Vq_Wq(): void {
  if (!sseEnter(FEAT_SSE2)) return;
  let v = readW64();
  if (!faultPending) setV(i64x2.replace_lane(i64x2.splat(0), 0, v));
}
/** 66 0F D6: W's low quadword <- V's (a register destination's high half zeroed). */
export function movq_Wq_Vq(): void {
  if (!sseEnter(FEAT_SSE2)) return;
  let v = xmmLo(vIdx());
  if (modrm >= 0xc0) setXmm(uIdx(), i64x2.replace_lane(i64x2.splat(0), 0, v));
  else writeM64(v);
}
/** F3 0F D6 MOVQ2DQ xmm, mm and F2 0F D6 MOVDQ2Q mm, xmm: the SSE checks, then
 *  MMX's (x87 TOP = 0, tags valid, a pending x87 exception: SDM vol. 2). */
export function movq2dq_Vdq_Nq(): void {
  if (!regOnly(FEAT_SSE2) || !mmxEnter()) return;
  setV(i64x2.replace_lane(i64x2.splat(0), 0, mmRead(modrm & 7)));
}
export function movdq2q_Pq_Uq(): void {
  if (!regOnly(FEAT_SSE2) || !mmxEnter()) return;
  mmWrite(vIdx(), xmmLo(uIdx()));
}

// --- MASKMOVDQU: the bytes of V whose mask byte (U) has its top bit set, to
// DS:[EDI] (DI with a 16-bit address size; a segment override applies). Only
// the selected bytes are accessed, one by one, as QEMU does ---
export function maskmovdqu_Vdq_Udq(): void {
  if (!regOnly(FEAT_SSE2)) return;
  maskStore(xmm(vIdx()), xmm(uIdx()), 16);
}
const MASK_DATA: usize = memory.data(16, 16);
function maskStore(data: v128, mask: v128, n: u32): void {
  let bits = i8x16.bitmask(mask);
  let seg = segOverride >= 0 ? segOverride : S_DS;
  let base = addrsize32 ? reg32(R_EDI) : reg32(R_EDI) & 0xffff;
  let addr = MASK_DATA;
  v128.store(addr, data);
  for (let i: u32 = 0; i < n; i++) {
    if ((bits & (1 << i)) == 0) continue;
    write8(seg, addrsize32 ? base + i : (base + i) & 0xffff, <u32>load<u8>(addr + i));
    if (faultPending) return;
  }
}

// --- logic ---
export function andps_Vps_Wps(): void { if (enterVW(FEAT_SSE)) setV(v128.and(V(), w)); }
export function andnps_Vps_Wps(): void { if (enterVW(FEAT_SSE)) setV(v128.andnot(w, V())); }
export function orps_Vps_Wps(): void { if (enterVW(FEAT_SSE)) setV(v128.or(V(), w)); }
export function xorps_Vps_Wps(): void { if (enterVW(FEAT_SSE)) setV(v128.xor(V(), w)); }
export function andpd_Vpd_Wpd(): void { if (enterVW(FEAT_SSE2)) setV(v128.and(V(), w)); }
export function andnpd_Vpd_Wpd(): void { if (enterVW(FEAT_SSE2)) setV(v128.andnot(w, V())); }
export function orpd_Vpd_Wpd(): void { if (enterVW(FEAT_SSE2)) setV(v128.or(V(), w)); }
export function xorpd_Vpd_Wpd(): void { if (enterVW(FEAT_SSE2)) setV(v128.xor(V(), w)); }

// --- shuffles and unpacks ---
/** SHUFPS: lanes 0-1 from V, 2-3 from W, each chosen by two bits of imm8. */
export function shufps_Vps_Wps_Ib(): void {
  if (!enterVW(FEAT_SSE)) return;
  let d = vIdx(), a = xmmAddr(d);
  let r0 = load<u32>(a + ((imm & 3) << 2)), r1 = load<u32>(a + (((imm >> 2) & 3) << 2));
  v128.store(SCRATCH, w);
  let r2 = load<u32>(SCRATCH + (((imm >> 4) & 3) << 2)), r3 = load<u32>(SCRATCH + (((imm >> 6) & 3) << 2));
  let v = i32x4.splat(r0);
  v = i32x4.replace_lane(v, 1, r1);
  v = i32x4.replace_lane(v, 2, r2);
  setXmm(d, i32x4.replace_lane(v, 3, r3));
}
/** SHUFPD: lane 0 from V (imm bit 0), lane 1 from W (imm bit 1). */
export function shufpd_Vpd_Wpd_Ib(): void {
  if (!enterVW(FEAT_SSE2)) return;
  let lo = (imm & 1) ? xmmHi(vIdx()) : xmmLo(vIdx());
  let hi = (imm & 2) ? i64x2.extract_lane(w, 1) : i64x2.extract_lane(w, 0);
  setV(i64x2.replace_lane(i64x2.splat(lo), 1, hi));
}
export function unpcklps_Vps_Wps(): void { if (enterVW(FEAT_SSE)) setV(i32x4.shuffle(V(), w, 0, 4, 1, 5)); }
export function unpckhps_Vps_Wps(): void { if (enterVW(FEAT_SSE)) setV(i32x4.shuffle(V(), w, 2, 6, 3, 7)); }
export function unpcklpd_Vpd_Wpd(): void { if (enterVW(FEAT_SSE2)) setV(i64x2.shuffle(V(), w, 0, 2)); }
export function unpckhpd_Vpd_Wpd(): void { if (enterVW(FEAT_SSE2)) setV(i64x2.shuffle(V(), w, 1, 3)); }
export function punpcklqdq_Vdq_Wdq(): void { if (enterVW(FEAT_SSE2)) setV(i64x2.shuffle(V(), w, 0, 2)); }
export function punpckhqdq_Vdq_Wdq(): void { if (enterVW(FEAT_SSE2)) setV(i64x2.shuffle(V(), w, 1, 3)); }

/** PSHUFD: each doubleword of the result is W's doubleword chosen by two bits of imm8. */
export function pshufd_Vdq_Wdq_Ib(): void {
  if (!enterVW(FEAT_SSE2)) return;
  v128.store(SCRATCH, w);
  let v = i32x4.splat(load<u32>(SCRATCH + ((imm & 3) << 2)));
  v = i32x4.replace_lane(v, 1, load<u32>(SCRATCH + (((imm >> 2) & 3) << 2)));
  v = i32x4.replace_lane(v, 2, load<u32>(SCRATCH + (((imm >> 4) & 3) << 2)));
  setV(i32x4.replace_lane(v, 3, load<u32>(SCRATCH + (((imm >> 6) & 3) << 2))));
}
/** The four words at SCRATCH + base shuffled by imm8, as a u64. */
function shuffle4w(base: u32): u64 {
  let r: u64 = 0;
  for (let i: u32 = 0; i < 4; i++) r |= <u64>load<u16>(SCRATCH + base + (((imm >> (i * 2)) & 3) << 1)) << (i * 16);
  return r;
}
/** PSHUFHW: the high four words shuffled, the low quadword copied. */
export function pshufhw_Vdq_Wdq_Ib(): void {
  if (!enterVW(FEAT_SSE2)) return;
  v128.store(SCRATCH, w);
  let hi = shuffle4w(8);
  setV(i64x2.replace_lane(w, 1, hi));
}
/** PSHUFLW: the low four words shuffled, the high quadword copied. */
export function pshuflw_Vdq_Wdq_Ib(): void {
  if (!enterVW(FEAT_SSE2)) return;
  v128.store(SCRATCH, w);
  let lo = shuffle4w(0);
  setV(i64x2.replace_lane(w, 0, lo));
}
/** PSHUFW (SSE, MMX registers): the four words of Q shuffled by imm8. */
export function pshufw_Pq_Qq_Ib(): void {
  if (!mmxQ(FEAT_SSE)) return;
  store<u64>(SCRATCH, mq);
  mmWrite(vIdx(), shuffle4w(0));
}

// --- SSE3 duplicating moves ---
/** MOVDDUP: both quadwords <- W's low quadword (m64 from memory, no alignment). */
export function movddup_Vdq_Wq(): void {
  if (!sseEnter(FEAT_SSE3)) return;
  let v = readW64();
  if (!faultPending) setV(i64x2.splat(v));
}
/** MOVSHDUP: the odd doublewords of W, each twice (m128 aligned). */
export function movshdup_Vdq_Wdq(): void { if (enterVW(FEAT_SSE3)) setV(i32x4.shuffle(w, w, 1, 1, 3, 3)); }
/** MOVSLDUP: the even doublewords of W, each twice. */
export function movsldup_Vdq_Wdq(): void { if (enterVW(FEAT_SSE3)) setV(i32x4.shuffle(w, w, 0, 0, 2, 2)); }
