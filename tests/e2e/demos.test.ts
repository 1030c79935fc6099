// End to end, the demos: ?demo=fb, the default guest on Linux's framebuffer
// console at 1024x768x32 (vga=0x344, web/host/vbe.ts), in the built page. One
// boot: the page shows the VGA screen by itself, the kernel log is drawn on it,
// typing on the canvas reaches the shell /init starts on tty1 (`clear` leaves
// only its prompt in the top text row; a command's output comes out on the
// serial console), and a screenshot goes to test-results/. ?demo=lab, the lab
// bench's tour (tools/guest/lab/lab.asm): the page stops at the boot sector with
// the inspector open, then F8 by F8 at each event of the tour until it ends.
// ?demo=paint, VGA mode 13h (tools/guest/paint/paint.asm): keys typed on the
// canvas move its brush through the BIOS's keyboard handling.
// Also the demo gallery (public/demos.html) as the static build serves it: every
// link opens the page with a configuration the page accepts and images the build
// has; the PAE and Memtest86+ links boot (a shell on the 686-pae kernel, memtest's
// screen on the framebuffer); a link whose image is missing says which.

import { test, expect, beforeAll, afterAll } from "vitest";
import { mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { openSite, waitForText, run, ROOT, type Site } from "./site";
import { configFromUrl, demoFromUrl } from "../../web/ui/config";
import { labSymbols } from "../system/labsyms";

const ARTIFACTS = join(ROOT, "test-results");
const PORT = 4323; // page.test.ts 4317, httpdisk 4318, states 4319, embed 4320, vgainput 4321, gdbbridge 4322
let site: Site;

beforeAll(async () => {
  site = await openSite(PORT);
  mkdirSync(ARTIFACTS, { recursive: true });
}, 300_000);

afterAll(async () => { await site?.close(); });

/** The canvas's lit (non-black) pixels: how many, and the lowest and rightmost one. */
const litPixels = (page: Page) => page.evaluate(() => {
  const c = document.getElementById("vga") as HTMLCanvasElement;
  const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
  let n = 0, maxY = -1, maxX = -1;
  for (let i = 0; i < d.length; i += 4) {
    if (!(d[i] | d[i + 1] | d[i + 2])) continue;
    const p = i >> 2, x = p % c.width, y = Math.floor(p / c.width);
    n++; maxY = Math.max(maxY, y); maxX = Math.max(maxX, x);
  }
  return { n, maxY, maxX };
});

// US layout: the symbols typed with Shift, and the key each is on (capitals: Shift and the letter).
const SHIFTED: Record<string, string> = { "$": "Digit4", "(": "Digit9", ")": "Digit0", "*": "Digit8", ">": "Period", "|": "Backslash" };
/** Type `text` on the focused canvas key by key, as PS/2 make and break codes (web/ui/keymap.ts). */
async function typeKeys(page: Page, text: string): Promise<void> {
  for (const ch of text) {
    const shifted = SHIFTED[ch] ?? (/[A-Z]/.test(ch) ? `Key${ch}` : undefined);
    if (shifted) { await page.keyboard.down("Shift"); await page.keyboard.press(shifted); await page.keyboard.up("Shift"); }
    else if (ch === " ") await page.keyboard.press("Space");
    else if (ch === "-") await page.keyboard.press("Minus");
    else if (ch === "/") await page.keyboard.press("Slash");
    else if (ch === "\n") await page.keyboard.press("Enter");
    else if (/[0-9]/.test(ch)) await page.keyboard.press(`Digit${ch}`);
    else await page.keyboard.press(`Key${ch.toUpperCase()}`);
  }
}

test("?demo=fb: the framebuffer console on the canvas at 1024x768, and the keyboard reaches the shell on tty1", async () => {
  const page = await site.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(site.base + "?demo=fb");
  // The serial console still carries the kernel log and /dev/console's shell.
  await waitForText(page, /fb0: VESA VGA frame buffer device/, 240_000);
  await waitForText(page, /RINGZERO-SHELL-READY[\s\S]*ringzero# /, 120_000);
  // The page shows the VGA view for this demo; the picture is the VBE mode's.
  await page.waitForFunction(() => { const c = document.getElementById("vga") as HTMLCanvasElement; return !c.hidden && c.width === 1024 && c.height === 768; }, null, { timeout: 30_000 });
  // fbcon drew the kernel log: text over many of its 48 rows.
  await page.waitForFunction(() => {
    const c = document.getElementById("vga") as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, 1024, 768).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] | d[i + 1] | d[i + 2]) n++;
    return n > 20_000;
  }, null, { timeout: 30_000 });
  await page.screenshot({ path: join(ARTIFACTS, "fb-demo-boot.png") });

  await page.focus("#vga");
  await typeKeys(page, "clear\n");
  // Only the prompt and the cursor are left, in the first text row (16 scan lines of the 8x16 font).
  await expect.poll(() => litPixels(page), { timeout: 30_000, interval: 250 })
    .toSatisfy((l: { n: number; maxY: number; maxX: number }) => l.n > 50 && l.maxY < 16 && l.maxX < 8 * 12);
  // "ringzero# ": its "#" is in column 8 (the cursor after it blinks).
  expect((await litPixels(page)).maxX).toBeGreaterThanOrEqual(8 * 8);

  // A command typed on the screen: its output goes to the serial line, where the test reads it,
  // and the command line itself is echoed on the screen.
  await typeKeys(page, "echo fb-$((6*7)) >/dev/ttyS0\n");
  // (It lands after the serial shell's prompt: "ringzero# fb-42".)
  await waitForText(page, /ringzero# fb-42/, 30_000);
  // The shell on tty1 prints its next prompt in the second text row after the
  // command's output went to the serial line: the canvas shows it a little later.
  await expect.poll(() => litPixels(page), { timeout: 30_000, interval: 250 })
    .toSatisfy((l: { maxY: number }) => l.maxY >= 16 && l.maxY < 48);
  await page.screenshot({ path: join(ARTIFACTS, "fb-demo.png") });
  expect(errors).toEqual([]);
}, 420_000);

