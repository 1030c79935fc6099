#!/usr/bin/env node
// Builds the RingZero test guest into public/images/ from Debian's packages:
// the i686 kernel (and the 686-pae one), busybox-static for i386, SeaBIOS and
// ISOLINUX. See README.md.
//
//   node tools/guest/build.mjs [--force]
//
// Packages come from the system's apt sources with `apt-get download`, which
// checks each .deb against the signed index; the builder checks the SHA256 from
// the index again on every cached .deb. Exit codes: 0 built or already current,
// 2 a package or host tool cannot be had, 1 anything else.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { CpioWriter } from './cpio.mjs';
import { modulesDep, resolveModules } from './kmod.mjs';
import {
  CACHE_DIR, GUEST_DIR, IMAGES_DIR, MANIFEST, ROOT, checkImages, recipeHash, sha256, sha256File,
} from './manifest.mjs';

// What tests and users rely on; README.md documents the same strings.
const PROMPT = 'ringzero# ';
const READY_MARKER = 'RINGZERO-SHELL-READY';
// init_on_free=1: the kernel zeroes the pages it frees (the unpacked initramfs
// archive, boot-time buffers), so a snapshot of the machine skips them: the
// default guest at its prompt saves to about 13 MB instead of 22.
// cryptomgr.notests: the kernel skips the self-tests of its crypto algorithms at
// boot, about a third of the instructions between decompression and the shell
// (5 s of a 27 s boot). tests/system/linux-boot.test.ts boots without it once
// and checks that every self-test passes, as a test of the CPU.
const CMDLINE = 'console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1 init_on_free=1 cryptomgr.notests';
const HELLO_LINE = 'Hello from the RingZero data disk.';

const KERNEL_META = 'linux-image-686:i386';
// The PAE flavour (64-bit page tables, NX): what a Core Duo-class guest runs.
const KERNEL_PAE_META = 'linux-image-686-pae:i386';
// Drivers a disk or CD boot needs (PIIX IDE, SCSI disk/CD, ISO 9660, ext2/3/4
// through ext4) plus the checksum modules ext4 and sd look up by crypto alias,
// which the softdep walk cannot resolve by name. Dependencies are added from
// each module's .modinfo.
const WANTED_MODULES = [
  'crc32c_generic', 'crct10dif_generic', 'ata_piix', 'ata_generic', 'sd_mod', 'sr_mod', 'isofs', 'ext4',
];
// Shipped in the default guest's initramfs but loaded on demand: KVM, for
// kvm-hello (`modprobe kvm_intel`, docs/VMX.md), and the bochs DRM driver for
// the std VGA (`modprobe bochs`, which takes over from the text console or
// vesafb, as under qemu -vga std). Loading them at every boot would only cost
// time; without VMX kvm_intel refuses to load anyway.
const ON_DEMAND_MODULES = ['kvm_intel', 'bochs'];
// Fixed so the same packages give the same cpio and disk image.
const EPOCH = 1700000000;
const DISK_UUID = '52494e47-5a45-524f-8000-000000000001';

const DEBS_DIR = path.join(CACHE_DIR, 'debs');
const EXTRACT_DIR = path.join(CACHE_DIR, 'extract');

class BuildError extends Error {
  constructor(message, code = 1) { super(message); this.code = code; }
}

const log = (msg) => console.log(`guest: ${msg}`);

function run(cmd, args, { cwd, allowFail = false, quiet = false, env } = {}) {
  const r = spawnSync(cmd, args, {
    cwd, encoding: 'utf8', maxBuffer: 64 << 20, env: env ? { ...process.env, ...env } : process.env,
  });
  if (r.error) {
    if (allowFail) return { status: -1, stdout: '', stderr: String(r.error.message) };
    throw new BuildError(`${cmd}: ${r.error.message}`);
  }
  if (r.status !== 0 && !allowFail) {
    const err = (r.stderr || r.stdout || '').trim().split('\n').slice(-5).join('\n');
    throw new BuildError(`${cmd} ${args.join(' ')} failed (exit ${r.status})${err ? `:\n${err}` : ''}`);
  }
  if (!quiet && r.stderr && r.status === 0 && !allowFail) process.stderr.write(r.stderr);
  return r;
}

