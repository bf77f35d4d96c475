//! Checking a code offline (SPEC EP2): with nothing but the cached lists — the signer by
//! `kid` from the trust list, its signature, the dates, then the annulment list.

use super::code::{Claims, algorithm_of, parse};
use super::error::{CodeError, ListError};
use super::lists::{AnnulmentList, Keys, TrustList};
use crate::signer::Algorithm;
use time::{Duration, OffsetDateTime};

/// How far ahead of the verifier's clock an issue time may be.
const SKEW: Duration = Duration::minutes(5);

/// The two lists, opened and checked against the pinned roots.
#[derive(Debug, Clone)]
pub struct Lists {
    /// The trust list.
    pub trust: TrustList,
    /// The annulment list.
    pub annulments: AnnulmentList,
}

impl Lists {
    /// Opens both lists: the trust list against the `pins` (SHA-256 hex of the roots), the
    /// annulment list against the roots so found.
    pub fn open(
        trust: &[u8],
        annulments: &[u8],
        pins: &[String],
        keys: &dyn Keys,
        now: OffsetDateTime,
    ) -> Result<Self, ListError> {
        let trust = TrustList::open(trust, pins, keys, now)?;
        let annulments = AnnulmentList::open(annulments, &trust.pinned_roots(pins), keys)?;
        Ok(Self { trust, annulments })
    }
}

/// What a code turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Signed by a listed signer, in date, not on the annulment list.
    Valid {
        /// What it says.
        claims: Claims,
        /// How it was signed.
        algorithm: Algorithm,
        /// The annulment list it was checked against, by its time.
        annulments_of: OffsetDateTime,
    },
    /// Genuine, but the annulment list names it.
    Annulled {
        /// What it says.
        claims: Claims,
        /// The list that names it, by its time («аннулирован по списку от …»).
        annulments_of: OffsetDateTime,
    },
}

