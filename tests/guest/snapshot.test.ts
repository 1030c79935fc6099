// Snapshots (web/host/snapshot.ts) cut into running guest programs: each program
// runs once unbroken; then, for cut points spread over the whole run, a machine
// runs to the cut, is saved, and a fresh machine restored from the file runs to
// the end. Every restored run must end exactly as the unbroken one: the same
// port 0xE9 output, exit code, instruction count, RAM and disk contents. The
// programs cover a DMA transfer through a PRD table (ata_dma), timer interrupts
// from the 8254 through the 8259A with HLT (chipset_pic_pit), the UART
// (chipset_uart), VGA drawing through the latches and write modes (vga_12h,
// vga_modex, and Bochs VBE: vga_vbe8, vga_vbe32: the VGA picture is compared too), translated code (the translator's random chunks, translated
// from their second execution), NMI blocking (nmi), the HPET's comparators
// and legacy route (hpet), and VMX (vmx: cuts in VMX root and non-root
// operation, the current-VMCS and VMXON pointers in the CPU block); the
// machine that was saved also runs on to the same end, so saving does not
// disturb it.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect } from "vitest";
import { assemble, translation } from "./harness";
import { buildJitRom } from "./jit_gen";
import { Machine, STOP, RING, type CpuFeatures } from "../../web/host/machine";
import { MemoryBackend, WriteLog, DRIVE } from "../../web/host/block";
import { save, restore, SnapshotError, type Codec, type SnapshotDisk, type RunIdentity } from "../../web/host/snapshot";
import { crc32 } from "../../web/host/crc32";
import { OFF_XMM, OFF_MXCSR } from "../../web/host/cpustate";
import { ppm } from "../../web/host/vgarender";
import { zlibCodec, backendSha256 } from "../../web/cli/snapshot";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const wasm = readFileSync(join(ROOT, "build/ringzero.wasm"));
const identity: RunIdentity = { settings: { "-m": "32" }, images: [] };

function diskImage(): Uint8Array {
  const a = new Uint8Array(2048 * 512);
  for (let s = 0; s < 2048; s++) for (let i = 0; i < 512; i++) a[s * 512 + i] = (Math.imul(s + 1, 0x9e3779b1) + Math.imul(i + 7, 0x85ebca6b)) >>> 24;
  return a;
}

interface Guest { m: Machine; disk?: MemoryBackend; disks: SnapshotDisk[]; out: string }

async function start(rom: Uint8Array, withDisk: boolean, translate: { translate: boolean; translateAfter?: number }, cpu?: CpuFeatures): Promise<Guest> {
  const m = await Machine.create({ wasm, ramBytes: 32 << 20, cpu, ...translate });
  m.setIcountShift(2);
  const g: Guest = { m, disks: [], out: "" };
  if (withDisk) {
    g.disk = new MemoryBackend(diskImage());
    const log = new WriteLog(g.disk);
    g.disks.push({ drive: 0, log, sha256: backendSha256 });
    m.attachDrive(0, DRIVE.DISK, log);
  }
  m.loadBios(rom);
  return g;
}

/** Run until the guest exits, or until `until` instructions have retired. */
function runTo(g: Guest, until = Infinity): "exit" | "cut" {
  for (let guard = 0; guard < 100_000; guard++) {
    const left = until - Number(g.m.instructions);
    if (left <= 0) return "cut";
    const r = g.m.run(Math.min(left, 1_000_000));
    g.out += new TextDecoder("latin1").decode(g.m.drain(RING.DEBUGCON));
    if (r === STOP.EXIT) return "exit";
    if (r === STOP.RESET || (r === STOP.HALT && g.m.timeUntilDeadline() < 0)) throw new Error(`guest stopped (${r}) at ${g.m.instructions}`);
  }
  throw new Error("guest ran too long");
}

