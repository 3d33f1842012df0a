//! A long-running `mcas2jira` child whose output lines are read as they come, and which a test
//! can signal.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::Harness;

/// How long a test waits for one expected line before failing.
pub const LINE_TIMEOUT: Duration = Duration::from_secs(60);

/// A running child, its stdout lines and its stderr lines.
pub struct Running {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    /// Every stdout line read so far.
    pub out: Vec<String>,
    /// Every stderr line read so far.
    pub err: Vec<String>,
}

impl Running {
    /// Starts `mcas2jira --config <config> <args..>`.
    pub fn start(h: &Harness, args: &[&str]) -> Running {
        let mut full = vec!["--config".to_owned(), h.config_path.display().to_string()];
        full.extend(args.iter().map(|a| (*a).to_owned()));
        Running::spawn(h.command(full))
    }

    /// Starts `command`, reading its output.
    pub fn spawn(mut command: std::process::Command) -> Running {
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn mcas2jira");
        let stdout = lines(child.stdout.take().expect("stdout"));
        let stderr = lines(child.stderr.take().expect("stderr"));
        Running { child, stdout, stderr, out: Vec::new(), err: Vec::new() }
    }

    /// Waits for a stdout line that is a JSON object matching `pred`, and returns it.
    #[track_caller]
    pub fn wait_json(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + LINE_TIMEOUT;
        loop {
            self.drain_stderr();
            match self.stdout.recv_timeout(Duration::from_millis(50)) {
                Ok(line) => {
                    self.out.push(line.clone());
                    if let Ok(value) = serde_json::from_str::<Value>(&line)
                        && pred(&value)
                    {
                        return value;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => self.fail(&format!("stdout closed before {what}")),
            }
            if Instant::now() > deadline {
                self.fail(&format!("no {what} within {LINE_TIMEOUT:?}"));
            }
        }
    }

    /// Waits until stdout has at least `n` lines.
    #[track_caller]
    pub fn wait_lines(&mut self, n: usize) {
        let deadline = Instant::now() + LINE_TIMEOUT;
        while self.out.len() < n {
            self.drain_stderr();
            match self.stdout.recv_timeout(Duration::from_millis(50)) {
                Ok(line) => self.out.push(line),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => self.fail(&format!("stdout closed before {n} lines")),
            }
            if Instant::now() > deadline {
                self.fail(&format!("fewer than {n} lines within {LINE_TIMEOUT:?}"));
            }
        }
    }

    /// Waits for a stderr line containing `needle`, and returns it.
    #[track_caller]
    pub fn wait_stderr(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + LINE_TIMEOUT;
        loop {
            match self.stderr.recv_timeout(Duration::from_millis(50)) {
                Ok(line) => {
                    let found = line.contains(needle);
                    self.err.push(line.clone());
                    if found {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => self.fail(&format!("stderr closed before {needle:?}")),
            }
            if Instant::now() > deadline {
                self.fail(&format!("no {needle:?} on stderr within {LINE_TIMEOUT:?}"));
            }
        }
    }

    /// Sends SIGTERM (through `kill`, a process of its own: the tests use no `unsafe`).
    pub fn terminate(&self) {
        self.signal("TERM");
    }

    /// Sends the signal `name` (`TERM`, `INT`).
    pub fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The address of the metrics listener, read from its log line (`--metrics-addr 0` lets the
    /// system choose the port).
    #[track_caller]
    pub fn metrics_addr(&mut self) -> String {
        let line = self.wait_stderr("serving /metrics and /healthz on http://");
        let at = line.find("http://").unwrap() + "http://".len();
        line[at..].split_whitespace().next().unwrap().to_owned()
    }

    /// Waits for the child to exit, collecting the rest of its output; returns its status.
    #[track_caller]
    pub fn wait(&mut self) -> i32 {
        let deadline = Instant::now() + LINE_TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for mcas2jira") {
                break status;
            }
            if Instant::now() > deadline {
                self.fail("the child did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // The pipes close when the child exits; read what is left.
        while let Ok(line) = self.stdout.recv_timeout(Duration::from_secs(5)) {
            self.out.push(line);
        }
        self.drain_stderr();
        status.code().unwrap_or(-1)
    }

    /// The stdout lines that are JSON objects with this `"event"`.
    pub fn events(&self, kind: &str) -> Vec<Value> {
        self.out
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|v| v["event"] == kind)
            .collect()
    }

    fn drain_stderr(&mut self) {
        while let Ok(line) = self.stderr.try_recv() {
            self.err.push(line);
        }
    }

    #[track_caller]
    fn fail(&mut self, why: &str) -> ! {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.drain_stderr();
        panic!("{why}\n--- stdout ---\n{}\n--- stderr ---\n{}", self.out.join("\n"), self.err.join("\n"));
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A failed test must not leave a watch running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}
