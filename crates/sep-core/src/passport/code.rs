//! The e-passport's QR code (SPEC EP2), made in the manner of the EU Digital COVID
//! Certificate (HCERT): the claims as a CBOR Web Token, signed as a COSE_Sign1, compressed
//! with zlib, written in Base45 and prefixed with `SEP1:` — only QR alphanumerics, so the
//! code fits version 15 at error correction Q. Cyrillic lives inside the CBOR.
//!
//! Two signature profiles: ES256 (COSE −7) for any verifier, and ГОСТ Р 34.10-2012 (256,
//! Стрибог-256) under the private-use algorithm [`ALG_GOST_2012_256`] as the state profile.
//! The `kid` is the first 8 bytes of the SHA-256 of the signer's certificate (DER).

use super::error::CodeError;
use crate::signer::{Algorithm, SignError, Signer};
use coset::cwt::{ClaimName, ClaimsSet, ClaimsSetBuilder, Timestamp};
use coset::{CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};
use sha2::{Digest, Sha256};
use std::io::Read;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// What every code starts with.
pub const PREFIX: &str = "SEP1:";
/// The `iss` claim: the issuing country, as in the DCC.
pub const ISSUER: &str = "RU";
/// The private-use CWT claim (below −65536) that holds the e-passport's data.
pub const CLAIM_PASSPORT: i64 = -65537;
/// The private-use COSE algorithm id (below −65536) for ГОСТ Р 34.10-2012 with a 256-bit key
/// over Стрибог-256; the signature is the 64 bytes ГОСТ Р 34.10 defines (s ‖ r).
pub const ALG_GOST_2012_256: i64 = -65540;
/// The issuer's code in the claims (short: every byte counts toward the QR's size).
pub const ISSUER_MVD: &str = "RU-MVD";

/// The issuer as people read it.
pub fn issuer_name(code: &str) -> &str {
    if code == ISSUER_MVD { "МВД России" } else { code }
}

/// The e-passport's claims by their integer keys (small integers take one CBOR byte).
const KEYS: [(i64, &str); 7] = [(1, "id"), (2, "no"), (3, "fn"), (4, "gn"), (5, "dob"), (6, "ci"), (7, "is")];

/// Largest code accepted: the text, and the CBOR after inflating (a zlib bomb stops here).
pub const MAX_TEXT: usize = 4296;
const MAX_CBOR: u64 = 16 * 1024;

/// What the code says of its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// The registry record's id.
    pub record_id: Uuid,
    /// The e-passport's number.
    pub number: String,
    /// Фамилия.
    pub last_name: String,
    /// Имя and отчество.
    pub given_names: String,
    /// Date of birth.
    pub birth_date: Date,
    /// Citizenship, ISO 3166-1 alpha-3 (`RUS`).
    pub citizenship: String,
    /// Who issued the e-passport: a short code ([`ISSUER_MVD`]).
    pub issuer: String,
    /// Issued (`iat`).
    pub issued: OffsetDateTime,
    /// Valid until (`exp`).
    pub expires: OffsetDateTime,
}

/// The `kid` of a certificate: the first 8 bytes of its SHA-256.
pub fn kid(certificate: &[u8]) -> Vec<u8> {
    Sha256::digest(certificate)[..8].to_vec()
}

/// The COSE algorithm id of a signature algorithm, for those a code may carry.
pub fn cose_alg(a: Algorithm) -> Option<i64> {
    match a {
        Algorithm::EcdsaP256 => Some(iana::Algorithm::ES256 as i64),
        Algorithm::Gost2012_256 => Some(ALG_GOST_2012_256),
        Algorithm::Rs256 => None,
    }
}

/// The signature algorithm of a COSE algorithm id.
pub fn algorithm_of(alg: i64) -> Option<Algorithm> {
    [Algorithm::EcdsaP256, Algorithm::Gost2012_256].into_iter().find(|a| cose_alg(*a) == Some(alg))
}

pub(crate) fn protected(a: Algorithm, kid: Vec<u8>) -> Result<coset::Header, SignError> {
    let alg = cose_alg(a).ok_or_else(|| SignError::Key(format!("{} не для кода паспорта", a.name())))?;
    let mut h = HeaderBuilder::new().key_id(kid).build();
    h.alg = Some(if alg == iana::Algorithm::ES256 as i64 {
        coset::Algorithm::Assigned(iana::Algorithm::ES256)
    } else {
        coset::Algorithm::PrivateUse(alg)
    });
    Ok(h)
}

