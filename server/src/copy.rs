//! `parley copy-database --to postgres://…`: a deployment that started on
//! the embedded SQLite moves to PostgreSQL without losing history.
//!
//! The target is migrated to the same schema, and must be empty. Every
//! table is copied in the order of its foreign keys (a table after those
//! it refers to), a thousand rows at a time, ids kept, in one transaction:
//! a copy that fails leaves the target as empty as it found it. Then each
//! identity column's sequence is set past the highest id, the search
//! column PostgreSQL keeps (SQLite keeps an FTS5 table instead) is filled,
//! and every table is read back: its row count and a checksum of its rows
//! must equal the source's. The audit log arrives intact (it is only ever
//! inserted into).

use anyhow::{Context as _, bail};
use app::db::{Backend, Db};
use futures::TryStreamExt as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sha2::{Digest, Sha256};
use sqlx::{Acquire as _, AnyConnection, Row as _};
use std::collections::{BTreeMap, BTreeSet};

/// Rows per INSERT (PostgreSQL takes at most 65,535 parameters).
const BATCH: usize = 1000;

/// What a table's column holds, as PostgreSQL declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Real,
    Text,
    Bytes,
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    /// The columns both databases have, in PostgreSQL's order.
    columns: Vec<(String, Kind)>,
    /// SQLite keeps it without a rowid: read in its primary key's order.
    order: String,
}

/// One table as copied: its rows and their checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub table: String,
    pub rows: u64,
    pub checksum: String,
}

/// A value read from either database.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Value {
    fn read(row: &sqlx::any::AnyRow, at: usize, kind: Kind) -> anyhow::Result<Value> {
        Ok(match kind {
            Kind::Integer => row.try_get::<Option<i64>, _>(at)?.map(Value::Integer),
            Kind::Real => row.try_get::<Option<f64>, _>(at)?.map(Value::Real),
            Kind::Text => row.try_get::<Option<String>, _>(at)?.map(Value::Text),
            Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(at)?.map(Value::Bytes),
        }
        .unwrap_or(Value::Null))
    }

    /// Feeds the value, tagged, into a row's hash.
    fn hash(&self, hasher: &mut Sha256) {
        match self {
            Value::Null => hasher.update([0]),
            Value::Integer(value) => {
                hasher.update([1]);
                hasher.update(value.to_le_bytes());
            }
            Value::Real(value) => {
                hasher.update([2]);
                hasher.update(value.to_bits().to_le_bytes());
            }
            Value::Text(value) => {
                hasher.update([3]);
                hasher.update((value.len() as u64).to_le_bytes());
                hasher.update(value.as_bytes());
            }
            Value::Bytes(value) => {
                hasher.update([4]);
                hasher.update((value.len() as u64).to_le_bytes());
                hasher.update(value);
            }
        }
    }
}

/// A table's checksum: the sum of its rows' hashes, so that it does not
/// depend on the order the rows are read in.
#[derive(Default)]
struct Checksum {
    rows: u64,
    sum: [u64; 4],
}

impl Checksum {
    fn add(&mut self, row: &[Value]) {
        let mut hasher = Sha256::new();
        for value in row {
            value.hash(&mut hasher);
        }
        let digest = hasher.finalize();
        for (part, chunk) in self.sum.iter_mut().zip(digest.chunks_exact(8)) {
            let mut bytes = [0; 8];
            bytes.copy_from_slice(chunk);
            *part = part.wrapping_add(u64::from_le_bytes(bytes));
        }
        self.rows += 1;
    }

    fn hex(&self) -> String {
        self.sum.iter().map(|part| format!("{part:016x}")).collect()
    }
}

