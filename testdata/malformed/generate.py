#!/usr/bin/env python3
"""Generates the malformed-ELF corpus: one file per bug class that loaders of other kernels
have crashed or been exploited on, each made from a valid fixture in ../bin by one
targeted edit, and EXPECTED.tsv, the exact outcome execcore must give for each
(exec-core/tests/malformed.rs checks every row, and that this script reproduces the
committed files byte for byte).

Usage: generate.py [OUTDIR]   (default: this directory)
"""
import os, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.join(HERE, "..", "bin")

PT_NULL, PT_LOAD, PT_INTERP, PT_NOTE, PT_PHDR = 0, 1, 3, 4, 6
PT_GNU_PROPERTY = 0x6474E553
PT_MIPS_ABIFLAGS, PT_MIPS_OPTIONS = 0x70000003, 0x70000002


class Elf:
    """A fixture's bytes with typed access to the file header and program headers."""

    def __init__(self, name):
        self.b = bytearray(open(os.path.join(BIN, name), "rb").read())
        self.is64 = self.b[4] == 2
        self.e = "<" if self.b[5] == 1 else ">"
        # (offset, format) of the header fields used here
        if self.is64:
            self.f = {"type": (16, "H"), "entry": (24, "Q"), "phoff": (32, "Q"), "shoff": (40, "Q"),
                      "ehsize": (52, "H"), "phentsize": (54, "H"), "phnum": (56, "H"), "shnum": (60, "H")}
            self.p = {"type": (0, "I"), "flags": (4, "I"), "offset": (8, "Q"), "vaddr": (16, "Q"),
                      "paddr": (24, "Q"), "filesz": (32, "Q"), "memsz": (40, "Q"), "align": (48, "Q")}
            self.phsize = 56
        else:
            self.f = {"type": (16, "H"), "entry": (24, "I"), "phoff": (28, "I"), "shoff": (32, "I"),
                      "ehsize": (40, "H"), "phentsize": (42, "H"), "phnum": (44, "H"), "shnum": (48, "H")}
            self.p = {"type": (0, "I"), "offset": (4, "I"), "vaddr": (8, "I"), "paddr": (12, "I"),
                      "filesz": (16, "I"), "memsz": (20, "I"), "flags": (24, "I"), "align": (28, "I")}
            self.phsize = 32

    def get(self, field):
        at, fmt = self.f[field]
        return struct.unpack_from(self.e + fmt, self.b, at)[0]

    def set(self, field, value):
        at, fmt = self.f[field]
        struct.pack_into(self.e + fmt, self.b, at, value)
        return self

    def ph_at(self, i):
        return self.get("phoff") + i * self.phsize

    def ph(self, i, field):
        at, fmt = self.p[field]
        return struct.unpack_from(self.e + fmt, self.b, self.ph_at(i) + at)[0]

    def set_ph(self, i, field, value):
        at, fmt = self.p[field]
        struct.pack_into(self.e + fmt, self.b, self.ph_at(i) + at, value)
        return self

    def move_ph(self, i, offset, vaddr):
        """Moves program header `i` to file offset `offset` and address `vaddr` (p_paddr too)."""
        return self.set_ph(i, "offset", offset).set_ph(i, "vaddr", vaddr).set_ph(i, "paddr", vaddr)

    def empty_load(self, offset, vaddr):
        """Turns the PT_NOTE into a page-aligned PT_LOAD of p_memsz 0 at `offset` and `vaddr`."""
        i = self.index(PT_NOTE)
        self.set_ph(i, "type", PT_LOAD).set_ph(i, "offset", offset).set_ph(i, "vaddr", vaddr)
        return self.set_ph(i, "filesz", 0).set_ph(i, "memsz", 0).set_ph(i, "align", 0x1000)

    def index(self, kind, nth=0):
        """Index of the nth program header of type `kind`."""
        found = [i for i in range(self.get("phnum")) if self.ph(i, "type") == kind]
        return found[nth]

    def append(self, data, align=8):
        """Appends `data` at an aligned offset past the end; returns that offset."""
        while len(self.b) % align:
            self.b.append(0)
        at = len(self.b)
        self.b += data
        return at

    def u32(self, at, value):
        struct.pack_into(self.e + "I", self.b, at, value)
        return self


def note(name, ntype, desc, e="<"):
    """An ELF note laid out as GNU property notes of ELF64 are: the name padded to 4 bytes,
    the descriptor starting and ending 8-byte aligned."""
    head = struct.pack(e + "III", len(name), len(desc), ntype) + name + b"\0" * (-len(name) % 4)
    head += b"\0" * (-len(head) % 8)
    return head + desc + b"\0" * (-len(desc) % 8)


