import { test, expect } from "vitest";
import { IdlePacer, IDLE_SLACK_MS, QUIET_MS } from "../../web/host/idle";

test("a quiet halted guest sleeps at least IDLE_SLACK_MS; a later deadline is kept exactly", () => {
  const p = new IdlePacer();
  expect(IDLE_SLACK_MS).toBe(50);
  expect(p.sleepMs(3.2e6, 1000)).toBe(50);        // 250 Hz tick 3.2 ms ahead: sleep through 12 of them
  expect(p.sleepMs(0, 1000)).toBe(50);            // due now
  expect(p.sleepMs(120.1e6, 1000)).toBe(121);     // further off than the slack: its own time
  expect(p.sleepMs(-1, 1000)).toBe(-1);           // no deadline: until input
});

test("within QUIET_MS of input, output or a busy slice the host wakes at every deadline", () => {
  const p = new IdlePacer();
  p.active(10_000);
  expect(p.sleepMs(3.2e6, 10_000)).toBe(4);
  expect(p.sleepMs(3.2e6, 10_000 + QUIET_MS - 1)).toBe(4);
  expect(p.sleepMs(3.2e6, 10_000 + QUIET_MS)).toBe(50);
  p.active(20_000);
  expect(p.sleepMs(0.4e6, 20_100)).toBe(1);
});
