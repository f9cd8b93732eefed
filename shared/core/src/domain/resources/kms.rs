//! KMS state the checks read.

use crate::domain::policy::PolicyDocument;
use crate::domain::resource::Readable;
use crate::domain::time::Timestamp;

/// Who manages a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyManager {
    /// A customer managed key: the account controls its policy, rotation and lifecycle.
    Customer,
    /// An AWS managed key (`aws/<service>`): AWS controls it.
    Aws,
}

/// A KMS key.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key id.
    pub id: String,
    /// The key ARN, when known.
    pub arn: Option<String>,
    /// Who manages the key.
    pub manager: Readable<KeyManager>,
    /// The key state as KMS names it: `Enabled`, `Disabled`, `PendingDeletion`, ...
    pub state: Readable<String>,
    /// The key spec, e.g. `SYMMETRIC_DEFAULT`; `None` when not reported.
    pub spec: Option<String>,
    /// The key material origin, e.g. `AWS_KMS` or `EXTERNAL`; `None` when not reported.
    pub origin: Option<String>,
    /// When KMS will delete the key, for a key pending deletion.
    pub deletion_date: Option<Timestamp>,
    /// Whether automatic rotation of the key material is enabled.
    pub rotation_enabled: Readable<bool>,
    /// The key policy (`default`).
    pub policy: Readable<PolicyDocument>,
}
