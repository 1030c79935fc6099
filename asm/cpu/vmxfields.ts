// The VMCS: field encodings (SDM vol. 3 appendix B) and where this
// implementation keeps each field in the VMCS region in guest memory (SDM vol. 3
// §25.2 leaves the layout to the processor; docs/VMX.md shows it).
//
//   offset 0   revision identifier (bits 30:0) as software writes it
//   offset 4   VMX-abort indicator
//   offset 8   launch state: 0 clear, 1 launched
//   offset 16  the fields, 8 bytes each, in the order of FIELDS below
//
// The processor here keeps no VMCS data cached on chip: VMREAD, VMWRITE, VM entry
// and VM exit read and write the region itself (physical memory), so VMCLEAR has
// nothing to flush and a snapshot needs only guest RAM and the current-VMCS pointer.
// A 32-bit processor (no Intel 64): natural-width fields are 32 bits, 64-bit
// fields are accessed as two halves (the high one with encoding bit 0 set).

import { physRead32, physWrite32 } from "../mmu/phys";

export const VMCS_REVISION: u32 = 0x52; // IA32_VMX_BASIC[30:0]
export const VMCS_SIZE: u32 = 4096;     // IA32_VMX_BASIC[44:32]
export const VMCS_ABORT: u32 = 4;
export const VMCS_LAUNCH: u32 = 8;
const VMCS_DATA: u32 = 16;

// --- 16-bit control ---
export const VPID: u32 = 0x0000;
// --- 16-bit guest and host selectors ---
export const GUEST_ES_SEL: u32 = 0x0800; // ES CS SS DS FS GS LDTR TR: + 2 each
export const GUEST_TR_SEL: u32 = 0x080e;
export const HOST_ES_SEL: u32 = 0x0c00;  // ES CS SS DS FS GS TR: + 2 each
export const HOST_CS_SEL: u32 = 0x0c02;
export const HOST_SS_SEL: u32 = 0x0c04;
export const HOST_DS_SEL: u32 = 0x0c06;
export const HOST_FS_SEL: u32 = 0x0c08;
export const HOST_GS_SEL: u32 = 0x0c0a;
export const HOST_TR_SEL: u32 = 0x0c0c;
// --- 64-bit control, guest ---
export const IO_BITMAP_A: u32 = 0x2000;
export const IO_BITMAP_B: u32 = 0x2002;
export const MSR_BITMAP: u32 = 0x2004;
export const EXIT_MSR_STORE_ADDR: u32 = 0x2006;
export const EXIT_MSR_LOAD_ADDR: u32 = 0x2008;
export const ENTRY_MSR_LOAD_ADDR: u32 = 0x200a;
export const EXECUTIVE_VMCS_PTR: u32 = 0x200c;
export const TSC_OFFSET: u32 = 0x2010;
export const VIRTUAL_APIC_ADDR: u32 = 0x2012;
export const EPT_POINTER: u32 = 0x201a;
// --- 64-bit read-only data ---
export const GUEST_PHYS_ADDR: u32 = 0x2400;
export const VMCS_LINK_PTR: u32 = 0x2800;
export const GUEST_DEBUGCTL: u32 = 0x2802;
export const GUEST_PDPTE0: u32 = 0x280a; // PDPTE0-3: + 2 each
// --- 32-bit control ---
export const PIN_CTLS: u32 = 0x4000;
export const PROC_CTLS: u32 = 0x4002;
export const EXCEPTION_BITMAP: u32 = 0x4004;
export const PF_ERROR_MASK: u32 = 0x4006;
export const PF_ERROR_MATCH: u32 = 0x4008;
export const CR3_TARGET_COUNT: u32 = 0x400a;
export const EXIT_CTLS: u32 = 0x400c;
export const EXIT_MSR_STORE_COUNT: u32 = 0x400e;
export const EXIT_MSR_LOAD_COUNT: u32 = 0x4010;
export const ENTRY_CTLS: u32 = 0x4012;
export const ENTRY_MSR_LOAD_COUNT: u32 = 0x4014;
export const ENTRY_INTR_INFO: u32 = 0x4016;
export const ENTRY_EXC_ERROR: u32 = 0x4018;
export const ENTRY_INSTR_LEN: u32 = 0x401a;
export const TPR_THRESHOLD: u32 = 0x401c;
export const PROC_CTLS2: u32 = 0x401e;
// --- 32-bit read-only data ---
export const VM_INSTR_ERROR: u32 = 0x4400;
export const EXIT_REASON: u32 = 0x4402;
export const EXIT_INTR_INFO: u32 = 0x4404;
export const EXIT_INTR_ERROR: u32 = 0x4406;
export const IDT_VECTORING_INFO: u32 = 0x4408;
export const IDT_VECTORING_ERROR: u32 = 0x440a;
export const EXIT_INSTR_LEN: u32 = 0x440c;
export const EXIT_INSTR_INFO: u32 = 0x440e;
// --- 32-bit guest and host ---
export const GUEST_ES_LIMIT: u32 = 0x4800; // ES CS SS DS FS GS LDTR TR: + 2 each
export const GUEST_GDTR_LIMIT: u32 = 0x4810;
export const GUEST_IDTR_LIMIT: u32 = 0x4812;
export const GUEST_ES_AR: u32 = 0x4814;    // ES CS SS DS FS GS LDTR TR: + 2 each
export const GUEST_INTERRUPTIBILITY: u32 = 0x4824;
export const GUEST_ACTIVITY: u32 = 0x4826;
export const GUEST_SMBASE: u32 = 0x4828;
export const GUEST_SYSENTER_CS: u32 = 0x482a;
export const PREEMPT_TIMER_VALUE: u32 = 0x482e;
export const HOST_SYSENTER_CS: u32 = 0x4c00;
// --- natural-width control ---
export const CR0_MASK: u32 = 0x6000;
export const CR4_MASK: u32 = 0x6002;
export const CR0_SHADOW: u32 = 0x6004;
export const CR4_SHADOW: u32 = 0x6006;
export const CR3_TARGET0: u32 = 0x6008; // 0-3: + 2 each
// --- natural-width read-only data ---
export const EXIT_QUALIFICATION: u32 = 0x6400;
export const IO_RCX: u32 = 0x6402;
export const IO_RSI: u32 = 0x6404;
export const IO_RDI: u32 = 0x6406;
export const IO_RIP: u32 = 0x6408;
export const GUEST_LINEAR_ADDR: u32 = 0x640a;
// --- natural-width guest and host ---
export const GUEST_CR0: u32 = 0x6800;
export const GUEST_CR3: u32 = 0x6802;
export const GUEST_CR4: u32 = 0x6804;
export const GUEST_ES_BASE: u32 = 0x6806; // ES CS SS DS FS GS LDTR TR: + 2 each
export const GUEST_GDTR_BASE: u32 = 0x6816;
export const GUEST_IDTR_BASE: u32 = 0x6818;
export const GUEST_DR7: u32 = 0x681a;
export const GUEST_RSP: u32 = 0x681c;
export const GUEST_RIP: u32 = 0x681e;
export const GUEST_RFLAGS: u32 = 0x6820;
export const GUEST_PENDING_DBG: u32 = 0x6822;
export const GUEST_SYSENTER_ESP: u32 = 0x6824;
export const GUEST_SYSENTER_EIP: u32 = 0x6826;
export const HOST_CR0: u32 = 0x6c00;
export const HOST_CR3: u32 = 0x6c02;
export const HOST_CR4: u32 = 0x6c04;
export const HOST_FS_BASE: u32 = 0x6c06;
export const HOST_GS_BASE: u32 = 0x6c08;
export const HOST_TR_BASE: u32 = 0x6c0a;
export const HOST_GDTR_BASE: u32 = 0x6c0c;
export const HOST_IDTR_BASE: u32 = 0x6c0e;
export const HOST_SYSENTER_ESP: u32 = 0x6c10;
export const HOST_SYSENTER_EIP: u32 = 0x6c12;
export const HOST_RSP: u32 = 0x6c14;
export const HOST_RIP: u32 = 0x6c16;

