// Debian's 686-pae kernel (public/images/bzImage-pae, built by npm run guest) on
// the Core Duo model: PAE page tables with NX for the whole boot and the shell,
// its own modules loaded from the initramfs, the data disk mounted through them.
// The same kernel and commands under qemu-system-i386 -cpu coreduo give the
// reference /proc/cpuinfo.

import { join } from "node:path";
import { beforeAll, test, expect } from "vitest";
import { IMAGES, SerialGuest, prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";

const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 60_000;

interface PaeManifest extends Manifest { pae: { kernelVersion: string; kernel: string; initrd: string } }
let manifest: PaeManifest;

beforeAll(() => { manifest = prepareRingZero() as PaeManifest; }, 600_000);

const bootArgs = () => ["-cpu", "coreduo", "-m", "256", "-nographic", "-no-reboot",
  "-kernel", join(IMAGES, manifest.pae.kernel), "-initrd", join(IMAGES, manifest.pae.initrd), "-append", manifest.cmdline,
  "-hda", join(IMAGES, "disk.img")];

/** Boots, types `commands`, powers off; the outputs in order. */
async function session(vm: SerialGuest, commands: string[]): Promise<string[]> {
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS, 0, "PAE kernel shell");
    const outputs: string[] = [];
    for (const c of commands) {
      const r = await vm.run(c, at);
      outputs.push(r.output);
      at = r.next;
    }
    expect(await vm.leave("poweroff -f\r")).toBe(0);
    return outputs;
  } finally {
    vm.kill();
  }
}

const COMMANDS = [
  "uname -r",
  "grep -E '^(flags|model name|cpu family|model)\\s' /proc/cpuinfo",
  "dmesg | grep -E 'NX \\(Execute Disable\\)|W\\+X mappings' | sed 's/^\\[[^]]*\\] //'", // run() drops [time] lines
  "mount -t ext2 -o ro /dev/sda /mnt && cat /mnt/hello.txt",
  "cat /sys/devices/system/clocksource/clocksource0/current_clocksource",
];

const flags = (cpuinfo: string) => /^flags\s*: (.*)$/m.exec(cpuinfo)![1].trim().split(/\s+/);

test("Debian's 686-pae kernel boots on -cpu coreduo with NX on; /proc/cpuinfo as under qemu -cpu coreduo", async () => {
  const [uname, cpuinfo, nx, disk, clock] = await session(ringzeroGuest(manifest, bootArgs(), COMMAND_TIMEOUT_MS), COMMANDS);
  expect(uname.trim()).toBe(manifest.pae.kernelVersion);
  expect(cpuinfo).toMatch(/^cpu family\s*: 6$/m);
  expect(cpuinfo).toMatch(/^model\s*: 14$/m);
  for (const f of ["pae", "nx", "sse", "sse2", "pni", "monitor", "clflush", "fxsr", "mmx"]) expect(flags(cpuinfo)).toContain(f);
  // The kernel found XD in CPUID, set EFER.NXE and checked its own page tables.
  expect(nx).toContain("NX (Execute Disable) protection: active");
  expect(nx).toMatch(/x86\/mm: Checked W\+X mappings: passed, no W\+X pages found/);
  // ata_piix, sd_mod and ext4 of this kernel, loaded by /init, read the disk.
  expect(disk.trim()).toBe(manifest.disk.line);
  // The TSC stays Linux's clocksource (docs/ARCHITECTURE.md, time).
  expect(clock.trim()).toBe("tsc");

  const q = new SerialGuest("qemu-system-i386", "qemu-system-i386", ["-accel", "tcg", ...bootArgs()], manifest, COMMAND_TIMEOUT_MS);
  const [, qcpuinfo] = await session(q, COMMANDS.slice(0, 2));
  // What QEMU's coreduo reports and RingZero's does not (tests/guest/sse.test.ts
  // compares CPUID leaf by leaf): the thermal-monitor MSRs (acpi) are not
  // implemented; "hypervisor" is QEMU's own bit, not the
  // processor's. And what RingZero reports and QEMU's TCG lacks: "vme" (the
  // virtual-8086 mode extensions, which a Core Duo has; QEMU's TCG does not
  // implement them: -cpu coreduo,+vme warns "TCG doesn't support requested
  // feature: CPUID.01H:EDX.vme").
  const missing = new Set(["acpi", "hypervisor"]);
  const extra = new Set(["vme"]);
  expect(flags(cpuinfo).filter((f) => !extra.has(f))).toEqual(flags(qcpuinfo).filter((f) => !missing.has(f)));
  expect(flags(cpuinfo)).toContain("vme");
  expect(cpuinfo.replace(/^flags.*$/m, "")).toBe(qcpuinfo.replace(/^flags.*$/m, ""));
}, 2 * BOOT_TIMEOUT_MS + 240_000);
