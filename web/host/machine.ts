// Machine: loads the wasm machine, gives it memory, firmware and images, drives
// run slices and drains the I/O rings. No DOM and no Node-only APIs: the browser
// worker and the Node command line both use it.

import { CPU_MODELS, DEFAULT_CPU_MODEL, featureBits, type CpuFeatureSet, type CpuModelName } from "./cpumodel";
import {
  CPU_STATE_SIZE, OFF_REGS, OFF_EIP, OFF_SEGS, SEG_SIZE, SEGF_SEL, SEGF_BASE, SEGF_LIMIT, SEGF_ATTR, ATTR_VALID,
  OFF_GDTR_BASE, OFF_GDTR_LIMIT, OFF_IDTR_BASE, OFF_IDTR_LIMIT, OFF_CR0, OFF_CR2, OFF_CR3, OFF_CR4, OFF_DR,
  OFF_CPL, OFF_HALTED, OFF_INHIBIT_IRQ, OFF_A20, OFF_EFER, OFF_XMM, OFF_MXCSR, OFF_VMX_MODE, OFF_VMCS_PTR, VMX_ON, VMX_NONROOT,
} from "./cpustate";
import { BlockHost, type BlockBackend, type DriveKind, DRIVE } from "./block";
import { FwCfgHost, type FwCfgExports } from "./fwcfg";
import { Translator, type JitCoreExports } from "../jit/translator";
import type { CompileChannel } from "../jit/compilework";
import { inTextMode, readTextScreen, textPalette, type VgaExports, type TextScreen } from "./vga";
import { renderVga, textFontLoaded, type VgaImage, type VgaScreen, type VgaUpdate, type ScreenOptions } from "./vgarender";

export const STOP = {
  BUDGET: 0, HALT: 1, OUTPUT: 2, EXIT: 3, RESET: 4, POWEROFF: 5, BREAKPOINT: 6, BLOCKIO: 7, PAUSE: 8,
  /** The instruction count setStopAt named was reached. */
  TARGET: 9,
} as const;
export type StopReason = (typeof STOP)[keyof typeof STOP];

const NOTHING = new Uint8Array(0);

export const RING = { DEBUGCON: 0, COM1_TX: 1, COM1_RX: 2, KBD: 3, COM2_RX: 4 } as const;
const INPUT_RINGS = [RING.COM1_RX, RING.KBD, RING.COM2_RX];

/** Watchpoint kinds (asm/cpu/hostdebug.ts WATCH_*): which accesses hit. */
export const WATCH = { WRITE: 1, READ: 2, ACCESS: 3 } as const;
export type WatchKind = (typeof WATCH)[keyof typeof WATCH];
/** What a STOP.BREAKPOINT stopped at: an execution breakpoint's address, or
 *  the first watched byte an access touched. */
export type BreakpointHit = { kind: "breakpoint"; address: number } | { kind: "watchpoint"; watch: WatchKind; address: number }
  /** A teaching breakpoint (web/host/events.ts stopOn): the event at EIP `address`. */
  | { kind: "event"; address: number };

/** A segment register: the selector and the hidden part the CPU loaded. */
export interface SegmentRegister {
  selector: number;
  base: number;
  /** In bytes, after the G bit's scaling. */
  limit: number;
  /** Descriptor bits 40..55 shifted down by 40 (type, S, DPL, P, AVL, L, D/B, G). */
  attributes: number;
  /** False for a null or unusable selector. */
  valid: boolean;
}

/** The i386 registers a debugger shows. */
export interface Registers {
  /** EAX ECX EDX EBX ESP EBP ESI EDI. */
  gpr: number[];
  eip: number;
  eflags: number;
  es: SegmentRegister; cs: SegmentRegister; ss: SegmentRegister; ds: SegmentRegister; fs: SegmentRegister; gs: SegmentRegister;
  ldtr: SegmentRegister; tr: SegmentRegister;
  gdtr: { base: number; limit: number };
  idtr: { base: number; limit: number };
  cr0: number; cr2: number; cr3: number; cr4: number;
  /** DR0..DR7 (DR4/DR5 read as 0). */
  dr: number[];
  cpl: number;
  halted: boolean;
  /** Interrupts held off for one instruction (after STI, MOV SS, POP SS). */
  inhibitIrq: boolean;
  a20: boolean;
  /** IA32_EFER, on a model that has it (NX); a Pentium II has none. */
  efer?: number;
}

/** An 8259A's registers and modes, as the monitor's `info pic` shows them. */
export interface PicRegisters { irr: number; isr: number; imr: number; base: number; priority: number; readIsr: boolean; elcr: number; specialFullyNested: boolean }

/** Registers setRegister() writes. */
export const GPR_NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] as const;
export const SEG_NAMES = ["es", "cs", "ss", "ds", "fs", "gs"] as const;
export type RegisterName = (typeof GPR_NAMES)[number] | (typeof SEG_NAMES)[number] | "eip" | "eflags" | "cr0" | "cr2" | "cr3" | "cr4";