const isRoot = () => process.getuid?.() === 0;
const hasCommand = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

// ---- host setup ----------------------------------------------------------

function ensureHostTools() {
  const needed = { 'apt-get': 'apt', 'apt-cache': 'apt', 'dpkg-deb': 'dpkg', xorriso: 'xorriso', mke2fs: 'e2fsprogs', debugfs: 'e2fsprogs', gcc: 'gcc', nasm: 'nasm' };
  const missing = [...new Set(Object.entries(needed).filter(([c]) => !hasCommand(c)).map(([, p]) => p))];
  if (missing.length === 0) return;
  if (!isRoot() || !hasCommand('apt-get')) {
    throw new BuildError(`missing host tools; install the Debian package(s): ${missing.join(' ')}`, 2);
  }
  log(`installing host tools: apt-get install -y ${missing.join(' ')}`);
  const r = run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { allowFail: true });
  if (r.status !== 0) throw new BuildError(`cannot install host package(s) ${missing.join(' ')} with apt-get`, 2);
}

let aptUpdated = false;
function aptUpdate() {
  log('running: apt-get update');
  const r = run('apt-get', ['update'], { allowFail: true });
  aptUpdated = true;
  // A mirror hiccup on one index (e.g. bookworm-security) makes apt exit 100
  // while the lists we need are fine; the package lookups decide.
  if (r.status !== 0) {
    const why = `${r.stderr}`.split('\n').find((l) => l.startsWith('E:')) ?? '';
    log(`apt-get update exited ${r.status}; continuing with the lists apt has${why ? ` (${why.slice(0, 160)})` : ''}`);
  }
}

function ensureI386() {
  const foreign = run('dpkg', ['--print-foreign-architectures']).stdout.split(/\s+/);
  if (foreign.includes('i386') || run('dpkg', ['--print-architecture']).stdout.trim() === 'i386') return;
  if (!isRoot()) {
    throw new BuildError('the i386 architecture is not enabled; run as root: dpkg --add-architecture i386 && apt-get update', 2);
  }
  log('enabling the i386 architecture: dpkg --add-architecture i386');
  run('dpkg', ['--add-architecture', 'i386']);
  aptUpdate();
}

// ---- packages --------------------------------------------------------------

/** The candidate version's index stanza, or null when apt does not know the package. */
function aptShow(pkg) {
  const r = run('apt-cache', ['show', '--no-all-versions', pkg], { allowFail: true });
  if (r.status !== 0 || !r.stdout.trim()) return null;
  const fields = {};
  for (const line of r.stdout.split('\n\n')[0].split('\n')) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (m) fields[m[1]] = m[2];
  }
  return fields.Package && fields.Version && fields.SHA256 ? fields : null;
}

/** Looks a package up, refreshing the apt lists once if it is unknown. */
function lookup(pkg) {
  let info = aptShow(pkg);
  if (!info && !aptUpdated && isRoot()) {
    aptUpdate();
    info = aptShow(pkg);
  }
  if (!info) throw new BuildError(`package ${pkg} is not available from the configured apt sources`, 2);
  return info;
}

/** The real kernel package a metapackage depends on (linux-image-686 ->
 *  linux-image-6.1.0-N-686). */
function resolveKernelPackage(meta) {
  const flavour = meta.replace(/^linux-image-/, '').replace(/:.*/, '');
  const re = new RegExp(`Depends:\\s*(linux-image-[0-9][^\\s:]*-${flavour})(:i386)?\\s`);
  let dep = re.exec(run('apt-cache', ['depends', meta], { allowFail: true }).stdout ?? '');
  if (!dep && !aptUpdated && isRoot()) {
    aptUpdate();
    dep = re.exec(run('apt-cache', ['depends', meta], { allowFail: true }).stdout ?? '');
  }
  if (!dep) throw new BuildError(`package ${meta} is not available (cannot resolve the real kernel package)`, 2);
  return `${dep[1]}:i386`;
}

