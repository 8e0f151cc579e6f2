//! Mutated executables for the differential tests: from a base ELF file and a mutant
//! number, a deterministic variant (the same number always gives the same bytes, whatever
//! the run's size): header and program-header fields moved by small deltas or set to edge
//! values, program headers swapped and duplicated, empty PT_LOADs inserted, the table moved
//! out of every PT_LOAD or grown past one page, truncations at structure boundaries, and
//! PT_INTERP rewritten (a second one, an inner NUL, trailing NULs, other paths, edge sizes).

use crate::elf::{Class, Endian, HeaderField, Phdr, PhdrField, ProgramType, SegmentFlags};

/// splitmix64: small, fast and fully determined by its seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// One element of `items` (not empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }
}

const PT_NULL: u32 = 0;
const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const PT_NOTE: u32 = 4;
const PT_PHDR: u32 = 6;
const PT_TLS: u32 = 7;
const PT_GNU_EH_FRAME: u32 = 0x6474_e550;
const PT_GNU_STACK: u32 = 0x6474_e551;
const PT_GNU_RELRO: u32 = 0x6474_e552;
const PT_GNU_PROPERTY: u32 = 0x6474_e553;
const PAGE: u64 = 4096;

/// A field of the file header or of a program header (its place per class is
/// [`crate::elf`]'s).
#[derive(Clone, Copy, Debug)]
enum Field {
    Header(HeaderField),
    Phdr(PhdrField),
}

impl Field {
    /// Its gABI name (`e_phoff`, `p_vaddr`): the mutants' recipes name fields so.
    const fn name(self) -> &'static str {
        match self {
            Field::Header(f) => f.name(),
            Field::Phdr(f) => f.name(),
        }
    }

    /// `(offset, width)` in a header of `class`.
    const fn at(self, class: Class) -> (usize, usize) {
        match self {
            Field::Header(f) => f.at(class),
            Field::Phdr(f) => f.at(class),
        }
    }
}

const E_TYPE: Field = Field::Header(HeaderField::Type);
const E_MACHINE: Field = Field::Header(HeaderField::Machine);
const E_VERSION: Field = Field::Header(HeaderField::Version);
const E_ENTRY: Field = Field::Header(HeaderField::Entry);
const E_PHOFF: Field = Field::Header(HeaderField::Phoff);
const E_SHOFF: Field = Field::Header(HeaderField::Shoff);
const E_FLAGS: Field = Field::Header(HeaderField::Flags);
const E_EHSIZE: Field = Field::Header(HeaderField::Ehsize);
const E_PHENTSIZE: Field = Field::Header(HeaderField::Phentsize);
const E_PHNUM: Field = Field::Header(HeaderField::Phnum);
const E_SHENTSIZE: Field = Field::Header(HeaderField::Shentsize);
const E_SHNUM: Field = Field::Header(HeaderField::Shnum);

const P_TYPE: Field = Field::Phdr(PhdrField::Type);
const P_FLAGS: Field = Field::Phdr(PhdrField::Flags);
const P_OFFSET: Field = Field::Phdr(PhdrField::Offset);
const P_VADDR: Field = Field::Phdr(PhdrField::Vaddr);
const P_PADDR: Field = Field::Phdr(PhdrField::Paddr);
const P_FILESZ: Field = Field::Phdr(PhdrField::Filesz);
const P_MEMSZ: Field = Field::Phdr(PhdrField::Memsz);
const P_ALIGN: Field = Field::Phdr(PhdrField::Align);

/// The shape of an ELF file being mutated.
#[derive(Clone, Copy, Debug)]
struct Shape {
    is64: bool,
    big: bool,
}

impl Shape {
    fn of(b: &[u8]) -> Option<Shape> {
        if b.len() < 52 || !b.starts_with(b"\x7fELF") {
            return None;
        }
        Some(Shape { is64: b[4] == 2, big: b[5] == 2 })
    }

