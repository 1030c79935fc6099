; Reverse execution's guest (tests/cli/reverse.test.ts): recorded, then replayed
; under gdb. In 32-bit flat protected mode (gdb's $pc is then the linear address
; its breakpoints use), a loop changes registers and memory and calls a routine,
; while the 8254 interrupts it through the 8259A (the recording's asynchronous
; events); the IRQ0 handler counts ticks. Every 256 rounds the loop prints a
; dot; at the end it waits for one more tick with HLT, prints the ticks and the
; sum and exits.
%include "lib/rom.inc"
%include "lib/pic.inc"
%include "sys-lib.inc"
%define PM_MAIN rv_main
%include "sys-pm.inc"

SUM     equ 0x40000        ; dword the loop adds into (watched by the test)
TICKS   equ 0x40004        ; dword IRQ0 counts
ROUNDS  equ 4096

main:
  jmp pm_enter

bits 32
rv_main:
  push ebp                 ; frames gdb can unwind (its i386 prologue analysis):
  mov ebp, esp             ; reverse-nexti and nexti need the caller's frame
  mov dword [0xfee000f0], 0x1ff ; local APIC on, LINT0 ExtINT (virtual wire)
  mov dword [0xfee00350], 0x700
  PIC_INIT_AT 0x20, 0x28             ; 8259A pair: vectors 20h and 28h, only IRQ0 unmasked
  mov al, 0xfe
  out 0x21, al
  mov al, 0xff
  out 0xa1, al
  mov word [IDT_A + 0x20 * 8], rv_irq0
  mov dword [SUM], 0
  mov dword [TICKS], 0
  mov al, 0x34             ; counter 0, mode 2, 1193 counts (1 ms)
  out 0x43, al
  mov al, 0xa9
  out 0x40, al
  mov al, 0x04
  out 0x40, al
  mov eax, 1
  xor ecx, ecx
  mov ebx, 7
  sti
rv_loop:
  imul eax, eax, 3
  add eax, ecx
  call rv_mix
rv_after_call:
  xor ebx, eax
rv_store:
  add [SUM], ebx           ; the watched write
  test cl, 0xff
  jnz .quiet
  mov al, '.'
  out 0xe9, al
.quiet:
  inc ecx
  cmp ecx, ROUNDS
  jb rv_loop
  hlt                      ; the next tick ends the wait
  call putnl32
  mov eax, [TICKS]
  call puthex32_32
  call putnl32
  mov eax, [SUM]
  call puthex32_32
  call putnl32
  EXIT 0

; EDX = EAX rotated by CL, EBX += EDX
rv_mix:
  push ebp
  mov ebp, esp
  mov edx, eax
  rol edx, cl
  add ebx, edx
  pop ebp
  ret

; IRQ0 (vector 20h, an interrupt gate): count, EOI
rv_irq0:
  push eax
  inc dword [TICKS]
  mov al, 0x20
  out 0x20, al
  pop eax
  iretd
ROM_END
