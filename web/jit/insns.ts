// One x86 instruction as wasm, from the pieces the emitter provides (emitter.ts).
// Semantics follow the interpreter's handlers instruction by instruction
// (asm/cpu/arith.ts, shift.ts, ...; and so the SDM); the guest tests compare
// translated, interpreted and qemu runs. The opcode map (tools/opmap.mjs) names
// the emitter here (jit=) for each entry the translator runs, which is what
// docs/OPCODES.md lists; tests/unit/jitdecode.test.ts holds decode.ts to it.

import { S_SS, S_CS, R_EAX, R_ECX, R_EDX, R_ESP, R_EBP, R_ESI, R_EDI, CPU_STATE, OFF_CPL, OFF_CR4, OFF_INHIBIT_IRQ, OFF_SEGS, SEG_SIZE, SEGF_LIMIT, SEGF_SEL, OFF_VMX_MODE, VMX_NONROOT } from "../host/cpustate";
import {
  CF, PF, AF, ZF, SF, OF, ARITH_FLAGS, TF, IF, DF, IOPL_MASK, NT, RF, VM, AC, ID, EFLAGS_BITS, LAZY_ADD, LAZY_SUB, LAZY_LOGIC,
  CR4_TSD, OFF_ATTENTION, JIT_CHAINED, JIT_TSC_HI,
} from "./constants";
import { szMask, type Insn, type RM, LOOP_JCXZ, BIT_BT, BIT_BTS, BIT_BTR, SHIFT_ROL as ROL, SHIFT_ROR as ROR, SHIFT_RCL as RCL, SHIFT_RCR as RCR, SHIFT_SHL as SHL, SHIFT_SHR as SHR, SHIFT_SAR as SAR } from "./decode";
import {
  Emitter, type FlagState, lazyOp, szCode, F_RDTSC, L_T, L_R, L_EFL, L_MASK, L_OP, L_RES, L_CNT, L_LEFT, L_NEIP, L_OFF, L_W, L_DISP,
} from "./emitter";
import { W } from "./wasm";
import { emitSimd } from "./simd";

/** In VMX non-root operation the interpreter runs the instruction (one that
 *  may exit there: vmxexit.ts). */
function interpretInNonRoot(e: Emitter): void {
  e.load(W.load, CPU_STATE + OFF_VMX_MODE).i32(VMX_NONROOT).op(W.and).open(W.if_, "").interpretExit().end();
}

/** One instruction; `k` is its index in the block, `n` the block's length,
 *  `extent` the end of its bytes that lie after its start (block offsets from 0
 *  to there are inside the fetch window: jitRun checks it). */
