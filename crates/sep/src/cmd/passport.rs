//! `sep passport …`: a verifier of e-passports that needs no network once it has the lists
//! (SPEC EP2). `fetch` downloads the signed trust list and annulment list from a portal into a
//! directory, pinning the roots it trusts; `verify` checks a code — its text, or a PNG with
//! the QR code — with only what that directory holds. Exit codes of `verify`: 0 valid,
//! 1 invalid or annulled, 2 the code or the lists could not be read.

use anyhow::{Context, bail};
use clap::Subcommand;
use sep_core::passport::lists::{TrustList, fingerprint};
use sep_core::passport::verify::{Lists, Verdict, verify};
use sep_crypto::passport::PassportKeys;
use std::io::Write;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

const TRUST: &str = "trust-list.cose";
const ANNULMENTS: &str = "annulments.cose";
const PINS: &str = "roots.sha256";

/// What to do.
#[derive(Debug, Subcommand)]
pub enum PassportCmd {
    /// Download the lists from a portal (`/.well-known/sep/…`) into `--lists`.
    Fetch {
        /// The portal's address, e.g. `https://sep.example.ru`.
        url: String,
        /// Where the lists are kept.
        #[arg(long, default_value = "./sep-passport-lists")]
        lists: PathBuf,
        /// The SHA-256 (hex) of a root to trust; repeat for both. Without it the first fetch
        /// pins the roots the list names (compare them with the ones the operator publishes)
        /// and later fetches keep those.
        #[arg(long = "pin")]
        pins: Vec<String>,
    },
    /// Check a code (its text `SEP1:…`, or a PNG file with the QR code) offline.
    Verify {
        /// The code, or the path of a PNG.
        code: String,
        /// Where the lists are kept.
        #[arg(long, default_value = "./sep-passport-lists")]
        lists: PathBuf,
    },
}

/// Runs `fetch`.
pub async fn fetch(url: &str, dir: &Path, pins: &[String]) -> anyhow::Result<()> {
    let base = url.trim_end_matches('/');
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(20)).build()?;
    let get = |name: &'static str| {
        let client = client.clone();
        let url = format!("{base}/.well-known/sep/{name}");
        async move {
            let r = client.get(&url).send().await.with_context(|| format!("{url}: не отвечает"))?;
            if !r.status().is_success() {
                bail!("{url}: ответ {}", r.status());
            }
            Ok::<_, anyhow::Error>(r.bytes().await?.to_vec())
        }
    };
    let (trust, annulments) = (get("trust-list").await?, get("annulments").await?);
    std::fs::create_dir_all(dir).with_context(|| format!("{}: каталог не создан", dir.display()))?;
    let pinned = if !pins.is_empty() {
        pins.iter().map(|p| p.trim().to_lowercase()).collect()
    } else if let Ok(text) = std::fs::read_to_string(dir.join(PINS)) {
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    } else {
        // Trust on first use: the roots the list names, printed for comparison.
        let roots = first_use_roots(&trust);
        if roots.is_empty() {
            bail!("список доверия не подписан ни одним из названных в нём корневых ключей");
        }
        let mut out = std::io::stdout().lock();
        writeln!(out, "Закреплены корневые сертификаты (сверьте с опубликованными оператором СЭП):")?;
        for r in &roots {
            writeln!(out, "  SHA-256 {r}")?;
        }
        roots
    };
    // Nothing is kept that would not be used.
    let lists = Lists::open(&trust, &annulments, &pinned, &PassportKeys, OffsetDateTime::now_utc())
        .map_err(|e| anyhow::anyhow!("{} ({})", e, e.code()))?;
    // An older list than the one kept could hide an annulment (a replayed list): refused.
    if let (Ok(t), Ok(a)) = (std::fs::read(dir.join(TRUST)), std::fs::read(dir.join(ANNULMENTS)))
        && let Ok(kept) = Lists::open(&t, &a, &pinned, &PassportKeys, OffsetDateTime::now_utc())
        && kept.annulments.issued > lists.annulments.issued
    {
        bail!(
            "полученный список аннулирования ({}) старше сохранённого ({}): он не принят",
            lists.annulments.issued,
            kept.annulments.issued
        );
    }
    std::fs::write(dir.join(TRUST), &trust)?;
    std::fs::write(dir.join(ANNULMENTS), &annulments)?;
    std::fs::write(dir.join(PINS), pinned.join("\n") + "\n")?;
    writeln!(
        std::io::stdout().lock(),
        "Списки сохранены в {}: ключей подписи {}, аннулировано {}, список аннулирования от {} (UTC)",
        dir.display(),
        lists.trust.signers.len(),
        lists.annulments.annulled.len(),
        lists.annulments.issued
    )?;
    Ok(())
}

