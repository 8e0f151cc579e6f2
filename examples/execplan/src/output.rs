//! The report as one JSON object (plan.schema.json) or as a human-readable table.

use crate::plan::{errno_name, Failure, Report};
use elf_stream::ProgramHeader;
use exec_core::{Content, Image, Mapping, MappingFlags, Prot};
use serde_json::{json, Value};
use std::fmt::Write;

/// `r-x` from the read/write/execute bits only (BTI is its own field).
fn prot(p: Prot) -> String {
    let c = |bit: Prot, ch: char| if p.contains(bit) { ch } else { '-' };
    [c(Prot::READ, 'r'), c(Prot::WRITE, 'w'), c(Prot::EXEC, 'x')].iter().collect()
}

/// File offset (None unless the mapping is a plain file range) and file bytes.
fn content(m: &Mapping) -> (Option<u64>, u64) {
    match m.content {
        Content::File { offset, bytes } => (Some(offset.0), bytes),
        Content::Zero => (None, 0),
    }
}

fn mapping_json(m: &Mapping) -> Value {
    let (offset, bytes) = content(m);
    json!({
        "start": m.range.start.0,
        "end": m.range.end.0,
        "prot": prot(m.prot),
        "file_offset": offset,
        "file_bytes": bytes,
        "bti": m.prot.contains(Prot::BTI),
        "text_patch": m.flags.contains(MappingFlags::TEXT_PATCH),
    })
}

fn image_json(img: &Image) -> Value {
    json!({
        "bias": img.bias,
        "entry": img.entry().0,
        "phdr": img.phdr().0,
        "mappings": img.mappings().map(|m| mapping_json(&m)).collect::<Vec<_>>(),
    })
}

/// A name when the value has one, else the number.
fn name_or_number(name: Option<&str>, n: u64) -> Value {
    name.map_or(json!(n), |s| json!(s))
}

/// A program header type's name for the file's machine: the processor-specific range
/// (0x70000000..=0x7fffffff) means something else on each machine, and elf-stream names
/// MIPS's; RISC-V's 0x70000003 is `PT_RISCV_ATTRIBUTES`. Other machines' get the number.
fn phdr_type_name(machine: elf_stream::Machine, kind: elf_stream::ProgramType) -> Option<&'static str> {
    const PT_LOPROC: u32 = 0x7000_0000;
    const PT_RISCV_ATTRIBUTES: u32 = 0x7000_0003;
    match (machine, kind.0) {
        (_, t) if !(PT_LOPROC..=0x7fff_ffff).contains(&t) => kind.name(),
        (elf_stream::Machine::MIPS, _) => kind.name(),
        (elf_stream::Machine::RISCV, PT_RISCV_ATTRIBUTES) => Some("RISCV_ATTRIBUTES"),
        _ => None,
    }
}

fn phdr_type_text(machine: elf_stream::Machine, kind: elf_stream::ProgramType) -> String {
    phdr_type_name(machine, kind).map_or_else(|| format!("{:#x}", kind.0), str::to_string)
}

fn auxv_name(e: &exec_core::AuxEntry) -> String {
    e.kind.name().map_or_else(|| format!("AT_{}", e.kind.0), str::to_string)
}

/// The success object.
pub fn json(r: &Report, stats: bool) -> Value {
    let p = &r.planned.plan;
    let h = &r.header;
    let mut v = json!({
        "file": r.file,
        "abi": p.abi.name(),
        "header": {
            "class": h.class.name(),
            "endian": h.endian.name(),
            "type": name_or_number(h.elf_type.name(), u64::from(h.elf_type.0)),
            "machine": h.machine.0,
            "flags": h.flags,
            "entry": h.entry.0,
            "phoff": h.phoff.0,
            "phentsize": h.phentsize,
            "phnum": r.phnum,
        },
        "program_headers": r.phdrs.iter().map(|ph| json!({
            "type": name_or_number(phdr_type_name(h.machine, ph.kind), u64::from(ph.kind.0)),
            "flags": ph.flags.0,
            "offset": ph.offset.0,
            "vaddr": ph.vaddr.0,
            "filesz": ph.filesz,
            "memsz": ph.memsz,
            "align": ph.align,
        })).collect::<Vec<_>>(),
        "interp": r.interp,
        "scripts": r.scripts.iter().map(|st| json!({
            "file": st.file,
            "interpreter": st.interpreter,
            "argument": st.argument,
        })).collect::<Vec<_>>(),
        "argv": r.argv,
        "image": image_json(&p.main),
        "interp_image": p.interp.as_ref().map(image_json),
        "entry": p.entry.0,
        "brk": p.brk.0,
        "stack": {
            "top": p.stack.top.0,
            "sp": p.stack.sp.0,
            "start": p.stack.extent.start.0,
            "end": p.stack.extent.end.0,
            "exec": p.stack.exec,
        },
        "mmap": {
            "base": p.mmap.base.0,
            "start": p.mmap.free.start.0,
            "end": p.mmap.free.end.0,
            "top_down": p.mmap.top_down,
        },
        "registers": {
            "pc": p.registers.pc.0,
            "sp": p.registers.sp.0,
            "regs": p.registers.regs.iter().flatten()
                .map(|(i, v)| json!({"index": i, "value": v})).collect::<Vec<_>>(),
        },
        "auxv": p.auxv.entries().iter().map(|e| json!({
            "type": e.kind.0,
            "name": auxv_name(e),
            "value": e.value,
        })).collect::<Vec<_>>(),
        "memory": {
            "bytes": p.memory.eager_bytes(),
            "anonymous_bytes": p.memory.anonymous_bytes(),
            "program_bytes": p.memory.main.eager,
            "interp_bytes": p.memory.interp.eager,
            "stack_bytes": p.memory.stack,
            "reserved_bytes": p.reserved,
        },
        "arch": p.arch,
        "warnings": r.planned.warnings,
    });
    if stats {
        let s = &r.planned.stats;
        v["stats"] = json!({
            "read_calls": s.read_calls,
            "bytes_read": s.bytes_read,
            "stack": {
                "prepare": s.prepare_stack,
                "prepare_into": s.prepare_into_stack,
                "path_buffer": s.path_buffer,
                "load": s.load.map(|l| l.load_stack),
                "stack_builder": s.load.map(|l| l.builder_stack),
            },
            "load_read_calls": s.load.map(|l| l.read_calls),
            "load_bytes_read": s.load.map(|l| l.bytes_read),
        });
    }
    v
}

