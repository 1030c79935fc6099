// MMX (SDM vol. 1 ch. 9; vol. 2 EMMS, MOVD, MOVQ, PACK*, PADD*, PSUB*, PCMP*,
// PMADDWD, PMULHW, PMULLW, PAND/PANDN/POR/PXOR, PSLL/PSRL/PSRA, PUNPCK*).
//
// The eight MMX registers are the significands of the x87 physical registers
// (x87.ts: mmRead/mmWrite, one state, saved by FSAVE/FXSAVE and snapshots alike).
// Every instruction but EMMS first sets TOP = 0 and all tags valid (x87.ts
// mmxEnter, which also raises #UD for CR0.EM, #NM for CR0.TS and reports a
// pending x87 exception); a register write sets its sign and exponent to ones.
// Lanes are computed with wasm SIMD on the low 64 bits of a v128. Only the
// forms without a mandatory prefix exist here: 66 (SSE2's XMM forms) is #UD on
// this model (the opcode map's NP: entries).
// Names: P = MMX register in ModRM.reg, Q = MMX register or m64 in ModRM.rm
// (Qd: m32 in memory), N = MMX register in ModRM.rm, E = GPR or memory.

import { modrm, imm, readE32, writeE32, readM32, writeM32, eaSeg, eaOff } from "./decode";
import { faultPending, raiseUD } from "./fault";
import { checkWrite } from "./mem";
import { mmxEnter, emmsEnter, mmxEmptyTags, mmRead, mmWrite } from "./x87";

// --- operands ---
let src: u64 = 0; // the Q operand (or the shift count) of the current instruction

/** The checks of mmxEnter, then the Q operand (64 bits; `m32`: 32 from memory)
 *  into `src`. False after a fault. */
function loadQ(m32: bool): bool {
  if (!mmxEnter()) return false;
  if (modrm >= 0xc0) { src = mmRead(modrm & 7); return true; }
  let lo = readM32(0);
  if (faultPending) return false;
  if (m32) { src = <u64>lo; return true; }
  let hi = readM32(4);
  if (faultPending) return false;
  src = <u64>lo | (<u64>hi << 32);
  return true;
}
@inline function pIndex(): u32 { return (modrm >> 3) & 7; }
@inline function P(): u64 { return mmRead(pIndex()); }
@inline function setP(v: u64): void { mmWrite(pIndex(), v); }
@inline function vec(x: u64): v128 { return i64x2.splat(x); }
@inline function low(v: v128): u64 { return i64x2.extract_lane(v, 0); }
@inline function vP(): v128 { return vec(P()); }
@inline function vQ(): v128 { return vec(src); }
/** P's and Q's lanes as one vector: P in bytes 0-7, Q in bytes 8-15 (PACK*). */
@inline function vPQ(): v128 { return i64x2.replace_lane(vec(P()), 1, src); }

// --- moves ---
export function movd_Pq_Ed(): void {
  if (!mmxEnter()) return;
  let v = readE32();
  if (!faultPending) setP(<u64>v);
}
export function movd_Ed_Pq(): void {
  if (!mmxEnter()) return;
  writeE32(<u32>P());
}
export function movq_Pq_Qq(): void { if (loadQ(false)) setP(src); }
export function movq_Qq_Pq(): void {
  if (!mmxEnter()) return;
  let v = P();
  if (modrm >= 0xc0) { mmWrite(modrm & 7, v); return; }
  if (!checkWrite(eaSeg, eaOff, 8)) return;
  writeM32(0, <u32>v);
  if (!faultPending) writeM32(4, <u32>(v >> 32));
}
export function emms(): void { if (emmsEnter()) mmxEmptyTags(); }

