// SSE/SSE2 instructions a block computes itself with wasm SIMD, the common
// integer, logic, shuffle and move forms on XMM registers. Everything else the
// opcode map marks jit=interp (floating point, MMX registers, MXCSR, FXSAVE, x87)
// and every case these do not handle in place - the SSE checks failing (CR0.EM,
// CR0.TS, CR4.OSFXSR, the CPUID feature), a memory operand that is not on the
// fast path (TLB miss, page crossing, MMIO, translated code) or misaligned
// where the instruction wants 16 bytes - run by the interpreter's handler
// (emitter.ts step, asm/cpu/jit.ts jitStep), which raises the fault or does the
// access as the interpreter would.
//
// The operations are the ones the interpreter's handlers use (asm/cpu/sseint.ts,
// ssemov.ts: the same wasm SIMD lanes), so the results are the same bit for bit.
// XMM registers stay in the CPU state (state.ts OFF_XMM): each instruction loads
// its operands and stores its result there.
//
// The SSE checks (asm/cpu/sse.ts sseEnter) cannot change inside a block (CR0 and
// CR4 are written only by instructions that end one, the features only at a
// reset): the prologue computes L_SSE once, the features if CR0.EM = CR0.TS = 0
// and CR4.OSFXSR = 1, else 0.

import { CPU_STATE, OFF_XMM, OFF_MXCSR } from "../host/cpustate";
import { FEAT_SSE, FEAT_SSE2 } from "./constants";
import type { Insn } from "./decode";
import { Emitter, L_SSE, L_V, L_V2, L_T, L_LIN } from "./emitter";
import { W, S } from "./wasm";

type Body = (e: Emitter, i: Insn) => void;
/** A direct form: the feature it needs, its W operand in memory (16 bytes, and
 *  whether it must be aligned; undefined: memory forms go to the helper), and
 *  how it computes. */
interface Form { feat: number; mem?: { align: boolean; write: boolean }; body: Body }

const xmm = (r: number) => CPU_STATE + OFF_XMM + 16 * r;
const V = (i: Insn) => (i.reg! & 7);
/** Push XMM register r. */
const ld = (e: Emitter, r: number) => e.i32(0).vload(xmm(r));
/** Push the W operand: register, or the memory operand at the host address. */
const W_ = (e: Emitter, i: Insn) => {
  if (i.rm!.mem) e.hostAddr().vload(0); else ld(e, i.rm!.reg!);
};
/** V <- f(V, W) (`swap`: f(W, V)). */
const binop = (ops: number[], swap = false): Body => (e, i) => {
  e.i32(0);
  if (swap) { W_(e, i); ld(e, V(i)); } else { ld(e, V(i)); W_(e, i); }
  for (const o of ops) e.simd(o);
  e.vstore(xmm(V(i)));
};
/** V <- shuffle(V, W) by byte lanes (0-15 V's, 16-31 W's). */
const shuffle = (lanes: number[]): Body => (e, i) => {
  e.i32(0); ld(e, V(i)); W_(e, i); e.shuffle(lanes); e.vstore(xmm(V(i)));
};
/** Byte lanes of `dw` dword lanes, each 0-7 (V's 0-3, W's 4-7). */
const dwords = (dw: number[]) => dw.flatMap((d) => [4 * d, 4 * d + 1, 4 * d + 2, 4 * d + 3]);
const words = (w: number[]) => w.flatMap((d) => [2 * d, 2 * d + 1]);
const qwords = (q: number[]) => dwords(q.flatMap((d) => [2 * d, 2 * d + 1]));
const interleave = (n: number, from: number, lane: (l: number[]) => number[]) =>
  lane(Array.from({ length: n }, (_, k) => [from + k, from + k + 2 * n]).flat());

