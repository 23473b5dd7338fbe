//! An in-process SMTP sink for tests: a tokio task on 127.0.0.1 that speaks just enough
//! SMTP (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) to accept mail
//! from lettre, records every message with its envelope, and can be told to refuse or to
//! stall ([`Stall`]: go silent, trickle bytes, never answer DATA or AUTH), so the mailer's
//! deadline can be tested against a hostile server.
//!
//! It is not a mail server: no real AUTH (only offered when stalling at it), no TLS, no size
//! limits, no relaying.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One accepted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// Envelope sender (inside the angle brackets of `MAIL FROM`).
    pub from: String,
    /// Envelope recipients, in `RCPT TO` order.
    pub to: Vec<String>,
    /// The message as transmitted, dot-unstuffed, CRLF line ends, without the final `.`.
    pub data: Vec<u8>,
}

/// The SMTP command at which a refusal is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reply to `RCPT TO`.
    Rcpt,
    /// Reply after the message data (the end-of-data dot).
    Data,
}

/// How the sink misbehaves on new connections, holding each one open without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stall {
    /// Accept the connection and say nothing, not even the greeting.
    SilentAfterConnect,
    /// Read the whole message after DATA, then never answer it.
    InData,
    /// Send an endless multi-line greeting one byte at a time, so every read gets data but
    /// the reply never ends.
    ByteTrickle,
    /// Offer AUTH in the EHLO reply, then never answer the AUTH command.
    Auth,
}

/// Pause between two trickled bytes.
const TRICKLE_PAUSE: std::time::Duration = std::time::Duration::from_millis(20);

#[derive(Debug, Default)]
struct State {
    messages: Vec<ReceivedMessage>,
    /// (stage, reply code) for the next commands at that stage, consumed in order.
    refusals: VecDeque<(Stage, u16)>,
    /// Recipients always refused with the given code.
    refused_recipients: Vec<(String, u16)>,
    connections: usize,
    /// Misbehaviour for new connections; `None` serves normally.
    stall: Option<Stall>,
    /// How many connections reached the point where the sink began to stall.
    stalls_begun: usize,
}

/// A running sink. Dropping it stops accepting new connections.
#[derive(Debug)]
pub struct SmtpSink {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    accept_task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panicking connection task must not hide what was recorded.
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SmtpSink {
    /// Bind 127.0.0.1 on a free port and start accepting.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind sink");
        let addr = listener.local_addr().expect("sink address");
        let state = Arc::new(Mutex::new(State::default()));
        let task_state = Arc::clone(&state);
        let accept_task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                lock(&task_state).connections += 1;
                tokio::spawn(serve(stream, Arc::clone(&task_state)));
            }
        });
        SmtpSink {
            addr,
            state,
            accept_task,
        }
    }

    /// The port lettre should connect to.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every message accepted so far.
    pub fn messages(&self) -> Vec<ReceivedMessage> {
        lock(&self.state).messages.clone()
    }

    /// How many connections were opened so far.
    pub fn connections(&self) -> usize {
        lock(&self.state).connections
    }

    /// Reply `code` (e.g. 451 or 550) to the next `times` commands at `stage`.
    pub fn refuse_next(&self, stage: Stage, code: u16, times: usize) {
        let mut state = lock(&self.state);
        for _ in 0..times {
            state.refusals.push_back((stage, code));
        }
    }

    /// Misbehave as `stall` says on connections opened from now on (`None`: serve normally).
    pub fn stall(&self, stall: Option<Stall>) {
        lock(&self.state).stall = stall;
    }

    /// How many connections reached the point where the sink began to stall, so a test knows
    /// the client got stuck where it meant it to.
    pub fn stalls_begun(&self) -> usize {
        lock(&self.state).stalls_begun
    }

    /// Always reply `code` to `RCPT TO:<address>`.
    pub fn refuse_recipient(&self, address: &str, code: u16) {
        lock(&self.state)
            .refused_recipients
            .push((address.to_ascii_lowercase(), code));
    }
}

/// Take the next refusal if it is for `stage`.
fn take_refusal(state: &Mutex<State>, stage: Stage) -> Option<u16> {
    let mut state = lock(state);
    match state.refusals.front() {
        Some((queued, code)) if *queued == stage => {
            let code = *code;
            state.refusals.pop_front();
            Some(code)
        }
        _ => None,
    }
}

