// The translator's decoder (web/jit/decode.ts) against the interpreter's opcode
// map (tools/opmap.mjs, from which tools/gen-optable.mjs generates the
// interpreter's decoder): every instruction the translator accepts - each opcode
// of both pages, in 32-bit and in 16-bit code, operand and address sizes 16 and
// 32, segment prefixes, each ModRM form with SIB and displacements, each
// ModRM.reg - must have the length the map gives
// it, must be an instruction the interpreter knows, and must be decoded to the
// emitter the map names for it (jit=); every entry the map says is translated
// must be decoded in some form.

import { test, expect } from "vitest";
import { opcodeMap, immediateOf, emitterOf, slotFor, allEntries, PREFIXES, type OpEntry, type MandatoryPrefix } from "../../tools/opmap.mjs";
import { decodeOne } from "../../web/jit/decode";

const MAP = opcodeMap();

/** ModRM forms by their 32-bit addressing (SDM vol. 2 §2.1.5, tables 2-2 and 2-3),
 *  with ModRM.reg 0; each is followed by the bytes of its SIB and displacement.
 *  With 16-bit addressing (table 2-1) the same bytes are other forms, the last
 *  three written for it. */
const MODRM_FORMS: number[][] = [
  [0xc0 | 3],                  // register
  [0x00 | 6],                  // [esi]
  [0x00 | 5, 1, 2, 3, 4],      // [disp32]
  [0x40 | 7, 0x80],            // [edi + disp8]
  [0x80 | 5, 1, 2, 3, 4],      // [ebp + disp32]
  [0x00 | 4, 0x88],            // SIB [eax + ecx * 4]
  [0x00 | 4, 0x25],            // SIB, no base (mod 0, base 5): [disp32], the bytes after it
  [0x00 | 4, 0xc5, 1, 2, 3, 4],// SIB [disp32 + eax * 8]
  [0x40 | 4, 0x24, 0x7f],      // SIB [esp + disp8]
  [0x80 | 4, 0x4d, 1, 2, 3, 4],// SIB [ebp + ecx * 2 + disp32]
  [0x00 | 6, 1, 2],            // 16-bit: [disp16]
  [0x40 | 2, 0x80],            // 16-bit: [bp + si + disp8]
  [0x80 | 7, 1, 2],            // 16-bit: [bx + disp16]
];

/** Prefix sets the translator may accept: operand and address size, segment
 *  overrides, and the mandatory prefixes of SSE (66, F3, F2; the last F2/F3
 *  wins, then 66). */
const PREFIX_SETS = [[], [0x66], [0x67], [0x2e], [0x64], [0x66, 0x26], [0x36, 0x66], [0x67, 0x66], [0xf3], [0xf2], [0x66, 0xf2], [0xf3, 0x66], [0xf2, 0xf3], [0x3e, 0xf3]];
/** Prefixes the map's lengths here do not model (REP): the translator must
 *  decline them, except F2/F3 as the mandatory prefix of an opcode whose
 *  entries carry one (SSE). LOCK has its own test below. */
const DECLINED_PREFIXES = [0xf2, 0xf3];
/** The code sizes blocks are translated for: 32-bit and 16-bit code. */
const CODE16 = [false, true];

/** Bytes of the ModRM byte, SIB and displacement at code[pos], with 32-bit
 *  addressing or (a16) 16-bit. */
function modrmLength(code: Uint8Array, pos: number, a16 = false): number {
  const modrm = code[pos], mod = modrm >> 6, rm = modrm & 7;
  if (mod === 3) return 1;
  if (a16) return 1 + (mod === 1 ? 1 : mod === 2 || (mod === 0 && rm === 6) ? 2 : 0);
  let len = 1;
  let disp32 = mod === 2 || (mod === 0 && rm === 5);
  if (rm === 4) {
    len++;
    if (mod === 0 && (code[pos + 1] & 7) === 5) disp32 = true;
  }
  return len + (mod === 1 ? 1 : disp32 ? 4 : 0);
}

/** The mandatory prefix the prefixes select (tools/opmap.mjs header): the last
 *  F2/F3, else 66, else none. */
function mandatoryOf(prefixes: number[]): MandatoryPrefix {
  const rep = prefixes.filter((p) => p === 0xf2 || p === 0xf3).at(-1);
  return rep === 0xf2 ? "F2" : rep === 0xf3 ? "F3" : prefixes.includes(0x66) ? "66" : "NP";
}

