// The translator's emitter: x86 state in wasm locals, and the code that reads
// and writes it - registers (partial ones included), effective addresses,
// memory operands through the TLB, lazy flags and conditions, fault exits and
// block chaining. insns.ts builds one instruction from these pieces.
//
// Memory operands check the segment's precomputed offset range and look the page
// up in the TLB in place (asm/mmu/linear.ts's fast path); anything else - a TLB
// miss, a page crossing, MMIO, a fault - leaves the block before the
// instruction for the interpreter to run it. An instruction's memory accesses
// come before it commits results, so the state is then as it was before it.
//
// The flag state is the interpreter's own (asm/cpu/flags.ts): EFLAGS, the mask
// of lazy flags and the last operation's kind, operands and result. When the
// emitter knows which operation last set the flags, a condition is computed in
// place; otherwise the state is stored and the machine's testCC answers.

import {
  OFF_EFLAGS, OFF_FLAGS_LAZY, OFF_LAZY_OP, OFF_LAZY_DST, OFF_LAZY_SRC, OFF_LAZY_RES, CPU_STATE, OFF_REGS, OFF_EIP,
  OFF_SEGS, SEG_SIZE, SEGF_BASE, SEGF_LOR, SEGF_HIR, SEGF_LOW, SEGF_HIW, OFF_CPL, S_CS,
} from "../host/cpustate";
import {
  CF, PF, ZF, SF, OF, ARITH_FLAGS, LAZY_ADD, LAZY_ADC1, LAZY_SUB, LAZY_LOGIC, SZ8, SZ16, SZ32, TLB, TLB_VALID, JIT_CACHE,
  OFF_ATTENTION, JIT_CHAINED, JIT_RETIRED, JIT_GEN, JIT_IC_TAG, JIT_IC_COUNT, BLOCK_INTERPRET, WR_FAULT, WR_CODE, SLOT_KEY, SLOT_FN, SLOT_COUNT, SLOT_LEN, SLOT_SIZE, LEN_CODE16, LEN_STACK16, SET_WAYS, SET_HASH, SET_SHIFT,
} from "./constants";
import type { Mem, RM } from "./decode";
import { W, S, VOID, I32, uleb, sleb, uleb5 } from "./wasm";

/** The machine's helpers a block imports (module "f"), in function-index order;
 *  the block function's own index follows them. Each takes `params` i32 and
 *  returns one. */
export const HELPERS = [
  { name: "testcc", params: 1 },                                                         // (cc) -> 0/1
  { name: "eflags", params: 0 },                                                         // () -> EFLAGS, none lazy
  { name: "rdtsc", params: 1 },                                                          // (retired) -> TSC low; high in JIT_TSC_HI
  { name: "chain", params: 2 },                                                          // (fn, left) -> what fn returns
  { name: "lookup", params: 2 },                                                         // (eip, left) -> fn or 0
  { name: "step", params: 1 },                                                           // (eip) -> status, as a write's
  { name: "str", params: 2 },                                                            // (eip, key) -> status: a string instruction
  { name: "exit", params: 3 },                                                           // (block, eip, entry eip) -> 0: Translator.countExits
] as const;
export type HelperName = (typeof HELPERS)[number]["name"];
const helper = (name: HelperName) => HELPERS.findIndex((h) => h.name === name);
const F_TESTCC = helper("testcc");
const F_EFLAGS = helper("eflags");
export const F_RDTSC = helper("rdtsc");
const F_CHAIN = helper("chain");
const F_LOOKUP = helper("lookup");
const F_STEP = helper("step");
const F_STR = helper("str");
export const F_EXIT = helper("exit");
/** L_CKEY of an exit whose target block is looked up when it is taken: its
 *  look-up site's number + CKEY_LOOKUP (no host address is that small). */
const CKEY_LOOKUP = 1;
/** Look-up sites with a target cache of their own (emitChain); a block's later
 *  ones share the last one's. */
export const IC_SITES = 4;
/** A site's target cache: four module globals, at 4 * site + these. */
const IC_EIP = 0, IC_TAG = 1, IC_FN = 2, IC_COUNT = 3;
export const IC_GLOBALS = 4;

