// The execution loop: one instruction at a time, with the fault model of fault.ts.
// Before each instruction the hot state (GPRs, EIP, EFLAGS, lazy flags) is copied
// to a shadow; if the instruction faults, the shadow is restored and the exception
// delivered, so faults restart with architectural state unchanged (SDM vol. 3 §6.5).
// Double and triple faults follow SDM vol. 3 §6.15, interrupt 8, table 6-5.

import {
  OFF_REGS, OFF_SHADOW, OFF_EFLAGS, OFF_HALTED, OFF_INHIBIT_IRQ, OFF_ICOUNT, OFF_DR, OFF_PAUSE,
  OFF_NMI, NMI_PENDING, NMI_BLOCKED, INHIBIT_RUNNING, OFF_INIT,
  attentionSet, needAttention, setAttention, trapWatch, watchTraps, setTrapWatch,
  S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, IF, TF, RF, getEip,
} from "./state";
import {
  faultPending, faultVector, faultError, faultHasError, clearFault,
  DE, DB, TS, NP, SS, GP, PF, DF,
} from "./fault";
import {
  fetch8, setPrefixState, setOpsize32, setAddrsize32, setSegOverride, setRepPrefix, setLockPrefix,
  setOpcode, setInstrStart, csDefault32, opsize32, lockPrefix, prefixDirty,
} from "./decode";
import { dispatch, lockAllowed } from "./optable";
import { stringOp } from "./string";
import { instrBpEnabled, instrBpCheck, dataBpEnabled, dataBpHits, clearDataBpHits, debugTrapStatus } from "./debug";
import { deliverInterrupt, INT_EXT, INT_EXC } from "./interrupts";
import { raiseGP, raiseUD } from "./fault";
import { setEip, segBase } from "./state";
import { v86Mode } from "./segments";
import { jitRun, jitEnabled, JIT_STEP_ONE } from "./jit";
import { hostBreakCount, hostBreakHit, hostWatchHit, hostWatchTaken, hostWatchDrop } from "./hostdebug";
import { nonRoot, vmxException, vmxTripleFault, vmxEvent, vmxWantsAttention, vmxDelivering, vmxDelivered, vmxIretNmi, vmxEptExit, vmxInit } from "./vmxexit";
import { EPT_FAULT } from "../mmu/ept";
import { inVmx } from "./vmx";

// Why run() stopped (also the ABI's reason codes, index.ts).
export const STOP_BUDGET: u32 = 0;     // instruction budget spent
export const STOP_HALT: u32 = 1;       // HLT with nothing pending: the host may sleep
export const STOP_OUTPUT: u32 = 2;     // an output ring wants draining
export const STOP_EXIT: u32 = 3;       // the guest wrote the debug-exit port
export const STOP_RESET: u32 = 4;      // triple fault or reset request: machine was reset
export const STOP_POWEROFF: u32 = 5;
export const STOP_BREAKPOINT: u32 = 6; // a host breakpoint or watchpoint (hostdebug.ts says which)
export const STOP_BLOCKIO: u32 = 7;    // a block request needs the host
export const STOP_PAUSE: u32 = 8;      // the host asked for a stop (state.ts OFF_PAUSE)
export const STOP_TARGET: u32 = 9;     // the instruction count the host asked to stop at (machine.ts setStopAt)

/** Set when a suspended run resumes at a host breakpoint's address
 *  (machine.ts machineContinue): that one check passes, once, so the run goes
 *  on exactly as if it had never stopped there. */
export let hostBreakSkip: bool = false;
export function skipHostBreakOnce(on: bool): void { hostBreakSkip = on; }

export let stopReason: u32 = 0;
export let resetCause: u32 = 0;        // 1 = triple fault, 2 = guest reset request
export function requestStop(reason: u32): void { if (stopReason == 0) stopReason = reason; needAttention(); }
export function clearStop(): void { stopReason = 0; }

// The INTR line from the interrupt controllers, and how to acknowledge it.
export let intrLine: bool = false;
export function setIntrLine(level: bool): void { intrLine = level; if (level) needAttention(); }
export type IntrAck = () => i32;
function noAck(): i32 { return -1; }
let intrAck: IntrAck = noAck;
export function setIntrAck(f: IntrAck): void { intrAck = f; }
/** Acknowledge the INTR line: the vector, or -1 (VM exits that acknowledge it, vmxexit.ts). */
export function ackInterrupt(): i32 { return intrAck(); }

