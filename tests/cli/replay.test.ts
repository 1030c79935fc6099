// Record/replay on the command line (-icount ...,rr=record|replay,rrfile=FILE,
// web/host/replay.ts) with small ROM guests: a replay gives the recorded output
// and instruction count, serves a writable disk's reads from the recording
// without touching the image, and refuses recordings that do not fit the run.
// tests/system/replay.test.ts does the same with Linux and typed commands.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, test, expect } from "vitest";
import { crc32 } from "../../web/host/crc32";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "build/guest/replay");
const EXIT_DEV = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"];

function ringzero(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...args], { cwd: ROOT, input: "", timeout: 60_000, encoding: "latin1" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const recorded = (stderr: string) => /recorded (\d+) instructions/.exec(stderr)?.[1];
const replayed = (stderr: string) => /replay finished at instruction (\d+), as recorded/.exec(stderr)?.[1];

function assemble(name: string): string {
  const out = join(OUT, `${name}.bin`);
  execFileSync("nasm", ["-f", "bin", "-I", join(ROOT, "tests/guest/"), "-o", out, join(ROOT, `tests/guest/${name}.asm`)]);
  return out;
}

/** The 1 MiB disk tests/guest/ata.test.ts uses: every byte depends on sector and offset. */
function diskImage(): Uint8Array {
  const a = new Uint8Array(2048 * 512);
  for (let s = 0; s < 2048; s++) for (let i = 0; i < 512; i++) a[s * 512 + i] = (Math.imul(s + 1, 0x9e3779b1) + Math.imul(i + 7, 0x85ebca6b)) >>> 24;
  return a;
}

let clockRom: string, ataRom: string;
beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, "tools/build-cli.mjs")], { cwd: ROOT });
  mkdirSync(OUT, { recursive: true });
  clockRom = assemble("clock");
  ataRom = assemble("ata_pio");
});

test("real time: a replay of the timer test gives the recorded output and instruction count", () => {
  // In real time the guest's timers follow the host clock, so two live runs
  // differ in their instruction counts; the recording carries the clock. The
  // guest times one RTC second with the other timers: -rtc clock=vm, since
  // under clock=host (the default) a host that starves the run past 1 s (a
  // loaded machine, often at start) makes the RTC's seconds jump.
  const file = join(OUT, "clock.rr");
  const args = ["-bios", clockRom, "-display", "none", "-debugcon", "stdio", "-rtc", "clock=vm", ...EXIT_DEV];
  const rec = ringzero([...args, "-icount", `shift=auto,rr=record,rrfile=${file}`]);
  expect(rec.stdout).toBe("pit ok\nlapic ok\ntsc ok\n");
  expect(rec.status).toBe(1);
  const n = recorded(rec.stderr);
  expect(n).toMatch(/^\d+$/);
  const rep = ringzero([...args, "-icount", `shift=auto,rr=replay,rrfile=${file}`]);
  expect(rep.stdout).toBe(rec.stdout);
  expect(rep.status).toBe(1);
  expect(replayed(rep.stderr)).toBe(n);
});

test("a writable disk: replay reads what the recorded run read and writes nothing", () => {
  const disk = join(OUT, "disk.img"), file = join(OUT, "ata.rr");
  writeFileSync(disk, diskImage());
  const args = ["-bios", ataRom, "-hda", disk, "-display", "none", "-debugcon", "stdio", ...EXIT_DEV];
  const rec = ringzero([...args, "-icount", `shift=3,rr=record,rrfile=${file}`]);
  expect(rec.stdout).toMatch(/^sig 01\.01\.00\.00\.a0\n/);
  expect(rec.stdout).toMatch(/\nwrite st=50 /);
  const afterRecord = readFileSync(disk);
  expect(Buffer.compare(afterRecord, Buffer.from(diskImage()))).not.toBe(0); // the guest wrote sectors 9-10
  // Change what the guest reads first (sectors 5-7): a replay that read the file would differ.
  const changed = Buffer.from(afterRecord);
  changed.fill(0xee, 5 * 512, 8 * 512);
  writeFileSync(disk, changed);
  const rep = ringzero([...args, "-icount", `shift=3,rr=replay,rrfile=${file}`]);
  expect(rep.stdout).toBe(rec.stdout);
  expect(rep.status).toBe(rec.status);
  expect(replayed(rep.stderr)).toBe(recorded(rec.stderr));
  expect(Buffer.compare(readFileSync(disk), changed)).toBe(0);
});

