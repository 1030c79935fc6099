// web/host/cpustate.ts mirrors offsets from asm/cpu/state.ts: parse the
// AssemblyScript source and check every mirrored constant, so the two cannot drift.

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect } from "vitest";
import * as H from "../../web/host/cpustate";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** `export const NAME: u32|i32 = EXPR;` from state.ts, evaluated (CPU_STATE + n, 1 << n, n). */
function asConstants(): Map<string, number> {
  const src = readFileSync(join(ROOT, "asm/cpu/state.ts"), "utf8");
  const layout = readFileSync(join(ROOT, "asm/layout.ts"), "utf8");
  const cpuState = Number(/export const CPU_STATE: u32 = (0x[0-9a-fA-F]+);/.exec(layout)![1]);
  const out = new Map<string, number>();
  for (const m of src.matchAll(/^export const (\w+): [ui]32 = ([^;]+);/gm)) {
    let expr = m[2].replace(/\/\/.*$/, "").trim();
    let base = 0;
    const rel = /^CPU_STATE \+ (.+)$/.exec(expr);
    if (rel) { base = cpuState; expr = rel[1]; }
    const shift = /^(\d+) << (\d+)$/.exec(expr);
    let v: number;
    if (shift) v = Number(shift[1]) << Number(shift[2]);
    else if (/^(0x[0-9a-fA-F]+|\d+)$/.test(expr)) v = Number(expr);
    else continue; // expressions of other constants: not mirrored
    out.set(m[1], base + v);
    if (rel) out.set(m[1] + "@rel", v);
  }
  out.set("CPU_STATE", cpuState);
  return out;
}

test("mirrored CPU state offsets match asm/cpu/state.ts", () => {
  const as = asConstants();
  const rel = ["OFF_REGS", "OFF_EIP", "OFF_EFLAGS", "OFF_FLAGS_LAZY", "OFF_LAZY_OP", "OFF_LAZY_DST", "OFF_LAZY_SRC", "OFF_LAZY_RES", "OFF_SEGS", "OFF_GDTR_BASE", "OFF_GDTR_LIMIT", "OFF_IDTR_BASE",
    "OFF_IDTR_LIMIT", "OFF_CR0", "OFF_CR2", "OFF_CR3", "OFF_CR4", "OFF_DR", "OFF_CPL", "OFF_HALTED", "OFF_INHIBIT_IRQ", "OFF_A20", "OFF_EFER", "OFF_XMM", "OFF_MXCSR", "OFF_VMX_MODE", "OFF_VMCS_PTR"];
  for (const name of rel) {
    expect(as.get(name + "@rel"), name).toBe((H as Record<string, unknown>)[name]);
  }
  const same = ["CPU_STATE", "CPU_STATE_SIZE", "SEG_SIZE", "SEGF_SEL", "SEGF_BASE", "SEGF_LIMIT", "SEGF_ATTR", "SEGF_LOR", "SEGF_HIR",
    "SEGF_LOW", "SEGF_HIW", "R_EAX", "R_ECX", "R_EDX", "R_EBX", "R_ESP", "R_EBP", "R_ESI", "R_EDI",
    "S_ES", "S_CS", "S_SS", "S_DS", "S_FS", "S_GS", "S_LDTR", "S_TR",
    "ATTR_ACCESSED", "ATTR_RW", "ATTR_CODE", "ATTR_S", "ATTR_DPL_SHIFT", "ATTR_P", "ATTR_DB", "ATTR_G", "ATTR_VALID", "CR0_PE", "CR0_ET", "VMX_ON", "VMX_NONROOT"];
  for (const name of same) {
    expect(as.has(name), `${name} in state.ts`).toBe(true);
    expect(as.get(name), name).toBe((H as Record<string, unknown>)[name]);
  }
});

test("flat descriptors decode to the attributes written into the segment caches", () => {
  for (const code of [true, false]) {
    const [lo, hi] = H.flatDescriptor(code);
    // SDM vol. 3 §3.4.5: base 0, limit 0xFFFFF pages, attributes = bits 40..55 (segments.ts descAttr)
    expect(((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0).toBe(0);
    expect((lo & 0xffff) | (hi & 0xf0000)).toBe(0xfffff);
    expect((hi >> 8) & 0xf0ff).toBe(H.flatAttr(code));
  }
  expect(H.flatAttr(true)).toBe(0xc09b);  // G D/B P S code execute/read accessed
  expect(H.flatAttr(false)).toBe(0xc093); // G D/B P S data read/write accessed
});

test("enterProtectedMode writes the 32-bit boot entry state", () => {
  const block = new DataView(new ArrayBuffer(H.CPU_STATE_SIZE));
  H.enterProtectedMode(block, { eip: 0x100000, gdtBase: 0x11000, gdtLimit: 0x1f, cs: 0x10, ds: 0x18, regs: { esi: 0x10000, eax: 5 } });
  expect(block.getUint32(H.OFF_EIP, true)).toBe(0x100000);
  expect(block.getUint32(H.OFF_REGS + 4 * H.R_ESI, true)).toBe(0x10000);
  expect(block.getUint32(H.OFF_REGS + 4 * H.R_EAX, true)).toBe(5);
  expect(block.getUint32(H.OFF_REGS + 4 * H.R_EBX, true)).toBe(0);
  expect(block.getUint32(H.OFF_EFLAGS, true)).toBe(2); // IF clear
  expect(block.getUint32(H.OFF_CR0, true) & 0x80000001).toBe(1); // PE on, PG off
  expect(block.getUint32(H.OFF_GDTR_BASE, true)).toBe(0x11000);
  expect(block.getUint32(H.OFF_GDTR_LIMIT, true)).toBe(0x1f);
  expect(H.readSegment(block, H.S_CS)).toEqual({ sel: 0x10, base: 0, limit: 0xffffffff, attr: 0xc09b, valid: true });
  for (const s of [H.S_DS, H.S_ES, H.S_SS, H.S_FS, H.S_GS]) {
    expect(H.readSegment(block, s)).toEqual({ sel: 0x18, base: 0, limit: 0xffffffff, attr: 0xc093, valid: true });
  }
  expect(block.getUint32(H.OFF_CPL, true)).toBe(0);
});

test("CPU feature bits of web/host/machine.ts match asm/cpu/features.ts", async () => {
  const src = readFileSync(join(ROOT, "asm/cpu/features.ts"), "utf8");
  const M = await import("../../web/host/machine");
  for (const name of ["FEAT_PAE", "FEAT_NX", "FEAT_VMX", "FEAT_SSE", "FEAT_SSE2", "FEAT_SSE3", "FEAT_VME", "FEAT_VMX_EPT", "FEAT_VMX_VPID", "FEAT_VMX_UG", "FEAT_MCE", "FEAT_MCA"] as const) {
    const m = new RegExp(`export const ${name}: u32 = 1 << (\\d+);`).exec(src);
    expect(m, name).not.toBeNull();
    expect(1 << Number(m![1]), name).toBe(M[name]);
  }
  // The model numbers of web/host/cpumodel.ts.
  const { CPU_MODELS } = await import("../../web/host/cpumodel");
  for (const [name, info] of Object.entries(CPU_MODELS)) {
    const m = new RegExp(`export const MODEL_${name.toUpperCase()}: u32 = (\\d+);`).exec(src);
    expect(m, name).not.toBeNull();
    expect(Number(m![1]), name).toBe(info.id);
  }
});
