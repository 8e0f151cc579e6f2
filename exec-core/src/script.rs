//! `#!` scripts, with the rules of Linux's `fs/binfmt_script.c` and the nesting limit of
//! `exec_binprm` in `fs/exec.c`.
//!
//! A kernel reads the first [`BINPRM_BUF_SIZE`] bytes of the file ([`ScriptHead`]); when
//! they start with `#!` the line names an interpreter and at most one argument
//! ([`Shebang`]). The interpreter is opened and examined in turn (it may be a script
//! itself), and the program finally planned is the first file that is not a script. The
//! argument vector becomes `[interpreter, argument?, script path, argv[1..]]` at each
//! level ([`ScriptArgv`]); `AT_EXECFN` keeps the name given to `execve`.
//!
//! [`follow_scripts`] does all of this through an [`ExecHost`] into a caller-owned
//! [`ScriptChain`] (no heap), and returns an [`ExecTarget`] to hand to
//! [`prepare`](crate::prepare()) and [`load`](crate::load()):
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use exec_core::script::{follow_scripts, ScriptChain};
//! use exec_core::{fs_host::FsHost, prepare, ExecParams, StringList};
//! # let dir = std::env::temp_dir().join(format!("execcore-script-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! # let path = dir.join("hello.sh");
//! # std::fs::write(&path, "#!/bin/sh -e\necho hello\n")?;
//! let file = std::fs::File::open(&path)?;                      // "./hello.sh", say
//! let argv: [&[u8]; 2] = [b"./hello.sh", b"world"];
//! let mut host = FsHost::new("/");
//! let mut chain = ScriptChain::new();                          // 1.6 KiB, the caller's
//! let target = follow_scripts(&mut chain, &file, &mut host)?;  // opens /bin/sh
//! let argv = chain.argv(&argv, b"./hello.sh");                 // sh -e ./hello.sh world
//! assert_eq!(argv.get(0), Some(&b"/bin/sh"[..]));
//! assert_eq!(argv.get(2), Some(&b"./hello.sh"[..]));
//! let mut params = ExecParams::new(b"./hello.sh");             // AT_EXECFN: the name given
//! params.argv = &argv;
//! let prepared = prepare(&arch_x86_64::X86_64::default(), &target, &mut host, &params, None)?;
//! // load(&prepared.plan, &target, prepared.interpreter.as_ref(), ...), write_stack(.., &params, ..)
//! # drop(prepared);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(()) }
//! ```

use crate::error::ExecError;
use crate::host::{ExecHost, OpenedFile};
use crate::params::StringList;
use elf_stream::{Errno, ReadAt, ReadFailure};

/// Bytes of a file Linux examines before choosing a binary format (`BINPRM_BUF_SIZE`).
pub const BINPRM_BUF_SIZE: usize = 256;

/// Script rewrites Linux performs; the next one fails with ELOOP (`exec_binprm` allows six
/// format handlers per exec, so five scripts can lead to a binary).
pub const MAX_SCRIPT_REWRITES: usize = 5;

/// Strings a full chain puts before the script path: an interpreter and an argument per
/// rewrite.
pub const MAX_SCRIPT_PREFIX: usize = 2 * MAX_SCRIPT_REWRITES;

/// Why a `#!` file cannot be executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptError {
    /// The line holds no interpreter name: nothing, or only blanks, after `#!` (ENOEXEC).
    NoInterpreter,
    /// The line fills the buffer without a newline and no blank or NUL after the
    /// interpreter path proves the path complete: it may be cut (ENOEXEC).
    Truncated,
    /// A sixth script in a row (ELOOP).
    TooDeep,
    /// The interpreter could not be opened: the host's errno (ENOENT, EACCES, ...).
    InterpreterOpen(Errno),
    /// Reading the first bytes of a file failed: the source's errno.
    Read(Errno),
}

