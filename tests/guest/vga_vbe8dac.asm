; VBE 8 bpp 800x600 with the 8-bit DAC (vga_vbe.inc).
%define BPP 8
%define XRES 800
%define YRES 600
%define DAC8
%include "vga_vbe.inc"
