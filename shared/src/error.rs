//! Errors of the library: AWS call failures, classified by what the caller should do about them.

use std::error::Error as StdError;
use std::fmt;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// What kind of failure an AWS call had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AwsErrorKind {
    /// The caller lacks permission (`AccessDenied`, `AccessDeniedException`, ...).
    AccessDenied,
    /// The service throttled the call and the SDK's retries ran out.
    Throttled,
    /// The thing asked for does not exist.
    NotFound,
    /// The request was rejected as invalid.
    Invalid,
    /// The network, a timeout or a 5xx: worth trying again later.
    Transient,
    /// Anything else.
    Other,
}

/// An AWS call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub struct AwsError {
    /// The operation, e.g. `config:GetResourceConfigHistory`.
    pub operation: &'static str,
    /// The classification.
    pub kind: AwsErrorKind,
    /// The service's error code, when it sent one.
    pub code: Option<String>,
    /// The service's message, or the transport failure.
    pub message: String,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{} failed with {code}: {}", self.operation, self.message),
            None => write!(f, "{} failed: {}", self.operation, self.message),
        }
    }
}

impl AwsError {
    /// Classifies an SDK error by its error code (for service errors) or its transport failure.
    ///
    /// The message is the service's own (or, for an error body the SDK could not parse, the
    /// HTTP status): never the SDK's debug dump of the raw response, which is noise in evidence
    /// and may carry configuration that must not reach the logs.
    pub fn from_sdk<E>(operation: &'static str, err: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        match &err {
            SdkError::ServiceError(service) => {
                let source = service.err();
                let status = service.raw().status().as_u16();
                let code = source.code().map(str::to_owned);
                let message = match (source.message(), &code) {
                    (Some(message), _) => genai_evidence_core::text::truncate_chars(message, 600),
                    (None, Some(_)) => format!("HTTP {status}, no message"),
                    (None, None) => {
                        format!("HTTP {status} with no error code or message the SDK could read")
                    }
                };
                let kind = match classify_code(code.as_deref()) {
                    AwsErrorKind::Other if code.is_none() => classify_status(status),
                    kind => kind,
                };
                Self {
                    operation,
                    kind,
                    code,
                    message,
                }
            }
            // A response cut short (reset mid-body) is as transient as one never received: the
            // SDK's own retries treat it so.
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => Self {
                operation,
                kind: AwsErrorKind::Transient,
                code: None,
                message: source_chain(&err),
            },
            _ => Self {
                operation,
                kind: AwsErrorKind::Other,
                code: None,
                message: source_chain(&err),
            },
        }
    }

    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, AwsErrorKind::Throttled | AwsErrorKind::Transient)
    }
}

/// The error and its sources as one line. Unlike `DisplayErrorContext`, it never prints the raw
/// HTTP response, whose body can hold customer configuration that must not reach the logs.
pub(crate) fn source_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut next = err.source();
    while let Some(source) = next {
        let text = source.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        next = source.source();
    }
    parts.join(": ")
}

/// Maps the HTTP status of an error without a code to a kind.
fn classify_status(status: u16) -> AwsErrorKind {
    match status {
        401 | 403 => AwsErrorKind::AccessDenied,
        404 => AwsErrorKind::NotFound,
        429 => AwsErrorKind::Throttled,
        500..=599 => AwsErrorKind::Transient,
        _ => AwsErrorKind::Other,
    }
}

