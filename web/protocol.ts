// Typed messages between the page (web/ui) and the machine worker (web/worker.ts).

import type { Registers } from "./host/machine";
import type { Descriptor, PageWalk, TaskState } from "./host/inspect";
import type { EventStops, MachineEvent } from "./host/events";
import type { DisasmLine } from "./host/disasm";
import type { VmcsView } from "./host/vmcs";
import type { TimelineStop } from "./host/reverse";

/** Where an image comes from: a URL to fetch, or bytes the user picked. A cdrom
 *  or hda URL is read on demand through HTTP Range requests (web/host/httpdisk.ts)
 *  when the server has them, except when recording or replaying (a recording names
 *  its images by SHA-256, so those are downloaded whole). */
export type ImageSource = { url: string } | { name: string; bytes: ArrayBuffer };

export interface BootConfig {
  /** Guest RAM in MiB. */
  ramMB: number;
  /** The CPU as QEMU's -cpu writes it ("coreduo", "pentium2,+nx", "coreduo,+vmx");
   *  absent: the default model (web/host/cpumodel.ts). */
  cpu?: string;
  kernel?: ImageSource;
  initrd?: ImageSource;
  append?: string;
  bios?: ImageSource;
  vgabios?: ImageSource;
  /** For a direct kernel boot: a VGA BIOS whose 8x16 font goes into the VGA, as
   *  the command line does for -kernel, so that text the kernel writes to the
   *  screen shows. Not one of the run's images (recordings and saved states do
   *  not name it, as on the command line); when it cannot be fetched, the
   *  screen draws text with the page's font. */
  textFont?: ImageSource;
  cdrom?: ImageSource;
  hda?: ImageSource;
  boot?: "c" | "d";
  /** Record the session from power-on (web/host/replay.ts); WorkerApi.recording() gives the file. */
  record?: boolean;
  /** Replay this recording with the images above instead of running live. */
  replay?: { name: string; bytes: ArrayBuffer };
  /** Start from this saved state (a snapshot file, web/host/snapshot.ts) of a
   *  machine with the images and settings above; refused, the machine boots. */
  state?: ImageSource;
  /** The guest sets its clock from "<Unix seconds>\n" on its second serial port
   *  (the default guest's manifest "clockAgent"); sent after every restore. */
  clockAgent?: "ttyS1";
  /** Start paused before the first instruction, as QEMU's -S: resume() runs it
   *  (after the page has set its breakpoints). */
  paused?: boolean;
  /** "thread": translate and compile hot blocks in a worker of their own
   *  (the page's ?compile=thread; web/compileworker.ts); absent, on the
   *  machine's worker. Not part of the run's identity: it changes no result. */
  compile?: "thread";
}

/** What start() did besides powering on. */
export interface StartInfo {
  /** BootConfig.state was restored. */
  restored?: RestoredState;
  /** BootConfig.state was refused, and why (one line); the machine booted fresh. */
  refused?: string;
  /** The writable hda: kept across reloads (IndexedDB, web/store.ts) or in memory only,
   *  and how many sectors of earlier runs' changes it started with. */
  disk?: { name: string; kept: boolean; restoredSectors: number };
}

/** What a saved state says about itself (its snapshot header's fields). */
export interface RestoredState { name: string; thumbnail: string; created: string; parent?: string }

export interface SaveRequest { name: string; parent?: string; thumbnail: string }
/** A snapshot file, or why there is none. */
export type SaveResult = { bytes: Uint8Array } | { error: string };
/** The state restored, or why it was refused (one line; the machine went on unharmed). */
export type RestoreResult = RestoredState | { error: string };

/** MachineStatus.stop of a machine started with BootConfig.paused, before it first runs. */
export const STARTED_PAUSED = "started paused";
/** A running guest halted for at least this share of its time counts as idle
 *  (MachineStatus.idle): the page shows "idle", and the worker sends its status
 *  once a second instead of twice. */
export const IDLE_SHARE = 0.9;

export type RunState = "loading" | "running" | "paused" | "halted" | "stopped" | "error";

export interface MachineStatus {
  state: RunState;
  /** Guest instructions per second over the last interval. */
  ips: number;
  /** Share of the guest's time in the last interval that its CPU spent halted,
   *  waiting for an interrupt (0..1). */
  idle: number;
  instructions: number;
  mode: "real" | "protected" | "virtual-8086";
  cpl: number;
  paging: boolean;
  /** VMX operation (docs/VMX.md): the hypervisor runs ("root") or its guest
   *  ("non-root"), with the current VMCS's physical address; absent outside VMX
   *  operation. */
  vmx?: { mode: "root" | "non-root"; vmcs: number | null };
  resets: number;
  /** live, recording, replaying, or replayed (the replay reached the recording's end). */
  session: "live" | "recording" | "replaying" | "replayed";
  /** Why the machine is paused: "paused", "step", "breakpoint at 0xC1234567", STARTED_PAUSED. */
  stop?: string;
  /** A replay: the machine checkpoints its timeline holds (web/host/reverse.ts). */
  checkpoints?: number;
  /** The gdb bridge, when the page connected to one: "connecting", "bridge connected, waiting for gdb", "gdb attached". */
  gdb?: string;
  /** Images read on demand over HTTP: bytes fetched so far, of the image's size. */
  disks?: DiskFetch[];
}