/// The error object.
pub fn error_json(f: &Failure) -> Value {
    json!({"error": {"kind": f.kind, "errno": f.errno.0, "errno_name": f.errno_name, "message": f.message}})
}

/// The stderr line for a rejected file; an errno the OS profile renumbers shows its number
/// after the name ("ELIBBAD 84" on MIPS).
pub fn error_line(file: &str, f: &Failure) -> String {
    let number = if errno_name(f.errno) == f.errno_name { String::new() } else { format!(" {}", f.errno.0) };
    format!("execplan: {file}: {} ({}{number})", f.message, f.errno_name)
}

fn flags_text(ph: &ProgramHeader) -> String {
    let f = ph.flags;
    let c = |on: bool, ch: char| if on { ch } else { '-' };
    let mut s: String = [c(f.readable(), 'r'), c(f.writable(), 'w'), c(f.executable(), 'x')].iter().collect();
    if f.0 & !7 != 0 {
        let _ = write!(s, "+{:#x}", f.0 & !7);
    }
    s
}

fn image_text(o: &mut String, title: &str, img: &Image) {
    let _ = writeln!(
        o,
        "\n{title}: bias {:#x}, entry {:#x}, AT_PHDR {:#x}",
        img.bias,
        img.entry().0,
        img.phdr().0
    );
    let _ = writeln!(o, "  {:<18} {:<18} {:<4} contents", "start", "end", "prot");
    for m in img.mappings() {
        let what = match m.content {
            Content::File { offset, bytes } => format!("file offset {:#x}, {bytes:#x} bytes", offset.0),
            Content::Zero => "zero (bss)".to_string(),
        };
        let mut marks = String::new();
        if m.prot.contains(Prot::BTI) {
            marks.push_str(" [bti]");
        }
        if m.flags.contains(MappingFlags::TEXT_PATCH) {
            marks.push_str(" [text patch]");
        }
        let _ = writeln!(
            o,
            "  {:<#18x} {:<#18x} {:<4} {what}{marks}",
            m.range.start.0,
            m.range.end.0,
            prot(m.prot)
        );
    }
}

/// What `e_flags` say, where execplan knows the machine's flags: " (RVC, double-float
/// ABI)" for RISC-V, as readelf words it; empty otherwise.
fn flags_meaning(h: &elf_stream::FileHeader) -> String {
    if h.machine != elf_stream::Machine::RISCV {
        return String::new();
    }
    let f = arch_riscv64::ElfFlags(h.flags);
    let mut words = Vec::new();
    if f.rvc() {
        words.push("RVC".to_string());
    }
    words.push(format!("{}-float ABI", f.float_abi().name()));
    if f.rve() {
        words.push("RVE".into());
    }
    if f.tso() {
        words.push("TSO".into());
    }
    format!(" ({})", words.join(", "))
}

