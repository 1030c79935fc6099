// Block translation, the core's half. The host (web/jit/translator.ts) turns a hot run
// of guest code (32-bit or 16-bit) into a wasm function; exec.ts runCpu calls it through the
// function table instead of interpreting those instructions one by one. Here:
// the block cache, the hotness counters, code-page write tracking, and the
// helpers translated code calls for what it does not do inline.
//
// A block is keyed by the host address of its first byte, which names the
// physical page (guest RAM is at RAM_BASE + physical address), so one
// translation serves every linear mapping of the code. Translated code keeps no
// EIP of its own: it adds offsets to the EIP it was entered with.
//
// Self-modifying code: a page holding translated code is marked PM_CODE in the
// physical page map, and the TLB gives it no fast write path (paging.ts), so
// every write to it reaches jitCheckWrite through the slow path (or physWrite*),
// which drops the page's translations before the write lands. A translated block
// never writes there itself: off the fast path it leaves before the instruction.
//
// Memory off the fast path inside a block (a TLB miss, a page crossing, MMIO,
// ROM, a page of translated code, a fault to raise): translated code makes its
// memory accesses before it commits an instruction's register and flag
// results, so it stores the state as it was before that instruction, sets EIP
// to it and returns with BLOCK_INTERPRET; the interpreter runs the instruction
// (and raises its fault as it would anyway). An instruction run by the
// interpreter's handler inside a block (jitStep) that faults stores the state
// as before it the same way, with BLOCK_FAULTED; runCpu delivers the exception.

import { JIT_WORDS, JIT_CACHE, JIT_SLOTS, RAM_BASE, ROM_BASE, ROM_SIZE } from "../layout";
import { OFF_ICOUNT, OFF_NMI, NMI_PENDING, OFF_INIT, getEip, setEip, getCpl, segBase, S_CS } from "./state";
import { faultPending, faultVector, faultError, faultHasError, clearFault } from "./fault";
import { stack32 } from "./mem";
import { testCC, getEflags } from "./flags";
import { codeHost, codeAvail, csDefault32 } from "./decode";
import { deliverException, intrLine, stretchEndPending, stepInBlock, stringInBlock } from "./exec";
import { physEntry, setPhysEntry, ramSize, PM_CODE, mmioSeenTake } from "../mmu/phys";
import { tlbFlush, publishTlbMasks } from "../mmu/paging";
import { tscAfter } from "../clock";
import { cpuFeatures } from "./features";

// Words translated code reads (layout.ts JIT_WORDS; +0 is state.ts OFF_ATTENTION,
// +48 state.ts OFF_PAUSE).
export const JIT_READ_MASK: u32 = JIT_WORDS + 4;   // paging.ts tlbReadMask
export const JIT_WRITE_MASK: u32 = JIT_WORDS + 8;  // paging.ts tlbWriteMask
const JIT_OUT: u32 = JIT_WORDS + 16;               // to the host: jitMode(); its answer: instructions, bytes
export const JIT_CALLS: u32 = JIT_WORDS + 24;      // u64: translated blocks entered (for tools)
export const JIT_INSNS: u32 = JIT_WORDS + 32;      // u64: instructions they retired
export const JIT_CHAINED: u32 = JIT_WORDS + 40;    // instructions retired by blocks that went on to another
export const JIT_TSC_HI: u32 = JIT_WORDS + 44;     // after jitRdtsc: the TSC's high half
export const JIT_RETIRED: u32 = JIT_WORDS + 52;    // before a slow read or write: instructions the chain retired before it
export const JIT_FEATURES: u32 = JIT_WORDS + 56;   // the CPU's features (features.ts), for the SSE checks (web/jit/simd.ts)
export const JIT_GEN: u32 = JIT_WORDS + 60;        // jitMapsChanged's count, in steps of IC_GEN_STEP
export const JIT_IC_TAG: u32 = JIT_WORDS + 64;     // after jitLookup found a block: the tag a block keeps with it
export const JIT_IC_COUNT: u32 = JIT_WORDS + 68;   // ... and that block's instruction count

