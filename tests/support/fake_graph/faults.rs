//! Scripted misbehaviour: which request gets throttled, delayed, cut off, or finds its token dead.
//!
//! Exists so that the client's robustness (honouring `Retry-After`, backing off on 503 bursts,
//! timing out, retrying a dropped connection, refreshing an expired token, recovering when it died
//! between a write being applied and its answer) is tested deterministically: each [`Fault`] counts the requests it matches and fires on an exact window
//! of them, so a test knows which request failed and can assert on the request log.

use std::time::Duration;

use super::Fault;

/// What the server must do to one request, decided on arrival.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultPlan {
    /// Extra delay before handling (sum of matching [`Fault::SlowResponse`]s).
    pub delay: Duration,
    /// Extra delay after handling, before answering (sum of matching [`Fault::HoldAfterApply`]s).
    pub hold_after: Duration,
    /// The first matching terminal fault, if any.
    pub terminal: Option<Terminal>,
    /// Revoke every token issued so far before checking this request's token.
    pub expire_tokens: bool,
}

/// A fault that replaces the normal answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminal {
    TooManyRequests { retry_after_secs: u64 },
    ServiceUnavailable,
    DropConnection,
}

/// The configured faults with their match counters.
#[derive(Debug)]
pub struct FaultBook {
    faults: Vec<Fault>,
    /// Per fault: how many requests it has matched so far.
    matched: Vec<usize>,
    /// Graph requests seen so far (the token endpoint excluded).
    graph_requests: usize,
}

impl FaultBook {
    pub fn new(faults: Vec<Fault>) -> Self {
        let matched = vec![0; faults.len()];
        Self {
            faults,
            matched,
            graph_requests: 0,
        }
    }

    /// Counts one arriving request (`is_graph`: not the token endpoint) and says what to do.
    ///
    /// A path fault with `after = a, times = t` lets its first `a` matching requests through and
    /// fires on the next `t` (0-based match indexes `a..a + t`). `ExpireTokens { after: a }`
    /// fires once, on the Graph request with 0-based index `a`: tokens issued before it are dead.
    pub fn on_request(&mut self, path: &str, is_graph: bool) -> FaultPlan {
        let mut plan = FaultPlan::default();
        let graph_index = if is_graph {
            let index = self.graph_requests;
            self.graph_requests += 1;
            Some(index)
        } else {
            None
        };
        for (fault, matched) in self.faults.iter().zip(self.matched.iter_mut()) {
            match fault {
                Fault::ExpireTokens { after } => {
                    if graph_index == Some(*after) {
                        plan.expire_tokens = true;
                    }
                }
                Fault::TooManyRequests {
                    path_prefix,
                    after,
                    times,
                    retry_after_secs,
                } => {
                    if fires(path, path_prefix, *after, *times, matched) && plan.terminal.is_none()
                    {
                        plan.terminal = Some(Terminal::TooManyRequests {
                            retry_after_secs: *retry_after_secs,
                        });
                    }
                }
                Fault::ServiceUnavailable {
                    path_prefix,
                    after,
                    times,
                } => {
                    if fires(path, path_prefix, *after, *times, matched) && plan.terminal.is_none()
                    {
                        plan.terminal = Some(Terminal::ServiceUnavailable);
                    }
                }
                Fault::DropConnection {
                    path_prefix,
                    after,
                    times,
                } => {
                    if fires(path, path_prefix, *after, *times, matched) && plan.terminal.is_none()
                    {
                        plan.terminal = Some(Terminal::DropConnection);
                    }
                }
                Fault::SlowResponse {
                    path_prefix,
                    after,
                    times,
                    delay,
                } => {
                    if fires(path, path_prefix, *after, *times, matched) {
                        plan.delay += *delay;
                    }
                }
                Fault::HoldAfterApply {
                    path_prefix,
                    after,
                    times,
                    delay,
                } => {
                    if fires(path, path_prefix, *after, *times, matched) {
                        plan.hold_after += *delay;
                    }
                }
            }
        }
        plan
    }

    /// Counts one request inside a `$batch` (by its resolved path) against the path faults; it
    /// is not a Graph request of its own for `ExpireTokens`.
    pub fn on_batch_request(&mut self, path: &str) -> FaultPlan {
        self.on_request(path, false)
    }
}

/// Counts a match of `path` against `prefix` and says whether this match is in the firing window.
fn fires(path: &str, prefix: &str, after: usize, times: usize, matched: &mut usize) -> bool {
    if !path.starts_with(prefix) {
        return false;
    }
    let index = *matched;
    *matched += 1;
    index >= after && index - after < times
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_fault_fires_on_its_window_only() {
        let mut book = FaultBook::new(vec![Fault::ServiceUnavailable {
            path_prefix: "/v1.0/users".into(),
            after: 1,
            times: 2,
        }]);
        let fired: Vec<bool> = (0..5)
            .map(|_| book.on_request("/v1.0/users", true).terminal.is_some())
            .collect();
        assert_eq!(fired, [false, true, true, false, false]);
        assert!(book.on_request("/v1.0/groups", true).terminal.is_none());
    }
}
