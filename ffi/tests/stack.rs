//! Stack high-water of the C entry points the C harness does not paint around:
//! `execcore_elfmap` and the plan queries (the harness measures follow_scripts, prepare,
//! load and build_stack). Each call runs on a painted stack (the meter `execplan --stats`
//! uses) and its high-water, the test kernel's callbacks included, is printed; in a
//! release build (what BENCHMARKS.md reports, `cargo test --release -p ffi --test
//! stack -- --nocapture`) every one must stay within 4 KiB, as the header promises.
// Test code, where a panic is a failed test: exempt from the libraries' panic-free set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
#![allow(clippy::undocumented_unsafe_blocks)]

mod common;
#[path = "../../examples/execplan/src/stack_meter.rs"]
mod stack_meter;

use common::*;
use execcore_ffi::*;
use stack_meter::{high_water, on_measuring_thread};

/// The header's promise for every entry point.
const LIMIT: usize = 4096;

/// `(name, bytes)` of each measured call, each asserted to succeed.
fn measure(
    rows: &mut Vec<(&'static str, usize)>,
    name: &'static str,
    call: impl FnOnce() -> execcore_status,
) {
    let (st, used) = high_water(call);
    assert_eq!(st, EXECCORE_OK, "{name}");
    // The meter saw the call (a frame at least), so a broken meter cannot pass as 0 bytes.
    assert!(used > 0, "{name}: nothing measured");
    rows.push((name, used));
}

#[test]
fn elfmap_and_queries_stack_high_water() {
    let rows = on_measuring_thread(|| {
        let mut rows = Vec::new();
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        // elfmap: a position-dependent object at its own addresses, eager (`write`), from
        // the program header table a runtime linker would pass.
        let obj = std::fs::read(repo.join("testdata/bin/x86_64-dyn-exec")).unwrap();
        let elf: elf_stream::ElfFile<&[u8]> = elf_stream::ElfFile::open(&obj[..]).unwrap();
        let h = *elf.header();
        let table = obj[h.phoff.0 as usize..][..h.phnum as usize * 56].to_vec();
        let mut k = Kernel::program(obj.clone(), "/");
        let ops = ops(&mut k);
        let cpu = x86_cpu();
        let mut base = 0u64;
        measure(&mut rows, "execcore_elfmap (eager, 64-bit table)", || unsafe {
            execcore_elfmap(
                &cpu,
                0,
                table.as_ptr(),
                h.phnum as usize,
                EXECCORE_ELFCLASS64,
                EXECCORE_LOAD_EAGER,
                &ops,
                &mut base,
                std::ptr::null_mut(),
            )
        });
        assert_eq!(base, 0x40_0000);

        // The queries, on the plan of a dynamic program.
        let mut k = Kernel::program(std::fs::read("/bin/ls").unwrap(), "/");
        let ops = common::ops(&mut k);
        let args = Args::new(&["ls"], "/bin/ls");
        let params = args.params();
        let mut plan = new_plan();
        let st = unsafe { execcore_prepare(&cpu, &params, &ops, &mut *plan, std::ptr::null_mut()) };
        assert_eq!(st, EXECCORE_OK);
        let (mut nmap, mut naux) = (0usize, 0usize);
        measure(&mut rows, "execcore_plan_counts", || unsafe {
            execcore_plan_counts(&*plan, &mut nmap, &mut naux)
        });
        let mut maps = vec![execcore_mapping::default(); nmap];
        let mut got = 0;
        measure(&mut rows, "execcore_plan_mappings", || unsafe {
            execcore_plan_mappings(&*plan, maps.as_mut_ptr(), nmap, &mut got)
        });
        let mut aux = vec![execcore_auxv_entry::default(); naux];
        measure(&mut rows, "execcore_plan_auxv", || unsafe {
            execcore_plan_auxv(&*plan, aux.as_mut_ptr(), naux, &mut got)
        });
        let mut layout = execcore_layout::default();
        measure(&mut rows, "execcore_plan_layout", || unsafe { execcore_plan_layout(&*plan, &mut layout) });
        let mut entry = execcore_entry_state::default();
        measure(&mut rows, "execcore_plan_entry", || unsafe { execcore_plan_entry(&*plan, &mut entry) });
        let mut memory = execcore_memory::default();
        measure(&mut rows, "execcore_plan_memory", || unsafe { execcore_plan_memory(&*plan, &mut memory) });
        let mut fill = execcore_page_fill::default();
        measure(&mut rows, "execcore_resolve_fault", || unsafe {
            execcore_resolve_fault(&*plan, layout.entry, &mut fill)
        });
        let text = [0u8; 64];
        let (mut hits, mut count) = ([0u32; 4], 0usize);
        measure(&mut rows, "execcore_text_scan", || unsafe {
            execcore_text_scan(&*plan, text.as_ptr(), text.len(), hits.as_mut_ptr(), hits.len(), &mut count)
        });
        let no_space = exec_status(ExecCode::NoSpace);
        measure(&mut rows, "execcore_status_str", || {
            if execcore_status_str(no_space).is_null() {
                no_space
            } else {
                EXECCORE_OK
            }
        });
        measure(&mut rows, "execcore_plan_discard", || unsafe { execcore_plan_discard(&mut *plan, &ops) });
        rows
    });
    let release = !cfg!(debug_assertions);
    for (name, used) in &rows {
        println!("{name}: {used} bytes");
        if release {
            assert!(*used <= LIMIT, "{name} uses {used} bytes of stack, more than {LIMIT}");
        }
    }
}
