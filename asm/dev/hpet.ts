// High Precision Event Timer, as QEMU's pc machine has it (IA-PC HPET
// Specification 1.0a, §2.3 "Register Definitions" and §2.3.9 "Timer
// Operation"): one block at 0xFED00000 (1 KiB) with a 64-bit main counter at
// 100 MHz (period 10 000 000 fs, as QEMU) and three comparators, each 64-bit
// and periodic-capable, with 32-bit mode, one-shot and periodic operation,
// edge or level interrupts.
//
//   0x000  GCAP_ID      8086A201h: vendor 8086h, legacy route capable, 64-bit
//                       counter, 3 timers (NUM_TIM_CAP 2), revision 1; the
//                       period in fs in the high half
//   0x010  GEN_CONF     bit 0 ENABLE_CNF runs the counter and allows interrupts,
//                       bit 1 LEG_RT_CNF (legacy replacement route)
//   0x020  GEN_INT_STS  Tn_INT_STS of level-triggered timers, write 1 to clear
//   0x0F0  MAIN_CNT     the counter; writes take effect only while halted
//   0x100 + 0x20 * n    Tn_CONF_CAP, Tn_COMPARATOR, Tn_FSB_ROUTE
//
// Routing: with LEG_RT_CNF timer 0 drives ISA IRQ0 (8259A input 0, I/O APIC
// pin 2) and timer 1 ISA IRQ8 (input 8, pin 8), and the PIT's and the RTC's
// outputs are cut from those lines (machine.ts); otherwise timer n drives the
// I/O APIC pin of Tn_INT_ROUTE_CNF. Tn_INT_ROUTE_CAP is 00000004h for every
// timer, QEMU's value for the pc (i440FX) machine: I/O APIC pin 2 only; a route
// the capability does not list is not taken (the old one stays, the spec's
// "the value read back will not match what is written").
//
// Timing: nothing is stepped. The counter is `count at T0 + (now - T0) / 10 ns`
// from the machine's virtual clock (clock.ts); each timer remembers the counter
// value up to which it has looked for matches, and devicesUpdate/nextDeadline
// (machine.ts) bring it to the present and say when its comparator will next
// equal the counter. A comparator matches when the counter (its low 32 bits in
// 32-bit mode) equals it; periodic mode then adds the period as many times as
// needed to pass the counter (missed periods give one interrupt, as the PIT's
// lost ticks do). Level timers latch Tn_INT_STS whether or not Tn_INT_ENB_CNF
// is set (spec §2.3.8: "the timer will still operate and generate appropriate
// status bits"; QEMU latches it only when enabled) and hold their line until
// software clears the bit; edge timers pulse it.
// Not modelled: FSB (MSI) delivery (Tn_FSB_INT_DEL_CAP is 0, as QEMU's default),
// 8- and 16-bit register accesses as anything but parts of the 32-bit ones.

import { slotAddr, SLOT_HPET } from "./slots";
import { clockNow, NEVER } from "../clock";

export const HPET_BASE: u32 = 0xfed00000;
export const HPET_SIZE: u32 = 0x400;
export const HPET_TIMERS: u32 = 3;
/** Counter period: 10 ns (100 MHz), in femtoseconds as GCAP_ID reports it. */
export const HPET_PERIOD_FS: u32 = 10_000_000;
const TICK_NS: u64 = 10;
const GCAP_LOW: u32 = 0x8086a001 | ((HPET_TIMERS - 1) << 8);
const ROUTE_CAP: u32 = 1 << 2;

// GEN_CONF
const ENABLE_CNF: u32 = 1 << 0;
const LEG_RT_CNF: u32 = 1 << 1;
// Tn_CONF
const TN_INT_TYPE_LEVEL: u32 = 1 << 1;
const TN_INT_ENB: u32 = 1 << 2;
const TN_TYPE_PERIODIC: u32 = 1 << 3;
const TN_PER_INT_CAP: u32 = 1 << 4;
const TN_SIZE_CAP: u32 = 1 << 5;
const TN_VAL_SET: u32 = 1 << 6;
const TN_32MODE: u32 = 1 << 8;
const TN_ROUTE_SHIFT: u32 = 9;
const TN_ROUTE_MASK: u32 = 0x1f << TN_ROUTE_SHIFT;
/** Writable Tn_CONF bits (FSB_EN_CNF is not: no FSB capability). */
const TN_WRITABLE: u32 = TN_INT_TYPE_LEVEL | TN_INT_ENB | TN_TYPE_PERIODIC | TN_VAL_SET | TN_32MODE | TN_ROUTE_MASK;
const TN_READ_ONLY: u32 = TN_PER_INT_CAP | TN_SIZE_CAP;

