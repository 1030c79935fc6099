; SSE/SSE2/SSE3 state and the non-arithmetic instructions, in real mode,
; compared with qemu -cpu coreduo (sse.test.ts). Written for this project.
;
; Sections print "label: values" lines. The instruction sections ("k NAME")
; run a kernel ITER times with random operands: a xorshift32 generator fills an
; FXSAVE image (MM0-7, XMM0-7), the memory operand area MEM (32 bytes, 16-byte
; aligned) and EAX/EBX/ECX/EDX; FXRSTOR loads it, the kernel runs, FXSAVE saves
; the result and the section prints what the kernel's mask asks for (XMM0,
; XMM1, MM0, MEM, EAX, MXCSR). So the results are read without the
; instructions under test. A fault prints its vector (:UD :NM :GP :XM) instead.
%include "lib/rom.inc"
%include "datamov_lib.inc"
cpu prescott

%define SEED   0x0000              ; xorshift32 state
%define KERN   0x0004              ; the kernel's address
%define KMASK  0x0006              ; what to print
%define TMP    0x0010
%define SAVEA  0x0020              ; EAX after the kernel
%define MEM    0x0040              ; 32-byte memory operand area (16-aligned)
%define IMG    0x0100              ; FXSAVE/FXRSTOR images, 512 bytes each
%define OUTI   0x0400
%define BUF    0x0700
%define RESUME_AT 0x5000           ; SS:5000: where the fault handlers resume
%define SAVESP 0x5002              ; SS:5002: SP before a kernel's call
%define ITER   8

%define P_X0   1
%define P_X1   2
%define P_MM0  4
%define P_MEM  8
%define P_EAX  16
%define P_MX   32

; K "name", mask, instruction(s): run the instructions (a kernel in section
; .kernels) ITER times with random operands and print what mask says.
%macro K 3+
  [section .kernels]
  %%k:
  %3
  ret
  __SECT__
  PUTS "k "
  PUTS %1
  PUTS ": "
  mov word [KERN], %%k
  mov word [KMASK], %2
  call run_kernel
%endmacro

; TRY "label", instruction: print the label, run it; a fault prints its vector.
%macro TRY 2+
  PUTS %1
  mov word [ss:RESUME_AT], %%after
  %2
%%after:
  PUTS " "
%endmacro

