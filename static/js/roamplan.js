// Small progressive enhancements; every page works without this file.
document.addEventListener("change", (event) => {
  const select = event.target.closest(".lang-switch select, .currency-switch select");
  if (select) select.form.requestSubmit();
});

// An htmx answer swaps only the error messages beside the fields (out of band):
// mark each field red, or not, to match its message.
document.addEventListener("htmx:afterSettle", () => {
  for (const box of document.querySelectorAll(".field-errors")) {
    const field = box.closest(".field");
    if (!field) continue;
    const wrong = box.textContent.trim() !== "";
    field.classList.toggle("field-error", wrong);
    for (const input of field.querySelectorAll("input, select, textarea")) {
      if (wrong) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }
});

// htmx leaves the page as it was when a request fails (a 500, a 400, no network):
// say so in the result pane, or above what was to be updated, instead of nothing.
function showRequestFailed(event) {
  const target = document.getElementById("result") || event.detail.target;
  if (!target) return;
  let notice = document.getElementById("request-failed");
  if (!notice) {
    notice = document.createElement("div");
    notice.id = "request-failed";
    notice.className = "notice notice-bad";
    notice.setAttribute("role", "alert");
    target.prepend(notice);
  }
  notice.textContent = document.body.dataset.requestFailed;
}
for (const name of ["htmx:responseError", "htmx:sendError", "htmx:timeout"]) {
  document.addEventListener(name, showRequestFailed);
}
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.successful) document.getElementById("request-failed")?.remove();
});

// htmx takes a button that merely has the focus for the form's submitter (its
// focusin tracking, meant for "tab to a button, press space"): tabbing from the
// last field of a stop onto "Add a stop" made the change that followed post
// action=add, and the form it answered replaced the result pane, which then
// stayed empty with "Planning…" beside the buttons (issue 9); onto "Save and
// get a link", the change went to the save address. Only a submit has a
// submitter: a change posts the fields alone, to the form's own address.
document.addEventListener("htmx:configRequest", (event) => {
  const { elt, triggeringEvent, parameters } = event.detail;
  if (!(elt instanceof HTMLFormElement) || triggeringEvent?.type === "submit") return;
  for (const button of elt.querySelectorAll("button[name], input[type='submit'][name]")) {
    delete parameters[button.name];
  }
  const own = elt.getAttribute("hx-post");
  if (own) event.detail.path = own;
});
