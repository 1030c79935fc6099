// Boot configuration from the URL (a demo is a link) or from files the user picked.
//   ?kernel=URL&initrd=URL&append=TEXT   direct Linux (or multiboot) boot
//   ?cdrom=URL[&boot=d]  ?hda=URL[&boot=c]  firmware boot through SeaBIOS
//   ?mem=MiB
//   ?cpu=MODEL[,+FEAT|-FEAT]...   as QEMU's -cpu: pentium2, pentium3, pentium4,
//             coreduo (the default); e.g. ?cpu=coreduo,%2Bvmx for VT-x (a "+" must
//             be written %2B in a URL)
//   ?record   record the session from power-on (the Record button saves it)
//   ?state=URL  start from a saved state (.rzstate) of the machine the other parameters name
//   ?boot=fresh  the default guest boots from power-on instead of starting
//             from its snapshot at the prompt (web/ui/main.ts, instant boot)
//   ?demo=NAME  a demo: the default guest on the CPU the demo needs, booted
//             fresh, and a command typed at its first prompt; or a lab, its own
//             disk image stopped at each event it is there to show (DEMOS below)
// URLs are http(s) or relative to the page. A cdrom or hda URL is not downloaded
// first: the worker reads it in 64 KiB blocks through HTTP Range requests as the
// guest asks (web/host/httpdisk.ts; the status bar counts what was fetched), so a
// large ISO boots at once. A server without Range support gets it downloaded whole,
// and the page says so. A server on another origin must answer with CORS headers
// (allow the Range header, expose Content-Range). With a kernel, the cdrom and
// hda are there for Linux to find (no firmware). The hda is read-only
// underneath: the guest's writes go to an overlay that this browser keeps
// (IndexedDB, web/store.ts) by the image's SHA-256, or its URL. Recording or
// replaying downloads images whole (a recording names them by SHA-256).
import type { BootConfig } from "../protocol";
import { CpuSpecError, cpuName, parseCpuSpec } from "../host/cpumodel";
import type { EventKind } from "../host/events";

const IMAGES = "/images/";

/** public/images/manifest.json (tools/guest/build.mjs, snapshot.mjs): what the page uses of it. */
interface Manifest { cmdline: string; prompt?: string; snapshot?: string; clockAgent?: string }

/** The default guest: its configuration, and the snapshot of it at its prompt
 *  when `npm run guest` made one (the page starts from it: instant boot). */
export interface DefaultGuest {
  config: BootConfig;
  /** URL of the snapshot (made with exactly `config`). */
  snapshot?: string;
  /** Its shell prompt, shown after starting from the snapshot (which has no thumbnail). */
  prompt: string;
}

/** The configuration as the page starts it: a direct kernel boot gets the VGA
 *  BIOS's font (BootConfig.textFont), as on the command line. */
export function withTextFont(c: BootConfig): BootConfig {
  return c.kernel && !c.vgabios ? { ...c, textFont: { url: IMAGES + "vgabios.bin" } } : c;
}

export async function defaultGuest(): Promise<DefaultGuest> {
  let m: Manifest = { cmdline: "console=ttyS0" };
  try {
    const res = await fetch(IMAGES + "manifest.json");
    if (res.ok) m = (await res.json()) as Manifest;
  } catch { /* keep the fallback command line */ }
  const config: BootConfig = {
    ramMB: 128,
    kernel: { url: IMAGES + "bzImage" },
    initrd: { url: IMAGES + "initrd.img" },
    append: m.cmdline,
  };
  if (m.clockAgent === "ttyS1") config.clockAgent = "ttyS1";
  return { config, snapshot: m.snapshot ? IMAGES + m.snapshot : undefined, prompt: m.prompt ?? "" };
}

export async function defaultConfig(): Promise<BootConfig> {
  return (await defaultGuest()).config;
}

function memFrom(v: string | null): number {
  if (v === null) return 128;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 16 || n > 2048) throw new Error(`mem=${v} is not a memory size in MiB from 16 to 2048.`);
  return n;
}

/** ?cpu=, checked now so that a wrong one is the page's error line; the text
 *  as -cpu would write it. A "+" that arrived as a space (an unescaped + in a
 *  query string) is taken as "+". */
function cpuFrom(v: string | null): string | undefined {
  if (v === null) return undefined;
  try {
    return cpuName(parseCpuSpec(v.replace(/ /g, "+")));
  } catch (e) {
    if (e instanceof CpuSpecError) throw new Error(`cpu=${e.message}.`);
    throw e;
  }
}

/** ?compile=: "thread" translates and compiles hot blocks in a worker of
 *  their own (BootConfig.compile), "here" (the default) on the machine's. */
export function compileFrom(v: string | null): Pick<BootConfig, "compile"> {
  if (v === null || v === "here") return {};
  if (v === "thread") return { compile: "thread" };
  throw new Error(`compile=${v} is not "thread" or "here".`);
}

/** null when the URL names no image (boot the default guest). Image URLs are
 *  made absolute against `base` (the page), since the worker would resolve them
 *  against its own script's URL. */