main:
  xor eax, eax
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov word [6*4], ud_handler
  mov word [6*4+2], 0xf000
  mov word [7*4], nm_handler
  mov word [7*4+2], 0xf000
  mov word [13*4], gp_handler
  mov word [13*4+2], 0xf000
  mov word [19*4], xm_handler
  mov word [19*4+2], 0xf000
  mov ax, 0x1000
  mov ds, ax
  mov es, ax
  mov dword [SEED], 0x2545f491
  fninit

  ; --- identity: CPUID leaves, IA32_MISC_ENABLE, IA32_EFER ---
  call cpuid_dump
  PUTS "msr: "
  mov ecx, 0x1a0
  rdmsr
  H32 edx
  H32 eax
  mov ecx, 0xc0000080
  rdmsr
  H32 edx
  H32 eax
  mov eax, 1 << 11             ; EFER.NXE
  xor edx, edx
  wrmsr
  rdmsr
  H32 eax
  xor eax, eax
  wrmsr
  NL

  ; --- reset state and the entry checks (CR4.OSFXSR clear) ---
  PUTS "entry: "
  TRY "noosfxsr-ldmxcsr", ldmxcsr [TMP]
  TRY "noosfxsr-stmxcsr", stmxcsr [TMP]
  mov eax, cr4
  or eax, 0x600                ; OSFXSR, OSXMMEXCPT
  TRY "cr4", mov cr4, eax
  mov eax, cr4
  H32 eax
  TRY "stmxcsr", stmxcsr [TMP]
  H32 [TMP]
  mov eax, cr0
  or eax, 4                    ; CR0.EM
  mov cr0, eax
  TRY "em-stmxcsr", stmxcsr [TMP]
  TRY "em-fxsave", fxsave [IMG]
  xor eax, 4 | 8               ; EM off, TS on
  mov cr0, eax
  TRY "ts-stmxcsr", stmxcsr [TMP]
  TRY "ts-ldmxcsr", ldmxcsr [TMP]
  clts
  mov dword [TMP], 0x10000     ; a reserved MXCSR bit
  TRY "ldmxcsr-rsvd", ldmxcsr [TMP]
  mov dword [TMP], 0x0000ffff  ; every defined bit, DAZ included
  TRY "ldmxcsr-all", ldmxcsr [TMP]
  stmxcsr [TMP + 4]
  H32 [TMP + 4]
  mov dword [TMP], 0x1f80
  ldmxcsr [TMP]
  TRY "ldmxcsr-reg", db 0x0f, 0xae, 0xd0    ; 0F AE /2 with a register: #UD
  TRY "stmxcsr-reg", db 0x0f, 0xae, 0xd8
  NL

  ; --- FXSAVE/FXRSTOR with XMM state (CR4.OSFXSR set), then clear ---
  PUTS "fxsave sse: "
  call random_image
  mov dword [IMG + 24], 0x00007f85 ; MXCSR: RC toward zero, IE and ZE set
  fxrstor [IMG]
  mov al, 0x5a
  call fill_out
  fxsave [OUTI]
  call dump_out
  NL
  PUTS "fxrstor rsvd: "
  mov dword [IMG + 24], 0x00021f80 ; reserved bit 17
  mov dword [IMG + 160], 0x12345678
  TRY "fxrstor", fxrstor [IMG]   ; #GP, and nothing is loaded
  mov al, 0x11
  call fill_out
  fxsave [OUTI]
  H32 [OUTI + 24]
  H32 [OUTI + 160]
  H16 word [OUTI]
  NL
  PUTS "fxsave noosfxsr: "
  mov eax, cr4
  and eax, ~0x200
  mov cr4, eax
  mov dword [IMG + 24], 0x00001f80
  mov dword [IMG + 160], 0xcafef00d
  fxrstor [IMG]                ; x87 part only
  mov al, 0x77
  call fill_out
  fxsave [OUTI]
  call dump_out
  mov eax, cr4
  or eax, 0x200
  mov cr4, eax
  fxsave [OUTI]
  H32 [OUTI + 160]             ; XMM0 as before, not 0xcafef00d
  NL


  ; --- fences, CLFLUSH, PAUSE, MONITOR/MWAIT's checks ---
  PUTS "misc: "
  TRY "lfence", lfence
  TRY "mfence", mfence
  TRY "sfence", sfence
  TRY "clflush", clflush [MEM]
  TRY "clflush-ss", clflush [bp + 0x7ffe]
  TRY "pause", pause
  TRY "lfence-m", db 0x0f, 0xae, 0x2e, MEM, 0  ; 0F AE /5 with memory: XRSTOR, absent
  TRY "mfence-m", db 0x0f, 0xae, 0x36, MEM, 0  ; /6: XSAVEOPT, absent
  TRY "prefetch", prefetchnta [MEM]
  TRY "prefetcht0", prefetcht0 [0xfff0]
  mov eax, MEM
  xor ecx, ecx
  xor edx, edx
  TRY "monitor", monitor
  mov ecx, 1
  TRY "monitor-ecx", monitor
  TRY "mwait-ecx1", mwait
  mov ecx, 2
  TRY "mwait-ecx2", mwait
  TRY "0f01-ca", db 0x0f, 0x01, 0xca
  NL

  ; --- data movement (ssemov.ts) ---
  K "movaps r", P_X0, movaps xmm0, xmm1
  K "movaps m", P_X0, movaps xmm0, [MEM]
  K "movaps st", P_MEM, movaps [MEM], xmm1
  K "movaps st r", P_X0, db 0x0f, 0x29, 0xc8
  K "movaps mis", P_X0, movaps xmm0, [MEM + 8]
  K "movaps st mis", P_MEM, movaps [MEM + 4], xmm1
  K "movups m", P_X0, movups xmm0, [MEM + 4]
  K "movups st", P_MEM, movups [MEM + 12], xmm1
  K "movapd m", P_X0, movapd xmm0, [MEM]
  K "movapd mis", P_X0, movapd xmm0, [MEM + 1]
  K "movupd m", P_X0, movupd xmm0, [MEM + 1]
  K "movupd st", P_MEM, movupd [MEM + 3], xmm1
  K "movdqa r", P_X0, movdqa xmm0, xmm1
  K "movdqa st", P_MEM, movdqa [MEM], xmm1
  K "movdqa mis", P_X0, movdqa xmm0, [MEM + 2]
  K "movdqu m", P_X0, movdqu xmm0, [MEM + 5]
  K "movdqu st", P_MEM, movdqu [MEM + 7], xmm1
  K "lddqu", P_X0, lddqu xmm0, [MEM + 9]
  K "lddqu r", P_X0, db 0xf2, 0x0f, 0xf0, 0xc1
  K "movss r", P_X0, movss xmm0, xmm1
  K "movss m", P_X0, movss xmm0, [MEM + 3]
  K "movss st", P_MEM, movss [MEM + 6], xmm1
  K "movss st r", P_X0, db 0xf3, 0x0f, 0x11, 0xc8
  K "movsd r", P_X0, movsd xmm0, xmm1
  K "movsd m", P_X0, movsd xmm0, [MEM + 3]
  K "movsd st", P_MEM, movsd [MEM + 6], xmm1
  K "f2f3 0f10", P_X0, db 0xf2, 0xf3, 0x0f, 0x10, 0xc1
  K "f3f2 0f10", P_X0, db 0xf3, 0xf2, 0x0f, 0x10, 0xc1
  K "movlps m", P_X0, movlps xmm0, [MEM + 1]
  K "movlps st", P_MEM, movlps [MEM + 2], xmm1
  K "movhlps", P_X0, movhlps xmm0, xmm1
  K "movhps m", P_X0, movhps xmm0, [MEM + 1]
  K "movhps st", P_MEM, movhps [MEM + 2], xmm1
  K "movlhps", P_X0, movlhps xmm0, xmm1
  K "movlpd m", P_X0, movlpd xmm0, [MEM + 1]
  K "movlpd st", P_MEM, movlpd [MEM + 2], xmm1
  K "movlpd r", P_X0, db 0x66, 0x0f, 0x12, 0xc1
  K "movhpd m", P_X0, movhpd xmm0, [MEM + 1]
  K "movhpd st", P_MEM, movhpd [MEM + 2], xmm1
  K "movhpd r", P_X0, db 0x66, 0x0f, 0x16, 0xc1
  K "movlps st r", P_X0, db 0x0f, 0x13, 0xc8
  K "movmskps", P_EAX, movmskps eax, xmm1
  K "movmskpd", P_EAX, movmskpd eax, xmm1
  K "movmskps m", P_EAX, db 0x0f, 0x50, 0x06, MEM, 0
  K "pmovmskb", P_EAX, pmovmskb eax, xmm1
  K "movd r", P_X0, movd xmm0, ebx
  K "movd m", P_X0, movd xmm0, [MEM + 1]
  K "movd g", P_EAX, movd eax, xmm1
  K "movd st", P_MEM, movd [MEM + 1], xmm1
  K "movq r", P_X0, movq xmm0, xmm1
  K "movq m", P_X0, movq xmm0, [MEM + 1]
  K "movq st", P_MEM, movq [MEM + 1], xmm1
  K "movq d6 r", P_X0, db 0x66, 0x0f, 0xd6, 0xc8
  K "movq2dq", P_X0, movq2dq xmm0, mm1
  K "movdq2q", P_MM0, movdq2q mm0, xmm1
  K "movq2dq m", P_X0, db 0xf3, 0x0f, 0xd6, 0x06, MEM, 0
  K "movntps", P_MEM, movntps [MEM], xmm1
  K "movntps mis", P_MEM, movntps [MEM + 8], xmm1
  K "movntpd", P_MEM, movntpd [MEM], xmm1
  K "movntdq", P_MEM, movntdq [MEM], xmm1
  K "movntdq r", P_X0, db 0x66, 0x0f, 0xe7, 0xc8
  K "movnti", P_MEM, movnti [MEM + 3], ebx
  K "maskmovdqu", P_MEM, mov edi, MEM
  maskmovdqu xmm1, xmm0
  K "maskmovdqu a16", P_MEM, mov di, MEM
  db 0x67
  maskmovdqu xmm1, xmm0
  K "movddup r", P_X0, movddup xmm0, xmm1
  K "movddup m", P_X0, movddup xmm0, [MEM + 3]
  K "movshdup r", P_X0, movshdup xmm0, xmm1
  K "movshdup m", P_X0, movshdup xmm0, [MEM]
  K "movsldup r", P_X0, movsldup xmm0, xmm1
  K "movsldup mis", P_X0, movsldup xmm0, [MEM + 4]

  ; --- logic and shuffles ---
  K "andps", P_X0, andps xmm0, xmm1
  K "andps m", P_X0, andps xmm0, [MEM]
  K "andnps", P_X0, andnps xmm0, xmm1
  K "orps", P_X0, orps xmm0, xmm1
  K "xorps m", P_X0, xorps xmm0, [MEM]
  K "xorps mis", P_X0, xorps xmm0, [MEM + 4]
  K "andpd", P_X0, andpd xmm0, xmm1
  K "andnpd m", P_X0, andnpd xmm0, [MEM + 16]
  K "orpd", P_X0, orpd xmm0, xmm1
  K "xorpd", P_X0, xorpd xmm0, xmm1
  K "shufps 1b", P_X0, shufps xmm0, xmm1, 0x1b
  K "shufps e4", P_X0, shufps xmm0, xmm1, 0xe4
  K "shufps m72", P_X0, shufps xmm0, [MEM], 0x72
  K "shufps self", P_X0, shufps xmm0, xmm0, 0x8d
  K "shufpd 1", P_X0, shufpd xmm0, xmm1, 1
  K "shufpd 2", P_X0, shufpd xmm0, [MEM], 2
  K "unpcklps", P_X0, unpcklps xmm0, xmm1
  K "unpckhps m", P_X0, unpckhps xmm0, [MEM]
  K "unpcklpd", P_X0, unpcklpd xmm0, xmm1
  K "unpckhpd", P_X0, unpckhpd xmm0, xmm1
  K "punpcklqdq", P_X0, punpcklqdq xmm0, xmm1
  K "punpckhqdq m", P_X0, punpckhqdq xmm0, [MEM + 16]
  K "pshufd 1b", P_X0, pshufd xmm0, xmm1, 0x1b
  K "pshufd m", P_X0, pshufd xmm0, [MEM], 0xc6
  K "pshufhw", P_X0, pshufhw xmm0, xmm1, 0x4e
  K "pshuflw m", P_X0, pshuflw xmm0, [MEM], 0x93
  K "pshufw", P_MM0, pshufw mm0, mm1, 0x2d
  K "pshufw m", P_MM0, pshufw mm0, [MEM + 1], 0xb1

  ; --- 128-bit integer forms (sseint.ts) ---
  K "punpcklbw x", P_X0, punpcklbw xmm0, xmm1
  K "punpcklbw xm", P_X0, punpcklbw xmm0, [MEM + 16]
  K "punpcklwd x", P_X0, punpcklwd xmm0, xmm1
  K "punpcklwd xm", P_X0, punpcklwd xmm0, [MEM + 16]
  K "punpckldq x", P_X0, punpckldq xmm0, xmm1
  K "punpckldq xm", P_X0, punpckldq xmm0, [MEM + 16]
  K "packsswb x", P_X0, packsswb xmm0, xmm1
  K "packsswb xm", P_X0, packsswb xmm0, [MEM + 16]
  K "pcmpgtb x", P_X0, pcmpgtb xmm0, xmm1
  K "pcmpgtb xm", P_X0, pcmpgtb xmm0, [MEM + 16]
  K "pcmpgtw x", P_X0, pcmpgtw xmm0, xmm1
  K "pcmpgtw xm", P_X0, pcmpgtw xmm0, [MEM + 16]
  K "pcmpgtd x", P_X0, pcmpgtd xmm0, xmm1
  K "pcmpgtd xm", P_X0, pcmpgtd xmm0, [MEM + 16]
  K "packuswb x", P_X0, packuswb xmm0, xmm1
  K "packuswb xm", P_X0, packuswb xmm0, [MEM + 16]
  K "punpckhbw x", P_X0, punpckhbw xmm0, xmm1
  K "punpckhbw xm", P_X0, punpckhbw xmm0, [MEM + 16]
  K "punpckhwd x", P_X0, punpckhwd xmm0, xmm1
  K "punpckhwd xm", P_X0, punpckhwd xmm0, [MEM + 16]
  K "punpckhdq x", P_X0, punpckhdq xmm0, xmm1
  K "punpckhdq xm", P_X0, punpckhdq xmm0, [MEM + 16]
  K "packssdw x", P_X0, packssdw xmm0, xmm1
  K "packssdw xm", P_X0, packssdw xmm0, [MEM + 16]
  K "pcmpeqb x", P_X0, pcmpeqb xmm0, xmm1
  K "pcmpeqb xm", P_X0, pcmpeqb xmm0, [MEM + 16]
  K "pcmpeqw x", P_X0, pcmpeqw xmm0, xmm1
  K "pcmpeqw xm", P_X0, pcmpeqw xmm0, [MEM + 16]
  K "pcmpeqd x", P_X0, pcmpeqd xmm0, xmm1
  K "pcmpeqd xm", P_X0, pcmpeqd xmm0, [MEM + 16]
  K "psrlw x", P_X0, psrlw xmm0, xmm1
  K "psrlw xm", P_X0, psrlw xmm0, [MEM + 16]
  K "psrld x", P_X0, psrld xmm0, xmm1
  K "psrld xm", P_X0, psrld xmm0, [MEM + 16]
  K "psrlq x", P_X0, psrlq xmm0, xmm1
  K "psrlq xm", P_X0, psrlq xmm0, [MEM + 16]
  K "paddq x", P_X0, paddq xmm0, xmm1
  K "paddq xm", P_X0, paddq xmm0, [MEM + 16]
  K "pmullw x", P_X0, pmullw xmm0, xmm1
  K "pmullw xm", P_X0, pmullw xmm0, [MEM + 16]
  K "psubusb x", P_X0, psubusb xmm0, xmm1
  K "psubusb xm", P_X0, psubusb xmm0, [MEM + 16]
  K "psubusw x", P_X0, psubusw xmm0, xmm1
  K "psubusw xm", P_X0, psubusw xmm0, [MEM + 16]
  K "pminub x", P_X0, pminub xmm0, xmm1
  K "pminub xm", P_X0, pminub xmm0, [MEM + 16]
  K "pand x", P_X0, pand xmm0, xmm1
  K "pand xm", P_X0, pand xmm0, [MEM + 16]
  K "paddusb x", P_X0, paddusb xmm0, xmm1
  K "paddusb xm", P_X0, paddusb xmm0, [MEM + 16]
  K "paddusw x", P_X0, paddusw xmm0, xmm1
  K "paddusw xm", P_X0, paddusw xmm0, [MEM + 16]
  K "pmaxub x", P_X0, pmaxub xmm0, xmm1
  K "pmaxub xm", P_X0, pmaxub xmm0, [MEM + 16]
  K "pandn x", P_X0, pandn xmm0, xmm1
  K "pandn xm", P_X0, pandn xmm0, [MEM + 16]
  K "pavgb x", P_X0, pavgb xmm0, xmm1
  K "pavgb xm", P_X0, pavgb xmm0, [MEM + 16]
  K "psraw x", P_X0, psraw xmm0, xmm1
  K "psraw xm", P_X0, psraw xmm0, [MEM + 16]
  K "psrad x", P_X0, psrad xmm0, xmm1
  K "psrad xm", P_X0, psrad xmm0, [MEM + 16]
  K "pavgw x", P_X0, pavgw xmm0, xmm1
  K "pavgw xm", P_X0, pavgw xmm0, [MEM + 16]
  K "pmulhuw x", P_X0, pmulhuw xmm0, xmm1
  K "pmulhuw xm", P_X0, pmulhuw xmm0, [MEM + 16]
  K "pmulhw x", P_X0, pmulhw xmm0, xmm1
  K "pmulhw xm", P_X0, pmulhw xmm0, [MEM + 16]
  K "psubsb x", P_X0, psubsb xmm0, xmm1
  K "psubsb xm", P_X0, psubsb xmm0, [MEM + 16]
  K "psubsw x", P_X0, psubsw xmm0, xmm1
  K "psubsw xm", P_X0, psubsw xmm0, [MEM + 16]
  K "pminsw x", P_X0, pminsw xmm0, xmm1
  K "pminsw xm", P_X0, pminsw xmm0, [MEM + 16]
  K "por x", P_X0, por xmm0, xmm1
  K "por xm", P_X0, por xmm0, [MEM + 16]
  K "paddsb x", P_X0, paddsb xmm0, xmm1
  K "paddsb xm", P_X0, paddsb xmm0, [MEM + 16]
  K "paddsw x", P_X0, paddsw xmm0, xmm1
  K "paddsw xm", P_X0, paddsw xmm0, [MEM + 16]
  K "pmaxsw x", P_X0, pmaxsw xmm0, xmm1
  K "pmaxsw xm", P_X0, pmaxsw xmm0, [MEM + 16]
  K "pxor x", P_X0, pxor xmm0, xmm1
  K "pxor xm", P_X0, pxor xmm0, [MEM + 16]
  K "psllw x", P_X0, psllw xmm0, xmm1
  K "psllw xm", P_X0, psllw xmm0, [MEM + 16]
  K "pslld x", P_X0, pslld xmm0, xmm1
  K "pslld xm", P_X0, pslld xmm0, [MEM + 16]
  K "psllq x", P_X0, psllq xmm0, xmm1
  K "psllq xm", P_X0, psllq xmm0, [MEM + 16]
  K "pmuludq x", P_X0, pmuludq xmm0, xmm1
  K "pmuludq xm", P_X0, pmuludq xmm0, [MEM + 16]
  K "pmaddwd x", P_X0, pmaddwd xmm0, xmm1
  K "pmaddwd xm", P_X0, pmaddwd xmm0, [MEM + 16]
  K "psadbw x", P_X0, psadbw xmm0, xmm1
  K "psadbw xm", P_X0, psadbw xmm0, [MEM + 16]
  K "psubb x", P_X0, psubb xmm0, xmm1
  K "psubb xm", P_X0, psubb xmm0, [MEM + 16]
  K "psubw x", P_X0, psubw xmm0, xmm1
  K "psubw xm", P_X0, psubw xmm0, [MEM + 16]
  K "psubd x", P_X0, psubd xmm0, xmm1
  K "psubd xm", P_X0, psubd xmm0, [MEM + 16]
  K "psubq x", P_X0, psubq xmm0, xmm1
  K "psubq xm", P_X0, psubq xmm0, [MEM + 16]
  K "paddb x", P_X0, paddb xmm0, xmm1
  K "paddb xm", P_X0, paddb xmm0, [MEM + 16]
  K "paddw x", P_X0, paddw xmm0, xmm1
  K "paddw xm", P_X0, paddw xmm0, [MEM + 16]
  K "paddd x", P_X0, paddd xmm0, xmm1
  K "paddd xm", P_X0, paddd xmm0, [MEM + 16]
  K "psrlw xc", P_X0, and dword [MEM], 0x4f
  mov dword [MEM + 4], 0
  psrlw xmm0, [MEM]
  K "psrld xc", P_X0, and dword [MEM], 0x4f
  mov dword [MEM + 4], 0
  psrld xmm0, [MEM]
  K "psrlq xc", P_X0, and dword [MEM], 0x4f
  mov dword [MEM + 4], 0
  psrlq xmm0, [MEM]
  K "psraw xc", P_X0, and dword [MEM], 0x4f
  mov dword [MEM + 4], 0
  psraw xmm0, [MEM]
  K "psrad xc", P_X0, and dword [MEM], 0x4f
  mov dword [MEM + 4], 0
  psrad xmm0, [MEM]
  K "psllw xc", P_X0, and dword [MEM], 0x4f
  mov dword [MEM + 4], 0
  psllw xmm0, [MEM]
  K "pslld xc", P_X0, and dword [MEM], 0x4f
  mov dword [MEM + 4], 0
  pslld xmm0, [MEM]
  K "psllq xc", P_X0, and dword [MEM], 0x4f
  mov dword [MEM + 4], 0
  psllq xmm0, [MEM]
  K "psrlw i0", P_X0, psrlw xmm0, 0
  K "psrlw i3", P_X0, psrlw xmm0, 3
  K "psrlw i15", P_X0, psrlw xmm0, 15
  K "psrlw i16", P_X0, psrlw xmm0, 16
  K "psraw i1", P_X0, psraw xmm0, 1
  K "psraw i15", P_X0, psraw xmm0, 15
  K "psraw i16", P_X0, psraw xmm0, 16
  K "psraw i200", P_X0, psraw xmm0, 200
  K "psllw i7", P_X0, psllw xmm0, 7
  K "psllw i17", P_X0, psllw xmm0, 17
  K "psrld i5", P_X0, psrld xmm0, 5
  K "psrld i31", P_X0, psrld xmm0, 31
  K "psrld i32", P_X0, psrld xmm0, 32
  K "psrad i9", P_X0, psrad xmm0, 9
  K "psrad i31", P_X0, psrad xmm0, 31
  K "psrad i40", P_X0, psrad xmm0, 40
  K "pslld i1", P_X0, pslld xmm0, 1
  K "pslld i33", P_X0, pslld xmm0, 33
  K "psrlq i1", P_X0, psrlq xmm0, 1
  K "psrlq i63", P_X0, psrlq xmm0, 63
  K "psrlq i64", P_X0, psrlq xmm0, 64
  K "psllq i13", P_X0, psllq xmm0, 13
  K "psllq i64", P_X0, psllq xmm0, 64
  K "psrldq i0", P_X0, psrldq xmm0, 0
  K "psrldq i1", P_X0, psrldq xmm0, 1
  K "psrldq i7", P_X0, psrldq xmm0, 7
  K "psrldq i15", P_X0, psrldq xmm0, 15
  K "psrldq i16", P_X0, psrldq xmm0, 16
  K "psrldq i255", P_X0, psrldq xmm0, 255
  K "pslldq i0", P_X0, pslldq xmm0, 0
  K "pslldq i3", P_X0, pslldq xmm0, 3
  K "pslldq i8", P_X0, pslldq xmm0, 8
  K "pslldq i16", P_X0, pslldq xmm0, 16
  K "pslldq i17", P_X0, pslldq xmm0, 17
  K "psrlw im", P_X0, db 0x66, 0x0f, 0x71, 0x16, MEM, 0, 3
  K "pslldq im", P_X0, db 0x66, 0x0f, 0x73, 0x3e, MEM, 0, 3
  K "psrldq /1", P_X0, db 0x66, 0x0f, 0x73, 0xc8, 3
  K "pextrw x0", P_EAX, pextrw eax, xmm1, 0
  K "pinsrw x0", P_X0, pinsrw xmm0, ebx, 0
  K "pextrw x1", P_EAX, pextrw eax, xmm1, 1
  K "pinsrw x1", P_X0, pinsrw xmm0, ebx, 1
  K "pextrw x2", P_EAX, pextrw eax, xmm1, 2
  K "pinsrw x2", P_X0, pinsrw xmm0, ebx, 2
  K "pextrw x3", P_EAX, pextrw eax, xmm1, 3
  K "pinsrw x3", P_X0, pinsrw xmm0, ebx, 3
  K "pextrw x5", P_EAX, pextrw eax, xmm1, 5
  K "pinsrw x5", P_X0, pinsrw xmm0, ebx, 5
  K "pextrw x7", P_EAX, pextrw eax, xmm1, 7
  K "pinsrw x7", P_X0, pinsrw xmm0, ebx, 7
  K "pextrw x8", P_EAX, pextrw eax, xmm1, 8
  K "pinsrw x8", P_X0, pinsrw xmm0, ebx, 8
  K "pinsrw xm", P_X0, pinsrw xmm0, [MEM + 1], 4
  K "pextrw xm", P_EAX, db 0x66, 0x0f, 0xc5, 0x06, MEM, 0, 1
  ; --- SSE/SSE2 integer additions on MMX registers ---
  K "pavgb mm", P_MM0, pavgb mm0, mm1
  K "pavgb mmm", P_MM0, pavgb mm0, [MEM + 3]
  K "pavgw mm", P_MM0, pavgw mm0, mm1
  K "pavgw mmm", P_MM0, pavgw mm0, [MEM + 3]
  K "pminub mm", P_MM0, pminub mm0, mm1
  K "pminub mmm", P_MM0, pminub mm0, [MEM + 3]
  K "pmaxub mm", P_MM0, pmaxub mm0, mm1
  K "pmaxub mmm", P_MM0, pmaxub mm0, [MEM + 3]
  K "pminsw mm", P_MM0, pminsw mm0, mm1
  K "pminsw mmm", P_MM0, pminsw mm0, [MEM + 3]
  K "pmaxsw mm", P_MM0, pmaxsw mm0, mm1
  K "pmaxsw mmm", P_MM0, pmaxsw mm0, [MEM + 3]
  K "pmulhuw mm", P_MM0, pmulhuw mm0, mm1
  K "pmulhuw mmm", P_MM0, pmulhuw mm0, [MEM + 3]
  K "psadbw mm", P_MM0, psadbw mm0, mm1
  K "psadbw mmm", P_MM0, psadbw mm0, [MEM + 3]
  K "pmuludq mm", P_MM0, pmuludq mm0, mm1
  K "pmuludq mmm", P_MM0, pmuludq mm0, [MEM + 3]
  K "paddq mm", P_MM0, paddq mm0, mm1
  K "paddq mmm", P_MM0, paddq mm0, [MEM + 3]
  K "psubq mm", P_MM0, psubq mm0, mm1
  K "psubq mmm", P_MM0, psubq mm0, [MEM + 3]
  K "pextrw m0", P_EAX, pextrw eax, mm1, 0
  K "pinsrw m0", P_MM0, pinsrw mm0, ebx, 0
  K "pextrw m1", P_EAX, pextrw eax, mm1, 1
  K "pinsrw m1", P_MM0, pinsrw mm0, ebx, 1
  K "pextrw m2", P_EAX, pextrw eax, mm1, 2
  K "pinsrw m2", P_MM0, pinsrw mm0, ebx, 2
  K "pextrw m3", P_EAX, pextrw eax, mm1, 3
  K "pinsrw m3", P_MM0, pinsrw mm0, ebx, 3
  K "pextrw m6", P_EAX, pextrw eax, mm1, 6
  K "pinsrw m6", P_MM0, pinsrw mm0, ebx, 6
  K "pinsrw mmm", P_MM0, pinsrw mm0, [MEM + 5], 2
  K "pmovmskb mm", P_EAX, pmovmskb eax, mm1
  K "movntq", P_MEM, movntq [MEM + 3], mm1
  K "movntq r", P_MM0, db 0x0f, 0xe7, 0xc8
  K "maskmovq", P_MEM, mov edi, MEM + 2
  maskmovq mm1, mm0
  K "maskmovq es", P_MEM, mov di, MEM
  mov ax, ds
  mov es, ax
  db 0x67, 0x26
  maskmovq mm1, mm0

  PUTS "end"
  NL
  EXIT 0

