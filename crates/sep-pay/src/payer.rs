//! The payer's side: the card page with the test cards, 3-D Secure with its code in the outbox,
//! СБП (an НСПК link and a bank-app stand-in), an e-wallet, and the outbox itself.

use super::*;

#[derive(Template)]
#[template(path = "card.html")]
pub(crate) struct CardPage {
    id: String,
    description: String,
    amount: String,
    return_url: String,
    number: String,
    expiry: String,
    holder: String,
    /// Message, code, field.
    error: Option<(String, &'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    title: String,
    text: String,
    code: String,
    return_url: String,
}

pub(crate) fn message(title: &str, text: &str, code: &str, return_url: &str, status: StatusCode) -> Response {
    let page =
        page(&MessagePage { title: title.into(), text: text.into(), code: code.into(), return_url: return_url.into() });
    (status, page).into_response()
}

pub(crate) fn unknown() -> Response {
    message("Платёж не найден", "Ссылка на оплату устарела или неверна.", "not_found", "", StatusCode::NOT_FOUND)
}

/// `GET /pay/{id}`.
pub(crate) async fn card_page(State(s): State<PayState>, Path(id): Path<String>) -> Response {
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    let api = current(p, OffsetDateTime::now_utc());
    if api.status != "created" {
        return message(
            "Платёж уже обработан",
            &format!("Статус: {}.", api.status),
            "",
            &p.new.return_url,
            StatusCode::OK,
        );
    }
    match p.new.method.as_str() {
        "sbp" => page(&SbpPage {
            id: id.clone(),
            description: p.new.description.clone(),
            amount: rubles(p.new.amount),
            link: nspk_link(&id, p.new.amount),
            return_url: p.new.return_url.clone(),
        }),
        "wallet" => page(&WalletPage {
            id,
            description: p.new.description.clone(),
            amount: rubles(p.new.amount),
            return_url: p.new.return_url.clone(),
            error: None,
        }),
        _ => page(&CardPage {
            id,
            description: p.new.description.clone(),
            amount: rubles(p.new.amount),
            return_url: p.new.return_url.clone(),
            number: String::new(),
            expiry: String::new(),
            holder: String::new(),
            error: None,
        }),
    }
}

/// An НСПК payment link of the dynamic kind (`type=02`, with the sum), as a bank app reads it
/// from a QR code; `crc` is opaque here (its algorithm is not public).
pub fn nspk_link(id: &str, amount: i64) -> String {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(id.as_bytes());
    let code: String = digest
        .iter()
        .take(32)
        .map(|b| char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[usize::from(*b) % 36]))
        .collect();
    format!(
        "https://qr.nspk.ru/{code}?type=02&bank=100000000111&sum={amount}&cur=RUB&crc={}",
        hex::encode_upper(&digest[..2])
    )
}

#[derive(Template)]
#[template(path = "sbp.html")]
pub(crate) struct SbpPage {
    id: String,
    description: String,
    amount: String,
    link: String,
    return_url: String,
}

/// `POST /pay/{id}/sbp`: the bank app (this page stands in for it) confirms the payment.
pub(crate) async fn sbp_confirm(State(s): State<PayState>, Path(id): Path<String>) -> Response {
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    let return_url = p.new.return_url.clone();
    if p.new.method != "sbp" || current(p, OffsetDateTime::now_utc()).status != "created" {
        return Redirect::to(&return_url).into_response();
    }
    p.api.card = Some("СБП".into());
    finish(&s, p, "succeeded", None);
    Redirect::to(&return_url).into_response()
}