// Blocks remember, per exit that looks its target up, the last target EIP
// found and its translation (an inline cache, IC: web/jit/emitter.ts
// emitChain), and take it again without a look-up while the tag they kept
// with it (JIT_IC_TAG) equals JIT_GEN | CPL and CS's base is 0: what
// jitLookup found for an EIP then still holds. JIT_GEN changes whenever that
// may no longer be so: a TLB flush (paging.ts: a mapping or fetch permission
// may change) and a dropped translation (its table index may be reused). CPL
// is checked because fetch permission depends on it, and changes too often to
// count here (every system call); a CS base other than 0 tags nothing
// (IC_NEVER).
// JIT_GEN wraps after 2^29 changes, and a tag kept since the last time it
// had its value would hold again: when it would wrap, it stays GEN_WRAPPED
// (which no JIT_GEN | CPL of a kept tag equals, and jitLookup tags nothing
// meanwhile) until jitRun, between blocks, drops every translation, their
// modules' caches with them, and starts it again from 0.
export const IC_GEN_STEP: u32 = 8;
export const IC_NEVER: u32 = 4; // a tag JIT_GEN | CPL never equals (CPL < 4, JIT_GEN a multiple of 8)
const GEN_WRAPPED: u32 = 0xfffffffc; // | CPL: bit 2 set, as in no kept tag; not IC_NEVER
export function jitMapsChanged(): void {
  let g = load<u32>(JIT_GEN);
  store<u32>(JIT_GEN, g >= GEN_WRAPPED - IC_GEN_STEP ? GEN_WRAPPED : g + IC_GEN_STEP);
}

// A block function returns the instructions it retired, with this bit set when
// one faulted (its state stored as before that instruction, the fault recorded).
export const BLOCK_FAULTED: u32 = 0x80000000;
// ... or with this one when it stopped before an instruction in a case it does
// not translate (CLI that raises #GP, POPF that sets TF): its state stored as
// before that instruction, which the interpreter runs next.
export const BLOCK_INTERPRET: u32 = 0x40000000;
let interpretNext: bool = false;
// The host address of the instruction a block left to the interpreter
// (BLOCK_INTERPRET), while it runs: if it reached a device (MMIO), the host
// is told (jitMmioSite), and after a few times it answers that the blocks
// holding it are to be translated again with that instruction by its
// handler, so that a loop polling a device stays in its block.
let interpretedHost: u32 = 0;
/** The instruction at host address `host`, left by a block to the
 *  interpreter, reached a device: whether the host now translates it by the
 *  interpreter's handler (its page's translations are then dropped). */
@external("env", "jitMmioSite") declare function hostMmioSite(host: u32): bool;

// Status a write helper returns.
export const WR_OK: u32 = 0;
export const WR_FAULT: u32 = 1;
export const WR_CODE: u32 = 2; // the write hit translated code: leave the block after this instruction

/** Translate the code at host address `host` (at most `maxLen` bytes, all on one
 *  page); returns a function-table index, or 0 when the host declines. Writes the
 *  block's instruction count and byte length to `out`. Or, if `mayWait`, returns
 *  HOST_WAITING | ticket: the block is translated but waits for its wasm module,
 *  which the host compiles with others (a module costs V8 a fixed time, whatever
 *  its size) and installs by jitInstall, at the latest when jitFlush is called. */
@external("env", "jitCompile") declare function hostCompile(host: u32, maxLen: u32, out: u32, mayWait: bool): u32;
/** Compile the waiting blocks now, and install them (jitInstall). */
@external("env", "jitFlush") declare function hostFlush(): void;
/** The table slot of a dropped translation may be reused. */
@external("env", "jitRelease") declare function hostRelease(fn: u32): void;
export const HOST_WAITING: u32 = 0x80000000; // jitCompile's answer: translated, waiting for its module

