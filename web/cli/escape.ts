// QEMU's console escapes on a terminal multiplexed with the serial port
// (-nographic, mon:stdio): Ctrl-A is the escape character; the key after it is a
// command. Ctrl-A x quits, Ctrl-A h (or ?) prints help, Ctrl-A Ctrl-A sends one
// Ctrl-A to the guest; other keys after Ctrl-A are dropped, as in QEMU.
// Ctrl-A c switches between the console and the monitor (main.ts; with a plain
// -serial stdio there is no monitor and it prints a note). Ctrl-A s/b/t (commit
// disks, break, timestamps) are not supported: they print a one-line note.

export const CTRL_A = 0x01;

export type EscapeEvent = "quit" | "help" | "monitor" | { unsupported: string };

/** Terminal input in order: bytes for whoever has the terminal, or an escape
 *  command (which may switch it, so the order matters: "C-a c info" is the
 *  monitor's "info" however the terminal's reads split it). */
export type EscapePiece = { bytes: Uint8Array } | { event: EscapeEvent };

export class EscapeFilter {
  private gotEscape = false;

  feed(input: Uint8Array): EscapePiece[] {
    const out: EscapePiece[] = [];
    let run: number[] = [];
    const event = (e: EscapeEvent) => {
      if (run.length) out.push({ bytes: Uint8Array.from(run) });
      run = [];
      out.push({ event: e });
    };
    for (const b of input) {
      if (this.gotEscape) {
        this.gotEscape = false;
        if (b === CTRL_A) run.push(b);
        else if (b === 0x78 /* x */) event("quit");
        else if (b === 0x68 /* h */ || b === 0x3f /* ? */) event("help");
        else if (b === 0x63 /* c */) event("monitor");
        else if (b === 0x73 || b === 0x62 || b === 0x74) event({ unsupported: String.fromCharCode(b) });
      } else if (b === CTRL_A) {
        this.gotEscape = true;
      } else {
        run.push(b);
      }
    }
    if (run.length) out.push({ bytes: Uint8Array.from(run) });
    return out;
  }
}

export const ESCAPE_HELP =
  "C-a h    print this help\r\n" +
  "C-a x    exit emulator\r\n" +
  "C-a c    switch between console and monitor\r\n" +
  "C-a C-a  sends C-a\r\n";
