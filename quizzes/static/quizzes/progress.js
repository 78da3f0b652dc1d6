/* Live progress: fetch the progress table every few seconds and swap it in. Without
   JavaScript the page has a refresh link; with it, a button pauses and resumes the updates
   (WCAG 2.2.2). No inline script: the URL and interval come from data attributes. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  var seconds = parseInt(box.getAttribute("data-progress-seconds"), 10) || 10;
  var pauseLabel = box.getAttribute("data-pause-label");
  var resumeLabel = box.getAttribute("data-resume-label");
  var failedLabel = box.getAttribute("data-failed-label");
  var status = document.getElementById("progress-status");
  var timer = null;
  var paused = false;

  var button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = pauseLabel;
  var holder = document.getElementById("progress-controls");
  if (holder) {
    var item = document.createElement("li");
    item.appendChild(button);
    holder.appendChild(item);
  }

  function schedule() {
    if (!paused) { timer = window.setTimeout(refresh, seconds * 1000); }
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        box.innerHTML = html;
        if (status) { status.textContent = ""; }
      })
      .catch(function () {
        if (status) { status.textContent = failedLabel; }
      })
      .then(schedule);
  }

  button.addEventListener("click", function () {
    paused = !paused;
    button.textContent = paused ? resumeLabel : pauseLabel;
    if (paused) { window.clearTimeout(timer); } else { refresh(); }
  });

  schedule();
})();
