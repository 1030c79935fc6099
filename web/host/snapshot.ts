// Machine snapshots: the whole machine in one file, restored into a machine
// started with the same settings and images (QEMU's migrate file: and
// -incoming file:). docs/SNAPSHOT.md describes the format; in short:
//
//   "RZSS"  u32 format  u32 n  n bytes of JSON: SnapshotHeader
//   the sections' stored bytes, in the header's order
//   u32 CRC-32 of every byte before it
//
// Sections: one per state region the machine names (asm/index.ts stateRegion*:
// cpu, devices, rings, events, vga, ide), "ram", and "disk<N>" for each writable
// disk. Each is deflated (raw deflate, RFC 1951); RAM first drops its all-zero
// pages ("pages" encoding: a bitmap of the pages present, then those pages).
// Translations are not saved: the machine drops them and translates again.
//
// What a snapshot does not carry, because the restoring host supplies it: the
// firmware, kernel and read-only images (identified by SHA-256 and refused when
// they differ), the wiring, and how guest time runs (real time or icount is the
// restoring host's choice; virtual time goes on from the saved clock).
//
// Writable disks: every sector the guest wrote since the image was opened
// travels in the snapshot, with the SHA-256 of the disk as it was at the save.
// On restore the disk must hash to that either as it is (nothing to do) or with
// those sectors written over it (they are written, as the guest did); anything
// else is refused.
//
// Restoring checks the whole file (CRC, header, the identity of the run, and
// every size and count in the header against this run's state regions, RAM
// and writable disks, before anything is inflated) and decodes every section
// before it touches the machine, so a bad file leaves the running machine as
// it was, and a hostile one cannot make the host inflate more than the
// machine itself holds.
// Host code with no DOM and no Node APIs: the CLI and the page's worker share it.

import { RING, type Machine } from "./machine";
import { SECTOR, type BlockBackend, WriteLog } from "./block";
import { crc32 } from "./crc32";
import { runDifference, HPET_SETTING, RTC_CLOCK_SETTING, type ImageIdentity, type RecordHeader } from "./replay";
import { RINGZERO_VERSION } from "./version";

export const SNAPSHOT_FORMAT = 1;
const MAGIC = [0x52, 0x5a, 0x53, 0x53]; // "RZSS"
const MAX_HEADER = 1 << 20;
const PAGE = 4096;
/** The names of the machine's state regions, in asm/index.ts's order. */
export const REGION_NAMES = ["cpu", "devices", "rings", "events", "vga", "ide"];
/** Events region: the stop settings (+4 kinds, +8 vectors) belong to the host
 *  that watches, not to the saved machine; a restore keeps the current ones. */
export const EVENTS_KEEP = [4, 12] as const;
/** Settings a restoring host may choose for itself (a restored RTC counts the
 *  clock this host's run asks for: Machine.stateRestored). */
const HOST_SETTINGS = ["-icount", "RINGZERO_TRANSLATE", RTC_CLOCK_SETTING];

/** Raw deflate both ways; inflate must refuse more than `max` bytes of output. */
export interface Codec {
  deflate(b: Uint8Array): Promise<Uint8Array>;
  inflate(b: Uint8Array, max: number): Promise<Uint8Array>;
}

/** The Compression Streams API's raw deflate (browsers, and Node 18+). */
export const streamCodec: Codec = {
  deflate: (b) => through(new CompressionStream("deflate-raw"), b, Infinity),
  inflate: (b, max) => through(new DecompressionStream("deflate-raw"), b, max),
};
/** Written in 4 MiB pieces: a Blob's stream hands the transform 64 KiB at a
 *  time, and in Chromium that took 1.6x as long (1.05 s against 0.66 s to
 *  deflate 39 MB; tools/dev/page-save-bench.mts for the whole save). `b` must
 *  not change until the promise settles. */
const WRITE_PIECE = 4 << 20;
function through(t: CompressionStream | DecompressionStream, b: Uint8Array, max: number): Promise<Uint8Array> {
  const w = t.writable.getWriter();
  const out = collect(t.readable, max);
  // A corrupt input or a section past `max` fails the readable (collect
  // rejects, and says why); the writes then fail too, and that is no news.
  for (let at = 0; at < b.length; at += WRITE_PIECE) w.write(b.subarray(at, at + WRITE_PIECE) as Uint8Array<ArrayBuffer>).catch(() => {});
  w.close().catch(() => {});
  return out;
}
async function collect(s: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  const r = s.getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) break;
    n += value.length;
    if (n > max) { await r.cancel(); throw new SnapshotError(`a section inflates past its ${max} bytes`); }
    parts.push(value);
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** What identifies a run for a snapshot: the settings and images of a
 *  RecordHeader (web/host/replay.ts builds it for the CLI and the page). */
