// `npm run build:wasm`: the generated sources (tools/gen-*.mjs), the machine's
// wasm (asc, asconfig.json's release target: build/ringzero.wasm), then the
// command line's bundle (tools/build-cli.mjs).
//
// asc takes minutes, and npm install (prepare), npm test and npm start all run
// this: the compile is skipped when build/ringzero.wasm was made from the same
// inputs - every file under asm/ (the generated ones included), asconfig.json and
// the compiler's version - whose hash is kept beside it in
// build/ringzero.wasm.inputs. `--debug` also builds build/ringzero.debug.wasm
// (assertions on; tests/unit/machine.ts runs on it with RZ_WASM), the same way.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const node = (script) => execFileSync(process.execPath, [join(ROOT, script)], { cwd: ROOT, stdio: "inherit" });

for (const gen of ["tools/gen-alu.mjs", "tools/gen-optable.mjs", "tools/gen-jit-constants.mjs"]) node(gen);

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]);
}
const inputs = createHash("sha256");
for (const f of [...files(join(ROOT, "asm")), join(ROOT, "asconfig.json")].sort()) {
  inputs.update(relative(ROOT, f)).update("\0").update(readFileSync(f)).update("\0");
}
const asc = join(ROOT, "node_modules/assemblyscript");
inputs.update(JSON.parse(readFileSync(join(asc, "package.json"), "utf8")).version);
const hash = inputs.digest("hex");

const targets = ["release", ...(process.argv.includes("--debug") ? ["debug"] : [])];
mkdirSync(join(ROOT, "build"), { recursive: true });
for (const target of targets) {
  const out = join(ROOT, target === "release" ? "build/ringzero.wasm" : "build/ringzero.debug.wasm");
  const stamp = `${out}.inputs`;
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === hash) {
    console.log(`build:wasm: ${relative(ROOT, out)} is up to date with asm/ (${hash.slice(0, 12)})`);
    continue;
  }
  const t0 = Date.now();
  execFileSync(process.execPath, [join(asc, "bin/asc.js"), "asm/index.ts", "--target", target], { cwd: ROOT, stdio: "inherit" });
  writeFileSync(stamp, hash + "\n");
  console.log(`build:wasm: ${relative(ROOT, out)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
node("tools/build-cli.mjs");
