// The machine: memory map, port map, IRQ wiring, reset and the run loop. This is
// the one place that knows which device sits at which port, address and IRQ line.
//
// Port map (device ids are the PORT_MAP bytes of io.ts):
//   0x020-0x021, 0x0A0-0x0A1  8259A master/slave          DEV_PIC     pic8259.ts
//   0x040-0x043               8254 PIT                    DEV_PIT     pit8254.ts
//   0x060, 0x064              8042 keyboard controller    DEV_I8042   i8042.ts
//   0x061, 0x092              system control B / A        DEV_SYSCTL  sysctl.ts
//   0x070-0x071               MC146818 RTC / CMOS         DEV_CMOS    cmos.ts
//   0x0E9                     debug console (QEMU -debugcon): bytes to RING_DEBUGCON
//   0x0F4                     debug exit (QEMU isa-debug-exit, iobase 0xf4):
//                             stops with exit code (value << 1) | 1
//   0x3F8, 0x2F8, 0x3E8, 0x2E8 (8 each)  16550A COM1-4  DEV_UART0+n uart16550.ts
//   0x4D0-0x4D1               PIIX3 ELCR                  DEV_ELCR    pic8259.ts
//   0x0F0                     x87 error latch clear (IRQ13) DEV_FPU_CLEAR
//   0xCF8-0xCFF               PCI configuration, 0xCF9 RC DEV_PCI     pci.ts
//   0x600-0x60B               ACPI PM1 blocks, PM timer   DEV_ACPI    acpipm.ts
// MMIO: 0xFEE00000 local APIC (DEV_LAPIC), 0xFEC00000 I/O APIC (DEV_IOAPIC),
// write-only PAM areas in 0xC0000-0xFFFFF (DEV_PAM).
// IRQs: every source calls setIrq(ISA line, level) (or setPciIrq(PIRQ, level));
// ISA line n goes to 8259A input n and I/O APIC pin n (line 0 to pin 2), PIRQ
// A-D through the PIIX3 routing registers to an 8259A input and to I/O APIC
// pins 16-19. The 8259A's INT reaches the CPU through LAPIC LINT0 (ExtINT).
//   IRQ0 PIT, IRQ1 keyboard, IRQ3 COM2/COM4, IRQ4 COM1/COM3, IRQ8 RTC,
//   IRQ12 mouse, IRQ14/15 IDE (ide.ts).
//
// Adding a device (IDE, VGA, fw_cfg): pick its DEV_* id below (reserved ids
// exist), claimPorts(first, count, DEV_X) / mapMmio(addr, size, DEV_X) in
// machineInit, a case in portRead/portWrite (and mmioRead/mmioWrite), its reset
// in machineReset, setIrq(line, level) from the device, and if it has timers a
// term in devicesUpdate/nextDeadline. State goes in its slots (dev/slots.ts).
//
// Memory: RAM from 0; the system BIOS image at the top of the 4 GiB space and its
// last 128 KiB (or all of a smaller image) below 1 MiB, as on a PC, behind the
// i440FX PAM registers (pci.ts).
//
// Time (clock.ts): devices are not polled per instruction. Before each CPU
// stretch every device with a timer is brought up to the current virtual time and
// reports its next deadline; the CPU runs at most until the nearest one (and, in
// real time, until the clock's limit, where it reads the host clock again). HLT
// with IF=1 jumps the clock to that deadline in icount mode (charging the
// skipped time to the instruction budget), and in real time follows the host's
// clock one deadline at a time, stopping with STOP_HALT when the next deadline
// is still in the host's future (the host sleeps for nsUntilDeadline()).

import { jitFlushAll } from "./cpu/jit";
import { vmxTimerDeadline } from "./cpu/vmxexit";
import { ROM_BASE, ROM_SIZE, RAM_BASE, STATE_VERSION, CPU_STATE, VGA_ROM, VGA_ROM_SIZE, VGA_MEM_SIZE } from "./layout";
import { initPhys, mapHost, setA20, setMmioHandlers, noteMmio, ramSize, PM_HOST, PM_ROM, mapMmio, unmap } from "./mmu/phys";
import { tlbFlush } from "./mmu/paging";
import { claimPorts, setPortHandlers, portDevice, portIn, portOut } from "./io";
import { ideReset, ideCmdRead, ideCmdWrite, ideCtrlRead, ideCtrlWrite, ideBmRead, ideBmWrite, ideSetIrqHook } from "./dev/ide";
import { vgaInit, vgaReset, vgaPortRead, vgaPortWrite, vgaMemRead, vgaMemWrite, vgaMemPeek, vgaMmioRead, vgaMmioWrite } from "./dev/vga";
import { fwcfgInit, fwcfgReset, fwcfgSelect, fwcfgData } from "./dev/fwcfg";
import { acpiPmReset, acpiPmRead, acpiPmWrite, acpiPmConnect, acpiPmUpdate, acpiPmNextDeadline, acpiPmPowerButton, ACPI_PM_BASE, ACPI_PM_PORTS } from "./dev/acpipm";
import { hpetReset, hpetRead, hpetWrite, hpetConnect, hpetUpdate, hpetNextDeadline, hpetLegacy, hpetOutputs,
  HPET_BASE, HPET_OUT_IRQ0, HPET_OUT_IRQ8, HPET_OUT_PIN_SHIFT } from "./dev/hpet";
