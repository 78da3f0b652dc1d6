/* quizsite attempt page: autosave, countdown, submit confirmation.
   Everything here is an enhancement: without JavaScript every answer is saved when the
   student moves on, and the server finishes the attempt at the deadline on its own. */
(function () {
  "use strict";

  var form = document.getElementById("attempt-form");
  /* Translated messages come from the page (templates/quizzes/attempt/_js_strings.html). */
  var strings = (document.getElementById("attempt-strings") || {dataset: {}}).dataset;
  function t(name, fallback) { return strings[name] || fallback; }
  var statusEl = document.querySelector("[data-save-status]");
  var announcer = document.getElementById("timer-announcer");
  var loadedAt = performance.now();
  var serverNow = Number((form && form.dataset.serverNow) ||
    (document.querySelector(".timer") || {dataset: {}}).dataset.serverNow || Date.now());

  /* ---- submit confirmation (summary page) ---------------------------------------- */
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (event) {
      if (!f.dataset.confirmed && !window.confirm(f.dataset.confirm)) event.preventDefault();
    });
  });

  /* ---- countdown, by the server's clock ------------------------------------------ */
  var timer = document.querySelector(".timer");
  var setMsLeft = function () {};
  if (timer) {
    var deadline = performance.now() + Number(timer.dataset.msLeft || timer.dataset.secondsLeft * 1000);
    var valueEl = timer.querySelector(".timer-value");
    var announced = {};
    var handle = null;
    var tick = function () {
      /* Round up: the page never shows 0:00 (and never submits) before the server's deadline. */
      var left = Math.max(0, Math.ceil((deadline - performance.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      valueEl.textContent = (minutes >= 60 ? Math.floor(minutes / 60) + " h " + (minutes % 60) + " min"
        : minutes + ":" + (seconds < 10 ? "0" : "") + seconds);
      [10, 5, 1].forEach(function (mark) {
        if (left <= mark * 60 && left > (mark * 60 - 30) && !announced[mark]) {
          announced[mark] = true;
          if (announcer) {
            announcer.textContent = mark === 1 ? t("minute", "1 minute left.")
              : t("minutes", "%(n)s minutes left.").replace("%(n)s", mark);
          }
          timer.classList.add("timer-soon");
        }
      });
      if (left === 0) {
        clearInterval(handle);
        handle = null;
        timeUp();
      }
    };
    /* The server's word on the time left (a teacher may have given more): count from it. */
    setMsLeft = function (msLeft) {
      if (typeof msLeft !== "number") return;
      deadline = performance.now() + msLeft;
      if (msLeft > 60000) timer.classList.remove("timer-soon");
      [10, 5, 1].forEach(function (mark) { if (msLeft > mark * 60000) announced[mark] = false; });
      if (!handle) handle = setInterval(tick, 1000);
      tick();
    };
    handle = setInterval(tick, 1000);
    tick();
  }

  /* At zero the page asks the server, which alone decides: time is up (the attempt is
     submitted and the page goes to the review), or there is time left after all (extra time
     given meanwhile) and the countdown goes on from the server's figure. */
  function timeUp() {
    if (announcer) announcer.textContent = t("timeUp", "Time is up. Submitting your answers.");
    var timeUpUrl = timer && timer.dataset.timeUpUrl;
    if (!timeUpUrl) return;
    (form ? flush() : Promise.resolve()).then(function () {
      return fetch(timeUpUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(), "X-Requested-With": "fetch"}
      });
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (data.finished) {
        navigating = true;
        window.location.assign(data.redirect);
      } else {
        if (announcer) announcer.textContent = "";
        setMsLeft(data.ms_left);
      }
    }).catch(function () {
      /* No answer (offline): try again shortly; the server finishes the attempt anyway. */
      setTimeout(timeUp, 5000);
    });
  }

  if (!form) return;

  /* ---- autosave ------------------------------------------------------------------- */
  var storageKey = "quizsite:attempt:" + form.dataset.autosaveUrl;
  var pending = loadPending();
  var inFlight = false;
  var retryTimer = null;
  var navigating = false;
  var timers = {};

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function revision() {
    return Math.floor(serverNow + (performance.now() - loadedAt));
  }

  function loadPending() {
    try { return JSON.parse(localStorage.getItem(storageKey)) || {}; } catch (e) { return {}; }
  }

  function storePending() {
    try {
      if (Object.keys(pending).length) localStorage.setItem(storageKey, JSON.stringify(pending));
      else localStorage.removeItem(storageKey);
    } catch (e) { /* private mode: the page itself still holds the answers */ }
  }

  function fieldsOf(section) {
    var prefix = section.dataset.prefix + "-";
    var pairs = [];
    section.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.name.indexOf(prefix) !== 0 || el.disabled) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      pairs.push([el.name, el.value]);
    });
    return pairs;
  }

  function showStatus(text, state) {
    if (!statusEl) return;
    statusEl.hidden = false;
    statusEl.textContent = text;
    statusEl.className = "save-status " + state;
    statusEl.setAttribute("role", state === "error" ? "alert" : "status");
  }

  /* Note the answer as unsaved at once (kept in storage, status shown); send it now or soon. */
  function remember(section) {
    var position = section.dataset.prefix.slice(1);
    pending[position] = {fields: fieldsOf(section), revision: revision()};
    storePending();
    showStatus(t("saving", "Saving…"), "saving");
  }

  function queue(section) {
    remember(section);
    send();
  }

  function send() {
    if (inFlight) return Promise.resolve();
    var positions = Object.keys(pending);
    if (!positions.length) {
      showStatus(t("saved", "✓ All answers saved"), "saved");
      return Promise.resolve();
    }
    var position = positions[0];
    var item = pending[position];
    var body = new URLSearchParams();
    body.append("position", position);
    body.append("revision", String(item.revision));
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    inFlight = true;
    return fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "X-Requested-With": "fetch"}
    }).then(function (response) {
      inFlight = false;
      if (response.status === 409) {
        return response.json().then(function (data) {
          pending = {};
          storePending();
          /* Closed: the review; a page a sequential quiz has moved past: the current page. */
          if (data.redirect) window.location.assign(data.redirect);
          else window.location.reload();
        });
      }
      var isJson = (response.headers.get("content-type") || "").indexOf("json") !== -1;
      if (response.status === 429 && isJson) {
        /* Too many saves: keep the answer and send it again when the server says. */
        return response.json().then(function (data) {
          showStatus(t("busy", "⚠ Saving is paused for a moment. Your answers are kept."), "error");
          scheduleRetry(1000 * Math.max(1, Number(data.retry_after) || 5));
        });
      }
      if (response.status >= 500) {
        /* The server (or its database) is down for a moment: keep the answer, try again. */
        showStatus(t("server", "⚠ Not saved yet: the server is having trouble."), "error");
        scheduleRetry();
        return;
      }
      if (response.status === 403 || response.status === 401 || response.redirected || !isJson) {
        /* A refused token, or a login page instead of our JSON: the session has expired. */
        showStatus(t("expired", "⚠ Not saved: your session has expired."), "error");
        scheduleRetry();
        return;
      }
      if (!response.ok) {
        showStatus(t("refused", "⚠ Not saved: the server refused this answer.") + " (" + response.status + ")", "error");
        delete pending[position];
        storePending();
        return;
      }
      return response.json().then(function (data) {
        if (pending[position] && pending[position].revision === item.revision) delete pending[position];
        storePending();
        markAnswered(position, data.answered);
        setMsLeft(data.ms_left);
        return send();
      });
    }).catch(function () {
      inFlight = false;
      showStatus(t("offline", "⚠ Connection lost: answers not saved yet."), "error");
      scheduleRetry();
    });
  }

  function scheduleRetry(delay) {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; send(); }, delay || 5000);
  }

  /* Send everything still waiting, for at most a few seconds (used when time runs out). */
  function flush() {
    Object.keys(timers).forEach(function (prefix) {
      clearTimeout(timers[prefix]);
      var section = form.querySelector('[data-prefix="' + prefix + '"]');
      if (section) queue(section);
    });
    timers = {};
    return new Promise(function (resolve) {
      var giveUp = setTimeout(resolve, 4000);
      (function step() {
        if (!inFlight && !Object.keys(pending).length) { clearTimeout(giveUp); resolve(); return; }
        if (!inFlight) send();
        setTimeout(step, 150);
      })();
    });
  }

  function markAnswered(position, answered) {
    var cell = form.querySelector('.question-nav [data-position="' + position + '"]');
    if (!cell) return;
    cell.classList.toggle("answered", Boolean(answered));
    var state = cell.querySelector(".nav-state");
    if (state) state.textContent = answered ? state.dataset.answered : state.dataset.unanswered;
  }

  /* Re-apply answers that were typed but never reached the server (a crash, a lost connection). */
  Object.keys(pending).forEach(function (position) {
    var section = form.querySelector('[data-prefix="q' + position + '"]');
    if (!section) return;
    var values = {};
    pending[position].fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    section.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name) return;
      var given = values[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") el.checked = given.indexOf(el.value) !== -1;
      else el.value = given.length ? given[0] : "";
    });
  });
  if (Object.keys(pending).length) send();

  form.querySelectorAll("section.question[data-prefix]").forEach(function (section) {
    section.addEventListener("change", function () { queue(section); });
    section.addEventListener("input", function (event) {
      if (event.target.type !== "text") return;
      remember(section);
      clearTimeout(timers[section.dataset.prefix]);
      timers[section.dataset.prefix] = setTimeout(function () {
        delete timers[section.dataset.prefix];
        queue(section);
      }, 800);
    });
  });

  form.addEventListener("submit", function () {
    /* Keep what is pending until the server has it: if this post fails (offline), the answers
       come back from storage on the next load; if it succeeds, its newer revision wins. */
    navigating = true;
  });
  window.addEventListener("online", function () { send(); });
  window.addEventListener("beforeunload", function (event) {
    if (!navigating && Object.keys(pending).length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
