// The machine ABI: everything the host may call, and nothing else (DESIGN.md).
// Offsets are fixed (layout.ts); the host views state straight from memory.

import * as L from "./layout";
import { machineNmi, machinePowerButton, machineSetHpet, machineHasHpet, directBootSetup as machineDirectBootSetup, machineInit, machineRun, machineReset, mapBios, mapVgaRom, machineContinue, setStopAt as machineSetStopAt, runSuspended as machineRunSuspended, exitCode, nsUntilDeadline, devicesUpdate, setIrq, setPciIrq, devicesStateChanged } from "./machine";
import { resetCause } from "./cpu/exec";
import { RING_STRIDE, RING_HDR, RING_CAP } from "./rings";
import { OFF_ICOUNT } from "./cpu/state";

export function init(ramBytes: u32): void { machineInit(ramBytes); }
export function reset(): void { machineReset(); }
/** After reset, before a direct kernel boot: the chipset set-up firmware would do. */
export function directBootSetup(): void { machineDirectBootSetup(); }
/** Run up to `budget` instructions; returns a stop reason (cpu/exec.ts STOP_*). */
export function run(budget: u32): u32 { return machineRun(budget); }
/** Go on with a run a breakpoint, watchpoint or the stop target suspended
 *  (machine.ts machineContinue): exactly as if it had not stopped. */
export function continueRun(): u32 { return machineContinue(); }
/** Stop runs with STOP_TARGET when this many instructions have retired (all ones: never). */
export function setStopAt(icount: u64): void { machineSetStopAt(icount); }
export function runSuspended(): bool { return machineRunSuspended(); }
export { runSuspendedLeft, runSuspendedStretch, runSuspendedFlags, restoreSuspendedRun } from "./machine";
export function loadBios(size: u32): bool { return mapBios(size); }
/** The host copied `size` bytes of VGA BIOS to layoutVgaRom(): the std VGA's ROM BAR offers it. */
export function loadVgaRom(size: u32): bool { return mapVgaRom(size); }
export function layoutVgaRom(): u32 { return L.VGA_ROM; }
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

import { setCpuFeatures as cpuSetFeatures, setCpuModel as cpuSetModel } from "./cpu/features";
/** The CPU model's features (cpu/features.ts FEAT_*: 1 = PAE, 2 = NX, 8 = SSE,
 *  16 = SSE2, 32 = SSE3), before reset: CPUID and the CPU follow them from the
 *  next instruction. */
export function setCpuFeatures(f: u32): void { cpuSetFeatures(f); }
/** The CPU model (cpu/features.ts MODEL_*: 0 pentium2, 1 pentium3, 2 pentium4,
 *  3 coreduo), before reset: its CPUID identity, signature and MSRs. */
export function setCpuModel(m: u32): void { cpuSetModel(m); }

// ---- Storage, display and firmware-config devices (dev/ide.ts, vga.ts, fwcfg.ts) ----
export { ideAttach, ideTakeEject } from "./dev/ide";
export {
  vgaTextMode, vgaColumns, vgaRows, vgaCharHeight, vgaStartAddress, vgaCursorAddress,
  vgaCursorShape, vgaTextBase, vgaFontBase, vgaStateBase, vgaVbeBpp, vgaVbeSize,
} from "./dev/vga";
export { dirtyTake as vgaDirtyTake, dirtyAll as vgaDirtyAll } from "./mmu/dirty";
export { fwcfgDataBase, fwcfgDataEnd, fwcfgSetItem, fwcfgAddFile } from "./dev/fwcfg";

// Test-only entry points (tests/unit/storage*.test.ts): port and physical memory
// access without running guest code, and the IDE interrupt lines (IRQ 14/15).
import { physRead8, physWrite8 } from "./mmu/phys";
import { irqLevels } from "./machine";
export function storageTestPortIn(port: u32, size: u32): u32 { return portIn(port, size); }
export function storageTestPortOut(port: u32, size: u32, value: u32): void { portOut(port, size, value); }
export function storageTestPhysRead8(addr: u32): u32 { return physRead8(addr); }
export function storageTestPhysWrite8(addr: u32, v: u32): void { physWrite8(addr, v); }
export function storageTestIrqLevels(): u32 { return irqLevels; }
/** The host wrote the device state slots directly (snapshot restore). */
export function devicesRestored(): void { devicesStateChanged(); }

