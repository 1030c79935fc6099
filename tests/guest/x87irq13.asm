; The x87's legacy error reporting (CR0.NE = 0): an unmasked exception is
; reported when the next waiting x87 instruction runs, as IRQ13 through the
; 8259A (slave input 5), and a write to port 0xF0 clears the latch. Real mode,
; no local APIC (the test runs it as qemu -cpu pentium2,-apic does).
%include "lib/rom.inc"
%include "lib/pic.inc"
main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov word [0x75 * 4], irq13       ; slave base 0x70, IR5
  mov word [0x75 * 4 + 2], 0xf000
  PIC_INIT              ; master vectors 0x08, slave 0x70
  mov al, 0xfb                    ; master: only the cascade
  out 0x21, al
  mov al, 0xdf                    ; slave: only IR5 (IRQ13)
  out 0xa1, al
  mov eax, cr0
  and eax, ~0x24                  ; NE = 0, EM = 0
  or eax, 0x02                    ; MP = 1
  mov cr0, eax
  fninit
  mov word [0x500], 0x037b        ; unmask ZE (zero divide)
  fldcw [0x500]
  fld1
  fldz
  sti
  PUTS "div "
  fdivp st1, st0                  ; ZE pending, not yet reported
  PUTS "wait "
  fwait                           ; reported here: IRQ13
  nop
  nop
  PUTS "after "
  cli
  fnstsw ax
  call puthex16
  call putnl
  EXIT 0

irq13:
  PUTS "irq13 "
  xor al, al
  out 0xf0, al                    ; clear the latch
  fnclex
  mov al, 0x20
  out 0xa0, al
  out 0x20, al
  iret
ROM_END
