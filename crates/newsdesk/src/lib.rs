//! newsdesk: a self-hosted market-news desk.
//!
//! The binary is thin; every command lives here so tests can call it directly.
//! - [`cli`]: the command line (clap) and dispatch to commands.
//! - [`extract_cmd`]: `newsdesk extract` and `newsdesk flatten` — files in, articles out.
//! - [`inputs`]: reading inputs safely (directories, stdin, gzip with a cap, size limits).

pub mod cli;
pub mod extract_cmd;
pub mod inputs;
