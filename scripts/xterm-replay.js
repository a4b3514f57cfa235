// The replay of runbook's HTML report (docs/exports.md, "HTML report"): xterm.js plays each step's part of the
// incident's asciicast recording. scripts/build-xterm-bundle bundles this file with Debian's node-xterm, and
// `runbook export --format html` inlines the bundle into each report (its SHA-256 is in the report's CSP).
//
// The report holds the recording in <script type="application/x-asciicast" id="replay-data"> (one JSON value a
// line, `<` written as \u003c) and, for each command, a <div class="replay" data-at="START" data-after="PREVIOUS"
// data-before="NEXT"> with a button (seconds since the declaration: the command's start, the previous command's and
// the next one's). A step's replay plays the recording from the step's marker to the next one (see stepFrames).
// `#replay-N` in the address plays command N's replay on load. When a replay ends, the terminal's text is written
// into the div's <pre class="screen-text"> (selectable; the terminal itself is a canvas).
"use strict";
var xterm = require("xterm");
var Terminal = xterm.Terminal || xterm;

function readRecording() {
  var element = document.getElementById("replay-data");
  if (!element) return null;
  var lines = element.textContent.split("\n").filter(function (line) { return line.trim() !== ""; });
  if (lines.length === 0) return null;
  return { header: JSON.parse(lines[0]), frames: lines.slice(1).map(function (line) { return JSON.parse(line); }) };
}

// The frames of the step of a command that started at `at` seconds: from the step's marker (the last one at or
// before `at`), or from `at` itself when that marker is older than the previous command's start (`after`: a command
// run again, a recording without markers), to the next marker or the next command's start (`before`), if sooner.
function stepFrames(frames, at, after, before) {
  var start = -1;
  for (var i = 0; i < frames.length && frames[i][0] <= at + 0.0005; i++) {
    if (frames[i][1] === "m") start = i;
  }
  if (start < 0 || frames[start][0] < after - 0.0005) {
    start = 0;
    while (start < frames.length && frames[start][0] < at - 0.0005) start++;
  }
  var end = frames.length;
  for (var j = start + 1; j < frames.length; j++) {
    if (frames[j][1] === "m" || (before !== null && frames[j][0] >= before - 0.0005)) { end = j; break; }
  }
  return frames.slice(start, end);
}

function screenText(term) {
  var buffer = term._core.buffer;
  var rows = [];
  for (var row = 0; row < buffer.lines.length; row++) rows.push(buffer.translateBufferLineToString(row, true));
  while (rows.length > 0 && rows[rows.length - 1] === "") rows.pop();
  return rows.join("\n");
}

function play(recording, replay) {
  if (replay.term) replay.term.dispose();
  var holder = replay.querySelector(".terminal");
  holder.textContent = "";
  var header = recording.header;
  var term = new Terminal({ cols: header.width || 120, rows: Math.min(header.height || 24, 24), disableStdin: true,
    fontSize: 13, scrollback: 100000 });
  replay.term = term;
  term.open(holder);
  var before = replay.getAttribute("data-before");
  var frames = stepFrames(recording.frames, parseFloat(replay.getAttribute("data-at")),
    parseFloat(replay.getAttribute("data-after")), before === null ? null : parseFloat(before));
  var idle = header.idle_time_limit || 2;
  var status = replay.querySelector(".replay-status");
  var text = replay.querySelector(".screen-text");
  replay.setAttribute("data-state", "playing");
  status.textContent = "Playing…";
  var index = 0;
  var last = frames.length ? frames[0][0] : 0;
  function next() {
    if (replay.term !== term) return;
    while (index < frames.length) {
      var frame = frames[index];
      var wait = Math.min(Math.max(0, frame[0] - last), idle);
      if (wait > 0.01) {
        last = frame[0];
        setTimeout(next, wait * 1000);
        return;
      }
      last = Math.max(last, frame[0]);
      if (frame[1] === "o") term.write(frame[2]);
      index++;
    }
    // xterm.js parses written data on its next tick: read the screen after it.
    setTimeout(function () {
      text.textContent = screenText(term);
      status.textContent = "Played " + frames.length + " frames.";
      replay.setAttribute("data-state", "done");
    }, 50);
  }
  next();
}

function start() {
  if (!document.getElementById("replay-data")) return;
  // The recording of a large incident is megabytes: it is parsed when a replay is first played, not on load.
  var recording = null;
  function playing(replay) {
    if (!recording) recording = readRecording();
    if (recording) play(recording, replay);
  }
  var replays = document.querySelectorAll(".replay");
  for (var i = 0; i < replays.length; i++) {
    (function (replay) {
      var button = replay.querySelector("button.play");
      button.disabled = false;
      button.addEventListener("click", function () { playing(replay); });
    })(replays[i]);
  }
  var match = /^#replay-(\d+)$/.exec(window.location.hash);
  if (match) {
    var target = document.getElementById("replay-" + match[1]);
    if (target) {
      target.scrollIntoView();
      playing(target);
    }
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
