// kudos embed loader. A page adds <div data-kudos></div> and this script; it fills
// <span data-kudos-count="/posts/a"></span> placeholders with one request, and loads the
// widget (JS + Wasm) only when a widget comes within about one viewport of the screen.
// <div data-kudos-recent></div> shows the site's latest comments and supporters.
// `cargo xtask build` replaces the two __KUDOS_*__ names with the content-hashed files.
(() => {
  const script = document.currentScript;
  if (!script) return;
  const origin = new URL(script.src).origin;
  const api = (script.dataset.api || origin).replace(/\/+$/, "");
  let widget;

  const load = () =>
    (widget ||= import(origin + "__KUDOS_JS__").then(async (m) => {
      await m.default({ module_or_path: origin + "__KUDOS_WASM__" });
      return m;
    }));

  // The server normalises whatever it gets: data-page, else the canonical URL, else the path.
  const pageOf = (el) =>
    el.dataset.page ||
    document.querySelector("link[rel=canonical]")?.href ||
    location.pathname;

  const mount = (el) =>
    load()
      .then((m) => {
        const theme = el.dataset.theme || "auto";
        const lang = el.dataset.lang || navigator.language || "en";
        "kudosRecent" in el.dataset
          ? m.mountRecent(el, api, theme, lang, +el.dataset.show || 5)
          : m.mount(el, api, pageOf(el), theme, lang);
      })
      .catch((e) => console.error("kudos:", e));

  const fillCounts = () => {
    const spans = [...document.querySelectorAll("[data-kudos-count]")];
    const ids = [...new Set(spans.map((s) => s.dataset.kudosCount))];
    for (let i = 0; i < ids.length; i += 100) {
      const query = ids.slice(i, i + 100).map((p) => "page=" + encodeURIComponent(p)).join("&");
      fetch(api + "/api/v1/counts?" + query)
        .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
        .then(({ counts }) => {
          for (const s of spans) {
            const c = counts[s.dataset.kudosCount];
            if (c) s.textContent = c[s.dataset.kudosShow || "likes"] ?? "";
          }
        })
        .catch((e) => console.warn("kudos: counts unavailable", e));
    }
  };

  const start = () => {
    fillCounts();
    const hosts = [
      ...document.querySelectorAll("[data-kudos]:not([data-kudos-mounted]), [data-kudos-recent]:not([data-kudos-mounted])"),
    ];
    const near = "IntersectionObserver" in window &&
      new IntersectionObserver((entries) => {
        for (const e of entries) {
          if (e.isIntersecting) {
            near.unobserve(e.target);
            mount(e.target);
          }
        }
      }, { rootMargin: "100% 0px" });
    for (const el of hosts) {
      el.dataset.kudosMounted = "";
      near ? near.observe(el) : mount(el);
    }
  };

  document.readyState === "loading"
    ? document.addEventListener("DOMContentLoaded", start)
    : start();
})();
