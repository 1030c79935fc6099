// The terminal's blinking cursor, for the page and for mountMachine (web/embed).
// As in GTK's terminals (gtk-cursor-blink-timeout, 10 s), the cursor stops
// blinking 10 s after the last typed key or console output, and either starts it
// again. A focused xterm that blinks forever redraws twice a second: with the
// guest idle at its prompt that cost the page about 7% of a core (Chromium's
// main thread, compositor and GPU process), more than the guest itself.
import type { Terminal } from "@xterm/xterm";

export const CURSOR_BLINK_MS = 10_000;

/** Blink `term`'s cursor only within CURSOR_BLINK_MS of input or output. */
export function blinkWhileActive(term: Terminal): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const active = () => {
    if (!term.options.cursorBlink) term.options.cursorBlink = true;
    clearTimeout(timer);
    timer = setTimeout(() => { term.options.cursorBlink = false; }, CURSOR_BLINK_MS);
  };
  term.onData(active);
  term.onWriteParsed(active);
  active();
}
