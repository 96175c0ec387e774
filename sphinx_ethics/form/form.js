// sphinx-ethics answer form: counts progress, downloads an answers YAML file,
// and keeps the answers in this browser only when the person ticks "Keep my
// answers on this computer" (under this form's own key). No network, no
// framework; text is only ever set with .value and .textContent, never parsed
// as HTML.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("form-config").textContent);
  var LABELS = {"not-applicable": "Why it does not apply to "};

  // ---------------------------------------------------------------- YAML

  // Characters YAML may hold as written inside a quoted or block scalar
  // (printable, and not a YAML 1.1 line break such as U+2028 or U+0085).
  function printable(c) {
    return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff && c !== 0x2028 && c !== 0x2029)
      || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff) || (c >= 0x10000 && c <= 0x10ffff);
  }

  function hex(c, width) {
    var text = c.toString(16).toUpperCase();
    while (text.length < width) text = "0" + text;
    return text;
  }

  // A lone surrogate cannot be written as UTF-8: it becomes U+FFFD.
  function wellFormed(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i), d = text.charCodeAt(i + 1);
      if (c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        out += text[i] + text[i + 1];
        i += 1;
      } else {
        out += c >= 0xd800 && c <= 0xdfff ? "\uFFFD" : text[i];
      }
    }
    return out;
  }

  // A YAML double-quoted scalar: valid for any text, every doubtful character escaped.
  function quoted(text) {
    var out = "\"";
    var escapes = {"\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"};
    Array.from(wellFormed(text)).forEach(function (ch) {
      var c = ch.codePointAt(0);
      if (escapes[ch]) out += escapes[ch];
      else if (printable(c)) out += ch;
      else if (c <= 0xff) out += "\\x" + hex(c, 2);
      else if (c <= 0xffff) out += "\\u" + hex(c, 4);
      else out += "\\U" + hex(c, 8);
    });
    return out + "\"";
  }

  // A literal block scalar reads best; it is used only for text it keeps exactly:
  // printable lines without trailing spaces, starting with a visible character.
  function blockSafe(text) {
    if (!/^[^\s]/.test(text)) return false;
    return Array.from(text).every(function (ch) {
      return ch === "\n" || printable(ch.codePointAt(0));
    }) && !/[ ](\n|$)/.test(text);
  }

  function scalar(text, indent) {
    text = wellFormed(text);
    if (!blockSafe(text)) return " " + quoted(text);
    var body = text.replace(/\n+$/, "");
    var trailing = text.length - body.length;
    var chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
    var lines = body.split("\n").map(function (line) { return line ? indent + line : ""; });
    for (var i = 1; i < trailing; i++) lines.push("");
    return " |" + chomp + "\n" + lines.join("\n");
  }

  function key(id) {
    var plain = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(id)
      && !/^(y|n|yes|no|true|false|on|off|null)$/i.test(id);
    return plain ? id : quoted(id);
  }

  var CHOICES = ["yes", "no", "unsure"];

  // entries: [{id, state, text, choice, by}] -> an answers file for ethics-review
  // :answers:. Every entry says "format: text" (shown as typed, never parsed as
  // markup) and a screening choice is "answer:"; "by" (who answered, when the
  // person said) goes beside each entry, always quoted. Empty answers (no text,
  // no choice) are left out; a "does not apply" without a reason is kept (the
  // build then says that it needs one).
  function toYaml(entries, header, by) {
    var out = (header || []).map(function (line) { return "# " + line; });
    entries.forEach(function (entry) {
      var empty = !entry.text.trim(), choice = CHOICES.indexOf(entry.choice) >= 0 ? entry.choice : "";
      if (empty && !choice && entry.state !== "not-applicable") return;
      out.push(key(entry.id) + ":");
      if (entry.state !== "answered") out.push("  status: " + entry.state);
      if (choice) out.push("  answer: " + choice);
      out.push("  format: text");
      var who = entry.by === undefined ? by : entry.by;
      if (who) out.push("  by: " + quoted(who));
      if (!empty) out.push("  text:" + scalar(entry.text, "    "));
      else if (!choice) out.push("  text: \"\"");
    });
    return out.join("\n") + "\n";
  }

  // ---------------------------------------------------------------- the form

  function box(id) { return document.getElementById("a-" + id); }

  var STATES = ["answered", "not-applicable", "draft"];

  function radios(id) { return Array.prototype.slice.call(document.getElementsByName("state-" + id)); }

  function stateOf(id) {
    var checked = radios(id).filter(function (radio) { return radio.checked; })[0];
    return checked ? checked.value : "answered";
  }

  function setState(id, state) {
    radios(id).forEach(function (radio) { radio.checked = radio.value === state; });
  }

  function block(id) { return box(id).closest(".answer"); }

  function choiceRadios(id) {
    return Array.prototype.slice.call(document.getElementsByName("choice-" + id));
  }

  function choiceOf(id) {
    var checked = choiceRadios(id).filter(function (radio) { return radio.checked; })[0];
    return checked ? checked.value : "";
  }

  function setChoice(id, choice) {
    choiceRadios(id).forEach(function (radio) { radio.checked = radio.value === choice; });
  }

  // "J. Okafor (family carer)": the name and role typed (optional, one line each).
  var WHO_LIMITS = {"who-name": 60, "who-role": 36};

  function whoField(id) {
    var field = document.getElementById(id);
    return field ? field.value.split(/\s+/).join(" ").trim().slice(0, WHO_LIMITS[id]) : "";
  }

  function answeredBy() {
    var name = whoField("who-name"), role = whoField("who-role");
    if (name && role) return name + " (" + role + ")";
    return name || role;
  }

  function setWho(who) {
    ["who-name", "who-role"].forEach(function (id) {
      var value = who && typeof who[id] === "string" ? who[id] : "";
      document.getElementById(id).value = value.slice(0, WHO_LIMITS[id]);
    });
  }

  function entries() {
    return config.boxes.map(function (id) {
      return {id: id, state: stateOf(id), text: box(id).value, choice: choiceOf(id)};
    });
  }

  // Not as the form came: typed, or a state or choice other than the pre-filled one.
  function changed(entry) {
    var initial = function (list) {
      var found = list.filter(function (radio) { return radio.defaultChecked; })[0];
      return found ? found.value : "";
    };
    return entry.text !== box(entry.id).defaultValue
      || entry.state !== (initial(radios(entry.id)) || "answered")
      || entry.choice !== initial(choiceRadios(entry.id));
  }

  // As the build reads a screening answer (slots.screening_choice).
  function chosen(entry) {
    if (entry.choice) return entry.choice;
    var word = entry.text.trim().replace(/[.!]+$/, "").toLowerCase();
    return entry.text.trim().split(/\s+/).length === 1 && CHOICES.indexOf(word) >= 0 ? word : "";
  }

  function screening(entry) { return (config.choices || []).indexOf(entry.id) >= 0; }

  // As the build classifies an answer (slots.classify_answer, classify_slots).
  function counts(entry) {
    var text = entry.text.split(/\s+/).join(" ").trim();
    if (screening(entry) && entry.state === "answered") return Boolean(chosen(entry));
    if (!text) return false;
    if (entry.state === "not-applicable") return true;
    if (entry.state === "draft" || !/[\p{L}\p{N}]/u.test(text)) return false;
    var key = text.toLowerCase().replace(/[.!:\u2026]+$/, "").trim();
    return config.placeholders.indexOf(key) < 0;
  }

  function slotStatus(entry) {
    if (counts(entry)) return entry.state === "not-applicable" ? "Does not apply (reason given)" : "Answered";
    if (entry.state === "not-applicable") return "Does not apply: say why in the box";
    if (entry.state === "draft" && (entry.text.trim() || entry.choice)) return "Draft: not counted yet";
    if (screening(entry) && !chosen(entry)) return "Not yet answered: choose yes, no or unsure";
    return entry.text.trim() ? "Not counted: write a full answer" : "Not yet answered";
  }

  function refresh() {
    var done = 0;
    entries().forEach(function (entry) {
      var answered = counts(entry);
      if (answered && config.slots.indexOf(entry.id) >= 0) done += 1;
      var slot = block(entry.id), label = slot.querySelector(".box-label");
      slot.querySelector(".slot-status").textContent = slotStatus(entry);
      slot.classList.toggle("done", answered);
      label.textContent = label.dataset.text.replace(
        "Your answer to ", LABELS[entry.state] || "Your answer to ");
      slot.querySelector(".print-answer").textContent = entry.text;
    });
    var progress = done + " of " + config.slots.length + " required questions answered";
    var line = document.getElementById("progress");
    if (line.textContent !== progress) line.textContent = progress;
  }

  // ---------------------------------------------------------------- storage

  // Only with the person's consent ("Keep my answers on this computer"), under
  // this generated form's own key: another form never reads or overwrites them.
  var WHERE = {
    off: "Your answers are only in this page: they are gone when you close it, unless "
      + "you download them or tick the box above.",
    on: "Your answers are kept in this browser on this computer (its local storage, for "
      + "this form only) until you press Clear my answers or untick the box. Anyone who "
      + "uses this computer account, and other pages opened from files on it, could read "
      + "them.",
    none: "This browser cannot keep your answers: download them before you close the page."
  };

  function storage() {
    try { return window.localStorage; } catch (error) { return null; }
  }

  function keeping() { return document.getElementById("keep").checked; }

  function tell(where) { document.getElementById("kept").textContent = WHERE[where]; }

  function save() {
    if (!keeping()) return;
    var store = storage(), saved = document.getElementById("saved");
    var data = {saved: new Date().toISOString(), answers: {},
      who: {"who-name": whoField("who-name"), "who-role": whoField("who-role")}};
    entries().forEach(function (entry) {
      data.answers[entry.id] = {state: entry.state, text: entry.text, choice: entry.choice};
    });
    try {
      store.setItem(config.storageKey, JSON.stringify(data));
      saved.textContent = "Saved in this browser at " + new Date().toLocaleTimeString() + ".";
    } catch (error) {
      tell("none");
      saved.textContent = "";
    }
  }

  function removeStored() {
    try { storage().removeItem(config.storageKey); } catch (error) { /* nothing kept */ }
  }

  function restore() {
    var store = storage(), data = null;
    try { data = JSON.parse(store.getItem(config.storageKey)); } catch (error) { data = null; }
    if (!data || typeof data.answers !== "object" || data.answers === null) return;
    document.getElementById("keep").checked = true;  // kept before: the person opted in
    tell("on");
    setWho(data.who);
    config.boxes.forEach(function (id) {
      var answer = data.answers[id];
      if (!answer || typeof answer.text !== "string") return;
      box(id).value = answer.text;
      setState(id, STATES.indexOf(answer.state) >= 0 ? answer.state : "answered");
      setChoice(id, CHOICES.indexOf(answer.choice) >= 0 ? answer.choice : "");
    });
    document.getElementById("saved").textContent = "Answers restored from this browser (saved "
      + new Date(data.saved).toLocaleString() + ").";
  }

  function keepChanged() {
    if (keeping()) {
      tell("on");
      save();
    } else {
      removeStored();
      tell("off");
      document.getElementById("saved").textContent = "Your answers are no longer kept in this browser.";
    }
  }

  // ---------------------------------------------------------------- buttons

  function download() {
    // The name goes only beside answers this person gave or changed: an answer the
    // form came with (pre-filled by the team) is never attributed to them.
    var who = answeredBy();
    var list = entries().map(function (entry) {
      entry.by = changed(entry) ? who : "";
      return entry;
    });
    var header = config.header.concat(["Downloaded " + new Date().toISOString()]);
    var text = toYaml(list, header);
    var blob = new Blob([text], {type: "application/x-yaml;charset=utf-8"});
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = config.fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
    var kept = list.filter(function (e) { return e.text.trim() || e.state === "not-applicable"; });
    document.getElementById("result").textContent = "Downloaded " + config.fileName + " with "
      + kept.length + (kept.length === 1 ? " answer" : " answers") + ". Send this file to the team.";
  }

  function forget() {
    if (!window.confirm("Clear your answers from this page and this browser, and start again?")) return;
    removeStored();
    document.getElementById("keep").checked = false;
    tell("off");
    setWho(null);
    config.boxes.forEach(function (id) {
      box(id).value = box(id).defaultValue;  // as the form came (pre-filled or empty)
      radios(id).concat(choiceRadios(id)).forEach(function (radio) {
        radio.checked = radio.defaultChecked;
      });
    });
    refresh();
    document.getElementById("saved").textContent = "Your answers were cleared from this page and this browser.";
  }

  function start() {
    document.documentElement.classList.add("js");
    config.boxes.forEach(function (id) {
      var slot = block(id), label = slot.querySelector(".box-label");
      label.dataset.text = label.textContent;
      var mirror = document.createElement("div");
      mirror.className = "print-answer";
      slot.insertBefore(mirror, slot.querySelector(".state"));
    });
    if (!storage()) {
      document.getElementById("keep").disabled = true;
      tell("none");
    }
    restore();
    // Saved at once on every keystroke and choice (never debounced), and again
    // when the page is left, so a reload never loses the last word typed.
    document.getElementById("questions").addEventListener("input", function () { refresh(); save(); });
    document.getElementById("questions").addEventListener("change", function () { refresh(); save(); });
    document.getElementById("keep").addEventListener("change", keepChanged);
    ["who-name", "who-role"].forEach(function (id) {
      document.getElementById(id).addEventListener("input", save);
    });
    window.addEventListener("pagehide", save);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") save();
    });
    document.getElementById("download").addEventListener("click", download);
    document.getElementById("print").addEventListener("click", function () { window.print(); });
    document.getElementById("forget").addEventListener("click", forget);
    Array.prototype.forEach.call(document.querySelectorAll("[data-enhanced]"), function (el) {
      el.hidden = false;
    });
    refresh();
  }

  window.sphinxEthicsForm = {toYaml: toYaml, entries: entries, storageKey: config.storageKey,
    answeredBy: answeredBy};
  start();
}());
