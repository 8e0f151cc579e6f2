//! `prepare` + `load` on a fuzzed program and a fuzzed interpreter, against the mock
//! address space, with the policy the program's `e_machine` asks for.
//!
//! Invariants checked: an error from `prepare` releases every reserved byte; an error from
//! `load` leaves the address space empty; every accepted plan passes
//! `test_support::invariants::check_plan` (sorted, aligned, disjoint mappings, file bytes
//! inside mapping and file, eager == mapped == lazy on every page).

use crate::sections;
use elf_stream::{FileHeader, Machine};
use exec_core::{
    load, prepare, ArchPolicy, ExecParams, KernelVersion, LoadMode, MemoryReservation, PageSize, Personality,
    Profile, Randomize, StackLimit, UserAddr, Window,
};
use test_support::host::MemHost;
use test_support::invariants::check_plan;
use test_support::space::MockSpace;

/// Populated pages the mock space allows (64 MiB of 4 KiB pages): a larger image is
/// refused with ENOMEM, as a kernel out of memory would.
const MAX_PAGES: usize = 16 * 1024;
/// Plans checked by `check_plan` (three loads compared page by page) up to this many pages.
const COMPARE_PAGES: u64 = 2048;

/// The fuzz target: see the module documentation. Input: [`sections`] options (first
/// byte: load mode, ASLR, stack limit, window, batch, page size / OS / CPU), main file,
/// interpreter (none when empty).
pub fn exec(data: &[u8]) {
    let [options, main, interp] = sections::<3>(data);
    let selector = options.first().copied().unwrap_or(0);
    // Second option byte: profile and kernel version (bits 0-1), personality (bit 2),
    // secure exec (bit 3).
    let extra = options.get(1).copied().unwrap_or(0);
    let interp = (!interp.is_empty()).then_some(interp);
    let Ok(header) = FileHeader::parse(main) else {
        return;
    };
    let big_pages = selector & 0x40 != 0;
    match header.machine {
        Machine::AARCH64 => {
            let mut cpu = arch_aarch64::Cpu::default();
            if big_pages {
                cpu.page_size =
                    PageSize::new(if selector & 0x80 != 0 { 65536 } else { 16384 }).expect("page size");
                cpu.va_bits = 48;
            }
            run(&arch_aarch64::Aarch64::new(cpu), selector, extra, main, interp)
        }
        Machine::MIPS | Machine::MIPS_RS3_LE => {
            // The oracle's 5KEf, or an R5000 (text patching), in the file's byte order.
            let model =
                if selector & 0x80 != 0 { arch_mips::CpuModel::R5000 } else { arch_mips::CpuModel::Mips5KEf };
            let mut policy = arch_mips::Mips::model(model, header.endian);
            if big_pages {
                policy.os = arch_mips::OsProfile::Irix;
            }
            run(&policy, selector, extra, main, interp)
        }
        Machine::RISCV => {
            // The MMU modes, and sv39 with the hardened ISA check on an rv64imac hart.
            let (mmu, hardened) = match selector >> 6 {
                0 => (arch_riscv64::Mmu::Sv48, false),
                1 => (arch_riscv64::Mmu::Sv39, false),
                2 => (arch_riscv64::Mmu::Sv57, false),
                _ => (arch_riscv64::Mmu::Sv39, true),
            };
            let cpu = arch_riscv64::Cpu { mmu, ..arch_riscv64::Cpu::default() };
            let policy = match hardened {
                false => arch_riscv64::Riscv64::new(cpu),
                true => arch_riscv64::Riscv64::new(arch_riscv64::Cpu {
                    isa: arch_riscv64::Isa::from_letters(b"imac"),
                    ..cpu
                })
                .with_profile(arch_riscv64::Profile::Hardened),
            };
            run(&policy, selector, extra, main, interp)
        }
        _ => run(&arch_x86_64::X86_64::default(), selector, extra, main, interp),
    }
}

