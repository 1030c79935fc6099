// VM exits (SDM vol. 3 ch. 27) and what causes them in VMX non-root operation
// (ch. 25): the exit-information fields, saving the guest state, loading the
// host state, the MSR lists, and the hooks the instructions and the run loop
// call (one line each at their call sites, behind `nonRoot()`).
//
// The instructions that can exit are not translated (web/jit: they end a
// block, and RDTSC goes to the interpreter in non-root operation), so every
// exit condition is checked here by the interpreter's own handlers, also when
// the guest's other code runs translated (exec.ts jitReady).

import {
  OFF_EFLAGS, OFF_CR0, OFF_CR2, OFF_CR3, OFF_CR4, OFF_DR, OFF_HALTED, OFF_INHIBIT_IRQ, OFF_NMI, NMI_BLOCKED, NMI_PENDING,
  OFF_SYSENTER_CS, OFF_SYSENTER_ESP, OFF_SYSENTER_EIP, OFF_GDTR_BASE, OFF_GDTR_LIMIT, OFF_IDTR_BASE, OFF_IDTR_LIMIT,
  OFF_VMX_MODE, VMX_ON, OFF_VMCS_PTR, OFF_CPL, OFF_TSC_OFFSET,
  OFF_VMX_EVENTS, VMXE_VNMI_BLOCKED, VMXE_TIMER, OFF_VMX_TIMER_END,
  S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_LDTR, S_TR, SEGF_SEL, SEGF_BASE, SEGF_LIMIT, SEGF_ATTR, ATTR_VALID,
  R_ESP, R_EAX, R_ECX, R_EDX, IF, CR0_ET, CR0_CD, CR0_NW, CR0_TS, CR0_PE, CR0_PG, CR4_VMXE, CR4_PAE, OFF_PDPTE,
  getEip, setEip, reg32, setReg32, segField, cr0, cr4, needAttention,
} from "./state";
import { instrStart, addrsize32, eaSeg, fetch8, fetch16, fetch32 } from "./decode";
import { getEflags } from "./flags";
import { setEflagsRaw } from "./idt";
import { setSegmentCache, cplChanged, csChanged, refreshSegmentRanges } from "./segments";
import { tlbFlush, hostReloadPdptes } from "../mmu/paging";
import { physRead32, physWrite32 } from "../mmu/phys";
import { debugRegsChanged, clearDataBpHits } from "./debug";
import { markSoftInt, ackInterrupt } from "./exec";
import { prevCr2, PF, DF } from "./fault";
import { recordEvent, EV_MODE, EV_VMEXIT } from "./events";
import { rdmsr, wrmsr } from "./system";
import { faultPending, clearFault } from "./fault";
import * as F from "./vmxfields";
import { vmread, vmread64, vmwrite } from "./vmxfields";
import {
  nonRoot, PIN_EXT_INT, PIN_NMI, PROC_HLT, PROC_INVLPG, PROC_RDPMC, PROC_RDTSC, PROC_CR3_LOAD, PROC_CR3_STORE,
  PROC_MOV_DR, PROC_UNCOND_IO, PROC_IO_BITMAPS, PROC_MSR_BITMAPS, PROC_TSC_OFFSET, PROC_INTR_WINDOW, EXIT_ACK_INTR,
  CR0_FIXED0, PROC_MWAIT, PROC_MONITOR, PROC_PAUSE,
  PIN_VIRT_NMI, PIN_PREEMPT, PROC_NMI_WINDOW, EXIT_SAVE_PREEMPT, PREEMPT_RATE,
} from "./vmx";
import { clockNow, NEVER } from "../clock";
import { eptActive, eptExitReason, eptExitQual, eptExitGpa, eptExitLinear, EXIT_EPT_VIOLATION } from "../mmu/ept";

export { nonRoot };

// Basic exit reasons (SDM vol. 3 appendix C).
export const EXIT_EXCEPTION_NMI: u32 = 0;
export const EXIT_EXT_INT: u32 = 1;
export const EXIT_TRIPLE_FAULT: u32 = 2;
export const EXIT_INIT: u32 = 3;
export const EXIT_INTR_WINDOW: u32 = 7;
export const EXIT_NMI_WINDOW: u32 = 8;
export const EXIT_TASK_SWITCH: u32 = 9;
export const EXIT_CPUID: u32 = 10;
export const EXIT_HLT: u32 = 12;
export const EXIT_INVD: u32 = 13;
export const EXIT_INVLPG: u32 = 14;
export const EXIT_RDPMC: u32 = 15;
export const EXIT_RDTSC: u32 = 16;
export const EXIT_CR_ACCESS: u32 = 28;
export const EXIT_DR_ACCESS: u32 = 29;
export const EXIT_IO: u32 = 30;
export const EXIT_RDMSR: u32 = 31;
export const EXIT_WRMSR: u32 = 32;
export const EXIT_BAD_GUEST: u32 = 33;
export const EXIT_MSR_LOAD_FAIL: u32 = 34;
export const EXIT_MWAIT: u32 = 36;
export const EXIT_MONITOR: u32 = 39;
export const EXIT_PAUSE: u32 = 40;
export const EXIT_PREEMPT_TIMER: u32 = 52;
export const EXIT_ENTRY_FAIL: u32 = 0x80000000; // bit 31: VM-entry failure

// Interruption-information format (SDM vol. 3 §24.9.2, table 24-15).
export const INTR_VALID: u32 = 1 << 31;
export const INTR_HAS_ERROR: u32 = 1 << 11;
export const INTR_EXTERNAL: u32 = 0 << 8;
export const INTR_NMI: u32 = 2 << 8;
export const INTR_HW_EXCEPTION: u32 = 3 << 8;
export const INTR_SW_INT: u32 = 4 << 8;
export const INTR_PRIV_SW_EXCEPTION: u32 = 5 << 8;
export const INTR_SW_EXCEPTION: u32 = 6 << 8;
/** Bit 12 of the exit interruption information: "NMI unblocking due to IRET" (§27.2.2). */
export const INTR_NMI_UNBLOCKED: u32 = 1 << 12;

