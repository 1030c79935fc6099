// Intel 8042 keyboard controller (PC/AT and PS/2 command set) with a PS/2
// keyboard and a PS/2 mouse behind it: data port 0x60, status/command port 0x64,
// IRQ1 (keyboard) and IRQ12 (mouse). Follows the IBM PS/2 Hardware Interface
// Technical Reference, "Keyboard/Auxiliary Device Controller" (status register,
// command byte, controller commands 0x20-0xFF) and the keyboard and mouse
// command sets of the same reference (chapters "Keyboard" and "Pointing Device").
// The keyboard produces scan code set 2; the controller translates it to set 1
// when command-byte bit 6 (XLAT) is set, with the 8042's fixed translation table.
//
// Host input (rings.ts RING_KBD): the host queues the bytes a PS/2 keyboard in
// scan code set 2 would send: a make code is the key's code (E0-prefixed for the
// extended keys), a break code is F0 followed by the code (E0 F0 code for the
// extended keys); Pause is E1 14 77 E1 F0 14 F0 77. Bytes are taken while the
// keyboard is enabled and its output queue has room. If the guest switched the
// keyboard to scan code set 1, the keyboard translates itself. Mouse input comes
// through i8042MouseEvent (index.ts mouseEvent), one movement report at a time.
// Not modelled: scan code set 3 (treated as set 2), typematic repeat (the host
// sends repeats), keyboard lock switch, password commands (0xA4-0xA6), the
// controller RAM beyond the command byte, mouse remote mode polling intervals,
// wrap (echo) mode of the mouse.

import { slotAddr, SLOT_I8042 } from "./slots";
import { ringPop, RING_KBD } from "../rings";

const XLAT: StaticArray<u8> = [
  0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
  0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
  0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
  0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
  0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
  0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
  0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
  0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
  0x80, 0x81, 0x82, 0x41, 0x54, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
  0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
  0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
  0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
  0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
  0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
  0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
  0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
];

// Queues: keyboard at +0x100 (64 bytes), mouse at +0x140 (192 bytes)
const K_STATUS: u32 = 0;     // status bits other than OBF/AUXB
const K_CMDBYTE: u32 = 1;
const K_OUTBUF: u32 = 2;
const K_OBF: u32 = 3;        // 0 empty, 1 keyboard byte, 2 mouse byte
const K_PENDING: u32 = 4;    // controller command waiting for its data byte
const K_OUTPORT: u32 = 5;
const K_IRQ1: u32 = 6;
const K_IRQ12: u32 = 7;
const K_KBD_CMD: u32 = 8;    // keyboard command waiting for its parameter
const K_KBD_SCAN: u32 = 9;   // keyboard scanning enabled
const K_KBD_SET: u32 = 10;   // scan code set 1/2/3
const K_KBD_BREAK: u32 = 11; // set-1 output: F0 seen
const K_XLAT_BREAK: u32 = 12;// controller translation: F0 seen
const K_MS_CMD: u32 = 13;
const K_MS_ENABLED: u32 = 14;
const K_MS_RES: u32 = 15;
const K_MS_RATE: u32 = 16;
const K_MS_SCALE: u32 = 17;
const K_MS_ID: u32 = 18;
const K_MS_REMOTE: u32 = 19;
const K_MS_BUTTONS: u32 = 20;
const K_MS_RATE_HIST: u32 = 21; // last three sample rates (IntelliMouse detection), 3 bytes
const K_KQ_HEAD: u32 = 24;
const K_KQ_COUNT: u32 = 25;
const K_MQ_HEAD: u32 = 26;
const K_MQ_COUNT: u32 = 27;
const K_MS_DX: u32 = 28;     // i32 accumulated motion (remote mode reads)
const K_MS_DY: u32 = 32;
const K_MS_DZ: u32 = 36;
const KQ: u32 = 0x100;
const KQ_CAP: u32 = 64;
const MQ: u32 = 0x140;
const MQ_CAP: u32 = 192;

