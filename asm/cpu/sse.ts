// SSE, SSE2 and SSE3 state and the checks and operands their instructions share
// (SDM vol. 1 ch. 10-12; vol. 2, each instruction's exception list; vol. 3
// ch. 13 "system programming for SSE"). The instructions are in
// sse*.ts by family; the floating-point arithmetic calls simdFpExceptions.
//
// State (state.ts): XMM0-7 at OFF_XMM, 16 bytes each with lane 0 at the lowest
// address (a register reads like its 128-bit memory image), and MXCSR.
//
// Every instruction on XMM registers first runs sseEnter(FEAT_x) (the #UD/#NM
// rows of every SSE instruction's exception list, SDM vol. 2; vol. 3 §13.1):
//   CR0.EM = 1                      #UD
//   CR4.OSFXSR = 0                  #UD
//   the CPUID feature flag is 0     #UD
//   CR0.TS = 1                      #NM
// The SSE/SSE2 instructions on MMX registers (PAVGB mm, PADDQ mm, ...) run the
// MMX checks instead (x87.ts mmxEnter: EM #UD, TS #NM, a pending x87 exception
// #MF, then the x87 tags) plus the feature flag: mmxEnterFeat. CR4.OSFXSR does
// not matter to them (their exception lists in SDM vol. 2).
// 128-bit memory operands must be 16-byte aligned (#GP(0), SDM vol. 3 §6.15
// interrupt 17, table 6-7) except for the
// unaligned forms (MOVUPS, MOVUPD, MOVDQU, LDDQU; readX128(false)); scalar and
// 64-bit memory operands have no alignment rule.
//
// Names: V = XMM register in ModRM.reg, W = XMM register or memory in ModRM.rm
// (Wq: m64, Wd: m32 in memory), U = XMM register in ModRM.rm, M = memory only;
// P/Q/N as in mmx.ts; E/G general registers or memory.

import {
  OFF_XMM, OFF_MXCSR, OFF_HALTED, OFF_MONITOR_ARMED, CR0_EM, CR0_TS, CR4_OSFXSR, CR4_OSXMMEXCPT, R_EAX, R_ECX, S_DS,
  cr0, cr4, getCpl, reg32, needAttention,
} from "./state";
import { raise, raiseUD, raiseNM, raiseGP, faultPending } from "./fault";
import { modrm, eaSeg, eaOff, readM32, writeM32, segOverride, addrsize32 } from "./decode";
import { checkWrite, checkRead, linear } from "./mem";
import { hasFeature, FEAT_SSE, FEAT_SSE2 } from "./features";
import { monitorEnabled } from "./system";
import { mmxEnter, mmRead } from "./x87";
import { entryFor } from "../mmu/linear";
import { nonRoot, vmxMonitor, vmxMwait } from "./vmxexit";

/** #XM, the SIMD floating-point exception (SDM vol. 3 §6.15, interrupt 19). */
export const XM: u32 = 19;

// --- MXCSR (SDM vol. 1 §10.2.3) ---
export const MX_IE: u32 = 1 << 0;  // flags: invalid operation
export const MX_DE: u32 = 1 << 1;  //   denormal operand
export const MX_ZE: u32 = 1 << 2;  //   divide by zero
export const MX_OE: u32 = 1 << 3;  //   overflow
export const MX_UE: u32 = 1 << 4;  //   underflow
export const MX_PE: u32 = 1 << 5;  //   precision
export const MX_FLAGS: u32 = 0x3f;
export const MX_DAZ: u32 = 1 << 6; // denormals are zeros
export const MX_MASK_SHIFT: u32 = 7; // IM..PM: bits 7-12, in the order of the flags
export const MX_RC_SHIFT: u32 = 13;  // rounding control, bits 13-14 (as the x87's RC)
export const MX_FZ: u32 = 1 << 15;   // flush to zero
/** The MXCSR bits that exist (FXSAVE's MXCSR_MASK): DAZ is supported on every
 *  model, as QEMU's (the first Pentium IIIs lacked it: MXCSR_MASK FFBFH).
 *  Setting any other bit is #GP(0) (LDMXCSR, FXRSTOR). */
export const MXCSR_MASK: u32 = 0xffff;

