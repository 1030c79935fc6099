bits 32
; Micro-benchmark: MD5-style rounds as gcc compiles busybox's md5 (the in-guest
; workload's hottest loop): F(x,y,z) = ((y ^ z) & x) ^ z, additions from memory
; (message words and the constant table), ROL by an immediate, stack locals.
; Per outer iteration: 64 steps over a 64-byte block, 256 blocks.
%include "micro.inc"

MSG equ DATA
K   equ DATA + 0x1000

%macro STEP 2                   ; a b c d rotate as registers eax ecx edx edi
  mov esi, edx
  xor esi, edi
  and esi, ecx
  xor esi, edi
  mov ebp, [esp + 4]
  add esi, [ebp + %1 * 4]
  add esi, [ebx + %1 * 4]
  add eax, esi
  rol eax, %2
  add eax, ecx
  xchg eax, edi                 ; rotate the roles: a <- d <- c <- b <- a
  xchg eax, edx
  xchg eax, ecx
%endmacro

bench_body:
  push ebp
  sub esp, 12
  mov [esp], ecx                ; outer count
  mov edi, MSG
  SCRAMBLE 0x800, 0x67452301, 9 ; message and constants: scrambled words
  mov eax, 0x67452301
  mov ecx, 0xefcdab89
  mov edx, 0x98badcfe
  mov edi, 0x10325476
.outer:
  mov dword [esp + 8], 256
  mov dword [esp + 4], MSG
  mov ebx, K
.block:
%assign i 0
%rep 16
  STEP i, 7
  STEP i, 12
  STEP i, 17
  STEP i, 22
%assign i i+1
%endrep
  add dword [esp + 4], 16
  add ebx, 16
  dec dword [esp + 8]
  jnz .block
  dec dword [esp]
  jnz .outer
  xor eax, ecx
  xor eax, edx
  xor eax, edi
  add esp, 12
  pop ebp
  ret

ROM_END
