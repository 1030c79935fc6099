// The npm package as a user installs it, for tests/system/package.test.ts and
// tests/e2e/embed.test.ts: `npm pack` (prepare builds the wasm, prepack the
// bundles), then the tarball installed into `dir` without the network. The
// package's dependencies (xterm.js, its fit addon, Comlink) are packed from this
// checkout's node_modules and installed with it, so npm needs no registry.

import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./serial-guest";

const DEPENDENCIES = ["@xterm/xterm", "@xterm/addon-fit", "comlink"];

const npm = (args: string[], cwd: string) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

export function installPackedPackage(dir: string): void {
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "embed-check", private: true, type: "module" }));
  npm(["pack", "--pack-destination", dir], ROOT);
  for (const d of DEPENDENCIES) npm(["pack", "--ignore-scripts", "--pack-destination", dir], join(ROOT, "node_modules", d));
  const tarballs = readdirSync(dir).filter((f) => f.endsWith(".tgz")).map((f) => `./${f}`);
  npm(["install", "--offline", "--no-audit", "--no-fund", ...tarballs], dir);
}
