//! A proxy on a free port of 127.0.0.1 that forwards HTTP/1.1 requests to one upstream one at a
//! time. moto's DynamoDB evaluates a write's condition and then writes without a lock, so two
//! concurrent conditional writes on one item can both pass under its threaded server; DynamoDB's
//! are atomic per item. Race tests put the ledger's client behind this proxy so that moto holds
//! the guarantee the code relies on (a request is done before the next one starts).
//!
//! One request per connection: the request is read by its `Content-Length` (the JSON protocols'
//! bodies), forwarded with `Connection: close`, and the answer (read to the upstream's end)
//! returned with `Connection: close`; the SDK reconnects for the next request.

use std::io;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// Largest request head read.
const MAX_HEAD: usize = 64 * 1024;

/// A running proxy; dropping it stops it.
#[derive(Debug)]
pub struct SerialProxy {
    endpoint: String,
    accept: JoinHandle<()>,
}

impl SerialProxy {
    /// Starts a proxy in front of `upstream` (`http://127.0.0.1:PORT`).
    pub async fn start(upstream: &str) -> io::Result<Self> {
        let upstream = upstream
            .strip_prefix("http://")
            .ok_or_else(|| io::Error::other(format!("not an http:// endpoint: {upstream}")))?
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let turn = Arc::new(Mutex::new(()));
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let turn = Arc::clone(&turn);
                tokio::spawn(async move {
                    if let Err(e) = exchange(client, &upstream, &turn).await {
                        tracing::debug!(error = %e, "serial proxy exchange failed");
                    }
                });
            }
        });
        Ok(Self { endpoint, accept })
    }

    /// The proxy's endpoint URL.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }
}

impl Drop for SerialProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// The end of the head (after `\r\n\r\n`) in `buf`, if it is there.
fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// `head` with its `Connection` and `Keep-Alive` headers replaced by `Connection: close`.
fn closing(head: &str) -> String {
    let mut lines: Vec<&str> = head
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .filter(|l| {
            let name = l.split(':').next().unwrap_or_default().trim();
            !name.eq_ignore_ascii_case("connection") && !name.eq_ignore_ascii_case("keep-alive")
        })
        .collect();
    lines.push("Connection: close");
    format!("{}\r\n\r\n", lines.join("\r\n"))
}

async fn exchange(mut client: TcpStream, upstream: &str, turn: &Mutex<()>) -> io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let end = loop {
        if let Some(end) = head_end(&buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::other("request head too large"));
        }
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let length: usize = head
        .split("\r\n")
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < end + length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::other("request body cut short"));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let mut request = closing(&head).into_bytes();
    request.extend_from_slice(&buf[end..end + length]);

    let response = {
        let _turn = turn.lock().await;
        let mut up = TcpStream::connect(upstream).await?;
        up.write_all(&request).await?;
        let mut response = Vec::new();
        up.read_to_end(&mut response).await?;
        response
    };
    let end = head_end(&response).ok_or_else(|| io::Error::other("no response head"))?;
    let head = String::from_utf8_lossy(&response[..end]).into_owned();
    client.write_all(closing(&head).as_bytes()).await?;
    client.write_all(&response[end..]).await?;
    client.shutdown().await
}
