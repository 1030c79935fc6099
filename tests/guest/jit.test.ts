// The block translator (web/jit/) against the interpreter and qemu: random
// chunks of translated and interpreted instructions run three times each (the
// first run interpreted, the others translated: harness.ts translates from a
// block's second execution), self-modifying code, and faults in mid-block.
import { test, expect } from "vitest";
import { runRingZero, runQemu, assemble } from "./harness";
import { buildJitRom } from "./jit_gen";
import type { Machine } from "../../web/host/machine";
import { readFileSync } from "node:fs";
import { SLOT_KEY, SLOT_FN, SLOT_COUNT, SLOT_SIZE, SET_WAYS, SET_HASH, SET_SHIFT, JIT_CACHE, JIT_SLOTS } from "../../web/jit/constants";

const SEED = 0x5eed1;
/** jit.asm's write past DS's limit (SDM vol. 3 §5.3): #GP(0) at the MOV, 60000h unchanged. */
const SEG_LIMIT_GP = " v=0d e=00000000 cr2=00400000 22222222 00000000\n";
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
  // REP STOSB into the page not present: #PF(2: a supervisor write) at the
  // REP after 5 of its 12 stores; EDX = 0x100 + 2, ECX = 7, EDI = 4 MiB, the
  // last dword below 4 MiB four of the stored 5Ah
  expect(out.match(/ v=0e e=00000002 cr2=00400000 00000102 00000007 00400000 5a5a5a5a 00000000\n/g)?.length).toBe(3);
  // REP STOSB of 20000 (over the interpreter's 8192 a go), then REP MOVSD of
  // 9001 down: EDX = 1 + 4 + 8, ECX = 0, ESI = 60000h - 4, EDI = 60000h + 2999 * 4
  expect(out.match(/^ 0000000d 00000000 0005fffc 00062edc [0-9a-f]{8}$/gm)?.length).toBe(3);
  // REP MOVSD of 16 from FS:5F000h, FS based at 1000h: the 45h bytes REP
  // STOSB left at 60000h; then STOSB with an FS override stores at ES:EDI
  expect(out.match(/^ 0005f040 00070041 45454545 45454545 00000077$/gm)?.length).toBe(3);
  // a block translated with DS flat: entered with DS based at 1000h it reads
  // 60000h for DS:5F000h; flat again, 5F000h; with DS limited to 5FFFFh its
  // write of DS:60000h is #GP(0) at the MOV, nothing stored (the translator's
  // flat-segment code must not run then)
  expect(out).toContain("segflat\n" + " 11111112 11111112\n".repeat(3) + " 22222223 22222223\n".repeat(2) + " 11111112\n" + SEG_LIMIT_GP);
  // CLI at CPL 3: #GP(0) at the CLI, the instructions before it done
  expect(out.match(/ v=0d e=00000000 cr2=00400000 000000d7 00000000\n/g)?.length).toBe(3);
  // #DE: DIV by zero, IDIV with a quotient that does not fit; the instructions
  // before it done (ESI), EDX as it was, at the divide
  expect(out.match(/ v=00 e=00000000 cr2=00400000 00000003 00009abc 00000000\n v=00 e=00000000 cr2=00400000 00000004 80000000 00000000\n/g)?.length).toBe(3);
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
  // DIV and IDIV raised #DE in some chunks (the last two columns: how many, and
  // the state they found)
  expect(lines.filter((l) => !l.endsWith(" 00000000 00000000")).length).toBeGreaterThan(30);
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
  // QEMU's TCG does not check data segment limits: it stores past DS's limit
  const want = q.output.replace(/^ v=none 33333334 [0-9a-f]{8}\n/m, SEG_LIMIT_GP);
  expect(want).not.toBe(q.output);
  expect(hostTime(want)).toBe(hostTime(out));
}, 120_000);

test("jit: interpreted alone, the same program gives the same output", async () => {
  const bin = buildJitRom(SEED, COUNT);
  const translated = await runRingZero(bin, { translate: true });
  const interpreted = await runRingZero(bin, { interpret: true });
  expect(interpreted.stop).toBe("exit");
  expect(interpreted.output).toBe(translated.output);
  expect(interpreted.instructions).toBe(translated.instructions);
}, 120_000);

