// Putting a machine's images in place for the page's worker: a kernel for direct
// boot (with its initrd and command line), or firmware plus a CD-ROM or disk
// image for a boot through SeaBIOS. Returns the function that boots (loads the
// kernel into RAM, or points the CPU at the firmware): the host calls it to
// power on, unless it restores a saved state instead, and again after a reset.

import type { Machine } from "./machine";
import { bootKernel } from "./kernel";
import { prepareFirmwareBoot } from "./firmware";
import { MemoryBackend, DRIVE, type BlockBackend } from "./block";

export interface BootImages {
  kernel?: Uint8Array;
  initrd?: Uint8Array;
  append?: string;
  bios?: Uint8Array;
  vgabios?: Uint8Array;
  /** Bytes, or a read-only backend (an image read over HTTP, web/host/httpdisk.ts). */
  cdrom?: Uint8Array | BlockBackend;
  /** The hard disk as the guest sees it: writable, its writes going where the
   *  host chose (the page's worker: a copy-on-write overlay over the image). */
  hda?: BlockBackend;
  boot?: "c" | "d";
}

// IDE positions as QEMU's -hda and -cdrom: primary master, secondary master.
const HDA = 0;
const CDROM = 2;

const readOnly = (img: Uint8Array | BlockBackend): BlockBackend => (img instanceof Uint8Array ? new MemoryBackend(img, true) : img);

export function loadBootImages(m: Machine, img: BootImages): () => void {
  if (img.bios) m.loadBios(img.bios);
  // Drives are there for a direct kernel boot too (Linux finds them on the PIIX3 IDE).
  if (img.cdrom) m.attachDrive(CDROM, DRIVE.CDROM, readOnly(img.cdrom));
  if (img.hda) m.attachDrive(HDA, DRIVE.DISK, img.hda);
  if (img.kernel) {
    const kernel = img.kernel;
    return () => { bootKernel(m, { kernel, kernelName: "kernel", cmdline: img.append ?? "", initrd: img.initrd, vgaBios: img.vgabios }); };
  }
  if (!img.cdrom && !img.hda) throw new Error("Nothing to boot: give a kernel, a CD-ROM image or a disk image.");
  if (!img.bios) throw new Error("A CD-ROM or disk boot needs the BIOS image (SeaBIOS), which was not loaded.");
  const order = img.boot === "d" || (!img.boot && img.cdrom) ? "dc" : "cd";
  return () => { m.reset(); prepareFirmwareBoot(m, order, img.vgabios); };
}
