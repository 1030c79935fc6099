#!/usr/bin/env node
// Generates asm/cpu/optable.ts (the decoder's dispatch) and docs/OPCODES.md (the
// coverage list) from the opcode map (tools/opmap.mjs, which says its format).
// A handler that no asm/cpu file exports yet makes its opcode raise #UD and is
// listed in docs/OPCODES.md as not implemented.

import { readFileSync, readdirSync, statSync, mkdirSync } from "node:fs";
import { writeIfChanged } from "./write-if-changed.mjs";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { PREFIXES, MANDATORY_PREFIXES, opcodeMap, immediateOf, emitterOf } from "./opmap.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

function scanExports() {
  const found = new Map(); // name -> module path (relative to asm/cpu, no extension)
  const dir = join(ROOT, "asm/cpu");
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) { walk(p); continue; }
      if (!f.endsWith(".ts") || f === "optable.ts") continue;
      const src = readFileSync(p, "utf8");
      for (const m of src.matchAll(/^export function (\w+)\s*\([^)]*\)\s*:\s*void/gm)) {
        if (found.has(m[1])) throw new Error(`handler ${m[1]} exported twice`);
        found.set(m[1], "./" + relative(dir, p).replace(/\.ts$/, "").replaceAll("\\", "/"));
      }
    }
  };
  walk(dir);
  return found;
}

const hex = (n, w = 2) => n.toString(16).padStart(w, "0");
const opName = (op) => (op >= 0x100 ? "0F " + hex(op & 0xff) : hex(op)).toUpperCase();

/** One row per implemented entry (as the coverage counts them): its handler and
 *  the translator's emitter, noting an emitter that serves one operand size only. */
function runners(implemented) {
  const rows = new Map();
  // in map order: opcode, group member, operand size
  const sorted = [...implemented].sort((a, b) => a[4] - b[4] || a[2] - b[2]);
  for (const [label, name, size, emit] of sorted) {
    if (!rows.has(label + name)) rows.set(label + name, { label, name, bySize: new Map() });
    rows.get(label + name).bySize.set(size, emit);
  }
  return [...rows.values()].map(({ label, name, bySize }) => {
    const emits = [...new Set(bySize.values())];
    const only = [...bySize].filter(([, e]) => e);
    const near = only.length === 2 && only[0][1] === `${only[1][1]} in 16-bit code`; // (resolve)
    const emitter = emits.length === 1 ? emits[0] ?? "" : near ? `${only[1][1]} (o16: in 16-bit code only)`
      : only.map(([s, e]) => `${e} (o${s} only)`).join(", ");
    return { label, name, emitter };
  });
}