@inline function ka(f: u32): u32 { return slotAddr(SLOT_I8042) + f; }
@inline function g(f: u32): u32 { return <u32>load<u8>(ka(f)); }
@inline function s(f: u32, v: u32): void { store<u8>(ka(f), <u8>v); }

// Controller outputs, connected by machine.ts.
type Irq = (line: u32, level: bool) => void; // line 1 or 12
type Line = (level: bool) => void;
type Pulse = () => void;
function noIrq(line: u32, level: bool): void {}
function noLine(level: bool): void {}
function noPulse(): void {}
let irqOut: Irq = noIrq;
let a20Out: Line = noLine;
let resetOut: Pulse = noPulse;
export function i8042Connect(irq: Irq, a20: Line, reset: Pulse): void { irqOut = irq; a20Out = a20; resetOut = reset; }

function kq(b: u32): void {
  let c = g(K_KQ_COUNT);
  if (c >= KQ_CAP) return;
  store<u8>(ka(KQ + ((g(K_KQ_HEAD) + c) % KQ_CAP)), <u8>b);
  s(K_KQ_COUNT, c + 1);
}
function mq(b: u32): void {
  let c = g(K_MQ_COUNT);
  if (c >= MQ_CAP) return;
  store<u8>(ka(MQ + ((g(K_MQ_HEAD) + c) % MQ_CAP)), <u8>b);
  s(K_MQ_COUNT, c + 1);
}
function kqPop(): u32 {
  let h = g(K_KQ_HEAD);
  let b = <u32>load<u8>(ka(KQ + h));
  s(K_KQ_HEAD, (h + 1) % KQ_CAP); s(K_KQ_COUNT, g(K_KQ_COUNT) - 1);
  return b;
}
function mqPop(): u32 {
  let h = g(K_MQ_HEAD);
  let b = <u32>load<u8>(ka(MQ + h));
  s(K_MQ_HEAD, (h + 1) % MQ_CAP); s(K_MQ_COUNT, g(K_MQ_COUNT) - 1);
  return b;
}

export function i8042Reset(): void {
  memory.fill(slotAddr(SLOT_I8042), 0, 512);
  // QEMU's reset state: keyboard and mouse interrupts enabled, not inhibited,
  // output port with the system-reset line inactive and A20 on.
  s(K_CMDBYTE, 0x03);
  s(K_STATUS, 0x18);
  s(K_OUTPORT, 0xcf);
  kbdResetState();
  mouseResetState();
}

function kbdResetState(): void {
  s(K_KBD_SCAN, 1); s(K_KBD_SET, 2); s(K_KBD_CMD, 0); s(K_KBD_BREAK, 0);
}
function mouseResetState(): void {
  s(K_MS_ENABLED, 0); s(K_MS_RES, 2); s(K_MS_RATE, 100); s(K_MS_SCALE, 0); s(K_MS_ID, 0);
  s(K_MS_REMOTE, 0); s(K_MS_CMD, 0);
  store<i32>(ka(K_MS_DX), 0); store<i32>(ka(K_MS_DY), 0); store<i32>(ka(K_MS_DZ), 0);
}

/** Move the next byte into the output buffer and set the IRQ lines. */
function refill(): void {
  let cb = g(K_CMDBYTE);
  if (g(K_OBF) == 0) {
    if (g(K_KQ_COUNT) > 0 && (cb & 0x10) == 0) {
      let b = kqPop();
      if (cb & 0x40) {
        // controller translation to set 1: F0 marks the next code as a break
        if (b == 0xf0) { s(K_XLAT_BREAK, 1); refill(); return; }
        b = <u32>XLAT[b] | (g(K_XLAT_BREAK) ? 0x80 : 0);
        s(K_XLAT_BREAK, 0);
      }
      s(K_OUTBUF, b); s(K_OBF, 1);
    } else if (g(K_MQ_COUNT) > 0 && (cb & 0x20) == 0) {
      s(K_OUTBUF, mqPop()); s(K_OBF, 2);
    }
  }
  let i1 = g(K_OBF) == 1 && (cb & 1) != 0;
  let i12 = g(K_OBF) == 2 && (cb & 2) != 0;
  if ((g(K_IRQ1) != 0) != i1) { s(K_IRQ1, i1 ? 1 : 0); irqOut(1, i1); }
  if ((g(K_IRQ12) != 0) != i12) { s(K_IRQ12, i12 ? 1 : 0); irqOut(12, i12); }
}

