/* Exception tests: each t_* routine raises exceptions at known offsets from
 * its own start; exc.c's handler prints the syndrome and resumes. The
 * routines clobber only x0-x17 and keep x30 (or save it on the stack). */
    .text

    .macro  test name
    .globl  \name
    .balign 64
\name:
    .endm

test t_udf
    udf     #0x1234                 /* +0: EC 0 */
    ret

/* Instructions of features Cortex-A53 does not have: all UNDEFINED. (QEMU's
 * cortex-a53 does implement CRC32 and the AES/SHA instructions, so those are
 * not tested here.) */
test t_unadvertised
    .inst   0x1ee22820              /* +0:  fadd h0, h1, h2 (FEAT_FP16) */
    .inst   0x4e420c20              /* +4:  fmla v0.8h, v1.8h, v2.8h (FEAT_FP16) */
    .inst   0xb8220020              /* +8:  ldadd w2, w0, [x1] (FEAT_LSE) */
    .inst   0xc8e0fc41              /* +12: casal x0, x1, [x2] (FEAT_LSE) */
    .inst   0x4e8294a0              /* +16: sdot v0.4s, v5.16b, v2.16b (FEAT_DotProd) */
    .inst   0x6e828420              /* +20: sqrdmlah v0.4s, v1.4s, v2.4s (FEAT_RDM) */
    .inst   0x1e7e0020              /* +24: fjcvtzs w0, d1 (FEAT_JSCVT) */
    .inst   0xdac10020              /* +28: pacia x0, x1 (FEAT_PAuth) */
    .inst   0x1e28c020              /* +32: frint32x s0, s1 (FEAT_FRINTTS) */
    .inst   0x6e80c420              /* +36: fcmla v0.4s, v1.4s, v0.4s, #0 (FEAT_FCMA) */
    .inst   0xd503233f              /* +40: paciasp: a hint, so a NOP here */
    mov     x0, #0x99
    ret

test t_svc
    mov     x0, #0x5a
    movz    x1, #0x8000, lsl #48
    cmp     x1, #1                  /* NZCV = 0011 (C, V): visible in SPSR */
    svc     #0x42                   /* +12 */
    ret

test t_brk
    brk     #0x77                   /* +0 */
    ret

test t_hvc_psci
    movz    x0, #0x8400, lsl #16    /* PSCI_VERSION */
    hvc     #0
    ret

