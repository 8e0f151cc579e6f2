//! The plan as JSON (the schema in plan.schema.json) and as text.

use exec_core::{Content, ExecPlan, Image, Mapping, Prot};
use serde_json::{json, Value};
use std::fmt::Write;

/// Everything printed for one file.
pub struct Report {
    pub file: String,
    pub header: elf_stream::FileHeader,
    pub phdrs: Vec<elf_stream::ProgramHeader>,
    pub plan: ExecPlan<arch_x86_64::Info>,
    pub read_calls: u64,
    pub bytes_read: u64,
}

fn mapping(m: &Mapping) -> Value {
    let (offset, bytes) = match m.content {
        Content::File { offset, bytes } => (json!(offset.0), bytes),
        Content::Zero => (Value::Null, 0),
        Content::Shared { pieces, count } => {
            (Value::Null, pieces.iter().take(usize::from(count)).map(|p| p.len).sum())
        }
    };
    json!({
        "start": m.range.start.0,
        "end": m.range.end.0,
        "prot": m.prot.to_string(),
        "file_offset": offset,
        "file_bytes": bytes,
        "bti": m.prot.contains(Prot::BTI),
        "text_patch": m.flags.contains(exec_core::MappingFlags::TEXT_PATCH),
    })
}

fn image(img: &Image) -> Value {
    json!({
        "bias": img.bias,
        "entry": img.entry().0,
        "phdr": img.phdr().0,
        "mappings": img.mappings().map(|m| mapping(&m)).collect::<Vec<_>>(),
    })
}

fn type_name(t: elf_stream::ElfType) -> Value {
    t.name().map_or(json!(t.0), |n| json!(n))
}

/// The JSON object.
pub fn json(r: &Report, stats: bool) -> Value {
    let p = &r.plan;
    let h = &r.header;
    let mut interp_path = Value::Null;
    let bytes = std::fs::read(&r.file).unwrap_or_default();
    if let Some(ph) = r.phdrs.iter().find(|ph| ph.kind == elf_stream::ProgramType::INTERP) {
        let s = bytes.get(ph.offset.0 as usize..(ph.offset.0 + ph.filesz) as usize).unwrap_or_default();
        interp_path = json!(String::from_utf8_lossy(s.strip_suffix(&[0]).unwrap_or(s)));
    }
    let mut v = json!({
        "file": r.file,
        "abi": p.abi.name(),
        "header": {
            "class": h.class.name(),
            "endian": h.endian.name(),
            "type": type_name(h.elf_type),
            "machine": h.machine.0,
            "flags": h.flags,
            "entry": h.entry.0,
            "phoff": h.phoff.0,
            "phentsize": h.phentsize,
            "phnum": r.phdrs.len(),
        },
        "program_headers": r.phdrs.iter().map(|ph| json!({
            "type": ph.kind.name().map_or(json!(ph.kind.0), |n| json!(n)),
            "flags": ph.flags.0,
            "offset": ph.offset.0,
            "vaddr": ph.vaddr.0,
            "filesz": ph.filesz,
            "memsz": ph.memsz,
            "align": ph.align,
        })).collect::<Vec<_>>(),
        "interp": interp_path,
        "image": image(&p.main),
        "interp_image": p.interp.as_ref().map_or(Value::Null, image),
        "entry": p.entry.0,
        "brk": p.brk.0,
        "stack": {
            "top": p.stack.top.0,
            "sp": p.stack.sp.0,
            "start": p.stack.extent.start.0,
            "end": p.stack.extent.end.0,
            "exec": p.stack.exec,
        },
        "mmap": {"base": p.mmap.base.0, "start": p.mmap.free.start.0, "end": p.mmap.free.end.0, "top_down": p.mmap.top_down},
        "registers": {
            "pc": p.registers.pc.0,
            "sp": p.registers.sp.0,
            "regs": p.registers.regs.iter().flatten().map(|(i, v)| json!({"index": i, "value": v})).collect::<Vec<_>>(),
        },
        "auxv": p.auxv.entries().iter().map(|e| json!({
            "type": e.kind.0,
            "name": e.kind.name().map_or_else(|| format!("AT_{}", e.kind.0), str::to_string),
            "value": e.value,
        })).collect::<Vec<_>>(),
        "memory": {
            "bytes": p.memory.eager_bytes(),
            "anonymous_bytes": p.memory.anonymous_bytes(),
            "interp_bytes": p.memory.interp.eager,
            "stack_bytes": p.memory.stack,
        },
        "arch": {"x86_feature_1_and": p.arch.feature_1_and},
    });
    if stats {
        v["stats"] = json!({"read_calls": r.read_calls, "bytes_read": r.bytes_read});
    }
    v
}

fn maps(out: &mut String, title: &str, img: &Image) {
    let _ = writeln!(
        out,
        "{title} (bias {:#x}, entry {:#x}, AT_PHDR {:#x}):",
        img.bias,
        img.entry().0,
        img.phdr().0
    );
    for m in img.mappings() {
        let what = match m.content {
            Content::File { offset, bytes } => format!("file {:#x} +{:#x}", offset.0, bytes),
            Content::Zero => "zero (bss)".to_string(),
            Content::Shared { count, .. } => format!("shared page, {count} pieces"),
        };
        let bti = if m.prot.contains(Prot::BTI) { " bti" } else { "" };
        let _ = writeln!(out, "  {:#014x}-{:#014x} {}{bti} {what}", m.range.start.0, m.range.end.0, m.prot);
    }
}

/// The human-readable report.
pub fn text(r: &Report, stats: bool) -> String {
    let p = &r.plan;
    let h = &r.header;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}: {} {} {} {}, ABI {}",
        r.file,
        h.class.name(),
        h.endian.name(),
        h.elf_type,
        h.machine,
        p.abi.name()
    );
    let _ = writeln!(o, "program headers:");
    for ph in &r.phdrs {
        let _ = writeln!(
            o,
            "  {:<14} {} off {:#08x} vaddr {:#012x} filesz {:#08x} memsz {:#08x} align {:#x}",
            ph.kind.to_string(),
            ph.flags,
            ph.offset.0,
            ph.vaddr.0,
            ph.filesz,
            ph.memsz,
            ph.align
        );
    }
    maps(&mut o, "program", &p.main);
    if let Some(i) = &p.interp {
        maps(&mut o, "interpreter", i);
    }
    let _ = writeln!(o, "entry {:#x}  brk {:#x}", p.entry.0, p.brk.0);
    let _ = writeln!(
        o,
        "stack {:#x}-{:#x} ({}), sp {:#x}",
        p.stack.extent.start.0,
        p.stack.top.0,
        if p.stack.exec { "rwx" } else { "rw-" },
        p.stack.sp.0
    );
    let _ = writeln!(
        o,
        "mmap base {:#x}, free {:#x}-{:#x} ({})",
        p.mmap.base.0,
        p.mmap.free.start.0,
        p.mmap.free.end.0,
        if p.mmap.top_down { "top-down" } else { "bottom-up" }
    );
    let _ = writeln!(o, "auxv:");
    for e in p.auxv.entries() {
        let _ = writeln!(o, "  {:<16} {:#x}", e.kind.to_string(), e.value);
    }
    let _ = writeln!(
        o,
        "memory: {} bytes eager ({} anonymous)",
        p.memory.eager_bytes(),
        p.memory.anonymous_bytes()
    );
    if stats {
        let _ = writeln!(o, "reads: {} read_at calls, {} bytes", r.read_calls, r.bytes_read);
    }
    o
}
