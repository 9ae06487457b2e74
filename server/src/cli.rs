//! The command line: `parley [serve|migrate|seed-demo|create-admin|import|import-responses|copy-database|…]`.

use crate::config::Settings;
use crate::seed::{SeedOutcome, seed_demo};
use crate::startup::{Application, shutdown_signal};
use crate::{database, telemetry};
use anyhow::Context as _;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "parley",
    version,
    about = "Parley: community consultation and feedback portal"
)]
struct Cli {
    /// Settings file (KEY=value lines, like .env.example); PARLEY_* variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the site (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Migrate, then fill an empty database with a small demo town and
    /// demo accounts of every role.
    SeedDemo,
    /// Create an admin account. The password is read from
    /// PARLEY_ADMIN_PASSWORD, or else from the first line of standard input;
    /// never from the command line.
    CreateAdmin {
        /// The display name of the new admin.
        #[arg(long)]
        name: String,
    },
    /// Read lines on standard input and print each with its personal data
    /// masked ([email], [phone], [ip], [url], [card], [iban], [address],
    /// [name]). With --evaluate, print the precision and recall of masking
    /// on an annotated test set instead.
    Mask {
        /// An annotated test set (`{{label:text}}` around each piece of
        /// personal data), e.g. app/src/input/mask_testset.txt.
        #[arg(long, value_name = "FILE")]
        evaluate: Option<PathBuf>,
    },
    /// Train the theme classifier on SIB-200-style data (one folder per
    /// language, e.g. eng_Latn/train.tsv) and print its accuracy and
    /// macro-F1 per language on the test folders (test.tsv, else dev.tsv),
    /// or in cross-validation on the training files alone (--folds).
    ClassifyBench {
        #[arg(long, value_name = "DIR")]
        train: PathBuf,
        #[arg(long, value_name = "DIR", required_unless_present = "folds")]
        test: Option<PathBuf>,
        /// Instead of --test: deal each language's training rows into K
        /// folds and predict each fold with a model trained on the others.
        #[arg(long, value_name = "K", conflicts_with = "test")]
        folds: Option<usize>,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Read one text per line on standard input and print, for each line,
    /// the id of its campaign (lines of one form letter share an id).
    Campaigns {
        /// How alike two texts must be (estimated Jaccard similarity of
        /// their word shingles, 0 to 1).
        #[arg(long, value_name = "T")]
        threshold: Option<f64>,
    },
    /// Import comments from a CSV file with a `text` column and optionally
    /// `created_at`, `area` (slug) and `language`. Bad rows are reported
    /// with their line number and skipped; importing a file twice imports
    /// nothing twice.
    Import {
        file: PathBuf,
        /// Where the comments came from.
        #[arg(long, value_enum)]
        channel: crate::import::Origin,
        /// The area of rows that name none.
        #[arg(long, value_name = "SLUG")]
        area: Option<String>,
    },
    /// Import paper or telephone responses to a survey from a CSV file
    /// with one column per question, named as in the organiser's export
    /// (`q12`), and optionally `submitted`, `language` and `area`. Each row
    /// is checked like a sent form; bad rows are reported with their line
    /// and reason and skipped; the good ones are written together, marked
    /// as paper. Importing a file twice imports nothing twice.
    ImportResponses {
        /// The survey's number (as in its address, /en/surveys/3).
        survey: i64,
        file: PathBuf,
    },
    /// Copy everything from the configured SQLite database into an empty
    /// PostgreSQL database (migrated first): every table in the order of
    /// its foreign keys, ids kept, in one transaction; then each table's
    /// rows and checksum are read back and compared. Serve with
    /// PARLEY_DATABASE_URL set to the new address afterwards.
    CopyDatabase {
        /// The PostgreSQL database, postgres://user:password@host/name.
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    // Masking needs no settings, database or runtime: it is a filter.
    // So do the other filters and measurements below.
    if let Some(Command::Mask { evaluate }) = &cli.command {
        return report(mask(evaluate.as_deref()));
    }
    if let Some(Command::ClassifyBench {
        train,
        test,
        folds,
        json,
    }) = &cli.command
    {
        return report(classify_bench(train, test.as_deref(), *folds, *json));
    }
    if let Some(Command::Campaigns { threshold }) = &cli.command {
        return report(campaigns(*threshold));
    }
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("parley: invalid settings: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("parley: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result: anyhow::Result<Option<ExitCode>> = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => {
                let shutdown = shutdown_signal()?;
                let app = Application::build(settings).await?;
                app.count_figures_in_background();
                app.run_until(shutdown).await
            }
            Command::Migrate => {
                let db = database::connect(&settings).await?;
                database::migrate(&db).await?;
                println!(
                    "parley: the {} database is up to date",
                    db.backend().as_str()
                );
                Ok(())
            }
            Command::SeedDemo => {
                let db = database::connect(&settings).await?;
                database::migrate(&db).await?;
                match seed_demo(&db)
                    .await
                    .context("loading the demo town failed")?
                {
                    SeedOutcome::Loaded { areas, themes } => {
                        println!("parley: demo town loaded ({areas} areas, {themes} themes)");
                        println!("parley: demo accounts (name / password):");
                        for account in &crate::accounts::DEMO_ACCOUNTS {
                            println!(
                                "  {:<18} {:<24} {}",
                                account.name,
                                account.password,
                                account.role.map_or("resident", app::auth::roles::Role::as_str)
                            );
                        }
                        println!(
                            "parley: privileged demo accounts set up two-step sign-in at first sign-in"
                        );
                    }
                    SeedOutcome::AlreadyHasData => {
                        println!("parley: the database already has data; demo not loaded");
                    }
                }
                Ok(())
            }
            Command::Mask { .. } | Command::ClassifyBench { .. } | Command::Campaigns { .. } => Ok(()),
            Command::Import { file, channel, area } => {
                let db = database::connect(&settings).await?;
                database::migrate(&db).await?;
                let summary = crate::import::import(&db, &file, channel, area.as_deref()).await?;
                db.close().await;
                // Some rows were skipped: say so to scripts too.
                if summary.bad_rows > 0 {
                    return Ok(Some(ExitCode::from(1)));
                }
                Ok(())
            }
            Command::ImportResponses { survey, file } => {
                let db = database::connect(&settings).await?;
                database::migrate(&db).await?;
                let summary = crate::survey_import::import(&db, survey, &file).await?;
                db.close().await;
                if summary.bad_rows > 0 {
                    return Ok(Some(ExitCode::from(1)));
                }
                Ok(())
            }
            Command::CopyDatabase { to } => {
                let source = database::connect(&settings).await?;
                database::migrate(&source).await?;
                let target = database::connect_postgres(&to).await?;
                database::migrate(&target).await?;
                let copied = crate::copy::copy(&source, &target, true).await?;
                let rows: u64 = copied.iter().map(|table| table.rows).sum();
                for table in &copied {
                    println!("  {:<32} {:>10} rows  {}", table.table, table.rows, table.checksum);
                }
                println!(
                    "parley: {rows} rows in {} tables copied and checked; serve with PARLEY_DATABASE_URL set to the new database",
                    copied.len()
                );
                Ok(())
            }
            Command::CreateAdmin { name } => {
                let password = match std::env::var("PARLEY_ADMIN_PASSWORD") {
                    Ok(password) if !password.is_empty() => password,
                    _ => read_password_line()?,
                };
                let db = database::connect(&settings).await?;
                database::migrate(&db).await?;
                let id = match crate::accounts::create_admin(&db, &name, &password).await {
                    Ok(id) => id,
                    Err(error) if error.is::<crate::accounts::AccountInputError>() => {
                        eprintln!("parley: {error}");
                        return Ok(Some(ExitCode::from(2)));
                    }
                    Err(error) => return Err(error),
                };
                println!(
                    "parley: admin account #{id} created; sign in and set up two-step sign-in"
                );
                Ok(())
            }
        }
        .map(|()| None)
    });
    match result {
        Ok(Some(code)) => code,
        Ok(None) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("parley: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// A filter's exit: 0, or 2 with its error.
fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("parley: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// `parley classify-bench`: trains and measures the theme classifier, on
/// the test folders or in cross-validation (clap asks for one of the two).
fn classify_bench(
    train: &std::path::Path,
    test: Option<&std::path::Path>,
    folds: Option<usize>,
    json: bool,
) -> anyhow::Result<()> {
    use app::input::{classify::Config, classify_bench};

    let report = match (test, folds) {
        (_, Some(folds)) => classify_bench::cross_validate(train, folds, &Config::default())?,
        (Some(test), None) => classify_bench::run(train, test)?,
        (None, None) => anyhow::bail!("give --test DIR or --folds K"),
    };
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("{report}");
    }
    Ok(())
}

/// `parley campaigns`: standard input to standard output, one campaign id
/// per line.
fn campaigns(threshold: Option<f64>) -> anyhow::Result<()> {
    use app::input::campaigns;

    let threshold = threshold.unwrap_or(campaigns::DEFAULT_THRESHOLD);
    if !(threshold > 0.0 && threshold <= 1.0) {
        anyhow::bail!("--threshold must be above 0 and at most 1");
    }
    let stdin = std::io::stdin();
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    campaigns::run_lines(stdin.lock(), stdout, threshold)
        .context("reading standard input or writing standard output")?;
    Ok(())
}

/// `parley mask`: standard input to standard output, line by line; or the
/// quality table of `--evaluate FILE`.
fn mask(evaluate: Option<&std::path::Path>) -> anyhow::Result<()> {
    use app::input::mask;
    use std::io::{BufRead as _, Write as _};

    if let Some(path) = evaluate {
        let test_set =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let (per_label, total, lines) = mask::evaluate(&test_set);
        println!("Masking on {} ({lines} lines):\n", path.display());
        println!("| kind | annotated | found right | found wrongly | precision | recall |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: |");
        for (label, counts) in &per_label {
            println!(
                "| {} | {} | {} | {} | {:.3} | {:.3} |",
                label.as_str(),
                counts.true_positives + counts.false_negatives,
                counts.true_positives,
                counts.false_positives,
                counts.precision(),
                counts.recall()
            );
        }
        println!(
            "| all | {} | {} | {} | {:.3} | {:.3} |",
            total.true_positives + total.false_negatives,
            total.true_positives,
            total.false_positives,
            total.precision(),
            total.recall()
        );
        return Ok(());
    }
    let stdin = std::io::stdin();
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line.context("reading standard input")?;
        writeln!(stdout, "{}", mask::mask(&line)).context("writing standard output")?;
    }
    stdout.flush().context("writing standard output")?;
    Ok(())
}

/// The first line of standard input, without its line ending.
fn read_password_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
