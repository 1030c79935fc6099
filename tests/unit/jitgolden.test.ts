// Golden output of the translator (web/jit/translator.ts translate): small
// hand-assembled blocks, each turned into its wasm module and printed as text
// by wabt's wasm2wat (a disassembler no one here wrote), compared with
// tests/unit/golden/<name>.wat. A change to the emitted code shows as a diff of
// those files in review; after checking it, `npx vitest run
// tests/unit/jitgolden.test.ts -u` writes the new text.
//
// The text is wabt 1.0.32's (Debian 12); another wabt version may print the
// same module differently, which shows as a diff of layout, not of code.
//
// The bytes are from the SDM's opcode tables (vol. 2); a block starts at its
// page offset 0x100 and the rest of its 4 KiB page is HLT (F4h), which the
// translator leaves to the interpreter, so each block ends where its comment says.

import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, test, expect } from "vitest";
import { translate, blockModule } from "../../web/jit/translator";
import { LEN_CODE16, LEN_STACK16 } from "../../web/jit/constants";

const HERE = dirname(fileURLToPath(import.meta.url));
beforeAll(() => {
  try { execFileSync("wasm2wat", ["--version"]); } catch {
    throw new Error("tests/unit/jitgolden.test.ts needs wabt's wasm2wat (Debian: apt-get install wabt, as in the README)");
  }
});
const dir = mkdtempSync(join(tmpdir(), "rz-golden-"));

// Segments flat when a block is translated (Addr.flat, bit S_*): ES, CS, SS and
// DS, as in Linux's user and kernel code; "memory-based" has none flat.
const FLAT = 0b1111;
// "real-mode" is 16-bit code on a 16-bit stack (Addr.code16, stack16).
const BLOCKS: Record<string, { bytes: number[]; what: string; flat?: number; real?: boolean }> = {
  "pop-ret": { bytes: [0x58, 0xc3], what: "pop eax; ret: a return, resolved by a look-up" },
  "loop": { bytes: [0x01, 0xc8, 0x49, 0x75, 0xfb], what: "add eax, ecx; dec ecx; jnz (back to the add): lazy flags, a loop in the block" },
  "memory": { bytes: [0x8b, 0x43, 0x08, 0x89, 0x46, 0x04], what: "mov eax, [ebx+8]; mov [esi+4], eax; then HLT: inline TLB reads and writes" },
  "memory-based": { bytes: [0x8b, 0x43, 0x08, 0x89, 0x46, 0x04], flat: 0, what: "the same through a DS that is not flat: its base added, its offset range checked" },
  "fs-override": { bytes: [0x64, 0x8b, 0x43, 0x08, 0x89, 0x46, 0x04], what: "mov eax, fs:[ebx+8]; mov [esi+4], eax: FS (not flat) checked, DS (flat) not" },
  "call-on-page": { bytes: [0xe8, 0x01, 0x00, 0x00, 0x00, 0xf4, 0x40, 0xc3], what: "call over a HLT to inc eax; ret: the CALL followed on its page" },
  "push-jcc": { bytes: [0x53, 0x85, 0xdb, 0x74, 0x10], what: "push ebx; test ebx, ebx; jz +16: a conditional exit both ways" },
  "jcc-forward": { bytes: [0x39, 0xd8, 0x74, 0x02, 0x41, 0x41, 0x42, 0xc3], what: "cmp eax, ebx; jz over two inc ecx to inc edx; ret: a forward branch inside the block" },
  "jcc-over-ret": { bytes: [0x85, 0xc0, 0x74, 0x01, 0xc3, 0x40, 0xc3], what: "test eax, eax; jz over a RET to inc eax; ret: the target decoded after the RET, inside the block" },
  "loop-insn": { bytes: [0x01, 0xc8, 0xe2, 0xfc], what: "add eax, ecx; loop (back to the add): ECX counted down, no flags touched, a loop in the block" },
  "loop-head": { bytes: [0x01, 0xc8, 0x49, 0x74, 0x04, 0xd1, 0xe0, 0x73, 0xf9, 0xc3], what: "add eax, ecx; dec ecx; jz +4; shl eax, 1; jnc back to the dec: a loop head in the middle, through the dispatch" },
  "rotate-carry": { bytes: [0xd1, 0xd0, 0xd2, 0xdb], what: "rcl eax, 1; rcr bl, cl: rotates through the carry, in wasm (CL MOD 9 of 0 changes nothing)" },
  "dead-flags": { bytes: [0xc1, 0xe0, 0x04, 0x89, 0xc1, 0x01, 0xd8, 0x46, 0x39, 0xfe, 0x0f, 0xaf, 0xd1, 0x83, 0xea, 0x01, 0xd1, 0xe8, 0xc3],
    what: "shl eax, 4; mov ecx, eax; add eax, ebx; inc esi; cmp esi, edi; imul edx, ecx; sub edx, 1; shr eax, 1; ret: SHL's CF and OF, INC's kept CF and IMUL's overflow left out (written again before anything sees them), SHR's kept for the exit" },
  "divide": { bytes: [0x31, 0xd2, 0xf7, 0xf1], what: "xor edx, edx; div ecx: in wasm, #DE left to the interpreter" },
  "rep-movs": { bytes: [0xfc, 0xf3, 0xa4, 0xc3], what: "cld; rep movsb; ret: the REP by the interpreter's handler, leaving if it stops part-way" },
  "x87": { bytes: [0xd9, 0xe8, 0xdd, 0xd8], what: "fld1; fstp st0: each a call to the interpreter's handler in the block" },
  "fence": { bytes: [0x0f, 0xae, 0xe8, 0x0f, 0x31, 0xc3], what: "lfence; rdtsc; ret: the fence a check of the SSE2 feature, the handler only without it" },
  "string-element": { bytes: [0xac, 0xae, 0xa5, 0xc3], what: "lodsb; scasb; movsd; ret: one element each, in wasm: the memory paths of any operand, ESI and EDI stepped by DF" },
  "real-mode-movs": { bytes: [0xa5, 0xc3], flat: 0, real: true, what: "movsw; ret in 16-bit code: DS and ES each their base and range (ES beside the operand), SI and DI wrapping at 64K" },
  "pause-loop": { bytes: [0xf3, 0x90, 0x49, 0x75, 0xfb], what: "pause; dec ecx; jnz -5: a spin-wait loop stays in the block, PAUSE the interpreter's only in VMX non-root operation" },
  "sse": { bytes: [0x66, 0x0f, 0xfe, 0xc1, 0x66, 0x0f, 0xef, 0xd2], what: "paddd xmm0, xmm1; pxor xmm2, xmm2: computed in place" },
  "real-mode": { bytes: [0x53, 0x8b, 0x42, 0x04, 0x85, 0xc0, 0x74, 0x10, 0xc3], flat: 0, real: true,
    what: "push bx; mov ax, [bp+si+4]; test ax, ax; jz +16; ret in 16-bit code: SP wraps at 64K, the address too, SS for BP; the block's IPs must not wrap, nor the jump's target" },
};