/** Downloads (or reuses from .cache/debs) the candidate .deb and checks its SHA256. */
function fetchDeb(pkg) {
  const info = lookup(pkg);
  const arch = info.Architecture;
  const file = path.join(DEBS_DIR, `${info.Package}_${info.Version.replace(/:/g, '%3a')}_${arch}.deb`);
  fs.mkdirSync(DEBS_DIR, { recursive: true });
  if (fs.existsSync(file) && sha256File(file) === info.SHA256) {
    log(`cached ${path.basename(file)}`);
  } else {
    log(`downloading ${info.Package} ${info.Version} (${arch})`);
    const spec = `${info.Package}${arch === 'all' ? '' : `:${arch}`}=${info.Version}`;
    const r = run('apt-get', ['download', '-q', '-o', 'APT::Sandbox::User=root', spec], { cwd: DEBS_DIR, allowFail: true });
    if (r.status !== 0 || !fs.existsSync(file)) {
      const why = (r.stderr || '').trim().split('\n').filter((l) => l.startsWith('E:')).pop() ?? `exit ${r.status}`;
      throw new BuildError(`package ${pkg} could not be downloaded: ${why}`, 2);
    }
    const got = sha256File(file);
    if (got !== info.SHA256) {
      fs.rmSync(file);
      throw new BuildError(`package ${pkg}: downloaded file has sha256 ${got}, the apt index says ${info.SHA256}`, 2);
    }
  }
  return { name: info.Package, version: info.Version, architecture: arch, sha256: info.SHA256, deb: file };
}

/** dpkg-deb -x into .cache/extract/<deb stem>/, reused while the marker matches. */
function extract(pkg) {
  const dir = path.join(EXTRACT_DIR, path.basename(pkg.deb, '.deb'));
  const marker = path.join(dir, '.extracted-sha256');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === pkg.sha256) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  run('dpkg-deb', ['-x', pkg.deb, dir]);
  fs.writeFileSync(marker, pkg.sha256);
  return dir;
}

// ---- images ----------------------------------------------------------------

function findOne(dir, re, what) {
  const hits = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => re.test(f)) : [];
  if (hits.length !== 1) throw new BuildError(`expected one ${what} in ${dir}, found ${hits.length}`);
  return path.join(dir, hits[0]);
}

