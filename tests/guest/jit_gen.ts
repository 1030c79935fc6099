// Generates the translator's differential test ROM (jit.test.ts): random chunks of
// the instructions web/jit/ translates (and some it leaves to the
// interpreter, mixed in), in 32-bit protected mode. The driver in jit.asm runs
// every chunk three times from the same registers and flags and prints the
// registers, EFLAGS and a checksum of the data the chunk wrote after each run,
// so that the first, interpreted run and the translated ones can be compared -
// and the whole output with qemu's.

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { OUT } from "./harness";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** xorshift32: the same chunks for a seed, everywhere. */
export function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  return {
    u32: next,
    int: (n: number) => next() % n,
    pick: <T>(a: readonly T[]): T => a[next() % a.length],
  };
}
export type Rng = ReturnType<typeof rng>;

// EBX points at the data area and EBP counts loops: chunks read them, never write them.
export const R32 = ["eax", "ecx", "edx", "esi", "edi"], R32ALL = [...R32, "ebx", "ebp"];
export const R16 = ["ax", "cx", "dx", "si", "di"], R16ALL = [...R16, "bx", "bp"];
export const R8 = ["al", "cl", "dl", "ah", "ch", "dh"], R8ALL = [...R8, "bl", "bh"];
export const ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
/** ALU operations that set every arithmetic flag without reading one (not ADC, SBB). */
export const ALU_NO_CARRY = ["add", "or", "and", "sub", "xor", "cmp"];
export const SHIFT = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sar"];
export const CC = ["o", "no", "b", "ae", "z", "nz", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];

