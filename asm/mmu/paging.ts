// Linear -> physical translation: the TLB and the page walks for 32-bit paging
// with 4 KiB and 4 MiB (PSE) pages (SDM vol. 3 §4.3) and PAE paging with 4 KiB
// and 2 MiB pages, the PDPTE registers, reserved-bit checks and execute-disable
// (§4.4, IA32_EFER.NXE), global pages (PGE), CR0.WP, U/S, R/W and accessed/dirty
// bits (§4.6, §4.7, §4.8, §4.10). In VMX non-root operation with EPT, every
// guest-physical address of a walk goes through ept.ts (SDM vol. 3 §28.3.1).
//
// TLB: one u32 per linear page (layout.ts TLB). 0 = not cached. Otherwise bits
// 31..12 hold (host page - linear page) mod 2^32 so that host = (e & ~0xfff) + lin
// (for MMIO and open-bus pages, (physical page - linear page) instead), and the
// low bits say which accesses may take the fast path. An access kind checks
// (e & mask) == TLB_VALID with one mask per kind (tlbReadMask / tlbWriteMask,
// which follow CPL). A page that is clean gets both NOWRITE bits so that the
// first write walks again and sets D. TLB_NOEXEC (execute-disable) is looked at
// only by instruction fetch (cpu/decode.ts), whose masks include it: data
// accesses, translated code's inline lookup among them, never test it. PAE
// physical addresses at or above 4 GiB (up to MAXPHYADDR) are open bus: such a
// page gets TLB_SLOW | TLB_NOBUS. Not modelled: caching attributes (PCD/PWT,
// the PAT bits, MTRRs), PCIDs, SMEP/SMAP, protection keys, 4-level paging.

import { TLB, TLB_FILL_LIST, TLB_FILL_MAX } from "../layout";
import { JIT_READ_MASK, JIT_WRITE_MASK, jitMapsChanged } from "../cpu/jit";
import { OFF_CR3, OFF_PDPTE, CR0_PG, CR0_WP, CR4_PSE, CR4_PGE, CR4_PAE, EFER_NXE, cr0, cr4, efer } from "../cpu/state";
import { raisePF, raiseGP } from "../cpu/fault";
import { MAXPHYADDR } from "../cpu/features";
import { dataBpEnabled, dataBpPage } from "../cpu/debug";
import { invalidateFetch } from "../cpu/decode";
import { physEntry, physRead32, physWrite32, a20Mask, PM_HOST, PM_ROM, PM_MMIO, PM_CODE, PM_WATCH } from "./phys";
import { eptActive, eptTranslate, eptHost, eptRights, eptDirty, ACC_READ, ACC_WRITE, ACC_FETCH, EPT_W, EPT_X } from "./ept";

export const TLB_VALID: u32 = 1 << 0;
export const TLB_NOREAD_USER: u32 = 1 << 1;
export const TLB_NOWRITE_SUP: u32 = 1 << 2;
export const TLB_NOWRITE_USER: u32 = 1 << 3;
export const TLB_SLOW: u32 = 1 << 4;   // MMIO or open bus: always the slow path
export const TLB_GLOBAL: u32 = 1 << 5;
export const TLB_ROM: u32 = 1 << 6;    // writes are dropped (with both NOWRITE bits)
export const TLB_LARGE: u32 = 1 << 7;  // part of a 4 MiB or 2 MiB page (INVLPG drops all of it)
export const TLB_NOEXEC: u32 = 1 << 8; // execute-disable: instruction fetch walks again (and faults)
export const TLB_NOBUS: u32 = 1 << 9;  // physical page above 4 GiB: open bus (always with TLB_SLOW)
// Instruction fetch: a cached entry serves a fetch when (e & mask) == TLB_VALID.
export const TLB_FETCH_SUP: u32 = TLB_VALID | TLB_NOEXEC;
export const TLB_FETCH_USER: u32 = TLB_VALID | TLB_NOREAD_USER | TLB_NOEXEC;

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
  jitMapsChanged();
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
 *  cached here as 1024 entries, and INVLPG of any address in it drops them all
 *  (with them every large-page entry of the aligned 4 MiB, so a 2 MiB page too). */
