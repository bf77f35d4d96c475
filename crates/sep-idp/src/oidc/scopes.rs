//! Scopes in ЕСИА's names, with what each one shares, in Russian, for the consent screen
//! ("Предоставление прав доступа").

/// Every scope the emulator knows, with its Russian description.
pub const KNOWN: [(&str, &str); 10] = [
    ("openid", "Идентификатор учётной записи и уровень её подтверждения"),
    ("fullname", "Фамилия, имя и отчество"),
    ("birthdate", "Дата и место рождения"),
    ("gender", "Пол"),
    ("snils", "СНИЛС"),
    ("inn", "ИНН"),
    ("id_doc", "Данные паспорта гражданина РФ"),
    ("email", "Адрес электронной почты"),
    ("mobile", "Номер мобильного телефона"),
    ("usr_org", "Организации, сотрудником которых вы являетесь, и ваши роли в них"),
];

/// Parses a space-separated scope string: known scopes, no duplicates, `openid` required.
/// Returns the unknown scope on failure.
pub fn parse(s: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split_whitespace() {
        if !KNOWN.iter().any(|(k, _)| *k == part) {
            return Err(part.to_owned());
        }
        if !out.iter().any(|x| x == part) {
            out.push(part.to_owned());
        }
    }
    if !out.iter().any(|x| x == "openid") {
        return Err("openid".to_owned());
    }
    Ok(out)
}

/// The Russian description of a known scope.
pub fn describe(scope: &str) -> &'static str {
    KNOWN.iter().find(|(k, _)| *k == scope).map_or("", |(_, d)| d)
}

/// Whether `granted` covers every scope in `wanted`.
pub fn covers(granted: &[String], wanted: &[String]) -> bool {
    wanted.iter().all(|w| granted.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_strictly() {
        assert_eq!(parse("openid fullname snils openid").unwrap(), vec!["openid", "fullname", "snils"]);
        assert_eq!(parse("fullname").unwrap_err(), "openid", "openid is required");
        assert_eq!(parse("openid profile").unwrap_err(), "profile");
        assert!(covers(&parse("openid fullname snils").unwrap(), &parse("openid snils").unwrap()));
        assert!(!covers(&parse("openid snils").unwrap(), &parse("openid inn").unwrap()));
        assert!(KNOWN.iter().all(|(_, d)| !d.is_empty()));
    }
}