import { setFpuIrq13Hook } from "./cpu/x87";
import { ringsInit, ringPush, ringFree, RING_DEBUGCON } from "./rings";
import { resetCpu, initCpu } from "./cpu/reset";
import {
  runCpu, debugStep, stopReason, clearStop, requestStop, setResetHook, setIntrLine, setIntrAck, guestResetRequest, intrLine, endStretch,
  raiseNmi, nmiReady, raiseInit, setInitHook,
  STOP_OUTPUT, STOP_EXIT, STOP_BUDGET, STOP_HALT, STOP_BREAKPOINT, STOP_TARGET, skipHostBreakOnce, stretchEndPending, setStretchEndPending,
} from "./cpu/exec";
import { OFF_HALTED, OFF_EFLAGS, OFF_TSC_OFFSET, OFF_ICOUNT, IF } from "./cpu/state";
import {
  clockNow, clockReset, clockIdleTo, clockSet, clockSync, clockPause, clockLimit, clockRate, insnsUntil, hostNsUntil,
  isRealtime, NEVER,
} from "./clock";
import { slotAddr, SLOT_CLOCK } from "./dev/slots";
import { picReset, picRead, picWrite, picSetIrq, picAcknowledge, picOutput, picSetNotify, picRefresh, elcrRead, elcrWrite } from "./dev/pic8259";
import { pitReset, pitRead, pitWrite, pitSetIrq, pitUpdate, pitNextDeadline } from "./dev/pit8254";
import { cmosInit, cmosReset, cmosRead, cmosWrite, cmosSetIrq, cmosUpdate, cmosNextDeadline } from "./dev/cmos";
import { uartReset, uartRead, uartWrite, uartSetIrq, uartUpdate, uartNextDeadline } from "./dev/uart16550";
import { i8042Reset, i8042ReadData, i8042ReadStatus, i8042WriteData, i8042WriteCommand, i8042Connect, i8042Poll, i8042A20 } from "./dev/i8042";
import { sysctlReset, sysctlRead, sysctlWrite, sysctlConnect, port92A20 } from "./dev/sysctl";
import { pciReset, pciRead, pciWrite, pciConnect, pamSetBusPage, pamApply, pamRead, pamWrite, pciPirqRoute, pciIdeBusMasterBase, pciVgaFramebuffer, pciVgaRom, pciVgaMmio, pciSetVgaRom } from "./dev/pci";
import { watchMap, dirtyAll } from "./mmu/dirty";
import { lapicReset, lapicRead, lapicWrite, lapicConnect, lapicPending, lapicAcknowledge, lapicExtIntOpen, lapicUpdate, lapicNextDeadline,
  lapicLocalPin, lapicLint0Nmi, lapicNmiWired, lapicExternalNmi, lapicInitReset } from "./dev/lapic";
import { ioapicReset, ioapicRead, ioapicWrite, ioapicSetIrq, ioapicEoi } from "./dev/ioapic";

// Device ids: port map bytes and MMIO ids (one table for both).
export const DEV_DEBUGCON: u32 = 1;
export const DEV_DEBUGEXIT: u32 = 2;
export const DEV_PIC: u32 = 3;
export const DEV_PIT: u32 = 4;
export const DEV_CMOS: u32 = 5;
export const DEV_UART0: u32 = 6;     // 6..9: COM1..COM4
export const DEV_I8042: u32 = 10;
export const DEV_SYSCTL: u32 = 11;
export const DEV_PCI: u32 = 12;
export const DEV_ELCR: u32 = 13;
export const DEV_LAPIC: u32 = 14;
export const DEV_IOAPIC: u32 = 15;
export const DEV_PAM: u32 = 16;
export const DEV_IDE: u32 = 20;      // reserved: ide.ts (ports 0x1F0-7, 0x3F6, 0x170-7, 0x376, BM BAR4)
export const DEV_VGA: u32 = 21;      // reserved: vga.ts
export const DEV_FWCFG: u32 = 22;    // reserved: fwcfg.ts
export const DEV_FPU_CLEAR: u32 = 23; // port 0xF0: clears the x87 error latch (IRQ13)
export const DEV_ACPI: u32 = 24;      // ACPI PM1 event/control and PM timer, acpipm.ts
export const DEV_HPET: u32 = 25;      // HPET at 0xFED00000, hpet.ts
export const DEV_VGA_MMIO: u32 = 26;  // the std VGA's BAR2 register window, vga.ts

// ISA IRQ lines
export const IRQ_PIT: u32 = 0;
export const IRQ_KBD: u32 = 1;
export const IRQ_COM2: u32 = 3;
export const IRQ_COM1: u32 = 4;
export const IRQ_RTC: u32 = 8;
export const IRQ_SCI: u32 = 9;       // ACPI SCI (acpipm.ts), level-triggered
export const IRQ_MOUSE: u32 = 12;
export const IRQ_IDE0: u32 = 14;
export const IRQ_IDE1: u32 = 15;

const UART_PORTS: StaticArray<u32> = [0x3f8, 0x2f8, 0x3e8, 0x2e8];
const UART_IRQS: StaticArray<u32> = [4, 3, 4, 3];

// Machine fields, in the upper half of the clock's slot (clock.ts uses 0x00-0x7f):
// ISA line levels, PIRQ levels, and which source drives each line
const M_ISA: u32 = 0xc0;       // u32 bitmask of ISA lines driven high (OR of sources)
const M_PIRQ: u32 = 0xc4;      // u32 PIRQ A-D levels
const M_UARTLV: u32 = 0xc8;    // u32 per-UART IRQ output levels (COM1/3 and COM2/4 share lines)
const M_IDE_BM: u32 = 0xcc;    // u32 IDE bus-master base currently claimed
const M_LEGACY: u32 = 0xd0;    // u32 PIT OUT0 (bit 0) and RTC IRQ (bit 1) levels, which the HPET's legacy route cuts off
const M_HPET_ON: u32 = 0xd4;   // u32 1 when the machine has an HPET (QEMU -no-hpet: 0)
@inline function mslot(f: u32): u32 { return slotAddr(SLOT_CLOCK) + f; }