function busyboxApplets(busybox) {
  // The build host usually runs i386 static binaries (IA-32 emulation); when it
  // cannot, /init runs `busybox --install -s` at boot instead.
  const r = spawnSync(busybox, ['--list-full'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout) {
    log('cannot run the i386 busybox here; the guest /init will install the applet links at boot');
    return [];
  }
  return r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
}

// kvm-hello (tools/guest/kvm-hello/): its nested guest assembled by nasm, then
// the program by gcc -m32 without a C library, so an amd64 build host needs no
// i386 libc. Returns the static i386 executable.
function buildKvmHello(stage) {
  const src = path.join(GUEST_DIR, 'kvm-hello');
  const payload = path.join(stage, 'kvm-payload.bin');
  const exe = path.join(stage, 'kvm-hello');
  run('nasm', ['-f', 'bin', '-o', payload, path.join(src, 'payload.asm')]);
  const r = run('gcc', [
    '-m32', '-static', '-nostdlib', '-ffreestanding', '-fno-pie', '-no-pie', '-fno-stack-protector',
    '-fno-asynchronous-unwind-tables', '-Os', '-Wall', '-Werror', `-DPAYLOAD_BIN="${payload}"`,
    '-Wl,--build-id=none', '-o', exe, path.join(src, 'kvm-hello.c'),
  ], { allowFail: true });
  if (r.status !== 0) throw new BuildError(`gcc -m32 cannot build tools/guest/kvm-hello/kvm-hello.c: ${(r.stderr || '').trim().split('\n').slice(-3).join(' ')}`);
  return fs.readFileSync(exe);
}

function buildInitramfs({ kernelDir, kver, busyboxDir, busyboxVersion, guestVersion, onDemand = [], extraFiles = {} }) {
  const cpio = new CpioWriter(EPOCH);
  for (const d of ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'mnt', 'cdrom']) cpio.dir(d);
  // The kernel opens /dev/console before running /init (init/main.c
  // console_on_rootfs); the archive must provide the node.
  cpio.charDevice('dev/console', 5, 1, 0o600);
  cpio.charDevice('dev/null', 1, 3, 0o666);

  const busybox = path.join(busyboxDir, 'bin/busybox');
  cpio.file('bin/busybox', fs.readFileSync(busybox), 0o755);
  const applets = busyboxApplets(busybox);
  for (const a of applets) {
    if (a === 'bin/busybox' || cpio.has(a)) continue;
    cpio.mkdirp(path.posix.dirname(a));
    cpio.symlink(a, '/bin/busybox');
  }

  const modDir = path.join(kernelDir, 'lib/modules', kver);
  const { order } = resolveModules(modDir, WANTED_MODULES);
  // On-demand modules and their dependencies, after the boot-time ones in
  // modules.dep so modprobe finds them; /init does not load them.
  const bootRels = new Set(order.map((m) => m.rel));
  const extra = onDemand.length ? resolveModules(modDir, onDemand).order.filter((m) => !bootRels.has(m.rel)) : [];
  const base = `lib/modules/${kver}`;
  cpio.mkdirp(base);
  for (const m of [...order, ...extra]) {
    cpio.mkdirp(path.posix.join(base, path.posix.dirname(m.rel)));
    cpio.file(path.posix.join(base, m.rel), fs.readFileSync(path.join(modDir, m.rel)));
  }
  cpio.file(`${base}/modules.dep`, modulesDep([...order, ...extra]));
  for (const [name, { data, mode }] of Object.entries(extraFiles)) {
    cpio.mkdirp(path.posix.dirname(name));
    cpio.file(name, data, mode);
  }
  for (const f of ['modules.builtin', 'modules.order']) {
    if (fs.existsSync(path.join(modDir, f))) cpio.file(`${base}/${f}`, fs.readFileSync(path.join(modDir, f)));
  }

  cpio.file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
  cpio.file('etc/group', 'root:x:0:\n');
  cpio.file('etc/hostname', 'ringzero\n');

  const init = fs.readFileSync(path.join(GUEST_DIR, 'init.sh'), 'utf8')
    .replaceAll('@MODULES@', order.map((m) => m.rel).join(' '))
    .replaceAll('@PROMPT@', PROMPT)
    .replaceAll('@READY_MARKER@', READY_MARKER)
    .replaceAll('@BUSYBOX_VERSION@', busyboxVersion)
    .replaceAll('@GUEST_VERSION@', guestVersion);
  if (/@[A-Z_]+@/.test(init)) throw new BuildError(`init.sh has an unfilled placeholder: ${/@[A-Z_]+@/.exec(init)[0]}`);
  cpio.file('init', init, 0o755);

  const raw = cpio.toBuffer();
  return {
    data: zlib.gzipSync(raw, { level: 9 }),
    modules: order.map((m) => m.name),
    onDemand: extra.map((m) => m.name),
    applets: applets.length,
    rawSize: raw.length,
  };
}

