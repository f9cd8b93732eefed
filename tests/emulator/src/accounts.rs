//! The AWS account of a caller: the account of the credentials that signed the request, as AWS
//! Config files `PutEvaluations` under it and answers `GetComplianceDetailsByConfigRule` from it.
//!
//! The access key id is read from the SigV4 `Authorization` header
//! (`AWS4-HMAC-SHA256 Credential=<AKID>/<date>/<region>/<service>/aws4_request, ...`), and the
//! upstream emulator (moto), which knows every key it handed out (assumed-role credentials from
//! its STS, IAM users' keys), is asked whose it is: an STS `GetCallerIdentity`
//! (`POST /`, form-encoded `Action=GetCallerIdentity&Version=2011-06-15`) carrying the caller's
//! own `Authorization` header (and its `X-Amz-Date` and `X-Amz-Security-Token`), with one change:
//! the credential scope's service is `sts`, not the caller's `config`, because moto routes a
//! signed request to the service its credential scope names. moto checks no signature, so the
//! key id is all that matters. The `<Account>` of the XML answer is cached per access key id for
//! the emulator's lifetime (moto never moves a key to another account).
//!
//! Fallback: the caller is in [`DEFAULT_ACCOUNT_ID`] (moto's default account, also the seed's)
//! when there is no upstream, when the request has no `Authorization` header or one without a
//! SigV4 `Credential`, or when the upstream's answer cannot be read (unreachable, not a 2xx, no
//! 12-digit `<Account>`). All such callers share the default account's evaluations: an unsigned
//! or unplaceable caller reads and writes the default account's, never a member account's. A
//! failed look-up is logged (`tracing` warning) and not cached, so the next request with that key
//! asks again. Without an upstream every caller is in the default account, as before accounts
//! were kept apart.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::Method;
use hyper::body::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};

use crate::upstream::Upstream;

/// The account of a caller the emulator cannot place (moto's default account).
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";

/// How long one identity look-up may take.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);

/// The STS call that names the caller's account.
const GET_CALLER_IDENTITY: &[u8] = b"Action=GetCallerIdentity&Version=2011-06-15";

/// Caller headers sent along with the look-up (besides `Authorization`).
const CARRIED_HEADERS: [&str; 2] = ["x-amz-date", "x-amz-security-token"];

/// The `Credential=` of a SigV4 `Authorization` header: where it is, and its five parts.
#[derive(Debug, PartialEq, Eq)]
struct Credential<'a> {
    /// Byte range of the value (after `Credential=`) in the header.
    span: std::ops::Range<usize>,
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    terminator: &'a str,
}

/// The SigV4 credential of `authorization`, if it has one with a non-empty access key id.
fn credential(authorization: &str) -> Option<Credential<'_>> {
    const NAME: &str = "Credential=";
    let start = authorization.find(NAME)? + NAME.len();
    let len = authorization[start..]
        .find(|c: char| c == ',' || c.is_whitespace())
        .unwrap_or(authorization.len() - start);
    let span = start..start + len;
    let parts: Vec<&str> = authorization[span.clone()].split('/').collect();
    let [access_key_id, date, region, _service, terminator] = parts.as_slice() else {
        return None;
    };
    (!access_key_id.is_empty()).then_some(Credential {
        span,
        access_key_id,
        date,
        region,
        terminator,
    })
}

/// `authorization` with its credential scope's service set to `sts`.
fn sts_authorization(authorization: &str, cred: &Credential<'_>) -> String {
    format!(
        "{}{}/{}/{}/sts/{}{}",
        &authorization[..cred.span.start],
        cred.access_key_id,
        cred.date,
        cred.region,
        cred.terminator,
        &authorization[cred.span.end..],
    )
}