interface MachineExports extends FwCfgExports, VgaExports {
  init(ramBytes: number): void;
  reset(): void;
  mouseEvent(dx: number, dy: number, dz: number, buttons: number): void;
  directBootSetup(): void;
  testPortIn(port: number, size: number): number;
  testPortOut(port: number, size: number, value: number): void;
  run(budget: number): number;
  continueRun(): number;
  setStopAt(icount: bigint): void;
  runSuspended(): number;
  runSuspendedLeft(): number;
  runSuspendedStretch(): number;
  runSuspendedFlags(): number;
  restoreSuspendedRun(left: number, stretch: number, flags: number): void;
  loadBios(size: number): number;
  getExitCode(): number;
  getResetCause(): number;
  instructionCount(): bigint;
  layoutCpuState(): number;
  layoutRings(): number;
  layoutRingStride(): number;
  layoutRingHeader(): number;
  layoutRingCapacity(): number;
  layoutRomBase(): number;
  layoutRomSize(): number;
  layoutRamBase(): number;
  layoutVgaRom(): number;
  loadVgaRom(size: number): boolean;
  vgaVbeBpp(): number;
  vgaVbeSize(): number;
  vgaDirtyTake(): number;
  vgaDirtyAll(): void;
  layoutStateVersion(): number;
  layoutStaticBase(): number;
  cpuStateChanged(): void;
  setCpuFeatures(f: number): void;
  setCpuModel(m: number): void;
  ideAttach(drive: number, kind: number, sectorsLo: number, sectorsHi: number): void;
  setRealtime(on: number): void;
  setIcountShift(shift: number): void;
  timeUntilDeadline(): number;
  virtualTimeNs(): bigint;
  haltedTimeNs(): bigint;
  setRtcTime(unixSeconds: number): void;
  rtcTime(): number;
  setRtcClockHost(on: number): void;
  setCmosByte(index: number, value: number): void;
  getCmosByte(index: number): number;
  setTranslation(on: number): void;
  setTranslationThreshold(n: number): void;
  dropTranslations(): void;
  translatedBlockCalls(): bigint;
  translatedInstructions(): bigint;
  step(): number;
  nmi(): void;
  powerButton(): void;
  setHpet(on: number): void;
  hasHpet(): number;
  pause(): void;
  breakpointInsert(lin: number): number;
  breakpointRemove(lin: number): number;
  watchpointInsert(lin: number, len: number, kind: number): number;
  watchpointRemove(lin: number, len: number, kind: number): number;
  breakpointHitKind(): number;
  breakpointHitAddress(): number;
  debugTranslate(lin: number): number;
  debugBuffer(): number;
  debugBufferSize(): number;
  debugLinearRead(lin: number, len: number, out: number): number;
  debugLinearWrite(lin: number, len: number, src: number): number;
  debugPhysRead(phys: number, len: number, out: number): number;
  debugPhysWrite(phys: number, len: number, src: number): number;
  debugEflags(): number;
  debugSetEflags(v: number): void;
  debugSetSegment(seg: number, sel: number): number;
  debugFpuImage(out: number): void;
  picRegister(chip: number, which: number): number;
  layoutEvents(): number;
  stateRegionCount(): number;
  stateRegionBase(i: number): number;
  stateRegionSize(i: number): number;
  stateRestored(): void;
  ramPagesInUse(first: number, count: number): void;
  vmcsFieldOffset(encoding: number): number;
}

/** The CPU model (QEMU's -cpu MODEL, default DEFAULT_CPU_MODEL) and its features
 *  (QEMU's +FEAT/-FEAT; a feature left out is the model's, web/host/cpumodel.ts). */
export interface CpuFeatures extends Partial<CpuFeatureSet> {
  model?: CpuModelName;
}
export const DEFAULT_CPU_FEATURES: CpuFeatures = { model: DEFAULT_CPU_MODEL };
/** asm/cpu/features.ts FEAT_* (tests/unit/cpustate.test.ts checks them). */
export { FEAT_PAE, FEAT_NX, FEAT_VMX, FEAT_SSE, FEAT_SSE2, FEAT_SSE3, FEAT_VME, FEAT_VMX_EPT, FEAT_VMX_VPID, FEAT_VMX_UG, FEAT_MCE, FEAT_MCA } from "./cpumodel";

/** A model with its features settled: the model's, overridden by those given. */
export function resolveCpu(cpu: CpuFeatures): Required<CpuFeatures> {
  const model = cpu.model ?? DEFAULT_CPU_MODEL;
  const f: CpuFeatureSet = { ...CPU_MODELS[model].features };
  for (const k of Object.keys(f) as (keyof CpuFeatureSet)[]) if (cpu[k] !== undefined) f[k] = cpu[k]!;
  return { model, ...f };
}