test("jit: with a translation budget of 64 KiB, every translation is dropped whenever the installed ones pass it, and the program runs the same", async () => {
  const bin = buildJitRom(SEED, COUNT);
  const plain = await runRingZero(bin, { translate: true });
  const BUDGET = 64 << 10;
  let over = 0, slices = 0;
  const tight = await runRingZero(bin, {
    translate: true, slice: 50_000,
    setup: (m) => { m.translator.budget = BUDGET; },
    // after each slice (Machine.run's endSlice) the installed ones fit again
    watch: (m) => { slices++; if (m.translator.liveBytes > BUDGET) over++; },
  });
  expect(tight.stop).toBe("exit");
  expect(over).toBe(0);
  expect(slices).toBeGreaterThan(20);
  // dropped again and again, and translated again after each drop
  expect(tight.drops).toBeGreaterThan(5);
  expect(tight.blocksTranslated).toBeGreaterThan(plain.blocksTranslated! + 100);
  expect(tight.output).toBe(plain.output);
  expect(tight.instructions).toBe(plain.instructions);
}, 120_000);

test("jit: an instruction that keeps reaching a device (the I/O APIC's register select, the APIC's TPR, in loops) runs by its handler inside its block, and a run goes on in blocks after a write that ended its stretch; output as interpreted and in qemu", async () => {
  const bin = assemble("jit_mmio");
  let m: Machine | undefined;
  const translated = await runRingZero(bin, { translate: true, watch: (mm) => { m = mm; } });
  expect(translated.stop).toBe("exit");
  expect(translated.output).toMatch(/^mmio [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8}\n$/);
  // the 18 instructions with the register as an operand (4 of them string
  // instructions), and the write to the APIC's TPR, each after its 16th time
  // out of its block (Translator.MMIO_AFTER); the TPR read after that write
  // always runs first in a new run, interpreted, never left by a block; the
  // indirect CALL through the register is not one (20 when it was taken as
  // one, its page's translations dropped for nothing)
  expect(m!.translator.stats.mmioSites).toBe(19);
  // then the first loop's 67 instructions a pass all ran in blocks, and of
  // the second loop's 10 all but the one after the TPR write (a run goes on
  // there after the stretch the write ended: its first instruction is
  // interpreted, the next looked up; exec.ts runCpu)
  // (96.7% so; 88.9% when a new run interpreted up to the next branch, 91.9%
  // of the first loop when string instructions kept leaving their block)
  expect(Number(m!.translatedInstructions) / Number(translated.instructions)).toBeGreaterThan(0.95);
  const interpreted = await runRingZero(bin, { interpret: true });
  expect(interpreted.output).toBe(translated.output);
  expect(interpreted.instructions).toBe(translated.instructions);
  expect(runQemu(bin, { timeoutMs: 60_000 }).output).toBe(translated.output);
});

test("jit: IDIV of INT_MIN by -1 is #DE at the instruction, registers as they were (expected from the SDM: qemu 7.2 dies of it)", async () => {
  // jit_de.asm: each case three times, the first interpreted, the others translated;
  //   name, vector (ff: none), EIP - the IDIV, EAX, EDX
  const want = [
    "idiv32r 00 00000000 00000000 80000000",
    "idiv32m 00 00000000 00000000 80000000",
    "idiv16r 00 00000000 22220000 11118000",
    "idiv16m 00 00000000 22220000 11118000",
    "idiv8r 00 00000000 33338000 44444444",
    "idiv32q 00 00000000 80000000 ffffffff",
    "idiv32ok ff 00000000 80000000 00000000",
  ].flatMap((l) => [l, l, l]).join("\n") + "\nend\n";
  const bin = assemble("jit_de");
  const translated = await runRingZero(bin, { translate: true });
  expect(translated.stop).toBe("exit");
  expect(translated.output).toBe(want);
  expect(translated.blocksTranslated).toBeGreaterThan(0);
  const interpreted = await runRingZero(bin, { interpret: true });
  expect(interpreted.output).toBe(want);
  expect(interpreted.instructions).toBe(translated.instructions);
});

