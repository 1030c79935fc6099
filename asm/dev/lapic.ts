// The processor's local APIC (one CPU) at 0xFEE00000, as described in SDM vol. 3
// ch. 10 (the P6 family's integrated APIC): ID, version, TPR/PPR (§10.8.3.1),
// EOI (§10.8.5, with EOI broadcast to the I/O APIC for level-triggered vectors),
// spurious-interrupt vector register and software enable (§10.9, §10.4.7.2),
// IRR/ISR/TMR (§10.8.4), ESR (§10.5.3), LVT timer one-shot and periodic with the
// divide configuration and initial/current count registers (§10.5.4), LVT LINT0
// as ExtINT (virtual wire to the 8259A) and LINT1, the error LVT, and ICR
// self-IPIs (fixed delivery to self / all including self / own APIC ID).
// NMI (SDM §10.5.1, §10.6.1): the ICR with delivery mode NMI to this CPU, LINT0 or
// LINT1 unmasked in NMI mode (LINT0: a rise of the 8259A's INT, machine.ts;
// LINT1: the machine's NMI input, lapicExternalNmi, the monitor's `nmi`), all
// handed to the CPU (cpu/exec.ts raiseNmi, which holds, blocks and delivers);
// LINT1 in fixed mode accepts its vector.
// INIT (SDM §10.6.1, §10.4.7.3): the ICR with delivery mode INIT to this CPU
// raises the CPU's INIT signal (cpu/exec.ts raiseInit, which holds it while VMX
// root operation blocks it, exits in non-root operation, and otherwise resets
// the CPU, then this APIC with lapicInitReset). "INIT level de-assert" (level
// trigger, level 0) is not an INIT: on the P6 it only reloads the arbitration
// IDs (§10.4.7.4), which one APIC does not have to model.
// The timer counts at 1 GHz (the virtual clock's ns) before division, as QEMU's.
// After RESET every LVT entry is masked (SDM vol. 3 §10.4.7.1), LINT0 included:
// the 8259A reaches the CPU only once software sets LINT0 to ExtINT (virtual
// wire mode, as SeaBIOS and Linux do) or disables the APIC in IA32_APIC_BASE.
// (QEMU 7.2 behaves the same in practice: PIC interrupts do not arrive before
// the BIOS programs LINT0.)
// Not modelled: TSC-deadline mode, thermal and performance-counter interrupt
// sources (their LVTs are registers only), SMI and SIPI delivery (one CPU:
// no application processor waits for a SIPI), IPIs to other processors,
// LINT0 in fixed mode, the APIC base relocation (the MMIO window stays at
// 0xFEE00000; accesses with the APIC disabled in IA32_APIC_BASE read as open
// bus), x2APIC.

import { slotAddr, SLOT_LAPIC } from "./slots";
import { clockNow, NEVER } from "../clock";
import { OFF_APIC_BASE } from "../cpu/state";

// Register image indexed by MMIO offset >> 4 (u32 each) in the first slot; the
// 256-bit IRR/ISR/TMR live at their architectural offsets 0x100/0x180/0x200 >> 2.
@inline function reg(off: u32): u32 { return slotAddr(SLOT_LAPIC) + ((off >> 4) << 2); }
@inline function rg(off: u32): u32 { return load<u32>(reg(off)); }
@inline function rs(off: u32, v: u32): void { store<u32>(reg(off), v); }
const X_START: u32 = 0x100;   // u64 timer start (ns), in the second slot
const X_NEXT: u32 = 0x108;    // u64 next expiry, NEVER when stopped
const X_ESR_PEND: u32 = 0x110;// errors since the last ESR write
@inline function xa(f: u32): u32 { return slotAddr(SLOT_LAPIC) + f; }

const ISR: u32 = 0x100;
const TMR: u32 = 0x180;
const IRR: u32 = 0x200;
const LVT_TIMER: u32 = 0x320;
const LVT_LINT0: u32 = 0x350;
const LVT_LINT1: u32 = 0x360;
const LVT_ERROR: u32 = 0x370;
const MASKED: u32 = 1 << 16;

type Eoi = (vector: u32) => void;
type Hook = () => void;
function noEoi(v: u32): void {}
function nothing(): void {}
let eoiBroadcast: Eoi = noEoi;
let notify: Hook = nothing;
let nmi: Hook = nothing;
let init: Hook = nothing;
export function lapicConnect(eoi: Eoi, changed: Hook, nmiHook: Hook, initHook: Hook): void {
  eoiBroadcast = eoi; notify = changed; nmi = nmiHook; init = initHook;
}

