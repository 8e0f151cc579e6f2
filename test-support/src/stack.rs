//! An initial stack read back from a [`MockSpace`] the way a libc start routine reads it:
//! argc, argv, envp, auxv, for any word size and byte order.

use crate::space::MockSpace;
use elf_stream::Endian;
use exec_core::{write_stack, ExecParams, ExecPlan, StackPlan};

/// What a start routine finds at `sp`.
#[derive(Debug, PartialEq, Eq)]
pub struct InitialStack {
    /// The argument count word.
    pub argc: u64,
    /// The argument strings (argc of them).
    pub argv: Vec<Vec<u8>>,
    /// The environment strings, up to the NULL.
    pub envp: Vec<Vec<u8>>,
    /// The auxiliary vector's (type, value) pairs, up to AT_NULL.
    pub auxv: Vec<(u64, u64)>,
}

/// Reads words and strings of a stack written into a [`MockSpace`]; panics on a read
/// outside the populated pages (a pointer leading out of the stack).
pub struct StackReader<'a> {
    space: &'a MockSpace,
    word: u64,
    endian: Endian,
}

impl<'a> StackReader<'a> {
    /// A reader with the word size and byte order of `stack`.
    pub fn new(space: &'a MockSpace, stack: &StackPlan) -> Self {
        StackReader { space, word: stack.word, endian: stack.endian }
    }

    /// The byte at `a`.
    pub fn byte(&self, a: u64) -> u8 {
        let mask = self.space.page - 1;
        let page = self.space.pages.get(&(a & !mask)).unwrap_or_else(|| panic!("read at {a:#x}: not mapped"));
        page.bytes[(a & mask) as usize]
    }

    /// The word at `a`, zero-extended.
    pub fn word(&self, a: u64) -> u64 {
        let n = self.word as usize;
        let mut b = [0u8; 8];
        for (i, x) in b.iter_mut().take(n).enumerate() {
            *x = self.byte(a + i as u64);
        }
        match self.endian {
            Endian::Little => u64::from_le_bytes(b),
            Endian::Big => u64::from_be_bytes(b) >> (64 - 8 * n),
        }
    }

    /// The NUL-terminated string at `a`, without its NUL.
    pub fn cstr(&self, mut a: u64) -> Vec<u8> {
        // A page slice at a time: Miri runs this over strings of many KiB.
        let mask = self.space.page - 1;
        let mut s = Vec::new();
        loop {
            let page =
                self.space.pages.get(&(a & !mask)).unwrap_or_else(|| panic!("string at {a:#x}: not mapped"));
            let rest = &page.bytes[(a & mask) as usize..];
            match rest.iter().position(|&b| b == 0) {
                Some(n) => return [s, rest[..n].to_vec()].concat(),
                None => s.extend_from_slice(rest),
            }
            a += rest.len() as u64;
        }
    }

    /// argc, argv, envp and auxv from `sp` up.
    pub fn read(&self, sp: u64) -> InitialStack {
        let w = self.word;
        let argc = self.word(sp);
        let mut at = sp + w;
        let mut argv = Vec::new();
        for _ in 0..argc {
            argv.push(self.cstr(self.word(at)));
            at += w;
        }
        assert_eq!(self.word(at), 0, "argv not NULL-terminated");
        at += w;
        let mut envp = Vec::new();
        while self.word(at) != 0 {
            envp.push(self.cstr(self.word(at)));
            at += w;
        }
        at += w;
        let mut auxv = Vec::new();
        loop {
            let (kind, value) = (self.word(at), self.word(at + w));
            at += 2 * w;
            if kind == 0 {
                break;
            }
            auxv.push((kind, value));
        }
        InitialStack { argc, argv, envp, auxv }
    }
}

/// The bytes from sp to the top of the stack [`write_stack`] builds for `plan` with
/// `params`, the policy's `platforms` and `random` (what a kernel oracle dumps).
pub fn initial_stack_bytes<I>(
    plan: &ExecPlan<I>,
    params: &ExecParams<'_>,
    platforms: (Option<&[u8]>, Option<&[u8]>),
    random: &[u8; 16],
) -> Vec<u8> {
    let mut space = MockSpace::new(&[], &[]);
    space.page = plan.main.page.get();
    write_stack(&plan.stack, params, platforms, &plan.auxv, random, &mut space).expect("write_stack");
    let read = StackReader::new(&space, &plan.stack);
    (plan.stack.sp.0..plan.stack.top.0).map(|a| read.byte(a)).collect()
}
