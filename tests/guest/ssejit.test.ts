// SSE/SSE2/MMX instructions inside translated blocks (tests/guest/ssejit.asm):
// RingZero translated (blocks from their second execution) against RingZero
// interpreted and qemu-system-i386 -cpu coreduo - the same results, and faults
// raised in mid-block (#NM with CR0.TS set, #GP(0) for a misaligned MOVAPS
// load and MOVDQA store) at the same EIP after the same instructions; x87 too.
import { readFileSync } from "node:fs";
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";
import { decodeBlock, MAX_INSNS } from "../../web/jit/decode";

test("ssejit: SIMD in translated blocks computes and faults as interpreted, and as qemu -cpu coreduo", async () => {
  const bin = assemble("ssejit");
  const translated = await runRingZero(bin, { translate: true, cpu: { model: "coreduo" } });
  const interpreted = await runRingZero(bin, { interpret: true, cpu: { model: "coreduo" } });
  expect(translated.stop).toBe("exit");
  expect(translated.exitCode).toBe(1); // EXIT 0 (isa-debug-exit: (0 << 1) | 1)
  const out = translated.output;
  expect(out.endsWith("end\n")).toBe(true);
  // the same output (RDTSC counts included: the same instructions retired
  // before each fault) and the same instruction count in all
  expect(out).toBe(interpreted.output);
  expect(translated.instructions).toBe(interpreted.instructions);

  // the kernel's three passes, each printing XMM0-7, the registers and OUT
  expect(out.match(/^xmm( [0-9a-f]{8}){32}$/gm)?.length).toBe(6);
  // FP: in place with PE set (MXCSR unchanged); then, by the interpreter's
  // handlers, OE (2^127 squared), IE (CVTTPS2DQ of NaN, infinity, 2^63), and
  // PE raised where it was clear
  expect(out.match(/^mxcsr 00001fa0 00001fa8 00001fa9 00001fa0$/gm)?.length).toBe(3);
  // #NM in mid-block at each of the three forms, three passes each: the
  // instructions before it done (ECX, EDX), the one after it not
  const nm = [...out.matchAll(/^#07 e=00000000 @0008:([0-9a-f]{8})\ntsc ([0-9a-f]{8})\nregs ([0-9a-f]{8}) ([0-9a-f]{8})$/gm)];
  expect(nm.length).toBe(12);
  for (let p = 0; p < 3; p++) {
    expect(nm.slice(4 * p, 4 * p + 4).map((m) => [m[3], m[4]])).toEqual([
      ["00000005", "00000001"], ["00000007", "00000002"], ["00000009", "00000001"], ["0000000f", "00000003"],
    ]);
    // each pass: the same EIPs and counts, translated or not
    expect(nm.slice(4 * p, 4 * p + 4).map((m) => m[1] + m[2])).toEqual(nm.slice(0, 4).map((m) => m[1] + m[2]));
  }
  // x87 (FCOMI, FCMOVcc, FNSTSW AX, FWAIT in blocks): the same three times
  expect(new Set(out.match(/^x87( [0-9a-f]{8}){4}\nx87regs( [0-9a-f]{8}){2}$/gm)).size).toBe(1);
  // #GP(0) at the misaligned MOVAPS load and MOVDQA store
  const gp = [...out.matchAll(/^#0d e=00000000 @0008:([0-9a-f]{8})\ntsc ([0-9a-f]{8})\nregs ([0-9a-f]{8}) ([0-9a-f]{8})$/gm)];
  expect(gp.length).toBe(6);
  for (let p = 0; p < 3; p++) {
    expect(gp.slice(2 * p, 2 * p + 2).map((m) => [m[3], m[4]])).toEqual([["0000000b", "00000001"], ["0000000d", "00000001"]]);
    expect(gp.slice(2 * p, 2 * p + 2).map((m) => m[1] + m[2])).toEqual(gp.slice(0, 2).map((m) => m[1] + m[2]));
  }

  // The kernel is translated as whole blocks: the decoder takes its SIMD
  // instructions (from `mov esi, DATA; mov edi, OUT; movdqa xmm0, [esi]`)
  const rom = readFileSync(bin);
  const at = rom.indexOf(Buffer.from([0xbe, 0x00, 0x00, 0x02, 0x00, 0xbf, 0x00, 0x20, 0x02, 0x00, 0x66, 0x0f, 0x6f, 0x06]));
  expect(at).toBeGreaterThan(0);
  const block = decodeBlock(new Uint8Array(rom.subarray(at, (at & ~0xfff) + 0x1000)));
  expect(block.length).toBe(MAX_INSNS);
  expect(block.filter((i) => i.op === "interp").length).toBe(MAX_INSNS - 2);
  expect(translated.blocksTranslated).toBeGreaterThan(10);

  // qemu: the same, but for its TSC (host time)
  const q = runQemu(bin, { cpu: "coreduo" });
  const noTsc = (s: string) => s.replace(/^tsc .*\n/gm, "");
  expect(noTsc(q.output)).toBe(noTsc(out));
}, 120_000);