// Executions of a block start before it is translated (weighted by the
// instructions it runs: weighCounted): enough that one-off code (boot, set-up)
// stays interpreted and the translation cost is spread thin. 4000 against 8000
// (2026-12-06, docs/PERFORMANCE.md): the workload's steps 5-15% faster, the
// boot 1-2% slower. Tests lower it so that short guest programs run
// translated (index.ts).
let HOT: u32 = 4000;
export function jitSetThreshold(n: u32): void { HOT = n < 1 ? 1 : min(n, MAX_HOT); jitFlushAll(); }
const MAX_HOT: u32 = 0x8000000; // counts stay below WAITING
const REFUSED: u32 = 0xffffffff; // count of a start the host declined to translate
// A start whose translation waits for its module (HOST_WAITING) counts its
// runs from WAITING (SLOT_LEN holds the host's ticket): the interpreter runs
// it meanwhile, and when it has run HOT / 16 more times the host is asked to
// compile the waiting blocks at once (a hot loop waits little; the others
// wait for company, or for the host's jitFlush at the end of the run slice).
const WAITING: u32 = 0xf0000000;
@inline function waitingRuns(): u32 { return HOT >> 4; }
// Below this threshold (tests' 1 and 100) a block is installed when it is
// translated, as it was before modules held several blocks.
const WAIT_MIN_HOT: u32 = 1000;

// The block cache (layout.ts JIT_CACHE): JIT_SLOTS slots of SLOT_SIZE bytes,
// SET_WAYS per hash set (a set is one 64-byte line of the host's cache). A
// start that is only being counted replaces the least-counted of them, and
// never a translated block (cold code passing through must not evict hot
// blocks). With two ways, two hot starts of a set whose other slot held a
// translation took the one free slot from each other on every run and were
// never translated (the shell loop ran one of them interpreted 144,000 times,
// docs/PERFORMANCE.md); countNew ages the counts for the same reason.
// Translated code looks slots up too (chaining), so these names are generated
// for it (tools/gen-jit-constants.mjs).
export const SLOT_KEY: u32 = 0;    // host address of the block's first byte (0 = empty)
export const SLOT_FN: u32 = 4;     // function-table index (0 = not translated)
export const SLOT_COUNT: u32 = 8;  // executions so far; once translated, its instruction count
export const SLOT_LEN: u32 = 12;   // block length in bytes | the LEN_* mode, once translated
export const SLOT_SIZE: u32 = 16;
export const SET_WAYS: u32 = 4;
// A set is chosen by Fibonacci hashing: the top bits of host * 2^32/phi.
export const SET_HASH: u32 = 0x9e3779b1;
export const SET_SHIFT: u32 = 17;
// A block is translated for the code and stack size it first ran with; they
// stand above its length in SLOT_LEN, so that one comparison with the bytes
// left in the fetch window also misses when they differ now. Blocks run in
// protected mode and in real mode, not in virtual-8086 mode (exec.ts jitReady).
export const LEN_CODE16: u32 = 0x10000;  // 16-bit code: CS.D = 0, or real mode
export const LEN_STACK16: u32 = 0x20000; // a 16-bit stack: SS.B = 0 (SP)
/** The code and stack size blocks run with now (LEN_*). */
@inline export function jitMode(): u32 { return (csDefault32 ? 0 : LEN_CODE16) | (stack32() ? 0 : LEN_STACK16); }
@inline function setOf(host: u32): u32 { return JIT_CACHE + ((((host * SET_HASH) >>> SET_SHIFT) & ~(SET_WAYS - 1)) * SLOT_SIZE); }
/** The slot of set `set` holding start `host`, or 0. */
@inline function inSet(set: u32, host: u32): u32 {
  for (let w: u32 = 0; w < SET_WAYS; w++) {
    let slot = set + w * SLOT_SIZE;
    if (load<u32>(slot + SLOT_KEY) == host) return slot;
  }
  return 0;
}
/** The slot holding start `host`, or 0. */
@inline function slotOf(host: u32): u32 { return inSet(setOf(host), host); }

let enabled: bool = true;
let codeWritten: bool = false;

export function jitSetEnabled(on: bool): void { enabled = on; jitFlushAll(); }
@inline export function jitEnabled(): bool { return enabled; }

