// VMX (Intel VT-x), SDM vol. 3 ch. 23-31: the feature's MSRs (IA32_FEATURE_CONTROL,
// the IA32_VMX_* capability MSRs of appendix A) and the VMX instructions VMXON,
// VMXOFF, VMCLEAR, VMPTRLD, VMPTRST, VMREAD, VMWRITE, VMCALL, VMLAUNCH and
// VMRESUME (vol. 2 ch. 6 / vol. 3 ch. 31, with the conventions of §31.2 and the
// error numbers of §31.4). VM entry and VM exit are vmxentry.ts and vmxexit.ts;
// the VMCS layout is vmxfields.ts; docs/VMX.md says what is implemented.
//
// A 32-bit processor without Intel 64 (as the Core Duo): no IA-32e mode guest or
// host, natural-width fields of 32 bits, VMX structures below 4 GiB
// (IA32_VMX_BASIC[48] = 1). The secondary controls exist with the vmx-ept or
// vmx-vpid feature: "enable EPT" (mmu/ept.ts), "enable VPID" and, with EPT,
// "unrestricted guest", with INVEPT and INVVPID, and with them the TRUE_*
// capability MSRs.
// Not modelled: SMX and the dual-monitor treatment of SMM, INIT/SIPI (this
// machine has one CPU), A20M blocking in VMX operation.

import {
  OFF_VMX_MODE, VMX_ON, VMX_NONROOT, OFF_VMXON_PTR, OFF_VMCS_PTR, OFF_FEATURE_CONTROL, OFF_EFLAGS, OFF_A20,
  OFF_INHIBIT_IRQ, R_EAX, R_EDX, CF, ZF, ARITH_FLAGS, VM,
  CR0_PE, CR0_MP, CR0_EM, CR0_TS, CR0_ET, CR0_NE, CR0_WP, CR0_AM, CR0_NW, CR0_CD, CR0_PG,
  CR4_TSD, CR4_DE, CR4_PSE, CR4_PAE, CR4_PGE, CR4_PCE, CR4_OSFXSR, CR4_VMXE,
  cr0, cr4, getCpl, setReg32, reg32, needAttention,
} from "./state";
import { raiseGP, raiseUD, faultPending } from "./fault";
import { isRegForm, modrm, readM32, writeM32, readE32, writeE32, mandatoryPrefix, fetch8, decodeModrm } from "./decode";
import { setArithFlags } from "./flags";
import { hasFeature, FEAT_VMX, FEAT_PAE, FEAT_VMX_EPT, FEAT_VMX_VPID, FEAT_VMX_UG } from "./features";
import { PROC_SECONDARY, SEC_EPT, SEC_VPID, SEC_UG, eptpValid, secondaryControls } from "../mmu/ept";
import { tlbFlush } from "../mmu/paging";
import { physRead32, physWrite32 } from "../mmu/phys";
import { cr4Supported } from "./system";
import {
  VMCS_REVISION, VMCS_SIZE, VMCS_LAUNCH, VM_INSTR_ERROR, VMCS_MAX_INDEX,
  fieldOffset, fieldWidth, fieldReadOnly, WIDTH_16, WIDTH_64, vmwrite,
} from "./vmxfields";
import { vmEntry } from "./vmxentry";
import { vmxInstrExit } from "./vmxexit";

