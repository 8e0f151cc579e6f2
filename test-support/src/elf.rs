//! Synthetic ELF files: the one builder every test that makes an ELF by hand uses.
//!
//! A [`Builder`] describes a file header and its [`Seg`]ments (a program header each, with
//! the bytes it covers); [`Builder::build`] lays them out as Linux and the gABI read them:
//! the file header at 0, the program header table right after it, each segment's data
//! after the table (8-aligned) or at the file offset the test chose ([`Seg::placed`]).
//! ELF32 and ELF64, little and big endian, any `e_machine`, `e_type`, `e_flags` and program
//! header type. Malformed files are made from a valid one: every field can be overridden
//! on the [`Seg`] before the build, or written raw afterwards on the [`Image`]
//! ([`Image::set_ehdr`], [`Image::set_phdr`], [`Image::set_ident`]).
//!
//! Contents helpers build what segments hold: notes and GNU properties ([`note`],
//! [`property`], [`gnu_property_note`]), MIPS ABI flags and option records.
//!
//! The builder lives here, not in `elf-stream`'s tests, so that every crate's tests share
//! it; `elf-stream` dev-depends on this crate (a dev-dependency cycle cargo allows for
//! integration tests, which link the one `elf-stream` this crate links). It uses
//! `elf-stream`'s on-disk newtypes ([`Class`], [`Endian`], [`ElfType`], [`Machine`],
//! [`ProgramType`], [`SegmentFlags`]) so a test names what it writes.

pub use elf_stream::{Class, ElfType, Endian, FileHeader, Machine, MipsAbiFlags, ProgramType, SegmentFlags};

/// Readable.
pub const R: SegmentFlags = SegmentFlags::R;
/// Readable and writable.
pub const RW: SegmentFlags = SegmentFlags(4 | 2);
/// Readable and executable.
pub const RX: SegmentFlags = SegmentFlags(4 | 1);
/// Readable, writable and executable.
pub const RWX: SegmentFlags = SegmentFlags(4 | 2 | 1);

/// Every (class, endian) combination.
pub const KINDS: [(Class, Endian); 4] = [
    (Class::Elf32, Endian::Little),
    (Class::Elf32, Endian::Big),
    (Class::Elf64, Endian::Little),
    (Class::Elf64, Endian::Big),
];

/// `n` rounded up to a multiple of `a`.
pub fn align_up(n: usize, a: usize) -> usize {
    n.div_ceil(a) * a
}

/// Writes the low `size` bytes (1, 2, 4 or 8) of `v` at `at` in byte order `e`.
pub fn put(buf: &mut [u8], at: usize, size: usize, v: u64, e: Endian) {
    let bytes = match e {
        Endian::Little => v.to_le_bytes(),
        Endian::Big => v.to_be_bytes(),
    };
    let src = match e {
        Endian::Little => &bytes[..size],
        Endian::Big => &bytes[8 - size..],
    };
    buf[at..at + size].copy_from_slice(src);
}

/// Reads `size` bytes (1, 2, 4 or 8) at `at` in byte order `e`.
pub fn get(buf: &[u8], at: usize, size: usize, e: Endian) -> u64 {
    let field = &buf[at..at + size];
    match e {
        Endian::Little => field.iter().rev().fold(0, |acc, &b| acc << 8 | u64::from(b)),
        Endian::Big => field.iter().fold(0, |acc, &b| acc << 8 | u64::from(b)),
    }
}

/// `v` as two bytes in byte order `e`.
pub fn u16_bytes(v: u16, e: Endian) -> [u8; 2] {
    let mut b = [0; 2];
    put(&mut b, 0, 2, v.into(), e);
    b
}

/// `v` as four bytes in byte order `e`.
pub fn u32_bytes(v: u32, e: Endian) -> [u8; 4] {
    let mut b = [0; 4];
    put(&mut b, 0, 4, v.into(), e);
    b
}

/// A byte of `e_ident`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ident {
    /// `EI_CLASS`: 1 ELF32, 2 ELF64.
    Class = 4,
    /// `EI_DATA`: 1 little, 2 big endian.
    Data = 5,
    /// `EI_VERSION`: 1.
    Version = 6,
    /// `EI_OSABI`.
    OsAbi = 7,
    /// `EI_ABIVERSION`.
    AbiVersion = 8,
}

