// Intel 8259A programmable interrupt controller, master/slave pair as on the PC/AT
// (slave on master IR2), plus the PIIX3 edge/level control registers (ELCR,
// ports 0x4D0/0x4D1; PIIX3 datasheet, ELCR1/ELCR2) which replace the 8259A's LTIM bit.
// Follows the 8259A datasheet: ICW1-ICW4 initialisation sequence, OCW1 mask,
// OCW2 EOI/rotation commands, OCW3 read-register select, poll and special mask
// mode, fully nested and special fully nested mode, automatic EOI, priority
// rotation (automatic and specific).
// Not modelled: MCS-80/85 mode (ICW1 bit 2 / ADI, call address), buffered mode
// (ICW4 BUF/M-S: the master/slave roles are fixed by the wiring), ICW1 LTIM (the
// PIIX3 ignores it too; ELCR decides), edge-triggered inputs that drop before
// INTA (the IRR bit stays set, as in QEMU).

import { slotAddr, SLOT_PIC } from "./slots";

// Per-chip block (chip 0 = master at +0, chip 1 = slave at +32)
const P_IRR: u32 = 0;
const P_ISR: u32 = 1;
const P_IMR: u32 = 2;
const P_LAST: u32 = 3;      // input levels last seen (edge detection)
const P_BASE: u32 = 4;      // vector base (ICW2 & 0xf8)
const P_PRIO: u32 = 5;      // priority rotation: IR with the highest priority
const P_INIT: u32 = 6;      // 0 ready, 1 expect ICW2, 2 expect ICW3, 3 expect ICW4
const P_ICW4: u32 = 7;      // ICW4 needed
const P_SINGLE: u32 = 8;
const P_AEOI: u32 = 9;
const P_ROT_AEOI: u32 = 10;
const P_SFNM: u32 = 11;
const P_RIS: u32 = 12;      // OCW3: read ISR (1) or IRR (0)
const P_POLL: u32 = 13;
const P_SMM: u32 = 14;      // special mask mode
const P_ELCR: u32 = 15;
const P_ELCR_MASK: u32 = 16;
const CHIP: u32 = 32;

@inline function a(chip: u32, f: u32): u32 { return slotAddr(SLOT_PIC) + chip * CHIP + f; }
@inline function g(chip: u32, f: u32): u32 { return <u32>load<u8>(a(chip, f)); }
@inline function s(chip: u32, f: u32, v: u32): void { store<u8>(a(chip, f), <u8>v); }

export function picReset(): void {
  memory.fill(slotAddr(SLOT_PIC), 0, 2 * CHIP);
  // PIIX3 ELCR1/ELCR2: IRQ0, 1, 2, 8 and 13 cannot be level triggered.
  s(0, P_ELCR_MASK, 0xf8);
  s(1, P_ELCR_MASK, 0xde);
}

function chipInitReset(c: u32): void {
  // 8259A: ICW1 resets the edge sense circuit (a request then needs a new
  // low-to-high transition; the input levels in P_LAST stay as they are, unlike
  // QEMU, which takes a line that is high as a new edge), clears the IMR (as
  // QEMU) and ISR and special mask mode, sets IR7 lowest priority and selects
  // IRR for reading.
  let elcr = g(c, P_ELCR);
  s(c, P_IRR, g(c, P_IRR) & elcr); s(c, P_IMR, 0); s(c, P_ISR, 0);
  s(c, P_PRIO, 0); s(c, P_BASE, 0); s(c, P_RIS, 0); s(c, P_POLL, 0); s(c, P_SMM, 0);
  s(c, P_INIT, 0); s(c, P_AEOI, 0); s(c, P_ROT_AEOI, 0); s(c, P_SFNM, 0); s(c, P_ICW4, 0);
  s(c, P_SINGLE, 0);
}

