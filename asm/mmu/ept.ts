// EPT, the extended page tables of VMX (SDM vol. 3 §28.3): in VMX non-root
// operation with the "enable EPT" secondary control, every guest-physical
// address - the guest's own paging-structure entries, the final translation of a
// linear address, the PDPTEs MOV CR loads - is translated through a 4-level EPT
// paging structure that the EPT pointer (VMCS field 201AH) names. A missing
// permission is an EPT violation (exit 48), a malformed entry an EPT
// misconfiguration (exit 49); both are VM exits at the access, fault-like.
//
// The model (docs/VMX.md): page-walk length 4, EPTP memory types UC and WB,
// 2-MByte and 1-GByte pages, accessed and dirty flags (§28.3.5, with EPTP bit
// 6), no execute-only translations, no EPT-violation #VE, no mode-based execute
// control. The TLB caches the combined linear -> host-physical translation
// (paging.ts), with the EPT permissions folded into its bits, and a page whose
// EPT leaf is not yet dirty gets no fast write path (eptDirty); every VM entry
// and exit flushes it, and so do INVEPT and INVVPID (vmx.ts), so nothing here
// is cached.

import { physRead32, physWrite32 } from "./phys";
import { MAXPHYADDR, hasFeature, FEAT_VMX_EPT } from "../cpu/features";
import { raise, faultPending } from "../cpu/fault";
import { OFF_VMX_MODE, VMX_EPT, VMX_EPT_AD } from "../cpu/state";
import { vmread, vmread64, PROC_CTLS, PROC_CTLS2, EPT_POINTER } from "../cpu/vmxfields";

/** Secondary processor-based controls this model has (SDM vol. 3 table 24-7). */
export const SEC_EPT: u32 = 1 << 1;
export const SEC_VPID: u32 = 1 << 5;
export const SEC_UG: u32 = 1 << 7;   // unrestricted guest
/** Primary control bit 31, "activate secondary controls". */
export const PROC_SECONDARY: u32 = 1 << 31;

/** The secondary controls in force: 0 unless the primary bit 31 is set. Call
 *  only in VMX operation with a current VMCS on a processor that has them. */
export function secondaryControls(): u32 {
  return (vmread(PROC_CTLS) & PROC_SECONDARY) ? vmread(PROC_CTLS2) : 0;
}

/** Whether guest-physical addresses go through EPT now: in non-root operation
 *  entered with the EPT control set (vmxentry.ts sets VMX_EPT; every exit and
 *  VMXOFF clear it; the controls cannot change in non-root operation). */
@inline export function eptActive(): bool {
  return (load<u32>(OFF_VMX_MODE) & VMX_EPT) != 0;
}
/** Whether the EPTP VM entry loaded enables accessed and dirty flags (bit 6;
 *  vmxentry.ts sets VMX_EPT_AD with VMX_EPT). */
@inline function eptAdOn(): bool {
  return (load<u32>(OFF_VMX_MODE) & VMX_EPT_AD) != 0;
}
/** IA32_VMX_EPT_VPID_CAP bit 21 (appendix A.10): every processor with EPT here
 *  has accessed and dirty flags for EPT (vmx.ts reports the bit with EPT). */
@inline function eptAdSupported(): bool { return hasFeature(FEAT_VMX_EPT); }

// The kinds of access (also the qualification's bits 2:0, SDM vol. 3 table 27-7).
export const ACC_READ: u32 = 1;
export const ACC_WRITE: u32 = 2;
export const ACC_FETCH: u32 = 4;
// EPT entry permission bits 2:0: read, write, execute.
export const EPT_R: u32 = 1;
export const EPT_W: u32 = 2;
export const EPT_X: u32 = 4;
// With EPTP bit 6 (§28.3.5): bit 8 of every entry a translation uses is its
// accessed flag; bit 9 of an entry that maps a page is its dirty flag.
const EPT_A: u32 = 1 << 8;
const EPT_D: u32 = 1 << 9;
const EPT_PS: u32 = 1 << 7;   // a PDPTE or PDE that maps a page

