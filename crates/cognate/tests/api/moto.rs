//! moto's server (`moto_server` from PyPI, installed by scripts/test.sh): the AWS services
//! Cognate talks to (SNS for SMS, KMS for custom senders) on a random port.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A moto server; its port.
pub struct Moto(Child, pub u16);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn moto_server() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bin = std::env::var("COGNATE_TEST_MOTO_SERVER").unwrap_or_else(|_| "moto_server".into());
    let child = Command::new(&bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{bin}: {e} (pip install 'moto[server]'; scripts/test.sh does)")
        });
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto(child, port)
}
