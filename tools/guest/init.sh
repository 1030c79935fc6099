#!/bin/busybox sh
# /init of the RingZero test guest (generated into initramfs.cpio.gz by
# tools/guest/build.mjs, which fills in the at-sign placeholders).
# PID 1: mounts the kernel filesystems, loads the disk/CD drivers, then runs a
# shell with a controlling tty on the console. Tests wait for the marker line
# and the fixed prompt; keep both in sync with tools/guest/README.md.

export PATH=/sbin:/bin:/usr/sbin:/usr/bin
export HOME=/root
export TERM=linux

# Applet symlinks are in the archive when the build host could list them (it
# needs IA-32 emulation to run the i386 busybox); otherwise make them now. The
# interpreter line names busybox itself, since /bin/sh may not exist yet.
[ -e /bin/mount ] || /bin/busybox --install -s

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /tmp /mnt /cdrom
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
# The kernel opened /dev/console from the archive; reopen it on devtmpfs.
exec </dev/console >/dev/console 2>&1

echo
echo "RingZero guest @GUEST_VERSION@ (Linux $(uname -r), busybox @BUSYBOX_VERSION@)"

# Disk and CD-ROM drivers, dependencies first. A missing controller is not an
# error (the module just finds no device), so failures stay quiet.
for m in @MODULES@; do
  insmod "/lib/modules/$(uname -r)/$m" 2>/dev/null
done
# No settle loop needed: the kernel finishes a module's async probes (libata
# port probe, SCSI scan, sd/sr attach) before insmod returns.

# Clock agent: after restoring a snapshot of this guest (docs/SNAPSHOT.md) the
# host writes the Unix time in seconds and a newline to COM2, and the clock is
# set from it: the guest's date is the host's, not the date the snapshot was
# taken. The port stays open, so nothing written to it is lost; a line that is
# not a number is ignored.
if [ -e /dev/ttyS1 ]; then
  (
    stty -F /dev/ttyS1 raw -echo 2>/dev/null
    while read -r t; do
      case "$t" in ''|*[!0-9]*) ;; *) date -s "@$t" >/dev/null ;; esac
    done </dev/ttyS1
  ) &
fi

hostname ringzero
# The boot log went to the console in full; from here on only warnings and
# worse (levels 0-4), so informational messages (e.g. "EXT4-fs (sda): mounting
# ...") do not land in the middle of shell output. dmesg shows everything.
dmesg -n 5
export PS1='@PROMPT@'
# A framebuffer console (booted with vga= and a VESA mode, e.g. the page's
# ?demo=fb): the screen and the PS/2 keyboard are on the first virtual
# terminal, so a second shell runs there, with tty1 as its controlling terminal
# (setsid -c), started again when it exits. The serial shell below stays as it is.
if [ -e /dev/fb0 ] && [ -e /dev/tty1 ]; then
  ( while :; do setsid -c sh </dev/tty1 >/dev/tty1 2>&1; sleep 1; done ) &
fi
echo "@READY_MARKER@"
# setsid: a new session; cttyhack opens the console's real tty (ttyS0 when
# console=ttyS0) as the controlling terminal, so job control and ^C work.
setsid cttyhack sh
echo "shell exited; powering off"
poweroff -f
