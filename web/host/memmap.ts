// The guest's physical memory map as firmware reports it (BIOS INT 15h E820h,
// ACPI spec §15 "System Address Map Interfaces"), shared by the direct-boot
// loaders: the bzImage zero page (e820_table) and the Multiboot mmap.
// The split follows what SeaBIOS reports on QEMU's pc machine: conventional
// memory ends at 639 KiB (1 KiB EBDA above it), the legacy video/ROM area
// 0xA0000..0xFFFFF is not RAM for the OS, extended memory starts at 1 MiB, and
// the system BIOS image at the top of the 4 GiB space is reserved.

export const E820_RAM = 1;
export const E820_RESERVED = 2;

export interface E820Entry { addr: number; size: number; type: number }

/** End of conventional memory: 639 KiB, the EBDA takes the last KiB below 640 KiB. */
export const LOW_MEM_END = 0x9fc00;
export const EBDA_END = 0xa0000;
export const BIOS_AREA = 0xf0000;
export const HIGH_MEM_START = 0x100000;

/** The map for `ramBytes` of RAM (at least 1 MiB) and a system BIOS image of
 *  `romBytes` at the top of 4 GiB (0 when none is mapped). */
export function e820Map(ramBytes: number, romBytes = 0): E820Entry[] {
  const map: E820Entry[] = [
    { addr: 0, size: LOW_MEM_END, type: E820_RAM },
    { addr: LOW_MEM_END, size: EBDA_END - LOW_MEM_END, type: E820_RESERVED },
    { addr: BIOS_AREA, size: HIGH_MEM_START - BIOS_AREA, type: E820_RESERVED },
  ];
  if (ramBytes > HIGH_MEM_START) map.push({ addr: HIGH_MEM_START, size: ramBytes - HIGH_MEM_START, type: E820_RAM });
  if (romBytes > 0) map.push({ addr: 0x100000000 - romBytes, size: romBytes, type: E820_RESERVED });
  return map;
}
