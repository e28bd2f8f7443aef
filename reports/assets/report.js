// bt report: draws every panel of the embedded data block with uPlot, with a shared cursor
// and linked zoom on the time axis. Each chart container gets data-drawn="1" once drawn.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('bt-data').textContent);
  // The data block is compact (reports/chartjson.go): times as differences ("dx"), sparse
  // series as index differences and values ("at", "v"), a band as its one value. Expand them:
  // p.x the times, s.y one value per time (null where none).
  data.panels.forEach(function (p) {
    var x = new Array(p.dx.length), c = 0;
    for (var i = 0; i < p.dx.length; i++) { c += p.dx[i]; x[i] = c; }
    p.x = x;
    p.series.forEach(function (s) {
      if (s.y) return;
      var y = new Array(x.length).fill(s.kind === 'band' && s.v.length ? s.v[0] : null);
      if (s.at) for (var k = 0, at = 0; k < s.at.length; k++) { at += s.at[k]; y[at] = s.v[k]; }
      s.y = y;
    });
  });
  var utc = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); };
  var nf2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function fmt(unit, v) {
    if (v == null || isNaN(v)) return '—';
    switch (unit) {
      case 'money': return nf2.format(v);
      case 'pct': return (v * 100).toFixed(2) + ' %';
      case 'ratio': return v.toFixed(3);
      default: return v.toPrecision(7);
    }
  }

  var markerSize = { liq: 11, entry: 8, exit: 8, near: 9 };
  var markerFill = { liq: '#dc2626', entry: '#ffffff', exit: null, near: '#fde68a' };

  // 24-hour UTC tick labels: [step (s), label, new year, -, new day, -, -, -, mode]
  var H = 3600, D = 86400;
  var timeStamps = [
    [365 * D, '{YYYY}', null, null, null, null, null, null, 1],
    [28 * D, '{MMM}', '\n{YYYY}', null, null, null, null, null, 1],
    [D, '{MM}-{DD}', '\n{YYYY}', null, null, null, null, null, 1],
    [H, '{HH}:{mm}', '\n{YYYY}-{MM}-{DD}', null, '\n{MM}-{DD}', null, null, null, 1],
    [60, '{HH}:{mm}', '\n{YYYY}-{MM}-{DD}', null, '\n{MM}-{DD}', null, null, null, 1],
    [1, '{HH}:{mm}:{ss}', '\n{YYYY}-{MM}-{DD}', null, '\n{MM}-{DD}', null, null, null, 1],
  ];

  // markerPaths draws a series' points as glyphs of one shape (one shape per account), so that
  // the accounts' markers differ in shape as well as in colour.
  function markerPaths(shape, size) {
    return function (u, si, i0, i1) {
      var xs = u.data[0], ys = u.data[si], sc = u.series[si].scale, p = new Path2D();
      var r = size * uPlot.pxRatio / 2;
      for (var i = i0; i <= i1; i++) {
        if (ys[i] == null) continue;
        var x = u.valToPos(xs[i], 'x', true), y = u.valToPos(ys[i], sc, true);
        switch (shape) {
          case 'triangle': p.moveTo(x, y - r); p.lineTo(x + r, y + r * 0.8); p.lineTo(x - r, y + r * 0.8); p.closePath(); break;
          case 'square': p.rect(x - r * 0.8, y - r * 0.8, r * 1.6, r * 1.6); break;
          case 'diamond': p.moveTo(x, y - r); p.lineTo(x + r, y); p.lineTo(x, y + r); p.lineTo(x - r, y); p.closePath(); break;
          default: p.moveTo(x + r * 0.8, y); p.arc(x, y, r * 0.8, 0, 2 * Math.PI);
        }
      }
      return { stroke: p, fill: p };
    };
  }

  var charts = [];
  var syncing = false;
  var zoomX = null; // the time window every chart shows (null: each its own full range)

  function linkZoom(u, key) {
    if (key !== 'x' || syncing) return;
    syncing = true;
    var min = u.scales.x.min, max = u.scales.x.max;
    zoomX = { min: min, max: max };
    charts.forEach(function (o) {
      if (o !== u) o.setScale('x', { min: min, max: max });
    });
    syncing = false;
  }

  // The per-account panels of one kind (equity-*, drawdown-*, margin-*) share one y range, the
  // extremes of all of them within the shown time window, so that their heights compare.
  var groups = {};
  function groupOf(p) { var m = /^(equity|drawdown|margin)-/.exec(p.id); return m ? m[1] : null; }
  data.panels.forEach(function (p) { var g = groupOf(p); if (g) (groups[g] = groups[g] || []).push(p); });
  function groupRange(g) {
    return function (u, dmin, dmax) {
      var xs = u.data[0], ix = u.series[0].idxs, lo = Infinity, hi = -Infinity;
      var x0 = ix && xs.length ? xs[ix[0]] : -Infinity, x1 = ix && xs.length ? xs[ix[1]] : Infinity;
      groups[g].forEach(function (p) {
        p.series.forEach(function (s) {
          for (var i = 0; i < p.x.length; i++) {
            var v = s.y[i];
            if (v == null || p.x[i] < x0 || p.x[i] > x1) continue;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
        });
      });
      if (!isFinite(lo)) { lo = dmin; hi = dmax; }
      if (lo == null || hi == null) return [0, 1];
      return uPlot.rangeNum(lo, hi, 0.1, true);
    };
  }

  // holdLP turns an "lp" series (a liquidation price at each ledger event, 0 where the position
  // closed, null elsewhere) into the step line drawn: each value held until the next event.
  function holdLP(y) {
    var out = new Array(y.length), cur = null;
    for (var i = 0; i < y.length; i++) {
      if (y[i] != null) cur = y[i] === 0 ? null : y[i];
      out[i] = cur;
    }
    return out;
  }

  // stepPaths draws a held series as steps: each value runs right until the next point, where
  // the line turns vertically to the new value; a run ends at the point where the series
  // becomes null (the position's close), never joined across a gap.
  function stepPaths(u, si, i0, i1) {
    var xs = u.data[0], ys = u.data[si], sc = u.series[si].scale, p = new Path2D(), prev = null;
    i0 = Math.max(0, i0 - 1); i1 = Math.min(xs.length - 1, i1 + 1);
    for (var i = i0; i <= i1; i++) {
      var x = u.valToPos(xs[i], 'x', true);
      if (ys[i] == null) {
        if (prev != null) p.lineTo(x, prev);
        prev = null;
        continue;
      }
      var y = u.valToPos(ys[i], sc, true);
      if (prev == null) p.moveTo(x, y); else { p.lineTo(x, prev); p.lineTo(x, y); }
      prev = y;
    }
    return { stroke: p };
  }

  var candleKinds = { open: 1, high: 1, low: 1, close: 1 };
  // candleIdx returns the uPlot series indices (1-based) of a panel's open, high, low, close, or
  // null when it has no candles.
  function candleIdx(p) {
    var k = {};
    p.series.forEach(function (s, i) { if (candleKinds[s.kind]) k[s.kind] = i + 1; });
    return k.open ? k : null;
  }

  // drawCandles draws OHLC candlesticks under the series (a drawAxes hook): a wick from low to
  // high, a body from open to close (green up, red down), each candle spanning [x, x + step).
  function drawCandles(p, k) {
    return function (u) {
      var ctx = u.ctx, xs = u.data[0], o = u.data[k.open], h = u.data[k.high], l = u.data[k.low], c = u.data[k.close];
      var i0 = u.series[0].idxs ? u.series[0].idxs[0] : 0, i1 = u.series[0].idxs ? u.series[0].idxs[1] : xs.length - 1;
      var step = p.step || 0, pr = uPlot.pxRatio, b = u.bbox;
      ctx.save();
      ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
      for (var i = Math.max(0, i0 - 1); i <= i1; i++) {
        if (o[i] == null) continue;
        var xa = u.valToPos(xs[i], 'x', true), xb = step ? u.valToPos(xs[i] + step, 'x', true) : xa + 3 * pr;
        var cx = (xa + xb) / 2, bw = Math.max(pr, (xb - xa) * 0.7);
        var yo = u.valToPos(o[i], 'y', true), yc = u.valToPos(c[i], 'y', true);
        var yh = u.valToPos(h[i], 'y', true), yl = u.valToPos(l[i], 'y', true);
        var up = c[i] >= o[i], col = up ? '#16a34a' : '#dc2626';
        ctx.strokeStyle = col; ctx.fillStyle = col; ctx.lineWidth = pr;
        ctx.beginPath(); ctx.moveTo(Math.round(cx) + 0.5, yh); ctx.lineTo(Math.round(cx) + 0.5, yl); ctx.stroke();
        ctx.fillRect(cx - bw / 2, Math.min(yo, yc), bw, Math.max(pr, Math.abs(yc - yo)));
      }
      ctx.restore();
      u.root.parentNode.setAttribute('data-candles', String(Math.max(0, i1 - i0 + 1)));
    };
  }

  // priceRange: a price panel's y range is its candles' (and markers') extremes within the shown
  // window; liquidation-price lines widen it by at most a quarter of that range (a line further
  // away is clipped; the legend still reads it).
  function priceRange(p) {
    return function (u, dmin, dmax) {
      var xs = u.data[0], ix = u.series[0].idxs, lo = Infinity, hi = -Infinity, llo = Infinity, lhi = -Infinity;
      var i0 = ix ? ix[0] : 0, i1 = ix ? ix[1] : xs.length - 1;
      for (var si = 1; si < u.data.length; si++) {
        var kind = p.series[si - 1].kind, y = u.data[si];
        for (var i = i0; i <= i1; i++) {
          var v = y[i];
          if (v == null) continue;
          if (kind === 'lp') { if (v < llo) llo = v; if (v > lhi) lhi = v; continue; }
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      if (!isFinite(lo)) { lo = dmin; hi = dmax; }
      if (lo == null || hi == null) return [0, 1];
      var pad = (hi - lo) * 0.25 || Math.abs(hi) * 0.05 || 1;
      if (isFinite(llo)) { lo = Math.min(lo, Math.max(llo, lo - pad)); hi = Math.max(hi, Math.min(lhi, hi + pad)); }
      return uPlot.rangeNum(lo, hi, 0.05, true);
    };
  }

  function build(p, el) {
    var series = [{ value: function (u, v) { return v == null ? '—' : new Date(v * 1e3).toISOString().slice(0, 16).replace('T', ' '); } }];
    var ck = candleIdx(p);
    p.series.forEach(function (s) {
      var o = { label: s.label, stroke: s.color, width: 1.5, spanGaps: true,
        value: function (u, v) { return fmt(p.unit, v); } };
      if (candleKinds[s.kind]) {
        o.paths = function () { return null; };
        o.points = { show: false };
        o.label = s.kind; // the symbol is in the caption
      } else if (s.kind === 'lp') {
        o.paths = stepPaths;
        o.spanGaps = false;
        o.dash = [4, 3];
        o.width = 1.5;
        o.points = { show: false };
      } else if (s.kind === 'risk') {
        o.spanGaps = false; // a gap while the position is flat
        o.points = { show: false };
      } else if (s.kind === 'band') {
        o.dash = [6, 4]; o.width = 1; o.points = { show: false };
        o.value = function () { return s.label; };
      } else if (s.kind !== 'line') {
        o.spanGaps = false;
        if (s.shape) {
          o.paths = markerPaths(s.shape, markerSize[s.kind] || 8);
          o.points = { show: false };
          o.stroke = s.kind === 'liq' ? '#7f1d1d' : s.color;
          o.fill = s.kind === 'liq' ? s.color : (markerFill[s.kind] || s.color);
          o.width = s.kind === 'liq' ? 2 : 1.5;
        } else {
          o.paths = function () { return null; };
          o.points = { show: true, size: markerSize[s.kind] || 8, stroke: s.kind === 'liq' ? '#7f1d1d' : s.color,
            fill: markerFill[s.kind] || s.color, width: 2 };
        }
      } else {
        o.points = { show: false };
      }
      series.push(o);
    });
    var yfmt = function (u, vals) { return vals.map(function (v) { return p.unit === 'pct' ? (v * 100).toFixed(0) + '%' : fmt(p.unit === 'money' ? 'ratio' : p.unit, v).replace(/\.?0+$/, ''); }); };
    var opts = {
      width: Math.max(400, el.clientWidth),
      height: 260,
      tzDate: utc,
      series: series,
      scales: groupOf(p) ? { x: { time: true }, y: { range: groupRange(groupOf(p)) } } :
        p.unit === 'price' ? { x: { time: true }, y: { range: priceRange(p) } } : { x: { time: true } },
      axes: [{ values: timeStamps }, { values: yfmt, size: 70 }],
      cursor: { sync: { key: 'bt', setSeries: false }, drag: { x: true, y: false } },
      legend: { live: true },
      hooks: {
        setScale: [linkZoom],
        drawAxes: ck ? [drawCandles(p, ck)] : [],
        draw: [function (u) { el.setAttribute('data-drawn', '1'); }],
      },
    };
    var cols = [p.x].concat(p.series.map(function (s) { return s.kind === 'lp' ? holdLP(s.y) : s.y; }));
    // a chart built after a zoom takes it once ready (a scale set before the first draw would
    // be replaced by the full range)
    opts.hooks.ready = [function (u) { if (zoomX) { syncing = true; u.setScale('x', zoomX); syncing = false; } }];
    var u = new uPlot(opts, cols, el);
    charts.push(u);
  }

  // Charts are built when they come near the window (IntersectionObserver), and the others in
  // the background after the load event, so that a report with many panels opens fast; a chart
  // built after a zoom takes it. btDrawAll builds
  // every remaining one at once (the browser tests, printing).
  var pending = [];
  function ensure(item) {
    if (item.done) return;
    item.done = true;
    try { build(item.p, item.el); } catch (e) { btError('chart ' + item.p.id + ': ' + e); }
  }
  data.panels.forEach(function (p) {
    var el = document.getElementById('chart-' + p.id);
    if (!el) { btError('no container for chart ' + p.id); return; }
    pending.push({ p: p, el: el, done: false });
  });
  function drawAll() { pending.forEach(ensure); }
  if ('IntersectionObserver' in window) {
    var io = new IntersectionObserver(function (es) {
      es.forEach(function (e) {
        if (!e.isIntersecting) return;
        io.unobserve(e.target);
        pending.forEach(function (it) { if (it.el === e.target) ensure(it); });
      });
    }, { rootMargin: '600px 0px' });
    pending.forEach(function (it) { io.observe(it.el); });
  } else {
    drawAll();
  }
  window.btDrawAll = drawAll;
  window.addEventListener('beforeprint', drawAll);
  // after the page has loaded, the charts not yet in view are built in the background, one per
  // task, so that scrolling finds them drawn
  window.addEventListener('load', function () {
    var k = 0;
    (function next() {
      while (k < pending.length && pending[k].done) k++;
      if (k === pending.length) return;
      ensure(pending[k]);
      setTimeout(next, 15);
    })();
  });

  // A link with data-zoom="<Unix s>" (the verdict, the tables) zooms every chart around that
  // moment; the link's own anchor then scrolls to the place (its chart is built on the way).
  function zoomTo(t) {
    var xs = data.panels.length ? data.panels[0].x : [];
    if (!xs.length) return;
    var w = Math.max((xs[xs.length - 1] - xs[0]) / 40, 3600);
    zoomX = { min: t - w, max: t + w };
    if (charts.length) charts[0].setScale('x', zoomX);
  }
  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a[data-zoom]') : null;
    if (a) zoomTo(Number(a.getAttribute('data-zoom')));
  });
  window.btZoomTo = zoomTo;
  window.btCharts = charts; // for the browser test

  // The trades tables: built from their JSON (reports/tables.go tradesJSON), at most maxRows rows
  // in the page at a time. Click a header to sort (again to reverse); type in the filter box to
  // keep the trades whose row contains every word.
  var maxRows = 200;
  function money(v) { return nf2.format(v).replace('-', '−'); }
  function when(ms) { return ms ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '—'; }
  Array.prototype.forEach.call(document.querySelectorAll('table.trades'), function (tb) {
    var src = tb.parentNode.nextElementSibling;
    if (!src || !src.classList.contains('bt-trades')) return;
    var rows = JSON.parse(src.textContent).map(function (r) {
      // cells: [text, sort key, class, link]
      var c = [
        [r[0]], [r[1]], [r[2]], [r[3]],
        [when(r[4]), r[4], '', { href: '#chart-price-' + r[1], zoom: Math.floor(r[4] / 1000) }],
        [r[5], Number(r[5])], [when(r[6]), r[6], '', { href: '#chart-price-' + r[1], zoom: Math.floor(r[6] / 1000) }], [r[7], Number(r[7])], [r[8], Number(r[8])], [r[9]],
        [money(r[10]), r[10], r[10] < 0 ? 'neg' : r[10] > 0 ? 'pos' : ''], [money(r[11]), r[11]], [money(r[12]), r[12]],
        [r[13] ? 'liquidated' : 'no'],
      ];
      return { cells: c, text: c.map(function (x) { return x[0]; }).join(' ').toLowerCase() };
    });
    var body = tb.tBodies[0], shown = rows, sortK = -1, dir = 1;
    var box = tb.parentNode.previousElementSibling && tb.parentNode.previousElementSibling.querySelector('input.filter');
    var count = box && box.parentNode.querySelector('.count');
    function render() {
      var html = [];
      for (var i = 0; i < Math.min(shown.length, maxRows); i++) {
        var tr = '<tr>';
        shown[i].cells.forEach(function (c) {
          var t = String(c[0]).replace(/&/g, '&amp;').replace(/</g, '&lt;');
          tr += '<td' + (c[1] !== undefined ? ' data-v="' + c[1] + '"' : '') + (c[2] ? ' class="' + c[2] + '"' : '') + '>' +
            (c[3] ? '<a href="' + c[3].href + '" data-zoom="' + c[3].zoom + '">' + t + '</a>' : t) + '</td>';
        });
        html.push(tr + '</tr>');
      }
      body.innerHTML = html.join('');
      if (count) count.textContent = shown.length + ' of ' + rows.length + ' trades' + (shown.length > maxRows ? ' (the first ' + maxRows + ' shown: filter or sort to see others)' : '');
    }
    function key(r, k) { var c = r.cells[k]; return c[1] !== undefined ? c[1] : c[0]; }
    function sort() {
      if (sortK < 0) return;
      shown = shown.slice().sort(function (a, b) {
        var x = key(a, sortK), y = key(b, sortK);
        return (x < y ? -1 : x > y ? 1 : 0) * dir;
      });
    }
    Array.prototype.forEach.call(tb.tHead.rows[0].cells, function (th, k) {
      th.style.cursor = 'pointer';
      th.addEventListener('click', function () {
        dir = th.getAttribute('data-dir') === 'asc' ? -1 : 1;
        Array.prototype.forEach.call(tb.tHead.rows[0].cells, function (o) { o.removeAttribute('data-dir'); });
        th.setAttribute('data-dir', dir > 0 ? 'asc' : 'desc');
        sortK = k;
        sort();
        render();
      });
    });
    function filter() {
      var words = box ? box.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
      shown = rows.filter(function (r) { return words.every(function (w) { return r.text.indexOf(w) >= 0; }); });
      sort();
      render();
    }
    if (box) box.addEventListener('input', filter);
    filter();
  });

  window.addEventListener('resize', function () {
    charts.forEach(function (u) { u.setSize({ width: Math.max(400, u.root.parentNode.clientWidth), height: 260 }); });
  });
  document.body.setAttribute('data-charts', String(pending.length));
})();
