// Jingpei's own page behaviour (no third-party code): the organisation picker.
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
