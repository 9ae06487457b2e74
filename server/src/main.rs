fn main() -> std::process::ExitCode {
    parley_server::cli::run()
}