pub(crate) fn alg_id(h: &coset::Header) -> Option<i64> {
    match h.alg.as_ref()? {
        coset::Algorithm::Assigned(a) => Some(*a as i64),
        coset::Algorithm::PrivateUse(n) => Some(*n),
        coset::Algorithm::Text(_) => None,
    }
}

fn text(s: &str) -> coset::cbor::value::Value {
    coset::cbor::value::Value::Text(s.to_owned())
}

fn claims_set(c: &Claims) -> ClaimsSet {
    use coset::cbor::value::Value;
    let values = [
        Value::Bytes(c.record_id.as_bytes().to_vec()),
        text(&c.number),
        text(&c.last_name),
        text(&c.given_names),
        text(&crate::passport::iso_date(c.birth_date)),
        text(&c.citizenship),
        text(&c.issuer),
    ];
    let data = Value::Map(KEYS.iter().map(|(k, _)| Value::Integer((*k).into())).zip(values).collect());
    ClaimsSetBuilder::new()
        .issuer(ISSUER.to_owned())
        .issued_at(Timestamp::WholeSeconds(c.issued.unix_timestamp()))
        .expiration_time(Timestamp::WholeSeconds(c.expires.unix_timestamp()))
        .private_claim(CLAIM_PASSPORT, data)
        .build()
}

/// The code for `claims`, signed by `signer` (whose certificate gives the `kid`).
pub fn encode(claims: &Claims, signer: &dyn Signer) -> Result<String, SignError> {
    let cert = signer.certificate().ok_or_else(|| SignError::Key("у ключа нет сертификата".into()))?;
    let payload = claims_set(claims).to_vec().map_err(|e| SignError::Unavailable(e.to_string()))?;
    let sign1 = CoseSign1Builder::new()
        .protected(protected(signer.algorithm(), kid(cert))?)
        .payload(payload)
        .try_create_signature(b"", |tbs| signer.sign(tbs))?
        .build();
    let cbor = sign1.to_tagged_vec().map_err(|e| SignError::Unavailable(e.to_string()))?;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut z, &cbor).map_err(|e| SignError::Unavailable(e.to_string()))?;
    let zipped = z.finish().map_err(|e| SignError::Unavailable(e.to_string()))?;
    Ok(format!("{PREFIX}{}", base45::encode(&zipped)))
}

/// A code taken apart, its signature not yet checked.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The signer's `kid`.
    pub kid: Vec<u8>,
    /// The COSE algorithm id.
    pub alg: i64,
    /// What it claims.
    pub claims: Claims,
    /// The bytes the signature covers (the COSE `Sig_structure`).
    pub signed: Vec<u8>,
    /// The signature.
    pub signature: Vec<u8>,
}

fn key_of(name: &str) -> i64 {
    KEYS.iter().find(|(_, n)| *n == name).map_or(0, |(k, _)| *k)
}

fn key_name(name: &str) -> &'static str {
    KEYS.iter().find(|(_, n)| *n == name).map_or("?", |(_, n)| n)
}

fn field<'a>(
    map: &'a [(coset::cbor::value::Value, coset::cbor::value::Value)],
    name: &str,
) -> Option<&'a coset::cbor::value::Value> {
    let key = key_of(name);
    map.iter().find(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(key)).map(|(_, v)| v)
}

fn text_field(map: &[(coset::cbor::value::Value, coset::cbor::value::Value)], name: &str) -> Result<String, CodeError> {
    let v = field(map, name).and_then(|v| v.as_text()).ok_or(CodeError::Claims(key_name(name)))?;
    if v.chars().count() > 1000 || v.chars().any(char::is_control) {
        return Err(CodeError::Claims(key_name(name)));
    }
    Ok(v.to_owned())
}

fn timestamp(t: Option<&Timestamp>, name: &'static str) -> Result<OffsetDateTime, CodeError> {
    let secs = match t {
        Some(Timestamp::WholeSeconds(s)) => *s,
        Some(Timestamp::FractionalSeconds(f)) if f.is_finite() => *f as i64,
        _ => return Err(CodeError::Claims(name)),
    };
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| CodeError::Claims(name))
}

