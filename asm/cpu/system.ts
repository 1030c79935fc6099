// System instructions (SDM vol. 3 §2.8; vol. 2 per instruction): HLT, moves to and
// from control and debug registers, CLTS, LMSW/SMSW, INVLPG, INVD/WBINVD, UD2,
// CPUID, RDTSC, RDMSR/WRMSR and RDPMC.
//
// The processor identity is the model's (features.ts): a Pentium II
// (Deschutes, family 6 model 5 stepping 2), a P6 without SSE, whose model/
// stepping Linux applies no errata workaround to (it drops SEP below signature
// 0x633, and treats the Pentium Pro, model 1, as having erratum 50); or a
// Pentium III, Pentium 4 or Core Duo as QEMU defines them. CPUID reports only
// what RingZero implements (QEMU's TCG masks VMX from its coreduo the same way).
// PAE, NX and the SSE generations are the model's features (features.ts).

import { tscNow, clockNow } from "../clock";
import {
  OFF_HALTED, OFF_CR0, OFF_CR2, OFF_CR3, OFF_CR4, OFF_ICOUNT, OFF_TSC_OFFSET, needAttention,
  OFF_SYSENTER_CS, OFF_SYSENTER_ESP, OFF_SYSENTER_EIP, OFF_APIC_BASE, OFF_MTRR, OFF_EFER, OFF_PAT, OFF_MISC_ENABLE,
  R_EAX, R_ECX, R_EDX, R_EBX,
  CR0_PE, CR0_MP, CR0_EM, CR0_TS, CR0_ET, CR0_NE, CR0_WP, CR0_AM, CR0_NW, CR0_CD, CR0_PG,
  CR4_VME, CR4_PVI, CR4_TSD, CR4_DE, CR4_PSE, CR4_PAE, CR4_PGE, CR4_PCE, CR4_OSFXSR, CR4_OSXMMEXCPT, CR4_MCE, EFER_NXE,
  getCpl, cr0, cr4, reg32, setReg32, segBase,
} from "./state";
import { raiseGP, raiseUD, raise, faultPending, DB } from "./fault";
import { protectedMode, refreshSegmentRanges, csChanged } from "./segments";
import { fetch8, eaSeg, eaOff, isRegForm, readE16, writeE16, writeE32 } from "./decode";
import { tlbFlush, tlbFlushPage, loadPdptes } from "../mmu/paging";
import {
  hasFeature, cpuModel, FEAT_PAE, FEAT_NX, FEAT_VMX, FEAT_SSE, FEAT_SSE2, FEAT_SSE3, FEAT_VME, FEAT_MCE, FEAT_MCA,
  MODEL_PENTIUM2, MODEL_PENTIUM3, MODEL_PENTIUM4, MODEL_COREDUO, MAXPHYADDR,
} from "./features";
import {
  getDr, setDr, drIndex, debugRegsChanged, DR6_BD, DR7_GD,
  DR6_FIXED1, DR6_WRITABLE, DR7_FIXED1, DR7_WRITABLE,
} from "./debug";
import { cpuSignature } from "./reset";
import { isMcaMsr, mcaRead, mcaWrite } from "./mca";
import { recordEvent, EV_MODE, EV_CR3 } from "./events";
import { cr4VmxBits, vmxCr0Ok, vmxCr4Ok, vmxRdmsr, vmxWrmsr } from "./vmx";
import {
  nonRoot, vmxCpuid, vmxHlt, vmxInvd, vmxInvlpg, vmxRdtsc, vmxRdpmc, vmxTsc, vmxMsr, vmxMovToCr, vmxCrWriteValue,
  vmxMovFromCr, vmxCrReadValue, vmxClts, vmxLmsw, vmxLmswValue, vmxMovDr,
} from "./vmxexit";

/** x87 present: CPUID.FPU, and CPUID.CMOV (which with FPU also promises FCMOVcc/
 *  FCOMI, SDM vol. 2 CPUID table 3-11). True because the x87 work lands together
 *  with this; set false to run without it. */
export const FPU_PRESENT: bool = true;
/** Local APIC present (CPUID.APIC): asm/dev/lapic.ts at 0xFEE00000. It comes out
 *  of reset with every LVT masked, so software that knows no APIC must not be
 *  told there is one it never programs: CPUID says so, and guests (Linux,
 *  SeaBIOS) set LINT0 to ExtINT themselves. */
export const APIC_PRESENT: bool = true;

/** Privileged instructions: CPL 0, which excludes virtual-8086 mode (CPL 3 there). */
@inline function privileged(): bool {
  if (protectedMode() && getCpl() != 0) { raiseGP(0); return false; }
  return true;
}

