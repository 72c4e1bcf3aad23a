// The trend page: history from /api/history (LTTB sized to the chart), live samples from
// /api/live (server-sent events). window.trend is the uPlot instance, window.trendState the
// page's state, both for debugging and for the browser test.
// A server with a token: the page's address carries it in the fragment (#token=...), which the
// browser never sends anywhere; the page sends it as an Authorization header, and in the query
// only to /api/live, since EventSource cannot send headers.
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  const windowMs = Number(params.get('window')) > 0 ? Number(params.get('window')) : 600000;
  const chartEl = document.getElementById('chart');
  const statusEl = document.getElementById('status');
  const select = document.getElementById('tag');
  const state = { mode: 'live', tag: params.get('tag'), historyRequests: 0, liveBatches: 0, lastQuery: null, error: null };
  window.trendState = state;

  let data = [[], []];
  let ownRange = null;   // the x range the page set itself; any other range is the user's zoom
  let querySeq = 0;
  let source = null;

  function api(url) {
    return fetch(url, token ? { headers: { Authorization: 'Bearer ' + token } } : {});
  }

  function streamWithToken(url) {
    return token ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : url;
  }

  function status(text, isError) {
    statusEl.textContent = text;
    statusEl.className = isError ? 'error' : '';
    if (isError) { state.error = text; }
  }

  function size() {
    return { width: Math.max(320, chartEl.clientWidth), height: Math.max(240, window.innerHeight - 140) };
  }

  const chart = new uPlot({
    ...size(),
    scales: { x: { time: true } },
    series: [{}, { label: state.tag || '', stroke: '#1f6fb4', width: 1.5, spanGaps: false, points: { show: false } }],
    cursor: { drag: { x: true, y: false } },
    hooks: { setScale: [onSetScale] },
  }, data, chartEl);
  window.trend = chart;
  window.addEventListener('resize', () => chart.setSize(size()));

  function setRange(d, minS, maxS) {
    ownRange = { min: minS, max: maxS };
    chart.batch(() => {
      chart.setData(d, false);
      chart.setScale('x', { min: minS, max: maxS });
    });
  }

  function onSetScale(u, key) {
    if (key !== 'x') { return; }
    const min = u.scales.x.min;
    const max = u.scales.x.max;
    if (min == null || max == null) { return; }
    const tolerance = (max - min) * 1e-6;
    if (ownRange && Math.abs(min - ownRange.min) <= tolerance && Math.abs(max - ownRange.max) <= tolerance) {
      return;
    }
    // The user zoomed (or a script called setScale): re-query that range at the chart's width.
    state.mode = 'history';
    loadHistory(min * 1000, max * 1000);
  }

  function chartWidth() {
    const w = Math.round(chart.bbox.width / (window.devicePixelRatio || 1)) || chartEl.clientWidth;
    return Math.min(10000, Math.max(3, w));
  }

  async function loadHistory(fromMs, toMs) {
    const seq = ++querySeq;
    const from = Math.floor(fromMs);
    const to = Math.max(from + 1, Math.ceil(toMs));
    const url = 'api/history?tag=' + encodeURIComponent(state.tag) + '&from=' + from + '&to=' + to + '&width=' + chartWidth();
    status('querying ' + new Date(from).toISOString() + ' .. ' + new Date(to).toISOString());
    let json;
    try {
      const r = await api(url);
      if (!r.ok) { status(r.status + ': ' + await r.text(), true); return; }
      json = await r.json();
    } catch (e) {
      status('query failed: ' + e, true);
      return;
    }
    if (seq !== querySeq) { return; }   // a newer zoom is on its way
    state.historyRequests++;
    state.lastQuery = { from: json.from, to: json.to, width: json.width, points: json.points };
    data = [json.t.map(ms => ms / 1000), json.v];
    setRange(data, from / 1000, to / 1000);
    status((state.mode === 'live' ? 'live, ' : 'history, ') + json.points + ' points at width ' + json.width
      + (state.mode === 'live' ? '' : ' (press Live to follow again)'));
  }

  function openStream(fromMs) {
    if (source) { source.close(); }
    let url = 'api/live?tag=' + encodeURIComponent(state.tag);
    if (fromMs != null) { url += '&from=' + fromMs; }
    source = new EventSource(streamWithToken(url));
    source.onmessage = e => {
      state.liveBatches++;
      if (state.mode !== 'live') { return; }   // history view: the store has these, a re-query shows them
      const batch = JSON.parse(e.data);
      const xs = data[0];
      const ys = data[1];
      for (const [ms, v] of batch) {
        const t = ms / 1000;
        if (xs.length && t <= xs[xs.length - 1]) { continue; }
        xs.push(t);
        ys.push(v);
      }
      if (!xs.length) { return; }
      const last = xs[xs.length - 1];
      const min = last - windowMs / 1000;
      let drop = 0;
      while (drop < xs.length && xs[drop] < min) { drop++; }
      if (drop) { xs.splice(0, drop); ys.splice(0, drop); }
      setRange(data, min, last);
    };
    source.addEventListener('lagged', e => status('live stream: ' + e.data, true));
    source.addEventListener('ended', e => status('live stream ended: ' + e.data, true));
    source.onerror = () => { if (source.readyState === EventSource.CLOSED) { status('live stream closed', true); } };
  }

  async function goLive() {
    state.mode = 'live';
    const now = Date.now();
    await loadHistory(now - windowMs, now + 1);
    const xs = data[0];
    openStream(xs.length ? Math.round(xs[xs.length - 1] * 1000) + 1 : now);
  }

  async function init() {
    let tags;
    try {
      const r = await api('api/tags');
      if (!r.ok) { status(r.status + ': ' + await r.text(), true); return; }
      tags = await r.json();
    } catch (e) {
      status('cannot list tags: ' + e, true);
      return;
    }
    for (const t of tags) {
      const o = document.createElement('option');
      o.value = t.name;
      o.textContent = t.name + (t.unit ? ' [' + t.unit + ']' : '');
      select.appendChild(o);
    }
    if (!state.tag && tags.length) { state.tag = tags[0].name; }
    if (!state.tag) { status('no tags yet', true); return; }
    select.value = state.tag;
    chart.series[1].label = state.tag;
    select.onchange = () => {
      state.tag = select.value;
      params.set('tag', state.tag);
      history.replaceState(null, '', '?' + params.toString() + location.hash);
      chart.series[1].label = state.tag;
      data = [[], []];
      goLive();
    };
    document.getElementById('live').onclick = goLive;
    goLive();
  }

  init();
})();
