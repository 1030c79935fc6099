// The CPU model's optional features (QEMU's -cpu pentium2,+nx / -pae): chosen by
// the host before reset, read by CPUID (what it reports), MOV CR4 (CR4.PAE is
// reserved without PAE), the MSRs (IA32_EFER exists only with NX) and the page
// walk. Everything else about the model is fixed (system.ts).
//
//   setCpuFeatures(FEAT_PAE | FEAT_NX); // then reset

export const FEAT_PAE: u32 = 1 << 0;  // CPUID.1:EDX.PAE[6]: CR4.PAE, 64-bit page tables
export const FEAT_NX: u32 = 1 << 1;   // CPUID.80000001H:EDX.NX[20]: IA32_EFER.NXE, the XD bit
export const FEAT_ALL: u32 = FEAT_PAE | FEAT_NX;
/** The pentium2 model as QEMU defines it: PAE, no NX. */
export const FEAT_DEFAULT: u32 = FEAT_PAE;

/** MAXPHYADDR: 36 for a processor with PAE and no CPUID leaf 80000008H (SDM vol. 3
 *  §4.1.4). Physical addresses above 4 GiB have nothing behind them here. */
export const MAXPHYADDR: u32 = 36;

export let cpuFeatures: u32 = FEAT_DEFAULT;
export function setCpuFeatures(f: u32): void { cpuFeatures = f & FEAT_ALL; }
@inline export function hasFeature(f: u32): bool { return (cpuFeatures & f) != 0; }