/** A VMCS access-rights value (SDM vol. 3 §24.4.1, table 24-2) from a segment
 *  register: the descriptor's type/S/DPL/P and AVL/L/D/G bits, which are the
 *  bits state.ts keeps (SEGF_ATTR), and bit 16 "unusable". */
@inline export function arOf(seg: i32): u32 {
  let a = segField(seg, SEGF_ATTR);
  return (a & 0xf0ff) | ((a & ATTR_VALID) ? 0 : 0x10000);
}

@inline function procCtls(): u32 { return vmread(F.PROC_CTLS); }

// --- the exit itself ---

/** Save the guest state into the current VMCS (SDM vol. 3 §27.3), the guest's
 *  RIP being `rip`. */
function saveGuest(rip: u32): void {
  vmwrite(F.GUEST_CR0, cr0());
  vmwrite(F.GUEST_CR3, load<u32>(OFF_CR3));
  vmwrite(F.GUEST_CR4, cr4());
  vmwrite(F.GUEST_DR7, load<u32>(OFF_DR + 28));
  vmwrite(F.GUEST_DEBUGCTL, 0);
  for (let s: i32 = 0; s < 8; s++) {
    let k = <u32>s << 1;
    vmwrite(F.GUEST_ES_SEL + k, segField(s, SEGF_SEL));
    vmwrite(F.GUEST_ES_BASE + k, segField(s, SEGF_BASE));
    vmwrite(F.GUEST_ES_LIMIT + k, segField(s, SEGF_LIMIT));
    vmwrite(F.GUEST_ES_AR + k, arOf(s));
  }
  vmwrite(F.GUEST_GDTR_BASE, load<u32>(OFF_GDTR_BASE));
  vmwrite(F.GUEST_GDTR_LIMIT, load<u32>(OFF_GDTR_LIMIT));
  vmwrite(F.GUEST_IDTR_BASE, load<u32>(OFF_IDTR_BASE));
  vmwrite(F.GUEST_IDTR_LIMIT, load<u32>(OFF_IDTR_LIMIT));
  vmwrite(F.GUEST_RIP, rip);
  vmwrite(F.GUEST_RSP, reg32(R_ESP));
  vmwrite(F.GUEST_RFLAGS, getEflags());
  vmwrite(F.GUEST_SYSENTER_CS, load<u32>(OFF_SYSENTER_CS));
  vmwrite(F.GUEST_SYSENTER_ESP, load<u32>(OFF_SYSENTER_ESP));
  vmwrite(F.GUEST_SYSENTER_EIP, load<u32>(OFF_SYSENTER_EIP));
  vmwrite(F.GUEST_ACTIVITY, load<u32>(OFF_HALTED) != 0 ? 1 : 0);
  // Blocking by STI (bit 0) or MOV SS (bit 1): the shadow of one, until the
  // instruction it covers completes (exec.ts); blocking by NMI (bit 3), or with
  // "virtual NMIs" virtual-NMI blocking (SDM vol. 3 §27.3.4, table 24-3).
  let ib: u32 = load<u32>(OFF_INHIBIT_IRQ) & 3;
  let blocked = (vmread(F.PIN_CTLS) & PIN_VIRT_NMI)
    ? (load<u32>(OFF_VMX_EVENTS) & VMXE_VNMI_BLOCKED) != 0 : (load<u32>(OFF_NMI) & NMI_BLOCKED) != 0;
  if (blocked) ib |= 8;
  vmwrite(F.GUEST_INTERRUPTIBILITY, ib);
  vmwrite(F.GUEST_PENDING_DBG, 0);
  // With EPT and PAE paging, the PDPTE registers (SDM vol. 3 §27.3.4).
  if (eptActive() && (cr0() & CR0_PG) && (cr4() & CR4_PAE)) {
    for (let i: u32 = 0; i < 4; i++) {
      let v = load<u64>(OFF_PDPTE + (i << 3));
      vmwrite(F.GUEST_PDPTE0 + (i << 1), <u32>v);
      vmwrite(F.GUEST_PDPTE0 + (i << 1) + 1, <u32>(v >> 32));
    }
  }
}

const FLAT_CODE: u32 = 0xc09b; // G, D, P, DPL 0, S, type 11 (execute/read, accessed)
const FLAT_DATA: u32 = 0xc093; // G, B, P, DPL 0, S, type 3 (read/write, accessed)
const TSS_BUSY: u32 = 0x008b;  // P, type 11 (busy 32-bit TSS)

/** Load the host state from the current VMCS (SDM vol. 3 §27.5). The host
 *  state was checked at VM entry (vmxentry.ts), so nothing here can fault. */