function buildDisk(stage, out) {
  const dir = path.join(stage, 'disk-root');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'hello.txt'), `${HELLO_LINE}\n`);
  for (const f of [...fs.readdirSync(dir), '.']) fs.utimesSync(path.join(dir, f), EPOCH, EPOCH);
  // 4 MiB, 1 KiB blocks, ext2: small, and every kernel mounts it (through ext4 here).
  run('mke2fs', [
    '-q', '-F', '-t', 'ext2', '-b', '1024', '-O', '^resize_inode', '-L', 'RINGZERO', '-U', DISK_UUID,
    '-E', `root_owner=0:0,hash_seed=${DISK_UUID}`, '-d', dir, out, '4096',
  ], { env: { E2FSPROGS_FAKE_TIME: String(EPOCH) } });
  // mke2fs -d copies each file's ctime, which no one can set on the host; pin it.
  for (const f of fs.readdirSync(dir)) {
    run('debugfs', ['-w', '-R', `set_inode_field /${f} ctime @${EPOCH}`, out], { quiet: true, env: { E2FSPROGS_FAKE_TIME: String(EPOCH) } });
  }
}

function buildIso(stage, out, { bzImage, initramfs, isolinuxDir, syslinuxDir }) {
  const root = path.join(stage, 'iso-root');
  fs.mkdirSync(path.join(root, 'isolinux'), { recursive: true });
  fs.mkdirSync(path.join(root, 'boot'), { recursive: true });
  fs.copyFileSync(path.join(isolinuxDir, 'usr/lib/ISOLINUX/isolinux.bin'), path.join(root, 'isolinux/isolinux.bin'));
  // isolinux.bin loads its core from ldlinux.c32 beside it (syslinux 5+).
  fs.copyFileSync(path.join(syslinuxDir, 'usr/lib/syslinux/modules/bios/ldlinux.c32'), path.join(root, 'isolinux/ldlinux.c32'));
  fs.copyFileSync(bzImage, path.join(root, 'boot/vmlinuz'));
  fs.writeFileSync(path.join(root, 'boot/initrd.gz'), initramfs);
  fs.writeFileSync(path.join(root, 'isolinux/isolinux.cfg'), [
    'SERIAL 0 115200', // must be the first directive
    'DEFAULT ringzero',
    'PROMPT 0',
    'TIMEOUT 0',
    'LABEL ringzero',
    '  KERNEL /boot/vmlinuz',
    '  INITRD /boot/initrd.gz',
    `  APPEND ${CMDLINE}`,
    '',
  ].join('\n'));
  // File dates go into the directory records; pin them (SOURCE_DATE_EPOCH below covers the volume dates).
  const pin = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) pin(path.join(d, e.name));
    fs.utimesSync(d, EPOCH, EPOCH);
    for (const e of fs.readdirSync(d)) fs.utimesSync(path.join(d, e), EPOCH, EPOCH);
  };
  pin(root);
  run('xorriso', [
    '-as', 'mkisofs', '-quiet', '-o', out, '-V', 'RINGZERO', '-R', '-J',
    '-b', 'isolinux/isolinux.bin', '-c', 'isolinux/boot.cat',
    '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table', root,
  ], { quiet: true, env: { SOURCE_DATE_EPOCH: String(EPOCH) } });
}

// A demo's disk from its nasm source (tools/guest/<name>/<name>.asm: a boot
// sector and what it loads), padded to 64 KiB so that it is a whole number of
// sectors on any BIOS.
function buildBootDisk(stage, name) {
  const out = path.join(stage, `${name}.img`);
  run('nasm', ['-f', 'bin', '-o', out, path.join(GUEST_DIR, name, `${name}.asm`)]);
  const size = fs.statSync(out).size;
  if (size > 64 * 1024) throw new BuildError(`${name}.img is ${size} bytes, more than its 64 KiB disk`);
  fs.truncateSync(out, 64 * 1024);
}

// ---- main ------------------------------------------------------------------

