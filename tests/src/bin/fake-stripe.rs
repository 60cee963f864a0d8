//! `fake-stripe <port> <webhook url>`: the local stand-in for Stripe that `cargo xtask dev`
//! runs beside the worker, so the example blog's rewards work without reaching Stripe.

use kudos_tests::fake_stripe::FakeStripe;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(port), Some(webhook)) = (args.first().and_then(|p| p.parse().ok()), args.get(1))
    else {
        eprintln!("usage: fake-stripe <port> <webhook url>");
        std::process::exit(2);
    };
    let stripe = FakeStripe::start(port, webhook);
    eprintln!("fake-stripe: serving at {} (webhook: {webhook})", stripe.base());
    loop {
        std::thread::park();
    }
}
