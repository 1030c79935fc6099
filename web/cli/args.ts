// The ringzero command line: the subset of qemu-system-i386's flags that RingZero
// implements, each with QEMU's meaning, so a Makefile or a test can swap one
// emulator for the other. A flag QEMU has but RingZero cannot honour is an error
// (UsageError, exit code 2), never silently ignored; flags accepted without effect
// are those whose QEMU meaning is already RingZero's only behaviour.

import { isHttpUrl } from "../host/httpdisk";
import { CpuSpecError, DEFAULT_CPU_MODEL, cpuDefaults, cpuName, parseCpuSpec, type CpuConfig } from "../host/cpumodel";

export class UsageError extends Error {}

/** A character backend; `monitor` on stdio: QEMU's mon:stdio, the console
 *  multiplexed with the monitor (Ctrl-A c switches). */
export type CharDev = { kind: "stdio"; monitor?: boolean } | { kind: "file"; path: string } | { kind: "null" };

/** Where the gdb stub listens (-gdb tcp:HOST:PORT, -s). */
export interface GdbListen { host: string; port: number }

export interface DriveSpec {
  /** IDE position: 0 = primary master (hda), 1 = primary slave (hdb), 2 = secondary master (hdc, -cdrom), 3 = hdd. */
  index: number;
  /** A file, or an http(s):// URL (read through Range requests, read-only). */
  path: string;
  media: "disk" | "cdrom";
  /** Guest writes are kept in memory and dropped at exit (-snapshot, snapshot=on); CD-ROMs are read-only anyway. */
  snapshot: boolean;
  readonly: boolean;
}

export type { CpuConfig };
export { cpuDefaults, cpuName };

export interface Config {
  ramMB: number;
  /** -cpu MODEL[,+FEAT|-FEAT]...: the model and features the machine is created with. */
  cpu: CpuConfig;
  bios?: string;
  kernel?: string;
  initrd?: string;
  append?: string;
  drives: DriveSpec[];
  /** Boot order letters as QEMU takes them: c = first hard disk, d = CD-ROM, a/b floppy, n..p network. */
  bootOrder: string;
  serial: CharDev;
  debugcon: CharDev | null;
  /** -nographic: QEMU's machine option graphics=off, which the firmware is told
   *  (fw_cfg NOGRAPHIC; SeaBIOS then mirrors its screen to COM1). */
  noGraphics: boolean;
  /** A display device for the monitor's screendump, as QEMU decides it: -vga std,
   *  or the default VGA unless -vga none or -nodefaults. (The VGA chip itself is
   *  always in the machine.) */
  vga: boolean;
  noReboot: boolean;
  /** The HPET (QEMU's pc default); -no-hpet or -machine hpet=off take it away. */
  hpet: boolean;
  snapshot: boolean;
  /** -device isa-debug-exit,iobase=0xf4: writes to port 0xF4 end the run. */
  debugExit: boolean;
  /** Ctrl-A escapes on the console (serial on stdio). */
  muxEscapes: boolean;
  /** The gdb stub's TCP endpoint (-gdb, -s). */
  gdb: GdbListen | null;
  /** -S: do not start the CPU until gdb or the monitor says so. */
  startPaused: boolean;
  /** -icount shift=N: deterministic time, 2^N ns per instruction; undefined:
   *  real time (QEMU's shift=auto), the default. */
  icountShift?: number;
  /** -icount rr=record|replay,rrfile=FILE. */
  rr?: RecordReplay;
  /** -rtc base=: the RTC's time at power-on, as UTC seconds since 1970, or
   *  "utc"/"localtime" for the host's time of day then. */
  rtcBase: "utc" | "localtime" | number;
  /** -rtc clock=: which clock the RTC counts (asm/dev/cmos.ts). "host": the
   *  host's, across pauses (QEMU's default; clock=rt is the same here); "vm":
   *  the machine's virtual clock. Default: host in real time, vm under
   *  -icount shift=N (deterministic time). */
  rtcClock: RtcClock;
  /** -incoming file:PATH: start from the snapshot in PATH (web/host/snapshot.ts). */
  incoming?: string;
  /** The QEMU monitor: on the terminal by itself (-monitor stdio), multiplexed
   *  with the serial console (mon:stdio, -nographic: Ctrl-A c), or absent. */
  monitor: "stdio" | "mux" | null;
  help: boolean;
  version: boolean;
}