/// A field of the file header after `e_ident`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderField {
    /// `e_type`.
    Type,
    /// `e_machine`.
    Machine,
    /// `e_version`.
    Version,
    /// `e_entry`.
    Entry,
    /// `e_phoff`.
    Phoff,
    /// `e_shoff`.
    Shoff,
    /// `e_flags`.
    Flags,
    /// `e_ehsize`.
    Ehsize,
    /// `e_phentsize`.
    Phentsize,
    /// `e_phnum`.
    Phnum,
    /// `e_shentsize`.
    Shentsize,
    /// `e_shnum`.
    Shnum,
    /// `e_shstrndx`.
    Shstrndx,
}

impl HeaderField {
    /// Every field, in file order.
    pub const ALL: [HeaderField; 13] = [
        HeaderField::Type,
        HeaderField::Machine,
        HeaderField::Version,
        HeaderField::Entry,
        HeaderField::Phoff,
        HeaderField::Shoff,
        HeaderField::Flags,
        HeaderField::Ehsize,
        HeaderField::Phentsize,
        HeaderField::Phnum,
        HeaderField::Shentsize,
        HeaderField::Shnum,
        HeaderField::Shstrndx,
    ];

    /// `(offset, size)` in the file header of `class`.
    pub const fn at(self, class: Class) -> (usize, usize) {
        let (at32, at64) = match self {
            HeaderField::Type => ((16, 2), (16, 2)),
            HeaderField::Machine => ((18, 2), (18, 2)),
            HeaderField::Version => ((20, 4), (20, 4)),
            HeaderField::Entry => ((24, 4), (24, 8)),
            HeaderField::Phoff => ((28, 4), (32, 8)),
            HeaderField::Shoff => ((32, 4), (40, 8)),
            HeaderField::Flags => ((36, 4), (48, 4)),
            HeaderField::Ehsize => ((40, 2), (52, 2)),
            HeaderField::Phentsize => ((42, 2), (54, 2)),
            HeaderField::Phnum => ((44, 2), (56, 2)),
            HeaderField::Shentsize => ((46, 2), (58, 2)),
            HeaderField::Shnum => ((48, 2), (60, 2)),
            HeaderField::Shstrndx => ((50, 2), (62, 2)),
        };
        match class {
            Class::Elf32 => at32,
            Class::Elf64 => at64,
        }
    }

    /// The field's name in the gABI (`e_phoff`).
    pub const fn name(self) -> &'static str {
        match self {
            HeaderField::Type => "e_type",
            HeaderField::Machine => "e_machine",
            HeaderField::Version => "e_version",
            HeaderField::Entry => "e_entry",
            HeaderField::Phoff => "e_phoff",
            HeaderField::Shoff => "e_shoff",
            HeaderField::Flags => "e_flags",
            HeaderField::Ehsize => "e_ehsize",
            HeaderField::Phentsize => "e_phentsize",
            HeaderField::Phnum => "e_phnum",
            HeaderField::Shentsize => "e_shentsize",
            HeaderField::Shnum => "e_shnum",
            HeaderField::Shstrndx => "e_shstrndx",
        }
    }
}

/// A field of a program header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhdrField {
    /// `p_type`.
    Type,
    /// `p_flags`.
    Flags,
    /// `p_offset`.
    Offset,
    /// `p_vaddr`.
    Vaddr,
    /// `p_paddr`.
    Paddr,
    /// `p_filesz`.
    Filesz,
    /// `p_memsz`.
    Memsz,
    /// `p_align`.
    Align,
}

impl PhdrField {
    /// Every field.
    pub const ALL: [PhdrField; 8] = [
        PhdrField::Type,
        PhdrField::Flags,
        PhdrField::Offset,
        PhdrField::Vaddr,
        PhdrField::Paddr,
        PhdrField::Filesz,
        PhdrField::Memsz,
        PhdrField::Align,
    ];

