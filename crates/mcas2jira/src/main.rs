//! `mcas2jira`: turn Defender for Cloud Apps alerts into Jira tickets. See `mcas2jira --help`.

fn main() -> std::process::ExitCode {
    mcas2jira::app::main()
}