/** HLT: privileged (#GP(0) at CPL > 0); the run loop stops until an interrupt. */
export function hlt(): void {
  if (!privileged()) return;
  if (nonRoot() && vmxHlt()) return;
  store<u32>(OFF_HALTED, 1);
  needAttention();
}

// --- control registers (SDM vol. 3 §2.5) ---

// CR0 bits a P6 has; ET is fixed at 1 (SDM vol. 3 §2.5: "reserved ... hardcoded to 1").
const CR0_DEFINED: u32 = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;
// CR4 bits RingZero implements. VME and PVI (virtual-8086 mode extensions and
// protected-mode virtual interrupts, SDM vol. 3 §20.3, §20.4) come with the
// model's VME feature, MCE with its MCE feature (mca.ts; nothing raises #MC
// here) and PAE with its PAE feature; without the feature each is reserved
// (CPUID does not report it) and setting it is #GP(0), as for any reserved CR4
// bit (SDM vol. 2 MOV CR). OSFXSR comes with FXSR (SDM vol. 3 §2.5); on a
// model without SSE it changes nothing (x87.ts FXSAVE). OSXMMEXCPT exists with
// SSE (SDM vol. 3 §2.5: #XM instead of #UD for unmasked SIMD exceptions).
const CR4_ALWAYS: u32 = CR4_TSD | CR4_DE | CR4_PSE | CR4_PGE | CR4_PCE | CR4_OSFXSR;
/** The CR4 bits this model has (also IA32_VMX_CR4_FIXED1, vmx.ts). */
@inline export function cr4Supported(): u32 {
  return CR4_ALWAYS | (hasFeature(FEAT_PAE) ? CR4_PAE : 0) | (hasFeature(FEAT_VME) ? CR4_VME | CR4_PVI : 0) | (hasFeature(FEAT_SSE) ? CR4_OSXMMEXCPT : 0)
    | (hasFeature(FEAT_MCE) ? CR4_MCE : 0) | cr4VmxBits();
}

/** SDM vol. 3 §4.4.1: the PDPTEs are loaded when PAE paging is in use after a
 *  MOV to CR0 or CR4 that changes CR0.CD, NW or PG or CR4.PAE, PGE or PSE. */
const CR0_PDPTE_RELOAD: u32 = CR0_CD | CR0_NW | CR0_PG;
const CR4_PDPTE_RELOAD: u32 = CR4_PAE | CR4_PGE | CR4_PSE;
@inline function paePaging(c0: u32, c4: u32): bool { return (c0 & CR0_PG) != 0 && (c4 & CR4_PAE) != 0; }

/** Load CR0 after the checks of SDM vol. 2 MOV CR: #GP(0) for PG without PE and
 *  for NW without CD, and for a PDPTE with reserved bits when PAE paging follows.
 *  Returns false after raising the fault. */
export function writeCr0(v: u32): bool {
  v = (v & CR0_DEFINED) | CR0_ET;
  if ((v & CR0_PG) && !(v & CR0_PE)) { raiseGP(0); return false; }
  if ((v & CR0_NW) && !(v & CR0_CD)) { raiseGP(0); return false; }
  if (!vmxCr0Ok(v)) { raiseGP(0); return false; } // fixed bits in VMX operation
  let old = cr0();
  if (paePaging(v, cr4()) && ((old ^ v) & CR0_PDPTE_RELOAD) && !loadPdptes(load<u32>(OFF_CR3))) return false;
  store<u32>(OFF_CR0, v);
  let changed = old ^ v;
  if (changed & (CR0_PE | CR0_PG)) recordEvent(EV_MODE, old, v, 0);
  // SDM vol. 3 §4.10.4.1: changing PG or WP invalidates the TLBs; PE and CD also
  // change how the fill is done here (mode, caching), so they flush too.
  if (changed & (CR0_PE | CR0_PG | CR0_WP | CR0_CD)) tlbFlush(false);
  if (changed & CR0_PE) { refreshSegmentRanges(); csChanged(); }
  return true;
}

function readCr(n: u32): i64 {
  switch (n) {
    case 0: return <i64>cr0();
    case 2: return <i64>load<u32>(OFF_CR2);
    case 3: return <i64>load<u32>(OFF_CR3);
    case 4: return <i64>cr4();
    default: return -1;
  }
}

