// The ACPI fixed-hardware power-management registers of a PIIX4-style chipset
// (ACPI 1.0b §4.7; Intel 82371AB PIIX4 datasheet §7 "Power Management"), at the
// I/O ports the machine's ACPI tables name (web/host/acpi.ts, FADT):
//   PM1a_EVT_BLK  PM1 status (W1C) and enable, 2 x 16 bits
//   PM1a_CNT_BLK  PM1 control: SCI_EN reads 1 (the machine is always in ACPI
//                 mode, FADT SMI_CMD = 0); SLP_EN with SLP_TYP 0 (the DSDT's _S5)
//                 powers the machine off (STOP_POWEROFF)
//   PM_TMR_BLK    the 24-bit power-management timer at 3.579545 MHz, from the
//                 machine's virtual clock (clock.ts), like every other timer
// Linux uses the PM timer as its "acpi_pm" clocksource and, since it verifies
// nothing itself, as the watchdog of the TSC.
//
// The SCI (ACPI 1.0b §4.7.2.5): the OR of the PM1 status bits whose enable bit
// is set, while SCI_EN is 1, is a level-triggered, active-high output on ISA
// IRQ 9 (the FADT's SCI_INT; PIIX4 datasheet §7.2.4, the MADT override marks it
// level/high), held until software clears the status bits. Events:
//   TMR_STS    bit 23 of the PM timer changed (every 2^23 counts, 2.34 s);
//              latched whether or not TMR_EN is set, as the spec says
//   PWRBTN_STS the fixed power button was pressed (acpiPmPowerButton, the
//              monitor's system_powerdown, as QEMU's acpi_pm1_evt_power_down)
//   GBL_EN     held; GBL_STS is never set (no firmware SMI handler releases
//              the global lock, as in QEMU)
// Not modelled: GPE blocks, RTC_STS and the sleep button, sleep states other
// than S5 (SLP_TYP 0 powers off, others are ignored), BM_STS, WAK_STS.

import { slotAddr, SLOT_ACPI } from "./slots";
import { clockNow, NEVER } from "../clock";
import { requestStop, STOP_POWEROFF } from "../cpu/exec";

export const ACPI_PM_BASE: u32 = 0x600;    // QEMU's PIIX4 PM base
export const PM1_EVT: u32 = 0x00;          // offsets from ACPI_PM_BASE
export const PM1_CNT: u32 = 0x04;
export const PM_TMR: u32 = 0x08;
export const ACPI_PM_PORTS: u32 = 12;

const PM_TIMER_HZ: u64 = 3_579_545;
const NS: u64 = 1_000_000_000;
const SCI_EN: u32 = 1 << 0;
const SLP_EN: u32 = 1 << 13;
const SLP_TYP_SHIFT: u32 = 10;
// PM1 status / enable bits (ACPI 1.0b tables 4-11, 4-12)
export const TMR_STS: u32 = 1 << 0;
export const GBL_STS: u32 = 1 << 5;
export const PWRBTN_STS: u32 = 1 << 8;
/** The events this chipset can raise; other enable bits are held but have no source. */
const EN_MASK: u32 = TMR_STS | GBL_STS | PWRBTN_STS;
/** The PM timer's status bit follows its bit 23 (a 24-bit timer, ACPI 1.0b §4.7.3.3). */
const TMR_CARRY_BIT: u32 = 23;

const A_STS: u32 = 0;   // u16 PM1 status
const A_EN: u32 = 2;    // u16 PM1 enable
const A_CNT: u32 = 4;   // u16 PM1 control (SLP_TYP as last written)
const A_SCI: u32 = 6;   // u8 SCI output level as last driven
const A_TMR_SEEN: u32 = 8; // u64 PM timer count (unwrapped) up to which TMR_STS is accounted

@inline function a(f: u32): u32 { return slotAddr(SLOT_ACPI) + f; }

type IrqOut = (level: bool) => void;
function noIrq(level: bool): void {}
let sci: IrqOut = noIrq;
/** machine.ts: the SCI line (ISA IRQ 9). */
export function acpiPmConnect(f: IrqOut): void { sci = f; }

export function acpiPmReset(): void {
  memory.fill(slotAddr(SLOT_ACPI), 0, 16);
  store<u64>(a(A_TMR_SEEN), pmTicks(clockNow()));
}

/** PM timer counts since the clock's origin, not wrapped. */
@inline function pmTicks(now: u64): u64 {
  return (now / NS) * PM_TIMER_HZ + ((now % NS) * PM_TIMER_HZ) / NS;
}