function ending(g: Guest) {
  return {
    out: g.out, exit: g.m.exitCode, instructions: g.m.instructions,
    ram: createHash("sha256").update(g.m.ram()).digest("hex"),
    disk: g.disk ? createHash("sha256").update(g.disk.data).digest("hex") : "",
    vga: createHash("sha256").update(ppm(g.m.vgaImage())).digest("hex"),
  };
}

async function cutAndRestore(rom: Uint8Array, withDisk: boolean, cuts: number, translate = translation(), extraCuts: number[] = [], cpu?: CpuFeatures) {
  const whole = await start(rom, withDisk, translate, cpu);
  expect(runTo(whole)).toBe("exit");
  const end = ending(whole);
  const total = Number(end.instructions);
  expect(total).toBeGreaterThan(2_000);
  const points: number[] = [];
  for (let i = 1; i <= cuts; i++) {
    // Cut points spread over the run, off any round number.
    points.push(Math.floor((total * i) / (cuts + 1)) + (i * 7919) % Math.max(1, Math.floor(total / (2 * cuts + 2))));
  }
  for (const at of [...points, ...extraCuts]) {
    const a = await start(rom, withDisk, translate, cpu);
    expect(runTo(a, at)).toBe("cut");
    const file = await save(a.m, { identity, disks: a.disks }, zlibCodec);
    const b = await start(rom, withDisk, translate, cpu);
    await restore(b.m, file, `cut at ${at}`, identity, zlibCodec, b.disks);
    expect(b.m.instructions).toBe(a.m.instructions);
    b.out = a.out; // what the guest wrote before the cut was already taken from the ring
    expect(runTo(b), `restored at ${at}`).toBe("exit");
    expect(ending(b), `restored at ${at} of ${total}`).toEqual(end);
    expect(runTo(a), `saved at ${at}`).toBe("exit");
    expect(ending(a), `saved at ${at} of ${total}`).toEqual(end);
  }
}

const rom = (name: string) => new Uint8Array(readFileSync(assemble(name)));

test("snapshots cut into IDE bus-master DMA restore to the same end, disk included", async () => {
  await cutAndRestore(rom("ata_dma"), true, 12);
}, 120_000);

test("snapshots cut into timer interrupts (8254, 8259A, HLT) restore to the same end", async () => {
  await cutAndRestore(rom("chipset_pic_pit"), false, 12);
}, 120_000);

test("snapshots cut into UART transfers restore to the same end", async () => {
  await cutAndRestore(rom("chipset_uart"), false, 8);
}, 120_000);

test("snapshots cut into VGA drawing (latches, write modes, planar and unchained memory) restore to the same end and picture", async () => {
  await cutAndRestore(rom("vga_12h"), false, 8);
  await cutAndRestore(rom("vga_modex"), false, 4);
}, 180_000);

test("snapshots cut into Bochs VBE drawing (banked window, linear framebuffer BAR, BAR2) restore to the same end and picture", async () => {
  await cutAndRestore(rom("vga_vbe8"), false, 4);
  await cutAndRestore(rom("vga_vbe32"), false, 4);
}, 300_000);

test("snapshots cut into translated code restore to the same end (translations are dropped and made again)", async () => {
  await cutAndRestore(new Uint8Array(readFileSync(buildJitRom(0x5eed2, 120))), false, 10, { translate: true, translateAfter: 1 });
}, 180_000);

