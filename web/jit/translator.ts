// The block translator: turns a hot run of guest code into a wasm function
// that the machine (asm/cpu/jit.ts) calls through its function table. No DOM and
// no Node APIs: the worker and the command line both use it. This file is the
// block and module manager; below it are insns.ts (one instruction), emitter.ts
// (registers, memory, flags in wasm locals), decode.ts (x86) and wasm.ts
// (the binary encoding).
//
// A block is a run of code on one page: it ends at an unconditional branch
// (JMP, CALL, RET), at the first instruction the translator does not translate
// (the interpreter runs that one), or at the end of the page; a taken Jcc leaves
// it from the middle, and so do STI and POPF when they set IF (the run loop
// takes a waiting interrupt). It goes on past a direct JMP or CALL whose target
// is on its page (decode.ts decodeBlock), so that every byte it was built from
// is on the page whose writes drop it (asm/cpu/jit.ts jitCodeWritten). A Jcc
// or JMP back to an instruction of the block loops inside the function while
// the instruction budget lasts and nothing needs the run loop's attention (to
// the first instruction directly, to another through a dispatch at the top of
// the function's loop); a forward Jcc to one goes on inside too. In a
// case it does not translate (CLI that raises #GP, POPF that sets TF, DIV or
// IDIV that raises #DE) a block stops before the instruction and returns with
// BLOCK_INTERPRET: the interpreter runs that one.
//
// Inside the function the eight registers and the flag state live in wasm locals,
// loaded on entry and stored at every exit, so that blocks and interpreted
// instructions mix freely. When a memory access faults, the function stores the
// state as it was before that instruction and returns with the fault bit set,
// and the machine delivers the exception.
//
// A block is translated for the code and stack size in use when it grew hot
// (32-bit or 16-bit code: real mode and 16-bit protected mode; ESP or SP) and
// runs only with those (asm/cpu/jit.ts jitMode). 16-bit code's IP wraps at
// 64K: a block of it runs only where its span does not wrap, and its 16-bit
// branches wrap their targets.

import {
  SEGF_LIMIT, S_CS, R_EAX, R_ECX, R_EDX, R_ESP, OFF_REGS, OFF_EIP, OFF_CR0, OFF_CR4, OFF_SEGS, SEG_SIZE, CPU_STATE, S_SS,
} from "../host/cpustate";
import { JIT_READ_MASK, JIT_WRITE_MASK, BLOCK_FAULTED, BLOCK_INTERPRET, JIT_FEATURES, OFF_SEG_FLAT, CR0_EM, CR0_TS, CR4_OSFXSR, HOST_WAITING, LEN_CODE16, LEN_STACK16, IC_NEVER, K_STOS, K_SCAS } from "./constants";
import { decodeBlock, decodeOne, addressRegs, stringByHandler, STRING_KIND_OF, MAX_INSNS, type Insn, SHIFT_SHL, SHIFT_SHR, SHIFT_SAR, SHIFT_ROL, SHIFT_ROR } from "./decode";
import {
  Emitter, emitChain, IC_SITES, IC_GLOBALS, F_EXIT, type Addr, HELPERS, type HelperName, FLAG_WORDS, FLAG_LOCALS, N_I32_LOCALS,
  L_R, L_EIP0, L_RMASK, L_WMASK, L_CSLIM, L_SEG, L_CNT, L_NEIP, L_INVAL, L_FOFF, L_FK, L_SSE, L_DISP,
} from "./emitter";
import { emitInsn } from "./insns";
import type { CompileChannel, CompileReply } from "./compilework";
import { W, VOID, I32, I64, V128, uleb, tailCalls, name, PREAMBLE, Section, FUNC_TYPE, Extern, LIMITS_MIN, FUNCREF, MUT, read5, write5 } from "./wasm";

/** What the machine exports for translated code (asm/index.ts). */
export interface JitCoreExports {
  table: WebAssembly.Table;
  jitTestCC(cc: number): number;
  jitEflags(): number;
  jitRdtsc(retired: number): number;
  jitChain(fn: number, left: number): number;
  jitLookup(eip: number, left: number): number;
  jitStep(eip: number): number;
  jitStr(eip: number, key: number): number;
  jitInstall(host: number, ticket: number, fn: number, insns: number, len: number): number;
  setTranslation(on: number): void;
  dropTranslations(): void;
}

/** Instructions that use SS without a memory operand that names it. */
const STACK_OPS = new Set(["push", "pop", "pushI", "pushE", "pushS", "call", "callE", "ret", "leave", "pushf", "popf"]);

/** Instructions with a memory operand that a block may run by the
 *  interpreter's handler instead (byHandler): their operands are in the
 *  ModRM, and they do not branch; and the string instructions of one
 *  element (decode.ts STRING_KIND_OF). */
const BY_HANDLER_OK = new Set(["alu", "test", "movEG", "movGE", "movEI", "movES", "movzx", "movsx", "inc", "dec", "not", "neg",
  "shift", "shiftCL", "shiftd", "shiftdCL", "mul", "imul1", "imul2", "imul3", "div", "idiv", "bt", "btI", "bsf", "bsr",
  "cmov", "setcc", "xchg", "xadd", "cmpxchg", "pushE"]);
const byHandlerOk = (i: Insn | undefined) => !!i?.rm?.mem && (BY_HANDLER_OK.has(i.op) || STRING_KIND_OF[i.op] !== undefined);
/** Of those, the ones that neither read nor write the flags. */
const FLAGLESS = new Set(["movEG", "movGE", "movEI", "movES", "movzx", "movsx", "xchg", "not", "pushE"]);
/** Instruction `i` by the interpreter's handler (emitter.ts step): the
 *  registers it may use stored before and loaded after (its address's, its
 *  ModRM.reg, and the fixed ones of MUL, DIV, CMPXCHG, shifts by CL and PUSH),
 *  and the flags unless it is a move. */
