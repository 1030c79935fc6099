; x87 test: loads/stores of every format, FXCH, FABS, FCHS, compares, integer
; and BCD conversions, FRNDINT, FSCALE, FXTRACT, FPREM, constants, arithmetic at
; precision control 64, 53 and 24 in all rounding modes, status words, FCOMI
; flags, transcendentals, stack faults, FSTENV/FSAVE/FRSTOR layouts, and Linux's
; FDIV check. Which sections are compared with QEMU: see x87.test.ts.
%include "lib/rom.inc"
%include "x87lib.inc"

%macro T 1
  PUTS 10
  PUTS %1
  PUTS ":"
%endmacro

main:
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7000

  T "reset"           ; FNINIT state
  fninit
  fnstcw [RES]
  DUMP RES, 2
  SW
  fnstenv [BUF]
  DUMP BUF, 14

  ; --- Linux check_fdiv (arch/x86/kernel/cpu/bugs.c) ---
  T "fdiv"
  fninit
  fld qword [cs:fdx]
  fdiv qword [cs:fdy]
  fmul qword [cs:fdy]
  fld qword [cs:fdx]
  fsubp st1, st0
  fistp dword [RES]
  fwait
  DUMP RES, 4
  SW
  fld qword [cs:fdx]
  fdiv qword [cs:fdy]
  fst qword [RES]
  DUMP RES, 8
  SW

  ; --- m80 round trips, bit-exact for every encoding ---
  T "m80"
  fninit
  mov bx, vals80
  mov dx, NVALS80
.m80:
  fld tword [cs:bx]
  fstp tword [RES]
  DUMP RES, 10
  SW
  add bx, 10
  dec dx
  JNZF .m80

  ; --- FXAM of every class, then FABS/FCHS of the same ---
  T "fxam"
  mov bx, vals80
  mov dx, NVALS80
.fxam:
  fninit
  fld tword [cs:bx]
  fxam
  SW
  fabs
  fld st0
  POP80
  fchs
  POP80
  add bx, 10
  dec dx
  JNZF .fxam
  fninit
  fxam                ; empty
  SW

  ; --- m32/m64 loads (exact, incl. denormals and SNaN -> QNaN with IE) ---
  T "fld32"
  mov bx, vals32
  mov dx, NVALS32
.f32:
  fninit
  fld dword [cs:bx]
  SW
  POP80
  add bx, 4
  dec dx
  JNZF .f32
  T "fld64"
  mov bx, vals64
  mov dx, NVALS64
.f64:
  fninit
  fld qword [cs:bx]
  SW
  POP80
  add bx, 8
  dec dx
  JNZF .f64

  ; --- FST m32/m64 in the four rounding modes ---
  T "fst"
  mov bx, vals80
  mov dx, NVALS80
.fst:
  mov cx, 0
.fstrc:
  fninit
  mov ax, cx
  or ax, 0x037f
  mov [RES + 16], ax
  fldcw [RES + 16]
  fld tword [cs:bx]
  fst dword [RES]
  fstp qword [RES + 4]
  DUMP RES, 12
  SW
  add cx, 0x400
  cmp cx, 0x1000
  JNZF .fstrc
  add bx, 10
  dec dx
  JNZF .fst

  ; --- integer loads and stores (FILD/FIST/FISTP 16/32/64) in all RC ---
  T "fild"
  fninit
  fild word [cs:i16a]
  POP80
  fild word [cs:i16b]
  POP80
  fild dword [cs:i32a]
  POP80
  fild dword [cs:i32b]
  POP80
  fild qword [cs:i64a]
  POP80
  fild qword [cs:i64b]
  POP80
  fild qword [cs:i64c]
  POP80
  SW
  T "fist"
  mov bx, vals80
  mov dx, NVALS80
.fist:
  mov cx, 0
.fistrc:
  fninit
  mov ax, cx
  or ax, 0x037f
  mov [RES + 16], ax
  fldcw [RES + 16]
  fld tword [cs:bx]
  fist word [RES]
  fist dword [RES + 2]
  fistp qword [RES + 6]
  DUMP RES, 14
  SW
  add cx, 0x400
  cmp cx, 0x1000
  JNZF .fistrc
  add bx, 10
  dec dx
  JNZF .fist

  ; --- FRNDINT in all RC ---
  T "frndint"
  mov bx, vals80
  mov dx, NVALS80
.frnd:
  mov cx, 0