/** Drop every translation (reset, snapshot restore, the host rewrote memory). */
export function jitFlushAll(): void {
  for (let i: u32 = 0; i < JIT_SLOTS; i++) {
    let s = JIT_CACHE + i * SLOT_SIZE;
    let fn = load<u32>(s + SLOT_FN);
    if (fn != 0) hostRelease(fn);
  }
  jitMapsChanged();
  memory.fill(JIT_CACHE, 0, JIT_SLOTS * SLOT_SIZE);
  for (let p: u32 = 0; p < (ramSize >>> 12); p++) {
    let e = physEntry(p << 12);
    if (e & PM_CODE) setPhysEntry(p, e & ~PM_CODE);
  }
  publishTlbMasks();
}

/** A write is about to land at host address `host` (slow path, linear.ts). */
export function jitCheckWrite(host: u32): void {
  let phys = host - RAM_BASE;
  if (host >= RAM_BASE && phys < ramSize && (physEntry(phys) & PM_CODE) != 0) jitCodeWritten(phys >>> 12);
}

/** Physical page `page` is being written: drop its translations. */
export function jitCodeWritten(page: u32): void {
  setPhysEntry(page, physEntry(page << 12) & ~PM_CODE);
  dropPage(RAM_BASE + (page << 12));
}

/** Drop the translations, waiting ones and counts of the starts on the host
 *  page at `lo`. */
function dropPage(lo: u32): void {
  for (let i: u32 = 0; i < JIT_SLOTS; i++) {
    let s = JIT_CACHE + i * SLOT_SIZE;
    if (load<u32>(s + SLOT_KEY) - lo < 4096) {
      let fn = load<u32>(s + SLOT_FN);
      if (fn != 0) hostRelease(fn);
      store<u32>(s + SLOT_KEY, 0); store<u32>(s + SLOT_FN, 0); store<u32>(s + SLOT_COUNT, 0);
    }
  }
  jitMapsChanged();
  codeWritten = true;
}

/** A start seen for the first time: count it in the least-counted slot of its
 *  set that holds no translation, if that count has aged to nothing (or the
 *  translator declined that start). The counts of the others that are only
 *  counted go down by one: a start that stopped running makes way after as
 *  many misses as it had runs, and two hot starts do not take the one slot
 *  of lowest count from each other for ever (the shell loop had such a pair
 *  behind two old counts of 75 and 49). A start that runs counts up once a
 *  run, and more for long code (weighCounted): misses around it only slow it
 *  down (tests/guest/jit_sets.asm, jit_lastway.asm). */
function countNew(set: u32, host: u32): void {
  let victim: u32 = 0, least: u32 = 0xffffffff;
  for (let w: u32 = 0; w < SET_WAYS; w++) {
    let slot = set + w * SLOT_SIZE;
    if (load<u32>(slot + SLOT_FN) != 0) continue;
    let c = load<u32>(slot + SLOT_COUNT);
    if (victim == 0 || c < least) { victim = slot; least = c; }
    if (c - 1 < WAITING - 1) store<u32>(slot + SLOT_COUNT, c - 1); // 1 .. WAITING - 1
  }
  // With the other ways translated, a hot start alone in the last one lost it
  // to every start passing through the set, and was never translated (the
  // shell loop entered one so 2 M times a run, interpreting 5% of its
  // instructions: docs/PERFORMANCE.md, "The last way of a set").
  if (victim == 0 || (least > 1 && least != REFUSED)) return;
  store<u32>(victim + SLOT_KEY, host); store<u32>(victim + SLOT_COUNT, 1);
}

/** Returns the translation's function-table index, or 0: declined (the slot
 *  is REFUSED) or waiting for its module (WAITING; only if `mayWait`). */
function translate(slot: u32, host: u32, avail: u32, mayWait: bool): u32 {
  store<u32>(JIT_OUT, jitMode());
  let fn = hostCompile(host, avail, JIT_OUT, mayWait && HOT >= WAIT_MIN_HOT);
  if (fn == 0) { store<u32>(slot + SLOT_COUNT, REFUSED); return 0; }
  // From the translation on, writes to its page are seen (jitCodeWritten drops
  // the slot, waiting or not: a waiting translation of old bytes is never installed).
  if (host >= RAM_BASE) {
    let page = (host - RAM_BASE) >>> 12;
    let e = physEntry(page << 12);
    if (!(e & PM_CODE)) {
      setPhysEntry(page, e | PM_CODE);
      tlbFlush(false); // no TLB entry may keep a fast write path to the page
    }
  }
  if (fn & HOST_WAITING) {
    store<u32>(slot + SLOT_COUNT, WAITING);
    store<u32>(slot + SLOT_LEN, fn & ~HOST_WAITING);
    return 0;
  }
  store<u32>(slot + SLOT_FN, fn);
  store<u32>(slot + SLOT_COUNT, load<u32>(JIT_OUT));
  store<u32>(slot + SLOT_LEN, load<u32>(JIT_OUT + 4));
  return fn;
}

/** The host's compiled module for the translation of `host` it answered with
 *  `ticket`: install it as function `fn` (`insns` instructions, `len` bytes),
 *  if the start still waits for it (its slot was not dropped or reused since);
 *  `fn` 0: it failed, and the start is left to the interpreter (REFUSED).
 *  Returns whether the start still waited; if not, the host frees `fn`. */
export function jitInstall(host: u32, ticket: u32, fn: u32, insns: u32, len: u32): bool {
  let slot = slotOf(host);
  if (slot == 0) return false;
  let c = load<u32>(slot + SLOT_COUNT);
  if (load<u32>(slot + SLOT_FN) != 0 || c < WAITING || c == REFUSED || load<u32>(slot + SLOT_LEN) != ticket) return false;
  if (fn == 0) { store<u32>(slot + SLOT_COUNT, REFUSED); return true; }
  store<u32>(slot + SLOT_FN, fn);
  store<u32>(slot + SLOT_COUNT, insns);
  store<u32>(slot + SLOT_LEN, len);
  return true;
}

/** Code at host address `host` may be translated: ROM images (written only by
 *  the host before a reset) and RAM whose writes are all seen here - not
 *  0xC0000-0xFFFFF, where the PAM registers switch pages between ROM and RAM
 *  and write-only modes store behind the MMU's back (dev/pci.ts). */
@inline function translatable(host: u32): bool {
  if (host - ROM_BASE < ROM_SIZE) return true;
  let phys = host - RAM_BASE;
  return phys < ramSize && phys - 0xc0000 >= 0x40000;
}

// A start is counted once per execution, and once more per WEIGH_INSNS (4)
// instructions the interpreter ran from it before control moved on (up to the
// next jitRun): a start whose code runs long between branches is translated
// after fewer executions, so that the warm-up costs about as many interpreted
// instructions for a long block as for a short one. (In the boot, blocks of
// 32 to 48 instructions were 63% of the instructions run before translation.)
const WEIGH_SHIFT: u32 = 2; // WEIGH_INSNS = 4
let counted: u32 = 0;       // the slot counted last, while its code runs interpreted
let countedHost: u32 = 0;   // ... its key then
let countedLeft: u32 = 0;   // ... and jitRun's budget then
function weighCounted(left: u32): void {
  let slot = counted;
  counted = 0;
  let ran = countedLeft - left; // within one runCpu budget; else (a new budget) large
  if (ran > 4096 || load<u32>(slot + SLOT_KEY) != countedHost || load<u32>(slot + SLOT_FN) != 0) return;
  let c = load<u32>(slot + SLOT_COUNT);
  if (c < HOT) store<u32>(slot + SLOT_COUNT, min(HOT, c + (ran >> WEIGH_SHIFT)));
}

/** jitRun's answers when no block ran: the interpreter runs the next
 *  instruction, and asks again only after a control transfer (JIT_MISS: the
 *  start is cold or not translatable here, and the instructions that follow it
 *  are not block starts); or the interpreter runs the next instruction and asks
 *  again right after it (JIT_STEP_ONE: one a block left to it, or a start the
 *  translator declined, whose successor may well be translated). */
