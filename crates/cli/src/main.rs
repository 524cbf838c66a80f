//! `zhaoshang`: the investment-promotion platform's one binary.

mod bench;
mod cli;
mod commands;
mod config;

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    commands::init_logging(&args);
    match commands::run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // the user-facing chain of causes, no backtrace
            eprintln!("错误 error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
