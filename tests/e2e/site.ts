// What every end-to-end test file needs: the guest images, the page built into
// a folder of its own (dist-e2e/PORT, so files on different ports can run at
// the same time) and served by `vite preview` with its cross-origin isolation
// headers on that port, Debian's Chromium through playwright-core (never a downloaded
// browser), and a way to read the guest's screen (window.ringzero.screenText).

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

export interface Site { base: string; browser: Browser; outDir: string; close(): Promise<void> }

/** Build the page, serve it on `port` and start the browser (for a beforeAll). */
export async function openSite(port: number): Promise<Site> {
  const base = `http://127.0.0.1:${port}/`;
  execFileSync("node", ["tools/guest/ensure.mjs"], { cwd: ROOT, stdio: "inherit" });
  const outDir = join(ROOT, "dist-e2e", String(port));
  execFileSync("npx", ["vite", "build", "--logLevel", "warn", "--outDir", outDir, "--emptyOutDir"], { cwd: ROOT, stdio: "inherit" });
  // Its own process group, so that the server (a child of npx) dies with it.
  const server: ChildProcess = spawn("npx", ["vite", "preview", "--port", String(port), "--strictPort", "--outDir", outDir], { cwd: ROOT, stdio: "ignore", detached: true });
  for (let i = 0; ; i++) {
    try { if ((await fetch(base)).ok) break; } catch { /* not up yet */ }
    if (i === 100 || server.exitCode !== null) throw new Error(`vite preview did not start on port ${port} (is another server using it?)`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  return {
    base, browser, outDir,
    async close() {
      await browser.close();
      if (server.pid) process.kill(-server.pid, "SIGTERM");
    },
  };
}

/** The guest's text screen as the page's xterm shows it. */
export const screen = (page: Page) => page.evaluate(() => (globalThis as any).ringzero.screenText() as string);

/** Poll the screen until `re` matches; the error shows the screen's end. */
export async function waitForText(page: Page, re: RegExp, timeoutMs: number, everyMs = 100): Promise<string> {
  const end = Date.now() + timeoutMs;
  let text = "";
  while (Date.now() < end) {
    text = await screen(page);
    if (re.test(text)) return text;
    await page.waitForTimeout(everyMs);
  }
  throw new Error(`timed out waiting for ${re}; screen ends with:\n${text.slice(-1500)}`);
}

/** A window.ringzero call; a rejection comes back as { error: message }. */
export const rz = <T>(page: Page, f: string, ...args: unknown[]) =>
  page.evaluate(([f, args]) => Promise.resolve((globalThis as any).ringzero[f as string](...(args as unknown[]))).catch((e: Error) => ({ error: e.message })), [f, args] as const) as Promise<T>;

/** Type a command into the console and wait for a line matching `answer`. */
export async function run(page: Page, command: string, answer: RegExp, timeoutMs = 30_000): Promise<string> {
  await page.click("#terminal");
  await page.keyboard.type(`${command}\n`);
  return waitForText(page, answer, timeoutMs);
}
