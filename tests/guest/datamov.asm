; Data-movement instructions in real mode, compared with qemu -cpu pentium2:
; XCHG, MOVZX/MOVSX, LEA (address/operand size mixes), CMOVcc and SETcc over
; all 16 conditions and 9 flag patterns, BSWAP, XADD, CMPXCHG, CMPXCHG8B,
; CBW/CWDE/CWD/CDQ, XLAT, LAHF/SAHF, CLC/STC/CMC/CLD/STD, hint NOPs, moffs MOV,
; and #UD for LEA and CMPXCHG8B with a register operand. Flags are printed
; masked to those each instruction defines.
%include "lib/rom.inc"
%include "datamov_lib.inc"

ARITH equ 0x8d5                ; OF SF ZF AF PF CF

main:
  xor eax, eax
  mov ebx, eax
  mov ecx, eax
  mov edx, eax                 ; EDX holds the CPU signature after reset
  mov esi, eax
  mov edi, eax
  mov ebp, eax
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov word [6*4], ud_handler   ; IVT: #UD
  mov word [6*4+2], 0xf000
  mov ax, 0x1000
  mov ds, ax
  mov es, ax

  PUTS "xchg: "
  mov eax, 0x11223344
  mov ebx, 0xaabbccdd
  xchg al, bh
  H32 eax
  H32 ebx
  mov dword [0], 0x55667788
  xchg [1], bl
  xchg [2], bx
  H32 ebx
  H32 [0]
  mov ecx, 0x01020304
  xchg ecx, [0]
  H32 ecx
  H32 [0]
  xchg ax, dx
  xchg eax, ebp
  xchg si, ax
  xchg edi, eax
  xchg ecx, ecx
  H32 eax
  H32 edx
  H32 ebp
  H32 esi
  H32 edi
  NL

  PUTS "movx: "
  mov si, extvals
.mx:
  mov ax, [cs:si]
  movzx ecx, al
  movsx edx, al
  H32 ecx
  H32 edx
  mov ecx, 0xffffffff
  mov edx, 0xffffffff
  movzx cx, al
  movsx dx, al
  H32 ecx
  H32 edx
  movzx ecx, ax
  movsx edx, ax
  H32 ecx
  H32 edx
  mov [0x10], ax
  movsx ebx, word [0x10]
  movzx edi, byte [0x11]
  H32 ebx
  H32 edi
  add si, 2
  cmp si, extvals_end
  jb .mx
  NL

  PUTS "lea: "
  mov ebx, 0x12345678
  mov esi, 0x9abcdef0
  mov ebp, 0xffff0001
  mov edi, 0xfffffffe
  lea ax, [bx+si+0x1234]
  H32 eax
  lea eax, [bx+si+0x1234]
  H32 eax
  lea ax, [ebx+esi*4+0x11111111]
  H32 eax
  lea eax, [ebx+esi*8+0x11111111]
  H32 eax
  lea eax, [bp+di-1]
  H32 eax
  lea ecx, [esp+ebp*2]
  H32 ecx
  lea edx, [0x1234]
  H32 edx
  mov word [ss:0x5000], .l1       ; where ud_handler resumes
  db 0x8d, 0xc0                ; lea ax, ax: #UD
.l1:
  NL

  PUTS "cmov: "
  mov si, flagvals
.cm:
  mov ax, [cs:si]
  push ax
  popf
  xor edi, edi                 ; flags are reloaded below
  push ax
  popf
%macro CMOVBIT 1
  mov ebx, 0
  mov ecx, 1
  cmov%1 ebx, ecx
  lea edi, [edi*2+ebx]
%endmacro
  CMOVBIT o
  CMOVBIT no
  CMOVBIT b
  CMOVBIT nb
  CMOVBIT z
  CMOVBIT nz
  CMOVBIT be
  CMOVBIT nbe
  CMOVBIT s
  CMOVBIT ns
  CMOVBIT p
  CMOVBIT np
  CMOVBIT l
  CMOVBIT nl
  CMOVBIT le
  CMOVBIT nle
  H32 edi
%macro SETBIT 1
  set%1 bl
  movzx ebx, bl
  lea edi, [edi*2+ebx]
