; MMX and FXSAVE/FXRSTOR in real mode, compared with qemu -cpu pentium2
; (mmx.test.ts). Written for this project.
;
; "bin" sections run every MMX instruction with two operands for each pair
; (a, b) of the value table: MM0 = a, MM1 = b, the qword at VB = b, EBX = low
; dword of b; the kernel leaves its result in MM0, printed as "hi lo". Each
; instruction has a register kernel (..._r: op mm0, mm1) and a memory one
; (..._m: op mm0, [VB]). "imm" sections run the shift-by-immediate groups on
; each value with several counts. Then the x87 view of MMX (FNSTENV after MMX
; and EMMS), #UD/#NM/#GP cases, and FXSAVE/FXRSTOR images.
; Output helpers (H32, NL) are the data-movement tests' (datamov_lib.inc).
%include "lib/rom.inc"
%include "datamov_lib.inc"

%define VA     0x0000
%define VB     0x0008
%define RES    0x0010
%define KERN   0x0018
%define ENV    0x0020              ; 14-byte FNSTENV image (16-bit format)
%define TMP    0x0040
%define BUF    0x0100              ; 512-byte FXSAVE area, 16-byte aligned
%define BUF2   0x0400
%define RESUME_AT 0x5000           ; SS:5000: where the fault handlers resume

%macro BIN 2 ; "name", mnemonic
  PUTS %1
  PUTS " r: "
  mov word [KERN], k_%2_r
  call run_pairs
  PUTS %1
  PUTS " m: "
  mov word [KERN], k_%2_m
  call run_pairs
%endmacro
%macro KB 1 ; mnemonic: its register and memory kernels
k_%1_r: %1 mm0, mm1
  ret
k_%1_m: %1 mm0, [VB]
  ret
%endmacro

%macro IMM 2 ; "name", mnemonic
  PUTS %1
  PUTS " i: "
  mov word [KERN], k_%2_i
  call run_unary
%endmacro
%macro SHI1 2
  movq mm0, [VA]
  %1 mm0, %2
  call pres
%endmacro
%macro KI 1 ; mnemonic: one kernel shifting by each count
k_%1_i:
  SHI1 %1, 0
  SHI1 %1, 1
  SHI1 %1, 7
  SHI1 %1, 15
  SHI1 %1, 16
  SHI1 %1, 31
  SHI1 %1, 32
  SHI1 %1, 63
  SHI1 %1, 64
  SHI1 %1, 255
  ret
%endmacro

; TRY "label", instruction bytes...: print the label, run the instruction; a
; fault handler prints the vector's name and resumes after it.
%macro TRY 2+
  PUTS %1
  mov word [ss:RESUME_AT], %%after
  %2
%%after:
  PUTS " "
