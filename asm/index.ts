// The machine ABI: everything the host may call, and nothing else (DESIGN.md).
// Offsets are fixed (layout.ts); the host views state straight from memory.

import * as L from "./layout";
import { machineInit, machineRun, machineReset, mapBios, exitCode } from "./machine";
import { resetCause } from "./cpu/exec";
import { RING_STRIDE, RING_HDR, RING_CAP } from "./rings";
import { OFF_ICOUNT } from "./cpu/state";

export function init(ramBytes: u32): void { machineInit(ramBytes); }
export function reset(): void { machineReset(); }
/** Run up to `budget` instructions; returns a stop reason (cpu/exec.ts STOP_*). */
export function run(budget: u32): u32 { return machineRun(budget); }
export function loadBios(size: u32): bool { return mapBios(size); }
export function getExitCode(): u32 { return exitCode; }
export function getResetCause(): u32 { return resetCause; }
export function instructionCount(): u64 { return load<u64>(OFF_ICOUNT); }

export function layoutCpuState(): u32 { return L.CPU_STATE; }
export function layoutDevState(): u32 { return L.DEV_STATE; }
export function layoutRings(): u32 { return L.RINGS; }
export function layoutRingStride(): u32 { return RING_STRIDE; }
export function layoutRingHeader(): u32 { return RING_HDR; }
export function layoutRingCapacity(): u32 { return RING_CAP; }
export function layoutRomBase(): u32 { return L.ROM_BASE; }
export function layoutRomSize(): u32 { return L.ROM_SIZE; }
export function layoutVgaMem(): u32 { return L.VGA_MEM; }
export function layoutRamBase(): u32 { return L.RAM_BASE; }
export function layoutStateVersion(): u32 { return L.STATE_VERSION; }
export function layoutStaticBase(): u32 { return L.STATIC_BASE; }

import { stateChanged } from "./cpu/reset";
/** The host changed the CPU state block directly (snapshot restore, direct
 *  kernel boot): recompute everything derived from it (decoder and TLB caches). */
export function cpuStateChanged(): void { stateChanged(); }

// ---- Storage, display and firmware-config devices (dev/ide.ts, vga.ts, fwcfg.ts) ----
export { ideAttach, ideTakeEject } from "./dev/ide";
export {
  vgaTextMode, vgaColumns, vgaRows, vgaCharHeight, vgaStartAddress, vgaCursorAddress,
  vgaCursorShape, vgaTextBase, vgaFontBase, vgaStateBase,
} from "./dev/vga";
export { fwcfgDataBase, fwcfgDataEnd, fwcfgSetItem, fwcfgAddFile } from "./dev/fwcfg";

// Test-only entry points (tests/unit/storage*.test.ts): port and physical memory
// access without running guest code, and the IRQ lines of the stub wiring.
import { portIn, portOut } from "./io";
import { physRead8, physWrite8 } from "./mmu/phys";
import { irqLevels } from "./machine";
export function storageTestPortIn(port: u32, size: u32): u32 { return portIn(port, size); }
export function storageTestPortOut(port: u32, size: u32, value: u32): void { portOut(port, size, value); }
export function storageTestPhysRead8(addr: u32): u32 { return physRead8(addr); }
export function storageTestPhysWrite8(addr: u32, v: u32): void { physWrite8(addr, v); }
export function storageTestIrqLevels(): u32 { return irqLevels; }
