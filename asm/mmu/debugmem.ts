// Memory as a debugger sees it (gdb's m/M/X packets, the monitor's x and xp):
// linear addresses go through a page walk that neither reads nor fills the TLB,
// sets no accessed or dirty bit and raises no fault (SDM vol. 3 §4.3 for the
// 32-bit formats, PSE 4 MiB pages when CR4.PSE is set; §4.4 for PAE paging
// through the PDPTE registers, 2 MiB pages; A20 applies as on the bus; in VMX
// non-root operation with EPT, guest-physical addresses go through EPT). What the guest would see as a fault, and physical addresses with no RAM
// or ROM behind them, are an error for the caller: the copy stops there.
//
// Device memory (MMIO) is read only where the device can answer without side
// effects (phys.ts mmioPeek: VGA memory as the CPU would read it, the latches
// left alone) and never written: the debugger must not disturb the guest.
// Writes land in RAM and ROM alike (a debugger may patch firmware, as QEMU's
// does) and drop translated code of the pages they touch.
//
//   let n = debugLinearRead(lin, len, debugBuffer()); // n < len: unmapped at lin + n

import { OFF_CR3, OFF_PDPTE, CR0_PG, CR4_PSE, CR4_PAE, cr0, cr4 } from "../cpu/state";
import { MAXPHYADDR } from "../cpu/features";
import { physEntry, physRead32, a20Mask, mmioPeek, PM_HOST, PM_ROM, PM_MMIO, PM_DEV_SHIFT } from "./phys";
import { jitCheckWrite, jitFlushAll } from "../cpu/jit";
import { eptActive, eptTranslate, eptHost, ACC_READ } from "./ept";

/** Bytes the host and the debug functions exchange, at most DEBUG_BUF_SIZE at a time. */
export const DEBUG_BUF_SIZE: u32 = 4096;
export const DEBUG_BUF: usize = memory.data(<i32>DEBUG_BUF_SIZE);

const NO_PAGE: i64 = -1;
const PTE_P: u32 = 1;
const PTE_PS: u32 = 0x80;

/** The physical address of `lin` as the CPU would translate it now, or -1 when
 *  the page is not present. Access rights are not checked (a debugger may read
 *  supervisor pages, as QEMU's does). */
export function debugTranslate(lin: u32): i64 {
  viaEpt = eptActive();
  if (!(cr0() & CR0_PG)) return hostOf(<u64>lin);
  if (cr4() & CR4_PAE) return translatePae(lin);
  let pdeAt = hostOf(<u64>((load<u32>(OFF_CR3) & 0xfffff000) | ((lin >>> 22) << 2)));
  if (pdeAt < 0) return NO_PAGE;
  let pde = physRead32(<u32>pdeAt);
  if (!(pde & PTE_P)) return NO_PAGE;
  if ((pde & PTE_PS) && (cr4() & CR4_PSE)) return hostOf(<u64>((pde & 0xffc00000) | (lin & 0x3fffff)));
  let pteAt = hostOf(<u64>((pde & 0xfffff000) | (((lin >>> 12) & 0x3ff) << 2)));
  if (pteAt < 0) return NO_PAGE;
  let pte = physRead32(<u32>pteAt);
  if (!(pte & PTE_P)) return NO_PAGE;
  return hostOf(<u64>((pte & 0xfffff000) | (lin & 0xfff)));
}

// In VMX non-root operation with EPT, the addresses of the guest's walk are
// guest-physical: each goes through EPT too, quietly (mmu/ept.ts), and one the
// EPT does not map is not present for the debugger.
let viaEpt: bool = false;
function hostOf(gpa: u64): i64 {
  if (viaEpt) {
    if (!eptTranslate(gpa, ACC_READ, 0, false, false, true)) return NO_PAGE;
    gpa = eptHost;
  }
  if (gpa >> 32) return NO_PAGE;
  return <i64>(<u32>gpa & a20Mask);
}

const PAE_ADDR: u64 = ((<u64>1 << MAXPHYADDR) - 1) & ~<u64>0xfff;

/** PAE paging (as paging.ts walkPae, without its checks): a physical address
 *  at or above 4 GiB has nothing behind it, so it is -1 here too. */