export interface MachineOptions {
  /** The compiled machine (build/ringzero.wasm) as bytes or a compiled module. */
  wasm: BufferSource | WebAssembly.Module;
  /** Guest RAM in bytes (a multiple of 1 MiB). */
  ramBytes: number;
  /** Translate hot guest code to wasm (web/jit/translator.ts); default on. Off, every
   *  instruction is interpreted (for comparisons and for bisecting bugs). */
  translate?: boolean;
  /** Executions of a block's first instruction before it is translated (the
   *  machine's default suits real guests; tests use 1 to translate everything). */
  translateAfter?: number;
  /** Translate and compile hot blocks in another thread: the channel to a
   *  compile worker (web/jit/compilework.ts) that the platform started (the
   *  page: web/compileworker.ts; Node: web/cli/compilethread.ts). Without
   *  it, on this thread. */
  compileChannel?: CompileChannel;
  /** Optional CPU features (default DEFAULT_CPU_FEATURES). */
  cpu?: CpuFeatures;
  /** The host's monotonic clock in ns, read by the machine in real-time mode
   *  (default: performance.now() * 1e6). Record/replay and tests replace it. */
  hostNow?: () => number;
  /** An HPET at 0xFED00000 (asm/dev/hpet.ts); default true, as QEMU's pc
   *  machine. false: QEMU's -no-hpet (and no HPET ACPI table). */
  hpet?: boolean;
}

export class MachineError extends Error {}

/** A run suspended at the stop target (asm/machine.ts): budget left, stretch left, flags. */
export interface SuspendedRun { left: number; stretch: number; flags: number }

export class Machine {
  readonly memory: WebAssembly.Memory;
  readonly ramBytes: number;
  private readonly x: MachineExports;
  private biosBytes = 0;
  private readonly mem8: Uint8Array;
  private readonly mem32: Uint32Array;
  private readonly rings: { head: number; data: number; cap: number }[] = [];
  /** Disk and CD images (web/host/block.ts), served to the IDE controller. */
  readonly block: BlockHost;
  /** QEMU fw_cfg items and files the firmware reads (web/host/fwcfg.ts). */
  readonly fwcfg: FwCfgHost;
  /** The block translator (its stats say how much it compiled). */
  translator!: Translator;
  /** The CPU model's optional features it was created with. */
  cpu: Required<CpuFeatures> = resolveCpu(DEFAULT_CPU_FEATURES);
  /** How guest time runs (setRealtime / setIcountShift) and which clock the
   *  RTC counts (setRtcClock): a restored snapshot keeps this host's choice. */
  private timeMode: { realtime: boolean; shift: number; rtcHost: boolean } = { realtime: false, shift: 0, rtcHost: false };

  private constructor(instance: WebAssembly.Instance, memory: WebAssembly.Memory, ramBytes: number, block: BlockHost) {
    this.x = instance.exports as unknown as MachineExports;
    // The memory never grows (initial = maximum), so views of it stay valid.
    this.mem8 = new Uint8Array(memory.buffer);
    this.mem32 = new Uint32Array(memory.buffer);
    this.block = block;
    this.fwcfg = new FwCfgHost(memory, this.x);
    this.memory = memory;
    this.ramBytes = ramBytes;
  }

  static async create(opts: MachineOptions): Promise<Machine> {
    const ram = opts.ramBytes;
    if (!Number.isInteger(ram) || ram < 1 << 20 || ram % (1 << 20) !== 0 || ram > 2048 * (1 << 20)) {
      throw new MachineError(`memory size must be a whole number of MiB from 1 to 2048, got ${ram / (1 << 20)} MiB`);
    }
    const RAM_BASE = 0x3000000; // layout.ts; checked against the module below
    const pages = (RAM_BASE + ram) / 65536;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    let abortMessage = "";
    const block = new BlockHost();
    block.bind(memory);
    let translator: Translator | undefined;
    const imports = {
      env: {
        memory,
        ...block.imports(),
        hostNow: opts.hostNow ?? (() => performance.now() * 1e6),
        jitCompile: (host: number, maxLen: number, out: number, mayWait: number) => (translator ? translator.compile(host, maxLen, out, mayWait !== 0) : 0),
        jitFlush: () => translator?.flush(true),
        jitRelease: (fn: number) => translator?.release(fn),
        jitMmioSite: (host: number) => (translator ? translator.mmioSite(host) : 0),
        abort(_msg: number, _file: number, line: number, col: number) {
          abortMessage = `internal error in the machine (wasm abort at ${line}:${col})`;
          throw new MachineError(abortMessage);
        },
      },
    };
    const module = opts.wasm instanceof WebAssembly.Module ? opts.wasm : await WebAssembly.compile(opts.wasm);
    const instance = await WebAssembly.instantiate(module, imports);
    translator = new Translator(memory, instance.exports as unknown as JitCoreExports, opts.compileChannel);
    const m = new Machine(instance, memory, ram, block);
    m.translator = translator;
    if (opts.translate === false) m.x.setTranslation(0);
    if (opts.translateAfter !== undefined) m.x.setTranslationThreshold(opts.translateAfter);
    if (m.x.layoutRamBase() !== RAM_BASE) throw new MachineError("machine module layout does not match this host");
    const cpu = resolveCpu(opts.cpu ?? DEFAULT_CPU_FEATURES);
    m.cpu = cpu;
    m.x.setCpuModel(CPU_MODELS[cpu.model].id);
    m.x.setCpuFeatures(featureBits(cpu));
    m.x.init(ram);
    if (opts.hpet === false) m.x.setHpet(0);
    return m;
  }