export interface DiskFetch { name: "cdrom" | "hda"; fetched: number; size: number }

/** The inspector's view of a paused (or running) machine. */
export interface Inspection {
  registers: Registers;
  gdt: Descriptor[];
  /** The LDT that LDTR names (empty with a null LDTR, and in real mode). */
  ldt: Descriptor[];
  idt: Descriptor[];
  tss?: TaskState;
  /** The current VMCS decoded (web/host/vmcs.ts); absent outside VMX operation
   *  or with no current VMCS. */
  vmcs?: VmcsView;
  breakpoints: number[];
  watchpoints: Watchpoint[];
}

/** Where a step back or a reverse continue left a replay (paused there): EIP,
 *  the instruction count, and why it stopped ("step"; "breakpoint" or
 *  "watchpoint": the last hit before; "begin": the start of the recording;
 *  "interrupted": paused on the way). Or why it did not go. */
export type ReverseResult = { eip: number; instructions: number; stop: TimelineStop["reason"] } | { error: string };

/** A data watchpoint: `length` bytes (any number, not running past 4 GiB) at a linear address. */
export interface Watchpoint { address: number; length: number; kind: "write" | "read" | "access" }

/** The VGA text screen: cells are character (low byte, CP437) and attribute. */
export interface VgaView {
  columns: number;
  rows: number;
  cells: Uint16Array;
  cursor?: { row: number; column: number };
  /** The 16 text colours as 0xRRGGBB. */
  palette: number[];
  /** Plane 2 holds a font: the picture (vgaImage) shows the text as the VGA draws it. */
  font: boolean;
}

/** The VGA picture in a graphics mode, as QEMU draws it (web/host/vgarender.ts). */
export interface VgaPicture {
  width: number;
  height: number;
  /** The rows that changed since the last picture: `rgba` holds rows [y0, y0 + rows). */
  y0: number;
  rows: number;
  /** RGBA, row by row: a view of a buffer that is transferred (vgaFrame's
   *  page gives it back), or of the SharedArrayBuffer the worker draws a VBE
   *  picture into when the page is cross-origin isolated, to be copied out
   *  before the next picture is asked for. */
  rgba: Uint8ClampedArray;
  /** 32 bpp rows as video memory holds them, B, G, R, unused (vgaFrame's):
   *  the page makes them RGBA (web/host/vgarender.ts bgraToRgba). */
  bgra?: boolean;
}

/** What the page's screen draws next (WorkerApi.vgaFrame), asked in one call:
 *  a round trip to the worker waits for its running slice to end. */
export interface VgaFrame {
  /** The guest shows a text mode (the screen redraws it less often). */
  textMode: boolean;
  /** The picture (text modes with plane 2's font, as vgaImage), or null: a text
   *  mode with no font in plane 2, the display off, or no machine yet. */
  picture: VgaPicture | null;
  /** When `picture` is null in a text mode: the cells, for the page's own font. */
  text: VgaView | null;
}

export interface WorkerCallbacks {
  /** A batch of bytes from the guest's serial console (never one call per byte). */
  console(bytes: Uint8Array): void;
  progress(name: string, loaded: number, total: number): void;
  status(s: MachineStatus): void;
  /** Something the user must be told, in plain words. */
  error(message: string): void;
  /** Something the user should know that stops nothing (a whole download instead
   *  of Range reads; a failed read the guest saw as an I/O error). */
  notice(message: string): void;
}

