// Generates the real-mode twin of the translator's differential test ROM
// (jit16.test.ts): random chunks of 16-bit code - default operand and address
// size 16, 0x66 and 0x67 switching to 32, 16-bit ModRM addressing, a 16-bit
// stack (SS.B = 0) - covering what jit_gen.ts covers in 32-bit code. The
// driver in jit16.asm runs every chunk three times from the same registers,
// flags, stack pointer and data, in real mode with CS = F000 (the ROM) and DS,
// ES, FS, GS, SS on segments of their own, and prints the registers, FLAGS and
// a checksum of the data areas after each run.
//
// Every memory operand lands in a data area: offsets DATA_LO to DATA_HI - 1
// of DS, ES, FS, GS or SS (jit16.asm fills and sums them), and a word or dword
// never crosses offset FFFFh, where real mode raises #GP or #SS (SDM vol. 3
// §20.1.1; QEMU does not check data segment limits, so the test stays inside
// them). How: BX and BP hold BASE and the chunks never write them (their upper
// halves may be anything, and are ignored by 16-bit addressing); SI, DI, ESI
// and EDI are masked to a small value just before an instruction uses them as
// an index (jit_gen.ts does the same in its case 22); 32-bit addressing (0x67)
// uses EBX or EBP only when the chunk's table entry makes its upper half 0.
// The stack is the only memory outside: each chunk's stack accesses are
// modelled (StackModel) so that the runs that start with SP near 0, where the
// pushes wrap from 0000h to FFFEh, never put a dword at FFFEh.

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { OUT } from "./harness";
import { rng, divide, shiftDouble, xadd, cmpxchg, forwardJcc, bitTest, type Rng, R32, R32ALL, R16, R16ALL, R8, R8ALL, ALU, ALU_NO_CARRY, SHIFT, CC } from "./jit_gen";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** The data area in each of DS, ES, FS, GS and SS: offsets DATA_LO to
 *  DATA_HI - 1. Not from 0: a run whose SP starts near 0 has its stack
 *  there, in SS (see stackTop). jit16.asm gets these from the ROM source. */
const DATA_LO = 0x20, DATA_SIZE = 0x400, DATA_HI = DATA_LO + DATA_SIZE;
/** BX and BP (their low halves): the bases into DS's and SS's data areas. */
const BASE = 0x120;
/** The largest value a masked index register holds (ESI and EDI: times the scale). */
const INDEX_MAX = 0xff;
/** DS:LOOP_AT, a looping chunk's counter (outside the data area: not summed). */
const LOOP_AT = 0x7fe;
/** Widest access: every operand's offsets are kept within [DATA_LO, DATA_HI - WIDEST]. */
const WIDEST = 4;
/** The SPs near 0 a run may start with (the driver's CALL pushes below it). */
const WRAP_SP = [0, 2, 4, 6, 8, 0xa, 0xc, 0xe, 0x10];

const hex = (v: number) => "0x" + (v >>> 0).toString(16);
const signed = (d: number) => (d === 0 ? "" : d > 0 ? `+${hex(d)}` : `-${hex(-d)}`);

/** The chunk's stack as the generator emits it: depth is how far below the
 *  SP the driver calls from (its CALL's return address makes 2), and each
 *  dword access is noted by its depth, so that stackTop can leave out the
 *  starting SPs that would put one at FFFEh. The chunks' stack use is
 *  straight-line and balanced (a CALL's callee, a loop's body), so one depth
 *  per instruction holds on every path and pass. */
class StackModel {
  depth = 2;
  readonly dwords = new Set<number>();
  push(width: number) { this.depth += width; if (width === 4) this.dwords.add(this.depth); }
  pop(width: number) { if (width === 4) this.dwords.add(this.depth); this.depth -= width; }
  /** a dword at [BP + d] with BP = the SP at `depth` */
  dwordAt(depth: number) { this.dwords.add(depth); }
}

/** The SP a run starts with: mostly well inside the stack segment; now and
 *  then near 0, so that the chunk's pushes wrap to FFFEh (SS.B = 0: SP wraps
 *  at 64K), with a value that puts no dword at FFFEh-10001h. */