impl ScriptError {
    /// The code (name, message, default errno).
    pub const fn code(self) -> crate::error::ExecCode {
        use crate::error::ExecCode;
        match self {
            ScriptError::NoInterpreter => ExecCode::ScriptNoInterpreter,
            ScriptError::Truncated => ExecCode::ScriptTruncated,
            ScriptError::TooDeep => ExecCode::ScriptTooDeep,
            ScriptError::InterpreterOpen(_) => ExecCode::ScriptInterpreterOpenFailed,
            ScriptError::Read(_) => ExecCode::ScriptReadFailed,
        }
    }

    /// The errno `execve` returns: the host's for open and read failures, else the code's.
    pub const fn errno(self) -> Errno {
        match self {
            ScriptError::InterpreterOpen(e) | ScriptError::Read(e) => e,
            _ => self.code().errno(),
        }
    }

    /// The code's stable snake_case name.
    pub const fn kind(self) -> &'static str {
        self.code().name()
    }

    /// The code's message.
    pub const fn message(self) -> &'static str {
        self.code().message()
    }
}

impl From<ScriptError> for ExecError {
    fn from(e: ScriptError) -> Self {
        ExecError::Script(e)
    }
}

/// What a `#!` line says, borrowed from the [`ScriptHead`] it was parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shebang<'a> {
    /// The interpreter path (1 to 253 bytes, no NUL, blank or newline; a CR is part of it).
    pub interpreter: &'a [u8],
    /// The optional argument: everything after the first run of blanks following the
    /// path, trailing blanks removed; may be empty (a NUL right after the blanks) and
    /// may hold blanks (never split).
    pub argument: Option<&'a [u8]>,
}

/// Byte ranges of one parsed line inside its head (what [`ScriptChain`] keeps).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Spans {
    interp: (u16, u16),
    /// `(start, end)`; `start == NONE` when there is no argument.
    arg: (u16, u16),
}

/// `Spans::arg.0` when the line has no argument.
const NONE: u16 = u16::MAX;

/// Blanks: the only separators Linux knows (`spacetab`).
const fn blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// What ends the interpreter name: a blank or a NUL.
const fn terminator(c: u8) -> bool {
    blank(c) || c == 0
}

/// The first file bytes as Linux examines them: [`BINPRM_BUF_SIZE`] bytes, zero past the
/// end of a shorter file.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(transparent)]
pub struct ScriptHead([u8; BINPRM_BUF_SIZE]);

impl Default for ScriptHead {
    fn default() -> Self {
        ScriptHead([0; BINPRM_BUF_SIZE])
    }
}

impl core::fmt::Debug for ScriptHead {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let end = self.0.iter().position(|&c| c == b'\n' || c == 0).unwrap_or(BINPRM_BUF_SIZE);
        f.debug_tuple("ScriptHead").field(&self.0.get(..end).unwrap_or(&[])).finish()
    }
}

impl ScriptHead {
    /// The head of a file whose contents start with `bytes` (only the first
    /// [`BINPRM_BUF_SIZE`] count; fewer mean the file ends there).
    pub fn from_prefix(bytes: &[u8]) -> Self {
        let mut head = ScriptHead::default();
        let n = bytes.len().min(BINPRM_BUF_SIZE);
        if let (Some(dst), Some(src)) = (head.0.get_mut(..n), bytes.get(..n)) {
            dst.copy_from_slice(src);
        }
        head
    }

    /// Reads the head of `source` (short reads continued, zero past end of file).
    pub fn read<R: ReadAt + ?Sized>(source: &R) -> Result<Self, ScriptError> {
        let mut head = ScriptHead::default();
        head.fill(source)?;
        Ok(head)
    }

    fn fill<R: ReadAt + ?Sized>(&mut self, source: &R) -> Result<(), ScriptError> {
        self.0 = [0; BINPRM_BUF_SIZE];
        let mut done = 0usize;
        while let Some(rest) = self.0.get_mut(done..).filter(|r| !r.is_empty()) {
            let n = source
                .read_at(done as u64, rest)
                .map_err(|e| ScriptError::Read(Into::<ReadFailure>::into(e).errno()))?;
            if n == 0 {
                break;
            }
            // A source claiming more than asked is broken: the bytes cannot be trusted.
            done =
                done.checked_add(n).filter(|&d| d <= BINPRM_BUF_SIZE).ok_or(ScriptError::Read(Errno::EIO))?;
        }
        Ok(())
    }

