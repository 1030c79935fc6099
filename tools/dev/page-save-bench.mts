// Developer aid: the page's save time (issue 14). Boots the built page at its
// instant-boot prompt in Chromium and times window.ringzero.exportState() (the
// worker's capture and encode, then the transfer) while the guest runs and while
// it is paused, and saveState() (the same plus IndexedDB). npx tsx tools/dev/page-save-bench.mts
import { openSite, waitForText } from "../../tests/e2e/site";
const site = await openSite(4330);
const page = await site.browser.newPage();
const rz = (f: string, ...a: unknown[]) => page.evaluate(([f, a]) => Promise.resolve((globalThis as any).ringzero[f as string](...(a as unknown[]))).then((x: any) => (x instanceof Blob ? x.size : x)), [f, a] as const);
await page.goto(site.base);
await waitForText(page, /ringzero# $/m, 120_000);
await page.waitForTimeout(3000);
const time = async (label: string, f: () => Promise<unknown>) => { const t = performance.now(); const r = await f(); console.log(label, Math.round(performance.now() - t), "ms", typeof r === "number" ? r : ""); };
for (let i = 0; i < 3; i++) await time("export running", () => rz("exportState"));
await rz("pause");
for (let i = 0; i < 3; i++) await time("export paused", () => rz("exportState"));
await rz("resume");
for (let i = 0; i < 3; i++) await time("saveState running", () => rz("saveState", "s" + i));
await site.close();