const mov: Body = (e, i) => { e.i32(0); W_(e, i); e.vstore(xmm(V(i))); };
const store: Body = (e, i) => {
  if (i.rm!.mem) { e.hostAddr(); ld(e, V(i)); e.vstore(0); }
  else { e.i32(0); ld(e, V(i)); e.vstore(xmm(i.rm!.reg!)); }
};
/** PSHUFD: V <- W's dwords chosen by imm8. */
const pshufd: Body = (e, i) => {
  e.i32(0); W_(e, i); e.tee(L_V).get(L_V);
  e.shuffle(dwords([0, 1, 2, 3].map((k) => (i.imm! >> (2 * k)) & 3)));
  e.vstore(xmm(V(i)));
};
/** SHUFPS: dwords 0-1 from V, 2-3 from W, chosen by imm8. */
const shufps: Body = (e, i) => {
  const m = i.imm!;
  e.i32(0); ld(e, V(i)); W_(e, i);
  e.shuffle(dwords([m & 3, (m >> 2) & 3, 4 + ((m >> 4) & 3), 4 + ((m >> 6) & 3)]));
  e.vstore(xmm(V(i)));
};
/** PMULUDQ: the unsigned products of dwords 0 and 2 as two qwords (sseint.ts muludq). */
const pmuludq: Body = (e, i) => {
  e.i32(0);
  ld(e, V(i)).tee(L_V).get(L_V).shuffle(dwords([0, 2, 0, 2]));
  W_(e, i); e.tee(L_V).get(L_V).shuffle(dwords([0, 2, 0, 2]));
  e.simd(S.i64x2extmulLowI32x4u).vstore(xmm(V(i)));
};
/** The 66 0F 71-73 groups, U by imm8 (sseint.ts shW/shD/shQ: a count past the
 *  lane width gives zero, or the sign for the arithmetic shifts); PSRLDQ and
 *  PSLLDQ by bytes. */
const shiftImm = (bits: number, op: number, arith: boolean): Body => (e, i) => {
  const u = i.rm!.reg!, n = i.imm!;
  e.i32(0);
  if (n >= bits && !arith) e.vzero();
  else { ld(e, u).i32(Math.min(n, bits - 1)).simd(op); }
  e.vstore(xmm(u));
};
const byteShift = (left: boolean): Body => (e, i) => {
  const u = i.rm!.reg!, n = Math.min(i.imm!, 16);
  // shuffle(U, zero): a result byte k is U's k - n (left) or k + n (right), else zero (lane 16)
  e.i32(0); ld(e, u); e.vzero();
  e.shuffle(Array.from({ length: 16 }, (_, k) => { const s = left ? k - n : k + n; return s >= 0 && s < 16 ? s : 16; }));
  e.vstore(xmm(u));
};

/** The prefix columns of interpops.ts keys: NP 1, 66 2, F3 3. */
const NP = 1 << 9, P66 = 2 << 9, F3 = 3 << 9;
const A = { align: true, write: false }, U = { align: false, write: false };
const AW = { align: true, write: true }, UW = { align: false, write: true };
const sse2 = (body: Body, mem: Form["mem"] = A): Form => ({ feat: FEAT_SSE2, mem, body });
const sse1 = (body: Body, mem: Form["mem"] = A): Form => ({ feat: FEAT_SSE, mem, body });

