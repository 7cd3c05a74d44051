// snowhook's operator console: reads the status API every few seconds and drives re-ingestion.
// Plain JavaScript, no library, no inline script (the page's Content-Security-Policy forbids it).
// Everything from the API is put into the page as text (textContent), never as markup.
"use strict";

(() => {
    const POLL_MS = 3000;
    const PAGE_SIZE = 25;
    const STATUSES = ["QUEUED", "LOADING", "LOADED", "FAILED", "SKIPPED", "SUPERSEDED"];
    // Sent with every action: a cross-site form cannot send it (see CrossSiteRequestGuard).
    const ACTION_HEADERS = {"X-Snowhook-Console": "1", "Accept": "application/json"};
    const SVG = "http://www.w3.org/2000/svg";

    const state = {
        page: 0,
        filters: {status: "", table: "", blob: "", since: ""},
        expanded: new Set(),
        tracked: new Map(), // failed load id → id of the load re-ingesting it
        lastLoads: "",
        lastFailed: "",
        lostSince: null,
        timer: null,
    };

    const $ = (id) => document.getElementById(id);
    // Absolute URLs on the page's own origin: location.origin never holds the user:password@ a signed-in
    // address may carry (fetch refuses URLs with credentials).
    const BASE = location.origin + location.pathname.replace(/[^/]*$/, "");
    const api = (path) => BASE + path;

    function el(tag, attrs, ...children) {
        const node = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs || {})) {
            if (v === null || v === undefined || v === false) continue;
            if (k === "class") node.className = v;
            else if (k === "text") node.textContent = v;
            else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
            else node.setAttribute(k, v === true ? "" : v);
        }
        for (const c of children) {
            if (c === null || c === undefined) continue;
            node.append(c instanceof Node ? c : document.createTextNode(String(c)));
        }
        return node;
    }

    // ---- times: the browser's time zone, UTC on hover ----
    const localFormat = new Intl.DateTimeFormat(undefined, {
        year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    const clockFormat = new Intl.DateTimeFormat(undefined, {hour: "2-digit", minute: "2-digit"});

    function time(iso) {
        if (!iso) return el("span", {class: "none", text: "—"});
        const d = new Date(iso);
        return el("time", {datetime: iso, title: d.toISOString().replace(".000Z", "Z") + " (UTC)",
            text: localFormat.format(d)});
    }

    function duration(ms) {
        if (ms === null || ms === undefined) return "—";
        if (ms < 1000) return ms + " ms";
        if (ms < 60000) return (ms / 1000).toFixed(1) + " s";
        if (ms < 3600000) return Math.round(ms / 60000) + " min";
        return (ms / 3600000).toFixed(1) + " h";
    }

    function bytes(n) {
        if (n === null || n === undefined) return "—";
        const units = ["B", "KiB", "MiB", "GiB", "TiB"];
        let i = 0, v = n;
        while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
        return (i === 0 ? v : v.toFixed(1)) + " " + units[i];
    }

    function badge(status) {
        return el("span", {class: "badge s-" + status.toLowerCase(), text: status});
    }

    // ---- HTTP ----
    async function getJson(path) {
        const response = await fetch(api(path), {headers: {"Accept": "application/json"}, credentials: "same-origin",
            cache: "no-store"});
        if (!response.ok) throw await problem(response);
        return response.json();
    }

    async function post(path) {
        const response = await fetch(api(path), {method: "POST", headers: ACTION_HEADERS, credentials: "same-origin"});
        if (!response.ok) throw await problem(response);
        return response.json();
    }

    async function problem(response) {
        let detail = response.status + " " + response.statusText;
        try {
            const body = await response.json();
            if (body && body.detail) detail = body.detail;
        } catch (ignored) {
            // not a problem detail
        }
        const error = new Error(detail);
        error.status = response.status;
        return error;
    }

    function toast(text, kind) {
        const t = $("toast");
        t.textContent = text;
        t.className = "toast show " + (kind || "");
        clearTimeout(toast.timer);
        toast.timer = setTimeout(() => { t.className = "toast"; }, 6000);
    }

    // ---- connection ----
    function connected(at) {
        if (state.lostSince) {
            toast("Connection to snowhook is back.", "ok");
        }
        state.lostSince = null;
        $("lost").hidden = true;
        const c = $("connection");
        c.className = "connection live";
        c.replaceChildren("Live · updated ", time(at));
    }

    function lost(error) {
        if (error && error.status === 401) {
            error.message = "signed out or the password changed: reload the page to sign in";
        }
        if (!state.lostSince) state.lostSince = new Date();
        const banner = $("lost");
        banner.hidden = false;
        banner.replaceChildren("Lost the service since ", time(state.lostSince.toISOString()),
            " — the figures below are stale. Retrying every " + POLL_MS / 1000 + " s… (" +
            (error && error.message ? error.message : "no answer") + ")");
        const c = $("connection");
        c.className = "connection down";
        c.textContent = "Disconnected";
    }

    // ---- summary ----
    function renderSummary(stats) {
        const tiles = STATUSES.map((s) => el("button", {
            type: "button", class: "tile s-" + s.toLowerCase(), "data-status": s,
            "aria-label": stats.byStatus[s] + " " + s + ": show them",
            onclick: () => { setFilter({status: s}); $("loads").focus(); },
        }, el("span", {class: "count", text: stats.byStatus[s]}), el("span", {class: "label", text: s})));
        tiles.push(el("div", {class: "tile queue"},
            el("span", {class: "count", id: "queue-depth", text: stats.queued}),
            el("span", {class: "label", text: "in queue · " + stats.loading + " loading"})));
        $("tiles").replaceChildren(...tiles);

        $("health").replaceChildren(
            health("Warehouse", stats.health.warehouse),
            health("Blob storage", stats.health.storage),
            el("span", {class: "total", text: stats.total + " loads in all"}));

        renderRateChart(stats);
        renderLatencyChart(stats);
        renderTables(stats.tables);
        const names = stats.tables.map((t) => t.table).filter((t) => t);
        $("table-names").replaceChildren(...names.map((n) => el("option", {value: n})));
        const bulk = $("bulk-table");
        const chosen = bulk.value;
        bulk.replaceChildren(...names.map((n) => el("option", {value: n, text: n})));
        const failing = stats.tables.find((t) => t.table && t.byStatus.FAILED > 0);
        if (names.includes(chosen)) bulk.value = chosen;
        else if (failing) bulk.value = failing.table;
    }

    function health(label, status) {
        const kind = status === "UP" ? "up" : status === "UNKNOWN" ? "unknown" : "down";
        return el("span", {class: "health-item " + kind, "data-health": label},
            el("span", {class: "dot", "aria-hidden": "true"}), label + ": " + status);
    }

    function renderTables(tables) {
        const table = $("tables");
        table.tHead.replaceChildren(el("tr", {},
            el("th", {scope: "col", text: "Table"}),
            ...STATUSES.map((s) => el("th", {scope: "col", class: "num", text: s})),
            el("th", {scope: "col", class: "num", text: "Total"})));
        table.tBodies[0].replaceChildren(...tables.map((t) => el("tr", {},
            el("th", {scope: "row", text: t.table || "(none)"}),
            ...STATUSES.map((s) => el("td", {class: "num" + (s === "FAILED" && t.byStatus[s] > 0 ? " bad" : ""),
                text: t.byStatus[s]})),
            el("td", {class: "num", text: t.total}))));
    }

    function svg(tag, attrs) {
        const node = document.createElementNS(SVG, tag);
        for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
        return node;
    }

    const W = 600, H = 120, PAD_L = 40, PAD_B = 18;

    function axes(chart, max, label, from) {
        chart.append(svg("line", {x1: PAD_L, y1: H - PAD_B, x2: W, y2: H - PAD_B, class: "axis"}));
        const top = svg("text", {x: PAD_L - 4, y: 10, class: "tick", "text-anchor": "end"});
        top.textContent = label(max);
        chart.append(top);
        const zero = svg("text", {x: PAD_L - 4, y: H - PAD_B, class: "tick", "text-anchor": "end"});
        zero.textContent = "0";
        chart.append(zero);
        for (const [i, anchor] of [[0, "start"], [30, "middle"], [59, "end"]]) {
            const t = svg("text", {x: PAD_L + (i + (anchor === "end" ? 1 : 0)) * (W - PAD_L) / 60, y: H - 4,
                class: "tick", "text-anchor": anchor});
            t.textContent = clockFormat.format(new Date(new Date(from).getTime() + i * 60000));
            chart.append(t);
        }
    }

    function renderRateChart(stats) {
        const minutes = stats.minutes;
        const max = Math.max(1, ...minutes.map((m) => m.loaded + m.failed));
        const chart = svg("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", class: "svg",
            "aria-label": "Loads per minute over the last hour: " +
                minutes.reduce((a, m) => a + m.loaded, 0) + " loaded, " +
                minutes.reduce((a, m) => a + m.failed, 0) + " failed"});
        axes(chart, max, (v) => String(v), stats.from);
        const bw = (W - PAD_L) / minutes.length;
        const scale = (H - PAD_B - 12) / max;
        minutes.forEach((m, i) => {
            const x = PAD_L + i * bw + 1;
            const hl = m.loaded * scale, hf = m.failed * scale;
            const title = localFormat.format(new Date(m.start)) + ": " + m.loaded + " loaded, " + m.failed + " failed";
            if (hl > 0) {
                const r = svg("rect", {x, y: H - PAD_B - hl, width: Math.max(1, bw - 2), height: hl, class: "bar loaded"});
                r.append(svgTitle(title));
                chart.append(r);
            }
            if (hf > 0) {
                const r = svg("rect", {x, y: H - PAD_B - hl - hf, width: Math.max(1, bw - 2), height: hf,
                    class: "bar failed"});
                r.append(svgTitle(title));
                chart.append(r);
            }
        });
        $("chart-rate").replaceChildren(chart);
    }

    function svgTitle(text) {
        const t = svg("title");
        t.textContent = text;
        return t;
    }

    function renderLatencyChart(stats) {
        const minutes = stats.minutes;
        const max = Math.max(1000, ...minutes.map((m) => m.latencyMaxMillis || 0));
        const chart = svg("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", class: "svg",
            "aria-label": "Event to LOADED latency per minute over the last hour, up to " + duration(max)});
        axes(chart, max, duration, stats.from);
        const bw = (W - PAD_L) / minutes.length;
        const scale = (H - PAD_B - 12) / max;
        for (const [key, cls] of [["latencyMaxMillis", "line max"], ["latencyP50Millis", "line p50"]]) {
            let d = "";
            minutes.forEach((m, i) => {
                if (m[key] === null || m[key] === undefined) return;
                const x = PAD_L + (i + 0.5) * bw, y = H - PAD_B - m[key] * scale;
                d += (d === "" || minutes[i - 1] === undefined || minutes[i - 1][key] === null ? "M" : "L") +
                    x.toFixed(1) + " " + y.toFixed(1) + " ";
                const dot = svg("circle", {cx: x, cy: y, r: 2.5, class: "dot " + cls});
                dot.append(svgTitle(localFormat.format(new Date(m.start)) + ": median " +
                    duration(m.latencyP50Millis) + ", max " + duration(m.latencyMaxMillis)));
                chart.append(dot);
            });
            if (d) chart.append(svg("path", {d, class: cls}));
        }
        $("chart-latency").replaceChildren(chart);
    }

    // ---- failed loads ----
    function renderFailed(page) {
        const key = JSON.stringify(page.loads) + JSON.stringify([...state.tracked]);
        if (key === state.lastFailed) return;
        state.lastFailed = key;
        const list = $("failed-list");
        if (page.loads.length === 0) {
            list.replaceChildren(el("p", {class: "none", text: "No failed loads."}));
            return;
        }
        const cards = page.loads.map(failedCard);
        if (page.totalElements > page.loads.length) {
            cards.push(el("p", {class: "more"}, el("button", {type: "button", class: "ghost",
                onclick: () => { setFilter({status: "FAILED"}); $("loads").focus(); },
                text: "All " + page.totalElements + " failed loads →"})));
        }
        list.replaceChildren(...cards);
    }

    function failedCard(load) {
        const where = [];
        if (load.errorLine !== null) where.push("line " + load.errorLine);
        if (load.errorColumn !== null) where.push("column " + load.errorColumn);
        const tracked = state.tracked.get(load.id);
        return el("article", {class: "failed-card", "data-load-id": load.id},
            el("header", {},
                el("strong", {class: "blob", text: load.blob}),
                el("span", {class: "meta"}, load.table || "(no table)", " · ", time(load.finishedAt),
                    " · eTag ", el("code", {text: load.etag || "—"}))),
            el("p", {class: "error"},
                where.length ? el("span", {class: "where", text: where.join(", ") + ": "}) : null,
                el("span", {class: "error-text", text: load.error || load.reason || "(no error recorded)"})),
            el("div", {class: "actions"},
                el("button", {type: "button", class: "reingest-same", onclick: (e) => reingest(load, "same", e.target),
                    title: "Load the same blob version again (after the table or the warehouse was fixed)",
                    text: "Re-ingest same version"}),
                el("button", {type: "button", class: "reingest-current",
                    onclick: (e) => reingest(load, "current", e.target),
                    title: "Load the blob as it is now (after a fixed file was uploaded)",
                    text: "Re-ingest blob as it is now"}),
                tracked ? el("span", {class: "tracked", "data-reingest-id": tracked.id},
                    "Re-ingest ", el("code", {text: tracked.id.slice(0, 8)}), ": ", badge(tracked.status),
                    tracked.rowsLoaded !== null && tracked.rowsLoaded !== undefined ? " " + tracked.rowsLoaded + " rows" : "",
                    tracked.error ? " — " + tracked.error : "") : null));
    }

    async function reingest(load, version, button) {
        button.disabled = true;
        try {
            const queued = await post("loads/" + encodeURIComponent(load.id) + "/reingest?version=" + version);
            state.tracked.set(load.id, queued);
            toast("Queued load " + queued.id.slice(0, 8) + " for " + load.blob, "ok");
            refresh();
        } catch (e) {
            toast("Re-ingest refused: " + e.message, "bad");
        } finally {
            button.disabled = false;
        }
    }

    async function refreshTracked() {
        for (const [failedId, tracked] of state.tracked) {
            if (["LOADED", "FAILED", "SKIPPED", "SUPERSEDED"].includes(tracked.status) && tracked.settled) continue;
            const now = await getJson("loads/" + encodeURIComponent(tracked.id));
            now.settled = ["LOADED", "FAILED", "SKIPPED", "SUPERSEDED"].includes(now.status);
            state.tracked.set(failedId, now);
        }
    }

    $("bulk").addEventListener("submit", async (e) => {
        e.preventDefault();
        const table = $("bulk-table").value;
        const since = $("bulk-since").value;
        if (!table || !since) return;
        const button = $("bulk-submit");
        button.disabled = true;
        try {
            const q = new URLSearchParams({table, since: new Date(since).toISOString(), version: $("bulk-version").value});
            const result = await post("loads/reingest?" + q);
            toast(result.queued.length + " failed loads of " + table + " queued again, " + result.skipped.length +
                " skipped" + (result.more ? "; more remain: press again" : ""), "ok");
            refresh();
        } catch (err) {
            toast("Re-ingest refused: " + err.message, "bad");
        } finally {
            button.disabled = false;
        }
    });

    // ---- loads table ----
    function renderLoads(page) {
        const key = JSON.stringify(page) + JSON.stringify([...state.expanded]);
        if (key === state.lastLoads) return;
        state.lastLoads = key;
        const focused = document.activeElement && document.activeElement.dataset
            ? document.activeElement.dataset.focusKey : null;
        const body = $("loads-table").tBodies[0];
        const rows = [];
        if (page.loads.length === 0) {
            rows.push(el("tr", {}, el("td", {colspan: 7, class: "none", text: "No loads match."})));
        }
        for (const load of page.loads) {
            const open = state.expanded.has(load.id);
            rows.push(el("tr", {class: "load s-" + load.status.toLowerCase(), "data-load-id": load.id,
                "data-status": load.status},
                el("td", {}, el("button", {type: "button", class: "expand", "aria-expanded": open ? "true" : "false",
                    "aria-controls": "d-" + load.id, "data-focus-key": "x-" + load.id,
                    "aria-label": (open ? "Hide" : "Show") + " details of " + load.blob,
                    onclick: () => toggle(load.id), text: open ? "▾" : "▸"})),
                el("td", {}, time(load.receivedAt)),
                el("td", {}, badge(load.status)),
                el("td", {text: load.table || "—"}),
                el("td", {class: "blob", title: load.blob, text: load.blob}),
                el("td", {class: "num", text: load.rowsLoaded === null ? "—" : load.rowsLoaded}),
                el("td", {class: "num", text: load.attempts})));
            if (open) rows.push(el("tr", {class: "details", id: "d-" + load.id},
                el("td", {colspan: 7}, details(load))));
        }
        body.replaceChildren(...rows);
        const from = page.totalElements === 0 ? 0 : page.page * page.size + 1;
        $("page-info").textContent = `${from}–${page.page * page.size + page.loads.length} of ${page.totalElements}`;
        $("prev").disabled = page.page === 0;
        $("next").disabled = page.page + 1 >= page.totalPages;
        if (focused) {
            const again = document.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`);
            if (again) again.focus();
        }
    }

    function details(load) {
        const took = load.startedAt && load.finishedAt ? new Date(load.finishedAt) - new Date(load.startedAt) : null;
        const fields = [
            ["Load id", el("code", {text: load.id})],
            ["Blob", `${load.account}/${load.container}/${load.blob}`],
            ["eTag", el("code", {text: load.etag || "—"})],
            ["Sequencer", el("code", {text: load.sequencer || "—"})],
            ["Format / mode", [load.format || "—", load.mode || "—"].join(" / ")],
            ["Attempts", String(load.attempts)],
            ["Rows parsed / loaded", `${load.rowsParsed ?? "—"} / ${load.rowsLoaded ?? "—"}`],
            ["Bytes", `${bytes(load.bytes)} (blob ${bytes(load.size)})`],
            ["Event time", time(load.eventTime)],
            ["Received", time(load.receivedAt)],
            ["Started", time(load.startedAt)],
            ["Finished", time(load.finishedAt)],
            ["Load took", duration(took)],
            ["Event id", load.eventId || "— (operator load)"],
            ["Re-ingests", load.reingestOf ? el("code", {text: load.reingestOf}) : "—"],
        ];
        if (load.error) fields.push(["First error", el("span", {class: "error-text", text: load.error})]);
        if (load.errorLine !== null) fields.push(["Error line", String(load.errorLine)]);
        if (load.errorColumn !== null) fields.push(["Error column", load.errorColumn]);
        if (load.reason) fields.push(["Reason", load.reason]);
        const list = el("dl", {class: "fields"});
        for (const [k, v] of fields) list.append(el("dt", {text: k}), el("dd", {}, v));
        const actions = ["LOADED", "FAILED", "SKIPPED", "SUPERSEDED"].includes(load.status) && load.table
            ? el("div", {class: "actions"},
                el("button", {type: "button", onclick: (e) => reingest(load, "same", e.target), text: "Re-ingest same version"}),
                el("button", {type: "button", onclick: (e) => reingest(load, "current", e.target),
                    text: "Re-ingest blob as it is now"}))
            : null;
        return el("div", {}, list, actions);
    }

    function toggle(id) {
        if (state.expanded.has(id)) state.expanded.delete(id);
        else state.expanded.add(id);
        const focusKey = "x-" + id;
        state.lastLoads = "";
        refreshLoads().then(() => {
            const b = document.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
            if (b) b.focus();
        });
    }

    function setFilter(changes) {
        Object.assign(state.filters, changes);
        state.page = 0;
        $("f-status").value = state.filters.status;
        $("f-table").value = state.filters.table;
        $("f-blob").value = state.filters.blob;
        $("f-since").value = state.filters.since;
        state.lastLoads = "";
        refreshLoads().catch(lost);
    }

    $("filters").addEventListener("submit", (e) => {
        e.preventDefault();
        setFilter({status: $("f-status").value, table: $("f-table").value.trim(), blob: $("f-blob").value,
            since: $("f-since").value});
    });
    $("filters").addEventListener("reset", () => setTimeout(() =>
        setFilter({status: "", table: "", blob: "", since: ""})));
    $("f-status").addEventListener("change", () => setFilter({status: $("f-status").value}));
    $("prev").addEventListener("click", () => page(-1));
    $("next").addEventListener("click", () => page(1));

    function page(delta) {
        if (delta < 0 && state.page === 0) return;
        state.page = Math.max(0, state.page + delta);
        state.lastLoads = "";
        refreshLoads().catch(lost);
    }

    function loadsQuery() {
        const q = new URLSearchParams({page: state.page, size: PAGE_SIZE});
        if (state.filters.status) q.set("status", state.filters.status);
        if (state.filters.table) q.set("table", state.filters.table);
        if (state.filters.blob) q.set("blob", state.filters.blob);
        if (state.filters.since) q.set("since", new Date(state.filters.since).toISOString());
        return q;
    }

    async function refreshLoads() {
        renderLoads(await getJson("loads?" + loadsQuery()));
    }

    // ---- keyboard ----
    document.addEventListener("keydown", (e) => {
        const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
        if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
        if (e.key === "/") { e.preventDefault(); $("f-blob").focus(); }
        else if (e.key === "f") { $("failed").scrollIntoView(); const b = document.querySelector("#failed button"); if (b) b.focus(); }
        else if (e.key === "l") { $("loads").focus(); }
        else if (e.key === "[") page(-1);
        else if (e.key === "]") page(1);
    });

    // ---- colour scheme: follows the system unless chosen ----
    const THEMES = ["auto", "light", "dark"];
    function applyTheme(theme) {
        document.documentElement.dataset.theme = theme;
        const names = {auto: "◐ Auto", light: "☀ Light", dark: "☾ Dark"};
        $("theme").textContent = names[theme];
        $("theme").setAttribute("aria-label", "Colour scheme: " + (theme === "auto" ? "follows the system" : theme) +
            "; press to change");
    }
    let theme = localStorage.getItem("snowhook.theme") || "auto";
    applyTheme(theme);
    $("theme").addEventListener("click", () => {
        theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
        localStorage.setItem("snowhook.theme", theme);
        applyTheme(theme);
    });

    // ---- the loop ----
    async function refresh() {
        clearTimeout(state.timer);
        try {
            const [stats, failed, loads] = await Promise.all([
                getJson("loads/stats"),
                getJson("loads?status=FAILED&size=10"),
                getJson("loads?" + loadsQuery()),
            ]);
            await refreshTracked();
            renderSummary(stats);
            renderFailed(failed);
            renderLoads(loads);
            connected(stats.at);
        } catch (e) {
            lost(e);
        } finally {
            state.timer = setTimeout(refresh, POLL_MS);
        }
    }

    const since = new Date(Date.now() - 24 * 3600 * 1000);
    since.setMinutes(since.getMinutes() - since.getTimezoneOffset());
    $("bulk-since").value = since.toISOString().slice(0, 16);
    refresh();
})();
