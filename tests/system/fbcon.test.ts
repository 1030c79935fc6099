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
import { IMAGES, prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";

const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 60_000;

let manifest: Manifest;
beforeAll(() => { manifest = prepareRingZero(); }, 600_000);

// qemu-system-i386 -m 128 -kernel bzImage -initrd initrd.img -append "console=tty0 <cmdline> vga=0x344"
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
  const vm = ringzeroGuest(manifest, ["-m", "128", "-nographic", "-no-reboot",
    "-kernel", join(IMAGES, "bzImage"), "-initrd", join(IMAGES, "initrd.img"),
    "-append", `console=tty0 ${manifest.cmdline} vga=0x344`], COMMAND_TIMEOUT_MS);
  const dir = mkdtempSync(join(tmpdir(), "fbcon-"));
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS, 0, "framebuffer guest shell");
    const log = vm.transcript.split(/\r?\n/).map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ""));
    for (const line of QEMU_LOG) expect(log, line).toContain(line);
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
    vm.proc.stdin.write("\x01c");
    at = await vm.waitFor("(qemu) ", at, COMMAND_TIMEOUT_MS);
    vm.proc.stdin.write(`screendump ${join(dir, "screen.ppm")}\r`);
    at = await vm.waitFor("(qemu) ", at, COMMAND_TIMEOUT_MS);
    const ppm = readFileSync(join(dir, "screen.ppm"));
    const header = "P6\n1024 768\n255\n";
    expect(ppm.subarray(0, header.length).toString("latin1")).toBe(header);
    const px = ppm.subarray(header.length);
    expect(px.length).toBe(1024 * 768 * 3);
    let lit = 0;
    for (let i = 0; i < px.length; i += 3) if (px[i] | px[i + 1] | px[i + 2]) lit++;
    // Text covers a few percent of the screen; a blank or garbage screen would not.
    expect(lit).toBeGreaterThan(1000);
    expect(lit).toBeLessThan(1024 * 768 / 4);
    vm.proc.stdin.write("quit\r");
    expect(await Promise.race([vm.exited, new Promise((r) => setTimeout(() => r("timeout"), COMMAND_TIMEOUT_MS))])).toBe(0);
  } finally {
    vm.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}, BOOT_TIMEOUT_MS + 8 * COMMAND_TIMEOUT_MS);
