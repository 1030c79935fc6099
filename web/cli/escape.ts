// QEMU's console escapes on a terminal multiplexed with the serial port
// (-nographic, mon:stdio): Ctrl-A is the escape character; the key after it is a
// command. Ctrl-A x quits, Ctrl-A h (or ?) prints help, Ctrl-A Ctrl-A sends one
// Ctrl-A to the guest; other keys after Ctrl-A are dropped, as in QEMU.
// Ctrl-A c switches between the console and the monitor (main.ts; with a plain
// -serial stdio there is no monitor and it prints a note). Ctrl-A s/b/t (commit
// disks, break, timestamps) are not supported: they print a one-line note.

export const CTRL_A = 0x01;

export type EscapeEvent = "quit" | "help" | "monitor" | { unsupported: string };

export class EscapeFilter {
  private gotEscape = false;

  /** Split terminal input into bytes for the guest and escape commands. */
  feed(input: Uint8Array): { guest: Uint8Array; events: EscapeEvent[] } {
    const guest: number[] = [];
    const events: EscapeEvent[] = [];
    for (const b of input) {
      if (this.gotEscape) {
        this.gotEscape = false;
        if (b === CTRL_A) guest.push(b);
        else if (b === 0x78 /* x */) events.push("quit");
        else if (b === 0x68 /* h */ || b === 0x3f /* ? */) events.push("help");
        else if (b === 0x63 /* c */) events.push("monitor");
        else if (b === 0x73 || b === 0x62 || b === 0x74) events.push({ unsupported: String.fromCharCode(b) });
      } else if (b === CTRL_A) {
        this.gotEscape = true;
      } else {
        guest.push(b);
      }
    }
    return { guest: Uint8Array.from(guest), events };
  }
}

export const ESCAPE_HELP =
  "C-a h    print this help\r\n" +
  "C-a x    exit emulator\r\n" +
  "C-a c    switch between console and monitor\r\n" +
  "C-a C-a  sends C-a\r\n";
