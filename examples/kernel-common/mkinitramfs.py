#!/usr/bin/env python3
"""Packs an initramfs (cpio "newc") for the example kernels.

    mkinitramfs.py -o OUT [--root SYSROOT]... [--align N] [--prog HOST=PATH]... [--add HOST=PATH]...
                   [--text PATH=CONTENT]...

--prog packs an ELF program and, like `qemu -L SYSROOT`, its PT_INTERP interpreter and the
shared libraries it needs (DT_NEEDED, recursively) found under the SYSROOTs (searched in order); libraries go to
/lib/NAME (both glibc's and musl's loaders search /lib). --add packs a file as is.
--text packs a small text file. Parent directories are created.

File data starts at an N-aligned offset of the archive (default 4096: a kernel can map
a file's pages straight from the initramfs); the padding is NUL bytes appended to the
entry's name, which cpio readers ignore (the name ends at its first NUL).
"""
import argparse
import os
import struct
import sys

LIB_DIRS = ["lib", "usr/lib", "lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu",
            "lib64", "usr/lib64", "lib/mips64el-linux-gnuabi64", "usr/lib/mips64el-linux-gnuabi64",
            "lib/mipsel-linux-gnu", "usr/lib/mipsel-linux-gnu", "lib/mips-linux-gnu",
            "usr/lib/mips-linux-gnu", "lib/mips64-linux-gnuabi64", "usr/lib/mips64-linux-gnuabi64"]


def elf_deps(data):
    """(interpreter path or None, [DT_NEEDED names]) of an ELF image, or (None, []) for
    anything else."""
    if data[:4] != b"\x7fELF":
        return None, []
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    if is64:
        phoff, = struct.unpack_from(end + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 0x36)
    else:
        phoff, = struct.unpack_from(end + "I", data, 0x1c)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 0x2a)
    phdrs = []
    for i in range(phnum):
        o = phoff + i * phentsize
        if is64:
            p_type, _flags, off, vaddr, _pa, filesz, _memsz, _al = struct.unpack_from(end + "IIQQQQQQ", data, o)
        else:
            p_type, off, vaddr, _pa, filesz, _memsz, _flags, _al = struct.unpack_from(end + "IIIIIIII", data, o)
        phdrs.append((p_type, off, vaddr, filesz))
    interp = None
    needed_offs, strtab = [], None
    for p_type, off, vaddr, filesz in phdrs:
        if p_type == 3:  # PT_INTERP
            interp = data[off:off + filesz].split(b"\0")[0].decode()
        if p_type == 2:  # PT_DYNAMIC
            size = 16 if is64 else 8
            fmt = end + ("qQ" if is64 else "iI")
            for o in range(off, off + filesz, size):
                tag, val = struct.unpack_from(fmt, data, o)
                if tag == 0:
                    break
                if tag == 1:
                    needed_offs.append(val)
                if tag == 5:
                    strtab = val
    names = []
    if strtab is not None:
        # DT_STRTAB is a virtual address: find the PT_LOAD holding it.
        for p_type, off, vaddr, filesz in phdrs:
            if p_type == 1 and vaddr <= strtab < vaddr + filesz:
                base = off + strtab - vaddr
                for n in needed_offs:
                    names.append(data[base + n:data.index(b"\0", base + n)].decode())
                break
    return interp, names


def find_lib(roots, name):
    for root in roots:
        for d in LIB_DIRS:
            p = os.path.join(root, d, name)
            if os.path.isfile(p):
                return p
    return None


class Archive:
    def __init__(self, align):
        self.align = align
        self.out = bytearray()
        self.ino = 1
        self.dirs = set()
        self.files = {}

    def _entry(self, name, mode, data, nlink=1):
        name_b = name.encode() + b"\0"
        head = 110
        pad_name = len(name_b)
        if data and self.align > 4:
            # Grow the name with NULs until the data starts aligned.
            while (len(self.out) + head + pad_name) % self.align:
                pad_name += 1
        else:
            while (head + pad_name) % 4:
                pad_name += 1
        name_b = name_b.ljust(pad_name, b"\0")
        hdr = "070701" + "".join("%08X" % v for v in (
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name_b), 0))
        self.ino += 1
        self.out += hdr.encode() + name_b
        while len(self.out) % 4:
            self.out += b"\0"
        self.out += data
        while len(self.out) % 4:
            self.out += b"\0"

    def mkdirs(self, path):
        parts = path.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in self.dirs:
                self.dirs.add(d)
                self._entry(d, 0o40755, b"", 2)

    def add(self, path, data, mode=0o100755):
        path = path.lstrip("/")
        if path in self.files:
            return
        self.mkdirs(path)
        self.files[path] = True
        self._entry(path, mode, data)

    def finish(self):
        self._entry("TRAILER!!!", 0, b"")
        while len(self.out) % 512:
            self.out += b"\0"
        return bytes(self.out)


def add_prog(arc, root, host, path):
    data = open(host, "rb").read()
    arc.add(path, data)
    interp, needed = elf_deps(data)
    todo = list(needed)
    musl = False
    if interp:
        musl = "musl" in interp
        src = next((os.path.join(r, interp.lstrip("/")) for r in root
                    if os.path.isfile(os.path.join(r, interp.lstrip("/")))), None)
        if src is None:
            src = find_lib(root, os.path.basename(interp))
        if src is None:
            sys.exit(f"mkinitramfs: interpreter {interp} not found under {root}")
        idata = open(os.path.realpath(src), "rb").read()
        arc.add(interp, idata)
    seen = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if musl and name.startswith("libc.so"):
            continue  # musl's loader is its libc
        src = find_lib(root, name)
        if src is None:
            sys.exit(f"mkinitramfs: library {name} needed by {host} not found under {root}")
        ldata = open(os.path.realpath(src), "rb").read()
        arc.add("/lib/" + name, ldata)
        todo += elf_deps(ldata)[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--root", action="append", default=[])
    ap.add_argument("--align", type=int, default=4096)
    ap.add_argument("--prog", action="append", default=[])
    ap.add_argument("--add", action="append", default=[])
    ap.add_argument("--text", action="append", default=[])
    a = ap.parse_args()
    a.root = a.root or ["/"]
    arc = Archive(a.align)
    for spec in a.text:
        path, content = spec.split("=", 1)
        arc.add(path, content.encode(), 0o100644)
    for spec in a.prog:
        host, path = spec.split("=", 1)
        add_prog(arc, a.root, host, path)
    for spec in a.add:
        host, path = spec.split("=", 1)
        arc.add(path, open(host, "rb").read(), 0o100755)
    with open(a.out, "wb") as f:
        f.write(arc.finish())


if __name__ == "__main__":
    main()
