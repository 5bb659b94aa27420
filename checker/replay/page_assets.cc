#include "checker/replay/page_assets.h"

namespace racelings::replay {

const char* const kPageStyle = R"css(
:root { --fg: #1d1d1f; --muted: #6b6b70; --rule: #d9d9de; --fail: #c62828; --switch: #9a6700; --here: #fff6c7; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0 1.5rem 2rem; }
h1 { font-size: 1.35rem; margin: 1rem 0 .25rem; } h1 .schedule { font-weight: normal; color: var(--muted); }
h2 { font-size: 1rem; margin: .2rem 0 .5rem; } h3 { font-size: .85rem; margin: .4rem 0; color: var(--muted); font-weight: normal; }
code, pre { font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
.intro { margin: 0 0 .5rem; color: var(--muted); }
#failure { margin: .3rem 0 .8rem; padding: .5rem .7rem; border-left: 4px solid var(--fail); background: #fdecea; white-space: pre-wrap; }
#failure.passed { border-color: #2e7d32; background: #e8f5e9; }
#controls { position: sticky; top: 0; z-index: 2; display: flex; gap: .4rem; align-items: center; padding: .5rem 0; background: #fff; border-bottom: 1px solid var(--rule); }
#controls button { font: inherit; padding: .25rem .6rem; border: 1px solid var(--rule); border-radius: 6px; background: #f6f6f8; cursor: pointer; }
#controls button:hover { background: #ececf0; } #controls button:disabled { opacity: .4; cursor: default; }
#slider { flex: 1; } #position { min-width: 11rem; text-align: right; color: var(--muted); }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 0 1.5rem; margin-top: .8rem; }
#now, #source { grid-column: 1; } #state, #graph, #names { grid-column: 2; } #timeline { grid-column: 1 / 3; }
#now { grid-row: 1; } #state { grid-row: 1; } #source { grid-row: 2 / span 3; }
section { margin-bottom: 1rem; }
#now-body { min-height: 4.2rem; padding: .4rem .6rem; background: #f6f6f8; border-radius: 6px; }
#now-body .who { font-weight: 600; } #now-body .switch { color: var(--switch); } #now-body .fail { color: var(--fail); font-weight: 600; }
.file pre { margin: 0; max-height: 26rem; overflow: auto; border: 1px solid var(--rule); border-radius: 6px; padding: .3rem 0; }
.line { display: flex; white-space: pre; padding: 0 .5rem; }
.line .num { width: 3.2em; text-align: right; color: var(--muted); padding-right: .8em; flex: none; }
.line code { flex: 0 1 auto; } .line .marks { flex: none; margin-left: 1.2em; }
.line.here { background: var(--here); } .line.current { background: #ffe08a; font-weight: 600; }
.badge { display: inline-block; font: 11px/1.5 system-ui, sans-serif; padding: 0 .4em; margin-right: .3em; border-radius: 4px; color: #fff; }
.c0 { --c: #1565c0; } .c1 { --c: #2e7d32; } .c2 { --c: #6a1b9a; } .c3 { --c: #ad1457; }
.c4 { --c: #00838f; } .c5 { --c: #ef6c00; } .c6 { --c: #4e342e; } .c7 { --c: #37474f; }
.badge { background: var(--c); } th.thread { color: var(--c); }
#state-list { margin: 0; padding-left: 1.2rem; } #state-list li { margin: .1rem 0; }
svg.graph { max-width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 6px; background: #fcfcfd; }
svg .node-label { font: 13px system-ui, sans-serif; } svg .edge-label { font: 11px system-ui, sans-serif; fill: #444; }
.cycle { color: var(--fail); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .15rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
th { position: sticky; top: 3.1rem; background: #fff; border-bottom: 1px solid var(--rule); }
td.num { text-align: right; color: var(--muted); white-space: nowrap; } td.where { white-space: nowrap; color: var(--muted); }
td.src code { color: #333; } tr.step { cursor: pointer; } tr.step:hover { background: #f6f6f8; }
tr.current { background: #ffe08a !important; } tr.fold td { color: var(--muted); font-style: italic; cursor: pointer; }
tr.note.switch td { color: var(--switch); font-size: 12.5px; } tr.failure td { color: var(--fail); }
tr.note.failure pre { margin: 0; white-space: pre-wrap; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .1rem .8rem; margin: 0; } dt { font-weight: 600; } dd { margin: 0; }
@media (max-width: 900px) { main { display: block; } }
)css";

const char* const kPageScript = R"js(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('replay-data').textContent);
  var rows = data.rows, current = 0;
  var colour = {}, fileIndex = {};
  data.threads.forEach(function (t) { colour[t.id] = t.colour; });
  data.files.forEach(function (f, i) { fileIndex[f] = i; });
  var slider = document.getElementById('slider');
  var position = document.getElementById('position');
  var nowBody = document.getElementById('now-body');
  var stateList = document.getElementById('state-list');
  var failureButton = document.getElementById('to-failure');
  if (data.failure_row === null) failureButton.disabled = true;

  function add(parent, tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    parent.appendChild(e);
    return e;
  }

  function clearMarks() {
    document.querySelectorAll('.line.here').forEach(function (l) { l.classList.remove('here', 'current'); });
    document.querySelectorAll('.marks').forEach(function (m) { m.textContent = ''; });
    document.querySelectorAll('tr.current').forEach(function (r) { r.classList.remove('current'); });
  }

  function mark(r) {
    r.positions.forEach(function (p) {
      if (!(p.file in fileIndex)) return;
      var line = document.getElementById('L' + fileIndex[p.file] + '-' + p.line);
      if (!line) return;
      line.classList.add('here');
      var badge = add(line.querySelector('.marks'), 'span', 'badge c' + (colour[p.thread] || 0), p.label);
      badge.title = p.label + ' is here';
      if (r.kind === 'step' && p.thread === r.thread) {
        line.classList.add('current');
        var pre = line.parentNode;
        pre.scrollTop = Math.max(0, line.offsetTop - pre.offsetTop - pre.clientHeight / 2);
      }
    });
  }

  function describe(r) {
    nowBody.textContent = '';
    if (r.kind === 'fold') {
      add(nowBody, 'div', 'fold', '\u22ee ' + r.summary);
      return;
    }
    if (r.switch) add(nowBody, 'div', 'switch', '\u00bb ' + r.switch);
    if (r.resume) add(nowBody, 'div', 'switch', '\u00bb ' + r.resume);
    var line = add(nowBody, 'div');
    add(line, 'span', 'who', r.who);
    add(line, 'span', '', ' ' + r.does + (r.where ? '  at ' + r.where : ''));
    if (r.text) add(add(nowBody, 'div'), 'code', '', r.text);
    if (r.failure) {
      var failure = document.getElementById('failure');
      add(nowBody, 'div', 'fail', '\u2717 it goes wrong here' + (failure ? ': ' + failure.textContent.replace(/^\u2717 /, '').split('\n')[0] : ''));
    }
  }

  function show(i) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    var r = rows[current];
    slider.value = current;
    position.textContent = 'row ' + (current + 1) + ' of ' + rows.length + (r.kind === 'step' ? ' \u00b7 step ' + r.step : '');
    describe(r);
    stateList.textContent = '';
    (r.state.length ? r.state : ['no lock held, no thread waits']).forEach(function (s) { add(stateList, 'li', '', s); });
    clearMarks();
    mark(r);
    var tr = document.querySelector('tr[data-row="' + current + '"]');
    if (tr) tr.classList.add('current');
  }

  function nextSwitch() {
    for (var j = current + 1; j < rows.length; j++) if (rows[j].switch) return show(j);
  }

  function fromAddress() {
    var h = decodeURIComponent(location.hash.slice(1));
    if (h === 'failure' && data.failure_row !== null) return show(data.failure_row);
    if (h === 'switch') {
      for (var j = 0; j < rows.length; j++) if (rows[j].switch) return show(j);
    }
    var m = /^row=(\d+)$/.exec(h);
    show(m ? Number(m[1]) - 1 : current);
  }

  document.getElementById('first').addEventListener('click', function () { show(0); });
  document.getElementById('prev').addEventListener('click', function () { show(current - 1); });
  document.getElementById('next').addEventListener('click', function () { show(current + 1); });
  document.getElementById('to-switch').addEventListener('click', nextSwitch);
  failureButton.addEventListener('click', function () { if (data.failure_row !== null) show(data.failure_row); });
  slider.addEventListener('input', function () { show(Number(slider.value)); });
  document.querySelectorAll('tr[data-row]').forEach(function (tr) {
    tr.addEventListener('click', function () { show(Number(tr.getAttribute('data-row'))); });
  });
  document.addEventListener('keydown', function (e) {
    if (e.target && e.target.tagName === 'INPUT' && e.target.type !== 'range') return;
    var k = e.key;
    if (k === 'ArrowRight' || k === 'ArrowDown' || k === 'n' || k === 'j') show(current + 1);
    else if (k === 'ArrowLeft' || k === 'ArrowUp' || k === 'p' || k === 'k') show(current - 1);
    else if (k === 'Home') show(0);
    else if (k === 'End') show(rows.length - 1);
    else if (k === 'f' && data.failure_row !== null) show(data.failure_row);
    else if (k === 's') nextSwitch();
    else return;
    e.preventDefault();
  });
  window.addEventListener('hashchange', fromAddress);
  fromAddress();
})();
)js";

}  // namespace racelings::replay