// An EPTP (SDM vol. 3 §24.6.11): memory type in bits 2:0 (0 UC or 6 WB here),
// the page-walk length minus 1 in bits 5:3 (3), bit 6 accessed and dirty flags
// for EPT, bits 11:7 reserved, the PML4 table's address up to MAXPHYADDR.
const ADDR: u64 = ((<u64>1 << MAXPHYADDR) - 1) & ~<u64>0xfff;
const RSVD_HIGH: u64 = ((<u64>1 << 52) - 1) & ~((<u64>1 << MAXPHYADDR) - 1); // bits 51:MAXPHYADDR
export const EPTP_AD: u32 = 1 << 6;
/** Whether `eptp` is one VM entry takes (§26.2.1.1) and single-context INVEPT
 *  accepts: bit 6 only where IA32_VMX_EPT_VPID_CAP[21] allows it. */
export function eptpValid(eptp: u64): bool {
  let mt = <u32>eptp & 7;
  if (mt != 0 && mt != 6) return false;
  if (((<u32>eptp >> 3) & 7) != 3) return false;
  if ((<u32>eptp & EPTP_AD) && !eptAdSupported()) return false;
  if (<u32>eptp & 0xf80) return false;       // bits 11:7 reserved
  return (eptp & ~(ADDR | 0xfff)) == 0;      // bits 63:MAXPHYADDR
}

// The result of eptTranslate: the host-physical address, the permissions
// (the AND of bits 2:0 of every entry of the walk), and whether a write may
// follow without another walk: accessed and dirty flags are off, or the leaf's
// dirty flag is set (paging.ts keeps the TLB's fast write path from a page
// whose first write must still set it).
export let eptHost: u64 = 0;
export let eptRights: u32 = 0;
export let eptDirty: bool = true;

// The pending EPT exit, raised as the fault EPT_FAULT (exec.ts deliverException
// hands it to vmxexit.ts vmxEptExit).
export const EPT_FAULT: u32 = 0x100;        // beyond every exception vector
export let eptExitReason: u32 = 0;           // 48 violation, 49 misconfiguration
export let eptExitQual: u32 = 0;
export let eptExitGpa: u64 = 0;
export let eptExitLinear: u32 = 0;
export const EXIT_EPT_VIOLATION: u32 = 48;
export const EXIT_EPT_MISCONFIG: u32 = 49;
// Qualification bits of an EPT violation (table 27-7).
const Q_LINEAR_VALID: u32 = 1 << 7;
const Q_FINAL: u32 = 1 << 8;

/** A 64-bit EPT entry; above 4 GiB nothing answers (all ones: a misconfiguration). */
@inline function entryAt(addr: u64): u64 {
  if (addr >> 32) return 0xffffffffffffffff;
  let a = <u32>addr;
  return <u64>physRead32(a) | (<u64>physRead32(a + 4) << 32);
}

/** Whether a present entry at `level` (4 PML4E ... 1 PTE) is misconfigured
 *  (§28.3.3.1): write without read (010, 110), execute-only (100: this model
 *  has no execute-only translations), a reserved bit, or in a leaf a memory
 *  type of 2, 3 or 7. */
function misconfigured(e: u64, level: u32, leaf: bool): bool {
  let perm = <u32>e & 7;
  if (!(perm & EPT_R)) return true;
  if (e & RSVD_HIGH) return true;
  let lo = <u32>e;
  if (!leaf) return (lo & 0xf8) != 0;       // bits 7:3 of a PML4E or a non-leaf PDPTE/PDE
  let mt = (lo >> 3) & 7;
  if (mt == 2 || mt == 3 || mt == 7) return true;
  if (level == 3) return (lo & 0x3ffff000) != 0; // a 1-GByte page: bits 29:12
  if (level == 2) return (lo & 0x1ff000) != 0;   // a 2-MByte page: bits 20:12
  return false;
}

