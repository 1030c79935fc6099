// The machine's virtual clock, in nanoseconds: the one time base of every timer
// device (PIT, RTC, LAPIC timer, ACPI PM timer, UART timeouts) and of the TSC.
//
// Virtual time advances with retired instructions, at a rate in ns per
// instruction, and (only while the CPU is halted) by jumps to the next device
// deadline. Because every timer derives from this one clock, the guest can never
// see two of them disagree: Linux's clocksource watchdog finds the TSC exactly
// consistent with the PIT and the PM timer.
//
//   now = base_ns + (icount - base_icount) * rate       (rate: 32.32 fixed point)
//
// Two modes (docs/ARCHITECTURE.md, "Time"):
// - icount (deterministic, QEMU's -icount shift=N): rate = 2^N ns, fixed; a halt
//   jumps to the next deadline at once. The same inputs at the same instruction
//   counts give the same run.
// - real time (the default for the page and the CLI, like QEMU's -icount
//   shift=auto with sleep=on): the host's monotonic clock is read (import
//   `hostNow`) when a run starts, when the guest reaches the host's time, and on
//   a halt. The rate is the measured host ns per instruction, corrected so that
//   a lag behind the host closes within CATCH_UP_NS; virtual time never gets more
//   than LEAD_NS ahead of the host (the CPU stops and the host sleeps), never
//   runs backwards, and never leaps: it only moves at a (bounded) rate, or during
//   a halt one deadline at a time, so no timer tick is ever merged with the next
//   one. A host that starves the machine for more than MAX_LAG_NS makes guest
//   time slip (the guest sees a pause), as a stopped VM does; the time slipped
//   is counted (clockSlip) for the RTC under -rtc clock=host.

import { OFF_ICOUNT, OFF_TSC_OFFSET } from "./cpu/state";
import { slotAddr, SLOT_CLOCK } from "./dev/slots";

export const NEVER: u64 = 0xffffffffffffffff;

/** The host's monotonic time in ns (performance.now() * 1e6); read only in
 *  real-time mode, and recorded/replayed by the host's record/replay. */
@external("env", "hostNow") declare function hostNow(): f64;

// The clock's slot:
const C_BASE_NS: u32 = 0;     // u64 virtual ns at C_BASE_IC
const C_BASE_IC: u32 = 8;     // u64 instruction count at the last rebase
const C_RATE: u32 = 16;       // u64 ns per instruction, 32.32 fixed point
const C_REALTIME: u32 = 24;   // u32 1 = follow the host clock
const C_HOST_SET: u32 = 28;   // u32 1 = C_EPOCH is taken
const C_EPOCH: u32 = 32;      // f64 host ns minus virtual ns
const C_LIMIT: u32 = 40;      // u64 virtual ns the CPU may not pass before the next host read
const C_NOMINAL: u32 = 48;    // f64 measured host ns per instruction (moving average)
const C_SAMPLE_HOST: u32 = 56;// f64 host ns at the start of the current speed sample
const C_SAMPLE_IC: u32 = 64;  // u64 instruction count then
const C_SAMPLE_ON: u32 = 72;  // u32 1 = a sample is open (the CPU has been running since)
const C_SHIFT: u32 = 76;      // u32 icount mode: log2 ns per instruction
const C_BUSY_NS: u32 = 80;    // f64 host ns spent running, not yet in C_NOMINAL
const C_BUSY_IC: u32 = 88;    // u64 instructions run in that time
const C_HALTED_NS: u32 = 96;  // u64 virtual ns the CPU spent halted (waiting for an interrupt)
const C_SLIP_NS: u32 = 104;   // u64 host ns dropped from guest time since power-on (lags over MAX_LAG_NS)

const ONE: u64 = 1 << 32;                   // rate 1 ns per instruction
/** Real time: how far virtual time may run ahead of the host's. */
const LEAD_NS: f64 = 1_000_000;
/** Real time: a lag behind the host is closed over about this much host time. */
const CATCH_UP_NS: f64 = 250_000_000;
/** Real time: the rate may rise to this many times the measured speed to catch up. */
const MAX_SPEEDUP: f64 = 2;
/** Real time: a larger lag is dropped (the guest sees a pause, never a leap). */
const MAX_LAG_NS: f64 = 1_000_000_000;
/** Real time: a speed sample covers at least this many instructions. */
const MIN_SAMPLE_INSNS: u64 = 2_000_000;
/** Bounds of the measured host ns per instruction (10 GIPS .. 20 MIPS). The
 *  upper bound keeps the guest a fast enough CPU in its own time (at most 100 ns
 *  per instruction with MAX_SPEEDUP, 40000 instructions per 4 ms tick) when the
 *  host is starved, so that its timer ticks do not crowd out the work between
 *  them. A slower host makes guest time slow down instead. */
