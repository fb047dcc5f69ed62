// Small progressive enhancements; every page works without this file.
"use strict";

// csrfToken finds the form token of the page, for requests the scripts send.
function csrfToken() {
  const input = document.querySelector("input[name=_csrf]");
  return input ? input.value : "";
}

function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

document.addEventListener("DOMContentLoaded", () => {
  // A <select data-autosubmit> submits its form on change, so its button can hide.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    const button = select.form && select.form.querySelector("button[type=submit]");
    if (button) button.hidden = true;
    select.addEventListener("change", () => select.form.requestSubmit());
  }

  // A <textarea data-preview="ID"> shows its rendered markdown in #ID as one types.
  // The server renders it, exactly as saving would.
  for (const area of document.querySelectorAll("textarea[data-preview]")) {
    const box = document.getElementById(area.dataset.preview);
    if (!box) continue;
    const target = box.querySelector(".post-body");
    const update = debounce(async () => {
      if (area.value.trim() === "") {
        box.hidden = true;
        return;
      }
      const body = new URLSearchParams({ body: area.value });
      const resp = await fetch("/preview", {
        method: "POST",
        headers: { "X-CSRF-Token": csrfToken() },
        body,
        credentials: "same-origin",
      });
      if (!resp.ok) return;
      target.innerHTML = await resp.text(); // sanitized by the server
      box.hidden = false;
    }, 300);
    area.addEventListener("input", update);
  }

  // An <input data-tags list="ID"> suggests existing tags for the word being typed.
  for (const input of document.querySelectorAll("input[data-tags]")) {
    const list = document.getElementById(input.getAttribute("list"));
    if (!list) continue;
    const update = debounce(async () => {
      const words = input.value.split(/[,\s]+/);
      const last = words[words.length - 1];
      if (last.length < 1) return;
      const resp = await fetch("/tags/suggest?q=" + encodeURIComponent(last));
      if (!resp.ok) return;
      const names = await resp.json();
      const prefix = words.slice(0, -1).join(", ");
      list.replaceChildren(...names.map((name) => {
        const option = document.createElement("option");
        option.value = prefix ? prefix + ", " + name : name;
        return option;
      }));
    }, 150);
    input.addEventListener("input", update);
  }
});
