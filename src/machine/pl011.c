#include "machine/pl011.h"

#include <string.h>

enum {
    UARTDR = 0x00, UARTRSR = 0x04, UARTFR = 0x18, UARTILPR = 0x20, UARTIBRD = 0x24,
    UARTFBRD = 0x28, UARTLCR_H = 0x2c, UARTCR = 0x30, UARTIFLS = 0x34, UARTIMSC = 0x38,
    UARTRIS = 0x3c, UARTMIS = 0x40, UARTICR = 0x44, UARTDMACR = 0x48,
};
enum { FR_RXFE = 1 << 4, FR_TXFF = 1 << 5, FR_RXFF = 1 << 6, FR_TXFE = 1 << 7 };
enum { INT_RX = 1 << 4, INT_TX = 1 << 5, INT_RT = 1 << 6 };

/* PrimeCell identification: PL011 r1p5 as QEMU models it. */
static const uint8_t pl011_id[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

void pl011_init(Pl011 *u)
{
    void (*tx)(void *, uint8_t) = u->tx;
    void *txo = u->tx_opaque;
    void (*irq)(void *, bool) = u->irq;
    void *irqo = u->irq_opaque;
    memset(u, 0, sizeof *u);
    u->tx = tx;
    u->tx_opaque = txo;
    u->irq = irq;
    u->irq_opaque = irqo;
    u->cr = 0x300; /* TXE | RXE */
    u->ifls = 0x12;
    u->ris = 0; /* the TX interrupt rises on each transmitted byte, as in QEMU */
}

bool pl011_irq_level(const Pl011 *u)
{
    return (u->ris & u->imsc) != 0;
}

static void update_irq(Pl011 *u)
{
    if (u->irq)
        u->irq(u->irq_opaque, pl011_irq_level(u));
}

bool pl011_can_receive(const Pl011 *u)
{
    return u->rx_count < PL011_FIFO;
}

void pl011_receive(Pl011 *u, uint8_t byte)
{
    if (!pl011_can_receive(u))
        return;
    u->rx[(u->rx_head + u->rx_count) % PL011_FIFO] = byte;
    u->rx_count++;
    u->ris |= INT_RX | INT_RT;
    update_irq(u);
}

static uint64_t pl011_read(void *opaque, uint64_t off, unsigned size)
{
    Pl011 *u = opaque;
    if (off >= 0xfe0 && off < 0x1000)
        return pl011_id[(off - 0xfe0) >> 2];
    switch (off) {
    case UARTDR: {
        if (!u->rx_count)
            return 0;
        uint8_t b = u->rx[u->rx_head];
        u->rx_head = (u->rx_head + 1) % PL011_FIFO;
        if (--u->rx_count == 0)
            u->ris &= ~(INT_RX | INT_RT);
        update_irq(u);
        return b;
    }
    case UARTRSR: return 0;
    case UARTFR:
        return FR_TXFE | (u->rx_count ? 0 : FR_RXFE) | (u->rx_count == PL011_FIFO ? FR_RXFF : 0);
    case UARTIBRD: return u->ibrd;
    case UARTFBRD: return u->fbrd;
    case UARTLCR_H: return u->lcr_h;
    case UARTCR: return u->cr;
    case UARTIFLS: return u->ifls;
    case UARTIMSC: return u->imsc;
    case UARTRIS: return u->ris;
    case UARTMIS: return u->ris & u->imsc;
    case UARTDMACR: return u->dmacr;
    default: return 0;
    }
}

static void pl011_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Pl011 *u = opaque;
    switch (off) {
    case UARTDR:
        if (u->tx)
            u->tx(u->tx_opaque, (uint8_t)val);
        u->ris |= INT_TX; /* bytes leave at once: the FIFO has room again */
        break;
    case UARTRSR: break;
    case UARTIBRD: u->ibrd = val & 0xffff; break;
    case UARTFBRD: u->fbrd = val & 0x3f; break;
    case UARTLCR_H: u->lcr_h = val & 0xff; break;
    case UARTCR: u->cr = val & 0xffff; break;
    case UARTIFLS: u->ifls = val & 0x3f; break;
    case UARTIMSC: u->imsc = val & 0x7ff; break;
    case UARTICR:
        u->ris &= ~(uint32_t)val;
        break;
    case UARTDMACR: u->dmacr = val & 7; break;
    default: break;
    }
    update_irq(u);
}

const MmioOps pl011_ops = {pl011_read, pl011_write};
