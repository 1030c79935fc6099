// End to end: a graphical guest in the page takes the keyboard and the mouse
// from the VGA screen. vga_input.asm (a disk image, booted by SeaBIOS from the
// page's ?hda= URL) sets VBE mode 118h through the VGA BIOS and reports on its
// serial console each byte the i8042 gives it; the test waits for the page to
// switch to the VGA view by itself and show the 1024x768 picture, clicks the canvas (focus and pointer
// lock), types a key, moves the mouse, presses its button, sends Ctrl-Alt-Del from the
// toolbar, and reads the reports in xterm. A
// recorded session of the same must replay to the same reports (issue 11: every
// input the guest sees is in the recording, the mouse's too).

import { test, expect, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { openSite, screen, waitForText, ROOT, type Site } from "./site";
import { assemble } from "../guest/harness";
import { screendump } from "../guest/vgadump";
import { IMAGES } from "../system/serial-guest";

const ARTIFACTS = join(ROOT, "test-results");
const PORT = 4321;
let site: Site;

beforeAll(async () => {
  site = await openSite(PORT);
  mkdirSync(ARTIFACTS, { recursive: true });
  // Served by vite preview from the site's folder, beside the page.
  execFileSync("nasm", ["-f", "bin", "-o", join(site.outDir, "vga_input.img"), join(ROOT, "tests/e2e/vga_input.asm")]);
}, 300_000);

afterAll(async () => { await site?.close(); });

test("VBE picture on the canvas; a typed key and a mouse move reach the guest through the i8042", async () => {
  const page = await site.browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(site.base + "?hda=vga_input.img");
  await waitForText(page, /vga-input ready/, 120_000);
  // The page switches to the VGA view by itself when the guest leaves text mode.
  await page.waitForFunction(() => { const c = document.getElementById("vga") as HTMLCanvasElement; return !c.hidden && c.width === 1024 && c.height === 768; }, null, { timeout: 30_000 });
  // The bands the guest drew: the canvas is not blank.
  const lit = await page.evaluate(() => {
    const c = document.getElementById("vga") as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 700, 1024, 1).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) n += d[i] | d[i + 1] | d[i + 2] ? 1 : 0;
    return n;
  });
  expect(lit).toBe(1024);
  await page.click("#vga");
  await page.keyboard.press("KeyA");
  // Set 1 through the controller's translation: A down 1E, up 9E.
  await waitForText(page, /K 1e\s+K 9e/, 15_000);
  const locked = await page.evaluate(() => document.pointerLockElement?.id ?? "");
  expect(locked).toBe("vga");
  await page.mouse.move(300, 300);
  await page.mouse.move(340, 280, { steps: 4 });
  // A stream-mode packet's first byte has bit 3 set: 08-3F.
  const text = await waitForText(page, /M [0-3][8-9a-f]/, 15_000);
  expect(text).toMatch(/M [0-3][8-9a-f]/);
  // The left button: a packet whose first byte has bit 0 (left) with bit 3 (always 1), then one without.
  await page.mouse.down();
  await waitForText(page, /^M 09$/m, 15_000);
  await page.mouse.up();
  await waitForText(page, /^M 09$[\s\S]*^M 08$/m, 15_000);
  // The toolbar's Ctrl-Alt-Del (the pointer freed first, as a user would with Esc):
  // set 1 through the controller's translation, makes then breaks in reverse:
  // Ctrl 1D, Alt 38, Delete E0 53; Delete E0 D3, Alt B8, Ctrl 9D.
  await page.evaluate(() => document.exitPointerLock());
  await page.click("#cad");
  await waitForText(page, /K 1d\s+K 38\s+K e0\s+K 53\s+K e0\s+K d3\s+K b8\s+K 9d/, 15_000);
  await page.screenshot({ path: join(ARTIFACTS, "vga-input.png") });
  expect(errors).toEqual([]);
}, 300_000);

test("a kernel booted directly (?kernel=) writes text that the canvas draws in the VGA BIOS's font: qemu's screendump of the same kernel, pixel for pixel", async () => {
  // tests/guest/vga_kernel.asm writes all 256 characters in 16 colours over the
  // text screen the BIOS left; qemu runs SeaBIOS and its VGA BIOS before it, the
  // page loads that VGA BIOS's font (BootConfig.textFont).
  const kernel = assemble("vga_kernel");
  copyFileSync(kernel, join(site.outDir, "vga_kernel.bin"));
  const q = await screendump("qemu", join(IMAGES, "bios-256k.bin"), "vga_kernel-page", ["-kernel", kernel]);
  const head = "P6\n720 400\n255\n";
  expect(q.ppm.subarray(0, head.length).toString("latin1")).toBe(head);
  const rgb = Array.from(q.ppm.subarray(head.length));
  const page = await site.browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(site.base + "?kernel=vga_kernel.bin");
  await page.click('input[name="view"][value="vga"]');
  let differ = "";
  for (const end = Date.now() + 30_000; Date.now() < end;) {
    await page.waitForTimeout(250);
    differ = await page.evaluate((want) => {
      const c = document.getElementById("vga") as HTMLCanvasElement;
      if (c.width !== 720 || c.height !== 400) return `canvas ${c.width}x${c.height}`;
      const d = c.getContext("2d")!.getImageData(0, 0, 720, 400).data;
      let n = 0;
      for (let p = 0; p < 720 * 400; p++) if (d[p * 4] !== want[p * 3] || d[p * 4 + 1] !== want[p * 3 + 1] || d[p * 4 + 2] !== want[p * 3 + 2]) n++;
      return n ? `${n} pixels differ` : "";
    }, rgb);
    if (!differ) break;
  }
  expect(differ).toBe("");
  await page.screenshot({ path: join(ARTIFACTS, "vga-kernel.png") });
  expect(errors).toEqual([]);
}, 300_000);

test("a recording with keys and mouse moves on the screen replays to the same reports and instruction count", async () => {
  const page = await site.browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(site.base + "?hda=vga_input.img&record");
  await waitForText(page, /vga-input ready/, 120_000);
  await page.waitForFunction(() => { const c = document.getElementById("vga") as HTMLCanvasElement; return !c.hidden && c.width === 1024; }, null, { timeout: 30_000 });
  await page.click("#vga");
  await page.keyboard.press("KeyB"); // set 1: B down 30, up B0
  await waitForText(page, /K 30\s+K b0/, 15_000);
  await page.mouse.move(300, 300);
  await page.mouse.move(360, 260, { steps: 6 });
  await waitForText(page, /M [0-3][8-9a-f]/, 15_000);
  await page.waitForTimeout(500); // the last packet's report on the console
  const bytes: number[] = await page.evaluate(async () => Array.from(await (globalThis as any).ringzero.recording() as Uint8Array));
  const recorded = await screen(page);
  const packets = recorded.match(/^M [0-9a-f]{2}$/gm) ?? [];
  expect(packets.length).toBeGreaterThanOrEqual(3);
  // The end record (web/host/replay.ts): tag, u64 instruction count, i32 status, u32 CRC.
  const endCount = Number(Buffer.from(bytes).readBigUInt64LE(bytes.length - 16));
  await page.setInputFiles("#replay-file", { name: "vga-input.rzrr", mimeType: "application/octet-stream", buffer: Buffer.from(bytes) });
  await page.waitForFunction(() => document.body.dataset.session === "replayed", undefined, { timeout: 120_000 });
  expect(await page.textContent("#error")).toBe(`The replay finished at instruction ${endCount}, as recorded.`);
  expect(await screen(page)).toBe(recorded);
  expect(errors).toEqual([]);
}, 300_000);
