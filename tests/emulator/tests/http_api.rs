//! End-to-end tests: the emulator is started in-process and spoken to over real HTTP.
// `allow-unwrap-in-tests` covers `#[test]` functions only, not this file's helpers.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use aws_emulator::{
    AssessmentStatus, DEMO_ASSESSMENT_ID, Emulator, INACTIVE_ASSESSMENT_ID, Seed, SeedAssessment,
    SeedControl, SeedControlSet, control_uuid,
};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{HeaderMap, Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

/// An answer, with the body parsed as JSON (`Value::Null` when it is not JSON).
struct Answer {
    status: u16,
    headers: HeaderMap,
    raw: Bytes,
    body: Value,
}

impl Answer {
    fn error_type(&self) -> &str {
        self.headers
            .get("x-amzn-ErrorType")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Answer {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let resp = sender
        .send_request(builder.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let raw = resp.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        raw,
        body,
    }
}

async fn get(emu: &Emulator, path: &str) -> Answer {
    send(emu.local_addr(), Method::GET, path, &[], Vec::new()).await
}

async fn import(
    emu: &Emulator,
    assessment: &str,
    set: &str,
    control: &str,
    items: Value,
) -> Answer {
    let path = format!("/assessments/{assessment}/controlSets/{set}/controls/{control}/evidence");
    let body = serde_json::to_vec(&json!({ "manualEvidence": items })).unwrap();
    send(
        emu.local_addr(),
        Method::POST,
        &path,
        &[("content-type", "application/json")],
        body,
    )
    .await
}

async fn config(emu: &Emulator, op: &str, body: Value) -> Answer {
    let target = format!("StarlingDoveService.{op}");
    send(
        emu.local_addr(),
        Method::POST,
        "/",
        &[
            ("x-amz-target", target.as_str()),
            ("content-type", "application/x-amz-json-1.1"),
        ],
        serde_json::to_vec(&body).unwrap(),
    )
    .await
}

fn texts(n: usize, prefix: &str) -> Value {
    Value::Array(
        (0..n)
            .map(|i| json!({ "textResponse": format!("{prefix} {i}") }))
            .collect(),
    )
}

async fn start() -> Emulator {
    Emulator::start(Seed::default_genai(), None).await.unwrap()
}

/// The id of a control of the demo assessment.
fn control_id(emu: &Emulator, set: &str, name: &str) -> String {
    emu.seed()
        .assessment(DEMO_ASSESSMENT_ID)
        .unwrap()
        .control(set, name)
        .unwrap()
        .id
        .clone()
}

/// Total manual evidence stored for a control, read back through the folder API.
async fn stored_count(emu: &Emulator, set: &str, control: &str) -> u64 {
    let path = format!(
        "/assessments/{DEMO_ASSESSMENT_ID}/evidenceFolders-by-assessment-control/{set}/{control}"
    );
    let a = get(emu, &path).await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body["evidenceFolders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["totalEvidence"].as_u64().unwrap())
        .sum()
}

// ---------------------------------------------------------------- Audit Manager

#[tokio::test]
async fn account_status_is_active() {
    let emu = start().await;
    let a = get(&emu, "/account/status").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body, json!({"status": "ACTIVE"}));
    assert_eq!(emu.calls("GetAccountStatus"), 1);
}

#[tokio::test]
async fn get_assessment_returns_the_seeded_genai_assessment() {
    let emu = start().await;
    let a = get(&emu, &format!("/assessments/{DEMO_ASSESSMENT_ID}")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.headers["content-type"], "application/json");
    assert!(a.headers.contains_key("x-amzn-requestid"));
    let assessment = &a.body["assessment"];
    assert_eq!(assessment["metadata"]["id"], DEMO_ASSESSMENT_ID);
    assert_eq!(
        assessment["metadata"]["name"],
        "GenAI best practices (demo)"
    );
    assert_eq!(assessment["metadata"]["status"], "ACTIVE");
    assert_eq!(assessment["awsAccount"]["id"], "123456789012");
    assert_eq!(
        assessment["framework"]["metadata"]["name"],
        "AWS Generative AI Best Practices Framework v2"
    );
    let sets = assessment["framework"]["controlSets"].as_array().unwrap();
    let ids: Vec<&str> = sets.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "Responsible",
            "Safe",
            "Fair",
            "Sustainable",
            "Resilience",
            "Privacy",
            "Accuracy",
            "Secure"
        ]
    );
    let secure = sets.iter().find(|s| s["id"] == "Secure").unwrap();
    let names: Vec<&str> = secure["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Least Privilege"));
    assert!(names.contains(&"SECAI3.3 Data Encryption At Rest"));
    let first = &secure["controls"][0];
    assert_eq!(first["status"], "UNDER_REVIEW");
    assert_eq!(first["response"], "MANUAL");
    assert_eq!(first["evidenceCount"], 0);
    assert!(
        first["id"]
            .as_str()
            .unwrap()
            .starts_with("0b7a1c2d-0000-4000-8000-")
    );
    assert_eq!(a.body["userRole"]["roleType"], "PROCESS_OWNER");
    assert!(a.body["assessment"]["metadata"]["creationTime"].is_number());
}

#[tokio::test]
async fn get_assessment_rejects_malformed_ids_and_reports_unknown_ones() {
    let emu = start().await;
    let a = get(&emu, "/assessments/9F1C7C55-3B2A-4C1E-9D7E-5A0B6C2D8E41").await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));
    assert_eq!(a.body["reason"], "fieldValidationFailed");
    assert_eq!(a.body["fields"][0]["name"], "assessmentId");
    let a = get(&emu, "/assessments/00000000-0000-4000-8000-000000000000").await;
    assert_eq!(
        (a.status, a.error_type()),
        (404, "ResourceNotFoundException")
    );
    assert_eq!(a.body["resourceId"], "00000000-0000-4000-8000-000000000000");
    assert!(a.body["resourceType"].is_string());
}

