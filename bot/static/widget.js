/*
 * Briefbot chat widget — one plain file, no build step.
 *
 *   <script src="https://briefbot.example/widget.js"
 *           data-api="https://briefbot.example" data-title="Briefbot" data-accent="#0b5fff"
 *           data-questions="What happens next?|What does Zelenskyy want?"></script>
 *
 * The script defines <briefbot-widget> (an open shadow root, so the page's CSS stays out) and
 * mounts one right after the script tag (or inside `data-target="#selector"`). Answers stream
 * from POST {api}/v1/ask/stream (Server-Sent Events read with fetch + ReadableStream).
 * Everything that comes from the server or the articles is inserted as text nodes only.
 * Theming hooks for the host page: --briefbot-accent, --briefbot-height.
 */
(() => {
  "use strict";

  const TAG = "briefbot-widget";
  const SCRIPT = document.currentScript;
  const SCRIPT_ORIGIN = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src, location.href).origin : location.origin;
  const DEFAULT_ACCENT = "#0b5fff";
  const MAX_STORED_TURNS = 40;
  const MAX_QUESTION_CHARS = 1000;
  const SVG_NS = "http://www.w3.org/2000/svg";

  const ICONS = {
    send: "M3.4 20.4 21 12 3.4 3.6 3.4 10.1 15 12 3.4 13.9Z",
    up: "M2 21h4V9H2v12Zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6c-.4.4-.6.9-.6 1.4V19a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2Z",
    down: "M22 3h-4v12h4V3ZM2 14a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.4 1.1l1.1 1 6.6-6.6c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2H7c-.8 0-1.5.5-1.8 1.2l-3 7.1c-.1.2-.2.5-.2.7v2Z",
    info: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm1 15h-2v-6h2v6Zm0-8h-2V7h2v2Z",
    close: "M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12Z",
    plus: "M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2Z",
    external: "M14 3v2h3.6l-9.8 9.8 1.4 1.4L19 6.4V10h2V3h-7ZM19 19H5V5h7V3H5a2 2 0 0 0-2 2v14c0 1.1.9 2 2 2h14a2 2 0 0 0 2-2v-7h-2v7Z",
  };

  const STYLE = `
    /* The page's CSS cannot reach inside, but it can style the host element, whose inherited
       properties (color, font…) would flow in: .panel resets them all. */
    :host { all: initial; display: block; contain: content;
      --accent: var(--briefbot-accent, ${DEFAULT_ACCENT});
      --accent-soft: color-mix(in srgb, var(--accent) 10%, #fff);
      --accent-line: color-mix(in srgb, var(--accent) 35%, #fff);
      --ink: #1c2128; --muted: #59636e; --line: #d8dee4; --paper: #fff; --wash: #f3f5f8;
      --analysis: #7339ac; --analysis-soft: #f3ecfa; --warn: #8a5a00; --warn-soft: #fff7e0;
      font: 15px/1.5 system-ui, sans-serif; color: var(--ink); }
    *, *::before, *::after { box-sizing: border-box; }
    [hidden] { display: none !important; }
    button, input { font: inherit; color: inherit; }
    button { cursor: pointer; }
    :focus-visible { outline: 3px solid color-mix(in srgb, var(--accent) 55%, #fff); outline-offset: 2px; }
    .sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
      clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
    svg { width: 1em; height: 1em; fill: currentColor; flex: none; }

    .panel { all: initial; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      color: var(--ink); display: flex; flex-direction: column; height: var(--briefbot-height, 600px); max-height: 100%;
      min-width: 0; background: var(--paper); border: 1px solid var(--line); border-radius: 16px;
      box-shadow: 0 1px 2px rgb(16 24 40 / 6%), 0 8px 24px rgb(16 24 40 / 8%); overflow: hidden; }
    header { display: flex; align-items: center; gap: 10px; padding: 12px 14px; border-bottom: 1px solid var(--line); }
    .logo { width: 30px; height: 30px; border-radius: 9px; background: var(--accent); color: #fff; display: grid;
      place-items: center; font-weight: 700; font-size: 15px; flex: none; }
    .heading { min-width: 0; flex: 1; }
    h2 { margin: 0; font-size: 16px; line-height: 1.25; font-weight: 650; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .subtitle { margin: 0; font-size: 12.5px; color: var(--muted); }
    .new-chat { display: inline-flex; align-items: center; gap: 4px; border: 1px solid var(--line); background: var(--paper);
      border-radius: 999px; padding: 4px 10px; font-size: 13px; color: var(--muted); }
    .new-chat:hover { color: var(--ink); border-color: var(--muted); }
    .briefing .answer-text { white-space: pre-line; }
    .briefing .answer-text .section { display: block; font-weight: 650; margin-top: 6px; }

    .log { position: relative; flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 14px;
      overscroll-behavior: contain; scroll-behavior: smooth; }
    .empty { margin: auto 0; text-align: center; color: var(--muted); padding: 8px 4px; }
    .empty p { margin: 0 0 12px; }
    .chips { display: flex; flex-wrap: wrap; gap: 8px; justify-content: center; }
    .chip { border: 1px solid var(--accent-line); background: var(--accent-soft); color: var(--accent);
      border-radius: 999px; padding: 6px 12px; font-size: 13.5px; text-align: left; }
    .chip:hover { background: color-mix(in srgb, var(--accent) 16%, #fff); }

    .turn { display: flex; flex-direction: column; gap: 8px; }
    .question { align-self: flex-end; max-width: 85%; margin: 0; background: var(--accent); color: #fff;
      padding: 8px 12px; border-radius: 14px 14px 4px 14px; overflow-wrap: anywhere; white-space: pre-wrap; }
    .answer { align-self: flex-start; max-width: 100%; min-width: 0; background: var(--wash);
      padding: 10px 12px; border-radius: 14px 14px 14px 4px; border: 1px solid transparent; }
    .answer-text { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
    .answer.ungrounded { background: var(--paper); border: 1px dashed #c6ccd3; color: var(--muted); }
    .badge { display: inline-flex; align-items: center; gap: 5px; margin: 0 0 6px; padding: 2px 8px;
      border-radius: 999px; background: var(--warn-soft); color: var(--warn); font-size: 12.5px; font-weight: 600; }
    .answer.failed { background: #fff1f0; border-color: #f3c4c0; color: #8c1d18; }
    .retry { margin-top: 8px; border: 1px solid currentColor; background: none; border-radius: 8px; padding: 3px 10px; font-size: 13px; }

    .marker { display: inline-block; border: 0; margin: 0 1px; padding: 0 5px; border-radius: 6px;
      background: color-mix(in srgb, var(--accent) 14%, #fff); color: var(--accent); font-size: 0.8em; font-weight: 650;
      line-height: 1.5; vertical-align: 0.1em; }
    .marker:hover, .marker[aria-expanded="true"] { background: var(--accent); color: #fff; }
    .marker.pending { opacity: 0.6; cursor: default; }

    .typing { display: inline-flex; gap: 4px; padding: 6px 2px; }
    .typing span { width: 7px; height: 7px; border-radius: 50%; background: #98a2ad; animation: blink 1.2s infinite ease-in-out; }
    .typing span:nth-child(2) { animation-delay: 0.15s; } .typing span:nth-child(3) { animation-delay: 0.3s; }
    @keyframes blink { 0%, 80%, 100% { opacity: 0.25; } 40% { opacity: 1; } }
    .streaming .answer-text::after { content: "▍"; color: var(--accent); animation: blink 1s infinite; }

    .sources { list-style: none; margin: 10px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
    .source { display: inline-flex; align-items: center; gap: 6px; max-width: 100%; border: 1px solid var(--line);
      background: var(--paper); border-radius: 999px; padding: 2px 10px 2px 3px; font-size: 12.5px; color: var(--ink); }
    .source .n { display: grid; place-items: center; min-width: 20px; height: 20px; border-radius: 999px;
      background: var(--accent-soft); color: var(--accent); font-weight: 700; font-size: 11.5px; padding: 0 5px; }
    .source .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .source.analysis .n { background: var(--analysis-soft); color: var(--analysis); }
    .source[aria-expanded="true"] { border-color: var(--accent); box-shadow: inset 0 0 0 1px var(--accent); }

    .card { margin-top: 10px; background: var(--paper); border: 1px solid var(--line); border-left: 4px solid var(--accent);
      border-radius: 10px; padding: 10px 12px; color: var(--ink); }
    .card.analysis { border-left-color: var(--analysis); }
    .card-head { display: flex; align-items: center; gap: 8px; }
    .outlet { font-size: 12px; font-weight: 700; letter-spacing: 0.02em; color: var(--accent);
      background: var(--accent-soft); border-radius: 6px; padding: 1px 7px; overflow-wrap: anywhere; }
    .card.analysis .outlet { color: var(--analysis); background: var(--analysis-soft); }
    .card-n { font-size: 12px; color: var(--muted); flex: 1; }
    .close { border: 0; background: none; color: var(--muted); padding: 4px; border-radius: 6px; display: grid; place-items: center; }
    .close:hover { background: var(--wash); color: var(--ink); }
    .article-title { margin: 6px 0 2px; font-weight: 650; font-size: 14px; overflow-wrap: anywhere; }
    .article-meta { margin: 0; font-size: 12.5px; color: var(--muted); overflow-wrap: anywhere; }
    blockquote { margin: 8px 0 0; padding: 6px 10px; border-radius: 6px; background: var(--wash); font-size: 14px;
      white-space: pre-wrap; overflow-wrap: anywhere; }
    .read { display: inline-flex; align-items: center; gap: 4px; margin-top: 8px; color: var(--accent); font-size: 13px; font-weight: 600; }

    .feedback { display: flex; align-items: center; gap: 4px; margin-top: 8px; color: var(--muted); font-size: 12.5px; }
    .feedback .prompt { margin-right: 2px; }
    .rate { border: 1px solid transparent; background: none; color: var(--muted); border-radius: 8px; padding: 5px 7px;
      display: grid; place-items: center; font-size: 15px; }
    .rate:hover { background: var(--paper); border-color: var(--line); color: var(--ink); }
    .rate[aria-pressed="true"] { color: var(--accent); background: var(--accent-soft); border-color: var(--accent-line); }
    .thanks { margin-left: 4px; }

    form { display: flex; gap: 8px; padding: 10px 12px 12px; border-top: 1px solid var(--line); background: var(--paper); }
    input[type="text"] { flex: 1; min-width: 0; border: 1px solid var(--line); border-radius: 12px; padding: 9px 12px;
      background: var(--paper); }
    input[type="text"]:focus { border-color: var(--accent); outline: 3px solid var(--accent-soft); outline-offset: 0; }
    .send { display: inline-flex; align-items: center; gap: 6px; border: 0; border-radius: 12px; padding: 0 14px;
      background: var(--accent); color: #fff; font-weight: 650; }
    .send:disabled { opacity: 0.55; cursor: progress; }
    .footnote { margin: 0; padding: 0 12px 10px; font-size: 11.5px; color: var(--muted); text-align: center; }

    @media (max-width: 420px) {
      header { padding: 10px 12px; } .log { padding: 12px 10px; } .subtitle { display: none; }
      .question { max-width: 92%; } .send .send-label { display: none; } .send { padding: 0 12px; }
    }
    @media (prefers-reduced-motion: reduce) {
      .log { scroll-behavior: auto; } .typing span, .streaming .answer-text::after { animation: none; }
    }
  `;

  // ----- helpers ---------------------------------------------------------------------------

  /** An element with static attributes; children are nodes or strings (inserted as text nodes). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function icon(name) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  const str = (value) => (value === null || value === undefined ? "" : String(value));

  /** Only absolute http(s) links are ever made clickable. */
  function safeHref(url) {
    if (typeof url !== "string" || !url) return null;
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch {
      return null;
    }
  }

  function sourceLabel(citation) {
    if (citation.kind === "analysis") return "Analysis";
    const outlets = Array.isArray(citation.outlets) ? citation.outlets.map(str).filter(Boolean) : [];
    if (outlets.length) return outlets.join(", ");
    return str(citation.publisher) || "Reported";
  }

  function validColor(value) {
    return value && window.CSS && CSS.supports("color", value) ? value : null;
  }

  /** Parse a text/event-stream body into {event, data} objects as the bytes arrive. */
  async function* readEvents(response) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let boundary;
      while ((boundary = /\r\n\r\n|\n\n|\r\r/.exec(buffer))) {
        const block = buffer.slice(0, boundary.index);
        buffer = buffer.slice(boundary.index + boundary[0].length);
        const event = parseEventBlock(block);
        if (event) yield event;
      }
    }
    const last = parseEventBlock(buffer);
    if (last) yield last;
  }

  function parseEventBlock(block) {
    let event = "message";
    const data = [];
    for (const line of block.split(/\r\n|\r|\n/)) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    return data.length ? { event, data: data.join("\n") } : null;
  }

  const citationList = (value) => (Array.isArray(value) ? value.filter((c) => c && typeof c === "object") : []);

  /** A finished turn from storage or from GET /v1/conversations/{id}, with defensive types. */
  function storedTurn(turn, rating) {
    return {
      index: turn.index, question: str(turn.question), answer: str(turn.answer), grounded: turn.grounded !== false,
      citations: citationList(turn.citations), briefing: turn.briefing === true,
      rating: rating === "up" || rating === "down" ? rating : null, status: "done",
    };
  }

  /** GET /v1/briefing as readable text whose [n] markers point at the briefing's citations. */
  function briefingText(b) {
    const lines = [];
    const list = (value) => (Array.isArray(value) ? value : []);
    const section = (title, items) => {
      if (items.length) lines.push(title, ...items, "");
    };
    section("Positions", list(b.positions).flatMap((a) => list(a.items).map((i) => `• ${str(a.actor)}: ${str(i.text)}`)));
    section("Next steps / what to watch", list(b.next_steps).map((i) => `• ${str(i.text)}`));
    section("Who gains, who loses (the articles' analysis)", list(b.gains_losses).map(
      (i) => `• ${i.actor ? `${str(i.actor)} ${str(i.effect)}: ` : ""}${str(i.text)}`));
    section("Who reported what", list(b.by_outlet).flatMap((o) => list(o.items).map((i) => `• ${str(o.outlet)}: ${str(i.text)}`)));
    section("Where outlets differ", list(b.differences).flatMap(
      (d) => list(d.versions).map((v) => `• ${list(v.outlets).map(str).join(", ")}: ${str(v.text)}`)));
    return lines.join("\n").trim();
  }

  class WidgetError extends Error {}

  async function errorDetail(response) {
    try {
      const body = await response.json();
      if (body && typeof body.detail === "string") return body.detail;
    } catch {
      /* not JSON */
    }
    return `Briefbot answered with HTTP ${response.status}.`;
  }

  // ----- the element -----------------------------------------------------------------------

  class BriefbotWidget extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      this.state = { conversationId: null, turns: [] };
      this.busy = false;
      this.turnViews = new Map();
      this.controller = null;
      this.uid = 0;
    }

    connectedCallback() {
      if (this.built) return;
      this.built = true;
      const data = this.dataset;
      this.api = (data.api || SCRIPT_ORIGIN).replace(/\/+$/, "");
      this.heading = data.title || "Briefbot";
      this.questions = (data.questions || "").split("|").map((q) => q.trim()).filter(Boolean).slice(0, 6);
      this.storageKey = `briefbot:${data.storageKey || this.api}`;
      const accent = validColor(data.accent);
      if (accent) this.style.setProperty("--briefbot-accent", accent);
      this.build();
      this.load();
      this.renderAll();
      this.sync();
    }

    /** Request headers, with the site's API key when the server requires one (it is public). */
    headers(extra) {
      return this.dataset.apiKey ? { ...extra, "X-API-Key": this.dataset.apiKey } : extra;
    }

    disconnectedCallback() {
      if (this.controller) this.controller.abort();
    }

    build() {
      const root = this.shadowRoot;
      root.replaceChildren();
      root.append(el("style", {}, STYLE));
      this.newChatButton = el("button", { type: "button", class: "new-chat", "aria-label": "New chat: start a new conversation" },
        icon("plus"), "New chat");
      this.newChatButton.addEventListener("click", () => this.reset());
      this.briefButton = el("button", { type: "button", class: "new-chat brief",
        "aria-label": "Brief me: who wants what and what happens next" }, icon("info"), "Brief me");
      this.briefButton.addEventListener("click", () => this.brief());
      this.log = el("div", { class: "log", role: "region", "aria-label": "Conversation", tabindex: "-1" });
      this.input = el("input", {
        type: "text", id: "bb-question", name: "question", autocomplete: "off", enterkeyhint: "send",
        maxlength: String(MAX_QUESTION_CHARS), placeholder: "Ask about the articles…",
      });
      this.sendButton = el("button", { type: "submit", class: "send" }, icon("send"), el("span", { class: "send-label" }, "Ask"));
      this.sendButton.setAttribute("aria-label", "Ask");
      const form = el("form", { "aria-label": "Ask a question" },
        el("label", { for: "bb-question", class: "sr-only" }, `Ask ${this.heading} a question`),
        this.input, this.sendButton);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.ask(this.input.value);
      });
      // One polite announcement per finished answer (streamed text is not read out piece by piece).
      this.announcer = el("div", { class: "sr-only", "aria-live": "polite", "aria-atomic": "true" });
      this.alerts = el("div", { class: "sr-only", role: "alert" });
      const panel = el("section", { class: "panel", "aria-labelledby": "bb-title" },
        el("header", {},
          el("div", { class: "logo", "aria-hidden": "true" }, this.heading.slice(0, 1).toUpperCase()),
          el("div", { class: "heading" },
            el("h2", { id: "bb-title" }, this.heading),
            el("p", { class: "subtitle" }, "Cited answers from the articles")),
          this.briefButton,
          this.newChatButton),
        this.log,
        form,
        el("p", { class: "footnote" }, "Select a number to see the quoted source."),
        this.announcer,
        this.alerts);
      root.append(panel);
    }

    // ----- persistence ---------------------------------------------------------------------

    load() {
      try {
        const saved = JSON.parse(localStorage.getItem(this.storageKey) || "null");
        const id = saved && saved.conversationId;
        if (saved && (typeof id === "string" || id === null) && Array.isArray(saved.turns)) {
          const turns = saved.turns.filter((t) => t && (Number.isInteger(t.index) || t.briefing === true))
            .map((t) => storedTurn(t, t.rating));
          this.state = { conversationId: saved.conversationId, turns };
        }
      } catch {
        /* storage unavailable or corrupt: start empty */
      }
    }

    save() {
      const turns = this.state.turns.filter((t) => t.status === "done").slice(-MAX_STORED_TURNS).map((t) => ({
        index: t.index, question: t.question, answer: t.answer, grounded: t.grounded, briefing: t.briefing === true,
        citations: t.citations, rating: t.rating || null, status: "done",
      }));
      try {
        if (this.state.conversationId || turns.length) {
          localStorage.setItem(this.storageKey, JSON.stringify({ conversationId: this.state.conversationId, turns }));
        } else {
          localStorage.removeItem(this.storageKey);
        }
      } catch {
        /* storage full or blocked: the conversation still works for this page view */
      }
    }

    /** The server is the source of truth for the turns (and their indexes) of a stored conversation. */
    async sync() {
      const id = this.state.conversationId;
      if (!id || this.busy) return;
      let response;
      try {
        response = await fetch(`${this.api}/v1/conversations/${encodeURIComponent(id)}`, {
          credentials: "omit", headers: this.headers({}),
        });
      } catch {
        return; // offline: keep what is stored
      }
      if (this.busy || id !== this.state.conversationId) return;
      if (response.status === 404) {
        this.state = { conversationId: null, turns: [] };
      } else if (response.ok) {
        const body = await response.json().catch(() => null);
        if (!body || !Array.isArray(body.turns)) return;
        const ratings = new Map(this.state.turns.map((t) => [t.index, t.rating]));
        const turns = body.turns.filter((t) => t && Number.isInteger(t.index)).map((t) => storedTurn(t, ratings.get(t.index)));
        turns.push(...this.state.turns.filter((t) => t.briefing && t.status === "done")); // local only
        if (JSON.stringify(turns) === JSON.stringify(this.state.turns)) return; // unchanged: keep the view (and open cards)
        this.state.turns = turns;
      } else {
        return;
      }
      this.save();
      this.renderAll();
    }

    reset() {
      if (this.controller) this.controller.abort();
      this.state = { conversationId: null, turns: [] };
      this.save();
      this.renderAll();
      this.input.value = "";
      this.input.focus();
    }

    // ----- rendering -------------------------------------------------------------------------

    renderAll() {
      this.turnViews.clear();
      this.log.replaceChildren();
      if (!this.state.turns.length) {
        this.log.append(this.renderEmpty());
        return;
      }
      for (const turn of this.state.turns) this.log.append(this.renderTurn(turn));
      this.scrollToEnd();
    }

    renderEmpty() {
      const box = el("div", { class: "empty" }, el("p", {}, "Ask what each side wants, what happens next, or what an outlet reported."));
      if (this.questions.length) {
        const chips = el("div", { class: "chips", role: "group", "aria-label": "Suggested questions" });
        for (const question of this.questions) {
          const chip = el("button", { type: "button", class: "chip" }, question);
          chip.addEventListener("click", () => this.ask(question));
          chips.append(chip);
        }
        box.append(chips);
      }
      return box;
    }

    renderTurn(turn) {
      const id = `bb-turn-${++this.uid}`;
      const view = {
        id,
        root: el("article", { class: "turn", "aria-label": `Question ${this.state.turns.indexOf(turn) + 1}` }),
        answer: el("div", { class: "answer" }),
        text: el("p", { class: "answer-text" }),
        openN: null,
      };
      view.root.append(
        el("p", { class: "question" }, el("span", { class: "sr-only" }, "You asked: "), str(turn.question)),
        view.answer);
      this.turnViews.set(turn, view);
      this.updateTurn(turn);
      return view.root;
    }

    updateTurn(turn) {
      const view = this.turnViews.get(turn);
      if (!view) return;
      const { answer } = view;
      answer.className = turn.briefing ? "answer briefing" : "answer";
      answer.replaceChildren();
      answer.setAttribute("aria-busy", String(turn.status === "streaming"));
      answer.dataset.state = turn.status;
      if (turn.status === "failed") {
        answer.classList.add("failed");
        const retry = el("button", { type: "button", class: "retry" }, "Try again");
        retry.addEventListener("click", () => this.retry(turn));
        answer.append(el("p", { class: "answer-text" }, str(turn.error)), retry);
        return;
      }
      if (turn.status === "streaming" && !turn.answer) {
        answer.append(el("span", { class: "typing", role: "img", "aria-label": "Briefbot is looking through the articles" },
          el("span"), el("span"), el("span")));
        return;
      }
      if (turn.status === "streaming") answer.classList.add("streaming");
      if (turn.status === "done" && !turn.grounded) {
        answer.classList.add("ungrounded");
        answer.append(el("p", { class: "badge" }, icon("info"), "The articles don't say"));
      }
      answer.append(el("span", { class: "sr-only" }, "Briefbot: "));
      this.renderAnswerText(view, turn);
      answer.append(view.text);
      if (turn.status === "done") {
        if (turn.citations.length) answer.append(this.renderSources(view, turn));
        if (!turn.briefing) answer.append(this.renderFeedback(turn)); // a briefing is not a conversation turn
      }
    }

    /** The answer text with every [n] as a button that opens citation n's card. */
    renderAnswerText(view, turn) {
      const text = str(turn.answer);
      const byN = new Map(turn.citations.map((c) => [Number(c.n), c]));
      view.text.replaceChildren();
      let last = 0;
      for (const match of text.matchAll(/\[(\d+)\]/g)) {
        view.text.append(document.createTextNode(text.slice(last, match.index)));
        last = match.index + match[0].length;
        const citation = byN.get(Number(match[1]));
        if (!citation) {
          view.text.append(el("span", { class: "marker pending" }, match[0]));
          continue;
        }
        const marker = el("button", {
          type: "button", class: "marker", "data-n": String(citation.n), "aria-expanded": "false",
          "aria-controls": `${view.id}-card`, "aria-label": `Source ${citation.n}: ${sourceLabel(citation)}`,
        }, match[0]);
        marker.addEventListener("click", () => this.toggleCard(view, turn, citation, marker));
        view.text.append(marker);
      }
      view.text.append(document.createTextNode(text.slice(last)));
    }

    renderSources(view, turn) {
      const list = el("ul", { class: "sources", "aria-label": "Sources" });
      for (const citation of turn.citations) {
        const analysis = citation.kind === "analysis";
        const button = el("button", {
          type: "button", class: `source${analysis ? " analysis" : ""}`, "data-n": String(citation.n),
          "aria-expanded": "false", "aria-controls": `${view.id}-card`,
        }, el("span", { class: "n", "aria-hidden": "true" }, str(citation.n)),
        el("span", { class: "sr-only" }, `Source ${str(citation.n)}: `),
        el("span", { class: "label" }, sourceLabel(citation)));
        button.addEventListener("click", () => this.toggleCard(view, turn, citation, button));
        list.append(el("li", {}, button));
      }
      view.card = el("div", { class: "card", id: `${view.id}-card`, role: "region", tabindex: "-1", hidden: true });
      view.card.addEventListener("keydown", (event) => {
        if (event.key === "Escape") this.closeCard(view, true);
      });
      const wrap = el("div", {}, list, view.card);
      view.openN = null;
      return wrap;
    }

    toggleCard(view, turn, citation, opener) {
      if (view.openN === citation.n) {
        this.closeCard(view, false);
        return;
      }
      view.openN = citation.n;
      view.opener = opener;
      const analysis = citation.kind === "analysis";
      const card = view.card;
      card.className = `card${analysis ? " analysis" : ""}`;
      card.setAttribute("aria-label", `Source ${citation.n}`);
      const close = el("button", { type: "button", class: "close", "aria-label": `Close source ${citation.n}` }, icon("close"));
      close.addEventListener("click", () => this.closeCard(view, true));
      const meta = [str(citation.publisher), str(citation.published_at).slice(0, 10)].filter(Boolean).join(" · ");
      const parts = [
        el("div", { class: "card-head" },
          el("span", { class: "outlet" }, sourceLabel(citation)),
          el("span", { class: "card-n" }, `Source ${str(citation.n)}`),
          close),
        el("p", { class: "article-title" }, str(citation.article_title)),
      ];
      if (meta) parts.push(el("p", { class: "article-meta" }, meta));
      parts.push(el("blockquote", {}, str(citation.quote)));
      const href = safeHref(citation.url);
      if (href) {
        const link = el("a", { class: "read", target: "_blank", rel: "noopener noreferrer" }, "Read the article", icon("external"));
        link.href = href;
        parts.push(link);
      }
      card.replaceChildren(...parts);
      card.hidden = false;
      for (const button of view.root.querySelectorAll("[data-n]")) {
        button.setAttribute("aria-expanded", String(button.dataset.n === String(citation.n)));
      }
      card.focus({ preventScroll: true });
      card.scrollIntoView({ block: "nearest" });
    }

    closeCard(view, restoreFocus) {
      if (!view.card) return;
      view.card.hidden = true;
      view.openN = null;
      for (const button of view.root.querySelectorAll("[data-n]")) button.setAttribute("aria-expanded", "false");
      if (restoreFocus && view.opener && view.opener.isConnected) view.opener.focus();
    }

    renderFeedback(turn) {
      const group = el("div", { class: "feedback", role: "group", "aria-label": "Was this answer helpful?" },
        el("span", { class: "prompt", "aria-hidden": "true" }, "Helpful?"));
      const thanks = el("span", { class: "thanks", role: "status" });
      for (const [rating, label] of [["up", "Helpful"], ["down", "Not helpful"]]) {
        const button = el("button", {
          type: "button", class: "rate", "data-rating": rating, "aria-label": label,
          "aria-pressed": String(turn.rating === rating),
        }, icon(rating));
        button.addEventListener("click", () => this.rate(turn, rating, group, thanks));
        group.append(button);
      }
      group.append(thanks);
      return group;
    }

    async rate(turn, rating, group, thanks) {
      thanks.textContent = "";
      try {
        const response = await fetch(`${this.api}/v1/feedback`, {
          method: "POST", credentials: "omit", headers: this.headers({ "Content-Type": "application/json" }),
          body: JSON.stringify({ conversation_id: this.state.conversationId, turn: turn.index, rating }),
        });
        if (!response.ok) throw new WidgetError(await errorDetail(response));
      } catch (error) {
        thanks.textContent = "Could not send feedback.";
        this.alerts.textContent = error instanceof WidgetError ? `Feedback not sent: ${error.message}` : "Feedback not sent: Briefbot is unreachable.";
        return;
      }
      turn.rating = rating;
      for (const button of group.querySelectorAll("[data-rating]")) {
        button.setAttribute("aria-pressed", String(button.dataset.rating === rating));
      }
      thanks.textContent = "Thanks!";
      this.save();
    }

    scrollToEnd() {
      this.log.scrollTop = this.log.scrollHeight;
    }

    /** Keep the newest turn in view: all of it while it fits, then with its question at the top. */
    reveal(turn) {
      const view = this.turnViews.get(turn);
      if (!view || !view.root.isConnected) return;
      const log = this.log;
      const target = Math.min(view.root.offsetTop - 12, log.scrollHeight - log.clientHeight);
      if (target > log.scrollTop) log.scrollTop = target;
    }

    setBusy(busy) {
      this.busy = busy;
      this.sendButton.disabled = busy;
      this.briefButton.disabled = busy;
      this.log.setAttribute("aria-busy", String(busy));
    }

    // ----- asking ------------------------------------------------------------------------------

    retry(turn) {
      if (this.busy) return;
      this.state.turns = this.state.turns.filter((t) => t !== turn);
      const view = this.turnViews.get(turn);
      if (view) view.root.remove();
      if (turn.briefing) this.brief();
      else this.ask(turn.question);
    }

    /** Show a turn as failed, with our own message for a server error and a generic one otherwise. */
    fail(turn, error) {
      turn.status = "failed";
      turn.error = error instanceof WidgetError
        ? `Sorry — ${error.message}`
        : "Sorry — Briefbot could not be reached. Check your connection and try again.";
      this.updateTurn(turn);
      this.alerts.textContent = turn.error;
    }

    /** "Brief me": positions, next steps, gains/losses and who reported what, cited like answers. */
    async brief() {
      if (this.busy) return;
      if (!this.state.turns.length) this.log.replaceChildren();
      const turn = { index: null, briefing: true, question: "Brief me", answer: "", grounded: true, citations: [],
        rating: null, status: "streaming" };
      this.state.turns.push(turn);
      this.log.append(this.renderTurn(turn));
      this.reveal(turn);
      this.setBusy(true);
      try {
        const response = await fetch(`${this.api}/v1/briefing`, {
          credentials: "omit", headers: this.headers({ Accept: "application/json" }),
        });
        if (!response.ok) throw new WidgetError(await errorDetail(response));
        const body = await response.json();
        turn.citations = citationList(body.citations);
        turn.grounded = turn.citations.length > 0;
        turn.answer = turn.grounded ? briefingText(body)
          : "The indexed articles don't give enough material for a briefing yet.";
        turn.status = "done";
        this.updateTurn(turn);
        this.save();
        this.announcer.textContent = turn.grounded ? "Briefbot prepared the briefing." : turn.answer;
      } catch (error) {
        this.fail(turn, error);
      } finally {
        this.setBusy(false);
        this.reveal(turn);
      }
    }

    async ask(rawQuestion) {
      const question = str(rawQuestion).trim().slice(0, MAX_QUESTION_CHARS);
      if (!question || this.busy) return;
      this.input.value = "";
      if (!this.state.turns.length) this.log.replaceChildren();
      const done = this.state.turns.filter((t) => t.status === "done" && !t.briefing);
      const turn = {
        index: done.length ? done[done.length - 1].index + 1 : 0,
        question, answer: "", grounded: true, citations: [], rating: null, status: "streaming",
      };
      this.state.turns.push(turn);
      this.log.append(this.renderTurn(turn));
      this.reveal(turn);
      this.setBusy(true);
      const controller = new AbortController();
      this.controller = controller;
      let finished = false;
      try {
        const body = { question };
        if (this.state.conversationId) body.conversation_id = this.state.conversationId;
        const response = await fetch(`${this.api}/v1/ask/stream`, {
          method: "POST", credentials: "omit", signal: controller.signal,
          headers: this.headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
          body: JSON.stringify(body),
        });
        if (!response.ok) throw new WidgetError(await errorDetail(response));
        if (!response.body) throw new WidgetError("This browser cannot read streamed answers.");
        for await (const { event, data } of readEvents(response)) {
          const payload = JSON.parse(data);
          if (event === "meta") {
            if (payload.conversation_id !== this.state.conversationId) {
              // A new conversation (or the server forgot the old one): number turns from 0.
              if (this.state.conversationId) turn.index = 0;
              this.state.conversationId = str(payload.conversation_id);
              this.save(); // a reload mid-answer still finds the conversation (and syncs the turn)
            }
          } else if (event === "delta") {
            turn.answer += str(payload.text);
          } else if (event === "reset") {
            turn.answer = "";
          } else if (event === "citations") {
            turn.citations = citationList(payload.citations);
          } else if (event === "done") {
            turn.answer = str(payload.answer);
            turn.grounded = payload.grounded !== false;
            turn.citations = citationList(payload.citations);
            finished = true;
          } else if (event === "error") {
            throw new WidgetError(str(payload.detail) || "Briefbot could not answer.");
          }
          if (event === "delta" || event === "reset" || event === "citations") {
            this.updateTurn(turn);
            this.reveal(turn);
          }
        }
        if (!finished) throw new WidgetError("The answer was cut off. Try again.");
        turn.status = "done";
        this.updateTurn(turn);
        this.save();
        this.announcer.textContent = turn.grounded
          ? `Briefbot answered: ${turn.answer}`
          : `The articles don't say. ${turn.answer}`;
      } catch (error) {
        if (controller.signal.aborted) return;
        this.fail(turn, error);
      } finally {
        if (this.controller === controller) {
          this.controller = null;
          this.setBusy(false);
        }
        this.reveal(turn);
      }
    }
  }

  if (!customElements.get(TAG)) customElements.define(TAG, BriefbotWidget);

  // Mount one widget where the script tag is (or into data-target), carrying its data-* settings.
  function mount() {
    if (!SCRIPT || SCRIPT.dataset.mount === "none") return;
    const widget = document.createElement(TAG);
    for (const key of ["api", "apiKey", "title", "accent", "questions", "storageKey"]) {
      if (SCRIPT.dataset[key]) widget.dataset[key] = SCRIPT.dataset[key];
    }
    if (!widget.dataset.api) widget.dataset.api = SCRIPT_ORIGIN;
    const target = SCRIPT.dataset.target ? document.querySelector(SCRIPT.dataset.target) : null;
    if (target) target.append(widget);
    else if (SCRIPT.parentElement && SCRIPT.parentElement !== document.head) SCRIPT.after(widget);
    else document.body.append(widget);
  }

  if (SCRIPT && SCRIPT.dataset.target && document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount, { once: true });
  } else if (SCRIPT && !document.body) {
    document.addEventListener("DOMContentLoaded", mount, { once: true });
  } else {
    mount();
  }
})();
