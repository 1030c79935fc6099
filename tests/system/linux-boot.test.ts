// RingZero boots its Linux guest (public/images, built by npm run guest) through
// the ringzero command line, with no -kernel: the default guest, direct kernel
// boot. It types into the shell on COM1 the same commands that
// tests/system/qemu-guest.test.ts types under qemu-system-i386.

import { spawn, spawnSync, execFileSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, test, expect } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const IMAGES = join(ROOT, "public/images");
const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 60_000;

interface Manifest { cmdline: string; prompt: string; readyMarker: string; kernelVersion: string }
let manifest: Manifest;

beforeAll(() => {
  const r = spawnSync(process.execPath, [join(ROOT, "tools/guest/ensure.mjs")], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building the guest images failed (exit ${r.status}); run "npm run guest" to see why:\n${r.stdout}${r.stderr}`);
  execFileSync(process.execPath, [join(ROOT, "tools/build-cli.mjs")], { cwd: ROOT });
  manifest = JSON.parse(readFileSync(join(IMAGES, "manifest.json"), "utf8")) as Manifest;
}, 600_000);

class Console {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly started = Date.now();
  transcript = "";

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout.on("data", (d: Buffer) => { this.transcript += d.toString("latin1"); });
    this.proc.stderr.on("data", (d: Buffer) => { this.transcript += d.toString("latin1"); });
  }

  async waitFor(pattern: string | RegExp, from: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.transcript.slice(from);
      if (typeof pattern === "string") {
        const i = rest.indexOf(pattern);
        if (i >= 0) return from + i + pattern.length;
      } else {
        const m = pattern.exec(rest);
        if (m) return from + m.index + m[0].length;
      }
      if (this.proc.exitCode !== null || Date.now() > deadline) {
        const why = this.proc.exitCode !== null ? `ringzero exited with ${this.proc.exitCode}` : `timed out after ${timeoutMs} ms`;
        throw new Error(`waiting for ${String(pattern)}: ${why}; last output:\n${this.transcript.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Types a command line as a terminal would (CR); returns its output and where the next prompt ends. */
  async run(command: string, from: number): Promise<{ output: string; next: number }> {
    const start = Math.max(this.transcript.length, from);
    this.proc.stdin.write(`${command}\r`);
    const echoed = await this.waitFor(/\r?\n/, start, COMMAND_TIMEOUT_MS);
    const next = await this.waitFor(manifest.prompt, echoed, COMMAND_TIMEOUT_MS);
    const output = this.transcript.slice(echoed, next - manifest.prompt.length)
      .split(/(?<=\n)/).filter((line) => !/^\[\s*\d+\.\d+\]/.test(line)).join("");
    return { output, next };
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
  }
}

test("the default Linux guest boots to its shell and answers", async () => {
  const vm = new Console(["-m", "128", "-nographic", "-no-reboot"]);
  try {
    const marker = await vm.waitFor(`${manifest.readyMarker}\r\n`, 0, BOOT_TIMEOUT_MS);
    let at = await vm.waitFor(manifest.prompt, marker, COMMAND_TIMEOUT_MS);
    console.log(`ringzero: shell ready after ${((Date.now() - vm.started) / 1000).toFixed(1)} s`);
    const uname = await vm.run("uname -a", at);
    expect(uname.output).toMatch(/ i686 /);
    expect(uname.output).toMatch(new RegExp(`^Linux ringzero ${manifest.kernelVersion.replace(/\./g, "\\.")} `));
    at = uname.next;
    const sum = await vm.run("echo $((6*7))", at);
    expect(sum.output.trim()).toBe("42");
    // The machine has no ACPI power-off yet, so leave as a QEMU user does: Ctrl-A x.
    vm.proc.stdin.write("\x01x");
    const code = await new Promise<number | null>((r) => {
      vm.proc.on("exit", (c) => r(c));
      setTimeout(() => r(null), COMMAND_TIMEOUT_MS);
    });
    expect(code).toBe(0);
  } finally {
    vm.kill();
  }
}, BOOT_TIMEOUT_MS + 120_000);

test("SeaBIOS boots the guest's CD-ROM through ISOLINUX to the same shell", async () => {
  // Firmware boot: Debian's SeaBIOS (the default BIOS when disks are given), the
  // ATAPI CD-ROM on the secondary IDE channel, El Torito no-emulation boot.
  const vm = new Console(["-m", "128", "-nographic", "-no-reboot", "-cdrom", join(IMAGES, "cdrom.iso"), "-boot", "d"]);
  try {
    const isolinux = await vm.waitFor("ISOLINUX", 0, BOOT_TIMEOUT_MS);
    const marker = await vm.waitFor(`${manifest.readyMarker}\r\n`, isolinux, BOOT_TIMEOUT_MS);
    let at = await vm.waitFor(manifest.prompt, marker, COMMAND_TIMEOUT_MS);
    console.log(`ringzero: CD boot shell ready after ${((Date.now() - vm.started) / 1000).toFixed(1)} s`);
    const cmdline = await vm.run("cat /proc/cmdline", at);
    expect(cmdline.output).toMatch(/^BOOT_IMAGE=\/boot\/vmlinuz /);
    at = cmdline.next;
    const machine = await vm.run("uname -m", at);
    expect(machine.output.trim()).toBe("i686");
    vm.proc.stdin.write("\x01x");
    const code = await new Promise<number | null>((r) => {
      vm.proc.on("exit", (c) => r(c));
      setTimeout(() => r(null), COMMAND_TIMEOUT_MS);
    });
    expect(code).toBe(0);
  } finally {
    vm.kill();
  }
}, 2 * BOOT_TIMEOUT_MS);
