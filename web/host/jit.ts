// The block translator: turns a hot run of 32-bit guest code into a wasm function
// that the machine (asm/cpu/jit.ts) calls through its function table. No DOM and
// no Node APIs: the worker and the command line both use it.
//
// A block is straight-line code on one page: it ends at an unconditional branch
// (JMP, CALL, RET), at the first instruction this file does not translate (the
// interpreter runs that one), or at the end of the page; a taken Jcc leaves it
// from the middle. A Jcc or JMP back to the block's first instruction loops
// inside the function while the instruction budget lasts and nothing needs the
// run loop's attention.
//
// Inside the function the eight registers and the flag state live in wasm locals,
// loaded on entry and stored at every exit. The flag state is the interpreter's
// own (asm/cpu/flags.ts): EFLAGS, the mask of lazy flags and the last operation's
// kind, operands and result, so that blocks and interpreted instructions mix
// freely. When the translator knows which operation last set the flags, a
// condition is computed in place; otherwise the state is stored and the machine's
// testCC answers.
//
// Memory operands check the segment's precomputed offset range and look the page
// up in the TLB in place (asm/mmu/linear.ts's fast path); anything else - a TLB
// miss, a page crossing, MMIO, a fault - goes through the machine's full access
// functions. An instruction's memory accesses come before it commits results, so
// an access that faults leaves the state as it was before that instruction; the
// function stores it and returns with the fault bit set, and the machine
// delivers the exception.
//
// Semantics follow the interpreter's handlers instruction by instruction (and so
// the SDM); the guest tests compare both with qemu.

import {
  SEGF_LIMIT, S_CS, OFF_REGS, OFF_EIP, OFF_EFLAGS, OFF_FLAGS_LAZY, OFF_LAZY_OP, OFF_LAZY_DST, OFF_LAZY_SRC, OFF_LAZY_RES,
  OFF_SEGS, SEG_SIZE, SEGF_BASE, SEGF_LOR, SEGF_HIR, SEGF_LOW, SEGF_HIW, CPU_STATE, S_SS, S_DS, R_ESP, R_EBP,
} from "./cpustate";

/** What the machine exports for translated code (asm/index.ts). */
export interface JitCoreExports {
  table: WebAssembly.Table;
  jitRd8(seg: number, off: number): number;
  jitRd16(seg: number, off: number): number;
  jitRd32(seg: number, off: number): number;
  jitWr8(seg: number, off: number, v: number): number;
  jitWr16(seg: number, off: number, v: number): number;
  jitWr32(seg: number, off: number, v: number): number;
  jitTestCC(cc: number): number;
  jitChain(fn: number, left: number): number;
  layoutJit(which: number): number;
  setTranslation(on: number): void;
}

// ---- flags (asm/cpu/state.ts, asm/cpu/flags.ts) ----
const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const ARITH = CF | PF | AF | ZF | SF | OF;
const K_ADD = 0, K_SUB = 2, K_LOGIC = 4; // LAZY_ADD, LAZY_SUB, LAZY_LOGIC; ADC1 = 1, SBB1 = 3
const szCode = (sz: number) => (sz === 32 ? 2 : sz === 16 ? 1 : 0);
const szMask = (sz: number) => (sz === 32 ? 0xffffffff : sz === 16 ? 0xffff : 0xff);

// ---- decoded instructions ----
interface Mem { seg: number; base: number; index: number; scale: number; disp: number }
/** A ModRM r/m operand: a register, or memory. */
type RM = { reg: number; mem?: undefined } | { reg?: undefined; mem: Mem };
interface Insn {
  off: number;      // offset of the first byte from the block start
  len: number;
  op: string;
  sz: number;       // operand size: 8, 16 or 32
  rm?: RM;
  reg?: number;     // ModRM.reg or the register in the opcode
  imm?: number;
  sub?: number;     // ALU operation / shift kind / condition code
  form?: string;    // ALU operand form
  rel?: number;     // branch target, offset from the block start
}

const MAX_INSNS = 48;

/** Decode up to MAX_INSNS instructions from `code`; stops before the first one
 *  not translated or not wholly inside `code`. */
function decodeBlock(code: Uint8Array): Insn[] {
  const out: Insn[] = [];
  let pos = 0;
  while (out.length < MAX_INSNS) {
    const i = decodeOne(code, pos);
    if (!i) break;
    out.push(i);
    pos += i.len;
    // Jcc is a side exit (or the loop back to the start): the block goes on
    // with the fall-through path
    if (i.op === "jmp" || i.op === "call" || i.op === "ret" || i.op === "callE" || i.op === "jmpE") break;
    if (i.op === "jcc" && i.rel === 0) break;
  }
  return out;
}

class End extends Error {}

