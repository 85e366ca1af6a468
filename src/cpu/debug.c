/* Self-hosted debug as the Arm ARM specifies it for an ARMv8.0 core with no
 * EL2/EL3, and the host debugger's stops (see debug.h). */
#include "cpu/debug.h"

#include "cpu/exception.h"
#include "cpu/insn.h"
#include "mmu/mmu.h"

#define MDSCR_SS (1u << 0)
#define MDSCR_KDE (1u << 13)
#define MDSCR_MDE (1u << 15)
#define OSLSR_OSLK (1u << 1)

#define ISS_DEBUG_FSC 0x22 /* the fault status code every debug exception reports */
#define ISS_SS_ISV (1u << 24)
#define ISS_SS_EX (1u << 6)
#define ISS_WNR (1u << 6)

/* Breakpoint types (DBGBCR.BT) this core has. */
enum { BT_ADDR = 0, BT_ADDR_LINKED = 1, BT_CTX = 2, BT_CTX_LINKED = 3 };

static uint64_t field(uint64_t v, unsigned lo, unsigned width)
{
    return (v >> lo) & ((1ull << width) - 1);
}

static bool os_locked(const Cpu *c)
{
    return c->sr.oslsr & OSLSR_OSLK;
}

/* AArch64.GenerateDebugExceptionsFrom: from EL0 always, from EL1 with
 * MDSCR.KDE set and PSTATE.D clear; never while the OS lock is set. */
static bool enabled_from(const Cpu *c, unsigned el, bool d_masked)
{
    if (os_locked(c))
        return false;
    return el == 0 || ((c->sr.mdscr & MDSCR_KDE) && !d_masked);
}

static bool enabled_here(const Cpu *c)
{
    return enabled_from(c, c->el, c->daif & DAIF_D);
}

/* PMC/PAC: bit 0 allows EL1, bit 1 EL0. SSC 0b10 (Secure only) never
 * matches: this core runs Non-secure. */
static bool privilege_ok(uint64_t ctl, unsigned el)
{
    unsigned pxc = (unsigned)field(ctl, 1, 2), ssc = (unsigned)field(ctl, 14, 2);
    return ssc != 2 && (el ? pxc & 1 : pxc & 2);
}

static bool context_aware(unsigned n)
{
    return n >= DEBUG_BRPS - DEBUG_CTX_CMPS && n < DEBUG_BRPS;
}

static bool context_equal(const Cpu *c, unsigned n)
{
    return (uint32_t)c->sr.dbg.bvr[n] == (uint32_t)c->sr.contextidr;
}

/* The linked context breakpoint lbn of an address breakpoint or watchpoint. */
static bool linked_context(const Cpu *c, unsigned lbn)
{
    uint64_t bcr = lbn < DEBUG_BRPS ? c->sr.dbg.bcr[lbn] : 0;
    return context_aware(lbn) && (bcr & 1) && field(bcr, 20, 4) == BT_CTX_LINKED && context_equal(c, lbn);
}

static bool address_equal(const Cpu *c, unsigned n, uint64_t pc)
{
    uint64_t bvr = c->sr.dbg.bvr[n];
    if (!field(c->sr.dbg.bcr[n], 5, 4)) /* BAS 0: matches no instruction */
        return false;
    return ((uint64_t)sext(bvr, 49) & ~3ull) == pc;
}

static bool breakpoint_hits(const Cpu *c, unsigned n, uint64_t pc)
{
    uint64_t bcr = c->sr.dbg.bcr[n];
    if (!(bcr & 1) || !privilege_ok(bcr, c->el))
        return false;
    switch (field(bcr, 20, 4)) {
    case BT_ADDR: return address_equal(c, n, pc);
    case BT_ADDR_LINKED: return address_equal(c, n, pc) && linked_context(c, (unsigned)field(bcr, 16, 4));
    case BT_CTX: return context_aware(n) && context_equal(c, n);
    default: return false; /* a link target only, or a type this core lacks */
    }
}

/* The bytes watchpoint n watches: [*lo, *hi) and, within 8 bytes, which (bas). */
static bool watched_range(const Cpu *c, unsigned n, uint64_t *lo, uint64_t *hi, unsigned *bas)
{
    uint64_t wcr = c->sr.dbg.wcr[n], wvr = c->sr.dbg.wvr[n];
    unsigned mask = (unsigned)field(wcr, 24, 5);
    if (mask) {
        if (mask < 3) /* reserved sizes */
            return false;
        *lo = wvr & ~((1ull << mask) - 1);
        *hi = *lo + (1ull << mask);
        *bas = 0xff;
        return true;
    }
    *bas = (unsigned)field(wcr, 5, 8);
    if (wvr & 4) { /* word-aligned: only BAS[3:0] count */
        *bas &= 0xf;
        *lo = wvr & ~3ull;
    } else {
        *lo = wvr & ~7ull;
    }
    *hi = *lo + 8;
    return *bas != 0;
}

