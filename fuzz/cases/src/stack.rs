//! The stack builder with fuzzed argv, envp, execfn and stack limit, for programs of every
//! word size and byte order: either a precise error (E2BIG, string too long) or a stack
//! that reads back, the way a libc start routine reads it, to exactly the inputs.

use arbitrary::{Arbitrary, Unstructured};
use elf_stream::Endian;
use exec_core::{prepare, write_stack, ArchPolicy, ExecParams, Randomize, StackLimit};
use test_support::host::MemHost;
use test_support::space::MockSpace;

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

const PROGRAMS: [&[u8]; 4] = [
    include_bytes!("../../../testdata/bin/x86_64-static"),
    include_bytes!("../../../testdata/bin/aarch64-static"),
    include_bytes!("../../../testdata/bin/mips-o32-be-static"),
    include_bytes!("../../../testdata/bin/mips-n64-le-static"),
];

/// The fuzz target (input decoded with `arbitrary`).
pub fn stack(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let program = PROGRAMS[usize::from(input.program) % PROGRAMS.len()];
    match input.program % 4 {
        0 => run(&arch_x86_64::X86_64::default(), program, &input),
        1 => run(&arch_aarch64::Aarch64::default(), program, &input),
        2 => run(&arch_mips::Mips::model(arch_mips::CpuModel::Mips5KEf, Endian::Big), program, &input),
        _ => run(&arch_mips::Mips::default(), program, &input),
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
    let read = Reader { space: &space, word: s.word, endian: s.endian };
    assert!(s.extent.start.0 <= s.sp.0 && s.sp.0 < s.top.0, "sp outside the stack mapping");
    assert_eq!(s.sp.0 % 16, 0, "sp misaligned");
    let argc = read.word(s.sp.0);
    let mut at = s.sp.0 + s.word;
    let mut got_argv = Vec::new();
    for _ in 0..argc {
        got_argv.push(read.cstr(read.word(at)));
        at += s.word;
    }
    let want_argv = if argv.is_empty() { vec![Vec::new()] } else { argv.clone() };
    assert_eq!(got_argv, want_argv, "argv does not read back");
    assert_eq!(read.word(at), 0, "argv not NULL-terminated");
    at += s.word;
    for want in &envp {
        assert_eq!(&read.cstr(read.word(at)), want, "envp does not read back");
        at += s.word;
    }
    assert_eq!(read.word(at), 0, "envp not NULL-terminated");
    at += s.word;
    let mask = u64::MAX >> (64 - 8 * s.word);
    for e in plan.auxv.entries() {
        let want = (e.kind.0 & mask, e.value & mask);
        assert_eq!((read.word(at), read.word(at + s.word)), want, "auxv does not read back");
        at += 2 * s.word;
    }
    assert_eq!(read.word(at), 0, "auxv not AT_NULL-terminated");
}

struct Reader<'a> {
    space: &'a MockSpace,
    word: u64,
    endian: Endian,
}

impl Reader<'_> {
    fn byte(&self, a: u64) -> u8 {
        let page = self.space.pages.get(&(a & !(self.space.page - 1))).expect("read outside the stack");
        page.bytes[(a & (self.space.page - 1)) as usize]
    }

    fn word(&self, a: u64) -> u64 {
        let mut b = [0u8; 8];
        let n = self.word as usize;
        for (i, x) in b.iter_mut().take(n).enumerate() {
            *x = self.byte(a + i as u64);
        }
        match self.endian {
            Endian::Little => u64::from_le_bytes(b),
            Endian::Big => u64::from_be_bytes(b) >> (64 - 8 * n),
        }
    }

    fn cstr(&self, mut a: u64) -> Vec<u8> {
        let mut s = Vec::new();
        while self.byte(a) != 0 {
            s.push(self.byte(a));
            a += 1;
        }
        s
    }
}