  /** A system BIOS image: a multiple of 64 KiB, at most the ROM window. */
  loadBios(image: Uint8Array): void {
    const max = this.x.layoutRomSize();
    if (image.length === 0 || image.length % 65536 !== 0 || image.length > max) {
      throw new MachineError(`BIOS image must be a multiple of 64 KiB and at most ${max / 1024} KiB, got ${image.length} bytes`);
    }
    new Uint8Array(this.memory.buffer, this.x.layoutRomBase(), image.length).set(image);
    if (!this.x.loadBios(image.length)) throw new MachineError("BIOS image refused by the machine");
    this.biosBytes = image.length;
    this.x.reset();
  }

  /** Leave the VGA as a VGA BIOS's mode set to 03h does, for a direct kernel
   *  boot, where none runs (QEMU's -kernel runs SeaBIOS and the VGA BIOS first):
   *  the BIOS's 8x16 font in character map 0 of plane 2, and the 32 KiB text
   *  window B8000H cleared to spaces, grey on black (0720H). The registers are
   *  mode 3's from reset already (asm/dev/vga.ts vgaReset). `font`: 256
   *  glyphs of 16 bytes, as web/host/vga.ts findFont8x16 finds them in a VGA BIOS. */
  vgaBiosTextMode(font: Uint8Array): void {
    const mem = new Uint8Array(this.memory.buffer);
    const fontBase = this.x.vgaFontBase(), text = this.x.vgaTextBase();
    for (let c = 0; c < 256; c++) {
      for (let r = 0; r < 32; r++) mem[fontBase + (c * 32 + r) * 4] = r < 16 ? font[c * 16 + r] : 0;
    }
    // Odd/even: the character of cell i in plane 0 and its attribute in plane 1 at address i.
    for (let i = 0; i < 0x4000; i++) { mem[text + i * 4] = 0x20; mem[text + i * 4 + 1] = 0x07; }
  }

  /** The VGA BIOS (SeaBIOS's vgabios-stdvga.bin) behind the std VGA's PCI ROM BAR,
   *  where SeaBIOS finds it and runs it as QEMU's -vga std has it: at most 64 KiB. */
  loadVgaRom(image: Uint8Array): void {
    if (image.length === 0 || image.length > 65536) throw new MachineError(`VGA BIOS image must be 1 to 64 KiB, got ${image.length} bytes`);
    const rom = new Uint8Array(this.memory.buffer, this.x.layoutVgaRom(), 65536);
    rom.fill(0);
    rom.set(image);
    if (!this.x.loadVgaRom(image.length)) throw new MachineError("VGA BIOS image refused by the machine");
  }

  /** Attach an image as IDE drive 0-3 (primary master/slave, secondary master/slave;
   *  QEMU puts -cdrom at 2). A CD drive with `backend` undefined has an empty tray;
   *  attaching to it again is a media change the guest is told about. */
  attachDrive(drive: number, kind: DriveKind, backend?: BlockBackend): void {
    if (!Number.isInteger(drive) || drive < 0 || drive > 3) throw new MachineError(`IDE drive must be 0-3, got ${drive}`);
    if (kind === DRIVE.DISK && !backend) throw new MachineError("a disk drive needs an image");
    const sectors = kind === DRIVE.NONE || !backend ? 0 : Math.floor(backend.size / 512);
    this.block.drives[drive] = kind === DRIVE.NONE ? undefined : backend;
    this.x.ideAttach(drive, kind, sectors >>> 0, Math.floor(sectors / 0x100000000));
  }

  reset(): void { this.x.reset(); }
  /** PS/2 mouse motion (dy positive = up), wheel, buttons (bit 0 left, 1 right, 2 middle). */
  mouseEvent(dx: number, dy: number, dz: number, buttons: number): void { this.x.mouseEvent(dx | 0, dy | 0, dz | 0, buttons & 7); }
  /** After reset(), for a direct kernel boot: the chipset set-up the firmware
   *  would have done (asm/machine.ts directBootSetup). */
  directBootSetup(): void { this.x.directBootSetup(); }
  /** An I/O port access made by the host as the CPU's IN/OUT make it, for what
   *  firmware would have done before a direct boot (web/host/vbe.ts sets vga='s
   *  video mode); the module's port access for tests (asm/index.ts). */
  portIn(port: number, size: 1 | 2 | 4): number { return this.x.testPortIn(port & 0xffff, size) >>> 0; }
  portOut(port: number, size: 1 | 2 | 4, value: number): void { this.x.testPortOut(port & 0xffff, size, value >>> 0); }