test("jit: LFENCE, MFENCE, SFENCE in blocks do nothing with their feature and are #UD without it (expected from the SDM)", async () => {
  // jit_fence.asm: each fence three times, the first interpreted, the others
  // translated; name, vector (ff: none), EIP - the fence, ECX (2: it ran on)
  const line = (name: string, ud: boolean) => `${name} ${ud ? "06 00000000 00000001" : "ff 00000000 00000002"}`;
  const want = (lfence: boolean, sfence: boolean) =>
    [line("lfence", !lfence), line("mfence", !lfence), line("sfence", !sfence)].flatMap((l) => [l, l, l]).join("\n") + "\nend\n";
  const bin = assemble("jit_fence");
  // pentium2: no SSE; pentium3: SSE, not SSE2; coreduo: both
  for (const [model, sse2, sse] of [["pentium2", false, false], ["pentium3", false, true], ["coreduo", true, true]] as const) {
    const translated = await runRingZero(bin, { translate: true, cpu: { model } });
    expect(translated.output, model).toBe(want(sse2, sse));
    expect(translated.blocksTranslated).toBeGreaterThan(0);
    const interpreted = await runRingZero(bin, { interpret: true, cpu: { model } });
    expect(interpreted.output, model).toBe(want(sse2, sse));
    expect(interpreted.instructions).toBe(translated.instructions);
  }
});

test("jit: a start is translated after fewer executions when its code runs longer (counted once per 4 interpreted instructions)", async () => {
  // jit_warm.asm with a threshold of 100: LONG (41 instructions) counts
  // 1 + 41/4 = 11 an execution and is translated within its 30 calls; SHORT
  // (2 instructions) counts 1 and stays interpreted through its 90.
  const bin = assemble("jit_warm");
  const seen: Record<string, bigint> = {};
  const r = await runRingZero(bin, {
    translate: true, translateAfter: 100, slice: 2000,
    watch: (m, out) => { for (const w of ["long", "short"]) if (out.includes(w) && seen[w] === undefined) seen[w] = m.translatedInstructions; },
  });
  const q = runQemu(bin);
  expect(r.output).toBe(q.output);
  // LONG is translated at its 11th call (1 + 9 * 11 = 100 counted before it);
  // a call cut by the end of a slice counts without its instructions, so at
  // least 15 of its 30 calls ran translated. Nothing more ran translated after.
  expect(Number(seen.long)).toBeGreaterThanOrEqual(15 * 41);
  expect(seen.short).toBe(seen.long);
});

test("jit: translations wait for company in one wasm module; a write to a waiting block's code drops it (same as qemu)", async () => {
  // jit_batch.asm at a threshold of 1000, in one run slice (no flush between
  // slices): twenty routines grow hot together and share modules; SMC's
  // translation is waiting when its code is rewritten.
  const bin = assemble("jit_batch");
  let m: Machine | undefined;
  const r = await runRingZero(bin, { translate: true, translateAfter: 1000, slice: 100_000_000, setup: (x) => { m = x; } });
  expect(r.stop).toBe("exit");
  expect(r.output).toMatch(/^sum [0-9a-f]{8}\n 11111111 000004b0\n$/);
  expect(r.output).toBe(runQemu(bin).output);
  const s = m!.translator.stats;
  expect(s.blocks).toBeGreaterThanOrEqual(21);
  expect(s.modules).toBeLessThanOrEqual(s.blocks - 15); // sixteen routines in one module
  expect(s.stale).toBe(1); // SMC's first translation
});

test("jit: B, Z, S, BE and ADC's carry at the start of a block, after each kind of flag-setting operation (same as qemu)", async () => {
  // jit_flags.asm: the probe's SETcc and ADC read flags its block did not set
  // (web/jit/emitter.ts flagAtRunTime); each case runs three times, the probe
  // translated from its second run on.
  const bin = assemble("jit_flags");
  const r = await runRingZero(bin, { translate: true });
  expect(r.stop).toBe("exit");
  expect(r.blocksTranslated).toBeGreaterThan(0);
  const lines = r.output.split("\n").filter(Boolean);
  expect(lines.length).toBe(26);
  for (const l of lines) {
    const runs = l.trim().split(/ +/);
    expect(runs.length, l).toBe(6);
    expect(runs.slice(2, 4), l).toEqual(runs.slice(0, 2));
    expect(runs.slice(4, 6), l).toEqual(runs.slice(0, 2));
  }
  // 8-bit ADD of 1 to FFh: CF and ZF (so BE), ADC's carry in
  expect(lines[0]).toMatch(/^ ?01000101 00000011/);
  const q = runQemu(bin);
  expect(r.output).toBe(q.output);
});

