// Reference smoke test for the guest images in public/images/ (built by
// tools/guest/build.mjs): boots them under qemu-system-i386 (TCG) and talks to
// the shell on the serial console. RingZero's own system tests type the same
// commands into the same images, so a difference between the two is a RingZero
// bug, not an image problem.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, test } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const IMAGES = path.join(ROOT, 'public/images');
const QEMU = 'qemu-system-i386';
const BOOT_TIMEOUT_MS = 120_000;
const COMMAND_TIMEOUT_MS = 20_000;

interface Manifest {
  cmdline: string;
  prompt: string;
  readyMarker: string;
  kernelVersion: string;
  disk: { device: string; file: string; line: string };
}

let manifest: Manifest;

beforeAll(() => {
  // Builds the images only when they are missing or stale (tools/guest/ensure.mjs).
  const r = spawnSync(process.execPath, [path.join(ROOT, 'tools/guest/ensure.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`building the guest images failed (exit ${r.status}); run "npm run guest" to see why:\n${r.stdout}${r.stderr}`);
  }
  if (spawnSync(QEMU, ['--version']).status !== 0) {
    throw new Error(`${QEMU} not found: install the Debian package qemu-system-x86`);
  }
  manifest = JSON.parse(fs.readFileSync(path.join(IMAGES, 'manifest.json'), 'utf8')) as Manifest;
}, 600_000);

/** qemu with its serial console on stdio, and a transcript to wait on. */
class SerialGuest {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly started = Date.now();
  transcript = '';
  exited: Promise<number | null>;

  constructor(args: string[]) {
    this.proc = spawn(QEMU, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (d: Buffer) => { this.transcript += d.toString('latin1'); });
    this.proc.stderr.on('data', (d: Buffer) => { this.transcript += d.toString('latin1'); });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
  }

  /** Resolves with the index just past the first match at or after `from`. */
  async waitFor(pattern: string | RegExp, from: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.transcript.slice(from);
      if (typeof pattern === 'string') {
        const i = rest.indexOf(pattern);
        if (i >= 0) return from + i + pattern.length;
      } else {
        const m = pattern.exec(rest);
        if (m) return from + m.index + m[0].length;
      }
      if (this.proc.exitCode !== null || Date.now() > deadline) {
        const why = this.proc.exitCode !== null ? `qemu exited with ${this.proc.exitCode}` : `timed out after ${timeoutMs} ms`;
        throw new Error(`waiting for ${String(pattern)}: ${why}; last output:\n${this.transcript.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits for the ready marker and the first prompt; returns the offset after the prompt. */
  async waitForShell(): Promise<number> {
    const marker = await this.waitFor(`${manifest.readyMarker}\r\n`, 0, BOOT_TIMEOUT_MS);
    const prompt = await this.waitFor(manifest.prompt, marker, COMMAND_TIMEOUT_MS);
    console.log(`${QEMU}: shell ready after ${((Date.now() - this.started) / 1000).toFixed(1)} s`);
    return prompt;
  }

  /** Types a command line as a terminal would (CR), returns what it printed before the next prompt. */
  async run(command: string, from: number): Promise<{ output: string; next: number }> {
    const start = this.transcript.length > from ? this.transcript.length : from;
    this.proc.stdin.write(`${command}\r`);
    // The tty echoes the command; its output starts after the echoed line.
    const echoed = await this.waitFor(/\r?\n/, start, COMMAND_TIMEOUT_MS);
    const next = await this.waitFor(manifest.prompt, echoed, COMMAND_TIMEOUT_MS);
    const output = this.transcript.slice(echoed, next - manifest.prompt.length)
      // A kernel message printed while the command ran is not its output.
      .split(/(?<=\n)/).filter((line) => !/^\[\s*\d+\.\d+\]/.test(line)).join('');
    return { output, next };
  }

  async powerOff(): Promise<number | null> {
    this.proc.stdin.write('poweroff -f\r');
    return Promise.race([this.exited, new Promise<null>((r) => setTimeout(() => r(null), COMMAND_TIMEOUT_MS))]);
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

const image = (name: string) => path.join(IMAGES, name);

test('direct kernel boot reaches the shell and runs commands', async () => {
  const guest = new SerialGuest([
    '-m', '128', '-nographic', '-no-reboot', '-accel', 'tcg',
    '-kernel', image('bzImage'), '-initrd', image('initramfs.cpio.gz'), '-append', manifest.cmdline,
  ]);
  try {
    let at = await guest.waitForShell();
    const uname = await guest.run('uname -a', at);
    expect(uname.output).toMatch(new RegExp(`^Linux ringzero ${manifest.kernelVersion.replace(/\./g, '\\.')} .* i686 GNU/Linux\\r?\\n$`));
    at = uname.next;
    const sum = await guest.run('echo $((6*7))', at);
    expect(sum.output.trim()).toBe('42');
    at = sum.next;
    // Job control: a controlling tty, so "jobs" knows the background job.
    const jobs = await guest.run('sleep 30 & jobs', at);
    expect(jobs.output).toMatch(/\[1\]\+\s+Running\s+sleep 30/);
    expect(await guest.powerOff()).toBe(0);
  } finally {
    guest.kill();
  }
}, 180_000);

test('SeaBIOS boots the CD-ROM through ISOLINUX and the guest mounts both drives', async () => {
  const guest = new SerialGuest([
    '-m', '128', '-nographic', '-no-reboot', '-accel', 'tcg', '-bios', image('bios.bin'),
    // snapshot=on: the guest's mount must not change disk.img (its sha256 is in the manifest).
    '-drive', `file=${image('disk.img')},format=raw,if=ide,index=0,media=disk,snapshot=on`,
    '-cdrom', image('cdrom.iso'), '-boot', 'd',
  ]);
  try {
    let at = await guest.waitForShell();
    expect(guest.transcript).toContain('SeaBIOS (version');
    expect(guest.transcript).toContain('ISOLINUX');
    const cmdline = await guest.run('cat /proc/cmdline', at);
    expect(cmdline.output).toContain('BOOT_IMAGE=/boot/vmlinuz');
    expect(cmdline.output).toContain(manifest.cmdline);
    at = cmdline.next;
    const iso = await guest.run('mount -t iso9660 -o ro /dev/sr0 /cdrom && ls /cdrom/boot', at);
    expect(iso.output.split(/\s+/)).toEqual(expect.arrayContaining(['initrd.gz', 'vmlinuz']));
    at = iso.next;
    const disk = await guest.run(`mount -o ro ${manifest.disk.device} /mnt && cat /mnt${manifest.disk.file}`, at);
    expect(disk.output.trim()).toBe(manifest.disk.line);
    at = disk.next;
    const uname = await guest.run('uname -m', at);
    expect(uname.output.trim()).toBe('i686');
    expect(await guest.powerOff()).toBe(0);
  } finally {
    guest.kill();
  }
}, 180_000);
