//! The Bedrock AgentCore checks decided from fixture files: Config configuration items decoded by
//! the adapter's decoder (CloudFormation-style properties, as AWS Config records the
//! `AWS::BedrockAgentCore::*` types) and API responses in the SDK's JSON shape, then evaluated
//! (the pure checks live in `genai_evidence_core::catalog::agentcore`).

use serde_json::Value;

use crate::adapters::agentcore::decode_config_item;
use crate::adapters::config_item::{ConfigurationItem, Decoded};
use crate::catalog::{Check, Params};
use crate::domain::outcome::Verdict;
use crate::domain::resource::{Resource, ResourceType, Unreadable};
use crate::domain::resources::agentcore::{
    Gateway, LogDelivery, Memory, Runtime, RuntimeVersion, TokenVault, TokenVaultKms,
};
use genai_evidence_core::catalog::agentcore::*;

const RUNTIME_VPC_JWT: &str =
    include_str!("../../../tests/fixtures/agentcore/runtime_vpc_jwt.json");
const RUNTIME_PUBLIC: &str =
    include_str!("../../../tests/fixtures/agentcore/runtime_public_iam_only.json");
const RUNTIME_MALFORMED: &str =
    include_str!("../../../tests/fixtures/agentcore/runtime_malformed.json");
const RUNTIME_VERSIONS: &str =
    include_str!("../../../tests/fixtures/agentcore/list_agent_runtime_versions.json");
const RUNTIME_V1_PUBLIC: &str =
    include_str!("../../../tests/fixtures/agentcore/get_agent_runtime_v1_public.json");
const RUNTIME_V2_VPC: &str =
    include_str!("../../../tests/fixtures/agentcore/get_agent_runtime_v2_vpc.json");
const GATEWAY_HARDENED: &str =
    include_str!("../../../tests/fixtures/agentcore/gateway_hardened.json");
const GATEWAY_OPEN: &str = include_str!("../../../tests/fixtures/agentcore/gateway_open.json");
const GATEWAY_MALFORMED: &str =
    include_str!("../../../tests/fixtures/agentcore/gateway_malformed.json");
const MEMORY_CMK: &str = include_str!("../../../tests/fixtures/agentcore/memory_cmk.json");
const MEMORY_AWS_KEY: &str =
    include_str!("../../../tests/fixtures/agentcore/memory_aws_owned_key.json");
const MEMORY_MALFORMED: &str =
    include_str!("../../../tests/fixtures/agentcore/memory_malformed.json");
const BROWSER_PRIVATE: &str =
    include_str!("../../../tests/fixtures/agentcore/browser_vpc_recorded.json");
const BROWSER_PUBLIC: &str =
    include_str!("../../../tests/fixtures/agentcore/browser_public_unrecorded.json");
const BROWSER_MALFORMED: &str =
    include_str!("../../../tests/fixtures/agentcore/browser_malformed.json");
const INTERPRETER_VPC: &str =
    include_str!("../../../tests/fixtures/agentcore/code_interpreter_vpc.json");
const INTERPRETER_SANDBOX: &str =
    include_str!("../../../tests/fixtures/agentcore/code_interpreter_sandbox.json");
const INTERPRETER_PUBLIC: &str =
    include_str!("../../../tests/fixtures/agentcore/code_interpreter_public.json");
const INTERPRETER_MALFORMED: &str =
    include_str!("../../../tests/fixtures/agentcore/code_interpreter_malformed.json");
const VAULT_CMK: &str = include_str!("../../../tests/fixtures/agentcore/get_token_vault_cmk.json");
const VAULT_SERVICE_KEY: &str =
    include_str!("../../../tests/fixtures/agentcore/get_token_vault_service_managed.json");
const DELIVERY_SOURCES: &str =
    include_str!("../../../tests/fixtures/agentcore/describe_delivery_sources.json");
const DELIVERIES: &str = include_str!("../../../tests/fixtures/agentcore/describe_deliveries.json");

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