// --- add, subtract (wrapping, signed and unsigned saturation) ---
export function paddb_Pq_Qq(): void { if (loadQ(false)) setP(low(i8x16.add(vP(), vQ()))); }
export function paddw_Pq_Qq(): void { if (loadQ(false)) setP(low(i16x8.add(vP(), vQ()))); }
export function paddd_Pq_Qq(): void { if (loadQ(false)) setP(low(i32x4.add(vP(), vQ()))); }
export function paddsb_Pq_Qq(): void { if (loadQ(false)) setP(low(i8x16.add_sat_s(vP(), vQ()))); }
export function paddsw_Pq_Qq(): void { if (loadQ(false)) setP(low(i16x8.add_sat_s(vP(), vQ()))); }
export function paddusb_Pq_Qq(): void { if (loadQ(false)) setP(low(i8x16.add_sat_u(vP(), vQ()))); }
export function paddusw_Pq_Qq(): void { if (loadQ(false)) setP(low(i16x8.add_sat_u(vP(), vQ()))); }
export function psubb_Pq_Qq(): void { if (loadQ(false)) setP(low(i8x16.sub(vP(), vQ()))); }
export function psubw_Pq_Qq(): void { if (loadQ(false)) setP(low(i16x8.sub(vP(), vQ()))); }
export function psubd_Pq_Qq(): void { if (loadQ(false)) setP(low(i32x4.sub(vP(), vQ()))); }
export function psubsb_Pq_Qq(): void { if (loadQ(false)) setP(low(i8x16.sub_sat_s(vP(), vQ()))); }
export function psubsw_Pq_Qq(): void { if (loadQ(false)) setP(low(i16x8.sub_sat_s(vP(), vQ()))); }
export function psubusb_Pq_Qq(): void { if (loadQ(false)) setP(low(i8x16.sub_sat_u(vP(), vQ()))); }
export function psubusw_Pq_Qq(): void { if (loadQ(false)) setP(low(i16x8.sub_sat_u(vP(), vQ()))); }

// --- multiply ---
export function pmullw_Pq_Qq(): void { if (loadQ(false)) setP(low(i16x8.mul(vP(), vQ()))); }
/** PMULHW: the high 16 bits of each signed 32-bit product. */
export function pmulhw_Pq_Qq(): void {
  if (!loadQ(false)) return;
  let prod = i32x4.shr_s(i32x4.extmul_low_i16x8_s(vP(), vQ()), 16);
  setP(low(i16x8.narrow_i32x4_s(prod, prod)));
}
/** PMADDWD: pairs of signed word products summed into doublewords (the one
 *  overflow, 8000H * 8000H twice, wraps to 80000000H as the SDM says). */
export function pmaddwd_Pq_Qq(): void { if (loadQ(false)) setP(low(i32x4.dot_i16x8_s(vP(), vQ()))); }

// --- compare ---
export function pcmpeqb_Pq_Qq(): void { if (loadQ(false)) setP(low(i8x16.eq(vP(), vQ()))); }
export function pcmpeqw_Pq_Qq(): void { if (loadQ(false)) setP(low(i16x8.eq(vP(), vQ()))); }
export function pcmpeqd_Pq_Qq(): void { if (loadQ(false)) setP(low(i32x4.eq(vP(), vQ()))); }
export function pcmpgtb_Pq_Qq(): void { if (loadQ(false)) setP(low(i8x16.gt_s(vP(), vQ()))); }
export function pcmpgtw_Pq_Qq(): void { if (loadQ(false)) setP(low(i16x8.gt_s(vP(), vQ()))); }
export function pcmpgtd_Pq_Qq(): void { if (loadQ(false)) setP(low(i32x4.gt_s(vP(), vQ()))); }

// --- logic ---
export function pand_Pq_Qq(): void { if (loadQ(false)) setP(P() & src); }
export function pandn_Pq_Qq(): void { if (loadQ(false)) setP(~P() & src); }
export function por_Pq_Qq(): void { if (loadQ(false)) setP(P() | src); }
export function pxor_Pq_Qq(): void { if (loadQ(false)) setP(P() ^ src); }

// --- pack (P's lanes to the low half, Q's to the high half, saturated) ---
export function packsswb_Pq_Qq(): void { if (loadQ(false)) { let v = vPQ(); setP(low(i8x16.narrow_i16x8_s(v, v))); } }
export function packuswb_Pq_Qq(): void { if (loadQ(false)) { let v = vPQ(); setP(low(i8x16.narrow_i16x8_u(v, v))); } }
export function packssdw_Pq_Qq(): void { if (loadQ(false)) { let v = vPQ(); setP(low(i16x8.narrow_i32x4_s(v, v))); } }

