; The block translator's differential test in real mode (jit16.test.ts): the
; twin of jit.asm for 16-bit code. Included by the ROM source jit_gen16.ts
; writes, which defines JT_COUNT, DATA_LO, DATA_SIZE and BASE and appends the
; random chunks (jt_chunks, each ending in RET) and their table (jt_table: T_*
; below, T_SIZE bytes per chunk).
;
; First, cases written out: self-modifying code in RAM, #DE in the middle of a
; block (through the IVT), a 16-bit stack across SP = 0 (calls, pushes, and
; #DE's frame), a block run again with DS at another base, branches whose
; targets wrap at IP 64K (in real mode, and in 16-bit protected mode with a
; code segment of limit 4G), a Jcc not taken ending a block at IP 10000h, a
; block branched to across CS's limit. Then every random chunk runs three times from the
; same registers, flags, SP and data, printing after each run
;   cNNNNNNNN r: EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS sum(data) #DEs sum(#DE states)
; (a #DE in a chunk goes to jt_de, which notes the state and goes on).
; The machine translates a block on its second execution in the tests, so run
; 0 is interpreted and runs 1 and 2 are mostly translated; all three and qemu
; must agree.
;
; Real mode throughout (but for the IP-wrap case's second half): CS = F000
; (the ROM), SS.B = 0 and every limit 64K as reset leaves them. The chunks'
; DS, ES, FS, GS and SS are segments of their own, so that a wrong base shows,
; each with a data area at offsets DATA_LO to DATA_LO + DATA_SIZE - 1 that the
; driver fills before and sums after a run.
%include "lib/rom.inc"

DSEG    equ 0x1000
ESEG    equ 0x2000
FSEG    equ 0x3000
GSEG    equ 0x4000
SSEG    equ 0x5000         ; 64 KiB of RAM: a stack that wraps stays in it
SMCSEG  equ 0x6000         ; RAM copies of the self-modifying routines
SMC2    equ 0x100          ; ... their offsets in SMCSEG
SMC3    equ 0x200
; The IP-wrap case's code segments: WSEG_PG with a page-aligned base (80000h;
; real mode and protected mode), WSEG_RM and WSEG_PM with bases that are not
; (70800h: real mode; 60400h: protected mode). Each holds wrap_top at offsets
; WTOP to FFFFh and wrap_low at 0 to WLOW_END - 1, and the traps 20h bytes
; below it and 64K on.
WSEG_PG equ 0x8000
WSEG_RM equ 0x7080
WSEG_PM equ 0x6040
WTOP    equ 0xffe0
WLOW_END equ 0x40
WTRAP   equ 0x7000         ; added to every constant of the traps' code
; The routines' entries and the targets of their branches (offsets in the segment)
W_CALLB_F equ 0xffe0       ; callb's callee
W_JCCF  equ 0xffe8         ; JNZ at FFE9h to 000Ah
W_JMPF  equ 0xfff0         ; JMP at FFF4h to 0005h
W_JMPB_T equ 0xfff8        ; jmpb's target
W_CALLF equ 0xfffc         ; CALL at FFFDh (ending at FFFFh) to 0010h
W_JMPF_T equ 0x0005
W_JCCF_T equ 0x000a
W_CALLF_F equ 0x0010       ; callf's callee
W_JMPB  equ 0x0020         ; JMP at 0021h to FFF8h
W_CALLB equ 0x0030         ; CALL at 0031h to FFE0h
; The IP-wrap case's GDT (wrap_gdt) selectors
; The IP-end case's code segment (base 88000h, page-aligned, clear of the
; others): ipe_code at IPE_ENTRY, its Jcc the last two bytes of the segment;
; at 0000h and 64K on (IPESEG + 1000h:0), code for an IP that wraps (qemu
; 7.2) or that goes on past FFFFh unchecked: AX = 1 or 2, RETF.
IPESEG  equ 0x8800
IPE_ENTRY equ 0xfffc
; The IP-limit case's code: lim_code at LIMSEG:LIM_ENTRY (linear 9C7F0h, the
; base 8C800h not page-aligned), reached through LIMSEG2 too (base 8D000h),
; where the same bytes lie below the limit; MOV AX, 1 / RETF at LIMSEG:0.
LIMSEG  equ 0x8c80
LIMSEG2 equ 0x8d00
LIM_ENTRY equ 0xfff0
LIM_ENTRY2 equ LIM_ENTRY - (LIMSEG2 - LIMSEG) * 16
GP      equ 13
WSEL_ROM equ 0x08          ; 16-bit code, base F0000h, limit FFFFh: the driver
WSEL_PM equ 0x10           ; 16-bit code, base WSEG_PM * 16, limit 4G
WSEL_PG equ 0x18           ; 16-bit code, base WSEG_PG * 16, limit 4G
ACC_CODE equ 0x9b          ; present, DPL 0, execute/read, accessed (QEMU does not set the bit in the ROM)
CR0_PE  equ 1
DRV_SP  equ 0xc000         ; the driver's stack (SS = SSEG throughout)