export const JIT_MISS: i32 = -1;
export const JIT_STEP_ONE: i32 = -2;

/** Run the translated block at CS:EIP if there is one. Returns the number of
 *  instructions it accounts for (retired, plus one for an instruction that
 *  faulted), or JIT_MISS / JIT_STEP_ONE when the interpreter is to run the
 *  next instruction. */
export function jitRun(left: u32): i32 {
  if (load<u32>(JIT_GEN) == GEN_WRAPPED) { jitFlushAll(); store<u32>(JIT_GEN, 0); }
  if (counted != 0) weighCounted(left);
  if (interpretedHost != 0) {
    if (mmioSeenTake() && hostMmioSite(interpretedHost)) dropPage(interpretedHost & ~0xfff);
    interpretedHost = 0;
  }
  if (interpretNext) {
    interpretNext = false;
    interpretedHost = codeHost(getEip());
    mmioSeenTake();
    return JIT_STEP_ONE;
  }
  let eip = getEip();
  let host = codeHost(eip);
  if (!translatable(host)) return JIT_MISS;
  let set = setOf(host);
  let slot = inSet(set, host);
  if (slot == 0) { countNew(set, host); return JIT_MISS; }
  let fn = load<u32>(slot + SLOT_FN);
  let avail = codeAvail(eip);
  if (fn == 0) {
    let c = load<u32>(slot + SLOT_COUNT);
    if (c == REFUSED) return JIT_STEP_ONE;
    if (c >= WAITING) {
      if (c - WAITING < waitingRuns()) { store<u32>(slot + SLOT_COUNT, c + 1); return JIT_MISS; }
      hostFlush(); // installs this one (the slot stays: no guest code ran)
      fn = load<u32>(slot + SLOT_FN);
      if (fn == 0) {
        // Its module is still being made in another thread (a compile
        // worker: web/jit/compilework.ts), and it has run on long enough:
        // translated here and now (the worker's answer is then stale).
        c = load<u32>(slot + SLOT_COUNT);
        if (c < WAITING || c == REFUSED) return JIT_MISS;
        fn = translate(slot, host, avail, false);
        if (fn == 0) return load<u32>(slot + SLOT_COUNT) == REFUSED ? JIT_STEP_ONE : JIT_MISS;
      }
    } else if (c < HOT) {
      store<u32>(slot + SLOT_COUNT, c + 1);
      counted = slot; countedHost = host; countedLeft = left;
      return JIT_MISS;
    } else {
      fn = translate(slot, host, avail, true);
      if (fn == 0) return load<u32>(slot + SLOT_COUNT) == REFUSED ? JIT_STEP_ONE : JIT_MISS;
    }
  }
  // The whole block must lie inside the fetch window (CS limit, same page), one
  // pass through it inside the budget, and the code and stack size be its own.
  if ((load<u32>(slot + SLOT_LEN) ^ jitMode()) > avail || load<u32>(slot + SLOT_COUNT) > left) return JIT_MISS;
  codeWritten = false;
  store<u64>(JIT_CALLS, load<u64>(JIT_CALLS) + 1);
  store<u32>(JIT_CHAINED, 0);
  store<u32>(JIT_FEATURES, cpuFeatures);
  chainDepth = 0;
  let r = call_indirect<u32>(fn, left);
  let n = (r & ~(BLOCK_FAULTED | BLOCK_INTERPRET)) + load<u32>(JIT_CHAINED);
  if (r & BLOCK_INTERPRET) interpretNext = true;
  store<u64>(OFF_ICOUNT, load<u64>(OFF_ICOUNT) + <u64>n);
  store<u64>(JIT_INSNS, load<u64>(JIT_INSNS) + <u64>n);
  if (r & BLOCK_FAULTED) {
    let v = faultVector, err = faultError, has = faultHasError;
    clearFault();
    deliverException(v, err, has);
    return <i32>n + 1;
  }
  return <i32>n;
}

