//! A person's settings (SPEC C3, N2): which notifications reach them by which channel, the
//! importance below which e-mail and SMS stay quiet, and the accessibility of the interface.
//! Notices the law requires cannot be switched off: a decision on an application always
//! reaches the cabinet, and a confirmation code always goes where it was asked for.

use serde::{Deserialize, Serialize};

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Status changes of applications.
    Status,
    /// Reminders of deadlines.
    Reminder,
    /// News of services and rules.
    News,
    /// Confirmations (codes, signing, payment).
    Confirmation,
    /// New mail in «Электронный ящик».
    Mail,
}

/// Where a notification goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The cabinet's notification list.
    Cabinet,
    /// E-mail.
    Email,
    /// SMS.
    Sms,
}

/// How much a notification matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Importance {
    /// For information.
    Normal,
    /// A result: approved, completed.
    Important,
    /// The person has to act: rejected, data requested.
    Critical,
}

impl Kind {
    /// Every kind, in the order the settings page shows them.
    pub const ALL: [Kind; 5] = [Self::Status, Self::Mail, Self::Reminder, Self::News, Self::Confirmation];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Reminder => "reminder",
            Self::News => "news",
            Self::Confirmation => "confirmation",
            Self::Mail => "mail",
        }
    }

    /// Russian name.
    pub fn title(self) -> &'static str {
        match self {
            Self::Status => "Изменения статусов заявлений",
            Self::Reminder => "Напоминания о сроках",
            Self::News => "Новости услуг и изменения правил",
            Self::Confirmation => "Подтверждения (коды, подписание, оплата)",
            Self::Mail => "Новые сообщения в электронном ящике",
        }
    }
}

impl Channel {
    /// Every channel, in the order the settings page shows them.
    pub const ALL: [Channel; 3] = [Self::Cabinet, Self::Email, Self::Sms];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Cabinet => "cabinet",
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }

    /// Russian name.
    pub fn title(self) -> &'static str {
        match self {
            Self::Cabinet => "В личном кабинете",
            Self::Email => "Электронная почта",
            Self::Sms => "SMS",
        }
    }
}

impl Importance {
    /// Every level, lowest first.
    pub const ALL: [Importance; 3] = [Self::Normal, Self::Important, Self::Critical];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Important => "important",
            Self::Critical => "critical",
        }
    }

    /// Russian name of the threshold.
    pub fn title(self) -> &'static str {
        match self {
            Self::Normal => "Все уведомления",
            Self::Important => "Только результаты и то, что требует действий",
            Self::Critical => "Только то, что требует действий",
        }
    }

    /// From the code.
    pub fn from_code(c: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.code() == c)
    }
}

/// Whether the law requires this kind by this channel, so it cannot be switched off.
pub fn mandatory(kind: Kind, channel: Channel) -> bool {
    matches!((kind, channel), (Kind::Status, Channel::Cabinet) | (Kind::Confirmation, Channel::Sms | Channel::Email))
}

/// A person's settings; the defaults are what a new user gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The channels switched off, per kind (everything else is on).
    pub off: Vec<(Kind, Channel)>,
    /// E-mail and SMS only for notifications at least this important (the cabinet gets all).
    pub threshold: Importance,
    /// High-contrast theme.
    pub high_contrast: bool,
    /// Large font.
    pub large_font: bool,
    /// Interface language: `ru` or `en`.
    pub language: String,
    /// «Защита входа» (seed 004): the e-passport opens only after a login with a second
    /// factor in the last [`FRESH_LOGIN`].
    #[serde(default)]
    pub login_protection: bool,
}

/// How recent a login «Защита входа» asks for.
pub const FRESH_LOGIN: time::Duration = time::Duration::minutes(15);

impl Default for Settings {
    fn default() -> Self {
        // News and every new letter by SMS are noise for most people: off until asked for.
        Self {
            off: vec![(Kind::News, Channel::Sms), (Kind::Mail, Channel::Sms)],
            threshold: Importance::Normal,
            high_contrast: false,
            large_font: false,
            language: "ru".into(),
            login_protection: false,
        }
    }
}

