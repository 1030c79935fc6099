// The machine: memory map, port map, IRQ wiring, reset and the run loop. This is
// the one place that knows which device sits at which port, address and IRQ line.
//
// Devices wired so far:
//   port 0xE9        debug console (QEMU -debugcon): bytes to RING_DEBUGCON
//   port 0xF4        debug exit (QEMU isa-debug-exit, iobase 0xf4): stops with
//                    exit code (value << 1) | 1
//   ports 0x1F0-0x1F7, 0x3F6 / 0x170-0x177, 0x376: IDE channels (dev/ide.ts),
//                    IRQ 14 / 15; bus-master registers at IDE_BM_BASE (until
//                    pci.ts places BAR4)
//   ports 0x3B4/5, 0x3BA, 0x3C0-0x3CF, 0x3D4/5, 0x3DA: VGA (dev/vga.ts); A0000-AFFFF
//                    MMIO, B0000-BFFFF host memory (text)
//   ports 0x510 (selector), 0x511 (data): fw_cfg (dev/fwcfg.ts)
// Memory: RAM from 0; the system BIOS image at the top of the 4 GiB space and its
// last 128 KiB (or all of a smaller image) below 1 MiB, as on a PC.

import { ROM_BASE, ROM_SIZE, RAM_BASE, STATE_VERSION, CPU_STATE } from "./layout";
import { initPhys, mapHost, mapMmio, setA20, setMmioHandlers } from "./mmu/phys";
import { ideReset, ideCmdRead, ideCmdWrite, ideCtrlRead, ideCtrlWrite, ideBmRead, ideBmWrite, ideSetIrqHook } from "./dev/ide";
import { vgaInit, vgaReset, vgaPortRead, vgaPortWrite, vgaMemRead, vgaMemWrite, VGA_WINDOW_B0000 } from "./dev/vga";
import { fwcfgInit, fwcfgReset, fwcfgSelect, fwcfgData } from "./dev/fwcfg";
import { tlbFlush } from "./mmu/paging";
import { claimPorts, setPortHandlers } from "./io";
import { ringsInit, ringPush, ringFree, RING_DEBUGCON } from "./rings";
import { resetCpu } from "./cpu/reset";
import { runCpu, stopReason, clearStop, requestStop, setResetHook, STOP_OUTPUT, STOP_EXIT, STOP_BUDGET } from "./cpu/exec";

const DEV_DEBUGCON: u32 = 1;
const DEV_DEBUGEXIT: u32 = 2;
const DEV_IDE0: u32 = 0x10;      // command block, primary channel
const DEV_IDE1: u32 = 0x11;      // command block, secondary channel
const DEV_IDE0_CTL: u32 = 0x12;  // device control / alternate status
const DEV_IDE1_CTL: u32 = 0x13;
const DEV_IDE_BM: u32 = 0x14;    // bus-master registers (PCI BAR4)
const DEV_VGA: u32 = 0x15;
const DEV_FWCFG: u32 = 0x16;
// Until pci.ts assigns BAR4, the bus-master block sits where SeaBIOS usually puts it.
export const IDE_BM_BASE: u32 = 0xc000;

// IRQ lines until the PIC is wired: bit n = level of IRQ n.
export let irqLevels: u32 = 0;
function irqStub(line: u32, level: bool): void {
  if (level) irqLevels |= 1 << line; else irqLevels &= ~(1 << line);
}

export let exitCode: u32 = 0;
let biosSize: u32 = 0;

function portRead(dev: u32, port: u32, size: u32): u32 {
  switch (dev) {
    case DEV_DEBUGCON: return 0xe9; // QEMU's debugcon reads back 0xE9
    case DEV_IDE0: return ideCmdRead(0, port - 0x1f0, size);
    case DEV_IDE1: return ideCmdRead(1, port - 0x170, size);
    case DEV_IDE0_CTL: return ideCtrlRead(0);
    case DEV_IDE1_CTL: return ideCtrlRead(1);
    case DEV_IDE_BM: return ideBmRead(port - IDE_BM_BASE, size);
    case DEV_VGA: return vgaPortRead(port, size);
    case DEV_FWCFG: return port == 0x511 ? fwcfgData(size) : 0;
    default: return 0xffffffff;
  }
}

