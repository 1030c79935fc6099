; One second measured by four timers: the MC146818 RTC's seconds (edge to edge,
; polled), the 8254's counter 0 (1.193182 MHz, counted by polling in mode 2),
; the local APIC timer (divide by 16 of its 1 GHz input) and the TSC. Every
; timer device and the TSC derive from the machine's one virtual clock
; (asm/clock.ts), so over one RTC second each must show its nominal count:
; 1193182 PIT clocks, 62500000 APIC counts (QEMU's APIC bus also runs at 1 GHz),
; 10^9 TSC ticks (RingZero's TSC is 1 GHz; QEMU's under -icount is too).
; Each prints "ok" when within 0.1%, else the count it saw.
%include "lib/rom.inc"
%include "lib/pm.inc"

LAPIC   equ 0xfee00000
WRAPS   equ 0x5100       ; PIT counter 0 wrap-arounds seen
LASTC   equ 0x5104       ; last PIT count read
PIT0    equ 0x5108       ; PIT count at the first edge
APIC0   equ 0x510c       ; APIC current count at the first edge
TSC0    equ 0x5110       ; TSC (low half) at the first edge

main:
  PM_ENTER
  ; local APIC: software-enabled, timer masked, one-shot, divide by 16, counting down from 2^32-1
  mov dword [LAPIC + 0xf0], 0x1ff
  mov dword [LAPIC + 0x320], 0x10000
  mov dword [LAPIC + 0x3e0], 0x3
  mov dword [LAPIC + 0x380], 0xffffffff
  ; PIT counter 0: mode 2, count 65536
  mov al, 0x34
  out 0x43, al
  xor al, al
  out 0x40, al
  out 0x40, al
  call rtc_edge                 ; start on a seconds edge
  mov dword [WRAPS], 0
  call pit_read
  mov [PIT0], eax
  mov [LASTC], eax
  mov eax, [LAPIC + 0x390]
  mov [APIC0], eax
  rdtsc
  mov [TSC0], eax
  call rtc_edge                 ; one second later (counting PIT wraps meanwhile)
  rdtsc
  sub eax, [TSC0]
  mov esi, eax                  ; TSC ticks
  mov eax, [APIC0]
  sub eax, [LAPIC + 0x390]
  mov edi, eax                  ; APIC counts
  call pit_read
  mov ebx, [PIT0]
  sub ebx, eax                  ; PIT clocks: start - end + 65536 * wraps
  mov eax, [WRAPS]
  shl eax, 16
  add ebx, eax

  PPUTS "pit "
  mov eax, ebx
  mov ecx, 1193182
  call check
  PPUTS "lapic "
  mov eax, edi
  mov ecx, 62500000
  call check
  PPUTS "tsc "
  mov eax, esi
  mov ecx, 1000000000
  call check
  PM_LEAVE
  EXIT 0

bits 32
; Wait for the RTC's seconds register to change, counting PIT wraps meanwhile.
rtc_edge:
  call rtc_sec
  mov dl, al
.w:
  call pit_poll
  call rtc_sec
  cmp al, dl
  je .w
  ret

rtc_sec:
  mov al, 0x0a
  out 0x70, al
  in al, 0x71
  test al, 0x80                 ; update in progress: the registers may be changing
  jnz rtc_sec
  xor al, al
  out 0x70, al
  in al, 0x71
  ret

; EAX = PIT counter 0's count (latched)
pit_read:
  xor eax, eax
  out 0x43, al
  in al, 0x40
  mov ah, al
  in al, 0x40
  xchg al, ah
  ret

; A count above the last one means the counter reloaded.
pit_poll:
  push eax
  call pit_read
  cmp eax, [LASTC]
  jbe .s
  inc dword [WRAPS]
.s:
  mov [LASTC], eax
  pop eax
  ret

; "ok" if |EAX - ECX| <= ECX / 1000, else EAX in hex; then a newline.
check:
  push eax
  push edx
  mov edx, eax
  sub edx, ecx
  jns .p
  neg edx
.p:
  push edx
  mov eax, ecx
  xor edx, edx
  push ecx
  mov ecx, 1000
  div ecx
  pop ecx
  pop edx
  cmp edx, eax
  pop edx
  pop eax
  ja .bad
  PPUTS "ok"
  call pnl
  ret
.bad:
  call phex32
  call pnl
  ret
ROM_END
