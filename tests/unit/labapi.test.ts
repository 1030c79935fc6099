// The lab scripting API's shapes (web/host/labapi.ts, issue 12): registers by
// name, descriptors with their SDM fields, a walk that names its #PF, events
// with their fields at top level. Expected values are worked out here from the
// SDM (vol. 3 §9.1.1 reset state, §3.4.5 descriptors, §6.11 gates, §4.7 #PF
// error codes) and from Linux's i386 GDT layout, not read back.

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect, beforeAll } from "vitest";
import { Machine, STOP } from "../../web/host/machine";
import { decodeDescriptor, pageWalk, type Descriptor } from "../../web/host/inspect";
import { labEvent, labGdtEntry, labIdtEntry, labRegisters, labTranslation, readFailure } from "../../web/host/labapi";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
let m: Machine;
beforeAll(async () => {
  m = await Machine.create({ wasm: readFileSync(join(ROOT, "build/ringzero.wasm")), ramBytes: 16 << 20 });
});

test("registers(): the issue's names as numbers, selectors for segment registers, the mode; caches under segments", () => {
  m.reset();
  m.setRegister("eax", 0x11111111); m.setRegister("ebx", 0x22222222); m.setRegister("ecx", 0x33333333); m.setRegister("edx", 0x44444444);
  m.setRegister("esi", 0x55555555); m.setRegister("edi", 0x66666666); m.setRegister("esp", 0x77777777); m.setRegister("ebp", 0x88888888);
  const r = labRegisters(m.registers());
  expect(r).toMatchObject({ eax: 0x11111111, ebx: 0x22222222, ecx: 0x33333333, edx: 0x44444444, esi: 0x55555555, edi: 0x66666666, esp: 0x77777777, ebp: 0x88888888 });
  // SDM vol. 3 table 9-1: after reset CS = F000H (base FFFF0000H), EIP = FFF0H, EFLAGS = 2, the other selectors 0, real mode.
  expect(r).toMatchObject({ eip: 0xfff0, eflags: 2, cs: 0xf000, ds: 0, es: 0, fs: 0, gs: 0, ss: 0, cr2: 0, cr3: 0, cr4: 0, cpl: 0, mode: "real" });
  expect(r.cr0 & 1).toBe(0);
  expect(r.segments.cs).toMatchObject({ selector: 0xf000, base: 0xffff0000, limit: 0xffff });
  expect(r.extra).toMatchObject({ halted: false, gdtr: { base: 0, limit: 0xffff }, idtr: { base: 0, limit: 0xffff } });
  expect(Object.keys(r).sort()).toEqual(["eax", "ebx", "ecx", "edx", "esi", "edi", "esp", "ebp", "eip", "eflags", "cs", "ds", "es", "fs", "gs", "ss",
    "cr0", "cr2", "cr3", "cr4", "cpl", "mode", "segments", "extra"].sort());
  m.setRegister("cr0", 0x11);
  expect(labRegisters(m.registers()).mode).toBe("protected");
  m.setRegister("eflags", 0x20002);
  expect(labRegisters(m.registers()).mode).toBe("virtual-8086");
});

test("gdt(): Linux i386's null, __KERNEL_CS, __USER_DS and TSS descriptors; a call gate", () => {
  // arch/x86/kernel/cpu/common.c: GDT_ENTRY_INIT(0xc09a, 0, 0xfffff) for KERNEL_CS,
  // 0xc0f2 for USER_DS: base 0, limit 0xfffff pages (4 GiB), type 0xA / 0x2, DPL 0 / 3.
  const desc = (flags: number, base: number, limit: number) => [
    ((base & 0xffff) << 16 | (limit & 0xffff)) >>> 0,
    ((base & 0xff000000) | ((flags & 0xf0ff) << 8) | (limit & 0xf0000) | ((base >>> 16) & 0xff)) >>> 0,
  ];
  const [klo, khi] = desc(0xc09a, 0, 0xfffff);
  expect(labGdtEntry(decodeDescriptor(12, 0x60, klo, khi))).toMatchObject({ index: 12, selector: 0x60, base: 0, limit: 0xffffffff, type: 0xa, system: false, dpl: 0, present: true });
  const [ulo, uhi] = desc(0xc0f2, 0, 0xfffff);
  expect(labGdtEntry(decodeDescriptor(15, 0x78, ulo, uhi))).toMatchObject({ index: 15, type: 0x2, dpl: 3, present: true });
  expect(labGdtEntry(decodeDescriptor(0, 0, 0, 0))).toMatchObject({ index: 0, selector: 0, base: 0, limit: 0, type: 0, present: false, kind: "null" });
  // A busy 32-bit TSS (type 0xB, S clear) at 0xC1234000, limit 0x67.
  const [tlo, thi] = desc(0x008b, 0xc1234000, 0x67);
  expect(labGdtEntry(decodeDescriptor(16, 0x80, tlo, thi))).toMatchObject({ base: 0xc1234000, limit: 0x67, type: 0xb, system: true, kind: "32-bit TSS (busy)" });
  // A 32-bit call gate (type 0xC, DPL 3) to 0x0008:0x12345678: no base or limit, a target.
  const gate = labGdtEntry(decodeDescriptor(20, 0xa0, (0x0008 << 16) | 0x5678, (0x1234 << 16) | 0xec00));
  expect(gate).toMatchObject({ type: 0xc, system: true, dpl: 3, present: true, target: { selector: 8, offset: 0x12345678 } });
  expect(gate.base).toBeUndefined();
});

