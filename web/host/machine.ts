// Machine: loads the wasm machine, gives it memory, firmware and images, drives
// run slices and drains the I/O rings. No DOM and no Node-only APIs: the browser
// worker and the Node command line both use it.

import { CPU_STATE_SIZE } from "./cpustate";
import { BlockHost, type BlockBackend, type DriveKind, DRIVE } from "./block";
import { FwCfgHost, type FwCfgExports } from "./fwcfg";
import { Translator, type JitCoreExports } from "./jit";
import { readTextScreen, textPalette, type VgaExports, type TextScreen } from "./vga";

export const STOP = {
  BUDGET: 0, HALT: 1, OUTPUT: 2, EXIT: 3, RESET: 4, POWEROFF: 5, BREAKPOINT: 6, BLOCKIO: 7,
} as const;
export type StopReason = (typeof STOP)[keyof typeof STOP];

export const RING = { DEBUGCON: 0, COM1_TX: 1, COM1_RX: 2, KBD: 3 } as const;

interface MachineExports extends FwCfgExports, VgaExports {
  init(ramBytes: number): void;
  reset(): void;
  run(budget: number): number;
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
  layoutStateVersion(): number;
  layoutStaticBase(): number;
  cpuStateChanged(): void;
  ideAttach(drive: number, kind: number, sectorsLo: number, sectorsHi: number): void;
  setRealtime(on: number): void;
  setIcountShift(shift: number): void;
  timeUntilDeadline(): number;
  hostNsPerInstruction(): number;
  setRtcTime(unixSeconds: number): void;
  setCmosByte(index: number, value: number): void;
  getCmosByte(index: number): number;
  setTranslation(on: number): void;
  setTranslationThreshold(n: number): void;
  translatedBlockCalls(): bigint;
  translatedInstructions(): bigint;
}

export interface MachineOptions {
  /** The compiled machine (build/ringzero.wasm) as bytes or a compiled module. */
  wasm: BufferSource | WebAssembly.Module;
  /** Guest RAM in bytes (a multiple of 1 MiB). */
  ramBytes: number;
  /** Translate hot guest code to wasm (web/host/jit.ts); default on. Off, every
   *  instruction is interpreted (for comparisons and for bisecting bugs). */
  translate?: boolean;
  /** Executions of a block's first instruction before it is translated (the
   *  machine's default suits real guests; tests use 1 to translate everything). */
  translateAfter?: number;
  /** The host's monotonic clock in ns, read by the machine in real-time mode
   *  (default: performance.now() * 1e6). Record/replay and tests replace it. */
  hostNow?: () => number;
}

export class MachineError extends Error {}

export class Machine {
  readonly memory: WebAssembly.Memory;
  readonly ramBytes: number;
  private readonly x: MachineExports;
  private biosBytes = 0;
  /** Disk and CD images (web/host/block.ts), served to the IDE controller. */
  readonly block: BlockHost;
  /** QEMU fw_cfg items and files the firmware reads (web/host/fwcfg.ts). */
  readonly fwcfg: FwCfgHost;
  /** The block translator (its stats say how much it compiled). */
  translator!: Translator;