function portWrite(dev: u32, port: u32, size: u32, value: u32): void {
  switch (dev) {
    case DEV_DEBUGCON:
      ringPush(RING_DEBUGCON, value & 0xff);
      if (ringFree(RING_DEBUGCON) < 256) requestStop(STOP_OUTPUT);
      break;
    case DEV_DEBUGEXIT:
      exitCode = ((value & 0xff) << 1) | 1;
      requestStop(STOP_EXIT);
      break;
    case DEV_IDE0: ideCmdWrite(0, port - 0x1f0, size, value); break;
    case DEV_IDE1: ideCmdWrite(1, port - 0x170, size, value); break;
    case DEV_IDE0_CTL: ideCtrlWrite(0, value & 0xff); break;
    case DEV_IDE1_CTL: ideCtrlWrite(1, value & 0xff); break;
    case DEV_IDE_BM: ideBmWrite(port - IDE_BM_BASE, size, value); break;
    case DEV_VGA: vgaPortWrite(port, size, value); break;
    case DEV_FWCFG: if (port == 0x510) fwcfgSelect(value); break;
  }
}

function mmioRead(dev: u32, addr: u32, size: u32): u32 {
  if (dev == DEV_VGA) return vgaMemRead(addr, size);
  return 0xffffffff;
}
function mmioWrite(dev: u32, addr: u32, size: u32, value: u32): void {
  if (dev == DEV_VGA) vgaMemWrite(addr, size, value);
}

/** Set up memory and wiring for `ramBytes` of RAM (a multiple of 4 KiB). */
export function machineInit(ramBytes: u32): void {
  initPhys(ramBytes);
  setPortHandlers(portRead, portWrite);
  setMmioHandlers(mmioRead, mmioWrite);
  claimPorts(0xe9, 1, DEV_DEBUGCON);
  claimPorts(0xf4, 1, DEV_DEBUGEXIT);
  claimPorts(0x1f0, 8, DEV_IDE0);
  claimPorts(0x170, 8, DEV_IDE1);
  claimPorts(0x3f6, 1, DEV_IDE0_CTL);
  claimPorts(0x376, 1, DEV_IDE1_CTL);
  claimPorts(IDE_BM_BASE, 16, DEV_IDE_BM);
  ideSetIrqHook(irqStub);
  claimPorts(0x3b4, 2, DEV_VGA);
  claimPorts(0x3ba, 1, DEV_VGA);
  claimPorts(0x3c0, 16, DEV_VGA);
  claimPorts(0x3d4, 2, DEV_VGA);
  claimPorts(0x3da, 1, DEV_VGA);
  mapMmio(0xa0000, 0x10000, DEV_VGA);
  mapHost(0xb0000, 0x10000, VGA_WINDOW_B0000, false);
  vgaInit();
  claimPorts(0x510, 2, DEV_FWCFG);
  fwcfgInit(ramBytes, 1);
  setResetHook(machineReset);
  ringsInit();
  machineReset();
}

/** The host copied `size` bytes of BIOS image to ROM_BASE; map it. */
export function mapBios(size: u32): bool {
  if (size == 0 || size > ROM_SIZE || (size & 0xffff) != 0) return false;
  biosSize = size;
  mapHost(<u32>(0x100000000 - <u64>size), size, ROM_BASE, true);
  let low: u32 = size < 0x20000 ? size : 0x20000;
  mapHost(0x100000 - low, low, ROM_BASE + size - low, true);
  tlbFlush(false);
  return true;
}

export function machineReset(): void {
  setA20(true);
  tlbFlush(false);
  ideReset();
  vgaReset();
  fwcfgReset();
  resetCpu();
}

/** Run up to `budget` instructions; returns the stop reason (exec.ts STOP_*). */
export function machineRun(budget: u32): u32 {
  clearStop();
  runCpu(budget);
  return stopReason != 0 ? stopReason : STOP_BUDGET;
}

export { STATE_VERSION, CPU_STATE, RAM_BASE, ROM_BASE };