// ---- Snapshots (web/host/snapshot.ts) ----
// The machine's state is these regions of linear memory plus guest RAM; module
// globals hold only wiring, scratch values and caches that stateRestored()
// recomputes (an IDE DMA transfer never spans run slices). Regions, in order:
// 0 the CPU state block, 1 the device slots, 2 the I/O rings, 3 the event
// timeline, 4 VGA memory, 5 the IDE bounce buffers.
import { SLOT_COUNT } from "./dev/slots";
import { RING_COUNT } from "./rings";
import { EV_CAPACITY, EV_SIZE } from "./cpu/events";
import { CPU_STATE_SIZE, watchTraps, needAttention, OFF_NMI, NMI_PENDING, NMI_BLOCKED } from "./cpu/state";
import { ramSize } from "./mmu/phys";
const REGION_BASE: StaticArray<u32> = [L.CPU_STATE, L.DEV_STATE, L.RINGS, L.EVENTS, L.VGA_MEM, L.IDE_BUF];
const REGION_SIZE: StaticArray<u32> = [
  CPU_STATE_SIZE, SLOT_COUNT * L.DEV_SLOT_SIZE, RING_COUNT * RING_STRIDE, 64 + EV_CAPACITY * EV_SIZE, L.VGA_MEM_SIZE, L.IDE_BUF_SIZE,
];
export function stateRegionCount(): u32 { return REGION_BASE.length; }
export function stateRegionBase(i: u32): u32 { return i < <u32>REGION_BASE.length ? REGION_BASE[i] : 0; }
export function stateRegionSize(i: u32): u32 { return i < <u32>REGION_SIZE.length ? REGION_SIZE[i] : 0; }
/** One byte per 4 KiB RAM page from `first`, `count` of them (at most the debug
 *  buffer's size), written to the debug buffer: 1 when the page holds a nonzero
 *  byte. A snapshot skips the zero pages. */
export function ramPagesInUse(first: u32, count: u32): void {
  if (count > DEBUG_BUF_SIZE) count = DEBUG_BUF_SIZE;
  let npages = ramSize >>> 12;
  for (let i: u32 = 0; i < count; i++) {
    let p = first + i;
    let used: u32 = 0;
    if (p < npages) {
      let a = L.RAM_BASE + (p << 12), end = a + 4096;
      let acc = i64x2.splat(0);
      for (; a < end; a += 64) {
        acc = v128.or(acc, v128.or(v128.or(v128.load(a), v128.load(a, 16)), v128.or(v128.load(a, 32), v128.load(a, 48))));
        if (v128.any_true(acc)) break;
      }
      used = v128.any_true(acc) ? 1 : 0;
    }
    store<u8>(DEBUG_BUF + i, <u8>used);
  }
}
/** The host wrote every state region and RAM: recompute what is derived from
 *  them (interrupt lines, A20, PAM and port maps, segment and TLB caches, debug
 *  registers) and drop every translation. */
export function stateRestored(): void {
  store<u32>(OFF_NMI, load<u32>(OFF_NMI) & (NMI_PENDING | NMI_BLOCKED)); // a hostile file's other bits
  devicesStateChanged();
  stateChanged(false);
  watchTraps();
  needAttention();
}

// --- time (clock.ts) ---
import { setRealtime as clockSetRealtime, setIcountShift as clockSetIcountShift, clockNow, clockAdvanceTo, tscNow, clockHaltedNs } from "./clock";
/** Real-time mode on/off (off: icount mode, time from the instruction count).
 *  Real time reads the host's clock through the import env.hostNow. */
export function setRealtime(on: bool): void { clockSetRealtime(on); }
/** icount mode with 2^shift ns per instruction (QEMU's -icount shift=N). */
export function setIcountShift(shift: u32): void { clockSetIcountShift(shift); }
/** After STOP_HALT: ns until running is useful again (-1: none; see machine.ts). */
export function timeUntilDeadline(): f64 { return nsUntilDeadline(); }
export function virtualTimeNs(): u64 { return clockNow(); }
/** Virtual ns the CPU has spent halted since power-on (idle indicators). */
export function haltedTimeNs(): u64 { return clockHaltedNs(); }
export function readTsc(): u64 { return tscNow(); }

