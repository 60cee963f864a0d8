//! The command line, read by clap: help for every command, suggestions for a mistyped
//! command or format, and completions for the shells (`kudos completions bash`).

use crate::{Command, Export, Import, Move};
use clap::{Args, CommandFactory, Parser, Subcommand};
use kudos_import::{Format, Map};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "kudos",
    version,
    about = "kudos on the command line: move comments in and out of a kudos worker",
    after_help = "The admin token is read from KUDOS_ADMIN_TOKEN."
)]
struct Cli {
    #[command(subcommand)]
    command: Line,
}

#[derive(Subcommand)]
enum Line {
    /// Import another comment system's export: read and check it whole, report what it
    /// holds, then send it one page at a time (running it again adds nothing)
    Import(ImportArgs),
    /// Write the whole site in kudos's own format, one JSON value per line
    Export(ExportArgs),
    /// Move a page to a new address: its comments, likes and rewards join the new page's,
    /// and the old address keeps working as an alias
    Move(MoveArgs),
    /// Print the completions of a shell (bash, elvish, fish, powershell, zsh)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Args)]
struct ImportArgs {
    /// The system the file comes from: its export (isso and cusdis: also their SQLite
    /// database; utterances and giscus: what gh api writes, see the README)
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(Format::ALL.map(Format::name)))]
    format: String,
    /// The export file (gzip files are unpacked)
    file: PathBuf,
    /// The worker, e.g. https://kudos.example.workers.dev
    #[arg(long, required_unless_present = "dry_run")]
    to: Option<String>,
    /// Report what the file holds and check it; send nothing
    #[arg(long)]
    dry_run: bool,
    /// Rewrite page addresses that start with OLD to start with NEW (OLD=NEW; split at
    /// the last =; whole parts of an address match: /index.php?p=4=/a leaves p=42)
    #[arg(long = "map", value_name = "OLD=NEW")]
    maps: Vec<String>,
    /// The same from a file, one OLD<TAB>NEW per line
    #[arg(long = "map-file", value_name = "FILE")]
    map_files: Vec<PathBuf>,
}

#[derive(Args)]
struct ExportArgs {
    /// The worker to export
    #[arg(long)]
    from: String,
    /// Where to write the export (else it is printed)
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also each comment's visitor key and imported authors' emails
    #[arg(long)]
    include_private: bool,
}

#[derive(Args)]
struct MoveArgs {
    /// The page as it is named now
    page: String,
    /// The page it becomes
    to: String,
    /// The worker whose page moves
    #[arg(long)]
    at: String,
}

/// The command line, after the program's name. An error carries clap's own words (help
/// and version are "errors" that print and exit 0: `clap::Error::exit`).
pub fn parse_command(args: &[String]) -> Result<Command, clap::Error> {
    let cli = Cli::try_parse_from(std::iter::once("kudos".to_owned()).chain(args.iter().cloned()))?;
    let invalid = |why: String| Cli::command().error(clap::error::ErrorKind::ValueValidation, why);
    Ok(match cli.command {
        Line::Import(a) => {
            let format = Format::parse(&a.format).expect("one of the possible values");
            let mut map = Map::parse(a.maps.iter().map(String::as_str)).map_err(&invalid)?;
            for path in &a.map_files {
                let read = std::fs::read_to_string(path).map_err(|e| e.to_string());
                let file = read.and_then(|text| Map::parse_file(&text));
                map.extend(file.map_err(|e| invalid(format!("{}: {e}", path.display())))?);
            }
            Command::Import(Import { format, file: a.file, to: a.to, dry_run: a.dry_run, map })
        }
        Line::Export(a) => {
            Command::Export(Export { from: a.from, out: a.out, include_private: a.include_private })
        }
        Line::Move(a) => Command::Move(Move { page: a.page, to: a.to, at: a.at }),
        Line::Completions { shell } => Command::Completions(shell),
    })
}

/// Writes the completions of `shell` for `kudos`.
pub fn completions(shell: clap_complete::Shell, out: &mut impl std::io::Write) {
    clap_complete::generate(shell, &mut Cli::command(), "kudos", out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Command, String> {
        let args: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        parse_command(&args).map_err(|e| e.to_string())
    }

    fn import(line: &str) -> Import {
        match parse(line) {
            Ok(Command::Import(import)) => import,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn the_command_line_reads_format_file_target_and_maps() {
        let read = import("import disqus export.xml --to https://k.example --map /old/=/new/");
        assert_eq!(read.format, Format::Disqus);
        assert_eq!(read.to.as_deref(), Some("https://k.example"));
        assert_eq!(read.map.apply("/old/a"), "/new/a");
        assert!(parse("import disqus export.xml").unwrap_err().contains("--to"));
        assert!(import("import disqus export.xml --dry-run").dry_run);
        assert!(parse("import disqus f --dry-run --bogus").is_err());
        assert_eq!(
            parse("export --from https://k.example --out site.ndjson"),
            Ok(Command::Export(Export {
                from: "https://k.example".into(),
                out: Some(PathBuf::from("site.ndjson")),
                include_private: false,
            }))
        );
        assert!(parse("export").unwrap_err().contains("--from"));
        assert_eq!(
            parse("move /2019/a/ /posts/a/ --at https://k.example"),
            Ok(Command::Move(Move {
                page: "/2019/a/".into(),
                to: "/posts/a/".into(),
                at: "https://k.example".into()
            }))
        );
        assert!(parse("move /a/ /b/").unwrap_err().contains("--at"));
        assert!(parse("move /a/ --at https://k.example").is_err());
    }

    #[test]
    fn a_mistyped_command_or_format_gets_a_suggestion_and_every_command_has_help() {
        let typo = parse("improt disqus f --dry-run").unwrap_err();
        assert!(typo.contains("import"), "{typo}");
        let format = parse("import disqsu f --dry-run").unwrap_err();
        assert!(format.contains("disqus"), "{format}");
        for command in ["import", "export", "move", "completions"] {
            let help = parse(&format!("{command} --help")).unwrap_err();
            assert!(help.contains("Usage: kudos"), "{command}: {help}");
        }
        let mut script = Vec::new();
        completions(clap_complete::Shell::Bash, &mut script);
        let script = String::from_utf8(script).unwrap();
        assert!(script.contains("giscus") && script.contains("--map-file"), "bash completes them");
    }

    #[test]
    fn a_map_file_is_read_with_the_command_line() {
        let file = std::env::temp_dir().join(format!("kudos-map-{}.tsv", std::process::id()));
        std::fs::write(&file, "/index.php?p=42\t/posts/sourdough\n").unwrap();
        let read =
            import(&format!("import isso comments.db --dry-run --map-file {}", file.display()));
        assert_eq!(read.map.apply("/index.php?p=42"), "/posts/sourdough");
        let missing = parse("import isso c.db --dry-run --map-file /no/such").unwrap_err();
        assert!(missing.contains("/no/such"), "{missing}");
    }
}