#[tokio::test]
async fn list_assessments_filters_by_status_and_paginates_with_opaque_tokens() {
    let emu = start().await;
    let a = get(&emu, "/assessments?maxResults=1").await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["assessmentMetadata"].as_array().unwrap().len(), 1);
    assert_eq!(a.body["assessmentMetadata"][0]["id"], DEMO_ASSESSMENT_ID);
    let token = a.body["nextToken"].as_str().unwrap().to_owned();
    assert_ne!(token, "1", "the token is opaque, not a bare offset");
    let a = get(
        &emu,
        &format!("/assessments?maxResults=1&nextToken={token}"),
    )
    .await;
    assert_eq!(
        a.body["assessmentMetadata"][0]["id"],
        INACTIVE_ASSESSMENT_ID
    );
    assert!(a.body.get("nextToken").is_none());

    let a = get(&emu, "/assessments?status=ACTIVE").await;
    let items = a.body["assessmentMetadata"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["status"], "ACTIVE");
    assert!(a.body.get("nextToken").is_none());

    for bad in [
        "maxResults=0",
        "maxResults=1001",
        "maxResults=x",
        "status=DONE",
        "nextToken=forged",
    ] {
        let a = get(&emu, &format!("/assessments?{bad}")).await;
        assert_eq!(
            (a.status, a.error_type()),
            (400, "ValidationException"),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn imported_text_evidence_comes_back_through_folders_and_evidence() {
    let emu = start().await;
    let control = control_id(&emu, "Secure", "SECAI3.3 Data Encryption At Rest");
    let a = import(
        &emu,
        DEMO_ASSESSMENT_ID,
        "Secure",
        &control,
        json!([{"textResponse": "SECAI3.3 COMPLIANT"}, {"textResponse": "SECAI3.3 NON_COMPLIANT"}]),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body, json!({"errors": []}));

    let path = format!(
        "/assessments/{DEMO_ASSESSMENT_ID}/evidenceFolders-by-assessment-control/Secure/{control}"
    );
    let a = get(&emu, &path).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let folders = a.body["evidenceFolders"].as_array().unwrap();
    assert_eq!(folders.len(), 1);
    let folder = &folders[0];
    assert_eq!(folder["totalEvidence"], 2);
    assert_eq!(folder["evidenceByTypeManualCount"], 2);
    assert_eq!(folder["dataSource"], "Manual");
    assert_eq!(folder["controlName"], "SECAI3.3 Data Encryption At Rest");
    assert_eq!(folder["controlSetId"], "Secure");
    assert_eq!(folder["controlId"], control.as_str());
    let name = folder["name"].as_str().unwrap();
    assert_eq!(name.len(), 10, "folder name is the UTC day: {name}");
    assert!(folder["date"].is_number());

    let folder_id = folder["id"].as_str().unwrap();
    let path = format!(
        "/assessments/{DEMO_ASSESSMENT_ID}/controlSets/Secure/evidenceFolders/{folder_id}/evidence"
    );
    let a = get(&emu, &path).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let evidence = a.body["evidence"].as_array().unwrap();
    let texts: Vec<&str> = evidence
        .iter()
        .map(|e| e["attributes"]["textResponse"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["SECAI3.3 COMPLIANT", "SECAI3.3 NON_COMPLIANT"]);
    assert_eq!(evidence[0]["evidenceByType"], "Manual");
    assert_eq!(evidence[0]["evidenceFolderId"], folder_id);
    assert_eq!(evidence[0]["awsAccountId"], "123456789012");
    assert!(evidence[0]["time"].is_number());

    let a = get(&emu, &format!("/assessments/{DEMO_ASSESSMENT_ID}")).await;
    let secure = a.body["assessment"]["framework"]["controlSets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "Secure")
        .unwrap()
        .clone();
    assert_eq!(secure["manualEvidenceCount"], 2);
    let c = secure["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == control.as_str())
        .unwrap()
        .clone();
    assert_eq!(c["evidenceCount"], 2);
}

#[tokio::test]
async fn s3_and_file_evidence_are_recorded_in_attributes_and_resources() {
    let emu = start().await;
    let control = control_id(&emu, "Accuracy", "Error analysis");
    let a = import(
        &emu,
        DEMO_ASSESSMENT_ID,
        "Accuracy",
        &control,
        json!([{"s3ResourcePath": "s3://evidence/run-1.json"}, {"evidenceFileName": "report.pdf"}]),
    )
    .await;
    assert_eq!(a.body, json!({"errors": []}));
    let path = format!(
        "/assessments/{DEMO_ASSESSMENT_ID}/evidenceFolders-by-assessment-control/Accuracy/{control}"
    );
    let folder = get(&emu, &path).await.body["evidenceFolders"][0].clone();
    assert_eq!(folder["evidenceResourcesIncludedCount"], 1);
    let path = format!(
        "/assessments/{DEMO_ASSESSMENT_ID}/controlSets/Accuracy/evidenceFolders/{}/evidence",
        folder["id"].as_str().unwrap()
    );
    let evidence = get(&emu, &path).await.body["evidence"].clone();
    assert_eq!(
        evidence[0]["resourcesIncluded"],
        json!([{"value": "s3://evidence/run-1.json"}])
    );
    assert_eq!(
        evidence[0]["attributes"]["s3ResourcePath"],
        "s3://evidence/run-1.json"
    );
    assert_eq!(evidence[1]["attributes"]["evidenceFileName"], "report.pdf");
    assert_eq!(evidence[1]["resourcesIncluded"], json!([]));
}

#[tokio::test]
async fn evidence_by_folder_paginates() {
    let emu = start().await;
    let control = control_id(&emu, "Safe", "Guardrails for harmful content");
    import(&emu, DEMO_ASSESSMENT_ID, "Safe", &control, texts(5, "t")).await;
    let path = format!(
        "/assessments/{DEMO_ASSESSMENT_ID}/evidenceFolders-by-assessment-control/Safe/{control}"
    );
    let folder_id = get(&emu, &path).await.body["evidenceFolders"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = format!(
        "/assessments/{DEMO_ASSESSMENT_ID}/controlSets/Safe/evidenceFolders/{folder_id}/evidence"
    );
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let path = match &token {
            None => format!("{base}?maxResults=2"),
            Some(t) => format!("{base}?maxResults=2&nextToken={t}"),
        };
        let a = get(&emu, &path).await;
        assert_eq!(a.status, 200, "{}", a.body);
        for e in a.body["evidence"].as_array().unwrap() {
            seen.push(e["attributes"]["textResponse"].as_str().unwrap().to_owned());
        }
        match a.body.get("nextToken").and_then(Value::as_str) {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["t 0", "t 1", "t 2", "t 3", "t 4"]);
    assert_eq!(emu.calls("GetEvidenceByEvidenceFolder"), 3);
}

#[tokio::test]
async fn fifty_one_items_are_a_validation_exception_and_store_nothing() {
    let emu = start().await;
    let control = control_id(&emu, "Secure", "Least Privilege");
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, texts(51, "x")).await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));
    assert_eq!(a.body["fields"][0]["name"], "manualEvidence");
    assert_eq!(stored_count(&emu, "Secure", &control).await, 0);
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, texts(50, "x")).await;
    assert_eq!(a.status, 200);
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, json!([])).await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));
}

#[tokio::test]
async fn an_item_with_two_fields_is_a_validation_exception() {
    let emu = start().await;
    let control = control_id(&emu, "Secure", "Least Privilege");
    let items = json!([{"textResponse": "a"}, {"textResponse": "b", "s3ResourcePath": "s3://b/k"}]);
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, items).await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, json!([{}])).await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));
    assert_eq!(stored_count(&emu, "Secure", &control).await, 0);
}

#[tokio::test]
async fn text_longer_than_1000_characters_is_a_validation_exception() {
    let emu = start().await;
    let control = control_id(&emu, "Secure", "Least Privilege");
    let too_long = json!([{ "textResponse": "ü".repeat(1001) }]);
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, too_long).await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));
    // 1000 characters are fine even though they are 2000 bytes.
    let max = json!([{ "textResponse": "ü".repeat(1000) }]);
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, max).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let empty = json!([{ "textResponse": "" }]);
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, empty).await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn malformed_bodies_paths_and_s3_paths_are_validation_exceptions() {
    let emu = start().await;
    let control = control_id(&emu, "Secure", "Least Privilege");
    let addr = emu.local_addr();
    let path =
        format!("/assessments/{DEMO_ASSESSMENT_ID}/controlSets/Secure/controls/{control}/evidence");
    let a = send(addr, Method::POST, &path, &[], b"not json".to_vec()).await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));
    let a = send(addr, Method::POST, &path, &[], b"{}".to_vec()).await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));

    let bad_s3 = json!([{"s3ResourcePath": "https://bucket/key"}]);
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, bad_s3).await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));
    let bad_file = json!([{"evidenceFileName": "dir/file.pdf"}]);
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, bad_file).await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));

    let upper = control.to_uppercase();
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &upper, texts(1, "x")).await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));
    let a = import(&emu, DEMO_ASSESSMENT_ID, "", &control, texts(1, "x")).await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));
    let long_set = "s".repeat(301);
    let a = import(&emu, DEMO_ASSESSMENT_ID, &long_set, &control, texts(1, "x")).await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));
    assert_eq!(stored_count(&emu, "Secure", &control).await, 0);
}