test("snapshots cut into HPET comparator interrupts (periodic, one-shot, legacy route, level status) restore to the same end", async () => {
  // Translated from the first execution as well as interpreted: the program's
  // loops poll the HPET's counter, and a block's device reads see the
  // instruction count of their own instruction (asm/cpu/jit.ts atInstruction),
  // so the loops spin the same number of times however the host's slices and
  // the restore cut the block chains.
  await cutAndRestore(rom("hpet"), false, 12, { translate: false });
  await cutAndRestore(rom("hpet"), false, 12, { translate: true, translateAfter: 1 });
}, 180_000);
test("snapshots cut into SSE code (XMM registers, MXCSR, IA32_MISC_ENABLE) restore to the same end", async () => {
  // tests/guest/sse.asm prints XMM/MXCSR values read back through FXSAVE: a
  // restore that lost them changes the output after the cut.
  await cutAndRestore(rom("sse"), false, 3, translation(), [], { model: "coreduo" });
  // And the registers themselves, at a cut where they hold random values.
  const cpu = { model: "coreduo" } as const;
  const a = await start(rom("sse"), false, translation(), cpu);
  expect(runTo(a, 400_000)).toBe("cut");
  const b = await start(rom("sse"), false, translation(), cpu);
  await restore(b.m, await save(a.m, { identity, disks: [] }, zlibCodec), "sse cut", identity, zlibCodec, []);
  const xmm = (g: Guest) => new Uint8Array(g.m.cpuState().buffer, g.m.cpuState().byteOffset + OFF_XMM, OFF_MXCSR + 4 - OFF_XMM).slice();
  expect(xmm(a).some((x) => x !== 0)).toBe(true);
  expect(xmm(b)).toEqual(xmm(a));
}, 120_000);

test("snapshots cut into NMI handling (an NMI held while blocked) restore to the same end", async () => {
  // One cut where an NMI is held pending while NMIs are blocked (cpu/state.ts
  // OFF_NMI = 0x2A8, bits pending|blocked): found by running in small steps; the
  // restored run must still take that NMI exactly once, after the IRET.
  const r = rom("nmi");
  const probe = await start(r, false, translation());
  let held = 0;
  for (let n = 1000; n < 5_000_000 && held === 0; n += 1000) {
    if (runTo(probe, n) === "exit") break;
    if (probe.m.cpuState().getUint32(0x2a8, true) === 3) held = n;
  }
  expect(held).toBeGreaterThan(0);
  await cutAndRestore(r, false, 6, translation(), [held]);
}, 180_000);

test("snapshots cut into VMX operation (root and non-root, a current VMCS) restore to the same end", async () => {
  // Cuts where a guest runs in VMX non-root operation (cpu/state.ts
  // OFF_VMX_MODE = 0x600: 3 = VMX operation | non-root), found by probing.
  const r = rom("vmx");
  const vmx: CpuFeatures = { model: "coreduo", nx: false, vmx: true }; // as vmx.test.ts: the ROM runs MONITOR/MWAIT
  const probe = await start(r, false, translation(), vmx);
  const inGuest: number[] = [];
  for (let n = 200; n < 5_000_000 && inGuest.length < 3; n += 200) {
    if (runTo(probe, n) === "exit") break;
    if (probe.m.cpuState().getUint32(0x600, true) === 3 && inGuest.every((x) => n - x > 20_000)) inGuest.push(n);
  }
  expect(inGuest.length).toBeGreaterThan(0);
  await cutAndRestore(r, false, 6, translation(), inGuest, vmx);
}, 180_000);

test("snapshots cut into EPT and unrestricted-guest operation (non-root under EPT, real mode) restore to the same end", async () => {
  // The guest's state under EPT is all in the VMCS, guest memory and the CPU
  // block: the TLB holding combined translations is rebuilt after a restore,
  // as are the translations. Cuts in non-root operation, found by probing.
  for (const [name, cpu] of [
    ["ept", { model: "coreduo", nx: false, vmx: true, "vmx-ept": true, "vmx-vpid": true }],
    ["ug", { model: "coreduo", nx: false, vmx: true, "vmx-ept": true, "vmx-unrestricted-guest": true }],
  ] as const) {
    const r = rom(name);
    const probe = await start(r, false, translation(), cpu);
    // Their guests run a few instructions between exits: probe finely.
    const inGuest: number[] = [];
    for (let n = 50; n < 5_000_000 && inGuest.length < 3; n += 7) {
      if (runTo(probe, n) === "exit") break;
      if (probe.m.vmx().mode === "non-root" && inGuest.every((x) => n - x > 2_000)) inGuest.push(n);
    }
    expect(inGuest.length, name).toBe(3);
    await cutAndRestore(r, false, 6, translation(), inGuest, cpu);
  }
}, 300_000);