export type RunIdentity = Pick<RecordHeader, "settings" | "images">;

export interface SectionInfo {
  name: string;
  /** Bytes when decoded. */
  size: number;
  /** Bytes in the file. */
  stored: number;
  encoding: "deflate" | "pages";
}

export interface DiskInfo {
  drive: number;
  /** The disk's size in bytes. */
  size: number;
  /** SHA-256 of the disk's contents when the snapshot was saved ("" for a
   *  disk whose base is an HTTP image, named by its URL). */
  sha256: string;
  /** Sectors in its section. */
  sectors: number;
}

export interface SnapshotHeader {
  format: number;
  /** asm/layout.ts STATE_VERSION: the state regions' layout. */
  stateVersion: number;
  ringzero: string;
  /** ISO 8601 time of the save. */
  created: string;
  /** A saved state's name, its parent's, and a thumbnail (the page's tree of states). */
  name?: string;
  parent?: string;
  thumbnail?: string;
  ramBytes: number;
  /** Instructions retired and virtual ns at the save (decimal strings). */
  instructions: string;
  virtualNs: string;
  settings: Record<string, string>;
  /** Read-only images, by SHA-256. */
  images: ImageIdentity[];
  disks: DiskInfo[];
  sections: SectionInfo[];
}

/** An image the snapshot names rather than carries: read-only, by hash or URL
 *  (a writable disk's contents travel in the snapshot instead). */
const isFixedImage = (i: ImageIdentity) => i.sha256 !== undefined || i.url !== undefined;

/** A snapshot this host cannot use: says which file and why. */
export class SnapshotError extends Error {}

/** A writable disk for the snapshot: its backend wrapped in a WriteLog, and a
 *  way to hash its contents (the CLI streams a file; the page hashes memory). */
export interface SnapshotDisk {
  drive: number;
  log: WriteLog;
  /** Absent for a disk whose base is named by URL (an HTTP image under
   *  -snapshot): its written sectors are applied over the base without a hash check. */
  sha256?(b: BlockBackend): Promise<string>;
}

export interface SaveOptions {
  identity: RunIdentity;
  disks?: SnapshotDisk[];
  name?: string;
  parent?: string;
  thumbnail?: string;
}

/** The machine's state, copied out synchronously (the machine may run on while
 *  it is encoded). */
export interface Capture {
  regions: Uint8Array[];
  /** Bitmap of RAM pages that are not all zero, and those pages in order. */
  pageMap: Uint8Array;
  pages: Uint8Array;
  ramBytes: number;
  stateVersion: number;
  instructions: bigint;
  virtualNs: bigint;
  /** The machine has an HPET (its presence is in the devices region). */
  hpet: boolean;
  disks: { drive: number; size: number; sectors: [number, Uint8Array][]; sha256: Promise<string> }[];
}

/** Copy the machine's state now (between run() calls). */
export function capture(m: Machine, disks: SnapshotDisk[] = []): Capture {
  const mem = new Uint8Array(m.memory.buffer);
  const regions = m.stateRegions().map((r) => mem.slice(r.base, r.base + r.size));
  const ram = m.ram();
  const used = m.ramPagesInUse();
  const npages = used.length;
  const pageMap = new Uint8Array(Math.ceil(npages / 8));
  const present: number[] = [];
  for (let p = 0; p < npages; p++) if (used[p]) { pageMap[p >>> 3] |= 1 << (p & 7); present.push(p); }
  const pages = new Uint8Array(present.length * PAGE);
  present.forEach((p, i) => pages.set(ram.subarray(p * PAGE, (p + 1) * PAGE), i * PAGE));
  return {
    regions, pageMap, pages, ramBytes: ram.length, stateVersion: m.stateVersion, instructions: m.instructions, virtualNs: m.virtualTime, hpet: m.hpet,
    disks: disks.map((d) => ({
      drive: d.drive, size: d.log.size,
      sectors: [...d.log.written.entries()].sort((a, b) => a[0] - b[0]).map(([l, s]) => [l, s.slice()] as [number, Uint8Array]),
      sha256: d.sha256 ? d.sha256(d.log) : Promise.resolve(""),
    })),
  };
}

