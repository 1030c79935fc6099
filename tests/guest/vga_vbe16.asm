; VBE 16 bpp 400x300 by the DISPI registers (vga_vbe.inc).
%define BPP 16
%define XRES 400
%define YRES 300
%include "vga_vbe.inc"