/// The tables of the migrated PostgreSQL schema, each after those its
/// foreign keys refer to, with the columns SQLite has too.
async fn tables(
    source: &mut AnyConnection,
    target: &mut AnyConnection,
) -> anyhow::Result<Vec<Table>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'
         ORDER BY table_name",
    )
    .fetch_all(&mut *target)
    .await?;
    let references: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT tc.table_name::text, ccu.table_name::text
         FROM information_schema.table_constraints tc
         JOIN information_schema.constraint_column_usage ccu
           ON ccu.constraint_name = tc.constraint_name AND ccu.constraint_schema = tc.constraint_schema
         WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()",
    )
    .fetch_all(&mut *target)
    .await?;
    let mut needs: BTreeMap<&str, BTreeSet<&str>> = names
        .iter()
        .map(|name| (name.as_str(), BTreeSet::new()))
        .collect();
    for (table, referred) in &references {
        if table != referred
            && let Some(set) = needs.get_mut(table.as_str())
        {
            set.insert(referred.as_str());
        }
    }
    // Kahn's order, alphabetical among equals so that runs repeat.
    let mut order: Vec<String> = Vec::new();
    while !needs.is_empty() {
        let ready: Vec<&str> = needs
            .iter()
            .filter(|(_, wanted)| wanted.is_empty())
            .map(|(name, _)| *name)
            .collect();
        if ready.is_empty() {
            bail!(
                "the foreign keys between {} go round in a circle",
                needs.keys().copied().collect::<Vec<_>>().join(", ")
            );
        }
        for name in ready {
            needs.remove(name);
            for wanted in needs.values_mut() {
                wanted.remove(name);
            }
            order.push(name.to_owned());
        }
    }

    let mut tables = Vec::new();
    for name in order {
        let declared: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(&mut *target)
        .await?;
        let on_sqlite: Vec<(String, i64)> =
            sqlx::query_as("SELECT name, pk FROM pragma_table_info($1)")
                .bind(&name)
                .fetch_all(&mut *source)
                .await?;
        if on_sqlite.is_empty() {
            bail!("table {name} is missing from the SQLite database: migrate it first");
        }
        let mut columns = Vec::new();
        for (column, data_type) in declared {
            let kind = match data_type.as_str() {
                "bigint" | "integer" | "smallint" => Kind::Integer,
                "double precision" | "real" | "numeric" => Kind::Real,
                "text" | "character varying" => Kind::Text,
                "bytea" => Kind::Bytes,
                // PostgreSQL's own search column, filled after the copy.
                "tsvector" => continue,
                other => bail!("{name}.{column}: no copy for the type {other}"),
            };
            if !on_sqlite.iter().any(|(known, _)| *known == column) {
                bail!("{name}.{column} is missing from the SQLite database");
            }
            columns.push((column, kind));
        }
        for (column, _) in &on_sqlite {
            if !columns.iter().any(|(known, _)| known == column) {
                bail!("{name}.{column} is missing from the PostgreSQL database");
            }
        }
        let without_rowid: Option<String> =
            sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1")
                .bind(&name)
                .fetch_optional(&mut *source)
                .await?;
        let order = if without_rowid.is_some_and(|sql| sql.to_uppercase().contains("WITHOUT ROWID"))
        {
            let mut keys: Vec<&(String, i64)> =
                on_sqlite.iter().filter(|(_, pk)| *pk > 0).collect();
            keys.sort_by_key(|(_, pk)| *pk);
            keys.iter()
                .map(|(column, _)| format!("\"{column}\""))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            "rowid".to_owned()
        };
        tables.push(Table {
            name,
            columns,
            order,
        });
    }
    Ok(tables)
}

