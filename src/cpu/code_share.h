/* Decoded pages kept by content, so that every page of code with the same
 * bytes — in one VM or, with `--share all`, in every VM of the machine — is
 * decoded once and held once.
 *
 * Decoding depends on the raw words alone (insn.h), so one DecodedPage serves
 * every guest page that holds those words. A page's users are the (vCPU, gfn)
 * pairs attached to it; each user's page is write-protected and any write or
 * page-state change detaches that user first, so every user's page holds the
 * bytes the DecodedPage was looked up with (its hash stays true). A page with
 * no user left is retired: a vCPU may still be executing in it, so it is
 * freed at the next safe point (code_share_collect, before a run starts). */
#ifndef TANDEM_CODE_SHARE_H
#define TANDEM_CODE_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct DecodedPage;
struct CodeCache;

typedef struct CodeShareStats {
    uint64_t pages, peak_pages; /* DecodedPages allocated now, and at most */
    uint64_t users;             /* (vCPU, page) attachments now */
    uint64_t attaches, matched; /* attachments made; of them, to a page already decoded */
    uint64_t retired;           /* pages freed after their last user left */
    uint64_t evicted;           /* of them, pages the clock took to keep within the limit */
} CodeShareStats;

typedef struct CodeShare {
    struct DecodedPage **bucket; /* by content hash; chained through DecodedPage.next */
    size_t nbuckets;
    struct DecodedPage *retired; /* no users; freed by code_share_collect */
    unsigned refs;               /* holders: its creator and each CodeCache */
    struct CodeCache **cache;    /* the CodeCaches holding it */
    unsigned ncaches;
    uint64_t limit;              /* pages kept at most (0: no limit) */
    uint64_t limit_bytes;        /* as asked for */
    size_t hand;                 /* the clock's bucket */
    CodeShareStats stats;
} CodeShare;

/* A new, empty share held once by the caller, keeping at most `limit_bytes`
 * of decoded pages (0: no limit); NULL without host memory. */
CodeShare *code_share_new(uint64_t limit_bytes);
/* Drop one hold; the last frees every page (no vCPU may be running). */
void code_share_release(CodeShare *s);
/* A vCPU's code cache holds s / lets go of it (false: no host memory). */
bool code_share_hold(CodeShare *s, struct CodeCache *cc);
void code_share_unhold(CodeShare *s, const struct CodeCache *cc);

/* The page decoded from `bytes` (a guest page, hash `hash`), equal byte for
 * byte to a user's page, or NULL. */
struct DecodedPage *code_share_find(CodeShare *s, uint64_t hash, const uint8_t *bytes);
/* A fresh page of stubs, indexed under `hash`; aborts without host memory
 * (a vCPU cannot run without its decoded code). */
struct DecodedPage *code_share_create(CodeShare *s, uint64_t hash);
/* Users come and go; a page whose last user left is retired. */
void code_share_add_user(CodeShare *s, struct DecodedPage *p, struct CodeCache *cc, uint32_t gfn);
void code_share_drop_user(CodeShare *s, struct DecodedPage *p, const struct CodeCache *cc, uint32_t gfn);
/* Every entry back to the decode stub. */
void code_share_reset_page(struct DecodedPage *p);
/* Free the retired pages, and over the limit the pages the clock finds
 * unused since it last passed: call only where no vCPU is executing. */
void code_share_collect(CodeShare *s);

/* Host bytes held by decoded pages now. */
uint64_t code_share_bytes(const CodeShare *s);

/* The hash a page of code is looked up by. */
uint64_t code_share_hash(const uint8_t *page);

#endif
