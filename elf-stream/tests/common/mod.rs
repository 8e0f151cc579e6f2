//! Shared helpers for elf-stream's integration tests: an ELF image builder (ELF32/ELF64,
//! little/big endian) with content helpers for PT_INTERP, notes, GNU properties and MIPS
//! records; file discovery for fixtures, the shared corpus and host binaries; and a full
//! parse ("summary") generic over the source.
#![allow(dead_code)]

use elf_stream::{
    Class, ElfFile, Endian, Error, FileHeader, GnuProperties, Limits, MipsAbiFlags, MipsOption, Note,
    ProgramHeader, ProgramType, ReadAt, PATH_MAX,
};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------------
// Byte helpers
// ---------------------------------------------------------------------------------------------

pub fn put_u16(buf: &mut [u8], at: usize, v: u16, e: Endian) {
    let b = match e {
        Endian::Little => v.to_le_bytes(),
        Endian::Big => v.to_be_bytes(),
    };
    buf[at..at + 2].copy_from_slice(&b);
}

pub fn put_u32(buf: &mut [u8], at: usize, v: u32, e: Endian) {
    let b = match e {
        Endian::Little => v.to_le_bytes(),
        Endian::Big => v.to_be_bytes(),
    };
    buf[at..at + 4].copy_from_slice(&b);
}

pub fn put_u64(buf: &mut [u8], at: usize, v: u64, e: Endian) {
    let b = match e {
        Endian::Little => v.to_le_bytes(),
        Endian::Big => v.to_be_bytes(),
    };
    buf[at..at + 8].copy_from_slice(&b);
}

/// Writes a field of `size` bytes (1, 2, 4 or 8).
pub fn put(buf: &mut [u8], at: usize, size: usize, v: u64, e: Endian) {
    match size {
        1 => buf[at] = v as u8,
        2 => put_u16(buf, at, v as u16, e),
        4 => put_u32(buf, at, v as u32, e),
        8 => put_u64(buf, at, v, e),
        _ => unreachable!("field size {size}"),
    }
}

pub fn u16_bytes(v: u16, e: Endian) -> [u8; 2] {
    let mut b = [0; 2];
    put_u16(&mut b, 0, v, e);
    b
}

pub fn u32_bytes(v: u32, e: Endian) -> [u8; 4] {
    let mut b = [0; 4];
    put_u32(&mut b, 0, v, e);
    b
}

pub fn align_up(n: usize, a: usize) -> usize {
    n.div_ceil(a) * a
}

/// Every (class, endian) combination.
pub const KINDS: [(Class, Endian); 4] = [
    (Class::Elf32, Endian::Little),
    (Class::Elf32, Endian::Big),
    (Class::Elf64, Endian::Little),
    (Class::Elf64, Endian::Big),
];

/// `(offset, size)` of a file header field.
pub fn ehdr_field(class: Class, name: &str) -> (usize, usize) {
    let is64 = class == Class::Elf64;
    let w = if is64 { 8 } else { 4 };
    match name {
        "e_type" => (16, 2),
        "e_machine" => (18, 2),
        "e_version" => (20, 4),
        "e_entry" => (24, w),
        "e_phoff" => (if is64 { 32 } else { 28 }, w),
        "e_shoff" => (if is64 { 40 } else { 32 }, w),
        "e_flags" => (if is64 { 48 } else { 36 }, 4),
        "e_ehsize" => (if is64 { 52 } else { 40 }, 2),
        "e_phentsize" => (if is64 { 54 } else { 42 }, 2),
        "e_phnum" => (if is64 { 56 } else { 44 }, 2),
        "e_shentsize" => (if is64 { 58 } else { 46 }, 2),
        "e_shnum" => (if is64 { 60 } else { 48 }, 2),
        "e_shstrndx" => (if is64 { 62 } else { 50 }, 2),
        _ => panic!("unknown header field {name}"),
    }
}