// NMI (SDM vol. 3 §6.7.1): an arriving NMI is latched (one at most: more arriving
// while one is held are lost); it is taken between instructions whatever
// EFLAGS.IF says, before the INTR line (§6.9), and from its delivery on NMIs are
// blocked until the next IRET completes. State in state.ts OFF_NMI.
/** An NMI arrives (local APIC ICR or LINT0/LINT1 in NMI mode, the monitor). */
export function raiseNmi(): void {
  store<u32>(OFF_NMI, load<u32>(OFF_NMI) | NMI_PENDING);
  needAttention();
}
/** An IRET executed, completed or `faulted` (it unblocks NMIs either way, SDM
 *  vol. 3 §6.7.1): NMIs are no longer blocked; a held one is taken next. */
export function nmiIretDone(faulted: bool): void {
  // In VMX non-root operation with NMI exiting, IRET leaves NMI blocking alone
  // or (virtual NMIs) ends virtual-NMI blocking instead (SDM vol. 3 §25.3).
  if (nonRoot() && vmxIretNmi(faulted)) return;
  let n = load<u32>(OFF_NMI);
  if ((n & NMI_BLOCKED) == 0) return;
  store<u32>(OFF_NMI, n & ~NMI_BLOCKED);
  if (n & NMI_PENDING) needAttention();
}
/** An NMI is pending and not blocked. */
@inline export function nmiReady(): bool { return load<u32>(OFF_NMI) == NMI_PENDING; }

// Triple fault: the machine resets; machine.ts installs what a reset means.
export type ResetHook = () => void;
function noReset(): void {}
let resetHook: ResetHook = noReset;
export function setResetHook(f: ResetHook): void { resetHook = f; }

// INIT (SDM vol. 3 §9.1, §10.6.1): the local APIC's INIT IPI. It is taken between
// instructions ahead of NMIs and interrupts (§6.9: priority 3, "external hardware
// interventions"), also from HLT. Outside VMX operation it is an INIT reset of
// the CPU (reset.ts initCpu) and of the local APIC (machine.ts installs that: the
// CPU does not reach the devices); the only CPU is the bootstrap processor, so it
// goes on at the reset vector (an application processor would wait for a SIPI,
// not modelled). In VMX root operation INIT is blocked: it stays pending until
// VMXOFF or a VM entry (§23.8, VMXOFF's "unblock INIT"); in non-root operation
// it causes a VM exit instead (§25.2, vmxexit.ts vmxInit).
/** An INIT signal arrives (local APIC ICR, delivery mode INIT). */
export function raiseInit(): void {
  store<u32>(OFF_INIT, 1);
  needAttention();
}
/** INIT is pending and not blocked by VMX root operation. */
@inline function initReady(): bool { return load<u32>(OFF_INIT) != 0 && (!inVmx() || nonRoot()); }
function noInit(): void {}
let initHook: ResetHook = noInit;
export function setInitHook(f: ResetHook): void { initHook = f; }

// Set by instructions that deliver an interrupt themselves (INT n, INT3, INTO):
// no single-step trap follows them (the handler runs with TF clear). Read and
// cleared by afterTrapFlags; a value left from an instruction that did not start
// with TF set is cleared there too before any instruction can start with TF set
// (TF is set only by writers that call watchTraps, or by the host between runs).
export let softIntDelivered: bool = false;
export function markSoftInt(): void { softIntDelivered = true; }

@inline function saveShadow(): void {
  store<v128>(OFF_SHADOW, load<v128>(OFF_REGS));
  store<v128>(OFF_SHADOW + 16, load<v128>(OFF_REGS + 16));
  store<v128>(OFF_SHADOW + 32, load<v128>(OFF_REGS + 32));
  store<v128>(OFF_SHADOW + 48, load<v128>(OFF_REGS + 48));
}
@inline function restoreShadow(): void {
  store<v128>(OFF_REGS, load<v128>(OFF_SHADOW));
  store<v128>(OFF_REGS + 16, load<v128>(OFF_SHADOW + 16));
  store<v128>(OFF_REGS + 32, load<v128>(OFF_SHADOW + 32));
  store<v128>(OFF_REGS + 48, load<v128>(OFF_SHADOW + 48));
}
/** Commit the current state as the restart point (REP string iterations). */
export function commitShadow(): void { saveShadow(); }

