// The embedding API of the `ringzero` package (package.json "exports"): the one
// description of it, which both implementations (web/embed/node.ts under Node,
// web/embed/browser.ts in the browser) are checked against and which the
// package ships as its types (tools/build-package.mjs copies this file).

import type { Registers, SegmentRegister } from "../host/machine";
import type { PageWalk, WalkStep } from "../host/inspect";
import type { EventKind } from "../host/events";
import type { CpuMode, LabRegisters, LabGdtEntry, LabIdtEntry, LabFault, LabTranslation, LabEventBase, LabEvent } from "../host/labapi";

/** An image: its bytes, or (in the browser only) a URL the worker fetches. */
export type ImageInput = Uint8Array | string;

export interface MachineOptions {
  /** Guest RAM in MiB (as -m; default 128). */
  memoryMB?: number;
  /** The CPU, as -cpu: "coreduo" (the default), "pentium2", "pentium3",
   *  "pentium4", with QEMU's +FEAT/-FEAT ("coreduo,+vmx"); anything else is a
   *  RangeError naming it. */
  cpu?: string;
  /** A Linux bzImage or Multiboot kernel, booted directly (as -kernel). */
  kernel?: ImageInput;
  /** The initrd for the kernel (as -initrd). */
  initrd?: ImageInput;
  /** The kernel command line (as -append). */
  append?: string;
  /** A CD-ROM image, read-only (as -cdrom). */
  cdrom?: ImageInput;
  /** A hard disk image (as -hda); the guest's writes stay in memory. */
  hda?: ImageInput;
  /** The firmware (SeaBIOS bios-256k.bin), needed to boot a CD-ROM or disk (as -bios). */
  bios?: ImageInput;
  /** The std VGA's option ROM for a firmware boot (SeaBIOS's vgabios-stdvga.bin,
   *  QEMU's default VGA BIOS): text output on the screen and VBE modes. Without
   *  it the firmware finds no VGA BIOS, as QEMU with `-vga none`'s ROM missing.
   *  With `kernel`, its 8x16 font goes into the VGA as the BIOS would leave it,
   *  so that a kernel writing to the text screen shows (without it, the screen
   *  draws text cells in the browser's font). */
  vgabios?: ImageInput;
}

/** How mountMachine() shows the machine. */
export interface MountOptions {
  /** "auto" (the default): the serial console, until the guest shows a
   *  graphics mode for two looks a second apart, then the VGA screen (as the
   *  page does); "console": the serial console only; "screen": the VGA screen
   *  only, text modes included. */
  view?: "auto" | "console" | "screen";
}

export type MachineState = "ready" | "running" | "paused" | "stopped" | "error";

/** A data watchpoint: `length` bytes (any number, not past 4 GiB) at a linear address, hit by
 *  writes, reads, or either. */
export interface Watchpoint { address: number; length: number; kind: "write" | "read" | "access" }