function main() {
  const ops = opcodeMap();
  const exported = scanExports();
  const used = new Map(); // module -> Set(names)
  const missing = []; // [opcode text, handler name]
  const implemented = []; // [opcode text, handler name, operand size, translator's emitter, map order]

  const resolve = (entry, size, label, order) => {
    const name = entry.sized ? entry.handler + size : entry.handler;
    const mod = exported.get(name);
    if (!mod) { missing.push([label, name]); return null; }
    if (!used.has(mod)) used.set(mod, new Set());
    used.get(mod).add(name);
    // a near branch's 16-bit form is translated in 16-bit code alone
    const in16 = emitterOf(entry, size, true);
    const plain = emitterOf(entry, size);
    let emitter = plain ?? (in16 && `${in16} in 16-bit code`);
    const withF2 = emitterOf(entry, size, false, 0xf2), withF3 = emitterOf(entry, size, false, 0xf3);
    if (withF3 !== plain) emitter = `${emitter}; with ${withF2 === withF3 ? "REP" : "F3"} ${withF3}`;
    implemented.push([label, name, size, emitter, order]);
    return name;
  };

  const immCode = (ent) => immediateOf(ent)?.fetch ?? "";

  // Coverage counts the operand sizes of an entry apart when they behave apart
  // (two handlers, or one taking an operand-sized immediate).
  const bySize = (ent) => ent.sized || ent.flags.has("iv");
  const cases = [];
  const lockable = []; // [op, reg or -1]
  for (const size of [16, 32]) {
    for (let op = 0; op < 0x200; op++) {
      if (PREFIXES.has(op)) continue;
      const key = op | (size === 32 ? 0x200 : 0);
      const e = ops.get(op);
      if (!e) continue; // default: #UD
      // One { simple } or { group } slot: the statements that run it, or null
      // when no handler of it is written (then #UD).
      const slotCode = (slot, pfx, indent) => {
        const tag = pfx && pfx !== "NP" ? `${pfx} ` : "";
        if (slot.simple) {
          const ent = slot.simple;
          const label = tag + opName(op) + (bySize(ent) ? ` (o${size})` : "");
          const name = resolve(ent, size, label, op * 8);
          if (!name) return null;
          if (size === 16 && ent.flags.has("L")) lockable.push([op, -1]);
          const modrm = ent.flags.has("m") ? "decodeModrm(); " : "";
          return `${indent}${modrm}${immCode(ent)}${name}(${ent.args}); return;`;
        }
        const lines = [];
        for (const [reg, ent] of [...slot.group].sort((a, b) => a[0] - b[0])) {
          const label = `${tag}${opName(op)} /${reg}` + (bySize(ent) ? ` (o${size})` : "");
          const name = resolve(ent, size, label, op * 8 + reg);
          if (!name) continue;
          if (size === 16 && ent.flags.has("L")) lockable.push([op, reg]);
          lines.push(`${indent}  case ${reg}: ${immCode(ent)}${name}(${ent.args}); return;`);
        }
        if (!lines.length) return null;
        return `${indent}decodeModrm();\n${indent}switch ((modrm >> 3) & 7) {\n${lines.join("\n")}\n${indent}  default: raiseUD(); return;\n${indent}}`;
      };
      const caseKey = `    case 0x${hex(key, 3)}:`;
      if (!e.mandatory) {
        const code = slotCode(e, undefined, "      ");
        if (code) cases.push(e.simple ? `${caseKey} ${code.trim()}` : `${caseKey}\n${code}`);
        continue;
      }
      // Mandatory prefixes (opmap.mjs header): the prefix selects the entry;
      // one with no entry is #UD.
      const arms = [];
      for (const [pfx, slot] of e.mandatory) {
        const code = slotCode(slot, pfx, "        ");
        if (code) arms.push(`      if (mp == ${MANDATORY_PREFIXES.get(pfx)}) {\n${code}\n      }`);
      }
      if (arms.length) cases.push(`${caseKey} {\n      let mp = mandatoryPrefix();\n${arms.join("\n")}\n      raiseUD(); return;\n    }`);
    }
  }

  const imports = [...used].sort().map(([mod, names]) => `import { ${[...names].sort().join(", ")} } from "${mod}";`);
  const lockCases = new Map();
  for (const [op, reg] of lockable) {
    if (!lockCases.has(op)) lockCases.set(op, []);
    lockCases.get(op).push(reg);
  }
  const lockLines = [...lockCases].map(([op, regs]) =>
    regs.includes(-1)
      ? `    case 0x${hex(op, 3)}: return true;`
      : `    case 0x${hex(op, 3)}: return ${regs.map((r) => `reg == ${r}`).join(" || ")};`);

  const out = `// GENERATED by tools/gen-optable.mjs from the opcode map (tools/opmap.mjs); do not edit.
// Dispatch for one instruction after its prefixes: key = opcode (0x100 | byte for
// the 0F page) | 0x200 when the operand size is 32 bits.

import { decodeModrm, decodeMoffs, fetch8, fetch16, fetch32, fetchImmV, fetchImmSB, mandatoryPrefix, modrm, setImm } from "./decode";
import { reg8 } from "./state";
import { raiseUD } from "./fault";
${imports.join("\n")}

@inline export function dispatch(key: u32): void {
  switch (key) {
${cases.join("\n")}
    default: raiseUD(); return;
  }
}

/** LOCK is allowed only on these opcodes (and group members), and only with a
 *  memory destination (SDM vol. 2 LOCK: otherwise #UD). */
export function lockAllowed(op: u32, modrmByte: u32): bool {
  if (modrmByte >= 0xc0) return false;
  let reg = (modrmByte >> 3) & 7;
  switch (op) {
${lockLines.join("\n")}
    default: return false;
  }
}
`;
  writeIfChanged(join(ROOT, "asm/cpu/optable.ts"), out);

  // Coverage report.
  const uniq = (xs) => [...new Map(xs.map((x) => [x[0] + x[1], x])).values()];
  const undefinedOps = [];
  for (let op = 0; op < 0x200; op++) {
    if (PREFIXES.has(op) || ops.has(op)) continue;
    undefinedOps.push(opName(op));
  }
  const rows = runners(implemented);
  const md = `# Opcode coverage

Generated by \`tools/gen-optable.mjs\` (run by \`npm run build:wasm\`); do not edit.

- Opcode-map entries implemented: ${uniq(implemented).length}
- Entries in the map whose handler is not written yet (they raise #UD): ${uniq(missing).length}
- Opcodes with no entry in the map (not P6 integer instructions, or reserved; they raise #UD):
  ${undefinedOps.length}
- Entries the translator (web/jit) also compiles to wasm: ${rows.filter((r) => r.emitter).length}

## Implemented

Every entry is interpreted by its handler (asm/cpu). Where the map names an emitter
(jit=, web/jit/insns.ts), hot blocks containing it are translated to wasm; elsewhere
a block ends before it and the interpreter runs it. Entries with a mandatory prefix
(tools/opmap.mjs) are labelled with it, but for NP (no prefix: MMX); the other
prefixes on those opcodes raise #UD until an entry exists for them.

| Opcode | Interpreter handler | Translator emitter |
|---|---|---|
${rows.map((r) => `| \`${r.label}\` | ${r.name} | ${r.emitter || "-"} |`).join("\n")}

## Not implemented yet (raise #UD)

${uniq(missing).map(([l, n]) => `- \`${l}\` ${n}`).join("\n") || "(none)"}

## Not in the map (raise #UD)

${undefinedOps.join(" ")}
`;
  mkdirSync(join(ROOT, "docs"), { recursive: true });
  writeIfChanged(join(ROOT, "docs/OPCODES.md"), md);
  console.log(`optable: ${uniq(implemented).length} handlers wired, ${uniq(missing).length} missing (docs/OPCODES.md)`);
}

main();
