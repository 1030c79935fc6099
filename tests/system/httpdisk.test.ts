// The ringzero command with its CD-ROM on a web server (web/host/httpdisk.ts
// through web/cli/syncfetch.ts): a server in this test serves the guest's
// cdrom.iso followed by a long zero tail (so "booted without downloading it
// whole" is measured against a large image), counting what it sends. It boots
// SeaBIOS -> ISOLINUX -> Linux to the shell over Range requests; then the server
// starts sending short bodies and the guest's reads fail as I/O errors while the
// machine goes on; short bodies in mid-boot fail ISOLINUX's reads the same way. A server without Range support gets the image downloaded
// whole (and the user is told), a 404 is a one-line error. Disks over HTTP:
// read-only (writes are guest I/O errors) or with snapshot=on (writes in memory).

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, afterAll, test, expect } from "vitest";
import { IMAGES, ROOT, prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";
import { ImageServer } from "./imageserver";

const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 60_000;
const PAD = 512 << 20; // zeros after the ISO: the served image is 520 MiB

let manifest: Manifest;
let iso: Uint8Array;

beforeAll(() => {
  manifest = prepareRingZero();
  iso = readFileSync(join(IMAGES, "cdrom.iso"));
}, 600_000);

const servers: ImageServer[] = [];
afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });

async function serve(pad: number): Promise<ImageServer> {
  const s = new ImageServer({ bytes: iso, size: iso.length + pad });
  await s.start();
  servers.push(s);
  return s;
}

const MiB = (n: number) => (n / 1048576).toFixed(1);
/** What the host wrote about the image at `url` (stderr: it can land in the middle of a console line). */
const hostLines = (transcript: string, url: string) => transcript.match(new RegExp(`ringzero: ${url.replace(/[.?]/g, "\\$&")}[^\r\n]*`, "g")) ?? [];

test("the CD boots to the shell over Range requests, fetching a small part of a 520 MiB image; short answers are guest I/O errors", async () => {
  const srv = await serve(PAD);
  const vm = ringzeroGuest(manifest, ["-m", "128", "-nographic", "-no-reboot", "-cdrom", srv.url, "-boot", "d"], COMMAND_TIMEOUT_MS);
  try {
    const isolinux = await vm.waitFor("ISOLINUX", 0, BOOT_TIMEOUT_MS);
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS, isolinux, "CD boot shell over HTTP");
    const uname = await vm.run("uname -m", at);
    expect(uname.output.trim()).toBe("i686");
    at = uname.next;
    const size = iso.length + PAD;
    console.log(`served ${srv.served} bytes (${MiB(srv.served)} MiB) in ${srv.requests} requests to boot a ${MiB(size)} MiB image (the ISO is ${MiB(iso.length)} MiB)`);
    // What the boot reads is the kernel and initrd (most of the ISO); the tail is never read.
    expect(srv.served).toBeLessThan(iso.length + (4 << 20));
    expect(srv.served).toBeLessThan(size / 32);

    // A part of the tail nobody read yet, from a server that now sends half of each range.
    srv.shortFrom = 0;
    const sector = Math.floor((iso.length + (PAD >> 1)) / 2048);
    const dd = await vm.run(`dd if=/dev/sr0 of=/dev/null bs=2048 skip=${sector} count=1; echo rc=$?`, at);
    expect(dd.output).toMatch(/Input\/output error/);
    expect(dd.output).toMatch(/^rc=1\s*$/m);
    at = dd.next;
    // The host said so once, in one line, however often the guest retried.
    const said = hostLines(vm.transcript, srv.url);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^ringzero: http:\/\/127\.0\.0\.1:\d+\/cdrom\.iso: bytes \d+-\d+: got \d+ of \d+ bytes \(the guest gets an I\/O error; later errors are not reported\)$/);
    // The machine goes on.
    srv.shortFrom = Infinity;
    const sum = await vm.run("echo $((6*7))", at);
    expect(sum.output.trim()).toBe("42");
    expect(await vm.leave("\x01x")).toBe(0);
  } finally {
    vm.kill();
  }
}, 2 * BOOT_TIMEOUT_MS);

