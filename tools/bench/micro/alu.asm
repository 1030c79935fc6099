; Micro-benchmark: a compiler-style inner loop (loads, address arithmetic, compare
; and branch, stores and read-modify-write on memory operands, a stack local).
; Per outer iteration: 1024 inner iterations over two 4 KiB arrays.
%include "micro.inc"

A equ DATA
B equ DATA + 0x1000

bench_body:
  push ebp
  sub esp, 8                    ; two stack locals
  mov [esp], ecx                ; outer count
  mov edi, A
  SCRAMBLE 1024, 0x12345678, 7  ; A[i]: a scrambled sequence
  xor edx, edx                  ; running checksum
  mov dword [esp + 4], 0
.outer:
  mov esi, A
  mov edi, B
  xor ecx, ecx
.inner:
  mov eax, [esi + ecx * 4]
  lea ebx, [eax + ecx * 2 + 7]
  cmp eax, 0x80000000
  jae .big
  add edx, eax
  jmp .next
.big:
  sub edx, ebx
.next:
  mov [edi + ecx * 4], ebx
  xor edx, [edi + ecx * 4 - 4]
  add dword [esi + ecx * 4], 3
  movzx eax, byte [esi + ecx]
  test bl, 1
  jz .even
  add [esp + 4], eax
.even:
  inc ecx
  cmp ecx, 1024
  jb .inner
  dec dword [esp]
  jnz .outer
  mov eax, edx
  xor eax, [esp + 4]
  add esp, 8
  pop ebp
  ret

ROM_END
