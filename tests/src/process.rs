//! Child processes that are stopped with everything they started (wrangler starts workerd,
//! chromedriver starts Chromium): each runs in its own process group.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::Duration;

pub struct Group(Child);

impl Group {
    pub fn spawn(cmd: &mut Command) -> std::io::Result<Self> {
        cmd.process_group(0).spawn().map(Group)
    }

    /// The process group's id (the first process's pid).
    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// What the group's processes hold in memory now and at most so far (the sums of their
    /// `VmRSS` and `VmHWM`), in KiB. Processes that share pages count them each.
    pub fn memory_kib(&self) -> Memory {
        let mut memory = Memory::default();
        for pid in group_members(self.id()) {
            let one = memory_of(pid);
            memory.now += one.now;
            memory.peak += one.peak;
        }
        memory
    }

    /// `Some(status)` once the process has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.0.try_wait().ok().flatten()
    }

    /// SIGTERM to the whole group, then SIGKILL if it has not gone within five seconds.
    pub fn stop(&mut self) {
        let pgid = self.0.id() as i32;
        // SAFETY: kill(2) with a negative pid signals a process group we created.
        unsafe { libc::kill(-pgid, libc::SIGTERM) };
        crate::poll::blocking(Duration::from_secs(5), Duration::from_millis(20), || self.exited());
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if self.exited().is_none() {
            self.stop();
        }
    }
}

/// Resident memory of a process group, in KiB.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    pub now: u64,
    pub peak: u64,
}

/// What one process holds in memory now and at most so far (`VmRSS`, `VmHWM`), in KiB.
pub fn memory_of(pid: u32) -> Memory {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Memory { now: field("VmRSS:"), peak: field("VmHWM:") }
}

/// The pids whose process group is `pgid` (from /proc).
pub fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // The fields after the command (which may hold spaces) start after its `)`:
            // state, ppid, pgrp.
            let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            rest.split_whitespace().nth(2).and_then(|g| g.parse::<u32>().ok()) == Some(pgid)
        })
        .collect()
}

/// The pid's command name (`/proc/<pid>/comm`).
pub fn command_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_owned()
}

/// The TCP ports a process listens on (IPv4 loopback or any), from /proc.
pub fn listening_ports(pid: u32) -> Vec<u16> {
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| std::fs::read_link(e.path()).ok())
                .filter_map(|link| {
                    let link = link.to_string_lossy().into_owned();
                    Some(link.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    let table = std::fs::read_to_string(format!("/proc/{pid}/net/tcp")).unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local address, state (0A: listening), inode
            let (local, state, inode) = (fields.get(1)?, fields.get(3)?, fields.get(9)?);
            let port = u16::from_str_radix(local.rsplit_once(':')?.1, 16).ok()?;
            (*state == "0A" && inodes.iter().any(|i| i == inode)).then_some(port)
        })
        .collect()
}