for (const [name, { bytes, what, flat = FLAT, real = false }] of Object.entries(BLOCKS)) {
  test(`${name}: ${what}`, async () => {
    const page = new Uint8Array(4096).fill(0xf4);
    page.set(bytes, 0x100);
    const mode = real ? { code16: true, stack16: true, mode: LEN_CODE16 | LEN_STACK16 } : {};
    const t = translate(page, { chain: true, host: 0x100000 + 0x100, flat, ...mode }, 0x100);
    expect(t).toBeDefined();
    const file = join(dir, `${name}.wasm`);
    const wasm = blockModule([t!]);
    writeFileSync(file, wasm);
    const wat = execFileSync("wasm2wat", ["--enable-all", file], { encoding: "utf8" });
    await expect(`;; ${name}: ${what}\n;; ${t!.insns} instructions, ${wasm.length} bytes of wasm, ends: ${t!.ends}\n${wat}`)
      .toMatchFileSnapshot(join(HERE, "golden", `${name}.wat`));
  });
}

// Each block's exits that look their target up keep a target cache in globals
// of the module (emitter.ts emitChain); in a module of several blocks each
// block's globals follow the blocks' before it (blockModule). Here "jcc-over-ret" (two
// such exits: 8 globals) and then "pop-ret" (one: 4 globals) in one module.
test("a module of two blocks: the second block's target caches are globals 8-11", () => {
  const t = ["jcc-over-ret", "pop-ret"].map((name) => {
    const page = new Uint8Array(4096).fill(0xf4);
    page.set(BLOCKS[name].bytes, 0x100);
    return translate(page, { chain: true, host: 0x100000 + 0x100, flat: FLAT }, 0x100)!;
  });
  expect(t.map((b) => b.globals)).toEqual([8, 4]);
  const file = join(dir, "two-blocks.wasm");
  writeFileSync(file, blockModule(t));
  const wat = execFileSync("wasm2wat", ["--enable-all", file], { encoding: "utf8" });
  const funcs = wat.split(/\n {2}\(func /).slice(1); // the two block functions (the helpers are imports)
  const used = funcs.map((f) => [...new Set([...f.matchAll(/global\.[gs]et (\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b));
  expect(used).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11]]);
  expect(wat.match(/\(global /g)).toHaveLength(12);
});

// Translator.nameBlocks: the names go in the module's name section (the core
// spec's appendix on custom sections: function names), each to its block's
// function after the imports: wasm2wat (as a V8 CPU profile) then calls the
// functions by them.
test("a module of two named blocks: each function has its name", () => {
  const t = ["pop-ret", "loop"].map((name) => {
    const page = new Uint8Array(4096).fill(0xf4);
    page.set(BLOCKS[name].bytes, 0x100);
    return translate(page, { chain: true, host: 0x100000 + 0x100, flat: FLAT }, 0x100)!;
  });
  const file = join(dir, "named.wasm");
  writeFileSync(file, blockModule(t, ["block_100100", "block_2000"]));
  const wat = execFileSync("wasm2wat", ["--enable-all", file], { encoding: "utf8" });
  // export "i" is the block's function (blockModule), shown by its name
  expect([...wat.matchAll(/\(export "(\d+)" \(func \$(\w+)\)\)/g)].map((m) => [m[1], m[2]])).toEqual([["0", "block_100100"], ["1", "block_2000"]]);
});