export function loadHost(): void {
  // CR0: ET, CD, NW and the reserved bits are not loaded; PE, NE, PG stay set.
  let keep: u32 = CR0_ET | CR0_CD | CR0_NW;
  let old0 = cr0();
  let c0 = (vmread(F.HOST_CR0) & ~keep) | (old0 & keep) | CR0_FIXED0;
  store<u32>(OFF_CR0, c0);
  if ((old0 ^ c0) & CR0_PE) recordEvent(EV_MODE, old0, c0, 0);
  store<u32>(OFF_CR3, vmread(F.HOST_CR3));
  store<u32>(OFF_CR4, vmread(F.HOST_CR4) | CR4_VMXE);
  hostReloadPdptes();
  store<u32>(OFF_DR + 28, 0x400);
  debugRegsChanged();
  store<u32>(OFF_SYSENTER_CS, vmread(F.HOST_SYSENTER_CS));
  store<u32>(OFF_SYSENTER_ESP, vmread(F.HOST_SYSENTER_ESP));
  store<u32>(OFF_SYSENTER_EIP, vmread(F.HOST_SYSENTER_EIP));
  setEflagsRaw(2);
  store<u32>(OFF_CPL, 0);
  cplChanged();
  setSegmentCache(S_CS, vmread(F.HOST_CS_SEL), 0, 0xffffffff, FLAT_CODE, true);
  hostData(S_SS, F.HOST_SS_SEL, 0);
  hostData(S_DS, F.HOST_DS_SEL, 0);
  hostData(S_ES, F.HOST_ES_SEL, 0);
  hostData(S_FS, F.HOST_FS_SEL, vmread(F.HOST_FS_BASE));
  hostData(S_GS, F.HOST_GS_SEL, vmread(F.HOST_GS_BASE));
  setSegmentCache(S_TR, vmread(F.HOST_TR_SEL), vmread(F.HOST_TR_BASE), 0x67, TSS_BUSY, true);
  setSegmentCache(S_LDTR, 0, 0, 0, 0, false);
  store<u32>(OFF_GDTR_BASE, vmread(F.HOST_GDTR_BASE));
  store<u32>(OFF_GDTR_LIMIT, 0xffff);
  store<u32>(OFF_IDTR_BASE, vmread(F.HOST_IDTR_BASE));
  store<u32>(OFF_IDTR_LIMIT, 0xffff);
  setReg32(R_ESP, vmread(F.HOST_RSP));
  setEip(vmread(F.HOST_RIP));
  store<u32>(OFF_HALTED, 0);
  store<u32>(OFF_INHIBIT_IRQ, 0);
  store<u32>(OFF_VMX_MODE, VMX_ON);
  refreshSegmentRanges();
  csChanged();
  tlbFlush(false); // every VM exit flushes, VPID or not (SDM vol. 3 §28.3.3.3)
}

/** A host data segment: a null selector leaves it unusable (SDM vol. 3 §27.5.2). */
function hostData(seg: i32, field: u32, base: u32): void {
  let sel = vmread(field);
  if (sel == 0) setSegmentCache(seg, 0, 0, 0, 0, false);
  else setSegmentCache(seg, sel, base, 0xffffffff, FLAT_DATA, true);
}

/** The MSR list at `addr` of `count` entries of 16 bytes (SDM vol. 3 §24.7.2):
 *  store the MSRs' values in it (exit MSR-store) ... */
function storeMsrs(addr: u32, count: u32): void {
  let ecx = reg32(R_ECX), eax = reg32(R_EAX), edx = reg32(R_EDX), cpl = load<u32>(OFF_CPL);
  store<u32>(OFF_CPL, 0); // RDMSR as the processor does it, whatever the guest's CPL
  for (let i: u32 = 0; i < count; i++) {
    let e = addr + i * 16;
    setReg32(R_ECX, physRead32(e));
    rdmsr();
    if (faultPending) { clearFault(); setReg32(R_EAX, 0); setReg32(R_EDX, 0); }
    physWrite32(e + 8, reg32(R_EAX));
    physWrite32(e + 12, reg32(R_EDX));
  }
  setReg32(R_ECX, ecx); setReg32(R_EAX, eax); setReg32(R_EDX, edx);
  store<u32>(OFF_CPL, cpl);
}
/** ... or load the MSRs from it (entry and exit MSR-load). Returns 0, or the
 *  1-based number of the entry that could not be loaded (SDM vol. 3 §26.4:
 *  FS/GS base, the x2APIC range, SMM MSRs, reserved bits, or WRMSR's #GP). */
export function loadMsrs(addr: u32, count: u32): u32 {
  let ecx = reg32(R_ECX), eax = reg32(R_EAX), edx = reg32(R_EDX), cpl = load<u32>(OFF_CPL);
  store<u32>(OFF_CPL, 0);
  let failed: u32 = 0;
  for (let i: u32 = 0; i < count && failed == 0; i++) {
    let e = addr + i * 16;
    let msr = physRead32(e);
    if (physRead32(e + 4) != 0 || (msr >>> 8) == 0x8 || msr == 0xc0000100 || msr == 0xc0000101
      || msr == 0x9b || msr == 0x9e) { failed = i + 1; break; }
    setReg32(R_ECX, msr);
    setReg32(R_EAX, physRead32(e + 8));
    setReg32(R_EDX, physRead32(e + 12));
    wrmsr();
    if (faultPending) { clearFault(); failed = i + 1; }
  }
  setReg32(R_ECX, ecx); setReg32(R_EAX, eax); setReg32(R_EDX, edx);
  store<u32>(OFF_CPL, cpl);
  return failed;
}

// The event being delivered in non-root operation, for the IDT-vectoring
// information of a VM exit that happens before its delivery completes (SDM
// vol. 3 §27.2.4): set by exec.ts around exception, NMI and interrupt delivery
// and by event injection, cleared when the delivery completes.
let vecInfo: u32 = 0;
let vecError: u32 = 0;
let vecLen: u32 = 0;
/** `type`: the interruption type (table 24-15); `len`: a software event's instruction length. */
export function vmxDelivering(vector: u32, type: u32, error: u32, hasError: bool, len: u32): void {
  if (!(cr0() & CR0_PE)) hasError = false; // real-mode delivery pushes no error code (§27.2.3)
  vecInfo = INTR_VALID | (type << 8) | vector | (hasError ? INTR_HAS_ERROR : 0);
  vecError = hasError ? error : 0;
  vecLen = len;
}
export function vmxDelivered(): void { vecInfo = 0; }
/** The instruction length of the software event being delivered (INT n, INT3,
 *  INTO, INT1, or one injected: types 4-6), which a VM exit during its
 *  delivery reports (§27.2.4); 0 for any other event or none. */