test("jit: flags written again before anything sees them are left out; where a fault, a read or a partial write sees them they are exact", async () => {
  // jit_deadflags.asm: each case three times (translated from its second run);
  // "dead" cases leave out CF/OF of shifts, rotates and multiplies and INC/DEC's
  // kept CF (translator.ts markDeadFlags); the "seen" ones must not, and show
  // them through an exception frame's EFLAGS, a Jcc, ADC or SETcc, or PUSHFD
  // after INC, ROL or a shift by 0.
  const bin = assemble("jit_deadflags");
  const r = await runRingZero(bin, { translate: true });
  expect(r.stop).toBe("exit");
  expect(r.blocksTranslated).toBeGreaterThan(20);
  const lines = r.output.split("\n").filter(Boolean);
  expect(lines.length).toBe(25);
  for (const l of lines) {
    const runs = l.split("|").map((x) => x.trim()).filter(Boolean);
    expect(runs.length, l).toBe(3);
    expect(runs[1], l).toBe(runs[0]);
    expect(runs[2], l).toBe(runs[0]);
  }
  // the first fault case: #PF at HOLE with SHL EAX,1's CF and OF (80000001h << 1)
  expect(lines[11]).toMatch(/^ ?v=0e e=00000000 cr2=00200000 00000801 /);
  expect(r.output).toBe(runQemu(bin).output);
});

test("jit: a RET after CR3 changed since its CALL goes to the code the new mapping shows", async () => {
  // jit_ras.asm: the same return EIP names the 8 MiB copy (mark AAAAh) on even
  // passes and the 12 MiB one (BBBBh) on odd passes, both translated
  const bin = assemble("jit_ras");
  const r = await runRingZero(bin, { translate: true });
  expect(r.stop).toBe("exit");
  expect(r.output).toBe(" 0000aaaa 0000bbbb".repeat(6) + "\n");
  expect(r.blocksTranslated).toBeGreaterThan(4);
  expect(r.output).toBe(runQemu(bin).output);
});

test("jit: when the target caches' generation would wrap, every translation is dropped and it starts again", async () => {
  // asm/cpu/jit.ts JIT_GEN counts TLB flushes and dropped translations in
  // steps of 8; a target cache's tag would hold again 2^29 of them later. Set
  // a few steps short of wrapping, it wraps inside jit_ras.asm (a CR3 write
  // each pass): jitRun drops every translation (which jit_ras alone never
  // does) and JIT_GEN starts again from 0; the output is unchanged.
  const { JIT_GEN } = await import("../../web/jit/constants");
  const bin = assemble("jit_ras");
  let m: Machine | undefined;
  const r = await runRingZero(bin, { translate: true, setup: (x) => { m = x; new DataView(x.memory.buffer).setUint32(JIT_GEN, 0xfffffff8 - 8 * 12, true); } });
  expect(r.stop).toBe("exit");
  expect(r.output).toBe(" 0000aaaa 0000bbbb".repeat(6) + "\n");
  expect(m!.translator.stats.released).toBeGreaterThan(0);
  expect(new DataView(m!.memory.buffer).getUint32(JIT_GEN, true)).toBeLessThan(8 * 1000);
  // the same program without the wrap drops nothing
  const plain = await runRingZero(bin, { translate: true, setup: (x) => { m = x; } });
  expect(plain.output).toBe(r.output);
  expect(m!.translator.stats.released).toBe(0);
});