// Which first bytes are prefixes (or the 0F escape is not: see step): one load
// tells the common unprefixed instruction apart without a chain of compares.
const PREFIX_TABLE: usize = memory.data<u8>([
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,1,0,0,0,0,0,0,0,1,0, 0,0,0,0,0,0,1,0,0,0,0,0,0,0,1,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,1,1,1,1,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 1,0,1,1,0,0,0,0,0,0,0,0,0,0,0,0,
]);

/** Decode the prefixes starting with `b` (a prefix byte); returns the first
 *  byte after them (undefined after a fault). */
function decodePrefixes(b: u32, def: bool): u32 {
  let n: u32 = 0;
  while (true) {
    switch (b) {
      case 0x26: setSegOverride(S_ES); break;
      case 0x2e: setSegOverride(S_CS); break;
      case 0x36: setSegOverride(S_SS); break;
      case 0x3e: setSegOverride(S_DS); break;
      case 0x64: setSegOverride(S_FS); break;
      case 0x65: setSegOverride(S_GS); break;
      case 0x66: setOpsize32(!def); break;
      case 0x67: setAddrsize32(!def); break;
      case 0xf0: setLockPrefix(); break;
      case 0xf2: case 0xf3: setRepPrefix(b); break;
      default: return b;
    }
    // SDM vol. 2 §2.3.11: an instruction longer than 15 bytes raises #GP(0).
    if (++n >= 15) { raiseGP(0); return b; }
    b = fetch8();
  }
  return b;
}

/** Decode the instruction at CS:EIP and run its handler (the shadow saved). */
@inline function decodeAndRun(): void {
  let start = getEip();
  setInstrStart(start);
  let def = csDefault32;
  if (prefixDirty) setPrefixState(def, def);
  let b = fetch8();
  if (load<u8>(PREFIX_TABLE + b) != 0) b = decodePrefixes(b, def);
  if (!faultPending) {
    if (b == 0x0f) b = 0x100 | fetch8();
    setOpcode(b);
    if (lockPrefix && !lockOk(b)) raiseUD();
    else dispatch(b | (opsize32 ? 0x200 : 0));
  }
}

/** Execute one instruction. */
@inline export function step(): void {
  saveShadow();
  decodeAndRun();
  if (faultPending) { unwind(); return; }
  store<u64>(OFF_ICOUNT, load<u64>(OFF_ICOUNT) + 1);
  if (trapWatch) afterTrapFlags();
}

/** One instruction at CS:EIP for a translated block (jit.ts jitStep), by its
 *  handler as step() runs it, but neither counted nor followed by the
 *  end-of-instruction work (blocks run only while trapWatch is clear): after a
 *  fault the hot state is restored and the fault left recorded, for the block
 *  to return it and jitRun to deliver it, as for a faulting memory access. */
export function stepInBlock(): void {
  saveShadow();
  decodeAndRun();
  if (faultPending) restoreShadow();
}

/** A string instruction (string.ts `kind`, `size` bytes an element, repeat
 *  prefix `rep` (F3, F2 or 0), segment override `seg` or -1) of `len` bytes
 *  at `eip`, for a translated block (jit.ts jitStr): as stepInBlock runs it,
 *  without decoding it again: `addr32` for 32-bit addressing, else 16-bit;
 *  no LOCK. */
export function stringInBlock(eip: u32, kind: u32, size: u32, rep: u32, seg: i32, len: u32, addr32: bool): void {
  // EIP at the instruction first: a fault restores the shadow, EIP included.
  setEip(eip);
  saveShadow();
  setInstrStart(eip);
  setEip(eip + len);
  setPrefixState(size != 2, addr32);
  // The next decode starts from the code segment's defaults again.
  setSegOverride(seg);
  if (rep != 0) setRepPrefix(rep);
  stringOp(kind, size);
  if (faultPending) restoreShadow();
}

/** The rare end-of-instruction work for EFLAGS.RF, EFLAGS.TF and data breakpoints
 *  (only while state.ts trapWatch is set). */