export let exitCode: u32 = 0;
let biosSize: u32 = 0;

// --- interrupt routing ---

function isaEffective(line: u32): bool {
  if (load<u32>(mslot(M_ISA)) & (1 << line)) return true;
  let pl = load<u32>(mslot(M_PIRQ));
  for (let p: u32 = 0; p < 4; p++) if ((pl & (1 << p)) && pciPirqRoute(p) == line) return true;
  return false;
}

/** An ISA interrupt source changed its output level. */
export function setIrq(line: u32, level: bool): void {
  line &= 15;
  let m = load<u32>(mslot(M_ISA));
  store<u32>(mslot(M_ISA), level ? m | (1 << line) : m & ~(1 << line));
  picSetIrq(line, isaEffective(line));
  let pin = line == 0 ? 2 : line;
  ioapicSetIrq(pin, level || (hpetOutputs() & (1 << (HPET_OUT_PIN_SHIFT + pin))) != 0);
}

/** A PCI INTx through PIIX3 PIRQ A-D (0..3) changed level. */
export function setPciIrq(pirq: u32, level: bool): void {
  pirq &= 3;
  let m = load<u32>(mslot(M_PIRQ));
  store<u32>(mslot(M_PIRQ), level ? m | (1 << pirq) : m & ~(1 << pirq));
  let r = pciPirqRoute(pirq);
  if (r != 0xff) picSetIrq(r, isaEffective(r));
  ioapicSetIrq(16 + pirq, level);
}

function pirqRoutingChanged(): void {
  for (let l: u32 = 0; l < 16; l++) if (l != 2) picSetIrq(l, isaEffective(l));
}

/** The CPU's INTR input: the local APIC, or the 8259A through LINT0. With LINT0
 *  in NMI mode a rise of the 8259A's INT output is an NMI (QEMU's
 *  apic_deliver_pic_intr: pic_irq_request reaches LINT0). `picSeen` is derived
 *  state: a snapshot restore resynchronises it without an edge. */
let picSeen: bool = false;
let picResync: bool = false;
function updateIntr(): void {
  let rise = picOutput && !picSeen;
  picSeen = picOutput;
  if (rise && !picResync && lapicLint0Nmi()) lapicLocalPin(0);
  setIntrLine(lapicPending() || (picOutput && lapicExtIntOpen()));
}
function acknowledge(): i32 {
  if (lapicPending()) return lapicAcknowledge();
  if (picOutput && lapicExtIntOpen()) return picAcknowledge();
  return -1;
}

export function intrAckForTest(): i32 { return acknowledge(); }

/** The monitor's `nmi` (QEMU's x86_nmi): the machine's NMI input. */
export function machineNmi(): void { lapicExternalNmi(); }

/** cpu/system.ts calls this after WRMSR to IA32_APIC_BASE (state.ts
 *  OFF_APIC_BASE): enabling/disabling the APIC changes how INTR is sourced. */
export function apicBaseChanged(): void { updateIntr(); }

// The HPET's legacy replacement route (LEG_RT_CNF) takes ISA IRQ0 and IRQ8 from
// the PIT and the RTC (HPET spec 1.0a §2.3.7, table 2), as QEMU's pc machine wires it.
const LEG_PIT: u32 = 1, LEG_RTC: u32 = 2;
function legacyLines(): void {
  let src = load<u32>(mslot(M_LEGACY));
  let legacy = hpetLegacy(), o = hpetOutputs();
  let l0 = legacy ? (o & HPET_OUT_IRQ0) != 0 : (src & LEG_PIT) != 0;
  let l8 = legacy ? (o & HPET_OUT_IRQ8) != 0 : (src & LEG_RTC) != 0;
  let isa = load<u32>(mslot(M_ISA));
  if (l0 != ((isa & (1 << IRQ_PIT)) != 0)) setIrq(IRQ_PIT, l0);
  if (l8 != ((isa & (1 << IRQ_RTC)) != 0)) setIrq(IRQ_RTC, l8);
}
function legacySource(bit: u32, level: bool): void {
  let src = load<u32>(mslot(M_LEGACY));
  store<u32>(mslot(M_LEGACY), level ? src | bit : src & ~bit);
}
function pitIrq(level: bool): void {
  legacySource(LEG_PIT, level);
  if (!hpetLegacy()) setIrq(IRQ_PIT, level);
}
function cmosIrq(level: bool): void {
  legacySource(LEG_RTC, level);
  if (!hpetLegacy()) setIrq(IRQ_RTC, level);
}
/** HPET outputs changed: the legacy lines through setIrq (a pulse reaches the
 *  8259A as an edge), routed pins straight to the I/O APIC (OR the ISA line that
 *  shares the pin). */