// 256-bit vectors: 8 u32 words, one per 16-byte register
@inline function bitAddr(base: u32, v: u32): u32 { return reg(base + ((v >> 5) << 4)); }
@inline function testBit(base: u32, v: u32): bool { return (load<u32>(bitAddr(base, v)) & (1 << (v & 31))) != 0; }
@inline function setBit(base: u32, v: u32): void { let a = bitAddr(base, v); store<u32>(a, load<u32>(a) | (1 << (v & 31))); }
@inline function clearBit(base: u32, v: u32): void { let a = bitAddr(base, v); store<u32>(a, load<u32>(a) & ~(1 << (v & 31))); }
/** Highest set vector of a 256-bit register, or -1. */
function highest(base: u32): i32 {
  for (let i: i32 = 7; i >= 0; i--) {
    let w = load<u32>(reg(base + (<u32>i << 4)));
    if (w != 0) return (i << 5) + 31 - <i32>clz(w);
  }
  return -1;
}

export function lapicReset(): void {
  memory.fill(slotAddr(SLOT_LAPIC), 0, 0x200);
  rs(0x30, 0x00040014);          // version 0x14 as QEMU reports for its P6 models, max LVT entry 4
  rs(0xe0, 0xffffffff);          // flat destination model
  rs(0xf0, 0x000000ff);          // software disabled, spurious vector 0xFF
  for (let o: u32 = 0x320; o <= 0x370; o += 0x10) rs(o, MASKED);
  rs(LVT_LINT0, 0x10000);        // masked, like every LVT after RESET
  store<u64>(xa(X_NEXT), NEVER);
}

/** The APIC's part of an INIT reset (SDM vol. 3 §10.4.7.3): the state after
 *  RESET, except the APIC ID (and the arbitration ID, not modelled). The
 *  global enable in IA32_APIC_BASE is an MSR, which INIT leaves alone (table 9-1). */
export function lapicInitReset(): void {
  let id = rg(0x20);
  lapicReset();
  rs(0x20, id);
}

@inline function globallyEnabled(): bool { return (load<u32>(OFF_APIC_BASE) & (1 << 11)) != 0; }
@inline function softEnabled(): bool { return (rg(0xf0) & 0x100) != 0; }

function ppr(): u32 {
  let tpr = rg(0x80) & 0xff;
  let isrv = highest(ISR);
  let isrc: u32 = isrv < 0 ? 0 : <u32>isrv & 0xf0;
  return (tpr >> 4) >= (isrc >> 4) ? tpr : isrc;
}

/** Accept a fixed interrupt (I/O APIC, LVT, self-IPI). */
export function lapicAccept(vector: u32, level: bool): void {
  vector &= 0xff;
  if (vector < 16) {
    // SDM §10.5.3: received illegal vector
    store<u32>(xa(X_ESR_PEND), load<u32>(xa(X_ESR_PEND)) | 0x40);
    lvtError();
    return;
  }
  setBit(IRR, vector);
  if (level) setBit(TMR, vector); else clearBit(TMR, vector);
  notify();
}

function lvtError(): void {
  let l = rg(LVT_ERROR);
  if ((l & MASKED) == 0 && (l & 0xff) >= 16) { setBit(IRR, l & 0xff); clearBit(TMR, l & 0xff); notify(); }
}

/** An interrupt is ready for the CPU's INTR logic (§10.8.3.1). */
export function lapicPending(): bool {
  if (!globallyEnabled() || !softEnabled()) return false;
  let v = highest(IRR);
  if (v < 0) return false;
  return (<u32>v & 0xf0) > (ppr() & 0xf0);
}

/** INTA: the vector to deliver (IRR -> ISR), or the spurious vector. */
export function lapicAcknowledge(): i32 {
  let v = highest(IRR);
  if (v < 0 || (<u32>v & 0xf0) <= (ppr() & 0xf0)) return <i32>(rg(0xf0) & 0xff);
  clearBit(IRR, <u32>v);
  setBit(ISR, <u32>v);
  notify();
  return v;
}

/** The 8259A's INT output reaches the CPU (LINT0 ExtINT or APIC disabled). */
export function lapicExtIntOpen(): bool {
  if (!globallyEnabled()) return true;
  let l = rg(LVT_LINT0);
  return (l & MASKED) == 0 && ((l >> 8) & 7) == 7;
}

