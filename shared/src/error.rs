//! Errors of the library: AWS call failures, classified by what the caller should do about them.

use std::error::Error as StdError;
use std::fmt;

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
    pub fn from_sdk<E, R>(operation: &'static str, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
        R: fmt::Debug + Send + Sync + 'static,
    {
        match &err {
            SdkError::ServiceError(service) => {
                let source = service.err();
                let code = source.code().map(str::to_owned);
                let message = match source.message() {
                    Some(message) => message.to_owned(),
                    // An error the SDK could not parse: say what came back.
                    None if code.is_none() => crate::sinks::text::truncate_chars(
                        &format!(
                            "{source} ({})",
                            aws_smithy_types::error::display::DisplayErrorContext(&err)
                        ),
                        600,
                    ),
                    None => source.to_string(),
                };
                Self {
                    operation,
                    kind: classify_code(code.as_deref()),
                    code,
                    message,
                }
            }
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => Self {
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
fn source_chain(err: &(dyn StdError + 'static)) -> String {
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
}
