#include "machine/psci.h"

enum {
    PSCI_VERSION = 0x84000000u,
    PSCI_CPU_SUSPEND = 0xc4000001u,
    PSCI_CPU_OFF = 0x84000002u,
    PSCI_CPU_ON = 0xc4000003u,
    PSCI_AFFINITY_INFO = 0xc4000004u,
    PSCI_MIGRATE_INFO_TYPE = 0x84000006u,
    PSCI_SYSTEM_OFF = 0x84000008u,
    PSCI_SYSTEM_RESET = 0x84000009u,
    PSCI_FEATURES = 0x8400000au,
};
enum { PSCI_SUCCESS = 0, PSCI_NOT_SUPPORTED = -1, PSCI_INVALID_PARAMS = -2, PSCI_ALREADY_ON = -4 };

static bool implemented(uint32_t fn)
{
    switch (fn) {
    case PSCI_VERSION: case PSCI_CPU_SUSPEND: case PSCI_CPU_SUSPEND & ~0x40000000u:
    case PSCI_CPU_OFF: case PSCI_CPU_ON: case PSCI_CPU_ON & ~0x40000000u:
    case PSCI_AFFINITY_INFO: case PSCI_AFFINITY_INFO & ~0x40000000u:
    case PSCI_MIGRATE_INFO_TYPE: case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET: case PSCI_FEATURES:
        return true;
    default:
        return false;
    }
}

PsciEvent psci_call(Cpu *c)
{
    uint32_t fn = (uint32_t)c->x[0];
    int64_t ret = PSCI_NOT_SUPPORTED;
    PsciEvent ev = PSCI_EV_NONE;
    switch (fn | 0x40000000u) { /* SMC32 and SMC64 forms alike */
    case PSCI_VERSION | 0x40000000u: ret = 0x10001; break; /* PSCI 1.1, as QEMU's virt firmware reports */
    case PSCI_CPU_SUSPEND:
        c->halted = true; /* a standby state: wake on the next interrupt */
        ret = PSCI_SUCCESS;
        break;
    case PSCI_CPU_OFF | 0x40000000u: ev = PSCI_EV_OFF; ret = PSCI_SUCCESS; break; /* the only CPU */
    case PSCI_CPU_ON: ret = c->x[1] == 0 ? PSCI_ALREADY_ON : PSCI_INVALID_PARAMS; break;
    case PSCI_AFFINITY_INFO: ret = c->x[1] == 0 ? 0 /* ON */ : PSCI_INVALID_PARAMS; break;
    case PSCI_MIGRATE_INFO_TYPE | 0x40000000u: ret = 2; break; /* no trusted OS */
    case PSCI_SYSTEM_OFF | 0x40000000u: ev = PSCI_EV_OFF; ret = PSCI_SUCCESS; break;
    case PSCI_SYSTEM_RESET | 0x40000000u: ev = PSCI_EV_RESET; ret = PSCI_SUCCESS; break;
    case PSCI_FEATURES | 0x40000000u:
        ret = implemented((uint32_t)c->x[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
        break;
    default: break;
    }
    c->x[0] = (uint64_t)ret;
    return ev;
}
