//! `tim-server` itself, as a binary of this package (see Cargo.toml).

fn main() -> std::process::ExitCode {
    tim_server::cli::main()
}