function softEventLength(): u32 {
  let type = (vecInfo >> 8) & 7;
  return (vecInfo & INTR_VALID) && type >= 4 && type <= 6 ? vecLen : 0;
}

/** VM exit: record why (SDM vol. 3 §27.2), save the guest, load the host. */
export function vmExit(reason: u32, qual: u32, rip: u32, len: u32, info: u32, intrInfo: u32, intrError: u32): void {
  vmwrite(F.EXIT_REASON, reason);
  vmwrite(F.EXIT_QUALIFICATION, qual);
  vmwrite(F.EXIT_INSTR_LEN, len);
  vmwrite(F.EXIT_INSTR_INFO, info);
  vmwrite(F.EXIT_INTR_INFO, intrInfo);
  vmwrite(F.EXIT_INTR_ERROR, intrError);
  vmwrite(F.IDT_VECTORING_INFO, vecInfo);
  // The error code only with valid information that has one (§27.2.4); else 0,
  // not what an earlier event left, which a snapshot does not keep.
  vmwrite(F.IDT_VECTORING_ERROR, (vecInfo & INTR_VALID) ? vecError : 0);
  vecInfo = 0;
  vmwrite(F.GUEST_LINEAR_ADDR, 0);
  vmwrite(F.ENTRY_INTR_INFO, vmread(F.ENTRY_INTR_INFO) & ~INTR_VALID); // cleared by every VM exit (SDM vol. 3 §24.8.3)
  skipOnce = false;
  timerStop();
  saveGuest(rip);
  recordEvent(EV_VMEXIT, reason, qual, rip);
  store<u32>(OFF_VMX_MODE, VMX_ON);
  // The guest's MSR-store list, with the guest's MSRs still in place. A list
  // longer than IA32_VMX_MISC's 512 entries is a VMX abort (SDM vol. 3 §27.4, §27.7).
  let stores = vmread(F.EXIT_MSR_STORE_COUNT);
  if (stores > MSR_LIST_MAX) { vmxAbort(ABORT_MSR_STORE); return; }
  storeMsrs(vmread(F.EXIT_MSR_STORE_ADDR), stores);
  loadHost();
  let loads = vmread(F.EXIT_MSR_LOAD_COUNT);
  if (loads > MSR_LIST_MAX || loadMsrs(vmread(F.EXIT_MSR_LOAD_ADDR), loads) != 0) { vmxAbort(ABORT_MSR_LOAD); return; }
  // The guest's single-step or data-breakpoint traps do not follow into the host.
  markSoftInt();
  clearDataBpHits();
  needAttention();
}

/** VMX abort (SDM vol. 3 §27.7): the indicator in the VMCS, then shutdown
 *  (here: the triple fault's reset, outside VMX operation). */
import { tripleFaultShutdown } from "./exec";
const ABORT_MSR_STORE: u32 = 1;
const ABORT_MSR_LOAD: u32 = 4;
/** IA32_VMX_MISC[27:25] = 0: MSR lists of up to 512 entries. */
export const MSR_LIST_MAX: u32 = 512;
function vmxAbort(code: u32): void {
  physWrite32(<u32>load<u64>(OFF_VMCS_PTR) + F.VMCS_ABORT, code);
  store<u32>(OFF_VMX_MODE, 0);
  tripleFaultShutdown();
}

// --- instruction exits ---

/** A VM exit caused by the instruction being executed (SDM vol. 3 §25.1.3):
 *  the guest's RIP is the instruction's, the length is what was decoded.
 *  `withInfo`: the VMX instructions' instruction-information field and, for a
 *  memory operand, the displacement as the qualification (§27.2.1, §27.2.5). */
export function vmxInstrExit(reason: u32, withInfo: bool): void {
  let len = getEip() - instrStart;
  let info: u32 = 0, qual: u32 = 0;
  if (withInfo) { info = instrInfo(); qual = infoDisp; }
  vmExit(reason, qual, instrStart, len, info, 0, 0);
}
function instrExit(reason: u32, qual: u32): void {
  vmExit(reason, qual, instrStart, getEip() - instrStart, 0, 0, 0);
}

// The instruction-information field of VMX instructions (SDM vol. 3 §27.2.5,
// tables 27-13/27-14): the operand's addressing re-decoded from the
// instruction bytes. Bits 1:0 scale, 6:3 reg1 (register operand), 9:7 address
// size, 10 register (1) or memory (0), 17:15 segment, 21:18 index, 22 no
// index, 26:23 base, 27 no base, 31:28 reg2 (ModRM.reg).
let infoDisp: u32 = 0;
function instrInfo(): u32 {
  let save = getEip();
  setEip(instrStart);
  let b = fetch8();
  while (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 || b == 0x66 || b == 0x67
    || b == 0xf0 || b == 0xf2 || b == 0xf3) b = fetch8();
  if (fetch8() == 0x38) fetch8(); // the opcode after 0F (0F 38 xx: INVEPT, INVVPID)
  let m = fetch8();
  setEip(save);
  let mod = m >> 6, rm = m & 7;
  let info: u32 = ((m >> 3) & 7) << 28;
  infoDisp = 0;
  if (mod == 3) return info | (rm << 3) | (1 << 10) | ((addrsize32 ? 1 : 0) << 7);
  info |= (<u32>eaSeg << 15) | ((addrsize32 ? 1 : 0) << 7);
  setEip(instrStart);
  b = fetch8();
  while (b != 0x0f) b = fetch8();
  if (fetch8() == 0x38) fetch8();
  fetch8();
  let base: i32 = -1, index: i32 = -1, scale: u32 = 0;
  if (addrsize32) {
    if (rm == 4) {
      let sib = fetch8();
      scale = sib >> 6;
      if (((sib >> 3) & 7) != 4) index = <i32>((sib >> 3) & 7);
      if ((sib & 7) == 5 && mod == 0) infoDisp = fetch32(); else base = <i32>(sib & 7);
    } else if (rm == 5 && mod == 0) infoDisp = fetch32();
    else base = <i32>rm;
    if (mod == 1) infoDisp = <u32><i32><i8>fetch8();
    else if (mod == 2) infoDisp = fetch32();
  } else {
    // 16-bit forms: BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP (or disp16), BX
    const B16: StaticArray<i32> = [3, 3, 5, 5, -1, -1, 5, 3];
    const I16: StaticArray<i32> = [6, 7, 6, 7, 6, 7, -1, -1];
    base = B16[rm]; index = I16[rm];
    if (rm == 6 && mod == 0) { base = -1; infoDisp = fetch16(); }
    if (mod == 1) infoDisp = <u32><i32><i8>fetch8();
    else if (mod == 2) infoDisp = <u32><i32><i16>fetch16();
  }
  setEip(save);
  info |= scale;
  info |= index < 0 ? (1 << 22) : (<u32>index << 18);
  info |= base < 0 ? (1 << 27) : (<u32>base << 23);
  return info;
}