test("jit: a cached exit target is not taken again after its translation was dropped, at another CPL, or under another CS base", async () => {
  // jit_ic.asm: the same CALL EAX, to the same EIP, after that EIP's code was
  // rewritten (its freed function index now holding another block's
  // translation), at CPL 3 to a supervisor page it went to at CPL 0, and with
  // a CS base other than 0 (the same EIP, another linear address)
  const bin = assemble("jit_ic");
  const r = await runRingZero(bin, { translate: true });
  expect(r.stop).toBe("exit");
  expect(r.output).toBe(
    // R's old mark, Q's, then R's new one at once and after R is translated again
    "smc 00001111 00003333 00002222 00002222\n" +
    // 20 passes at CPL 0; then #PF(5) fetching T at CPL 3, before T's INC EBX
    "cpl 00000014 v=0e e=00000005 cr2=00101000 00101000 00000014\n" +
    // 20 flat passes to T3; EIP T3 with CS base 10000h is T3B; flat again (the
    // cache's T3); 20 based passes (T3B cached, tagged IC_NEVER); flat again
    "cs 0000aaaa 0000bbbb 0000aaaa 0000bbbb 0000aaaa\n");
  expect(r.blocksTranslated).toBeGreaterThan(10);
  expect(r.output).toBe(runQemu(bin).output);
});

/** What the block cache holds for each routine of `phys` (its physical
 *  address, by name): "translated", "counted N", "absent", ... (any slot:
 *  jit.ts looks in the set alone). */
function cacheStates(m: Machine, phys: Record<string, number>): Record<string, string> {
  const mem = new DataView(m.memory.buffer);
  const state: Record<string, string> = {};
  for (const [name, p] of Object.entries(phys)) {
    const host = (m.ram().byteOffset + p) >>> 0;
    state[name] = "absent";
    for (let slot = JIT_CACHE; slot < JIT_CACHE + JIT_SLOTS * SLOT_SIZE; slot += SLOT_SIZE) {
      if (mem.getUint32(slot + SLOT_KEY, true) !== host) continue;
      const fn = mem.getUint32(slot + SLOT_FN, true), count = mem.getUint32(slot + SLOT_COUNT, true);
      state[name] = fn ? "translated" : count === 0xffffffff ? "declined" : count >= 0xf0000000 ? "waiting" : `counted ${count}`;
    }
  }
  return state;
}

/** The R_<name> equ addresses of a guest program's source. */
function routineAddresses(name: string): Record<string, number> {
  const src = readFileSync(new URL(`./${name}.asm`, import.meta.url), "latin1");
  return Object.fromEntries([...src.matchAll(/^R_(\w+)\s+equ\s+0x([0-9a-f]+)/gm)].map((x) => [x[1], parseInt(x[2], 16)]));
}

test("jit: a hot start takes the last way of a set that holds three translations, and keeps it while another start passes through (same as qemu)", async () => {
  // jit_lastway.asm at a threshold of 100: T1, T2, T3 translated in one set,
  // then 300 rounds of H 8 times and P once. Before, P took H's way every
  // round and H never counted past 8.
  const phys = routineAddresses("jit_lastway");
  expect(Object.keys(phys)).toEqual(["T1", "T2", "T3", "H", "P"]);
  let m: Machine | undefined;
  const bin = assemble("jit_lastway");
  const r = await runRingZero(bin, { translate: true, translateAfter: 100, slice: 10_000, setup: (x) => { m = x; } });
  expect(r.stop).toBe("exit");
  expect(r.output).toMatch(/^sum [0-9a-f]{8}\n$/);
  expect(r.output).toBe(runQemu(bin).output);
  // the five share one set
  const hashes = Object.values(phys).map((p) => Math.imul((m!.ram().byteOffset + p) >>> 0, SET_HASH) >>> SET_SHIFT);
  expect(new Set(hashes).size).toBe(1);
  expect(cacheStates(m!, phys)).toEqual({ T1: "translated", T2: "translated", T3: "translated", H: "translated", P: "absent" });
});

