// Breakpoints and watchpoints a debugger on the host sets (web/host/gdb.ts for
// gdb's Z0-Z4 packets, web/host/monitor.ts), as QEMU's gdbstub offers them:
// invisible to the guest (no debug register, DR6 bit or #DB is involved), at
// linear addresses, as many as the tables hold: MAX_BREAKPOINTS execution
// breakpoints and MAX_WATCHPOINTS watchpoints of 1, 2 or 4 bytes on writes,
// reads or both. Inserting the same address twice needs two removals (gdb and
// the monitor may both hold one).
//
// They ride on the guest's breakpoint machinery in debug.ts, which folds them
// into its two summaries: instrBpEnabled (exec.ts checks execution breakpoints
// on the attention path before each instruction, and blocks are not translated)
// and dataBpEnabled (pages holding a watched address stay out of the TLB, so
// every access to them reaches dataBpCheck on linear.ts's slow path, and
// exec.ts looks for hits after each instruction). With none set they cost
// nothing per instruction.
//
// A hit stops run() with STOP_BREAKPOINT: an execution breakpoint before the
// instruction at its address, a watchpoint after the instruction that made the
// access (as an x86 data breakpoint, a trap: gdb reads the new value).
// hostHitKind and hostHitAddr say which. Running again from a breakpoint's
// address stops there again at once, as in QEMU: a debugger steps over its
// breakpoint first (machineStep checks none), as gdb does when the stop address
// is one of its breakpoints. A run the hit suspended goes on past it instead
// (machine.ts machineContinue: a replay under gdb must not leave its recording).

import { debugRegsChanged } from "./debug";
import { tlbFlush } from "../mmu/paging";

export const MAX_BREAKPOINTS: u32 = 256;
export const MAX_WATCHPOINTS: u32 = 32;

// Watchpoint kinds (the bits of an access that hit it), also hostHitKind values.
export const WATCH_WRITE: u32 = 1;
export const WATCH_READ: u32 = 2;
export const WATCH_ACCESS: u32 = 3;
export const HIT_NONE: u32 = 0;
export const HIT_BREAKPOINT: u32 = 4;
/** A teaching breakpoint: an event kind the host asked to stop on (events.ts). */
export const HIT_EVENT: u32 = 5;

// Execution breakpoints: a u32 linear address each.
const BP_TABLE: usize = memory.data(<i32>MAX_BREAKPOINTS << 2);
// Watchpoints, 16 bytes each:
//   +0 u32 linear address
//   +4 u32 length in bytes (any, as QEMU's: not 0, not past 4 GiB)
//   +8 u32 kind (WATCH_*)
const WP_TABLE: usize = memory.data(<i32>MAX_WATCHPOINTS << 4);
const WP_ADDR: u32 = 0;
const WP_LEN: u32 = 4;
const WP_KIND: u32 = 8;

export let hostBreakCount: u32 = 0;
export let hostWatchCount: u32 = 0;
/** What stopped the machine last (HIT_BREAKPOINT or a WATCH_* kind) and where:
 *  the breakpoint's address, or the first watched byte the access touched. */
export let hostHitKind: u32 = HIT_NONE;
export let hostHitAddr: u32 = 0;
// A watchpoint was hit by the instruction now running (reported after it).
export let hostWatchHit: bool = false;

@inline function wp(i: u32): usize { return WP_TABLE + (<usize>i << 4); }

/** Insert an execution breakpoint; false when the table is full. */
export function hostBreakInsert(lin: u32): bool {
  if (hostBreakCount >= MAX_BREAKPOINTS) return false;
  store<u32>(BP_TABLE + (<usize>hostBreakCount << 2), lin);
  hostBreakCount++;
  debugRegsChanged();
  return true;
}

/** Remove one execution breakpoint at `lin`; false when there is none. */
export function hostBreakRemove(lin: u32): bool {
  for (let i: u32 = 0; i < hostBreakCount; i++) {
    if (load<u32>(BP_TABLE + (<usize>i << 2)) != lin) continue;
    hostBreakCount--;
    store<u32>(BP_TABLE + (<usize>i << 2), load<u32>(BP_TABLE + (<usize>hostBreakCount << 2)));
    debugRegsChanged();
    return true;
  }
  return false;
}

