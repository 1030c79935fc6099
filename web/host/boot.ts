// Putting a machine's images in place for the page's worker: a kernel for direct
// boot (with its initrd and command line), or firmware for a disk/CD boot. Returns
// the function that boots the same configuration again after a reset.

import type { Machine } from "./machine";
import { bootKernel } from "./kernel";

export interface BootImages {
  kernel?: Uint8Array;
  initrd?: Uint8Array;
  append?: string;
  bios?: Uint8Array;
  vgabios?: Uint8Array;
  cdrom?: Uint8Array;
  hda?: Uint8Array;
  boot?: "c" | "d";
}

export function loadBootImages(m: Machine, img: BootImages): () => void {
  if (img.cdrom || img.hda) {
    throw new Error("Booting a CD-ROM or disk image in the page is not supported yet; boot a kernel and initrd instead.");
  }
  if (img.bios) m.loadBios(img.bios);
  if (!img.kernel) throw new Error("Nothing to boot: no kernel was given.");
  const kernel = img.kernel;
  const boot = () => { bootKernel(m, { kernel, kernelName: "kernel", cmdline: img.append ?? "", initrd: img.initrd }); };
  boot();
  return boot;
}