/** CPUID: always exits (SDM vol. 3 §25.1.2). */
export function vmxCpuid(): bool { instrExit(EXIT_CPUID, 0); return true; }
/** INVD: always exits. */
export function vmxInvd(): bool { instrExit(EXIT_INVD, 0); return true; }
export function vmxHlt(): bool {
  if (!(procCtls() & PROC_HLT)) return false;
  instrExit(EXIT_HLT, 0); return true;
}
/** INVLPG: the qualification is the operand's linear address. */
export function vmxInvlpg(lin: u32): bool {
  if (!(procCtls() & PROC_INVLPG)) return false;
  instrExit(EXIT_INVLPG, lin); return true;
}
export function vmxRdtsc(): bool {
  if (!(procCtls() & PROC_RDTSC)) return false;
  instrExit(EXIT_RDTSC, 0); return true;
}
/** MONITOR and MWAIT after their #UD checks (CPL and the feature, which have
 *  priority, SDM vol. 3 §25.1.1), before the ECX check. MWAIT's qualification
 *  is 1 when a MONITOR armed the address-range monitor (§27.2.1). PAUSE exits
 *  with "PAUSE exiting" (there is no PAUSE-loop exiting: no secondary
 *  controls). */
export function vmxMonitor(): bool {
  if (!(procCtls() & PROC_MONITOR)) return false;
  instrExit(EXIT_MONITOR, 0); return true;
}
export function vmxMwait(armed: bool): bool {
  if (!(procCtls() & PROC_MWAIT)) return false;
  instrExit(EXIT_MWAIT, armed ? 1 : 0); return true;
}
export function vmxPause(): bool {
  if (!(procCtls() & PROC_PAUSE)) return false;
  instrExit(EXIT_PAUSE, 0); return true;
}
export function vmxRdpmc(): bool {
  if (!(procCtls() & PROC_RDPMC)) return false;
  instrExit(EXIT_RDPMC, 0); return true;
}
/** The TSC the guest reads (RDTSC, RDMSR 10H): plus the TSC offset when "use
 *  TSC offsetting" is set (SDM vol. 3 §25.3). */
export function vmxTsc(t: u64): u64 {
  return (procCtls() & PROC_TSC_OFFSET) ? t + vmread64(F.TSC_OFFSET) : t;
}

/** IN/OUT/INS/OUTS after their permission check (which has priority, SDM vol. 3
 *  §25.1.1): unconditional I/O exiting, or the I/O bitmaps when used (then
 *  unconditional exiting is ignored). Qualification: SDM vol. 3 table 28-5. */
export function vmxIo(port: u32, size: u32, isIn: bool, str: bool, rep: bool, immediate: bool): bool {
  let pc = procCtls();
  if (pc & PROC_IO_BITMAPS) {
    let hit = false;
    for (let p = port; p < port + size; p++) {
      if (p > 0xffff) { hit = true; break; }
      let map = vmread(p < 0x8000 ? F.IO_BITMAP_A : F.IO_BITMAP_B);
      if (physRead32(map + ((p & 0x7fff) >> 3)) & (1 << (p & 7))) { hit = true; break; }
    }
    if (!hit) return false;
  } else if (!(pc & PROC_UNCOND_IO)) return false;
  let q: u32 = (size - 1) | (isIn ? 8 : 0) | (str ? 16 : 0) | (rep ? 32 : 0) | (immediate ? 64 : 0) | (port << 16);
  instrExit(EXIT_IO, q);
  return true;
}

/** RDMSR/WRMSR after the CPL check: exit unless the MSR bitmaps are used and
 *  the MSR's bit is clear (SDM vol. 3 §25.1.3, §24.6.9): read bitmap for low
 *  MSRs at 0, for C0000000H-C0001FFFH at 1024; write bitmaps at 2048, 3072. */
export function vmxMsr(msr: u32, write: bool): bool {
  if (procCtls() & PROC_MSR_BITMAPS) {
    let off: i32 = -1;
    if (msr <= 0x1fff) off = 0;
    else if (msr >= 0xc0000000 && msr <= 0xc0001fff) off = 1024;
    if (off >= 0) {
      let bit = msr & 0x1fff;
      let a = vmread(F.MSR_BITMAP) + <u32>off + (write ? 2048 : 0) + (bit >> 3);
      if ((physRead32(a) & (1 << (bit & 7))) == 0) return false;
    }
  }
  instrExit(write ? EXIT_WRMSR : EXIT_RDMSR, 0);
  return true;
}

// --- control registers (SDM vol. 3 §25.1.3, §25.3; qualification table 28-3) ---

/** MOV to CR0/CR3/CR4 (GPR `r`, value `v`): exits per the guest/host masks and
 *  read shadows, the CR3-load exiting control and the CR3-target values. */
