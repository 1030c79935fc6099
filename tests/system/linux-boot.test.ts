// RingZero boots its Linux guest (public/images, built by npm run guest) through
// the ringzero command line, with no -kernel: the default guest, direct kernel
// boot. It types into the shell on COM1 the same commands that
// tests/system/qemu-guest.test.ts types under qemu-system-i386.

import { join } from "node:path";
import { beforeAll, test, expect } from "vitest";
import { IMAGES, prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";

const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 60_000;

let manifest: Manifest;

beforeAll(() => { manifest = prepareRingZero(); }, 600_000);

const ringzero = (args: string[]) => ringzeroGuest(manifest, args, COMMAND_TIMEOUT_MS);

test("the default Linux guest boots to its shell and answers", async () => {
  const vm = ringzero(["-m", "128", "-nographic", "-no-reboot"]);
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS);
    const uname = await vm.run("uname -a", at);
    expect(uname.output).toMatch(/ i686 /);
    expect(uname.output).toMatch(new RegExp(`^Linux ringzero ${manifest.kernelVersion.replace(/\./g, "\\.")} `));
    at = uname.next;
    const sum = await vm.run("echo $((6*7))", at);
    expect(sum.output.trim()).toBe("42");
    // ACPI power-off (direct boot's tables, asm/dev/acpipm.ts): the run ends with status 0.
    expect(await vm.leave("poweroff -f\r")).toBe(0);
  } finally {
    vm.kill();
  }
}, BOOT_TIMEOUT_MS + 120_000);

test("with its crypto self-tests on, the kernel finds every algorithm it tests correct", async () => {
  // The default command line skips them (cryptomgr.notests, for boot time); run
  // here, they check AES, SHA, CRC and the rest against known answers, computed
  // by the kernel's code on this CPU (crypto/testmgr.c). A failure is logged as
  // "alg: ... failed"; with the tests off the kernel says "alg: self-tests disabled".
  const append = manifest.cmdline.split(" ").filter((w) => w !== "cryptomgr.notests").join(" ");
  const vm = ringzero(["-m", "128", "-nographic", "-no-reboot", "-kernel", join(IMAGES, "bzImage"),
    "-initrd", join(IMAGES, "initrd.img"), "-append", append]);
  try {
    const at = await vm.waitForShell(BOOT_TIMEOUT_MS);
    const cmdline = await vm.run("cat /proc/cmdline", at);
    expect(cmdline.output.trim()).toBe(append);
    const log = vm.transcript.slice(0, at);
    expect(log).toMatch(/Linux version /);
    expect(log).not.toMatch(/alg: self-tests disabled/);
    expect(log.match(/^.*alg: .*fail.*$/gim) ?? []).toEqual([]);
    expect(await vm.leave("\x01x")).toBe(0);
  } finally {
    vm.kill();
  }
}, BOOT_TIMEOUT_MS + 120_000);

test("SeaBIOS boots the guest's CD-ROM through ISOLINUX to the same shell", async () => {
  // Firmware boot: Debian's SeaBIOS (the default BIOS when disks are given), the
  // ATAPI CD-ROM on the secondary IDE channel, El Torito no-emulation boot.
  const vm = ringzero(["-m", "128", "-nographic", "-no-reboot", "-cdrom", join(IMAGES, "cdrom.iso"), "-boot", "d"]);
  try {
    const isolinux = await vm.waitFor("ISOLINUX", 0, BOOT_TIMEOUT_MS);
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS, isolinux, "CD boot shell");
    const cmdline = await vm.run("cat /proc/cmdline", at);
    expect(cmdline.output).toMatch(/^BOOT_IMAGE=\/boot\/vmlinuz /);
    at = cmdline.next;
    const machine = await vm.run("uname -m", at);
    expect(machine.output.trim()).toBe("i686");
    expect(await vm.leave("\x01x")).toBe(0);
  } finally {
    vm.kill();
  }
}, 2 * BOOT_TIMEOUT_MS);
