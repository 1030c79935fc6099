// The x87 FPU of a P6-class processor (SDM vol. 1 ch. 8; vol. 2 F* instructions;
// vol. 3 §2.5 CR0.MP/EM/TS/NE, §6.15 #NM and #MF, §9.2 FPU initialization).
//
// State block at state.ts OFF_FPU (layout below). Registers hold exact 80-bit
// values; which operations are exact and which compute in f64 is described in
// x87math.ts and docs/X87.md.
//
// Exceptions (SDM vol. 1 §8.4-8.7): each instruction accumulates its exception
// flags; masked ones get the SDM's masked response, an unmasked pre-computation
// exception (IE, DE, ZE) leaves the destination and TOP unchanged, an unmasked
// post-computation one (OE, UE with biased exponent, PE) stores the result. An
// unmasked exception sets ES and B; the NEXT waiting x87 instruction (or
// WAIT/FWAIT) then reports it:
//   CR0.NE=1: #MF (vector 16), a fault on that waiting instruction;
//   CR0.NE=0: the PC's legacy path: the processor's FERR# output drives IRQ13
//             through the chipset. Here fpuIrq13Hook(true) is called (the
//             platform wiring connects it to the PIC's IRQ13 line) and the
//             instruction continues, as with IGNNE# asserted; fpuIrq13Hook(false)
//             is called when ES is cleared (FNCLEX, FNINIT, FLDENV, FRSTOR,
//             FNSAVE). Real hardware would freeze the waiting instruction until
//             the OS handler writes port 0xF0; the chipset side (port 0xF0) is
//             the platform's.
// The instruction and data pointers are kept as offset and selector; the real-
// mode FSTENV/FSAVE layouts store the linear address (selector * 16 + offset)
// computed from them, as the SDM describes. FOP, FIP and FDP are updated by every
// non-control instruction (FDP/FDS only by those with a memory operand).

import {
  OFF_FPU, R_EAX, S_CS, CR0_EM, CR0_TS, CR0_MP, CR0_NE, CF, PF, ZF, ARITH_FLAGS,
  cr0, setReg16, segSel, segBase,
} from "./state";
import { raise, raiseNM, raiseUD, raiseGP, faultPending, MF } from "./fault";
import { modrm, eaSeg, eaOff, opcode, opsize32, addrsize32, instrStart } from "./decode";
import { read8, read16, read32, write8, write16, write32, checkRead, checkWrite } from "./mem";
import { setArithFlags, getCF, getZF, getPF } from "./flags";
import { pmodeNotV86 } from "./segments";
import { hasFeature, FEAT_SSE3 } from "./features";
import { fxsaveSse, fxrstorSseRead, fxrstorSseCommit } from "./sse";
import {
  C_ZERO, C_NORMAL, C_DENORM, C_INF, C_QNAN, C_SNAN, C_UNSUPPORTED, J_BIT, QNAN_BIT,
  INDEF_SE, INDEF_M, BIAS80, FE_IE, FE_DE, FE_ZE, FE_OE, FE_UE, FE_PE,
  RC_NEAREST, RC_DOWN, RC_UP, RC_CHOP, F_EXT, F_DBL, F_SGL,
  classify, isNaNClass, unpack, uS, uE, uM, roundPack, pS, pE, pM, xFlags, roundedUp,
  packedSE, packedDouble, packedSingle, sigToF64, pow2, packF64,
  roundToIntMag, rIntOverflow, rIntInexact, rIntUp,
  roundPackLo, exactAdd, exactMul, exactDiv, exactSqrt, aS, aE, aM, aLo, aSticky, aZero,
} from "./x87math";

// --- state block layout (0x200 bytes at OFF_FPU) ---
// 8 physical registers, 16 bytes each: significand u64 at +0, sign/exponent u16 at +8.
const FPU_REGS: u32 = OFF_FPU;
const FPU_CW: u32 = OFF_FPU + 0x80;    // u16 control word
const FPU_SW: u32 = OFF_FPU + 0x84;    // u16 status word, TOP included
const FPU_EMPTY: u32 = OFF_FPU + 0x88; // u8: bit i set = physical register i empty (tag 11)
const FPU_FIP: u32 = OFF_FPU + 0x8c;   // u32 last instruction offset
const FPU_FCS: u32 = OFF_FPU + 0x90;   // u16 its CS selector
const FPU_FOP: u32 = OFF_FPU + 0x92;   // u16 last opcode (11 bits)
const FPU_FDP: u32 = OFF_FPU + 0x94;   // u32 last data operand offset
const FPU_FDS: u32 = OFF_FPU + 0x98;   // u16 its segment selector
const FPU_STAGE: u32 = OFF_FPU + 0x100; // scratch: FRSTOR reads the image here before committing

// Status word bits (SDM vol. 1 figure 8-4).
const SW_SF: u32 = 0x40;
const SW_ES: u32 = 0x80;
const SW_C0: u32 = 0x100;
const SW_C1: u32 = 0x200;
const SW_C2: u32 = 0x400;
const SW_C3: u32 = 0x4000;
const SW_B: u32 = 0x8000;
const SW_CC: u32 = SW_C0 | SW_C1 | SW_C2 | SW_C3;

/** CPUID.1:EDX.FPU (bit 0) and CMOV (bit 15, which with FPU also means FCMOV):
 *  the x87 here is complete, so system.ts's CPUID may report both. */
export const FPU_PRESENT: bool = true;

// --- the legacy FERR#/IRQ13 path ---
export type FpuIrq13Hook = (assert: bool) => void;
function noIrq13(assert: bool): void {}
/** Set by the platform wiring (machine.ts) to drive IRQ13; see the file comment. */
export let fpuIrq13Hook: FpuIrq13Hook = noIrq13;
export function setFpuIrq13Hook(f: FpuIrq13Hook): void { fpuIrq13Hook = f; }

// --- register access ---
@inline function cw(): u32 { return <u32>load<u16>(FPU_CW); }
@inline function sw(): u32 { return <u32>load<u16>(FPU_SW); }
@inline function setSw(v: u32): void { store<u16>(FPU_SW, <u16>v); }
@inline function top(): u32 { return (sw() >> 11) & 7; }
@inline function setTop(t: u32): void { setSw((sw() & ~0x3800) | ((t & 7) << 11)); }
@inline function phys(i: u32): u32 { return (top() + i) & 7; }
@inline function regAddr(p: u32): u32 { return FPU_REGS + (p << 4); }
@inline function stSE(i: u32): u32 { return <u32>load<u16>(regAddr(phys(i)) + 8); }
@inline function stM(i: u32): u64 { return load<u64>(regAddr(phys(i))); }
@inline function isEmptyP(p: u32): bool { return (load<u8>(FPU_EMPTY) & (1 << p)) != 0; }
@inline function stEmpty(i: u32): bool { return isEmptyP(phys(i)); }
function setP(p: u32, se: u32, m: u64): void {
  store<u64>(regAddr(p), m);
  store<u16>(regAddr(p) + 8, <u16>se);
  store<u8>(FPU_EMPTY, <u8>(<u32>load<u8>(FPU_EMPTY) & ~(<u32>1 << p)));
}
@inline function setST(i: u32, se: u32, m: u64): void { setP(phys(i), se, m); }
function freeP(p: u32): void { store<u8>(FPU_EMPTY, <u8>(<u32>load<u8>(FPU_EMPTY) | (<u32>1 << p))); }
function popStack(): void { freeP(top()); setTop(top() + 1); }
function pushStack(se: u32, m: u64): void { setTop(top() - 1); setST(0, se, m); }
@inline function setCC(mask: u32, v: u32): void { setSw((sw() & ~mask) | (v & mask)); }
@inline function setC1(b: bool): void { setCC(SW_C1, b ? SW_C1 : 0); }
@inline function rc(): u32 { return (cw() >> 10) & 3; }
@inline function masks(): u32 { return cw() & 0x3f; }
/** Precision control (SDM vol. 1 §8.1.5.2): 00 single, 10 double, 11 extended. */
@inline function precBits(): u32 { let pc = (cw() >> 8) & 3; return pc == 0 ? 24 : pc == 2 ? 53 : 64; }

// --- exceptions of the current instruction ---
let exc: u32 = 0;
/** Record exception flags; true when one of them is unmasked (the caller then
 *  abandons a pre-computation exception: no result, no pop). */
function signal(f: u32): bool { exc |= f; return (f & ~masks() & 0x3f) != 0; }
/** Stack overflow/underflow: IE with SF, C1 = 1 on overflow (SDM vol. 1 §8.5.1.1). */
function stackFault(overflow: bool): bool {
  setSw(sw() | SW_SF);
  setC1(overflow);
  return signal(FE_IE);
}
function commitExc(): void {
  let s = sw() | exc;
  if ((exc & ~masks() & 0x3f) != 0) s |= SW_ES | SW_B;
  setSw(s);
}
function setEsFromFlags(): void {
  let s = sw();
  if ((s & ~masks() & 0x3f) != 0) s |= SW_ES | SW_B; else s &= ~(SW_ES | SW_B);
  setSw(s);
}
function clearEs(): void {
  let had = (sw() & SW_ES) != 0;
  setSw(sw() & ~(0x3f | SW_SF | SW_ES | SW_B));
  if (had && (cr0() & CR0_NE) == 0) fpuIrq13Hook(false);
}

/** FNINIT (SDM vol. 2 FINIT/FNINIT): CW 037FH, SW 0 (TOP 0), all tags empty,
 *  instruction/data pointers and opcode 0; register contents unchanged. */
function finit(): void {
  store<u16>(FPU_CW, 0x037f);
  setSw(0);
  store<u8>(FPU_EMPTY, 0xff);
  store<u32>(FPU_FIP, 0);
  store<u16>(FPU_FCS, 0);
  store<u16>(FPU_FOP, 0);
  store<u32>(FPU_FDP, 0);
  store<u16>(FPU_FDS, 0);
}

