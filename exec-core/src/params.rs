//! What the caller of `execve` supplies: arguments, environment, limits, credentials.

use crate::addr::UserAddr;
use crate::profile::{Personality, Profile};

/// A list of byte strings (argv, envp) without their NUL terminators.
///
/// Implemented for slices and arrays of `&[u8]`; the C ABI implements it over
/// `const char *const *` so no copy or allocation is needed.
pub trait StringList {
    /// Number of strings.
    fn count(&self) -> usize;
    /// String `index`, without NUL.
    fn get(&self, index: usize) -> Option<&[u8]>;
    /// How many pointers Linux counts against the argument limit (`bprm_stack_limits`):
    /// the count given to `execve`, which a `#!` rewrite does not update (see
    /// [`ScriptArgv`](crate::script::ScriptArgv)).
    fn counted_pointers(&self) -> usize {
        self.count()
    }
}

impl StringList for [&[u8]] {
    fn count(&self) -> usize {
        self.len()
    }
    fn get(&self, index: usize) -> Option<&[u8]> {
        <[&[u8]]>::get(self, index).copied()
    }
}

/// Lets a slice reference (`&&[&[u8]]`) stand in for `&dyn StringList`.
impl<T: StringList + ?Sized> StringList for &T {
    fn count(&self) -> usize {
        (**self).count()
    }
    fn get(&self, index: usize) -> Option<&[u8]> {
        (**self).get(index)
    }
    fn counted_pointers(&self) -> usize {
        (**self).counted_pointers()
    }
}

impl<const N: usize> StringList for [&[u8]; N] {
    fn count(&self) -> usize {
        N
    }
    fn get(&self, index: usize) -> Option<&[u8]> {
        self.as_slice().get(index).copied()
    }
}

/// The stack size limit (`RLIMIT_STACK`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackLimit {
    /// A finite limit in bytes.
    Bytes(u64),
    /// `RLIM_INFINITY`: the legacy bottom-up mmap layout where the policy says Linux uses it
    /// (arm64, MIPS); x86_64 stays top-down with the largest gap.
    Unlimited,
}

/// Whether the layout is randomised (entropy comes from the host).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Randomize {
    /// Linux with ASLR off (`setarch -R`, `norandmaps`): deterministic layout.
    Off,
    /// ASLR on: PIE base, mmap base, stack top and brk randomised.
    On,
}

/// Whether `prepare` reserves memory through the host before the point of no return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryReservation {
    /// No reservation (interactive jobs).
    None,
    /// Batch job: reserve the eager memory requirement; a refusal is a retryable error.
    Reserve,
}

/// Process credentials reported in the auxv.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Credentials {
    /// `AT_UID`.
    pub uid: u64,
    /// `AT_EUID`.
    pub euid: u64,
    /// `AT_GID`.
    pub gid: u64,
    /// `AT_EGID`.
    pub egid: u64,
    /// `AT_SECURE`: set for set-user-ID and similar execs.
    pub secure: bool,
}

/// A caller-chosen user window replacing the arch's Linux window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Lowest usable address.
    pub start: UserAddr,
    /// One past the highest usable address (the stack goes at the top).
    pub end: UserAddr,
}

/// Everything about one `execve` call besides the files.
#[derive(Clone, Copy)]
pub struct ExecParams<'a> {
    /// `argv`; an empty list gets a single empty `argv[0]` as Linux >= 5.18.
    pub argv: &'a dyn StringList,
    /// `envp`.
    pub envp: &'a dyn StringList,
    /// The path given to `execve`, stored at the top of the stack (`AT_EXECFN`).
    pub execfn: &'a [u8],
    /// `RLIMIT_STACK`.
    pub stack_limit: StackLimit,
    /// ASLR.
    pub randomize: Randomize,
    /// Credentials for the auxv.
    pub credentials: Credentials,
    /// `AT_FLAGS`.
    pub at_flags: u64,
    /// `AT_CLKTCK` (`CLOCKS_PER_SEC`, 100 on Linux).
    pub clock_ticks: u64,
    /// `AT_SYSINFO_EHDR`: where the kernel maps its vDSO, if it has one.
    pub sysinfo_ehdr: Option<UserAddr>,
    /// `AT_EXECFD`: a descriptor for the executable (binfmt_misc-style), if any.
    pub execfd: Option<u64>,
    /// `AT_RSEQ_FEATURE_SIZE` and `AT_RSEQ_ALIGN`, if the kernel supports rseq.
    pub rseq: Option<(u64, u64)>,
    /// Replaces the arch's Linux window (a kernel with a small address space).
    pub window: Option<Window>,
    /// `vm.mmap_min_addr`: nothing is placed below it.
    pub mmap_min_addr: u64,
    /// Batch-job memory reservation.
    pub reservation: MemoryReservation,
    /// Which rules the exec follows (default: Linux, newest).
    pub profile: Profile,
    /// The calling process's personality (`READ_IMPLIES_EXEC`, `ADDR_NO_RANDOMIZE`,
    /// `ADDR_COMPAT_LAYOUT`); a secure exec clears [`Personality::CLEAR_ON_SETID`].
    pub personality: Personality,
    /// Where the kernel places a large file mapping of the program (a static-pie run
    /// directly): whether its file system aligns it for transparent huge pages.
    pub placement: FilePlacement,
    /// How much private writable memory the kernel grants one mapping.
    pub overcommit: Overcommit,
}

/// How the kernel accounts private writable memory (`vm.overcommit_memory`), which each
/// bss (`vm_brk_flags`) and each writable file mapping of exec is charged against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overcommit {
    /// Every mapping is granted (mode 1, or a kernel that does not account).
    #[default]
    Always,
    /// Mode 0, Linux's default (`OVERCOMMIT_GUESS`): one mapping larger than the
    /// machine's RAM plus swap (`totalram_pages + total_swap_pages`: `/proc/meminfo`'s
    /// MemTotal + SwapTotal) is refused with ENOMEM.
    Heuristic {
        /// RAM plus swap, in bytes.
        ram_and_swap: u64,
    },
}

/// How the kernel places a file mapping it chooses the address of: a per-file fact
/// (`thp_get_unmapped_area` on ext4 or xfs with transparent huge pages, not tmpfs without
/// `huge=`), which a kernel knows and a tool finds by probing an mmap of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FilePlacement {
    /// Wherever `mmap` puts any mapping.
    #[default]
    Plain,
    /// A mapping covering a whole 2 MiB unit past its file offset is made congruent to
    /// that offset modulo 2 MiB (Linux ≥ 5.18, 64-bit tasks).
    HugeAligned,
}

const NO_STRINGS: [&[u8]; 0] = [];

impl<'a> ExecParams<'a> {
    /// Linux defaults: empty argv and envp, 8 MiB stack limit, ASLR off, root
    /// credentials, `AT_CLKTCK` 100, `mmap_min_addr` 64 KiB, no vDSO, no reservation,
    /// the Linux profile at its newest, personality `PER_LINUX`, plain file placement,
    /// every mapping committed.
    pub fn new(execfn: &'a [u8]) -> Self {
        ExecParams {
            argv: &NO_STRINGS,
            envp: &NO_STRINGS,
            execfn,
            stack_limit: StackLimit::Bytes(8 << 20),
            randomize: Randomize::Off,
            credentials: Credentials::default(),
            at_flags: 0,
            clock_ticks: 100,
            sysinfo_ehdr: None,
            execfd: None,
            rseq: None,
            window: None,
            mmap_min_addr: 65536,
            reservation: MemoryReservation::None,
            profile: Profile::default(),
            personality: Personality::LINUX,
            placement: FilePlacement::Plain,
            overcommit: Overcommit::Always,
        }
    }
}

impl core::fmt::Debug for ExecParams<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExecParams")
            .field("argc", &self.argv.count())
            .field("envc", &self.envp.count())
            .field("stack_limit", &self.stack_limit)
            .field("randomize", &self.randomize)
            .field("window", &self.window)
            .field("profile", &self.profile)
            .field("personality", &self.personality)
            .finish_non_exhaustive()
    }
}
