; MWAIT with IF=1 is woken by IRQ0 from the 8254 through the 8259A, as HLT
; (sse.test.ts; chipset_hlt_pit.asm with MONITOR/MWAIT). Same output as qemu -cpu coreduo.
%include "lib/rom.inc"
%include "lib/hexraw.inc"
cpu prescott
main:
  mov ax, 0
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov word [8 * 4], irq0
  mov word [8 * 4 + 2], 0xf000
  mov al, 0x11
  out 0x20, al
  mov al, 0x08
  out 0x21, al
  mov al, 0x04
  out 0x21, al
  mov al, 0x01
  out 0x21, al
  mov al, 0xfe          ; only IRQ0
  out 0x21, al
  mov al, 0x34          ; counter 0 mode 2, 10 ms
  out 0x43, al
  mov al, 0x9c
  out 0x40, al
  mov al, 0x2e
  out 0x40, al
  PUTS "wait "
  push word 0x0202
  popf                  ; IF=1
  xor eax, eax
  xor ecx, ecx
  xor edx, edx
  monitor
  mwait
  PUTS "no interrupt"
  EXIT 1

irq0:
  PUTS "tick "
  mov al, 0x0b
  out 0x20, al
  in al, 0x20
  call hx8
  mov al, 0x20
  out 0x20, al
  in al, 0x20
  call hx8
  call nl
  EXIT 0
ROM_END
