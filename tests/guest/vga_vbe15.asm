; VBE 15 bpp 320x240 by the DISPI registers (vga_vbe.inc).
%define BPP 15
%define XRES 320
%define YRES 240
%include "vga_vbe.inc"