function hpetOut(changed: u32, levels: u32): void {
  if (changed & (HPET_OUT_IRQ0 | HPET_OUT_IRQ8) || changed == 0) legacyLines();
  let pins = changed >>> HPET_OUT_PIN_SHIFT;
  let isa = load<u32>(mslot(M_ISA));
  for (let p: u32 = 0; p < 24; p++) {
    if ((pins & (1 << p)) == 0) continue;
    let line = p == 2 ? 0 : p;
    let shared = p != 0 && p < 16 && (isa & (1 << line)) != 0;
    ioapicSetIrq(p, (levels & (1 << (HPET_OUT_PIN_SHIFT + p))) != 0 || shared);
  }
}
function sciIrq(level: bool): void { setIrq(IRQ_SCI, level); }

/** The monitor's system_powerdown (QEMU's qemu_system_powerdown_request on a
 *  PIIX4 machine): the ACPI fixed power button. */
export function machinePowerButton(): void { acpiPmPowerButton(); }

/** -no-hpet / -machine hpet=off: take the HPET off the bus (the default has one, as QEMU's pc). */
export function machineSetHpet(on: bool): void {
  store<u32>(mslot(M_HPET_ON), on ? 1 : 0);
  if (on) mapMmio(HPET_BASE, 0x1000, DEV_HPET); else unmap(HPET_BASE, 0x1000);
  tlbFlush(false);
}
export function machineHasHpet(): bool { return load<u32>(mslot(M_HPET_ON)) != 0; }
function uartIrq(n: u32, level: bool): void {
  let lv = load<u32>(mslot(M_UARTLV));
  lv = level ? lv | (1 << n) : lv & ~(1 << n);
  store<u32>(mslot(M_UARTLV), lv);
  // COM1/COM3 share IRQ4, COM2/COM4 IRQ3 (wired-OR here; on real boards only
  // one of a pair should enable OUT2)
  let line = UART_IRQS[n];
  let other = n ^ 2;
  setIrq(line, level || (lv & (1 << other)) != 0);
}
function kbcIrq(line: u32, level: bool): void { setIrq(line, level); }

function updateA20(): void {
  setA20(i8042A20() || port92A20());
  tlbFlush(false);
}
function a20Changed(level: bool): void { updateA20(); }
function resetPulse(): void { guestResetRequest(); }

// The x87's legacy error path (CR0.NE = 0): FERR# drives IRQ13 through the
// chipset's latch until software writes port 0xF0 (PC/AT convention).
function fpuIrq13(level: bool): void { if (level) setIrq(13, true); }
function fpuClear(): void { setIrq(13, false); }

// IDE (ide.ts): IRQ 14/15 as ISA edge lines; irqLevels mirrors them for unit tests.
export let irqLevels: u32 = 0;
function ideIrq(line: u32, level: bool): void {
  if (level) irqLevels |= 1 << line; else irqLevels &= ~(1 << line);
  setIrq(line, level);
}
function idePortRead(port: u32, size: u32): u32 {
  if (port >= 0x1f0 && port <= 0x1f7) return ideCmdRead(0, port - 0x1f0, size);
  if (port >= 0x170 && port <= 0x177) return ideCmdRead(1, port - 0x170, size);
  if (port == 0x3f6) return ideCtrlRead(0);
  if (port == 0x376) return ideCtrlRead(1);
  return ideBmRead(port - load<u32>(mslot(M_IDE_BM)), size);
}
function idePortWrite(port: u32, size: u32, v: u32): void {
  if (port >= 0x1f0 && port <= 0x1f7) ideCmdWrite(0, port - 0x1f0, size, v);
  else if (port >= 0x170 && port <= 0x177) ideCmdWrite(1, port - 0x170, size, v);
  else if (port == 0x3f6) ideCtrlWrite(0, v & 0xff);
  else if (port == 0x376) ideCtrlWrite(1, v & 0xff);
  else ideBmWrite(port - load<u32>(mslot(M_IDE_BM)), size, v);
}

function ideConfigChanged(): void {
  let old = load<u32>(mslot(M_IDE_BM));
  let nw = pciIdeBusMasterBase();
  if (old == nw) return;
  if (old != 0 && old != 0xffffffff) claimPorts(old, 16, 0);
  if (nw != 0) claimPorts(nw, 16, DEV_IDE);
  store<u32>(mslot(M_IDE_BM), nw);
}

/** The std VGA's memory BARs moved or were switched on or off (dev/pci.ts):
 *  map the framebuffer (watched host pages, mmu/dirty.ts) and the ROM where
 *  they now decode. An address that would cover RAM or the chipset's and the
 *  BIOS's range at 0xFEC00000 and up is not mapped (as a BAR being sized). */
let vgaRomMapped: u32 = 0, vgaMmioMapped: u32 = 0;
function vgaConfigChanged(): void {
  let fb = pciVgaFramebuffer();
  if (fb < ramSize || <u64>fb + VGA_MEM_SIZE > 0xfec00000) fb = 0;
  watchMap(fb);
  let mmio = pciVgaMmio();
  if (mmio < ramSize || mmio >= 0xfec00000 || (fb != 0 && mmio - fb < VGA_MEM_SIZE)) mmio = 0;
  if (mmio != vgaMmioMapped) {
    if (vgaMmioMapped != 0) unmap(vgaMmioMapped, 0x1000);
    if (mmio != 0) mapMmio(mmio, 0x1000, DEV_VGA_MMIO);
    vgaMmioMapped = mmio;
    tlbFlush(false);
  }
  let rom = pciVgaRom();
  if (rom < ramSize || <u64>rom + VGA_ROM_SIZE > 0xfec00000) rom = 0;
  if (rom == vgaRomMapped) return;
  if (vgaRomMapped != 0) unmap(vgaRomMapped, VGA_ROM_SIZE);
  if (rom != 0) mapHost(rom, VGA_ROM_SIZE, VGA_ROM, true);
  vgaRomMapped = rom;
  tlbFlush(false);
}

