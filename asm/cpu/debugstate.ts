// Register access for a debugger on the host (gdb's g/G/p/P packets, the
// monitor): what cannot be a plain read or write of the state block. EFLAGS
// has lazy arithmetic flags (flags.ts) to fold in or drop; a segment register
// written by selector gets its hidden part as a load would give it, but without
// checks, faults or accessed bits (QEMU's gdbstub does the same: real and
// virtual-8086 mode base = selector * 16, protected mode the descriptor); the
// x87 registers are handed over in the order and formats gdb's i387 registers use.

import {
  OFF_EFLAGS, OFF_FLAGS_LAZY, OFF_FPU, OFF_GDTR_BASE, OFF_GDTR_LIMIT, S_CS, S_LDTR, ATTR_VALID,
  segAttr, segBase, segLimit, needAttention, watchTraps,
} from "./state";
import { getEflags } from "./flags";
import { setSegmentCache, loadSegmentReal, pmodeNotV86, descBase, descLimit, descAttr, csChanged, refreshSegmentRanges } from "./segments";
import { debugLinearRead, DEBUG_BUF } from "../mmu/debugmem";

// Bits of EFLAGS software can hold (SDM vol. 1 §3.4.3); bit 1 reads as 1.
const EFLAGS_DEFINED: u32 = 0x003f7fd5;

export function debugEflags(): u32 { return getEflags(); }

/** Write EFLAGS whole: the lazy flags are dropped; TF, RF and VM take effect
 *  from the next instruction. */
export function debugSetEflags(v: u32): void {
  let old = getEflags();
  store<u32>(OFF_EFLAGS, (v & EFLAGS_DEFINED) | 2);
  store<u32>(OFF_FLAGS_LAZY, 0);
  watchTraps();
  needAttention();
  if ((old ^ v) & (1 << 17)) refreshSegmentRanges(); // VM: type checks on or off
}

/** Load a segment register by selector for a debugger; false when the
 *  descriptor cannot be read (outside the table, or its page not present). */
export function debugSetSegment(seg: i32, sel: u32): bool {
  sel &= 0xffff;
  if (!pmodeNotV86()) { loadSegmentReal(seg, sel); return true; }
  if ((sel & 0xfffc) == 0) {
    setSegmentCache(seg, sel, 0, 0, 0, false);
  } else {
    let base: u32, limit: u32;
    if (sel & 4) {
      if (!(segAttr(S_LDTR) & ATTR_VALID)) return false;
      base = segBase(S_LDTR); limit = segLimit(S_LDTR);
    } else {
      base = load<u32>(OFF_GDTR_BASE); limit = load<u32>(OFF_GDTR_LIMIT);
    }
    if ((sel & 0xfff8) + 7 > limit) return false;
    if (debugLinearRead(base + (sel & 0xfff8), 8, DEBUG_BUF) != 8) return false;
    let lo = load<u32>(DEBUG_BUF), hi = load<u32>(DEBUG_BUF + 4);
    setSegmentCache(seg, sel, descBase(lo, hi), descLimit(lo, hi), descAttr(hi), true);
  }
  if (seg == S_CS) csChanged();
  return true;
}

// x87 state block (x87.ts): physical registers of 16 bytes (64-bit significand,
// then 16-bit sign and exponent), control and status words, the empty mask.
const FPU_CW: u32 = OFF_FPU + 0x80;
const FPU_SW: u32 = OFF_FPU + 0x84;
const FPU_EMPTY: u32 = OFF_FPU + 0x88;
const FPU_FIP: u32 = OFF_FPU + 0x8c;
const FPU_FCS: u32 = OFF_FPU + 0x90;
const FPU_FOP: u32 = OFF_FPU + 0x92;
const FPU_FDP: u32 = OFF_FPU + 0x94;
const FPU_FDS: u32 = OFF_FPU + 0x98;

/** Tag of a physical register for the full tag word (SDM vol. 1 §8.1.7):
 *  0 valid, 1 zero, 2 special, 3 empty. */
function fpuTag(p: u32): u32 {
  if (load<u8>(FPU_EMPTY) & (1 << p)) return 3;
  let m = load<u64>(OFF_FPU + (p << 4));
  let exp = <u32>load<u16>(OFF_FPU + (p << 4) + 8) & 0x7fff;
  if (exp == 0 && m == 0) return 1;
  if (exp == 0 || exp == 0x7fff || (m >> 63) == 0) return 2;
  return 0;
}

/** Write the x87 registers to `out` as gdb's i386 register set has them:
 *  ST0-ST7 (10 bytes each, in stack order), then fctrl, fstat, ftag (the full
 *  tag word), fiseg, fioff, foseg, fooff, fop as u32 each: 112 bytes. */
export function debugFpuImage(out: usize): void {
  let top = (<u32>load<u16>(FPU_SW) >> 11) & 7;
  for (let i: u32 = 0; i < 8; i++) {
    let p = OFF_FPU + (((top + i) & 7) << 4);
    store<u64>(out + i * 10, load<u64>(p));
    store<u16>(out + i * 10 + 8, load<u16>(p + 8));
  }
  let tags: u32 = 0;
  for (let p: u32 = 0; p < 8; p++) tags |= fpuTag(p) << (p << 1);
  let w = out + 80;
  store<u32>(w, <u32>load<u16>(FPU_CW));
  store<u32>(w + 4, <u32>load<u16>(FPU_SW));
  store<u32>(w + 8, tags);
  store<u32>(w + 12, <u32>load<u16>(FPU_FCS));
  store<u32>(w + 16, load<u32>(FPU_FIP));
  store<u32>(w + 20, <u32>load<u16>(FPU_FDS));
  store<u32>(w + 24, load<u32>(FPU_FDP));
  store<u32>(w + 28, <u32>load<u16>(FPU_FOP));
}
