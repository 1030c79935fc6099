// The block translator (web/jit/) on 16-bit code, against the interpreter and
// qemu: jit.test.ts's random chunks in real mode (jit_gen16.ts, jit16.asm),
// run three times each (the first run interpreted, the others translated:
// harness.ts translates from a block's second execution), and cases written
// out: self-modifying code, #DE in mid-block, a 16-bit stack across SP = 0,
// a segment base that changes under a translated block, branches whose
// targets wrap at IP 64K, a Jcc not taken that ends a block at IP 10000h.
import { test, expect } from "vitest";
import { runRingZero, runQemu } from "./harness";
import { buildJit16Rom } from "./jit_gen16";

const SEED = 0x5eed16;
// 500 chunks fill most of the 64 KiB ROM (jit_gen16.ts: nasm fails when they do not fit)
const COUNT = 500;

/** Each line three times: a written-out case runs once interpreted, then translated. */
const thrice = (...lines: string[]) => lines.flatMap((l) => [l, l, l]).join("\n") + "\n";

test("jit16: random 16-bit chunks give the same registers, flags and memory interpreted, translated and in qemu", async () => {
  const bin = buildJit16Rom(SEED, COUNT);
  const rz = await runRingZero(bin, { translate: true });
  expect(rz.stop, rz.output.slice(-200)).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const out = rz.output;
  // self-modifying code in RAM: the patched immediate is seen at once
  expect(out).toContain("smc1 11111111 11111111 11111111 22222222 22222222 22222222\n");
  expect(out).toContain("smc2 00000005 00000004 00000003 00000002 00000001\n");
  expect(out).toContain("smc3" + " 22222222".repeat(3) + " 33333333".repeat(3) + " 44444444".repeat(3) + "\n");
  // #DE through the IVT at the divide (IP less the divide 0, CS F000), the
  // instructions before it done (ESI), EAX and EDX as they were, FLAGS from
  // the ADD before it (3: PF; 4: none; 5: PF)
  expect(out).toContain((
    "div0 00000003 12345678 00009abc 00000000 0000f000 00000006\n" +
    "idiv 00000004 00000001 80000000 00000000 0000f000 00000002\n" +
    "div8 00000005 00001000 00005678 00000000 0000f000 00000006\n").repeat(3));
  // a 16-bit stack across SP = 0 (jit16.asm wrapr, from SP 8000h, 0, 2, 4,
  // 0Ah): the callee's SP 12 bytes below (wrapped), its return IP read
  // through [BP+2] (0: right), the word and dword popped back, ESP's upper
  // half kept, and the word at SS:FFFCh: 1111h (SP 0: the pushed word),
  // 2222h (SP 2: the dword's upper half), 3333h (SP 4: its lower half)
  expect(out).toContain(thrice(
    "wrap 00007ff4 00000000 22223333 00001111 12348000 00000000",
    "wrap 0000fff4 00000000 22223333 00001111 12340000 00001111",
    "wrap 0000fff6 00000000 22223333 00001111 12340002 00002222",
    "wrap 0000fff8 00000000 22223333 00001111 12340004 00003333",
    "wrap 0000fffe 00000000 22223333 00001111 1234000a 00000000"));
  // #DE's frame pushed a word at a time across SP = 0, IRET popping it back
  // (FLAGS 46h: ZF PF from XOR CX, CX)
  expect(out).toContain(thrice(...[0x8000, 6, 4, 2, 0].map((sp) => {
    const h = sp.toString(16).padStart(8, "0");
    return `desp ${h} 00000000 0000f000 00000046 ${h}`;
  })));
  // a block translated with DS at 1000h reads and writes through the base
  // of each DS it runs with: 1000h three times, then 1010h twice
  expect(out).toContain("segbase\n" + " 11111112 11111112 00000000\n".repeat(3) + " 22222223 11111112 22222223\n".repeat(2));
  // branches that wrap at IP 64K (SDM vol. 2 JMP, Jcc, CALL: the target is
  // (IP + rel) AND FFFFh; CALL pushes IP's 16 bits), AX from 0: jmpf INC,
  // ADD 10h, JMP to 0005h: ADD 300h (311h); jmpb INC, JMP to FFF8h: ADD 400h
  // (401h); callf INC, CALL at FFFDh to 0010h: ADD 60h, RET to 0000h: ADD
  // 2000h (2061h); callb INC, CALL to FFE0h: ADD 600h, RET to 0034h: ADD 100h
  // (701h); jccf INC (ZF = 0), JNZ to 000Ah: ADD 800h (801h). Code that ran
  // where IP does not wrap adds 7000h more. The same in real mode (CS limit
  // FFFFh) and in 16-bit protected mode (limit 4G), with the segment's base
  // page-aligned or not (jit16.asm: which of the translator's checks each
  // line exercises).
  const wrapped = " 00000311 00000401 00002061 00000701 00000801";
  const ipwrap = ["80000 real", "70800 real", "80000 pm", "60400 pm"];
  expect(out).toContain(thrice(...ipwrap.map((w) => `ipwrap ${w}${wrapped}`)));
  // a JNZ not taken at FFFEh, the last instruction of its block: IP goes on
  // to 10000h, past CS's limit FFFFh, whose fetch is #GP(0) (SDM vol. 3
  // §22.33.1, segment wraparound; vol. 2 Jcc masks only a taken jump's
  // target), delivered through the IVT with IP's 16 bits (vol. 3 §20.1.4):
  // vector 13, IP 0000h, CS 8800h, AX 0 (neither the code at 0000h nor that
  // 64K on ran)
  expect(out).toContain(thrice("ipend 0000000d 00000000 00008800 00000000"));
  // a block translated where it lies below CS's limit (through another
  // segment: AX 4 + 9 INCs + 100h), then branched to from a translated block
  // of a segment whose limit it crosses: it must not run, and the fetch at IP
  // 10000h is #GP(0) as above, AX 4 + 9 INCs (CS 8C80h)
  expect(out).toContain("iplim-heat 0000010d 0000010d 0000010d\n");
  expect(out).toContain(thrice("iplim 0000000d 00000000 00008c80 0000000d"));
  expect(out).toContain("jit16 done\n");
  // every chunk's three runs agree
  const lines = out.split("\n").filter((l) => /^c[0-9a-f]{8} /.test(l));
  expect(lines.length).toBe(3 * COUNT);
  const cols = (l: string) => l.split(" ").slice(2);
  // DIV and IDIV raised #DE in some chunks (the last two columns: how many,
  // and the state they found); some runs started with SP near 0 (ESP's low
  // half, the fifth register, ends where it started)
  expect(lines.filter((l) => !l.endsWith(" 00000000 00000000")).length).toBeGreaterThan(30);
  expect(lines.filter((l) => parseInt(cols(l)[4].slice(4), 16) < 0x20).length).toBeGreaterThan(30);
  for (let c = 0; c < COUNT; c++) {
    const runs = lines.slice(3 * c, 3 * c + 3).map((l) => l.replace(/^c[0-9a-f]{8} [0-9a-f]{8}/, ""));
    expect(runs[1], `chunk ${c}, translated run 1`).toBe(runs[0]);
    expect(runs[2], `chunk ${c}, translated run 2`).toBe(runs[0]);
  }
  // qemu 7.2 does not wrap a 16-bit branch's target that, unwrapped, is on
  // the branch's page (target/i386/tcg/translate.c gen_jmp_rel: pc-relative
  // blocks mask EIP only for a target on another page), so the lines of the
  // segments whose bases are not page-aligned are the SDM's alone; and qemu
  // wraps the IP after a Jcc not taken at FFFEh to 0000h and runs on there
  // (ipend ffffffff 0000ffff 0000ffff 00000001), so the ipend and iplim
  // lines are too
  const q = runQemu(bin, { timeoutMs: 60_000 });
  const sdmOnly = (o: string) => o.replace(/^(ipwrap (70800 real|60400 pm)|ipend|iplim) .*\n/gm, "");
  expect(sdmOnly(out)).toBe(sdmOnly(q.output));
  // most chunks' later runs were translated (each chunk is a block or a few)
  expect(rz.blocksTranslated).toBeGreaterThan(COUNT);
}, 120_000);

test("jit16: interpreted alone, the same program gives the same output", async () => {
  const bin = buildJit16Rom(SEED, COUNT);
  const translated = await runRingZero(bin, { translate: true });
  const interpreted = await runRingZero(bin, { interpret: true });
  expect(interpreted.stop, interpreted.output.slice(-200)).toBe("exit");
  expect(interpreted.output).toBe(translated.output);
  expect(interpreted.instructions).toBe(translated.instructions);
}, 120_000);
