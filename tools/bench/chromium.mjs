// What the benchmarks that drive the page share: Debian's Chromium with the
// project's flags (never a downloaded browser), the processes it started (to
// read their CPU time from /proc), and waiting for the default guest's prompt.
import { readFileSync, readdirSync } from "node:fs";

export const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Debian's /usr/bin/chromium through playwright-core. */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_FLAGS });
}

const read = (f) => { try { return readFileSync(f, "utf8"); } catch { return undefined; } };

/** The Chromium processes this script started (descendants of this process):
 *  other users of the machine may run browsers of their own. */
export function chromiumPids() {
  const parent = new Map();
  for (const d of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    const s = read(`/proc/${d}/stat`);
    if (s) parent.set(d, s.split(") ")[1].split(" ")[1]);
  }
  const mine = (pid) => { for (let p = pid; p && p !== "0"; p = parent.get(p)) if (p === String(process.pid)) return true; return false; };
  return [...parent.keys()].filter((pid) => mine(pid) && (read(`/proc/${pid}/cmdline`) ?? "").includes("chromium"));
}

/** Wait until the page's console ends in the default guest's prompt. */
export async function waitForPrompt(page, timeoutMs = 300_000) {
  const end = Date.now() + timeoutMs;
  while (!/ringzero# $/m.test(await page.evaluate(() => globalThis.ringzero.screenText()))) {
    if (Date.now() > end) throw new Error("page: no prompt");
    await new Promise((r) => setTimeout(r, 250));
  }
}
