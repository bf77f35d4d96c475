//! What can be wrong with an e-passport's code or the lists that check it, each with a
//! stable code and what to do.

/// Why a code could not be read or trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Not `SEP1:` at the start: another issuer's code, or not a code at all.
    #[error("Это не код электронного паспорта СЭП: код должен начинаться с «SEP1:».")]
    Prefix,
    /// Longer than any QR code holds.
    #[error("Код длиннее, чем помещается в QR-код: проверьте, что скопирован один код.")]
    TooLong,
    /// Characters outside Base45, or a broken group.
    #[error("Код повреждён: в нём есть знаки, которых не бывает в коде (Base45). Отсканируйте код ещё раз.")]
    Base45,
    /// The compressed part is cut off or not zlib.
    #[error("Код обрезан или повреждён: его не удаётся распаковать. Отсканируйте код целиком.")]
    Compressed,
    /// Not a COSE_Sign1 with an algorithm and a key id.
    #[error("Код повреждён: подписанная часть имеет неверный формат.")]
    Malformed,
    /// A claim is missing or of the wrong form.
    #[error("Код повреждён: сведения о паспорте неполны или неверны ({0}).")]
    Claims(&'static str),
    /// No signer with this `kid` in the trust list.
    #[error(
        "Код подписан ключом, которого нет в списке доверия СЭП: он выпущен не СЭП или список устарел. Обновите списки и проверьте снова."
    )]
    UnknownSigner,
    /// The signer's algorithm is not the code's.
    #[error("Алгоритм подписи кода не совпадает с алгоритмом ключа из списка доверия.")]
    AlgorithmMismatch,
    /// The signature does not match.
    #[error("Подпись кода неверна: код изменён или подделан.")]
    Signature,
    /// Past its `exp`.
    #[error("Срок действия электронного паспорта истёк.")]
    Expired,
    /// Issued in the future, or after its signer's certificate ended.
    #[error("Даты в коде не сходятся с сертификатом подписи: код недействителен.")]
    Dates,
}

impl CodeError {
    /// Every error, for the help page.
    pub const ALL: [Self; 11] = [
        Self::Prefix,
        Self::TooLong,
        Self::Base45,
        Self::Compressed,
        Self::Malformed,
        Self::Claims("id"),
        Self::UnknownSigner,
        Self::AlgorithmMismatch,
        Self::Signature,
        Self::Expired,
        Self::Dates,
    ];

    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Prefix => "passport_code_prefix",
            Self::TooLong => "passport_code_too_long",
            Self::Base45 => "passport_code_base45",
            Self::Compressed => "passport_code_compressed",
            Self::Malformed => "passport_code_malformed",
            Self::Claims(_) => "passport_code_claims",
            Self::UnknownSigner => "passport_code_unknown_signer",
            Self::AlgorithmMismatch => "passport_code_algorithm",
            Self::Signature => "passport_code_signature",
            Self::Expired => "passport_code_expired",
            Self::Dates => "passport_code_dates",
        }
    }
}

/// Why a published list (trust or annulment) is not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    /// Not a COSE_Sign with the list's fields.
    #[error("Список повреждён или имеет неверный формат; он не используется. Загрузите списки заново.")]
    Malformed,
    /// None of its signatures is by a pinned root, or one of those does not match.
    #[error(
        "Подпись списка неверна или сделана не корневым ключом СЭП; список не используется. Загрузите списки с адреса СЭП заново."
    )]
    Signature,
    /// A signer in the trust list is not certified by the root.
    #[error("Сертификат ключа в списке доверия выдан не корневым центром СЭП; список не используется.")]
    Chain,
}

impl ListError {
    /// Every error, for the help page.
    pub const ALL: [Self; 3] = [Self::Malformed, Self::Signature, Self::Chain];

    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "passport_list_malformed",
            Self::Signature => "passport_list_signature",
            Self::Chain => "passport_list_chain",
        }
    }
}
