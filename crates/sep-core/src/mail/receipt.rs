//! The квитанция of a sent message: when it was sent, delivered (filed in the recipient's
//! mailbox, the same moment) and read (first opened), with what it held and how it was
//! signed — a PDF the sender downloads. Printed in Russian whatever the reader's language, as
//! the other documents are.

use super::{Filed, Letter, MailError, Party};
use crate::spravka::records::Extract;
use crate::spravka::sheet::Sheet;
use crate::store::Store;
use uuid::Uuid;

/// The title printed.
pub const TITLE: &str = "Квитанция о доставке и прочтении сообщения";

fn at(t: time::OffsetDateTime) -> String {
    crate::clock::moscow_time(t, true)
}

/// A message `mailbox` sent (what it received has no квитанция for it).
pub async fn sent(store: &dyn Store, mailbox: &Party, letter: Uuid) -> Result<Letter, MailError> {
    match store.find_filed(mailbox, letter).await? {
        Some(Filed { letter, incoming: false, .. }) => Ok(letter),
        _ => Err(MailError::NotFound),
    }
}

/// The квитанция of `l`, laid out for the renderer.
pub fn sheet(l: &Letter) -> Sheet {
    let mut rows = vec![
        vec!["Отправлено".to_owned(), at(l.sent_at)],
        vec!["Доставлено в электронный ящик получателя".to_owned(), at(l.sent_at)],
    ];
    rows.push(vec!["Прочитано получателем".to_owned(), l.read_at.map_or_else(|| "ещё не прочитано".to_owned(), at)]);
    let statement = if l.read_at.is_some() {
        "Сообщение доставлено в электронный ящик получателя и прочитано им."
    } else {
        "Сообщение доставлено в электронный ящик получателя; получатель его ещё не открывал."
    };
    let mut totals = vec![
        ("Тема".to_owned(), if l.subject.is_empty() { "(без темы)".to_owned() } else { l.subject.clone() }),
        ("Файлы".to_owned(), if l.files.is_empty() { "нет".to_owned() } else { l.files.len().to_string() }),
    ];
    for f in &l.files {
        totals.push(("Файл".into(), f.name.clone()));
    }
    let signed = match l.signatures.first() {
        None => "без электронной подписи".to_owned(),
        Some(s) => format!("электронной подписью ({}), сертификат № {}", s.signer.subject, s.signer.serial),
    };
    totals.push(("Подписано".into(), signed));
    if let Some(s) = l.signatures.first() {
        totals.push(("Хеш текста (Стрибог-256)".into(), s.hash.clone()));
    }
    Sheet {
        agency: "Система электронных процедур (СЭП)".into(),
        title: TITLE.into(),
        number: l.id.to_string(),
        issued_on: crate::ident::ru_date(crate::clock::moscow_day(l.read_at.unwrap_or(l.sent_at))),
        valid_until: String::new(),
        holder: vec![("Отправитель".into(), l.from_name.clone()), ("Получатель".into(), l.to_name.clone())],
        period: None,
        purpose: "подтверждение доставки и прочтения".into(),
        extract: Extract {
            statement: statement.into(),
            columns: vec!["Событие".into(), "Дата и время (МСК)".into()],
            rows,
            totals,
        },
        check_url: String::new(),
        reference: ("Сообщение".into(), l.id.to_string()),
        photo: None,
    }
}