    /// `(offset, size)` in a program header of `class` (`p_flags` moves: second in ELF64,
    /// seventh in ELF32).
    pub const fn at(self, class: Class) -> (usize, usize) {
        let (at32, at64) = match self {
            PhdrField::Type => ((0, 4), (0, 4)),
            PhdrField::Flags => ((24, 4), (4, 4)),
            PhdrField::Offset => ((4, 4), (8, 8)),
            PhdrField::Vaddr => ((8, 4), (16, 8)),
            PhdrField::Paddr => ((12, 4), (24, 8)),
            PhdrField::Filesz => ((16, 4), (32, 8)),
            PhdrField::Memsz => ((20, 4), (40, 8)),
            PhdrField::Align => ((28, 4), (48, 8)),
        };
        match class {
            Class::Elf32 => at32,
            Class::Elf64 => at64,
        }
    }

    /// The field's name in the gABI (`p_vaddr`).
    pub const fn name(self) -> &'static str {
        match self {
            PhdrField::Type => "p_type",
            PhdrField::Flags => "p_flags",
            PhdrField::Offset => "p_offset",
            PhdrField::Vaddr => "p_vaddr",
            PhdrField::Paddr => "p_paddr",
            PhdrField::Filesz => "p_filesz",
            PhdrField::Memsz => "p_memsz",
            PhdrField::Align => "p_align",
        }
    }
}

/// One program header, every field as written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Phdr {
    /// `p_type`.
    pub kind: ProgramType,
    /// `p_flags`.
    pub flags: SegmentFlags,
    /// `p_offset`.
    pub offset: u64,
    /// `p_vaddr`.
    pub vaddr: u64,
    /// `p_paddr`.
    pub paddr: u64,
    /// `p_filesz`.
    pub filesz: u64,
    /// `p_memsz`.
    pub memsz: u64,
    /// `p_align`.
    pub align: u64,
}

impl Phdr {
    /// The value of `field`.
    pub fn get(&self, field: PhdrField) -> u64 {
        match field {
            PhdrField::Type => self.kind.0.into(),
            PhdrField::Flags => self.flags.0.into(),
            PhdrField::Offset => self.offset,
            PhdrField::Vaddr => self.vaddr,
            PhdrField::Paddr => self.paddr,
            PhdrField::Filesz => self.filesz,
            PhdrField::Memsz => self.memsz,
            PhdrField::Align => self.align,
        }
    }

    /// The header's bytes in `class` and byte order `e` (wide values truncated to the
    /// class's field width).
    pub fn bytes(&self, class: Class, e: Endian) -> Vec<u8> {
        let mut v = vec![0u8; class.program_header_size()];
        for field in PhdrField::ALL {
            let (at, size) = field.at(class);
            put(&mut v, at, size, self.get(field), e);
        }
        v
    }
}

/// One segment: a program header and the bytes it covers.
#[derive(Clone, Debug)]
pub struct Seg {
    /// `p_type`.
    pub p_type: ProgramType,
    /// `p_flags`.
    pub flags: SegmentFlags,
    /// `p_vaddr`.
    pub vaddr: u64,
    /// `p_paddr`.
    pub paddr: u64,
    /// `p_align`.
    pub align: u64,
    /// `p_memsz`; defaults to `p_filesz`.
    pub memsz: Option<u64>,
    /// The bytes the segment covers.
    pub data: Vec<u8>,
    /// `p_offset`; defaults to where the data was placed.
    pub offset: Option<u64>,
    /// `p_filesz`; defaults to the data's length.
    pub filesz: Option<u64>,
    /// Where the data goes in the file; by default after the table and the data of the
    /// segments before, 8-aligned.
    pub place: Option<usize>,
}

impl Seg {
    /// A readable segment of `p_type` holding `data`, 4-aligned.
    pub fn new(p_type: ProgramType, data: Vec<u8>) -> Seg {
        Seg {
            p_type,
            flags: R,
            vaddr: 0,
            paddr: 0,
            align: 4,
            memsz: None,
            data,
            offset: None,
            filesz: None,
            place: None,
        }
    }

