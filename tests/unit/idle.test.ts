import { test, expect } from "vitest";
import { IdlePacer, IDLE_SLACK_MS, MAX_SLACK_MS, QUIET_MS, SLACK_DIVISOR } from "../../web/host/idle";

test("a quiet halted guest sleeps at least IDLE_SLACK_MS; a later deadline is kept exactly", () => {
  const p = new IdlePacer();
  p.active(0);
  expect(IDLE_SLACK_MS).toBe(50);
  expect(p.sleepMs(3.2e6, 1000)).toBe(50);        // 250 Hz tick 3.2 ms ahead: sleep through 12 of them
  expect(p.sleepMs(0, 1000)).toBe(50);            // due now
  expect(p.sleepMs(120.1e6, 1000)).toBe(121);     // further off than the slack: its own time
  expect(p.sleepMs(-1, 1000)).toBe(-1);           // no deadline: until input
});

test("the slack grows with the quiet, a fortieth of it, up to MAX_SLACK_MS", () => {
  const p = new IdlePacer();
  p.active(10_000);
  expect(SLACK_DIVISOR).toBe(40);
  expect(MAX_SLACK_MS).toBe(200);
  expect(p.sleepMs(3.2e6, 10_000 + 2_000)).toBe(50);   // 2 s quiet: 50 ms
  expect(p.sleepMs(3.2e6, 10_000 + 5_000)).toBe(125);  // 5 s: 125 ms
  expect(p.sleepMs(3.2e6, 10_000 + 8_000)).toBe(200);  // 8 s: the most
  expect(p.sleepMs(3.2e6, 10_000 + 60_000)).toBe(200);
  expect(p.sleepMs(250e6, 10_000 + 60_000)).toBe(250); // a deadline further off is kept
  // A machine that has never been active (restored, nothing typed yet) is quiet from the start.
  expect(new IdlePacer().sleepMs(3.2e6, 100)).toBe(200);
});

test("within QUIET_MS of input, output or a busy slice the host wakes at every deadline", () => {
  const p = new IdlePacer();
  p.active(10_000);
  expect(p.sleepMs(3.2e6, 10_000)).toBe(4);
  expect(p.sleepMs(3.2e6, 10_000 + QUIET_MS - 1)).toBe(4);
  expect(p.sleepMs(3.2e6, 10_000 + QUIET_MS)).toBe(50);
  p.active(20_000);
  expect(p.sleepMs(0.4e6, 20_100)).toBe(1);
  // Activity after a long quiet puts the slack back to its start.
  p.active(90_000);
  expect(p.sleepMs(3.2e6, 90_000 + QUIET_MS)).toBe(50);
});

test("quiet: QUIET_MS after the last input, output or busy slice (the page's status goes out less often then)", () => {
  const p = new IdlePacer();
  expect(p.quiet(0)).toBe(true); // never active
  p.active(10_000);
  expect(p.quiet(10_000 + QUIET_MS - 1)).toBe(false);
  expect(p.quiet(10_000 + QUIET_MS)).toBe(true);
});
