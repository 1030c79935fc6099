// Processor state after RESET and after INIT (SDM vol. 3 §9.1, table 9-1).
// RESET (power-up, the reset button, a triple fault's shutdown) sets every
// register; INIT (the local APIC's INIT IPI, exec.ts) sets the same registers
// to the same values but leaves the x87, MMX and SSE state, the MSRs (TSC,
// SYSENTER, PAT, MTRRs, IA32_APIC_BASE, IA32_FEATURE_CONTROL, IA32_MISC_ENABLE,
// IA32_EFER) and CR0.CD/NW as they were (§9.1: "the internal caches, MSRs,
// MTRRs, and x87 FPU state are left unchanged"), and invalidates the TLBs as
// RESET does. Memory and the devices are no CPU state: neither touches them
// (machine.ts resets the devices for a RESET; the local APIC's own INIT state,
// SDM §10.4.7.3, is dev/lapic.ts lapicInitReset). One CPU, the bootstrap
// processor: after either it runs from the reset vector; the application
// processors' wait-for-SIPI state is not modelled.

import { eventsReset } from "./events";
import {
  CPU_STATE, 
} from "../layout";
import {
  CPU_STATE_SIZE, OFF_EIP, OFF_EFLAGS, OFF_CR0, OFF_DR, OFF_GDTR_LIMIT, OFF_IDTR_LIMIT,
  OFF_APIC_BASE, OFF_PAT, OFF_MXCSR, MXCSR_RESET, R_EDX, S_CS, S_LDTR, S_TR, setReg32,
  ATTR_P, ATTR_S, ATTR_RW, ATTR_ACCESSED, CR0_CD, CR0_NW, CR0_ET,
  OFF_TSC, OFF_INHIBIT_IRQ, OFF_A20, OFF_PDPTE, OFF_FPU, OFF_VMX_MODE, OFF_VMXON_PTR, OFF_MONITOR_ARMED, OFF_XMM,
} from "./state";
import { setSegmentCache, csChanged, setCpl } from "./segments";
import { clearFault } from "./fault";
import { tlbFlush, hostReloadPdptes } from "../mmu/paging";
import { fpuReset } from "./x87";
import { miscEnableReset } from "./system";
import { mcaReset } from "./mca";
import { cpuModel, MODEL_PENTIUM3, MODEL_PENTIUM4, MODEL_COREDUO } from "./features";

// CPUID signature, in EDX after reset (SDM vol. 3 §9.1.4) and in CPUID leaf 1 EAX
// (system.ts): type 0, family, model, stepping of the model (features.ts).
export const CPU_SIGNATURE: u32 = 0x0652; // Pentium II (Deschutes): family 6 model 5 stepping 2
const SIGNATURE_PENTIUM3: u32 = 0x0673;   // Pentium III (Katmai): family 6 model 7 stepping 3
const SIGNATURE_PENTIUM4: u32 = 0x0f29;   // Pentium 4 (Northwood): family 15 model 2 stepping 9
const SIGNATURE_COREDUO: u32 = 0x06e8;    // Core Duo (Yonah): family 6 model 14 stepping 8
export function cpuSignature(): u32 {
  switch (cpuModel) {
    case MODEL_PENTIUM3: return SIGNATURE_PENTIUM3;
    case MODEL_PENTIUM4: return SIGNATURE_PENTIUM4;
    case MODEL_COREDUO: return SIGNATURE_COREDUO;
    default: return CPU_SIGNATURE;
  }
}
// IA32_PAT at reset: PA0-PA7 = WB WT UC- UC, WB WT UC- UC (SDM vol. 3 §11.12.4).
const PAT_RESET: u64 = 0x0007040600070406;

const CR0_RESET: u32 = CR0_CD | CR0_NW | CR0_ET; // 60000010H

/** RESET: every register to its power-up value (table 9-1). */
export function resetCpu(): void {
  memory.fill(CPU_STATE, 0, CPU_STATE_SIZE);
  eventsReset();
  store<u32>(OFF_APIC_BASE, 0xfee00900); // enabled, BSP
  store<u64>(OFF_PAT, PAT_RESET);
  fpuReset();
  store<u32>(OFF_MXCSR, MXCSR_RESET); // XMM0-7 are zero (SDM vol. 3 table 9-1)
  miscEnableReset();
  mcaReset();
  registersReset(CR0_RESET);
}

/** INIT outside VMX operation (exec.ts takes it): the registers table 9-1
 *  gives for INIT, everything in keptByInit as it was, CR0's CD and NW kept
 *  (table 9-1 note 2: "CD and NW are unchanged, bit 4 is set to 1, all other
 *  bits are cleared"). */
export function initCpu(): void {
  let cd = load<u32>(OFF_CR0) & (CR0_CD | CR0_NW);
  keptByInit(true);
  memory.fill(CPU_STATE, 0, CPU_STATE_SIZE);
  keptByInit(false);
  registersReset(cd | CR0_ET);
}

// What INIT leaves alone, as spans of the state block (state.ts), copied out
// and back around the clearing; the spans between them are what INIT resets
// (registers, the NMI and INIT latches, the interrupt shadow, HLT, CPL, the
// PDPTE registers, VMX operation: INIT is never taken in it, and MONITOR's
// armed address range).
const KEPT_BYTES: u32 = 0x400;
const keptSave: usize = memory.data(<i32>KEPT_BYTES);
@inline function span(off: u32, end: u32, at: u32, save: bool): u32 {
  if (save) memory.copy(keptSave + at, off, end - off); else memory.copy(off, keptSave + at, end - off);
  return at + end - off;
}
function keptByInit(save: bool): void {
  let at: u32 = 0;
  at = span(OFF_TSC, OFF_INHIBIT_IRQ, at, save);     // TSC, instruction count, SYSENTER MSRs, IA32_APIC_BASE
  at = span(OFF_A20, OFF_PDPTE, at, save);           // the A20M# input (a chipset pin), TSC offset, IA32_EFER, IA32_PAT
  at = span(OFF_FPU, OFF_VMX_MODE, at, save);        // x87 and MMX state, MTRRs
  at = span(OFF_VMXON_PTR, OFF_MONITOR_ARMED, at, save); // VMXON and VMCS pointers, IA32_FEATURE_CONTROL
  span(OFF_XMM, CPU_STATE + CPU_STATE_SIZE, at, save); // XMM0-7, MXCSR, IA32_MISC_ENABLE, machine-check MSRs
}

/** The registers RESET and INIT set alike (table 9-1), CR0 = `cr0`. */
function registersReset(cr0: u32): void {
  store<u32>(OFF_EIP, 0xfff0);
  store<u32>(OFF_EFLAGS, 2);
  store<u32>(OFF_CR0, cr0);
  setReg32(R_EDX, cpuSignature());
  store<u32>(OFF_DR + 24, 0xffff0ff0); // DR6
  store<u32>(OFF_DR + 28, 0x00000400); // DR7
  store<u32>(OFF_GDTR_LIMIT, 0xffff);
  store<u32>(OFF_IDTR_LIMIT, 0xffff);
  let data = ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED;
  for (let s: i32 = 0; s < 6; s++) setSegmentCache(s, 0, 0, 0xffff, data, true);
  setSegmentCache(S_CS, 0xf000, 0xffff0000, 0xffff, data, true);
  setSegmentCache(S_LDTR, 0, 0, 0xffff, ATTR_P | 0x2, true);
  setSegmentCache(S_TR, 0, 0, 0xffff, ATTR_P | 0xb, true);
  clearFault();
  setCpl(0);
  csChanged();
  debugRegsChanged();
  clearDataBpHits();
  tlbFlush(false);
}

import { refreshSegmentRanges, cplChanged } from "./segments";
import { debugRegsChanged, clearDataBpHits } from "./debug";
import { jitFlushAll } from "./jit";
/** Recompute caches derived from the state block after the host wrote it.
 *  `reloadPdptes`: the host changed CR3 (a debugger), so PAE's PDPTE registers
 *  follow it; a snapshot restores the registers themselves and passes false. */
export function stateChanged(reloadPdptes: bool = true): void {
  if (reloadPdptes) hostReloadPdptes();
  refreshSegmentRanges();
  cplChanged();
  csChanged();
  debugRegsChanged();
  tlbFlush(false);
  jitFlushAll();
}
