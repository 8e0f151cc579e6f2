//! The stack builder with fuzzed argv, envp, execfn and stack limit, for programs of every
//! word size and byte order: either a precise error (E2BIG, string too long) or a stack
//! that reads back, the way a libc start routine reads it, to exactly the inputs.

use arbitrary::{Arbitrary, Unstructured};
use elf_stream::Endian;
use exec_core::{prepare, write_stack, ArchPolicy, ExecParams, Randomize, StackLimit};
use test_support::host::MemHost;
use test_support::space::MockSpace;
use test_support::stack::StackReader;

/// A string: its bytes repeated, so a small input can reach the per-string and total
/// argument limits (128 KiB and a quarter of the stack limit).
#[derive(Arbitrary, Debug)]
struct Text {
    bytes: Vec<u8>,
    repeat: u8,
}

impl Text {
    fn expand(&self) -> Vec<u8> {
        // Kernel strings carry no NUL: one would end the string on the new stack.
        let unit: Vec<u8> = self.bytes.iter().map(|&b| if b == 0 { 1 } else { b }).collect();
        let times = if self.repeat > 200 { 1 << (self.repeat - 200).min(12) } else { 1 };
        unit.repeat(times)
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    program: u8,
    argv: Vec<Text>,
    envp: Vec<Text>,
    execfn: Text,
    /// log2 of the stack limit (any value; >= 64 means unlimited).
    limit_shift: u8,
    randomize: bool,
}

const PROGRAMS: [&[u8]; 5] = [
    include_bytes!("../../../testdata/bin/x86_64-static"),
    include_bytes!("../../../testdata/bin/aarch64-static"),
    include_bytes!("../../../testdata/bin/mips-o32-be-static"),
    include_bytes!("../../../testdata/bin/mips-n64-le-static"),
    include_bytes!("../../../testdata/bin/riscv64-static"),
];

/// The fuzz target (input decoded with `arbitrary`).
pub fn stack(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let program = PROGRAMS[usize::from(input.program) % PROGRAMS.len()];
    match input.program % 5 {
        0 => run(&arch_x86_64::X86_64::default(), program, &input),
        1 => run(&arch_aarch64::Aarch64::default(), program, &input),
        2 => run(&arch_mips::Mips::model(arch_mips::CpuModel::Mips5KEf, Endian::Big), program, &input),
        3 => run(&arch_mips::Mips::default(), program, &input),
        _ => run(&arch_riscv64::Riscv64::default(), program, &input),
    }
}

fn run<P: ArchPolicy>(policy: &P, program: &[u8], input: &Input) {
    let argv: Vec<Vec<u8>> = input.argv.iter().map(Text::expand).collect();
    let envp: Vec<Vec<u8>> = input.envp.iter().map(Text::expand).collect();
    let execfn = input.execfn.expand();
    let argv_refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
    let envp_refs: Vec<&[u8]> = envp.iter().map(Vec::as_slice).collect();
    let (argv_refs, envp_refs): (&[&[u8]], &[&[u8]]) = (&argv_refs, &envp_refs);
    let mut params = ExecParams::new(&execfn);
    params.argv = &argv_refs;
    params.envp = &envp_refs;
    params.stack_limit = match input.limit_shift {
        s @ 0..=63 => StackLimit::Bytes(1u64 << s),
        _ => StackLimit::Unlimited,
    };
    if input.randomize {
        params.randomize = Randomize::On;
    }
    let plan = match prepare(policy, program, &mut MemHost::default(), &params, None) {
        Ok(p) => p.plan,
        Err(e) => {
            let _ = e.errno();
            return;
        }
    };
    let mut space = MockSpace::new(program, &[]);
    space.page = policy.page_size().get();
    space.max_pages = Some(16 * 1024);
    let random = [0xab; 16];
    let plats = (policy.platform(plan.abi), policy.base_platform(plan.abi));
    if let Err(e) = write_stack(&plan.stack, &params, plats, &plan.auxv, &random, &mut space) {
        let _ = e.errno();
        return;
    }
    let s = &plan.stack;
    assert!(s.extent.start.0 <= s.sp.0 && s.sp.0 < s.top.0, "sp outside the stack mapping");
    assert_eq!(s.sp.0 % 16, 0, "sp misaligned");
    let got = StackReader::new(&space, s).read(s.sp.0);
    let want_argv = if argv.is_empty() { vec![Vec::new()] } else { argv.clone() };
    assert_eq!((got.argc, &got.argv), (want_argv.len() as u64, &want_argv), "argv does not read back");
    assert_eq!(got.envp, envp, "envp does not read back");
    let mask = u64::MAX >> (64 - 8 * s.word);
    let want_auxv: Vec<(u64, u64)> =
        plan.auxv.entries().iter().map(|e| (e.kind.0 & mask, e.value & mask)).collect();
    assert_eq!(got.auxv, want_auxv, "auxv does not read back");
}
