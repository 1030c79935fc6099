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
  /** Virtual-8086 mode extensions (CPUID.1:EDX.VME): CR4.VME and CR4.PVI. */
  vme: boolean;
  /** VMX's "enable EPT" secondary control, INVEPT (docs/VMX.md); acts only with vmx. */
  "vmx-ept": boolean;
  /** VMX's "enable VPID" secondary control, INVVPID; acts only with vmx. */
  "vmx-vpid": boolean;
  /** VMX's "unrestricted guest" secondary control; acts only with vmx and vmx-ept. */
  "vmx-unrestricted-guest": boolean;
  /** Machine-check exception (CPUID.1:EDX.MCE): CR4.MCE. */
  mce: boolean;
  /** Machine-check architecture (CPUID.1:EDX.MCA): IA32_MCG_CAP and the error-reporting banks' MSRs. */
  mca: boolean;
}

export const FEAT_PAE = 1 << 0;
export const FEAT_NX = 1 << 1;
export const FEAT_VMX = 1 << 2;
export const FEAT_SSE = 1 << 3;
export const FEAT_SSE2 = 1 << 4;
export const FEAT_SSE3 = 1 << 5;
export const FEAT_VME = 1 << 6;
export const FEAT_VMX_EPT = 1 << 7;
export const FEAT_VMX_VPID = 1 << 8;
export const FEAT_VMX_UG = 1 << 9;
export const FEAT_MCE = 1 << 10;
export const FEAT_MCA = 1 << 11;

export interface CpuModelInfo { id: number; description: string; features: CpuFeatureSet }

export const CPU_MODELS: Record<CpuModelName, CpuModelInfo> = {
  pentium2: { id: 0, description: "Pentium II (MMX, PAE)", features: { pae: true, nx: false, sse: false, sse2: false, pni: false, vmx: false, vme: false, "vmx-ept": false, "vmx-vpid": false, "vmx-unrestricted-guest": false, mce: true, mca: true } },
  pentium3: { id: 1, description: "Pentium III (+ SSE)", features: { pae: true, nx: false, sse: true, sse2: false, pni: false, vmx: false, vme: false, "vmx-ept": false, "vmx-vpid": false, "vmx-unrestricted-guest": false, mce: true, mca: true } },
  pentium4: { id: 2, description: "Pentium 4 (+ SSE2)", features: { pae: true, nx: false, sse: true, sse2: true, pni: false, vmx: false, vme: false, "vmx-ept": false, "vmx-vpid": false, "vmx-unrestricted-guest": false, mce: true, mca: true } },
  coreduo: { id: 3, description: "Core Duo (+ SSE3, NX, VME)", features: { pae: true, nx: true, sse: true, sse2: true, pni: true, vmx: false, vme: true, "vmx-ept": false, "vmx-vpid": false, "vmx-unrestricted-guest": false, mce: true, mca: true } },
};

/** The machine's CPU when none is named (the CLI without -cpu, the page, the
 *  package): the Core Duo, the most capable model. Programs that compare with a
 *  Pentium II (the instruction tests against qemu -cpu pentium2) name it. */
export const DEFAULT_CPU_MODEL: CpuModelName = "coreduo";

export const isCpuModel = (m: string): m is CpuModelName => Object.hasOwn(CPU_MODELS, m);

/** The bits asm/cpu/features.ts setCpuFeatures takes. */
export function featureBits(f: CpuFeatureSet): number {
  return (f.pae ? FEAT_PAE : 0) | (f.nx ? FEAT_NX : 0) | (f.sse ? FEAT_SSE : 0) | (f.sse2 ? FEAT_SSE2 : 0) | (f.pni ? FEAT_SSE3 : 0) | (f.vmx ? FEAT_VMX : 0) | (f.vme ? FEAT_VME : 0)
    | (f["vmx-ept"] ? FEAT_VMX_EPT : 0) | (f["vmx-vpid"] ? FEAT_VMX_VPID : 0) | (f["vmx-unrestricted-guest"] ? FEAT_VMX_UG : 0)
    | (f.mce ? FEAT_MCE : 0) | (f.mca ? FEAT_MCA : 0);
}

// ---- -cpu MODEL[,+FEAT|-FEAT|FEAT=on|off]... (the CLI's -cpu, the page's ?cpu=) ----

/** A model and its features. */
export interface CpuConfig extends CpuFeatureSet { model: CpuModelName }

/** Features -cpu can switch, by QEMU's names ("sse3" is QEMU's alias of pni). */
const CPU_FEATURES = ["pae", "nx", "sse", "sse2", "pni", "vmx", "vme", "vmx-ept", "vmx-vpid", "vmx-unrestricted-guest", "mce", "mca"] as const;
type CpuFeature = (typeof CPU_FEATURES)[number];
const CPU_FEATURE_ALIASES: Record<string, CpuFeature> = { sse3: "pni" };
const isCpuFeature = (f: string): f is CpuFeature => (CPU_FEATURES as readonly string[]).includes(f);
const modelList = () => Object.keys(CPU_MODELS).join(", ");

/** A -cpu text RingZero cannot build; the message starts with the text. */
export class CpuSpecError extends Error {}

/** The model's own configuration (QEMU's definition). */
export function cpuDefaults(model: CpuModelName): CpuConfig {
  return { model, ...CPU_MODELS[model].features };
}

/** The -cpu a configuration amounts to, with only the features that differ from
 *  the model's (record/replay and snapshots compare it). */
export function cpuName(c: CpuConfig): string {
  const d = CPU_MODELS[c.model].features;
  return c.model + CPU_FEATURES.filter((f) => c[f] !== d[f]).map((f) => (c[f] ? `,+${f}` : `,-${f}`)).join("");
}

/** The embedding API's `cpu` option: undefined, or the -cpu text as cpuName
 *  writes it; a wrong one is a RangeError naming it. */
export function cpuOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return cpuName(parseCpuSpec(text));
  } catch (e) {
    throw e instanceof CpuSpecError ? new RangeError(`cpu ${e.message}`) : e;
  }
}

/** QEMU's MODEL[,+FEAT|-FEAT|FEAT=on|off]... for the models and features
 *  RingZero has; any other model or feature is an error naming it. */
export function parseCpuSpec(text: string): CpuConfig {
  const [model, ...opts] = text.split(",");
  if (!isCpuModel(model)) throw new CpuSpecError(`${text}: unsupported CPU model "${model}" (RingZero has ${modelList()})`);
  const c = cpuDefaults(model);
  for (const o of opts) {
    let name: string, on: boolean;
    const kv = /^([\w.-]+)=(on|off|true|false)$/.exec(o);
    if (o.startsWith("+") || o.startsWith("-")) { name = o.slice(1); on = o[0] === "+"; }
    else if (kv) { name = kv[1]; on = kv[2] === "on" || kv[2] === "true"; }
    else throw new CpuSpecError(`${text}: "${o}" is not a feature setting (+FEATURE, -FEATURE or FEATURE=on|off)`);
    name = CPU_FEATURE_ALIASES[name] ?? name;
    if (!isCpuFeature(name)) throw new CpuSpecError(`${text}: unsupported CPU feature "${name}" (RingZero can switch ${CPU_FEATURES.join(", ")})`);
    c[name] = on;
  }
  return c;
}