/// Takes a code apart: prefix, Base45, zlib, COSE_Sign1, claims. Checks nothing about trust.
pub fn parse(code: &str) -> Result<Parsed, CodeError> {
    let code = code.trim();
    if code.len() > MAX_TEXT {
        return Err(CodeError::TooLong);
    }
    let body = code.strip_prefix(PREFIX).ok_or(CodeError::Prefix)?;
    let zipped = base45::decode(body).map_err(|_| CodeError::Base45)?;
    let mut cbor = Vec::new();
    flate2::read::ZlibDecoder::new(zipped.as_slice())
        .take(MAX_CBOR + 1)
        .read_to_end(&mut cbor)
        .map_err(|_| CodeError::Compressed)?;
    if cbor.len() as u64 > MAX_CBOR {
        return Err(CodeError::Compressed);
    }
    let sign1 = CoseSign1::from_tagged_slice(&cbor)
        .or_else(|_| CoseSign1::from_slice(&cbor))
        .map_err(|_| CodeError::Malformed)?;
    let alg = alg_id(&sign1.protected.header).ok_or(CodeError::Malformed)?;
    let kid = sign1.protected.header.key_id.clone();
    if kid.is_empty() {
        return Err(CodeError::Malformed);
    }
    let payload = sign1.payload.as_deref().ok_or(CodeError::Malformed)?;
    let set = ClaimsSet::from_slice(payload).map_err(|_| CodeError::Malformed)?;
    if set.issuer.as_deref() != Some(ISSUER) {
        return Err(CodeError::Claims("iss"));
    }
    let issued = timestamp(set.issued_at.as_ref(), "iat")?;
    let expires = timestamp(set.expiration_time.as_ref(), "exp")?;
    let data = set
        .rest
        .iter()
        .find(|(k, _)| *k == ClaimName::PrivateUse(CLAIM_PASSPORT))
        .and_then(|(_, v)| v.as_map())
        .ok_or(CodeError::Claims("data"))?;
    let id = field(data, "id").and_then(|v| v.as_bytes()).ok_or(CodeError::Claims("id"))?;
    let record_id = Uuid::from_slice(id).map_err(|_| CodeError::Claims("id"))?;
    let dob = text_field(data, "dob")?;
    let birth_date = crate::passport::parse_iso_date(&dob).ok_or(CodeError::Claims("dob"))?;
    let claims = Claims {
        record_id,
        number: text_field(data, "no")?,
        last_name: text_field(data, "fn")?,
        given_names: text_field(data, "gn")?,
        birth_date,
        citizenship: text_field(data, "ci")?,
        issuer: text_field(data, "is")?,
        issued,
        expires,
    };
    let signed = sign1.tbs_data(b"");
    Ok(Parsed { kid, alg, claims, signed, signature: sign1.signature })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passport::tests::{TestSigner, claims};

    #[test]
    fn a_code_round_trips_and_is_qr_alphanumeric() {
        let signer = TestSigner::new(Algorithm::EcdsaP256);
        let c = claims();
        let code = encode(&c, &signer).unwrap();
        assert!(code.starts_with(PREFIX));
        let alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        assert!(code.chars().all(|ch| alphabet.contains(ch)), "{code}");
        assert!(code.len() < 600, "{} characters", code.len());
        let p = parse(&code).unwrap();
        assert_eq!(p.claims, c);
        assert_eq!(p.alg, -7);
        assert_eq!(p.kid, kid(signer.certificate().unwrap()));
        assert_eq!(p.signature, signer.sign(&p.signed).unwrap(), "the test signer is deterministic");
        let g = TestSigner::new(Algorithm::Gost2012_256);
        assert_eq!(parse(&encode(&c, &g).unwrap()).unwrap().alg, ALG_GOST_2012_256);
    }

    #[test]
    fn broken_codes_say_what_is_broken() {
        let code = encode(&claims(), &TestSigner::new(Algorithm::EcdsaP256)).unwrap();
        assert_eq!(parse("HC1:NCFOXN").unwrap_err(), CodeError::Prefix);
        assert_eq!(parse("SEP1:абв").unwrap_err(), CodeError::Base45);
        assert_eq!(parse(&code[..code.len() - 30]).unwrap_err().code(), "passport_code_compressed");
        assert_eq!(parse(&format!("{PREFIX}{}", base45::encode(b"not zlib"))).unwrap_err(), CodeError::Compressed);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut z, &[0u8; 100_000]).unwrap();
        let bomb = format!("{PREFIX}{}", base45::encode(z.finish().unwrap()));
        assert_eq!(parse(&bomb).unwrap_err(), CodeError::Compressed, "no inflating past the limit");
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut z, b"\xa1\x01\x02").unwrap();
        assert_eq!(
            parse(&format!("{PREFIX}{}", base45::encode(z.finish().unwrap()))).unwrap_err(),
            CodeError::Malformed
        );
        assert_eq!(parse(&"A".repeat(5000)).unwrap_err(), CodeError::TooLong);
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "SEP1:[0-9A-Z $%*+./:-]{0,300}") {
            let _ = parse(&s);
        }
    }
}