// State, one slot:
const H_CONF: u32 = 0x00;    // u32 GEN_CONF
const H_ISR: u32 = 0x04;     // u32 GEN_INT_STS
const H_COUNT: u32 = 0x08;   // u64 counter value at H_T0 (the value while halted)
const H_T0: u32 = 0x10;      // u64 ns when the counter last started or was written
const H_OUT: u32 = 0x18;     // u32 outputs driven high: bit 0 legacy IRQ0, bit 1 legacy IRQ8, bit 8 + p I/O APIC pin p
const H_LINES: u32 = 0x1c;   // u32 per-timer line levels (bit n)
const H_TIMER: u32 = 0x20;   // 3 x 32 bytes:
const T_CONF: u32 = 0;       //   u32 Tn_CONF (low half; the high half is ROUTE_CAP)
const T_CMP: u32 = 8;        //   u64 comparator
const T_PERIOD: u32 = 16;    //   u64 periodic increment
const T_SEEN: u32 = 24;      //   u64 counter value up to which matches were looked for
const TIMER_SIZE: u32 = 32;

export const HPET_OUT_IRQ0: u32 = 1 << 0;
export const HPET_OUT_IRQ8: u32 = 1 << 1;
export const HPET_OUT_PIN_SHIFT: u32 = 8;

@inline function h(f: u32): u32 { return slotAddr(SLOT_HPET) + f; }
@inline function t(n: u32, f: u32): u32 { return slotAddr(SLOT_HPET) + H_TIMER + n * TIMER_SIZE + f; }

/** machine.ts: `changed` outputs (HPET_OUT_*, or 1 << (8 + pin)) now at the
 *  levels in `levels`; also called with nothing changed when LEG_RT_CNF flips. */
type OutHook = (changed: u32, levels: u32) => void;
function noOut(changed: u32, levels: u32): void {}
let out: OutHook = noOut;
export function hpetConnect(f: OutHook): void { out = f; }

export function hpetReset(): void {
  memory.fill(slotAddr(SLOT_HPET), 0, H_TIMER + HPET_TIMERS * TIMER_SIZE);
  for (let n: u32 = 0; n < HPET_TIMERS; n++) {
    store<u32>(t(n, T_CONF), TN_READ_ONLY);
    store<u64>(t(n, T_CMP), <u64>-1);  // all ones after reset (QEMU; the spec leaves it open)
  }
  store<u64>(h(H_T0), clockNow());
}

@inline function enabled(): bool { return (load<u32>(h(H_CONF)) & ENABLE_CNF) != 0; }
export function hpetLegacy(): bool { return (load<u32>(h(H_CONF)) & LEG_RT_CNF) != 0; }
/** Outputs currently high (HPET_OUT_*), for machine.ts when LEG_RT_CNF changes. */
export function hpetOutputs(): u32 { return load<u32>(h(H_OUT)); }

/** The main counter at `now`. */
export function hpetCounter(now: u64): u64 {
  let c = load<u64>(h(H_COUNT));
  if (!enabled()) return c;
  let t0 = load<u64>(h(H_T0));
  return now > t0 ? c + (now - t0) / TICK_NS : c;
}

@inline function is32(n: u32): bool { return (load<u32>(t(n, T_CONF)) & TN_32MODE) != 0; }

/** Counter ticks from `seen` to the next value where timer n's comparator
 *  matches, in [1, 2^width]; 0 when that is beyond 2^64 (a 64-bit comparator
 *  equal to `seen`). */
function ticksToMatch(n: u32, seen: u64): u64 {
  let cmp = load<u64>(t(n, T_CMP));
  if (is32(n)) {
    let d = <u64>((<u32>cmp - <u32>seen) & 0xffffffff);
    return d == 0 ? <u64>1 << 32 : d;
  }
  return cmp - seen;
}

/** Does timer n's match do anything (an interrupt, or a level status bit)? */
@inline function active(n: u32): bool {
  return (load<u32>(t(n, T_CONF)) & (TN_INT_ENB | TN_INT_TYPE_LEVEL)) != 0;
}

