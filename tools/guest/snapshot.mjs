#!/usr/bin/env node
// The default guest at its shell prompt as a machine snapshot, for the page's
// instant boot: boots public/images' Linux with the ringzero command (the same
// images and settings the page uses), waits for the prompt, and saves the
// machine with the monitor's `migrate file:` into public/images/default.rzstate.
// manifest.json then names it ("snapshot") with the machine module it was made
// by ("snapshotMachine") and the CPU models' file ("snapshotCpu": it names the
// default model, which the snapshot's -cpu must match): ensure.mjs makes it
// again when either changes. The format is docs/SNAPSHOT.md.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, IMAGES_DIR, MANIFEST, readManifest, sha256File } from './manifest.mjs';

export const SNAPSHOT = 'default.rzstate';
const WASM = path.join(ROOT, 'build/ringzero.wasm');
const CPU_MODELS = path.join(ROOT, 'web/host/cpumodel.ts');
const TIMEOUT_MS = 300_000;

export function snapshotCurrent(m = readManifest()) {
  return !!m && m.snapshot === SNAPSHOT && fs.existsSync(path.join(IMAGES_DIR, SNAPSHOT)) &&
    fs.existsSync(WASM) && m.snapshotMachine === sha256File(WASM) && m.snapshotCpu === sha256File(CPU_MODELS);
}

async function main() {
  const m = readManifest();
  if (!m) throw new Error('public/images/manifest.json is missing: build the images first (node tools/guest/build.mjs)');
  if (!fs.existsSync(WASM)) throw new Error('build/ringzero.wasm is missing: run npm run build:wasm');
  execFileSync(process.execPath, [path.join(ROOT, 'tools/build-cli.mjs')], { cwd: ROOT });
  const started = Date.now();
  const out = path.join(IMAGES_DIR, SNAPSHOT);
  const tmp = `${out}.part`;
  fs.rmSync(tmp, { force: true });
  // The page's default machine: 128 MiB, the default guest (no image flags), real time.
  const vm = spawn(process.execPath, [path.join(ROOT, 'bin/ringzero.mjs'), '-m', '128', '-nographic'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let text = '';
  vm.stdout.on('data', (d) => { text += d.toString('latin1'); });
  vm.stderr.on('data', (d) => { text += d.toString('latin1'); });
  const waitFor = async (s, from) => {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const i = text.indexOf(s, from);
      if (i >= 0) return i + s.length;
      if (vm.exitCode !== null || Date.now() > deadline) {
        throw new Error(`waiting for ${JSON.stringify(s)}: ${vm.exitCode !== null ? `ringzero exited with ${vm.exitCode}` : 'timed out'}; last output:\n${text.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    let at = await waitFor(`${m.readyMarker}\r\n`, 0);
    at = await waitFor(m.prompt, at);
    // Let the shell settle at its prompt (the terminal-size query after it).
    await new Promise((r) => setTimeout(r, 1500));
    vm.stdin.write('\x01c'); // Ctrl-A c: the monitor
    at = await waitFor('(qemu) ', at);
    vm.stdin.write(`migrate file:${tmp}\r`);
    at = await waitFor('(qemu) ', at);
    if (!fs.existsSync(tmp)) throw new Error(`migrate did not write the snapshot; monitor said:\n${text.slice(-500)}`);
    vm.stdin.write('\x01x'); // Ctrl-A x: quit
  } finally {
    setTimeout(() => vm.kill('SIGKILL'), 5000).unref();
  }
  fs.renameSync(tmp, out);
  const manifest = { ...readManifest(), snapshot: SNAPSHOT, snapshotMachine: sha256File(WASM), snapshotCpu: sha256File(CPU_MODELS) };
  fs.writeFileSync(MANIFEST, JSON.stringify(manifest, null, 2) + '\n');
  console.log(`guest: ${SNAPSHOT} (${(fs.statSync(out).size / 1e6).toFixed(1)} MB), the default guest at its prompt, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => { console.error(`guest: snapshot: ${e.message}`); process.exit(1); });
}