@inline export function mxcsr(): u32 { return load<u32>(OFF_MXCSR); }
@inline export function setMxcsr(v: u32): void { store<u32>(OFF_MXCSR, v); }

/** For the floating-point instructions (ssefp): the exception flags `flags`
 *  (MX_IE..MX_PE) an operation detected are set in MXCSR; if one of them is
 *  unmasked, the instruction is stopped with #XM, or #UD when CR4.OSXMMEXCPT is
 *  0 (SDM vol. 3 §13.4.1), and false is returned: the caller then writes no
 *  result (the flags stay set, as the SDM says for an unmasked exception). */
export function simdFpExceptions(flags: u32): bool {
  flags &= MX_FLAGS;
  if (flags == 0) return true;
  let m = mxcsr();
  setMxcsr(m | flags);
  if ((flags & ~(m >> MX_MASK_SHIFT)) == 0) return true;
  if (cr4() & CR4_OSXMMEXCPT) raise(XM, 0, false); else raiseUD();
  return false;
}

// --- the checks ---

/** The checks of an instruction on XMM registers that CPUID feature `feat`
 *  (features.ts FEAT_SSE, FEAT_SSE2, FEAT_SSE3) brings. False after a fault. */
export function sseEnter(feat: u32): bool {
  let c = cr0();
  if ((c & CR0_EM) != 0 || (cr4() & CR4_OSFXSR) == 0 || !hasFeature(feat)) { raiseUD(); return false; }
  if ((c & CR0_TS) != 0) { raiseNM(); return false; }
  return true;
}

/** The checks of an SSE/SSE2 instruction on MMX registers: the feature, then
 *  MMX's (x87.ts mmxEnter). False after a fault. */
export function mmxEnterFeat(feat: u32): bool {
  // A missing feature is an invalid opcode, decided before CR0.TS's #NM.
  if (!hasFeature(feat)) { raiseUD(); return false; }
  return mmxEnter();
}

/** The MMX-register form's checks (mmxEnterFeat), then its Q operand (MMX
 *  register or m64) into mq. False after a fault. */
export let mq: u64 = 0;
export function mmxQ(feat: u32): bool {
  if (!mmxEnterFeat(feat)) return false;
  if (modrm >= 0xc0) { mq = mmRead(modrm & 7); return true; }
  mq = readM64();
  return !faultPending;
}

// --- XMM registers ---
@inline export function xmmAddr(i: u32): u32 { return OFF_XMM + (i << 4); }
@inline export function xmm(i: u32): v128 { return v128.load(xmmAddr(i)); }
@inline export function setXmm(i: u32, v: v128): void { v128.store(xmmAddr(i), v); }
@inline export function xmmLo(i: u32): u64 { return load<u64>(xmmAddr(i)); }
@inline export function setXmmLo(i: u32, v: u64): void { store<u64>(xmmAddr(i), v); }
@inline export function xmmHi(i: u32): u64 { return load<u64>(xmmAddr(i) + 8); }
@inline export function setXmmHi(i: u32, v: u64): void { store<u64>(xmmAddr(i) + 8, v); }
/** ModRM.reg and ModRM.rm as register numbers. */
@inline export function vIdx(): u32 { return (modrm >> 3) & 7; }
@inline export function uIdx(): u32 { return modrm & 7; }

// --- memory operands ---

/** The 16-byte alignment rule: #GP(0) unless the operand's linear address is a
 *  multiple of 16. False after the fault. */
@inline function aligned16(): bool {
  if ((linear(eaSeg, eaOff) & 15) != 0) { raiseGP(0); return false; }
  return true;
}

/** The W operand, 128 bits: the rm register or m128 (`align`: must be 16-byte
 *  aligned). Only after a fault are the returned bits meaningless; the caller
 *  tests faultPending before committing. */
