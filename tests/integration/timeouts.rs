//! A hanging endpoint costs seconds, not the invocation: every AWS call of the suite has a
//! connect, an attempt and an operation timeout (`genai_evidence::aws::Timeouts`), and a function
//! pointed at a port that accepts and never answers returns a clear, retryable timeout error.

use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_config::config::Credentials;
use genai_evidence::aws::{Timeouts, configure};
use genai_evidence::triggers::config_rule::ConfigRuleHandler;
use tokio::net::TcpListener;

/// A port on 127.0.0.1 that accepts connections and never answers (held until the test ends).
async fn hanging_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_function_pointed_at_an_endpoint_that_never_answers_fails_fast_with_a_clear_timeout() {
    let timeouts = Timeouts {
        connect: Duration::from_secs(1),
        attempt: Duration::from_millis(500),
        operation: Duration::from_secs(2),
    };
    let conf = configure(aws_config::defaults(BehaviorVersion::latest()), timeouts)
        .endpoint_url(hanging_endpoint().await)
        .region(Region::new(rig::REGION))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .load()
        .await;
    let handler = ConfigRuleHandler::new(aws_sdk_config::Client::new(&conf), Vec::new());
    let started = Instant::now();
    let error = handler
        .handle(&rig::event("config-scheduled"))
        .await
        .expect_err("the listing cannot succeed");
    let took = started.elapsed();

    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(error.error_type(), "Retryable", "{error}");
    let text = error.to_string();
    assert!(text.contains("config:ListDiscoveredResources"), "{text}");
    assert!(
        text.to_lowercase().contains("timeout") || text.contains("timed out"),
        "{text}"
    );
}

#[test]
fn a_call_gives_up_well_within_every_functions_timeout() {
    let t = crate::template::template();
    let global = t["Globals"]["Function"]["Timeout"].as_u64().unwrap();
    let functions: Vec<(&String, u64)> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(name, r)| (name, r["Properties"]["Timeout"].as_u64().unwrap_or(global)))
        .collect();
    assert!(functions.len() >= 3);
    let operation = Timeouts::FUNCTIONS.operation.as_secs();
    assert!(Timeouts::FUNCTIONS.attempt < Timeouts::FUNCTIONS.operation);
    for (name, timeout) in functions {
        assert!(
            operation * 2 <= timeout,
            "{name}: a call may take {operation} s, the function has {timeout} s"
        );
    }
}
