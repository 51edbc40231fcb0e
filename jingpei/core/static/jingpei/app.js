// Jingpei's own page behaviour (no third-party code): the organisation picker, and forms sent once.
// A picker is <div class="jp-picker"> with a hidden input, a text input that searches with htmx,
// and a result list whose items carry data-pick-id / data-pick-label.
document.addEventListener("click", function (event) {
  var item = event.target.closest("[data-pick-id]");
  if (!item) return;
  var picker = item.closest(".jp-picker");
  if (!picker) return;
  event.preventDefault();
  picker.querySelector("input[type=hidden]").value = item.dataset.pickId;
  var text = picker.querySelector("input[type=search]");
  text.value = item.dataset.pickLabel;
  picker.querySelector(".jp-picker-results").innerHTML = "";
  picker.classList.add("jp-picked");
});

// A form sent is not sent twice by an impatient second click (a district's archive, an import's commit).
// The buttons are disabled after the submit event, so the clicked button's own name/value still goes
// with the form; they come back after a while (a download leaves the page where it is) or on going back.
var BUSY_MS = 8000;
function releaseBusy(root) {
  root.querySelectorAll("[data-jp-busy]").forEach(function (b) { b.disabled = false; b.removeAttribute("data-jp-busy"); });
}
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post" || form.hasAttribute("hx-post")) return;
  var buttons = form.querySelectorAll("button:not([type=button]):not([disabled]), input[type=submit]:not([disabled])");
  setTimeout(function () {
    buttons.forEach(function (b) { b.disabled = true; b.setAttribute("data-jp-busy", ""); });
    setTimeout(function () { releaseBusy(form); }, BUSY_MS);
  }, 0);
});
window.addEventListener("pageshow", function () { releaseBusy(document); });

// A [data-close-details] button closes the <details> it sits in (a row's form shown as a sheet on a phone).
document.addEventListener("click", function (event) {
  var details = event.target.closest("[data-close-details]") && event.target.closest("details");
  if (details) details.open = false;
});

// A [data-print] button prints the page (the menus are left out by app.css's print rules).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});

// A button with data-confirm asks before its form goes (停用账号, 结业, 归档 …). The question is an
// attribute, escaped by the template like any other, not JavaScript inside an onclick attribute (where a
// translation with an apostrophe broke the script and the button went through unasked).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
});

// A table wider than a phone scrolls inside .table-responsive; keyboard users reach it only if it can
// take focus (WCAG 2.1.1). Done here for every such table, and again after htmx swaps content in.
function focusableTables(root) {
  root.querySelectorAll(".table-responsive:not([tabindex])").forEach(function (t) {
    t.setAttribute("tabindex", "0");
    if (!t.hasAttribute("aria-label")) {
      var box = t.closest("section, .card");
      var caption = t.querySelector("caption") || (box && box.querySelector("h1, h2, h3, h4, h5, h6, .card-header"));
      if (caption) t.setAttribute("aria-label", caption.textContent.trim());
    }
  });
}
document.addEventListener("DOMContentLoaded", function () { focusableTables(document); });
document.addEventListener("htmx:afterSwap", function (event) { focusableTables(event.target); });

// A Django formset's "添加一行": the button names the formset's prefix; the row is cloned from the
// <template id="PREFIX-empty"> Django rendered (its __prefix__ numbered) and TOTAL_FORMS counts it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-formset-add]");
  if (!button) return;
  var prefix = button.getAttribute("data-formset-add");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var template = document.getElementById(prefix + "-empty");
  var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
  var n = parseInt(total.value, 10);
  if (max && n >= parseInt(max.value, 10)) return;
  var html = template.innerHTML.replace(/__prefix__/g, String(n));
  document.getElementById(prefix + "-rows").insertAdjacentHTML("beforeend", html);
  total.value = String(n + 1);
});

// Fields that apply to some values of a select only (a question's choices, for single and multiple
// choice): a block marked data-shown-for="a b" inside a [data-switch-row] shows while the row's
// [data-switch] select holds one of those values. Without script every field simply shows.
function switchRow(row) {
  var select = row.querySelector("[data-switch]");
  if (!select) return;
  row.querySelectorAll("[data-shown-for]").forEach(function (block) {
    block.hidden = block.getAttribute("data-shown-for").split(" ").indexOf(select.value) < 0;
  });
}
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-switch]")) switchRow(event.target.closest("[data-switch-row]"));
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-switch-row]").forEach(switchRow);
});

// A questionnaire's display conditions (显示条件): a question marked data-shown-if-q="ID" data-shown-if="0 2"
// shows while question ID shows and one of those choices is ticked there. A hidden question is disabled, so
// nothing of it is sent (the server drops such answers anyway and never requires them). Questions are
// walked in order, so a condition on a hidden question hides its own dependants too. Without script every
// question shows, each with its condition written under it.
function applyConditions(form) {
  form.querySelectorAll("[data-shown-if-q]").forEach(function (question) {
    var source = form.querySelector('[data-question="' + question.getAttribute("data-shown-if-q") + '"]');
    var wanted = question.getAttribute("data-shown-if").split(" ");
    var shown = !!source && !source.hidden && Array.prototype.some.call(
      source.querySelectorAll("input:checked"), function (input) { return wanted.indexOf(input.value) >= 0; });
    question.hidden = !shown;
    if (!question.hasAttribute("data-readonly")) question.disabled = !shown;
  });
}
document.addEventListener("change", function (event) {
  var form = event.target.closest("[data-conditions]");
  if (form) applyConditions(form);
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-conditions]").forEach(applyConditions);
});

// The questionnaire editor numbers its rows as the survey will (第 N 题: rows marked for deletion left out),
// and each row's display condition, "仅当这道题", lists the choice questions above it as they now stand. An
// option's value is the row's form index, which adding or deleting rows never changes; a condition whose
// question was deleted or is no longer a choice question keeps its value, marked, and the server says so.
function refreshConditionSources(container) {
  var label = container.getAttribute("data-source-label");
  var earlier = [], number = 0;
  container.querySelectorAll(".jp-question-row").forEach(function (row) {
    var kind = row.querySelector("select[name$='-kind']");
    var index = kind.name.split("-")[1];
    var select = row.querySelector("select[name$='-show_if_q']");
    var current = select.value;
    while (select.options.length > 1) select.remove(1);  // the first: (总是显示)
    earlier.forEach(function (o) { select.add(new Option(o.label, o.value)); });
    if (current && !earlier.some(function (o) { return o.value === current; })) {
      select.add(new Option("⚠ " + label.replace("{n}", "?"), current));
    }
    select.value = current;
    if (row.querySelector("input[name$='-DELETE']:checked")) return;
    number += 1;
    row.querySelector(".jp-question-number span").textContent = number;
    if (kind.value === "single" || kind.value === "multiple") {
      var text = row.querySelector("input[name$='-text']").value.trim();
      earlier.push({value: index, label: label.replace("{n}", number) + (text ? "：" + text.slice(0, 24) : "")});
    }
  });
}
["change", "input"].forEach(function (type) {
  document.addEventListener(type, function (event) {
    var container = event.target.closest("[data-condition-sources]");
    if (container && !event.target.matches("select[name$='-show_if_q']")) refreshConditionSources(container);
  });
});
document.addEventListener("click", function (event) {
  if (!event.target.closest("[data-formset-add]")) return;
  document.querySelectorAll("[data-condition-sources]").forEach(refreshConditionSources);
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-condition-sources]").forEach(refreshConditionSources);
});
