/* Arm PrimeCell PL011 UART: the guest console. */
#ifndef TANDEM_PL011_H
#define TANDEM_PL011_H

#include <stdbool.h>
#include <stdint.h>

#include "mem/bus.h"

#define PL011_FIFO 16

typedef struct Pl011 {
    uint32_t cr, lcr_h, ibrd, fbrd, ifls, imsc, ris, dmacr;
    uint8_t rx[PL011_FIFO];
    unsigned rx_head, rx_count;
    /* Where transmitted bytes go. */
    void (*tx)(void *opaque, uint8_t byte);
    void *tx_opaque;
    /* Interrupt line level changed. */
    void (*irq)(void *opaque, bool level);
    void *irq_opaque;
} Pl011;

extern const MmioOps pl011_ops;

void pl011_init(Pl011 *u);
/* Room for more input? */
bool pl011_can_receive(const Pl011 *u);
void pl011_receive(Pl011 *u, uint8_t byte);
bool pl011_irq_level(const Pl011 *u);

#endif
