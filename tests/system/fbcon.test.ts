// Linux on a graphical framebuffer console: the default guest booted with
// vga=0x344 (VESA mode 144h, 1024x768x32; web/host/vbe.ts sets it as the real-mode
// setup would) and console=tty0 beside the serial console, as the page's ?demo=fb.
// The expected kernel log lines are qemu-system-i386 7.2's for the same kernel,
// initrd and command line (-m 128; SeaBIOS 1.16.2's VGA BIOS set the mode there):
// vesafb takes the VESA framebuffer that sysfb registers from screen_info, and
// fbcon switches the console to it at 128x48 characters (8x16 font).

import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, test, expect } from "vitest";
import { IMAGES, prepareRingZero, ringzeroGuest, type Manifest, type SerialGuest } from "./serial-guest";

const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 60_000;

let manifest: Manifest;
beforeAll(() => { manifest = prepareRingZero(); }, 600_000);

// qemu-system-i386 -m 128 -kernel bzImage -initrd initrd.img -append "console=tty0 <cmdline> vga=0x344"
/** A screendump (PPM, as QEMU writes it) taken at the monitor (Ctrl-A c), after `at`. */
async function screendump(vm: SerialGuest, at: number, file: string): Promise<{ width: number; height: number; px: Buffer; at: number }> {
  vm.proc.stdin.write("\x01c");
  at = await vm.waitFor("(qemu) ", at, COMMAND_TIMEOUT_MS);
  vm.proc.stdin.write(`screendump ${file}\r`);
  at = await vm.waitFor("(qemu) ", at, COMMAND_TIMEOUT_MS);
  const ppm = readFileSync(file);
  const m = /^P6\n(\d+) (\d+)\n255\n/.exec(ppm.subarray(0, 32).toString("latin1"));
  if (!m) throw new Error("screendump did not write a P6 PPM");
  return { width: Number(m[1]), height: Number(m[2]), px: ppm.subarray(m[0].length), at };
}

/** The default guest on the framebuffer console in VESA mode `vga` (with a temporary folder for screendumps). */
function framebufferGuest(vga: string): { vm: SerialGuest; dir: string; kernelLog: () => string[] } {
  const vm = ringzeroGuest(manifest, ["-m", "128", "-nographic", "-no-reboot",
    "-kernel", join(IMAGES, "bzImage"), "-initrd", join(IMAGES, "initrd.img"),
    "-append", `console=tty0 ${manifest.cmdline} vga=${vga}`], COMMAND_TIMEOUT_MS);
  const kernelLog = () => vm.transcript.split(/\r?\n/).map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ""));
  return { vm, dir: mkdtempSync(join(tmpdir(), `fbcon-${vga}-`)), kernelLog };
}

/** A screendump of width x height with text lit on black: a few percent of the
 *  screen, which a blank or garbage screen would not give. */
function expectTextOnScreen(shot: { width: number; height: number; px: Buffer }, width: number, height: number): void {
  expect([shot.width, shot.height, shot.px.length]).toEqual([width, height, width * height * 3]);
  let lit = 0;
  for (let i = 0; i < shot.px.length; i += 3) if (shot.px[i] | shot.px[i + 1] | shot.px[i + 2]) lit++;
  expect(lit).toBeGreaterThan(1000);
  expect(lit).toBeLessThan(width * height / 4);
}

const QEMU_LOG = [
  "pci 0000:00:02.0: BAR 0 [mem 0xfd000000-0xfdffffff pref]",
  "pci 0000:00:02.0: BAR 2 [mem 0xfebf0000-0xfebf0fff]",
  "pci 0000:00:02.0: vgaarb: setting as boot VGA device",
  "vesafb: mode is 1024x768x32, linelength=4096, pages=4",
  "vesafb: scrolling: redraw",
  "vesafb: Truecolor: size=8:8:8:8, shift=24:16:8:0",
  "vesafb: framebuffer at 0xfd000000, mapped to 0x(ptrval), using 6144k, total 16384k",
  "Console: switching to colour frame buffer device 128x48",
  "fb0: VESA VGA frame buffer device",
];