test("the demo gallery links every demo, each to a configuration the page accepts and images the build has", async () => {
  const res = await fetch(site.base + "demos.html");
  expect(res.status).toBe(200);
  const html = await res.text();
  const hrefs = [...html.matchAll(/<a class="demo"[^>]*href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, "&"));
  const gallery = new URL("demos.html", site.base);
  const demos = new Set<string>();
  for (const href of hrefs) {
    const url = new URL(href, gallery);
    expect(url.pathname, href).toBe("/");
    const q = url.searchParams;
    const name = q.get("demo");
    const demo = name === null ? null : await demoFromUrl(q);
    if (name !== null) { demos.add(name); expect(demo, href).not.toBeNull(); }
    const config = demo?.config ?? configFromUrl(q, url.href);
    for (const img of [config?.kernel, config?.initrd, config?.cdrom, config?.hda, config?.bios, config?.vgabios]) {
      if (!img || !("url" in img)) continue;
      const r = await fetch(new URL(img.url, url), { method: "HEAD" });
      expect(r.status, `${href}: ${img.url}`).toBe(200);
    }
  }
  expect([...demos].sort()).toEqual(["fb", "kvm", "lab", "paint"]);
  expect(hrefs).toContain("./");
  expect(hrefs.some((h) => h.includes("cdrom=images/cdrom.iso"))).toBe(true);
  expect(hrefs.some((h) => h.includes("kernel=images/memtest.bin"))).toBe(true);
}, 60_000);