export interface WorkerApi {
  /** Load images and power on. `consoleRing` is a SharedArrayBuffer console ring
   *  (web/consolering.ts) when the page is cross-origin isolated. */
  start(config: BootConfig, callbacks: WorkerCallbacks, consoleRing?: SharedArrayBuffer): Promise<StartInfo>;
  pause(): void;
  resume(): void;
  reset(): void;
  /** The translator's counts (web/jit/translator.ts Translator.stats: blocks
   *  compiled, and with BootConfig.compile "thread" those asked of the
   *  compile worker), and why the compile worker is gone if it is; null
   *  before the machine starts. */
  translation(): { stats: Record<string, number>; lost?: string } | null;
  /** Bytes typed by the user, for the guest's serial console. */
  input(bytes: Uint8Array): void;
  /** Keys on the VGA screen: PS/2 scan code set 2 bytes for the i8042's keyboard (web/ui/keymap.ts). */
  keys(bytes: Uint8Array): void;
  /** The pointer on the VGA screen: PS/2 mouse motion (dy positive = up), wheel, buttons (bit 0 left, 1 right, 2 middle). */
  mouse(dx: number, dy: number, dz: number, buttons: number): void;
  status(): MachineStatus;
  /** Recording: the session so far as a complete recording file (the recording
   *  goes on); null when not recording. */
  recordingSoFar(): Uint8Array | null;
  // ---- the lab bench (web/host/inspect.ts); null/strings: not available now ----
  inspect(): Inspection | null;
  /** Walk a linear address through the page tables. */
  walk(linear: number): PageWalk | null;
  /** Guest memory, linear (through the page tables) or physical; shorter where unmapped. */
  readMemory(address: number, length: number, physical: boolean): Uint8Array;
  /** Paused: execute `count` instructions (interpreted, one at a time). An error message, or null. */
  step(count: number): string | null;
  /** Paused: one instruction, but a CALL, INT or REP string instruction runs to
   *  the next instruction (a temporary breakpoint); resolves when stopped again. */
  stepOver(): Promise<string | null> | string | null;
  /** A replay, paused or at its end: back to one instruction fewer retired (gdb's reverse-stepi). */
  reverseStep(): ReverseResult;
  /** A replay, paused or at its end: back to the last breakpoint or watchpoint
   *  hit before this point, or to the start of the recording (gdb's
   *  reverse-continue); pause() stops it on the way. */
  reverseContinue(): Promise<ReverseResult>;
  /** A replay, paused or at its end: to the point where `instructions` have
   *  retired, backwards or forwards (an event's count: just before its instruction). */
  goTo(instructions: number): ReverseResult;
  /** Connect to `ringzero gdb-bridge` (ws:// URL): gdb then debugs this machine. Null, or why not. */
  gdbConnect(url: string): Promise<string | null>;
  gdbDisconnect(): void;
  /** Execution breakpoints at linear addresses. An error message, or null. */
  addBreakpoint(linear: number): string | null;
  removeBreakpoint(linear: number): void;
  /** Data watchpoints (up to 32). An error message, or null. */
  addWatchpoint(w: Watchpoint): string | null;
  removeWatchpoint(w: Watchpoint): void;
  /** Disassembly from `linear` (default: CS:EIP), `count` instructions, in the CPU's current code size. */
  disassemble(linear: number | null, count: number): { bits: 16 | 32; lines: DisasmLine[] } | null;
  /** The event timeline: events with seq >= since (the last `max`), oldest first. */
  events(since: number, max: number): MachineEvent[];
  /** Teaching breakpoints: stop when an event of these kinds (exceptions: these vectors) happens. An error message, or null. */
  stopOn(stops: EventStops): string | null;
  /** The VGA text screen now, or null before the machine runs or in a graphics mode. */
  vgaText(): VgaView | null;
  /** What the VGA shows now, read at one instant: no machine yet, a text mode, a
   *  graphics picture, or nothing (display off). */
  vgaMode(): "none" | "text" | "graphics" | "blank";
  /** The VGA picture now (text modes drawn with plane 2's font, as QEMU draws them), or
   *  null before the machine runs or when the display is off. `changedRows`: only
   *  the rows changed since the last such call (whole after a call without). */
  vgaImage(changedRows?: boolean): VgaPicture | null;
  /** The screen's next frame: vgaImage(changedRows) (32 bpp left as B, G, R,
   *  unused: VgaPicture.bgra), or the text when plane 2 holds no font.
   *  `spare`: the last picture's buffer given back (transferred) once drawn,
   *  for the worker to draw into again. */
  vgaFrame(changedRows?: boolean, spare?: ArrayBuffer): VgaFrame;
  // ---- saved states and the disk ----
  /** The whole machine as a snapshot file (web/host/snapshot.ts); the page stores it. */
  snapshot(req: SaveRequest): Promise<SaveResult>;
  /** Restore a snapshot file; one that does not fit this machine is refused, nothing changed. */
  restoreState(bytes: Uint8Array, name: string): Promise<RestoreResult>;
  /** Store the disk's writes not yet in IndexedDB (the page calls it when it goes away). */
  flushDisk(): Promise<void>;
  /** Forget the disk's kept changes (from the next boot on); a message for the user. */
  discardDiskChanges(): Promise<string>;
  /** The hda as the guest sees it now, as a raw image; null without one. */
  diskImage(): Uint8Array | null;
}
