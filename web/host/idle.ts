// How long the host sleeps while the guest is halted (docs/ARCHITECTURE.md,
// "Time"). The machine says how far off its next timer deadline is
// (Machine.timeUntilDeadline); an idle guest with a periodic tick (Debian's 686
// kernel: 250 Hz, no NO_HZ) would wake the host 250 times a second, and each
// wake-up costs far more on a busy host than the tick's few thousand guest
// instructions (the process is rescheduled, often on another core, and the
// translated code's caches are cold: tools/dev/idle-tick.mts with RZ_SLEEP_MS
// measures it). So once the guest has been quiet for QUIET_MS (no input, none
// waiting in an input ring, no output, every slice ended halted), the host
// sleeps at least the slack and then runs the ticks it slept through in one go:
// the machine takes them one deadline at a time (asm/machine.ts machineRun),
// each at its own virtual time, so the guest sees every tick as before; only its
// clock lags the host's by up to the slack while nothing is happening (never
// ahead). The slack grows with the quiet: IDLE_SLACK_MS at first, then a
// fortieth of the time the guest has been quiet, up to MAX_SLACK_MS. A timer
// that ends a quiet stretch is seen at most that late in wall time: 50 ms after
// 2 s of quiet, 125 ms after 5 s, 200 ms after 8 s or more. Input wakes the
// machine at once, and any input or output makes the host wake at every
// deadline again.

/** The slack once the guest has been quiet for QUIET_MS. */
export const IDLE_SLACK_MS = 50;
/** The longest a quiet, halted guest's clock may lag the host's. */
export const MAX_SLACK_MS = 200;
/** Slack = quiet time / SLACK_DIVISOR, between IDLE_SLACK_MS and MAX_SLACK_MS. */
export const SLACK_DIVISOR = 40;
/** How long after the last input, output or busy slice the host still wakes at
 *  every deadline (an interactive guest's timers keep their timing). */
export const QUIET_MS = 500;

export class IdlePacer {
  private lastActive = -Infinity;
  /** Input fed, output drained, or a slice that ran without halting, at host time `nowMs`. */
  active(nowMs: number): void { this.lastActive = nowMs; }
  /** No input, output or busy slice for QUIET_MS, at host time `nowMs`. */
  quiet(nowMs: number): boolean { return nowMs - this.lastActive >= QUIET_MS; }
  /** After a HALT stop: how many ms to sleep, from the machine's timeUntilDeadline
   *  (host ns, -1 when only input can wake it); -1 means until woken. */
  sleepMs(deadlineNs: number, nowMs: number): number {
    if (deadlineNs < 0) return -1;
    const due = Math.ceil(deadlineNs / 1e6);
    if (!this.quiet(nowMs)) return due;
    return Math.max(due, Math.min(MAX_SLACK_MS, Math.max(IDLE_SLACK_MS, Math.floor((nowMs - this.lastActive) / SLACK_DIVISOR))));
  }
}