/** Translate guest-physical `gpa` for an access of kind `acc` (ACC_*): true
 *  with eptHost, eptRights and eptDirty set, or false with the EPT exit raised
 *  (unless `quiet`: a debugger's look, which must not change the machine, EPT
 *  accessed and dirty flags included). `lin` and `linValid`: the linear
 *  address whose translation this is part of (the guest-linear address field,
 *  qualification bit 7); `final`: the access is to the translation of `lin`
 *  itself, not to a guest paging-structure entry (bit 8).
 *
 *  With accessed and dirty flags (EPTP bit 6, §28.3.5) a translation that
 *  succeeds sets the accessed flag of every entry it used and, for a write,
 *  the dirty flag of the entry that maps the page; an access to a guest
 *  paging-structure entry counts as a write, for permissions and for the
 *  dirty flag (§28.3.3.2), and an EPT violation it causes reports both read
 *  and write (table 27-7, note 1). The PDPTE loads of MOV CR (no linear
 *  address) stay reads. A walk that ends in an EPT exit sets no flag (as
 *  paging.ts sets the guest's own flags only once the access is allowed). */
export function eptTranslate(gpa: u64, acc: u32, lin: u32, linValid: bool, final: bool, quiet: bool = false): bool {
  let table = vmread64(EPT_POINTER) & ADDR;
  let ad = eptAdOn();
  if (ad && linValid && !final) acc = ACC_READ | ACC_WRITE;
  let rights: u32 = 7;
  let accessed: u32 = EPT_A;  // the AND of the walk's accessed flags
  for (let level: u32 = 4; level >= 1; level--) {
    let shift = <u64>(12 + 9 * (level - 1));
    let e = entryAt(table | (((gpa >> shift) & 0x1ff) << 3));
    let perm = <u32>e & 7;
    rights &= perm;
    accessed &= <u32>e;
    if (perm == 0) break; // not present: a violation, with no rights
    let leaf = level == 1 || (level <= 3 && (<u32>e & EPT_PS) != 0);
    if (misconfigured(e, level, leaf)) {
      if (!quiet) eptExit(EXIT_EPT_MISCONFIG, 0, gpa, 0);
      return false;
    }
    if (leaf) {
      if ((acc & rights) != acc) break; // (R is in every entry that is not misconfigured)
      let size: u64 = <u64>1 << shift;
      eptHost = (e & ADDR & ~(size - 1)) | (gpa & (size - 1));
      eptRights = rights;
      eptDirty = true;
      if (ad && !quiet) {
        let d = (acc & ACC_WRITE) ? EPT_D : 0;
        if (accessed == 0 || (<u32>e & d) != d) setEptFlags(gpa, d);
        eptDirty = ((<u32>e | d) & EPT_D) != 0;
      }
      return true;
    }
    table = e & ADDR;
  }
  if (!quiet) {
    let q = acc | (rights << 3) | (linValid ? Q_LINEAR_VALID | (final ? Q_FINAL : 0) : 0);
    eptExit(EXIT_EPT_VIOLATION, q, gpa, linValid ? lin : 0);
  }
  return false;
}

/** Set the accessed flag of each entry that translates `gpa` and `dirty`
 *  (EPT_D or 0) in the one that maps its page: a second walk over entries the
 *  first found valid, taken only while one of those flags is still clear.
 *  The flags live in the low dword (a write of that half, as paging.ts does). */
function setEptFlags(gpa: u64, dirty: u32): void {
  let table = vmread64(EPT_POINTER) & ADDR;
  for (let level: u32 = 4; level >= 1; level--) {
    let a = <u32>(table | (((gpa >> <u64>(12 + 9 * (level - 1))) & 0x1ff) << 3));
    let lo = physRead32(a);
    let leaf = level == 1 || (level <= 3 && (lo & EPT_PS) != 0);
    let set = EPT_A | (leaf ? dirty : 0);
    if ((lo & set) != set) physWrite32(a, lo | set);
    if (leaf) return;
    table = ((<u64>physRead32(a + 4) << 32) | <u64>lo) & ADDR;
  }
}

function eptExit(reason: u32, qual: u32, gpa: u64, lin: u32): void {
  // The first fault of an instruction wins (fault.ts): the accesses after it
  // (the rest of a split instruction fetch) must not overwrite its details.
  if (faultPending) return;
  eptExitReason = reason;
  eptExitQual = qual;
  eptExitGpa = gpa;
  eptExitLinear = lin;
  raise(EPT_FAULT, 0, false);
}
