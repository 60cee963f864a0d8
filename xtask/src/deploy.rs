//! `cargo xtask deploy [wrangler args]`: build, then `wrangler deploy` from edge-worker/.
//! (`wrangler deploy` on its own works too: its `[build]` step runs `cargo xtask build`.)

use crate::build;
use crate::util::{Result, exec, root, tool};

pub fn run(args: &[String]) -> Result {
    build::run(false)?;
    exec(
        tool(crate::paths::wrangler())
            .current_dir(root().join("edge-worker"))
            .env("KUDOS_PREBUILT", "1")
            .arg("deploy")
            .args(args),
    )
}
