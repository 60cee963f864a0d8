//! The deploy bundle builds: `wrangler deploy --dry-run` packs the worker and the widget's
//! files without talking to Cloudflare.

use kudos_tests::paths;

#[test]
fn wrangler_deploy_dry_run_packs_the_worker_and_the_widget() {
    paths::dev_site();
    let out = paths::scratch("deploy");
    let output = paths::deploy_dry_run(&out);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("Total Upload"), "{stdout}");
    assert!(
        stdout.contains("from the assets directory"),
        "the widget's files go with it: {stdout}"
    );
    assert!(stdout.contains("env.PAGES (PageObject)") && stdout.contains("env.KUDOS_KV"));
    assert!(out.join("index.js").exists());
    let _ = std::fs::remove_dir_all(out);
}
