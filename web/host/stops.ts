// A machine stopped by a breakpoint, a watchpoint or a teaching breakpoint, in
// words: the page's status bar (web/worker.ts) and the package's onStop
// (web/embed/). Watchpoint kinds by the names the page, the package and gdb use.

import { WATCH, type Machine, type WatchKind } from "./machine";
import { readEvents, stoppedAt } from "./events";

export type WatchName = "write" | "read" | "access";
export const WATCH_KINDS: Record<WatchName, WatchKind> = { write: WATCH.WRITE, read: WATCH.READ, access: WATCH.ACCESS };
export const WATCH_NAMES: Record<WatchKind, WatchName> = { [WATCH.WRITE]: "write", [WATCH.READ]: "read", [WATCH.ACCESS]: "access" };

/** "write watchpoint at 0x00101000". */
export function watchText(watch: WatchKind, address: number): string {
  return `${WATCH_NAMES[watch]} watchpoint at 0x${address.toString(16).padStart(8, "0")}`;
}

/** "breakpoint at 0x0010000c", "write watchpoint at 0x00101000", "stopped on #PF ... (event 12)". */
export function hitText(m: Machine, hit: ReturnType<Machine["breakpointHit"]> = m.breakpointHit()): string {
  const seq = hit?.kind === "event" ? stoppedAt(m) : undefined;
  const ev = seq !== undefined ? readEvents(m, seq)[0] : undefined;
  if (ev) return `stopped on ${ev.text} (event ${ev.seq})`;
  if (hit?.kind === "watchpoint") return watchText(hit.watch, hit.address);
  return hit ? `${hit.kind} at 0x${hit.address.toString(16).padStart(8, "0")}` : "breakpoint";
}