/** Before the instruction at `lin` (exec.ts, attention path): is there a
 *  breakpoint? Records the hit. */
export function hostBreakHit(lin: u32): bool {
  for (let i: u32 = 0; i < hostBreakCount; i++) {
    if (load<u32>(BP_TABLE + (<usize>i << 2)) == lin) {
      hostHitKind = HIT_BREAKPOINT;
      hostHitAddr = lin;
      return true;
    }
  }
  return false;
}

/** An event the host stops on was recorded (events.ts); `eip` as it was then. */
export function hostEventHit(eip: u32): void {
  hostHitKind = HIT_EVENT;
  hostHitAddr = eip;
}

/** Insert a watchpoint of `len` bytes from `lin`, any length that neither is 0
 *  nor runs past the 4-GiB linear space (QEMU's rule); false when the table is
 *  full or the arguments are not a watchpoint. */
export function hostWatchInsert(lin: u32, len: u32, kind: u32): bool {
  if (hostWatchCount >= MAX_WATCHPOINTS || len == 0 || lin + (len - 1) < lin || kind < 1 || kind > 3) return false;
  let p = wp(hostWatchCount++);
  store<u32>(p + WP_ADDR, lin);
  store<u32>(p + WP_LEN, len);
  store<u32>(p + WP_KIND, kind);
  watchesChanged();
  return true;
}

export function hostWatchRemove(lin: u32, len: u32, kind: u32): bool {
  for (let i: u32 = 0; i < hostWatchCount; i++) {
    let p = wp(i);
    if (load<u32>(p + WP_ADDR) != lin || load<u32>(p + WP_LEN) != len || load<u32>(p + WP_KIND) != kind) continue;
    hostWatchCount--;
    memory.copy(p, wp(hostWatchCount), 16);
    watchesChanged();
    return true;
  }
  return false;
}

/** Pages with a watched address must leave the TLB (and come back when no
 *  watchpoint holds them any more). */
function watchesChanged(): void {
  debugRegsChanged();
  tlbFlush(false);
}

/** Does the page holding `lin` contain a watched byte? (paging.ts tlbFill via debug.ts.) */
export function hostWatchPage(lin: u32): bool {
  let page = lin >>> 12;
  for (let i: u32 = 0; i < hostWatchCount; i++) {
    let p = wp(i);
    let first = load<u32>(p + WP_ADDR) >>> 12;
    let last = (load<u32>(p + WP_ADDR) + load<u32>(p + WP_LEN) - 1) >>> 12;
    if (page - first <= last - first) return true;
  }
  return false;
}

/** A data access of `size` bytes at `lin` (linear.ts slow path via debug.ts):
 *  the first watchpoint it hits is recorded, to be reported after the instruction. */
export function hostWatchCheck(lin: u32, size: u32, write: bool): void {
  if (hostWatchHit) return;
  let access = write ? WATCH_WRITE : WATCH_READ;
  for (let i: u32 = 0; i < hostWatchCount; i++) {
    let p = wp(i);
    let kind = load<u32>(p + WP_KIND);
    if (!(kind & access)) continue;
    let a = load<u32>(p + WP_ADDR), n = load<u32>(p + WP_LEN);
    // ranges [lin, lin+size) and [a, a+n) overlap
    if (lin - a < n || a - lin < size) {
      hostWatchHit = true;
      hostHitKind = kind;
      hostHitAddr = lin > a ? lin : a;
      return;
    }
  }
}

/** The instruction that hit a watchpoint faulted and will restart: no hit. */
export function hostWatchDrop(): void {
  if (hostWatchHit) { hostWatchHit = false; hostHitKind = HIT_NONE; }
}

/** The hit was reported (exec.ts, after the instruction). */
export function hostWatchTaken(): void { hostWatchHit = false; }