; The driver's variables, in SS (where jt_de reaches them with no register free)
V       equ 0xd000
IDX     equ V + 0x00       ; dword: the chunk's number
REPN    equ V + 0x04       ; dword: its run
CUR     equ V + 0x08       ; word: its table entry
CALLT   equ V + 0x0a       ; word: its offset
DE_N    equ V + 0x0c       ; dword: #DEs in the run (jt_de)
DE_SUM  equ V + 0x10       ; dword: ... and a checksum of the state each one found
PASS    equ V + 0x14       ; word: a written-out case's passes to go
RESUME  equ V + 0x16       ; word: where de_show goes on
F_IP    equ V + 0x18       ; words: the frame de_show found
F_CS    equ V + 0x1a
F_FL    equ V + 0x1c
F_BP    equ V + 0x1e       ; word: de_show's BP
ARG     equ V + 0x20       ; dword: the ESP the stack case runs with
FARP    equ V + 0x24       ; dword: the IP-wrap routine to call (offset, segment or selector)
F_VEC   equ V + 0x28       ; dword: the vector ipe_gp took, or FFFFFFFFh
IVT_GP  equ V + 0x2c       ; dword: the IVT's #GP entry before the IP-end case
RIN     equ V + 0x40       ; REGS: what a run starts with
ROUT    equ V + 0x80       ; REGS: what it ends with
RDE     equ V + 0xc0       ; REGS: jt_de's save area

; REGS: a dword per register in PUSHAD's order, then EFLAGS
R_EAX   equ 0
R_ECX   equ 4
R_EDX   equ 8
R_EBX   equ 12
R_ESP   equ 16
R_EBP   equ 20
R_ESI   equ 24
R_EDI   equ 28
R_FL    equ 32
R_N     equ 9              ; dwords

; A jt_table entry (jit_gen16.ts buildJit16Rom)
T_CHUNK equ 0              ; word: the chunk's offset in the ROM
T_FL    equ 2              ; word: FLAGS
T_EAX   equ 4              ; dwords: EAX ECX EDX ESI EDI
T_ECX   equ 8
T_EDX   equ 12
T_ESI   equ 16
T_EDI   equ 20
T_EBXH  equ 24             ; words: EBX's and EBP's upper halves (the lower: BASE)
T_EBPH  equ 26
T_SP    equ 28             ; word: SP (the driver's CALL pushes below it)
T_ESPH  equ 30             ; word: ESP's upper half
T_SIZE  equ 32

; STORE_GPRS frame: the eight general registers to [ss:frame + R_*]
%macro STORE_GPRS 1
  mov [ss:%1 + R_EAX], eax
  mov [ss:%1 + R_ECX], ecx
  mov [ss:%1 + R_EDX], edx
  mov [ss:%1 + R_EBX], ebx
  mov [ss:%1 + R_ESP], esp
  mov [ss:%1 + R_EBP], ebp
  mov [ss:%1 + R_ESI], esi
  mov [ss:%1 + R_EDI], edi
%endmacro

; SHOWFRAME label: print the exception frame's IP less `label`, its CS and FLAGS
%macro SHOWFRAME 1
  movzx eax, word [ss:F_IP]
  sub eax, %1
  call phex
  movzx eax, word [ss:F_CS]
  call phex
  movzx eax, word [ss:F_FL]
  call phex
%endmacro

; SHOWDE label: after a #DE that de_show took, print ESI EAX EDX, the frame's
; IP less `label`, its CS and FLAGS
%macro SHOWDE 1
  mov [ss:ROUT + R_EAX], eax
  mov eax, esi
  call phex
  mov eax, [ss:ROUT + R_EAX]
  call phex
  mov eax, edx
  call phex
  SHOWFRAME %1
  call putnl
%endmacro

; GP_ARM resume: before a #GP case, ipe_gp to go on at `resume` and its
; notes cleared (no vector, IP and CS FFFFh)
%macro GP_ARM 1
  mov word [ss:RESUME], %1
  mov dword [ss:F_VEC], -1
  mov word [ss:F_IP], 0xffff
  mov word [ss:F_CS], 0xffff
%endmacro

; WRAP_RUN label, CS: three passes of the IP-wrap routines, each line `label`
; and their AXes
%macro WRAP_RUN 2
  mov word [ss:FARP + 2], %2
  mov word [ss:PASS], 3
%%pass:
  PUTS %1
  call wrap_run
  dec word [ss:PASS]
  jnz %%pass
%endmacro

main:
  cli
  mov al, 0xff             ; both 8259As masked: nothing comes in when a chunk sets IF
  out 0x21, al
  out 0xa1, al
  mov ax, SSEG
  mov ss, ax
  mov esp, DRV_SP
  xor ax, ax
  mov ds, ax
  mov word [0 * 4], de_show ; #DE: de_show for the cases, jt_de for the chunks
  mov word [0 * 4 + 2], 0xf000
  cld

  ; --- a routine in RAM patched from outside: MOV EAX, imm32 / RETF, copied
  ; to SMCSEG:0, called three times, its immediate rewritten, three times more
  mov ax, SMCSEG
  mov es, ax
  mov si, smc1
  xor di, di
  mov cx, smc1_end - smc1
  cs rep movsb
  PUTS "smc1"
  mov cx, 3
.s1:
  call SMCSEG:0
  call phex
  loop .s1
  mov dword [es:smc1.imm - smc1], 0x22222222
  mov cx, 3
.s2:
  call SMCSEG:0
  call phex
  loop .s2
  call putnl

  ; --- a routine whose first instruction rewrites the second one's immediate
  ; (through CS: in real mode any segment may be written)
  mov si, smc2
  mov di, SMC2
  mov cx, smc2_end - smc2
  cs rep movsb
  PUTS "smc2"
  mov ecx, 5
.s3:
  call SMCSEG:SMC2         ; EAX = ECX, through the patched immediate
  call phex
  loop .s3
  call putnl

  ; --- a block that goes on past a JMP: a write to the code after the JMP,
  ; then to the code before it, is seen at once
  mov si, smc3
  mov di, SMC3
  mov cx, smc3_end - smc3
  cs rep movsb
  PUTS "smc3"
  xor bx, bx
.s4:
  mov cx, 3
.s5:
  call SMCSEG:SMC3         ; EAX = the two immediates' sum
  call phex
  loop .s5
  inc bx
  cmp bx, 1
  jne .s6
  mov dword [es:SMC3 + smc3.b_imm - smc3], 0x22222222
  jmp .s4
.s6:
  cmp bx, 2
  jne .s7
  mov dword [es:SMC3 + smc3.a_imm - smc3], 0x22222222
  jmp .s4
.s7:
  call putnl

  ; --- #DE in the middle of a block, through the IVT (real mode: FLAGS, CS
  ; and IP pushed, IP naming the divide; SDM vol. 3 §20.1.4, vol. 2 DIV): the
  ; instructions before it done, the registers as they were, the ones after
  ; it not run. DIV by zero (16 bits), IDIV whose quotient does not fit (64 by
  ; 32 bits: -2^63 + 1 by -1), DIV of 8 bits through [BP+DI+d] (SS) whose
  ; quotient does not fit in AL. Three passes: interpreted, then translated.
  mov word [ss:PASS], 3