/** The timer's count at virtual time `now` (ns), 24 bits. */
export function pmTimerCount(now: u64): u32 { return <u32>pmTicks(now) & 0xffffff; }

/** Latch TMR_STS for the bit-23 toggles up to `now`, then drive the SCI. */
export function acpiPmUpdate(now: u64): void {
  let t = pmTicks(now);
  let seen = load<u64>(a(A_TMR_SEEN));
  if (t > seen) {
    if ((t >> TMR_CARRY_BIT) != (seen >> TMR_CARRY_BIT)) {
      store<u16>(a(A_STS), load<u16>(a(A_STS)) | <u16>TMR_STS);
    }
    store<u64>(a(A_TMR_SEEN), t);
  }
  updateSci();
}

/** When TMR_STS will next be set, if it would raise the SCI; else NEVER. */
export function acpiPmNextDeadline(): u64 {
  let en = <u32>load<u16>(a(A_EN));
  if ((en & TMR_STS) == 0 || (<u32>load<u16>(a(A_STS)) & TMR_STS) != 0) return NEVER;
  let next = ((load<u64>(a(A_TMR_SEEN)) >> TMR_CARRY_BIT) + 1) << TMR_CARRY_BIT;
  // the first ns at which pmTicks reaches `next`
  let q = next / PM_TIMER_HZ, r = next % PM_TIMER_HZ;
  return q * NS + (r * NS + PM_TIMER_HZ - 1) / PM_TIMER_HZ;
}

function updateSci(): void {
  let level = (<u32>load<u16>(a(A_STS)) & <u32>load<u16>(a(A_EN)) & EN_MASK) != 0;
  if (level == (load<u8>(a(A_SCI)) != 0)) return;
  store<u8>(a(A_SCI), level ? 1 : 0);
  sci(level);
}

/** The fixed power button (ACPI 1.0b §4.7.2.2.1.1): PWRBTN_STS, an SCI if enabled. */
export function acpiPmPowerButton(): void {
  store<u16>(a(A_STS), load<u16>(a(A_STS)) | <u16>PWRBTN_STS);
  updateSci();
}

function reg32(off: u32): u32 {
  switch (off) {
    case PM1_EVT: return <u32>load<u16>(a(A_STS)) | (<u32>load<u16>(a(A_EN)) << 16);
    case PM1_CNT: return <u32>load<u16>(a(A_CNT)) | SCI_EN;
    case PM_TMR: return pmTimerCount(clockNow());
    default: return 0;
  }
}

/** A read of `size` bytes at `port` (any alignment inside the block). */
export function acpiPmRead(port: u32, size: u32): u32 {
  let off = port - ACPI_PM_BASE;
  if (off < PM1_CNT) acpiPmUpdate(clockNow());
  let v = reg32(off & ~3) >>> ((off & 3) << 3);
  if ((off & 3) + size > 4) v |= reg32((off & ~3) + 4) << ((4 - (off & 3)) << 3);
  return size == 4 ? v : v & ((1 << (size << 3)) - 1);
}

export function acpiPmWrite(port: u32, size: u32, value: u32): void {
  let off = port - ACPI_PM_BASE;
  acpiPmUpdate(clockNow());
  for (let i: u32 = 0; i < size; i++) writeByte(off + i, (value >>> (i << 3)) & 0xff);
  updateSci();
}

function writeByte(off: u32, v: u32): void {
  switch (off) {
    case 0: case 1: {       // PM1_STS: write 1 to clear
      let s = <u32>load<u16>(a(A_STS));
      store<u16>(a(A_STS), <u16>(s & ~(v << ((off & 1) << 3))));
      break;
    }
    case 2: case 3: {       // PM1_EN
      let e = <u32>load<u16>(a(A_EN));
      let sh = (off & 1) << 3;
      store<u16>(a(A_EN), <u16>((e & ~(0xff << sh)) | (v << sh)));
      break;
    }
    case 4: case 5: {       // PM1_CNT; SLP_EN is write-only and acts at once
      let c = <u32>load<u16>(a(A_CNT));
      let sh = (off & 1) << 3;
      c = (c & ~(0xff << sh)) | (v << sh);
      if (c & SLP_EN) {
        if (((c >> SLP_TYP_SHIFT) & 7) == 0) requestStop(STOP_POWEROFF);
        c &= ~SLP_EN;
      }
      store<u16>(a(A_CNT), <u16>c);
      break;
    }
    default: break;         // the timer is read-only
  }
}
