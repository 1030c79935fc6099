; Micro-benchmark: memcpy/memset/strlen-like code. Per outer iteration:
; REP MOVSD of 4 KiB, REP STOSB of 1000 bytes, REP MOVSB of 333 unaligned bytes,
; a strlen byte loop over a 255-byte string and a byte-copy loop with MOVZX.
%include "micro.inc"

SRC equ DATA
DST equ DATA + 0x2000
TEXT equ DATA + 0x4000

bench_body:
  push ebp
  mov ebp, ecx
  cld
  mov edi, SRC                  ; source pattern
  mov ecx, 1024
  mov eax, 0x01020304
.fill:
  stosd
  add eax, 0x11111111
  dec ecx
  jnz .fill
  mov edi, TEXT                  ; a 255-byte string and its NUL
  mov ecx, 255
  mov al, 'a'
  rep stosb
  mov byte [edi], 0
  xor edx, edx                  ; checksum
.outer:
  mov esi, SRC
  mov edi, DST
  mov ecx, 1024
  rep movsd
  mov edi, DST + 0x1000
  mov ecx, 1000
  mov al, dl
  rep stosb
  mov esi, SRC + 1
  mov edi, DST + 0x1800 + 3
  mov ecx, 333
  rep movsb
  mov esi, TEXT                  ; strlen
.strlen:
  mov al, [esi]
  inc esi
  test al, al
  jnz .strlen
  sub esi, TEXT + 1
  add edx, esi
  mov esi, SRC + 7              ; byte copy
  mov edi, DST + 0x1c00
  mov ecx, 256
.bcopy:
  movzx eax, byte [esi]
  mov [edi], al
  inc esi
  inc edi
  add edx, eax
  dec ecx
  jnz .bcopy
  add edx, [DST + 0x888]
  dec ebp
  jnz .outer
  mov eax, edx
  pop ebp
  ret

ROM_END