function byHandler(i: Insn): Insn {
  // MOVS, STOS, LODS, CMPS, SCAS of one element: by jitStr, as with REP
  const kind = STRING_KIND_OF[i.op];
  if (kind !== undefined) {
    const m = i.rm!.mem!;
    return { ...stringByHandler(kind, i.sz, 0, kind === K_STOS || kind === K_SCAS ? -1 : m.seg, m.a16 === true, i.off, i.len), side: i.side };
  }
  let gprs = addressRegs(i.rm!.mem!);
  if (i.reg !== undefined && i.op !== "movES") gprs |= 1 << i.reg;
  if (i.op === "mul" || i.op === "imul1" || i.op === "div" || i.op === "idiv" || i.op === "cmpxchg") gprs |= (1 << R_EAX) | (1 << R_EDX);
  if (i.op === "shiftCL" || i.op === "shiftdCL") gprs |= 1 << R_ECX;
  if (i.op === "pushE") gprs |= 1 << R_ESP;
  return { op: "interp", sz: i.sz, rm: i.rm, off: i.off, len: i.len, side: i.side, gprs, gprsOut: gprs, eflags: !FLAGLESS.has(i.op) };
}

/** The instruction at code[start] when it crosses the page's end (`code`
 *  reaches it) and the bytes on this page decide what it is: the opcode,
 *  ModRM and SIB, so that only a displacement or immediate lies on the next
 *  page (decoded with those bytes as 00h and as FFh, it is the same
 *  instruction but for them). Such a start was declined, and the run loop
 *  interpreted it every time (the shell loop has one it reaches 89,000 times
 *  a run: docs/PERFORMANCE.md). As a block of its own it runs by the
 *  interpreter's handler, which fetches across the page itself (its mapping,
 *  a #PF, the CS limit), and the block looks up the next one; only
 *  instructions byHandler can run are taken, and no branch. The bytes on the
 *  next page may change without this block being dropped: the handler reads
 *  them each time, and what they are cannot change the instruction's kind.
 *  32-bit code only (in 16-bit code the IP after it may wrap at 64K). */
function acrossPage(code: Uint8Array, start: number): Insn | undefined {
  const have = code.length - start;
  if (code.length !== 4096 || have >= 15) return undefined;
  const padded = (fill: number) => { const b = new Uint8Array(16).fill(fill); b.set(code.subarray(start)); return decodeOne(b, 0); };
  const i = padded(0x00), j = padded(0xff);
  if (!i || !j || i.len <= have || !(BY_HANDLER_OK.has(i.op) || i.op === "lea")) return undefined;
  const shape = (x: Insn) => JSON.stringify([x.op, x.sz, x.reg, x.sub, x.form, x.len, x.dst, x.rm?.reg,
    x.rm?.mem && { ...x.rm.mem, disp: 0 }]);
  if (shape(i) !== shape(j)) return undefined;
  return { op: "interp", sz: i.sz, off: 0, len: i.len, gprs: 0xff, gprsOut: 0xff, eflags: !FLAGLESS.has(i.op) };
}

/** Translate the block at code[start] (`code` is its page up to the page end or
 *  the CS limit) into a wasm function (`fn`, its body; blockModule makes a module
 *  of such functions).
 *  `len` is the extent of its bytes after its start, which must lie inside the
 *  fetch window whenever it runs; `mode` the LEN_* bits it was translated for
 *  (Addr.mode). */
