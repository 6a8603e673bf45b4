//! The HTTP listener: hyper connections under limits that hold against slow and idle clients.
//!
//! - at most `max_connections` open at once, kept below the process's descriptor limit, so the
//!   server never fails with "Too many open files". At the limit, a new connection takes the
//!   place of the one that has waited longest for a request head (idle, or sending its head
//!   slowly): those are what a slow-client attack holds, and they have nothing in progress;
//!   connections with a request in progress are never cut;
//! - a request head must arrive whole within `header_timeout` of its first byte;
//! - a connection with no request in progress is closed after `idle_timeout`;
//! - a request body must arrive whole within `body_timeout` (`RequestTimeoutException`, 408);
//! - an answer given before its request body was read says `Connection: close`, since the
//!   rest of the body cannot be told apart from the next request.

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http::{HeaderValue, Request, Response, header};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;
use tracing::Instrument;

/// Connection limits and timeouts (`--max-connections`, `--header-timeout`, ...).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub idle_timeout: Duration,
    /// The largest request head (request line and headers) read, in bytes.
    pub max_header_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_header_bytes: 64 * 1024,
        }
    }
}

/// Raises the soft limit on open descriptors to the hard limit, and returns how many
/// connections fit under it with room left for the database and files.
pub fn raise_descriptor_limit(wanted_connections: usize) -> usize {
    const RESERVED: u64 = 128;
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit read and write the struct we own; no other memory.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
                if lim.rlim_cur < lim.rlim_max {
                    let raised = libc::rlimit {
                        rlim_cur: lim.rlim_max,
                        rlim_max: lim.rlim_max,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                        lim.rlim_cur = lim.rlim_max;
                    }
                }
                let room = lim.rlim_cur.saturating_sub(RESERVED).max(16);
                let fits = usize::try_from(room).unwrap_or(usize::MAX);
                if fits < wanted_connections {
                    tracing::warn!(
                        wanted = wanted_connections,
                        allowed = fits,
                        "the descriptor limit (ulimit -n) allows fewer connections than configured"
                    );
                }
                return wanted_connections.min(fits);
            }
        }
    }
    let _ = RESERVED;
    wanted_connections
}

/// Serves `app` until `shutdown` fires, then lets requests in flight finish (up to 10 s).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let open = Arc::new(Registry::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let permit = match slots.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                open.evict_stalest();
                tokio::select! {
                    _ = &mut shutdown => break,
                    p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
                }
            }
        };
        let (stream, peer) = stream;
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let stop = stop_rx.clone();
        let open = open.clone();
        tokio::spawn(async move {
            let entry = open.add();
            serve_connection(stream, peer, app, limits, stop, &entry).await;
            open.remove(&entry);
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(10), slots.acquire_many(all)).await;
    Ok(())
}

/// The open connections, so that one can be asked to give way at the limit.
#[derive(Default)]
struct Registry {
    next: AtomicU64,
    entries: std::sync::Mutex<std::collections::HashMap<u64, Arc<Entry>>>,
}

struct Entry {
    id: u64,
    activity: Arc<Activity>,
    evict: tokio::sync::Notify,
}

