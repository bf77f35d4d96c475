//! The personal account's report as files: the PDF drawn by the справки's renderer from the
//! core's sheet, and an XLSX workbook (`rust_xlsxwriter`) of the same lines with amounts as
//! numbers in rubles, so a spreadsheet sums them. What is printed is the core's
//! (`sep_core::payment::report`).

use sep_core::payment::account::Account;
use sep_core::payment::report;
use sep_core::spravka::sheet::Render;
use sep_core::user::User;
use time::{Date, OffsetDateTime};

/// The report as PDF.
pub(crate) fn pdf(user: &User, a: &Account, span: (Date, Date), now: OffsetDateTime) -> Result<Vec<u8>, String> {
    sep_pdf::PdfRenderer::new()?.render(&report::sheet(user, a, span, now))
}

/// The report as an XLSX workbook: a heading, one row per operation, the totals.
pub(crate) fn xlsx(user: &User, a: &Account, span: (Date, Date)) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("# ##0.00");
    let sheet = book.add_worksheet();
    sheet.write_string_with_format(0, 0, report::TITLE, &bold).map_err(err)?;
    sheet.write_string(1, 0, format!("{} · {}", user.profile.full_name(), report::period(span))).map_err(err)?;
    for (c, title) in (0u16..).zip(report::COLUMNS) {
        sheet.write_string_with_format(3, c, title, &bold).map_err(err)?;
    }
    // Kopecks below 2^53 are exact as f64; the cell shows rubles.
    #[allow(clippy::cast_precision_loss, reason = "kopecks below 2^53 are exact as f64")]
    let rub = |k: i64| k as f64 / 100.0;
    let mut row = 4u32;
    for l in report::lines(a) {
        sheet.write_string(row, 0, l.at).map_err(err)?;
        sheet.write_string(row, 1, l.text).map_err(err)?;
        sheet.write_number_with_format(row, 2, rub(l.amount.0), &money).map_err(err)?;
        if l.effect.0 != 0 {
            sheet.write_number_with_format(row, 3, rub(l.effect.0), &money).map_err(err)?;
        }
        sheet.write_string(row, 4, l.status).map_err(err)?;
        row += 1;
    }
    for (label, amount) in report::totals(a) {
        row += 1;
        sheet.write_string_with_format(row, 1, label, &bold).map_err(err)?;
        sheet.write_number_with_format(row, 2, rub(amount.0), &money).map_err(err)?;
    }
    for (c, width) in [(0u16, 18.0), (1, 70.0), (2, 14.0), (3, 20.0), (4, 14.0)] {
        sheet.set_column_width(c, width).map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}