/** The host copied `size` bytes of VGA BIOS to VGA_ROM: the std VGA has a ROM BAR from the next reset. */
export function mapVgaRom(size: u32): bool {
  if (size == 0 || size > VGA_ROM_SIZE) return false;
  pciSetVgaRom(size);
  return true;
}

// --- port and MMIO dispatch ---

function byteRead(dev: u32, port: u32): u32 {
  switch (dev) {
    case DEV_DEBUGCON: return 0xe9; // QEMU's debugcon reads back 0xE9
    case DEV_PIC: return picRead(port);
    case DEV_PIT: return pitRead(port);
    case DEV_CMOS: return cmosRead(port);
    case DEV_UART0: case DEV_UART0 + 1: case DEV_UART0 + 2: case DEV_UART0 + 3:
      return uartRead(dev - DEV_UART0, port & 7);
    case DEV_I8042: return port == 0x60 ? i8042ReadData() : i8042ReadStatus();
    case DEV_SYSCTL: return sysctlRead(port);
    case DEV_ELCR: return elcrRead(port);
    default: return 0xff;
  }
}
function byteWrite(dev: u32, port: u32, v: u32): void {
  switch (dev) {
    case DEV_DEBUGCON:
      ringPush(RING_DEBUGCON, v & 0xff);
      if (ringFree(RING_DEBUGCON) < 256) requestStop(STOP_OUTPUT);
      break;
    case DEV_DEBUGEXIT:
      exitCode = ((v & 0xff) << 1) | 1;
      requestStop(STOP_EXIT);
      break;
    case DEV_PIC: picWrite(port, v); break;
    // Devices with timers: a write may bring a deadline forward (exec.ts endStretch).
    case DEV_PIT: pitWrite(port, v); endStretch(); break;
    case DEV_CMOS: cmosWrite(port, v); endStretch(); break;
    case DEV_UART0: case DEV_UART0 + 1: case DEV_UART0 + 2: case DEV_UART0 + 3:
      uartWrite(dev - DEV_UART0, port & 7, v); endStretch(); break;
    case DEV_I8042: if (port == 0x60) i8042WriteData(v); else i8042WriteCommand(v); break;
    case DEV_SYSCTL: sysctlWrite(port, v); break;
    case DEV_ELCR: elcrWrite(port, v); break;
    case DEV_FPU_CLEAR: fpuClear(); break;
    default: break;
  }
}

function portRead(dev: u32, port: u32, size: u32): u32 {
  if (dev == DEV_PCI) return pciRead(port, size);
  // Devices that decode word/dword accesses themselves (the ATA data port, VGA, fw_cfg).
  if (dev == DEV_IDE) return idePortRead(port, size);
  if (dev == DEV_VGA) return vgaPortRead(port, size);
  if (dev == DEV_FWCFG) return port == 0x511 ? fwcfgData(size) : 0xffffffff >>> (32 - (size << 3));
  if (dev == DEV_ACPI) return acpiPmRead(port, size);
  if (size == 1) return byteRead(dev, port);
  // Byte-wide ISA devices: a word/dword access is split into byte accesses at
  // consecutive ports (as the ISA bus does), each decoded separately.
  let v: u32 = 0;
  for (let i: u32 = 0; i < size; i++) {
    let p = (port + i) & 0xffff;
    let d = portDevice(p);
    v |= (d == 0 ? 0xff : (d == DEV_PCI ? pciRead(p, 1) : byteRead(d, p)) & 0xff) << (i * 8);
  }
  return v;
}

function portWrite(dev: u32, port: u32, size: u32, value: u32): void {
  if (dev == DEV_PCI) { pciWrite(port, size, value); return; }
  if (dev == DEV_IDE) { idePortWrite(port, size, value); return; }
  if (dev == DEV_VGA) { vgaPortWrite(port, size, value); return; }
  if (dev == DEV_FWCFG) { if (port == 0x510) fwcfgSelect(value); return; }
  if (dev == DEV_ACPI) { acpiPmWrite(port, size, value); return; }
  if (size == 1) { byteWrite(dev, port, value); return; }
  if (dev == DEV_DEBUGCON) { byteWrite(dev, port, value); return; } // QEMU's debugcon takes the low byte
  for (let i: u32 = 0; i < size; i++) {
    let p = (port + i) & 0xffff;
    let d = portDevice(p);
    if (d == DEV_PCI) pciWrite(p, 1, (value >> (i * 8)) & 0xff);
    else if (d != 0) byteWrite(d, p, (value >> (i * 8)) & 0xff);
  }
}

function mmioRead(dev: u32, addr: u32, size: u32): u32 {
  noteMmio();
  switch (dev) {
    case DEV_LAPIC: return lapicRead(addr & ~3) >>> ((addr & 3) << 3);
    case DEV_IOAPIC: return ioapicRead(addr & ~3) >>> ((addr & 3) << 3);
    case DEV_PAM: return pamRead(addr, size);
    case DEV_VGA: return vgaMemRead(addr, size);
    case DEV_HPET: return hpetRead(addr & ~3) >>> ((addr & 3) << 3);
    case DEV_VGA_MMIO: return vgaMmioRead(addr & 0xfff, size);
    default: return 0xffffffff;
  }
}
/** A debugger's look at device memory (asm/mmu/debugmem.ts): VGA memory as the
 *  CPU would read it; registers with read side effects (APIC, PAM) not at all. */
