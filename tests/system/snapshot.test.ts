// Snapshots of a Linux session on the command line, as QEMU spells them: boot the
// default guest with a writable data disk, write a file in RAM (/tmp) and one on
// the disk, save with the monitor's `migrate file:PATH`, quit; then start again
// with `-incoming file:PATH` and read both back (the disk's after dropping the
// guest's caches, so from the disk itself), once with the disk as the first run
// left it and once with a fresh copy of the original image, which the snapshot's
// written sectors bring up to date. A different disk is refused in one line.
// And the default guest's own snapshot (npm run guest makes it for the page's
// instant boot) starts at the prompt with the host's date.

import { copyFileSync, mkdirSync, writeFileSync, existsSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, test, expect } from "vitest";
import { ROOT, IMAGES, prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";

const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 60_000;
const DIR = join(ROOT, "build/guest/snapshot");

let manifest: Manifest;
beforeAll(() => { manifest = prepareRingZero(); mkdirSync(DIR, { recursive: true }); }, 600_000);

const kernelArgs = () => ["-m", "128", "-nographic", "-kernel", join(IMAGES, "bzImage"), "-initrd", join(IMAGES, "initrd.img"), "-append", manifest.cmdline];

test("migrate file:, quit, -incoming file: - RAM and a writable disk come back", async () => {
  const disk = join(DIR, "disk.img"), state = join(DIR, "linux.rzstate");
  copyFileSync(join(IMAGES, "disk.img"), disk);
  const first = ringzeroGuest(manifest, [...kernelArgs(), "-hda", disk], COMMAND_TIMEOUT_MS);
  try {
    let at = await first.waitForShell(BOOT_TIMEOUT_MS);
    const w = await first.run(`echo in-ram-$((6*7)) > /tmp/note; while [ ! -e ${manifest.disk.device} ]; do sleep 1; done; ` +
      `mount ${manifest.disk.device} /mnt && echo on-disk-$((7*6)) > /mnt/note.txt && sync && echo written`, at);
    expect(w.output).toContain("written");
    at = w.next;
    first.proc.stdin.write("\x01c");
    at = await first.waitFor("(qemu) ", at, COMMAND_TIMEOUT_MS);
    first.proc.stdin.write(`migrate file:${state}\r`);
    at = await first.waitFor("(qemu) ", at, COMMAND_TIMEOUT_MS);
    expect(first.transcript.slice(at - 200)).not.toMatch(/Error/);
    expect(await first.leave("\x01x")).toBe(0);
  } finally {
    first.kill();
  }
  expect(statSync(state).size).toBeGreaterThan(1 << 20);

  const readBack = async (diskFile: string) => {
    const vm = ringzeroGuest(manifest, [...kernelArgs(), "-hda", diskFile, "-incoming", `file:${state}`], COMMAND_TIMEOUT_MS);
    try {
      vm.proc.stdin.write("\r"); // the restored shell prints a fresh prompt
      const at = await vm.waitFor(manifest.prompt, 0, COMMAND_TIMEOUT_MS);
      const ram = await vm.run("cat /tmp/note", at);
      expect(ram.output).toBe("in-ram-42\r\n");
      const drop = await vm.run("echo 3 > /proc/sys/vm/drop_caches", ram.next);
      const r = await vm.run("cat /mnt/note.txt /mnt/hello.txt", drop.next);
      expect(r.output).toBe(`on-disk-42\r\n${manifest.disk.line}\r\n`);
      expect(await vm.leave("\x01x")).toBe(0);
    } finally {
      vm.kill();
    }
  };
  await readBack(disk); // the disk as the first run left it
  const fresh = join(DIR, "fresh.img");
  copyFileSync(join(IMAGES, "disk.img"), fresh);
  await readBack(fresh); // the base image: the snapshot's sectors are written over it

  const other = join(DIR, "other.img");
  writeFileSync(other, new Uint8Array(statSync(disk).size).fill(0x5a));
  const r = spawnSync(process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...kernelArgs(), "-hda", other, "-incoming", `file:${state}`],
    { cwd: ROOT, input: "", timeout: 60_000, encoding: "latin1" });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^ringzero: snapshot .*linux\.rzstate: disk 0 \(sha256 [0-9a-f]{16}\) is neither the disk it was saved with \(sha256 [0-9a-f]{16}\) nor its base image\n$/);
  const wrongMem = spawnSync(process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...kernelArgs().slice(2), "-m", "64", "-hda", disk, "-incoming", `file:${state}`],
    { cwd: ROOT, input: "", timeout: 60_000, encoding: "latin1" });
  expect(wrongMem.status).toBe(2);
  expect(wrongMem.stderr).toMatch(/^ringzero: snapshot .*: saved with -m 128, this run has -m 64\n$/);
}, 2 * BOOT_TIMEOUT_MS + 180_000);

test("the default guest's snapshot starts at the prompt with the host's date", async () => {
  const state = join(IMAGES, "default.rzstate");
  expect(existsSync(state)).toBe(true);
  const vm = ringzeroGuest(manifest, ["-m", "128", "-nographic", "-incoming", `file:${state}`], COMMAND_TIMEOUT_MS);
  try {
    vm.proc.stdin.write("\r");
    let at = await vm.waitFor(manifest.prompt, 0, COMMAND_TIMEOUT_MS);
    // The clock agent sets the date from COM2 as soon as the guest runs.
    await new Promise((r) => setTimeout(r, 500));
    const d = await vm.run("date +%s; echo $((6*7))", at);
    const [guest, sum] = d.output.trim().split(/\r?\n/);
    expect(Math.abs(Number(guest) - Date.now() / 1000)).toBeLessThan(3);
    expect(sum).toBe("42");
    at = d.next;
    expect(await vm.leave("\x01x")).toBe(0);
  } finally {
    vm.kill();
  }
}, 120_000);
