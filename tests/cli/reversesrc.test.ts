// Source-level reverse execution of a replay under gdb (reverse-next,
// reverse-step, reverse-finish: gdb builds them from the stub's bs and bc with
// the guest's DWARF line table and frames). tests/guest/revsrc.c, a C program
// built with Debian's gcc into a Multiboot ELF kernel, is recorded with the
// 8254 interrupting every round of its loop, then replayed under Debian's gdb
// with checkpoints every 5000 instructions. The references are gdb's own
// forward stops in the same session and the C source: each reverse-next stops
// on the line and with the registers of the forward next it undoes, never
// inside a callee; reverse-step goes back into the last line of a callee,
// reverse-finish to the call; going on to the end gives the recorded console
// output and instruction count.

import { execFileSync, spawnSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, test, expect } from "vitest";
import { buildCli, freePort, waitListening, section, registers, ROOT, OUT as GUEST_OUT } from "./debugrun";

const OUT = join(GUEST_OUT, "reversesrc");
const SRC = join(ROOT, "tests/guest/revsrc.c");
const ARGS = ["-display", "none", "-nodefaults", "-m", "4", "-cpu", "pentium2", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"];
/** next/reverse-next pairs: three rounds of the loop's six lines. */
const STEPS = 18;
let elf = "", recording = "", console0 = "", recordedCount = "";

/** The source line that holds `text` (the C file is the reference for where gdb stops). */
const source = readFileSync(SRC, "latin1").split("\n");
function lineOf(text: string): number {
  const i = source.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`${text} is not in ${SRC}`);
  return i + 1;
}

beforeAll(() => {
  buildCli();
  mkdirSync(OUT, { recursive: true });
  elf = join(OUT, "revsrc.elf");
  // -gno-column-info: one line-table row per line (see revsrc.c's opening).
  execFileSync("gcc", ["-m32", "-g", "-gno-column-info", "-O0", "-ffreestanding", "-fno-pic", "-nostdlib", "-static",
    "-fno-asynchronous-unwind-tables", "-Wl,--build-id=none,--no-warn-rwx-segments", "-T", join(ROOT, "tests/guest/revsrc.ld"), "-o", elf, SRC]);
  recording = join(OUT, "revsrc.rr");
  const con = join(OUT, "record-con.txt");
  const r = spawnSync(process.execPath, [join(ROOT, "bin/ringzero.mjs"), "-kernel", elf, ...ARGS, "-debugcon", `file:${con}`,
    "-icount", `shift=7,rr=record,rrfile=${recording}`], { cwd: ROOT, encoding: "latin1", timeout: 60_000 });
  expect(r.status).toBe(1); // isa-debug-exit with 0: (0 << 1) | 1
  recordedCount = /recorded (\d+) instructions/.exec(r.stderr)![1];
  console0 = readFileSync(con, "latin1");
});

/** The source line of the stop a section starts with ("171\t    unsigned sq = ...",
 *  or "0x0010027a\t174\t..." in the middle of a line). */
function lineAt(out: string, name: string): number {
  const m = /^(?:0x[0-9a-f]+\t)?(\d+)\t/m.exec(section(out, name));
  if (!m) throw new Error(`no source line in section ${name}:\n${section(out, name)}`);
  return parseInt(m[1], 10);
}
/** The function EIP is in, from `info registers` ("0x100255 <kmain+27>"). */
const functionAt = (out: string, name: string) => /^eip +0x[0-9a-f]+ +0x[0-9a-f]+ <(\w+)[+>]/m.exec(section(out, name))![1];
/** The guest's tick count as `print ticks` showed it. */
const ticksAt = (out: string, name: string) => parseInt(/^\$\d+ = (\d+)$/m.exec(section(out, name))![1], 10);

