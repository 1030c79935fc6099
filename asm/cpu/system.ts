// System instructions (SDM vol. 3 §2.8; vol. 2 per instruction): HLT, moves to and
// from control and debug registers, CLTS, LMSW/SMSW, INVLPG, INVD/WBINVD, UD2,
// CPUID, RDTSC, RDMSR/WRMSR and RDPMC.
//
// The processor identity is a Pentium II (Deschutes, family 6 model 5 stepping 2):
// a P6 without SSE, whose model/stepping Linux applies no errata workaround to
// (it drops SEP below signature 0x633, and treats the Pentium Pro, model 1, as
// having erratum 50). CPUID reports only what RingZero implements. PAE (on by
// default, as in QEMU's pentium2) and NX (off by default; QEMU's +nx) are the
// model's optional features (features.ts).

import { tscNow, clockNow } from "../clock";
import {
  OFF_HALTED, OFF_CR0, OFF_CR2, OFF_CR3, OFF_CR4, OFF_ICOUNT, OFF_TSC_OFFSET, needAttention,
  OFF_SYSENTER_CS, OFF_SYSENTER_ESP, OFF_SYSENTER_EIP, OFF_APIC_BASE, OFF_MTRR, OFF_EFER, OFF_PAT,
  R_EAX, R_ECX, R_EDX, R_EBX,
  CR0_PE, CR0_MP, CR0_EM, CR0_TS, CR0_ET, CR0_NE, CR0_WP, CR0_AM, CR0_NW, CR0_CD, CR0_PG,
  CR4_TSD, CR4_DE, CR4_PSE, CR4_PAE, CR4_PGE, CR4_PCE, CR4_OSFXSR, EFER_NXE,
  getCpl, cr0, cr4, reg32, setReg32, segBase,
} from "./state";
import { raiseGP, raiseUD, raise, faultPending, DB } from "./fault";
import { protectedMode, refreshSegmentRanges, csChanged } from "./segments";
import { fetch8, eaSeg, eaOff, isRegForm, readE16, writeE16, writeE32 } from "./decode";
import { tlbFlush, tlbFlushPage, loadPdptes } from "../mmu/paging";
import { hasFeature, FEAT_PAE, FEAT_NX, FEAT_VMX } from "./features";
import {
  getDr, setDr, drIndex, debugRegsChanged, DR6_BD, DR7_GD,
  DR6_FIXED1, DR6_WRITABLE, DR7_FIXED1, DR7_WRITABLE,
} from "./debug";
import { CPU_SIGNATURE } from "./reset";
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
// CR4 bits RingZero implements. VME/PVI (virtual-8086 extensions) and MCE are
// not implemented, nor PAE on a model without it, so they are reserved here
// (CPUID does not report them) and setting one is #GP(0), as for any reserved
// CR4 bit (SDM vol. 2 MOV CR). OSFXSR comes with FXSR (SDM vol. 3 §2.5); on this
// model without SSE it changes nothing (x87.ts FXSAVE), and OSXMMEXCPT (SSE's)
// stays reserved.
const CR4_ALWAYS: u32 = CR4_TSD | CR4_DE | CR4_PSE | CR4_PGE | CR4_PCE | CR4_OSFXSR;
@inline function cr4Supported(): u32 { return CR4_ALWAYS | (hasFeature(FEAT_PAE) ? CR4_PAE : 0) | cr4VmxBits(); }

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
const F_DE: u32 = 1 << 2;
const F_PSE: u32 = 1 << 3;
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
const F_MMX: u32 = 1 << 23;  // asm/cpu/mmx.ts
const F_FXSR: u32 = 1 << 24; // FXSAVE/FXRSTOR (x87.ts) and CR4.OSFXSR
// Not reported: VME, MCE, MCA, PSE-36, SSE (not implemented). PAT: the MSR is
// kept (caching is not modelled); PAE with the model's feature. MMX and FXSR as
// QEMU's pentium2 (PENTIUM2_FEATURES) reports them.
export const CPUID_FEATURES: u32 = F_DE | F_PSE | F_TSC | F_MSR | F_CX8 | F_SEP | F_MTRR | F_PGE | F_PAT
  | F_MMX | F_FXSR | (FPU_PRESENT ? F_FPU | F_CMOV : 0) | (APIC_PRESENT ? F_APIC : 0);
