//! The `tim-server` binary; everything lives in the library.

fn main() -> std::process::ExitCode {
    tim_server::cli::main()
}
