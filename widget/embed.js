// kudos embed loader. A page adds <div data-kudos></div> and this script; it fills
// <span data-kudos-count="/posts/a"></span> placeholders with one request, and loads the
// widget (JS + Wasm) only when a widget comes within about one viewport of the screen.
// <div data-kudos-recent></div> shows the site's latest comments and supporters.
//
// First paint without Wasm: an article widget's page view comes with the widget as the
// worker rendered it, which goes into the shadow root at once (likes, comments and
// supporters readable). The Wasm loads when the browser is idle, or at the reader's first
// move there, and hydrates it; a click made before that is made again once it has.
//
// Single-page apps: the loader follows the page. Elements added, removed or given another
// data-page (MutationObserver), and client-side navigations (the Navigation API, else
// popstate), mount and unmount widgets on their own; window.kudos.mount(el, options) and
// window.kudos.unmount(el) do it by hand. An unmounted widget leaves nothing running.
// `cargo xtask build` replaces the __KUDOS_*__ names with the content-hashed files.
(() => {
  const script = document.currentScript;
  if (!script || window.kudos) return;
  const origin = new URL(script.src).origin;
  const api = (script.dataset.api || origin).replace(/\/+$/, "");
  const HOSTS = "[data-kudos],[data-kudos-recent]";
  let widget;

  // The widget's code, fetched once (again after a failure).
  const load = () =>
    (widget ||= import(origin + "__KUDOS_JS__").then(async (m) => {
      await m.default({ module_or_path: origin + "__KUDOS_WASM__" });
      return m;
    }).catch((e) => {
      widget = undefined;
      throw e;
    }));

  // The widgets' stylesheet, fetched once (again after a failure) for every shadow root:
  // one constructed sheet they all adopt, or its text where sheets cannot be adopted.
  // Without it (unreachable) a widget still shows, unstyled.
  const adoptable = "adoptedStyleSheets" in ShadowRoot.prototype;
  let styles;
  const stylesheet = () =>
    (styles ||= fetch(origin + "__KUDOS_CSS__").then((r) => r.ok ? r.text() : Promise.reject(r.status))
      .then((css) => {
        if (!adoptable) return css;
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        return sheet;
      }).catch((e) => {
        styles = undefined;
        console.warn("kudos: no stylesheet", e);
      }));
  // Styles a shadow root (again after the widget filled it: a <style> would be gone).
  const dress = (root, sheet) => {
    if (!root || !sheet) return;
    if (adoptable) return root.adoptedStyleSheets = [sheet];
    if (root.querySelector("style[data-kudos]")) return;
    const style = document.createElement("style");
    style.dataset.kudos = "";
    style.textContent = sheet;
    root.prepend(style);
  };

  // What a host shows, from options given to kudos.mount over its data- attributes. The
  // server normalises the page: data-page, else the canonical URL, else the path.
  const settings = (el, o = {}) => {
    const d = el.dataset;
    const recent = o.recent ?? "kudosRecent" in d;
    return {
      recent,
      page: recent ? "" : o.page || d.page ||
        document.querySelector("link[rel=canonical]")?.href || location.pathname,
      theme: o.theme || d.theme || "auto",
      lang: o.lang || d.lang || navigator.language || "en",
      show: +(o.show || d.show) || 5,
      live: !(o.live === false || (o.live || d.live) === "off"),
    };
  };
  const keyOf = (s) => JSON.stringify(s);

  // host -> { options, key, handle: Promise<Mounted | undefined> }, for every host that is
  // mounted or waiting to come near the screen (handle undefined). Hosts unmounted by hand
  // stay unmounted until mounted by hand.
  const hosts = new Map();
  const off = new WeakSet();
  // Mounts and unmounts happen one after another, in the order asked.
  let chain = Promise.resolve();
  const queue = (f) => {
    const done = chain.then(f);
    chain = done.catch(() => {});
    return done.catch((e) => console.error("kudos:", e));
  };

  const near = "IntersectionObserver" in window &&
    new IntersectionObserver((entries) => {
      for (const e of entries) if (e.isIntersecting) start(e.target);
    }, { rootMargin: "100% 0px" });

  const start = (el) => {
    const entry = hosts.get(el);
    if (!entry || entry.handle) return;
    near && near.unobserve(el);
    const s = settings(el, entry.options);
    entry.key = keyOf(s);
    // An article widget's view (the widget is given it, and reads it no more), and its
    // rendered widget shown at once.
    const read = s.recent ? Promise.resolve() : fetch(api + "/api/v1/page?page=" +
      encodeURIComponent(s.page)).then((r) => r.ok ? r.text() : undefined).catch(() => {});
    const sheet = stylesheet();
    const shown = Promise.all([read, sheet]).then(([view, sheet]) =>
      view && hosts.get(el) === entry && paint(el, s, view, entry, sheet));
    entry.handle = queue(async () => {
      const [view, painted, css] = await Promise.all([read, shown, sheet]);
      let m;
      // What shows waits for idle time, or the reader's move; if the code cannot be
      // fetched then, for their next move.
      for (let idle = true; !m;) {
        if (painted) await wanted(entry, idle);
        m = await load().catch((e) => {
          if (!painted) throw e;
          idle = false;
        });
      }
      if (hosts.get(el) !== entry) return;
      const mounted = s.recent
        ? m.mountRecent(el, api, s.theme, s.lang, s.show)
        : m.mount(el, api, s.page, s.theme, s.lang, s.live, view);
      dress(el.shadowRoot, css);
      painted && setTimeout(() => replay(el, entry));
      return mounted;
    });
  };

  const primary = (lang) => lang.split(/[-_]/)[0].toLowerCase();
  // What is held (clicks, submits) or hurries the Wasm until it hydrates.
  const HELD = ["click", "submit", "pointerdown", "keydown", "focusin"];

  // Puts the worker's render of the widget in the shadow root, in this widget's theme, if
  // it speaks the widget's language, with the reader's own likes pressed as the widget
  // will show them. Until the Wasm hydrates it, clicks on its buttons and its forms'
  // submits are held (and made again then), and any move there hurries the Wasm.
  const paint = (el, s, text, entry, sheet) => {
    let rendered, state;
    try { ({ rendered, state } = JSON.parse(text)); } catch { return false; }
    // Not over a widget still there (a page change: it is unmounted first, in turn).
    if (!rendered || primary(rendered.lang) !== primary(s.lang) || el.shadowRoot?.firstChild) {
      return false;
    }
    const root = el.shadowRoot || el.attachShadow({ mode: "open" });
    root.innerHTML = rendered.html;
    dress(root, sheet);
    root.querySelector("section.kudos")?.classList.replace("auto", s.theme);
    pressLiked(root, state);
    entry.early = [];
    entry.hold = (e) => {
      const button = e.target.closest?.("button");
      if (e.type === "submit" || (e.type === "click" && button)) {
        e.preventDefault();
        e.stopPropagation();
        button && entry.early.push([button, button.getAttribute("aria-pressed")]);
      }
      entry.wake?.();
    };
    for (const type of HELD) root.addEventListener(type, entry.hold, true);
    return true;
  };

  // The likes the widget remembers of the reader (its localStorage record of the page,
  // kudos_core::memory::PageMemory: `version`, `liked`, `liked_comments`), if the view has
  // the reader's last write in it (else its counts are from before, and the widget reads
  // a newer view before it shows the reader's likes).
  const pressLiked = (root, state) => {
    const press = (button) => button?.setAttribute("aria-pressed", "true");
    try {
      const memory = JSON.parse(localStorage.getItem("kudos:page:" + state.page));
      if (!memory || (memory.version || 0) > state.version) return;
      memory.liked === true && press(root.querySelector("button.like"));
      for (const id of memory.liked_comments || []) {
        press(root.getElementById("kudos-comment-" + id)?.querySelector("button.comment-like"));
      }
    } catch {}
  };

  // Resolves when the reader moves on the widget, or (`idle`) when the browser is idle.
  const wanted = (entry, idle) => new Promise((go) => {
    entry.wake = go;
    if (!idle) return;
    window.requestIdleCallback ? requestIdleCallback(go, { timeout: 3000 }) : setTimeout(go, 300);
  });

  // Once hydrated: the hold ends and text typed before is kept as a draft. The held
  // clicks are made once the widget has the reader's memory in (`data-ready`: until then
  // it shows the worker's render, without the reader's likes), a toggle only if it still
  // shows what the reader pressed.
  const replay = (el, entry) => {
    const root = el.shadowRoot;
    for (const type of HELD) root.removeEventListener(type, entry.hold, true);
    for (const box of root.querySelectorAll("textarea")) {
      box.value && box.dispatchEvent(new Event("input", { bubbles: true }));
    }
    const early = entry.early.splice(0);
    const ready = () => {
      if (!root.querySelector("section[data-ready]")) return false;
      entry.ready?.disconnect();
      for (const [button, pressed] of early) {
        button.isConnected && button.getAttribute("aria-pressed") === pressed && button.click();
      }
      return true;
    };
    if (early.length && !ready()) {
      entry.ready = new MutationObserver(ready);
      entry.ready.observe(root, { subtree: true, childList: true, attributeFilter: ["data-ready"] });
    }
  };

  const mount = (el, options) => {
    if (hosts.has(el)) unmount(el);
    hosts.set(el, { options, key: keyOf(settings(el, options)) });
    el.dataset.kudosMounted = "";
    near && !options ? near.observe(el) : start(el);
  };

  const unmount = (el) => {
    const entry = hosts.get(el);
    if (!entry) return;
    hosts.delete(el);
    near && near.unobserve(el);
    delete el.dataset.kudosMounted;
    entry.ready?.disconnect();
    const { handle } = entry;
    handle && queue(() => handle.then((h) => h ? h.unmount() : el.shadowRoot?.replaceChildren()));
  };

  // Fills each count placeholder once for the page it names (again if it names another).
  const filled = new WeakMap();
  const fillCounts = () => {
    const spans = [...document.querySelectorAll("[data-kudos-count]")]
      .filter((s) => filled.get(s) !== s.dataset.kudosCount);
    const ids = [...new Set(spans.map((s) => s.dataset.kudosCount))];
    for (const s of spans) filled.set(s, s.dataset.kudosCount);
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

  // Brings the widgets in line with the document: gone hosts unmounted, new ones mounted,
  // and a host whose page (or theme, or language) changed mounted again.
  const sync = () => {
    queued = false;
    for (const [el, entry] of hosts) {
      if (!el.isConnected) unmount(el);
      else if (entry.handle && keyOf(settings(el, entry.options)) !== entry.key) {
        mount(el, entry.options);
      }
    }
    for (const el of document.querySelectorAll(HOSTS)) {
      if (!hosts.has(el) && !off.has(el)) mount(el);
    }
    fillCounts();
  };
  let queued = false;
  const later = () => queued || (queued = true, queueMicrotask(sync));

  window.kudos = {
    mount: (el, options = {}) => (off.delete(el), mount(el, options)),
    unmount: (el) => (off.add(el), unmount(el)),
  };

  const begin = () => {
    sync();
    new MutationObserver(later).observe(document.documentElement, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["data-page", "data-theme", "data-lang", "href"],
    });
    window.navigation
      ? navigation.addEventListener("currententrychange", later)
      : addEventListener("popstate", later);
  };
  document.readyState === "loading"
    ? document.addEventListener("DOMContentLoaded", begin)
    : begin();
})();