function mmioPeek(dev: u32, addr: u32): i32 {
  return dev == DEV_VGA ? <i32>vgaMemPeek(addr) : -1;
}
function mmioWrite(dev: u32, addr: u32, size: u32, value: u32): void {
  noteMmio();
  switch (dev) {
    case DEV_LAPIC: if ((addr & 3) == 0) { lapicWrite(addr, value); endStretch(); } break; // 32-bit registers
    case DEV_IOAPIC: if ((addr & 3) == 0) ioapicWrite(addr, value); break;
    case DEV_PAM: pamWrite(addr, size, value); break;
    case DEV_VGA: vgaMemWrite(addr, size, value); break;
    case DEV_HPET: if ((addr & 3) == 0) { hpetWrite(addr, value); endStretch(); } break; // 32-bit registers
    case DEV_VGA_MMIO: vgaMmioWrite(addr & 0xfff, size, value); break;
  }
}

// --- setup ---

/** Default RTC time: 2026-01-01 00:00:00 UTC (deterministic runs); the host sets its own. */
const DEFAULT_RTC: i64 = 1767225600;

/** Set up memory and wiring for `ramBytes` of RAM (a multiple of 4 KiB). */
export function machineInit(ramBytes: u32): void {
  initPhys(ramBytes);
  setPortHandlers(portRead, portWrite);
  setMmioHandlers(mmioRead, mmioWrite, mmioPeek);
  claimPorts(0xe9, 1, DEV_DEBUGCON);
  claimPorts(0xf4, 1, DEV_DEBUGEXIT);
  claimPorts(0x20, 2, DEV_PIC);
  claimPorts(0xa0, 2, DEV_PIC);
  claimPorts(0x40, 4, DEV_PIT);
  claimPorts(0x60, 1, DEV_I8042);
  claimPorts(0x64, 1, DEV_I8042);
  claimPorts(0x61, 1, DEV_SYSCTL);
  claimPorts(0x92, 1, DEV_SYSCTL);
  claimPorts(0x70, 2, DEV_CMOS);
  for (let n: u32 = 0; n < 4; n++) claimPorts(UART_PORTS[n], 8, DEV_UART0 + n);
  claimPorts(0x4d0, 2, DEV_ELCR);
  claimPorts(0xf0, 1, DEV_FPU_CLEAR);
  setFpuIrq13Hook(fpuIrq13);
  claimPorts(0xcf8, 8, DEV_PCI);
  mapMmio(0xfee00000, 0x1000, DEV_LAPIC);
  mapMmio(0xfec00000, 0x1000, DEV_IOAPIC);
  claimPorts(0x1f0, 8, DEV_IDE);
  claimPorts(0x170, 8, DEV_IDE);
  claimPorts(0x3f6, 1, DEV_IDE);
  claimPorts(0x376, 1, DEV_IDE);
  ideSetIrqHook(ideIrq);
  claimPorts(0x3b4, 2, DEV_VGA);
  claimPorts(0x3ba, 1, DEV_VGA);
  claimPorts(0x3c0, 16, DEV_VGA);
  claimPorts(0x3d4, 2, DEV_VGA);
  claimPorts(0x3da, 1, DEV_VGA);
  claimPorts(0x1ce, 3, DEV_VGA); // Bochs VBE index and data
  mapMmio(0xa0000, 0x20000, DEV_VGA);
  vgaInit();
  claimPorts(ACPI_PM_BASE, ACPI_PM_PORTS, DEV_ACPI);
  acpiPmConnect(sciIrq);
  hpetConnect(hpetOut);
  machineSetHpet(true);
  claimPorts(0x510, 2, DEV_FWCFG);
  fwcfgInit(ramBytes, 1);
  picSetNotify(updateIntr);
  pitSetIrq(pitIrq);
  cmosSetIrq(cmosIrq);
  uartSetIrq(uartIrq);
  i8042Connect(kbcIrq, a20Changed, resetPulse);
  sysctlConnect(a20Changed, resetPulse);
  pciConnect(ideConfigChanged, pirqRoutingChanged, resetPulse, vgaConfigChanged, DEV_PAM);
  lapicConnect(ioapicEoi, updateIntr, raiseNmi, raiseInit);
  setIntrAck(acknowledge);
  setResetHook(machineReset);
  setInitHook(machineInitReset);
  ringsInit();
  clockReset();
  cmosInit(ramBytes, DEFAULT_RTC);
  machineReset();
}

/** The host copied `size` bytes of BIOS image to ROM_BASE; map it. */
export function mapBios(size: u32): bool {
  if (size == 0 || size > VGA_ROM - ROM_BASE || (size & 0xffff) != 0) return false;
  biosSize = size;
  mapHost(<u32>(0x100000000 - <u64>size), size, ROM_BASE, true);
  // Below 1 MiB the image shows through the PAM registers (ISA/PCI side).
  let low: u32 = size < 0x20000 ? size : 0x20000;
  for (let off: u32 = 0; off < low; off += 0x1000) {
    pamSetBusPage((0x100000 - low + off) >>> 12, ((ROM_BASE + size - low + off) & ~0xfff) | PM_HOST | PM_ROM);
  }
  pamApply();
  tlbFlush(false);
  return true;
}