export interface Translation {
  fn: Uint8Array; insns: number; len: number; mode: number; ends: string;
  /** Its own mutable i32 globals (emitChain's target caches), numbered from 0
   *  in `fn` at the positions `globalAt` (Emitter.globalGet); blockModule
   *  gives each block of a module its own. */
  globals: number; globalAt: number[];
}
export function translate(code: Uint8Array, a: Addr, start = 0, mmio?: ReadonlySet<number>): Translation | undefined {
  const insns = decodeBlock(code, start, a.code16);
  if (insns.length === 0) {
    // a start whose instruction crosses the page's end: that one by its handler
    const i = a.code16 ? undefined : acrossPage(code, start);
    if (!i) return undefined;
    insns.push(i);
  }
  // `mmio`: host addresses of instructions that kept reaching a device
  // (Translator.mmioSite); they run by their handler, the block going on after
  // them, instead of leaving it each time.
  if (mmio?.size) insns.forEach((i, k) => { if (byHandlerOk(i) && mmio.has(a.host + i.off)) insns[k] = byHandler(i); });
  markDeadFlags(insns);
  // A segment the block loads is not taken as flat anywhere in it (a loop may
  // come back to code before the load): its accesses use its locals, which
  // the load refreshes.
  const loaded = insns.reduce((m, i) => (i.op === "segLoad" ? m | (1 << i.reg!) : m), 0);
  if (loaded & (a.flat ?? 0)) a = { ...a, flat: (a.flat ?? 0) & ~loaded };
  const e = new Emitter(a);
  const last = insns[insns.length - 1];
  const endOff = last.off + last.len;
  const extent = Math.max(...insns.map((i) => i.off + i.len));
  // Which segments are used, and whether memory is read or written at all.
  const segs = new Set<number>();
  for (const i of insns) {
    if (i.rm?.mem) segs.add(i.rm.mem.seg);
    if (STACK_OPS.has(i.op)) segs.add(S_SS);
    if (i.dst) segs.add(i.dst.seg);
  }

  // body first (it tells which registers and flags are written), prologue after
  const body = new Emitter(a);
  body.labels = ["fault", "exit", "loop"];
  const n = insns.length;
  const { opens, closes } = inBlockBranches(insns, body);
  // The dispatch for branches back (Emitter.back): a wasm block per target,
  // the outermost for the last, each ending where its target's code begins;
  // L_DISP picks the one to leave (0: the innermost, the block's start).
  const backs = [...body.back]; // by number, 1.. (inBlockBranches fills it in that order)
  if (backs.length) {
    for (const [off] of [...backs].reverse()) body.open(W.block, `b${off}`);
    body.open(W.block, "b-start");
    body.get(L_DISP).brTable(["b-start", ...backs.map(([off]) => `b${off}`)]);
    body.end();
  }
  const backAt = new Map(backs.map(([off, [t]]) => [t, off]));
  insns.forEach((ins, k) => {
    for (const off of closes.get(k) ?? []) { body.end(); body.mergeFlags(off, !ins.side); }
    if (backAt.has(k)) { body.end(); body.unknownFlags(); }
    for (const off of opens.get(k) ?? []) body.open(W.block, `f${off}`);
    body.cur = { off: ins.off, k };
    body.wroteSlow = false;
    emitInsn(body, ins, k, n, extent);
    if (body.wroteSlow && k < n - 1) {
      // a write hit translated code (maybe this block): leave after this instruction
      body.get(L_INVAL).open(W.if_, "").eipAt(ins.follow ?? ins.off + ins.len).set(L_NEIP);
      body.get(L_CNT).i32(k + 1).op(W.add).set(L_CNT).br("exit").end();
    }
  });
  // (decodeBlock follows no JMP or CALL as the block's last instruction)
  const lastOp = last.op;
  const endsInBranch = ["jcc", "loop", "jmp", "call", "ret", "callE", "jmpE"].includes(lastOp);
  if (!endsInBranch) {
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
    e.i32(0).op(W.load, 0); uleb(e.b, JIT_READ_MASK); e.set(L_RMASK);
    e.i32(0).op(W.load, 0); uleb(e.b, JIT_WRITE_MASK); e.set(L_WMASK);
  }
  if (body.chains) { e.i32(0).op(W.load, 0); uleb(e.b, CPU_STATE + OFF_SEGS + S_CS * SEG_SIZE + SEGF_LIMIT); e.set(L_CSLIM); }
  if (body.usesSimd) {
    // simd.ts: L_SSE = CR0.EM = CR0.TS = 0 and CR4.OSFXSR = 1 ? the features : 0
    e.load(W.load, JIT_FEATURES).i32(0);
    e.load(W.load, CPU_STATE + OFF_CR0).i32(CR0_EM | CR0_TS).op(W.and).op(W.eqz);
    e.load(W.load, CPU_STATE + OFF_CR4).i32(CR4_OSFXSR).op(W.and).i32(0).op(W.ne).op(W.and);
    e.op(W.select).set(L_SSE);
  }
  for (const s of segs) {
    if (body.flatUsed & (1 << s)) continue; // flat: no base, no range checks
    e.reloadSegment(s);
  }
  e.op(W.block, VOID, W.block, VOID);
  if (a.code16) {
    // 16-bit code: from its lowest offset to its extent, the block's EIPs must
    // not wrap at 64K (EIP0 + lowest >= 0, EIP0 + extent <= 64K); where they
    // would, the interpreter runs its first instruction.
    const lowest = Math.min(...insns.map((i) => i.off));
    e.eipAt(lowest).i32(0x10000 - (extent - lowest)).op(W.gtu);
    e.op(W.if_, VOID).eipAt(0).set(L_NEIP).i32(BLOCK_INTERPRET).set(L_CNT).op(W.br, 1, W.end);
  }
  if (body.flatUsed) {
    // The segments taken as flat must still be; if one is not, the interpreter
    // runs the first instruction (this start stays translated for when they are).
    e.load(W.load, OFF_SEG_FLAT).i32(body.flatUsed).op(W.and).i32(body.flatUsed).op(W.ne);
    e.op(W.if_, VOID).eipAt(0).set(L_NEIP).i32(BLOCK_INTERPRET).set(L_CNT).op(W.br, 1, W.end);
  }
  e.op(W.loop, VOID);
  // the function is the prologue, the body, and what follows (functionBody joins them)
  const prologue = e.b;
  e.b = [];
  e.op(W.end, W.end); // loop, exit block
  const storeState = () => {
    for (let r = 0; r < 8; r++) if (body.regsWritten & (1 << r)) e.storeAt(CPU_STATE + OFF_REGS + 4 * r, L_R + r);
    if (body.flagsWritten) FLAG_WORDS.forEach((w, j) => e.storeAt(CPU_STATE + w, FLAG_LOCALS[j]));
  };
  storeState();
  e.storeAt(CPU_STATE + OFF_EIP, L_NEIP);
  if (body.chains) emitChain(e, body.lookups);
  // not chained: back to the run loop (counted only under Translator.countExits)
  if (a.note !== undefined) e.i32(a.note).get(L_NEIP).get(L_EIP0).call(F_EXIT).op(W.drop);
  e.get(L_CNT).op(W.return_);
  e.op(W.end); // fault block
  storeState();
  e.i32(0).eipAt(0).get(L_FOFF).op(W.add).op(W.store, 0); uleb(e.b, CPU_STATE + OFF_EIP);
  e.get(L_CNT).get(L_FK).op(W.add).i32(BLOCK_FAULTED).op(W.or);
  e.op(W.end);
  // What ended the block: its last instruction's kind, or the page's end, or
  // its way falling into code it already holds (decodeBlock), or the first
  // bytes of the instruction the translator does not take.
  const ends = endsInBranch ? lastOp
    : start + endOff >= code.length ? "page end" : n >= MAX_INSNS ? "length"
    : insns.some((i) => i.off <= endOff && endOff < i.off + i.len) ? "joins its own code"
    : "untranslated " + [...code.subarray(start + endOff, Math.min(code.length, start + endOff + 3))].map((x) => x.toString(16).padStart(2, "0")).join(" ");
  const at = LOCALS.length + prologue.length + body.b.length;
  return {
    // (of a start across the page, its bytes on this page: acrossPage)
    fn: functionBody([prologue, body.b, e.b]), insns: n, len: Math.min(extent, code.length - start), mode: a.mode ?? 0, ends,
    globals: Math.min(body.lookups, IC_SITES) * IC_GLOBALS, globalAt: e.globalAt.map((p) => at + p),
  };
}