// ---- files that must be refused, leaving the running machine as it was ----

function rewriteHeader(file: Uint8Array, edit: (h: Record<string, unknown>) => void): Uint8Array {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const n = v.getUint32(8, true);
  const h = JSON.parse(new TextDecoder().decode(file.subarray(12, 12 + n)));
  edit(h);
  const json = new TextEncoder().encode(JSON.stringify(h));
  const out = new Uint8Array(12 + json.length + (file.length - 12 - n));
  out.set(file.subarray(0, 12));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(file.subarray(12 + n), 12 + json.length);
  return withCrc(out);
}
function withCrc(f: Uint8Array): Uint8Array {
  const out = f.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(0, out.subarray(0, out.length - 4)), true);
  return out;
}

/** For the refusal tests: a good snapshot of ata_dma.asm's machine at 6000
 *  instructions, and a second machine at 3000 to restore into, with its state. */
async function goodAndTarget() {
  const r = rom("ata_dma");
  const a = await start(r, true, translation());
  runTo(a, 6000);
  const good = await save(a.m, { identity, disks: a.disks }, zlibCodec);
  const b = await start(r, true, translation());
  runTo(b, 3000);
  const state = () => ({ ...ending(b), regs: b.m.registers() });
  return { r, a, good, b, state, before: state() };
}

test("truncated, corrupt, wrong-version, wrong-image and hostile snapshots are refused in one line; the machine is unharmed", async () => {
  const { r, a, good, b, state, before } = await goodAndTarget();
  const refused = async (file: Uint8Array, why: RegExp, id: typeof identity = identity) => {
    const e = await restore(b.m, file, "s.rz", id, zlibCodec, b.disks).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(SnapshotError);
    expect((e as Error).message).toMatch(/^snapshot s\.rz: [^\n]+$/);
    expect((e as Error).message).toMatch(why);
    expect(state()).toEqual(before);
  };
  await refused(good.subarray(0, good.length - 1000), /CRC-32 mismatch/);
  await refused(good.subarray(0, 20), /cut short/);
  const flipped = good.slice(); flipped[good.length >> 1] ^= 0x40;
  await refused(flipped, /corrupt/);
  await refused(new TextEncoder().encode("not a snapshot at all, just text"), /not a RingZero snapshot/);
  const v2 = good.slice(); new DataView(v2.buffer).setUint32(4, 2, true);
  await refused(withCrc(v2), /format 2, this RingZero reads format 1/);
  await refused(rewriteHeader(good, (h) => { h.stateVersion = 99; }), /machine state layout 99/);
  await refused(good, /saved with -m "32", this run has -m "64"/, { settings: { "-m": "64" }, images: [] });
  await refused(good, /saved with no bios image, this run has one/, { settings: { "-m": "32" }, images: [{ role: "bios", name: "x.bin", size: 1, sha256: "ab".repeat(32) }] });
  // Hostile sizes: a section said to be huge, and one whose data inflates past its size.
  await refused(rewriteHeader(good, (h) => { (h.sections as { size: number }[])[0].size = 2 ** 40; }), /section 0 is "cpu" of 1099511627776 bytes, expected cpu/);
  await refused(rewriteHeader(good, (h) => { (h.sections as { stored: number }[])[6].stored = 2 ** 31; }), /runs past the end/);
  await refused(rewriteHeader(good, (h) => { (h.disks as { sectors: number }[])[0].sectors = 2 ** 30; }), /disk 0 has 1073741824 written sectors, the disk holds 2048/);
  const bomb = await zlibCodec.deflate(new Uint8Array(64 << 20));
  const parts = (() => {
    const v = new DataView(good.buffer, good.byteOffset); const n = v.getUint32(8, true);
    const h = JSON.parse(new TextDecoder().decode(good.subarray(12, 12 + n)));
    const json = new TextEncoder().encode(JSON.stringify({ ...h, sections: [{ ...h.sections[0], stored: bomb.length }, ...h.sections.slice(1)] }));
    const rest = good.subarray(12 + n + h.sections[0].stored);
    const out = new Uint8Array(12 + json.length + bomb.length + rest.length);
    out.set(good.subarray(0, 12)); new DataView(out.buffer).setUint32(8, json.length, true);
    out.set(json, 12); out.set(bomb, 12 + json.length); out.set(rest, 12 + json.length + bomb.length);
    return withCrc(out);
  })();
  await refused(parts, /section cpu does not decompress/);
  // A writable disk that is neither the saved one nor its base.
  const other = await start(r, true, translation());
  other.disk!.data.fill(0x5a);
  const e = await restore(other.m, good, "s.rz", identity, zlibCodec, other.disks).then(() => undefined, (x: unknown) => x);
  expect((e as Error).message).toMatch(/^snapshot s\.rz: disk 0 \(sha256 [0-9a-f]{16}\) is neither the disk it was saved with/);
  // And the good file still restores.
  await restore(b.m, good, "s.rz", identity, zlibCodec, b.disks);
  expect(b.m.instructions).toBe(a.m.instructions);
}, 120_000);

