// Snapshots on the command line with a small ROM guest (the debugging ROM,
// tests/guest/gdb.asm -DHALT, halted with EAX=cafebabe) and a writable disk:
// the monitor's migrate file:PATH, then -incoming file:PATH refused in one line
// (exit 2) when the run differs in an image's bytes or the HPET, or when the
// file is hostile (a disk said to be huge, a deflate bomb as its section),
// with the disk and the file left as they were; and the same flags restore it.
// tests/system/snapshot.test.ts does the round trip with Linux.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, readFileSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { beforeAll, test, expect } from "vitest";
import { buildCli, buildDebugRom, startEmulator, typeIntoMonitor, waitForFile, ROOT, OUT } from "./debugrun";
import { crc32 } from "../../web/host/crc32";

const DIR = join(OUT, "snapshot-cli");
const DISK = join(DIR, "disk.img"), STATE = join(DIR, "halted.rzstate");
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
let rom = "";

/** The flags of the saving run, for a ROM and extra flags (startEmulator's own, spelled out for spawnSync). */
const flags = (bios: string, extra: string[] = []) =>
  ["-bios", bios, "-display", "none", "-nodefaults", "-m", "128", "-cpu", "pentium2", "-hda", DISK, ...extra];

function ringzero(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...args], { cwd: ROOT, input: "", timeout: 60_000, encoding: "latin1" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  buildCli();
  rom = buildDebugRom(true).rom;
  mkdirSync(DIR, { recursive: true });
  writeFileSync(DISK, new Uint8Array(1 << 20).map((_, i) => (i * 37) >>> 3));
  rmSync(STATE, { force: true });
  const debugcon = join(DIR, "debugcon.txt");
  rmSync(debugcon, { force: true });
  const emu = startEmulator("ringzero", rom, ["-hda", DISK, "-monitor", "stdio", "-debugcon", `file:${debugcon}`]);
  try {
    await waitForFile(debugcon, "done cafebabe\n");
    await typeIntoMonitor(emu, emu.output, [`migrate file:${STATE}`]);
    expect(await emu.exited).toBe(0);
  } finally {
    emu.kill();
  }
  expect(readFileSync(STATE).subarray(0, 4).toString("latin1")).toBe("RZSS");
}, 60_000);

/** Refused in one line with exit 2, the disk and the snapshot file untouched. */
function refused(args: string[], message: RegExp): void {
  const disk = sha256(readFileSync(DISK)), state = sha256(readFileSync(STATE));
  const r = ringzero(args);
  expect(r.stdout).toBe("");
  expect(r.stderr.split("\n").filter((l) => l)).toHaveLength(1);
  expect(r.stderr.trimEnd()).toMatch(message);
  expect(r.status).toBe(2);
  expect(sha256(readFileSync(DISK))).toBe(disk);
  expect(sha256(readFileSync(STATE))).toBe(state);
}

test("a BIOS that differs in one byte is refused, naming the image and both hashes", () => {
  const other = join(DIR, "gdb-halt-changed.bin");
  const bytes = readFileSync(rom);
  bytes[0x100] ^= 0x01;
  writeFileSync(other, bytes);
  const was = sha256(readFileSync(rom)).slice(0, 16), now = sha256(bytes).slice(0, 16);
  refused([...flags(other), "-incoming", `file:${STATE}`],
    new RegExp(`^ringzero: snapshot .*halted\\.rzstate: saved with bios gdb-halt\\.bin \\(sha256 ${was}\\), this run has gdb-halt-changed\\.bin \\(sha256 ${now}\\)$`));
});

test("a run without the HPET (-no-hpet, -machine hpet=off) refuses a snapshot made with one", () => {
  for (const off of [["-no-hpet"], ["-machine", "pc,hpet=off"]]) {
    refused([...flags(rom, off), "-incoming", `file:${STATE}`],
      /^ringzero: snapshot .*halted\.rzstate: saved with -machine hpet "on", this run has -machine hpet "off"$/);
  }
});

test("a hostile file (a huge or non-numeric disk size with a deflate bomb as the disk's section) is refused before it is inflated", () => {
  const good = readFileSync(STATE);
  const v = new DataView(good.buffer, good.byteOffset, good.byteLength);
  const n = v.getUint32(8, true);
  const h = JSON.parse(good.subarray(12, 12 + n).toString("utf8"));
  const k = h.sections.findIndex((s: { name: string }) => s.name === "disk0");
  expect(k).toBe(h.sections.length - 1);
  const before = good.subarray(12 + n, good.length - 4 - h.sections[k].stored);
  const bomb = deflateRawSync(new Uint8Array(64 << 20), { level: 9 });
  const hostile = (size: unknown, sectors: number) => {
    const head = { ...h, disks: [{ ...h.disks[0], size, sectors }], sections: h.sections.map((s: object, i: number) => i === k ? { ...s, size: 4 + sectors * 520, stored: bomb.length } : s) };
    const json = Buffer.from(JSON.stringify(head));
    const out = Buffer.alloc(12 + json.length + before.length + bomb.length + 4);
    good.copy(out, 0, 0, 12);
    out.writeUInt32LE(json.length, 8);
    json.copy(out, 12);
    out.set(before, 12 + json.length);
    out.set(bomb, 12 + json.length + before.length);
    out.writeUInt32LE(crc32(0, out.subarray(0, out.length - 4)), out.length - 4);
    const file = join(DIR, "hostile.rzstate");
    writeFileSync(file, out);
    return file;
  };
  refused([...flags(rom), "-incoming", `file:${hostile(2 ** 50, 2 ** 41)}`],
    /^ringzero: snapshot .*hostile\.rzstate: disk 0 was 1125899906842624 bytes, this one is 1048576$/);
  refused([...flags(rom), "-incoming", `file:${hostile("lots", 2 ** 22)}`],
    /^ringzero: snapshot .*hostile\.rzstate: disk 0 was "lots" bytes, this one is 1048576$/);
  // Within the disk's size: inflating stops there.
  refused([...flags(rom), "-incoming", `file:${hostile(1 << 20, 2048)}`],
    /^ringzero: snapshot .*hostile\.rzstate: section disk0 does not decompress \(.*\)$/);
});

test("the same flags restore it: the ROM is halted where it was saved", async () => {
  copyFileSync(STATE, join(DIR, "copy.rzstate"));
  const emu = startEmulator("ringzero", rom, ["-hda", DISK, "-monitor", "stdio", "-incoming", `file:${join(DIR, "copy.rzstate")}`]);
  try {
    await typeIntoMonitor(emu, emu.output, ["info registers"]);
    expect(await emu.exited).toBe(0);
    expect(emu.output()).toContain("EAX=cafebabe");
    expect(emu.output()).not.toMatch(/ringzero: /);
  } finally {
    emu.kill();
  }
});
