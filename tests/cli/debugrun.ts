// Shared by gdb.test.ts and monitor.test.ts: the debugging ROM (tests/guest/gdb.asm)
// with its symbol map, and RingZero and qemu-system-i386 started on it the same way;
// by reverse.test.ts and reversesrc.test.ts: a recording replayed under gdb, and
// gdb's batch output cut at its marks.

import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { expect } from "vitest";
import { createServer, connect } from "node:net";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
import { OUT } from "../guest/harness";
export { OUT };

/** Build the CLI bundle and the ROM (with -DHALT when `halt`); returns the ROM path and its labels. */
export function buildDebugRom(halt: boolean): { rom: string; labels: Map<string, number> } {
  mkdirSync(OUT, { recursive: true });
  const name = halt ? "gdb-halt" : "gdb";
  const rom = join(OUT, `${name}.bin`), map = join(OUT, `${name}.map`);
  execFileSync("nasm", ["-f", "bin", "-I", join(ROOT, "tests/guest") + "/", ...(halt ? ["-DHALT"] : []),
    "--before", `[map symbols ${map}]`, "-o", rom, join(ROOT, "tests/guest/gdb.asm")]);
  const labels = new Map<string, number>();
  for (const m of readFileSync(map, "latin1").matchAll(/^\s*([0-9A-F]+)\s+[0-9A-F]+\s+(\S+)$/gm)) labels.set(m[2], parseInt(m[1], 16));
  return { rom, labels };
}

