// The current VMCS decoded, for the inspector's VMCS panel, the lab API
// (ringzero.vmcs()) and the monitor's `info vmcs`. The machine keeps nothing of a
// VMCS on the chip (docs/VMX.md): the fields live in the VMCS region in guest
// physical memory, where VMREAD and VMWRITE find them; the byte offset of each
// field comes from the machine itself (asm/cpu/vmxfields.ts fieldOffset, exported
// as vmcsFieldOffset), so this file only names them. Names and groups are the
// SDM's (vol. 3 appendix B, field encodings; ch. 24, the VMCS's contents).

import type { Machine } from "./machine";
import { EXIT_REASONS } from "./events";

export type VmcsGroup = "control" | "exit information" | "guest state" | "host state";

/** One field of the current VMCS: a 64-bit field's value is a bigint (the VMCS
 *  link pointer is all ones when unused), the others' a number. */
export interface VmcsField { encoding: number; name: string; group: VmcsGroup; value: number | bigint }

export interface VmcsView {
  /** Physical address of the VMCS region (the current-VMCS pointer). */
  address: number;
  /** Bits 30:0 of the region's first word (52H for this processor's VMCSs). */
  revision: number;
  /** The VMX-abort indicator (offset 4). */
  abort: number;
  /** The launch state: true after VMLAUNCH, false after VMCLEAR. */
  launched: boolean;
  /** Every field this processor has (with its CPU features), in encoding order. */
  fields: VmcsField[];
}

const SEGS = ["ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR"];
const each = (base: number, names: string[], f: (n: string) => string): [number, string][] =>
  names.map((n, i) => [base + 2 * i, f(n)]);

/** Every field this processor can have by encoding (the machine's FIELDS list,
 *  SDM appendix B); the VPID, EPT and secondary-control fields exist only with
 *  -cpu ...,+vmx-ept / +vmx-vpid, and readVmcs leaves out those the machine
 *  lacks. tests/guest/vmx.test.ts checks the list against the machine's. */
export const VMCS_FIELDS: [number, string][] = [
  [0x0000, "virtual-processor identifier (VPID)"],
  ...each(0x0800, SEGS, (s) => `guest ${s} selector`),
  ...each(0x0c00, ["ES", "CS", "SS", "DS", "FS", "GS", "TR"], (s) => `host ${s} selector`),
  [0x2000, "I/O bitmap A address"], [0x2002, "I/O bitmap B address"], [0x2004, "MSR bitmaps address"],
  [0x2006, "VM-exit MSR-store address"], [0x2008, "VM-exit MSR-load address"], [0x200a, "VM-entry MSR-load address"],
  [0x200c, "executive-VMCS pointer"], [0x2010, "TSC offset"], [0x2012, "virtual-APIC address"],
  [0x201a, "EPT pointer"], [0x2400, "guest-physical address"],
  [0x2800, "VMCS link pointer"], [0x2802, "guest IA32_DEBUGCTL"],
  ...each(0x280a, ["0", "1", "2", "3"], (n) => `guest PDPTE${n}`),
  [0x4000, "pin-based VM-execution controls"], [0x4002, "primary processor-based VM-execution controls"],
  [0x4004, "exception bitmap"], [0x4006, "page-fault error-code mask"], [0x4008, "page-fault error-code match"],
  [0x400a, "CR3-target count"], [0x400c, "VM-exit controls"], [0x400e, "VM-exit MSR-store count"],
  [0x4010, "VM-exit MSR-load count"], [0x4012, "VM-entry controls"], [0x4014, "VM-entry MSR-load count"],
  [0x4016, "VM-entry interruption information"], [0x4018, "VM-entry exception error code"],
  [0x401a, "VM-entry instruction length"], [0x401c, "TPR threshold"],
  [0x401e, "secondary processor-based VM-execution controls"],
  [0x4400, "VM-instruction error"], [0x4402, "exit reason"], [0x4404, "VM-exit interruption information"],
  [0x4406, "VM-exit interruption error code"], [0x4408, "IDT-vectoring information"],
  [0x440a, "IDT-vectoring error code"], [0x440c, "VM-exit instruction length"],
  [0x440e, "VM-exit instruction information"],
  ...each(0x4800, SEGS, (s) => `guest ${s} limit`),
  [0x4810, "guest GDTR limit"], [0x4812, "guest IDTR limit"],
  ...each(0x4814, SEGS, (s) => `guest ${s} access rights`),
  [0x4824, "guest interruptibility state"], [0x4826, "guest activity state"], [0x4828, "guest SMBASE"],
  [0x482a, "guest IA32_SYSENTER_CS"], [0x482e, "VMX-preemption timer value"],
  [0x4c00, "host IA32_SYSENTER_CS"],
  [0x6000, "CR0 guest/host mask"], [0x6002, "CR4 guest/host mask"], [0x6004, "CR0 read shadow"],
  [0x6006, "CR4 read shadow"], ...each(0x6008, ["0", "1", "2", "3"], (n) => `CR3-target value ${n}`),
  [0x6400, "exit qualification"], [0x6402, "I/O RCX"], [0x6404, "I/O RSI"], [0x6406, "I/O RDI"],
  [0x6408, "I/O RIP"], [0x640a, "guest-linear address"],
  [0x6800, "guest CR0"], [0x6802, "guest CR3"], [0x6804, "guest CR4"],
  ...each(0x6806, SEGS, (s) => `guest ${s} base`),
  [0x6816, "guest GDTR base"], [0x6818, "guest IDTR base"], [0x681a, "guest DR7"], [0x681c, "guest RSP"],
  [0x681e, "guest RIP"], [0x6820, "guest RFLAGS"], [0x6822, "guest pending debug exceptions"],
  [0x6824, "guest IA32_SYSENTER_ESP"], [0x6826, "guest IA32_SYSENTER_EIP"],
  [0x6c00, "host CR0"], [0x6c02, "host CR3"], [0x6c04, "host CR4"], [0x6c06, "host FS base"],
  [0x6c08, "host GS base"], [0x6c0a, "host TR base"], [0x6c0c, "host GDTR base"], [0x6c0e, "host IDTR base"],
  [0x6c10, "host IA32_SYSENTER_ESP"], [0x6c12, "host IA32_SYSENTER_EIP"], [0x6c14, "host RSP"], [0x6c16, "host RIP"],
];

