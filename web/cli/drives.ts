// Disk and CD-ROM images named on the command line (-hda, -hdb, -cdrom, -drive):
// opened and checked here, then handed to the machine's IDE block layer.

import { openSync, fstatSync, closeSync, constants } from "node:fs";
import type { Machine } from "../host/machine";
import type { DriveSpec } from "./args";
import { UsageError } from "./args";

export interface OpenedDrive extends DriveSpec {
  fd: number;
  size: number;
}

/** Open an image the way the guest will use it (read-write for a writable disk
 *  without snapshot, read-only otherwise); a problem is a UsageError naming the file. */
export function openDrive(d: DriveSpec): OpenedDrive {
  const writable = d.media === "disk" && !d.readonly && !d.snapshot;
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

/** Attach the opened images to the machine's IDE controller.
 *  NOT CONNECTED YET: the IDE controller and web/host/block.ts are being written in
 *  parallel; until they land the images are opened and checked but the guest sees
 *  no drive. Returns one warning line per drive so this is never silent. */
export function connectBlockDevices(_m: Machine, drives: OpenedDrive[]): string[] {
  return drives.map((d) => `warning: ${d.path}: IDE drives are not connected to the machine yet; the guest will not see hd${"abcd"[d.index]}`);
}

export function closeDrives(drives: OpenedDrive[]): void {
  for (const d of drives) { try { closeSync(d.fd); } catch { /* already closed */ } }
}
