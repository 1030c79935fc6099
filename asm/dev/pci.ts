// PCI configuration space on bus 0 through configuration mechanism #1 (PCI Local
// Bus Specification 2.1, "Configuration Mechanism #1": CONFIG_ADDRESS at 0xCF8, CONFIG_DATA at 0xCFC)
// and the functions of the i440FX chipset that QEMU's pc machine also has:
//   00.0  82441FX PMC host bridge 8086:1237 (82441FX datasheet, PMC configuration registers): PAM0-PAM6
//         (0x59-0x5F) steer 0xC0000-0xFFFFF between DRAM and the PCI bus,
//         SMRAM control (0x72) as a plain register.
//   01.0  PIIX3 PCI-to-ISA bridge 8086:7000 (PIIX3 datasheet, PCI-to-ISA configuration registers): PIRQ route
//         control (0x60-0x63), other registers with their reset values; the
//         reset control register RC at port 0xCF9.
//   01.1  PIIX3 IDE 8086:7010: configuration space only (BAR4 bus-master I/O
//         base, IDETIM); the device itself is ide.ts.
//   02.0  QEMU's std VGA 1234:1111 (-vga std; the Bochs VBE device): class
//         0300, revision 2, subsystem 1AF4:1100, BAR0 the 16 MiB prefetchable
//         linear framebuffer, ROM BAR 64 KiB holding the VGA BIOS when the host
//         loaded one (SeaBIOS copies it to C0000 and runs it with the device's
//         bus/device/function, as QEMU's romfile), BAR2 4 KiB of memory-mapped
//         registers (QEMU's: VGA ports, DISPI, its extended registers); the
//         device is vga.ts, the mapping machine.ts.
// As in QEMU, registers 0x40-0xFF of every function are writable and the
// command register takes its defined bits; BARs size themselves through the
// write masks. PAM: "ISA/PCI side" of a page is what the firmware ROM mapped
// there (pamSetBusPage); DRAM is the guest RAM at the same address.
// Not modelled: other buses and PCI-to-PCI bridges, configuration mechanism #2,
// status register write-1-to-clear bits, SMRAM (D_OPEN/D_CLS switching of
// 0xA0000), DRAM row boundaries, the PIIX3's USB (01.2) and QEMU's PIIX4 ACPI
// function (01.3), BIOS timer, the APIC base relocation register's effect.

import { slotAddr, SLOT_PCI, SLOT_PCI_VGA } from "./slots";
import { setPhysEntry, physEntry, PM_HOST, PM_ROM, PM_MMIO, PM_DEV_SHIFT, ramSize } from "../mmu/phys";
import { tlbFlush } from "../mmu/paging";
import { RAM_BASE } from "../layout";

export const FN_HOST: u32 = 0;
export const FN_ISA: u32 = 1;
export const FN_IDE: u32 = 2;
export const FN_VGA: u32 = 3;
const NFN: u32 = 3;        // functions in the SLOT_PCI block; FN_VGA has SLOT_PCI_VGA
const VGA_ROM_BAR: u32 = 0x30;

@inline function cfg(fn: u32): u32 { return fn == FN_VGA ? slotAddr(SLOT_PCI_VGA) : slotAddr(SLOT_PCI + fn); }
@inline function wm(fn: u32): u32 { return fn == FN_VGA ? slotAddr(SLOT_PCI_VGA + 1) : slotAddr(SLOT_PCI + NFN + fn); }
@inline function busMap(): u32 { return slotAddr(SLOT_PCI + 2 * NFN); }   // 64 x u32
@inline function misc(): u32 { return slotAddr(SLOT_PCI + 2 * NFN + 1); } // address register, RC

type Hook = () => void;
function nothing(): void {}
let ideChanged: Hook = nothing;
let pirqChanged: Hook = nothing;
let resetHook: Hook = nothing;
let vgaChanged: Hook = nothing;
let pamDev: u32 = 0;
/** Size of the VGA BIOS behind the ROM BAR (0: no ROM BAR); the host's, kept across resets. */
let vgaRomBytes: u32 = 0;
/** machine.ts: IDE command/BAR changed, PIRQ routing changed, 0xCF9 reset, VGA
 *  command/BAR changed; the MMIO device id used for write-only PAM areas. */