// MOV r32, CRn / MOV CRn, r32: the mod field is ignored and the operand is
// always a register (SDM vol. 2 MOV—Move to/from Control Registers), so the
// map gives no ModRM flag and the byte is fetched here.
export function mov_Rd_Cd(): void {
  let m = fetch8();
  if (!privileged()) return;
  let v = readCr((m >> 3) & 7);
  if (v < 0) { raiseUD(); return; }
  if (nonRoot()) { if (vmxMovFromCr((m >> 3) & 7, m & 7)) return; v = <i64>vmxCrReadValue((m >> 3) & 7, <u32>v); }
  setReg32(m & 7, <u32>v);
}

export function mov_Cd_Rd(): void {
  let m = fetch8();
  if (!privileged()) return;
  let n = (m >> 3) & 7;
  let v = reg32(m & 7);
  if (nonRoot() && n != 2 && n < 5) { if (vmxMovToCr(n, m & 7, v)) return; v = vmxCrWriteValue(n, v); }
  switch (n) {
    case 0: writeCr0(v); return;
    case 2: store<u32>(OFF_CR2, v); return;
    case 3:
      // In PAE paging the PDPTEs come with CR3 (SDM vol. 3 §4.4.1), or #GP(0).
      if (paePaging(cr0(), cr4()) && !loadPdptes(v)) return;
      recordEvent(EV_CR3, load<u32>(OFF_CR3), v, 0);
      store<u32>(OFF_CR3, v);
      // SDM vol. 3 §4.10.4.1: MOV to CR3 invalidates all but global entries.
      tlbFlush((cr4() & CR4_PGE) != 0);
      return;
    case 4: {
      if ((v & ~cr4Supported()) || !vmxCr4Ok(v)) { raiseGP(0); return; }
      let old = cr4();
      if (paePaging(cr0(), v) && ((old ^ v) & CR4_PDPTE_RELOAD) && !loadPdptes(load<u32>(OFF_CR3))) return;
      store<u32>(OFF_CR4, v);
      // SDM vol. 3 §4.10.4.1: changing PGE, PSE or PAE invalidates all TLB entries.
      if ((old ^ v) & (CR4_PGE | CR4_PSE | CR4_PAE)) tlbFlush(false);
      return;
    }
    default: raiseUD(); return;
  }
}

/** CLTS: clear CR0.TS (SDM vol. 2 CLTS). */
export function clts(): void {
  if (!privileged()) return;
  if (nonRoot() && vmxClts()) return;
  store<u32>(OFF_CR0, cr0() & ~CR0_TS);
}

/** LMSW: load PE, MP, EM, TS; PE can be set but not cleared (SDM vol. 2 LMSW). */
export function lmsw_Ew(): void {
  if (!privileged()) return;
  let v = readE16();
  if (faultPending) return;
  if (nonRoot()) { if (vmxLmsw(v, !isRegForm(), segBase(eaSeg) + eaOff)) return; v = vmxLmswValue(v); }
  let c = cr0();
  writeCr0((c & ~(CR0_MP | CR0_EM | CR0_TS)) | (v & (CR0_PE | CR0_MP | CR0_EM | CR0_TS)));
}

/** SMSW: not privileged on a P6. A register destination with a 32-bit operand
 *  size receives all of CR0 (as P6 processors do; SDM vol. 2 SMSW calls the
 *  upper half undefined); a memory destination is always 16 bits. */
@inline function guestCr0(): u32 { return nonRoot() ? vmxCrReadValue(0, cr0()) : cr0(); }
export function smsw_Ew16(): void { writeE16(guestCr0() & 0xffff); }
export function smsw_Ew32(): void {
  if (isRegForm()) writeE32(guestCr0()); else writeE16(guestCr0() & 0xffff);
}

/** INVLPG m: drop the translation of the page holding the operand's linear
 *  address (SDM vol. 2 INVLPG; no segment limit check); register form #UD. */
export function invlpg_M(): void {
  if (isRegForm()) { raiseUD(); return; }
  if (!privileged()) return;
  if (nonRoot() && vmxInvlpg(segBase(eaSeg) + eaOff)) return;
  tlbFlushPage(segBase(eaSeg) + eaOff);
}

/** INVD/WBINVD: caches are not modelled; only the privilege check remains. */
export function invd(): void { if (privileged() && nonRoot()) vmxInvd(); }
export function wbinvd(): void { privileged(); }

export function ud2(): void { raiseUD(); }

// --- debug registers (SDM vol. 3 §17.2; vol. 2 MOV—Move to/from Debug Registers) ---

