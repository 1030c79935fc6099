; A translated block's target cache (web/jit/emitter.ts emitChain): an exit
; whose target is known only at run time keeps the last target EIP, its
; translation's function index and the tag JIT_GEN | CPL, and takes that
; translation again without asking jitLookup while the tag holds. Three ways
; in which the EIP stays the same but the cached translation must not run:
;
; smc: SITE2 (CALL EAX) calls R (EBX <- 1111h) twenty times, then R's
;   immediate is rewritten to 2222h by a plain store, which drops R's
;   translation (its function index goes back to the host's free list).
;   Q, on SITE2's page (already code: translating Q flushes no TLB), runs
;   three times from elsewhere, so that it is translated into that index.
;   The next CALL through SITE2 to R must run the new bytes: EBX = 2222h
;   (with the old cache entry: R's old index, now Q's code, EBX = 3333h).
;   Printed: 1111, 3333 (Q), 2222 (first call after the store), 2222.
; cpl: SITE (CALL EAX, on a user page) calls T (INC EBX, on a supervisor
;   page) twenty times at CPL 0, then once at CPL 3 through the same
;   translated block (same EIP, same physical code). At CPL 3 fetching T is
;   #PF(5: user, present) with CR2 = T = the EIP pushed (SDM vol. 3 §4.7);
;   with a cache that ignored CPL the block would go on to T's translation
;   and INC EBX at CPL 3 (then INT 80h: v=80). Printed: EBX (14h), the
;   fault, its EIP, EBX (still 14h).
; cs: SITE3 (CALL EAX) calls T3 (EBX <- AAAAh) twenty times with CS flat,
;   then once from CS = 30h, base B = 10000h, limit 4 GiB (so the block's
;   CS-limit check alone passes): the same physical SITE3 code at EIP
;   SITE3 - B, the same EAX = T3. EIP T3 is now linear T3 + B, which holds
;   T3B (EBX <- BBBBh); with a cache that ignored CS's base the block would
;   go on to T3's translation (AAAAh). Nothing between the last flat pass and
;   the based one flushes the TLB or writes code (a far JMP loading CS does
;   not change JIT_GEN). Then one flat pass (T3 again, from the cache), twenty
;   based passes (T3B translated, so that jitLookup finds it and the exit
;   keeps it: tagged IC_NEVER), and one flat pass, which must not take T3B
;   from that entry. Printed: AAAA, BBBB, AAAA, BBBB, AAAA.
;
; Memory: 4 KiB pages identity-mapping 0-4 MiB, all user and writable but T's.
; GDT: sys-pm.inc's, and 30h: code, ring 0, 32-bit, base B, limit 4 GiB.
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"

PD    equ 0x40000
PT    equ 0x41000
SITE  equ 0x100000              ; site: CALL EAX; RET (user page)
T     equ 0x101000              ; t: INC EBX; RET (supervisor page)
SITE2 equ 0x102000              ; site again
Q     equ 0x102100              ; q: EBX <- 3333h (SITE2's page)
R     equ 0x103000              ; r: EBX <- 1111h (its own page)
SITE3 equ 0x104000              ; site again
T3    equ 0x105000              ; t3: EBX <- AAAAh
B     equ 0x10000               ; CS 30h's base
T3B   equ T3 + B                ; t3b: EBX <- BBBBh (EIP T3 with CS 30h)
CSB   equ 0x30

%macro COPY 2                   ; copy ROM routine %2 to linear %1
  mov esi, %2 + ROMB
  mov edi, %1
  mov ecx, %2_end - %2
  rep movsb
%endmacro

main:
  jmp pm_enter

bits 32
main32:
  IDENTITY_4K PD, PT, 0x007     ; present, writable, user
  mov dword [PT + (T >> 12) * 4], T | 0x003   ; supervisor only
  COPY SITE, site
  COPY T, t
  COPY SITE2, site
  COPY Q, q
  COPY R, r
  COPY SITE3, site
  COPY T3, t3
  COPY T3B, t3b
  ; CS 30h: base B, limit FFFFFh pages, 32-bit, present, ring 0, code (execute/read)
  mov dword [GDT_A + CSB], 0x0000ffff | ((B & 0xffff) << 16)
  mov dword [GDT_A + CSB + 4], 0x00cf9a00 | ((B >> 16) & 0xff) | (B & 0xff000000)
  lgdt [gdtr_cs + ROMB]
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax

  ; --- smc ---
  PUTS32 "smc"
  mov ebp, 20
.smc:
  mov eax, R
  mov edx, SITE2
  call edx
  dec ebp
  jnz .smc
  HEX32_32 ebx
  mov dword [R + 1], 0x2222     ; R's MOV EBX immediate: drops R's translation
  ; Q three times, from three call sites run once each (so that nothing but
  ; Q is translated here: its translation takes R's freed function index)
  mov ecx, Q
  call ecx
  call ecx
  call ecx
  HEX32_32 ebx
  mov eax, R
  mov edx, SITE2
  call edx                      ; the same exit, the same EIP: the new R
  HEX32_32 ebx
  mov ebp, 20
.smc2:
  mov eax, R
  mov edx, SITE2
  call edx
  dec ebp
  jnz .smc2
  HEX32_32 ebx
  call putnl32

  ; --- cpl ---
  PUTS32 "cpl"
  xor ebx, ebx
  mov ebp, 20
.cpl:
  mov eax, T
  mov edx, SITE
  call edx
  dec ebp
  jnz .cpl
  HEX32_32 ebx
  TRY32
  RING3 r3
  ENDTRY32
  HEX32_32 [EIP32]
  HEX32_32 ebx
  call putnl32

  ; --- cs ---
  PUTS32 "cs"
  mov ebp, 20
.cs:
  mov eax, T3
  mov edx, SITE3
  call edx
  dec ebp
  jnz .cs
  HEX32_32 ebx                  ; AAAA
  call based                    ; the same exit, EIP T3: linear T3B
  HEX32_32 ebx                  ; BBBB
  mov eax, T3
  mov edx, SITE3
  call edx
  HEX32_32 ebx                  ; AAAA
  mov ebp, 20
.cs2:
  call based
  dec ebp
  jnz .cs2
  HEX32_32 ebx                  ; BBBB
  mov eax, T3
  mov edx, SITE3
  call edx
  HEX32_32 ebx                  ; AAAA
  call putnl32
  EXIT 0

; SITE3 with CS based at B: a near CALL from flat code, a far JMP into CS 30h
; (this ROM code at EIP its linear address - B), CALL to SITE3 - B (the
; return addresses pushed are EIPs in CS 30h, SS stays flat), far JMP back.
based:
  jmp dword CSB:based_cs + ROMB - B
based_cs:
  mov eax, T3
  mov edx, SITE3 - B
  call edx
  jmp dword 0x08:based_back + ROMB
based_back:
  ret

gdtr_cs: dw CSB + 7
         dd GDT_A

; CPL 3 (IRETD from RING3; nothing here writes code or flushes the TLB
; since the last pass at CPL 0, so JIT_GEN is as the cache saw it)
r3:
  mov eax, T
  mov edx, SITE
  call edx                      ; #PF at T
  int 0x80                      ; (not reached)

; routines copied to RAM (position-independent)
site:
  call eax
  ret
site_end:
t:
  inc ebx
  ret
t_end:
q:
  mov ebx, 0x3333
  ret
q_end:
r:
  mov ebx, 0x1111               ; (the immediate rewritten at R + 1)
  ret
r_end:
t3:
  mov ebx, 0xaaaa
  ret
t3_end:
t3b:
  mov ebx, 0xbbbb
  ret
t3b_end:

  ROM_END
