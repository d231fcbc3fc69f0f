/* navguide chat panel. Runs inside the iframe served by navguide at /widget.
   Every element is built with createElement and textContent; knowledge HTML
   from the server is rebuilt node by node from a short list of safe tags, so
   no text from a learner or from the knowledge can ever run as code.
   The conversation lives in this page's memory only: no cookies, no storage. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("navguide-config").textContent);
  var texts = config.texts, lang = config.lang, host = config.hostOrigin;
  var context = null, busy = false, choices = 0, modal = false;
  var municipality = config.municipality;
  var $ = function (id) { return document.getElementById(id); };
  var log = $("navguide-log"), input = $("navguide-input"), form = $("navguide-form");
  var live = $("navguide-live");
  var calm = window.matchMedia("(prefers-reduced-motion: reduce)");
  var SAFE_URL = /^(https?:|mailto:|tel:)/i;

  config.warnings.forEach(function (w) { console.warn("[navguide] " + w); });
  document.documentElement.style.setProperty("--accent", config.color);
  document.documentElement.style.setProperty("--on-accent", config.colorText);

  function t(key, values, language) {
    var all = texts[language || lang] || texts.sv;
    var text = all[key] || texts.sv[key] || key;
    return text.replace(/\{(\w+)\}/g, function (m, name) {
      return values && name in values ? String(values[name]) : m;
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function link(url, text) {
    if (!url || !SAFE_URL.test(url)) return el("span", null, text);
    var a = el("a", null, text);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  // The server's escaped HTML, parsed inertly and rebuilt from safe parts only.
  var TAGS = { P: "p", UL: "ul", OL: "ol", LI: "li", STRONG: "strong", EM: "em", BR: "br" };
  function copy(from, to) {
    from.childNodes.forEach(function (node) {
      if (node.nodeType === 3) return to.appendChild(document.createTextNode(node.data));
      if (node.nodeType !== 1) return;
      var made = node.tagName === "A" ? link(node.getAttribute("href"), "")
        : TAGS[node.tagName] ? el(TAGS[node.tagName]) : null;
      if (made) { copy(node, made); to.appendChild(made); } else copy(node, to);
    });
  }
  function rich(html) {
    var box = el("div", "rich");
    copy(new DOMParser().parseFromString(String(html || ""), "text/html").body, box);
    return box;
  }

  function facts(rows, language) {
    var dl = el("dl", "facts");
    rows.forEach(function (row) {
      if (!row[1]) return;
      var group = el("div");
      group.appendChild(el("dt", null, t(row[0], null, language)));
      var dd = el("dd");
      dd.appendChild(typeof row[1] === "string" ? document.createTextNode(row[1]) : row[1]);
      group.appendChild(dd);
      dl.appendChild(group);
    });
    return dl;
  }

  function centreFacts(c, language) {
    return facts([
      ["address", c.address], ["hours", c.hours],
      ["phone", c.phone && link(c.phone_href, c.phone)],
      ["email", c.email && link(c.email_href, c.email)],
      ["web", c.url && link(c.url, c.url)],
    ], language);
  }

  function card(kind, title, subtitle) {
    var article = el("article", "card " + kind);
    article.appendChild(el("h2", "card-title", title));
    if (subtitle) article.appendChild(el("p", "muted", subtitle));
    return article;
  }

  function centreCard(c, language) {
    var article = card("centre", c.name, c.municipality);
    article.appendChild(centreFacts(c, language));
    if (c.details_at) article.appendChild(el("p", "muted", c.details_at));
    if (c.html) article.appendChild(rich(c.html));
    return article;
  }

  function courseCard(c, language) {
    var article = card("course", c.title, c.provider);
    var start = c.start === "rolling" ? t("start_rolling", null, language) : c.start;
    var place = c.distance ? t("distance", null, language) : c.municipality || t("on_site", null, language);
    article.appendChild(facts([
      ["place", place], ["start", start], ["apply_by", c.apply_by], ["length", c.length],
    ], language));
    if (c.html) article.appendChild(rich(c.html));
    var more = el("p");
    more.appendChild(link(c.url, t("read_more", null, language)));
    article.appendChild(more);
    return article;
  }

  // The server's words: an apology, or (asked for a person) the way to one, then
  // the municipality's guidance contact or centre, or a request to choose a place.
  function handoffCard(reply, language) {
    var article = card("handoff", t("ui_handoff_title", null, language));
    article.appendChild(rich(reply.html));
    return article;
  }

  function replyBody(reply) {
    var body = el("div", "body"), language = reply.lang;
    var of = function (type) { return reply.cards.filter(function (c) { return c.type === type; }); };
    if (reply.kind === "handoff") {
      body.appendChild(handoffCard(reply, language));
    } else if (reply.kind === "centre") {
      body.appendChild(el("p", null, t("ui_centre_intro", null, language)));
      of("centre").forEach(function (c) { body.appendChild(centreCard(c, language)); });
    } else if (reply.kind === "course" || reply.kind === "courses") {
      var courses = of("course");
      if (reply.kind === "courses") {
        body.appendChild(el("p", null, t("courses_intro", { count: courses.length }, language)));
      }
      courses.forEach(function (c) { body.appendChild(courseCard(c, language)); });
    } else {
      body.appendChild(rich(reply.html));
      if (reply.links.length) {
        var list = el("ul", "links");
        list.setAttribute("aria-label", t("ui_links", null, language));
        reply.links.forEach(function (l) {
          var item = el("li");
          item.appendChild(link(l.url, l.title));
          list.appendChild(item);
        });
        body.appendChild(list);
      }
    }
    return body;
  }

  function show(node, where) {
    node.scrollIntoView({ block: where || "nearest", behavior: calm.matches ? "auto" : "smooth" });
  }

  function announce(text) {
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 50);
  }

  function addMessage(who, body, language) {
    var item = el("li", "msg " + who);
    if (language) item.lang = language;
    item.appendChild(el("span", "sr-only", t(who === "me" ? "ui_you" : "ui_bot", null, language)));
    item.appendChild(body);
    log.appendChild(item);
    return item;
  }

  // Follow-ups, or (with `choice`) the answer itself: a choice between entries or of
  // the learner's municipality, shown as a group of buttons under a visible label.
  var CHOICES = { entry: "ui_choose_entry", municipality: "ui_choose_municipality" };
  function suggestions(item, list, language, choice) {
    if (!list || !list.length) return "";
    var key = CHOICES[choice], group = el("div", key ? "sugg choice" : "sugg");
    group.setAttribute("role", "group");
    if (key) {
      var label = el("p", "choice-label", t(key, null, language));
      label.id = "choice-" + (++choices);
      group.setAttribute("aria-labelledby", label.id);
      group.appendChild(label);
    } else {
      group.setAttribute("aria-label", t("ui_suggestions", null, language));
    }
    list.forEach(function (s) {
      var b = el("button", null, s.label);
      b.type = "button";
      b.addEventListener("click", function () {
        if (s.municipality) municipality = s.municipality;  // the learner's choice holds
        send(s.message);
      });
      group.appendChild(b);
    });
    item.appendChild(group);
    return key ? label.textContent + ": " + list.map(function (s) { return s.label; }).join(", ") : "";
  }

  function feedback(item, replyId, language) {
    var group = el("div", "fb");
    group.setAttribute("role", "group");
    var question = el("span", null, t("ui_helpful", null, language));
    question.id = "fb-" + replyId;
    group.setAttribute("aria-labelledby", question.id);
    group.appendChild(question);
    [[true, "ui_yes"], [false, "ui_no"]].forEach(function (choice) {
      var b = el("button", null, t(choice[1], null, language));
      b.type = "button";
      b.addEventListener("click", function () {
        fetch("/api/feedback", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ reply_id: replyId, helpful: choice[0] }),
        }).catch(function () {});
        var thanks = el("p", "fb thanks", t("ui_thanks", null, language));
        thanks.tabIndex = -1;
        group.replaceWith(thanks);
        thanks.focus();
      });
      group.appendChild(b);
    });
    item.appendChild(group);
  }

  function welcome() {
    var body = el("div", "body");
    body.appendChild(el("p", null, t("ui_welcome")));
    var item = addMessage("bot", body, lang);
    item.classList.add("welcome");
    suggestions(item, ["ui_starter_1", "ui_starter_2", "ui_starter_3"].map(function (key) {
      return { label: t(key), message: t(key) };
    }), lang);
  }

  function clearSuggestions() {
    log.querySelectorAll(".sugg").forEach(function (g) { g.remove(); });
  }

  function send(text) {
    text = text.trim();
    if (!text || busy) return;
    busy = true;
    form.setAttribute("aria-busy", "true");
    var hadFocus = log.contains(document.activeElement);
    clearSuggestions();
    var mine = addMessage("me", el("p", null, text));
    input.value = "";
    if (hadFocus) input.focus();
    var waiting = addMessage("bot", el("p", "waiting", t("ui_waiting")), lang);
    waiting.setAttribute("aria-hidden", "true");
    show(waiting);
    var request = { message: text, lang: lang };
    if (context) request.context = context;
    if (municipality) request.municipality = municipality;
    fetch("/api/chat", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error ? data.error.message : response.status);
        return data;
      });
    }).then(function (reply) {
      context = reply.context;
      mine.lang = reply.lang;  // the language the learner wrote in
      var body = replyBody(reply);
      var item = addMessage("bot", body, reply.lang);
      waiting.remove();
      // A choice is part of the answer: it comes before "was this helpful?".
      var choice = CHOICES[reply.choice] ? suggestions(item, reply.suggestions, reply.lang,
        reply.choice) : null;
      feedback(item, reply.reply_id, reply.lang);
      if (choice === null) suggestions(item, reply.suggestions, reply.lang);
      announce(body.innerText + (choice ? " " + choice : ""));
      show(mine, "start");  // the question and the start of its answer
    }).catch(function (error) {
      console.warn("[navguide] the chat request failed: " + error.message);
      if (/context/.test(error.message)) context = null;
      waiting.remove();
      var item = addMessage("bot", el("p", "error", t("ui_error")), lang);
      announce(item.textContent);
      show(item);
    }).then(function () {
      busy = false;
      form.removeAttribute("aria-busy");
    });
  }

  function setLang(next) {
    lang = next;
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-t]").forEach(function (node) {
      node.textContent = t(node.getAttribute("data-t"));
    });
    document.querySelectorAll("[data-t-label]").forEach(function (node) {
      node.setAttribute("aria-label", t(node.getAttribute("data-t-label")));
    });
    input.placeholder = t("ui_placeholder");
    var other = lang === "sv" ? "en" : "sv", switcher = $("navguide-lang");
    switcher.lang = other;
    switcher.textContent = texts[other].ui_lang_name;
    document.title = t("ui_frame_title");
    if (log.children.length === 1) { log.textContent = ""; welcome(); }
    tell("lang", { lang: lang });
  }

  function tell(type, extra) {
    if (host && window.parent !== window) {
      var message = { type: type };
      for (var key in extra) message[key] = extra[key];
      window.parent.postMessage({ navguide: message }, host);
    }
  }

  function closePanel() { tell("close"); }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value);
  });
  $("navguide-new").addEventListener("click", function () {
    context = null;
    municipality = config.municipality;
    log.textContent = "";
    welcome();
    input.focus();
    announce(t("ui_new_started"));
  });
  $("navguide-lang").addEventListener("click", function () {
    setLang(lang === "sv" ? "en" : "sv");
  });
  $("navguide-close").addEventListener("click", closePanel);
  if (!host || window.parent === window) $("navguide-close").hidden = true;
  // While the panel covers the host page (the loader says so: `modal`), Tab and
  // Shift+Tab wrap around inside it; the loader has made the page behind inert.
  function wrap(event) {
    var all = [].filter.call(document.querySelectorAll("button, a[href], input"), function (n) {
      return !n.disabled && n.tabIndex >= 0 && n.getClientRects().length;
    });
    var first = all[0], last = all[all.length - 1], at = document.activeElement;
    var edge = event.shiftKey ? at === first || at === document.body : at === last;
    if (!first || !edge) return;
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closePanel();
    else if (event.key === "Tab" && modal) wrap(event);
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== host || event.source !== window.parent) return;
    var message = event.data && event.data.navguide;
    if (!message) return;
    if ("modal" in message) modal = !!message.modal;
    if (message.type === "open") input.focus();
  });

  welcome();
  tell("ready");
})();