const FORMS = new Map<number, Form>([
  // moves (ssemov.ts movVW / movWV)
  [NP | 0x110, sse1(mov, U)], [P66 | 0x110, sse2(mov, U)],
  [NP | 0x111, sse1(store, UW)], [P66 | 0x111, sse2(store, UW)],
  [NP | 0x128, sse1(mov)], [P66 | 0x128, sse2(mov)],
  [NP | 0x129, sse1(store, AW)], [P66 | 0x129, sse2(store, AW)],
  [P66 | 0x16f, sse2(mov)], [F3 | 0x16f, sse2(mov, U)],
  [P66 | 0x17f, sse2(store, AW)], [F3 | 0x17f, sse2(store, UW)],
  // logic (ssemov.ts, sseint.ts): ANDN is ~V & W
  [NP | 0x154, sse1(binop([S.v128and]))], [P66 | 0x154, sse2(binop([S.v128and]))],
  [NP | 0x155, sse1(binop([S.v128andnot], true))], [P66 | 0x155, sse2(binop([S.v128andnot], true))],
  [NP | 0x156, sse1(binop([S.v128or]))], [P66 | 0x156, sse2(binop([S.v128or]))],
  [NP | 0x157, sse1(binop([S.v128xor]))], [P66 | 0x157, sse2(binop([S.v128xor]))],
  [P66 | 0x1db, sse2(binop([S.v128and]))], [P66 | 0x1df, sse2(binop([S.v128andnot], true))],
  [P66 | 0x1eb, sse2(binop([S.v128or]))], [P66 | 0x1ef, sse2(binop([S.v128xor]))],
  // add, subtract, multiply, compare, average, min, max (sseint.ts)
  [P66 | 0x1fc, sse2(binop([S.i8x16add]))], [P66 | 0x1fd, sse2(binop([S.i16x8add]))],
  [P66 | 0x1fe, sse2(binop([S.i32x4add]))], [P66 | 0x1d4, sse2(binop([S.i64x2add]))],
  [P66 | 0x1f8, sse2(binop([S.i8x16sub]))], [P66 | 0x1f9, sse2(binop([S.i16x8sub]))],
  [P66 | 0x1fa, sse2(binop([S.i32x4sub]))], [P66 | 0x1fb, sse2(binop([S.i64x2sub]))],
  [P66 | 0x1ec, sse2(binop([S.i8x16addSatS]))], [P66 | 0x1ed, sse2(binop([S.i16x8addSatS]))],
  [P66 | 0x1dc, sse2(binop([S.i8x16addSatU]))], [P66 | 0x1dd, sse2(binop([S.i16x8addSatU]))],
  [P66 | 0x1e8, sse2(binop([S.i8x16subSatS]))], [P66 | 0x1e9, sse2(binop([S.i16x8subSatS]))],
  [P66 | 0x1d8, sse2(binop([S.i8x16subSatU]))], [P66 | 0x1d9, sse2(binop([S.i16x8subSatU]))],
  [P66 | 0x1d5, sse2(binop([S.i16x8mul]))], [P66 | 0x1f5, sse2(binop([S.i32x4dotI16x8s]))],
  [P66 | 0x1f4, sse2(pmuludq)],
  [P66 | 0x174, sse2(binop([S.i8x16eq]))], [P66 | 0x175, sse2(binop([S.i16x8eq]))], [P66 | 0x176, sse2(binop([S.i32x4eq]))],
  [P66 | 0x164, sse2(binop([S.i8x16gtS]))], [P66 | 0x165, sse2(binop([S.i16x8gtS]))], [P66 | 0x166, sse2(binop([S.i32x4gtS]))],
  [P66 | 0x1e0, sse2(binop([S.i8x16avgrU]))], [P66 | 0x1e3, sse2(binop([S.i16x8avgrU]))],
  [P66 | 0x1da, sse2(binop([S.i8x16minU]))], [P66 | 0x1de, sse2(binop([S.i8x16maxU]))],
  [P66 | 0x1ea, sse2(binop([S.i16x8minS]))], [P66 | 0x1ee, sse2(binop([S.i16x8maxS]))],
  // pack, unpack, shuffle (sseint.ts, ssemov.ts)
  [P66 | 0x163, sse2(binop([S.i8x16narrowI16x8s]))], [P66 | 0x167, sse2(binop([S.i8x16narrowI16x8u]))],
  [P66 | 0x16b, sse2(binop([S.i16x8narrowI32x4s]))],
  [P66 | 0x160, sse2(shuffle(interleave(8, 0, (l) => l)))], [P66 | 0x168, sse2(shuffle(interleave(8, 8, (l) => l)))],
  [P66 | 0x161, sse2(shuffle(words(interleave(4, 0, (l) => l))))], [P66 | 0x169, sse2(shuffle(words(interleave(4, 4, (l) => l))))],
  [P66 | 0x162, sse2(shuffle(dwords([0, 4, 1, 5])))], [P66 | 0x16a, sse2(shuffle(dwords([2, 6, 3, 7])))],
  [P66 | 0x16c, sse2(shuffle(qwords([0, 2])))], [P66 | 0x16d, sse2(shuffle(qwords([1, 3])))],
  [NP | 0x114, sse1(shuffle(dwords([0, 4, 1, 5])))], [NP | 0x115, sse1(shuffle(dwords([2, 6, 3, 7])))],
  [P66 | 0x114, sse2(shuffle(qwords([0, 2])))], [P66 | 0x115, sse2(shuffle(qwords([1, 3])))],
  [P66 | 0x170, sse2(pshufd)], [NP | 0x1c6, sse1(shufps)],
]);

/** 0F AE with a register ModRM, by reg: LFENCE, MFENCE (SSE2), SFENCE (SSE),
 *  the feature each needs (asm/cpu/sse.ts lfence, mfence, sfence_clflush). */
