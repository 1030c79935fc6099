; A minimal Multiboot v1 kernel: an ELF32 executable written out by hand (no
; linker), loaded at 1 MiB (-DLOAD=addr elsewhere, -DBSS_PAD=n for n more bytes
; of bss). It reports what the boot loader handed it on port
; 0xE9 and exits through isa-debug-exit (port 0xF4). Run by tests/cli/multiboot.test.ts
; under `ringzero -kernel` and `qemu-system-i386 -kernel` to compare.
; Only MOV/OUT/CMP/Jcc/ADD/XOR-class instructions, so it runs on an early CPU core.
;
; Output: "MB OK" line, then magic (EAX), EBX, info flags, mem_lower, and the first
; memory-map entry (base, length, type), in hex.

        bits 32
%ifndef LOAD
%define LOAD 0x100000
%endif
%ifndef BSS_PAD
%define BSS_PAD 0
%endif
        org LOAD

; --- ELF header (System V ABI, Elf32_Ehdr) ---
ehdr:
        db 0x7f, "ELF", 1, 1, 1, 0          ; ELFCLASS32, ELFDATA2LSB, EV_CURRENT
        times 8 db 0
        dw 2                                ; e_type: ET_EXEC
        dw 3                                ; e_machine: EM_386
        dd 1                                ; e_version
        dd start                            ; e_entry
        dd phdr - ehdr                      ; e_phoff
        dd 0                                ; e_shoff
        dd 0                                ; e_flags
        dw 52                               ; e_ehsize
        dw 32                               ; e_phentsize
        dw 1                                ; e_phnum
        dw 0, 0, 0                          ; e_shentsize, e_shnum, e_shstrndx
; --- one program header: the whole file, loaded at LOAD, plus bss ---
phdr:
        dd 1                                ; PT_LOAD
        dd 0                                ; p_offset
        dd LOAD                             ; p_vaddr
        dd LOAD                             ; p_paddr
        dd file_end - ehdr                  ; p_filesz
        dd bss_end - ehdr                   ; p_memsz
        dd 7                                ; p_flags: RWX
        dd 0x1000                           ; p_align

; --- Multiboot header (spec §3.1.1): flags 0, so the ELF headers say where to load ---
        align 4
mbhdr:
        dd 0x1BADB002
        dd 0
        dd -0x1BADB002

%macro PUTC 1
        mov al, %1
        out dx, al
%endmacro

; print the byte at [%1] as two hex digits (table lookup: no shifts needed)
%macro HEXBYTE 1
        xor ecx, ecx
        mov cl, [%1]
        mov al, [hexhi + ecx]
        out dx, al
        mov al, [hexlo + ecx]
        out dx, al
%endmacro

; print the dword at [%1] as eight hex digits
%macro HEXDWORD 1
        HEXBYTE %1 + 3
        HEXBYTE %1 + 2
        HEXBYTE %1 + 1
        HEXBYTE %1
%endmacro

%macro PUTS 1
        mov esi, %1
        PUTSI
%endmacro

; print the NUL-terminated string at [esi]
%macro PUTSI 0
%%next: mov al, [esi]
        cmp al, 0
        je %%done
        out dx, al
        add esi, 1
        jmp %%next
%%done:
%endmacro

start:
%ifdef RESET_TEST
        ; assembled with -DRESET_TEST: count boots in RAM that a reset keeps, exit
        ; on the third; before that, fault with no IDT (#UD -> #NP -> #DF -> triple fault)
        mov eax, [0x500]
        add eax, 1
        mov [0x500], eax
        mov dx, 0xe9
        PUTS s_boot
        mov eax, [0x500]
        cmp eax, 3
        jne .fault
        mov dx, 0xf4
        mov al, 0x2a
        out dx, al                      ; isa-debug-exit: status (0x2a << 1) | 1 = 85
.fault: ud2
%endif
        mov [saved_eax], eax
        mov [saved_ebx], ebx
        mov dx, 0xe9
        PUTS s_ok
        PUTS s_magic
        HEXDWORD saved_eax
        mov eax, [saved_eax]
        cmp eax, 0x2BADB002
        je .magic_ok
        PUTS s_bad
.magic_ok:
        PUTS s_ebx
        HEXDWORD saved_ebx
        mov ebx, [saved_ebx]
        PUTS s_flags
        HEXDWORD ebx
        PUTS s_memlo
        HEXDWORD ebx + 4
        mov edi, [ebx + 48]             ; mmap_addr: the first entry's size field
        PUTS s_mmap
        HEXDWORD edi + 8                ; base_addr high, low
        HEXDWORD edi + 4
        PUTC ' '
        HEXDWORD edi + 16               ; length high, low
        HEXDWORD edi + 12
        PUTC ' '
        HEXDWORD edi + 20               ; type
        PUTS s_cmdline
        mov esi, [ebx + 16]
        PUTSI
        PUTS s_mods
        HEXDWORD ebx + 20
        mov eax, [ebx + 20]
        cmp eax, 0
        je .no_mods
        mov edi, [ebx + 24]             ; first module: start, end, string
        PUTS s_mod0
        mov esi, [edi + 8]
        PUTSI
        PUTS s_data
        mov esi, [edi]
        PUTSI                           ; the module file is text ending in NUL
.no_mods:
        PUTC 10
        mov dx, 0xf4
        mov al, 0x21
        out dx, al                      ; isa-debug-exit: status (0x21 << 1) | 1 = 67
%ifdef HALT_END
        ; assembled with -DHALT_END: halt for good with nothing that can wake the
        ; CPU: both 8259As masked, PIT channel 0 in mode 0 (counts down once, then
        ; stays quiet), no other timer programmed
        mov al, 0xff
        out 0x21, al
        out 0xa1, al
        mov al, 0x30
        out 0x43, al
        mov al, 1
        out 0x40, al
        mov al, 0
        out 0x40, al
.hang:  sti
        hlt
        jmp .hang
%else
.hang:  jmp .hang
%endif

s_ok:    db "MB OK", 10, 0
s_boot:  db "boot", 10, 0
s_magic: db "magic=", 0
s_bad:   db " (BAD)", 0
s_ebx:   db " ebx=", 0
s_flags: db " flags=", 0
s_memlo: db " mem_lower=", 0
s_mmap:  db 10, "mmap0=", 0
s_cmdline: db 10, "cmdline=", 0
s_mods:  db 10, "mods_count=", 0
s_mod0:  db 10, "mod0=", 0
s_data:  db 10, "mod0 data=", 0

hexhi:
%assign i 0
%rep 256
%assign d i >> 4
        db d + (d < 10 ? '0' : 'A' - 10)
%assign i i + 1
%endrep
hexlo:
%assign i 0
%rep 256
%assign d i & 15
        db d + (d < 10 ? '0' : 'A' - 10)
%assign i i + 1
%endrep

        align 4
file_end:
saved_eax equ file_end
saved_ebx equ file_end + 4
bss_end  equ file_end + 8 + BSS_PAD