    /// A page-aligned PT_LOAD of `filesz` bytes from file offset 0 (change it with
    /// [`Seg::at`]) at `vaddr`, `memsz` bytes in memory; it brings no data of its own.
    pub fn load(vaddr: u64, filesz: u64, memsz: u64, flags: SegmentFlags) -> Seg {
        Seg {
            flags,
            vaddr,
            paddr: vaddr,
            align: 0x1000,
            memsz: Some(memsz),
            offset: Some(0),
            filesz: Some(filesz),
            ..Seg::new(ProgramType::LOAD, Vec::new())
        }
    }

    /// A PT_INTERP naming `path` (a NUL is added), byte-aligned.
    pub fn interp(path: &[u8]) -> Seg {
        let mut data = path.to_vec();
        data.push(0);
        Seg::new(ProgramType::INTERP, data).align(1)
    }

    /// Sets `p_align`.
    pub fn align(mut self, a: u64) -> Seg {
        self.align = a;
        self
    }

    /// Sets `p_offset` (the data stays where it is placed).
    pub fn at(mut self, offset: u64) -> Seg {
        self.offset = Some(offset);
        self
    }

    /// Puts the data at file offset `offset`, which `p_offset` then names (clears an
    /// earlier [`Seg::at`]).
    pub fn placed(mut self, offset: usize) -> Seg {
        self.place = Some(offset);
        self.offset = None;
        self
    }

    /// Sets the bytes the segment covers (`p_filesz` follows unless set).
    pub fn data(mut self, data: Vec<u8>) -> Seg {
        self.data = data;
        self
    }

    /// Sets `p_filesz`.
    pub fn filesz(mut self, filesz: u64) -> Seg {
        self.filesz = Some(filesz);
        self
    }

    /// Sets `p_memsz`.
    pub fn memsz(mut self, memsz: u64) -> Seg {
        self.memsz = Some(memsz);
        self
    }

    /// Sets `p_vaddr` and `p_paddr`.
    pub fn vaddr(mut self, vaddr: u64) -> Seg {
        self.vaddr = vaddr;
        self.paddr = vaddr;
        self
    }

    /// Sets `p_flags`.
    pub fn flags(mut self, flags: SegmentFlags) -> Seg {
        self.flags = flags;
        self
    }
}

/// Describes an ELF file; [`Builder::build`] lays it out.
#[derive(Clone, Debug)]
pub struct Builder {
    /// ELF32 or ELF64: `EI_CLASS` and the layout of every header.
    pub class: Class,
    /// Byte order: `EI_DATA` and every multi-byte field.
    pub endian: Endian,
    /// `EI_OSABI`.
    pub os_abi: u8,
    /// `EI_ABIVERSION`.
    pub abi_version: u8,
    /// `e_type`.
    pub e_type: ElfType,
    /// `e_machine`.
    pub machine: Machine,
    /// `e_entry`.
    pub entry: u64,
    /// `e_flags`.
    pub flags: u32,
    /// The segments, in table order.
    pub segs: Vec<Seg>,
    /// Use PN_XNUM: e_phnum = 0xffff and section header 0 holds the count in sh_info.
    pub xnum: bool,
    /// The file's length at least (zero-filled, or filled by `background`).
    pub len: usize,
    /// The byte at each offset the builder writes nothing else to (default zero).
    pub background: Option<fn(usize) -> u8>,
    /// Raw bytes written last, at their offsets (code, strings, overrides).
    pub contents: Vec<(usize, Vec<u8>)>,
}

/// A laid-out file with the positions of its parts.
#[derive(Clone, Debug)]
pub struct Image {
    /// The class it was built in.
    pub class: Class,
    /// The byte order it was built in.
    pub endian: Endian,
    /// The file.
    pub bytes: Vec<u8>,
    /// Where the program header table starts.
    pub phoff: usize,
    /// Where each segment's data was placed.
    pub data_at: Vec<usize>,
    /// Section header 0, when written.
    pub shoff: Option<usize>,
}

impl Builder {
    /// An ET_DYN of `class` and `endian` with no segment, entry 0x1040, for x86_64
    /// (ELF64 little), i386 (ELF32 little) or MIPS (big endian).
    pub fn new(class: Class, endian: Endian) -> Builder {
        let machine = match (class, endian) {
            (Class::Elf64, Endian::Little) => Machine::X86_64,
            (Class::Elf32, Endian::Little) => Machine::I386,
            (_, Endian::Big) => Machine::MIPS,
        };
        Builder {
            class,
            endian,
            os_abi: 0,
            abi_version: 0,
            e_type: ElfType::DYN,
            machine,
            entry: 0x1040,
            flags: 0,
            segs: Vec::new(),
            xnum: false,
            len: 0,
            background: None,
            contents: Vec::new(),
        }
    }

    /// An ELF64 little-endian x86_64 file of type `e_type`: what most exec tests start from.
    pub fn x86_64(e_type: ElfType) -> Builder {
        Builder::new(Class::Elf64, Endian::Little).e_type(e_type)
    }

    /// Sets `e_machine`.
    pub fn machine(mut self, m: Machine) -> Builder {
        self.machine = m;
        self
    }

    /// Sets `e_type`.
    pub fn e_type(mut self, t: ElfType) -> Builder {
        self.e_type = t;
        self
    }

    /// Sets `e_entry`.
    pub fn entry(mut self, entry: u64) -> Builder {
        self.entry = entry;
        self
    }

    /// Sets `e_flags`.
    pub fn flags(mut self, flags: u32) -> Builder {
        self.flags = flags;
        self
    }

    /// Adds a segment at the end of the table.
    pub fn seg(mut self, s: Seg) -> Builder {
        self.segs.push(s);
        self
    }

    /// Adds segments at the end of the table.
    pub fn segs(mut self, segs: impl IntoIterator<Item = Seg>) -> Builder {
        self.segs.extend(segs);
        self
    }

    /// Makes the file at least `len` bytes long.
    pub fn len(mut self, len: usize) -> Builder {
        self.len = len;
        self
    }

    /// Fills every byte the builder writes nothing else to with `f(offset)`.
    pub fn background(mut self, f: fn(usize) -> u8) -> Builder {
        self.background = Some(f);
        self
    }

    /// Writes `bytes` at file offset `at`, after everything else.
    pub fn bytes_at(mut self, at: usize, bytes: &[u8]) -> Builder {
        self.contents.push((at, bytes.to_vec()));
        self
    }

    /// `e_ehsize` of the class.
    pub fn ehsize(&self) -> usize {
        self.class.header_size()
    }

    /// `e_phentsize` of the class.
    pub fn phentsize(&self) -> usize {
        self.class.program_header_size()
    }

