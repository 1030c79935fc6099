// web/jit/constants.ts is generated from asm/ (tools/gen-jit-constants.mjs): check
// that it is what the asm sources say today, and check the values that can be
// checked apart from the generator's own reading of them - against the built
// module's exports and the SDM.

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect } from "vitest";
import { constantsSource, sharedConstants } from "../../tools/gen-jit-constants.mjs";
import * as C from "../../web/jit/constants";
import { makeMachine } from "./machine";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

test("web/jit/constants.ts is what the generator makes of asm/ now", () => {
  // fails after an asm constant changed without `npm run build:wasm`, or a hand edit
  expect(readFileSync(join(ROOT, "web/jit/constants.ts"), "utf8")).toBe(constantsSource());
  const exported = C as Record<string, unknown>;
  for (const [name, c] of sharedConstants()) expect(exported[name], `${name} (${c.file})`).toBe(c.value);
});

test("the translator's memory addresses are the module's own", async () => {
  const { x } = await makeMachine(1);
  const layoutJit = (x as unknown as { layoutJit(which: number): number }).layoutJit;
  // index.ts layoutJit: 0 the words translated code reads (OFF_ATTENTION first), 1 the TLB, 2 the block cache
  expect(layoutJit(0)).toBe(C.OFF_ATTENTION);
  expect(layoutJit(1)).toBe(C.TLB);
  expect(layoutJit(2)).toBe(C.JIT_CACHE);
  const words = [C.JIT_READ_MASK, C.JIT_WRITE_MASK, C.JIT_CHAINED, C.JIT_TSC_HI, C.JIT_RETIRED];
  expect(new Set(words).size).toBe(words.length);
  for (const w of words) {
    expect(w - C.OFF_ATTENTION).toBeGreaterThan(0);
    expect(w - C.OFF_ATTENTION).toBeLessThan(C.JIT_CACHE - C.OFF_ATTENTION);
  }
});

test("the words after JIT_WORDS that asm/ names do not overlap", () => {
  // asm/cpu/jit.ts and state.ts both place words there (OFF_ATTENTION, OFF_PAUSE,
  // the translator's); a word given twice went unnoticed once (JIT_RETIRED on
  // OFF_PAUSE: translated code asked the run loop to pause).
  const words: { name: string; at: number; size: number }[] = [];
  for (const f of ["asm/cpu/jit.ts", "asm/cpu/state.ts"]) {
    const src = readFileSync(join(ROOT, f), "utf8");
    for (const m of src.matchAll(/^(?:export )?const (\w+): u32 = JIT_WORDS(?: \+ (\d+))?;(.*)$/gm)) {
      words.push({ name: m[1], at: Number(m[2] ?? 0), size: /u64|instructions, bytes/.test(m[3]) ? 8 : 4 });
    }
  }
  expect(words.map((w) => w.name)).toEqual(expect.arrayContaining(["OFF_ATTENTION", "OFF_PAUSE", "JIT_CHAINED", "JIT_RETIRED"]));
  words.sort((a, b) => a.at - b.at);
  for (let i = 1; i < words.length; i++) {
    expect(words[i].at, `${words[i].name} overlaps ${words[i - 1].name}`).toBeGreaterThanOrEqual(words[i - 1].at + words[i - 1].size);
  }
});

test("EFLAGS bits are the SDM's", () => {
  // SDM vol. 1 §3.4.3, figure 3-8
  expect([C.CF, C.PF, C.AF, C.ZF, C.SF, C.OF]).toEqual([1 << 0, 1 << 2, 1 << 4, 1 << 6, 1 << 7, 1 << 11]);
  expect(C.ARITH_FLAGS).toBe(C.CF | C.PF | C.AF | C.ZF | C.SF | C.OF);
  expect([C.TF, C.IF, C.DF, C.IOPL_MASK, C.NT, C.RF, C.VM, C.AC, C.ID]).toEqual(
    [1 << 8, 1 << 9, 1 << 10, 3 << 12, 1 << 14, 1 << 16, 1 << 17, 1 << 18, 1 << 21]);
  // the flags above, VIF and VIP; not bit 1 (ORed in as 1) nor the reserved 3, 5, 15, 22-31
  expect(C.EFLAGS_BITS).toBe(C.ARITH_FLAGS | C.TF | C.IF | C.DF | C.IOPL_MASK | C.NT | C.RF | C.VM | C.AC | C.ID | (3 << 19));
});

test("a block's return value: the instruction count leaves room for the two stop bits", () => {
  expect(C.BLOCK_FAULTED & C.BLOCK_INTERPRET).toBe(0);
  expect(Math.min(C.BLOCK_FAULTED >>> 0, C.BLOCK_INTERPRET >>> 0)).toBeGreaterThanOrEqual(1 << 30);
});

test("the block cache's slot fields are distinct and fit in a slot", () => {
  const fields = [C.SLOT_KEY, C.SLOT_FN, C.SLOT_COUNT, C.SLOT_LEN];
  expect(new Set(fields).size).toBe(fields.length);
  for (const f of fields) expect(f + 4).toBeLessThanOrEqual(C.SLOT_SIZE);
});