function generateChunk(r: Rng, label: string): string[] {
  const hex = (v: number) => "0x" + (v >>> 0).toString(16);
  const mem = (size: string) => {
    const d = r.int(61) * 4 + r.int(4);
    const seg = r.int(6) === 0 ? "fs:" : "";
    return `${size} [${seg}ebx+${d}]`;
  };
  const imm = (bits: number) => hex(r.pick([0, 1, 0x7f, 0x80, 0xff, r.u32(), r.u32() & 0xff, (1 << (bits - 1)) >>> 0]) & (bits === 32 ? 0xffffffff : (1 << bits) - 1));
  const sized = () => r.pick([
    { bits: 32, dst: R32, src: R32ALL, m: "dword" },
    { bits: 32, dst: R32, src: R32ALL, m: "dword" },
    { bits: 16, dst: R16, src: R16ALL, m: "word" },
    { bits: 8, dst: R8, src: R8ALL, m: "byte" },
  ]);
  const out: string[] = [];
  let skip = 0;
  const n = 4 + r.int(12);
  for (let k = 0; k < n; k++) {
    const s = sized();
    const d = r.pick(s.dst), src = r.pick(s.src);
    switch (r.int(41)) {
      case 0: case 1: case 2: {
        const op = r.pick(ALU);
        const form = r.int(4);
        if (form === 0) out.push(`${op} ${d}, ${src}`);
        else if (form === 1) out.push(`${op} ${d}, ${r.int(2) ? imm(s.bits) : (s.bits > 8 ? "byte " : "") + (r.int(256) - 128)}`);
        else if (form === 2) out.push(`${op} ${d}, ${mem(s.m)}`);
        // LOCK (a memory destination; not CMP): translated as the plain instruction
        else out.push(`${op !== "cmp" && r.int(3) === 0 ? "lock " : ""}${op} ${mem(s.m)}, ${r.int(2) ? src : imm(s.bits)}`);
        break;
      }
      case 3: out.push(r.int(3) ? `${r.pick(["inc", "dec", "neg", "not"])} ${d}` : `${r.int(2) ? "lock " : ""}${r.pick(["inc", "dec", "neg", "not"])} ${mem(s.m)}`); break;
      case 4: out.push(`test ${d}, ${r.int(2) ? src : imm(s.bits)}`); break;
      case 5: out.push(`test ${mem(s.m)}, ${r.int(2) ? src : imm(s.bits)}`); break;
      case 6: out.push(`mov ${d}, ${r.pick([src, mem(s.m), imm(s.bits)])}`); break;
      case 7: out.push(`mov ${mem(s.m)}, ${r.int(2) ? src : imm(s.bits)}`); break;
      case 8: {
        const byte = r.int(2) === 0;
        const from = byte ? r.pick([...R8ALL, mem("byte")]) : r.pick([...R16ALL, mem("word")]);
        out.push(`${r.pick(["movzx", "movsx"])} ${byte ? r.pick([...R32, ...R16]) : r.pick(R32)}, ${from}`);
        break;
      }
      case 9: out.push(`lea ${r.pick(R32)}, [${r.pick(R32ALL)}+${r.pick(["eax", "ecx", "esi", "ebp"])}*${r.pick([1, 2, 4, 8])}+${r.int(4096) - 2048}]`); break;
      case 10: out.push(`xchg ${d}, ${r.int(2) ? r.pick(s.dst) : mem(s.m)}`); break;
      case 11: out.push(r.pick(["cbw", "cwde", "cwd", "cdq", "nop", "pause", "bswap " + r.pick(R32)])); break;
      case 12: {
        const f = r.int(3);
        const d16 = r.pick([...R32, ...R16]), m16 = d16.length === 2 ? "word" : "dword";
        const reg16 = d16.length === 2 ? r.pick(R16ALL) : r.pick(R32ALL);
        if (f === 0) out.push(`imul ${d16}, ${r.int(2) ? reg16 : mem(m16)}`);
        else out.push(`imul ${d16}, ${r.int(2) ? reg16 : mem(m16)}, ${f === 1 ? r.int(256) - 128 : imm(16)}`);
        break;
      }
      case 13: out.push(`${r.pick(["mul", "imul"])} ${r.int(2) ? r.pick(R32ALL) : mem("dword")}`); break;
      case 14: case 15: {
        const cnt = r.pick(["1", "cl", String(r.int(32)), String(r.int(8))]);
        out.push(`${r.pick(SHIFT)} ${r.int(3) ? d : mem(s.m)}, ${cnt}`);
        break;
      }
      case 16: out.push(`set${r.pick(CC)} ${r.int(2) ? r.pick(R8) : mem("byte")}`); break;
      case 17: {
        const d2 = r.pick([...R32, ...R16]);
        const m2 = d2.length === 2 ? "word" : "dword";
        out.push(`cmov${r.pick(CC)} ${d2}, ${r.int(2) ? (d2.length === 2 ? r.pick(R16ALL) : r.pick(R32ALL)) : mem(m2)}`);
        break;
      }
      case 18: out.push(`push ${r.pick([r.pick(R32ALL), mem("dword"), "dword " + imm(32), "byte " + (r.int(256) - 128)])}`, `pop ${r.pick(R32)}`); break;
      // Jcc forward over ALU instructions (web/jit/translator.ts inBlockBranches:
      // inside the block when the ranges nest): one; one inside another; two
      // to one target; two whose ranges overlap (the second through the
      // dispatch at the top of the block's loop, Emitter.back);
      // a Jcc to a target reached forward, then (after a JMP back the block
      // follows) a Jcc, never taken, to that target, decoded before it now;
      // and a Jcc over a RET, whose target the block decodes after the RET
      case 19: {
        const at = (x: string) => `${label}.${x}${skip}`;
        const j = (x: string) => `j${r.pick(CC)} ${at(x)}`;
        const alu = () => `${r.pick(ALU)} ${r.pick(s.dst)}, ${r.pick(s.src)}`;
        const f = r.int(6);
        out.push(...forwardJcc(r, f, j, at, alu, d, src));
        skip++;
        break;
      }
      // CALL and JMP: to the driver's helper (another page, mostly), and on
      // the chunk's page, where a block goes on past them (decode.ts
      // decodeBlock): a CALL and its callee's RET (or RET 4, releasing an
      // argument), a callee that moves its return address, JMP forward and back
      case 20: {
        const at = (x: string) => `${label}.${x}${skip}`;
        const alu = () => `${r.pick(ALU)} ${r.pick(s.dst)}, ${r.pick(s.src)}`;
        const f = r.int(5);
        if (f === 0) out.push("call jt_helper");
        else if (f === 4) out.push(`push ${r.pick(R32)}`, `call ${at("f")}`, `jmp ${at("j")}`, `${at("f")}:`, alu(), "ret 4", `${at("j")}:`);
        else if (f === 1) out.push(`call ${at("f")}`, `jmp ${at("j")}`, `${at("f")}:`, alu(), "ret", `${at("j")}:`);
        else if (f === 2) {
          // the callee returns 2 bytes on: past the JMP SHORT, to the ALU instruction
          out.push(`call ${at("f")}`, `jmp short ${at("x")}`, alu(), `jmp ${at("j")}`, `${at("f")}:`, "add dword [esp], 2", "ret",
            `${at("x")}:`, alu(), `${at("j")}:`);
        } else out.push(`jmp ${at("b")}`, `${at("a")}:`, alu(), `jmp ${at("j")}`, `${at("b")}:`, alu(), `jmp ${at("a")}`, `${at("j")}:`);
        skip++;
        break;
      }
      // the flag instructions (translated in place), and RCL/RCR by 1 and by
      // small counts, which rotate in the carry the others leave
      case 21: out.push(r.pick(["clc", "stc", "cmc", "lahf", "sahf", `rcl ${d}, 1`, `rcr ${d}, ${r.int(4)}`])); break;
      case 22: out.push(`and esi, 0x7c`, `${r.pick(ALU)} ${r.pick(R32)}, [ebx+esi*2+${r.int(8) * 4}]`); break;
      // MOV AL/AX/EAX <-> [moffs] (A0-A3): an absolute address in the data area
      case 23: {
        const a = r.pick(["al", "ax", "eax"]), at = `[${r.int(6) === 0 ? "fs:" : ""}${hex(0x40000 + r.int(61) * 4 + r.int(4))}]`;
        out.push(r.int(2) ? `mov ${a}, ${at}` : `mov ${at}, ${a}`);
        break;
      }
      // LEAVE closing a frame opened here (EBP, the loop counter, saved around it);
      // the 16-bit form pops BP alone, and a register takes the EBP it leaves
      case 24: {
        const frame = [`mov ebp, esp`, `sub esp, ${4 * r.int(16)}`, `mov [ebp-4], ${r.pick(R32)}`];
        if (r.int(2)) out.push("push ebp", ...frame, "leave", `mov ${r.pick(R32)}, esp`, `add ${r.pick(R32)}, ebp`);
        else out.push("push ebp", `push word ${imm(16)}`, ...frame, "o16 leave", `mov ${r.pick(R32)}, ebp`, "pop ebp");
        break;
      }
      // SHLD/SHRD, 16 and 32 bits, register or memory destination, imm8 or CL
      // (16-bit counts over 16 included)
      case 25: out.push(shiftDouble(r, mem)); break;
      // XADD (it writes its source: not EBX or EBP) and CMPXCHG, register or memory,
      // LOCK on memory; CMPXCHG often finds the accumulator equal (loaded just before)
      case 26: out.push(xadd(r, mem, s, d)); break;
      case 27: out.push(...cmpxchg(r, mem, s, d, src)); break;
      // CLI, STI at CPL 0 (the driver masked the 8259A: no interrupt comes in)
      case 28: out.push(r.pick(["cli", "sti"])); break;
      // PUSHFD after any flag state; POPFD of a random image (all but TF and DF:
      // a trap, string instructions in the driver), of IF, IOPL, NT, AC, ID and the
      // bits it must leave alone (RF, VM, VIF, VIP, reserved), or of what PUSHFD saved
      case 29: out.push("pushfd", `pop ${r.pick(R32)}`); break;
      case 30: {
        if (r.int(2)) out.push("pushfd", `${r.pick(ALU)} ${d}, ${src}`, "popfd");
        else out.push(`push dword ${hex(r.u32() & ~0x500)}`, "popfd");
        break;
      }
      // RDTSC, its value dropped (qemu's clock is the host's; jit.asm checks values)
      case 31: out.push("rdtsc", `mov eax, ${imm(32)}`, `mov edx, ${imm(32)}`); break;
      // BT BTS BTR BTC (register or memory, register or imm8 offset; a register
      // offset into memory addresses by its signed value: kept within the data
      // area) and BSF/BSR (also REP BSF; a zero source leaves the destination).
      // They leave flags undefined (OF SF AF PF; BSF/BSR all but ZF) where qemu
      // and RingZero differ, so CF or ZF is taken with SETcc and an ALU
      // instruction that reads none then sets every flag.
      case 32: out.push(...bitTest(r, mem, (m) => `${m} [ebx+${64 + r.int(16) * 4}]`, d, src)); break;
      case 33: {
        const d2 = r.pick([...R32, ...R16]);
        const from = d2.length === 2 ? r.pick([...R16ALL, mem("word")]) : r.pick([...R32ALL, mem("dword")]);
        if (r.int(4) === 0) out.push(`xor ${d2.length === 2 ? "si" : "esi"}, ${d2.length === 2 ? "si" : "esi"}`, `${r.pick(["bsf", "bsr"])} ${d2}, ${d2.length === 2 ? "si" : "esi"}`);
        else out.push(`${r.int(4) === 0 ? "rep " : ""}${r.pick(["bsf", "bsr"])} ${d2}, ${from}`);
        out.push(`set${r.pick(["z", "nz"])} ${r.pick(R8)}`, `${r.pick(ALU_NO_CARRY)} ${d}, ${src}`);
        break;
      }
      case 34: out.push(...divide(r, mem)); break;
      // CLD, STD: EFLAGS.DF, seen in the EFLAGS a run ends with (or PUSHFD's)
      case 35: out.push(r.pick(["cld", "std"]), ...(r.int(2) ? ["pushfd", `pop ${r.pick(R32)}`] : [])); break;
      case 36: out.push(...stringOp(r)); break;
      // LOOP, LOOPE, LOOPNE back over an ALU instruction, 1 to 4 times, and
      // JECXZ forward over one: the counter ECX, or CX with 67h (ECX's upper
      // half then set, and left alone)
      case 37: {
        const at = (x: string) => `${label}.${x}${skip}`;
        const a16 = r.int(3) === 0;
        const kind = r.pick(["loop", "loope", "loopne", "jecxz"]);
        const alu = () => `${r.pick(ALU)} ${r.pick(["eax", "edx", "esi", "edi"])}, ${r.pick(["eax", "edx", "esi", "edi", "ebx", "ebp"])}`;
        if (kind === "jecxz") out.push(`mov ecx, ${a16 ? hex((r.u32() & 0xffff0000) | r.int(2)) : r.int(2)}`, `${a16 ? "jcxz" : "jecxz"} ${at("z")}`, alu(), `${at("z")}:`);
        else out.push(`mov ecx, ${a16 ? hex((r.u32() & 0xffff0000) | (1 + r.int(4))) : 1 + r.int(4)}`, `${at("l")}:`, alu(), `${a16 ? "a16 " : ""}${kind} ${at("l")}`);
        skip++;
        break;
      }
      // PUSH of a segment register popped into a register, its low half kept
      // (a 32-bit push of a selector writes 16 bits on some processors: SDM
      // vol. 2 PUSH), and MOV r/m, Sreg
      case 38: {
        const sreg = r.pick(["es", "cs", "ss", "ds", "fs", "gs"]);
        const f = r.int(3);
        if (f === 0) { const d32 = r.pick(R32); out.push(`push ${sreg}`, `pop ${d32}`, `movzx ${d32}, ${d32.slice(1)}`); }
        else if (f === 1) out.push(`mov ${r.pick([...R32, ...R16])}, ${sreg}`);
        else out.push(`mov ${mem("word")}, ${sreg}`);
        break;
      }
      // a segment load in the block: FS to jit.asm's selector 30h (based at
      // 1000h) for an access through it into the data area, then back to the
      // flat 10h (MOV or POP); or ES reloaded with DS's selector
      case 39: {
        const x = r.pick(R16);
        if (r.int(3)) {
          out.push("push fs", `mov ${x}, 0x30`, `mov fs, ${x}`, `${r.pick(ALU)} ${d}, ${s.m} [fs:ebx-${hex(0x1000 - r.int(61) * 4 - r.int(4))}]`);
          out.push(...(r.int(2) ? ["pop fs"] : [`mov ${x}, 0x10`, `mov fs, ${x}`, `add esp, 4`]));
        } else out.push(`mov ${x}, ds`, `mov es, ${x}`);
        break;
      }
      default: out.push(`${r.pick(ALU)} ${d}, ${src}`); break;
    }
  }
  return out;
}

