; The HPET at 0xFED00000 (IA-PC HPET specification 1.0a): registers after
; reset, the main counter's rate against the 8254 (counter 2 for 10 ms), the
; legacy replacement route (timer 0 -> IRQ0 with the PIT cut off, timer 1 ->
; IRQ8) through the 8259A, periodic mode with a 32-bit and with a 64-bit
; comparator, one-shot mode, a level-triggered timer's status bit, and writing
; the counter while it is halted. Waits are measured on the HPET's own counter,
; so the interrupt counts do not depend on how fast the CPU runs.
%include "lib/rom.inc"
%include "lib/pic.inc"
%include "lib/pm.inc"

%define HPET       0xfed00000
%define GCAP       (HPET + 0x000)
%define PERIOD     (HPET + 0x004)
%define GCONF      (HPET + 0x010)
%define GISR       (HPET + 0x020)
%define COUNT      (HPET + 0x0f0)
%define COUNT_HI   (HPET + 0x0f4)
%define T_CONF(n)  (HPET + 0x100 + (n) * 0x20)
%define T_CAP(n)   (HPET + 0x104 + (n) * 0x20)
%define T_CMP(n)   (HPET + 0x108 + (n) * 0x20)
%define T_CMPHI(n) (HPET + 0x10c + (n) * 0x20)

%define ENABLE     1
%define LEGACY     2
%define TN_LEVEL   (1 << 1)
%define TN_ENB     (1 << 2)
%define TN_PERIOD  (1 << 3)
%define TN_VALSET  (1 << 6)
%define TN_32      (1 << 8)

%define IRQ0_COUNT (PM_VARS + 0x40)
%define IRQ8_COUNT (PM_VARS + 0x44)
%define T_START    (PM_VARS + 0x48)

; SHOW "label", address: print "label=XXXXXXXX" and a newline.
%macro SHOW 2
  PPUTS %1
  mov eax, [%2]
  call phex32
  call pnl
%endmacro

; WAIT_TICKS n: spin until the counter is n ticks past [T_START].
%macro WAIT_TICKS 1
%%w:
  mov eax, [COUNT]
  sub eax, [T_START]
  cmp eax, %1
  jb %%w
%endmacro

%macro MARK 0
  mov eax, [COUNT]
  mov [T_START], eax
%endmacro

main:
  mov sp, 0x7000
  PM_ENTER
  ; the 8259A reaches the CPU through LINT0 in ExtINT mode (virtual wire)
  mov dword [0xfee000f0], 0x1ff       ; APIC software enabled, spurious vector FFh
  mov dword [0xfee00350], 0x700       ; LVT LINT0: ExtINT, unmasked
  ; 8259A pair: master vectors 20h-27h, slave 28h-2Fh, everything masked
  PIC_INIT_AT 0x20, 0x28
  mov al, 0xff
  out 0x21, al
  out 0xa1, al
  SET_GATE 0x20, SEL_CODE0, irq0_int, GATE_INT32
  SET_GATE 0x28, SEL_CODE0, irq8_int, GATE_INT32
  mov dword [IRQ0_COUNT], 0
  mov dword [IRQ8_COUNT], 0

  ; --- registers after reset ---
  SHOW "gcap=", GCAP
  SHOW "period=", PERIOD
  SHOW "gconf=", GCONF
  SHOW "gisr=", GISR
  SHOW "count=", COUNT
  SHOW "t0conf=", T_CONF(0)
  SHOW "t0cap=", T_CAP(0)
  SHOW "t0cmp=", T_CMP(0)
  SHOW "t0cmphi=", T_CMPHI(0)
  SHOW "t1conf=", T_CONF(1)
  SHOW "t2conf=", T_CONF(2)
  SHOW "t2cap=", T_CAP(2)

  ; --- rate: 8254 counter 2, mode 0, 11932 clocks (10.0000 ms) = 1 000 003 HPET ticks ---
  mov dword [GCONF], ENABLE
  in al, 0x61
  and al, 0xfc
  or al, 1                  ; gate 2 high, speaker off
  out 0x61, al
  mov al, 0xb0              ; counter 2, LSB then MSB, mode 0, binary
  out 0x43, al
  mov al, 0x9c
  out 0x42, al
  mov al, 0x2e
  out 0x42, al
  mov ebx, [COUNT]
.rate:
  in al, 0x61
  test al, 0x20             ; OUT2
  jz .rate
  mov eax, [COUNT]
  sub eax, ebx
  cmp eax, 990000
  jb .rate_bad
  cmp eax, 1010000
  ja .rate_bad
  PPUTS "rate: 10 ms of the 8254 is 1000000 ticks +-1%"
  call pnl
  jmp .rate_done
.rate_bad:
  PPUTS "rate: bad "
  call phex32
  call pnl