/** `file` with section `name`'s stored bytes replaced by `body`, and the header edited. */
function withSection(file: Uint8Array, name: string, body: Uint8Array, edit: (h: Record<string, unknown>) => void = () => {}): Uint8Array {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const n = v.getUint32(8, true);
  const h = JSON.parse(new TextDecoder().decode(file.subarray(12, 12 + n)));
  const sections = h.sections as { name: string; stored: number }[];
  const k = sections.findIndex((s) => s.name === name);
  const from = 12 + n + sections.slice(0, k).reduce((t, s) => t + s.stored, 0);
  const tail = file.subarray(from + sections[k].stored, file.length - 4);
  sections[k].stored = body.length;
  edit(h);
  const json = new TextEncoder().encode(JSON.stringify(h));
  const head = from - 12 - n;
  const out = new Uint8Array(12 + json.length + head + body.length + tail.length + 4);
  out.set(file.subarray(0, 12));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(file.subarray(12 + n, from), 12 + json.length);
  out.set(body, 12 + json.length + head);
  out.set(tail, 12 + json.length + head + body.length);
  return withCrc(out);
}

test("a hostile header's sizes are refused before anything is inflated, and a disk section bomb stops at the disk's size", async () => {
  const { a, good, b, state, before } = await goodAndTarget();
  // The codec is watched: what it was asked to inflate, and up to how much.
  let asked: { stored: number; max: number }[] = [];
  const watched: Codec = { deflate: zlibCodec.deflate, inflate: (x, max) => { asked.push({ stored: x.length, max }); return zlibCodec.inflate(x, max); } };
  const refused = async (file: Uint8Array, why: RegExp) => {
    asked = [];
    const e = await restore(b.m, file, "s.rz", identity, watched, b.disks).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(SnapshotError);
    expect((e as Error).message).toMatch(/^snapshot s\.rz: [^\n]+$/);
    expect((e as Error).message).toMatch(why);
    expect(state()).toEqual(before);
  };
  const DISK = 2048 * 512;
  const disk0 = (edit: (d: Record<string, unknown>, s: Record<string, unknown>) => void) => (h: Record<string, unknown>) => {
    const s = (h.sections as { name: string }[]).find((x) => x.name === "disk0")!;
    edit((h.disks as Record<string, unknown>[])[0], s as Record<string, unknown>);
  };
  // A small deflated bomb (64 MiB of zeros in about 64 KB) as the disk's section.
  const bomb = deflateRawSync(new Uint8Array(64 << 20), { level: 9 });
  expect(bomb.length).toBeLessThan(128 << 10);
  // A disk said to be huge, its section said to hold 2^31 sectors to match: the
  // size is compared with this run's disk before anything is inflated.
  await refused(withSection(good, "disk0", bomb, disk0((d, s) => { d.size = 2 ** 40; d.sectors = 2 ** 31; s.size = 4 + 2 ** 31 * 520; })),
    /disk 0 was 1099511627776 bytes, this one is 1048576$/);
  expect(asked).toEqual([]);
  // A size that is not a number (which made `sectors > size / 512` false) or not whole.
  await refused(withSection(good, "disk0", bomb, disk0((d, s) => { d.size = "huge"; d.sectors = 2 ** 22; s.size = 4 + 2 ** 22 * 520; })),
    /disk 0 was "huge" bytes, this one is 1048576$/);
  expect(asked).toEqual([]);
  await refused(withSection(good, "disk0", bomb, disk0((d) => { d.size = DISK + 0.5; })), /disk 0 was 1048576\.5 bytes/);
  await refused(withSection(good, "disk0", bomb, disk0((d, s) => { d.sectors = 100.5; s.size = 4 + 100.5 * 520; })), /disk 0 has 100\.5 written sectors, the disk holds 2048$/);
  await refused(withSection(good, "disk0", bomb, disk0((d, s) => { d.sectors = -1; s.size = 4 - 520; })), /disk 0 has -1 written sectors/);
  await refused(rewriteHeader(good, disk0((_, s) => { s.stored = -5; })), /section disk0 has a stored size of -5 bytes/);
  await refused(rewriteHeader(good, disk0((_, s) => { s.stored = "12"; })), /section disk0 has a stored size of "12" bytes/);
  expect(asked).toEqual([]);
  // Disks this run does not have, twice the same, or none where it has one.
  await refused(rewriteHeader(good, (h) => { (h.disks as { drive: number }[])[0].drive = 1; }), /it has writable disk 1, this run has no writable disk there/);
  await refused(rewriteHeader(good, (h) => { h.disks = [...(h.disks as unknown[]), ...(h.disks as unknown[])]; }), /it has writable disk 0 twice/);
  await refused(rewriteHeader(good, (h) => { h.disks = []; }), /it has no writable disk 0, this run has one/);
  // Entries that are not objects (these threw a TypeError, not one line).
  await refused(rewriteHeader(good, (h) => { h.disks = [null]; }), /a disk entry is malformed/);
  await refused(rewriteHeader(good, (h) => { h.images = [null]; }), /the header is malformed/);
  await refused(rewriteHeader(good, (h) => { h.settings = { "-m": 32 }; }), /the header is malformed/);
  await refused(rewriteHeader(good, (h) => { (h.sections as unknown[])[3] = null; }), /section 3 is undefined of undefined bytes, expected events/);
  expect(asked).toEqual([]);
  // A bomb within the bounds: the whole disk said to be written; inflating
  // stops at that size (4 + 2048 * 520 bytes), far short of the bomb's 64 MiB.
  await refused(withSection(good, "disk0", bomb, disk0((d, s) => { d.sectors = 2048; s.size = 4 + 2048 * 520; })), /section disk0 does not decompress/);
  expect(asked.map((x) => x.max).at(-1)).toBe(4 + 2048 * 520);
  expect(Math.max(...asked.map((x) => x.max))).toBeLessThanOrEqual(Math.ceil((32 << 20) / 4096 / 8) + (32 << 20));
  // The good file still restores through the watched codec.
  await restore(b.m, good, "s.rz", identity, watched, b.disks);
  expect(b.m.instructions).toBe(a.m.instructions);
}, 120_000);

