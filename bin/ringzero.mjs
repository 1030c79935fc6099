#!/usr/bin/env node
// The `ringzero` command: runs the bundle that `npm run build:cli` (part of
// npm install) writes to build/cli/ringzero.mjs.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const bundle = join(dirname(fileURLToPath(import.meta.url)), "../build/cli/ringzero.mjs");
if (!existsSync(bundle)) {
  process.stderr.write(`ringzero: ${bundle} is missing: run npm run build:cli (or npm install)\n`);
  process.exit(2);
}
await import(pathToFileURL(bundle).href);
