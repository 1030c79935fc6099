#!/usr/bin/env node
// Self-time summary of a V8 CPU profile of the micro-benchmarks, with wasm
// function indices named from build/ringzero.wat (the release wasm carries no
// name section, so the profile only says wasm-function[N]).
//
//   node --cpu-prof --cpu-prof-dir=build/prof --import tsx tools/bench/micro.ts -n 1
//   node tools/bench/micro-prof.mjs build/prof [TOP]
//
// Binaryen inlines most handlers into the run loop, so per-instruction detail
// needs an instruction-level profile instead:
//   perf record -e cpu-clock -k mono node --perf-prof --import tsx tools/bench/micro.ts -n 1
//   perf inject --jit -i perf.data -o perf.jit.data && perf annotate -i perf.jit.data

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const dir = process.argv[2] ?? join(ROOT, "build/prof");
const top = Number(process.argv[3] ?? 30);

const wat = readFileSync(join(ROOT, "build/ringzero.wat"), "utf8");
const imported = [...wat.matchAll(/^ \(import "[^"]*" "[^"]*" \(func /gm)].length;
const names = [...wat.matchAll(/^ \(func \$(\S+)/gm)].map((m) => m[1]);
const nameOf = (i) => names[i - imported] ?? `wasm-function[${i}]`;

const file = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))
  .map((f) => join(dir, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
if (!file) throw new Error(`no .cpuprofile in ${dir}`);
const p = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  const f = byId.get(id).callFrame;
  const m = /^wasm-function\[(\d+)\]$/.exec(f.functionName);
  const key = m ? nameOf(Number(m[1])) : `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
}