/// The `<Account>` of a `GetCallerIdentity` answer, if it is 12 digits.
fn account_of(xml: &str) -> Option<&str> {
    let start = xml.find("<Account>")? + "<Account>".len();
    let len = xml[start..].find("</Account>")?;
    let account = xml[start..start + len].trim();
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

/// Resolves callers to accounts through the upstream's STS, with a cache per access key id.
#[derive(Debug)]
pub(crate) struct Accounts {
    upstream: Option<Upstream>,
    /// Access key id -> account, for keys the upstream placed.
    cache: Mutex<HashMap<String, String>>,
}

impl Accounts {
    pub(crate) fn new(upstream: Option<Upstream>) -> Self {
        Self {
            upstream,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The account of the request with `headers` (see the module doc for when that is
    /// [`DEFAULT_ACCOUNT_ID`]).
    pub(crate) async fn caller(&self, headers: &HeaderMap) -> String {
        let Some(upstream) = &self.upstream else {
            return DEFAULT_ACCOUNT_ID.to_owned();
        };
        let Some(authorization) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return DEFAULT_ACCOUNT_ID.to_owned();
        };
        let Some(cred) = credential(authorization) else {
            tracing::debug!("no SigV4 credential in the Authorization header: default account");
            return DEFAULT_ACCOUNT_ID.to_owned();
        };
        if let Some(account) = self.lock().get(cred.access_key_id) {
            return account.clone();
        }
        match look_up(upstream, headers, authorization, &cred).await {
            Ok(account) => {
                self.lock()
                    .insert(cred.access_key_id.to_owned(), account.clone());
                account
            }
            Err(why) => {
                tracing::warn!(
                    access_key_id = cred.access_key_id,
                    %why,
                    "caller's account unknown: using the default account {DEFAULT_ACCOUNT_ID}"
                );
                DEFAULT_ACCOUNT_ID.to_owned()
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Asks `upstream`'s STS whose key signed the request with `headers`.
async fn look_up(
    upstream: &Upstream,
    headers: &HeaderMap,
    authorization: &str,
    cred: &Credential<'_>,
) -> Result<String, String> {
    let mut sent = HeaderMap::new();
    let auth = HeaderValue::from_str(&sts_authorization(authorization, cred))
        .map_err(|e| format!("the STS Authorization header: {e}"))?;
    sent.insert(header::AUTHORIZATION, auth);
    sent.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    for name in CARRIED_HEADERS {
        if let Some(value) = headers.get(name) {
            sent.insert(name, value.clone());
        }
    }
    let resp = upstream
        .send(
            Method::POST,
            "/",
            sent,
            Bytes::from_static(GET_CALLER_IDENTITY),
            LOOKUP_TIMEOUT,
        )
        .await?;
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("GetCallerIdentity answer: {e}"))?
        .to_bytes();
    let text = String::from_utf8_lossy(&body);
    if !status.is_success() {
        return Err(format!("GetCallerIdentity answered HTTP {status}"));
    }
    account_of(&text)
        .map(str::to_owned)
        .ok_or_else(|| "GetCallerIdentity answer has no 12-digit <Account>".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNED: &str = "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260101/us-east-1/config/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";

    #[test]
    fn the_access_key_id_is_read_from_the_sigv4_credential() {
        let cred = credential(SIGNED).unwrap();
        assert_eq!(cred.access_key_id, "ASIAEXAMPLE");
        assert_eq!(cred.region, "us-east-1");
        assert_eq!(
            &SIGNED[cred.span.clone()],
            "ASIAEXAMPLE/20260101/us-east-1/config/aws4_request"
        );
        let unspaced = "AWS4-HMAC-SHA256 Credential=K/d/r/config/aws4_request,SignedHeaders=host";
        assert_eq!(credential(unspaced).unwrap().access_key_id, "K");
        for unreadable in [
            "",
            "AWS4-HMAC-SHA256 Credential=test",
            "AWS4-HMAC-SHA256 Credential=/20260101/us-east-1/config/aws4_request",
            "AWS4-HMAC-SHA256 Credential=K/d/r/config/aws4_request/extra",
            "AWS AKIDEXAMPLE:signature",
        ] {
            assert_eq!(credential(unreadable), None, "{unreadable}");
        }
    }

    #[test]
    fn the_look_up_keeps_the_callers_header_but_scopes_it_to_sts() {
        let cred = credential(SIGNED).unwrap();
        assert_eq!(
            sts_authorization(SIGNED, &cred),
            "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"
        );
    }

    #[test]
    fn only_a_twelve_digit_account_is_read_from_the_answer() {
        let moto = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><UserId>AROA:s</UserId><Account>111111111111</Account><Arn>arn:aws:sts::111111111111:assumed-role/x/s</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>";
        assert_eq!(account_of(moto), Some("111111111111"));
        assert_eq!(
            account_of("<Account>\n  222222222222\n</Account>"),
            Some("222222222222")
        );
        for bad in [
            "",
            "{}",
            "<Account>12345</Account>",
            "<Account>12345678901a</Account>",
            "<Account>111111111111",
        ] {
            assert_eq!(account_of(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn without_an_upstream_every_caller_is_in_the_default_account() {
        let accounts = Accounts::new(None);
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static(SIGNED));
        assert_eq!(accounts.caller(&headers).await, DEFAULT_ACCOUNT_ID);
        assert_eq!(accounts.caller(&HeaderMap::new()).await, DEFAULT_ACCOUNT_ID);
    }
}
