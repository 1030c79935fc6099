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
// Not modelled: the SCI (status bits are latched but no interrupt is raised:
// the FADT declares no fixed power or sleep button), the timer-carry status
// (TMR_STS), GPE blocks, sleep states other than S5.

import { slotAddr, SLOT_ACPI } from "./slots";
import { clockNow } from "../clock";
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

const A_STS: u32 = 0;   // u16 PM1 status
const A_EN: u32 = 2;    // u16 PM1 enable
const A_CNT: u32 = 4;   // u16 PM1 control (SLP_TYP as last written)

@inline function a(f: u32): u32 { return slotAddr(SLOT_ACPI) + f; }

export function acpiPmReset(): void { memory.fill(slotAddr(SLOT_ACPI), 0, 16); }

/** The timer's count at virtual time `now` (ns), 24 bits. */
export function pmTimerCount(now: u64): u32 {
  return <u32>((now / NS) * PM_TIMER_HZ + ((now % NS) * PM_TIMER_HZ) / NS) & 0xffffff;
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
  let v = reg32(off & ~3) >>> ((off & 3) << 3);
  if ((off & 3) + size > 4) v |= reg32((off & ~3) + 4) << ((4 - (off & 3)) << 3);
  return size == 4 ? v : v & ((1 << (size << 3)) - 1);
}

export function acpiPmWrite(port: u32, size: u32, value: u32): void {
  let off = port - ACPI_PM_BASE;
  for (let i: u32 = 0; i < size; i++) writeByte(off + i, (value >>> (i << 3)) & 0xff);
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
