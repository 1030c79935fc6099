// Instruction fetch and operand decoding: the code-fetch page cache, prefixes'
// results, ModRM/SIB effective addresses (SDM vol. 2 §2.1, tables 2-1..2-3) and
// the E/G operand accessors that instruction handlers use. The opcode map itself
// (which opcodes take ModRM and which immediates) is data: tools/opmap.mjs.

import {
  R_EAX, R_EBX, R_EBP, R_ESI, R_EDI, R_ESP, S_CS, S_SS, S_DS, SEGF_LIMIT,
  reg32, reg16, reg8, setReg32, setReg16, setReg8, getEip, setEip, segBase, segField, getCpl,
} from "./state";
import { read8, read16, read32, write8, write16, write32 } from "./mem";
import { raiseGP } from "./fault";
import { tlbFill, tlbEntry, TLB_VALID, TLB_SLOW, TLB_FETCH_SUP, TLB_FETCH_USER } from "../mmu/paging";
import { readSlow } from "../mmu/linear";

// --- decoder state for the current instruction (not architectural) ---
export let opsize32: bool = false;
export let addrsize32: bool = false;
export let segOverride: i32 = -1;
export let repPrefix: u32 = 0;   // 0, 0xf2 (REPNE) or 0xf3 (REP/REPE)
export let lockPrefix: bool = false;
export let sizePrefix: bool = false; // a 66 prefix was decoded (mandatoryPrefix)
export let opcode: u32 = 0;      // the opcode byte (0x100 | byte for the 0F page)
export let modrm: u32 = 0;
export let eaSeg: i32 = S_DS;
export let eaOff: u32 = 0;
export let imm: u32 = 0;
export let imm2: u32 = 0;
export let instrStart: u32 = 0;  // EIP of the first byte (prefixes included)
// CS.D, cached here because every instruction reads it (refreshed by csChanged()).
export let csDefault32: bool = false;

// Set when the prefix state may differ from the defaults (a prefix was decoded,
// or CS.D changed), so that exec.ts resets it only then: an unprefixed
// instruction then stores none of these globals.
export let prefixDirty: bool = true;
export function setPrefixState(op32: bool, addr32: bool): void {
  opsize32 = op32; addrsize32 = addr32; segOverride = -1; repPrefix = 0; lockPrefix = false; sizePrefix = false;
  prefixDirty = false;
}
export function setOpsize32(b: bool): void { opsize32 = b; sizePrefix = true; prefixDirty = true; }
export function setAddrsize32(b: bool): void { addrsize32 = b; prefixDirty = true; }
export function setSegOverride(s: i32): void { segOverride = s; prefixDirty = true; }
export function setRepPrefix(p: u32): void { repPrefix = p; prefixDirty = true; }
export function setLockPrefix(): void { lockPrefix = true; prefixDirty = true; }
/** The mandatory prefix of an opcode that has them (tools/opmap.mjs header; SDM
 *  vol. 2 §2.1.1): the last F2/F3, else 66, else 0 (none). */
@inline export function mandatoryPrefix(): u32 { return repPrefix != 0 ? repPrefix : sizePrefix ? 0x66 : 0; }
export function setOpcode(op: u32): void { opcode = op; }
export function setInstrStart(e: u32): void { instrStart = e; }
export function setImm(v: u32): void { imm = v; }
export function setCsDefault32(b: bool): void { csDefault32 = b; prefixDirty = true; }

// --- code fetch: a cache of the current code page, in EIP terms ---
// EIPs in [fetchEipLo, fetchEipLo + fetchLen) are at host address fetchDelta + eip.
// Cleared whenever the TLB is flushed, CS is reloaded or CPL changes
// (paging.ts invalidateFetchCache calls invalidateFetch).
let fetchEipLo: u32 = 0;
let fetchLen: u32 = 0;
let fetchLen2: u32 = 0; // fetchLen - 1, or 0 when the page has under 2 bytes left
let fetchLen4: u32 = 0; // fetchLen - 3, or 0
let fetchDelta: u32 = 0;

export function invalidateFetch(): void { fetchLen = 0; fetchLen2 = 0; fetchLen4 = 0; }

/** Fill the fetch cache for `eip`; false after raising a fault. */
function fetchFill(eip: u32): bool {
  invalidateFetch();
  let limit = segField(S_CS, SEGF_LIMIT);
  if (eip > limit) { raiseGP(0); return false; }
  let lin = segBase(S_CS) + eip;
  let user = getCpl() == 3;
  let e = tlbEntry(lin);
  // An execute-disabled page (TLB_NOEXEC) walks again, and faults, as a fetch.
  if ((e & (user ? TLB_FETCH_USER : TLB_FETCH_SUP)) != TLB_VALID) e = tlbFill(lin, false, user, true);
  if (e == 0) return false;
  if (e & TLB_SLOW) return true; // MMIO / open bus: no cache, byte reads
  fetchWindow(eip, lin, e, limit);
  return true;
}