/** State after RESET (SDM vol. 3 §9.1.1, table 9-1, P6 family): FCW 0040H,
 *  FSW 0, FTW 5555H (every register valid and +0.0), pointers and opcode 0.
 *  This differs from FNINIT's state (FCW 037FH, all registers empty), which is
 *  why firmware and kernels run FNINIT before using the FPU. Called by
 *  reset.ts resetCpu(); INIT (which keeps the x87 state) is not modelled. */
export function fpuReset(): void {
  memory.fill(OFF_FPU, 0, 0x100);
  store<u16>(FPU_CW, 0x0040);
  setSw(0);
  store<u8>(FPU_EMPTY, 0);
}

// --- entry checks ---
/** #NM per SDM vol. 3 table 2-2 (EM or TS for x87 instructions), then the
 *  pending-exception check for waiting instructions. False: do not execute. */
function enter(waiting: bool): bool {
  let c = cr0();
  if ((c & (CR0_EM | CR0_TS)) != 0) { raiseNM(); return false; }
  exc = 0;
  if (waiting) return checkPending();
  return true;
}
function checkPending(): bool {
  if ((sw() & SW_ES) == 0) return true;
  if ((cr0() & CR0_NE) != 0) { raise(MF, 0, false); return false; }
  fpuIrq13Hook(true);
  return true;
}
/** Record the instruction and data pointers and the opcode (SDM vol. 1 §8.1.8,
 *  §8.1.9) for a non-control instruction. */
function notePointers(mem: bool): void {
  store<u32>(FPU_FIP, instrStart);
  store<u16>(FPU_FCS, <u16>segSel(S_CS));
  store<u16>(FPU_FOP, <u16>(((opcode & 7) << 8) | modrm));
  if (mem) {
    store<u32>(FPU_FDP, eaOff);
    store<u16>(FPU_FDS, <u16>segSel(eaSeg));
  }
}

/** WAIT/FWAIT (9B): #NM only when both TS and MP are set (SDM vol. 3 table 2-2),
 *  then reports a pending unmasked exception. */
export function fwait(): void {
  if ((cr0() & (CR0_TS | CR0_MP)) == (CR0_TS | CR0_MP)) { raiseNM(); return; }
  checkPending();
}

// --- memory operands ---
@inline function ea(delta: u32): u32 { return (eaOff + delta) & (addrsize32 ? 0xffffffff : 0xffff); }
@inline function rd8(d: u32): u32 { return read8(eaSeg, ea(d)); }
@inline function rd16(d: u32): u32 { return read16(eaSeg, ea(d)); }
@inline function rd32(d: u32): u32 { return read32(eaSeg, ea(d)); }
@inline function rd64(d: u32): u64 { let lo = rd32(d); return <u64>lo | (<u64>rd32(d + 4) << 32); }
@inline function wr8(d: u32, v: u32): void { write8(eaSeg, ea(d), v); }
@inline function wr16(d: u32, v: u32): void { write16(eaSeg, ea(d), v); }
@inline function wr32(d: u32, v: u32): void { write32(eaSeg, ea(d), v); }
@inline function wr64(d: u32, v: u64): void { wr32(d, <u32>v); wr32(d + 4, <u32>(v >> 32)); }

// --- conversions into the register format (exact) ---
let cSE: u32 = 0;
let cM: u64 = 0;
let cDenorm: bool = false; // the source was a denormal in its own format (#D)

function fromInt(neg: bool, mag: u64): void {
  cDenorm = false;
  if (mag == 0) { cSE = neg ? 0x8000 : 0; cM = 0; return; }
  let sh = clz<u64>(mag);
  cM = mag << sh;
  cSE = (neg ? 0x8000 : 0) | <u32>(63 - <i32>sh + BIAS80);
}
@inline function fromI64(v: i64): void { fromInt(v < 0, v < 0 ? <u64>(-v) : <u64>v); }

/** Single (fracBits 23, expBits 8) or double (52, 11) to the register format;
 *  SNaNs stay signalling (the caller decides whether to quiet them). */
function fromReal(bits: u64, fracBits: u32, expBits: u32): void {
  let s: u32 = <u32>(bits >> <u64>(fracBits + expBits)) & 1;
  let maxE: u32 = (1 << expBits) - 1;
  let bias: i32 = <i32>(maxE >> 1);
  let ex = <u32>(bits >> <u64>fracBits) & maxE;
  let frac = bits & ((<u64>1 << <u64>fracBits) - 1);
  cDenorm = false;
  let sh: u64 = <u64>(63 - fracBits);
  if (ex == 0) {
    if (frac == 0) { cSE = s << 15; cM = 0; return; }
    cDenorm = true;
    let m = frac << sh;
    let n = clz<u64>(m);
    cM = m << n;
    cSE = (s << 15) | <u32>(1 - bias - <i32>n + BIAS80);
    return;
  }
  if (ex == maxE) { cSE = (s << 15) | 0x7fff; cM = J_BIT | (frac << sh); return; }
  cM = J_BIT | (frac << sh);
  cSE = (s << 15) | <u32>(<i32>ex - bias + BIAS80);
}

// --- results ---
let rSE: u32 = 0;
let rM: u64 = 0;
@inline function setR(se: u32, m: u64): void { rSE = se; rM = m; }
@inline function setIndef(): void { rSE = INDEF_SE; rM = INDEF_M; }
function fromPack(): void { rSE = packedSE(); rM = pM; }

/** NaN operands and unsupported formats (SDM vol. 1 §4.8.3.5, table 4-7, §8.2.2).
 *  Returns false when an unmasked IE abandons the operation. */
function nanResult(aSE: u32, aM: u64, ca: u32, bSE: u32, bM: u64, cb: u32): bool {
  if (ca == C_UNSUPPORTED || cb == C_UNSUPPORTED) {
    if (signal(FE_IE)) return false;
    setIndef();
    return true;
  }
  if (ca == C_SNAN || cb == C_SNAN) { if (signal(FE_IE)) return false; }
  let pickA: bool;
  if (isNaNClass(ca) && isNaNClass(cb)) {
    if (ca == C_QNAN && cb == C_SNAN) pickA = true;
    else if (ca == C_SNAN && cb == C_QNAN) pickA = false;
    else {
      let ma = aM & ~QNAN_BIT, mb = bM & ~QNAN_BIT;
      pickA = ma > mb || (ma == mb && (aSE & 0x8000) == 0) || (ma == mb && (bSE & 0x8000) != 0);
    }
  } else pickA = isNaNClass(ca);
  if (pickA) setR(aSE, aM | QNAN_BIT); else setR(bSE, bM | QNAN_BIT);
  return true;
}
/** One-operand version. */
@inline function nanResult1(aSE: u32, aM: u64, ca: u32): bool { return nanResult(aSE, aM, ca, aSE, aM, ca); }

/** Round an exact finite non-zero value to the register with precision `prec`. */
function packExact(se: u32, m: u64, prec: u32): void {
  unpack(se, m);
  roundPack(uS, uE, uM, false, prec, F_EXT, rc(), masks());
  exc |= xFlags;
  fromPack();
}
/** Round the exact result of x87math's exact* operations to the register. */
function finishExact(prec: u32): void {
  if (aZero) { setR(aS << 15, 0); roundedUpR = false; return; }
  roundPackLo(aS, aE, aM, aLo, aSticky, prec, F_EXT, rc(), masks(), 0);
  exc |= xFlags;
  fromPack();
  roundedUpR = roundedUp;
}
function finishF64(s: u32, q: f64, k: i32, err: i32, prec: u32): void {
  packF64(s, q, k, err, prec, rc(), masks());
  exc |= xFlags;
  fromPack();
}

// --- arithmetic: ADD MUL SUB SUBR DIV DIVR by the D8 ModRM.reg numbering ---
const OP_ADD: u32 = 0;
const OP_MUL: u32 = 1;
const OP_SUB: u32 = 4;
const OP_SUBR: u32 = 5;
const OP_DIV: u32 = 6;
const OP_DIVR: u32 = 7;

/** r = a OP b (SUBR/DIVR: b OP a). `srcDenorm`: b came from a memory format
 *  denormal. Result in rSE/rM with C1; false when nothing is to be stored. */