#[tokio::test]
async fn unknown_control_set_or_control_is_resource_not_found() {
    let emu = start().await;
    let control = control_id(&emu, "Secure", "Least Privilege");
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Nope", &control, texts(1, "x")).await;
    assert_eq!(
        (a.status, a.error_type()),
        (404, "ResourceNotFoundException")
    );
    // A control that exists, but in another control set.
    let a = import(
        &emu,
        DEMO_ASSESSMENT_ID,
        "Accuracy",
        &control,
        texts(1, "x"),
    )
    .await;
    assert_eq!(
        (a.status, a.error_type()),
        (404, "ResourceNotFoundException")
    );
    let a = import(
        &emu,
        "00000000-0000-4000-8000-000000000000",
        "Secure",
        &control,
        texts(1, "x"),
    )
    .await;
    assert_eq!(
        (a.status, a.error_type()),
        (404, "ResourceNotFoundException")
    );
}

#[tokio::test]
async fn import_into_an_inactive_assessment_is_a_validation_exception() {
    let emu = start().await;
    let control = control_uuid(1);
    let a = import(
        &emu,
        INACTIVE_ASSESSMENT_ID,
        "Responsible",
        &control,
        texts(1, "x"),
    )
    .await;
    assert_eq!((a.status, a.error_type()), (400, "ValidationException"));
    assert!(a.body["message"].as_str().unwrap().contains("inactive"));
    let path = format!(
        "/assessments/{INACTIVE_ASSESSMENT_ID}/evidenceFolders-by-assessment-control/Responsible/{control}"
    );
    let a = get(&emu, &path).await;
    assert_eq!(a.body["evidenceFolders"], json!([]));
    let a = get(&emu, &format!("/assessments/{INACTIVE_ASSESSMENT_ID}")).await;
    assert_eq!(a.body["assessment"]["metadata"]["status"], "INACTIVE");
}

#[tokio::test]
async fn the_daily_quota_stores_exactly_100_items_per_control() {
    let emu = start().await;
    let control = control_id(&emu, "Responsible", "RESPAI3.9 Develop AI RACI");
    let other = control_id(&emu, "Responsible", "RESPAI3.15: Ethical Guidelines");
    for (n, prefix) in [(50, "a"), (40, "b")] {
        let a = import(
            &emu,
            DEMO_ASSESSMENT_ID,
            "Responsible",
            &control,
            texts(n, prefix),
        )
        .await;
        assert_eq!(a.body, json!({"errors": []}));
    }
    let a = import(
        &emu,
        DEMO_ASSESSMENT_ID,
        "Responsible",
        &control,
        texts(11, "c"),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let errors = a.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["errorCode"], "400");
    assert_eq!(errors[0]["manualEvidence"], json!({"textResponse": "c 10"}));
    assert!(
        errors[0]["errorMessage"]
            .as_str()
            .unwrap()
            .contains("quota")
    );
    assert_eq!(stored_count(&emu, "Responsible", &control).await, 100);

    // The quota is per control ...
    let a = import(
        &emu,
        DEMO_ASSESSMENT_ID,
        "Responsible",
        &other,
        texts(1, "o"),
    )
    .await;
    assert_eq!(a.body, json!({"errors": []}));
    // ... and per UTC day: the next day gets a new folder and a fresh quota.
    emu.faults().advance_clock(86_400);
    let a = import(
        &emu,
        DEMO_ASSESSMENT_ID,
        "Responsible",
        &control,
        texts(1, "d"),
    )
    .await;
    assert_eq!(a.body, json!({"errors": []}));
    let path = format!(
        "/assessments/{DEMO_ASSESSMENT_ID}/evidenceFolders-by-assessment-control/Responsible/{control}"
    );
    let folders = get(&emu, &path).await.body["evidenceFolders"].clone();
    assert_eq!(folders.as_array().unwrap().len(), 2);
    assert_eq!(folders[0]["totalEvidence"], 100);
    assert_eq!(folders[1]["totalEvidence"], 1);
    assert_ne!(folders[0]["name"], folders[1]["name"]);
}

#[tokio::test]
async fn throttled_imports_get_429_and_store_nothing() {
    let emu = start().await;
    let control = control_id(&emu, "Secure", "SECAI3.15: Access Logging");
    emu.faults().throttle_next_imports(2);
    for _ in 0..2 {
        let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, texts(3, "x")).await;
        assert_eq!((a.status, a.error_type()), (429, "ThrottlingException"));
    }
    assert_eq!(stored_count(&emu, "Secure", &control).await, 0);
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, texts(3, "x")).await;
    assert_eq!(a.status, 200);
    assert_eq!(stored_count(&emu, "Secure", &control).await, 3);
    assert_eq!(emu.calls("BatchImportEvidenceToAssessmentControl"), 3);
}

#[tokio::test]
async fn injected_item_failures_are_reported_and_not_stored() {
    let emu = start().await;
    let control = control_id(&emu, "Secure", "SECAI3.8: Periodic Reviews");
    emu.faults().fail_next_items(3);
    let a = import(
        &emu,
        DEMO_ASSESSMENT_ID,
        "Secure",
        &control,
        texts(2, "first"),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["errors"].as_array().unwrap().len(), 2);
    let a = import(
        &emu,
        DEMO_ASSESSMENT_ID,
        "Secure",
        &control,
        texts(2, "second"),
    )
    .await;
    let errors = a.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "the failures are counted across calls");
    assert_eq!(errors[0]["errorCode"], "500");
    assert_eq!(
        errors[0]["errorMessage"],
        "InternalServerException: injected"
    );
    assert_eq!(
        errors[0]["manualEvidence"],
        json!({"textResponse": "second 0"})
    );
    assert_eq!(stored_count(&emu, "Secure", &control).await, 1);
}

#[tokio::test]
async fn deny_all_makes_every_audit_manager_call_access_denied() {
    let emu = start().await;
    emu.faults().deny_all(true);
    let a = get(&emu, "/account/status").await;
    assert_eq!((a.status, a.error_type()), (403, "AccessDeniedException"));
    let a = get(&emu, &format!("/assessments/{DEMO_ASSESSMENT_ID}")).await;
    assert_eq!((a.status, a.error_type()), (403, "AccessDeniedException"));
    emu.faults().deny_all(false);
    assert_eq!(get(&emu, "/account/status").await.status, 200);
}