describe("recordings that do not fit are refused with one line, exit 2", () => {
  const file = join(OUT, "ok.rr");
  const args = ["-bios", "", "-display", "none", "-debugcon", "stdio", ...EXIT_DEV];
  const withRom = (rom: string, extra: string[] = []) => { const a = [...args, ...extra]; a[1] = rom; return a; };
  beforeAll(() => {
    const rec = ringzero([...withRom(clockRom), "-icount", `shift=6,rr=record,rrfile=${file}`]);
    expect(rec.status).toBe(1);
  });
  const refused = (argv: string[], message: RegExp) => {
    const r = ringzero(argv);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.status).toBe(2);
  };

  test("another image", () => {
    refused([...withRom(ataRom), "-icount", `shift=6,rr=replay,rrfile=${file}`],
      /^ringzero: replay file .*ok\.rr: recorded with bios clock\.bin \(sha256 [0-9a-f]{16}\), this run has ata_pio\.bin \(sha256 [0-9a-f]{16}\)$/m);
  });
  test("other settings", () => {
    refused([...withRom(clockRom, ["-m", "64"]), "-icount", `shift=6,rr=replay,rrfile=${file}`],
      /^ringzero: replay file .*ok\.rr: recorded with -m "128", this run has -m "64"$/m);
    refused([...withRom(clockRom), "-icount", `shift=5,rr=replay,rrfile=${file}`],
      /recorded with -icount "shift=6", this run has -icount "shift=5"$/m);
    // The HPET's presence is machine state: a run without one executes differently.
    refused([...withRom(clockRom, ["-no-hpet"]), "-icount", `shift=6,rr=replay,rrfile=${file}`],
      /recorded with -machine hpet "on", this run has -machine hpet "off"$/m);
  });
  test("a corrupt, cut short or foreign file", () => {
    const good = readFileSync(file);
    const flipped = Buffer.from(good); flipped[flipped.length - 40] ^= 0x10;
    writeFileSync(join(OUT, "flipped.rr"), flipped);
    refused([...withRom(clockRom), "-icount", `shift=6,rr=replay,rrfile=${join(OUT, "flipped.rr")}`], /flipped\.rr: checksum mismatch \(the file is corrupt\)$/m);
    writeFileSync(join(OUT, "cut.rr"), good.subarray(0, good.length - 100));
    refused([...withRom(clockRom), "-icount", `shift=6,rr=replay,rrfile=${join(OUT, "cut.rr")}`], /cut\.rr: no end record \(the recording was cut short\)$/m);
    refused([...withRom(clockRom), "-icount", "shift=6,rr=replay,rrfile=package.json"], /package\.json: not a RingZero recording$/m);
    rmSync(join(OUT, "none.rr"), { force: true });
    refused([...withRom(clockRom), "-icount", `shift=6,rr=replay,rrfile=${join(OUT, "none.rr")}`], /none\.rr: no such file$/m);
  });
  test("a recording made by another build of the machine, or in another format", () => {
    // The header names the machine module by SHA-256; another build's file,
    // intact (its CRC-32 made anew), is refused naming both.
    const good = Buffer.from(readFileSync(file));
    const n = good.readUInt32LE(8);
    const header = JSON.parse(good.subarray(12, 12 + n).toString("utf8")) as { machine: string };
    const other = Buffer.from(good);
    const foreign = (header.machine[0] === "0" ? "1" : "0") + header.machine.slice(1);
    other.write(foreign, good.indexOf(`"${header.machine}"`, 12) + 1, "latin1");
    other.writeUInt32LE(crc32(0, other.subarray(0, other.length - 4)), other.length - 4);
    writeFileSync(join(OUT, "other-build.rr"), other);
    refused([...withRom(clockRom), "-icount", `shift=6,rr=replay,rrfile=${join(OUT, "other-build.rr")}`],
      new RegExp(`other-build\\.rr: recorded by RingZero \\S+ \\(machine ${foreign.slice(0, 12)}\\), this is \\S+ \\(machine ${header.machine.slice(0, 12)}\\)$`, "m"));
    const format = Buffer.from(good);
    format.writeUInt32LE(format.readUInt32LE(4) + 1, 4);
    writeFileSync(join(OUT, "format.rr"), format);
    refused([...withRom(clockRom), "-icount", `shift=6,rr=replay,rrfile=${join(OUT, "format.rr")}`],
      new RegExp(`format\\.rr: format ${good.readUInt32LE(4) + 1}; this RingZero reads format ${good.readUInt32LE(4)}$`, "m"));
  });
  test("flag combinations", () => {
    refused(["-icount", "shift=6,rr=record"], /^ringzero: -icount shift=6,rr=record: rr=record needs rrfile=FILE$/m);
    refused(["-icount", "shift=6,rrfile=x.rr"], /rrfile= needs rr=record or rr=replay$/);
    refused(["-icount", "rr=record,rrfile=x.rr", "-s"], /rr=record: the gdb stub cannot be used while recording \(it can change the machine\); debug the replay \(rr=replay with -s or -gdb\)$/);
    refused(["-icount", "rr=record,rrfile=x.rr,rrinterval=1000"], /rrinterval= is for rr=replay \(checkpoints for reverse execution\)$/);
    refused(["-icount", "shift=6,rr=record,rrfile=x.rr,rrsnapshot=init"], /rrsnapshot .* is not supported yet$/);
  });
});
