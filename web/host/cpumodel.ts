// The CPU models RingZero has, with QEMU's names (-cpu MODEL), and the feature
// bits the machine takes (asm/cpu/features.ts MODEL_* and FEAT_*; the numbers
// are checked against that file by tests/unit/cpustate.test.ts). The defaults
// of each model are QEMU's definition with what RingZero implements (asm/cpu/
// features.ts says what differs).

export type CpuModelName = "pentium2" | "pentium3" | "pentium4" | "coreduo";

/** The features -cpu can switch (+FEAT / -FEAT / FEAT=on|off), by QEMU's names. */
export interface CpuFeatureSet {
  /** PAE paging: CPUID.PAE, CR4.PAE. */
  pae: boolean;
  /** Execute-disable: CPUID.80000001H NX, IA32_EFER.NXE. */
  nx: boolean;
  /** SSE: XMM registers, MXCSR, CR4.OSXMMEXCPT (CPUID.1:EDX.SSE). */
  sse: boolean;
  /** SSE2 and CLFLUSH (CPUID.1:EDX.SSE2, CLFSH). */
  sse2: boolean;
  /** SSE3, QEMU's "pni" (CPUID.1:ECX.SSE3). */
  pni: boolean;
  /** VT-x (CPUID.1:ECX.VMX, docs/VMX.md); off in every model until -cpu MODEL,+vmx. */
  vmx: boolean;
}

export const FEAT_PAE = 1 << 0;
export const FEAT_NX = 1 << 1;
export const FEAT_VMX = 1 << 2;
export const FEAT_SSE = 1 << 3;
export const FEAT_SSE2 = 1 << 4;
export const FEAT_SSE3 = 1 << 5;

export interface CpuModelInfo { id: number; description: string; features: CpuFeatureSet }

export const CPU_MODELS: Record<CpuModelName, CpuModelInfo> = {
  pentium2: { id: 0, description: "Pentium II (MMX, PAE)", features: { pae: true, nx: false, sse: false, sse2: false, pni: false, vmx: false } },
  pentium3: { id: 1, description: "Pentium III (+ SSE)", features: { pae: true, nx: false, sse: true, sse2: false, pni: false, vmx: false } },
  pentium4: { id: 2, description: "Pentium 4 (+ SSE2)", features: { pae: true, nx: false, sse: true, sse2: true, pni: false, vmx: false } },
  coreduo: { id: 3, description: "Core Duo (+ SSE3, NX)", features: { pae: true, nx: true, sse: true, sse2: true, pni: true, vmx: false } },
};

/** The machine's CPU when none is named (the CLI without -cpu, the page, the
 *  package): the Core Duo, the most capable model. Programs that compare with a
 *  Pentium II (the instruction tests against qemu -cpu pentium2) name it. */
export const DEFAULT_CPU_MODEL: CpuModelName = "coreduo";

export const isCpuModel = (m: string): m is CpuModelName => Object.hasOwn(CPU_MODELS, m);

/** The bits asm/cpu/features.ts setCpuFeatures takes. */
export function featureBits(f: CpuFeatureSet): number {
  return (f.pae ? FEAT_PAE : 0) | (f.nx ? FEAT_NX : 0) | (f.sse ? FEAT_SSE : 0) | (f.sse2 ? FEAT_SSE2 : 0) | (f.pni ? FEAT_SSE3 : 0) | (f.vmx ? FEAT_VMX : 0);
}