.frndrc:
  fninit
  mov ax, cx
  or ax, 0x037f
  mov [RES + 16], ax
  fldcw [RES + 16]
  fld tword [cs:bx]
  frndint
  SW
  POP80
  add cx, 0x400
  cmp cx, 0x1000
  JNZF .frndrc
  add bx, 10
  dec dx
  JNZF .frnd

  ; --- packed BCD ---
  T "bcd"
  fninit
  fbld [cs:bcd1]
  fld st0
  POP80
  fbstp [RES]
  DUMP RES, 10
  fbld [cs:bcd2]
  fld st0
  POP80
  fbstp [RES]
  DUMP RES, 10
  fld qword [cs:v_2p5]
  fbstp [RES]
  DUMP RES, 10
  fld qword [cs:v_big]
  fbstp [RES]         ; out of range: IE, BCD indefinite
  DUMP RES, 10
  SW

  ; --- constants in all RC ---
  T "const"
  mov cx, 0
.crc:
  fninit
  mov ax, cx
  or ax, 0x037f
  mov [RES + 16], ax
  fldcw [RES + 16]
  fld1
  POP80
  fldl2t
  POP80
  fldl2e
  POP80
  fldpi
  POP80
  fldlg2
  POP80
  fldln2
  POP80
  fldz
  POP80
  SW
  add cx, 0x400
  cmp cx, 0x1000
  JNZF .crc

  ; --- arithmetic with double and single precision control, all RC ---
  T "arith"
  mov bp, 0x0300      ; PC = extended, then double
.pc:
  mov cx, 0
.arc:
  fninit
  mov ax, cx
  or ax, bp
  or ax, 0x007f
  mov [RES + 16], ax
  fldcw [RES + 16]
  mov bx, pairs
  mov dx, NPAIRS
.ap:
  fld qword [cs:bx]
  fadd qword [cs:bx + 8]
  POP80
  fld qword [cs:bx]
  fsub qword [cs:bx + 8]
  POP80
  fld qword [cs:bx]
  fmul qword [cs:bx + 8]
  POP80
  fld qword [cs:bx]
  fdiv qword [cs:bx + 8]
  POP80
  fld qword [cs:bx]
  fdivr qword [cs:bx + 8]
  POP80
  fld qword [cs:bx]
  fsqrt
  POP80
  SW
  fnclex
  add bx, 16
  dec dx
  JNZF .ap
  add cx, 0x400
  cmp cx, 0x1000
  JNZF .arc
  cmp bp, 0x0200
  je .pcdone
  mov bp, 0x0200
  jmp .pc
