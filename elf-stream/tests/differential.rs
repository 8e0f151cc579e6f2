//! Differential test against the `object` crate: file header, every program header,
//! interpreter path, notes and GNU properties (plus MIPS ABI flags and option records,
//! decoded independently from `object`'s segment bytes) for
//! (a) every ELF in `testdata/bin`, (b) every ELF in the shared corpus when present, and
//! (c) a deterministic sample of the host's ELF files.
//!
//! Where elf-stream rejects what `object` accepts (a program header table over the 4 KiB cap,
//! a property note Linux would refuse, ...), an independent check confirms that the
//! rejection is the right one. Any mismatch fails.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod common;

use common::{corpus_dir, corpus_files, fixture_files, host_files, read};
use elf_stream::{
    Class, ElfFile, Endian, Error, Limits, MipsAbiFlags, OptionKind, ProgramHeader, ProgramType, ReadAt,
    GNU_PROPERTY_AARCH64_FEATURE_1_AND, GNU_PROPERTY_X86_FEATURE_1_AND, MAX_PROPERTY_SEGMENT, PATH_MAX,
};
use object::read::elf::{FileHeader as ObjHeader, NoteIterator, ProgramHeader as ObjPhdr};
use object::Endianness;
use std::collections::BTreeMap;
use std::path::Path;

const HOST_CAP: usize = 400;

#[derive(Default, Debug)]
struct Stats {
    compared: usize,
    skipped: usize,
    phdrs: usize,
    interps: usize,
    notes: usize,
    property_notes: usize,
    aarch64_features: usize,
    x86_features: usize,
    large_tables: usize,
    rejections_confirmed: BTreeMap<&'static str, usize>,
    mips_abiflags: usize,
    mips_options: usize,
    mismatches: Vec<String>,
    /// Files (or parts of files) elf-stream rightly rejects, for the log.
    rejected_files: Vec<String>,
}

impl Stats {
    fn mismatch(&mut self, what: &str, msg: String) {
        self.mismatches.push(format!("{what}: {msg}"));
    }

    fn confirmed_in(&mut self, what: &str, e: &Error) {
        self.confirmed(e);
        self.rejected_files.push(format!("{what}: {}", e.kind()));
    }

    fn confirmed(&mut self, e: &Error) {
        *self.rejections_confirmed.entry(e.kind()).or_default() += 1;
    }
}

macro_rules! check_eq {
    ($stats:expr, $what:expr, $field:expr, $ours:expr, $theirs:expr) => {{
        let (ours, theirs) = ($ours, $theirs);
        if ours != theirs {
            $stats.mismatch($what, format!("{}: elf-stream {:?}, object {:?}", $field, ours, theirs));
        }
    }};
}

/// Compares one file; `source` builds a fresh elf-stream source for it.
fn compare_file<R: ReadAt>(stats: &mut Stats, what: &str, data: &[u8], source: impl Fn() -> R) {
    match data.get(4) {
        Some(1) => compare::<object::elf::FileHeader32<Endianness>, R>(stats, what, data, source),
        Some(2) => compare::<object::elf::FileHeader64<Endianness>, R>(stats, what, data, source),
        _ => stats.skipped += 1,
    }
}