    /// Lays the file out.
    pub fn build(&self) -> Image {
        let (class, e) = (self.class, self.endian);
        let phoff = self.ehsize();
        let table_end = phoff + self.segs.len() * self.phentsize();
        let mut bytes = vec![0u8; table_end];
        let mut data_at = Vec::new();
        for s in &self.segs {
            let at = match s.place {
                Some(at) => at,
                None => {
                    let at = align_up(bytes.len(), 8);
                    bytes.resize(at, 0);
                    at
                }
            };
            data_at.push(at);
            if bytes.len() < at + s.data.len() {
                bytes.resize(at + s.data.len(), 0);
            }
        }
        let shoff = self.xnum.then(|| {
            let at = align_up(bytes.len(), 8);
            bytes.resize(at + class.section_header_size(), 0);
            at
        });
        if bytes.len() < self.len {
            bytes.resize(self.len, 0);
        }
        if let Some(f) = self.background {
            for (i, b) in bytes.iter_mut().enumerate().skip(table_end) {
                *b = f(i);
            }
        }
        for (s, &at) in self.segs.iter().zip(&data_at) {
            bytes[at..at + s.data.len()].copy_from_slice(&s.data);
        }
        if let Some(at) = shoff {
            // sh_info: offset 28 (ELF32) or 44 (ELF64).
            let info_at = at + if class == Class::Elf64 { 44 } else { 28 };
            bytes[at..at + class.section_header_size()].fill(0);
            put(&mut bytes, info_at, 4, self.segs.len() as u64, e);
        }
        bytes[..table_end].fill(0);
        bytes[..4].copy_from_slice(&elf_stream::ELF_MAGIC);
        let mut img = Image { class, endian: e, bytes, phoff, data_at, shoff };
        img.set_ident(Ident::Class, if class == Class::Elf64 { 2 } else { 1 });
        img.set_ident(Ident::Data, if e == Endian::Little { 1 } else { 2 });
        img.set_ident(Ident::Version, 1);
        img.set_ident(Ident::OsAbi, self.os_abi);
        img.set_ident(Ident::AbiVersion, self.abi_version);
        img.set_ehdr(HeaderField::Type, self.e_type.0.into());
        img.set_ehdr(HeaderField::Machine, self.machine.0.into());
        img.set_ehdr(HeaderField::Version, 1);
        img.set_ehdr(HeaderField::Entry, self.entry);
        img.set_ehdr(HeaderField::Phoff, phoff as u64);
        img.set_ehdr(HeaderField::Flags, self.flags.into());
        img.set_ehdr(HeaderField::Ehsize, self.ehsize() as u64);
        img.set_ehdr(HeaderField::Phentsize, self.phentsize() as u64);
        if let Some(at) = shoff {
            img.set_ehdr(HeaderField::Phnum, 0xffff);
            img.set_ehdr(HeaderField::Shoff, at as u64);
            img.set_ehdr(HeaderField::Shentsize, class.section_header_size() as u64);
            img.set_ehdr(HeaderField::Shnum, 1);
        } else {
            img.set_ehdr(HeaderField::Phnum, self.segs.len() as u64);
        }
        for (i, s) in self.segs.iter().enumerate() {
            let filesz = s.filesz.unwrap_or(s.data.len() as u64);
            let ph = Phdr {
                kind: s.p_type,
                flags: s.flags,
                offset: s.offset.unwrap_or(img.data_at[i] as u64),
                vaddr: s.vaddr,
                paddr: s.paddr,
                filesz,
                memsz: s.memsz.unwrap_or(filesz),
                align: s.align,
            };
            img.set_phdr_all(i, &ph);
        }
        for (at, raw) in &self.contents {
            if img.bytes.len() < at + raw.len() {
                img.bytes.resize(at + raw.len(), 0);
            }
            img.bytes[*at..at + raw.len()].copy_from_slice(raw);
        }
        img
    }

    /// The file's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        self.build().bytes
    }

    /// The file header as elf-stream reads it: what a policy's `accept` is given.
    pub fn header(&self) -> FileHeader {
        FileHeader::parse(&self.bytes()).expect("a built header parses")
    }
}

impl Image {
    /// An existing file, for raw edits: the class and byte order its identification gives,
    /// the table at its `e_phoff`, each segment's data at its `p_offset`.
    pub fn parse(bytes: Vec<u8>) -> Image {
        let class = if bytes[Ident::Class as usize] == 2 { Class::Elf64 } else { Class::Elf32 };
        let endian = if bytes[Ident::Data as usize] == 2 { Endian::Big } else { Endian::Little };
        let mut img = Image { class, endian, bytes, phoff: 0, data_at: Vec::new(), shoff: None };
        img.phoff = img.ehdr(HeaderField::Phoff) as usize;
        let phnum = img.ehdr(HeaderField::Phnum) as usize;
        img.data_at = (0..phnum).map(|i| img.phdr(i).offset as usize).collect();
        img
    }

