// Saved states and disks as files in the page (issue 14), end to end in
// Debian's Chromium (playwright-core, as states.test.ts): a kept state's
// Download button gives a snapshot file (docs/SNAPSHOT.md: "RZSS", format 1,
// its JSON header, the CRC-32 at its end) that brings the guest back to the
// saved point by the file picker (#state-file), by a drop on the page and by
// window.ringzero.importState(blob), and the same file cut short or with a
// byte flipped is refused in the error line by a drop and by the picker; a
// disk from a picked file keeps the guest's writes across a reload, and
// Download disk gives the image as the guest sees it, which boots (dropped on the page) with those writes in it; a state of that
// machine, downloaded and loaded again, brings its disk back too, and the kept
// disk is the restored one at the next boot.
// Port 4332 (page.test.ts uses 4317, httpdisk.test.ts 4318, states.test.ts 4319).

import { test, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { type Browser, type Download, type Page } from "playwright-core";
import { openSite, screen, waitForText, ROOT, rz, run, type Site } from "./site";

const PORT = 4332;
const BASE = `http://127.0.0.1:${PORT}/`;
const PROMPT = /ringzero# $/m;
const IMAGES = join(ROOT, "public/images");
let site: Site;
let browser: Browser;
let tmp: string;

beforeAll(async () => {
  site = await openSite(PORT);
  browser = site.browser;
  tmp = mkdtempSync(join(tmpdir(), "rz-statefiles-"));
}, 300_000);

afterAll(async () => {
  await site?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The names of the states kept in this browser, once they include `name`. */
async function keptOnce(page: Page, name: string): Promise<string[]> {
  await page.waitForFunction(async (n) => (await (globalThis as any).ringzero.states()).some((s: any) => s.name === n), name, { polling: 200, timeout: 30_000 });
  return (await rz<any[]>(page, "states")).map((s) => s.name);
}

/** Files from disk as File objects in the page, in window.__picked: through a
 *  file input of the test's own (the page's handlers never see it), since 13 MB
 *  as a JSON array through playwright takes minutes. */
async function filesInPage(page: Page, paths: string[]): Promise<void> {
  await page.evaluate(() => {
    const input = Object.assign(document.createElement("input"), { type: "file", multiple: true, id: "test-files", hidden: true });
    document.body.append(input);
  });
  await page.setInputFiles("#test-files", paths);
  await page.evaluate(() => {
    const input = document.getElementById("test-files") as HTMLInputElement;
    (globalThis as any).__picked = [...input.files!];
    input.remove();
  });
}

/** Drop window.__picked on the page as a user would: dragover, then drop with a DataTransfer holding them. */
async function dropPicked(page: Page): Promise<void> {
  await page.evaluate(() => {
    const dt = new DataTransfer();
    for (const f of (globalThis as any).__picked as File[]) dt.items.add(f);
    const target = document.getElementById("terminal")!;
    target.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
    if (!document.body.classList.contains("dragging")) throw new Error("dragover did not mark the page");
    target.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
}

/** A download's bytes, saved under `name` in the test's folder. */
async function saved(d: Download, name: string): Promise<{ path: string; bytes: Buffer }> {
  const path = join(tmp, name);
  await d.saveAs(path);
  return { path, bytes: readFileSync(path) };
}

/** A snapshot file's header, after checking its layout (docs/SNAPSHOT.md "File format"). */
function snapshotHeader(b: Buffer): any {
  expect(b.subarray(0, 4).toString("latin1")).toBe("RZSS");
  expect(b.readUInt32LE(4)).toBe(1);
  const n = b.readUInt32LE(8);
  expect(12 + n + 4).toBeLessThan(b.length);
  expect(crc32(b.subarray(0, b.length - 4))).toBe(b.readUInt32LE(b.length - 4));
  const header = JSON.parse(b.subarray(12, 12 + n).toString("utf8"));
  expect(header.format).toBe(1);
  // The sections' stored bytes fill the file between the header and the CRC.
  const stored = (header.sections as any[]).reduce((s, x) => s + x.stored, 0);
  expect(12 + n + stored + 4).toBe(b.length);
  return header;
}

const NO_MARK = /^NO-3$/m;

/** The States panel's Download of kept state `name` (the panel open): its
 *  button once the tree shows it, and the download it starts. A state holds
 *  the guest's RAM, read back from IndexedDB: on a loaded 2-core CI machine
 *  (one fresh-clone run waited past 30 s) both get a minute. */
function keptDownload(page: Page, name: string) {
  const button = page.locator(`#s-tree .state[data-name="${name}"] button[data-action="download"]`);
  return button.waitFor({ timeout: 60_000 }).then(() => Promise.all([page.waitForEvent("download", { timeout: 60_000 }), button.click()]));
}

test("a kept state's Download gives a snapshot file that restores the guest by the file picker, a drop on the page and importState(blob); cut or corrupt copies are refused", async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  /** The guest has no /tmp/p (a machine that did not come from the saved state). */
  const fresh = () => run(page, "cat /tmp/p 2>/dev/null || echo NO-$((1+2))", NO_MARK);
  /** The guest is at the saved point: its console, then its file. */
  const atSavedPoint = async () => {
    await waitForText(page, /^P2P\nringzero# $/m, 30_000);
    await run(page, "cat /tmp/p; echo Q$((3+4))Q", /^Q7Q$/m);
    const text = await screen(page);
    expect(text.slice(text.lastIndexOf("cat /tmp/p"))).toMatch(/^picked-42$/m);
  };
  try {
    await page.goto(BASE); // the instant boot
    await waitForText(page, PROMPT, 120_000);
    await run(page, "echo picked-$((6*7)) > /tmp/p; echo P$((1+1))P", /^P2P$/m);
    expect(await rz<any>(page, "saveState", "picked")).toMatchObject({ name: "picked" });

    // Download: the States panel's button for the kept state.
    await page.click("#states-toggle");
    const [download] = await keptDownload(page, "picked");
    expect(download.suggestedFilename()).toBe("picked.rzstate");
    const file = await saved(download, "picked.rzstate");
    const header = snapshotHeader(file.bytes);
    expect(header).toMatchObject({ name: "picked", ramBytes: 128 * 1048576 });
    expect(header.thumbnail).toMatch(/P2P\nringzero# $/);
    expect((header.sections as any[]).map((s) => s.name)).toContain("ram");
    // Move on from the saved point, then forget the kept state: only the file has it.
    await run(page, "rm /tmp/p; echo R$((2+3))R", /^R5R$/m);
    await rz(page, "deleteState", "picked");
    expect(await rz<any[]>(page, "states")).toEqual([]);

    // (1) The file picker (States, Load file…): a fresh machine back at the saved point.
    await page.reload();
    await waitForText(page, PROMPT, 120_000);
    await fresh();
    await page.setInputFiles("#state-file", file.path);
    await atSavedPoint();
    expect(await keptOnce(page, "picked")).toEqual(["picked"]);
    expect(await page.isVisible("#error")).toBe(false);

    // (2) Dropped on the page.
    await page.reload();
    await waitForText(page, PROMPT, 120_000);
    await fresh();
    await filesInPage(page, [file.path]);
    await dropPicked(page);
    await atSavedPoint();
    expect(await keptOnce(page, "picked (2)")).toEqual(["picked", "picked (2)"]);
    expect(await page.isVisible("#error")).toBe(false);

    // (3) window.ringzero.importState with a good state, as a plain Blob (no file name).
    await page.reload();
    await waitForText(page, PROMPT, 120_000);
    await fresh();
    await filesInPage(page, [file.path]);
    const name = await page.evaluate(() => (globalThis as any).ringzero.importState(new Blob([(globalThis as any).__picked[0]])).catch((e: Error) => ({ error: e.message })));
    expect(name).toBe("picked (3)");
    await atSavedPoint();
    expect((await rz<any[]>(page, "states")).map((s) => s.name)).toEqual(["picked", "picked (2)", "picked (3)"]);
    expect(await page.isVisible("#error")).toBe(false);

    // Bad files the same ways: refused in the error line; the machine goes on and nothing kept changes.
    const cut = join(tmp, "cut.rzstate");
    writeFileSync(cut, file.bytes.subarray(0, file.bytes.length - 1000));
    const flipped = join(tmp, "flipped.rzstate");
    const f = Buffer.from(file.bytes);
    f[f.length >> 1] ^= 0x40;
    writeFileSync(flipped, f);
    await filesInPage(page, [cut]);
    await dropPicked(page);
    await page.waitForSelector("#error:not([hidden])", { timeout: 30_000 });
    expect(await page.textContent("#error")).toBe("snapshot cut.rzstate: the file is corrupt or cut short (CRC-32 mismatch)");
    await run(page, "cat /tmp/p; echo V$((4+4))V", /^V8V$/m);
    const after = await screen(page);
    expect(after.slice(after.lastIndexOf("echo V"))).toMatch(/^picked-42$/m); // unharmed, still from the state
    await page.evaluate(() => { document.getElementById("error")!.hidden = true; });
    await page.setInputFiles("#state-file", flipped);
    await page.waitForSelector("#error:not([hidden])", { timeout: 30_000 });
    expect(await page.textContent("#error")).toBe("snapshot flipped.rzstate: the file is corrupt or cut short (CRC-32 mismatch)");
    await run(page, "echo W$((4+5))W", /^W9W$/m);
    expect((await rz<any[]>(page, "states")).map((s) => s.name)).toEqual(["picked", "picked (2)", "picked (3)"]);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}, 600_000);

test("a disk from a picked file keeps the guest's writes across a reload; Download disk gives the image with them, which boots dropped on the page; a state file brings the disk back", async () => {
  const manifest = JSON.parse(readFileSync(join(IMAGES, "manifest.json"), "utf8")) as { cmdline: string };
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  /** A machine booted from power-on at its first prompt (the page's screen showed the
   *  previous machine's prompt until then), its disk mounted. */
  const mount = async (p: Page) => {
    await waitForText(p, /RINGZERO-SHELL-READY[\s\S]*ringzero# $/, 240_000);
    await run(p, "while [ ! -e /dev/sda ]; do sleep 0.2; done; mount /dev/sda /mnt && echo M-OK", /^M-OK$/m);
  };
  /** Boot your own…: the default guest's kernel and initrd with disk.img, all picked files. */
  const bootPicked = async () => {
    await page.click("#own");
    await page.setInputFiles('#own-form input[name="kernel"]', join(IMAGES, "bzImage"));
    await page.setInputFiles('#own-form input[name="initrd"]', join(IMAGES, "initrd.img"));
    await page.setInputFiles('#own-form input[name="hda"]', join(IMAGES, "disk.img"));
    await page.fill('#own-form input[name="append"]', manifest.cmdline);
    await page.click("#own-boot");
    await mount(page);
  };
  try {
    await page.goto(BASE);
    await waitForText(page, PROMPT, 120_000);
    await bootPicked();
    expect(await page.isVisible("#disk-controls")).toBe(true);
    await run(page, "echo picked-disk-$((6*7)) > /mnt/kept.txt; sync; echo S-OK", /^S-OK$/m);
    await rz(page, "flushDisk");

    await page.reload();
    await waitForText(page, PROMPT, 120_000); // the default guest again: the picked files are gone
    await bootPicked();
    expect(await page.textContent("#notice")).toMatch(/disk\.img: \d+ sectors of changes from earlier runs/);
    await run(page, "cat /mnt/kept.txt", /^picked-disk-42$/m);

    // Download disk: the image as the guest sees it now.
    await run(page, "echo second-$((5*5)) > /mnt/second.txt; sync; echo T-OK", /^T-OK$/m);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#disk-download")]);
    expect(download.suggestedFilename()).toBe("disk.img");
    const disk = await saved(download, "downloaded.img");
    const original = readFileSync(join(IMAGES, "disk.img"));
    expect(disk.bytes.length).toBe(original.length);
    expect(disk.bytes.equals(original)).toBe(false);

    // A state of this machine carries its disk's writes: downloaded, then loaded by
    // the file picker after the guest changed the disk, it brings the disk back, and
    // the kept disk is the restored one at the next boot.
    await run(page, "echo D$((8+1))D", /^D9D$/m);
    expect(await rz<any>(page, "saveState", "with disk")).toMatchObject({ name: "with disk" });
    await page.click("#states-toggle");
    const [stateDownload] = await keptDownload(page, "with disk");
    const state = await saved(stateDownload, "with disk.rzstate");
    expect(snapshotHeader(state.bytes).disks).toMatchObject([{ size: original.length }]);
    await run(page, "rm /mnt/kept.txt; echo gone > /mnt/gone.txt; sync; echo G-OK", /^G-OK$/m);
    await page.setInputFiles("#state-file", state.path);
    await waitForText(page, /^D9D\nringzero# $/m, 30_000);
    await run(page, "ls /mnt; cat /mnt/kept.txt; echo L-OK", /^L-OK$/m);
    let text = await screen(page);
    let out = text.slice(text.lastIndexOf("ls /mnt"));
    expect(out).toMatch(/^picked-disk-42$/m);
    expect(out).toMatch(/second\.txt/);
    expect(out).not.toMatch(/gone\.txt/);
    expect(await keptOnce(page, "with disk (2)")).toEqual(["with disk", "with disk (2)"]);
    await rz(page, "flushDisk");
    await page.reload();
    await waitForText(page, PROMPT, 120_000);
    await bootPicked();
    await run(page, "ls /mnt; cat /mnt/kept.txt; echo N-OK", /^N-OK$/m);
    text = await screen(page);
    out = text.slice(text.lastIndexOf("ls /mnt"));
    expect(out).toMatch(/^picked-disk-42$/m);
    expect(out).toMatch(/second\.txt/);
    expect(out).not.toMatch(/gone\.txt/);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }

  // The downloaded image, dropped on a page in a new browser profile (nothing kept
  // there) with the kernel and initrd: its files are the ones the guest wrote.
  const dir = mkdtempSync(join(tmp, "drop-"));
  const dropped = join(dir, "disk.img");
  renameSync(join(tmp, "downloaded.img"), dropped);
  const other = await browser.newContext();
  const page2 = await other.newPage();
  const errors2: string[] = [];
  page2.on("pageerror", (e) => errors2.push(e.message));
  try {
    await page2.goto(BASE);
    await waitForText(page2, PROMPT, 120_000);
    await filesInPage(page2, [join(IMAGES, "bzImage"), join(IMAGES, "initrd.img"), dropped]);
    await dropPicked(page2);
    await mount(page2);
    expect(await page2.isVisible("#disk-controls")).toBe(true);
    await run(page2, "cat /mnt/kept.txt /mnt/second.txt /mnt/hello.txt; echo K-OK", /^K-OK$/m);
    const text = await screen(page2);
    const out = text.slice(text.lastIndexOf("cat /mnt/kept.txt"));
    expect(out).toMatch(/^picked-disk-42\nsecond-25\nHello from the RingZero data disk\.$/m);
    expect(await page2.textContent("#notice")).not.toMatch(/changes from earlier runs/);
    expect(errors2).toEqual([]);
  } finally {
    await other.close();
  }
}, 900_000);
