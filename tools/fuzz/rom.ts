// Builds the random-instruction test ROM (tests/guest/fuzz.asm) for a seed and
// a chunk count, by patching its FZPARAMS block, and checks a run's output.
import { readFileSync, writeFileSync } from "node:fs";
import { assemble } from "../../tests/guest/harness";

export interface FuzzRomOptions {
  /** Print each chunk's state hash ("h HHHHHHHH"), for a differential run. */
  hashes?: boolean;
  /** Dump this chunk (1-based): its bytes, start registers and end record. */
  dump?: number;
  /** Differential: flat chunk segments, and leave out what qemu does
   *  differently from the SDM (tests/guest/fuzz.asm, flag 2). */
  differential?: boolean;
}

export function buildFuzzRom(seed: number, count: number, opts: FuzzRomOptions = {}): string {
  const bin = assemble("fuzz");
  const rom = readFileSync(bin);
  const at = rom.indexOf(Buffer.from("FZPARAMS"));
  if (at < 0) throw new Error("fuzz.asm has no FZPARAMS block");
  rom.writeUInt32LE(seed >>> 0, at + 8);
  rom.writeUInt32LE(count >>> 0, at + 12);
  rom.writeUInt32LE((opts.hashes ? 1 : 0) | (opts.differential ? 2 : 0), at + 16);
  rom.writeUInt32LE(opts.dump ?? 0, at + 20);
  const tag = `${opts.hashes ? "-h" : ""}${opts.differential ? "-x" : ""}${opts.dump ? `-d${opts.dump}` : ""}`;
  const out = bin.replace(/\.bin$/, `-${(seed >>> 0).toString(16)}-${count}${tag}.bin`);
  writeFileSync(out, rom);
  return out;
}

export interface FuzzSummary { done: boolean; chunks: number; total: number; counts: Map<number, number> }

/** Parse "fuzz done chunks N", "v VV = N" lines and "total N" (hex). Vector
 *  100H counts chunks abandoned by the single-step watchdog. */
export function parseFuzzOutput(out: string): FuzzSummary {
  const counts = new Map<number, number>();
  for (const m of out.matchAll(/^v ([0-9a-f]{8}) = ([0-9a-f]{8})$/gm)) counts.set(parseInt(m[1], 16), parseInt(m[2], 16));
  const done = /^fuzz done chunks ([0-9a-f]{8})$/m.exec(out);
  const total = /^total ([0-9a-f]{8})$/m.exec(out);
  return {
    done: done !== null,
    chunks: done ? parseInt(done[1], 16) : 0,
    total: total ? parseInt(total[1], 16) : 0,
    counts,
  };
}

export function describeCounts(counts: Map<number, number>): string {
  const names: Record<number, string> = {
    0: "#DE", 1: "#DB", 3: "#BP", 4: "#OF", 5: "#BR", 6: "#UD", 7: "#NM", 8: "#DF", 10: "#TS",
    11: "#NP", 12: "#SS", 13: "#GP", 14: "#PF", 16: "#MF", 17: "#AC", 0x80: "INT 80H (ring 3 end)", 0x100: "watchdog",
  };
  return [...counts].sort((a, b) => a[0] - b[0])
    .map(([v, n]) => `${(names[v] ?? (v < 32 ? `vector ${v}` : `INT ${v.toString(16)}H`)).padEnd(22)} ${n}`).join("\n");
}

/** The per-chunk state hashes of a run built with `hashes`, in chunk order. */
export function parseHashes(out: string): string[] {
  return [...out.matchAll(/^h ([0-9a-f]{8})$/gm)].map((m) => m[1]);
}

export interface ChunkDump { bytes: number[]; start: number[]; end: number[] }

/** The "dump", "start" and "end" lines of a run built with `dump`. */
export function parseDump(out: string): ChunkDump | null {
  const line = (tag: string) => new RegExp(`^${tag}((?: [0-9a-f]+)+)$`, "m").exec(out)?.[1].trim().split(" ").map((h) => parseInt(h, 16));
  const bytes = line("dump"), start = line("start"), end = line("end");
  return bytes && start && end ? { bytes, start, end } : null;
}

/** The end record's fields (fuzz.asm FZ_REC), in order. */
export const END_FIELDS = ["vector", "error", "eip", "cs", "eflags", "esp", "ss", "cr2",
  "eax", "ecx", "edx", "ebx", "ebp", "esi", "edi", "ds", "es", "fs", "gs", "fcw", "fsw", "ftw"];
export const START_FIELDS = ["eax", "ecx", "edx", "ebx", "ebp", "esi", "edi"];
