// A hypervisor inside RingZero: the default guest on -cpu coreduo,+vmx loads
// Linux's own kvm_intel (shipped in the initramfs, docs/VMX.md) and runs
// kvm-hello (tools/guest/kvm-hello/), which creates a VM through /dev/kvm and
// runs a payload from real mode to protected mode with paging. Every byte of the
// payload's greeting is one OUT to port 3F8H, which KVM hands to kvm-hello as a
// KVM_EXIT_IO; the HLT after it is a KVM_EXIT_HLT. No reference machine runs
// this (QEMU's TCG has no VMX): what the test expects follows from the payload's
// source and the KVM API, not from a RingZero run.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, test, expect } from "vitest";
import { IMAGES, prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";

const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 120_000;

let manifest: Manifest;
beforeAll(() => { manifest = prepareRingZero(); }, 600_000);

const GREETING = "Hello from the nested guest\n"; // tools/guest/kvm-hello/payload.asm
const PAYLOAD_ASM = new URL("../../tools/guest/kvm-hello/payload.asm", import.meta.url).pathname;

test("kvm_intel loads on -cpu coreduo,+vmx and kvm-hello's nested guest prints its greeting through I/O exits", async () => {
  const vm = ringzeroGuest(manifest, ["-cpu", "coreduo,+vmx", "-m", "128", "-nographic", "-no-reboot",
    "-kernel", join(IMAGES, "bzImage"), "-initrd", join(IMAGES, "initrd.img"), "-append", manifest.cmdline], COMMAND_TIMEOUT_MS);
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS, 0, "default guest shell");
    const run = async (c: string) => { const r = await vm.run(c, at); at = r.next; return r.output.replace(/\r\n/g, "\n"); };

    expect(await run("modprobe kvm_intel && ls /dev/kvm")).toBe("/dev/kvm\n");
    expect(await run("grep '^flags' /proc/cpuinfo | grep -o -w vmx")).toBe("vmx\n");
    expect(await run("kvm-hello; echo rc=$?")).toBe(`${GREETING}kvm-hello: the guest halted at 0x${haltRip()} after ${GREETING.length + 1} exits\nrc=0\n`);

    // -v: one line per exit KVM_RUN returned with, in order: the greeting's bytes, then the halt.
    const verbose = (await run("kvm-hello -v")).split("\n").filter(Boolean);
    const ioLines = [...GREETING].map((ch, i) => `kvm-hello: exit ${i + 1}: IO out port 0x3f8 size 1 data 0x${ch.charCodeAt(0).toString(16)}${ch === "\n" ? "" : ` '${ch}'`}`);
    expect(verbose).toEqual([...ioLines, `kvm-hello: exit ${GREETING.length + 1}: HLT`,
      `kvm-hello: the guest halted at 0x${haltRip()} after ${GREETING.length + 1} exits`]);

    // -c: the payload three times over, 29 exits each; the rate is the guest clock's.
    expect(await run("kvm-hello -c 3")).toMatch(new RegExp(`^kvm-hello: 3 runs, ${3 * (GREETING.length + 1)} exits in \\d+ ms: \\d+ exits/s\n$`));

    // The host kernel found every MSR and VMX instruction it used: no
    // "unchecked MSR access" or "VMXON faulted" warnings.
    expect(await run("dmesg | grep -c -E 'unchecked MSR|faulted|WARNING' ; true")).toBe("0\n");
    expect(await vm.leave("poweroff -f\r")).toBe(0);
  } finally {
    vm.kill();
  }
}, BOOT_TIMEOUT_MS + 6 * COMMAND_TIMEOUT_MS);

