// VM entry (SDM vol. 3 ch. 26): the checks of the VMX controls and the host
// state (a failure is VMfailValid 7 or 8, the instruction completes in root
// operation), the checks of the guest state (a failure is a VM exit with reason
// 33 or 34 and bit 31 set, after which the host state is loaded), loading the
// guest state, the entry MSR-load list, and event injection (§26.6).
// Processor without Intel 64: the checks for it are the ones that say "must be
// 0" here, through the capability MSRs (vmx.ts). EPT, VPID and unrestricted
// guest exist with -cpu ...,+vmx-ept,+vmx-vpid,+vmx-unrestricted-guest.

import {
  OFF_EFLAGS, OFF_CR0, OFF_CR3, OFF_CR4, OFF_DR, OFF_HALTED, OFF_INHIBIT_IRQ, OFF_NMI, NMI_BLOCKED, OFF_CPL,
  OFF_SYSENTER_CS, OFF_SYSENTER_ESP, OFF_SYSENTER_EIP, OFF_GDTR_BASE, OFF_GDTR_LIMIT, OFF_IDTR_BASE, OFF_IDTR_LIMIT,
  OFF_VMX_MODE, VMX_ON, VMX_NONROOT, VMX_EPT, VMX_EPT_AD, OFF_VMCS_PTR, OFF_VMX_EVENTS, VMXE_VNMI_BLOCKED,
  S_CS, S_SS, S_LDTR, S_TR, R_ESP, VM, IF, TF, CR0_ET, CR0_PG, CR0_PE, CR4_PAE, OFF_PDPTE,
  setEip, getEip, setReg32, needAttention,
} from "./state";
import { faultPending, clearFault } from "./fault";
import { recordEvent, EV_VMENTRY, EV_VMEXIT } from "./events";
import { setEflagsRaw } from "./idt";
import { setSegmentCache, cplChanged, csChanged, refreshSegmentRanges } from "./segments";
import { tlbFlush, loadPdptes, pdpteBad } from "../mmu/paging";
import { physRead32, physWrite32 } from "../mmu/phys";
import { debugRegsChanged, DR7_WRITABLE, DR7_FIXED1 } from "./debug";
import { markSoftInt, deliverException, deliverEvent, endStretch } from "./exec";
import { INT_EXT, INT_SOFT, INT_EXC, INT_SOFT_EXC, INT_ICEBP } from "./interrupts";
import * as F from "./vmxfields";
import { vmread, vmwrite, VMCS_REVISION, VMCS_LAUNCH } from "./vmxfields";
import {
  PIN_MUST1, PIN_MAY1, procMust1, procMay1, sec2May1, EXIT_MUST1, EXIT_MAY1, ENTRY_MUST1, ENTRY_MAY1,
  PROC_IO_BITMAPS, PROC_MSR_BITMAPS, CR0_FIXED0, CR0_FIXED1, CR4_FIXED0, cr4Fixed1, CR3_TARGETS, ACTIVITY_HLT,
  PIN_NMI, PIN_VIRT_NMI, PIN_PREEMPT, PROC_NMI_WINDOW, PROC_TPR_SHADOW, EXIT_SAVE_PREEMPT,
  vmFailValid, ERR_ENTRY_CONTROLS, ERR_ENTRY_HOST,
} from "./vmx";
import { PROC_SECONDARY, SEC_EPT, SEC_VPID, SEC_UG, EPTP_AD, eptpValid, secondaryControls } from "../mmu/ept";
import { loadHost, loadMsrs, EXIT_BAD_GUEST, EXIT_MSR_LOAD_FAIL, EXIT_ENTRY_FAIL, MSR_LIST_MAX, skipNextExceptionExit, vmxTimerStart } from "./vmxexit";

@inline function fits(v: u32, must1: u32, may1: u32): bool { return (v & must1) == must1 && (v & ~may1) == 0; }
/** A 64-bit address field: 4 KiB aligned (or 16-byte for MSR lists) and below
 *  4 GiB (IA32_VMX_BASIC[48]). */