  /** Real-time mode: guest time follows the host's clock (MachineOptions.hostNow;
   *  asm/clock.ts has the model), as QEMU's does. Off: icount mode, time derived
   *  from the instruction count, so runs are reproducible. */
  setRealtime(on: boolean): void { this.x.setRealtime(on ? 1 : 0); this.timeMode.realtime = on; }
  /** Translate hot guest code (the default, MachineOptions.translate) or, off,
   *  interpret every instruction from now on (translations already made stay
   *  unused); for comparisons, as at creation. */
  setTranslation(on: boolean): void { this.x.setTranslation(on ? 1 : 0); }
  /** icount mode with 2^shift ns of guest time per instruction (QEMU's -icount shift=N). */
  setIcountShift(shift: number): void {
    if (!Number.isInteger(shift) || shift < 0 || shift > 10) throw new MachineError(`icount shift must be 0-10, got ${shift}`);
    this.x.setIcountShift(shift);
    this.timeMode = { ...this.timeMode, realtime: false, shift };
  }
  /** After a HALT stop: how long the host may sleep before running again, in ns
   *  (host ns in real time), or -1 when only input or another host event can wake it. */
  timeUntilDeadline(): number { return this.x.timeUntilDeadline(); }
  /** The CPU is halted, waiting for an interrupt (after a HALT stop: the guest is
   *  idle, rather than ahead of the host's clock). */
  get halted(): boolean { return this.mem32[(this.x.layoutCpuState() + OFF_HALTED) >>> 2] !== 0; }
  /** The machine's virtual clock (ns since power-on), and how much of it the CPU spent halted. */
  get virtualTime(): bigint { return this.x.virtualTimeNs(); }
  get haltedTime(): bigint { return this.x.haltedTimeNs(); }
  /** The RTC's time of day, in seconds since 1970 UTC. */
  setRtcTime(unixSeconds: number): void { this.x.setRtcTime(unixSeconds); }
  get rtcTime(): number { return this.x.rtcTime(); }
  /** Which clock the RTC counts (QEMU's -rtc clock=; asm/dev/cmos.ts): "host"
   *  follows the host's clock across pauses and a starved host (real time),
   *  "vm" counts the machine's virtual time only. Its time of day goes on from
   *  where it is. The machine starts with "vm". */
  setRtcClock(clock: "host" | "vm"): void {
    this.x.setRtcClockHost(clock === "host" ? 1 : 0);
    this.timeMode.rtcHost = clock === "host";
  }
  setCmosByte(index: number, value: number): void { this.x.setCmosByte(index, value); }
  getCmosByte(index: number): number { return this.x.getCmosByte(index); }
  /** Translated blocks entered since power-on. */
  get translatedBlockCalls(): bigint { return this.x.translatedBlockCalls(); }
  /** Instructions retired by translated blocks since power-on. */
  get translatedInstructions(): bigint { return this.x.translatedInstructions(); }
  run(budget: number): StopReason {
    const r = this.x.run(budget >>> 0) as StopReason;
    this.translator.endSlice(); // blocks translated in this slice wait no longer for company
    return r;
  }
  /** After a run stopped with BREAKPOINT or TARGET: go on with it, executing
   *  exactly what it would have executed had it not stopped (asm/machine.ts
   *  machineContinue); BUDGET when no run is suspended. */
  continueRun(): StopReason { return this.x.continueRun() as StopReason; }
  /** Whether a run stopped by a breakpoint or the stop target can go on (continueRun). */
  get runSuspended(): boolean { return this.x.runSuspended() !== 0; }
  /** A run suspended at the stop target, as a checkpoint keeps it (budget
   *  left, stretch left); undefined when none is suspended. */
  get suspendedRun(): SuspendedRun | undefined {
    return this.runSuspended ? { left: this.x.runSuspendedLeft() >>> 0, stretch: this.x.runSuspendedStretch() >>> 0, flags: this.x.runSuspendedFlags() } : undefined;
  }
  /** Suspend again a run a restored checkpoint was taken in (continueRun goes on with it). */
  restoreSuspendedRun(run: SuspendedRun): void { this.x.restoreSuspendedRun(run.left, run.stretch, run.flags); }
  /** Stop runs with TARGET at the first instruction boundary where `icount`
   *  instructions have retired; undefined for never. */
  setStopAt(icount: bigint | undefined): void { this.x.setStopAt(icount ?? 0xffffffffffffffffn); }
  get exitCode(): number { return this.x.getExitCode(); }
  get resetCause(): number { return this.x.getResetCause(); }
  get instructions(): bigint { return this.x.instructionCount(); }
  /** Size of the system BIOS image mapped below 4 GiB, 0 when none is loaded. */
  get biosSize(): number { return this.biosBytes; }
  /** The host wrote the CPU state block (direct boot, snapshot restore): let the
   *  machine recompute what it derives from it. */
  cpuStateChanged(): void { this.x.cpuStateChanged(); }

  /** Take everything waiting in an output ring. Called after every slice, so
   *  an empty ring costs no allocation. */
  drain(ring: number): Uint8Array {
    const { head, data, cap } = this.ring(ring);
    const u32 = this.mem32, w = u32[head], r = u32[head + 1];
    const n = (w - r) >>> 0;
    if (n === 0) return NOTHING;
    const out = new Uint8Array(n);
    const from = r & (cap - 1), first = Math.min(n, cap - from);
    out.set(this.mem8.subarray(data + from, data + from + first));
    if (first < n) out.set(this.mem8.subarray(data, data + n - first), first);
    u32[head + 1] = w;
    return out;
  }