function decodeOne(code: Uint8Array, start: number): Insn | undefined {
  let pos = start;
  const byte = () => { if (pos >= code.length) throw new End(); return code[pos++]; };
  const i8 = () => (byte() << 24) >> 24;
  const i16 = () => byte() | (byte() << 8);
  const i32 = () => (byte() | (byte() << 8) | (byte() << 16) | (byte() << 24)) | 0;
  try {
    let o16 = false, seg = -1;
    let b = byte();
    for (;;) {
      if (b === 0x66) o16 = true;
      else if (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e) seg = (b >> 3) & 3; // ES CS SS DS
      else if (b === 0x64 || b === 0x65) seg = b - 0x60; // FS GS
      else break;
      if (pos - start > 4) return undefined;
      b = byte();
    }
    if (b === 0x0f) b = 0x100 | byte();
    const osz = o16 ? 16 : 32;
    let modrm = 0;
    const modrmRM = (): RM => {
      modrm = byte();
      const mod = modrm >> 6, rm = modrm & 7;
      if (mod === 3) return { reg: rm };
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
    const ivz = () => (osz === 32 ? i32() : i16());
    const done = (x: Omit<Insn, "off" | "len">): Insn => ({ ...x, off: start, len: pos - start });
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
    if (b >= 0x50 && b < 0x58 && !o16) return done({ op: "push", sz: 32, reg: b & 7 });
    if (b >= 0x58 && b < 0x60 && !o16) return done({ op: "pop", sz: 32, reg: b & 7 });
    if (b === 0x68 && !o16) return done({ op: "pushI", sz: 32, imm: i32() });
    if (b === 0x6a && !o16) return done({ op: "pushI", sz: 32, imm: i8() });
    if (b === 0x69 || b === 0x6b) {
      const rm = modrmRM();
      const imm = b === 0x6b ? i8() : ivz();
      return done({ op: "imul3", sz: osz, rm, reg: reg(), imm: imm & szMask(osz) });
    }
    if (b >= 0x70 && b < 0x80 && !o16) { const r = i8(); return done({ op: "jcc", sub: b & 15, sz: 32, rel: pos - start + r + start }); }
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
    if (b === 0x8d) { const rm = modrmRM(); if (!rm.mem) return undefined; return done({ op: "lea", sz: osz, rm, reg: reg() }); }
    if (b === 0x90) return done({ op: "nop", sz: 32 });
    if (b > 0x90 && b < 0x98) return done({ op: "xchg", sz: osz, rm: { reg: b & 7 }, reg: 0 });
    if (b === 0x98) return done({ op: "cbw", sz: osz });
    if (b === 0x99) return done({ op: "cwd", sz: osz });
    if (b === 0xa8) return done({ op: "test", sz: 8, rm: { reg: 0 }, imm: byte() });
    if (b === 0xa9) return done({ op: "test", sz: osz, rm: { reg: 0 }, imm: ivz() & szMask(osz) });
    if (b >= 0xb0 && b < 0xb8) return done({ op: "movEI", sz: 8, rm: { reg: b & 7 }, imm: byte() });
    if (b >= 0xb8 && b < 0xc0) return done({ op: "movEI", sz: osz, rm: { reg: b & 7 }, imm: ivz() & szMask(osz) });
    if (b === 0xc0 || b === 0xc1 || (b >= 0xd0 && b <= 0xd3)) {
      const rm = modrmRM();
      const sub = reg();
      if (sub === 2 || sub === 3 || sub === 6) return undefined; // RCL RCR and the /6 alias: interpreted
      const sz = b & 1 ? osz : 8;
      if (b >= 0xd2) return done({ op: "shiftCL", sub, sz, rm });
      const imm = b >= 0xd0 ? 1 : byte();
      return done({ op: "shift", sub, sz, rm, imm: imm & 31 });
    }
    if (b === 0xc3 && !o16) return done({ op: "ret", sz: 32 });
    if (b === 0xc6 || b === 0xc7) {
      const rm = modrmRM();
      if (reg() !== 0) return undefined;
      const sz = b === 0xc6 ? 8 : osz;
      return done({ op: "movEI", sz, rm, imm: (sz === 8 ? byte() : ivz()) & szMask(sz) });
    }
    if (b === 0xe8 && !o16) { const r = i32(); return done({ op: "call", sz: 32, rel: pos - start + r + start }); }
    if (b === 0xe9 && !o16) { const r = i32(); return done({ op: "jmp", sz: 32, rel: pos - start + r + start }); }
    if (b === 0xeb && !o16) { const r = i8(); return done({ op: "jmp", sz: 32, rel: pos - start + r + start }); }
    if (b === 0xf6 || b === 0xf7) {
      const rm = modrmRM();
      const sz = b === 0xf7 ? osz : 8;
      switch (reg()) {
        case 0: return done({ op: "test", sz, rm, imm: (sz === 8 ? byte() : ivz()) & szMask(sz) });
        case 2: return done({ op: "not", sz, rm });
        case 3: return done({ op: "neg", sz, rm });
        case 4: return sz === 32 ? done({ op: "mul", sz, rm }) : undefined;
        case 5: return sz === 32 ? done({ op: "imul1", sz, rm }) : undefined;
        default: return undefined;  // DIV, IDIV: interpreted
      }
    }
    if (b === 0xfe || b === 0xff) {
      const rm = modrmRM();
      const sz = b === 0xff ? osz : 8;
      switch (reg()) {
        case 0: return done({ op: "inc", sz, rm });
        case 1: return done({ op: "dec", sz, rm });
        case 2: return b === 0xff && !o16 ? done({ op: "callE", sz: 32, rm }) : undefined;
        case 4: return b === 0xff && !o16 ? done({ op: "jmpE", sz: 32, rm }) : undefined;
        case 6: return b === 0xff && !o16 ? done({ op: "pushE", sz: 32, rm }) : undefined;
        default: return undefined;
      }
    }
    if (b >= 0x140 && b < 0x150) { const rm = modrmRM(); return done({ op: "cmov", sub: b & 15, sz: osz, rm, reg: reg() }); }
    if (b >= 0x180 && b < 0x190 && !o16) { const r = i32(); return done({ op: "jcc", sub: b & 15, sz: 32, rel: pos - start + r + start }); }
    if (b >= 0x190 && b < 0x1a0) { const rm = modrmRM(); return done({ op: "setcc", sub: b & 15, sz: 8, rm }); }
    if (b === 0x1af) { const rm = modrmRM(); return done({ op: "imul2", sz: osz, rm, reg: reg() }); }
    if (b === 0x1b6 || b === 0x1b7 || b === 0x1be || b === 0x1bf) {
      const rm = modrmRM();
      return done({ op: b & 8 ? "movsx" : "movzx", sz: osz, sub: b & 1 ? 16 : 8, rm, reg: reg() });
    }
    if (b >= 0x1c8 && b < 0x1d0 && !o16) return done({ op: "bswap", sz: 32, reg: b & 7 });
    return undefined;
  } catch (e) {
    if (e instanceof End) return undefined;
    throw e;
  }
}

// ---- wasm encoding ----
const enum W {
  block = 0x02, loop = 0x03, if_ = 0x04, else_ = 0x05, end = 0x0b, br = 0x0c, return_ = 0x0f, call = 0x10,
  drop = 0x1a, select = 0x1b,
  get = 0x20, set = 0x21, tee = 0x22,
  load = 0x28, load8u = 0x2d, load16u = 0x2f, store = 0x36, store8 = 0x3a, store16 = 0x3b,
  const_ = 0x41,
  eqz = 0x45, eq = 0x46, ne = 0x47, lts = 0x48, ltu = 0x49, gts = 0x4a, gtu = 0x4b, les = 0x4c, leu = 0x4d,
  ges = 0x4e, geu = 0x4f,
  i64leu = 0x58, i64ne = 0x52,
  popcnt = 0x69, add = 0x6a, sub = 0x6b, mul = 0x6c, and = 0x71, or = 0x72, xor = 0x73, shl = 0x74,
  shrs = 0x75, shru = 0x76, rotl = 0x77, rotr = 0x78,
  i64add = 0x7c, i64mul = 0x7e, i64shru = 0x88,
  wrap = 0xa7, ext64s = 0xac, ext64u = 0xad, ext8s = 0xc0, ext16s = 0xc1,
}
const VOID = 0x40, I32 = 0x7f, I64 = 0x7e;

function uleb(out: number[], v: number): void {
  v >>>= 0;
  do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; out.push(b); } while (v);
}
function sleb(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && (b & 0x40))) { out.push(b); return; }
    out.push(b | 0x80);
  }
}

// Imported helper functions, by index (the block function is 8).
const F_RD = [0, 1, 2];   // rd8 rd16 rd32 (seg, off) -> value
const F_WR = [3, 4, 5];   // wr8 wr16 wr32 (seg, off, v) -> status
const F_TESTCC = 6;       // testcc(cc) -> 0/1
const F_CHAIN = 7;        // chain(fn, left) -> what block fn returns
const sizeIndex = (sz: number) => (sz === 32 ? 2 : sz === 16 ? 1 : 0);