/** The checks common to both directions; returns the register index or -1 after a fault. */
function drAccess(n: u32, m: u32, fromDr: bool): i32 {
  if (!privileged()) return -1;
  let r = drIndex(n);
  if (r < 0) { raiseUD(); return -1; }
  if (nonRoot() && vmxMovDr(n, m & 7, fromDr)) return -1;
  // General detect (SDM vol. 3 §17.2.4): #DB fault before the access, DR6.BD set,
  // GD cleared so that the handler can use the debug registers.
  if (getDr(7) & DR7_GD) {
    setDr(6, getDr(6) | DR6_BD);
    setDr(7, getDr(7) & ~DR7_GD);
    raise(DB, 0, false);
    return -1;
  }
  return r;
}

export function mov_Rd_Dd(): void {
  let m = fetch8();
  let r = drAccess((m >> 3) & 7, m, true);
  if (r < 0) return;
  setReg32(m & 7, getDr(<u32>r));
}

export function mov_Dd_Rd(): void {
  let m = fetch8();
  let r = drAccess((m >> 3) & 7, m, false);
  if (r < 0) return;
  let v = reg32(m & 7);
  if (r == 6) v = (v & DR6_WRITABLE) | DR6_FIXED1;
  else if (r == 7) v = (v & DR7_WRITABLE) | DR7_FIXED1;
  setDr(<u32>r, v);
  if (r != 6 && debugRegsChanged()) tlbFlush(false);
}

// --- CPUID (SDM vol. 2 CPUID) ---

// Leaf 1 EDX feature bits (SDM vol. 2 CPUID, table 3-11).
const F_FPU: u32 = 1 << 0;
const F_VME: u32 = 1 << 1;   // with the model's VME feature (CR4.VME, CR4.PVI)
const F_DE: u32 = 1 << 2;
const F_PSE: u32 = 1 << 3;
const F_MCE: u32 = 1 << 7;   // with the model's MCE feature (CR4.MCE)
const F_MCA: u32 = 1 << 14;  // with the model's MCA feature (mca.ts)
const F_TSC: u32 = 1 << 4;
const F_MSR: u32 = 1 << 5;
const F_CX8: u32 = 1 << 8;
const F_APIC: u32 = 1 << 9;
const F_SEP: u32 = 1 << 11;
const F_MTRR: u32 = 1 << 12;
const F_PGE: u32 = 1 << 13;
const F_CMOV: u32 = 1 << 15;
const F_PAE: u32 = 1 << 6;
const F_PAT: u32 = 1 << 16;
const F_CLFSH: u32 = 1 << 19; // CLFLUSH (sse.ts), with SSE2 as on the Pentium 4
const F_MMX: u32 = 1 << 23;  // asm/cpu/mmx.ts
const F_FXSR: u32 = 1 << 24; // FXSAVE/FXRSTOR (x87.ts) and CR4.OSFXSR
const F_SSE: u32 = 1 << 25;  // asm/cpu/sse*.ts
const F_SSE2: u32 = 1 << 26;
const F_SS: u32 = 1 << 27;   // self snoop: no software interface, true of a cacheless model
// Leaf 1 ECX.
const F2_SSE3: u32 = 1 << 0;
const F2_MONITOR: u32 = 1 << 3; // MONITOR/MWAIT (sse.ts)
// Not reported: PSE-36, ACPI (thermal MSRs) (not implemented).
// PAT: the MSR is kept (caching is not modelled); PAE with the model's feature.
// MMX and FXSR as QEMU's pentium2 (PENTIUM2_FEATURES) reports them.
export const CPUID_FEATURES: u32 = F_DE | F_PSE | F_TSC | F_MSR | F_CX8 | F_SEP | F_MTRR | F_PGE | F_PAT
  | F_MMX | F_FXSR | (FPU_PRESENT ? F_FPU | F_CMOV : 0) | (APIC_PRESENT ? F_APIC : 0);
const F_ECX_VMX: u32 = 1 << 5; // leaf 1 ECX: VMX (vmx.ts)
// Extended leaves: the pentium2/3/4 models have them only for NX, in 80000001H
// (as QEMU raises its extended level for +nx); the Core Duo has 80000000H-80000008H.
const CPUID_EXT_BASE: u32 = 0x80000000;
const CPUID_EXT_NX: u32 = 0x80000001;
const CPUID_EXT_COREDUO: u32 = 0x80000008;
const F_EXT_NX: u32 = 1 << 20; // 80000001H EDX
const VENDOR_B: u32 = 0x756e6547, VENDOR_D: u32 = 0x49656e69, VENDOR_C: u32 = 0x6c65746e; // "Genu" "ineI" "ntel"

/** The highest basic leaf: 2 on the Pentium II and 4, 3 (the serial-number
 *  leaf, which reports none) on the Pentium III, 0AH on the Core Duo, as QEMU's
 *  models; 2 while IA32_MISC_ENABLE.LIMIT_CPUID is set (SDM vol. 4 table 2-2). */