const F_ECX_VMX: u32 = 1 << 5; // leaf 1 ECX: VMX (vmx.ts)
const CPUID_MAX_LEAF: u32 = 2;
// Extended leaves exist only for NX, in 80000001H (as QEMU raises its extended
// level for +nx); a P6 has none.
const CPUID_EXT_BASE: u32 = 0x80000000;
const CPUID_MAX_EXT: u32 = 0x80000001;
const F_EXT_NX: u32 = 1 << 20; // 80000001H EDX
const VENDOR_B: u32 = 0x756e6547, VENDOR_D: u32 = 0x49656e69, VENDOR_C: u32 = 0x6c65746e; // "Genu" "ineI" "ntel"

export function cpuid(): void {
  if (nonRoot() && vmxCpuid()) return;
  let leaf = reg32(R_EAX);
  // A leaf above the maximum returns the highest basic leaf (SDM vol. 2 CPUID:
  // "the data for the highest basic information leaf is returned"); without
  // extended leaves, 80000000H lands here too.
  let maxExt = hasFeature(FEAT_NX) ? CPUID_MAX_EXT : 0;
  if (leaf > CPUID_MAX_LEAF && (leaf < CPUID_EXT_BASE || leaf > maxExt)) leaf = CPUID_MAX_LEAF;
  let a: u32 = 0, b: u32 = 0, c: u32 = 0, d: u32 = 0;
  switch (leaf) {
    case 0:
      a = CPUID_MAX_LEAF;
      b = VENDOR_B; d = VENDOR_D; c = VENDOR_C;
      break;
    case 1:
      a = CPU_SIGNATURE;  // type 0, family 6, model 5, stepping 2
      // EBX (brand index, APIC ID) is 0 on a P6; ECX has only VMX (bit 5) with the feature
      d = CPUID_FEATURES | (hasFeature(FEAT_PAE) ? F_PAE : 0);
      c = hasFeature(FEAT_VMX) ? F_ECX_VMX : 0;
      break;
    case CPUID_EXT_BASE:
      // The vendor in EBX/ECX/EDX as QEMU puts it (Intel's own processors return 0 there).
      a = maxExt;
      b = VENDOR_B; d = VENDOR_D; c = VENDOR_C;
      break;
    case CPUID_MAX_EXT:
      a = CPU_SIGNATURE; // QEMU repeats the signature here
      d = F_EXT_NX;
      break;
    default:
      // Cache and TLB descriptors of a Pentium II with 512 KiB L2 (SDM vol. 2
      // CPUID table 3-12): 01 ITLB 4K, 02 ITLB 4M, 03 DTLB 4K, 04 DTLB 4M,
      // 08 16K L1 I, 0C 16K L1 D, 43 512K L2; AL = 1 (one iteration).
      a = 0x03020101; d = 0x0c040843;
      break;
  }
  setReg32(R_EAX, a); setReg32(R_EBX, b); setReg32(R_ECX, c); setReg32(R_EDX, d);
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
const MSR_PAT: u32 = 0x277;
const MSR_EFER: u32 = 0xc0000080;
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
    case MSR_EFER:
      if (!hasFeature(FEAT_NX)) { raiseGP(0); return; } // a P6 has no EFER
      v = load<u64>(OFF_EFER);
      break;
    default: {
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
    case MSR_SYSENTER_CS: store<u32>(OFF_SYSENTER_CS, lo); return;
    case MSR_SYSENTER_ESP: store<u32>(OFF_SYSENTER_ESP, lo); return;
    case MSR_SYSENTER_EIP: store<u32>(OFF_SYSENTER_EIP, lo); return;
    case MSR_PAT: {
      let v = (<u64>hi << 32) | <u64>lo;
      if (!patValid(v)) { raiseGP(0); return; }
      store<u64>(OFF_PAT, v);
      return;
    }
    case MSR_EFER:
      // Only NXE exists here: no long mode, no SYSCALL (SDM vol. 4 table 2-2).
      if (!hasFeature(FEAT_NX) || hi != 0 || (lo & ~EFER_NXE)) { raiseGP(0); return; }
      if ((lo ^ load<u32>(OFF_EFER)) & EFER_NXE) tlbFlush(false); // cached entries know XD
      store<u64>(OFF_EFER, <u64>lo);
      return;
    default: {
      // PLATFORM_ID and MTRRcap are read-only; unknown MSRs do not exist.
      let s = mtrrSlot(msr);
      if (s < 0) { raiseGP(0); return; }
      store<u64>(OFF_MTRR + (<u32>s << 3), (<u64>hi << 32) | <u64>lo);
    }
  }
}
