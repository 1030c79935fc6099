// Shared by build.mjs and ensure.mjs: where the guest images live and how to
// tell whether the ones on disk are complete and current.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const GUEST_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(GUEST_DIR, '../..');
export const IMAGES_DIR = path.join(ROOT, 'public/images');
export const MANIFEST = path.join(IMAGES_DIR, 'manifest.json');
export const CACHE_DIR = path.join(ROOT, '.cache');

// The builder's own inputs: a change to any of them makes the images stale.
const RECIPE_FILES = ['build.mjs', 'cpio.mjs', 'kmod.mjs', 'manifest.mjs', 'init.sh', 'kvm-hello/kvm-hello.c', 'kvm-hello/payload.asm', 'lab/lab.asm'];

export function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export function sha256File(file) {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let n;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

export function recipeHash() {
  const h = crypto.createHash('sha256');
  for (const f of RECIPE_FILES) {
    h.update(f + '\0');
    h.update(fs.readFileSync(path.join(GUEST_DIR, f)));
  }
  return h.digest('hex');
}

export function readManifest() {
  try {
    return JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  } catch {
    return null;
  }
}

/** @returns {{ok: true, manifest: object} | {ok: false, reason: string}} */
export function checkImages() {
  const m = readManifest();
  if (!m) return { ok: false, reason: `${path.relative(ROOT, MANIFEST)} is missing or unreadable` };
  if (!m.files || Object.keys(m.files).length === 0) return { ok: false, reason: 'manifest lists no files' };
  if (m.recipe !== recipeHash()) return { ok: false, reason: 'tools/guest changed since the images were built' };
  for (const [name, want] of Object.entries(m.files)) {
    const file = path.join(IMAGES_DIR, name);
    let st;
    try { st = fs.statSync(file); } catch { return { ok: false, reason: `${name} is missing` }; }
    if (st.size !== want.size) return { ok: false, reason: `${name} has size ${st.size}, manifest says ${want.size}` };
    if (sha256File(file) !== want.sha256) return { ok: false, reason: `${name} does not match its sha256 in the manifest` };
  }
  return { ok: true, manifest: m };
}