@inline function addrOk(field: u32, align: u32): bool {
  return physRead32(<u32>load<u64>(OFF_VMCS_PTR) + <u32>F.fieldOffset(field + 1)) == 0 && (vmread(field) & (align - 1)) == 0;
}

/** The injection's interruption types (SDM vol. 3 table 24-15). */
const T_EXT: u32 = 0, T_NMI: u32 = 2, T_HW: u32 = 3, T_SW_INT: u32 = 4, T_PRIV_SW: u32 = 5, T_SW_EXC: u32 = 6;
/** Exceptions that push an error code (SDM vol. 3 §26.2.1.3). */
@inline function pushesError(v: u32): bool { return v == 8 || (v >= 10 && v <= 14) || v == 17; }

/** The EPT bits of OFF_VMX_MODE for the controls just entered with: EPT, and
 *  its accessed and dirty flags when the EPTP's bit 6 asks for them (§28.3.5). */
function eptMode(): u32 {
  if (!(secondaryControls() & SEC_EPT)) return 0;
  return VMX_EPT | ((<u32>F.vmread64(F.EPT_POINTER) & EPTP_AD) ? VMX_EPT_AD : 0);
}

/** SDM vol. 3 §26.2.1: the VM-execution, VM-exit and VM-entry control fields. */
function controlsOk(): bool {
  let pin = vmread(F.PIN_CTLS);
  if (!fits(pin, PIN_MUST1, PIN_MAY1)) return false;
  let pc = vmread(F.PROC_CTLS);
  if (!fits(pc, procMust1(), procMay1())) return false;
  // The secondary controls, when activated (§26.2.1.1): only the bits
  // IA32_VMX_PROCBASED_CTLS2 allows; a valid EPT pointer with "enable EPT", a
  // VPID other than 0 with "enable VPID".
  if (pc & PROC_SECONDARY) {
    let sc = vmread(F.PROC_CTLS2);
    if (sc & ~sec2May1()) return false;
    if ((sc & SEC_EPT) && !eptpValid(F.vmread64(F.EPT_POINTER))) return false;
    if ((sc & SEC_VPID) && vmread(F.VPID) == 0) return false;
    if ((sc & SEC_UG) && !(sc & SEC_EPT)) return false;
  }
  let xc = vmread(F.EXIT_CTLS);
  if (!fits(xc, EXIT_MUST1, EXIT_MAY1)) return false;
  // Virtual NMIs need NMI exiting, NMI-window exiting virtual NMIs (§26.2.1.1);
  // saving the preemption timer needs the timer (§26.2.1.2).
  if ((pin & PIN_VIRT_NMI) && !(pin & PIN_NMI)) return false;
  if ((pc & PROC_NMI_WINDOW) && !(pin & PIN_VIRT_NMI)) return false;
  if ((xc & EXIT_SAVE_PREEMPT) && !(pin & PIN_PREEMPT)) return false;
  if ((pc & PROC_TPR_SHADOW) && !tprShadowOk()) return false;
  if (!fits(vmread(F.ENTRY_CTLS), ENTRY_MUST1, ENTRY_MAY1)) return false;
  if (vmread(F.CR3_TARGET_COUNT) > CR3_TARGETS) return false;
  if ((pc & PROC_IO_BITMAPS) && (!addrOk(F.IO_BITMAP_A, 4096) || !addrOk(F.IO_BITMAP_B, 4096))) return false;
  if ((pc & PROC_MSR_BITMAPS) && !addrOk(F.MSR_BITMAP, 4096)) return false;
  if (vmread(F.EXIT_MSR_STORE_COUNT) != 0 && !addrOk(F.EXIT_MSR_STORE_ADDR, 16)) return false;
  if (vmread(F.EXIT_MSR_LOAD_COUNT) != 0 && !addrOk(F.EXIT_MSR_LOAD_ADDR, 16)) return false;
  if (vmread(F.ENTRY_MSR_LOAD_COUNT) != 0 && !addrOk(F.ENTRY_MSR_LOAD_ADDR, 16)) return false;
  let ii = vmread(F.ENTRY_INTR_INFO);
  if (ii & (1 << 31)) {
    let type = (ii >> 8) & 7, vec = ii & 0xff;
    if (type == 1 || type == 7) return false;
    if (type == T_NMI && vec != 2) return false;
    if (type == T_HW && vec > 31) return false;
    // A real-mode guest (unrestricted guest, CR0.PE = 0) takes no error code (§26.2.1.3).
    let realGuest = (secondaryControls() & SEC_UG) != 0 && (vmread(F.GUEST_CR0) & CR0_PE) == 0;
    let errExpected = type == T_HW && pushesError(vec) && !realGuest;
    if (((ii & (1 << 11)) != 0) != errExpected) return false;
    if (ii & 0x7ffff000) return false;
    if ((ii & (1 << 11)) && (vmread(F.ENTRY_EXC_ERROR) & 0xffff0000)) return false;
    if (type >= T_SW_INT && type <= T_SW_EXC) {
      let len = vmread(F.ENTRY_INSTR_LEN);
      if (len < 1 || len > 15) return false;
    }
  }
  return true;
}

