// The guest's clock in the page (issue: time that keeps real time in the page),
// end to end in Debian's Chromium as tests/e2e/page.test.ts: the instant boot
// with a busy core beside the page, and a boot from power-on (?boot=fresh),
// each checked as a user at the shell would check it. npm test runs this file
// on its own, after the rest (with tests/system/time.test.ts, one at a time):
// it measures wall time and must not share the two cores with other guests.

import { test, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { type Browser, type Page } from "playwright-core";
import { openSite, screen, waitForText as waitForTextEvery, type Site } from "./site";

const PORT = 4333; // page.test.ts 4317, httpdisk 4318, states 4319, embed 4320, vgainput 4321, gdbbridge 4322, demos 4323, pagerev 4327, ldtpage 4331, statefiles 4332
const BASE = `http://127.0.0.1:${PORT}/`;
let site: Site;
let browser: Browser;

const waitForText = (page: Page, re: RegExp, timeoutMs: number) => waitForTextEvery(page, re, timeoutMs, 250);

beforeAll(async () => {
  site = await openSite(PORT);
  browser = site.browser;
}, 300_000);

afterAll(async () => {
  await site?.close();
});

/** The guest's clock against the host's, as a user at the shell would check it:
 *  `date` within a second of the host's, uptime advancing at the wall clock's
 *  rate over 10 s, `sleep 5` taking 5 s of wall time, and Linux keeping the TSC
 *  as its clocksource (its watchdog, which compares it with the HPET or the PM
 *  timer, marks it unstable when they disagree). */
async function expectRealTime(page: Page, label: string): Promise<void> {
  await page.click("#terminal");
  // The RTC starts at the host's time of day.
  await page.keyboard.type("echo D$(date +%s)D");
  const tEnter = Date.now() / 1000;
  await page.keyboard.press("Enter");
  const date = Number(/^D(\d+)D$/m.exec(await waitForText(page, /^D\d+D$/m, 30_000))![1]);
  const tSeen = Date.now() / 1000;
  // Within a second of the host's time while the command ran (date +%s truncates).
  expect(date).toBeGreaterThanOrEqual(Math.floor(tEnter) - 1);
  expect(date).toBeLessThanOrEqual(tSeen + 1);
  const u1 = await uptime(page, "U");
  // Timed from Enter: typing the command key by key takes a few hundred ms
  // on a loaded host, which is not the guest's sleep.
  await page.keyboard.type("sleep 5; echo SLEPT");
  const t0 = Date.now();
  await page.keyboard.press("Enter");
  const end = Date.now() + 30_000;
  while (!/^SLEPT$/m.test(await screen(page)) && Date.now() < end) await page.waitForTimeout(50);
  const slept = (Date.now() - t0) / 1000;
  expect(slept).toBeGreaterThan(4.9);
  expect(slept).toBeLessThan(5.5);
  await page.waitForTimeout(10_000);
  const u2 = await uptime(page, "V");
  const ratio = (u2.guest - u1.guest) / (u2.wall - u1.wall);
  console.log(`page (${label}): uptime advanced ${(u2.guest - u1.guest).toFixed(2)} s in ${(u2.wall - u1.wall).toFixed(2)} s (ratio ${ratio.toFixed(3)}); sleep 5 took ${slept.toFixed(2)} s`);
  expect(ratio).toBeGreaterThan(0.9);
  expect(ratio).toBeLessThan(1.1);
  await page.keyboard.type("echo C$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)C$(dmesg | grep -c -i unstable)C\n");
  await waitForText(page, /^CtscC0C$/m, 30_000); // the clocksource, then how many "unstable" lines
}

/** The guest's uptime (/proc/uptime) and the host's time when the page showed it. */
async function uptime(page: Page, tag: string): Promise<{ guest: number; wall: number }> {
  await page.keyboard.type(`echo ${tag}$(cut -d' ' -f1 /proc/uptime)${tag}\n`);
  const re = new RegExp(`^${tag}([\\d.]+)${tag}$`, "m");
  return { guest: Number(re.exec(await waitForText(page, re, 30_000))![1]), wall: Date.now() / 1000 };
}

test("the guest's clock keeps real time in the page with a busy core beside it; an idle guest shows as idle and its cursor stops blinking", async () => {
  const hog = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
  const page = await browser.newPage();
  try {
    await page.goto(BASE);
    await waitForText(page, /ringzero# $/m, 240_000);
    await expectRealTime(page, "instant boot, busy core");
    // At its prompt the guest only waits for its timer: the status bar says idle.
    await page.waitForFunction(() => document.body.dataset.idle === "true", undefined, { timeout: 10_000 });
    expect(await page.textContent("#st-state")).toBe("idle");
    // The cursor stops blinking 10 s after the last key or output (an idle page
    // draws nothing), and a key starts it again.
    await page.waitForFunction(() => document.querySelector("#terminal .xterm-cursor") !== null && document.querySelector("#terminal .xterm-cursor-blink") === null, undefined, { timeout: 15_000 });
    await page.keyboard.type("x");
    await page.waitForFunction(() => document.querySelector("#terminal .xterm-cursor-blink") !== null, undefined, { timeout: 5_000 });
    await page.keyboard.press("Backspace");
  } finally {
    hog.kill("SIGKILL");
    await page.close();
  }
}, 360_000);

test("a Linux boot in the page (?boot=fresh) keeps real time: the uptime at the prompt is no more than the wall time since the page opened, and the clock follows the host's", async () => {
  // The first report: after a 24 s boot in Chromium the guest's uptime said 542 s.
  const page = await browser.newPage();
  try {
    const opened = Date.now() / 1000;
    await page.goto(BASE + "?boot=fresh");
    await waitForText(page, /ringzero# $/m, 300_000);
    await page.click("#terminal");
    const u = await uptime(page, "B");
    console.log(`page (fresh boot): uptime ${u.guest.toFixed(2)} s at the prompt, ${(u.wall - opened).toFixed(2)} s after the page opened`);
    // The kernel's uptime starts after the images load and the firmware-less
    // set-up; it can never run ahead of the wall clock.
    expect(u.guest).toBeLessThanOrEqual(u.wall - opened + 1);
    expect(u.guest).toBeGreaterThan(1);
    await expectRealTime(page, "fresh boot");
  } finally {
    await page.close();
  }
}, 420_000);
