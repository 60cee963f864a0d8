// kudos's real worker build with its page objects swapped for ones that fail, for the
// end-to-end test of what a reader gets when a page object traps or never answers
// (tests/e2e/faults.rs). Nothing else differs from the worker that ships.
import { DurableObject } from "cloudflare:workers";

export * from "../../edge-worker/build/index.js";
export { default } from "../../edge-worker/build/index.js";

export class FaultyPage extends DurableObject {
  async fetch(request) {
    const command = await request.text();
    if (command.includes("/hang/")) {
      // Never answers, as an object stuck in a loop or an overloaded one would.
      return new Promise(() => {});
    }
    // Fails as a Rust panic does: a trap in the Wasm.
    throw new WebAssembly.RuntimeError("unreachable");
  }
}