function cpuidMaxLeaf(): u32 {
  if (miscEnable() & MISC_LIMIT_CPUID) return 2;
  return cpuModel == MODEL_PENTIUM3 ? 3 : cpuModel == MODEL_COREDUO ? 0xa : 2;
}
/** NX as CPUID reports it: the model's feature, unless IA32_MISC_ENABLE.XD_DISABLE. */
function nxEnabled(): bool { return hasFeature(FEAT_NX) && (miscEnable() & MISC_XD_DISABLE) == 0; }
function cpuidMaxExt(): u32 {
  if (cpuModel == MODEL_COREDUO) return CPUID_EXT_COREDUO;
  return nxEnabled() ? CPUID_EXT_NX : 0;
}
/** MONITOR/MWAIT: the Core Duo's, while IA32_MISC_ENABLE.MONITOR_ENABLE is set. */
export function monitorEnabled(): bool { return cpuModel == MODEL_COREDUO && (miscEnable() & MISC_MONITOR) != 0; }

function cpuidLeaf1(): void {
  let d = CPUID_FEATURES | (hasFeature(FEAT_PAE) ? F_PAE : 0) | (hasFeature(FEAT_VME) ? F_VME : 0);
  if (hasFeature(FEAT_MCE)) d |= F_MCE;
  if (hasFeature(FEAT_MCA)) d |= F_MCA;
  if (hasFeature(FEAT_SSE)) d |= F_SSE;
  if (hasFeature(FEAT_SSE2)) d |= F_SSE2 | F_CLFSH;
  if (cpuModel == MODEL_COREDUO) d |= F_SS;
  let c: u32 = 0;
  if (hasFeature(FEAT_SSE3)) c |= F2_SSE3;
  if (hasFeature(FEAT_VMX)) c |= F_ECX_VMX;
  if (monitorEnabled()) c |= F2_MONITOR;
  // EBX: bits 15:8 the CLFLUSH line size in qwords (64 bytes) where CLFSH is
  // reported; brand index, logical processor count and APIC ID 0.
  let b: u32 = (d & F_CLFSH) ? 8 << 8 : 0;
  cpuidSet(cpuSignature(), b, c, d);
}

/** Leaf 2 of the Pentium II: cache and TLB descriptors of a Pentium II with
 *  512 KiB L2 (SDM vol. 2 CPUID table 3-12): 01 ITLB 4K, 02 ITLB 4M, 03 DTLB 4K,
 *  04 DTLB 4M, 08 16K L1 I, 0C 16K L1 D, 43 512K L2; AL = 1 (one iteration).
 *  The other models give QEMU's descriptors: 2C 32K L1 D, 30 32K L1 I, 7D 2M L2,
 *  4D 16M L3. */
function cpuidLeaf2(): void {
  if (cpuModel == MODEL_PENTIUM2) cpuidSet(0x03020101, 0, 0, 0x0c040843);
  else cpuidSet(0x00000001, 0, 0x0000004d, 0x002c307d);
}

/** The Core Duo's leaves 4 and up, as QEMU's coreduo: deterministic cache
 *  parameters (ECX = 0 L1 D, 1 L1 I, 2 L2, 3 L3, then none), MONITOR/MWAIT
 *  (leaf 5: line sizes 0, ECX.EMX; not ECX.IBE, see sse.ts mwait), and zeros
 *  for thermal/power, DCA and performance monitoring (6-0AH). */
function cpuidCoreDuo(leaf: u32): void {
  if (leaf == 4) {
    switch (reg32(R_ECX)) {
      case 0: cpuidSet(0x00000121, 0x01c0003f, 0x0000003f, 1); return;
      case 1: cpuidSet(0x00000122, 0x01c0003f, 0x0000003f, 1); return;
      case 2: cpuidSet(0x00000143, 0x03c0003f, 0x00000fff, 1); return;
      case 3: cpuidSet(0x00000163, 0x03c0003f, 0x00003fff, 6); return;
      default: cpuidSet(0, 0, 0, 0); return;
    }
  }
  if (leaf == 5 && monitorEnabled()) { cpuidSet(0, 0, MWAIT_EMX, 0); return; }
  cpuidSet(0, 0, 0, 0);
}

/** The Core Duo's extended leaves, as QEMU's coreduo: the brand string "Genuine
 *  Intel(R) CPU           T2600  @ 2.16GHz", its L1/L2 descriptions (80000005H,
 *  80000006H) and address sizes: 36 physical bits (QEMU says 32, as the real
 *  Yonah; RingZero's PAE page walk takes MAXPHYADDR 36 on every model). */
