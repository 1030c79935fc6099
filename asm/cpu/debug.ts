// Debug registers and breakpoints (SDM vol. 3 ch. 17): DR0-DR3 linear breakpoint
// addresses, DR6 status, DR7 control (§17.2), instruction breakpoints (faults,
// suppressed once by EFLAGS.RF, §17.3.1.1), data breakpoints on writes (R/W = 01)
// and on reads or writes (R/W = 11) of 1, 2 or 4 bytes (traps, §17.3.1.2), the
// general-detect fault (DR7.GD, §17.2.4) and single-step (exec.ts, §17.3.1.4).
//
// Cost: instruction breakpoints cost nothing per instruction while DR7 enables
// none (exec.ts checks them on its attention path, state.ts). Data breakpoints
// cost nothing while DR7 enables none; while some are enabled, the
// TLB never caches a page that holds a watched address (paging.ts tlbFill asks
// dataBpPage), so every access to such a page takes linear.ts's slow path, which
// calls dataBpCheck.
//
// The host's own breakpoints and watchpoints (a debugger's: hostdebug.ts) share
// the two summaries below and the same paths, so they cost nothing when none is set.
//
// Not modelled: I/O breakpoints (R/W = 10 with CR4.DE; accepted in DR7 and
// ignored), the LE/GE exact-match bits (every breakpoint is exact here), the
// one-instruction delay after MOV SS/POP SS, and the T bit of a task switch.

import { OFF_DR, OFF_EFLAGS, OFF_CR4, CR4_DE, RF, needAttention, watchTraps } from "./state";
import { hostBreakCount, hostWatchCount, hostWatchPage, hostWatchCheck } from "./hostdebug";

export const DR6_BD: u32 = 1 << 13;
export const DR6_BS: u32 = 1 << 14;
export const DR7_GD: u32 = 1 << 13;
// DR6 bits 4-11 and 16-31 read as 1, bit 12 as 0 (SDM vol. 3 §17.2.3).
export const DR6_FIXED1: u32 = 0xffff0ff0;
export const DR6_WRITABLE: u32 = 0x0000e00f;
// DR7 bit 10 reads as 1; bits 11, 12, 14, 15 as 0 (SDM vol. 3 §17.2.4, figure 17-1).
export const DR7_FIXED1: u32 = 0x00000400;
export const DR7_WRITABLE: u32 = 0xffff23ff;

@inline export function getDr(n: u32): u32 { return load<u32>(OFF_DR + (n << 2)); }
@inline export function setDr(n: u32, v: u32): void { store<u32>(OFF_DR + (n << 2), v); }

// Derived from DR0-DR3 and DR7 by debugRegsChanged().
export let instrBpEnabled: bool = false;  // some Ln/Gn set with R/W = 00, or a host breakpoint
export let dataBpEnabled: bool = false;   // some Ln/Gn set with R/W = 01 or 11, or a host watchpoint
let instrMask: u32 = 0;                   // which of DR0-3 are enabled instruction breakpoints
let dataMask: u32 = 0;                    // which are enabled data breakpoints
let dataAll: u32 = 0;                     // ... of those, which also match reads (R/W = 11)
// Data breakpoints hit by the current instruction (B0-B3), reported as a trap
// after it completes (exec.ts); cleared when the instruction faults.
export let dataBpHits: u32 = 0;
export function clearDataBpHits(): void { dataBpHits = 0; }

/** Recompute the enabled-breakpoint summary after a write to DR0-DR3/DR7 or CR4.DE,
 *  or after the host wrote the state block. Returns true when data breakpoints
 *  were or are enabled, so the caller must drop cached translations of watched pages. */
export function debugRegsChanged(): bool {
  let dr7 = getDr(7);
  let wasData = dataBpEnabled;
  instrMask = 0; dataMask = 0; dataAll = 0;
  for (let i: u32 = 0; i < 4; i++) {
    if (((dr7 >> (i << 1)) & 3) == 0) continue;
    let rw = (dr7 >> (16 + (i << 2))) & 3;
    if (rw == 0) instrMask |= 1 << i;
    else if (rw == 1) dataMask |= 1 << i;
    else if (rw == 3) { dataMask |= 1 << i; dataAll |= 1 << i; }
    // rw == 2: I/O breakpoint (CR4.DE) or undefined (CR4.DE = 0): not modelled.
  }
  instrBpEnabled = instrMask != 0 || hostBreakCount != 0;
  needAttention(); // exec.ts checks instruction breakpoints on the attention path
  watchTraps();    // ... and data breakpoint hits after each instruction
  dataBpEnabled = dataMask != 0 || hostWatchCount != 0;
  return wasData || dataBpEnabled;
}

/** Does the page holding `lin` contain a watched address? (TLB fill, slow path only.) */
export function dataBpPage(lin: u32): bool {
  let page = lin >>> 12;
  for (let i: u32 = 0; i < 4; i++) {
    if ((dataMask & (1 << i)) && (getDr(i) >>> 12) == page) return true;
  }
  return hostWatchCount != 0 && hostWatchPage(lin);
}

/** A data access of `size` bytes at `lin`; records matching data breakpoints.
 *  DRn is aligned down to its LEN (SDM vol. 3 §17.2.5: the low address bits
 *  are ignored for 2- and 4-byte breakpoints). */
export function dataBpCheck(lin: u32, size: u32, write: bool): void {
  if (hostWatchCount != 0) hostWatchCheck(lin, size, write);
  let dr7 = getDr(7);
  for (let i: u32 = 0; i < 4; i++) {
    let bit: u32 = 1 << i;
    if (!(dataMask & bit)) continue;
    if (!write && !(dataAll & bit)) continue;
    let len = (dr7 >> (18 + (i << 2))) & 3; // 00 = 1, 01 = 2, 11 = 4 bytes (10 undefined on P6: 8)
    let n: u32 = len == 0 ? 1 : len == 1 ? 2 : len == 3 ? 4 : 8;
    let a = getDr(i) & ~(n - 1);
    // ranges [lin, lin+size) and [a, a+n) overlap
    if (lin - a < n || a - lin < size) dataBpHits |= bit;
  }
}

/** Before an instruction at linear address `lin`: an enabled instruction breakpoint
 *  there raises #DB as a fault, unless EFLAGS.RF is set (SDM vol. 3 §17.3.1.1).
 *  Returns the B0-B3 bits hit (0 when none). */
export function instrBpCheck(lin: u32): u32 {
  if (load<u32>(OFF_EFLAGS) & RF) return 0;
  let hits: u32 = 0;
  for (let i: u32 = 0; i < 4; i++) {
    if ((instrMask & (1 << i)) && getDr(i) == lin) hits |= 1 << i;
  }
  if (hits != 0) setDr(6, (getDr(6) & ~0xf) | hits);
  return hits;
}

/** Record the DR6 status of a debug trap after an instruction: B0-B3 from data
 *  breakpoints, BS for single-step. */
export function debugTrapStatus(singleStep: bool): void {
  let dr6 = getDr(6);
  if (dataBpHits != 0) dr6 = (dr6 & ~0xf) | dataBpHits;
  if (singleStep) dr6 |= DR6_BS;
  setDr(6, dr6);
  dataBpHits = 0;
}

/** DR4/DR5 alias DR6/DR7 unless CR4.DE is set, when they are #UD (SDM vol. 3 §17.2.2).
 *  Returns the register to use, or -1 for #UD. */
export function drIndex(n: u32): i32 {
  if (n == 4 || n == 5) {
    if (load<u32>(OFF_CR4) & CR4_DE) return -1;
    return <i32>n + 2;
  }
  return <i32>n;
}