/** "Use TPR shadow" (§26.2.1.1): the virtual-APIC page 4 KiB aligned below 4
 *  GiB, TPR threshold bits 31:4 zero, and, "virtualize APIC accesses" being 0
 *  (there are no secondary controls), threshold bits 3:0 not above VTPR bits
 *  7:4 (byte 80H of the page). So the "TPR below threshold" exit that §26.7.7
 *  has follow such an entry (only with "virtualize APIC accesses") cannot happen
 *  here; bytes 3:1 of VTPR, which the entry may clear, are left alone. */
const VTPR: u32 = 0x80; // the virtual TPR's offset in the virtual-APIC page (SDM vol. 3 §29.1.1)
function tprShadowOk(): bool {
  if (!addrOk(F.VIRTUAL_APIC_ADDR, 4096)) return false;
  let th = vmread(F.TPR_THRESHOLD);
  if (th & 0xfffffff0) return false;
  let vtpr = physRead32(vmread(F.VIRTUAL_APIC_ADDR) + VTPR) & 0xff;
  return th <= (vtpr >> 4);
}

/** SDM vol. 3 §26.2.2-26.2.3: the host-state area (a 32-bit host). */
function hostOk(): bool {
  let c0 = vmread(F.HOST_CR0), c4 = vmread(F.HOST_CR4);
  if ((c0 & CR0_FIXED0) != CR0_FIXED0 || (c0 & ~CR0_FIXED1) != 0) return false;
  if ((c4 & CR4_FIXED0) != CR4_FIXED0 || (c4 & ~cr4Fixed1()) != 0) return false;
  for (let f = F.HOST_ES_SEL; f <= F.HOST_TR_SEL; f += 2) if (vmread(f) & 7) return false;
  if (vmread(F.HOST_CS_SEL) == 0 || vmread(F.HOST_TR_SEL) == 0 || vmread(F.HOST_SS_SEL) == 0) return false;
  return true;
}

// Access-rights bits (SDM vol. 3 table 24-2).
const AR_TYPE: u32 = 0xf, AR_S: u32 = 1 << 4, AR_P: u32 = 1 << 7, AR_G: u32 = 1 << 15, AR_UNUSABLE: u32 = 1 << 16;
const AR_RESERVED: u32 = 0xfffe0f00; // bits 11:8 and 31:17
@inline function dplOf(ar: u32): u32 { return (ar >> 5) & 3; }
@inline function seg(field: u32, s: i32): u32 { return vmread(field + (<u32>s << 1)); }
/** Limit and granularity agree (G = 0 if any of limit bits 11:0 is 0, G = 1 if
 *  any of bits 31:20 is 1), reserved bits are 0. */
function arLimitOk(ar: u32, limit: u32): bool {
  if (ar & AR_RESERVED) return false;
  if ((limit & 0xfff) != 0xfff && (ar & AR_G)) return false;
  if ((limit & 0xfff00000) && !(ar & AR_G)) return false;
  return true;
}