// Locals: 0 is the parameter (instructions left in the budget).
const L_LEFT = 0, L_CNT = 1, L_EIP0 = 2, L_R = 3;       // L_R..L_R+7: EAX..EDI
const L_EFL = 11, L_MASK = 12, L_OP = 13, L_DST = 14, L_SRC = 15, L_RES = 16;
const L_RMASK = 17, L_WMASK = 18, L_FOFF = 19, L_FK = 20, L_NEIP = 21, L_INVAL = 22;
const L_T = 23;           // 23..28: scratch T0..T5 (T5: the TLB entry of a memory access)
const L_OFF = 29, L_LIN = 30; // the current memory operand's offset and linear address
const L_SEG = 31;         // 31 + 5 * seg + {0 base, 1 loR, 2 hiR, 3 loW, 4 hiW}
const L_STATUS = 61;      // a write helper's answer
const L_CKEY = 62, L_CSET = 63; // the exit's target block: host address, cache set (0: none)
const L_CSLIM = 64;       // CS limit (chaining needs a flat CS)
const N_I32_LOCALS = 64;
const L_W = 65;           // i64 scratch

const FLAG_WORDS = [OFF_EFLAGS, OFF_FLAGS_LAZY, OFF_LAZY_OP, OFF_LAZY_DST, OFF_LAZY_SRC, OFF_LAZY_RES];
const FLAG_LOCALS = [L_EFL, L_MASK, L_OP, L_DST, L_SRC, L_RES];

/** What the translator knows about the flag state at a point in the block. */
interface FlagState {
  mask: number | null;   // which flags are lazy (null: unknown until run time)
  kind: number;          // K_ADD / K_SUB (possibly with carry: see carry) / K_LOGIC
  carry: boolean;        // the operation was ADC/SBB: OP says whether the carry-in was 1
  sz: number;
}

/** Where things are in the machine's memory, and the block's own host address. */
interface Addr { words: number; tlb: number; cache: number; chain: boolean; host: number }

/** The block-cache set of a host address (asm/cpu/jit.ts setOf). */
const cacheSet = (a: Addr, host: number) => a.cache + ((((Math.imul(host, 0x9e3779b1) >>> 17) & ~1) << 4) >>> 0);

class Emitter {
  b: number[] = [];
  labels: string[] = [];
  fs: FlagState = { mask: null, kind: 0, carry: false, sz: 32 };
  regsWritten = 0;
  regsUsed = 0;       // registers the block reads (or partly writes)
  flagsWritten = false;
  flagsUsed = false;
  /** Offset and in-pass index of the instruction being emitted (for fault exits). */
  cur = { off: 0, k: 0 };
  constructor(readonly a: Addr) {}

  op(...x: number[]): this { this.b.push(...x); return this; }
  i32(v: number): this { this.b.push(W.const_); sleb(this.b, v); return this; }
  get(l: number): this {
    if (l >= L_R && l < L_R + 8) this.regsUsed |= 1 << (l - L_R);
    else if (l >= L_EFL && l <= L_RES) this.flagsUsed = true;
    this.b.push(W.get); uleb(this.b, l); return this;
  }
  set(l: number): this { this.b.push(W.set); uleb(this.b, l); return this; }
  tee(l: number): this { this.b.push(W.tee); uleb(this.b, l); return this; }
  load(op: number, addr: number): this { this.b.push(W.const_, 0, op, 0); uleb(this.b, addr); return this; }
  /** [value] -> store at constant address */
  storeAt(addr: number, l: number): this { this.b.push(W.const_, 0); this.get(l); this.b.push(W.store, 0); uleb(this.b, addr); return this; }
  call(f: number): this { this.b.push(W.call); uleb(this.b, f); return this; }
  open(kind: number, label: string, type = VOID): this { this.b.push(kind, type); this.labels.push(label); return this; }
  else_(): this { this.b.push(W.else_); return this; }
  end(): this { this.b.push(W.end); this.labels.pop(); return this; }
  br(label: string): this {
    const d = this.labels.length - 1 - this.labels.lastIndexOf(label);
    this.b.push(W.br); uleb(this.b, d); return this;
  }
  /** EIP of a block offset (wraps like the guest's EIP). */
  eipAt(off: number): this { this.get(L_EIP0); if (off) this.i32(off).op(W.add); return this; }

  // ---- registers ----
  reg(r: number, sz: number): this {
    if (sz === 32) return this.get(L_R + r);
    if (sz === 16) return this.get(L_R + r).i32(0xffff).op(W.and);
    if (r < 4) return this.get(L_R + r).i32(0xff).op(W.and);
    return this.get(L_R + r - 4).i32(8).op(W.shru).i32(0xff).op(W.and);
  }
  /** Set register `r` of size `sz` from local `l` (its low `sz` bits). */
  setReg(r: number, sz: number, l: number): this {
    if (sz === 32) { this.regsWritten |= 1 << r; return this.get(l).set(L_R + r); }
    if (sz === 16) {
      this.regsWritten |= 1 << r;
      return this.get(L_R + r).i32(0xffff0000).op(W.and).get(l).i32(0xffff).op(W.and).op(W.or).set(L_R + r);
    }
    const q = r & 3, sh = r < 4 ? 0 : 8;
    this.regsWritten |= 1 << q;
    this.get(L_R + q).i32(~(0xff << sh)).op(W.and).get(l).i32(0xff).op(W.and);
    if (sh) this.i32(8).op(W.shl);
    return this.op(W.or).set(L_R + q);
  }