/** Encode a capture as a snapshot file. */
export async function encode(c: Capture, opts: SaveOptions, codec: Codec): Promise<Uint8Array> {
  const sections: SectionInfo[] = [];
  const bodies: Uint8Array[] = [];
  const add = async (name: string, raw: Uint8Array, encoding: SectionInfo["encoding"]) => {
    const stored = await codec.deflate(raw);
    sections.push({ name, size: raw.length, stored: stored.length, encoding });
    bodies.push(stored);
  };
  for (let i = 0; i < c.regions.length; i++) await add(REGION_NAMES[i] ?? `region${i}`, c.regions[i], "deflate");
  const ram = new Uint8Array(c.pageMap.length + c.pages.length);
  ram.set(c.pageMap);
  ram.set(c.pages, c.pageMap.length);
  await add("ram", ram, "pages");
  sections[sections.length - 1].size = c.ramBytes;
  const disks: DiskInfo[] = [];
  for (const d of c.disks) {
    const raw = new Uint8Array(4 + d.sectors.length * (8 + SECTOR));
    const v = new DataView(raw.buffer);
    v.setUint32(0, d.sectors.length, true);
    d.sectors.forEach(([lba, data], i) => {
      v.setFloat64(4 + i * 8, lba, true);
      raw.set(data, 4 + d.sectors.length * 8 + i * SECTOR);
    });
    await add(`disk${d.drive}`, raw, "deflate");
    disks.push({ drive: d.drive, size: d.size, sha256: await d.sha256, sectors: d.sectors.length });
  }
  const header: SnapshotHeader = {
    format: SNAPSHOT_FORMAT, stateVersion: c.stateVersion, ringzero: RINGZERO_VERSION, created: new Date().toISOString(),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.parent !== undefined ? { parent: opts.parent } : {}),
    ...(opts.thumbnail !== undefined ? { thumbnail: opts.thumbnail } : {}),
    ramBytes: c.ramBytes, instructions: c.instructions.toString(), virtualNs: c.virtualNs.toString(),
    settings: machineSettings(Object.fromEntries(Object.entries(opts.identity.settings).filter(([k]) => !HOST_SETTINGS.includes(k))), c.hpet),
    images: opts.identity.images.filter(isFixedImage),
    disks, sections,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const total = 12 + json.length + bodies.reduce((n, b) => n + b.length, 0) + 4;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set(MAGIC, 0);
  v.setUint32(4, SNAPSHOT_FORMAT, true);
  v.setUint32(8, json.length, true);
  out.set(json, 12);
  let o = 12 + json.length;
  for (const b of bodies) { out.set(b, o); o += b.length; }
  v.setUint32(o, crc32(0, out.subarray(0, o)), true);
  return out;
}

/** `settings` with what the machine itself says about its devices, as
 *  recordHeader writes it: the HPET's absence. The header is then right about
 *  the machine even when the caller's identity leaves it out. */
function machineSettings(settings: Record<string, string>, hpet: boolean): Record<string, string> {
  const out = { ...settings };
  if (hpet) delete out[HPET_SETTING]; else out[HPET_SETTING] = "off";
  return out;
}

/** Capture and encode in one call. */
export async function save(m: Machine, opts: SaveOptions, codec: Codec): Promise<Uint8Array> {
  return encode(capture(m, opts.disks), opts, codec);
}

/** A snapshot file checked and decoded, ready to apply. */
export interface Decoded {
  header: SnapshotHeader;
  regions: Uint8Array[];
  ram: { pageMap: Uint8Array; pages: Uint8Array };
  disks: { info: DiskInfo; sectors: [number, Uint8Array][] }[];
}

