/* PSCI firmware calls (through HVC, as on QEMU's virt board without EL2/EL3). */
#ifndef TANDEM_PSCI_H
#define TANDEM_PSCI_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"

typedef enum PsciEvent { PSCI_EV_NONE, PSCI_EV_OFF, PSCI_EV_RESET } PsciEvent;

/* Handle the call in x0..x3, result in x0. Returns what the board must do. */
PsciEvent psci_call(Cpu *c);

#endif
