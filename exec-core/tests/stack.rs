//! The stack builder, read back the way a libc start routine reads it: argc, argv, envp,
//! auxv; every pointer inside the stack, every string intact, sp aligned, Linux's order.

use elf_stream::{Errno, ReadAt};
use exec_core::*;
use std::collections::BTreeMap;

/// Memory as a byte map; records the stack mapping.
#[derive(Default)]
struct Memory {
    bytes: BTreeMap<u64, u8>,
    mapped: Vec<(AddrRange, Prot)>,
}

impl AddressSpace for Memory {
    fn reserve(&mut self, _: AddrRange) -> Result<(), Errno> {
        Ok(())
    }
    fn map_anonymous(&mut self, r: AddrRange, prot: Prot, _: MappingFlags) -> Result<(), Errno> {
        self.mapped.push((r, prot));
        Ok(())
    }
    fn write(&mut self, addr: UserAddr, bytes: &[u8]) -> Result<(), Errno> {
        let inside =
            self.mapped.iter().any(|(r, _)| r.start.0 <= addr.0 && addr.0 + bytes.len() as u64 <= r.end.0);
        if !inside {
            return Err(Errno::EFAULT);
        }
        for (i, b) in bytes.iter().enumerate() {
            self.bytes.insert(addr.0 + i as u64, *b);
        }
        Ok(())
    }
    fn protect(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
        Ok(())
    }
    fn unmap(&mut self, _: AddrRange) -> Result<(), Errno> {
        Ok(())
    }
}

impl Memory {
    fn word(&self, a: u64) -> u64 {
        u64::from_le_bytes(std::array::from_fn(|i| self.bytes[&(a + i as u64)]))
    }
    fn cstr(&self, mut a: u64) -> Vec<u8> {
        let mut s = Vec::new();
        while self.bytes[&a] != 0 {
            s.push(self.bytes[&a]);
            a += 1;
        }
        s
    }
}

struct NoInterp;
impl ExecHost for NoInterp {
    type Interp = &'static [u8];
    fn open_interpreter(&mut self, _: &[u8]) -> Result<OpenedFile<&'static [u8]>, Errno> {
        Err(Errno::ENOENT)
    }
    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        buf.fill(1);
        Ok(())
    }
}