function stackTop(r: Rng, st: StackModel): number {
  const ok = WRAP_SP.filter((s) => ![...st.dwords].some((d) => ((s - d) & 0xffff) === 0xfffe));
  return r.int(3) === 0 && ok.length ? r.pick(ok) : 0x6000 + 2 * r.int(0x2000);
}

/** A displacement in [lo, hi]: 0, disp8 or disp16 (nasm takes the shortest
 *  encoding), each when the range allows it. */
function disp(r: Rng, lo: number, hi: number): number {
  const f = r.int(3);
  if (f === 0 && lo <= 0 && hi >= 0) return 0;
  const a = Math.max(lo, -128), b = Math.min(hi, 127);
  if (f <= 1 && a <= b) return a + r.int(b - a + 1);
  const far = [];
  if (lo < -128) far.push([lo, Math.min(hi, -129)]);
  if (hi > 127) far.push([Math.max(lo, 128), hi]);
  const [x, y] = far.length ? r.pick(far) : [lo, hi];
  return x + r.int(y - x + 1);
}

interface Chunk { lines: string[]; stack: StackModel }

function generateChunk(r: Rng, label: string, ebxSmall: boolean, ebpSmall: boolean): Chunk {
  const out: string[] = [];
  const st = new StackModel();
  const imm = (bits: number) => hex(r.pick([0, 1, 0x7f, 0x80, 0xff, r.u32(), r.u32() & 0xff, (1 << (bits - 1)) >>> 0]) & (bits === 32 ? 0xffffffff : (1 << bits) - 1));
  // SI or DI to 0..INDEX_MAX, just before the instruction that indexes with
  // it: by AND (flags set) or MOVZX (flags kept, for the ADC, RCL, SETcc... after)
  const mask16 = (reg: string) => out.push(r.int(2) ? `and ${reg}, ${hex(r.pick([0xff, 0xfe, 0x7f, 0xfc, 0x3e]))}` : `movzx ${reg}, ${r.pick(R8ALL)}`);
  // ESI or EDI (all 32 bits) to at most INDEX_MAX / scale
  const mask32 = (reg: string, scale: number) => {
    const top = Math.floor(INDEX_MAX / scale);
    out.push(scale === 1 && r.int(2) ? `movzx ${reg}, ${r.pick(R8ALL)}` : `and ${reg}, ${hex(r.pick([top, top & ~1, top >> 1]))}`);
  };
  // 16-bit addressing: [bx+d] [bp+d] [si+d] [di+d] [bx+si+d] [bx+di+d] [bp+si+d]
  // [bp+di+d] [disp16]; BP's forms in SS, the others in DS
  const ea16 = () => {
    const f = r.int(9);
    if (f === 8) return hex(DATA_LO + r.int(DATA_SIZE - WIDEST + 1));
    const base = [["bx"], ["bp"], [], [], ["bx"], ["bx"], ["bp"], ["bp"]][f];
    const index = [[], [], ["si"], ["di"], ["si"], ["di"], ["si"], ["di"]][f];
    // [si], [di] (mod 00, no displacement): the index itself in the area,
    // BASE to BASE + INDEX_MAX as [bx+si] reaches
    if (!base.length && r.int(3) === 0) {
      out.push(`and ${index[0]}, ${hex(INDEX_MAX)}`, `or ${index[0]}, ${hex(BASE)}`);
      return index[0];
    }
    for (const x of index) mask16(x);
    const lo = DATA_LO - (base.length ? BASE : 0), hi = DATA_HI - WIDEST - (base.length ? BASE : 0) - (index.length ? INDEX_MAX : 0);
    return [...base, ...index].join("+") + signed(disp(r, lo, hi));
  };
  // 32-bit addressing (0x67): a base of EBX or EBP (when their upper half is
  // 0), a masked ESI or EDI, or none; a masked index times 1, 2, 4 or 8, or
  // none; [disp32] alone
  const ea32 = (seg: string) => {
    const bases = ["", "esi", "edi", ...(ebxSmall ? ["ebx", "ebx"] : []), ...(ebpSmall ? ["ebp", "ebp"] : [])];
    const base = r.pick(bases);
    const index = r.int(3) === 0 ? "" : r.pick(["esi", "edi"].filter((x) => x !== base));
    const scale = r.pick([1, 2, 4, 8]);
    if (!base && !index) return `dword ${seg}${hex(DATA_LO + r.int(DATA_SIZE - WIDEST + 1))}`;
    if (base === "esi" || base === "edi") mask32(base, 1);
    if (index) mask32(index, scale);
    const bmin = base === "ebx" || base === "ebp" ? BASE : 0, bmax = base === "ebx" || base === "ebp" ? BASE : base ? INDEX_MAX : 0;
    const d = disp(r, DATA_LO - bmin, DATA_HI - WIDEST - bmax - (index ? INDEX_MAX : 0));
    return seg + [base, index && `${index}*${scale}`].filter(Boolean).join("+") + signed(d);
  };
  // a memory operand of `size` (byte, word, dword); now and then a segment
  // override (DS on a BP form, SS on the others included)
  const mem = (size: string, a32 = r.int(5) === 0) => {
    const seg = r.int(4) === 0 ? r.pick(["es:", "fs:", "gs:", "ss:", "ds:"]) : "";
    return `${size} [${a32 ? ea32(seg) : seg + ea16()}]`;
  };
  const sized = () => r.pick([
    { bits: 32, dst: R32, src: R32ALL, m: "dword" },
    { bits: 16, dst: R16, src: R16ALL, m: "word" },
    { bits: 16, dst: R16, src: R16ALL, m: "word" },
    { bits: 8, dst: R8, src: R8ALL, m: "byte" },
  ]);
  let skip = 0;
  const n = 4 + r.int(12);
  for (let k = 0; k < n; k++) {
    const s = sized();
    const d = r.pick(s.dst), src = r.pick(s.src);
    const at = (x: string) => `${label}.${x}${skip}`;
    const alu = () => `${r.pick(ALU)} ${r.pick(s.dst)}, ${r.pick(s.src)}`;
    switch (r.int(41)) {
      case 0: case 1: case 2: {
        const op = r.pick(ALU);
        const form = r.int(4);
        if (form === 0) out.push(`${op} ${d}, ${src}`);
        else if (form === 1) out.push(`${op} ${d}, ${r.int(2) ? imm(s.bits) : (s.bits > 8 ? "byte " : "") + (r.int(256) - 128)}`);
        else if (form === 2) out.push(`${op} ${d}, ${mem(s.m)}`);
        // LOCK (a memory destination; not CMP)
        else out.push(`${op !== "cmp" && r.int(3) === 0 ? "lock " : ""}${op} ${mem(s.m)}, ${r.int(2) ? src : imm(s.bits)}`);
        break;
      }
      case 3: out.push(r.int(3) ? `${r.pick(["inc", "dec", "neg", "not"])} ${d}` : `${r.int(2) ? "lock " : ""}${r.pick(["inc", "dec", "neg", "not"])} ${mem(s.m)}`); break;
      case 4: out.push(`test ${d}, ${r.int(2) ? src : imm(s.bits)}`); break;
      case 5: out.push(`test ${mem(s.m)}, ${r.int(2) ? src : imm(s.bits)}`); break;
      case 6: out.push(`mov ${d}, ${r.pick([src, "mem", imm(s.bits)]).replace(/^mem$/, () => mem(s.m))}`); break;
      case 7: out.push(`mov ${mem(s.m)}, ${r.int(2) ? src : imm(s.bits)}`); break;
      case 8: {
        const byte = r.int(2) === 0;
        const dst = byte ? r.pick([...R32, ...R16]) : r.pick(R32);
        const from = r.int(2) ? r.pick(byte ? R8ALL : R16ALL) : mem(byte ? "byte" : "word");
        out.push(`${r.pick(["movzx", "movsx"])} ${dst}, ${from}`);
        break;
      }
      // LEA computes an address and reads nothing: any registers, 16-bit
      // forms wrapping at 64K, 32-bit ones (0x67) truncated to a 16-bit
      // destination or not (0x66)
      case 9: {
        const dst = r.pick([...R16, ...R32]);
        if (r.int(2)) {
          const form = r.pick(["bx", "bp", "si", "di", "bx+si", "bx+di", "bp+si", "bp+di"]);
          out.push(`lea ${dst}, [${form}${signed(r.int(0x10000) - 0x8000)}]`);
        } else out.push(`lea ${dst}, [${r.pick(R32ALL)}+${r.pick(R32ALL)}*${r.pick([1, 2, 4, 8])}${signed(r.u32() | 0)}]`);
        break;
      }
      case 10: out.push(`xchg ${d}, ${r.int(2) ? r.pick(s.dst) : mem(s.m)}`); break;
      case 11: out.push(r.pick(["cbw", "cwde", "cwd", "cdq", "nop", "bswap " + r.pick(R32)])); break;
      case 12: {
        const f = r.int(3);
        const d16 = r.pick([...R32, ...R16]), m16 = d16.length === 2 ? "word" : "dword";
        const from = r.int(2) ? (d16.length === 2 ? r.pick(R16ALL) : r.pick(R32ALL)) : mem(m16);
        if (f === 0) out.push(`imul ${d16}, ${from}`);
        else out.push(`imul ${d16}, ${from}, ${f === 1 ? r.int(256) - 128 : imm(16)}`);
        break;
      }
      // MUL, IMUL of AL, AX (DX:AX) and EAX (EDX:EAX)
      case 13: out.push(`${r.pick(["mul", "imul"])} ${r.int(2) ? src : mem(s.m)}`); break;
      case 14: case 15: {
        const cnt = r.pick(["1", "cl", String(r.int(32)), String(r.int(8))]);
        out.push(`${r.pick(SHIFT)} ${r.int(3) ? d : mem(s.m)}, ${cnt}`);
        break;
      }
      case 16: out.push(`set${r.pick(CC)} ${r.int(2) ? r.pick(R8) : mem("byte")}`); break;
      case 17: {
        const d2 = r.pick([...R32, ...R16]);
        out.push(`cmov${r.pick(CC)} ${d2}, ${r.int(2) ? (d2.length === 2 ? r.pick(R16ALL) : r.pick(R32ALL)) : mem(d2.length === 2 ? "word" : "dword")}`);
        break;
      }
      // PUSH and POP of words and dwords (0x66): registers (SP and ESP push
      // their value before the push), memory, imm16, imm32 and imm8
      // sign-extended; two words popped as one dword and the other way round
      case 18: {
        const f = r.int(4);
        if (f === 0) {
          out.push(`push ${r.pick([r.pick(R16ALL), "sp", "mem", "word " + imm(16), "byte " + (r.int(256) - 128)]).replace(/^mem$/, () => mem("word"))}`);
          st.push(2);
          out.push(`pop ${r.int(3) ? r.pick(R16) : mem("word")}`);
          st.pop(2);
        } else if (f === 1) {
          out.push(`push ${r.pick([r.pick(R32ALL), "esp", "mem", "dword " + imm(32)]).replace(/^mem$/, () => mem("dword"))}`);
          st.push(4);
          out.push(`pop ${r.int(3) ? r.pick(R32) : mem("dword")}`);
          st.pop(4);
        } else if (f === 2) {
          out.push(`push ${r.pick(R16ALL)}`, `push word ${imm(16)}`, `pop ${r.pick(R32)}`);
          st.push(2); st.push(2); st.pop(4);
        } else {
          out.push(`o32 push byte ${r.int(256) - 128}`, `pop ${r.pick(R16)}`, `pop ${r.pick(R16)}`);
          st.push(4); st.pop(2); st.pop(2);
        }
        break;
      }
      // Jcc, short (rel8) and near (0F 8x rel16), forward over ALU
      // instructions as jit_gen.ts case 19 (nested, two to one target,
      // overlapping, a target reached forward then by a Jcc decoded before
      // it, a Jcc over a RET), and back
      case 19: {
        const j = (x: string) => `j${r.pick(CC)} ${r.int(3) ? "" : "near "}${at(x)}`;
        const f = r.int(7);
        if (f === 6) out.push(`jmp ${at("b")}`, `${at("a")}:`, alu(), `jmp ${at("j")}`, `${at("b")}:`, alu(), j("a"), alu(), `jmp ${at("a")}`, `${at("j")}:`);
        else {
          out.push(...forwardJcc(r, f, j, at, alu, d, src));
          if (f === 5) { st.push(2); st.pop(2); } // its CALL
        }
        skip++;
        break;
      }
      // CALL and JMP: to the driver's helper; on the chunk's own code a CALL
      // and its callee's RET, RET 2 dropping a pushed word, a callee that
      // moves its return address (ADD WORD [BP+2] after PUSH BP / MOV BP, SP:
      // past the JMP SHORT, to the ALU instruction), JMP forward and back,
      // short and near
      case 20: {
        const f = r.int(5);
        if (f === 0) { out.push("call jt_helper"); st.push(2); st.pop(2); }
        else if (f === 1) { out.push(`call ${at("f")}`, `jmp ${at("j")}`, `${at("f")}:`, alu(), "ret", `${at("j")}:`); st.push(2); st.pop(2); }
        else if (f === 2) {
          out.push(`call ${at("f")}`, `jmp short ${at("x")}`, alu(), `jmp ${at("j")}`, `${at("f")}:`, "push bp", "mov bp, sp", "add word [bp+2], 2", "pop bp", "ret",
            `${at("x")}:`, alu(), `${at("j")}:`);
          st.push(2); st.push(2); st.pop(2); st.pop(2);
        } else if (f === 3) {
          out.push(`push ${r.pick(R16ALL)}`, `call ${at("f")}`, `jmp ${at("j")}`, `${at("f")}:`, alu(), "ret 2", `${at("j")}:`);
          st.push(2); st.push(2); st.pop(4);
        } else {
          const near = r.int(2) ? "near " : "";
          out.push(`jmp ${near}${at("b")}`, `${at("a")}:`, alu(), `jmp ${near}${at("j")}`, `${at("b")}:`, alu(), `jmp ${near}${at("a")}`, `${at("j")}:`);
        }
        skip++;
        break;
      }
      // the flag instructions, RCL/RCR by 1 and by small counts, XLAT (BX + AL:
      // inside DS's data area, or another segment's)
      case 21: out.push(r.pick(["clc", "stc", "cmc", "lahf", "sahf", `rcl ${d}, 1`, `rcr ${d}, ${r.int(4)}`, `${r.pick(["", "es ", "fs ", "ss "])}xlatb`])); break;
      // 32-bit addressing in 16-bit code (0x67), a scaled index
      case 22: out.push(`${r.pick(ALU)} ${r.pick([...R32, ...R16])}, [${ea32(r.int(4) ? "" : r.pick(["es:", "fs:", "ss:"]))}]`); break;
      // MOV AL/AX/EAX <-> [moffs] (A0-A3): moffs16, and moffs32 with 0x67
      case 23: {
        const a = r.pick(["al", "ax", "eax"]), seg = r.int(4) === 0 ? r.pick(["es:", "fs:", "ss:"]) : "";
        const addr = `[${r.int(4) ? "" : "dword "}${seg}${hex(DATA_LO + r.int(DATA_SIZE - WIDEST + 1))}]`;
        out.push(r.int(2) ? `mov ${a}, ${addr}` : `mov ${addr}, ${a}`);
        break;
      }
      // LEAVE closing a frame opened here (BP, the base, saved around it):
      // 16-bit (SP <- BP, pop BP), 32-bit (0x66: SP <- BP, the stack being
      // 16-bit, pop EBP), each popping what the frame's own PUSH BP/EBP saved
      // or a pushed immediate; a register takes what it leaves
      case 24: {
        const f = r.int(4), k = r.int(16);
        if (f === 0) {
          out.push("push bp", "mov bp, sp", `sub sp, ${2 * k}`, `mov [bp-2], ${r.pick(R16)}`, "leave", `mov ${r.pick(R16)}, sp`, `add ${r.pick(R16)}, bp`);
          st.push(2); st.pop(2);
        } else if (f === 1) {
          out.push("push ebp", "mov ebp, esp", `sub sp, ${4 * k}`, `mov [bp-4], ${r.pick(R32)}`, "o32 leave", `mov ${r.pick(R32)}, esp`, `add ${r.pick(R32)}, ebp`);
          st.push(4); st.dwordAt(st.depth + 4); st.pop(4);
        } else if (f === 2) {
          out.push("push ebp", `push word ${imm(16)}`, "mov bp, sp", `sub sp, ${2 * k}`, `mov [bp-2], ${r.pick(R16)}`, "leave", `mov ${r.pick(R32)}, ebp`, "pop ebp");
          st.push(4); st.push(2); st.pop(2); st.pop(4);
        } else {
          out.push("push ebp", `push dword ${imm(32)}`, "mov ebp, esp", `sub sp, ${4 * k}`, "o32 leave", `mov ${r.pick(R32)}, ebp`, "pop ebp");
          st.push(4); st.push(4); st.pop(4); st.pop(4);
        }
        break;
      }
      // SHLD/SHRD, 16 and 32 bits, register or memory destination, imm8 or CL
      // SHLD/SHRD, XADD (it writes its source: not BX or BP), CMPXCHG: jit_gen.ts's
      case 25: out.push(shiftDouble(r, mem)); break;
      case 26: out.push(xadd(r, mem, s, d)); break;
      case 27: out.push(...cmpxchg(r, mem, s, d, src)); break;
      // CLI, STI (jit16.asm masked both 8259As: no interrupt comes in)
      case 28: out.push(r.pick(["cli", "sti"])); break;
      // PUSHF/PUSHFD after any flag state; POPF/POPFD of what they saved, or
      // of an image with all but TF and DF (a trap; the driver's string
      // instructions): IF, IOPL and NT (all writable in real mode), AC and ID
      case 29: {
        if (r.int(2)) { out.push("pushf", `pop ${r.pick(R16)}`); st.push(2); st.pop(2); }
        else { out.push("pushfd", `pop ${r.pick(R32)}`); st.push(4); st.pop(4); }
        break;
      }
      case 30: {
        const w = r.int(2) ? 4 : 2, f = w === 4 ? "d" : "";
        if (r.int(2)) out.push(`pushf${f}`, `${r.pick(ALU)} ${d}, ${src}`, `popf${f}`);
        else out.push(`push ${w === 4 ? "dword" : "word"} ${hex(r.u32() & (w === 4 ? ~0x500 : 0xfaff))}`, `popf${f}`);
        st.push(w); st.pop(w);
        break;
      }
      // RDTSC, its value dropped (qemu's clock is the host's)
      case 31: out.push("rdtsc", `mov eax, ${imm(32)}`, `mov edx, ${imm(32)}`); break;
      // BT BTS BTR BTC and BSF/BSR as jit_gen.ts cases 32 and 33: CF or ZF
      // taken with SETcc, then an ALU instruction sets the flags they leave
      // undefined
      case 32: out.push(...bitTest(r, mem, (m) => `${m} [${r.int(3) ? "" : "fs:"}bx${signed(DATA_LO - BASE + 8 + r.int(DATA_SIZE - 40))}]`, d, src)); break;
      case 33: {
        const d2 = r.pick([...R32, ...R16]), w = d2.length === 2;
        const zero = w ? "si" : "esi";
        if (r.int(4) === 0) out.push(`xor ${zero}, ${zero}`, `${r.pick(["bsf", "bsr"])} ${d2}, ${zero}`);
        else out.push(`${r.int(4) === 0 ? "rep " : ""}${r.pick(["bsf", "bsr"])} ${d2}, ${r.int(2) ? r.pick(w ? R16ALL : R32ALL) : mem(w ? "word" : "dword")}`);
        out.push(`set${r.pick(["z", "nz"])} ${r.pick(R8)}`, `${r.pick(ALU_NO_CARRY)} ${d}, ${src}`);
        break;
      }
      // DIV, IDIV (jit_gen.ts divide): a #DE goes through the IVT to jt_de
      // (jit16.asm), which skips the instruction; the operand's masking comes
      // first (mem writes it to `out` as divide asks for the operand)
      case 34: out.push(...divide(r, (size) => mem(size))); break;
      case 35: {
        out.push(r.pick(["cld", "std"]));
        if (r.int(2)) {
          if (r.int(2)) { out.push("pushf", `pop ${r.pick(R16)}`); st.push(2); st.pop(2); }
          else { out.push("pushfd", `pop ${r.pick(R32)}`); st.push(4); st.pop(4); }
        }
        break;
      }
      case 36: out.push(...stringOp(r)); break;
      // PUSHA/POPA and PUSHAD/POPAD (0x66) around an ALU instruction: every
      // register back but the flags; or PUSHA dropped by ADD SP
      case 37: {
        const w = r.int(2) ? 4 : 2, o = w === 4 ? "o32 " : "";
        out.push(`${o}pusha`);
        for (let i = 0; i < 8; i++) st.push(w);
        out.push(alu(), r.int(3) ? `${o}popa` : `add sp, ${8 * w}`);
        for (let i = 0; i < 8; i++) st.pop(w);
        break;
      }
      // PUSH of a segment register popped into a register (o32: its low half
      // kept, as jit_gen.ts does), and MOV r/m, Sreg
      case 38: {
        const sreg = r.pick(["es", "cs", "ss", "ds", "fs", "gs"]);
        const f = r.int(4);
        if (f === 0) { out.push(`push ${sreg}`, `pop ${r.pick(R16)}`); st.push(2); st.pop(2); }
        else if (f === 1) { const d32 = r.pick(R32); out.push(`o32 push ${sreg}`, `pop ${d32}`, `movzx ${d32}, ${d32.slice(1)}`); st.push(4); st.pop(4); }
        else if (f === 2) out.push(`mov ${r.pick([...R16, ...R32])}, ${sreg}`);
        else out.push(`mov ${mem("word")}, ${sreg}`);
        break;
      }
      // a segment load in the block: FS takes DS's selector (POP FS) for an
      // access through it, then its own back; or ES reloaded with its own
      case 39: {
        if (r.int(3)) {
          const at = `${s.m} [fs:${ea16()}]`;
          out.push("push fs", "push ds", "pop fs", `${r.pick(ALU)} ${d}, ${at}`, "pop fs");
          st.push(2); st.push(2); st.pop(2); st.pop(2);
        } else { const x = r.pick(R16); out.push(`mov ${x}, es`, `mov es, ${x}`); }
        break;
      }
      default: out.push(`${r.pick(ALU)} ${d}, ${src}`); break;
    }
  }
  return { lines: out, stack: st };
}