test("idt(): a gate's vector, code segment selector, offset and type; task gates; real mode", () => {
  const gate = (vector: number, sel: number, offset: number, access: number): Descriptor =>
    decodeDescriptor(vector, vector, ((sel << 16) | (offset & 0xffff)) >>> 0, ((offset & 0xffff0000) | (access << 8)) >>> 0);
  // Linux's int $0x80: a 32-bit interrupt gate (0xE), DPL 3, present, into __KERNEL_CS.
  expect(labIdtEntry(gate(0x80, 0x60, 0xc1a01234, 0xee))).toEqual({ vector: 0x80, selector: 0x60, offset: 0xc1a01234, type: 0xe, kind: "32-bit interrupt gate", dpl: 3, present: true, lo: 0x00601234, hi: 0xc1a0ee00 });
  expect(labIdtEntry(gate(3, 0x60, 0xc0001000, 0x8f))).toMatchObject({ vector: 3, selector: 0x60, offset: 0xc0001000, type: 0xf, dpl: 0 });
  // A 16-bit interrupt gate's offset is 16 bits.
  expect(labIdtEntry(gate(5, 0x10, 0xabcd1234, 0x86))).toMatchObject({ selector: 0x10, offset: 0x1234, type: 0x6 });
  // i386 Linux's #DF: a task gate naming the double-fault TSS (GDT entry 31, 0xF8); no offset.
  const df = labIdtEntry(gate(8, 0xf8, 0, 0x85));
  expect(df).toMatchObject({ vector: 8, selector: 0xf8, type: 0x5, kind: "task gate", present: true });
  expect("offset" in df).toBe(false);
  // Real mode: the vector table's far pointers.
  const ivt = labIdtEntry({ index: 0x10, selector: 0x10, lo: 0xc0000123, hi: 0, present: true, dpl: 0, kind: "real-mode vector", target: { selector: 0xc000, offset: 0x123 } });
  expect(ivt).toMatchObject({ vector: 0x10, selector: 0xc000, offset: 0x123 });
  expect("type" in ivt).toBe(false);
});

test("translate(): the physical address, or the #PF a read at the current CPL would raise; read()'s errors", () => {
  m.reset();
  const put32 = (phys: number, v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); m.writePhysical(phys, b); };
  put32(0x10000 + 1 * 4, 0x20000 | 7);           // 0x00400000: a page table at 0x20000
  put32(0x20000 + 5 * 4, 0x00777000 | 7);        // 0x00405000 -> 0x00777000
  m.setRegister("cr3", 0x10000);
  m.setRegister("cr0", 0x80000001);
  const ok = labTranslation(pageWalk(m, 0x00405abc), 0);
  expect(ok).toMatchObject({ linear: 0x00405abc, physical: 0x00777abc, pageSize: 0x1000, paging: true });
  expect("fault" in ok).toBe(false);
  // §4.7: not present (P = 0), a read (W/R = 0), U/S = 1 at CPL 3.
  const pte = labTranslation(pageWalk(m, 0x00406000), 0);
  expect(pte).toMatchObject({ linear: 0x00406000, fault: { vector: 14, errorCode: 0, cr2: 0x00406000, message: "#PF error 0x0: PTE not present" } });
  expect("physical" in pte).toBe(false);
  expect(labTranslation(pageWalk(m, 0x00800000), 3)).toMatchObject({ fault: { errorCode: 4, message: "#PF error 0x4: PDE not present" } });
  expect(readFailure(0x00405ff0, 32, 0x00406000, false, pageWalk(m, 0x00406000), 0))
    .toBe("read(0x00405ff0, 32): linear 0x00406000 is not mapped: #PF error 0x0: PTE not present");
  expect(readFailure(0x20000000, 4, 0x20000000, true, null, 0)).toMatch(/^read\(0x20000000, 4\) physical: physical 0x20000000 is not memory/);
  // Paging off: linear is physical.
  m.reset();
  expect(labTranslation(pageWalk(m, 0x1234), 0)).toEqual({ linear: 0x1234, paging: false, physical: 0x1234, pageSize: 0, steps: [] });
});

