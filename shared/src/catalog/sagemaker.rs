//! Checks on SageMaker resources.

use crate::catalog::framework::SECAI3_3;
use crate::catalog::{Check, Evaluator, Params, Severity};
use crate::domain::outcome::Outcome;
use crate::domain::resource::NotebookInstance;

/// SECAI3.3: the notebook's ML storage volume is encrypted with a customer managed KMS key.
pub static NOTEBOOK_KMS_KEY: Check = Check {
    id: "sagemaker_notebook_instance_kms_key",
    version: 1,
    title: "SageMaker notebook instance storage is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
    severity: Severity::Medium,
    api_actions: &["sagemaker:DescribeNotebookInstance"],
    passes_when: "The notebook instance names a KmsKeyId for its ML storage volume.",
    remediation: "Notebook encryption cannot be changed in place: create a new notebook instance with --kms-key-id <key-arn>, move the work, delete the old one.",
    evaluator: Evaluator::SageMakerNotebookInstance(notebook_kms_key),
};

fn notebook_kms_key(notebook: &NotebookInstance, _params: &Params) -> Outcome {
    match notebook.kms_key_id.as_deref().map(str::trim) {
        Some(key) if !key.is_empty() => Outcome::compliant(
            format!("the ML storage volume is encrypted with KMS key {key}"),
            "data on the notebook volume is encrypted under a customer managed key governed by key policy",
        ),
        _ => Outcome::non_compliant(
            "no KmsKeyId is set, so the ML storage volume uses an AWS managed key",
            "SECAI3.3 needs customer managed keys for stored training data so access to it is governed by key policy",
        ),
    }
}
