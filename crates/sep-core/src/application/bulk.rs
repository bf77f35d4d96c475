//! Bulk submission (SPEC A4): an organisation sends many applications of one service as a CSV
//! file (UTF-8, `;` or `,`, a header row naming the service's fields). The whole file is read
//! and its columns checked before anything is made — another encoding, a missing or unknown
//! column refuses the file and nothing is imported — then each row becomes a draft (or is sent)
//! through the same use cases as the form, each refusal reported with its row, field and code.
//! A row's application has an id derived from the file and the row, so a run that stopped and
//! started again finishes what it had made rather than making it twice.

use super::error::ActionError;
use super::record::{ApplicationId, applicant_code};
use super::submit::Finding;
use super::{draft, submit};
use crate::audit::Origin;
use crate::catalogue::{ApplicantType, Catalogue, Service};
use crate::store::Store;
use crate::user::User;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

/// Most rows one file may have.
pub const MAX_ROWS: usize = 10_000;

/// Why a file is refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    /// Not UTF-8.
    #[error("Файл не в кодировке UTF-8.")]
    Encoding,
    /// No header, or no rows.
    #[error("В файле нет строки заголовков или ни одной строки данных.")]
    Empty,
    /// A line that is not CSV (an unclosed quote, a different number of cells).
    #[error("Строка {0} файла не разобрана: кавычки или число столбцов не совпадают с заголовком.")]
    Malformed(usize),
    /// Columns the service's form does not have.
    #[error("Столбцов нет в форме услуги: {0}.")]
    UnknownColumns(String),
    /// Required fields without a column (and not filled from the profile).
    #[error("Не хватает обязательных столбцов: {0}.")]
    MissingColumns(String),
    /// More rows than taken.
    #[error("В файле больше {max} строк.", max = MAX_ROWS)]
    TooManyRows,
}

impl SheetError {
    /// Stable code.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Encoding => "import_encoding",
            Self::Empty => "import_empty",
            Self::Malformed(_) => "import_malformed",
            Self::UnknownColumns(_) => "import_column_unknown",
            Self::MissingColumns(_) => "import_column_missing",
            Self::TooManyRows => "import_too_many_rows",
        }
    }

    /// What to do.
    pub const fn action(&self) -> &'static str {
        match self {
            Self::Encoding => "Сохраните файл в кодировке UTF-8 и загрузите снова.",
            Self::Empty => "Первая строка — имена полей услуги, далее по строке на заявление.",
            Self::Malformed(_) => "Исправьте строку: значения с разделителем или кавычками берите в кавычки.",
            Self::UnknownColumns(_) | Self::MissingColumns(_) => {
                "Назовите столбцы именами полей услуги (они в описании услуги и в data заявления API)."
            }
            Self::TooManyRows => "Разделите файл на части.",
        }
    }
}

/// A file read and its columns checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The header.
    pub columns: Vec<String>,
    /// The rows' cells, in the header's order.
    pub rows: Vec<Vec<String>>,
    /// Each row's line in the file (the header is 1; blank rows and cells over several lines
    /// counted).
    pub lines: Vec<usize>,
}

/// Reads `bytes` as CSV for `service` by `kind` applying as `user`: the delimiter is the
/// header's (`;` when it has one, else `,`).
pub fn read(bytes: &[u8], service: &Service, kind: ApplicantType, user: &User) -> Result<Sheet, SheetError> {
    let text = std::str::from_utf8(bytes).map_err(|_| SheetError::Encoding)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.lines().next().unwrap_or("");
    let delimiter = if header.contains(';') { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).from_reader(text.as_bytes());
    let mut records = reader.records();
    let columns: Vec<String> = match records.next() {
        Some(Ok(r)) => r.iter().map(|c| c.trim().to_owned()).collect(),
        _ => return Err(SheetError::Empty),
    };
    let fields: Vec<_> = service.fields_for(kind).collect();
    let unknown: Vec<&str> =
        columns.iter().map(String::as_str).filter(|c| !fields.iter().any(|f| f.name == *c)).collect();
    if !unknown.is_empty() {
        return Err(SheetError::UnknownColumns(unknown.join(", ")));
    }
    let prefilled = draft::prefill(user);
    let missing: Vec<&str> = fields
        .iter()
        .filter(|f| f.required && !columns.contains(&f.name) && !prefilled.contains_key(&f.name))
        .map(|f| f.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(SheetError::MissingColumns(missing.join(", ")));
    }
    let (mut rows, mut lines) = (Vec::new(), Vec::new());
    let mut line = 2;
    for r in records {
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                let at = e.position().map_or(line, |p| usize::try_from(p.line()).unwrap_or(line));
                return Err(SheetError::Malformed(at));
            }
        };
        line = r.position().map_or(line, |p| usize::try_from(p.line()).unwrap_or(line));
        if r.len() != columns.len() {
            return Err(SheetError::Malformed(line));
        }
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(SheetError::TooManyRows);
        }
        rows.push(r.iter().map(str::to_owned).collect());
        lines.push(line);
    }
    if rows.is_empty() {
        return Err(SheetError::Empty);
    }
    Ok(Sheet { columns, rows, lines })
}