export function vmxMovToCr(n: u32, r: u32, v: u32): bool {
  let exit = false;
  if (n == 0) exit = ((v ^ vmread(F.CR0_SHADOW)) & vmread(F.CR0_MASK)) != 0;
  else if (n == 4) exit = ((v ^ vmread(F.CR4_SHADOW)) & vmread(F.CR4_MASK)) != 0;
  else if (n == 3 && (procCtls() & PROC_CR3_LOAD)) {
    exit = true;
    let cnt = vmread(F.CR3_TARGET_COUNT);
    for (let i: u32 = 0; i < cnt && i < 4; i++) if (vmread(F.CR3_TARGET0 + (i << 1)) == v) exit = false;
  }
  if (!exit) return false;
  instrExit(EXIT_CR_ACCESS, n | (0 << 4) | (r << 8));
  return true;
}
/** The value a MOV to CR0/CR4 that did not exit loads: the bits the host owns
 *  (set in the mask) keep their current value. */
export function vmxCrWriteValue(n: u32, v: u32): u32 {
  if (n == 0) { let m = vmread(F.CR0_MASK); return (cr0() & m) | (v & ~m); }
  if (n == 4) { let m = vmread(F.CR4_MASK); return (cr4() & m) | (v & ~m); }
  return v;
}
/** MOV from CR3 exits with CR3-store exiting. */
export function vmxMovFromCr(n: u32, r: u32): bool {
  if (n != 3 || !(procCtls() & PROC_CR3_STORE)) return false;
  instrExit(EXIT_CR_ACCESS, 3 | (1 << 4) | (r << 8));
  return true;
}
/** What the guest reads from CR0/CR4 (MOV, SMSW): host-owned bits from the shadow. */
export function vmxCrReadValue(n: u32, v: u32): u32 {
  if (n == 0) { let m = vmread(F.CR0_MASK); return (v & ~m) | (vmread(F.CR0_SHADOW) & m); }
  if (n == 4) { let m = vmread(F.CR4_MASK); return (v & ~m) | (vmread(F.CR4_SHADOW) & m); }
  return v;
}
/** CLTS exits when the host owns TS and the shadow's TS is 1; when the host owns
 *  TS and the shadow's is 0, CLTS leaves CR0.TS alone (returns true too). */
export function vmxClts(): bool {
  let m = vmread(F.CR0_MASK);
  if (!(m & CR0_TS)) return false;
  if (vmread(F.CR0_SHADOW) & CR0_TS) instrExit(EXIT_CR_ACCESS, (2 << 4));
  return true;
}
/** LMSW (source `v`, from memory or a register): exits when it would set PE
 *  against the shadow of a host-owned PE, or change a host-owned MP/EM/TS;
 *  otherwise returns false and the caller loads the guest-owned bits
 *  (vmxLmswValue). */
export function vmxLmsw(v: u32, mem: bool, linear: u32): bool {
  let m = vmread(F.CR0_MASK), s = vmread(F.CR0_SHADOW);
  let exit = ((m & 1) != 0 && (s & 1) == 0 && (v & 1) != 0) || ((m & s & 0xe) ^ (m & v & 0xe)) != 0;
  if (!exit) return false;
  instrExit(EXIT_CR_ACCESS, (3 << 4) | (mem ? 64 : 0) | ((v & 0xffff) << 16));
  if (mem) vmwrite(F.GUEST_LINEAR_ADDR, linear);
  return true;
}
export function vmxLmswValue(v: u32): u32 { let m = vmread(F.CR0_MASK) & 0xf; return (cr0() & m) | (v & ~m); }

/** MOV DR with MOV-DR exiting (after the CPL and CR4.DE #UD checks): the
 *  qualification has the DR, the direction (bit 4: from DR) and the GPR. */
export function vmxMovDr(n: u32, r: u32, fromDr: bool): bool {
  if (!(procCtls() & PROC_MOV_DR)) return false;
  instrExit(EXIT_DR_ACCESS, n | (fromDr ? 16 : 0) | (r << 8));
  return true;
}

// --- events ---

/** An exception about to be delivered in non-root operation: exit when its bit
 *  is set in the exception bitmap (#PF: with the error-code mask/match rule,
 *  SDM vol. 3 §25.2). The guest's RIP is where the exception would return
 *  to (the faulting instruction for faults); a #PF leaves CR2 unchanged and
 *  gives its linear address as the qualification. */