function arith(op: u32, aSE0: u32, aM0: u64, bSE0: u32, bM0: u64, srcDenorm: bool): bool {
  let aSE = aSE0, aM = aM0, bSE = bSE0, bM = bM0;
  if (op == OP_SUBR || op == OP_DIVR) { aSE = bSE0; aM = bM0; bSE = aSE0; bM = aM0; op -= 1; }
  let ca = classify(aSE, aM), cb = classify(bSE, bM);
  roundedUpR = false;
  if (ca >= C_QNAN || cb >= C_QNAN) return nanResult(aSE, aM, ca, bSE, bM, cb);
  if (ca == C_DENORM || cb == C_DENORM || srcDenorm) { if (signal(FE_DE)) return false; }
  let sa = aSE >> 15, sb = bSE >> 15;
  let prec = precBits();
  if (op == OP_ADD || op == OP_SUB) {
    if (op == OP_SUB) sb ^= 1;
    if (ca == C_INF || cb == C_INF) {
      if (ca == C_INF && cb == C_INF && sa != sb) { if (signal(FE_IE)) return false; setIndef(); return true; }
      if (ca == C_INF) setR(aSE, aM); else setR((sb << 15) | 0x7fff, J_BIT);
      return true;
    }
    if (ca == C_ZERO && cb == C_ZERO) {
      let s = sa == sb ? sa : (rc() == RC_DOWN ? 1 : 0);
      setR(s << 15, 0);
      return true;
    }
    if (ca == C_ZERO) { packExact((sb << 15) | (bSE & 0x7fff), bM, prec); roundedUpR = roundedUp; return true; }
    if (cb == C_ZERO) { packExact(aSE, aM, prec); roundedUpR = roundedUp; return true; }
    unpack(aSE, aM); let ea = uE; let ma = uM;
    unpack(bSE, bM);
    exactAdd(sa, ea, ma, sb, uE, uM, rc());
    finishExact(prec);
    return true;
  }
  let s = sa ^ sb;
  if (op == OP_MUL) {
    if ((ca == C_INF && cb == C_ZERO) || (ca == C_ZERO && cb == C_INF)) { if (signal(FE_IE)) return false; setIndef(); return true; }
    if (ca == C_INF || cb == C_INF) { setR((s << 15) | 0x7fff, J_BIT); return true; }
    if (ca == C_ZERO || cb == C_ZERO) { setR(s << 15, 0); return true; }
    unpack(aSE, aM); let ea = uE; let ma = uM;
    unpack(bSE, bM);
    exactMul(ea, ma, uE, uM);
    aS = s;
    finishExact(prec);
    return true;
  }
  // DIV
  if ((ca == C_INF && cb == C_INF) || (ca == C_ZERO && cb == C_ZERO)) { if (signal(FE_IE)) return false; setIndef(); return true; }
  if (ca == C_INF) { setR((s << 15) | 0x7fff, J_BIT); return true; }
  if (cb == C_INF || ca == C_ZERO) { setR(s << 15, 0); return true; }
  if (cb == C_ZERO) { if (signal(FE_ZE)) return false; setR((s << 15) | 0x7fff, J_BIT); return true; }
  unpack(aSE, aM); let ea = uE; let ma = uM;
  unpack(bSE, bM);
  exactDiv(ea, ma, uE, uM);
  aS = s;
  finishExact(prec);
  return true;
}
let roundedUpR: bool = false;

// --- compares ---
/** Compare exactly: 0 a>b, 1 a<b, 2 a=b, 3 unordered; -1 when an unmasked IE
 *  (or DE) abandons it. `quiet`: QNaNs do not raise IE (FUCOM*). */
function compare(aSE: u32, aM: u64, bSE: u32, bM: u64, quiet: bool, srcDenorm: bool): i32 {
  let ca = classify(aSE, aM), cb = classify(bSE, bM);
  if (ca >= C_QNAN || cb >= C_QNAN) {
    let inv = !quiet || ca == C_SNAN || cb == C_SNAN || ca == C_UNSUPPORTED || cb == C_UNSUPPORTED;
    if (inv && signal(FE_IE)) return -1;
    return 3;
  }
  if (ca == C_DENORM || cb == C_DENORM || srcDenorm) { if (signal(FE_DE)) return -1; }
  let za = ca == C_ZERO, zb = cb == C_ZERO;
  if (za && zb) return 2;
  let sa = aSE >> 15, sb = bSE >> 15;
  if (za) return sb ? 0 : 1;
  if (zb) return sa ? 1 : 0;
  if (sa != sb) return sa ? 1 : 0;
  // same sign: compare magnitudes (infinity has the largest exponent)
  let gt: bool;
  let eq: bool;
  if (ca == C_INF || cb == C_INF) {
    eq = ca == cb; gt = ca == C_INF && cb != C_INF;
  } else {
    unpack(aSE, aM); let ea = uE; let ma = uM;
    unpack(bSE, bM);
    eq = ea == uE && ma == uM;
    gt = ea > uE || (ea == uE && ma > uM);
  }
  if (eq) return 2;
  return (gt != (sa != 0)) ? 0 : 1;
}
/** FCOM family condition codes (SDM vol. 2 FCOM table 3-21). */
function setCompareCC(r: i32): void {
  let v: u32 = r == 0 ? 0 : r == 1 ? SW_C0 : r == 2 ? SW_C3 : (SW_C3 | SW_C2 | SW_C0);
  setCC(SW_CC, v);
}
/** FCOMI family: ZF PF CF (SDM vol. 2 FCOMI table 3-22); OF SF AF cleared. */
function setCompareEflags(r: i32): void {
  let v: u32 = r == 0 ? 0 : r == 1 ? CF : r == 2 ? ZF : (ZF | PF | CF);
  setArithFlags(ARITH_FLAGS, v);
}

// --- stack helpers for instructions ---
/** Operands ST(0) and ST(i): false (after the stack fault) if either is empty and
 *  the underflow is unmasked; with it masked, the operation gets the
 *  indefinite as its result (signalled through underflowed). */
let underflowed: bool = false;
function need2(i: u32): bool {
  underflowed = false;
  if (stEmpty(0) || stEmpty(i)) {
    underflowed = true;
    return !stackFault(false);
  }
  return true;
}
function need1(): bool {
  underflowed = false;
  if (stEmpty(0)) { underflowed = true; return !stackFault(false); }
  return true;
}
/** Room for a push: ST(7) must be empty (SDM vol. 1 §8.5.1.1). */
function canPush(): bool {
  underflowed = false;
  if (!isEmptyP((top() - 1) & 7)) { underflowed = true; return !stackFault(true); }
  return true;
}
function pushIndefOrValue(se: u32, m: u64): void {
  if (underflowed) pushStack(INDEF_SE, INDEF_M); else pushStack(se, m);
}

// --- the arithmetic instruction forms ---
/** ST(dst) = ST(dst) op value (D8/DA/DC/DE memory forms: dst 0). */
function arithTo(dst: u32, op: u32, bSE: u32, bM: u64, srcDenorm: bool, pop: bool): void {
  setC1(false);
  if (arith(op, stSE(dst), stM(dst), bSE, bM, srcDenorm)) {
    setST(dst, rSE, rM);
    setC1(roundedUpR);
    if (pop) popStack();
  }
}
function arithReg(dst: u32, op: u32, src: u32, pop: bool): void {
  if (!need2(dst == 0 ? src : dst)) return;
  if (underflowed) {
    setST(dst, INDEF_SE, INDEF_M);
    if (pop) popStack();
    return;
  }
  arithTo(dst, op, stSE(src), stM(src), false, pop);
}
function arithMem(op: u32, bSE: u32, bM: u64, srcDenorm: bool): void {
  if (!need1()) return;
  if (underflowed) { setST(0, INDEF_SE, INDEF_M); return; }
  arithTo(0, op, bSE, bM, srcDenorm, false);
}

function comOp(bSE: u32, bM: u64, i: u32, memOperand: bool, quiet: bool, pops: u32, srcDenorm: bool): void {
  if (memOperand ? !need1() : !need2(i)) return;
  if (underflowed) { setCC(SW_CC, SW_C3 | SW_C2 | SW_C0); }
  else {
    let r = compare(stSE(0), stM(0), bSE, bM, quiet, srcDenorm);
    if (r < 0) return;
    setCompareCC(r);
  }
  for (let k: u32 = 0; k < pops; k++) popStack();
}
function comiOp(i: u32, quiet: bool, pop: bool): void {
  if (!need2(i)) return;
  if (underflowed) setCompareEflags(3);
  else {
    let r = compare(stSE(0), stM(0), stSE(i), stM(i), quiet, false);
    if (r < 0) return;
    setCompareEflags(r);
  }
  setC1(false);
  if (pop) popStack();
}

/** D8 /0-/7 on a value b: FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR. */
function d8Group(reg: u32, bSE: u32, bM: u64, srcDenorm: bool): void {
  if (reg == 2 || reg == 3) { comOp(bSE, bM, 0, true, false, reg - 2, srcDenorm); return; }
  arithMem(reg, bSE, bM, srcDenorm);
}

// --- loads and stores ---
function fldValue(se: u32, m: u64): void {
  if (!canPush()) return;
  setC1(false);
  pushIndefOrValue(se, m);
  if (underflowed) setC1(true);
}
/** FLD m32/m64: SNaN raises IE and loads as QNaN; denormals raise DE. */
function fldReal(bits: u64, fracBits: u32, expBits: u32): void {
  fromReal(bits, fracBits, expBits);
  let c = classify(cSE, cM);
  if (c == C_SNAN) { if (signal(FE_IE)) return; cM |= QNAN_BIT; }
  if (cDenorm) { if (signal(FE_DE)) return; }
  fldValue(cSE, cM);
}

/** Store ST(0) rounded to single (fmt F_SGL) or double (F_DBL); returns bits,
 *  storeOk false when nothing may be written (unmasked exception). */
let storeOk: bool = true;
function toReal(fmt: u32): u64 {
  storeOk = true;
  let dbl = fmt == F_DBL;
  let indef: u64 = dbl ? 0xfff8000000000000 : 0xffc00000;
  if (stEmpty(0)) { if (stackFault(false)) { storeOk = false; return 0; } return indef; }
  setC1(false);
  let se = stSE(0), m = stM(0);
  let c = classify(se, m);
  let s = <u64>(se >> 15);
  if (c == C_UNSUPPORTED) { if (signal(FE_IE)) { storeOk = false; return 0; } return indef; }
  if (isNaNClass(c)) {
    if (c == C_SNAN && signal(FE_IE)) { storeOk = false; return 0; }
    let q = m | QNAN_BIT;
    return dbl ? (s << 63) | 0x7ff0000000000000 | ((q >> 11) & 0x000fffffffffffff)
               : (s << 31) | 0x7f800000 | ((q >> 40) & 0x7fffff);
  }
  if (c == C_INF) return dbl ? (s << 63) | 0x7ff0000000000000 : (s << 31) | 0x7f800000;
  if (c == C_ZERO) return dbl ? s << 63 : s << 31;
  unpack(se, m);
  roundPack(uS, uE, uM, false, dbl ? 53 : 24, fmt, rc(), masks());
  exc |= xFlags;
  // SDM vol. 1 §8.5.4/8.5.5: unmasked overflow/underflow on a store to memory
  // leaves the destination unchanged.
  if ((xFlags & (FE_OE | FE_UE) & ~masks()) != 0) { storeOk = false; return 0; }
  setC1(roundedUp);
  return dbl ? packedDouble() : <u64>packedSingle();
}