.pcdone:

  ; --- register forms, pops, integer operands (exact results) ---
  T "forms"
  fninit
  SETCW 0x027f
  fld qword [cs:v_3]
  fld qword [cs:v_2p5]
  fadd st1, st0       ; st1 = 5.5
  fsub st0, st1       ; st0 = -3
  fmulp st1, st0      ; -16.5
  fld1
  fdivr st0, st1      ; st0 = -16.5
  fsubrp st1, st0
  fld st0
  POP80
  fiadd word [cs:i16a]
  fimul dword [cs:i32c]
  fisub word [cs:i16c]
  fidivr dword [cs:i32c]
  fist dword [RES]
  DUMP RES, 4
  POP80
  SW
  fld1
  fld qword [cs:v_3]
  fdivp st1, st0
  POP80
  fld1
  fld qword [cs:v_3]
  fdivrp st1, st0
  POP80
  fld qword [cs:v_3]
  fld qword [cs:v_2p5]
  fsubp st1, st0
  POP80
  fld qword [cs:v_3]
  fld qword [cs:v_2p5]
  fsubrp st1, st0
  POP80
  fld qword [cs:v_3]
  fld qword [cs:v_2p5]
  faddp st1, st0
  POP80
  fld qword [cs:v_3]
  fmul st0, st0
  POP80
  SW

  ; --- special operands: inf-inf, 0*inf, x/0, 0/0, NaN propagation ---
  T "special"
  fninit
  fld tword [cs:pinf]
  fld tword [cs:pinf]
  fsubp st1, st0
  SW
  POP80
  fninit
  fldz
  fld tword [cs:pinf]
  fmulp st1, st0
  POP80
  fld1
  fldz
  fdivp st1, st0
  SW
  POP80
  fninit
  fldz
  fldz
  fdivp st1, st0
  SW
  POP80
  fninit
  fld tword [cs:qnan1]
  fld tword [cs:qnan2]
  faddp st1, st0
  POP80
  fld tword [cs:snan1]
  fld1
  faddp st1, st0
  SW
  POP80
  fninit
  fld tword [cs:unnorm]
  fld1
  fmulp st1, st0
  SW
  POP80
  fninit
  fld qword [cs:v_m2]
  fsqrt
  SW
  POP80
  fninit
  fld tword [cs:mzero]
  fsqrt
  POP80
  fldz
  fld tword [cs:mzero]
  faddp st1, st0
  POP80
  SETCW 0x077f
  fldz
  fld tword [cs:mzero]
  faddp st1, st0
  POP80
  fld1
  fld1
  fsubp st1, st0
  POP80
  SW

  ; --- overflow/underflow to the register (masked), and denormal results ---
  T "range"
  fninit
  SETCW 0x027f
  fld tword [cs:vmax]
  fld tword [cs:vmax]
  faddp st1, st0
  SW
  POP80
  fninit
  SETCW 0x027f
  fld tword [cs:vtiny]
  fld qword [cs:v_3]
  fdivp st1, st0
  SW
  POP80
  fninit
  SETCW 0x027f
  fld tword [cs:vtiny]
  fld tword [cs:vtiny]
  fmulp st1, st0
  SW
  POP80
  fninit
  SETCW 0x0e7f
  fld tword [cs:vmax]
  fld tword [cs:vmax]
  faddp st1, st0
  SW
  POP80

  fninit
  fld tword [cs:vtiny]
  fld qword [cs:v_3]
  fdivp st1, st0      ; denormal result at 64-bit precision
  SW
  POP80
  fninit
  fld tword [cs:vals80 + 20]
  fld tword [cs:vals80 + 10]
  fmulp st1, st0
  fld tword [cs:vals80 + 20]
  fdivp st1, st0
  fld tword [cs:vals80 + 10]
  fsubp st1, st0
  fld tword [cs:vals80 + 10]
  fsqrt
  faddp st1, st0
  SW
  POP80

  ; --- compares: FCOM FCOMP FCOMPP FUCOM* FICOM FTST FCOMI FUCOMI ---
  T "compare"
  mov bx, cmps
  mov dx, NCMPS
.cmp:
  fninit
  fld tword [cs:bx + 10]
  fld tword [cs:bx]
  fcom st1
  SW
  fucom st1
  SW
  fcomi st0, st1
  FLAGS
  SW
  fucomi st0, st1
  FLAGS
  SW
  fnclex
  fcomp st1
  SW
  fninit
  fld tword [cs:bx + 10]
  fld tword [cs:bx]
  fucompp
  SW
  fninit
  fld tword [cs:bx + 10]
  fld tword [cs:bx]
  fcompp
  SW
  fninit
  fld tword [cs:bx + 10]
  fld tword [cs:bx]
  fcomip st0, st1
  FLAGS
  fucomip st0, st0
  FLAGS
  SW
  fninit
  fld tword [cs:bx]
  ftst
  SW
  add bx, 20
  dec dx
  JNZF .cmp
  fninit
  fld qword [cs:v_3]
  ficom word [cs:i16c]
  SW
  ficomp dword [cs:i32c]
  SW
  fld qword [cs:v_3]
  fcom dword [cs:f32one]
  SW
  fcomp qword [cs:v_3]
  SW

  ; --- FCMOVcc ---
  T "fcmov"
  fninit
  fld1
  fldz
  mov ax, 0
  cmp ax, 1           ; CF=1 ZF=0 (PF from result 0xffff = 1)
  fcmovb st0, st1
  fld st0
  POP80
  fldz
  fcmove st0, st2
  fld st0
  POP80
  fcmovnb st0, st2
  fcmovnbe st0, st2
  fcmovne st0, st2
  fld st0
  POP80
  cmp ax, ax          ; ZF=1 CF=0 PF=1
  fldz
  fcmovnu st0, st3
  fcmove st0, st3
  fld st0
  POP80
  fldz
  fcmovu st0, st4
  fcmovbe st0, st4
  POP80
  SW

  ; --- FXCH, FLD ST(i), FST/FSTP ST(i), FFREE, FINCSTP/FDECSTP ---
  T "stack"
  fninit
  fld1
  fldpi
  fldz
  fxch st2
  POP80
  fld st1
  POP80
  fst st1
  fstp st2
  POP80
  POP80
  SW
  fld1
  fld1
  ffree st1
  fincstp
  SW
  fdecstp
  fdecstp
  SW

  ; --- FPREM FPREM1 FSCALE FXTRACT ---
  T "misc"
  mov bx, pairs
  mov dx, NPAIRS
