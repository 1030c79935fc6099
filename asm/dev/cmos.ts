// Motorola MC146818A real-time clock with 128 bytes of CMOS RAM, as on the PC/AT
// (index port 0x70, whose bit 7 is the NMI mask, data port 0x71, IRQ8).
// Follows the MC146818A datasheet: time/calendar and alarm registers, register A
// (UIP, divider, periodic rate select), B (SET, PIE, AIE, UIE, SQWE, DM, 24/12,
// DSE), C (IRQF, PF, AF, UF; cleared by reading), D (VRT); BCD and binary data
// modes and 12/24-hour mode; alarm "don't care" codes (0xC0-0xFF).
// Time comes from the virtual clock: seconds = base + clock / 1e9, so updates
// happen at whole virtual seconds. The host sets `base` (host time at start, or
// a fixed date in deterministic mode); the guest setting the time moves it.
// Which clock (QEMU's -rtc clock=):
// - vm: the virtual clock alone. Time the machine does not run (paused, stopped
//   by gdb or the monitor, a starved host beyond the second the virtual clock
//   catches up) is time the RTC does not count: it falls behind the host's.
// - host (cmosSetClockHost): the virtual clock plus clockSlip(), the host time
//   the virtual clock has dropped (asm/clock.ts), so after a pause or starvation
//   the seconds jump forward to the host's wall clock (to within the lag of at
//   most 1 s the virtual clock is still closing). The slip only grows and moves
//   only when the host's clock is read (recorded by record/replay), so the RTC
//   never runs backwards and a replay repeats every jump. A guest that sets the
//   time keeps its offset to the host's clock; update-ended, alarm and periodic
//   interrupts keep working: one update cycle covers the seconds a jump passes
//   over (one UF), and an alarm that fell among them sets AF, as QEMU's RTC on
//   QEMU_CLOCK_HOST does. The periodic rate counts virtual time in both modes.
// The PC BIOS bytes (0x0E-0x3F and QEMU's extensions 0x5B-0x5F) are filled as
// QEMU's pc machine fills them, from the RAM size.
// Not modelled: daylight-saving switching (DSE), the square-wave output pin,
// the divider-chain reset states other than "no updates", the 244 us update
// cycle's effect on reads (reads during UIP return the new time at once).

import { slotAddr, SLOT_CMOS } from "./slots";
import { clockNow, clockSlip, NEVER } from "../clock";

const NS: u64 = 1000000000;
// slot SLOT_CMOS: the 128 bytes of RAM (time registers 0..9 are computed);
// slot SLOT_CMOS+1: RTC state
const R_INDEX: u32 = 0x100;
const R_NMI_OFF: u32 = 0x101;
const R_IRQ: u32 = 0x102;        // IRQ8 level
const R_BASE: u32 = 0x108;       // i64 seconds since 1970 at virtual time 0
const R_LAST_SEC: u32 = 0x110;   // u64 virtual second last processed for UF/AF
const R_LAST_PER: u32 = 0x118;   // u64 periodic ticks (32768 Hz units) processed
const R_FROZEN: u32 = 0x120;     // i64 seconds while SET is on (guest writing)
const R_PHASE: u32 = 0x128;      // u64 ns added to rtcClock() so that RTC seconds start where the set time's did
const R_CLOCK_HOST: u32 = 0x130; // u8 1 = -rtc clock=host: the seconds count clockSlip() too

@inline function ram(i: u32): u32 { return slotAddr(SLOT_CMOS) + (i & 0x7f); }
@inline function rg(i: u32): u32 { return <u32>load<u8>(ram(i)); }
@inline function rs(i: u32, v: u32): void { store<u8>(ram(i), <u8>v); }
@inline function st(f: u32): u32 { return slotAddr(SLOT_CMOS) + f; }

type IrqOut = (level: bool) => void;
function noIrq(level: bool): void {}
let irq8: IrqOut = noIrq;
export function cmosSetIrq(f: IrqOut): void { irq8 = f; }