/** Only the header (for listing saved states); checks the magic, format and CRC. */
export function readHeader(bytes: Uint8Array, name: string): SnapshotHeader {
  const bad = (why: string) => new SnapshotError(`snapshot ${name}: ${why}`);
  if (bytes.length < 16 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad("not a RingZero snapshot");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = v.getUint32(4, true);
  if (format !== SNAPSHOT_FORMAT) throw bad(`format ${format}, this RingZero reads format ${SNAPSHOT_FORMAT}`);
  const n = v.getUint32(8, true);
  if (n > MAX_HEADER || 12 + n + 4 > bytes.length) throw bad("the file is cut short (header)");
  if (crc32(0, bytes.subarray(0, bytes.length - 4)) !== v.getUint32(bytes.length - 4, true)) {
    throw bad("the file is corrupt or cut short (CRC-32 mismatch)");
  }
  let h: SnapshotHeader;
  try { h = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n))) as SnapshotHeader; } catch {
    throw bad("the header is not valid JSON");
  }
  if (typeof h !== "object" || h === null || !Array.isArray(h.sections) || !Array.isArray(h.disks) || !Array.isArray(h.images) ||
      typeof h.settings !== "object" || h.settings === null || typeof h.ramBytes !== "number" ||
      !Object.values(h.settings).every((v) => typeof v === "string") || !h.images.every(isImageIdentity)) {
    throw bad("the header is malformed");
  }
  return h;
}

const isImageIdentity = (i: unknown): boolean => {
  if (typeof i !== "object" || i === null) return false;
  const { role, name, size, sha256, url } = i as ImageIdentity;
  return typeof role === "string" && typeof name === "string" && typeof size === "number" &&
    (sha256 === undefined || typeof sha256 === "string") && (url === undefined || typeof url === "string");
};

/** The header's writable disks against this run's: the same drives, each of
 *  the same size, with a whole number of written sectors that fits the disk. */
function checkDisks(saved: DiskInfo[], run: readonly RunDisk[], bad: (why: string) => SnapshotError): void {
  const seen = new Set<number>();
  for (const d of saved) {
    if (typeof d !== "object" || d === null || !Number.isInteger(d.drive) || typeof d.sha256 !== "string") throw bad("a disk entry is malformed");
    const disk = run.find((x) => x.drive === d.drive);
    if (!disk) throw bad(`it has writable disk ${d.drive}, this run has no writable disk there`);
    if (seen.has(d.drive)) throw bad(`it has writable disk ${d.drive} twice`);
    seen.add(d.drive);
    if (d.size !== disk.size) throw bad(`disk ${d.drive} was ${JSON.stringify(d.size)} bytes, this one is ${disk.size}`);
    if (!Number.isInteger(d.sectors) || d.sectors < 0 || d.sectors > disk.size / SECTOR) {
      throw bad(`disk ${d.drive} has ${JSON.stringify(d.sectors)} written sectors, the disk holds ${disk.size / SECTOR}`);
    }
  }
  for (const disk of run) if (!seen.has(disk.drive)) throw bad(`it has no writable disk ${disk.drive}, this run has one`);
}

/** A writable disk of the restoring run, as decode() checks a snapshot's against it. */
export interface RunDisk { drive: number; size: number }
export const runDisk = (d: SnapshotDisk): RunDisk => ({ drive: d.drive, size: d.log.size });

/** Check a snapshot against this machine and decode it, without changing
 *  anything. `runDisks` are this run's writable disks: every size and count in
 *  the header is checked against them, this machine's state regions and its
 *  RAM before anything is inflated, and no section inflates past the size it
 *  must have, so a hostile header cannot make this host decompress more than
 *  its own machine holds. */