/** BT BTS BTR BTC, case 32 (jit_gen16.ts shares it): a register, an imm8 or
 *  (into memory) a register offset of -64..191 bits, which moves the address
 *  by its signed value: `offsetMem` gives that operand (its size `m`), 8 bytes
 *  into the data area or more; then CF taken with SETcc and an ALU instruction
 *  on `d`, `src` that sets the flags BT* leave undefined. */
export function bitTest(r: Rng, mem: (size: string) => string, offsetMem: (m: string) => string, d: string, src: string): string[] {
  const w = r.int(2) ? { dst: R32, src: R32ALL, m: "dword", bits: 32 } : { dst: R16, src: R16ALL, m: "word", bits: 16 };
  const op = r.pick(["bt", "bts", "btr", "btc"]);
  const lock = op !== "bt" && r.int(3) === 0 ? "lock " : "";
  const f = r.int(4);
  const out: string[] = [];
  if (f === 0) out.push(`${op} ${r.pick(w.dst)}, ${r.pick(w.src)}`);
  else if (f === 1) out.push(`${op} ${r.int(2) ? r.pick(w.dst) : mem(w.m)}, ${r.int(256)}`);
  else if (f === 2) {
    const off = w.bits === 32 ? "ecx" : "cx";
    const set = `mov ${off}, ${r.int(256) - 64}`;
    out.push(set, `${lock}${op} ${offsetMem(w.m)}, ${off}`);
  } else out.push(`${lock}${op} ${mem(w.m)}, ${r.int(256)}`);
  out.push(`set${r.pick(["c", "nc"])} ${r.pick(R8)}`, `${r.pick(ALU_NO_CARRY)} ${d}, ${src}`);
  return out;
}