test("the HPET's presence is part of a snapshot's identity: a snapshot with one is refused under -no-hpet, and the reverse", async () => {
  const r = rom("chipset_pic_pit");
  const machine = async (hpet: boolean) => {
    const m = await Machine.create({ wasm, ramBytes: 32 << 20, hpet, ...translation() });
    m.setIcountShift(2);
    m.loadBios(r);
    return m;
  };
  const withHpet = await machine(true), without = await machine(false);
  for (const m of [withHpet, without]) m.run(5000);
  // The identity the caller describes does not name the HPET here: the header
  // says what the machine has, and the restore checks the machine itself.
  const saved = { on: await save(withHpet, { identity }, zlibCodec), off: await save(without, { identity }, zlibCodec) };
  const header = (f: Uint8Array) => JSON.parse(new TextDecoder().decode(f.subarray(12, 12 + new DataView(f.buffer, f.byteOffset).getUint32(8, true))));
  expect(header(saved.on).settings).toEqual({ "-m": "32" }); // as every header before the HPET was named
  expect(header(saved.off).settings).toEqual({ "-m": "32", "-machine hpet": "off" });
  for (const [m, file, was, now] of [[without, saved.on, "on", "off"], [withHpet, saved.off, "off", "on"]] as const) {
    const before = { regs: m.registers(), ram: createHash("sha256").update(m.ram()).digest("hex"), hpet: m.hpet };
    const e = await restore(m, file, "s.rz", identity, zlibCodec).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(SnapshotError);
    expect((e as Error).message).toBe(`snapshot s.rz: saved with -machine hpet "${was}", this run has -machine hpet "${now}"`);
    expect({ regs: m.registers(), ram: createHash("sha256").update(m.ram()).digest("hex"), hpet: m.hpet }).toEqual(before);
  }
  // Each restores into a machine like its own, which keeps (or lacks) its HPET.
  const again = { on: await machine(true), off: await machine(false) };
  await restore(again.on, saved.on, "on", identity, zlibCodec);
  await restore(again.off, saved.off, "off", identity, zlibCodec);
  expect([again.on.hpet, again.off.hpet]).toEqual([true, false]);
}, 60_000);