.misc:
  fninit
  fld qword [cs:bx + 8]
  fld qword [cs:bx]
  fprem
  SW
  POP80
  fninit
  fld qword [cs:bx + 8]
  fld qword [cs:bx]
  fprem1
  SWQ
  POP80
  fninit
  fld qword [cs:bx + 8]
  fld qword [cs:bx]
  fscale
  SW
  POP80
  fninit
  fld qword [cs:bx]
  fxtract
  SW
  POP80
  POP80
  add bx, 16
  dec dx
  JNZF .misc
  fninit
  fld tword [cs:vbig2]  ; partial remainder: C2 = 1
  fld tword [cs:vhuge]
  fprem
  SW
  fprem
  SW
  POP80
  fninit
  fldz
  fxtract
  SW
  POP80
  POP80

  ; --- FSTENV/FLDENV, FSAVE/FRSTOR 16- and 32-bit, real mode ---
  T "env"
  fninit
  fld tword [cs:vals80]
  fld tword [cs:vals80 + 10]
  fld tword [cs:vals80 + 20]
  fld tword [cs:vals80 + 30]
  fld tword [cs:vals80 + 40]
  fld tword [cs:vals80 + 50]
  fld tword [cs:vals80 + 60]
  fld tword [cs:vals80 + 70]
  fadd st0, st0
  fnsave [BUF]
  and word [BUF + 8], 0xf800     ; FOP: QEMU does not keep it
  DUMP BUF, 94
  SW
  frstor [BUF]
  o32 fnsave [BUF2]
  DUMP BUF2, 2
  DUMP BUF2 + 4, 2
  DUMP BUF2 + 8, 2
  DUMP BUF2 + 28, 80
  o32 frstor [BUF2]
  o32 fnstenv [BUF]
  DUMP BUF, 2
  DUMP BUF + 4, 2
  DUMP BUF + 8, 2
  POP80
  POP80
  POP80
  POP80
  POP80
  POP80
  POP80
  POP80
  SW
  fninit              ; FSAVE/FRSTOR keep every encoding bit for bit
  fld tword [cs:vals80 + 100]
  fld tword [cs:vals80 + 110]
  fld tword [cs:vals80 + 120]
  fld tword [cs:vals80 + 130]
  fld tword [cs:vals80 + 140]
  fld tword [cs:vals80 + 150]
  fld tword [cs:vals80 + 160]
  fld tword [cs:vals80 + 170]
  fnsave [BUF]
  fld1
  frstor [BUF]
  o32 fnsave [BUF2]
  DUMP BUF2, 2
  DUMP BUF2 + 4, 2
  DUMP BUF2 + 8, 2
  DUMP BUF2 + 28, 80
  o32 frstor [BUF2]
  fnstsw [RES]
  DUMP RES, 2
  fninit
  fld1
  fldpi
  fnstenv [BUF]
  fldenv [BUF]
  fnstenv [BUF2]
  and word [BUF2 + 8], 0xf800
  DUMP BUF2, 14
  fstsw ax
  mov [RES], ax
  DUMP RES, 2

  ; --- transcendentals, results rounded to double ---
  T "trans"
  mov bx, tvals
  mov dx, NTVALS
.tr:
  fninit
  fld qword [cs:bx]
  fsin
  fstp qword [RES]
  DUMP RES, 8
  fld qword [cs:bx]
  fcos
  fstp qword [RES]
  DUMP RES, 8
  fld qword [cs:bx]
  fsincos
  fstp qword [RES]
  fstp qword [RES + 8]
  DUMP RES, 16
  fld qword [cs:bx]
  fptan
  fstp qword [RES]
  fstp qword [RES + 8]
  DUMP RES, 16
  fld qword [cs:bx]
  fld1
  fpatan
  fstp qword [RES]
  DUMP RES, 8
  fld qword [cs:bx]
  fmul qword [cs:tvals]        ; x/2: inside F2XM1's domain
  f2xm1
  fstp qword [RES]
  DUMP RES, 8
  fld qword [cs:v_3]
  fld qword [cs:bx]
  fabs
  fyl2x
  fstp qword [RES]
  DUMP RES, 8
  fld qword [cs:v_3]
  fld qword [cs:bx]
  fmul qword [cs:tvals + 24]   ; x/8: inside FYL2XP1's domain
  fyl2xp1
  fstp qword [RES]
  DUMP RES, 8
  SW
  add bx, 8
  dec dx
  JNZF .tr

  ; --- single precision control (RingZero only: QEMU 7.2 misrounds at PC=24) ---
  T "arith24"
  mov bp, 0
  mov cx, 0
