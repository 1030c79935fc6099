// The translator's x86 decoder: a run of 32-bit or 16-bit code into the instructions the
// emitter knows (insns.ts), each with its operands decoded. It accepts only what
// the translator translates, and stops before anything else, which the
// interpreter then runs. tests/unit/jitdecode.test.ts checks every length it gives
// against the interpreter's opcode map (tools/opmap.mjs).

import { S_ES, S_DS, S_SS, R_EAX, R_ECX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI } from "../host/cpustate";
import { INTERP_OPS, INTERP_EFLAGS, INTERP_EDI } from "./interpops";
import { JIT_STR_KIND_SHIFT, JIT_STR_REP_SHIFT, JIT_STR_SEG_SHIFT, JIT_STR_LEN_SHIFT, JIT_STR_A16, K_MOVS, K_STOS, K_LODS, K_CMPS, K_SCAS } from "./constants";

export const szMask = (sz: number) => (sz === 32 ? 0xffffffff : sz === 16 ? 0xffff : 0xff);

/** A memory operand: seg:(base + index << scale + disp), taken mod 64K when
 *  `a16` (16-bit addressing: [BX+SI+disp] and the like; base and index are
 *  then BX or BP and SI or DI). */
export interface Mem { seg: number; base: number; index: number; scale: number; disp: number; a16?: boolean }
/** A ModRM r/m operand: a register, or memory. */
export type RM = { reg: number; mem?: undefined } | { reg?: undefined; mem: Mem };
export interface Insn {
  off: number;      // offset of the first byte from the block start
  len: number;
  op: string;
  sz: number;       // operand size: 8, 16 or 32 (of a near branch: 16 wraps its target at 64K)
  rm?: RM;
  dst?: Mem;        // MOVS, CMPS: the second memory operand, [ES:(E)DI]
  reg?: number;     // ModRM.reg or the register in the opcode
  imm?: number;     // (LOOP: the counter's size, 16 or 32; RET: the stack bytes it releases)
  sub?: number;     // ALU operation / shift kind / condition code
  form?: string;    // ALU operand form
  rel?: number;     // branch target, offset from the block start
  follow?: number;  // JMP, CALL the block goes on past: the offset it goes on at (decodeBlock)
  side?: boolean;   // reached only by a forward Jcc: the instruction before it left the block (decodeBlock)
  gprs?: number;    // interp, string: the general registers it may read (bit mask; EAX = bit 0)
  gprsOut?: number; // interp, string: those it may write
  eflags?: boolean; // interp, string: it reads or writes the flags (DF included)
  opc?: number;     // interp: its key in interpops.ts (mandatory prefix column << 9 | opcode)
  deadFlags?: boolean; // the flags it writes are written again before anything sees them (translator.ts markDeadFlags)
}

/** The most instructions a block holds. At 48, loops of 49 to 96 instructions
 *  (the bzImage's XZ decoder has one of about 70 that runs 15 M times in the
 *  boot) were two blocks chained each pass; 128 keeps them in one block, where
 *  the JMP back to its start loops inside the function (docs/PERFORMANCE.md). */
export const MAX_INSNS = 128;

/** Insn.sub of BT, BTS, BTR, BTC: ModRM.reg of the 0F BA group. */
export const BIT_BT = 4, BIT_BTS = 5, BIT_BTR = 6, BIT_BTC = 7;

/** Insn.sub of JCXZ (the others: LOOPNE 0, LOOPE 1, LOOP 2). */
export const LOOP_JCXZ = 3;

/** Insn.sub of the shifts: ModRM.reg of the C0/C1/D0-D3 groups (SHLD and SHRD
 *  use SHL's and SHR's). */
export const SHIFT_ROL = 0, SHIFT_ROR = 1, SHIFT_RCL = 2, SHIFT_RCR = 3, SHIFT_SHL = 4, SHIFT_SHR = 5, SHIFT_SAR = 7;