#[tokio::test]
async fn unknown_routes_are_unknown_operation_exceptions() {
    let emu = start().await;
    let a = get(&emu, "/controls").await;
    assert_eq!(
        (a.status, a.error_type()),
        (404, "UnknownOperationException")
    );
    let a = send(
        emu.local_addr(),
        Method::DELETE,
        "/account/status",
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(
        (a.status, a.error_type()),
        (404, "UnknownOperationException")
    );
}

#[tokio::test]
async fn percent_encoded_control_set_names_and_a_custom_seed_work() {
    let ambiguous_a = control_uuid(0xa1);
    let ambiguous_b = control_uuid(0xa2);
    let seed = Seed::new("210987654321", "eu-west-1").with_assessment(
        SeedAssessment::new(DEMO_ASSESSMENT_ID, "Custom", AssessmentStatus::Active)
            .with_control_set(SeedControlSet::new(
                "Data & Model Security",
                vec![
                    SeedControl::new(&ambiguous_a, "SECAI3.3 Data Encryption At Rest"),
                    SeedControl::new(&ambiguous_b, "SECAI3.3: Encryption at rest (copy)"),
                ],
            )),
    );
    let emu = Emulator::start(seed, None).await.unwrap();
    let set = "Data%20%26%20Model%20Security";
    let a = import(&emu, DEMO_ASSESSMENT_ID, set, &ambiguous_b, texts(1, "x")).await;
    assert_eq!(a.body, json!({"errors": []}));
    let path = format!(
        "/assessments/{DEMO_ASSESSMENT_ID}/evidenceFolders-by-assessment-control/{set}/{ambiguous_b}"
    );
    let a = get(&emu, &path).await;
    assert_eq!(
        a.body["evidenceFolders"][0]["controlSetId"],
        "Data & Model Security"
    );
    let a = get(&emu, &format!("/assessments/{DEMO_ASSESSMENT_ID}")).await;
    assert_eq!(a.body["assessment"]["awsAccount"]["id"], "210987654321");
    assert_eq!(
        a.body["assessment"]["framework"]["controlSets"][0]["controls"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_seed_with_invalid_ids_does_not_start() {
    let seed = Seed::new("123456789012", "us-east-1").with_assessment(SeedAssessment::new(
        "not-a-uuid",
        "x",
        AssessmentStatus::Active,
    ));
    assert!(Emulator::start(seed, None).await.is_err());
}

#[tokio::test]
async fn concurrent_connections_are_served() {
    let emu = start().await;
    let control = control_id(&emu, "Privacy", "PII detection and redaction");
    let addr = emu.local_addr();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let path = format!(
            "/assessments/{DEMO_ASSESSMENT_ID}/controlSets/Privacy/controls/{control}/evidence"
        );
        tasks.push(tokio::spawn(async move {
            let body =
                serde_json::to_vec(&json!({"manualEvidence": [{"textResponse": format!("c{i}")}]}))
                    .unwrap();
            send(addr, Method::POST, &path, &[], body).await.status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    assert_eq!(stored_count(&emu, "Privacy", &control).await, 20);
}

#[tokio::test]
async fn keep_alive_serves_several_requests_on_one_connection() {
    let emu = start().await;
    let stream = TcpStream::connect(emu.local_addr()).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    for _ in 0..3 {
        sender.ready().await.unwrap();
        let req = Request::get("/account/status")
            .header("host", "x")
            .body(Full::new(Bytes::new()))
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        assert_eq!(resp.status(), 200);
        resp.into_body().collect().await.unwrap();
    }
    assert_eq!(emu.calls("GetAccountStatus"), 3);
}

#[tokio::test]
async fn dropping_the_emulator_stops_serving() {
    let emu = start().await;
    let addr = emu.local_addr();
    drop(emu);
    for _ in 0..100 {
        if TcpStream::connect(addr).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("still accepting connections after drop");
}

// ---------------------------------------------------------------- Fault and call endpoints

#[tokio::test]
async fn faults_and_calls_are_reachable_over_http() {
    let emu = start().await;
    let control = control_id(&emu, "Fair", "Bias monitoring");
    let body = serde_json::to_vec(&json!({"throttleImports": 1, "failEvaluations": 2})).unwrap();
    let a = send(
        emu.local_addr(),
        Method::POST,
        "/_emulator/faults",
        &[],
        body,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["throttleImports"], 1);
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Fair", &control, texts(1, "x")).await;
    assert_eq!(a.status, 429);
    let body = serde_json::to_vec(&json!({"bogus": 1})).unwrap();
    let a = send(
        emu.local_addr(),
        Method::POST,
        "/_emulator/faults",
        &[],
        body,
    )
    .await;
    assert_eq!(a.status, 400);
    let body = serde_json::to_vec(&json!({"denyAll": true})).unwrap();
    send(
        emu.local_addr(),
        Method::POST,
        "/_emulator/faults",
        &[],
        body,
    )
    .await;
    assert_eq!(get(&emu, "/account/status").await.status, 403);

    let a = get(&emu, "/_emulator/calls").await;
    assert_eq!(a.body["BatchImportEvidenceToAssessmentControl"], 1);
    assert_eq!(a.body["GetAccountStatus"], 1);
    assert!(
        a.body
            .get("GetEvidenceFoldersByAssessmentControl")
            .is_none()
    );
}

// ---------------------------------------------------------------- AWS Config

fn evaluation(resource: &str, compliance: &str, ts: f64) -> Value {
    json!({
        "ComplianceResourceType": "AWS::S3::Bucket",
        "ComplianceResourceId": resource,
        "ComplianceType": compliance,
        "Annotation": format!("{compliance} at {ts}"),
        "OrderingTimestamp": ts,
    })
}

async fn results(emu: &Emulator, rule: &str) -> Vec<Value> {
    let a = config(
        emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": rule}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body["EvaluationResults"].as_array().unwrap().clone()
}

/// `POST /_emulator/config/result-tokens` with `body`.
async fn result_token_route(emu: &Emulator, body: Value) -> Answer {
    send(
        emu.local_addr(),
        Method::POST,
        "/_emulator/config/result-tokens",
        &[("content-type", "application/json")],
        serde_json::to_vec(&body).unwrap(),
    )
    .await
}

#[tokio::test]
async fn put_evaluations_rejects_insufficient_data() {
    let emu = start().await;
    let token = emu.issue_result_token("rule");
    for bad in ["INSUFFICIENT_DATA", "compliant", "MAYBE"] {
        let a = config(
            &emu,
            "PutEvaluations",
            json!({"Evaluations": [evaluation("b", bad, 1.0)], "ResultToken": token}),
        )
        .await;
        assert_eq!(a.status, 400);
        assert_eq!(a.body["__type"], "InvalidParameterValueException", "{bad}");
    }
    assert!(results(&emu, "rule").await.is_empty());
    assert_eq!(emu.calls("PutEvaluations"), 3);
}

#[tokio::test]
async fn put_evaluations_validates_sizes_and_the_result_token() {
    let emu = start().await;
    let token = emu.issue_result_token("r");
    let many: Vec<Value> = (0..101)
        .map(|i| evaluation(&format!("b{i}"), "COMPLIANT", 1.0))
        .collect();
    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": many, "ResultToken": token}),
    )
    .await;
    assert_eq!(a.body["__type"], "ValidationException");
    let mut long = evaluation("b", "COMPLIANT", 1.0);
    long["Annotation"] = json!("a".repeat(257));
    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": [long], "ResultToken": token}),
    )
    .await;
    assert_eq!(a.body["__type"], "ValidationException");
    let a = config(&emu, "PutEvaluations", json!({"Evaluations": []})).await;
    assert_eq!(a.body["__type"], "InvalidParameterValueException");
    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": [], "ResultToken": ""}),
    )
    .await;
    assert_eq!(a.body["__type"], "InvalidParameterValueException");
    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": [], "ResultToken": token}),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body, json!({"FailedEvaluations": []}));
    assert_eq!(a.headers["content-type"], "application/x-amz-json-1.1");
}

#[tokio::test]
async fn an_opaque_token_issued_over_http_files_results_under_its_rule() {
    let emu = start().await;
    let a = result_token_route(&emu, json!({"configRuleName": "secai33-kms"})).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.headers["content-type"], "application/json");
    let token = a.body["resultToken"].as_str().unwrap().to_owned();
    assert!(token.len() >= 300, "shaped like a real token: {token}");
    assert!(
        !token.contains('.') && !token.contains("secai33"),
        "{token}"
    );
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
        "standard base64: {token}"
    );
    let again = result_token_route(&emu, json!({"configRuleName": "secai33-kms"})).await;
    assert_ne!(again.body["resultToken"], a.body["resultToken"]);

    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": [evaluation("bucket", "NON_COMPLIANT", 10.0)], "ResultToken": token}),
    )
    .await;
    assert_eq!(a.body, json!({"FailedEvaluations": []}));
    let r = results(&emu, "secai33-kms").await;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["ComplianceType"], "NON_COMPLIANT");
    assert_eq!(r[0]["ResultToken"], token.as_str());
    assert_eq!(
        r[0]["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ConfigRuleName"],
        "secai33-kms"
    );
}

#[tokio::test]
async fn a_token_issued_with_the_rust_api_files_results_under_its_rule() {
    let emu = start().await;
    let kms = emu.issue_result_token("secai33-kms");
    let tls = emu.issue_result_token("secai32-tls");
    for (token, compliance) in [(&kms, "COMPLIANT"), (&tls, "NON_COMPLIANT")] {
        config(
            &emu,
            "PutEvaluations",
            json!({"Evaluations": [evaluation("bucket", compliance, 1.0)], "ResultToken": token}),
        )
        .await;
    }
    assert_eq!(
        results(&emu, "secai33-kms").await[0]["ComplianceType"],
        "COMPLIANT"
    );
    assert_eq!(
        results(&emu, "secai32-tls").await[0]["ComplianceType"],
        "NON_COMPLIANT"
    );
}

#[tokio::test]
async fn an_unregistered_token_is_an_invalid_result_token_exception() {
    let emu = start().await;
    emu.issue_result_token("r");
    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": [evaluation("b", "COMPLIANT", 1.0)], "ResultToken": "eyJlbmNyeXB0ZWREYXRhIjpbMSwyLDNdfQ=="}),
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(a.headers["content-type"], "application/x-amz-json-1.1");
    assert_eq!(a.body["__type"], "InvalidResultTokenException");
    assert!(a.body["message"].is_string());
    assert!(results(&emu, "r").await.is_empty(), "nothing was stored");
}

#[tokio::test]
async fn a_dotted_token_that_is_not_registered_is_rejected() {
    let emu = start().await;
    emu.issue_result_token("genai-evidence-controls");
    for token in ["genai-evidence-controls.AQoDYXdzEJr1", "r.1"] {
        let a = config(
            &emu,
            "PutEvaluations",
            json!({"Evaluations": [evaluation("b", "COMPLIANT", 1.0)], "ResultToken": token}),
        )
        .await;
        assert_eq!(a.body["__type"], "InvalidResultTokenException", "{token}");
    }
    assert!(results(&emu, "genai-evidence-controls").await.is_empty());
    let a = config(
        &emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": "r"}),
    )
    .await;
    assert_eq!(
        a.body["__type"], "NoSuchConfigRuleException",
        "the part before a dot names no rule"
    );
}

#[tokio::test]
async fn a_sample_events_token_registered_over_http_is_accepted() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../events/config-s3-bucket-compliant.json"
    );
    let sample: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let rule = sample["configRuleName"].as_str().unwrap();
    let token = sample["resultToken"].as_str().unwrap();
    let emu = start().await;
    let put = || {
        config(
            &emu,
            "PutEvaluations",
            json!({"Evaluations": [evaluation("bucket", "COMPLIANT", 1.0)], "ResultToken": token}),
        )
    };
    assert_eq!(put().await.body["__type"], "InvalidResultTokenException");

    let a = result_token_route(&emu, json!({"configRuleName": rule, "resultToken": token})).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body, json!({"resultToken": token}));
    let a = result_token_route(&emu, json!({"configRuleName": rule, "resultToken": token})).await;
    assert_eq!(
        a.status, 200,
        "registering the same token again is harmless"
    );
    let a = put().await;
    assert_eq!(a.body, json!({"FailedEvaluations": []}));
    let r = results(&emu, rule).await;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["ResultToken"], token);
}

