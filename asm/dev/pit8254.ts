// Intel 8254 programmable interval timer, three counters clocked at 1.193182 MHz
// (PC/AT: counter 0 -> IRQ0, counter 1 DRAM refresh, counter 2 -> speaker, gated
// by port 0x61 bit 0). Follows the 8254 datasheet: control word (§"Control Word
// Format"), modes 0-5, counter latch command, read-back command with status byte,
// LSB/MSB/LSB-then-MSB access, binary and BCD counting.
// The counters are not stepped: each one remembers when its count was loaded and
// computes count and OUT from the virtual clock. Only rising edges of counter 0's
// OUT are scheduled (they are what IRQ0 sees).
// Not modelled: the NULL COUNT status bit (reads 0, as in QEMU), the extra CLK
// cycle that loads the count register, GATE low suspending modes 0 and 4, writing
// a new count in mode 0 stopping the count after the first byte.

import { slotAddr, SLOT_PIT } from "./slots";
import { clockNow, NEVER } from "../clock";

export const PIT_HZ: u64 = 1193182;
const NS: u64 = 1000000000;

// per-counter block, 32 bytes
const C_COUNT: u32 = 0;     // u32 reload value as a binary tick count (1..65536 / 10000)
const C_LOAD: u32 = 8;      // u64 ns when counting (re)started
const C_MODE: u32 = 16;
const C_RW: u32 = 17;       // 1 LSB, 2 MSB, 3 LSB then MSB
const C_BCD: u32 = 18;
const C_GATE: u32 = 19;
const C_WSTATE: u32 = 20;   // LSB-then-MSB: 1 = LSB written, expecting MSB
const C_RSTATE: u32 = 21;   // LSB-then-MSB: 1 = LSB read
const C_LATCHED: u32 = 22;  // count latched (bytes still to read: 1 or 2)
const C_STLATCHED: u32 = 23;
const C_LATCH: u32 = 24;    // u16 latched count (as read, BCD applied)
const C_STATUS: u32 = 26;
const C_WLSB: u32 = 27;     // LSB held until the MSB arrives
const C_ARMED: u32 = 28;    // counting (modes 1 and 5 wait for a GATE trigger)
const C_EDGES: u32 = 29;    // counter 0: edges already signalled (capped flag)
const C_EDGE_COUNT: u32 = 32 * 3; // u64 counter 0 rising edges signalled so far

@inline function ca(ch: u32, f: u32): u32 { return slotAddr(SLOT_PIT) + ch * 32 + f; }
@inline function g8(ch: u32, f: u32): u32 { return <u32>load<u8>(ca(ch, f)); }
@inline function s8(ch: u32, f: u32, v: u32): void { store<u8>(ca(ch, f), <u8>v); }

type IrqOut = (level: bool) => void;
function noIrq(level: bool): void {}
let irq0: IrqOut = noIrq;
export function pitSetIrq(f: IrqOut): void { irq0 = f; }

export function pitReset(): void {
  memory.fill(slotAddr(SLOT_PIT), 0, 256);
  for (let ch: u32 = 0; ch < 3; ch++) {
    store<u32>(ca(ch, C_COUNT), 0x10000);
    s8(ch, C_MODE, 3); s8(ch, C_RW, 3);
    s8(ch, C_GATE, ch == 2 ? 0 : 1);
    store<u64>(ca(ch, C_LOAD), clockNow());
    s8(ch, C_ARMED, 1);
  }
  store<u64>(slotAddr(SLOT_PIT) + C_EDGE_COUNT, 0);
}

/** ns -> whole input clocks since `from`. */
@inline function ticksBetween(from: u64, to: u64): u64 {
  if (to <= from) return 0;
  let d = to - from;
  return (d / NS) * PIT_HZ + ((d % NS) * PIT_HZ) / NS;
}
/** The first ns at which `k` input clocks have elapsed since `from`. */
@inline function timeOfTick(from: u64, k: u64): u64 {
  let q = k / PIT_HZ, r = k % PIT_HZ;
  return from + q * NS + (r * NS + PIT_HZ - 1) / PIT_HZ;
}

@inline function elapsed(ch: u32, now: u64): u64 { return ticksBetween(load<u64>(ca(ch, C_LOAD)), now); }

function modeOf(ch: u32): u32 { let m = g8(ch, C_MODE); return m >= 6 ? m - 4 : m; }