/// `(offset, size)` of a program header field.
pub fn phdr_field(class: Class, name: &str) -> (usize, usize) {
    match (class, name) {
        (_, "p_type") => (0, 4),
        (Class::Elf32, "p_offset") => (4, 4),
        (Class::Elf32, "p_vaddr") => (8, 4),
        (Class::Elf32, "p_paddr") => (12, 4),
        (Class::Elf32, "p_filesz") => (16, 4),
        (Class::Elf32, "p_memsz") => (20, 4),
        (Class::Elf32, "p_flags") => (24, 4),
        (Class::Elf32, "p_align") => (28, 4),
        (Class::Elf64, "p_flags") => (4, 4),
        (Class::Elf64, "p_offset") => (8, 8),
        (Class::Elf64, "p_vaddr") => (16, 8),
        (Class::Elf64, "p_paddr") => (24, 8),
        (Class::Elf64, "p_filesz") => (32, 8),
        (Class::Elf64, "p_memsz") => (40, 8),
        (Class::Elf64, "p_align") => (48, 8),
        _ => panic!("unknown program header field {name}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The builder
// ---------------------------------------------------------------------------------------------

/// One segment: a program header and the bytes it covers (placed after the table).
#[derive(Clone, Debug)]
pub struct Seg {
    pub p_type: u32,
    pub flags: u32,
    pub vaddr: u64,
    pub paddr: u64,
    pub align: u64,
    /// `p_memsz`; defaults to the data length.
    pub memsz: Option<u64>,
    pub data: Vec<u8>,
    /// Overrides for `p_offset` / `p_filesz` (otherwise where the data was placed / its length).
    pub offset: Option<u64>,
    pub filesz: Option<u64>,
}

impl Seg {
    pub fn new(p_type: ProgramType, data: Vec<u8>) -> Seg {
        Seg {
            p_type: p_type.0,
            flags: 4,
            vaddr: 0,
            paddr: 0,
            align: 4,
            memsz: None,
            data,
            offset: None,
            filesz: None,
        }
    }

    /// A PT_LOAD header that covers nothing of its own (offset 0, the whole file by override).
    pub fn load(vaddr: u64, filesz: u64, memsz: u64, flags: u32) -> Seg {
        Seg {
            p_type: ProgramType::LOAD.0,
            flags,
            vaddr,
            paddr: vaddr,
            align: 0x1000,
            memsz: Some(memsz),
            data: Vec::new(),
            offset: Some(0),
            filesz: Some(filesz),
        }
    }

    pub fn interp(path: &[u8]) -> Seg {
        let mut data = path.to_vec();
        data.push(0);
        Seg::new(ProgramType::INTERP, data).align(1)
    }

    pub fn align(mut self, a: u64) -> Seg {
        self.align = a;
        self
    }

    pub fn at(mut self, offset: u64) -> Seg {
        self.offset = Some(offset);
        self
    }

    pub fn filesz(mut self, filesz: u64) -> Seg {
        self.filesz = Some(filesz);
        self
    }

    pub fn vaddr(mut self, vaddr: u64) -> Seg {
        self.vaddr = vaddr;
        self.paddr = vaddr;
        self
    }
}

/// Describes an ELF image; [`Builder::build`] lays it out.
#[derive(Clone, Debug)]
pub struct Builder {
    pub class: Class,
    pub endian: Endian,
    pub os_abi: u8,
    pub abi_version: u8,
    pub e_type: u16,
    pub machine: u16,
    pub entry: u64,
    pub flags: u32,
    pub segs: Vec<Seg>,
    /// Use PN_XNUM: e_phnum = 0xffff and section header 0 holds the count in sh_info.
    pub xnum: bool,
}

/// A laid-out image with the positions of its parts.
#[derive(Clone, Debug)]
pub struct Image {
    pub class: Class,
    pub endian: Endian,
    pub bytes: Vec<u8>,
    pub phoff: usize,
    /// Where each segment's data was placed.
    pub data_at: Vec<usize>,
    /// Section header 0, when written.
    pub shoff: Option<usize>,
}

impl Builder {
    pub fn new(class: Class, endian: Endian) -> Builder {
        let machine = match (class, endian) {
            (Class::Elf64, Endian::Little) => 62, // x86_64
            (Class::Elf32, Endian::Little) => 3,  // i386
            (_, Endian::Big) => 8,                // MIPS
        };
        Builder {
            class,
            endian,
            os_abi: 0,
            abi_version: 0,
            e_type: 3,
            machine,
            entry: 0x1040,
            flags: 0,
            segs: Vec::new(),
            xnum: false,
        }
    }

    pub fn machine(mut self, m: u16) -> Builder {
        self.machine = m;
        self
    }

    pub fn seg(mut self, s: Seg) -> Builder {
        self.segs.push(s);
        self
    }

    pub fn ehsize(&self) -> usize {
        self.class.header_size()
    }

    pub fn phentsize(&self) -> usize {
        self.class.program_header_size()
    }

    pub fn build(&self) -> Image {
        let (class, e) = (self.class, self.endian);
        let phoff = self.ehsize();
        let table_end = phoff + self.segs.len() * self.phentsize();
        let mut bytes = vec![0u8; table_end];
        // Segment data, each at an 8-aligned offset.
        let mut data_at = Vec::new();
        for s in &self.segs {
            let at = align_up(bytes.len(), 8);
            bytes.resize(at, 0);
            data_at.push(at);
            bytes.extend_from_slice(&s.data);
        }
        let shoff = if self.xnum {
            let at = align_up(bytes.len(), 8);
            bytes.resize(at + class.section_header_size(), 0);
            // sh_info: offset 28 (ELF32) or 44 (ELF64).
            let info_at = at + if class == Class::Elf64 { 44 } else { 28 };
            put_u32(&mut bytes, info_at, self.segs.len() as u32, e);
            Some(at)
        } else {
            None
        };
        // File header.
        bytes[..4].copy_from_slice(b"\x7fELF");
        bytes[4] = if class == Class::Elf64 { 2 } else { 1 };
        bytes[5] = if e == Endian::Little { 1 } else { 2 };
        bytes[6] = 1;
        bytes[7] = self.os_abi;
        bytes[8] = self.abi_version;
        let mut img = Image { class, endian: e, bytes, phoff, data_at, shoff };
        img.set_ehdr("e_type", self.e_type.into());
        img.set_ehdr("e_machine", self.machine.into());
        img.set_ehdr("e_version", 1);
        img.set_ehdr("e_entry", self.entry);
        img.set_ehdr("e_phoff", phoff as u64);
        img.set_ehdr("e_flags", self.flags.into());
        img.set_ehdr("e_ehsize", self.ehsize() as u64);
        img.set_ehdr("e_phentsize", self.phentsize() as u64);
        if let Some(at) = shoff {
            img.set_ehdr("e_phnum", 0xffff);
            img.set_ehdr("e_shoff", at as u64);
            img.set_ehdr("e_shentsize", class.section_header_size() as u64);
            img.set_ehdr("e_shnum", 1);
        } else {
            img.set_ehdr("e_phnum", self.segs.len() as u64);
        }
        for (i, s) in self.segs.iter().enumerate() {
            let offset = s.offset.unwrap_or(img.data_at[i] as u64);
            let filesz = s.filesz.unwrap_or(s.data.len() as u64);
            img.set_phdr(i, "p_type", s.p_type.into());
            img.set_phdr(i, "p_flags", s.flags.into());
            img.set_phdr(i, "p_offset", offset);
            img.set_phdr(i, "p_vaddr", s.vaddr);
            img.set_phdr(i, "p_paddr", s.paddr);
            img.set_phdr(i, "p_filesz", filesz);
            img.set_phdr(i, "p_memsz", s.memsz.unwrap_or(filesz));
            img.set_phdr(i, "p_align", s.align);
        }
        img
    }
}

impl Image {
    pub fn set_ehdr(&mut self, name: &str, v: u64) {
        let (at, size) = ehdr_field(self.class, name);
        put(&mut self.bytes, at, size, v, self.endian);
    }

    pub fn phdr_at(&self, index: usize) -> usize {
        self.phoff + index * self.class.program_header_size()
    }

    pub fn set_phdr(&mut self, index: usize, name: &str, v: u64) {
        let (at, size) = phdr_field(self.class, name);
        let at = self.phdr_at(index) + at;
        put(&mut self.bytes, at, size, v, self.endian);
    }

    /// Writes raw bytes at the start of segment `index`'s data.
    pub fn patch(&mut self, index: usize, rel: usize, bytes: &[u8]) {
        let at = self.data_at[index] + rel;
        self.bytes[at..at + bytes.len()].copy_from_slice(bytes);
    }

    pub fn patch_u32(&mut self, index: usize, rel: usize, v: u32) {
        let b = u32_bytes(v, self.endian);
        self.patch(index, rel, &b);
    }

    /// The image with `n` zero bytes appended.
    pub fn padded(mut self, n: usize) -> Image {
        self.bytes.resize(self.bytes.len() + n, 0);
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Content helpers
// ---------------------------------------------------------------------------------------------

/// A note with explicit header fields; `name` and `desc` are the bytes written (padded to
/// `align` relative to the note's start, as the gABI and readelf lay them out).
pub fn note_raw(
    e: Endian,
    namesz: u32,
    descsz: u32,
    n_type: u32,
    name: &[u8],
    desc: &[u8],
    align: usize,
) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&u32_bytes(namesz, e));
    v.extend_from_slice(&u32_bytes(descsz, e));
    v.extend_from_slice(&u32_bytes(n_type, e));
    v.extend_from_slice(name);
    v.resize(align_up(v.len(), align), 0);
    v.extend_from_slice(desc);
    v.resize(align_up(v.len(), align), 0);
    v
}

/// A well-formed note named `name` (a NUL is added).
pub fn note(e: Endian, name: &[u8], n_type: u32, desc: &[u8], align: usize) -> Vec<u8> {
    let mut n = name.to_vec();
    n.push(0);
    note_raw(e, n.len() as u32, desc.len() as u32, n_type, &n, desc, align)
}

/// One GNU property: type, then data (padded to the class's alignment).
pub fn property(class: Class, e: Endian, pr_type: u32, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&u32_bytes(pr_type, e));
    v.extend_from_slice(&u32_bytes(data.len() as u32, e));
    v.extend_from_slice(data);
    v.resize(align_up(v.len(), class.property_align()), 0);
    v
}

/// An NT_GNU_PROPERTY_TYPE_0 note holding `props` (each from [`property`]).
pub fn gnu_property_note(class: Class, e: Endian, props: &[Vec<u8>]) -> Vec<u8> {
    let desc: Vec<u8> = props.concat();
    note(e, b"GNU", 5, &desc, class.property_align())
}

/// A PT_GNU_PROPERTY segment for `note` with the class's alignment.
pub fn gnu_property_seg(class: Class, note: Vec<u8>) -> Seg {
    Seg::new(ProgramType::GNU_PROPERTY, note).align(class.property_align() as u64)
}

/// An `Elf_MIPS_ABIFlags_v0` record.
pub fn abiflags(e: Endian, f: &MipsAbiFlags) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&u16_bytes(f.version, e));
    v.extend_from_slice(&[f.isa_level, f.isa_rev, f.gpr_size, f.cpr1_size, f.cpr2_size, f.fp_abi]);
    for w in [f.isa_ext, f.ases, f.flags1, f.flags2] {
        v.extend_from_slice(&u32_bytes(w, e));
    }
    v
}

/// A MIPS option record: 8-byte header then `payload` (the size byte is written as given).
pub fn mips_option(e: Endian, kind: u8, size: u8, section: u16, info: u32, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![kind, size];
    v.extend_from_slice(&u16_bytes(section, e));
    v.extend_from_slice(&u32_bytes(info, e));
    v.extend_from_slice(payload);
    v
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

pub fn is_elf(path: &Path) -> bool {
    use std::io::Read;
    let Ok(meta) = std::fs::symlink_metadata(path) else { return false };
    if !meta.file_type().is_file() {
        return false;
    }
    let mut magic = [0u8; 4];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && &magic == b"\x7fELF"
}

/// ELF files directly inside `dir`, sorted by name (empty when the folder is missing).
pub fn elf_files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| is_elf(p)).collect();
    v.sort();
    v
}

/// The project's fixtures: every ELF in `testdata/bin`, whatever it holds.
pub fn fixture_files() -> Vec<PathBuf> {
    elf_files_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/bin"))
}

/// The shared corpus (`../shared/corpus/bin` beside the workspace), when present.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/bin")
}

pub fn corpus_files() -> Vec<PathBuf> {
    elf_files_in(&corpus_dir())
}

/// Fixtures and corpus together (under Miri, ~1000x slower, only the fixtures).
pub fn project_files() -> Vec<PathBuf> {
    let mut v = fixture_files();
    if !cfg!(miri) {
        v.extend(corpus_files());
    }
    v
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let Ok(meta) = std::fs::symlink_metadata(&p) else { continue };
        if meta.file_type().is_dir() {
            if depth > 0 {
                walk(&p, out, depth - 1);
            }
        } else if meta.file_type().is_file() && meta.len() <= 16 << 20 && is_elf(&p) {
            out.push(p);
        }
    }
}

/// Up to `cap` ELF files of the host (`/usr/bin`, `/usr/sbin`, `/usr/libexec`, `/usr/lib`,
/// `/lib`...), no symlinks, at most 16 MiB each, spread evenly over the sorted list so that
/// executables and libraries are both represented. Deterministic for a given host.
pub fn host_files(cap: usize) -> Vec<PathBuf> {
    if cfg!(miri) {
        return Vec::new(); // the fixtures stand in for them under Miri
    }
    let mut all = Vec::new();
    for root in ["/usr/bin", "/usr/sbin", "/usr/libexec", "/usr/lib", "/usr/lib64", "/usr/local/bin"] {
        walk(Path::new(root), &mut all, 4);
    }
    all.sort();
    all.dedup();
    if all.len() <= cap {
        return all;
    }
    (0..cap).map(|i| all[i * all.len() / cap].clone()).collect()
}

// ---------------------------------------------------------------------------------------------
// A full parse, generic over the source
// ---------------------------------------------------------------------------------------------

/// Everything elf-stream reads from a file, part by part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub header: Result<(FileHeader, u32), Error>,
    pub phdrs: Result<Vec<ProgramHeader>, Error>,
    pub interp: Result<Option<Vec<u8>>, Error>,
    pub props: Result<Option<GnuProperties>, Error>,
    /// Per PT_NOTE / PT_GNU_PROPERTY segment, its notes.
    pub notes: Result<Vec<(u32, Vec<Note>)>, Error>,
    pub abiflags: Result<Option<MipsAbiFlags>, Error>,
    /// Per PT_MIPS_OPTIONS segment, its records.
    pub options: Result<Vec<(u32, Vec<MipsOption>)>, Error>,
}

