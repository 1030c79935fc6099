// The npm package as a user gets it (issue 16, embedding): `npm pack` (which
// runs prepack: tools/build-package.mjs), the tarball installed into an empty
// directory without the network, and a plain Node script there that imports
// "ringzero" and boots the default guest through createMachine: it waits for
// the shell prompt on COM1, has the shell compute 6*7, and saves a snapshot,
// which must be a RingZero snapshot file ("RZSS", docs/SNAPSHOT.md) that the
// machine takes back (the shell answers 7*8 after the restore). A kernel
// that is not one is refused with the same line the installed `ringzero`
// command prints for it.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ROOT, IMAGES, ensureImages, type Manifest } from "./serial-guest";
import { installPackedPackage } from "./packed";

const BOOT_TIMEOUT_MS = 300_000;

let dir: string;
let manifest: Manifest;

beforeAll(() => {
  manifest = ensureImages();
  dir = mkdtempSync(join(tmpdir(), "ringzero-package-"));
  installPackedPackage(dir);
}, 600_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

test("the packed package holds the built wasm and the bundles, and no guest image", () => {
  const pkg = join(dir, "node_modules/ringzero");
  const files = execFileSync("find", [".", "-type", "f"], { cwd: pkg, encoding: "utf8" }).split("\n").filter(Boolean).sort();
  expect(files).toContain("./build/ringzero.wasm");
  expect(files).toContain("./build/package/node.mjs");
  expect(files).toContain("./build/package/browser.mjs");
  expect(files).toContain("./build/package/worker.mjs");
  expect(files).toContain("./build/package/index.d.ts");
  expect(files.filter((f) => /public|images|bzImage|initrd|\.iso$|\.img$|rzstate/.test(f))).toEqual([]);
  // The wasm is the one this checkout built, byte for byte.
  expect(readFileSync(join(pkg, "build/ringzero.wasm")).equals(readFileSync(join(ROOT, "build/ringzero.wasm")))).toBe(true);
});

/** Run `source` as an ES module in the install directory; its stdout. */
function runScript(name: string, source: string, timeoutMs: number): Promise<string> {
  writeFileSync(join(dir, name), source);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [name], { cwd: dir });
    let out = "", err = "";
    p.stdout.on("data", (b: Buffer) => { out += b.toString(); });
    p.stderr.on("data", (b: Buffer) => { err += b.toString(); });
    const timer = setTimeout(() => { p.kill(); reject(new Error(`${name} did not finish; stdout: ${out.slice(-2000)} stderr: ${err}`)); }, timeoutMs);
    p.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out); else reject(new Error(`${name} exited ${code}: ${err}`));
    });
  });
}