test("jit: hot starts that share a block-cache set with a translation and two old counts are all translated (same as qemu)", async () => {
  // jit_sets.asm at a threshold of 100: T made hot, M1 and M2 run 75 and 49
  // times and no more, then 2000 rounds of T, A, B, C, all six at physical
  // addresses of one set (asm/cpu/jit.ts setOf). With 2 ways a set, or 4
  // without aging, A, B and C took the one free slot from each other at every
  // call and none was translated (the .asm counts it out).
  const HOT = 100;
  const phys = routineAddresses("jit_sets");
  expect(Object.keys(phys)).toEqual(["T", "M1", "M2", "A", "B", "C"]);
  const bin = assemble("jit_sets");
  let m: Machine | undefined;
  const hostOf = (name: string) => (m!.ram().byteOffset + phys[name]) >>> 0;
  const { cacheSet: setOf } = await import("../../web/jit/emitter");
  const cache = () => cacheStates(m!, phys);
  /** The keys of the routines' set, by routine name ("-": empty; a host address: something else). */
  const setKeys = () => {
    const mem = new DataView(m!.memory.buffer), set = setOf(hostOf("T"));
    const names = new Map(Object.keys(phys).map((n) => [hostOf(n), n]));
    return [...Array(SET_WAYS).keys()].map((w) => {
      const key = mem.getUint32(set + w * SLOT_SIZE + SLOT_KEY, true);
      return key === 0 ? "-" : names.get(key) ?? key.toString(16);
    });
  };
  let warm: { state: Record<string, string>; keys: string[] } | undefined;
  const r = await runRingZero(bin, {
    translate: true, translateAfter: HOT, slice: 10_000, setup: (x) => { m = x; },
    // "warm" is printed before 60000 instructions of a spin that calls nothing
    watch: (_m, out) => { if (out.includes("warm") && !warm) warm = { state: cache(), keys: setKeys() }; },
  });
  expect(r.stop).toBe("exit");
  expect(r.output).toMatch(/^warm [0-9a-f]{8}\nsum [0-9a-f]{8}\n$/);
  expect(r.output).toBe(runQemu(bin).output);
  // the six share one set (so also one of the old 2-way sets: the same hash, not only the same hash & ~3)
  const hashes = Object.keys(phys).map((n) => Math.imul(hostOf(n), SET_HASH) >>> SET_SHIFT);
  expect(new Set(hashes).size).toBe(1);
  expect(new Set(Object.keys(phys).map((n) => setOf(hostOf(n)))).size).toBe(1);
  // before the rounds: T translated, M1 and M2 counted (more than a new start's 1,
  // less than the threshold), the set's other ways empty - no other code there
  expect(warm).toBeDefined();
  expect(warm!.state.T).toBe("translated");
  for (const n of ["M1", "M2"]) {
    const c = /^counted (\d+)$/.exec(warm!.state[n]);
    expect(c, `${n}: ${warm!.state[n]}`).not.toBeNull();
    expect(Number(c![1])).toBeGreaterThan(1);
    expect(Number(c![1])).toBeLessThan(HOT);
  }
  expect(warm!.state.A).toBe("absent");
  expect(warm!.keys.filter((k) => !["T", "M1", "M2", "-"].includes(k))).toEqual([]);
  // after them: every hot routine translated (with 4 ways the old counts made way)
  const end = cache();
  expect({ T: end.T, A: end.A, B: end.B, C: end.C }).toEqual({ T: "translated", A: "translated", B: "translated", C: "translated" });
  expect([end.M1, end.M2]).not.toContain("translated");
  expect(setKeys().filter((k) => !["M1", "M2", "-"].includes(k)).sort()).toEqual(["A", "B", "C", "T"]);
});

test("jit: a block start whose instruction crosses into the next page runs by its handler, the bytes there read each time; a #PF there as interpreted and in qemu", async () => {
  // jit_xpage.asm: ADD EAX, imm32 with its immediate on the next page, called
  // 500 times a round; the immediate changed on that page, then the opcode
  // (to SUB) on the first; a MOV whose ModRM is on the next page; the next
  // page not present (#PF, CR2 21000h, EIP 20FFFh)
  const bin = assemble("jit_xpage");
  let m: Machine | undefined;
  const translated = await runRingZero(bin, { translate: true, watch: (mm) => { m = mm; } });
  expect(translated.stop).toBe("exit");
  const interpreted = await runRingZero(bin, { interpret: true });
  expect(translated.output).toBe(interpreted.output);
  expect(translated.output).toBe(runQemu(bin, { timeoutMs: 60_000 }).output);
  expect(translated.output).toMatch(/ v=0e e=00000000 cr2=00021000 00020fff\n$/);
  // the ADD's start runs in a block of its own (the MOV's stays interpreted):
  // 0.955 of the instructions translated (0.882 when such a start was declined)
  expect(Number(m!.translatedInstructions) / Number(translated.instructions)).toBeGreaterThan(0.93);
});