/** FIST/FISTP: ST(0) rounded per RC to a `bits`-bit integer (SDM vol. 2 FIST);
 *  FISTTP (`chop`): rounded toward zero whatever RC says (SDM vol. 2 FISTTP). */
function toInt(bits: u32, chop: bool = false): u64 {
  storeOk = true;
  let indef: u64 = <u64>1 << <u64>(bits - 1);
  if (stEmpty(0)) { if (stackFault(false)) { storeOk = false; return 0; } return indef; }
  setC1(false);
  let se = stSE(0), m = stM(0);
  let c = classify(se, m);
  if (c == C_ZERO) return 0;
  if (c != C_NORMAL && c != C_DENORM) { if (signal(FE_IE)) { storeOk = false; return 0; } return indef; }
  unpack(se, m);
  let mag = roundToIntMag(uS, uE, uM, chop ? RC_CHOP : rc());
  let limit: u64 = uS ? indef : indef - 1;
  if (rIntOverflow || mag > limit) { if (signal(FE_IE)) { storeOk = false; return 0; } return indef; }
  if (rIntInexact) exc |= FE_PE;
  setC1(rIntUp);
  return uS ? <u64>(-(<i64>mag)) : mag;
}

/** FISTTP m16int/m32int/m64int (SSE3; DF /1, DB /1, DD /1): store ST(0)
 *  truncated, then pop. Invalid (NaN, infinity, out of range) stores the integer
 *  indefinite when masked, as FISTP. */
function fisttp(bits: u32): void {
  if (!hasFeature(FEAT_SSE3)) { raiseUD(); return; }
  if (!enter(true)) return;
  notePointers(true);
  let v = toInt(bits, true);
  if (storeOk) {
    if (bits == 16) wr16(0, <u32>v);
    else if (bits == 32) wr32(0, <u32>v);
    else wr64(0, v);
    if (faultPending) return;
    popStack();
  }
  commitExc();
}

// --- FSTENV/FLDENV/FSAVE/FRSTOR (SDM vol. 1 §8.1.10, figures 8-9 to 8-12) ---
/** Tag word computed from the register contents (SDM vol. 1 §8.1.7). */
function tagWord(): u32 {
  let t: u32 = 0;
  for (let p: u32 = 0; p < 8; p++) {
    let tag: u32;
    if (isEmptyP(p)) tag = 3;
    else {
      let se = <u32>load<u16>(regAddr(p) + 8), m = load<u64>(regAddr(p));
      let c = classify(se, m);
      tag = c == C_NORMAL ? 0 : c == C_ZERO ? 1 : 2;
    }
    t |= tag << (p * 2);
  }
  return t;
}
@inline function realLayout(): bool { return !pmodeNotV86(); }

function storeEnv(): u32 {
  let fip = load<u32>(FPU_FIP), fcs = <u32>load<u16>(FPU_FCS), fop = <u32>load<u16>(FPU_FOP) & 0x7ff;
  let fdp = load<u32>(FPU_FDP), fds = <u32>load<u16>(FPU_FDS);
  let real = realLayout();
  let lip = (fcs << 4) + fip, ldp = (fds << 4) + fdp; // real-mode layouts hold linear addresses
  if (opsize32) {
    wr32(0, 0xffff0000 | cw());
    wr32(4, 0xffff0000 | sw());
    wr32(8, 0xffff0000 | tagWord());
    if (real) {
      wr32(12, 0xffff0000 | (lip & 0xffff));
      wr32(16, ((lip >> 16) << 12) | fop);
      wr32(20, 0xffff0000 | (ldp & 0xffff));
      wr32(24, (ldp >> 16) << 12);
    } else {
      wr32(12, fip);
      wr32(16, (fop << 16) | fcs);
      wr32(20, fdp);
      wr32(24, 0xffff0000 | fds);
    }
    return 28;
  }
  wr16(0, cw());
  wr16(2, sw());
  wr16(4, tagWord());
  if (real) {
    wr16(6, lip & 0xffff);
    wr16(8, ((lip >> 4) & 0xf000) | fop);
    wr16(10, ldp & 0xffff);
    wr16(12, (ldp >> 4) & 0xf000);
  } else {
    wr16(6, fip & 0xffff);
    wr16(8, fcs);
    wr16(10, fdp & 0xffff);
    wr16(12, fds);
  }
  return 14;
}

// Staged environment, read completely before anything is changed.
let eCW: u32 = 0; let eSW: u32 = 0; let eTW: u32 = 0;
let eFIP: u32 = 0; let eFCS: u32 = 0; let eFOP: u32 = 0; let eFDP: u32 = 0; let eFDS: u32 = 0;
function readEnv(): u32 {
  let real = realLayout();
  if (opsize32) {
    eCW = rd16(0); eSW = rd16(4); eTW = rd16(8);
    if (real) {
      let ipLo = rd16(12), w16 = rd32(16), dpLo = rd16(20), w24 = rd32(24);
      let lip = ipLo | ((w16 >> 12) << 16), ldp = dpLo | ((w24 >> 12) << 16);
      eFOP = w16 & 0x7ff; eFCS = 0; eFIP = lip; eFDS = 0; eFDP = ldp;
    } else {
      eFIP = rd32(12); let w16 = rd32(16); eFCS = w16 & 0xffff; eFOP = (w16 >> 16) & 0x7ff;
      eFDP = rd32(20); eFDS = rd16(24);
    }
    return 28;
  }
  eCW = rd16(0); eSW = rd16(2); eTW = rd16(4);
  if (real) {
    let ipLo = rd16(6), w8 = rd16(8), dpLo = rd16(10), w12 = rd16(12);
    eFIP = ipLo | ((w8 & 0xf000) << 4); eFOP = w8 & 0x7ff; eFCS = 0;
    eFDP = dpLo | ((w12 & 0xf000) << 4); eFDS = 0;
  } else {
    eFIP = rd16(6); eFCS = rd16(8); eFDP = rd16(10); eFDS = rd16(12); eFOP = 0;
  }
  return 14;
}
function commitEnv(): void {
  let hadEs = (sw() & SW_ES) != 0;
  store<u16>(FPU_CW, <u16>eCW);
  setSw(eSW);
  let empty: u32 = 0;
  for (let p: u32 = 0; p < 8; p++) if (((eTW >> (p * 2)) & 3) == 3) empty |= 1 << p;
  store<u8>(FPU_EMPTY, <u8>empty);
  store<u32>(FPU_FIP, eFIP); store<u16>(FPU_FCS, <u16>eFCS); store<u16>(FPU_FOP, <u16>eFOP);
  store<u32>(FPU_FDP, eFDP); store<u16>(FPU_FDS, <u16>eFDS);
  // SDM vol. 2 FLDENV: a pending unmasked exception is reported by the next
  // waiting instruction.
  setEsFromFlags();
  if (hadEs && (sw() & SW_ES) == 0 && (cr0() & CR0_NE) == 0) fpuIrq13Hook(false);
}

function fnstenv(): void {
  storeEnv();
  if (faultPending) return;
  // SDM vol. 2 FSTENV: all exceptions are masked after the store.
  store<u16>(FPU_CW, <u16>(cw() | 0x3f));
}
function fldenv(): void {
  readEnv();
  if (faultPending) return;
  commitEnv();
}
function fnsave(): void {
  let off = storeEnv();
  for (let i: u32 = 0; i < 8; i++) {
    let p = phys(i);
    wr64(off + i * 10, load<u64>(regAddr(p)));
    wr16(off + i * 10 + 8, <u32>load<u16>(regAddr(p) + 8));
  }
  if (faultPending) return;
  let hadEs = (sw() & SW_ES) != 0;
  finit();
  if (hadEs && (cr0() & CR0_NE) == 0) fpuIrq13Hook(false);
}
function frstor(): void {
  let off = readEnv();
  for (let i: u32 = 0; i < 8; i++) {
    store<u64>(FPU_STAGE + i * 16, rd64(off + i * 10));
    store<u16>(FPU_STAGE + i * 16 + 8, <u16>rd16(off + i * 10 + 8));
  }
  if (faultPending) return;
  let t = (eSW >> 11) & 7;
  for (let i: u32 = 0; i < 8; i++) {
    let p = (t + i) & 7;
    store<u64>(regAddr(p), load<u64>(FPU_STAGE + i * 16));
    store<u16>(regAddr(p) + 8, load<u16>(FPU_STAGE + i * 16 + 8));
  }
  commitEnv();
}

// --- packed BCD (SDM vol. 1 §4.7) ---
function fbld(): void {
  let lo = rd64(0);
  let hi = rd16(8);
  if (faultPending) return;
  let v: u64 = 0;
  for (let k: i32 = 8; k >= 0; k--) {
    let b: u64 = k == 8 ? <u64>(hi & 0xff) : (lo >> <u64>(k * 8)) & 0xff;
    v = v * 100 + (b >> 4) * 10 + (b & 0xf);
  }
  fromInt((hi & 0x8000) != 0, v);
  fldValue(cSE, cM);
}
function fbstp(): void {
  let neg = false;
  let mag: u64 = 0;
  let indef = false;
  if (stEmpty(0)) { if (stackFault(false)) return; indef = true; }
  else {
    setC1(false);
    let se = stSE(0), m = stM(0);
    let c = classify(se, m);
    neg = (se & 0x8000) != 0;
    if (c == C_ZERO) mag = 0;
    else if (c != C_NORMAL && c != C_DENORM) { if (signal(FE_IE)) return; indef = true; }
    else {
      unpack(se, m);
      mag = roundToIntMag(uS, uE, uM, rc());
      if (rIntOverflow || mag > 999999999999999999) { if (signal(FE_IE)) return; indef = true; }
      else { if (rIntInexact) exc |= FE_PE; setC1(rIntUp); }
    }
  }
  if (indef) {
    // SDM vol. 1 table 4-4: the packed BCD integer indefinite.
    wr64(0, 0xc000000000000000);
    wr16(8, 0xffff);
  } else {
    let lo: u64 = 0;
    for (let k: u64 = 0; k < 8; k++) {
      let d = mag % 100; mag /= 100;
      lo |= (((d / 10) << 4) | (d % 10)) << (k * 8);
    }
    let d = mag % 100;
    wr64(0, lo);
    wr16(8, <u32>(((d / 10) << 4) | (d % 10)) | (neg ? 0x8000 : 0));
  }
  if (faultPending) return;
  popStack();
}