/* The first watched byte of [va, va + size) for watchpoint n, if any. */
static bool watch_hits(const Cpu *c, unsigned n, uint64_t va, unsigned size, bool write, unsigned el, uint64_t *hit)
{
    uint64_t wcr = c->sr.dbg.wcr[n], lo, hi;
    unsigned bas;
    if (!(wcr & 1) || !privilege_ok(wcr, el) || !(field(wcr, 3, 2) & (write ? 2 : 1)))
        return false;
    if (field(wcr, 20, 1) && !linked_context(c, (unsigned)field(wcr, 16, 4)))
        return false;
    if (!watched_range(c, n, &lo, &hi, &bas) || va >= hi || va + size <= lo)
        return false;
    if (field(wcr, 24, 5)) {
        *hit = va > lo ? va : lo;
        return true;
    }
    for (uint64_t a = va > lo ? va : lo; a < hi && a < va + size; a++)
        if ((bas >> (a - lo)) & 1) {
            *hit = a;
            return true;
        }
    return false;
}

static bool any_enabled(const uint64_t *ctl, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (ctl[i] & 1)
            return true;
    return false;
}

void debug_update(Cpu *c)
{
    const HostDebug *h = &c->hdbg;
    bool guest = !os_locked(c), mde = c->sr.mdscr & MDSCR_MDE;
    bool guest_bp = guest && mde && any_enabled(c->sr.dbg.bcr, DEBUG_BRPS);
    bool guest_wp = guest && mde && any_enabled(c->sr.dbg.wcr, DEBUG_WRPS);
    bool guest_step = guest && (c->sr.mdscr & MDSCR_SS);
    c->debug_on = h->nbp || h->step || guest_bp || guest_step;
    bool watch = h->nwp || guest_wp;
    /* Pages a watchpoint now covers may have soft-TLB entries: drop them all. */
    if (watch || c->watch_on)
        mmu_flush_data_tlbs(c);
    c->watch_on = watch;
}

bool debug_boundary(Cpu *c)
{
    HostDebug *h = &c->hdbg;
    uint64_t pc = c->pc;
    if (h->step && h->executed) {
        h->stop = HOST_STOP_STEP;
        return true;
    }
    bool skip = h->skip && h->skip_pc == pc;
    h->skip = false;
    for (unsigned i = 0; i < h->nbp && !skip; i++)
        if (h->bp[i] == pc) {
            h->stop = HOST_STOP_BREAKPOINT;
            return true;
        }
    if (!enabled_here(c))
        return false;
    /* Software step, active-pending: the stepped instruction is done. */
    if ((c->sr.mdscr & MDSCR_SS) && !c->ss) {
        uint32_t iss = ISS_DEBUG_FSC | (c->ss_isv ? ISS_SS_ISV | (c->ss_ex ? ISS_SS_EX : 0) : 0);
        raise_at_boundary(c, ESR(c->el ? EC_SOFTSTEP_SAME : EC_SOFTSTEP_LOWER, iss), c->sr.far, pc);
    }
    if (!(c->sr.mdscr & MDSCR_MDE))
        return false;
    for (unsigned n = 0; n < DEBUG_BRPS; n++)
        if (breakpoint_hits(c, n, pc)) /* FAR is UNKNOWN: zero, as QEMU leaves it */
            raise_at_boundary(c, ESR(c->el ? EC_BREAKPOINT_SAME : EC_BREAKPOINT_LOWER, ISS_DEBUG_FSC), 0, pc);
    return false;
}

/* LDXR, LDAXR, LDXP, LDAXP: the step syndrome's EX bit. */
static bool load_exclusive(uint32_t raw)
{
    return (raw & 0x3fc00000u) == 0x08400000u;
}

void debug_after_insn(Cpu *c)
{
    c->hdbg.executed = true;
    if (c->eret_done) { /* ERET wrote PSTATE.SS itself */
        c->eret_done = false;
        return;
    }
    /* SSAdvance: active-not-pending becomes active-pending. */
    if ((c->sr.mdscr & MDSCR_SS) && c->ss) {
        c->ss = 0;
        c->ss_isv = true;
        c->ss_ex = load_exclusive(c->cur->raw);
    }
}

void debug_after_eret(Cpu *c)
{
    if (!((c->sr.mdscr & MDSCR_SS) && enabled_from(c, c->el, c->daif & DAIF_D)))
        c->ss = 0;
    c->ss_isv = false; /* a step exception now steps no instruction */
    c->eret_done = c->debug_on;
}

void debug_watch(Cpu *c, uint64_t va, unsigned size, bool write, bool unpriv)
{
    HostDebug *h = &c->hdbg;
    for (unsigned i = 0; i < h->nwp && h->stop == HOST_STOP_NONE; i++) {
        uint64_t lo = h->wp[i].addr, hi = lo + h->wp[i].len;
        unsigned kind = write ? HOST_WP_WRITE : HOST_WP_READ;
        if ((h->wp[i].kind & kind) && va < hi && va + size > lo) {
            /* Stop once the instruction is done, as QEMU's stub does. */
            h->stop = HOST_STOP_WATCH;
            h->watch_addr = va > lo ? va : lo;
            h->watch_kind = h->wp[i].kind;
            c->exit_reason = CPU_EXIT_DEBUG;
            cpu_request_stop(c);
        }
    }
    if (!(c->sr.mdscr & MDSCR_MDE) || !enabled_here(c))
        return;
    unsigned el = unpriv ? 0 : c->el;
    uint64_t hit;
    for (unsigned n = 0; n < DEBUG_WRPS; n++)
        if (watch_hits(c, n, va, size, write, el, &hit))
            raise_sync(c, ESR(c->el ? EC_WATCHPOINT_SAME : EC_WATCHPOINT_LOWER, ISS_DEBUG_FSC | (write ? ISS_WNR : 0)),
                       hit, insn_pc(c, c->cur));
}