export function readW128(align: bool): v128 {
  if (modrm >= 0xc0) return xmm(modrm & 7);
  return readM128(align);
}
/** m128 at the memory operand (`align`: the 16-byte rule). */
export function readM128(align: bool): v128 {
  if (align && !aligned16()) return i64x2.splat(0);
  if (!checkRead(eaSeg, eaOff, 16)) return i64x2.splat(0);
  let v = i32x4.splat(readM32(0));
  v = i32x4.replace_lane(v, 1, readM32(4));
  v = i32x4.replace_lane(v, 2, readM32(8));
  return i32x4.replace_lane(v, 3, readM32(12));
}
/** m64 at the memory operand. */
export function readM64(): u64 {
  let lo = readM32(0);
  return <u64>lo | (<u64>readM32(4) << 32);
}
/** The low 64 bits of the W operand (Wq: the register's low half or m64). */
export function readW64(): u64 { return modrm >= 0xc0 ? xmmLo(modrm & 7) : readM64(); }
/** The low 32 bits of the W operand (Wd: the register's lane 0 or m32). */
export function readW32(): u32 { return modrm >= 0xc0 ? load<u32>(xmmAddr(modrm & 7)) : readM32(0); }

/** Check that `size` bytes at the memory operand can be written (segment, then
 *  both pages of a page-crossing operand), so that a store that faults has
 *  written nothing. False after the fault. */
export function checkStore(size: u32): bool {
  if (!checkWrite(eaSeg, eaOff, size)) return false;
  let lin = linear(eaSeg, eaOff);
  if ((lin & 0xfff) + size <= 4096) return true;
  let user = getCpl() == 3;
  // A fault on the second page reports its first byte in CR2 (SDM vol. 3 §4.7).
  return entryFor(lin, true, user) != 0 && entryFor((lin & ~0xfff) + 0x1000, true, user) != 0;
}
/** Store 128 bits at the memory operand (`align`: the 16-byte rule). */
@inline export function writeM128(v: v128, align: bool): void {
  if (!checkStore128(align)) return;
  writeM32(0, i32x4.extract_lane(v, 0));
  writeM32(4, i32x4.extract_lane(v, 1));
  writeM32(8, i32x4.extract_lane(v, 2));
  writeM32(12, i32x4.extract_lane(v, 3));
}
function checkStore128(align: bool): bool { return (!align || aligned16()) && checkStore(16); }
/** Store 64 bits at the memory operand. */
export function writeM64(v: u64): void {
  if (!checkStore(8)) return;
  writeM32(0, <u32>v);
  writeM32(4, <u32>(v >> 32));
}

// --- LDMXCSR, STMXCSR (SDM vol. 2): 0F AE /2, /3, memory operand only ---
export function ldmxcsr_Md(): void {
  if (modrm >= 0xc0) { raiseUD(); return; }
  if (!sseEnter(FEAT_SSE)) return;
  let v = readM32(0);
  if (faultPending) return;
  if (v & ~MXCSR_MASK) { raiseGP(0); return; }
  setMxcsr(v);
}
export function stmxcsr_Md(): void {
  if (modrm >= 0xc0) { raiseUD(); return; }
  if (!sseEnter(FEAT_SSE)) return;
  if (checkStore(4)) writeM32(0, mxcsr());
}

// --- FXSAVE/FXRSTOR's SSE part (x87.ts fxsave_M, fxrstor_M; SDM vol. 2 FXSAVE
// table 3-53): MXCSR at byte 24, MXCSR_MASK at 28, XMM0-7 at 160. Saved and
// restored on a model with SSE while CR4.OSFXSR = 1, as QEMU does; otherwise
// left alone (the SDM leaves it to the implementation) ---
const FX_MXCSR: u32 = 24;
const FX_MXCSR_MASK: u32 = 28;
const FX_XMM0: u32 = 160;
const FX_STAGE: usize = memory.data(128, 16); // FXRSTOR's XMM image, committed after every read

@inline function fxHasSse(): bool { return hasFeature(FEAT_SSE) && (cr4() & CR4_OSFXSR) != 0; }

/** FXSAVE's SSE part, after the x87 part (the image is known writable). */
export function fxsaveSse(): void {
  if (!fxHasSse()) return;
  writeM32(FX_MXCSR, mxcsr());
  writeM32(FX_MXCSR_MASK, MXCSR_MASK);
  for (let i: u32 = 0; i < 32; i++) writeM32(FX_XMM0 + i * 4, load<u32>(OFF_XMM + i * 4));
}
/** FXRSTOR's SSE part, before anything is committed: reads MXCSR (reserved
 *  bits: #GP(0)) and XMM0-7 into a stage. False after a fault. */