/** Every field this processor has, in storage order (a 64-bit field is one
 *  entry, its full encoding). */
const FIELDS: StaticArray<u16> = [
  0x0800, 0x0802, 0x0804, 0x0806, 0x0808, 0x080a, 0x080c, 0x080e,
  0x0c00, 0x0c02, 0x0c04, 0x0c06, 0x0c08, 0x0c0a, 0x0c0c,
  0x2000, 0x2002, 0x2004, 0x2006, 0x2008, 0x200a, 0x200c, 0x2010,
  0x2800, 0x2802,
  0x4000, 0x4002, 0x4004, 0x4006, 0x4008, 0x400a, 0x400c, 0x400e, 0x4010, 0x4012, 0x4014, 0x4016, 0x4018, 0x401a,
  0x4400, 0x4402, 0x4404, 0x4406, 0x4408, 0x440a, 0x440c, 0x440e,
  0x4800, 0x4802, 0x4804, 0x4806, 0x4808, 0x480a, 0x480c, 0x480e, 0x4810, 0x4812,
  0x4814, 0x4816, 0x4818, 0x481a, 0x481c, 0x481e, 0x4820, 0x4822, 0x4824, 0x4826, 0x4828, 0x482a,
  0x4c00,
  0x6000, 0x6002, 0x6004, 0x6006, 0x6008, 0x600a, 0x600c, 0x600e,
  0x6400, 0x6402, 0x6404, 0x6406, 0x6408, 0x640a,
  0x6800, 0x6802, 0x6804, 0x6806, 0x6808, 0x680a, 0x680c, 0x680e, 0x6810, 0x6812, 0x6814, 0x6816,
  0x6818, 0x681a, 0x681c, 0x681e, 0x6820, 0x6822, 0x6824, 0x6826,
  0x6c00, 0x6c02, 0x6c04, 0x6c06, 0x6c08, 0x6c0a, 0x6c0c, 0x6c0e, 0x6c10, 0x6c12, 0x6c14, 0x6c16,
  // Added with the TPR shadow and the VMX-preemption timer, after the others so
  // that their places stay where they were.
  0x2012, 0x401c, 0x482e,
  // Added with EPT and VPID; they exist only on a processor with the feature (fieldOffset).
  0x0000, 0x401e, 0x201a, 0x2400, 0x280a, 0x280c, 0x280e, 0x2810,
];
/** IA32_VMX_VMCS_ENUM: the highest index (encoding bits 9:1) of any field above
 *  is 17H (the VMX-preemption timer value, 482EH). */