function afterTrapFlags(): void {
  // EFLAGS as the instruction found it: the shadow saved before it ran.
  let eflagsAtStart = load<u32>(OFF_SHADOW + (OFF_EFLAGS - OFF_REGS));
  // RF is cleared after every instruction that completes (SDM vol. 3 §17.3.1.1).
  if (load<u32>(OFF_EFLAGS) & RF) store<u32>(OFF_EFLAGS, load<u32>(OFF_EFLAGS) & ~RF);
  // Single-step trap after an instruction that started with TF set (SDM vol. 3 §17.3.1.4),
  // and data-breakpoint traps (§17.3.1.2), reported together in DR6 by one #DB.
  let singleStep = (eflagsAtStart & TF) != 0 && !softIntDelivered;
  if (singleStep || dataBpHits != 0) {
    debugTrapStatus(singleStep);
    deliverException(DB, 0, false);
  }
  softIntDelivered = false;
  // A host watchpoint: the machine stops before the next instruction (hostdebug.ts).
  if (hostWatchHit) { hostWatchTaken(); requestStop(STOP_BREAKPOINT); }
  setTrapWatch((load<u32>(OFF_EFLAGS) & (TF | RF)) != 0 || dataBpEnabled);
}

/** LOCK is checked against the opcode map before the instruction runs; the
 *  ModRM byte is peeked at without consuming it. */
function lockOk(op: u32): bool {
  let eip = getEip();
  let m = fetch8();
  setEip(eip);
  return lockAllowed(op, m);
}

function unwind(): void {
  restoreShadow();
  if (dataBpHits != 0) clearDataBpHits(); // the instruction restarts: no trap
  hostWatchDrop();
  let v = faultVector, err = faultError, has = faultHasError;
  clearFault();
  deliverException(v, err, has);
}

@inline function contributory(v: u32): bool { return v == DE || v == TS || v == NP || v == SS || v == GP; }

/** Deliver an exception; a fault during delivery escalates per SDM table 6-5. */
export function deliverException(vector: u32, error: u32, hasError: bool): void {
  let v = vector, err = error, has = hasError;
  for (let depth = 0; depth < 3; depth++) {
    // An EPT violation or misconfiguration (mmu/ept.ts) is a VM exit, raised
    // like a fault; met while an event was delivered, it reports that event.
    if (v == EPT_FAULT) { vmxEptExit(); return; }
    if (nonRoot()) { if (vmxException(v, err, has)) return; vmxDelivering(v, 3, err, has, 0); }
    saveShadow();
    deliverInterrupt(v, INT_EXC, err, has);
    if (!faultPending) { vmxDelivered(); return; }
    let v2 = faultVector, err2 = faultError, has2 = faultHasError;
    clearFault();
    restoreShadow();
    if (v == DF) { tripleFault(); return; }
    if ((contributory(v) && contributory(v2)) || (v == PF && (contributory(v2) || v2 == PF))) {
      // A #DF that exits is not a VM exit during event delivery (SDM vol. 3 §27.2.3).
      v = DF; err = 0; has = true;
      vmxDelivered();
    } else {
      v = v2; err = err2; has = has2; // benign: handle the second exception serially
    }
  }
  tripleFault();
}

function tripleFault(): void {
  if (nonRoot()) { vmxTripleFault(); return; }
  tripleFaultShutdown();
}
/** Shutdown: the machine resets (a triple fault outside non-root operation, a VMX abort). */
export function tripleFaultShutdown(): void {
  resetCause = 1;
  resetHook();
  requestStop(STOP_RESET);
}
export function guestResetRequest(): void {
  resetCause = 2;
  resetHook();
  requestStop(STOP_RESET);
}

/** Deliver an event outside an instruction (VM entry's event injection, of
 *  interruption type `vmxType`; a software event returns `len` bytes on): a
 *  fault during its delivery is delivered in turn, as for an NMI. */
export function deliverEvent(vector: u32, kind: u32, error: u32, hasError: bool, vmxType: u32, len: u32): void {
  saveShadow();
  setEip(getEip() + len);
  vmxDelivering(vector, vmxType, error, hasError, len);
  deliverInterrupt(vector, kind, error, hasError);
  if (!faultPending) { vmxDelivered(); return; }
  restoreShadow();
  let v = faultVector, e = faultError, h = faultHasError;
  clearFault();
  deliverException(v, e, h);
}

/** The instruction in the shadow of STI/MOV SS (`inh`) is next. */
@inline function shadowStep(inh: u32): void {
  store<u32>(OFF_INHIBIT_IRQ, inVmx() ? inh | INHIBIT_RUNNING : 0);
}