test("?demo=paint: VGA mode 13h on the canvas, and arrow keys and Space typed on it steer the brush through the BIOS", async () => {
  const page = await site.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(site.base + "?demo=paint");
  // Mode 13h is 320x200 double-scanned, each pixel two wide: a 640x400 picture, as QEMU draws it.
  await page.waitForFunction(() => { const c = document.getElementById("vga") as HTMLCanvasElement; return !c.hidden && c.width === 640 && c.height === 400; }, null, { timeout: 120_000 });
  /** The colour of mode 13h pixel (x, y) on the canvas. */
  const pixel = (x: number, y: number) => page.evaluate(([x, y]) => {
    const d = (document.getElementById("vga") as HTMLCanvasElement).getContext("2d")!.getImageData(2 * x, 2 * y, 1, 1).data;
    return (d[0] << 16) | (d[1] << 8) | d[2];
  }, [x, y]);
  // The IBM VGA's default palette (which the VGA BIOS loads for mode 13h), 6-bit
  // levels widened as QEMU does: entry 15 3F,3F,3F; entry 12 3F,15,15.
  const WHITE = 0xffffff, LIGHT_RED = 0xff5757;
  // The brush starts white at (160, 100).
  await expect.poll(() => pixel(161, 101), { timeout: 60_000 }).toBe(WHITE);
  expect(await pixel(170, 101)).not.toBe(WHITE);
  await page.click("#vga");
  for (const key of ["ArrowRight", "ArrowRight", "Space", "ArrowDown"]) await page.keyboard.press(key);
  // Right twice: white at x 164 and 168; Space: light red at (168, 100); Down: light red at (168, 104).
  await expect.poll(() => pixel(169, 105), { timeout: 30_000 }).toBe(LIGHT_RED);
  expect([await pixel(165, 101), await pixel(169, 101)]).toEqual([WHITE, LIGHT_RED]);
  await page.screenshot({ path: join(ARTIFACTS, "paint-demo.png") });
  expect(errors).toEqual([]);
  await page.close();
}, 300_000);