/** Flags that nothing can see (Insn.deadFlags). The eager part of an
 *  instruction's flags - CF and OF of a shift, rotate or multiply, the CF that
 *  INC and DEC keep - goes into the EFLAGS local's bits, where V8 cannot tell
 *  that a later ADD or CMP makes them dead (the local's other bits stay live).
 *  They are dead when a later instruction of the block writes all six
 *  arithmetic flags and reads none, and nothing from the writer to it can see
 *  them: every instruction between (and that one) only moves registers, takes
 *  no memory operand (whose miss would leave the block and store the flags),
 *  and goes on to the next. The writer itself may read memory (a miss leaves
 *  before it, when its flags are not yet written); one that writes memory is
 *  left as it is.
 *  emitInsn then leaves that part out, and the flag state in the locals stays
 *  what it was (Emitter.fs too): the later instruction replaces it all. */
export function markDeadFlags(insns: Insn[]): void {
  const regOnly = (i: Insn) => !i.rm?.mem && !i.dst;
  const shifts = [SHIFT_SHL, SHIFT_SHR, SHIFT_SAR];
  // writes all six arithmetic flags, reads none, no memory operand
  const overwrites = (i: Insn) => regOnly(i) && (
    (i.op === "alu" && i.sub !== 2 && i.sub !== 3) || i.op === "test" || i.op === "neg"
    || (i.op === "shift" && shifts.includes(i.sub!) && i.imm! !== 0)
    || i.op === "imul2" || i.op === "imul3" || i.op === "mul" || i.op === "imul1");
  // moves registers only: no flags, no memory, no exit
  const neutral = (i: Insn) => i.op === "lea" || i.op === "nop" || i.op === "bswap" || i.op === "cbw" || i.op === "cwd"
    || (regOnly(i) && ["movGE", "movEG", "movEI", "movzx", "movsx", "not", "xchg"].includes(i.op));
  // has eager flag work to leave out, and writes no memory
  const writer = (i: Insn) => (regOnly(i) && (i.op === "inc" || i.op === "dec"
    || ((i.op === "shift" || i.op === "shiftCL") && [...shifts, SHIFT_ROL, SHIFT_ROR].includes(i.sub!))))
    || i.op === "imul2" || i.op === "imul3" || i.op === "mul" || i.op === "imul1";
  for (let k = 0; k < insns.length; k++) {
    if (!writer(insns[k])) continue;
    for (let j = k + 1; j < insns.length && !insns[j].side; j++) {
      if (overwrites(insns[j])) { insns[k].deadFlags = true; break; }
      if (!neutral(insns[j])) break;
    }
  }
}

/** The branches that go on inside the block instead of leaving it: a Jcc or
 *  JMP back to one of its instructions, and a Jcc forward to a later one
 *  (later on the way it was decoded, so the code from there on is the
 *  target's). Forward targets whose ranges nest skip to a wasm block's end;
 *  the others go through the dispatch (Emitter.back). Fills body.forward and
 *  body.back; returns, by instruction index, the forward targets (offsets)
 *  whose wasm block opens before that instruction (the outer first) and those
 *  that close there (the inner first). */
function inBlockBranches(insns: Insn[], body: Emitter): { opens: Map<number, number[]>; closes: Map<number, number[]> } {
  const index = new Map(insns.map((ins, k) => [ins.off, k]));
  // Branches back (a Jcc, or a JMP the block did not follow) to an instruction
  // of the block other than its first: each target gets a place in the
  // dispatch at the top of the block's loop, whose wasm blocks all open
  // before the first instruction and close at their targets. Forward Jcc
  // targets get a wasm block from the first such Jcc up to them.
  const backIdx = new Set<number>();
  insns.forEach((ins, k) => {
    const t = (ins.op === "jcc" || ins.op === "loop" || (ins.op === "jmp" && ins.follow === undefined)) ? index.get(ins.rel!) : undefined;
    if (t !== undefined && t > 0 && t <= k) backIdx.add(t);
  });
  const first = new Map<number, number>(); // target index -> first Jcc index
  insns.forEach((ins, k) => {
    const t = ins.op === "jcc" || ins.op === "loop" ? index.get(ins.rel!) : undefined;
    if (t !== undefined && t > k && !first.has(t)) first.set(t, k);
  });
  // The other forward ranges must nest with each other, and hold no dispatch
  // target inside (its wasm block, opened first, could not end there). A
  // range that does not goes through the dispatch as well; that may leave
  // another holding its target, so until nothing changes.
  let taken: { s: number; t: number }[] = [];
  for (let again = true; again;) {
    again = false;
    taken = [];
    for (const [t, s] of [...first].sort((x, y) => x[1] - y[1] || y[0] - x[0])) {
      if (backIdx.has(t)) continue;
      if ([...backIdx].some((b) => s < b && b < t) ||
        taken.some((r) => (r.s < s && s < r.t && r.t < t) || (s < r.s && r.s < t && t < r.t))) { backIdx.add(t); again = true; continue; }
      taken.push({ s, t });
    }
  }
  [...backIdx].sort((x, y) => x - y).forEach((t, j) => body.back.set(insns[t].off, [t, j + 1]));
  const opens = new Map<number, number[]>(), closes = new Map<number, number[]>();
  const add = (m: Map<number, number[]>, k: number, off: number) => m.set(k, [...(m.get(k) ?? []), off]);
  for (const r of [...taken].sort((x, y) => y.t - x.t)) add(opens, r.s, insns[r.t].off);
  for (const r of [...taken].sort((x, y) => y.s - x.s)) add(closes, r.t, insns[r.t].off);
  for (const r of taken) body.forward.set(insns[r.t].off, r.t);
  return { opens, closes };
}

