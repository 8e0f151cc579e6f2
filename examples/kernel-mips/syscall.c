/*
 * syscall.c - the Linux MIPS o32 system calls the test programs need: numbers from 4000,
 * arguments in a0-a3 and 16(sp)...28(sp), result in v0 with a3 as the error flag.
 */
#include "kernel.h"

#define AT_FDCWD (-100)
#define O_ACCMODE 3
#define O_DIRECTORY 0x10000
#define O_CLOEXEC 0x80000
#define O_CREAT 0x100
#define O_TRUNC 0x200
#define MAP_SHARED 1
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x800
#define MAP_FIXED_NOREPLACE 0x100000

int pipe_read(struct pipe *p, uint8_t *dst, uint32_t len);
int pipe_write(struct pipe *p, const uint8_t *src, uint32_t len);
void pipe_free(struct pipe *p);

static uint32_t arg(struct trapframe *tf, int i)
{
    if (i < 4)
        return tf->r[4 + i];
    uint32_t v = 0;
    copy_from_user(&cur->mm, &v, tf->r[29] + 4u * (uint32_t)i, 4);
    return v;
}

static struct file *getfd(int fd)
{
    return (fd >= 0 && fd < NFD) ? cur->fd[fd] : 0;
}

static int fd_install(struct file *f, int min, int cloexec)
{
    for (int i = min; i < NFD; i++) {
        if (!cur->fd[i]) {
            cur->fd[i] = f;
            cur->cloexec = (cur->cloexec & ~(1u << i)) | (cloexec ? 1u << i : 0);
            return i;
        }
    }
    return -EMFILE;
}

static int user_path(uint32_t uva, char *out)
{
    char tmp[PATH_MAX_K];
    int n = strncpy_from_user(&cur->mm, tmp, uva, sizeof tmp);
    if (n < 0)
        return n;
    if (n == 0)
        return -ENOENT;
    if (!kstrcmp(tmp, "/proc/self/exe")) {
        kstrcpy(out, cur->exe, PATH_MAX_K);
        return 0;
    }
    return path_resolve(cur->cwd, tmp, out, PATH_MAX_K);
}

/* Path relative to dirfd (AT_FDCWD or a directory descriptor). */
static int user_path_at(int dirfd, uint32_t uva, char *out)
{
    if (dirfd == AT_FDCWD)
        return user_path(uva, out);
    char tmp[PATH_MAX_K], base[PATH_MAX_K];
    int n = strncpy_from_user(&cur->mm, tmp, uva, sizeof tmp);
    if (n < 0)
        return n;
    if (tmp[0] == '/')
        return user_path(uva, out);
    struct file *f = getfd(dirfd);
    if (!f)
        return -EBADF;
    if (f->type != F_DIR)
        return -ENOTDIR;
    if (f->ent == -2)
        kstrcpy(base, "/", sizeof base);
    else {
        base[0] = '/';
        memcpy(base + 1, rd[f->ent].name, rd[f->ent].namelen);
        base[rd[f->ent].namelen + 1] = 0;
    }
    return path_resolve(base, tmp, out, PATH_MAX_K);
}

/* struct stat64 of o32 (104 bytes). */
struct stat64_o32 {
    uint32_t st_dev, st_pad0[3];
    uint64_t st_ino;
    uint32_t st_mode, st_nlink, st_uid, st_gid, st_rdev, st_pad1[3];
    int64_t st_size;
    int32_t st_atime_, st_atime_nsec, st_mtime_, st_mtime_nsec, st_ctime_, st_ctime_nsec;
    uint32_t st_blksize, st_pad2;
    int64_t st_blocks;
};

static int stat_ent(int ent, int type, uint32_t ubuf)
{
    struct stat64_o32 st;
    memset(&st, 0, sizeof st);
    st.st_dev = 1;
    st.st_nlink = 1;
    st.st_blksize = PAGE_SIZE;
    if (type == F_CONSOLE || type == F_NULL) {
        st.st_mode = 0020620;
        st.st_rdev = type == F_NULL ? 0x103 : 0x501;
        st.st_dev = 5;
    } else if (type == F_PIPE_R || type == F_PIPE_W) {
        st.st_mode = 0010600;
    } else if (ent == -2) {
        st.st_mode = 0040755;
        st.st_ino = 1;
    } else {
        st.st_mode = rd[ent].mode;
        st.st_ino = (uint64_t)ent + 2;
        st.st_size = rd[ent].size;
        st.st_blocks = (rd[ent].size + 511) / 512;
    }
    return copy_to_user(&cur->mm, ubuf, &st, sizeof st, 0);
}

