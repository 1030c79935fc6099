// The npm package in a browser page (issue 16, embedding): the packed package
// installed offline into an empty directory (tests/system/packed.ts), the page of
// examples/embed/ built there with Vite as a user's project would build it, served
// by `vite preview`, and opened in Debian's Chromium. mountMachine's console must
// show the default guest's shell prompt, answer a typed `echo $((6*7))` with 42,
// and the page's "Save state" button must get a snapshot from the worker; with
// ?hda= a graphical guest booted by SeaBIOS must get mountMachine's VGA screen,
// which must pass it the keyboard and the mouse.

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ROOT, IMAGES, ensureImages, type Manifest } from "../system/serial-guest";
import { installPackedPackage } from "../system/packed";

const PORT = 4320; // page.test.ts uses 4317, httpdisk.test.ts 4318, states.test.ts 4319
const BOOT_TIMEOUT_MS = 300_000;

let dir: string;
let manifest: Manifest;
let server: ChildProcess | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  manifest = ensureImages();
  dir = mkdtempSync(join(tmpdir(), "ringzero-embed-page-"));
  installPackedPackage(dir);
  for (const f of ["index.html", "main.ts", "vite.config.ts"]) copyFileSync(join(ROOT, "examples/embed", f), join(dir, f));
  // The project's Vite (a devDependency of the example), and the guest images as its public/images/.
  symlinkSync(join(ROOT, "node_modules/vite"), join(dir, "node_modules/vite"));
  mkdirSync(join(dir, "public"));
  symlinkSync(IMAGES, join(dir, "public/images"));
  // A graphical guest for the screen: a disk SeaBIOS boots (tests/e2e/vgainput.test.ts has the page's test of it).
  execFileSync("nasm", ["-f", "bin", "-o", join(dir, "public/vga_input.img"), join(ROOT, "tests/e2e/vga_input.asm")]);
  const vite = join(ROOT, "node_modules/.bin/vite");
  execFileSync(vite, ["build", "--logLevel", "warn"], { cwd: dir, stdio: "inherit" });
  // Its own process group, so that it can be ended with its children.
  server = spawn(vite, ["preview", "--port", String(PORT), "--strictPort"], { cwd: dir, stdio: "ignore", detached: true });
  for (let i = 0; ; i++) {
    try { if ((await fetch(`http://127.0.0.1:${PORT}/`)).ok) break; } catch { /* not up yet */ }
    if (i === 100 || server.exitCode !== null) throw new Error(`vite preview did not start on port ${PORT}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (server?.pid) process.kill(-server.pid, "SIGTERM");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A new page at `path`, and a wait for text in mountMachine's console (xterm.js's rows). */
async function openPage(path: string) {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${PORT}${path}`);
  const rows = () => page.evaluate(() => [...document.querySelectorAll(".ringzero-console .xterm-rows > div")].map((d) => d.textContent ?? "").join("\n"));
  const waitFor = async (re: RegExp, ms: number) => {
    const end = Date.now() + ms;
    let text = "";
    while (Date.now() < end) {
      text = await rows();
      if (re.test(text)) return text;
      await page.waitForTimeout(200);
    }
    throw new Error(`timed out waiting for ${re}; the console ends with:\n${text.slice(-1500)}\npage errors: ${errors.join("; ")}`);
  };
  return { page, errors, waitFor };
}

