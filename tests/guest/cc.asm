; Condition codes after CMP/SUB/ADD/AND/TEST/OR/XOR/INC/DEC/NEG/SBB at 8, 16 and
; 32 bits: SETcc for all 16 conditions, packed into a mask (bit n = condition n,
; SDM vol. 1 appendix B), printed per operand pair. Exercises flags.ts testCC's
; fast paths (all six flags lazy from one operation) and its general path.
%include "lib/rom.inc"

CCBUF equ 0x600

; ALLCC: SETcc into CCBUF[0..15], then print the packed mask (flags clobbered).
%macro ALLCC 0
  seto [CCBUF + 0]
  setno [CCBUF + 1]
  setb [CCBUF + 2]
  setnb [CCBUF + 3]
  setz [CCBUF + 4]
  setnz [CCBUF + 5]
  setbe [CCBUF + 6]
  setnbe [CCBUF + 7]
  sets [CCBUF + 8]
  setns [CCBUF + 9]
  setp [CCBUF + 10]
  setnp [CCBUF + 11]
  setl [CCBUF + 12]
  setnl [CCBUF + 13]
  setle [CCBUF + 14]
  setnle [CCBUF + 15]
  call packcc
%endmacro

; one operation on (eax, ebx) at one size, then ALLCC; registers restored
%macro OP 2
  pushad
  %1 %2
  ALLCC
  popad
%endmacro

main:
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, 0x7000
  mov si, pairs
.next:
  mov eax, [cs:si]
  mov ebx, [cs:si + 4]
  cmp si, pairs_end
  jae .done
  call puthex32
  mov al, ' '
  call putc
  mov eax, ebx
  call puthex32
  mov al, ':'
  call putc
  mov eax, [cs:si]
  OP cmp, {eax, ebx}
  OP cmp, {ax, bx}
  OP cmp, {al, bl}
  OP sub, {eax, ebx}
  OP sub, {ax, bx}
  OP sub, {al, bl}
  OP add, {eax, ebx}
  OP add, {ax, bx}
  OP add, {al, bl}
  OP and, {eax, ebx}
  OP test, {ax, bx}
  OP or, {al, bl}
  OP xor, {eax, ebx}
  OP inc, eax
  OP dec, ax
  OP neg, al
  OP stc, {}
  mov eax, [cs:si]
  OP sbb, {eax, ebx}
  stc
  OP adc, {ax, bx}
  call putnl
  add si, 8
  jmp .next
.done:
  PUTS "end"
  call putnl
  EXIT 0

; pack CCBUF[0..15] into AX (bit n = byte n) and print it
packcc:
  xor ax, ax
  mov bx, 15
.l: shl ax, 1
  or al, [CCBUF + bx]
  dec bx
  jns .l
  push ax
  mov al, ' '
  call putc
  pop ax
  call puthex16
  ret

pairs:
  dd 0, 0
  dd 1, 0
  dd 0, 1
  dd 1, 1
  dd 0x7f, 0x80
  dd 0x80, 0x7f
  dd 0x80, 0x80
  dd 0xff, 1
  dd 0x7fff, 0xffff
  dd 0x8000, 1
  dd 0xffff, 0xffff
  dd 0x7fffffff, 0xffffffff
  dd 0x80000000, 1
  dd 0x80000000, 0x7fffffff
  dd 0xffffffff, 0xffffffff
  dd 0x12345678, 0x87654321
  dd 0x00ff00ff, 0xff00ff01
  dd 0xfffffffe, 0x00000003
  dd 0x40000000, 0x40000000
pairs_end:
  dd 0, 0

ROM_END