// Locals: 0 is the parameter (instructions left in the budget).
export const L_LEFT = 0, L_CNT = 1, L_EIP0 = 2, L_R = 3;       // L_R..L_R+7: EAX..EDI
export const L_EFL = 11, L_MASK = 12, L_OP = 13, L_DST = 14, L_SRC = 15, L_RES = 16;
export const L_RMASK = 17, L_WMASK = 18, L_FOFF = 19, L_FK = 20, L_NEIP = 21, L_INVAL = 22;
export const L_T = 23;           // 23..28: scratch T0..T5 (T5: the TLB entry of a memory access)
export const L_OFF = 29, L_LIN = 30; // the current memory operand's offset and linear address
export const L_SEG = 31;         // 31 + 5 * seg + {0 base, 1 loR, 2 hiR, 3 loW, 4 hiW}
export const L_STATUS = 61;      // a write helper's answer
export const L_CKEY = 62, L_CSET = 63; // the exit's target block: host address, cache set (0: none)
export const L_CSLIM = 64;       // CS limit (chaining needs a flat CS)
export const N_I32_LOCALS = 64;
export const L_W = 65;           // i64 scratch
export const L_SSE = 66;         // i32: the CPU features when the SSE checks pass, else 0 (simd.ts)
export const L_V = 67, L_V2 = 68; // v128 scratch
export const L_DISP = 69;        // i32: where a branch back goes on (Emitter.back), 0 the block's start

/** A segment's fields in its locals (L_SEG + 5 * seg + index). */
export const SEG_FIELDS = [SEGF_BASE, SEGF_LOR, SEGF_HIR, SEGF_LOW, SEGF_HIW];

export const FLAG_WORDS = [OFF_EFLAGS, OFF_FLAGS_LAZY, OFF_LAZY_OP, OFF_LAZY_DST, OFF_LAZY_SRC, OFF_LAZY_RES];
export const FLAG_LOCALS = [L_EFL, L_MASK, L_OP, L_DST, L_SRC, L_RES];

/** What the translator knows about the flag state at a point in the block. */
export interface FlagState {
  mask: number | null;   // which flags are lazy (null: unknown until run time)
  kind: number;          // LAZY_ADD / LAZY_SUB (possibly with carry: see carry) / LAZY_LOGIC
  carry: boolean;        // the operation was ADC/SBB: OP says whether the carry-in was 1
  sz: number;
}

/** The block's own host address, whether it may chain to the next block, and
 *  (Translator.countExits only) its number for the exit count. */
export interface Addr {
  chain: boolean; host: number; note?: number;
  /** Translated for 16-bit code (CS.D = 0, real mode), for a 16-bit stack
   *  (SS.B = 0): the block runs only while they still are (asm/cpu/jit.ts
   *  jitMode, whose LEN_* bits `mode` holds). */
  code16?: boolean; stack16?: boolean; mode?: number;
  /** Segments (bit S_*) that were flat when the block was translated
   *  (asm/cpu/state.ts OFF_SEG_FLAT): its accesses through them leave out the
   *  base and the offset checks, and the block runs only while they still are. */
  flat?: number;
}

/** The block-cache set of a host address (asm/cpu/jit.ts setOf). */
export const cacheSet = (host: number) => JIT_CACHE + ((((Math.imul(host, SET_HASH) >>> SET_SHIFT) & ~(SET_WAYS - 1)) * SLOT_SIZE) >>> 0);

/** The lazy-flag operation word (asm/cpu/flags.ts setLazy): kind, operand size. */
export const lazyOp = (kind: number, sz: number) => (kind << 2) | szCode(sz);
/** The size code in the low bits of that word. */
export const szCode = (sz: number) => (sz === 32 ? SZ32 : sz === 16 ? SZ16 : SZ8);
/** The bit of that word that tells ADC from ADD (and SBB from SUB): a carry-in of 1. */
const OP_CARRY_IN = lazyOp(LAZY_ADC1, 8) ^ lazyOp(LAZY_ADD, 8);

