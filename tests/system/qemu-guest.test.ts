// Reference smoke test for the guest images in public/images/ (built by
// tools/guest/build.mjs): boots them under qemu-system-i386 (TCG) and talks to
// the shell on the serial console. RingZero's own system tests type the same
// commands into the same images, so a difference between the two is a RingZero
// bug, not an image problem.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { IMAGES, SerialGuest, ensureImages, type Manifest } from './serial-guest';

const QEMU = 'qemu-system-i386';
const BOOT_TIMEOUT_MS = 120_000;
const COMMAND_TIMEOUT_MS = 20_000;

let manifest: Manifest;

beforeAll(() => {
  manifest = ensureImages();
  if (spawnSync(QEMU, ['--version']).status !== 0) {
    throw new Error(`${QEMU} not found: install the Debian package qemu-system-x86`);
  }
}, 600_000);

const qemu = (args: string[]) => new SerialGuest(QEMU, QEMU, args, manifest, COMMAND_TIMEOUT_MS);

const image = (name: string) => path.join(IMAGES, name);

test('direct kernel boot reaches the shell and runs commands', async () => {
  const guest = qemu([
    '-m', '128', '-nographic', '-no-reboot', '-accel', 'tcg',
    '-kernel', image('bzImage'), '-initrd', image('initrd.img'), '-append', manifest.cmdline,
  ]);
  try {
    let at = await guest.waitForShell(BOOT_TIMEOUT_MS);
    const uname = await guest.run('uname -a', at);
    expect(uname.output).toMatch(new RegExp(`^Linux ringzero ${manifest.kernelVersion.replace(/\./g, '\\.')} .* i686 GNU/Linux\\r?\\n$`));
    at = uname.next;
    const sum = await guest.run('echo $((6*7))', at);
    expect(sum.output.trim()).toBe('42');
    at = sum.next;
    // Job control: a controlling tty, so "jobs" knows the background job.
    const jobs = await guest.run('sleep 30 & jobs', at);
    expect(jobs.output).toMatch(/\[1\]\+\s+Running\s+sleep 30/);
    expect(await guest.leave('poweroff -f\r')).toBe(0);
  } finally {
    guest.kill();
  }
}, 180_000);

test('SeaBIOS boots the CD-ROM through ISOLINUX and the guest mounts both drives', async () => {
  const guest = qemu([
    '-m', '128', '-nographic', '-no-reboot', '-accel', 'tcg', '-bios', image('bios.bin'),
    // snapshot=on: the guest's mount must not change disk.img (its sha256 is in the manifest).
    '-drive', `file=${image('disk.img')},format=raw,if=ide,index=0,media=disk,snapshot=on`,
    '-cdrom', image('cdrom.iso'), '-boot', 'd',
  ]);
  try {
    let at = await guest.waitForShell(BOOT_TIMEOUT_MS);
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
    expect(await guest.leave('poweroff -f\r')).toBe(0);
  } finally {
    guest.kill();
  }
}, 180_000);