impl Registry {
    fn add(&self) -> Arc<Entry> {
        let entry = Arc::new(Entry {
            id: self.next.fetch_add(1, Ordering::Relaxed),
            activity: Arc::new(Activity::new()),
            evict: tokio::sync::Notify::new(),
        });
        self.entries
            .lock()
            .expect("registry lock")
            .insert(entry.id, entry.clone());
        entry
    }
    fn remove(&self, entry: &Entry) {
        self.entries
            .lock()
            .expect("registry lock")
            .remove(&entry.id);
    }
    /// Closes the connection that has waited longest for a request head, if any.
    fn evict_stalest(&self) {
        let entries = self.entries.lock().expect("registry lock");
        let stalest = entries
            .values()
            .filter_map(|e| e.activity.waiting_since().map(|since| (since, e)))
            .min_by_key(|(since, _)| *since);
        if let Some((_, e)) = stalest {
            e.evict.notify_one();
        }
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: std::net::SocketAddr,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    entry: &Entry,
) {
    let activity = entry.activity.clone();
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |mut req: Request<Incoming>| {
            // Who is at the other end (the console counts sign-in failures per address).
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            let app = app.clone();
            let activity = activity.clone();
            async move { Ok::<_, Infallible>(handle(app, req, &activity, limits.body_timeout).await) }
        })
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        // A client that stops sending mid-body still gets its answer (400, not silence).
        .half_close(true)
        // Our own checks below are tighter; this is a backstop.
        .header_read_timeout(limits.idle_timeout + limits.header_timeout)
        .max_buf_size(limits.max_header_bytes.max(8192));
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stopping = *stop.borrow();
    if stopping {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            changed = stop.changed(), if !stopping => {
                if changed.is_err() || *stop.borrow() {
                    stopping = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
            _ = tick.tick() => {
                if activity.overdue(&limits) {
                    // Dropping the connection closes the socket.
                    return;
                }
            }
            _ = entry.evict.notified() => {
                // Another connection needs the slot; this one had nothing in progress (a
                // request that started meanwhile is let finish).
                if activity.waiting_since().is_some() {
                    return;
                }
            }
        }
    }
}

async fn handle(
    app: Router,
    req: Request<Incoming>,
    activity: &Activity,
    body_timeout: Duration,
) -> Response<Body> {
    activity.request_started();
    let (parts, body) = req.into_parts();
    let has_body = !body.is_end_stream();
    let finished = Arc::new(AtomicBool::new(false));
    let body = Body::new(GuardedBody {
        inner: body,
        deadline: tokio::time::Instant::now() + body_timeout,
        sleep: None,
        finished: finished.clone(),
    });
    let mut req = Request::from_parts(parts, body);
    let observation = crate::observe::begin(&mut req);
    let span = observation.span().clone();
    let mut resp = match app.oneshot(req).instrument(span).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    if has_body && !finished.load(Ordering::Acquire) {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    observation.finish(&mut resp);
    activity.request_finished();
    resp
}

/// What a connection is doing, in milliseconds since the listener's epoch (0 = never), so that
/// connections compare.
struct Activity {
    last_io: AtomicU64,
    head_started: AtomicU64,
    awaiting_head: AtomicBool,
}

impl Activity {
    fn new() -> Self {
        let activity = Self {
            last_io: AtomicU64::new(0),
            head_started: AtomicU64::new(0),
            awaiting_head: AtomicBool::new(true),
        };
        activity.last_io.store(activity.now(), Ordering::Relaxed);
        activity
    }
    fn now(&self) -> u64 {
        static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        let epoch = EPOCH.get_or_init(Instant::now);
        // +1 keeps 0 free to mean "never".
        u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX) + 1
    }
    fn bytes_read(&self) {
        let now = self.now();
        self.last_io.store(now, Ordering::Relaxed);
        if self.awaiting_head.load(Ordering::Acquire) {
            let _ = self
                .head_started
                .compare_exchange(0, now, Ordering::AcqRel, Ordering::Relaxed);
        }
    }
    fn bytes_written(&self) {
        self.last_io.store(self.now(), Ordering::Relaxed);
    }
    fn request_started(&self) {
        self.awaiting_head.store(false, Ordering::Release);
        self.head_started.store(0, Ordering::Release);
    }
    fn request_finished(&self) {
        self.last_io.store(self.now(), Ordering::Relaxed);
        self.head_started.store(0, Ordering::Release);
        self.awaiting_head.store(true, Ordering::Release);
    }
    /// Since when the connection has been waiting for a request head (idle or receiving one),
    /// or `None` while a request is in progress.
    fn waiting_since(&self) -> Option<u64> {
        if !self.awaiting_head.load(Ordering::Acquire) {
            return None;
        }
        match self.head_started.load(Ordering::Acquire) {
            0 => Some(self.last_io.load(Ordering::Relaxed)),
            started => Some(started),
        }
    }

    /// A head that is taking too long, or a connection idle for too long.
    fn overdue(&self, limits: &Limits) -> bool {
        if !self.awaiting_head.load(Ordering::Acquire) {
            return false;
        }
        let now = self.now();
        let started = self.head_started.load(Ordering::Acquire);
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        if started != 0 {
            now.saturating_sub(started) > ms(limits.header_timeout)
        } else {
            now.saturating_sub(self.last_io.load(Ordering::Relaxed)) > ms(limits.idle_timeout)
        }
    }
}

/// The socket, noting when bytes move.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_read();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.bytes_written();
        }
        r
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.bytes_written();
        }
        r
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A request body with a deadline for the whole of it, noting whether it was read to the end.
struct GuardedBody {
    inner: Incoming,
    deadline: tokio::time::Instant,
    /// Armed only when the body has to be waited for (most arrive with their head).
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    finished: Arc<AtomicBool>,
}

/// The error a body gives when its deadline passes: `io::ErrorKind::TimedOut`, which the
/// API answers with `RequestTimeoutException`.
pub fn body_timed_out() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "the request body was not received in time",
    )
}

impl HttpBody for GuardedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(None) => {
                this.finished.store(true, Ordering::Release);
                Poll::Ready(None)
            }
            Poll::Ready(Some(Ok(frame))) => {
                if this.inner.is_end_stream() {
                    this.finished.store(true, Ordering::Release);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Box::new(e)))),
            Poll::Pending => {
                let deadline = this.deadline;
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(body_timed_out())))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