/// The human-readable report.
pub fn text(r: &Report, stats: bool) -> String {
    let p = &r.planned.plan;
    let h = &r.header;
    let mut o = String::new();
    let row = |o: &mut String, k: &str, v: String| {
        let _ = writeln!(o, "{k:<12}{v}");
    };
    row(&mut o, "file", r.file.clone());
    for st in &r.scripts {
        let arg = st.argument.as_ref().map_or(String::new(), |a| format!(" {a:?}"));
        row(&mut o, "script", format!("{}: #! {:?}{arg}", st.file, st.interpreter));
    }
    if let Some(p) = &r.program {
        row(&mut o, "program", p.clone());
        row(&mut o, "argv", format!("{:?}", r.argv));
    }
    row(
        &mut o,
        "header",
        format!(
            "{} {}-endian {} {} ({}), flags {:#x}{}",
            h.class.name(),
            h.endian.name(),
            h.elf_type,
            h.machine,
            h.machine.0,
            h.flags,
            flags_meaning(h)
        ),
    );
    row(
        &mut o,
        "",
        format!(
            "e_entry {:#x}, e_phoff {:#x}, e_phentsize {}, {} program headers",
            h.entry.0, h.phoff.0, h.phentsize, r.phnum
        ),
    );
    row(&mut o, "abi", p.abi.name().to_string());
    row(&mut o, "interp", r.interp.clone().unwrap_or_else(|| "none (static)".into()));

    let _ = writeln!(o, "\nprogram headers:");
    let _ = writeln!(
        o,
        "  {:<14} {:<5} {:>10} {:>18} {:>10} {:>10} {:>8}",
        "type", "flags", "offset", "vaddr", "filesz", "memsz", "align"
    );
    for ph in &r.phdrs {
        let _ = writeln!(
            o,
            "  {:<14} {:<5} {:>#10x} {:>#18x} {:>#10x} {:>#10x} {:>#8x}",
            phdr_type_text(h.machine, ph.kind),
            flags_text(ph),
            ph.offset.0,
            ph.vaddr.0,
            ph.filesz,
            ph.memsz,
            ph.align
        );
    }

    image_text(&mut o, "program image", &p.main);
    if let Some(i) = &p.interp {
        image_text(&mut o, "interpreter image", i);
    }

    let _ = writeln!(o);
    row(&mut o, "entry", format!("{:#x}", p.entry.0));
    row(&mut o, "brk", format!("{:#x}", p.brk.0));
    row(
        &mut o,
        "stack",
        format!(
            "{:#x}-{:#x} {}, top {:#x}, sp {:#x}",
            p.stack.extent.start.0,
            p.stack.extent.end.0,
            if p.stack.exec { "rwx" } else { "rw-" },
            p.stack.top.0,
            p.stack.sp.0
        ),
    );
    row(
        &mut o,
        "mmap",
        format!(
            "base {:#x}, free {:#x}-{:#x}, {}",
            p.mmap.base.0,
            p.mmap.free.start.0,
            p.mmap.free.end.0,
            if p.mmap.top_down { "top-down" } else { "bottom-up (legacy)" }
        ),
    );
    let mut regs = format!("pc {:#x}, sp {:#x}", p.registers.pc.0, p.registers.sp.0);
    for (i, v) in p.registers.regs.iter().flatten() {
        let _ = write!(regs, ", reg[{i}] {v:#x}");
    }
    regs.push_str(", all others 0");
    row(&mut o, "registers", regs);
    if let Value::Object(map) = &p.arch {
        let facts: Vec<String> = map.iter().map(|(k, v)| format!("{k} {v}")).collect();
        row(&mut o, "arch", facts.join(", "));
    }

    let _ = writeln!(o, "\nauxv (stack order, AT_NULL not shown):");
    for e in p.auxv.entries() {
        let _ = writeln!(o, "  {:<22} {:>#18x}", auxv_name(e), e.value);
    }

    let _ = writeln!(o);
    let m = &p.memory;
    row(
        &mut o,
        "memory",
        format!(
            "{} bytes for an eager load ({} anonymous): program {}, interpreter {}, stack {}",
            m.eager_bytes(),
            m.anonymous_bytes(),
            m.main.eager,
            m.interp.eager,
            m.stack
        ),
    );
    if stats {
        row(
            &mut o,
            "reads",
            format!(
                "{} read_at calls, {} bytes (program and interpreter, during prepare)",
                r.planned.stats.read_calls, r.planned.stats.bytes_read
            ),
        );
        let s = &r.planned.stats;
        let path = match s.path_buffer {
            0 => String::new(),
            n => format!(" (a {n} B interpreter path buffer held on the way)"),
        };
        row(&mut o, "stack use", format!("prepare_into {} B{path}", s.prepare_into_stack));
        row(
            &mut o,
            "stack use",
            format!("prepare {} B (the same, the plan returned by value)", s.prepare_stack),
        );
        if let Some(l) = s.load {
            row(&mut o, "stack use", format!("load {} B (eager, 256-byte bounce copy)", l.load_stack));
            row(&mut o, "stack use", format!("stack builder {} B", l.builder_stack));
            row(
                &mut o,
                "load reads",
                format!(
                    "{} read_at calls, {} bytes (eager, 256-byte bounce copy)",
                    l.read_calls, l.bytes_read
                ),
            );
        }
    }
    for w in &r.planned.warnings {
        row(&mut o, "warning", w.clone());
    }
    o
}