.d1:
  mov word [ss:RESUME], .d1r
  mov esi, 1
  mov eax, 0x12345678
  mov edx, 0x9abc
  xor cx, cx
  add esi, 2
.div0:
  div cx
  add esi, 5               ; not run
.d1r:
  PUTS "div0"
  SHOWDE .div0
  mov word [ss:RESUME], .d2r
  mov esi, 1
  mov edx, 0x80000000
  mov eax, 1
  mov ecx, -1
  add esi, 3
.idiv:
  idiv ecx
  add esi, 5
.d2r:
  PUTS "idiv"
  SHOWDE .idiv
  mov word [ss:RESUME], .d3r
  mov esi, 1
  mov eax, 0x1000
  mov edx, 0x5678
  mov bp, BASE
  mov di, 0x10
  mov byte [bp + di + 4], 2
  add esi, 4
.div8:
  div byte [bp + di + 4]   ; 1000h / 2 = 800h
  add esi, 5
.d3r:
  PUTS "div8"
  SHOWDE .div8
  dec word [ss:PASS]
  jnz .d1

  ; --- a 16-bit stack (SS.B = 0) across SP = 0: wrapr called with SP at
  ; 8000h, and at 0, 2, 4 and 0Ah, where its pushes wrap from 0000h to FFFEh
  ; (SDM vol. 3 §20.1.1: SP wraps in the 64K segment), ESP's upper half 1234h,
  ; which no 16-bit stack operation changes. Each line: the SP wrapr's callee
  ; saw, the return IP it read through [BP+2] less where it returns (0; at
  ; SP 0Ah the offset wraps from FFFFh to 0), EDX and CX popped back, ESP
  ; after, the word at SS:FFFCh. Three passes each.
  mov si, wrap_sps
.w1:
  mov word [ss:PASS], 3
.w2:
  mov dword [ss:0xfff8], 0
  mov dword [ss:0xfffc], 0
  mov ax, [cs:si]
  mov [ss:ARG], ax
  mov word [ss:ARG + 2], 0x1234
  mov esp, [ss:ARG]
  call wrapr
  mov [ss:ROUT + R_ESP], esp
  mov esp, DRV_SP
  PUTS "wrap"
  movzx eax, ax
  call phex
  movzx eax, bx
  call phex
  mov eax, edx
  call phex
  movzx eax, cx
  call phex
  mov eax, [ss:ROUT + R_ESP]
  call phex
  movzx eax, word [ss:0xfffc]
  call phex
  call putnl
  dec word [ss:PASS]
  jnz .w2
  add si, 2
  cmp si, wrap_sps_end
  jb .w1

  ; --- ... and #DE with SP at 8000h, 6, 4, 2 and 0: the frame's three words
  ; (FLAGS, CS, IP) pushed one by one, SP wrapping from 0000h to FFFEh between
  ; them (the 386 shuts down only for SP 1, 3 or 5: a word across FFFFh), read
  ; back by de_show through [BP], [BP+2], [BP+4] (offsets that wrap too) and
  ; popped by IRET. Each line: SP before, the frame's IP less the divide, CS,
  ; FLAGS, SP after. Three passes each.
  mov si, de_sps
