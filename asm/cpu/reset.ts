// Processor state after RESET (SDM vol. 3 §9.1.1, table 9-1).

import { eventsReset } from "./events";
import {
  CPU_STATE, 
} from "../layout";
import {
  CPU_STATE_SIZE, OFF_EIP, OFF_EFLAGS, OFF_CR0, OFF_DR, OFF_GDTR_LIMIT, OFF_IDTR_LIMIT,
  OFF_APIC_BASE, OFF_PAT, OFF_MXCSR, MXCSR_RESET, R_EDX, S_CS, S_LDTR, S_TR, setReg32,
  ATTR_P, ATTR_S, ATTR_RW, ATTR_ACCESSED,
} from "./state";
import { setSegmentCache, csChanged, setCpl } from "./segments";
import { clearFault } from "./fault";
import { tlbFlush, hostReloadPdptes } from "../mmu/paging";
import { fpuReset } from "./x87";
import { miscEnableReset } from "./system";
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

export function resetCpu(): void {
  memory.fill(CPU_STATE, 0, CPU_STATE_SIZE);
  eventsReset();
  store<u32>(OFF_EIP, 0xfff0);
  store<u32>(OFF_EFLAGS, 2);
  store<u32>(OFF_CR0, 0x60000010); // CD NW ET
  setReg32(R_EDX, cpuSignature());
  store<u32>(OFF_DR + 24, 0xffff0ff0); // DR6
  store<u32>(OFF_DR + 28, 0x00000400); // DR7
  store<u32>(OFF_GDTR_LIMIT, 0xffff);
  store<u32>(OFF_IDTR_LIMIT, 0xffff);
  store<u32>(OFF_APIC_BASE, 0xfee00900); // enabled, BSP
  store<u64>(OFF_PAT, PAT_RESET);
  fpuReset();
  store<u32>(OFF_MXCSR, MXCSR_RESET); // XMM0-7 are zero (SDM vol. 3 table 9-1)
  miscEnableReset();
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