test("short answers in mid-boot: ISOLINUX gets read errors and says so, the host reports it once and goes on", async () => {
  const srv = await serve(0);
  srv.shortFrom = 2 << 20; // ISOLINUX itself is read whole; the files it loads next are not
  const vm = ringzeroGuest(manifest, ["-m", "128", "-nographic", "-no-reboot", "-cdrom", srv.url, "-boot", "d"], COMMAND_TIMEOUT_MS);
  try {
    // Each wait well inside the test's own timeout, so that a hang fails with
    // the transcript (where the boot stopped) rather than a bare timeout.
    const isolinux = await vm.waitFor("ISOLINUX", 0, BOOT_TIMEOUT_MS / 3);
    await vm.waitFor("Boot failed", isolinux, BOOT_TIMEOUT_MS / 3);
    const said = hostLines(vm.transcript, srv.url);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/: bytes \d+-\d+: got \d+ of \d+ bytes \(the guest gets an I\/O error/);
    expect(await vm.leave("\x01x")).toBe(0);
  } finally {
    vm.kill();
  }
}, BOOT_TIMEOUT_MS);

test("a server without Range support: the image is downloaded whole, the user is told, and it boots", async () => {
  const srv = await serve(0);
  srv.mode = "no-range";
  const vm = ringzeroGuest(manifest, ["-m", "128", "-nographic", "-no-reboot", "-cdrom", srv.url, "-boot", "d"], COMMAND_TIMEOUT_MS);
  try {
    // The kernel starting proves ISOLINUX read it from the downloaded image.
    const isolinux = await vm.waitFor("ISOLINUX", 0, BOOT_TIMEOUT_MS / 3);
    await vm.waitFor("Linux version", isolinux, BOOT_TIMEOUT_MS / 3);
    expect(hostLines(vm.transcript, srv.url)).toEqual([`ringzero: ${srv.url}: server has no Range support: downloading the whole image`]);
    expect(srv.requests).toBe(1); // the probe's answer was the download
    expect(srv.served).toBe(iso.length);
    expect(await vm.leave("\x01x")).toBe(0);
  } finally {
    vm.kill();
  }
}, BOOT_TIMEOUT_MS);

test("hard disks over HTTP: readonly=on refuses the guest's writes, snapshot=on keeps them in memory", async () => {
  const disk = readFileSync(join(IMAGES, "disk.img"));
  const srv = new ImageServer({ bytes: disk, size: disk.length }, false, "disk.img");
  await srv.start();
  servers.push(srv);
  const vm = ringzeroGuest(manifest, [
    "-m", "128", "-nographic", "-no-reboot",
    // SeaBIOS and the CD, as tests/system/qemu-guest.test.ts: the guest's IDE disks are found after a firmware boot.
    "-cdrom", join(IMAGES, "cdrom.iso"), "-boot", "d",
    "-drive", `file=${srv.url},if=ide,index=0,media=disk,readonly=on`,
    "-drive", `file=${srv.url},format=raw,index=1,snapshot=on`,
  ], COMMAND_TIMEOUT_MS);
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS, 0, "CD boot shell with http disks");
    const ro = await vm.run(`mount -o ro /dev/sda /mnt && cat /mnt${manifest.disk.file}; umount /mnt`, at);
    expect(ro.output.trim()).toBe(manifest.disk.line);
    at = ro.next;
    const write = await vm.run("dd if=/dev/zero of=/dev/sda bs=512 count=1 conv=fsync; echo rc=$?", at);
    expect(write.output).toMatch(/^rc=1\s*$/m);
    at = write.next;
    // (Short command lines: a long one wraps on the guest's 80-column tty and its echo spills into the output.)
    const mount = await vm.run("mount /dev/sdb /mnt && echo kept > /mnt/new.txt && sync", at);
    expect(mount.output.trim()).toBe("");
    const rw = await vm.run(`cat /mnt/new.txt /mnt${manifest.disk.file}`, mount.next);
    expect(rw.output.trim().split(/\r?\n/)).toEqual(["kept", manifest.disk.line]);
    expect(await vm.leave("\x01x")).toBe(0);
  } finally {
    vm.kill();
  }
}, BOOT_TIMEOUT_MS);

/** Runs the command to its end (asynchronously: the server is in this process). */
function ringzero(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d: Buffer) => { stdout += d.toString("latin1"); });
    p.stderr.on("data", (d: Buffer) => { stderr += d.toString("latin1"); });
    const timer = setTimeout(() => p.kill("SIGKILL"), 30_000);
    p.on("exit", (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

test("a 404 ends the command with exit code 2 and one line naming the URL", async () => {
  const srv = await serve(0);
  const url = srv.url.replace("cdrom.iso", "missing.iso");
  const r = await ringzero(["-cdrom", url, "-boot", "d", "-nographic"]);
  expect(r.status).toBe(2);
  expect(r.stderr).toBe(`ringzero: CD-ROM image ${url}: the server answered 404 Not Found\n`);
  expect(r.stdout).toBe("");
});