export function pciConnect(ide: Hook, pirq: Hook, reset: Hook, vga: Hook, pamDeviceId: u32): void {
  ideChanged = ide; pirqChanged = pirq; resetHook = reset; vgaChanged = vga; pamDev = pamDeviceId;
}
/** The host put a VGA BIOS of `bytes` behind the std VGA's ROM BAR (before the firmware runs). */
export function pciSetVgaRom(bytes: u32): void {
  vgaRomBytes = bytes;
  mask32(FN_VGA, VGA_ROM_BAR, bytes != 0 ? 0xffff0001 : 0);
}

function set8(fn: u32, r: u32, v: u32): void { store<u8>(cfg(fn) + r, <u8>v); }
function set16(fn: u32, r: u32, v: u32): void { store<u16>(cfg(fn) + r, <u16>v); }
function set32(fn: u32, r: u32, v: u32): void { store<u32>(cfg(fn) + r, v); }
function mask16(fn: u32, r: u32, v: u32): void { store<u16>(wm(fn) + r, <u16>v); }
function mask32(fn: u32, r: u32, v: u32): void { store<u32>(wm(fn) + r, v); }

export function pciReset(): void {
  for (let fn: u32 = 0; fn <= FN_VGA; fn++) {
    memory.fill(cfg(fn), 0, 256);
    memory.fill(wm(fn), 0, 256);
    memory.fill(wm(fn) + 0x40, 0xff, 0xc0);
    mask16(fn, 0x04, 0x0547);   // IO MEM MASTER (SPECIAL) ... PARITY SERR INTX-disable
    store<u8>(wm(fn) + 0x0c, 0xff); // cache line size
    store<u8>(wm(fn) + 0x0d, 0xff); // latency timer
    store<u8>(wm(fn) + 0x3c, 0xff); // interrupt line
  }
  store<u32>(misc(), 0);
  store<u8>(misc() + 4, 0);
  // 00.0 82441FX
  set16(FN_HOST, 0, 0x8086); set16(FN_HOST, 2, 0x1237);
  set16(FN_HOST, 4, 0x0006);               // 82441FX: memory and bus-master enable
  set16(FN_HOST, 6, 0x0280);
  set32(FN_HOST, 8, 0x06000002);           // host bridge, revision 2
  set8(FN_HOST, 0x72, 0x02);               // SMRAM: C_BASE_SEG = 010 (A0000)
  // 01.0 PIIX3
  set16(FN_ISA, 0, 0x8086); set16(FN_ISA, 2, 0x7000);
  set16(FN_ISA, 4, 0x0007); set16(FN_ISA, 6, 0x0200);
  set32(FN_ISA, 8, 0x06010000);            // ISA bridge
  set8(FN_ISA, 0x0e, 0x80);                // multi-function device
  set8(FN_ISA, 0x4c, 0x4d); set8(FN_ISA, 0x4e, 0x03);
  for (let i: u32 = 0x60; i < 0x64; i++) set8(FN_ISA, i, 0x80); // PIRQA-D routing disabled
  set8(FN_ISA, 0x69, 0x02);
  set8(FN_ISA, 0x70, 0x80); set8(FN_ISA, 0x71, 0x80);
  set8(FN_ISA, 0x76, 0x0c); set8(FN_ISA, 0x77, 0x0c);
  set8(FN_ISA, 0x78, 0x02);
  set8(FN_ISA, 0xa0, 0x08); set8(FN_ISA, 0xa8, 0x0f);
  // 01.1 PIIX3 IDE: legacy (compatibility) mode, bus master capable
  set16(FN_IDE, 0, 0x8086); set16(FN_IDE, 2, 0x7010);
  set16(FN_IDE, 6, 0x0280);
  set32(FN_IDE, 8, 0x01018000);            // mass storage / IDE, prog-if 0x80
  set32(FN_IDE, 0x20, 0x00000001);         // BAR4: I/O, 16 bytes
  mask32(FN_IDE, 0x20, 0xfffffff0);
  // 02.0 std VGA (QEMU's values: `info pci`, lspci -x in a guest)
  set16(FN_VGA, 0, 0x1234); set16(FN_VGA, 2, 0x1111);
  set32(FN_VGA, 8, 0x03000002);            // VGA-compatible display controller, revision 2
  set16(FN_VGA, 0x2c, 0x1af4); set16(FN_VGA, 0x2e, 0x1100);
  set32(FN_VGA, 0x10, 0x00000008);         // BAR0: memory, 32-bit, prefetchable
  mask32(FN_VGA, 0x10, 0xff000000);        // 16 MiB
  mask32(FN_VGA, 0x18, 0xfffff000);        // BAR2: 4 KiB of memory-mapped registers
  if (vgaRomBytes != 0) mask32(FN_VGA, VGA_ROM_BAR, 0xffff0001); // 64 KiB, enable bit
  store<u8>(wm(FN_VGA) + 0x3c, 0xff);
  pamApply();
}