static int do_open(const char *path, uint32_t flags)
{
    struct file *f;
    if (!kstrcmp(path, "/dev/null") || !kstrcmp(path, "/dev/console") ||
        !kstrcmp(path, "/dev/tty")) {
        f = file_alloc(path[5] == 'n' ? F_NULL : F_CONSOLE);
    } else {
        int ent = rd_lookup(path);
        if (ent == -1)
            return (flags & O_CREAT) ? -EROFS : -ENOENT;
        if ((flags & O_ACCMODE) != 0 || (flags & O_TRUNC))
            return rd_is_dir(ent) ? -EISDIR : -EROFS;
        int dir = rd_is_dir(ent);
        if ((flags & O_DIRECTORY) && !dir)
            return -ENOTDIR;
        f = file_alloc(dir ? F_DIR : F_FILE);
        if (f)
            f->ent = ent;
    }
    if (!f)
        return -EMFILE;
    f->flags = (int)flags;
    int fd = fd_install(f, 0, (flags & O_CLOEXEC) != 0);
    if (fd < 0)
        file_put(f);
    return fd;
}

static int do_read(int fd, uint32_t ubuf, uint32_t len, int64_t pos)
{
    struct file *f = getfd(fd);
    uint8_t kbuf[512];
    if (!f)
        return -EBADF;
    switch (f->type) {
    case F_CONSOLE:
    case F_NULL:
        return 0; /* no keyboard: end of file */
    case F_DIR:
        return -EISDIR;
    case F_PIPE_R: {
        if (len > sizeof kbuf)
            len = sizeof kbuf;
        int n = pipe_read(f->pipe, kbuf, len);
        if (n > 0 && copy_to_user(&cur->mm, ubuf, kbuf, (uint32_t)n, 0))
            return -EFAULT;
        return n;
    }
    case F_FILE: {
        uint64_t off = pos >= 0 ? (uint64_t)pos : f->off;
        const struct rdent *e = &rd[f->ent];
        if (off >= e->size)
            return 0;
        uint32_t n = e->size - (uint32_t)off;
        if (n > len)
            n = len;
        if (copy_to_user(&cur->mm, ubuf, e->data + (uint32_t)off, n, 0))
            return -EFAULT;
        if (pos < 0)
            f->off = off + n;
        return (int)n;
    }
    default:
        return -EBADF;
    }
}

/* Writes kernel bytes to a console, /dev/null or pipe descriptor. */
static int write_kernel(int fd, const uint8_t *buf, uint32_t len)
{
    struct file *f = getfd(fd);
    if (!f)
        return -EBADF;
    if (f->type == F_NULL)
        return (int)len;
    if (f->type == F_CONSOLE) {
        console_write(buf, len);
        return (int)len;
    }
    if (f->type != F_PIPE_W)
        return -EBADF;
    return pipe_write(f->pipe, buf, len);
}

static int do_write(int fd, uint32_t ubuf, uint32_t len)
{
    struct file *f = getfd(fd);
    uint8_t kbuf[512];
    if (!f)
        return -EBADF;
    if (f->type == F_NULL)
        return (int)len;
    if (f->type != F_CONSOLE && f->type != F_PIPE_W)
        return -EBADF;
    uint32_t done = 0;
    while (done < len) {
        uint32_t n = len - done > sizeof kbuf ? sizeof kbuf : len - done;
        if (copy_from_user(&cur->mm, kbuf, ubuf + done, n))
            return done ? (int)done : -EFAULT;
        if (f->type == F_CONSOLE) {
            console_write(kbuf, n);
        } else {
            int r = pipe_write(f->pipe, kbuf, n);
            if (r < 0) {
                if (!done)
                    kill_current(SIGPIPE);
                return (int)done;
            }
        }
        done += n;
    }
    return (int)done;
}

