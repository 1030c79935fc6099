// The std VGA's dirty-page log (asm/mmu/dirty.ts), which the page's screen
// redraws by: vga_dirty.asm writes video memory through the linear framebuffer
// (from a loop hot enough to be translated, unless RZ_TRANSLATE=off) and
// through the banked A0000 window, in phases, and the host takes the log
// between them. What must be marked follows from the addresses the program
// stores to (4 KiB pages of the 16 MiB of video memory; the window at bank 3
// starts at 3 * 64 KiB); nothing else may be. A restored machine has every
// page marked (the log is not machine state: the picture must be drawn whole).

import { readFileSync } from "node:fs";
import { test, expect } from "vitest";
import { assemble, translation } from "./harness";
import { Machine, RING, STOP } from "../../web/host/machine";
import { save, restore, type RunIdentity } from "../../web/host/snapshot";
import { zlibCodec } from "../../web/cli/snapshot";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const PHASE = 0x5000;
const PAGES = 4096;

/** The marked pages of a taken log. */
const marked = (log: Uint8Array) => Array.from({ length: PAGES }, (_, p) => p).filter((p) => log[p >> 3] & (1 << (p & 7)));

async function machine(): Promise<Machine> {
  return Machine.create({ wasm: readFileSync(join(ROOT, "build/ringzero.wasm")), ramBytes: 32 << 20, cpu: { model: "pentium2" }, ...translation() });
}

/** Run until the program writes `letter` on port E9h (or halts, for the last). */
async function runTo(m: Machine, letter: string): Promise<void> {
  let out = "";
  for (let i = 0; i < 200 && !out.includes(letter); i++) {
    const r = m.run(100_000);
    out += new TextDecoder("latin1").decode(m.drain(RING.DEBUGCON));
    if (r === STOP.RESET || r === STOP.EXIT) throw new Error(`the program stopped (${r}) before "${letter}": ${out}`);
  }
  expect(out).toContain(letter);
}

const setPhase = (m: Machine, n: number) => new DataView(m.ram().buffer, m.ram().byteOffset + PHASE, 4).setUint32(0, n, true);

test("framebuffer and banked-window writes mark exactly their pages; a taken log starts afresh and the pages are watched again", async () => {
  const m = await machine();
  m.loadBios(readFileSync(assemble("vga_dirty")));
  await runTo(m, "A");
  m.vgaDirtyTake(); // the mode set's clearing of video memory
  expect(marked(m.vgaDirtyTake())).toEqual([]);
  setPhase(m, 1);
  await runTo(m, "B");
  // LFB page 5 (4096 stores), page 9 (a byte), bank 3 + 2 * 4096 = page 50 (a word).
  expect(marked(m.vgaDirtyTake())).toEqual([5, 9, 50]);
  // The stores to page 5 ran in a translated block (unless translation is off).
  if (translation().translate) expect(m.translator.stats.blocks).toBeGreaterThan(0);
  setPhase(m, 2);
  await runTo(m, "C");
  // One store to page 5, after the last take had put it under watch again.
  expect(marked(m.vgaDirtyTake())).toEqual([5]);
  expect(marked(m.vgaDirtyTake())).toEqual([]);
  // A restore: every page marked.
  const identity: RunIdentity = { settings: { "-m": "32" }, images: [] };
  const b = await machine();
  await restore(b, await save(m, { identity }, zlibCodec), "vgadirty", identity, zlibCodec);
  expect(marked(b.vgaDirtyTake()).length).toBe(PAGES);
  expect(marked(b.vgaDirtyTake())).toEqual([]);
}, 60_000);
