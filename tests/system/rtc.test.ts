// -rtc clock=host and clock=vm with the default Linux guest: the time its
// rtc-cmos driver reads from the MC146818 (/sys/class/rtc/rtc0/time, what
// hwclock shows) before and after the monitor stops the machine for 10 s, under
// RingZero and qemu-system-i386 with the same flags. QEMU's man page (-rtc):
// clock=host follows the host's time, clock=vm does not progress while the
// machine is stopped. The RTC reads whole seconds, so each figure is "host time
// minus the RTC's" to within a second, plus the command's round trip.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, test, expect } from "vitest";
import { IMAGES, SerialGuest, prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";

const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 60_000;
const STOPPED_MS = 10_000;

let manifest: Manifest;

beforeAll(() => {
  manifest = prepareRingZero();
  if (spawnSync("qemu-system-i386", ["--version"]).status !== 0) throw new Error("qemu-system-i386 not found: install the Debian package qemu-system-x86");
}, 600_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The guest under `which` with -rtc clock=`clock`: how far the host's UTC
 *  time is ahead of the guest's RTC before the stop, and after it. */
async function acrossStop(which: "ringzero" | "qemu", clock: "host" | "vm"): Promise<{ before: number; after: number }> {
  const args = ["-m", "128", "-nographic", "-no-reboot", "-rtc", `clock=${clock}`];
  const g = which === "ringzero" ? ringzeroGuest(manifest, args, COMMAND_TIMEOUT_MS)
    : new SerialGuest("qemu", "qemu-system-i386", ["-accel", "tcg", ...args, "-kernel", join(IMAGES, "bzImage"),
      "-initrd", join(IMAGES, "initrd.img"), "-append", manifest.cmdline], manifest, COMMAND_TIMEOUT_MS);
  const behind = async (from: number) => {
    const r = await g.run("cat /sys/class/rtc/rtc0/time", from);
    const host = (Date.now() / 1000) % 86400;
    const [h, m, s] = r.output.trim().split(":").map(Number);
    return ((host - (h * 3600 + m * 60 + s)) + 86400 * 1.5) % 86400 - 86400 / 2;
  };
  try {
    const at = await g.waitForShell(BOOT_TIMEOUT_MS);
    const before = await behind(at);
    // -nographic: Ctrl-A c switches the terminal to the monitor and back.
    g.proc.stdin.write("\x01c");
    await g.waitFor("(qemu) ", 0, COMMAND_TIMEOUT_MS);
    g.proc.stdin.write("stop\r");
    await sleep(STOPPED_MS);
    g.proc.stdin.write("cont\r");
    await sleep(500);
    g.proc.stdin.write("\x01c");
    await sleep(3000);   // RingZero's guest time catches up the last second it dropped
    const after = await behind(g.transcript.length);
    console.log(`${which} -rtc clock=${clock}: host time minus the guest's RTC ${before.toFixed(2)} s, after a ${STOPPED_MS / 1000} s stop ${after.toFixed(2)} s`);
    return { before, after };
  } finally {
    g.kill();
  }
}

test("clock=host: after a 10 s stop Linux reads the host's time from the RTC; clock=vm: 10 s behind, as under qemu", async () => {
  for (const which of ["ringzero", "qemu"] as const) {
    const host = await acrossStop(which, "host");
    expect(host.before, which).toBeLessThan(2.5);
    expect(host.after, which).toBeLessThan(2.5);
    expect(host.after, which).toBeGreaterThan(-1);
    const vm = await acrossStop(which, "vm");
    // RingZero's virtual clock catches up 1 s of the stop (asm/clock.ts), QEMU's
    // none. No upper bound: on a loaded host RingZero's guest time drops more
    // (each lag over 1 s), which clock=vm's RTC loses too (one run at load
    // average 4: 14 s behind after the boot, 12.5 s more across the stop).
    expect(vm.after - vm.before, which).toBeGreaterThan(STOPPED_MS / 1000 - 2);
  }
}, 900_000);