test("a Node script boots the default guest through createMachine, talks to its shell and saves a snapshot", async () => {
  const script = `
import { readFileSync } from "node:fs";
import { createMachine } from "ringzero";
const images = ${JSON.stringify(IMAGES)};
const m = await createMachine({
  memoryMB: 128,
  kernel: readFileSync(images + "/bzImage"),
  initrd: readFileSync(images + "/initrd.img"),
  append: ${JSON.stringify(manifest.cmdline)},
});
let out = "";
const seen = (re) => new Promise((resolve) => {
  const check = () => { if (re.test(out)) { off(); resolve(); } };
  const off = m.onSerial((b) => { out += Buffer.from(b).toString("latin1"); check(); });
});
const prompt = seen(new RegExp(${JSON.stringify(manifest.prompt.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))}));
await m.start();
await prompt;
const answer = seen(/echo \\$\\(\\(6\\*7\\)\\)\\r?\\n42\\r?\\n/);
m.sendSerial("echo $((6*7))\\n");
await answer;
const snap = await m.saveState();
const regs = await m.registers();
// The lab bench, paused at the prompt (the kernel's idle loop): Linux's
// descriptor tables, a page walk, memory, the timeline.
await m.pause();
const idle = await m.registers();
const gdt = await m.gdt(), idt = await m.idt();
const ldt = await m.ldt();
const walk = await m.translate(idle.eip);
const code = await m.readMemory(idle.eip, 16), codePhys = await m.readMemory(walk.physical, 16, true);
const ev = await m.events();
// Page 0 is mapped in no address space (Linux keeps user mappings above
// vm.mmap_min_addr, the kernel's at PAGE_OFFSET): the walk names its #PF, a read there rejects.
const none = await m.translate(0);
let noRead = "";
await m.readMemory(0x10, 4).then(() => { noRead = "read"; }, (e) => { noRead = e.message; });
// A step while the CPU is busy (a shell loop): one instruction runs.
m.sendSerial("i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); done\\n");
await m.start();
await new Promise((r) => setTimeout(r, 1000));
await m.pause();
const before = await m.registers();
await m.step(1);
const after = await m.registers();
const gprs = ["eax", "ebx", "ecx", "edx", "esi", "edi", "esp", "ebp"];
const bench = { eip: idle.eip, idleCs: idle.cs, mode: idle.mode, halted: idle.extra.halted, cs: gdt[12], gate80: idt[0x80], physical: walk.physical, sameBytes: Buffer.from(code).equals(Buffer.from(codePhys)) && code.length === 16,
  kinds: [...new Set(ev.map((e) => e.kind))], ring: ev.find((e) => e.kind === "ring"), none, noRead,
  busy: !before.extra.halted, stepped: after.eip !== before.eip || gprs.some((n) => after[n] !== before[n]) };
let stepWhileRunning = "";
await m.start();
try { await m.step(1); } catch (e) { stepWhileRunning = e.message; }
// The state goes back in and the shell answers again.
await m.pause();
await m.restoreState(snap);
await m.start();
const again = seen(/echo \\$\\(\\(7\\*8\\)\\)\\r?\\n56\\r?\\n/);
m.sendSerial("echo $((7*8))\\n");
await again;
await m.stop();
process.stdout.write(JSON.stringify({ magic: Buffer.from(snap.subarray(0, 4)).toString("latin1"), size: snap.length, state: m.state, cr0: regs.cr0, bench, ldt, stepWhileRunning, tail: out.slice(-200) }));
`;
  const r = JSON.parse(await runScript("boot.mjs", script, BOOT_TIMEOUT_MS)) as { magic: string; size: number; state: string; cr0: number; tail: string; stepWhileRunning: string;
    bench: { eip: number; idleCs: number; mode: string; halted: boolean; busy: boolean; cs: { index: number; selector: number; base: number; limit: number; type: number; dpl: number; kind: string };
      gate80: { vector: number; selector: number; type: number; dpl: number; kind: string }; physical: number; sameBytes: boolean; kinds: string[];
      ring: Record<string, unknown>; none: { fault: { vector: number; errorCode: number; cr2: number } }; noRead: string; stepped: boolean } };
  expect(r.tail).toMatch(/\n42\r?\n/);
  expect(r.magic).toBe("RZSS");
  // Linux runs with protection and paging on (SDM vol. 3 §2.5: CR0.PE bit 0, CR0.PG bit 31).
  expect(r.cr0 & 0x80000001).toBe(0x80000001 | 0);
  expect(r.tail).toMatch(/\n56\r?\n/);
  expect(r.state).toBe("stopped");
  // Linux i386 (arch/x86/include/asm/segment.h): __KERNEL_CS is GDT entry 12, flat,
  // ring 0; int $0x80 is an interrupt gate reachable from ring 3 (DPL 3).
  // The shapes are the page's window.ringzero's (README, "The lab scripting API").
  expect(r.bench.cs).toMatchObject({ index: 12, selector: 0x60, base: 0, limit: 0xffffffff, dpl: 0 });
  expect(r.bench.cs.type & 0xe).toBe(0xa); // code, execute/read (SDM vol. 3 table 3-1)
  expect(r.bench.cs.kind).toMatch(/^code 32-bit/);
  expect(r.bench.gate80).toMatchObject({ vector: 0x80, selector: 0x60, type: 0xe, dpl: 3, kind: "32-bit interrupt gate" });
  expect(r.bench.idleCs).toBe(0x60);
  expect(r.bench.mode).toBe("protected");
  expect(r.bench.none.fault).toMatchObject({ vector: 14, errorCode: 0, cr2: 0 });
  expect(r.bench.noRead).toMatch(/^read\(0x00000010, 4\): linear 0x00000010 is not mapped: #PF error 0x0: (PDE|PTE) not present$/);
  expect(r.bench.ring).toMatchObject({ kind: "ring", from: expect.any(Number), to: expect.any(Number) });
  expect(r.bench.ring.detail).toBeUndefined();
  // The kernel's EIP (paused at the prompt: halted in the idle loop) is in the
  // direct map at 0xC0000000 (PAGE_OFFSET); its bytes read the same linear and physical.
  expect(r.bench.halted).toBe(true);
  expect(r.bench.physical).toBe(r.bench.eip - 0xc0000000);
  expect(r.bench.sameBytes).toBe(true);
  expect(r.bench.kinds).toEqual(expect.arrayContaining(["interrupt", "ring"]));
  expect(r.bench.busy).toBe(true);
  expect(r.bench.stepped).toBe(true);
  expect(r.stepWhileRunning).toBe("pause the machine to step");
  // Linux keeps LDTR null (clear_LDT: LLDT 0) for a process with no LDT of its own.
  expect((r as typeof r & { ldt: unknown[] }).ldt).toEqual([]);
}, BOOT_TIMEOUT_MS + 10_000);

test("a snapshot the command line's migrate wrote (the default guest's, tools/guest/snapshot.mjs) restores into createMachine's machine", async () => {
  const snapshot = (JSON.parse(readFileSync(join(IMAGES, "manifest.json"), "utf8")) as { snapshot: string }).snapshot;
  const out = await runScript("restore.mjs", `
import { readFileSync } from "node:fs";
import { createMachine } from "ringzero";
const images = ${JSON.stringify(IMAGES)};
const m = await createMachine({
  memoryMB: 128,
  kernel: readFileSync(images + "/bzImage"),
  initrd: readFileSync(images + "/initrd.img"),
  append: ${JSON.stringify(manifest.cmdline)},
});
await m.restoreState(readFileSync(images + "/" + ${JSON.stringify(snapshot)}));
let out = "";
const answer = new Promise((resolve) => m.onSerial((b) => { out += Buffer.from(b).toString("latin1"); if (/\\n42\\r?\\n/.test(out)) resolve(); }));
await m.start();
m.sendSerial("echo $((6*7))\\n");
await answer;
await m.stop();
process.stdout.write(out);
`, 120_000);
  // The restored guest is at its prompt: the command runs with no boot before it.
  expect(out).not.toContain(manifest.readyMarker);
  expect(out).toMatch(/echo \$\(\(6\*7\)\)\r?\n42\r?\n/);
}, 130_000);

test("a kernel that is not a bzImage is refused with the command line's message", async () => {
  const bad = join(dir, "not-a-kernel.bin");
  writeFileSync(bad, new Uint8Array(64 * 1024).fill(0x90));
  const out = await runScript("bad.mjs", `
import { readFileSync } from "node:fs";
import { createMachine } from "ringzero";
try {
  await createMachine({ kernel: readFileSync(${JSON.stringify(bad)}) });
  process.stdout.write("accepted");
} catch (e) {
  process.stdout.write(e.message);
}
`, 60_000);
  // The installed package's own command, with the same kernel.
  let cli = "";
  try {
    execFileSync(join(dir, "node_modules/.bin/ringzero"), ["-kernel", bad, "-nographic"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    cli = (e as { stderr: string }).stderr;
  }
  expect(cli).toMatch(/^ringzero: not a bootable kernel/);
  expect(`ringzero: ${out}\n`).toBe(cli);
}, 120_000);

test("breakpoints and watchpoints pause createMachine's machine, and onStop says which (a Multiboot kernel, tests/guest/mbkernel.asm)", async () => {
  const kernel = join(dir, "mbkernel.elf");
  execFileSync("nasm", ["-f", "bin", "-o", kernel, join(ROOT, "tests/guest/mbkernel.asm")]);
  const out = await runScript("stops.mjs", `
import { readFileSync } from "node:fs";
import { createMachine } from "ringzero";
const elf = readFileSync(${JSON.stringify(kernel)});
const entry = elf.readUInt32LE(24); // e_entry
const m = await createMachine({ memoryMB: 16, kernel: elf });
const stops = [];
m.onStop((why) => stops.push(why));
const nextStop = () => new Promise((resolve) => { const off = m.onStop((why) => { off(); resolve(why); }); });
await m.addBreakpoint(entry);
let hit = nextStop();
await m.start();
await hit;
const atEntry = { state: m.state, eip: (await m.registers()).eip };
// The kernel's first instruction stores EAX: A3 moffs32 (mov [saved_eax], eax).
const insn = Buffer.from(await m.readMemory(entry, 5));
const saved = insn.readUInt32LE(1);
await m.removeBreakpoint(entry);
await m.addWatchpoint({ address: saved, length: 4, kind: "write" });
hit = nextStop();
await m.start();
await hit;
const afterWrite = { state: m.state, eip: (await m.registers()).eip, value: Buffer.from(await m.readMemory(saved, 4)).readUInt32LE(0) };
await m.removeWatchpoint({ address: saved, length: 4, kind: "write" });
let full = "";
try { for (let i = 0; i < 300; i++) await m.addBreakpoint(0x200000 + i); } catch (e) { full = e.message; }
await m.stop();
process.stdout.write(JSON.stringify({ entry, opcode: insn[0], saved, stops, atEntry, afterWrite, full }));
`, 60_000);
  const r = JSON.parse(out) as { entry: number; opcode: number; saved: number; stops: string[]; atEntry: { state: string; eip: number };
    afterWrite: { state: string; eip: number; value: number }; full: string };
  const hex = (v: number) => "0x" + v.toString(16).padStart(8, "0");
  expect(r.opcode).toBe(0xa3);
  // An execution breakpoint stops before its instruction; a data watchpoint
  // after the instruction that wrote (a trap, SDM vol. 3 §17.2.5), which leaves
  // the Multiboot magic there (Multiboot 0.6.96 §3.2: EAX = 0x2BADB002).
  expect(r.atEntry).toEqual({ state: "paused", eip: r.entry });
  expect(r.afterWrite).toEqual({ state: "paused", eip: r.entry + 5, value: 0x2badb002 });
  expect(r.stops).toEqual([`breakpoint at ${hex(r.entry)}`, `write watchpoint at ${hex(r.saved)}`]);
  expect(r.full).toBe("No room for another breakpoint (256 at most).");
}, 120_000);

test("cpu: names the model as -cpu does; one RingZero lacks is a RangeError with the command line's words", async () => {
  const out = await runScript("cpu.mjs", `
import { readFileSync } from "node:fs";
import { createMachine } from "ringzero";
const kernel = readFileSync(${JSON.stringify(IMAGES)} + "/bzImage");
const tries = ["pentium2,+nx", "athlon", "coreduo,+avx"];
const said = [];
for (const cpu of tries) {
  try {
    const m = await createMachine({ cpu, kernel });
    said.push("accepted " + m.state);
    await m.stop();
  } catch (e) {
    said.push(e.constructor.name + ": " + e.message);
  }
}
process.stdout.write(JSON.stringify(said));
`, 60_000);
  expect(JSON.parse(out)).toEqual([
    "accepted ready",
    'RangeError: cpu athlon: unsupported CPU model "athlon" (RingZero has pentium2, pentium3, pentium4, coreduo)',
    'RangeError: cpu coreduo,+avx: unsupported CPU feature "avx" (RingZero can switch pae, nx, sse, sse2, pni, vmx, vme, vmx-ept, vmx-vpid, vmx-unrestricted-guest, mce, mca)',
  ]);
}, 120_000);

test("a TypeScript user's code type-checks against the installed package's declarations (the example page, and createMachine under Node); a wrong option is a type error", () => {
  // The example page as it is (mountMachine, the lab-bench and snapshot methods),
  // and a Node program; checked with this checkout's TypeScript, resolving
  // "ringzero" through the installed package's exports as a bundler does.
  writeFileSync(join(dir, "page.ts"), readFileSync(join(ROOT, "examples/embed/main.ts")));
  writeFileSync(join(dir, "node-use.ts"), `
import { createMachine } from "ringzero";
const m = await createMachine({ memoryMB: 64, kernel: new Uint8Array(0), append: "console=ttyS0" });
const off = m.onSerial((bytes: Uint8Array) => { void bytes.length; });
m.sendSerial("ls\\n");
const eip: number = (await m.registers()).eip;
const state: Uint8Array = await m.saveState();
void [off, eip, state];
export {};
`);
  const tsconfig = (files: string[]) => JSON.stringify({
    compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", strict: true, noEmit: true, lib: ["ES2022", "DOM"], types: [] },
    files,
  });
  const tsc = (config: string) => {
    writeFileSync(join(dir, "tsconfig.check.json"), config);
    try {
      execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.check.json"], { cwd: dir, encoding: "utf8", stdio: "pipe" });
      return "";
    } catch (e) {
      return String((e as { stdout?: string }).stdout ?? e);
    }
  };
  expect(tsc(tsconfig(["page.ts", "node-use.ts"]))).toBe("");
  writeFileSync(join(dir, "wrong.ts"), `import { createMachine } from "ringzero";\nvoid createMachine({ memoryMB: "64" });\n`);
  expect(tsc(tsconfig(["wrong.ts"]))).toMatch(/wrong\.ts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
}, 120_000);