/// The SHA-256 of every root a trust list names whose own signature on it holds.
fn first_use_roots(trust: &[u8]) -> Vec<String> {
    sep_core::passport::lists::roots_named(trust)
        .iter()
        .map(|r| fingerprint(r))
        .filter(|pin| {
            TrustList::open(trust, std::slice::from_ref(pin), &PassportKeys, OffsetDateTime::now_utc()).is_ok()
        })
        .collect()
}

/// The code in `arg`: the text itself, or what the QR code in the PNG file `arg` says.
fn code_of(arg: &str) -> anyhow::Result<String> {
    let path = Path::new(arg);
    if arg.starts_with("SEP1:") || !path.is_file() {
        return Ok(arg.trim().to_owned());
    }
    let file = std::fs::File::open(path).with_context(|| format!("{arg}: файл не читается"))?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().with_context(|| format!("{arg}: не PNG"))?;
    // A photo of a screen is a few megapixels; a header claiming more is refused before
    // anything is allocated for it.
    let (width, height) = (reader.info().width, reader.info().height);
    if u64::from(width) * u64::from(height) > 50_000_000 {
        bail!("{arg}: изображение {width}×{height} слишком велико для QR-кода");
    }
    let mut buf = vec![0; reader.output_buffer_size().context("слишком большое изображение")?];
    let info = reader.next_frame(&mut buf).with_context(|| format!("{arg}: изображение повреждено"))?;
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let luma = |x: usize, y: usize| -> u8 {
        let i = (y * w + x) * channels;
        match channels {
            1 | 2 => buf[i],
            _ => ((u16::from(buf[i]) + u16::from(buf[i + 1]) + u16::from(buf[i + 2])) / 3) as u8,
        }
    };
    // The decoder reads a picture from outside: a panic in it is a picture it cannot read.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, luma);
        let grids = img.detect_grids();
        grids.first().map(|g| g.decode().map(|(_, text)| text).map_err(|e| e.to_string()))
    }));
    match decoded {
        Ok(Some(Ok(text))) => Ok(text),
        Ok(Some(Err(e))) => bail!("{arg}: QR-код не читается: {e}"),
        Ok(None) => bail!("{arg}: QR-код не найден"),
        Err(_) => bail!("{arg}: QR-код не читается"),
    }
}

/// Runs `verify`: whether the code is valid.
pub fn verify_code(arg: &str, dir: &Path) -> anyhow::Result<bool> {
    let code = code_of(arg)?;
    let read = |name: &str| {
        std::fs::read(dir.join(name)).with_context(|| {
            format!(
                "{}: нет списков (сначала: sep passport fetch АДРЕС_ПОРТАЛА --lists {})",
                dir.join(name).display(),
                dir.display()
            )
        })
    };
    let (trust, annulments) = (read(TRUST)?, read(ANNULMENTS)?);
    let pins: Vec<String> =
        String::from_utf8(read(PINS)?)?.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    let now = OffsetDateTime::now_utc();
    let lists = Lists::open(&trust, &annulments, &pins, &PassportKeys, now)
        .map_err(|e| anyhow::anyhow!("списки не используются ({}): {e}", e.code()))?;
    let mut out = std::io::stdout().lock();
    if now - lists.annulments.issued > time::Duration::days(1) {
        writeln!(
            out,
            "Внимание: список аннулирования от {} (UTC) старше суток — обновите его: sep passport fetch",
            lists.annulments.issued
        )?;
    }
    let verdict = match verify(&code, &lists, &PassportKeys, now) {
        Ok(v) => v,
        Err(e) => {
            writeln!(out, "Недействителен ({}): {e}", e.code())?;
            return Ok(false);
        }
    };
    let (claims, valid) = match &verdict {
        Verdict::Valid { claims, algorithm, annulments_of } => {
            writeln!(out, "Действителен (passport_valid): подпись {}", algorithm.name())?;
            writeln!(out, "Проверено по списку аннулирования от {annulments_of} (UTC)")?;
            (claims, true)
        }
        Verdict::Annulled { claims, annulments_of } => {
            writeln!(out, "Аннулирован по списку от {annulments_of} (UTC) (passport_annulled)")?;
            (claims, false)
        }
    };
    writeln!(out, "Номер: {}", claims.number)?;
    writeln!(out, "ФИО: {} {}", claims.last_name, claims.given_names)?;
    writeln!(out, "Дата рождения: {}", sep_core::passport::iso_date(claims.birth_date))?;
    writeln!(
        out,
        "Гражданство: {}; выдал {}",
        claims.citizenship,
        sep_core::passport::code::issuer_name(&claims.issuer)
    )?;
    writeln!(out, "Действителен до: {} (UTC)", claims.expires)?;
    Ok(valid)
}