test("the gallery's PAE link boots Debian's 686-pae kernel to a shell, and its Memtest86+ link shows memtest testing on the framebuffer", async () => {
  const page = await site.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(site.base + "demos.html");
  await Promise.all([page.waitForURL(/\?kernel=images\/bzImage-pae/), page.click("#demo-pae")]);
  await waitForText(page, /ringzero# $/m, 300_000);
  await run(page, "uname -r; for f in pae nx; do grep -qw $f /proc/cpuinfo && echo has-$f; done", /^6\.1\.\S+-686-pae\r?\nhas-pae\r?\nhas-nx\r?$/m);

  await page.goto(site.base + "demos.html");
  await Promise.all([page.waitForURL(/\?kernel=images\/memtest\.bin/), page.click("#demo-memtest")]);
  // Memtest86+ draws its 80x25 screen (8x16 characters: 640x400) centred on
  // the 1024x768 framebuffer, white on blue (as tests/system/fbcon.test.ts
  // finds in the CLI's screendump); the page shows the screen by itself.
  await page.waitForFunction(() => { const c = document.getElementById("vga") as HTMLCanvasElement; return !c.hidden && c.width === 1024 && c.height === 768; }, null, { timeout: 120_000 });
  const x0 = (1024 - 640) / 2, y0 = (768 - 400) / 2;
  await expect.poll(() => page.evaluate(([x0, y0]) => {
    const d = (document.getElementById("vga") as HTMLCanvasElement).getContext("2d")!.getImageData(0, 0, 1024, 768).data;
    const rgb = (x: number, y: number) => { const i = (y * 1024 + x) * 4; return (d[i] << 16) | (d[i + 1] << 8) | d[i + 2]; };
    const blue = rgb(x0 + 300, y0 + 260);
    const outside = [rgb(x0 - 1, y0 + 200), rgb(x0 + 640, y0 + 200), rgb(x0 + 300, y0 - 1), rgb(x0 + 300, y0 + 400)];
    return outside.every((c) => c === 0) && (blue & 0xffff00) === 0 && (blue & 0xff) > 0x80;
  }, [x0, y0]), { timeout: 120_000, interval: 500 }).toBe(true);
  await page.screenshot({ path: join(ARTIFACTS, "memtest-demo.png") });
  expect(errors).toEqual([]);
  await page.close();
}, 600_000);

test("a gallery link whose image the build lacks says which image, and where it was looked for", async () => {
  // A static build deployed without one of `npm run guest`'s images: a kernel
  // (fetched whole) and a ?demo='s disk (read in ranges).
  for (const [link, file, message] of [
    ["#demo-memtest", "memtest.bin", `Could not load the kernel image from ${site.base}images/memtest.bin: the server answered 404 Not Found.`],
    ["#demo-lab", "lab.img", "Could not load the hda image: /images/lab.img: the server answered 404 Not Found."],
  ]) {
    const img = join(site.outDir, "images", file), away = img + ".away";
    renameSync(img, away);
    const page = await site.browser.newPage();
    try {
      await page.goto(site.base + "demos.html");
      await Promise.all([page.waitForURL((u) => u.search !== ""), page.click(link)]);
      await page.waitForSelector("#error:not([hidden])", { timeout: 60_000 });
      expect(await page.textContent("#error")).toBe(message);
    } finally {
      renameSync(away, img);
      await page.close();
    }
  }
}, 120_000);

/** The machine's state as the page's lab API has it. */
const status = (page: Page) => page.evaluate(async () => {
  const rz = (globalThis as any).ringzero;
  const s = await rz.status();
  const r = await rz.registers();
  return { state: s.state as string, stop: (s.stop ?? "") as string, instructions: s.instructions as number, eip: r.eip as number, cpl: r.cpl as number, cr0: r.cr0 as number };
});

test("?demo=lab: stopped at the boot sector with the inspector open, then F8 goes from event to event to the end of the tour", async () => {
  const { sym } = labSymbols();
  const page = await site.browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(site.base + "?demo=lab");
  // Paused at the breakpoint on the boot sector's first instruction, in real mode.
  await expect.poll(() => status(page), { timeout: 60_000, interval: 200 })
    .toMatchObject({ state: "paused", stop: "breakpoint at 0x00007c00", eip: 0x7c00, cpl: 0 });
  expect((await status(page)).cr0 & 1).toBe(0);
  expect(await page.isVisible("#inspector")).toBe(true);
  // Its teaching breakpoints are ticked in the inspector.
  await expect.poll(() => page.$$eval('#i-ev-stop input:checked', (l) => l.map((i) => (i as HTMLInputElement).dataset.kind).sort()))
    .toEqual(["cr3", "exception", "interrupt", "mode", "ring", "task"]);

  // F8: each press runs to the next event of the tour (tests/system/lab.test.ts
  // checks the whole sequence at the machine; here the page's part).
  const next = async () => {
    // (Each stop names its event by number; a #PF stops with no instruction done.)
    const before = (await status(page)).stop;
    await page.keyboard.press("F8");
    await expect.poll(() => status(page), { timeout: 30_000, interval: 100 })
      .toSatisfy((s: { state: string; stop: string }) => s.state !== "running" && s.stop !== before);
    return status(page);
  };
  const pe = await next();
  expect(pe).toMatchObject({ state: "paused", eip: sym.at_protected, cpl: 0 });
  expect(pe.stop).toMatch(/^stopped on real -> protected \(CR0 0x[0-9a-f]+ -> 0x[0-9a-f]+\)/);
  expect(pe.cr0 & 1).toBe(1);
  // On to ring 3: CR3, paging, two task switches, three timer interrupts, the IRET.
  let s = pe;
  for (let i = 0; i < 8; i++) s = await next();
  expect(s).toMatchObject({ eip: sym.user, cpl: 3, stop: expect.stringMatching(/^stopped on ring 0 -> 3/) });
  await page.screenshot({ path: join(ARTIFACTS, "lab-demo.png") });
  // Then the system calls, the #PF and the #GP, to the exit call: 13 more stops.
  for (let i = 0; i < 13; i++) s = await next();
  expect(s).toMatchObject({ state: "paused", eip: sym.syscall_handler, cpl: 0 });
  await page.keyboard.press("F8");
  await waitForText(page, /The tour is over\./, 30_000);
  // Reset: the tour again, from the boot sector (SeaBIOS's mode switches do not stop it).
  await page.click("#reset");
  await expect.poll(() => status(page), { timeout: 60_000, interval: 200 })
    .toMatchObject({ state: "paused", stop: "breakpoint at 0x00007c00", eip: 0x7c00 });
  expect(await next()).toMatchObject({ state: "paused", eip: sym.at_protected, stop: expect.stringMatching(/^stopped on real -> protected/) });
  expect(errors).toEqual([]);
}, 180_000);
