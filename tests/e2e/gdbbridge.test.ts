// End to end: gdb debugs the machine in a browser tab. `ringzero gdb-bridge`
// runs as a user would start it; the page's inspector connects to it when its
// button is clicked; gdb -batch (Debian's gdb) talks to the worker's gdb stub
// through the bridge. gdb's answers are checked against the page's own
// window.ringzero (registers, read, disassemble); step over through the same API.

import { test, expect, beforeAll, afterAll } from "vitest";
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { openSite, waitForText, screen, ROOT, type Site } from "./site";
import { freePort } from "../cli/debugrun";

const PORT = 4322; // page.test.ts 4317, httpdisk.test.ts 4318, states.test.ts 4319, embed.test.ts 4320, vgainput.test.ts 4321
let site: Site;
let bridge: ChildProcess;
let bridgeLog = "";
let gdbPort = 0, wsPort = 0;

beforeAll(async () => {
  execFileSync("npm", ["run", "build:cli"], { cwd: ROOT, stdio: "ignore" });
  site = await openSite(PORT);
  gdbPort = await freePort();
  wsPort = await freePort();
  bridge = spawn("node", [join(ROOT, "build/cli/ringzero.mjs"), "gdb-bridge", "--port", String(gdbPort), "--ws-port", String(wsPort)], { stdio: ["ignore", "ignore", "pipe"] });
  bridge.stderr!.on("data", (b: Buffer) => { bridgeLog += b.toString(); });
  for (let i = 0; !bridgeLog.includes("target remote"); i++) {
    if (i === 100) throw new Error(`the bridge did not start: ${bridgeLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 300_000);

/** Wait (up to 5 s) for the bridge to have written `text` to its log: its
 *  lines come through a pipe, after what the page or gdb already sees. */
async function bridgeSaid(text: string): Promise<void> {
  for (let i = 0; i < 50 && !bridgeLog.includes(text); i++) await new Promise((r) => setTimeout(r, 100));
  expect(bridgeLog).toContain(text);
}

afterAll(async () => {
  bridge?.kill();
  await site?.close();
});

/** gdb -batch with these commands; its output (stdout and stderr). */
function gdb(commands: string[]): Promise<string> {
  const args = ["-nx", "-batch", "-ex", "set pagination off", ...commands.flatMap((c) => ["-ex", c])];
  return new Promise((resolve) => {
    execFile("gdb", args, { timeout: 120_000 }, (_err, stdout, stderr) => resolve(stdout + stderr));
  });
}

const rz = <T>(page: Page, f: string, ...args: unknown[]) =>
  page.evaluate(([f, args]) => (globalThis as any).ringzero[f as string](...(args as unknown[])), [f, args] as const) as Promise<T>;
const eipOf = (out: string, nth: number) => {
  const all = [...out.matchAll(/^eip\s+0x([0-9a-f]+)/gm)].map((m) => parseInt(m[1], 16));
  return all.at(nth);
};

test("gdb through the bridge: registers, memory, stepi, a breakpoint, continue, detach; step over; bad input", async () => {
  // No page yet: gdb is told so, and so is the user at the bridge.
  const lonely = await gdb([`target remote :${gdbPort}`]);
  expect(lonely).toContain("no page connected to the gdb bridge");
  await bridgeSaid("no page is");

  const page = await site.browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(site.base);
  await waitForText(page, /ringzero# $/m, 240_000);
  // A busy loop in the background: the CPU runs guest code, not the idle HLT.
  await page.click("#terminal");
  await page.keyboard.type("while :; do :; done & echo looping $!\n");
  await waitForText(page, /^looping \d+$/m, 30_000);

  // Nothing connects before the click.
  expect(bridgeLog).not.toContain("page connected");
  await page.click("#inspect");
  await page.fill("#i-gdb-url", `ws://127.0.0.1:${wsPort}`);
  await page.click("#i-gdb");
  await page.waitForFunction(() => document.getElementById("i-gdb-state")?.textContent === "bridge connected, waiting for gdb");
  await bridgeSaid("page connected");
  mkdirSync(join(ROOT, "test-results"), { recursive: true });
  await page.screenshot({ path: join(ROOT, "test-results/gdb-bridge.png") });

  // Session 1: where the machine stopped, its bytes, one instruction; then
  // `disconnect` (not detach): the machine stays stopped for the page to compare.
  const one = await gdb([`target remote :${gdbPort}`, "info registers eip", "x/4xb $eip", "stepi", "info registers eip", "disconnect"]);
  console.log(one);
  const e0 = eipOf(one, 0), e1 = eipOf(one, 1);
  expect(e0, one).toBeDefined();
  expect(e1, one).toBeDefined();
  expect(e1).not.toBe(e0);
  const status = await rz<{ state: string; stop: string }>(page, "status");
  expect(status.state).toBe("paused");
  const regs = await rz<{ eip: number }>(page, "registers");
  expect(regs.eip).toBe(e1); // gdb's stepi is the page's machine's
  const bytes = [...await rz<Uint8Array>(page, "read", e0, 4)];
  const gdbBytes = /^0x[0-9a-f]+(?: <[^>]*>)?:\s+((?:0x[0-9a-f]{2}\s*){4})$/m.exec(one)?.[1].trim().split(/\s+/).map((b) => parseInt(b, 16));
  expect(gdbBytes, one).toEqual(bytes);
  const insn = (await rz<{ lines: { length: number; text: string }[] }>(page, "disassemble", e0, 1)).lines[0];
  // Not a jump, call, return or interrupt: the next instruction follows it.
  if (!/^(j|call|ret|iret|loop|int|into|sys)/.test(insn.text)) expect(e1).toBe((e0! + insn.length) >>> 0);

  // Session 2: a breakpoint where session 1 began (in the loop, or the kernel
  // path it keeps taking), continue to it, detach: the machine runs on.
  const two = await gdb([`target remote :${gdbPort}`, `break *0x${e0!.toString(16)}`, "continue", "info registers eip", "delete", "detach"]);
  console.log(two);
  expect(two, two).toMatch(/Breakpoint 1, 0x0*([0-9a-f]+)/);
  expect(eipOf(two, 0)).toBe(e0);
  expect(two).toMatch(/Detaching from program|\[Inferior 1 \(Remote target\) detached\]/);
  await page.waitForFunction(() => document.body.dataset.state === "running");

  // Step over: pause, step until CS:EIP is a CALL, step over it: EIP is the
  // instruction after the call, and more than one instruction ran.
  await rz(page, "pause");
  const over = await page.evaluate(async () => {
    const r = (globalThis as any).ringzero;
    for (let i = 0; i < 200_000; i++) {
      const d = (await r.disassemble(undefined, 1)).lines[0];
      if (/^call /.test(d.text)) {
        const before = (await r.status()).instructions;
        const err = await r.stepOver();
        const regs = await r.registers();
        return { call: d.address, length: d.length, text: d.text, err, eip: (regs.segments.cs.base + regs.eip) >>> 0, ran: (await r.status()).instructions - before, stop: (await r.status()).stop };
      }
      await r.step(1);
    }
    return null;
  });
  console.log("step over:", JSON.stringify(over));
  expect(over, "no CALL met in 200000 instructions").not.toBeNull();
  expect(over!.err).toBeNull();
  expect(over!.eip).toBe((over!.call + over!.length) >>> 0);
  expect(over!.ran).toBeGreaterThan(1);
  expect(over!.stop).toBe("step over");
  // A non-call: step over is one step.
  const plain = await page.evaluate(async () => {
    const r = (globalThis as any).ringzero;
    for (let i = 0; i < 1000; i++) {
      const d = (await r.disassemble(undefined, 1)).lines[0];
      if (/^(mov|add|sub|cmp|test|push|pop|lea|xor|and|or) /.test(d.text)) {
        const before = (await r.status()).instructions;
        await r.stepOver();
        return { ran: (await r.status()).instructions - before };
      }
      await r.step(1);
    }
    return null;
  });
  expect(plain?.ran).toBe(1);

  // Bad input through the bridge: a malformed packet gets the stub's error, a
  // bad checksum a NAK; the guest is unharmed.
  const raw = connect(gdbPort, "127.0.0.1");
  let got = "";
  raw.on("data", (b) => { got += b.toString("latin1"); });
  await new Promise((r) => raw.once("connect", r));
  const sum = (s: string) => [...s].reduce((a, c) => (a + c.charCodeAt(0)) & 0xff, 0).toString(16).padStart(2, "0");
  raw.write(`$mzz,4#${sum("mzz,4")}`);
  raw.write("$g#00");
  for (let i = 0; i < 100 && !(got.includes("E22") && got.includes("-")); i++) await new Promise((r) => setTimeout(r, 100));
  raw.destroy();
  expect(got).toContain(`+$E22#${sum("E22")}`);
  expect(got).toContain("-");
  await rz(page, "resume");
  await page.waitForFunction(() => document.body.dataset.state === "running");
  await page.click("#terminal");
  await page.keyboard.type("kill $!; echo $((6*7))\n");
  await waitForText(page, /^42$/m, 30_000);

  // The page lets the bridge go.
  await page.click("#i-gdb");
  await page.waitForFunction(() => document.getElementById("i-gdb-state")?.textContent === "");
  await bridgeSaid("page disconnected");
  expect(errors).toEqual([]);
  expect(await screen(page)).not.toMatch(/internal error/);
  await page.close();
}, 600_000);