// With EPT and VPID (QEMU's vmx-ept and vmx-vpid), kvm_intel maps the nested
// guest's memory with EPT instead of shadow page tables and tags its
// translations with a VPID: its parameters say so (Linux 6.1 sets enable_ept
// and enable_vpid to 0 when the capability MSRs lack what it needs, and the
// module's parameters show Y/N; eptad follows bit 21 of IA32_VMX_EPT_VPID_CAP,
// and with it KVM's EPTPs have bit 6 set, accessed and dirty flags for EPT),
// and the payload, which runs from real mode
// into protected mode with paging, prints the same greeting through the same
// exits. One boot serves both halves: first the module is loaded with
// unrestricted_guest=0 (real mode then runs in virtual-8086 mode on an
// identity-mapped page table); unloaded and loaded again with its default, it
// takes unrestricted guest too (QEMU's vmx-unrestricted-guest) and runs the
// payload's real mode and unpaged protected mode as they are: VM entries with
// CR0.PE and CR0.PG clear, real-mode segments, and MOV CR0 exits that switch modes.
test("kvm_intel uses EPT and VPID, then unrestricted guest, on -cpu coreduo,+vmx,+vmx-ept,+vmx-vpid,+vmx-unrestricted-guest; kvm-hello runs as before", async () => {
  const vm = ringzeroGuest(manifest, ["-cpu", "coreduo,+vmx,+vmx-ept,+vmx-vpid,+vmx-unrestricted-guest", "-m", "128", "-nographic", "-no-reboot",
    "-kernel", join(IMAGES, "bzImage"), "-initrd", join(IMAGES, "initrd.img"), "-append", manifest.cmdline], COMMAND_TIMEOUT_MS);
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS, 0, "default guest shell");
    const run = async (c: string) => { const r = await vm.run(c, at); at = r.next; return r.output.replace(/\r\n/g, "\n"); };
    const params = "/sys/module/kvm_intel/parameters";

    // (Commands stay short: the shell's line editing garbles what wraps past 80 columns.)
    expect(await run("modprobe kvm_intel unrestricted_guest=0")).toBe("");
    expect(await run("cd " + params)).toBe("");
    expect(await run("cat ept eptad vpid unrestricted_guest; cd /")).toBe("Y\nY\nY\nN\n");
    expect(await run("kvm-hello; echo rc=$?")).toBe(`${GREETING}kvm-hello: the guest halted at 0x${haltRip()} after ${GREETING.length + 1} exits\nrc=0\n`);
    expect(await run("kvm-hello -c 3")).toMatch(new RegExp(`^kvm-hello: 3 runs, ${3 * (GREETING.length + 1)} exits in \\d+ ms: \\d+ exits/s\n$`));

    // VMXOFF at unload, VMXON again at load.
    expect(await run("rmmod kvm_intel && modprobe kvm_intel")).toBe("");
    expect(await run("cd " + params)).toBe("");
    expect(await run("cat ept eptad vpid unrestricted_guest; cd /")).toBe("Y\nY\nY\nY\n");
    const verbose = (await run("kvm-hello -v")).split("\n").filter(Boolean);
    expect(verbose.slice(-2)).toEqual([`kvm-hello: exit ${GREETING.length + 1}: HLT`,
      `kvm-hello: the guest halted at 0x${haltRip()} after ${GREETING.length + 1} exits`]);
    expect(verbose.filter((l) => / IO out port 0x3f8 /.test(l)).length).toBe(GREETING.length);
    // kvm_intel reports a failed INVEPT/INVVPID as "invept failed" or "invvpid failed".
    expect(await run("dmesg | grep -cE 'unchecked MSR|faulted|WARNING|inv(ept|vpid)'")).toBe("0\n");
    expect(await vm.leave("poweroff -f\r")).toBe(0);
  } finally {
    vm.kill();
  }
}, BOOT_TIMEOUT_MS + 9 * COMMAND_TIMEOUT_MS);

/** Where the nested guest's RIP is after its HLT (KVM completes the HLT before
 *  it reports the exit): the HLT's offset in nasm's listing of payload.asm, plus
 *  the payload's load address 1000H, plus the HLT's one byte. */
function haltRip(): string {
  const dir = mkdtempSync(join(tmpdir(), "kvm-payload-"));
  try {
    execFileSync("nasm", ["-f", "bin", "-l", join(dir, "list"), "-o", join(dir, "bin"), PAYLOAD_ASM]);
    const m = /^\s*\d+\s+([0-9A-F]{8})\s+F4\s+hlt\b/m.exec(readFileSync(join(dir, "list"), "utf8"));
    if (!m) throw new Error("no HLT in the payload's listing");
    return (0x1000 + parseInt(m[1], 16) + 1).toString(16);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
