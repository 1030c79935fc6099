; SSE/SSE2/SSE3 floating point in real mode, compared with qemu -cpu coreduo
; (ssefp.test.ts). Written for this project.
;
; The "bin" sections run each instruction over pairs of operands from the value
; tables (T32: 32 singles, T64: 32 doubles: zeros, infinities, QNaNs and SNaNs
; with payloads, denormals, the largest and smallest normals, values whose sums,
; products and quotients overflow, underflow, round and tie) under each MXCSR of
; a mode list (rounding modes, FTZ, DAZ, all exceptions masked): XMM0 = the 16
; bytes at T+i, XMM1 = the 16 bytes at T+j (also at VB for the memory forms); the
; kernel leaves XMM0 (and EXTRA for integer or EFLAGS results); each run prints
; "x0 x1 x2 x3 e0 e1 mxcsr" (XMM0's dwords low first, EXTRA, MXCSR).
; Then the MMX transition, FISTTP, denormal-operand flags and the unmasked
; exceptions (#XM with CR4.OSXMMEXCPT=1, #UD with it clear).
%include "lib/rom.inc"
cpu prescott

%define T32    0x0000              ; 36 dwords (32 + 4 repeated for the last lanes)
%define T64    0x0100              ; 34 qwords (32 + 2 repeated)
%define VB     0x0300              ; the second operand in memory
%define VA     0x0310
%define OUT    0x0320              ; XMM0 as stored for printing
%define EXTRA  0x0330              ; two dwords a kernel may set
%define MX     0x0338              ; MXCSR as stored for printing
%define MODE   0x033c              ; MXCSR loaded before each run
%define KERN   0x0340              ; the kernel (near address in CS)
%define ESZ    0x0342              ; i step (bytes)
%define JST    0x0344              ; j step (bytes)
%define LIM    0x0346              ; i, j limit (bytes)
%define TB     0x0348              ; table base
%define ENV    0x0360              ; FNSTENV image (16-bit, 14 bytes)
%define SAVEFL 0x0370
%define RESUME_AT 0x5000           ; SS:5000: where the fault handlers resume

%macro H16 1
  push ax
  mov ax, %1
  call puthex16
  mov al, ' '
  out 0xe9, al
  pop ax
%endmacro
%macro H32 1
  push eax
  mov eax, %1
  call hex
  pop eax
%endmacro

; RUN "label", kernel, table, i step, j step, limit, modes
%macro RUN 7
  PUTS %1
  PUTS ": "
  mov word [KERN], %2
  mov word [TB], %3
  mov word [ESZ], %4
  mov word [JST], %5
  mov word [LIM], %6
  mov bp, %7
  call run2
%endmacro
; the table shapes: packed single, packed double, scalar single, scalar double,
; and unary (one j: the kernel works on XMM0 alone); the pair shapes other than
; PS take the first 24 values only
%define PS(k, m)  k, T32, 4, 16, 128, m
%define PD(k, m)  k, T64, 8, 16, 192, m
%define SS(k, m)  k, T32, 4, 4, 96, m
%define SD(k, m)  k, T64, 8, 8, 192, m
%define U32(k, m) k, T32, 4, 128, 128, m
%define U64(k, m) k, T64, 8, 256, 256, m

; K name, instruction...: a kernel
%macro K 2+
%1: %2
  ret
%endmacro

; TRY "label", instruction...: run it; a fault handler prints the vector and
; resumes after it.
%macro TRY 2+
  PUTS %1
  mov word [ss:RESUME_AT], %%after
  %2
%%after:
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
  mov word [16*4], mf_handler
  mov word [16*4+2], 0xf000
  mov word [19*4], xm_handler
  mov word [19*4+2], 0xf000
  mov ax, 0x1000
  mov ds, ax
  mov es, ax
  ; the tables into RAM
  mov si, t32
  xor di, di
  mov cx, 0x100 + 34 * 8
.cp: mov al, [cs:si]
  mov [di], al
  inc si
  inc di
  loop .cp
  ; CR4.OSFXSR: SSE enabled
  mov eax, cr4
  or eax, 0x200
  mov cr4, eax
  fninit

  RUN "addps",   PS(k_addps, m_all)
  RUN "addps m", PS(k_addps_m, m_one)
  RUN "subps",   PS(k_subps, m_all)
  RUN "mulps",   PS(k_mulps, m_all)
  RUN "divps",   PS(k_divps, m_all)
  RUN "minps",   PS(k_minps, m_daz)
  RUN "maxps",   PS(k_maxps, m_daz)
  RUN "addsubps", PS(k_addsubps, m_all)
  RUN "haddps",  PS(k_haddps, m_all)
  RUN "hsubps",  PS(k_hsubps, m_all)
  RUN "sqrtps",  U32(k_sqrtps, m_all)
  RUN "rcpps",   U32(k_rcpps, m_daz)
  RUN "rsqrtps", U32(k_rsqrtps, m_daz)
  RUN "cmpps",   PS(k_cmpps, m_daz)
  RUN "cmpps imm", PS(k_cmpps_imm, m_one)
  RUN "addpd",   PD(k_addpd, m_pd)
  RUN "addpd m", PD(k_addpd_m, m_one)
  RUN "subpd",   PD(k_subpd, m_pd)
  RUN "mulpd",   PD(k_mulpd, m_pd)
  RUN "divpd",   PD(k_divpd, m_pd)
  RUN "minpd",   PD(k_minpd, m_daz)
  RUN "maxpd",   PD(k_maxpd, m_daz)
  RUN "addsubpd", PD(k_addsubpd, m_pd)
  RUN "haddpd",  PD(k_haddpd, m_pd)
  RUN "hsubpd",  PD(k_hsubpd, m_pd)
  RUN "sqrtpd",  U64(k_sqrtpd, m_all)
  RUN "cmppd",   PD(k_cmppd, m_daz)
  RUN "addss",   SS(k_addss, m_sc)
  RUN "addss m", SS(k_addss_m, m_one)
  RUN "subss",   SS(k_subss, m_sc)
  RUN "mulss",   SS(k_mulss, m_sc)
  RUN "divss",   SS(k_divss, m_sc)
  RUN "minss",   SS(k_minss, m_daz)
  RUN "maxss m", SS(k_maxss_m, m_daz)
  RUN "sqrtss",  U32(k_sqrtss, m_all)
  RUN "rcpss",   U32(k_rcpss, m_daz)
  RUN "rsqrtss m", U32(k_rsqrtss_m, m_one)
  RUN "cmpss",   SS(k_cmpss, m_daz)
  RUN "comiss",  SS(k_comiss, m_daz)
  RUN "ucomiss m", SS(k_ucomiss_m, m_daz)
  RUN "addsd",   SD(k_addsd, m_sc)
  RUN "subsd m", SD(k_subsd_m, m_one)
  RUN "mulsd",   SD(k_mulsd, m_sc)
  RUN "divsd",   SD(k_divsd, m_sc)
  RUN "minsd m", SD(k_minsd_m, m_daz)
  RUN "maxsd",   SD(k_maxsd, m_daz)
  RUN "sqrtsd",  U64(k_sqrtsd, m_all)
  RUN "cmpsd",   SD(k_cmpsd, m_daz)
  RUN "comisd m", SD(k_comisd_m, m_daz)
  RUN "ucomisd", SD(k_ucomisd, m_daz)
  ; conversions
  RUN "cvtps2pd", U32(k_cvtps2pd, m_daz)
  RUN "cvtps2pd m", U32(k_cvtps2pd_m, m_one)
  RUN "cvtpd2ps", U64(k_cvtpd2ps, m_all)
  RUN "cvtss2sd", SS(k_cvtss2sd, m_daz)
  RUN "cvtsd2ss", SD(k_cvtsd2ss, m_sc)
  RUN "cvtsd2ss m", SD(k_cvtsd2ss_m, m_one)
  RUN "cvtdq2ps", U32(k_cvtdq2ps, m_rc)
  RUN "cvtdq2pd", U32(k_cvtdq2pd, m_one)
  RUN "cvtps2dq", U32(k_cvtps2dq, m_rc)
  RUN "cvttps2dq", U32(k_cvttps2dq, m_daz)
  RUN "cvtpd2dq", U64(k_cvtpd2dq, m_rc)
  RUN "cvttpd2dq", U64(k_cvttpd2dq, m_daz)
  RUN "cvtsi2ss", U32(k_cvtsi2ss, m_rc)
  RUN "cvtsi2ss m", U32(k_cvtsi2ss_m, m_one)
  RUN "cvtsi2sd", U32(k_cvtsi2sd, m_one)
  RUN "cvtss2si", U32(k_cvtss2si, m_rc)
  RUN "cvtss2si m", U32(k_cvtss2si_m, m_one)
  RUN "cvttss2si", U32(k_cvttss2si, m_daz)
  RUN "cvtsd2si", U64(k_cvtsd2si, m_rc)
  RUN "cvttsd2si m", U64(k_cvttsd2si_m, m_daz)
  RUN "cvtpi2ps", U32(k_cvtpi2ps, m_rc)
  RUN "cvtpi2ps m", U32(k_cvtpi2ps_m, m_one)
  RUN "cvtps2pi", U32(k_cvtps2pi, m_rc)
  RUN "cvttps2pi m", U32(k_cvttps2pi_m, m_one)
  RUN "cvtpi2pd", U32(k_cvtpi2pd, m_one)
  RUN "cvtpd2pi", U64(k_cvtpd2pi, m_rc)
  RUN "cvttpd2pi", U64(k_cvttpd2pi, m_one)

  ; --- the MMX transition: TOP and tags after the MMX-operand conversions ---
  PUTS "mmx: "
  mov word [KERN], k_cvtpi2ps
  call x87view
  mov word [KERN], k_cvtps2pi
  call x87view
  mov word [KERN], k_cvtpi2ps_m
  call x87view
  mov word [KERN], k_cvtpd2pi
  call x87view
  mov word [KERN], k_cvtpi2pd
  call x87view
  mov word [KERN], k_cvtss2si
  call x87view
  call putnl

  ; --- FISTTP m16/m32/m64 of each value in ft (x87 masked) ---
  PUTS "fisttp: "
  mov si, ft
.ft: fninit
  fld qword [cs:si]
  fld st0
  fld st0
  fisttp word [VA]
  fisttp dword [VA+4]
  fisttp qword [VA+8]
  fnstsw ax
  H16 ax
  H16 word [VA]
  H32 dword [VA+4]
  H32 dword [VA+12]
  H32 dword [VA+8]
  fnstenv [ENV]
  H16 word [ENV+4]
  call putnl
  add si, 8
  cmp si, ft_end
  jb .ft

  ; --- denormal-operand flags (QEMU 7.2 never sets MXCSR.DE: SDM-checked) ---
  PUTS "de: "
  mov si, de_cases
.de: mov ax, [cs:si]
  test ax, ax
  jz .de_end
  mov [KERN], ax
  mov ax, [cs:si+2]
  mov [MODE], ax
  mov word [MODE+2], 0
  mov ax, [cs:si+4]
  mov bx, [cs:si+6]
  ldmxcsr [MODE]
  movups xmm0, [T32+bx]
  mov bx, ax
  movups xmm1, [T32+bx]
  movups [VB], xmm1
  call word [KERN]
  stmxcsr [MX]
  H16 word [MX]
  add si, 8
  jmp .de
.de_end:
  call putnl

  ; --- unmasked exceptions: #XM with CR4.OSXMMEXCPT=1 ---
  mov eax, cr4
  or eax, 0x400
  mov cr4, eax
  PUTS "xm: "
  call exc_cases
  call putnl
  ; --- and #UD with CR4.OSXMMEXCPT=0 ---
  mov eax, cr4
  and eax, ~0x400
  mov cr4, eax
  PUTS "ud: "
  call exc_cases
  call putnl
  PUTS "end"
  call putnl
  EXIT 0

; run2: for each MXCSR in the mode list at CS:BP (ends with 0), for i, j: load,
; run the kernel, print.
run2:
.mode:
  mov ax, [cs:bp]
  test ax, ax
  jz .done
  mov [MODE], ax
  mov word [MODE+2], 0
  xor si, si
.i: xor di, di
.j: ldmxcsr [MODE]
  mov bx, [TB]
  movups xmm0, [bx+si]
  movups xmm1, [bx+di]
  movups [VB], xmm1
  mov dword [EXTRA], 0
  mov dword [EXTRA+4], 0
  call word [KERN]
  call dump
  add di, [JST]
  cmp di, [LIM]
  jb .j
  add si, [ESZ]
  cmp si, [LIM]
  jb .i
  add bp, 2
  jmp .mode
.done:
  ret

dump:
  movups [OUT], xmm0
  stmxcsr [MX]
  push eax
  mov eax, [OUT]
  call hex
  mov eax, [OUT+4]
  call hex
  mov eax, [OUT+8]
  call hex
  mov eax, [OUT+12]
  call hex
  mov eax, [EXTRA]
  call hex
  mov eax, [EXTRA+4]
  call hex
  mov ax, [MX]
  call puthex16
  call putnl
  pop eax
  ret
hex:
  call puthex32
  push ax
  mov al, ' '
  out 0xe9, al
  pop ax
  ret

; x87view: every register zero, FNINIT, FLD1 (TOP 7), the kernel (XMM0 and
; XMM1 = T32+8 values), then the status word's TOP and the tag word (FNSTENV
; gives each non-empty register's class: the MMX writes leave non-zero values).
x87view:
  fninit
  %rep 8
  fldz
  %endrep
  fninit
  fld1
  ldmxcsr [cs:m_one_d]
  mov bx, 8
  movups xmm1, [T32+bx]
  movups xmm0, xmm1
  movups [VB], xmm1
  call word [KERN]
  fnstenv [ENV]
  H16 word [ENV+2]
  H16 word [ENV+4]
  fninit
  ret

; exc_cases: each case loads MXCSR, XMM0 and XMM1 (four dwords each), EAX =
; 55555555H and EFLAGS = 0ED5H, runs the instruction, then prints XMM0's dwords,
; EAX, EFLAGS (OF SF ZF AF PF CF) and MXCSR. XMM1 is also at VB.
%macro XC 5+ ; "label", mxcsr, {xmm0 dwords}, {xmm1 dwords}, instruction
  [section .rodata]
  %%x0: dd %3
  %%x1: dd %4
  __SECT__
  mov word [ss:RESUME_AT], %%after
  PUTS %1
  mov dword [MODE], %2
  ldmxcsr [MODE]
  movups xmm0, [cs:%%x0]
  movups xmm1, [cs:%%x1]
  movups [VB], xmm1
  mov eax, 0x55555555
  push word 0x0ed5
  popf
  %5
%%after:
  call xc_dump
%endmacro
xc_dump:
  pushf
  pop word [EXTRA+4]
  mov [EXTRA], eax
  movups [OUT], xmm0
  stmxcsr [MX]
  PUTS " "
  mov eax, [OUT]
  call hex
  mov eax, [OUT+4]
  call hex
  mov eax, [OUT+8]
  call hex
  mov eax, [OUT+12]
  call hex
  mov eax, [EXTRA]
  call hex
  mov ax, [EXTRA+4]
  and ax, 0x08d5
  call puthex16
  mov al, ' '
  out 0xe9, al
  mov ax, [MX]
  call puthex16
  PUTS " / "
  ret
exc_cases:
  XC "divss-z", 0x1d80, {0x3f800000, 1, 2, 3}, {0, 0, 0, 0}, divss xmm0, xmm1
  XC "divss-z-m", 0x1f80, {0x3f800000, 1, 2, 3}, {0, 0, 0, 0}, divss xmm0, xmm1
  XC "mulps-io", 0x1b80, {0x3f800000, 0x7f7fffff, 0x3f800000, 0x3f800000}, {0x7f800001, 0x7f7fffff, 0x3eaaaaab, 0}, mulps xmm0, xmm1
  XC "mulps-i", 0x1f00, {0x3f800000, 0x7f7fffff, 0x3f800000, 0x3f800000}, {0x7f800001, 0x7f7fffff, 0x3eaaaaab, 0}, mulps xmm0, xmm1
  XC "subss-u", 0x1780, {0x00800000, 1, 2, 3}, {0x00000001, 0, 0, 0}, subss xmm0, xmm1
  XC "subss-u-m", 0x1f80, {0x00800000, 1, 2, 3}, {0x00000001, 0, 0, 0}, subss xmm0, xmm1
  XC "mulss-u-ftz", 0x9780, {0x00800000, 1, 2, 3}, {0x3f000000, 0, 0, 0}, mulss xmm0, xmm1
  XC "mulss-ftz", 0x9f80, {0x00800000, 1, 2, 3}, {0x3f000000, 0, 0, 0}, mulss xmm0, xmm1
  XC "addss-p", 0x0f80, {0x3f800000, 1, 2, 3}, {0x3eaaaaab, 0, 0, 0}, addss xmm0, xmm1
  XC "addss-p-x", 0x0f80, {0x3f800000, 1, 2, 3}, {0x3f800000, 0, 0, 0}, addss xmm0, xmm1
  XC "addss-d", 0x1e80, {0x3f800000, 1, 2, 3}, {0x00000001, 0, 0, 0}, addss xmm0, xmm1
  XC "addss-d-daz", 0x1ec0, {0x3f800000, 1, 2, 3}, {0x00000001, 0, 0, 0}, addss xmm0, xmm1
  XC "sqrtps-i", 0x1f00, {1, 2, 3, 4}, {0xbf800000, 0x3f800000, 0, 0}, sqrtps xmm0, xmm1
  XC "maxss-q", 0x1f00, {0x3f800000, 1, 2, 3}, {0x7fc00000, 0, 0, 0}, maxss xmm0, xmm1
  XC "cmpeqps-q", 0x1f00, {0x3f800000, 1, 2, 3}, {0x7fc00000, 1, 2, 3}, cmpeqps xmm0, xmm1
  XC "cmpltps-q", 0x1f00, {0x3f800000, 1, 2, 3}, {0x7fc00000, 1, 2, 3}, cmpltps xmm0, xmm1
  XC "comiss-q", 0x1f00, {0x3f800000, 1, 2, 3}, {0x7fc00000, 0, 0, 0}, comiss xmm0, xmm1
  XC "ucomiss-q", 0x1f00, {0x3f800000, 1, 2, 3}, {0x7fc00000, 0, 0, 0}, ucomiss xmm0, xmm1
  XC "cvtss2si-i", 0x1f00, {0x3f800000, 1, 2, 3}, {0x7f800000, 0, 0, 0}, cvtss2si eax, xmm1
  XC "cvtsi2ss-p", 0x0f80, {0x3f800000, 1, 2, 3}, {0x7fffff7f, 0, 0, 0}, cvtsi2ss xmm0, [VB]
  XC "cvtpd2ps-o", 0x1b80, {0x3f800000, 1, 2, 3}, {0xffffffff, 0x7fefffff, 0, 0}, cvtpd2ps xmm0, xmm1
  XC "haddps-o", 0x1b80, {0x7f7fffff, 0x7f7fffff, 0, 0}, {0, 0, 0, 0}, haddps xmm0, xmm0
  XC "rcpps-all", 0x0000, {1, 2, 3, 4}, {0, 1, 0x7f800001, 0xbf800000}, rcpps xmm0, xmm1
  XC "divpd-z", 0x1d80, {0, 0x3ff00000, 0, 0}, {0, 0, 0, 0}, divpd xmm0, xmm1
  XC "cvttsd2si-i", 0x1f00, {0x3f800000, 1, 2, 3}, {0, 0x7ff00000, 0, 0}, cvttsd2si eax, xmm1
  ret

ud_handler:
  PUTS ":UD "
  lea sp, [esp+6]                   ; drop the frame, keeping EFLAGS
  jmp word [ss:RESUME_AT]
nm_handler:
  PUTS ":NM "
  lea sp, [esp+6]                   ; drop the frame, keeping EFLAGS
  jmp word [ss:RESUME_AT]
gp_handler:
  PUTS ":GP "
  lea sp, [esp+6]                   ; drop the frame, keeping EFLAGS
  jmp word [ss:RESUME_AT]
mf_handler:
  PUTS ":MF "
  fnclex
  lea sp, [esp+6]                   ; drop the frame, keeping EFLAGS
  jmp word [ss:RESUME_AT]
xm_handler:
  PUTS ":XM "
  lea sp, [esp+6]                   ; drop the frame, keeping EFLAGS
  jmp word [ss:RESUME_AT]

; --- kernels ---
K k_addps, addps xmm0, xmm1
K k_addps_m, addps xmm0, [VB]
K k_subps, subps xmm0, xmm1
K k_mulps, mulps xmm0, xmm1
K k_divps, divps xmm0, xmm1
K k_minps, minps xmm0, xmm1
K k_maxps, maxps xmm0, xmm1
K k_addsubps, addsubps xmm0, xmm1
K k_haddps, haddps xmm0, xmm1
K k_hsubps, hsubps xmm0, xmm1
K k_sqrtps, sqrtps xmm0, xmm0
K k_rcpps, rcpps xmm0, xmm0
K k_rsqrtps, rsqrtps xmm0, xmm0
k_cmpps:   ; every predicate, one lane of each in XMM0 (lane 0 of each result)
  movaps xmm2, xmm0
  %assign p 0
  %rep 8
    movaps xmm3, xmm2
    cmpps xmm3, xmm1, p
    movd eax, xmm3
    and eax, 1 << p
    or [EXTRA], eax
  %assign p p+1
  %endrep
  cmpps xmm0, xmm1, 1
  ret
k_cmpps_imm: ; imm8 above 7: bits 7:3 reserved (legacy encoding)
  movaps xmm2, xmm0
  cmpps xmm2, xmm1, 0x09
  movd [EXTRA], xmm2
  movaps xmm2, xmm0
  cmpps xmm2, xmm1, 0xfe
  movd [EXTRA+4], xmm2
  cmpps xmm0, xmm1, 0x84
  ret
K k_addpd, addpd xmm0, xmm1
K k_addpd_m, addpd xmm0, [VB]
K k_subpd, subpd xmm0, xmm1
K k_mulpd, mulpd xmm0, xmm1
K k_divpd, divpd xmm0, xmm1
K k_minpd, minpd xmm0, xmm1
K k_maxpd, maxpd xmm0, xmm1
K k_addsubpd, addsubpd xmm0, xmm1
K k_haddpd, haddpd xmm0, xmm1
K k_hsubpd, hsubpd xmm0, xmm1
K k_sqrtpd, sqrtpd xmm0, xmm0
k_cmppd:
  movapd xmm2, xmm0
  %assign p 0
  %rep 8
    movapd xmm3, xmm2
    cmppd xmm3, xmm1, p
    movd eax, xmm3
    and eax, 1 << p
    or [EXTRA], eax
  %assign p p+1
  %endrep
  cmppd xmm0, xmm1, 6
  ret
K k_addss, addss xmm0, xmm1
K k_addss_m, addss xmm0, [VB]
K k_subss, subss xmm0, xmm1
K k_mulss, mulss xmm0, xmm1
K k_divss, divss xmm0, xmm1
K k_minss, minss xmm0, xmm1
K k_maxss_m, maxss xmm0, [VB]
K k_sqrtss, sqrtss xmm0, xmm0
K k_rcpss, rcpss xmm0, xmm0
k_rsqrtss_m:
  movups [VB], xmm0
  rsqrtss xmm0, [VB+4]
  ret
k_cmpss:
  movaps xmm2, xmm0
  %assign p 0
  %rep 8
    movaps xmm3, xmm2
    cmpss xmm3, xmm1, p
    movd eax, xmm3
    and eax, 1 << p
    or [EXTRA], eax
  %assign p p+1
  %endrep
  cmpss xmm0, xmm1, 2
  ret
%macro KFL 3 ; name, instruction...: EFLAGS (OF SF ZF AF PF CF, all set before) into EXTRA
%1:
  push word 0x08d5
  popf
  %2, %3
  pushf
  pop ax
  and ax, 0x08d5
  mov [EXTRA], ax
  ret
%endmacro
KFL k_comiss, comiss xmm0, xmm1
KFL k_ucomiss_m, ucomiss xmm0, [VB]
K k_addsd, addsd xmm0, xmm1
K k_subsd_m, subsd xmm0, [VB]
K k_mulsd, mulsd xmm0, xmm1
K k_divsd, divsd xmm0, xmm1
K k_minsd_m, minsd xmm0, [VB]
K k_maxsd, maxsd xmm0, xmm1
K k_sqrtsd, sqrtsd xmm0, xmm0
k_cmpsd:
  movapd xmm2, xmm0
  %assign p 0
  %rep 8
    movapd xmm3, xmm2
    cmpsd xmm3, xmm1, p
    movd eax, xmm3
    and eax, 1 << p
    or [EXTRA], eax
  %assign p p+1
  %endrep
  cmpsd xmm0, xmm1, 5
  ret
KFL k_comisd_m, comisd xmm0, [VB]
KFL k_ucomisd, ucomisd xmm0, xmm1
K k_cvtps2pd, cvtps2pd xmm0, xmm0
K k_cvtps2pd_m, cvtps2pd xmm0, [VB]
K k_cvtpd2ps, cvtpd2ps xmm0, xmm0
K k_cvtss2sd, cvtss2sd xmm0, xmm1
K k_cvtsd2ss, cvtsd2ss xmm0, xmm1
K k_cvtsd2ss_m, cvtsd2ss xmm0, [VB]
K k_cvtdq2ps, cvtdq2ps xmm0, xmm0
K k_cvtdq2pd, cvtdq2pd xmm0, xmm0
K k_cvtps2dq, cvtps2dq xmm0, xmm0
K k_cvttps2dq, cvttps2dq xmm0, xmm0
K k_cvtpd2dq, cvtpd2dq xmm0, xmm0
K k_cvttpd2dq, cvttpd2dq xmm0, xmm0
k_cvtsi2ss:
  movd eax, xmm0
  cvtsi2ss xmm0, eax
  ret
k_cvtsi2ss_m:
  cvtsi2ss xmm0, [VB+4]
  ret
k_cvtsi2sd:
  movd eax, xmm0
  cvtsi2sd xmm0, eax
  ret
k_cvtss2si:
  mov eax, 0x12345678
  cvtss2si eax, xmm0
  mov [EXTRA], eax
  ret
k_cvtss2si_m:
  cvtss2si eax, [VB+8]
  mov [EXTRA], eax
  ret
k_cvttss2si:
  cvttss2si eax, xmm0
  mov [EXTRA], eax
  ret
k_cvtsd2si:
  cvtsd2si eax, xmm0
  mov [EXTRA], eax
  ret
k_cvttsd2si_m:
  cvttsd2si eax, [VB+8]
  mov [EXTRA], eax
  ret
k_cvtpi2ps:
  movq mm1, [VB+4]
  cvtpi2ps xmm0, mm1
  ret
k_cvtpi2ps_m:
  cvtpi2ps xmm0, [VB+8]
  ret
k_cvtps2pi:
  cvtps2pi mm0, xmm0
  movq [EXTRA], mm0
  ret
k_cvttps2pi_m:
  cvttps2pi mm0, [VB]
  movq [EXTRA], mm0
  ret
k_cvtpi2pd:
  movq mm1, [VB+4]
  cvtpi2pd xmm0, mm1
  ret
k_cvtpd2pi:
  cvtpd2pi mm0, xmm0
  movq [EXTRA], mm0
  ret
k_cvttpd2pi:
  cvttpd2pi mm0, xmm0
  movq [EXTRA], mm0
  ret
k_de_addss: addss xmm0, xmm1
  ret
k_de_mulss: mulss xmm0, xmm1
  ret
k_de_divss: divss xmm0, xmm1
  ret
k_de_sqrtss: sqrtss xmm0, xmm1
  ret
k_de_maxss: maxss xmm0, xmm1
  ret
k_de_comiss: comiss xmm0, xmm1
  ret
k_de_cvtss2si: cvtss2si eax, xmm1
  ret
k_de_cvtss2sd: cvtss2sd xmm0, xmm1
  ret
k_de_rcpss: rcpss xmm0, xmm1
  ret
k_de_cmpss: cmpss xmm0, xmm1, 0
  ret
k_de_cvtsd2ss: cvtsd2ss xmm0, xmm1
  ret

section .rodata
; mode lists (MXCSR values, 0-terminated)
m_all: dw 0x1f80, 0x3f80, 0xdfc0, 0x7f80, 0x9f80, 0
m_pd:  dw 0x1f80, 0x5f80, 0xffc0, 0
m_sc:  dw 0x1f80, 0xdfc0, 0
m_rc:  dw 0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x1fc0, 0
m_daz: dw 0x1f80, 0x1fc0, 0
m_one: dw 0x1f80, 0
m_one_d: dd 0x1f80

; de_cases: kernel, MXCSR, XMM1 offset, XMM0 offset (in T32; T64 for cvtsd2ss)
de_cases:
  dw k_de_addss, 0x1f80, 15*4, 2*4      ; 1 + denormal: DE PE
  dw k_de_addss, 0x1fc0, 15*4, 2*4      ; DAZ: nothing
  dw k_de_addss, 0x1f80, 15*4, 11*4     ; QNaN + denormal: nothing (QNaN first)
  dw k_de_addss, 0x1f80, 15*4, 9*4      ; inf + denormal: DE
  dw k_de_mulss, 0x1f80, 17*4, 0*4      ; 0 * denormal: DE
  dw k_de_mulss, 0x1f80, 17*4, 9*4      ; inf * denormal: DE
  dw k_de_divss, 0x1f80, 0*4, 17*4      ; denormal / 0: ZE only
  dw k_de_divss, 0x1f80, 17*4, 0*4      ; 0 / denormal: DE
  dw k_de_sqrtss, 0x1f80, 17*4, 2*4     ; sqrt(2^-127): DE PE
  dw k_de_sqrtss, 0x1f80, 16*4, 2*4     ; sqrt(-denormal): IE only
  dw k_de_maxss, 0x1f80, 15*4, 2*4      ; DE
  dw k_de_maxss, 0x1f80, 15*4, 12*4     ; QNaN: IE only
  dw k_de_comiss, 0x1f80, 15*4, 2*4     ; DE
  dw k_de_cmpss, 0x1f80, 15*4, 15*4     ; DE
  dw k_de_cvtss2si, 0x1f80, 15*4, 2*4   ; no DE: PE
  dw k_de_cvtss2si, 0x1fc0, 15*4, 2*4   ; DAZ: exact 0
  dw k_de_cvtss2sd, 0x1f80, 15*4, 2*4   ; DE (exact)
  dw k_de_rcpss, 0x1f80, 15*4, 2*4      ; nothing
  dw k_de_cvtsd2ss, 0x1f80, 0x100+14*8, 2*4 ; f64 denormal -> f32: DE UE PE
  dw k_de_addss, 0x9f80, 15*4, 0*4      ; 0 + denormal, FTZ: DE UE PE, result 0
  dw 0

; FISTTP values: 2.7, -2.7, 32767.9, 32768.5, -32768.9, -0.5, 1e10, -2^63, 2^63, NaN, -inf, 1e-300
ft:
  dq 2.7, -2.7, 32767.9, 32768.5, -32768.9, -0.5, 1.0e10, -9.223372036854775808e18
  dq 9.223372036854775808e18, __QNaN__, 0xfff0000000000000, 1.0e-300
ft_end:

t32:
  dd 0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x40400000, 0x3eaaaaab, 0x3f800001, 0x7f7fffff
  dd 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc12345, 0x7f812345, 0xff800001, 0x00000001
  dd 0x807fffff, 0x00400000, 0x00800000, 0x80800001, 0x7e800000, 0x01000001, 0x1e3ce508, 0x60ad78ec
  dd 0x5f000000, 0x4f000000, 0xcf000000, 0x3fc00000, 0x4b800001, 0xc2f6e979, 0x4effffff, 0x3f7fffff
  dd 0x00000000, 0x80000000, 0x3f800000, 0xbf800000
  times 0x100 - ($ - t32) db 0
t64:
  dq 0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000
  dq 0x4008000000000000, 0x3fd5555555555555, 0x3ff0000000000001, 0x7fefffffffffffff
  dq 0xffefffffffffffff, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000
  dq 0xfff8000012345678, 0x7ff0000012345678, 0x0000000000000001, 0x800fffffffffffff
  dq 0x0010000000000000, 0x47efffffe0000000, 0x47effffff0000000, 0x3810000000000000
  dq 0x36a0000000000000, 0x2000000000000000, 0x5fe0000000000000, 0x41e0000000000000
  dq 0xbfe0000000000000, 0x4002000000000000, 0x3ff8000000000000, 0xc3e0000000000000
  dq 0x41dfffffffc00000, 0xc1e0000000200000, 0x3fefffffffffffff, 0x36a8000000000000
  dq 0x0000000000000000, 0x8000000000000000

ROM_END