    /// The file at `path` ([`Image::parse`]).
    pub fn read(path: &std::path::Path) -> Image {
        Image::parse(std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
    }

    /// A file header field.
    pub fn ehdr(&self, field: HeaderField) -> u64 {
        let (at, size) = field.at(self.class);
        get(&self.bytes, at, size, self.endian)
    }

    /// Program header `index`.
    pub fn phdr(&self, index: usize) -> Phdr {
        let at = self.phdr_at(index);
        let f = |field: PhdrField| {
            let (rel, size) = field.at(self.class);
            get(&self.bytes, at + rel, size, self.endian)
        };
        Phdr {
            kind: ProgramType(f(PhdrField::Type) as u32),
            flags: SegmentFlags(f(PhdrField::Flags) as u32),
            offset: f(PhdrField::Offset),
            vaddr: f(PhdrField::Vaddr),
            paddr: f(PhdrField::Paddr),
            filesz: f(PhdrField::Filesz),
            memsz: f(PhdrField::Memsz),
            align: f(PhdrField::Align),
        }
    }

    /// The word of the file's byte order at file offset `at`.
    pub fn get_u32(&self, at: usize) -> u32 {
        get(&self.bytes, at, 4, self.endian) as u32
    }

    /// Writes a word of the file's byte order at file offset `at`.
    pub fn set_u32(&mut self, at: usize, v: u32) {
        put(&mut self.bytes, at, 4, v.into(), self.endian);
    }

    /// The option records of the first PT_MIPS_OPTIONS segment: (file offset, kind, size);
    /// a record of size 0 ends the walk.
    pub fn mips_options(&self) -> Vec<(usize, u8, u8)> {
        let phnum = self.ehdr(HeaderField::Phnum) as usize;
        let Some(ph) = (0..phnum).map(|i| self.phdr(i)).find(|p| p.kind == ProgramType::MIPS_OPTIONS) else {
            return Vec::new();
        };
        let (mut at, end) = (ph.offset as usize, (ph.offset + ph.filesz) as usize);
        let mut records = Vec::new();
        while at + usize::from(elf_stream::OPTION_HEADER_SIZE) <= end {
            let (kind, size) = (self.bytes[at], self.bytes[at + 1]);
            records.push((at, kind, size));
            if size == 0 {
                break;
            }
            at += usize::from(size);
        }
        records
    }

    /// The info word of the first MIPS option record of `kind`.
    pub fn mips_option_info(&self, kind: u8) -> Option<u32> {
        self.mips_options().iter().find(|r| r.1 == kind).map(|r| self.get_u32(r.0 + 4))
    }

    /// Sets the info word of the first MIPS option record of `kind` (there must be one).
    pub fn set_mips_option_info(&mut self, kind: u8, info: u32) {
        let (at, _, _) =
            *self.mips_options().iter().find(|r| r.1 == kind).expect("an option record of that kind");
        self.set_u32(at + 4, info);
    }

    /// Writes a byte of `e_ident`.
    pub fn set_ident(&mut self, which: Ident, v: u8) {
        self.bytes[which as usize] = v;
    }

    /// Writes a file header field (truncated to its width).
    pub fn set_ehdr(&mut self, field: HeaderField, v: u64) {
        let (at, size) = field.at(self.class);
        put(&mut self.bytes, at, size, v, self.endian);
    }

    /// Where program header `index` starts.
    pub fn phdr_at(&self, index: usize) -> usize {
        self.phoff + index * self.class.program_header_size()
    }

    /// Writes a field of program header `index` (truncated to its width).
    pub fn set_phdr(&mut self, index: usize, field: PhdrField, v: u64) {
        let (at, size) = field.at(self.class);
        let at = self.phdr_at(index) + at;
        put(&mut self.bytes, at, size, v, self.endian);
    }

    /// Writes every field of program header `index`.
    pub fn set_phdr_all(&mut self, index: usize, ph: &Phdr) {
        let at = self.phdr_at(index);
        let bytes = ph.bytes(self.class, self.endian);
        self.bytes[at..at + bytes.len()].copy_from_slice(&bytes);
    }

    /// Writes raw bytes at `rel` into segment `index`'s data.
    pub fn patch(&mut self, index: usize, rel: usize, bytes: &[u8]) {
        let at = self.data_at[index] + rel;
        self.bytes[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// Writes a word of the file's byte order at `rel` into segment `index`'s data.
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

/// An image reads as its bytes.
impl std::ops::Deref for Image {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

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

/// A little-endian ELF64 NT_GNU_PROPERTY_TYPE_0 note holding `props` (type, data): the
/// contents of an x86_64, aarch64 or riscv64 PT_GNU_PROPERTY segment.
pub fn property_note(props: &[(u32, &[u8])]) -> Vec<u8> {
    let (class, e) = (Class::Elf64, Endian::Little);
    let props: Vec<Vec<u8>> = props.iter().map(|(t, data)| property(class, e, *t, data)).collect();
    gnu_property_note(class, e, &props)
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

#[cfg(test)]
mod tests {
    use super::*;
    use elf_stream::{ElfFile, FileOffset, VirtAddr};

    /// Every class and byte order, read back by elf-stream field by field.
    #[test]
    fn elf_stream_reads_what_the_builder_writes() {
        for (class, endian) in KINDS {
            let img = Builder::new(class, endian)
                .e_type(ElfType::EXEC)
                .machine(Machine::MIPS)
                .flags(0x7000_1007)
                .entry(0x1234)
                .seg(Seg::interp(b"/lib/ld.so"))
                .seg(Seg::load(0x10000, 0x180, 0x2000, RX).align(0x10000))
                .seg(Seg::new(ProgramType::NOTE, vec![7; 12]).placed(0x100).vaddr(0x10100))
                .len(0x180)
                .build();
            assert_eq!(img.bytes.len(), 0x180);
            let elf: ElfFile<&[u8]> = ElfFile::open(&img.bytes[..]).unwrap();
            let h = elf.header();
            assert_eq!(
                (h.class, h.endian, h.elf_type, h.machine),
                (class, endian, ElfType::EXEC, Machine::MIPS)
            );
            assert_eq!((h.flags, h.entry), (0x7000_1007, VirtAddr(0x1234)));
            let phs: Vec<_> = elf.program_headers().map(Result::unwrap).collect();
            assert_eq!(phs.len(), 3);
            let mut path = [0u8; 64];
            assert_eq!(elf.interpreter(&mut path).unwrap(), Some(&b"/lib/ld.so"[..]));
            assert_eq!((phs[1].kind, phs[1].flags, phs[1].offset), (ProgramType::LOAD, RX, FileOffset(0)));
            assert_eq!(
                (phs[1].vaddr, phs[1].filesz, phs[1].memsz, phs[1].align),
                (VirtAddr(0x10000), 0x180, 0x2000, 0x10000)
            );
            assert_eq!(
                (phs[2].offset, phs[2].filesz, phs[2].vaddr),
                (FileOffset(0x100), 12, VirtAddr(0x10100))
            );
            assert_eq!(&img.bytes[0x100..0x10c], &[7; 12]);
        }
    }

    #[test]
    fn parse_reads_back_what_build_wrote() {
        for (class, endian) in KINDS {
            let built = Builder::new(class, endian)
                .flags(0x1234)
                .seg(Seg::interp(b"/ld"))
                .seg(Seg::load(0x10000, 0x100, 0x300, RX).at(0x40))
                .build();
            let mut img = Image::parse(built.bytes.clone());
            assert_eq!(
                (img.class, img.endian, img.phoff, &img.data_at),
                (class, endian, built.phoff, &vec![built.data_at[0], 0x40])
            );
            assert_eq!(img.ehdr(HeaderField::Flags), 0x1234);
            let load = img.phdr(1);
            assert_eq!(
                (load.kind, load.flags, load.vaddr, load.paddr, load.filesz, load.memsz),
                (ProgramType::LOAD, RX, 0x10000, 0x10000, 0x100, 0x300)
            );
            img.set_u32(img.phdr_at(1), 7);
            assert_eq!((img.phdr(1).kind, img.get_u32(img.phdr_at(1))), (ProgramType(7), 7));
        }
    }

    #[test]
    fn raw_overrides_and_background() {
        let mut img = Builder::x86_64(ElfType::EXEC)
            .seg(Seg::load(0x400000, 0x1000, 0x1000, R))
            .len(0x1000)
            .background(|i| i as u8 | 1)
            .bytes_at(0x800, b"code")
            .build();
        assert_eq!((img.bytes[119], img.bytes[120]), (0, 121), "the table is zero-padded, the rest filled");
        assert_eq!(img.bytes[0x7ff], 0xff);
        assert_eq!(&img.bytes[0x800..0x804], b"code");
        img.set_phdr(0, PhdrField::Memsz, 0x10);
        img.set_ident(Ident::Class, 1);
        assert_eq!(get(&img.bytes, 64 + 40, 8, Endian::Little), 0x10);
        assert_eq!(img.bytes[4], 1);
    }
}
