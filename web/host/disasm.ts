// A 16/32-bit x86 disassembler driven by the project's one opcode map
// (tools/opmap.mjs): which opcodes exist, their ModRM and immediates, and the
// handler name, which spells the mnemonic and the operand forms in the SDM's
// appendix A notation (add_Ev_Gv: ADD Ev, Gv). So it decodes exactly what the
// interpreter decodes, with no table of its own but the x87 escape (D8-DF, SDM
// vol. 2 appendix A.5) and the condition-code names. Intel syntax, as NASM's
// ndisasm writes it (tests/unit/disasm.test.ts compares the two).
//
//   disassemble(bytes, address, bits) -> [{ address, length, text }]

import { opcodeMap, immediateOf, slotFor, type OpEntry } from "../../tools/opmap.mjs";

export interface DisasmLine { address: number; length: number; bytes: Uint8Array; text: string }

const MAP = opcodeMap();
const PREFIX_SEG: Record<number, string> = { 0x26: "es", 0x2e: "cs", 0x36: "ss", 0x3e: "ds", 0x64: "fs", 0x65: "gs" };
const CC = ["o", "no", "c", "nc", "z", "nz", "na", "a", "s", "ns", "pe", "po", "l", "nl", "ng", "g"];
const R8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
const R16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
const R32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const SREG = ["es", "cs", "ss", "ds", "fs", "gs", "?", "?"];
const MODRM16 = ["bx+si", "bx+di", "bp+si", "bp+di", "si", "di", "bp", "bx"];
const hex = (v: number) => "0x" + (v >>> 0).toString(16);
const signedHex = (v: number) => (v < 0 ? "-" + hex(-v) : "+" + hex(v));

/** Mnemonics whose name depends on the operand size (the map's NAME* handlers). */
const SIZED: Record<string, [string, string]> = {
  pusha: ["pusha", "pushad"], popa: ["popa", "popad"], pushf: ["pushf", "pushfd"], popf: ["popf", "popfd"],
  iret: ["iret", "iretd"], cbw: ["cbw", "cwde"], cwd: ["cwd", "cdq"], movs: ["movsw", "movsd"], cmps: ["cmpsw", "cmpsd"],
  stos: ["stosw", "stosd"], lods: ["lodsw", "lodsd"], scas: ["scasw", "scasd"], ins: ["insw", "insd"], outs: ["outsw", "outsd"],
};
const RENAME: Record<string, string> = { xlat: "xlatb", fwait: "wait", int1: "int1" };

// x87 (SDM vol. 2 appendix A.5): memory forms by escape and ModRM.reg, each with
// its operand size; register forms by escape and ModRM.reg, "st,st(i)" style.
const X87_MEM: Record<number, [string, string][]> = {
  0xd8: [["fadd", "dword"], ["fmul", "dword"], ["fcom", "dword"], ["fcomp", "dword"], ["fsub", "dword"], ["fsubr", "dword"], ["fdiv", "dword"], ["fdivr", "dword"]],
  0xd9: [["fld", "dword"], ["", ""], ["fst", "dword"], ["fstp", "dword"], ["fldenv", ""], ["fldcw", "word"], ["fnstenv", ""], ["fnstcw", "word"]],
  0xda: [["fiadd", "dword"], ["fimul", "dword"], ["ficom", "dword"], ["ficomp", "dword"], ["fisub", "dword"], ["fisubr", "dword"], ["fidiv", "dword"], ["fidivr", "dword"]],
  0xdb: [["fild", "dword"], ["fisttp", "dword"], ["fist", "dword"], ["fistp", "dword"], ["", ""], ["fld", "tword"], ["", ""], ["fstp", "tword"]],
  0xdc: [["fadd", "qword"], ["fmul", "qword"], ["fcom", "qword"], ["fcomp", "qword"], ["fsub", "qword"], ["fsubr", "qword"], ["fdiv", "qword"], ["fdivr", "qword"]],
  0xdd: [["fld", "qword"], ["fisttp", "qword"], ["fst", "qword"], ["fstp", "qword"], ["frstor", ""], ["", ""], ["fnsave", ""], ["fnstsw", "word"]],
  0xde: [["fiadd", "word"], ["fimul", "word"], ["ficom", "word"], ["ficomp", "word"], ["fisub", "word"], ["fisubr", "word"], ["fidiv", "word"], ["fidivr", "word"]],
  0xdf: [["fild", "word"], ["fisttp", "word"], ["fist", "word"], ["fistp", "word"], ["fbld", "tword"], ["fild", "qword"], ["fbstp", "tword"], ["fistp", "qword"]],
};
const X87_REG: Record<number, (string | ((i: number) => string))[]> = {
  0xd8: ["fadd st0,", "fmul st0,", "fcom", "fcomp", "fsub st0,", "fsubr st0,", "fdiv st0,", "fdivr st0,"],
  0xd9: ["fld", "fxch", (i) => (i === 0 ? "fnop" : ""), "fstp1", (i) => ["fchs", "fabs", "", "", "ftst", "fxam", "", ""][i],
    (i) => ["fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz", ""][i],
    (i) => ["f2xm1", "fyl2x", "fptan", "fpatan", "fxtract", "fprem1", "fdecstp", "fincstp"][i],
    (i) => ["fprem", "fyl2xp1", "fsqrt", "fsincos", "frndint", "fscale", "fsin", "fcos"][i]],
  0xda: ["fcmovb st0,", "fcmove st0,", "fcmovbe st0,", "fcmovu st0,", "", (i) => (i === 1 ? "fucompp" : ""), "", ""],
  0xdb: ["fcmovnb st0,", "fcmovne st0,", "fcmovnbe st0,", "fcmovnu st0,", (i) => ["fneni", "fndisi", "fnclex", "fninit", "fsetpm", "", "", ""][i], "fucomi st0,", "fcomi st0,", ""],
  0xdc: ["fadd to", "fmul to", "fcom2", "fcomp3", "fsubr to", "fsub to", "fdivr to", "fdiv to"],
  0xdd: ["ffree", "fxch4", "fst", "fstp", "fucom", "fucomp", "", ""],
  0xde: ["faddp", "fmulp", "fcomp5", (i) => (i === 1 ? "fcompp" : ""), "fsubrp", "fsubp", "fdivrp", "fdivp"],
  0xdf: ["ffreep", "fxch7", "fstp8", "fstp9", (i) => (i === 0 ? "fnstsw ax" : ""), "fucomip st0,", "fcomip st0,", ""],
};

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  u8(): number { if (this.pos >= this.b.length) throw new RangeError("cut"); return this.b[this.pos++]; }
  u16(): number { return this.u8() | (this.u8() << 8); }
  u32(): number { return (this.u16() | (this.u16() << 16)) >>> 0; }
  s8(): number { return (this.u8() << 24) >> 24; }
  imm(bytes: number): number { return bytes === 1 ? this.u8() : bytes === 2 ? this.u16() : this.u32(); }
}

interface Ctx { r: Reader; address: number; osz: 16 | 32; asz: 16 | 32; seg?: string; modrm?: number; entry: OpEntry; op: number }

/** An encoding the map has but the operand form forbids (a register where memory must be): #UD. */
class Invalid extends Error {}

/** The r/m operand (register or memory) of ModRM for a register file `regs` (null: memory only). */
function rm(c: Ctx, regs: string[] | null, size: string): string {
  const m = c.modrm!, mod = m >> 6, low = m & 7;
  if (mod === 3) { if (!regs) throw new Invalid(); return regs[low]; }
  let base = "", disp = 0, hasDisp = false;
  const r = c.r;
  if (c.asz === 16) {
    if (mod === 0 && low === 6) { disp = r.u16(); hasDisp = true; base = ""; }
    else { base = MODRM16[low]; if (mod === 1) { disp = r.s8(); hasDisp = true; } else if (mod === 2) { disp = (r.u16() << 16) >> 16; hasDisp = true; } }
  } else {
    let b = low;
    if (low === 4) {
      const sib = r.u8(), scale = 1 << (sib >> 6), index = (sib >> 3) & 7;
      b = sib & 7;
      const idx = index === 4 ? "" : R32[index] + (scale > 1 ? "*" + scale : "");
      if (b === 5 && mod === 0) { disp = r.u32() | 0; hasDisp = true; base = idx; }
      else base = R32[b] + (idx ? "+" + idx : "");
    } else if (mod === 0 && low === 5) { disp = r.u32(); hasDisp = true; }
    else base = R32[b];
    if (mod === 1) { disp = r.s8(); hasDisp = true; } else if (mod === 2) { disp = r.u32() | 0; hasDisp = true; }
  }
  let inner = base;
  if (hasDisp) inner = base ? base + signedHex(disp) : hex(c.asz === 16 ? disp & 0xffff : disp);
  return `${size ? size + " " : ""}[${c.seg ? c.seg + ":" : ""}${inner}]`;
}

const regsOf = (size: string, osz: number) => (size === "b" ? R8 : size === "w" ? R16 : size === "d" ? R32 : osz === 32 ? R32 : R16);
const sizeWord = (size: string, osz: number) => (size === "b" ? "byte" : size === "w" ? "word" : size === "d" || (size === "v" && osz === 32) ? "dword" : size === "q" ? "qword" : "word");

const MMX_REGS = ["mm0", "mm1", "mm2", "mm3", "mm4", "mm5", "mm6", "mm7"];
const XMM_REGS = ["xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7"];
/** The memory size of an XMM operand's appendix-A size (ps, pd, dq: 128 bits; ss, d: 32; sd, q: 64). */
const xmmSize = (size: string) => (size === "ss" || size === "d" ? "dword" : size === "sd" || size === "q" ? "qword" : size === "w" ? "word" : "oword");

/** One operand from its appendix-A token. `needSize`: no register operand of the same size tells the memory size. */
function operand(c: Ctx, tok: string, needSize: boolean): string {
  const kind = tok[0], size = tok.slice(1);
  const reg = ((c.modrm ?? 0) >> 3) & 7;
  switch (tok) {
    case "AL": return "al";
    case "eAX": return c.osz === 32 ? "eax" : "ax";
    case "DX": return "dx";
    case "reg": return regsOf("v", c.osz)[c.op & 7];
    case "reg8": return R8[c.op & 7];
    case "ES": case "CS": case "SS": case "DS": case "FS": case "GS": return tok.toLowerCase();
    case "Sw": return SREG[reg];
    case "Rd": return R32[c.modrm! & 7];
    case "Cd": return "cr" + reg;
    case "Dd": return "dr" + reg;
    case "Ob": case "Ov": return `${needSize ? sizeWord(size, c.osz) + " " : ""}[${c.seg ? c.seg + ":" : ""}${hex(c.r.imm(c.asz / 8))}]`;
    case "Ap": { const off = c.r.imm(c.osz / 8); return `${hex(c.r.u16())}:${hex(off)}`; }
  }
  switch (kind) {
    case "E": return rm(c, regsOf(size, c.osz), needSize ? sizeWord(size, c.osz) : "");
    case "M": return rm(c, null, size === "p" && needSize ? "far" : size === "q" ? "qword" : ["ps", "pd", "dq"].includes(size) ? "oword" : size === "d" && needSize ? "dword" : "");
    case "G": return regsOf(size, c.osz)[reg];
    case "P": return "mm" + reg;                        // MMX register in ModRM.reg
    case "N": if (c.modrm! < 0xc0) throw new Invalid(); return "mm" + (c.modrm! & 7); // MMX register in ModRM.rm
    case "V": return "xmm" + reg;                       // XMM register in ModRM.reg
    case "U": if (c.modrm! < 0xc0) throw new Invalid(); return "xmm" + (c.modrm! & 7); // XMM register in ModRM.rm
    case "W": return rm(c, XMM_REGS, needSize ? xmmSize(size) : "");
    case "Q": return rm(c, MMX_REGS, needSize ? sizeWord(size, c.osz) : "");
    case "I": case "J": return "";  // from the entry's immediate (below)
  }
  return tok;
}

function mnemonicOf(e: OpEntry, c: Ctx): string {
  const base = e.handler.split("_")[0];
  if (base === "jcc") return "j" + CC[Number(e.args)];
  if (base === "setcc" || base === "cmovcc") return base.slice(0, -2) + CC[c.op & 15];
  if (e.sized && SIZED[base]) return SIZED[base][c.osz === 32 ? 1 : 0];
  if (base === "jcxz") return c.asz === 32 ? "jecxz" : "jcxz";
  return RENAME[base] ?? base;
}

function x87(c: Ctx): string {
  const m = c.modrm!, reg = (m >> 3) & 7;
  if (m < 0xc0) {
    const [name, size] = X87_MEM[c.op][reg];
    return name ? `${name} ${rm(c, null, size)}` : "(bad)";
  }
  const i = m & 7, f = X87_REG[c.op][reg];
  const name = typeof f === "function" ? f(i) : f;
  if (!name) return "(bad)";
  if (typeof f === "function") return name;
  if (name.endsWith(",")) return `${name}st${i}`;
  if (name.endsWith(" to")) return `${name} st${i}`;
  return `${name} st${i}`;
}

/** Decode one instruction at `bytes` (the start of a buffer), or undefined when
 *  it is cut off by the buffer's end. */
export function decodeOne(bytes: Uint8Array, address: number, bits: 16 | 32): DisasmLine | undefined {
  const r = new Reader(bytes);
  try {
    let osz: 16 | 32 = bits, asz: 16 | 32 = bits, seg: string | undefined, rep = "", lock = "", size66 = false;
    let b = r.u8();
    for (let n = 0; n < 14; n++) {
      if (PREFIX_SEG[b]) seg = PREFIX_SEG[b];
      else if (b === 0x66) { osz = bits === 32 ? 16 : 32; size66 = true; }
      else if (b === 0x67) asz = bits === 32 ? 16 : 32;
      else if (b === 0xf0) lock = "lock ";
      else if (b === 0xf2) rep = "repne ";
      else if (b === 0xf3) rep = "rep ";
      else break;
      b = r.u8();
    }
    let op = b;
    if (op === 0x0f) op = 0x100 | r.u8();
    // A mandatory prefix (tools/opmap.mjs) selects among an opcode's entries.
    const slot = slotFor(MAP, op, rep === "repne " ? "F2" : rep === "rep " ? "F3" : size66 ? "66" : "NP");
    let entry = slot?.simple;
    const needsModrm = slot?.group !== undefined || entry?.flags.has("m") || (op >= 0xd8 && op <= 0xdf);
    const modrm = needsModrm ? r.u8() : undefined;
    if (slot?.group) entry = slot.group.get((modrm! >> 3) & 7);
    const line = (text: string): DisasmLine => ({ address, length: r.pos, bytes: bytes.slice(0, r.pos), text });
    if (!entry) return line("(bad)");
    const c: Ctx = { r, address, osz, asz, seg, modrm, entry, op };
    if (op >= 0xd8 && op <= 0xdf) return line(x87(c));
    // 0F20-0F23 have a ModRM the map fetches in the handler (no "m" flag).
    if (op >= 0x120 && op <= 0x123) c.modrm = r.u8();
    if (op === 0x90 && rep === "rep ") return line("pause"); // SDM: PAUSE is F3 90
    // 0F 01 C1-C4: VMCALL, VMLAUNCH, VMRESUME, VMXOFF (SGDT's register forms, asm/cpu/vmx.ts)
    if (op === 0x101 && modrm! >= 0xc1 && modrm! <= 0xc4) return line(["vmcall", "vmlaunch", "vmresume", "vmxoff"][modrm! - 0xc1]);
    // Register forms that are other instructions (SDM vol. 2 appendix A.4): 0F 01
    // C8/C9 MONITOR/MWAIT, 0F 12/16 MOVHLPS/MOVLHPS, 0F AE /5-/7 the fences; the
    // memory form of 0F AE /7 is CLFLUSH, of /5 and /6 not on this CPU.
    if (op === 0x101 && (modrm === 0xc8 || modrm === 0xc9)) return line(modrm === 0xc8 ? "monitor" : "mwait");
    const regForm = modrm !== undefined && modrm >= 0xc0;
    if (entry.handler === "movlps_Vq_Mq" && regForm) return line(`movhlps xmm${(modrm! >> 3) & 7},xmm${modrm! & 7}`);
    if (entry.handler === "movhps_Vq_Mq" && regForm) return line(`movlhps xmm${(modrm! >> 3) & 7},xmm${modrm! & 7}`);
    if (entry.handler === "lfence" || entry.handler === "mfence") return line(regForm ? entry.handler : "(bad)");
    if (entry.handler === "sfence_clflush") return line(regForm ? "sfence" : `clflush ${rm(c, null, "byte")}`);
    let name = mnemonicOf(entry, c);
    // 0F C7 /6 is one map entry for VMPTRLD, 66 VMCLEAR and F3 VMXON (asm/cpu/vmx.ts).
    if (name === "vmptrld" && (size66 || rep === "rep ")) { name = rep === "rep " ? "vmxon" : "vmclear"; rep = ""; }
    const toks = entry.handler.split("_").slice(1).filter((t) => !["near", "far", "so"].includes(t));
    const hasReg = toks.some((t) => t[0] === "G" || ["AL", "eAX", "reg", "reg8", "Sw", "DX"].includes(t));
    const gSize = toks.find((t) => t[0] === "G")?.slice(1);
    const ops: string[] = [];
    if (entry.handler === "enter") { const frame = r.u16(); ops.push(hex(frame), hex(r.u8())); }
    for (const t of toks) {
      // movzx eax, byte [..]: a memory operand sized unlike the register says its size.
      const o = operand(c, t, !hasReg || (t[0] === "E" && gSize !== undefined && t.slice(1) !== gSize && t.slice(1) !== "v"));
      if (o) ops.push(o);
    }
    // The immediate (the map's flags), in the position its I/J token has, or last.
    const imm = immediateOf(entry);
    if (imm && imm.flag !== "moffs") {
      let text: string;
      const n = imm.bytes(osz, asz);
      if (imm.flag === "one") text = "1";
      else if (imm.flag === "cl") text = "cl";
      else {
        let v = imm.flag === "isb" ? r.s8() : r.imm(n);
        const rel = toks.some((t) => t[0] === "J") || entry.handler === "jcc";
        if (rel) {
          if (imm.flag === "iv" && osz === 32) v |= 0;
          else if (imm.flag === "iv") v = (v << 16) >> 16;
          const target = (address + r.pos + v) >>> 0;
          text = hex(osz === 16 ? target & 0xffff : target);
        } else text = hex(imm.flag === "isb" ? v & (osz === 32 ? 0xffffffff : 0xffff) : v);
      }
      const at = toks.findIndex((t) => t[0] === "I" || t[0] === "J");
      if (at >= 0 && at <= ops.length) ops.splice(at, 0, text); else ops.push(text);
    }
    return line(`${lock}${rep}${name}${ops.length ? " " + ops.join(",") : ""}`);
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    if (e instanceof Invalid) return { address, length: r.pos, bytes: bytes.slice(0, r.pos), text: "(bad)" };
    throw e;
  }
}

/** Disassemble `bytes` from `address` on; stops at the first instruction the bytes cut off. */
export function disassemble(bytes: Uint8Array, address: number, bits: 16 | 32, max = Infinity): DisasmLine[] {
  const out: DisasmLine[] = [];
  let at = 0;
  while (at < bytes.length && out.length < max) {
    const d = decodeOne(bytes.subarray(at), (address + at) >>> 0, bits);
    if (!d) break;
    out.push(d);
    at += d.length;
  }
  return out;
}