export function fxrstorSseRead(): bool {
  if (!fxHasSse()) return true;
  let m = readM32(FX_MXCSR);
  if (faultPending) return false;
  if (m & ~MXCSR_MASK) { raiseGP(0); return false; }
  for (let i: u32 = 0; i < 32; i++) store<u32>(FX_STAGE + i * 4, readM32(FX_XMM0 + i * 4));
  fxStagedMxcsr = m;
  return !faultPending;
}
let fxStagedMxcsr: u32 = 0;
/** FXRSTOR's SSE part: commit what fxrstorSseRead staged. */
export function fxrstorSseCommit(): void {
  if (!fxHasSse()) return;
  setMxcsr(fxStagedMxcsr);
  memory.copy(OFF_XMM, FX_STAGE, 128);
}

// --- fences and cache control (SDM vol. 2 LFENCE, MFENCE, SFENCE, CLFLUSH,
// PREFETCHh): memory is coherent and in program order here, so the fences only
// check that they exist; 0F 18 (PREFETCHh) is datamov.ts's hint NOP. No
// CR0/CR4 checks apply to them ---
/** 0F AE /5: LFENCE (SSE2) with a register ModRM; the memory form is XRSTOR, absent. */
export function lfence(): void { if (modrm < 0xc0 || !hasFeature(FEAT_SSE2)) raiseUD(); }
/** 0F AE /6: MFENCE (SSE2); the memory form is XSAVEOPT, absent. */
export function mfence(): void { if (modrm < 0xc0 || !hasFeature(FEAT_SSE2)) raiseUD(); }
/** 0F AE /7: SFENCE (SSE) with a register ModRM, CLFLUSH m8 (CPUID.CLFSH, which
 *  comes with SSE2 here) with memory. CLFLUSH checks its operand as a byte load
 *  does (segment, page), without reading it (an MMIO byte has no side effect);
 *  there is no cache to flush. */
export function sfence_clflush(): void {
  if (modrm >= 0xc0) { if (!hasFeature(FEAT_SSE)) raiseUD(); return; }
  if (!hasFeature(FEAT_SSE2)) { raiseUD(); return; }
  if (checkRead(eaSeg, eaOff, 1)) entryFor(linear(eaSeg, eaOff), false, getCpl() == 3);
}

// --- MONITOR/MWAIT (SSE3 generation; SDM vol. 2 MONITOR, MWAIT): 0F 01 C8 and
// C9, at CPL 0 only (#UD otherwise, as for an absent or disabled feature).
// MONITOR checks its address DS:rAX as a byte read; with a single CPU and no
// monitored-store wake-up, MWAIT waits as HLT does: until an interrupt it may
// take, an NMI or reset (the SDM lets MWAIT end for implementation-dependent
// events, and QEMU's single-CPU MWAIT is HLT too). ECX must be 0: ECX[0]
// (interrupts as break events while masked) is not reported in CPUID leaf 5,
// so it is #GP(0) like any other extension bit. EAX/EDX hints are ignored ---
export function monitor(): void {
  if (!monitorEnabled() || getCpl() != 0) { raiseUD(); return; }
  if (nonRoot() && vmxMonitor()) return;
  if (reg32(R_ECX) != 0) { raiseGP(0); return; }
  let seg = segOverride >= 0 ? segOverride : S_DS;
  let off = addrsize32 ? reg32(R_EAX) : reg32(R_EAX) & 0xffff;
  if (checkRead(seg, off, 1) && entryFor(linear(seg, off), false, false) != 0) store<u32>(OFF_MONITOR_ARMED, 1);
}
export function mwait(): void {
  if (!monitorEnabled() || getCpl() != 0) { raiseUD(); return; }
  if (nonRoot() && vmxMwait(load<u32>(OFF_MONITOR_ARMED) != 0)) return;
  if (reg32(R_ECX) != 0) { raiseGP(0); return; }
  store<u32>(OFF_MONITOR_ARMED, 0);
  store<u32>(OFF_HALTED, 1);
  needAttention();
}