export function tlbFlushPage(lin: u32): void {
  store<u32>(TLB + ((lin >>> 12) << 2), 0);
  jitMapsChanged();
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
const PFE_RSVD: u32 = 8;
const PFE_ID: u32 = 16;

const PTE_P: u32 = 1;
const PTE_RW: u32 = 2;
const PTE_US: u32 = 4;
const PTE_A: u32 = 0x20;
const PTE_D: u32 = 0x40;
const PTE_PS: u32 = 0x80;
const PTE_G: u32 = 0x100;

// PAE entries (SDM vol. 3 §4.4.2, tables 4-8 to 4-11): 64 bits, the address in
// bits MAXPHYADDR-1:12, execute-disable in bit 63.
const PAE_XD: u64 = 1 << 63;
const PAE_ADDR: u64 = ((<u64>1 << MAXPHYADDR) - 1) & ~<u64>0xfff;
// Bits 62:MAXPHYADDR of every PAE entry; bit 63 too while IA32_EFER.NXE = 0.
const PAE_RSVD_HIGH: u64 = ~((<u64>1 << MAXPHYADDR) - 1) & ~PAE_XD;
const PAE_RSVD_2M: u64 = 0x1fe000;          // bits 20:13 of a PDE that maps 2 MiB
// PDPTE bits 2:1 and 8:5 and 63:MAXPHYADDR (§4.4.1: #GP(0) when loaded with P = 1).
const PDPTE_RSVD: u64 = ~((<u64>1 << MAXPHYADDR) - 1) | 0x1e6;

/** A PDPTE that may not be loaded: present with a reserved bit set (§4.4.1; at
 *  VM entry with EPT, §26.3.1.6). */
export function pdpteBad(v: u64): bool { return (v & PTE_P) != 0 && (v & PDPTE_RSVD) != 0; }

/** A 64-bit paging-structure entry; above 4 GiB there is nothing (all ones). */
function physRead64(addr: u64): u64 {
  if (addr >> 32) return 0xffffffffffffffff;
  let a = <u32>addr;
  return <u64>physRead32(a) | (<u64>physRead32(a + 4) << 32);
}
/** Set A (and D) in the low half of a 64-bit entry. */
function setFlags64(addr: u64, old: u64, set: u32): void {
  if (addr >> 32 || (<u32>old & set) == set) return;
  physWrite32(<u32>addr, <u32>old | set);
}

/** Load the PDPTE registers from the PDPT at `cr3` (SDM vol. 3 §4.4.1), at MOV
 *  CR3 in PAE paging and when MOV CR0/CR4 or a task switch enter or change PAE
 *  paging. A present PDPTE with a reserved bit set: #GP(0), the registers keep
 *  their old values and false is returned (the caller then does not commit). */
export function loadPdptes(cr3: u32): bool {
  let base = <u64>(cr3 & 0xffffffe0);
  // With EPT, CR3 is guest-physical; this access translates no linear address.
  if (eptActive()) {
    if (!eptTranslate(base, ACC_READ, 0, false, false)) return false;
    base = eptHost;
  }
  for (let i: u64 = 0; i < 4; i++) {
    let v = physRead64(base + (i << 3));
    if (pdpteBad(v)) { raiseGP(0); return false; }
  }
  for (let i: u32 = 0; i < 4; i++) store<u64>(OFF_PDPTE + (i << 3), physRead64(base + <u64>(i << 3)));
  return true;
}

/** The host wrote CR0, CR3 or CR4 (a debugger; cpu/reset.ts stateChanged): in
 *  PAE paging the PDPTEs follow the new CR3. Nothing may fault here, so a PDPTE
 *  with reserved bits is kept with P clear: its addresses fault as not present. */
export function hostReloadPdptes(): void {
  if (!(cr0() & CR0_PG) || !(cr4() & CR4_PAE)) return;
  let base = <u64>(load<u32>(OFF_CR3) & 0xffffffe0);
  if (eptActive()) base = eptTranslate(base, ACC_READ, 0, false, false, true) ? eptHost : 0xffffffffffffffff;
  for (let i: u32 = 0; i < 4; i++) {
    let v = physRead64(base + <u64>(i << 3));
    if (v & PDPTE_RSVD) v &= ~<u64>PTE_P;
    store<u64>(OFF_PDPTE + (i << 3), v);
  }
}

// The result of a successful walk.
let walkPhys: u64 = 0;
let walkFlags: u32 = 0;

/** Walk the page tables for `lin`, fill the TLB and return the new entry, or
 *  raise #PF and return 0. `user` is the privilege of the access, not CPL (a
 *  descriptor-table access at CPL 3 is a supervisor access); `fetch` marks an
 *  instruction fetch, which execute-disable forbids. */
export function tlbFill(lin: u32, write: bool, user: bool, fetch: bool = false): u32 {
  walkPhys = <u64>(lin & 0xfffff000);
  walkFlags = TLB_VALID;
  walkEpt = eptActive();
  if (cr0() & CR0_PG) {
    let ok = (cr4() & CR4_PAE) ? walkPae(lin, write, user, fetch) : walk32(lin, write, user);
    if (!ok) return 0;
  }
  if (walkEpt) {
    // The final guest-physical address (SDM vol. 3 §28.3.3.2): the entry keeps
    // the EPT permissions, so that a write the EPT forbids, or a fetch, walks
    // again and exits (no execute-only translations here: R is always there).
    // A page whose EPT leaf is not yet dirty (accessed and dirty flags for
    // EPT, §28.3.5) is cached as a clean guest page is: its first write walks
    // again and sets the flag.
    let acc = fetch ? ACC_FETCH : write ? ACC_WRITE : ACC_READ;
    if (!eptTranslate(walkPhys | <u64>(lin & 0xfff), acc, lin, true, true)) return 0;
    walkPhys = eptHost & ~<u64>0xfff;
    if (!(eptRights & EPT_W) || !eptDirty) walkFlags |= TLB_NOWRITE_SUP | TLB_NOWRITE_USER;
    if (!(eptRights & EPT_X)) walkFlags |= TLB_NOEXEC;
  }
  return tlbInstall(lin, walkPhys, walkFlags);
}

// The walk in progress translates its guest-physical addresses through EPT.
let walkEpt: bool = false;
const NO_ADDR: u64 = 0xffffffffffffffff;
/** Where a guest paging-structure entry at `gpa` is: itself, or with EPT its
 *  host-physical address, NO_ADDR with the EPT exit raised. A/D updates are
 *  writes to the entry (`write`; SDM vol. 3 §28.3.3.2); with accessed and
 *  dirty flags for EPT the reads are too (ept.ts). */
@inline function entryAddr(gpa: u64, write: bool, lin: u32): u64 {
  if (!walkEpt) return gpa;
  return eptTranslate(gpa, write ? ACC_WRITE : ACC_READ, lin, true, false) ? eptHost : NO_ADDR;
}

/** 32-bit paging (SDM vol. 3 §4.3): a page directory and page tables of 32-bit entries. */
function walk32(lin: u32, write: bool, user: bool): bool {
  let c0 = cr0();
  let cr3 = load<u32>(OFF_CR3);
  let pdeGpa = (cr3 & 0xfffff000) | ((lin >>> 22) << 2);
  let a = entryAddr(<u64>pdeGpa, false, lin);
  if (a == NO_ADDR) return false;
  let pdeAddr = <u32>a;
  let pde = physRead32(pdeAddr);
  let err: u32 = (write ? PFE_W : 0) | (user ? PFE_U : 0);
  if (!(pde & PTE_P)) { raisePF(lin, err); return false; }
  let allowUser: bool, allowWrite: bool, dirty: bool, global: bool;
  let c4 = cr4();
  let flags = TLB_VALID;
  if ((pde & PTE_PS) && (c4 & CR4_PSE)) {
    allowUser = (pde & PTE_US) != 0;
    allowWrite = (pde & PTE_RW) != 0;
    if (!checkAccess(allowUser, allowWrite, write, user, c0)) { raisePF(lin, err | PFE_P); return false; }
    let npde = pde | PTE_A | (write ? PTE_D : 0);
    if (npde != pde) {
      if (walkEpt && entryAddr(<u64>pdeGpa, true, lin) == NO_ADDR) return false;
      physWrite32(pdeAddr, npde);
    }
    dirty = (npde & PTE_D) != 0;
    global = (pde & PTE_G) != 0 && (c4 & CR4_PGE) != 0;
    walkPhys = <u64>((pde & 0xffc00000) | (lin & 0x3ff000));
    flags |= TLB_LARGE;
    largeFilled = true;
  } else {
    let pteGpa = (pde & 0xfffff000) | (((lin >>> 12) & 0x3ff) << 2);
    a = entryAddr(<u64>pteGpa, false, lin);
    if (a == NO_ADDR) return false;
    let pteAddr = <u32>a;
    let pte = physRead32(pteAddr);
    if (!(pte & PTE_P)) { raisePF(lin, err); return false; }
    allowUser = (pde & pte & PTE_US) != 0;
    allowWrite = (pde & pte & PTE_RW) != 0;
    if (!checkAccess(allowUser, allowWrite, write, user, c0)) { raisePF(lin, err | PFE_P); return false; }
    if (!(pde & PTE_A)) {
      if (walkEpt && entryAddr(<u64>pdeGpa, true, lin) == NO_ADDR) return false;
      physWrite32(pdeAddr, pde | PTE_A);
    }
    let npte = pte | PTE_A | (write ? PTE_D : 0);
    if (npte != pte) {
      if (walkEpt && entryAddr(<u64>pteGpa, true, lin) == NO_ADDR) return false;
      physWrite32(pteAddr, npte);
    }
    dirty = (npte & PTE_D) != 0;
    global = (pte & PTE_G) != 0 && (c4 & CR4_PGE) != 0;
    walkPhys = <u64>(pte & 0xfffff000);
  }
  walkFlags = flags | rightsFlags(allowUser, allowWrite, dirty, global, c0);
  return true;
}

/** PAE paging (SDM vol. 3 §4.4): a PDPTE register, then a page directory and
 *  page tables of 64-bit entries. Reserved bits set in a present entry: #PF
 *  with P and RSVD. With IA32_EFER.NXE, XD in either entry forbids fetches,
 *  and the error code of a fetch's fault has I/D (§4.7). */
function walkPae(lin: u32, write: bool, user: bool, fetch: bool): bool {
  let c0 = cr0(), c4 = cr4();
  let nxe = (efer() & EFER_NXE) != 0;
  let rsvd: u64 = PAE_RSVD_HIGH | (nxe ? 0 : PAE_XD);
  let err: u32 = (write ? PFE_W : 0) | (user ? PFE_U : 0) | (fetch && nxe ? PFE_ID : 0);
  // The PDPTE registers were checked for reserved bits when they were loaded.
  let pdpte = load<u64>(OFF_PDPTE + ((lin >>> 30) << 3));
  if (!(pdpte & PTE_P)) { raisePF(lin, err); return false; }
  let pdeGpa: u64 = (pdpte & PAE_ADDR) | <u64>(((lin >>> 21) & 0x1ff) << 3);
  let pdeAddr = entryAddr(pdeGpa, false, lin);
  if (pdeAddr == NO_ADDR) return false;
  let pde = physRead64(pdeAddr);
  if (!(pde & PTE_P)) { raisePF(lin, err); return false; }
  if (pde & rsvd) { raisePF(lin, err | PFE_P | PFE_RSVD); return false; }
  let allowUser: bool, allowWrite: bool, dirty: bool, global: bool, xd: bool;
  let flags = TLB_VALID;
  if (pde & PTE_PS) {
    if (pde & PAE_RSVD_2M) { raisePF(lin, err | PFE_P | PFE_RSVD); return false; }
    allowUser = (pde & PTE_US) != 0;
    allowWrite = (pde & PTE_RW) != 0;
    xd = nxe && (pde & PAE_XD) != 0;
    if (!checkAccess(allowUser, allowWrite, write, user, c0) || (fetch && xd)) { raisePF(lin, err | PFE_P); return false; }
    let set = PTE_A | (write ? PTE_D : 0);
    if (walkEpt && (<u32>pde & set) != set && entryAddr(pdeGpa, true, lin) == NO_ADDR) return false;
    setFlags64(pdeAddr, pde, set);
    dirty = ((<u32>pde | set) & PTE_D) != 0;
    global = (<u32>pde & PTE_G) != 0 && (c4 & CR4_PGE) != 0;
    walkPhys = (pde & PAE_ADDR & ~<u64>0x1fffff) | <u64>(lin & 0x1ff000);
    flags |= TLB_LARGE;
    largeFilled = true;
  } else {
    let pteGpa: u64 = (pde & PAE_ADDR) | <u64>(((lin >>> 12) & 0x1ff) << 3);
    let pteAddr = entryAddr(pteGpa, false, lin);
    if (pteAddr == NO_ADDR) return false;
    let pte = physRead64(pteAddr);
    if (!(pte & PTE_P)) { raisePF(lin, err); return false; }
    if (pte & rsvd) { raisePF(lin, err | PFE_P | PFE_RSVD); return false; }
    allowUser = (pde & pte & PTE_US) != 0;
    allowWrite = (pde & pte & PTE_RW) != 0;
    xd = nxe && ((pde | pte) & PAE_XD) != 0;
    if (!checkAccess(allowUser, allowWrite, write, user, c0) || (fetch && xd)) { raisePF(lin, err | PFE_P); return false; }
    if (walkEpt && !(<u32>pde & PTE_A) && entryAddr(pdeGpa, true, lin) == NO_ADDR) return false;
    setFlags64(pdeAddr, pde, PTE_A);
    let set = PTE_A | (write ? PTE_D : 0);
    if (walkEpt && (<u32>pte & set) != set && entryAddr(pteGpa, true, lin) == NO_ADDR) return false;
    setFlags64(pteAddr, pte, set);
    dirty = ((<u32>pte | set) & PTE_D) != 0;
    global = (<u32>pte & PTE_G) != 0 && (c4 & CR4_PGE) != 0;
    walkPhys = pte & PAE_ADDR;
  }
  walkFlags = flags | rightsFlags(allowUser, allowWrite, dirty, global, c0) | (xd ? TLB_NOEXEC : 0);
  return true;
}

/** The TLB bits that send an access the walk refused (or must redo) to the slow path. */
@inline function rightsFlags(allowUser: bool, allowWrite: bool, dirty: bool, global: bool, c0: u32): u32 {
  let flags: u32 = 0;
  if (!allowUser) flags |= TLB_NOREAD_USER | TLB_NOWRITE_USER;
  if (!allowWrite) flags |= TLB_NOWRITE_USER | ((c0 & CR0_WP) ? TLB_NOWRITE_SUP : 0);
  if (!dirty) flags |= TLB_NOWRITE_USER | TLB_NOWRITE_SUP;
  if (global) flags |= TLB_GLOBAL;
  return flags;
}

/** Cache the translation of `lin` to physical `phys64` with `flags`; returns the entry. */
function tlbInstall(lin: u32, phys64: u64, flags: u32): u32 {
  let e: u32;
  if (phys64 >> 32) {
    // Nothing answers above 4 GiB: reads see all ones, writes vanish (linear.ts).
    e = (0 - (lin & 0xfffff000)) | flags | TLB_SLOW | TLB_NOBUS;
  } else {
    let phys = <u32>phys64 & a20Mask;
    let pm = physEntry(phys);
    if (pm & PM_HOST) {
      e = ((pm & 0xfffff000) - (lin & 0xfffff000)) | flags;
      if (pm & PM_ROM) e |= TLB_ROM | TLB_NOWRITE_SUP | TLB_NOWRITE_USER;
      // Translated code lives here: writes take the slow path, which drops it (cpu/jit.ts).
      if (pm & PM_CODE) e |= TLB_NOWRITE_SUP | TLB_NOWRITE_USER;
      // Clean video memory: the first write is logged (dirty.ts).
      if (pm & PM_WATCH) e |= TLB_NOWRITE_SUP | TLB_NOWRITE_USER;
    } else {
      e = (phys - (lin & 0xfffff000)) | flags | TLB_SLOW;
    }
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
