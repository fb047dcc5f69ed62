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

// A <form data-upload="ID"> uploads its image as soon as one is chosen and puts the
// markdown for it into textarea #ID at the cursor, instead of leaving the page.
// Its file input and button sit beside the textarea, in the post's form, and
// belong to it by their form attribute: form.elements finds them, querySelector
// would not.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-upload]")) {
    const area = document.getElementById(form.dataset.upload);
    const controls = Array.from(form.elements);
    const file = controls.find((el) => el.type === "file");
    const button = controls.find((el) => el.type === "submit");
    if (!area || !file) continue;
    if (button) button.hidden = true;
    file.addEventListener("change", async () => {
      if (!file.files.length) return;
      const body = new FormData(form);
      const resp = await fetch(form.action, {
        method: "POST",
        headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
        body,
        credentials: "same-origin",
      });
      const result = await resp.json().catch(() => ({}));
      if (!resp.ok) {
        alert(result.detail || (result.errors && result.errors.file) || resp.statusText);
        return;
      }
      const at = area.selectionStart ?? area.value.length;
      area.value = area.value.slice(0, at) + result.markdown + "\n" + area.value.slice(at);
      area.dispatchEvent(new Event("input"));
      file.value = "";
    });
  }
});

// An <input data-suggest="ID"> (the ask page's title) shows existing threads that
// may already answer the question in #ID while it is typed, from three words on.
// Once shown, the "before you post" step is not needed: the form says so.
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-suggest]")) {
    const box = document.getElementById(input.dataset.suggest);
    const confirm = input.form && input.form.querySelector("input[name=confirm]");
    const board = input.form && input.form.querySelector("select[name=board]");
    if (!box) continue;
    let last = "";
    const update = debounce(async () => {
      const text = input.value.trim();
      if (text.split(/\s+/).length < 3 || text === last) return;
      const params = new URLSearchParams({ q: text });
      if (board && board.value) params.set("board", board.value);
      const session = input.form && input.form.querySelector("input[name=ask_session]");
      if (session && session.value) params.set("s", session.value);
      const resp = await fetch("/suggest?" + params, { headers: { Accept: "text/html" } });
      if (!resp.ok) return;
      last = text;
      box.innerHTML = await resp.text(); // rendered and escaped by the server
      // Seen suggestions make the "before you post" step unnecessary, for this title.
      if (confirm) confirm.value = box.querySelector("[data-suggestion]") ? "1" : "";
    }, 150);
    input.addEventListener("input", update);
  }
});

// The review queue from the keyboard: j and k move between items, a approves
// or keeps the post in focus (dismisses a member's reports), r goes to its
// reason field to reject it. Every action stays
// a plain form without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  const items = Array.from(document.querySelectorAll(".queue-item"));
  if (items.length === 0) return;
  const hint = document.querySelector(".queue-keys");
  if (hint) hint.hidden = false;
  let current = 0;
  const focus = (i) => {
    current = Math.max(0, Math.min(items.length - 1, i));
    items[current].focus();
    items[current].scrollIntoView({ block: "nearest" });
  };
  items.forEach((item, i) => {
    item.tabIndex = -1;
    item.addEventListener("focusin", () => { current = i; });
  });
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return;
    const item = items[current];
    switch (e.key) {
      case "j": focus(current + 1); break;
      case "k": focus(current - 1); break;
      case "a": item.querySelector('form[action$="/approve"], form[action$="/dismiss"]')?.requestSubmit(); break;
      case "r": item.querySelector("input[name=reason]")?.focus(); break;
      default: return;
    }
    e.preventDefault();
  });
});

// A <textarea data-mentions> offers members' handles after an @: arrows choose,
// Enter or a click puts "@handle " in, Escape closes. Without this file,
// members type @handle themselves.
document.addEventListener("DOMContentLoaded", () => {
  for (const area of document.querySelectorAll("textarea[data-mentions]")) {
    const menu = document.createElement("ul");
    menu.className = "mention-menu";
    menu.id = area.id + "-mentions";
    menu.setAttribute("role", "listbox");
    menu.hidden = true;
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    area.after(menu, status);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", menu.id);
    let active = -1;
    let found = [];
    const word = () => /(^|[^\w@/.-])@([A-Za-z0-9][A-Za-z0-9_.-]{0,29})$/.exec(area.value.slice(0, area.selectionStart));
    const close = () => { menu.hidden = true; found = []; active = -1; area.removeAttribute("aria-activedescendant"); };
    const choose = (i) => {
      const m = word();
      if (!m || !found[i]) return close();
      const at = area.selectionStart - m[2].length;
      const insert = found[i].handle + " ";
      area.value = area.value.slice(0, at) + insert + area.value.slice(area.selectionStart);
      area.selectionStart = area.selectionEnd = at + insert.length;
      close();
      area.focus();
      area.dispatchEvent(new Event("input"));
    };
    const mark = (i) => {
      active = i;
      menu.querySelectorAll("li").forEach((li, j) => li.setAttribute("aria-selected", String(j === i)));
      if (i >= 0) area.setAttribute("aria-activedescendant", menu.id + "-" + i);
    };
    const update = debounce(async () => {
      const m = word();
      if (!m) return close();
      const resp = await fetch("/users/suggest?q=" + encodeURIComponent(m[2]), { credentials: "same-origin" });
      if (!resp.ok) return close();
      found = await resp.json();
      if (!found.length) return close();
      menu.replaceChildren(...found.map((f, i) => {
        const li = document.createElement("li");
        li.id = menu.id + "-" + i;
        li.setAttribute("role", "option");
        li.textContent = "@" + f.handle + (f.name && f.name !== f.handle ? " · " + f.name : "");
        li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(i); });
        return li;
      }));
      menu.hidden = false;
      mark(0);
      status.textContent = found.length + " @";
    }, 150);
    area.addEventListener("input", update);
    area.addEventListener("blur", () => setTimeout(close, 100));
    area.addEventListener("keydown", (e) => {
      if (menu.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); mark((active + 1) % found.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark((active - 1 + found.length) % found.length); }
      else if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
  }
});

// A .share block holds a read-only input with a thread's address, which works
// without this file: one selects and copies it. Here focusing selects it all,
// a copy button appears where the clipboard can be written, and a share
// button where the browser has a share sheet.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(".share")) {
    const input = box.querySelector(".share-url");
    const copy = box.querySelector(".share-copy");
    const share = box.querySelector(".share-native");
    const status = box.querySelector(".share-status");
    if (!input) continue;
    input.addEventListener("focus", () => input.select());
    input.addEventListener("click", () => input.select());
    if (copy && navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(input.value);
          if (status) status.textContent = box.dataset.copied || "";
        } catch {
          input.focus(); // the clipboard was refused: the address is selected to copy by hand
        }
      });
    }
    if (share && navigator.share) {
      share.hidden = false;
      share.addEventListener("click", () => {
        navigator.share({ title: document.title, url: input.value }).catch(() => {});
      });
    }
  }
});
