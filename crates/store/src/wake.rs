//! Wake-ups between processes: "a job was enqueued", "articles changed".
//!
//! On PostgreSQL a transaction that enqueues a due job runs `pg_notify('newsdesk_jobs', '')` and
//! one that appends to the change log runs `pg_notify('newsdesk_changes', '')`; PostgreSQL
//! delivers the notification when (and only if) the transaction commits. A process that wants
//! to react at once calls [`crate::Store::subscribe`] and waits on the returned [`Wakeup`]; a
//! background task holds one pooled connection in `LISTEN` and turns notifications into
//! wake-ups.
//!
//! Notifications can be missed (a listener's connection drops and reconnects, or the process
//! was busy elsewhere and several arrive at once), so a wake-up is a hint to look *now*, never
//! the only way to find work: callers keep their poll interval as a fallback. A reconnect
//! counts as a wake-up, since anything could have been missed while the connection was down.
//! SQLite has no notifications: its [`Wakeup`] never fires and callers poll as before.

use tokio::sync::watch;

/// What a wake-up is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WakeChannel {
    /// A job became due (enqueued to run now).
    Jobs,
    /// The change log grew (articles stored, revised, re-linked or removed).
    Changes,
}

impl WakeChannel {
    /// The PostgreSQL `NOTIFY` channel name.
    pub fn channel_name(self) -> &'static str {
        match self {
            WakeChannel::Jobs => "newsdesk_jobs",
            WakeChannel::Changes => "newsdesk_changes",
        }
    }
}

/// A subscription to one [`WakeChannel`]. Clones share the subscription but each remembers
/// which wake-ups it has seen, so every worker task of a process can hold its own clone.
#[derive(Debug, Clone)]
pub struct Wakeup {
    rx: Option<watch::Receiver<u64>>,
}

impl Wakeup {
    /// A subscription that never fires (SQLite, or after the listener gave up): waiting on it
    /// waits forever, so a caller's poll timer decides.
    pub fn never() -> Self {
        Wakeup { rx: None }
    }

    /// A subscription fed by `rx`, whose value is bumped for each wake-up.
    pub(crate) fn from_receiver(rx: watch::Receiver<u64>) -> Self {
        Wakeup { rx: Some(rx) }
    }

    /// Whether wake-ups can arrive at all (false on SQLite).
    pub fn is_live(&self) -> bool {
        self.rx.is_some()
    }

    /// Resolves at the next wake-up not yet seen by this handle (at once when one arrived since
    /// the last `wait`); several wake-ups that arrived meanwhile resolve one `wait`. Never
    /// resolves when the subscription is dead: use it in a `select!` with a timer.
    pub async fn wait(&mut self) {
        match &mut self.rx {
            Some(rx) => {
                if rx.changed().await.is_err() {
                    // The listener task ended: from now on only the caller's timer wakes.
                    self.rx = None;
                    std::future::pending::<()>().await;
                }
            }
            None => std::future::pending::<()>().await,
        }
    }
}