#[tokio::test]
async fn a_token_registered_with_the_rust_api_is_accepted() {
    let emu = start().await;
    emu.register_result_token("genai-evidence-controls", "AQoDYXdzEJr1+opaque/blob==");
    emu.register_result_token("genai-evidence-controls", "AQoDYXdzEJr1+opaque/blob==");
    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": [evaluation("b", "COMPLIANT", 1.0)], "ResultToken": "AQoDYXdzEJr1+opaque/blob=="}),
    )
    .await;
    assert_eq!(a.body, json!({"FailedEvaluations": []}));
    assert_eq!(results(&emu, "genai-evidence-controls").await.len(), 1);
}

#[tokio::test]
#[should_panic(expected = "already registered for rule")]
async fn registering_one_token_for_two_rules_panics() {
    let emu = start().await;
    emu.register_result_token("rule-a", "token-1");
    emu.register_result_token("rule-b", "token-1");
}

#[tokio::test]
async fn the_result_token_route_rejects_bad_bodies() {
    let emu = start().await;
    let long = "r".repeat(129);
    for (body, expected) in [
        (json!([]), "JSON object"),
        (json!({}), "configRuleName is required"),
        (json!({"configRuleName": ""}), "non-empty"),
        (json!({"configRuleName": "  "}), "non-whitespace"),
        (json!({"configRuleName": 7}), "must be a string"),
        (json!({"configRuleName": long}), "at most 128"),
        (
            json!({"configRuleName": "r", "resultToken": ""}),
            "resultToken",
        ),
        (
            json!({"configRuleName": "r", "resultToken": 1}),
            "resultToken",
        ),
        (json!({"configRuleName": "r", "token": "t"}), "unknown key"),
    ] {
        let a = result_token_route(&emu, body.clone()).await;
        assert_eq!(a.status, 400, "{body}");
        let message = a.body["message"].as_str().unwrap();
        assert!(message.contains(expected), "{body}: {message}");
    }
    let a = send(
        emu.local_addr(),
        Method::POST,
        "/_emulator/config/result-tokens",
        &[],
        b"not json".to_vec(),
    )
    .await;
    assert_eq!(a.status, 400);
    assert!(
        result_token_route(&emu, json!({"configRuleName": "r".repeat(128)}))
            .await
            .status
            == 200
    );
    result_token_route(&emu, json!({"configRuleName": "a", "resultToken": "t"})).await;
    let a = result_token_route(&emu, json!({"configRuleName": "b", "resultToken": "t"})).await;
    assert_eq!(a.status, 400, "a token belongs to one rule");
    assert!(a.body["message"].as_str().unwrap().contains("\"a\""));
    let a = get(&emu, "/_emulator/config/result-tokens").await;
    assert_eq!(a.status, 404);
}

