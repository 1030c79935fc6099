// The command line's debugging front ends: the gdb stub on TCP (-gdb, -s) and
// the QEMU monitor on the terminal (-monitor stdio, or Ctrl-A c with
// -nographic / -serial mon:stdio), both on the host's protocol code
// (web/host/gdb.ts, web/host/monitor.ts), and RunControl, through which they
// stop and start the run loop in main.ts.

import { writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { GdbStub, type GdbHost } from "../host/gdb";
import { Monitor } from "../host/monitor";
import { STOP, type Machine, type StopReason } from "../host/machine";
import { UsageError, type GdbListen } from "./args";

/** Whether the run loop may run the machine, and how it learns that it may
 *  again: the loop checks `paused` before each slice and, while it is set,
 *  awaits resumed() instead of spinning. */
export class RunControl {
  paused: boolean;
  /** Whether a gdb client is connected (a replay under gdb waits for it at its end). */
  gdbAttached = false;
  /** Set when a front end ends the program (gdb's kill, the monitor's quit). */
  quit: number | null = null;
  /** The run loop supplies how to execute one instruction (gdb's stepi). */
  stepper: () => StopReason = () => STOP.BUDGET;
  private wake: (() => void) | null = null;
  private stopListeners: ((reason: StopReason | "end") => void)[] = [];
  private exitListeners: ((code: number) => Promise<void>)[] = [];

  constructor(startPaused: boolean) { this.paused = startPaused; }

  /** Set while the run loop sleeps until the guest's next timer: wakes it. */
  sleeper: (() => void) | null = null;

  pause(): void { this.paused = true; this.poke(); }
  resume(): void { this.paused = false; this.wakeUp(); }
  end(code: number): void { this.quit = code; this.wakeUp(); this.poke(); }
  /** Wake the run loop if it sleeps on an idle guest (input, a stop request). */
  poke(): void { this.sleeper?.(); }
  /** Resolves when resume() or end() is called. */
  resumed(): Promise<void> { return new Promise((r) => { this.wake = r; }); }
  private wakeUp(): void { const w = this.wake; this.wake = null; w?.(); }

  onStop(f: (reason: StopReason | "end") => void): void { this.stopListeners.push(f); }
  onExit(f: (code: number) => Promise<void>): void { this.exitListeners.push(f); }
  /** The machine stopped by itself (breakpoint, watchpoint, pause, a replay's
   *  end: "end"): it stays stopped. */
  stopped(reason: StopReason | "end"): void {
    this.paused = true;
    for (const f of this.stopListeners) f(reason);
  }
  /** The guest ended with `code`; the front ends say so before the program exits. */
  async exited(code: number): Promise<void> { await Promise.all(this.exitListeners.map((f) => f(code))); }
}

/** Listen for gdb on TCP. One client at a time (a new connection replaces the
 *  old one); as in QEMU, a connection stops the machine. */
export async function startGdbServer(m: Machine, ctl: RunControl, at: GdbListen, replay?: GdbHost["replay"] & { atEnd(): boolean }): Promise<Server> {
  let client: { socket: Socket; stub: GdbStub } | null = null;
  const server = createServer((socket) => {
    if (client) { client.stub.disconnected(); client.socket.destroy(); }
    socket.setNoDelay(true);
    ctl.pause();
    ctl.gdbAttached = true;
    const stub = new GdbStub(m, {
      send: (b) => { socket.write(b); },
      resume: () => ctl.resume(),
      stop: () => ctl.pause(),
      step: () => ctl.stepper(),
      kill: () => { process.stderr.write("ringzero: terminated via gdb\n"); ctl.end(0); },
      warn: (message) => { process.stderr.write(`ringzero: gdb: ${message}\n`); },
      replay,
    });
    client = { socket, stub };
    socket.on("data", (b: Buffer) => stub.receive(new Uint8Array(b)));
    socket.on("error", () => {});
    socket.on("close", () => {
      if (client?.socket !== socket) return;
      client = null;
      ctl.gdbAttached = false;
      if (ctl.quit === null) stub.disconnected();
      // A replay left at its end by its debugger ends, as one without -s does.
      if (replay?.atEnd() && ctl.quit === null) ctl.resume();
    });
  });
  ctl.onStop((reason) => { if (reason === "end") client?.stub.replayEnded(); else client?.stub.stopped(reason); });
  ctl.onExit(async (code) => {
    if (!client) return;
    const { socket, stub } = client;
    stub.exited(code);
    // let the W packet reach gdb before the process ends
    await new Promise<void>((r) => { socket.end(r); setTimeout(r, 500); });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(new UsageError(`-gdb tcp:${at.host}:${at.port}: cannot listen (${e.code ?? e.message})`)));
    server.listen(at.port, at.host, () => resolve());
  });
  return server;
}

/** strerror(3) for the errors a file write meets, as QEMU prints them. */
const STRERROR: Record<string, string> = {
  ENOENT: "No such file or directory", EACCES: "Permission denied", EISDIR: "Is a directory",
  ENOTDIR: "Not a directory", EROFS: "Read-only file system", ENOSPC: "No space left on device", EPERM: "Operation not permitted",
};

/** The monitor on the terminal: its text goes out with CR LF line ends (the
 *  terminal is in raw mode, as QEMU's stdio is). */
export function terminalMonitor(m: Machine, ctl: RunControl, version: string, reset: () => void, migrate?: (path: string) => Promise<string>, display = true, nmi?: () => string, powerdown?: () => string): Monitor {
  return new Monitor(m, {
    write: (t) => { process.stdout.write(t.replace(/\n/g, "\r\n")); },
    stop: () => ctl.pause(),
    cont: () => ctl.resume(),
    reset,
    quit: () => ctl.end(0),
    nmi: nmi ?? (() => { m.nmi(); ctl.poke(); return ""; }),
    powerdown: powerdown ?? (() => { m.powerButton(); ctl.poke(); return ""; }),
    migrate,
    display,
    writeFile: async (path, data) => {
      try { writeFileSync(path, data); } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? "";
        throw new Error(`failed to open file '${path}': ${STRERROR[code] ?? code}`);
      }
    },
  }, `RingZero ${version}`);
}
