// Lazy arithmetic flags. An ALU instruction records its kind and size, operands and
// result (state.ts OFF_LAZY_*) and marks CF PF AF ZF SF OF as lazy; a flag is
// computed only when something reads it. Instructions that set some flags eagerly
// (shifts, multiplies, INC/DEC's preserved CF) store them in EFLAGS and clear their
// bits from the lazy mask. Flag definitions: SDM vol. 1 §3.4.3.1 and appendix A.

import {
  OFF_EFLAGS, OFF_FLAGS_LAZY, OFF_LAZY_OP, OFF_LAZY_DST, OFF_LAZY_SRC, OFF_LAZY_RES,
  CF, PF, AF, ZF, SF, OF, ARITH_FLAGS,
} from "./state";

// Lazy operation kinds. ADC1/SBB1 are ADC/SBB with a carry-in of 1; with a carry-in
// of 0 they set flags exactly as ADD/SUB and are recorded as those.
export const LAZY_ADD: u32 = 0;
export const LAZY_ADC1: u32 = 1;
export const LAZY_SUB: u32 = 2;
export const LAZY_SBB1: u32 = 3;
export const LAZY_LOGIC: u32 = 4; // CF=OF=AF=0; SF ZF PF from the result
// Size in the low two bits of OFF_LAZY_OP: 0 = 8, 1 = 16, 2 = 32 bits.
export const SZ8: u32 = 0;
export const SZ16: u32 = 1;
export const SZ32: u32 = 2;

@inline function sizeMask(sz: u32): u32 { return sz == SZ32 ? 0xffffffff : sz == SZ16 ? 0xffff : 0xff; }
@inline function signShift(sz: u32): u32 { return sz == SZ32 ? 31 : sz == SZ16 ? 15 : 7; }

/** Record an operation whose flags are all computed lazily. */
@inline export function setLazy(kind: u32, sz: u32, dst: u32, src: u32, res: u32): void {
  store<u32>(OFF_LAZY_OP, (kind << 2) | sz);
  store<u32>(OFF_LAZY_DST, dst);
  store<u32>(OFF_LAZY_SRC, src);
  store<u32>(OFF_LAZY_RES, res);
  store<u32>(OFF_FLAGS_LAZY, ARITH_FLAGS);
}

/** As setLazy, but CF keeps the value `cf` (INC and DEC preserve CF). */
export function setLazyKeepCF(kind: u32, sz: u32, dst: u32, src: u32, res: u32, cf: bool): void {
  setLazy(kind, sz, dst, src, res);
  store<u32>(OFF_FLAGS_LAZY, ARITH_FLAGS & ~CF);
  store<u32>(OFF_EFLAGS, (load<u32>(OFF_EFLAGS) & ~CF) | (cf ? CF : 0));
}

/** Logic result: CF=OF=AF=0, SF/ZF/PF from res. */
@inline export function setLazyLogic(sz: u32, res: u32): void {
  setLazy(LAZY_LOGIC, sz, 0, 0, res);
}

/** Record a result whose SF ZF PF are lazy while CF, OF and AF were set eagerly
 *  (shifts, rotates through flags, multiplies, INC/DEC keep CF).  `eager` holds
 *  the values of the flags named in `eagerMask`. */
export function setLazyResultEager(sz: u32, res: u32, eagerMask: u32, eager: u32): void {
  // When the eager and lazy flags together cover all six, the old lazy state is
  // dead and need not be folded in first (shifts, multiplies).
  let fl = (eagerMask | SF | ZF | PF) == ARITH_FLAGS ? load<u32>(OFF_EFLAGS) : materialize();
  fl = (fl & ~eagerMask) | (eager & eagerMask);
  store<u32>(OFF_EFLAGS, fl);
  store<u32>(OFF_LAZY_OP, (LAZY_LOGIC << 2) | sz);
  store<u32>(OFF_LAZY_RES, res);
  store<u32>(OFF_FLAGS_LAZY, (SF | ZF | PF) & ~eagerMask);
}

@inline function lazyOp(): u32 { return load<u32>(OFF_LAZY_OP); }

export function getCF(): bool {
  if (!(load<u32>(OFF_FLAGS_LAZY) & CF)) return (load<u32>(OFF_EFLAGS) & CF) != 0;
  let op = lazyOp();
  let m = sizeMask(op & 3);
  let dst = load<u32>(OFF_LAZY_DST) & m, src = load<u32>(OFF_LAZY_SRC) & m, res = load<u32>(OFF_LAZY_RES) & m;
  switch (op >> 2) {
    case LAZY_ADD: return res < dst;
    case LAZY_ADC1: return res <= dst;
    case LAZY_SUB: return dst < src;
    case LAZY_SBB1: return dst <= src;
    default: return false;
  }
}

export function getOF(): bool {
  if (!(load<u32>(OFF_FLAGS_LAZY) & OF)) return (load<u32>(OFF_EFLAGS) & OF) != 0;
  let op = lazyOp();
  let sh = signShift(op & 3);
  let dst = load<u32>(OFF_LAZY_DST), src = load<u32>(OFF_LAZY_SRC), res = load<u32>(OFF_LAZY_RES);
  switch (op >> 2) {
    case LAZY_ADD: case LAZY_ADC1: return (((dst ^ res) & (src ^ res)) >>> sh & 1) != 0;
    case LAZY_SUB: case LAZY_SBB1: return (((dst ^ src) & (dst ^ res)) >>> sh & 1) != 0;
    default: return false;
  }
}

