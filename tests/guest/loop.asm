; LOOP, LOOPE, LOOPNE and JCXZ/JECXZ in real mode, compared with qemu -cpu
; pentium2: the counter is CX or ECX by address size (the other half of ECX is
; left alone), a zero counter wraps, LOOPE/LOOPNE exit on ZF, flags unchanged.
%include "lib/rom.inc"
%include "datamov_lib.inc"

main:
  xor eax, eax
  mov ebx, eax
  mov ecx, eax
  mov edx, eax
  mov esi, eax
  mov edi, eax
  mov ebp, eax
  mov ss, ax
  mov sp, 0x7000

  PUTS "loop: "
  mov ecx, 0x12340005
  xor ebx, ebx
.l1:
  inc ebx
  loop .l1                      ; CX only: 5 iterations
  H32 ebx
  H32 ecx
  mov ecx, 0x00010003
  xor ebx, ebx
.l2:
  inc ebx
  a32 loop .l2                  ; ECX: 0x10003 iterations
  H32 ebx
  H32 ecx
  mov ecx, 0xabcd0000           ; CX = 0: 65536 iterations
  xor ebx, ebx
.l3:
  inc ebx
  loop .l3
  H32 ebx
  H32 ecx
  mov cx, 1
  stc
  loop .l4                      ; not taken; CF kept
.l4:
  FL 0x8d5
  H32 ecx
  NL

  PUTS "loopcc: "
  mov si, data
  mov cx, 10
  mov ebx, 0
.e1:
  inc ebx
  cmp byte [cs:si], 7
  lea si, [si+1]
  loope .e1                     ; while equal to 7
  H32 ebx
  H32 ecx
  H32 esi
  mov si, data
  mov cx, 10
  mov ebx, 0
.e2:
  inc ebx
  cmp byte [cs:si], 9
  lea si, [si+1]
  loopne .e2                    ; until a 9
  H32 ebx
  H32 ecx
  H32 esi
  mov ecx, 0x10002
  mov ebx, 0
.e3:
  inc ebx
  cmp eax, eax
  a32 loope .e3                 ; counter runs out
  H32 ebx
  H32 ecx
  mov ecx, 3
  xor ebx, ebx
.e4:
  inc ebx
  test ebx, 0                   ; ZF = 1
  loopne .e4
  H32 ebx
  H32 ecx
  NL

  PUTS "jcxz: "
  mov ecx, 0x10000
  xor ebx, ebx
  jcxz .j1                      ; CX = 0: taken
  inc ebx
.j1:
  a32 jcxz .j2                  ; ECX != 0: not taken (jecxz)
  add ebx, 0x10
.j2:
  xor ecx, ecx
  jecxz .j3
  add ebx, 0x100
.j3:
  mov cx, 1
  jcxz .j4
  add ebx, 0x1000
.j4:
  H32 ebx
  NL
  EXIT 0

data: db 7, 7, 7, 8, 9, 7, 7, 7, 7, 7
ROM_END