/** SDM vol. 3 §26.3.1: the guest-state area. */
function guestOk(): bool {
  let c0 = vmread(F.GUEST_CR0), c4 = vmread(F.GUEST_CR4);
  // With "unrestricted guest", PE and PG may be 0, but not PG without PE (§26.3.1.1).
  let ug = (secondaryControls() & SEC_UG) != 0;
  let fixed0 = ug ? CR0_FIXED0 & ~(CR0_PE | CR0_PG) : CR0_FIXED0;
  if ((c0 & fixed0) != fixed0 || (c0 & ~CR0_FIXED1) != 0) return false;
  if ((c0 & CR0_PG) && !(c0 & CR0_PE)) return false;
  let real = !(c0 & CR0_PE);
  if ((c4 & CR4_FIXED0) != CR4_FIXED0 || (c4 & ~cr4Fixed1()) != 0) return false;
  if (physRead32(<u32>load<u64>(OFF_VMCS_PTR) + <u32>F.fieldOffset(F.GUEST_DEBUGCTL)) != 0) return false; // no DEBUGCTL bits exist here
  let fl = vmread(F.GUEST_RFLAGS);
  if ((fl & 0xffc08028) != 0 || (fl & 2) == 0) return false; // reserved 31:22, 15, 5, 3; bit 1 set
  let v86 = (fl & VM) != 0;
  if (v86 && real) return false; // VM must be 0 when CR0.PE is 0 (§26.3.1.4)
  let csSel = seg(F.GUEST_ES_SEL, S_CS), ssSel = seg(F.GUEST_ES_SEL, S_SS);
  if (seg(F.GUEST_ES_SEL, S_TR) & 4) return false;
  let ldtrAr = seg(F.GUEST_ES_AR, S_LDTR);
  if (!(ldtrAr & AR_UNUSABLE) && (seg(F.GUEST_ES_SEL, S_LDTR) & 4)) return false;
  if (v86) {
    // Virtual-8086 guest: base = selector << 4, limit FFFFH, AR F3H (§26.3.1.2).
    for (let s: i32 = 0; s < 6; s++) {
      let sel = seg(F.GUEST_ES_SEL, s);
      if (seg(F.GUEST_ES_BASE, s) != sel << 4 || seg(F.GUEST_ES_LIMIT, s) != 0xffff || seg(F.GUEST_ES_AR, s) != 0xf3) return false;
    }
  } else {
    // Unrestricted guest (§26.3.1.2): no RPL checks, CS may also be an
    // accessed read/write data segment (type 3) with DPL 0, and SS's DPL is 0
    // when CS is of type 3 or CR0.PE is 0.
    if (!ug && (ssSel & 3) != (csSel & 3)) return false;
    let csAr = seg(F.GUEST_ES_AR, S_CS), ssAr = seg(F.GUEST_ES_AR, S_SS);
    let csType = csAr & AR_TYPE;
    if (csType != 9 && csType != 11 && csType != 13 && csType != 15 && !(ug && csType == 3)) return false;
    if (!(csAr & AR_S) || !(csAr & AR_P) || (csAr & AR_UNUSABLE)) return false;
    if (csType == 3) { if (dplOf(csAr) != 0) return false; }
    else if (csType <= 11 ? dplOf(csAr) != dplOf(ssAr) : dplOf(csAr) > dplOf(ssAr)) return false;
    if ((csType == 3 || real) && dplOf(ssAr) != 0) return false;
    if (!arLimitOk(csAr, seg(F.GUEST_ES_LIMIT, S_CS))) return false;
    if (!(ssAr & AR_UNUSABLE)) {
      let t = ssAr & AR_TYPE;
      if ((t != 3 && t != 7) || !(ssAr & AR_S) || !(ssAr & AR_P)) return false;
      if (!arLimitOk(ssAr, seg(F.GUEST_ES_LIMIT, S_SS))) return false;
    }
    if (!ug && dplOf(ssAr) != (ssSel & 3)) return false;
    for (let s: i32 = 0; s < 6; s++) {
      if (s == S_CS || s == S_SS) continue;
      let ar = seg(F.GUEST_ES_AR, s);
      if (ar & AR_UNUSABLE) continue;
      let t = ar & AR_TYPE;
      if (!(t & 1) || ((t & 8) && !(t & 2))) return false;
      if (!(ar & AR_S) || !(ar & AR_P)) return false;
      if (!ug && t <= 11 && dplOf(ar) < (seg(F.GUEST_ES_SEL, s) & 3)) return false;
      if (!arLimitOk(ar, seg(F.GUEST_ES_LIMIT, s))) return false;
    }
  }
  let trAr = seg(F.GUEST_ES_AR, S_TR);
  let trType = trAr & AR_TYPE;
  if ((trType != 3 && trType != 11) || (trAr & AR_S) || !(trAr & AR_P) || (trAr & AR_UNUSABLE)) return false;
  if (!arLimitOk(trAr, seg(F.GUEST_ES_LIMIT, S_TR))) return false;
  if (!(ldtrAr & AR_UNUSABLE)) {
    if ((ldtrAr & AR_TYPE) != 2 || (ldtrAr & AR_S) || !(ldtrAr & AR_P)) return false;
    if (!arLimitOk(ldtrAr, seg(F.GUEST_ES_LIMIT, S_LDTR))) return false;
  }
  if ((vmread(F.GUEST_GDTR_LIMIT) | vmread(F.GUEST_IDTR_LIMIT)) & 0xffff0000) return false;
  // Non-register state (§26.3.1.5).
  let act = vmread(F.GUEST_ACTIVITY);
  if (act != 0 && act != ACTIVITY_HLT) return false;
  if (act == ACTIVITY_HLT && dplOf(seg(F.GUEST_ES_AR, S_SS)) != 0) return false;
  let ib = vmread(F.GUEST_INTERRUPTIBILITY);
  if ((ib & 0xfffffff0) || (ib & 3) == 3 || (ib & 4)) return false;
  if ((ib & 1) && !(fl & IF)) return false;
  if ((ib & 3) && act != 0) return false; // blocking by STI or MOV SS: the active state only
  let ii = vmread(F.ENTRY_INTR_INFO);
  if (ii & (1 << 31)) {
    let type = (ii >> 8) & 7, vec = ii & 0xff;
    if (type == T_EXT && ((ib & 3) || !(fl & IF))) return false;
    if (type == T_NMI && (ib & 2)) return false;
    if (type == T_NMI && (ib & 8) && (vmread(F.PIN_CTLS) & PIN_VIRT_NMI)) return false;
    // Into the HLT state: only external interrupts, NMIs, #DB and #MC (type 7 does not exist here).
    if (act == ACTIVITY_HLT && type != T_EXT && type != T_NMI && !(type == T_HW && (vec == 1 || vec == 18))) return false;
  }
  let pd = vmread(F.GUEST_PENDING_DBG);
  if (pd & 0xffffaff0) return false; // reserved bits 31:15 (but 14, BS), 13, 11:4
  if (((ib & 3) || act == ACTIVITY_HLT) && (((pd >> 14) & 1) != ((fl & TF) ? 1 : 0))) return false;
  return true;
}

