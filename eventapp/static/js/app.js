// Small progressive enhancements; every page works without them.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// Long country lists: a filter box above each searchable select.
for (const wrapper of document.querySelectorAll(".searchable")) {
  const select = wrapper.querySelector("select");
  if (!select) continue;
  const filter = document.createElement("input");
  filter.type = "search";
  filter.className = "select-filter";
  filter.placeholder = document.documentElement.lang === "ja" ? "国名で絞り込み" : "Type to filter";
  filter.setAttribute("aria-label", filter.placeholder);
  select.before(filter);
  filter.addEventListener("input", () => {
    const needle = filter.value.trim().toLowerCase();
    for (const option of select.options) {
      option.hidden = needle !== "" && !option.selected && !option.text.toLowerCase().includes(needle);
    }
  });
}