export function buildCli(): void {
  execFileSync(process.execPath, [join(ROOT, "tools/build-cli.mjs")], { cwd: ROOT });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on `port`. */
export async function waitListening(port: number, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect(port, "127.0.0.1", () => { c.destroy(); r(true); });
      c.on("error", () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export type Emulator = "ringzero" | "qemu";

/** Start an emulator on the ROM with the same flags (RingZero takes QEMU's). */
export function startEmulator(which: Emulator, rom: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess & { exited: Promise<number | null>; output: () => string } {
  const common = ["-bios", rom, "-display", "none", "-nodefaults", "-m", "128", "-cpu", "pentium2", ...args];
  const p = which === "qemu"
    ? spawn("qemu-system-i386", ["-accel", "tcg", ...common], { stdio: ["pipe", "pipe", "pipe"], env })
    : spawn(process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...common], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], env });
  let out = "";
  p.stdout!.on("data", (b: Buffer) => { out += b.toString("latin1"); });
  p.stderr!.on("data", (b: Buffer) => { out += b.toString("latin1"); });
  const exited = new Promise<number | null>((r) => p.on("exit", (code) => r(code)));
  return Object.assign(p, { exited, output: () => out });
}

/** Type `commands` into a monitor on `p`'s stdin one at a time, each after the
 *  prompt that ends the previous answer, then `quit`. All at once is not safe:
 *  QEMU 7.2 queues what a full stdout pipe will not take (info tlb is 24 KB) and
 *  a `quit` read meanwhile exits with the rest of the output unsent. */
export async function typeIntoMonitor(p: ChildProcess & { exited: Promise<unknown> }, output: () => string, commands: string[], ms = 15_000): Promise<void> {
  const prompts = () => output().split("(qemu) ").length - 1;
  const end = Date.now() + ms;
  for (const c of commands) {
    const before = prompts();
    p.stdin!.write(c + "\n");
    while (prompts() === before) {
      if (Date.now() > end) throw new Error(`the monitor never answered ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  p.stdin!.write("quit\n");
  await Promise.race([p.exited, new Promise((r) => setTimeout(r, ms))]);
}

/** Wait until `file` contains `text`. */
export async function waitForFile(file: string, text: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(existsSync(file) && readFileSync(file, "latin1").includes(text))) {
    if (Date.now() > end) throw new Error(`${file} never contained ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** gdb's output between `echo @name` and the next mark. */
export function section(out: string, name: string): string {
  const start = out.indexOf(`@${name}\n`);
  if (start < 0) throw new Error(`no section ${name} in gdb's output:\n${out}`);
  const end = out.indexOf("\n@", start + name.length + 2);
  return out.slice(start + name.length + 2, end < 0 ? undefined : end + 1);
}

/** The register lines of a section ("eax 0x... ..."), whitespace normalised. */
export function registers(out: string, name: string): string {
  return section(out, name).split("\n").filter((l) => /^(e[a-d]x|e[sd]i|e[sb]p|eip|eflags) /.test(l)).map((l) => l.replace(/\s+/g, " ")).join("\n");
}

/** EIP as `info registers` showed it in a section. */
export const eipOf = (out: string, name: string) => parseInt(/^eip +0x([0-9a-f]+)/m.exec(section(out, name))![1], 16);

// ---- a recording replayed under gdb (reverse.test.ts, reversesrc.test.ts) ----

/** A recording, what the guest printed on its debugcon meanwhile, and the instructions it counted. */
export interface Recorded { file: string; console: string; count: string }

/** Record `boot` (-bios ROM or -kernel ELF) and `args` under -icount shift=7
 *  into `file`; the guest ends through isa-debug-exit with 0. */
export function recordRun(boot: string[], args: string[], file: string, con: string): Recorded {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...boot, ...args, "-debugcon", `file:${con}`,
    "-icount", `shift=7,rr=record,rrfile=${file}`], { cwd: ROOT, encoding: "latin1", timeout: 60_000 });
  expect(r.status).toBe(1); // isa-debug-exit with 0: (0 << 1) | 1
  return { file, count: /recorded (\d+) instructions/.exec(r.stderr)![1], console: readFileSync(con, "latin1") };
}

export interface GdbReplay { port: number; process: ChildProcess; stderr(): string; exited: Promise<number | null> }

/** The recording replayed under the gdb stub, stopped before its first
 *  instruction, with checkpoints every 5000 instructions, its debugcon into
 *  `con`; resolves once the stub listens. */
export async function replayUnderGdb(boot: string[], args: string[], rec: Recorded, con: string): Promise<GdbReplay> {
  const port = await freePort();
  rmSync(con, { force: true });
  const p = spawn(process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...boot, ...args, "-debugcon", `file:${con}`,
    "-icount", `shift=7,rr=replay,rrfile=${rec.file},rrinterval=5000`, "-S", "-gdb", `tcp::${port}`], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  p.stderr!.on("data", (b: Buffer) => { stderr += b.toString("latin1"); });
  const exited = new Promise<number | null>((r) => p.on("exit", (code) => r(code)));
  try {
    await waitListening(port);
  } catch (e) {
    p.kill();
    throw e;
  }
  return { port, process: p, stderr: () => stderr, exited };
}

/** The registers the reverse tests compare, as gdb shows them. */
export const GDB_REGS = "info registers eax ebx ecx edx esi edi esp ebp eip eflags";
/** gdb commands behind a mark that section() finds in the output. */
export const mark = (name: string, ...cmds: string[]) => [`echo @${name}\\n`, ...cmds];

/** gdb in batch mode on `script` (written to `base`.gdb); returns its
 *  transcript, also kept in `base`.out to read when a test fails. */
export function runGdb(base: string, script: string[], timeout: number): string {
  writeFileSync(`${base}.gdb`, script.join("\n") + "\n");
  const g = spawnSync("sh", ["-c", `exec gdb -nx -batch -x "${base}.gdb" 2>&1`], { encoding: "latin1", timeout });
  writeFileSync(`${base}.out`, g.stdout);
  return g.stdout;
}

/** After gdb's last `continue` ran past the recording's end: the replay
 *  reached it, finished with the recording's status once gdb went away, and
 *  its console holds what the recording printed, once, whatever was replayed twice. */
export async function expectRecordedEnd(r: GdbReplay, rec: Recorded, con: string): Promise<void> {
  await new Promise((res) => setTimeout(res, 500));
  expect(r.stderr()).toContain(`replay reached the end of the recording at instruction ${rec.count}`);
  const status = await Promise.race([r.exited, new Promise<null>((res) => setTimeout(() => res(null), 20_000))]);
  expect(status).toBe(1);
  expect(r.stderr()).toContain(`replay finished at instruction ${rec.count}, as recorded`);
  expect(readFileSync(con, "latin1")).toBe(rec.console);
}
