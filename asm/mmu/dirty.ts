// Dirty-page logging of video memory (layout.ts VGA_MEM), so that the host
// redraws only what the guest changed (QEMU's memory_region_set_dirty and
// get_dirty do the same for its VGA).
//
// Two kinds of write reach video memory:
//   - through the VGA window at A0000 (an MMIO device, dev/vga.ts), which marks
//     the pages it stores to with dirtyMark;
//   - through the Bochs VBE linear framebuffer, which is video memory mapped as
//     host pages so that reads and writes run at RAM speed. Its pages carry
//     PM_WATCH while clean: the TLB then gives them no fast write path
//     (paging.ts), the first write comes through the slow path (linear.ts) or
//     physWrite*, marks the page, drops PM_WATCH and the TLB entry, and later
//     writes to that page are fast until the host takes the dirty set, which
//     arms the watch again.
// Bitmaps (VGA_DIRTY): bit p of u32 p >> 5 is page p of video memory.
//   +0      DIRTY_NOW   written since the last take
//   +0x200  DIRTY_TAKEN the set the host took last (dirtyTake)

import { VGA_DIRTY, VGA_MEM, VGA_MEM_SIZE } from "../layout";
import { physEntry, setPhysEntry, mapHost, unmap, PM_WATCH } from "./phys";
import { tlbFlush } from "./paging";

const DIRTY_NOW: u32 = VGA_DIRTY;
const DIRTY_TAKEN: u32 = VGA_DIRTY + 0x200;
const PAGES: u32 = VGA_MEM_SIZE >>> 12;

/** Where the linear framebuffer is mapped in the physical address space (0: nowhere). */
let watchPhys: u32 = 0;

@inline function setBit(page: u32): void {
  let p = DIRTY_NOW + ((page >>> 5) << 2);
  store<u32>(p, load<u32>(p) | (1 << (page & 31)));
}

/** Video memory bytes [off, off + len) were written. */
export function dirtyMark(off: u32, len: u32): void {
  if (len == 0) return;
  let last = (off + len - 1) >>> 12;
  for (let page = off >>> 12; page <= last && page < PAGES; page++) setBit(page);
}

/** Everything changed (reset, restore, a mode switch the host should redraw for). */
export function dirtyAll(): void { memory.fill(DIRTY_NOW, 0xff, PAGES >>> 3); }

/** A physical write (DMA, the debugger) to watched host page `host`: mark it and
 *  leave the watch, whose TLB entries may still be cached. */
export function dirtyHostMark(host: u32): void {
  let off = host - VGA_MEM;
  if (off < VGA_MEM_SIZE) setBit(off >>> 12);
}

/** The slow path is about to write host address `host`; true when it is a watched
 *  page of video memory, whose TLB entry the caller must then drop so that later
 *  writes take the fast path. */
export function dirtyHostWrite(host: u32): bool {
  let off = host - VGA_MEM;
  if (off >= VGA_MEM_SIZE) return false;
  let page = off >>> 12;
  setBit(page);
  if (watchPhys == 0) return false;
  let pp = (watchPhys >>> 12) + page;
  let e = physEntry(pp << 12);
  if ((e & PM_WATCH) == 0) return false;
  setPhysEntry(pp, e & ~PM_WATCH);
  return true;
}

/** Map video memory at physical `phys` (0: unmap), every page watched. */
export function watchMap(phys: u32): void {
  if (watchPhys == phys) return;
  if (watchPhys != 0) unmap(watchPhys, VGA_MEM_SIZE);
  watchPhys = phys;
  if (phys != 0) {
    mapHost(phys, VGA_MEM_SIZE, VGA_MEM, false);
    for (let p: u32 = 0; p < PAGES; p++) {
      let pp = (phys >>> 12) + p;
      setPhysEntry(pp, physEntry(pp << 12) | PM_WATCH);
    }
  }
  tlbFlush(false);
}
export function watchBase(): u32 { return watchPhys; }

/** Move the pages written since the last take to DIRTY_TAKEN (returned: its
 *  address), clear them, and watch their framebuffer pages again. */
export function dirtyTake(): u32 {
  let rearmed = false;
  for (let w: u32 = 0; w < (PAGES >>> 5); w++) {
    let bits = load<u32>(DIRTY_NOW + (w << 2));
    store<u32>(DIRTY_TAKEN + (w << 2), bits);
    if (bits == 0) continue;
    store<u32>(DIRTY_NOW + (w << 2), 0);
    if (watchPhys == 0) continue;
    while (bits != 0) {
      let b = <u32>ctz(bits);
      bits &= bits - 1;
      let pp = (watchPhys >>> 12) + (w << 5) + b;
      let e = physEntry(pp << 12);
      if ((e & PM_WATCH) == 0) { setPhysEntry(pp, e | PM_WATCH); rearmed = true; }
    }
  }
  // Linux maps the framebuffer with global pages: drop those entries too.
  if (rearmed) tlbFlush(false);
  return DIRTY_TAKEN;
}