    /// The bytes (zero past the end of a short file).
    pub fn bytes(&self) -> &[u8; BINPRM_BUF_SIZE] {
        &self.0
    }

    /// Whether the file is a script (starts with `#!`); whether its line is valid is
    /// [`ScriptHead::shebang`]'s question.
    pub fn is_script(&self) -> bool {
        self.0.starts_with(b"#!")
    }

    /// Parses the `#!` line: `Ok(None)` when the file is not a script, an error when the
    /// line is one Linux refuses.
    pub fn shebang(&self) -> Result<Option<Shebang<'_>>, ScriptError> {
        Ok(self.spans()?.map(|s| self.resolve(s)))
    }

    fn resolve(&self, s: Spans) -> Shebang<'_> {
        let range = |(a, b): (u16, u16)| self.0.get(usize::from(a)..usize::from(b)).unwrap_or(&[]);
        Shebang { interpreter: range(s.interp), argument: (s.arg.0 != NONE).then(|| range(s.arg)) }
    }

    /// Linux's `load_script` line rules, as byte ranges.
    fn spans(&self) -> Result<Option<Spans>, ScriptError> {
        if !self.is_script() {
            return Ok(None);
        }
        let b = &self.0;
        let at = |i: usize| b.get(i).copied().unwrap_or(0);
        // First index in `from..=to` whose byte satisfies `pred`.
        let find = |from: usize, to: usize, pred: fn(u8) -> bool| (from..=to).find(|&i| pred(at(i)));
        let last = BINPRM_BUF_SIZE - 1;
        // The line ends at the first newline; Linux's search (`strnchr`) stops at a NUL.
        let newline = b.iter().position(|&c| c == b'\n' || c == 0).filter(|&i| at(i) == b'\n');
        let mut end = match newline {
            Some(i) => i,
            None => {
                // No newline: the path must be proven complete by a blank or NUL after
                // it, anywhere up to the last byte; the line is then bytes 2..last.
                let first = find(2, last, |c| !blank(c)).ok_or(ScriptError::NoInterpreter)?;
                find(first, last, terminator).ok_or(ScriptError::Truncated)?;
                last
            }
        };
        while end > 2 && blank(at(end.saturating_sub(1))) {
            end = end.saturating_sub(1);
        }
        // The searches include `end` itself, as Linux's do.
        let name = find(2, end, |c| !blank(c)).filter(|&i| i != end).ok_or(ScriptError::NoInterpreter)?;
        let sep = find(name, end, terminator);
        let arg = match sep {
            Some(s) if at(s) != 0 => find(s, end, |c| !blank(c)),
            _ => None,
        };
        // Linux then writes a NUL at `end` (and at `sep` when there is an argument): each
        // string runs to the first NUL.
        let interp_end = sep.unwrap_or(end).min(end);
        let arg = arg.map(|a| (a, find(a, end, |c| c == 0).unwrap_or(end).min(end)));
        let narrow = |i: usize| u16::try_from(i).unwrap_or(u16::MAX);
        Ok(Some(Spans {
            interp: (narrow(name), narrow(interp_end)),
            arg: arg.map_or((NONE, NONE), |(a, e)| (narrow(a), narrow(e))),
        }))
    }

    /// Writes the NULs Linux writes after each string, so the strings are C strings in
    /// place (the C ABI hands out pointers into the head).
    fn terminate(&mut self, s: Spans) {
        for end in [Some(s.interp.1), (s.arg.0 != NONE).then_some(s.arg.1)].into_iter().flatten() {
            if let Some(c) = self.0.get_mut(usize::from(end)) {
                *c = 0;
            }
        }
    }
}

/// Caller-owned storage for following scripts (no heap): the head of every script in the
/// chain and where its strings are. Plain integers and bytes throughout, so any bit
/// pattern (zero included) is a valid, empty-or-garbled chain that is read only with
/// checked indexing.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct ScriptChain {
    /// Heads of the scripts followed, outermost first; one spare for the too-deep one.
    heads: [ScriptHead; MAX_SCRIPT_REWRITES + 1],
    /// `[interp start, interp end, arg start, arg end]` per script (`arg start` u16::MAX: none).
    spans: [[u16; 4]; MAX_SCRIPT_REWRITES],
    /// Rewrites done.
    depth: u32,
}

