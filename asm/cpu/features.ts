// The CPU model and its features (QEMU's -cpu MODEL[,+FEAT|-FEAT]): chosen by the
// host before reset, read by CPUID (what it reports, system.ts), the reset
// signature (reset.ts), MOV CR4 (CR4.PAE reserved without PAE, CR4.OSXMMEXCPT
// without SSE, CR4.VMXE without VMX, CR4.MCE without MCE), the MSRs (IA32_EFER
// only with NX, IA32_MISC_ENABLE only on the models that have it,
// IA32_FEATURE_CONTROL and IA32_VMX_* only with VMX, the machine-check MSRs only
// with MCA), the page walk, and the SSE instructions (sse.ts: an instruction
// whose CPUID feature is absent is #UD).
//
//   setCpuModel(MODEL_COREDUO); setCpuFeatures(modelFeatures(MODEL_COREDUO)); // then reset
//
// The models, as QEMU 7.2 defines them (target/i386/cpu.c builtin_x86_defs),
// with the features RingZero implements:
//   pentium2  Pentium II, family 6 model 5 stepping 2: MMX, PAE, MCE, MCA
//   pentium3  Pentium III, family 6 model 7 stepping 3: + SSE
//   pentium4  Pentium 4 (Northwood), family 15 model 2 stepping 9: + SSE2,
//             CLFLUSH (QEMU 7.2 has no such model; the values are Intel's, and
//             qemu -cpu pentium3,+sse2,+clflush,family=15,model=2,stepping=9
//             is its stand-in for differential runs)
//   coreduo   Core Duo T2600, family 6 model 14 stepping 8: + SSE3, MONITOR/
//             MWAIT, NX, VME (QEMU's coreduo also lists VMX, which its TCG masks;
//             QEMU's TCG has no VME. A real Pentium II has VME too, but the
//             pentium2/3/4 models match QEMU's TCG for the differential tests:
//             -cpu MODEL,+vme adds it)

export const MODEL_PENTIUM2: u32 = 0;
export const MODEL_PENTIUM3: u32 = 1;
export const MODEL_PENTIUM4: u32 = 2;
export const MODEL_COREDUO: u32 = 3;
export const MODEL_COUNT: u32 = 4;

export const FEAT_PAE: u32 = 1 << 0;  // CPUID.1:EDX.PAE[6]: CR4.PAE, 64-bit page tables
export const FEAT_NX: u32 = 1 << 1;   // CPUID.80000001H:EDX.NX[20]: IA32_EFER.NXE, the XD bit
export const FEAT_VMX: u32 = 1 << 2;  // CPUID.1:ECX.VMX[5]: VT-x (vmx.ts, docs/VMX.md), -cpu MODEL,+vmx
export const FEAT_SSE: u32 = 1 << 3;  // CPUID.1:EDX.SSE[25]: XMM, MXCSR, CR4.OSXMMEXCPT
export const FEAT_SSE2: u32 = 1 << 4; // CPUID.1:EDX.SSE2[26] (and CLFSH[19], which comes with it)
export const FEAT_SSE3: u32 = 1 << 5; // CPUID.1:ECX.SSE3[0] (and MONITOR[3])
export const FEAT_VME: u32 = 1 << 6;  // CPUID.1:EDX.VME[1]: CR4.VME and CR4.PVI (SDM vol. 3 §20.3, §20.4)
// VMX's secondary controls (vmx.ts, docs/VMX.md), QEMU's vmx-ept and vmx-vpid; each only with FEAT_VMX.
export const FEAT_VMX_EPT: u32 = 1 << 7;  // "enable EPT", IA32_VMX_EPT_VPID_CAP's EPT bits, INVEPT
export const FEAT_VMX_VPID: u32 = 1 << 8; // "enable VPID", INVVPID
export const FEAT_VMX_UG: u32 = 1 << 9;   // "unrestricted guest" (QEMU's vmx-unrestricted-guest); only with FEAT_VMX_EPT
export const FEAT_MCE: u32 = 1 << 10; // CPUID.1:EDX.MCE[7]: CR4.MCE, the machine-check exception (mca.ts)
export const FEAT_MCA: u32 = 1 << 11; // CPUID.1:EDX.MCA[14]: IA32_MCG_CAP and the error-reporting banks (mca.ts)
export const FEAT_ALL: u32 = FEAT_PAE | FEAT_NX | FEAT_VMX | FEAT_SSE | FEAT_SSE2 | FEAT_SSE3 | FEAT_VME | FEAT_VMX_EPT | FEAT_VMX_VPID | FEAT_VMX_UG
  | FEAT_MCE | FEAT_MCA;
/** The power-on model before the host names one, pentium2 as QEMU defines it:
 *  PAE, MCE and MCA, no NX. (The host always names one; its default, what users get, is
 *  web/host/cpumodel.ts DEFAULT_CPU_MODEL, the Core Duo.) */
export const FEAT_DEFAULT: u32 = FEAT_PAE | FEAT_MCE | FEAT_MCA;

/** A model's features as QEMU's definition gives them (the host starts from
 *  these and applies -cpu's +FEAT/-FEAT). */
export function modelFeatures(model: u32): u32 {
  switch (model) {
    case MODEL_PENTIUM3: return FEAT_DEFAULT | FEAT_SSE;
    case MODEL_PENTIUM4: return FEAT_DEFAULT | FEAT_SSE | FEAT_SSE2;
    case MODEL_COREDUO: return FEAT_DEFAULT | FEAT_NX | FEAT_SSE | FEAT_SSE2 | FEAT_SSE3 | FEAT_VME;
    default: return FEAT_DEFAULT;
  }
}

/** MAXPHYADDR: 36 for a processor with PAE and no CPUID leaf 80000008H (SDM vol. 3
 *  §4.1.4), and what leaf 80000008H reports on the models that have it. Physical
 *  addresses above 4 GiB have nothing behind them here. */
export const MAXPHYADDR: u32 = 36;

export let cpuModel: u32 = MODEL_PENTIUM2;
export let cpuFeatures: u32 = FEAT_DEFAULT;
export function setCpuModel(m: u32): void { cpuModel = m < MODEL_COUNT ? m : MODEL_PENTIUM2; }
export function setCpuFeatures(f: u32): void {
  if (!(f & FEAT_VMX)) f &= ~(FEAT_VMX_EPT | FEAT_VMX_VPID);
  if (!(f & FEAT_VMX_EPT)) f &= ~FEAT_VMX_UG; // unrestricted guest needs EPT (SDM vol. 3 §26.2.1.1)
  cpuFeatures = f & FEAT_ALL;
}
@inline export function hasFeature(f: u32): bool { return (cpuFeatures & f) != 0; }