#[tokio::test]
async fn compliance_details_of_an_unknown_rule_are_no_such_config_rule_exception() {
    let emu = start().await;
    let a = config(
        &emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": "never-created"}),
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(a.headers["content-type"], "application/x-amz-json-1.1");
    assert_eq!(a.body["__type"], "NoSuchConfigRuleException");
    assert!(
        a.body["message"]
            .as_str()
            .unwrap()
            .contains("'never-created'"),
        "{}",
        a.body
    );
    emu.issue_result_token("never-created");
    assert!(results(&emu, "never-created").await.is_empty());
}

#[tokio::test]
async fn compliance_details_take_rule_names_of_at_most_64_characters() {
    let emu = start().await;
    let name = "r".repeat(65);
    emu.issue_result_token(&name);
    let a = config(
        &emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": name}),
    )
    .await;
    assert_eq!(a.body["__type"], "ValidationException");
    let name = "r".repeat(64);
    emu.issue_result_token(&name);
    assert!(results(&emu, &name).await.is_empty());
}

#[tokio::test]
async fn the_newest_ordering_timestamp_wins() {
    let emu = start().await;
    let token = emu.issue_result_token("secai33-kms");
    let put = |evals: Vec<Value>| {
        config(
            &emu,
            "PutEvaluations",
            json!({"Evaluations": evals, "ResultToken": token}),
        )
    };
    put(vec![evaluation("bucket", "NON_COMPLIANT", 1_000.0)]).await;
    put(vec![evaluation("bucket", "COMPLIANT", 2_000.5)]).await;
    let a = put(vec![evaluation("bucket", "NON_COMPLIANT", 1_500.0)]).await;
    assert_eq!(
        a.body,
        json!({"FailedEvaluations": []}),
        "an older evaluation is ignored, not failed"
    );
    let r = results(&emu, "secai33-kms").await;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["ComplianceType"], "COMPLIANT");
    assert_eq!(r[0]["Annotation"], "COMPLIANT at 2000.5");
    assert_eq!(
        r[0]["EvaluationResultIdentifier"]["OrderingTimestamp"],
        2_000.5
    );
    let q = &r[0]["EvaluationResultIdentifier"]["EvaluationResultQualifier"];
    assert_eq!(q["ConfigRuleName"], "secai33-kms");
    assert_eq!(q["ResourceType"], "AWS::S3::Bucket");
    assert_eq!(q["ResourceId"], "bucket");
    assert_eq!(r[0]["ResultToken"], token.as_str());
    assert!(r[0]["ResultRecordedTime"].is_number());
    emu.issue_result_token("other-rule");
    assert!(results(&emu, "other-rule").await.is_empty());
}

#[tokio::test]
async fn test_mode_accepts_any_token_validates_and_stores_nothing() {
    let emu = start().await;
    let token = emu.issue_result_token("r");
    for any in ["TESTMODE", "never-issued", token.as_str()] {
        let a = config(
            &emu,
            "PutEvaluations",
            json!({"Evaluations": [evaluation("b", "COMPLIANT", 1.0)], "ResultToken": any, "TestMode": true}),
        )
        .await;
        assert_eq!(a.status, 200, "{any}: {}", a.body);
        assert_eq!(a.body, json!({"FailedEvaluations": []}));
    }
    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": [evaluation("b", "INSUFFICIENT_DATA", 1.0)], "ResultToken": "TESTMODE", "TestMode": true}),
    )
    .await;
    assert_eq!(a.body["__type"], "InvalidParameterValueException");
    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": [], "ResultToken": "", "TestMode": true}),
    )
    .await;
    assert_eq!(a.body["__type"], "InvalidParameterValueException");
    assert!(results(&emu, "r").await.is_empty());
    let a = config(
        &emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": "TESTMODE"}),
    )
    .await;
    assert_eq!(
        a.body["__type"], "NoSuchConfigRuleException",
        "a TestMode token makes no rule known"
    );
}

#[tokio::test]
async fn injected_evaluation_failures_come_back_in_failed_evaluations() {
    let emu = start().await;
    let token = emu.issue_result_token("r");
    emu.faults().fail_next_evaluations(1);
    let evals = vec![
        evaluation("a", "COMPLIANT", 1.0),
        evaluation("b", "NON_COMPLIANT", 1.0),
    ];
    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": evals.clone(), "ResultToken": token}),
    )
    .await;
    assert_eq!(a.body["FailedEvaluations"], json!([evals[0]]));
    let r = results(&emu, "r").await;
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0]["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"],
        "b"
    );
}

#[tokio::test]
async fn failed_evaluations_echo_only_the_members_of_the_model() {
    let emu = start().await;
    let token = emu.issue_result_token("r");
    emu.faults().fail_next_evaluations(1);
    let mut sent = evaluation("a", "COMPLIANT", 1.0);
    sent["NotInTheModel"] = json!("x");
    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": [sent], "ResultToken": token}),
    )
    .await;
    assert_eq!(
        a.body["FailedEvaluations"],
        json!([evaluation("a", "COMPLIANT", 1.0)])
    );
}

#[tokio::test]
async fn import_errors_echo_only_the_field_an_item_sets() {
    let emu = start().await;
    let control = control_id(&emu, "Secure", "Least Privilege");
    emu.faults().fail_next_items(1);
    let items = json!([{"textResponse": "a", "s3ResourcePath": null, "extra": 1}]);
    let a = import(&emu, DEMO_ASSESSMENT_ID, "Secure", &control, items).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body["errors"][0]["manualEvidence"],
        json!({"textResponse": "a"})
    );
}

