/* The source-level reverse-debugging guest (tests/cli/reversesrc.test.ts): a
 * freestanding C program built with Debian's gcc (-m32 -g -O0, no C library)
 * into a Multiboot v1 ELF kernel, loaded at 1 MiB by its program headers. It is
 * recorded, then replayed under gdb, which steps it by source line (next,
 * reverse-next, reverse-step, reverse-finish) with the DWARF line table and
 * call frame information gcc wrote.
 *
 * In 32-bit flat protected mode (the Multiboot spec §3.2 state; the kernel
 * loads its own GDT, as §3.2 asks). The 8254 interrupts the main loop through
 * the 8259A (the recording's asynchronous events); the handler (irq0, in
 * assembly with CFI that describes the interrupt frame as a signal frame, so
 * gdb unwinds from it to the interrupted line) counts them. Each round of the
 * main loop calls small functions (nested: step calls mix calls square) and
 * spins on one line until the next tick, so every round has an interrupt in
 * kmain itself, inside a line gdb steps over instruction by instruction. It
 * prints a dot on port 0xE9 every 64 rounds; at the end it prints the tick
 * count and the sum in hex and exits through isa-debug-exit (port 0xF4) with 0.
 *
 * Built with -gno-column-info: gcc otherwise gives a line several line-table
 * rows (one per column), and gdb 13's reverse-next stops at each row's start,
 * twice on one line (gdb's own `record full` does the same on a native
 * program), where a forward next stops once. */

#define MB_MAGIC 0x1BADB002u
#define MB_FLAGS 0u             /* an ELF kernel: no a.out kludge, no requests */
#define DEBUGCON 0xE9
#define DEBUG_EXIT 0xF4
#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIT_CH0 0x40
#define PIT_MODE 0x43
#define PIT_CH0_RATE 0x34       /* counter 0, lobyte/hibyte, mode 2 (rate generator) */
#define PIT_PERIOD 25           /* 1193182 Hz / 25: ~21 us, about 160 instructions at -icount shift=7 */
#define IRQ0_VECTOR 0x20
#define CODE_SEL 0x08           /* gdt[1] */
#define DATA_SEL 0x10           /* gdt[2] */
#define PIC_EOI 0x20            /* OCW2: non-specific end of interrupt */
#define STACK_BYTES 4096
#define GATE_INT32 0x8E00       /* present, DPL 0, 32-bit interrupt gate (SDM vol. 3 §6.11) */
#define ROUNDS 512

/* Multiboot spec §3.1.1: magic, flags, checksum, in the first 8 KiB (the
 * linker script puts .multiboot first). */
__attribute__((section(".multiboot"), used, aligned(4)))
static const unsigned mb_header[3] = { MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS) };

struct gate { unsigned short offset_lo, selector, type, offset_hi; };
struct __attribute__((packed)) table_reg { unsigned short limit; const void *base; };

static const unsigned long long gdt[3] = {
  0,
  0x00cf9a000000ffffull,        /* 0x08: code, base 0, 4 GiB, 32-bit */
  0x00cf92000000ffffull,        /* 0x10: data, base 0, 4 GiB */
};
static struct gate idt[IRQ0_VECTOR + 1];
volatile unsigned ticks;
unsigned stack[STACK_BYTES / 4];
void irq0(void);
void kmain(void);

/* Entry (EIP from the ELF header): our GDT, flat segments, a stack, kmain.
 * irq0 counts a tick and acknowledges it. Its CFI describes the frame the CPU
 * pushed (SDM vol. 3 §6.12.1, no privilege change: EIP, CS, EFLAGS; the
 * interrupted ESP is ESP + 12 at entry) and marks it a signal frame (the
 * interrupted EIP is no return address: gdb looks it up as it is, not at
 * EIP - 1), so that gdb's frames see the interrupted function as its caller.
 * Without CFI, gdb's reverse-next stops inside irq0 (its prologue analysis
 * takes the saved EAX for a return address). In a section of its own,
 * outside the C code's line table. */
