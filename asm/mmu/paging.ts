// Linear -> physical translation: the TLB and the two-level page walk for 32-bit
// paging with 4 KiB and 4 MiB (PSE) pages, global pages (PGE), CR0.WP, U/S, R/W and
// accessed/dirty bits (SDM vol. 3 ch. 4, §4.3, §4.6, §4.8, §4.10).
//
// TLB: one u32 per linear page (layout.ts TLB). 0 = not cached. Otherwise bits
// 31..12 hold (host page - linear page) mod 2^32 so that host = (e & ~0xfff) + lin
// (for MMIO and open-bus pages, (physical page - linear page) instead), and the
// low bits say which accesses may take the fast path. An access kind checks
// (e & mask) == TLB_VALID with one mask per kind (tlbReadMask / tlbWriteMask,
// which follow CPL). A page that is clean gets both NOWRITE bits so that the
// first write walks again and sets D. Not modelled: PAE and NX (CR4.PAE is
// refused by MOV CR4 until they are), caching attributes (PCD/PWT/PAT, MTRRs).

import { TLB, TLB_FILL_LIST, TLB_FILL_MAX } from "../layout";
import { JIT_READ_MASK, JIT_WRITE_MASK } from "../cpu/jit";
import { OFF_CR3, CR0_PG, CR0_WP, CR4_PSE, CR4_PGE, cr0, cr4 } from "../cpu/state";
import { raisePF } from "../cpu/fault";
import { dataBpEnabled, dataBpPage } from "../cpu/debug";
import { invalidateFetch } from "../cpu/decode";
import { physEntry, physRead32, physWrite32, a20Mask, PM_HOST, PM_ROM, PM_MMIO, PM_CODE } from "./phys";

export const TLB_VALID: u32 = 1 << 0;
export const TLB_NOREAD_USER: u32 = 1 << 1;
export const TLB_NOWRITE_SUP: u32 = 1 << 2;
export const TLB_NOWRITE_USER: u32 = 1 << 3;
export const TLB_SLOW: u32 = 1 << 4;   // MMIO or open bus: always the slow path
export const TLB_GLOBAL: u32 = 1 << 5;
export const TLB_ROM: u32 = 1 << 6;    // writes are dropped (with both NOWRITE bits)
export const TLB_LARGE: u32 = 1 << 7;  // part of a 4 MiB page (INVLPG drops all of it)

export let tlbReadMask: u32 = TLB_VALID | TLB_SLOW;
export let tlbWriteMask: u32 = TLB_VALID | TLB_SLOW | TLB_NOWRITE_SUP;
let fillCount: u32 = 0;
// Some entry filled since the last full flush came from a 4 MiB page.
let largeFilled: bool = false;
let fillOverflow: bool = false;
/** Cached code-fetch translations may be stale (TLB flush, CS reload, CPL
 *  change): drop decode.ts's page cache now, so instruction fetch need not check. */
export function invalidateFetchCache(): void { invalidateFetch(); }

/** Accesses at CPL 3 are user accesses (SDM vol. 3 §4.6). */
export function setUserMode(user: bool): void {
  tlbReadMask = user ? (TLB_VALID | TLB_SLOW | TLB_NOREAD_USER) : (TLB_VALID | TLB_SLOW);
  tlbWriteMask = user ? (TLB_VALID | TLB_SLOW | TLB_NOWRITE_USER | TLB_NOREAD_USER) : (TLB_VALID | TLB_SLOW | TLB_NOWRITE_SUP);
  publishTlbMasks();
  invalidateFetchCache();
}
/** Translated code reads the masks from memory (cpu/jit.ts). */
export function publishTlbMasks(): void {
  store<u32>(JIT_READ_MASK, tlbReadMask);
  store<u32>(JIT_WRITE_MASK, tlbWriteMask);
}

@inline export function tlbEntry(lin: u32): u32 { return load<u32>(TLB + ((lin >>> 12) << 2)); }

function tlbSet(lin: u32, e: u32): void {
  let p = TLB + ((lin >>> 12) << 2);
  if (load<u32>(p) == 0) {
    if (fillCount < TLB_FILL_MAX) store<u32>(TLB_FILL_LIST + (fillCount++ << 2), lin >>> 12);
    else fillOverflow = true;
  }
  store<u32>(p, e);
}

/** Drop every cached translation; with keepGlobal, keep global pages (MOV CR3 with CR4.PGE). */
export function tlbFlush(keepGlobal: bool): void {
  invalidateFetchCache();
  if (fillOverflow) {
    if (keepGlobal) {
      for (let i: u32 = 0; i < 0x100000; i++) {
        let p = TLB + (i << 2);
        if (!(load<u32>(p) & TLB_GLOBAL)) store<u32>(p, 0);
      }
      // keep the global entries findable for the next flush
      fillCount = 0;
      for (let i: u32 = 0; i < 0x100000 && fillCount < TLB_FILL_MAX; i++) {
        if (load<u32>(TLB + (i << 2)) != 0) store<u32>(TLB_FILL_LIST + (fillCount++ << 2), i);
      }
      fillOverflow = fillCount >= TLB_FILL_MAX;
    } else {
      memory.fill(TLB, 0, 0x100000 * 4);
      fillCount = 0;
      fillOverflow = false;
      largeFilled = false;
    }
    return;
  }
  if (!keepGlobal) largeFilled = false;
  let kept: u32 = 0;
  for (let i: u32 = 0; i < fillCount; i++) {
    let page = load<u32>(TLB_FILL_LIST + (i << 2));
    let p = TLB + (page << 2);
    let e = load<u32>(p);
    if (keepGlobal && (e & TLB_GLOBAL)) store<u32>(TLB_FILL_LIST + (kept++ << 2), page);
    else store<u32>(p, 0);
  }
  fillCount = kept;
}