fn compare<Elf: ObjHeader<Endian = Endianness>, R: ReadAt>(
    stats: &mut Stats,
    what: &str,
    data: &[u8],
    source: impl Fn() -> R,
) where
    Elf::Word: From<u32>,
{
    // The reference first: files object cannot parse are skipped.
    let Ok(h) = Elf::parse(data) else { return stats.skipped += 1 };
    let Ok(endian) = h.endian() else { return stats.skipped += 1 };
    let (Ok(phnum), Ok(phdrs)) = (h.phnum(endian, data), h.program_headers(endian, data)) else {
        return stats.skipped += 1;
    };
    let phentsize = usize::from(h.e_phentsize(endian));
    let table = phnum as u64 * phentsize as u64;
    // elf-stream, with Linux's 4 KiB default, then (for a larger table) its 64 KiB limit.
    let elf: ElfFile<R> = match ElfFile::open(source()) {
        Ok(elf) => elf,
        Err(e @ Error::ProgramHeaderTableTooLarge { size, cap: 4096 }) => {
            // Independent check: the table really is larger than a 4 KiB page.
            if size != table || table <= 4096 {
                return stats.mismatch(what, format!("rejected with {e:?} but the table is {table} bytes"));
            }
            stats.confirmed(&e);
            stats.large_tables += 1;
            match ElfFile::open_with(source(), Limits::for_page_size(65536)) {
                Ok(elf) => elf,
                Err(e) => return stats.mismatch(what, format!("rejected with 64 KiB limit: {e:?}")),
            }
        }
        Err(e) => {
            // Independent check of the header rules, from object's view of the header.
            let class = if Elf::is_type_64_sized() { Class::Elf64 } else { Class::Elf32 };
            let expected = if h.e_version(endian) != 1 {
                Error::BadVersion(h.e_version(endian))
            } else if usize::from(h.e_ehsize(endian)) != class.header_size() {
                Error::BadHeaderSize { found: h.e_ehsize(endian), expected: class.header_size() as u16 }
            } else if phentsize != class.program_header_size() {
                Error::BadProgramHeaderSize {
                    found: phentsize as u16,
                    expected: class.program_header_size() as u16,
                }
            } else {
                return stats.mismatch(what, format!("elf-stream rejects a file object reads: {e:?}"));
            };
            if e != expected {
                return stats.mismatch(what, format!("rejected with {e:?}, expected {expected:?}"));
            }
            stats.confirmed(&e);
            stats.rejected_files.push(format!("{what}: {}", e.kind()));
            return;
        }
    };
    stats.compared += 1;

    // File header.
    let ours = elf.header();
    let class = if Elf::is_type_64_sized() { Class::Elf64 } else { Class::Elf32 };
    let ident = h.e_ident();
    check_eq!(stats, what, "class", ours.class, class);
    check_eq!(
        stats,
        what,
        "endian",
        ours.endian,
        if endian == Endianness::Little { Endian::Little } else { Endian::Big }
    );
    check_eq!(stats, what, "os_abi", ours.os_abi, ident.os_abi);
    check_eq!(stats, what, "abi_version", ours.abi_version, ident.abi_version);
    check_eq!(stats, what, "e_type", ours.elf_type.get(), h.e_type(endian));
    check_eq!(stats, what, "e_machine", ours.machine.get(), h.e_machine(endian));
    check_eq!(stats, what, "e_entry", ours.entry.get(), h.e_entry(endian).into());
    check_eq!(stats, what, "e_phoff", ours.phoff.get(), h.e_phoff(endian).into());
    check_eq!(stats, what, "e_shoff", ours.shoff.get(), h.e_shoff(endian).into());
    check_eq!(stats, what, "e_flags", ours.flags, h.e_flags(endian));
    check_eq!(stats, what, "e_ehsize", ours.ehsize, h.e_ehsize(endian));
    check_eq!(stats, what, "e_phentsize", ours.phentsize, h.e_phentsize(endian));
    check_eq!(stats, what, "e_phnum", ours.phnum, h.e_phnum(endian));
    check_eq!(stats, what, "e_shentsize", ours.shentsize, h.e_shentsize(endian));
    check_eq!(stats, what, "e_shnum", ours.shnum, h.e_shnum(endian));
    check_eq!(stats, what, "e_shstrndx", ours.shstrndx, h.e_shstrndx(endian));
    check_eq!(stats, what, "phnum", elf.phnum() as usize, phnum);

    // Every program header (object returns none when e_phoff is 0).
    let ours: Vec<ProgramHeader> = match elf.program_headers().collect() {
        Ok(v) => v,
        Err(e) => return stats.mismatch(what, format!("program headers: {e:?}")),
    };
    if h.e_phoff(endian).into() != 0 || phnum == 0 {
        check_eq!(stats, what, "program header count", ours.len(), phdrs.len());
    }
    for (o, t) in ours.iter().zip(phdrs) {
        let i = o.index;
        check_eq!(stats, what, format!("p_type[{i}]"), o.kind.get(), t.p_type(endian));
        check_eq!(stats, what, format!("p_flags[{i}]"), o.flags.get(), t.p_flags(endian));
        check_eq!(stats, what, format!("p_offset[{i}]"), o.offset.get(), t.p_offset(endian).into());
        check_eq!(stats, what, format!("p_vaddr[{i}]"), o.vaddr.get(), t.p_vaddr(endian).into());
        check_eq!(stats, what, format!("p_paddr[{i}]"), o.paddr, t.p_paddr(endian).into());
        check_eq!(stats, what, format!("p_filesz[{i}]"), o.filesz, t.p_filesz(endian).into());
        check_eq!(stats, what, format!("p_memsz[{i}]"), o.memsz, t.p_memsz(endian).into());
        check_eq!(stats, what, format!("p_align[{i}]"), o.align, t.p_align(endian).into());
        stats.phdrs += 1;
    }
    let segs: Vec<(&ProgramHeader, &Elf::ProgramHeader)> = ours.iter().zip(phdrs).collect();
    let of_type = |t: ProgramType| segs.iter().filter(move |(o, _)| o.kind == t).copied();

    // Interpreter: object's path, and an independent check of every rule elf-stream applies.
    let mut path = [0u8; PATH_MAX];
    let got = elf.interpreter(&mut path).map(|p| p.map(<[u8]>::to_vec));
    let interps: Vec<_> = of_type(ProgramType::INTERP).collect();
    let expected: Result<Option<Vec<u8>>, Error> = match interps.as_slice() {
        [] => Ok(None),
        [_, second, ..] => Err(Error::DuplicateInterpreter { index: second.0.index }),
        [(o, t)] => {
            let len = o.filesz;
            match t.data(endian, data) {
                _ if len < 2 => Err(Error::InterpreterTooShort { len }),
                _ if len > PATH_MAX as u64 => Err(Error::InterpreterTooLong { len, cap: PATH_MAX as u64 }),
                Err(()) => Err(Error::SegmentOutsideFile { index: o.index }),
                Ok(bytes) => match bytes.iter().position(|&b| b == 0) {
                    _ if bytes.last() != Some(&0) => Err(Error::InterpreterNotTerminated),
                    Some(at) if at + 1 < bytes.len() => Err(Error::InterpreterEmbeddedNul { at: at as u64 }),
                    _ => {
                        // Valid: it must be what object reads.
                        let theirs = t.interpreter(endian, data).ok().flatten().map(<[u8]>::to_vec);
                        check_eq!(
                            stats,
                            what,
                            "interpreter (object)",
                            Some(bytes[..bytes.len() - 1].to_vec()),
                            theirs
                        );
                        Ok(Some(bytes[..bytes.len() - 1].to_vec()))
                    }
                },
            }
        }
    };
    check_eq!(stats, what, "interpreter", &got, &expected);
    if let Err(e) = &got {
        if got == expected {
            stats.confirmed_in(what, e);
        }
    } else if matches!(got, Ok(Some(_))) {
        stats.interps += 1;
    }

    // Notes of every PT_NOTE and PT_GNU_PROPERTY segment, against object's note iterator
    // (same alignment rule: 8 when p_align is 8, else 4).
    for (o, t) in
        segs.iter().filter(|(o, _)| o.kind == ProgramType::NOTE || o.kind == ProgramType::GNU_PROPERTY)
    {
        let ours = elf.notes(o);
        let Ok(bytes) = t.data(endian, data) else {
            check_eq!(
                stats,
                what,
                format!("notes[{}]", o.index),
                ours.err(),
                Some(Error::SegmentOutsideFile { index: o.index })
            );
            continue;
        };
        let ours: Vec<_> = match ours {
            Ok(it) => it.collect(),
            Err(e) => return stats.mismatch(what, format!("notes[{}]: {e:?}", o.index)),
        };
        let align = if o.align == 8 { 8u32 } else { 4 };
        let theirs: Vec<_> = NoteIterator::<Elf>::new(endian, align.into(), bytes).unwrap().collect();
        check_eq!(stats, what, format!("note count[{}]", o.index), ours.len(), theirs.len());
        for (k, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            let w = format!("note[{}][{k}]", o.index);
            match (a, b) {
                (Ok(a), Ok(b)) => {
                    check_eq!(stats, what, format!("{w} n_type"), a.n_type, b.n_type(endian));
                    check_eq!(stats, what, format!("{w} namesz"), a.namesz, b.n_namesz(endian));
                    let raw = b.name_bytes();
                    let shown = (raw.len() <= 16).then(|| raw.strip_suffix(&[0]).unwrap_or(raw));
                    check_eq!(stats, what, format!("{w} name"), a.name(), shown);
                    let desc_at =
                        o.offset.get() + (b.desc().as_ptr() as usize - bytes.as_ptr() as usize) as u64;
                    check_eq!(
                        stats,
                        what,
                        format!("{w} desc"),
                        (a.desc.offset.get(), a.desc.size),
                        (desc_at, b.desc().len() as u64)
                    );
                    stats.notes += 1;
                }
                (Err(e @ Error::NoteMalformed { .. }), Err(_)) => stats.confirmed_in(what, e),
                _ => stats.mismatch(what, format!("{w}: elf-stream {a:?}, object {b:?}")),
            }
        }
    }

    // GNU properties: Linux's rules, checked independently; values against object's parse
    // of the note in the same segment.
    let machine = elf.header().machine.get();
    let got = elf.gnu_properties();
    let props: Vec<_> = of_type(ProgramType::GNU_PROPERTY).collect();
    let expected = match props.as_slice() {
        [] => Ok(None),
        // Linux keeps the last PT_GNU_PROPERTY.
        [.., (o, t)] => {
            if o.filesz > MAX_PROPERTY_SEGMENT as u64 {
                Err(Error::PropertyTooLarge { size: o.filesz })
            } else {
                match t.data(endian, data) {
                    Err(()) => Err(Error::SegmentOutsideFile { index: o.index }),
                    Ok(bytes) => {
                        let linux = linux_properties(bytes, class, ours_endian(endian), machine);
                        if let Ok(p) = &linux {
                            // Same values as object's parse of the same note.
                            let theirs = object_properties::<Elf>(endian, o.align, bytes, machine);
                            check_eq!(stats, what, "GNU properties (object)", Some(*p), theirs);
                            stats.property_notes += 1;
                            stats.aarch64_features += usize::from(p.0.is_some());
                            stats.x86_features += usize::from(p.1.is_some());
                        }
                        linux.map(Some)
                    }
                }
            }
        }
    };
    let got_simple = got.map(|p| p.map(|p| (p.aarch64_feature_1_and, p.x86_feature_1_and, p.count)));
    check_eq!(stats, what, "GNU properties", &got_simple, &expected);
    if let (Err(e), true) = (&got_simple, got_simple == expected) {
        stats.confirmed_in(what, e);
    }

    // MIPS records, decoded independently from object's segment bytes.
    let got = elf.mips_abiflags();
    let flags: Vec<_> = of_type(ProgramType::MIPS_ABIFLAGS).collect();
    let expected = match flags.as_slice() {
        [] => Ok(None),
        [_, second, ..] => Err(Error::DuplicateSegment { kind: "MIPS_ABIFLAGS", index: second.0.index }),
        [(o, _)] if o.filesz < 24 => Err(Error::MipsAbiFlagsTooShort { size: o.filesz }),
        [(o, t)] => match t.data(endian, data) {
            Err(()) => Err(Error::SegmentOutsideFile { index: o.index }),
            Ok(b) => Ok(Some(decode_abiflags(b, ours_endian(endian)))),
        },
    };
    check_eq!(stats, what, "MIPS ABI flags", &got, &expected);
    if matches!(got, Ok(Some(_))) {
        stats.mips_abiflags += 1;
    }
    for (o, t) in of_type(ProgramType::MIPS_OPTIONS) {
        let Ok(bytes) = t.data(endian, data) else {
            check_eq!(
                stats,
                what,
                "MIPS options",
                elf.mips_options(o).err(),
                Some(Error::SegmentOutsideFile { index: o.index })
            );
            continue;
        };
        let ours: Vec<_> = match elf.mips_options(o) {
            Ok(it) => it
                .map(|r| {
                    r.map(|r| (r.kind, r.size, r.section, r.info, r.payload.offset.get(), r.payload.size))
                })
                .collect(),
            Err(e) => return stats.mismatch(what, format!("MIPS options: {e:?}")),
        };
        check_eq!(
            stats,
            what,
            "MIPS options",
            ours,
            decode_options(bytes, o.offset.get(), ours_endian(endian))
        );
        stats.mips_options += 1;
    }
}