/** The counting element's value now (binary). */
function currentCount(ch: u32, now: u64): u32 {
  let n = <u64>load<u32>(ca(ch, C_COUNT));
  let m = modeOf(ch);
  if (!g8(ch, C_ARMED)) return <u32>n;
  if ((m == 2 || m == 3) && !g8(ch, C_GATE)) return <u32>n;
  let d = elapsed(ch, now);
  let wrap: u64 = g8(ch, C_BCD) ? 10000 : 0x10000;
  switch (m) {
    case 2: return <u32>(n - d % n);
    case 3: {
      // 8254: mode 3 decrements by two each clock (an odd count loads N-1 on the
      // low half); the value seen by a read goes from N down to 2 in each half.
      let half = d % n;
      let v = n - ((half * 2) % n);
      return <u32>(v == 0 ? n : v);
    }
    default: {
      // modes 0, 1, 4, 5: count down and wrap after terminal count
      let v = (n + wrap - d % wrap) % wrap;
      return <u32>v;
    }
  }
}

/** OUT of counter `ch` now. */
export function pitOut(ch: u32, now: u64): bool {
  let n = <u64>load<u32>(ca(ch, C_COUNT));
  let m = modeOf(ch);
  if (!g8(ch, C_ARMED)) return m != 0;
  if ((m == 2 || m == 3) && !g8(ch, C_GATE)) return true;
  let d = elapsed(ch, now);
  switch (m) {
    case 0: return d >= n;                 // low until terminal count, then high
    case 1: return d >= n;                 // one-shot: low from trigger to terminal count
    case 2: return n == 1 || (d % n) != n - 1; // low for one clock when the count reaches 1
    case 3: return (d % n) < ((n + 1) >> 1);   // high for ceil(N/2), low for floor(N/2)
    default: return d != n;                // 4, 5: strobe low for one clock at terminal count
  }
}

/** Rising OUT edges of counter `ch` since counting started, up to `d` clocks. */
function risingEdges(ch: u32, d: u64): u64 {
  let n = <u64>load<u32>(ca(ch, C_COUNT));
  switch (modeOf(ch)) {
    case 0: case 1: return d >= n ? 1 : 0;
    case 2: case 3: return d / n;
    default: return d >= n + 1 ? 1 : 0;
  }
}
/** Clock count (since load) of the next rising edge after `d`, or NEVER. */
function nextEdgeTick(ch: u32, d: u64): u64 {
  let n = <u64>load<u32>(ca(ch, C_COUNT));
  switch (modeOf(ch)) {
    case 0: case 1: return d < n ? n : NEVER;
    case 2: case 3: return (d / n + 1) * n;
    default: return d < n + 1 ? n + 1 : NEVER;
  }
}

/** Bring counter 0's IRQ line up to `now`: one pulse however many edges passed
 *  (lost ticks are lost, as when a real PC misses them), then the OUT level. */
export function pitUpdate(now: u64): void {
  let edgeAddr = slotAddr(SLOT_PIT) + C_EDGE_COUNT;
  if (g8(0, C_ARMED)) {
    let e = risingEdges(0, elapsed(0, now));
    if (e > load<u64>(edgeAddr)) {
      store<u64>(edgeAddr, e);
      irq0(false);
      irq0(true);
    }
  }
  irq0(pitOut(0, now));
}

/** When counter 0's next rising edge is due (ns), or NEVER. */
export function pitNextDeadline(): u64 {
  if (!g8(0, C_ARMED)) return NEVER;
  let now = clockNow();
  let t = nextEdgeTick(0, elapsed(0, now));
  if (t == NEVER) return NEVER;
  // keep the reference point recent so that ns arithmetic cannot overflow
  return timeOfTick(load<u64>(ca(0, C_LOAD)), t);
}

function toBcd(v: u32): u32 {
  return (v % 10) | (((v / 10) % 10) << 4) | (((v / 100) % 10) << 8) | (((v / 1000) % 10) << 12);
}
function fromBcd(v: u32): u32 {
  return (v & 15) + ((v >> 4) & 15) * 10 + ((v >> 8) & 15) * 100 + ((v >> 12) & 15) * 1000;
}

function readableCount(ch: u32): u32 {
  let v = currentCount(ch, clockNow());
  if (g8(ch, C_BCD)) return toBcd(v % 10000);
  return v & 0xffff;
}

function latchCount(ch: u32): void {
  if (g8(ch, C_LATCHED)) return; // 8254: a second latch before the read is ignored
  store<u16>(ca(ch, C_LATCH), <u16>readableCount(ch));
  s8(ch, C_LATCHED, g8(ch, C_RW) == 3 ? 2 : 1);
}

function latchStatus(ch: u32): void {
  if (g8(ch, C_STLATCHED)) return;
  let out: u32 = pitOut(ch, clockNow()) ? 0x80 : 0;
  s8(ch, C_STATUS, out | (g8(ch, C_RW) << 4) | (g8(ch, C_MODE) << 1) | g8(ch, C_BCD));
  s8(ch, C_STLATCHED, 1);
}