/** INVLPG: drop one page, global or not (SDM vol. 3 §4.10.4.1). A 4 MiB page is
 *  cached here as 1024 entries, and INVLPG of any address in it drops them all. */
export function tlbFlushPage(lin: u32): void {
  store<u32>(TLB + ((lin >>> 12) << 2), 0);
  if (largeFilled) {
    let p = TLB + ((lin >>> 22) << 12);
    for (let i: u32 = 0; i < 1024; i++) {
      if (load<u32>(p + (i << 2)) & TLB_LARGE) store<u32>(p + (i << 2), 0);
    }
  }
  invalidateFetchCache();
}

// Page-fault error code bits (SDM vol. 3 §4.7).
const PFE_P: u32 = 1;
const PFE_W: u32 = 2;
const PFE_U: u32 = 4;

const PTE_P: u32 = 1;
const PTE_RW: u32 = 2;
const PTE_US: u32 = 4;
const PTE_A: u32 = 0x20;
const PTE_D: u32 = 0x40;
const PTE_PS: u32 = 0x80;
const PTE_G: u32 = 0x100;

/** Walk the page tables for `lin`, fill the TLB and return the new entry, or
 *  raise #PF and return 0. `user` is the privilege of the access, not CPL (a
 *  descriptor-table access at CPL 3 is a supervisor access). */
export function tlbFill(lin: u32, write: bool, user: bool): u32 {
  let phys: u32;
  let flags: u32 = TLB_VALID;
  let c0 = cr0();
  if (c0 & CR0_PG) {
    let cr3 = load<u32>(OFF_CR3);
    let pdeAddr = (cr3 & 0xfffff000) | ((lin >>> 22) << 2);
    let pde = physRead32(pdeAddr);
    let err: u32 = (write ? PFE_W : 0) | (user ? PFE_U : 0);
    if (!(pde & PTE_P)) { raisePF(lin, err); return 0; }
    let allowUser: bool, allowWrite: bool, dirty: bool, global: bool;
    let c4 = cr4();
    if ((pde & PTE_PS) && (c4 & CR4_PSE)) {
      allowUser = (pde & PTE_US) != 0;
      allowWrite = (pde & PTE_RW) != 0;
      if (!checkAccess(allowUser, allowWrite, write, user, c0)) { raisePF(lin, err | PFE_P); return 0; }
      let npde = pde | PTE_A | (write ? PTE_D : 0);
      if (npde != pde) physWrite32(pdeAddr, npde);
      dirty = (npde & PTE_D) != 0;
      global = (pde & PTE_G) != 0 && (c4 & CR4_PGE) != 0;
      phys = (pde & 0xffc00000) | (lin & 0x3ff000);
      flags |= TLB_LARGE;
      largeFilled = true;
    } else {
      let pteAddr = (pde & 0xfffff000) | (((lin >>> 12) & 0x3ff) << 2);
      let pte = physRead32(pteAddr);
      if (!(pte & PTE_P)) { raisePF(lin, err); return 0; }
      allowUser = (pde & pte & PTE_US) != 0;
      allowWrite = (pde & pte & PTE_RW) != 0;
      if (!checkAccess(allowUser, allowWrite, write, user, c0)) { raisePF(lin, err | PFE_P); return 0; }
      if (!(pde & PTE_A)) physWrite32(pdeAddr, pde | PTE_A);
      let npte = pte | PTE_A | (write ? PTE_D : 0);
      if (npte != pte) physWrite32(pteAddr, npte);
      dirty = (npte & PTE_D) != 0;
      global = (pte & PTE_G) != 0 && (c4 & CR4_PGE) != 0;
      phys = pte & 0xfffff000;
    }
    if (!allowUser) flags |= TLB_NOREAD_USER | TLB_NOWRITE_USER;
    if (!allowWrite) flags |= TLB_NOWRITE_USER | ((c0 & CR0_WP) ? TLB_NOWRITE_SUP : 0);
    if (!dirty) flags |= TLB_NOWRITE_USER | TLB_NOWRITE_SUP;
    if (global) flags |= TLB_GLOBAL;
  } else {
    phys = lin & 0xfffff000;
  }
  phys &= a20Mask;
  let pm = physEntry(phys);
  let e: u32;
  if (pm & PM_HOST) {
    e = ((pm & 0xfffff000) - (lin & 0xfffff000)) | flags;
    if (pm & PM_ROM) e |= TLB_ROM | TLB_NOWRITE_SUP | TLB_NOWRITE_USER;
    // Translated code lives here: writes take the slow path, which drops it (cpu/jit.ts).
    if (pm & PM_CODE) e |= TLB_NOWRITE_SUP | TLB_NOWRITE_USER;
  } else {
    e = (phys - (lin & 0xfffff000)) | flags | TLB_SLOW;
  }
  // Pages holding a watched address stay out of the TLB, so that every access
  // to them reaches the data-breakpoint check in linear.ts (cpu/debug.ts).
  if (!dataBpEnabled || !dataBpPage(lin)) tlbSet(lin, e);
  return e;
}

@inline function checkAccess(allowUser: bool, allowWrite: bool, write: bool, user: bool, c0: u32): bool {
  if (user && !allowUser) return false;
  if (write && !allowWrite && (user || (c0 & CR0_WP) != 0)) return false;
  return true;
}


