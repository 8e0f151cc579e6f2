//! elf-stream's readers on arbitrary bytes: the file header and program header table,
//! PT_INTERP, notes and GNU properties, MIPS abiflags and option records; and the `#!`
//! line a kernel reads first (exec-core's `script`).

use elf_stream::{ElfFile, Limits, ProgramType};

/// Opens `data` with the page sizes the policies use, so both the 4 KiB and the 64 KiB
/// table limits are exercised.
fn open(data: &[u8]) -> impl Iterator<Item = ElfFile<&[u8]>> {
    [4096u32, 65536]
        .into_iter()
        .filter_map(move |page| ElfFile::open_with(data, Limits::for_page_size(page)).ok())
}

/// Header + program headers: iteration and indexed access agree, every header either
/// reads or errors, and in-file checks never panic.
pub fn header(data: &[u8]) {
    script_line(data);
    for elf in open(data) {
        let mut count = 0u32;
        for (i, ph) in elf.program_headers().enumerate() {
            let by_index = elf.program_header(i as u32);
            match (&ph, &by_index) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "iterator and index disagree at {i}"),
                (Err(_), Err(_)) => {}
                _ => panic!("iterator and index disagree at {i}: {ph:?} vs {by_index:?}"),
            }
            if let Ok(ph) = ph {
                let _ = elf.check_in_file(ph.file_range(), i as u32);
            }
            count += 1;
        }
        assert!(count <= elf.phnum(), "more headers than e_phnum");
        let mut path = [0u8; elf_stream::PATH_MAX];
        if let Ok(Some(p)) = elf.interpreter(&mut path) {
            assert!(!p.contains(&0), "interpreter path with a NUL inside");
        }
        let _ = elf.unique_segment(ProgramType::GNU_STACK);
    }
}

/// Notes in every PT_NOTE, and the GNU property note.
pub fn notes(data: &[u8]) {
    for elf in open(data) {
        for ph in elf.program_headers().flatten() {
            if ph.kind != ProgramType::NOTE {
                continue;
            }
            if let Ok(notes) = elf.notes(&ph) {
                for note in notes.take(1024) {
                    let Ok(note) = note else { break };
                    let _ = note.name();
                }
            }
        }
        let _ = elf.gnu_properties();
    }
}

/// PT_MIPS_ABIFLAGS and every record of every PT_MIPS_OPTIONS. A record of size 0 must
/// end the walk with an error, never loop: the walk is bounded here only as a backstop.
pub fn mips_records(data: &[u8]) {
    for elf in open(data) {
        let _ = elf.mips_abiflags();
        for ph in elf.program_headers().flatten() {
            if ph.kind != ProgramType::MIPS_OPTIONS {
                continue;
            }
            if let Ok(options) = elf.mips_options(&ph) {
                let mut n = 0usize;
                for option in options {
                    n += 1;
                    assert!(n <= ph.filesz as usize / 8 + 1, "more option records than the segment holds");
                    if option.is_err() {
                        break;
                    }
                }
            }
        }
    }
}

/// The `#!` line of `data`'s first 256 bytes: never a panic; an interpreter is one word
/// (no blank, NUL or newline) and an argument holds no NUL or newline and starts with no
/// blank, both inside bytes 2..255 of the buffer; a line with a newline in the buffer
/// never ends its argument with a blank.
fn script_line(data: &[u8]) {
    use exec_core::script::ScriptHead;
    let head = ScriptHead::from_prefix(data);
    let Ok(Some(line)) = head.shebang() else { return };
    let buf = head.bytes();
    let inside = |s: &[u8]| {
        let start = s.as_ptr() as usize - buf.as_ptr() as usize;
        (2..=255).contains(&start) && start + s.len() <= 255
    };
    let i = line.interpreter;
    assert!(inside(i), "interpreter outside the line: {line:?}");
    assert!(!i.iter().any(|&c| matches!(c, b' ' | b'\t' | 0 | b'\n')), "{line:?}");
    if let Some(a) = line.argument {
        assert!(inside(a), "argument outside the line: {line:?}");
        assert!(!a.iter().any(|&c| c == 0 || c == b'\n'), "{line:?}");
        assert!(!a.first().is_some_and(|&c| c == b' ' || c == b'\t'), "{line:?}");
        let newline = buf.iter().position(|&c| c == 0 || c == b'\n').is_some_and(|n| buf[n] == b'\n');
        if newline {
            assert!(!a.last().is_some_and(|&c| c == b' ' || c == b'\t'), "{line:?}");
        }
        assert!(a.as_ptr() > i.as_ptr(), "argument before the interpreter: {line:?}");
    }
}