/** A byte the controller itself puts in the output buffer (command replies;
 *  `obf` 2: as mouse data, command D3). */
function ctrlReply(b: u32, obf: u32 = 1): void {
  // Replies go ahead of queued device data, untranslated, whether or not the
  // interface they name is disabled.
  if (g(K_OBF) != 0) { /* overwritten, as a real 8042 does */ }
  s(K_OUTBUF, b); s(K_OBF, obf);
  refill();
}

export function i8042ReadStatus(): u32 {
  let st = g(K_STATUS) & ~0x23;
  let obf = g(K_OBF);
  if (obf != 0) st |= 1;
  if (obf == 2) st |= 0x20;
  // system flag follows command-byte bit 2
  st = (st & ~4) | (g(K_CMDBYTE) & 4);
  return st;
}

export function i8042ReadData(): u32 {
  let b = g(K_OUTBUF);
  s(K_OBF, 0);
  // Reading empties the buffer and drops IRQ1/IRQ12; the next byte raises the
  // line again, a fresh edge for the edge-triggered 8259A input.
  if (g(K_IRQ1)) { s(K_IRQ1, 0); irqOut(1, false); }
  if (g(K_IRQ12)) { s(K_IRQ12, 0); irqOut(12, false); }
  refill();
  return b;
}

function setOutport(v: u32): void {
  let old = g(K_OUTPORT);
  s(K_OUTPORT, v);
  if ((old ^ v) & 2) a20Out((v & 2) != 0);
  if ((v & 1) == 0) resetOut(); // output port bit 0 low: system reset
}

export function i8042WriteCommand(v: u32): void {
  v &= 0xff;
  s(K_STATUS, g(K_STATUS) | 0x08); // last write was a command
  if (v >= 0x20 && v <= 0x3f) { ctrlReply(v == 0x20 ? g(K_CMDBYTE) : 0); return; }
  if (v >= 0x60 && v <= 0x7f) { s(K_PENDING, v); return; }
  switch (v) {
    case 0xa7: s(K_CMDBYTE, g(K_CMDBYTE) | 0x20); refill(); break;
    case 0xa8: s(K_CMDBYTE, g(K_CMDBYTE) & ~0x20); refill(); break;
    case 0xa9: ctrlReply(0x00); break;                    // aux interface test: OK
    case 0xaa:                                            // self test
      s(K_CMDBYTE, g(K_CMDBYTE) | 0x04);
      ctrlReply(0x55);
      break;
    case 0xab: ctrlReply(0x00); break;                    // keyboard interface test: OK
    case 0xad: s(K_CMDBYTE, g(K_CMDBYTE) | 0x10); refill(); break;
    case 0xae: s(K_CMDBYTE, g(K_CMDBYTE) & ~0x10); refill(); break;
    case 0xc0: ctrlReply(0x80); break;                    // input port: keyboard not locked
    case 0xd0: {
      let op = g(K_OUTPORT) & 0xcf;
      if (g(K_OBF) == 1) op |= 0x10;
      if (g(K_OBF) == 2) op |= 0x20;
      ctrlReply(op);
      break;
    }
    case 0xd1: case 0xd2: case 0xd3: case 0xd4: s(K_PENDING, v); break;
    case 0xdd: setOutport(g(K_OUTPORT) & ~2); break;      // A20 off (HP vectra)
    case 0xdf: setOutport(g(K_OUTPORT) | 2); break;       // A20 on
    default:
      // 0xF0-0xFF: pulse output port bits 0-3 low for 6 us (bit 0: reset)
      if (v >= 0xf0) { if ((v & 1) == 0) resetOut(); }
      break;
  }
}