/** A string instruction - MOVS, STOS, LODS, CMPS or SCAS of bytes, words or
 *  dwords - as jit_gen.ts stringOp: REP, REPE/REPNE or none, up or down, a
 *  segment override or none; with 16-bit addresses (SI, DI, CX; the upper
 *  halves left as they are) or now and then 32-bit ones (0x67: ESI, EDI,
 *  ECX), set just before so that every element lies in the data area of
 *  DS (or the override's segment) and ES. */
function stringOp(r: Rng): string[] {
  const size = r.pick([1, 2, 4]);
  const kind = r.pick(["movs", "stos", "lods", "cmps", "scas"]);
  const name = kind + (size === 1 ? "b" : size === 2 ? "w" : "d");
  const compares = kind === "cmps" || kind === "scas";
  const rep = r.int(4) !== 0 ? (compares ? r.pick(["repe ", "repne "]) : "rep ") : "";
  const count = rep ? r.pick([0, 1, 2, 3, 7, 16, 33, 100]) : 1;
  const a32 = r.int(3) === 0;
  // now and then one element at offset 0 going down: SI and DI wrap to the
  // top of the segment (16-bit addressing)
  const edge = !rep && !a32 && r.int(6) === 0;
  const down = edge || r.int(3) === 0;
  const [si, di, cx] = a32 ? ["esi", "edi", "ecx"] : ["si", "di", "cx"];
  // the first element's offset: the elements [at, at + n * size) up, or
  // (at - n * size, at + size) down, inside the data area
  const span = Math.max(count, 1) * size;
  const at = () => edge ? "0" : hex(DATA_LO + (down ? span - size + r.int(DATA_SIZE - span + 1) : r.int(DATA_SIZE - span + 1)));
  const out = [down ? "std" : "cld"];
  if (kind !== "lods") out.push(`mov ${di}, ${at()}`);
  if (kind === "movs" || kind === "lods" || kind === "cmps") out.push(`mov ${si}, ${at()}`);
  if (rep) out.push(`mov ${cx}, ${count}`);
  // MOVS, LODS and CMPS read through the override; STOS and SCAS ignore it
  if (r.int(3) === 0) out.push(`db 0x${r.pick([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]).toString(16)}`);
  out.push(`${rep}${a32 ? "a32 " : ""}${name}`);
  return out;
}