impl Default for ScriptChain {
    fn default() -> Self {
        ScriptChain::new()
    }
}

/// The file to plan once scripts are followed: the file handed in, or the interpreter the
/// last script names (opened through the host). Reads go to whichever it is, so one value
/// serves [`prepare`](crate::prepare()) and [`load`](crate::load()).
#[derive(Debug)]
pub enum ExecTarget<'a, R: ?Sized, I> {
    /// The file handed in is not a script.
    Main(&'a R),
    /// The interpreter of the last script: an ELF file, or whatever Linux would then
    /// reject (ENOEXEC).
    Interpreter(OpenedFile<I>),
}

impl<R: ReadAt + ?Sized, I: ReadAt> ReadAt for ExecTarget<'_, R, I> {
    type Error = ReadFailure;

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, ReadFailure> {
        match self {
            ExecTarget::Main(r) => r.read_at(offset, buf).map_err(Into::into),
            ExecTarget::Interpreter(f) => f.source.read_at(offset, buf).map_err(Into::into),
        }
    }

    fn size(&self) -> Option<u64> {
        match self {
            ExecTarget::Main(r) => r.size(),
            ExecTarget::Interpreter(f) => f.source.size(),
        }
    }
}

impl<R: ?Sized, I> ExecTarget<'_, R, I> {
    /// The interpreter file when scripts were followed (for its identity, or to close it).
    pub fn interpreter(&self) -> Option<&OpenedFile<I>> {
        match self {
            ExecTarget::Main(_) => None,
            ExecTarget::Interpreter(f) => Some(f),
        }
    }
}

impl ScriptChain {
    /// An empty chain (no script followed).
    pub const fn new() -> Self {
        ScriptChain {
            heads: [ScriptHead([0; BINPRM_BUF_SIZE]); MAX_SCRIPT_REWRITES + 1],
            spans: [[0; 4]; MAX_SCRIPT_REWRITES],
            depth: 0,
        }
    }

    /// Rewrites done: 0 when the file was not a script.
    pub fn depth(&self) -> usize {
        (self.depth as usize).min(MAX_SCRIPT_REWRITES)
    }

    /// The `#!` line of script `level` (0: the file handed in).
    pub fn shebang(&self, level: usize) -> Option<Shebang<'_>> {
        if level >= self.depth() {
            return None;
        }
        let head = self.heads.get(level)?;
        let [a, b, c, d] = *self.spans.get(level)?;
        Some(head.resolve(Spans { interp: (a, b), arg: (c, d) }))
    }

    /// The strings put before the script path, in argv order (deepest script first:
    /// its interpreter, then its argument if any), `index` counted from 0.
    pub fn prefix(&self, index: usize) -> Option<&[u8]> {
        self.prefix_with_nul(index).map(|s| s.split_last().map_or(s, |(_, rest)| rest))
    }

    /// Number of strings [`ScriptChain::prefix`] gives.
    pub fn prefix_len(&self) -> usize {
        (0..self.depth())
            .filter_map(|l| self.shebang(l))
            .fold(0usize, |n, s| n.saturating_add(if s.argument.is_some() { 2 } else { 1 }))
    }

    /// [`ScriptChain::prefix`] with the NUL that follows each string in the chain's
    /// storage (a C string in place).
    pub fn prefix_with_nul(&self, index: usize) -> Option<&[u8]> {
        let mut i = index;
        for level in (0..self.depth()).rev() {
            let head = self.heads.get(level)?;
            let [a, b, c, d] = *self.spans.get(level)?;
            let mut strings = [Some((a, b)), (c != NONE).then_some((c, d))].into_iter().flatten();
            match strings.nth(i) {
                Some((s, e)) => return head.0.get(usize::from(s)..=usize::from(e)),
                None => i = i.checked_sub(if c != NONE { 2 } else { 1 })?,
            }
        }
        None
    }

    /// The argument vector the program receives: `original` unchanged when the file was
    /// not a script; otherwise the prefix, `script` (the name given to `execve`) in
    /// place of `original[0]`, then `original[1..]`.
    pub fn argv<'a, L: StringList + ?Sized>(
        &'a self,
        original: &'a L,
        script: &'a [u8],
    ) -> ScriptArgv<'a, L> {
        ScriptArgv { chain: self, original, script, prefix: self.prefix_len() }
    }

    /// Records the head in slot `level` as a parsed script.
    fn push(&mut self, level: usize, spans: Spans) {
        if let (Some(head), Some(slot)) = (self.heads.get_mut(level), self.spans.get_mut(level)) {
            head.terminate(spans);
            *slot = [spans.interp.0, spans.interp.1, spans.arg.0, spans.arg.1];
            self.depth = u32::try_from(level.saturating_add(1)).unwrap_or(u32::MAX);
        }
    }
}