export const VMCS_MAX_INDEX: u32 = 0x17;

// Lookup: (width, type) selects one of 16 rows, the index one of 32 columns;
// the byte is the field's position in FIELDS + 1 (0: no such field).
const LOOKUP: usize = memory.data(16 * 32);
let lookupReady: bool = false;
function buildLookup(): void {
  for (let i = 0; i < FIELDS.length; i++) {
    let e = <u32>FIELDS[i];
    store<u8>(LOOKUP + row(e) * 32 + ((e >> 1) & 0x1f), <u8>(i + 1));
  }
  lookupReady = true;
}
@inline function row(e: u32): u32 { return ((e >> 13) & 3) << 2 | ((e >> 10) & 3); }

export const WIDTH_16: u32 = 0;
export const WIDTH_64: u32 = 1;
export const WIDTH_32: u32 = 2;
export const WIDTH_NATURAL: u32 = 3;
@inline export function fieldWidth(e: u32): u32 { return (e >> 13) & 3; }
/** Encoding bits 11:10: 0 control, 1 VM-exit information (read-only), 2 guest, 3 host. */
@inline export function fieldReadOnly(e: u32): bool { return ((e >> 10) & 3) == 1; }

/** The byte offset in the VMCS region of field `e` (for a 64-bit field's high
 *  half, of that half), or -1 when this processor has no such field (SDM vol. 3
 *  §24.11.2: bits 31:15 and 12 are 0; bit 0, the high access, only for 64-bit). */
export function fieldOffset(e: u32): i32 {
  if (!lookupReady) buildLookup();
  if (e & 0xffff9000) return -1;
  let high = e & 1;
  if (high && fieldWidth(e) != WIDTH_64) return -1;
  let idx = (e >> 1) & 0x1ff;
  if (idx >= 32) return -1;
  let n = <u32>load<u8>(LOOKUP + row(e) * 32 + idx);
  if (n == 0 || !featureHas(e & ~1)) return -1;
  return <i32>(VMCS_DATA + (n - 1) * 8 + high * 4);
}

/** The secondary controls' fields exist only with the features that use
 *  them: the VPID with "enable VPID", the EPT pointer, guest-physical address
 *  and guest PDPTEs with "enable EPT", the secondary controls with either. */
function featureHas(e: u32): bool {
  switch (e) {
    case VPID: return hasFeature(FEAT_VMX_VPID);
    case PROC_CTLS2: return hasFeature(FEAT_VMX_EPT | FEAT_VMX_VPID);
    case EPT_POINTER: case GUEST_PHYS_ADDR: case GUEST_PDPTE0: case GUEST_PDPTE0 + 2: case GUEST_PDPTE0 + 4:
    case GUEST_PDPTE0 + 6: return hasFeature(FEAT_VMX_EPT);
    default: return true;
  }
}
import { hasFeature, FEAT_VMX_EPT, FEAT_VMX_VPID } from "./features";

// The current VMCS (state.ts OFF_VMCS_PTR); the callers have checked it is valid.
import { OFF_VMCS_PTR } from "./state";
@inline function vmcsBase(): u32 { return <u32>load<u64>(OFF_VMCS_PTR); }

/** Read field `e` of the current VMCS (16/32-bit and natural fields whole, a
 *  64-bit field's low half). `e` must be one of the constants above. */
export function vmread(e: u32): u32 { return physRead32(vmcsBase() + <u32>fieldOffset(e)); }
export function vmread64(e: u32): u64 {
  let a = vmcsBase() + <u32>fieldOffset(e);
  return <u64>physRead32(a) | (<u64>physRead32(a + 4) << 32);
}
export function vmwrite(e: u32, v: u32): void {
  if (fieldWidth(e) == WIDTH_16) v &= 0xffff;
  let a = vmcsBase() + <u32>fieldOffset(e);
  physWrite32(a, v);
  if (fieldWidth(e) != WIDTH_64) physWrite32(a + 4, 0);
}
