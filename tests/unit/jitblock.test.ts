// The translator's block shape (web/jit/decode.ts decodeBlock): a block goes on
// past a direct JMP or CALL whose target is on its page; it stops at a target
// off the page or not translated, at code it already holds, at RET, and at
// MAX_INSNS. The code is hand-assembled (SDM vol. 2:
// E8 cd CALL rel32, EB cb JMP rel8, C3 RET; rel counts from the next
// instruction); HLT (F4), which the translator leaves to the interpreter, fills
// the rest of the page.

import { test, expect } from "vitest";
import { decodeBlock, MAX_INSNS } from "../../web/jit/decode";

/** A 4 KiB page of HLT with `bytes` placed at their offsets. */
function page(bytes: Record<number, number[]>): Uint8Array {
  const p = new Uint8Array(4096).fill(0xf4);
  for (const [at, b] of Object.entries(bytes)) p.set(b, Number(at));
  return p;
}
const shape = (code: Uint8Array, start: number) => decodeBlock(code, start).map((i) => [i.op, i.off, i.follow]);

test("a CALL on the page: the block goes on into the callee, to its RET", () => {
  const code = page({
    0x100: [0xb8, 1, 0, 0, 0,           // mov eax, 1
      0xe8, 0xf6, 0x00, 0x00, 0x00,     // call 0x200 (0x200 - 0x10a)
      0x40],                            // inc eax
    0x200: [0x01, 0xc8, 0xc3],          // add eax, ecx; ret
  });
  expect(shape(code, 0x100)).toEqual([
    ["movEI", 0, undefined], ["call", 5, 0x100], ["alu", 0x100, undefined], ["ret", 0x102, undefined],
  ]);
});

test("JMP back on the page and forward again; a JMP to the block's start stays its loop", () => {
  const code = page({
    0x2f0: [0x90, 0xeb, 0x1d],          // nop; jmp 0x310
    0x300: [0xeb, 0xee],                // jmp 0x2f0
    0x310: [0xeb, 0xee],                // jmp 0x300
  });
  expect(shape(code, 0x300)).toEqual([["jmp", 0, -0x10], ["nop", -0x10, undefined], ["jmp", -0xf, 0x10], ["jmp", 0x10, undefined]]);
});

test("not followed: a target off the page, past the code given, not translated, already in the block", () => {
  // call 0x1ff0 (off the page), from 0xfe0
  expect(shape(page({ 0xfe0: [0xe8, 0x0b, 0x10, 0x00, 0x00] }), 0xfe0)).toEqual([["call", 0, undefined]]);
  // call 0x800, beyond the 0x400 bytes of the fetch window (a CS limit)
  expect(shape(page({ 0x100: [0xe8, 0xfb, 0x06, 0x00, 0x00] }).subarray(0, 0x400), 0x100)).toEqual([["call", 0, undefined]]);
  // jmp 0x120, which holds HLT
  expect(shape(page({ 0x100: [0xeb, 0x1e] }), 0x100)).toEqual([["jmp", 0, undefined]]);
  // inc eax; jmp 0x101, into the block (the JMP's own bytes)
  expect(shape(page({ 0x100: [0x40, 0xeb, 0xfe] }), 0x100)).toEqual([["inc", 0, undefined], ["jmp", 1, undefined]]);
});

test("a block holds MAX_INSNS at most: the JMP that fills it is not followed", () => {
  // JMP to the next instruction, MAX_INSNS + 12 times: the block holds
  // MAX_INSNS of them, and the last is not followed
  const code = page({ 0x400: Array.from({ length: MAX_INSNS + 12 }, () => [0xeb, 0x00]).flat() });
  const b = decodeBlock(code, 0x400);
  expect(b.length).toBe(MAX_INSNS);
  expect(b.slice(0, -1).every((i) => i.follow === i.off + 2)).toBe(true);
  expect(b.at(-1)!.follow).toBeUndefined();
});