export function i8042WriteData(v: u32): void {
  v &= 0xff;
  s(K_STATUS, g(K_STATUS) & ~0x08);
  let p = g(K_PENDING);
  s(K_PENDING, 0);
  if (p != 0) {
    if (p >= 0x60 && p <= 0x7f) {
      if (p == 0x60) { s(K_CMDBYTE, v); refill(); }
      return;
    }
    switch (p) {
      case 0xd1: setOutport(v | 1); return; // keep the reset line inactive unless pulsed
      case 0xd2: ctrlReply(v); return;      // as if from the keyboard (not translated, as QEMU)
      // The controller puts the byte in its output buffer as mouse data
      // itself: the aux interface being disabled (command-byte bit 5, which
      // holds the mouse's clock line low) does not hold it back. Linux's
      // multiplexer probe (i8042_set_mux_mode) sends these with aux disabled
      // and waits 0.5 s for each answer that does not come (QEMU answers).
      case 0xd3: ctrlReply(v, 2); return;
      case 0xd4: s(K_CMDBYTE, g(K_CMDBYTE) & ~0x20); mouseCommand(v); refill(); return;
    }
    return;
  }
  // Writing to the keyboard enables its interface (8042 behaviour).
  s(K_CMDBYTE, g(K_CMDBYTE) & ~0x10);
  keyboardCommand(v);
  refill();
}

function kbdOut(b: u32): void {
  // Responses pass through the controller's translation like scan codes do.
  kq(b);
}

function keyboardCommand(v: u32): void {
  let pend = g(K_KBD_CMD);
  if (pend != 0) {
    s(K_KBD_CMD, 0);
    switch (pend) {
      case 0xed: kbdOut(0xfa); return; // LED state
      case 0xf3: kbdOut(0xfa); return; // typematic rate/delay
      case 0xf0:
        if (v == 0) { kbdOut(0xfa); kbdOut(g(K_KBD_SET)); return; }
        if (v <= 3) { s(K_KBD_SET, v); kbdOut(0xfa); return; }
        kbdOut(0xfe); return;
    }
  }
  switch (v) {
    case 0xed: case 0xf3: case 0xf0: s(K_KBD_CMD, v); kbdOut(0xfa); break;
    case 0xee: kbdOut(0xee); break;                   // echo
    case 0xf2: kbdOut(0xfa); kbdOut(0xab); kbdOut(0x83); break; // MF2 keyboard id
    case 0xf4: s(K_KBD_SCAN, 1); kbdOut(0xfa); break;
    case 0xf5: s(K_KBD_SCAN, 0); s(K_KBD_SET, 2); kbdOut(0xfa); break;
    case 0xf6: s(K_KBD_SCAN, 1); s(K_KBD_SET, 2); kbdOut(0xfa); break;
    case 0xf7: case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc: case 0xfd: kbdOut(0xfa); break;
    case 0xff:
      s(K_KQ_COUNT, 0); s(K_KQ_HEAD, 0);
      kbdResetState();
      kbdOut(0xfa); kbdOut(0xaa);                     // ACK, then BAT passed
      break;
    default: kbdOut(0xfe); break;                     // resend
  }
}