test("-rtc clock=host: a snapshot carries the RTC's time of day; the restoring run's clock, host or vm, is the one it counts on", async () => {
  // A machine halted with IF=0 in real time on a host clock the test moves
  // (asm/clock.ts drops a lag over 1 s: a 30 s stop leaves guest time 29 s behind).
  const rom = readFileSync(assemble("chipset_hlt_if0"));
  const halted = async (clock: "host" | "vm") => {
    const host = { ns: 3e9 };
    const m = await Machine.create({ wasm, ramBytes: 32 << 20, hostNow: () => host.ns });
    m.setRealtime(true);
    m.setRtcClock(clock);
    m.loadBios(rom);
    expect(m.run(100_000)).toBe(STOP.HALT);
    return { m, host };
  };
  const saved = await halted("host");
  saved.m.setRtcTime(Date.UTC(2024, 4, 1, 12, 0, 0) / 1000 + 0.5);
  saved.host.ns += 30e9;
  expect(saved.m.run(100_000)).toBe(STOP.HALT);
  const t = saved.m.rtcTime;
  expect(Math.abs(t - (Date.UTC(2024, 4, 1, 12, 0, 29) / 1000 + 0.5))).toBeLessThan(0.002); // (up to the 1 ms the guest ran ahead)
  const bytes = await save(saved.m, { identity, disks: [] }, zlibCodec);
  for (const clock of ["host", "vm"] as const) {
    const r = await halted(clock);
    await restore(r.m, bytes, "rtc.rzstate", identity, zlibCodec);
    expect(Math.abs(r.m.rtcTime - t), clock).toBeLessThan(0.002);
    expect(r.m.run(100_000)).toBe(STOP.HALT); // guest time goes on from here on this host's clock
    r.host.ns += 30e9;                         // stopped again, on the restoring host
    expect(r.m.run(100_000)).toBe(STOP.HALT);
    expect(Math.abs(r.m.rtcTime - (t + (clock === "host" ? 29 : 0))), clock).toBeLessThan(0.002);
  }
});