/// The rewritten argument vector, over the chain and the caller's original list (nothing
/// copied). See [`ScriptChain::argv`].
#[derive(Clone, Copy)]
pub struct ScriptArgv<'a, L: ?Sized> {
    chain: &'a ScriptChain,
    original: &'a L,
    script: &'a [u8],
    prefix: usize,
}

impl<L: StringList + ?Sized> StringList for ScriptArgv<'_, L> {
    /// Linux sizes the argument pointers once, from the argc given to `execve`, before any
    /// rewrite: the strings a script adds count, their pointers do not (measured: a
    /// script may take 8 bytes of argument per added string more than a binary).
    fn counted_pointers(&self) -> usize {
        self.original.counted_pointers()
    }

    fn count(&self) -> usize {
        if self.chain.depth() == 0 {
            return self.original.count();
        }
        // Linux drops argv[0] (the empty one it supplies for argc 0 too) and adds the script.
        self.prefix.saturating_add(1).saturating_add(self.original.count().saturating_sub(1))
    }

    fn get(&self, index: usize) -> Option<&[u8]> {
        if self.chain.depth() == 0 {
            return self.original.get(index);
        }
        match index.checked_sub(self.prefix) {
            None => self.chain.prefix(index),
            Some(0) => Some(self.script),
            Some(i) => self.original.get(i),
        }
    }
}

impl<L: StringList + ?Sized> core::fmt::Debug for ScriptArgv<'_, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries((0..self.count()).map(|i| self.get(i).unwrap_or(&[]))).finish()
    }
}

/// Follows `#!` scripts from `main` as Linux's `exec_binprm` does: reads the head, and
/// while it is a script, parses its line, opens the interpreter through `host` (the same
/// [`ExecHost::open_interpreter`] that opens PT_INTERP: Linux's `open_exec` for both) and
/// reads that. Returns the file to plan; `chain` then holds the lines for
/// [`ScriptChain::argv`].
///
/// Errors as Linux: a bad line ENOEXEC, the interpreter's open errno, a sixth script ELOOP
/// (after its line is parsed and its interpreter opened, as Linux checks the depth
/// before examining the next file). Interpreters that turned out to be scripts are
/// dropped once read (a kernel closes them in `Drop`, or sees each open in its host).
pub fn follow_scripts<'a, R: ReadAt + ?Sized, H: ExecHost>(
    chain: &mut ScriptChain,
    main: &'a R,
    host: &mut H,
) -> Result<ExecTarget<'a, R, H::Interp>, ExecError> {
    chain.depth = 0;
    let mut current: Option<OpenedFile<H::Interp>> = None;
    for level in 0..=MAX_SCRIPT_REWRITES {
        let head = chain.heads.get_mut(level).ok_or(ScriptError::TooDeep)?;
        match &current {
            None => head.fill(main)?,
            Some(f) => head.fill(&f.source)?,
        }
        let Some(spans) = head.spans()? else {
            return Ok(match current {
                None => ExecTarget::Main(main),
                Some(f) => ExecTarget::Interpreter(f),
            });
        };
        let interp = head.resolve(spans).interpreter;
        let opened = host.open_interpreter(interp).map_err(ScriptError::InterpreterOpen)?;
        if level == MAX_SCRIPT_REWRITES {
            return Err(ScriptError::TooDeep.into());
        }
        chain.push(level, spans);
        current = Some(opened);
    }
    Err(ScriptError::TooDeep.into())
}