/** Write the ROM source for `count` chunks from `seed`, assemble it, return the binary's path. */
export function buildJit16Rom(seed: number, count: number): string {
  const r = rng(seed);
  const lines: string[] = [];
  const table: string[] = [];
  for (let c = 0; c < count; c++) {
    const label = `ch${c}`;
    // EBX's and EBP's upper halves: 0 (32-bit addressing may use them) or not
    const ebxHi = r.int(2) ? 0 : r.u32() & 0xffff, ebpHi = r.int(2) ? 0 : r.u32() & 0xffff;
    const loop = r.int(3) === 0;
    lines.push(`${label}:`);
    if (loop) lines.push(`  mov word [${hex(LOOP_AT)}], ${2 + r.int(6)}`, `${label}.top:`);
    const chunk = generateChunk(r, label, ebxHi === 0, ebpHi === 0);
    for (const l of chunk.lines) lines.push(l.endsWith(":") ? l : "  " + l);
    if (loop) lines.push(`  dec word [${hex(LOOP_AT)}]`, `  jnz ${label}.top`);
    lines.push("  ret");
    const regs = Array.from({ length: 5 }, () => hex(r.pick([r.u32(), r.u32() & 0xff, 0, 0xffffffff, 0x80000000, 0x7fffffff])));
    // FLAGS: CF PF AF ZF SF OF; DF and IF clear (STD, STI in a chunk set them)
    const fl = hex((r.u32() & 0x8d5) | 2);
    const sp = stackTop(r, chunk.stack), espHi = r.int(3) === 0 ? r.u32() & 0xffff : 0;
    // jit16.asm's table entry (T_*): chunk, FLAGS; EAX ECX EDX ESI EDI; the
    // upper halves of EBX and EBP (their lower halves are BASE); SP, ESP's upper half
    table.push(`  dw ${label}, ${fl}`, `  dd ${regs.join(", ")}`, `  dw ${hex(ebxHi)}, ${hex(ebpHi)}, ${hex(sp)}, ${hex(espHi)}`);
  }
  const src = [
    `%define JT_COUNT ${count}`,
    `%define DATA_LO ${hex(DATA_LO)}`,
    `%define DATA_SIZE ${hex(DATA_SIZE)}`,
    `%define BASE ${hex(BASE)}`,
    `%include "jit16.asm"`,
    "jt_chunks:",
    ...lines,
    "align 2",
    "jt_table:",
    ...table,
    "ROM_END",
    "",
  ].join("\n");
  const dir = OUT;
  mkdirSync(dir, { recursive: true });
  const asm = join(dir, `jit16-${seed.toString(16)}-${count}.asm`);
  const bin = asm.replace(/\.asm$/, ".bin");
  writeFileSync(asm, src);
  execFileSync("nasm", ["-f", "bin", "-I", join(ROOT, "tests/guest") + "/", "-o", bin, asm], { stdio: "pipe" });
  return bin;
}
