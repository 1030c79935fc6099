// The inspector's LDT (web/host/inspect.ts ldt()) on tests/guest/ldt.asm, which
// builds a six-entry LDT, loads it with LLDT and ES from it. The expected
// entries are worked out here from the program's descriptor bytes by the SDM
// (vol. 3 §3.4.5 figure 3-8 and table 3-1 for segments, §5.8.3 figure 5-8 for
// the call gate, §3.4.2 for the selectors), not read back from the decoder.

import { readFileSync } from "node:fs";
import { test, expect } from "vitest";
import { assembleWithSymbols, runRingZero, runQemu } from "./harness";
import type { Machine } from "../../web/host/machine";
import { gdt, ldt } from "../../web/host/inspect";

test("ldt: LLDT, a segment loaded from the LDT, and the LDT decoded from LDTR's cached base and limit", async () => {
  const { bin, sym } = assembleWithSymbols("ldt");
  let m: Machine | undefined;
  const rz = await runRingZero(bin, { setup: (mm) => { m = mm; } });
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1); // EXIT 0
  // ES (base 100000h) offset 10h is linear 100010h; MOV ES set the accessed bit
  // (type 0010b -> 0011b, §3.4.5.1): access byte 92h -> 93h. SLDT: 40h.
  expect(rz.output).toBe("ldt es:10h -> [100010h]=5a5aa5a5 access byte=93 sldt=0040\n");
  expect(runQemu(bin).output).toBe(rz.output);

  const r = m!.registers();
  // LLDT cached the GDT descriptor's base 4000h and limit 6 * 8 - 1; the program
  // then rewrote that GDT entry (base 4800h, limit 7), which LDTR does not see.
  expect(r.ldtr).toMatchObject({ selector: 0x40, base: 0x4000, limit: 0x2f, valid: true });
  expect(gdt(m!)[8]).toMatchObject({ kind: "LDT", base: 0x4800, limit: 7 });

  // The descriptors as the program wrote them (ldt_bytes in the ROM): low and high dwords.
  const rom = new DataView(readFileSync(bin).buffer);
  const at = sym("ldt_bytes");
  const words = [0, 1, 2, 3, 4, 5].map((i) => [rom.getUint32(at + i * 8, true), rom.getUint32(at + i * 8 + 4, true)]);
  const gate = sym("ldt_gate_target");
  const expected = [
    // 0: type 0000b data read-only; D/B 0; G 0: limit FFFh bytes; base 00_02_0000.
    { index: 0, selector: 0x04, lo: words[0][0], hi: words[0][1], present: true, dpl: 0, kind: "data 16-bit, read-only", base: 0x20000, limit: 0xfff },
    // 1: S 1, type 1100b code execute-only conforming; DPL 3; D 1.
    { index: 1, selector: 0x0c, lo: words[1][0], hi: words[1][1], present: true, dpl: 3, kind: "code 32-bit, execute-only, conforming", base: 0xf0000, limit: 0xffff },
    // 2: type 0110b data writable expand-down; G 1: limit ABCDEh * 4096 + FFFh.
    { index: 2, selector: 0x14, lo: words[2][0], hi: words[2][1], present: true, dpl: 3, kind: "data 32-bit, writable, expand-down", base: 0x12345678, limit: 0xabcdefff },
    // 3: type 0010b, set to 0011b (accessed) by MOV ES: high dword bit 8.
    { index: 3, selector: 0x1c, lo: words[3][0], hi: (words[3][1] | 0x100) >>> 0, present: true, dpl: 0, kind: "data 32-bit, writable, accessed", base: 0x100000, limit: 0xfffff },
    // 4: S 0, type 1100b 32-bit call gate; parameter count bits 4:0 = 2; 08h:offset.
    { index: 4, selector: 0x24, lo: words[4][0], hi: words[4][1], present: true, dpl: 3, kind: "32-bit call gate, 2 parameters", target: { selector: 0x08, offset: gate } },
    // 5: P 0, DPL 2, type 0010b data writable, D/B 0.
    { index: 5, selector: 0x2c, lo: words[5][0], hi: words[5][1], present: false, dpl: 2, kind: "data 16-bit, writable", base: 0x50000, limit: 0x1234 },
  ];
  expect(words[3][1]).toBe(0x004f9210); // the ROM's entry 3 is not accessed
  expect(ldt(m!)).toEqual(expected);
  // What ES got from entry 3.
  expect(r.es).toMatchObject({ selector: 0x1c, base: 0x100000, limit: 0xfffff });
});
