; VBE 32 bpp 1280x1024 by the DISPI registers (vga_vbe.inc): the largest mode
; issue 16 names (QEMU's std VGA offers it as VBE mode 145h), 5 MiB of the
; 16 MiB of video memory.
%define BPP 32
%define XRES 1280
%define YRES 1024
%include "vga_vbe.inc"