%endmacro

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
  mov ds, ax
  mov word [6*4], ud_handler
  mov word [6*4+2], 0xf000
  mov word [7*4], nm_handler
  mov word [7*4+2], 0xf000
  mov word [13*4], gp_handler
  mov word [13*4+2], 0xf000
  mov ax, 0x1000
  mov ds, ax
  mov es, ax
  fninit

  BIN "movq", movq
  BIN "movd", movd
  BIN "movd st", movdst
  BIN "movq st", movqst
  BIN "movq 7f", movq7f
  BIN "paddb", paddb
  BIN "paddw", paddw
  BIN "paddd", paddd
  BIN "paddsb", paddsb
  BIN "paddsw", paddsw
  BIN "paddusb", paddusb
  BIN "paddusw", paddusw
  BIN "psubb", psubb
  BIN "psubw", psubw
  BIN "psubd", psubd
  BIN "psubsb", psubsb
  BIN "psubsw", psubsw
  BIN "psubusb", psubusb
  BIN "psubusw", psubusw
  BIN "pmullw", pmullw
  BIN "pmulhw", pmulhw
  BIN "pmaddwd", pmaddwd
  BIN "pcmpeqb", pcmpeqb
  BIN "pcmpeqw", pcmpeqw
  BIN "pcmpeqd", pcmpeqd
  BIN "pcmpgtb", pcmpgtb
  BIN "pcmpgtw", pcmpgtw
  BIN "pcmpgtd", pcmpgtd
  BIN "pand", pand
  BIN "pandn", pandn
  BIN "por", por
  BIN "pxor", pxor
  BIN "packsswb", packsswb
  BIN "packssdw", packssdw
  BIN "packuswb", packuswb
  BIN "punpcklbw", punpcklbw
  BIN "punpcklwd", punpcklwd
  BIN "punpckldq", punpckldq
  BIN "punpckhbw", punpckhbw
  BIN "punpckhwd", punpckhwd
  BIN "punpckhdq", punpckhdq
  BIN "psllw", psllw
  BIN "pslld", pslld
  BIN "psllq", psllq
  BIN "psrlw", psrlw
  BIN "psrld", psrld
  BIN "psrlq", psrlq
  BIN "psraw", psraw
  BIN "psrad", psrad
  IMM "psllw", psllw
  IMM "pslld", pslld
  IMM "psllq", psllq
  IMM "psrlw", psrlw
  IMM "psrld", psrld
  IMM "psrlq", psrlq
  IMM "psraw", psraw
  IMM "psrad", psrad

  ; --- the x87 view: TOP and tags after MMX and EMMS (FNSTENV, 16-bit) ---
  PUTS "x87: "
  fninit
  fld1
  fldz                         ; TOP = 6; physical 7 = 1.0, 6 = 0.0
  call env
  movq mm2, [cs:vals + 8*9]    ; TOP = 0, all valid; MM2's exponent all ones
  call env
  emms                         ; all empty
  call env
  fld1                         ; TOP = 7 again: x87 works after EMMS
  fstp qword [TMP]
  H32 [TMP+4]
  H32 [TMP]
  paddb mm7, mm2               ; reads and writes: every register now valid
  call env
  fninit
  NL

  ; --- faults ---
  PUTS "faults: "
  mov eax, cr0
  or eax, 4                    ; CR0.EM
  mov cr0, eax
  TRY "em-paddb", paddb mm0, mm1            ; #UD
  TRY "em-emms", emms                       ; #UD
  TRY "em-movd", movd mm0, eax              ; #UD
  TRY "em-fxsave", fxsave [BUF]             ; #NM
  TRY "em-fxrstor", fxrstor [BUF]           ; #NM
  and eax, ~4
  or eax, 8                    ; CR0.TS
  mov cr0, eax
  TRY "ts-paddb", paddb mm0, [VB]           ; #NM
  TRY "ts-emms", emms                       ; #NM
  TRY "ts-movq", movq [VB], mm0             ; #NM
  TRY "ts-fxsave", fxsave [BUF]             ; #NM
  TRY "ts-fxrstor", fxrstor [BUF]           ; #NM
  clts
  TRY "66-paddb", db 0x66, 0x0f, 0xfc, 0xc1 ; SSE2 form: #UD
  TRY "f3-movq", db 0xf3, 0x0f, 0x6f, 0xc1  ; SSE form: #UD
  TRY "f2-paddb", db 0xf2, 0x0f, 0xfc, 0xc1 ; #UD
  TRY "66-emms", db 0x66, 0x0f, 0x77        ; #UD
  TRY "psrlw-mem", db 0x0f, 0x71, 0x16, 0x00, 0x01, 0x03 ; 0F 71 /2 with m: #UD
  TRY "fxsave-reg", db 0x0f, 0xae, 0xc0     ; #UD
  TRY "ldmxcsr", db 0x0f, 0xae, 0x16, 0x00, 0x01 ; 0F AE /2: no SSE, #UD
  TRY "fxsave-8", fxsave [BUF + 8]          ; misaligned: #GP
  TRY "fxrstor-4", fxrstor [BUF + 4]        ; misaligned: #GP
  TRY "ok-paddb", paddb mm0, mm1            ; no fault
  NL

  ; --- FXSAVE images ---
  PUTS "fxsave x87: "
  fninit
  mov word [TMP], 0x0a7f       ; RC up, PC double, all exceptions masked
  fldcw [TMP]
  fldpi
  fld1
  fldz
  fdivp st1, st0               ; 1/0: ZE (masked) -> +inf, popped
  fld1
  fchs
  mov al, 0xa5
  call fill
  fxsave [BUF]
  call dump
  NL
  PUTS "fxsave mmx: "
  movq mm3, [cs:vals + 8*10]
  paddw mm5, mm3
  mov al, 0x3c
  call fill
  fxsave [BUF]
  call dump
  NL

  PUTS "fxrstor: "
  mov word [BUF], 0x0e7f       ; FCW
  mov word [BUF+2], 0x3821     ; FSW: TOP 7, PE and IE (masked)
  mov byte [BUF+4], 0x83       ; physical 0, 1 and 7 valid
  mov dword [BUF+32], 0        ; ST(0) = physical 7 = 3.0 (exponent 4000H, 1.1b)
  mov dword [BUF+36], 0xc0000000
  mov word [BUF+40], 0x4000
  mov dword [BUF+48], 0x11223344 ; ST(1) = physical 0: an MMX-style value
  mov dword [BUF+52], 0x55667788
  mov word [BUF+56], 0xffff
  fxrstor [BUF]
  fnstenv [ENV]
  H16 word [ENV]
  H16 word [ENV+2]
  H16 word [ENV+4]
  fldcw [ENV]                  ; FNSTENV masked everything; restore the loaded CW
  fstp qword [TMP]             ; 3.0
  H32 [TMP+4]
  H32 [TMP]
  mov al, 0x77
  call fill
  fxsave [BUF]
  call dump
  fninit
  NL

  PUTS "fxsave osfxsr: "
  mov eax, cr4
  or eax, 0x200                ; CR4.OSFXSR
  TRY "cr4", mov cr4, eax
  fldpi
  movq mm1, [cs:vals + 8*11]
  mov al, 0xc3
  call fill
  fxsave [BUF]
  call dump
  mov eax, cr4
  and eax, ~0x200
  mov cr4, eax
  fninit
  NL

  ; --- a pending unmasked x87 exception (CR0.NE = 1): #MF before an MMX
  ; instruction or EMMS runs (SDM vol. 2 EMMS, PADDB... "#MF If there is a
  ; pending FPU exception"); the handler clears it with FNCLEX ---
  PUTS "mf: "
  mov word [ss:16*4], mf_handler        ; SS = 0: the IVT
  mov word [ss:16*4+2], 0xf000
  mov eax, cr0
  or eax, 0x20                 ; CR0.NE
  mov cr0, eax
  call pend
  TRY "paddb", paddb mm0, mm1
  TRY "after", paddb mm0, mm1
  call pend
  TRY "emms", emms
  call pend
  TRY "movq", movq [VB], mm0
  call pend
  TRY "fxsave", fxsave [BUF]                ; not a waiting instruction
  fnclex
  mov eax, cr0
  and eax, ~0x20
  mov cr0, eax
  fninit
  NL

  PUTS "end"
  NL
  EXIT 0

; pend: an unmasked ZE pending (1/0 with ZM clear).
pend:
  fninit
  mov word [TMP], 0x037b
  fldcw [TMP]
  fld1
  fldz
  fdivp st1, st0
  ret

mf_handler:
  PUTS ":MF"
  fnclex
  add sp, 6
  jmp word [ss:RESUME_AT]

; run_pairs: the kernel at [KERN] for every pair of the value table.
run_pairs:
  xor si, si
.i:
  xor di, di
.j:
  mov eax, [cs:vals + si]
  mov [VA], eax
  mov eax, [cs:vals + si + 4]
  mov [VA + 4], eax
  mov eax, [cs:vals + di]
  mov [VB], eax
  mov eax, [cs:vals + di + 4]
  mov [VB + 4], eax
  movq mm0, [VA]
  movq mm1, [VB]
  mov ebx, [VB]
  call word [KERN]
  call pres
  add di, 8
  cmp di, vals_end - vals
  jb .j
  NL
  add si, 8
  cmp si, vals_end - vals
  jb .i
  ret

; run_unary: the kernel at [KERN] with VA = each value (it prints its results).
run_unary:
  xor si, si
.i:
  mov eax, [cs:vals + si]
  mov [VA], eax
  mov eax, [cs:vals + si + 4]
  mov [VA + 4], eax
  call word [KERN]
  NL
  add si, 8
  cmp si, vals_end - vals
  jb .i
  ret

; pres: print MM0 as "hi lo ".
pres:
  movq [RES], mm0
  H32 [RES + 4]
  H32 [RES]
  ret

; env: FNSTENV (16-bit) and print FSW and FTW.
env:
  fnstenv [ENV]
  H16 word [ENV + 2]
  H16 word [ENV + 4]
  ret

; fill: BUF and BUF2 (512 bytes each) with AL.
fill:
  push cx
  push di
  mov di, BUF
  mov cx, 0x600
  cld
  rep stosb
  pop di
  pop cx
  ret

; dump: the 512 bytes at BUF as 128 dwords.
dump:
  push si
  mov si, BUF
.l:
  H32 [si]
  add si, 4
  cmp si, BUF + 512
  jb .l
  pop si
  ret

ud_handler:
  PUTS ":UD"
  add sp, 6
  jmp word [ss:RESUME_AT]
nm_handler:
  PUTS ":NM"
  add sp, 6
  jmp word [ss:RESUME_AT]
gp_handler:
  PUTS ":GP"
  add sp, 6
  jmp word [ss:RESUME_AT]

KB movq
k_movd_r:
  movd mm0, ebx
  ret
k_movd_m:
  movd mm0, [VB]
  ret
k_movdst_r:                    ; MOVD r32, mm then back
  movd ecx, mm1
  movd mm0, ecx
  ret
k_movdst_m:                    ; MOVD m32, mm: the low dword of VB replaced
  movd [VB], mm0
  movq mm0, [VB]
  ret
k_movqst_r:
  movq [VB], mm0
  pxor mm0, mm0
  movq mm0, [VB]
  ret
k_movqst_m:
  movq [VB], mm1
  movq mm0, [VB]
  ret
k_movq7f_r:                    ; MOVQ mm0, mm1 encoded 0F 7F /r
  db 0x0f, 0x7f, 0xc8
  ret
k_movq7f_m:                    ; MOVD mm0, m32 of the high dword
  movd mm0, [VB + 4]
  ret
KB paddb
KB paddw
KB paddd
KB paddsb
KB paddsw
KB paddusb
KB paddusw
KB psubb
KB psubw
KB psubd
KB psubsb
KB psubsw
KB psubusb
KB psubusw
KB pmullw
KB pmulhw
KB pmaddwd
KB pcmpeqb
KB pcmpeqw
KB pcmpeqd
KB pcmpgtb
KB pcmpgtw
KB pcmpgtd
KB pand
KB pandn
KB por
KB pxor
KB packsswb
KB packssdw
KB packuswb
KB punpcklbw
KB punpcklwd
KB punpckldq
KB punpckhbw
KB punpckhwd
KB punpckhdq
KB psllw
KB pslld
KB psllq
KB psrlw
KB psrld
KB psrlq
KB psraw
KB psrad
KI psllw
KI pslld
KI psllq
KI psrlw
KI psrld
KI psrlq
KI psraw
KI psrad

; Values: counts for the shifts (0, 1, 16, 31, 33, 63, 64) and lane patterns
; at the saturation and sign edges.
vals:
  dq 0
  dq 0xffffffffffffffff
  dq 1
  dq 16
  dq 31
  dq 33
  dq 63
  dq 64
  dq 0x8000000000000000
  dq 0x7fff7fff7fff7fff
  dq 0x8000800080008000
  dq 0x0123456789abcdef
  dq 0xfedcba9876543210
  dq 0x7f80ff0100fe8081
  dq 0x80007fffffff0001
vals_end:

ROM_END