/** The map's entry for the instruction at code[pos] (opcode first) after
 *  `prefixes`, if any. */
function entryAt(code: Uint8Array, pos: number, prefixes: number[]): { entry?: OpEntry; opLen: number; grouped?: boolean } {
  const op = code[pos] === 0x0f ? 0x100 | code[pos + 1] : code[pos];
  const opLen = op >= 0x100 ? 2 : 1;
  const e = slotFor(MAP, op, mandatoryOf(prefixes));
  if (!e) return { opLen };
  return { entry: e.simple ?? e.group.get((code[pos + opLen] >> 3) & 7), opLen, grouped: e.group !== undefined };
}

/** The operand size the prefixes give: 66h switches the code's default. */
const operandSize = (prefixes: number[], code16 = false) => (prefixes.includes(0x66) === code16 ? 32 : 16);
/** The address size: 67h switches the code's default. */
const addressSize = (prefixes: number[], code16 = false) => (prefixes.includes(0x67) === code16 ? 32 : 16);

/** The instruction's length as the interpreter decodes it: prefixes, opcode,
 *  ModRM/SIB/displacement when the map says ModRM, the map's immediate.
 *  Undefined when the map has no such instruction (the interpreter raises #UD). */
function interpreterLength(code: Uint8Array, prefixes: number[], code16 = false): number | undefined {
  const pos = prefixes.length;
  const { entry, opLen, grouped } = entryAt(code, pos, prefixes);
  if (!entry) return undefined;
  const osz = operandSize(prefixes, code16), asz = addressSize(prefixes, code16);
  let len = pos + opLen;
  if (entry.flags.has("m") || grouped) len += modrmLength(code, len, asz === 16);
  return len + (immediateOf(entry)?.bytes(osz, asz) ?? 0);
}

/** Every instruction to try: prefixes, opcode, a ModRM form with each reg, and
 *  bytes enough after it for any immediate. */