/// A minimal static ET_EXEC (x86_64).
fn static_exec() -> Vec<u8> {
    let mut b = vec![0u8; 0x1000];
    b[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    b[16] = 2;
    b[18] = 62;
    b[20] = 1;
    b[24..32].copy_from_slice(&0x400100u64.to_le_bytes());
    b[32] = 64;
    b[52] = 64;
    b[54] = 56;
    b[56] = 1;
    let ph = [1u32.to_le_bytes(), 5u32.to_le_bytes()].concat();
    b[64..72].copy_from_slice(&ph);
    b[80..88].copy_from_slice(&0x400000u64.to_le_bytes());
    b[96..104].copy_from_slice(&0x800u64.to_le_bytes());
    b[104..112].copy_from_slice(&0x800u64.to_le_bytes());
    b[112..120].copy_from_slice(&0x1000u64.to_le_bytes());
    b
}

struct Parsed {
    argc: u64,
    argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
    auxv: Vec<(u64, u64)>,
}

fn parse(mem: &Memory, sp: u64) -> Parsed {
    let argc = mem.word(sp);
    let mut at = sp + 8;
    let mut argv = Vec::new();
    for _ in 0..argc {
        argv.push(mem.cstr(mem.word(at)));
        at += 8;
    }
    assert_eq!(mem.word(at), 0, "argv NULL");
    at += 8;
    let mut envp = Vec::new();
    while mem.word(at) != 0 {
        envp.push(mem.cstr(mem.word(at)));
        at += 8;
    }
    at += 8;
    let mut auxv = Vec::new();
    loop {
        let (k, v) = (mem.word(at), mem.word(at + 8));
        at += 16;
        if k == 0 {
            break;
        }
        auxv.push((k, v));
    }
    Parsed { argc, argv, envp, auxv }
}

fn build(argv: &[&[u8]], envp: &[&[u8]], execfn: &[u8]) -> (ExecPlan<arch_x86_64::Info>, Memory) {
    let image = static_exec();
    let mut params = ExecParams::new(execfn);
    params.argv = &argv;
    params.envp = &envp;
    let policy = arch_x86_64::X86_64::default();
    let plan = prepare(&policy, &image[..], &mut NoInterp, &params, None).unwrap().plan;
    let mut mem = Memory::default();
    let random = [0xabu8; 16];
    let plats = (policy.platform(plan.abi), None);
    write_stack(&plan.stack, &params, plats, &plan.auxv, &random, &mut mem).unwrap();
    (plan, mem)
}

#[test]
fn reads_back_like_a_libc_start_routine() {
    let argv: [&[u8]; 3] = [b"prog", b"", b"third arg"];
    let envp: [&[u8]; 2] = [b"A=1", b"PATH=/bin"];
    let (plan, mem) = build(&argv, &envp, b"/usr/bin/prog");
    let sp = plan.stack.sp.0;
    assert_eq!(sp % 16, 0);
    let p = parse(&mem, sp);
    assert_eq!(p.argc, 3);
    assert_eq!(p.argv, argv.iter().map(|s| s.to_vec()).collect::<Vec<_>>());
    assert_eq!(p.envp, envp.iter().map(|s| s.to_vec()).collect::<Vec<_>>());
    let want: Vec<(u64, u64)> = plan.auxv.entries().iter().map(|e| (e.kind.0, e.value)).collect();
    assert_eq!(p.auxv, want);
    let get = |k: AuxType| p.auxv.iter().find(|e| e.0 == k.0).unwrap().1;
    assert_eq!(mem.cstr(get(AuxType::AT_EXECFN)), b"/usr/bin/prog");
    assert_eq!(mem.cstr(get(AuxType::AT_PLATFORM)), b"x86_64");
    let r = get(AuxType::AT_RANDOM);
    assert!((0..16).all(|i| mem.bytes[&(r + i)] == 0xab));
    // Linux's order: HWCAP ... EXECFN, PLATFORM.
    let order: Vec<u64> = p.auxv.iter().map(|e| e.0).collect();
    let names = [16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 26, 31, 15];
    assert_eq!(order, names, "auxv order");
    // Top: 8 zero bytes above the AT_EXECFN string, which ends at top - 8.
    let top = plan.stack.top.0;
    // (anonymous memory is zero: the builder leaves those bytes untouched or zero)
    assert!((top - 8..top).all(|a| mem.bytes.get(&a).copied().unwrap_or(0) == 0));
    assert_eq!(get(AuxType::AT_EXECFN) + b"/usr/bin/prog\0".len() as u64, top - 8);
    // Strings ascending: argv, envp, execfn; the stack mapping holds everything.
    assert!(mem.mapped.iter().any(|(r, prot)| r.start.0 <= sp && r.end.0 == top && *prot == Prot(3)));
}

#[test]
fn argc_zero_reads_back_as_one_empty_argument() {
    let (plan, mem) = build(&[], &[], b"/p");
    let p = parse(&mem, plan.stack.sp.0);
    assert_eq!(p.argc, 1);
    assert_eq!(p.argv, vec![Vec::<u8>::new()]);
}

#[test]
fn many_shapes_of_arguments() {
    // Deterministic sweep over counts and lengths: sp always 16-aligned, everything reads back.
    let long = vec![b'x'; 5000];
    for n in 0..12usize {
        for len in [0usize, 1, 7, 8, 15, 16, 17, 100, 5000] {
            let s = &long[..len];
            let argv: Vec<&[u8]> = (0..n).map(|_| s).collect();
            let envp: Vec<&[u8]> = (0..(n % 5)).map(|_| s).collect();
            let (plan, mem) = build(&argv, &envp, s);
            assert_eq!(plan.stack.sp.0 % 16, 0);
            let p = parse(&mem, plan.stack.sp.0);
            assert_eq!(p.argc as usize, n.max(1));
            if n > 0 {
                assert!(p.argv.iter().all(|a| a == s));
            }
            assert_eq!(p.envp.len(), n % 5);
            assert!(plan.stack.extent.start.0 <= plan.stack.sp.0);
        }
    }
}

#[test]
fn a_failing_write_is_reported() {
    struct Refuses;
    impl AddressSpace for Refuses {
        fn reserve(&mut self, _: AddrRange) -> Result<(), Errno> {
            Ok(())
        }
        fn map_anonymous(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
            Err(Errno::ENOMEM)
        }
        fn write(&mut self, _: UserAddr, _: &[u8]) -> Result<(), Errno> {
            Ok(())
        }
        fn protect(&mut self, _: AddrRange, _: Prot, _: MappingFlags) -> Result<(), Errno> {
            Ok(())
        }
        fn unmap(&mut self, _: AddrRange) -> Result<(), Errno> {
            Ok(())
        }
    }
    let image = static_exec();
    let params = ExecParams::new(b"/p");
    let plan =
        prepare(&arch_x86_64::X86_64::default(), &image[..], &mut NoInterp, &params, None).unwrap().plan;
    let err =
        write_stack(&plan.stack, &params, (None, None), &plan.auxv, &[0; 16], &mut Refuses).unwrap_err();
    assert_eq!(err, ExecError::AddressSpace { op: "map_stack", errno: Errno::ENOMEM });
    let _ = image.as_slice().size();
}