/** Jcc forward over ALU instructions, pattern `f` of case 19 (0-5; jit_gen16.ts
 *  shares them): `j` a Jcc to label `x`, `at` the label, `alu` an ALU
 *  instruction, `d`/`src` an ALU instruction's operands. Pattern 5 CALLs a
 *  routine in the chunk (its stack use is the caller's to note). */
export function forwardJcc(r: Rng, f: number, j: (x: string) => string, at: (x: string) => string, alu: () => string, d: string, src: string): string[] {
  // the target after the callee's RET: decodeBlock goes on there
  if (f === 5) return [`call ${at("f")}`, `jmp ${at("j")}`, `${at("f")}:`, j("t"), alu(), "ret", `${at("t")}:`, `set${r.pick(CC)} ${r.pick(R8)}`, alu(), "ret", `${at("j")}:`];
  if (f === 4) {
    return [j("t"), `jmp ${at("b")}`, `${at("a")}:`, alu(), "clc", `jc ${at("t")}`, `jmp ${at("j")}`,
      `${at("b")}:`, `${at("t")}:`, alu(), `jmp ${at("a")}`, `${at("j")}:`];
  }
  if (f === 0) return [j("s"), `${r.pick(ALU)} ${d}, ${src}`, `${at("s")}:`];
  if (f === 1) return [j("o"), alu(), j("i"), alu(), `${at("i")}:`, alu(), `${at("o")}:`];
  if (f === 2) return [j("t"), alu(), j("t"), alu(), `${at("t")}:`, alu()];
  return [j("a"), alu(), j("b"), alu(), `${at("a")}:`, alu(), `${at("b")}:`];
}

