// The inspector's decoding (web/host/inspect.ts) on page tables and descriptors
// written by hand: the expected physical addresses, rights and #PF error codes
// are worked out here from the SDM (vol. 3 §4.3 32-bit paging, §4.4 PAE, §4.6
// access rights, §4.7 error codes; §3.4.5 descriptors), not read back.

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect, beforeAll } from "vitest";
import { Machine } from "../../web/host/machine";
import { OFF_EFER } from "../../web/host/cpustate";
import { pageWalk, decodeDescriptor, ldt } from "../../web/host/inspect";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
let m: Machine;
beforeAll(async () => {
  m = await Machine.create({ wasm: readFileSync(join(ROOT, "build/ringzero.wasm")), ramBytes: 16 << 20, cpu: { pae: true, nx: true } });
});

function put32(phys: number, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  m.writePhysical(phys, b);
}
function put64(phys: number, hi: number, lo: number): void { put32(phys, lo); put32(phys + 4, hi); }
const P = 1, RW = 2, US = 4, A = 0x20, PS = 0x80;

test("32-bit paging: a 4 MiB page, a 4 KiB user read-only page, a hole; CR0.WP", () => {
  m.reset();
  put32(0x10000 + 0x300 * 4, 0x00400000 | PS | A | RW | P); // 0xC0000000: 4 MiB at 4 MiB
  put32(0x10000 + 1 * 4, 0x20000 | US | RW | P);            // 0x00400000: a page table at 0x20000
  put32(0x20000 + 5 * 4, 0x00777000 | US | P);              // 0x00405000: user, read-only
  m.setRegister("cr4", 0x10);                                // PSE
  m.setRegister("cr3", 0x10000);
  m.setRegister("cr0", 0x80000001);
  const big = pageWalk(m, 0xc0123456);
  expect(big).toMatchObject({ physical: 0x00523456, pageSize: 0x400000, user: false, writable: true });
  expect(big.steps.map((s) => s.level)).toEqual(["PDE"]);
  expect(big.faults).toEqual({ read: null, write: null, userRead: P | US, userWrite: P | RW | US, fetch: null });
  const small = pageWalk(m, 0x00405abc);
  expect(small).toMatchObject({ physical: 0x00777abc, pageSize: 0x1000, user: true, writable: false });
  expect(small.steps.map((s) => [s.level, s.address])).toEqual([["PDE", 0x10004], ["PTE", 0x20014]]);
  // Read-only for the user; the kernel may write it unless CR0.WP is set.
  expect(small.faults).toMatchObject({ userRead: null, userWrite: P | RW | US, write: null });
  m.setRegister("cr0", 0x80010001);
  expect(pageWalk(m, 0x00405abc).faults!.write).toBe(P | RW);
  const hole = pageWalk(m, 0x00800000);
  expect(hole.physical).toBeUndefined();
  expect(hole.faults).toMatchObject({ read: 0, userWrite: RW | US });
});

test("PAE paging: a 2 MiB execute-disable page, a 4 KiB page above 4 GiB", () => {
  m.reset();
  put64(0x30000 + 3 * 8, 0, 0x31000 | P);                             // PDPTE 3: 0xC0000000-0xFFFFFFFF
  put64(0x31000 + 1 * 8, 0x80000000, 0x00a00000 | PS | RW | P);       // PDE 1: 2 MiB at 10 MiB, XD
  put64(0x31000 + 0 * 8, 0, 0x32000 | US | RW | P);                   // PDE 0: a page table
  put64(0x32000 + 3 * 8, 0x1, 0x23456000 | US | P);                   // PTE 3: 0x1_23456000
  const state = m.cpuState();
  state.setUint32(OFF_EFER, 0x800, true);                             // EFER.NXE
  m.setRegister("cr4", 0x20);                                         // PAE
  m.setRegister("cr3", 0x30000);
  m.setRegister("cr0", 0x80000001);
  const xd = pageWalk(m, 0xc0212345);
  expect(xd).toMatchObject({ physical: 0x00a12345, pageSize: 0x200000, executable: false, writable: true, user: false });
  expect(xd.steps.map((s) => [s.level, s.address])).toEqual([["PDPTE", 0x30018], ["PDE", 0x31008]]);
  expect(xd.steps[1].flags).toBe("P RW PS XD");
  expect(xd.faults!.fetch).toBe(P | 0x10); // present, instruction fetch (I/D), supervisor
  const high = pageWalk(m, 0xc0003abc);
  expect(high).toMatchObject({ physical: 0x123456abc, pageSize: 0x1000, executable: true, user: true, writable: false });
  expect(high.steps[2]).toMatchObject({ level: "PTE", address: 0x32018, value: "0000000123456005" });
  // Without NXE, bit 63 is not execute-disable (it would be a reserved bit, which the CPU faults on).
  state.setUint32(OFF_EFER, 0, true);
  expect(pageWalk(m, 0xc0003abc).faults!.fetch).toBeNull();
});

test("descriptors: Linux's flat kernel code segment, a 32-bit interrupt gate, a busy TSS", () => {
  // GDT entry 12 of Linux i386: base 0, limit 0xFFFFF pages, G D/B P DPL0 S code readable accessed.
  expect(decodeDescriptor(12, 0x60, 0x0000ffff, 0x00cf9b00)).toMatchObject({ base: 0, limit: 0xffffffff, dpl: 0, present: true, kind: "code 32-bit, readable, accessed" });
  expect(decodeDescriptor(14, 14, 0x00601234, 0xc100ee00)).toMatchObject({ kind: "32-bit interrupt gate", dpl: 3, target: { selector: 0x60, offset: 0xc1001234 } });
  expect(decodeDescriptor(16, 0x80, 0x40000067, 0xc1008bab)).toMatchObject({ kind: "32-bit TSS (busy)", base: 0xc1ab4000, limit: 0x67 });
  expect(decodeDescriptor(0, 0, 0, 0).kind).toBe("null");
});

test("LDT: none while LDTR is null, though its cache after reset reads base 0, limit FFFFH", () => {
  m.reset();
  // SDM vol. 3 §9.1.1 table 9-1: LDTR selector 0000H, base 0, limit FFFFH at power-up.
  expect(m.registers().ldtr).toMatchObject({ selector: 0, base: 0, limit: 0xffff });
  expect(ldt(m)).toEqual([]);
  m.setRegister("cr0", 0x60000011); // protected mode, still no LLDT
  expect(ldt(m)).toEqual([]);
  // An LDT descriptor in the GDT decodes as a segment with base and limit (type 2).
  expect(decodeDescriptor(8, 0x40, 0x4000002f, 0x00008200)).toMatchObject({ kind: "LDT", base: 0x4000, limit: 0x2f, dpl: 0, present: true });
});