test("mountMachine boots the default guest in a page, takes typed input, shows its GDT, IDT and page walk, and saves a state", async () => {
  const { page, errors, waitFor } = await openPage("/");
  await waitFor(new RegExp(manifest.prompt.trim()), BOOT_TIMEOUT_MS);
  await page.click(".xterm");
  await page.keyboard.type("echo $((6*7))\n");
  await waitFor(/^42\s*$/m, 30_000);
  // The lab bench through the worker: Linux's kernel code segment (GDT entry 12)
  // and its int $0x80 gate (DPL 3), the page walk of the kernel's EIP, memory.
  const bench = await page.evaluate(async () => {
    const m = (globalThis as any).machine;
    await m.pause();
    const r = await m.registers();
    const [gdt, idt, walk, code, events] = [await m.gdt(), await m.idt(), await m.translate(r.eip), await m.readMemory(r.eip, 8), await m.events()];
    await m.start();
    const noRead = await m.readMemory(0x10, 4).then(() => "read", (e: Error) => e.message);
    return { cs: gdt[12].selector, gate80: idt[0x80].dpl, gate80cs: idt[0x80].selector, vector: idt[0x80].vector, eip: r.eip, physical: walk.physical, code: code.length,
      ring: events.some((e: { kind: string; to?: number }) => e.kind === "ring" && typeof e.to === "number"), noRead };
  });
  // The shapes of the page's window.ringzero (README, "The lab scripting API"): the gate's selector is __KERNEL_CS.
  expect(bench).toMatchObject({ cs: 0x60, gate80: 3, gate80cs: 0x60, vector: 0x80, code: 8, ring: true });
  expect(bench.noRead).toMatch(/^read\(0x00000010, 4\): linear 0x00000010 is not mapped: #PF error 0x0: (PDE|PTE) not present$/);
  expect(bench.physical).toBe(bench.eip - 0xc0000000);
  await page.click("#save");
  await page.waitForFunction(() => /^saved \d+ bytes/.test(document.getElementById("status")?.textContent ?? ""), undefined, { timeout: 60_000 });
  // As in the page (web/ui/cursor.ts): the cursor stops blinking 10 s after the
  // last key or output, and a key starts it again.
  await page.click(".xterm");
  await page.waitForFunction(() => document.querySelector(".ringzero-console .xterm-cursor") !== null && document.querySelector(".ringzero-console .xterm-cursor-blink") === null, undefined, { timeout: 15_000 });
  await page.keyboard.type("x");
  await page.waitForFunction(() => document.querySelector(".ringzero-console .xterm-cursor-blink") !== null, undefined, { timeout: 5_000 });
  await page.keyboard.press("Backspace");
  expect(errors).toEqual([]);
}, BOOT_TIMEOUT_MS + 120_000);

test("mountMachine shows the VGA screen when the guest leaves text mode, and its keyboard and mouse reach the guest", async () => {
  const { page, errors, waitFor } = await openPage("/?hda=/vga_input.img");
  await waitFor(/vga-input ready/, 120_000);
  // vga_input.asm sets VBE mode 118h (1024x768) and draws bands: the screen
  // replaces the console by itself, at the guest's resolution, and is not blank.
  await page.waitForFunction(() => {
    const c = document.querySelector<HTMLCanvasElement>("canvas.ringzero-screen");
    return !!c && !c.hidden && c.width === 1024 && c.height === 768 && document.querySelector<HTMLElement>(".ringzero-console")!.hidden;
  }, null, { timeout: 30_000 });
  const lit = await page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>("canvas.ringzero-screen")!;
    const d = c.getContext("2d")!.getImageData(0, 700, 1024, 1).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) n += d[i] | d[i + 1] | d[i + 2] ? 1 : 0;
    return n;
  });
  expect(lit).toBe(1024);
  // The console is hidden now, and xterm.js does not render a hidden terminal:
  // the guest's reports are read from the machine's serial output instead.
  await page.evaluate(() => {
    const g = globalThis as unknown as { machine: { onSerial(f: (b: Uint8Array) => void): void }; serialText: string };
    g.serialText = "";
    g.machine.onSerial((b) => { g.serialText += new TextDecoder("latin1").decode(b); });
  });
  const serial = async (pattern: string, ms: number) => {
    await page.waitForFunction((src) => new RegExp(src).test((globalThis as unknown as { serialText: string }).serialText), pattern, { timeout: ms });
  };
  await page.click("canvas.ringzero-screen");
  await page.keyboard.press("KeyA");
  // Set 1 through the controller's translation: A down 1E, up 9E.
  await serial("K 1e\\s+K 9e", 15_000);
  expect(await page.evaluate(() => document.pointerLockElement?.className ?? "")).toBe("ringzero-screen");
  await page.mouse.move(300, 300);
  await page.mouse.move(340, 280, { steps: 4 });
  // A stream-mode packet's first byte has bit 3 set: 08-3F.
  await serial("M [0-3][8-9a-f]", 15_000);
  // A breakpoint on the guest's polling loop: the worker pauses on it, and the
  // machine object says so (state, onStop, EIP); start() goes on from it.
  const stop = await page.evaluate(async () => {
    const m = (globalThis as unknown as { machine: import("ringzero").RingZeroMachine }).machine;
    await m.pause();
    const eip = (await m.registers()).eip;
    const seg = (await m.registers()).segments.cs.base;
    const why = new Promise<string>((resolve) => { const off = m.onStop((w) => { off(); resolve(w); }); });
    await m.addBreakpoint(seg + eip);
    await m.start();
    const said = await why;
    const at = { state: m.state, eip: (await m.registers()).eip };
    await m.removeBreakpoint(seg + eip);
    await m.start();
    return { said, at, linear: seg + eip, eip, after: m.state };
  });
  expect(stop.said).toBe(`breakpoint at 0x${stop.linear.toString(16).padStart(8, "0")}`);
  expect(stop.at).toEqual({ state: "paused", eip: stop.eip });
  expect(stop.after).toBe("running");
  expect(errors).toEqual([]);
}, 300_000);