export const DEFAULT_RAM_MB = 128; // qemu-system-i386's default for the pc machine
export const MAX_RAM_MB = 2048;

/** QEMU's -m: a size with an optional K/M/G/T suffix, plain numbers meaning MiB;
 *  also the "size=" form. The result must be a whole number of MiB. */
export function parseMemSize(text: string): number {
  let s = text.trim();
  if (s.startsWith("size=")) s = s.slice(5);
  if (s.includes(",")) throw new UsageError(`-m ${text}: only a size is supported (no slots or maxmem)`);
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtT]?)[bB]?$/.exec(s);
  if (!m) throw new UsageError(`-m ${text}: not a memory size (examples: 128, 128M, 1G)`);
  const scale: Record<string, number> = { "": 1 << 20, k: 1 << 10, m: 1 << 20, g: 1 << 30, t: 2 ** 40 };
  const bytes = Number(m[1]) * scale[m[2].toLowerCase()];
  const mb = bytes / (1 << 20);
  if (!Number.isInteger(mb)) throw new UsageError(`-m ${text}: RingZero needs a whole number of MiB`);
  if (mb < 1 || mb > MAX_RAM_MB) throw new UsageError(`-m ${text}: memory must be from 1 MiB to ${MAX_RAM_MB} MiB`);
  return mb;
}

/** -serial / -debugcon backends: stdio, mon:stdio, file:PATH, none, null. */
export function parseCharDev(flag: string, text: string): CharDev {
  if (text === "stdio") return { kind: "stdio" };
  if (text === "mon:stdio") return { kind: "stdio", monitor: true };
  if (text === "none" || text === "null") return { kind: "null" };
  if (text.startsWith("file:") && text.length > 5) return { kind: "file", path: text.slice(5) };
  throw new UsageError(`${flag} ${text}: supported backends are stdio, mon:stdio, file:PATH, none and null`);
}

/** Record/replay (web/host/replay.ts): -icount ...,rr=record|replay,rrfile=FILE. */
export interface RecordReplay {
  mode: "record" | "replay"; file: string;
  /** rrinterval=N (RingZero's): instructions between the checkpoints a replay
   *  under gdb takes for reverse execution (web/host/reverse.ts). */
  interval?: number;
}

/** -icount [shift=]N|auto[,sleep=off][,rr=record|replay,rrfile=FILE]. */
export function parseIcount(text: string): { shift?: number; rr?: RecordReplay } {
  const o = parseOptList(text, "shift");
  let shift: number | undefined;
  let mode: string | undefined, file: string | undefined, interval: number | undefined;
  for (const [k, v] of o) {
    if (k === "shift") {
      if (v === "auto") shift = undefined;
      else if (/^\d+$/.test(v) && Number(v) <= 10) shift = Number(v);
      else throw new UsageError(`-icount ${text}: shift must be a number from 0 to 10 or auto`);
    } else if (k === "sleep") {
      if (v !== "off") throw new UsageError(`-icount ${text}: RingZero's icount mode skips idle time as QEMU's sleep=off does; sleep=on is not supported`);
    } else if (k === "rr") {
      if (v !== "record" && v !== "replay" && v !== "off") throw new UsageError(`-icount ${text}: rr must be record, replay or off`);
      mode = v;
    } else if (k === "rrfile") {
      if (!v) throw new UsageError(`-icount ${text}: rrfile needs a file name`);
      file = v;
    } else if (k === "rrinterval") {
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 2 ** 40) throw new UsageError(`-icount ${text}: rrinterval must be a number of instructions from 1 to 2^40`);
      interval = Number(v);
    } else if (k === "rrsnapshot") {
      throw new UsageError(`-icount ${text}: rrsnapshot (snapshots during record/replay) is not supported yet`);
    } else if (k === "align") {
      if (v !== "off") throw new UsageError(`-icount ${text}: align=on is not supported`);
    } else throw new UsageError(`-icount ${text}: unknown option "${k}"`);
  }
  if (mode === "record" || mode === "replay") {
    if (file === undefined) throw new UsageError(`-icount ${text}: rr=${mode} needs rrfile=FILE`);
    if (interval !== undefined && mode !== "replay") throw new UsageError(`-icount ${text}: rrinterval= is for rr=replay (checkpoints for reverse execution)`);
    return { shift, rr: { mode, file, ...(interval !== undefined ? { interval } : {}) } };
  }
  if (interval !== undefined) throw new UsageError(`-icount ${text}: rrinterval= needs rr=replay`);
  if (file !== undefined) throw new UsageError(`-icount ${text}: rrfile= needs rr=record or rr=replay`);
  return { shift };
}