  /** Bytes wait in an input ring (serial ports, keyboard) that the guest's
   *  devices have not taken yet: the guest is not idle, whatever its CPU does. */
  inputPending(): boolean {
    const u32 = this.mem32;
    for (const i of INPUT_RINGS) {
      const { head } = this.ring(i);
      if (u32[head] !== u32[head + 1]) return true;
    }
    return false;
  }

  /** Feed bytes into an input ring; returns how many fitted. */
  feed(ring: number, bytes: Uint8Array): number {
    const { head, data, cap } = this.ring(ring);
    const u32 = this.mem32, w = u32[head], r = u32[head + 1];
    const n = Math.min(cap - ((w - r) >>> 0), bytes.length);
    for (let i = 0; i < n; i++) this.mem8[data + ((w + i) & (cap - 1))] = bytes[i];
    u32[head] = (w + n) >>> 0;
    return n;
  }

  /** Ring `i`: its header's index in mem32 (write index, then read index), its data's address, its capacity. */
  private ring(i: number): { head: number; data: number; cap: number } {
    return (this.rings[i] ??= (() => {
      const a = this.x.layoutRings() + i * this.x.layoutRingStride();
      return { head: a >>> 2, data: a + this.x.layoutRingHeader(), cap: this.x.layoutRingCapacity() };
    })());
  }

  /** The CPU state block, for inspectors (see asm/cpu/state.ts for offsets). */
  cpuState(): DataView { return new DataView(this.memory.buffer, this.x.layoutCpuState(), CPU_STATE_SIZE); }

  /** What changed on the screen since the last call with `screen` (takes the
   *  machine's dirty-page log: one caller, the page's worker). */
  vgaScreenUpdate(screen: VgaScreen, opts: ScreenOptions = {}): VgaUpdate {
    return screen.update(new Uint8Array(this.memory.buffer), this.x.vgaStateBase(), this.x.vgaTextBase(), this.vgaDirtyTake(), opts);
  }
  /** Take the log of video memory pages written since the last take (asm/mmu/dirty.ts):
   *  bit p & 7 of byte p >> 3 for the 4 KiB page p of the 16 MiB; the log starts afresh. */
  vgaDirtyTake(): Uint8Array { return new Uint8Array(this.memory.buffer, this.x.vgaDirtyTake(), 512).slice(); }

  /** The VGA picture as QEMU's std VGA draws it (web/host/vgarender.ts); `cursor`
   *  draws the text cursor (QEMU blinks it). */
  vgaImage(opts: { cursor?: boolean } = {}): VgaImage {
    return renderVga(new Uint8Array(this.memory.buffer), this.x.vgaStateBase(), this.x.vgaTextBase(), opts);
  }
  /** The VGA text screen (undefined in a graphics mode). */
  textScreen(): TextScreen | undefined { return readTextScreen(this.memory, this.x); }
  /** The VGA shows text (textScreen() gives its cells). */
  get textMode(): boolean { return inTextMode(this.x); }
  /** Whether the text mode's character maps in plane 2 hold a font (a BIOS loaded one). */
  vgaTextFontLoaded(): boolean { return textFontLoaded(new Uint8Array(this.memory.buffer), this.x.vgaStateBase(), this.x.vgaTextBase()); }
  /** The 16 text colours as 0xRRGGBB. */
  textPalette(): number[] { return textPalette(this.memory, this.x); }

  // ---- debugging: gdb (gdb.ts) and the monitor (monitor.ts) use these ----

  /** Execute exactly one instruction, interpreted, with no interrupt taken
   *  before it (QEMU's gdb stepping); HALT when the CPU is halted and waits. */
  step(): StopReason { return this.x.step() as StopReason; }
  /** Make a running slice stop before its next instruction with STOP.PAUSE (a
   *  host that runs the machine on another thread may call this). */
  pause(): void { this.x.pause(); }
  /** The machine's NMI input, as QEMU's monitor `nmi` (x86_nmi): through LVT
   *  LINT1 when the local APIC is enabled, else straight to the CPU. */
  nmi(): void { this.x.nmi(); }
  /** Press the ACPI power button (PM1 PWRBTN_STS and the SCI), as QEMU's monitor
   *  `system_powerdown`: a guest with an ACPI button driver shuts down. */
  powerButton(): void { this.x.powerButton(); }
  /** The machine has an HPET (MachineOptions.hpet). */
  get hpet(): boolean { return this.x.hasHpet() !== 0; }
  /** Execution breakpoint at a linear address (any number, up to 256); false when full. */
  insertBreakpoint(linear: number): boolean { return this.x.breakpointInsert(linear >>> 0) !== 0; }
  removeBreakpoint(linear: number): boolean { return this.x.breakpointRemove(linear >>> 0) !== 0; }
  /** Watchpoint on `length` bytes from a linear address (up to 32; any length, not 0 and not past 4 GiB, as QEMU); false when full or malformed. */
  insertWatchpoint(linear: number, length: number, kind: WatchKind): boolean { return this.x.watchpointInsert(linear >>> 0, length, kind) !== 0; }
  removeWatchpoint(linear: number, length: number, kind: WatchKind): boolean { return this.x.watchpointRemove(linear >>> 0, length, kind) !== 0; }
  /** After STOP.BREAKPOINT: which breakpoint or watchpoint stopped the machine. */
  breakpointHit(): BreakpointHit | undefined {
    const k = this.x.breakpointHitKind(), address = this.x.breakpointHitAddress() >>> 0;
    if (k === 4) return { kind: "breakpoint", address };
    if (k === 5) return { kind: "event", address };
    if (k >= 1 && k <= 3) return { kind: "watchpoint", watch: k as WatchKind, address };
    return undefined;
  }