function* candidates(prefixSets: number[][]): Generator<{ code: Uint8Array; prefixes: number[]; op: number }> {
  for (let op = 0; op < 0x200; op++) {
    if (PREFIXES.has(op)) continue;
    const opBytes = op >= 0x100 ? [0x0f, op & 0xff] : [op];
    for (const prefixes of prefixSets) {
      for (const form of MODRM_FORMS) {
        for (let reg = 0; reg < 8; reg++) {
          const after = [form[0] | (reg << 3), ...form.slice(1), 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
          yield { code: new Uint8Array([...prefixes, ...opBytes, ...after]), prefixes, op };
        }
      }
    }
  }
}

const hexBytes = (code: Uint8Array) => [...code].map((b) => b.toString(16).padStart(2, "0")).join(" ");

test.each(CODE16)("every instruction the translator decodes has the interpreter's length (16-bit code: %s)", (code16) => {
  const accepted = new Set<number>();
  const disagree: string[] = [];
  for (const { code, prefixes, op } of candidates(PREFIX_SETS)) {
    const insn = decodeOne(code, 0, code16);
    if (!insn) continue;
    accepted.add(op);
    const want = interpreterLength(code, prefixes, code16);
    if (want === undefined) disagree.push(`${hexBytes(code)}: translated, but not in the opcode map (#UD)`);
    else if (insn.len !== want) disagree.push(`${hexBytes(code)}: translator ${insn.len} bytes, interpreter ${want}`);
  }
  expect(disagree.slice(0, 20)).toEqual([]);
  // the check covers the translator's repertoire: ALU, MOV, shifts, Jcc, SETcc, MOVZX...
  expect(accepted.size).toBeGreaterThan(150);
});

test.each(CODE16)("the translator decodes each instruction to the emitter the opcode map names, and every one it names (16-bit code: %s)", (code16) => {
  const wrong: string[] = [];
  const decoded = new Map<OpEntry, Set<number>>(); // map entry -> operand sizes seen decoded to its emitter
  for (const { code, prefixes } of candidates(PREFIX_SETS)) {
    const insn = decodeOne(code, 0, code16);
    const { entry } = entryAt(code, prefixes.length, prefixes);
    if (!insn || !entry) continue;
    const osz = operandSize(prefixes, code16);
    const named = emitterOf(entry, osz, code16, [...prefixes].reverse().find((p) => p === 0xf2 || p === 0xf3));
    if (insn.op !== named) wrong.push(`${hexBytes(code)}: decoded as ${insn.op}, the map says ${named ?? "interpreted"}`);
    else decoded.set(entry, (decoded.get(entry) ?? new Set()).add(osz));
  }
  expect(wrong.slice(0, 20)).toEqual([]);
  const never: string[] = [];
  const entries = allEntries(MAP);
  for (const entry of entries) {
    // an entry with a mandatory prefix has the operand size that prefix gives
    // (66: 16, NP: 32; F2/F3 are decoded with both, one suffices)
    // (in 16-bit code, 66h gives 32 and none 16)
    const sizes = entry.prefix === "66" ? [code16 ? 32 : 16] : entry.prefix === "NP" ? [code16 ? 16 : 32] : [16, 32];
    if (entry.prefix === "F2" || entry.prefix === "F3") {
      if (emitterOf(entry, 32) && !decoded.get(entry)?.size) never.push(`${entry.handler}: jit=${emitterOf(entry, 32)}, never decoded`);
      continue;
    }
    for (const osz of sizes) {
      const named = emitterOf(entry, osz, code16);
      if (named && !decoded.get(entry)?.has(osz)) never.push(`${entry.handler} o${osz}: jit=${named}, never decoded`);
    }
  }
  expect(never).toEqual([]);
});

test("the translator declines prefixes whose lengths it does not model", () => {
  const taken: string[] = [];
  let repBsf = 0, repString = 0, pause = 0;
  for (const { code, op } of candidates(DECLINED_PREFIXES.map((p) => [p]))) {
    const insn = decodeOne(code, 0);
    // REP BSF (F3 0F BC, which later processors run as TZCNT) is BSF on a P6:
    // the prefix is ignored, so the translator takes it with the length + 1
    if (code[0] === 0xf3 && op === 0x1bc) {
      expect(insn?.op).toBe("bsf");
      expect(insn!.len).toBe(decodeOne(code.subarray(1), 0)!.len + 1);
      repBsf++;
    } else if ((code[0] === 0xf3 && op >= 0xa4 && op <= 0xaf && ![0xa8, 0xa9].includes(op))
      || (code[0] === 0xf2 && [0xa6, 0xa7, 0xae, 0xaf].includes(op))) {
      // REP MOVS/STOS/LODS, REPE and REPNE CMPS/SCAS: the interpreter's
      // handler in the block, the prefix included
      expect(insn?.op).toBe("string");
      expect(insn!.len).toBe(2);
      repString++;
    } else if (code[0] === 0xf3 && op === 0x90) {
      // PAUSE (the map's jitrep=)
      expect(insn?.op).toBe("pause");
      expect(insn!.len).toBe(2);
      pause++;
    } else if (insn && !(code[0] !== 0x67 && MAP.get(op)?.mandatory)) taken.push(hexBytes(code));
  }
  expect(taken.slice(0, 20)).toEqual([]);
  expect(repBsf).toBeGreaterThan(0);
  expect(repString).toBeGreaterThan(0);
  expect(pause).toBeGreaterThan(0);
});

test("an instruction cut off by the end of the code is not decoded", () => {
  // mov eax, [disp32] with its displacement one byte short
  expect(decodeOne(new Uint8Array([0x8b, 0x05, 1, 2, 3]), 0)).toBeUndefined();
  expect(decodeOne(new Uint8Array([0x8b, 0x05, 1, 2, 3, 4]), 0)?.len).toBe(6);
});

test("LOCK: the translator accepts it exactly where the opcode map allows it (flag L, a memory operand)", () => {
  const wrong: string[] = [];
  let accepted = 0;
  for (const { code, prefixes } of candidates([[0xf0], [0xf0, 0x66]])) {
    const insn = decodeOne(code, 0);
    const { entry, opLen } = entryAt(code, prefixes.length, prefixes);
    const memory = entry !== undefined && (code[prefixes.length + opLen] >> 6) !== 3;
    const allowed = entry !== undefined && entry.flags.has("L") && memory;
    if (insn && !allowed) wrong.push(`${hexBytes(code)}: translated with LOCK, where the interpreter raises #UD`);
    // Where LOCK is allowed, a translated instruction stays translated with it.
    const plain = decodeOne(code.subarray(1), 0);
    if (!insn && allowed && plain) wrong.push(`${hexBytes(code)}: declined with LOCK, translated without`);
    if (insn) { accepted++; expect(insn.len).toBe((plain?.len ?? 0) + 1); }
  }
  expect(wrong.slice(0, 20)).toEqual([]);
  expect(accepted).toBeGreaterThan(100);
});