/** Translator.countExits: per block, what ended it and how often it returned to
 *  the run loop; chained entries; run-time look-ups (those the exit's target
 *  cache did not answer, emitter.ts emitChain) and how many found a block. */
export interface ExitStats {
  blocks: { host: number; ends: string; insns: number; exits: number;
    /** Where its exits went, how many times: "+1f" (the EIP they left for
     *  is that many bytes, hex, past the EIP the block was entered at; "-"
     *  before it) within a page, else "EIP 0806bd60". */
    to: Map<string, number> }[];
  chains: number;
  lookups: number;
  lookupHits: number;
  /** Look-ups that found no block, by target EIP. */
  lookupMisses: Map<number, number>;
}

/** The sections before the functions (types, imports): the same for every
 *  module, so made once. */
let moduleHead: Uint8Array | undefined;
function makeModuleHead(): Uint8Array {
  const out: number[] = [...PREAMBLE];
  const section = (id: Section, content: number[]) => { out.push(id); uleb(out, content.length); out.push(...content); };
  // types: n i32 -> i32 is type n, for n = 0..3; the block function is (i32)->i32
  const types: number[] = [4];
  for (let n = 0; n <= 3; n++) types.push(FUNC_TYPE, n, ...Array<number>(n).fill(I32), 1, I32);
  section(Section.type, types);
  const imp: number[] = [1 + HELPERS.length];
  imp.push(...name("m"), ...name("mem"), Extern.memory, LIMITS_MIN, 0);
  for (const h of HELPERS) imp.push(...name("f"), ...name(h.name), Extern.func, h.params);
  section(Section.import, imp);
  return new Uint8Array(out);
}
/** The link that chained blocks tail-call (emitter.ts emitChain, the helper
 *  "chain"): (fn, left) -> return_call_indirect fn(left) through the machine's
 *  function table, which this one small module imports. A chain then adds no
 *  frame however long it runs (asm/cpu/jit.ts jitChain, which calls the next
 *  block and returns, serves Translator.countExits). The blocks cannot do this
 *  themselves: with the table imported by thousands of block instances, each
 *  table.set costs V8 about 3000 times as much (docs/PERFORMANCE.md). */
function chainModule(): Uint8Array<ArrayBuffer> {
  const out: number[] = [...PREAMBLE];
  const section = (id: Section, content: number[]) => { out.push(id); uleb(out, content.length); out.push(...content); };
  // type 0: the block function (i32)->i32; type 1: the link (i32 i32)->i32
  section(Section.type, [2, FUNC_TYPE, 1, I32, 1, I32, FUNC_TYPE, 2, I32, I32, 1, I32]);
  section(Section.import, [1, ...name("m"), ...name("t"), Extern.table, FUNCREF, LIMITS_MIN, 0]);
  section(Section.function, [1, 1]);
  section(Section.export, [1, ...name("chain"), Extern.func, 0]);
  // (local.get 1) (local.get 0) (return_call_indirect (type 0) (table 0))
  const body = [0, W.get, 1, W.get, 0, W.return_call_indirect, 0, 0, W.end];
  section(Section.code, [1, body.length, ...body]);
  return new Uint8Array(out);
}

/** The function's local declarations: the i32 ones, one i64, one i32 (L_SSE),
 *  two v128 (L_V, L_V2), one i32 (L_DISP). */
const LOCALS: number[] = [5];
uleb(LOCALS, N_I32_LOCALS); LOCALS.push(I32, 1, I64, 1, I32, 2, V128, 1, I32);