  /** The physical address the CPU would use for `linear` now (paging, A20), or
   *  undefined when it is not mapped; the TLB is neither read nor filled. */
  translate(linear: number): number | undefined {
    const p = this.x.debugTranslate(linear >>> 0);
    return p < 0 ? undefined : p;
  }
  /** Read guest memory without faults or side effects: linear addresses go
   *  through the page tables. Returns the bytes up to the first one that is not
   *  mapped or has no RAM or ROM behind it (so shorter than asked on an error). */
  readLinear(linear: number, length: number): Uint8Array { return this.copyOut(linear, length, (a, n, o) => this.x.debugLinearRead(a, n, o)); }
  readPhysical(phys: number, length: number): Uint8Array { return this.copyOut(phys, length, (a, n, o) => this.x.debugPhysRead(a, n, o)); }
  /** Write guest memory (RAM, and ROM as a debugger may); returns how many bytes landed. */
  writeLinear(linear: number, bytes: Uint8Array): number { return this.copyIn(linear, bytes, (a, n, s) => this.x.debugLinearWrite(a, n, s)); }
  writePhysical(phys: number, bytes: Uint8Array): number { return this.copyIn(phys, bytes, (a, n, s) => this.x.debugPhysWrite(a, n, s)); }

  private copyOut(addr: number, length: number, f: (a: number, n: number, out: number) => number): Uint8Array {
    const buf = this.x.debugBuffer(), max = this.x.debugBufferSize();
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = Math.min(max, length - done);
      const got = f((addr + done) >>> 0, n, buf);
      out.set(new Uint8Array(this.memory.buffer, buf, got), done);
      done += got;
      if (got < n) break;
    }
    return out.subarray(0, done);
  }
  private copyIn(addr: number, bytes: Uint8Array, f: (a: number, n: number, src: number) => number): number {
    const buf = this.x.debugBuffer(), max = this.x.debugBufferSize();
    let done = 0;
    while (done < bytes.length) {
      const n = Math.min(max, bytes.length - done);
      new Uint8Array(this.memory.buffer, buf, n).set(bytes.subarray(done, done + n));
      const put = f((addr + done) >>> 0, n, buf);
      done += put;
      if (put < n) break;
    }
    return done;
  }

  /** VMX operation (docs/VMX.md): "off" before VMXON (or without +vmx), "root"
   *  while the hypervisor runs, "non-root" while its guest runs; the current
   *  VMCS's physical address, null when none is loaded. */
  vmx(): { mode: "off" | "root" | "non-root"; vmcs: number | null } {
    const v = this.cpuState();
    const mode = v.getUint32(OFF_VMX_MODE, true);
    const ptr = v.getBigUint64(OFF_VMCS_PTR, true);
    return {
      mode: !(mode & VMX_ON) ? "off" : mode & VMX_NONROOT ? "non-root" : "root",
      vmcs: mode & VMX_ON && ptr !== 0xffffffffffffffffn ? Number(ptr) : null,
    };
  }

  /** The byte offset of VMCS field `encoding` in a VMCS region, -1 for a field
   *  this processor does not have (web/host/vmcs.ts decodes the current VMCS). */
  vmcsFieldOffset(encoding: number): number { return this.x.vmcsFieldOffset(encoding); }

  registers(): Registers {
    const v = this.cpuState();
    const u = (off: number) => v.getUint32(off, true);
    const seg = (s: number): SegmentRegister => {
      const p = OFF_SEGS + s * SEG_SIZE, attr = u(p + SEGF_ATTR);
      return { selector: u(p + SEGF_SEL), base: u(p + SEGF_BASE), limit: u(p + SEGF_LIMIT), attributes: attr & ~ATTR_VALID & 0xffff, valid: (attr & ATTR_VALID) !== 0 };
    };
    const dr = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (i === 4 || i === 5 ? 0 : u(OFF_DR + i * 4)));
    return {
      gpr: GPR_NAMES.map((_, i) => u(OFF_REGS + i * 4)),
      eip: u(OFF_EIP), eflags: this.x.debugEflags() >>> 0,
      es: seg(0), cs: seg(1), ss: seg(2), ds: seg(3), fs: seg(4), gs: seg(5), ldtr: seg(6), tr: seg(7),
      gdtr: { base: u(OFF_GDTR_BASE), limit: u(OFF_GDTR_LIMIT) }, idtr: { base: u(OFF_IDTR_BASE), limit: u(OFF_IDTR_LIMIT) },
      cr0: u(OFF_CR0), cr2: u(OFF_CR2), cr3: u(OFF_CR3), cr4: u(OFF_CR4), dr,
      cpl: u(OFF_CPL), halted: u(OFF_HALTED) !== 0, inhibitIrq: u(OFF_INHIBIT_IRQ) !== 0, a20: u(OFF_A20) !== 0,
      ...(this.cpu.nx ? { efer: u(OFF_EFER) } : {}),
    };
  }

  /** Write one register as a debugger does: segment registers by selector
   *  (the hidden part loaded from the descriptor table in protected mode, without
   *  checks); false when that descriptor cannot be read. */
  setRegister(name: RegisterName, value: number): boolean {
    const v = this.cpuState();
    value >>>= 0;
    const g = (GPR_NAMES as readonly string[]).indexOf(name);
    if (g >= 0) { v.setUint32(OFF_REGS + g * 4, value, true); return true; }
    const s = (SEG_NAMES as readonly string[]).indexOf(name);
    if (s >= 0) return this.x.debugSetSegment(s, value & 0xffff) !== 0;
    switch (name) {
      case "eip": v.setUint32(OFF_EIP, value, true); return true;
      case "eflags": this.x.debugSetEflags(value); return true;
      case "cr0": case "cr2": case "cr3": case "cr4": {
        const off = { cr0: OFF_CR0, cr2: OFF_CR2, cr3: OFF_CR3, cr4: OFF_CR4 }[name];
        v.setUint32(off, value, true);
        this.x.cpuStateChanged();
        return true;
      }
    }
    return false;
  }

  /** The x87 and SSE registers as gdb's i386 target has them: ST0-ST7 (10 bytes
   *  each, stack order), then fctrl, fstat, ftag, fiseg, fioff, foseg, fooff, fop
   *  (u32 each), then XMM0-7 (16 bytes each) at 112 and MXCSR (u32) at 240. */
  fpuImage(): Uint8Array {
    const buf = this.x.debugBuffer();
    this.x.debugFpuImage(buf);
    const img = new Uint8Array(112 + 128 + 4);
    img.set(new Uint8Array(this.memory.buffer, buf, 112));
    const cpu = this.x.layoutCpuState();
    img.set(new Uint8Array(this.memory.buffer, cpu + OFF_XMM, 128), 112);
    img.set(new Uint8Array(this.memory.buffer, cpu + OFF_MXCSR, 4), 240);
    return img;
  }

  /** 8259A registers (chip 0 master, 1 slave). */
  picRegisters(chip: number): PicRegisters {
    const r = (w: number) => this.x.picRegister(chip, w);
    return { irr: r(0), isr: r(1), imr: r(2), base: r(3), priority: r(4), readIsr: r(5) !== 0, elcr: r(6), specialFullyNested: r(7) !== 0 };
  }

  /** The event timeline's address in the machine's memory (web/host/events.ts reads it). */
  get eventsAddress(): number { return this.x.layoutEvents(); }

  /** The regions of the machine's memory that hold its state besides RAM, in
   *  order (asm/index.ts stateRegionBase: CPU, device slots, I/O rings, event
   *  timeline, VGA memory, IDE buffers). */
  /** asm/layout.ts STATE_VERSION: which layout the state regions have. */
  get stateVersion(): number { return this.x.layoutStateVersion(); }
  stateRegions(): { base: number; size: number }[] {
    const n = this.x.stateRegionCount();
    return Array.from({ length: n }, (_, i) => ({ base: this.x.stateRegionBase(i), size: this.x.stateRegionSize(i) }));
  }
  /** The host wrote every state region and RAM (web/host/snapshot.ts): the machine
   *  recomputes what it derives from them and drops its translations; guest time
   *  goes on from the restored clock in this host's mode (real time re-reads the
   *  host clock from there, icount keeps its rate). */
  /** The host put back state regions and RAM it copied from this same run
   *  (web/host/reverse.ts checkpoints): the machine recomputes what it derives
   *  from them; the clock goes on exactly as restored (no host clock reading). */
  stateRestoredExactly(): void { this.x.stateRestored(); }
  stateRestored(): void {
    this.x.stateRestored();
    if (this.timeMode.realtime) this.x.setRealtime(1);
    else this.x.setIcountShift(this.timeMode.shift);
    this.x.setRtcClockHost(this.timeMode.rtcHost ? 1 : 0);
  }

  /** One byte per 4 KiB page of RAM: 1 when the page holds a nonzero byte. */
  ramPagesInUse(): Uint8Array {
    const n = this.ramBytes / 4096, out = new Uint8Array(n);
    const buf = this.x.debugBuffer(), max = this.x.debugBufferSize();
    for (let p = 0; p < n; p += max) {
      const k = Math.min(max, n - p);
      this.x.ramPagesInUse(p, k);
      out.set(new Uint8Array(this.memory.buffer, buf, k), p);
    }
    return out;
  }

  /** Guest physical RAM as bytes. */
  ram(): Uint8Array { return new Uint8Array(this.memory.buffer, this.x.layoutRamBase(), this.ramBytes); }
}