/** The string instructions' opcodes (the byte form; +1 is the word/dword one). */
const STRING_KINDS = new Map([[0xa4, K_MOVS], [0xaa, K_STOS], [0xac, K_LODS], [0xa6, K_CMPS], [0xae, K_SCAS]]);
/** Their emitters without a repeat prefix (insns.ts), by kind. */
const STRING_OPS: Record<number, string> = { [K_MOVS]: "movs", [K_STOS]: "stos", [K_LODS]: "lods", [K_CMPS]: "cmps", [K_SCAS]: "scas" };

/** Decode up to MAX_INSNS instructions of the block that starts at code[start];
 *  `code` is the block's page from its first byte to the end of the fetch
 *  window, so that every byte a block is built from lies on the page whose
 *  writes drop it (asm/cpu/jit.ts jitCodeWritten). Offsets (Insn.off, rel,
 *  follow) count from the block start and may be negative.
 *
 *  The block goes on past a direct JMP or CALL whose target lies on the page
 *  (Insn.follow). Where its way ends (a RET, an indirect branch, a JMP or CALL
 *  it does not follow), it goes on at the first forward Jcc target it has not
 *  decoded yet, so that the Jcc can stay inside the block (the instruction
 *  before that target then leaves the block: the target is reached only by
 *  the Jcc). It does not follow into code it already holds (a loop), and
 *  stops before the first instruction not translated or not wholly inside
 *  `code`. (A RET of a CALL it followed, guarded by [ESP] at run time, was
 *  tried: busybox's callees call other pages first, and 5 blocks of 1700 in
 *  the boot and the shell loop had one. docs/PERFORMANCE.md.) */
export function decodeBlock(code: Uint8Array, start = 0, code16 = false): Insn[] {
  const out: Insn[] = [];
  const bytes = new Uint8Array(code.length); // 1: a byte of an instruction in the block
  const held = (p: number) => bytes[p] === 1;
  /** Whether the block can go on at code position p: on the page, not yet in
   *  the block, and an instruction there is translated. */
  const canFollow = (p: number) => out.length < MAX_INSNS && p >= 0 && p < code.length && p !== start && !held(p) && decodeOne(code, p, code16) !== undefined;
  // Forward Jcc targets not in the block yet: where its way ends (a RET, an
  // indirect or unfollowed branch), the block goes on at the first of them it
  // can, so that the Jcc stays inside (translator.ts inBlockBranches).
  const pending: number[] = [];
  let side = false;
  const sidePath = (): boolean => {
    const p = pending.find(canFollow);
    if (p === undefined) return false;
    pos = p;
    side = true;
    return true;
  };
  let pos = start;
  while (out.length < MAX_INSNS) {
    // Falling through into code the block already holds (the end of a side
    // path that the way before it reached by a JMP): the block ends here and
    // chains there; an instruction may appear in a block only once.
    if (out.length && held(pos)) break;
    const i = decodeOne(code, pos, code16);
    if (!i) break;
    // positions in the page (decodeOne's) become offsets from the block's start
    const at = i.off, target = i.rel;
    i.off -= start;
    if (target !== undefined) i.rel = target - start;
    if (side) { i.side = true; side = false; }
    out.push(i);
    bytes.fill(1, pos, pos + i.len);
    pos += i.len;
    if (i.op === "jmp" || i.op === "call") {
      if (!canFollow(target!)) { if (sidePath()) continue; break; }
      i.follow = i.rel;
      pos = target!;
      continue;
    }
    if (i.op === "ret" || i.op === "callE" || i.op === "jmpE") { if (sidePath()) continue; break; }
    // Jcc (and LOOP) is a side exit, a branch forward or back inside the
    // block, or the loop back to the start: the block goes on with the
    // fall-through path
    if ((i.op === "jcc" || i.op === "loop") && target! > at) pending.push(target!);
  }
  return out;
}

class End extends Error {}

/** One instruction at code[start], in 16-bit code if `code16` (CS.D = 0, real
 *  mode: operands and addresses 16 bits wide unless 66h or 67h says 32). */
