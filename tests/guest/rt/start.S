/* Entry point of the freestanding guest runtime.
 *
 * The image begins with the arm64 Linux Image header, so QEMU (-kernel) and
 * Tandem (--kernel) load it at RAM + 2 MiB and enter it at EL1 with the MMU
 * off. We mask interrupts, set up the stack, clear BSS, enable FP/AdvSIMD,
 * install the vector table and call main(); its return powers off. */
    .section .text.head, "ax"
    .globl _start
_start:
    b       entry                   /* code0 */
    .long   0                       /* code1 */
    .quad   0                       /* text_offset */
    .quad   _image_end - _start     /* image_size, including BSS and stack */
    .quad   0x2                     /* flags: little endian, 4K pages */
    .quad   0, 0, 0                 /* res2..res4 */
    .ascii  "ARM\x64"               /* magic */
    .long   0                       /* res5 */

entry:
    msr     daifset, #0xf
    /* SCTLR_EL1: RES1 bits, SA and SA0 (SP alignment checks), MMU off. */
    movz    x1, #0x0818
    movk    x1, #0x30d0, lsl #16
    msr     sctlr_el1, x1
    isb
    adrp    x1, __stack_top
    add     x1, x1, :lo12:__stack_top
    mov     sp, x1
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  adrp    x1, rt_vectors
    add     x1, x1, :lo12:rt_vectors
    msr     vbar_el1, x1
    mov     x1, #(3 << 20)          /* CPACR_EL1.FPEN = 3: no FP traps */
    msr     cpacr_el1, x1
    isb
    msr     fpcr, xzr
    msr     fpsr, xzr
    bl      main
    bl      rt_exit
3:  b       3b

/* Power off through PSCI SYSTEM_OFF (HVC conduit, as on QEMU's virt). */
    .text
    .globl  rt_poweroff
rt_poweroff:
    movz    x0, #0x0008
    movk    x0, #0x8400, lsl #16
    hvc     #0
4:  b       4b

/* ---- exception vectors ----
 * Each entry saves x0/x1, puts the entry index (0..15) in x0 and joins the
 * common path, which saves the full frame (struct RtFrame in rt.h) and calls
 * rt_exception(index, frame). The handler may edit elr/spsr in the frame;
 * they are restored before ERET. A nesting depth above 3 powers off at once,
 * so a broken handler cannot loop forever. */
    .equ    FRAME_SIZE, 288         /* x0..x30, elr, spsr, esr, far, sp_el0 = 36 * 8 */

    .macro  vent idx
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x0, #\idx
    b       vec_common
    .endm

    .balign 2048
    .globl  rt_vectors
rt_vectors:
    vent 0
    vent 1
    vent 2
    vent 3
    vent 4
    vent 5
    vent 6
    vent 7
    vent 8
    vent 9
    vent 10
    vent 11
    vent 12
    vent 13
    vent 14
    vent 15

vec_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x2, elr_el1
    stp     x30, x2, [sp, #240]
    mrs     x2, spsr_el1
    mrs     x3, esr_el1
    stp     x2, x3, [sp, #256]
    mrs     x2, far_el1
    mrs     x3, sp_el0
    stp     x2, x3, [sp, #272]
    adrp    x2, rt_exc_depth
    ldr     w3, [x2, :lo12:rt_exc_depth]
    add     w3, w3, #1
    str     w3, [x2, :lo12:rt_exc_depth]
    cmp     w3, #3
    b.hi    rt_poweroff
    mov     x1, sp
    bl      rt_exception
    adrp    x2, rt_exc_depth
    ldr     w3, [x2, :lo12:rt_exc_depth]
    sub     w3, w3, #1
    str     w3, [x2, :lo12:rt_exc_depth]
    ldp     x2, x3, [sp, #256]
    msr     spsr_el1, x2
    ldr     x2, [sp, #248]
    msr     elr_el1, x2
    ldr     x3, [sp, #280]
    msr     sp_el0, x3
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    add     sp, sp, #FRAME_SIZE
    eret

    .bss
    .balign 4
    .globl  rt_exc_depth
rt_exc_depth:
    .long   0
