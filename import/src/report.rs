//! What an import holds, as the owner reads it before anything is sent: pages, comments,
//! replies, orphans, what was skipped and why, and the problems that stop it.

use crate::{Problem, Skip};
use std::collections::BTreeMap;

/// How many problems and skipped records a report lists (it counts every one).
pub const MAX_LISTED: usize = 1_000;

/// What an import holds, per source file: read before anything is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub pages: usize,
    /// Top-level comments.
    pub comments: usize,
    pub replies: usize,
    /// Confirmed rewards (kudos's export).
    pub rewards: usize,
    /// Replies whose parent is not in the file (or on another page): imported as
    /// top-level comments.
    pub orphans: usize,
    /// Records left out, the first [`MAX_LISTED`] of them.
    pub skipped: Vec<Skip>,
    /// How many were left out, by why.
    pub skips: BTreeMap<String, usize>,
    /// What must be fixed before anything is sent: the first [`MAX_LISTED`].
    pub problems: Vec<Problem>,
    /// How many problems there are.
    pub problem_count: usize,
}

impl Report {
    pub fn skip(&mut self, skip: Skip) {
        *self.skips.entry(skip.why.clone()).or_default() += 1;
        if self.skipped.len() < MAX_LISTED {
            self.skipped.push(skip);
        }
    }

    pub fn problem(&mut self, problem: Problem) {
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED {
            self.problems.push(problem);
        }
    }

    /// The report as the owner reads it.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{} pages, {} comments, {} replies, {} orphans (kept as comments), {} skipped",
            self.pages,
            self.comments,
            self.replies,
            self.orphans,
            self.skips.values().sum::<usize>()
        );
        for (why, n) in &self.skips {
            out.push_str(&format!("\n  skipped {n}: {why}"));
        }
        if !self.sendable() {
            let n = self.problems_said();
            out.push_str(&format!("\n{n}: nothing is imported until they are fixed"));
            for problem in &self.problems {
                out.push_str(&format!("\n  {problem}"));
            }
            if self.problem_count > self.problems.len() {
                let more = self.problem_count - self.problems.len();
                out.push_str(&format!("\n  and {more} more"));
            }
        }
        out
    }

    /// How many problems the file has, in words: `1 problem`, `3 problems`.
    pub fn problems_said(&self) -> String {
        match self.problem_count {
            1 => "1 problem".to_owned(),
            n => format!("{n} problems"),
        }
    }

    /// Whether the file can be sent: it has no problem.
    pub fn sendable(&self) -> bool {
        self.problem_count == 0
    }
}
