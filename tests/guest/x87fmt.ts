// Renders the binary records of the x87 guest tests (tests/guest/x87lib.inc:
// marker byte 01h (data) or 02h (status word), length, bytes) as hex numbers,
// values of up to 10 bytes printed most significant byte first; other bytes pass
// through as text.
//
// qemuComparable: masks, in status words only, what QEMU 7.2 (the reference of
// the differential tests) does not model, so that both outputs can be compared:
//   - DE (bit 1): QEMU never reports the denormal-operand exception;
//   - C1 (bit 9) when PE is set: QEMU does not report "rounded up" in C1 for
//     FST/FIST/FRNDINT/arithmetic (SDM vol. 1 §8.1.3.3 says it does).
// RingZero's unmasked values are checked explicitly by the tests.
export function renderRecords(raw: string, qemuComparable = false): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c !== 1 && c !== 2) { out += raw[i]; continue; }
    const n = raw.charCodeAt(i + 1);
    const b: number[] = [];
    for (let k = 0; k < n; k++) b.push(raw.charCodeAt(i + 2 + k));
    i += 1 + n;
    if (c === 2 && qemuComparable) {
      let sw = b[0] | (b[1] << 8);
      sw &= ~0x0002;
      if (sw & 0x20) sw &= ~0x0200;
      b[0] = sw & 0xff; b[1] = sw >> 8;
    }
    const hex = b.map((x) => x.toString(16).padStart(2, "0"));
    out += " " + (n <= 10 ? hex.reverse().join("") : hex.join(""));
  }
  return out;
}
