// End to end: build the static site, serve it with the cross-origin isolation
// headers, open it in Debian's Chromium (playwright-core, never a downloaded
// browser), wait for the guest's shell in xterm, type into it, read the answer.
// The guest's clock in the page is tests/e2e/pagetime.test.ts, which npm test
// runs on its own; this file runs beside the others.

import { test, expect, beforeAll, afterAll } from "vitest";
import { mkdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type Page } from "playwright-core";
import { openSite, screen, waitForText as waitForTextEvery, type Site } from "./site";
import { prepareRingZero, ringzeroGuest } from "../system/serial-guest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const ARTIFACTS = join(ROOT, "test-results");
const PORT = 4317;
const BASE = `http://127.0.0.1:${PORT}/`;
let site: Site;
let browser: Browser;

const waitForText = (page: Page, re: RegExp, timeoutMs: number) => waitForTextEvery(page, re, timeoutMs, 250);

beforeAll(async () => {
  site = await openSite(PORT);
  browser = site.browser;
  mkdirSync(ARTIFACTS, { recursive: true });
}, 300_000);

afterAll(async () => {
  await site?.close();
});

test("the page boots the default Linux guest to a shell, answers uname -a, pauses and resumes", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const t0 = Date.now();
  // The default page: the default guest's snapshot at its prompt (a boot from
  // power-on in the page is tests/e2e/pagetime.test.ts's, with its clock checked).
  await page.goto(BASE);
  await waitForText(page, /ringzero# $/m, 240_000);
  console.log(`page load to shell: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await page.click("#terminal");
  await page.keyboard.type("uname -a\n");
  const text = await waitForText(page, /Linux ringzero .* i686/, 30_000);
  expect(text).toMatch(/i686/);
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  const status = await page.evaluate(() => (globalThis as any).ringzero.status());
  expect(status.mode).toBe("protected");
  await page.screenshot({ path: join(ARTIFACTS, "booted-page.png") });

  // Pause: the instruction count stands still; typed input waits; resume runs it.
  await page.click("#pause");
  await page.waitForFunction(() => document.body.dataset.state === "paused");
  const before = (await page.evaluate(() => (globalThis as any).ringzero.status())).instructions;
  await page.waitForTimeout(1000);
  const after = (await page.evaluate(() => (globalThis as any).ringzero.status())).instructions;
  expect(after).toBe(before);
  await page.click("#terminal");
  await page.keyboard.type("echo $((6*7))\n");
  await page.waitForTimeout(500);
  expect(await screen(page)).not.toMatch(/^42$/m);
  await page.click("#pause"); // resume
  await waitForText(page, /^42$/m, 30_000);
  expect(errors).toEqual([]);
  await page.close();
}, 300_000);

test("the page records a session (the Record button) and saves it (Save recording), which replays from the file to the same screen; another run's settings are refused", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await page.goto(BASE);
    await waitForText(page, /ringzero# $/m, 240_000);
    // Record restarts the machine from power-on, recording (?record does the same from the start).
    await page.click("#record");
    await page.waitForFunction(() => document.getElementById("st-session")?.textContent === "● recording", undefined, { timeout: 60_000 });
    await waitForText(page, /ringzero# $/m, 240_000);
    expect(await page.textContent("#record")).toBe("Save recording");
    await page.click("#terminal");
    await page.keyboard.type("echo R$((6*7))R; cat /proc/uptime\n");
    await waitForText(page, /^R42R$/m, 30_000);
    await page.waitForTimeout(1000); // at the prompt again: nothing more is printed
    const recorded = await screen(page);
    // Save recording: the session so far, as a download.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#record")]);
    expect(download.suggestedFilename()).toMatch(/^ringzero-[\dT-]+Z\.rzrr$/);
    const bytes = readFileSync((await download.path())!);
    // The end record (web/host/replay.ts): tag, u64 instruction count, i32 status, u32 CRC.
    const endCount = bytes.readBigUInt64LE(bytes.length - 16);
    const file = { name: "session.rzrr", mimeType: "application/octet-stream", buffer: bytes };

    // The Replay button's file picker: the same images, the recorded calls, no input.
    await page.setInputFiles("#replay-file", file);
    await page.waitForFunction(() => document.body.dataset.session === "replayed", undefined, { timeout: 240_000 });
    expect(await page.textContent("#error")).toBe(`The replay finished at instruction ${endCount}, as recorded.`);
    expect(await screen(page)).toBe(recorded);

    // Another memory size: refused, naming the setting.
    await page.goto(BASE + "?mem=64");
    await page.setInputFiles("#replay-file", file);
    await page.waitForSelector("#error:not([hidden])", { timeout: 60_000 });
    expect(await page.textContent("#error")).toBe('replay file session.rzrr: recorded with -m "128", this run has -m "64"');
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
}, 600_000);

test("the inspector and the lab API show Linux from the inside: registers, GDT, IDT, a page walk, memory, a breakpoint and a step", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const rz = <T>(f: string, ...args: unknown[]) => page.evaluate(([f, args]) => (globalThis as any).ringzero[f as string](...(args as unknown[])), [f, args] as const) as Promise<T>;
  try {
    await page.goto(BASE);
    await waitForText(page, /ringzero# $/m, 240_000);
    await page.keyboard.press("F9"); // the inspector opens
    await page.waitForSelector("#inspector:not([hidden])");
    // Paused in the idle loop (HLT), as the checks below expect: once the page
    // says the guest is idle, a pause almost always finds it halted; on a busy
    // host it may catch a timer interrupt's work instead, so it tries again.
    let r: any;
    for (let tries = 0; ; tries++) {
      await page.waitForFunction(() => document.body.dataset.idle === "true", undefined, { timeout: 60_000 });
      await rz("pause");
      await page.waitForFunction(() => document.body.dataset.state === "paused");
      r = await rz<any>("registers");
      if (r.extra.halted || tries === 20) break;
      await rz("resume");
      await page.waitForFunction(() => document.body.dataset.state !== "paused");
    }
    // The names at top level, numbers (selectors for the segment registers), and the mode as the status bar says it.
    const names = ["eax", "ebx", "ecx", "edx", "esi", "edi", "esp", "ebp", "eip", "eflags", "cs", "ds", "es", "fs", "gs", "ss", "cr0", "cr2", "cr3", "cr4", "cpl"];
    for (const n of names) expect(typeof r[n], n).toBe("number");
    expect(Object.keys(r).sort()).toEqual([...names, "mode", "segments", "extra"].sort());
    expect(r.mode).toBe("protected");
    expect(r.mode).toBe((await rz<any>("status")).mode);
    // Linux i386 (arch/x86/include/asm/segment.h): __KERNEL_CS is GDT entry 12 (0x60), __KERNEL_DS entry 13 (0x68), flat; idle in ring 0.
    expect(r).toMatchObject({ cs: 0x60, ss: 0x68, cpl: 0 });
    expect(r.segments.cs).toMatchObject({ selector: 0x60, base: 0, limit: 0xffffffff, valid: true });
    expect((r.cr0 & 0x80000001) >>> 0).toBe(0x80000001);
    const gdt = await rz<any[]>("gdt");
    // SDM vol. 3 table 3-1: type 0xA/0xB is code, execute/read (0xB: accessed); 0x2/0x3 data, read/write.
    expect(gdt[12]).toMatchObject({ index: 12, selector: 0x60, base: 0, limit: 0xffffffff, dpl: 0, present: true, system: false });
    expect(gdt[12].type & 0xe).toBe(0xa);
    expect(gdt[12].kind).toMatch(/^code 32-bit, readable/);
    expect(gdt[14]).toMatchObject({ index: 14, selector: 0x70, dpl: 3, present: true }); // __USER_CS is 0x73: entry 14, RPL 3
    expect(gdt[14].type & 0xe).toBe(0xa);
    expect(gdt[15]).toMatchObject({ index: 15, selector: 0x78, dpl: 3 }); // __USER_DS 0x7b
    expect(gdt[15].type & 0xe).toBe(0x2);
    expect(gdt[0]).toMatchObject({ index: 0, selector: 0, base: 0, limit: 0, present: false, kind: "null" });
    const idt = await rz<any[]>("idt");
    // Linux 6.1 arch/x86/kernel/idt.c: the exception and system-call gates are interrupt
    // gates (INTG, SYSG: type 0xE) into __KERNEL_CS (#DF alone is a task gate on i386).
    expect(idt[14]).toMatchObject({ vector: 14, selector: 0x60, type: 0xe, dpl: 0, present: true, kind: "32-bit interrupt gate" }); // #PF
    // int $0x80: SYSG(IA32_SYSCALL_VECTOR, entry_INT80_32), an interrupt gate with DPL 3 (reachable from ring 3)
    expect(idt[0x80]).toMatchObject({ vector: 0x80, selector: 0x60, type: 0xe, dpl: 3, present: true, kind: "32-bit interrupt gate" });
    // The handlers are kernel text, at or above PAGE_OFFSET (0xC0000000).
    expect(idt[0x80].offset).toBeGreaterThanOrEqual(0xc0000000);
    expect(idt[14].offset).toBeGreaterThanOrEqual(0xc0000000);
    // The page walk of the kernel's EIP: the direct map at 0xC0000000, supervisor only.
    const walk = await rz<any>("translate", r.eip);
    expect(walk.physical).toBe(r.eip - 0xc0000000);
    expect(walk.fault).toBeUndefined();
    expect(walk.steps.length).toBeGreaterThan(0);
    expect(walk.faults.read).toBeNull();
    expect(walk.faults.userRead).toBe(0x5); // present, read, user
    const [lin, phys] = [await rz<Uint8Array>("read", r.eip - 16, 32), await rz<Uint8Array>("read", r.eip - 16 - 0xc0000000, 32, { physical: true })];
    expect(Array.from(lin)).toEqual(Array.from(phys));
    // Page 0 is mapped in no address space: Linux keeps user mappings above
    // vm.mmap_min_addr (Debian: 64 KiB) and the kernel's at PAGE_OFFSET. The walk
    // names the #PF a supervisor read would raise: not present (P clear), read (W/R clear), CPL 0 (U/S clear).
    const none = await rz<any>("translate", 0);
    expect(none.physical).toBeUndefined();
    expect(none.fault).toMatchObject({ vector: 14, errorCode: 0, cr2: 0 });
    expect(none.fault.message).toMatch(/^#PF error 0x0: (PDE|PTE) not present$/);
    // A read there is an error naming the address and the fault, not an empty array.
    const noRead = await page.evaluate(() => (globalThis as any).ringzero.read(0x10, 4).then(() => "read", (e: Error) => e.message));
    expect(noRead).toMatch(/^read\(0x00000010, 4\): linear 0x00000010 is not mapped: #PF error 0x0: (PDE|PTE) not present$/);
    // Disassembly from EIP (the map-driven disassembler; tests/unit/disasm.test.ts checks it against ndisasm).
    const dis = await rz<any>("disassemble");
    expect(dis.bits).toBe(32);
    expect(dis.lines[0].address).toBe(r.eip);
    expect(dis.lines[0].text).not.toBe("(bad)");
    await page.waitForSelector("#i-code tr.eip");
    // The idle loop: a breakpoint where the CPU goes on after its next interrupt.
    expect(r.extra.halted).toBe(true);
    expect(await rz("addBreakpoint", r.eip)).toBeNull();
    await rz("resume");
    const at = `breakpoint at 0x${r.eip.toString(16).padStart(8, "0")}`;
    await page.waitForFunction((at) => document.getElementById("i-stop")?.textContent === at, at, { timeout: 30_000 });
    const before = await rz<any>("status");
    expect(await rz("step", 1)).toBeNull();
    const after = await rz<any>("status");
    expect(after.instructions).toBe(before.instructions + 1);
    expect((await rz<any>("registers")).eip).not.toBe(r.eip);
    // The panel's page-walk tool.
    await page.fill("#i-walk", r.eip.toString(16));
    await page.click("#i-walk-form button");
    await page.waitForFunction(() => /-> physical/.test(document.getElementById("i-walk-out")?.textContent ?? ""));
    expect(await page.textContent("#i-regs")).toMatch(/CR0=[0-9a-f]{8} \[PE .*PG\]/);
    await rz("removeBreakpoint", r.eip);
    // A write watchpoint on the dword just below the stack: the next push (or interrupt frame) writes it.
    const sp = (await rz<any>("registers")).esp;
    const watch = { address: (sp - 4) >>> 0, length: 4, kind: "write" };
    expect(await rz("addWatchpoint", watch)).toBeNull();
    await rz("resume");
    await page.waitForFunction(() => /^write watchpoint at 0x[0-9a-f]{8}$/.test(document.getElementById("i-stop")?.textContent ?? ""), undefined, { timeout: 30_000 });
    const hitAt = parseInt((await page.textContent("#i-stop"))!.slice(-8), 16);
    expect(hitAt - watch.address).toBeGreaterThanOrEqual(0);
    expect(hitAt - watch.address).toBeLessThan(4);
    await rz("removeWatchpoint", watch);
    await page.keyboard.press("F8"); // continue
    await page.click("#terminal");
    await page.keyboard.type("echo I$((6*7))I\n");
    await waitForText(page, /^I42I$/m, 30_000);

    // The event timeline: timer interrupts while idle, in instruction order.
    const events = await rz<any[]>("events", { max: 100 });
    expect(events.some((e) => e.kind === "interrupt")).toBe(true);
    for (let i = 1; i < events.length; i++) expect(events[i].instructions).toBeGreaterThanOrEqual(events[i - 1].instructions);
    // A teaching breakpoint: typing wakes the shell in ring 3, so the machine stops on a ring change.
    expect(await rz("stopOn", { kinds: ["ring"] })).toBeNull();
    await page.click("#terminal");
    await page.keyboard.type("echo E$((6*7))E\n");
    await page.waitForFunction(() => /^stopped on ring [03] -> [03] \(event \d+\)$/.test(document.getElementById("i-stop")?.textContent ?? ""), undefined, { timeout: 30_000 });
    const stopText = (await page.textContent("#i-stop"))!;
    const to = Number(/-> (\d)/.exec(stopText)![1]);
    expect((await rz<any>("registers")).cpl).toBe(to);
    const seq = Number(/event (\d+)/.exec(stopText)![1]);
    const ringEvent = (await rz<any[]>("events", { since: seq }))[0];
    expect(ringEvent).toMatchObject({ seq, kind: "ring", to, from: 3 - to, cs: expect.any(Number), eip: expect.any(Number), instructions: expect.any(Number) });
    expect(ringEvent.detail).toBeUndefined();
    expect(await page.locator("#i-events tr[data-kind=ring]").count()).toBeGreaterThan(0);
    expect(await rz("stopOn", { kinds: [] })).toBeNull();
    await page.keyboard.press("F8");
    await waitForText(page, /^E42E$/m, 30_000);
    // A breakpoint in unmapped memory (page 0, as above) is accepted, as QEMU's gdb
    // stub accepts one (it would fire once code there ran); the guest runs on unharmed.
    expect(await rz("addBreakpoint", 0)).toBeNull();
    await page.click("#terminal");
    await page.keyboard.type("echo U$((6*7))U\n");
    await waitForText(page, /^U42U$/m, 30_000);
    expect((await rz<any>("status")).state).not.toBe("paused");
    expect(await page.textContent("#i-stop")).not.toMatch(/breakpoint/);
    await rz("removeBreakpoint", 0);
    await page.screenshot({ path: join(ARTIFACTS, "inspector.png") });
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
}, 360_000);

test("a recording of the default guest made on the command line replays in the page", async () => {
  const file = join(ROOT, "build/guest/cli-session.rzrr");
  mkdirSync(dirname(file), { recursive: true });
  const vm = ringzeroGuest(prepareRingZero(), ["-nographic", "-icount", `shift=auto,rr=record,rrfile=${file}`], 60_000);
  let stdout = "";
  vm.proc.stdout.on("data", (d: Buffer) => { stdout += d.toString("latin1"); });
  try {
    // Leave with Ctrl-A x: the recording ends there (exit status 0).
    const at = await vm.waitForShell(240_000);
    await vm.run("echo CLI$((6*7))", at);
    expect(await vm.leave("\x01x")).toBe(0);
  } finally {
    vm.kill();
  }
  const page = await browser.newPage();
  try {
    await page.goto(BASE);
    await page.setInputFiles("#replay-file", file);
    await page.waitForFunction(() => document.body.dataset.session === "replayed", undefined, { timeout: 240_000 });
    expect(await page.textContent("#error")).toMatch(/^The replay finished at instruction \d+, as recorded\.$/);
    // What the CLI printed, as the page's terminal shows it.
    expect(stdout).toMatch(/^CLI42\r$/m);
    const text = await screen(page);
    expect(text).toMatch(/^ringzero# echo CLI\$\(\(6\*7\)\)$/m);
    expect(text).toMatch(/^CLI42$/m);
  } finally {
    await page.close();
  }
}, 600_000);

test("?cdrom= boots the guest's ISO through SeaBIOS in the page", async () => {
  const page = await browser.newPage();
  await page.goto(BASE + "?cdrom=/images/cdrom.iso");
  await waitForText(page, /ringzero# $/m, 300_000);
  await page.click("#terminal");
  await page.keyboard.type("cat /proc/cmdline\n");
  await waitForText(page, /^BOOT_IMAGE=\/boot\/vmlinuz /m, 30_000);
  // The VGA view shows what the BIOS and the boot loader printed on the screen.
  await page.click('input[name="view"][value="vga"]');
  const vga = await page.evaluate(async () => {
    const v = await (globalThis as any).ringzero.vgaText();
    if (!v) return "";
    let text = "";
    for (let i = 0; i < v.cells.length; i++) text += String.fromCharCode(v.cells[i] & 0xff) + ((i + 1) % v.columns ? "" : "\n");
    return text;
  });
  expect(vga).toMatch(/SeaBIOS \(version 1\.16/);
  expect(vga).toMatch(/ISOLINUX/);
  // Drawn as the VGA draws it, with the font the VGA BIOS put in plane 2: the
  // canvas holds the lab API's picture (the screendump's, which tests/guest
  // compares with qemu's) pixel for pixel, 80x25 cells of 9x16 dots.
  let diff = "";
  for (let tries = 0; tries < 20; tries++) {
    await page.waitForTimeout(250);
    diff = await page.evaluate(async () => {
      const img = await (globalThis as any).ringzero.vgaImage();
      const c = document.getElementById("vga") as HTMLCanvasElement;
      if (!img || c.width !== img.width || c.height !== img.height) return `canvas ${c.width}x${c.height}, picture ${img?.width}x${img?.height}`;
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i++) if (d[i] !== img.rgba[i]) n++;
      return n ? `${n} bytes differ` : "";
    });
    if (!diff) break;
  }
  expect(diff).toBe("");
  expect(await page.evaluate(() => { const c = document.getElementById("vga") as HTMLCanvasElement; return [c.width, c.height]; })).toEqual([720, 400]);
  await page.screenshot({ path: join(ARTIFACTS, "vga-screen.png") });
  await page.close();
}, 360_000);

test("?cpu= names the CPU as -cpu does: a Pentium II with NX has no SSE in the guest; an unknown model is the error line", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    // Another CPU than the default guest's snapshot: the default guest boots from power-on.
    await page.goto(BASE + "?cpu=pentium2,%2Bnx");
    await waitForText(page, /ringzero# $/m, 240_000);
    await page.click("#terminal");
    await page.keyboard.type("echo F$(grep -o -w -E 'sse|sse2|pni|pae|nx|mmx' /proc/cpuinfo | sort -u | tr '\\n' ' ')F; grep -c 'model name.*Pentium II' /proc/cpuinfo\n");
    const text = await waitForText(page, /^F[a-z0-9 ]*F\n1$/m, 30_000);
    expect(/^F([a-z0-9 ]*)F$/m.exec(text)![1].trim()).toBe("mmx nx pae");
    expect(errors).toEqual([]);

    await page.goto(BASE + "?cpu=athlon");
    await page.waitForSelector("#error:not([hidden])", { timeout: 60_000 });
    expect(await page.textContent("#error")).toBe('cpu=athlon: unsupported CPU model "athlon" (RingZero has pentium2, pentium3, pentium4, coreduo).');
  } finally {
    await page.close();
  }
}, 300_000);

test("?compile=thread translates and compiles the guest's hot code in a worker of its own, to the same results; an unknown value is the error line", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await page.goto(BASE + "?compile=thread");
    await waitForText(page, /ringzero# $/m, 240_000);
    await page.click("#terminal");
    // the host's MD5 of the same text is the reference
    const seq = Array.from({ length: 100_000 }, (_, i) => `${i + 1}\n`).join("");
    const md5 = createHash("md5").update(seq).digest("hex");
    await page.keyboard.type("seq 1 100000 | md5sum\n");
    await waitForText(page, new RegExp(`^${md5}  -$`, "m"), 60_000);
    const t = await page.evaluate(() => (globalThis as any).ringzero.translation()) as { stats: Record<string, number>; lost?: string };
    expect(t.lost).toBeUndefined();
    expect(t.stats.failed).toBe(0);
    // blocks went to the compile worker, and came back from it: more were
    // installed than this thread translated itself
    expect(t.stats.requested).toBeGreaterThan(50);
    expect(t.stats.blocks - t.stats.here).toBeGreaterThan(50);
    expect(t.stats.workerMs).toBeGreaterThan(0);
    expect(errors).toEqual([]);

    await page.goto(BASE + "?compile=sometimes");
    await page.waitForSelector("#error:not([hidden])", { timeout: 60_000 });
    expect(await page.textContent("#error")).toBe('compile=sometimes is not "thread" or "here".');
  } finally {
    await page.close();
  }
}, 300_000);

test("?demo=kvm boots the guest with VT-x (EPT, VPID, unrestricted guest) and runs a nested guest under Linux's KVM, whose VMCS the inspector shows; an unknown demo is the error line", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await page.goto(BASE + "?demo=kvm");
    // The page types `modprobe kvm_intel && kvm-hello -v` at the first prompt;
    // kvm-hello prints each exit (the 28 bytes of the greeting, then HLT).
    const text = await waitForText(page, /kvm-hello: the guest halted at 0x[0-9a-f]+ after 29 exits/, 300_000);
    expect(text).toContain("modprobe kvm_intel && kvm-hello -v");
    expect(text).toMatch(/kvm-hello: exit 1: IO out port 0x3f8 size 1 data 0x48 'H'/);
    expect(text).toMatch(/kvm-hello: exit 29: HLT/);

    // While KVM runs its guest, the inspector decodes the VMCS it uses (web/host/vmcs.ts).
    const rz = <T>(f: string) => page.evaluate((f) => (globalThis as any).ringzero[f](), f) as Promise<T>;
    await page.click("#terminal");
    await page.keyboard.type("kvm-hello -c 100000\n");
    let vmcs: any = null;
    for (let i = 0; i < 120 && !vmcs; i++) { await page.waitForTimeout(500); vmcs = await rz("vmcs"); }
    await rz("pause");
    vmcs = await rz<any>("vmcs");
    expect(vmcs).toMatchObject({ revision: 0x52, launched: true });
    // The demo's CPU has EPT, VPID and unrestricted guest, and kvm_intel uses
    // all three (SDM vol. 3 table 24-7: bits 1, 5, 7 of the secondary controls,
    // which primary bit 31 activates); the EPT pointer names a 4-level walk
    // (bits 5:3 = 3) of write-back memory (bits 2:0 = 6) with accessed and dirty
    // flags (bit 6), which kvm_intel takes when IA32_VMX_EPT_VPID_CAP bit 21 offers them, §24.6.11.
    const field = (name: string) => vmcs.fields.find((f: any) => f.name === name)?.value;
    expect(field("primary processor-based VM-execution controls") >>> 31).toBe(1);
    expect(field("secondary processor-based VM-execution controls") & 0xa2).toBe(0xa2);
    expect(Number(field("EPT pointer")) & 0x7f).toBe(0x5e);
    await page.keyboard.press("F9");
    await page.waitForSelector("#i-vmcs-section:not([hidden])");
    expect(await page.textContent("#i-vmcs")).toMatch(/^VMCS at [0-9a-f]{8}: revision 52h, launched/);
    await rz("resume");
    await page.click("#terminal");
    await page.keyboard.press("Control+C");
    expect(errors).toEqual([]);

    await page.goto(BASE + "?demo=nope");
    await page.waitForSelector("#error:not([hidden])", { timeout: 60_000 });
    expect(await page.textContent("#error")).toBe("demo=nope is not a demo (RingZero has: kvm, fb, lab, paint).");
  } finally {
    await page.close();
  }
}, 400_000);

test("a broken kernel image is reported to the user in plain words", async () => {
  const page = await browser.newPage();
  await page.goto(BASE + "?kernel=/images/manifest.json");
  await page.waitForSelector("#error:not([hidden])", { timeout: 60_000 });
  const msg = await page.textContent("#error");
  expect(msg).toMatch(/not a bzImage|not a Linux kernel|multiboot/i);
  await page.close();
}, 120_000);

test("a missing image is reported with its name", async () => {
  const page = await browser.newPage();
  await page.goto(BASE + "?cdrom=/images/does-not-exist.iso");
  await page.waitForSelector("#error:not([hidden])", { timeout: 60_000 });
  expect(await page.textContent("#error")).toMatch(/cdrom.*does-not-exist\.iso.*404/);
  await page.close();
}, 120_000);