bool debug_page_watched(const Cpu *c, uint64_t page)
{
    uint64_t end = page + PAGE_SIZE;
    const HostDebug *h = &c->hdbg;
    for (unsigned i = 0; i < h->nwp; i++)
        if (h->wp[i].addr < end && h->wp[i].addr + h->wp[i].len > page)
            return true;
    for (unsigned n = 0; n < DEBUG_WRPS; n++) {
        uint64_t lo, hi;
        unsigned bas;
        if ((c->sr.dbg.wcr[n] & 1) && watched_range(c, n, &lo, &hi, &bas) && lo < end && hi > page)
            return true;
    }
    return false;
}

/* ---- the registers: op0=2 op1=0 CRn=0 CRm=n op2=4..7 ---- */

enum { DBG_BVR, DBG_BCR, DBG_WVR, DBG_WCR };
#define BCR_FIELDS 0x00ffe1e7ull /* BT LBN SSC HMC BAS PMC E */
#define WCR_FIELDS 0x1f1fffffull /* MASK WT LBN SSC HMC BAS LSC PAC E */

static bool debug_key(uint32_t key, unsigned *kind, unsigned *n)
{
    if ((key >> 14) != 2 || ((key >> 11) & 7) || ((key >> 7) & 15) || (key & 7) < 4)
        return false;
    *kind = (key & 7) - 4;
    *n = (key >> 3) & 15;
    return true;
}

bool debug_sysreg_missing(uint32_t key)
{
    unsigned kind, n;
    return debug_key(key, &kind, &n) && n >= (kind <= DBG_BCR ? DEBUG_BRPS : DEBUG_WRPS);
}

bool debug_sysreg_read(const Cpu *c, uint32_t key, uint64_t *v)
{
    unsigned kind, n;
    if (!debug_key(key, &kind, &n) || debug_sysreg_missing(key))
        return false;
    const DebugRegs *d = &c->sr.dbg;
    const uint64_t *regs[] = {d->bvr, d->bcr, d->wvr, d->wcr};
    *v = regs[kind][n];
    return true;
}

int debug_sysreg_write(Cpu *c, uint32_t key, uint64_t v)
{
    unsigned kind, n;
    if (!debug_key(key, &kind, &n) || debug_sysreg_missing(key))
        return 0;
    DebugRegs *d = &c->sr.dbg;
    switch (kind) {
    case DBG_BVR: d->bvr[n] = v; break; /* an address, or a context ID in bits 31:0 */
    case DBG_BCR: d->bcr[n] = v & BCR_FIELDS; break;
    case DBG_WVR: d->wvr[n] = v & ~3ull; break;
    default: d->wcr[n] = v & WCR_FIELDS; break;
    }
    debug_update(c);
    return 1;
}

/* ---- the host debugger ---- */

bool debug_host_bp(Cpu *c, uint64_t addr, bool insert)
{
    HostDebug *h = &c->hdbg;
    for (unsigned i = 0; i < h->nbp; i++)
        if (h->bp[i] == addr) {
            if (!insert)
                h->bp[i] = h->bp[--h->nbp];
            debug_update(c);
            return true;
        }
    if (!insert || h->nbp == HOST_BP_MAX)
        return false;
    h->bp[h->nbp++] = addr;
    debug_update(c);
    return true;
}

bool debug_host_wp(Cpu *c, uint64_t addr, uint64_t len, unsigned kind, bool insert)
{
    HostDebug *h = &c->hdbg;
    for (unsigned i = 0; i < h->nwp; i++)
        if (h->wp[i].addr == addr && h->wp[i].len == len && h->wp[i].kind == kind) {
            if (!insert) {
                h->wp[i] = h->wp[--h->nwp];
                debug_update(c);
            }
            return true;
        }
    if (!insert || h->nwp == HOST_WP_MAX || !len)
        return false;
    h->wp[h->nwp].addr = addr;
    h->wp[h->nwp].len = len;
    h->wp[h->nwp].kind = kind;
    h->nwp++;
    debug_update(c);
    return true;
}

void debug_host_clear(Cpu *c)
{
    c->hdbg = (HostDebug){0};
    debug_update(c);
}

void debug_host_resume(Cpu *c, bool step)
{
    HostDebug *h = &c->hdbg;
    h->step = step;
    h->executed = false;
    h->stop = HOST_STOP_NONE;
    h->skip = true; /* a breakpoint where the debugger stopped does not stop it again at once */
    h->skip_pc = c->pc;
    debug_update(c);
}
