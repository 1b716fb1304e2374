//! The `gazetteer` command line: raw arguments here, validated settings in
//! `gazetteer::config`, the work in the library.

mod cli;

use std::process::ExitCode;

// Rendering makes and drops many small strings on every thread; mimalloc
// does that with far less contention than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Like other Unix tools, stop quietly when the reader of our output
    // goes away (`gazetteer eval ... | head`).
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    match cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