/** The size of a VMCS region (IA32_VMX_BASIC[44:32], asm/cpu/vmxfields.ts VMCS_SIZE). */
const VMCS_REGION_SIZE = 4096;

/** Encoding bits 11:10 (SDM vol. 3 §24.11.2). */
const groupOf = (e: number): VmcsGroup => (["control", "exit information", "guest state", "host state"] as const)[(e >> 10) & 3];
/** Encoding bits 14:13: 1 is a 64-bit field. */
const is64 = (e: number) => ((e >> 13) & 3) === 1;

/** The current VMCS, or null outside VMX operation or with no current VMCS. */
export function readVmcs(m: Machine): VmcsView | null {
  const { vmcs: address } = m.vmx();
  if (address === null) return null;
  // The region whole, in one read (IA32_VMX_BASIC: 4096 bytes, 4 KiB aligned).
  const b = m.readPhysical(address, VMCS_REGION_SIZE);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const fields = VMCS_FIELDS.filter(([e]) => m.vmcsFieldOffset(e) >= 0).map(([encoding, name]): VmcsField => {
    const off = m.vmcsFieldOffset(encoding);
    const lo = v.getUint32(off, true), hi = v.getUint32(off + 4, true);
    return { encoding, name, group: groupOf(encoding), value: is64(encoding) ? BigInt(hi) << 32n | BigInt(lo) : lo };
  });
  return { address, revision: v.getUint32(0, true) & 0x7fffffff, abort: v.getUint32(4, true), launched: v.getUint32(8, true) === 1, fields };
}

// Control bits by name (SDM vol. 3 tables 24-5, 24-6, 24-13, 24-15), those this
// processor can set or must keep (docs/VMX.md).
const PIN: [number, string][] = [[0, "external-interrupt exiting"], [3, "NMI exiting"], [5, "virtual NMIs"], [6, "activate VMX-preemption timer"]];
const PROC: [number, string][] = [[2, "interrupt-window exiting"], [3, "use TSC offsetting"], [7, "HLT exiting"],
  [9, "INVLPG exiting"], [10, "MWAIT exiting"], [11, "RDPMC exiting"], [12, "RDTSC exiting"], [15, "CR3-load exiting"],
  [16, "CR3-store exiting"], [19, "CR8-load exiting"], [20, "CR8-store exiting"], [21, "use TPR shadow"], [22, "NMI-window exiting"],
  [23, "MOV-DR exiting"], [24, "unconditional I/O exiting"], [25, "use I/O bitmaps"], [27, "monitor trap flag"],
  [28, "use MSR bitmaps"], [29, "MONITOR exiting"], [30, "PAUSE exiting"], [31, "activate secondary controls"]];
const EXIT: [number, string][] = [[2, "save debug controls"], [9, "host address-space size"], [15, "acknowledge interrupt on exit"],
  [22, "save VMX-preemption timer value"]];
const ENTRY: [number, string][] = [[2, "load debug controls"], [9, "IA-32e mode guest"], [10, "entry to SMM"]];
const PROC2: [number, string][] = [[1, "enable EPT"], [5, "enable VPID"], [7, "unrestricted guest"]];
const bits = (v: number, names: [number, string][]) => names.filter(([b]) => (v >>> b) & 1).map(([, n]) => n).join(", ");

const hex = (v: number | bigint, digits = 8) => v.toString(16).padStart(digits, "0");

/** What a field's value means, where the SDM gives it one. */
function meaning(e: number, v: number): string {
  switch (e) {
    case 0x4000: return bits(v, PIN);
    case 0x4002: return bits(v, PROC);
    case 0x401e: return bits(v, PROC2);
    case 0x400c: return bits(v, EXIT);
    case 0x4012: return bits(v, ENTRY);
    case 0x4402: return `${(v & 0x80000000) !== 0 ? "VM-entry failure: " : ""}${EXIT_REASONS[v & 0xffff] ?? `reason ${v & 0xffff}`}`;
    case 0x4404: case 0x4408: case 0x4016:
      return v & 0x80000000 ? `valid, vector ${v & 0xff}, type ${(v >> 8) & 7}${v & 0x800 ? ", error code" : ""}` : "not valid";
    case 0x4826: return ["active", "HLT", "shutdown", "wait-for-SIPI"][v] ?? "";
    default: return "";
  }
}

/** The view as text: one field a line, grouped, values in hex, meanings after. */
export function vmcsText(v: VmcsView): string {
  let s = `VMCS at ${hex(v.address)}: revision ${hex(v.revision, 1)}h, ${v.launched ? "launched" : "clear"}, abort indicator ${v.abort}\n`;
  for (const group of ["control", "exit information", "guest state", "host state"] as const) {
    s += `${group}:\n`;
    for (const f of v.fields) {
      if (f.group !== group) continue;
      const m = typeof f.value === "number" ? meaning(f.encoding, f.value) : "";
      s += `  ${hex(f.encoding, 4)} ${f.name.padEnd(46)} ${hex(f.value, is64(f.encoding) ? 16 : 8)}${m ? `  (${m})` : ""}\n`;
    }
  }
  return s;
}