// --- VMX controls this processor implements (SDM vol. 3 ch. 24.6-24.8) ---
export const PIN_EXT_INT: u32 = 1 << 0;
export const PIN_NMI: u32 = 1 << 3;
export const PIN_VIRT_NMI: u32 = 1 << 5;
export const PIN_PREEMPT: u32 = 1 << 6;
export const PROC_INTR_WINDOW: u32 = 1 << 2;
export const PROC_TSC_OFFSET: u32 = 1 << 3;
export const PROC_HLT: u32 = 1 << 7;
export const PROC_INVLPG: u32 = 1 << 9;
export const PROC_MWAIT: u32 = 1 << 10;
export const PROC_RDPMC: u32 = 1 << 11;
export const PROC_RDTSC: u32 = 1 << 12;
export const PROC_CR3_LOAD: u32 = 1 << 15;
export const PROC_CR3_STORE: u32 = 1 << 16;
export const PROC_TPR_SHADOW: u32 = 1 << 21;
export const PROC_NMI_WINDOW: u32 = 1 << 22;
export const PROC_MOV_DR: u32 = 1 << 23;
export const PROC_UNCOND_IO: u32 = 1 << 24;
export const PROC_IO_BITMAPS: u32 = 1 << 25;
export const PROC_MSR_BITMAPS: u32 = 1 << 28;
export const PROC_MONITOR: u32 = 1 << 29;
export const PROC_PAUSE: u32 = 1 << 30;
export const EXIT_ACK_INTR: u32 = 1 << 15;
export const EXIT_SAVE_PREEMPT: u32 = 1 << 22;

// Default1 classes (SDM vol. 3 appendix A.2): without TRUE_* MSRs these bits
// must be 1.
const PIN_DEFAULT1: u32 = 0x00000016;
const PROC_DEFAULT1: u32 = 0x0401e172;
const EXIT_DEFAULT1: u32 = 0x00036dff;
const ENTRY_DEFAULT1: u32 = 0x000011ff;
// allowed-0 settings (bits that must be 1) in the low half, allowed-1 settings
// (bits that may be 1) in the high half of each capability MSR.
export const PIN_MUST1: u32 = PIN_DEFAULT1;
export const PIN_MAY1: u32 = PIN_DEFAULT1 | PIN_EXT_INT | PIN_NMI | PIN_VIRT_NMI | PIN_PREEMPT;
export const PROC_MUST1: u32 = PROC_DEFAULT1;
export const PROC_MAY1: u32 = PROC_DEFAULT1 | PROC_INTR_WINDOW | PROC_TSC_OFFSET | PROC_HLT | PROC_INVLPG | PROC_RDPMC
  | PROC_RDTSC | PROC_MOV_DR | PROC_UNCOND_IO | PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_MWAIT | PROC_MONITOR | PROC_PAUSE
  | PROC_TPR_SHADOW | PROC_NMI_WINDOW;
export const EXIT_MUST1: u32 = EXIT_DEFAULT1;
export const EXIT_MAY1: u32 = EXIT_DEFAULT1 | EXIT_ACK_INTR | EXIT_SAVE_PREEMPT;
/** IA32_VMX_PROCBASED_CTLS allowed-1: bit 31 ("activate secondary controls")
 *  only on a processor with secondary controls. */
export function procMay1(): u32 { return PROC_MAY1 | (hasSecondary() ? PROC_SECONDARY : 0); }
@inline export function hasSecondary(): bool { return hasFeature(FEAT_VMX_EPT | FEAT_VMX_VPID); }
/** IA32_VMX_PROCBASED_CTLS2 allowed-1 (its allowed-0 half is 0). */
export function sec2May1(): u32 {
  return (hasFeature(FEAT_VMX_EPT) ? SEC_EPT : 0) | (hasFeature(FEAT_VMX_VPID) ? SEC_VPID : 0) | (hasFeature(FEAT_VMX_UG) ? SEC_UG : 0);
}
/** VMX non-root operation with "unrestricted guest": CR0.PE and CR0.PG may be 0 (SDM vol. 3 §25.3). */
export function unrestrictedGuest(): bool { return nonRoot() && hasFeature(FEAT_VMX_UG) && (secondaryControls() & SEC_UG) != 0; }
/** The primary controls that must be 1. A processor with secondary controls
 *  has the TRUE_* capability MSRs (IA32_VMX_BASIC[55], appendix A.2), as every
 *  processor with EPT does, and lets CR3-load and CR3-store exiting be 0 (they
 *  are of no use with EPT: Linux's kvm_intel clears them then). Its other
 *  default1 bits stay 1 (the TRUE_* MSRs report them so). */