/** Which clock the RTC counts: the host's (QEMU's clock=host and clock=rt) or the machine's (clock=vm). */
export type RtcClock = "host" | "vm";

/** -rtc base=utc|localtime|DATE[,clock=host|rt|vm][,driftfix=none]. clock=host
 *  and clock=rt are one here: the host clock the machine reads is the monotonic
 *  one (QEMU's rt), started at the wall clock's time, so the only difference,
 *  following a step of the host's wall clock while the machine runs, is not
 *  modelled (stepped back, the RTC would run backwards). `clock` is undefined
 *  when not given (parseArgs picks the default). */
export function parseRtc(text: string): { base: "utc" | "localtime" | number; clock?: RtcClock } {
  const o = parseOptList(text, "base");
  let base: "utc" | "localtime" | number = "utc";
  let clock: RtcClock | undefined;
  for (const [k, v] of o) {
    if (k === "base") {
      if (v === "utc" || v === "localtime") base = v;
      else {
        const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?$/.exec(v);
        const t = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) : NaN;
        if (!m || Number.isNaN(t) || new Date(t).getUTCDate() !== +m[3]) {
          throw new UsageError(`-rtc ${text}: base must be utc, localtime or a date as 2006-06-17T16:01:21`);
        }
        base = t / 1000;
      }
    } else if (k === "clock") {
      if (v !== "host" && v !== "rt" && v !== "vm") throw new UsageError(`-rtc ${text}: clock must be host, rt or vm`);
      clock = v === "vm" ? "vm" : "host";
    } else if (k === "driftfix") {
      if (v !== "none") throw new UsageError(`-rtc ${text}: driftfix=${v} is not supported (no interrupts are lost to slew)`);
    } else throw new UsageError(`-rtc ${text}: unknown option "${k}"`);
  }
  return { base, clock };
}

/** QEMU's key=value,key=value option syntax ("," inside a value written ",,"). The first
 *  item may be a bare value (the implied key). */
export function parseOptList(text: string, implied: string): Map<string, string> {
  const items: string[] = [];
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ",") {
      if (text[i + 1] === ",") { cur += ","; i++; continue; }
      items.push(cur); cur = "";
    } else cur += text[i];
  }
  items.push(cur);
  const out = new Map<string, string>();
  items.forEach((it, k) => {
    const eq = it.indexOf("=");
    if (eq < 0) {
      if (k === 0 && implied) out.set(implied, it);
      else out.set(it, "on");
    } else out.set(it.slice(0, eq), it.slice(eq + 1));
  });
  return out;
}

function parseBool(flag: string, key: string, v: string): boolean {
  if (v === "on" || v === "true" || v === "yes") return true;
  if (v === "off" || v === "false" || v === "no") return false;
  throw new UsageError(`${flag}: ${key}=${v} must be on or off`);
}

function parseNum(v: string): number {
  const n = /^0x/i.test(v) ? parseInt(v.slice(2), 16) : /^\d+$/.test(v) ? parseInt(v, 10) : NaN;
  return n;
}