.e1:
  mov word [ss:PASS], 3
.e2:
  mov word [ss:RESUME], .e3
  mov sp, [cs:si]
  xor cx, cx
.dive:
  div cx
.e3:
  mov [ss:ARG], sp
  mov sp, DRV_SP
  PUTS "desp"
  movzx eax, word [cs:si]
  call phex
  SHOWFRAME .dive
  movzx eax, word [ss:ARG]
  call phex
  call putnl
  dec word [ss:PASS]
  jnz .e2
  add si, 2
  cmp si, de_sps_end
  jb .e1

  ; --- a block translated with DS at DSEG, run again with DS 10h paragraphs
  ; on: in real mode loading DS sets its base to the selector times 16 (SDM
  ; vol. 3 §20.1.1), and the block must use it. Each line: EAX, then the
  ; dwords it may have stored at DSEG:104h and DSEG:204h
  mov ax, DSEG
  mov es, ax
  mov dword [es:0x100], 0x11111111
  mov dword [es:0x104], 0
  mov dword [es:0x200], 0x22222222
  mov dword [es:0x204], 0
  PUTS "segbase"
  call putnl
  mov word [ss:PASS], 5
.b1:
  mov ax, DSEG
  cmp word [ss:PASS], 2
  ja .b2
  add ax, 0x10             ; the last two passes
.b2:
  mov ds, ax
  mov bx, 0x100
  call sdrt
  call phex
  mov eax, [es:0x104]
  call phex
  mov eax, [es:0x204]
  call phex
  call putnl
  dec word [ss:PASS]
  jnz .b1

  ; --- IP at the top of a 64K code segment: a 16-bit branch's target is
  ; (IP + rel) AND FFFFh, and CALL pushes IP's 16 bits (SDM vol. 2 JMP, Jcc,
  ; CALL). Five routines (wrap_top, wrap_low) called far with EAX = 0, each
  ; adding constants to AX on a way that wraps: jmpf JMP from FFF4h to 0005h,
  ; jmpb JMP from 0021h to FFF8h, callf CALL from FFFDh to 0010h returning to
  ; 0000h, callb CALL from 0031h to FFE0h, jccf JNZ from FFE9h to 000Ah. Where
  ; IP would go on without wrapping, 20h bytes below the segment and 64K on,
  ; the same code with other constants (WTRAP). No code runs on from FFFFh
  ; into 0000h: real mode raises #GP there (SDM vol. 3 §22.33.1, segment
  ; wraparound: an 8086's offset wraps) where QEMU goes on at 10000h.
  ; The translator takes a block's bytes from its page. With the base
  ; page-aligned (WSEG_PG) the page ends at FFFFh and begins at 0: a block
  ; leaves for the branch's target, whose IP it wraps (insns.ts targetEip). In
  ; real mode an IP that does not wrap is beyond CS's limit and the
  ; interpreter runs the branch; through WSEL_PG, of limit 4G, it is not. With
  ; the base not page-aligned (WSEG_RM, WSEG_PM) the page goes on below the
  ; segment and past 64K, and the translator follows jmpb's and callb's
  ; branches (and in protected mode, where FFFFh does not cut the fetch
  ; window, jmpf's, callf's and jccf's) into the traps: such a block must not
  ; run (translator.ts: its IPs must not wrap). Each line: the five AXes;
  ; three passes each.
  mov ax, WSEG_PG
  call wrap_install
  mov ax, WSEG_RM
  call wrap_install
  mov ax, WSEG_PM
  call wrap_install
  WRAP_RUN "ipwrap 80000 real", WSEG_PG
  ; The traps 64K on at jmpf's and jccf's targets, run first (three times,
  ; and so translated): a block that went on from FFF4h or FFE9h to a target
  ; on its page unwrapped would find them (a 16-bit block's exits are looked
  ; up by the IP, wrapped: emitter.ts chainTo)
  mov word [ss:FARP + 2], WSEG_RM + 0x1000
  mov word [ss:PASS], 3
.heat:
  mov word [ss:FARP], W_JMPF_T
  call far [ss:FARP]
  mov word [ss:FARP], W_JCCF_T
  call far [ss:FARP]
  dec word [ss:PASS]
  jnz .heat
  WRAP_RUN "ipwrap 70800 real", WSEG_RM
  ; 16-bit protected mode: CS a selector, DS, ES and SS kept from real mode
  ; (their caches; none is loaded until real mode again), no interrupts
  lgdt [cs:wrap_gdtr]
  mov eax, cr0
  or al, CR0_PE
  mov cr0, eax
  jmp WSEL_ROM:.pm
.pm:
  WRAP_RUN "ipwrap 80000 pm", WSEL_PG
  WRAP_RUN "ipwrap 60400 pm", WSEL_PM
  mov eax, cr0
  and al, ~CR0_PE
  mov cr0, eax
  jmp 0xf000:.rm
.rm:

  ; --- a Jcc not taken that ends at IP 10000h, the last instruction of its
  ; block: IP goes on to 10000h, not wrapped (SDM vol. 2 Jcc masks to 16
  ; bits only the target of a jump taken; translator: insns.ts leave), and
  ; the next fetch is past CS's limit FFFFh: #GP(0) (SDM vol. 3 §22.33.1,
  ; segment wraparound: an 8086's offset wraps, the 386's does not; the
  ; interpreter: decode.ts fetchFill). The fault names the instruction that
  ; was not fetched, at IP 10000h; real mode pushes IP's 16 bits (SDM vol. 3
  ; §20.1.4): 0000h. ipe_code (XOR AX, AX; JNZ at FFFEh) called far three
  ; times through IPESEG, its #GP taken by ipe_gp through the IVT. Each line:
  ; the vector ipe_gp took (FFFFFFFFh: none), the frame's IP and CS (FFFFh:
  ; none), AX (1: IP wrapped to 0000h; 2: went on at 10000h).
  xor ax, ax
  mov es, ax
  mov eax, [es:GP * 4]
  mov [ss:IVT_GP], eax
  mov word [es:GP * 4], ipe_gp
  mov word [es:GP * 4 + 2], 0xf000
  mov ax, IPESEG
  mov es, ax
  mov si, ipe_code
  mov di, IPE_ENTRY
  mov cx, ipe_code_end - ipe_code
  cs rep movsb
  mov dword [es:0], 0xcb0001b8 ; MOV AX, 1 / RETF
  mov ax, IPESEG + 0x1000
  mov es, ax
  mov dword [es:0], 0xcb0002b8 ; MOV AX, 2 / RETF
  mov word [ss:FARP], IPE_ENTRY
  mov word [ss:FARP + 2], IPESEG
  mov word [ss:PASS], 3