fn ours_endian(e: Endianness) -> Endian {
    if e == Endianness::Little {
        Endian::Little
    } else {
        Endian::Big
    }
}

fn u32_at(b: &[u8], at: usize, e: Endian) -> u32 {
    let a: [u8; 4] = b[at..at + 4].try_into().unwrap();
    match e {
        Endian::Little => u32::from_le_bytes(a),
        Endian::Big => u32::from_be_bytes(a),
    }
}

fn u16_at(b: &[u8], at: usize, e: Endian) -> u16 {
    let a: [u8; 2] = b[at..at + 2].try_into().unwrap();
    match e {
        Endian::Little => u16::from_le_bytes(a),
        Endian::Big => u16::from_be_bytes(a),
    }
}

type Props = (Option<u32>, Option<u32>, u32);

/// Linux's `parse_elf_properties` (fs/binfmt_elf.c), written out plainly with indexing.
fn linux_properties(note: &[u8], class: Class, e: Endian, machine: u16) -> Result<Props, Error> {
    let align = if class == Class::Elf64 { 8 } else { 4 };
    if note.len() < 16 {
        return Err(Error::PropertyNoteInvalid);
    }
    let (namesz, descsz, n_type) = (u32_at(note, 0, e), u32_at(note, 4, e), u32_at(note, 8, e));
    if n_type != 5 || namesz != 4 || &note[12..16] != b"GNU\0" {
        return Err(Error::PropertyNoteInvalid);
    }
    let mut off = 16usize;
    if descsz as usize > note.len() - off {
        return Err(Error::PropertyNoteInvalid);
    }
    let end = off + descsz as usize;
    let (mut aarch64, mut x86, mut count, mut prev) = (None, None, 0u32, None::<u32>);
    while off != end {
        let at = (off - 16) as u32;
        let left = end - off;
        if left < 8 {
            return Err(Error::PropertyMalformed { at });
        }
        let (pr_type, datasz) = (u32_at(note, off, e), u32_at(note, off + 4, e) as usize);
        if datasz > left - 8 {
            return Err(Error::PropertyMalformed { at });
        }
        let step = datasz.div_ceil(align) * align;
        if step > left - 8 {
            return Err(Error::PropertyMalformed { at });
        }
        if prev.is_some_and(|p| pr_type <= p) {
            return Err(Error::PropertyUnsorted { pr_type });
        }
        prev = Some(pr_type);
        count += 1;
        let slot = match (machine, pr_type) {
            (183, GNU_PROPERTY_AARCH64_FEATURE_1_AND) => Some(&mut aarch64),
            (3 | 62, GNU_PROPERTY_X86_FEATURE_1_AND) => Some(&mut x86),
            _ => None,
        };
        if let Some(slot) = slot {
            if datasz != 4 {
                return Err(Error::PropertyBadSize { pr_type, size: datasz as u32 });
            }
            *slot = Some(u32_at(note, off + 8, e));
        }
        off += 8 + step;
    }
    Ok((aarch64, x86, count))
}