const MIN_NOMINAL: f64 = 0.1;
const MAX_NOMINAL: f64 = 50;
/** Before the first measurement: 100 MIPS. */
const INITIAL_NOMINAL: f64 = 10;

@inline function base(): u32 { return slotAddr(SLOT_CLOCK); }
@inline function icount(): u64 { return load<u64>(OFF_ICOUNT); }

/** floor(d * rate / 2^32), exact for any d and rate. */
@inline function scale(d: u64, rate: u64): u64 {
  let dl = d & 0xffffffff, dh = d >> 32, rl = rate & 0xffffffff, rh = rate >> 32;
  return ((dh * rh) << 32) + dh * rl + dl * rh + ((dl * rl) >> 32);
}

export function clockReset(): void {
  memory.fill(base(), 0, 112);
  store<u64>(base() + C_BASE_IC, icount());
  store<u64>(base() + C_RATE, ONE);
  store<u64>(base() + C_LIMIT, NEVER);
  store<f64>(base() + C_NOMINAL, INITIAL_NOMINAL);
}

export function clockNow(): u64 { return clockAt(icount()); }
/** The clock when `ic` instructions have retired, at the current rate. */
@inline function clockAt(ic: u64): u64 {
  let b = base();
  return load<u64>(b + C_BASE_NS) + scale(ic - load<u64>(b + C_BASE_IC), load<u64>(b + C_RATE));
}
/** The time-stamp counter: 1 GHz on the virtual clock, plus the offset WRMSR set. */
export function tscNow(): u64 { return tscAfter(0); }
/** The TSC after `n` more instructions: a translated block counts its retired
 *  instructions into OFF_ICOUNT only when it returns (cpu/jit.ts jitRdtsc). */
export function tscAfter(n: u64): u64 { return clockAt(icount() + n) + load<u64>(OFF_TSC_OFFSET); }

/** Make clockNow() == t from the current instruction count on (rate unchanged). */
export function clockSet(t: u64): void {
  store<u64>(base() + C_BASE_NS, t);
  store<u64>(base() + C_BASE_IC, icount());
}
/** Move the clock forward to `t` (never backwards). */
export function clockAdvanceTo(t: u64): void { if (t > clockNow()) clockSet(t); }

/** Move the clock forward to `t` while the CPU is halted, counting the time as idle. */
export function clockIdleTo(t: u64): void {
  let now = clockNow();
  if (t <= now) return;
  store<u64>(base() + C_HALTED_NS, load<u64>(base() + C_HALTED_NS) + (t - now));
  clockSet(t);
}
/** Real time: host ns the virtual clock has dropped since power-on (a pause
 *  or a starved host, beyond the MAX_LAG_NS it catches up): virtual time plus
 *  this is the host's time, but for a lag of at most MAX_LAG_NS still being
 *  closed. Only grows; it moves only when the host's clock is read, so a
 *  replay that serves the recorded readings reproduces it. The RTC adds it
 *  under -rtc clock=host (dev/cmos.ts). */
export function clockSlip(): u64 { return load<u64>(base() + C_SLIP_NS); }

/** Virtual ns spent halted since power-on (for an idle indicator). */
export function clockHaltedNs(): u64 { return load<u64>(base() + C_HALTED_NS); }

/** Whole ns per instruction at the current rate (at least 1). */
export function clockRate(): u64 { let r = load<u64>(base() + C_RATE) >> 32; return r == 0 ? 1 : r; }

function setRate(rate: u64): void {
  clockSet(clockNow());
  store<u64>(base() + C_RATE, rate == 0 ? 1 : rate);
}

/** Instructions until the clock reaches `t`: the fewest n (at least 1) with
 *  clockAt(icount + n) >= t, capped near 2^31. The answer names an instruction
 *  count that does not depend on where the question is asked: clockNow() drops
 *  the fraction of a nanosecond the rate puts between instructions, and a count
 *  taken from it alone could come out one more depending on how far into the
 *  fraction the current instruction is, that is on where the CPU's stretches
 *  ended (a translated block and the interpreter end them at different
 *  instructions), and a replay restored from a checkpoint would take an
 *  interrupt one instruction away from where its recording took it. */
export function insnsUntil(t: u64): u64 {
  let now = clockNow();
  if (t <= now) return 1;
  let d = t - now;
  if (d >= <u64>1 << 30) d = <u64>1 << 30;
  let rate = load<u64>(base() + C_RATE);
  let n = ((d << 32) + rate - 1) / rate;
  if (n > 0x7fffffff) return 0x7fffffff;
  // n is at most one fraction's worth too many (a few steps at the fastest rate).
  let ic = icount();
  while (n > 1 && clockAt(ic + n - 1) >= t) n--;
  return n == 0 ? 1 : n;
}

