//! The ГОСТ Р 56042-2014 payment QR: `ST00012|Name=…|PersonalAcc=…|BankName=…|BIC=…|
//! CorrespAcc=…|Sum=…|Purpose=…|PayeeINN=…|KPP=…|CBC=…|OKTMO=…|UIN=…` in UTF-8. The required
//! fields come first and in the standard's order, which every bank app reads; a value loses
//! any `|` (the separator) and is cut to the standard's length. The payer is not in it: the bank
//! app fills the payer from its own account, and the code is shown without login by УИН.

use super::charge::Charge;
use crate::money::Kopecks;

fn clean(value: &str, max: usize) -> String {
    value.chars().filter(|c| *c != '|' && !c.is_control()).take(max).collect()
}

/// The payment string of `charge` for `sum` (what is due now).
pub fn payment_string(charge: &Charge, sum: Kopecks) -> String {
    let p = &charge.payee;
    let fields = [
        ("Name", clean(&p.name, 160)),
        ("PersonalAcc", clean(&p.account, 20)),
        ("BankName", clean(&p.bank, 45)),
        ("BIC", clean(&p.bic, 9)),
        ("CorrespAcc", clean(&p.corr_account, 20)),
        ("Sum", sum.0.max(0).to_string()),
        ("Purpose", clean(&charge.purpose, 210)),
        ("PayeeINN", clean(&p.inn, 12)),
        ("KPP", clean(&p.kpp, 9)),
        ("CBC", clean(&charge.kbk, 20)),
        ("OKTMO", clean(&charge.oktmo, 11)),
        ("UIN", charge.uin.as_str().to_owned()),
        // ГОСТ Р 56042-2014: 02 housing and utilities; 03 ГИБДД, taxes, fees, budget payments.
        ("TechCode", if charge.kind == super::ChargeKind::Utility { "02" } else { "03" }.to_owned()),
    ];
    let mut out = String::from("ST00012");
    for (k, v) in fields {
        if !v.is_empty() {
            out.push('|');
            out.push_str(k);
            out.push('=');
            out.push_str(&v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_fields_first_in_order_and_values_cleaned() {
        let mut c = super::super::charge::tests::fine();
        c.purpose = "Штраф | по постановлению".into();
        let s = payment_string(&c, Kopecks(25_000));
        assert!(s.starts_with("ST00012|Name=УФК по г. Москве (ГУ МВД России по г. Москве)|PersonalAcc=03100643000000017300|BankName=ГУ Банка России по ЦФО//УФК по г. Москве|BIC=004525988|CorrespAcc=40102810545370000003|Sum=25000|"), "{s}");
        assert!(s.contains("|Purpose=Штраф  по постановлению|"), "the separator is removed: {s}");
        assert!(s.contains(&format!("|UIN={}|", c.uin)), "{s}");
        let pairs: Vec<&str> = s.split('|').skip(1).collect();
        assert!(pairs.iter().all(|p| p.contains('=')), "every part is a pair");
        assert_eq!(s.chars().filter(|c| *c == '|').count(), 13);
        assert!(!s.contains(&c.payer_inn), "nothing about the payer");
    }
}