// --- unpack: interleave the low (PUNPCKL*, Q is m32 in memory) or high halves ---
export function punpcklbw_Pq_Qd(): void {
  if (loadQ(true)) setP(low(i8x16.shuffle(vP(), vQ(), 0, 16, 1, 17, 2, 18, 3, 19, 0, 0, 0, 0, 0, 0, 0, 0)));
}
export function punpcklwd_Pq_Qd(): void {
  if (loadQ(true)) setP(low(i8x16.shuffle(vP(), vQ(), 0, 1, 16, 17, 2, 3, 18, 19, 0, 0, 0, 0, 0, 0, 0, 0)));
}
export function punpckldq_Pq_Qd(): void { if (loadQ(true)) setP((P() & 0xffffffff) | (src << 32)); }
export function punpckhbw_Pq_Qq(): void {
  if (loadQ(false)) setP(low(i8x16.shuffle(vP(), vQ(), 4, 20, 5, 21, 6, 22, 7, 23, 0, 0, 0, 0, 0, 0, 0, 0)));
}
export function punpckhwd_Pq_Qq(): void {
  if (loadQ(false)) setP(low(i8x16.shuffle(vP(), vQ(), 4, 5, 20, 21, 6, 7, 22, 23, 0, 0, 0, 0, 0, 0, 0, 0)));
}
export function punpckhdq_Pq_Qq(): void { if (loadQ(false)) setP((P() >> 32) | (src & 0xffffffff00000000)); }

// --- shifts: the count is all 64 bits of Q (or imm8); a count past the lane
// width gives 0 (logical) or the sign in every bit (arithmetic) ---
function shiftW(d: u64, n: u64, kind: u32): u64 {
  let v = vec(d);
  if (kind == SH_RA) return low(i16x8.shr_s(v, <i32>(n > 15 ? 15 : n)));
  if (n > 15) return 0;
  return low(kind == SH_LL ? i16x8.shl(v, <i32>n) : i16x8.shr_u(v, <i32>n));
}
function shiftD(d: u64, n: u64, kind: u32): u64 {
  let v = vec(d);
  if (kind == SH_RA) return low(i32x4.shr_s(v, <i32>(n > 31 ? 31 : n)));
  if (n > 31) return 0;
  return low(kind == SH_LL ? i32x4.shl(v, <i32>n) : i32x4.shr_u(v, <i32>n));
}
function shiftQ(d: u64, n: u64, kind: u32): u64 {
  if (n > 63) return 0;
  return kind == SH_LL ? d << n : d >> n;
}
const SH_LL: u32 = 0, SH_RL: u32 = 1, SH_RA: u32 = 2;

export function psllw_Pq_Qq(): void { if (loadQ(false)) setP(shiftW(P(), src, SH_LL)); }
export function psrlw_Pq_Qq(): void { if (loadQ(false)) setP(shiftW(P(), src, SH_RL)); }
export function psraw_Pq_Qq(): void { if (loadQ(false)) setP(shiftW(P(), src, SH_RA)); }
export function pslld_Pq_Qq(): void { if (loadQ(false)) setP(shiftD(P(), src, SH_LL)); }
export function psrld_Pq_Qq(): void { if (loadQ(false)) setP(shiftD(P(), src, SH_RL)); }
export function psrad_Pq_Qq(): void { if (loadQ(false)) setP(shiftD(P(), src, SH_RA)); }
export function psllq_Pq_Qq(): void { if (loadQ(false)) setP(shiftQ(P(), src, SH_LL)); }
export function psrlq_Pq_Qq(): void { if (loadQ(false)) setP(shiftQ(P(), src, SH_RL)); }

/** The 0F 71-73 groups: register forms only (a memory ModRM is #UD, SDM vol. 2
 *  appendix A table A-6); the count is the imm8. */
@inline function enterN(): bool {
  if (modrm < 0xc0) { raiseUD(); return false; }
  return mmxEnter();
}
@inline function N(): u64 { return mmRead(modrm & 7); }
@inline function setN(v: u64): void { mmWrite(modrm & 7, v); }
export function psllw_Nq_Ib(): void { if (enterN()) setN(shiftW(N(), <u64>imm, SH_LL)); }
export function psrlw_Nq_Ib(): void { if (enterN()) setN(shiftW(N(), <u64>imm, SH_RL)); }
export function psraw_Nq_Ib(): void { if (enterN()) setN(shiftW(N(), <u64>imm, SH_RA)); }
export function pslld_Nq_Ib(): void { if (enterN()) setN(shiftD(N(), <u64>imm, SH_LL)); }
export function psrld_Nq_Ib(): void { if (enterN()) setN(shiftD(N(), <u64>imm, SH_RL)); }
export function psrad_Nq_Ib(): void { if (enterN()) setN(shiftD(N(), <u64>imm, SH_RA)); }
export function psllq_Nq_Ib(): void { if (enterN()) setN(shiftQ(N(), <u64>imm, SH_LL)); }
export function psrlq_Nq_Ib(): void { if (enterN()) setN(shiftQ(N(), <u64>imm, SH_RL)); }