impl Settings {
    /// The settings a settings form sends (`field`, `value` pairs: `on` repeated with
    /// `kind:channel` for each ticked box, `threshold`, `high_contrast`, `large_font`,
    /// `language`). A box not sent is a box unticked — mandatory ones stay on whatever is
    /// sent; an unknown threshold keeps `current`'s.
    pub fn from_form(pairs: &[(String, String)], current: &Settings) -> Self {
        let value = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let mut settings = Settings {
            threshold: value("threshold").and_then(Importance::from_code).unwrap_or(current.threshold),
            high_contrast: value("high_contrast").is_some(),
            large_font: value("large_font").is_some(),
            language: if value("language") == Some("en") { "en".into() } else { "ru".into() },
            // Switched on and off by its own form (switching off asks for a fresh login).
            login_protection: current.login_protection,
            ..Settings::default()
        };
        for k in Kind::ALL {
            for c in Channel::ALL {
                let name = format!("{}:{}", k.code(), c.code());
                settings.set(k, c, pairs.iter().any(|(n, v)| n == "on" && *v == name));
            }
        }
        settings
    }
    /// Whether a notification of `kind` and `importance` goes out by `channel`.
    pub fn allows(&self, kind: Kind, channel: Channel, importance: Importance) -> bool {
        if mandatory(kind, channel) {
            return true;
        }
        if self.off.contains(&(kind, channel)) {
            return false;
        }
        channel == Channel::Cabinet || importance >= self.threshold
    }

    /// Switches a channel of a kind on or off; a mandatory one stays on.
    pub fn set(&mut self, kind: Kind, channel: Channel, on: bool) {
        self.off.retain(|x| *x != (kind, channel));
        if !on && !mandatory(kind, channel) {
            self.off.push((kind, channel));
            self.off.sort();
        }
    }

    /// Whether the person reads the interface in English.
    pub fn english(&self) -> bool {
        self.language == "en"
    }

    /// From the stored JSON; anything unreadable falls back to the defaults.
    pub fn from_json(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }

    /// As stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_gives_the_settings_it_shows() {
        let current = Settings { threshold: Importance::Critical, ..Settings::default() };
        let form = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        let s =
            Settings::from_form(&form(&[("threshold", "bogus"), ("large_font", "on"), ("language", "en")]), &current);
        assert_eq!(s.threshold, Importance::Critical, "an unknown threshold keeps the current one");
        assert!(s.large_font && !s.high_contrast && s.english());
        for k in Kind::ALL {
            for c in Channel::ALL {
                assert_eq!(
                    s.allows(k, c, Importance::Critical),
                    mandatory(k, c),
                    "unticked, but mandatory stays on: {k:?} {c:?}"
                );
            }
        }
        let (k, c) = (Kind::ALL[0], Channel::ALL[0]);
        let on = format!("{}:{}", k.code(), c.code());
        let s = Settings::from_form(&form(&[("on", on.as_str())]), &current);
        assert!(s.allows(k, c, Importance::Critical));
    }

    #[test]
    fn mandatory_notices_cannot_be_switched_off() {
        let mut s = Settings::default();
        s.set(Kind::Status, Channel::Cabinet, false);
        s.set(Kind::Confirmation, Channel::Sms, false);
        assert!(s.allows(Kind::Status, Channel::Cabinet, Importance::Normal));
        assert!(s.allows(Kind::Confirmation, Channel::Sms, Importance::Normal));
        assert!(!s.off.iter().any(|(k, c)| mandatory(*k, *c)));
    }

    #[test]
    fn the_threshold_quiets_email_and_sms_not_the_cabinet() {
        let mut s = Settings { threshold: Importance::Critical, ..Settings::default() };
        assert!(!s.allows(Kind::Status, Channel::Email, Importance::Important));
        assert!(s.allows(Kind::Status, Channel::Email, Importance::Critical));
        assert!(s.allows(Kind::Status, Channel::Cabinet, Importance::Normal));
        s.set(Kind::Status, Channel::Email, false);
        assert!(!s.allows(Kind::Status, Channel::Email, Importance::Critical), "off is off");
        assert!(!Settings::default().allows(Kind::News, Channel::Sms, Importance::Critical), "news by SMS is opt-in");
    }

    #[test]
    fn stored_settings_round_trip_and_garbage_falls_back() {
        let mut s = Settings { high_contrast: true, ..Settings::default() };
        s.set(Kind::Reminder, Channel::Email, false);
        assert_eq!(Settings::from_json(&s.to_json()), s);
        assert_eq!(Settings::from_json("not json"), Settings::default());
        assert_eq!(Settings::from_json("{}"), Settings::default());
    }
}