export class Emitter {
  b: number[] = [];
  labels: string[] = [];
  fs: FlagState = { mask: null, kind: 0, carry: false, sz: 32 };
  regsWritten = 0;
  regsUsed = 0;       // registers the block reads (or partly writes)
  flagsWritten = false;
  flagsUsed = false;
  /** Offset and in-pass index of the instruction being emitted (for fault exits). */
  cur = { off: 0, k: 0 };
  /** Forward branches that stay in the block (translator.ts inBlockBranches):
   *  target offset -> the target's index; the code from the first branch to it
   *  up to the target is a wasm block labelled "f" + offset. */
  forward = new Map<number, number>();
  /** Backward branch targets that stay in the block (translator.ts
   *  inBlockBranches): target offset -> [its index, its number in the
   *  dispatch at the top of the block's loop]. A branch there sets L_DISP to
   *  the number and goes round the loop; the code from the target on follows
   *  the end of a wasm block labelled "b" + offset, which the dispatch leaves. */
  back = new Map<number, [number, number]>();
  /** The flag knowledge each such branch took to its target (mergeFlags). */
  private forwardFs = new Map<number, FlagState[]>();
  /** Branch to the forward target at `off` from the instruction of index `k`:
   *  L_CNT is kept so that L_CNT + the index is the count of instructions the
   *  block has run, at the target as everywhere else. */
  forwardBranch(off: number, k: number): this {
    const t = this.forward.get(off)!;
    if (k + 1 !== t) this.get(L_CNT).i32(k + 1 - t).op(W.add).set(L_CNT);
    const list = this.forwardFs.get(off) ?? [];
    list.push(this.fs);
    this.forwardFs.set(off, list);
    return this.br(`f${off}`);
  }
  /** At a dispatch target (Emitter.back), and wherever the ways in disagree:
   *  nothing is known of the flags (a condition is read from the flag locals
   *  at run time, flagAtRunTime, or asks the machine's testCC). */
  unknownFlags(): void { this.fs = { mask: null, kind: LAZY_LOGIC, carry: false, sz: 32 }; }
  /** At a forward target (its wasm block just closed): what is known of the
   *  flags is what every way there agrees on, else nothing. `fallsIn`: the
   *  instruction before it goes on to it (the target is not Insn.side). */
  mergeFlags(off: number, fallsIn: boolean): void {
    const same = (a: FlagState, b: FlagState) => a.mask === b.mask && a.kind === b.kind && a.carry === b.carry && a.sz === b.sz;
    const ways = [...(this.forwardFs.get(off) ?? []), ...(fallsIn ? [this.fs] : [])];
    if (ways.every((f) => same(f, ways[0]))) this.fs = ways[0]; else this.unknownFlags();
  }
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
  /** Global `g` of this block's own (from 0): its index in the module is
   *  patched in when the module is made (translator.ts blockModule). */
  globalGet(g: number): this { this.b.push(W.global_get); this.globalAt.push(this.b.length); uleb5(this.b, g); return this; }
  globalSet(g: number): this { this.b.push(W.global_set); this.globalAt.push(this.b.length); uleb5(this.b, g); return this; }
  /** Where in `b` the global indices to patch are (globalGet, globalSet). */
  globalAt: number[] = [];
  /** [value] -> store at constant address */
  storeAt(addr: number, l: number): this { this.b.push(W.const_, 0); this.get(l); this.b.push(W.store, 0); uleb(this.b, addr); return this; }
  /** Store the constant `v` at constant address `addr`. */
  storeConst(addr: number, v: number): this { this.b.push(W.const_, 0); this.i32(v); this.b.push(W.store, 0); uleb(this.b, addr); return this; }
  call(f: number): this { this.b.push(W.call); uleb(this.b, f); return this; }
  returnCall(f: number): this { this.b.push(W.return_call); uleb(this.b, f); return this; }
  open(kind: number, label: string, type = VOID): this { this.b.push(kind, type); this.labels.push(label); return this; }
  else_(): this { this.b.push(W.else_); return this; }
  end(): this { this.b.push(W.end); this.labels.pop(); return this; }
  br(label: string): this { this.b.push(W.br); uleb(this.b, this.depth(label)); return this; }
  /** br_table to `labels` by the value on the stack (the last one also for any larger value). */
  brTable(labels: string[]): this {
    this.b.push(W.br_table); uleb(this.b, labels.length - 1);
    for (const l of labels) uleb(this.b, this.depth(l));
    return this;
  }
  brIf(label: string): this { this.b.push(W.br_if); uleb(this.b, this.depth(label)); return this; }
  /** The branch depth of the innermost open block called `label`. */
  private depth(label: string): number {
    const at = this.labels.lastIndexOf(label);
    if (at < 0) throw new Error(`translator: branch to "${label}", which is not open`);
    return this.labels.length - 1 - at;
  }
  /** Push a small i64 constant. */
  i64(v: number): this { this.b.push(W.i64const); sleb(this.b, v); return this; }
  /** A SIMD instruction (0xFD prefix) and its immediate bytes. */
  simd(op: S, ...imm: number[]): this {
    this.b.push(0xfd); uleb(this.b, op); this.b.push(...imm);
    if (op !== S.v128load && op !== S.v128store) this.usesSimd = true;
    return this;
  }
  /** [address] -> v128 at address + offset; [address, v128] -> stored there. */
  vload(offset: number): this { this.usesSimd = true; return this.simd(S.v128load, 0).uleb(offset); }
  vstore(offset: number): this { this.usesSimd = true; return this.simd(S.v128store, 0).uleb(offset); }
  vzero(): this { return this.simd(S.v128const, ...Array<number>(16).fill(0)); }
  /** [a, b] -> bytes of a (lanes 0-15) and b (16-31) */
  shuffle(lanes: number[]): this { return this.simd(S.i8x16shuffle, ...lanes); }
  private uleb(v: number): this { uleb(this.b, v); return this; }
  /** The block uses L_SSE (wasm SIMD, or a fence's feature check): the
   *  prologue computes it (translator.ts). */
  usesSimd = false;
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
    if (m.base < 0 && m.index < 0) return this.i32(m.disp).linear(m.seg); // (a disp16 is already below 64K)
    if (m.disp) this.i32(m.disp).op(W.add);
    if (m.a16) this.i32(0xffff).op(W.and);
    return this.linear(m.seg);
  }
  /** Segments this block's code takes as flat (Addr.flat): the prologue checks
   *  that they still are (translator.ts). */
  flatUsed = 0;
  /** Whether accesses through `seg` are emitted for a flat segment. */
  private flat(seg: number): boolean {
    if (!((this.a.flat ?? 0) & (1 << seg))) return false;
    this.flatUsed |= 1 << seg;
    return true;
  }
  /** [offset] -> L_OFF = it, L_LIN = the segment's base + it (a flat segment's
   *  base is 0). */
  linear(seg: number): this {
    this.tee(L_OFF);
    if (this.flat(seg)) return this.set(L_LIN);
    return this.get(L_SEG + 5 * seg).op(W.add).set(L_LIN);
  }
  /** Push whether the access at L_OFF/L_LIN of `size` bytes may take the fast path. */
  fastCheck(seg: number, size: number, write: boolean): this { return this.accessChecks(seg, size, write, false); }
  /** Branch to label "slow" unless the access at L_OFF/L_LIN of `size` bytes
   *  may take the fast path. */
  slowUnless(seg: number, size: number, write: boolean): this { return this.accessChecks(seg, size, write, true); }
  /** The fast path's conditions: with `slow`, a br_if to "slow" for each that
   *  fails (V8 compares and branches); without, their conjunction pushed (V8
   *  computes each as a value: a setcc, a zero-extension and a test; the
   *  boot's XZ decompressor took 10-17% longer with its reads and writes
   *  checked that way: docs/PERFORMANCE.md). */
  private accessChecks(seg: number, size: number, write: boolean, slow: boolean): this {
    let conds = 0;
    const check = (ok: number, fail: number) => {
      if (slow) return this.op(fail).brIf("slow");
      this.op(ok);
      return conds++ ? this.op(W.and) : this;
    };
    // segment: lo <= off && off + size - 1 <= hi (as 33-bit numbers). A flat
    // segment allows every offset, and with base 0 the page check below keeps
    // off + size - 1 from wrapping past 4 GiB.
    if (!this.flat(seg)) {
      const lo = L_SEG + 5 * seg + (write ? 3 : 1), hi = lo + 1;
      this.get(L_OFF).get(lo); check(W.geu, W.ltu);
      this.get(L_OFF).op(W.ext64u).i64(size - 1).op(W.i64add).get(hi).op(W.ext64u); check(W.i64leu, W.i64gtu);
    }
    // TLB: (e & mask) == VALID, and the access inside the page
    this.get(L_LIN).i32(12).op(W.shru).i32(2).op(W.shl).op(W.load, 0); uleb(this.b, TLB);
    this.tee(L_T + 5).get(write ? L_WMASK : L_RMASK).op(W.and).i32(TLB_VALID); check(W.eq, W.ne);
    if (size > 1) { this.get(L_LIN).i32(0xfff).op(W.and).i32(4096 - size); check(W.leu, W.gtu); }
    return this;
  }
  hostAddr(): this { return this.get(L_T + 5).i32(~0xfff).op(W.and).get(L_LIN).op(W.add); }
  /** Before a slow memory access: JIT_RETIRED <- the instructions the chain
   *  retired before this one (JIT_CHAINED, this block's passes, its place), for
   *  a device's clock (asm/cpu/jit.ts atInstruction). */
  retired(): this {
    this.i32(0).load(W.load, JIT_CHAINED).get(L_CNT).op(W.add);
    if (this.cur.k) this.i32(this.cur.k).op(W.add);
    this.op(W.store, 0); uleb(this.b, JIT_RETIRED);
    return this;
  }
  /** The base and offset ranges of segment `seg` into its locals again, from
   *  the state (after a load of it). */
  reloadSegment(seg: number): this {
    SEG_FIELDS.forEach((f, j) => this.load(W.load, CPU_STATE + OFF_SEGS + seg * SEG_SIZE + f).set(L_SEG + 5 * seg + j));
    return this;
  }
  /** Push the value at the current memory operand. Off the fast path (a TLB
   *  miss, a page crossing, MMIO, ROM, a page of translated code, a fault to
   *  raise) the block leaves before the instruction, nothing of it done, and
   *  the interpreter runs it: a block calls no helper for its memory, so V8
   *  can keep the guest's registers in host registers through it (a call
   *  clobbers them all, and each value live across one was kept in a stack
   *  slot on the fast path too: docs/PERFORMANCE.md, "Memory off the fast
   *  path leaves the block"). */
  read(seg: number, sz: number): this {
    const size = sz >> 3;
    this.open(W.block, "", I32).open(W.block, "slow").slowUnless(seg, size, false);
    this.hostAddr().op(size === 4 ? W.load : size === 2 ? W.load16u : W.load8u, 0, 0).br("");
    this.end().interpretExit();
    return this.end();
  }
  /** Write local `l` to the current memory operand; off the fast path, as
   *  read() (a write to a page of translated code is such a case: the
   *  interpreter's write drops the page's translations). */
  write(seg: number, sz: number, l: number): this {
    const size = sz >> 3;
    this.open(W.block, "").open(W.block, "slow").slowUnless(seg, size, true);
    this.hostAddr().get(l).op(size === 4 ? W.store : size === 2 ? W.store16 : W.store8, 0, 0).br("");
    this.end().interpretExit();
    return this.end();
  }
  wroteSlow = false;
  chains = false;
  /** The exit about to be taken goes to block offset `target`: if that is on the
   *  block's page, the exit may go straight on to its translation (chaining). */
  chainTo(target: number): this {
    const host = this.a.host + target;
    if (!this.a.chain) return this;
    // 16-bit code: its EIP wraps at 64K where the host address goes on
    if (this.a.code16) return this.chainLookup();
    if ((host >>> 12) !== (this.a.host >>> 12)) return this.chainLookup();
    this.chains = true;
    return this.i32(host).set(L_CKEY).i32(cacheSet(host)).set(L_CSET);
  }
  /** The exit about to be taken goes to L_NEIP, on another page or not known
   *  until run time: the block may go on to its translation after a look-up
   *  (asm/cpu/jit.ts jitLookup: the page's mapping may differ next time). */
  chainLookup(): this {
    if (!this.a.chain) return this;
    this.chains = true;
    return this.i32(CKEY_LOOKUP + Math.min(this.lookups++, IC_SITES - 1)).set(L_CKEY);
  }
  /** Exits that look their target up (chainLookup). */
  lookups = 0;
  faultExit(): this { return this.i32(this.cur.off).set(L_FOFF).i32(this.cur.k).set(L_FK).br("fault"); }
  /** Leave before the current instruction, for the interpreter to run it (a case
   *  not translated, or a memory operand off the fast path; nothing of the
   *  instruction done yet):
   *    EIP <- its address; return retired | BLOCK_INTERPRET (no chaining) */
  interpretExit(): this {
    this.eipAt(this.cur.off).set(L_NEIP);
    return this.get(L_CNT).i32(this.cur.k | BLOCK_INTERPRET).op(W.add).set(L_CNT).br("exit");
  }

  /** The instruction at block offset `off` by the interpreter's handler
   *  (asm/cpu/jit.ts jitStep): the general registers in `gprs` stored first
   *  and those in `out` loaded after (a register the handler does not write
   *  reads back as stored), and the flag state too when it uses flags. A
   *  fault leaves the block as a faulting access does (the registers loaded
   *  first: a REP's completed iterations stay done, string.ts); a write to
   *  translated code, or an event for the run loop, makes it leave after this
   *  one. `partial`: the instruction may stop with EIP still on it (a REP at
   *  its budget, or stopped for the run loop): counted once, as the
   *  interpreter counts it, and the block leaves there. `strKey`: a string
   *  instruction, by jitStr with this key (decode.ts) instead of jitStep. */
  step(off: number, gprs: number, out: number, eflags: boolean, partial = false, strKey?: number): this {
    for (let r = 0; r < 8; r++) if (gprs & (1 << r)) this.storeAt(CPU_STATE + OFF_REGS + 4 * r, L_R + r);
    if (eflags) this.flushFlags();
    this.retired().eipAt(off);
    // string instructions: their handler without the interpreter's decoder (jitStr)
    if (strKey !== undefined) this.i32(strKey).call(F_STR); else this.call(F_STEP);
    this.set(L_STATUS);
    for (let r = 0; r < 8; r++) {
      if (out & (1 << r)) { this.load(W.load, CPU_STATE + OFF_REGS + 4 * r).set(L_R + r); this.regsWritten |= 1 << r; }
    }
    if (eflags) {
      FLAG_WORDS.forEach((w, j) => this.load(W.load, CPU_STATE + w).set(FLAG_LOCALS[j]));
      this.fs = { mask: null, kind: LAZY_LOGIC, carry: false, sz: 32 };
      this.flagsWritten = true;
    }
    this.get(L_STATUS).i32(WR_FAULT).op(W.eq).open(W.if_, "").faultExit().end();
    this.get(L_STATUS).i32(WR_CODE).op(W.eq).open(W.if_, "").i32(1).set(L_INVAL).end();
    this.wroteSlow = true;
    if (partial) {
      this.load(W.load, CPU_STATE + OFF_EIP).eipAt(off).op(W.eq).open(W.if_, "");
      this.eipAt(off).set(L_NEIP).get(L_CNT).i32(this.cur.k + 1).op(W.add).set(L_CNT).br("exit");
      this.end();
    }
    return this;
  }

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
    this.get(res).set(L_RES).i32(ARITH_FLAGS).set(L_MASK);
    this.fs = fs;
    this.flagsWritten = true;
    return this;
  }
  /** Store the flag locals (before the machine reads the flag state). */
  flushFlags(): this {
    FLAG_WORDS.forEach((w, j) => this.storeAt(CPU_STATE + w, FLAG_LOCALS[j]));
    return this;
  }
  /** Push EFLAGS with every flag computed; the flag state is then all in L_EFL
   *  (nothing lazy), here and in memory (asm/cpu/jit.ts jitEflags). */
  eflags(): this {
    this.flushFlags().call(F_EFLAGS);
    this.load(W.load, CPU_STATE + OFF_EFLAGS).set(L_EFL).i32(0).set(L_MASK);
    this.fs = { mask: 0, kind: LAZY_LOGIC, carry: false, sz: 32 };
    this.flagsWritten = true;
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
        if (fs.kind === LAZY_LOGIC) { this.i32(0); return true; }
        if (fs.kind === LAZY_ADD) {  // res < dst, or res <= dst after a carry-in
          if (fs.carry) this.get(L_OP).i32(OP_CARRY_IN).op(W.and).open(W.if_, "", I32).get(L_RES).get(L_DST).op(W.leu).else_().get(L_RES).get(L_DST).op(W.ltu).end();
          else this.get(L_RES).get(L_DST).op(W.ltu);
        } else {                  // dst < src, or dst <= src after a borrow-in
          if (fs.carry) this.get(L_OP).i32(OP_CARRY_IN).op(W.and).open(W.if_, "", I32).get(L_DST).get(L_SRC).op(W.leu).else_().get(L_DST).get(L_SRC).op(W.ltu).end();
          else this.get(L_DST).get(L_SRC).op(W.ltu);
        }
        return true;
      case ZF: this.get(L_RES).op(W.eqz); return true;
      case SF: this.get(L_RES).i32(sh).op(W.shru).i32(1).op(W.and); return true;
      case PF: this.get(L_RES).i32(0xff).op(W.and).op(W.popcnt).i32(1).op(W.and).i32(1).op(W.xor); return true;
      case OF:
        if (fs.kind === LAZY_LOGIC) { this.i32(0); return true; }
        if (fs.kind === LAZY_ADD) this.get(L_DST).get(L_RES).op(W.xor).get(L_SRC).get(L_RES).op(W.xor).op(W.and);
        else this.get(L_DST).get(L_SRC).op(W.xor).get(L_DST).get(L_RES).op(W.xor).op(W.and);
        this.i32(sh).op(W.shru).i32(1).op(W.and);
        return true;
    }
    return false;
  }
  /** Push the operand-size shift of the operation in L_OP, as it is at run
   *  time: 24, 16 or 0 for 8, 16 or 32 bits, so that values shifted by it
   *  compare as 32-bit ones (asm/cpu/flags.ts testCCInline). */
  private lazyShift(): this {
    return this.i32(0x1018).get(L_OP).i32(3).op(W.and).i32(3).op(W.shl).op(W.shru).i32(0xff).op(W.and);
  }
  /** Push flag F (CF, ZF or SF: 0/1) from the flag locals as they are at run
   *  time, where the translator does not know which operation set them (at a
   *  block's start, a loop head, a merge): what asm/cpu/flags.ts getCF, getZF
   *  and getSF compute, in place of a call to the machine's testCC. */
  private flagAtRunTime(F: number): this {
    this.get(L_MASK).i32(F).op(W.and).open(W.if_, "", I32);
    if (F === CF) {
      // L_OP >> 2 is the kind: ADD res < dst, ADC1 res <= dst, SUB dst < src,
      // SBB1 dst <= src (bit 1: a subtraction, bit 0: a carry-in), LOGIC 0.
      // Compared as i64, "a <= b" is "a < b + 1".
      const pick = (sub: number, add: number) => this.get(sub).get(add).get(L_OP).i32(8).op(W.and).op(W.select).lazyShift().op(W.shl, W.ext64u);
      pick(L_DST, L_RES);
      pick(L_SRC, L_DST).get(L_OP).i32(2).op(W.shru).i32(1).op(W.and, W.ext64u, W.i64add);
      this.op(W.i64ltu).get(L_OP).i32(LAZY_LOGIC << 2).op(W.ltu, W.and);
    } else {
      this.get(L_RES).lazyShift().op(W.shl);
      if (F === ZF) this.op(W.eqz); else this.i32(31).op(W.shru);
    }
    this.else_().get(L_EFL);
    if (F !== CF) this.i32(Math.log2(F)).op(W.shru);
    return this.i32(1).op(W.and).end();
  }
  /** Push condition `cc` (0/1). */
  cond(cc: number): this {
    const save = this.b.length;
    const fs = this.fs;
    let ok = true;
    const f = (F: number) => { if (ok) ok = this.flag(F); };
    // A CMP/SUB with every flag lazy: compare the operands directly.
    if (fs.mask === ARITH_FLAGS && fs.kind === LAZY_SUB && !fs.carry && [1, 3, 6, 7].includes(cc >> 1)) {
      const sh = 32 - fs.sz;
      const operand = (l: number) => { this.get(l); if (sh) this.i32(sh).op(W.shl); };
      operand(L_DST); operand(L_SRC);
      this.op([0, W.ltu, 0, W.leu, 0, 0, W.lts, W.les][cc >> 1]);
    } else if (fs.mask === null && cc >> 1 >= 1 && cc >> 1 <= 4) {
      // B, Z, BE, S (almost every condition read where the flags are not known)
      if (cc >> 1 === 4) this.flagAtRunTime(SF);
      else if (cc >> 1 === 2) this.flagAtRunTime(ZF);
      else { this.flagAtRunTime(CF); if (cc >> 1 === 3) this.flagAtRunTime(ZF).op(W.or); }
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

/** At an exit with a target block (L_CKEY), the state stored: go on to that
 *  block's translation directly when runCpu would call it next anyway - it is
 *  translated, one pass fits the budget, nothing needs the run loop, and CS is
 *  flat (so the target lies inside the fetch window). The instructions retired
 *  so far are added up in JIT_CHAINED, and the block tail-calls the link
 *  (translator.ts chainModule), which tail-calls the next one through the
 *  machine's function table: no frame is left behind.
 *
 *  A target known only at run time (`lookups` sites, chainLookup) is looked up
 *  (asm/cpu/jit.ts jitLookup), and each site keeps what it found in globals of
 *  the module (an inline cache): the EIP, the translation, its instruction
 *  count and a tag. The next time the site leaves to the same EIP with the tag
 *  still current (JIT_GEN | CPL) and CS flat, it goes on without the look-up
 *  and its reads of the TLB and the block cache, which were a seventh of the
 *  shell loop's profile (docs/PERFORMANCE.md, "Target caches"). */
export function emitChain(e: Emitter, lookups: number): void {
  const S = L_T, FN = L_T + 1;
  e.open(W.block, "nochain");
  e.get(L_CKEY).op(W.eqz).brIf("nochain");
  e.load(W.load, OFF_ATTENTION).brIf("nochain");
  if (lookups) {
    e.get(L_CKEY).i32(CKEY_LOOKUP + IC_SITES).op(W.ltu).open(W.if_, "found");
    const sites = Math.min(lookups, IC_SITES);
    // a wasm block per site, the outermost for the last; site j's code follows the end of its block
    if (sites > 1) {
      for (let j = sites - 1; j >= 0; j--) e.open(W.block, `site${j}`);
      e.get(L_CKEY).i32(CKEY_LOOKUP).op(W.sub).brTable([...Array(sites).keys()].map((j) => `site${j}`));
    }
    for (let j = 0; j < sites; j++) {
      if (sites > 1) e.end();
      const g = (k: number) => IC_GLOBALS * j + k;
      // the same EIP, the tag current, CS flat (base 0 and limit 4G): a
      // br_if each, as Emitter.slowUnless
      e.open(W.block, "miss");
      e.globalGet(g(IC_EIP)).get(L_NEIP).op(W.ne).brIf("miss");
      e.globalGet(g(IC_TAG)).load(W.load, JIT_GEN).load(W.load, CPU_STATE + OFF_CPL).op(W.or, W.ne).brIf("miss");
      e.get(L_CSLIM).i32(-1).op(W.ne).brIf("miss");
      e.load(W.load, CPU_STATE + OFF_SEGS + S_CS * SEG_SIZE + SEGF_BASE).brIf("miss");
      e.get(L_CNT).globalGet(g(IC_COUNT)).op(W.add).get(L_LEFT).op(W.gtu).brIf("nochain");
      e.globalGet(g(IC_FN)).set(FN).br("found");
      e.end();
      // jitLookup checks what the lines below check (and CS's limit)
      e.get(L_NEIP).get(L_LEFT).get(L_CNT).op(W.sub).call(F_LOOKUP).tee(FN).op(W.eqz).brIf("nochain");
      e.get(L_NEIP).globalSet(g(IC_EIP)).get(FN).globalSet(g(IC_FN));
      e.load(W.load, JIT_IC_TAG).globalSet(g(IC_TAG)).load(W.load, JIT_IC_COUNT).globalSet(g(IC_COUNT));
      e.br("found");
    }
    e.else_();
  }
  // the target's slot in its set (asm/cpu/jit.ts inSet)
  e.open(W.block, "slot");
  e.get(L_CSET).tee(S).op(W.load, 0, SLOT_KEY).get(L_CKEY).op(W.eq).brIf("slot");
  for (let w = 1; w < SET_WAYS - 1; w++) e.get(S).i32(SLOT_SIZE).op(W.add).tee(S).op(W.load, 0, SLOT_KEY).get(L_CKEY).op(W.eq).brIf("slot");
  e.get(S).i32(SLOT_SIZE).op(W.add).tee(S).op(W.load, 0, SLOT_KEY).get(L_CKEY).op(W.ne).brIf("nochain");
  e.end();
  e.get(S).op(W.load, 0, SLOT_FN).tee(FN).op(W.eqz).brIf("nochain");
  // translated for this code and stack size (jitLookup checks it too)
  e.get(S).op(W.load, 0, SLOT_LEN).i32(LEN_CODE16 | LEN_STACK16).op(W.and).i32(e.a.mode ?? 0).op(W.ne).brIf("nochain");
  e.get(L_CNT).get(S).op(W.load, 0, SLOT_COUNT).op(W.add).get(L_LEFT).op(W.gtu).brIf("nochain");
  e.get(L_CSLIM).i32(-1).op(W.ne).brIf("nochain");
  if (lookups) e.end();
  e.i32(0).load(W.load, JIT_CHAINED).get(L_CNT).op(W.add).op(W.store, 0); uleb(e.b, JIT_CHAINED);
  e.get(FN).get(L_LEFT).get(L_CNT).op(W.sub).returnCall(F_CHAIN); // chain(fn, left), in tail position
  e.end();
}
