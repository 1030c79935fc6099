; A loop that keeps touching a device (MMIO): the I/O APIC's register select
; (IOREGSEL at FEC00000h, 82093AA datasheet §3.1: an 8-bit index, read back as
; written; QEMU keeps it in a byte too). A block leaves for the interpreter at an
; access off its fast path; an instruction that keeps leaving on a device is
; translated again by the interpreter's handler (web/jit/translator.ts
; mmioSite), and the loop then stays in its block. The output is the same
; either way, and compared with qemu: the sums of what was read, and flags
; that ALU instructions with the register as their operand left.
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"

SEL     equ 0xfec00000
PASSES  equ 3000

main:
  jmp pm_enter

bits 32
main32:
  xor ebx, ebx                  ; sum of the register read back
  mov edx, 0x12345678           ; ADD with the register as the source, after a ROL
  xor esi, esi                  ; carries out of that ADD, and ZF of a TEST
  mov ecx, PASSES
.loop:
  mov eax, ecx
  imul eax, eax, 0x9d           ; a byte that moves every pass
  mov [SEL], eax                ; bits 31:8 are not kept
  mov edi, [SEL]
  add ebx, edi
  rol edx, 5
  add edx, [SEL]
  adc esi, 0
  test dword [SEL], 0x80
  setz al
  movzx eax, al
  add esi, eax
  dec ecx
  jnz .loop
  PUTS32 "mmio"
  HEX32_32 ebx
  HEX32_32 edx
  HEX32_32 esi
  call putnl32
  EXIT 0

  ROM_END
