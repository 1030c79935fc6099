// PC system control ports. Port 0x92: System Control Port A of the PS/2 and the
// PIIX3 ("fast A20 and init", PIIX3 datasheet, port 92h): bit 0 fast
// reset (a 0 to 1 transition resets the CPU), bit 1 A20 gate. Port 0x61: PC/AT
// System Control Port B (PIIX3 NMI status and control, port 61h): bit 0 timer
// counter 2 gate, bit 1 speaker data enable, bits 2/3 PCI SERR#/IOCHK# NMI
// enables; read-only bit 4 refresh cycle toggle (toggles every 15.085 us), bit 5
// counter 2 OUT, bits 6/7 IOCHK#/SERR# NMI sources.
// Not modelled: the speaker's sound, NMI sources (none raise SERR# or IOCHK#).

import { slotAddr, SLOT_SYSCTL } from "./slots";
import { clockNow } from "../clock";
import { pitOut, pitSetGate } from "./pit8254";

const S_PORT92: u32 = 0;
const S_PORT61: u32 = 1;

type Line = (level: bool) => void;
type Pulse = () => void;
function noLine(level: bool): void {}
function noPulse(): void {}
let a20Out: Line = noLine;
let resetOut: Pulse = noPulse;
export function sysctlConnect(a20: Line, reset: Pulse): void { a20Out = a20; resetOut = reset; }

export function sysctlReset(): void {
  memory.fill(slotAddr(SLOT_SYSCTL), 0, 16);
  pitSetGate(2, false);
}

export function port92A20(): bool { return (load<u8>(slotAddr(SLOT_SYSCTL) + S_PORT92) & 2) != 0; }

export function sysctlRead(port: u32): u32 {
  let b = slotAddr(SLOT_SYSCTL);
  if (port == 0x92) return <u32>load<u8>(b + S_PORT92);
  let v = <u32>load<u8>(b + S_PORT61) & 0x0f;
  let now = clockNow();
  if ((now / 15085) & 1) v |= 0x10;
  if (pitOut(2, now)) v |= 0x20;
  return v;
}

export function sysctlWrite(port: u32, v: u32): void {
  let b = slotAddr(SLOT_SYSCTL);
  if (port == 0x92) {
    let old = <u32>load<u8>(b + S_PORT92);
    store<u8>(b + S_PORT92, <u8>(v & 0x03));
    if ((old ^ v) & 2) a20Out((v & 2) != 0);
    if ((v & 1) && !(old & 1)) resetOut();
    return;
  }
  store<u8>(b + S_PORT61, <u8>(v & 0x0f));
  pitSetGate(2, (v & 1) != 0);
}
