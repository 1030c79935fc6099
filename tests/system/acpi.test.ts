// ACPI and the HPET seen by the default Linux guest (direct kernel boot, the
// host's tables in web/host/acpi.ts): the HPET as clockevent/clocksource, the SCI
// on IRQ 9 in APIC mode, `reboot` (the keyboard controller's reset line, and
// 0xCF9 with reboot=pci) booting the kernel again, `poweroff` ending the run
// with status 0, and the monitor's system_powerdown pressing the ACPI power
// button, which Linux's button driver reports and busybox acpid acts on.

import { readFileSync, writeFileSync, mkdtempSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, test, expect } from "vitest";
import { IMAGES, ROOT, prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";

const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 60_000;

let manifest: Manifest;
beforeAll(() => { manifest = prepareRingZero(); }, 600_000);

const ringzero = (args: string[]) => ringzeroGuest(manifest, args, COMMAND_TIMEOUT_MS);
/** The kernel log without its timestamps (SerialGuest.run drops lines that
 *  start with one: they are the kernel's, not a command's). */
const DMESG = "dmesg | sed 's/^\\[[ 0-9.]*\\] //'";

test("the HPET is Linux's clock event and a clocksource; SCI on IRQ 9; reboot comes back; poweroff exits 0", async () => {
  const vm = ringzero(["-m", "128", "-nographic"]);
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS);
    const dmesg = await vm.run(`${DMESG} | grep -E 'hpet|HPET|IOAPIC\\[0\\]|INT_SRC_OVR|clocksource|TIMER'`, at);
    at = dmesg.next;
    // What qemu-system-i386 7.2 prints for its HPET (same id, MMIO, IRQs, counter).
    expect(dmesg.output).toContain("ACPI: HPET id: 0x8086a201 base: 0xfed00000");
    expect(dmesg.output).toContain("hpet0: at MMIO 0xfed00000, IRQs 2, 8, 0");
    expect(dmesg.output).toContain("hpet0: 3 comparators, 64-bit 100.000000 MHz counter");
    // The MADT: one I/O APIC, the overrides; the timer through pin 2.
    expect(dmesg.output).toContain("IOAPIC[0]: apic_id 0, version 17, address 0xfec00000, GSI 0-23");
    expect(dmesg.output).toContain("ACPI: INT_SRC_OVR (bus 0 bus_irq 0 global_irq 2 dfl dfl)");
    expect(dmesg.output).toContain("ACPI: INT_SRC_OVR (bus 0 bus_irq 9 global_irq 9 high level)");
    expect(dmesg.output).toMatch(/\.\.TIMER: vector=0x30 apic1=0 pin1=2/);
    // The TSC stays the clocksource (its watchdog finds it stable).
    expect(dmesg.output).toContain("clocksource: Switched to clocksource tsc");
    const cs = await vm.run("cat /sys/devices/system/clocksource/clocksource0/available_clocksource", at);
    at = cs.next;
    expect(cs.output.trim().split(/\s+/)).toEqual(["tsc", "hpet", "acpi_pm"]);
    const irqs = await vm.run("cat /proc/interrupts", at);
    at = irqs.next;
    expect(irqs.output).toMatch(/^\s*0:\s+\d+\s+IO-APIC\s+2-edge\s+timer/m);
    expect(irqs.output).toMatch(/^\s*9:\s+\d+\s+IO-APIC\s+9-fasteoi\s+acpi/m);
    // reboot: Linux (FADT revision 1, no reset register) pulses the 8042's reset
    // line; the machine resets and the host boots the kernel again.
    const before = vm.transcript.length;
    vm.proc.stdin.write("reboot -f\r");
    await vm.waitFor("reboot: Restarting system", before, COMMAND_TIMEOUT_MS);
    at = await vm.waitForShell(BOOT_TIMEOUT_MS, before, "shell after reboot");
    const up = await vm.run("cat /proc/uptime", at);
    expect(Number(up.output.trim().split(" ")[0])).toBeLessThan(300);
    expect(await vm.leave("poweroff -f\r")).toBe(0);
  } finally {
    vm.kill();
  }
}, 3 * BOOT_TIMEOUT_MS);