test("vga=0x344: vesafb drives the std VGA at 1024x768x32, fbcon draws the console, a shell runs on tty1", async () => {
  const { vm, dir, kernelLog } = framebufferGuest("0x344");
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS, 0, "framebuffer guest shell");
    for (const line of QEMU_LOG) expect(kernelLog(), line).toContain(line);
    const run = async (c: string) => { const r = await vm.run(c, at); at = r.next; return r.output.replace(/\r\n/g, "\n"); };

    // (Commands stay within one 80-column line: the echo is how run() finds the output.)
    expect(await run("cd /sys/class/graphics/fb0; cat name virtual_size bits_per_pixel; cd /")).toBe("VESA VGA\n1024,768\n32\n");
    // The console is on the framebuffer (fbcon bound to the VTs), the serial line stays /dev/console.
    expect(await run("cat /sys/class/vtconsole/vtcon1/name")).toMatch(/frame buffer device/);
    // /init's second shell: the one process whose controlling terminal is tty1
    // (/proc/PID/stat field 7, tty_nr: major 4, minor 1 = 1025) is a sh.
    expect(await run("cut -d' ' -f2,7 /proc/[0-9]*/stat | grep ' 1025$'")).toBe("(sh) 1025\n");

    // The picture the std VGA scans out (the monitor's screendump, a PPM as QEMU
    // writes it): 1024x768, with the console's text lit on black.
    expectTextOnScreen(await screendump(vm, at, join(dir, "screen.ppm")), 1024, 768);
    vm.proc.stdin.write("quit\r");
    expect(await Promise.race([vm.exited, new Promise((r) => setTimeout(() => r("timeout"), COMMAND_TIMEOUT_MS))])).toBe(0);
  } finally {
    vm.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}, BOOT_TIMEOUT_MS + 8 * COMMAND_TIMEOUT_MS);

// The largest mode the std VGA's BIOS has at 32 bits that vesafb is asked for
// (VESA mode 145h); the log lines are qemu-system-i386 7.2's for the same
// kernel, initrd and command line. The boot is watched only until fbcon has
// the framebuffer.
const QEMU_LOG_1280 = [
  "vesafb: mode is 1280x1024x32, linelength=5120, pages=2",
  "vesafb: Truecolor: size=8:8:8:8, shift=24:16:8:0",
  "vesafb: framebuffer at 0xfd000000, mapped to 0x(ptrval), using 10240k, total 16384k",
  "Console: switching to colour frame buffer device 160x64",
  "fb0: VESA VGA frame buffer device",
];

test("vga=0x345: vesafb at 1280x1024x32, fbcon draws the kernel log on it", async () => {
  const { vm, dir, kernelLog } = framebufferGuest("0x345");
  try {
    let at = await vm.waitFor("fb0: VESA VGA frame buffer device", 0, BOOT_TIMEOUT_MS);
    at = await vm.waitFor("\n", at, COMMAND_TIMEOUT_MS);
    for (const line of QEMU_LOG_1280) expect(kernelLog(), line).toContain(line);
    // The kernel log's text (the penguin logo too, if drawn).
    expectTextOnScreen(await screendump(vm, at, join(dir, "screen.ppm")), 1280, 1024);
    vm.proc.stdin.write("quit\r");
  } finally {
    vm.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}, BOOT_TIMEOUT_MS + 4 * COMMAND_TIMEOUT_MS);

// Linux's bochs DRM driver (drivers/gpu/drm/tiny/bochs.c, shipped in the
// initramfs, loaded by hand) on the std VGA: the DISPI registers through BAR2
// (0x500 + 2i), QEMU's extended registers at 0x600. The log lines are
// qemu-system-i386 7.2's for the same kernel, initrd and `modprobe bochs`.
// Both std VGAs offer an EDID block at BAR2's start (asm/dev/vga.ts); the
// driver reads it and takes its preferred mode, 1280x800 under qemu (its
// default), and the modes the block lists.
const QEMU_BOCHS_LOG = [
  "[drm] Found bochs VGA, ID 0xb0c5.",
  "[drm] Found EDID data blob.",
  "[drm] Initialized bochs-drm 1.0.0 20130925 for 0000:00:02.0 on minor 0",
  "fbcon: bochs-drmdrmfb (fb0) is primary device",
  "bochs-drm 0000:00:02.0: [drm] fb0: bochs-drmdrmfb frame buffer device",
];

test("modprobe bochs: the bochs DRM driver takes the std VGA, as under qemu -vga std", async () => {
  const vm = ringzeroGuest(manifest, ["-m", "128", "-nographic", "-no-reboot"], COMMAND_TIMEOUT_MS);
  const dir = mkdtempSync(join(tmpdir(), "bochs-"));
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS);
    const run = async (c: string) => { const r = await vm.run(c, at); at = r.next; return r.output.replace(/\r\n/g, "\n"); };
    expect(await run("modprobe bochs && echo loaded")).toMatch(/loaded\n$/);
    // Without the timestamps (run() drops lines that start with one as kernel messages).
    const log = (await run("dmesg | grep -e drm -e fb0 | cut -d] -f2-")).split("\n").map((l) => l.trim());
    for (const line of QEMU_BOCHS_LOG) expect(log, line).toContain(line);
    expect(await run("cat /sys/class/graphics/fb0/name /sys/class/graphics/fb0/virtual_size")).toBe("bochs-drmdrmfb\n1280,800\n");
    // The connector's modes, from the EDID: the detailed timing first (preferred),
    // then the established timings (E-EDID 1.4 bytes 35-36: 1024x768, 800x600, 640x480 at 60 Hz).
    const modes = (await run("cat /sys/class/drm/card0-*/modes")).trim().split("\n");
    expect(modes[0]).toBe("1280x800");
    expect(modes).toEqual(expect.arrayContaining(["1024x768", "800x600", "640x480"]));
    expect(await run("ls /dev/dri")).toBe("card0\n");
    // What the VGA scans out now: the driver's mode, with text written to the
    // VT that fbcon draws (no shell runs there: there was no fb0 at boot).
    expect(await run("echo on-the-framebuffer > /dev/tty1; echo ok")).toBe("ok\n");
    const shot = await screendump(vm, at, join(dir, "bochs.ppm"));
    expect([shot.width, shot.height]).toEqual([1280, 800]);
    let lit = 0;
    for (let i = 0; i < shot.px.length; i += 3) if (shot.px[i] | shot.px[i + 1] | shot.px[i + 2]) lit++;
    // 18 characters of an 8x16 font (about 20-40 lit pixels each) on black.
    expect(lit).toBeGreaterThan(200);
    expect(lit).toBeLessThan(18 * 8 * 16);
    vm.proc.stdin.write("quit\r");
  } finally {
    vm.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}, BOOT_TIMEOUT_MS + 6 * COMMAND_TIMEOUT_MS);