export function decodeOne(code: Uint8Array, start: number, code16 = false): Insn | undefined {
  let pos = start;
  const byte = () => { if (pos >= code.length) throw new End(); return code[pos++]; };
  const i8 = () => (byte() << 24) >> 24;
  const i16 = () => byte() | (byte() << 8);
  const i32 = () => (byte() | (byte() << 8) | (byte() << 16) | (byte() << 24)) | 0;
  const s16 = () => (i16() << 16) >> 16;
  try {
    let opPrefix = false, adPrefix = false, seg = -1, lock = false, rep = false, repne = false;
    let b = byte();
    for (;;) {
      if (b === 0x66) opPrefix = true;
      else if (b === 0x67) adPrefix = true;
      else if (b === 0xf0) lock = true;
      else if (b === 0xf3) { rep = true; repne = false; }
      else if (b === 0xf2) { repne = true; rep = false; }
      else if (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e) seg = (b >> 3) & 3; // ES CS SS DS
      else if (b === 0x64 || b === 0x65) seg = b - 0x60; // FS GS
      else break;
      if (pos - start > 4) return undefined;
      b = byte();
    }
    if (b === 0x0f) b = 0x100 | byte();
    // the prefix switches the code segment's default size
    const osz = opPrefix === code16 ? 32 : 16, a16 = adPrefix !== code16;
    // near branches: those of 16-bit code take either size; in 32-bit code
    // the 16-bit ones (IP wrapped at 64K) are the interpreter's
    const nearOk = code16 || osz === 32;
    let modrm = 0;
    const modrmRM = (): RM => {
      modrm = byte();
      const mod = modrm >> 6, rm = modrm & 7;
      if (mod === 3) return { reg: rm };
      if (a16) return { mem: modrm16(mod, rm) };
      let base = -1, index = -1, scale = 0, disp = 0, dseg = S_DS;
      if (rm === 4) {
        const sib = byte();
        base = sib & 7; index = (sib >> 3) & 7; scale = sib >> 6;
        if (index === 4) index = -1;
        if (base === 5 && mod === 0) { base = -1; disp = i32(); }
      } else if (rm === 5 && mod === 0) {
        disp = i32();
      } else base = rm;
      if (mod === 1) disp = (disp + i8()) | 0;
      else if (mod === 2) disp = (disp + i32()) | 0;
      if (base === R_ESP || base === R_EBP) dseg = S_SS;
      return { mem: { seg: seg >= 0 ? seg : dseg, base, index, scale, disp } };
    };
    // SDM vol. 2 table 2-1: [BX+SI] [BX+DI] [BP+SI] [BP+DI] [SI] [DI] [BP] [BX],
    // mod 0 r/m 6 a disp16 alone; BP's forms default to SS
    const modrm16 = (mod: number, rm: number): Mem => {
      const base = rm === 6 && mod === 0 ? -1 : [R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX][rm];
      const index = rm < 4 ? (rm & 1 ? R_EDI : R_ESI) : -1;
      const disp = mod === 1 ? i8() : mod === 2 || base < 0 ? i16() : 0;
      return { seg: seg >= 0 ? seg : base === R_EBP ? S_SS : S_DS, base, index, scale: 0, disp, a16: true };
    };
    const ivz = () => (osz === 32 ? i32() : i16());
    /** A near branch's displacement (rel16 or rel32) and its target (a position in `code`). */
    const relv = () => { const r = osz === 32 ? i32() : s16(); return pos + r; };
    /** The instruction decoded; `repOk`: an F3 prefix is part of its encoding
     *  (PAUSE) or ignored (BSF); every other REP form is the interpreter's. */
    const done = (x: Omit<Insn, "off" | "len">, repOk = false): Insn => {
      // One CPU: a locked read-modify-write is the plain one. Where the SDM does
      // not allow LOCK, the interpreter raises #UD.
      if (lock && !lockable(x)) throw new Declined();
      if (repne || (rep && !repOk)) throw new Declined();
      // (x is a fresh literal: completed in place, not copied)
      const ins = x as Insn;
      ins.off = start;
      ins.len = pos - start;
      return ins;
    };
    const reg = () => (modrm >> 3) & 7;

    if (b < 0x40 && (b & 7) < 6) { // ADD OR ADC SBB AND SUB XOR CMP
      const sub = b >> 3, f = b & 7;
      if (f < 4) {
        const rm = modrmRM();
        return done({ op: "alu", sub, sz: f & 1 ? osz : 8, rm, reg: reg(), form: f < 2 ? "EG" : "GE" });
      }
      const sz = f === 4 ? 8 : osz;
      const imm = sz === 8 ? byte() : ivz() & szMask(sz);
      return done({ op: "alu", sub, sz, rm: { reg: 0 }, imm, form: "EI" });
    }
    if (b >= 0x40 && b < 0x50) return done({ op: b < 0x48 ? "inc" : "dec", sz: osz, rm: { reg: b & 7 } });
    if (b >= 0x50 && b < 0x58) return done({ op: "push", sz: osz, reg: b & 7 });
    // PUSH ES, CS, SS, DS (06 0E 16 1E), FS, GS (0F A0, 0F A8): the selector (reg: S_*)
    if (b < 0x20 && (b & 7) === 6) return done({ op: "pushS", sz: osz, reg: b >> 3 });
    if (b === 0x1a0 || b === 0x1a8) return done({ op: "pushS", sz: osz, reg: b === 0x1a0 ? 4 : 5 });
    if (b >= 0x58 && b < 0x60) return done({ op: "pop", sz: osz, reg: b & 7 });
    if (b === 0x68) return done({ op: "pushI", sz: osz, imm: ivz() & szMask(osz) });
    if (b === 0x6a) return done({ op: "pushI", sz: osz, imm: i8() & szMask(osz) });
    if (b === 0x69 || b === 0x6b) {
      const rm = modrmRM();
      const imm = b === 0x6b ? i8() : ivz();
      return done({ op: "imul3", sz: osz, rm, reg: reg(), imm: imm & szMask(osz) });
    }
    if (b >= 0x70 && b < 0x80 && nearOk) { const r = i8(); return done({ op: "jcc", sub: b & 15, sz: osz, rel: pos + r }); }
    // LOOPNE LOOPE LOOP JCXZ (sub 0-3): the counter CX or ECX by the address size (imm)
    if (b >= 0xe0 && b <= 0xe3 && nearOk) { const r = i8(); return done({ op: "loop", sub: b & 3, sz: osz, imm: a16 ? 16 : 32, rel: pos + r }); }
    if (b === 0x80 || b === 0x81 || b === 0x83) {
      const rm = modrmRM();
      const sz = b === 0x80 ? 8 : osz;
      const imm = (b === 0x80 ? byte() : b === 0x83 ? i8() : ivz()) & szMask(sz);
      return done({ op: "alu", sub: reg(), sz, rm, imm, form: "EI" });
    }
    if (b === 0x84 || b === 0x85) { const rm = modrmRM(); return done({ op: "test", sz: b & 1 ? osz : 8, rm, reg: reg() }); }
    if (b === 0x86 || b === 0x87) { const rm = modrmRM(); return done({ op: "xchg", sz: b & 1 ? osz : 8, rm, reg: reg() }); }
    if (b >= 0x88 && b <= 0x8b) {
      const rm = modrmRM();
      return done({ op: b & 2 ? "movGE" : "movEG", sz: b & 1 ? osz : 8, rm, reg: reg() });
    }
    if (b === 0x8e) {
      // MOV Sreg, r/m16 to ES, DS, FS, GS: the interpreter's handler in the
      // block (segops.ts: descriptor checks in protected mode); SS (which holds
      // interrupts off for an instruction and may change the stack size) and
      // CS (#UD) end the block
      const rm = modrmRM();
      const s = reg();
      if (s === 1 || s === 2 || s > 5) return undefined;
      return done({ op: "segLoad", sz: 16, reg: s, rm, gprs: rm.mem ? addressRegs(rm.mem) : 1 << rm.reg!, gprsOut: 0 });
    }
    // POP ES, DS (07 1F), FS, GS (0F A1, 0F A9): the same, ESP read and written
    if (b === 0x07 || b === 0x1f || b === 0x1a1 || b === 0x1a9) {
      const s = b === 0x07 ? 0 : b === 0x1f ? 3 : b === 0x1a1 ? 4 : 5;
      return done({ op: "segLoad", sz: osz, reg: s, gprs: 1 << R_ESP, gprsOut: 1 << R_ESP });
    }
    if (b === 0x8c) { // MOV r/m16, Sreg (segops.ts: a register takes it zero-extended by the operand size)
      const rm = modrmRM();
      if (reg() > 5) return undefined; // #UD: the interpreter's
      return done({ op: "movES", sz: rm.mem ? 16 : osz, rm, reg: reg() });
    }
    if (b === 0x8d) { const rm = modrmRM(); if (!rm.mem) return undefined; return done({ op: "lea", sz: osz, rm, reg: reg() }); }
    // F3 90 is PAUSE (a spin-wait hint; it exits in VMX non-root operation
    // with "PAUSE exiting", SDM vol. 3 §25.1.3, which its emitter leaves to
    // the interpreter)
    if (b === 0x90) {
      return rep ? done({ op: "pause", sz: 32 }, true) : done({ op: "nop", sz: 32 });
    }
    if (b > 0x90 && b < 0x98) return done({ op: "xchg", sz: osz, rm: { reg: b & 7 }, reg: 0 });
    if (b === 0x98) return done({ op: "cbw", sz: osz });
    if (b === 0x99) return done({ op: "cwd", sz: osz });
    if (b === 0x9c) return done({ op: "pushf", sz: osz });
    if (b === 0x9d) return done({ op: "popf", sz: osz });
    if (b >= 0xa0 && b <= 0xa3) {
      // MOV AL/eAX <-> moffs: a ModRM-less [disp32] or [disp16] (by the address
      // size) with AL/eAX as the register, so the MOV r/m forms' emitters serve.
      const rm: RM = { mem: { seg: seg >= 0 ? seg : S_DS, base: -1, index: -1, scale: 0, disp: a16 ? i16() : i32(), a16 } };
      return done({ op: b & 2 ? "movEG" : "movGE", sz: b & 1 ? osz : 8, rm, reg: 0 });
    }
    if (b === 0xa8) return done({ op: "test", sz: 8, rm: { reg: 0 }, imm: byte() });
    if (b === 0xa9) return done({ op: "test", sz: osz, rm: { reg: 0 }, imm: ivz() & szMask(osz) });
    if (b >= 0xb0 && b < 0xb8) return done({ op: "movEI", sz: 8, rm: { reg: b & 7 }, imm: byte() });
    if (b >= 0xb8 && b < 0xc0) return done({ op: "movEI", sz: osz, rm: { reg: b & 7 }, imm: ivz() & szMask(osz) });
    if (b === 0xc0 || b === 0xc1 || (b >= 0xd0 && b <= 0xd3)) {
      const rm = modrmRM();
      const sub = reg();
      if (sub === 6) return undefined; // the /6 alias of SHL: interpreted
      const sz = b & 1 ? osz : 8;
      if (b >= 0xd2) return done({ op: "shiftCL", sub, sz, rm });
      const imm = b >= 0xd0 ? 1 : byte();
      return done({ op: "shift", sub, sz, rm, imm: imm & 31 });
    }
    if (b === 0xc3 && nearOk) return done({ op: "ret", sz: osz });
    if (b === 0xc2 && nearOk) return done({ op: "ret", sz: osz, imm: i16() }); // RET imm16: the bytes it releases too
    if (b === 0xc6 || b === 0xc7) {
      const rm = modrmRM();
      if (reg() !== 0) return undefined;
      const sz = b === 0xc6 ? 8 : osz;
      return done({ op: "movEI", sz, rm, imm: (sz === 8 ? byte() : ivz()) & szMask(sz) });
    }
    if (b === 0xc9) return done({ op: "leave", sz: osz });
    if (b === 0xe8 && nearOk) return done({ op: "call", sz: osz, rel: relv() });
    if (b === 0xe9 && nearOk) return done({ op: "jmp", sz: osz, rel: relv() });
    if (b === 0xeb && nearOk) { const r = i8(); return done({ op: "jmp", sz: osz, rel: pos + r }); }
    if (b === 0xfa || b === 0xfb) return done({ op: b === 0xfa ? "cli" : "sti", sz: osz });
    if (b === 0xfc || b === 0xfd) return done({ op: b === 0xfc ? "cld" : "std", sz: osz });
    if (b === 0xf5 || b === 0xf8 || b === 0xf9) return done({ op: b === 0xf5 ? "cmc" : b === 0xf8 ? "clc" : "stc", sz: osz });
    if (b === 0x9e || b === 0x9f) return done({ op: b === 0x9e ? "sahf" : "lahf", sz: 8 });
    const kind = STRING_KINDS.get(b & ~1);
    if (kind !== undefined && !rep && !repne && !lock) {
      // MOVS, STOS, LODS, CMPS, SCAS of one element (string.ts), in wasm: the
      // operand is the source [seg:(E)SI] (an override allowed), or for STOS
      // and SCAS [ES:(E)DI]; MOVS and CMPS take that one too, as `dst`
      const sz = b & 1 ? osz : 8;
      const di: Mem = { seg: S_ES, base: R_EDI, index: -1, scale: 0, disp: 0, a16 };
      if (kind === K_STOS || kind === K_SCAS) return done({ op: STRING_OPS[kind], sz, rm: { mem: di } });
      const si: Mem = { seg: seg >= 0 ? seg : S_DS, base: R_ESI, index: -1, scale: 0, disp: 0, a16 };
      return done({ op: STRING_OPS[kind], sz, rm: { mem: si }, dst: kind === K_MOVS || kind === K_CMPS ? di : undefined });
    }
    if (kind !== undefined && !lock && (!repne || kind === K_CMPS || kind === K_SCAS)) {
      // MOVS, STOS, LODS, CMPS, SCAS (string.ts) with REP (REPE, REPNE for
      // CMPS and SCAS), 32-bit or 16-bit addressing: the interpreter's
      // handler in the block, which reads DF, (E)CX and the pointers it names,
      // and writes the flags for CMPS and
      // SCAS. A REP may stop part-way, EIP still on it (emitter.ts step's
      // `partial`). LODS of a byte or word leaves the rest of EAX: it is
      // stored first.
      return stringByHandler(kind, b & 1 ? osz : 8, rep ? 1 : repne ? 2 : 0, seg, a16, start, pos - start);
    }
    if (b === 0xf6 || b === 0xf7) {
      const rm = modrmRM();
      const sz = b === 0xf7 ? osz : 8;
      switch (reg()) {
        case 0: return done({ op: "test", sz, rm, imm: (sz === 8 ? byte() : ivz()) & szMask(sz) });
        case 2: return done({ op: "not", sz, rm });
        case 3: return done({ op: "neg", sz, rm });
        case 4: return sz === 32 ? done({ op: "mul", sz, rm }) : undefined;
        case 5: return sz === 32 ? done({ op: "imul1", sz, rm }) : undefined;
        case 6: return done({ op: "div", sz, rm });
        case 7: return done({ op: "idiv", sz, rm });
        default: return undefined;
      }
    }
    if (b === 0xfe || b === 0xff) {
      const rm = modrmRM();
      const sz = b === 0xff ? osz : 8;
      switch (reg()) {
        case 0: return done({ op: "inc", sz, rm });
        case 1: return done({ op: "dec", sz, rm });
        case 2: return b === 0xff && nearOk ? done({ op: "callE", sz: osz, rm }) : undefined;
        case 4: return b === 0xff && nearOk ? done({ op: "jmpE", sz: osz, rm }) : undefined;
        case 6: return b === 0xff ? done({ op: "pushE", sz: osz, rm }) : undefined;
        default: return undefined;
      }
    }
    if (b >= 0x100 || (b >= 0xd8 && b <= 0xdf) || b === 0x9b) {
      // The opcode map's jit=interp entries (SSE, MMX, x87: web/jit/interpops.ts),
      // chosen by mandatory prefix as the interpreter chooses them: the last
      // F2/F3, else 66, else none. An opcode without mandatory prefixes is
      // declined with F2/F3 (REP).
      const pfx = repne ? 4 : rep ? 3 : opPrefix ? 2 : 1;
      let opc = (pfx << 9) | b;
      let t = INTERP_OPS.get(opc);
      if (!t && !rep && !repne) { opc = b; t = INTERP_OPS.get(b); }
      if (t) {
        const [hasModrm, immBytes, regs, extra] = t;
        const rm = hasModrm ? modrmRM() : undefined;
        if (hasModrm && !(regs & (1 << reg()))) return undefined;
        let imm = 0;
        for (let j = 0; j < immBytes; j++) imm |= byte() << (8 * j);
        if (lock) return undefined;
        // The general registers it may use: the ModRM's two fields (a GPR
        // operand, e.g. MOVD, CVTSS2SI, PMOVMSKB, or an XMM/MMX number, which
        // costs a store and a load), the address's base and index.
        let gprsOut = 0;
        if (rm) gprsOut = (1 << reg()) | (rm.reg !== undefined ? 1 << rm.reg : 0);
        let gprs = gprsOut;
        if (rm?.mem) gprs |= addressRegs(rm.mem);
        if (extra & INTERP_EDI) gprs |= 1 << R_EDI;
        return { op: "interp", sz: osz, rm, reg: rm ? reg() : undefined, imm, opc, gprs, gprsOut, eflags: (extra & INTERP_EFLAGS) !== 0, off: start, len: pos - start };
      }
    }
    if (b === 0x131) return done({ op: "rdtsc", sz: osz });
    if (b >= 0x140 && b < 0x150) { const rm = modrmRM(); return done({ op: "cmov", sub: b & 15, sz: osz, rm, reg: reg() }); }
    if (b >= 0x180 && b < 0x190 && nearOk) return done({ op: "jcc", sub: b & 15, sz: osz, rel: relv() });
    if (b >= 0x190 && b < 0x1a0) { const rm = modrmRM(); return done({ op: "setcc", sub: b & 15, sz: 8, rm }); }
    if (b === 0x1a4 || b === 0x1a5 || b === 0x1ac || b === 0x1ad) { // SHLD, SHRD
      const rm = modrmRM();
      const sub = b < 0x1a8 ? SHIFT_SHL : SHIFT_SHR;
      if (b & 1) return done({ op: "shiftdCL", sub, sz: osz, rm, reg: reg() });
      return done({ op: "shiftd", sub, sz: osz, rm, reg: reg(), imm: byte() & 31 });
    }
    if (b === 0x1a3 || b === 0x1ab || b === 0x1b3 || b === 0x1bb) { // BT BTS BTR BTC Ev, Gv
      const rm = modrmRM();
      return done({ op: "bt", sub: BIT_BT + ((b >> 3) & 3), sz: osz, rm, reg: reg() });
    }
    if (b === 0x1ba) { // BT BTS BTR BTC Ev, Ib (ModRM.reg 4-7; 0-3 are #UD)
      const rm = modrmRM();
      if (reg() < BIT_BT) return undefined;
      return done({ op: "btI", sub: reg(), sz: osz, rm, imm: byte() & (osz - 1) });
    }
    // REP before BSF (F3 0F BC: TZCNT on later processors) is ignored on a P6,
    // as the interpreter ignores it
    if (b === 0x1bc || b === 0x1bd) { const rm = modrmRM(); return done({ op: b === 0x1bc ? "bsf" : "bsr", sz: osz, rm, reg: reg() }, b === 0x1bc); }
    if (b === 0x1af) { const rm = modrmRM(); return done({ op: "imul2", sz: osz, rm, reg: reg() }); }
    if (b === 0x1b6 || b === 0x1b7 || b === 0x1be || b === 0x1bf) {
      const rm = modrmRM();
      return done({ op: b & 8 ? "movsx" : "movzx", sz: osz, sub: b & 1 ? 16 : 8, rm, reg: reg() });
    }
    if (b === 0x1b0 || b === 0x1b1) { const rm = modrmRM(); return done({ op: "cmpxchg", sz: b & 1 ? osz : 8, rm, reg: reg() }); }
    if (b === 0x1c0 || b === 0x1c1) { const rm = modrmRM(); return done({ op: "xadd", sz: b & 1 ? osz : 8, rm, reg: reg() }); }
    if (b >= 0x1c8 && b < 0x1d0 && osz === 32) return done({ op: "bswap", sz: 32, reg: b & 7 });
    return undefined;
  } catch (e) {
    if (e instanceof End || e instanceof Declined) return undefined;
    throw e;
  }
}

