// End to end: debugging a replay in the page, forwards and backwards (issues 11
// and 12). rr_ticks.asm (a Multiboot kernel booted directly, ?kernel=) prints a
// line on COM1 at each of 12 timer ticks; the page records it, replays the
// recording, and the test debugs the replay through window.ringzero: a
// breakpoint on the line's code (passed once a tick), continue, step, step
// back (gdb's reverse-stepi), reverse continue (back to the earlier hit), and
// forward again to the recording's end; a click on an event of the timeline
// goes to just before it. Every expected value (instruction
// counts, EIPs, the console) comes from the recording or from the replay's
// forward run; the backward operations must land on them. While recording, the
// inspector refuses stepping and says so.

import { test, expect, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { openSite, screen, waitForText, ROOT, type Site } from "./site";

const PORT = 4327; // page.test.ts 4317, httpdisk 4318, states 4319, embed 4320, vgainput 4321, gdbbridge 4322
let site: Site;
/** rr_ticks.asm's tick_line: the linear address the breakpoint is set at. */
let tickLine: number;

beforeAll(async () => {
  site = await openSite(PORT);
  // Served by vite preview from the site's folder, beside the page; the listing gives tick_line's address.
  const bin = join(site.outDir, "rr_ticks.bin"), lst = join(site.outDir, "rr_ticks.lst");
  execFileSync("nasm", ["-f", "bin", "-l", lst, "-o", bin, join(ROOT, "tests/e2e/rr_ticks.asm")]);
  const lines = readFileSync(lst, "utf8").split("\n");
  const at = lines.findIndex((l) => /^\s*\d+\s+tick_line:/.test(l));
  const offset = /^\s*\d+\s+([0-9A-F]{8})\s/.exec(lines[at + 1])![1];
  tickLine = 0x100000 + parseInt(offset, 16); // org 0x100000
}, 300_000);

afterAll(async () => { await site?.close(); });

interface Status { state: string; session: string; instructions: number; stop?: string; checkpoints?: number }
interface Where { eip: number; instructions: number; stop: string }

test("a replay in the page: breakpoints, step, step back, reverse continue, and forward again to the recorded end", async () => {
  const page = await site.browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const rz = <T>(f: string, ...args: unknown[]) => page.evaluate(([f, args]) => (globalThis as any).ringzero[f as string](...(args as unknown[])), [f, args] as const) as Promise<T>;
  const status = () => rz<Status>("status");
  const eip = async () => (await rz<{ eip: number }>("registers")).eip;
  /** Continue, and wait until the replay stops again (paused at a hit, or stopped at its end). */
  const resumeToStop = async (): Promise<Status> => {
    const from = (await status()).instructions;
    await rz("resume");
    return waitStatus(page, (s) => (s.state === "paused" || s.state === "stopped") && s.instructions !== from);
  };
  try {
    // Record: the guest runs its 12 ticks and halts with interrupts off.
    await page.goto(site.base + "?kernel=rr_ticks.bin&mem=16&record");
    await waitForText(page, /rr-ticks done/, 120_000);
    expect(await page.textContent("#st-session")).toBe("● recording");
    // While recording the inspector's stepping is refused, and it says so.
    await page.keyboard.press("F9");
    await page.waitForSelector("#inspector:not([hidden])");
    await rz("pause");
    await page.waitForFunction(() => document.body.dataset.state === "paused");
    expect(await page.isDisabled("#i-step")).toBe(true);
    expect(await page.textContent("#i-rr-note")).toMatch(/^Recording: no stepping or breakpoints/);
    expect(await page.isHidden("#i-back")).toBe(true);
    expect(await rz("step", 1)).toMatch(/^Stepping and breakpoints are not available while recording/);
    await rz("resume");
    const bytes: number[] = await page.evaluate(async () => Array.from(await (globalThis as any).ringzero.recording() as Uint8Array));
    const recorded = await screen(page);
    expect(recorded).toMatch(/tick 12\s+rr-ticks done/);
    // The end record (web/host/replay.ts): tag, u64 instruction count, i32 status, u32 CRC.
    const endCount = Number(Buffer.from(bytes).readBigUInt64LE(bytes.length - 16));

    // Replay: it runs to the recording's end by itself.
    await page.setInputFiles("#replay-file", { name: "ticks.rzrr", mimeType: "application/octet-stream", buffer: Buffer.from(bytes) });
    await page.waitForFunction(() => document.body.dataset.session === "replayed", undefined, { timeout: 60_000 });
    expect(await page.textContent("#error")).toBe(`The replay finished at instruction ${endCount}, as recorded.`);
    expect(await screen(page)).toBe(recorded);
    expect(await page.isVisible("#i-back")).toBe(true);
    // Watched, not debugged: the power-on checkpoint only (the recording is
    // longer than two checkpoint intervals, so a debugged run holds more).
    expect(endCount).toBeGreaterThan(2 * 2_000_000);
    expect((await status()).checkpoints).toBe(1);

    // Back to the start: no breakpoint is set, so a reverse continue goes all the way.
    const start = await rz<Where>("reverseContinue");
    expect(start).toMatchObject({ instructions: 0, stop: "begin" });
    expect((await status()).state).toBe("paused");

    // Forwards: the breakpoint's first three hits, then three steps; these are the expected values.
    expect(await rz("addBreakpoint", tickLine)).toBeNull();
    const hits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await resumeToStop();
      expect(s.state).toBe("paused");
      expect(s.stop).toBe(`breakpoint at 0x${tickLine.toString(16).padStart(8, "0")}`);
      expect(await eip()).toBe(tickLine);
      hits.push(s.instructions);
    }
    expect(hits[0]).toBeGreaterThan(0);
    expect(hits[1]).toBeGreaterThan(hits[0]);
    expect(hits[2]).toBeGreaterThan(hits[1]);
    console.log(`replay of ${endCount} instructions; breakpoint hits at ${hits.join(", ")}`);
    const steps = [{ eip: tickLine, instructions: hits[2] }];
    for (let i = 0; i < 3; i++) {
      expect(await rz("step", 1)).toBeNull();
      const s = await status();
      steps.push({ eip: await eip(), instructions: s.instructions });
      expect(s.instructions).toBe(steps[i].instructions + 1);
    }

    // Step back, three times: one instruction fewer each, where the forward step had been.
    for (let i = 2; i >= 0; i--) {
      const back = await rz<Where>("reverseStep");
      expect(back).toEqual({ eip: steps[i].eip, instructions: steps[i].instructions, stop: "step" });
      expect(await eip()).toBe(steps[i].eip);
    }
    // The keyboard's Shift-F10 and the inspector's button do the same.
    await rz("step", 1);
    await page.keyboard.press("Shift+F10");
    await waitStatus(page, (s) => s.instructions === hits[2]);
    expect(await eip()).toBe(tickLine);

    // Continue from a step back's stop on the breakpoint's address: it runs the
    // instruction there and stops at the next hit, the fourth.
    const fourth = await resumeToStop();
    expect(fourth.instructions).toBeGreaterThan(steps[3].instructions);
    expect(await eip()).toBe(tickLine);

    // Reverse continue: the earlier hits, in turn, then the start.
    expect(await rz<Where>("reverseContinue")).toEqual({ eip: tickLine, instructions: hits[2], stop: "breakpoint" });
    expect(await rz<Where>("reverseContinue")).toEqual({ eip: tickLine, instructions: hits[1], stop: "breakpoint" });
    expect((await status()).stop).toBe(`reverse continue: breakpoint at 0x${tickLine.toString(16).padStart(8, "0")}`);
    await page.click("#i-rcont");
    await waitStatus(page, (s) => s.state === "paused" && s.instructions === hits[0]);
    expect(await eip()).toBe(tickLine);
    expect(await rz<Where>("reverseContinue")).toMatchObject({ instructions: 0, stop: "begin" });

    // Forwards again: the same hit, then (the breakpoint gone) the recording's end,
    // with the console as recorded: nothing printed twice.
    const again = await resumeToStop();
    expect(again.instructions).toBe(hits[0]);
    // Step over in a replay: tick_line's third instruction calls puts, which
    // runs to the instruction after the call (the disassembly's next line).
    expect(await rz("step", 2)).toBeNull();
    const code = await rz<{ lines: { address: number; text: string }[] }>("disassemble");
    expect(code.lines[0].text).toMatch(/^call /);
    expect(await rz("stepOver")).toBeNull();
    const over = await status();
    expect(over).toMatchObject({ state: "paused", stop: "step over" });
    expect(over.instructions).toBeGreaterThan(hits[0] + 3);
    expect(await eip()).toBe(code.lines[1].address);
    await rz("removeBreakpoint", tickLine);
    const end = await resumeToStop();
    expect(end).toMatchObject({ state: "stopped", session: "replayed", instructions: endCount });
    // Debugged: checkpoints were taken on the way (web/worker.ts debugging()).
    expect(end.checkpoints).toBeGreaterThan(1);
    expect(await page.textContent("#error")).toBe(`The replay finished at instruction ${endCount}, as recorded.`);
    expect(await screen(page)).toBe(recorded);

    // A click on an event of the inspector's timeline takes the replay to just
    // before it: to the event's instruction count, where CS:EIP is the event's
    // (an IRQ0 delivery: the instruction it interrupted, after the HLT).
    await page.check('#i-ev-show input[data-kind="interrupt"]'); // hidden by default
    await page.waitForSelector('#i-events tr[data-kind="interrupt"]');
    const rows = await page.$$eval('#i-events tr[data-kind="interrupt"]', (trs) => trs.map((tr) => Number((tr as HTMLElement).dataset.seq)));
    expect(rows.length).toBeGreaterThan(2);
    const seq = rows[Math.floor(rows.length / 2)];
    const ev = (await rz<{ seq: number; kind: string; eip: number; instructions: number }[]>("events")).find((e) => e.seq === seq)!;
    expect(ev.kind).toBe("interrupt");
    await page.click(`#i-events tr[data-seq="${seq}"]`);
    await waitStatus(page, (s) => s.state === "paused" && s.instructions === ev.instructions);
    expect(await eip()).toBe(ev.eip);
    expect(await page.textContent("#i-ev-detail")).toMatch(/^Event \d+: .* The replay is there now, just before it\.$/);
    // The lab API's goTo does the same, forwards too: on to the recording's end, as recorded.
    expect(await rz<Where>("goTo", endCount + 1)).toMatchObject({ instructions: endCount, stop: "end" });
    expect(await screen(page)).toBe(recorded);
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
}, 300_000);

/** Poll the worker's status until `ok` holds. */
async function waitStatus(page: Page, ok: (s: Status) => boolean): Promise<Status> {
  for (;;) {
    const s = await page.evaluate(() => (globalThis as any).ringzero.status() as Promise<Status>);
    if (ok(s)) return s;
    if (s.state === "error") throw new Error(`the machine stopped with an error: ${await page.textContent("#error")}`);
    await page.waitForTimeout(20);
  }
}
