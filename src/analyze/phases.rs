//! How long each phase of an analysis took: `audit --verbose` prints it and
//! `bench/analyses.sh` reads it, so the cost of each family of rules is measured, not guessed.

use std::time::{Duration, Instant};

/// One phase of the analysis and its wall time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub name: &'static str,
    pub took: Duration,
}

/// Times consecutive phases.
pub struct PhaseClock {
    started: Instant,
    phases: Vec<Phase>,
}

impl PhaseClock {
    pub fn start() -> PhaseClock {
        PhaseClock {
            started: Instant::now(),
            phases: Vec::new(),
        }
    }

    /// Ends the phase `name` now; the next one starts.
    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases.push(Phase {
            name,
            took: now - self.started,
        });
        self.started = now;
    }

    pub fn phases(self) -> Vec<Phase> {
        self.phases
    }
}