export function configFromUrl(q: URLSearchParams, base: string = location.href): BootConfig | null {
  const url = (u: string) => ({ url: new URL(u, base).href });
  const ramMB = memFrom(q.get("mem"));
  const cpu = cpuFrom(q.get("cpu"));
  const c: BootConfig = cpu ? { ramMB, cpu } : { ramMB };
  const kernel = q.get("kernel"), initrd = q.get("initrd"), cdrom = q.get("cdrom"), hda = q.get("hda");
  if (!kernel && !cdrom && !hda) {
    // Another memory size or CPU than the default guest's snapshot: boot it.
    if (q.has("mem") || cpu) return { ...c, kernel: { url: IMAGES + "bzImage" }, initrd: { url: IMAGES + "initrd.img" }, append: q.get("append") ?? "console=ttyS0" };
    return null;
  }
  if (kernel) c.kernel = url(kernel);
  if (initrd) c.initrd = url(initrd);
  if (q.has("append")) c.append = q.get("append") ?? "";
  if (cdrom) c.cdrom = url(cdrom);
  if (hda) c.hda = url(hda);
  if ((cdrom || hda) && !kernel) {
    c.bios = { url: IMAGES + "bios.bin" };
    c.vgabios = { url: IMAGES + "vgabios.bin" };
    const boot = q.get("boot");
    c.boot = boot === "c" || boot === "d" ? boot : cdrom ? "d" : "c";
  }
  return c;
}

export async function configFromFiles(files: Record<string, File>, append: string, ramMB: number): Promise<BootConfig> {
  const c: BootConfig = { ramMB };
  for (const [role, f] of Object.entries(files)) {
    if (role !== "kernel" && role !== "initrd" && role !== "cdrom" && role !== "hda") continue;
    c[role] = { name: f.name, bytes: await f.arrayBuffer() };
  }
  if (!c.kernel && !c.cdrom && !c.hda) throw new Error("Pick a kernel, a CD-ROM image or a hard-disk image to boot.");
  if (c.kernel) c.append = append || "console=ttyS0";
  if ((c.cdrom || c.hda) && !c.kernel) {
    c.bios = { url: IMAGES + "bios.bin" };
    c.vgabios = { url: IMAGES + "vgabios.bin" };
    c.boot = c.cdrom ? "d" : "c";
  }
  return c;
}

/** The demos ?demo= names: most are the default guest booted fresh, with the
 *  CPU a demo needs, kernel parameters it adds, the command typed at the first
 *  serial prompt, and whether the page shows the VGA screen rather than the
 *  serial console; a lab boots its own disk image through SeaBIOS and stops
 *  where the inspector has something to show. */
interface DemoSpec {
  cpu?: string;
  /** The kernel command line from the default guest's. */
  append?: (cmdline: string) => string;
  command?: string;
  screen?: boolean;
  /** Instead of the default guest: this image in images/ as the hard disk, booted by SeaBIOS. */
  hda?: string;
  lab?: LabStops;
}

/** A lab: the machine starts paused with the inspector open and a breakpoint at
 *  `breakAt`; once it stops there, it also stops on each event of `stops`
 *  (teaching breakpoints, web/host/events.ts), and F8 goes on to the next. */
export interface LabStops { breakAt: number; stops: EventKind[] }

const DEMOS: Record<string, DemoSpec> = {
  // A hypervisor inside: Linux's kvm_intel and the guest's kvm-hello, which runs
  // a nested guest and prints each exit (tools/guest/kvm-hello/, docs/VMX.md).
  // With EPT, VPID and unrestricted guest, as a hypervisor finds VT-x on any
  // processor since Westmere; ?cpu=coreduo,+vmx shows kvm_intel's shadow paging.
  kvm: { cpu: "coreduo,+vmx,+vmx-ept,+vmx-vpid,+vmx-unrestricted-guest", command: "modprobe kvm_intel && kvm-hello -v" },
  // Linux's framebuffer console at 1024x768x32 (vga=0x344: VESA mode 144h, set by
  // the host as a boot loader's setup would, web/host/vbe.ts; vesafb and fbcon
  // draw it). The kernel log goes to the screen too (console=tty0 before the
  // serial console, which stays /dev/console), and the guest's /init starts a
  // shell on tty1, where the keyboard typed on the screen goes.
  fb: { append: (cmdline) => `console=tty0 ${cmdline} vga=0x344`, screen: true },
  // The lab bench: tools/guest/lab/lab.asm, a boot sector and a small kernel that
  // go from real mode to protected mode, paging, a task switch, timer interrupts
  // and ring 3 with a system call, a #PF and a #GP. It stops at the boot sector
  // (SeaBIOS's own mode switches come before it), then at each of those events.
  lab: { hda: "lab.img", lab: { breakAt: 0x7c00, stops: ["mode", "cr3", "task", "interrupt", "ring", "exception"] } },
  // VGA mode 13h: tools/guest/paint/paint.asm, a boot sector that paints where
  // the arrow keys (typed on the screen, read through the BIOS) move its brush.
  paint: { hda: "paint.img", screen: true },
};

export interface Demo { config: BootConfig; command?: string; prompt: string; screen: boolean; lab?: LabStops }

/** ?demo=NAME, or null without one; an unknown name is an error naming the demos. */
export async function demoFromUrl(q: URLSearchParams): Promise<Demo | null> {
  const name = q.get("demo");
  if (name === null) return null;
  const demo = DEMOS[name];
  if (!demo) throw new Error(`demo=${name} is not a demo (RingZero has: ${Object.keys(DEMOS).join(", ")}).`);
  if (demo.hda) {
    const config: BootConfig = {
      ramMB: 32, hda: { url: IMAGES + demo.hda }, boot: "c",
      bios: { url: IMAGES + "bios.bin" }, vgabios: { url: IMAGES + "vgabios.bin" },
    };
    if (demo.lab) config.paused = true;
    return { config, prompt: "", screen: demo.screen ?? false, lab: demo.lab };
  }
  const guest = await defaultGuest();
  const config: BootConfig = { ...guest.config };
  if (demo.cpu) config.cpu = demo.cpu;
  if (demo.append) config.append = demo.append(guest.config.append ?? "");
  return { config, command: demo.command, prompt: guest.prompt, screen: demo.screen ?? false };
}