function cpuidCoreDuoExt(leaf: u32): void {
  switch (leaf) {
    case 0x80000002: cpuidSet(0x756e6547, 0x20656e69, 0x65746e49, 0x2952286c); return;
    case 0x80000003: cpuidSet(0x55504320, 0x20202020, 0x20202020, 0x54202020); return;
    case 0x80000004: cpuidSet(0x30303632, 0x20402020, 0x36312e32, 0x007a4847); return;
    case 0x80000005: cpuidSet(0x01ff01ff, 0x01ff01ff, 0x40020140, 0x40020140); return;
    case 0x80000006: cpuidSet(0, 0x42004200, 0x02008140, 0x00808140); return;
    case 0x80000008: cpuidSet(MAXPHYADDR, 0, 0, 0); return;
    default: cpuidSet(0, 0, 0, 0); return;
  }
}

@inline function cpuidSet(a: u32, b: u32, c: u32, d: u32): void {
  setReg32(R_EAX, a); setReg32(R_EBX, b); setReg32(R_ECX, c); setReg32(R_EDX, d);
}

export function cpuid(): void {
  if (nonRoot() && vmxCpuid()) return;
  let leaf = reg32(R_EAX);
  // A leaf above the maximum returns the highest basic leaf (SDM vol. 2 CPUID:
  // "the data for the highest basic information leaf is returned"); without
  // extended leaves, 80000000H lands here too.
  let max = cpuidMaxLeaf(), maxExt = cpuidMaxExt();
  if (leaf > max && (leaf < CPUID_EXT_BASE || leaf > maxExt)) leaf = max;
  switch (leaf) {
    case 0: cpuidSet(max, VENDOR_B, VENDOR_C, VENDOR_D); return;
    case 1: cpuidLeaf1(); return;
    case 2: cpuidLeaf2(); return;
    case 3: cpuidSet(0, 0, 0, 0); return; // no processor serial number
    // The vendor in EBX/ECX/EDX as QEMU puts it (Intel's own processors return 0 there).
    case CPUID_EXT_BASE: cpuidSet(maxExt, VENDOR_B, VENDOR_C, VENDOR_D); return;
    // QEMU repeats the signature in EAX.
    case CPUID_EXT_NX: cpuidSet(cpuSignature(), 0, 0, nxEnabled() ? F_EXT_NX : 0); return;
    default:
      if (leaf >= CPUID_EXT_BASE) cpuidCoreDuoExt(leaf); else cpuidCoreDuo(leaf);
  }
}

// --- time-stamp counter (SDM vol. 3 §17.17) ---

/** The TSC is a 1 GHz counter on the machine's virtual clock (asm/clock.ts) plus
 *  the offset WRMSR to IA32_TIME_STAMP_COUNTER sets: deterministic runs get one
 *  tick per instruction, real-time runs follow the host clock, and either way it
 *  agrees with the PIT and RTC (Linux's clocksource watchdog compares them). */
@inline function tscValue(): u64 { return tscNow(); }

/** RDTSC: #GP(0) when CR4.TSD is set and CPL > 0 (SDM vol. 2 RDTSC). */
export function rdtsc(): void {
  if ((cr4() & CR4_TSD) && protectedMode() && getCpl() != 0) { raiseGP(0); return; }
  if (nonRoot() && vmxRdtsc()) return;
  let t = nonRoot() ? vmxTsc(tscValue()) : tscValue();
  setReg32(R_EAX, <u32>t);
  setReg32(R_EDX, <u32>(t >> 32));
}

/** RDPMC: allowed at CPL 0 or with CR4.PCE; a P6 has counters 0 and 1 (SDM vol. 2
 *  RDPMC). No counters are modelled: they read 0. */
export function rdpmc(): void {
  if (!(cr4() & CR4_PCE) && protectedMode() && getCpl() != 0) { raiseGP(0); return; }
  if (reg32(R_ECX) > 1) { raiseGP(0); return; }
  if (nonRoot() && vmxRdpmc()) return;
  setReg32(R_EAX, 0);
  setReg32(R_EDX, 0);
}