/// The same values from object's note and property iterators (first note of the segment).
fn object_properties<Elf: ObjHeader<Endian = Endianness>>(
    endian: Endianness,
    p_align: u64,
    bytes: &[u8],
    machine: u16,
) -> Option<Props>
where
    Elf::Word: From<u32>,
{
    let align: u32 = if p_align == 8 { 8 } else { 4 };
    let mut notes = NoteIterator::<Elf>::new(endian, align.into(), bytes).ok()?;
    let note = notes.next().ok()??;
    let mut props = note.gnu_properties(endian)?;
    let (mut aarch64, mut x86, mut count) = (None, None, 0u32);
    while let Some(p) = props.next().ok()? {
        count += 1;
        match (machine, p.pr_type()) {
            (183, GNU_PROPERTY_AARCH64_FEATURE_1_AND) => aarch64 = p.data_u32(endian).ok(),
            (3 | 62, GNU_PROPERTY_X86_FEATURE_1_AND) => x86 = p.data_u32(endian).ok(),
            _ => {}
        }
    }
    Some((aarch64, x86, count))
}

fn decode_abiflags(b: &[u8], e: Endian) -> MipsAbiFlags {
    MipsAbiFlags {
        version: u16_at(b, 0, e),
        isa_level: b[2],
        isa_rev: b[3],
        gpr_size: b[4],
        cpr1_size: b[5],
        cpr2_size: b[6],
        fp_abi: b[7],
        isa_ext: u32_at(b, 8, e),
        ases: u32_at(b, 12, e),
        flags1: u32_at(b, 16, e),
        flags2: u32_at(b, 20, e),
    }
}