/** For a block leaving to an EIP it cannot resolve when translated (RET, an
 *  indirect JMP or CALL, a target on another page; web/jit/emitter.ts emitChain):
 *  the translation jitRun would call next at CS:eip - translated, wholly inside
 *  the fetch window (CS limit, the page mapped for fetching at this CPL, as
 *  codeHost checks), one pass within `left`, translated for the code and
 *  stack size in use - or 0 (the block returns, and
 *  jitRun counts or translates the target as usual). With a block found, the
 *  tag and count the asking block may keep with it (JIT_IC_TAG, JIT_IC_COUNT). */
export function jitLookup(eip: u32, left: u32): u32 {
  let host = codeHost(eip);
  if (!translatable(host)) return 0;
  let slot = slotOf(host);
  if (slot == 0) return 0;
  let fn = load<u32>(slot + SLOT_FN);
  let count = load<u32>(slot + SLOT_COUNT);
  if (fn == 0 || (load<u32>(slot + SLOT_LEN) ^ jitMode()) > codeAvail(eip) || count > left) return 0;
  let gen = load<u32>(JIT_GEN);
  store<u32>(JIT_IC_TAG, segBase(S_CS) == 0 && gen != GEN_WRAPPED ? gen | getCpl() : IC_NEVER);
  store<u32>(JIT_IC_COUNT, count);
  return fn;
}

// --- helpers for translated code (exported by index.ts) ---
// An instruction a block runs by the interpreter's handler (jitStep, jitStr)
// may reach a device that reads the clock (a timer programmed or read, an HPET
// or PM-timer count), and the clock follows the instruction count, which a
// block adds to OFF_ICOUNT only when jitRun returns. For the handler the count
// is what the interpreter would have: the instructions the chain retired
// before this one (JIT_RETIRED, which the block stores first) are added, and
// taken off again after. (A block's own memory accesses take no helper: off
// their fast path the block leaves before the instruction, and the
// interpreter runs it; web/jit/emitter.ts read.)
@inline function atInstruction(): u64 {
  let ic = load<u64>(OFF_ICOUNT);
  store<u64>(OFF_ICOUNT, ic + <u64>load<u32>(JIT_RETIRED));
  return ic;
}
/** What makes the run loop act before the next instruction (exec.ts
 *  betweenInstructions): the stretch ending, INTR, an NMI, an INIT (the ICR
 *  write that sends one leaves the block even when the stretch was ending
 *  anyway: the INIT is taken after that write, translated or not). */
@inline function runLoopEvents(): u32 {
  return (stretchEndPending() ? 1 : 0) | (intrLine ? 2 : 0) | ((load<u32>(OFF_NMI) & NMI_PENDING) != 0 ? 4 : 0)
    | (load<u32>(OFF_INIT) != 0 ? 8 : 0);
}
/** After a handler's instruction: it faulted; or it wrote translated code,
 *  or a device it reached raised something for the run loop (a timer
 *  reprogrammed ends the CPU's stretch, an EOI raises the next interrupt): the
 *  interpreter looks at that before the next instruction, so the block leaves
 *  after this one, and translated and interpreted runs retire the same
 *  instructions between the same events (a replay restored from a checkpoint,
 *  whose translations are gone, stays on its recording). */
@inline function wrStatus(before: u32): u32 {
  if (faultPending) return WR_FAULT;
  return codeWritten || (runLoopEvents() & ~before) != 0 ? WR_CODE : WR_OK;
}
/** An instruction a block runs by the interpreter's own handler (the opcode
 *  map's jit=interp: SSE, SSE2, SSE3, MMX, x87), at `eip`. The block has stored the
 *  general registers the instruction names (ModRM operands and addressing,
 *  EDI for MASKMOVQ/MASKMOVDQU), the flag state if it reads or writes flags
 *  (COMISS, FCOMI, FCMOVcc and the like) and JIT_RETIRED, and reloads them after. Its checks (#UD, #NM
 *  with CR0.TS, #MF, #GP for alignment, #XM) and memory accesses are the
 *  interpreter's; a fault leaves the state as before it (exec.ts stepInBlock).
 *  Returns as a write helper: WR_FAULT, WR_CODE when it wrote translated code
 *  or raised something for the run loop (the block leaves after it), WR_OK. */