; --- CPUID: leaves 0 to 0AH, leaf 4's subleaves 0-4, 80000000H-80000008H ---
cpuid_dump:
  PUTS "cpuid:"
  NL
  xor esi, esi
.b:
  mov eax, esi
  xor ecx, ecx
  call cpuid_line
  inc esi
  cmp esi, 0xb
  jb .b
  mov esi, 1
.c:
  mov eax, 4
  mov ecx, esi
  call cpuid_line
  inc esi
  cmp esi, 5
  jb .c
  mov esi, 0x80000000
.e:
  mov eax, esi
  xor ecx, ecx
  call cpuid_line
  inc esi
  cmp esi, 0x80000009
  jb .e
  ret
cpuid_line:
  H32 eax
  H32 ecx
  cpuid
  H32 eax
  H32 ebx
  H32 ecx
  H32 edx
  NL
  ret

; --- random operands ---
; rand: EAX = the next xorshift32 value.
rand:
  push edx
  mov eax, [SEED]
  mov edx, eax
  shl edx, 13
  xor eax, edx
  mov edx, eax
  shr edx, 17
  xor eax, edx
  mov edx, eax
  shl edx, 5
  xor eax, edx
  mov [SEED], eax
  pop edx
  ret
; rword: EAX = a random dword; one in eight is an edge value instead.
rword:
  call rand
  test al, 7
  jnz .r
  push bx
  movzx bx, ah
  and bx, 7
  shl bx, 2
  mov eax, [cs:edges + bx]
  pop bx
