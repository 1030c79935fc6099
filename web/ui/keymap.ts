// Keys on the VGA screen as a PS/2 keyboard sends them: scan code set 2 (IBM
// PS/2 Hardware Interface Technical Reference, "Keyboard", scan code set 2
// table), which the machine's i8042 queues and translates to set 1 when the
// guest asks (asm/dev/i8042.ts). A make code is the key's code, E0-prefixed for
// the extended keys; a break code is F0 then the code (E0 F0 code). Keys are
// named by KeyboardEvent.code (the physical key, whatever the layout), so the
// guest's own keymap decides the character. Print Screen and Pause have the
// multi-byte sequences of the same table. No DOM: the page and tests use it.

/** KeyboardEvent.code -> set 2 code; 0xE0xx marks an extended key. */
const SET2: Record<string, number> = {
  Escape: 0x76, F1: 0x05, F2: 0x06, F3: 0x04, F4: 0x0c, F5: 0x03, F6: 0x0b, F7: 0x83, F8: 0x0a,
  F9: 0x01, F10: 0x09, F11: 0x78, F12: 0x07, ScrollLock: 0x7e,
  Backquote: 0x0e, Digit1: 0x16, Digit2: 0x1e, Digit3: 0x26, Digit4: 0x25, Digit5: 0x2e, Digit6: 0x36,
  Digit7: 0x3d, Digit8: 0x3e, Digit9: 0x46, Digit0: 0x45, Minus: 0x4e, Equal: 0x55, Backspace: 0x66,
  Tab: 0x0d, KeyQ: 0x15, KeyW: 0x1d, KeyE: 0x24, KeyR: 0x2d, KeyT: 0x2c, KeyY: 0x35, KeyU: 0x3c,
  KeyI: 0x43, KeyO: 0x44, KeyP: 0x4d, BracketLeft: 0x54, BracketRight: 0x5b, Backslash: 0x5d,
  CapsLock: 0x58, KeyA: 0x1c, KeyS: 0x1b, KeyD: 0x23, KeyF: 0x2b, KeyG: 0x34, KeyH: 0x33, KeyJ: 0x3b,
  KeyK: 0x42, KeyL: 0x4b, Semicolon: 0x4c, Quote: 0x52, Enter: 0x5a,
  ShiftLeft: 0x12, IntlBackslash: 0x61, KeyZ: 0x1a, KeyX: 0x22, KeyC: 0x21, KeyV: 0x2a, KeyB: 0x32,
  KeyN: 0x31, KeyM: 0x3a, Comma: 0x41, Period: 0x49, Slash: 0x4a, ShiftRight: 0x59,
  ControlLeft: 0x14, AltLeft: 0x11, Space: 0x29, AltRight: 0xe011, ControlRight: 0xe014,
  MetaLeft: 0xe01f, MetaRight: 0xe027, ContextMenu: 0xe02f,
  Insert: 0xe070, Home: 0xe06c, PageUp: 0xe07d, Delete: 0xe071, End: 0xe069, PageDown: 0xe07a,
  ArrowUp: 0xe075, ArrowLeft: 0xe06b, ArrowDown: 0xe072, ArrowRight: 0xe074,
  NumLock: 0x77, NumpadDivide: 0xe04a, NumpadMultiply: 0x7c, NumpadSubtract: 0x7b, NumpadAdd: 0x79,
  NumpadEnter: 0xe05a, NumpadDecimal: 0x71, Numpad0: 0x70, Numpad1: 0x69, Numpad2: 0x72, Numpad3: 0x7a,
  Numpad4: 0x6b, Numpad5: 0x73, Numpad6: 0x74, Numpad7: 0x6c, Numpad8: 0x75, Numpad9: 0x7d,
};

/** The bytes a PS/2 keyboard sends in set 2 when the key `code` goes down or
 *  up; null for a key it does not have. */
export function set2Bytes(code: string, down: boolean): number[] | null {
  if (code === "PrintScreen") return down ? [0xe0, 0x12, 0xe0, 0x7c] : [0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12];
  if (code === "Pause") return down ? [0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77] : []; // no break code
  const c = SET2[code];
  if (c === undefined) return null;
  const ext = c > 0xff ? [0xe0] : [];
  return down ? [...ext, c & 0xff] : [...ext, 0xf0, c & 0xff];
}

/** Ctrl-Alt-Del: the three keys down, then up in the reverse order. */
export function ctrlAltDel(): number[] {
  const keys = ["ControlLeft", "AltLeft", "Delete"];
  return [...keys.flatMap((k) => set2Bytes(k, true)!), ...keys.reverse().flatMap((k) => set2Bytes(k, false)!)];
}