// What runCpu does after betweenInstructions().
const GO_STEP: u32 = 0;
const GO_STOP: u32 = 1;
const GO_NEXT: u32 = 2;
const GO_SHADOW: u32 = 3; // the next instruction alone, interpreted: an interrupt is due after it

/** Stop requests, interrupts, the interrupt shadow, HLT and instruction
 *  breakpoints, checked before an instruction only while `attention` is set. */
// A device's next deadline may have moved earlier: the guest programmed a timer
// in the middle of a CPU stretch, whose end machineRun computed from the old
// deadlines. The stretch ends before the next instruction, machineRun brings
// the devices up to date and computes the next one, so the timer fires at its
// instruction whatever the host's slices are (icount runs depend on that).
let stretchEnds: bool = false;
export function endStretch(): void { stretchEnds = true; needAttention(); }
/** Whether the stretch ends at the next boundary (a suspended run keeps this: machine.ts). */
export function stretchEndPending(): bool { return stretchEnds; }
export function setStretchEndPending(on: bool): void { stretchEnds = on; if (on) needAttention(); }

function betweenInstructions(): u32 {
  if (stopReason != 0) return GO_STOP;
  if (load<u32>(OFF_PAUSE) != 0) { store<u32>(OFF_PAUSE, 0); requestStop(STOP_PAUSE); return GO_STOP; }
  if (stretchEnds) { stretchEnds = false; return GO_STOP; }
  let go = GO_STEP;
  // The shadow of STI or MOV SS covers one instruction (SDM vol. 2 STI). Outside
  // VMX operation it is dropped here, before that instruction, which runs alone
  // and interpreted when an event waits for it. In VMX operation it lasts while
  // the instruction runs (INHIBIT_RUNNING; the next boundary ends it), so that a
  // VM exit saves it and VMLAUNCH after MOV SS fails (SDM vol. 3 §24.4.2, §27.3.4).
  let inh = load<u32>(OFF_INHIBIT_IRQ);
  if (inh & INHIBIT_RUNNING) { inh = 0; store<u32>(OFF_INHIBIT_IRQ, 0); }
  if (initReady()) {
    store<u32>(OFF_INIT, 0);
    if (nonRoot()) vmxInit();
    else initHook();
    return GO_NEXT;
  }
  let nmi = nmiReady();
  if (nonRoot() && vmxEvent(nmi, intrLine, inh != 0)) return GO_NEXT;
  if (nmi || intrLine) {
    // The shadowed instruction is interpreted, so that a translated block does
    // not run on past it. It holds off an NMI too (SDM vol. 3 §6.8.3).
    if (inh != 0) { shadowStep(inh); go = GO_SHADOW; }
    else if (nmi) {
      // NMI: vector 2 as an external interrupt (no gate DPL check, no error
      // code); blocked from now until an IRET completes.
      store<u32>(OFF_NMI, NMI_BLOCKED);
      store<u32>(OFF_HALTED, 0);
      saveShadow();
      if (nonRoot()) vmxDelivering(2, 2, 0, false, 0);
      deliverInterrupt(2, INT_EXT, 0, false);
      if (faultPending) {
        restoreShadow();
        let v = faultVector, e = faultError, h = faultHasError;
        clearFault();
        deliverException(v, e, h);
      }
      vmxDelivered();
      return GO_NEXT;
    }
    else if (load<u32>(OFF_EFLAGS) & IF) {
      let vec = intrAck();
      if (vec >= 0) {
        store<u32>(OFF_HALTED, 0);
        saveShadow();
        if (nonRoot()) vmxDelivering(<u32>vec, 0, 0, false, 0);
        deliverInterrupt(<u32>vec, INT_EXT, 0, false);
        if (faultPending) {
          restoreShadow();
          let v = faultVector, e = faultError, h = faultHasError;
          clearFault();
          deliverException(v, e, h);
        }
        vmxDelivered();
        return GO_NEXT;
      }
    }
  } else if (inh != 0) {
    shadowStep(inh);
    if (inVmx()) go = GO_SHADOW;
  }
  if (load<u32>(OFF_HALTED) != 0) { requestStop(STOP_HALT); return GO_STOP; }
  if (instrBpEnabled) {
    let lin = segBase(S_CS) + getEip();
    // A host breakpoint stops the machine before the guest sees anything of it.
    let skip = hostBreakSkip;
    hostBreakSkip = false;
    if (hostBreakCount != 0 && !skip && hostBreakHit(lin)) {
      // Resuming here must find the shadow of STI/MOV SS as this check found it.
      if (go == GO_SHADOW) store<u32>(OFF_INHIBIT_IRQ, inh);
      requestStop(STOP_BREAKPOINT);
      return GO_STOP;
    }
    // Instruction breakpoints are faults, taken before the instruction (SDM vol. 3 §17.3.1.1).
    if (instrBpCheck(lin) != 0) { deliverException(DB, 0, false); return GO_NEXT; }
  }
  // Nothing more to do before this instruction: the loop may skip this function
  // until one of these becomes nonzero again (or something calls needAttention()).
  setAttention(<u32>intrLine | load<u32>(OFF_INHIBIT_IRQ) | <u32>instrBpEnabled | <u32>nmiReady() | <u32>vmxWantsAttention() | <u32>initReady());
  return go;
}