export function machineReset(): void {
  // The virtual clock keeps running through a reset; the TSC restarts at 0
  // (SDM vol. 3 §17.17: the counter is reset to zero on RESET).
  let t = clockNow();
  resetCpu();
  jitFlushAll();
  clockSet(t);
  store<u64>(OFF_TSC_OFFSET, <u64>0 - t);
  store<u32>(mslot(M_ISA), 0);
  store<u32>(mslot(M_PIRQ), 0);
  store<u32>(mslot(M_UARTLV), 0);
  store<u32>(mslot(M_LEGACY), 0);
  picReset();
  ioapicReset();
  lapicReset();
  pitReset();
  cmosReset();
  for (let n: u32 = 0; n < 4; n++) uartReset(n);
  i8042Reset();
  sysctlReset();
  pciReset();
  ideConfigChanged();
  ideReset();
  vgaConfigChanged();
  vgaReset();
  fwcfgReset();
  acpiPmReset();
  hpetReset();
  updateA20();
  updateIntr();
}

/** The CPU takes an INIT outside VMX operation (cpu/exec.ts): an INIT reset of
 *  the CPU and its local APIC (SDM vol. 3 §9.1, §10.4.7.3). Memory, the TSC and
 *  the other devices are left alone. */
function machineInitReset(): void {
  initCpu();
  jitFlushAll();
  lapicInitReset();
  updateIntr();
}

/** A direct kernel boot has no firmware: do to the chipset what SeaBIOS does
 *  before it starts an OS and the OS relies on. PIIX3 IDE: enable the decode of
 *  both channels (IDETIM bit 15 at 0x40 and 0x42, PIIX3 datasheet; SeaBIOS's
 *  piix_ide_setup), without which Linux's ata_piix ignores the ports. */
export function directBootSetup(): void {
  const IDE_FN_ADDR: u32 = 0x80000000 | (1 << 11) | (1 << 8); // bus 0, device 1, function 1
  pciWrite(0xcf8, 4, IDE_FN_ADDR | 0x40);
  pciWrite(0xcfc, 2, 0x8000);
  pciWrite(0xcf8, 4, IDE_FN_ADDR | 0x40);
  pciWrite(0xcfe, 2, 0x8000);
  pciWrite(0xcf8, 4, 0);
}

/** The host restored the device slots (snapshot): recompute what is derived
 *  from them outside linear memory (8259A output, INTR, A20, PAM mapping, the
 *  IDE bus-master port claim). */
export function devicesStateChanged(): void {
  picResync = true;
  picRefresh();
  picSeen = picOutput;
  picResync = false;
  pamApply();
  store<u32>(mslot(M_IDE_BM), 0xffffffff);
  ideConfigChanged();
  vgaConfigChanged();
  dirtyAll();
  updateA20();
  machineSetHpet(machineHasHpet());
  legacyLines();
  updateIntr();
}

// --- time ---

export function devicesUpdate(now: u64): void {
  pitUpdate(now);
  cmosUpdate(now);
  for (let n: u32 = 0; n < 4; n++) uartUpdate(n, now);
  lapicUpdate(now);
  hpetUpdate(now);
  acpiPmUpdate(now);
  i8042Poll();
}

export function nextDeadline(): u64 {
  let d = pitNextDeadline();
  let c = cmosNextDeadline(); if (c < d) d = c;
  for (let n: u32 = 0; n < 4; n++) { let u = uartNextDeadline(n); if (u < d) d = u; }
  let l = lapicNextDeadline(); if (l < d) d = l;
  let hp = hpetNextDeadline(); if (hp < d) d = hp;
  let sc = acpiPmNextDeadline(); if (sc < d) d = sc;
  let vt = vmxTimerDeadline(); if (vt < d) d = vt; // the CPU's own timer in VMX non-root operation
  return d;
}

/** After STOP_HALT: ns until running is useful again (-1: not before input or
 *  another host event). Real time: host ns until the next device deadline (a
 *  halted CPU) or until the host's clock reaches the guest's (a guest that ran
 *  ahead). icount mode: virtual ns until the next deadline. */
export function nsUntilDeadline(): f64 {
  let halted = load<u32>(OFF_HALTED) != 0;
  let wake = halted ? nextDeadline() : clockNow();
  if (wake == NEVER) return -1;
  if (isRealtime()) return hostNsUntil(wake);
  let now = clockNow();
  return wake > now ? <f64>(wake - now) : 0;
}

/** Real time: a guest this close to the clock's limit (ahead of the host) stops
 *  until the host has caught up, rather than running on in tiny stretches. */
const MIN_HEADROOM_NS: u64 = 250_000;

// --- runs a debugger can stop inside (record/replay's reverse execution) ---
//
// A run stopped by a host breakpoint or watchpoint (STOP_BREAKPOINT) or at the
// instruction count the host asked for (STOP_TARGET) is suspended: where it
// was in its stretch and how much budget it had left are kept, and
// machineContinue() goes on from there without reading the clock or updating
// the devices again. Stopping and continuing therefore executes exactly what
// the run would have executed without the stop (a replay stays on its
// recording). A fresh machineRun() forgets a suspended run.

/** No target: setStopAt(STOP_AT_NONE). */
export const STOP_AT_NONE: u64 = 0xffffffffffffffff;
let stopAt: u64 = STOP_AT_NONE;
/** Stop a run with STOP_TARGET at the first instruction boundary (checked
 *  where the CPU starts a stretch or a piece of one) with this many
 *  instructions retired; STOP_AT_NONE for none. */
export function setStopAt(icount: u64): void { stopAt = icount; }