export function jitStep(eip: u32): u32 {
  let b = runLoopEvents(), ic = atInstruction();
  setEip(eip);
  stepInBlock();
  store<u64>(OFF_ICOUNT, ic);
  return wrStatus(b);
}
/** What jitStr runs (web/jit/decode.ts "string" builds it): bits 0-2 the
 *  element size in bytes (1, 2, 4); from JIT_STR_KIND_SHIFT the kind
 *  (string.ts K_MOVS, K_STOS, K_LODS, K_CMPS, K_SCAS); from JIT_STR_REP_SHIFT
 *  the repeat prefix (0 none, 1 F3, 2 F2); from JIT_STR_SEG_SHIFT the segment
 *  override + 1 (0: none); from JIT_STR_LEN_SHIFT the instruction's length;
 *  JIT_STR_A16: 16-bit addressing (SI, DI, CX). */
export const JIT_STR_KIND_SHIFT: u32 = 3;
export const JIT_STR_REP_SHIFT: u32 = 6;
export const JIT_STR_SEG_SHIFT: u32 = 8;
export const JIT_STR_LEN_SHIFT: u32 = 12;
export const JIT_STR_A16: u32 = 1 << 16;
/** MOVS, STOS, LODS, CMPS or SCAS (REP, REPE/REPNE or not) at `eip` in a
 *  block, as jitStep runs it, but by its handler directly: the block's decoder
 *  has read the prefixes, and the interpreter's decoder (a large function V8
 *  optimises only once it is hot) stays out of the way. The block stores and
 *  reloads the registers and the flag state as for jitStep. */
export function jitStr(eip: u32, key: u32): u32 {
  let b = runLoopEvents(), ic = atInstruction();
  let rep = (key >> JIT_STR_REP_SHIFT) & 3;
  stringInBlock(eip, (key >> JIT_STR_KIND_SHIFT) & 7, key & 7, rep == 1 ? 0xf3 : rep == 2 ? 0xf2 : 0,
    <i32>((key >> JIT_STR_SEG_SHIFT) & 7) - 1, (key >> JIT_STR_LEN_SHIFT) & 15, (key & JIT_STR_A16) == 0);
  store<u64>(OFF_ICOUNT, ic);
  return wrStatus(b);
}
/** A condition code from the flag state in memory (translated code stores its
 *  flag state first when it cannot tell the answer itself). */
export function jitTestCC(cc: u32): u32 { return testCC(cc) ? 1 : 0; }
/** EFLAGS with the lazy flags folded in, from the flag state in memory (stored
 *  first; afterwards nothing is lazy there). */
export function jitEflags(): u32 { return getEflags(); }
/** RDTSC (system.ts rdtsc) in a block, `retired` instructions after jitRun
 *  entered the first block (those are counted only when it returns): the TSC's
 *  low half; the high half in JIT_TSC_HI. */
export function jitRdtsc(retired: u32): u32 {
  let t = tscAfter(<u64>retired);
  store<u32>(JIT_TSC_HI, <u32>(t >> 32));
  return <u32>t;
}

// Blocks that go straight on to the next block (chaining, web/jit/emitter.ts
// emitChain) tail-call the host's link (web/jit/translator.ts chainModule),
// which tail-calls the next block through this module's table. This one is
// the link under the host's exit counting (Translator.countExits, whose
// counter between the links cannot tail-call): each link adds a frame here,
// so a chain stops after MAX_CHAIN links (returning 0: the block before has
// stored its state and counted itself).
const MAX_CHAIN: u32 = 64;
let chainDepth: u32 = 0;
export function jitChain(fn: u32, left: u32): u32 {
  if (chainDepth >= MAX_CHAIN) return 0;
  chainDepth++;
  let r = call_indirect<u32>(fn, left);
  chainDepth--;
  return r;
}