// --- host input and configuration ---
import { cmosSetByte, cmosGetByte, cmosSetTime, cmosSetClockHost, cmosTime } from "./dev/cmos";
import { i8042MouseEvent } from "./dev/i8042";
/** RTC time (seconds since 1970, UTC) at the current virtual time. */
export function setRtcTime(unixSeconds: f64): void {
  let whole = Math.floor(unixSeconds);
  cmosSetTime(<i64>whole, <u64>((unixSeconds - whole) * 1e9));
}
/** The RTC's time of day (seconds since 1970, UTC, with the fraction). */
export function rtcTime(): f64 { return cmosTime(); }
/** Which clock the RTC counts (QEMU's -rtc clock=): 1 host, 0 vm (dev/cmos.ts). */
export function setRtcClockHost(on: u32): void { cmosSetClockHost(on != 0); }
/** CMOS NVRAM bytes (boot order 0x3D/0x38, disk bytes); 0x10-0x2D keep the checksum. */
export function setCmosByte(index: u32, value: u32): void { cmosSetByte(index, value); }
export function getCmosByte(index: u32): u32 { return cmosGetByte(index); }
/** PS/2 mouse: relative motion (dy > 0 is up), wheel, buttons (1 left, 2 right, 4 middle). */
export function mouseEvent(dx: i32, dy: i32, dz: i32, buttons: u32): void { i8042MouseEvent(dx, dy, dz, buttons); }

// --- test-only surface (tests/unit): device access without CPU instructions ---
import { portIn, portOut } from "./io";
import { physRead32, physWrite32 } from "./mmu/phys";
import { intrLine } from "./cpu/exec";
import { picReg } from "./dev/pic8259";
import { intrAckForTest } from "./machine";
export function testPortIn(port: u32, size: u32): u32 { return portIn(port, size); }
export function testPortOut(port: u32, size: u32, v: u32): void { portOut(port, size, v); }
export function testMemRead32(addr: u32): u32 { return physRead32(addr); }
export function testMemWrite32(addr: u32, v: u32): void { physWrite32(addr, v); }
/** Advance the virtual clock by `ns` and bring the devices up to date. */
export function testAdvance(ns: f64): void { clockAdvanceTo(clockNow() + <u64>ns); devicesUpdate(clockNow()); }
export function testIntrLine(): bool { return intrLine; }
/** Run an interrupt acknowledge cycle as the CPU would: the vector, or -1. */
export function testAck(): i32 { return intrAckForTest(); }
/** 8259A register: chip 0/1, which 0 IRR, 1 ISR, 2 IMR, 3 vector base. */
export function testPicReg(chip: u32, which: u32): u32 { return picReg(chip, which); }
export function testSetIrq(line: u32, level: bool): void { setIrq(line, level); }
export function testSetPciIrq(pirq: u32, level: bool): void { setPciIrq(pirq, level); }

// --- block translation (cpu/jit.ts, web/jit/) ---
// The helpers translated code imports, and the switch (on by default).
export { jitTestCC, jitEflags, jitRdtsc, jitChain, jitLookup, jitStep, jitStr, jitInstall } from "./cpu/jit";
import { jitSetEnabled, jitSetThreshold, jitFlushAll } from "./cpu/jit";
import { JIT_WORDS, TLB, JIT_CACHE, EVENTS } from "./layout";
export function setTranslation(on: bool): void { jitSetEnabled(on); }
/** Executions of a block start before it is translated (tests lower it). */
export function setTranslationThreshold(n: u32): void { jitSetThreshold(n); }
/** Drop every translation (the host's budget for them is spent: web/jit/translator.ts endSlice). */
export function dropTranslations(): void { jitFlushAll(); }
/** Addresses translated code uses: 0 the translator's words (layout.ts
 *  JIT_WORDS), 1 the TLB, 2 the block cache. */
