// Device state slots: one 256-byte slot each in the device state area
// (layout.ts DEV_STATE, DEV_SLOT_SIZE), allocated here and nowhere else so that
// the snapshot layout is one list. A device that needs more takes consecutive slots.

import { DEV_STATE, DEV_SLOT_SIZE, RINGS } from "../layout";

export const SLOT_CLOCK: u32 = 0;     // virtual clock (clock.ts)
export const SLOT_PIC: u32 = 1;       // both 8259As and the ELCR (pic8259.ts)
export const SLOT_PIT: u32 = 2;       // pit8254.ts
export const SLOT_CMOS: u32 = 3;      // cmos.ts: 2 slots (NVRAM + RTC state)
export const SLOT_UART0: u32 = 5;     // uart16550.ts: COM1..COM4, one slot each (5..8)
export const SLOT_I8042: u32 = 9;     // i8042.ts: 2 slots
export const SLOT_SYSCTL: u32 = 11;   // sysctl.ts
export const SLOT_PCI: u32 = 12;      // pci.ts: config spaces, write masks, PAM bus map, 8 slots (12..19)
export const SLOT_LAPIC: u32 = 20;    // lapic.ts: 4 slots (register page image, 0x400 bytes)
export const SLOT_IOAPIC: u32 = 24;   // ioapic.ts: 2 slots
export const SLOT_HPET: u32 = 26;     // hpet.ts
export const SLOT_ACPI: u32 = 60;     // acpipm.ts
export const SLOT_PCI_VGA: u32 = 0x46; // pci.ts: the std VGA function's config space and write mask (0x46..0x47)
export const SLOT_IDE: u32 = 0x40;    // ide.ts: 2 channels, then 4 drives (0x40..0x45)
export const SLOT_VGA: u32 = 0x48;    // vga.ts: registers, then the DAC (0x48..0x4b)
export const SLOT_FWCFG: u32 = 0x4d;  // fwcfg.ts
/** Every slot up to the I/O rings: a snapshot saves them all, used or not. */
export const SLOT_COUNT: u32 = (RINGS - DEV_STATE) / DEV_SLOT_SIZE;

@inline export function slotAddr(slot: u32): u32 { return DEV_STATE + slot * DEV_SLOT_SIZE; }
