/**
 * The browser side of the report: reads the embedded data and draws it with Chart.js. Plain
 * JavaScript in a string so the report is one self-contained, offline HTML file.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const palette = ['#2563eb', '#dc2626', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#be185d', '#65a30d', '#a16207', '#475569'];
  const color = (i) => palette[i % palette.length];
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => (k === 'class' ? (node.className = v) : node.setAttribute(k, v)));
    children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
    return node;
  };
  const section = (title, id) => {
    const s = el('section', { id }, el('h2', {}, title));
    document.getElementById('content').append(s);
    return s;
  };
  const canvas = (parent, id) => {
    const c = el('canvas', { id, 'data-chart': id });
    parent.append(el('div', { class: 'chart' }, c));
    return c;
  };
  const pct = (x) => (x == null ? '–' : (100 * x).toFixed(1) + ' %');
  window.tinyforgeCharts = [];
  const chart = (c, config) => {
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
    const instance = new Chart(c, config);
    window.tinyforgeCharts.push({ id: c.id, type: config.type, points: config.data.datasets.reduce((n, d) => n + d.data.length, 0) });
    return instance;
  };

  if (data.lastRun) {
    const s = section('Last run', 'run');
    const git = data.lastRun.git || {};
    s.append(el('p', {}, 'Started ' + data.lastRun.startedAt + ' · ' + (data.lastRun.ok ? 'ok' : 'FAILED') + ' · ' + (data.lastRun.ms / 1000).toFixed(1) + ' s · commit ' + (git.commit ? git.commit.slice(0, 10) : 'none') + (git.dirty ? ' (dirty)' : '')));
    s.append(el('table', {}, el('tr', {}, ['block', 'status', 'time', 'samples computed', 'samples cached'].map((h) => el('th', {}, h))),
      data.lastRun.blocks.map((b) => el('tr', {}, el('td', {}, b.name + ' (' + b.block + '@' + b.version + ')'), el('td', { class: 'status-' + b.status }, b.status), el('td', {}, b.ms + ' ms'), el('td', {}, b.counters.samplesComputed), el('td', {}, b.counters.samplesCached)))));
  }

  data.datasets.forEach((d, k) => {
    const s = section('Dataset (' + d.block + ')', 'dataset-' + k);
    const total = d.rows.reduce((n, r) => n + r.train + r.test, 0);
    s.append(el('p', {}, total + ' samples, ' + d.rows.length + ' labels'));
    chart(canvas(s, 'dataset-chart-' + k), {
      type: 'bar',
      data: { labels: d.rows.map((r) => r.label), datasets: [
        { label: 'train', data: d.rows.map((r) => r.train), backgroundColor: color(0) },
        { label: 'test', data: d.rows.map((r) => r.test), backgroundColor: color(1) },
      ] },
      options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'samples' } } } },
    });
  });

  data.training.forEach((t, k) => {
    const s = section('Training (' + t.block + ')', 'training-' + k);
    if (t.curves.length) {
      const epochs = t.curves.map((c) => c.epoch);
      chart(canvas(s, 'curves-loss-' + k), { type: 'line', data: { labels: epochs, datasets: [
        { label: 'loss', data: t.curves.map((c) => c.loss), borderColor: color(0) },
        { label: 'val loss', data: t.curves.map((c) => c.val_loss ?? null), borderColor: color(1) },
      ] }, options: { scales: { x: { title: { display: true, text: 'epoch' } } } } });
      chart(canvas(s, 'curves-acc-' + k), { type: 'line', data: { labels: epochs, datasets: [
        { label: 'accuracy', data: t.curves.map((c) => c.acc), borderColor: color(2) },
        { label: 'val accuracy', data: t.curves.map((c) => c.val_acc ?? null), borderColor: color(3) },
      ] }, options: { scales: { x: { title: { display: true, text: 'epoch' } }, y: { min: 0, max: 1 } } } });
    }
    ['float32', 'int8'].forEach((precision) => {
      const m = t.metrics[precision];
      if (!m) return;
      ['validation', 'test'].forEach((split) => {
        const mm = m[split];
        if (!mm || !mm.confusion) return;
        const max = Math.max(1, ...mm.confusion.flat());
        s.append(el('h3', {}, precision + ' · ' + split + ': accuracy ' + pct(mm.accuracy) + ', loss ' + mm.loss.toFixed(3)));
        s.append(el('table', { class: 'confusion', 'data-confusion': precision + '-' + split },
          el('tr', {}, el('th', {}, 'actual \\ predicted'), t.labels.map((l) => el('th', {}, l)), el('th', {}, 'recall'), el('th', {}, 'F1')),
          mm.confusion.map((row, i) => el('tr', {}, el('th', {}, t.labels[i]),
            row.map((v, j) => { const td = el('td', {}, v); td.style.background = 'rgba(' + (i === j ? '37,99,235' : '220,38,38') + ',' + (v / max).toFixed(2) + ')'; return td; }),
            el('td', {}, pct(mm.perClass[t.labels[i]].recall)), el('td', {}, pct(mm.perClass[t.labels[i]].f1))))));
      });
    });
  });

  data.features.forEach((f, k) => {
    const s = section('Feature explorer (' + f.block + ', PCA)', 'features-' + k);
    s.append(el('p', {}, f.points.length + ' samples of shape [' + f.shape.join(' × ') + '], projected on the first two principal components (' + f.explained.map((e) => (100 * e).toFixed(1) + ' %').join(', ') + ' of the variance)'));
    const labels = [...new Set(f.points.map((p) => p.label))].sort();
    chart(canvas(s, 'features-chart-' + k), { type: 'scatter', data: { datasets: labels.map((l, i) => ({
      label: l, data: f.points.filter((p) => p.label === l).map((p) => ({ x: p.x, y: p.y })), backgroundColor: color(i), pointRadius: 2,
    })) }, options: { scales: { x: { title: { display: true, text: 'PC1' } }, y: { title: { display: true, text: 'PC2' } } } } });
  });

  const fileTable = (title, id, items) => {
    if (!items.length) return;
    const s = section(title, id);
    items.forEach((item) => {
      s.append(el('h3', {}, item.block + ' · ' + item.file));
      s.append(el('pre', {}, JSON.stringify(item.content, null, 2)));
    });
  };
  if (data.estimates.length) {
    const s = section('On-device estimates', 'estimates');
    data.estimates.forEach((e) => {
      const c = e.content || {};
      s.append(el('h3', {}, e.block + ' · ' + e.file + (c.macs ? ' · ' + c.macs + ' MACs, arena ' + c.arenaBytes + ' B (lower bound ' + c.arenaLowerBound + ' B)' : '')));
      const cores = Array.isArray(c.cores) ? c.cores : [];
      if (cores.length) {
        const cols = ['core', 'flashBytes', 'ramBytes', 'libraryRamBytes', 'dspInstructions', 'nnInstructions', 'runInstructions', 'dspStackBytes', 'nnStackBytes', 'runStackBytes'];
        s.append(el('table', { class: 'estimates' }, el('tr', {}, cols.map((k) => el('th', {}, k))),
          cores.map((row) => el('tr', {}, cols.map((k) => el('td', {}, row[k] == null ? '–' : typeof row[k] === 'number' ? row[k].toLocaleString('en') : row[k]))))));
      } else s.append(el('pre', {}, JSON.stringify(c, null, 2)));
    });
  }
  if (data.tests) {
    const s = section('Test cases', 'tests');
    s.append(el('pre', {}, JSON.stringify(data.tests, null, 2)));
  }
  fileTable('Tuner leaderboard', 'tune', data.tune);
  if (data.missing.length) {
    const s = section('Not in the report', 'missing');
    s.append(el('p', {}, 'No results yet for: ' + data.missing.join(', ') + '. Run the pipeline first.'));
  }
  document.body.setAttribute('data-rendered', 'true');
})();
`;