export function procMust1(): u32 { return hasSecondary() ? PROC_MUST1 & ~(PROC_CR3_LOAD | PROC_CR3_STORE) : PROC_MUST1; }
export const ENTRY_MUST1: u32 = ENTRY_DEFAULT1;
export const ENTRY_MAY1: u32 = ENTRY_DEFAULT1;

// CR0/CR4 in VMX operation (appendix A.7, A.8): PE, NE and PG must be 1, and
// only the bits the model has may be 1; CR4.VMXE must be 1.
export const CR0_FIXED0: u32 = CR0_PE | CR0_NE | CR0_PG;
export const CR0_FIXED1: u32 = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;
export const CR4_FIXED0: u32 = CR4_VMXE;
export function cr4Fixed1(): u32 { return cr4Supported() | CR4_VMXE; }
/** Activity states besides active (0): HLT (1) only (IA32_VMX_MISC[6]). Not
 *  shutdown (bit 7) nor wait-for-SIPI (bit 8): with one CPU, the bootstrap
 *  processor, no SIPI ever comes (exec.ts INIT). */
export const ACTIVITY_HLT: u32 = 1;
export const CR3_TARGETS: u32 = 4;
/** The VMX-preemption timer counts down by 1 each time TSC bit PREEMPT_RATE
 *  changes (IA32_VMX_MISC[4:0], SDM vol. 3 §25.5.1): every 32 TSC cycles, 32 ns
 *  of virtual time (the TSC runs at 1 GHz, clock.ts). */
export const PREEMPT_RATE: u32 = 5;

// --- MSRs (SDM vol. 4 table 2-2; vol. 3 appendix A) ---
const MSR_FEATURE_CONTROL: u32 = 0x3a;
const FC_LOCK: u32 = 1 << 0;
const FC_VMX_SMX: u32 = 1 << 1;      // reserved here: no SMX (#GP to set it)
const FC_VMX_OUTSIDE: u32 = 1 << 2;
const MSR_VMX_BASIC: u32 = 0x480;
// 48BH-490H (PROCBASED_CTLS2, EPT_VPID_CAP, the TRUE_* controls) only with secondary controls.
const MSR_VMX_LAST: u32 = 0x490;
// IA32_VMX_EPT_VPID_CAP (appendix A.10). EPT: page-walk length 4 (bit 6), EPTP
// memory types UC (8) and WB (14), 2-MByte (16) and 1-GByte (17) pages,
// INVEPT (20) with single-context (25) and all-context (26) types, accessed
// and dirty flags (21, mmu/ept.ts); no execute-only translations (0). VPID
// (high half): INVVPID (32) with the individual-address (40), single-context
// (41), all-context (42) and single-context-retaining-globals (43) types.
const EPT_CAP_LO: u32 = (1 << 6) | (1 << 8) | (1 << 14) | (1 << 16) | (1 << 17) | (1 << 20) | (1 << 21) | (1 << 25) | (1 << 26);
const VPID_CAP_HI: u32 = (1 << 0) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11);
// IA32_VMX_BASIC high half: region size, bit 48 (32-bit addresses), memory type
// WB (6) in bits 53:50. Bit 54 (INS/OUTS instruction information) is 0; bit 55
// (TRUE_* MSRs) is 1 with secondary controls only.
const BASIC_HI: u32 = VMCS_SIZE | (1 << 16) | (6 << 18);
const BASIC_TRUE_CTLS: u32 = 1 << 23; // bit 55: the TRUE_* MSRs exist (with secondary controls)
// IA32_VMX_MISC: the preemption timer's rate (bits 4:0), activity state HLT
// (bit 6), 4 CR3-target values (bits 24:16), MSR lists of up to 512 entries
// (bits 27:25 = 0).
const MISC_LO: u32 = PREEMPT_RATE | (1 << 6) | (CR3_TARGETS << 16);

/** RDMSR of a VMX MSR: true with the value in EDX:EAX, false when `msr` is not
 *  one (system.ts goes on), and a #GP(0) when VMX is absent. */