%endmacro
  push ax
  popf
  xor edi, edi
  push ax
  popf
  SETBIT o
  SETBIT no
  SETBIT b
  SETBIT nb
  SETBIT z
  SETBIT nz
  SETBIT be
  SETBIT nbe
  SETBIT s
  SETBIT ns
  SETBIT p
  SETBIT np
  SETBIT l
  SETBIT nl
  SETBIT le
  SETBIT nle
  H32 edi
  add si, 2
  cmp si, flagvals_end
  jb .cm
  ; false 32-bit CMOV keeps all of the destination; sources from memory
  mov dword [0x20], 0xcafef00d
  mov eax, 0x12345678
  SETFL 0
  cmovz eax, [0x20]
  H32 eax
  cmovnz eax, [0x20]
  H32 eax
  mov eax, 0x12345678
  cmovnz ax, [0x22]
  H32 eax
  mov eax, 0x12345678
  cmovz ax, [0x22]
  H32 eax
  mov byte [0x24], 0x77
  SETFL 0x40
  setz [0x24]
  H32 [0x24]
  setnz [0x24]
  H32 [0x24]
  NL

  PUTS "bswap: "
  mov eax, 0x11223344
  bswap eax
  H32 eax
  mov edx, 0x80000001
  bswap edx
  H32 edx
  mov ebp, 0x00ff00ff
  bswap ebp
  H32 ebp
  NL

  PUTS "xadd: "
  mov si, pairs
.xa:
  mov eax, [cs:si]
  mov ecx, [cs:si+4]
  mov ebx, eax
  mov edx, ecx
  xadd bl, dl
  H32 ebx
  H32 edx
  FL ARITH
  mov ebx, eax
  mov edx, ecx
  xadd bx, dx
  H32 ebx
  H32 edx
  FL ARITH
  mov ebx, eax
  mov edx, ecx
  xadd ebx, edx
  H32 ebx
  H32 edx
  FL ARITH
  mov [0x30], eax
  mov edx, ecx
  xadd [0x30], edx
  H32 [0x30]
  H32 edx
  FL ARITH
  mov [0x30], eax
  mov edx, ecx
  xadd [0x30], dx
  H32 [0x30]
  H32 edx
  mov [0x30], eax
  mov edx, ecx
  xadd [0x30], dl
  H32 [0x30]
  H32 edx
  FL ARITH
  mov ebx, eax
  xadd ebx, ebx
  H32 ebx
  add si, 8
  cmp si, pairs_end
  jb .xa
  NL

  PUTS "cmpxchg: "
  mov si, pairs
.cx:
  mov eax, [cs:si]             ; accumulator
  mov ecx, [cs:si+4]           ; destination
  mov edx, 0x5a5aa5a5          ; source
  mov ebx, ecx
  cmpxchg bl, dl
  H32 eax
  H32 ebx
  FL ARITH
  mov eax, [cs:si]
  mov ebx, ecx
  cmpxchg bx, dx
  H32 eax
  H32 ebx
  FL ARITH
  mov eax, [cs:si]
  mov ebx, ecx
  cmpxchg ebx, edx
  H32 eax
  H32 ebx
  FL ARITH
  mov eax, [cs:si]
  mov [0x40], ecx
  cmpxchg [0x40], edx
  H32 eax
  H32 [0x40]
  FL ARITH
  mov eax, [cs:si]
  mov [0x40], ecx
  cmpxchg [0x40], dx
  H32 eax
  H32 [0x40]
  mov eax, [cs:si]
  mov [0x40], ecx
  cmpxchg [0x40], dl
  H32 eax
  H32 [0x40]
  FL ARITH
  ; equal case: accumulator == destination
  mov eax, [cs:si+4]
  mov [0x40], ecx
  cmpxchg [0x40], edx
  H32 eax
  H32 [0x40]
  FL ARITH
  add si, 8
  cmp si, pairs_end
  jb .cx
  NL

  PUTS "cmpxchg8b: "
  mov dword [0x50], 0x11111111
  mov dword [0x54], 0x22222222
  mov eax, 0x11111111
  mov edx, 0x22222222
  mov ebx, 0x33333333
  mov ecx, 0x44444444
  SETFL 0x8d5 & ~0x40
  cmpxchg8b [0x50]
  FL ARITH
  H32 eax
  H32 edx
  H32 [0x50]
  H32 [0x54]
  mov eax, 0x33333333
  SETFL 0x8d5
  cmpxchg8b [0x50]
  FL ARITH
  H32 eax
  H32 edx
  H32 [0x50]
  H32 [0x54]
  mov word [ss:0x5000], .c8
  db 0x0f, 0xc7, 0xc8          ; cmpxchg8b eax: #UD