let skipOnce: bool = false;
// "NMI unblocking due to IRET" (§27.2.2): the IRET that just faulted had lifted
// blocking by NMI or, with virtual NMIs, virtual-NMI blocking. Set by
// vmxIretNmi; read and cleared by the exception check of that fault, which is
// the next one (exec.ts unwind delivers it before anything else can happen).
let iretUnblocked: bool = false;
/** The next exception-bitmap check is for an injected event (vmxentry.ts). */
export function skipNextExceptionExit(): void { skipOnce = true; }
export function vmxException(vector: u32, error: u32, hasError: bool): bool {
  // In real-address mode (unrestricted guest) no exception has an error code (§27.2.2).
  if (!(cr0() & CR0_PE)) hasError = false;
  let unblocked = iretUnblocked;
  iretUnblocked = false;
  if (skipOnce) { skipOnce = false; return false; }
  let bitmap = vmread(F.EXCEPTION_BITMAP);
  let hit = (bitmap >> vector) & 1;
  if (vector == PF) {
    let match = (error & vmread(F.PF_ERROR_MASK)) == vmread(F.PF_ERROR_MATCH);
    hit = match ? hit : hit ^ 1;
  }
  if (vector == 2) hit = 0; // an NMI exits only with NMI exiting (vmxEvent)
  if (!hit) return false;
  let qual: u32 = 0;
  if (vector == PF) { qual = load<u32>(OFF_CR2); store<u32>(OFF_CR2, prevCr2); }
  let info = INTR_VALID | INTR_HW_EXCEPTION | vector | (hasError ? INTR_HAS_ERROR : 0);
  // The fault of an IRET that lifted (virtual-)NMI blocking (§27.2.2); the bit
  // is undefined with IDT-vectoring information and for #DF, and left 0 then.
  if (unblocked && !(vecInfo & INTR_VALID) && vector != DF) info |= INTR_NMI_UNBLOCKED;
  vmExit(EXIT_EXCEPTION_NMI, qual, getEip(), softEventLength(), 0, info, hasError ? error : 0);
  return true;
}
/** INT n, INT3, INTO and INT1 executed in non-root operation, of interruption
 *  type `type` (INTR_SW_INT, INTR_SW_EXCEPTION, INTR_PRIV_SW_EXCEPTION). INT3
 *  and INTO (software exceptions) and INT1 (privileged software exception) exit
 *  when the exception bitmap has their vector (§25.2), with the instruction's
 *  RIP and length (§27.2.2, §27.2.4); INT1's #DB sets none of the conditions of
 *  the debug-exception qualification (table 27-1), so it is 0. Otherwise their
 *  delivery is the event in progress: a VM exit it causes reports it as
 *  IDT-vectoring information with the instruction length (§27.2.3, §27.2.4),
 *  at the instruction's RIP (exec.ts unwind restores it). True: a VM exit. */
export function vmxSoftEvent(vector: u32, type: u32): bool {
  let len = getEip() - instrStart;
  if (type != INTR_SW_INT && ((vmread(F.EXCEPTION_BITMAP) >> vector) & 1)) {
    vmExit(EXIT_EXCEPTION_NMI, 0, instrStart, len, 0, INTR_VALID | type | vector, 0);
    return true;
  }
  vmxDelivering(vector, type >> 8, 0, false, len);
  return false;
}

/** An EPT violation or misconfiguration (mmu/ept.ts), at the instruction that
 *  made the access (SDM vol. 3 §27.2.1, table 27-7): the guest-physical
 *  address, and for a violation the guest-linear address when the access was
 *  part of translating one. Bit 12 of a violation's qualification is "NMI
 *  unblocking due to IRET", as for an exception (§27.2.3). */
export function vmxEptExit(): void {
  let unblocked = iretUnblocked;
  iretUnblocked = false;
  let qual = eptExitQual;
  if (eptExitReason == EXIT_EPT_VIOLATION && unblocked && !(vecInfo & INTR_VALID)) qual |= 1 << 12;
  vmExit(eptExitReason, qual, getEip(), softEventLength(), 0, 0, 0);
  vmwrite(F.GUEST_PHYS_ADDR, <u32>eptExitGpa);
  vmwrite(F.GUEST_PHYS_ADDR + 1, <u32>(eptExitGpa >> 32));
  vmwrite(F.GUEST_LINEAR_ADDR, eptExitLinear);
}

/** A task switch in non-root operation always exits (SDM vol. 3 §25.4.2);
 *  qualification (table 28-2): the selector, and the source in bits 31:30 (0
 *  CALL, 1 IRET, 2 JMP, 3 task gate in the IDT). `reason` is task.ts SWITCH_*
 *  (0 JMP, 1 CALL, 2 IRET, 3 INT). A CALL/JMP/IRET exits at the instruction
 *  with its length; through the IDT, with the event being delivered as
 *  IDT-vectoring information (vmExit). */
export function vmxTaskSwitch(sel: u32, reason: u32): void {
  const SOURCE: StaticArray<u32> = [2, 0, 1, 3];
  let q = (sel & 0xffff) | (SOURCE[reason & 3] << 30);
  if (reason != 3) { instrExit(EXIT_TASK_SWITCH, q); return; }
  // Through the IDT during a software event (INT n, INT3, INTO, INT1, or one
  // injected): that instruction's length (§27.2.4), and its RIP, from which the
  // event returns that length on (the RIP pushed is past it).
  let len = softEventLength();
  vmExit(EXIT_TASK_SWITCH, q, getEip() - len, len, 0, 0, 0);
}

/** A triple fault in non-root operation exits (reason 2) instead of shutting down. */
export function vmxTripleFault(): void { vecInfo = 0; vmExit(EXIT_TRIPLE_FAULT, 0, getEip(), 0, 0, 0, 0); }

/** An INIT signal in non-root operation (exec.ts, ahead of every other event:
 *  SDM vol. 3 §6.9, §25.2): a VM exit with reason 3 and qualification 0 and
 *  none of INIT's own effects ("such exits do not modify register state or
 *  clear pending events"). The exit consumes the INIT. The guest's activity
 *  state is saved as it was (HLT included: the exit wakes it, §27.3.4); the
 *  wait-for-SIPI state, in which INIT would be blocked, cannot be entered
 *  (IA32_VMX_MISC[8] = 0). */
export function vmxInit(): void { vmExit(EXIT_INIT, 0, getEip(), 0, 0, 0, 0); }

/** Between instructions (exec.ts), before NMI and interrupt delivery, in the
 *  priority order of SDM vol. 3 §25.2: the VMX-preemption timer at 0, NMI-window
 *  exiting (no virtual-NMI blocking, no blocking by STI or MOV SS), NMI exiting,
 *  interrupt-window exiting, external-interrupt exiting (RFLAGS.IF does not
 *  block then, §25.3; with "acknowledge interrupt on exit" the vector is taken
 *  from the controller into the exit information). Each wakes a guest in the
 *  HLT state. True when a VM exit happened. */