function translatePae(lin: u32): i64 {
  let pdpte = load<u64>(OFF_PDPTE + ((lin >>> 30) << 3));
  if (!(pdpte & PTE_P)) return NO_PAGE;
  let pdeAt = hostOf((pdpte & PAE_ADDR) | <u64>(((lin >>> 21) & 0x1ff) << 3));
  if (pdeAt < 0) return NO_PAGE;
  let pde = entry64(<u64>pdeAt);
  if (!(pde & PTE_P)) return NO_PAGE;
  let phys: u64;
  if (pde & PTE_PS) {
    phys = (pde & PAE_ADDR & ~<u64>0x1fffff) | <u64>(lin & 0x1fffff);
  } else {
    let pteAt = hostOf((pde & PAE_ADDR) | <u64>(((lin >>> 12) & 0x1ff) << 3));
    if (pteAt < 0) return NO_PAGE;
    let pte = entry64(<u64>pteAt);
    if (!(pte & PTE_P)) return NO_PAGE;
    phys = (pte & PAE_ADDR) | <u64>(lin & 0xfff);
  }
  return hostOf(phys);
}
/** A 64-bit entry; none above 4 GiB (0: not present). */
function entry64(addr: u64): u64 {
  if (addr >> 32) return 0;
  let a = <u32>addr;
  return <u64>physRead32(a) | (<u64>physRead32(a + 4) << 32);
}

/** Host address of physical `phys` when RAM or ROM is there, else 0. */
function backing(phys: u32): u32 {
  phys &= a20Mask;
  let e = physEntry(phys);
  return (e & PM_HOST) ? (e & 0xfffff000) + (phys & 0xfff) : 0;
}

/** Copy up to `len` bytes from physical `phys` to `out`; returns how many were
 *  backed by RAM, ROM or device memory a debugger may read (the copy stops at
 *  the first byte that is not). */
export function debugPhysRead(phys: u32, len: u32, out: usize): u32 {
  let done: u32 = 0;
  while (done < len) {
    let a = phys + done;
    let host = backing(a);
    if (host == 0) {
      let e = physEntry(a & a20Mask);
      if (!(e & PM_MMIO)) break;
      let v = mmioPeek((e >> PM_DEV_SHIFT) & 0xff, a & a20Mask);
      if (v < 0) break;
      store<u8>(out + done, <u8>v);
      done++;
      if (a + 1 == 0) break;
      continue;
    }
    let n = min<u32>(len - done, 4096 - (a & 0xfff));
    memory.copy(out + done, host, n);
    done += n;
    if (a + n < a) break; // wrapped past 4 GiB
  }
  return done;
}

/** Copy `len` bytes from `src` to physical `phys` (RAM or ROM); returns how many landed. */
export function debugPhysWrite(phys: u32, len: u32, src: usize): u32 {
  let done: u32 = 0;
  while (done < len) {
    let a = phys + done;
    let host = backing(a);
    if (host == 0) break;
    let n = min<u32>(len - done, 4096 - (a & 0xfff));
    if (physEntry(a & a20Mask) & PM_ROM) jitFlushAll(); // ROM code may be translated too (cpu/jit.ts)
    else jitCheckWrite(host);
    memory.copy(host, src + done, n);
    done += n;
    if (a + n < a) break;
  }
  return done;
}

/** Copy up to `len` bytes from linear `lin`; returns how many could be read. */
export function debugLinearRead(lin: u32, len: u32, out: usize): u32 {
  let done: u32 = 0;
  while (done < len) {
    let a = lin + done;
    let p = debugTranslate(a);
    if (p < 0) break;
    let n = min<u32>(len - done, 4096 - (a & 0xfff));
    let got = debugPhysRead(<u32>p, n, out + done);
    done += got;
    if (got < n) break;
  }
  return done;
}

/** Copy `len` bytes from `src` to linear `lin`; returns how many landed. */
export function debugLinearWrite(lin: u32, len: u32, src: usize): u32 {
  let done: u32 = 0;
  while (done < len) {
    let a = lin + done;
    let p = debugTranslate(a);
    if (p < 0) break;
    let n = min<u32>(len - done, 4096 - (a & 0xfff));
    let put = debugPhysWrite(<u32>p, n, src + done);
    done += put;
    if (put < n) break;
  }
  return done;
}
