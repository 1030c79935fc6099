// Disk and CD-ROM images named on the command line (-hda, -hdb, -cdrom, -drive):
// opened and checked here, then handed to the machine's IDE block layer. An
// http(s):// image is read on demand through Range requests (web/host/httpdisk.ts,
// the synchronous fetch in syncfetch.ts), or downloaded whole when the server
// cannot serve ranges; either way it is read-only, as QEMU's curl driver.

import { createHash } from "node:crypto";
import { openSync, fstatSync, closeSync, readSync, writeSync, constants } from "node:fs";
import type { Machine } from "../host/machine";
import { CowOverlay, WriteLog, MemoryBackend, DRIVE, SECTOR, BlockError, type BlockBackend } from "../host/block";
import type { SnapshotDisk } from "../host/snapshot";
import { backendSha256 } from "./snapshot";
import { HttpBackend, HttpDiskError, probeHttpImage, type HttpImage } from "../host/httpdisk";
import { SyncRangeFetcher } from "./syncfetch";
import type { DriveSpec } from "./args";
import { UsageError } from "./args";

export interface OpenedDrive extends DriveSpec {
  /** The image file's descriptor; -1 for an image read over HTTP. */
  fd: number;
  size: number;
  /** An image read over HTTP: its (read-only) backend, and what to close at exit. */
  remote?: { backend: BlockBackend; close?: () => void };
}

const mediaName = (d: DriveSpec) => (d.media === "cdrom" ? "CD-ROM image" : "disk image");
const log = (message: string) => { process.stderr.write(`ringzero: ${message}\n`); };

/** Open an http(s):// image: Range reads when the server has them, else the whole
 *  image downloaded (said on stderr); a problem is a UsageError naming the URL. */
export async function openHttpDrive(d: DriveSpec): Promise<OpenedDrive> {
  let img: HttpImage;
  try {
    img = await probeHttpImage(d.path, { notice: log });
  } catch (e) {
    if (e instanceof HttpDiskError) throw new UsageError(`${mediaName(d)} ${e.message}`);
    throw e;
  }
  const length = img.kind === "range" ? img.length : img.bytes.length;
  if (d.media === "disk" && length % SECTOR !== 0) throw new UsageError(`disk image ${d.path}: size ${length} is not a multiple of 512 bytes`);
  if (img.kind === "whole") {
    // A CD image may end mid-sector: its last sector reads with zeros after the end.
    const bytes = length % SECTOR ? new Uint8Array(Math.ceil(length / SECTOR) * SECTOR) : img.bytes;
    if (bytes !== img.bytes) bytes.set(img.bytes);
    return { ...d, fd: -1, size: length, remote: { backend: new MemoryBackend(bytes, true) } };
  }
  const fetcher = new SyncRangeFetcher(d.path);
  const backend = new HttpBackend(d.path, img.length, fetcher.fetch, { log });
  return { ...d, fd: -1, size: length, remote: { backend, close: () => fetcher.close() } };
}

/** Open an image the way the guest will use it (read-write for a writable disk
 *  without snapshot, read-only otherwise); a problem is a UsageError naming the file. */
export function openDrive(d: DriveSpec, neverWrite = false): OpenedDrive {
  const writable = d.media === "disk" && !d.readonly && !d.snapshot && !neverWrite;
  let fd: number;
  try {
    fd = openSync(d.path, writable ? constants.O_RDWR : constants.O_RDONLY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" || code === "EPERM"
      ? `permission denied${writable ? " (read-write; -snapshot opens it read-only)" : ""}` : code === "EISDIR" ? "is a directory" : String(code);
    throw new UsageError(`${d.media === "cdrom" ? "CD-ROM" : "disk"} image ${d.path}: ${why}`);
  }
  const st = fstatSync(fd);
  if (!st.isFile() && !st.isBlockDevice()) { closeSync(fd); throw new UsageError(`disk image ${d.path}: not a regular file`); }
  if (st.size === 0 && d.media === "disk") { closeSync(fd); throw new UsageError(`disk image ${d.path}: the file is empty`); }
  if (d.media === "disk" && st.size % 512 !== 0) { closeSync(fd); throw new UsageError(`disk image ${d.path}: size ${st.size} is not a multiple of 512 bytes`); }
  return { ...d, fd, size: st.size };
}

/** An image file read and written in place through its descriptor (Node only;
 *  the browser keeps images in memory). */
export class FileBackend implements BlockBackend {
  constructor(private readonly fd: number, readonly size: number, readonly readOnly: boolean) {}
  read(lba: number, count: number, into: Uint8Array): void {
    const want = count * SECTOR;
    let done = 0;
    while (done < want) {
      const n = readSync(this.fd, into, done, want - done, lba * SECTOR + done);
      if (n <= 0) { into.fill(0, done, want); break; } // a CD image may end mid-block
      done += n;
    }
  }
  write(lba: number, count: number, from: Uint8Array): void {
    if (this.readOnly) throw new BlockError("image is read-only");
    const want = count * SECTOR;
    let done = 0;
    while (done < want) done += writeSync(this.fd, from, done, want - done, lba * SECTOR + done);
  }
}

/** A disk the guest writes to the file itself (no -snapshot, not read-only). */
export function isWritableDisk(d: DriveSpec): boolean { return d.media === "disk" && !d.readonly && !d.snapshot; }

/** Attach the opened images to the machine's IDE controller: hda/hdb on the
 *  primary channel, hdc/hdd (the CD-ROM by default) on the secondary, as QEMU.
 *  -snapshot puts a copy-on-write overlay in front, so the file is never written.
 *  `writable` replaces a writable disk's backend (record/replay). Returns the
 *  disks the guest can write (with -snapshot too), whose writes a snapshot carries. */
export function connectBlockDevices(m: Machine, drives: OpenedDrive[], writable?: (d: OpenedDrive, b: BlockBackend) => BlockBackend): SnapshotDisk[] {
  const disks: SnapshotDisk[] = [];
  for (const d of drives) {
    const cdrom = d.media === "cdrom";
    const base = d.remote?.backend ?? new FileBackend(d.fd, cdrom ? Math.ceil(d.size / SECTOR) * SECTOR : d.size, cdrom || d.readonly || d.snapshot);
    let backend: BlockBackend = d.snapshot && !cdrom ? new CowOverlay(base) : base;
    if (writable && isWritableDisk(d)) backend = writable(d, backend);
    if (!backend.readOnly) {
      const log = new WriteLog(backend);
      disks.push({ drive: d.index, log, sha256: d.remote ? undefined : backendSha256 });
      backend = log;
    }
    m.attachDrive(d.index, cdrom ? DRIVE.CDROM : DRIVE.DISK, backend);
  }
  return disks;
}

/** SHA-256 of an opened image, read in pieces (images can be large). */
export function driveSha256(d: OpenedDrive): string {
  const h = createHash("sha256");
  const buf = new Uint8Array(1 << 22);
  for (let pos = 0; pos < d.size;) {
    const n = readSync(d.fd, buf, 0, Math.min(buf.length, d.size - pos), pos);
    if (n <= 0) break;
    h.update(buf.subarray(0, n));
    pos += n;
  }
  return h.digest("hex");
}

export function closeDrives(drives: OpenedDrive[]): void {
  for (const d of drives) {
    d.remote?.close?.();
    if (d.fd >= 0) { try { closeSync(d.fd); } catch { /* already closed */ } }
  }
}
