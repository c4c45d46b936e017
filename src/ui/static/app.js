// Almanac UI enhancements. Every page works without this file; it only adds comfort:
// SQL syntax highlighting and Ctrl+Enter in the editor, tidy filter URLs, column menus that
// close themselves, an inline "count all", confirmation prompts, and a progress bar for uploads.
(function () {
  "use strict";

  var KEYWORDS = ("select from where and or not null is in as on join left right inner outer cross " +
    "group by order having limit offset union all distinct case when then else end like glob " +
    "between exists asc desc with recursive insert update delete set values into create table " +
    "view index drop alter pragma explain cast collate escape natural using isnull notnull").split(" ");
  var KW = {};
  KEYWORDS.forEach(function (k) { KW[k] = true; });

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // Tokenises SQL into highlighted HTML; every token's text is escaped.
  function highlight(sql) {
    var re = /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^']|'')*'?)|("(?:[^"]|"")*"?|\[[^\]]*\]?|`[^`]*`?)|([:@$][A-Za-z_][A-Za-z0-9_]*)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)/g;
    var out = "", last = 0, m;
    while ((m = re.exec(sql)) !== null) {
      out += escapeHtml(sql.slice(last, m.index));
      var t = escapeHtml(m[0]), cls = null;
      if (m[1]) cls = "hl-com";
      else if (m[2]) cls = "hl-str";
      else if (m[3]) cls = "hl-id";
      else if (m[4]) cls = "hl-par";
      else if (m[5]) cls = "hl-num";
      else if (m[6] && KW[m[6].toLowerCase()]) cls = "hl-kw";
      out += cls ? '<span class="' + cls + '">' + t + "</span>" : t;
      last = re.lastIndex;
    }
    return out + escapeHtml(sql.slice(last)) + "\n";
  }

  function enhanceEditor(textarea) {
    var wrap = textarea.parentNode;
    if (!wrap || !wrap.classList.contains("sql-editor")) return;
    var pre = document.createElement("pre");
    pre.className = "highlight";
    pre.setAttribute("aria-hidden", "true");
    wrap.insertBefore(pre, textarea);
    wrap.classList.add("enhanced");
    function sync() {
      pre.innerHTML = highlight(textarea.value);
      pre.scrollTop = textarea.scrollTop;
    }
    function grow() {
      textarea.style.height = "auto";
      textarea.style.height = Math.min(textarea.scrollHeight + 4, 480) + "px";
      sync();
    }
    textarea.addEventListener("input", grow);
    textarea.addEventListener("scroll", sync);
    textarea.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && textarea.form) {
        ev.preventDefault();
        if (textarea.form.requestSubmit) textarea.form.requestSubmit(); else textarea.form.submit();
      }
    });
    grow();
  }

  // The filter form as Datasette's server would redirect it: col__op=value pairs.
  function filterFormUrl(form) {
    var data = new FormData(form), params = new URLSearchParams(), pending = {};
    data.forEach(function (value, key) {
      var m = /^_filter_(column|op|value)(?:_(\d+))?$/.exec(key);
      if (m) {
        var n = m[2] || "new";
        pending[n] = pending[n] || {};
        pending[n][m[1]] = value;
      } else if (key !== "_sort_by_desc" && !(key === "_sort" && value === "") &&
                 !(key === "_search" && value === "")) {
        params.append(key, value);
      }
    });
    Object.keys(pending).sort().forEach(function (n) {
      var f = pending[n], op = f.op || "exact", value = f.value || "";
      if (!f.column) return;
      var split = op.indexOf("__");
      if (split >= 0) { value = op.slice(split + 2); op = op.slice(0, split); }
      params.append(f.column + "__" + op, value);
    });
    if (data.get("_sort_by_desc") && params.get("_sort")) {
      params.set("_sort_desc", params.get("_sort"));
      params.delete("_sort");
    }
    var qs = params.toString();
    return form.getAttribute("action") + (qs ? "?" + qs : "");
  }

  function enhanceMenus() {
    var menus = document.querySelectorAll("details.col-menu, details.actions-menu");
    function closeAll(except) {
      menus.forEach(function (d) { if (d !== except) d.open = false; });
    }
    menus.forEach(function (d) {
      d.addEventListener("toggle", function () {
        if (!d.open) return;
        closeAll(d);
        var list = d.querySelector("ul.menu");
        var wrapper = d.closest(".table-wrapper");
        if (list && wrapper) {
          // Menus inside the scrolling grid float above it instead of being clipped.
          var r = d.getBoundingClientRect();
          list.classList.add("fixed");
          list.style.top = r.bottom + 2 + "px";
          list.style.left = Math.max(4, Math.min(r.left, window.innerWidth - 220)) + "px";
        }
      });
    });
    document.addEventListener("click", function (ev) {
      if (!ev.target.closest("details.col-menu, details.actions-menu")) closeAll(null);
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape") return;
      menus.forEach(function (d) {
        if (d.open) { d.open = false; d.querySelector("summary").focus(); }
      });
    });
    document.querySelectorAll(".table-wrapper").forEach(function (w) {
      w.addEventListener("scroll", function () { closeAll(null); });
    });
  }

  function enhanceCountAll() {
    document.querySelectorAll("a.count-all[data-count-url]").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        a.textContent = "counting\u2026";
        fetch(a.getAttribute("data-count-url"), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            var n = data.rows && data.rows[0] ? Object.values(data.rows[0])[0] : null;
            var span = document.createElement("span");
            span.className = "count-all";
            span.textContent = n === null ? "count failed" : Number(n).toLocaleString("en-US") + " rows in total";
            a.replaceWith(span);
          })
          .catch(function () { window.location = a.href; });
      });
    });
  }

  function formatBytes(n) {
    var units = [" bytes", " KB", " MB", " GB"], i = 0;
    while (n >= 1024 && i < 3) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + units[i];
  }

  // The words of a failed answer: the JSON error, the HTML page's alert or heading, else the
  // status.
  function answerError(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "", text = xhr.responseText || "";
    try {
      if (/json/.test(type)) return JSON.parse(text).error || "";
    } catch (e) { /* not JSON after all */ }
    if (/html/.test(type)) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var said = doc.querySelector("[role=alert], .message-error") || doc.querySelector("h1");
      if (said) return said.textContent.trim().replace(/\s+/g, " ");
    } else if (text.length < 500) {
      return text.trim();
    }
    return "";
  }

  // The upload form sent by XMLHttpRequest: a <progress> counts the bytes sent, then turns
  // indeterminate ("Importing…") while the server reads the rows; then the result page's
  // content replaces the page's, as a plain submission would show it. An error is shown above
  // the form, which keeps what was chosen.
  function enhanceUpload(form) {
    var button = form.querySelector("button[type=submit]"), main = document.querySelector("main");
    var box = document.createElement("p"), bar = document.createElement("progress");
    var words = document.createElement("span");
    box.className = "upload-progress";
    box.hidden = true;
    bar.setAttribute("aria-label", "Upload progress");
    box.append(bar, " ", words);
    form.appendChild(box);

    function alertBox() {
      var alert = form.previousElementSibling;
      return alert && alert.classList.contains("message-error") ? alert : null;
    }
    function showError(message) {
      var alert = alertBox();
      if (!alert) {
        alert = document.createElement("div");
        alert.className = "message-error";
        alert.setAttribute("role", "alert");
        form.before(alert);
      }
      alert.textContent = message;
      box.hidden = true;
      button.disabled = false;
    }
    function sent(loaded, total) {
      bar.max = total;
      bar.value = loaded;
      words.textContent = "Sent " + formatBytes(loaded) + " of " + formatBytes(total) + " (" +
        Math.floor(loaded * 100 / total) + "%)";
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (button.disabled) return;
      var limit = Number(form.dataset.maxBytes) || 0, file = form.elements.file.files[0];
      var size = (file ? file.size : 0) + new Blob([form.elements.paste.value]).size;
      if (limit && size > limit) {
        showError("The upload is larger than " + Math.floor(limit / 1048576) +
                  " MB, the most accepted here");
        return;
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "text/html");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) sent(e.loaded, e.total);
      };
      xhr.upload.onload = function (e) {
        if (e.lengthComputable) sent(e.total, e.total);
        bar.removeAttribute("value");
        words.textContent = "Importing\u2026 (" + formatBytes(e.total) +
          " sent; the server is adding the rows)";
      };
      xhr.onload = function () {
        var ok = xhr.status >= 200 && xhr.status < 300;
        var doc = ok && new DOMParser().parseFromString(xhr.responseText, "text/html");
        var answer = doc && doc.querySelector("main");
        if (answer) {
          main.replaceChildren.apply(main, Array.from(answer.childNodes, function (n) {
            return document.importNode(n, true);
          }));
          document.title = doc.title;
        } else if (ok) {
          words.textContent = "Uploaded";
        } else {
          showError(answerError(xhr) ||
                    "The upload failed: the server answered " + xhr.status + " " + xhr.statusText);
        }
      };
      xhr.onerror = function () {
        showError("The upload did not reach the server, or its answer was lost: check the " +
                  "connection and try again");
      };
      if (alertBox()) alertBox().remove();
      bar.max = 1;
      bar.value = 0;
      words.textContent = "Sending\u2026";
      box.hidden = false;
      button.disabled = true;
      xhr.send(new FormData(form));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var editor = document.getElementById("sql-editor");
    if (editor && editor.tagName === "TEXTAREA") enhanceEditor(editor);
    var filters = document.querySelector("form.filters");
    if (filters) {
      filters.addEventListener("submit", function (ev) {
        ev.preventDefault();
        window.location = filterFormUrl(filters);
      });
    }
    enhanceMenus();
    enhanceCountAll();
    var upload = document.querySelector("form.upload[enctype='multipart/form-data']");
    if (upload && window.FormData && upload.elements.file && upload.elements.paste) {
      enhanceUpload(upload);
    }
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.getAttribute("data-confirm"))) ev.preventDefault();
      });
    });
  });
})();
