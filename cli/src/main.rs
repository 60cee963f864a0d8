//! The `kudos` command: `kudos --help`, and `kudos <command> --help` for each command.

use kudos_cli::Command;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = kudos_cli::parse_command(&args).unwrap_or_else(|e| e.exit());
    let token = std::env::var("KUDOS_ADMIN_TOKEN").ok();
    let done = match command {
        Command::Import(import) => {
            kudos_cli::run(&import, token.as_deref(), &mut std::io::stdout()).map(|_| ())
        }
        Command::Export(export) => {
            let written = match &export.out {
                Some(path) => std::fs::File::create(path)
                    .map_err(|e| format!("{}: {e}", path.display()))
                    .and_then(|file| {
                        let mut file = std::io::BufWriter::new(file);
                        kudos_cli::export(&export, token.as_deref(), &mut file)
                    }),
                None => kudos_cli::export(&export, token.as_deref(), &mut std::io::stdout().lock()),
            };
            written.map(|(pages, comments, rewards)| {
                eprintln!("kudos: exported {pages} pages, {comments} comments, {rewards} rewards")
            })
        }
        Command::Move(moving) => kudos_cli::move_page(&moving, token.as_deref()).map(|moved| {
            println!(
                "moved {} to {}: {} comments, {} likes, {} rewards; {} now shows {}",
                moved.page,
                moved.to,
                moved.comments,
                moved.likes,
                moved.rewards,
                moved.page,
                moved.to
            )
        }),
        Command::Completions(shell) => {
            kudos_cli::completions(shell, &mut std::io::stdout());
            Ok(())
        }
    };
    if let Err(message) = done {
        eprintln!("kudos: {message}");
        std::process::exit(1);
    }
}