type OptionRecord = (OptionKind, u8, u16, u32, u64, u64);

fn decode_options(b: &[u8], base: u64, e: Endian) -> Vec<Result<OptionRecord, Error>> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < b.len() {
        let offset = base + pos as u64;
        if b.len() - pos < 2 {
            out.push(Err(Error::MipsOptionPastSegment { offset, size: 0 }));
            break;
        }
        let size = b[pos + 1];
        if size < 8 {
            out.push(Err(Error::MipsOptionTooSmall { offset, size }));
            break;
        }
        if pos + usize::from(size) > b.len() {
            out.push(Err(Error::MipsOptionPastSegment { offset, size }));
            break;
        }
        out.push(Ok((
            OptionKind(b[pos]),
            size,
            u16_at(b, pos + 2, e),
            u32_at(b, pos + 4, e),
            offset + 8,
            u64::from(size) - 8,
        )));
        pos += usize::from(size);
    }
    out
}

/// Cross-checks a folder's `ELF-SUMMARY.tsv` (class, data, e_type, interp, program header
/// types as readelf names them) when it has one.
fn check_summary_tsv(stats: &mut Stats, dir: &Path) -> usize {
    let Ok(tsv) = std::fs::read_to_string(dir.join("ELF-SUMMARY.tsv")) else { return 0 };
    // Only the corpus's format: name, class, data, e_type, e_flags, interp, phdrs.
    if tsv.lines().next() != Some("name\tclass\tdata\te_type\te_flags\tinterp\tphdrs") {
        return 0;
    }
    let mut n = 0;
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [name, class, data, e_type, _flags, interp, phdrs] = cols[..] else { continue };
        let path = dir.join(name);
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let what = path.display().to_string();
        let Ok(elf) = ElfFile::<&[u8]>::open(&bytes[..]) else {
            stats.mismatch(&what, "elf-stream rejects a summarised file".into());
            continue;
        };
        let h = elf.header();
        check_eq!(stats, &what, "summary class", h.class.name(), class);
        check_eq!(stats, &what, "summary data", if h.endian == Endian::Little { "LE" } else { "BE" }, data);
        check_eq!(stats, &what, "summary e_type", h.elf_type.name().unwrap_or("?"), e_type);
        let mut buf = [0u8; PATH_MAX];
        let ours = elf.interpreter(&mut buf).ok().flatten().map(|p| String::from_utf8_lossy(p).into_owned());
        check_eq!(stats, &what, "summary interp", ours.as_deref().unwrap_or("-"), interp);
        let names: Vec<String> = elf
            .program_headers()
            .map(|p| {
                let p = p.unwrap();
                let name = p.kind.name().map_or_else(|| format!("{:#x}", p.kind.get()), str::to_owned);
                name.strip_prefix("MIPS_").map(str::to_owned).unwrap_or(name)
            })
            .collect();
        check_eq!(stats, &what, "summary phdrs", names.join(","), phdrs);
        n += 1;
    }
    n
}