/** The VMCS link pointer (§26.3.1.5): all ones, or a VMCS of this revision.
 *  False: VM-entry failure with qualification 4. */
function linkOk(): bool {
  let lo = vmread(F.VMCS_LINK_PTR), hi = physRead32(<u32>load<u64>(OFF_VMCS_PTR) + <u32>F.fieldOffset(F.VMCS_LINK_PTR + 1));
  if (lo == 0xffffffff && hi == 0xffffffff) return true;
  return hi == 0 && (lo & 0xfff) == 0 && physRead32(lo) == VMCS_REVISION;
}

/** A VM-entry failure after the guest-state checks (§26.8): exit reason with
 *  bit 31, the qualification, the host state and the exit MSR-load list; the
 *  guest state is not saved and the launch state stays. */
function entryFail(reason: u32, qual: u32): void {
  recordEvent(EV_VMEXIT, reason | EXIT_ENTRY_FAIL, qual, vmread(F.GUEST_RIP));
  vmwrite(F.EXIT_REASON, reason | EXIT_ENTRY_FAIL);
  vmwrite(F.EXIT_QUALIFICATION, qual);
  loadHost();
  let loads = vmread(F.EXIT_MSR_LOAD_COUNT);
  if (loads <= MSR_LIST_MAX) loadMsrs(vmread(F.EXIT_MSR_LOAD_ADDR), loads);
  markSoftInt();
  needAttention();
}