export function vmxRdmsr(msr: u32): bool {
  if (msr != MSR_FEATURE_CONTROL && (msr < MSR_VMX_BASIC || msr > MSR_VMX_LAST)) return false;
  if (!hasFeature(FEAT_VMX) || (msr >= 0x48b && !hasSecondary())) { raiseGP(0); return true; }
  let lo: u32 = 0, hi: u32 = 0;
  switch (msr) {
    case MSR_FEATURE_CONTROL: lo = load<u32>(OFF_FEATURE_CONTROL); break;
    case MSR_VMX_BASIC: lo = VMCS_REVISION; hi = BASIC_HI | (hasSecondary() ? BASIC_TRUE_CTLS : 0); break;
    case 0x48d: lo = PIN_MUST1; hi = PIN_MAY1; break;
    case 0x48e: lo = procMust1(); hi = procMay1(); break;
    case 0x48f: lo = EXIT_MUST1; hi = EXIT_MAY1; break;
    case 0x490: lo = ENTRY_MUST1; hi = ENTRY_MAY1; break;
    case 0x481: lo = PIN_MUST1; hi = PIN_MAY1; break;
    case 0x482: lo = PROC_MUST1; hi = procMay1(); break;
    case 0x483: lo = EXIT_MUST1; hi = EXIT_MAY1; break;
    case 0x484: lo = ENTRY_MUST1; hi = ENTRY_MAY1; break;
    // Bit 5: VM exits store IA32_EFER.LMA in the "IA-32e mode guest" control,
    // which every processor with unrestricted guest reports (appendix A.6);
    // here LMA is always 0 and so is that control.
    case 0x485: lo = MISC_LO | (hasFeature(FEAT_VMX_UG) ? 1 << 5 : 0); break;
    case 0x486: lo = CR0_FIXED0; break;
    case 0x487: lo = CR0_FIXED1; break;
    case 0x488: lo = CR4_FIXED0; break;
    case 0x489: lo = cr4Fixed1(); break;
    case 0x48a: lo = VMCS_MAX_INDEX << 1; break;
    case 0x48b: hi = sec2May1(); break;
    case 0x48c:
      lo = hasFeature(FEAT_VMX_EPT) ? EPT_CAP_LO : 0;
      hi = hasFeature(FEAT_VMX_VPID) ? VPID_CAP_HI : 0;
      break;
  }
  setReg32(R_EAX, lo);
  setReg32(R_EDX, hi);
  return true;
}

/** WRMSR of a VMX MSR: true when handled (possibly with #GP(0)), false when
 *  `msr` is not one. IA32_FEATURE_CONTROL: lock (bit 0) and VMX outside SMX
 *  (bit 2); any write once locked, and any other bit, is #GP(0). The
 *  capability MSRs are read-only. */
export function vmxWrmsr(msr: u32, lo: u32, hi: u32): bool {
  if (msr != MSR_FEATURE_CONTROL && (msr < MSR_VMX_BASIC || msr > MSR_VMX_LAST)) return false;
  if (msr != MSR_FEATURE_CONTROL || !hasFeature(FEAT_VMX)) { raiseGP(0); return true; }
  if ((load<u32>(OFF_FEATURE_CONTROL) & FC_LOCK) || hi != 0 || (lo & ~(FC_LOCK | FC_VMX_OUTSIDE))) { raiseGP(0); return true; }
  store<u64>(OFF_FEATURE_CONTROL, <u64>lo);
  return true;
}

/** CR4 bits MOV CR4 accepts: VMXE with VMX. */
@inline export function cr4VmxBits(): u32 { return hasFeature(FEAT_VMX) ? CR4_VMXE : 0; }