// --- configuration mechanism #1 ---

/** Function index for the current CONFIG_ADDRESS, or -1 (no device). */
function target(addr: u32): i32 {
  if ((addr & 0x80000000) == 0) return -1;
  if ((addr >> 16) & 0xff) return -1;             // bus 0 only
  let dev = (addr >> 11) & 0x1f, fn = (addr >> 8) & 7;
  if (dev == 0 && fn == 0) return <i32>FN_HOST;
  if (dev == 1 && fn == 0) return <i32>FN_ISA;
  if (dev == 1 && fn == 1) return <i32>FN_IDE;
  if (dev == 2 && fn == 0) return <i32>FN_VGA;
  return -1;
}

export function pciRead(port: u32, size: u32): u32 {
  if (port >= 0xcf8 && port < 0xcfc) {
    if (port == 0xcf8 && size == 4) return load<u32>(misc());
    if (port == 0xcf9 && size == 1) return <u32>load<u8>(misc() + 4);
    return 0xffffffff;
  }
  let addr = load<u32>(misc());
  let fn = target(addr);
  if (fn < 0) return 0xffffffff;
  let r = (addr & 0xfc) + (port & 3);
  let v: u32 = 0;
  for (let i: u32 = 0; i < size; i++) v |= <u32>load<u8>(cfg(<u32>fn) + ((r + i) & 0xff)) << (i * 8);
  return v;
}

export function pciWrite(port: u32, size: u32, v: u32): void {
  if (port >= 0xcf8 && port < 0xcfc) {
    if (port == 0xcf8 && size == 4) { store<u32>(misc(), v & 0x80fffffc); return; }
    if (port == 0xcf9 && size == 1) {
      // PIIX3 reset control: a 0 -> 1 transition of bit 2 resets the system
      let old = <u32>load<u8>(misc() + 4);
      store<u8>(misc() + 4, <u8>(v & 0x02));
      if ((v & 4) && !(old & 4)) resetHook();
    }
    return;
  }
  let addr = load<u32>(misc());
  let fn = target(addr);
  if (fn < 0) return;
  let r = (addr & 0xfc) + (port & 3);
  for (let i: u32 = 0; i < size; i++) {
    let o = (r + i) & 0xff;
    let m = <u32>load<u8>(wm(<u32>fn) + o);
    let old = <u32>load<u8>(cfg(<u32>fn) + o);
    store<u8>(cfg(<u32>fn) + o, <u8>((old & ~m) | ((v >> (i * 8)) & m)));
  }
  let lo = r, hi = r + size - 1;
  if (fn == <i32>FN_HOST && hi >= 0x59 && lo <= 0x5f) pamApply();
  if (fn == <i32>FN_ISA && hi >= 0x60 && lo <= 0x63) pirqChanged();
  if (fn == <i32>FN_IDE && ((lo <= 0x05 && hi >= 0x04) || (hi >= 0x20 && lo <= 0x23) || (hi >= 0x40 && lo <= 0x43))) ideChanged();
  if (fn == <i32>FN_VGA && ((lo <= 0x05 && hi >= 0x04) || (hi >= 0x10 && lo <= 0x1b) || (hi >= 0x30 && lo <= 0x33))) vgaChanged();
}

/** Host / other devices: read a register of a function (e.g. ide.ts reads IDETIM). */
export function pciConfigRead8(fn: u32, r: u32): u32 { return <u32>load<u8>(cfg(fn) + (r & 0xff)); }
export function pciConfigRead32(fn: u32, r: u32): u32 { return load<u32>(cfg(fn) + (r & 0xfc)); }