  private constructor(instance: WebAssembly.Instance, memory: WebAssembly.Memory, ramBytes: number, block: BlockHost) {
    this.x = instance.exports as unknown as MachineExports;
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
    const RAM_BASE = 0x2000000; // layout.ts; checked against the module below
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
        jitCompile: (host: number, maxLen: number, out: number) => (translator ? translator.compile(host, maxLen, out) : 0),
        jitRelease: (fn: number) => translator?.release(fn),
        abort(_msg: number, _file: number, line: number, col: number) {
          abortMessage = `internal error in the machine (wasm abort at ${line}:${col})`;
          throw new MachineError(abortMessage);
        },
      },
    };
    const module = opts.wasm instanceof WebAssembly.Module ? opts.wasm : await WebAssembly.compile(opts.wasm);
    const instance = await WebAssembly.instantiate(module, imports);
    translator = new Translator(memory, instance.exports as unknown as JitCoreExports);
    const m = new Machine(instance, memory, ram, block);
    m.translator = translator;
    if (opts.translate === false) m.x.setTranslation(0);
    if (opts.translateAfter !== undefined) m.x.setTranslationThreshold(opts.translateAfter);
    if (m.x.layoutRamBase() !== RAM_BASE) throw new MachineError("machine module layout does not match this host");
    m.x.init(ram);
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

  /** Real-time mode: guest time follows the host's clock (MachineOptions.hostNow;
   *  asm/clock.ts has the model), as QEMU's does. Off: icount mode, time derived
   *  from the instruction count, so runs are reproducible. */
  setRealtime(on: boolean): void { this.x.setRealtime(on ? 1 : 0); }
  /** icount mode with 2^shift ns of guest time per instruction (QEMU's -icount shift=N). */
  setIcountShift(shift: number): void {
    if (!Number.isInteger(shift) || shift < 0 || shift > 10) throw new MachineError(`icount shift must be 0-10, got ${shift}`);
    this.x.setIcountShift(shift);
  }
  /** After a HALT stop: how long the host may sleep before running again, in ns
   *  (host ns in real time), or -1 when only input or another host event can wake it. */
  timeUntilDeadline(): number { return this.x.timeUntilDeadline(); }
  /** Real time: the measured host ns per guest instruction. */
  get hostNsPerInstruction(): number { return this.x.hostNsPerInstruction(); }
  /** The RTC's time of day, in seconds since 1970 UTC. */
  setRtcTime(unixSeconds: number): void { this.x.setRtcTime(unixSeconds); }
  setCmosByte(index: number, value: number): void { this.x.setCmosByte(index, value); }
  getCmosByte(index: number): number { return this.x.getCmosByte(index); }
  /** Translated blocks entered since power-on. */
  get translatedBlockCalls(): bigint { return this.x.translatedBlockCalls(); }
  /** Instructions retired by translated blocks since power-on. */
  get translatedInstructions(): bigint { return this.x.translatedInstructions(); }
  run(budget: number): StopReason { return this.x.run(budget >>> 0) as StopReason; }
  get exitCode(): number { return this.x.getExitCode(); }
  get resetCause(): number { return this.x.getResetCause(); }
  get instructions(): bigint { return this.x.instructionCount(); }
  /** Size of the system BIOS image mapped below 4 GiB, 0 when none is loaded. */
  get biosSize(): number { return this.biosBytes; }
  /** The host wrote the CPU state block (direct boot, snapshot restore): let the
   *  machine recompute what it derives from it. */
  cpuStateChanged(): void { this.x.cpuStateChanged(); }

  /** Take everything waiting in an output ring. */
  drain(ring: number): Uint8Array {
    const a = this.x.layoutRings() + ring * this.x.layoutRingStride();
    const v = new DataView(this.memory.buffer);
    const w = v.getUint32(a, true), r = v.getUint32(a + 4, true);
    const cap = this.x.layoutRingCapacity();
    const n = (w - r) >>> 0;
    const out = new Uint8Array(n);
    const data = a + this.x.layoutRingHeader();
    const mem = new Uint8Array(this.memory.buffer);
    for (let i = 0; i < n; i++) out[i] = mem[data + ((r + i) & (cap - 1))];
    v.setUint32(a + 4, w, true);
    return out;
  }

  /** Feed bytes into an input ring; returns how many fitted. */
  feed(ring: number, bytes: Uint8Array): number {
    const a = this.x.layoutRings() + ring * this.x.layoutRingStride();
    const v = new DataView(this.memory.buffer);
    const w = v.getUint32(a, true), r = v.getUint32(a + 4, true);
    const cap = this.x.layoutRingCapacity();
    const free = cap - ((w - r) >>> 0);
    const n = Math.min(free, bytes.length);
    const data = a + this.x.layoutRingHeader();
    const mem = new Uint8Array(this.memory.buffer);
    for (let i = 0; i < n; i++) mem[data + ((w + i) & (cap - 1))] = bytes[i];
    v.setUint32(a, (w + n) >>> 0, true);
    return n;
  }

  /** The CPU state block, for inspectors (see asm/cpu/state.ts for offsets). */
  cpuState(): DataView { return new DataView(this.memory.buffer, this.x.layoutCpuState(), CPU_STATE_SIZE); }

  /** The VGA text screen (undefined in a graphics mode, which is not emulated). */
  textScreen(): TextScreen | undefined { return readTextScreen(this.memory, this.x); }
  /** The 16 text colours as 0xRRGGBB. */
  textPalette(): number[] { return textPalette(this.memory, this.x); }

  /** Guest physical RAM as bytes. */
  ram(): Uint8Array { return new Uint8Array(this.memory.buffer, this.x.layoutRamBase(), this.ramBytes); }
}