// --- one-operand instructions (D9 E0-FF) ---
function fchsAbs(abs: bool): void {
  if (!need1()) return;
  setC1(false);
  if (underflowed) { setST(0, INDEF_SE, INDEF_M); return; }
  let se = stSE(0);
  setST(0, abs ? se & 0x7fff : se ^ 0x8000, stM(0));
}
function ftst(): void {
  if (!need1()) return;
  if (underflowed) { setCC(SW_CC, SW_C3 | SW_C2 | SW_C0); return; }
  let r = compare(stSE(0), stM(0), 0, 0, false, false);
  if (r < 0) return;
  setCompareCC(r);
}
/** FXAM (SDM vol. 2 FXAM, its table of results): C3 C2 C0 class, C1 sign. */
function fxam(): void {
  let se = stSE(0), m = stM(0);
  let v: u32;
  if (stEmpty(0)) v = SW_C3 | SW_C0;
  else {
    let c = classify(se, m);
    switch (c) {
      case C_UNSUPPORTED: v = 0; break;
      case C_QNAN: case C_SNAN: v = SW_C0; break;
      case C_NORMAL: v = SW_C2; break;
      case C_INF: v = SW_C2 | SW_C0; break;
      case C_ZERO: v = SW_C3; break;
      default: v = SW_C3 | SW_C2; break;
    }
  }
  if (se & 0x8000) v |= SW_C1;
  setCC(SW_CC, v);
}

// Constants (SDM vol. 1 §8.3.8): 64-bit truncated significands, whether the
// nearest rounding rounds up, per the P6 behaviour of rounding by RC.
function fldConst(n: u32): void {
  let se: u32 = 0, m: u64 = 0;
  let up = false; // round-to-nearest rounds this constant up
  switch (n) {
    case 0: se = 0x3fff; m = J_BIT; break;                         // FLD1
    case 1: se = 0x4000; m = 0xd49a784bcd1b8afe; up = false; break; // FLDL2T
    case 2: se = 0x3fff; m = 0xb8aa3b295c17f0bb; up = true; break;  // FLDL2E
    case 3: se = 0x4000; m = 0xc90fdaa22168c234; up = true; break;  // FLDPI
    case 4: se = 0x3ffd; m = 0x9a209a84fbcff798; up = true; break;  // FLDLG2
    case 5: se = 0x3ffe; m = 0xb17217f7d1cf79ab; up = true; break;  // FLDLN2
    default: se = 0; m = 0; break;                                  // FLDZ
  }
  if (n >= 1 && n <= 5) {
    let r = rc();
    if (r == RC_UP || (r == RC_NEAREST && up)) m += 1;
  }
  fldValue(se, m);
}

/** Value of a finite register as f64 (range may overflow: the callers that
 *  need the exponent unpack instead). */
function toF64(se: u32, m: u64): f64 {
  let c = classify(se, m);
  if (c == C_ZERO) return (se & 0x8000) ? -0.0 : 0.0;
  if (c == C_INF) return (se & 0x8000) ? -Infinity : Infinity;
  unpack(se, m);
  let v = sigToF64(uM);
  // scale in two steps so that results near the f64 limits are not lost early
  let h = uE >> 1;
  v = v * pow2(h) * pow2(uE - h);
  return uS ? -v : v;
}
/** Store an f64 result (from the transcendental routines) into ST(i), rounded
 *  to 64 bits from 53; PE is set when `inexact`. */
function setF64(i: u32, v: f64, inexact: bool): void {
  if (v != v) { setST(i, INDEF_SE, INDEF_M); return; }
  let s: u32 = (v < 0 || (v == 0 && 1 / v < 0)) ? 1 : 0;
  let a = Math.abs(v);
  if (a == 0) { setST(i, s << 15, 0); return; }
  if (a == Infinity) { setST(i, (s << 15) | 0x7fff, J_BIT); return; }
  finishF64(s, a, 0, 0, 64);
  if (inexact) exc |= FE_PE;
  setST(i, rSE, rM);
  setC1(roundedUp);
}

/** Common prologue of one-operand functions on ST(0): false when done. */
function unaryPrologue(): bool {
  if (!need1()) return false;
  setC1(false);
  if (underflowed) { setST(0, INDEF_SE, INDEF_M); return false; }
  let c = classify(stSE(0), stM(0));
  if (c >= C_QNAN) { if (nanResult1(stSE(0), stM(0), c)) setST(0, rSE, rM); return false; }
  if (c == C_DENORM) { if (signal(FE_DE)) return false; }
  return true;
}

function fsqrt(): void {
  if (!unaryPrologue()) return;
  let se = stSE(0), m = stM(0);
  let c = classify(se, m);
  // C0-C3 are undefined after FSQRT; like QEMU, C2 is set for a negative operand.
  if (se & 0x8000) setCC(SW_CC, SW_C2);
  if (c == C_ZERO) return; // sqrt(-0) = -0
  if (se & 0x8000) { if (signal(FE_IE)) return; setST(0, INDEF_SE, INDEF_M); return; }
  if (c == C_INF) return;
  unpack(se, m);
  exactSqrt(uE, uM);
  aS = 0;
  finishExact(precBits());
  setST(0, rSE, rM);
  setC1(roundedUpR);
}

function frndint(): void {
  if (!unaryPrologue()) return;
  let se = stSE(0), m = stM(0);
  let c = classify(se, m);
  if (c == C_ZERO || c == C_INF) return;
  unpack(se, m);
  if (uE >= 63) return;
  let mag = roundToIntMag(uS, uE, uM, rc());
  if (rIntInexact) exc |= FE_PE;
  fromInt(uS != 0, mag);
  setST(0, cSE, cM);
  setC1(rIntUp);
}

function fscale(): void {
  if (!need2(1)) return;
  setC1(false);
  if (underflowed) { setST(0, INDEF_SE, INDEF_M); return; }
  let aSE = stSE(0), aM = stM(0), bSE = stSE(1), bM = stM(1);
  let ca = classify(aSE, aM), cb = classify(bSE, bM);
  if (ca >= C_QNAN || cb >= C_QNAN) { if (nanResult(aSE, aM, ca, bSE, bM, cb)) setST(0, rSE, rM); return; }
  if (ca == C_DENORM || cb == C_DENORM) { if (signal(FE_DE)) return; }
  if (cb == C_INF) {
    let negB = (bSE & 0x8000) != 0;
    if ((ca == C_ZERO && !negB) || (ca == C_INF && negB)) { if (signal(FE_IE)) return; setST(0, INDEF_SE, INDEF_M); return; }
    if (ca == C_ZERO || ca == C_INF) return;
    setST(0, negB ? aSE & 0x8000 : (aSE & 0x8000) | 0x7fff, negB ? 0 : J_BIT);
    return;
  }
  if (ca == C_ZERO || ca == C_INF) return;
  let n: i32 = 0;
  if (cb != C_ZERO) {
    unpack(bSE, bM);
    let t: i32 = uE >= 20 ? 0x100000 : uE < 0 ? 0 : <i32>(uM >> <u64>(63 - uE));
    n = uS ? -t : t;
  }
  unpack(aSE, aM);
  roundPack(uS, uE + n, uM, false, 64, F_EXT, rc(), masks());
  exc |= xFlags;
  setST(0, packedSE(), pM);
  setC1(roundedUp);
}

function fxtract(): void {
  if (!need1()) return;
  setC1(false);
  if (underflowed) { setST(0, INDEF_SE, INDEF_M); if (canPush()) pushStack(INDEF_SE, INDEF_M); return; }
  if (!isEmptyP((top() - 1) & 7)) { if (stackFault(true)) return; setST(0, INDEF_SE, INDEF_M); pushStack(INDEF_SE, INDEF_M); return; }
  let se = stSE(0), m = stM(0);
  let c = classify(se, m);
  if (c >= C_QNAN) { if (!nanResult1(se, m, c)) return; setST(0, rSE, rM); pushStack(rSE, rM); return; }
  if (c == C_ZERO) {
    if (signal(FE_ZE)) return;
    setST(0, 0xffff, J_BIT); // -infinity
    pushStack(se, 0);
    return;
  }
  if (c == C_INF) { setST(0, 0x7fff, J_BIT); pushStack(se, m); return; }
  if (c == C_DENORM) { if (signal(FE_DE)) return; }
  unpack(se, m);
  let e = uE;
  fromInt(e < 0, <u64>(e < 0 ? -e : e));
  setST(0, cSE, cM);
  pushStack((uS << 15) | 0x3fff, uM);
}

