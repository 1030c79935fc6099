; Micro-benchmark: lazy-flags heavy code. Per outer iteration: a 64-dword bignum
; ADC chain and SBB chain (DEC/LEA keep CF), and a 256-element min/max/count loop
; with CMOVcc and SETcc, accumulating into a 64-bit sum with ADD/ADC.
%include "micro.inc"

A equ DATA
B equ DATA + 0x400
C equ DATA + 0x800

bench_body:
  push ebp
  mov ebp, ecx
  mov edi, A                    ; A and B: scrambled words (256 each, contiguous)
  mov ecx, 512
  mov eax, 0x9e3779b9
.init:
  stosd
  imul eax, eax, 0x6b43a9b5
  add eax, ecx
  dec ecx
  jnz .init
  xor edx, edx                  ; 64-bit sum in edx:edi... kept in [C + 0x400]
  mov dword [C + 0x400], 0
  mov dword [C + 0x404], 0
.outer:
  mov esi, A                    ; C = A + B (64 dwords)
  mov edi, B
  mov ebx, C
  mov ecx, 64
  clc
.add:
  mov eax, [esi]
  adc eax, [edi]
  mov [ebx], eax
  lea esi, [esi + 4]
  lea edi, [edi + 4]
  lea ebx, [ebx + 4]
  dec ecx
  jnz .add
  mov esi, C                    ; A = C - B (64 dwords): A is restored
  mov edi, B
  mov ebx, A
  mov ecx, 64
  clc
.sub:
  mov eax, [esi]
  sbb eax, [edi]
  mov [ebx], eax
  lea esi, [esi + 4]
  lea edi, [edi + 4]
  lea ebx, [ebx + 4]
  dec ecx
  jnz .sub
  setc al                       ; borrow out
  movzx edx, al
  mov esi, A                    ; min / max / count above a threshold
  mov ebx, 0x7fffffff           ; min (signed)
  mov edi, 0x80000000           ; max (signed)
  xor ecx, ecx
.mm:
  mov eax, [esi + ecx * 4]
  cmp eax, ebx
  cmovl ebx, eax
  cmp eax, edi
  cmovg edi, eax
  cmp eax, 0x40000000
  setae al
  movzx eax, al
  add edx, eax
  inc ecx
  cmp ecx, 256
  jne .mm
  add edx, ebx
  add [C + 0x400], edx
  adc dword [C + 0x404], edi
  sbb edx, edx
  dec ebp
  jnz .outer
  mov eax, [C + 0x400]
  xor eax, [C + 0x404]
  pop ebp
  ret

ROM_END