// --- VMX operation state ---
@inline export function vmxMode(): u32 { return load<u32>(OFF_VMX_MODE); }
@inline export function inVmx(): bool { return (load<u32>(OFF_VMX_MODE) & VMX_ON) != 0; }
@inline export function nonRoot(): bool { return (load<u32>(OFF_VMX_MODE) & VMX_NONROOT) != 0; }
const NO_VMCS: u64 = 0xffffffffffffffff;
@inline export function vmcsValid(): bool { return load<u64>(OFF_VMCS_PTR) != NO_VMCS; }

/** In VMX operation CR0 and CR4 keep their fixed bits (SDM vol. 3 §23.8): a MOV
 *  that would clear one of them is #GP(0) (the callers raise it). */
export function vmxCr0Ok(v: u32): bool {
  if (!inVmx()) return true;
  let fixed0 = unrestrictedGuest() ? CR0_FIXED0 & ~(CR0_PE | CR0_PG) : CR0_FIXED0;
  return (v & fixed0) == fixed0 && (v & ~CR0_FIXED1) == 0;
}
export function vmxCr4Ok(v: u32): bool { return !inVmx() || ((v & CR4_FIXED0) == CR4_FIXED0 && (v & ~cr4Fixed1()) == 0); }

// --- conventions (SDM vol. 3 §31.2) ---
export function vmSucceed(): void { setArithFlags(ARITH_FLAGS, 0); }
export function vmFailInvalid(): void { setArithFlags(ARITH_FLAGS, CF); }
export function vmFailValid(err: u32): void {
  setArithFlags(ARITH_FLAGS, ZF);
  vmwrite(VM_INSTR_ERROR, err);
}
export function vmFail(err: u32): void { if (vmcsValid()) vmFailValid(err); else vmFailInvalid(); }

// VM-instruction error numbers (SDM vol. 3 §31.4, table 31-1).
export const ERR_VMCALL_ROOT: u32 = 1;
export const ERR_VMCLEAR_ADDR: u32 = 2;
export const ERR_VMCLEAR_VMXON: u32 = 3;
export const ERR_VMLAUNCH_NOT_CLEAR: u32 = 4;
export const ERR_VMRESUME_NOT_LAUNCHED: u32 = 5;
export const ERR_ENTRY_CONTROLS: u32 = 7;
export const ERR_ENTRY_HOST: u32 = 8;
export const ERR_VMPTRLD_ADDR: u32 = 9;
export const ERR_VMPTRLD_VMXON: u32 = 10;
export const ERR_VMPTRLD_REVISION: u32 = 11;
export const ERR_UNSUPPORTED_FIELD: u32 = 12;
export const ERR_READ_ONLY_FIELD: u32 = 13;
export const ERR_VMXON_ROOT: u32 = 15;
export const ERR_ENTRY_MOV_SS: u32 = 26;
export const ERR_INVEPT_INVVPID: u32 = 28;

// Exit reasons of the VMX instructions (SDM vol. 3 appendix C).
const EXIT_VMCALL: u32 = 18;
const EXIT_VMCLEAR: u32 = 19;
const EXIT_VMLAUNCH: u32 = 20;
const EXIT_VMPTRLD: u32 = 21;
const EXIT_VMPTRST: u32 = 22;
const EXIT_VMREAD: u32 = 23;
const EXIT_VMRESUME: u32 = 24;
const EXIT_VMWRITE: u32 = 25;
const EXIT_VMXOFF: u32 = 26;
const EXIT_VMXON: u32 = 27;
const EXIT_INVEPT: u32 = 50;
const EXIT_INVVPID: u32 = 53;

/** The checks that open every VMX instruction but VMXON and VMCALL (SDM vol. 3
 *  ch. 31 pseudocode): #UD outside VMX operation, in real or virtual-8086 mode;
 *  a VM exit in VMX non-root operation; #GP(0) at CPL > 0. True: go on. */
function vmxCommon(reason: u32): bool {
  if (!inVmx() || !(cr0() & CR0_PE) || (load<u32>(OFF_EFLAGS) & VM)) { raiseUD(); return false; }
  if (nonRoot()) { vmxInstrExit(reason, true); return false; }
  if (getCpl() != 0) { raiseGP(0); return false; }
  return true;
}