    fn at(&self, field: Field) -> (usize, usize) {
        field.at(if self.is64 { Class::Elf64 } else { Class::Elf32 })
    }

    fn ehsize(&self) -> usize {
        if self.is64 {
            64
        } else {
            52
        }
    }

    fn phent(&self) -> usize {
        if self.is64 {
            56
        } else {
            32
        }
    }

    /// The largest value of `field`.
    fn max(&self, field: Field) -> u64 {
        let w = self.at(field).1;
        if w == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * w)) - 1
        }
    }

    fn get_at(&self, b: &[u8], off: usize, w: usize) -> Option<u64> {
        let s = b.get(off..off + w)?;
        let mut v = 0u64;
        for i in 0..w {
            let byte = if self.big { s[i] } else { s[w - 1 - i] };
            v = (v << 8) | u64::from(byte);
        }
        Some(v)
    }

    fn put_at(&self, b: &mut [u8], off: usize, w: usize, v: u64) -> bool {
        let Some(s) = b.get_mut(off..off + w) else { return false };
        for (i, byte) in s.iter_mut().enumerate() {
            let shift = if self.big { 8 * (w - 1 - i) } else { 8 * i };
            *byte = (v >> shift) as u8;
        }
        true
    }

    fn get(&self, b: &[u8], field: Field) -> u64 {
        let (o, w) = self.at(field);
        self.get_at(b, o, w).unwrap_or(0)
    }

    fn put(&self, b: &mut [u8], field: Field, v: u64) {
        let (o, w) = self.at(field);
        self.put_at(b, o, w, v);
    }

    /// Where program header `i` starts, if the whole entry is in the file.
    fn ph(&self, b: &[u8], i: usize) -> Option<usize> {
        let off = usize::try_from(self.get(b, E_PHOFF)).ok()?;
        let at = off.checked_add(i.checked_mul(self.get(b, E_PHENTSIZE) as usize)?)?;
        (at.checked_add(self.phent())? <= b.len()).then_some(at)
    }

    fn phnum(&self, b: &[u8]) -> usize {
        self.get(b, E_PHNUM) as usize
    }

    fn ph_get(&self, b: &[u8], i: usize, field: Field) -> Option<u64> {
        let (o, w) = self.at(field);
        self.get_at(b, self.ph(b, i)? + o, w)
    }

    fn ph_put(&self, b: &mut [u8], i: usize, field: Field, v: u64) -> bool {
        let (o, w) = self.at(field);
        match self.ph(b, i) {
            Some(at) => self.put_at(b, at + o, w, v),
            None => false,
        }
    }

    /// The indexes of the program headers of type `t`.
    fn of_type(&self, b: &[u8], t: u32) -> Vec<usize> {
        (0..self.phnum(b)).filter(|&i| self.ph_get(b, i, P_TYPE) == Some(u64::from(t))).collect()
    }
}

/// One mutant: its name, its bytes and what was done to its base.
#[derive(Clone, Debug)]
pub struct Mutant {
    /// `m<number>-<base name>`.
    pub name: String,
    /// The base file's name.
    pub base: String,
    /// The mutated file.
    pub bytes: Vec<u8>,
    /// The mutations applied, in order (`phdr[2].p_vaddr+0x1000`, `truncate@0x40`...).
    pub ops: Vec<String>,
    /// The base's class and byte order: how a kernel, which does not look at a mutated
    /// `e_ident`, reads the mutant.
    native: Shape,
}

impl Mutant {
    /// A base itself, unchanged, as a mutant without mutations.
    pub fn unchanged(name: &str, bytes: Vec<u8>) -> Mutant {
        let native = Shape::of(&bytes).unwrap_or(Shape { is64: true, big: false });
        Mutant { name: name.into(), base: name.into(), bytes, ops: Vec::new(), native }
    }

    /// The path Linux opens for the mutant's interpreter: its first PT_INTERP up to the
    /// first NUL, read in the base's class and byte order (Linux reads the header in its
    /// own format whatever `e_ident` says).
    pub fn interp_path(&self) -> Option<Vec<u8>> {
        interp_path_as(&self.bytes, self.native)
    }