export async function decode(m: Machine, bytes: Uint8Array, name: string, identity: RunIdentity, codec: Codec, runDisks: readonly RunDisk[] = []): Promise<Decoded> {
  const bad = (why: string) => new SnapshotError(`snapshot ${name}: ${why}`);
  const h = readHeader(bytes, name);
  if (h.stateVersion !== m.stateVersion) throw bad(`machine state layout ${h.stateVersion}, this RingZero has ${m.stateVersion}`);
  if (h.ramBytes !== m.ramBytes) throw bad(`saved with -m ${h.ramBytes / (1 << 20)}, this run has -m ${m.ramBytes / (1 << 20)}`);
  // The devices are compared as the machine has them, whatever identity the caller described.
  const why = runDifference(h, { settings: machineSettings(identity.settings, m.hpet), images: identity.images.filter(isFixedImage) }, HOST_SETTINGS);
  if (why) throw bad(`saved with ${why}`);
  checkDisks(h.disks, runDisks, bad);
  // Sections: exactly the regions, RAM, then the disks; sizes as this machine's.
  const regions = m.stateRegions();
  const want: { name: string; size: number; max: number; encoding: SectionInfo["encoding"] }[] = regions.map((r, i) => ({
    name: REGION_NAMES[i] ?? `region${i}`, size: r.size, max: r.size, encoding: "deflate",
  }));
  const npages = m.ramBytes / PAGE, mapBytes = Math.ceil(npages / 8);
  want.push({ name: "ram", size: m.ramBytes, max: mapBytes + m.ramBytes, encoding: "pages" });
  for (const d of h.disks) {
    const size = 4 + d.sectors * (8 + SECTOR);
    want.push({ name: `disk${d.drive}`, size, max: size, encoding: "deflate" });
  }
  if (h.sections.length !== want.length) throw bad(`${h.sections.length} sections, expected ${want.length}`);
  // Where each section lies, all of them checked before the first is inflated.
  let pos = 12 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const at: number[] = [];
  for (let i = 0; i < want.length; i++) {
    const s = h.sections[i], w = want[i];
    if (typeof s !== "object" || s === null || s.name !== w.name || s.size !== w.size || s.encoding !== w.encoding) {
      throw bad(`section ${i} is ${JSON.stringify(s?.name)} of ${JSON.stringify(s?.size)} bytes, expected ${w.name} of ${w.size}`);
    }
    if (!Number.isInteger(s.stored) || s.stored < 0) throw bad(`section ${s.name} has a stored size of ${JSON.stringify(s.stored)} bytes`);
    if (pos + s.stored > bytes.length - 4) throw bad(`section ${s.name} runs past the end of the file`);
    at.push(pos);
    pos += s.stored;
  }
  if (pos !== bytes.length - 4) throw bad("bytes after the last section");
  const raw: Uint8Array[] = [];
  for (let i = 0; i < want.length; i++) {
    const s = h.sections[i];
    let body: Uint8Array;
    try { body = await codec.inflate(bytes.subarray(at[i], at[i] + s.stored), want[i].max); } catch (e) {
      throw bad(`section ${s.name} does not decompress (${e instanceof Error ? e.message : String(e)})`);
    }
    raw.push(body);
  }
  for (let i = 0; i < regions.length; i++) if (raw[i].length !== regions[i].size) throw bad(`section ${want[i].name} decodes to ${raw[i].length} bytes, expected ${regions[i].size}`);
  const ramRaw = raw[regions.length];
  const pageMap = ramRaw.subarray(0, mapBytes);
  let present = 0;
  for (let p = 0; p < npages; p++) if (pageMap[p >>> 3] & (1 << (p & 7))) present++;
  if (ramRaw.length !== mapBytes + present * PAGE) throw bad(`section ram holds ${ramRaw.length} bytes, its page map says ${mapBytes + present * PAGE}`);
  const disks = h.disks.map((info, k) => {
    const b = raw[regions.length + 1 + k];
    if (b.length !== 4 + info.sectors * (8 + SECTOR)) throw bad(`section disk${info.drive} has the wrong size`);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (v.getUint32(0, true) !== info.sectors) throw bad(`section disk${info.drive} has the wrong sector count`);
    const sectors: [number, Uint8Array][] = [];
    for (let i = 0; i < info.sectors; i++) {
      const lba = v.getFloat64(4 + i * 8, true);
      if (!Number.isInteger(lba) || lba < 0 || lba >= info.size / SECTOR) throw bad(`section disk${info.drive} names sector ${lba}, past the disk`);
      sectors.push([lba, b.subarray(4 + info.sectors * 8 + i * SECTOR, 4 + info.sectors * 8 + (i + 1) * SECTOR)]);
    }
    return { info, sectors };
  });
  return { header: h, regions: raw.slice(0, regions.length), ram: { pageMap, pages: ramRaw.subarray(mapBytes) }, disks };
}

/** The sectors to write to each writable disk, after checking that each disk
 *  is the one the snapshot was saved with (as it is, or as its base). */
