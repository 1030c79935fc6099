; The RTC's periodic interrupt (IRQ8, slave 8259A) wakes HLT; the handler reads
; register C (IRQF|PF) and the slave's ISR. Same output as qemu.
%include "lib/rom.inc"
%include "lib/pic.inc"
%include "lib/hexraw.inc"
main:
  mov ax, 0
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov word [0x70 * 4], irq8
  mov word [0x70 * 4 + 2], 0xf000
  PIC_INIT              ; master vectors 0x08, slave 0x70
  mov al, 0xfb          ; cascade only on the master
  out 0x21, al
  mov al, 0xfe          ; IRQ8 on the slave
  out 0xa1, al
  mov al, 0x0a
  out 0x70, al
  mov al, 0x2d          ; 8 Hz
  out 0x71, al
  mov al, 0x0c
  out 0x70, al
  in al, 0x71           ; clear old flags
  mov al, 0x0b
  out 0x70, al
  mov al, 0x42          ; PIE, 24 h
  out 0x71, al
  PUTS "wait "
  push word 0x0202
  popf
  hlt
  PUTS "no interrupt"
  EXIT 1

irq8:
  PUTS "rtc "
  mov al, 0x0c
  out 0x70, al
  in al, 0x71
  and al, 0xc0          ; UF may or may not have happened meanwhile
  call hx8
  mov al, 0x0b
  out 0xa0, al
  in al, 0xa0
  call hx8
  mov al, 0x0b
  out 0x20, al
  in al, 0x20
  call hx8
  call nl
  EXIT 0
ROM_END
