; VBE 4 bpp 640x480 by the DISPI registers (vga_vbe.inc).
%define BPP 4
%define XRES 640
%define YRES 480
%include "vga_vbe.inc"