#define STR_(x) #x
#define STR(x) STR_(x)
__asm__(
  ".pushsection .text.stub, \"ax\"\n"
  ".globl _start\n"
  "_start:\n"
  "  lgdt gdtr\n"
  "  ljmp $" STR(CODE_SEL) ", $1f\n"
  "1:mov $" STR(DATA_SEL) ", %eax\n"
  "  mov %eax, %ds\n"
  "  mov %eax, %es\n"
  "  mov %eax, %fs\n"
  "  mov %eax, %gs\n"
  "  mov %eax, %ss\n"
  "  mov $stack + " STR(STACK_BYTES) ", %esp\n"
  "  xor %ebp, %ebp\n"           /* the outermost frame */
  "  call kmain\n"
  "2:cli\n"
  "  hlt\n"
  "  jmp 2b\n"
  ".globl irq0\n"
  ".type irq0, @function\n"
  "irq0:\n"
  "  .cfi_startproc simple\n"
  "  .cfi_signal_frame\n"
  "  .cfi_def_cfa %esp, 12\n"
  "  .cfi_offset %eip, -12\n"
  "  .cfi_offset %eflags, -4\n"
  "  push %eax\n"
  "  .cfi_adjust_cfa_offset 4\n"
  "  .cfi_offset %eax, -16\n"
  "  incl ticks\n"
  "  mov $" STR(PIC_EOI) ", %al\n"
  "  out %al, $" STR(PIC1_CMD) "\n"
  "  pop %eax\n"
  "  .cfi_adjust_cfa_offset -4\n"
  "  .cfi_restore %eax\n"
  "  iret\n"
  "  .cfi_endproc\n"
  ".size irq0, . - irq0\n"
  ".popsection\n");

const struct table_reg gdtr = { sizeof gdt - 1, gdt };

static void outb(unsigned short port, unsigned char v)
{
  __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void putc(char c)
{
  outb(DEBUGCON, c);
}

static void puthex(unsigned v)
{
  for (int shift = 28; shift >= 0; shift -= 4)
    putc("0123456789ABCDEF"[(v >> shift) & 15]);
  putc('\n');
}

static void timer_start(void)
{
  struct table_reg idtr = { sizeof idt - 1, idt };
  unsigned handler = (unsigned)irq0;
  idt[IRQ0_VECTOR] = (struct gate){ handler & 0xffff, CODE_SEL, GATE_INT32, handler >> 16 };
  __asm__ volatile("lidt %0" : : "m"(idtr));
  /* local APIC on, LINT0 ExtINT (the 8259A's virtual wire) */
  *(volatile unsigned *)0xfee000f0 = 0x1ff;
  *(volatile unsigned *)0xfee00350 = 0x700;
  /* 8259A pair, ICW1-ICW4: vectors 20h and 28h, slave on IR2; only IRQ0 unmasked */
  outb(PIC1_CMD, 0x11);
  outb(PIC2_CMD, 0x11);
  outb(PIC1_DATA, IRQ0_VECTOR);
  outb(PIC2_DATA, IRQ0_VECTOR + 8);
  outb(PIC1_DATA, 0x04);
  outb(PIC2_DATA, 0x02);
  outb(PIC1_DATA, 0x01);
  outb(PIC2_DATA, 0x01);
  outb(PIC1_DATA, 0xfe);
  outb(PIC2_DATA, 0xff);
  outb(PIT_MODE, PIT_CH0_RATE);
  outb(PIT_CH0, PIT_PERIOD & 0xff);
  outb(PIT_CH0, PIT_PERIOD >> 8);
  __asm__ volatile("sti");
}

static unsigned square(unsigned x)
{
  return x * x;
}

static unsigned mix(unsigned a, unsigned b)
{
  unsigned s = square(a);
  return (s << 3) ^ (b >> 1) ^ a;
}

static unsigned step(unsigned sum, unsigned i)
{
  unsigned m = mix(sum, i);
  return m + i;
}

void kmain(void)
{
  unsigned sum = 7;
  timer_start();
  for (unsigned i = 0; i < ROUNDS; i++) {
    unsigned sq = square(i);
    sum = step(sum, sq);
    for (unsigned t = ticks; t == ticks; ) continue;   /* until the next tick */
    sum ^= mix(i, sum);
    if (i % 64 == 0)
      putc('.');
  }
  putc('\n');
  puthex(ticks);
  puthex(sum);
  outb(DEBUG_EXIT, 0);
}