function fetchWindow(eip: u32, lin: u32, e: u32, limit: u32): void {
  let pageOff = lin & 0xfff;
  let lo = eip - pageOff;
  let len: u64 = 4096;
  let avail: u64 = <u64>limit - <u64>lo + 1; // bytes up to the limit, counted from lo
  if (lo > eip) avail = <u64>limit + 1 - <u64>eip + <u64>pageOff; // EIP wrapped below the page start
  if (avail < len) len = avail;
  fetchEipLo = lo;
  fetchLen = <u32>len;
  fetchLen2 = fetchLen >= 2 ? fetchLen - 1 : 0;
  fetchLen4 = fetchLen >= 4 ? fetchLen - 3 : 0;
  fetchDelta = ((e & ~0xfff) + (lin & ~0xfff)) - lo;
}

/** The host address of the code byte at `eip`, for the translator (cpu/jit.ts):
 *  from the fetch cache, refilled from the TLB when that needs no page walk and
 *  can raise nothing; 0 when the byte is not cacheable RAM or ROM. */
export function codeHost(eip: u32): u32 {
  if (eip - fetchEipLo < fetchLen) return fetchDelta + eip;
  let limit = segField(S_CS, SEGF_LIMIT);
  if (eip > limit) return 0;
  let lin = segBase(S_CS) + eip;
  let e = tlbEntry(lin);
  if ((e & ((getCpl() == 3 ? TLB_FETCH_USER : TLB_FETCH_SUP) | TLB_SLOW)) != TLB_VALID) return 0;
  fetchWindow(eip, lin, e, limit);
  return fetchDelta + eip;
}
/** Code bytes from `eip` to the end of the fetch window (after codeHost). */
export function codeAvail(eip: u32): u32 { return fetchEipLo + fetchLen - eip; }

function fetchSlow8(eip: u32): u32 {
  if (!fetchFill(eip)) return 0;
  if (eip - fetchEipLo < fetchLen) return <u32>load<u8>(fetchDelta + eip);
  // uncached (MMIO) code byte
  return readSlow(segBase(S_CS) + eip, 1, getCpl() == 3) & 0xff;
}

@inline export function fetch8(): u32 {
  let eip = getEip();
  let v: u32 = eip - fetchEipLo < fetchLen ? <u32>load<u8>(fetchDelta + eip) : fetchSlow8(eip);
  setEip(eip + 1);
  return v;
}
@inline export function fetch16(): u32 {
  let eip = getEip();
  if (eip - fetchEipLo < fetchLen2) { setEip(eip + 2); return <u32>load<u16>(fetchDelta + eip); }
  let lo = fetch8();
  return lo | (fetch8() << 8);
}
@inline export function fetch32(): u32 {
  let eip = getEip();
  if (eip - fetchEipLo < fetchLen4) { setEip(eip + 4); return load<u32>(fetchDelta + eip); }
  let lo = fetch16();
  return lo | (fetch16() << 16);
}
/** An operand-sized immediate (16 or 32 bits). */
@inline export function fetchImmV(): u32 { return opsize32 ? fetch32() : fetch16(); }
/** A sign-extended 8-bit immediate. */
@inline export function fetchImmSB(): u32 { return <u32><i32><i8>fetch8(); }

// --- ModRM / SIB ---
/** Read the ModRM byte and, for a memory operand, its effective address.
 *  Inlined into each dispatch case, so that register forms make no call. */
@inline export function decodeModrm(): void {
  let eip = getEip();
  let m = fetch8();
  modrm = m;
  if (m < 0xc0) decodeEA(m, eip);
}
function decodeEA(m: u32, eip: u32): void {
  modrmEip = eip;
  if (addrsize32) ea32(m); else ea16(m);
}

function ea16(m: u32): void {
  let mod = m >> 6, rm = m & 7;
  let off: u32 = 0;
  let seg: i32 = S_DS;
  switch (rm) {
    case 0: off = reg16(R_EBX) + reg16(R_ESI); break;
    case 1: off = reg16(R_EBX) + reg16(R_EDI); break;
    case 2: off = reg16(R_EBP) + reg16(R_ESI); seg = S_SS; break;
    case 3: off = reg16(R_EBP) + reg16(R_EDI); seg = S_SS; break;
    case 4: off = reg16(R_ESI); break;
    case 5: off = reg16(R_EDI); break;
    case 6:
      if (mod == 0) { off = fetch16(); } else { off = reg16(R_EBP); seg = S_SS; }
      break;
    default: off = reg16(R_EBX); break;
  }
  if (mod == 1) off += fetchImmSB();
  else if (mod == 2) off += fetch16();
  eaOff = off & 0xffff;
  eaSeg = segOverride >= 0 ? segOverride : seg;
}