  // ---- memory operands ----
  /** L_OFF = effective address, L_LIN = segment base + it. */
  ea(m: Mem): this {
    if (m.base >= 0) this.get(L_R + m.base);
    if (m.index >= 0) {
      this.get(L_R + m.index);
      if (m.scale) this.i32(m.scale).op(W.shl);
      if (m.base >= 0) this.op(W.add);
    }
    if (m.base < 0 && m.index < 0) this.i32(m.disp);
    else if (m.disp) this.i32(m.disp).op(W.add);
    this.tee(L_OFF).get(L_SEG + 5 * m.seg).op(W.add).set(L_LIN);
    return this;
  }
  /** Push whether the access at L_OFF/L_LIN of `size` bytes may take the fast path. */
  fastCheck(seg: number, size: number, write: boolean): this {
    const lo = L_SEG + 5 * seg + (write ? 3 : 1), hi = lo + 1;
    // segment: lo <= off && off + size - 1 <= hi (as 33-bit numbers)
    this.get(L_OFF).get(lo).op(W.geu);
    this.get(L_OFF).op(W.ext64u).op(0x42, size - 1).op(W.i64add).get(hi).op(W.ext64u).op(W.i64leu).op(W.and);
    // TLB: (e & mask) == VALID, and the access inside the page
    this.get(L_LIN).i32(12).op(W.shru).i32(2).op(W.shl).op(W.load, 0); uleb(this.b, this.a.tlb);
    this.tee(L_T + 5).get(write ? L_WMASK : L_RMASK).op(W.and).i32(1).op(W.eq).op(W.and);
    if (size > 1) this.get(L_LIN).i32(0xfff).op(W.and).i32(4096 - size).op(W.leu).op(W.and);
    return this;
  }
  hostAddr(): this { return this.get(L_T + 5).i32(~0xfff).op(W.and).get(L_LIN).op(W.add); }
  /** Push the value at the current memory operand. */
  read(seg: number, sz: number): this {
    const size = sz >> 3;
    this.fastCheck(seg, size, false).open(W.if_, "", I32);
    this.hostAddr().op(size === 4 ? W.load : size === 2 ? W.load16u : W.load8u, 0, 0);
    this.else_();
    this.i32(seg).get(L_OFF).call(F_RD[sizeIndex(sz)]);
    this.load(W.load, this.a.words + 12).open(W.if_, "").faultExit().end();
    return this.end();
  }
  /** Write local `l` to the current memory operand. */
  write(seg: number, sz: number, l: number): this {
    const size = sz >> 3;
    this.fastCheck(seg, size, true).open(W.if_, "");
    this.hostAddr().get(l).op(size === 4 ? W.store : size === 2 ? W.store16 : W.store8, 0, 0);
    this.else_();
    this.i32(seg).get(L_OFF).get(l).call(F_WR[sizeIndex(sz)]).tee(L_STATUS);
    this.i32(1).op(W.eq).open(W.if_, "").faultExit().end();
    this.get(L_STATUS).i32(2).op(W.eq).open(W.if_, "").i32(1).set(L_INVAL).end();
    this.wroteSlow = true;
    return this.end();
  }
  wroteSlow = false;
  chains = false;
  /** The exit about to be taken goes to block offset `target`: if that is on the
   *  block's page, the exit may go straight on to its translation (chaining). */
  chainTo(target: number): this {
    const host = this.a.host + target;
    if (!this.a.chain || (host >>> 12) !== (this.a.host >>> 12)) return this;
    this.chains = true;
    return this.i32(host).set(L_CKEY).i32(cacheSet(this.a, host)).set(L_CSET);
  }
  faultExit(): this { return this.i32(this.cur.off).set(L_FOFF).i32(this.cur.k).set(L_FK).br("fault"); }

  /** Push an r/m operand (memory: its EA stays in L_OFF/L_LIN for a write back). */
  readRM(rm: RM, sz: number): this {
    if (rm.mem) return this.ea(rm.mem).read(rm.mem.seg, sz);
    return this.reg(rm.reg!, sz);
  }
  /** Write local `l` to an r/m operand (after readRM for memory, or with a fresh EA). */
  writeRM(rm: RM, sz: number, l: number, eaReady: boolean): this {
    if (rm.mem) { if (!eaReady) this.ea(rm.mem); return this.write(rm.mem.seg, sz, l); }
    return this.setReg(rm.reg!, sz, l);
  }

  // ---- flags ----
  setLazy(kindOp: number | null, sz: number, dst: number | null, src: number | null, res: number, fs: FlagState): this {
    if (kindOp !== null) this.i32(kindOp).set(L_OP);
    if (dst !== null) this.get(dst).set(L_DST); else this.i32(0).set(L_DST);
    if (src !== null) this.get(src).set(L_SRC); else this.i32(0).set(L_SRC);
    this.get(res).set(L_RES).i32(ARITH).set(L_MASK);
    this.fs = fs;
    this.flagsWritten = true;
    return this;
  }
  /** Store the flag locals (before the machine reads the flag state). */
  flushFlags(): this {
    FLAG_WORDS.forEach((w, j) => this.storeAt(CPU_STATE + w, FLAG_LOCALS[j]));
    return this;
  }
  /** Push flag F (0/1) if it can be computed here; false otherwise. */
  flag(F: number): boolean {
    const fs = this.fs;
    if (fs.mask === null) return false;
    if (!(fs.mask & F)) { this.get(L_EFL).i32(Math.log2(F)).op(W.shru).i32(1).op(W.and); return true; }
    const sh = fs.sz - 1;
    switch (F) {
      case CF:
        if (fs.kind === K_LOGIC) { this.i32(0); return true; }
        if (fs.kind === K_ADD) {  // res < dst, or res <= dst after a carry-in
          if (fs.carry) this.get(L_OP).i32(4).op(W.and).open(W.if_, "", I32).get(L_RES).get(L_DST).op(W.leu).else_().get(L_RES).get(L_DST).op(W.ltu).end();
          else this.get(L_RES).get(L_DST).op(W.ltu);
        } else {                  // dst < src, or dst <= src after a borrow-in
          if (fs.carry) this.get(L_OP).i32(4).op(W.and).open(W.if_, "", I32).get(L_DST).get(L_SRC).op(W.leu).else_().get(L_DST).get(L_SRC).op(W.ltu).end();
          else this.get(L_DST).get(L_SRC).op(W.ltu);
        }
        return true;
      case ZF: this.get(L_RES).op(W.eqz); return true;
      case SF: this.get(L_RES).i32(sh).op(W.shru).i32(1).op(W.and); return true;
      case PF: this.get(L_RES).i32(0xff).op(W.and).op(W.popcnt).i32(1).op(W.and).i32(1).op(W.xor); return true;
      case OF:
        if (fs.kind === K_LOGIC) { this.i32(0); return true; }
        if (fs.kind === K_ADD) this.get(L_DST).get(L_RES).op(W.xor).get(L_SRC).get(L_RES).op(W.xor).op(W.and);
        else this.get(L_DST).get(L_SRC).op(W.xor).get(L_DST).get(L_RES).op(W.xor).op(W.and);
        this.i32(sh).op(W.shru).i32(1).op(W.and);
        return true;
    }
    return false;
  }
  /** Push condition `cc` (0/1). */
  cond(cc: number): this {
    const save = this.b.length;
    const fs = this.fs;
    let ok = true;
    const f = (F: number) => { if (ok) ok = this.flag(F); };
    // A CMP/SUB with every flag lazy: compare the operands directly.
    if (fs.mask === ARITH && fs.kind === K_SUB && !fs.carry && [1, 3, 6, 7].includes(cc >> 1)) {
      const sh = 32 - fs.sz;
      const operand = (l: number) => { this.get(l); if (sh) this.i32(sh).op(W.shl); };
      operand(L_DST); operand(L_SRC);
      this.op([0, W.ltu, 0, W.leu, 0, 0, W.lts, W.les][cc >> 1]);
    } else {
      switch (cc >> 1) {
        case 0: f(OF); break;
        case 1: f(CF); break;
        case 2: f(ZF); break;
        case 3: f(CF); f(ZF); if (ok) this.op(W.or); break;
        case 4: f(SF); break;
        case 5: f(PF); break;
        case 6: f(SF); f(OF); if (ok) this.op(W.xor); break;
        default: f(ZF); f(SF); f(OF); if (ok) this.op(W.xor, W.or); break;
      }
      if (!ok) {
        this.b.length = save;
        this.flushFlags().i32(cc & ~1).call(F_TESTCC);
      }
    }
    if (cc & 1) this.op(W.eqz);
    return this;
  }
}