fn text(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn decode(fixture: &str) -> Resource {
    let item = ConfigurationItem::from_notification(&json(fixture)).expect("item");
    let resource_type = ResourceType::from_cfn_type(&item.resource_type).expect("known type");
    match decode_config_item(resource_type, &item) {
        Decoded::Resource(resource) => resource,
        other => panic!("not decoded: {other:?}"),
    }
}

fn verdict(check: &Check, resource: Resource) -> (Verdict, String) {
    let outcome = check.evaluate(&resource, &Params::default());
    (outcome.verdict, outcome.observed)
}

fn assert_cases(check: &Check, cases: &[(&str, Verdict)]) {
    for (fixture, expected) in cases {
        let (v, observed) = verdict(check, decode(fixture));
        assert_eq!(v, *expected, "{}: {observed}", check.id);
    }
}

/// The deliveries of `arn` from the DescribeDeliverySources and DescribeDeliveries fixtures,
/// joined by the source name as the adapter joins them.
fn deliveries_of(arn: &str) -> Vec<LogDelivery> {
    let sources = json(DELIVERY_SOURCES);
    let deliveries = json(DELIVERIES);
    let mut found = Vec::new();
    for source in sources["deliverySources"].as_array().expect("list") {
        let names_arn = source["resourceArns"]
            .as_array()
            .expect("arns")
            .iter()
            .any(|a| a == arn);
        if !names_arn {
            continue;
        }
        for delivery in deliveries["deliveries"].as_array().expect("list") {
            if delivery["deliverySourceName"] == source["name"] {
                found.push(LogDelivery {
                    log_type: text(source, "/logType").expect("log type"),
                    destination_arn: text(delivery, "/deliveryDestinationArn").expect("arn"),
                });
            }
        }
    }
    found
}

fn gateway_with_deliveries(fixture: &str) -> Gateway {
    let v = json(fixture);
    let Resource::AgentCoreGateway(mut gateway) = decode(fixture) else {
        panic!("not a gateway");
    };
    gateway.log_deliveries = Ok(deliveries_of(
        &text(&v, "/configuration/GatewayArn").expect("arn"),
    ));
    gateway
}

fn memory_with_deliveries(fixture: &str) -> Memory {
    let v = json(fixture);
    let Resource::AgentCoreMemory(mut memory) = decode(fixture) else {
        panic!("not a memory");
    };
    memory.log_deliveries = Ok(deliveries_of(
        &text(&v, "/configuration/MemoryArn").expect("arn"),
    ));
    memory
}

/// A runtime as the collector builds it: ListAgentRuntimeVersions, then GetAgentRuntime of each.
fn runtime_from_api(versions: &[&str]) -> Runtime {
    let listed = json(RUNTIME_VERSIONS);
    let gets: Vec<Value> = versions.iter().map(|v| json(v)).collect();
    let listed_versions: Vec<String> = listed["agentRuntimes"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| text(r, "/agentRuntimeVersion"))
        .collect();
    Runtime {
        id: text(&gets[0], "/agentRuntimeId").expect("id"),
        name: text(&gets[0], "/agentRuntimeName"),
        versions: Ok(listed_versions
            .iter()
            .map(|version| RuntimeVersion {
                version: version.clone(),
                network_mode: gets
                    .iter()
                    .find(|g| text(g, "/agentRuntimeVersion").as_deref() == Some(version))
                    .and_then(|g| text(g, "/networkConfiguration/networkMode"))
                    .ok_or_else(|| {
                        Unreadable::new(
                            "bedrock-agentcore:GetAgentRuntime failed with AccessDeniedException",
                        )
                    }),
            })
            .collect()),
        jwt_authorizer: Ok(None),
    }
}

fn vault(fixture: &str) -> TokenVault {
    let v = json(fixture);
    TokenVault {
        region: "us-east-1".into(),
        kms: Ok(v.get("kmsConfiguration").map(|k| TokenVaultKms {
            key_type: text(k, "/keyType").expect("key type"),
            kms_key_arn: text(k, "/kmsKeyArn"),
        })),
    }
}

#[test]
fn a_runtime_item_in_the_vpc_passes_a_public_one_fails_and_a_malformed_one_cannot_be_decided() {
    assert_cases(
        &RUNTIME_VPC_NETWORK_MODE,
        &[
            (RUNTIME_VPC_JWT, Verdict::Compliant),
            (RUNTIME_PUBLIC, Verdict::NonCompliant),
            (RUNTIME_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
}

#[test]
fn a_runtime_with_an_older_public_version_fails_though_its_current_version_is_in_the_vpc() {
    let runtime = runtime_from_api(&[RUNTIME_V1_PUBLIC, RUNTIME_V2_VPC]);
    let (v, observed) = verdict(
        &RUNTIME_VPC_NETWORK_MODE,
        Resource::AgentCoreRuntime(runtime),
    );
    assert_eq!(v, Verdict::NonCompliant);
    assert!(observed.contains("version 1 is PUBLIC"), "{observed}");
    let unread_v1 = runtime_from_api(&[RUNTIME_V2_VPC]);
    let (v, observed) = verdict(
        &RUNTIME_VPC_NETWORK_MODE,
        Resource::AgentCoreRuntime(unread_v1),
    );
    assert_eq!(v, Verdict::CouldNotEvaluate, "{observed}");
    assert!(observed.contains("version 1"), "{observed}");
}

#[test]
fn a_runtime_with_a_jwt_authorizer_passes_an_iam_only_one_fails_and_a_malformed_one_cannot_be_decided()
 {
    assert_cases(
        &RUNTIME_JWT_AUTHORIZER,
        &[
            (RUNTIME_VPC_JWT, Verdict::Compliant),
            (RUNTIME_PUBLIC, Verdict::NonCompliant),
            (RUNTIME_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
}

#[test]
fn a_gateway_without_an_authorizer_fails_and_one_whose_authorizer_is_missing_cannot_be_decided() {
    assert_cases(
        &GATEWAY_AUTHORIZER,
        &[
            (GATEWAY_HARDENED, Verdict::Compliant),
            (GATEWAY_OPEN, Verdict::NonCompliant),
            (GATEWAY_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
}

#[test]
fn a_gateway_needs_a_customer_managed_key() {
    assert_cases(
        &GATEWAY_KMS_KEY,
        &[
            (GATEWAY_HARDENED, Verdict::Compliant),
            (GATEWAY_OPEN, Verdict::NonCompliant),
            (GATEWAY_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
}

#[test]
fn a_gateway_policy_engine_must_enforce_and_no_engine_is_not_applicable() {
    assert_cases(
        &GATEWAY_POLICY_ENGINE_ENFORCE,
        &[
            (GATEWAY_HARDENED, Verdict::Compliant),
            (GATEWAY_OPEN, Verdict::NonCompliant),
            (GATEWAY_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
    let Resource::AgentCoreGateway(mut gateway) = decode(GATEWAY_HARDENED) else {
        panic!("not a gateway");
    };
    gateway.policy_engine = Ok(None);
    assert_eq!(
        verdict(
            &GATEWAY_POLICY_ENGINE_ENFORCE,
            Resource::AgentCoreGateway(gateway)
        )
        .0,
        Verdict::NotApplicable
    );
}

#[test]
fn a_gateway_returning_debug_exceptions_fails() {
    assert_cases(
        &GATEWAY_EXCEPTION_LEVEL,
        &[
            (GATEWAY_HARDENED, Verdict::Compliant),
            (GATEWAY_OPEN, Verdict::NonCompliant),
            (GATEWAY_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
}

#[test]
fn gateway_log_delivery_needs_application_logs_and_a_config_item_cannot_tell() {
    let (v, observed) = verdict(
        &GATEWAY_LOG_DELIVERY,
        Resource::AgentCoreGateway(gateway_with_deliveries(GATEWAY_HARDENED)),
    );
    assert_eq!(v, Verdict::Compliant, "{observed}");
    assert!(observed.contains("agentcore-cwl"), "{observed}");
    assert_eq!(
        verdict(
            &GATEWAY_LOG_DELIVERY,
            Resource::AgentCoreGateway(gateway_with_deliveries(GATEWAY_OPEN))
        )
        .0,
        Verdict::NonCompliant
    );
    let (v, observed) = verdict(&GATEWAY_LOG_DELIVERY, decode(GATEWAY_HARDENED));
    assert_eq!(v, Verdict::CouldNotEvaluate);
    assert!(observed.contains("does not record"), "{observed}");
}

#[test]
fn a_memory_needs_a_customer_managed_key() {
    assert_cases(
        &MEMORY_KMS_KEY,
        &[
            (MEMORY_CMK, Verdict::Compliant),
            (MEMORY_AWS_KEY, Verdict::NonCompliant),
            (MEMORY_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
}

#[test]
fn a_memory_delivering_only_traces_fails_the_application_log_check() {
    let (v, observed) = verdict(
        &MEMORY_LOG_DELIVERY,
        Resource::AgentCoreMemory(memory_with_deliveries(MEMORY_CMK)),
    );
    assert_eq!(v, Verdict::NonCompliant);
    assert!(observed.contains("TRACES"), "{observed}");
    let mut memory = memory_with_deliveries(MEMORY_CMK);
    memory.log_deliveries = Ok(vec![LogDelivery {
        log_type: "APPLICATION_LOGS".into(),
        destination_arn: "arn:aws:logs:us-east-1:123456789012:delivery-destination:agentcore-cwl"
            .into(),
    }]);
    assert_eq!(
        verdict(&MEMORY_LOG_DELIVERY, Resource::AgentCoreMemory(memory)).0,
        Verdict::Compliant
    );
    assert_eq!(
        verdict(&MEMORY_LOG_DELIVERY, decode(MEMORY_CMK)).0,
        Verdict::CouldNotEvaluate
    );
}

#[test]
fn a_public_custom_browser_fails_and_one_without_a_network_mode_cannot_be_decided() {
    assert_cases(
        &BROWSER_NETWORK_NOT_PUBLIC,
        &[
            (BROWSER_PRIVATE, Verdict::Compliant),
            (BROWSER_PUBLIC, Verdict::NonCompliant),
            (BROWSER_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
}

#[test]
fn a_custom_browser_must_record_to_a_bucket() {
    assert_cases(
        &BROWSER_RECORDING,
        &[
            (BROWSER_PRIVATE, Verdict::Compliant),
            (BROWSER_PUBLIC, Verdict::NonCompliant),
            (BROWSER_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
}

#[test]
fn a_custom_code_interpreter_passes_only_in_the_vpc_and_sandbox_fails_as_public_does() {
    assert_cases(
        &CODE_INTERPRETER_VPC_NETWORK_MODE,
        &[
            (INTERPRETER_VPC, Verdict::Compliant),
            (INTERPRETER_SANDBOX, Verdict::NonCompliant),
            (INTERPRETER_PUBLIC, Verdict::NonCompliant),
            (INTERPRETER_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
}

#[test]
fn the_token_vault_needs_a_customer_managed_key_and_an_unread_vault_cannot_be_decided() {
    let (v, observed) = verdict(
        &TOKEN_VAULT_KMS_KEY,
        Resource::AgentCoreTokenVault(vault(VAULT_CMK)),
    );
    assert_eq!(v, Verdict::Compliant);
    assert!(observed.contains("key/4c5d6e7f"), "{observed}");
    let (v, observed) = verdict(
        &TOKEN_VAULT_KMS_KEY,
        Resource::AgentCoreTokenVault(vault(VAULT_SERVICE_KEY)),
    );
    assert_eq!(v, Verdict::NonCompliant);
    assert!(observed.contains("ServiceManagedKey"), "{observed}");
    let unread = TokenVault {
        region: "us-east-1".into(),
        kms: Err(Unreadable::new(
            "bedrock-agentcore:GetTokenVault failed with AccessDeniedException",
        )),
    };
    assert_eq!(
        verdict(&TOKEN_VAULT_KMS_KEY, Resource::AgentCoreTokenVault(unread)).0,
        Verdict::CouldNotEvaluate
    );
}

#[test]
fn every_agentcore_check_is_registered_once() {
    for check in CHECKS {
        assert_eq!(
            crate::catalog::CHECKS
                .iter()
                .filter(|c| c.id == check.id)
                .count(),
            1,
            "{}",
            check.id
        );
    }
}
