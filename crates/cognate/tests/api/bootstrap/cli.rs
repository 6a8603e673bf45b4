//! The `cognate` binary with `--bootstrap`: generated passwords are printed once on stdout,
//! never logged, and a bad file stops the start with a message naming it.

use crate::common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs the real binary until it listens (then stops it) or exits; returns its output and
/// whether it was listening.
fn run_cognate(args: &[&str]) -> (String, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognate"))
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--access-key-id", ACCESS_KEY])
        .args(["--secret-access-key", SECRET_KEY])
        .args(args)
        .env("COGNATE_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cognate runs");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut output = String::new();
    let mut listening = false;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
        output.push_str(&line);
        output.push('\n');
        if line.contains("cognate is listening") {
            listening = true;
            break;
        }
    }
    let _ = child.kill();
    let end = child.wait_with_output().unwrap();
    output.push_str(&String::from_utf8_lossy(&end.stderr));
    (output, listening)
}

#[test]
fn the_binary_prints_generated_passwords_once_and_refuses_bad_files() {
    let dir = temp_dir("bootstrap-bin");
    let file = dir.join("bootstrap.toml");
    std::fs::write(
        &file,
        "[[pools]]\nname = \"bin\"\n[[pools.users]]\nusername = \"gen\"\n",
    )
    .unwrap();
    let data = dir.join("data");
    let args = [
        "--data-dir",
        data.to_str().unwrap(),
        "--bootstrap",
        file.to_str().unwrap(),
    ];

    let (first, listening) = run_cognate(&args);
    assert!(listening, "{first}");
    let line = first
        .lines()
        .find(|l| l.contains("user gen"))
        .expect(&first);
    let password = line.rsplit(' ').next().unwrap();
    assert!(password.len() >= 12);
    assert_eq!(
        first.matches(password).count(),
        1,
        "printed once, not logged: {first}"
    );

    let (second, listening) = run_cognate(&args);
    assert!(listening, "{second}");
    assert!(!second.contains("generated these passwords"), "{second}");

    std::fs::write(&file, "[[pools]]\nname = \"bin\"\nflavour = 1\n").unwrap();
    let (refused, listening) = run_cognate(&args);
    assert!(!listening);
    assert!(
        refused.contains("unknown field `flavour`") && refused.contains(file.to_str().unwrap()),
        "{refused}"
    );
}