let suspended = false;
let suspendedLeft: u32 = 0;    // the run's budget left
let suspendedStretch: u32 = 0; // of the stretch it was in
export function runSuspended(): bool { return suspended; }
/** A suspended run's budget left and what was left of its stretch (a checkpoint keeps them). */
export function runSuspendedLeft(): u32 { return suspended ? suspendedLeft : 0; }
export function runSuspendedStretch(): u32 { return suspended ? suspendedStretch : 0; }
/** 1 when the instruction before the stop ended the stretch (exec.ts endStretch). */
export function runSuspendedFlags(): u32 { return suspended && stretchEndPending() ? 1 : 0; }
/** After a checkpoint taken at a STOP_TARGET is restored: the run it
 *  suspended is suspended again, so that machineContinue() goes on with it. */
export function restoreSuspendedRun(left: u32, stretch: u32, flags: u32): void {
  suspended = true;
  suspendedLeft = left;
  suspendedStretch = stretch;
  setStretchEndPending((flags & 1) != 0);
  clearStop();
  requestStop(STOP_TARGET);
}

/** Run up to `budget` instructions; returns the stop reason (exec.ts STOP_*).
 *  The CPU runs in stretches that end at the next device deadline or, in real
 *  time, at the clock's limit (where the host clock is read again). */
export function machineRun(budget: u32): u32 {
  suspended = false;
  skipHostBreakOnce(false);
  return runFrom(budget, 0, false);
}

/** Go on with a suspended run (see above); STOP_BUDGET when there is none. */
export function machineContinue(): u32 {
  if (!suspended) return STOP_BUDGET;
  suspended = false;
  // A breakpoint stopped the run before the instruction at its address: that
  // instruction now runs.
  skipHostBreakOnce(stopReason == STOP_BREAKPOINT);
  return runFrom(suspendedLeft, suspendedStretch, true);
}

/** Run up to `n` instructions of a stretch, in pieces that end at the stop
 *  target; returns how many the CPU accounted for (exec.ts runCpu). */
function runStretch(n: u32): u32 {
  let done: u32 = 0;
  while (done < n) {
    let k = n - done;
    if (stopAt != STOP_AT_NONE) {
      let ic = load<u64>(OFF_ICOUNT);
      if (ic >= stopAt) { requestStop(STOP_TARGET); break; }
      if (stopAt - ic < <u64>k) k = <u32>(stopAt - ic);
    }
    let got = runCpu(k);
    done += got;
    // Fewer than asked without a stop reason: the stretch ended early (exec.ts endStretch).
    if (stopReason != 0 || got < k) break;
  }
  return done;
}

function runFrom(budget: u32, stretch: u32, resume: bool): u32 {
  clearStop();
  let realtime = isRealtime();
  if (realtime && !resume) clockSync();
  let left = budget;
  for (;;) {
    let n: u32;
    if (resume) {
      resume = false;
      n = stretch;
    } else {
      let now = clockNow();
      devicesUpdate(now);
      if (stopReason != 0 || left == 0) break;
      let dl = nextDeadline();
      let limit = clockLimit();
      if (limit < dl) dl = limit;
      n = left;
      if (dl != NEVER) {
        let steps = insnsUntil(dl);
        if (steps < <u64>n) n = <u32>steps;
      }
    }
    let done = runStretch(n);
    left -= done;
    if (stopReason == STOP_BREAKPOINT || stopReason == STOP_TARGET) {
      suspended = true;
      suspendedLeft = left;
      suspendedStretch = n - done;
      break;
    }
    if (realtime && clockNow() >= clockLimit() && stopReason == 0) {
      // The guest reached the host's time: read the host clock again; if the
      // guest is still ahead, the host waits (nsUntilDeadline) before the next run.
      clockSync();
      if (clockNow() + MIN_HEADROOM_NS > clockLimit()) { clockPause(); requestStop(STOP_HALT); break; }
    }
    if (stopReason == STOP_HALT) {
      let ifSet = (load<u32>(OFF_EFLAGS) & IF) != 0;
      // HLT with IF=0 waits only for an NMI a device can raise (LINT0 in NMI
      // mode), or in a VMX guest for the VMX-preemption timer.
      if (load<u32>(OFF_HALTED) == 0 || (!ifSet && !lapicNmiWired() && vmxTimerDeadline() == NEVER)) break;
      // Waiting for an interrupt.
      let t = clockNow();
      devicesUpdate(t);
      clearStop();
      if (nmiReady() || (intrLine && ifSet)) continue; // something became pending: runCpu delivers it
      let d = nextDeadline();
      if (realtime) {
        // Halted time follows the host, one deadline at a time.
        let target = clockSync();
        let wake = <f64>d < target ? d : <u64>target;
        clockIdleTo(wake);
        if (d != NEVER && d <= clockNow()) continue; // due: the loop's devicesUpdate raises it
        clockPause();
        requestStop(STOP_HALT);
        break;
      }
      if (d == NEVER) { requestStop(STOP_HALT); break; }
      if (d > t) {
        let skip = insnsUntil(d);
        if (skip > <u64>left) { clockIdleTo(t + <u64>left * clockRate()); left = 0; break; }
        clockIdleTo(d);
        left -= <u32>skip;
      }
      continue;
    }
    if (stopReason != 0) break;
  }
  return stopReason != 0 ? stopReason : STOP_BUDGET;
}


/** Execute one instruction for a debugger (exec.ts debugStep), with the devices
 *  brought up to date around it; returns the stop reason (STOP_BUDGET when the
 *  instruction simply ran). */
export function machineStep(): u32 {
  clearStop();
  devicesUpdate(clockNow());
  debugStep();
  devicesUpdate(clockNow());
  return stopReason != 0 ? stopReason : STOP_BUDGET;
}
