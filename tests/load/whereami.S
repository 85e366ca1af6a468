/* Prints the address it runs at on the PL011 ("pc 0x..."), then powers off
 * through PSCI. Built as a flat binary with or without the arm64 Image
 * header (HEADER=1, TEXT_OFFSET, IMAGE_SIZE: tests/load/run.sh). */
    .text
_start:
.if HEADER
    b       entry
    .long   0
    .quad   TEXT_OFFSET
    .quad   IMAGE_SIZE
    .quad   0xa
    .quad   0, 0, 0
    .ascii  "ARM\x64"
    .long   0
.endif
entry:
    adr     x1, _start
    movz    x2, #0x0900, lsl #16    /* PL011 data register */
    mov     w5, #'p'
    strb    w5, [x2]
    mov     w5, #'c'
    strb    w5, [x2]
    mov     w5, #' '
    strb    w5, [x2]
    mov     x3, #60
1:  lsr     x4, x1, x3
    and     x4, x4, #0xf
    add     x5, x4, #'0'
    add     x6, x4, #('a' - 10)
    cmp     x4, #10
    csel    x5, x5, x6, lo
    strb    w5, [x2]
    subs    x3, x3, #4
    b.ge    1b
    mov     w5, #'\n'
    strb    w5, [x2]
    movz    x0, #0x0008
    movk    x0, #0x8400, lsl #16    /* PSCI SYSTEM_OFF */
    hvc     #0
    b       .