.ipe1:
  GP_ARM .ipe2
  mov eax, -1
  call far [ss:FARP]
.ipe2:
  mov sp, DRV_SP           ; (after the #GP the far call's return address is left)
  PUTS "ipend"
  call show_gp
  dec word [ss:PASS]
  jnz .ipe1

  ; --- a block branched to from one whose CS limit it crosses: lim_code
  ; runs first through LIMSEG2, where all of it lies below the limit, and is
  ; translated; then LIMSEG's block at FFF4h (DEC CX; JNZ to FFF0h) goes back
  ; to its start, where the same bytes run on past FFFFh. That block must not
  ; run (asm/cpu/jit.ts jitRun and jitLookup: a block wholly inside the fetch
  ; window; translator.ts: a 16-bit block's IPs do not wrap): the code from
  ; FFF0h runs to IP 10000h, whose fetch is #GP(0) (SDM vol. 3 §22.33.1), the
  ; frame's IP 0000h. Lines: AX after the three runs through LIMSEG2 (4 + 9
  ; INCs and 100h); then, per run through LIMSEG, as the IP-end case's (AX:
  ; 13 INCs, 0000000Dh).
  mov ax, LIMSEG2
  mov es, ax
  mov si, lim_code
  mov di, LIM_ENTRY2
  mov cx, lim_code_end - lim_code
  cs rep movsb
  mov ax, LIMSEG
  mov es, ax
  mov dword [es:0], 0xcb0001b8 ; MOV AX, 1 / RETF
  mov word [ss:FARP], LIM_ENTRY2
  mov word [ss:FARP + 2], LIMSEG2
  mov word [ss:PASS], 3
  PUTS "iplim-heat"
.ipl0:
  xor ax, ax
  mov cx, 1
  call far [ss:FARP]
  movzx eax, ax
  call phex
  dec word [ss:PASS]
  jnz .ipl0
  call putnl
  mov word [ss:FARP], LIM_ENTRY + 4
  mov word [ss:FARP + 2], LIMSEG
  mov word [ss:PASS], 3
.ipl1:
  GP_ARM .ipl2
  xor ax, ax
  mov cx, 2
  call far [ss:FARP]
.ipl2:
  mov sp, DRV_SP
  PUTS "iplim"
  call show_gp
  dec word [ss:PASS]
  jnz .ipl1
  xor ax, ax
  mov es, ax
  mov eax, [ss:IVT_GP]
  mov [es:GP * 4], eax

  ; --- the random chunks
  xor ax, ax
  mov ds, ax
  mov word [0 * 4], jt_de
  mov dword [ss:IDX], 0
  mov word [ss:CUR], jt_table
.chunk:
  mov dword [ss:REPN], 0
.rep:
  mov dword [ss:DE_N], 0
  mov dword [ss:DE_SUM], 0
  ; the data areas, from the chunk's number (the same for its three runs)
  mov eax, [ss:IDX]
  imul eax, eax, 0x9e3779b1
  mov si, data_segs
.fseg:
  mov es, [cs:si]
  mov di, DATA_LO
