//! Verbatim forwarding of requests the emulator does not implement to an upstream emulator
//! (moto), over a fresh HTTP/1.1 connection per request; the same connection code also carries
//! the emulator's own requests to it (the caller-identity look-ups of [`crate::accounts`]).

use std::io;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::http::HttpResponse;

/// How long one forwarded exchange may take.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(30);

/// An upstream `http://host:port[/base]` endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Upstream {
    authority: String,
    base_path: String,
}

/// Headers that describe one connection, not the message; never forwarded.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
    // The body is re-sent in full; hyper computes the length again.
    headers.remove(header::CONTENT_LENGTH);
}

impl Upstream {
    /// Parses `http://host:port` (a path prefix is kept; `https` is not supported).
    pub(crate) fn parse(url: &str) -> io::Result<Self> {
        let bad = |why: &str| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("upstream URL {url:?}: {why}"),
            )
        };
        let uri: Uri = url.parse().map_err(|_| bad("not a URL"))?;
        if uri.scheme_str() != Some("http") {
            return Err(bad("only http:// is supported"));
        }
        let authority = uri.authority().ok_or_else(|| bad("no host"))?;
        let port = authority.port_u16().unwrap_or(80);
        Ok(Self {
            authority: format!("{}:{port}", authority.host()),
            base_path: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    /// Sends the request upstream and returns its answer as it is (minus hop-by-hop headers).
    pub(crate) async fn forward(&self, parts: &Parts, body: Bytes) -> Result<HttpResponse, String> {
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        self.send(
            parts.method.clone(),
            path,
            parts.headers.clone(),
            body,
            FORWARD_TIMEOUT,
        )
        .await
    }

    /// Sends `method path` (the base path is prefixed) with `headers` and `body` upstream and
    /// returns its answer (minus hop-by-hop headers), or why there is none within `timeout`.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        headers: HeaderMap,
        body: Bytes,
        timeout: Duration,
    ) -> Result<HttpResponse, String> {
        tokio::time::timeout(timeout, self.exchange(method, path, headers, body))
            .await
            .map_err(|_| format!("upstream {} did not answer in time", self.authority))?
    }

    async fn exchange(
        &self,
        method: Method,
        path: &str,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<HttpResponse, String> {
        let err = |e: &dyn std::fmt::Display| format!("upstream {}: {e}", self.authority);
        let stream = TcpStream::connect(&self.authority)
            .await
            .map_err(|e| err(&e))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
                .await
                .map_err(|e| err(&e))?;
        let driver = tokio::spawn(conn);

        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = format!("{}{path}", self.base_path)
            .parse()
            .map_err(|e| err(&e))?;
        *request.headers_mut() = headers;
        strip_hop_by_hop(request.headers_mut());
        if !request.headers().contains_key(header::HOST) {
            let host = HeaderValue::from_str(&self.authority).map_err(|e| err(&e))?;
            request.headers_mut().insert(header::HOST, host);
        }

        let response = sender.send_request(request).await.map_err(|e| err(&e))?;
        let (mut head, incoming) = response.into_parts();
        let bytes = incoming.collect().await.map_err(|e| err(&e))?.to_bytes();
        drop(sender);
        driver.abort();
        strip_hop_by_hop(&mut head.headers);
        Ok(Response::from_parts(head, Full::new(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_urls_are_parsed() {
        let u = Upstream::parse("http://127.0.0.1:5000").unwrap();
        assert_eq!(u.authority, "127.0.0.1:5000");
        assert_eq!(u.base_path, "");
        let u = Upstream::parse("http://localhost/moto/").unwrap();
        assert_eq!(u.authority, "localhost:80");
        assert_eq!(u.base_path, "/moto");
        assert!(Upstream::parse("https://x:1").is_err());
        assert!(Upstream::parse("not a url").is_err());
    }
}