.r:
  ret
edges: dd 0, 0xffffffff, 0x80000000, 0x7fffffff, 0x00008000, 0x7fff8000, 0x80007fff, 0x00ff00ff

; random_image: a valid FXSAVE image at IMG with random MM/XMM registers:
; FCW 037FH, FSW 0 (TOP 0), every tag valid, MXCSR 1F80H.
random_image:
  push di
  mov di, IMG
.z:
  mov dword [di], 0
  add di, 4
  cmp di, IMG + 512
  jb .z
  mov word [IMG], 0x037f
  mov byte [IMG + 4], 0xff
  mov dword [IMG + 24], 0x1f80
  mov di, IMG + 32
.m:
  call rword
  mov [di], eax
  call rword
  mov [di + 4], eax
  mov word [di + 8], 0xffff
  add di, 16
  cmp di, IMG + 160
  jb .m
.x:
  call rword
  mov [di], eax
  add di, 4
  cmp di, IMG + 288
  jb .x
  mov di, MEM
.mem:
  call rword
  mov [di], eax
  add di, 4
  cmp di, MEM + 32
  jb .mem
  pop di
  ret

; run_kernel: the kernel at [KERN], ITER times, printing per [KMASK].
run_kernel:
  mov cx, ITER
.i:
  push cx
  call random_image
  call rword
  mov ebx, eax
  call rword
  mov ecx, eax
  call rword
  mov edx, eax
  call rword
  fxrstor [IMG]
  mov word [ss:RESUME_AT], .after
  mov [ss:SAVESP], sp
  call word [KERN]