.fill:
  mov [es:di], eax
  add eax, 0x6b43a9b5
  rol eax, 7
  add di, 4
  cmp di, DATA_LO + DATA_SIZE
  jb .fill
  add si, 2
  cmp si, data_segs_end
  jb .fseg
  ; the registers, from the table entry
  mov si, [ss:CUR]
  mov ax, [cs:si + T_CHUNK]
  mov [ss:CALLT], ax
  movzx eax, word [cs:si + T_FL]
  mov [ss:RIN + R_FL], eax
  mov eax, [cs:si + T_EAX]
  mov [ss:RIN + R_EAX], eax
  mov eax, [cs:si + T_ECX]
  mov [ss:RIN + R_ECX], eax
  mov eax, [cs:si + T_EDX]
  mov [ss:RIN + R_EDX], eax
  mov eax, [cs:si + T_ESI]
  mov [ss:RIN + R_ESI], eax
  mov eax, [cs:si + T_EDI]
  mov [ss:RIN + R_EDI], eax
  mov ax, [cs:si + T_EBXH]
  shl eax, 16
  mov ax, BASE
  mov [ss:RIN + R_EBX], eax
  mov ax, [cs:si + T_EBPH]
  shl eax, 16
  mov ax, BASE
  mov [ss:RIN + R_EBP], eax
  mov ax, [cs:si + T_ESPH]
  shl eax, 16
  mov ax, [cs:si + T_SP]
  mov [ss:RIN + R_ESP], eax
  mov ax, DSEG
  mov ds, ax
  mov ax, ESEG
  mov es, ax
  mov ax, FSEG
  mov fs, ax
  mov ax, GSEG
  mov gs, ax
  push dword [ss:RIN + R_FL]
  popfd
  mov eax, [ss:RIN + R_EAX]
  mov ecx, [ss:RIN + R_ECX]
  mov edx, [ss:RIN + R_EDX]
  mov ebx, [ss:RIN + R_EBX]
  mov ebp, [ss:RIN + R_EBP]
  mov esi, [ss:RIN + R_ESI]
  mov edi, [ss:RIN + R_EDI]
  mov esp, [ss:RIN + R_ESP]
  call [ss:CALLT]
  STORE_GPRS ROUT
  mov esp, DRV_SP          ; (before PUSHFD: the chunk's SP may be 2, the dword across FFFFh)
  pushfd
  pop dword [ss:ROUT + R_FL]
  cld
  mov al, 'c'
  call putc
  mov eax, [ss:IDX]
  call puthex32
  mov eax, [ss:REPN]
  call phex
  mov al, ':'
  call putc
  mov si, ROUT
  mov cx, R_N
.pr:
  mov eax, [ss:si]
  call phex
  add si, 4
  loop .pr
  call datasum
  call phex
  mov eax, [ss:DE_N]
  call phex
  mov eax, [ss:DE_SUM]
  call phex
  call putnl
  inc dword [ss:REPN]
  cmp dword [ss:REPN], 3
  jb .rep
  add word [ss:CUR], T_SIZE
  inc dword [ss:IDX]
  cmp dword [ss:IDX], JT_COUNT
  jb .chunk
  PUTS "jit16 done"
  call putnl
  EXIT 0

; print " " and EAX in hex
phex:
  push ax
  mov al, ' '
  call putc
  pop ax
  jmp puthex32

data_segs: dw DSEG, ESEG, FSEG, GSEG, SSEG
data_segs_end:
wrap_sps: dw 0x8000, 0, 2, 4, 0xa
wrap_sps_end:
de_sps: dw 0x8000, 6, 4, 2, 0
de_sps_end:

; EAX = a checksum of the data areas (sum = rol(sum, 5) + dword); ES, SI, DI changed
datasum:
  xor eax, eax
  mov si, data_segs
.seg:
  mov es, [cs:si]
  mov di, DATA_LO
.l:
  rol eax, 5
  add eax, [es:di]
  add di, 4
  cmp di, DATA_LO + DATA_SIZE
  jb .l
  add si, 2
  cmp si, data_segs_end
  jb .seg
  ret

; EAX = [BX] + 1, stored at [BX + 4], through DS: one block (segbase)
sdrt:
  mov eax, [bx]
  inc eax
  mov [bx + 4], eax
  ret

; Push a word and a dword, call .f, pop them back into CX and EDX. .f reads
; its return IP through [BP+2] (BP = its SP after PUSH BP): AX = that SP,
; BX = the return IP less .back.
wrapr:
  push word 0x1111
  push dword 0x22223333
  call .f
.back:
  pop edx
  pop cx
  ret
.f:
  push bp
  mov bp, sp
  mov ax, sp
  mov bx, [bp + 2]
  sub bx, .back
  pop bp
  ret

jt_helper:
  add eax, 0x1234567
  ret

; Copy the IP-wrap routines to the code segment at AX, and their traps to
; the 20h bytes below it and the 40h bytes 64K on; ES, SI, DI, CX changed
wrap_install:
  mov es, ax
  mov si, wrap_top
  mov di, WTOP
  mov cx, 0x10000 - WTOP
  cs rep movsb
  mov si, wrap_low
  xor di, di
  mov cx, WLOW_END
  cs rep movsb
  push ax
  sub ax, (0x10000 - WTOP) >> 4
  mov es, ax
  mov si, wrap_top_trap
  xor di, di
  mov cx, 0x10000 - WTOP
  cs rep movsb
  pop ax
  push ax
  add ax, 0x1000
  mov es, ax
  mov si, wrap_low_trap
  xor di, di
  mov cx, WLOW_END
  cs rep movsb
  pop ax
  ret

; Call each IP-wrap routine through CS = [FARP + 2] from EAX = 0, print its AX
wrap_run:
  mov si, wrap_entries
.l:
  mov ax, [cs:si]
  mov [ss:FARP], ax
  xor eax, eax
  call far [ss:FARP]
  call phex
  add si, 2
  cmp si, wrap_entries_end
  jb .l
  jmp putnl

wrap_entries: dw W_JMPF, W_JMPB, W_CALLF, W_CALLB, W_JCCF
wrap_entries_end:

; A 16-bit code segment's descriptor (SDM vol. 3 §3.4.5): base, limit (20
; bits), G (1: the limit in 4K units); D = 0
%macro CODE16 3
  dw (%2) & 0xffff, (%1) & 0xffff
  db ((%1) >> 16) & 0xff, ACC_CODE, ((%3) << 7) | (((%2) >> 16) & 0xf), (%1) >> 24