fn column_list(table: &Table) -> String {
    table
        .columns
        .iter()
        .map(|(column, _)| format!("\"{column}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes `rows` into `table` with one INSERT, ids kept.
async fn insert(
    target: &mut AnyConnection,
    table: &Table,
    rows: &[Vec<Value>],
) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let width = table.columns.len();
    let mut sql = format!(
        "INSERT INTO \"{}\" ({}) OVERRIDING SYSTEM VALUE VALUES ",
        table.name,
        column_list(table)
    );
    for (n, _) in rows.iter().enumerate() {
        if n > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            let kind = table.columns[c].1;
            let cast = match kind {
                Kind::Integer => "BIGINT",
                Kind::Real => "DOUBLE PRECISION",
                Kind::Text => "TEXT",
                Kind::Bytes => "BYTEA",
            };
            sql.push_str(&format!("CAST(${} AS {cast})", n * width + c + 1));
        }
        sql.push(')');
    }
    let mut query = sqlx::query(&sql);
    for row in rows {
        for (value, (_, kind)) in row.iter().zip(&table.columns) {
            query = match (value, kind) {
                (Value::Integer(value), _) => query.bind(*value),
                (Value::Real(value), _) => query.bind(*value),
                (Value::Text(value), _) => query.bind(value.clone()),
                (Value::Bytes(value), _) => query.bind(value.clone()),
                (Value::Null, Kind::Integer) => query.bind(None::<i64>),
                // sqlx 0.8.6 sends a missing `f64` to PostgreSQL typed as
                // REAL and a missing `f32` as DOUBLE PRECISION (its
                // `AnyArguments::convert_to` swaps them). Typed REAL, a
                // batch that starts with a missing value prepared the
                // statement the next batch reuses with a value, and
                // PostgreSQL refused its 8 bytes.
                (Value::Null, Kind::Real) => query.bind(None::<f32>),
                (Value::Null, Kind::Text) => query.bind(None::<String>),
                (Value::Null, Kind::Bytes) => query.bind(None::<Vec<u8>>),
            };
        }
    }
    query
        .execute(&mut *target)
        .await
        .with_context(|| format!("writing into {}", table.name))?;
    Ok(())
}

/// How many rows each table holds.
async fn counts(conn: &mut AnyConnection, tables: &[Table]) -> anyhow::Result<Vec<i64>> {
    let mut counts = Vec::new();
    for table in tables {
        let count: i64 = sqlx::query_scalar(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM \"{}\"",
            table.name
        ))
        .fetch_one(&mut *conn)
        .await?;
        counts.push(count);
    }
    Ok(counts)
}

/// Reads `table` whole and returns its checksum; with `target`, copies
/// each batch of rows there as it goes.
async fn read_table(
    from: &mut AnyConnection,
    table: &Table,
    mut target: Option<&mut AnyConnection>,
    progress: &ProgressBar,
) -> anyhow::Result<Checksum> {
    // PostgreSQL's INTEGER columns are read as BIGINT, like SQLite's.
    let select: Vec<String> = table
        .columns
        .iter()
        .map(|(column, kind)| match kind {
            Kind::Integer => format!("CAST(\"{column}\" AS BIGINT)"),
            _ => format!("\"{column}\""),
        })
        .collect();
    let order = if target.is_some() {
        format!(" ORDER BY {}", table.order)
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT {} FROM \"{}\"{order}",
        select.join(", "),
        table.name
    );
    let mut rows = sqlx::query(&sql).fetch(&mut *from);
    let mut checksum = Checksum::default();
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH);
    let per_batch = BATCH.min(60_000 / table.columns.len().max(1));
    while let Some(row) = rows.try_next().await? {
        let values = table
            .columns
            .iter()
            .enumerate()
            .map(|(at, (_, kind))| Value::read(&row, at, *kind))
            .collect::<anyhow::Result<Vec<_>>>()
            .with_context(|| format!("reading {}", table.name))?;
        checksum.add(&values);
        if let Some(target) = target.as_deref_mut() {
            batch.push(values);
            if batch.len() >= per_batch {
                insert(target, table, &batch).await?;
                progress.inc(batch.len() as u64);
                batch.clear();
            }
        }
    }
    drop(rows);
    if let Some(target) = target {
        insert(target, table, &batch).await?;
        progress.inc(batch.len() as u64);
    }
    Ok(checksum)
}

/// Copies the SQLite database `source` into the empty PostgreSQL
/// database `target` (both migrated), then checks every table. Returns
/// each table's rows and checksum.
pub async fn copy(source: &Db, target: &Db, show_progress: bool) -> anyhow::Result<Vec<Copied>> {
    if source.backend() != Backend::Sqlite {
        bail!("the configured database is not SQLite: copy-database copies from SQLite");
    }
    if target.backend() != Backend::Postgres {
        bail!("--to must be a PostgreSQL address (postgres://…)");
    }
    let mut from = source.pool().acquire().await?;
    let mut to = target.pool().acquire().await?;
    let (mine, theirs) = (applied(&mut from).await?, applied(&mut to).await?);
    if mine != theirs {
        bail!("the two databases are not at the same migration: {mine:?} and {theirs:?}");
    }
    let tables = tables(&mut from, &mut to).await?;
    let already = counts(&mut to, &tables).await?;
    if let Some((table, count)) = tables.iter().zip(&already).find(|(_, count)| **count > 0) {
        bail!(
            "the target is not empty ({} has {count} rows): copy-database copies into an empty database only",
            table.name
        );
    }
    let sizes = counts(&mut from, &tables).await?;
    let total: i64 = sizes.iter().sum();
    let progress = if show_progress {
        ProgressBar::with_draw_target(
            Some(u64::try_from(total).unwrap_or_default()),
            ProgressDrawTarget::stderr(),
        )
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} rows {per_sec} {msg} ETA {eta}")
            .context("progress bar template")?,
    );

    // One transaction, and SQLite read as of one moment.
    let mut copied = Vec::new();
    {
        let mut read = from.begin().await?;
        let mut write = to.begin().await?;
        for table in &tables {
            progress.set_message(table.name.clone());
            let checksum = read_table(&mut read, table, Some(&mut *write), &progress).await?;
            copied.push(Copied {
                table: table.name.clone(),
                rows: checksum.rows,
                checksum: checksum.hex(),
            });
        }
        restart_sequences(&mut write, &tables).await?;
        fill_search(&mut write).await?;
        write.commit().await?;
        read.rollback().await?;
    }
    progress.finish_and_clear();

    // Read back: the same rows, table by table.
    for (table, expected) in tables.iter().zip(&copied) {
        let found = read_table(&mut to, table, None, &ProgressBar::hidden()).await?;
        if found.rows != expected.rows || found.hex() != expected.checksum {
            bail!(
                "{}: {} rows copied with checksum {}, but {} rows read back with checksum {}",
                table.name,
                expected.rows,
                expected.checksum,
                found.rows,
                found.hex()
            );
        }
    }
    Ok(copied)
}

/// The migrations a database has had.
async fn applied(conn: &mut AnyConnection) -> anyhow::Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// Sets each identity column's sequence past the highest id copied.
async fn restart_sequences(conn: &mut AnyConnection, tables: &[Table]) -> anyhow::Result<()> {
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (table, column) in identities {
        if !tables.iter().any(|known| known.name == table) {
            continue;
        }
        let next: i64 = sqlx::query_scalar(&format!(
            "SELECT CAST(COALESCE(MAX(\"{column}\"), 0) + 1 AS BIGINT) FROM \"{table}\""
        ))
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query(&format!(
            "ALTER TABLE \"{table}\" ALTER COLUMN \"{column}\" RESTART WITH {next}"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Fills PostgreSQL's search column of every analysed item, in the text
/// search configuration of its language (as the pipeline does).
async fn fill_search(conn: &mut AnyConnection) -> anyhow::Result<()> {
    let languages: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT DISTINCT CASE WHEN language_reliable <> 0 THEN language END FROM input_items
         WHERE masked_text IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    for language in languages {
        let config = app::input::db::search_config(language.as_deref());
        let query = match &language {
            Some(_) => sqlx::query(
                "UPDATE input_items SET search = to_tsvector(CAST($1 AS regconfig), masked_text)
                 WHERE masked_text IS NOT NULL AND language_reliable <> 0 AND language = $2",
            )
            .bind(config)
            .bind(language.clone()),
            None => sqlx::query(
                "UPDATE input_items SET search = to_tsvector(CAST($1 AS regconfig), masked_text)
                 WHERE masked_text IS NOT NULL AND (language_reliable = 0 OR language IS NULL)",
            )
            .bind(config),
        };
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checksum_does_not_depend_on_row_order_but_on_every_value() {
        let rows = [
            vec![Value::Integer(1), Value::Text("a".into()), Value::Null],
            vec![Value::Integer(2), Value::Text("b".into()), Value::Real(0.5)],
        ];
        let mut forward = Checksum::default();
        rows.iter().for_each(|row| forward.add(row));
        let mut backward = Checksum::default();
        rows.iter().rev().for_each(|row| backward.add(row));
        assert_eq!(forward.hex(), backward.hex());
        let mut changed = Checksum::default();
        changed.add(&rows[0]);
        changed.add(&[Value::Integer(2), Value::Text("b".into()), Value::Null]);
        assert_ne!(forward.hex(), changed.hex());
        // Text and bytes of the same content differ.
        let mut text = Checksum::default();
        text.add(&[Value::Text("x".into())]);
        let mut bytes = Checksum::default();
        bytes.add(&[Value::Bytes(b"x".to_vec())]);
        assert_ne!(text.hex(), bytes.hex());
    }
}