export function vmxEvent(nmi: bool, intr: bool, inhibit: bool): bool {
  let pin = vmread(F.PIN_CTLS);
  if ((load<u32>(OFF_VMX_EVENTS) & VMXE_TIMER) && clockNow() >= load<u64>(OFF_VMX_TIMER_END)) {
    vmExit(EXIT_PREEMPT_TIMER, 0, getEip(), 0, 0, 0, 0);
    return true;
  }
  if ((procCtls() & PROC_NMI_WINDOW) && !inhibit && !(load<u32>(OFF_VMX_EVENTS) & VMXE_VNMI_BLOCKED)) {
    vmExit(EXIT_NMI_WINDOW, 0, getEip(), 0, 0, 0, 0);
    return true;
  }
  if (nmi && !inhibit && (pin & PIN_NMI)) {
    store<u32>(OFF_NMI, load<u32>(OFF_NMI) & ~NMI_PENDING);
    vmExit(EXIT_EXCEPTION_NMI, 0, getEip(), 0, 0, INTR_VALID | INTR_NMI | 2, 0);
    store<u32>(OFF_NMI, load<u32>(OFF_NMI) | NMI_BLOCKED);
    return true;
  }
  if ((procCtls() & PROC_INTR_WINDOW) && !inhibit && (load<u32>(OFF_EFLAGS) & IF)) {
    vmExit(EXIT_INTR_WINDOW, 0, getEip(), 0, 0, 0, 0);
    return true;
  }
  if (intr && !inhibit && (pin & PIN_EXT_INT)) {
    let info: u32 = 0;
    if (vmread(F.EXIT_CTLS) & EXIT_ACK_INTR) {
      let vec = ackInterrupt();
      if (vec < 0) return false; // spurious: the line dropped
      info = INTR_VALID | INTR_EXTERNAL | <u32>vec;
    }
    vmExit(EXIT_EXT_INT, 0, getEip(), 0, 0, info, 0);
    return true;
  }
  return false;
}
/** Non-root with interrupt-window or NMI-window exiting wants the run loop to
 *  look before every instruction. */
export function vmxWantsAttention(): bool { return nonRoot() && (procCtls() & (PROC_INTR_WINDOW | PROC_NMI_WINDOW)) != 0; }

/** IRET executed in non-root operation, completed or `faulted` (exec.ts
 *  nmiIretDone): with "virtual NMIs" it ends virtual-NMI blocking; with NMI
 *  exiting (and not virtual NMIs) it leaves NMI blocking alone; otherwise it
 *  unblocks NMIs as always. Each happens even if IRET faults (§25.3, §27.1), and
 *  a fault that lifted the blocking is marked for bit 12 (undefined with NMI
 *  exiting alone: left 0). True: the IRET's ordinary NMI unblocking does not
 *  happen. */
export function vmxIretNmi(faulted: bool): bool {
  let pin = vmread(F.PIN_CTLS);
  if (pin & PIN_VIRT_NMI) {
    let ev = load<u32>(OFF_VMX_EVENTS);
    iretUnblocked = faulted && (ev & VMXE_VNMI_BLOCKED) != 0;
    store<u32>(OFF_VMX_EVENTS, ev & ~VMXE_VNMI_BLOCKED);
    needAttention();
    return true;
  }
  if (pin & PIN_NMI) return true;
  iretUnblocked = faulted && (load<u32>(OFF_NMI) & NMI_BLOCKED) != 0;
  return false;
}

// --- the VMX-preemption timer (SDM vol. 3 §25.5.1, §26.7.4, §27.3.4) ---
//
// It counts down by 1 each time bit PREEMPT_RATE of the TSC changes, in non-root
// operation only (the HLT state included). Kept as the virtual time at which it
// reaches 0: the TSC is the virtual clock (1 GHz) plus the offset WRMSR set
// (clock.ts tscNow), so from the TSC t at entry, value v ends at the v-th
// multiple of 2^PREEMPT_RATE after t. machine.ts ends the CPU's stretch there
// (vmxTimerDeadline), a halted guest's clock jumps there, and the next
// instruction boundary exits (vmxEvent). A WRMSR to the TSC in the guest does
// not move the deadline (the timer counts TSC increments, not writes).

/** VM entry with "activate VMX-preemption timer": start it at `v`. */
export function vmxTimerStart(v: u32): void {
  let off = load<u64>(OFF_TSC_OFFSET);
  let tsc = clockNow() + off;
  let end = ((tsc >> PREEMPT_RATE) + <u64>v) << PREEMPT_RATE;
  store<u64>(OFF_VMX_TIMER_END, end - off);
  store<u32>(OFF_VMX_EVENTS, load<u32>(OFF_VMX_EVENTS) | VMXE_TIMER);
}
/** The timer's value now: the changes of TSC bit PREEMPT_RATE still to come. */
function timerValue(): u32 {
  let off = load<u64>(OFF_TSC_OFFSET);
  let now = clockNow() + off, end = load<u64>(OFF_VMX_TIMER_END) + off;
  return now >= end ? 0 : <u32>((end >> PREEMPT_RATE) - (now >> PREEMPT_RATE));
}
/** A VM exit stops the timer; "save VMX-preemption timer value" stores what is left. */
function timerStop(): void {
  if (!(load<u32>(OFF_VMX_EVENTS) & VMXE_TIMER)) return;
  if (vmread(F.EXIT_CTLS) & EXIT_SAVE_PREEMPT) vmwrite(F.PREEMPT_TIMER_VALUE, timerValue());
  store<u32>(OFF_VMX_EVENTS, load<u32>(OFF_VMX_EVENTS) & ~VMXE_TIMER);
}
/** The virtual time (ns) at which the running timer reaches 0, or clock.ts NEVER. */
export function vmxTimerDeadline(): u64 {
  return nonRoot() && (load<u32>(OFF_VMX_EVENTS) & VMXE_TIMER) ? load<u64>(OFF_VMX_TIMER_END) : NEVER;
}
