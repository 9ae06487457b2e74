//! The command line: `parley [serve|migrate|seed-demo]`.

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
    /// Migrate, then fill an empty database with a small demo town.
    SeedDemo,
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
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
    let result = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => {
                let app = Application::build(settings).await?;
                app.run_until(shutdown_signal()).await
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
                    }
                    SeedOutcome::AlreadyHasData => {
                        println!("parley: the database already has data; demo not loaded");
                    }
                }
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("parley: {error:#}");
            ExitCode::FAILURE
        }
    }
}
