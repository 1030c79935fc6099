; The block translator's differential test (jit.test.ts). Included by the ROM
; source jit_gen.ts writes, which appends the random chunks (jt_chunks, each
; ending in RET) and their table (jt_table: chunk address, EAX ECX EDX ESI EDI
; EBP, EFLAGS; 32 bytes per chunk) and defines JT_COUNT.
;
; First, cases written out: self-modifying code (a routine in RAM patched from
; outside, and one whose first instruction patches the second), faults in
; the middle of a translated run (#PF, #GP, #DE), and timer interrupts that may
; only come in right after the instruction in STI's shadow. Then every random
; chunk runs three times from the same registers, flags and data, printing
; after each run
;   cNNNN r: EAX ECX EDX ESI EDI EBP EFLAGS sum(data) #DEs sum(#DE states)
; (a #DE in a chunk goes to jt_de, which notes the state and goes on).
; The machine translates a block on its second execution in the tests, so run
; 0 is interpreted and runs 1 and 2 are mostly translated; all three and qemu
; must agree.
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN jt_main
%include "sys-pm.inc"

DATA    equ 0x40000        ; 512 bytes the chunks read and write through EBX
SAVE    equ 0x41000        ; EAX ECX EDX ESI EDI EBP EFLAGS after a run
CUR     equ 0x41100        ; the table entry being run
REPN    equ 0x41104
IDX     equ 0x41108
CALLT   equ 0x4110c
SMC     equ 0x50000        ; RAM copies of the self-modifying routines
PD      equ 0x42000        ; page directory for the fault case
IRQ_OK  equ 0x41200        ; timer interrupts taken where they may be
IRQ_BAD equ 0x41204        ; ... and elsewhere
IRQ_MISS equ 0x41208       ; ... and not taken where they should have been
DE_N    equ 0x4120c        ; #DEs in a chunk's run (jt_de)
DE_SUM  equ 0x41210        ; ... and a checksum of the state each one found

main:
  jmp pm_enter

bits 32
; print " " and EAX in hex
hex:
  push eax
  mov al, ' '
  call putc32
  pop eax
  jmp puthex32_32

; SHOWAT label, op, ...: print each operand (a register or a memory dword), then
; where the fault was (EIP32) from `label`, then a new line
%macro SHOWAT 2-*
%xdefine SHOWAT_AT %1
%rep %0 - 1
%rotate 1
  mov eax, %1
  call hex
%endrep
  mov eax, [EIP32]
  sub eax, SHOWAT_AT + ROMB
  call hex
  call putnl32
%undef SHOWAT_AT
%endmacro

; EAX = [EBX] + 1, stored at [EBX + 4], through DS: one block (segflat below)
sdrt:
  mov eax, [ebx]
  inc eax
.sdw:
  mov [ebx + 4], eax
  ret

; After a pass of a case run three times per argument ([IDX] counting the
; passes down): ESI to the next argument every third pass.
next_arg3:
  mov eax, [IDX]
  dec eax
  xor edx, edx
  mov ebx, 3
  div ebx
  test edx, edx
  jnz .same
  add esi, 4
.same:
  ret

bl_args: dd 0, 1, 5, 0x80000001, 0xdeadbeef
rc_args: dd 0, 0x5a5a5a5a, 0xffffffff, 0x12345678

; Copy ECX (0-9) bytes from [ESI] to [EDI], as the tail of Linux's __memcpy
; does: each size class ends in a JMP to .done, and the last one falls through
; into it. One block holds them all: the Jcc targets are decoded after the JMPs
; (side paths), and the way through the last one falls into .done, which the
; block holds already (decode.ts decodeBlock ends the block there).
cptail:
  cmp ecx, 8
  jb .lt8
  mov eax, [esi]
  mov edx, [esi + 4]
  mov ebx, [esi + ecx - 8]
  mov ebp, [esi + ecx - 4]
  mov [edi], eax
  mov [edi + 4], edx
  mov [edi + ecx - 8], ebx
  mov [edi + ecx - 4], ebp
  jmp .done
.lt8:
  cmp ecx, 4
  jb .lt4
  mov eax, [esi]
  mov edx, [esi + ecx - 4]
  mov [edi], eax
  mov [edi + ecx - 4], edx
  jmp .done
.lt4:
  cmp ecx, 2
  jb .lt2
  mov dx, [esi]
  mov bx, [esi + ecx - 2]
  mov [edi], dx
  mov [edi + ecx - 2], bx
  jmp .done
.lt2:
  cmp ecx, 1
  jb .done
  mov dl, [esi]
  mov [edi], dl
  lea esi, [esi + 0]
.done:
  mov eax, [edi]
  add eax, [edi + 4]
  ret

; Loops whose head is not the block's first instruction (translator.ts
; inBlockBranches: the dispatch at the top of the block's loop). bitloop: a
; forward JZ over the whole loop, which then goes through the dispatch too,
; and a JNZ back to the head; EAX, EDX from ECX.
bitloop:
  xor eax, eax
  mov edx, 1
  test ecx, ecx
  jz .done
.head:
  shl edx, 1
  test ecx, 1
  jz .zero
  add eax, edx
  inc edx
  jmp .next
.zero:
  sub eax, 3
.next:
  shr ecx, 1
  jnz .head
.done:
  add eax, edx
  ret

; rcloop: the shape of LZMA's bit-tree decoder in the kernel's XZ
; decompressor: the 0 path loops to the block's start, the 1 path back to a
; head in the middle. ECX from 1 to past FFh by the bits of EBX; EAX sums.
rcloop:
  add eax, ecx
  cmp ecx, 0xff
  ja .out
.head:
  add ecx, ecx
  ror ebx, 1
  jc rcloop
  inc ecx
  add eax, 7
  cmp ecx, 0xff
  jna .head
.out:
  ret

jt_main:
  ; --- a routine patched from outside: MOV EAX, imm32 / RET, copied to RAM
  mov esi, smc1 + ROMB
  mov edi, SMC
  mov ecx, smc1_end - smc1
  cld
  rep movsb
  PUTS32 "smc1"
  mov ecx, 3
.s1:
  mov edx, SMC             ; (a relative CALL would be assembled for the ROM's offsets)
  call edx
  call hex
  loop .s1
  mov dword [SMC + 1], 0x22222222
  mov ecx, 3
.s2:
  mov edx, SMC
  call edx
  call hex
  loop .s2
  call putnl32

  ; --- a routine whose first instruction rewrites the second one's immediate
  mov esi, smc2 + ROMB
  mov edi, SMC + 0x100
  mov ecx, smc2_end - smc2
  rep movsb
  PUTS32 "smc2"
  mov ecx, 5
.s3:
  mov edx, SMC + 0x100
  call edx                 ; EAX = ECX, through the patched immediate
  call hex
  loop .s3
  call putnl32

  ; --- a block that goes on past a JMP (decode.ts decodeBlock): a write to
  ; the code after the JMP, then to the code before it, is seen at once
  mov esi, smc3 + ROMB
  mov edi, SMC + 0x200
  mov ecx, smc3_end - smc3
  rep movsb
  PUTS32 "smc3"
  xor ebx, ebx
.s4:
  mov ecx, 3
.s5:
  mov edx, SMC + 0x200
  call edx                 ; EAX = the two immediates' sum
  call hex
  loop .s5
  inc ebx
  cmp ebx, 1
  jne .s6
  mov dword [SMC + 0x200 + (smc3.b - smc3) + 1], 0x22222222
  jmp .s4
.s6:
  cmp ebx, 2
  jne .s7
  mov dword [SMC + 0x200 + 1], 0x22222222
  jmp .s4
.s7:
  call putnl32

  ; --- a fault in the middle of a block: the instructions before it are done,
  ; EIP names the faulting one, the ones after it are not run. Paging is on
  ; (one 4 MiB page at 0) so that the read of 4 MiB is a #PF.
  mov dword [PD], 0x83
  mov ecx, 1023
.pd:
  mov dword [PD + ecx * 4], 0
  loop .pd
  mov eax, PD
  mov cr3, eax
  mov eax, cr4
  or eax, 0x10             ; PSE
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  mov ecx, 3
.f1:
  mov [IDX], ecx           ; (the fault handler resets ESP)
  mov edx, 0x100           ; (the handler uses EAX: EDX carries the result)
  TRY32
  mov edx, 1
  add edx, 2
  shl edx, 4
.fault:
  add edx, [0x400000]      ; not present
  add edx, 5
  ENDTRY32
  SHOWAT .fault, edx
  mov ecx, [IDX]
  loop .f1

  ; --- REP STOSB in a block (by the interpreter's handler, web/jit/insns.ts
  ; "string"), running into the page at 4 MiB that is not present: the #PF
  ; names the REP with the 5 stores before it done, ECX and EDI at the sixth
  ; (SDM vol. 2 REP), the instructions before it done, the one after not run
  mov ecx, 3
.r1:
  mov [IDX], ecx
  mov edx, 0x100
  TRY32
  add edx, 2
  mov edi, 0x400000 - 5
  mov ecx, 12
  mov al, 0x5a
  cld
.rfault:
  rep stosb
  add edx, 0x1000          ; not reached
  ENDTRY32
  SHOWAT .rfault, edx, ecx, edi, [0x400000 - 4]
  mov ecx, [IDX]
  loop .r1

  ; --- a REP longer than the interpreter's 8192 elements a go (string.ts
  ; REP_BUDGET): it stops on itself and goes on, counted once each time, in a
  ; block as in the interpreter; then MOVSD down (DF = 1) over part of it
  mov ecx, 3
.r2:
  mov [IDX], ecx
  mov edx, 1
  mov edi, 0x60000
  mov ecx, 20000
  mov eax, 0x11223344
  add eax, [IDX]
  cld
  rep stosb
  add edx, 4
  std
  mov esi, 0x60000 + 9000 * 4
  mov edi, 0x60000 + 12000 * 4
  mov ecx, 9001
  rep movsd
  cld
  add edx, 8
  mov eax, edx
  call hex
  mov eax, ecx
  call hex
  mov eax, esi
  call hex
  mov eax, edi
  call hex
  xor eax, eax
  mov esi, 0x60000
  mov ecx, 12001
.r3:
  rol eax, 3
  add eax, [esi]
  add esi, 4
  loop .r3
  call hex
  call putnl32
  mov ecx, [IDX]
  loop .r2

  ; --- MOVS through a segment override that is not flat: FS based at 1000h
  ; (a GDT entry 30h of its own), so FS:5F000h is 60000h, which REP STOSB
  ; filled with 45h above; STOS ignores the override (ES:EDI, SDM vol. 2 STOS)
  mov dword [GDT_A + 0x30], 0x1000ffff
  mov dword [GDT_A + 0x34], 0x00cf9200
  mov word [IDX + 0x10], 0x37
  mov dword [IDX + 0x12], GDT_A
  lgdt [IDX + 0x10]
  mov ax, 0x30
  mov fs, ax
  mov ecx, 3
.sego:
  mov [IDX], ecx
  mov esi, 0x5f000
  mov edi, 0x70000
  mov ecx, 16
  fs rep movsd
  mov eax, 0x77
  fs stosb
  mov eax, esi
  call hex
  mov eax, edi
  call hex
  mov eax, [0x70000]
  call hex
  mov eax, [0x7003c]
  call hex
  mov eax, [0x70040]
  call hex
  call putnl32
  mov ecx, [IDX]
  loop .sego
  mov ax, 0x10
  mov fs, ax

  ; --- a block translated while DS was flat (base 0, limit 4 GiB), entered again
  ; with DS based at 1000h (selector 30h), flat again, then limited to 5FFFFh
  ; (selector 38h, base 0): its accesses take the base, and its write past the
  ; limit is #GP(0) at that instruction (SDM vol. 3 §5.3; QEMU's TCG does not
  ; check data segment limits), nothing stored. Each line: EAX after the call,
  ; the dword it stored (read through the flat DS); then the fault and the
  ; dword at 60000h
  mov dword [GDT_A + 0x38], 0x0000ffff
  mov dword [GDT_A + 0x3c], 0x00459200
  mov word [IDX + 0x10], 0x3f
  lgdt [IDX + 0x10]
  mov dword [0x5f000], 0x11111111
  mov dword [0x60000], 0x22222222
  mov dword [0x5fffc], 0x33333333
  PUTS32 "segflat"
  call putnl32
  mov ecx, 3
.sdf:
  mov [IDX], ecx
  mov ebx, 0x5f000
  call sdrt
  call hex
  mov eax, [0x5f004]
  call hex
  call putnl32
  mov ecx, [IDX]
  loop .sdf
  mov ecx, 2
.sdb:
  mov [IDX], ecx
  mov ebx, 0x5f000
  mov dx, 0x30
  mov ds, dx
  call sdrt
  mov dx, 0x10
  mov ds, dx
  call hex
  mov eax, [0x60004]
  call hex
  call putnl32
  mov ecx, [IDX]
  loop .sdb
  mov ebx, 0x5f000
  call sdrt
  call hex
  call putnl32
  mov ebx, 0x5fffc
  TRY32
  mov dx, 0x38
  mov ds, dx
  call sdrt
  mov dx, 0x10
  mov ds, dx
  ENDTRY32
  SHOWAT sdrt.sdw, dword [0x60000]

  ; --- a CALL a block goes on past (its target on the same page) whose push
  ; faults: at CPL 3 with ESP at the 4 MiB page that is not present, the #PF
  ; (a user write) names the CALL, the instructions before it done
  mov dword [PD], 0x87     ; the page at 0 for CPL 3 too
  mov eax, cr3
  mov cr3, eax
  mov ecx, 3
.p1:
  mov [IDX], ecx
  TRY32
  RING3 .p3
  align 64                 ; (the block's 30 bytes on one page)
.p3:
  mov edx, 1
  mov esp, 0x400004
  add edx, 2
.pcall:
  call .pfn
  add edx, 0x100           ; not reached
  int 0x80
.pfn:
  add edx, 0x1000          ; not reached
  int 0x80
  ENDTRY32
  SHOWAT .pcall, edx
  mov ecx, [IDX]
  dec ecx                  ; (LOOP: too far past the align)
  jnz .p1
  mov eax, cr0
  and eax, 0x7fffffff
  mov cr0, eax

  ; --- a block that leaves an instruction to the interpreter: CLI at CPL 3 with
  ; IOPL 0 raises #GP(0) there, after the instructions before it (EDX = the
  ; flags POPFD could set at CPL 3)
  mov ecx, 3
.g1:
  mov [IDX], ecx
  TRY32
  RING3 .ring3
.ring3:
  push dword 0x32d7        ; at CPL 3 with IOPL 0, POPFD leaves IF and IOPL
  popfd
  pushfd
  pop edx                  ; 000000d7
.gp:
  cli
  add edx, 5
  int 0x80
  ENDTRY32
  SHOWAT .gp, edx
  mov ecx, [IDX]
  loop .g1

  ; --- #DE in the middle of a block, from DIV by zero and from IDIV whose
  ; quotient does not fit (-2^63 + 1 by -1; qemu 7.2 cannot run -2^63 by -1:
  ; jit_de.asm): the instructions before it done, EIP names the divide, EAX
  ; and EDX as they were. (ESI carries the result: the handler uses EAX.)
  mov ecx, 3
.d1:
  mov [IDX], ecx
  TRY32
  mov esi, 1
  mov eax, 0x12345678
  mov edx, 0x9abc
  xor ecx, ecx
  add esi, 2
.div0:
  div ecx
  add esi, 5
  ENDTRY32
  SHOWAT .div0, esi, edx
  TRY32
  mov esi, 1
  mov edx, 0x80000000
  mov eax, 1
  mov ecx, -1
  add esi, 3
.idiv:
  idiv ecx
  add esi, 5
  ENDTRY32
  SHOWAT .idiv, esi, edx
  mov ecx, [IDX]
  dec ecx
  jnz .d1

  ; --- ... and POPFD that sets TF: the trap comes after the next instruction
  mov ecx, 3
.t1:
  mov [IDX], ecx
  TRY32
  mov edx, 7
  push dword 0x102
  popfd
  add edx, 1
.trap:
  add edx, 2
  ENDTRY32
  SHOWAT .trap, edx
  mov ecx, [IDX]
  loop .t1

  ; --- cptail for each size 0-9, three times each (interpreted, then
  ; translated): the sum of the destination's two dwords after each copy
  PUTS32 "cptail"
  mov dword [DATA], 0x04030201
  mov dword [DATA + 4], 0x08070605
  mov dword [DATA + 8], 0x0c0b0a09
  push ebp
  mov ecx, 10
.ct1:
  mov [IDX], ecx
  mov ecx, 3
.ct2:
  mov [CALLT], ecx
  mov dword [DATA + 0x100], 0x11111111
  mov dword [DATA + 0x104], 0x22222222
  mov dword [DATA + 0x108], 0x33333333
  mov esi, DATA
  mov edi, DATA + 0x100
  mov ecx, [IDX]
  dec ecx
  call cptail
  call hex
  mov ecx, [CALLT]
  loop .ct2
  mov ecx, [IDX]
  loop .ct1
  pop ebp
  call putnl32

  ; --- bitloop for ECX = 0, 1, 5, 0x80000001, 0xdeadbeef, three times each;
  ; rcloop for EBX = 0, 0x5a5a5a5a, 0xffffffff, 0x12345678, three times each
  PUTS32 "loops"
  mov esi, bl_args + ROMB
  mov ecx, 5 * 3
.lp1:
  mov [IDX], ecx
  mov ecx, [esi]
  call bitloop
  call hex
  mov eax, edx
  call hex
  call next_arg3
  mov ecx, [IDX]
  loop .lp1
  call putnl32
  PUTS32 "rcloop"
  mov esi, rc_args + ROMB
  mov ecx, 4 * 3
.lp3:
  mov [IDX], ecx
  mov ebx, [esi]
  xor eax, eax
  mov ecx, 1
  call rcloop
  call hex
  mov eax, ecx
  call hex
  mov eax, ebx
  call hex
  call next_arg3
  mov ecx, [IDX]
  loop .lp3
  call putnl32

  ; --- RDTSC in a block reads the clock as of its own place in it: deltas in a
  ; loop of one block (6 instructions a pass), and across blocks. Printed on a
  ; line of its own ("tsc"): qemu's clock is the host's, not the instructions'
  mov ecx, 3
.ts1:
  mov [IDX], ecx
  PUTS32 "tsc"
  mov ecx, 4
  rdtsc
  mov esi, eax
.ts2:
  rdtsc
  sub eax, esi
  add esi, eax
  mov [SAVE + ecx * 4], eax
  dec ecx
  jnz .ts2
  jmp .ts3                 ; (another block)
.ts3:
  rdtsc
  sub eax, esi
  mov [SAVE], eax
  mov ecx, 4
.ts4:
  mov eax, [SAVE + ecx * 4]
  call hex
  dec ecx
  jns .ts4
  call putnl32
  mov ecx, [IDX]
  loop .ts1

  ; --- STI's interrupt shadow: IF is 1 only from STI to the CLI after the next
  ; instruction, so the 8254's interrupt (every 168 us) is taken before that CLI
  ; and nowhere else, and always there when it was waiting in the IRR before
  ; the STI (SDM vol. 2 STI: the shadow is one instruction, whatever runs it; a
  ; translated block must not run on past it)
  mov dword [0xfee000f0], 0x1ff ; local APIC on, LINT0 ExtINT: the 8259A's INT reaches
  mov dword [0xfee00350], 0x700 ; the CPU (virtual wire, as a BIOS sets it up)
  mov al, 0x11             ; 8259A pair: ICW1-ICW4, vectors 20h and 28h
  out 0x20, al
  out 0xa0, al
  mov al, 0x20
  out 0x21, al
  mov al, 0x28
  out 0xa1, al
  mov al, 0x04
  out 0x21, al
  mov al, 0x02
  out 0xa1, al
  mov al, 0x01
  out 0x21, al
  out 0xa1, al
  mov al, 0xfe             ; IRQ0 only
  out 0x21, al
  mov al, 0xff
  out 0xa1, al
  mov word [IDT_A + 0x20 * 8], jt_irq0
  mov al, 0x34             ; counter 0, mode 2, 200 counts
  out 0x43, al
  mov al, 200
  out 0x40, al
  mov al, 0
  out 0x40, al
  mov dword [IRQ_OK], 0
  mov dword [IRQ_BAD], 0
  mov dword [IRQ_MISS], 0
  mov al, 0x0a             ; OCW3: port 20h reads the IRR
  out 0x20, al
  mov ecx, 10000000        ; at most (until 3 interrupts: qemu's come in host time)
.shadow:
  in al, 0x20              ; IRQ0 waiting already?
  mov ebx, [IRQ_OK]
  sti
  inc edx                  ; in the shadow
.irq_here:
  cli
  test al, 1
  jz .shadow_work
  cmp ebx, [IRQ_OK]
  jne .shadow_work
  inc dword [IRQ_MISS]     ; it waited, IF was 1 after the shadow, and it did not come in
.shadow_work:
  add eax, edx
  xor eax, ecx
  rol eax, 3
  add eax, edx
  xor eax, ecx
  rol eax, 3
  add eax, edx
  xor eax, ecx
  rol eax, 3
  cmp dword [IRQ_OK], 3
  jae .shadow_done
  dec ecx
  jnz .shadow
.shadow_done:
  mov al, 0xff             ; no more interrupts (the random chunks set IF)
  out 0x21, al
  PUTS32 "shadow"
  cmp dword [IRQ_OK], 3
  setae al
  movzx eax, al
  call hex
  mov eax, [IRQ_BAD]
  call hex
  mov eax, [IRQ_MISS]
  call hex
  call putnl32

  ; --- the random chunks
  mov word [IDT_A + 0 * 8], jt_de
  mov dword [IDX], 0
  mov dword [CUR], jt_table + ROMB
.chunk:
  mov dword [REPN], 0
.rep:
  mov dword [DE_N], 0
  mov dword [DE_SUM], 0
  mov eax, [IDX]
  imul eax, eax, 0x9e3779b1
  mov edi, DATA
  mov ecx, 128
.fill:
  mov [edi], eax
  add eax, 0x6b43a9b5
  rol eax, 7
  add edi, 4
  loop .fill
  mov esi, [CUR]
  mov eax, [esi]
  mov [CALLT], eax
  push dword [esi + 28]
  popfd
  mov ebx, DATA
  mov eax, [esi + 4]
  mov ecx, [esi + 8]
  mov edx, [esi + 12]
  mov edi, [esi + 20]
  mov ebp, [esi + 24]
  mov esi, [esi + 16]
  call [CALLT]
  mov [SAVE], eax
  mov [SAVE + 4], ecx
  mov [SAVE + 8], edx
  mov [SAVE + 12], esi
  mov [SAVE + 16], edi
  mov [SAVE + 20], ebp
  pushfd
  pop dword [SAVE + 24]
  mov al, 'c'
  call putc32
  mov eax, [IDX]
  call puthex32_32
  mov eax, [REPN]
  call hex
  mov al, ':'
  call putc32
  mov esi, SAVE
  mov ecx, 7
.pr:
  mov eax, [esi]
  call hex
  add esi, 4
  loop .pr
  xor eax, eax
  mov esi, DATA
  mov ecx, 128
.sum:
  rol eax, 5
  add eax, [esi]
  add esi, 4
  loop .sum
  call hex
  mov eax, [DE_N]
  call hex
  mov eax, [DE_SUM]
  call hex
  call putnl32
  inc dword [REPN]
  cmp dword [REPN], 3
  jb .rep
  add dword [CUR], 32
  inc dword [IDX]
  cmp dword [IDX], JT_COUNT
  jb .chunk
  PUTS32 "jit done"
  call putnl32
  EXIT 0

jt_helper:
  add eax, 0x1234567
  ret

; #DE in a random chunk (vector 0, an interrupt gate, no error code): count it,
; fold the state it found into DE_SUM (sum = rol(sum, 5) + word, over the
; registers PUSHAD saves, then EIP, CS, EFLAGS), and go on after the divide.
; The chunks' DIV and IDIV (jit_gen.ts divide) are [66] [64] F6/F7 ModRM, no
; SIB, no displacement but ModRM.mod's.
jt_de:
  pushad
  inc dword [DE_N]
  mov esi, esp
  mov ecx, 11
.fold:
  mov eax, [DE_SUM]
  rol eax, 5
  add eax, [esi]
  mov [DE_SUM], eax
  add esi, 4
  loop .fold
  mov esi, [esp + 32]      ; EIP
.pfx:
  mov al, [esi]
  cmp al, 0x66
  je .skip
  cmp al, 0x64
  jne .op
.skip:
  inc esi
  jmp .pfx
.op:
  mov al, [esi + 1]        ; ModRM
  shr al, 6
  add esi, 2
  cmp al, 1
  jne .d32
  inc esi                  ; disp8
.d32:
  cmp al, 2
  jne .next
  add esi, 4               ; disp32
.next:
  mov [esp + 32], esi
  popad
  iretd

; IRQ0 (vector 20h, an interrupt gate): count where it came in, EOI
jt_irq0:
  push eax
  mov eax, [esp + 4]       ; the interrupted EIP
  cmp eax, jt_main.irq_here + ROMB
  jne .bad
  inc dword [IRQ_OK]
  jmp .eoi
.bad:
  inc dword [IRQ_BAD]
.eoi:
  mov al, 0x20
  out 0x20, al
  pop eax
  iretd

; position-independent routines copied to RAM
smc1:
  mov eax, 0x11111111
  ret
smc1_end:
smc2:
  mov [SMC + 0x100 + (smc2.imm - smc2)], ecx
.imm equ $ + 1
  mov eax, 0x33333333
  ret
smc2_end:
smc3:
  mov edx, 0x11111111
  jmp short .b
  times 64 int3
.b:
  mov eax, 0x11111111
  add eax, edx
  ret
smc3_end:
