// The CPU model's optional features (QEMU's -cpu pentium2,+nx / -pae / +vmx):
// chosen by the host before reset, read by CPUID (what it reports), MOV CR4
// (CR4.PAE is reserved without PAE, CR4.VMXE without VMX), the MSRs (IA32_EFER
// exists only with NX, IA32_FEATURE_CONTROL and IA32_VMX_* only with VMX) and
// the page walk. Everything else about the model is fixed (system.ts).
//
//   setCpuFeatures(FEAT_PAE | FEAT_NX); // then reset

export const FEAT_PAE: u32 = 1 << 0;  // CPUID.1:EDX.PAE[6]: CR4.PAE, 64-bit page tables
export const FEAT_NX: u32 = 1 << 1;   // CPUID.80000001H:EDX.NX[20]: IA32_EFER.NXE, the XD bit
export const FEAT_VMX: u32 = 1 << 2;  // CPUID.1:ECX.VMX[5]: VT-x (vmx.ts, docs/VMX.md)
export const FEAT_ALL: u32 = FEAT_PAE | FEAT_NX | FEAT_VMX;
/** The pentium2 model as QEMU defines it: PAE, no NX. */
export const FEAT_DEFAULT: u32 = FEAT_PAE;

/** MAXPHYADDR: 36 for a processor with PAE and no CPUID leaf 80000008H (SDM vol. 3
 *  §4.1.4). Physical addresses above 4 GiB have nothing behind them here. */
export const MAXPHYADDR: u32 = 36;

export let cpuFeatures: u32 = FEAT_DEFAULT;
export function setCpuFeatures(f: u32): void { cpuFeatures = f & FEAT_ALL; }
@inline export function hasFeature(f: u32): bool { return (cpuFeatures & f) != 0; }