export function getAF(): bool {
  if (!(load<u32>(OFF_FLAGS_LAZY) & AF)) return (load<u32>(OFF_EFLAGS) & AF) != 0;
  if ((lazyOp() >> 2) == LAZY_LOGIC) return false;
  return ((load<u32>(OFF_LAZY_DST) ^ load<u32>(OFF_LAZY_SRC) ^ load<u32>(OFF_LAZY_RES)) & 0x10) != 0;
}

@inline export function getZF(): bool {
  if (!(load<u32>(OFF_FLAGS_LAZY) & ZF)) return (load<u32>(OFF_EFLAGS) & ZF) != 0;
  return (load<u32>(OFF_LAZY_RES) & sizeMask(lazyOp() & 3)) == 0;
}

@inline export function getSF(): bool {
  if (!(load<u32>(OFF_FLAGS_LAZY) & SF)) return (load<u32>(OFF_EFLAGS) & SF) != 0;
  return ((load<u32>(OFF_LAZY_RES) >>> signShift(lazyOp() & 3)) & 1) != 0;
}

export function getPF(): bool {
  if (!(load<u32>(OFF_FLAGS_LAZY) & PF)) return (load<u32>(OFF_EFLAGS) & PF) != 0;
  // PF: even number of set bits in the low byte of the result.
  return (popcnt<u32>(load<u32>(OFF_LAZY_RES) & 0xff) & 1) == 0;
}

/** Fold the lazy flags into EFLAGS and return the full EFLAGS value. */
export function materialize(): u32 {
  let lazy = load<u32>(OFF_FLAGS_LAZY);
  let fl = load<u32>(OFF_EFLAGS);
  if (lazy == 0) return fl;
  let v: u32 = 0;
  if (getCF()) v |= CF;
  if (getPF()) v |= PF;
  if (getAF()) v |= AF;
  if (getZF()) v |= ZF;
  if (getSF()) v |= SF;
  if (getOF()) v |= OF;
  fl = (fl & ~lazy) | (v & lazy);
  store<u32>(OFF_EFLAGS, fl);
  store<u32>(OFF_FLAGS_LAZY, 0);
  return fl;
}

/** Read EFLAGS with all flags current. Bit 1 always reads 1. */
@inline export function getEflags(): u32 { return materialize() | 2; }

/** Write the arithmetic flags in `mask` from `v`, leaving the others (and the
 *  system flags) alone. Flags outside `mask` that are lazy stay lazy: the
 *  recorded operation still defines them (rotates, BSF, CLC ... need not fold it). */
@inline export function setArithFlags(mask: u32, v: u32): void {
  store<u32>(OFF_EFLAGS, (load<u32>(OFF_EFLAGS) & ~mask) | (v & mask));
  store<u32>(OFF_FLAGS_LAZY, load<u32>(OFF_FLAGS_LAZY) & ~mask);
}

@inline export function setCF(b: bool): void { setArithFlags(CF, b ? CF : 0); }

/** Condition codes for Jcc/SETcc/CMOVcc, by the low 4 bits of the opcode
 *  (SDM vol. 1 appendix B). When all six flags come lazily from one CMP/SUB or
 *  logic operation (the usual case before a Jcc), the condition is read straight
 *  off the operands, shifted so that every size compares as 32 bits. */
export function testCC(cc: u32): bool { return testCCInline(cc); }
/** testCC expanded in place (Jcc, where `cc` is a constant). */
@inline export function testCCInline(cc: u32): bool {
  if (load<u32>(OFF_FLAGS_LAZY) == ARITH_FLAGS) {
    let op = lazyOp();
    let kind = op >> 2;
    let sh = (0x001018 >> ((op & 3) << 3)) & 0xff; // 24, 16, 0 for 8, 16, 32 bits
    let res = load<u32>(OFF_LAZY_RES) << sh;
    let r: bool;
    if (kind == LAZY_SUB) {
      let d = load<u32>(OFF_LAZY_DST) << sh, s = load<u32>(OFF_LAZY_SRC) << sh;
      switch (cc >> 1) {
        case 1: r = d < s; break;                    // B: borrow
        case 2: r = res == 0; break;                 // Z
        case 3: r = d <= s; break;                   // BE
        case 4: r = <i32>res < 0; break;             // S
        case 6: r = <i32>d < <i32>s; break;          // L: SF != OF
        case 7: r = <i32>d <= <i32>s; break;         // LE
        default: return testCCSlow(cc);
      }
      return (cc & 1) ? !r : r;
    }
    if (kind == LAZY_LOGIC) {
      switch (cc >> 1) {
        case 0: case 1: r = false; break;            // O, B: OF = CF = 0
        case 2: case 3: r = res == 0; break;         // Z, BE
        case 4: case 6: r = <i32>res < 0; break;     // S, L (OF = 0)
        case 7: r = <i32>res <= 0; break;            // LE
        default: return testCCSlow(cc);
      }
      return (cc & 1) ? !r : r;
    }
  }
  return testCCSlow(cc);
}

function testCCSlow(cc: u32): bool {
  let r: bool;
  switch (cc >> 1) {
    case 0: r = getOF(); break;                      // O
    case 1: r = getCF(); break;                      // B / C
    case 2: r = getZF(); break;                      // Z
    case 3: r = getCF() || getZF(); break;           // BE
    case 4: r = getSF(); break;                      // S
    case 5: r = getPF(); break;                      // P
    case 6: r = getSF() != getOF(); break;           // L
    default: r = getZF() || (getSF() != getOF()); break; // LE
  }
  return (cc & 1) ? !r : r;
}
