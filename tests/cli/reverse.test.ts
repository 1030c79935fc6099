// Reverse execution of a replay under gdb (web/host/reverse.ts, the stub's bs
// and bc): tests/guest/reverse.asm is recorded with a timer interrupting its
// loop, then replayed under Debian's gdb with checkpoints every 5000
// instructions. The references are gdb's own forward stops in the same
// session: a reverse-stepi must give exactly the registers a stepi gave there,
// a reverse-continue the registers and memory of the earlier hit, a
// reverse-nexti the registers gdb saw at the call; going on to the end gives
// the recorded console output and instruction count.

import { execFileSync, spawnSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:net";
import { beforeAll, describe, test, expect } from "vitest";
import { buildCli, freePort, waitListening, section, registers, eipOf, recordRun, replayUnderGdb, runGdb, expectRecordedEnd, mark, GDB_REGS, ROOT, OUT as GUEST_OUT, type Recorded } from "./debugrun";

const OUT = join(GUEST_OUT, "reverse");
const ROM_BASE = 0xf0000;
let rom = "", elf = "", recording = "";
let recorded: Recorded;
let labels = new Map<string, number>();
const lin = (label: string) => ROM_BASE + labels.get(label)!;
const hex = (n: number) => "0x" + n.toString(16);


const ARGS = ["-display", "none", "-nodefaults", "-m", "2", "-cpu", "pentium2", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"];

beforeAll(() => {
  buildCli();
  mkdirSync(OUT, { recursive: true });
  rom = join(OUT, "reverse.bin");
  elf = join(OUT, "reverse.elf");
  const map = join(OUT, "reverse.map");
  execFileSync("nasm", ["-f", "bin", "-I", join(ROOT, "tests/guest") + "/", "--before", `[map symbols ${map}]`, "-o", rom, join(ROOT, "tests/guest/reverse.asm")]);
  for (const m of readFileSync(map, "latin1").matchAll(/^\s*([0-9A-F]+)\s+[0-9A-F]+\s+(\S+)$/gm)) labels.set(m[2], parseInt(m[1], 16));
  // Function symbols for gdb (its frames, hence nexti and reverse-nexti, need
  // them): the ROM as an ELF file at F0000h with rv_main, rv_mix and rv_irq0.
  const syms = ["rv_main", "rv_mix", "rv_irq0"].flatMap((n) => ["--add-symbol", `${n}=.text:0x${labels.get(n)!.toString(16)},function,global`]);
  execFileSync("objcopy", ["-I", "binary", "-O", "elf32-i386", "-B", "i386", "--rename-section", ".data=.text,code,alloc,load,readonly", ...syms, rom, join(OUT, "reverse.o")]);
  execFileSync("objcopy", ["--change-section-address", ".text=0xf0000", join(OUT, "reverse.o"), elf]);
  recording = join(OUT, "reverse.rr");
  const con = join(OUT, "record-con.txt");
  recorded = recordRun(["-bios", rom], ARGS, recording, con);
});


describe("reverse execution under gdb", () => {
  test("reverse-stepi, reverse-continue to a breakpoint and a watchpoint, reverse-nexti, the start, then on to the recorded end", async () => {
    const con = join(OUT, "replay-con.txt");
    const replay = await replayUnderGdb(["-bios", rom], ARGS, recorded, con);
    try {
      const regs = GDB_REGS;
      const script = [
        "set confirm off", "set pagination off", "set architecture i386",
        `file ${elf}`, `target remote :${replay.port}`,
        `break *${hex(lin("rv_loop") + 5)}`, // the CALL (IMUL r32,r/m32,imm8 is 3 bytes, ADD 2)
        "continue", ...mark("call1", "continue", regs), "delete",
        `break *${hex(lin("rv_store"))}`,
        ...mark("hit1", "continue", regs, "x/wx 0x40000"),
        ...mark("hit2", "continue", regs, "x/wx 0x40000"),
        ...mark("f1", "stepi", regs), ...mark("f2", "stepi", regs), ...mark("f3", "stepi", regs),
        ...mark("r2", "reverse-stepi", regs), ...mark("r1", "reverse-stepi", regs), ...mark("r0", "reverse-stepi", regs),
        ...mark("rc", "reverse-continue", regs, "x/wx 0x40000"),
        ...mark("ac", "reverse-stepi", regs),
        ...mark("rn", "reverse-nexti", regs),
        "delete",
        "watch *(int*)0x40000", ...mark("rw", "reverse-continue", regs),
        "delete",
        "watch *(int*)0x40004", ...mark("t0", "continue", regs),
        ...mark("t1", "reverse-stepi", regs), ...mark("t2", "reverse-stepi", regs), ...mark("t3", "reverse-stepi", regs), ...mark("t4", "reverse-stepi", regs),
        ...mark("u3", "stepi", regs), ...mark("u2", "stepi", regs), ...mark("u1", "stepi", regs), ...mark("u0", "stepi", regs),
        "delete",
        ...mark("begin", "reverse-continue", "info registers eip"),
        ...mark("end", "continue", "info registers eip"),
      ];
      const out = runGdb(join(OUT, "reverse"), script, 120_000);

      // reverse-stepi goes back to exactly what the forward steps showed
      expect(registers(out, "r2")).toBe(registers(out, "f2"));
      expect(registers(out, "r1")).toBe(registers(out, "f1"));
      expect(registers(out, "r0")).toBe(registers(out, "hit2"));
      expect(registers(out, "f1")).not.toBe(registers(out, "hit2"));
      // reverse-continue: the previous hit of the breakpoint, registers and memory
      expect(section(out, "rc")).toContain("Breakpoint 2,");
      expect(registers(out, "rc")).toBe(registers(out, "hit1"));
      expect(section(out, "rc").match(/0x40000:\s+(0x[0-9a-f]+)/)![1]).toBe(section(out, "hit1").match(/0x40000:\s+(0x[0-9a-f]+)/)![1]);
      // reverse-nexti from after the call: over the routine, back at the CALL as it was
      expect(eipOf(out, "ac")).toBe(lin("rv_after_call"));
      expect(registers(out, "rn")).toBe(registers(out, "call1"));
      // the write watchpoint going back: the loop's first ADD to SUM, before it ran (ECX 0)
      expect(section(out, "rw")).toMatch(/Hardware watchpoint 3: \*\(int\*\)0x40000/);
      expect(eipOf(out, "rw")).toBe(lin("rv_store"));
      expect(section(out, "rw")).toMatch(/^ecx +0x0 /m);
      // the first tick, stepped back over the interrupt's delivery and forward again
      expect(section(out, "t0")).toMatch(/Old value = 0\nNew value = 1/);
      for (const k of [1, 2, 3]) expect(registers(out, `u${k}`)).toBe(registers(out, `t${k}`));
      expect(registers(out, "u0")).toBe(registers(out, "t0"));
      const eips = [1, 2, 3, 4].map((k) => eipOf(out, `t${k}`));
      expect(eips[0]).toBe(lin("rv_irq0") + 1); // after PUSH EAX, before the INC
      expect(eips.some((e) => e < lin("rv_irq0"))).toBe(true); // the interrupted loop
      // the start of the recording: the reset vector, and gdb knows there is no more history
      expect(section(out, "begin")).toContain("No more reverse-execution history.");
      expect(eipOf(out, "begin")).toBe(0xfff0);
      expect(section(out, "end")).toContain("No more reverse-execution history.");
      // gdb went away at the end: the replay ends as a replay does
      await expectRecordedEnd(replay, recorded, con);
    } finally {
      replay.process.kill();
    }
  }, 180_000);
});

test("the gdb stub refuses a recording; a replay's rrinterval is checked", () => {
  const run = (a: string[]) => spawnSync(process.execPath, [join(ROOT, "bin/ringzero.mjs"), "-bios", rom, ...ARGS, ...a], { cwd: ROOT, encoding: "latin1", timeout: 30_000 });
  let r = run(["-icount", `shift=7,rr=record,rrfile=${join(OUT, "x.rr")}`, "-s"]);
  expect(r.status).toBe(2);
  expect(r.stderr.trim()).toBe("ringzero: -icount rr=record: the gdb stub cannot be used while recording (it can change the machine); debug the replay (rr=replay with -s or -gdb)");
  r = run(["-icount", `shift=7,rr=replay,rrfile=${recording},rrinterval=0`, "-s"]);
  expect(r.stderr.trim()).toMatch(/rrinterval must be a number of instructions from 1 to 2\^40$/);
});

/** A few packets by hand: replies in order (acks dropped). A body ending in
 *  "\x03" is sent with a Ctrl-C right behind it, in the same write. */
async function rsp(port: number, packets: string[]): Promise<string[]> {
  const sock = connect(port, "127.0.0.1");
  await new Promise((r) => sock.once("connect", r));
  let buf = "";
  sock.on("data", (b: Buffer) => { buf += b.toString("latin1"); });
  const replies: string[] = [];
  try {
    for (const item of packets) {
      const ctrlC = item.endsWith("\x03"), body = ctrlC ? item.slice(0, -1) : item;
      let c = 0;
      for (const ch of body) c = (c + ch.charCodeAt(0)) & 0xff;
      sock.write(`$${body}#${c.toString(16).padStart(2, "0")}${ctrlC ? "\x03" : ""}`);
      const end = Date.now() + 20_000;
      for (;;) {
        const m = /\$([^#]*)#[0-9a-f]{2}/.exec(buf);
        if (m) { replies.push(m[1]); buf = buf.slice(m.index + m[0].length); break; }
        if (Date.now() > end) throw new Error(`no reply to ${body}: ${JSON.stringify(buf)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  } finally {
    sock.destroy();
  }
  return replies;
}

async function withEmulator<T>(extra: string[], f: (port: number) => Promise<T>): Promise<T> {
  const port = await freePort();
  const p = spawn(process.execPath, [join(ROOT, "bin/ringzero.mjs"), "-bios", rom, ...ARGS, "-debugcon", "none", ...extra, "-S", "-gdb", `tcp::${port}`],
    { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  try {
    await waitListening(port);
    return await f(port);
  } finally {
    p.kill();
  }
}

test("the stub by hand: reverse packets and a read-only machine in a replay only", async () => {
  const replay = await withEmulator(["-icount", `shift=7,rr=replay,rrfile=${recording},rrinterval=1000`], (port) =>
    rsp(port, ["qSupported:multiprocess+;swbreak+", "bs", "bc", "s", "p8", "bs", "p8", "M40000,4:01020304", "P0=01000000", "m40000,4", "Z0,f0005,1", "bc",
      "z0,f0005,1", "c", "bc\x03", "bs", "bc"]));
  expect(replay[0].split(";")).toEqual(expect.arrayContaining(["ReverseStep+", "ReverseContinue+"]));
  expect(replay[1]).toBe("T05replaylog:begin;thread:01;"); // nothing before power-on
  expect(replay[2]).toBe("T05replaylog:begin;thread:01;");
  expect(replay[3]).toBe("T05thread:01;");
  const le32 = (v: number) => Buffer.from(Uint32Array.of(v).buffer).toString("hex");
  expect(replay[4]).toBe(le32(labels.get("main")!));      // EIP after the reset vector's far jump to F000:main
  expect(replay[5]).toBe("T05thread:01;");
  expect(replay[6]).toBe("f0ff0000");                     // back at the reset vector, FFF0h
  expect(replay.slice(7, 9)).toEqual(["E01", "E01"]);     // a replay cannot be changed
  expect(replay[9]).toBe("00000000");
  expect(replay[10]).toBe("OK");
  expect(replay[11]).toBe("T05replaylog:begin;thread:01;"); // the breakpoint was never hit before
  expect(replay[12]).toBe("OK");
  expect(replay[13]).toBe("T05replaylog:end;thread:01;");   // forward to the end of the recording
  expect(replay[14]).toBe("T02thread:01;");                 // Ctrl-C stops a reverse-continue at once ...
  expect(replay[15]).toBe("T05thread:01;");                 // ... somewhere gdb can go on from
  expect(replay[16]).toBe("T05replaylog:begin;thread:01;");
  const live = await withEmulator([], (port) => rsp(port, ["qSupported", "bs", "bc"]));
  expect(live[0]).not.toContain("Reverse");
  expect(live.slice(1)).toEqual(["", ""]);
}, 60_000);