#[derive(Template)]
#[template(path = "wallet.html")]
pub(crate) struct WalletPage {
    id: String,
    description: String,
    amount: String,
    return_url: String,
    error: Option<(String, &'static str)>,
}

#[derive(Deserialize)]
pub(crate) struct WalletForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

/// The e-wallet's test password (any login).
pub const WALLET_PASSWORD: &str = "Demo-Wallet1";

/// `POST /pay/{id}/wallet`: the wallet's login; then a confirmation code, as for 3-D Secure.
pub(crate) async fn wallet_login(
    State(s): State<PayState>,
    Path(id): Path<String>,
    Form(f): Form<WalletForm>,
) -> Response {
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    if p.new.method != "wallet" || current(p, OffsetDateTime::now_utc()).status != "created" {
        return Redirect::to(&p.new.return_url).into_response();
    }
    if f.login.trim().is_empty() || !sep_core::ids::ct_eq(f.password.as_bytes(), WALLET_PASSWORD.as_bytes()) {
        let page = page(&WalletPage {
            id,
            description: p.new.description.clone(),
            amount: rubles(p.new.amount),
            return_url: p.new.return_url.clone(),
            error: Some(("Неверный логин или пароль кошелька.".into(), "wallet_login_failed")),
        });
        return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
    }
    let code = random_digits(6);
    let text = format!("Код {code} — подтверждение платежа {} из кошелька", rubles(p.new.amount));
    p.code = Some((code, 3));
    p.api.status = "pending".into();
    p.api.card = Some(format!(
        "Кошелёк {}",
        f.login
            .chars()
            .filter(char::is_ascii_digit)
            .rev()
            .take(4)
            .collect::<String>()
            .chars()
            .rev()
            .collect::<String>()
    ));
    inner.outbox.push(text);
    Redirect::to(&format!("/pay/{id}/3ds")).into_response()
}

#[derive(Deserialize)]
pub(crate) struct CardForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    cvc: String,
    #[serde(default)]
    holder: String,
    /// «Сохранить карту»: keep it for the payer's next payments.
    #[serde(default)]
    save: Option<String>,
}

/// Whether the digits pass the Luhn check.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(d) = c.to_digit(10) else { return false };
        let d = if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d };
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

pub(crate) fn masked(digits: &str) -> String {
    let (first, last) = (digits.get(..6).unwrap_or(""), digits.get(digits.len().saturating_sub(4)..).unwrap_or(""));
    format!("{} {}•• •••• {last}", first.get(..4).unwrap_or(""), first.get(4..).unwrap_or(""))
}