/** Translate `code` (which starts the block and ends at the page end or the CS
 *  limit) into a wasm module whose export "b" is the block function. */
function translate(code: Uint8Array, a: Addr): { bytes: Uint8Array<ArrayBuffer>; insns: number; len: number } | undefined {
  const insns = decodeBlock(code);
  if (insns.length === 0) return undefined;
  const e = new Emitter(a);
  const last = insns[insns.length - 1];
  const endOff = last.off + last.len;
  // Which segments are used, and whether memory is read or written at all.
  const segs = new Set<number>();
  for (const i of insns) {
    if (i.rm?.mem) segs.add(i.rm.mem.seg);
    if (["push", "pop", "pushI", "pushE", "call", "callE", "ret"].includes(i.op)) segs.add(S_SS);
  }

  // body first (it tells which registers and flags are written), prologue after
  const body = new Emitter(a);
  body.labels = ["fault", "exit", "loop"];
  const n = insns.length;
  insns.forEach((ins, k) => {
    body.cur = { off: ins.off, k };
    body.wroteSlow = false;
    emitInsn(body, ins, k, n, endOff);
    if (body.wroteSlow && k < n - 1) {
      // a write hit translated code (maybe this block): leave after this instruction
      body.get(L_INVAL).open(W.if_, "").eipAt(ins.off + ins.len).set(L_NEIP);
      body.get(L_CNT).i32(k + 1).op(W.add).set(L_CNT).br("exit").end();
    }
  });
  const lastOp = last.op;
  if (!["jcc", "jmp", "call", "ret", "callE", "jmpE"].includes(lastOp)) {
    body.eipAt(endOff).set(L_NEIP).get(L_CNT).i32(n).op(W.add).set(L_CNT);
    body.chainTo(endOff);
  }

  // prologue: load what the body uses
  e.i32(0).op(W.load, 0); uleb(e.b, CPU_STATE + OFF_EIP); e.set(L_EIP0);
  // Every register the block reads or writes is loaded (a fault exit stores the
  // written ones, possibly before the write), and the flag state if it is used.
  const regs = body.regsUsed | body.regsWritten;
  for (let r = 0; r < 8; r++) {
    if (regs & (1 << r)) { e.i32(0).op(W.load, 0); uleb(e.b, CPU_STATE + OFF_REGS + 4 * r); e.set(L_R + r); }
  }
  if (body.flagsUsed || body.flagsWritten) {
    FLAG_WORDS.forEach((w, j) => { e.i32(0).op(W.load, 0); uleb(e.b, CPU_STATE + w); e.set(FLAG_LOCALS[j]); });
  }
  if (segs.size) {
    e.i32(0).op(W.load, 0); uleb(e.b, a.words + 4); e.set(L_RMASK);
    e.i32(0).op(W.load, 0); uleb(e.b, a.words + 8); e.set(L_WMASK);
  }
  if (body.chains) { e.i32(0).op(W.load, 0); uleb(e.b, CPU_STATE + OFF_SEGS + S_CS * SEG_SIZE + SEGF_LIMIT); e.set(L_CSLIM); }
  for (const s of segs) {
    [SEGF_BASE, SEGF_LOR, SEGF_HIR, SEGF_LOW, SEGF_HIW].forEach((f, j) => {
      e.i32(0).op(W.load, 0); uleb(e.b, CPU_STATE + OFF_SEGS + s * SEG_SIZE + f); e.set(L_SEG + 5 * s + j);
    });
  }
  e.op(W.block, VOID, W.block, VOID, W.loop, VOID);
  e.b.push(...body.b);
  e.op(W.end, W.end); // loop, exit block
  const storeState = () => {
    for (let r = 0; r < 8; r++) if (body.regsWritten & (1 << r)) e.storeAt(CPU_STATE + OFF_REGS + 4 * r, L_R + r);
    if (body.flagsWritten) FLAG_WORDS.forEach((w, j) => e.storeAt(CPU_STATE + w, FLAG_LOCALS[j]));
  };
  storeState();
  e.storeAt(CPU_STATE + OFF_EIP, L_NEIP);
  if (body.chains) emitChain(e);
  e.get(L_CNT).op(W.return_);
  e.op(W.end); // fault block
  storeState();
  e.i32(0).eipAt(0).get(L_FOFF).op(W.add).op(W.store, 0); uleb(e.b, CPU_STATE + OFF_EIP);
  e.get(L_CNT).get(L_FK).op(W.add).i32(0x80000000).op(W.or);
  e.op(W.end);
  return { bytes: moduleBytes(e.b), insns: n, len: endOff };
}

/** At an exit with a target block (L_CKEY), the state stored: go on to that
 *  block's translation directly when runCpu would call it next anyway - it is
 *  translated, one pass fits the budget, nothing needs the run loop, and CS is
 *  flat (so the target lies inside the fetch window). The instructions retired
 *  so far are added up in JIT_CHAINED, and the block tail-calls the machine's
 *  jitChain, which calls the next one (a block module importing the function
 *  table itself would make every later table update visit every block). */
function emitChain(e: Emitter): void {
  const S = L_T, FN = L_T + 1;
  e.open(W.block, "nochain");
  e.get(L_CKEY).op(W.eqz).op(0x0d, 0);
  e.get(L_CSET).set(S);
  e.get(S).op(W.load, 0, 0).get(L_CKEY).op(W.ne).open(W.if_, "");
  e.get(S).i32(16).op(W.add).tee(S).op(W.load, 0, 0).get(L_CKEY).op(W.ne).op(0x0d, 1);
  e.end();
  e.get(S).op(W.load, 0, 4).tee(FN).op(W.eqz).op(0x0d, 0);
  e.get(L_CNT).get(S).op(W.load, 0, 8).op(W.add).get(L_LEFT).op(W.gtu).op(0x0d, 0);
  e.load(W.load, e.a.words).op(0x0d, 0);
  e.get(L_CSLIM).i32(-1).op(W.ne).op(0x0d, 0);
  e.i32(0).load(W.load, e.a.words + 40).get(L_CNT).op(W.add).op(W.store, 0); uleb(e.b, e.a.words + 40);
  e.get(FN).get(L_LEFT).get(L_CNT).op(W.sub).op(0x12, F_CHAIN); // return_call chain(fn, left)
  e.end();
}

