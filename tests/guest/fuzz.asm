; Random-instruction robustness test. In 32-bit protected mode with paging, the
; guest runs COUNT chunks of 16 pseudo-random bytes (seeded by SEED, both in the
; FZPARAMS block that tools/fuzz/run.ts patches), alternately at CPL 0 and CPL 3,
; each after loading random registers. Every IDT vector's handler counts the
; vector and goes on with the next chunk; the run ends by printing the counts
; and writing the exit port, so reaching "fuzz done" means that every exception
; was delivered to the guest (no triple fault, no reset, no host error).
;
; What keeps random code from killing the run:
; - Watchdog: chunks run with EFLAGS.TF; the #DB handler resumes the chunk
;   (IRETD) until 64 steps, then abandons it (counted as vector 100H). So that
;   no chunk can clear TF, the generator replaces POPF (9D) and IRET (CF)
;   bytes with NOP in every chunk (they are tested elsewhere).
; - Chunks run in a code segment that covers only their own page (INT3
;   around the 16 bytes), so a jump elsewhere is #GP.
; - Every chunk starts from a freshly loaded GDTR, IDTR, CR0 (PE PG WP), CR3,
;   CR4 (PSE), DR7 = 0 and segment registers. The harness state, GDT, IDT, TSS
;   and page tables are in read-only supervisor pages (CR0.WP = 1); the
;   handler clears WP only while it updates them.
; - All 4 GiB are mapped (the low 4 MiB by 4 KiB pages with mixed rights,
;   every other 4 MiB by a supervisor page onto one 4 MiB frame filled with
;   INT3), so that a CPL-0 push through a random ESP cannot fault, and a jump
;   anywhere soon meets INT3. The chunk is followed by INT3 bytes.
; - At CPL 0 (where nothing would stop them) the generator replaces HLT,
;   IN/OUT/INS/OUTS, and 0F 00/01/22/23 (LLDT/LTR, LGDT/LIDT/LMSW, MOV to CR/DR)
;   with NOP; at CPL 3 everything runs and faults (#GP, #PF, #UD, ...).
; - Random numbers: an additive lagged-Fibonacci generator (lags 24, 55), which
;   needs only ADD.
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN fz_main
%define PM_COMMON_HOOK fz_hook
%include "sys-pm.inc"

; Random ESP values are often small (16-bit immediates, ECX), so the first
; 64 KiB hold nothing the harness needs: its tables live near 3.5 MiB.
PD      equ 0x300000
PT0     equ 0x301000
NGDT    equ 0x380000       ; copies of sys-pm.inc's GDT, IDT and TSS (read-only)
NIDT    equ 0x381000
NTSS    equ 0x382000
ST      equ 0x384000       ; harness state (read-only)
FZ_IDX  equ ST + 0x100
FZ_N    equ ST + 0x104
FZ_K    equ ST + 0x108
FZ_TMP  equ ST + 0x10c
FZ_SEED equ ST + 0x110
FZ_TAB  equ ST + 0x200     ; 55 dwords
FZ_CNT  equ ST + 0x800     ; 257 dwords: vectors 0-255, then watchdog aborts
FZ_REGS equ 0x386000       ; writable supervisor page: EAX ECX EDX EBX EBP ESI EDI
FZ_WD   equ 0x386020
FZ_REC  equ 0x386040       ; the chunk's end state (FZR_* dwords), hashed per chunk
FZ_BYTES equ 0x386100      ; the chunk's 16 bytes as generated (for the dump)
FZR_N   equ 22             ; dwords in the record
FZ_ENV  equ 0x3860c0       ; FNSTENV's 28 bytes
NSTACK0 equ 0x180000       ; ring-0 stack: 512 KiB of writable pages either side
                           ; (RET imm16, ENTER, ADD ESP move it by up to 64 KiB)
JUNK    equ 0x1000000      ; 4 MiB frame behind every PDE but the first
CODE    equ 0x5800         ; the chunk: mid-page, so short jumps meet INT3
CR0_RUN equ 0x80010011     ; PG WP ET PE
%define PTE(x) (PT0 + ((x) >> 12) * 4)

main:
  jmp pm_enter

bits 32
fz_main:
  ; move GDT, IDT and TSS up; accessed bits preset (the GDT becomes read-only)
  mov esi, GDT_A
  mov edi, NGDT
.cg:
  mov eax, [esi]
  mov [edi], eax
  add esi, 4
  add edi, 4
  cmp esi, GDT_A + 0x30
  jne .cg
  mov esi, IDT_A
  mov edi, NIDT
.ci:
  mov eax, [esi]
  mov [edi], eax
  add esi, 4
  add edi, 4
  cmp esi, IDT_A + 0x800
  jne .ci
  mov esi, TSS_A
  mov edi, NTSS
.ct:
  mov eax, [esi]
  mov [edi], eax
  add esi, 4
  add edi, 4
  cmp esi, TSS_A + 0x68
  jne .ct
  ; chunk code segments: 30H (DPL 0) and 3BH (DPL 3), base CODE's page, limit
  ; 4 KiB, so that no chunk executes anything but its page (a CPL-0 HLT in
  ; memory that other chunks scribbled on would stop the machine for good)
  mov dword [NGDT + 0x30], ((CODE & 0xf000) << 16) | 0x0fff
  mov dword [NGDT + 0x34], 0x00409b00
  mov dword [NGDT + 0x38], ((CODE & 0xf000) << 16) | 0x0fff
  mov dword [NGDT + 0x3c], 0x0040fb00
  test byte [fz_params + ROMB + 16], 2
  jz .limited
  ; differential runs (flag 2): the chunk segments reach 4 GiB, since qemu
  ; checks no code segment limit (see tools/fuzz/run.ts)
  mov dword [NGDT + 0x30], ((CODE & 0xf000) << 16) | 0xffff
  mov dword [NGDT + 0x34], 0x00cf9b00
  mov dword [NGDT + 0x38], ((CODE & 0xf000) << 16) | 0xffff
  mov dword [NGDT + 0x3c], 0x00cffb00
.limited:
  mov dword [NTSS + 4], NSTACK0
  mov dword [NGDT + 0x28], ((NTSS & 0xffff) << 16) | 0x67
  mov dword [NGDT + 0x2c], 0x00008900 | ((NTSS >> 16) & 0xff) | (NTSS & 0xff000000)
  or byte [NGDT + 0x0d], 1
  or byte [NGDT + 0x15], 1
  or byte [NGDT + 0x1d], 1
  or byte [NGDT + 0x25], 1
  lgdt [fz_gdtr + ROMB]
  lidt [fz_idtr + ROMB]
  mov ax, 0x28
  ltr ax
  mov esp, NSTACK0
  fninit                     ; the x87 at its FINIT state (RESET's differs
                             ; from it, and qemu resets to FINIT's)
  ; parameters from the ROM
  mov eax, [fz_params + ROMB + 8]
  mov [FZ_SEED], eax
  mov eax, [fz_params + ROMB + 12]
  mov [FZ_N], eax
  mov dword [FZ_IDX], 0
  mov edi, FZ_CNT
.clrcnt:
  mov dword [edi], 0
  add edi, 4
  cmp edi, FZ_CNT + 257 * 4
  jne .clrcnt
  ; generator: t[i] = 2 * seed + 1 + i * 9E3779B9H (t[0] odd), then warm up
  mov eax, [FZ_SEED]
  add eax, eax
  inc eax
  mov edi, FZ_TAB
.seed:
  mov [edi], eax
  add eax, 0x9e3779b9
  add edi, 4
  cmp edi, FZ_TAB + 55 * 4
  jne .seed
  mov dword [FZ_K], 0
  mov esi, 0
.warm:
  call fz_rand
  inc esi
  cmp esi, 1000
  jne .warm
  ; the INT3 frame, and INT3 in all low RAM that the harness does not use
  mov edi, JUNK
.junk:
  mov dword [edi], 0xcccccccc
  add edi, 4
  cmp edi, JUNK + 0x400000
  jne .junk
  mov edi, 0
.low:
  mov dword [edi], 0xcccccccc
  add edi, 4
  cmp edi, 0xa0000
  jne .l1
  mov edi, 0x100000
.l1:
  cmp edi, PD
  jne .l2
  mov edi, PT0 + 0x1000
.l2:
  cmp edi, NGDT
  jne .l3
  mov edi, FZ_REGS + 0x1000
.l3:
  cmp edi, 0x400000
  jne .low
  ; page tables
  mov edi, PT0
  mov eax, 0x007
.pt:
  mov [edi], eax
  add eax, 0x1000
  add edi, 4
  cmp edi, PT0 + 0x1000
  jne .pt
  mov dword [PTE(NGDT)], NGDT | 0x001
  mov dword [PTE(NIDT)], NIDT | 0x001
  mov dword [PTE(NTSS)], NTSS | 0x001
  mov dword [PTE(ST)], ST | 0x001
  mov dword [PTE(FZ_REGS)], FZ_REGS | 0x003
  mov dword [PTE(NSTACK0 - 0x1000)], (NSTACK0 - 0x1000) | 0x003
  ; the page tables are not mapped at all (MOV ESP, CR3 must not point a CPL-0
  ; stack at them): their linear pages show a junk frame
  mov dword [PTE(PD)], JUNK | 0x003
  mov dword [PTE(PT0)], JUNK | 0x003
  test byte [fz_params + ROMB + 16], 2
  jz .vgamapped
  ; differential runs: A0000H-EFFFFH shows a junk frame. The VGA's power-on
  ; registers differ (RingZero starts them in mode 3, qemu without a VGA BIOS at
  ; zero) and so what its memory reads back, and so does what sits at C0000H-
  ; EFFFFH (option ROM space: RAM in qemu with -bios alone)
  mov edi, PTE(0xa0000)
.vga:
  mov dword [edi], JUNK | 0x003  ; as the other junk mappings: CPL 0 pushes land
  add edi, 4
  cmp edi, PTE(0xf0000)
  jne .vga
.vgamapped:
  mov edi, PTE(0xf0000)
  mov eax, 0xf0000 | 0x003
.rom:
  mov [edi], eax
  add eax, 0x1000
  add edi, 4
  cmp edi, PTE(0x100000)
  jne .rom
  mov dword [PD], PT0 | 0x007
  mov edi, PD + 4
.pd:
  mov dword [edi], JUNK | 0x083
  add edi, 4
  cmp edi, PD + 0x1000
  jne .pd
  mov eax, 0x10
  mov cr4, eax
  mov eax, PD
  mov cr3, eax
  mov eax, CR0_RUN & ~0x10000
  mov cr0, eax
  PUTS32 "fuzz seed"
  HEX32_32 [FZ_SEED]
  PUTS32 " chunks"
  HEX32_32 [FZ_N]
  call putnl32
  jmp fz_next

; --- exceptions (entered from pm_common: vector and error code on the stack) ---
fz_hook:
  cmp dword [ss:esp], 1
  jne fz_fault
  push eax
  mov eax, dr6
  test eax, 0x4000
  jz .other
  and eax, ~0x4000
  mov dr6, eax
  add dword [ss:FZ_WD], 1
  cmp dword [ss:FZ_WD], 64
  jae .wd
  pop eax
  add esp, 8
  iretd                       ; single-step: resume the chunk
.wd:
  pop eax
  mov dword [ss:esp], 256
  jmp fz_fault
.other:
  pop eax
fz_fault:
  ; The chunk's end state, while it is still in the registers: vector, error
  ; code, EIP, CS, EFLAGS, ESP and SS (pushed from CPL 3; for CPL 0 the ESP
  ; before the frame and SS itself), the general registers, CR2 (for #PF),
  ; DS, ES, FS, GS. tools/fuzz/run.ts --diff compares its hash with qemu's.
  mov [ss:FZ_REC + 32], eax
  mov [ss:FZ_REC + 36], ecx
  mov [ss:FZ_REC + 40], edx
  mov [ss:FZ_REC + 44], ebx
  mov [ss:FZ_REC + 48], ebp
  mov [ss:FZ_REC + 52], esi
  mov [ss:FZ_REC + 56], edi
  mov eax, [ss:esp]
  mov [ss:FZ_REC], eax
  mov eax, [ss:esp + 4]
  mov [ss:FZ_REC + 4], eax
  mov eax, [ss:esp + 8]
  mov [ss:FZ_REC + 8], eax
  mov eax, [ss:esp + 12]
  mov [ss:FZ_REC + 12], eax
  mov eax, [ss:esp + 16]
  mov [ss:FZ_REC + 16], eax
  test byte [ss:esp + 12], 3
  jz .cpl0
  mov eax, [ss:esp + 20]
  mov [ss:FZ_REC + 20], eax
  mov eax, [ss:esp + 24]
  mov [ss:FZ_REC + 24], eax
  jmp .cr2
.cpl0:
  lea eax, [esp + 20]
  mov [ss:FZ_REC + 20], eax
  mov [ss:FZ_REC + 24], ss
.cr2:
  xor eax, eax
  cmp dword [ss:esp], 14
  jne .nocr2
  mov eax, cr2
.nocr2:
  mov [ss:FZ_REC + 28], eax
  mov [ss:FZ_REC + 60], ds
  mov [ss:FZ_REC + 64], es
  mov [ss:FZ_REC + 68], fs
  mov [ss:FZ_REC + 72], gs
  fnstenv [ss:FZ_ENV]        ; x87 control, status and tag words
  mov eax, [ss:FZ_ENV]
  and eax, 0xffff
  mov [ss:FZ_REC + 76], eax
  mov eax, [ss:FZ_ENV + 4]
  and eax, 0xffff
  mov [ss:FZ_REC + 80], eax
  mov eax, [ss:FZ_ENV + 8]   ; which registers are empty (11): FSTENV's other
  mov ecx, eax               ; tags come from the contents, and qemu's MMX
  shr ecx, 1                 ; writes leave the exponent (SDM: all ones)
  and eax, ecx
  and eax, 0x5555
  mov [ss:FZ_REC + 84], eax
  mov ecx, [ss:FZ_REC + 36]
  mov eax, 0x10
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  mov eax, [ss:esp]
  and eax, 0x1ff
  mov esp, NSTACK0
  mov ebx, CR0_RUN & ~0x10000
  mov cr0, ebx
  add eax, eax
  add eax, eax
  add dword [FZ_CNT + eax], 1
  test byte [fz_params + ROMB + 16], 1
  jz .nohash
  call fz_hash
.nohash:
  mov eax, [FZ_IDX]
  cmp eax, [fz_params + ROMB + 20]
  jne fz_next
  call fz_dump
  ; fall through

; --- next chunk (runs with WP = 0) ---
fz_next:
  mov esp, NSTACK0
  lgdt [fz_gdtr + ROMB]
  lidt [fz_idtr + ROMB]
  mov eax, 0x10
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  mov ss, ax
  mov eax, CR0_RUN & ~0x10000
  mov cr0, eax
  mov eax, PD
  mov cr3, eax
  mov eax, 0x10
  mov cr4, eax
  mov eax, 0
  mov dr7, eax
  mov eax, [FZ_IDX]
  cmp eax, [FZ_N]
  jae fz_done
  inc eax
  mov [FZ_IDX], eax
  ; 16 random bytes, then INT3 bytes
  mov edi, CODE
.gen:
  call fz_rand
  mov [FZ_TMP], eax
  mov al, [FZ_TMP + 3]
  mov [edi], al
  inc edi
  cmp edi, CODE + 16
  jne .gen
  mov dword [CODE + 16], 0xcccccccc
  mov dword [CODE + 20], 0xcccccccc
  mov dword [CODE + 24], 0xcccccccc
  mov dword [CODE + 28], 0xcccccccc
  ; every chunk: no POPF or IRET, the two ways to clear TF (and so the watchdog)
  mov edi, CODE
.tf:
  mov al, [edi]
  cmp al, 0x9d
  je .tfnop
  cmp al, 0xcf
  jne .tfnext
.tfnop:
  mov byte [edi], 0x90
.tfnext:
  inc edi
  cmp edi, CODE + 16
  jne .tf
  test byte [FZ_IDX], 1
  jz .cpl0done
  ; CPL 0 chunk: filter
  mov edi, CODE
.filt:
  mov al, [edi]
  cmp al, 0xf4
  je .nop
  cmp al, 0xe4
  jb .f1
  cmp al, 0xe7
  jbe .nop
.f1:
  cmp al, 0xec
  jb .f2
  cmp al, 0xef
  jbe .nop
.f2:
  cmp al, 0x6c
  jb .f3
  cmp al, 0x6f
  jbe .nop
.f3:
  cmp al, 0x0f
  jne .fnext
  mov al, [edi + 1]
  cmp al, 0x01
  jbe .nop2
  cmp al, 0x22
  je .nop2
  cmp al, 0x23
  je .nop2
  jmp .fnext
.nop2:
  mov byte [edi + 1], 0x90
  jmp .fnext
.nop:
  mov byte [edi], 0x90
.fnext:
  inc edi
  cmp edi, CODE + 16
  jne .filt
.cpl0done:
  test byte [fz_params + ROMB + 16], 2
  jz .keep
  ; differential runs (flag 2): leave out what qemu 7.2 does differently from
  ; the SDM (tools/fuzz/run.ts lists it): INT1 (F1), LOCK (F0) where it is not
  ; allowed, the undefined ModRM.reg values of 8F, C6, C7 and FF, F6/F7 /1
  ; (TEST's alias), RET imm16 (qemu sign-extends it), x87 instructions,
  ; SSE instructions on MMX registers, writes through CS, RETF at CPL 3, STI.
  ; A byte is both opcode and operand of random code, and a change can make a
  ; new match (F8 as C7's ModRM becomes F0, a LOCK), so the pass is repeated
  ; until it changes nothing (every change clears bits or makes a NOP or 3E:
  ; it ends).
.dfpass:
  mov eax, [CODE]
  mov [FZ_BYTES], eax
  mov eax, [CODE + 4]
  mov [FZ_BYTES + 4], eax
  mov eax, [CODE + 8]
  mov [FZ_BYTES + 8], eax
  mov eax, [CODE + 12]
  mov [FZ_BYTES + 12], eax
  mov edi, CODE
.df:
  mov al, [edi]
  cmp al, 0xf1
  je .dfnop
  cmp al, 0xf0
  je .dfnop
  cmp al, 0xfb               ; STI: qemu 7.2 takes no single-step trap after
  je .dfnop                  ; it (fixed in qemu 10.0.1; SDM: STI blocks only
  mov ah, al                 ; interrupts), so the watchdog counts differ
  and ah, 0xf8
  cmp ah, 0xd8               ; x87 escapes: qemu's x87 has no stack faults
  je .dfnop                  ; (tests/guest/x87*.asm compare the x87 itself)
  cmp edi, CODE + 14
  jb .dfany
  ; the last two bytes: what follows is the INT3 frame's CC, which these would
  ; take as ModRM (CC: reg 1) or as the high byte of RET's imm16
  cmp al, 0xc2
  je .dfnop
  cmp al, 0xca
  je .dfnop
  cmp edi, CODE + 15
  jne .dfany
  cmp al, 0x8f
  je .dfnop
  cmp al, 0xc6
  je .dfnop
  cmp al, 0xc7
  je .dfnop
  cmp al, 0xf6
  je .dfnop
  cmp al, 0xf7
  je .dfnop
  cmp al, 0x0f
  je .dfnop
  jmp .dfnext
.dfany:
  cmp al, 0x1f               ; loads of DS/ES (POP, MOV, LDS, LES): qemu
  je .dfnop                  ; uses a null or code selector loaded there for
  cmp al, 0x07               ; any access (SDM: #GP(0) on the access)
  je .dfnop
  cmp al, 0x8e
  je .dfnop
  cmp al, 0xc4
  je .dfnop
  cmp al, 0xc5
  je .dfnop
  cmp al, 0x0f
  je .dfsse
  cmp al, 0xff
  je .dfff
  cmp al, 0x2e
  je .dfcs
  cmp al, 0xca
  je .dfretf
  cmp al, 0xcb
  je .dfretf
  cmp al, 0x8f
  je .dfreg
  cmp al, 0xc6
  je .dfreg
  cmp al, 0xc7
  je .dfreg
  cmp al, 0xf6
  je .dftest
  cmp al, 0xf7
  je .dftest
  cmp al, 0xc2
  je .dfret
  cmp al, 0xca
  jne .dfnext
.dfret:
  and byte [edi + 2], 0x7f   ; RET imm16 below 8000H
  jmp .dfnext
.dfff:
  mov al, [edi + 1]          ; FF /7 (reserved): qemu runs something
  and al, 0x38
  cmp al, 0x38
  jne .dfnext
  and byte [edi + 1], 0xf7   ; PUSH (/6) instead
  jmp .dfnext
.dfcs:
  mov byte [edi], 0x3e       ; qemu writes through CS overrides: DS instead
  jmp .dfnext
.dfretf:
  test byte [FZ_IDX], 1      ; qemu reads a far RET's stack with supervisor
  jz .dfnop                  ; rights: no RETF at CPL 3
  jmp .dfnext
.dfsse:
  ; SSE and SSE2 instructions with MMX operands, which qemu 7.2 runs on a
  ; Pentium II (SDM: #UD without CPUID.SSE/SSE2)
  mov al, [edi + 1]
  mov esi, fz_sse + ROMB
.dfs:
  cmp al, [esi]
  je .dfnop
  inc esi
  cmp esi, fz_sse_end + ROMB
  jne .dfs
  jmp .dfnext
.dftest:
  mov al, [edi + 1]
  and al, 0x38
  cmp al, 0x08
  jne .dfnext
.dfreg:
  and byte [edi + 1], 0xc7   ; ModRM.reg = 0
  jmp .dfnext
.dfnop:
  mov byte [edi], 0x90
.dfnext:
  inc edi
  cmp edi, CODE + 16
  jne .df
  mov eax, [CODE]
  cmp eax, [FZ_BYTES]
  jne .dfpass
  mov eax, [CODE + 4]
  cmp eax, [FZ_BYTES + 4]
  jne .dfpass
  mov eax, [CODE + 8]
  cmp eax, [FZ_BYTES + 8]
  jne .dfpass
  mov eax, [CODE + 12]
  cmp eax, [FZ_BYTES + 12]
  jne .dfpass
.keep:
  mov eax, [CODE]
  mov [FZ_BYTES], eax
  mov eax, [CODE + 4]
  mov [FZ_BYTES + 4], eax
  mov eax, [CODE + 8]
  mov [FZ_BYTES + 8], eax
  mov eax, [CODE + 12]
  mov [FZ_BYTES + 12], eax
  mov edi, FZ_REGS
.r:
  call fz_rand
  mov [edi], eax
  add edi, 4
  cmp edi, FZ_REGS + 28
  jne .r
  and dword [FZ_REGS + 4], 0xff          ; ECX: short REP counts
  mov dword [FZ_WD], 0
  mov eax, 0
  test byte [fz_params + ROMB + 16], 2
  jz .stk
  mov eax, 0x10                          ; differential: qemu loads a null DS/ES
.stk:                                    ; and uses it (SDM: #GP(0) on the use)
  mov dword [NSTACK0], eax               ; what a stray POP/IRET at CPL 0 pops
  mov dword [NSTACK0 + 4], eax           ; after the IRETD below
  mov dword [NSTACK0 + 8], eax
  mov dword [NSTACK0 + 12], eax
  mov dword [NSTACK0 + 16], eax
  mov dword [NSTACK0 + 20], eax
  mov eax, CR0_RUN
  mov cr0, eax
  test byte [FZ_IDX], 1
  jz .ring3
  ; CPL 0: IRETD to the chunk with TF set
  push dword 0x102
  push dword 0x30
  push dword CODE & 0xfff
  jmp .load
.ring3:
  push dword 0x23
  push dword STACK3
  push dword 0x102
  push dword 0x3b
  push dword CODE & 0xfff
  mov ax, 0x23
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
.load:
  mov ecx, [FZ_REGS + 4]
  mov edx, [FZ_REGS + 8]
  mov ebx, [FZ_REGS + 12]
  mov ebp, [FZ_REGS + 16]
  mov esi, [FZ_REGS + 20]
  mov edi, [FZ_REGS + 24]
  mov eax, [FZ_REGS + 0]
  iretd

; additive lagged Fibonacci: t[k] += t[(k + 31) mod 55]; returns it in EAX
fz_rand:
  push ebx
  push ecx
  mov ebx, [FZ_K]
  mov ecx, ebx
  add ecx, 31
  cmp ecx, 55
  jb .ok
  sub ecx, 55
.ok:
  mov eax, [FZ_TAB + ebx * 4]
  add eax, [FZ_TAB + ecx * 4]
  mov [FZ_TAB + ebx * 4], eax
  inc ebx
  cmp ebx, 55
  jb .k
  mov ebx, 0
.k:
  mov [FZ_K], ebx
  pop ecx
  pop ebx
  ret

; FNV-1a over the record's dwords, printed as "h HHHHHHHH" (FZPARAMS flag 1)
fz_hash:
  mov eax, 0x811c9dc5
  mov esi, FZ_REC
.l:
  xor eax, [esi]
  imul eax, eax, 0x01000193
  add esi, 4
  cmp esi, FZ_REC + FZR_N * 4
  jne .l
  PUTS32 "h "
  call pm_hex_nosp
  call putnl32
  ret

; The chunk FZPARAMS names, whole: its bytes, the registers it started with,
; and the record: "dump BB BB ...", "start EAX ...", "end VEC ...".
fz_dump:
  PUTS32 "dump"
  mov esi, FZ_BYTES
.b:
  mov bl, [esi]
  PUTS32 " "
  call sys_hex32_32.b
  inc esi
  cmp esi, FZ_BYTES + 16
  jne .b
  call putnl32
  PUTS32 "start"
  mov esi, FZ_REGS
.s:
  mov eax, [esi]
  call sys_hex32_32
  add esi, 4
  cmp esi, FZ_REGS + 28
  jne .s
  call putnl32
  PUTS32 "end"
  mov esi, FZ_REC
.e:
  mov eax, [esi]
  call sys_hex32_32
  add esi, 4
  cmp esi, FZ_REC + FZR_N * 4
  jne .e
  call putnl32
  ret

fz_done:
  PUTS32 "fuzz done chunks"
  HEX32_32 [FZ_IDX]
  call putnl32
  mov esi, 0
  mov edx, 0
.l:
  mov eax, [FZ_CNT + esi * 4]
  add edx, eax
  cmp eax, 0
  je .n
  PUTS32 "v"
  mov eax, esi
  call sys_hex32_32
  PUTS32 " ="
  mov eax, [FZ_CNT + esi * 4]
  call sys_hex32_32
  call putnl32
.n:
  inc esi
  cmp esi, 257
  jne .l
  PUTS32 "total"
  mov eax, edx
  call sys_hex32_32
  call putnl32
  EXIT 0

; 0F xx opcodes left out of differential runs: SSE/SSE2 instructions that take
; MMX registers (SDM vol. 2, and the integer additions of SSE: PINSRW, PEXTRW,
; PSHUFW, PMOVMSKB, ...), and the others noted
fz_sse:
  db 0x2a, 0x2c, 0x2d, 0x70, 0xc4, 0xc5, 0xd4, 0xd7, 0xda, 0xde, 0xe0, 0xe3
  db 0xe4, 0xe7, 0xea, 0xee, 0xf4, 0xf6, 0xf7, 0xfb, 0x2b, 0xae, 0x18
  db 0x0d                   ; PREFETCHW: a NOP in qemu, #UD on a Pentium II
  db 0x30, 0x32             ; WRMSR/RDMSR: qemu ignores MSRs it lacks (SDM: #GP)
  db 0x31                   ; RDTSC: two clocks
  db 0x33                   ; RDPMC: #UD in qemu (SDM: counters, #GP for ECX > 1)
  db 0xbc, 0xbd             ; BSF/BSR: undefined flags (qemu sets them from the
                            ; source, RingZero leaves them, as P6 processors)
  db 0xa2                   ; CPUID: leaf 2 is the Pentium II's cache table here,
                            ; generic descriptors in qemu (also for leaves past it)
  db 0xa1, 0xa9, 0xb2, 0xb4, 0xb5 ; POP FS/GS, LSS/LFS/LGS: as DS/ES above
fz_sse_end:

fz_gdtr: dw 0x3f
         dd NGDT
fz_idtr: dw 0x7ff
         dd NIDT
fz_params:
  db "FZPARAMS"
  dd 0x12345678             ; seed
  dd 4000                   ; chunks
  dd 0                      ; flags: 1 = print each chunk's hash, 2 = differential
                            ; (flat chunk segments, qemu's departures left out)
  dd 0                      ; the chunk to dump (1-based; 0: none)
bits 16
ROM_END