class Declined extends Error {}

/** A string instruction (`kind`: string.ts K_*) by its handler, jitStr: its
 *  key, and the registers it reads and writes. `rep` 0 none, 1 F3, 2 F2;
 *  `seg` the segment override, -1 none. */
export function stringByHandler(kind: number, sz: number, rep: number, seg: number, a16: boolean, off: number, len: number): Insn {
  const R = (r: number) => 1 << r;
  const ptrs = R(R_ECX) | (kind !== K_STOS && kind !== K_SCAS ? R(R_ESI) : 0) | (kind !== K_LODS ? R(R_EDI) : 0);
  const gprsOut = ptrs | (kind === K_LODS ? R(R_EAX) : 0);
  const gprs = gprsOut | (kind === K_STOS || kind === K_SCAS ? R(R_EAX) : 0);
  // asm/cpu/jit.ts jitStr's key
  const imm = (sz >> 3) | (kind << JIT_STR_KIND_SHIFT) | (rep << JIT_STR_REP_SHIFT)
    | ((seg + 1) << JIT_STR_SEG_SHIFT) | (len << JIT_STR_LEN_SHIFT) | (a16 ? JIT_STR_A16 : 0);
  return { op: "string", sz, imm, gprs, gprsOut, eflags: true, off, len };
}
/** The string kinds (string.ts K_*) of the one-element emitters (STRING_OPS). */
export const STRING_KIND_OF: Record<string, number> = Object.fromEntries(Object.entries(STRING_OPS).map(([k, op]) => [op, Number(k)]));

/** The general registers a memory operand's address reads (bit mask; EAX = bit 0). */
export const addressRegs = (m: Mem) => (m.base >= 0 ? 1 << m.base : 0) | (m.index >= 0 ? 1 << m.index : 0);

/** SDM vol. 2 LOCK: the read-modify-write instructions with a memory destination
 *  (of those translated: ADD OR ADC SBB AND SUB XOR with E as destination, INC,
 *  DEC, NOT, NEG, XCHG, CMPXCHG, XADD, BTS, BTR, BTC). */
function lockable(x: Omit<Insn, "off" | "len">): boolean {
  if (!x.rm?.mem) return false;
  switch (x.op) {
    case "alu": return x.sub !== 7 && (x.form === "EG" || x.form === "EI");
    case "inc": case "dec": case "not": case "neg": case "xchg": case "cmpxchg": case "xadd": return true;
    case "bt": case "btI": return x.sub !== BIT_BT;
    default: return false;
  }
}