/** Priority (0 = highest) of the best set bit of `mask` under chip `c`'s rotation; 8 if none. */
function bestPriority(c: u32, mask: u32): u32 {
  if (mask == 0) return 8;
  let p = g(c, P_PRIO);
  let pr: u32 = 0;
  while ((mask & (1 << ((pr + p) & 7))) == 0) pr++;
  return pr;
}

/** The IR line chip `c` would raise INT for, or -1. */
function pendingIrq(c: u32): i32 {
  let pr = bestPriority(c, g(c, P_IRR) & ~g(c, P_IMR));
  if (pr == 8) return -1;
  let isr = g(c, P_ISR);
  // Special mask mode: masked in-service levels do not block lower priorities.
  if (g(c, P_SMM)) isr &= ~g(c, P_IMR);
  // Special fully nested mode (master): an in-service cascade input does not
  // block further requests from the slave.
  if (c == 0 && g(c, P_SFNM)) isr &= ~(1 << 2);
  let cur = bestPriority(c, isr);
  if (pr < cur) return <i32>((pr + g(c, P_PRIO)) & 7);
  return -1;
}

export let picOutput: bool = false;
type Notify = () => void;
function nothing(): void {}
let notify: Notify = nothing;
/** machine.ts: called whenever the master's INT output may have changed. */
export function picSetNotify(f: Notify): void { notify = f; }

/** Recompute the outputs from the state block (after a snapshot restore). */
export function picRefresh(): void { update(); }

function update(): void {
  let slave = pendingIrq(1) >= 0;
  setInput(0, 2, slave);
  picOutput = pendingIrq(0) >= 0;
  notify();
}

function setInput(c: u32, irq: u32, level: bool): void {
  let bit: u32 = 1 << irq;
  let last = g(c, P_LAST);
  if (g(c, P_ELCR) & bit) {
    // level sensitive: IRR follows the line
    if (level) { s(c, P_IRR, g(c, P_IRR) | bit); s(c, P_LAST, last | bit); }
    else { s(c, P_IRR, g(c, P_IRR) & ~bit); s(c, P_LAST, last & ~bit); }
  } else {
    if (level) {
      if ((last & bit) == 0) s(c, P_IRR, g(c, P_IRR) | bit);
      s(c, P_LAST, last | bit);
    } else s(c, P_LAST, last & ~bit);
  }
}

/** ISA IRQ 0..15 (8..15 on the slave) changed level. */
export function picSetIrq(irq: u32, level: bool): void {
  if (irq == 2) return; // IR2 of the master is the cascade
  setInput(irq >> 3, irq & 7, level);
  update();
}

/** INTA cycle on chip `c` for IR `irq`: ISR/IRR bookkeeping. */
function ackIrq(c: u32, irq: u32): void {
  let bit: u32 = 1 << irq;
  if (g(c, P_AEOI)) {
    if (g(c, P_ROT_AEOI)) s(c, P_PRIO, (irq + 1) & 7);
  } else s(c, P_ISR, g(c, P_ISR) | bit);
  // Edge-triggered requests are consumed by the acknowledge; level ones stay
  // while the line is asserted.
  if ((g(c, P_ELCR) & bit) == 0) s(c, P_IRR, g(c, P_IRR) & ~bit);
}

/** The two INTA cycles: returns the vector (8259A: IR7 of the chip when the
 *  request went away, the "spurious" vector). */
export function picAcknowledge(): i32 {
  let irq = pendingIrq(0);
  let vec: u32;
  if (irq >= 0) {
    ackIrq(0, <u32>irq);
    if (irq == 2 && !g(0, P_SINGLE)) {
      let irq2 = pendingIrq(1);
      if (irq2 >= 0) { ackIrq(1, <u32>irq2); vec = g(1, P_BASE) + <u32>irq2; }
      else vec = g(1, P_BASE) + 7;
    } else vec = g(0, P_BASE) + <u32>irq;
  } else vec = g(0, P_BASE) + 7;
  update();
  return <i32>vec;
}