/** A VMXON/VMCLEAR/VMPTRLD operand: a physical address, 4 KiB aligned, below
 *  4 GiB (IA32_VMX_BASIC[48]). -1 when it is not such an address. */
function regionAddress(lo: u32, hi: u32): i64 {
  if (hi != 0 || (lo & 0xfff) != 0) return -1;
  return <i64>lo;
}

/** A region's revision identifier is this processor's (bit 31, shadow VMCS, clear). */
@inline function revisionOk(addr: u32): bool { return physRead32(addr) == VMCS_REVISION; }

/** 0F C7 /6: VMPTRLD, or with 66 VMCLEAR, with F3 VMXON (the opcode map has
 *  one entry for the three: CMPXCHG8B keeps prefixes off 0F C7). */
export function vmptrld_Mq(): void {
  let p = mandatoryPrefix();
  if (p == 0xf3) vmxon_Mq();
  else if (p == 0x66) vmclear_Mq();
  else if (p == 0) vmptrldOnly();
  else raiseUD();
}

/** VMXON m64 (SDM vol. 2 VMXON). */
function vmxon_Mq(): void {
  if (isRegForm() || !(cr0() & CR0_PE) || !(cr4() & CR4_VMXE) || (load<u32>(OFF_EFLAGS) & VM)) { raiseUD(); return; }
  if (!inVmx()) {
    let fc = load<u32>(OFF_FEATURE_CONTROL);
    if (getCpl() != 0 || load<u32>(OFF_A20) == 0 || !vmxCr0Fits(cr0()) || !vmxCr4Fits(cr4())
      || !(fc & FC_LOCK) || !(fc & FC_VMX_OUTSIDE)) { raiseGP(0); return; }
    let lo = readM32(0), hi = readM32(4);
    if (faultPending) return;
    let a = regionAddress(lo, hi);
    if (a < 0 || !revisionOk(<u32>a)) { vmFailInvalid(); return; }
    store<u64>(OFF_VMXON_PTR, <u64>a);
    store<u64>(OFF_VMCS_PTR, NO_VMCS);
    store<u32>(OFF_VMX_MODE, VMX_ON);
    vmSucceed();
    return;
  }
  if (nonRoot()) { vmxInstrExit(EXIT_VMXON, true); return; }
  if (getCpl() != 0) { raiseGP(0); return; }
  vmFail(ERR_VMXON_ROOT);
}
@inline function vmxCr0Fits(v: u32): bool { return (v & CR0_FIXED0) == CR0_FIXED0 && (v & ~CR0_FIXED1) == 0; }
@inline function vmxCr4Fits(v: u32): bool { return (v & CR4_FIXED0) == CR4_FIXED0 && (v & ~cr4Fixed1()) == 0; }

/** VMXOFF (0F 01 C4). */
export function vmxoff(): void {
  if (!vmxCommon(EXIT_VMXOFF)) return;
  store<u32>(OFF_VMX_MODE, 0);
  vmSucceed();
  needAttention(); // INIT is no longer blocked: one held since VMXON is taken now (exec.ts)
}

/** VMCLEAR m64: the VMCS's launch state becomes clear; if it is the current
 *  VMCS, there is no current VMCS any more. */
function vmclear_Mq(): void {
  if (isRegForm()) { raiseUD(); return; }
  if (!vmxCommon(EXIT_VMCLEAR)) return;
  let lo = readM32(0), hi = readM32(4);
  if (faultPending) return;
  let a = regionAddress(lo, hi);
  if (a < 0) { vmFail(ERR_VMCLEAR_ADDR); return; }
  if (<u64>a == load<u64>(OFF_VMXON_PTR)) { vmFail(ERR_VMCLEAR_VMXON); return; }
  physWrite32(<u32>a + VMCS_LAUNCH, 0);
  if (<u64>a == load<u64>(OFF_VMCS_PTR)) store<u64>(OFF_VMCS_PTR, NO_VMCS);
  vmSucceed();
}

