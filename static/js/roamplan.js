// Small progressive enhancements; every page works without this file.
document.addEventListener("change", (event) => {
  const select = event.target.closest(".lang-switch select, .currency-switch select");
  if (select) select.form.requestSubmit();
});