#[test]
#[cfg_attr(miri, ignore = "compares hundreds of host and corpus files")]
fn differential_against_object() {
    let mut stats = Stats::default();

    // (a) fixtures and (b) the corpus, from memory.
    let fixtures = fixture_files();
    let corpus = corpus_files();
    for path in &fixtures {
        let data = read(path);
        compare_file(&mut stats, &path.display().to_string(), &data, || &data[..]);
    }
    let fixtures_compared = stats.compared;
    for path in &corpus {
        let data = read(path);
        compare_file(&mut stats, &path.display().to_string(), &data, || &data[..]);
    }
    let corpus_compared = stats.compared - fixtures_compared;

    // (c) host files, read by elf-stream through std::fs::File.
    let host = host_files(HOST_CAP);
    let before = stats.compared;
    for path in &host {
        let Ok(data) = std::fs::read(path) else { continue };
        let Ok(file) = std::fs::File::open(path) else { continue };
        compare_file(&mut stats, &path.display().to_string(), &data, || &file);
    }
    let host_compared = stats.compared - before;

    // (d) synthetic images with what real files on this host lack (FEATURE_1_AND in every
    // class and byte order, PN_XNUM, a table over 4 KiB): not counted as real files.
    let before = (stats.compared, stats.aarch64_features, stats.x86_features, stats.large_tables);
    for (i, img) in synthetic_images().iter().enumerate() {
        compare_file(&mut stats, &format!("synthetic image {i}"), &img.bytes, || &img.bytes[..]);
    }
    let synthetic = stats.compared - before.0;
    stats.compared = before.0;
    assert!(stats.aarch64_features - before.1 >= 4 && stats.x86_features - before.2 >= 4);
    assert!(stats.large_tables > before.3);

    // Known facts of the corpus: `*-options` files carry ODK_EXCEPTIONS 0x11f18 and ODK_HWPATCH 0x9.
    let mut options_files = 0;
    for path in corpus.iter().filter(|p| p.to_string_lossy().ends_with("-options")) {
        let data = read(path);
        let elf = ElfFile::<&[u8]>::open(&data[..]).unwrap();
        let seg = elf.unique_segment(ProgramType::MIPS_OPTIONS).unwrap().expect("PT_MIPS_OPTIONS");
        let records: Vec<_> = elf.mips_options(&seg).unwrap().map(|r| r.unwrap()).collect();
        let info = |k: OptionKind| records.iter().find(|r| r.kind == k).map(|r| r.info);
        if info(OptionKind::EXCEPTIONS) != Some(0x11f18) || info(OptionKind::HWPATCH) != Some(0x9) {
            stats.mismatch(&path.display().to_string(), format!("options records {records:?}"));
        }
        options_files += 1;
    }
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata");
    let summarised =
        check_summary_tsv(&mut stats, &corpus_dir()) + check_summary_tsv(&mut stats, &testdata.join("bin"));

    println!(
        "differential: {} files compared ({fixtures_compared} of {} fixtures, {corpus_compared} of {} corpus, {} of {} host files sampled), {} skipped",
        stats.compared,
        fixtures.len(),
        corpus.len(),
        host_compared,
        host.len(),
        stats.skipped
    );
    println!(
        "  {} program headers, {} interpreters, {} notes, {} property notes ({} AArch64 FEATURE_1_AND, {} x86 FEATURE_1_AND), {} MIPS ABI flags, {} MIPS option segments",
        stats.phdrs,
        stats.interps,
        stats.notes,
        stats.property_notes,
        stats.aarch64_features,
        stats.x86_features,
        stats.mips_abiflags,
        stats.mips_options
    );
    println!("  {synthetic} synthetic images compared too");
    println!(
        "  {} tables over 4 KiB; rejections confirmed independently: {:?}; {} corpus options files; {} ELF-SUMMARY rows",
        stats.large_tables, stats.rejections_confirmed, options_files, summarised
    );
    for r in &stats.rejected_files {
        println!("  rightly rejected: {r}");
    }
    for m in stats.mismatches.iter().take(50) {
        println!("MISMATCH {m}");
    }
    assert!(stats.mismatches.is_empty(), "{} mismatches", stats.mismatches.len());
    assert!(host_compared >= 200, "only {host_compared} host files compared");
    if !corpus.is_empty() {
        assert!(stats.compared >= 300, "only {} files compared", stats.compared);
        // The corpus holds valid executables only: every one is compared in full.
        assert_eq!(corpus_compared, corpus.len(), "every corpus file is compared");
    }
}