const REG_A: u32 = 0x0a;
const REG_B: u32 = 0x0b;
const REG_C: u32 = 0x0c;
const REG_D: u32 = 0x0d;

/** Power-on contents. `ramBytes`: the RAM size (below 4 GiB, as mapped). */
export function cmosInit(ramBytes: u32, startUnix: i64): void {
  memory.fill(slotAddr(SLOT_CMOS), 0, 512);
  store<i64>(st(R_BASE), startUnix);
  rs(REG_A, 0x26);   // 32.768 kHz time base, 1.024 kHz periodic rate
  rs(REG_B, 0x02);   // 24-hour mode, BCD
  rs(REG_D, 0x80);   // valid RAM and time
  // PC/AT BIOS bytes, as QEMU's pc machine sets them (hw/i386/pc.c, mc146818rtc)
  rs(0x10, 0x00);    // no floppy drives
  rs(0x14, 0x06);    // equipment: FPU present, PS/2 mouse; VGA (display type 0)
  rs(0x15, 0x80); rs(0x16, 0x02); // 640 KiB base memory
  let mb: u64 = <u64>ramBytes;
  let ext: u64 = mb > 0x100000 ? (mb - 0x100000) >> 10 : 0;
  if (ext > 0xffff) ext = 0xffff;
  rs(0x17, <u32>ext & 0xff); rs(0x18, <u32>(ext >> 8));
  rs(0x30, <u32>ext & 0xff); rs(0x31, <u32>(ext >> 8));
  let above16: u64 = mb > 0x1000000 ? (mb - 0x1000000) >> 16 : 0;
  if (above16 > 0xffff) above16 = 0xffff;
  rs(0x34, <u32>above16 & 0xff); rs(0x35, <u32>(above16 >> 8));
  // 0x5B-0x5D: RAM above 4 GiB in 64 KiB units (none: guest RAM is below 4 GiB)
  rs(0x5b, 0); rs(0x5c, 0); rs(0x5d, 0);
  rs(0x5f, 0);       // SeaBIOS: number of CPUs - 1
  rs(0x3d, 0x02);    // QEMU boot order: first device hard disk (1 fd, 2 hd, 3 cd)
  rs(0x38, 0x00);    // third boot device none; floppy signature check enabled
  rs(0x32, 0x20);    // century (BCD), read by SeaBIOS and Linux
  cmosChecksum();
  cmosReset();
}

/** Recompute the AT checksum over 0x10-0x2D into 0x2E/0x2F. */
export function cmosChecksum(): void {
  let sum: u32 = 0;
  for (let i: u32 = 0x10; i <= 0x2d; i++) sum += rg(i);
  rs(0x2e, sum >> 8); rs(0x2f, sum & 0xff);
}

/** Host access to the NVRAM (boot order, disk geometry bytes). */
export function cmosSetByte(i: u32, v: u32): void { rs(i, v); if (i >= 0x10 && i <= 0x2d) cmosChecksum(); }
export function cmosGetByte(i: u32): u32 { return rg(i); }

/** Reset input: clears PIE/AIE/UIE/SQWE and the flags (datasheet "RESET"). */
export function cmosReset(): void {
  rs(REG_B, rg(REG_B) & ~0x78);
  rs(REG_C, 0);
  store<u8>(st(R_INDEX), 0);
  store<u8>(st(R_IRQ), 0);
  irq8(false);
  let now = clockNow();
  store<u64>(st(R_LAST_SEC), rtcNs(now) / NS);
  store<u64>(st(R_LAST_PER), perTicks(now));
}

@inline function followsHost(): bool { return load<u8>(st(R_CLOCK_HOST)) != 0; }
/** The clock the RTC counts at virtual time `now`: the virtual clock, plus
 *  under clock=host the host time it dropped (never less than before). */
@inline function rtcClock(now: u64): u64 { return followsHost() ? now + clockSlip() : now; }
/** The RTC's time base: rtcClock shifted so that its seconds tick where the
 *  time it was set to ticks (a host's wall clock, or the guest's SET). */
