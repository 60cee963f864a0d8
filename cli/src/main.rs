//! The `kudos` command: see [`kudos_cli::USAGE`].

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let import = match kudos_cli::parse_args(&args) {
        Ok(import) => import,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let token = std::env::var("KUDOS_ADMIN_TOKEN").ok();
    if let Err(message) = kudos_cli::run(&import, token.as_deref(), &mut std::io::stdout()) {
        eprintln!("kudos: {message}");
        std::process::exit(1);
    }
}
