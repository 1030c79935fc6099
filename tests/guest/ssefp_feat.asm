; Which SSE floating-point instructions each CPU model has (ssefp.test.ts):
; each instruction runs once; "name" if it executed, "name:UD" if it raised #UD.
; SSE: ADDPS ... ; SSE2: the PD/SD forms and the new conversions; SSE3: ADDSUB*,
; HADD*, HSUB*, FISTTP. Written for this project.
%include "lib/rom.inc"
cpu prescott

%define RESUME_AT 0x5000

%macro TRY 2+
  PUTS %1
  mov word [ss:RESUME_AT], %%after
  %2
%%after:
  PUTS " "
%endmacro

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov word [6*4], ud_handler
  mov word [6*4+2], 0xf000
  mov ax, 0x1000
  mov ds, ax
  mov eax, cr4
  or eax, 0x200                       ; CR4.OSFXSR
  mov cr4, eax
  fninit
  fld1
  TRY "addps", addps xmm0, xmm1
  TRY "mulss", mulss xmm0, [0]
  TRY "rcpps", rcpps xmm0, xmm1
  TRY "cmpps", cmpps xmm0, xmm1, 3
  TRY "comiss", comiss xmm0, xmm1
  TRY "cvtpi2ps", cvtpi2ps xmm0, mm1
  TRY "cvtps2pi", cvtps2pi mm1, xmm0
  TRY "cvtsi2ss", cvtsi2ss xmm0, eax
  TRY "cvttss2si", cvttss2si eax, xmm0
  TRY "addpd", addpd xmm0, xmm1
  TRY "divsd", divsd xmm0, xmm1
  TRY "sqrtpd", sqrtpd xmm0, xmm1
  TRY "cmpsd", cmpsd xmm0, xmm1, 1
  TRY "ucomisd", ucomisd xmm0, xmm1
  TRY "cvtpd2ps", cvtpd2ps xmm0, xmm1
  TRY "cvtdq2ps", cvtdq2ps xmm0, xmm1
  TRY "cvttpd2dq", cvttpd2dq xmm0, xmm1
  TRY "cvtpi2pd", cvtpi2pd xmm0, mm1
  TRY "cvtpd2pi", cvtpd2pi mm1, xmm0
  TRY "cvtsd2si", cvtsd2si eax, xmm0
  TRY "addsubps", addsubps xmm0, xmm1
  TRY "haddpd", haddpd xmm0, xmm1
  TRY "hsubps", hsubps xmm0, xmm1
  TRY "fisttp", fisttp dword [0x100]
  call putnl
  ; m128 operands must be 16-byte aligned (#GP(0)); m32/m64 ones need not be
  PUTS "align: "
  mov word [ss:13*4], gp_handler
  mov word [ss:13*4+2], 0xf000
  TRY "addps", addps xmm0, [1]
  TRY "addss", addss xmm0, [1]
  TRY "addsd", addsd xmm0, [1]
  TRY "addsubps", addsubps xmm0, [1]
  TRY "haddpd", haddpd xmm0, [1]
  TRY "cmpps", cmpps xmm0, [1], 0
  TRY "rcpps", rcpps xmm0, [1]
  TRY "sqrtpd", sqrtpd xmm0, [1]
  TRY "comiss", comiss xmm0, [1]
  TRY "cvtps2pd", cvtps2pd xmm0, [1]
  TRY "cvtdq2pd", cvtdq2pd xmm0, [1]
  TRY "cvtpd2ps", cvtpd2ps xmm0, [1]
  TRY "cvtdq2ps", cvtdq2ps xmm0, [1]
  TRY "cvttps2dq", cvttps2dq xmm0, [1]
  TRY "cvtpd2pi", cvtpd2pi mm1, [1]
  TRY "cvtps2pi", cvtps2pi mm1, [1]
  TRY "cvtpi2ps", cvtpi2ps xmm0, [1]
  TRY "cvtsd2si", cvtsd2si eax, [1]
  call putnl
  PUTS "end"
  call putnl
  EXIT 0

gp_handler:
  PUTS ":GP"
  lea sp, [esp+6]                   ; real mode: no error code
  jmp word [ss:RESUME_AT]
ud_handler:
  PUTS ":UD"
  lea sp, [esp+6]
  jmp word [ss:RESUME_AT]

ROM_END