#[cfg(test)]
// Test arithmetic on small known values (clippy.toml exempts the rest of the panic-free set).
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    type Owned = Result<Option<(std::vec::Vec<u8>, Option<std::vec::Vec<u8>>)>, ScriptError>;

    fn line(bytes: &[u8]) -> Owned {
        let head = ScriptHead::from_prefix(bytes);
        head.shebang().map(|o| o.map(|s| (s.interpreter.to_vec(), s.argument.map(<[u8]>::to_vec))))
    }

    fn ok(interpreter: &[u8], argument: Option<&[u8]>) -> Owned {
        Ok(Some((interpreter.to_vec(), argument.map(<[u8]>::to_vec))))
    }

    #[test]
    fn not_a_script() {
        assert_eq!(line(b"\x7fELF"), Ok(None));
        assert_eq!(line(b""), Ok(None));
        assert_eq!(line(b"#"), Ok(None));
        assert_eq!(line(b" #!/bin/sh\n"), Ok(None));
    }

    #[test]
    fn interpreter_and_argument() {
        assert_eq!(line(b"#!/bin/sh\n"), ok(b"/bin/sh", None));
        assert_eq!(line(b"#! /bin/sh -e\n"), ok(b"/bin/sh", Some(b"-e")));
        // One argument: blanks inside it are kept; trailing blanks go.
        assert_eq!(line(b"#!/usr/bin/env  a b\t c \t \nx"), ok(b"/usr/bin/env", Some(b"a b\t c")));
        // Tabs are blanks.
        assert_eq!(line(b"#!\t/bin/sh\t-x\n"), ok(b"/bin/sh", Some(b"-x")));
        // Trailing blanks alone are no argument.
        assert_eq!(line(b"#!/bin/sh \t \n"), ok(b"/bin/sh", None));
    }

    #[test]
    fn cr_is_part_of_the_line() {
        assert_eq!(line(b"#!/bin/sh\r\n"), ok(b"/bin/sh\r", None));
        assert_eq!(line(b"#!/bin/sh -e\r\n"), ok(b"/bin/sh", Some(b"-e\r")));
        // Other whitespace is no blank either.
        assert_eq!(line(b"#!/bin/sh\x0b-e\n"), ok(b"/bin/sh\x0b-e", None));
    }

    #[test]
    fn nul_ends_the_name_and_hides_the_newline() {
        // A NUL before the newline: Linux's newline search stops there, the line is the
        // whole buffer, and the name ends at the NUL.
        assert_eq!(line(b"#!/bin/sh\0 -e\n"), ok(b"/bin/sh", None));
        // The argument runs to the first NUL; blanks before that NUL stay (the trimming
        // looked at the buffer's end, not at the NUL).
        assert_eq!(line(b"#!/bin/sh -e \0junk\n"), ok(b"/bin/sh", Some(b"-e ")));
        // A file ending in blanks without newline: the blanks are followed by NUL padding,
        // which is the (empty) argument.
        assert_eq!(line(b"#!/bin/sh "), ok(b"/bin/sh", Some(b"")));
        // A NUL right after `#!` (or after its blanks; a file that is only `#!`, NUL-padded)
        // names the empty path: ENOENT when opened, not ENOEXEC.
        assert_eq!(line(b"#!\0/bin/sh\n"), ok(b"", None));
        assert_eq!(line(b"#!"), ok(b"", None));
        assert_eq!(line(b"#! \t"), ok(b"", None));
    }

    #[test]
    fn empty_lines() {
        for bytes in [&b"#!\n"[..], b"#!   \n", b"#!\n/bin/sh\n"] {
            assert_eq!(line(bytes), Err(ScriptError::NoInterpreter), "{bytes:?}");
        }
        // 254 blanks filling the buffer: nothing but blanks.
        let mut b = std::vec![b' '; 400];
        b[..2].copy_from_slice(b"#!");
        assert_eq!(line(&b), Err(ScriptError::NoInterpreter));
    }

    /// `#!` + `len - 2` bytes of path, then `rest`.
    fn long(len: usize, rest: &[u8]) -> std::vec::Vec<u8> {
        let mut v = std::vec![b'a'; len];
        v[..3].copy_from_slice(b"#!/");
        v.extend_from_slice(rest);
        v
    }

    #[test]
    fn truncation_rule() {
        // Newline at index 255: the last byte of the buffer; the path is complete.
        let v = long(255, b"\n");
        assert_eq!(line(&v), ok(&v[2..255], None));
        // A path reaching the buffer's last byte with no newline: maybe cut.
        assert_eq!(line(&long(256, b"\n")), Err(ScriptError::Truncated));
        assert_eq!(line(&long(400, b"\n")), Err(ScriptError::Truncated));
        // A blank at the last byte proves the path complete: the path is bytes 2..=254.
        let v = long(255, b" xyz\n");
        assert_eq!(line(&v), ok(&v[2..255], None));
        // A blank earlier proves it too; the argument is then cut at byte 254.
        let v = long(100, &[b'b'; 300]);
        let mut v2 = v.clone();
        v2[100] = b' ';
        assert_eq!(line(&v2), ok(&v2[2..100], Some(&v2[101..255])));
        // A file shorter than the buffer without newline ends in NUL padding: complete.
        let v = long(200, b"");
        assert_eq!(line(&v), ok(&v[2..], None));
        let v = long(255, b"");
        assert_eq!(line(&v), ok(&v[2..], None));
        // Exactly 256 bytes without newline: no terminator anywhere.
        assert_eq!(line(&long(256, b"")), Err(ScriptError::Truncated));
        // Leading blanks count against the buffer.
        let mut v = std::vec![b' '; 20];
        v[..2].copy_from_slice(b"#!");
        v.extend_from_slice(&[b'a'; 300]);
        assert_eq!(line(&v), Err(ScriptError::Truncated));
    }

    #[test]
    fn chain_argv() {
        let mut chain = ScriptChain::new();
        let heads = [&b"#!/b/two -x\n"[..], b"#!/b/three\n", b"#! /b/four  y  z \n"];
        for (level, h) in heads.iter().enumerate() {
            chain.heads[level] = ScriptHead::from_prefix(h);
            let s = chain.heads[level].spans().unwrap().unwrap();
            chain.push(level, s);
        }
        let original: [&[u8]; 3] = [b"zero", b"a1", b"a2"];
        let argv = chain.argv(&original, b"./one");
        let got: std::vec::Vec<&[u8]> = (0..argv.count()).map(|i| argv.get(i).unwrap()).collect();
        let want: [&[u8]; 8] = [b"/b/four", b"y  z", b"/b/three", b"/b/two", b"-x", b"./one", b"a1", b"a2"];
        assert_eq!(got, want);
        assert_eq!(argv.get(8), None);
        assert_eq!(chain.prefix_with_nul(1), Some(&b"y  z\0"[..]));
        // argc 0: Linux's empty argv[0] is dropped like any other.
        let none: [&[u8]; 0] = [];
        let argv = chain.argv(&none, b"./one");
        assert_eq!(argv.count(), 6);
        assert_eq!(argv.get(5), Some(&b"./one"[..]));
        // No script: the original list as is.
        let empty = ScriptChain::new();
        let argv = empty.argv(&original, b"./one");
        assert_eq!(argv.count(), 3);
        assert_eq!(argv.get(0), Some(&b"zero"[..]));
    }

    #[test]
    fn garbage_chain_is_harmless() {
        let mut chain = ScriptChain::new();
        chain.depth = 99;
        chain.spans = [[300, 2, 9999, 1]; MAX_SCRIPT_REWRITES];
        let original: [&[u8]; 1] = [b"x"];
        let argv = chain.argv(&original, b"s");
        for i in 0..argv.count() + 2 {
            let _ = argv.get(i);
        }
    }
}
