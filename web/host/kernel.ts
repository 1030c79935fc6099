// -kernel: direct boot of a Linux bzImage or a Multiboot kernel, without firmware,
// in the order QEMU tries them (a "HdrS" setup header first, then a Multiboot
// header). Shared by the Node command line and the browser worker.

import { MachineError, type Machine } from "./machine";
import { findFont8x16 } from "./vga";
import { hasSetupHeader, loadBzImage, KernelImageError, type BzImageBoot } from "./bzimage";
import { findMultibootHeader, loadMultiboot, type MultibootBoot, type MultibootModule } from "./multiboot";
import { enterProtectedMode } from "./cpustate";
import { videoRequest, setVesaMode } from "./vbe";

export { KernelImageError };

export type KernelKind = "bzimage" | "multiboot";

/** Which boot protocol a kernel file speaks; throws KernelImageError when neither. */
export function kernelKind(img: Uint8Array): KernelKind {
  if (hasSetupHeader(img)) return "bzimage";
  if (findMultibootHeader(img)) return "multiboot";
  throw new KernelImageError("not a bootable kernel: no Linux \"HdrS\" setup header at 0x202 and no Multiboot header in the first 8 KiB");
}

export interface DirectBootOptions {
  kernel: Uint8Array;
  /** The kernel's file name (Multiboot passes "<name> <cmdline>" as its command line, as QEMU does). */
  kernelName: string;
  cmdline: string;
  /** Linux: the initrd (ignored for Multiboot). */
  initrd?: Uint8Array;
  /** Multiboot: the modules, from QEMU's comma-separated -initrd list (ignored for Linux). */
  modules?: MultibootModule[];
  /** The VGA BIOS a firmware boot would run (SeaBIOS's vgabios-stdvga.bin):
   *  its font goes into the VGA, so a kernel that writes to the text screen at
   *  B8000H shows on a screendump as under QEMU's -kernel. Without it the
   *  VGA has no font (the page's view then draws text with the browser's). */
  vgaBios?: Uint8Array;
}

export type DirectBoot = ({ kind: "bzimage" } & BzImageBoot) | ({ kind: "multiboot" } & MultibootBoot);

/** Reset the CPU, load the kernel into RAM and point the CPU at its entry.
 *  Call again after a guest reset to boot it again (RAM is rewritten). */
export function bootKernel(m: Machine, o: DirectBootOptions): DirectBoot {
  const kind = kernelKind(o.kernel);
  // Linux's vga= is read before anything changes, so that a mode the host cannot set is an error up front.
  const video = kind === "bzimage" ? videoRequest(o.cmdline) : undefined;
  const font = o.vgaBios && findFont8x16(o.vgaBios);
  if (o.vgaBios && !font) throw new MachineError("the VGA BIOS image holds no 8x16 font (not a VGA BIOS?)");
  m.reset();
  m.directBootSetup();
  if (font) m.vgaBiosTextMode(font);
  const ram = m.ram();
  let boot: DirectBoot;
  if (kind === "bzimage") {
    const lfb = video?.kind === "vesa" ? setVesaMode(m, video.mode) : undefined;
    boot = { kind, ...loadBzImage(ram, o.kernel, {
      cmdline: o.cmdline, initrd: o.initrd, romBytes: m.biosSize, hpet: m.hpet, video: video && { vidMode: video.vidMode, lfb },
    }) };
  } else {
    const cmdline = o.kernelName + " " + o.cmdline;
    boot = { kind, ...loadMultiboot(ram, o.kernel, { cmdline, modules: o.modules ?? [], romBytes: m.biosSize }) };
  }
  enterProtectedMode(m.cpuState(), boot.entry);
  m.cpuStateChanged();
  return boot;
}
