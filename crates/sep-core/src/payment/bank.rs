//! Where a refund goes: a bank's БИК and a 20-digit account, checked by the Bank of Russia's
//! control key (the account's ninth digit makes the weighted sum over the БИК's last three
//! digits and the account, weights 7, 1, 3 repeated, end in 0 — the rule of the Bank of
//! Russia's letter of 8 September 1997 № 515). A typo in either is refused before any money
//! moves.

/// A bank identification code: 9 digits, starting with «04» (Russia).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bic(String);

/// A bank account number (20 digits) that passed its control key with its БИК.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccount {
    /// The bank.
    pub bic: Bic,
    /// The account, 20 digits.
    pub number: String,
}

/// Why bank details were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BankError {
    /// Not 9 digits starting with 04.
    #[error("БИК — это 9 цифр, начинается с 04.")]
    BicInvalid,
    /// Not 20 digits.
    #[error("Номер счёта — это 20 цифр.")]
    AccountFormat,
    /// The control key does not match the БИК.
    #[error("Номер счёта не сходится с БИК по контрольному ключу: проверьте обе цифры.")]
    AccountKey,
}

impl BankError {
    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::BicInvalid => "bic_invalid",
            Self::AccountFormat => "account_invalid_format",
            Self::AccountKey => "account_key_mismatch",
        }
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '-').collect()
}

impl Bic {
    /// Parses a БИК (spaces allowed).
    pub fn parse(s: &str) -> Result<Self, BankError> {
        let d = digits(s);
        if d.len() == 9 && d.bytes().all(|b| b.is_ascii_digit()) && d.starts_with("04") {
            Ok(Self(d))
        } else {
            Err(BankError::BicInvalid)
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The three digits the control key is counted over: the БИК's last three, or, for a
    /// settlement centre of the Bank of Russia (ending in 000), «0» and its fifth and sixth.
    fn key_prefix(&self) -> String {
        if self.0.ends_with("000") { format!("0{}", &self.0[4..6]) } else { self.0[6..9].to_owned() }
    }
}

/// The weighted sum's last digit for `prefix` (3 digits) and `account` (20 digits).
fn key_sum(prefix: &str, account: &str) -> u32 {
    const WEIGHTS: [u32; 3] = [7, 1, 3];
    prefix
        .bytes()
        .chain(account.bytes())
        .enumerate()
        .map(|(i, b)| (u32::from(b - b'0') * WEIGHTS[i % 3]) % 10)
        .sum::<u32>()
        % 10
}

impl BankAccount {
    /// Parses an account with its bank's БИК, checking the control key.
    pub fn parse(bic: &str, account: &str) -> Result<Self, BankError> {
        let bic = Bic::parse(bic)?;
        let number = digits(account);
        if number.len() != 20 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BankError::AccountFormat);
        }
        if key_sum(&bic.key_prefix(), &number) != 0 {
            return Err(BankError::AccountKey);
        }
        Ok(Self { bic, number })
    }

    /// «•••• 1234»: how the account is shown once given.
    pub fn masked(&self) -> String {
        super::account::masked(&self.number)
    }

    /// The account with its control key (the ninth digit) put right, for test and demo data.
    pub fn with_key(bic: &str, account: &str) -> Option<String> {
        let bic = Bic::parse(bic).ok()?;
        let mut n: Vec<u8> = digits(account).into_bytes();
        if n.len() != 20 {
            return None;
        }
        for k in b'0'..=b'9' {
            n[8] = k;
            let s = String::from_utf8(n.clone()).ok()?;
            if key_sum(&bic.key_prefix(), &s) == 0 {
                return Some(s);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worked_example_and_its_typos() {
        // Worked by hand: БИК 044525225 → prefix 225; account 40817810?38160925982. The
        // weighted digits' last digits without the key sum to 93, the key's weight (the 12th
        // place) is 3: key 9 adds 7 (27) and makes 100.
        let ok = BankAccount::parse("044525225", "40817810938160925982").unwrap();
        assert_eq!(ok.masked(), "•••• 5982");
        assert_eq!(BankAccount::parse("044525225", "40817810238160925982"), Err(BankError::AccountKey));
        assert_eq!(BankAccount::parse("044525226", "40817810938160925982"), Err(BankError::AccountKey));
        assert_eq!(BankAccount::parse("044525225", "4081781013816092598"), Err(BankError::AccountFormat));
        assert_eq!(BankAccount::parse("144525225", "40817810938160925982"), Err(BankError::BicInvalid));
        assert_eq!(BankAccount::parse("0445 25 225", "408 178 109 381 609 259 82").map(|a| a.number.len()), Ok(20));
        assert_eq!(BankAccount::with_key("044525225", "40817810038160925982").as_deref(), Some("40817810938160925982"));
    }

    #[test]
    fn a_settlement_centre_counts_over_its_fifth_and_sixth_digits() {
        let bic = Bic::parse("044525000").unwrap();
        assert_eq!(bic.key_prefix(), "025");
        let acc = BankAccount::with_key("044525000", "30101810000000000000").unwrap();
        assert!(BankAccount::parse("044525000", &acc).is_ok());
    }

    proptest::proptest! {
        /// Any account given its key passes, and changing any one digit of it is caught.
        #[test]
        fn one_wrong_digit_is_always_caught(body in "[0-9]{20}", place in 0usize..20, delta in 1u8..10) {
            let acc = BankAccount::with_key("044525225", &body).unwrap();
            proptest::prop_assert!(BankAccount::parse("044525225", &acc).is_ok());
            let mut typo = acc.into_bytes();
            typo[place] = b'0' + (typo[place] - b'0' + delta) % 10;
            let typo = String::from_utf8(typo).unwrap();
            // Weights 7, 1, 3 are coprime with 10: a single changed digit always changes the sum.
            proptest::prop_assert_eq!(BankAccount::parse("044525225", &typo), Err(BankError::AccountKey));
        }
    }
}