function loadCount(ch: u32, raw: u32): void {
  let n: u32;
  if (g8(ch, C_BCD)) { n = fromBcd(raw); if (n == 0) n = 10000; }
  else n = raw == 0 ? 0x10000 : raw;
  let m = modeOf(ch);
  // 8254: counts of 1 are illegal in modes 2 and 3; hardware behaves as 2 in mode 3
  if (n == 1 && (m == 2 || m == 3)) n = 2;
  store<u32>(ca(ch, C_COUNT), n);
  // Modes 2 and 3 pick up a new count at the end of the current period; the
  // others restart. Restarting at once is what QEMU does for all modes.
  store<u64>(ca(ch, C_LOAD), clockNow());
  s8(ch, C_ARMED, (m == 1 || m == 5) ? 0 : 1);
  if (ch == 0) { store<u64>(slotAddr(SLOT_PIT) + C_EDGE_COUNT, 0); pitUpdate(clockNow()); }
}

export function pitRead(port: u32): u32 {
  let ch = port & 3;
  if (ch == 3) return 0xff; // the control word register is write-only
  if (g8(ch, C_STLATCHED)) { s8(ch, C_STLATCHED, 0); return g8(ch, C_STATUS); }
  let rw = g8(ch, C_RW);
  if (g8(ch, C_LATCHED)) {
    let l = <u32>load<u16>(ca(ch, C_LATCH));
    let left = g8(ch, C_LATCHED);
    s8(ch, C_LATCHED, left - 1);
    if (rw == 2) return l >> 8;
    if (rw == 3 && left == 1) return l >> 8;
    return l & 0xff;
  }
  let v = readableCount(ch);
  switch (rw) {
    case 1: return v & 0xff;
    case 2: return v >> 8;
    default: {
      let st = g8(ch, C_RSTATE);
      s8(ch, C_RSTATE, st ^ 1);
      return st ? v >> 8 : v & 0xff;
    }
  }
}

export function pitWrite(port: u32, v: u32): void {
  v &= 0xff;
  let ch = port & 3;
  if (ch == 3) {
    let sc = v >> 6;
    if (sc == 3) {
      // read-back: bit 5 = 0 latch count, bit 4 = 0 latch status, bits 3..1 counters
      for (let c: u32 = 0; c < 3; c++) {
        if (v & (2 << c)) {
          if ((v & 0x20) == 0) latchCount(c);
          if ((v & 0x10) == 0) latchStatus(c);
        }
      }
      return;
    }
    let rw = (v >> 4) & 3;
    if (rw == 0) { latchCount(sc); return; }
    s8(sc, C_RW, rw);
    s8(sc, C_MODE, (v >> 1) & 7);
    s8(sc, C_BCD, v & 1);
    s8(sc, C_WSTATE, 0); s8(sc, C_RSTATE, 0); s8(sc, C_LATCHED, 0); s8(sc, C_STLATCHED, 0);
    // 8254: writing a control word sets OUT to its initial state and waits for a
    // count (mode 0: low; others: high).
    s8(sc, C_ARMED, 0);
    if (sc == 0) irq0(pitOut(0, clockNow()));
    return;
  }
  switch (g8(ch, C_RW)) {
    case 1: loadCount(ch, v); break;
    case 2: loadCount(ch, v << 8); break;
    default:
      if (g8(ch, C_WSTATE) == 0) { s8(ch, C_WLSB, v); s8(ch, C_WSTATE, 1); }
      else { s8(ch, C_WSTATE, 0); loadCount(ch, g8(ch, C_WLSB) | (v << 8)); }
      break;
  }
}

/** GATE input (counter 2 through port 0x61 bit 0). */
export function pitSetGate(ch: u32, level: bool): void {
  let old = g8(ch, C_GATE) != 0;
  s8(ch, C_GATE, level ? 1 : 0);
  if (level && !old) {
    let m = modeOf(ch);
    // a rising GATE (re)triggers modes 1 and 5 and reloads modes 2 and 3
    if (m == 1 || m == 5 || m == 2 || m == 3) {
      store<u64>(ca(ch, C_LOAD), clockNow());
      if (m == 1 || m == 5) s8(ch, C_ARMED, 1);
    }
  } else if (!level && old) {
    let m = modeOf(ch);
    // modes 2 and 3 restart from the full count when GATE rises again
    if (m == 2 || m == 3) store<u64>(ca(ch, C_LOAD), clockNow());
  }
}
export function pitGate(ch: u32): bool { return g8(ch, C_GATE) != 0; }
