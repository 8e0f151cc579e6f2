/*
 * mm.c - physical pages, per-process page tables (walked by the TLB refill handler),
 * demand paging (zero fill, execcore_resolve_fault, copy on write) and user copies.
 */
#include "kernel.h"

uint32_t *cur_pgd;
uint32_t cur_kstack_top;
uint32_t tlb_refills;
uint32_t free_pages, reserved_pages, total_pages;
uint32_t lazy_faults;

#define MAX_PAGES 65536u /* 256 MiB of kseg0 */
#define REF_PINNED 0x8000u
static uint16_t page_ref[MAX_PAGES];
static uint32_t free_head; /* physical address of the first free page, 0 for none */
static uint32_t *empty_pt; /* the page table every empty directory slot points at */
static uint32_t *empty_pgd;

static void page_push(uint32_t pa)
{
    *(uint32_t *)KSEG0(pa) = free_head;
    free_head = pa;
    free_pages++;
}

void mm_init(uint32_t lo, uint32_t hi, uint32_t rd_lo, uint32_t rd_hi)
{
    for (uint32_t pa = hi - PAGE_SIZE; pa >= lo; pa -= PAGE_SIZE) {
        if (pa >= rd_lo && pa < rd_hi)
            page_ref[pa >> 12] = REF_PINNED;
        else
            page_push(pa);
    }
    total_pages = free_pages;
    empty_pt = page_alloc();
    empty_pgd = page_alloc();
    if (!empty_pt || !empty_pgd)
        panic("no memory for page tables");
    for (int i = 0; i < 1024; i++)
        empty_pgd[i] = (uint32_t)empty_pt;
    cur_pgd = empty_pgd;
}

uint32_t *empty_pgd_for_exit(void)
{
    return empty_pgd;
}

void *page_alloc(void)
{
    if (!free_head)
        return 0;
    uint32_t pa = free_head;
    free_head = *(uint32_t *)KSEG0(pa);
    free_pages--;
    page_ref[pa >> 12] = 1;
    zero_page(KSEG0(pa));
    return KSEG0(pa);
}

void page_ref_inc(uint32_t pfn)
{
    if (!(page_ref[pfn] & REF_PINNED))
        page_ref[pfn]++;
}

void page_deref(uint32_t pfn)
{
    if (page_ref[pfn] & REF_PINNED)
        return;
    if (page_ref[pfn] == 0)
        panic("page freed twice");
    if (--page_ref[pfn] == 0)
        page_push(pfn << 12);
}

int page_shared(uint32_t pfn)
{
    return (page_ref[pfn] & REF_PINNED) || page_ref[pfn] > 1;
}

/* ---- TLB ----------------------------------------------------------------------------- */
void tlb_flush_all(void)
{
    uint32_t hi = mfc0(10, 0);
    for (uint32_t i = 0; i < cpu_ntlb; i++) {
        /* Distinct unmapped-region VPNs so no two entries match the same address. */
        mtc0(10, 0, 0x80000000u + i * 0x2000u);
        mtc0(2, 0, 0);
        mtc0(3, 0, 0);
        mtc0(0, 0, i);
        __asm__ volatile("tlbwi\n\tehb");
    }
    mtc0(10, 0, hi);
}

/* Rewrites the TLB entry for va's page pair (if any) from the current page table. */
void tlb_update(uint32_t va, uint32_t asid)
{
    uint32_t hi = mfc0(10, 0);
    mtc0(10, 0, (va & ~0x1fffu) | asid);
    __asm__ volatile("tlbp\n\tehb");
    int32_t idx = (int32_t)mfc0(0, 0);
    if (idx >= 0) {
        uint32_t *pt = (uint32_t *)cur_pgd[va >> 22];
        uint32_t i = (va >> 12) & 0x3fe;
        mtc0(2, 0, pt[i] & PTE_HW);
        mtc0(3, 0, pt[i + 1] & PTE_HW);
        __asm__ volatile("tlbwi\n\tehb");
    }
    mtc0(10, 0, hi);
}

/* ---- page tables ---------------------------------------------------------------------- */
int mm_create(struct mm *mm)
{
    memset(mm, 0, sizeof *mm);
    mm->pgd = page_alloc();
    if (!mm->pgd)
        return -ENOMEM;
    for (int i = 0; i < 1024; i++)
        mm->pgd[i] = (uint32_t)empty_pt;
    return 0;
}

uint32_t *pte_get(struct mm *mm, uint32_t va, int create)
{
    if (va >= USER_TOP)
        return 0;
    uint32_t *pde = &mm->pgd[va >> 22];
    if (*pde == (uint32_t)empty_pt) {
        if (!create)
            return 0;
        uint32_t *pt = page_alloc();
        if (!pt)
            return 0;
        *pde = (uint32_t)pt;
    }
    return (uint32_t *)*pde + ((va >> 12) & 1023);
}

static void pte_clear(uint32_t *pte)
{
    if (*pte & PTE_PRESENT)
        page_deref(PTE_PFN(*pte));
    *pte = 0;
}

void mm_destroy(struct mm *mm)
{
    if (!mm->pgd)
        return;
    for (int i = 0; i < 512; i++) {
        uint32_t *pt = (uint32_t *)mm->pgd[i];
        if (pt == empty_pt)
            continue;
        for (int j = 0; j < 1024; j++)
            pte_clear(&pt[j]);
        page_deref(PADDR(pt) >> 12);
    }
    page_deref(PADDR(mm->pgd) >> 12);
    mm->pgd = 0;
}

uint32_t prot_to_pte(uint32_t prot)
{
    return (prot & EXECCORE_PROT_READ ? PTE_R : 0) | (prot & EXECCORE_PROT_WRITE ? PTE_W : 0) |
           (prot & EXECCORE_PROT_EXEC ? PTE_X : 0);
}

/* A present entry: valid when any access is allowed; dirty (writable in the TLB) only
   when writable and not shared (shared pages are copied on the first write). */
uint32_t pte_make(uint32_t pfn, uint32_t protbits)
{
    uint32_t e = (pfn << PTE_PFN_SHIFT) | PTE_PRESENT | protbits;
    if (protbits & PTE_PROT)
        e |= PTE_V | PTE_C;
    if ((protbits & PTE_W) && !page_shared(pfn))
        e |= PTE_D;
    return e;
}

/* Copy on write: every present page shared, dirty bits cleared in both. */
int mm_fork(struct mm *dst, struct mm *src)
{
    if (mm_create(dst))
        return -ENOMEM;
    dst->brk_start = src->brk_start;
    dst->brk = src->brk;
    dst->mmap_lo = src->mmap_lo;
    dst->mmap_hi = src->mmap_hi;
    for (int i = 0; i < 512; i++) {
        uint32_t *spt = (uint32_t *)src->pgd[i];
        if (spt == empty_pt)
            continue;
        uint32_t *dpt = page_alloc();
        if (!dpt) {
            mm_destroy(dst);
            return -ENOMEM;
        }
        dst->pgd[i] = (uint32_t)dpt;
        for (int j = 0; j < 1024; j++) {
            uint32_t e = spt[j];
            if (e & PTE_PRESENT) {
                page_ref_inc(PTE_PFN(e));
                e &= ~PTE_D;
                spt[j] = e;
            }
            dpt[j] = e;
        }
    }
    tlb_flush_all();
    return 0;
}

/* Makes the page at va present and accessible for `acc`; returns its kseg0 address, or
   NULL with *sig set (SIGSEGV: no access, SIGKILL: out of memory). */
uint8_t *mm_page(struct mm *mm, uint32_t va, int acc, int *sig)
{
    uint32_t *pte = pte_get(mm, va, 0);
    int write = acc & ACC_WRITE, force = acc & ACC_FORCE;
    *sig = SIGSEGV;
    if (!pte || !*pte)
        return 0;
    uint32_t e = *pte;
    if (!force && !(e & (write ? PTE_W : PTE_PROT)))
        return 0;
    if (!(e & PTE_PRESENT)) {
        uint8_t *pg = page_alloc();
        if (!pg) {
            *sig = SIGKILL;
            return 0;
        }
        if (e & PTE_LAZY) {
            execcore_page_fill fill;
            if (!mm->plan || execcore_resolve_fault(mm->plan, va, &fill) != EXECCORE_OK) {
                page_deref(PADDR(pg) >> 12);
                return 0;
            }
            int f = (int)fill.file - 1;
            for (uint32_t i = 0; i < fill.npieces && i < 4; i++) {
                uint64_t end = fill.file_offset[i] + fill.len[i];
                if (f < 0 || f >= rd_count || end > rd[f].size ||
                    fill.page_offset[i] + fill.len[i] > PAGE_SIZE) {
                    page_deref(PADDR(pg) >> 12);
                    return 0;
                }
                kmemcpy(pg + (uint32_t)fill.page_offset[i], rd[f].data + (uint32_t)fill.file_offset[i],
                       (uint32_t)fill.len[i]);
            }
            lazy_faults++;
            if (cur)
                cur->faults++;
        }
        e = pte_make(PADDR(pg) >> 12, e & PTE_PROT);
        *pte = e;
    }
    if (write && !(e & PTE_D)) {
        uint32_t pfn = PTE_PFN(e);
        if (page_shared(pfn)) {
            uint8_t *pg = page_alloc();
            if (!pg) {
                *sig = SIGKILL;
                return 0;
            }
            kmemcpy(pg, KSEG0(pfn << 12), PAGE_SIZE);
            page_deref(pfn);
            pfn = PADDR(pg) >> 12;
            e = pte_make(pfn, e & PTE_PROT);
            /* A forced write into a read-only page leaves it read-only, now private. */
        } else if (e & PTE_W) {
            e |= PTE_D;
        }
        *pte = e;
    }
    *sig = 0;
    return KSEG0(PTE_PFN(e) << 12);
}

/* A TLB exception from user mode: 0 when the access may be retried, else a signal. */
int mm_fault(struct mm *mm, uint32_t va, int write)
{
    int sig;
    if (!mm_page(mm, va, write ? ACC_WRITE : ACC_READ, &sig))
        return sig;
    tlb_update(va, 0);
    return 0;
}

int copy_to_user(struct mm *mm, uint32_t va, const void *src, uint32_t len, int force)
{
    const uint8_t *s = src;
    while (len) {
        int sig;
        uint8_t *pg = mm_page(mm, va, ACC_WRITE | (force ? ACC_FORCE : 0), &sig);
        if (!pg)
            return -EFAULT;
        uint32_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        if (n > len)
            n = len;
        kmemcpy(pg + (va & (PAGE_SIZE - 1)), s, n);
        s += n, va += n, len -= n;
    }
    return 0;
}

int copy_from_user(struct mm *mm, void *dst, uint32_t va, uint32_t len)
{
    uint8_t *d = dst;
    while (len) {
        int sig;
        uint8_t *pg = mm_page(mm, va, ACC_READ, &sig);
        if (!pg)
            return -EFAULT;
        uint32_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        if (n > len)
            n = len;
        kmemcpy(d, pg + (va & (PAGE_SIZE - 1)), n);
        d += n, va += n, len -= n;
    }
    return 0;
}

/* Copies a NUL-terminated string; its length, -EFAULT, or -ENAMETOOLONG. */
int strncpy_from_user(struct mm *mm, char *dst, uint32_t va, uint32_t cap)
{
    for (uint32_t i = 0; i < cap; i++) {
        if (copy_from_user(mm, &dst[i], va + i, 1))
            return -EFAULT;
        if (!dst[i])
            return (int)i;
    }
    return -ENAMETOOLONG;
}

/* ---- ranges ------------------------------------------------------------------------- */
static int range_ok(uint32_t start, uint32_t len)
{
    return !(start & (PAGE_SIZE - 1)) && start < USER_TOP && len <= USER_TOP - start;
}

void mm_unmap(struct mm *mm, uint32_t start, uint32_t len)
{
    for (uint32_t va = start; va - start < len; va += PAGE_SIZE) {
        uint32_t *pte = pte_get(mm, va, 0);
        if (pte)
            pte_clear(pte);
    }
    if (mm->pgd == cur_pgd)
        tlb_flush_all();
}

/* Zero-filled on first touch (or now, in eager modes, by the caller touching it). */
int mm_map_zero(struct mm *mm, uint32_t start, uint32_t len, uint32_t protbits)
{
    if (!range_ok(start, len))
        return -EINVAL;
    for (uint32_t va = start; va - start < len; va += PAGE_SIZE) {
        uint32_t *pte = pte_get(mm, va, 1);
        if (!pte)
            return -ENOMEM;
        pte_clear(pte);
        *pte = PTE_ZERO | protbits;
    }
    if (mm->pgd == cur_pgd)
        tlb_flush_all();
    return 0;
}

/* A private file mapping from the initramfs: read-only pages wholly inside the file are
   the initramfs pages themselves (shared, copied on a write); the others are copies. */
int mm_map_file(struct mm *mm, uint32_t start, uint32_t len, int file, uint32_t off,
                uint32_t protbits, uint32_t *copied)
{
    if (!range_ok(start, len) || file < 0 || file >= rd_count)
        return -EINVAL;
    const struct rdent *f = &rd[file];
    for (uint32_t i = 0; i < len; i += PAGE_SIZE) {
        uint32_t *pte = pte_get(mm, start + i, 1);
        if (!pte)
            return -ENOMEM;
        pte_clear(pte);
        uint32_t fo = off + i;
        const uint8_t *src = f->data + fo;
        if (!(protbits & PTE_W) && fo < f->size && f->size - fo >= PAGE_SIZE &&
            !((uint32_t)src & (PAGE_SIZE - 1))) {
            *pte = pte_make(PADDR(src) >> 12, protbits);
            continue;
        }
        uint8_t *pg = page_alloc();
        if (!pg)
            return -ENOMEM;
        if (fo < f->size)
            kmemcpy(pg, src, f->size - fo < PAGE_SIZE ? f->size - fo : PAGE_SIZE);
        *pte = pte_make(PADDR(pg) >> 12, protbits);
        if (copied)
            (*copied)++;
    }
    if (mm->pgd == cur_pgd)
        tlb_flush_all();
    return 0;
}

void mm_protect(struct mm *mm, uint32_t start, uint32_t len, uint32_t protbits)
{
    for (uint32_t va = start; va - start < len; va += PAGE_SIZE) {
        uint32_t *pte = pte_get(mm, va, 0);
        if (!pte || !*pte)
            continue;
        uint32_t e = *pte;
        if (e & PTE_PRESENT)
            *pte = pte_make(PTE_PFN(e), protbits);
        else
            *pte = (e & ~PTE_PROT) | protbits;
    }
    if (mm->pgd == cur_pgd)
        tlb_flush_all();
}

int mm_range_free(struct mm *mm, uint32_t start, uint32_t len)
{
    if (!range_ok(start, len))
        return 0;
    for (uint32_t va = start; va - start < len; va += PAGE_SIZE) {
        uint32_t *pte = pte_get(mm, va, 0);
        if (pte && *pte)
            return 0;
    }
    return 1;
}

/* Top-down first fit in the mmap area; 0 when nothing fits. */
uint32_t mm_find_free(struct mm *mm, uint32_t len)
{
    if (!len || len > mm->mmap_hi - mm->mmap_lo)
        return 0;
    uint32_t top = mm->mmap_hi;
    while (top - mm->mmap_lo >= len) {
        uint32_t va = top - PAGE_SIZE, ok = 1;
        /* Scan down from top until len free bytes or a used page. */
        for (uint32_t n = 0; n < len; n += PAGE_SIZE, va -= PAGE_SIZE) {
            uint32_t *pte = pte_get(mm, va, 0);
            if (pte && *pte) {
                top = va;
                ok = 0;
                break;
            }
        }
        if (ok)
            return top - len;
    }
    return 0;
}

void sync_icache_range(struct mm *mm, uint32_t start, uint32_t len)
{
    uint32_t line = cpu_dline < cpu_iline ? cpu_dline : cpu_iline;
    if (!line)
        return;
    for (uint32_t va = start & PAGE_MASK; va - (start & PAGE_MASK) < len + (start & ~PAGE_MASK);
         va += PAGE_SIZE) {
        uint32_t *pte = pte_get(mm, va, 0);
        /* Initramfs pages mapped as they are were never written through the cache. */
        if (!pte || !(*pte & PTE_PRESENT) || (page_ref[PTE_PFN(*pte)] & REF_PINNED))
            continue;
        cache_flush_page((uint32_t)KSEG0(PTE_PFN(*pte) << 12), line);
    }
}