@inline function rtcNs(now: u64): u64 { return rtcClock(now) + load<u64>(st(R_PHASE)); }

/** Set the time of day: `unix` whole seconds plus `fracNs` of the current second. */
export function cmosSetTime(unix: i64, fracNs: u64 = 0): void {
  let c = rtcClock(clockNow());
  let phase = (fracNs % NS + NS - c % NS) % NS;
  store<u64>(st(R_PHASE), phase);
  store<i64>(st(R_BASE), unix - <i64>((c + phase) / NS));
  store<u64>(st(R_LAST_SEC), (c + phase) / NS);
}

/** -rtc clock=host (true) or clock=vm: which clock the seconds count from now
 *  on. The time of day reads on from where it is, to the ns. */
export function cmosSetClockHost(on: bool): void {
  if (on == followsHost()) return;
  let ns = rtcNs(clockNow());
  let unix = load<i64>(st(R_BASE)) + <i64>(ns / NS);
  store<u8>(st(R_CLOCK_HOST), on ? 1 : 0);
  cmosSetTime(unix, ns % NS);
}

/** The time of day, in seconds since 1970 (with the fraction; the frozen
 *  whole second while SET is on), for the host and its tests. */
export function cmosTime(): f64 {
  if (rg(REG_B) & 0x80) return <f64>load<i64>(st(R_FROZEN));
  let ns = rtcNs(clockNow());
  return <f64>(load<i64>(st(R_BASE)) + <i64>(ns / NS)) + <f64>(ns % NS) / 1e9;
}

@inline function perTicks(now: u64): u64 {
  // 32768 Hz ticks: ns * 32768 / 1e9 = ns * 64 / 1953125
  return (now / 1953125) * 64 + ((now % 1953125) * 64) / 1953125;
}
@inline function tickTime(k: u64): u64 {
  return (k / 64) * 1953125 + ((k % 64) * 1953125 + 63) / 64;
}

/** Periodic interrupt period in 32.768 kHz ticks, 0 if off (register A RS3..0). */
function periodTicks(): u64 {
  let rs_ = rg(REG_A) & 15;
  if (rs_ == 0) return 0;
  if ((rg(REG_A) & 0x70) != 0x20) return 0; // divider not in normal operation
  if (rs_ <= 2) return <u64>1 << (rs_ + 6); // 256 Hz and 128 Hz on a 32.768 kHz base
  return <u64>1 << (rs_ - 1);
}

function nowSeconds(): i64 {
  if (rg(REG_B) & 0x80) return load<i64>(st(R_FROZEN));
  return load<i64>(st(R_BASE)) + <i64>(rtcNs(clockNow()) / NS);
}