const FENCES = new Map<number, number>([[5, FEAT_SSE2], [6, FEAT_SSE2], [7, FEAT_SSE]]);
/** The shift groups by ModRM.reg (register forms only: memory is #UD). */
const SHIFT_GROUPS = new Map<number, Map<number, Body>>([
  [P66 | 0x171, new Map([[2, shiftImm(16, S.i16x8shrU, false)], [4, shiftImm(16, S.i16x8shrS, true)], [6, shiftImm(16, S.i16x8shl, false)]])],
  [P66 | 0x172, new Map([[2, shiftImm(32, S.i32x4shrU, false)], [4, shiftImm(32, S.i32x4shrS, true)], [6, shiftImm(32, S.i32x4shl, false)]])],
  [P66 | 0x173, new Map([[2, shiftImm(64, S.i64x2shrU, false)], [3, byteShift(false)], [6, shiftImm(64, S.i64x2shl, false)], [7, byteShift(true)]])],
]);

/** Register-only forms with general registers (memory forms: the helper). */
const GPR_FORMS = new Map<number, Body>([
  // MOVD xmm, r32: zero-extended
  [P66 | 0x16e, (e, i) => { e.i32(0).vzero().reg(i.rm!.reg!, 32).simd(S.i32x4replaceLane, 0).vstore(xmm(V(i))); }],
  // MOVD r32, xmm
  [P66 | 0x17e, (e, i) => { ld(e, V(i)).simd(S.i32x4extractLane, 0).set(L_T); e.setReg(i.rm!.reg!, 32, L_T); }],
  // PMOVMSKB r32, xmm
  [P66 | 0x1d7, (e, i) => { ld(e, i.rm!.reg!).simd(S.i8x16bitmask).set(L_T); e.setReg(V(i), 32, L_T); }],
  // MOVQ xmm, xmm (F3 0F 7E) and MOVQ xmm, xmm (66 0F D6: V to U): the low qword, zero-extended
  [F3 | 0x17e, (e, i) => { e.i32(0); ld(e, i.rm!.reg!); e.vzero().shuffle(qwords([0, 2])).vstore(xmm(V(i))); }],
  [P66 | 0x1d6, (e, i) => { e.i32(0); ld(e, V(i)); e.vzero().shuffle(qwords([0, 2])).vstore(xmm(i.rm!.reg!)); }],
]);

