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