/** Translated blocks may run: not in virtual-8086 mode (where PUSHF, POPF and
 *  the rest of IOPL's rules differ), nothing to watch between instructions
 *  (single-step, RF, breakpoints), translation not switched off. Blocks are
 *  translated for the code and stack size in use (jit.ts jitMode).
 *  VMX non-root operation too: the instructions that can exit are not
 *  translated (they end a block; RDTSC goes to the interpreter there), an EPT
 *  violation is a fault like #PF, and events are taken between blocks. */
@inline function jitReady(): bool {
  return !trapWatch && !instrBpEnabled && jitEnabled() && !v86Mode();
}

/** Run up to `budget` instructions; returns how many ran. Stops early on a
 *  stop request or HLT with nothing to wake it. */
export function runCpu(budget: u32): u32 {
  let done: u32 = 0;
  needAttention(); // the host may have changed anything since the last run
  watchTraps();
  softIntDelivered = false;
  // Blocks start where control arrives: after a jump, call, return, interrupt or
  // fault, a block's own exit, or an instruction the translator left to the
  // interpreter. An interpreted instruction that fell through to the next one
  // (EIP advanced by at most an instruction's 15 bytes) needs no look-up.
  let lookUp = true;
  // The first instruction runs interpreted (watchTraps: the host may have set
  // TF or a breakpoint), and a block may start right behind it: a run often
  // resumes mid-block (a stretch ended after a device write, a deadline).
  let first = true;
  while (done < budget) {
    let go = GO_STEP;
    if (attentionSet()) {
      lookUp = true;
      go = betweenInstructions();
      if (go == GO_STOP) break;
      if (go == GO_NEXT) continue;
    }
    // After an instruction the translator declined at a block start, the next
    // one is looked up: a block may start right behind it.
    let stepOne = false;
    if (go == GO_STEP && lookUp && jitReady()) {
      let n = jitRun(budget - done);
      if (n >= 0) { done += <u32>n; continue; }
      stepOne = n == JIT_STEP_ONE;
    }
    // step() is inlined here once: the decoder is this function's bulk
    // (150 KB of wasm), and V8 optimises the function whole (PERFORMANCE.md).
    let start = getEip();
    step();
    done++;
    lookUp = stepOne || first || getEip() - start - 1 >= 15;
    first = false;
  }
  return done;
}

/** Execute exactly one instruction for a debugger (gdb's stepi, the monitor):
 *  interpreted, never a translated block; no interrupt is taken before it (as
 *  QEMU's gdbstub steps by default, SSTEP_NOIRQ) and no host breakpoint stops
 *  it (stepping off a breakpoint is how gdb resumes from one). A guest
 *  instruction breakpoint (DR7) still faults first, and a fault or a #DB trap is
 *  delivered, so the next instruction is then the handler's. A halted CPU stays
 *  halted (it waits for an interrupt). */
export function debugStep(): void {
  needAttention();
  watchTraps();
  softIntDelivered = false;
  if (load<u32>(OFF_HALTED) != 0) { requestStop(STOP_HALT); return; }
  if (instrBpEnabled && instrBpCheck(segBase(S_CS) + getEip()) != 0) { deliverException(DB, 0, false); return; }
  step();
}