/// One part of a [`Summary`]'s `Ok` values, by reference.
#[derive(Debug, PartialEq, Eq)]
pub enum Part<'a> {
    Header(&'a (FileHeader, u32)),
    Phdrs(&'a Vec<ProgramHeader>),
    Interp(&'a Option<Vec<u8>>),
    Props(&'a Option<GnuProperties>),
    Notes(&'a Vec<(u32, Vec<Note>)>),
    AbiFlags(&'a Option<MipsAbiFlags>),
    Options(&'a Vec<(u32, Vec<MipsOption>)>),
}

impl Summary {
    /// Parses everything; each part keeps its own result.
    pub fn of<R: ReadAt>(source: R, limits: Limits) -> Summary {
        Summary::with_window::<R, { elf_stream::DEFAULT_WINDOW }>(source, limits)
    }

    /// [`Summary::of`] with a head window of `W` bytes.
    pub fn with_window<R: ReadAt, const W: usize>(source: R, limits: Limits) -> Summary {
        let elf: ElfFile<R, W> = match ElfFile::open_with(source, limits) {
            Ok(elf) => elf,
            Err(e) => {
                return Summary {
                    header: Err(e),
                    phdrs: Err(e),
                    interp: Err(e),
                    props: Err(e),
                    notes: Err(e),
                    abiflags: Err(e),
                    options: Err(e),
                }
            }
        };
        let phdrs: Result<Vec<ProgramHeader>, Error> = elf.program_headers().collect();
        let mut path = [0u8; PATH_MAX];
        let interp = elf.interpreter(&mut path).map(|p| p.map(<[u8]>::to_vec));
        let props = elf.gnu_properties();
        let notes = phdrs.clone().and_then(|phs| {
            let mut out = Vec::new();
            for ph in
                phs.iter().filter(|p| p.kind == ProgramType::NOTE || p.kind == ProgramType::GNU_PROPERTY)
            {
                out.push((ph.index, elf.notes(ph)?.collect::<Result<Vec<_>, _>>()?));
            }
            Ok(out)
        });
        let abiflags = elf.mips_abiflags();
        let options = phdrs.clone().and_then(|phs| {
            let mut out = Vec::new();
            for ph in phs.iter().filter(|p| p.kind == ProgramType::MIPS_OPTIONS) {
                out.push((ph.index, elf.mips_options(ph)?.collect::<Result<Vec<_>, _>>()?));
            }
            Ok(out)
        });
        Summary { header: Ok((*elf.header(), elf.phnum())), phdrs, interp, props, notes, abiflags, options }
    }

    /// Every part's result. The parts compare structurally and are rendered only in
    /// failure messages (Miri runs these comparisons thousands of times).
    pub fn parts(&self) -> [(&'static str, Result<Part<'_>, Error>); 7] {
        fn r<'a, T>(x: &'a Result<T, Error>, part: fn(&'a T) -> Part<'a>) -> Result<Part<'a>, Error> {
            x.as_ref().map(part).map_err(|e| *e)
        }
        [
            ("header", r(&self.header, Part::Header)),
            ("phdrs", r(&self.phdrs, Part::Phdrs)),
            ("interp", r(&self.interp, Part::Interp)),
            ("props", r(&self.props, Part::Props)),
            ("notes", r(&self.notes, Part::Notes)),
            ("abiflags", r(&self.abiflags, Part::AbiFlags)),
            ("options", r(&self.options, Part::Options)),
        ]
    }

    /// Whether every part of `self` is either the same as `clean`'s or an error accepted by
    /// `ok_error`; returns the first offending part's name otherwise.
    pub fn consistent_with(&self, clean: &Summary, ok_error: impl Fn(&Error) -> bool) -> Result<(), String> {
        for ((name, mine), (_, theirs)) in self.parts().into_iter().zip(clean.parts()) {
            match (&mine, &theirs) {
                (a, b) if a == b => {}
                (Err(e), _) if ok_error(e) => {}
                _ => return Err(format!("{name}: got {mine:?}, clean run gave {theirs:?}")),
            }
        }
        Ok(())
    }
}

/// Reads a file, panicking with its name on failure.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
