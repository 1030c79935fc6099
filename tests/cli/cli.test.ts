// The ringzero command as users run it (bin/ringzero.mjs -> build/cli/ringzero.mjs):
// exit codes, one-line errors, Multiboot boot compared with qemu-system-i386
// -kernel, resets, isa-debug-exit, output backends and the Ctrl-A x escape.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, test, expect } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "build/guest");
const MB = join(OUT, "mbkernel.elf");
const MBRESET = join(OUT, "mbreset.elf");
const MBLOW = join(OUT, "mbkernel8000.elf");
const MBHALT = join(OUT, "mbhalt.elf");
const EXIT_DEV = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"];

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, "tools/build-cli.mjs")], { cwd: ROOT });
  mkdirSync(OUT, { recursive: true });
  execFileSync("nasm", ["-f", "bin", "-o", MB, join(ROOT, "tests/guest/mbkernel.asm")]);
  execFileSync("nasm", ["-f", "bin", "-DRESET_TEST", "-o", MBRESET, join(ROOT, "tests/guest/mbkernel.asm")]);
  execFileSync("nasm", ["-f", "bin", "-DHALT_END", "-o", MBHALT, join(ROOT, "tests/guest/mbkernel.asm")]);
  execFileSync("nasm", ["-f", "bin", "-DLOAD=0x8000", "-DBSS_PAD=0x2000", "-o", MBLOW, join(ROOT, "tests/guest/mbkernel.asm")]);
  writeFileSync(join(OUT, "mod1.txt"), "module one\0");
  writeFileSync(join(OUT, "mod2.txt"), "second\0");
});