/** Load the guest state (§26.3.2). */
function loadGuest(): void {
  store<u32>(OFF_CR0, vmread(F.GUEST_CR0) | CR0_ET);
  store<u32>(OFF_CR3, vmread(F.GUEST_CR3));
  store<u32>(OFF_CR4, vmread(F.GUEST_CR4));
  store<u32>(OFF_DR + 28, (vmread(F.GUEST_DR7) & DR7_WRITABLE) | DR7_FIXED1);
  debugRegsChanged();
  store<u32>(OFF_SYSENTER_CS, vmread(F.GUEST_SYSENTER_CS));
  store<u32>(OFF_SYSENTER_ESP, vmread(F.GUEST_SYSENTER_ESP));
  store<u32>(OFF_SYSENTER_EIP, vmread(F.GUEST_SYSENTER_EIP));
  for (let s: i32 = 0; s < 8; s++) {
    let ar = seg(F.GUEST_ES_AR, s);
    setSegmentCache(s, seg(F.GUEST_ES_SEL, s), seg(F.GUEST_ES_BASE, s), seg(F.GUEST_ES_LIMIT, s), ar & 0xf0ff, (ar & AR_UNUSABLE) == 0);
  }
  store<u32>(OFF_GDTR_BASE, vmread(F.GUEST_GDTR_BASE));
  store<u32>(OFF_GDTR_LIMIT, vmread(F.GUEST_GDTR_LIMIT));
  store<u32>(OFF_IDTR_BASE, vmread(F.GUEST_IDTR_BASE));
  store<u32>(OFF_IDTR_LIMIT, vmread(F.GUEST_IDTR_LIMIT));
  let fl = vmread(F.GUEST_RFLAGS);
  setEflagsRaw(fl);
  setReg32(R_ESP, vmread(F.GUEST_RSP));
  setEip(vmread(F.GUEST_RIP));
  store<u32>(OFF_CPL, (fl & VM) ? 3 : dplOf(seg(F.GUEST_ES_AR, S_SS)));
  cplChanged();
  store<u32>(OFF_HALTED, vmread(F.GUEST_ACTIVITY) == ACTIVITY_HLT ? 1 : 0);
  // Blocking by STI or MOV SS becomes the CPU's interrupt shadow over the
  // guest's first instruction (exec.ts; a vectoring entry drops it: inject).
  let ib = vmread(F.GUEST_INTERRUPTIBILITY);
  store<u32>(OFF_INHIBIT_IRQ, (ib & 1) ? 1 : (ib & 2) ? 2 : 0);
  // Bit 3: blocking by NMI, or with "virtual NMIs" virtual-NMI blocking while
  // NMIs themselves are not blocked (§26.6.1).
  let nmi = load<u32>(OFF_NMI);
  let vnmi = (vmread(F.PIN_CTLS) & PIN_VIRT_NMI) != 0;
  store<u32>(OFF_NMI, (ib & 8) && !vnmi ? nmi | NMI_BLOCKED : nmi & ~NMI_BLOCKED);
  store<u32>(OFF_VMX_EVENTS, (ib & 8) && vnmi ? VMXE_VNMI_BLOCKED : 0);
  refreshSegmentRanges();
  csChanged();
}

/** The guest PDPTE fields into the PDPTE registers; false when a present one
 *  has a reserved bit set (bits 2:1, 8:5, 63:MAXPHYADDR), loading nothing. */
function pdptesFromVmcs(): bool {
  for (let i: u32 = 0; i < 4; i++) {
    let v = F.vmread64(F.GUEST_PDPTE0 + (i << 1));
    if (pdpteBad(v)) return false;
  }
  for (let i: u32 = 0; i < 4; i++) store<u64>(OFF_PDPTE + (i << 3), F.vmread64(F.GUEST_PDPTE0 + (i << 1)));
  return true;
}