#[tokio::test]
async fn compliance_details_are_sorted_filtered_and_paginated() {
    let emu = start().await;
    let token = emu.issue_result_token("r");
    let evals = vec![
        evaluation("c", "COMPLIANT", 1.0),
        evaluation("a", "NON_COMPLIANT", 1.0),
        evaluation("b", "COMPLIANT", 1.0),
    ];
    config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": evals, "ResultToken": token}),
    )
    .await;
    let a = config(
        &emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": "r", "Limit": 2}),
    )
    .await;
    let ids = |v: &Value| -> Vec<String> {
        v["EvaluationResults"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(ids(&a.body), ["a", "b"]);
    let next = a.body["NextToken"].as_str().unwrap();
    let a = config(
        &emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": "r", "Limit": 2, "NextToken": next}),
    )
    .await;
    assert_eq!(ids(&a.body), ["c"]);
    assert!(a.body.get("NextToken").is_none());
    let a = config(
        &emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": "r", "ComplianceTypes": ["NON_COMPLIANT"]}),
    )
    .await;
    assert_eq!(ids(&a.body), ["a"]);
    let a = config(
        &emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": "r", "Limit": 101}),
    )
    .await;
    assert_eq!(a.body["__type"], "ValidationException");
    let a = config(
        &emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": "r", "NextToken": "forged"}),
    )
    .await;
    assert_eq!(a.body["__type"], "InvalidNextTokenException");
}

#[tokio::test]
async fn other_config_operations_without_an_upstream_are_unknown() {
    let emu = start().await;
    let a = config(&emu, "DescribeConfigRules", json!({})).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["__type"], "UnknownOperationException");
    assert_eq!(emu.calls("DescribeConfigRules"), 1);
    let a = config(
        &emu,
        "PutConfigRule",
        json!({"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "CUSTOM_LAMBDA"}}}),
    )
    .await;
    assert_eq!(a.body["__type"], "UnknownOperationException");
    let a = config(
        &emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": "r"}),
    )
    .await;
    assert_eq!(
        a.body["__type"], "NoSuchConfigRuleException",
        "a PutConfigRule nobody served creates no rule"
    );
}

/// A one-route upstream that echoes what it received, with HTTP status `status`.
async fn echo_upstream(status: u16) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |req: Request<Incoming>| async move {
                        let method = req.method().to_string();
                        let uri = req.uri().to_string();
                        let target = req
                            .headers()
                            .get("x-amz-target")
                            .map(|v| v.to_str().unwrap().to_owned());
                        let auth = req
                            .headers()
                            .get("authorization")
                            .map(|v| v.to_str().unwrap().to_owned());
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        let echo = json!({
                            "method": method,
                            "uri": uri,
                            "target": target,
                            "authorization": auth,
                            "body": String::from_utf8_lossy(&body),
                        });
                        let resp = Response::builder()
                            .status(status)
                            .header("content-type", "application/x-amz-json-1.1")
                            .header("x-upstream", "moto-stand-in")
                            .body(Full::new(Bytes::from(serde_json::to_vec(&echo).unwrap())))
                            .unwrap();
                        Ok::<_, Infallible>(resp)
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn other_config_operations_are_forwarded_verbatim_to_the_upstream() {
    let upstream = echo_upstream(202).await;
    let emu = Emulator::start(Seed::default_genai(), Some(format!("http://{upstream}")))
        .await
        .unwrap();
    let body = br#"{"ConfigRuleNames":["secai33-kms"]}"#.to_vec();
    let a = send(
        emu.local_addr(),
        Method::POST,
        "/?x=1",
        &[
            ("x-amz-target", "StarlingDoveService.DescribeConfigRules"),
            ("authorization", "AWS4-HMAC-SHA256 Credential=test"),
            ("content-type", "application/x-amz-json-1.1"),
        ],
        body,
    )
    .await;
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.raw));
    assert_eq!(a.headers["x-upstream"], "moto-stand-in");
    assert_eq!(a.body["method"], "POST");
    assert_eq!(a.body["uri"], "/?x=1");
    assert_eq!(a.body["target"], "StarlingDoveService.DescribeConfigRules");
    assert_eq!(a.body["authorization"], "AWS4-HMAC-SHA256 Credential=test");
    assert_eq!(a.body["body"], r#"{"ConfigRuleNames":["secai33-kms"]}"#);
    assert_eq!(emu.calls("DescribeConfigRules"), 1);

    // The two operations the emulator implements itself are not forwarded.
    let token = emu.issue_result_token("r");
    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": [], "ResultToken": token}),
    )
    .await;
    assert_eq!(a.status, 200);
    assert!(a.headers.get("x-upstream").is_none());
    let a = config(
        &emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": "r"}),
    )
    .await;
    assert_eq!(a.status, 200);
    assert!(a.headers.get("x-upstream").is_none());
}

#[tokio::test]
async fn a_put_config_rule_the_upstream_accepts_makes_the_rule_known() {
    let upstream = echo_upstream(200).await;
    let emu = Emulator::start(Seed::default_genai(), Some(format!("http://{upstream}")))
        .await
        .unwrap();
    let a = config(
        &emu,
        "PutConfigRule",
        json!({"ConfigRule": {"ConfigRuleName": "genai-evidence-controls", "Source": {"Owner": "CUSTOM_LAMBDA"}}}),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.headers["x-upstream"], "moto-stand-in", "forwarded");
    assert!(results(&emu, "genai-evidence-controls").await.is_empty());
    // Knowing the rule does not make an unregistered token valid.
    let a = config(
        &emu,
        "PutEvaluations",
        json!({"Evaluations": [evaluation("b", "COMPLIANT", 1.0)], "ResultToken": "genai-evidence-controls.1"}),
    )
    .await;
    assert_eq!(a.body["__type"], "InvalidResultTokenException");
}

#[tokio::test]
async fn a_put_config_rule_the_upstream_rejects_creates_no_rule() {
    let upstream = echo_upstream(400).await;
    let emu = Emulator::start(Seed::default_genai(), Some(format!("http://{upstream}")))
        .await
        .unwrap();
    let a = config(
        &emu,
        "PutConfigRule",
        json!({"ConfigRule": {"ConfigRuleName": "rejected", "Source": {"Owner": "CUSTOM_LAMBDA"}}}),
    )
    .await;
    assert_eq!(a.status, 400);
    let a = config(
        &emu,
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": "rejected"}),
    )
    .await;
    assert_eq!(a.body["__type"], "NoSuchConfigRuleException");
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_bad_gateway() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let emu = Emulator::start(
        Seed::default_genai(),
        Some(format!("http://127.0.0.1:{port}")),
    )
    .await
    .unwrap();
    let a = config(&emu, "DescribeConfigRules", json!({})).await;
    assert_eq!(a.status, 502);
    assert_eq!(a.body["__type"], "InternalFailure");
}

// ---------------------------------------------------------------- AWS Config: accounts

/// A SigV4 `Authorization` header of Config, signed (not really) with access key `key`.
fn signed_by(key: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/config/aws4_request, SignedHeaders=host;x-amz-date, Signature=0f"
    )
}

/// `config`, signed with access key `key`.
async fn config_as(emu: &Emulator, key: &str, op: &str, body: Value) -> Answer {
    let target = format!("StarlingDoveService.{op}");
    let auth = signed_by(key);
    send(
        emu.local_addr(),
        Method::POST,
        "/",
        &[
            ("x-amz-target", target.as_str()),
            ("content-type", "application/x-amz-json-1.1"),
            ("authorization", auth.as_str()),
            ("x-amz-security-token", "session-token"),
        ],
        serde_json::to_vec(&body).unwrap(),
    )
    .await
}

/// The resource ids and compliance of the results of `rule` that the caller signing with `key`
/// (or an unsigned caller, for `None`) reads back.
async fn results_as(emu: &Emulator, key: Option<&str>, rule: &str) -> Vec<(String, String)> {
    let body = json!({"ConfigRuleName": rule});
    let a = match key {
        Some(key) => config_as(emu, key, "GetComplianceDetailsByConfigRule", body).await,
        None => config(emu, "GetComplianceDetailsByConfigRule", body).await,
    };
    assert_eq!(a.status, 200, "{}", a.body);
    a.body["EvaluationResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                r["ComplianceType"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// What the STS stand-in received: one entry per `GetCallerIdentity`, with the access key id,
/// the credential scope's service and the session token.
type Lookups = std::sync::Arc<std::sync::Mutex<Vec<(String, String, Option<String>)>>>;

/// A stand-in for moto's STS: `GetCallerIdentity` names account 111111111111 for keys starting
/// `ASIA1`, 222222222222 for `ASIA2`, answers HTTP 500 for `ASIABROKEN`, an XML answer without
/// an account for `ASIAGARBLED`, and moto's default account for any other key.
async fn sts_upstream() -> (SocketAddr, Lookups) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let lookups = Lookups::default();
    let seen = Lookups::clone(&lookups);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let seen = Lookups::clone(&seen);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let seen = Lookups::clone(&seen);
                    async move {
                        let header = |name: &str| {
                            req.headers()
                                .get(name)
                                .map(|v| v.to_str().unwrap().to_owned())
                        };
                        assert_eq!(
                            header("content-type").as_deref(),
                            Some("application/x-www-form-urlencoded")
                        );
                        assert_eq!(header("x-amz-target"), None);
                        let auth = header("authorization").unwrap();
                        let token = header("x-amz-security-token");
                        let scope = auth
                            .split("Credential=")
                            .nth(1)
                            .unwrap()
                            .split(',')
                            .next()
                            .unwrap()
                            .to_owned();
                        let parts: Vec<&str> = scope.split('/').collect();
                        let (key, service) = (parts[0].to_owned(), parts[3].to_owned());
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        assert_eq!(&body[..], b"Action=GetCallerIdentity&Version=2011-06-15");
                        seen.lock()
                            .unwrap()
                            .push((key.clone(), service.clone(), token));
                        let account = if key.starts_with("ASIA1") {
                            "111111111111"
                        } else if key.starts_with("ASIA2") {
                            "222222222222"
                        } else {
                            "123456789012"
                        };
                        let (status, xml) = match key.as_str() {
                            "ASIABROKEN" => (500, "<Error>boom</Error>".to_owned()),
                            "ASIAGARBLED" => (200, "<GetCallerIdentityResponse/>".to_owned()),
                            _ if service != "sts" => (500, "not an STS request".to_owned()),
                            _ => (
                                200,
                                format!(
                                    "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>{account}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"
                                ),
                            ),
                        };
                        let resp = Response::builder()
                            .status(status)
                            .header("content-type", "text/xml")
                            .body(Full::new(Bytes::from(xml)))
                            .unwrap();
                        Ok::<_, Infallible>(resp)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, lookups)
}

async fn start_with_sts() -> (Emulator, Lookups) {
    let (sts, lookups) = sts_upstream().await;
    let emu = Emulator::start(Seed::default_genai(), Some(format!("http://{sts}")))
        .await
        .unwrap();
    (emu, lookups)
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(id, c)| ((*id).to_owned(), (*c).to_owned()))
        .collect()
}