/// `POST /pay/{id}`: the card.
pub(crate) async fn card_submit(
    State(s): State<PayState>,
    Path(id): Path<String>,
    Form(f): Form<CardForm>,
) -> Response {
    let now = OffsetDateTime::now_utc();
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    // Only a card payment takes a card: a wallet or СБП payment has its own confirmation.
    if current(p, now).status != "created" || !matches!(p.new.method.as_str(), "" | "card") {
        return Redirect::to(&p.new.return_url).into_response();
    }
    let digits: String = f.number.chars().filter(char::is_ascii_digit).collect();
    let parts: Vec<&str> = f.expiry.split('/').collect();
    let expiry: Vec<u32> =
        if parts.len() == 2 { parts.iter().filter_map(|x| x.trim().parse().ok()).collect() } else { vec![] };
    let this_month = now.year() % 100 * 100 + i32::from(u8::from(now.month()));
    let refused = match expiry.as_slice() {
        _ if !(16..=19).contains(&digits.len()) || !luhn(&digits) => {
            Some(("Номер карты указан неверно: проверьте цифры.", "card_invalid", "number"))
        }
        [m, y] if (1..=12).contains(m) && *y < 100 => {
            let until = i32::try_from(y * 100 + m).unwrap_or(0);
            (until < this_month).then_some(("Срок действия карты истёк.", "card_expired", "expiry"))
        }
        _ => Some(("Укажите срок действия в виде ММ/ГГ.", "card_expiry_invalid", "expiry")),
    };
    let refused = refused.or_else(|| {
        (f.cvc.len() != 3 || !f.cvc.bytes().all(|b| b.is_ascii_digit())).then_some((
            "CVC — три цифры с обратной стороны карты.",
            "card_cvc_invalid",
            "cvc",
        ))
    });
    if let Some((text, code, field)) = refused {
        let page = page(&CardPage {
            id,
            description: p.new.description.clone(),
            amount: rubles(p.new.amount),
            return_url: p.new.return_url.clone(),
            number: f.number.chars().take(30).collect(),
            expiry: f.expiry.chars().take(10).collect(),
            holder: f.holder.chars().take(60).collect(),
            error: Some((text.into(), code, field)),
        });
        return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
    }
    p.api.card = Some(masked(&digits));
    if f.save.is_some() {
        // The portal gets a token and the masked number; the number stays with the bank.
        let token = format!("card_{}", uuid::Uuid::new_v4().simple());
        p.api.card_token = Some(token.clone());
        p.api.card_expiry = Some(f.expiry.trim().to_owned());
        inner.cards.insert(token, digits.clone());
    }
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    let return_url = p.new.return_url.clone();
    match digits.as_str() {
        "2200000000000012" => {
            // A declined card is not kept.
            if let Some(token) = p.api.card_token.take() {
                p.api.card_expiry = None;
                inner.cards.remove(&token);
            }
            let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
            finish(&s, p, "failed", Some(("P0010", "Недостаточно средств")));
            Redirect::to(&return_url).into_response()
        }
        "2200000000000020" => {
            let code = random_digits(6);
            let text = format!("Код {code} — подтверждение платежа {} в СЭП", rubles(p.new.amount));
            p.code = Some((code, 3));
            p.api.status = "pending".into();
            inner.outbox.push(text);
            Redirect::to(&format!("/pay/{id}/3ds")).into_response()
        }
        "2200000000000038" => {
            // The bank never answers: the payment stays pending until it expires.
            p.api.status = "pending".into();
            message(
                "Банк не ответил",
                "Результат платежа пока неизвестен. СЭП сообщит, когда он станет известен; повторно не оплачивайте.",
                "",
                &return_url,
                StatusCode::ACCEPTED,
            )
        }
        _ => {
            // No 3-D Secure: the money is held; the portal confirms the payer and captures.
            p.api.status = WAITING.into();
            Redirect::to(&return_url).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "threeds.html")]
pub(crate) struct ThreeDsPage {
    id: String,
    amount: String,
    error: Option<(String, &'static str)>,
}

/// `GET /pay/{id}/3ds`.
pub(crate) async fn threeds_page(State(s): State<PayState>, Path(id): Path<String>) -> Response {
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    if p.code.is_none() || current(p, OffsetDateTime::now_utc()).status != "pending" {
        return Redirect::to(&p.new.return_url).into_response();
    }
    page(&ThreeDsPage { id, amount: rubles(p.new.amount), error: None })
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /pay/{id}/3ds`: three tries.
pub(crate) async fn threeds_submit(
    State(s): State<PayState>,
    Path(id): Path<String>,
    Form(f): Form<CodeForm>,
) -> Response {
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else { return unknown() };
    let return_url = p.new.return_url.clone();
    // A code entered after the payment expired confirms nothing.
    if current(p, OffsetDateTime::now_utc()).status != "pending" {
        p.code = None;
        return Redirect::to(&return_url).into_response();
    }
    let Some((code, left)) = p.code.clone() else { return Redirect::to(&return_url).into_response() };
    if sep_core::ids::ct_eq(f.code.trim().as_bytes(), code.as_bytes()) {
        p.code = None;
        finish(&s, p, "succeeded", None);
        return Redirect::to(&return_url).into_response();
    }
    if left <= 1 {
        p.code = None;
        finish(&s, p, "failed", Some(("P0010", "Неверный код подтверждения")));
        return Redirect::to(&return_url).into_response();
    }
    p.code = Some((code, left - 1));
    let page = page(&ThreeDsPage {
        id,
        amount: rubles(p.new.amount),
        error: Some((format!("Неверный код. Осталось попыток: {}.", left - 1), "threeds_code_wrong")),
    });
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

#[derive(Template)]
#[template(path = "outbox.html")]
pub(crate) struct OutboxPage {
    messages: Vec<String>,
}

/// `GET /outbox`: the 3-D Secure codes "sent", newest first.
pub(crate) async fn outbox(State(s): State<PayState>) -> Response {
    let messages = s.lock().outbox.iter().rev().take(50).cloned().collect();
    page(&OutboxPage { messages })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_cards_pass_luhn_and_a_changed_digit_does_not() {
        for c in ["2200000000000004", "2200000000000012", "2200000000000020", "2200000000000038"] {
            assert!(luhn(c), "{c}");
        }
        assert!(!luhn("2200000000000005"));
        assert!(!luhn(""));
        assert_eq!(masked("2200000000000004"), "2200 00•• •••• 0004");
    }
}