/** VM entry for VMLAUNCH/VMRESUME after their own checks (vmx.ts). */
export function vmEntry(resume: bool): void {
  if (!controlsOk()) { vmFailValid(ERR_ENTRY_CONTROLS); return; }
  if (!hostOk()) { vmFailValid(ERR_ENTRY_HOST); return; }
  if (!guestOk()) { entryFail(EXIT_BAD_GUEST, 0); return; }
  if (!linkOk()) { entryFail(EXIT_BAD_GUEST, 4); return; }
  loadGuest();
  let c0 = load<u32>(OFF_CR0), c4 = load<u32>(OFF_CR4);
  if ((c0 & CR0_PG) && (c4 & CR4_PAE)) {
    // With EPT the PDPTEs come from the guest-state area (§26.3.1.6, §26.3.2.4),
    // else from the PDPT at the guest's CR3.
    let ok = (secondaryControls() & SEC_EPT) ? pdptesFromVmcs() : loadPdptes(load<u32>(OFF_CR3));
    if (!ok) {
      clearFault();
      entryFail(EXIT_BAD_GUEST, 2);
      return;
    }
  }
  // More entries than IA32_VMX_MISC allows: the first one past the limit fails.
  let count = vmread(F.ENTRY_MSR_LOAD_COUNT);
  let bad = count > MSR_LIST_MAX ? MSR_LIST_MAX + 1 : loadMsrs(vmread(F.ENTRY_MSR_LOAD_ADDR), count);
  if (bad != 0) { entryFail(EXIT_MSR_LOAD_FAIL, bad); return; }
  if (!resume) physWrite32(<u32>load<u64>(OFF_VMCS_PTR) + VMCS_LAUNCH, 1);
  store<u32>(OFF_VMX_MODE, VMX_ON | VMX_NONROOT | eptMode());
  recordEvent(EV_VMENTRY, resume ? 0 : 1, getEip(), 0);
  tlbFlush(false); // every VM entry flushes, VPID or not: VPIDs allow keeping translations, never require it (SDM vol. 3 §28.3.3.3)
  markSoftInt();
  needAttention();
  // The preemption timer starts with the entry (§26.7.4); the machine's stretch
  // ends so that its deadline counts (machine.ts nextDeadline). A value of 0
  // exits after the injected event is delivered, before any guest instruction.
  if (vmread(F.PIN_CTLS) & PIN_PREEMPT) { vmxTimerStart(vmread(F.PREEMPT_TIMER_VALUE)); endStretch(); }
  inject();
}

/** Event injection (§26.6): the event is delivered through the guest's IDT as
 *  if it had occurred after the entry; the exception bitmap is not consulted
 *  for it (an exception its delivery causes is). The valid bit is cleared at
 *  the next VM exit. */
function inject(): void {
  let ii = vmread(F.ENTRY_INTR_INFO);
  if (!(ii & (1 << 31))) return;
  let type = (ii >> 8) & 7, vec = ii & 0xff;
  let hasErr = (ii & (1 << 11)) != 0;
  let err = hasErr ? vmread(F.ENTRY_EXC_ERROR) : 0;
  store<u32>(OFF_HALTED, 0);
  store<u32>(OFF_INHIBIT_IRQ, 0); // a vectoring entry leaves no blocking by STI or MOV SS (§26.6.1)
  // Only the instructions INT3, INTO and INT1 consult the bitmap for their own
  // event (interrupts.ts), so an injected software exception never does.
  if (type == T_HW) { skipNextExceptionExit(); deliverException(vec, err, hasErr); return; }
  let kind = INT_EXT, len: u32 = 0;
  if (type >= T_SW_INT) {
    len = vmread(F.ENTRY_INSTR_LEN);
    kind = type == T_SW_INT ? INT_SOFT : type == T_SW_EXC ? INT_SOFT_EXC : INT_ICEBP;
  }
  // An injected NMI blocks NMIs, or with "virtual NMIs" sets virtual-NMI blocking (§26.6.1.2).
  if (type == T_NMI) {
    if (vmread(F.PIN_CTLS) & PIN_VIRT_NMI) store<u32>(OFF_VMX_EVENTS, load<u32>(OFF_VMX_EVENTS) | VMXE_VNMI_BLOCKED);
    else store<u32>(OFF_NMI, load<u32>(OFF_NMI) | NMI_BLOCKED);
  }
  deliverEvent(vec, kind, err, hasErr, type, len);
}