function parseBoot(text: string): string {
  const opts = parseOptList(text, "order");
  let order = "";
  for (const [k, v] of opts) {
    if (k === "order" || k === "once") order = v;
    else if (k === "menu" || k === "strict") parseBool("-boot", k, v); // only affect the BIOS menu and fallback
    else throw new UsageError(`-boot ${text}: unsupported option "${k}" (supported: order=, once=, menu=, strict=)`);
  }
  if (!/^[a-p]+$/.test(order)) throw new UsageError(`-boot ${text}: the boot order is made of the drive letters a to p (c = hard disk, d = CD-ROM)`);
  return order;
}

function parseDevice(text: string): void {
  const o = parseOptList(text, "driver");
  const driver = o.get("driver");
  if (driver !== "isa-debug-exit") {
    throw new UsageError(`-device ${text}: the only device that can be added is isa-debug-exit,iobase=0xf4,iosize=0x04`);
  }
  for (const [k, v] of o) {
    if (k === "driver") continue;
    const n = parseNum(v);
    if (k === "iobase" && n === 0xf4) continue;
    if (k === "iosize" && (n === 1 || n === 2 || n === 4)) continue;
    throw new UsageError(`-device ${text}: isa-debug-exit is available at iobase=0xf4 (iosize 1, 2 or 4) only`);
  }
  if (!o.has("iobase")) throw new UsageError(`-device ${text}: give iobase=0xf4 (QEMU's default, 0x501, is not available)`);
}

function parseDrive(text: string, snapshotAll: () => boolean): DriveSpec & { explicitIndex: boolean } {
  const o = parseOptList(text, "");
  const path = o.get("file");
  if (!path) throw new UsageError(`-drive ${text}: file= is required`);
  let index = -1, media: "disk" | "cdrom" = "disk", snapshot = false, readonly = false;
  for (const [k, v] of o) {
    switch (k) {
      case "file": break;
      case "format": if (v !== "raw") throw new UsageError(`-drive ${text}: only format=raw images are supported`); break;
      case "if": if (v !== "ide") throw new UsageError(`-drive ${text}: only if=ide is supported`); break;
      case "index": index = parseNum(v); if (!(index >= 0 && index <= 3)) throw new UsageError(`-drive ${text}: index must be 0 to 3`); break;
      case "media": if (v !== "disk" && v !== "cdrom") throw new UsageError(`-drive ${text}: media must be disk or cdrom`); media = v; break;
      case "snapshot": snapshot = parseBool("-drive", k, v); break;
      case "readonly": readonly = parseBool("-drive", k, v); break;
      default: throw new UsageError(`-drive ${text}: unsupported option "${k}" (supported: file, format=raw, if=ide, index, media, snapshot, readonly)`);
    }
  }
  return { index, explicitIndex: index >= 0, path, media, snapshot: snapshot || snapshotAll(), readonly: readonly || media === "cdrom" };
}

/** -gdb DEV: tcp::PORT or tcp:HOST:PORT (QEMU's chardev syntax; a bare :PORT
 *  or HOST:PORT means tcp too). Other backends are not available. */
export function parseGdbDev(text: string): GdbListen {
  const m = /^(?:tcp:)?([^:]*):(\d+)$/.exec(text);
  if (!m || text.startsWith("unix:") || text.includes(",")) {
    throw new UsageError(`-gdb ${text}: the gdb stub listens on TCP only: -gdb tcp::PORT or -gdb tcp:HOST:PORT`);
  }
  const port = Number(m[2]);
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`-gdb ${text}: port must be 1 to 65535`);
  return { host: m[1] === "" ? "0.0.0.0" : m[1], port };
}

/** -cpu (web/host/cpumodel.ts parseCpu), as a usage error. */
export function parseCpu(text: string): CpuConfig {
  try {
    return parseCpuSpec(text);
  } catch (e) {
    if (e instanceof CpuSpecError) throw new UsageError(`-cpu ${e.message}`);
    throw e;
  }
}