/** A block function's body (its locals, then the code `parts` one after the other). */
function functionBody(parts: number[][]): Uint8Array {
  let n = LOCALS.length;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  out.set(LOCALS);
  let o = LOCALS.length;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** A module importing the memory and the helpers, with the block functions
 *  of `blocks` (translate's), exported as "0", "1", ... in that order, and
 *  each block's globals (Translation.globals) after the blocks before it.
 *  `names`: a name per block, put in the module's name section (the core
 *  spec's appendix on custom sections) for V8's CPU profiles, which otherwise
 *  call every block wasm-function[n]. */
export function blockModule(blocks: Pick<Translation, "fn" | "globals" | "globalAt">[], names?: string[]): Uint8Array<ArrayBuffer> {
  const head = moduleHead ??= makeModuleHead();
  const funcs: number[] = [], exps: number[] = [], code: number[] = [], globals: number[] = [];
  uleb(funcs, blocks.length); uleb(exps, blocks.length); uleb(code, blocks.length);
  let nGlobals = 0;
  const fns = blocks.map((t) => {
    if (!t.globals) return t.fn;
    const fn = t.fn.slice();
    for (const p of t.globalAt) write5(fn, p, nGlobals + read5(fn, p));
    nGlobals += t.globals;
    return fn;
  });
  // each a mutable i32, first IC_NEVER (as a target cache's tag it never matches)
  uleb(globals, nGlobals);
  for (let g = 0; g < nGlobals; g++) globals.push(I32, MUT, W.const_, IC_NEVER, W.end);
  const fnSizes = fns.map((f, i) => {
    funcs.push(1); // of type 1
    exps.push(...name(String(i)), Extern.func); uleb(exps, HELPERS.length + i); // after the imported functions
    const b: number[] = []; uleb(b, f.length); return b;
  });
  let codeSize = code.length;
  fns.forEach((f, i) => { codeSize += fnSizes[i].length + f.length; });
  const sectionSize = (n: number) => { const b: number[] = []; uleb(b, n); return b; };
  const heads = [[Section.function, ...sectionSize(funcs.length), ...funcs],
    ...(nGlobals ? [[Section.global, ...sectionSize(globals.length), ...globals]] : []),
    [Section.export, ...sectionSize(exps.length), ...exps],
    [Section.code, ...sectionSize(codeSize), ...code]];
  // custom sections go after the code section
  const tail: number[] = [];
  if (names) {
    const fnNames: number[] = [];
    uleb(fnNames, names.length);
    names.forEach((n, i) => { uleb(fnNames, HELPERS.length + i); fnNames.push(...name(n)); });
    const body = [...name("name"), 1, ...sectionSize(fnNames.length), ...fnNames]; // subsection 1: function names
    tail.push(0, ...sectionSize(body.length), ...body);
  }
  const out = new Uint8Array(head.length + heads.reduce((n, h) => n + h.length, 0) + codeSize - code.length + tail.length);
  out.set(head);
  let o = head.length;
  for (const h of heads) { out.set(h, o); o += h.length; }
  fns.forEach((f, i) => { out.set(fnSizes[i], o); o += fnSizes[i].length; out.set(f, o); o += f.length; });
  out.set(tail, o);
  return out;
}

/** chainModule's link for `table`. */
function linkThrough(table: WebAssembly.Table): (fn: number, left: number) => number {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(chainModule()), { m: { t: table } });
  return inst.exports.chain as (fn: number, left: number) => number;
}

/** translate's block at `host`, for `mode` (asm/cpu/jit.ts jitMode) and the
 *  segments `flat` (OFF_SEG_FLAT); `code` is its page from the page's start,
 *  up to the last byte the block may use. */
export function translateCode(code: Uint8Array, host: number, mode: number, flat: number, chain: boolean,
  mmio: ReadonlySet<number>, note?: number): Translation | undefined {
  return translate(code, { chain, host, note, flat, mode, code16: (mode & LEN_CODE16) !== 0, stack16: (mode & LEN_STACK16) !== 0 },
    host & 0xfff, mmio);
}

/** The host side of translation for one machine: compiles blocks on request and
 *  manages the function-table slots they occupy. */
export class Translator {
  /** The default budget (Translator.budget), in function bytes: twice what
   *  the default guest's boot and the bench's workload install (8.2 MiB in
   *  2440 blocks, holding about 44 MiB of the process's resident memory:
   *  docs/PERFORMANCE.md). */
  static readonly BUDGET = 16 << 20;
  private readonly free: number[] = [];
  private readonly imports: WebAssembly.Imports;
  /** Whether blocks may go straight on to the next (chaining needs tail calls). */
  private readonly chain = tailCalls();
  /** Blocks translated, starts declined, translations dropped, and the time
   *  spent translating, so far (for tools and tests); the modules that held
   *  the blocks, and the translations that waited for a module while their
   *  start was dropped (code written, the cache slot reused) and so were never installed. */
  readonly stats = { blocks: 0, declined: 0, released: 0, wasmBytes: 0, compileMs: 0, failed: 0, modules: 0, stale: 0, drops: 0, mmioSites: 0,
    /** Blocks sent to the compile worker, and its time (ms) translating and compiling them;
     *  blocks translated on this thread all the same (`here`: a start that ran on while
     *  its answer had not come, asm/cpu/jit.ts jitRun; or any, with a threshold under 1000). */
    requested: 0, workerMs: 0, here: 0 };
  /** The function bytes of the translations installed now, and of each by its table slot. */
  liveBytes = 0;
  private readonly bytesOf = new Map<number, number>();
  /** The most function bytes the installed translations may hold: past it,
   *  endSlice drops them all, and the code that is still hot is translated
   *  again (QEMU, too, flushes its whole translation cache when it fills).
   *  A dropped block's module is freed once none of its blocks is installed,
   *  which dropping all of them ensures; evicting blocks one by one would
   *  keep their modules alive. (docs/PERFORMANCE.md: what a block costs.) */
  budget: number = Translator.BUDGET;
  /** The first translation that failed (a translator bug): the block was left
   *  to the interpreter, and the machine went on (tests check there is none). */
  firstFailure?: string;

  /** `remote`: translate and compile the blocks that may wait for their
   *  module in another thread (web/jit/compilework.ts); the rest, and all of
   *  them while a profiling aid (countExits, nameBlocks) is on, here. */
  constructor(private readonly memory: WebAssembly.Memory, private readonly core: JitCoreExports,
    private readonly remote?: CompileChannel) {
    this.imports = {
      m: { mem: memory },
      f: {
        testcc: core.jitTestCC, eflags: core.jitEflags, rdtsc: core.jitRdtsc,
        chain: this.chain ? linkThrough(core.table) : core.jitChain, lookup: core.jitLookup, step: core.jitStep, str: core.jitStr, exit: () => 0,
      } satisfies Record<HelperName, unknown>,
    };
  }

  private exits?: ExitStats;
  private named = false;
  /** From now on, name each block function `block_<host address in hex>`
   *  in its module, so that a V8 CPU profile tells the blocks apart (a
   *  profiling aid: tools/dev/workload-profile.mts --cpu-prof). */
  nameBlocks(): void { this.named = true; }
  /** Whether blocks are translated in the compile worker now. */
  private get remoteNow(): boolean { return this.remote !== undefined && this.lost === undefined && !this.named && !this.exits; }
  /** Why the compile worker is gone (it failed to start or stopped): blocks
   *  are translated here from then on, and the starts that waited for it are
   *  dropped at the end of the slice (endSlice), to be counted again. */
  lost?: string;
  private lostDropped = false;
  private lose(err: unknown): void {
    this.lost ??= err instanceof Error ? err.message : String(err);
  }
  /** From now on, count where translated code goes (a profiling aid: it slows
   *  every block exit, chain and look-up; tools/dev/workload-profile.mts). */
  countExits(): ExitStats {
    const x: ExitStats = this.exits = { blocks: [], chains: 0, lookups: 0, lookupHits: 0, lookupMisses: new Map() };
    const core = this.core, f = this.imports.f as Record<HelperName, unknown>;
    f.chain = (fn: number, left: number) => { x.chains++; return core.jitChain(fn, left); };
    f.lookup = (eip: number, left: number) => { x.lookups++; const fn = core.jitLookup(eip, left);
      if (fn) x.lookupHits++; else x.lookupMisses.set(eip, (x.lookupMisses.get(eip) ?? 0) + 1);
      return fn;
    };
    f.exit = (block: number, eip: number, entry: number) => {
      const b = x.blocks[block], d = (eip - entry) | 0;
      const to = Math.abs(d) < 4096 ? (d < 0 ? "-" : "+") + Math.abs(d).toString(16) : `EIP ${(eip >>> 0).toString(16).padStart(8, "0")}`;
      b.exits++;
      b.to.set(to, (b.to.get(to) ?? 0) + 1);
      return 0;
    };
    return x;
  }

  /** Instructions (host addresses) that a block left to the interpreter and
   *  that reached a device, how many times; at MMIO_AFTER one is put in
   *  `mmio`, and blocks translated from then on run it by its handler. */
  private readonly mmioCounts = new Map<number, number>();
  private readonly mmio = new Set<number>();
  static readonly MMIO_AFTER = 16;
  /** The most addresses either holds (past it, it starts again empty). */
  static readonly MMIO_MAX = 4096;
  /** env.jitMmioSite (asm/cpu/jit.ts): the instruction at `host` left its block
   *  and reached a device. 1: it is now run by its handler, and asm/cpu/jit.ts
   *  drops the translations of its page, so that they are translated again. */
  mmioSite(host: number): number {
    // Once is enough: it runs by its handler now, or it is not an instruction
    // byHandler takes (POP to memory, an indirect branch, a stack access),
    // which goes on leaving its block.
    if (this.mmio.has(host)) return 0;
    const n = (this.mmioCounts.get(host) ?? 0) + 1;
    if (n < Translator.MMIO_AFTER) {
      if (this.mmioCounts.size >= Translator.MMIO_MAX) this.mmioCounts.clear();
      this.mmioCounts.set(host, n);
      return 0;
    }
    this.mmioCounts.delete(host);
    if (this.mmio.size >= Translator.MMIO_MAX) { this.mmio.clear(); this.remote?.post({ kind: "mmioClear" }); }
    this.mmio.add(host);
    this.remote?.post({ kind: "mmio", host });
    // Its page's translations are dropped only for one byHandler takes. The
    // opcode and ModRM say which (the code and address size only change the
    // instruction's length): it is decoded as 32-bit code, and one that
    // crosses its page's end (not translated either) decodes to nothing.
    const page = new Uint8Array(this.memory.buffer, host & ~0xfff, 4096);
    if (!byHandlerOk(decodeOne(page, host & 0xfff))) return 0;
    this.stats.mmioSites++;
    return 1;
  }

  /** Blocks translated and waiting for their module (asm/cpu/jit.ts
   *  HOST_WAITING): V8 takes about as long to set up a module of one block
   *  as of sixteen (docs/PERFORMANCE.md), and blocks grow hot in bursts. */
  private waiting: { host: number; ticket: number; t: Translation }[] = [];
  /** At most this many blocks in one module (a batch compiles when it is full). */
  static readonly BATCH = 16;
  private tickets = 0;

  /** env.jitCompile: translate the code at host address `host`, for the code
   *  and stack size in the word at `out` (asm/cpu/jit.ts jitMode); the
   *  instruction count and length | that mode go there. If `mayWait`, the
   *  block may wait for company: HOST_WAITING | a ticket for jitInstall. */
  compile(host: number, maxLen: number, out: number, mayWait: boolean): number {
    const t0 = performance.now();
    try {
      const mode = new Uint32Array(this.memory.buffer, out, 1)[0];
      if (mayWait && this.remoteNow) {
        try { return this.request(host, maxLen, mode); } catch (err) { this.lose(err); }
      } else if (this.remoteNow) this.stats.here++;
      const t = this.translateAt(host, maxLen, mode);
      if (!t) { this.stats.declined++; return 0; }
      if (mayWait && this.waiting.length + 1 < Translator.BATCH) {
        const ticket = this.nextTicket();
        this.waiting.push({ host, ticket, t });
        return HOST_WAITING | ticket;
      }
      const fn = this.build({ host, t });
      if (fn) {
        const words = new Uint32Array(this.memory.buffer, out, 2);
        words[0] = t.insns;
        words[1] = t.len | t.mode;
      }
      return fn;
    } catch (err) {
      // A bug here must not stop the guest: the interpreter runs the code instead.
      this.failed(host, err);
      return 0;
    } finally { this.stats.compileMs += performance.now() - t0; }
  }

  /** Ask the compile worker for the block at `host`: HOST_WAITING | a ticket. */
  private request(host: number, maxLen: number, mode: number): number {
    const ticket = this.nextTicket();
    const code = this.codeOf(host, maxLen).slice();
    this.remote!.post({ kind: "block", ticket, host, code, mode, flat: this.flatNow(), chain: this.chain }, [code.buffer]);
    this.stats.requested++;
    return HOST_WAITING | ticket;
  }
  /** Requests answered (installed or declined); whether a flush was asked since the last reply. */
  private answered = 0;
  private flushAsked = false;
  private nextTicket(): number { return this.tickets = (this.tickets + 1) & 0x7fffffff || 1; }

  /** The compile worker's replies that have come: their modules instantiated
   *  here and their blocks installed where their starts still wait. */
  private receive(): void {
    let replies: CompileReply[];
    try { replies = this.remote!.poll(); } catch (err) { this.lose(err); return; }
    for (const r of replies) {
      this.flushAsked = false;
      this.answered += r.blocks.length + r.declined.length;
      this.stats.workerMs += r.ms;
      for (const f of r.failures) this.failed(0, f);
      for (const d of r.declined) { this.stats.declined++; this.core.jitInstall(d.host, d.ticket, 0, 0, 0); }
      if (!r.module) continue;
      const fns = this.instantiate(r.blocks.map((b) => ({ host: b.host, bytes: b.bytes })), r.module);
      r.blocks.forEach((b, i) => this.install(b.host, b.ticket, fns[i], b.insns, b.lenMode));
    }
  }

  /** After each run slice (Machine.run), outside the machine: the waiting
   *  blocks compiled now, and every translation dropped if they hold more
   *  than the budget. */
  endSlice(): void {
    this.flush();
    if (this.lost !== undefined && !this.lostDropped) { this.lostDropped = true; this.dropAll(); }
    if (this.liveBytes > this.budget) this.dropAll();
  }
  /** Drop every translation, outside the machine (between run slices). */
  dropAll(): void {
    this.stats.drops++;
    this.core.dropTranslations(); // (releases each: jitRelease)
  }

  /** env.jitFlush, and endSlice: compile the waiting blocks now. */
  flush(inMachine = false): void {
    if (this.remote && this.lost === undefined) {
      const t0 = performance.now();
      if (inMachine && !this.flushAsked && this.stats.requested > this.answered) { this.flushAsked = true; this.remote.post({ kind: "flush" }); }
      this.receive();
      this.stats.compileMs += performance.now() - t0;
    }
    if (!this.waiting.length) return;
    const t0 = performance.now();
    this.build();
    this.stats.compileMs += performance.now() - t0;
  }

  /** `err` a string: the compile worker's message, which names the block. */
  private failed(host: number, err: unknown): void {
    this.stats.failed++;
    this.firstFailure ??= typeof err === "string" ? err : `block at host ${host.toString(16)}: ${err instanceof Error ? err.message : String(err)}`;
  }

  /** `mode`: the code and stack size in use (asm/cpu/jit.ts jitMode). */
  private translateAt(host: number, maxLen: number, mode: number): Translation | undefined {
    const note = this.exits?.blocks.length;
    const t = translateCode(this.codeOf(host, maxLen), host, mode, this.flatNow(), this.chain, this.mmio, note);
    if (t) this.exits?.blocks.push({ host, ends: t.ends, insns: t.insns, exits: 0, to: new Map() });
    return t;
  }
  /** The block's page from its start (host addresses of RAM and ROM are
   *  page-aligned as the physical ones: decodeBlock may follow a branch back)
   *  to the last byte it may use. */
  private codeOf(host: number, maxLen: number): Uint8Array {
    const start = host & 0xfff;
    return new Uint8Array(this.memory.buffer, host - start, start + maxLen);
  }
  private flatNow(): number { return new Uint32Array(this.memory.buffer, OFF_SEG_FLAT, 1)[0]; }

  /** One module for the translation `now` (its function-table index is
   *  returned, 0 if it failed) and the waiting ones, which are installed
   *  (jitInstall) or, if their starts no longer wait, released. */
  private build(now?: { host: number; t: Translation }): number {
    const waiting = this.waiting;
    this.waiting = [];
    const all = now ? [now, ...waiting] : waiting;
    const fns = this.compileHere(all);
    waiting.forEach((w, i) => this.install(w.host, w.ticket, fns[all.length - waiting.length + i], w.t.insns, w.t.len | w.t.mode));
    return now ? fns[0] : 0;
  }

  /** Install function `fn` (0: it failed) for the start at `host` if it
   *  still waits for `ticket`; if not, free its slot. */
  private install(host: number, ticket: number, fn: number, insns: number, lenMode: number): void {
    if (this.core.jitInstall(host, ticket, fn, insns, lenMode)) return;
    this.stats.stale++;
    if (fn) this.release(fn);
  }

  /** The translations in one module compiled here, instantiated. If the module
   *  fails (a translator bug), each block alone: one bad block must not keep
   *  the others from running translated (0: failed). */
  private compileHere(blocks: { host: number; t: Translation }[]): number[] {
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(blockModule(blocks.map((b) => b.t),
        this.named ? blocks.map((b) => `block_${b.host.toString(16)}`) : undefined));
    } catch (err) {
      if (blocks.length === 1) { this.failed(blocks[0].host, err); return [0]; }
      return blocks.flatMap((b) => this.compileHere([b]));
    }
    return this.instantiate(blocks.map((b) => ({ host: b.host, bytes: b.t.fn.length })), module);
  }

  /** Instantiate `module`, whose exports "0", "1", ... are `blocks` (with
   *  their function bytes), and give each function a table slot (0: failed). */
  private instantiate(blocks: { host: number; bytes: number }[], module: WebAssembly.Module): number[] {
    let exports: WebAssembly.Exports;
    try {
      exports = new WebAssembly.Instance(module, this.imports).exports;
    } catch (err) {
      for (const b of blocks) this.failed(b.host, err);
      return blocks.map(() => 0);
    }
    this.stats.modules++;
    const table = this.core.table;
    return blocks.map((b, i) => {
      const idx = this.free.pop() ?? table.grow(1);
      table.set(idx, exports[String(i)] as (...a: unknown[]) => unknown);
      this.stats.blocks++;
      this.stats.wasmBytes += b.bytes;
      this.bytesOf.set(idx, b.bytes);
      this.liveBytes += b.bytes;
      return idx;
    });
  }

  /** env.jitRelease: a translation was dropped; its slot may be reused. */
  release(idx: number): void {
    this.stats.released++;
    this.liveBytes -= this.bytesOf.get(idx) ?? 0;
    this.bytesOf.delete(idx);
    this.core.table.set(idx, null);
    this.free.push(idx);
  }
}

