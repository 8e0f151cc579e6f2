#!/usr/bin/env python3
"""mips-options.py - check the PT_MIPS_OPTIONS segment of a MIPS ELF file.

usage: mips-options.py FILE KIND=INFO [KIND=INFO ...]

Finds the program header of type PT_MIPS_OPTIONS (0x70000002), reads the bytes it covers
from the file and walks the option records in it (Elf_Options: kind u8, size u8 = whole
record including the 8-byte header, section u16, info u32; byte order of the file, same
layout in ELF32 and ELF64). Prints every record. Fails (exit 1) when there is no such
header, when a record is malformed (size < 8 or running past the segment), or when a
wanted KIND=INFO pair (numbers in any Python base, e.g. 2=0x40f01 4=0x9) is missing.
Standard library only.
"""
import struct
import sys

PT_MIPS_OPTIONS = 0x70000002
KINDS = {0: "ODK_NULL", 1: "ODK_REGINFO", 2: "ODK_EXCEPTIONS", 3: "ODK_PAD", 4: "ODK_HWPATCH",
         5: "ODK_FILL", 6: "ODK_TAGS", 7: "ODK_HWAND", 8: "ODK_HWOR", 9: "ODK_GP_GROUP",
         10: "ODK_IDENT", 11: "ODK_PAGESIZE"}


def fail(msg):
    print(f"mips-options: {msg}", file=sys.stderr)
    sys.exit(1)


def main(argv):
    if len(argv) < 2:
        fail(__doc__.strip().splitlines()[2])
    path = argv[1]
    wanted = []
    for arg in argv[2:]:
        k, _, v = arg.partition("=")
        wanted.append((int(k, 0), int(v, 0)))
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF":
        fail(f"{path}: not an ELF file")
    is64 = {1: False, 2: True}.get(data[4])
    bo = {1: "<", 2: ">"}.get(data[5])
    if is64 is None or bo is None:
        fail(f"{path}: bad class or data byte")
    if is64:
        phoff, = struct.unpack_from(bo + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(bo + "HH", data, 0x36)
    else:
        phoff, = struct.unpack_from(bo + "I", data, 0x1C)
        phentsize, phnum = struct.unpack_from(bo + "HH", data, 0x2A)
    seg = None
    for i in range(phnum):
        off = phoff + i * phentsize
        if is64:
            p_type, _flags, p_offset, _va, _pa, p_filesz = struct.unpack_from(bo + "IIQQQQ", data, off)
        else:
            p_type, p_offset, _va, _pa, p_filesz = struct.unpack_from(bo + "IIIII", data, off)
        if p_type == PT_MIPS_OPTIONS:
            seg = (p_offset, p_filesz)
            break
    if seg is None:
        fail(f"{path}: no PT_MIPS_OPTIONS program header")
    start, size = seg
    if start + size > len(data):
        fail(f"{path}: PT_MIPS_OPTIONS runs past the end of the file")
    found = []
    pos = start
    while pos < start + size:
        if pos + 8 > start + size:
            fail(f"{path}: truncated record header at {pos:#x}")
        kind, rsize, section, info = struct.unpack_from(bo + "BBHI", data, pos)
        if rsize < 8 or pos + rsize > start + size:
            fail(f"{path}: record at {pos:#x} has bad size {rsize}")
        print(f"  {pos:#06x} {KINDS.get(kind, kind)} size={rsize} section={section} info={info:#x}")
        found.append((kind, info))
        pos += rsize
    for kind, info in wanted:
        if (kind, info) not in found:
            fail(f"{path}: no {KINDS.get(kind, kind)} record with info {info:#x}")
    print(f"  PT_MIPS_OPTIONS at {start:#x}+{size:#x}: {len(found)} records, all wanted ones present")


if __name__ == "__main__":
    main(sys.argv)