/** An operand size's registers and memory operand width, for the cases
 *  jit_gen16.ts shares. */
export interface Sized { bits: number; dst: string[]; src: string[]; m: string }

/** SHLD/SHRD, 16 and 32 bits, register or memory destination, imm8 or CL
 *  (16-bit counts over 16 included). */
export function shiftDouble(r: Rng, mem: (size: string) => string): string {
  const w = r.int(2) ? { dst: R32, src: R32ALL, m: "dword" } : { dst: R16, src: R16ALL, m: "word" };
  const cnt = r.pick(["cl", "cl", "1", String(r.int(32)), String(16 + r.int(16)), "0"]);
  return `${r.pick(["shld", "shrd"])} ${r.int(3) ? r.pick(w.dst) : mem(w.m)}, ${r.pick(w.src)}, ${cnt}`;
}
/** XADD into memory (LOCK or not) or into register `d`; the source is a
 *  register chunks may write. */
export function xadd(r: Rng, mem: (size: string) => string, s: Sized, d: string): string {
  const lock = r.int(2) ? "lock " : "";
  return r.int(3) ? `${lock}xadd ${mem(s.m)}, ${r.pick(s.dst)}` : `xadd ${d}, ${r.pick(s.dst)}`;
}
/** CMPXCHG of memory (LOCK or not) or of register `d` with `src`, the
 *  accumulator often loaded from the destination just before. */