/// What is wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowProblem {
    /// The row's number in the file (the header is 1).
    pub row: usize,
    /// The field (or a part of the form: `doc-<code>`, `contacts`).
    pub field: String,
    /// Stable code.
    pub code: String,
    /// What is wrong.
    pub message: String,
}

/// How rows become applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Drafts, to finish on the pages.
    Draft,
    /// Sent, when nothing stops them (else left as drafts, with what stops them reported).
    Submit,
}

/// The id of row `row`'s application of the import keyed `key` (the file and its settings):
/// the same file again gives the same ids.
pub fn row_id(key: &str, row: usize) -> ApplicationId {
    let h = Sha256::digest(format!("{key}/{row}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&h[..16]);
    ApplicationId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

fn problems(row: usize, found: &[Finding]) -> Vec<RowProblem> {
    found
        .iter()
        .map(|f| RowProblem { row, field: f.anchor.clone(), code: f.code.to_owned(), message: f.message.clone() })
        .collect()
}

/// What one row came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// Made now.
    Made {
        /// The application.
        id: ApplicationId,
        /// Sent too (in [`Mode::Submit`]).
        sent: bool,
    },
    /// Refused: nothing made (or, when sending was refused, a draft left and reported).
    Refused(Vec<RowProblem>),
}

/// Imports row `index` (0-based among the data rows; its number in the file is `index + 2`).
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn import_row(
    store: &dyn Store,
    catalogue: &Catalogue,
    service: &Service,
    user: &User,
    kind: ApplicantType,
    sheet: &Sheet,
    index: usize,
    key: &str,
    mode: Mode,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<RowOutcome, ActionError> {
    let row = sheet.lines.get(index).copied().unwrap_or(index + 2);
    let id = row_id(key, index);
    let Some(cells) = sheet.rows.get(index) else { return Ok(RowOutcome::Refused(vec![])) };
    let typed: HashMap<String, String> = sheet.columns.iter().cloned().zip(cells.iter().cloned()).collect();
    // Made by this import before it stopped (a crash, a retried job): finished from where it
    // is — its values saved, and sent in [`Mode::Submit`] — rather than made again.
    match store.get_application(id).await {
        Ok(app) => return finish(store, catalogue, service, user, app, &typed, row, mode, origin, now).await,
        Err(crate::StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    // The row is checked as the form checks its fields before anything is made.
    let mut data: BTreeMap<String, String> = draft::prefill(user);
    data.extend(typed.iter().map(|(k, v)| (k.clone(), v.clone())));
    let found: Vec<Finding> = service
        .fields_for(kind)
        .filter_map(|f| {
            f.check(data.get(&f.name).map_or("", String::as_str)).err().map(|e| Finding {
                anchor: f.name.clone(),
                code: e.code(),
                label: Some(f.label.clone()),
                message: e.to_string(),
            })
        })
        .collect();
    if !found.is_empty() {
        return Ok(RowOutcome::Refused(problems(row, &found)));
    }
    let code = applicant_code(kind);
    let app = match draft::start_as(store, catalogue, user, &service.code, code, id, origin, now).await {
        Ok(app) => app,
        // Made meanwhile by another run of the same import: finished from where it is.
        Err(ActionError::Store(crate::StoreError::Conflict { .. })) => store.get_application(id).await?,
        Err(e) => return Err(e),
    };
    finish(store, catalogue, service, user, app, &typed, row, mode, origin, now).await
}

/// Saves the row's values into its draft and, in [`Mode::Submit`], sends it; a row already
/// sent is left as it is.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
async fn finish(
    store: &dyn Store,
    catalogue: &Catalogue,
    service: &Service,
    user: &User,
    app: super::record::Application,
    typed: &HashMap<String, String>,
    row: usize,
    mode: Mode,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<RowOutcome, ActionError> {
    let id = app.id;
    if app.status != super::status::Status::Draft {
        return Ok(RowOutcome::Made { id, sent: true });
    }
    draft::save(store, &app, service, typed, origin, now).await?;
    if mode == Mode::Draft {
        return Ok(RowOutcome::Made { id, sent: false });
    }
    let app = store.get_application(id).await?;
    match submit::submit(store, catalogue, service, &app, user, true, origin, now).await {
        Ok(_) => Ok(RowOutcome::Made { id, sent: true }),
        Err(ActionError::Incomplete(found)) => Ok(RowOutcome::Refused(problems(row, &found))),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_has_the_same_id_in_every_import_of_its_file() {
        assert_eq!(row_id("k", 0), row_id("k", 0));
        assert_ne!(row_id("k", 0), row_id("k", 1));
        assert_ne!(row_id("k", 0), row_id("l", 0));
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(SheetError::Encoding.code(), "import_encoding");
        assert_eq!(SheetError::MissingColumns("x".into()).code(), "import_column_missing");
    }
}
