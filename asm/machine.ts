// The machine: memory map, port map, IRQ wiring, reset and the run loop. This is
// the one place that knows which device sits at which port, address and IRQ line.
//
// Devices wired so far:
//   port 0xE9        debug console (QEMU -debugcon): bytes to RING_DEBUGCON
//   port 0xF4        debug exit (QEMU isa-debug-exit, iobase 0xf4): stops with
//                    exit code (value << 1) | 1
// Memory: RAM from 0; the system BIOS image at the top of the 4 GiB space and its
// last 128 KiB (or all of a smaller image) below 1 MiB, as on a PC.

import { ROM_BASE, ROM_SIZE, RAM_BASE, STATE_VERSION, CPU_STATE } from "./layout";
import { initPhys, mapHost, setA20, setMmioHandlers } from "./mmu/phys";
import { tlbFlush } from "./mmu/paging";
import { claimPorts, setPortHandlers } from "./io";
import { ringsInit, ringPush, ringFree, RING_DEBUGCON } from "./rings";
import { resetCpu } from "./cpu/reset";
import { runCpu, stopReason, clearStop, requestStop, setResetHook, STOP_OUTPUT, STOP_EXIT, STOP_BUDGET } from "./cpu/exec";

const DEV_DEBUGCON: u32 = 1;
const DEV_DEBUGEXIT: u32 = 2;

export let exitCode: u32 = 0;
let biosSize: u32 = 0;

function portRead(dev: u32, port: u32, size: u32): u32 {
  switch (dev) {
    case DEV_DEBUGCON: return 0xe9; // QEMU's debugcon reads back 0xE9
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
  }
}

function mmioRead(dev: u32, addr: u32, size: u32): u32 { return 0xffffffff; }
function mmioWrite(dev: u32, addr: u32, size: u32, value: u32): void {}

/** Set up memory and wiring for `ramBytes` of RAM (a multiple of 4 KiB). */
export function machineInit(ramBytes: u32): void {
  initPhys(ramBytes);
  setPortHandlers(portRead, portWrite);
  setMmioHandlers(mmioRead, mmioWrite);
  claimPorts(0xe9, 1, DEV_DEBUGCON);
  claimPorts(0xf4, 1, DEV_DEBUGEXIT);
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
  resetCpu();
}

/** Run up to `budget` instructions; returns the stop reason (exec.ts STOP_*). */
export function machineRun(budget: u32): u32 {
  clearStop();
  runCpu(budget);
  return stopReason != 0 ? stopReason : STOP_BUDGET;
}

export { STATE_VERSION, CPU_STATE, RAM_BASE, ROM_BASE };