.arc24:
  fninit
  mov ax, cx
  or ax, 0x007f
  mov [RES + 16], ax
  fldcw [RES + 16]
  mov bx, pairs24
  mov dx, NPAIRS24
.ap24:
  fld qword [cs:bx]
  fadd qword [cs:bx + 8]
  POP80
  fld qword [cs:bx]
  fmul qword [cs:bx + 8]
  POP80
  fld qword [cs:bx]
  fdiv qword [cs:bx + 8]
  POP80
  fld qword [cs:bx]
  fsqrt
  POP80
  SW
  add bx, 16
  dec dx
  JNZF .ap24
  add cx, 0x400
  cmp cx, 0x1000
  JNZF .arc24

  ; --- stack faults, unmasked exceptions, DE, C1, FOP (RingZero only: QEMU
  ; 7.2 models none of these; expected values from the SDM, see the test) ---
  T "faults"
  fninit
  fld1
  fld1
  ffree st1
  fxch st1            ; ST1 empty: masked underflow, it becomes the indefinite
  SW
  POP80
  POP80
  fninit              ; stack overflow: nine pushes
  fld1
  fld1
  fld1
  fld1
  fld1
  fld1
  fld1
  fld1
  fldpi
  SW
  POP80
  fninit              ; underflow on arithmetic
  fadd st0, st1
  SW
  POP80
  SW
  fninit
  fld dword [cs:vals32 + 8]   ; single denormal: DE
  SW
  fninit
  SETCW 0x0b7f        ; RC up
  fldpi
  fst dword [RES]     ; rounded up: PE and C1
  SW
  fninit
  fld qword [cs:v_3]  ; 10 / 3: FPREM1 quotient 3 -> C3 C1
  fld qword [cs:pairs + 32]
  fprem1
  SW
  fninit
  SETCW 0x0c7a        ; ZE unmasked
  fld1
  fldz
  fdivp st1, st0      ; unmasked ZE: ES and B set, no result, no pop
  fnstenv [BUF]
  DUMP BUF, 14
  fnstcw [RES]
  DUMP RES, 2
  fnclex
  SW
  fninit
  fld1
  fld1
  fadd st0, st0
  o32 fnstenv [BUF]
  DUMP BUF, 28
  o32 fnsave [BUF]
  DUMP BUF, 48
  SW

  PUTS 10
  EXIT 0

section .rodata
fdx: dq 4195835.0
fdy: dq 3145727.0
; 80-bit encodings of every class (SDM vol. 1 table 8-3)
vals80:
  dw 0, 0, 0, 0x8000, 0x3fff           ; 1.0
  dq 0xc90fdaa22168c235                ; pi
  dw 0x4000
  dq 0xaaaaaaaaaaaaaaab                ; 64-bit significand, ~ -1/3
  dw 0xbffd
  dq 0x8000000000000000                ; 2.5
  dw 0x4000 | 0
  dq 0xa000000000000000                ; -2.5 (exact half)
  dw 0xc000
  dq 0xe000000000000000                ; 3.5
  dw 0x4000
  dq 0x8000000000000000                ; -0.5
  dw 0xbffe
  dq 0xc000000000000000                ; 1.5e0 * 2^40
  dw 0x4027
  dq 0x8000000000000000                ; -2^63
  dw 0xc03e
  dq 0xfffffffffffffc00                ; large, fits in i64? no: 2^64-2^10 > i64
  dw 0x403e
  dq 0x0000000000000001                ; smallest denormal
  dw 0x0000
  dq 0x8000000000000000                ; pseudo-denormal
  dw 0x0000
  dq 0x4000000000000000                ; unnormal
  dw 0x4000
  dq 0x8000000000000000                ; +inf
  dw 0x7fff
  dq 0xc000000000000000                ; QNaN indefinite
  dw 0xffff
  dq 0x8000000000000001                ; SNaN
  dw 0x7fff
  dq 0x0000000000000001                ; pseudo-NaN
  dw 0x7fff
  dq 0x0000000000000000                ; -0
  dw 0x8000
  dq 0xffffffffffffffff                ; largest finite
  dw 0x7ffe
  dq 0x8000000000000000                ; tiny normal 2^-16382
  dw 0x0001
  dq 0xfffffffffffff800                ; rounds up in double
  dw 0x3fff
  dq 0x80000000000007ff                ; close to 1 from above
  dw 0x3fff
  dq 0x8000008000000000                ; single tie
  dw 0x3fff
  dq 0x8000018000000000                ; single tie, odd
  dw 0x3fff
  dq 0x8000000000000000                ; 2^-127: single denormal
  dw 0x3f80
  dq 0x8000000000000000                ; 2^128: single overflow
  dw 0x407f
  dq 0xa000000000000000                ; 40000.5*... 2^15*1.25 = 40960.0 (m16 overflow)
  dw 0x400e
