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

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, test, expect } from "vitest";
import { buildCli, section, registers, recordRun, replayUnderGdb, runGdb, expectRecordedEnd, mark, GDB_REGS, ROOT, OUT as GUEST_OUT, type Recorded } from "./debugrun";

const OUT = join(GUEST_OUT, "reversesrc");
const SRC = join(ROOT, "tests/guest/revsrc.c");
const ARGS = ["-display", "none", "-nodefaults", "-m", "4", "-cpu", "pentium2", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"];
/** next/reverse-next pairs: three rounds of the loop's six lines. */
const STEPS = 18;
let elf = "";
let recorded: Recorded;

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
  recorded = recordRun(["-kernel", elf], ARGS, join(OUT, "revsrc.rr"), join(OUT, "record-con.txt"));
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
  const con = join(OUT, "replay-con.txt");
  const replay = await replayUnderGdb(["-kernel", elf], ARGS, recorded, con);
  try {
    const regs = GDB_REGS;
    const toCall = ["while *(unsigned char *)$pc != 0xe8", "stepi", "end"]; // on to the next CALL rel32
    const loopTop = lineOf("unsigned sq = square(i);");
    const script = [
      "set confirm off", "set pagination off",
      `file ${elf}`, `target remote :${replay.port}`,
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
    const out = runGdb(join(OUT, "reversesrc"), script, 150_000);

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
    await expectRecordedEnd(replay, recorded, con);
  } finally {
    replay.process.kill();
  }
}, 240_000);