    /// The kind of the first mutation (`phdr.p_vaddr`, `truncate`, `interp.nul`...): what a
    /// summary groups by.
    pub fn kind(&self) -> String {
        let op = self.ops.first().map_or("", String::as_str);
        let kind = op.split(['+', '-', '=', '@', ' ']).next().unwrap_or(op);
        // phdr[3].p_vaddr -> phdr.p_vaddr, swap[1][2] -> swap
        let mut out = String::new();
        let mut depth = 0;
        for c in kind.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out
    }
}

/// What the generator may use beside the base file.
#[derive(Clone, Debug)]
pub struct Config {
    /// Interpreter paths to try in place of a PT_INTERP's (on the system that runs the
    /// mutants: missing files, directories, non-ELF files, other programs).
    pub interp_paths: Vec<String>,
    /// The run's seed (mutant `n` of a base uses `seed`, `n` and nothing else).
    pub seed: u64,
}

/// Mutant `n` of `base` (named `base_name`): one to three mutations.
pub fn mutant(base_name: &str, base: &[u8], n: u64, config: &Config) -> Mutant {
    let mut rng = Rng::new(config.seed ^ n.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let native = Shape::of(base).unwrap_or(Shape { is64: true, big: false });
    let mut bytes = base.to_vec();
    let mut ops = Vec::new();
    let count = match rng.below(10) {
        0..=6 => 1,
        7..=8 => 2,
        _ => 3,
    };
    let mut tries = 0;
    while ops.len() < count && tries < 20 {
        tries += 1;
        if let Some(op) = mutate_once(&mut bytes, &mut rng, config) {
            ops.push(op);
        }
    }
    Mutant { name: format!("m{n:05}-{base_name}"), base: base_name.to_string(), bytes, ops, native }
}

/// A small delta or an edge value for `old`, in a field of `max`.
fn new_value(rng: &mut Rng, old: u64, max: u64, file_len: u64) -> (u64, String) {
    let deltas =
        [1u64, 2, 3, 4, 8, 16, 0x20, 0x40, 0x100, 0xfff, PAGE, PAGE + 1, 2 * PAGE, 0x10000, 0x20_0000];
    if rng.chance(2, 3) {
        let d = rng.pick(&deltas);
        if rng.chance(1, 2) {
            (old.wrapping_add(d) & max, format!("+{d:#x}"))
        } else {
            (old.wrapping_sub(d) & max, format!("-{d:#x}"))
        }
    } else {
        let edges = [
            0,
            1,
            max,
            max - 1,
            max >> 1,
            (max >> 1) + 1,
            PAGE,
            PAGE - 1,
            file_len,
            file_len.saturating_sub(1),
            0x7fff_ffff_f000 & max,
            0x8000_0000_0000 & max,
            0xffff_ffff,
        ];
        let v = rng.pick(&edges);
        (v, format!("={v:#x}"))
    }
}

/// One mutation of `b`, described; `None` when the chosen one does not apply to this file.
fn mutate_once(b: &mut Vec<u8>, rng: &mut Rng, config: &Config) -> Option<String> {
    let s = Shape::of(b)?;
    match rng.below(100) {
        0..=11 => header_field(b, s, rng),
        12..=41 => phdr_field(b, s, rng),
        42..=47 => swap(b, s, rng),
        48..=51 => duplicate(b, s, rng),
        52..=59 => empty_load(b, s, rng),
        60..=67 => move_table(b, s, rng),
        68..=75 => truncate(b, s, rng),
        76..=93 => interp(b, s, rng, config),
        _ => shift_load(b, s, rng),
    }
}

fn header_field(b: &mut [u8], s: Shape, rng: &mut Rng) -> Option<String> {
    let fields = [
        E_TYPE,
        E_ENTRY,
        E_ENTRY,
        E_PHOFF,
        E_PHOFF,
        E_EHSIZE,
        E_EHSIZE,
        E_PHENTSIZE,
        E_PHNUM,
        E_PHNUM,
        E_VERSION,
        E_FLAGS,
        E_SHOFF,
        E_SHNUM,
        E_SHENTSIZE,
        E_MACHINE,
    ];
    if rng.chance(1, 8) {
        // e_ident: class, data, version, OS ABI, ABI version, padding.
        let i = rng.pick(&[4usize, 5, 6, 7, 8, 9, 15]);
        let v = rng.pick(&[0u8, 1, 2, 3, 0xff]);
        b[i] = v;
        return Some(format!("e_ident[{i}]={v:#x}"));
    }
    let field = rng.pick(&fields);
    let old = s.get(b, field);
    let (v, how) = match field.name() {
        "e_type" => {
            let v = rng.pick(&[0u64, 1, 2, 3, 4, 0xfe00, 0xffff]);
            (v, format!("={v}"))
        }
        "e_ehsize" => {
            let v = rng.pick(&[0u64, 1, 32, 52, 56, 64, 0x40 + 8, 0xffff]);
            (v, format!("={v}"))
        }
        "e_phentsize" => {
            let v = rng.pick(&[0u64, 32, 55, 56, 57, 64, 0xffff]);
            (v, format!("={v}"))
        }
        _ => new_value(rng, old, s.max(field), b.len() as u64),
    };
    s.put(b, field, v);
    Some(format!("{}{how}", field.name()))
}

/// A program header to mutate, mostly PT_LOAD and PT_INTERP.
fn pick_ph(b: &[u8], s: Shape, rng: &mut Rng) -> Option<usize> {
    let n = s.phnum(b);
    if n == 0 {
        return None;
    }
    let loads = s.of_type(b, PT_LOAD);
    if !loads.is_empty() && rng.chance(2, 3) {
        return Some(rng.pick(&loads));
    }
    Some(rng.below(n as u64) as usize)
}

fn phdr_field(b: &mut [u8], s: Shape, rng: &mut Rng) -> Option<String> {
    let i = pick_ph(b, s, rng)?;
    let fields = [
        P_TYPE, P_FLAGS, P_FLAGS, P_OFFSET, P_OFFSET, P_VADDR, P_VADDR, P_VADDR, P_PADDR, P_FILESZ, P_FILESZ,
        P_FILESZ, P_MEMSZ, P_MEMSZ, P_MEMSZ, P_ALIGN, P_ALIGN,
    ];
    let field = rng.pick(&fields);
    let old = s.ph_get(b, i, field)?;
    let (v, how) = match field.name() {
        "p_type" => {
            let v = u64::from(rng.pick(&[
                PT_NULL,
                PT_LOAD,
                PT_DYNAMIC,
                PT_INTERP,
                PT_NOTE,
                PT_PHDR,
                PT_TLS,
                PT_GNU_STACK,
                PT_GNU_PROPERTY,
                PT_GNU_RELRO,
                0x7000_0000,
                0x7000_0003,
            ]));
            (v, format!("={v:#x}"))
        }
        "p_flags" => {
            let v = rng.below(8) | if rng.chance(1, 8) { 0x8000_0000 } else { 0 };
            (v, format!("={v:#x}"))
        }
        "p_align" => {
            let v = rng.pick(&[0u64, 1, 2, 3, 8, 0x800, PAGE, 0x10000, 0x20_0000, 1 << 30, s.max(P_ALIGN)]);
            (v, format!("={v:#x}"))
        }
        _ => new_value(rng, old, s.max(field), b.len() as u64),
    };
    s.ph_put(b, i, field, v);
    Some(format!("phdr[{i}].{}{how}", field.name()))
}

/// A PT_LOAD moved by whole pages (offset kept congruent), or its sizes grown by pages: a
/// file the kernel still maps, with a different layout.
fn shift_load(b: &mut [u8], s: Shape, rng: &mut Rng) -> Option<String> {
    let loads = s.of_type(b, PT_LOAD);
    let i = *loads.get(rng.below(loads.len().max(1) as u64) as usize)?;
    let pages = rng.pick(&[1u64, 2, 3, 16, 0x100]) * PAGE;
    let up = rng.chance(1, 2);
    let mv = |v: u64| if up { v.wrapping_add(pages) } else { v.wrapping_sub(pages) };
    let sign = if up { '+' } else { '-' };
    match rng.below(3) {
        0 => {
            let (va, pa) = (s.ph_get(b, i, P_VADDR)?, s.ph_get(b, i, P_PADDR)?);
            s.ph_put(b, i, P_VADDR, mv(va) & s.max(P_VADDR));
            s.ph_put(b, i, P_PADDR, mv(pa) & s.max(P_PADDR));
            Some(format!("load[{i}].vaddr{sign}{pages:#x}"))
        }
        1 => {
            let m = s.ph_get(b, i, P_MEMSZ)?;
            s.ph_put(b, i, P_MEMSZ, mv(m) & s.max(P_MEMSZ));
            Some(format!("load[{i}].memsz{sign}{pages:#x}"))
        }
        _ => {
            let (va, off) = (s.ph_get(b, i, P_VADDR)?, s.ph_get(b, i, P_OFFSET)?);
            s.ph_put(b, i, P_OFFSET, mv(off) & s.max(P_OFFSET));
            s.ph_put(b, i, P_VADDR, mv(va) & s.max(P_VADDR));
            Some(format!("load[{i}].offset+vaddr{sign}{pages:#x}"))
        }
    }
}

fn swap(b: &mut [u8], s: Shape, rng: &mut Rng) -> Option<String> {
    let n = s.phnum(b);
    if n < 2 {
        return None;
    }
    let loads = s.of_type(b, PT_LOAD);
    let (i, j) = if loads.len() >= 2 && rng.chance(1, 2) {
        let i = rng.below(loads.len() as u64 - 1) as usize;
        (loads[i], loads[i + 1])
    } else {
        (rng.below(n as u64) as usize, rng.below(n as u64) as usize)
    };
    let (pi, pj) = (s.ph(b, i)?, s.ph(b, j)?);
    if i == j {
        return None;
    }
    let e = s.phent();
    let a = b[pi..pi + e].to_vec();
    b.copy_within(pj..pj + e, pi);
    b[pj..pj + e].copy_from_slice(&a);
    Some(format!("swap[{i}][{j}]"))
}

fn duplicate(b: &mut [u8], s: Shape, rng: &mut Rng) -> Option<String> {
    let n = s.phnum(b);
    if n < 2 {
        return None;
    }
    let from = pick_ph(b, s, rng)?;
    let to = rng.below(n as u64) as usize;
    let (pf, pt) = (s.ph(b, from)?, s.ph(b, to)?);
    if from == to {
        return None;
    }
    b.copy_within(pf..pf + s.phent(), pt);
    Some(format!("dup[{from}]->[{to}]"))
}

/// Overwrites a program header nothing needs (a note, PT_NULL, the EH frame, RELRO, the
/// GNU property) with `ph`; `None` when there is none.
fn spare_ph(b: &[u8], s: Shape, rng: &mut Rng) -> Option<usize> {
    let spare: Vec<usize> = (0..s.phnum(b))
        .filter(|&i| {
            let t = s.ph_get(b, i, P_TYPE).unwrap_or(u64::MAX);
            [PT_NULL, PT_NOTE, PT_GNU_EH_FRAME, PT_GNU_RELRO, PT_GNU_PROPERTY].contains(&(t as u32))
                && s.ph(b, i).is_some()
        })
        .collect();
    (!spare.is_empty()).then(|| rng.pick(&spare))
}

/// Raw bytes of a program header in the file's class and byte order.
fn ph_bytes(s: Shape, ph: Phdr) -> Vec<u8> {
    let class = if s.is64 { Class::Elf64 } else { Class::Elf32 };
    ph.bytes(class, if s.big { Endian::Big } else { Endian::Little })
}

/// An empty PT_LOAD (p_memsz 0, or p_filesz 0) between, inside or after the others,
/// written over a spare header or into a table grown at the end of the file.
fn empty_load(b: &mut Vec<u8>, s: Shape, rng: &mut Rng) -> Option<String> {
    let loads = s.of_type(b, PT_LOAD);
    let l = *loads.get(rng.below(loads.len().max(1) as u64) as usize)?;
    let (va, memsz, off) = (s.ph_get(b, l, P_VADDR)?, s.ph_get(b, l, P_MEMSZ)?, s.ph_get(b, l, P_OFFSET)?);
    let vaddr = match rng.below(4) {
        0 => va,
        1 => va + memsz / 2,
        2 => va.wrapping_add(memsz).wrapping_add(rng.below(3) * PAGE),
        _ => va.wrapping_add(rng.below(0x3000)),
    };
    let (filesz, memsz) =
        if rng.chance(2, 3) { (0, 0) } else { (0, rng.pick(&[1u64, 0x10, PAGE, 3 * PAGE])) };
    let offset = if rng.chance(1, 2) { off.wrapping_add(vaddr.wrapping_sub(va)) } else { rng.below(0x2000) };
    let flags = rng.pick(&[4u32, 5, 6, 7, 0]);
    let (kind, flags) = (ProgramType(PT_LOAD), SegmentFlags(flags));
    let ph = ph_bytes(s, Phdr { kind, flags, offset, vaddr, paddr: vaddr, filesz, memsz, align: PAGE });
    let what = format!("empty_load vaddr={vaddr:#x} memsz={memsz:#x} off={offset:#x}");
    // Grown table: inserted right after the chosen PT_LOAD (between it and the next).
    if rng.chance(1, 2) {
        let at = spare_ph(b, s, rng)?;
        let p = s.ph(b, at)?;
        b[p..p + s.phent()].copy_from_slice(&ph);
        return Some(format!("{what} over[{at}]"));
    }
    grow_table(b, s, l + 1, &[ph])?;
    Some(format!("{what} insert[{}]", l + 1))
}

/// Copies the program-header table to the end of the file with `extra` entries inserted at
/// `at`, and points e_phoff and e_phnum at it (a table outside every PT_LOAD).
fn grow_table(b: &mut Vec<u8>, s: Shape, at: usize, extra: &[Vec<u8>]) -> Option<()> {
    let n = s.phnum(b);
    let e = s.phent();
    if s.get(b, E_PHENTSIZE) as usize != e {
        return None;
    }
    let mut table = Vec::new();
    for i in 0..n {
        let p = s.ph(b, i)?;
        if i == at {
            extra.iter().for_each(|x| table.extend_from_slice(x));
        }
        table.extend_from_slice(&b[p..p + e]);
    }
    if at >= n {
        extra.iter().for_each(|x| table.extend_from_slice(x));
    }
    let count = n + extra.len();
    if count > 0xffff {
        return None;
    }
    while b.len() % 8 != 0 {
        b.push(0);
    }
    let phoff = b.len() as u64;
    b.extend_from_slice(&table);
    s.put(b, E_PHOFF, phoff);
    s.put(b, E_PHNUM, count as u64);
    Some(())
}

/// The table moved out of every PT_LOAD, or grown with PT_NULL entries around the page and
/// 64 KiB limits.
fn move_table(b: &mut Vec<u8>, s: Shape, rng: &mut Rng) -> Option<String> {
    let n = s.phnum(b);
    let e = s.phent();
    match rng.below(3) {
        0 => {
            grow_table(b, s, n, &[])?;
            Some("phdrs_to_eof".into())
        }
        _ => {
            let page_limit = (PAGE as usize) / e;
            let big_limit = 0x10000 / e;
            let some = n + 1 + rng.below(200) as usize;
            let total = rng.pick(&[page_limit, page_limit + 1, big_limit, big_limit + 1, some]);
            let extra = vec![ph_bytes(s, Phdr::default()); total.checked_sub(n)?];
            grow_table(b, s, n, &extra)?;
            Some(format!("phnum={total}"))
        }
    }
}

/// The file cut at a structure boundary (or one byte around it).
fn truncate(b: &mut Vec<u8>, s: Shape, rng: &mut Rng) -> Option<String> {
    let phoff = s.get(b, E_PHOFF);
    let pe = s.get(b, E_PHENTSIZE);
    let n = s.phnum(b) as u64;
    let mut points = vec![s.ehsize() as u64, phoff, phoff + pe * n, phoff + pe * (n / 2) + pe / 2];
    for i in 0..n as usize {
        let t = s.ph_get(b, i, P_TYPE).unwrap_or(0) as u32;
        let (off, fs) = (s.ph_get(b, i, P_OFFSET).unwrap_or(0), s.ph_get(b, i, P_FILESZ).unwrap_or(0));
        if t == PT_LOAD || t == PT_INTERP || t == PT_NOTE || t == PT_GNU_PROPERTY {
            points.push(off);
            points.push(off.saturating_add(fs));
            points.push(off.saturating_add(fs / 2));
        }
    }
    let at = rng.pick(&points).saturating_add_signed(rng.pick(&[-1i64, 0, 0, 1]));
    if at >= b.len() as u64 {
        return None;
    }
    b.truncate(at as usize);
    Some(format!("truncate@{at:#x}"))
}

/// PT_INTERP's contents or header changed.
fn interp(b: &mut Vec<u8>, s: Shape, rng: &mut Rng, config: &Config) -> Option<String> {
    let idx = *s.of_type(b, PT_INTERP).first()?;
    let off = s.ph_get(b, idx, P_OFFSET)?;
    let len = s.ph_get(b, idx, P_FILESZ)?;
    let path: Vec<u8> = b
        .get(off as usize..off.checked_add(len)? as usize)?
        .iter()
        .copied()
        .take_while(|&c| c != 0)
        .collect();
    // A new string at the end of the file for PT_INTERP `i`.
    let append = |b: &mut Vec<u8>, i: usize, bytes: &[u8]| {
        let at = b.len() as u64;
        b.extend_from_slice(bytes);
        s.ph_put(b, i, P_OFFSET, at);
        s.ph_put(b, i, P_FILESZ, bytes.len() as u64);
    };
    let other = |rng: &mut Rng| -> Vec<u8> {
        if config.interp_paths.is_empty() {
            b"/nonexistent/ld.so".to_vec()
        } else {
            config.interp_paths[rng.below(config.interp_paths.len() as u64) as usize].as_bytes().to_vec()
        }
    };
    match rng.below(8) {
        0 => {
            // A NUL inside: the path Linux opens is the part before it.
            if path.len() < 2 {
                return None;
            }
            let k = 1 + rng.below(path.len() as u64 - 1);
            b[(off + k) as usize] = 0;
            Some(format!("interp.nul@{k}"))
        }
        1 => {
            let pad = rng.pick(&[1usize, 2, 7, 64]);
            let mut bytes = path.clone();
            bytes.extend(std::iter::repeat_n(0, pad + 1));
            append(b, idx, &bytes);
            Some(format!("interp.trailing_nuls={pad}"))
        }
        2 if rng.chance(1, 3) => {
            // The interpreter's path as a directory: ENOTDIR wherever the interpreter is.
            let mut p = path.clone();
            p.extend_from_slice(b"/x\0");
            append(b, idx, &p);
            Some("interp.below_file".into())
        }
        2 | 3 => {
            let mut p = other(rng);
            let shown = String::from_utf8_lossy(&p).into_owned();
            p.push(0);
            append(b, idx, &p);
            Some(format!("interp.path={shown}"))
        }
        4 => {
            // A second PT_INTERP, before or after the first.
            let spare = spare_ph(b, s, rng)?;
            let mut p = other(rng);
            let shown = String::from_utf8_lossy(&p).into_owned();
            p.push(0);
            let at = b.len() as u64;
            b.extend_from_slice(&p);
            let ph = ph_bytes(
                s,
                Phdr {
                    kind: ProgramType(PT_INTERP),
                    flags: SegmentFlags(4),
                    offset: at,
                    filesz: p.len() as u64,
                    memsz: p.len() as u64,
                    align: 1,
                    ..Phdr::default()
                },
            );
            let sp = s.ph(b, spare)?;
            b[sp..sp + s.phent()].copy_from_slice(&ph);
            Some(format!("interp.second[{spare}]={shown}"))
        }
        5 => {
            let v = rng.pick(&[0u64, 1, 2, len - 1, len + 1, 4096, 4097, 0x10000, s.max(P_FILESZ)]);
            s.ph_put(b, idx, P_FILESZ, v);
            Some(format!("interp.filesz={v:#x}"))
        }
        6 => {
            let v = rng.pick(&[b.len() as u64 - len + 1, b.len() as u64, b.len() as u64 + 1, off + 1, 0]);
            s.ph_put(b, idx, P_OFFSET, v);
            Some(format!("interp.offset={v:#x}"))
        }
        _ => {
            // No NUL at the end: the last byte changed.
            let last = (off + len).checked_sub(1)? as usize;
            *b.get_mut(last)? = b'x';
            Some("interp.no_nul".into())
        }
    }
}

/// The path Linux opens for an ELF file's interpreter: the first PT_INTERP's bytes up to
/// their first NUL (`None`: no PT_INTERP, or its bytes are not in the file). The file is
/// read in the class and byte order of its `e_ident`.
pub fn interp_path(b: &[u8]) -> Option<Vec<u8>> {
    interp_path_as(b, Shape::of(b)?)
}

fn interp_path_as(b: &[u8], s: Shape) -> Option<Vec<u8>> {
    if b.len() < s.ehsize() {
        return None;
    }
    let i = *s.of_type(b, PT_INTERP).first()?;
    let (off, len) = (s.ph_get(b, i, P_OFFSET)?, s.ph_get(b, i, P_FILESZ)?);
    let bytes = b.get(usize::try_from(off).ok()?..usize::try_from(off.checked_add(len)?).ok()?)?;
    Some(bytes.iter().copied().take_while(|&c| c != 0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Vec<u8> {
        std::fs::read(crate::corpus::fixtures_bin().join("x86_64-dyn-pie")).unwrap()
    }

    #[test]
    fn the_same_number_gives_the_same_mutant() {
        let c = Config { interp_paths: vec!["/nonexistent".into()], seed: 7 };
        let b = base();
        for n in 0..200 {
            let (x, y) = (mutant("b", &b, n, &c), mutant("b", &b, n, &c));
            assert_eq!(x.bytes, y.bytes);
            assert_eq!(x.ops, y.ops);
            assert!(!x.ops.is_empty(), "mutant {n} unchanged");
        }
    }

    #[test]
    fn mutants_differ_from_their_base_and_cover_every_kind() {
        let c = Config { interp_paths: vec!["/nonexistent".into()], seed: 1 };
        let b = base();
        let mut kinds = std::collections::BTreeSet::new();
        let mut changed = 0;
        for n in 0..600 {
            let m = mutant("b", &b, n, &c);
            changed += usize::from(m.bytes != b);
            kinds.insert(m.kind());
        }
        assert!(changed >= 570, "only {changed} of 600 mutants differ from their base");
        for k in [
            "e_phnum",
            "phdr.p_vaddr",
            "swap",
            "dup",
            "empty_load",
            "phdrs_to_eof",
            "phnum",
            "truncate",
            "interp.nul",
            "interp.second",
            "interp.trailing_nuls",
            "load.vaddr",
        ] {
            assert!(kinds.contains(k), "no {k} mutant in {kinds:?}");
        }
    }
}
