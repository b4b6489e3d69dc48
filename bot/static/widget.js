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
 * Everything that comes from the server or the articles is inserted as text nodes only; the
 * briefing's lists and headings are built element by element from the API's JSON structure.
 *
 * Other data-* attributes: data-mode="inline|launcher" (a floating button that opens the panel as
 * an overlay, full screen under 480px; data-position="bottom-right|bottom-left"),
 * data-theme="auto|light|dark", data-language="en|de", data-strings='{"key": "text"}' (any
 * string of STRINGS), data-placeholder, data-disclaimer, data-logo (an image URL), data-api-key.
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
  const REPORT_GAP_DAYS = 7; // cited reports further apart than this are listed by date, newest marked

  const ICONS = {
    send: "M3.4 20.4 21 12 3.4 3.6 3.4 10.1 15 12 3.4 13.9Z",
    up: "M2 21h4V9H2v12Zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6c-.4.4-.6.9-.6 1.4V19a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2Z",
    down: "M22 3h-4v12h4V3ZM2 14a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.4 1.1l1.1 1 6.6-6.6c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2H7c-.8 0-1.5.5-1.8 1.2l-3 7.1c-.1.2-.2.5-.2.7v2Z",
    info: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm1 15h-2v-6h2v6Zm0-8h-2V7h2v2Z",
    close: "M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12Z",
    plus: "M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2Z",
    external: "M14 3v2h3.6l-9.8 9.8 1.4 1.4L19 6.4V10h2V3h-7ZM19 19H5V5h7V3H5a2 2 0 0 0-2 2v14c0 1.1.9 2 2 2h14a2 2 0 0 0 2-2v-7h-2v7Z",
    chat: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2Zm3 6v2h10V9H7Zm0 4v2h7v-2H7Zm0-8v2h10V5H7Z",
  };

  // Every visible string, by language. A page picks one with data-language and overrides any key
  // with data-strings='{"placeholder": "…"}'; {name} is filled in.
  const STRINGS = {
    en: {
      subtitle: "Cited answers from the articles", newChat: "New chat", newChatLabel: "New chat: start a new conversation",
      briefMe: "Brief me", briefMeLabel: "Brief me: who wants what and what happens next", briefMeQuestion: "Brief me",
      placeholder: "Ask about the articles…", ask: "Ask", askLabel: "Ask {title} a question", formLabel: "Ask a question",
      conversation: "Conversation", empty: "Ask what each side wants, what happens next, or what an outlet reported.",
      suggested: "Suggested questions", footnote: "Select a number to see the quoted source.",
      youAsked: "You asked: ", botSaid: "{title}: ", questionN: "Question {n}",
      thinking: "{title} is looking through the articles", notSay: "The articles don't say", tryAgain: "Try again",
      sources: "Sources", sourceN: "Source {n}", sourceLabel: "Source {n}: {label}", closeSource: "Close source {n}",
      analysis: "Analysis", reported: "Reported", readArticle: "Read the article",
      helpfulQuestion: "Was this answer helpful?", helpfulShort: "Helpful?", helpful: "Helpful", notHelpful: "Not helpful",
      thanks: "Thanks!", feedbackFailed: "Could not send feedback.", feedbackNotSent: "Feedback not sent: {detail}",
      feedbackUnreachable: "Feedback not sent: {title} is unreachable.",
      commentLabel: "What was wrong? (optional)", commentPlaceholder: "What was wrong or missing? (optional)",
      commentSend: "Send", commentThanks: "Thanks, your comment was sent.",
      answered: "{title} answered: {answer}", notSayAnnounce: "The articles don't say. {answer}",
      briefingReady: "{title} prepared the briefing.",
      briefingEmpty: "The indexed articles don't give enough material for a briefing yet.",
      sorry: "Sorry — {detail}", unreachable: "Sorry — {title} could not be reached. Check your connection and try again.",
      cutOff: "The answer was cut off. Try again.", noStream: "This browser cannot read streamed answers.",
      couldNotAnswer: "{title} could not answer.", httpError: "{title} answered with HTTP {status}.",
      asOf: "As of {date} · {articles}", articlesOne: "1 article", articlesMany: "{n} articles", someUndated: " ({n} undated)",
      undatedOne: "Undated: the cited article has no publication date",
      undatedMany: "Undated: none of the {n} cited articles has a publication date",
      reportDates: "Reported on different dates:", newest: "(newest)",
      positions: "Positions", nextSteps: "Next steps / what to watch",
      gainsLosses: "Who gains, who loses (the articles' analysis)", byOutlet: "Who reported what",
      differences: "Where outlets differ", gains: "gains", loses: "loses",
      openChat: "Open {title}", closeChat: "Close {title}", dateLocale: "en-GB",
    },
    de: {
      subtitle: "Antworten mit Quellen aus den Artikeln", newChat: "Neuer Chat", newChatLabel: "Neuer Chat: ein neues Gespräch beginnen",
      briefMe: "Überblick", briefMeLabel: "Überblick: wer was will und wie es weitergeht", briefMeQuestion: "Überblick",
      placeholder: "Fragen Sie zu den Artikeln…", ask: "Fragen", askLabel: "{title} eine Frage stellen", formLabel: "Eine Frage stellen",
      conversation: "Gespräch", empty: "Fragen Sie, was jede Seite will, wie es weitergeht oder was ein Medium berichtet hat.",
      suggested: "Vorgeschlagene Fragen", footnote: "Wählen Sie eine Nummer, um die zitierte Quelle zu sehen.",
      youAsked: "Ihre Frage: ", botSaid: "{title}: ", questionN: "Frage {n}",
      thinking: "{title} sucht in den Artikeln", notSay: "Die Artikel sagen dazu nichts", tryAgain: "Erneut versuchen",
      sources: "Quellen", sourceN: "Quelle {n}", sourceLabel: "Quelle {n}: {label}", closeSource: "Quelle {n} schließen",
      analysis: "Analyse", reported: "Berichtet", readArticle: "Artikel lesen",
      helpfulQuestion: "War diese Antwort hilfreich?", helpfulShort: "Hilfreich?", helpful: "Hilfreich", notHelpful: "Nicht hilfreich",
      thanks: "Danke!", feedbackFailed: "Feedback konnte nicht gesendet werden.", feedbackNotSent: "Feedback nicht gesendet: {detail}",
      feedbackUnreachable: "Feedback nicht gesendet: {title} ist nicht erreichbar.",
      commentLabel: "Was war falsch? (optional)", commentPlaceholder: "Was war falsch oder fehlt? (optional)",
      commentSend: "Senden", commentThanks: "Danke, Ihr Kommentar wurde gesendet.",
      answered: "{title} hat geantwortet: {answer}", notSayAnnounce: "Die Artikel sagen dazu nichts. {answer}",
      briefingReady: "{title} hat den Überblick erstellt.",
      briefingEmpty: "Die Artikel geben noch nicht genug für einen Überblick her.",
      sorry: "Entschuldigung — {detail}",
      unreachable: "Entschuldigung — {title} ist nicht erreichbar. Prüfen Sie die Verbindung und versuchen Sie es erneut.",
      cutOff: "Die Antwort wurde abgeschnitten. Bitte erneut versuchen.", noStream: "Dieser Browser kann gestreamte Antworten nicht lesen.",
      couldNotAnswer: "{title} konnte nicht antworten.", httpError: "{title} antwortete mit HTTP {status}.",
      asOf: "Stand {date} · {articles}", articlesOne: "1 Artikel", articlesMany: "{n} Artikel", someUndated: " ({n} ohne Datum)",
      undatedOne: "Ohne Datum: der zitierte Artikel hat kein Veröffentlichungsdatum",
      undatedMany: "Ohne Datum: keiner der {n} zitierten Artikel hat ein Veröffentlichungsdatum",
      reportDates: "An verschiedenen Tagen berichtet:", newest: "(neuester)",
      positions: "Positionen", nextSteps: "Nächste Schritte / worauf zu achten ist",
      gainsLosses: "Wer gewinnt, wer verliert (Analyse der Artikel)", byOutlet: "Wer was berichtet hat",
      differences: "Wo sich Medien widersprechen", gains: "gewinnt", loses: "verliert",
      openChat: "{title} öffnen", closeChat: "{title} schließen", dateLocale: "de-DE",
    },
  };

  /** The string table for a language plus a page's overrides (unknown keys and non-strings ignored). */
  function stringTable(language, overrides) {
    const table = { ...STRINGS.en, ...(STRINGS[language] || {}) };
    let extra = {};
    try {
      extra = JSON.parse(overrides || "{}");
    } catch {
      extra = {};
    }
    for (const [key, value] of Object.entries(extra && typeof extra === "object" ? extra : {})) {
      if (key in STRINGS.en && typeof value === "string") table[key] = value;
    }
    return table;
  }

  /** `format("Source {n}", {n: 2})` → "Source 2"; values are inserted as text by the callers. */
  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in (values || {}) ? String(values[name]) : whole));
  }

  const STYLE = `
    /* The page's CSS cannot reach inside, but it can style the host element, whose inherited
       properties (color, font…) would flow in: .panel resets them all. Colours are variables with a
       light and a dark set; every text/background pair keeps a contrast of at least 4.5:1. */
    :host { all: initial; display: block; contain: content;
      --accent: var(--briefbot-accent, ${DEFAULT_ACCENT});
      --ink: #1c2128; --muted: #59636e; --line: #d8dee4; --paper: #fff; --wash: #f3f5f8; --on-accent: #fff;
      --accent-ink: color-mix(in srgb, var(--accent) 80%, #000);
      --accent-soft: color-mix(in srgb, var(--accent) 10%, var(--paper));
      --accent-line: color-mix(in srgb, var(--accent) 35%, var(--paper));
      --analysis: #6a33a0; --analysis-soft: #f3ecfa; --warn: #7a4f00; --warn-soft: #fff7e0;
      --danger: #8c1d18; --danger-soft: #fff1f0; --danger-line: #f3c4c0; --dots: #98a2ad;
      --shadow: 0 1px 2px rgb(16 24 40 / 6%), 0 8px 24px rgb(16 24 40 / 8%);
      font: 15px/1.5 system-ui, sans-serif; color: var(--ink); }
    :host([data-scheme="dark"]) { --ink: #e6edf3; --muted: #a2acb8; --line: #3a434e; --paper: #161b22; --wash: #222932;
      --accent-ink: color-mix(in srgb, var(--accent) 40%, #fff);
      --accent-soft: color-mix(in srgb, var(--accent) 24%, var(--paper));
      --accent-line: color-mix(in srgb, var(--accent) 55%, var(--paper));
      --analysis: #d2b3ff; --analysis-soft: #2e2442; --warn: #f0c265; --warn-soft: #33290f;
      --danger: #ffb4ab; --danger-soft: #3a1d1b; --danger-line: #6e2f2a; --dots: #7d8894;
      --shadow: 0 1px 2px rgb(0 0 0 / 40%), 0 8px 24px rgb(0 0 0 / 45%); color-scheme: dark; }
    :host([data-mode="launcher"]) { contain: none; display: block; height: 0; }
    *, *::before, *::after { box-sizing: border-box; }
    [hidden] { display: none !important; }
    button, input { font: inherit; color: inherit; }
    button { cursor: pointer; }
    :focus-visible { outline: 3px solid color-mix(in srgb, var(--accent) 55%, var(--paper)); outline-offset: 2px; }
    .sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
      clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
    svg { width: 1em; height: 1em; fill: currentColor; flex: none; }

    .panel { all: initial; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      color: var(--ink); display: flex; flex-direction: column; height: var(--briefbot-height, 600px); max-height: 100%;
      min-width: 0; background: var(--paper); border: 1px solid var(--line); border-radius: 16px;
      box-shadow: var(--shadow); overflow: hidden; box-sizing: border-box; }
    .launcher { all: initial; position: fixed; z-index: 2147483000; bottom: 20px; right: 20px; width: 56px; height: 56px;
      border-radius: 50%; background: var(--accent); color: var(--on-accent); display: grid; place-items: center;
      cursor: pointer; box-shadow: 0 4px 14px rgb(16 24 40 / 28%); font: 600 15px/1 system-ui, sans-serif; }
    .launcher svg { width: 26px; height: 26px; }
    .launcher:focus-visible { outline: 3px solid var(--accent); outline-offset: 3px; }
    :host([data-position="bottom-left"]) .launcher { right: auto; left: 20px; }
    .panel.overlay { position: fixed; z-index: 2147483001; bottom: 88px; right: 20px; width: min(400px, calc(100vw - 40px));
      height: min(var(--briefbot-height, 640px), calc(100vh - 112px)); }
    :host([data-position="bottom-left"]) .panel.overlay { right: auto; left: 20px; }
    @media (max-width: 480px) {
      .panel.overlay { inset: 0; width: 100vw; height: 100%; max-height: none; border-radius: 0; border: 0; }
    }
    header { display: flex; align-items: center; gap: 10px; padding: 12px 14px; border-bottom: 1px solid var(--line); }
    .logo { width: 30px; height: 30px; border-radius: 9px; background: var(--accent); color: var(--on-accent); display: grid;
      place-items: center; font-weight: 700; font-size: 15px; flex: none; overflow: hidden; }
    .logo img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .logo.image { background: var(--paper); }
    .heading { min-width: 0; flex: 1; }
    h2 { margin: 0; font-size: 16px; line-height: 1.25; font-weight: 650; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .subtitle { margin: 0; font-size: 12.5px; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .overlay .new-chat .label { display: none; } /* a narrow panel: the header buttons as icons (their aria-label names them) */
    .overlay .new-chat { padding: 6px 8px; }
    .new-chat { display: inline-flex; align-items: center; gap: 4px; border: 1px solid var(--line); background: var(--paper);
      border-radius: 999px; padding: 4px 10px; font-size: 13px; color: var(--muted); }
    .new-chat:hover { color: var(--ink); border-color: var(--muted); }
    .close-panel { border: 0; background: none; color: var(--muted); padding: 6px; border-radius: 8px; display: grid; place-items: center; }
    .close-panel:hover { background: var(--wash); color: var(--ink); }
    .answer-text.rich { white-space: normal; }
    .rich h3 { margin: 10px 0 4px; font-size: 14px; font-weight: 650; }
    .rich h3:first-child { margin-top: 0; }
    .rich ul { margin: 0; padding-left: 18px; }
    .rich li { margin: 3px 0; overflow-wrap: anywhere; }
    .rich strong { font-weight: 650; }

    .log { position: relative; flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 14px;
      overscroll-behavior: contain; scroll-behavior: smooth; }
    .empty { margin: auto 0; text-align: center; color: var(--muted); padding: 8px 4px; }
    .empty p { margin: 0 0 12px; }
    .chips { display: flex; flex-wrap: wrap; gap: 8px; justify-content: center; }
    .chip { border: 1px solid var(--accent-line); background: var(--accent-soft); color: var(--accent-ink);
      border-radius: 999px; padding: 6px 12px; font-size: 13.5px; text-align: left; }
    .chip:hover { background: color-mix(in srgb, var(--accent) 16%, var(--paper)); }

    .turn { display: flex; flex-direction: column; gap: 8px; }
    .question { align-self: flex-end; max-width: 85%; margin: 0; background: var(--accent); color: var(--on-accent);
      padding: 8px 12px; border-radius: 14px 14px 4px 14px; overflow-wrap: anywhere; white-space: pre-wrap; }
    .answer { align-self: flex-start; max-width: 100%; min-width: 0; background: var(--wash); color: var(--ink);
      padding: 10px 12px; border-radius: 14px 14px 14px 4px; border: 1px solid transparent; }
    .answer-text { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
    .answer.ungrounded { background: var(--paper); border: 1px dashed var(--line); color: var(--muted); }
    .badge { display: inline-flex; align-items: center; gap: 5px; margin: 0 0 6px; padding: 2px 8px;
      border-radius: 999px; background: var(--warn-soft); color: var(--warn); font-size: 12.5px; font-weight: 600; }
    .answer.failed { background: var(--danger-soft); border-color: var(--danger-line); color: var(--danger); }
    .retry { margin-top: 8px; border: 1px solid currentColor; background: none; border-radius: 8px; padding: 3px 10px; font-size: 13px; }

    .marker { display: inline-block; border: 0; margin: 0 1px; padding: 0 5px; border-radius: 6px;
      background: var(--accent-soft); color: var(--accent-ink); font-size: 0.8em; font-weight: 650;
      line-height: 1.5; vertical-align: 0.1em; }
    .marker:hover, .marker[aria-expanded="true"] { background: var(--accent); color: var(--on-accent); }
    .marker.pending { opacity: 0.6; cursor: default; }

    .typing { display: inline-flex; gap: 4px; padding: 6px 2px; }
    .typing span { width: 7px; height: 7px; border-radius: 50%; background: var(--dots); animation: blink 1.2s infinite ease-in-out; }
    .typing span:nth-child(2) { animation-delay: 0.15s; } .typing span:nth-child(3) { animation-delay: 0.3s; }
    @keyframes blink { 0%, 80%, 100% { opacity: 0.25; } 40% { opacity: 1; } }
    .streaming .answer-text::after { content: "▍"; color: var(--accent-ink); animation: blink 1s infinite; }

    .sources { list-style: none; margin: 10px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
    .source { display: inline-flex; align-items: center; gap: 6px; max-width: 100%; border: 1px solid var(--line);
      background: var(--paper); border-radius: 999px; padding: 2px 10px 2px 3px; font-size: 12.5px; color: var(--ink); }
    .source .n { display: grid; place-items: center; min-width: 20px; height: 20px; border-radius: 999px;
      background: var(--accent-soft); color: var(--accent-ink); font-weight: 700; font-size: 11.5px; padding: 0 5px; }
    .source .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .source.analysis .n { background: var(--analysis-soft); color: var(--analysis); }
    .source[aria-expanded="true"] { border-color: var(--accent); box-shadow: inset 0 0 0 1px var(--accent); }
    .dating { margin: 8px 0 0; font-size: 12.5px; color: var(--muted); }
    .dating + .dating { margin-top: 2px; }
    .dating .newest { font-weight: 650; color: var(--ink); }

    .card { margin-top: 10px; background: var(--paper); border: 1px solid var(--line); border-left: 4px solid var(--accent);
      border-radius: 10px; padding: 10px 12px; color: var(--ink); }
    .card.analysis { border-left-color: var(--analysis); }
    .card-head { display: flex; align-items: center; gap: 8px; }
    .outlet { font-size: 12px; font-weight: 700; letter-spacing: 0.02em; color: var(--accent-ink);
      background: var(--accent-soft); border-radius: 6px; padding: 1px 7px; overflow-wrap: anywhere; }
    .card.analysis .outlet { color: var(--analysis); background: var(--analysis-soft); }
    .card-n { font-size: 12px; color: var(--muted); flex: 1; }
    .close { border: 0; background: none; color: var(--muted); padding: 4px; border-radius: 6px; display: grid; place-items: center; }
    .close:hover { background: var(--wash); color: var(--ink); }
    .article-title { margin: 6px 0 2px; font-weight: 650; font-size: 14px; overflow-wrap: anywhere; }
    .article-meta { margin: 0; font-size: 12.5px; color: var(--muted); overflow-wrap: anywhere; }
    blockquote { margin: 8px 0 0; padding: 6px 10px; border-radius: 6px; background: var(--wash); font-size: 14px;
      white-space: pre-wrap; overflow-wrap: anywhere; }
    .read { display: inline-flex; align-items: center; gap: 4px; margin-top: 8px; color: var(--accent-ink); font-size: 13px; font-weight: 600; }

    .feedback { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; margin-top: 8px; color: var(--muted); font-size: 12.5px; }
    .feedback .prompt { margin-right: 2px; }
    .rate { border: 1px solid transparent; background: none; color: var(--muted); border-radius: 8px; padding: 5px 7px;
      display: grid; place-items: center; font-size: 15px; }
    .rate:hover { background: var(--paper); border-color: var(--line); color: var(--ink); }
    .rate[aria-pressed="true"] { color: var(--accent-ink); background: var(--accent-soft); border-color: var(--accent-line); }
    .thanks { margin-left: 4px; }
    .comment { display: flex; gap: 6px; width: 100%; margin-top: 4px; }
    .comment input { flex: 1; min-width: 0; border: 1px solid var(--line); border-radius: 8px; padding: 5px 8px;
      background: var(--paper); color: var(--ink); font-size: 13px; }
    .comment button { border: 1px solid var(--line); border-radius: 8px; background: var(--paper); color: var(--ink);
      padding: 4px 10px; font-size: 13px; }

    form.ask { display: flex; gap: 8px; padding: 10px 12px 12px; border-top: 1px solid var(--line); background: var(--paper); }
    form.ask input { flex: 1; min-width: 0; border: 1px solid var(--line); border-radius: 12px; padding: 9px 12px;
      background: var(--paper); color: var(--ink); }
    input::placeholder { color: var(--muted); opacity: 1; }
    form.ask input:focus { border-color: var(--accent); outline: 3px solid var(--accent-soft); outline-offset: 0; }
    .send { display: inline-flex; align-items: center; gap: 6px; border: 0; border-radius: 12px; padding: 0 14px;
      background: var(--accent); color: var(--on-accent); font-weight: 650; }
    .send:disabled { opacity: 0.55; cursor: progress; }
    .footnote { margin: 0; padding: 0 12px 10px; font-size: 11.5px; color: var(--muted); text-align: center; background: var(--paper); }

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

  function sourceLabel(citation, strings) {
    if (citation.kind === "analysis") return strings.analysis;
    const outlets = Array.isArray(citation.outlets) ? citation.outlets.map(str).filter(Boolean) : [];
    if (outlets.length) return outlets.join(", ");
    return str(citation.publisher) || strings.reported;
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
      as_of: isoDay(turn.as_of), published_range: publishedRange(turn.published_range),
      sections: turn.briefing === true ? sectionList(turn.sections) : undefined,
    };
  }

  /**
   * GET /v1/briefing as the widget's one rich structure: sections of {title, items: [{lead, text}]}.
   * Rendered as headings, lists and bold leads built node by node (never HTML); `text` keeps the
   * [n] markers that point at the briefing's citations.
   */
  function briefingSections(b, strings) {
    const list = (value) => (Array.isArray(value) ? value : []);
    const effect = (value) => (value === "gains" || value === "loses" ? strings[value] : "");
    const sections = [
      [strings.positions, list(b.positions).flatMap((a) => list(a.items).map((i) => ({ lead: str(a.actor), text: str(i.text) })))],
      [strings.nextSteps, list(b.next_steps).map((i) => ({ lead: "", text: str(i.text) }))],
      [strings.gainsLosses, list(b.gains_losses).map(
        (i) => ({ lead: i.actor ? `${str(i.actor)} ${effect(i.effect)}`.trim() : "", text: str(i.text) }))],
      [strings.byOutlet, list(b.by_outlet).flatMap((o) => list(o.items).map((i) => ({ lead: str(o.outlet), text: str(i.text) })))],
      [strings.differences, list(b.differences).flatMap(
        (d) => list(d.versions).map((v) => ({ lead: list(v.outlets).map(str).join(", "), text: str(v.text) })))],
    ];
    return sections.filter(([, items]) => items.length).map(([title, items]) => ({ title, items }));
  }

  /** Stored or fetched sections, with defensive types (they are rendered as text either way). */
  function sectionList(value) {
    return (Array.isArray(value) ? value : []).filter((sec) => sec && typeof sec === "object").map((sec) => ({
      title: str(sec.title),
      items: (Array.isArray(sec.items) ? sec.items : []).filter((i) => i && typeof i === "object")
        .map((i) => ({ lead: str(i.lead), text: str(i.text) })),
    }));
  }

  /** The sections as plain text (for screen-reader announcements and copying). */
  function sectionsText(sections) {
    return sections.map((sec) => [sec.title, ...sec.items.map((i) => `• ${i.lead ? `${i.lead}: ` : ""}${i.text}`)].join("\n"))
      .join("\n\n");
  }

  /** When the cited articles were published, from `published_range` (or the citations' own dates). */
  function publishedRange(value) {
    if (value && typeof value === "object" && Number.isInteger(value.articles)) {
      return { earliest: value.earliest ? str(value.earliest) : null, latest: value.latest ? str(value.latest) : null,
        articles: value.articles, undated: Number.isInteger(value.undated) ? value.undated : 0 };
    }
    return null;
  }

  const isoDay = (value) => (/^\d{4}-\d{2}-\d{2}/.test(str(value)) ? str(value).slice(0, 10) : null);

  class WidgetError extends Error {}

  async function errorDetail(response, fallback) {
    try {
      const body = await response.json();
      if (body && typeof body.detail === "string") return body.detail;
    } catch {
      /* not JSON */
    }
    return fallback;
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
      this.language = STRINGS[data.language] ? data.language : "en";
      this.strings = stringTable(this.language, data.strings);
      this.questions = (data.questions || "").split("|").map((q) => q.trim()).filter(Boolean).slice(0, 6);
      this.storageKey = `briefbot:${data.storageKey || this.api}`;
      this.launcherMode = data.mode === "launcher";
      const accent = validColor(data.accent);
      if (accent) this.style.setProperty("--briefbot-accent", accent);
      this.darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
      this.onSchemeChange = () => this.applyTheme();
      if (this.darkQuery) this.darkQuery.addEventListener("change", this.onSchemeChange);
      this.applyTheme();
      this.build();
      this.load();
      this.renderAll();
      this.sync();
    }

    /** One visible string, with {title} and the given values filled in. */
    t(key, values) {
      return format(this.strings[key] ?? key, { title: this.heading, ...(values || {}) });
    }

    static get observedAttributes() {
      return ["data-theme"];
    }

    attributeChangedCallback() {
      if (this.built) this.applyTheme(); // a page may switch the theme at any time
    }

    /** data-theme="light|dark|auto" (auto, the default, follows the reader's system setting). */
    applyTheme() {
      const wanted = this.dataset.theme;
      const dark = wanted === "dark" || (wanted !== "light" && Boolean(this.darkQuery && this.darkQuery.matches));
      this.dataset.scheme = dark ? "dark" : "light";
    }

    /** Request headers, with the site's API key when the server requires one (it is public). */
    headers(extra) {
      return this.dataset.apiKey ? { ...extra, "X-API-Key": this.dataset.apiKey } : extra;
    }

    disconnectedCallback() {
      if (this.controller) this.controller.abort();
      if (this.darkQuery) this.darkQuery.removeEventListener("change", this.onSchemeChange);
    }

    build() {
      const root = this.shadowRoot;
      root.replaceChildren();
      root.append(el("style", {}, STYLE));
      this.newChatButton = el("button", { type: "button", class: "new-chat", "aria-label": this.t("newChatLabel") },
        icon("plus"), el("span", { class: "label" }, this.t("newChat")));
      this.newChatButton.addEventListener("click", () => this.reset());
      this.briefButton = el("button", { type: "button", class: "new-chat brief", "aria-label": this.t("briefMeLabel") },
        icon("info"), el("span", { class: "label" }, this.t("briefMe")));
      this.briefButton.addEventListener("click", () => this.brief());
      this.log = el("div", { class: "log", role: "region", "aria-label": this.t("conversation"), tabindex: "-1" });
      this.input = el("input", {
        type: "text", id: "bb-question", name: "question", autocomplete: "off", enterkeyhint: "send",
        maxlength: String(MAX_QUESTION_CHARS), placeholder: this.dataset.placeholder || this.t("placeholder"),
      });
      this.sendButton = el("button", { type: "submit", class: "send" }, icon("send"), el("span", { class: "send-label" }, this.t("ask")));
      this.sendButton.setAttribute("aria-label", this.t("ask"));
      const form = el("form", { class: "ask", "aria-label": this.t("formLabel") },
        el("label", { for: "bb-question", class: "sr-only" }, this.t("askLabel")),
        this.input, this.sendButton);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.ask(this.input.value);
      });
      // One polite announcement per finished answer (streamed text is not read out piece by piece).
      this.announcer = el("div", { class: "sr-only", "aria-live": "polite", "aria-atomic": "true" });
      this.alerts = el("div", { class: "sr-only", role: "alert" });
      const headerItems = [this.renderLogo(),
        el("div", { class: "heading" },
          el("h2", { id: "bb-title" }, this.heading),
          el("p", { class: "subtitle" }, this.t("subtitle"))),
        this.briefButton,
        this.newChatButton];
      this.panel = el("section", { class: "panel", id: "bb-panel", "aria-labelledby": "bb-title" },
        el("header", {}, ...headerItems),
        this.log,
        form,
        el("p", { class: "footnote" }, this.dataset.disclaimer || this.t("footnote")),
        this.announcer,
        this.alerts);
      if (this.launcherMode) this.buildLauncher();
      root.append(this.panel);
    }

    /** data-logo (an http(s) or same-origin image) or the title's first letter. */
    renderLogo() {
      const src = this.dataset.logo ? safeHref(new URL(this.dataset.logo, location.href).href) : null;
      if (!src) return el("div", { class: "logo", "aria-hidden": "true" }, this.heading.slice(0, 1).toUpperCase());
      const img = el("img", { alt: "" });
      img.src = src;
      return el("div", { class: "logo image", "aria-hidden": "true" }, img);
    }

    /** data-mode="launcher": a floating button opens the panel as an overlay (full screen on phones). */
    buildLauncher() {
      this.panel.classList.add("overlay");
      this.panel.setAttribute("role", "dialog");
      this.panel.hidden = true;
      this.launcher = el("button", {
        type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "bb-panel",
        "aria-label": this.t("openChat"),
      }, icon("chat"));
      this.launcher.addEventListener("click", () => this.setOpen(this.panel.hidden));
      const close = el("button", { type: "button", class: "close-panel", "aria-label": this.t("closeChat") }, icon("close"));
      close.addEventListener("click", () => this.setOpen(false));
      this.panel.querySelector("header").append(close);
      this.panel.addEventListener("keydown", (event) => {
        if (event.key === "Escape" && !event.defaultPrevented) this.setOpen(false);
      });
      this.shadowRoot.append(this.launcher);
    }

    /** Open or close the launcher's panel; closing returns focus to the launcher. */
    setOpen(open) {
      if (!this.launcher) return;
      this.panel.hidden = !open;
      this.launcher.setAttribute("aria-expanded", String(open));
      this.launcher.setAttribute("aria-label", this.t(open ? "closeChat" : "openChat"));
      this.launcher.replaceChildren(icon(open ? "close" : "chat"));
      if (open) {
        this.input.focus();
        this.scrollToEnd();
      } else {
        this.launcher.focus();
      }
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
        citations: t.citations, rating: t.rating || null, status: "done", as_of: t.as_of,
        published_range: t.published_range, sections: t.sections,
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
      const box = el("div", { class: "empty" }, el("p", {}, this.t("empty")));
      if (this.questions.length) {
        const chips = el("div", { class: "chips", role: "group", "aria-label": this.t("suggested") });
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
        root: el("article", { class: "turn", "aria-label": this.t("questionN", { n: this.state.turns.indexOf(turn) + 1 }) }),
        answer: el("div", { class: "answer" }),
        text: el("div", { class: "answer-text" }),
        openN: null,
      };
      view.root.append(
        el("p", { class: "question" }, el("span", { class: "sr-only" }, this.t("youAsked")), str(turn.question)),
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
        const retry = el("button", { type: "button", class: "retry" }, this.t("tryAgain"));
        retry.addEventListener("click", () => this.retry(turn));
        answer.append(el("p", { class: "answer-text" }, str(turn.error)), retry);
        return;
      }
      if (turn.status === "streaming" && !turn.answer) {
        answer.append(el("span", { class: "typing", role: "img", "aria-label": this.t("thinking") },
          el("span"), el("span"), el("span")));
        return;
      }
      if (turn.status === "streaming") answer.classList.add("streaming");
      if (turn.status === "done" && !turn.grounded) {
        answer.classList.add("ungrounded");
        answer.append(el("p", { class: "badge" }, icon("info"), this.t("notSay")));
      }
      answer.append(el("span", { class: "sr-only" }, this.t("botSaid")));
      if (turn.briefing && turn.sections && turn.sections.length) this.renderSections(view, turn);
      else this.renderAnswerText(view, turn);
      answer.append(view.text);
      if (turn.status === "done") {
        if (turn.citations.length) answer.append(this.renderSources(view, turn));
        if (!turn.briefing) answer.append(...this.renderDating(turn));
        if (!turn.briefing) answer.append(this.renderFeedback(turn)); // a briefing is not a conversation turn
      }
    }

    /** Text with every [n] as a button that opens citation n's card, appended to `parent` as text nodes. */
    appendMarked(parent, view, turn, text) {
      const byN = new Map(turn.citations.map((c) => [Number(c.n), c]));
      let last = 0;
      for (const match of text.matchAll(/\[(\d+)\]/g)) {
        parent.append(document.createTextNode(text.slice(last, match.index)));
        last = match.index + match[0].length;
        const citation = byN.get(Number(match[1]));
        if (!citation) {
          parent.append(el("span", { class: "marker pending" }, match[0]));
          continue;
        }
        const marker = el("button", {
          type: "button", class: "marker", "data-n": String(citation.n), "aria-expanded": "false",
          "aria-controls": `${view.id}-card`,
          "aria-label": this.t("sourceLabel", { n: citation.n, label: sourceLabel(citation, this.strings) }),
        }, match[0]);
        marker.addEventListener("click", () => this.toggleCard(view, turn, citation, marker));
        parent.append(marker);
      }
      parent.append(document.createTextNode(text.slice(last)));
    }

    renderAnswerText(view, turn) {
      view.text.className = "answer-text";
      view.text.replaceChildren();
      this.appendMarked(view.text, view, turn, str(turn.answer));
    }

    /** The briefing: a heading and a list per section, each item's lead in bold — built node by node. */
    renderSections(view, turn) {
      view.text.className = "answer-text rich";
      view.text.replaceChildren();
      for (const section of turn.sections) {
        const list = el("ul", {});
        for (const item of section.items) {
          const li = el("li", {});
          if (item.lead) li.append(el("strong", {}, item.lead), ": ");
          this.appendMarked(li, view, turn, item.text);
          list.append(li);
        }
        view.text.append(el("h3", {}, section.title), list);
      }
    }

    /** "As of 16 May 2025 · 3 articles" (or that the sources are undated); when the cited reports are
        more than a week apart, each one with its date, the newest marked. */
    renderDating(turn) {
      const range = publishedRange(turn.published_range);
      if (!turn.grounded || !range || !range.articles) return [];
      const lines = [];
      if (!range.latest) {
        lines.push(el("p", { class: "dating" }, range.articles === 1 ? this.t("undatedOne") : this.t("undatedMany", { n: range.articles })));
        return lines;
      }
      const articles = range.articles === 1 ? this.t("articlesOne") : this.t("articlesMany", { n: range.articles });
      const undated = range.undated ? this.t("someUndated", { n: range.undated }) : "";
      lines.push(el("p", { class: "dating" }, this.t("asOf", { date: this.longDate(range.latest), articles: articles + undated })));
      const earliest = range.earliest ? Date.parse(range.earliest) : NaN;
      if (Date.parse(range.latest) - earliest > REPORT_GAP_DAYS * 86400000) {
        const reports = new Map();
        for (const c of turn.citations) {
          const day = isoDay(c.published_at);
          if (!day) continue;
          const report = reports.get(str(c.article_id)) || { day, label: str(c.publisher) || sourceLabel(c, this.strings), numbers: [] };
          report.numbers.push(`[${str(c.n)}]`);
          reports.set(str(c.article_id), report);
        }
        const line = el("p", { class: "dating reports" }, this.t("reportDates"));
        for (const report of [...reports.values()].sort((a, b) => a.day.localeCompare(b.day))) {
          const newest = report.day === range.latest;
          line.append(" ", el("span", { class: newest ? "report newest" : "report" },
            `${this.longDate(report.day)} ${report.label} ${report.numbers.join("")}${newest ? ` ${this.t("newest")}` : ""}`));
        }
        lines.push(line);
      }
      return lines;
    }

    longDate(iso) {
      try {
        return new Intl.DateTimeFormat(this.strings.dateLocale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
          .format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));
      } catch {
        return iso;
      }
    }

    renderSources(view, turn) {
      const list = el("ul", { class: "sources", "aria-label": this.t("sources") });
      for (const citation of turn.citations) {
        const analysis = citation.kind === "analysis";
        const button = el("button", {
          type: "button", class: `source${analysis ? " analysis" : ""}`, "data-n": String(citation.n),
          "aria-expanded": "false", "aria-controls": `${view.id}-card`,
        }, el("span", { class: "n", "aria-hidden": "true" }, str(citation.n)),
        el("span", { class: "sr-only" }, `${this.t("sourceN", { n: str(citation.n) })}: `),
        el("span", { class: "label" }, sourceLabel(citation, this.strings)));
        button.addEventListener("click", () => this.toggleCard(view, turn, citation, button));
        list.append(el("li", {}, button));
      }
      view.card = el("div", { class: "card", id: `${view.id}-card`, role: "region", tabindex: "-1", hidden: true });
      view.card.addEventListener("keydown", (event) => {
        if (event.key === "Escape") {
          event.preventDefault(); // the card closes, not the launcher's panel
          this.closeCard(view, true);
        }
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
      card.setAttribute("aria-label", this.t("sourceN", { n: citation.n }));
      const close = el("button", { type: "button", class: "close", "aria-label": this.t("closeSource", { n: citation.n }) }, icon("close"));
      close.addEventListener("click", () => this.closeCard(view, true));
      const day = isoDay(citation.published_at);
      const meta = [str(citation.publisher), day ? this.longDate(day) : ""].filter(Boolean).join(" · ");
      const parts = [
        el("div", { class: "card-head" },
          el("span", { class: "outlet" }, sourceLabel(citation, this.strings)),
          el("span", { class: "card-n" }, this.t("sourceN", { n: str(citation.n) })),
          close),
        el("p", { class: "article-title" }, str(citation.article_title)),
      ];
      if (meta) parts.push(el("p", { class: "article-meta" }, meta));
      parts.push(el("blockquote", {}, str(citation.quote)));
      const href = safeHref(citation.url);
      if (href) {
        const link = el("a", { class: "read", target: "_blank", rel: "noopener noreferrer" }, this.t("readArticle"), icon("external"));
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
      const group = el("div", { class: "feedback", role: "group", "aria-label": this.t("helpfulQuestion") },
        el("span", { class: "prompt", "aria-hidden": "true" }, this.t("helpfulShort")));
      const thanks = el("span", { class: "thanks", role: "status" });
      for (const [rating, label] of [["up", this.t("helpful")], ["down", this.t("notHelpful")]]) {
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

    /** POST /v1/feedback; the detail of a failure goes to `thanks` and the alert region. */
    async sendFeedback(turn, rating, comment, thanks) {
      thanks.textContent = "";
      try {
        const body = { conversation_id: this.state.conversationId, turn: turn.index, rating };
        if (comment) body.comment = comment;
        const response = await fetch(`${this.api}/v1/feedback`, {
          method: "POST", credentials: "omit", headers: this.headers({ "Content-Type": "application/json" }),
          body: JSON.stringify(body),
        });
        if (!response.ok) throw new WidgetError(await errorDetail(response, this.t("httpError", { status: response.status })));
        return true;
      } catch (error) {
        thanks.textContent = this.t("feedbackFailed");
        this.alerts.textContent = error instanceof WidgetError
          ? this.t("feedbackNotSent", { detail: error.message }) : this.t("feedbackUnreachable");
        return false;
      }
    }

    async rate(turn, rating, group, thanks) {
      if (!(await this.sendFeedback(turn, rating, null, thanks))) return;
      turn.rating = rating;
      for (const button of group.querySelectorAll("[data-rating]")) {
        button.setAttribute("aria-pressed", String(button.dataset.rating === rating));
      }
      thanks.textContent = this.t("thanks");
      this.save();
      const open = group.querySelector(".comment");
      if (rating === "down" && !open) group.append(this.renderComment(turn, thanks));
      else if (rating === "up" && open) open.remove();
    }

    /** After 👎: an optional one-line comment, sent with the rating to /v1/feedback. */
    renderComment(turn, thanks) {
      const id = `bb-comment-${++this.uid}`;
      const input = el("input", { type: "text", id, maxlength: "300", placeholder: this.t("commentPlaceholder"), autocomplete: "off" });
      const form = el("form", { class: "comment", "aria-label": this.t("commentLabel") },
        el("label", { for: id, class: "sr-only" }, this.t("commentLabel")), input,
        el("button", { type: "submit" }, this.t("commentSend")));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const comment = input.value.trim();
        if (!comment) return;
        if (await this.sendFeedback(turn, "down", comment, thanks)) {
          form.remove();
          thanks.textContent = this.t("commentThanks");
        }
      });
      return form;
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
      turn.error = error instanceof WidgetError ? this.t("sorry", { detail: error.message }) : this.t("unreachable");
      this.updateTurn(turn);
      this.alerts.textContent = turn.error;
    }

    /** "Brief me": positions, next steps, gains/losses and who reported what, cited like answers. */
    async brief() {
      if (this.busy) return;
      if (!this.state.turns.length) this.log.replaceChildren();
      const turn = { index: null, briefing: true, question: this.t("briefMeQuestion"), answer: "", grounded: true, citations: [],
        rating: null, status: "streaming" };
      this.state.turns.push(turn);
      this.log.append(this.renderTurn(turn));
      this.reveal(turn);
      this.setBusy(true);
      try {
        const response = await fetch(`${this.api}/v1/briefing`, {
          credentials: "omit", headers: this.headers({ Accept: "application/json" }),
        });
        if (!response.ok) throw new WidgetError(await errorDetail(response, this.t("httpError", { status: response.status })));
        const body = await response.json();
        turn.citations = citationList(body.citations);
        turn.grounded = turn.citations.length > 0;
        turn.sections = turn.grounded ? briefingSections(body, this.strings) : [];
        turn.answer = turn.grounded ? sectionsText(turn.sections) : this.t("briefingEmpty");
        turn.status = "done";
        this.updateTurn(turn);
        this.save();
        this.announcer.textContent = turn.grounded ? this.t("briefingReady") : turn.answer;
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
        if (!response.ok) throw new WidgetError(await errorDetail(response, this.t("httpError", { status: response.status })));
        if (!response.body) throw new WidgetError(this.t("noStream"));
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
            Object.assign(turn, storedTurn({ ...payload, index: turn.index, question }, null), { rating: null });
            finished = true;
          } else if (event === "error") {
            throw new WidgetError(str(payload.detail) || this.t("couldNotAnswer"));
          }
          if (event === "delta" || event === "reset" || event === "citations") {
            this.updateTurn(turn);
            this.reveal(turn);
          }
        }
        if (!finished) throw new WidgetError(this.t("cutOff"));
        turn.status = "done";
        this.updateTurn(turn);
        this.save();
        this.announcer.textContent = turn.grounded
          ? this.t("answered", { answer: turn.answer })
          : this.t("notSayAnnounce", { answer: turn.answer });
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
    for (const key of ["api", "apiKey", "title", "accent", "questions", "storageKey", "mode", "position", "theme",
      "language", "strings", "placeholder", "disclaimer", "logo"]) {
      if (SCRIPT.dataset[key]) widget.dataset[key] = SCRIPT.dataset[key];
    }
    if (!widget.dataset.api) widget.dataset.api = SCRIPT_ORIGIN;
    const target = SCRIPT.dataset.target ? document.querySelector(SCRIPT.dataset.target) : null;
    if (target) target.append(widget);
    else if (widget.dataset.mode === "launcher") document.body.append(widget);
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
