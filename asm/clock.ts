// The machine's virtual clock, in nanoseconds.
//
// The clock is a function of the retired-instruction count: now = offset +
// icount * NS_PER_INSN. With NS_PER_INSN = 1 the guest sees a 1 GHz machine that
// retires one instruction per cycle. In deterministic mode only the instruction
// count and HLT (which jumps the clock to the next device deadline by raising
// `offset`) move it, so the same inputs give the same run. In real-time mode the
// host passes its own time before each slice (setHostTime); the clock is pulled
// forward to it (never backwards), and between those points instructions advance
// it as in deterministic mode.
//
// The time-stamp counter follows the same clock: TSC = clockNow() + TSC offset
// (state.ts OFF_TSC_OFFSET, written by WRMSR), i.e. a 1 GHz TSC.

import { OFF_ICOUNT, OFF_TSC_OFFSET } from "./cpu/state";
import { slotAddr, SLOT_CLOCK } from "./dev/slots";

export const NS_PER_INSN: u64 = 1;
export const NEVER: u64 = 0xffffffffffffffff;

const C_OFFSET: u32 = 0;      // u64 ns added to icount * NS_PER_INSN
const C_REALTIME: u32 = 8;    // u32: 1 = follow the host clock
const C_HOST_EPOCH: u32 = 16; // f64 host time (ns) that corresponds to virtual 0
const C_HOST_SET: u32 = 24;   // u32: epoch taken

@inline function base(): u32 { return slotAddr(SLOT_CLOCK); }

export function clockReset(): void {
  memory.fill(base(), 0, 32);
  // The offset cancels the instruction count, so virtual time starts at 0 now.
  store<u64>(base() + C_OFFSET, <u64>0 - load<u64>(OFF_ICOUNT) * NS_PER_INSN);
}

@inline export function clockNow(): u64 {
  return load<u64>(base() + C_OFFSET) + load<u64>(OFF_ICOUNT) * NS_PER_INSN;
}
/** The time-stamp counter (1 GHz, follows the virtual clock). */
export function tscNow(): u64 { return clockNow() + load<u64>(OFF_TSC_OFFSET); }

/** Move the clock forward to `t` (never backwards). */
export function clockAdvanceTo(t: u64): void {
  let now = clockNow();
  if (t > now) store<u64>(base() + C_OFFSET, load<u64>(base() + C_OFFSET) + (t - now));
}

export function setRealtime(on: bool): void { store<u32>(base() + C_REALTIME, on ? 1 : 0); store<u32>(base() + C_HOST_SET, 0); }
export function isRealtime(): bool { return load<u32>(base() + C_REALTIME) != 0; }

/** Real-time mode never moves virtual time forward by more than this in one
 *  step: when the host could not run the machine for a while (a busy machine, a
 *  throttled browser tab), the guest's time slips behind the host's, as a paused
 *  VM's does, instead of leaping ahead of all the work the guest did (Linux then
 *  reports RCU stalls and timeouts). */
const MAX_CATCH_UP_NS: f64 = 100_000_000;

/** Real-time mode: the host's current time (any monotonic ns origin). The first
 *  call fixes which host time corresponds to the current virtual time. */
export function setHostTime(hostNs: f64): void {
  let b = base();
  if (load<u32>(b + C_HOST_SET) == 0) {
    store<f64>(b + C_HOST_EPOCH, hostNs - <f64>clockNow());
    store<u32>(b + C_HOST_SET, 1);
    return;
  }
  let t = hostNs - load<f64>(b + C_HOST_EPOCH);
  let now = <f64>clockNow();
  if (t - now > MAX_CATCH_UP_NS) {
    store<f64>(b + C_HOST_EPOCH, load<f64>(b + C_HOST_EPOCH) + (t - now - MAX_CATCH_UP_NS));
    t = now + MAX_CATCH_UP_NS;
  }
  if (t > 0) clockAdvanceTo(<u64>t);
}