/// Maps an AWS error code to a kind. Codes are matched exactly; unknown ones are `Other`.
pub fn classify_code(code: Option<&str>) -> AwsErrorKind {
    let Some(code) = code else {
        return AwsErrorKind::Other;
    };
    match code {
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "AuthorizationError"
        | "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "ExpiredTokenException" => AwsErrorKind::AccessDenied,
        "Throttling"
        | "ThrottlingException"
        | "ThrottledException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "SlowDown"
        | "ProvisionedThroughputExceededException" => AwsErrorKind::Throttled,
        "ResourceNotFoundException"
        | "ResourceNotDiscoveredException"
        | "NoSuchEntity"
        | "NoSuchBucket"
        | "NoSuchKey"
        | "NotFoundException"
        | "NoSuchConfigRuleException" => AwsErrorKind::NotFound,
        "ValidationException"
        | "InvalidParameterValueException"
        | "InvalidParameterException"
        | "InvalidResultTokenException"
        | "InvalidLimitException"
        | "InvalidNextTokenException" => AwsErrorKind::Invalid,
        "InternalServerException"
        | "InternalFailure"
        | "InternalError"
        | "ServiceUnavailable"
        | "ServiceUnavailableException" => AwsErrorKind::Transient,
        _ => AwsErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_map_to_what_the_caller_should_do() {
        assert_eq!(
            classify_code(Some("AccessDeniedException")),
            AwsErrorKind::AccessDenied
        );
        assert_eq!(
            classify_code(Some("ThrottlingException")),
            AwsErrorKind::Throttled
        );
        assert_eq!(
            classify_code(Some("ResourceNotDiscoveredException")),
            AwsErrorKind::NotFound
        );
        assert_eq!(classify_code(Some("SomethingNew")), AwsErrorKind::Other);
        assert_eq!(classify_code(None), AwsErrorKind::Other);
    }

    fn service_error(status: u16, body: &str) -> AwsError {
        use aws_smithy_types::body::SdkBody;
        let response = HttpResponse::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap(),
            SdkBody::from(body),
        );
        let source = aws_smithy_types::error::ErrorMetadata::builder().build();
        let err: SdkError<aws_smithy_types::error::ErrorMetadata, HttpResponse> =
            SdkError::service_error(source, response);
        AwsError::from_sdk("bedrock:ListGuardrails", err)
    }

    #[test]
    fn an_unparsable_error_body_gives_the_status_not_a_dump_of_the_response() {
        let error = service_error(500, "<html><body>Internal Server Error</body></html>");
        let text = error.to_string();
        assert_eq!(
            text,
            "bedrock:ListGuardrails failed: HTTP 500 with no error code or message the SDK could read"
        );
        assert!(
            !text.contains("Response {") && !text.contains("headers"),
            "{text}"
        );
        assert_eq!(error.kind, AwsErrorKind::Transient);
        assert_eq!(service_error(403, "").kind, AwsErrorKind::AccessDenied);
        assert_eq!(service_error(429, "").kind, AwsErrorKind::Throttled);
    }

    #[test]
    fn an_answer_cut_short_is_transient() {
        use aws_smithy_types::body::SdkBody;
        let response = HttpResponse::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(200).unwrap(),
            SdkBody::from(""),
        );
        let cut = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let err: SdkError<aws_smithy_types::error::ErrorMetadata, HttpResponse> =
            SdkError::response_error(cut, response);
        let error = AwsError::from_sdk("dynamodb:UpdateItem", err);
        assert_eq!(error.kind, AwsErrorKind::Transient);
        assert!(error.is_retryable());
    }

    #[test]
    fn a_service_error_reads_as_its_code_and_message() {
        use aws_smithy_types::body::SdkBody;
        let response = HttpResponse::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(400).unwrap(),
            SdkBody::from("{}"),
        );
        let source = aws_smithy_types::error::ErrorMetadata::builder()
            .code("AccessDeniedException")
            .message("User is not authorized to perform bedrock:ListGuardrails")
            .build();
        let err: SdkError<aws_smithy_types::error::ErrorMetadata, HttpResponse> =
            SdkError::service_error(source, response);
        let error = AwsError::from_sdk("bedrock:ListGuardrails", err);
        assert_eq!(
            error.to_string(),
            "bedrock:ListGuardrails failed with AccessDeniedException: User is not authorized to perform bedrock:ListGuardrails"
        );
        assert_eq!(error.kind, AwsErrorKind::AccessDenied);
    }
}