/** -smp: QEMU's [cpus=]N with maxcpus= and the topology (sockets, dies, clusters,
 *  cores, threads; their product is maxcpus when cpus is left out). RingZero has
 *  one CPU, so any form that describes more than one is an error. */
const SMP_TOPOLOGY = ["sockets", "dies", "clusters", "cores", "threads"];
function parseSmp(text: string): void {
  const o = parseOptList(text, "cpus");
  let topology = 1, cpus = 1;
  for (const [k, v] of o) {
    if (k !== "cpus" && k !== "maxcpus" && !SMP_TOPOLOGY.includes(k)) {
      throw new UsageError(`-smp ${text}: unsupported option "${k}" (supported: cpus, maxcpus, ${SMP_TOPOLOGY.join(", ")})`);
    }
    const n = /^\d+$/.test(v) ? parseInt(v, 10) : 0;
    if (n < 1) throw new UsageError(`-smp ${text}: ${k} must be a positive number`);
    if (SMP_TOPOLOGY.includes(k)) topology *= n;
    else cpus = Math.max(cpus, n);
  }
  const n = Math.max(cpus, topology);
  if (n > 1) throw new UsageError(`-smp ${text}: ${n} CPUs; SMP is not supported (RingZero has one CPU: -smp 1)`);
}

