//! Validation errors with stable codes and Russian messages that say how to fix the input.

/// Why an identifier was refused. The `code()` is stable and shown to users in small print
/// for support; the `Display` text is the Russian message: what is wrong and what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// СНИЛС is not 11 digits.
    #[error("Введите СНИЛС из 11 цифр, например 112-233-445 95")]
    SnilsFormat,
    /// СНИЛС check number does not match.
    #[error(
        "Контрольное число СНИЛС не совпадает. Проверьте цифры по страховому свидетельству или в приложении Госуслуги"
    )]
    SnilsChecksum,
    /// ИНН is not 10 or 12 digits.
    #[error("Введите ИНН: 12 цифр для физического лица или 10 цифр для организации")]
    InnFormat,
    /// ИНН check digits do not match.
    #[error("Контрольные цифры ИНН не совпадают. Проверьте ИНН по свидетельству о постановке на учёт или на сайте ФНС")]
    InnChecksum,
    /// A person's ИНН (12 digits) was expected.
    #[error("ИНН физического лица состоит из 12 цифр. Введите ИНН из свидетельства о постановке на учёт")]
    InnPersonExpected,
    /// An organisation's ИНН (10 digits) was expected.
    #[error("ИНН организации состоит из 10 цифр. Введите ИНН из выписки ЕГРЮЛ")]
    InnOrganisationExpected,
    /// ОГРН is not 13 digits.
    #[error("Введите ОГРН из 13 цифр, как в выписке ЕГРЮЛ")]
    OgrnFormat,
    /// ОГРН check digit does not match.
    #[error("Контрольная цифра ОГРН не совпадает. Сверьте номер с выпиской ЕГРЮЛ")]
    OgrnChecksum,
    /// ОГРНИП is not 15 digits.
    #[error("Введите ОГРНИП из 15 цифр, как в выписке ЕГРИП: номер начинается с цифры 3")]
    OgrnipFormat,
    /// ОГРНИП check digit does not match.
    #[error("Контрольная цифра ОГРНИП не совпадает. Сверьте номер с выпиской ЕГРИП")]
    OgrnipChecksum,
    /// КПП is not 9 characters of the right form.
    #[error("Введите КПП из 9 символов: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры, например 771301001")]
    KppFormat,
    /// Passport series is not 4 digits.
    #[error("Введите серию паспорта из 4 цифр, например 45 08")]
    PassportSeriesFormat,
    /// Passport number is not 6 digits.
    #[error("Введите номер паспорта из 6 цифр, например 123456")]
    PassportNumberFormat,
    /// Division code is not `NNN-NNN`.
    #[error("Введите код подразделения в виде 123-456, как на развороте паспорта")]
    DivisionCodeFormat,
    /// Phone is not a Russian number.
    #[error("Введите номер мобильного телефона из 10 цифр после +7, например +7 912 345-67-89")]
    PhoneFormat,
    /// E-mail is malformed.
    #[error("Введите адрес электронной почты в виде name@example.ru")]
    EmailFormat,
    /// Date is not `ДД.ММ.ГГГГ`.
    #[error("Введите дату в виде ДД.ММ.ГГГГ, например 05.03.1987")]
    DateFormat,
    /// Date does not exist in the calendar (31.02).
    #[error("Такой даты нет в календаре. Проверьте день и месяц")]
    DateInvalid,
    /// Date is outside 01.01.1900 – 31.12.2100.
    #[error("Дата должна быть между 01.01.1900 и 31.12.2100. Проверьте год")]
    DateOutOfRange,
}

impl IdError {
    /// Every variant, for exhaustive tests of codes and messages.
    pub const ALL: [IdError; 19] = [
        Self::SnilsFormat,
        Self::SnilsChecksum,
        Self::InnFormat,
        Self::InnChecksum,
        Self::InnPersonExpected,
        Self::InnOrganisationExpected,
        Self::OgrnFormat,
        Self::OgrnChecksum,
        Self::OgrnipFormat,
        Self::OgrnipChecksum,
        Self::KppFormat,
        Self::PassportSeriesFormat,
        Self::PassportNumberFormat,
        Self::DivisionCodeFormat,
        Self::PhoneFormat,
        Self::EmailFormat,
        Self::DateFormat,
        Self::DateInvalid,
        Self::DateOutOfRange,
    ];

    /// Stable snake_case code, never renamed once released.
    pub fn code(self) -> &'static str {
        match self {
            Self::SnilsFormat => "snils_invalid_format",
            Self::SnilsChecksum => "snils_invalid_checksum",
            Self::InnFormat => "inn_invalid_format",
            Self::InnChecksum => "inn_invalid_checksum",
            Self::InnPersonExpected => "inn_person_expected",
            Self::InnOrganisationExpected => "inn_organisation_expected",
            Self::OgrnFormat => "ogrn_invalid_format",
            Self::OgrnChecksum => "ogrn_invalid_checksum",
            Self::OgrnipFormat => "ogrnip_invalid_format",
            Self::OgrnipChecksum => "ogrnip_invalid_checksum",
            Self::KppFormat => "kpp_invalid_format",
            Self::PassportSeriesFormat => "passport_series_invalid_format",
            Self::PassportNumberFormat => "passport_number_invalid_format",
            Self::DivisionCodeFormat => "division_code_invalid_format",
            Self::PhoneFormat => "phone_invalid_format",
            Self::EmailFormat => "email_invalid_format",
            Self::DateFormat => "date_invalid_format",
            Self::DateInvalid => "date_not_in_calendar",
            Self::DateOutOfRange => "date_out_of_range",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case_and_messages_russian() {
        let mut seen = HashSet::new();
        for e in IdError::ALL {
            let code = e.code();
            assert!(seen.insert(code), "duplicate code {code}");
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code}");
            let msg = e.to_string();
            assert!(msg.chars().any(|c| ('а'..='я').contains(&c)), "not Russian: {msg}");
            assert!(msg.len() > 30, "message too short to say what to do: {msg}");
        }
    }
}
