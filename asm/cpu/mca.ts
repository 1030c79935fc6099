// The machine-check architecture's MSRs (SDM vol. 3 ch. 15; vol. 4 table 2-2),
// with the model's MCA feature (features.ts FEAT_MCA; CR4.MCE comes with
// FEAT_MCE, system.ts).
//
// Every model has MCE and MCA, with what QEMU's models report (QEMU is the
// reference for these CPU names): IA32_MCG_CAP gives 10 banks, MCG_CTL_P
// (IA32_MCG_CTL exists) and MCG_SER_P; no CMCI, no threshold status, no
// extended registers, no local machine checks.
//
// Nothing here detects a hardware error, so no bank ever logs one and #MC is
// never raised: each bank's IA32_MCi_STATUS, _ADDR and _MISC read 0, and only 0
// may be written to them (§15.3.2.2-4: writing 1s is #GP(0); QEMU's TCG stores
// whatever is written). What a guest can change is kept:
// - IA32_MCG_STATUS's RIPV, EIPV and MCIP (§15.3.1.2: software may set or clear
//   MCIP; bits 63:3 are reserved, so setting one is #GP(0)).
// - IA32_MCG_CTL and each IA32_MCi_CTL, which take all 1s (report every error)
//   or all 0s; another value is ignored and the register keeps what it held
//   (§15.3.2.1: "P6 family processors only allow the writing of all 1s or all
//   0s"; QEMU ignores it the same way). Both are all 1s after reset, as QEMU
//   sets them (the SDM leaves them undefined); INIT leaves them (table 9-1).
// IA32_MCG_CAP is read-only: writing it is #GP(0) (§15.3.1.1 calls the effect
// undefined; QEMU ignores the write).
//
// State (state.ts OFF_MCA): u32 IA32_MCG_STATUS, then u32 enables: bit i
// IA32_MCi_CTL is all 1s, bit MCG_CTL_ONES IA32_MCG_CTL is.

import { OFF_MCA } from "./state";
import { hasFeature, FEAT_MCA } from "./features";

export const MSR_MCG_CAP: u32 = 0x179;
export const MSR_MCG_STATUS: u32 = 0x17a;
export const MSR_MCG_CTL: u32 = 0x17b;
export const MSR_MC0_CTL: u32 = 0x400; // IA32_MCi_CTL, _STATUS, _ADDR, _MISC at 400H + 4i + 0..3

export const MCA_BANKS: u32 = 10;
const MCG_CTL_P: u32 = 1 << 8;
const MCG_SER_P: u32 = 1 << 24;
export const MCG_CAP_VALUE: u32 = MCG_SER_P | MCG_CTL_P | MCA_BANKS;
const MCG_STATUS_BITS: u32 = 7; // RIPV, EIPV, MCIP

const OFF_MCG_STATUS: u32 = OFF_MCA;
const OFF_MC_ONES: u32 = OFF_MCA + 4;
const MCG_CTL_ONES: u32 = 1 << 31;
const ALL_ONES: u32 = MCG_CTL_ONES | ((1 << MCA_BANKS) - 1);

/** After RESET (reset.ts; INIT keeps them): IA32_MCG_CTL and every IA32_MCi_CTL all 1s. */
export function mcaReset(): void {
  store<u32>(OFF_MCG_STATUS, 0);
  store<u32>(OFF_MC_ONES, ALL_ONES);
}

/** Whether `msr` is one of the machine-check MSRs this model has. */
export function isMcaMsr(msr: u32): bool {
  if (!hasFeature(FEAT_MCA)) return false;
  return (msr >= MSR_MCG_CAP && msr <= MSR_MCG_CTL) || (msr >= MSR_MC0_CTL && msr < MSR_MC0_CTL + 4 * MCA_BANKS);
}

/** RDMSR of a machine-check MSR (isMcaMsr). */
export function mcaRead(msr: u32): u64 {
  if (msr == MSR_MCG_CAP) return MCG_CAP_VALUE;
  if (msr == MSR_MCG_STATUS) return load<u32>(OFF_MCG_STATUS);
  let ones = load<u32>(OFF_MC_ONES);
  if (msr == MSR_MCG_CTL) return (ones & MCG_CTL_ONES) ? U64.MAX_VALUE : 0;
  let i = msr - MSR_MC0_CTL;
  if ((i & 3) != 0) return 0; // STATUS, ADDR, MISC: no error is ever logged
  return (ones & (1 << (i >> 2))) ? U64.MAX_VALUE : 0;
}

/** WRMSR of a machine-check MSR (isMcaMsr); false when the write is #GP(0). */
export function mcaWrite(msr: u32, v: u64): bool {
  if (msr == MSR_MCG_CAP) return false;
  if (msr == MSR_MCG_STATUS) {
    if (v & ~<u64>MCG_STATUS_BITS) return false;
    store<u32>(OFF_MCG_STATUS, <u32>v);
    return true;
  }
  let bit: u32;
  if (msr == MSR_MCG_CTL) bit = MCG_CTL_ONES;
  else {
    let i = msr - MSR_MC0_CTL;
    if ((i & 3) != 0) return v == 0;
    bit = 1 << (i >> 2);
  }
  let ones = load<u32>(OFF_MC_ONES);
  if (v == U64.MAX_VALUE) store<u32>(OFF_MC_ONES, ones | bit);
  else if (v == 0) store<u32>(OFF_MC_ONES, ones & ~bit);
  return true;
}