/** Flags that take a value, and what they do with it. */
export function parseArgs(argv: string[]): Config {
  const c: Config = {
    ramMB: DEFAULT_RAM_MB, cpu: cpuDefaults(DEFAULT_CPU_MODEL), drives: [], bootOrder: "cd", serial: { kind: "stdio" }, debugcon: null, noGraphics: false, vga: true,
    noReboot: false, hpet: true, snapshot: false, debugExit: false, muxEscapes: false, help: false, version: false,
    gdb: null, startPaused: false, monitor: null, rtcBase: "utc", rtcClock: "host",
  };
  let monitorStdio = false;
  let serialGiven: CharDev | null = null;
  let nographic = false, displayNone = false, nodefaults = false;
  let rtcClock: RtcClock | undefined;
  let vgaFlag: string | undefined;
  const pendingDrives: (DriveSpec & { explicitIndex: boolean })[] = [];

  const need = (i: number, flag: string): string => {
    if (i >= argv.length) throw new UsageError(`${flag} needs an argument`);
    return argv[i];
  };

  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    if (!raw.startsWith("-") || raw === "-") {
      // QEMU: a bare argument is the first hard disk image
      pendingDrives.push({ index: 0, explicitIndex: true, path: raw, media: "disk", snapshot: false, readonly: false });
      continue;
    }
    const flag = raw.startsWith("--") ? raw.slice(1) : raw;
    switch (flag) {
      case "-h": case "-help": c.help = true; break;
      case "-version": c.version = true; break;
      case "-m": c.ramMB = parseMemSize(need(++i, flag)); break;
      case "-bios": c.bios = need(++i, flag); break;
      case "-kernel": c.kernel = need(++i, flag); break;
      case "-initrd": c.initrd = need(++i, flag); break;
      case "-append": c.append = need(++i, flag); break;
      case "-hda": case "-hdb": case "-hdc": case "-hdd":
        pendingDrives.push({ index: "abcd".indexOf(flag[3]), explicitIndex: true, path: need(++i, flag), media: "disk", snapshot: false, readonly: false });
        break;
      case "-cdrom":
        pendingDrives.push({ index: 2, explicitIndex: true, path: need(++i, flag), media: "cdrom", snapshot: false, readonly: true });
        break;
      case "-drive": { const d = parseDrive(need(++i, flag), () => false); pendingDrives.push(d); break; }
      case "-boot": c.bootOrder = parseBoot(need(++i, flag)); break;
      case "-nographic": nographic = true; break;
      case "-serial": serialGiven = parseCharDev(flag, need(++i, flag)); break;
      case "-debugcon": c.debugcon = parseCharDev(flag, need(++i, flag)); break;
      case "-no-reboot": c.noReboot = true; break;
      case "-no-hpet": c.hpet = false; break;
      case "-snapshot": c.snapshot = true; break;
      case "-s": c.gdb = { host: "0.0.0.0", port: 1234 }; break;
      case "-gdb": {
        const v = need(++i, flag);
        c.gdb = v === "none" ? null : parseGdbDev(v);
        break;
      }
      case "-S": c.startPaused = true; break;
      case "-icount": { const ic = parseIcount(need(++i, flag)); c.icountShift = ic.shift; c.rr = ic.rr; break; }
      case "-rtc": { const r = parseRtc(need(++i, flag)); c.rtcBase = r.base; rtcClock = r.clock; break; }
      case "-incoming": {
        const v = need(++i, flag);
        if (!v.startsWith("file:") || v.length === 5) throw new UsageError(`-incoming ${v}: only file:PATH is supported (a snapshot written by the monitor's migrate file:PATH)`);
        c.incoming = v.slice(5);
        break;
      }
      case "-display": {
        const v = need(++i, flag);
        if (v !== "none") throw new UsageError(`-display ${v}: the command line has no display; use -display none or -nographic`);
        displayNone = true;
        break;
      }
      case "-vga": {
        const v = need(++i, flag);
        if (v !== "none" && v !== "std") throw new UsageError(`-vga ${v}: only std and none are supported`);
        vgaFlag = v;
        break;
      }
      case "-device": c.debugExit = (parseDevice(need(++i, flag)), true); break;
      case "-accel": {
        const v = need(++i, flag);
        if (v !== "tcg" && !v.startsWith("tcg,")) throw new UsageError(`-accel ${v}: RingZero is an emulator; only -accel tcg has its meaning here`);
        break;
      }
      case "-machine": case "-M": {
        const v = need(++i, flag);
        const o = parseOptList(v, "type");
        const type = o.get("type") ?? "";
        if (type !== "pc" && !/^pc-i440fx-[\d.]+$/.test(type)) throw new UsageError(`${flag} ${v}: the only machine is pc (i440FX)`);
        for (const [k, val] of o) {
          if (k === "type") continue;
          if (k === "accel" && val === "tcg") continue;
          if (k === "hpet" && (val === "on" || val === "off")) { c.hpet = val === "on"; continue; }
          throw new UsageError(`${flag} ${v}: unsupported machine option "${k}"`);
        }
        break;
      }
      case "-cpu": {
        const v = need(++i, flag);
        c.cpu = parseCpu(v);
        break;
      }
      case "-smp": parseSmp(need(++i, flag)); break;
      case "-nodefaults": nodefaults = true; break;
      case "-parallel": {
        const v = need(++i, flag);
        if (v !== "none" && v !== "null") throw new UsageError(`${flag} ${v}: there is no parallel port; only ${flag} none`);
        break;
      }
      case "-monitor": {
        const v = need(++i, flag);
        if (v === "stdio") monitorStdio = true;
        else if (v === "none" || v === "null") monitorStdio = false;
        else throw new UsageError(`-monitor ${v}: the monitor is available on stdio only (-monitor stdio, or -serial mon:stdio)`);
        break;
      }
      default:
        throw new UsageError(`${raw}: unknown or unsupported option (ringzero -help lists the supported ones)`);
    }
  }

  // QEMU: the serial console defaults to the terminal with -nographic, to the
  // (absent) graphical console otherwise; the command line has no window, so the
  // terminal is the console unless -display none or -nodefaults says there is none.
  c.noGraphics = nographic;
  // Deterministic time is the instruction count's: an RTC read from the host's
  // clock would make the run depend on when it ran (QEMU recommends clock=vm there).
  if (rtcClock === "host" && c.icountShift !== undefined) {
    throw new UsageError(`-rtc clock=host|rt: -icount shift=${c.icountShift} is deterministic time, which the RTC follows (clock=vm); use -icount shift=auto for an RTC on the host's clock`);
  }
  c.rtcClock = rtcClock ?? (c.icountShift === undefined ? "host" : "vm");
  c.vga = vgaFlag !== undefined ? vgaFlag === "std" : !nodefaults;
  if (serialGiven) c.serial = serialGiven;
  else if (nographic && !monitorStdio) c.serial = { kind: "stdio", monitor: true }; // QEMU: -nographic multiplexes the monitor
  else if (nographic) c.serial = { kind: "stdio" };
  else if (displayNone || nodefaults) c.serial = { kind: "null" };
  c.muxEscapes = c.serial.kind === "stdio";
  if (monitorStdio && (c.serial.kind === "stdio" || c.debugcon?.kind === "stdio")) {
    throw new UsageError("-monitor stdio: stdio is already used by the serial port or the debug console (use -serial mon:stdio to share it)");
  }
  c.monitor = monitorStdio ? "stdio" : c.serial.kind === "stdio" && c.serial.monitor ? "mux" : null;
  if (c.serial.kind === "stdio" && c.debugcon?.kind === "stdio") {
    throw new UsageError("-debugcon stdio: stdio is already used by the serial port (use file:PATH for one of them)");
  }
  if (c.initrd !== undefined && c.kernel === undefined) throw new UsageError("-initrd is only allowed with -kernel");
  if (c.append !== undefined && c.kernel === undefined) throw new UsageError("-append is only allowed with -kernel");

  // Drives: explicit positions first, then -drive without index= in the next free slot (QEMU).
  const used = new Set<number>();
  for (const d of pendingDrives.filter((d) => d.explicitIndex)) {
    if (used.has(d.index)) throw new UsageError(`drive ${d.path}: IDE position ${d.index} (hd${"abcd"[d.index]}) is already in use`);
    used.add(d.index);
  }
  for (const d of pendingDrives.filter((d) => !d.explicitIndex)) {
    let k = 0;
    while (used.has(k)) k++;
    if (k > 3) throw new UsageError(`drive ${d.path}: all four IDE positions are in use`);
    d.index = k; used.add(k);
  }
  c.drives = pendingDrives
    .map(({ explicitIndex: _, ...d }) => ({ ...d, snapshot: d.snapshot || c.snapshot }))
    .sort((a, b) => a.index - b.index);
  // QEMU's curl driver is read-only: a disk the guest would write to the server is refused.
  for (const d of c.drives) {
    if (!isHttpUrl(d.path)) continue;
    if (d.media === "disk" && !d.readonly && !d.snapshot) {
      throw new UsageError(`drive ${d.path}: an image read over HTTP is read-only: give -drive ...,readonly=on or -snapshot (writes then stay in memory)`);
    }
    // A recording names its images by SHA-256, which would mean downloading the image whole.
    if (c.rr) throw new UsageError(`-icount rr=${c.rr.mode}: an image read over HTTP (${d.path}) is not supported with record/replay`);
  }
  // gdb can change registers and memory, which a recording does not carry.
  if (c.rr && c.incoming !== undefined) throw new UsageError(`-icount rr=${c.rr.mode}: a recording starts at power-on; it cannot start from -incoming`);
  // gdb can change registers and memory, which a recording would not repeat; a
  // replay under gdb is read-only and can run backwards (web/host/reverse.ts).
  if (c.rr?.mode === "record" && c.gdb) throw new UsageError("-icount rr=record: the gdb stub cannot be used while recording (it can change the machine); debug the replay (rr=replay with -s or -gdb)");
  return c;
}

