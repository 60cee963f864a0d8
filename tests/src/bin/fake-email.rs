//! `fake-email <port>`: the local stand-in for Resend that `cargo xtask dev` runs beside the
//! worker, so reply emails work on the example blog; it prints each email it is given.

use kudos_tests::fake_email::FakeEmail;

fn main() {
    let Some(port) = std::env::args().nth(1).and_then(|p| p.parse().ok()) else {
        eprintln!("usage: fake-email <port>");
        std::process::exit(2);
    };
    let email = FakeEmail::start_printing(port);
    eprintln!("fake-email: serving at {}; emails are printed here", email.base());
    loop {
        std::thread::park();
    }
}
