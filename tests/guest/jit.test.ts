// The block translator (web/jit/) against the interpreter and qemu: random
// chunks of translated and interpreted instructions run three times each (the
// first run interpreted, the others translated: harness.ts translates from a
// block's second execution), self-modifying code, and a fault in mid-block.
import { test, expect } from "vitest";
import { runRingZero, runQemu } from "./harness";
import { buildJitRom } from "./jit_gen";

const SEED = 0x5eed1;
const COUNT = 600;

test("jit: random chunks give the same registers, flags and memory interpreted, translated and in qemu", async () => {
  const bin = buildJitRom(SEED, COUNT);
  const rz = await runRingZero(bin, { translate: true });
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const out = rz.output;
  // self-modifying code: the patched immediate is seen at once
  expect(out).toContain("smc1 11111111 11111111 11111111 22222222 22222222 22222222\n");
  expect(out).toContain("smc2 00000005 00000004 00000003 00000002 00000001\n");
  expect(out).toContain("smc3" + " 22222222".repeat(3) + " 33333333".repeat(3) + " 44444444".repeat(3) + "\n");
  // the fault: EAX = (1 + 2) << 4 from the instructions before it, at the MOV
  expect(out.match(/ v=0e e=00000000 cr2=00400000 00000030 00000000\n/g)?.length).toBe(3);
  // a CALL's push at CPL 3 to the page not present: #PF(6: a user write) at the CALL
  expect(out.match(/ v=0e e=00000006 cr2=00400000 00000003 00000000\n/g)?.length).toBe(3);
  // CLI at CPL 3: #GP(0) at the CLI, the instructions before it done
  expect(out.match(/ v=0d e=00000000 cr2=00400000 000000d7 00000000\n/g)?.length).toBe(3);
  // POPFD setting TF: the single-step trap after the next instruction
  expect(out.match(/ v=01 e=00000000 cr2=00400000 00000008 00000000\n/g)?.length).toBe(3);
  // the timer interrupt came in right after the instruction in STI's shadow,
  // whenever it was waiting, and nowhere else
  expect(out).toContain("shadow 00000001 00000000 00000000\n");
  expect(out).toContain("jit done\n");
  // most chunks' later runs were translated (each chunk is a block or a few)
  expect(rz.blocksTranslated).toBeGreaterThan(COUNT);
  // every chunk's three runs agree
  const lines = out.split("\n").filter((l) => /^c[0-9a-f]{8} /.test(l));
  expect(lines.length).toBe(3 * COUNT);
  for (let c = 0; c < COUNT; c++) {
    const runs = lines.slice(3 * c, 3 * c + 3).map((l) => l.replace(/^c[0-9a-f]{8} [0-9a-f]{8}/, ""));
    expect(runs[1], `chunk ${c}, translated run 1`).toBe(runs[0]);
    expect(runs[2], `chunk ${c}, translated run 2`).toBe(runs[0]);
  }
  // RDTSC: the TSC moves one tick per instruction (1 GHz, 1 ns per instruction
  // in the tests' icount mode): 2 from the first RDTSC to the loop's, 6 a pass,
  // 7 to the RDTSC in the next block; translated as interpreted
  expect(out.match(/^tsc 00000002 00000006 00000006 00000006 00000007\n/gm)?.length).toBe(3);
  const q = runQemu(bin, { timeoutMs: 60_000 });
  const hostTime = (s: string) => s.replace(/^tsc .*\n/gm, "");
  expect(hostTime(q.output)).toBe(hostTime(out));
}, 120_000);

test("jit: interpreted alone, the same program gives the same output", async () => {
  const bin = buildJitRom(SEED, COUNT);
  const translated = await runRingZero(bin, { translate: true });
  const interpreted = await runRingZero(bin, { interpret: true });
  expect(interpreted.stop).toBe("exit");
  expect(interpreted.output).toBe(translated.output);
  expect(interpreted.instructions).toBe(translated.instructions);
}, 120_000);
