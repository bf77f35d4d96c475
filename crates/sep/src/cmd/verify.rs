//! `sep verify FILE SIG`: the check of `/verify` offline — the same verdict and codes — for
//! scripts and for people without the portal at hand. Exit 0: valid; 1: not valid; 2: the
//! files or the trusted authority could not be read.

use anyhow::Context;
use sep_core::signature::SignatureChecker;
use sep_crypto::verify::TrustList;
use std::io::Write;
use std::path::Path;

/// Checks `sig` of `file` against `ca` (a certificate file), else the authorities the portal
/// trusts (`trust_certificates`, else the test authority in `data_dir/ca`); whether the
/// signature is valid.
pub fn run(
    file: &Path,
    sig: &Path,
    ca: Option<&Path>,
    trust_certificates: &Path,
    data_dir: &Path,
) -> anyhow::Result<bool> {
    let document = std::fs::read(file).with_context(|| format!("{}: файл не читается", file.display()))?;
    let signature = std::fs::read(sig).with_context(|| format!("{}: файл подписи не читается", sig.display()))?;
    let ca = ca.or_else(|| (!trust_certificates.as_os_str().is_empty()).then_some(trust_certificates));
    let trust = match ca {
        Some(path) => {
            TrustList::from_file(path).with_context(|| format!("{}: сертификат УЦ не читается", path.display()))?
        }
        None => {
            let dir = data_dir.join("ca");
            TrustList::from_ca_dir(&dir)
                .with_context(|| format!("{}: нет удостоверяющего центра (укажите --ca FILE)", dir.display()))?
        }
    };
    let v = trust.check(&document, &signature, time::OffsetDateTime::now_utc());
    let mut out = std::io::stdout().lock();
    match v.outcome {
        Ok(()) => writeln!(out, "Подпись действительна ({})", v.code())?,
        Err(r) => writeln!(out, "Подпись недействительна ({}): {}", r.code(), r.text())?,
    }
    writeln!(out, "Хеш документа (Стрибог-256): {}", v.document_hash)?;
    if let Some(c) = &v.signer {
        writeln!(out, "Владелец сертификата: {}", c.subject)?;
        writeln!(out, "Издатель: {}; серийный номер {}", c.issuer, c.serial)?;
        writeln!(out, "Действует: {} — {} (UTC)", c.not_before, c.not_after)?;
    }
    if let Some(at) = v.signed_at {
        writeln!(out, "Время подписи (указано подписавшим): {at} (UTC)")?;
    }
    if let Some(at) = v.revoked_at {
        writeln!(out, "Сертификат отозван: {at} (UTC)")?;
    }
    if !v.revocation_checked {
        writeln!(out, "Отзыв не проверен: нет действующего списка отзыва удостоверяющего центра")?;
    }
    Ok(v.is_valid())
}