function routeOf(n: u32): u32 {
  if (n < 2 && hpetLegacy()) return n == 0 ? HPET_OUT_IRQ0 : HPET_OUT_IRQ8;
  return 1 << (HPET_OUT_PIN_SHIFT + ((load<u32>(t(n, T_CONF)) & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT));
}

/** Recompute the outputs from the timers' line levels; tell the machine what changed. */
function drive(force: bool = false): void {
  let lines = load<u32>(h(H_LINES));
  let o: u32 = 0;
  if (enabled()) {
    for (let n: u32 = 0; n < HPET_TIMERS; n++) if (lines & (1 << n)) o |= routeOf(n);
  }
  let old = load<u32>(h(H_OUT));
  if (o == old && !force) return;
  store<u32>(h(H_OUT), o);
  out(o ^ old, o);
}

/** Timer n's level line: Tn_INT_STS while interrupts are enabled for it. */
function levelLine(n: u32): bool {
  let c = load<u32>(t(n, T_CONF));
  return (c & TN_INT_TYPE_LEVEL) != 0 && (c & TN_INT_ENB) != 0 && (load<u32>(h(H_ISR)) & (1 << n)) != 0;
}

function setLine(n: u32, level: bool): void {
  let l = load<u32>(h(H_LINES));
  store<u32>(h(H_LINES), level ? l | (1 << n) : l & ~(1 << n));
}

function fire(n: u32): void {
  let c = load<u32>(t(n, T_CONF));
  if (c & TN_INT_TYPE_LEVEL) {
    store<u32>(h(H_ISR), load<u32>(h(H_ISR)) | (1 << n));
    setLine(n, levelLine(n));
    drive();
  } else if (c & TN_INT_ENB) {
    setLine(n, true); drive();       // an edge: a pulse on the routed line
    setLine(n, false); drive();
  }
}

/** Bring the timers up to `now`: every comparator the counter reached fires once. */
export function hpetUpdate(now: u64): void {
  if (!enabled()) return;
  let c = hpetCounter(now);
  for (let n: u32 = 0; n < HPET_TIMERS; n++) {
    let seen = load<u64>(t(n, T_SEEN));
    if (c <= seen) continue;             // nothing new (never look back)
    store<u64>(t(n, T_SEEN), c);
    let d = ticksToMatch(n, seen);
    if (d == 0 || d > c - seen) continue;
    let conf = load<u32>(t(n, T_CONF));
    let period = load<u64>(t(n, T_PERIOD));
    if ((conf & TN_TYPE_PERIODIC) && period != 0) {
      // past the match by c - (seen + d): advance by whole periods beyond c
      let k = (c - seen - d) / period + 1;
      let cmp = load<u64>(t(n, T_CMP)) + k * period;
      store<u64>(t(n, T_CMP), is32(n) ? cmp & 0xffffffff : cmp);
    }
    fire(n);
  }
}

/** ns when the next comparator match that does something is due, or NEVER. */
export function hpetNextDeadline(): u64 {
  if (!enabled()) return NEVER;
  let best = NEVER;
  let c0 = load<u64>(h(H_COUNT)), t0 = load<u64>(h(H_T0));
  for (let n: u32 = 0; n < HPET_TIMERS; n++) {
    if (!active(n)) continue;
    let seen = load<u64>(t(n, T_SEEN));
    let d = ticksToMatch(n, seen);
    if (d == 0 || d > (<u64>1 << 50)) continue;   // centuries away
    let at = t0 + (seen + d - c0) * TICK_NS;
    if (at < best) best = at;
  }
  return best;
}

/** Forget matches before the counter's present value (after a write that moves
 *  the counter, a comparator or a mode): only later ones fire. */
function resync(n: u32): void { store<u64>(t(n, T_SEEN), hpetCounter(clockNow())); }

function readTimer(n: u32, off: u32): u32 {
  switch (off) {
    case 0x00: return load<u32>(t(n, T_CONF));
    case 0x04: return ROUTE_CAP;
    case 0x08: return <u32>load<u64>(t(n, T_CMP));
    case 0x0c: return is32(n) ? 0 : <u32>(load<u64>(t(n, T_CMP)) >> 32);
    default: return 0;               // FSB route: no FSB delivery
  }
}

/** A 32-bit read at `addr` (aligned) in the block. */
export function hpetRead(addr: u32): u32 {
  let off = addr & 0xffc;
  if (off >= HPET_SIZE) return 0;      // the page beyond the 1 KiB block
  let now = clockNow();
  hpetUpdate(now);
  switch (off) {
    case 0x000: return GCAP_LOW;
    case 0x004: return HPET_PERIOD_FS;
    case 0x010: return load<u32>(h(H_CONF));
    case 0x020: return load<u32>(h(H_ISR));
    case 0x0f0: return <u32>hpetCounter(now);
    case 0x0f4: return <u32>(hpetCounter(now) >> 32);
  }
  if (off >= 0x100 && off < 0x100 + HPET_TIMERS * 0x20) return readTimer((off - 0x100) >> 5, off & 0x1f);
  return 0;
}

function writeConf(v: u32): void {
  let old = load<u32>(h(H_CONF));
  let nw = v & (ENABLE_CNF | LEG_RT_CNF);
  let now = clockNow();
  if ((old & ENABLE_CNF) && !(nw & ENABLE_CNF)) {
    store<u64>(h(H_COUNT), hpetCounter(now));   // halt: keep the value
  }
  store<u32>(h(H_CONF), nw);
  if (!(old & ENABLE_CNF) && (nw & ENABLE_CNF)) {
    store<u64>(h(H_T0), now);
    for (let n: u32 = 0; n < HPET_TIMERS; n++) resync(n);
  }
  drive(((old ^ nw) & LEG_RT_CNF) != 0);  // the machine re-routes the PIT and RTC lines
}

function writeCounter(half: u32, v: u32): void {
  if (enabled()) return;             // spec §2.3.6: write only while halted
  let c = load<u64>(h(H_COUNT));
  c = half ? (c & 0xffffffff) | (<u64>v << 32) : (c & 0xffffffff00000000) | <u64>v;
  store<u64>(h(H_COUNT), c);
  for (let n: u32 = 0; n < HPET_TIMERS; n++) store<u64>(t(n, T_SEEN), c);
}

function writeTimerConf(n: u32, v: u32): void {
  let old = load<u32>(t(n, T_CONF));
  let nw = (old & ~TN_WRITABLE) | (v & TN_WRITABLE);
  let route = (v & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT;
  if ((ROUTE_CAP & (1 << route)) == 0) nw = (nw & ~TN_ROUTE_MASK) | (old & TN_ROUTE_MASK);
  store<u32>(t(n, T_CONF), nw);
  if (nw & TN_32MODE) {
    store<u64>(t(n, T_CMP), load<u64>(t(n, T_CMP)) & 0xffffffff);
    store<u64>(t(n, T_PERIOD), load<u64>(t(n, T_PERIOD)) & 0xffffffff);
  }
  if (!(nw & TN_INT_TYPE_LEVEL)) store<u32>(h(H_ISR), load<u32>(h(H_ISR)) & ~(1 << n));
  setLine(n, levelLine(n));
  drive();
}

/** Comparator write (spec §2.3.9.2.2): in periodic mode a write sets the
 *  period, and also the comparator itself when Tn_VAL_SET_CNF was set, which
 *  the write clears; in one-shot mode it sets the comparator. */
function writeComparator(n: u32, half: u32, v: u32): void {
  let conf = load<u32>(t(n, T_CONF));
  if (half && (conf & TN_32MODE)) return;
  let sh: u64 = half ? 32 : 0;
  let keep: u64 = half ? 0xffffffff : 0xffffffff00000000;
  let periodic = (conf & TN_TYPE_PERIODIC) != 0;
  if (!periodic || (conf & TN_VAL_SET)) {
    store<u64>(t(n, T_CMP), (load<u64>(t(n, T_CMP)) & keep) | (<u64>v << sh));
  }
  if (periodic) store<u64>(t(n, T_PERIOD), (load<u64>(t(n, T_PERIOD)) & keep) | (<u64>v << sh));
  store<u32>(t(n, T_CONF), conf & ~TN_VAL_SET);
  resync(n);
}

/** A 32-bit write at `addr` (aligned) in the block. */
export function hpetWrite(addr: u32, v: u32): void {
  let off = addr & 0xffc;
  if (off >= HPET_SIZE) return;
  hpetUpdate(clockNow());
  switch (off) {
    case 0x010: writeConf(v); return;
    case 0x020: {
      store<u32>(h(H_ISR), load<u32>(h(H_ISR)) & ~v);
      for (let n: u32 = 0; n < HPET_TIMERS; n++) setLine(n, levelLine(n));
      drive();
      return;
    }
    case 0x0f0: writeCounter(0, v); return;
    case 0x0f4: writeCounter(1, v); return;
  }
  if (off >= 0x100 && off < 0x100 + HPET_TIMERS * 0x20) {
    let n = (off - 0x100) >> 5;
    let r = off & 0x1f;
    if (r == 0x00) writeTimerConf(n, v);
    else if (r == 0x08 || r == 0x0c) writeComparator(n, r == 0x0c ? 1 : 0, v);
  }
}