/** An edge (or a level raised again, as QEMU's apic_local_deliver sees it) on
 *  LINT0 (pin 0) or LINT1 (pin 1), delivered as its LVT entry says (SDM §10.5.1):
 *  NMI mode raises an NMI, fixed mode accepts the vector; masked entries and
 *  the other modes (ExtINT on LINT0 is the 8259A's INTR path, lapicExtIntOpen)
 *  do nothing here. */
export function lapicLocalPin(pin: u32): void {
  if (!globallyEnabled()) return;
  let l = rg(pin == 0 ? LVT_LINT0 : LVT_LINT1);
  if (l & MASKED) return;
  let mode = (l >> 8) & 7;
  if (mode == 4) nmi();
  else if (mode == 0) lapicAccept(l & 0xff, (l & (1 << 15)) != 0);
}
/** LINT0 is unmasked in NMI mode: the 8259A's INT output raises NMIs. */
export function lapicLint0Nmi(): bool {
  if (!globallyEnabled()) return false;
  return (rg(LVT_LINT0) & (MASKED | 0x700)) == 0x400;
}
/** An NMI may arrive from a device (LINT0 in NMI mode): HLT with IF=0 waits. */
export function lapicNmiWired(): bool { return lapicLint0Nmi(); }
/** The machine's NMI input (QEMU's x86_nmi, the monitor's `nmi`): through
 *  LINT1 when the APIC is enabled in IA32_APIC_BASE, else straight to the CPU. */
export function lapicExternalNmi(): void {
  if (globallyEnabled()) lapicLocalPin(1); else nmi();
}

// --- timer ---
function divShift(): u32 {
  let d = rg(0x3e0);
  let v = (d & 3) | ((d >> 1) & 4);
  return (v + 1) & 7;                   // 0->2 ... 6->128, 7->1
}
function timerPeriod(): u64 { return <u64>rg(0x380) << divShift(); }

function currentCount(): u32 {
  let init = rg(0x380);
  if (init == 0) return 0;
  let start = load<u64>(xa(X_START));
  let now = clockNow();
  let el = (now - start) >> divShift();
  if (rg(LVT_TIMER) & (1 << 17)) return <u32>(<u64>init - el % <u64>init);
  if (load<u64>(xa(X_NEXT)) == NEVER || el >= <u64>init) return 0;
  return <u32>(<u64>init - el);
}

export function lapicUpdate(now: u64): void {
  let next = load<u64>(xa(X_NEXT));
  if (next == NEVER || now < next) return;
  let l = rg(LVT_TIMER);
  if (l & (1 << 17)) {
    let p = timerPeriod();
    if (p == 0) next = NEVER;
    else { let k = (now - next) / p + 1; next += k * p; }
  } else next = NEVER;
  store<u64>(xa(X_NEXT), next);
  if ((l & MASKED) == 0 && softEnabled()) lapicAccept(l & 0xff, false);
}
export function lapicNextDeadline(): u64 { return load<u64>(xa(X_NEXT)); }

// --- MMIO ---
export function lapicRead(addr: u32): u32 {
  if (!globallyEnabled()) return 0xffffffff;
  let off = addr & 0xff0;
  switch (off) {
    case 0x20: case 0x30: case 0x80: case 0xd0: case 0xe0: case 0xf0:
    case 0x280: case 0x300: case 0x310:
    case 0x320: case 0x340: case 0x350: case 0x360: case 0x370:
    case 0x380: case 0x3e0:
      return rg(off);
    case 0x90: return 0;                // APR (arbitration, single CPU)
    case 0xa0: return ppr();
    case 0x390: return currentCount();
    default:
      if (off >= 0x100 && off < 0x280) return rg(off);
      return 0;
  }
}