function build() {
  const started = Date.now();
  ensureHostTools();
  ensureI386();

  const pkgs = {
    kernel: fetchDeb(resolveKernelPackage(KERNEL_META)),
    kernelPae: fetchDeb(resolveKernelPackage(KERNEL_PAE_META)),
    busybox: fetchDeb('busybox-static:i386'),
    seabios: fetchDeb('seabios'),
    isolinux: fetchDeb('isolinux'),
    syslinux: fetchDeb('syslinux-common'),
    memtest: fetchDeb('memtest86+:i386'),
  };
  const dirs = Object.fromEntries(Object.entries(pkgs).map(([k, p]) => [k, extract(p)]));

  const vmlinuz = findOne(path.join(dirs.kernel, 'boot'), /^vmlinuz-/, 'kernel image');
  const kver = path.basename(vmlinuz).slice('vmlinuz-'.length);
  const vmlinuzPae = findOne(path.join(dirs.kernelPae, 'boot'), /^vmlinuz-/, 'PAE kernel image');
  const kverPae = path.basename(vmlinuzPae).slice('vmlinuz-'.length);
  const seabiosDir = path.join(dirs.seabios, 'usr/share/seabios');

  fs.mkdirSync(IMAGES_DIR, { recursive: true });
  const stage = fs.mkdtempSync(path.join(IMAGES_DIR, '.stage-'));
  try {
    const outputs = {};
    const put = (name, from, source) => {
      const dst = path.join(stage, name);
      if (Buffer.isBuffer(from)) fs.writeFileSync(dst, from); else if (from) fs.copyFileSync(from, dst);
      outputs[name] = source;
    };

    put('bzImage', vmlinuz, `${pkgs.kernel.name} ${pkgs.kernel.version}: /boot/${path.basename(vmlinuz)}`);
    const initrd = buildInitramfs({
      kernelDir: dirs.kernel, kver, busyboxDir: dirs.busybox,
      busyboxVersion: pkgs.busybox.version, guestVersion: recipeHash().slice(0, 12),
      onDemand: ON_DEMAND_MODULES, extraFiles: { 'usr/bin/kvm-hello': { data: buildKvmHello(stage), mode: 0o755 } },
    });
    log(`initramfs: ${initrd.modules.length} modules (+ ${initrd.onDemand.join(', ')} on demand), kvm-hello, ${initrd.applets} applet links, ${initrd.rawSize} bytes before gzip`);
    put('initrd.img', initrd.data, `busybox ${pkgs.busybox.version} + modules of ${kver} + tools/guest/init.sh`);
    // The PAE kernel gets its own initramfs (its modules; the default guest's
    // stays as small as it was): same busybox, same /init.
    put('bzImage-pae', vmlinuzPae, `${pkgs.kernelPae.name} ${pkgs.kernelPae.version}: /boot/${path.basename(vmlinuzPae)}`);
    const initrdPae = buildInitramfs({
      kernelDir: dirs.kernelPae, kver: kverPae, busyboxDir: dirs.busybox,
      busyboxVersion: pkgs.busybox.version, guestVersion: recipeHash().slice(0, 12),
    });
    put('initrd-pae.img', initrdPae.data, `busybox ${pkgs.busybox.version} + modules of ${kverPae} + tools/guest/init.sh`);
    buildDisk(stage, path.join(stage, 'disk.img'));
    put('disk.img', null, `ext2 (mke2fs -d) with /hello.txt`);
    buildIso(stage, path.join(stage, 'cdrom.iso'), {
      bzImage: vmlinuz, initramfs: initrd.data, isolinuxDir: dirs.isolinux, syslinuxDir: dirs.syslinux,
    });
    put('cdrom.iso', null, `El Torito no-emulation ISOLINUX (${pkgs.isolinux.version}) boot of bzImage + initramfs`);
    put('bios.bin', path.join(seabiosDir, 'bios.bin'), `seabios ${pkgs.seabios.version}: bios.bin (128 KiB)`);
    put('bios-256k.bin', path.join(seabiosDir, 'bios-256k.bin'), `seabios ${pkgs.seabios.version}: bios-256k.bin`);
    put('vgabios.bin', path.join(seabiosDir, 'vgabios-stdvga.bin'), `seabios ${pkgs.seabios.version}: vgabios-stdvga.bin (Bochs/QEMU std VGA)`);
    // Memtest86+ speaks the Linux boot protocol: booted directly with vga= it
    // draws on the VESA framebuffer that screen_info describes (the gallery's demo).
    put('memtest.bin', path.join(dirs.memtest, 'boot/memtest86+ia32.bin'), `memtest86+ ${pkgs.memtest.version}: /boot/memtest86+ia32.bin`);
    buildBootDisk(stage, 'lab');
    put('lab.img', null, 'tools/guest/lab/lab.asm (nasm): a boot sector and a protected-mode tour');
    buildBootDisk(stage, 'paint');
    put('paint.img', null, 'tools/guest/paint/paint.asm (nasm): a boot sector painting in VGA mode 13h');

    const files = {};
    for (const [name, source] of Object.entries(outputs)) {
      const f = path.join(stage, name);
      files[name] = { size: fs.statSync(f).size, sha256: sha256File(f), source };
    }
    const manifest = {
      generator: 'tools/guest/build.mjs',
      recipe: recipeHash(),
      kernelVersion: kver,
      cmdline: CMDLINE,
      prompt: PROMPT,
      readyMarker: READY_MARKER,
      // init.sh's clock agent: the host writes "<unix seconds>\n" here after a restore.
      clockAgent: 'ttyS1',
      disk: { device: '/dev/sda', fstype: 'ext2', file: '/hello.txt', line: HELLO_LINE },
      vgabios: 'vgabios-stdvga.bin',
      modules: initrd.modules,
      // In the initramfs, not loaded at boot: `modprobe kvm_intel`, then kvm-hello.
      kvm: { modules: initrd.onDemand, program: '/usr/bin/kvm-hello' },
      // Debian's 686-pae kernel with the same command line, prompt and marker.
      pae: { kernelVersion: kverPae, kernel: 'bzImage-pae', initrd: 'initrd-pae.img', modules: initrdPae.modules },
      memtest: { kernel: 'memtest.bin', append: 'vga=0x344' },
      // The gallery's ?demo=lab: a hard disk for SeaBIOS to boot.
      lab: { hda: 'lab.img' },
      // The gallery's ?demo=paint: VGA mode 13h and the keyboard through the BIOS.
      paint: { hda: 'paint.img' },
      packages: Object.values(pkgs).map(({ name, version, architecture, sha256: s }) => ({ name, version, architecture, sha256: s })),
      files,
    };

    // Swap in: manifest last, so a reader never sees a manifest for files that are not there yet.
    fs.rmSync(MANIFEST, { force: true });
    for (const name of Object.keys(files)) fs.renameSync(path.join(stage, name), path.join(IMAGES_DIR, name));
    fs.writeFileSync(MANIFEST, JSON.stringify(manifest, null, 2) + '\n');

    for (const [name, f] of Object.entries(files)) log(`${name.padEnd(18)} ${String(f.size).padStart(9)}  ${f.sha256.slice(0, 16)}`);
    log(`kernel ${kver}; cmdline "${CMDLINE}"`);
    log(`built ${path.relative(ROOT, IMAGES_DIR)}/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--force');
  if (unknown.length) {
    console.error(`guest: unknown argument ${unknown[0]} (usage: node tools/guest/build.mjs [--force])`);
    process.exit(1);
  }
  if (!args.includes('--force')) {
    const c = checkImages();
    if (c.ok) {
      log(`images in ${path.relative(ROOT, IMAGES_DIR)}/ are up to date (kernel ${c.manifest.kernelVersion}); nothing to do (--force rebuilds)`);
      return;
    }
    log(`building: ${c.reason}`);
  }
  try {
    build();
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    console.error(`guest: error: ${e.message}`);
    process.exit(e.code);
  }
}

main();