export interface RingZeroMachine {
  /** Run (or, after pause(), run on). In the browser the first start() loads the
   *  images in the worker and rejects with a one-line message if they cannot boot. */
  start(): Promise<void>;
  /** Stop running between slices; start() goes on from there. */
  pause(): Promise<void>;
  /** End the machine for good (the browser's worker is terminated). */
  stop(): Promise<void>;
  /** Output of the guest's first serial port (COM1), in batches. Returns a function that unsubscribes. */
  onSerial(callback: (bytes: Uint8Array) => void): () => void;
  /** Input for COM1, as the guest reads it from its serial console. */
  sendSerial(data: string | Uint8Array): void;
  /** The whole machine as a snapshot file ("RZSS", the format of the command
   *  line's monitor `migrate file:` and `-incoming file:`). */
  saveState(): Promise<Uint8Array>;
  /** Restore a snapshot of a machine with the same options; one that does not
   *  fit is refused with a one-line message and changes nothing. */
  restoreState(bytes: Uint8Array): Promise<void>;
  /** The CPU's registers now, as the page's window.ringzero.registers() (README,
   *  "The lab scripting API"): eax..edi, esp, ebp, eip, eflags, the segment
   *  registers' selectors, cr0-cr4, cpl, mode; the segment caches under
   *  `segments`, GDTR, IDTR, DR0-DR7, halted... under `extra`. */
  registers(): Promise<LabRegisters>;
  // The lab bench (the shapes of the page's window.ringzero): reads need no
  // pause; step() needs the machine not running. Before the first start() in the
  // browser there is no machine yet: they reject.
  /** Execute `count` instructions (default 1), interpreted, one at a time, while
   *  the machine is paused (or not started, under Node). */
  step(count?: number): Promise<void>;
  /** `length` bytes at a linear address (through the page tables) or, with
   *  `physical`, a physical one; at most 64 KiB a call. Rejects, naming the
   *  address and the fault, when any byte cannot be read (not mapped, no memory there). */
  readMemory(address: number, length: number, physical?: boolean): Promise<Uint8Array>;
  /** The page walk of a linear address as the CPU would do it now: `{ physical,
   *  steps, ... }`, or `{ fault, steps, ... }` with the #PF a read at the current CPL would raise. */
  translate(linear: number): Promise<LabTranslation>;
  /** The GDT's entries ({ index, selector, base, limit, type, kind, dpl, present, ... })
   *  and the IDT's gates ({ vector, selector, offset, type, kind, dpl, present, ... }). */
  gdt(): Promise<LabGdtEntry[]>;
  idt(): Promise<LabIdtEntry[]>;
  /** An execution breakpoint at a linear address: the machine pauses before
   *  the instruction there (any number, up to 256). start() goes on from it. */
  addBreakpoint(linear: number): Promise<void>;
  removeBreakpoint(linear: number): Promise<void>;
  /** A data watchpoint (up to 32): the machine pauses after the instruction
   *  whose access touched it, as an x86 data breakpoint traps. */
  addWatchpoint(w: Watchpoint): Promise<void>;
  removeWatchpoint(w: Watchpoint): Promise<void>;
  /** The entries of the LDT that LDTR names, shaped as gdt()'s (selectors with
   *  TI set); empty in real mode and while LDTR is null. */
  ldt(): ReturnType<RingZeroMachine["gdt"]>;
  /** Called when a breakpoint or watchpoint has paused the machine, with what
   *  stopped it: "breakpoint at 0x0010000c", "write watchpoint at 0x00101000".
   *  Returns a function that unsubscribes. */
  onStop(callback: (why: string) => void): () => void;
  /** The event timeline (exceptions, interrupts, ring and mode changes, CR3
   *  loads, task switches, VM entries and exits): events numbered `since` and
   *  later, of the last 4096, each with its kind's fields at top level. */
  events(since?: number): Promise<LabEvent[]>;
  readonly state: MachineState;
  /** Why the state is "error" (one line). */
  readonly error: string | undefined;
}

/** Create a machine, powered on but not running until start(). Rejects with the
 *  command line's one-line message when an image cannot boot (a kernel that is
 *  neither a bzImage nor Multiboot, nothing to boot, ...). */
export function createMachine(options: MachineOptions): Promise<RingZeroMachine>;

/** Browser only: in `element`, an xterm.js console for COM1 (import
 *  "@xterm/xterm/css/xterm.css" for its styles) and a canvas with the VGA
 *  screen, which takes the keyboard when focused and the mouse after a click
 *  (pointer lock); the machine started in a worker. Under Node it rejects:
 *  there is no element to mount in. */
export function mountMachine(element: HTMLElement, options: MachineOptions, mount?: MountOptions): Promise<RingZeroMachine>;

export type { Registers, SegmentRegister } from "../host/machine";
export type { PageWalk, WalkStep } from "../host/inspect";
export type { EventKind } from "../host/events";
export type { CpuMode, LabRegisters, LabGdtEntry, LabIdtEntry, LabFault, LabTranslation, LabEventBase, LabEvent } from "../host/labapi";