/** FPREM (nearest = false) and FPREM1 (true), exact (SDM vol. 2 FPREM, FPREM1). */
function fprem(nearest: bool): void {
  if (!need2(1)) return;
  setC1(false);
  if (underflowed) { setST(0, INDEF_SE, INDEF_M); return; }
  let aSE = stSE(0), aM = stM(0), bSE = stSE(1), bM = stM(1);
  let ca = classify(aSE, aM), cb = classify(bSE, bM);
  if (ca >= C_QNAN || cb >= C_QNAN) { if (nanResult(aSE, aM, ca, bSE, bM, cb)) { setST(0, rSE, rM); setCC(SW_C2, 0); } return; }
  if (ca == C_INF || cb == C_ZERO) { if (signal(FE_IE)) return; setST(0, INDEF_SE, INDEF_M); setCC(SW_C2, 0); return; }
  if (ca == C_DENORM || cb == C_DENORM) { if (signal(FE_DE)) return; }
  if (ca == C_ZERO || cb == C_INF) { setCC(SW_CC, 0); return; }
  unpack(aSE, aM); let sa = uS; let ea = uE; let ma = uM;
  unpack(bSE, bM); let eb = uE; let mb = uM;
  let d = ea - eb;
  let partial = false;
  if (d >= 64) {
    // Partial reduction: the divisor is scaled so that N quotient bits are
    // produced (N between 32 and 63, as in the SDM; 32 + d mod 32 here).
    let n = 32 + (d & 31);
    eb += d - n;
    d = n;
    partial = true;
  }
  let q: u64 = 0;
  let rem: u64 = ma;
  let sign = sa;
  let scaleE = eb; // rem is in units of 2^(scaleE-63)
  if (d < 0) {
    scaleE = ea;
    if (nearest && !partial && d == -1 && ma > mb) {
      // |a| in (|b|/2, |b|): quotient 1, remainder |b| - |a| with the opposite sign
      rem = mb - (ma - mb);
      q = 1;
      sign ^= 1;
      scaleE = ea; // 2*mb - ma in units of a's exponent
    }
  } else {
    if (rem >= mb) { rem -= mb; q = 1; }
    for (let k: i32 = 0; k < d; k++) {
      let carry = (rem >> 63) != 0;
      rem <<= 1;
      q <<= 1;
      if (carry || rem >= mb) { rem -= mb; q |= 1; }
    }
    if (nearest && !partial) {
      // round the quotient to nearest: compare 2*rem with mb
      let over = (rem >> 63) != 0 || (rem << 1) > mb;
      let tie = (rem >> 63) == 0 && (rem << 1) == mb;
      if (over || (tie && (q & 1) != 0)) { rem = mb - rem; q += 1; sign ^= 1; }
    }
  }
  if (rem == 0) setST(0, sa << 15, 0);
  else {
    let sh = <i32>clz<u64>(rem);
    roundPack(sign, scaleE - sh, rem << <u64>sh, false, 64, F_EXT, rc(), masks());
    exc |= xFlags & ~FE_PE;
    setST(0, packedSE(), pM);
  }
  if (partial) setCC(SW_CC, SW_C2);
  else {
    let v: u32 = 0;
    if (q & 1) v |= SW_C1;
    if (q & 2) v |= SW_C3;
    if (q & 4) v |= SW_C0;
    setCC(SW_CC, v);
  }
}

const TWO63: f64 = 9223372036854775808.0;
/** FSIN FCOS FSINCOS FPTAN: |x| >= 2^63 leaves ST(0) and sets C2 (SDM vol. 2). */
function trig(kind: u32): void {
  // kind: 0 sin, 1 cos, 2 sincos, 3 ptan
  if (!need1()) return;
  setC1(false);
  let pushes = kind >= 2;
  if (pushes && !isEmptyP((top() - 1) & 7)) {
    if (stackFault(true)) return;
    setST(0, INDEF_SE, INDEF_M); pushStack(INDEF_SE, INDEF_M); return;
  }
  if (underflowed) { setST(0, INDEF_SE, INDEF_M); if (pushes) pushStack(INDEF_SE, INDEF_M); return; }
  let se = stSE(0), m = stM(0);
  let c = classify(se, m);
  if (c >= C_QNAN) {
    if (!nanResult1(se, m, c)) return;
    setST(0, rSE, rM); if (pushes) pushStack(rSE, rM);
    setCC(SW_C2, 0);
    return;
  }
  if (c == C_INF) {
    if (signal(FE_IE)) return;
    setST(0, INDEF_SE, INDEF_M); if (pushes) pushStack(INDEF_SE, INDEF_M);
    setCC(SW_C2, 0);
    return;
  }
  if (c == C_DENORM) { if (signal(FE_DE)) return; }
  let x = toF64(se, m);
  if (Math.abs(x) >= TWO63) { setCC(SW_C2, SW_C2); return; }
  setCC(SW_C2, 0);
  let inexact = c != C_ZERO;
  // tiny arguments: sin x = tan x = x to the precision kept here
  let tiny = c == C_ZERO || (c != C_ZERO && ((se & 0x7fff) < 0x3fff - 40));
  if (kind == 0) { if (tiny) { if (inexact) exc |= FE_PE; return; } setF64(0, Math.sin(x), inexact); }
  else if (kind == 1) setF64(0, tiny ? 1.0 : Math.cos(x), inexact);
  else if (kind == 2) {
    let cv = tiny ? 1.0 : Math.cos(x);
    if (!tiny) setF64(0, Math.sin(x), inexact); else if (inexact) exc |= FE_PE;
    pushStack(0, 0);
    setF64(0, cv, inexact);
  } else {
    if (!tiny) setF64(0, Math.tan(x), inexact); else if (inexact) exc |= FE_PE;
    pushStack(0x3fff, J_BIT);
  }
}

/** FPATAN FYL2X FYL2XP1: ST(1) = f(ST(1), ST(0)), pop. */
function binaryPop(kind: u32): void {
  // kind: 0 patan, 1 yl2x, 2 yl2xp1
  if (!need2(1)) return;
  setC1(false);
  if (underflowed) { setST(1, INDEF_SE, INDEF_M); popStack(); return; }
  let xSE = stSE(0), xM = stM(0), ySE = stSE(1), yM = stM(1);
  let cx = classify(xSE, xM), cy = classify(ySE, yM);
  if (cx >= C_QNAN || cy >= C_QNAN) {
    if (!nanResult(ySE, yM, cy, xSE, xM, cx)) return;
    setST(1, rSE, rM); popStack(); return;
  }
  if (cx == C_DENORM || cy == C_DENORM) { if (signal(FE_DE)) return; }
  let x = toF64(xSE, xM), y = toF64(ySE, yM);
  if (kind == 0) {
    setF64(1, Math.atan2(y, x), !(cy == C_ZERO));
    popStack();
    return;
  }
  let xs = (xSE & 0x8000) != 0;
  if (kind == 1) {
    // log2 x = e + log2(significand): keeps the 80-bit range of x
    if (xs && cx != C_ZERO) { if (signal(FE_IE)) return; setST(1, INDEF_SE, INDEF_M); popStack(); return; }
    if (cx == C_ZERO) {
      if (cy == C_ZERO) { if (signal(FE_IE)) return; setST(1, INDEF_SE, INDEF_M); popStack(); return; }
      if (cy != C_INF && signal(FE_ZE)) return;
      setST(1, ((ySE & 0x8000) ^ 0x8000) | 0x7fff, J_BIT); popStack(); return;
    }
    let l: f64;
    if (cx == C_INF) l = Infinity;
    else { unpack(xSE, xM); l = <f64>uE + Math.log2(sigToF64(uM)); }
    if ((l == 0 && cy == C_INF) || (l == Infinity && cy == C_ZERO)) { if (signal(FE_IE)) return; setST(1, INDEF_SE, INDEF_M); popStack(); return; }
    if (cy == C_INF || l == Infinity || cy == C_ZERO || l == 0) { setF64(1, y * l, false); popStack(); return; }
    unpack(ySE, yM);
    let s: u32 = uS ^ (l < 0 ? 1 : 0);
    finishF64(s, sigToF64(uM) * Math.abs(l), uE, 0, 64);
    exc |= FE_PE;
    setST(1, rSE, rM);
    setC1(roundedUp);
    popStack();
    return;
  }
  // FYL2XP1: defined for |x| < 1 - sqrt(2)/2; computed where log1p is defined
  if (cx == C_INF || x <= -1) { if (signal(FE_IE)) return; setST(1, INDEF_SE, INDEF_M); popStack(); return; }
  let l = Math.log1p(x) * 1.4426950408889634;
  if (cy == C_INF && l == 0) { if (signal(FE_IE)) return; setST(1, INDEF_SE, INDEF_M); popStack(); return; }
  setF64(1, y * l, cx != C_ZERO && cy != C_ZERO);
  popStack();
}

function f2xm1(): void {
  if (!unaryPrologue()) return;
  let se = stSE(0), m = stM(0);
  let c = classify(se, m);
  if (c == C_ZERO) return;
  if (c == C_INF) { if (se & 0x8000) setST(0, 0xbfff, J_BIT); return; } // -inf -> -1
  let x = toF64(se, m);
  setF64(0, Math.expm1(x * 0.6931471805599453), true);
}

// ========================= opcode handlers =========================
@inline function regI(): u32 { return modrm & 7; }
@inline function regOp(): u32 { return (modrm >> 3) & 7; }

/** D8: FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR with m32real or ST(i). */
export function fpu_D8(): void {
  if (!enter(true)) return;
  let r = regOp();
  if (modrm < 0xc0) {
    let v = rd32(0);
    if (faultPending) return;
    notePointers(true);
    fromReal(<u64>v, 23, 8);
    d8Group(r, cSE, cM, cDenorm);
  } else {
    notePointers(false);
    let i = regI();
    if (r == 2 || r == 3) comOp(stSE(i), stM(i), i, false, false, r - 2, false);
    else arithReg(0, r, i, false);
  }
  commitExc();
}