export function lapicWrite(addr: u32, v: u32): void {
  if (!globallyEnabled()) return;
  let off = addr & 0xff0;
  switch (off) {
    case 0x20: rs(0x20, v & 0xff000000); break;
    case 0x80: rs(0x80, v & 0xff); notify(); break;
    case 0xb0: eoi(); break;
    case 0xd0: rs(0xd0, v & 0xff000000); break;
    case 0xe0: rs(0xe0, v | 0x0fffffff); break;
    case 0xf0: {
      // P6: spurious vector bits 3..0 are hardwired to 1
      rs(0xf0, (v & 0x3f0) | 0x0f);
      if ((v & 0x100) == 0) {
        // SDM §10.4.7.2: software disable sets every LVT mask bit
        for (let o: u32 = 0x320; o <= 0x370; o += 0x10) rs(o, rg(o) | MASKED);
      }
      notify();
      break;
    }
    case 0x280:
      // SDM §10.5.3: a write latches the errors seen since the last write
      rs(0x280, load<u32>(xa(X_ESR_PEND)));
      store<u32>(xa(X_ESR_PEND), 0);
      break;
    case 0x300: rs(0x300, v & ~(1 << 12)); icrSend(); break;
    case 0x310: rs(0x310, v & 0xff000000); break;
    case 0x320: rs(off, sw(v & 0x310ff)); break;
    case 0x330: break;                   // no thermal LVT on P6
    case 0x340: rs(off, sw(v & 0x107ff)); break;
    case 0x350: case 0x360: rs(off, sw(v & 0x1a7ff) | (rg(off) & 0x4000)); notify(); break;
    case 0x370: rs(off, sw(v & 0x100ff)); break;
    case 0x380: {
      rs(0x380, v);
      let now = clockNow();
      store<u64>(xa(X_START), now);
      store<u64>(xa(X_NEXT), v == 0 ? NEVER : now + timerPeriod());
      break;
    }
    case 0x3e0: {
      // A running count continues at the new rate from its current value.
      let running = load<u64>(xa(X_NEXT)) != NEVER;
      let cur = currentCount();
      rs(0x3e0, v & 0xb);
      if (running && rg(0x380) != 0) {
        let now = clockNow();
        let done = <u64>rg(0x380) - <u64>cur;       // ticks already counted this period
        let start = now - (done << divShift());
        store<u64>(xa(X_START), start);
        store<u64>(xa(X_NEXT), start + timerPeriod());
      }
      break;
    }
    default: break;
  }
}

/** While software-disabled the LVT mask bits cannot be cleared. */
@inline function sw(v: u32): u32 { return softEnabled() ? v : v | MASKED; }

function eoi(): void {
  let v = highest(ISR);
  if (v < 0) return;
  clearBit(ISR, <u32>v);
  if (testBit(TMR, <u32>v)) { clearBit(TMR, <u32>v); eoiBroadcast(<u32>v); }
  notify();
}

const DM_INIT: u32 = 5;                  // ICR delivery mode 101b
const ICR_ASSERT: u32 = 1 << 14;         // the level bit
const ICR_LEVEL_TRIGGER: u32 = 1 << 15;  // the trigger mode bit
function icrSend(): void {
  let lo = rg(0x300);
  let mode = (lo >> 8) & 7;
  let vec = lo & 0xff;
  let shorthand = (lo >> 18) & 3;
  // INIT level de-assert goes to every APIC whatever the destination (§10.6.1)
  // and only resynchronises arbitration IDs: nothing to do with one APIC.
  if (mode == DM_INIT && (lo & (ICR_LEVEL_TRIGGER | ICR_ASSERT)) == ICR_LEVEL_TRIGGER) return;
  let toSelf = false;
  if (shorthand == 1 || shorthand == 2) toSelf = true;
  else if (shorthand == 0) {
    let dest = rg(0x310) >> 24;
    if (lo & (1 << 11)) toSelf = ((rg(0xd0) >> 24) & dest) != 0 || dest == 0xff;
    else toSelf = dest == (rg(0x20) >> 24) || dest == 0xff;
  }
  if (!toSelf) return;
  if (mode == 4) { nmi(); return; }     // NMI: the vector field is ignored (SDM §10.6.1)
  // INIT, edge or level-triggered assert (a level INIT with the level bit set
  // counts as edge, SDM table 10-4 note 3). With the shorthand "self" or "all
  // including self" the SDM says INIT is invalid and the APIC's behaviour
  // undefined (table 10-4, note 5); QEMU delivers it to this APIC, and so
  // does this model.
  if (mode == DM_INIT) { init(); return; }
  if (mode == 0 || mode == 1) {
    if (vec < 16) { store<u32>(xa(X_ESR_PEND), load<u32>(xa(X_ESR_PEND)) | 0x20); lvtError(); return; }
    lapicAccept(vec, false);
  }
}

/** Destination match for I/O APIC messages (physical or logical, one CPU). */
export function lapicMatches(dest: u32, logical: bool): bool {
  if (dest == 0xff) return true;
  if (!logical) return dest == (rg(0x20) >> 24);
  let ldr = rg(0xd0) >> 24;
  if ((rg(0xe0) >> 28) == 0xf) return (ldr & dest) != 0;           // flat model
  return ((ldr >> 4) == (dest >> 4)) && ((ldr & dest & 0xf) != 0);  // cluster model
}

export function lapicRegister(off: u32): u32 { return rg(off & 0xff0); }