@inline function ea32(m: u32): void {
  let mod = m >> 6, rm = m & 7;
  let off: u32 = 0;
  let seg: i32 = S_DS;
  if (rm == 4) {
    let sib = fetch8();
    let base = sib & 7, index = (sib >> 3) & 7, scale = sib >> 6;
    if (base == 5 && mod == 0) off = fetch32();
    else {
      off = reg32(base);
      if (base == R_ESP || base == R_EBP) seg = S_SS;
    }
    if (index != 4) off += reg32(index) << scale;
  } else if (rm == 5 && mod == 0) {
    off = fetch32();
  } else {
    off = reg32(rm);
    if (rm == R_EBP) seg = S_SS;
  }
  if (mod == 1) off += fetchImmSB();
  else if (mod == 2) off += fetch32();
  eaOff = off;
  eaSeg = segOverride >= 0 ? segOverride : seg;
}

/** moffs operand of MOV A0-A3: an address-sized offset in DS (or the override). */
export function decodeMoffs(): void {
  eaOff = addrsize32 ? fetch32() : fetch16();
  eaSeg = segOverride >= 0 ? segOverride : S_DS;
}

// --- operand accessors ---
@inline export function modrmReg(): u32 { return (modrm >> 3) & 7; }
@inline export function modrmRm(): u32 { return modrm & 7; }
@inline export function isRegForm(): bool { return modrm >= 0xc0; }

@inline export function readE8(): u32 { return modrm >= 0xc0 ? reg8(modrm & 7) : read8(eaSeg, eaOff); }
@inline export function readE16(): u32 { return modrm >= 0xc0 ? reg16(modrm & 7) : read16(eaSeg, eaOff); }
@inline export function readE32(): u32 { return modrm >= 0xc0 ? reg32(modrm & 7) : read32(eaSeg, eaOff); }
@inline export function writeE8(v: u32): void { if (modrm >= 0xc0) setReg8(modrm & 7, v); else write8(eaSeg, eaOff, v); }
@inline export function writeE16(v: u32): void { if (modrm >= 0xc0) setReg16(modrm & 7, v); else write16(eaSeg, eaOff, v); }
@inline export function writeE32(v: u32): void { if (modrm >= 0xc0) setReg32(modrm & 7, v); else write32(eaSeg, eaOff, v); }
@inline export function readG8(): u32 { return reg8((modrm >> 3) & 7); }
@inline export function readG16(): u32 { return reg16((modrm >> 3) & 7); }
@inline export function readG32(): u32 { return reg32((modrm >> 3) & 7); }
@inline export function writeG8(v: u32): void { setReg8((modrm >> 3) & 7, v); }
@inline export function writeG16(v: u32): void { setReg16((modrm >> 3) & 7, v); }
@inline export function writeG32(v: u32): void { setReg32((modrm >> 3) & 7, v); }

/** The memory operand at eaOff + delta (for m16:32 pointers, m64, BOUND pairs). */
@inline export function readM16(delta: u32): u32 { return read16(eaSeg, (eaOff + delta) & (addrsize32 ? 0xffffffff : 0xffff)); }
@inline export function readM32(delta: u32): u32 { return read32(eaSeg, (eaOff + delta) & (addrsize32 ? 0xffffffff : 0xffff)); }
@inline export function writeM16(delta: u32, v: u32): void { write16(eaSeg, (eaOff + delta) & (addrsize32 ? 0xffffffff : 0xffff), v); }
@inline export function writeM32(delta: u32, v: u32): void { write32(eaSeg, (eaOff + delta) & (addrsize32 ? 0xffffffff : 0xffff), v); }

/** Near branch: EIP = EIP + rel, truncated to 16 bits with a 16-bit operand size
 *  (SDM vol. 2 JMP: "IF OperandSize = 16 THEN EIP <- EIP AND 0000FFFFH"). */
@inline export function jumpRelative(rel: u32): void {
  let t = getEip() + rel;
  nearJump(opsize32 ? t : t & 0xffff);
}
/** A near branch to `t` (already sized to the operand): #GP(0) if it lies
 *  outside CS's limit, raised by the branch itself, which is left undone (SDM
 *  vol. 2 JMP, Jcc, CALL, RET: "IF tempEIP is not within code segment limit
 *  THEN #GP(0)"); not at the target's fetch. */
@inline export function nearJump(t: u32): void {
  if (nearTargetOk(t)) setEip(t);
}
/** The check alone, for CALL, which makes it before its push. */
@inline export function nearTargetOk(t: u32): bool {
  if (t > segField(S_CS, SEGF_LIMIT)) { raiseGP(0); return false; }
  return true;
}

/** Recompute the effective address of the current memory operand with today's
 *  registers (POP r/m uses ESP after the pop: SDM vol. 2 POP). Re-decodes the
 *  ModRM bytes from instruction start; only for instructions with no prefix-
 *  dependent immediate after the ModRM bytes, and a memory operand (modrmEip
 *  is recorded for those only). */
let modrmEip: u32 = 0;
export function reEvaluateEA(): void {
  let save = getEip();
  setEip(modrmEip);
  decodeModrm();
  setEip(save);
}
