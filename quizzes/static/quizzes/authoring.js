/* Rows added to a question's key with "Add another" (Django's inlines.js numbers their names
   and ids, not their values):
   - the "correct answer" radios (quizzes.admin.key_fields.RowRadio) form one group across the
     rows, each radio's value naming its row ("choices-2"): keep that value equal to the row's id;
   - a new row is numbered after the others, so it stays where the teacher added it (the server
     orders rows by their numbers when saving).
   Without JavaScript there are no such rows, and the server-rendered values are already right. */
(function () {
  "use strict";
  function rowOf(element) {
    var row = element.closest("[id]");
    while (row && !/-\d+$/.test(row.id)) { row = row.parentElement && row.parentElement.closest("[id]"); }
    return row;
  }
  function renumberRadios() {
    document.querySelectorAll("input[data-row-radio]").forEach(function (radio) {
      var row = rowOf(radio);
      if (row) { radio.value = row.id; }
    });
  }
  function numberAddedRow(row) {
    var group = row.parentElement;
    var input = row.querySelector("input[name$='-position']");
    if (!group || !input) { return; }
    var highest = 0;
    group.querySelectorAll("input[name$='-position']").forEach(function (other) {
      if (other !== input && !/__prefix__/.test(other.name)) {
        highest = Math.max(highest, parseInt(other.value, 10) || 0);
      }
    });
    input.value = String(highest + 1);
  }
  document.addEventListener("formset:added", function (event) {
    numberAddedRow(event.target);
    renumberRadios();
  });
  document.addEventListener("formset:removed", renumberRadios);
})();