/** VMPTRLD m64: make the VMCS at the operand current. */
function vmptrldOnly(): void {
  if (isRegForm()) { raiseUD(); return; }
  if (!vmxCommon(EXIT_VMPTRLD)) return;
  let lo = readM32(0), hi = readM32(4);
  if (faultPending) return;
  let a = regionAddress(lo, hi);
  if (a < 0) { vmFail(ERR_VMPTRLD_ADDR); return; }
  if (<u64>a == load<u64>(OFF_VMXON_PTR)) { vmFail(ERR_VMPTRLD_VMXON); return; }
  if (!revisionOk(<u32>a)) { vmFail(ERR_VMPTRLD_REVISION); return; }
  store<u64>(OFF_VMCS_PTR, <u64>a);
  vmSucceed();
}

/** 0F C7 /7 with no prefix: VMPTRST m64. */
export function vmptrst_Mq(): void {
  if (isRegForm() || mandatoryPrefix() != 0) { raiseUD(); return; }
  if (!vmxCommon(EXIT_VMPTRST)) return;
  let p = load<u64>(OFF_VMCS_PTR);
  writeM32(0, <u32>p);
  writeM32(4, <u32>(p >> 32));
  if (faultPending) return;
  vmSucceed();
}

/** VMREAD r/m32, r32 (0F 78): the field named by ModRM.reg into r/m. */
export function vmread_Ed_Gd(): void {
  if (!vmxCommon(EXIT_VMREAD)) return;
  if (!vmcsValid()) { vmFailInvalid(); return; }
  let off = fieldOffset(reg32((modrm >> 3) & 7));
  if (off < 0) { vmFailValid(ERR_UNSUPPORTED_FIELD); return; }
  let v = physRead32(<u32>load<u64>(OFF_VMCS_PTR) + <u32>off);
  writeE32(v);
  if (faultPending) return;
  vmSucceed();
}

/** VMWRITE r32, r/m32 (0F 79): r/m into the field named by ModRM.reg. */
export function vmwrite_Gd_Ed(): void {
  if (!vmxCommon(EXIT_VMWRITE)) return;
  // A memory operand faults after the VMCS pointer check, before the field's (SDM vol. 3 VMWRITE).
  if (!vmcsValid()) { vmFailInvalid(); return; }
  let v = readE32();
  if (faultPending) return;
  let e = reg32((modrm >> 3) & 7);
  let off = fieldOffset(e);
  if (off < 0) { vmFailValid(ERR_UNSUPPORTED_FIELD); return; }
  if (fieldReadOnly(e)) { vmFailValid(ERR_READ_ONLY_FIELD); return; }
  let a = <u32>load<u64>(OFF_VMCS_PTR) + <u32>off;
  // A 16-bit field keeps the low 16 bits; a natural or 32-bit field the 32; a
  // 64-bit field's half (full or high access) its own 32 bits.
  if (fieldWidth(e) == WIDTH_16) v &= 0xffff;
  physWrite32(a, v);
  if (fieldWidth(e) != WIDTH_64) physWrite32(a + 4, 0);
  else if ((e & 1) == 0) physWrite32(a + 4, 0); // the full access writes all 64 bits (high 32 zero here)
  vmSucceed();
}

/** VMCALL (0F 01 C1): a VM exit in non-root operation; in root operation
 *  without the dual-monitor treatment, VMfail(1) (SDM vol. 2 VMCALL). */
export function vmcall(): void {
  if (!inVmx()) { raiseUD(); return; }
  if (nonRoot()) { vmxInstrExit(EXIT_VMCALL, false); return; }
  if (load<u32>(OFF_EFLAGS) & VM) { raiseUD(); return; }
  if (getCpl() != 0) { raiseGP(0); return; }
  vmFail(ERR_VMCALL_ROOT);
}