export function cmpxchg(r: Rng, mem: (size: string) => string, s: Sized, d: string, src: string): string[] {
  const acc = { 32: "eax", 16: "ax", 8: "al" }[s.bits]!;
  const at = mem(s.m);
  if (r.int(3)) {
    return [...(r.int(2) ? [`mov ${acc}, ${at}`] : []), `${r.int(2) ? "lock " : ""}cmpxchg ${at}, ${src}`];
  }
  return [...(r.int(2) ? [`mov ${acc}, ${d}`] : []), `cmpxchg ${d}, ${src}`];
}

/** A string instruction - MOVS, STOS, LODS, CMPS or SCAS (A4-AF) - of bytes,
 *  words or dwords: with REP (ECX from 0 up), for CMPS and SCAS REPE or
 *  REPNE (stopping on the data they meet), or without; up or down (CLD/STD);
 *  with a segment override or without; ESI and EDI set just before so that
 *  every element read or written lies in the 512-byte data area (EBX). */
function stringOp(r: Rng): string[] {
  const size = r.pick([1, 2, 4]);
  const kind = r.pick(["movs", "stos", "lods", "cmps", "scas"]);
  const name = kind + (size === 1 ? "b" : size === 2 ? "w" : "d");
  const compares = kind === "cmps" || kind === "scas";
  const rep = r.int(4) !== 0 ? (compares ? r.pick(["repe ", "repne "]) : "rep ") : "";
  const count = rep ? r.pick([0, 1, 2, 3, 7, 16, 33, 100]) : 1;
  const down = r.int(3) === 0;
  // the first element's offset: the elements [at, at + n * size) up, or
  // (at - n * size, at + size) down, inside 0..511
  const span = Math.max(count, 1) * size;
  const at = () => (down ? span - size + r.int(512 - span + 1) : r.int(512 - span + 1));
  const out = [down ? "std" : "cld"];
  if (kind !== "lods") out.push(`lea edi, [ebx+${at()}]`);
  if (kind === "movs" || kind === "lods" || kind === "cmps") out.push(`lea esi, [ebx+${at()}]`);
  if (rep) out.push(`mov ecx, ${count}`);
  // now and then a segment override (every segment is flat here): MOVS,
  // LODS and CMPS read through it, STOS and SCAS ignore it
  if (r.int(3) === 0) out.push(`db 0x${r.pick([0x26, 0x36, 0x3e, 0x64, 0x65]).toString(16)}`);
  out.push(`${rep}${name}`);
  return out;
}

/** DIV or IDIV (F6/F7 /6 /7) of 8, 16 or 32 bits, the dividend (AX, DX:AX,
 *  EDX:EAX) and the divisor (a register or the data area) loaded just before,
 *  so as to reach each case: a quotient that fits (negative dividends and
 *  divisors, the remainder's sign, the largest quotients), a zero divisor, one
 *  that does not fit, INT_MIN / -1 of the quotient's width (and of the
 *  dividend's for 8 bits); and now and then a divisor of whatever a register
 *  holds (the dividend's own registers included). A 16- or 32-bit dividend of
 *  its width's INT_MIN is never signed-divided here: qemu 7.2 dies of a host
 *  SIGFPE dividing it by -1 (its helper divides in C), so jit_de.asm has those
 *  cases, checked against the SDM. A #DE goes to jt_de (jit.asm), which
 *  folds the state it finds into the chunk's line and goes on after the
 *  instruction: the forms here (with generateChunk's mem) are [66] [64] F6/F7
 *  ModRM with no SIB. (jit_gen16.ts shares it with a mem of its own.) */
