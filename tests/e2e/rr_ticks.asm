; The page's reverse-debugging guest (tests/e2e/pagerev.test.ts): a Multiboot
; kernel (a.out kludge, flag 16 of the header: loaded as it is at 1 MiB, no
; ELF) that the page boots directly with ?kernel=. In 32-bit flat protected
; mode, so that an EIP is the linear address a breakpoint is set at. The 8254
; interrupts it every 2 ms through the 8259A (the recording's asynchronous
; events, at instruction counts the host's clock decided): each tick the IRQ0
; handler counts, and the main loop wakes from HLT, prints "tick NN" on COM1
; and then works for about a million instructions (longer than a tick here, so
; ticks also arrive in the middle of it; the replay's checkpoints, every two
; million instructions, fall between hits). After TICKS ticks it prints "done"
; and halts with interrupts off.
;
; tick_line is the instruction the test sets its breakpoint on: it runs once a
; tick, after the HLT that waited for it.

        bits 32
        org 0x100000

MB_MAGIC  equ 0x1BADB002
MB_AOUT   equ 1 << 16           ; Multiboot spec §3.1.1: the address fields below are valid
COM1      equ 0x3f8
COM1_LSR  equ COM1 + 5
LSR_THRE  equ 0x20              ; transmit holding register empty (16550 datasheet)
TICKS     equ 12
PIT_2MS   equ 2386              ; 1193182 Hz / 500
WORK      equ 500000            ; rounds of two instructions after each line

mb_header:
        dd MB_MAGIC
        dd MB_AOUT
        dd -(MB_MAGIC + MB_AOUT)
        dd mb_header            ; header_addr
        dd mb_header            ; load_addr: the file starts at the header
        dd image_end            ; load_end_addr
        dd bss_end              ; bss_end_addr
        dd start                ; entry_addr

start:
        cli
        lgdt [gdtr]
        jmp CODE_SEL:.flat
.flat:
        mov ax, DATA_SEL
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov esp, stack_top
        ; IDT: vectors 20h-2Fh (the 8259A pair's), IRQ0 counts, the rest only acknowledge.
        mov edi, idt + 0x20 * 8
        mov ecx, 16
.gate:  mov eax, irq_other
        cmp ecx, 16
        jne .set
        mov eax, irq0
.set:   mov [edi], ax           ; offset 15:0
        mov word [edi + 2], CODE_SEL
        mov word [edi + 4], 0x8e00 ; present, DPL0, 32-bit interrupt gate
        shr eax, 16
        mov [edi + 6], ax       ; offset 31:16
        add edi, 8
        loop .gate
        lidt [idtr]
        mov dword [0xfee000f0], 0x1ff ; local APIC on, LINT0 ExtINT (virtual wire)
        mov dword [0xfee00350], 0x700
        ; 8259A pair (ICW1-ICW4): vectors 20h and 28h, slave on IR2; only IRQ0 unmasked
        mov al, 0x11
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
        mov al, 0xfe
        out 0x21, al
        mov al, 0xff
        out 0xa1, al
        ; 8254 counter 0, mode 2 (rate generator), lobyte/hibyte
        mov al, 0x34
        out 0x43, al
        mov al, PIT_2MS & 0xff
        out 0x40, al
        mov al, PIT_2MS >> 8
        out 0x40, al
        mov esi, hello
        call puts
        xor ebx, ebx            ; ticks printed
        sti
wait_tick:
        hlt                     ; until IRQ0 (the handler returns here, after the HLT)
        cmp ebx, [ticks]
        je wait_tick
tick_line:
        inc ebx
        mov esi, tick_text
        call puts
        mov eax, ebx            ; two decimal digits
        xor edx, edx
        mov ecx, 10
        div ecx
        add al, '0'
        call putc
        mov al, dl
        add al, '0'
        call putc
        mov esi, crlf
        call puts
        mov ecx, WORK
.work:  add [sum], ecx
        loop .work
        cmp ebx, TICKS
        jb wait_tick
        cli
        mov esi, done_text
        call puts
.halt:  hlt
        jmp .halt

; The string at ESI to COM1, to its NUL.
puts:
        lodsb
        test al, al
        jz .end
        call putc
        jmp puts
.end:   ret

; AL to COM1, once its transmitter can take it.
putc:
        push edx
        push eax
        mov dx, COM1_LSR
.busy:  in al, dx
        test al, LSR_THRE
        jz .busy
        pop eax
        mov dx, COM1
        out dx, al
        pop edx
        ret

irq0:
        inc dword [ticks]
irq_other:
        push eax
        mov al, 0x20            ; non-specific EOI to the master
        out 0x20, al
        pop eax
        iret

hello:     db "rr-ticks start", 13, 10, 0
tick_text: db "tick ", 0
crlf:      db 13, 10, 0
done_text: db "rr-ticks done", 13, 10, 0

        align 8
CODE_SEL equ 0x08
DATA_SEL equ 0x10
gdt:    dq 0
        dq 0x00cf9a000000ffff   ; 0x08: code, base 0, 4 GiB, 32-bit
        dq 0x00cf92000000ffff   ; 0x10: data, base 0, 4 GiB
gdtr:   dw gdtr - gdt - 1
        dd gdt
idtr:   dw 0x30 * 8 - 1
        dd idt
image_end:

        absolute image_end
        alignb 8
idt:    resb 0x30 * 8
ticks:  resd 1
sum:    resd 1
        alignb 16
        resb 4096
stack_top:
bss_end:
