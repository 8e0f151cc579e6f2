/*
 * fs.c - the read-only file system from the initramfs (cpio newc), open files, pipes.
 */
#include "kernel.h"

#define MAX_RD 1024
struct rdent rd[MAX_RD];
int rd_count;

static uint32_t hex8(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        uint8_t c = p[i];
        v = (v << 4) | (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* cpio newc: "070701", 13 eight-digit hex fields, the name (namesize bytes, NUL
   included), data; name and data each padded to 4 bytes. The packer pads names so
   that file data starts on a page boundary (mapped mode shares those pages). */
void rd_init(const uint8_t *base, uint32_t size)
{
    uint32_t pos = 0;
    while (pos + 110 <= size && rd_count < MAX_RD) {
        const uint8_t *h = base + pos;
        if (memcmp(h, "070701", 6))
            panic("initramfs: bad cpio header");
        uint32_t mode = hex8(h + 14), fsize = hex8(h + 54), nsize = hex8(h + 94);
        const char *name = (const char *)h + 110;
        uint32_t data = (pos + 110 + nsize + 3) & ~3u;
        if (nsize == 0 || data > size || fsize > size - data)
            panic("initramfs: truncated");
        uint32_t nlen = kstrlen(name);
        if (nlen == 10 && !memcmp(name, "TRAILER!!!", 10))
            break;
        while (nlen && name[0] == '/')
            name++, nlen--;
        if (nlen >= 2 && name[0] == '.' && name[1] == '/')
            name += 2, nlen -= 2;
        struct rdent *e = &rd[rd_count++];
        e->name = name;
        e->namelen = nlen;
        e->mode = mode;
        e->data = base + data;
        e->size = fsize;
        pos = (data + fsize + 3) & ~3u;
    }
}

int rd_lookup(const char *path)
{
    while (*path == '/')
        path++;
    uint32_t n = kstrlen(path);
    if (n == 0)
        return -2; /* the root directory */
    for (int i = 0; i < rd_count; i++) {
        if (rd[i].namelen == n && !memcmp(rd[i].name, path, n))
            return i;
    }
    return -1;
}

int rd_is_dir(int i)
{
    return i == -2 || (i >= 0 && (rd[i].mode & 0170000) == 0040000);
}

/* Joins cwd and path and removes ".", ".." and repeated slashes. */
int path_resolve(const char *cwd, const char *path, char *out, uint32_t cap)
{
    char tmp[2 * PATH_MAX_K];
    uint32_t t = 0, o = 0;
    if (path[0] != '/') {
        for (const char *c = cwd; *c && t < sizeof tmp - 1; c++)
            tmp[t++] = *c;
        if (t < sizeof tmp - 1)
            tmp[t++] = '/';
    }
    for (const char *c = path; *c; c++) {
        if (t >= sizeof tmp - 1)
            return -ENAMETOOLONG;
        tmp[t++] = *c;
    }
    tmp[t] = 0;
    out[o++] = '/';
    for (uint32_t i = 0; i < t;) {
        while (i < t && tmp[i] == '/')
            i++;
        uint32_t s = i;
        while (i < t && tmp[i] != '/')
            i++;
        uint32_t len = i - s;
        if (len == 0 || (len == 1 && tmp[s] == '.'))
            continue;
        if (len == 2 && tmp[s] == '.' && tmp[s + 1] == '.') {
            while (o > 1 && out[o - 1] != '/')
                o--;
            if (o > 1)
                o--;
            continue;
        }
        if (o > 1) {
            if (o >= cap - 1)
                return -ENAMETOOLONG;
            out[o++] = '/';
        }
        if (o + len >= cap)
            return -ENAMETOOLONG;
        memcpy(out + o, tmp + s, len);
        o += len;
    }
    out[o] = 0;
    return 0;
}

/* ---- open files and pipes ----------------------------------------------------------- */
#define NFILE 256
static struct file files[NFILE];

struct pipe {
    uint8_t buf[4096];
    uint32_t r, w; /* free-running counters */
    int readers, writers, used;
};
#define NPIPE 16
static struct pipe pipes[NPIPE];

struct file *file_alloc(int type)
{
    for (int i = 0; i < NFILE; i++) {
        if (!files[i].refs) {
            memset(&files[i], 0, sizeof files[i]);
            files[i].refs = 1;
            files[i].type = type;
            return &files[i];
        }
    }
    return 0;
}

struct pipe *pipe_alloc(void)
{
    for (int i = 0; i < NPIPE; i++) {
        if (!pipes[i].used) {
            memset(&pipes[i], 0, sizeof pipes[i]);
            pipes[i].used = 1;
            pipes[i].readers = pipes[i].writers = 1;
            return &pipes[i];
        }
    }
    return 0;
}

void pipe_free(struct pipe *p)
{
    p->used = 0;
}

void file_put(struct file *f)
{
    if (--f->refs > 0)
        return;
    if (f->type == F_PIPE_R || f->type == F_PIPE_W) {
        struct pipe *p = f->pipe;
        if (f->type == F_PIPE_R)
            p->readers--;
        else
            p->writers--;
        sched_wakeup(p);
        if (!p->readers && !p->writers)
            p->used = 0;
    }
}

int pipe_read(struct pipe *p, uint8_t *dst, uint32_t len)
{
    while (p->r == p->w) {
        if (!p->writers)
            return 0;
        sched_sleep(p);
    }
    uint32_t n = 0;
    while (n < len && p->r != p->w)
        dst[n++] = p->buf[p->r++ % sizeof p->buf];
    sched_wakeup(p);
    return (int)n;
}

int pipe_write(struct pipe *p, const uint8_t *src, uint32_t len)
{
    uint32_t n = 0;
    while (n < len) {
        if (!p->readers)
            return n ? (int)n : -EPIPE;
        if (p->w - p->r == sizeof p->buf) {
            sched_wakeup(p);
            sched_sleep(p);
            continue;
        }
        p->buf[p->w++ % sizeof p->buf] = src[n++];
    }
    sched_wakeup(p);
    return (int)n;
}