def prop(pr_type, data, e="<"):
    return struct.pack(e + "II", pr_type, len(data)) + data + b"\0" * (-len(data) % 8)


AARCH64_AND = 0xC0000000  # GNU_PROPERTY_AARCH64_FEATURE_1_AND


def with_property_note(elf, desc, name=b"GNU\0"):
    """Points PT_GNU_PROPERTY (and nothing else) at a new NT_GNU_PROPERTY_TYPE_0 note."""
    data = note(name, 5, desc, elf.e)
    i = elf.index(PT_GNU_PROPERTY)
    at = elf.append(data)
    elf.set_ph(i, "offset", at).set_ph(i, "filesz", len(data)).set_ph(i, "memsz", len(data))
    return elf


def mips_options(elf, records):
    """Replaces the PT_MIPS_OPTIONS bytes (in place, same p_filesz) with `records`."""
    i = elf.index(PT_MIPS_OPTIONS)
    at, size = elf.ph(i, "offset"), elf.ph(i, "filesz")
    assert len(records) <= size
    elf.b[at:at + size] = records + bytes(size - len(records))
    return elf


def option(kind, size, info=0, e="<"):
    """A MIPS option record header (kind u8, size u8, section u16, info u32) padded to `size`."""
    rec = struct.pack(e + "BBHI", kind, size, 0, info)
    return rec + bytes(max(0, size - len(rec)))


def interp_path(elf, path):
    """Rewrites the PT_INTERP bytes in place (same p_offset) with `path` and its size."""
    i = elf.index(PT_INTERP)
    at = elf.ph(i, "offset")
    elf.b[at:at + len(path)] = path
    elf.set_ph(i, "filesz", len(path)).set_ph(i, "memsz", len(path))
    return elf