/** VMLAUNCH (0F 01 C2) and VMRESUME (0F 01 C3) up to the VM entry's checks. */
function vmLaunchResume(resume: bool): void {
  if (!vmxCommon(resume ? EXIT_VMRESUME : EXIT_VMLAUNCH)) return;
  if (!vmcsValid()) { vmFailInvalid(); return; }
  // Blocking by MOV SS (state.ts OFF_INHIBIT_IRQ bits 1:0 = 2; STI's shadow is 1).
  if ((load<u32>(OFF_INHIBIT_IRQ) & 3) == 2) { vmFailValid(ERR_ENTRY_MOV_SS); return; }
  let launched = physRead32(<u32>load<u64>(OFF_VMCS_PTR) + VMCS_LAUNCH) != 0;
  if (!resume && launched) { vmFailValid(ERR_VMLAUNCH_NOT_CLEAR); return; }
  if (resume && !launched) { vmFailValid(ERR_VMRESUME_NOT_LAUNCHED); return; }
  vmEntry(resume);
}

/** 0F 01 with a register operand (mod = 3) and reg = 0: VMCALL (C1), VMLAUNCH
 *  (C2), VMRESUME (C3), VMXOFF (C4); anything else #UD. SGDT's register form
 *  (descriptors.ts) comes here. */
export function vmxGroup0F01(): void {
  switch (modrm) {
    case 0xc1: vmcall(); return;
    case 0xc2: vmLaunchResume(false); return;
    case 0xc3: vmLaunchResume(true); return;
    case 0xc4: vmxoff(); return;
    default: raiseUD();
  }
}

/** 0F 38 (the three-byte opcode page): with 66, 80 /r INVEPT and 81 /r
 *  INVVPID; everything else on the page is #UD on these models (no SSSE3). */
export function op0F38(): void {
  let op = fetch8();
  if ((op == 0x80 || op == 0x81) && mandatoryPrefix() == 0x66) {
    decodeModrm();
    if (op == 0x80) invept(); else invvpid();
    return;
  }
  raiseUD();
}

/** INVEPT r32, m128 (SDM vol. 3 ch. 31, INVEPT): type 1 (single-context: the
 *  descriptor's EPTP must be one VM entry would take) or 2 (global). The TLB
 *  holds combined translations only, and all of them go. */
function invept(): void {
  if (!hasFeature(FEAT_VMX_EPT) || isRegForm()) { raiseUD(); return; }
  if (!vmxCommon(EXIT_INVEPT)) return;
  let type = reg32((modrm >> 3) & 7);
  if (type != 1 && type != 2) { vmFail(ERR_INVEPT_INVVPID); return; }
  let lo = readM32(0), hi = readM32(4);
  readM32(8); readM32(12); // the reserved half is read, not checked (the SDM's operation checks none)
  if (faultPending) return;
  if (type == 1 && !eptpValid(<u64>lo | (<u64>hi << 32))) { vmFail(ERR_INVEPT_INVVPID); return; }
  tlbFlush(false);
  vmSucceed();
}

/** INVVPID r32, m128 (SDM vol. 3 ch. 31, INVVPID): types 0 (individual
 *  address), 1 (single context), 2 (all contexts), 3 (single context retaining
 *  globals); descriptor bits 63:16 must be 0, and the VPID not 0 but for type 2.
 *  Every address is canonical on a 32-bit processor. */
function invvpid(): void {
  if (!hasFeature(FEAT_VMX_VPID) || isRegForm()) { raiseUD(); return; }
  if (!vmxCommon(EXIT_INVVPID)) return;
  let type = reg32((modrm >> 3) & 7);
  if (type > 3) { vmFail(ERR_INVEPT_INVVPID); return; }
  let lo = readM32(0), hi = readM32(4);
  readM32(8); readM32(12);
  if (faultPending) return;
  if ((lo >>> 16) != 0 || hi != 0 || (type != 2 && (lo & 0xffff) == 0)) { vmFail(ERR_INVEPT_INVVPID); return; }
  tlbFlush(false);
  vmSucceed();
}