export function divide(r: Rng, mem: (size: string) => string): string[] {
  const hex = (v: number) => "0x" + (v >>> 0).toString(16);
  const bits = r.pick([8, 16, 32, 32]), signed = r.int(2) === 1;
  const full = 2 ** bits, top = 2 ** (bits - 1);
  const any = () => r.pick([r.u32() % full, r.int(8), full - 1 - r.int(8), top, top - 1]);
  const nonzero = () => r.pick([1 + r.int(9), 1 + (r.u32() % (full - 1)), full - 1 - r.int(9), top]);
  // the dividend's high and low halves, the divisor (bits wide each)
  let hi: number, lo = any(), dv: number;
  const signOf = (v: number) => (v >= top ? full - 1 : 0);
  switch (r.int(8)) {
    case 0: dv = 0; hi = any(); break;
    case 1: // does not fit: DIV with the high half >= the divisor; IDIV with a large dividend
      dv = nonzero();
      hi = signed ? any() : dv + (r.u32() % (full - dv));
      break;
    case 2: // INT_MIN / -1 (IDIV), of the dividend's width (see below) or the quotient's; DIV's largest quotient
      if (signed) { dv = full - 1; [hi, lo] = r.int(2) ? [top, 0] : [full - 1, top]; }
      else { dv = nonzero(); hi = dv - 1; lo = full - 1; }
      break;
    case 3: // quotients at the edges of IDIV's range: -top fits, top does not
      dv = r.pick([1, full - 1]);
      [hi, lo] = r.int(2) ? [full - 1, top] : [0, top];
      break;
    default: // fits
      dv = nonzero();
      hi = signed ? signOf(lo) : r.u32() % dv;
  }
  if (signed && bits > 8 && hi === top && lo === 0) lo = 1; // INT_MIN: still #DE by -1
  const out: string[] = [];
  const [acc, high] = bits === 32 ? ["eax", "edx"] : ["ax", "dx"];
  const extend = bits === 32 ? "cdq" : bits === 16 ? "cwd" : "cbw";
  if (signed && hi === signOf(lo) && r.int(2)) out.push(`mov ${bits === 8 ? "al" : acc}, ${hex(lo)}`, extend);
  else if (bits === 8) out.push(`mov ax, ${hex(hi * 256 + lo)}`);
  else out.push(`mov ${acc}, ${hex(lo)}`, `mov ${high}, ${hex(hi)}`);
  let divisor: string;
  const where = r.int(8);
  if (where === 0) divisor = r.pick(bits === 32 ? R32ALL : bits === 16 ? R16ALL : R8ALL);
  else if (where < 4) { divisor = mem(bits === 32 ? "dword" : bits === 16 ? "word" : "byte"); out.push(`mov ${divisor}, ${hex(dv)}`); }
  else { divisor = r.pick(bits === 32 ? ["ecx", "esi", "edi"] : bits === 16 ? ["cx", "si", "di"] : ["cl", "dl", "ch", "dh"]); out.push(`mov ${divisor}, ${hex(dv)}`); }
  out.push(`${signed ? "idiv" : "div"} ${divisor}`);
  return out;
}

/** Write the ROM source for `count` chunks from `seed`, assemble it, return the binary's path. */
export function buildJitRom(seed: number, count: number): string {
  const r = rng(seed);
  const lines: string[] = [];
  const table: string[] = [];
  for (let c = 0; c < count; c++) {
    const label = `ch${c}`;
    const loop = r.int(3) === 0;
    lines.push(`${label}:`);
    if (loop) lines.push(`  mov ebp, ${2 + r.int(6)}`, `${label}.top:`);
    for (const l of generateChunk(r, label)) lines.push(l.endsWith(":") ? l : "  " + l);
    if (loop) lines.push("  dec ebp", `  jnz ${label}.top`);
    lines.push("  ret");
    const regs = Array.from({ length: 6 }, () => "0x" + r.pick([r.u32(), r.u32() & 0xff, 0, 0xffffffff, 0x80000000, 0x7fffffff]).toString(16));
    // flags: CF PF AF ZF SF OF, DF clear (STD in a chunk sets it, and string
    // instructions set it as they need it) and IF clear (STI in a chunk sets it)
    const fl = "0x" + ((r.u32() & 0x8d5) | 2).toString(16);
    table.push(`  dd ${label} + ROMB, ${regs.join(", ")}, ${fl}`);
  }
  const src = [
    `%define JT_COUNT ${count}`,
    `%include "jit.asm"`,
    "bits 32",
    "jt_chunks:",
    ...lines,
    "align 4",
    "jt_table:",
    ...table,
    "ROM_END",
    "",
  ].join("\n");
  const dir = OUT;
  mkdirSync(dir, { recursive: true });
  const asm = join(dir, `jit-${seed.toString(16)}-${count}.asm`);
  const bin = asm.replace(/\.asm$/, ".bin");
  writeFileSync(asm, src);
  execFileSync("nasm", ["-f", "bin", "-I", join(ROOT, "tests/guest") + "/", "-o", bin, asm], { stdio: "pipe" });
  return bin;
}