/** D9: FLD FST FSTP m32real, FLDENV FLDCW FNSTENV FNSTCW; FLD ST(i), FXCH,
 *  FNOP, FCHS FABS FTST FXAM, constants, transcendentals and stack control. */
export function fpu_D9(): void {
  let r = regOp();
  if (modrm < 0xc0) {
    if (r == 1) { raiseUD(); return; }
    let control = r >= 4;
    if (!enter(!(r == 6 || r == 7))) return;
    switch (r) {
      case 0: {
        let v = rd32(0);
        if (faultPending) return;
        notePointers(true);
        fldReal(<u64>v, 23, 8);
        break;
      }
      case 2: case 3: {
        notePointers(true);
        let v = toReal(F_SGL);
        if (!storeOk) break;
        wr32(0, <u32>v);
        if (faultPending) return;
        if (r == 3) popStack();
        break;
      }
      case 4: fldenv(); if (faultPending) return; return; // FLDENV sets ES itself
      case 5: {
        let v = rd16(0);
        if (faultPending) return;
        store<u16>(FPU_CW, <u16>v);
        setEsFromFlags(); // SDM vol. 2 FLDCW: unmasking a pending exception
        return;
      }
      case 6: fnstenv(); return;
      default: wr16(0, cw()); return;
    }
    if (control) return;
    commitExc();
    return;
  }
  if (!enter(true)) return;
  let i = regI();
  switch (modrm) {
    case 0xd0: notePointers(false); return; // FNOP
    case 0xd1: case 0xd2: case 0xd3: case 0xd4: case 0xd5: case 0xd6: case 0xd7:
    case 0xe2: case 0xe3: case 0xe6: case 0xe7: case 0xef:
      raiseUD(); return;
  }
  notePointers(false);
  switch (r) {
    case 0: { // FLD ST(i)
      if (stEmpty(i)) { if (stackFault(false)) break; if (!canPush()) break; pushStack(INDEF_SE, INDEF_M); break; }
      let se = stSE(i), m = stM(i);
      fldValue(se, m);
      break;
    }
    case 1: fxch(i); break;
    case 3: fstReg(i, true); break; // D9 D8+i: undocumented alias of FSTP ST(i)
    case 4:
      switch (i) {
        case 0: fchsAbs(false); break;
        case 1: fchsAbs(true); break;
        case 4: ftst(); break;
        default: fxam(); break;
      }
      break;
    case 5: fldConst(i == 0 ? 0 : i == 6 ? 6 : i); break;
    case 6:
      switch (i) {
        case 0: f2xm1(); break;
        case 1: binaryPop(1); break;
        case 2: trig(3); break;
        case 3: binaryPop(0); break;
        case 4: fxtract(); break;
        case 5: fprem(true); break;
        case 6: setTop(top() - 1); setC1(false); break; // FDECSTP
        default: setTop(top() + 1); setC1(false); break; // FINCSTP
      }
      break;
    default:
      switch (i) {
        case 0: fprem(false); break;
        case 1: binaryPop(2); break;
        case 2: fsqrt(); break;
        case 3: trig(2); break;
        case 4: frndint(); break;
        case 5: fscale(); break;
        case 6: trig(0); break;
        default: trig(1); break;
      }
      break;
  }
  commitExc();
}

function fxch(i: u32): void {
  let e0 = stEmpty(0), ei = stEmpty(i);
  if (e0 || ei) {
    if (stackFault(false)) return;
    if (e0) setST(0, INDEF_SE, INDEF_M);
    if (ei) setST(i, INDEF_SE, INDEF_M);
  }
  let se = stSE(0), m = stM(0);
  setST(0, stSE(i), stM(i));
  setST(i, se, m);
  setC1(false);
}
function fstReg(i: u32, pop: bool): void {
  if (stEmpty(0)) {
    if (stackFault(false)) return;
    setST(i, INDEF_SE, INDEF_M);
  } else {
    setC1(false);
    setST(i, stSE(0), stM(0));
  }
  if (pop) popStack();
}

function intArith(reg: u32, v: i64): void {
  fromI64(v);
  d8Group(reg, cSE, cM, false);
}

/** DA: integer (m32int) arithmetic; FCMOVB/E/BE/U; FUCOMPP. */
export function fpu_DA(): void {
  if (!enter(true)) return;
  if (modrm < 0xc0) {
    let v = rd32(0);
    if (faultPending) return;
    notePointers(true);
    intArith(regOp(), <i64><i32>v);
  } else {
    let r = regOp();
    if (r < 4) { notePointers(false); fcmov(r, false); }
    else if (modrm == 0xe9) { notePointers(false); comOp(stSE(1), stM(1), 1, false, true, 2, false); }
    else { raiseUD(); return; }
  }
  commitExc();
}

/** FCMOVcc (SDM vol. 2 FCMOVcc): B (CF), E (ZF), BE (CF|ZF), U (PF); DB negates. */
function fcmov(r: u32, negate: bool): void {
  let c: bool;
  switch (r) {
    case 0: c = getCF(); break;
    case 1: c = getZF(); break;
    case 2: c = getCF() || getZF(); break;
    default: c = getPF(); break;
  }
  if (negate) c = !c;
  setC1(false);
  if (!c) return;
  let i = regI();
  if (!need2(i)) return;
  if (underflowed) { setST(0, INDEF_SE, INDEF_M); return; }
  setST(0, stSE(i), stM(i));
}

/** DB: FILD FIST FISTP FISTTP m32int, FLD FSTP m80real; FCMOVNcc, FNCLEX, FNINIT,
 *  FUCOMI, FCOMI (and the 8087/287 no-ops FENI FDISI FSETPM). */
export function fpu_DB(): void {
  let r = regOp();
  if (modrm < 0xc0) {
    if (r == 1) { fisttp(32); return; }
    if (r == 4 || r == 6) { raiseUD(); return; }
    if (!enter(true)) return;
    switch (r) {
      case 0: {
        let v = rd32(0);
        if (faultPending) return;
        notePointers(true);
        fromI64(<i64><i32>v);
        fldValue(cSE, cM);
        break;
      }
      case 2: case 3: {
        notePointers(true);
        let v = toInt(32);
        if (!storeOk) break;
        wr32(0, <u32>v);
        if (faultPending) return;
        if (r == 3) popStack();
        break;
      }
      case 5: {
        let m = rd64(0);
        let se = rd16(8);
        if (faultPending) return;
        notePointers(true);
        fldValue(se, m);
        break;
      }
      default: {
        notePointers(true);
        if (stEmpty(0)) {
          if (stackFault(false)) break;
          wr64(0, INDEF_M); wr16(8, INDEF_SE);
        } else {
          setC1(false);
          wr64(0, stM(0)); wr16(8, stSE(0));
        }
        if (faultPending) return;
        popStack();
        break;
      }
    }
    commitExc();
    return;
  }
  if (r < 4) {
    if (!enter(true)) return;
    notePointers(false);
    fcmov(r, true);
    commitExc();
    return;
  }
  switch (modrm) {
    case 0xe0: case 0xe1: case 0xe4: enter(false); return; // FENI FDISI FSETPM: no-ops on the 387 and later
    case 0xe2: if (!enter(false)) return; clearEs(); return;
    case 0xe3: if (!enter(false)) return; {
      let hadEs = (sw() & SW_ES) != 0;
      finit();
      if (hadEs && (cr0() & CR0_NE) == 0) fpuIrq13Hook(false);
    } return;
  }
  if (r == 5 || r == 6) {
    if (!enter(true)) return;
    notePointers(false);
    comiOp(regI(), r == 5, false);
    commitExc();
    return;
  }
  raiseUD();
}

/** DC: m64real arithmetic; register forms with ST(i) as the destination. */
export function fpu_DC(): void {
  if (!enter(true)) return;
  let r = regOp();
  if (modrm < 0xc0) {
    let v = rd64(0);
    if (faultPending) return;
    notePointers(true);
    fromReal(v, 52, 11);
    d8Group(r, cSE, cM, cDenorm);
  } else {
    notePointers(false);
    let i = regI();
    if (r == 2 || r == 3) comOp(stSE(i), stM(i), i, false, false, r - 2, false); // aliases of FCOM/FCOMP
    else arithReg(i, r >= 4 ? r ^ 1 : r, 0, false);
  }
  commitExc();
}

/** DD: FLD FST FSTP m64real, FISTTP m64int, FRSTOR FNSAVE FNSTSW m16; FFREE FST FSTP FUCOM FUCOMP ST(i). */
export function fpu_DD(): void {
  let r = regOp();
  if (modrm < 0xc0) {
    if (r == 1) { fisttp(64); return; }
    if (r == 5) { raiseUD(); return; }
    if (!enter(!(r == 6 || r == 7))) return;
    switch (r) {
      case 0: {
        let v = rd64(0);
        if (faultPending) return;
        notePointers(true);
        fldReal(v, 52, 11);
        break;
      }
      case 2: case 3: {
        notePointers(true);
        let v = toReal(F_DBL);
        if (!storeOk) break;
        wr64(0, v);
        if (faultPending) return;
        if (r == 3) popStack();
        break;
      }
      case 4: frstor(); return;
      case 6: fnsave(); return;
      default: wr16(0, sw()); return;
    }
    commitExc();
    return;
  }
  if (!enter(true)) return;
  notePointers(false);
  let i = regI();
  switch (r) {
    case 0: freeP(phys(i)); break; // FFREE
    case 1: fxch(i); break;        // undocumented alias
    case 2: fstReg(i, false); break;
    case 3: fstReg(i, true); break;
    case 4: comOp(stSE(i), stM(i), i, false, true, 0, false); break;
    case 5: comOp(stSE(i), stM(i), i, false, true, 1, false); break;
    default: raiseUD(); return;
  }
  commitExc();
}