test t_dabt_unmapped
    movz    x1, #0x5000, lsl #16    /* beyond 128 MiB of RAM, no device */
    ldr     x0, [x1, #8]            /* +4 */
    mov     x2, #0x77
    str     w2, [x1, #0x40]         /* +12 */
    ldrb    w0, [x1]                /* +16 */
    ret

test t_dabt_addrsize
    mov     x1, #(1 << 40)          /* beyond the 40-bit physical address size */
    ldr     x0, [x1]                /* +4 */
    ret

test t_ldxr_unaligned
    adrp    x1, exc_buf
    add     x1, x1, :lo12:exc_buf
    add     x1, x1, #4
    ldxr    x0, [x1]                /* +12: alignment fault */
    add     x1, x1, #1
    ldaxr   w0, [x1]                /* +20 */
    stxr    w3, x0, [x1]            /* +24 */
    ret

test t_sctlr_a
    mrs     x3, sctlr_el1
    orr     x4, x3, #2              /* SCTLR_EL1.A: check alignment */
    msr     sctlr_el1, x4
    isb
    adrp    x1, exc_buf
    add     x1, x1, :lo12:exc_buf
    ldr     w0, [x1, #2]            /* +24 */
    ldrh    w0, [x1, #1]            /* +28 */
    ldr     w0, [x1, #4]            /* +32: aligned, no fault */
    msr     sctlr_el1, x3
    isb
    ldr     w0, [x1, #2]            /* +44: no fault */
    ret

test t_pc_align
    adr     x0, 1f
    add     x0, x0, #2
    br      x0                      /* +8: PC alignment fault at 1f+2 */
1:  ret

test t_iabt_unmapped
    movz    x0, #0x5000, lsl #16
    br      x0                      /* instruction abort at 0x50000000 */

/* SPSel: run on SP_EL0 at EL1 (EL1t) and come back; SP_EL1 is untouched.
 * (Misaligned-SP faults are not tested: QEMU does not check SCTLR.SA.) */
test t_spsel
    mov     x5, sp
    msr     spsel, #0               /* EL1t: use SP_EL0 */
    mov     x6, sp
    adrp    x1, exc_buf
    add     x1, x1, :lo12:exc_buf
    add     x1, x1, #64
    mov     sp, x1
    str     x5, [sp, #-16]!
    ldr     x0, [sp], #16
    mrs     x7, spsel
    mrs     x9, sp_el0              /* not accessible while SP_EL0 is SP: EC 0 */
    mov     x10, sp
    mov     sp, x6
    msr     spsel, #1
    mov     x8, sp
    sub     x0, x0, x8              /* 0: SP_EL1 untouched */
    add     x0, x0, x7              /* SPSel read back as 0 */
    adrp    x1, exc_buf
    add     x1, x1, :lo12:exc_buf
    sub     x10, x10, x1
    add     x0, x0, x10, lsl #8     /* SP_EL0 was buf+64 */
    ret

test t_fp_trap
    mrs     x3, cpacr_el1
    bic     x4, x3, #(3 << 20)
    msr     cpacr_el1, x4
    isb
    movz    x2, #0x4000, lsl #48
    fmov    d0, x2                  /* +20: EC 7; the handler re-enables FP */
    fmov    x0, d0
    ret

test t_illegal_return
    adr     x0, 1f
    msr     elr_el1, x0
    mov     x0, #0x3c9              /* EL2h: not implemented, an illegal return */
    msr     spsr_el1, x0
    eret                            /* +16 */
1:  mov     x0, #5                  /* +20: illegal state exception here */
    ret

/* EL0: ERET into el0_code on SP_EL0, which raises exceptions from EL0 and
 * finally asks to come back with SVC #0xfff (the handler returns to
 * el1_return at EL1h). */
test t_el0
    stp     x29, x30, [sp, #-16]!
    adr     x0, el0_code
    msr     elr_el1, x0
    mov     x0, #0x3c0              /* EL0t, DAIF masked */
    msr     spsr_el1, x0
    adrp    x0, __stack0_top
    add     x0, x0, :lo12:__stack0_top
    msr     sp_el0, x0
    movz    x3, #0x5000, lsl #16
    eret                            /* +36 */
    .globl  el1_return
el1_return:
    ldp     x29, x30, [sp], #16
    ret

    .balign 64
    .globl  el0_code
el0_code:
    sub     sp, sp, #32             /* +0 */
    mov     x0, #0x1111
    svc     #1                      /* +8 */
    mrs     x1, midr_el1            /* +12: EC 0 at EL0 */
    mrs     x1, ctr_el0             /* +16: trapped, SCTLR_EL1.UCT = 0 */
    mrs     x1, currentel           /* +20: EC 0 */
    msr     daifset, #2             /* +24: trapped, SCTLR_EL1.UMA = 0 */
    dc      zva, x3                 /* +28: trapped, SCTLR_EL1.DZE = 0 */
    ldr     x1, [x3]                /* +32: external abort from EL0 */
    udf     #1                      /* +36 */
    mrs     x1, nzcv                /* +40: allowed */
    msr     spsel, #1               /* +44: EC 0 */
    eret                            /* +48: EC 0 at EL0 */
    hvc     #0                      /* +52: EC 0 at EL0 */
    mrs     x4, tpidr_el0           /* +56: allowed */
    mov     x0, sp
    svc     #0xfff                  /* +64: back to EL1 */
    b       .

/* EL1t: ERET to EL1 with SP_EL0 selected; SVC goes to the "current EL, SP0"
 * vector. */
test t_el1t
    stp     x29, x30, [sp, #-16]!
    adr     x0, 1f
    msr     elr_el1, x0
    mov     x0, #0x3c4              /* EL1t */
    msr     spsr_el1, x0
    adrp    x0, __stack0_top
    add     x0, x0, :lo12:__stack0_top
    sub     x0, x0, #256
    msr     sp_el0, x0
    eret                            /* +32 */
1:  mov     x0, sp                  /* +36 */
    brk     #1                      /* +40: vector 0 */
    svc     #0xfff                  /* +44 */
    b       .

    .bss
    .balign 64
    .globl  exc_buf
exc_buf:
    .skip   256