/** Bus-master IDE I/O base (BAR4) if I/O decoding is on, else 0. */
export function pciIdeBusMasterBase(): u32 {
  if ((load<u16>(cfg(FN_IDE) + 4) & 1) == 0) return 0;
  return load<u32>(cfg(FN_IDE) + 0x20) & 0xfff0;
}

/** Where the std VGA's memory BARs decode: the framebuffer (BAR0) and the ROM
 *  (enabled ROM BAR) addresses, 0 for none (memory space disabled). */
export function pciVgaFramebuffer(): u32 {
  if ((load<u16>(cfg(FN_VGA) + 4) & 2) == 0) return 0;
  return load<u32>(cfg(FN_VGA) + 0x10) & 0xfffffff0;
}
export function pciVgaMmio(): u32 {
  if ((load<u16>(cfg(FN_VGA) + 4) & 2) == 0) return 0;
  return load<u32>(cfg(FN_VGA) + 0x18) & 0xfffff000;
}
export function pciVgaRom(): u32 {
  let r = load<u32>(cfg(FN_VGA) + VGA_ROM_BAR);
  if ((load<u16>(cfg(FN_VGA) + 4) & 2) == 0 || (r & 1) == 0) return 0;
  return r & 0xfffff800;
}

/** PIRQ A-D (0..3) route: ISA IRQ number, or 0xff when routing is disabled
 *  (PIIX3 PIRQRC[A:D]: bit 7 disables, bits 3..0 IRQ; 0-2, 8 and 13 reserved). */
export function pciPirqRoute(pirq: u32): u32 {
  let v = <u32>load<u8>(cfg(FN_ISA) + 0x60 + (pirq & 3));
  if (v & 0x80) return 0xff;
  let irq = v & 0x0f;
  if (irq < 3 || irq == 8 || irq == 13) return 0xff;
  return irq;
}

// --- PAM: shadow RAM control for 0xC0000-0xFFFFF ---

/** Record what the ISA/PCI bus shows at physical page `page` (0xC0..0xFF): a
 *  phys.ts entry (e.g. a ROM image page), 0 for nothing. */
export function pamSetBusPage(page: u32, entry: u32): void {
  if (page < 0xc0 || page > 0xff) return;
  store<u32>(busMap() + ((page - 0xc0) << 2), entry);
}
export function pamBusEntry(page: u32): u32 { return load<u32>(busMap() + (((page - 0xc0) & 63) << 2)); }

/** PAM nibble (bit 0 read enable, bit 1 write enable) for page 0xC0..0xFF. */
function pamBits(page: u32): u32 {
  if (page >= 0xf0) return (<u32>load<u8>(cfg(FN_HOST) + 0x59) >> 4) & 3;
  let k = (page - 0xc0) >> 2;               // 16 KiB segment 0..11
  let v = <u32>load<u8>(cfg(FN_HOST) + 0x5a + (k >> 1));
  return ((k & 1) ? v >> 4 : v) & 3;
}

export function pamApply(): void {
  for (let page: u32 = 0xc0; page < 0x100; page++) {
    let bits = pamBits(page);
    let ramOk = (page << 12) < ramSize;
    let ramEntry = ((RAM_BASE + (page << 12)) & ~0xfff) | PM_HOST;
    let e: u32;
    if (!ramOk) e = pamBusEntry(page);
    else if (bits == 3) e = ramEntry;
    else if (bits == 1) e = ramEntry | PM_ROM;
    else if (bits == 0) e = pamBusEntry(page);
    else e = PM_MMIO | (pamDev << PM_DEV_SHIFT); // write-only: reads from the bus, writes to DRAM
    setPhysEntry(page, e);
  }
  tlbFlush(false);
}

/** MMIO handlers for write-only PAM pages. */
export function pamRead(addr: u32, size: u32): u32 {
  let e = pamBusEntry(addr >>> 12);
  if ((e & PM_HOST) == 0) return 0xffffffff;
  let h = (e & ~0xfff) | (addr & 0xfff);
  if (size == 1) return <u32>load<u8>(h);
  if (size == 2) return <u32>load<u16>(h);
  return load<u32>(h);
}
export function pamWrite(addr: u32, size: u32, v: u32): void {
  let h = RAM_BASE + addr;
  if (size == 1) store<u8>(h, <u8>v);
  else if (size == 2) store<u16>(h, <u16>v);
  else store<u32>(h, v);
}