%endmacro
align 8
wrap_gdt:
  dq 0
  CODE16 0xf0000, 0xffff, 0  ; WSEL_ROM
  CODE16 WSEG_PM * 16, 0xfffff, 1 ; WSEL_PM
  CODE16 WSEG_PG * 16, 0xfffff, 1 ; WSEL_PG
wrap_gdt_end:
wrap_gdtr:
  dw wrap_gdt_end - wrap_gdt - 1
  dd 0xf0000 + wrap_gdt

; The IP-wrap routines' code at offsets WTOP to FFFFh (WRAP_TOP) and 0 to
; WLOW_END - 1 (WRAP_LOW) of a code segment, %1 added to every constant:
; AX = 1 + the constants on the routine's way. nasm's displacements to
; `%%s + offset - WTOP + 10000h` (from the top) and `%%s + offset - 10000h`
; (from the bottom) are those of IP + rel = offset + or - 64K.
%macro WRAP_TOP 1
%%s:
  add ax, 0x600 + %1       ; FFE0h: callb's callee
  ret
  times W_JCCF - WTOP - ($ - %%s) int3
  inc ax                   ; FFE8h: jccf (ZF = 0)
  jnz short %%s + W_JCCF_T - WTOP + 0x10000
  add ax, 0x4000 + %1      ; (not taken; a near RET, where the translator
  ret                      ; goes on at the JNZ's target: decode.ts decodeBlock)
  times W_JMPF - WTOP - ($ - %%s) int3
  inc ax                   ; FFF0h: jmpf
  add ax, 0x10 + %1
  jmp short %%s + W_JMPF_T - WTOP + 0x10000
  times W_JMPB_T - WTOP - ($ - %%s) int3
  add ax, 0x400 + %1       ; FFF8h: jmpb's target
  retf
  times W_CALLF - WTOP - ($ - %%s) int3
  inc ax                   ; FFFCh: callf, its CALL ending at FFFFh
  call %%s + W_CALLF_F - WTOP + 0x10000
  times 0x10000 - WTOP - ($ - %%s) int3
%endmacro
%macro WRAP_LOW 1
%%s:
  add ax, 0x2000 + %1      ; 0000h: callf's return point
  retf
  times W_JMPF_T - ($ - %%s) int3
  add ax, 0x300 + %1       ; 0005h: jmpf's target
  retf
  times W_JCCF_T - ($ - %%s) int3
  add ax, 0x800 + %1       ; 000Ah: jccf's target
  retf
  times W_CALLF_F - ($ - %%s) int3
  add ax, 0x60 + %1        ; 0010h: callf's callee
  ret
  times W_JMPB - ($ - %%s) int3
  inc ax                   ; 0020h: jmpb
  jmp short %%s + W_JMPB_T - 0x10000
  times W_CALLB - ($ - %%s) int3
  inc ax                   ; 0030h: callb
  call %%s + W_CALLB_F - 0x10000
  add ax, 0x100 + %1
  retf
  times WLOW_END - ($ - %%s) int3
%endmacro
wrap_top: WRAP_TOP 0
wrap_low: WRAP_LOW 0
wrap_top_trap: WRAP_TOP WTRAP
wrap_low_trap: WRAP_LOW WTRAP

; #DE in the written-out cases: note the frame (IP, CS, FLAGS), go on at [RESUME]
de_show:
  mov [ss:F_BP], bp
  mov bp, sp
  push word [bp]
  pop word [ss:F_IP]
  push word [bp + 2]
  pop word [ss:F_CS]
  push word [bp + 4]
  pop word [ss:F_FL]
  push word [ss:RESUME]
  pop word [bp]
  mov bp, [ss:F_BP]
  iret

; #GP in the IP-end case: note the vector and the frame's IP and CS, go on
; at F000:[RESUME]
ipe_gp:
  mov [ss:F_BP], bp
  mov bp, sp
  mov dword [ss:F_VEC], GP
  push word [bp]
  pop word [ss:F_IP]
  push word [bp + 2]
  pop word [ss:F_CS]
  push word [ss:RESUME]
  pop word [bp]
  mov word [bp + 2], 0xf000
  mov bp, [ss:F_BP]
  iret

; #DE in a random chunk: count it, fold the state it found into DE_SUM (sum =
; rol(sum, 5) + value, over EAX ECX EDX EBX ESP EBP ESI EDI, then the frame's
; IP, CS, FLAGS), and go on after the divide. The chunks' DIV and IDIV
; (jit_gen.ts divide, with jit_gen16.ts's operands) are prefixes (66, 67,
; segment), F6/F7, ModRM: 16-bit addressing (mod 1: disp8; mod 2, or mod 0
; with rm 6: disp16), or after 67 32-bit (rm 4: a SIB; mod 1: disp8; mod 2, or
; mod 0 with rm or the SIB's base 5: disp32). No register but the frame's IP
; changes; no dword goes on the stack (its SP may be near 0).
jt_de:
  STORE_GPRS RDE
  inc dword [ss:DE_N]
  mov eax, [ss:DE_SUM]
  mov si, RDE
  mov cx, 8
.fold:
  rol eax, 5
  add eax, [ss:si]
  add si, 4
  loop .fold
  mov bp, sp
  xor si, si
.frame:
  rol eax, 5
  movzx edx, word [bp + si]
  add eax, edx
  add si, 2
  cmp si, 6
  jb .frame
  mov [ss:DE_SUM], eax
  mov si, [bp]             ; the divide (CS = F000: the chunks are in the ROM)
  xor dl, dl               ; 1 after a 67h prefix
.pfx:
  mov al, [cs:si]
  inc si
  cmp al, 0x67
  jne .p66
  mov dl, 1
  jmp .pfx
.p66:
  cmp al, 0x66
  je .pfx
  cmp al, 0x26
  je .pfx
  cmp al, 0x2e
  je .pfx
  cmp al, 0x36
  je .pfx
  cmp al, 0x3e
  je .pfx
  cmp al, 0x64
  je .pfx
  cmp al, 0x65
  je .pfx
  mov al, [cs:si]          ; ModRM (AL was F6/F7)
  inc si
  mov ah, al
  shr ah, 6                ; mod
  and al, 7                ; rm
  cmp ah, 3
  je .done
  test dl, dl
  jnz .a32
  cmp ah, 1
  je .disp8
  cmp ah, 2
  je .disp16
  cmp al, 6
  jne .done
.disp16:
  add si, 2
  jmp .done
.a32:
  cmp al, 4
  jne .a32mod
  mov al, [cs:si]          ; SIB: its base
  inc si
  and al, 7
.a32mod:
  cmp ah, 1
  je .disp8
  cmp ah, 2
  je .disp32
  cmp al, 5
  jne .done
.disp32:
  add si, 4
  jmp .done
.disp8:
  inc si
.done:
  mov [bp], si
  mov eax, [ss:RDE + R_EAX]
  mov ecx, [ss:RDE + R_ECX]
  mov edx, [ss:RDE + R_EDX]
  mov ebp, [ss:RDE + R_EBP]
  mov esi, [ss:RDE + R_ESI]
  iret

; The IP-end case's routine, copied to IPESEG:IPE_ENTRY: ZF = 1, so the JNZ
; at FFFEh is not taken (its target, IPE_ENTRY, is in the segment)
ipe_code:
  xor ax, ax
  jnz short ipe_code
ipe_code_end:

lim_code:
  inc ax                   ; LIM_ENTRY
  inc ax
  inc ax
  inc ax
  dec cx                   ; + 4: LIMSEG's entry
  jnz short lim_code
  times 9 inc ax           ; to FFFFh in LIMSEG
  add ax, 0x100            ; IP 10000h in LIMSEG
  retf
lim_code_end:

; After a #GP case: the vector ipe_gp took, the frame's IP and CS, AX; EAX changed
show_gp:
  push eax
  mov eax, [ss:F_VEC]
  call phex
  movzx eax, word [ss:F_IP]
  call phex
  movzx eax, word [ss:F_CS]
  call phex
  pop eax
  movzx eax, ax
  call phex
  jmp putnl

; position-independent routines copied to RAM (SMCSEG), returning far
smc1:
  mov eax, 0x11111111
.imm equ $ - 4
  retf
smc1_end:
smc2:
  mov [cs:SMC2 + smc2.imm - smc2], ecx
  mov eax, 0x33333333
.imm equ $ - 4
  retf
smc2_end:
smc3:
  mov edx, 0x11111111
.a_imm equ $ - 4
  jmp short .b
  times 64 int3
.b:
  mov eax, 0x11111111
.b_imm equ $ - 4
  add eax, edx
  retf
smc3_end:
