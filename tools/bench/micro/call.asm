; Micro-benchmark: call/ret/push/pop heavy code. Per outer iteration: a recursive
; fib(15) with cdecl frames (push ebp / mov ebp,esp / leave), and a loop calling
; a leaf function that saves registers and returns with RET imm16.
%include "micro.inc"

bench_body:
  push ebp
  xor edi, edi                  ; checksum
.outer:
  push ecx
  push 15
  call fib
  add esp, 4
  add edi, eax
  mov ecx, 64
.leaf_loop:
  push ecx
  push edi
  call leaf
  mov edi, eax
  dec ecx
  jnz .leaf_loop
  pop ecx
  dec ecx
  jnz .outer
  mov eax, edi
  pop ebp
  ret

fib:                            ; int fib(int n)
  push ebp
  mov ebp, esp
  push ebx
  mov eax, [ebp + 8]
  cmp eax, 2
  jb .base
  dec eax
  push eax
  call fib
  mov ebx, eax
  mov eax, [ebp + 8]
  sub eax, 2
  push eax
  call fib
  add esp, 8
  add eax, ebx
.base:
  pop ebx
  leave
  ret

leaf:                           ; int __stdcall leaf(int a, int b)
  push esi
  push edi
  mov esi, [esp + 12]
  mov edi, [esp + 16]
  lea eax, [esi + edi * 2]
  xor eax, 0x5a5a
  pop edi
  pop esi
  ret 8

ROM_END
