// Firmware boot (SeaBIOS, unmodified): what QEMU's pc machine tells the BIOS
// before it runs, so the same BIOS image finds the same machine here.
//   - the memory map, as fw_cfg "etc/e820" (SeaBIOS prefers it to CMOS sizes);
//   - the boot order in CMOS 0x3D (first and second device) and 0x38 bits 7-4
//     (third), nibbles 1 = floppy, 2 = hard disk, 3 = CD-ROM (QEMU's -boot);
//   - the VGA BIOS behind the std VGA's PCI ROM BAR (dev/pci.ts 02.0), which
//     SeaBIOS copies to C0000 and runs with the device's address, as QEMU's
//     -vga std (the BIOS then finds the framebuffer BAR);
//   - the ACPI tables (web/host/acpi.ts) as fw_cfg "etc/acpi/tables" and
//     "etc/acpi/rsdp" with the linker/loader script "etc/table-loader", which
//     SeaBIOS runs to place them (RSDP in the F segment, the rest in high
//     memory), patch their pointers and checksums;
//   - with -nographic, fw_cfg item NOGRAPHIC = 1 (QEMU's graphics=off): SeaBIOS
//     then takes "etc/sercon-port" to be COM1 (0x3f8) and mirrors its screen
//     (banner, boot menu, "Boot failed") to the serial console.

import type { Machine } from "./machine";
import { e820Map } from "./memmap";
import { FW_CFG } from "./fwcfg";
import { acpiFwCfgFiles } from "./acpi";

const BOOT_DEVICE: Record<string, number> = { a: 1, c: 2, d: 3 };

/** -boot order (e.g. "cd", "dc", "d"): the CMOS encoding SeaBIOS reads. */
export function cmosBootOrder(order: string): { reg3d: number; reg38: number } {
  const codes = [...order].map((ch) => BOOT_DEVICE[ch]).filter((v): v is number => v !== undefined).slice(0, 3);
  return { reg3d: (codes[0] ?? 0) | ((codes[1] ?? 0) << 4), reg38: (codes[2] ?? 0) << 4 };
}

const prepared = new WeakSet<Machine>();

/** Before every firmware boot (also after a guest reset): the boot order in
 *  CMOS; the first time, the fw_cfg files (they stay across resets). */
export function prepareFirmwareBoot(m: Machine, bootOrder: string, vgaBios?: Uint8Array, noGraphics = false): void {
  const { reg3d, reg38 } = cmosBootOrder(bootOrder);
  m.setCmosByte(0x3d, reg3d);
  // 0x38 bit 0 set would make SeaBIOS skip the floppy signature check; keep it clear.
  m.setCmosByte(0x38, (m.getCmosByte(0x38) & 0x0f) | reg38);
  if (prepared.has(m)) return;
  prepared.add(m);
  m.fwcfg.setE820(e820Map(m.ramBytes, m.biosSize));
  if (vgaBios) m.loadVgaRom(vgaBios);
  for (const f of acpiFwCfgFiles(m.ramBytes, { hpet: m.hpet })) m.fwcfg.addFile(f.name, f.data);
  if (noGraphics) m.fwcfg.setItem(FW_CFG.NOGRAPHIC, Uint8Array.of(1, 0)); // u16 LE
}