/** DE: m16int arithmetic; FADDP FMULP FSUBRP FSUBP FDIVRP FDIVP, FCOMPP. */
export function fpu_DE(): void {
  if (!enter(true)) return;
  let r = regOp();
  if (modrm < 0xc0) {
    let v = rd16(0);
    if (faultPending) return;
    notePointers(true);
    intArith(r, <i64><i16>v);
  } else {
    let i = regI();
    if (r == 3) {
      if (modrm != 0xd9) { raiseUD(); return; }
      notePointers(false);
      comOp(stSE(1), stM(1), 1, false, false, 2, false);
    } else if (r == 2) {
      notePointers(false);
      comOp(stSE(i), stM(i), i, false, false, 1, false); // undocumented alias of FCOMP
    } else {
      notePointers(false);
      arithReg(i, r >= 4 ? r ^ 1 : r, 0, true);
    }
  }
  commitExc();
}

/** DF: FILD FIST FISTP FISTTP m16int, FBLD FBSTP, FILD FISTP m64int; FNSTSW AX,
 *  FUCOMIP, FCOMIP (and the undocumented FFREEP, FXCH, FSTP aliases). */
export function fpu_DF(): void {
  let r = regOp();
  if (modrm < 0xc0) {
    if (r == 1) { fisttp(16); return; }
    if (!enter(true)) return;
    switch (r) {
      case 0: {
        let v = rd16(0);
        if (faultPending) return;
        notePointers(true);
        fromI64(<i64><i16>v);
        fldValue(cSE, cM);
        break;
      }
      case 2: case 3: {
        notePointers(true);
        let v = toInt(16);
        if (!storeOk) break;
        wr16(0, <u32>v);
        if (faultPending) return;
        if (r == 3) popStack();
        break;
      }
      case 4: notePointers(true); fbld(); if (faultPending) return; break;
      case 5: {
        let v = rd64(0);
        if (faultPending) return;
        notePointers(true);
        fromI64(<i64>v);
        fldValue(cSE, cM);
        break;
      }
      case 6: notePointers(true); fbstp(); if (faultPending) return; break;
      default: {
        notePointers(true);
        let v = toInt(64);
        if (!storeOk) break;
        wr64(0, v);
        if (faultPending) return;
        popStack();
        break;
      }
    }
    commitExc();
    return;
  }
  if (modrm == 0xe0) { // FNSTSW AX
    if (!enter(false)) return;
    setReg16(R_EAX, sw());
    return;
  }
  if (!enter(true)) return;
  let i = regI();
  switch (r) {
    case 0: notePointers(false); freeP(phys(i)); popStack(); break; // FFREEP
    case 1: notePointers(false); fxch(i); break;
    case 2: case 3: notePointers(false); fstReg(i, true); break;
    case 5: notePointers(false); comiOp(i, true, true); break;
    case 6: notePointers(false); comiOp(i, false, true); break;
    default: raiseUD(); return;
  }
  commitExc();
}

// --- MMX state (SDM vol. 1 §9.5, vol. 3 §12.5 "MMX state and x87 FPU state") ---
// MMi is the 64-bit significand of physical x87 register i; there is one state.
// asm/cpu/mmx.ts holds the instructions; these are the x87 side of them.

/** The entry of every MMX instruction but EMMS (SDM vol. 2 MMX instructions'
 *  exception tables; vol. 3 table 12-1): #UD if CR0.EM, #NM if CR0.TS, a pending
 *  unmasked x87 exception reported as x87 waiting instructions do; then TOP = 0
 *  and every tag valid (vol. 1 §9.5.1). False after a fault. */
export function mmxEnter(): bool {
  if (!emmsEnter()) return false;
  setTop(0);
  store<u8>(FPU_EMPTY, 0);
  return true;
}
/** EMMS's checks (those of mmxEnter, without the state change). */
export function emmsEnter(): bool {
  let c = cr0();
  if ((c & CR0_EM) != 0) { raiseUD(); return false; }
  if ((c & CR0_TS) != 0) { raiseNM(); return false; }
  return checkPending();
}
/** EMMS (SDM vol. 2): every tag empty (11B). */
export function mmxEmptyTags(): void { store<u8>(FPU_EMPTY, 0xff); }
/** MMi (its physical register's significand). */
@inline export function mmRead(i: u32): u64 { return load<u64>(regAddr(i)); }
/** Write MMi: the significand, with sign and exponent all ones (vol. 1 §9.5.1). */
@inline export function mmWrite(i: u32, v: u64): void {
  store<u64>(regAddr(i), v);
  store<u16>(regAddr(i) + 8, 0xffff);
}

// --- FXSAVE/FXRSTOR (SDM vol. 2 FXSAVE, FXRSTOR, table 10-2 "Legacy region of an
// XSAVE area"; the 32-bit format) ---
// The 512-byte image, at a 16-byte aligned address:
//   0 FCW u16            2 FSW u16          4 abridged FTW u8 (bit i: physical
//   5 reserved u8        6 FOP u16            register i is not empty)
//   8 FIP u32           12 FCS u16         14 reserved u16
//  16 FDP u32           20 FDS u16         22 reserved u16
//  24 MXCSR u32         28 MXCSR_MASK u32
//  32 + 16*i: ST(i) (MMi when in MMX use), 10 bytes, then 6 reserved bytes
// 160 XMM0-7 (16 bytes each)   288-511 reserved
// MXCSR, MXCSR_MASK and XMM0-7 are sse.ts's (fxsaveSse, fxrstorSse*): saved and
// restored on a model with SSE while CR4.OSFXSR = 1, as QEMU does (SDM vol. 2
// FXSAVE: without CR4.OSFXSR their save is implementation-dependent). Otherwise
// FXSAVE leaves bytes 24-31 and 160-511 untouched and FXRSTOR ignores them, as
// QEMU's pentium2 does with CR4.OSFXSR set or clear. The reserved bytes 5, 14,
// 15, 22 and 23 are written as zeros (as QEMU does), the 6 bytes after each
// register are left alone. Unlike FSAVE, FXSAVE keeps the x87 state and does
// not report a pending exception (it is not a waiting instruction).
const FX_FCW: u32 = 0;
const FX_FSW: u32 = 2;
const FX_FTW: u32 = 4;
const FX_FOP: u32 = 6;
const FX_FIP: u32 = 8;
const FX_FCS: u32 = 12;
const FX_FDP: u32 = 16;
const FX_FDS: u32 = 20;
const FX_ST0: u32 = 32;
const FX_ALIGN: u32 = 16;
const FX_SIZE: u32 = 512;

/** The checks FXSAVE and FXRSTOR share: a register ModRM is #UD; CR0.EM or TS
 *  is #NM (SDM vol. 2 FXSAVE, protected-mode exceptions); a memory operand not
 *  16-byte aligned is #GP(0), whatever the mode. False after a fault. */
function fxEnter(): bool {
  if (modrm >= 0xc0) { raiseUD(); return false; }
  if ((cr0() & (CR0_EM | CR0_TS)) != 0) { raiseNM(); return false; }
  if (((segBase(eaSeg) + eaOff) & (FX_ALIGN - 1)) != 0) { raiseGP(0); return false; }
  return true;
}

export function fxsave_M(): void {
  if (!fxEnter()) return;
  // The whole image must be inside the segment (#GP/#SS before any write).
  if (!checkWrite(eaSeg, eaOff, FX_SIZE)) return;
  let ftw: u32 = ~<u32>load<u8>(FPU_EMPTY) & 0xff;
  wr16(FX_FCW, cw());
  wr16(FX_FSW, sw());
  wr16(FX_FTW, ftw); // and reserved byte 5
  wr16(FX_FOP, <u32>load<u16>(FPU_FOP) & 0x7ff);
  wr32(FX_FIP, load<u32>(FPU_FIP));
  wr32(FX_FCS, <u32>load<u16>(FPU_FCS)); // and reserved bytes 14-15
  wr32(FX_FDP, load<u32>(FPU_FDP));
  wr32(FX_FDS, <u32>load<u16>(FPU_FDS)); // and reserved bytes 22-23
  for (let i: u32 = 0; i < 8; i++) {
    let p = phys(i);
    wr64(FX_ST0 + i * 16, load<u64>(regAddr(p)));
    wr16(FX_ST0 + i * 16 + 8, <u32>load<u16>(regAddr(p) + 8));
  }
  fxsaveSse();
}

export function fxrstor_M(): void {
  if (!fxEnter() || !checkRead(eaSeg, eaOff, FX_SIZE)) return;
  eCW = rd16(FX_FCW); eSW = rd16(FX_FSW);
  let ftw = rd8(FX_FTW);
  eFOP = rd16(FX_FOP) & 0x7ff;
  eFIP = rd32(FX_FIP); eFCS = rd16(FX_FCS);
  eFDP = rd32(FX_FDP); eFDS = rd16(FX_FDS);
  for (let i: u32 = 0; i < 8; i++) {
    store<u64>(FPU_STAGE + i * 16, rd64(FX_ST0 + i * 16));
    store<u16>(FPU_STAGE + i * 16 + 8, <u16>rd16(FX_ST0 + i * 16 + 8));
  }
  if (faultPending || !fxrstorSseRead()) return;
  // The abridged tag: a clear bit is an empty register; commitEnv takes a full
  // tag word, in which only 11B (empty) matters here.
  eTW = 0;
  for (let p: u32 = 0; p < 8; p++) if ((ftw & (1 << p)) == 0) eTW |= 3 << (p * 2);
  let t = (eSW >> 11) & 7;
  for (let i: u32 = 0; i < 8; i++) {
    let p = (t + i) & 7;
    store<u64>(regAddr(p), load<u64>(FPU_STAGE + i * 16));
    store<u16>(regAddr(p) + 8, load<u16>(FPU_STAGE + i * 16 + 8));
  }
  commitEnv();
  fxrstorSseCommit();
}