// --- model-specific registers (SDM vol. 4, table 2-2 "IA-32 architectural" and
// the P6 family table) ---
const MSR_TSC: u32 = 0x10;
const MSR_PLATFORM_ID: u32 = 0x17;
const MSR_APIC_BASE: u32 = 0x1b;
const MSR_BIOS_SIGN_ID: u32 = 0x8b;
const MSR_MTRRCAP: u32 = 0xfe;
const MSR_SYSENTER_CS: u32 = 0x174;
const MSR_SYSENTER_ESP: u32 = 0x175;
const MSR_SYSENTER_EIP: u32 = 0x176;
const MSR_MISC_ENABLE: u32 = 0x1a0;
// IA32_DEBUGCTL (SDM vol. 3 §17.4.1): last-branch recording (bit 0) and
// single-step on branches (BTF, bit 1) are not implemented, so the MSR reads 0
// and only 0 may be written (#GP(0) otherwise, as a reserved bit is). Linux's
// kvm_intel reads it around each VM entry; VM entry checks the guest's is 0
// (vmxentry.ts).
const MSR_DEBUGCTL: u32 = 0x1d9;
const MSR_PAT: u32 = 0x277;
const MSR_EFER: u32 = 0xc0000080;
// IA32_MISC_ENABLE (SDM vol. 4 table 2-2 and the Pentium 4 / Core Duo tables):
// the Pentium 4 and Core Duo have it, a P6 does not (#GP). At reset as QEMU
// sets it: fast strings, and MONITOR/MWAIT enabled where they exist. Bits the
// guest may write: fast strings (0), TM1 (3), FERR# multiplexing (10),
// Enhanced SpeedStep (16), MONITOR enable (18, clears CPUID.MONITOR and makes
// MONITOR/MWAIT #UD), limit CPUID maxval (22), xTPR disable (23), XD disable
// (34, clears CPUID's NX and makes IA32_EFER.NXE reserved); the others are
// reserved: changing one is #GP(0). Only 18, 22 and 34 change anything here.
const MISC_FAST_STRINGS: u64 = 1 << 0;
const MISC_MONITOR: u64 = 1 << 18;
const MISC_LIMIT_CPUID: u64 = 1 << 22;
const MISC_XD_DISABLE: u64 = <u64>1 << 34;
const MISC_WRITABLE: u64 = MISC_FAST_STRINGS | (1 << 3) | (1 << 10) | (1 << 16) | MISC_MONITOR | MISC_LIMIT_CPUID | (1 << 23) | MISC_XD_DISABLE;
// Leaf 5 ECX: MWAIT extensions enumerated (EMX); interrupt break-events (IBE) not.
const MWAIT_EMX: u32 = 1;
@inline function hasMiscEnable(): bool { return cpuModel == MODEL_PENTIUM4 || cpuModel == MODEL_COREDUO; }
@inline function miscEnable(): u64 { return load<u64>(OFF_MISC_ENABLE); }
/** IA32_MISC_ENABLE after reset (reset.ts). */
export function miscEnableReset(): void {
  store<u64>(OFF_MISC_ENABLE, hasMiscEnable() ? MISC_FAST_STRINGS | (cpuModel == MODEL_COREDUO ? MISC_MONITOR : 0) : 0);
}

// MTRRcap: 8 variable ranges, fixed ranges supported, write-combining supported.
const MTRRCAP_VALUE: u32 = 0x508;

/** The storage slot (state.ts OFF_MTRR, 8 bytes each) of an MTRR MSR, or -1:
 *  PHYSBASE/PHYSMASK 0-7 (200H-20FH), FIX64K_00000 (250H), FIX16K_80000/A0000
 *  (258H-259H), FIX4K_C0000..F8000 (268H-26FH), MTRRdefType (2FFH). */
function mtrrSlot(msr: u32): i32 {
  if (msr >= 0x200 && msr <= 0x20f) return <i32>(msr - 0x200);
  if (msr == 0x250) return 16;
  if (msr == 0x258 || msr == 0x259) return <i32>(msr - 0x258 + 17);
  if (msr >= 0x268 && msr <= 0x26f) return <i32>(msr - 0x268 + 19);
  if (msr == 0x2ff) return 27;
  return -1;
}

/** IA32_PAT: each of the eight bytes a memory type 0 (UC), 1 (WC), 4 (WT),
 *  5 (WP), 6 (WB) or 7 (UC-); anything else is #GP(0) (SDM vol. 3 §11.12.2). */
function patValid(v: u64): bool {
  for (let i: u64 = 0; i < 64; i += 8) {
    let t = <u32>(v >> i) & 0xff;
    if (t > 7 || t == 2 || t == 3) return false;
  }
  return true;
}

