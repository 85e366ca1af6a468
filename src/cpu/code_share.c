#include "cpu/code_share.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "cpu/code_cache.h"
#include "cpu/insn.h"
#include "mmu/mmu.h"

#define MIN_BUCKETS 1024

CodeShare *code_share_new(uint64_t limit_bytes)
{
    CodeShare *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->limit_bytes = limit_bytes;
    s->limit = (limit_bytes + sizeof(DecodedPage) - 1) / sizeof(DecodedPage);
    s->nbuckets = MIN_BUCKETS;
    s->bucket = calloc(s->nbuckets, sizeof *s->bucket);
    if (!s->bucket) {
        free(s);
        return NULL;
    }
    s->refs = 1;
    return s;
}

bool code_share_hold(CodeShare *s, CodeCache *cc)
{
    CodeCache **c = realloc(s->cache, (s->ncaches + 1) * sizeof *c);
    if (!c)
        return false;
    s->cache = c;
    s->cache[s->ncaches++] = cc;
    s->refs++;
    return true;
}

void code_share_unhold(CodeShare *s, const CodeCache *cc)
{
    for (unsigned k = 0; k < s->ncaches; k++)
        if (s->cache[k] == cc) {
            s->cache[k] = s->cache[--s->ncaches];
            break;
        }
    code_share_release(s);
}

static void free_page(CodeShare *s, DecodedPage *p)
{
    free(p->user);
    free(p);
    s->stats.pages--;
}

void code_share_release(CodeShare *s)
{
    if (!s || --s->refs)
        return;
    code_share_collect(s);
    for (size_t b = 0; b < s->nbuckets; b++)
        for (DecodedPage *p = s->bucket[b], *next; p; p = next) {
            next = p->next;
            free_page(s, p);
        }
    free(s->bucket);
    free(s->cache);
    free(s);
}

uint64_t code_share_hash(const uint8_t *page)
{
    return XXH3_64bits(page, PAGE_SIZE);
}

static DecodedPage **bucket_of(CodeShare *s, uint64_t hash)
{
    return &s->bucket[hash & (s->nbuckets - 1)];
}

/* Keep chains short: double the buckets when there are more pages than them. */
static void grow(CodeShare *s)
{
    size_t n = s->nbuckets * 2;
    DecodedPage **b = calloc(n, sizeof *b);
    if (!b)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < s->nbuckets; i++)
        for (DecodedPage *p = s->bucket[i], *next; p; p = next) {
            next = p->next;
            p->next = b[p->hash & (n - 1)];
            b[p->hash & (n - 1)] = p;
        }
    free(s->bucket);
    s->bucket = b;
    s->nbuckets = n;
}

DecodedPage *code_share_find(CodeShare *s, uint64_t hash, const uint8_t *bytes)
{
    /* Indexed pages have users (the last one leaving unindexes the page). */
    for (DecodedPage *p = *bucket_of(s, hash); p; p = p->next) {
        if (p->hash != hash)
            continue;
        const uint8_t *theirs = code_cache_bytes(p->user[0].cc, p->user[0].gfn);
        if (theirs && memcmp(theirs, bytes, PAGE_SIZE) == 0)
            return p;
    }
    return NULL;
}

void code_share_reset_page(DecodedPage *p)
{
    for (unsigned i = 0; i < INSNS_PER_PAGE; i++)
        p->insn[i].fn = exec_decode_stub;
}

DecodedPage *code_share_create(CodeShare *s, uint64_t hash)
{
    DecodedPage *p = calloc(1, sizeof *p);
    if (!p) {
        fprintf(stderr, "tandem: out of host memory for decoded code\n");
        abort();
    }
    code_share_reset_page(p);
    p->insn[INSNS_PER_PAGE].fn = exec_next_page;
    p->hash = hash;
    if (++s->stats.pages > s->nbuckets)
        grow(s);
    DecodedPage **b = bucket_of(s, hash);
    p->next = *b;
    *b = p;
    if (s->stats.pages > s->stats.peak_pages)
        s->stats.peak_pages = s->stats.pages;
    return p;
}

void code_share_add_user(CodeShare *s, DecodedPage *p, CodeCache *cc, uint32_t gfn)
{
    if (p->nusers == p->cap) {
        uint32_t cap = p->cap ? p->cap * 2 : 2;
        CodeUser *u = realloc(p->user, cap * sizeof *u);
        if (!u) {
            fprintf(stderr, "tandem: out of host memory for decoded code\n");
            abort();
        }
        p->user = u;
        p->cap = cap;
    }
    p->user[p->nusers++] = (CodeUser){cc, gfn};
    s->stats.users++;
    s->stats.attaches++;
}

static void unlink_page(CodeShare *s, DecodedPage *p)
{
    for (DecodedPage **q = bucket_of(s, p->hash); *q; q = &(*q)->next)
        if (*q == p) {
            *q = p->next;
            return;
        }
}

void code_share_drop_user(CodeShare *s, DecodedPage *p, const CodeCache *cc, uint32_t gfn)
{
    for (uint32_t i = 0; i < p->nusers; i++)
        if (p->user[i].cc == cc && p->user[i].gfn == gfn) {
            p->user[i] = p->user[--p->nusers];
            s->stats.users--;
            break;
        }
    if (p->nusers)
        return;
    /* A vCPU may be executing in it: every entry sends it back to its own
     * code cache (exec_decode_stub) until the page is freed. */
    unlink_page(s, p);
    code_share_reset_page(p);
    p->next = s->retired;
    s->retired = p;
}

/* Detach every user of p (the clock chose it); it is then retired. */
static void evict(CodeShare *s, DecodedPage *p)
{
    p->evicting = true;
    while (p->nusers) {
        CodeUser u = p->user[p->nusers - 1];
        code_cache_forget(u.cc, u.gfn);
        code_share_drop_user(s, p, u.cc, u.gfn);
    }
    s->stats.evicted++;
}

/* The clock over the index: a page looked up since the last pass is spared
 * once; others go until an eighth of the limit is free again. */
static void trim(CodeShare *s)
{
    uint64_t target = s->limit - s->limit / 8;
    /* Pages reached through a code TLB are in use even if not looked up. */
    for (unsigned k = 0; k < s->ncaches; k++)
        mmu_code_tlb_harvest(s->cache[k]->cpu);
    for (size_t steps = 0; s->stats.pages > target && steps < 2 * s->nbuckets; steps++) {
        DecodedPage **q = &s->bucket[s->hand];
        while (*q && s->stats.pages > target) {
            DecodedPage *p = *q;
            if (p->referenced) {
                p->referenced = false;
                q = &p->next;
                continue;
            }
            evict(s, p); /* unlinks p: *q is now its successor */
        }
        s->hand = (s->hand + 1) & (s->nbuckets - 1);
    }
    /* The code TLBs may still name the chosen pages. */
    for (unsigned k = 0; k < s->ncaches; k++)
        mmu_code_tlb_forget_evicted(s->cache[k]->cpu);
}

void code_share_collect(CodeShare *s)
{
    if (s->limit && s->stats.pages > s->limit)
        trim(s);
    while (s->retired) {
        DecodedPage *p = s->retired;
        s->retired = p->next;
        free_page(s, p);
        s->stats.retired++;
    }
}

uint64_t code_share_bytes(const CodeShare *s)
{
    return s->stats.pages * sizeof(DecodedPage);
}