// --- modes ---

/** icount mode, 2^shift ns per instruction (QEMU's -icount shift=N). */
export function setIcountShift(shift: u32): void {
  store<u32>(base() + C_REALTIME, 0);
  store<u32>(base() + C_SHIFT, shift);
  store<u64>(base() + C_LIMIT, NEVER);
  setRate(ONE << shift);
}
export function setRealtime(on: bool): void {
  if (!on) { setIcountShift(load<u32>(base() + C_SHIFT)); return; }
  store<u32>(base() + C_REALTIME, 1);
  store<u32>(base() + C_HOST_SET, 0);
  store<u32>(base() + C_SAMPLE_ON, 0);
}
export function isRealtime(): bool { return load<u32>(base() + C_REALTIME) != 0; }

/** The virtual time the CPU may not pass before the clock has read the host
 *  again (real time), or NEVER. */
export function clockLimit(): u64 { return load<u64>(base() + C_LIMIT); }

// --- real time ---

/** Where the host's clock says virtual time should be now (real time). Takes
 *  the epoch on the first read, and drops a lag larger than MAX_LAG_NS. */
function hostTarget(host: f64): f64 {
  let b = base();
  let now = <f64>clockNow();
  if (load<u32>(b + C_HOST_SET) == 0) {
    store<f64>(b + C_EPOCH, host - now);
    store<u32>(b + C_HOST_SET, 1);
  }
  let target = host - load<f64>(b + C_EPOCH);
  if (target - now > MAX_LAG_NS) {
    let dropped = target - now - MAX_LAG_NS;
    store<f64>(b + C_EPOCH, load<f64>(b + C_EPOCH) + dropped);
    store<u64>(b + C_SLIP_NS, load<u64>(b + C_SLIP_NS) + <u64>dropped);
    target = now + MAX_LAG_NS;
  }
  return target;
}

/** Real time: read the host clock, measure the host's speed over the running
 *  stretch since the last read, set the rate that follows the host (closing any
 *  lag), and the limit one LEAD_NS past the host. Returns the host's target. */
export function clockSync(): f64 {
  let b = base();
  let host = hostNow();
  let target = hostTarget(host);
  // Running time since the last read counts towards the speed sample; time
  // after clockPause (the host sleeping, or throttling a guest that ran ahead)
  // does not.
  if (load<u32>(b + C_SAMPLE_ON) != 0) {
    let busyNs = load<f64>(b + C_BUSY_NS) + (host - load<f64>(b + C_SAMPLE_HOST));
    let busyIc = load<u64>(b + C_BUSY_IC) + (icount() - load<u64>(b + C_SAMPLE_IC));
    if (busyIc >= MIN_SAMPLE_INSNS) {
      let perInsn = busyNs / <f64>busyIc;
      perInsn = perInsn < MIN_NOMINAL ? MIN_NOMINAL : perInsn > MAX_NOMINAL ? MAX_NOMINAL : perInsn;
      store<f64>(b + C_NOMINAL, load<f64>(b + C_NOMINAL) * 0.5 + perInsn * 0.5);
      busyNs = 0;
      busyIc = 0;
    }
    store<f64>(b + C_BUSY_NS, busyNs);
    store<u64>(b + C_BUSY_IC, busyIc);
  }
  samplingFrom(host);
  let lag = target - <f64>clockNow();
  let factor = 1 + lag / CATCH_UP_NS;
  factor = factor < 1 / MAX_SPEEDUP ? 1 / MAX_SPEEDUP : factor > MAX_SPEEDUP ? MAX_SPEEDUP : factor;
  setRate(<u64>(load<f64>(b + C_NOMINAL) * factor * <f64>ONE));
  let limit = target + LEAD_NS;
  store<u64>(b + C_LIMIT, limit <= 0 ? 0 : <u64>limit);
  return target;
}

function samplingFrom(host: f64): void {
  store<f64>(base() + C_SAMPLE_HOST, host);
  store<u64>(base() + C_SAMPLE_IC, icount());
  store<u32>(base() + C_SAMPLE_ON, 1);
}

/** Real time: the CPU stops running (halt, or ahead of the host): the time
 *  until the next read is not the host's speed. */
export function clockPause(): void { store<u32>(base() + C_SAMPLE_ON, 0); }

/** Real time: host ns until the virtual clock reaches `t` (0 if it has). */
export function hostNsUntil(t: u64): f64 {
  let target = hostTarget(hostNow());
  return <f64>t > target ? <f64>t - target : 0;
}