function eoi(c: u32, irq: u32, rotate: bool): void {
  s(c, P_ISR, g(c, P_ISR) & ~(1 << irq));
  if (rotate) s(c, P_PRIO, (irq + 1) & 7);
}

/** Poll command (OCW3 P=1): the next read returns 0x80|level and acknowledges it. */
function pollRead(c: u32): u32 {
  let irq = pendingIrq(c);
  if (irq < 0) { update(); return 0; }
  ackIrq(c, <u32>irq);
  if (c == 0 && irq == 2) {
    // a poll of the master reporting the cascade also needs the slave's level
    let irq2 = pendingIrq(1);
    if (irq2 >= 0) ackIrq(1, <u32>irq2);
  }
  update();
  return 0x80 | <u32>irq;
}

export function picRead(port: u32): u32 {
  let c: u32 = (port & 0x80) ? 1 : 0; // 0x20/0x21 master, 0xA0/0xA1 slave
  if (g(c, P_POLL)) { s(c, P_POLL, 0); return pollRead(c); }
  if ((port & 1) == 0) return g(c, P_RIS) ? g(c, P_ISR) : g(c, P_IRR);
  return g(c, P_IMR);
}

export function picWrite(port: u32, v: u32): void {
  let c: u32 = (port & 0x80) ? 1 : 0;
  v &= 0xff;
  if ((port & 1) == 0) {
    if (v & 0x10) {
      // ICW1
      chipInitReset(c);
      s(c, P_INIT, 1);
      s(c, P_ICW4, v & 1);
      s(c, P_SINGLE, (v >> 1) & 1);
    } else if (v & 0x08) {
      // OCW3
      if (v & 0x04) s(c, P_POLL, 1);
      if (v & 0x02) s(c, P_RIS, v & 1);
      if (v & 0x40) s(c, P_SMM, (v >> 5) & 1);
    } else {
      // OCW2: R SL EOI
      let cmd = v >> 5;
      switch (cmd) {
        case 0: s(c, P_ROT_AEOI, 0); break;          // clear rotate in AEOI mode
        case 4: s(c, P_ROT_AEOI, 1); break;          // set rotate in AEOI mode
        case 1: case 5: {                           // non-specific EOI (with rotation)
          let pr = bestPriority(c, g(c, P_ISR));
          if (pr != 8) eoi(c, (pr + g(c, P_PRIO)) & 7, cmd == 5);
          break;
        }
        case 3: eoi(c, v & 7, false); break;         // specific EOI
        case 7: eoi(c, v & 7, true); break;          // rotate on specific EOI
        case 6: s(c, P_PRIO, ((v & 7) + 1) & 7); break; // set priority: IRv lowest
        default: break;                              // 2: no operation
      }
    }
  } else {
    switch (g(c, P_INIT)) {
      case 0: s(c, P_IMR, v); break;                // OCW1
      case 1:                                       // ICW2
        s(c, P_BASE, v & 0xf8);
        s(c, P_INIT, g(c, P_SINGLE) ? (g(c, P_ICW4) ? 3 : 0) : 2);
        break;
      case 2:                                       // ICW3: cascade wiring is fixed
        s(c, P_INIT, g(c, P_ICW4) ? 3 : 0);
        break;
      default:                                      // ICW4
        s(c, P_SFNM, (v >> 4) & 1);
        s(c, P_AEOI, (v >> 1) & 1);
        s(c, P_INIT, 0);
        break;
    }
  }
  update();
}

export function elcrRead(port: u32): u32 { return g(port & 1, P_ELCR); }
export function elcrWrite(port: u32, v: u32): void {
  let c = port & 1;
  s(c, P_ELCR, v & g(c, P_ELCR_MASK));
  update();
}

// For the inspector and tests.
const REG_FIELDS: StaticArray<u32> = [P_IRR, P_ISR, P_IMR, P_BASE, P_PRIO, P_RIS, P_ELCR, P_SFNM];
export function picReg(chip: u32, which: u32): u32 { return g(chip, REG_FIELDS[which & 7]); }
