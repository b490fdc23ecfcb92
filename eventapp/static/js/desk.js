// Registration desk: tick all rows, check an upload's size before sending it.
for (const box of document.querySelectorAll("[data-select-all]")) {
  box.addEventListener("change", () => {
    for (const row of document.querySelectorAll('input[name="ids"][form="bulk-form"]')) {
      row.checked = box.checked;
    }
  });
}

// Too large uploads are refused by the server before it reads them, and a browser
// may then show a broken connection instead of our message: say it here first.
for (const form of document.querySelectorAll("form[data-max-bytes]")) {
  const limit = Number(form.dataset.maxBytes);
  form.addEventListener("submit", (event) => {
    const input = form.querySelector('input[type="file"]');
    const file = input && input.files && input.files[0];
    if (limit && file && file.size > limit) {
      event.preventDefault();
      window.alert(form.dataset.tooLarge);
    }
  });
}

for (const form of document.querySelectorAll("form[data-bulk]")) {
  form.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.hasAttribute("formaction")) return;  // "Write to selected"
    const action = form.querySelector('select[name="action"]').value;
    if ((action === "cancel" || action === "reject")
        && !window.confirm(form.dataset.confirmDestructive)) event.preventDefault();
  });
}
