// Small progressive enhancements; every page works without this file.
const summary = document.getElementById("error-summary");
if (summary) summary.focus();
// Lists filter on change, so a keyboard user does not need to find the button.
for (const select of document.querySelectorAll("form.filters select")) {
  select.addEventListener("change", () => select.form.requestSubmit());
}
// On a "new" form, choosing another center reloads the form so that its department, staff and
// window lists belong to that center.
const centerSelect = document.querySelector("form.form select[name=centerID]");
if (centerSelect && location.pathname.endsWith("/new")) {
  centerSelect.addEventListener("change", () => {
    location.search = "?centerID=" + encodeURIComponent(centerSelect.value);
  });
}