.rate_done:

  ; --- legacy route, periodic timer 0 (32-bit) every 2 ms, the PIT at 1 kHz cut off ---
  mov al, 0x34              ; counter 0, mode 2, 1193 clocks: 1 kHz
  out 0x43, al
  mov al, 0xa9
  out 0x40, al
  mov al, 0x04
  out 0x40, al
  mov dword [GCONF], ENABLE | LEGACY
  mov al, 0xfe              ; IRQ0 only
  out 0x21, al
  ; a request the PIT latched before the route changed (QEMU's 8259A keeps an
  ; edge's IRR bit after the line falls; the 8259A datasheet drops it): taken
  ; here, not counted
  sti
  mov ecx, 10000
.drain: dec ecx
  jnz .drain
  cli
  mov dword [IRQ0_COUNT], 0
  mov dword [T_CONF(0)], TN_ENB | TN_PERIOD | TN_VALSET | TN_32
  MARK
  mov eax, [T_START]
  add eax, 200000
  mov [T_CMP(0)], eax       ; VAL_SET: comparator and period
  mov dword [T_CMP(0)], 200000 ; the period
  SHOW "t0conf=", T_CONF(0)
  sti
  WAIT_TICKS 1050000
  cli
  SHOW "periodic irq0=", IRQ0_COUNT
  mov eax, [T_CMP(0)]
  sub eax, [T_START]
  PPUTS "next cmp - start="
  call phex32
  call pnl

  ; --- one-shot timer 0 (32-bit): one interrupt, then none ---
  mov dword [T_CONF(0)], 0
  mov dword [IRQ0_COUNT], 0
  mov dword [T_CONF(0)], TN_ENB | TN_32
  MARK
  mov eax, [T_START]
  add eax, 100000
  mov [T_CMP(0)], eax
  sti
  WAIT_TICKS 300000
  SHOW "one-shot irq0=", IRQ0_COUNT
  WAIT_TICKS 600000
  cli
  SHOW "later irq0=", IRQ0_COUNT
  mov dword [T_CONF(0)], 0

  ; --- timer 1 -> IRQ8, 64-bit periodic every 1 ms ---
  mov al, 0xfb              ; cascade (IRQ2)
  out 0x21, al
  mov al, 0xfe              ; IRQ8
  out 0xa1, al
  ; programmed with interrupts off, the period before the comparator's high half
  mov dword [T_CONF(1)], TN_PERIOD | TN_VALSET
  MARK
  mov eax, [T_START]
  add eax, 100000
  mov [T_CMP(1)], eax       ; comparator (and period), low halves
  mov dword [T_CMP(1)], 100000 ; period, low half
  mov dword [T_CONF(1)], TN_PERIOD | TN_VALSET
  mov eax, [COUNT_HI]
  mov [T_CMPHI(1)], eax     ; comparator, high half (0 here)
  mov dword [T_CONF(1)], TN_ENB | TN_PERIOD
  SHOW "t1conf=", T_CONF(1)
  sti
  WAIT_TICKS 350000
  cli
  SHOW "periodic irq8=", IRQ8_COUNT
  SHOW "irq0=", IRQ0_COUNT
  mov dword [T_CONF(1)], 0
  mov eax, [T_CMP(1)]
  sub eax, [T_START]
  PPUTS "t1 next cmp - start="
  call phex32
  call pnl

  ; --- timer 2, level-triggered, 32-bit: its status bit, cleared by writing 1 ---
  mov dword [T_CONF(2)], TN_LEVEL | TN_ENB | TN_32
  SHOW "t2conf=", T_CONF(2)
  SHOW "t2cmphi=", T_CMPHI(2)
  MARK
  mov eax, [T_START]
  add eax, 1000
  mov [T_CMP(2)], eax
  WAIT_TICKS 200000
  ; qemu raises the status from a host timer that a loaded host runs late: wait
  ; for it (up to 100 ms of counter time) before reading it for the record
.gisr_wait:
  test dword [GISR], 4
  jnz .gisr_set
  mov eax, [COUNT]
  sub eax, [T_START]
  cmp eax, 10000000
  jb .gisr_wait
.gisr_set:
  SHOW "gisr=", GISR
  mov dword [GISR], 4
  SHOW "gisr after clear=", GISR
  mov dword [T_CONF(2)], 0

  ; --- halt the counter and write it ---
  mov dword [GCONF], 0
  mov dword [COUNT], 0x9abcdef0
  mov dword [COUNT_HI], 0x12345678
  SHOW "halted count=", COUNT
  SHOW "halted count hi=", COUNT_HI
  mov ecx, 100000
.spin: dec ecx
  jnz .spin
  SHOW "still=", COUNT
  mov dword [GCONF], ENABLE
  mov ecx, 100000
.spin2: dec ecx
  jnz .spin2
  mov eax, [COUNT]
  sub eax, 0x9abcdef0
  cmp eax, 0
  je .stuck
  PPUTS "counting again"
  call pnl
  jmp .done
.stuck:
  PPUTS "stuck"
  call pnl
.done:
  EXIT 0

irq0_int:
  inc dword [IRQ0_COUNT]
  push eax
  mov al, 0x20
  out 0x20, al
  pop eax
  iretd

irq8_int:
  inc dword [IRQ8_COUNT]
  push eax
  mov al, 0x20
  out 0xa0, al
  out 0x20, al
  pop eax
  iretd

ROM_END