function ringzero(args: string[], opts: { input?: string; timeout?: number; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...args], {
    cwd: ROOT, input: opts.input ?? "", timeout: opts.timeout ?? 30_000, encoding: "latin1", env: { ...process.env, ...opts.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

describe("usage errors: exit 2 and one line on stderr", () => {
  test.each([
    [["-frobnicate"], "ringzero: -frobnicate: unknown or unsupported option (ringzero -help lists the supported ones)"],
    [["-gdb", "unix:x"], "ringzero: -gdb unix:x: the gdb stub listens on TCP only: -gdb tcp::PORT or -gdb tcp:HOST:PORT"],
    [["-kernel", "no/such/kernel"], "ringzero: kernel no/such/kernel: no such file"],
    [["-kernel", "package.json"], "ringzero: not a bootable kernel: no Linux \"HdrS\" setup header at 0x202 and no Multiboot header in the first 8 KiB"],
    [["-kernel", "build/guest/mbkernel.elf", "-initrd", "no/such/module"], "ringzero: Multiboot module no/such/module: no such file"],
    [["-hda", "no/such/disk.img"], "ringzero: disk image no/such/disk.img: no such file"],
    [["-cdrom", "no/such/cd.iso"], "ringzero: CD-ROM image no/such/cd.iso: no such file"],
    [["-bios", "no/such/bios.bin"], "ringzero: BIOS image no/such/bios.bin: no such file"],
    [["-kernel", "build/guest/mbkernel.elf", "-incoming", "file:no/such/state.rz"], "ringzero: -incoming snapshot no/such/state.rz: no such file"],
    [["-kernel", "build/guest/mbkernel.elf", "-incoming", "file:package.json"], "ringzero: snapshot package.json: not a RingZero snapshot"],
    [["-cdrom", "http://127.0.0.1:2/cd.iso"], "ringzero: CD-ROM image http://127.0.0.1:2/cd.iso: could not connect (ECONNREFUSED)"],
    [["-hda", "http://127.0.0.1:2/d.img"], "ringzero: drive http://127.0.0.1:2/d.img: an image read over HTTP is read-only: give -drive ...,readonly=on or -snapshot (writes then stay in memory)"],
    [["-bios", "package.json"], /^ringzero: BIOS image must be a multiple of 64 KiB/],
    [["-kernel", "public/images/bzImage", "-append", "console=ttyS0 vga=0x344", "-vga", "none"],
      "ringzero: -vga none: the kernel's vga=0x344 asks for a VESA mode of the std VGA, which -vga none leaves out (drop vga= or use -vga std)"],
    [["-m", "3G"], "ringzero: -m 3G: memory must be from 1 MiB to 2048 MiB"],
    [["-smp", "2"], "ringzero: -smp 2: 2 CPUs; SMP is not supported (RingZero has one CPU: -smp 1)"],
    [["-icount", "shift=11"], "ringzero: -icount shift=11: shift must be a number from 0 to 10 or auto"],
    [["-icount", "shift=7,rr=rewind,rrfile=r.bin"], "ringzero: -icount shift=7,rr=rewind,rrfile=r.bin: rr must be record, replay or off"],
    [["-rtc", "base=2006-13-40"], "ringzero: -rtc base=2006-13-40: base must be utc, localtime or a date as 2006-06-17T16:01:21"],
    [["gdb-bridge", "--port", "x"], "ringzero: gdb-bridge: --port needs a port number (1-65535), got 'x'"],
    [["gdb-bridge", "--ws-port=70000"], "ringzero: gdb-bridge: --ws-port needs a port number (1-65535), got '70000'"],
    [["gdb-bridge", "--port", "4000", "--ws-port", "4000"], "ringzero: gdb-bridge: --port and --ws-port must differ"],
    [["gdb-bridge", "-s"], "ringzero: gdb-bridge: unknown argument '-s' (ringzero gdb-bridge --help lists them)"],
    [["-rtc", "clock=utc"], "ringzero: -rtc clock=utc: clock must be host, rt or vm"],
    [["-icount", "shift=3", "-rtc", "clock=host"],
      "ringzero: -rtc clock=host|rt: -icount shift=3 is deterministic time, which the RTC follows (clock=vm); use -icount shift=auto for an RTC on the host's clock"],
  ])("%j", (args, expected) => {
    const r = ringzero(args as string[]);
    expect(r.status).toBe(2);
    const lines = r.stderr.split("\n").filter((l) => l);
    expect(lines).toHaveLength(1);
    if (typeof expected === "string") expect(lines[0]).toBe(expected);
    else expect(lines[0]).toMatch(expected);
    expect(r.stdout).toBe("");
  });

  test.each([
    [{ RINGZERO_TRANSLATE: "often" }, [], 'ringzero: RINGZERO_TRANSLATE must be "off" or a whole number of executions, got "often"'],
    [{ RINGZERO_COMPILE: "elsewhere" }, [], 'ringzero: RINGZERO_COMPILE must be "here" or "thread", got "elsewhere"'],
    [{ RINGZERO_COMPILE: "thread" }, ["-icount", "shift=3,rr=record,rrfile=build/guest/never.rzrr"],
      "ringzero: RINGZERO_COMPILE=thread: not with -icount rr=record (which code runs translated when would depend on the host's timing)"],
  ])("environment %j %j", (env, args, expected) => {
    const r = ringzero(["-kernel", "build/guest/mbkernel.elf", ...args], { env });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${expected}\n`);
    expect(r.stdout).toBe("");
  });

  test("gdb-bridge: a port in use is one line and exit 1", async () => {
    const { createServer } = await import("node:net");
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", () => r()));
    const port = (busy.address() as { port: number }).port;
    const r = ringzero(["gdb-bridge", "--port", String(port)]);
    busy.close();
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`ringzero: gdb-bridge: cannot listen for gdb on 127.0.0.1:${port} (EADDRINUSE)\n`);
  });

  test("-help prints the usage and exits 0", () => {
    const r = ringzero(["-help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: ringzero/);
  });
});

describe("Multiboot -kernel", () => {
  const args = ["-kernel", "build/guest/mbkernel.elf", "-m", "32", "-display", "none", "-no-reboot", ...EXIT_DEV, "-serial", "none",
    "-append", "hello world", "-initrd", "build/guest/mod1.txt arg1 arg2,build/guest/mod2.txt"];
  const expected = [
    "MB OK",
    "magic=2BADB002 ebx=00009500 flags=0000024F mem_lower=0000027F",
    "mmap0=0000000000000000 000000000009FC00 00000001",
    "cmdline=build/guest/mbkernel.elf hello world",
    "mods_count=00000002",
    "mod0=build/guest/mod1.txt arg1 arg2",
    "mod0 data=module one",
    "",
  ].join("\n");

  test("boots with the same boot information as qemu-system-i386 -kernel", () => {
    const rz = ringzero([...args, "-debugcon", "stdio"]);
    expect(rz.stderr).toBe("");
    expect(rz.stdout).toBe(expected);
    expect(rz.status).toBe(67); // isa-debug-exit: (0x21 << 1) | 1
    const log = join(OUT, "mbkernel.qemu.txt");
    rmSync(log, { force: true });
    const q = spawnSync("qemu-system-i386", [...args, "-debugcon", `file:${log}`], { cwd: ROOT, timeout: 30_000 });
    expect(q.status).toBe(67);
    expect(readFileSync(log, "latin1")).toBe(rz.stdout);
  });

  test("a kernel at 0x8000 whose bss covers 0x9000: the boot information goes elsewhere, intact", () => {
    // qemu-system-i386 7.2 boots it with EBX = 0x9500 and its bss clearing zeroes
    // the information there (flags=0), so qemu is not the reference here.
    const r = ringzero(["-kernel", "build/guest/mbkernel8000.elf", "-m", "32", "-display", "none", "-no-reboot", ...EXIT_DEV,
      "-serial", "none", "-append", "low", "-debugcon", "stdio"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^MB OK\nmagic=2BADB002 ebx=([0-9A-F]{8}) flags=0000024F mem_lower=0000027F\n/);
    const ebx = parseInt(/ebx=([0-9A-F]{8})/.exec(r.stdout)![1], 16);
    expect(ebx >= 0x8000 + 0x2000 || ebx + 88 <= 0x8000).toBe(true); // clear of the segment
    expect(r.stdout).toContain("mmap0=0000000000000000 000000000009FC00 00000001\ncmdline=build/guest/mbkernel8000.elf low\n");
    expect(r.status).toBe(67);
  });

  test("-debugcon file: and -serial file: write files", () => {
    const dbg = join(OUT, "mb.debugcon.txt"), ser = join(OUT, "mb.serial.txt");
    rmSync(dbg, { force: true });
    const i = args.indexOf("-serial");
    const withoutSerial = [...args.slice(0, i), ...args.slice(i + 2)];
    const r = ringzero([...withoutSerial, "-debugcon", `file:${dbg}`, "-serial", `file:${ser}`]);
    expect(r.status).toBe(67);
    expect(readFileSync(dbg, "latin1")).toBe(expected);
    expect(existsSync(ser)).toBe(true);
  });
});

test("-icount shift=N and -rtc base=DATE: the timers agree on one second in deterministic time", () => {
  const rom = join(OUT, "clock.bin");
  execFileSync("nasm", ["-f", "bin", "-I", join(ROOT, "tests/guest/"), "-o", rom, join(ROOT, "tests/guest/clock.asm")]);
  const args = ["-bios", rom, "-icount", "shift=6", "-rtc", "base=2006-06-17T16:01:21,clock=vm", "-display", "none", "-debugcon", "stdio", ...EXIT_DEV];
  const a = ringzero(args), b = ringzero(args);
  expect(a.stdout).toBe("pit ok\nlapic ok\ntsc ok\n");
  expect(a.status).toBe(1); // EXIT 0: (0 << 1) | 1
  expect(b.stdout).toBe(a.stdout);
});

test("-cpu MODEL,+nx / ,-pae reach the machine: CPUID reports what was asked, as qemu's does", () => {
  const rom = join(OUT, "cpuid_nx.bin");
  execFileSync("nasm", ["-f", "bin", "-I", join(ROOT, "tests/guest/"), "-o", rom, join(ROOT, "tests/guest/cpuid_nx.asm")]);
  const args = (cpu: string) => ["-bios", rom, "-cpu", cpu, "-display", "none", "-debugcon", "stdio", ...EXIT_DEV];
  const qemu = (cpu: string) => spawnSync("qemu-system-i386", args(cpu), { encoding: "latin1", timeout: 30_000 }).stdout;
  for (const [cpu, want] of [["pentium2", "pae end"], ["pentium2,+nx", "pae nx end"], ["pentium2,-pae,+nx", "nx end"], ["pentium2,-pae", "end"],
    ["pentium3", "pae end"], ["coreduo", "pae nx end"], ["coreduo,-nx", "pae end"]]) {
    expect(ringzero(args(cpu)).stdout).toBe(want);
    expect(qemu(cpu)).toBe(want);
  }
});

describe("resets and exits", () => {
  const base = ["-kernel", "build/guest/mbreset.elf", "-m", "16", "-display", "none", "-debugcon", "stdio"];

  test("-no-reboot: a triple fault ends the run with status 0 and one notice", () => {
    const r = ringzero([...base, "-no-reboot", ...EXIT_DEV]);
    expect(r.stdout).toBe("boot\n");
    expect(r.stderr).toBe("ringzero: guest reset (triple fault); exiting because of -no-reboot\n");
    expect(r.status).toBe(0);
  });

  test("without -no-reboot the machine resets and boots the kernel again", () => {
    const r = ringzero([...base, ...EXIT_DEV]);
    expect(r.stdout).toBe("boot\nboot\nboot\n");
    expect(r.status).toBe(85); // (0x2a << 1) | 1 on the third boot
  });

  test("without -device isa-debug-exit, port 0xF4 does nothing (as in QEMU)", () => {
    const r = ringzero([...base, "-no-reboot"]);
    expect(r.stdout).toBe("boot\n");
    expect(r.status).toBe(0); // the #UD after the port write resets the machine
  });
});

test("a guest halted with nothing to wake it keeps running until a signal, as under QEMU, even with stdin closed", async () => {
  // Nothing can wake the guest (no timer, every IRQ masked). Before, Node's
  // event loop emptied and the process ended on its own with status 0,
  // skipping its clean-up.
  const child = spawn(process.execPath, [join(ROOT, "bin/ringzero.mjs"), "-kernel", "build/guest/mbhalt.elf", "-m", "16",
    "-display", "none", "-debugcon", "stdio"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.on("data", (d: Buffer) => { out += d.toString("latin1"); });
  child.stderr.on("data", (d: Buffer) => { err += d.toString("latin1"); });
  const code = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  const end = Date.now() + 15_000;
  while (!out.includes("mods_count=") && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  expect(out).toMatch(/^MB OK\n/);
  await new Promise((r) => setTimeout(r, 1500));
  expect(child.exitCode).toBeNull();
  child.kill("SIGTERM");
  expect(await code).toBe(0);
  expect(err).toBe("ringzero: terminating on signal SIGTERM\n");
});

test("-nographic: Ctrl-A x on the console quits and the terminal output says so", async () => {
  // mbkernel without isa-debug-exit spins after its report; only the escape ends it
  const child = spawn(process.execPath, [join(ROOT, "bin/ringzero.mjs"), "-kernel", "build/guest/mbkernel.elf", "-m", "16",
    "-nographic", "-debugcon", `file:${join(OUT, "mb.ctrla.txt")}`], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => { out += d.toString("latin1"); });
  const code = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  await new Promise((r) => setTimeout(r, 500));
  child.stdin.write("\x01h");
  child.stdin.write("\x01x");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  expect(await code).toBe(0);
  clearTimeout(timer);
  expect(out).toContain("C-a x    exit emulator");
  expect(out).toContain("ringzero: terminated");
  expect(readFileSync(join(OUT, "mb.ctrla.txt"), "latin1")).toMatch(/^MB OK\n/);
});

test("-nographic: SeaBIOS's screen output (banner, boot attempts, failure) reaches the serial console, as under QEMU", async () => {
  // QEMU tells SeaBIOS there is no display (fw_cfg NOGRAPHIC), and SeaBIOS then
  // mirrors its screen to COM1 (etc/sercon-port 0x3f8). A CD of zeros is not bootable.
  writeFileSync(join(OUT, "nonboot.iso"), new Uint8Array(1 << 20));
  const child = spawn(process.execPath, [join(ROOT, "bin/ringzero.mjs"), "-cdrom", "build/guest/nonboot.iso", "-boot", "d",
    "-m", "32", "-nographic"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  const failed = new Promise<void>((r) => child.stdout.on("data", (d: Buffer) => {
    out += d.toString("latin1");
    if (/Boot failed.*\r?\n/.test(out)) r();
  }));
  const code = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  await Promise.race([failed, new Promise((r) => setTimeout(r, 60_000))]);
  child.stdin.write("\x01x");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  expect(await code).toBe(0);
  clearTimeout(timer);
  expect(out).toMatch(/SeaBIOS \(version [^)]+\)/);
  expect(out).toContain("Booting from DVD/CD...");
  expect(out).toContain("Boot failed: Could not read from CDROM (code 0005)"); // qemu 7.2 prints the same
}, 90_000);