NVALS80 equ ($ - vals80) / 10
pinf equ vals80 + 13 * 10
qnan1 equ vals80 + 14 * 10
snan1 equ vals80 + 15 * 10
unnorm equ vals80 + 12 * 10
mzero equ vals80 + 17 * 10
vmax equ vals80 + 18 * 10
vtiny equ vals80 + 19 * 10
qnan2:
  dq 0xc000000000000123
  dw 0x7fff
vbig2:
  dq 0x8000000000000000
  dw 0x3fff + 2
vhuge:
  dq 0xc90fdaa22168c235
  dw 0x3fff + 200
vals32:
  dd 0x3f800000, 0xbf800000, 0x00000001, 0x807fffff, 0x7f800000, 0x7fc00001
  dd 0x7f800001, 0x00000000, 0x80000000, 0x7f7fffff, 0x40490fdb
NVALS32 equ ($ - vals32) / 4
f32one equ vals32
vals64:
  dq 0x3ff0000000000000, 0x0000000000000001, 0x800fffffffffffff, 0x7ff0000000000000
  dq 0x7ff8000000000001, 0x7ff0000000000001, 0x8000000000000000, 0x7fefffffffffffff
  dq 0x400921fb54442d18
NVALS64 equ ($ - vals64) / 8
i16a: dw 0x7fff
i16b: dw 0x8000
i16c: dw 3
i32a: dd 0x7fffffff
i32b: dd 0x80000000
i32c: dd -7
i64a: dq 0x7fffffffffffffff
i64b: dq 0x8000000000000000
i64c: dq 0x0000000000000000
bcd1: db 0x89, 0x67, 0x45, 0x23, 0x01, 0x89, 0x67, 0x45, 0x23, 0x80
bcd2: db 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x00
v_2p5: dq 2.5
v_3: dq 3.0
v_m2: dq -2.0
v_big: dq 1.0e18
; pairs (a, b) of doubles for arithmetic, FPREM, FSCALE
pairs:
  dq 1.0, 3.0
  dq 2.0, 3.0
  dq 10.0, 3.0
  dq -7.0, 2.0
  dq 5.5, -2.0
  dq 1.0e300, 1.0e-300
  dq 123456789.0, 0.001
  dq 3.0, 1.0e-20
  dq 0.1, 0.2
  dq -0.1, 0.3
  dq 1.0e-310, 3.0
  dq 2.0, 0.75
  dq 4195835.0, 3145727.0
NPAIRS equ ($ - pairs) / 16
tvals: dq 0.5, -0.25, 1.0, 0.125, 2.0, 0.0, -0.7
NTVALS equ ($ - tvals) / 8
pairs24:
  dq 123456789.0, 0.001
  dq -0.1, 0.3
  dq 2.0, 3.0
NPAIRS24 equ ($ - pairs24) / 16
cmps: ; (a, b) 80-bit: a in ST0, b in ST1
  dq 0x8000000000000000
  dw 0x3fff
  dq 0x8000000000000000
  dw 0x4000
  dq 0x8000000000000000
  dw 0x4000
  dq 0x8000000000000000
  dw 0x3fff
  dq 0x8000000000000000
  dw 0x3fff
  dq 0x8000000000000000
  dw 0x3fff
  dq 0x0000000000000000
  dw 0x0000
  dq 0x0000000000000000
  dw 0x8000
  dq 0xc000000000000000
  dw 0xffff
  dq 0x8000000000000000
  dw 0x3fff
  dq 0x8000000000000001
  dw 0x7fff
  dq 0x8000000000000000
  dw 0x3fff
  dq 0x8000000000000000
  dw 0xffff
  dq 0x8000000000000000
  dw 0xc000
  dq 0x0000000000000001
  dw 0x0000
  dq 0x0000000000000000
  dw 0x0000
NCMPS equ ($ - cmps) / 20
section .text
ROM_END
