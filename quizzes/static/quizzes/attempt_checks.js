/* quizsite attempt page: checks as you type, the progress count, the time warnings and the
   forward-only confirmation. An enhancement, apart from attempt.js (autosave): without
   JavaScript the server does all of it when the page is saved.

   The checks mirror only the simple part of grading.answer_problem, the one rule of what can be
   graded (a number as grading.parse_number reads it; no place given to two items). The server's
   word is final: its autosave reply decides "answered" in the question panel. Like the server,
   the checks look at the answer's form only, never at whether it is right. */
(function () {
  "use strict";

  var strings = (document.getElementById("attempt-check-strings") || {dataset: {}}).dataset;
  function t(name, fallback) { return strings[name] || fallback; }

  /* ---- the 5- and 1-minute warnings, visible to everyone ---------------------------- */
  /* attempt.js counts down in .timer-value ("m:ss"); the banner follows what it shows, so
     extra time given meanwhile (the countdown going up again) hides it. */
  var timerValue = document.querySelector(".timer .timer-value");
  var banner = document.getElementById("time-warning");
  function updateWarning() {
    var shown = /^(\d+):(\d\d)$/.exec(timerValue.textContent.trim());
    if (!shown) return; /* the server's first text, or hours left: leave the server's banner */
    var left = Number(shown[1]) * 60 + Number(shown[2]);
    var text = left <= 60 ? t("underOne", "Under 1 minute left.")
      : left <= 300 ? t("underFive", "Under 5 minutes left.") : "";
    var textEl = banner.querySelector(".time-warning-text");
    if (textEl.textContent !== text) textEl.textContent = text;
    banner.hidden = !text;
  }
  if (timerValue && banner) {
    new MutationObserver(updateWarning).observe(timerValue, {childList: true, characterData: true, subtree: true});
    updateWarning();
  }

  var form = document.getElementById("attempt-form");
  if (!form) return;

  /* ---- checks as you go --------------------------------------------------------------- */
  /* grading.parse_number, simply: a sign, digits (grouped by spaces or not), one decimal
     point or comma. NFKC as the server does (full-width digits, no-break and thin spaces). */
  var NUMBER = /^[+-]?(?:[0-9]{1,3}(?: [0-9]{3})+|[0-9]*)(?:[.,][0-9]*)?$/;
  function isNumber(typed) {
    var text = typed.normalize("NFKC").trim().replace(/\u2212/g, "-");
    return NUMBER.test(text) && /[0-9]/.test(text);
  }

  /* What is wrong with a question's answer as it stands ("" when nothing), and whether it
     has an answer at all. */
  function check(section) {
    var answered = false;
    var problem = "";
    var ranks = {};
    section.querySelectorAll("input, select").forEach(function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (!el.value.trim()) return;
      answered = true;
      if (/-value$/.test(el.name) && !isNumber(el.value)) problem = t("notANumber", "Type a number.");
      if (/-rank-[0-9]+$/.test(el.name)) ranks[el.value] = (ranks[el.value] || 0) + 1;
    });
    var repeated = Object.keys(ranks).filter(function (rank) { return ranks[rank] > 1; })
      .map(Number).sort(function (a, b) { return a - b; });
    if (repeated.length) {
      problem = (repeated.length === 1 ? t("placeRepeatedOne", "Place %(places)s is chosen twice.")
        : t("placeRepeatedMany", "Places %(places)s are chosen twice.")).replace("%(places)s", repeated.join(", "));
    }
    return {answered: answered, problem: problem};
  }

  function showCheck(section) {
    var prefix = section.dataset.prefix;
    var region = document.getElementById(prefix + "-check");
    if (!region) return null;
    var result = check(section);
    var shown = region.textContent.replace(/^\u26a0\s*/, "").trim();
    if (shown !== result.problem) {
      region.textContent = "";
      if (result.problem) {
        var p = document.createElement("p");
        p.className = "answer-problem";
        var icon = document.createElement("span");
        icon.setAttribute("aria-hidden", "true");
        icon.textContent = "\u26a0 ";
        p.appendChild(icon);
        p.appendChild(document.createTextNode(result.problem));
        region.appendChild(p);
      }
    }
    section.querySelectorAll('[aria-describedby="' + prefix + '-check"]').forEach(function (el) {
      if (result.problem) el.setAttribute("aria-invalid", "true");
      else el.removeAttribute("aria-invalid");
    });
    var cell = form.querySelector('.question-nav [data-position="' + prefix.slice(1) + '"]');
    if (cell) {
      cell.classList.toggle("problem", Boolean(result.problem));
      var note = cell.querySelector(".nav-problem");
      if (note) note.textContent = result.problem ? ", " + t("toCheck", "answer to check") : "";
    }
    return result;
  }

  var sections = Array.prototype.slice.call(form.querySelectorAll("section.question[data-prefix]"))
    .filter(function (section) { return document.getElementById(section.dataset.prefix + "-check"); });
  var waiting = {};
  sections.forEach(function (section) {
    section.addEventListener("change", function () { showCheck(section); });
    section.addEventListener("input", function (event) {
      if (event.target.type !== "text") return;
      clearTimeout(waiting[section.dataset.prefix]);
      waiting[section.dataset.prefix] = setTimeout(function () { showCheck(section); }, 600);
    });
  });

  /* ---- progress: "3 of 7 answered", from the question panel's cells -------------------- */
  var progress = document.getElementById("attempt-progress");
  var cells = form.querySelectorAll(".question-nav .nav-cells .nav-cell");
  function updateProgress() {
    var answered = form.querySelectorAll(".question-nav .nav-cells .nav-cell.answered").length;
    var text = t("progress", "%(answered)s of %(total)s answered")
      .replace("%(answered)s", answered).replace("%(total)s", cells.length);
    if (progress.textContent !== text) progress.textContent = text;
  }
  if (progress && cells.length) {
    /* attempt.js marks a cell answered when the server says so (its autosave reply). */
    var watcher = new MutationObserver(updateProgress);
    cells.forEach(function (cell) { watcher.observe(cell, {attributes: true, attributeFilter: ["class"]}); });
  }

  /* ---- forward only: Next on a question without an answer asks first ------------------ */
  var confirmBox = document.getElementById("confirm-skip");
  if (!confirmBox) return;
  var stay = confirmBox.querySelector(".confirm-skip-stay");
  form.querySelectorAll('.page-buttons button[name="nav"]').forEach(function (button) {
    button.addEventListener("click", function (event) {
      var first = null;
      sections.forEach(function (section) {
        var result = check(section);
        var item = document.getElementById(section.dataset.prefix + "-confirm");
        var missing = !result.answered || Boolean(result.problem);
        if (item) {
          item.hidden = !missing;
          item.querySelector(".confirm-reason").textContent = result.problem || t("noAnswer", "no answer yet");
        }
        if (missing && !first) first = section;
      });
      if (!first) return;
      event.preventDefault();
      stay.setAttribute("href", "#" + first.dataset.prefix);
      confirmBox.hidden = false;
      confirmBox.focus();
      confirmBox.scrollIntoView({block: "center"});
    });
  });
  stay.addEventListener("click", function (event) {
    var section = document.querySelector(stay.getAttribute("href"));
    if (!section) return;
    event.preventDefault();
    confirmBox.hidden = true;
    var field = section.querySelector("input:not([type=hidden]), select");
    section.scrollIntoView({block: "start"});
    if (field) field.focus();
  });
})();