/** One instruction; `k` is its index in the block, `n` the block's length. */
function emitInsn(e: Emitter, i: Insn, k: number, n: number, endOff: number): void {
  const next = i.off + i.len;
  const T0 = L_T, T1 = L_T + 1, T2 = L_T + 2, T3 = L_T + 3, T4 = L_T + 4;
  const sz = i.sz, m = szMask(sz) | 0, szc = szCode(sz);
  const logic = (): FlagState => ({ mask: ARITH, kind: K_LOGIC, carry: false, sz });
  /** Leave the block for `target` (block offset, or the EIP in local T4 when null). */
  const leave = (target: number | null) => {
    if (target === null) e.get(T4).set(L_NEIP); else { e.eipAt(target).set(L_NEIP); e.chainTo(target); }
    e.get(L_CNT).i32(k + 1).op(W.add).set(L_CNT).br("exit");
  };
  /** Jump to block offset `target`: loop when it is the block start. */
  const jump = (target: number) => {
    if ((target | 0) !== 0) { leave(target); return; }
    e.get(L_CNT).i32(k + 1).op(W.add).tee(L_CNT);
    // another pass only while nothing needs the run loop and the budget allows it
    e.i32(n).op(W.add).get(L_LEFT).op(W.leu).load(W.load, e.a.words).op(W.eqz).op(W.and);
    e.open(W.if_, "").br("loop").end();
    e.eipAt(0).set(L_NEIP).br("exit");
  };
  /** Push (ESP - 4) and the value in local `l`: [SS:ESP-4] = l, ESP -= 4. */
  const push = (l: number) => {
    e.get(L_R + R_ESP).i32(4).op(W.sub).tee(L_OFF).get(L_SEG + 5 * S_SS).op(W.add).set(L_LIN);
    e.write(S_SS, 32, l);
    e.get(L_OFF).set(L_R + R_ESP);
    e.regsWritten |= 1 << R_ESP;
  };
  /** Pop into local `l`: l = [SS:ESP], ESP += 4 (ESP unchanged if the read faults). */
  const pop = (l: number) => {
    e.get(L_R + R_ESP).tee(L_OFF).get(L_SEG + 5 * S_SS).op(W.add).set(L_LIN);
    e.read(S_SS, 32).set(l);
    e.get(L_R + R_ESP).i32(4).op(W.add).set(L_R + R_ESP);
    e.regsWritten |= 1 << R_ESP;
  };
  switch (i.op) {
    case "nop": return;
    case "alu": {
      const op = i.sub!;
      const memDst = i.form === "EG" || i.form === "EI";
      // a (destination operand), b (source)
      if (i.form === "GE") { e.readRM(i.rm!, sz).set(T1); e.reg(i.reg!, sz).set(T0); }
      else {
        e.readRM(i.rm!, sz).set(T0);
        if (i.form === "EG") e.reg(i.reg!, sz).set(T1); else e.i32(i.imm!).set(T1);
      }
      if (op === 2 || op === 3) { // ADC, SBB: the carry-in
        e.cond(2).set(T3);
        e.get(T0).get(T1).op(op === 2 ? W.add : W.sub).get(T3).op(op === 2 ? W.add : W.sub);
      } else {
        e.get(T0).get(T1).op([W.add, W.or, 0, 0, W.and, W.sub, W.xor, W.sub][op]);
      }
      if (sz !== 32) e.i32(m).op(W.and);
      e.set(T2);
      if (op !== 7) { // CMP writes nothing
        if (memDst) e.writeRM(i.rm!, sz, T2, true); else e.setReg(i.reg!, sz, T2);
      }
      if (op === 1 || op === 4 || op === 6) e.setLazy((K_LOGIC << 2) | szc, sz, null, null, T2, logic());
      else if (op === 2 || op === 3) {
        e.get(T3).i32(op === 2 ? K_ADD : K_SUB).op(W.add).i32(2).op(W.shl).i32(szc).op(W.or).set(L_OP);
        e.setLazy(null, sz, T0, T1, T2, { mask: ARITH, kind: op === 2 ? K_ADD : K_SUB, carry: true, sz });
      } else {
        const kind = op === 0 ? K_ADD : K_SUB;
        e.setLazy((kind << 2) | szc, sz, T0, T1, T2, { mask: ARITH, kind, carry: false, sz });
      }
      return;
    }
    case "inc": case "dec": {
      const dec = i.op === "dec";
      e.cond(2).set(T3); // CF, kept
      e.readRM(i.rm!, sz).set(T0);
      e.get(T0).i32(1).op(dec ? W.sub : W.add);
      if (sz !== 32) e.i32(m).op(W.and);
      e.set(T2);
      e.writeRM(i.rm!, sz, T2, true);
      e.i32(1).set(T1);
      const kind = dec ? K_SUB : K_ADD;
      e.setLazy((kind << 2) | szc, sz, T0, T1, T2, { mask: ARITH & ~CF, kind, carry: false, sz });
      e.i32(ARITH & ~CF).set(L_MASK);
      e.get(L_EFL).i32(~CF).op(W.and).get(T3).op(W.or).set(L_EFL);
      return;
    }
    case "test": {
      e.readRM(i.rm!, sz).set(T0);
      if (i.imm !== undefined) e.get(T0).i32(i.imm).op(W.and).set(T2);
      else e.get(T0).reg(i.reg!, sz).op(W.and).set(T2);
      e.setLazy((K_LOGIC << 2) | szc, sz, null, null, T2, logic());
      return;
    }
    case "not": e.readRM(i.rm!, sz).i32(m).op(W.xor).set(T2); e.writeRM(i.rm!, sz, T2, true); return;
    case "neg": {
      e.readRM(i.rm!, sz).set(T1);
      e.i32(0).get(T1).op(W.sub);
      if (sz !== 32) e.i32(m).op(W.and);
      e.set(T2);
      e.writeRM(i.rm!, sz, T2, true);
      e.i32(0).set(T0);
      e.setLazy((K_SUB << 2) | szc, sz, T0, T1, T2, { mask: ARITH, kind: K_SUB, carry: false, sz });
      return;
    }
    case "movEG": e.reg(i.reg!, sz).set(T0); e.writeRM(i.rm!, sz, T0, false); return;
    case "movGE": e.readRM(i.rm!, sz).set(T0); e.setReg(i.reg!, sz, T0); return;
    case "movEI": e.i32(i.imm!).set(T0); e.writeRM(i.rm!, sz, T0, false); return;
    case "lea": e.ea(i.rm!.mem!); e.setReg(i.reg!, sz, L_OFF); return;
    case "xchg": {
      e.readRM(i.rm!, sz).set(T0);
      e.reg(i.reg!, sz).set(T1);
      e.writeRM(i.rm!, sz, T1, true);
      e.setReg(i.reg!, sz, T0);
      return;
    }
    case "cbw":
      if (sz === 32) e.get(L_R).op(W.ext16s).set(T0); else e.get(L_R).op(W.ext8s).set(T0);
      e.setReg(0, sz, T0);
      return;
    case "cwd":
      e.get(L_R).i32(32 - sz).op(W.shl).i32(31).op(W.shrs).set(T0);
      e.setReg(2, sz, T0);
      return;
    case "movzx": case "movsx": {
      e.readRM(i.rm!, i.sub!);
      if (i.op === "movsx") e.op(i.sub === 8 ? W.ext8s : W.ext16s);
      e.set(T0);
      e.setReg(i.reg!, sz, T0);
      return;
    }
    case "cmov": {
      e.readRM(i.rm!, sz).set(T0);
      e.cond(i.sub!).open(W.if_, "");
      e.setReg(i.reg!, sz, T0);
      return void e.end();
    }
    case "setcc": e.cond(i.sub!).set(T0); e.writeRM(i.rm!, 8, T0, false); return;
    case "bswap": {
      const r = L_R + i.reg!;
      e.get(r).i32(8).op(W.rotl).i32(0x00ff00ff).op(W.and).get(r).i32(8).op(W.rotr).i32(0xff00ff00).op(W.and).op(W.or).set(T0);
      e.setReg(i.reg!, 32, T0);
      return;
    }
    case "push": e.get(L_R + i.reg!).set(T0); push(T0); return;
    case "pushI": e.i32(i.imm!).set(T0); push(T0); return;
    case "pushE": e.readRM(i.rm!, 32).set(T0); push(T0); return;
    case "pop": pop(T0); e.setReg(i.reg!, 32, T0); return;
    case "imul2": case "imul3": {
      e.readRM(i.rm!, sz).set(T1);
      if (i.op === "imul2") e.reg(i.reg!, sz).set(T0); else e.i32(i.imm!).set(T0);
      // the product of the sign-extended operands, as 64 bits
      const sx = (l: number) => { e.get(l); if (sz === 16) e.op(W.ext16s); e.op(W.ext64s); };
      sx(T0); sx(T1); e.op(W.i64mul).tee(L_W).op(W.wrap);
      if (sz === 16) e.i32(0xffff).op(W.and);
      e.set(T2);
      // overflow: the product differs from its truncation, sign-extended
      e.get(L_W).get(T2); if (sz === 16) e.op(W.ext16s); e.op(W.ext64s, W.i64ne).set(T3);
      e.setReg(i.reg!, sz, T2);
      mulFlags(e, sz, T2, T3);
      return;
    }
    case "mul": case "imul1": {
      e.readRM(i.rm!, 32).set(T1);
      const ext = i.op === "mul" ? W.ext64u : W.ext64s;
      e.get(L_R).op(ext).get(T1).op(ext).op(W.i64mul).tee(L_W).op(W.wrap).set(T2);
      e.get(L_W).op(0x42, 32).op(W.i64shru).op(W.wrap).set(T0);
      if (i.op === "mul") e.get(T0).i32(0).op(W.ne).set(T3);
      else e.get(L_W).get(T2).op(W.ext64s, W.i64ne).set(T3);
      e.setReg(0, 32, T2);
      e.setReg(2, 32, T0);
      mulFlags(e, 32, T2, T3);
      return;
    }
    case "shift": case "shiftCL": {
      e.readRM(i.rm!, sz).set(T0);
      if (i.op === "shift") {
        if (i.imm === 0) { e.writeRM(i.rm!, sz, T0, true); return; }  // read and written back, no flags
        e.i32(i.imm!).set(T1);
        shiftCompute(e, i.sub!, sz, T0, T1);
        e.writeRM(i.rm!, sz, T2, true);
        shiftFlags(e, i.sub!, sz);
      } else {
        e.get(L_R + 1).i32(31).op(W.and).tee(T1).op(W.eqz).open(W.if_, "");
        e.writeRM(i.rm!, sz, T0, true);
        e.else_();
        shiftCompute(e, i.sub!, sz, T0, T1);
        e.writeRM(i.rm!, sz, T2, true);
        const before = e.fs;
        shiftFlags(e, i.sub!, sz);
        e.end();
        // which flags are lazy now depends on the count
        e.fs = { ...before, mask: null };
      }
      return;
    }
    case "jcc": {
      e.cond(i.sub!).open(W.if_, "");
      jump(i.rel!);
      e.end();
      if (k === n - 1) leave(next);
      return;
    }
    case "jmp": jump(i.rel!); return;
    case "call": e.eipAt(next).set(T0); push(T0); leave(i.rel!); return;
    case "callE": e.readRM(i.rm!, 32).set(T4); e.eipAt(next).set(T0); push(T0); leave(null); return;
    case "jmpE": e.readRM(i.rm!, 32).set(T4); leave(null); return;
    case "ret": pop(T4); leave(null); return;
  }
  throw new Error(`translator: no emitter for ${i.op}`);
}

/** SF ZF PF from the low half, CF = OF = overflow (local `ov`), AF clear
 *  (asm/cpu/arith.ts mulFlags). */
function mulFlags(e: Emitter, sz: number, res: number, ov: number): void {
  e.get(L_EFL).i32(~(CF | OF | AF)).op(W.and).get(ov).i32(CF | OF).op(W.mul).op(W.or).set(L_EFL);
  e.i32((K_LOGIC << 2) | szCode(sz)).set(L_OP).get(res).set(L_RES).i32(SF | ZF | PF).set(L_MASK);
  e.fs = { mask: SF | ZF | PF, kind: K_LOGIC, carry: false, sz };
  e.flagsWritten = true;
}

// Shifts and rotates (asm/cpu/shift.ts): value in v, non-zero count (1..31) in c;
// leaves the result in T2 and CF, OF in T3, T4.
const ROL = 0, ROR = 1, SHL = 4, SHR = 5, SAR = 7;
function shiftCompute(e: Emitter, op: number, sz: number, v: number, c: number): void {
  const T2 = L_T + 2, T3 = L_T + 3, T4 = L_T + 4, TMP = L_T + 5; // T5 is free between memory accesses
  const m = szMask(sz) | 0, top = sz - 1;
  switch (op) {
    case SHL:
      e.get(v).get(c).i32(1).op(W.sub).op(W.shl).set(TMP);
      e.get(TMP).i32(1).op(W.shl).i32(m).op(W.and).set(T2);
      e.get(TMP).i32(top).op(W.shru).i32(1).op(W.and).set(T3);
      e.get(T2).get(TMP).i32(m).op(W.and).op(W.xor).i32(top).op(W.shru).i32(1).op(W.and).set(T4);
      return;
    case SHR:
      e.get(v).get(c).i32(1).op(W.sub).op(W.shru).set(TMP);
      e.get(TMP).i32(1).op(W.shru).set(T2);
      e.get(TMP).i32(1).op(W.and).set(T3);
      e.get(T2).get(TMP).op(W.xor).i32(top).op(W.shru).i32(1).op(W.and).set(T4);
      return;
    case SAR:
      e.get(v); if (sz === 16) e.op(W.ext16s); else if (sz === 8) e.op(W.ext8s);
      e.get(c).i32(1).op(W.sub).op(W.shrs).set(TMP);
      e.get(TMP).i32(1).op(W.shrs).i32(m).op(W.and).set(T2);
      e.get(TMP).i32(1).op(W.and).set(T3);
      e.get(T2).get(TMP).i32(m).op(W.and).op(W.xor).i32(top).op(W.shru).i32(1).op(W.and).set(T4);
      return;
    case ROL: case ROR: {
      if (sz === 32) e.get(v).get(c).op(op === ROL ? W.rotl : W.rotr).set(T2);
      else {
        // n = count mod width; (w - n) & top makes n = 0 give v | v
        const n = TMP;
        e.get(c).i32(top).op(W.and).set(n);
        const l = op === ROL ? W.shl : W.shru, r = op === ROL ? W.shru : W.shl;
        e.get(v).get(n).op(l).get(v).i32(sz).get(n).op(W.sub).i32(top).op(W.and).op(r).op(W.or).i32(m).op(W.and).set(T2);
      }
      if (op === ROL) {
        e.get(T2).i32(1).op(W.and).set(T3);
        e.get(T2).i32(top).op(W.shru).get(T2).op(W.xor).i32(1).op(W.and).set(T4);
      } else {
        e.get(T2).i32(top).op(W.shru).i32(1).op(W.and).set(T3);
        e.get(T2).i32(top).op(W.shru).get(T2).i32(top - 1).op(W.shru).op(W.xor).i32(1).op(W.and).set(T4);
      }
      return;
    }
  }
}
function shiftFlags(e: Emitter, op: number, sz: number): void {
  const T2 = L_T + 2, T3 = L_T + 3, T4 = L_T + 4;
  if (op === ROL || op === ROR) {
    // CF and OF only; the other flags keep their state (lazy or not)
    e.get(L_EFL).i32(~(CF | OF)).op(W.and).get(T3).op(W.or).get(T4).i32(11).op(W.shl).op(W.or).set(L_EFL);
    e.get(L_MASK).i32(~(CF | OF)).op(W.and).set(L_MASK);
    e.fs = { ...e.fs, mask: e.fs.mask === null ? null : e.fs.mask & ~(CF | OF) };
    e.flagsWritten = true;
    return;
  }
  e.get(L_EFL).i32(~(CF | OF | AF)).op(W.and).get(T3).op(W.or).get(T4).i32(11).op(W.shl).op(W.or).set(L_EFL);
  e.i32((K_LOGIC << 2) | szCode(sz)).set(L_OP).get(T2).set(L_RES).i32(SF | ZF | PF).set(L_MASK);
  e.fs = { mask: SF | ZF | PF, kind: K_LOGIC, carry: false, sz };
  e.flagsWritten = true;
}