def cases():
    """(name, policy, interpreter, outcomes, elf, what) for every class; outcomes maps each
    profile (linux: the newest Linux, hardened, linux-6.1 where 6.1 differs, linux-X.Y.Z for
    a stable update where it matters) to its (expected, errno)."""
    S, D, PIE = "x86_64-static", "x86_64-dyn-pie", "bin/x86_64-static-pie"
    out = []

    def case(name, policy, interp, expected, errno, elf, what, hardened=None, v61=None, versions=None):
        """`expected`/`errno`: the Linux profile's outcome; `hardened`, `v61`: that
        profile's (expected, errno) where it differs; `versions`: more Linux versions'
        ("6.1.140": (expected, errno))."""
        outcomes = {"linux": (expected, errno), "hardened": hardened or (expected, errno)}
        if v61:
            outcomes["linux-6.1"] = v61
        for v, outcome in (versions or {}).items():
            outcomes["linux-" + v] = outcome
        out.append((name, policy, interp, outcomes, elf, what))

    # --- file and program header table
    for v in (0, 1, 0xFFFF):
        case(f"phentsize-{v:x}", "x86_64", "-",
             f"Elf {{ role: Main, error: BadProgramHeaderSize {{ found: {v}, expected: 56 }} }}", "ENOEXEC",
             Elf(S).set("phentsize", v), f"e_phentsize {v}")
    e = Elf(S).set("phnum", 0xFFFF).set("shoff", 0).set("shnum", 0)
    case("phnum-xnum-without-section0", "x86_64", "-",
         "Elf { role: Main, error: ProgramHeaderTableTooLarge { size: 3669960, cap: 65536 } }", "ENOEXEC",
         e, "e_phnum 0xffff (PN_XNUM) with no section header 0 to hold the real count (Linux's exec takes "
         "0xffff literally: a table over 64 KiB)",
         hardened=("Elf { role: Main, error: BadExtendedPhnum }", "ENOEXEC"),
         v61=("Elf { role: Main, error: ProgramHeaderTableTooLarge { size: 3669960, cap: 4096 } }", "ENOEXEC"))
    e = Elf(S)
    e.set("phoff", len(e.b) - 100)
    case("phtab-past-eof", "x86_64", "-",
         f"Elf {{ role: Main, error: ProgramHeaderTableOutsideFile {{ offset: {len(e.b) - 100}, size: 280 }} }}",
         "ENOEXEC", e, "program header table running past the end of the file")
    over = ("Elf { role: Main, error: ProgramHeaderTableTooLarge { size: 4200, cap: 4096 } }", "ENOEXEC")
    case("phtab-over-page", "x86_64", "-", "loads", "-",
         Elf(S).set("phnum", 75), "table of 75 entries (PT_NULL past the fixture's): over one page, which "
         "Linux 6.17 and later accept (up to 64 KiB), earlier ones and the hardened profile not",
         hardened=over, v61=over)
    case("phtab-over-64k", "aarch64-64k", "-",
         "Elf { role: Main, error: ProgramHeaderTableTooLarge { size: 67200, cap: 65536 } }", "ENOEXEC",
         Elf("aarch64-static").set("phnum", 1200), "table of 1200 entries: over the 64 KiB cap (64 KiB pages)")

    # --- PT_INTERP
    ip = Elf(D).ph(Elf(D).index(PT_INTERP), "offset")
    case("interp-no-nul", "x86_64", PIE, "Elf { role: Main, error: InterpreterNotTerminated }", "ENOEXEC",
         interp_path(Elf(D), b"/lib64/ld-linux-x86-64.so.2X"), "PT_INTERP whose last byte is not NUL")
    case("interp-nul-inside", "x86_64", PIE, "loads", "-",
         interp_path(Elf(D), b"/lib64\0ld-linux-x86-64.so.2\0"),
         "a NUL inside the interpreter path: Linux opens the path up to it",
         hardened=("Elf { role: Main, error: InterpreterEmbeddedNul { at: 6 } }", "ENOEXEC"))
    case("interp-empty-path", "x86_64", PIE, "InterpreterOpen(Errno(13))", "EACCES",
         interp_path(Elf(D), b"\0\0"), "PT_INTERP of two NULs: Linux opens the empty path, the current "
         "directory (EACCES)",
         hardened=("Elf { role: Main, error: InterpreterEmbeddedNul { at: 0 } }", "ENOEXEC"))
    for n in (0, 1):
        case(f"interp-len-{n}", "x86_64", PIE, f"Elf {{ role: Main, error: InterpreterTooShort {{ len: {n} }} }}",
             "ENOEXEC", interp_path(Elf(D), b"\0"[:n]), f"PT_INTERP of {n} bytes")
    e = Elf(D)
    e.set_ph(e.index(PT_INTERP), "filesz", 8192)
    case("interp-huge", "x86_64", PIE, "Elf { role: Main, error: InterpreterTooLong { len: 8192, cap: 4096 } }",
         "ENOEXEC", e, "PT_INTERP of 8 KiB, over PATH_MAX")
    e = Elf(D)
    i = e.index(PT_INTERP)
    e.set_ph(i, "offset", len(e.b) - 4)
    case("interp-past-eof", "x86_64", PIE,
         f"Elf {{ role: Main, error: ShortRead {{ offset: {len(e.b) - 4}, len: 28 }} }}", "EIO", e,
         "PT_INTERP whose bytes run past the end of the file (Linux's elf_read: EIO)",
         hardened=(f"Elf {{ role: Main, error: SegmentOutsideFile {{ index: {i} }} }}", "ENOEXEC"))
    e = Elf(D)
    second = e.index(PT_NOTE, 1)
    e.set_ph(second, "type", PT_INTERP).set_ph(second, "offset", ip).set_ph(second, "filesz", 28)
    case("interp-twice", "x86_64", PIE, "loads", "-", e, "two PT_INTERP headers: Linux uses the first",
         hardened=(f"Elf {{ role: Main, error: DuplicateInterpreter {{ index: {second} }} }}", "ENOEXEC"))
    notelf = bytearray(b"#!/bin/sh\necho not an ELF interpreter\n")
    case("interp-not-elf", "x86_64", "malformed/interp-not-elf.so",
         "Elf { role: Interpreter, error: ShortRead { offset: 0, len: 64 } }", "EIO",
         Elf(D), "the interpreter is a shell script, shorter than an ELF header (Linux's elf_read: EIO)",
         hardened=("InterpreterNotElf(BadMagic)", "ELIBBAD"))
    out.append(("interp-not-elf.so", None, None, None, notelf, "(the interpreter of interp-not-elf)"))
    case("interp-wrong-machine", "x86_64", "bin/aarch64-musl-dyn-pie",
         "InterpreterMismatch { what: Machine }", "ELIBBAD", Elf(D), "an aarch64 interpreter for an x86_64 program")
    case("interp-wrong-class", "mips", "bin/mips-n64-le-dyn-pie",
         "InterpreterMismatch { what: Class }", "84", Elf("mips-n32-le-dyn"),
         "an ELF64 (n64) interpreter for an ELF32 (n32) program")
    case("interp-wrong-abi", "mips", "bin/mips-o32-le-dyn-pie",
         "InterpreterMismatch { what: Abi }", "84", Elf("mips-n32-le-dyn"),
         "an o32 interpreter for an n32 program (same class and machine); ELIBBAD is 84 on MIPS")
    rel = Elf("x86_64-static-pie").set("type", 1)
    out.append(("interp-rel.so", None, None, None, rel.b, "(the interpreter of interp-et-rel)"))
    case("interp-et-rel", "x86_64", "malformed/interp-rel.so", "InterpreterNotLoadable(ElfType(1))", "EINVAL", Elf(D),
         "an ET_REL object as the interpreter (Linux's load_elf_interp: EINVAL)")

    # --- PT_LOAD
    e = Elf(S)
    e.set_ph(1, "filesz", e.ph(1, "memsz") + 1)
    case("filesz-over-memsz", "x86_64", "-", "FileSizeExceedsMemSize { index: 1 }", "EINVAL", e,
         "p_filesz > p_memsz")
    e = Elf(S)
    e.set_ph(2, "filesz", len(e.b))
    e.set_ph(2, "memsz", len(e.b))
    case("load-past-eof", "x86_64", "-", "loads", "-",
         e, "p_offset + p_filesz past the end of the file: Linux maps it (the missing pages fault when touched)",
         hardened=("Elf { role: Main, error: SegmentOutsideFile { index: 2 } }", "ENOEXEC"))
    e = Elf(S)
    e.set_ph(1, "vaddr", e.ph(1, "vaddr") + 0x10)
    case("vaddr-not-congruent", "x86_64", "-", "Misaligned { index: 1 }", "EINVAL", e,
         "p_vaddr and p_offset differ modulo the page size")
    e = Elf("x86_64-static-pie")
    for i in range(4):
        e.set_ph(e.index(PT_LOAD, i), "align", 1 << 47)
    case("align-2-47", "x86_64", "-", "NoSpace { what: MmapArea }", "ENOMEM", e,
         "an ET_DYN with p_align 2^47 on every PT_LOAD: no aligned place for it below the mmap base")
    for a in (0, 3):
        e = Elf(S)
        for i in range(3):
            e.set_ph(i, "align", a)
        case(f"align-{a}", "x86_64", "-", f"same-plan:bin/{S}", "-", e,
             f"p_align {a}: loads as page-aligned (the same plan as the fixture)")
    e = Elf(S)
    a, b = e.ph_at(0), e.ph_at(2)
    e.b[a:a + 56], e.b[b:b + 56] = e.b[b:b + 56], e.b[a:a + 56]
    case("loads-unsorted", "x86_64", "-", f"same-plan:bin/{S}", "-", e,
         "PT_LOADs in descending order: planned as sorted (Linux maps them in table order)")
    e = Elf(S)
    e.set_ph(0, "memsz", 0x1010)
    case("loads-overlapping", "x86_64", "-", "loads", "-", e,
         "the first PT_LOAD's bss runs into the second's bytes: Linux maps the second over it",
         hardened=("OverlappingSegments { first: 0, second: 1 }", "ENOEXEC"))
    e = Elf(S)
    e.set_ph(0, "memsz", 0x1010)
    e.empty_load(0x800, 0x400800)
    case("loads-overlapping-empty-between", "x86_64", "-", "loads", "-", e,
         "two overlapping PT_LOADs with an empty one sorted between them (planned overlapping mappings before)",
         hardened=("OverlappingSegments { first: 0, second: 1 }", "ENOEXEC"))
    e = Elf(S)
    # The read-only data (segment 2) moves into the text's page: the page is the later
    # segment's, read-only (never the union r-x + r-- = r-x, never W+X).
    e.move_ph(2, 0x1800, 0x401800)
    case("text-and-rodata-share-page", "x86_64", "-", "loads", "-", e,
         "an r-x and an r-- PT_LOAD share a page: Linux gives it the later one's protection",
         hardened=("SharedPageProtections { first: 1, second: 2 }", "ENOEXEC"))
    e = Elf(S)
    # Segment 1 (text, 0x401000) moves up 0x800 within its page's file bytes, and segment 0's
    # bss reaches into that page: the page holds bss zeros, then segment 1's bytes.
    e.set_ph(0, "memsz", 0x1400)
    e.move_ph(1, 0x1800, 0x401800)
    e.set_ph(1, "filesz", 0x20).set_ph(1, "memsz", 0x20)
    e.set("entry", 0x401800)
    case("bss-shares-page-with-next", "x86_64", "-", "loads", "-", e,
         "the first PT_LOAD's bss ends inside the page where the next PT_LOAD starts (its file bytes then "
         "replace the page: its bytes, its protection)",
         hardened=("SharedPageProtections { first: 0, second: 1 }", "ENOEXEC"))
    e = Elf(S)
    e.set_ph(2, "memsz", 0x3000)  # segment 2 is R (read-only data) with 0x3000 of bss
    case("readonly-with-bss", "x86_64", "-", "loads", "-", e,
         "a read-only PT_LOAD with bss: zero-filled after its file bytes, pages stay read-only")
    e = Elf(S)
    e.set_ph(2, "memsz", 0x3000)
    e.empty_load(0x800, 0x402800)
    case("load-empty-inside-last", "x86_64", "-", "same-plan:malformed/readonly-with-bss", "-", e,
         "a PT_LOAD of p_memsz 0 starting inside the highest one: the span, reservation and brk still "
         "end where the highest segment does (found by the c_abi fuzzer)")
    e = Elf(S)
    e.set_ph(2, "filesz", 0).set_ph(2, "memsz", 0x2000)
    case("load-filesz-0", "x86_64", "-", "loads", "-", e, "a PT_LOAD with p_filesz 0 (all bss)")
    e = Elf(S)
    e.move_ph(2, 0x1210, 0x402210)
    e.set_ph(2, "filesz", 0).set_ph(2, "memsz", 0x2000)
    case("load-filesz-0-unaligned", "x86_64", "-", "loads", "-", e,
         "a PT_LOAD with p_filesz 0 starting inside a page of its own: zeros from that page on "
         "(found by the elfmap fuzzer: the first page went unmapped)")
    e = Elf(S)
    e.set_ph(2, "memsz", (1 << 64) - 0x402000 + 0x10)
    case("vaddr-wrap", "x86_64", "-", "OutsideUserRange { index: 2 }", "EINVAL", e,
         "p_vaddr + p_memsz wraps around 2^64")
    e = Elf(S)
    e.set_ph(2, "memsz", 0x7FFF_FFFF_F000 - 0x402000 + 0x2000)
    case("vaddr-past-user-end", "x86_64", "-", "OutsideUserRange { index: 2 }", "EINVAL", e,
         "a PT_LOAD crossing the end of user space (0x7ffffffff000)")
    e = Elf(D)
    last = e.index(PT_LOAD, 3)
    e.set_ph(last, "memsz", 0x2AAA_AAAA_0000)
    case("pie-span-reaches-stack", "x86_64", PIE, "NoSpace { what: ImageOverlapsStack }", "ENOMEM", e,
         "a dynamic PIE (placed at ELF_ET_DYN_BASE) whose span, 42 TiB of bss, reaches the stack")
    e = Elf(S)
    for i in range(3):
        e.set_ph(i, "type", PT_NULL)
    case("no-load", "x86_64", "-", "NoLoadSegment", "ENOEXEC", e, "no PT_LOAD at all")
    e = Elf(S)
    table = bytes(e.b[e.get("phoff"):e.get("phoff") + 5 * 56])
    e.set("phoff", e.append(table))
    case("phdr-not-loaded", "x86_64", "-", "loads", "-", e,
         "e_phoff outside every PT_LOAD (table moved past the segments), no PT_PHDR: Linux passes the bias "
         "(0) as AT_PHDR", hardened=("ProgramHeadersNotLoaded", "ENOEXEC"))

    # --- identity fields Linux never reads
    case("ehsize-0", "x86_64", "-", f"same-plan:bin/{S}", "-", Elf(S).set("ehsize", 0),
         "e_ehsize 0 (hand-written tiny ELFs)",
         hardened=("Elf { role: Main, error: BadHeaderSize { found: 0, expected: 64 } }", "ENOEXEC"))
    e = Elf(S)
    e.b[6] = 0
    struct.pack_into("<I", e.b, 20, 0)
    case("version-0", "x86_64", "-", f"same-plan:bin/{S}", "-", e, "EI_VERSION and e_version 0",
         hardened=("Elf { role: Main, error: BadIdentVersion(0) }", "ENOEXEC"))
    e = Elf(S)
    e.b[5] = 2
    case("data-big-endian", "x86_64", "-", f"same-plan:bin/{S}", "-", e,
         "EI_DATA big endian on an x86_64 program: Linux reads its own byte order",
         hardened=("Elf { role: Main, error: BadVersion(16777216) }", "ENOEXEC"))

    # --- what Linux checks only where it maps
    e = Elf(S)
    e.set_ph(2, "offset", 0x2010).set_ph(2, "filesz", 0).set_ph(2, "memsz", 0x800)
    case("offset-incongruent-filesz-0", "x86_64", "-", "loads", "-", e,
         "p_offset not congruent with p_vaddr on a PT_LOAD with p_filesz 0 (never mapped from the file)",
         hardened=("Misaligned { index: 2 }", "EINVAL"))
    # 6.1.y from 6.1.140 maps the program with 6.7's elf_load (the stable backport).
    e = Elf(S)
    e.set_ph(2, "offset", 0x1234).set_ph(2, "vaddr", 0x402210).set_ph(2, "paddr", 0x402210)
    e.set_ph(2, "filesz", 0).set_ph(2, "memsz", 0x2000)
    misaligned = ("Misaligned { index: 2 }", "EINVAL")
    case("offset-incongruent-filesz-0-unaligned", "x86_64", "-", "loads", "-", e,
         "p_offset not congruent with an unaligned p_vaddr on a PT_LOAD with p_filesz 0: elf_load (6.7, "
         "6.1.140) maps nothing from the file, elf_map (before) maps the first page (mmap EINVAL, killed)",
         hardened=misaligned, v61=misaligned, versions={"6.1.139": misaligned, "6.1.140": ("loads", "-")})
    e = Elf(S)
    empty = e.index(PT_NOTE)
    e.set_ph(empty, "type", PT_LOAD).set_ph(empty, "flags", 6).set_ph(empty, "offset", 0x2010)
    e.set_ph(empty, "vaddr", 0x402010).set_ph(empty, "paddr", 0x402010)
    e.set_ph(empty, "filesz", 0).set_ph(empty, "memsz", 0x100).set_ph(empty, "align", 0x1000)
    case("load-filesz-0-inside-file-page", "x86_64", "-", "loads", "-", e,
         "a later PT_LOAD with p_filesz 0 starting inside the page of an earlier one's file bytes: elf_load "
         "(6.7, 6.1.140) makes the page anonymous and zero, elf_map (before) maps it from the file again",
         hardened=("OverlappingSegments { first: 2, second: 3 }", "ENOEXEC"), v61=("loads", "-"),
         versions={"6.1.140": ("loads", "-")})
    e = Elf(S)
    e.set_ph(2, "flags", 6).set_ph(2, "memsz", 0x800)
    del e.b[0x2000:]
    unzeroable = ("BssTailUnzeroable { index: 2 }", "EFAULT")
    case("bss-tail-page-past-eof", "x86_64", "-", *unzeroable, e,
         "a writable PT_LOAD with bss whose last file page lies past the end of the file: padzero faults "
         "(6.7 and later, elf_map before: EFAULT after the point of no return, refused before); 6.1.y's "
         "backported elf_load (6.1.140) ignores the failure and runs it",
         hardened=("Elf { role: Main, error: SegmentOutsideFile { index: 2 } }", "ENOEXEC"), v61=unzeroable,
         versions={"6.1.192": ("loads", "-")})
    e = Elf(D)
    e.set("entry", 0xFFFF_FFFF_FFFF_0000)
    case("entry-bad-with-interp", "x86_64", PIE, "loads", "-", e,
         "e_entry outside user space in a program with an interpreter (Linux checks only the interpreter's)",
         hardened=("BadEntry", "EINVAL"))
    e = Elf("x86_64-static-pie")
    for i in range(1, 4):
        n = e.index(PT_LOAD, i)
        for f in ("vaddr", "paddr"):
            e.set_ph(n, f, e.ph(n, f) + 0x10000)
    e.set_ph(0, "filesz", 0).set_ph(0, "memsz", 0)
    e.set("entry", e.get("entry") + 0x10000)
    case("dyn-empty-first-load", "x86_64", "-", "loads", "-", e,
         "an ET_DYN without interpreter whose first PT_LOAD is empty: Linux maps nothing for it and takes "
         "address 0 as its place, the rest at p_vaddr - its page (here 0x11000 on)",
         hardened=("ProgramHeadersNotLoaded", "ENOEXEC"))
    e = Elf("x86_64-static-pie")
    e.set_ph(0, "filesz", 0).set_ph(0, "memsz", 0)
    case("dyn-empty-first-load-low", "x86_64", "-", "OutsideUserRange { index: 1 }", "EINVAL", e,
         "the same with the rest below mmap_min_addr (0x1000 on): Linux's mmap fails after the point of no "
         "return (EPERM, killed); refused before", hardened=("ProgramHeadersNotLoaded", "ENOEXEC"))
    e = Elf("x86_64-static-pie")
    e.set_ph(0, "vaddr", 0x10).set_ph(0, "filesz", 0).set_ph(0, "memsz", 0)
    case("dyn-empty-first-load-unaligned", "x86_64", "-", "OutsideUserRange { index: 0 }", "EINVAL", e,
         "an empty first PT_LOAD at an unaligned p_vaddr: the bias is ELF_PAGESTART(0 - p_vaddr), the "
         "address elf_load returns for it (page of bias + p_vaddr = -4096) fails BAD_ADDR after the point of "
         "no return (killed); refused before", hardened=("Misaligned { index: 0 }", "EINVAL"))
    e = Elf("x86_64-static-pie")
    first, data = e.ph_at(0), e.ph_at(e.index(PT_LOAD, 3))
    e.b[first:first + 56], e.b[data:data + 56] = e.b[data:data + 56], e.b[first:first + 56]
    for i in range(4):
        e.set_ph(e.index(PT_LOAD, i), "align", 0x10000)
    at = "loads:main=0x7ffff7fec000,entry=0x7ffff7fed000,AT_PHDR=0x7ffff7fec040"
    case("static-pie-aligned-data-first", "x86_64", "-", at, "-", e,
         "a static-pie with 64 KiB p_align whose first PT_LOAD (table order) is its data at 0x3f30: Linux "
         "aligns the address it found for the whole span and takes ELF_PAGESTART(aligned - 0x3f30) as the "
         "bias, one page below aligned - 0x3000 (measured on 6.18)")
    e = Elf("aarch64-static").set_ph(0, "memsz", 0xFFFFFFFF)
    case("bss-over-ram", "aarch64-ram1g", "-", "CommitRefused { index: 0, bytes: 4294963200 }", "ENOMEM", e,
         "a 4 GiB bss on a machine of 1 GiB RAM and no swap (the arm64 oracle's): vm_brk_flags fails "
         "__vm_enough_memory's heuristic (ENOMEM) after the point of no return (killed); refused before")
    # 32-bit programs: the auxv holds 32-bit words; a 32-bit kernel wraps addresses at 4 GiB.
    O, OI = "mips-o32-le-dyn-pie", "bin/mips-o32-le-static"
    e = Elf(O)
    e.set("entry", (e.get("entry") - 0x10000) & 0xFFFFFFFF)
    for policy in ("mips", "mips32"):
        case(f"o32-entry-wraps-{policy}", policy, OI, "loads:AT_ENTRY=0x55540630,entry=0x400150", "-", e,
             "an o32 PIE whose e_entry is 0x630 - 0x10000: AT_ENTRY = bias + e_entry in 32 bits (a 64-bit "
             "kernel computes 0x155540630 and stores it in a 32-bit auxv word; a 32-bit kernel wraps); the "
             "hardened profile refuses an entry that wraps", hardened=("BadEntry", "EINVAL"))
    e = Elf(O)
    e.set_ph(e.index(PT_INTERP), "type", PT_NULL)
    e.set("entry", (e.get("entry") - 0x10000) & 0xFFFFFFFF)
    case("o32-static-pie-entry-wraps", "mips", "-", "BadEntry", "EINVAL", e,
         "an o32 ET_DYN without interpreter whose e_entry is 0x630 - 0x10000: a 64-bit kernel's bias + "
         "e_entry is past 4 GiB, BAD_ADDR after the point of no return (killed); refused before")
    case("o32-static-pie-entry-wraps-32", "mips32", "-", "loads:main=0x77fe0000,entry=0x77fd0630", "-", e,
         "the same on a 32-bit kernel: bias + e_entry wraps at 4 GiB, the process starts 0xf9d0 below its "
         "first page", hardened=("BadEntry", "EINVAL"))

    # --- GNU properties (aarch64: x86_64 reads them for reporting only)
    A = "aarch64-bti"
    case("property-over-1k", "aarch64", "-", "Elf { role: Main, error: PropertyTooLarge { size: 1136 } }", "ENOEXEC",
         with_property_note(Elf(A), prop(AARCH64_AND, struct.pack("<I", 1)) + bytes(1100)),
         "PT_GNU_PROPERTY of over 1 KiB (Linux's note buffer)")
    case("property-unsorted", "aarch64", "-", "Elf { role: Main, error: PropertyUnsorted { pr_type: 3221225464 } }",
         "ENOEXEC",
         with_property_note(Elf(A), prop(AARCH64_AND, struct.pack("<I", 1)) + prop(0xC0000000 - 8, b"\0" * 4)),
         "two properties in descending type order")
    case("property-namesz-5", "aarch64", "-", "Elf { role: Main, error: PropertyNoteInvalid }", "ENOEXEC",
         with_property_note(Elf(A), prop(AARCH64_AND, struct.pack("<I", 1)), name=b"GNU\0\0"),
         "property note with n_namesz 5")
    e = Elf(A)
    e.set_ph(2, "type", PT_LOAD).set_ph(2, "vaddr", 0x4021E4).set_ph(2, "offset", 0x1D19)
    e.set_ph(2, "filesz", 0).set_ph(2, "memsz", 1).set_ph(2, "align", 0).set_ph(2, "flags", 6)
    case("empty-load-small-align-incongruent", "aarch64", "-", "loads", "-", e,
         "a PT_LOAD with p_filesz 0, p_align 0 and p_offset not congruent with p_vaddr: never mapped from "
         "the file (elf_load), so not a program linked for smaller pages (the arm64 oracle runs it)",
         hardened=("Misaligned { index: 2 }", "EINVAL"))
    e = Elf(A)
    e.set_ph(2, "type", PT_GNU_PROPERTY)
    case("property-twice-last-valid", "aarch64", "-", "loads", "-", e,
         "two PT_GNU_PROPERTY, the first holding a build-id note: load_elf_binary keeps the last, valid one")
    e = Elf(A)
    e.set_ph(1, "type", PT_GNU_PROPERTY).set_ph(3, "offset", 0x178).set_ph(3, "filesz", 0x24)
    case("property-twice-last-bad", "aarch64", "-", "Elf { role: Main, error: PropertyNoteInvalid }", "ENOEXEC", e,
         "two PT_GNU_PROPERTY, the last holding a build-id note: that one is parsed (ENOEXEC)")
    e = with_property_note(Elf(A), prop(AARCH64_AND, struct.pack("<I", 1)))
    e.set_ph(e.index(PT_GNU_PROPERTY), "filesz", 15)
    at = e.ph(e.index(PT_GNU_PROPERTY), "offset")
    case("property-short", "aarch64", "-", f"Elf {{ role: Main, error: ShortRead {{ offset: {at}, len: 16 }} }}",
         "EIO", e, "PT_GNU_PROPERTY of 15 bytes: less than a note header and its name (Linux: EIO)")
    e = with_property_note(Elf(A), prop(AARCH64_AND, struct.pack("<I", 1)))
    at = len(e.b) - 8
    e.set_ph(e.index(PT_GNU_PROPERTY), "offset", at)
    case("property-past-eof", "aarch64", "-", f"Elf {{ role: Main, error: ShortRead {{ offset: {at}, len: 16 }} }}",
         "EIO", e, "PT_GNU_PROPERTY 8 bytes before the end of the file: Linux's read is short (EIO)")
    d = bytearray(prop(AARCH64_AND, struct.pack("<I", 1)))
    struct.pack_into("<I", d, 4, 0xFFFFFFF8)
    case("property-datasz-overflow", "aarch64", "-", "Elf { role: Main, error: PropertyMalformed { at: 0 } }",
         "ENOEXEC", with_property_note(Elf(A), bytes(d)),
         "pr_datasz 0xfffffff8: offset + size overflows 32 bits")

    # --- MIPS records
    M = "mips-n64-le-options"
    case("mips-option-size-0", "mips", "-", "Elf { role: Main, error: MipsOptionTooSmall { offset: 408, size: 0 } }",
         "ENOEXEC", mips_options(Elf(M), option(4, 0)),
         "an option record of size 0 (IRIX looped forever)")
    case("mips-option-size-4", "mips", "-", "Elf { role: Main, error: MipsOptionTooSmall { offset: 408, size: 4 } }",
         "ENOEXEC", mips_options(Elf(M), option(4, 4)[:8]),
         "an option record of size 4, smaller than its 8-byte header")
    case("mips-option-past-segment", "mips", "-",
         "Elf { role: Main, error: MipsOptionPastSegment { offset: 408, size: 64 } }", "ENOEXEC", mips_options(Elf(M), option(4, 0x40)[:8]),
         "an option record of 64 bytes in a 56-byte segment")
    e = Elf(M)
    e.set_ph(e.index(PT_MIPS_ABIFLAGS), "filesz", 20)
    case("mips-abiflags-short", "mips", "-", "Elf { role: Main, error: MipsAbiFlagsTooShort { size: 20 } }", "EINVAL",
         e, "PT_MIPS_ABIFLAGS of 20 bytes (needs 24; Linux's arch_elf_pt_proc: EINVAL)")
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else HERE
    os.makedirs(outdir, exist_ok=True)
    rows = ["name\tpolicy\tinterpreter\tprofile\texpected\terrno\twhat"]
    for name, policy, interp, outcomes, elf, what in cases():
        data = elf.b if isinstance(elf, Elf) else elf
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(bytes(data))
        if policy is not None:
            for profile, (expected, errno) in outcomes.items():
                rows.append("\t".join([name, policy, interp, profile, expected, errno, what]))
    with open(os.path.join(outdir, "EXPECTED.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


main()