export function emitInsn(e: Emitter, i: Insn, k: number, n: number, extent: number): void {
  const next = i.off + i.len;
  const T0 = L_T, T1 = L_T + 1, T2 = L_T + 2, T3 = L_T + 3, T4 = L_T + 4;
  const sz = i.sz, m = szMask(sz) | 0, szc = szCode(sz);
  const logic = (): FlagState => ({ mask: ARITH_FLAGS, kind: LAZY_LOGIC, carry: false, sz });
  /** Push the EIP of block offset `target` that a near branch of this size
   *  goes to: a 16-bit one wraps it at 64K (control.ts jumpRelative). Inside
   *  the block's own span offsets do not wrap (translator.ts checks it). */
  const targetEip = (target: number) => { e.eipAt(target); if (sz === 16 && (target < 0 || target >= extent)) e.i32(0xffff).op(W.and); return e; };
  /** Leave the block for `target` (block offset, or the EIP in local T4 when
   *  null); `branch`: a branch's target, else the next instruction, whose EIP
   *  does not wrap (past FFFFh its fetch is #GP in real mode). */
  const leave = (target: number | null, branch = true) => {
    if (target === null) e.get(T4).set(L_NEIP).chainLookup();
    else { (branch ? targetEip(target) : e.eipAt(target)).set(L_NEIP); e.chainTo(target); }
    e.get(L_CNT).i32(k + 1).op(W.add).set(L_CNT).br("exit");
  };
  /** Jump to block offset `target`: go on inside the block when it is a
   *  forward target there (Emitter.forward); round the block's loop when it
   *  is the block's start or a backward target (Emitter.back); else leave. */
  const jump = (target: number) => {
    if ((e.forward.get(target) ?? -1) > k && e.labels.includes(`f${target}`)) { e.forwardBranch(target, k); return; }
    const back = (target | 0) === 0 ? [0, 0] : e.back.get(target);
    if (back === undefined) { leave(target); return; }
    if (back[0] > k) {
      // forward through the dispatch: L_CNT + the target's index, as everywhere
      e.get(L_CNT).i32(k + 1 - back[0]).op(W.add).set(L_CNT).i32(back[1]).set(L_DISP).br("loop");
      return;
    }
    // L_CNT: every instruction run so far; another pass (at most n
    // instructions before the next branch back checks again) only while
    // nothing needs the run loop and the budget allows it (a br_if each:
    // Emitter.slowUnless)
    e.open(W.block, "out");
    e.get(L_CNT).i32(k + 1).op(W.add).tee(L_CNT);
    e.i32(n).op(W.add).get(L_LEFT).op(W.gtu).brIf("out");
    e.load(W.load, OFF_ATTENTION).brIf("out");
    if (back[0] !== 0) e.get(L_CNT).i32(back[0]).op(W.sub).set(L_CNT); // L_CNT + the target's index, as everywhere
    if (e.back.size) e.i32(back[1]).set(L_DISP); // (a block without the dispatch loops to its start)
    e.br("loop").end();
    e.eipAt(target).set(L_NEIP).br("exit");
  };
  /** Leave after this instruction for the run loop (no chaining): it has
   *  something to look at before the next one. */
  const stop = () => { e.eipAt(next).set(L_NEIP); e.get(L_CNT).i32(k + 1).op(W.add).set(L_CNT).br("exit"); };
  /** flagops.ts ifWritable: CPL <= IOPL, or the interpreter runs the instruction
   *  (and raises #GP(0)). Blocks run in protected mode outside virtual-8086 mode
   *  (exec.ts jitReady: csDefault32), where that is the whole rule. */
  const ifWritable = () => {
    e.load(W.load, CPU_STATE + OFF_CPL).get(L_EFL).i32(IOPL_MASK).op(W.and).i32(12).op(W.shru).op(W.gtu);
    e.open(W.if_, "").interpretExit().end();
  };
  // The stack: ESP, or SP alone on a 16-bit stack (SS.B = 0, translator.ts
  // Addr.stack16), which wraps at 64K and keeps ESP's upper half (mem.ts setSP).
  const stack16 = e.a.stack16 === true;
  /** [offset] -> the stack pointer's bits of it */
  const spBits = () => { if (stack16) e.i32(0xffff).op(W.and); };
  /** (E)SP <- local `l` (its low 16 bits on a 16-bit stack). */
  const setSp = (l: number) => { e.setReg(R_ESP, stack16 ? 16 : 32, l); };
  /** Push the value in local `l`, `size` bits (the operand size): [SS:(E)SP-n] = l, (E)SP -= n. */
  const push = (l: number, size = sz) => {
    e.get(L_R + R_ESP).i32(size >> 3).op(W.sub);
    spBits();
    e.linear(S_SS).write(S_SS, size, l);
    setSp(L_OFF);
  };
  /** Pop `size` bits into local `l`: l = [SS:(E)SP], (E)SP += n + `release`
   *  ((E)SP unchanged if the read faults); `check` runs between the read and
   *  the update. */
  const pop = (l: number, check?: () => void, size = sz, release = 0) => {
    e.get(L_R + R_ESP);
    spBits();
    e.linear(S_SS).read(S_SS, size).set(l);
    check?.();
    e.get(L_OFF).i32((size >> 3) + release).op(W.add).set(L_OFF);
    setSp(L_OFF);
  };
  /** decode.ts nearJump: a near branch whose target (block offset, or the EIP
   *  in local T4 when null) lies beyond CS's limit raises #GP(0) itself, so the
   *  interpreter runs it; nothing of the branch may be done before this.
   *  Targets between the block's start and its extent are inside the fetch
   *  window, which the limit bounds. */
  const limitCheck = (target: number | null) => {
    if (target !== null && target >= 0 && target < extent) return;
    if (target === null) e.get(T4); else targetEip(target);
    e.load(W.load, CPU_STATE + OFF_SEGS + S_CS * SEG_SIZE + SEGF_LIMIT).op(W.gtu);
    e.open(W.if_, "").interpretExit().end();
  };
  switch (i.op) {
    case "nop": return;
    // datamov.ts nop with F3: a NOP, except in VMX non-root operation, where
    // it may exit (vmxexit.ts vmxPause): the interpreter runs it there.
    case "pause":
      interpretInNonRoot(e);
      return;
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
      if (op === 1 || op === 4 || op === 6) e.setLazy(lazyOp(LAZY_LOGIC, sz), sz, null, null, T2, logic());
      else if (op === 2 || op === 3) {
        // lazyOp(kind + carry-in, sz) at run time: LAZY_ADC1, LAZY_SBB1 with a carry-in of 1
        e.get(T3).i32(op === 2 ? LAZY_ADD : LAZY_SUB).op(W.add).i32(2).op(W.shl).i32(szc).op(W.or).set(L_OP);
        e.setLazy(null, sz, T0, T1, T2, { mask: ARITH_FLAGS, kind: op === 2 ? LAZY_ADD : LAZY_SUB, carry: true, sz });
      } else {
        const kind = op === 0 ? LAZY_ADD : LAZY_SUB;
        e.setLazy(lazyOp(kind, sz), sz, T0, T1, T2, { mask: ARITH_FLAGS, kind, carry: false, sz });
      }
      return;
    }
    case "inc": case "dec": {
      const dec = i.op === "dec";
      if (!i.deadFlags) e.cond(2).set(T3); // CF, kept
      e.readRM(i.rm!, sz).set(T0);
      e.get(T0).i32(1).op(dec ? W.sub : W.add);
      if (sz !== 32) e.i32(m).op(W.and);
      e.set(T2);
      e.writeRM(i.rm!, sz, T2, true);
      if (i.deadFlags) return; // (translator.ts markDeadFlags)
      e.i32(1).set(T1);
      const kind = dec ? LAZY_SUB : LAZY_ADD;
      e.setLazy(lazyOp(kind, sz), sz, T0, T1, T2, { mask: ARITH_FLAGS & ~CF, kind, carry: false, sz });
      e.i32(ARITH_FLAGS & ~CF).set(L_MASK);
      e.get(L_EFL).i32(~CF).op(W.and).get(T3).op(W.or).set(L_EFL);
      return;
    }
    case "test": {
      e.readRM(i.rm!, sz).set(T0);
      if (i.imm !== undefined) e.get(T0).i32(i.imm).op(W.and).set(T2);
      else e.get(T0).reg(i.reg!, sz).op(W.and).set(T2);
      e.setLazy(lazyOp(LAZY_LOGIC, sz), sz, null, null, T2, logic());
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
      e.setLazy(lazyOp(LAZY_SUB, sz), sz, T0, T1, T2, { mask: ARITH_FLAGS, kind: LAZY_SUB, carry: false, sz });
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
    case "xadd": {
      // datamov.ts xadd_*: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP. Memory is
      // written first (a fault leaves the register); with one register as both
      // operands the sum wins. Flags: ADD DEST, SRC.
      e.readRM(i.rm!, sz).set(T0);
      e.reg(i.reg!, sz).set(T1);
      e.get(T0).get(T1).op(W.add);
      if (sz !== 32) e.i32(m).op(W.and);
      e.set(T2);
      if (i.rm!.mem) { e.writeRM(i.rm!, sz, T2, true); e.setReg(i.reg!, sz, T0); }
      else { e.setReg(i.reg!, sz, T0); e.setReg(i.rm!.reg!, sz, T2); }
      e.setLazy(lazyOp(LAZY_ADD, sz), sz, T0, T1, T2, { mask: ARITH_FLAGS, kind: LAZY_ADD, carry: false, sz });
      return;
    }
    case "cmpxchg": {
      // datamov.ts cmpxchg_*: flags as CMP accumulator, DEST. DEST is written in
      // both cases (with its own value when they differ), then the accumulator
      // takes DEST when they differ:
      //   eq = acc == DEST; DEST <- eq ? SRC : DEST; flags; if !eq acc <- DEST
      e.readRM(i.rm!, sz).set(T0);
      e.reg(0, sz).set(T1);
      e.reg(i.reg!, sz).get(T0).get(T1).get(T0).op(W.eq).tee(T3).op(W.select).set(T2);
      e.writeRM(i.rm!, sz, T2, true);
      subFlags(e, sz, T1, T0, T4);
      e.get(T3).op(W.eqz).open(W.if_, "").setReg(0, sz, T0).end();
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
    // stack.ts pushSeg, segops.ts mov_Ev_Sw: a segment register's selector (16
    // bits, zero-extended), read from the state: loads are the interpreter's
    case "pushS": e.load(W.load, CPU_STATE + OFF_SEGS + i.reg! * SEG_SIZE + SEGF_SEL).set(T0); push(T0); return;
    case "movES": e.load(W.load, CPU_STATE + OFF_SEGS + i.reg! * SEG_SIZE + SEGF_SEL).set(T0); e.writeRM(i.rm!, sz, T0, false); return;
    // segops.ts mov_Sw_Ew, stack.ts pop_DS and the like: the interpreter's
    // handler; then the segment's base and offset ranges are read again (the
    // block takes no segment it loads as flat: translator.ts)
    case "segLoad": e.step(i.off, i.gprs!, i.gprsOut!, false); e.reloadSegment(i.reg!); return;
    case "pushI": e.i32(i.imm!).set(T0); push(T0); return;
    case "pushE": e.readRM(i.rm!, sz).set(T0); push(T0); return;
    case "pop": pop(T0); e.setReg(i.reg!, sz, T0); return;
    case "leave": {
      // stack.ts leave16/leave32: (E)SP <- (E)BP by the stack's size, then pop
      // (E)BP by the operand size:
      //   T0 <- [SS:(E)BP]; (E)SP <- (E)BP + 2 or 4; (E)BP <- T0
      e.get(L_R + R_EBP);
      spBits();
      e.linear(S_SS).read(S_SS, sz).set(T0);
      e.get(L_OFF).i32(sz >> 3).op(W.add).set(T1);
      setSp(T1);
      e.setReg(R_EBP, sz, T0);
      return;
    }
    case "imul2": case "imul3": {
      e.readRM(i.rm!, sz).set(T1);
      if (i.op === "imul2") e.reg(i.reg!, sz).set(T0); else e.i32(i.imm!).set(T0);
      if (i.deadFlags) { // no overflow to tell: the low half of the product is the same either way
        e.get(T0).get(T1).op(W.mul);
        if (sz === 16) e.i32(0xffff).op(W.and);
        e.set(T2).setReg(i.reg!, sz, T2);
        return;
      }
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
      e.get(L_W).i64(32).op(W.i64shru).op(W.wrap).set(T0);
      if (i.op === "mul") e.get(T0).i32(0).op(W.ne).set(T3);
      else e.get(L_W).get(T2).op(W.ext64s, W.i64ne).set(T3);
      e.setReg(0, 32, T2);
      e.setReg(2, 32, T0);
      if (!i.deadFlags) mulFlags(e, 32, T2, T3);
      return;
    }
    case "div": case "idiv": divide(e, i, i.op === "idiv"); return;
    // string.ts MOVS, STOS, LODS, CMPS, SCAS with a repeat prefix, by the interpreter's handler
    case "string": e.step(i.off, i.gprs!, i.gprsOut!, true, true, i.imm!); return;
    // string.ts movs, stos, lods, cmps, scas of one element: read, write or
    // compare (CMPS: [(E)SI] - [ES:(E)DI]; SCAS: AL/AX/EAX - [ES:(E)DI]),
    // then (E)SI and (E)DI on by the size, or back with DF (SI and DI wrap at
    // 64K with 16-bit addressing); a fault leaves them as they were
    case "movs": case "stos": case "lods": case "cmps": case "scas": {
      const mem = i.rm!.mem!, di: RM = i.dst ? { mem: i.dst } : i.rm!; // [ES:(E)DI]
      if (i.op === "stos" || i.op === "scas") e.reg(R_EAX, sz).set(T0); else e.readRM(i.rm!, sz).set(T0);
      if (i.op === "movs" || i.op === "stos") e.writeRM(di, sz, T0, false);
      else if (i.op === "lods") e.setReg(R_EAX, sz, T0);
      else { e.readRM(di, sz).set(T1); subFlags(e, sz, T0, T1, T2); }
      const step = (r: number) => {
        e.get(L_R + r).i32(-(sz >> 3)).i32(sz >> 3).get(L_EFL).i32(DF).op(W.and).op(W.select).op(W.add).set(T1);
        e.setReg(r, mem.a16 ? 16 : 32, T1);
      };
      if (i.op === "movs" || i.op === "lods" || i.op === "cmps") step(R_ESI);
      if (i.op !== "lods") step(R_EDI);
      return;
    }
    case "shift": case "shiftCL": {
      e.readRM(i.rm!, sz).set(T0);
      // RCL and RCR rotate by the (masked) count MOD width + 1 (shift.ts); a
      // rotation by 0 changes no flag, as a count of 0 does
      const modulus = (i.sub === RCL || i.sub === RCR) && sz !== 32 ? sz + 1 : 0;
      if (i.op === "shift") {
        const n = modulus ? i.imm! % modulus : i.imm!;
        if (n === 0) { e.writeRM(i.rm!, sz, T0, true); return; }  // read and written back, no flags
        e.i32(n).set(T1);
        shiftCompute(e, i.sub!, sz, T0, T1);
        e.writeRM(i.rm!, sz, T2, true);
        if (!i.deadFlags) shiftFlags(e, i.sub!, sz);
      } else {
        shiftByCl(e, i, sz, T1, () => shiftCompute(e, i.sub!, sz, T0, T1), modulus);
      }
      return;
    }
    case "shiftd": case "shiftdCL": {
      // shift.ts shld_Ev_Gv*, shrd_Ev_Gv*: a count of 0 (masked) reads and
      // writes the destination back and changes no flag
      e.readRM(i.rm!, sz).set(T0);
      e.reg(i.reg!, sz).set(T1);
      if (i.op === "shiftd") {
        if (i.imm === 0) { e.writeRM(i.rm!, sz, T0, true); return; }
        shiftdCompute(e, i.sub!, sz, T0, T1, () => e.i32(i.imm!));
        e.writeRM(i.rm!, sz, T2, true);
        shiftFlags(e, i.sub!, sz);
      } else {
        shiftByCl(e, i, sz, T4, () => shiftdCompute(e, i.sub!, sz, T0, T1, () => e.get(T4)));
      }
      return;
    }
    case "bt": case "btI": {
      // bit.ts: CF = the selected bit; BTS BTR BTC write the operand back with it
      // set, cleared, complemented; ZF kept, OF SF AF PF left as they were.
      // A register offset into memory is signed and moves the address:
      //   EA += (offset >> 5) * 4 (32-bit), (offset >> 4) * 2 (16-bit, sign-extended),
      //     mod 64K with 16-bit addressing
      //   bit = offset & (size - 1)
      const mem = i.rm!.mem;
      if (i.op === "btI") e.i32(i.imm!).set(T1); else e.reg(i.reg!, sz).set(T1);
      if (mem && i.op === "bt") {
        e.ea(mem).get(T1);
        if (sz === 16) e.op(W.ext16s);
        e.i32(sz === 32 ? 5 : 4).op(W.shrs).i32(sz === 32 ? 2 : 1).op(W.shl).get(L_OFF).op(W.add);
        if (mem.a16) e.i32(0xffff).op(W.and);
        e.linear(mem.seg);
        e.read(mem.seg, sz).set(T0);
      } else e.readRM(i.rm!, sz).set(T0);
      e.get(T1).i32(sz - 1).op(W.and).set(T1);
      e.get(T0).get(T1).op(W.shru).i32(1).op(W.and).set(T3);
      if (i.sub !== BIT_BT) {
        e.i32(1).get(T1).op(W.shl).set(T1);
        if (i.sub === BIT_BTS) e.get(T0).get(T1).op(W.or);
        else if (i.sub === BIT_BTR) e.get(T0).get(T1).i32(-1).op(W.xor).op(W.and);
        else e.get(T0).get(T1).op(W.xor);
        e.set(T2);
        e.writeRM(i.rm!, sz, T2, true);
      }
      setFlag(e, CF, T3);
      return;
    }
    case "bsf": case "bsr": {
      // bit.ts bsf_*, bsr_*: ZF = (source == 0), and then the destination is
      // left as it was (as P6 processors do); the other flags unchanged
      e.readRM(i.rm!, sz).set(T0);
      e.get(T0).op(W.eqz).set(T3);
      e.get(T0).open(W.if_, "");
      if (i.op === "bsf") e.get(T0).op(W.ctz); else e.i32(31).get(T0).op(W.clz).op(W.sub);
      e.set(T2).setReg(i.reg!, sz, T2);
      e.end();
      setFlag(e, ZF, T3);
      return;
    }
    // stack.ts pushf16, pushf32: FLAGS, or EFLAGS less VM and RF
    case "pushf": e.eflags().i32(sz === 16 ? 0xffff : ~(VM | RF)).op(W.and).set(T0); push(T0); return;
    case "popf": {
      // stack.ts popf16, popf32, popfCommon outside virtual-8086 mode (exec.ts
      // jitReady; real mode runs at CPL 0):
      //   v = [SS:(E)SP]; TF in v: the interpreter (it starts watching for the trap)
      //   mask = ARITH TF DF NT IF IOPL AC ID, less IOPL at CPL > 0, less IF at
      //     CPL > IOPL; 16 bits: the low half of that
      //   EFLAGS = ((EFLAGS & ~mask) | (v & mask)) & EFLAGS_BITS | 2, nothing lazy; (E)SP += 2 or 4
      //   IF 0 -> 1: leave, for a waiting interrupt to come in after the POPF
      const all = (ARITH_FLAGS | TF | DF | NT | IF | IOPL_MASK | AC | ID) & m;
      pop(T0, () => {
        e.get(T0).i32(TF).op(W.and).open(W.if_, "").interpretExit().end();
        e.i32(all).i32(all & ~IOPL_MASK).load(W.load, CPU_STATE + OFF_CPL).op(W.eqz).op(W.select);
        e.i32(~IF).i32(-1).load(W.load, CPU_STATE + OFF_CPL).get(L_EFL).i32(IOPL_MASK).op(W.and).i32(12).op(W.shru).op(W.gtu);
        e.op(W.select, W.and).set(T1);
        e.get(L_EFL).i32(IF).op(W.and).set(T2);
        e.get(L_EFL).get(T1).i32(-1).op(W.xor).op(W.and).get(T0).get(T1).op(W.and).op(W.or);
        e.i32(EFLAGS_BITS).op(W.and).i32(2).op(W.or).set(L_EFL).i32(0).set(L_MASK);
        e.fs = { mask: 0, kind: LAZY_LOGIC, carry: false, sz: 32 };
        e.flagsWritten = true;
      });
      e.get(T2).op(W.eqz).get(L_EFL).i32(IF).op(W.and).op(W.and).open(W.if_, "");
      stop();
      e.end();
      return;
    }
    case "rdtsc":
      // system.ts rdtsc: with CR4.TSD at CPL > 0 the interpreter raises #GP(0).
      // The clock counts the instructions retired since jitRun entered the first
      // block (JIT_CHAINED, then this block's passes and place):
      //   EDX:EAX <- rdtsc(chained + L_CNT + k)
      e.load(W.load, CPU_STATE + OFF_CR4).i32(CR4_TSD).op(W.and).i32(0).op(W.ne);
      e.load(W.load, CPU_STATE + OFF_CPL).i32(0).op(W.ne).op(W.and).open(W.if_, "").interpretExit().end();
      // In VMX non-root operation RDTSC may exit or add the TSC offset (vmxexit.ts
      // vmxRdtsc, vmxTsc): the interpreter runs it there.
      interpretInNonRoot(e);
      e.load(W.load, JIT_CHAINED).get(L_CNT).op(W.add);
      if (k) e.i32(k).op(W.add);
      e.call(F_RDTSC).set(T0).load(W.load, JIT_TSC_HI).set(T1);
      e.setReg(R_EAX, 32, T0).setReg(R_EDX, 32, T1);
      return;
    // datamov.ts clc, stc, cmc: CF alone, the other flags as lazy as they were
    case "clc": case "stc": e.i32(i.op === "stc" ? 1 : 0).set(T0); setFlag(e, CF, T0); return;
    case "cmc": e.cond(2 /* B: CF = 1 */).i32(1).op(W.xor).set(T0); setFlag(e, CF, T0); return;
    // datamov.ts sahf: SF ZF AF PF CF from AH, no longer lazy; lahf: them (and bit 1) to AH
    case "sahf": setFlags(e, SF | ZF | AF | PF | CF, () => e.get(L_R + R_EAX).i32(8).op(W.shru)); return;
    case "lahf": e.eflags().i32(SF | ZF | AF | PF | CF).op(W.and).i32(2).op(W.or).set(T0); e.setReg(4 /* AH */, 8, T0); return;
    // datamov.ts cld, std: DF is never lazy
    case "cld": e.get(L_EFL).i32(~DF).op(W.and).set(L_EFL); e.flagsWritten = true; return;
    case "std": e.get(L_EFL).i32(DF).op(W.or).set(L_EFL); e.flagsWritten = true; return;
    case "cli": ifWritable(); e.get(L_EFL).i32(~IF).op(W.and).set(L_EFL); e.flagsWritten = true; return;
    case "sti":
      // flagops.ts sti: setting IF holds interrupts off until after the next
      // instruction (OFF_INHIBIT_IRQ): then the block leaves, and the run loop
      // runs that one alone when an interrupt waits (exec.ts betweenInstructions)
      //   if (!(EFLAGS & IF)) { EFLAGS |= IF; inhibit = 1; attention = 1; leave }
      ifWritable();
      e.get(L_EFL).i32(IF).op(W.and).op(W.eqz).open(W.if_, "");
      e.get(L_EFL).i32(IF).op(W.or).set(L_EFL);
      e.storeConst(CPU_STATE + OFF_INHIBIT_IRQ, 1).storeConst(OFF_ATTENTION, 1);
      stop();
      e.end();
      e.flagsWritten = true;
      return;
    case "jcc": {
      e.cond(i.sub!).open(W.if_, "");
      limitCheck(i.rel!);
      jump(i.rel!);
      e.end();
      if (k === n - 1) leave(next, false);
      return;
    }
    case "loop": {
      // loop.ts: the counter is CX or ECX by the address size (i.imm); LOOP,
      // LOOPE and LOOPNE take 1 from it and branch while it is not 0 (and ZF
      // is 1, is 0); JCXZ branches when it is 0. No flag changes. The counter
      // is written after the limit check, which leaves the LOOP undone:
      //   T0 = count - 1; if (T0 != 0 [&& ZF cond]) { count = T0; jump } count = T0
      const csz = i.imm!, jcxz = i.sub === LOOP_JCXZ;
      e.reg(R_ECX, csz);
      if (!jcxz) { e.i32(1).op(W.sub); if (csz === 16) e.i32(0xffff).op(W.and); }
      e.tee(T0);
      if (jcxz) e.op(W.eqz);
      else {
        e.i32(0).op(W.ne);
        if (i.sub !== 2) e.cond(i.sub === 1 ? 4 /* E */ : 5 /* NE */).op(W.and);
      }
      e.open(W.if_, "");
      limitCheck(i.rel!);
      if (!jcxz) e.setReg(R_ECX, csz, T0);
      jump(i.rel!);
      e.end();
      if (!jcxz) e.setReg(R_ECX, csz, T0);
      if (k === n - 1) leave(next, false);
      return;
    }
    // A JMP or CALL the block follows (decode.ts decodeBlock) goes on with
    // the instruction at its target, the next one emitted.
    case "jmp": limitCheck(i.rel!); if (i.follow === undefined) jump(i.rel!); return;
    case "call":
      limitCheck(i.rel!); e.eipAt(next).set(T0); push(T0);
      if (i.follow === undefined) leave(i.rel!);
      return;
    case "callE": e.readRM(i.rm!, sz).set(T4); limitCheck(null); e.eipAt(next).set(T0); push(T0); leave(null); return;
    case "jmpE": e.readRM(i.rm!, sz).set(T4); limitCheck(null); leave(null); return;
    // control.ts ret_near, ret_near_Iw: pop (E)IP, check it, release imm16 more bytes
    case "ret": pop(T4, () => limitCheck(null), sz, i.imm ?? 0); leave(null); return;
    // (no opc: an instruction translator.ts byHandler gave to its handler)
    case "interp": if (i.opc === undefined || !emitSimd(e, i)) e.step(i.off, i.gprs!, i.gprsOut!, i.eflags!); return;
  }
  throw new Error(`translator: no emitter for ${i.op}`);
}

/** Set the flags in mask M to the bits `value` pushes (as flags.ts
 *  setArithFlags(M, ...); bits outside M are ignored): those are no longer
 *  lazy, and the flags still lazy stay lazy. */
function setFlags(e: Emitter, M: number, value: () => void): void {
  e.get(L_EFL).i32(~M).op(W.and);
  value();
  e.i32(M).op(W.and).op(W.or).set(L_EFL);
  e.get(L_MASK).i32(~M).op(W.and).set(L_MASK);
  e.fs = { ...e.fs, mask: e.fs.mask === null ? null : e.fs.mask & ~M };
  e.flagsWritten = true;
}
/** Set flag F alone from local `l` (0 or 1). */
function setFlag(e: Emitter, F: number, l: number): void {
  setFlags(e, F, () => { e.get(l); if (F !== 1) e.i32(31 - Math.clz32(F)).op(W.shl); });
}

/** `res` <- `a` - `b` (of `sz` bits), the flags a SUB's (lazy): CMP without
 *  a ModRM form, as CMPS, SCAS and CMPXCHG compare. */
function subFlags(e: Emitter, sz: number, a: number, b: number, res: number): void {
  e.get(a).get(b).op(W.sub);
  if (sz !== 32) e.i32(szMask(sz)).op(W.and);
  e.set(res).setLazy(lazyOp(LAZY_SUB, sz), sz, a, b, res, { mask: ARITH_FLAGS, kind: LAZY_SUB, carry: false, sz });
}

/** SF ZF PF from the low half, CF = OF = overflow (local `ov`), AF clear
 *  (asm/cpu/arith.ts mulFlags). */
function mulFlags(e: Emitter, sz: number, res: number, ov: number): void {
  e.get(L_EFL).i32(~(CF | OF | AF)).op(W.and).get(ov).i32(CF | OF).op(W.mul).op(W.or).set(L_EFL);
  e.i32(lazyOp(LAZY_LOGIC, sz)).set(L_OP).get(res).set(L_RES).i32(SF | ZF | PF).set(L_MASK);
  e.fs = { mask: SF | ZF | PF, kind: LAZY_LOGIC, carry: false, sz };
  e.flagsWritten = true;
}

/** DIV, IDIV (arith.ts div_*, idiv_*): the dividend AX, DX:AX or EDX:EAX by the
 *  r/m operand; the quotient to AL, AX or EAX and the remainder (the dividend's
 *  sign) to AH, DX or EDX; the flags left as they were. A zero divisor or a
 *  quotient that does not fit is #DE: the block leaves before the instruction,
 *  none of it done, for the interpreter to run it and raise #DE (a memory
 *  divisor is read again there). No wasm division runs where it would trap (a
 *  zero divisor, INT_MIN / -1):
 *    d <- r/m
 *    DIV:  #DE if the dividend's high half >=u d (d = 0 included)
 *          q, r <- n /u d, n %u d   (n = AX, DX:AX as i32; EDX:EAX as i64)
 *    IDIV: n, d sign-extended; #DE if d = 0
 *           8 bits (i32): q <- n /s d
 *          16 bits: q <- n /s d as i64 (i32 would trap on INT32_MIN / -1)
 *          32 bits (i64): #DE if d = -1 and n = INT64_MIN; q <- n /s d
 *          #DE if q is not its own low half sign-extended; r <- n %s d
 *    AH:AL <- r:q (8 bits); AX, DX or EAX, EDX <- q, r */
function divide(e: Emitter, i: Insn, signed: boolean): void {
  const T0 = L_T, T1 = L_T + 1, T2 = L_T + 2, T3 = L_T + 3, EAX = L_R + R_EAX, EDX = L_R + R_EDX;
  const sz = i.sz;
  e.readRM(i.rm!, sz).set(T1);
  e.open(W.block, "div").open(W.block, "de");
  if (sz === 32) {
    // n = EDX:EAX
    e.get(EDX).op(W.ext64u).i64(32).op(W.i64shl).get(EAX).op(W.ext64u).op(W.i64or).set(L_W);
    if (!signed) {
      e.get(EDX).get(T1).op(W.geu).brIf("de");
      e.get(L_W).get(T1).op(W.ext64u, W.i64divu, W.wrap).set(T2);
      e.get(L_W).get(T1).op(W.ext64u, W.i64remu, W.wrap).set(T3);
    } else {
      e.get(T1).op(W.eqz);
      e.get(T1).i32(-1).op(W.eq).get(EDX).i32(0x80000000).op(W.eq).op(W.and).get(EAX).op(W.eqz).op(W.and);
      e.op(W.or).brIf("de");
      e.get(L_W).get(T1).op(W.ext64s, W.i64rems, W.wrap).set(T3);
      e.get(L_W).get(T1).op(W.ext64s, W.i64divs).tee(L_W).op(W.wrap).tee(T2).op(W.ext64s).get(L_W).op(W.i64ne).brIf("de");
    }
    e.setReg(R_EAX, 32, T2).setReg(R_EDX, 32, T3);
  } else if (sz === 16) {
    // n = DX:AX
    e.get(EDX).i32(16).op(W.shl).get(EAX).i32(0xffff).op(W.and).op(W.or).set(T0);
    if (!signed) {
      e.get(EDX).i32(0xffff).op(W.and).get(T1).op(W.geu).brIf("de");
      e.get(T0).get(T1).op(W.divu).set(T2);
      e.get(T0).get(T1).op(W.remu).set(T3);
    } else {
      e.get(T1).op(W.ext16s).tee(T1).op(W.eqz).brIf("de");
      e.get(T0).op(W.ext64s).get(T1).op(W.ext64s, W.i64divs).tee(L_W).op(W.wrap).tee(T2).op(W.ext16s, W.ext64s).get(L_W).op(W.i64ne).brIf("de");
      e.get(T0).get(T1).op(W.rems).set(T3);
    }
    e.setReg(R_EAX, 16, T2).setReg(R_EDX, 16, T3);
  } else {
    // n = AX
    if (!signed) {
      e.get(EAX).i32(8).op(W.shru).i32(0xff).op(W.and).get(T1).op(W.geu).brIf("de");
      e.get(EAX).i32(0xffff).op(W.and).set(T0);
      e.get(T0).get(T1).op(W.divu).set(T2);
      e.get(T0).get(T1).op(W.remu).set(T3);
    } else {
      e.get(EAX).op(W.ext16s).set(T0);
      e.get(T1).op(W.ext8s).tee(T1).op(W.eqz).brIf("de");
      e.get(T0).get(T1).op(W.divs).tee(T2).op(W.ext8s).get(T2).op(W.ne).brIf("de");
      e.get(T0).get(T1).op(W.rems).set(T3);
    }
    e.get(T3).i32(0xff).op(W.and).i32(8).op(W.shl).get(T2).i32(0xff).op(W.and).op(W.or).set(T2);
    e.setReg(R_EAX, 16, T2);
  }
  e.br("div").end();
  e.interpretExit();
  e.end();
}

// Shifts and rotates (asm/cpu/shift.ts): value in v, non-zero count (1..31; RCL and
// RCR: 1..width, already reduced) in c;
// leaves the result in T2 and CF, OF in T3, T4.
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
    case RCL: case RCR: {
      // the (sz + 1)-bit value CF:v rotated by c (1..sz) in an i64; CF is the
      // bit that ends up above the result, OF the change of the top bit (the
      // SDM's for a count of 1, QEMU's and shift.ts's for the others)
      e.cond(2).op(W.ext64u).i64(sz).op(W.i64shl).get(v).op(W.ext64u, W.i64or).set(L_W);
      const [toward, back] = op === RCL ? [W.i64shl, W.i64shru] : [W.i64shru, W.i64shl];
      e.get(L_W).get(c).op(W.ext64u, toward);
      e.get(L_W).i32(sz + 1).get(c).op(W.sub, W.ext64u, back).op(W.i64or);
      e.i64(63 - sz).op(W.i64shl).i64(63 - sz).op(W.i64shru).set(L_W); // its low sz + 1 bits
      e.get(L_W).op(W.wrap); if (sz !== 32) e.i32(m).op(W.and); e.set(T2);
      e.get(L_W).i64(sz).op(W.i64shru, W.wrap).i32(1).op(W.and).set(T3);
      e.get(v).get(T2).op(W.xor).i32(top).op(W.shru).i32(1).op(W.and).set(T4);
      return;
    }
  }
}
/** SHLD (op SHL) or SHRD (SHR) of destination d by a non-zero count (1..31,
 *  pushed by `count`; a local may be T4) with bits from s: as shiftCompute,
 *  the result in T2, CF and OF in T3 and T4. As shift.ts, on a 64-bit value:
 *    SHLD32: v = d:s     tmp = (v << c-1) >> 32       res = (v << c) >> 32
 *    SHRD32: v = s:d     tmp = low32(v) >>> c-1 = d >>> c-1     res = v >> c
 *    16-bit: v = d:s:d (48 bits; a count over 16 brings d back in), both ways;
 *            SHRD's tmp = low32(v) >>> c-1 = s:d >>> c-1
 *    CF = the last bit out (tmp's top bit for SHLD, bit 0 for SHRD),
 *    OF = top bit of res ^ tmp (QEMU's for counts over 1: shift.ts) */
