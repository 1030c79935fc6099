; The lab-bench demo's guest: a protected-mode tour on a disk image that
; SeaBIOS boots (the gallery's ?demo=lab, web/ui/config.ts). Each step is one
; of the things the inspector shows (web/ui/inspector.ts, the event timeline
; of web/host/events.ts), and the page stops at each with teaching breakpoints:
;
;   0x7C00  the boot sector, in real mode, reads the rest from the disk (INT 13h)
;   0x7E00  the kernel: GDT, CR0.PE              -> mode   real -> protected
;           IDT, PIC, PIT, TSS, page tables, CR3 -> cr3
;           CR0.PG                               -> mode   protected -> paging
;           CALL to a second TSS and IRET back   -> task   (twice)
;           3 timer interrupts (IRQ0, vector 20h) -> interrupt
;           IRET to ring 3                        -> ring   0 -> 3
;   ring 3: INT 80h to print                      -> softint, ring 3 -> 0 -> 3
;           a write to an unmapped page           -> exception #PF, mapped on demand
;           HLT                                   -> exception #GP(0), skipped
;           INT 80h exit: the tour ends in ring 0, halted.
;
; Everything it says goes to COM1 and the VGA text screen, the same under
; qemu-system-i386 (tests/system/lab.test.ts compares the two). Built by
; tools/guest/build.mjs: nasm -f bin, padded to a 64 KiB disk image.

bits 16
org 0x7c00

KERNEL_SECTORS  equ (kernel_end - kernel) / 512
COM1            equ 0x3f8

; Physical memory, all below 1 MiB and identity-mapped by the first page table.
KSTACK_TOP      equ 0x1f000         ; ring 0 stack (TSS.ESP0)
TASK2_STACK_TOP equ 0x1e000         ; the second task's stack
USTACK_PAGE     equ 0x10000         ; ring 3 stack: one user page
PAGE_DIR        equ 0x20000
PAGE_TABLE0     equ 0x21000         ; maps 0-4 MiB
PAGE_TABLE1     equ 0x22000         ; maps 4-8 MiB: empty until the #PF
DEMAND_PAGE     equ 0x23000         ; the frame the #PF handler maps at 4 MiB
DEMAND_LINEAR   equ 0x400000
USER_PAGE       equ 0x9000          ; the ring 3 code: its own page

; GDT selectors
KCODE   equ 0x08
KDATA   equ 0x10
UCODE   equ 0x18 | 3
UDATA   equ 0x20 | 3
TSS1    equ 0x28
TSS2    equ 0x30

; ---- the boot sector: real mode, loaded at 0x7C00 by the BIOS -------------
boot:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        sti
        mov [boot_drive], dl
        mov ax, 0x0003              ; 80x25 colour text, a clear screen
        int 0x10
        call serial_init
        mov si, msg_real
        call print16
        ; The kernel: the sectors after this one, to 0x7E00 (INT 13h AH=42h, by LBA).
        mov si, dap
        mov dl, [boot_drive]
        mov ah, 0x42
        int 0x13
        jc .failed
        jmp 0:kernel
.failed:
        mov si, msg_disk
        call print16
.stop:  hlt
        jmp .stop

serial_init:                        ; 115200 8N1, no interrupts
        mov dx, COM1 + 1
        xor al, al
        out dx, al
        mov dx, COM1 + 3
        mov al, 0x80
        out dx, al
        mov dx, COM1
        mov al, 1
        out dx, al
        mov dx, COM1 + 1
        xor al, al
        out dx, al
        mov dx, COM1 + 3
        mov al, 3
        out dx, al
        ret

; Print the zero-terminated string at DS:SI on COM1 and the text screen. (Not
; through INT 10h: under -nographic SeaBIOS copies that to the serial port too.)
print16:
        lodsb
        test al, al
        jz .done
        cmp al, 10                  ; a terminal wants CR LF
        jne .put
        mov al, 13
        call serial16
        mov al, 10
.put:   call serial16
        mov di, [vga_pos]
        cmp al, 10
        je .newline
        push es
        push 0xb800
        pop es
        shl di, 1
        mov ah, 0x07                ; light grey on black
        mov [es:di], ax
        pop es
        inc word [vga_pos]
        jmp print16
.newline:
        mov ax, di                  ; the start of the next row
        mov bl, 80
        div bl
        inc al
        mul bl
        mov [vga_pos], ax
        jmp print16
.done:  ret

serial16:                           ; AL to COM1 once it can take it
        mov ah, al
        mov dx, COM1 + 5
.wait:  in al, dx
        test al, 0x20
        jz .wait
        mov al, ah
        mov dx, COM1
        out dx, al
        ret

boot_drive: db 0
vga_pos: dd 0                       ; the next character's cell on the text screen
dap:    db 16, 0                    ; INT 13h extensions' disk address packet
        dw KERNEL_SECTORS
        dw kernel, 0                ; to 0000:7E00
        dq 1                        ; from LBA 1
msg_real: db "RingZero lab: real mode at 0x7c00, loading the kernel with INT 13h", 10, 0
msg_disk: db "lab: the disk read failed", 10, 0

        times 510 - ($ - $$) db 0
        dw 0xaa55

; ---- the kernel, at 0x7E00: still real mode ---------------------------------
kernel:
        cli
        in al, 0x92                 ; A20 on (the "fast A20" port)
        or al, 2
        and al, 0xfe
        out 0x92, al
        lgdt [gdt_desc]
        mov eax, cr0
        or eax, 1                   ; CR0.PE: protected mode
        mov cr0, eax
at_protected:                       ; (each at_ label: where a teaching stop lands)
        jmp KCODE:pm_entry          ; loads CS from the GDT: 32-bit code from here

bits 32
pm_entry:
        mov ax, KDATA
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov esp, KSTACK_TOP
        mov edi, idt                ; the IDT and TSSs start as zeros
        mov ecx, (tables_end - idt) / 4
        xor eax, eax
        rep stosd
        mov esi, msg_pm
        call print

        call setup_idt
        call setup_pic_pit
        lidt [idt_desc]
        mov esi, msg_idt
        call print

        ; Two TSSs in the GDT: this task's (TR) and a second one to switch to.
        mov dword [tss1 + 4], KSTACK_TOP    ; ESP0: where ring 3 enters ring 0
        mov dword [tss1 + 8], KDATA         ; SS0
        mov dword [tss1 + 0x1c], PAGE_DIR   ; CR3: a task switch loads it, never saves it
        mov dword [tss2 + 0x1c], PAGE_DIR   ; CR3
        mov dword [tss2 + 0x20], task2      ; EIP
        mov dword [tss2 + 0x24], 2          ; EFLAGS
        mov dword [tss2 + 0x38], TASK2_STACK_TOP ; ESP
        mov dword [tss2 + 0x4c], KCODE      ; CS
        mov eax, KDATA
        mov [tss2 + 0x48], eax              ; ES
        mov [tss2 + 0x50], eax              ; SS
        mov [tss2 + 0x54], eax              ; DS
        mov [tss2 + 0x58], eax              ; FS
        mov [tss2 + 0x5c], eax              ; GS
        mov ax, TSS1
        ltr ax

        ; Page tables: 0-4 MiB identity-mapped for ring 0; the user's code page
        ; and stack page also for ring 3; nothing at 4 MiB yet.
        mov edi, PAGE_DIR
        mov ecx, 3 * 1024           ; the directory and both tables, zeroed
        xor eax, eax
        rep stosd
        mov dword [PAGE_DIR], PAGE_TABLE0 | 7        ; present, writable, user
        mov dword [PAGE_DIR + 4], PAGE_TABLE1 | 7
        mov edi, PAGE_TABLE0
        mov eax, 3                  ; present, writable, supervisor
        mov ecx, 1024
.map:   stosd
        add eax, 0x1000
        loop .map
        mov dword [PAGE_TABLE0 + (USER_PAGE >> 12) * 4], USER_PAGE | 5     ; user, read-only
        mov dword [PAGE_TABLE0 + (USTACK_PAGE >> 12) * 4], USTACK_PAGE | 7 ; user, writable
        mov eax, PAGE_DIR
        mov cr3, eax
at_cr3:
        mov eax, cr0
        or eax, 0x80000000          ; CR0.PG: paging on
        mov cr0, eax
at_paging:
        mov esi, msg_paging
        call print

        call TSS2:0                 ; a task switch: the CPU saves this task in TSS1
at_task1:
        mov esi, msg_back
        call print

        sti
.tick:  hlt                         ; until three timer interrupts have come
        cmp dword [ticks], 3
        jb .tick
        cli
        mov esi, msg_ticks
        call print

        mov esi, msg_ring3
        call print
        push UDATA                  ; SS
        push USTACK_PAGE + 0x1000   ; ESP
        push 0x002                  ; EFLAGS: interrupts stay off in ring 3
        push UCODE                  ; CS
        push user                   ; EIP
        mov ax, UDATA
        mov ds, ax
        mov es, ax
        iret                        ; to ring 3

; The second task: its own registers from TSS2; IRET with EFLAGS.NT returns
; through the back link to the task that called it.
task2:
        mov esi, msg_task2
        call print
        iret

; ---- interrupts and exceptions ----------------------------------------------

setup_idt:
        ; Every exception vector first goes to its stub (the vector number, then "unexpected").
        mov edi, idt
        mov edx, exc_stubs
        xor ecx, ecx
.exc:   mov eax, edx
        mov bl, 0x8e                ; present, DPL 0, 32-bit interrupt gate
        call set_gate
        add edx, STUB_SIZE
        inc ecx
        cmp ecx, 32
        jb .exc
        mov ecx, 13
        mov eax, gp_handler
        call set_gate
        mov ecx, 14
        mov eax, pf_handler
        call set_gate
        mov ecx, 0x20
        mov eax, timer_handler
        call set_gate
        mov ecx, 0x80
        mov eax, syscall_handler
        mov bl, 0xee                ; DPL 3: ring 3 may INT 80h
        call set_gate
        ret

; Gate ECX (vector) to handler EAX with access byte BL.
set_gate:
        lea edi, [idt + ecx * 8]
        mov [edi], ax
        mov word [edi + 2], KCODE
        mov byte [edi + 4], 0
        mov [edi + 5], bl
        shr eax, 16
        mov [edi + 6], ax
        ret

setup_pic_pit:
        ; 8259s: IRQ 0-7 at vectors 20h-27h, IRQ 8-15 at 28h-2Fh; only IRQ0 unmasked.
        mov al, 0x11
        out 0x20, al
        out 0xa0, al
        mov al, 0x20
        out 0x21, al
        mov al, 0x28
        out 0xa1, al
        mov al, 4
        out 0x21, al
        mov al, 2
        out 0xa1, al
        mov al, 1
        out 0x21, al
        out 0xa1, al
        mov al, 0xfe
        out 0x21, al
        mov al, 0xff
        out 0xa1, al
        ; 8254 channel 0, mode 2, 100 Hz (1193182 / 11932).
        mov al, 0x34
        out 0x43, al
        mov ax, 11932
        out 0x40, al
        mov al, ah
        out 0x40, al
        ret

timer_handler:
        push eax
        inc dword [ticks]
        mov al, 0x20                ; end of interrupt
        out 0x20, al
        pop eax
        iret

; A page fault: at DEMAND_LINEAR, map a fresh frame there and let the
; instruction run again; anywhere else the tour stops.
pf_handler:
        pushad
        mov ebx, cr2
        cmp ebx, DEMAND_LINEAR
        jne unexpected_pf
        mov esi, msg_pf
        call print
        mov eax, ebx
        call print_hex
        mov esi, msg_pf_error
        call print
        mov eax, [esp + 32]         ; the error code, under PUSHAD's eight registers
        call print_hex
        mov esi, msg_pf_map
        call print
        mov dword [PAGE_TABLE1], DEMAND_PAGE | 7
        invlpg [DEMAND_LINEAR]
        popad
        add esp, 4                  ; the error code
        iret

; #GP: from ring 3 at a HLT (privileged), skip it; anything else ends the tour.
gp_handler:
        pushad
        mov ebx, [esp + 36]         ; the faulting EIP, above the error code
        test byte [esp + 40], 3     ; CS.RPL: from ring 3?
        jz unexpected_gp
        cmp byte [ebx], 0xf4
        jne unexpected_gp
        mov esi, msg_gp
        call print
        mov eax, [esp + 32]
        call print_hex
        mov esi, msg_gp_at
        call print
        mov eax, ebx
        call print_hex
        mov esi, msg_gp_skip
        call print
        inc dword [esp + 36]        ; return after the HLT
        popad
        add esp, 4
        iret

; INT 80h from ring 3: EAX=1 print the string at ESI, EAX=2 print EBX in hex
; and a newline, EAX=0 the tour is over.
syscall_handler:
        push ds
        push es
        pushad
        mov dx, KDATA
        mov ds, dx
        mov es, dx
        cmp eax, 1
        je .print
        cmp eax, 2
        je .hex
        test eax, eax
        jz .exit
        jmp .done
.print: call print
        jmp .done
.hex:   mov eax, ebx
        call print_hex
        mov esi, msg_newline
        call print
.done:  popad
        pop es
        pop ds
        iret
.exit:  mov esi, msg_exit
        call print
        jmp halt_quiet

unexpected_pf:
        mov esi, msg_unexpected_pf
        call print
        mov eax, ebx
        call print_hex
        jmp halt
unexpected_gp:
        mov esi, msg_unexpected_gp
        call print
        jmp halt

; Exception stubs, STUB_SIZE bytes each: vector number in EAX, then unexpected.
exc_stubs:
%assign v 0
%rep 32
        mov eax, v
        jmp near unexpected
%assign v v + 1
%endrep
STUB_SIZE equ (unexpected - exc_stubs) / 32
unexpected:
        push eax
        mov esi, msg_unexpected
        call print
        pop eax
        call print_hex
halt:   mov esi, msg_newline
        call print
halt_quiet:
        cli
.stop:  hlt
        jmp .stop

; ---- output: COM1 and the VGA text screen -----------------------------------

; Print the zero-terminated string at ESI.
print:
        push eax
        push esi
.next:  lodsb
        test al, al
        jz .done
        call putc
        jmp .next
.done:  pop esi
        pop eax
        ret

; EAX as 0x and eight hex digits.
print_hex:
        push eax
        push ecx
        push edx
        mov edx, eax
        mov al, '0'
        call putc
        mov al, 'x'
        call putc
        mov ecx, 8
.digit: rol edx, 4
        mov al, dl
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'a' - '0' - 10
.out:   call putc
        loop .digit
        pop edx
        pop ecx
        pop eax
        ret

putc:
        push eax
        push edx
        push edi
        cmp al, 10                  ; a terminal wants CR LF
        jne .put
        mov al, 13
        call serial
        mov al, 10
.put:   call serial
        mov edi, [vga_pos]
        cmp al, 10
        je .newline
        mov ah, 0x07                ; light grey on black
        mov [0xb8000 + edi * 2], ax
        inc edi
        jmp .scroll
.newline:
        mov eax, edi                ; to the start of the next row
        xor edx, edx
        push ecx
        mov ecx, 80
        div ecx
        pop ecx
        sub edi, edx
        add edi, 80
.scroll:
        cmp edi, 80 * 25
        jb .cursor
        push esi                    ; the screen moves up one row
        push ecx
        mov esi, 0xb8000 + 160
        mov edi, 0xb8000
        mov ecx, 80 * 24 / 2
        rep movsd
        mov eax, 0x07200720         ; a blank last row
        mov ecx, 80 / 2
        rep stosd
        pop ecx
        pop esi
        mov edi, 80 * 24
.cursor:
        mov [vga_pos], edi
        mov dx, 0x3d4               ; the CRTC's cursor location, high then low
        mov al, 0x0e
        mov ah, [vga_pos + 1]
        out dx, ax
        mov al, 0x0f
        mov ah, [vga_pos]
        out dx, ax
        pop edi
        pop edx
        pop eax
        ret

serial:                             ; AL to COM1 once it can take it
        push edx
        mov ah, al
        mov dx, COM1 + 5
.wait:  in al, dx
        test al, 0x20
        jz .wait
        mov al, ah
        mov dx, COM1
        out dx, al
        pop edx
        ret

; ---- tables and data ----------------------------------------------------------

align 8
gdt:
        dq 0
        dq 0x00cf9a000000ffff       ; 08h ring 0 code, flat 4 GiB
        dq 0x00cf92000000ffff       ; 10h ring 0 data
        dq 0x00cffa000000ffff       ; 18h ring 3 code
        dq 0x00cff2000000ffff       ; 20h ring 3 data
        ; 28h, 30h: 32-bit available TSSs, 104 bytes (limit 67h)
        dw 0x67, tss1, 0x8900, 0
        dw 0x67, tss2, 0x8900, 0
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd gdt
idt_desc:
        dw 256 * 8 - 1
        dd idt

ticks:  dd 0

msg_pm:     db "protected mode: CR0.PE=1, CS=0x08 (ring 0, 32-bit), paging off", 10, 0
msg_idt:    db "IDT: exceptions 0-31, IRQ0 at vector 0x20, INT 0x80 open to ring 3", 10, 0
msg_paging: db "paging on: CR3=0x00020000, 0-4 MiB identity-mapped, 4 MiB not mapped", 10, 0
msg_task2:  db "task 2: a hardware task switch to TSS 0x30, IRET goes back through its link", 10, 0
msg_back:   db "back in task 1 (TSS 0x28)", 10, 0
msg_ticks:  db "timer: 3 interrupts from IRQ0 (vector 0x20)", 10, 0
msg_ring3:  db "IRET to ring 3", 10, 0
msg_pf:     db "#PF at CR2=", 0
msg_pf_error: db " error ", 0
msg_pf_map: db ": the kernel maps a page there and the write runs again", 10, 0
msg_gp:     db "#GP error ", 0
msg_gp_at:  db " at EIP=", 0
msg_gp_skip: db ": HLT is privileged; the kernel skips it", 10, 0
msg_exit:   db "INT 0x80 exit: back in ring 0 for good. The tour is over.", 10, 0
msg_unexpected: db "unexpected exception ", 0
msg_unexpected_pf: db "unexpected #PF at CR2=", 0
msg_unexpected_gp: db "unexpected #GP", 10, 0
msg_newline: db 10, 0

; ---- ring 3: one read-only user page ------------------------------------------

        times (USER_PAGE - 0x7c00) - ($ - $$) db 0
user:
        mov eax, 1
        mov esi, umsg_hello
        int 0x80                    ; ring 3 -> 0 -> 3
at_write:
        mov dword [DEMAND_LINEAR], 0x600d600d   ; #PF: nothing mapped there yet
        mov eax, 1
        mov esi, umsg_wrote
        int 0x80
at_read:
        mov eax, 2
        mov ebx, [DEMAND_LINEAR]
        int 0x80
at_hlt:
        hlt                         ; #GP(0): privileged
at_after_hlt:
        mov eax, 1
        mov esi, umsg_after
        int 0x80
at_exit:
        xor eax, eax
        int 0x80                    ; exit: does not return
umsg_hello: db "ring 3: CPL=3, hello through INT 0x80", 10, 0
umsg_wrote: db "ring 3: the write went through; it reads back ", 0
umsg_after: db "ring 3: still running after the #GP", 10, 0

        times (USER_PAGE + 0x1000 - 0x7c00) - ($ - $$) db 0
kernel_end:

; ---- after the image: the IDT and the TSSs, zeroed and filled at run time
absolute USER_PAGE + 0x1000
idt:    resb 256 * 8
tss1:   resb 104
tss2:   resb 104
tables_end:
