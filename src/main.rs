//! The `draftwatch` binary: parse the command line, set up logging, run, map errors to exit
//! codes. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

fn main() -> ExitCode {
    let cli = draftwatch::cli::Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("draftwatch: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(draftwatch::cli::execute(cli)) {
        Ok(code) => code,
        Err(error) => {
            // stderr reaches the journal under systemd too; one line per cause chain.
            eprintln!("draftwatch: {error:#}");
            draftwatch::cli::exit_code_for(&error)
        }
    }
}

/// Log to journald when systemd runs us (it sets JOURNAL_STREAM), else to stderr, with
/// colours only when stderr is a terminal (a log file or a pipe gets plain text an admin can
/// grep). The level comes from `RUST_LOG` (default: info).
fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let journald = std::env::var_os("JOURNAL_STREAM").and_then(|_| tracing_journald::layer().ok());
    let registry = tracing_subscriber::registry().with(filter);
    match journald {
        Some(layer) => registry.with(layer).init(),
        None => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())),
            )
            .init(),
    }
}
