; A halted guest taking a periodic timer: the 8254 in mode 2 at 1193 counts
; (999.85 us) through the 8259A; each IRQ0 stores the TSC's low half at
; 0x8000 + 4 * n and counts n at 0x7ff0, then the CPU halts again. Exits after
; the number of ticks at 0x7ff2 (60, unless the host writes another while the
; guest halts; at most 8000). (tests/unit/runloop.test.ts: a host that slept
; through many ticks gets every one of them, each at its own virtual time.)
%include "lib/rom.inc"
main:
  mov ax, 0
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov word [0x7ff0], 0
  mov word [0x7ff2], 60
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
  mov al, 0x34          ; counter 0 mode 2, 1193 counts
  out 0x43, al
  mov al, 0xa9
  out 0x40, al
  mov al, 0x04
  out 0x40, al
  sti
.wait:
  hlt
  mov ax, [0x7ff0]
  cmp ax, [0x7ff2]
  jb .wait
  EXIT 0

irq0:
  push eax
  push edx
  push bx
  rdtsc
  mov bx, [0x7ff0]
  shl bx, 2
  mov [0x8000 + bx], eax
  inc word [0x7ff0]
  mov al, 0x20
  out 0x20, al
  pop bx
  pop edx
  pop eax
  iret
ROM_END