export const USAGE = `usage: ringzero [options] [disk_image]
RingZero: an x86 PC (Core Duo class, i440FX) emulated in WebAssembly. The flags
mean what they mean to qemu-system-i386.

  -m SIZE                RAM in MiB, or with a suffix: 128M, 1G (default 128)
  -bios FILE             system BIOS image (default for disks: SeaBIOS from public/images)
  -kernel FILE           boot a Linux bzImage or a Multiboot kernel directly
  -initrd FILE           Linux initrd; for Multiboot, modules "file args,file2"
  -append TEXT           kernel command line
  -hda/-hdb/-hdc/-hdd FILE, -cdrom FILE, -drive file=F,if=ide,format=raw,index=N,media=disk|cdrom[,readonly=on]
                         FILE may be an http(s):// URL: read on demand through Range
                         requests, read-only (a disk needs readonly=on or -snapshot)
  -boot c|d|order=ORDER  boot from the hard disk (c) or the CD-ROM (d)
  -snapshot              discard what the guest writes to disks
  -nographic             serial console on this terminal (Ctrl-A h: help, Ctrl-A x: quit);
                         SeaBIOS writes its screen there too
  -serial stdio|mon:stdio|file:PATH|none
  -debugcon stdio|file:PATH|none   port 0xE9 output
  -device isa-debug-exit,iobase=0xf4,iosize=0x04   a write of V to port 0xF4 exits with (V<<1)|1
  -no-reboot             exit when the guest resets instead of rebooting
  -no-hpet, -machine pc,hpet=off   no HPET (QEMU's pc has one at 0xFED00000)
  -icount shift=N         deterministic time: 2^N ns of guest time per instruction (0-10),
                         idle time skipped (as QEMU's sleep=off); shift=auto is the default
                         real time, where guest time follows the host's clock
  -icount shift=N|auto,rr=record|replay,rrfile=FILE   record the run's inputs (terminal,
                         host clock, writable disks) to FILE, or replay them: the same
                         output and instruction count; replay takes no input and
                         leaves disk images untouched; a replay under gdb (-s, -gdb) runs
                         backwards too (reverse-stepi, reverse-continue), from checkpoints
                         taken every rrinterval=N instructions (default 2000000)
  -rtc base=utc|localtime|YYYY-MM-DD[THH:MM:SS][,clock=host|rt|vm]   the RTC's time at
                         power-on, and the clock it counts: host (rt is the same here;
                         the default in real time) follows the host's clock across a
                         pause (stop/cont, gdb) or a starved host; vm (the default
                         under -icount shift=N) counts only the machine's running time
  -incoming file:PATH    start from a snapshot the monitor's migrate file:PATH wrote
                         (the other flags must name the same images and settings)
  -cpu MODEL[,+FEAT|-FEAT]...   the CPU, as QEMU's model of that name: pentium2
                         (MMX, PAE), pentium3 (+ SSE), pentium4 (+ SSE2), coreduo
                         (+ SSE3, NX, VME; the default); FEAT is pae, nx, sse, sse2, pni
                         (sse3), vmx (VT-x, docs/VMX.md; off by default), vme
                         (virtual-8086 mode extensions, CR4.VME/PVI), mce or mca
                         (machine checks: CR4.MCE, the MCA MSRs; on in every model)
  -display none, -vga std|none, -accel tcg, -machine pc, -smp 1,
  -nodefaults, -parallel none, -monitor none         accepted (they change nothing here,
                         except that -vga none and -nodefaults without -vga std leave
                         the monitor's screendump no display to save, as in QEMU)

Debugging:
  -gdb tcp::PORT, -gdb tcp:HOST:PORT   wait for gdb's "target remote" on TCP PORT
  -s                     shorthand for -gdb tcp::1234
  -S                     do not start the CPU: wait for gdb's continue or the monitor's cont
  -monitor stdio         the QEMU monitor on this terminal (help lists its commands);
                         with -nographic or -serial mon:stdio, Ctrl-A c switches
                         between the serial console and the monitor
  ringzero gdb-bridge [--port 1234] [--ws-port 1235]
                         gdb for the machine in a browser tab: relays gdb's
                         "target remote :PORT" to the page whose inspector clicked
                         "Connect gdb bridge" (ws://localhost:WS-PORT)

With no -kernel, -bios or disk, boots the RingZero Linux guest from public/images
(build it with npm run guest).

Hot 32-bit guest code is translated to WebAssembly; RINGZERO_TRANSLATE=off in the
environment interprets every instruction instead (RINGZERO_TRANSLATE=N translates
a block after N executions); RINGZERO_COMPILE=thread translates and compiles them in
a worker thread instead of the machine's.
`;
