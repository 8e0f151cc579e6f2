#!/usr/bin/env python3
"""Writes the seed corpora (fuzz/corpus/<target>/seed-*) from the project's fixtures and
the small programs of ../shared/corpus. Idempotent: rewrites only the seed-* files, never
what fuzzing added. Input layouts are those of fuzz/cases/src (`sections`)."""
import os, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SOURCES = [os.path.join(REPO, "testdata", "bin"), os.path.join(REPO, "..", "shared", "corpus", "bin")]
MAX_SEED = 16 * 1024  # small inputs keep the fuzzers fast


def frame(*parts):
    """The `sections` layout: u16 length before every part but the last."""
    out = b""
    for p in parts[:-1]:
        out += struct.pack("<H", len(p)) + p
    return out + parts[-1]


def ident(data):
    """(machine, class, endian, type, has PT_INTERP) of an ELF file, or None."""
    if data[:4] != b"\x7fELF" or len(data) < 64:
        return None
    cls, end = data[4], data[5]
    e = "<" if end == 1 else ">"
    etype, machine = struct.unpack_from(e + "HH", data, 16)
    if cls == 2:
        phoff, = struct.unpack_from(e + "Q", data, 32)
        phentsize, phnum = struct.unpack_from(e + "HH", data, 54)
    else:
        phoff, = struct.unpack_from(e + "I", data, 28)
        phentsize, phnum = struct.unpack_from(e + "HH", data, 42)
    interp = any(struct.unpack_from(e + "I", data, phoff + i * phentsize)[0] == 3
                 for i in range(phnum) if phoff + (i + 1) * phentsize <= len(data))
    return machine, cls, end, etype, interp


def programs():
    seen = {}
    for d in SOURCES:
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if not os.path.isfile(path) or os.path.getsize(path) > MAX_SEED:
                continue
            data = open(path, "rb").read()
            info = ident(data)
            if info and data not in seen.values():
                seen[name] = data
                yield name, data, info


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def main():
    progs = list(programs())
    if not progs:
        sys.exit("seed.py: no fixtures found")
    # An interpreter for each (machine, class, endian): the smallest ET_DYN of that kind.
    interps = {}
    for name, data, (m, c, e, t, _) in sorted(progs, key=lambda p: len(p[1])):
        if t == 3:
            interps.setdefault((m, c, e), data)
    for name, data, (m, c, e, t, has_interp) in progs:
        for target in ("header", "notes", "mips_records"):
            if target != "mips_records" or m in (8, 10):
                write(target, name, data)
        interp = interps.get((m, c, e), b"") if has_interp else b""
        # Options byte: mode in bits 0-1; one seed per load mode.
        for mode in range(3):
            write("exec", f"{name}-mode{mode}", frame(bytes([mode]), data, interp))
        arch = {62: 0, 183: 1, 8: 2, 10: 2, 243: 4}.get(m, 5)  # Input.arch, the first byte arbitrary reads
        write("c_abi", name, frame(data, interp, bytes([arch]) + bytes(63)))
        # elfmap options: mode, table source (0: the object's own), page size / free range /
        # own range taken, free range base >> 28, failing call.
        for opts in ([0, 0, 2, 7, 0], [1, 0, 6, 7, 0], [2, 0, 0, 0, 0]):
            write("elfmap", f"{name}-mode{opts[0]}", frame(bytes(opts), data, b""))
        if c == 2 and e == 1:
            phoff, = struct.unpack_from("<Q", data, 32)
            phnum, = struct.unpack_from("<H", data, 56)
            table = data[phoff:phoff + 56 * phnum]
            write("elfmap", f"{name}-table", frame(bytes([0, 1, 2, 7, 0]), data, table))
    for i, arg in enumerate([b"", b"\x00" * 64, bytes(range(256))]):
        write("stack", f"args{i}", arg)
    print(f"seed.py: {len(progs)} programs, {len(interps)} interpreters")


main()
