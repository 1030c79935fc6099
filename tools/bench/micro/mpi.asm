bits 32
; Micro-benchmark: a big-number multiply-subtract inner loop shaped like the code
; gcc makes of Linux's generic lib/mpi (mpihelp_submul_1 with a portable
; umul_ppmm on 16-bit halves): frame locals on EBP, MOVZX, IMUL, CMOVcc from
; memory, SETcc, ADC and a read-modify-write of the result limb. The crypto
; self-tests that a Debian kernel runs at boot spend half its instructions here.
; Per outer iteration: res[0..255] -= src[0..255] * limb.
%include "micro.inc"

SRC equ DATA
RES equ DATA + 0x1000
N   equ 256

bench_body:
  push ebp
  mov ebp, esp
  sub esp, 0x30
  mov [ebp - 0x2c], ecx         ; outer count
  mov edi, SRC
  xor ecx, ecx
  mov eax, 0x9e3779b9
.init:                          ; src[i], res[i]: scrambled
  lea eax, [eax + eax * 4 + 0x3b9]
  rol eax, 11
  mov [edi + ecx * 4], eax
  not eax
  mov [edi + ecx * 4 + 0x1000], eax
  inc ecx
  cmp ecx, N * 2
  jb .init
  mov dword [ebp - 0x30], 0x7fed1234   ; the multiplier limb
.outer:
  mov eax, RES
  mov edx, SRC
  mov ecx, N
  ; prologue as gcc emits it: limb halves and end pointers in frame locals
  mov ebx, ecx
  neg ebx
  mov [ebp - 0x24], eax
  mov eax, [ebp - 0x30]
  mov edi, eax
  movzx eax, ax
  mov [ebp - 0x20], eax
  lea eax, [ecx * 4]
  shr edi, 16
  mov [ebp - 0x1c], eax
  add eax, edx
  mov [ebp - 0x28], eax
  mov [ebp - 0x18], edi
  xor edi, edi
.limb:
  mov eax, [ebp - 0x28]
  mov edx, [eax + ebx * 4]
  mov eax, [ebp - 0x20]
  movzx esi, dx
  mov ecx, eax
  shr edx, 16
  imul ecx, esi
  imul eax, edx
  mov [ebp - 0x14], ecx
  mov ecx, [ebp - 0x18]
  imul edx, ecx
  imul esi, ecx
  mov [ebp - 0x10], edx
  mov edx, [ebp - 0x14]
  add esi, eax
  mov ecx, edx
  shr ecx, 16
  add ecx, esi
  mov esi, [ebp - 0x10]
  add esi, 0x10000
  cmp ecx, eax
  cmovae esi, [ebp - 0x10]
  movzx eax, dx
  add eax, edi
  xor edx, edx
  mov [ebp - 0x10], esi
  mov esi, ecx
  shl esi, 16
  add eax, esi
  mov esi, [ebp - 0x1c]
  cmp eax, edi
  setb dl
  shr ecx, 16
  mov edi, edx
  mov edx, [ebp - 0x24]
  add esi, edx
  mov edx, [ebp - 0x10]
  add eax, [esi + ebx * 4]
  adc edi, ecx
  mov [esi + ebx * 4], eax
  add edi, edx
  add ebx, 1
  jne .limb
  add [ebp - 0x30], edi         ; fold the carry limb into the multiplier
  dec dword [ebp - 0x2c]
  jnz .outer
  mov eax, [ebp - 0x30]
  xor eax, [RES + 4 * 17]
  mov esp, ebp
  pop ebp
  ret

ROM_END