// --- calendar (proleptic Gregorian; days since 1970-01-01) ---
function civil(days: i64): u32 { // returns (year << 16) | (month << 8) | day
  let z = days + 719468;
  let era = (z >= 0 ? z : z - 146096) / 146097;
  let doe = z - era * 146097;
  let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  let y = yoe + era * 400;
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  let mp = (5 * doy + 2) / 153;
  let d = doy - (153 * mp + 2) / 5 + 1;
  let m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  return (<u32>y << 16) | (<u32>m << 8) | <u32>d;
}
function daysFromCivil(y0: i64, m: i64, d: i64): i64 {
  let y = m <= 2 ? y0 - 1 : y0;
  let era = (y >= 0 ? y : y - 399) / 400;
  let yoe = y - era * 400;
  let mp = m > 2 ? m - 3 : m + 9;
  let doy = (153 * mp + 2) / 5 + d - 1;
  let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

@inline function toBcd(v: u32): u32 { return ((v / 10) << 4) | (v % 10); }
@inline function fromBcd(v: u32): u32 { return (v >> 4) * 10 + (v & 15); }
function enc(v: u32): u32 { return (rg(REG_B) & 4) ? v : toBcd(v); }
function dec(v: u32): u32 { return (rg(REG_B) & 4) ? v : fromBcd(v); }
function encHour(h: u32): u32 {
  if (rg(REG_B) & 2) return enc(h);
  let pm: u32 = h >= 12 ? 0x80 : 0;
  let h12 = h % 12; if (h12 == 0) h12 = 12;
  return enc(h12) | pm;
}
function decHour(v: u32): u32 {
  if (rg(REG_B) & 2) return dec(v);
  let h = dec(v & 0x7f) % 12;
  return (v & 0x80) ? h + 12 : h;
}

/** Time register `i` (0 sec, 2 min, 4 hour, 6 weekday, 7 day, 8 month, 9 year). */
function timeReg(i: u32, t: i64): u32 {
  let days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  let sod = <u32>(t - days * 86400);
  switch (i) {
    case 0: return enc(sod % 60);
    case 2: return enc((sod / 60) % 60);
    case 4: return encHour(sod / 3600);
    case 6: return enc(<u32>(((days % 7) + 7 + 4) % 7) + 1); // 1970-01-01 was a Thursday (5)
    default: {
      let c = civil(days);
      if (i == 7) return enc(c & 0xff);
      if (i == 8) return enc((c >> 8) & 0xff);
      return enc((c >> 16) % 100);
    }
  }
}

function alarmMatches(t: i64): bool {
  let days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  let sod = <u32>(t - days * 86400);
  let s = rg(1), m = rg(3), h = rg(5);
  if (s < 0xc0 && dec(s) != sod % 60) return false;
  if (m < 0xc0 && dec(m) != (sod / 60) % 60) return false;
  if (h < 0xc0 && decHour(h) != sod / 3600) return false;
  return true;
}

/** Whether the alarm matches any of the `n` seconds that end at `t`: the
 *  seconds one update passes over (a clock=host jump, or flags of a disabled
 *  source computed when register C is read). A day holds every second the
 *  alarm's don't-care codes can name. */
function alarmWithin(t: i64, n: u64): bool {
  let k: i64 = n > 86400 ? 86400 : <i64>n;
  for (let i: i64 = 0; i < k; i++) if (alarmMatches(t - i)) return true;
  return false;
}

function updateIrq(): void {
  let c = rg(REG_C) & 0x70;
  let irqf = (c & rg(REG_B) & 0x70) != 0;
  rs(REG_C, c | (irqf ? 0x80 : 0));
  let old = load<u8>(st(R_IRQ)) != 0;
  if (irqf != old) { store<u8>(st(R_IRQ), irqf ? 1 : 0); irq8(irqf); }
}

/** Account for periodic ticks and update cycles up to `now`. */
export function cmosUpdate(now: u64): void {
  let per = periodTicks();
  let k = perTicks(now);
  if (per != 0 && k / per > load<u64>(st(R_LAST_PER)) / per) rs(REG_C, rg(REG_C) | 0x40);
  store<u64>(st(R_LAST_PER), k);
  let sec = rtcNs(now) / NS;
  let last = load<u64>(st(R_LAST_SEC));
  if (sec > last) {
    store<u64>(st(R_LAST_SEC), sec);
    if ((rg(REG_B) & 0x80) == 0 && (rg(REG_A) & 0x70) == 0x20) {
      rs(REG_C, rg(REG_C) | 0x10);
      if (alarmWithin(nowSeconds(), sec - last)) rs(REG_C, rg(REG_C) | 0x20);
    }
  }
  updateIrq();
}

/** Next time an enabled interrupt source fires, or NEVER. Flags of disabled
 *  sources are computed when register C is read. */
export function cmosNextDeadline(): u64 {
  let b = rg(REG_B);
  let dl = NEVER;
  let now = clockNow();
  if (b & 0x40) {
    let per = periodTicks();
    if (per != 0) {
      let k = perTicks(now);
      let t = tickTime((k / per + 1) * per);
      if (t < dl) dl = t;
    }
  }
  if ((b & 0x30) && (b & 0x80) == 0) {
    // The next whole second of rtcNs, in virtual time. (A clock=host jump
    // later moves it earlier: the run loop asks again after every clock read.)
    let r = rtcNs(now);
    let t = (r / NS + 1) * NS - (r - now);
    if (t < dl) dl = t;
  }
  return dl;
}

export function cmosRead(port: u32): u32 {
  if ((port & 1) == 0) return 0xff; // index register is write-only
  let i = <u32>load<u8>(st(R_INDEX));
  switch (i) {
    case 0: case 2: case 4: case 6: case 7: case 8: case 9:
      return timeReg(i, nowSeconds());
    case REG_A: {
      // UIP: set from 244 us before an update until it happens
      let uip: u32 = 0;
      if ((rg(REG_B) & 0x80) == 0 && (rg(REG_A) & 0x70) == 0x20) {
        if (rtcNs(clockNow()) % NS >= NS - 244000) uip = 0x80;
      }
      return (rg(REG_A) & 0x7f) | uip;
    }
    case REG_C: {
      cmosUpdate(clockNow());
      let v = rg(REG_C);
      rs(REG_C, 0);
      updateIrq();
      return v;
    }
    case REG_D: return 0x80;
    case 0x32: case 0x37: return rg(i); // century
    default: return rg(i);
  }
}

function setTimeField(i: u32, v: u32): void {
  let t = load<i64>(st(R_FROZEN));
  let days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  let sod = <i64>(t - days * 86400);
  let c = civil(days);
  let y: i64 = <i64>(c >> 16), mo: i64 = <i64>((c >> 8) & 0xff), d: i64 = <i64>(c & 0xff);
  let h: i64 = sod / 3600, mi: i64 = (sod / 60) % 60, s: i64 = sod % 60;
  switch (i) {
    case 0: s = <i64>dec(v); break;
    case 2: mi = <i64>dec(v); break;
    case 4: h = <i64>decHour(v); break;
    case 7: d = <i64>dec(v); break;
    case 8: mo = <i64>dec(v); break;
    case 9: {
      let cent = fromBcd(rg(0x32));
      y = <i64>(cent * 100 + dec(v));
      break;
    }
    default: return; // day of week follows the date
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return;
  store<i64>(st(R_FROZEN), daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
}

export function cmosWrite(port: u32, v: u32): void {
  v &= 0xff;
  if ((port & 1) == 0) {
    store<u8>(st(R_INDEX), <u8>(v & 0x7f));
    store<u8>(st(R_NMI_OFF), <u8>(v >> 7));
    return;
  }
  let i = <u32>load<u8>(st(R_INDEX));
  switch (i) {
    case 0: case 2: case 4: case 6: case 7: case 8: case 9: {
      let b = rg(REG_B);
      if ((b & 0x80) == 0) {
        // Writing without SET: take effect at once, keeping the sub-second phase.
        store<i64>(st(R_FROZEN), nowSeconds());
        setTimeField(i, v);
        cmosSetTime(load<i64>(st(R_FROZEN)));
      } else setTimeField(i, v);
      break;
    }
    case REG_A: rs(REG_A, v & 0x7f); break;
    case REG_B: {
      let old = rg(REG_B);
      if ((v & 0x80) && !(old & 0x80)) store<i64>(st(R_FROZEN), nowSeconds());
      // datasheet: setting SET clears UIE
      if (v & 0x80) v &= ~0x10;
      rs(REG_B, v);
      if (!(v & 0x80) && (old & 0x80)) cmosSetTime(load<i64>(st(R_FROZEN)));
      // switching data mode changes how the stored alarm bytes read; they are kept
      updateIrq();
      break;
    }
    case REG_C: case REG_D: break; // read-only
    default: rs(i, v); break;
  }
}

export function nmiMasked(): bool { return load<u8>(st(R_NMI_OFF)) != 0; }