test("events(): the kind's fields at top level, no detail", () => {
  const base = { seq: 7, instructions: 1000, eip: 0xc0001000, cs: 0x60, text: "" };
  expect(labEvent({ ...base, kind: "exception", detail: { vector: 14, error: 6, cr2: 0x0804a000 } }))
    .toEqual({ ...base, kind: "exception", vector: 14, errorCode: 6, cr2: 0x0804a000 });
  const noError = labEvent({ ...base, kind: "exception", detail: { vector: 6, error: undefined, cr2: 0 } });
  expect(noError).toEqual({ ...base, kind: "exception", vector: 6, cr2: 0 });
  expect(labEvent({ ...base, kind: "ring", detail: { from: 3, to: 0 } })).toEqual({ ...base, kind: "ring", from: 3, to: 0 });
  expect(labEvent({ ...base, kind: "mode", detail: { cr0Before: 0x10, cr0After: 0x80000011 } }))
    .toEqual({ ...base, kind: "mode", cr0Before: 0x10, cr0After: 0x80000011, from: "real", to: "protected, paging" });
  expect(labEvent({ ...base, kind: "vmexit", detail: { reason: 10, failedEntry: false, qualification: 0, rip: 0x1000 } }))
    .toEqual({ ...base, kind: "vmexit", reason: 10, failedEntry: false, qualification: 0, rip: 0x1000 });
});

test("a breakpoint at an unmapped linear address is kept, and fires once the guest maps the page and runs there", () => {
  // As QEMU's gdb stub: breakpoints are linear addresses, looked up before each
  // instruction, whatever maps them. 16-bit code at 0x7000 (CS base 0, CPL 0)
  // with CR0.PE and PG set: the page tables identity-map 0-4 MiB except linear
  // 0x5000; the code maps 0x5000 to physical 0x6000 (HLT there), reloads CR3, jumps there.
  m.reset();
  const code = [
    0x66, 0xc7, 0x06, 0x14, 0x10, 0x03, 0x60, 0x00, 0x00, // mov dword [0x1014], 0x6003 (PTE 5: 0x6000, P, RW)
    0x0f, 0x20, 0xd8,                                     // mov eax, cr3
    0x0f, 0x22, 0xd8,                                     // mov cr3, eax (the TLB forgets)
    0xe9, 0xee, 0xdf,                                     // jmp 0x5000 (0x7012 - 0x2012)
  ];
  m.writePhysical(0x7000, new Uint8Array(code));
  m.writePhysical(0x6000, new Uint8Array([0xf4]));        // hlt
  const pt = new Uint8Array(4096), v = new DataView(pt.buffer);
  for (let i = 0; i < 1024; i++) v.setUint32(i * 4, i === 5 ? 0 : (i << 12) | 3, true);
  m.writePhysical(0x1000, pt);
  m.writePhysical(0x2000, new Uint8Array([0x03, 0x10, 0, 0]));  // PDE 0: the page table at 0x1000
  m.setRegister("cs", 0);
  m.setRegister("eip", 0x7000);
  m.setRegister("eflags", 2);                             // IF clear: HLT stops the run
  m.setRegister("cr3", 0x2000);
  m.setRegister("cr0", (m.registers().cr0 | 0x80000001) >>> 0);
  expect(labTranslation(pageWalk(m, 0x5000), 0)).toMatchObject({ fault: { vector: 14, errorCode: 0 } });
  expect(m.insertBreakpoint(0x5000)).toBe(true);
  expect(m.run(1000)).toBe(STOP.BREAKPOINT);
  expect(m.breakpointHit()).toEqual({ kind: "breakpoint", address: 0x5000 });
  expect(m.registers().eip).toBe(0x5000);
  expect(Number(m.instructions)).toBe(4);
  expect(labTranslation(pageWalk(m, 0x5000), 0)).toMatchObject({ physical: 0x6000 });
  expect(m.removeBreakpoint(0x5000)).toBe(true);
  expect(m.run(1000)).toBe(STOP.HALT);
  expect(m.registers().eip).toBe(0x5001);
});