static int do_getdents64(int fd, uint32_t ubuf, uint32_t len)
{
    struct file *f = getfd(fd);
    if (!f)
        return -EBADF;
    if (f->type != F_DIR)
        return -ENOTDIR;
    const char *dir = f->ent == -2 ? "" : rd[f->ent].name;
    uint32_t dlen = f->ent == -2 ? 0 : rd[f->ent].namelen, out = 0;
    for (; f->off < (uint64_t)rd_count; f->off++) {
        const struct rdent *e = &rd[(uint32_t)f->off];
        if (dlen && (e->namelen <= dlen || memcmp(e->name, dir, dlen) || e->name[dlen] != '/'))
            continue;
        const char *name = e->name + (dlen ? dlen + 1 : 0);
        uint32_t nlen = e->namelen - (dlen ? dlen + 1 : 0), slash = 0;
        for (uint32_t i = 0; i < nlen; i++)
            slash |= name[i] == '/';
        if (slash || !nlen)
            continue;
        uint8_t rec[280];
        uint32_t reclen = (19 + nlen + 1 + 7) & ~7u;
        if (nlen > 255)
            continue;
        if (out + reclen > len)
            break;
        memset(rec, 0, reclen);
        uint64_t ino = f->off + 2, next = f->off + 1;
        uint16_t rl = (uint16_t)reclen;
        memcpy(rec, &ino, 8);
        memcpy(rec + 8, &next, 8);
        memcpy(rec + 16, &rl, 2);
        rec[18] = (e->mode & 0170000) == 0040000 ? 4 : 8;
        memcpy(rec + 19, name, nlen);
        if (copy_to_user(&cur->mm, ubuf + out, rec, reclen, 0))
            return -EFAULT;
        out += reclen;
    }
    return (int)out;
}

static int do_mmap(uint32_t addr, uint32_t len, uint32_t prot, uint32_t flags, int fd,
                   uint32_t pgoff)
{
    struct mm *mm = &cur->mm;
    if (!len)
        return -EINVAL;
    len = (len + PAGE_SIZE - 1) & PAGE_MASK;
    if (!len)
        return -ENOMEM;
    struct file *f = 0;
    if (!(flags & MAP_ANONYMOUS)) {
        f = getfd(fd);
        if (!f)
            return -EBADF;
        if (f->type != F_FILE)
            return -EACCES;
        if (flags & MAP_SHARED && prot & 2)
            return -EACCES; /* read-only file system */
    }
    uint32_t start;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (addr & (PAGE_SIZE - 1) || addr >= USER_TOP || len > USER_TOP - addr)
            return -EINVAL;
        if ((flags & MAP_FIXED_NOREPLACE) && !mm_range_free(mm, addr, len))
            return -EEXIST;
        start = addr;
    } else if (addr && !(addr & (PAGE_SIZE - 1)) && addr >= 0x10000 &&
               mm_range_free(mm, addr, len)) {
        start = addr;
    } else {
        start = mm_find_free(mm, len);
        if (!start)
            return -ENOMEM;
    }
    uint32_t pb = prot_to_pte(prot & 7);
    int r = f ? mm_map_file(mm, start, len, f->ent, pgoff << 12, pb, 0) : mm_map_zero(mm, start, len, pb);
    if (r) {
        mm_unmap(mm, start, len);
        return r;
    }
    if (f && (prot & 4))
        sync_icache_range(mm, start, len);
    return (int)start;
}

static uint32_t do_brk(uint32_t want)
{
    struct mm *mm = &cur->mm;
    if (want < mm->brk_start)
        return mm->brk;
    uint32_t oldtop = (mm->brk + PAGE_SIZE - 1) & PAGE_MASK;
    uint32_t newtop = (want + PAGE_SIZE - 1) & PAGE_MASK;
    if (newtop > oldtop) {
        if (!mm_range_free(mm, oldtop, newtop - oldtop) ||
            mm_map_zero(mm, oldtop, newtop - oldtop, PTE_R | PTE_W))
            return mm->brk;
    } else if (newtop < oldtop) {
        mm_unmap(mm, newtop, oldtop - newtop);
    }
    mm->brk = want;
    return want;
}

static int do_execve(uint32_t upath, uint32_t uargv, uint32_t uenvp)
{
    static char path[PATH_MAX_K];
    static char strs[65536];
    static const char *av[1024], *ev[1024];
    int n = strncpy_from_user(&cur->mm, path, upath, sizeof path);
    if (n < 0)
        return n;
    uint32_t used = 0, argc = 0, envc = 0;
    for (int which = 0; which < 2; which++) {
        uint32_t vec = which ? uenvp : uargv;
        const char **out = which ? ev : av;
        uint32_t *cnt = which ? &envc : &argc;
        for (; vec; vec += 4) {
            uint32_t sp;
            if (copy_from_user(&cur->mm, &sp, vec, 4))
                return -EFAULT;
            if (!sp)
                break;
            if (*cnt >= 1024)
                return -E2BIG;
            int len = strncpy_from_user(&cur->mm, strs + used, sp, sizeof strs - used);
            if (len < 0)
                return len == -ENAMETOOLONG ? -E2BIG : len;
            out[(*cnt)++] = strs + used;
            used += (uint32_t)len + 1;
        }
    }
    int err = do_exec(cur, path, argc, av, envc, ev);
    return err ? -err : 0;
}

