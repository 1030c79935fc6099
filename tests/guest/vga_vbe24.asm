; VBE 24 bpp 320x200 by the DISPI registers (vga_vbe.inc).
%define BPP 24
%define XRES 320
%define YRES 200
%include "vga_vbe.inc"