.c8:
  NL

  PUTS "cbw: "
  mov si, extvals
.cb:
  mov ax, [cs:si]
  mov edx, 0x12345678
  push eax
  cbw
  H32 eax
  pop eax
  push eax
  cwde
  H32 eax
  cwd
  H32 edx
  cdq
  H32 edx
  pop eax
  add si, 2
  cmp si, extvals_end
  jb .cb
  NL

  PUTS "xlat: "
  xor bx, bx
.xt:
  mov al, bl
  xor al, 0x5a
  add al, bl
  mov [bx+0x200], al
  inc bx
  cmp bx, 0x100
  jb .xt
  mov ebx, 0xffff0200
  mov al, 0x10
  xlatb
  H32 eax
  mov al, 0xff
  xlatb
  H32 eax
  mov ebx, 0x200
  mov al, 0x80
  a32 xlatb
  H32 eax
  mov ax, 0x1010
  mov fs, ax
  mov bx, 0x100
  mov al, 0x33
  fs xlatb                     ; FS:0x133 = DS:0x233
  H32 eax
  NL

  PUTS "lahf: "
  mov eax, 0
  SETFL 0x8d7
  lahf
  H32 eax
  SETFL 0
  lahf
  H32 eax
  SETFL 0x8d5
  mov ah, 0x2a
  sahf
  FL ARITH
  mov ah, 0xd7
  SETFL 0
  sahf
  FL ARITH
  clc
  FL 0x401
  stc
  FL 0x401
  cmc
  FL 0x401
  cmc
  FL 0x401
  std
  FL 0x401
  cld
  FL 0x401
  xor eax, eax                  ; lazy flags, then CMC over them
  cmc
  FL ARITH
  NL

  PUTS "misc: "
  mov eax, 0x12345678
  a32 nop dword [eax]           ; 0F 1F: no memory access (beyond the limit)
  db 0x67, 0x0f, 0x18, 0x08      ; a32 prefetcht0 [eax]
  db 0x0f, 0x19, 0x00           ; hint NOP 0F 19 /0
  mov dword [0x60], 0x89abcdef
  mov al, [0x61]
  H32 eax
  mov ax, [0x62]
  H32 eax
  mov eax, [0x60]
  H32 eax
  mov [0x64], al
  mov [0x66], ax
  a32 mov [dword 0x68], eax
  H32 [0x64]
  H32 [0x68]
  NL
  ; BSWAP with a 16-bit operand is undefined (SDM); P6 hardware leaves 0 in the
  ; low word, which RingZero follows. qemu 7.2 swaps all 32 bits, so this line
  ; is outside the comparison.
  PUTS "rz-only: "
  mov eax, 0x11223344
  db 0x0f, 0xc8                ; bswap ax
  H32 eax
  NL
  EXIT 0

ud_handler:
  PUTS "UD "
  add sp, 6
  jmp word [ss:0x5000]

extvals: dw 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x1234, 0xfedc
extvals_end:
flagvals: dw 0x0002, 0x0003, 0x0042, 0x0082, 0x0802, 0x0006, 0x08c3, 0x0882, 0x0842, 0x08d7
flagvals_end:
pairs: dd 0, 0
  dd 1, 1
  dd 0x7f, 1
  dd 0xff, 1
  dd 0x80, 0x80
  dd 0x7fff, 1
  dd 0xffff, 0xffff
  dd 0x7fffffff, 1
  dd 0xffffffff, 1
  dd 0x80000000, 0x80000000
  dd 0x12345678, 0x9abcdef0
  dd 0x0000000f, 0x00000001
pairs_end:
ROM_END
