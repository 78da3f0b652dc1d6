// The login slips' Print button: shown only when this script runs (without it the page says to
// use the browser's Print command), and it simply opens the browser's print dialog.
"use strict";
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
