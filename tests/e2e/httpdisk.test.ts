// The page with ?cdrom=URL read on demand (web/host/httpdisk.ts through the
// worker's synchronous XMLHttpRequest): a server on another origin (CORS) serves
// the guest's cdrom.iso followed by a 512 MiB zero tail and counts what it sends;
// the page boots it to the shell, and its status bar says how much was fetched.
// A server without Range support gets a whole download and a notice; a relative
// URL on the page's own server (Vite's, which serves ranges too) works as well.
// Debian's Chromium through playwright-core, as tests/e2e/page.test.ts.

import { test, expect, beforeAll, afterAll } from "vitest";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type Page } from "playwright-core";
import { openSite, screen, waitForText as waitForTextEvery, type Site } from "./site";
import { ImageServer } from "../system/imageserver";
import type { MachineStatus } from "../../web/protocol";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const PORT = 4318; // page.test.ts uses 4317
const BASE = `http://127.0.0.1:${PORT}/`;
const PAD = 512 << 20;
let site: Site;
let browser: Browser;
let iso: Uint8Array;
const images: ImageServer[] = [];

const waitForText = (page: Page, re: RegExp, timeoutMs: number) => waitForTextEvery(page, re, timeoutMs, 250);

beforeAll(async () => {
  site = await openSite(PORT);
  browser = site.browser;
  iso = readFileSync(join(ROOT, "public/images/cdrom.iso"));
}, 300_000);

afterAll(async () => {
  await site?.close();
  await Promise.all(images.map((s) => s.close()));
});

async function serve(pad: number): Promise<ImageServer> {
  const s = new ImageServer({ bytes: iso, size: iso.length + pad }, true);
  await s.start();
  images.push(s);
  return s;
}

const status = (page: Page) => page.evaluate(() => (globalThis as any).ringzero.status() as Promise<MachineStatus>);

test("?cdrom=URL on another origin boots to the shell over Range requests; the status bar counts the bytes", async () => {
  const srv = await serve(PAD);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    const t0 = Date.now();
    await page.goto(`${BASE}?cdrom=${encodeURIComponent(srv.url)}`);
    await waitForText(page, /ringzero# $/m, 300_000);
    console.log(`page: CD boot over HTTP to the shell in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await page.click("#terminal");
    await page.keyboard.type("uname -m\n");
    await waitForText(page, /^i686$/m, 30_000);
    const s = await status(page);
    const size = iso.length + PAD;
    expect(s.disks).toHaveLength(1);
    const d = s.disks![0];
    expect(d).toMatchObject({ name: "cdrom", size });
    console.log(`page: fetched ${d.fetched} bytes of a ${size}-byte image in ${srv.requests} requests; the server sent ${srv.served}`);
    expect(d.fetched).toBeLessThan(size / 32);
    // What the page counts is what the server sent, but for the probe's first sector.
    expect(srv.served - d.fetched).toBe(512);
    await page.waitForTimeout(600); // the status bar follows within half a second
    // The image's size in MiB with one decimal: the guest's ISO (its size
    // follows the initramfs) plus the 512 MiB tail.
    const total = (size / 2 ** 20).toFixed(1).replace(".", "\\.");
    expect(await page.textContent("#st-disks")).toMatch(new RegExp(`^cdrom: \\d+\\.\\d of ${total} MiB fetched$`));
    expect(await page.isHidden("#notice")).toBe(true);
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
}, 360_000);

test("a server without Range support: the page says so, downloads the image whole and boots it", async () => {
  const srv = await serve(0);
  srv.mode = "no-range";
  const page = await browser.newPage();
  try {
    await page.goto(`${BASE}?cdrom=${encodeURIComponent(srv.url)}`);
    await page.waitForSelector("#notice:not([hidden])", { timeout: 60_000 });
    expect(await page.textContent("#notice")).toBe(`${srv.url}: server has no Range support: downloading the whole image`);
    await waitForText(page, /Linux version/, 120_000);
    expect(srv.requests).toBe(1);
    expect((await status(page)).disks).toBeUndefined();
  } finally {
    await page.close();
  }
}, 180_000);

test("a relative ?cdrom= URL is read in ranges from the page's own server", async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${BASE}?cdrom=images/cdrom.iso`);
    await waitForText(page, /Linux version/, 120_000);
    const d = (await status(page)).disks?.[0];
    expect(d).toMatchObject({ name: "cdrom", size: iso.length });
    expect(d!.fetched).toBeGreaterThan(0);
  } finally {
    await page.close();
  }
}, 180_000);
