// End to end: the inspector's LDT. ldt_page.asm (a disk image, booted by
// SeaBIOS from the page's ?hda= URL) loads a three-entry LDT and ES from it,
// then halts. The inspector's LDT section (hidden while LDTR is null) names
// LDTR and lists the entries, and window.ringzero.ldt() gives them in the shape
// of gdt()'s entries. The expected
// rows are worked out from the descriptors in ldt_page.asm by the SDM (vol. 3
// §3.4.5 figure 3-8, table 3-1; §3.4.2 selectors with TI set).

import { test, expect, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openSite, waitForText, ROOT, type Site } from "./site";

const ARTIFACTS = join(ROOT, "test-results");
const PORT = 4331; // page.test.ts 4317, httpdisk 4318, states 4319, embed 4320, vgainput 4321, gdbbridge 4322, demos 4323, pagerev 4327
let site: Site;

beforeAll(async () => {
  site = await openSite(PORT);
  mkdirSync(ARTIFACTS, { recursive: true });
  execFileSync("nasm", ["-f", "bin", "-o", join(site.outDir, "ldt_page.img"), join(ROOT, "tests/e2e/ldt_page.asm")]);
}, 300_000);

afterAll(async () => { await site?.close(); });

test("the inspector shows the LDT that LDTR names, and window.ringzero.ldt() its entries as gdt()'s", async () => {
  const page = await site.browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const rz = <T>(f: string) => page.evaluate((f) => (globalThis as any).ringzero[f](), f) as Promise<T>;
  await page.goto(site.base + "?hda=ldt_page.img");
  await waitForText(page, /ldt ready/, 120_000);
  await page.keyboard.press("F9");
  await page.waitForSelector("#inspector:not([hidden])");
  await rz("pause");
  await page.waitForFunction(() => document.body.dataset.state === "paused");
  await page.waitForSelector("#i-ldt-section:not([hidden])");
  // LDTR's cache: the GDT's entry 3 (18h), base where nasm put `ldt` in the boot
  // sector, limit 3 * 8 - 1.
  const [ldt, gdt] = [await rz<any[]>("ldt"), await rz<any[]>("gdt")];
  expect(gdt[3]).toMatchObject({ selector: 0x18, kind: "LDT", limit: 0x17 });
  expect(gdt[3].base).toBeGreaterThanOrEqual(0x7c00);
  expect(gdt[3].base).toBeLessThan(0x7e00);
  expect(await page.textContent("#i-ldt-title")).toBe(`LDT (LDTR 0018, base=${gdt[3].base.toString(16).padStart(8, "0")} limit=00000017)`);
  const rows = await page.$$eval("#i-ldt tr", (trs) => trs.map((tr) => [...(tr as HTMLTableRowElement).cells].map((c) => c.textContent)));
  expect(rows).toEqual([
    // P 1, DPL 3, S 1, type 1010b; D 1; base 01_0000h; limit FFFFh, G 0.
    ["0004", "code 32-bit, readable", "base=00010000 limit=0000ffff", "DPL3"],
    // type 0010b, and bit 0 set by MOV ES; G 1: FFFFFh pages = 4 GiB - 1.
    ["000c", "data 32-bit, writable, accessed", "base=00200000 limit=ffffffff", "DPL0"],
    // P 0, DPL 1, data writable, D/B 0.
    ["0014", "data 16-bit, writable", "base=00000000 limit=00000000", "DPL1 not present"],
  ]);
  expect(ldt.map((e) => e.selector)).toEqual([0x04, 0x0c, 0x14]);
  expect(ldt[1]).toMatchObject({ index: 1, base: 0x200000, limit: 0xffffffff, dpl: 0, present: true });
  // The same fields as a segment descriptor of the GDT (entry 2: flat data).
  expect(Object.keys(ldt[1]).sort()).toEqual(Object.keys(gdt[2]).sort());
  await page.$eval("#i-ldt-section", (e) => e.scrollIntoView({ block: "center" }));
  await page.screenshot({ path: join(ARTIFACTS, "inspector-ldt.png") });
  expect(errors).toEqual([]);
}, 300_000);