fn run<P: ArchPolicy>(policy: &P, selector: u8, extra: u8, main: &[u8], interp: Option<&[u8]>) {
    let argv: [&[u8]; 2] = [b"prog", b"arg"];
    let envp: [&[u8]; 1] = [b"K=V"];
    let mut params = ExecParams::new(b"/prog");
    params.argv = &argv;
    params.envp = &envp;
    if selector & 0x04 != 0 {
        params.randomize = Randomize::On;
    }
    if selector & 0x08 != 0 {
        params.stack_limit = StackLimit::Unlimited;
    }
    if selector & 0x10 != 0 {
        params.window = Some(Window { start: UserAddr(0x10000), end: UserAddr(0x4000_0000) });
    }
    if selector & 0x20 != 0 {
        params.reservation = MemoryReservation::Reserve;
    }
    params.profile = match extra & 3 {
        0 => Profile::default(),
        1 => Profile::Hardened,
        2 => Profile::Linux(KernelVersion::new(6, 1)),
        _ => Profile::Linux(KernelVersion::new(5, 10)),
    };
    if extra & 4 != 0 {
        params.personality = Personality::READ_IMPLIES_EXEC.union(Personality::ADDR_COMPAT_LAYOUT);
    }
    if extra & 8 != 0 {
        params.credentials.secure = true;
    }
    let mut host = MemHost::new(interp);
    let prepared = match prepare(policy, main, &mut host, &params, None) {
        Ok(p) => p,
        Err(e) => {
            let _ = e.errno();
            assert_eq!(host.reserved, 0, "prepare failed with {e:?} but left memory reserved");
            return;
        }
    };
    let plan = prepared.plan;
    check_spans(&plan);
    let interp_bytes = prepared.interpreter.map(|f| f.0).unwrap_or_default();
    let interp_src = plan.interp.as_ref().map(|_| &interp_bytes[..]);
    let page = policy.page_size().get();
    let mode = match selector & 3 {
        0 => LoadMode::Eager,
        1 => LoadMode::Mapped,
        _ => LoadMode::Lazy,
    };
    let mut space = MockSpace::new(main, &interp_bytes);
    space.page = page;
    space.max_pages = Some(MAX_PAGES);
    match load(&plan, main, interp_src, &mut space, mode) {
        Err(e) => {
            let _ = e.errno();
            assert!(space.is_empty(), "load failed with {e:?} and left {:?}", space.calls);
        }
        Ok(_) => {
            let pages: u64 = plan.mappings().map(|m| (m.range.end.0 - m.range.start.0) / page).sum();
            if pages <= COMPARE_PAGES {
                if let Err(e) = check_plan(&plan, main, &interp_bytes) {
                    panic!("unsound plan: {e}");
                }
            }
        }
    }
}

/// What every plan promises: each mapping inside its image's span, the spans disjoint,
/// brk outside the program's span (the heap never overwrites the image) — except for a
/// static PIE, whose brk Linux moves to ELF_ET_DYN_BASE wherever the image went.
fn check_spans<I>(plan: &exec_core::ExecPlan<I>) {
    let main = plan.main.span();
    for m in plan.mappings() {
        let span =
            if m.role == exec_core::Role::Main { main } else { plan.interp.as_ref().expect("interp").span() };
        assert!(span.start <= m.range.start && m.range.end <= span.end, "{m:?} outside its image {span:?}");
    }
    if let Some(interp) = &plan.interp {
        assert!(
            !interp.span().overlaps(&main),
            "program {main:?} and interpreter {:?} overlap",
            interp.span()
        );
    }
    let static_pie = plan.main.header.elf_type == elf_stream::ElfType::DYN && plan.interp.is_none();
    let inside = main.start < plan.brk && plan.brk < main.end;
    assert!(static_pie || !inside, "brk {:?} inside the program {main:?}", plan.brk);
}