// Packed single-precision arithmetic (asm/cpu/ssefp.ts ps, ssemath.ts) in place
// only where IEEE arithmetic in wasm gives the interpreter's result and MXCSR
// stays as it is:
//   MXCSR = 1FA0H but for the sticky flags IE..UE (bits 0-4): every exception
//   masked, round to nearest, no FZ, no DAZ, and PE already set - the one
//   flag these operations can then raise (an inexact result), so no flag
//   changes;
//   ADDPS SUBPS MULPS: every lane of both operands zero or normal with an
//   exponent within 2^-62..2^62 (biased 65..189): no NaN, infinity or
//   denormal comes in, and no result overflows or underflows (a product stays
//   below 2^126 and at or above 2^-124; a sum of such numbers is exact when it
//   is small, Sterbenz), so the only exception is the inexact one;
//   CVTDQ2PS: any integer (inexact at most);
//   CVTTPS2DQ: every lane below 2^31 in magnitude (biased exponent < 158: no
//   NaN, no infinity, no out-of-range integer, which would be invalid).
// Otherwise the interpreter's handler runs it. The result is the correctly
// rounded one in both (wasm's f32x4 operations round to nearest even).
const MXCSR_FAST = 0x1fa0, MXCSR_STICKY = 0x1f;
type FpCheck = "normal" | "none" | "int32";
interface FpForm { feat: number; two: boolean; check: FpCheck; op: number }
const FP_FORMS = new Map<number, FpForm>([
  [NP | 0x158, { feat: FEAT_SSE, two: true, check: "normal", op: S.f32x4add }],
  [NP | 0x15c, { feat: FEAT_SSE, two: true, check: "normal", op: S.f32x4sub }],
  [NP | 0x159, { feat: FEAT_SSE, two: true, check: "normal", op: S.f32x4mul }],
  [NP | 0x15b, { feat: FEAT_SSE2, two: false, check: "none", op: S.f32x4convertI32x4s }],
  [F3 | 0x15b, { feat: FEAT_SSE2, two: false, check: "int32", op: S.i32x4truncSatF32x4s }],
]);
/** Push whether every lane of local `l` passes `check` (an i32, 0/1). */
function lanesOk(e: Emitter, l: number, check: FpCheck): void {
  // biased exponent = (x >> 23) & 0xFF
  e.get(l).i32(23).simd(S.i32x4shrU).i32(0xff).simd(S.i32x4splat).simd(S.v128and);
  if (check === "int32") { e.i32(158).simd(S.i32x4splat).simd(S.i32x4ltU).simd(S.i32x4allTrue); return; }
  // (e - 65) <= 124 unsigned, or x is +-0
  e.i32(65).simd(S.i32x4splat).simd(S.i32x4sub).i32(124).simd(S.i32x4splat).simd(S.i32x4leU);
  e.get(l).i32(0x7fffffff).simd(S.i32x4splat).simd(S.v128and).vzero().simd(S.i32x4eq).simd(S.v128or);
  e.simd(S.i32x4allTrue);
}
function emitFp(e: Emitter, i: Insn, f: FpForm): void {
  const mem = i.rm?.mem;
  e.open(W.block, "simd");
  e.get(L_SSE).i32(f.feat).op(W.and).i32(0).op(W.ne);
  e.load(W.load, CPU_STATE + OFF_MXCSR).i32(~MXCSR_STICKY).op(W.and).i32(MXCSR_FAST).op(W.eq).op(W.and);
  if (mem) e.ea(mem).fastCheck(mem.seg, 16, false).op(W.and).get(L_LIN).i32(15).op(W.and).op(W.eqz).op(W.and);
  e.open(W.if_, "");
  W_(e, i); e.set(L_V2);
  if (f.two) { ld(e, V(i)).set(L_V); lanesOk(e, L_V, f.check); lanesOk(e, L_V2, f.check); e.op(W.and); }
  else if (f.check !== "none") lanesOk(e, L_V2, f.check);
  else e.i32(1);
  e.open(W.if_, "");
  e.i32(0); if (f.two) e.get(L_V); e.get(L_V2).simd(f.op).vstore(xmm(V(i)));
  e.br("simd");
  e.end();
  e.end();
  e.step(i.off, i.gprs!, i.gprsOut!, i.eflags!);
  e.end();
}

/** Emit `i` (op interp) with wasm SIMD where it has a direct form; false when
 *  it has none (the caller calls the helper alone). */
export function emitSimd(e: Emitter, i: Insn): boolean {
  const key = i.opc!;
  const mem = i.rm?.mem;
  const fence = key === 0x1ae && !mem ? FENCES.get(i.reg!) : undefined;
  if (fence !== undefined) {
    // Nothing to order: memory is coherent and in program order here. Without
    // the feature (or with L_SSE 0 for a CR0/CR4 reason that does not concern
    // fences) the handler decides: #UD, or nothing.
    e.usesSimd = true; // the prologue computes L_SSE
    e.get(L_SSE).i32(fence).op(W.and).op(W.eqz);
    e.open(W.if_, "");
    e.step(i.off, i.gprs!, i.gprsOut!, i.eflags!);
    e.end();
    return true;
  }
  const fp = FP_FORMS.get(key);
  if (fp) { emitFp(e, i, fp); return true; }
  let form: Form | undefined = FORMS.get(key);
  if (!form) {
    const g = SHIFT_GROUPS.get(key)?.get(i.reg!) ?? (!SHIFT_GROUPS.has(key) ? GPR_FORMS.get(key) : undefined);
    if (!g || mem) return false;
    form = { feat: FEAT_SSE2, body: g }; // all 66- or F3-prefixed SSE2 forms
  }
  if (mem && !form.mem) return false;
  // guard: the SSE checks pass and the memory operand is on the fast path
  e.get(L_SSE).i32(form.feat).op(W.and).i32(0).op(W.ne);
  if (mem) {
    e.ea(mem).fastCheck(mem.seg, 16, form.mem!.write).op(W.and);
    if (form.mem!.align) e.get(L_LIN).i32(15).op(W.and).op(W.eqz).op(W.and);
  }
  e.open(W.if_, "");
  form.body(e, i);
  e.else_();
  e.step(i.off, i.gprs!, i.gprsOut!, i.eflags!);
  e.end();
  return true;
}