#[tokio::test]
async fn each_account_reads_back_only_the_evaluations_its_credentials_put() {
    let (emu, lookups) = start_with_sts().await;
    let token = emu.issue_result_token("org-rule");
    for (key, compliance, own) in [
        ("ASIA1MEMBER", "COMPLIANT", "only-in-111"),
        ("ASIA2MEMBER", "NON_COMPLIANT", "only-in-222"),
    ] {
        let a = config_as(
            &emu,
            key,
            "PutEvaluations",
            json!({
                "Evaluations": [evaluation("shared-bucket", compliance, 10.0), evaluation(own, compliance, 10.0)],
                "ResultToken": token,
            }),
        )
        .await;
        assert_eq!(a.body, json!({"FailedEvaluations": []}));
    }
    assert_eq!(
        results_as(&emu, Some("ASIA1MEMBER"), "org-rule").await,
        pairs(&[("only-in-111", "COMPLIANT"), ("shared-bucket", "COMPLIANT")])
    );
    assert_eq!(
        results_as(&emu, Some("ASIA2MEMBER"), "org-rule").await,
        pairs(&[
            ("only-in-222", "NON_COMPLIANT"),
            ("shared-bucket", "NON_COMPLIANT")
        ])
    );
    // Another key of the same account reads the same evaluations.
    assert_eq!(
        results_as(&emu, Some("ASIA1OTHERSESSION"), "org-rule")
            .await
            .len(),
        2
    );
    // The default account (moto's default credentials, or an unsigned caller) sees neither.
    assert!(
        results_as(&emu, Some("testing"), "org-rule")
            .await
            .is_empty()
    );
    assert!(results_as(&emu, None, "org-rule").await.is_empty());

    let seen = lookups.lock().unwrap().clone();
    let keys: Vec<&str> = seen.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["ASIA1MEMBER", "ASIA2MEMBER", "ASIA1OTHERSESSION", "testing"],
        "one look-up per access key: the answer is cached, an unsigned caller is not looked up"
    );
    assert!(
        seen.iter().all(
            |(_, service, token)| service == "sts" && token.as_deref() == Some("session-token")
        ),
        "{seen:?}"
    );
}

#[tokio::test]
async fn an_account_pages_through_its_own_evaluations_only() {
    let (emu, _) = start_with_sts().await;
    let token = emu.issue_result_token("org-rule");
    for (key, n) in [("ASIA1MEMBER", 3), ("ASIA2MEMBER", 4)] {
        let evaluations: Vec<Value> = (0..n)
            .map(|i| evaluation(&format!("{key}-{i}"), "COMPLIANT", 1.0))
            .collect();
        config_as(
            &emu,
            key,
            "PutEvaluations",
            json!({"Evaluations": evaluations, "ResultToken": token}),
        )
        .await;
    }
    let mut ids = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut body = json!({"ConfigRuleName": "org-rule", "Limit": 2});
        if let Some(next) = &next {
            body["NextToken"] = json!(next);
        }
        let a = config_as(
            &emu,
            "ASIA2MEMBER",
            "GetComplianceDetailsByConfigRule",
            body,
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.body);
        for r in a.body["EvaluationResults"].as_array().unwrap() {
            ids.push(
                r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        next = a.body["NextToken"].as_str().map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    assert_eq!(
        ids,
        [
            "ASIA2MEMBER-0",
            "ASIA2MEMBER-1",
            "ASIA2MEMBER-2",
            "ASIA2MEMBER-3"
        ]
    );
}

#[tokio::test]
async fn an_unreadable_identity_answer_is_the_default_account_and_is_asked_again() {
    let (emu, lookups) = start_with_sts().await;
    let token = emu.issue_result_token("org-rule");
    for key in ["ASIABROKEN", "ASIAGARBLED"] {
        config_as(
            &emu,
            key,
            "PutEvaluations",
            json!({"Evaluations": [evaluation(key, "COMPLIANT", 1.0)], "ResultToken": token}),
        )
        .await;
    }
    assert_eq!(
        results_as(&emu, None, "org-rule").await,
        pairs(&[("ASIABROKEN", "COMPLIANT"), ("ASIAGARBLED", "COMPLIANT")]),
        "both fell back to the default account"
    );
    assert_eq!(
        results_as(&emu, Some("ASIABROKEN"), "org-rule").await.len(),
        2
    );
    let keys: Vec<String> = lookups
        .lock()
        .unwrap()
        .iter()
        .map(|(k, _, _)| k.clone())
        .collect();
    assert_eq!(
        keys,
        ["ASIABROKEN", "ASIAGARBLED", "ASIABROKEN"],
        "a failed look-up is not cached"
    );
}

#[tokio::test]
async fn without_an_upstream_every_caller_shares_the_default_account() {
    let emu = start().await;
    let token = emu.issue_result_token("org-rule");
    config_as(
        &emu,
        "ASIA1MEMBER",
        "PutEvaluations",
        json!({"Evaluations": [evaluation("b", "COMPLIANT", 1.0)], "ResultToken": token}),
    )
    .await;
    assert_eq!(
        results_as(&emu, Some("ASIA2MEMBER"), "org-rule").await,
        pairs(&[("b", "COMPLIANT")])
    );
    assert_eq!(results_as(&emu, None, "org-rule").await.len(), 1);
    assert_eq!(aws_emulator::DEFAULT_ACCOUNT_ID, "123456789012");
}

#[tokio::test]
async fn test_mode_and_the_rule_checks_hold_in_every_account() {
    let (emu, _) = start_with_sts().await;
    let a = config_as(
        &emu,
        "ASIA1MEMBER",
        "GetComplianceDetailsByConfigRule",
        json!({"ConfigRuleName": "never-created"}),
    )
    .await;
    assert_eq!(a.body["__type"], "NoSuchConfigRuleException");
    let a = config_as(
        &emu,
        "ASIA1MEMBER",
        "PutEvaluations",
        json!({"Evaluations": [evaluation("b", "COMPLIANT", 1.0)], "ResultToken": "never-issued"}),
    )
    .await;
    assert_eq!(a.body["__type"], "InvalidResultTokenException");
    emu.issue_result_token("org-rule");
    let a = config_as(
        &emu,
        "ASIA1MEMBER",
        "PutEvaluations",
        json!({"Evaluations": [evaluation("b", "COMPLIANT", 1.0)], "ResultToken": "any", "TestMode": true}),
    )
    .await;
    assert_eq!(a.body, json!({"FailedEvaluations": []}));
    assert!(
        results_as(&emu, Some("ASIA1MEMBER"), "org-rule")
            .await
            .is_empty()
    );
}

// ---------------------------------------------------------------- The binary

#[test]
fn the_binary_prints_its_endpoint_and_exits_on_stdin_eof() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_aws-emulator"))
        .args(["--port", "0", "--exit-on-stdin-eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line
        .trim_end()
        .strip_prefix("listening on http://")
        .unwrap()
        .to_owned();
    let addr: SocketAddr = endpoint.parse().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let a = rt.block_on(send(
        addr,
        Method::GET,
        &format!("/assessments/{DEMO_ASSESSMENT_ID}"),
        &[],
        Vec::new(),
    ));
    assert_eq!(a.status, 200);
    drop(child.stdin.take());
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    panic!("the emulator did not exit after stdin closed");
}
