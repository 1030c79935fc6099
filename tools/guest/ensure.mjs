#!/usr/bin/env node
// Makes sure public/images/ holds current guest images: runs build.mjs only when
// manifest.json is missing, a listed file is missing or does not match its
// sha256, or tools/guest itself changed since the build; then snapshot.mjs when
// the default guest's snapshot is missing or was made by another machine
// module or for another default CPU. Quiet when all is well.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { GUEST_DIR, checkImages } from './manifest.mjs';
import { snapshotCurrent } from './snapshot.mjs';

const run = (script) => spawnSync(process.execPath, [path.join(GUEST_DIR, script)], { stdio: 'inherit' }).status ?? 1;
const c = checkImages();
if (!c.ok) {
  console.log(`guest: images need building (${c.reason})`);
  const status = run('build.mjs');
  if (status !== 0) process.exit(status);
}
if (!snapshotCurrent()) {
  console.log('guest: the default guest\'s snapshot needs making');
  process.exit(run('snapshot.mjs'));
}