/** The linux-image package's modules, as tools/guest/build.mjs extracted them. */
function kernelModule(rel: string): Uint8Array {
  const extract = join(ROOT, ".cache/extract");
  const dir = existsSync(extract) ? readdirSync(extract).find((d) => d.startsWith(`linux-image-${manifest.kernelVersion}_`)) : undefined;
  const path = dir && join(extract, dir, "lib/modules", manifest.kernelVersion, "kernel", rel);
  if (!path || !existsSync(path)) throw new Error(`${rel} of linux-image-${manifest.kernelVersion} is not in ${extract}: run "npm run guest"`);
  return readFileSync(path);
}

/** A newc cpio archive (the initramfs format) of regular files; the kernel
 *  unpacks archives concatenated to the initrd one after the other. */
function cpio(files: { name: string; data: Uint8Array; mode: number }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let len = 0;
  const push = (b: Uint8Array) => { parts.push(b); len += b.length; };
  const pad = () => { if (len % 4) push(new Uint8Array(4 - (len % 4))); };
  const hex = (v: number) => v.toString(16).padStart(8, "0");
  const entry = (name: string, mode: number, data: Uint8Array, ino: number) => {
    const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
    push(new TextEncoder().encode("070701" + fields.map(hex).join("") + name + "\0"));
    pad();
    push(data);
    pad();
  };
  files.forEach((f, i) => entry(f.name, f.mode, f.data, 1000 + i));
  entry("TRAILER!!!", 0, new Uint8Array(0), 0);
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

test("system_powerdown: the ACPI power button powers Linux off (button driver, acpid); reboot=pci resets through 0xCF9", async () => {
  // The default initramfs plus the button and evdev modules and busybox acpid's
  // action for the power button (/etc/acpi/PWRF/00000080). acpid runs with -d
  // (in the foreground, logging to stderr): as a daemon it wants /var/log and
  // /var/run, which this guest does not have.
  const DIR = 0o040755, EXE = 0o100755, FILE = 0o100644;
  const extra = cpio([
    { name: "etc/acpi", data: new Uint8Array(0), mode: DIR },
    { name: "etc/acpi/PWRF", data: new Uint8Array(0), mode: DIR },
    { name: "etc/acpi/PWRF/00000080", data: new TextEncoder().encode("#!/bin/sh\npoweroff -f\n"), mode: EXE },
    { name: "button.ko", data: kernelModule("drivers/acpi/button.ko"), mode: FILE },
    { name: "evdev.ko", data: kernelModule("drivers/input/evdev.ko"), mode: FILE },
  ]);
  const base = readFileSync(join(IMAGES, "initrd.img"));
  const initrd = new Uint8Array(((base.length + 3) & ~3) + extra.length);
  initrd.set(base, 0);
  initrd.set(extra, (base.length + 3) & ~3);
  const path = join(mkdtempSync(join(tmpdir(), "rz-acpi-")), "initrd-button.img");
  writeFileSync(path, initrd);
  const vm = ringzero(["-m", "128", "-nographic", "-kernel", join(IMAGES, "bzImage"), "-initrd", path,
    "-append", `${manifest.cmdline} reboot=pci`]);
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS);
    // reboot=pci: Linux writes 02h then 0Eh to 0xCF9 (PIIX reset control, a 0 -> 1
    // transition of bit 2 resets the system).
    const before = vm.transcript.length;
    vm.proc.stdin.write("reboot -f\r");
    await vm.waitFor("reboot: Restarting system", before, COMMAND_TIMEOUT_MS);
    at = await vm.waitForShell(BOOT_TIMEOUT_MS, before, "shell after reboot=pci");
    const load = await vm.run("insmod /button.ko && insmod /evdev.ko && (acpid -d >/tmp/acpid.log 2>&1 &) && echo loaded", at);
    at = load.next;
    expect(load.output).toContain("loaded");
    const dmesg = await vm.run(`${DMESG} | grep -i 'power button'`, at);
    at = dmesg.next;
    // The fixed-feature button of the FADT (PWR_BUTTON clear): LNXPWRBN.
    expect(dmesg.output).toMatch(/Power Button \[PWRF\]/);
    // The monitor (Ctrl-A c on the -nographic console), as in QEMU.
    vm.proc.stdin.write("\x01c");
    await vm.waitFor("(qemu) ", at, COMMAND_TIMEOUT_MS);
    expect(await vm.leave("system_powerdown\r")).toBe(0);
  } finally {
    vm.kill();
  }
}, 3 * BOOT_TIMEOUT_MS);