.after:
  mov sp, [ss:SAVESP]
  mov [SAVEA], eax
  fxsave [OUTI]
  fninit
  call print_result
  pop cx
  dec cx
  jnz .i
  NL
  ret

print_result:
  test word [KMASK], P_X0
  jz .n0
  H32 [OUTI + 172]
  H32 [OUTI + 168]
  H32 [OUTI + 164]
  H32 [OUTI + 160]
.n0:
  test word [KMASK], P_X1
  jz .n1
  H32 [OUTI + 188]
  H32 [OUTI + 184]
  H32 [OUTI + 180]
  H32 [OUTI + 176]
.n1:
  test word [KMASK], P_MM0
  jz .n2
  H32 [OUTI + 36]
  H32 [OUTI + 32]
.n2:
  test word [KMASK], P_MEM
  jz .n3
  H32 [MEM + 12]
  H32 [MEM + 8]
  H32 [MEM + 4]
  H32 [MEM]
.n3:
  test word [KMASK], P_EAX
  jz .n4
  H32 [SAVEA]
.n4:
  test word [KMASK], P_MX
  jz .n5
  H32 [OUTI + 24]
.n5:
  PUTS "| "
  ret

; fill_out: the 512 bytes at OUTI with AL.
fill_out:
  push cx
  push di
  mov di, OUTI
  mov cx, 512
  cld
  rep stosb
  pop di
  pop cx
  ret
; dump_out: the 512 bytes at OUTI as 128 dwords.
dump_out:
  push si
  mov si, OUTI
.l:
  H32 [si]
  add si, 4
  cmp si, OUTI + 512
  jb .l
  pop si
  ret

ud_handler:
  PUTS ":UD"
  jmp fault_resume
nm_handler:
  PUTS ":NM"
  jmp fault_resume
gp_handler:
  PUTS ":GP"
  jmp fault_resume
xm_handler:
  PUTS ":XM"
fault_resume:
  add sp, 6
  jmp word [ss:RESUME_AT]

ROM_END
