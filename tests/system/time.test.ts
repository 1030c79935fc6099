// Guest time on the command line (issue: time that keeps real time): the default
// Linux guest boots with one busy core beside it (a laptop doing other work), and
// its clock must follow the host's: the date at boot is the host's, uptime
// advances with the wall clock, `sleep 5` takes five seconds, and the kernel keeps
// the TSC as its clocksource (its watchdog compares it with the PIT; asm/clock.ts
// derives both from one clock).

import { spawn } from "node:child_process";
import { beforeAll, test, expect } from "vitest";
import { prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";

const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 60_000;

let manifest: Manifest;

beforeAll(() => { manifest = prepareRingZero(); }, 600_000);

test("with a busy core beside it, the guest's clock follows the wall clock and keeps the TSC", async () => {
  const hog = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
  const vm = ringzeroGuest(manifest, ["-m", "128", "-nographic", "-no-reboot"], COMMAND_TIMEOUT_MS);
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS);

    // The RTC starts at the host's time of day (QEMU's -rtc base=utc).
    const tEnter = Date.now() / 1000;
    let r = await vm.run("date +%s", at);
    at = r.next;
    // Within a second of the host's time while the command ran (date +%s truncates).
    expect(Number(r.output.trim())).toBeGreaterThanOrEqual(Math.floor(tEnter) - 1);
    expect(Number(r.output.trim())).toBeLessThanOrEqual(Date.now() / 1000 + 1);

    const uptime = async () => {
      const u = await vm.run("cat /proc/uptime", at);
      at = u.next;
      return { guest: Number(u.output.trim().split(/\s+/)[0]), wall: Date.now() / 1000 };
    };
    const u1 = await uptime();

    const t0 = Date.now();
    r = await vm.run("sleep 5", at);
    at = r.next;
    const slept = (Date.now() - t0) / 1000;
    expect(slept).toBeGreaterThan(4.9);
    expect(slept).toBeLessThan(5.5);

    await new Promise((res) => setTimeout(res, 10_000));
    const u2 = await uptime();
    const ratio = (u2.guest - u1.guest) / (u2.wall - u1.wall);
    console.log(`guest uptime advanced ${(u2.guest - u1.guest).toFixed(2)} s in ${(u2.wall - u1.wall).toFixed(2)} s of wall time (ratio ${ratio.toFixed(3)}); sleep 5 took ${slept.toFixed(2)} s`);
    expect(ratio).toBeGreaterThan(0.9);
    expect(ratio).toBeLessThan(1.1);

    r = await vm.run("cat /sys/devices/system/clocksource/clocksource0/current_clocksource", at);
    at = r.next;
    expect(r.output.trim()).toBe("tsc");
    // The PM timer (ACPI tables of direct boot) is the watchdog that checks the TSC.
    r = await vm.run("cat /sys/devices/system/clocksource/clocksource0/available_clocksource", at);
    at = r.next;
    expect(r.output.split(/\s+/)).toContain("acpi_pm");
    r = await vm.run("dmesg | grep -c -i unstable", at);
    at = r.next;
    expect(r.output.trim()).toBe("0");
    expect(await vm.leave("\x01x")).toBe(0);
  } finally {
    vm.kill();
    hog.kill("SIGKILL");
  }
}, BOOT_TIMEOUT_MS + 180_000);