/// The address between `<` and `>` of a MAIL/RCPT argument.
fn angle_address(argument: &str) -> String {
    let start = argument.find('<').map_or(0, |i| i + 1);
    let end = argument[start..]
        .find('>')
        .map_or(argument.len(), |i| start + i);
    argument[start..end].to_owned()
}

fn refusal_reply(code: u16) -> String {
    format!("{code} sink refuses (test)\r\n")
}

/// Note that a stall began, then hold the connection open forever without answering.
async fn stall_forever(state: &Mutex<State>) {
    lock(state).stalls_begun += 1;
    std::future::pending::<()>().await;
}

/// Write `220-slow` continuation lines one byte at a time until the client hangs up.
async fn trickle<W: tokio::io::AsyncWrite + Unpin>(writer: &mut W, state: &Mutex<State>) {
    lock(state).stalls_begun += 1;
    for byte in b"220-slow\r\n".iter().cycle() {
        if writer.write_all(&[*byte]).await.is_err() || writer.flush().await.is_err() {
            return;
        }
        tokio::time::sleep(TRICKLE_PAUSE).await;
    }
}

async fn serve(stream: TcpStream, state: Arc<Mutex<State>>) {
    let (read_half, mut writer) = stream.into_split();
    let mut reader = BufReader::new(read_half);
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    let stall = lock(&state).stall;
    match stall {
        Some(Stall::SilentAfterConnect) => return stall_forever(&state).await,
        Some(Stall::ByteTrickle) => return trickle(&mut writer, &state).await,
        _ => {}
    }
    if writer.write_all(b"220 sink ESMTP test\r\n").await.is_err() {
        return;
    }
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end();
        let (verb, argument) = text.split_once([' ', ':']).unwrap_or((text, ""));
        let reply = match verb.to_ascii_uppercase().as_str() {
            "EHLO" if stall == Some(Stall::Auth) => {
                "250-sink\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".to_owned()
            }
            "EHLO" => "250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".to_owned(),
            "AUTH" if stall == Some(Stall::Auth) => return stall_forever(&state).await,
            "HELO" => "250 sink\r\n".to_owned(),
            "MAIL" => {
                from = Some(angle_address(argument));
                to.clear();
                "250 OK\r\n".to_owned()
            }
            "RCPT" if from.is_none() => "503 MAIL first\r\n".to_owned(),
            "RCPT" => {
                let address = angle_address(argument);
                let listed = lock(&state)
                    .refused_recipients
                    .iter()
                    .find(|(refused, _)| *refused == address.to_ascii_lowercase())
                    .map(|(_, code)| *code);
                match listed.or_else(|| take_refusal(&state, Stage::Rcpt)) {
                    Some(code) => refusal_reply(code),
                    None => {
                        to.push(address);
                        "250 OK\r\n".to_owned()
                    }
                }
            }
            "DATA" if to.is_empty() => "503 RCPT first\r\n".to_owned(),
            "DATA" => {
                if writer
                    .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let Some(data) = read_data(&mut reader).await else {
                    return;
                };
                if stall == Some(Stall::InData) {
                    return stall_forever(&state).await;
                }
                let reply = match take_refusal(&state, Stage::Data) {
                    Some(code) => refusal_reply(code),
                    None => {
                        lock(&state).messages.push(ReceivedMessage {
                            from: from.clone().unwrap_or_default(),
                            to: to.clone(),
                            data,
                        });
                        "250 OK queued\r\n".to_owned()
                    }
                };
                from = None;
                to.clear();
                reply
            }
            "RSET" => {
                from = None;
                to.clear();
                "250 OK\r\n".to_owned()
            }
            "NOOP" => "250 OK\r\n".to_owned(),
            "QUIT" => {
                let _ = writer.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => "502 command not implemented\r\n".to_owned(),
        };
        if writer.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Read message lines up to the lone `.`, removing the leading dot of stuffed lines.
async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        if line == b".\r\n" || line == b".\n" {
            return Some(data);
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        data.extend_from_slice(unstuffed);
    }
}
