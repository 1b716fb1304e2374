/* Offline search for Gazetteer archives.
 *
 * Plain script, no modules, no fetch: the index is a set of script files
 * (search/{lang}/index.js, t{shard}-{block}.js, d{shard}.js) made at build
 * time, loaded with <script> tags, so search works from file:// too. A query
 * loads only the term shards of its tokens and the document shards of the
 * results it shows.
 *
 * Tokens follow src/render/search.rs: runs of Han characters become their
 * character bigrams (a lone character itself), runs of ASCII letters and
 * digits become lower-case words; full-width forms count as ASCII. Change
 * the two together.
 */
(function () {
  "use strict";

  var PAGE = 10;

  var meta = null;
  var termShards = {}; // "k-b" -> {token: postings}
  var docShards = {}; // k -> rows
  var waiting = {}; // script src -> [resolve, reject] lists

  function isHan(cp) {
    return (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
      (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x2ffff);
  }

  function normalize(cp) {
    if (cp >= 0xff01 && cp <= 0xff5e) cp -= 0xfee0;
    if (cp >= 0x41 && cp <= 0x5a) cp += 0x20;
    return cp;
  }

  function isWordChar(cp) {
    return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x61 && cp <= 0x7a);
  }

  /* The tokens of a text: [{t: token, word: bool}], in order. */
  function tokenize(text) {
    var out = [];
    var han = [];
    var word = "";
    function flushHan() {
      if (han.length === 1) out.push({ t: han[0], word: false });
      for (var i = 0; i + 1 < han.length; i++) out.push({ t: han[i] + han[i + 1], word: false });
      han = [];
    }
    function flushWord() {
      if (word) out.push({ t: word, word: true });
      word = "";
    }
    for (var i = 0; i < text.length;) {
      var cp = normalize(text.codePointAt(i));
      i += cp > 0xffff ? 2 : 1;
      if (isHan(cp)) {
        flushWord();
        han.push(String.fromCodePoint(cp));
      } else if (isWordChar(cp)) {
        flushHan();
        if (word.length < 32) word += String.fromCodePoint(cp);
      } else {
        flushHan();
        flushWord();
      }
    }
    flushHan();
    flushWord();
    return out;
  }

  function shardOf(token, shards) {
    var chars = Array.from(token);
    var c1 = chars.length > 0 ? chars[0].codePointAt(0) : 0;
    var c2 = chars.length > 1 ? chars[1].codePointAt(0) : 0;
    return (c1 * 31 + c2) % shards;
  }

  function decode(postings) {
    var ids = [];
    var last = 0;
    var parts = postings.split(",");
    for (var i = 0; i < parts.length; i++) {
      last += parseInt(parts[i], 36);
      ids.push(last);
    }
    return ids;
  }

  function load(src) {
    return new Promise(function (resolve, reject) {
      if (waiting[src] === true) return resolve();
      if (waiting[src]) return waiting[src].push([resolve, reject]);
      waiting[src] = [[resolve, reject]];
      var s = document.createElement("script");
      s.src = src;
      s.onload = function () {
        var w = waiting[src];
        waiting[src] = true;
        w.forEach(function (p) { p[0](); });
      };
      s.onerror = function () {
        var w = waiting[src];
        delete waiting[src];
        w.forEach(function (p) { p[1](new Error("cannot load " + src)); });
      };
      document.head.appendChild(s);
    });
  }

  var box, root, dir;

  function text(key, values) {
    var s = box.getAttribute("data-" + key) || "";
    for (var k in values) s = s.split("{" + k + "}").join(values[k]);
    return s;
  }

  function setStatus(s) {
    document.getElementById("search-status").textContent = s;
  }

  /* Ids of documents containing a token (a word matches by prefix). */
  function lookup(tok) {
    var k = shardOf(tok.t, meta.termShards);
    var ids = [];
    for (var b = 0; b < blocks(); b++) {
      var shard = termShards[k + "-" + b] || {};
      if (tok.word) {
        for (var key in shard) {
          if (key.lastIndexOf(tok.t, 0) === 0) ids = ids.concat(decode(shard[key]));
        }
      } else if (shard[tok.t]) {
        ids = ids.concat(decode(shard[tok.t]));
      }
    }
    return ids;
  }

  function blocks() {
    return Math.ceil(meta.docs / meta.block);
  }

  function search(query) {
    var started = performance.now();
    var toks = tokenize(query).filter(function (t) {
      return Array.from(t.t).length >= 2;
    });
    var seen = {};
    toks = toks.filter(function (t) {
      if (seen[t.t]) return false;
      seen[t.t] = true;
      return true;
    });
    if (toks.length === 0) {
      setStatus(text("short"));
      return Promise.resolve([]);
    }
    setStatus(text("loading"));
    var files = {};
    toks.forEach(function (t) {
      var k = shardOf(t.t, meta.termShards);
      for (var b = 0; b < blocks(); b++) files[dir + "t" + k + "-" + b + ".js"] = true;
    });
    return Promise.all(Object.keys(files).map(load)).then(function () {
      var count = {};
      toks.forEach(function (t) {
        var ids = lookup(t);
        var once = {};
        ids.forEach(function (id) {
          if (!once[id]) {
            once[id] = true;
            count[id] = (count[id] || 0) + 1;
          }
        });
      });
      var need = toks.length <= 2 ? toks.length : Math.ceil(toks.length * 0.6);
      var hits = Object.keys(count).map(Number).filter(function (id) {
        return count[id] >= need;
      });
      return { hits: hits, count: count, toks: toks, started: started };
    });
  }

  function docRow(id) {
    var rows = docShards[Math.floor(id / meta.docsPerShard)];
    return rows ? rows[id % meta.docsPerShard] : null;
  }

  function loadDocs(ids) {
    var files = {};
    ids.forEach(function (id) {
      files[dir + "d" + Math.floor(id / meta.docsPerShard) + ".js"] = true;
    });
    return Promise.all(Object.keys(files).map(load));
  }

  function href(path) {
    var hash = path.indexOf("#");
    var file = hash < 0 ? path + "index.html" : path.slice(0, hash) + "index.html" + path.slice(hash);
    return root + file;
  }

  /* Ranges of the text to highlight: every occurrence of a query token. */
  function ranges(lower, toks) {
    var out = [];
    toks.forEach(function (t) {
      var from = 0;
      for (var n = 0; n < 200; n++) {
        var at = lower.indexOf(t.t, from);
        if (at < 0) break;
        out.push([at, at + t.t.length]);
        from = at + t.t.length;
      }
    });
    out.sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    out.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push(r.slice());
    });
    return merged;
  }

  /* A snippet element: a window of the text around the best match. */
  function snippet(body, query, toks) {
    var lower = body.toLowerCase();
    var marks = ranges(lower, toks);
    var compact = query.toLowerCase().replace(/\s+/g, "");
    var at = lower.indexOf(compact);
    if (at < 0) {
      // Where the most distinct tokens meet within a short window.
      var best = -1;
      var bestScore = 0;
      marks.forEach(function (r) {
        var window = lower.slice(r[0], r[0] + 40);
        var score = toks.filter(function (t) { return window.indexOf(t.t) >= 0; }).length;
        if (score > bestScore) {
          bestScore = score;
          best = r[0];
        }
      });
      at = best;
    }
    var start = at < 50 ? 0 : at - 30;
    // Start a snippet of words at a word.
    var space = body.slice(start, start + 16).search(/\s/);
    if (start > 0 && /\w/.test(body.charAt(start - 1)) && space >= 0) start += space + 1;
    var end = Math.min(body.length, start + 140);
    var p = document.createElement("p");
    p.className = "snippet";
    var pos = start;
    if (start > 0) p.appendChild(document.createTextNode("…"));
    marks.forEach(function (r) {
      if (r[1] <= start || r[0] >= end) return;
      var a = Math.max(r[0], pos);
      var b = Math.min(r[1], end);
      if (a > pos) p.appendChild(document.createTextNode(body.slice(pos, a)));
      var m = document.createElement("mark");
      m.textContent = body.slice(a, b);
      p.appendChild(m);
      pos = b;
    });
    if (pos < end) p.appendChild(document.createTextNode(body.slice(pos, end)));
    if (end < body.length) p.appendChild(document.createTextNode("…"));
    return p;
  }

  function show(result, query, from) {
    var list = document.getElementById("search-results");
    var more = document.getElementById("search-more");
    var page = result.hits.slice(from, from + PAGE);
    return loadDocs(page).then(function () {
      page.forEach(function (id) {
        var row = docRow(id);
        if (!row) return;
        var li = document.createElement("li");
        li.className = "result";
        var a = document.createElement("a");
        a.href = href(row[1]);
        a.textContent = row[0];
        var h = document.createElement("h2");
        h.appendChild(a);
        li.appendChild(h);
        var where = document.createElement("p");
        where.className = "muted";
        where.textContent = text("kind-" + row[3]) + (row[2] ? " · " + row[2] : "");
        li.appendChild(where);
        li.appendChild(snippet(row[4], query, result.toks));
        list.appendChild(li);
      });
      more.hidden = from + PAGE >= result.hits.length;
      more.onclick = function () { show(result, query, from + PAGE); };
    });
  }

  function run(query) {
    search(query).then(function (result) {
      if (!result.hits) return;
      var hits = result.hits;
      // More of the query's tokens first; then ids, which come in the
      // order regions, indicators, glossary terms, articles.
      hits.sort(function (x, y) {
        return (result.count[y] - result.count[x]) || (x - y);
      });
      if (hits.length === 0) {
        setStatus(text("none", { q: query }));
        box.setAttribute("data-ms", String(Math.round(performance.now() - result.started)));
        return;
      }
      setStatus(text("count", { n: hits.length, q: query }));
      return show(result, query, 0).then(function () {
        box.setAttribute("data-ms", String(Math.round(performance.now() - result.started)));
      });
    }).catch(function (e) {
      setStatus(String(e && e.message ? e.message : e));
    });
  }

  window.gazetteerSearch = {
    init: function (m) {
      meta = m;
      box = document.getElementById("search");
      if (!box) return;
      root = box.getAttribute("data-root") || "";
      dir = root + "search/" + meta.lang + "/";
      var q = new URLSearchParams(window.location.search).get("q") || "";
      var input = document.getElementById("search-input");
      input.value = q;
      if (q.trim()) run(q.trim());
      else input.focus();
    },
    terms: function (k, b, map) {
      termShards[k + "-" + b] = map;
    },
    docs: function (k, rows) {
      docShards[k] = rows;
    },
    tokenize: tokenize,
  };
})();
