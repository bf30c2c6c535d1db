/* The scoring sheet, keyboard-first, saving every answer as it is given.

   Without this file the sheet is a plain form with a "Save answers" button. With it:
   - a digit scores the requirement whose score has the focus; Tab moves on to the
     argument and to the next requirement; arrow up and down jump between requirements
     (left and right change the score, as radio buttons do);
   - every answer is sent on its own (JSON, CSRF token in a header) with the version it
     started from; the answer shows "Saving…", "Saved", or why not;
   - an answer that could not be sent (no connection, server busy) stays marked, is kept
     in localStorage (so a reload does not lose it) and is retried, also as soon as the
     browser is online again; leaving the page with unsaved answers asks first;
   - a score changed elsewhere (another tab) is not overwritten: the stored answer is
     shown with the message, and the member decides again.
   A shared computer (issue 17, item 4): the kept answers belong to one account in one
   login session (the page names it in data-store-owner). Answers kept under any other
   name (another person, or an earlier login) are deleted unread when a sheet opens, so
   they are never sent under the wrong account; logging out clears the browser's storage
   as well (Clear-Site-Data).
   No inline script: the Content-Security-Policy forbids it. */
(function () {
  "use strict";

  var STORE_PREFIX = "selector.unsaved:";
  var script = document.currentScript;
  var owner = script ? script.getAttribute("data-store-owner") || "" : "";

  function dropOtherStores() {
    try {
      var others = [];
      for (var i = 0; i < window.localStorage.length; i += 1) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(STORE_PREFIX) === 0 &&
            (!owner || key.indexOf(STORE_PREFIX + owner + ":") !== 0)) {
          others.push(key);
        }
      }
      others.forEach(function (key) { window.localStorage.removeItem(key); });
    } catch (e) { /* no storage: nothing kept */ }
  }
  dropOtherStores();

  var form = document.getElementById("sheet");
  if (!form || form.getAttribute("data-editable") !== "1") { return; }

  var scale = parseInt(form.getAttribute("data-scale"), 10);
  var saveUrl = form.getAttribute("data-save-url");
  var submitted = form.getAttribute("data-submitted") === "1";
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = tokenMeta ? tokenMeta.getAttribute("content") : "";
  var storeKey = STORE_PREFIX + owner + ":" + saveUrl;
  var reasonField = form.querySelector("[data-reason]");
  var bar = form.querySelector("[data-connection]");
  var items = Array.prototype.slice.call(form.querySelectorAll("[data-item]"));
  var states = {};
  var lastDigit = { key: "", at: 0 };

  function msg(name) { return form.getAttribute("data-msg-" + name) || ""; }

  function parts(item) {
    return {
      radios: Array.prototype.slice.call(item.querySelectorAll("[data-score]")),
      comment: item.querySelector("[data-comment]"),
      version: item.querySelector("[data-version]"),
      status: item.querySelector("[data-status]"),
      extreme: item.querySelector("[data-extreme]")
    };
  }

  function scoreOf(item) {
    var checked = item.querySelector("[data-score]:checked");
    return checked ? parseInt(checked.value, 10) : null;
  }

  function isExtreme(score) { return score === 0 || score === 1 || score === scale; }

  function markExtreme(item) {
    var p = parts(item);
    var score = scoreOf(item);
    p.extreme.hidden = !(score !== null && isExtreme(score) && !p.comment.value.trim());
  }

  function setState(item, kind, text) {
    ["saving", "saved", "unsaved", "conflict", "error"].forEach(function (k) {
      item.classList.remove("item--" + k);
    });
    if (kind) { item.classList.add("item--" + kind); }
    parts(item).status.textContent = text || "";
  }

  // ---- unsaved answers survive a reload ----
  function readStore() {
    if (!owner) { return {}; }
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function writeStore(store) {
    if (!owner) { return; }  // nobody named: keep nothing behind
    try {
      if (Object.keys(store).length) { window.localStorage.setItem(storeKey, JSON.stringify(store)); }
      else { window.localStorage.removeItem(storeKey); }
    } catch (e) { /* private mode: the page still warns before leaving */ }
  }
  function remember(item, answer) {
    var store = readStore();
    store[item.getAttribute("data-item")] = answer;
    writeStore(store);
  }
  function forget(item) {
    var store = readStore();
    delete store[item.getAttribute("data-item")];
    writeStore(store);
  }

  // ---- progress and the state bar ----
  function updateProgress() {
    var total = 0;
    form.querySelectorAll("[data-category]").forEach(function (category) {
      var done = 0;
      category.querySelectorAll("[data-item]").forEach(function (item) {
        if (scoreOf(item) !== null) { done += 1; }
      });
      total += done;
      var counter = category.querySelector("[data-category-scored]");
      if (counter) { counter.textContent = String(done); }
    });
    document.querySelectorAll("[data-overall-scored]").forEach(function (el) { el.textContent = String(total); });
    document.querySelectorAll("[data-overall-meter]").forEach(function (el) { el.value = total; });
  }

  function pendingCount() {
    return items.filter(function (item) { return states[item.getAttribute("data-item")].pending; }).length;
  }

  function updateBar() {
    if (!bar) { return; }
    var pending = pendingCount();
    var saving = items.some(function (item) { return states[item.getAttribute("data-item")].inflight; });
    var failing = items.some(function (item) { return states[item.getAttribute("data-item")].attempts > 0; });
    if (pending && (failing || !navigator.onLine)) {
      bar.textContent = msg("offline").replace("{count}", String(pending));
      bar.setAttribute("data-state", "offline");
    } else if (saving) {
      bar.textContent = msg("saving");
      bar.setAttribute("data-state", "saving");
    } else if (pending) {
      bar.textContent = msg("unsaved");
      bar.setAttribute("data-state", "unsaved");
    } else {
      bar.textContent = msg("all-saved");
      bar.setAttribute("data-state", "saved");
    }
  }

  // ---- saving one answer ----
  function scheduleRetry(item) {
    var state = states[item.getAttribute("data-item")];
    state.attempts += 1;
    var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(state.attempts, 5)));
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(function () { save(item); }, delay);
    setState(item, "unsaved", msg("unsaved"));
    updateBar();
  }

  function applyStored(item, current) {
    var p = parts(item);
    p.radios.forEach(function (radio) { radio.checked = parseInt(radio.value, 10) === current.score; });
    p.comment.value = current.comment || "";
    p.version.value = String(current.version);
    markExtreme(item);
    updateProgress();
  }

  function save(item) {
    var id = item.getAttribute("data-item");
    var state = states[id];
    var p = parts(item);
    window.clearTimeout(state.timer);
    window.clearTimeout(state.typing);
    if (state.inflight) { state.again = true; return; }
    var score = scoreOf(item);
    var comment = p.comment.value;
    if (score === null) {
      state.pending = false;
      setState(item, comment.trim() ? "unsaved" : "", comment.trim() ? msg("need-score") : "");
      updateBar();
      return;
    }
    var answer = { score: score, comment: comment, version: p.version.value };
    if (state.sent && state.sent.score === score && state.sent.comment === comment && !state.pending) {
      return;  // nothing new
    }
    state.pending = true;
    remember(item, answer);
    if (submitted && reasonField && !reasonField.value.trim()) {
      setState(item, "unsaved", msg("need-reason"));
      updateBar();
      return;
    }
    state.inflight = true;
    setState(item, "saving", msg("saving"));
    updateBar();
    var body = {
      requirement_id: parseInt(id, 10),
      score: score,
      comment: comment,
      version: p.version.value ? parseInt(p.version.value, 10) : null,
      reason: reasonField ? reasonField.value : ""
    };
    window.fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.redirected || type.indexOf("application/json") === -1) {
        // The login page or an HTML error: the session ended or the token expired.
        if (response.status >= 500 || response.status === 429) { throw new Error("busy"); }
        return { status: "reload" };
      }
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      state.inflight = false;
      if (result.status === 200) {
        state.attempts = 0;
        p.version.value = String(result.data.version);
        state.sent = { score: body.score, comment: body.comment };
        var changedMeanwhile = scoreOf(item) !== body.score || p.comment.value !== body.comment;
        if (changedMeanwhile || state.again) {
          state.again = false;
          state.pending = true;
          save(item);
          return;
        }
        state.pending = false;
        forget(item);
        setState(item, "saved", msg("saved"));
      } else if (result.status === 409) {
        state.attempts = 0;
        state.pending = false;
        forget(item);
        if (result.data.current) { applyStored(item, result.data.current); }
        state.sent = { score: scoreOf(item), comment: p.comment.value };
        setState(item, "conflict", result.data.error);
      } else if (result.status === "reload") {
        setState(item, "error", msg("reload"));
      } else if (result.status >= 500 || result.status === 429) {
        scheduleRetry(item);
        return;
      } else {
        state.attempts = 0;
        var field = result.data && result.data.field;
        if (field === "reason" && reasonField) {
          setState(item, "unsaved", result.data.error);
          reasonField.focus();
        } else {
          state.pending = false;
          forget(item);
          setState(item, "error", result.data ? result.data.error : msg("reload"));
        }
      }
      markExtreme(item);
      updateBar();
    }).catch(function () {
      state.inflight = false;
      scheduleRetry(item);
    });
  }

  function retryAll() {
    items.forEach(function (item) {
      var state = states[item.getAttribute("data-item")];
      if (state.pending && !state.inflight) { state.attempts = Math.max(state.attempts - 1, 0); save(item); }
    });
  }

  // ---- keyboard ----
  function focusItem(item) {
    if (!item) { return; }
    var target = item.querySelector("[data-score]:checked") || item.querySelector("[data-score]");
    if (target) { target.focus(); }
  }

  function choose(item, value) {
    var radio = item.querySelector('[data-score][value="' + value + '"]');
    if (!radio || radio.disabled) { return; }
    radio.checked = true;
    radio.focus();
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  }

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.hasAttribute || !target.hasAttribute("data-score")) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var item = target.closest("[data-item]");
    var index = items.indexOf(item);
    if (/^[0-9]$/.test(event.key)) {
      event.preventDefault();
      var value = parseInt(event.key, 10);
      var now = Date.now();
      if (scale >= 10 && lastDigit.key === "1" && event.key === "0" && now - lastDigit.at < 700) {
        value = 10;  // "1" then "0" quickly: ten
      }
      lastDigit = { key: event.key, at: now };
      if (value <= scale) { choose(item, value); }
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      focusItem(items[index + (event.key === "ArrowDown" ? 1 : -1)]);
    }
  });

  // ---- wiring ----
  items.forEach(function (item) {
    var id = item.getAttribute("data-item");
    var p = parts(item);
    states[id] = { pending: false, inflight: false, attempts: 0, again: false, timer: 0, typing: 0,
                   sent: { score: scoreOf(item), comment: p.comment.value } };
    p.radios.forEach(function (radio) {
      radio.addEventListener("change", function () {
        markExtreme(item);
        updateProgress();
        save(item);
      });
    });
    p.comment.addEventListener("input", function () {
      markExtreme(item);
      var state = states[id];
      window.clearTimeout(state.typing);
      state.typing = window.setTimeout(function () { save(item); }, 1200);
    });
    p.comment.addEventListener("change", function () { save(item); });
  });

  if (reasonField) {
    reasonField.addEventListener("change", retryAll);
  }
  window.addEventListener("online", retryAll);
  window.addEventListener("offline", updateBar);
  window.addEventListener("beforeunload", function (event) {
    if (pendingCount()) {
      event.preventDefault();
      event.returnValue = msg("leave");
      return msg("leave");
    }
    return undefined;
  });

  var submitForm = document.querySelector("[data-submit-sheet]");
  if (submitForm) {
    submitForm.addEventListener("submit", function (event) {
      if (!pendingCount()) { return; }
      event.preventDefault();
      var note = submitForm.querySelector("[data-pending-note]");
      if (!note) {
        note = document.createElement("p");
        note.className = "field__error";
        note.setAttribute("role", "alert");
        note.setAttribute("data-pending-note", "");
        submitForm.appendChild(note);
      }
      note.textContent = submitForm.getAttribute("data-msg-pending");
    }, true);
  }

  // A refused submit (issue 22, item 6): once the page has settled (after the browser's
  // jump to the summary), the focus goes to the first problem's score, which scrolls it
  // into view, and the live region says how many problems there are.
  var summary = document.querySelector("[data-problem-summary]");
  var first = summary && document.getElementById(summary.getAttribute("data-first-problem"));
  if (first) {
    window.addEventListener("load", function () {
      window.setTimeout(function () {
        focusItem(first);
        var live = document.querySelector("[data-problem-count]");
        var title = summary.querySelector(".error-summary__title");
        if (live && title) { live.textContent = title.textContent; }
      }, 0);
    });
  }

  // The whole-form button is for pages without JavaScript.
  var saveAll = form.querySelector("[data-save-all]");
  if (saveAll) { saveAll.hidden = true; }
  document.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });

  // Answers that could not be sent before a reload: restore and send them, unless the
  // stored answer moved on meanwhile (then the stored one stands).
  var store = readStore();
  Object.keys(store).forEach(function (id) {
    var item = form.querySelector('[data-item="' + id + '"]');
    var answer = store[id];
    if (!item || parts(item).version.value !== String(answer.version || "")) {
      delete store[id];
      return;
    }
    var p = parts(item);
    p.radios.forEach(function (radio) { radio.checked = parseInt(radio.value, 10) === answer.score; });
    p.comment.value = answer.comment;
    states[id].pending = true;
    markExtreme(item);
  });
  writeStore(store);
  updateProgress();
  updateBar();
  retryAll();
})();
