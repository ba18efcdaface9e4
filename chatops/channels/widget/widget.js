// <chatops-chat>: the ChatOps web chat as one custom element with its own Shadow DOM.
//
// Any page embeds it with one script tag and one element:
//   <script src="https://chatops.example/widget.js" defer></script>
//   <chatops-chat welcome="WELCOME"></chatops-chat>
// Attributes: endpoint (default: /api/v1/query on the origin that served this file, whatever page embeds it;
// a page on another origin must be listed in the service's CHATOPS_WIDGET_ORIGINS),
// token (a bearer token for the API), heading, welcome (an event sent on the first visit), label (a tag on every
// reply, "demo" on the demo page). A host page's element with data-chatops-say="text" sends that text when clicked.
// The session id and the transcript live in sessionStorage; secret replies are never stored.
(() => {
  "use strict";

  const SCRIPT_ORIGIN = document.currentScript ? new URL(document.currentScript.src).origin : location.origin;
  const STORE_KEY = "chatops-chat";
  const MAX_KEPT = 100;
  const TEXTS = {
    placeholder: "Ask me something…",
    send: "Send",
    typing: "ChatOps is typing",
    unreachable: "The chat service can't be reached right now. Check your connection and try again.",
    refused: "This site is not allowed to use the chat service. Its operator can allow it (CHATOPS_WIDGET_ORIGINS).",
    unauthorized: "This chat needs a valid API token.",
    failed: "Something went wrong on the server. Please try again.",
    reveal: "Reveal",
    hide: "Hide",
    secret: "Secret answer, hidden.",
    ephemeral: "Only you can see this.",
    confirmed: "Answered.",
  };

  const STYLE = `
    :host { display: block; contain: content; }
    :host([hidden]) { display: none; }
    .chat {
      all: initial; box-sizing: border-box; display: flex; flex-direction: column;
      width: 100%; height: 100%; min-height: 320px; max-height: 640px;
      font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24;
      background: #ffffff; border: 1px solid #c9d1d9; border-radius: 12px; overflow: hidden;
    }
    :where(.chat *, .chat *::before, .chat *::after) { box-sizing: border-box; font: inherit; color: inherit; }
    header { padding: 10px 14px; background: #0b5cad; color: #ffffff; font-weight: 600; }
    .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f6f8fa; }
    .log:focus-visible { outline: 3px solid #0b5cad; outline-offset: -3px; }
    .msg { max-width: 85%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
    .user { align-self: flex-end; background: #0b5cad; color: #ffffff; }
    .bot { align-self: flex-start; background: #ffffff; border: 1px solid #d0d7de; }
    .error { align-self: stretch; background: #fff1f0; border: 1px solid #cf222e; color: #82071e; }
    .label { display: inline-block; margin-right: 6px; padding: 0 6px; border-radius: 8px; background: #9a6700;
             color: #ffffff; font-size: 11px; font-weight: 600; text-transform: uppercase; }
    .note { display: block; margin-top: 4px; font-size: 12px; color: #57606a; }
    .parts { display: flex; flex-direction: column; gap: 6px; margin-top: 6px; }
    .row { display: flex; flex-wrap: wrap; gap: 6px; }
    button, .link {
      cursor: pointer; padding: 5px 12px; border-radius: 16px; border: 1px solid #0b5cad;
      background: #ffffff; color: #0b5cad; text-decoration: none; line-height: 1.3;
    }
    button:hover, .link:hover { background: #ddf4ff; }
    button:focus-visible, .link:focus-visible, input:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
    button:disabled { cursor: default; opacity: 0.5; }
    button.primary { background: #1a7f37; border-color: #1a7f37; color: #ffffff; }
    button.danger { border-color: #cf222e; color: #cf222e; }
    .card { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px; background: #ffffff; }
    .card strong { display: block; font-weight: 600; }
    .card .sub { color: #57606a; font-size: 13px; }
    img { display: block; max-width: 100%; border-radius: 6px; }
    .masked { letter-spacing: 2px; color: #57606a; }
    .typing { padding: 0 14px 6px; font-size: 13px; color: #57606a; background: #f6f8fa; }
    .typing[hidden] { display: none; }
    .dots::after { content: "…"; display: inline-block; animation: pulse 1.2s infinite; }
    @keyframes pulse { 50% { opacity: 0.2; } }
    @media (prefers-reduced-motion: reduce) { .dots::after { animation: none; } }
    form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #d0d7de; background: #ffffff; }
    input { flex: 1; min-width: 0; padding: 8px 10px; border: 1px solid #8c959f; border-radius: 8px; background: #ffffff; }
    form button { border-radius: 8px; background: #0b5cad; color: #ffffff; }
    .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `;

  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    node.append(...children);
    return node;
  }

  function safeUrl(url, { images = false } = {}) {
    if (typeof url !== "string") return null;
    if (images && url.startsWith("data:image/")) return url;
    try {
      const parsed = new URL(url, location.href);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch {
      return null;
    }
  }

  class ChatopsChat extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      this.busy = false;
    }

    get endpoint() { return this.getAttribute("endpoint") || `${SCRIPT_ORIGIN}/api/v1/query`; }

    connectedCallback() {
      if (this.log) return;
      const sheet = el("style", { text: STYLE });
      const heading = this.getAttribute("heading") || "ChatOps";
      this.log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": `${heading} conversation`, tabindex: "0" });
      this.typing = el("div", { class: "typing", role: "status", hidden: "" }, [el("span", { class: "dots", text: TEXTS.typing })]);
      this.input = el("input", { id: "message", type: "text", autocomplete: "off", maxlength: "2000", placeholder: TEXTS.placeholder });
      this.sendButton = el("button", { type: "submit", text: TEXTS.send });
      const form = el("form", { onsubmit: (event) => { event.preventDefault(); this.submit(); } }, [
        el("label", { for: "message", class: "sr-only", text: "Message" }), this.input, this.sendButton,
      ]);
      const chat = el("section", { class: "chat", "aria-label": heading }, [el("header", { text: heading }), this.log, this.typing, form]);
      this.shadowRoot.append(sheet, chat);
      const kept = this.restore();
      const welcome = this.getAttribute("welcome");
      if (!kept && welcome) this.send({ event: welcome });
    }

    // session and transcript

    state() {
      let state;
      try { state = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null"); } catch { state = null; }
      if (!state || typeof state.session !== "string") state = { session: crypto.randomUUID(), transcript: [] };
      return state;
    }

    keep(entry) {
      const state = this.state();
      state.transcript = [...state.transcript, entry].slice(-MAX_KEPT);
      sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    }

    restore() {
      const state = this.state();
      sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
      for (const entry of state.transcript) {
        if (entry.who === "user") this.showUser(entry.text);
        else this.showReply(entry.reply, { live: false });
      }
      return state.transcript.length > 0;
    }

    // talking to the API

    submit() {
      const text = this.input.value.trim();
      if (!text || this.busy) return;
      this.input.value = "";
      this.say(text);
    }

    say(text) {
      this.showUser(text);
      this.keep({ who: "user", text });
      this.send({ text });
    }

    async send(body) {
      this.setBusy(true);
      try {
        const headers = { "Content-Type": "application/json" };
        const token = this.getAttribute("token");
        if (token) headers.Authorization = `Bearer ${token}`;
        // No cookies, also across origins: the service knows a caller by its token only.
        const response = await fetch(this.endpoint, {
          method: "POST", headers, credentials: "omit", body: JSON.stringify({ session: this.state().session, ...body }),
        });
        const answer = await response.json().catch(() => null);
        if (!response.ok || !answer) {
          this.showError(response.status === 401 ? TEXTS.unauthorized : (answer && answer.message) || TEXTS.failed);
          return;
        }
        for (const reply of [...(answer.notifications || []), answer.reply]) {
          this.showReply(reply, { live: true });
          if (reply.visibility !== "secret") this.keep({ who: "bot", reply });
        }
      } catch {
        this.showError(await this.whyUnreachable());
      } finally {
        this.setBusy(false);
      }
    }

    // A browser does not tell a script why a cross-origin request failed. A no-cors probe does: it
    // succeeds (with an opaque answer) when the service is up, so the service refused this page's origin.
    async whyUnreachable() {
      const service = new URL(this.endpoint, location.href).origin;
      if (service === location.origin) return TEXTS.unreachable;
      try {
        await fetch(`${service}/healthz`, { mode: "no-cors", credentials: "omit", cache: "no-store" });
        return TEXTS.refused;
      } catch {
        return TEXTS.unreachable;
      }
    }

    setBusy(busy) {
      this.busy = busy;
      this.typing.hidden = !busy;
      this.sendButton.disabled = busy;
      this.log.setAttribute("aria-busy", String(busy));
    }

    // rendering

    append(node) {
      this.log.append(node);
      this.log.scrollTop = this.log.scrollHeight;
      return node;
    }

    showUser(text) { this.append(el("div", { class: "msg user", text })); }

    showError(text) { this.append(el("div", { class: "msg error", role: "alert", text })); }

    showReply(reply, { live }) {
      const bubble = el("div", { class: "msg bot", "data-visibility": reply.visibility || "public" });
      const label = this.getAttribute("label");
      if (label) bubble.append(el("span", { class: "label", text: label }));
      if (reply.visibility === "secret") bubble.append(this.secret(reply.text || ""));
      else if (reply.text) bubble.append(el("span", { text: reply.text }));
      if (reply.visibility === "ephemeral") bubble.append(el("span", { class: "note", text: TEXTS.ephemeral }));
      const parts = (reply.parts || []).map((part) => this.part(part, live)).filter(Boolean);
      if (parts.length) bubble.append(el("div", { class: "parts" }, parts));
      this.append(bubble);
    }

    secret(text) {
      const shown = el("span", { class: "masked", text: "••••••••", "aria-label": TEXTS.secret });
      const toggle = el("button", { type: "button", class: "reveal", "aria-pressed": "false", text: TEXTS.reveal });
      toggle.addEventListener("click", () => {
        const reveal = toggle.getAttribute("aria-pressed") !== "true";
        toggle.setAttribute("aria-pressed", String(reveal));
        toggle.textContent = reveal ? TEXTS.hide : TEXTS.reveal;
        shown.textContent = reveal ? text : "••••••••";
        shown.className = reveal ? "revealed" : "masked";
        if (reveal) shown.removeAttribute("aria-label"); else shown.setAttribute("aria-label", TEXTS.secret);
      });
      return el("span", {}, [shown, " ", toggle]);
    }

    button(label, onclick, cls = "") {
      return el("button", { type: "button", class: cls, text: label, onclick });
    }

    part(part, live) {
      if (part.type === "quickReplies") {
        const buttons = (part.options || []).map((option) => this.button(option, () => this.choose(option)));
        return el("div", { class: "row quick", role: "group", "aria-label": part.title || "Suggestions" }, buttons);
      }
      if (part.type === "card") return this.card(part);
      if (part.type === "image") {
        const src = safeUrl(part.url, { images: true });
        return src ? el("img", { src, alt: part.alt || "" }) : null;
      }
      if (part.type === "confirmation") return this.confirmation(part, live);
      return null;
    }

    card(part) {
      const body = [el("strong", { text: part.title || "" })];
      if (part.subtitle) body.push(el("span", { class: "sub", text: part.subtitle }));
      if (part.text) body.push(el("div", { text: part.text }));
      const image = safeUrl(part.imageUrl, { images: true });
      if (image) body.push(el("img", { src: image, alt: part.title || "" }));
      const actions = (part.buttons || []).map((b) => {
        const href = safeUrl(b.url);
        if (href) return el("a", { class: "link", href, target: "_blank", rel: "noopener noreferrer", text: b.text });
        return this.button(b.text, () => this.choose(b.postback || b.text));
      });
      if (actions.length) body.push(el("div", { class: "row" }, actions));
      return el("div", { class: "card" }, body);
    }

    confirmation(part, live) {
      const row = el("div", { class: "row confirm", role: "group", "aria-label": part.prompt });
      const answer = (said) => {
        for (const b of row.querySelectorAll("button")) b.disabled = true;
        row.append(el("span", { class: "note", text: TEXTS.confirmed }));
        this.choose(said);
      };
      row.append(this.button("Confirm", () => answer(part.confirm || "yes"), "primary"),
                 this.button("Cancel", () => answer(part.cancel || "no"), "danger"));
      if (!live) for (const b of row.querySelectorAll("button")) b.disabled = true;
      return row;
    }

    choose(text) {
      if (this.busy) return;
      this.say(text);
      this.input.focus();
    }
  }

  if (!customElements.get("chatops-chat")) customElements.define("chatops-chat", ChatopsChat);

  document.addEventListener("click", (event) => {
    const said = event.target instanceof Element && event.target.closest("[data-chatops-say]");
    const chat = said && document.querySelector("chatops-chat");
    if (chat) chat.choose(said.getAttribute("data-chatops-say"));
  });
})();