test("next and reverse-next over calls and interrupts, reverse-step into callees, reverse-finish, then on to the recorded end", async () => {
  const port = await freePort();
  const con = join(OUT, "replay-con.txt");
  rmSync(con, { force: true });
  const p = spawn(process.execPath, [join(ROOT, "bin/ringzero.mjs"), "-kernel", elf, ...ARGS, "-debugcon", `file:${con}`,
    "-icount", `shift=7,rr=replay,rrfile=${recording},rrinterval=5000`, "-S", "-gdb", `tcp::${port}`], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  p.stderr!.on("data", (b: Buffer) => { stderr += b.toString("latin1"); });
  const exited = new Promise<number | null>((r) => p.on("exit", (code) => r(code)));
  try {
    await waitListening(port);
    const regs = "info registers eax ebx ecx edx esi edi esp ebp eip eflags";
    const mark = (name: string, ...cmds: string[]) => [`echo @${name}\\n`, ...cmds];
    const toCall = ["while *(unsigned char *)$pc != 0xe8", "stepi", "end"]; // on to the next CALL rel32
    const loopTop = lineOf("unsigned sq = square(i);");
    const script = [
      "set confirm off", "set pagination off",
      `file ${elf}`, `target remote :${port}`,
      `break revsrc.c:${loopTop} if i == 5`, ...mark("f0", "continue", "delete", regs, "print ticks"),
      ...Array.from({ length: STEPS }, (_, k) => mark(`f${k + 1}`, "next", regs, "print ticks")).flat(),
      ...Array.from({ length: STEPS }, (_, k) => mark(`r${STEPS - 1 - k}`, "reverse-next", regs, "print ticks")).flat(),
      // into kmain's call of mix, mix's of square, and out again, forwards ...
      ...mark("g", "next", "next", "next"), ...toCall, ...mark("cmix", "frame", regs),
      ...mark("m1", "step", regs), ...toCall, ...mark("csq", "frame", regs),
      ...mark("q1", "step", regs), ...mark("q2", "next", regs),
      ...mark("m2", "next", regs), ...mark("m3", "next", regs), ...mark("k", "next", regs),
      // ... and backwards
      ...mark("rm3", "reverse-step", regs), ...mark("rm2", "reverse-step", regs),
      ...mark("rq2", "reverse-step", regs), ...mark("rq1", "reverse-step", regs),
      ...mark("rcsq", "reverse-finish", regs), ...mark("rcmix", "reverse-finish", regs),
      ...mark("end", "continue"),
    ];
    const file = join(OUT, "reversesrc.gdb");
    writeFileSync(file, script.join("\n") + "\n");
    const g = spawnSync("sh", ["-c", `exec gdb -nx -batch -x "${file}" 2>&1`], { encoding: "latin1", timeout: 150_000 });
    const out = g.stdout;
    writeFileSync(join(OUT, "reversesrc.out"), out); // gdb's transcript, to read when this fails

    // Forward: the loop's lines in source order, round after round (the
    // source is the reference), in kmain, with a tick in every round.
    const round = [lineOf("sum = step(sum, sq);"), lineOf("t == ticks"), lineOf("sum ^= mix(i, sum);"), lineOf("if (i % 64 == 0)"),
      lineOf("for (unsigned i = 0;"), loopTop];
    const forward = Array.from({ length: STEPS + 1 }, (_, k) => lineAt(out, `f${k}`));
    expect(forward).toEqual([loopTop, ...Array.from({ length: STEPS }, (_, k) => round[k % round.length])]);
    expect(ticksAt(out, `f${STEPS}`) - ticksAt(out, "f0")).toBe(STEPS / round.length);
    // Backward: every stop is the forward stop it undoes: line, registers,
    // the tick count in memory; never inside a callee or the interrupt handler.
    for (let k = 0; k < STEPS; k++) {
      expect(lineAt(out, `r${k}`), `r${k}`).toBe(forward[k]);
      expect(registers(out, `r${k}`), `r${k}`).toBe(registers(out, `f${k}`));
      expect(ticksAt(out, `r${k}`), `r${k}`).toBe(ticksAt(out, `f${k}`));
      expect(functionAt(out, `r${k}`)).toBe("kmain");
    }
    // The calls, forwards: mix's first line, square's, their last lines.
    expect(section(out, "m1")).toMatch(/^mix \(a=5, /m);
    expect(lineAt(out, "m1")).toBe(lineOf("unsigned s = square(a);"));
    expect(lineAt(out, "q1")).toBe(lineOf("return x * x;"));
    expect(lineAt(out, "q2")).toBe(lineOf("return x * x;") + 1); // its closing brace
    expect(lineAt(out, "m2")).toBe(lineOf("return (s << 3)"));
    expect(lineAt(out, "m3")).toBe(lineOf("return (s << 3)") + 1);
    expect(lineAt(out, "k")).toBe(lineOf("if (i % 64 == 0)"));
    // reverse-step: back into mix's last line, then square's; reverse-finish:
    // to the CALL of square in mix, then of mix in kmain, as stepi found them.
    for (const [back, fwd] of [["rm3", "m3"], ["rm2", "m2"], ["rq2", "q2"], ["rq1", "q1"], ["rcsq", "csq"], ["rcmix", "cmix"]]) {
      expect(lineAt(out, back), back).toBe(lineAt(out, fwd));
      expect(registers(out, back), back).toBe(registers(out, fwd));
    }
    expect(functionAt(out, "rcsq")).toBe("mix");
    expect(functionAt(out, "rcmix")).toBe("kmain");
    // On to the end: gdb hears of it, the replay finishes as recorded.
    expect(section(out, "end")).toContain("No more reverse-execution history.");
    await new Promise((r) => setTimeout(r, 500));
    expect(stderr).toContain(`replay reached the end of the recording at instruction ${recordedCount}`);
    const status = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
    expect(status).toBe(1);
    expect(stderr).toContain(`replay finished at instruction ${recordedCount}, as recorded`);
    expect(readFileSync(con, "latin1")).toBe(console0);
  } finally {
    p.kill();
  }
}, 240_000);