struct timespec32 {
    int32_t sec, nsec;
};
struct timespec64 {
    int64_t sec, nsec;
};

static void ret(struct trapframe *tf, int v)
{
    if (v < 0 && v > -4096) {
        tf->r[2] = (uint32_t)-v;
        tf->r[7] = 1;
    } else {
        tf->r[2] = (uint32_t)v;
        tf->r[7] = 0;
    }
}

static uint8_t unknown_logged[512];

void syscall(struct trapframe *tf)
{
    uint32_t nr = tf->r[2];
    uint32_t a0 = tf->r[4], a1 = tf->r[5], a2 = tf->r[6], a3 = tf->r[7];
    int r = 0;
    tf->epc += 4;
    switch (nr) {
    case 4001: /* exit */
    case 4246: /* exit_group */
        proc_exit(cur, (int)((a0 & 0xff) << 8));
        sched_yield_cpu();
        panic("exited process ran");
    case 4002: /* fork */
        r = do_fork(tf, 0, 0, 0, 0);
        break;
    case 4120: /* clone(flags, newsp, ptid, tls, ctid): fork semantics only */
        if (a0 & 0x10000) { /* CLONE_THREAD */
            r = -EINVAL;
            break;
        }
        r = do_fork(tf, a0, a1, a3, arg(tf, 4));
        if (r > 0 && (a0 & 0x100000)) { /* CLONE_PARENT_SETTID */
            uint32_t pid = (uint32_t)r;
            copy_to_user(&cur->mm, a2, &pid, 4, 0);
        }
        break;
    case 4003: /* read */
        r = do_read((int)a0, a1, a2, -1);
        break;
    case 4004: /* write */
        r = do_write((int)a0, a1, a2);
        break;
    case 4237: { /* sendfile64(out, in, off64 *, count): through a kernel buffer */
        struct file *in = getfd((int)a1);
        if (!in || !getfd((int)a0)) {
            r = -EBADF;
            break;
        }
        if (in->type != F_FILE) {
            r = -EINVAL;
            break;
        }
        uint64_t off = in->off;
        if (a2 && copy_from_user(&cur->mm, &off, a2, 8)) {
            r = -EFAULT;
            break;
        }
        const struct rdent *e = &rd[in->ent];
        uint32_t n = off >= e->size ? 0 : e->size - (uint32_t)off;
        if (n > a3)
            n = a3;
        int done = 0;
        while ((uint32_t)done < n) {
            uint8_t kbuf[512];
            uint32_t k = n - (uint32_t)done > sizeof kbuf ? sizeof kbuf : n - (uint32_t)done;
            kmemcpy(kbuf, e->data + (uint32_t)off + (uint32_t)done, k);
            int w = write_kernel((int)a0, kbuf, k);
            if (w <= 0) {
                if (!done)
                    done = w;
                break;
            }
            done += w;
        }
        if (done > 0) {
            off += (uint32_t)done;
            if (a2)
                copy_to_user(&cur->mm, a2, &off, 8, 0);
            else
                in->off = off;
        }
        r = done;
        break;
    }
    case 4146: { /* writev */
        int total = 0;
        for (uint32_t i = 0; i < a2; i++) {
            uint32_t iov[2];
            if (copy_from_user(&cur->mm, iov, a1 + 8 * i, 8)) {
                total = total ? total : -EFAULT;
                break;
            }
            int n = iov[1] ? do_write((int)a0, iov[0], iov[1]) : 0;
            if (n < 0) {
                total = total ? total : n;
                break;
            }
            total += n;
        }
        r = total;
        break;
    }
    case 4200: { /* pread64(fd, buf, count, pad, off64 in the next even pair) */
        uint32_t lo = arg(tf, 4), hi = arg(tf, 5);
#ifdef __MIPSEB__
        uint32_t t = lo;
        lo = hi;
        hi = t;
#endif
        r = do_read((int)a0, a1, a2, (int64_t)(((uint64_t)hi << 32) | lo));
        break;
    }
    case 4005: /* open */
    case 4288: { /* openat */
        char path[PATH_MAX_K];
        r = nr == 4005 ? user_path(a0, path) : user_path_at((int)a0, a1, path);
        if (!r)
            r = do_open(path, nr == 4005 ? a1 : a2);
        break;
    }
    case 4006: /* close */
        if (!getfd((int)a0)) {
            r = -EBADF;
        } else {
            file_put(cur->fd[a0]);
            cur->fd[a0] = 0;
        }
        break;
    case 4019: { /* lseek */
        struct file *f = getfd((int)a0);
        if (!f)
            r = -EBADF;
        else if (f->type != F_FILE && f->type != F_DIR)
            r = -ESPIPE;
        else {
            int64_t base = a2 == 0 ? 0 : a2 == 1 ? (int64_t)f->off : (f->type == F_FILE ? rd[f->ent].size : 0);
            int64_t no = base + (int32_t)a1;
            if (a2 > 2 || no < 0)
                r = -EINVAL;
            else
                r = (int)(f->off = (uint64_t)no);
        }
        break;
    }
    case 4140: { /* _llseek(fd, hi, lo, result*, whence) */
        struct file *f = getfd((int)a0);
        uint32_t whence = arg(tf, 4);
        if (!f) {
            r = -EBADF;
            break;
        }
        if (f->type != F_FILE && f->type != F_DIR) {
            r = -ESPIPE;
            break;
        }
        int64_t off = (int64_t)(((uint64_t)a1 << 32) | a2);
        int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)f->off : (f->type == F_FILE ? rd[f->ent].size : 0);
        if (whence > 2 || base + off < 0) {
            r = -EINVAL;
            break;
        }
        f->off = (uint64_t)(base + off);
        r = copy_to_user(&cur->mm, a3, &f->off, 8, 0);
        break;
    }
    case 4213: /* stat64 */
    case 4214: /* lstat64 */
    case 4293: { /* fstatat64(dirfd, path, buf, flags) */
        char path[PATH_MAX_K];
        uint32_t ubuf = nr == 4293 ? a2 : a1;
        if (nr == 4293 && (a3 & 0x1000)) { /* AT_EMPTY_PATH */
            char c = 0;
            copy_from_user(&cur->mm, &c, a1, 1);
            if (!c) {
                struct file *f = getfd((int)a0);
                r = f ? stat_ent(f->ent, f->type, ubuf) : -EBADF;
                break;
            }
        }
        r = nr == 4293 ? user_path_at((int)a0, a1, path) : user_path(a0, path);
        if (r)
            break;
        int ent = rd_lookup(path);
        if (!kstrcmp(path, "/dev/null") || !kstrcmp(path, "/dev/console"))
            r = stat_ent(0, path[5] == 'n' ? F_NULL : F_CONSOLE, ubuf);
        else
            r = ent == -1 ? -ENOENT : stat_ent(ent, F_FILE, ubuf);
        break;
    }
    case 4215: { /* fstat64 */
        struct file *f = getfd((int)a0);
        r = f ? stat_ent(f->ent, f->type, a1) : -EBADF;
        break;
    }
    case 4366: /* statx: glibc falls back to fstatat64 */
    case 4367: /* rseq */
    case 4435: /* clone3: glibc falls back to clone */
        r = -ENOSYS;
        break;
    case 4219: /* getdents64 */
        r = do_getdents64((int)a0, a1, a2);
        break;
    case 4085: /* readlink */
    case 4298: { /* readlinkat */
        char path[PATH_MAX_K], raw[PATH_MAX_K];
        uint32_t up = nr == 4085 ? a0 : a1, ubuf = nr == 4085 ? a1 : a2,
                 size = nr == 4085 ? a2 : a3;
        r = strncpy_from_user(&cur->mm, raw, up, sizeof raw);
        if (r < 0)
            break;
        if (!kstrcmp(raw, "/proc/self/exe")) {
            uint32_t n = kstrlen(cur->exe);
            if (n > size)
                n = size;
            r = copy_to_user(&cur->mm, ubuf, cur->exe, n, 0) ? -EFAULT : (int)n;
            break;
        }
        r = nr == 4085 ? user_path(up, path) : user_path_at((int)a0, up, path);
        if (!r)
            r = rd_lookup(path) == -1 ? -ENOENT : -EINVAL;
        break;
    }
    case 4033: /* access */
    case 4300: /* faccessat */
    case 4439: { /* faccessat2 */
        char path[PATH_MAX_K];
        r = nr == 4033 ? user_path(a0, path) : user_path_at((int)a0, a1, path);
        uint32_t mode = nr == 4033 ? a1 : a2;
        if (!r) {
            int ent = rd_lookup(path);
            if (ent == -1)
                r = -ENOENT;
            else if ((mode & 2) && kstrncmp(path, "/dev/", 5))
                r = -EROFS;
            else if ((mode & 1) && ent >= 0 && !(rd[ent].mode & 0111))
                r = -EACCES;
        }
        break;
    }
    case 4203: { /* getcwd */
        uint32_t n = kstrlen(cur->cwd) + 1;
        r = n > a1 ? -ERANGE : copy_to_user(&cur->mm, a0, cur->cwd, n, 0) ? -EFAULT : (int)n;
        break;
    }
    case 4012: { /* chdir */
        char path[PATH_MAX_K];
        r = user_path(a0, path);
        if (!r) {
            int ent = rd_lookup(path);
            r = ent == -1 ? -ENOENT : !rd_is_dir(ent) ? -ENOTDIR : 0;
            if (!r)
                kstrcpy(cur->cwd, path, sizeof cur->cwd);
        }
        break;
    }
    case 4055: /* fcntl */
    case 4220: { /* fcntl64 */
        struct file *f = getfd((int)a0);
        if (!f) {
            r = -EBADF;
            break;
        }
        switch (a1) {
        case 0: /* F_DUPFD */
        case 1030: /* F_DUPFD_CLOEXEC */
            r = fd_install(f, (int)a2, a1 == 1030);
            if (r >= 0)
                f->refs++;
            break;
        case 1: /* F_GETFD */
            r = (int)((cur->cloexec >> a0) & 1);
            break;
        case 2: /* F_SETFD */
            cur->cloexec = (cur->cloexec & ~(1u << a0)) | ((a2 & 1) << a0);
            break;
        case 3: /* F_GETFL */
            r = f->flags;
            break;
        case 4: /* F_SETFL */
            f->flags = (int)a2;
            break;
        default:
            r = -EINVAL;
        }
        break;
    }
    case 4041: /* dup */
        r = getfd((int)a0) ? fd_install(cur->fd[a0], 0, 0) : -EBADF;
        if (r >= 0)
            cur->fd[a0]->refs++;
        break;
    case 4063: /* dup2 */
    case 4327: { /* dup3 */
        struct file *f = getfd((int)a0);
        if (!f || a1 >= NFD) {
            r = -EBADF;
            break;
        }
        if (a0 == a1) {
            r = nr == 4327 ? -EINVAL : (int)a1;
            break;
        }
        if (cur->fd[a1])
            file_put(cur->fd[a1]);
        cur->fd[a1] = f;
        f->refs++;
        cur->cloexec = (cur->cloexec & ~(1u << a1)) |
                       ((nr == 4327 && (a2 & O_CLOEXEC)) ? 1u << a1 : 0);
        r = (int)a1;
        break;
    }
    case 4042: /* pipe: fds in v0, v1 */
    case 4328: { /* pipe2(fds*, flags) */
        struct pipe *p = pipe_alloc();
        struct file *rf = p ? file_alloc(F_PIPE_R) : 0;
        struct file *wf = rf ? file_alloc(F_PIPE_W) : 0;
        if (!wf) {
            if (rf)
                rf->refs = 0;
            if (p)
                pipe_free(p);
            r = -EMFILE;
            break;
        }
        rf->pipe = wf->pipe = p;
        int ce = nr == 4328 && (a1 & O_CLOEXEC);
        int fr = fd_install(rf, 0, ce), fw = fr >= 0 ? fd_install(wf, 0, ce) : -EMFILE;
        if (fw < 0) {
            if (fr >= 0)
                cur->fd[fr] = 0;
            file_put(rf);
            file_put(wf);
            r = -EMFILE;
            break;
        }
        if (nr == 4042) {
            tf->r[3] = (uint32_t)fw;
            r = fr;
        } else {
            int32_t fds[2] = {fr, fw};
            r = copy_to_user(&cur->mm, a0, fds, 8, 0);
        }
        break;
    }
    case 4210: /* mmap2 */
        r = do_mmap(a0, a1, a2, a3, (int)arg(tf, 4), arg(tf, 5));
        break;
    case 4091: /* munmap */
        if (a0 & (PAGE_SIZE - 1) || a0 >= USER_TOP || a1 > USER_TOP - a0)
            r = -EINVAL;
        else
            mm_unmap(&cur->mm, a0, (a1 + PAGE_SIZE - 1) & PAGE_MASK);
        break;
    case 4125: /* mprotect */
        if (a0 & (PAGE_SIZE - 1) || a0 >= USER_TOP || a1 > USER_TOP - a0)
            r = -EINVAL;
        else
            mm_protect(&cur->mm, a0, (a1 + PAGE_SIZE - 1) & PAGE_MASK, prot_to_pte(a2 & 7));
        break;
    case 4218: /* madvise */
        break;
    case 4136: /* personality: PER_LINUX, and it stays so */
        r = 0;
        break;
    case 4045: /* brk */
        r = (int)do_brk(a0);
        break;
    case 4011: /* execve */
        r = do_execve(a0, a1, a2);
        if (!r)
            return; /* the trap frame is the new image's */
        break;
    case 4114: { /* wait4(pid, status*, options, rusage*) */
        uint32_t st = 0;
        r = do_wait((int)a0, &st, (int)a2);
        if (r > 0 && a1 && copy_to_user(&cur->mm, a1, &st, 4, 0))
            r = -EFAULT;
        if (r >= 0 && a3) {
            uint8_t zero[72];
            memset(zero, 0, sizeof zero);
            copy_to_user(&cur->mm, a3, zero, sizeof zero, 0);
        }
        break;
    }
    case 4020: /* getpid */
    case 4222: /* gettid */
        r = cur->pid;
        break;
    case 4064: /* getppid */
        r = cur->ppid;
        break;
    case 4024: case 4047: case 4049: case 4050: /* getuid getgid geteuid getegid */
        r = 0;
        break;
    case 4186: /* getresuid */
    case 4191: { /* getresgid */
        uint32_t z = 0;
        r = copy_to_user(&cur->mm, a0, &z, 4, 0) | copy_to_user(&cur->mm, a1, &z, 4, 0) |
            copy_to_user(&cur->mm, a2, &z, 4, 0);
        break;
    }
    case 4057: case 4066: /* setpgid, setsid */
        r = nr == 4066 ? cur->pid : 0;
        break;
    case 4065: case 4132: /* getpgrp, getpgid */
        r = 1;
        break;
    case 4060: /* umask */
        r = 022;
        break;
    case 4283: /* set_thread_area */
        cur->tls = a0;
        if (cpu_has_ulri)
            mtc0(4, 2, a0);
        break;
    case 4252: /* set_tid_address */
        cur->clear_child_tid = a0;
        r = cur->pid;
        break;
    case 4309: /* set_robust_list */
        cur->robust_list = a0;
        break;
    case 4192: /* prctl */
        if (a0 == 46) { /* PR_GET_FP_MODE: FR bit 0 */
            r = (int)cur->fr;
        } else if (a0 == 45) { /* PR_SET_FP_MODE */
            if (a1 & ~1u) {
                r = -EOPNOTSUPP_K;
                break;
            }
            fpu_save(&cur->fpu, cur->fr);
            cur->fr = a1 & 1;
            tf->status = (tf->status & ~ST_FR) | (cur->fr ? ST_FR : 0);
            write_status((read_status() & ~ST_FR) | ST_CU1 | (cur->fr ? ST_FR : 0));
            fpu_restore(&cur->fpu, cur->fr);
        }
        break;
    case 4353: { /* getrandom */
        uint8_t b[256];
        uint32_t n = a1 > sizeof b ? sizeof b : a1;
        for (uint32_t i = 0; i < n; i++)
            b[i] = (uint8_t)random32();
        r = copy_to_user(&cur->mm, a0, b, n, 0) ? -EFAULT : (int)n;
        break;
    }
    case 4122: { /* uname */
        char u[6 * 65];
        static const char *const f[6] = {"Linux", "kmips", "6.1.0-kmips", "#1", "mips", "(none)"};
        memset(u, 0, sizeof u);
        for (int i = 0; i < 6; i++)
            kstrcpy(u + 65 * i, f[i], 65);
        r = copy_to_user(&cur->mm, a0, u, sizeof u, 0);
        break;
    }
    case 4076: { /* getrlimit (o32 infinity 0x7fffffff) */
        uint32_t lim[2] = {0x7fffffffu, 0x7fffffffu};
        if (a0 == 3)
            lim[0] = 8u << 20;
        else if (a0 == 5)
            lim[0] = lim[1] = 1024;
        r = copy_to_user(&cur->mm, a1, lim, 8, 0);
        break;
    }
    case 4338: { /* prlimit64(pid, resource, new, old) */
        uint64_t lim[2] = {~0ull, ~0ull};
        if (a1 == 3)
            lim[0] = 8u << 20;
        else if (a1 == 5)
            lim[0] = lim[1] = 1024;
        if (a3)
            r = copy_to_user(&cur->mm, a3, lim, 16, 0);
        break;
    }
    case 4263: /* clock_gettime */
    case 4403: { /* clock_gettime64 */
        uint64_t ns = time_ns() + 1700000000ull * 1000000000ull * (a0 == 0);
        uint64_t sec = ns / 1000000000ull, nsec = ns % 1000000000ull;
        if (nr == 4263) {
            struct timespec32 ts = {(int32_t)sec, (int32_t)nsec};
            r = copy_to_user(&cur->mm, a1, &ts, sizeof ts, 0);
        } else {
            struct timespec64 ts = {(int64_t)sec, (int64_t)nsec};
            r = copy_to_user(&cur->mm, a1, &ts, sizeof ts, 0);
        }
        break;
    }
    case 4078: { /* gettimeofday */
        uint64_t us = time_ns() / 1000 + 1700000000ull * 1000000ull;
        int32_t tv[2] = {(int32_t)(us / 1000000), (int32_t)(us % 1000000)};
        if (a0)
            r = copy_to_user(&cur->mm, a0, tv, 8, 0);
        break;
    }
    case 4054: /* ioctl: no terminal */
        r = getfd((int)a0) ? -ENOTTY : -EBADF;
        break;
    case 4194: { /* rt_sigaction(sig, act, oact, size): recorded only */
        if (a0 == 0 || a0 > 64 || a0 == SIGKILL) {
            r = -EINVAL;
            break;
        }
        if (a2) {
            /* o32 struct sigaction: flags, handler, 16-byte mask. */
            uint32_t old[6] = {0, cur->sig_handler[a0], 0, 0, 0, 0};
            if (copy_to_user(&cur->mm, a2, old, sizeof old, 0)) {
                r = -EFAULT;
                break;
            }
        }
        if (a1) {
            uint32_t act[2];
            if (copy_from_user(&cur->mm, act, a1, 8)) {
                r = -EFAULT;
                break;
            }
            cur->sig_handler[a0] = act[1]; /* o32 sigaction: flags, handler, mask */
        }
        break;
    }
    case 4195: { /* rt_sigprocmask(how, set, oset, size): recorded only */
        uint32_t old[2] = {cur->sigmask[0], cur->sigmask[1]}, set[2];
        if (a1) {
            if (copy_from_user(&cur->mm, set, a1, 8)) {
                r = -EFAULT;
                break;
            }
            for (int i = 0; i < 2; i++) {
                if (a0 == 1)
                    cur->sigmask[i] |= set[i];
                else if (a0 == 2)
                    cur->sigmask[i] &= ~set[i];
                else
                    cur->sigmask[i] = set[i];
            }
        }
        if (a2)
            r = copy_to_user(&cur->mm, a2, old, 8, 0);
        break;
    }
    case 4206: /* sigaltstack */
    case 4238: /* futex: single-threaded processes never wait */
        break;
    case 4037: /* kill */
    case 4266: { /* tgkill(tgid, tid, sig) */
        uint32_t pid = a0, sig = nr == 4266 ? a2 : a1;
        if ((int)pid == cur->pid || pid == 0) {
            if (sig && cur->sig_handler[sig & 63] != 1)
                kill_current((int)sig);
            break;
        }
        r = -ESRCH;
        for (int i = 1; i < NPROC; i++) {
            struct proc *p = &procs[i];
            if (p->state != P_FREE && p->state != P_ZOMBIE && p->pid == (int)pid) {
                r = 0;
                if (sig)
                    proc_exit(p, (int)sig);
            }
        }
        break;
    }
    case 4166: /* nanosleep(req, rem) */
    case 4265: /* clock_nanosleep(clock, flags, req, rem) */
    case 4407: { /* clock_nanosleep_time64 */
        uint32_t ureq = nr == 4166 ? a0 : a2;
        uint64_t ns;
        if (nr == 4407) {
            struct timespec64 ts;
            r = copy_from_user(&cur->mm, &ts, ureq, sizeof ts);
            ns = (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
        } else {
            struct timespec32 ts;
            r = copy_from_user(&cur->mm, &ts, ureq, sizeof ts);
            ns = (uint64_t)(uint32_t)ts.sec * 1000000000ull + (uint32_t)ts.nsec;
        }
        if (r)
            break;
        if (nr != 4166 && (a1 & 1)) /* TIMER_ABSTIME: our clocks start at boot */
            ns = ns > time_ns() ? ns - time_ns() : 0;
        /* Sleep by giving the CPU away until the time has passed. */
        uint64_t until = time_ns() + ns;
        while (time_ns() < until)
            sched_yield_cpu();
        break;
    }
    case 4162: /* sched_yield */
        sched_yield_cpu();
        break;
    case 4240: { /* sched_getaffinity */
        uint32_t one = 1;
        r = a1 < 4 ? -EINVAL : copy_to_user(&cur->mm, a2, &one, 4, 0) ? -EFAULT : 4;
        break;
    }
    default:
        if (nr >= 4000 && nr < 4512 && !unknown_logged[nr - 4000]) {
            unknown_logged[nr - 4000] = 1;
            kprintf("kmips: pid %d: unknown system call %u: ENOSYS\n", cur->pid, nr);
        }
        r = -ENOSYS;
    }
    ret(tf, r);
}