export function layoutJit(which: u32): u32 { return which == 0 ? JIT_WORDS : which == 1 ? TLB : JIT_CACHE; }
import { JIT_CALLS, JIT_INSNS } from "./cpu/jit";
/** Translated blocks entered since power-on (for profiling tools). */
export function translatedBlockCalls(): u64 { return load<u64>(JIT_CALLS); }
/** Instructions retired by translated blocks since power-on. */
export function translatedInstructions(): u64 { return load<u64>(JIT_INSNS); }

// --- debugging: execution control, breakpoints, registers and memory for a
// debugger on the host (cpu/hostdebug.ts, cpu/debugstate.ts, mmu/debugmem.ts) ---
import { machineStep } from "./machine";
import { OFF_PAUSE, needAttention } from "./cpu/state";
import {
  hostBreakInsert, hostBreakRemove, hostWatchInsert, hostWatchRemove, hostHitKind, hostHitAddr,
} from "./cpu/hostdebug";
import { debugTranslate as translateLinear, DEBUG_BUF, DEBUG_BUF_SIZE } from "./mmu/debugmem";
export { debugLinearRead, debugLinearWrite, debugPhysRead, debugPhysWrite } from "./mmu/debugmem";
export { debugEflags, debugSetEflags, debugSetSegment, debugFpuImage } from "./cpu/debugstate";
/** Execute exactly one instruction (interpreted, no interrupt before it); a stop reason. */
export function step(): u32 { return machineStep(); }
/** Ask run() to stop before the next instruction (STOP_PAUSE). A host on another
 *  thread may store 1 at layoutPause() and at layoutJit(0) instead. */
/** Inject an NMI as QEMU's monitor `nmi` does (machine.ts machineNmi). */
export function nmi(): void { machineNmi(); }
/** Press the ACPI power button, as QEMU's monitor `system_powerdown` (machine.ts machinePowerButton). */
export function powerButton(): void { machinePowerButton(); }
/** QEMU's -no-hpet: false takes the HPET off the bus (it is there after init). */
export function setHpet(on: bool): void { machineSetHpet(on); }
export function hasHpet(): bool { return machineHasHpet(); }
export function pause(): void { store<u32>(OFF_PAUSE, 1); needAttention(); }
export function layoutPause(): u32 { return OFF_PAUSE; }
export function breakpointInsert(lin: u32): bool { return hostBreakInsert(lin); }
export function breakpointRemove(lin: u32): bool { return hostBreakRemove(lin); }
/** kind: 1 write, 2 read, 3 access; len 1, 2 or 4. */
export function watchpointInsert(lin: u32, len: u32, kind: u32): bool { return hostWatchInsert(lin, len, kind); }
export function watchpointRemove(lin: u32, len: u32, kind: u32): bool { return hostWatchRemove(lin, len, kind); }
/** After STOP_BREAKPOINT: 4 an execution breakpoint, 1-3 a watchpoint's kind. */
export function breakpointHitKind(): u32 { return hostHitKind; }
/** The event timeline (cpu/events.ts): where it is; the host reads and sets its header. */
export function layoutEvents(): u32 { return EVENTS; }
export function breakpointHitAddress(): u32 { return hostHitAddr; }
/** Physical address of a linear one (-1: not mapped), without touching the TLB. */
export function debugTranslate(lin: u32): f64 { return <f64>translateLinear(lin); }
export function debugBuffer(): u32 { return <u32>DEBUG_BUF; }
export function debugBufferSize(): u32 { return DEBUG_BUF_SIZE; }
/** 8259A state for the monitor: chip 0/1; which 0 IRR, 1 ISR, 2 IMR, 3 vector base,
 *  4 highest-priority IR, 5 OCW3 read-ISR select, 6 ELCR, 7 special fully nested mode. */
export function picRegister(chip: u32, which: u32): u32 { return picReg(chip, which); }

/** The byte offset of VMCS field `encoding` in a VMCS region, or -1 when this
 *  processor has no such field (cpu/vmxfields.ts): for the host's decoded view of
 *  the current VMCS (web/host/vmcs.ts). */
export { fieldOffset as vmcsFieldOffset } from "./cpu/vmxfields";
