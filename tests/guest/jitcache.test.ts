// The block cache keeps two translations a set (asm/cpu/jit.ts setOf; the
// emitted code probes both inline), and starts are counted towards translation
// apart from it. Three hot starts mapped to one set must all be translated:
// when the counts shared the set's slots, a set holding two translations
// counted nothing, and its third hot start stayed interpreted for good.
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect } from "vitest";
import { assemble, runRingZero } from "./harness";
import { JIT_CACHE, SET_HASH, SET_SHIFT, SLOT_SIZE, CNT_HASH, CNT_SHIFT } from "../../web/jit/constants";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const RAM_BASE = Number(/export const RAM_BASE: u32 = (0x[0-9a-fA-F]+);/.exec(readFileSync(join(ROOT, "asm/layout.ts"), "utf8"))![1]);
const STARTS = 0x800; // jitcache.asm

// A start's cache set and count set: host address = RAM_BASE + physical.
const cacheSet = (host: number) => JIT_CACHE + ((Math.imul(host, SET_HASH) >>> SET_SHIFT) & ~1) * SLOT_SIZE;
const countSet = (host: number) => (Math.imul(host, CNT_HASH) >>> CNT_SHIFT) & ~1;

/** Three physical addresses from 1 MiB on, 16 bytes apart at least, whose starts
 *  share a cache set and have count sets of their own. */
function collidingStarts(): number[] {
  const bySet = new Map<number, number[]>();
  for (let p = 0x100000; p < 0x1000000; p += 16) {
    const host = RAM_BASE + p;
    const same = bySet.get(cacheSet(host)) ?? [];
    if (same.some((q) => countSet(RAM_BASE + q) === countSet(host))) continue;
    same.push(p);
    if (same.length === 3) return same;
    bySet.set(cacheSet(host), same);
  }
  throw new Error("no three starts share a set");
}

test("jitcache: three hot starts in one cache set are all translated", async () => {
  const starts = collidingStarts();
  const compiled = new Set<number>();
  const rz = await runRingZero(assemble("jitcache"), {
    translate: true,
    setup(m) {
      new DataView(m.memory.buffer).setUint32(RAM_BASE + STARTS, starts[0], true);
      new DataView(m.memory.buffer).setUint32(RAM_BASE + STARTS + 4, starts[1], true);
      new DataView(m.memory.buffer).setUint32(RAM_BASE + STARTS + 8, starts[2], true);
      const t = m.translator, compile = t.compile.bind(t);
      t.compile = (host, maxLen, out) => { const fn = compile(host, maxLen, out); if (fn) compiled.add(host); return fn; };
    },
  });
  expect(rz.stop).toBe("exit");
  expect(rz.output.trim()).toBe("0000003c"); // INC EAX 3 * 20 times
  expect(starts.map((p) => compiled.has(RAM_BASE + p))).toEqual([true, true, true]);
});