export async function planDisks(d: Decoded, disks: SnapshotDisk[], name: string): Promise<Map<number, [number, Uint8Array][]>> {
  const bad = (why: string) => new SnapshotError(`snapshot ${name}: ${why}`);
  const plan = new Map<number, [number, Uint8Array][]>();
  checkDisks(d.disks.map((s) => s.info), disks.map(runDisk), bad); // decode() checked these against the same disks
  for (const disk of disks) {
    const s = d.disks.find((x) => x.info.drive === disk.drive)!;
    if (!disk.sha256 || s.info.sha256 === "") {
      // A base named by URL: the run's identity checked it; its writes go over it.
      if (!disk.sha256 !== (s.info.sha256 === "")) throw bad(`disk ${disk.drive} was ${s.info.sha256 === "" ? "an HTTP image" : "a local image"}, this one is not`);
      plan.set(disk.drive, s.sectors);
      continue;
    }
    const now = await disk.sha256(disk.log);
    if (now === s.info.sha256) { plan.set(disk.drive, []); continue; }
    const patched = await disk.sha256(overlaid(disk.log, s.sectors));
    if (patched !== s.info.sha256) {
      throw bad(`disk ${disk.drive} (sha256 ${now.slice(0, 16)}) is neither the disk it was saved with (sha256 ${s.info.sha256.slice(0, 16)}) nor its base image`);
    }
    plan.set(disk.drive, s.sectors);
  }
  return plan;
}

/** A read-only view of `b` with `sectors` written over it. */
function overlaid(b: BlockBackend, sectors: [number, Uint8Array][]): BlockBackend {
  const over = new Map(sectors);
  return {
    size: b.size, readOnly: true,
    read(lba, count, into) {
      b.read(lba, count, into);
      for (let i = 0; i < count; i++) { const s = over.get(lba + i); if (s) into.set(s, i * SECTOR); }
    },
    write() { throw new SnapshotError("read-only"); },
  };
}

export interface ApplyOptions {
  /** No guest code has run and nothing was loaded: RAM is all zero, so only the
   *  snapshot's pages are written. (Otherwise the pages in use are found and
   *  those the snapshot lacks are cleared; that reads all of RAM, and memory the
   *  process never touched costs a page fault per page: 0.4 s for 128 MiB in
   *  the page's worker.) */
  freshRam?: boolean;
}

/** Put a decoded snapshot into the machine (nothing here can fail half-way:
 *  decode() and planDisks() checked everything). */
export function apply(m: Machine, d: Decoded, disks: SnapshotDisk[] = [], plan = new Map<number, [number, Uint8Array][]>(), opts: ApplyOptions = {}): void {
  const mem = new Uint8Array(m.memory.buffer);
  m.stateRegions().forEach((r, i) => {
    const keep = REGION_NAMES[i] === "events" ? mem.slice(r.base + EVENTS_KEEP[0], r.base + EVENTS_KEEP[1]) : undefined;
    mem.set(d.regions[i], r.base);
    if (keep) mem.set(keep, r.base + EVENTS_KEEP[0]);
  });
  const ram = m.ram();
  const used = opts.freshRam ? undefined : m.ramPagesInUse();
  let k = 0;
  for (let p = 0; p < ram.length / PAGE; p++) {
    if (d.ram.pageMap[p >>> 3] & (1 << (p & 7))) { ram.set(d.ram.pages.subarray(k * PAGE, (k + 1) * PAGE), p * PAGE); k++; }
    else if (used?.[p]) ram.fill(0, p * PAGE, (p + 1) * PAGE);
  }
  for (const disk of disks) {
    disk.log.written.clear();
    const saved = d.disks.find((x) => x.info.drive === disk.drive);
    for (const [lba, data] of plan.get(disk.drive) ?? []) disk.log.inner.write(lba, 1, data);
    // The restored disk's writes since its base go on into the next snapshot.
    for (const [lba, data] of saved?.sectors ?? []) disk.log.written.set(lba, data.slice());
  }
  m.stateRestored();
}

/** After a restore, tell a guest with the clock agent (tools/guest/init.sh,
 *  manifest "clockAgent": "ttyS1") the host's time: a line with the Unix time
 *  on COM2, rounded to the whole second the agent takes. */
export function tellClockAgent(m: Machine, clockAgent: string | undefined, nowMs = Date.now()): void {
  if (clockAgent === "ttyS1") m.feed(RING.COM2_RX, new TextEncoder().encode(`${Math.round(nowMs / 1000)}\n`));
}

/** Check, decode and apply in one call. */
export async function restore(m: Machine, bytes: Uint8Array, name: string, identity: RunIdentity, codec: Codec, disks: SnapshotDisk[] = []): Promise<SnapshotHeader> {
  const d = await decode(m, bytes, name, identity, codec, disks.map(runDisk));
  const plan = await planDisks(d, disks, name);
  apply(m, d, disks, plan);
  return d.header;
}
