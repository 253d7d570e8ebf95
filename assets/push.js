/* The push channel of every live page (the protocol: push/__init__.py).

   One EventSource per page. Changes move the page's version stores (its panels re-read) or,
   on the wall, reach the alarm feed as the alarms themselves (seFeed below). When the stream
   breaks it reconnects with backoff and says the last version it saw, so no change is
   missed; where it cannot be opened at all or stays silent (a blocked endpoint, a buffering
   proxy) the page's poll takes over (the pulse tick) and the stream is tried again now and
   then. window.sePush is the state, for people and tests. */
(function () {
  "use strict";
  const HELLO_MS = 4000;       // no hello this long after opening: the stream is held back
  const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
  const POLL_AFTER = 2;        // failed opens in a row before the poll takes over
  const ASK_TIMEOUT_MS = 10000; // an unanswered poll is given up after this long
  const P = window.sePush = {
    page: null, mode: "connecting", v: null, rv: null, es: null, attempt: 0, timer: null,
    lastFrame: 0, keepaliveMs: 5000, bytes: 0, frames: 0, changes: 0, opens: 0,
    asking: 0, asks: 0, answers: 0,
  };

  function root() { return document.getElementById("pulse"); }
  function pid(type) { return {type: type, page: P.page}; }
  function setProps(id, props) {
    const dc = window.dash_clientside;
    if (dc && dc.set_props) { dc.set_props(id, props); }
  }
  function store(type, value) { setProps(pid(type), {data: value}); }
  function polling(on) {
    setProps(pid("pulse-tick"), {disabled: !on});
    P.mode = on ? "poll" : "push";
    root()?.setAttribute("data-push", P.mode);
  }
  function alarmsApart() { return root()?.dataset.alarms === "1"; }

  /* Re-read every panel: the changes since the last version are not known to the server. */
  function resync(v, rv) {
    P.v = v;
    store("pulse-version", v);
    if (alarmsApart()) { store("pulse-alarms", v); }
    if (rv !== undefined && rv !== null) { P.rv = rv; store("pulse-readings", rv); }
  }

  function onChange(c) {
    P.changes += 1;
    if (c.full) { resync(c.v); return; }
    const topics = c.topics || [];
    if (topics.includes("alarms")) {
      if (alarmsApart()) {
        // The rows are kept here, not handed over in the store: Dash runs the feed's
        // callback once for several quick updates of a store (a reconnect replays a few
        // changes at once), and the rows of all but the last would be lost.
        if (c.alarms) { remember(c); setProps("alarm-delta", {data: {v: c.v}}); }
        store("pulse-alarms", c.v);
      } else {
        store("pulse-version", c.v);
      }
    }
    if (topics.includes("state")) { store("pulse-version", c.v); }
    P.v = c.v;
  }

  function seen(e) {
    P.lastFrame = Date.now();
    P.frames += 1;
    P.bytes += (e && e.data ? e.data.length : 0) + 16;
  }

  function close() {
    if (P.es) { P.es.close(); P.es = null; }
    clearTimeout(P.timer);
  }

  function retry(why) {
    close();
    P.attempt += 1;
    P.lastError = why;
    if (P.attempt >= POLL_AFTER && P.mode !== "poll") { polling(true); }
    const base = BACKOFF_MS[Math.min(P.attempt - 1, BACKOFF_MS.length - 1)];
    P.timer = setTimeout(open, base + Math.random() * base * 0.3);
  }

  function open() {
    close();
    if (!P.page || typeof EventSource === "undefined") { if (P.page) { polling(true); } return; }
    const since = P.v === null ? "" : "&since=" + encodeURIComponent(P.v);
    const es = new EventSource("/push/events?page=" + encodeURIComponent(P.page) + since);
    P.es = es;
    P.opens += 1;
    let hello = false;
    const on = function (kind, handle) {
      es.addEventListener(kind, function (e) {
        if (P.es !== es) { return; }
        seen(e);
        if (handle) { handle(e.data ? JSON.parse(e.data) : null); }
      });
    };
    P.timer = setTimeout(function () { if (!hello && P.es === es) { retry("silent"); } }, HELLO_MS);
    on("hello", function (h) {
      hello = true;
      clearTimeout(P.timer);
      P.attempt = 0;
      P.keepaliveMs = (h.keepalive_s || 5) * 1000;
      if (P.mode !== "push") { polling(false); }
      if (h.pulse) { store("pulse-data", Object.assign({}, h.pulse, {via: "push"})); }
      if (h.wall) { setProps("wall-state", {data: h.wall}); }
      if (h.sync || P.v === null) { resync(h.v, h.rv); }
      else if (h.rv !== P.rv && h.rv !== null) { P.rv = h.rv; store("pulse-readings", h.rv); }
    });
    on("change", onChange);
    on("pulse", function (p) { store("pulse-data", Object.assign(p, {via: "push"})); });
    on("wall", function (w) { setProps("wall-state", {data: w}); });
    on("readings", function (r) { P.rv = r.rv; store("pulse-readings", r.rv); });
    on("k", null);
    // This browser's session is over: the sign-in page, as after a 401 (assets/auth.js).
    on("bye", function () { close(); if (window.seAuth) { window.seAuth.toLogin(); } });
    es.onerror = function () { if (P.es === es) { retry(hello ? "lost" : "refused"); } };
  }

  /* Pages come and go under Dash's router: follow the pulse of whichever page is shown. */
  function follow() {
    const page = root()?.dataset.page || null;
    if (page === P.page) { return; }
    close();
    P.page = page;
    P.v = null;
    P.rv = null;
    P.attempt = 0;
    P.mode = "connecting";
    if (page) { open(); }
  }
  setInterval(follow, 300);

  /* The wall's feed: the last full read with every pushed change after it spliced in.

     The rows are drawn here as plain DOM, not as Dash components: sixty rows are some five
     hundred components, and every store update in Dash runs a selector for each mounted
     component, so a feed of components made each pushed frame cost the wall's main thread
     hundreds of milliseconds (a frozen picture under load). The <ol> is Dash's, with no
     children of its own, so React never touches what is drawn in it. */
  const feed = {drawn: new Map()};  // the rows drawn: id → {json, element}
  const TAGS = {Li: "li", Span: "span", Div: "div", B: "b", Small: "small", Strong: "strong",
                Em: "em", Time: "time", Abbr: "abbr"};

  /* One server-rendered html component as DOM: text only ever as text (never parsed as
     HTML), a fixed list of tags, and no attribute but class, title and data-* / aria-*. */
  function toDom(c) {
    if (c === null || c === undefined || c === false) { return null; }
    if (typeof c !== "object") { return document.createTextNode(String(c)); }
    const tag = c.namespace === "dash_html_components" && TAGS[c.type];
    if (!tag) { return document.createTextNode(""); }
    const el = document.createElement(tag);
    const props = c.props || {};
    Object.keys(props).forEach(function (k) {
      const v = props[k];
      if (v === null || v === undefined || k === "children") { return; }
      if (k === "className") { el.className = String(v); }
      else if (k === "title" || /^(data|aria)-[a-z0-9-]+$/.test(k)) { el.setAttribute(k, String(v)); }
    });
    [].concat(props.children === undefined ? [] : props.children).forEach(function (kid) {
      const node = toDom(kid);
      if (node) { el.appendChild(node); }
    });
    return el;
  }

  /* Put `rows` ([{id, row}] in order) into the list, keeping the elements of unchanged rows.
     A pushed row comes in both languages (`row`, `en`: push/render.py); a list inside an
     English page draws `en`. A full read is in the page's language already. */
  function draw(list, rows) {
    const drawn = new Map();
    const english = !!list.closest('[lang="en"]');
    const wanted = rows.map(function (r) {
      const row = english && r.en ? r.en : r.row;
      const json = JSON.stringify(row);
      const had = feed.drawn.get(r.id);
      const el = had && had.json === json ? had.el : toDom(row);
      drawn.set(r.id, {json: json, el: el});
      return el;
    });
    if (!wanted.length) {
      const empty = document.createElement("li");
      empty.className = "alarm-empty";
      empty.textContent = list.dataset.empty || "";  // the page's words (layouts/alarm_feed.py)
      wanted.push(empty);
    }
    wanted.forEach(function (el, i) {
      if (list.childNodes[i] !== el) { list.insertBefore(el, list.childNodes[i] || null); }
    });
    while (list.childNodes.length > wanted.length) { list.removeChild(list.lastChild); }
    feed.drawn = drawn;
  }

  /* What a panel draws: its last full read (by id) with the pushed changes after it. A
     full read replaces the changes it already holds; past MAX_KEPT changes without one, the
     oldest are folded into it, so a change is never forgotten however long the wait. */
  const MAX_KEPT = 100;
  function kept(apply) { return {full: null, v: null, base: new Map(), extra: null, deltas: [], apply: apply}; }
  function keepFull(k, full, items, extra) {
    k.full = full;
    k.v = full.v === undefined ? null : full.v;
    k.base = items;
    k.extra = extra;
    k.deltas = k.deltas.filter((d) => k.v === null || d.v > k.v);
  }
  function keepChange(k, d) {
    if (k.deltas.some((x) => x.v === d.v) || (k.v !== null && d.v <= k.v)) { return; }
    k.deltas.push(d);
    while (k.deltas.length > MAX_KEPT && k.full) {
      const old = k.deltas.shift();
      k.extra = k.apply(k.base, old, k.extra);
      k.v = old.v;
    }
  }
  function current(k) {
    const items = new Map(k.base);
    let extra = k.extra;
    k.deltas.forEach(function (d) { extra = k.apply(items, d, extra); });
    return {items: items, extra: extra};
  }

  // The feed: rows by id, and the level counts (the newest change's, else the full read's).
  const feedKept = kept(function (rows, d, counts) {
    (d.alarms || []).forEach((r) => rows.set(r.id, r));
    return d.counts || counts;
  });
  // The wall map's alarm layer: features by id; a change's `f` null takes one away.
  const mapKept = kept(function (features, d) {
    (d.map || []).forEach(function (m) {
      if (m.f) { features.set(m.id, m.f); } else { features.delete(m.id); }
    });
    return null;
  });
  const MAP_ALARMS = 500;   // maps/features.py MAP_ALARMS
  const MAP_PULSING = 3;    // the newest few pulse
  const LEVEL_RANK = {red: 0, orange: 1, yellow: 2, blue: 3};

  /* A pushed change with rows (and map features), kept until a full read holds it. */
  function remember(delta) {
    keepChange(feedKept, delta);
    if (delta.map) { keepChange(mapKept, delta); }
  }

  // Inputs: the last full read, the mark of the latest pushed change (remember() has its rows).
  function render(full, _pushed, countsChildren) {
    const noUpdate = window.dash_clientside.no_update;
    if (full && full !== feedKept.full) {
      keepFull(feedKept, full, new Map(full.rows.map((r) => [r.id, r])), full.counts);
    }
    const list = document.getElementById("alarm-feed");
    if (!list || (!feedKept.full && !feedKept.deltas.length)) { return [noUpdate, noUpdate, noUpdate]; }
    const now_ = current(feedKept);
    const counts = now_.extra;
    const limit = feedKept.full ? feedKept.full.limit : 60;
    // The feed's order (layouts/alarm_feed.py): escalated alarms pinned on top, highest stage
    // first and the longest waiting first within a stage; then the rest, newest first.
    const byTime = (a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);
    const ordered = Array.from(now_.items.values()).sort(function (a, b) {
      const pa = a.pin || 0, pb = b.pin || 0;
      if (pa !== pb) { return pb - pa; }
      return pa > 0 ? byTime(a, b) : byTime(b, a);
    });
    draw(list, ordered.slice(0, limit));
    // A replayed read is as of its replayed moment, never of the browser's clock.
    const now = feedKept.full && feedKept.full.replay ? feedKept.full.as_of : new Date().toISOString();
    let countOut = noUpdate;
    if (counts && Array.isArray(countsChildren)) {
      countOut = countsChildren.map(function (c) {
        const level = c.props && c.props["data-level"];
        if (!level || !Array.isArray(c.props.children)) { return c; }
        const kids = c.props.children.slice();
        kids[0] = Object.assign({}, kids[0], {props: Object.assign({}, kids[0].props, {children: String(counts[level] || 0)})});
        return Object.assign({}, c, {props: Object.assign({}, c.props, {children: kids})});
      });
    }
    return [now, countOut, counts ? now : noUpdate];
  }

  /* The wall map's alarm layer, its districts' shading and its age: the last full read with
     the pushed changes merged in, the newest MAP_ALARMS drawn (the server's rule). */
  function mapLayer(full, _pushed) {
    const noUpdate = window.dash_clientside.no_update;
    if (full && full !== mapKept.full) {
      const items = new Map((full.alarms.features || []).map((f) => [f.properties.id, f]));
      keepFull(mapKept, full, items, null);
    }
    if (!mapKept.full) { return [noUpdate, noUpdate, noUpdate]; }
    const features = Array.from(current(mapKept).items.values())
      .sort((a, b) => b.properties.at - a.properties.at)
      .slice(0, MAP_ALARMS)
      .map(function (f, i) {
        const pulse = i < MAP_PULSING;
        if (f.properties.pulse === pulse) { return f; }
        return Object.assign({}, f, {properties: Object.assign({}, f.properties, {pulse: pulse})});
      });
    const levels = {};
    features.forEach(function (f) {
      const d = f.properties.d, level = f.properties.level;
      if (d && (!(d in levels) || LEVEL_RANK[level] < LEVEL_RANK[levels[d]])) { levels[d] = level; }
    });
    const asOf = mapKept.full.replay ? mapKept.full.as_of : new Date().toISOString();
    return [{type: "FeatureCollection", features: features}, {levels: levels}, asOf];
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.seFeed = {render: render, map: mapLayer};
  /* The poll's gate: a tick asks the server only when the last ask was answered. A tick that
     came while a slow answer was in flight would supersede it (Dash keeps only the newest
     request of a callback), and a server slower than the tick would never be heard. */
  window.dash_clientside.sePulse = {
    ask: function (n) {
      const now = Date.now();
      if (P.asking && now - P.asking < ASK_TIMEOUT_MS) { return window.dash_clientside.no_update; }
      P.asking = now;
      P.asks += 1;
      return n;
    },
    answered: function () { P.asking = 0; P.answers += 1; },
  };
})();