function shiftdCompute(e: Emitter, op: number, sz: number, d: number, s: number, count: () => void): void {
  const T2 = L_T + 2, T3 = L_T + 3, T4 = L_T + 4;
  const m = szMask(sz) | 0, top = sz - 1, left = op === SHL;
  const hi = sz === 32 && !left ? s : d;
  e.get(hi).op(W.ext64u).i64(32).op(W.i64shl);
  if (sz === 32) e.get(left ? s : d);
  else e.get(s).i32(16).op(W.shl).get(d).op(W.or);
  e.op(W.ext64u, W.i64or).set(L_W);
  const shifted = (minus1: boolean) => {
    e.get(L_W);
    if (!left && minus1) { e.op(W.wrap); count(); e.i32(1).op(W.sub, W.shru); }
    else {
      count(); if (minus1) e.i32(1).op(W.sub);
      e.op(W.ext64u, left ? W.i64shl : W.i64shru);
      if (left) e.i64(32).op(W.i64shru);
      e.op(W.wrap);
    }
    if (sz !== 32) e.i32(m).op(W.and);
  };
  shifted(true); e.set(T3);   // tmp, before the count in T4 is overwritten
  shifted(false); e.set(T2);
  e.get(T2).get(T3).op(W.xor).i32(top).op(W.shru).i32(1).op(W.and).set(T4);
  if (left) e.get(T3).i32(top).op(W.shru).i32(1).op(W.and).set(T3);
  else e.get(T3).i32(1).op(W.and).set(T3);
}
/** A shift by CL, the destination in T0: the count (CL & 31, MOD `modulus`
 *  if not 0) goes to `count`; 0 writes the destination back unchanged and
 *  changes no flag, otherwise `compute` leaves the result in T2, which is
 *  written and sets the flags. Which flags are lazy afterwards depends on the count. */
function shiftByCl(e: Emitter, i: Insn, sz: number, count: number, compute: () => void, modulus = 0): void {
  const T0 = L_T, T2 = L_T + 2; // as emitInsn's
  e.get(L_R + 1).i32(31).op(W.and);
  if (modulus) e.i32(modulus).op(W.remu);
  e.tee(count).op(W.eqz).open(W.if_, "");
  e.writeRM(i.rm!, sz, T0, true);
  e.else_();
  compute();
  e.writeRM(i.rm!, sz, T2, true);
  if (i.deadFlags) { e.end(); return; } // (translator.ts markDeadFlags)
  const before = e.fs;
  shiftFlags(e, i.sub!, sz);
  e.end();
  e.fs = { ...before, mask: null };
}

function shiftFlags(e: Emitter, op: number, sz: number): void {
  const T2 = L_T + 2, T3 = L_T + 3, T4 = L_T + 4;
  if (op === ROL || op === ROR || op === RCL || op === RCR) {
    // CF and OF only; the other flags keep their state (lazy or not)
    e.get(L_EFL).i32(~(CF | OF)).op(W.and).get(T3).op(W.or).get(T4).i32(11).op(W.shl).op(W.or).set(L_EFL);
    e.get(L_MASK).i32(~(CF | OF)).op(W.and).set(L_MASK);
    e.fs = { ...e.fs, mask: e.fs.mask === null ? null : e.fs.mask & ~(CF | OF) };
    e.flagsWritten = true;
    return;
  }
  e.get(L_EFL).i32(~(CF | OF | AF)).op(W.and).get(T3).op(W.or).get(T4).i32(11).op(W.shl).op(W.or).set(L_EFL);
  e.i32(lazyOp(LAZY_LOGIC, sz)).set(L_OP).get(T2).set(L_RES).i32(SF | ZF | PF).set(L_MASK);
  e.fs = { mask: SF | ZF | PF, kind: LAZY_LOGIC, carry: false, sz };
  e.flagsWritten = true;
}
