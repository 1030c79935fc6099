// Disk and CD-ROM images named on the command line (-hda, -hdb, -cdrom, -drive):
// opened and checked here, then handed to the machine's IDE block layer.

import { createHash } from "node:crypto";
import { openSync, fstatSync, closeSync, readSync, writeSync, constants } from "node:fs";
import type { Machine } from "../host/machine";
import { CowOverlay, WriteLog, DRIVE, SECTOR, BlockError, type BlockBackend } from "../host/block";
import type { SnapshotDisk } from "../host/snapshot";
import { backendSha256 } from "./snapshot";
import type { DriveSpec } from "./args";
import { UsageError } from "./args";

export interface OpenedDrive extends DriveSpec {
  fd: number;
  size: number;
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
    const file = new FileBackend(d.fd, cdrom ? Math.ceil(d.size / SECTOR) * SECTOR : d.size, cdrom || d.readonly || d.snapshot);
    let backend: BlockBackend = d.snapshot && !cdrom ? new CowOverlay(file) : file;
    if (writable && isWritableDisk(d)) backend = writable(d, backend);
    if (!backend.readOnly) {
      const log = new WriteLog(backend);
      disks.push({ drive: d.index, log, sha256: backendSha256 });
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
  for (const d of drives) { try { closeSync(d.fd); } catch { /* already closed */ } }
}