/** RDMSR/WRMSR: CPL 0 only; an MSR this P6 does not have is #GP(0) (SDM vol. 2 RDMSR). */
export function rdmsr(): void {
  if (!privileged()) return;
  let msr = reg32(R_ECX);
  if (nonRoot() && vmxMsr(msr, false)) return;
  if (vmxRdmsr(msr)) return;
  let v: u64 = 0;
  switch (msr) {
    case MSR_TSC: v = nonRoot() ? vmxTsc(tscValue()) : tscValue(); break;
    case MSR_PLATFORM_ID: v = 0; break;          // platform id 0 (bits 52:50)
    case MSR_APIC_BASE: v = <u64>load<u32>(OFF_APIC_BASE); break;
    case MSR_BIOS_SIGN_ID: v = 0; break;         // microcode revision 0 (EDX)
    case MSR_MTRRCAP: v = MTRRCAP_VALUE; break;
    case MSR_SYSENTER_CS: v = <u64>load<u32>(OFF_SYSENTER_CS); break;
    case MSR_SYSENTER_ESP: v = <u64>load<u32>(OFF_SYSENTER_ESP); break;
    case MSR_SYSENTER_EIP: v = <u64>load<u32>(OFF_SYSENTER_EIP); break;
    case MSR_PAT: v = load<u64>(OFF_PAT); break;
    case MSR_DEBUGCTL: v = 0; break;
    case MSR_MISC_ENABLE:
      if (!hasMiscEnable()) { raiseGP(0); return; }
      v = miscEnable();
      break;
    case MSR_EFER:
      if (!hasFeature(FEAT_NX)) { raiseGP(0); return; } // a P6 has no EFER
      v = load<u64>(OFF_EFER);
      break;
    default: {
      if (isMcaMsr(msr)) { v = mcaRead(msr); break; }
      let s = mtrrSlot(msr);
      if (s < 0) { raiseGP(0); return; }
      v = load<u64>(OFF_MTRR + (<u32>s << 3));
    }
  }
  setReg32(R_EAX, <u32>v);
  setReg32(R_EDX, <u32>(v >> 32));
}

export function wrmsr(): void {
  if (!privileged()) return;
  let msr = reg32(R_ECX);
  let lo = reg32(R_EAX), hi = reg32(R_EDX);
  if (nonRoot() && vmxMsr(msr, true)) return;
  if (vmxWrmsr(msr, lo, hi)) return;
  switch (msr) {
    case MSR_TSC:
      // All 64 bits (EDX:EAX), as models after the P6 write them;
      // a real P6 writes the low 32 and clears the high 32 (SDM vol. 3 §17.17).
      store<u64>(OFF_TSC_OFFSET, ((<u64>hi << 32) | <u64>lo) - clockNow());
      return;
    case MSR_APIC_BASE:
      // Storage only until the local APIC exists: BSP (bit 8), enable (bit 11)
      // and the base (bits 31:12).
      store<u32>(OFF_APIC_BASE, lo & 0xfffff900);
      return;
    case MSR_BIOS_SIGN_ID: return;               // written before CPUID to read the revision
    case MSR_DEBUGCTL: if (lo | hi) raiseGP(0); return;
    case MSR_SYSENTER_CS: store<u32>(OFF_SYSENTER_CS, lo); return;
    case MSR_SYSENTER_ESP: store<u32>(OFF_SYSENTER_ESP, lo); return;
    case MSR_SYSENTER_EIP: store<u32>(OFF_SYSENTER_EIP, lo); return;
    case MSR_PAT: {
      let v = (<u64>hi << 32) | <u64>lo;
      if (!patValid(v)) { raiseGP(0); return; }
      store<u64>(OFF_PAT, v);
      return;
    }
    case MSR_MISC_ENABLE: {
      let v = (<u64>hi << 32) | <u64>lo;
      if (!hasMiscEnable() || ((v ^ miscEnable()) & ~MISC_WRITABLE)) { raiseGP(0); return; }
      store<u64>(OFF_MISC_ENABLE, v);
      return;
    }
    case MSR_EFER:
      // Only NXE exists here: no long mode, no SYSCALL (SDM vol. 4 table 2-2);
      // with XD disabled (IA32_MISC_ENABLE) it is reserved too.
      if (!hasFeature(FEAT_NX) || hi != 0 || (lo & ~(nxEnabled() ? EFER_NXE : 0))) { raiseGP(0); return; }
      if ((lo ^ load<u32>(OFF_EFER)) & EFER_NXE) tlbFlush(false); // cached entries know XD
      store<u64>(OFF_EFER, <u64>lo);
      return;
    default: {
      // PLATFORM_ID and MTRRcap are read-only; unknown MSRs do not exist.
      if (isMcaMsr(msr)) {
        if (!mcaWrite(msr, (<u64>hi << 32) | <u64>lo)) raiseGP(0);
        return;
      }
      let s = mtrrSlot(msr);
      if (s < 0) { raiseGP(0); return; }
      store<u64>(OFF_MTRR + (<u32>s << 3), (<u64>hi << 32) | <u64>lo);
    }
  }
}