/// Checks `code` with `lists` at `now`.
pub fn verify(code: &str, lists: &Lists, keys: &dyn Keys, now: OffsetDateTime) -> Result<Verdict, CodeError> {
    let p = parse(code)?;
    let signer = lists.trust.signers.iter().find(|s| s.kid == p.kid).ok_or(CodeError::UnknownSigner)?;
    if signer.alg != p.alg {
        return Err(CodeError::AlgorithmMismatch);
    }
    let algorithm = algorithm_of(p.alg).ok_or(CodeError::AlgorithmMismatch)?;
    let verifier = keys.verifier(algorithm, &signer.certificate).map_err(|_| CodeError::UnknownSigner)?;
    verifier.verify(&p.signed, &p.signature).map_err(|_| CodeError::Signature)?;
    let c = p.claims;
    let signer_until = keys.not_after(&signer.certificate).ok_or(CodeError::UnknownSigner)?;
    if c.issued > now + SKEW || c.expires <= c.issued || c.expires > signer_until {
        return Err(CodeError::Dates);
    }
    if now >= c.expires {
        return Err(CodeError::Expired);
    }
    let annulments_of = lists.annulments.issued;
    if lists.annulments.names(c.record_id) {
        return Ok(Verdict::Annulled { claims: c, annulments_of });
    }
    Ok(Verdict::Valid { claims: c, algorithm, annulments_of })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passport::code::encode;
    use crate::passport::lists::{SignerEntry, annulment_hash, fingerprint};
    use crate::passport::tests::{TestKeys, TestSigner, claims};
    use crate::signer::Signer;

    struct World {
        root_es: TestSigner,
        root_gost: TestSigner,
        dsc_es: TestSigner,
        dsc_gost: TestSigner,
    }

    fn world() -> World {
        World {
            root_es: TestSigner::root(Algorithm::EcdsaP256),
            root_gost: TestSigner::root(Algorithm::Gost2012_256),
            dsc_es: TestSigner::new(Algorithm::EcdsaP256),
            dsc_gost: TestSigner::new(Algorithm::Gost2012_256),
        }
    }

    fn entry(s: &TestSigner) -> SignerEntry {
        let cert = s.certificate().unwrap().to_vec();
        SignerEntry {
            kid: crate::passport::code::kid(&cert),
            alg: crate::passport::code::cose_alg(s.algorithm()).unwrap(),
            key: cert.clone(),
            certificate: cert,
        }
    }

    fn lists(w: &World, annulled: Vec<Vec<u8>>, now: OffsetDateTime) -> (Vec<u8>, Vec<u8>, Vec<String>) {
        let roots = vec![w.root_es.certificate().unwrap().to_vec(), w.root_gost.certificate().unwrap().to_vec()];
        let pins = roots.iter().map(|r| fingerprint(r)).collect();
        let trust = TrustList { issued: now, roots, signers: vec![entry(&w.dsc_es), entry(&w.dsc_gost)] };
        let signers: [&dyn Signer; 2] = [&w.root_es, &w.root_gost];
        let a = AnnulmentList { issued: now, annulled };
        (trust.sign(&signers).unwrap(), a.sign(&signers).unwrap(), pins)
    }

    #[test]
    fn a_code_is_valid_then_annulled_by_a_newer_list() {
        let w = world();
        let now = claims().issued + Duration::days(1);
        let (trust, annul, pins) = lists(&w, vec![], now);
        let l = Lists::open(&trust, &annul, &pins, &TestKeys, now).unwrap();
        for dsc in [&w.dsc_es, &w.dsc_gost] {
            let code = encode(&claims(), dsc).unwrap();
            let v = verify(&code, &l, &TestKeys, now).unwrap();
            assert!(matches!(v, Verdict::Valid { algorithm, .. } if algorithm == dsc.algorithm()), "{v:?}");
        }
        let (trust, annul, _) = lists(&w, vec![annulment_hash(claims().record_id)], now);
        let l = Lists::open(&trust, &annul, &pins, &TestKeys, now).unwrap();
        let code = encode(&claims(), &w.dsc_es).unwrap();
        assert_eq!(
            verify(&code, &l, &TestKeys, now).unwrap(),
            Verdict::Annulled { claims: claims(), annulments_of: now }
        );
    }

    #[test]
    fn a_code_from_elsewhere_broken_or_expired_is_refused() {
        let w = world();
        let now = claims().issued + Duration::days(1);
        let (trust, annul, pins) = lists(&w, vec![], now);
        let l = Lists::open(&trust, &annul, &pins, &TestKeys, now).unwrap();
        let stranger = TestSigner::new(Algorithm::EcdsaP256);
        let code = encode(&claims(), &stranger).unwrap();
        assert_eq!(verify(&code, &l, &TestKeys, now), Err(CodeError::UnknownSigner));
        // A forger who knows the kid but not the key.
        let forger = TestSigner::with_certificate(Algorithm::EcdsaP256, w.dsc_es.certificate().unwrap().to_vec(), 9);
        assert_eq!(verify(&encode(&claims(), &forger).unwrap(), &l, &TestKeys, now), Err(CodeError::Signature));
        let late = claims().expires + Duration::seconds(1);
        let code = encode(&claims(), &w.dsc_es).unwrap();
        assert_eq!(verify(&code, &l, &TestKeys, late), Err(CodeError::Expired));
        let early = claims().issued - Duration::hours(1);
        assert_eq!(verify(&code, &l, &TestKeys, early), Err(CodeError::Dates));
    }

    #[test]
    fn a_list_with_a_wrong_signature_or_unpinned_root_is_not_used() {
        let w = world();
        let now = claims().issued;
        let (trust, annul, pins) = lists(&w, vec![], now);
        let mut bad = trust.clone();
        let last = bad.len() - 3;
        bad[last] ^= 1;
        assert_eq!(Lists::open(&bad, &annul, &pins, &TestKeys, now).unwrap_err(), ListError::Signature);
        let other = vec!["00".repeat(32)];
        assert_eq!(Lists::open(&trust, &annul, &other, &TestKeys, now).unwrap_err(), ListError::Signature);
        assert_eq!(Lists::open(b"junk", &annul, &pins, &TestKeys, now).unwrap_err(), ListError::Malformed);
        // An annulment list signed by a stranger's root is not used either.
        let stranger = TestSigner::root(Algorithm::EcdsaP256);
        let fake = AnnulmentList { issued: now, annulled: vec![] }.sign(&[&stranger]).unwrap();
        assert_eq!(Lists::open(&trust, &fake, &pins, &TestKeys, now).unwrap_err(), ListError::Signature);
        // Swapping the lists' roles is refused by their kind.
        assert_eq!(Lists::open(&annul, &trust, &pins, &TestKeys, now).unwrap_err(), ListError::Malformed);
        // A signer the roots did not certify is dropped; a list left with none is refused.
        let roots = vec![w.root_es.certificate().unwrap().to_vec()];
        let rogue = TestSigner::unchained(Algorithm::EcdsaP256);
        let t = TrustList { issued: now, roots, signers: vec![entry(&rogue)] };
        let t = t.sign(&[&w.root_es]).unwrap();
        assert_eq!(TrustList::open(&t, &pins, &TestKeys, now).unwrap_err(), ListError::Chain);
    }
}