// Memtest86+ (public/images/memtest.bin, Debian's memtest86+ia32.bin) speaks the
// Linux boot protocol too, and with a VESA framebuffer in screen_info it draws its
// 80x25 screen (8x16 characters: 640x400) centred on it, white on blue; its serial
// console (console=ttyS0) mirrors the screen, so the test knows when it is testing.
// (Under QEMU's -kernel, memtest's own real-mode setup runs and ignores vid_mode, so
// it stays in VGA text mode there: no reference picture. Here the mode is set
// before the 32-bit entry, as GRUB's gfxpayload does for a 32-bit boot.)
test("Memtest86+ booted directly with vga=0x344 draws its screen on the framebuffer", async () => {
  const vm = ringzeroGuest(manifest, ["-m", "128", "-nographic", "-no-reboot",
    "-kernel", join(IMAGES, "memtest.bin"), "-append", "vga=0x344 console=ttyS0,115200"], COMMAND_TIMEOUT_MS);
  const dir = mkdtempSync(join(tmpdir(), "memtest-"));
  try {
    let at = await vm.waitFor("Status: Testing", 0, BOOT_TIMEOUT_MS);
    const shot = await screendump(vm, at, join(dir, "memtest.ppm"));
    at = shot.at;
    expect([shot.width, shot.height]).toEqual([1024, 768]);
    const rgb = (x: number, y: number) => { const i = (y * 1024 + x) * 3; return (shot.px[i] << 16) | (shot.px[i + 1] << 8) | shot.px[i + 2]; };
    const x0 = (1024 - 640) / 2, y0 = (768 - 400) / 2;
    // Outside its 640x400: black; inside, in the empty lower half of its screen: its blue.
    expect([rgb(x0 - 1, y0 + 200), rgb(x0 + 640, y0 + 200), rgb(x0 + 300, y0 - 1), rgb(x0 + 300, y0 + 400)]).toEqual([0, 0, 0, 0]);
    const blue = rgb(x0 + 300, y0 + 260);
    expect(blue & 0xffff00).toBe(0);
    expect(blue & 0xff).toBeGreaterThan(0x80);
    vm.proc.stdin.write("quit\r");
  } finally {
    vm.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}, BOOT_TIMEOUT_MS + 4 * COMMAND_TIMEOUT_MS);
