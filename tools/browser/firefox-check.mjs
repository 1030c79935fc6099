#!/usr/bin/env node
// Firefox check of the page (not a CI test): Debian's firefox-esr, driven over
// WebDriver BiDi by puppeteer-core (playwright-core drives only its own Firefox
// build), loads the page served by `vite preview --port 4319` (after
// `npm run build`), waits for the guest's shell, types `uname -a` and reads the
// answer.  Usage: apt-get install firefox-esr; npx vite preview --port 4319 &
// node tools/browser/firefox-check.mjs
import puppeteer from "puppeteer-core";
const t0 = Date.now();
const browser = await puppeteer.launch({ browser: "firefox", executablePath: "/usr/bin/firefox-esr", headless: true });
console.log("version", await browser.version());
const page = await browser.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
await page.goto("http://127.0.0.1:4319/");
console.log("isolated", await page.evaluate(() => globalThis.crossOriginIsolated));
const screen = () => page.evaluate(() => globalThis.ringzero?.screenText?.() ?? "");
const until = async (re, ms) => { const end = Date.now() + ms; for (;;) { const s = await screen(); if (re.test(s)) return s; if (Date.now() > end) throw new Error("timeout; screen ends: " + s.slice(-500)); await new Promise((r) => setTimeout(r, 500)); } };
await until(/ringzero# $/m, 400000);
console.log("shell after", ((Date.now() - t0) / 1000).toFixed(1), "s");
await page.click("#terminal");
await page.keyboard.type("uname -a\n");
const s = await until(/Linux ringzero .* i686/, 60000);
console.log(s.split("\n").filter((l) => /Linux ringzero/.test(l)).pop());
console.log("status", JSON.stringify(await page.evaluate(() => globalThis.ringzero.status())));
await page.screenshot({ path: "test-results/firefox-page.png" });
console.log("errors", JSON.stringify(errors));
await browser.close();
if (errors.length) process.exit(1);
