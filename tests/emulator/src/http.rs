//! Small helpers shared by both emulated services: JSON answers, query strings,
//! percent-decoding, pagination tokens, ids and UTC time.

use std::time::{SystemTime, UNIX_EPOCH};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::Value;

/// Body type of every answer the emulator produces.
pub(crate) type Body = Full<Bytes>;
/// An answer the emulator produces.
pub(crate) type HttpResponse = Response<Body>;

/// Content type of Audit Manager (rest-json) answers.
pub(crate) const REST_JSON: &str = "application/json";
/// Content type of AWS Config (JSON 1.1) answers.
pub(crate) const AMZ_JSON_1_1: &str = "application/x-amz-json-1.1";

/// A JSON answer with the given status and content type.
pub(crate) fn json(status: StatusCode, content_type: &'static str, value: &Value) -> HttpResponse {
    let bytes = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = Response::new(Full::new(Bytes::from(bytes)));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// Decodes `%XX` escapes. `+` stays a plus (AWS SDKs escape spaces as `%20`).
/// `None` when an escape is malformed or the result is not UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex_value(*bytes.get(i + 1)?)?;
            let lo = hex_value(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A decoded query string; the first occurrence of a key wins.
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// Parses `a=1&b=x%20y`. `None` when an escape is malformed.
    pub(crate) fn parse(raw: Option<&str>) -> Option<Self> {
        let mut pairs = Vec::new();
        for piece in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            pairs.push((percent_decode(k)?, percent_decode(v)?));
        }
        Some(Self(pairs))
    }

    /// The value of `key`, if present.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// True for `^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$`.
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => matches!(c, b'0'..=b'9' | b'a'..=b'f'),
        })
}

/// An opaque pagination token for the item offset `offset`.
pub(crate) fn encode_token(offset: usize) -> String {
    format!("emu1:{offset}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reverses [`encode_token`]; `None` for anything the emulator did not hand out.
pub(crate) fn decode_token(token: &str) -> Option<usize> {
    if !token.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = token
        .as_bytes()
        .chunks(2)
        .map(|pair| Some(hex_value(pair[0])? << 4 | hex_value(pair[1])?))
        .collect();
    String::from_utf8(bytes?)
        .ok()?
        .strip_prefix("emu1:")?
        .parse()
        .ok()
}

/// One page of `len` items starting at `offset`: the index range and the next token.
pub(crate) fn page(
    len: usize,
    offset: usize,
    max: usize,
) -> (std::ops::Range<usize>, Option<String>) {
    let start = offset.min(len);
    let end = start.saturating_add(max).min(len);
    let next = (end < len).then(|| encode_token(end));
    (start..end, next)
}

/// Now as epoch seconds (millisecond precision), shifted by `offset_secs`.
pub(crate) fn epoch_now(offset_secs: i64) -> f64 {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let millis = i64::try_from(millis).unwrap_or(i64::MAX);
    (millis.saturating_add(offset_secs.saturating_mul(1000))) as f64 / 1000.0
}

/// The UTC day of an epoch-seconds instant: its day number and `YYYY-MM-DD`.
pub(crate) fn utc_day(epoch_secs: f64) -> (i64, String) {
    let days = (epoch_secs / 86_400.0).floor() as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (days, format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_handles_spaces_and_rejects_bad_escapes() {
        assert_eq!(
            percent_decode("Data%20Set+1").as_deref(),
            Some("Data Set+1")
        );
        assert_eq!(percent_decode("%e2%9c%93").as_deref(), Some("✓"));
        assert_eq!(percent_decode("bad%2"), None);
        assert_eq!(percent_decode("bad%zz"), None);
    }

    #[test]
    fn tokens_round_trip_and_foreign_tokens_are_rejected() {
        assert_eq!(decode_token(&encode_token(1234)), Some(1234));
        assert_eq!(decode_token("abc"), None);
        assert_eq!(decode_token("6162"), None);
    }

    #[test]
    fn utc_day_formats_calendar_dates() {
        assert_eq!(utc_day(0.0).1, "1970-01-01");
        assert_eq!(utc_day(1_767_225_599.9).1, "2025-12-31");
        assert_eq!(utc_day(1_767_225_600.0).1, "2026-01-01");
        assert_eq!(utc_day(951_782_400.0).1, "2000-02-29");
    }

    #[test]
    fn uuid_check_requires_lower_case_hex() {
        assert!(is_uuid("9f1c7c55-3b2a-4c1e-9d7e-5a0b6c2d8e41"));
        assert!(!is_uuid("9F1C7C55-3B2A-4C1E-9D7E-5A0B6C2D8E41"));
        assert!(!is_uuid("9f1c7c55-3b2a-4c1e-9d7e-5a0b6c2d8e4"));
        assert!(!is_uuid("9f1c7c55x3b2a-4c1e-9d7e-5a0b6c2d8e41"));
    }
}
