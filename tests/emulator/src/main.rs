//! `aws-emulator`: serves the default GenAI seed on 127.0.0.1 for the demo.
//!
//! Usage: `aws-emulator [--port N] [--upstream-config URL] [--exit-on-stdin-eof]`.
//! Prints `listening on http://127.0.0.1:PORT` once bound, then serves until SIGTERM/SIGINT
//! (or until stdin reaches EOF with `--exit-on-stdin-eof`).

use std::io::{Read, Write};
use std::process::ExitCode;

use aws_emulator::{Emulator, Seed};

struct Args {
    port: u16,
    upstream: Option<String>,
    exit_on_stdin_eof: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: 0,
        upstream: None,
        exit_on_stdin_eof: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--port" => {
                let v = it.next().ok_or("--port needs a value")?;
                args.port = v
                    .parse()
                    .map_err(|_| format!("--port: {v:?} is not a port number"))?;
            }
            "--upstream-config" => {
                args.upstream = Some(it.next().ok_or("--upstream-config needs a URL")?)
            }
            "--exit-on-stdin-eof" => args.exit_on_stdin_eof = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

/// Resolves when SIGTERM or SIGINT arrives.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Resolves when stdin reaches EOF (read on a plain thread: tokio's stdin feature is not enabled).
async fn stdin_eof() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut buf = [0_u8; 1024];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
        let _ = tx.send(());
    });
    let _ = rx.await;
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("aws-emulator: {msg}");
            eprintln!(
                "usage: aws-emulator [--port N] [--upstream-config URL] [--exit-on-stdin-eof]"
            );
            return ExitCode::from(2);
        }
    };
    let emulator =
        match Emulator::start_on_port(args.port, Seed::default_genai(), args.upstream).await {
            Ok(emulator) => emulator,
            Err(err) => {
                eprintln!("aws-emulator: cannot start: {err}");
                return ExitCode::FAILURE;
            }
        };
    let mut stdout = std::io::stdout();
    if writeln!(stdout, "listening on {}", emulator.endpoint())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("aws-emulator: cannot write to stdout");
    }
    if args.exit_on_stdin_eof {
        tokio::select! {
            () = shutdown_signal() => {}
            () = stdin_eof() => eprintln!("aws-emulator: stdin closed, stopping"),
        }
    } else {
        shutdown_signal().await;
    }
    drop(emulator);
    ExitCode::SUCCESS
}