function mouseCommand(v: u32): void {
  let pend = g(K_MS_CMD);
  if (pend != 0) {
    s(K_MS_CMD, 0);
    if (pend == 0xf3) {
      s(K_MS_RATE, v);
      // IntelliMouse: rates 200, 100, 80 switch the ID to 3
      s(K_MS_RATE_HIST, g(K_MS_RATE_HIST + 1)); s(K_MS_RATE_HIST + 1, g(K_MS_RATE_HIST + 2));
      s(K_MS_RATE_HIST + 2, v);
      if (g(K_MS_RATE_HIST) == 200 && g(K_MS_RATE_HIST + 1) == 100 && v == 80) s(K_MS_ID, 3);
    } else if (pend == 0xe8) s(K_MS_RES, v & 3);
    mq(0xfa);
    return;
  }
  switch (v) {
    case 0xe6: s(K_MS_SCALE, 0); mq(0xfa); break;
    case 0xe7: s(K_MS_SCALE, 1); mq(0xfa); break;
    case 0xe8: case 0xf3: s(K_MS_CMD, v); mq(0xfa); break;
    case 0xe9: {
      mq(0xfa);
      let b = g(K_MS_BUTTONS);
      mq((g(K_MS_REMOTE) << 6) | (g(K_MS_ENABLED) << 5) | (g(K_MS_SCALE) << 4) |
         ((b & 1) << 2) | ((b & 4) >> 1) | ((b & 2) >> 1));
      mq(g(K_MS_RES)); mq(g(K_MS_RATE));
      break;
    }
    case 0xea: s(K_MS_REMOTE, 0); mq(0xfa); break;
    case 0xeb: mq(0xfa); mousePacket(); break;
    case 0xec: case 0xee: mq(0xfa); break;
    case 0xf0: s(K_MS_REMOTE, 1); mq(0xfa); break;
    case 0xf2: mq(0xfa); mq(g(K_MS_ID)); break;
    case 0xf4: s(K_MS_ENABLED, 1); mq(0xfa); break;
    case 0xf5: s(K_MS_ENABLED, 0); mq(0xfa); break;
    case 0xf6: { let id = g(K_MS_ID); mouseResetState(); s(K_MS_ID, id); mq(0xfa); break; }
    case 0xff:
      s(K_MQ_COUNT, 0); s(K_MQ_HEAD, 0);
      mouseResetState();
      mq(0xfa); mq(0xaa); mq(0x00);
      break;
    default: mq(0xfe); break;
  }
}

function clamp9(v: i32): i32 { return v > 255 ? 255 : v < -256 ? -256 : v; }

function mousePacket(): void {
  let dx = clamp9(load<i32>(ka(K_MS_DX)));
  let dy = clamp9(load<i32>(ka(K_MS_DY)));
  let dz = load<i32>(ka(K_MS_DZ));
  if (dz > 7) dz = 7; if (dz < -8) dz = -8;
  store<i32>(ka(K_MS_DX), load<i32>(ka(K_MS_DX)) - dx);
  store<i32>(ka(K_MS_DY), load<i32>(ka(K_MS_DY)) - dy);
  store<i32>(ka(K_MS_DZ), load<i32>(ka(K_MS_DZ)) - dz);
  let b0: u32 = 0x08 | (g(K_MS_BUTTONS) & 7);
  if (dx < 0) b0 |= 0x10;
  if (dy < 0) b0 |= 0x20;
  mq(b0); mq(<u32>dx & 0xff); mq(<u32>dy & 0xff);
  if (g(K_MS_ID) == 3) mq(<u32>dz & 0xff);
}

/** Host mouse input: relative motion (dy positive = up), wheel, buttons (bit 0
 *  left, 1 right, 2 middle). Stream mode sends a packet when reporting is on. */
export function i8042MouseEvent(dx: i32, dy: i32, dz: i32, buttons: u32): void {
  store<i32>(ka(K_MS_DX), load<i32>(ka(K_MS_DX)) + dx);
  store<i32>(ka(K_MS_DY), load<i32>(ka(K_MS_DY)) + dy);
  store<i32>(ka(K_MS_DZ), load<i32>(ka(K_MS_DZ)) + dz);
  s(K_MS_BUTTONS, buttons & 7);
  if (g(K_MS_ENABLED) && !g(K_MS_REMOTE) && g(K_MQ_COUNT) + 4 <= MQ_CAP) mousePacket();
  refill();
}

/** Keyboard scanning: take host bytes (set 2) while there is room. */
export function i8042Poll(): void {
  if (g(K_KBD_SCAN) == 0) { refill(); return; }
  while (g(K_KQ_COUNT) < KQ_CAP - 4) {
    let b = ringPop(RING_KBD);
    if (b < 0) break;
    if (g(K_KBD_SET) == 1) {
      // the keyboard itself emits set 1
      if (b == 0xf0) { s(K_KBD_BREAK, 1); continue; }
      let t = <u32>XLAT[b] | (g(K_KBD_BREAK) ? 0x80 : 0);
      s(K_KBD_BREAK, 0);
      kq(t);
    } else kq(<u32>b);
  }
  refill();
}

export function i8042A20(): bool { return (g(K_OUTPORT) & 2) != 0; }
