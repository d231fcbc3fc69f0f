/* navguide embed loader: adds a launcher button; on first click, frames the
   chat panel from navguide's own server. No globals, no cookies, no storage.
   <script src="https://HOST/embed.js" data-municipality="krokom"
           data-lang="sv" data-color="#005a8c" data-position="right" defer></script> */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src$="/embed.js"]');
  if (!script) return;
  var origin = new URL(script.src).origin;
  var data = script.dataset;
  var texts = /*texts*/{};
  var lang = data.lang === "en" ? "en" : "sv";
  var color = /^#([0-9a-f]{3}){1,2}$/i.test(data.color || "") ? data.color : "#005a8c";
  var side = data.position === "left" ? "left" : "right";
  if (data.color && color !== data.color) warn("data-color must be like #005a8c, not " + data.color);
  var frame = null, button = null, ready = false;

  function warn(message) { console.warn("[navguide] " + message); }

  function luminance(hex) {
    if (hex.length === 4) hex = "#" + hex[1] + hex[1] + hex[2] + hex[2] + hex[3] + hex[3];
    var sum = 0, weights = [0.2126, 0.7152, 0.0722];
    for (var i = 0; i < 3; i++) {
      var c = parseInt(hex.substr(1 + 2 * i, 2), 16) / 255;
      sum += weights[i] * (c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4));
    }
    return sum;
  }
  // Black or white text, whichever contrasts more with the colour (always >= 4.5:1).
  var l = luminance(color);
  var ink = 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#fff" : "#000";

  var css =
    ".navguide-launcher{position:fixed;" + side + ":1rem;bottom:1rem;z-index:2147483000;" +
    "font:600 1rem/1.2 system-ui,sans-serif;padding:.75rem 1.1rem;border:2px solid " + ink +
    ";border-radius:2rem;background:" + color + ";color:" + ink + ";cursor:pointer;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.35);transition:transform .15s}" +
    ".navguide-launcher:hover{transform:translateY(-2px)}" +
    ".navguide-launcher:focus-visible{outline:3px solid #000;outline-offset:3px;" +
    "box-shadow:0 0 0 3px #fff}" +
    ".navguide-frame{position:fixed;" + side + ":1rem;bottom:4.75rem;z-index:2147483001;" +
    "width:min(26rem,calc(100vw - 2rem));height:min(40rem,calc(100vh - 6rem));border:0;" +
    "border-radius:.75rem;background:#fff;box-shadow:0 4px 24px rgba(0,0,0,.35)}" +
    ".navguide-frame[hidden]{display:none}" +
    "@media (max-width:30rem),(max-height:30rem){.navguide-frame{inset:0;width:100%;" +
    "height:100%;border-radius:0}}" +
    "@media (forced-colors:active){.navguide-frame{outline:2px solid CanvasText}}" +
    "@media (prefers-reduced-motion:reduce){.navguide-launcher{transition:none}" +
    ".navguide-launcher:hover{transform:none}}";

  // A constructed stylesheet works under a host's strict CSP; <style> is the fallback.
  // Both come before the host's own CSS in spirit: override with a more specific selector.
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [sheet].concat(document.adoptedStyleSheets);
  } catch (e) {
    var style = document.createElement("style");
    style.textContent = css;
    document.head.insertBefore(style, document.head.firstChild);
  }

  function post(type) {
    if (frame && ready) {
      frame.contentWindow.postMessage({ navguide: { type: type, modal: hidden.length > 0 } }, origin);
    }
  }

  // Where the panel covers the page (phones, 400 % zoom), the page behind is inert so
  // focus stays in the chat; aria-hidden and the focusin guard stand in where inert is missing.
  var cover = window.matchMedia("(max-width:30rem),(max-height:30rem)");
  var view = window.visualViewport, hidden = [];
  function coverPage() {
    hidden.forEach(function (node) { node.inert = false; node.removeAttribute("aria-hidden"); });
    hidden = [];
    if (frame && !frame.hidden && cover.matches) {
      [].forEach.call(document.body.children, function (node) {
        if (node === frame || node.inert || node.getAttribute("aria-hidden")) return;
        node.inert = true;
        node.setAttribute("aria-hidden", "true");
        hidden.push(node);
      });
    }
    fit();
  }
  // The on-screen keyboard shrinks the visual viewport only: the covering frame follows
  // it, so the field and the send button stay above the keyboard.
  function fit() {
    var on = hidden.length && view && view.scale < 1.01;
    frame.style.top = on ? view.offsetTop + "px" : "";
    frame.style.height = on ? view.height + "px" : "";
  }
  cover.addEventListener("change", function () {
    if (frame) { coverPage(); post("modal"); }
  });
  if (view) ["resize", "scroll"].forEach(function (type) {
    view.addEventListener(type, function () { if (frame) fit(); });
  });
  document.addEventListener("focusin", function (event) {
    if (hidden.length && event.target !== frame) frame.focus();
  });

  function open() {
    if (!frame) {
      var query = new URLSearchParams({ lang: lang, color: color, origin: location.origin });
      if (data.municipality) query.set("municipality", data.municipality);
      frame = document.createElement("iframe");
      frame.className = "navguide-frame";
      frame.id = "navguide-frame";
      frame.setAttribute("title", texts[lang].title);
      frame.src = origin + "/widget?" + query;
      button.setAttribute("aria-controls", frame.id);
      document.body.appendChild(frame);
    }
    frame.hidden = false;
    button.setAttribute("aria-expanded", "true");
    coverPage();
    frame.focus();
    post("open");
  }

  function close() {
    if (!frame || frame.hidden) return;
    frame.hidden = true;
    coverPage();
    button.setAttribute("aria-expanded", "false");
    button.focus({ focusVisible: true });  // a ring shows where focus went back to
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !frame || event.source !== frame.contentWindow) return;
    var message = event.data && event.data.navguide;
    if (!message) return;
    if (message.type === "ready") {
      ready = true;
      if (!frame.hidden) post("open");
    } else if (message.type === "close") {
      close();
    } else if (message.type === "lang" && texts[message.lang]) {
      lang = message.lang;
      button.textContent = texts[lang].open;
      frame.setAttribute("title", texts[lang].title);
    }
  });

  function start() {
    if (!texts[lang]) return warn("this embed.js was not served by navguide");
    if (document.querySelector(".navguide-launcher")) return warn("embed.js is on the page twice");
    button = document.createElement("button");
    button.type = "button";
    button.className = "navguide-launcher";
    button.textContent = texts[lang].open;
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () {
      if (frame && !frame.hidden) close(); else open();
    });
    button.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
    });
    document.body.appendChild(button);
  }

  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