/// Valid images exercising properties, notes, MIPS records, PN_XNUM and large tables.
fn synthetic_images() -> Vec<test_support::elf::Image> {
    use test_support::elf::{
        abiflags, gnu_property_note, mips_option, note, property, u32_bytes, Builder, Machine, Seg, KINDS, R,
        RX,
    };
    let mut out = Vec::new();
    for (class, endian) in KINDS {
        let align = class.property_align() as u64;
        for (machine, pr_type, bits) in [
            (Machine::AARCH64, GNU_PROPERTY_AARCH64_FEATURE_1_AND, 7u32),
            (Machine::X86_64, GNU_PROPERTY_X86_FEATURE_1_AND, 3),
        ] {
            let props = gnu_property_note(
                class,
                endian,
                &[
                    property(class, endian, 1, &[1, 2, 3]),
                    property(class, endian, pr_type, &u32_bytes(bits, endian)),
                ],
            );
            let notes = [
                props.clone(),
                note(endian, b"GNU", 3, &[0xab; 20], align as usize),
                note(endian, b"Go", 4, b"xyz", align as usize),
            ]
            .concat();
            let mut b = Builder::new(class, endian)
                .machine(machine)
                .seg(
                    Seg::new(ProgramType::PHDR, Vec::new())
                        .at(class.header_size() as u64)
                        .filesz(7 * class.program_header_size() as u64),
                )
                .seg(Seg::interp(b"/lib/ld-synthetic.so.1"))
                .seg(Seg::load(0, 0x200, 0x200, RX))
                .seg(Seg::new(ProgramType::NOTE, notes).align(align))
                .seg(Seg::new(ProgramType::GNU_PROPERTY, props).align(align))
                .seg(Seg::new(
                    ProgramType::MIPS_ABIFLAGS,
                    abiflags(endian, &MipsAbiFlags { isa_level: 64, fp_abi: 3, ..Default::default() }),
                ))
                .seg(Seg::new(
                    ProgramType::MIPS_OPTIONS,
                    [mips_option(endian, 2, 8, 0, 0x11f18, &[]), mips_option(endian, 1, 16, 0, 0, &[9; 8])]
                        .concat(),
                ));
            out.push(b.build());
            b.xnum = true;
            out.push(b.build());
        }
        // A table over 4 KiB (accepted with 64 KiB pages).
        let mut b = Builder::new(class, endian);
        for i in 0..(4096 / class.program_header_size() as u64 + 1) {
            b = b.seg(Seg::load(i * 0x1000, 0, 0x1000, R));
        }
        out.push(b.build());
    }
    out
}
