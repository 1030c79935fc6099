#!/usr/bin/env node
// Makes sure public/images/ holds current guest images: runs build.mjs only when
// manifest.json is missing, a listed file is missing or does not match its
// sha256, or tools/guest itself changed since the build. Quiet when all is well.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { GUEST_DIR, checkImages } from './manifest.mjs';

const c = checkImages();
if (!c.ok) {
  console.log(`guest: images need building (${c.reason})`);
  const r = spawnSync(process.execPath, [path.join(GUEST_DIR, 'build.mjs')], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
