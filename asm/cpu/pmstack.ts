// Stack access for protected-mode control transfers (SDM vol. 3 §5.8.5, §6.12.1):
// far CALL/RET, INT/IRET and call gates push to or pop from a stack that is not
// yet (or no longer) the committed SS:ESP: the inner stack named by the TSS, or
// the outer stack a return goes back to. The stack is described here explicitly
// (base, valid offset range, 16/32-bit pointer, user or supervisor access), so a
// transfer can check room and write its frame before any segment register changes.
// The TSS stack pointers for an inner privilege level are read here too.

import { S_SS, S_TR, R_ESP, ATTR_CODE, ATTR_CE, ATTR_DB, ATTR_S, ATTR_RW, ATTR_P, ATTR_DPL_SHIFT,
  segBase, segLimit, segAttr, segSel, reg32, getCpl } from "./state";
import { raiseSS, raiseTS, faultPending } from "./fault";
import { readSlow, writeSlow } from "../mmu/linear";
import { readDescriptor, descLo, descHi, descAttr } from "./segments";

let stBase: u32 = 0;
let stLo: u32 = 0;
let stHi: u32 = 0;
let stMask: u32 = 0xffff;
let stUser: bool = false;
let stErr: u32 = 0;
/** The stack pointer of the stack in use (only the bits of stMask are meaningful). */
export let stSp: u32 = 0;

/** Use the stack with the given segment cache values; faults raise #SS(err). */
export function stackUse(base: u32, limit: u32, attr: u32, sp: u32, user: bool, err: u32): void {
  stBase = base;
  stMask = (attr & ATTR_DB) ? 0xffffffff : 0xffff;
  stLo = 0; stHi = limit;
  if (!(attr & ATTR_CODE) && (attr & ATTR_CE)) { stLo = limit + 1; stHi = stMask; } // expand-down
  stSp = sp & stMask;
  stUser = user;
  stErr = err;
}
/** Use the current SS:ESP at the current CPL. */
export function stackUseCurrent(err: u32): void {
  stackUse(segBase(S_SS), segLimit(S_SS), segAttr(S_SS), reg32(R_ESP), getCpl() == 3, err);
}
/** The full ESP value to store after using the stack: a 16-bit stack keeps the
 *  upper half of `oldEsp` (SDM vol. 1 §6.2.3). */
export function stackEsp(oldEsp: u32): u32 {
  return stMask == 0xffff ? (oldEsp & 0xffff0000) | (stSp & 0xffff) : stSp;
}

@inline function inRange(off: u32, n: u32): bool {
  let end = <u64>off + <u64>(n - 1);
  if (end > <u64>stMask) {
    // The frame wraps around the stack pointer's width (ESP near 0 on a flat
    // stack): each part must lie within the segment, which needs an expand-up
    // segment whose limit reaches the top of the SP range.
    return stLo == 0 && off <= stHi && <u64>stMask <= <u64>stHi && end - <u64>stMask - 1 <= <u64>stHi;
  }
  return off >= stLo && end <= <u64>stHi;
}
/** Room to push `n` bytes below the stack pointer; else #SS(err). */
export function stackRoomPush(n: u32): bool {
  if (!inRange((stSp - n) & stMask, n)) { raiseSS(stErr); return false; }
  return true;
}
/** `n` bytes to pop above the stack pointer; else #SS(err). */
export function stackRoomPop(n: u32): bool {
  if (!inRange(stSp, n)) { raiseSS(stErr); return false; }
  return true;
}
export function stackPush16(v: u32): void {
  let sp = (stSp - 2) & stMask;
  if (!inRange(sp, 2)) { raiseSS(stErr); return; }
  writeSlow(stBase + sp, 2, v & 0xffff, stUser);
  stSp = sp;
}
export function stackPush32(v: u32): void {
  let sp = (stSp - 4) & stMask;
  if (!inRange(sp, 4)) { raiseSS(stErr); return; }
  writeSlow(stBase + sp, 4, v, stUser);
  stSp = sp;
}
@inline export function stackPush(v: u32, o32: bool): void { if (o32) stackPush32(v); else stackPush16(v); }
export function stackPop16(): u32 {
  if (!inRange(stSp, 2)) { raiseSS(stErr); return 0; }
  let v = readSlow(stBase + stSp, 2, stUser);
  stSp = (stSp + 2) & stMask;
  return v;
}
export function stackPop32(): u32 {
  if (!inRange(stSp, 4)) { raiseSS(stErr); return 0; }
  let v = readSlow(stBase + stSp, 4, stUser);
  stSp = (stSp + 4) & stMask;
  return v;
}
@inline export function stackPop(o32: bool): u32 { return o32 ? stackPop32() : stackPop16(); }
/** Read the stack at stack pointer + delta without popping (no limit check). */
export function stackPeek(delta: u32, o32: bool): u32 {
  return readSlow(stBase + ((stSp + delta) & stMask), o32 ? 4 : 2, stUser);
}
export function stackSkip(n: u32): void { stSp = (stSp + n) & stMask; }

// --- the inner stack of a privilege change, from the current TSS ---
export let tssSS: u32 = 0;
export let tssESP: u32 = 0;
/** Read SS:ESP for privilege level `cpl` from the current TSS (32-bit TSS: ESPn at
 *  8n+4, SSn at 8n+8; 16-bit TSS: SPn at 4n+2, SSn at 4n+4). #TS(TR selector + ext)
 *  when the TSS is too short (SDM vol. 3 §6.12.1, vol. 2 CALL). */
export function readTssStack(cpl: u32, ext: u32): bool {
  let attr = segAttr(S_TR);
  let base = segBase(S_TR), limit = segLimit(S_TR);
  if (attr & 8) {
    let off = (cpl << 3) + 4;
    if (off + 5 > limit) { raiseTS((segSel(S_TR) & 0xfffc) | ext); return false; }
    tssESP = readSlow(base + off, 4, false);
    tssSS = readSlow(base + off + 4, 2, false);
  } else {
    let off = (cpl << 2) + 2;
    if (off + 3 > limit) { raiseTS((segSel(S_TR) & 0xfffc) | ext); return false; }
    tssESP = readSlow(base + off, 2, false);
    tssSS = readSlow(base + off + 2, 2, false);
  }
  return !faultPending;
}

/** The new SS of an inter-privilege transfer (SDM vol. 2 CALL, INT n): a writable
 *  data segment with RPL = DPL = the new CPL, present. Faults are #TS(SS + ext)
 *  (#TS(ext) for a null selector) and #SS(SS + ext) when not present. On success
 *  the descriptor is in ssLo/ssHi. */
export let ssLo: u32 = 0;
export let ssHi: u32 = 0;
export function checkInnerSS(sel: u32, cpl: u32, ext: u32): bool {
  if ((sel & 0xfffc) == 0) { raiseTS(ext); return false; }
  if (!readDescriptor(sel)) { raiseTS((sel & 0xfffc) | ext); return false; }
  if (faultPending) return false;
  let attr = descAttr(descHi);
  if ((sel & 3) != cpl || ((attr >> ATTR_DPL_SHIFT) & 3) != cpl ||
      !(attr & ATTR_S) || (attr & ATTR_CODE) || !(attr & ATTR_RW)) {
    raiseTS((sel & 0xfffc) | ext); return false;
  }
  if (!(attr & ATTR_P)) { raiseSS((sel & 0xfffc) | ext); return false; }
  ssLo = descLo; ssHi = descHi;
  return true;
}
