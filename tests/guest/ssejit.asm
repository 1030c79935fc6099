; SSE, SSE2 and MMX instructions inside translated blocks (issues 13 and 17):
; each part runs three times, the first interpreted and the others translated
; (harness.ts translates a block from its second execution), and prints what
; it computed, so that the translated runs must print what the interpreted one
; did; ssejit.test.ts compares RingZero translated, RingZero interpreted and
; qemu-system-i386 -cpu coreduo.
;
;   kernel   one block of the SSE2 integer, logic, shuffle and move forms the
;            translator computes itself (web/jit/simd.ts), with register and
;            memory operands (aligned, unaligned, across a page), and forms it
;            hands to the interpreter's handler (floating point, COMISS with
;            its flags, MMX, PEXTRW/PINSRW, STMXCSR); prints XMM0-7, the
;            general registers, EFLAGS, MXCSR and the stored results.
;   x87      FCOMI/FCMOVcc (EFLAGS both ways), FNSTSW AX, FWAIT in a block.
;   #NM      CR0.TS = 1 (an OS's lazy FPU switch): an SSE2 form done in place,
;            an SSE FP form, an MMX form and an x87 one fault in mid-block, after the
;            instructions before them; the exception stub prints vector and
;            EIP, then the registers and the instructions retired since the
;            pass began (RDTSC: one tick per instruction in the tests' icount
;            mode; qemu's are not compared).
;   #GP      MOVAPS from and MOVDQA to a misaligned address in mid-block:
;            #GP(0) at that instruction.

%include "lib/rom.inc"
%include "lib/pm.inc"
cpu prescott

%define DATA     0x20000        ; 4 KiB + 64 of input, a page boundary at 21000h
%define OUT      0x22000        ; what the kernel stores
%define DUMP     0x23000        ; XMM registers, for printing
%define T0       (PM_SCRATCH + 4)
%define FPOUT    0x23100        ; MXCSR after each part of fp_part

main:
  PM_ENTER
  ; SSE on, as an OS enables it (SDM vol. 3 §13.1)
  mov eax, cr0
  and eax, ~(4 | 8)             ; EM = 0, TS = 0
  or eax, 2                     ; MP = 1
  mov cr0, eax
  mov eax, cr4
  or eax, 0x600                 ; OSFXSR, OSXMMEXCPT
  mov cr4, eax
  ; DATA: a pseudo-random pattern
  mov edi, DATA
  mov eax, 0x1234567
  mov ecx, (4096 + 64) / 4
.fill:
  imul eax, eax, 1103515245
  add eax, 12345
  mov [edi], eax
  add edi, 4
  dec ecx
  jnz .fill

  mov ebp, 3
.kpass:
  call kernel
  call dump
  dec ebp
  jnz .kpass

  ; packed single FP with MXCSR.PE set (the translator's in-place case) and
  ; the cases it hands to the interpreter: out-of-range operands, NaN,
  ; infinity, invalid conversions, PE clear
  mov ebp, 3
.fppass:
  call fp_part
  call dump
  PPUTS "mxcsr"
  mov esi, FPOUT
  mov ecx, 4
  call words
  dec ebp
  jnz .fppass

  ; x87 in blocks: arithmetic, FCOMI (writes EFLAGS), FCMOVcc (reads them),
  ; FNSTSW AX, FWAIT
  mov ebp, 3
.x87pass:
  call x87_part
  push eax
  push ebx
  PPUTS "x87"
  mov esi, FPOUT + 16
  mov ecx, 4
  call words
  PPUTS "x87regs"
  mov esi, esp
  mov ecx, 2
  call words
  add esp, 8
  dec ebp
  jnz .x87pass

  ; #NM: CR0.TS set before each pass; the stub resumes at .nm_res (ESP still
  ; holding the CALL's return address)
  mov ebp, 3
.nmpass:
  SET_RESUME .nm_res
  mov eax, cr0
  or eax, 8
  mov cr0, eax
  rdtsc
  mov [T0], eax
  xor edx, edx
  call nm_int
.nm_res:
  add esp, 4
  call counts
  mov eax, cr0
  or eax, 8
  mov cr0, eax
  SET_RESUME .nm_res2
  rdtsc
  mov [T0], eax
  xor edx, edx
  call nm_fp
.nm_res2:
  add esp, 4
  call counts
  mov eax, cr0
  or eax, 8
  mov cr0, eax
  SET_RESUME .nm_res3
  rdtsc
  mov [T0], eax
  xor edx, edx
  call nm_mmx
.nm_res3:
  add esp, 4
  call counts
  mov eax, cr0
  or eax, 8
  mov cr0, eax
  SET_RESUME .nm_res4
  rdtsc
  mov [T0], eax
  xor edx, edx
  call nm_x87
.nm_res4:
  add esp, 4
  call counts
  clts
  dec ebp
  jnz .nmpass

  ; #GP(0): misaligned MOVAPS load and MOVDQA store
  mov ebp, 3
.gppass:
  SET_RESUME .gp_res
  rdtsc
  mov [T0], eax
  xor edx, edx
  call gp_load
.gp_res:
  add esp, 4
  call counts
  SET_RESUME .gp_res2
  rdtsc
  mov [T0], eax
  xor edx, edx
  call gp_store
.gp_res2:
  add esp, 4
  call counts
  dec ebp
  jnz .gppass
  SET_RESUME 0
  PPUTS "end"
  call pnl
  EXIT 0

; One pass; its inputs include the previous pass's results (OUT).
kernel:
  mov esi, DATA
  mov edi, OUT
  movdqa xmm0, [esi]
  movdqa xmm1, [esi + 16]
  movdqu xmm2, [esi + 3]
  movaps xmm3, [esi + 32]
  movups xmm4, [esi + 0x1000 - 8]   ; across the page boundary
  movdqu xmm5, [edi]
  ; each op on fresh operands, the result folded into XMM7 (order matters)
  pxor xmm7, xmm7
%assign K 0
%macro T 1+
  movdqa xmm0, [esi + K]
  movdqa xmm1, [esi + K + 16]
  %1
  pshufd xmm7, xmm7, 0x39
  paddd xmm7, xmm0
%assign K (K + 48) % 4000
%endmacro
  T paddb xmm0, [esi + K + 32]
  T paddw xmm0, xmm1
  T paddd xmm0, xmm1
  T paddq xmm0, [esi + K + 32]
  T psubb xmm0, xmm1
  T psubw xmm0, xmm1
  T psubd xmm0, [esi + K + 32]
  T psubq xmm0, xmm1
  T paddsb xmm0, xmm1
  T paddsw xmm0, [esi + K + 32]
  T paddusb xmm0, xmm1
  T paddusw xmm0, xmm1
  T psubsb xmm0, [esi + K + 32]
  T psubsw xmm0, xmm1
  T psubusb xmm0, xmm1
  T psubusw xmm0, [esi + K + 32]
  T pmullw xmm0, xmm1
  T pmaddwd xmm0, xmm1
  T pmuludq xmm0, [esi + K + 32]
  T pcmpeqb xmm0, xmm1
  T pcmpeqw xmm0, xmm1
  T pcmpeqd xmm0, [esi + K + 32]
  T pcmpgtb xmm0, xmm1
  T pcmpgtw xmm0, xmm1
  T pcmpgtd xmm0, [esi + K + 32]
  T pavgb xmm0, xmm1
  T pavgw xmm0, xmm1
  T pminub xmm0, [esi + K + 32]
  T pmaxub xmm0, xmm1
  T pminsw xmm0, xmm1
  T pmaxsw xmm0, [esi + K + 32]
  T packsswb xmm0, xmm1
  T packuswb xmm0, xmm1
  T packssdw xmm0, [esi + K + 32]
  T punpcklbw xmm0, xmm1
  T punpckhbw xmm0, xmm1
  T punpcklwd xmm0, [esi + K + 32]
  T punpckhwd xmm0, xmm1
  T punpckldq xmm0, xmm1
  T punpckhdq xmm0, [esi + K + 32]
  T punpcklqdq xmm0, xmm1
  T punpckhqdq xmm0, xmm1
  T unpcklps xmm0, [esi + K + 32]
  T unpckhps xmm0, xmm1
  T unpcklpd xmm0, xmm1
  T unpckhpd xmm0, [esi + K + 32]
  T pand xmm0, xmm1
  T pandn xmm0, xmm1
  T por xmm0, [esi + K + 32]
  T pxor xmm0, xmm1
  T andps xmm0, xmm1
  T andnps xmm0, [esi + K + 32]
  T orps xmm0, xmm1
  T xorps xmm0, xmm1
  T andpd xmm0, [esi + K + 32]
  T andnpd xmm0, xmm1
  T orpd xmm0, xmm1
  T xorpd xmm0, [esi + K + 32]
  T pshufd xmm0, xmm1, 0x1b
  T pshufd xmm0, [esi + K + 32], 0xd8
  T shufps xmm0, xmm1, 0x4e
  T shufps xmm0, [esi + K + 32], 0xb1
  T psrlw xmm0, 3
  T psrlw xmm0, 16
  T psraw xmm0, 5
  T psraw xmm0, 99
  T psllw xmm0, 17
  T psllw xmm0, 1
  T psrld xmm0, 7
  T psrld xmm0, 32
  T psrad xmm0, 40
  T psrad xmm0, 31
  T pslld xmm0, 9
  T psrlq xmm0, 33
  T psrlq xmm0, 64
  T psllq xmm0, 63
  T psllq xmm0, 64
  T psrldq xmm0, 5
  T psrldq xmm0, 16
  T pslldq xmm0, 11
  T pslldq xmm0, 0
  movdqa xmm1, xmm4
  movdqa xmm3, xmm7
  psrad xmm5, 3
  movd xmm6, ebp
  paddd xmm6, xmm5
  movd eax, xmm6
  pmovmskb ecx, xmm3
  movq xmm7, xmm4
  movq xmm6, xmm1
  movdqa [edi], xmm0
  movdqu [edi + 17], xmm1
  movaps [edi + 48], xmm2
  movups [edi + 67], xmm3
  movapd xmm7, xmm5
  movupd [edi + 96], xmm7
  ; forms the interpreter's handlers run
  movdqa xmm6, [esi + 128]
  psrld xmm6, 20
  cvtdq2ps xmm6, xmm6
  movaps xmm7, xmm6
  mulps xmm7, xmm6              ; exact: below 2^24
  addps xmm7, xmm6
  cvttps2dq xmm6, xmm7
  pshufd xmm6, xmm6, 0x39
  cvtdq2ps xmm6, xmm6
  comiss xmm6, xmm7
  setc bl
  setz bh
  setp dl
  ucomisd xmm7, xmm6
  seta dh
  pextrw esi, xmm6, 3
  pinsrw xmm5, ecx, 5
  movq mm0, [edi + 8]
  paddw mm0, [edi + 24]
  pmovmskb edi, mm0
  movq [OUT + 112], mm0
  emms
  stmxcsr [OUT + 120]
  ret

; ADDPS, SUBPS, MULPS, CVTDQ2PS, CVTTPS2DQ on operands inside and outside the
; range the translator computes in place, with PE set and clear.
fp_part:
  ldmxcsr [cs:mx_pe]
  movaps xmm0, [cs:fpa]
  movaps xmm1, [cs:fpb]
  mulps xmm0, xmm1
  addps xmm0, xmm1
  subps xmm0, [cs:fpb]
  mulps xmm1, [cs:fpa]
  cvttps2dq xmm2, xmm0
  cvtdq2ps xmm3, xmm2
  cvtdq2ps xmm3, [cs:ints]
  stmxcsr [FPOUT]
  movaps xmm4, [cs:fpc]
  mulps xmm4, xmm4
  movaps xmm5, [cs:fpc]
  addps xmm5, [cs:fpa]
  movaps xmm6, [cs:fpa]
  subps xmm6, [cs:fpc]
  stmxcsr [FPOUT + 4]
  cvttps2dq xmm7, [cs:fpc]
  stmxcsr [FPOUT + 8]
  ldmxcsr [cs:mx_reset]
  movaps xmm7, [cs:fpb]
  mulps xmm7, xmm7
  addps xmm7, xmm7
  stmxcsr [FPOUT + 12]
  ret

align 16
fpa:  dd 0x40400000, 0xbfc00000, 0x5e800000, 0x00000000  ; 3, -1.5, 2^62, 0
fpb:  dd 0x3eaaaaab, 0x40e80000, 0x20800000, 0x80000000  ; ~1/3, 7.25, 2^-62, -0
fpc:  dd 0x7f000000, 0x7fc00000, 0xff800000, 0x5f000000  ; 2^127, qNaN, -inf, 2^63
ints: dd 0x7fffffff, 0x80000000, 16777217, -3
mx_pe:    dd 0x1fa0
mx_reset: dd 0x1f80

; XMM0-7, EAX..EDI, EFLAGS, MXCSR and OUT's 128 bytes.
dump:
  pushfd
  pushad
  movdqu [DUMP], xmm0
  movdqu [DUMP + 16], xmm1
  movdqu [DUMP + 32], xmm2
  movdqu [DUMP + 48], xmm3
  movdqu [DUMP + 64], xmm4
  movdqu [DUMP + 80], xmm5
  movdqu [DUMP + 96], xmm6
  movdqu [DUMP + 112], xmm7
  PPUTS "xmm"
  mov esi, DUMP
  mov ecx, 32
  call words
  PPUTS "gpr"
  mov esi, esp
  mov ecx, 9
  call words
  PPUTS "out"
  mov esi, OUT
  mov ecx, 32
  call words
  popad
  popfd
  ret

; ECX dwords at ESI, each preceded by a space, then a newline.
words:
  mov eax, ' '
  call putc32
  mov eax, [esi]
  call phex32
  add esi, 4
  dec ecx
  jnz words
  call pnl
  ret

; After a fault: the instructions since T0 (by RDTSC), ECX and EDX (no SIMD
; instruction: CR0.TS may be set).
counts:
  push eax
  push edx
  rdtsc
  sub eax, [T0]
  PPUTS "tsc "
  call phex32
  call pnl
  pop edx
  pop eax
  PPUTS "regs "
  mov eax, ecx
  call phex32
  PPUTS " "
  mov eax, edx
  call phex32
  call pnl
  ret

; #NM in mid-block: the instructions before it done, none after.
nm_int:
  xor ecx, ecx
  add ecx, 5
  inc edx
  paddd xmm0, xmm0
  add ecx, 100
  inc edx
  ret
nm_fp:
  mov ecx, 7
  inc edx
  inc edx
  addps xmm1, xmm1
  add ecx, 100
  ret
nm_mmx:
  mov ecx, 9
  inc edx
  paddw mm1, mm1
  add ecx, 100
  ret
nm_x87:
  mov ecx, 15
  inc edx
  inc edx
  inc edx
  fld1
  add ecx, 100
  ret

; x87: EAX = FNSTSW after FCOMI, BL/BH = CF/ZF from FCOMI, FPOUT+16.. results.
x87_part:
  fninit
  fld dword [cs:fpa]            ; 3
  fld dword [cs:fpb]            ; ~1/3
  fmul st0, st1
  fadd st0, st0
  fcomi st0, st1
  setc bl
  setz bh
  fcmovb st0, st1
  fld st0
  fsqrt
  fstp dword [FPOUT + 16]
  fist dword [FPOUT + 20]
  fldpi
  fdivp st1, st0
  fcomi st0, st1
  fcmovnbe st0, st1
  fstp dword [FPOUT + 24]
  fnstsw ax
  fwait
  fnstcw [FPOUT + 28]
  ret

; #GP(0) in mid-block.
gp_load:
  mov ecx, 11
  inc edx
  mov esi, DATA + 8
  movaps xmm2, [esi]
  add ecx, 100
  ret
gp_store:
  mov ecx, 13
  mov edi, OUT + 4
  inc edx
  movdqa [edi], xmm0
  add ecx, 100
  ret

ROM_END