/** A module importing the memory and the helpers, exporting function "b". */
function moduleBytes(body: number[]): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, content: number[]) => { out.push(id); uleb(out, content.length); out.push(...content); };
  const str = (s: string) => { const r: number[] = []; uleb(r, s.length); for (const ch of s) r.push(ch.charCodeAt(0)); return r; };
  const FUNC = 0x60;
  // types: 0 (i32)->i32, 1 (i32,i32)->i32, 2 (i32,i32,i32)->i32
  section(1, [3, FUNC, 1, I32, 1, I32, FUNC, 2, I32, I32, 1, I32, FUNC, 3, I32, I32, I32, 1, I32]);
  const imp: number[] = [9];
  imp.push(...str("m"), ...str("mem"), 0x02, 0x00, 0x00);
  ["rd8", "rd16", "rd32"].forEach((n) => imp.push(...str("f"), ...str(n), 0x00, 1));
  ["wr8", "wr16", "wr32"].forEach((n) => imp.push(...str("f"), ...str(n), 0x00, 2));
  imp.push(...str("f"), ...str("testcc"), 0x00, 0);
  imp.push(...str("f"), ...str("chain"), 0x00, 1);
  section(2, imp);
  section(3, [1, 0]);
  section(7, [1, ...str("b"), 0x00, 8]);
  const fn: number[] = [2];
  uleb(fn, N_I32_LOCALS); fn.push(I32);
  fn.push(1, I64);
  fn.push(...body);
  const code: number[] = [1];
  uleb(code, fn.length);
  code.push(...fn);
  section(10, code);
  return new Uint8Array(out);
}

/** Whether this engine has wasm tail calls (block chaining needs them). */
function tailCalls(): boolean {
  // (import "m" "f" (func (param i32) (result i32))) (func (param i32) (result i32) local.get 0 return_call 0)
  const probe = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 1, 0x60, 1, I32, 1, I32, 2, 7, 1, 1, 0x6d, 1, 0x66, 0, 0,
    3, 2, 1, 0, 10, 8, 1, 6, 0, 0x20, 0, 0x12, 0, 0x0b];
  try { new WebAssembly.Module(new Uint8Array(probe)); return true; } catch { return false; }
}

/** The host side of translation for one machine: compiles blocks on request and
 *  manages the function-table slots they occupy. */
export class Translator {
  private readonly free: number[] = [];
  private readonly imports: WebAssembly.Imports;
  private readonly addr: Omit<Addr, "host">;
  /** Blocks translated, starts declined, translations dropped, and the time
   *  spent translating, so far (for tools and tests). */
  readonly stats = { blocks: 0, declined: 0, released: 0, wasmBytes: 0, compileMs: 0 };

  constructor(private readonly memory: WebAssembly.Memory, private readonly core: JitCoreExports) {
    this.addr = { words: core.layoutJit(0), tlb: core.layoutJit(1), cache: core.layoutJit(2), chain: tailCalls() };
    this.imports = {
      m: { mem: memory },
      f: {
        rd8: core.jitRd8, rd16: core.jitRd16, rd32: core.jitRd32,
        wr8: core.jitWr8, wr16: core.jitWr16, wr32: core.jitWr32, testcc: core.jitTestCC, chain: core.jitChain,
      },
    };
  }

  /** env.jitCompile: translate the code at host address `host`. */
  compile(host: number, maxLen: number, out: number): number {
    const t0 = performance.now();
    try { return this.compileBlock(host, maxLen, out); } finally { this.stats.compileMs += performance.now() - t0; }
  }
  private compileBlock(host: number, maxLen: number, out: number): number {
    const t = translate(new Uint8Array(this.memory.buffer, host, maxLen), { ...this.addr, host });
    if (!t) { this.stats.declined++; return 0; }
    const inst = new WebAssembly.Instance(new WebAssembly.Module(t.bytes), this.imports);
    const table = this.core.table;
    const idx = this.free.pop() ?? table.grow(1);
    table.set(idx, inst.exports.b as (...a: unknown[]) => unknown);
    const words = new Uint32Array(this.memory.buffer, out, 2);
    words[0] = t.insns;
    words[1] = t.len;
    this.stats.blocks++;
    this.stats.wasmBytes += t.bytes.length;
    return idx;
  }

  /** env.jitRelease: a translation was dropped; its slot may be reused. */
  release(idx: number): void {
    this.stats.released++;
    this.core.table.set(idx, null);
    this.free.push(idx);
  }
}
