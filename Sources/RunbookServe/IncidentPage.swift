import Foundation
import RunbookKit

/// The HTML of `runbook serve`'s pages: the open incidents (`GET /`) and one incident's live page. Everything from
/// the store is escaped by the report's escaper, the timeline rows and output are the report's, and the page's
/// one style sheet and one script carry the response's nonce (the CSP allows nothing else).
enum IncidentPage {
    /// Commands whose output a page shows when drawn (the latest); later ones are added as they start.
    static let shownCommands = 10

    /// The incident page of `incident`, whose links start at `base` (`/incidents/ID` or `/s/LINK`).
    static func render(_ incident: Incident, base: String, nonce: String, store: IncidentPageStore) throws -> String {
        var timeline = LiveIncidentHTML.Timeline(incident: incident)
        var rows = ""
        var step: String?
        var last: Int64 = 0
        var commands: [(sequence: Int64, text: String, finished: Bool)] = []
        try store.forEachEvent(incidentID: incident.id, after: 0, types: nil, hashes: false) { event in
            step = IncidentPageState.step(after: event, current: step)
            let added = try timeline.add(event)
            rows += added.rows
            last = event.sequence
            if event.type == .commandStarted {
                commands.append((event.sequence, event.payload["command"]?.stringValue ?? "?", false))
            } else if let command = added.command,
                event.type == .commandFinished || event.type == .commandFailedToStart,
                let index = commands.lastIndex(where: { $0.sequence == command })
            {
                commands[index].finished = true
            }
        }
        let state = try IncidentPageState.read(incident, step: step, store: store)
        let title = "Incident \(incident.id): " + oneLine(incident.title)
        var html = head(title: title, nonce: nonce)
        html += "<body data-events=\"\(escaped(base))/events?after=\(last)\">\n<header>\n<h1>\(escaped(title))</h1>\n"
        html += facts(state, incident: incident)
        html += "<p class=\"live\"><span id=\"live\">connecting…</span> · <a href=\"\(escaped(base))/report\">"
        html += "Postmortem report</a></p>\n</header>\n"
        html += "<section id=\"timeline\">\n<h2>Timeline</h2>\n" + LiveIncidentHTML.timelineStart + rows
        html += LiveIncidentHTML.timelineEnd + "\n</section>\n<section id=\"output\">\n<h2>Output</h2>\n"
        html += "<div id=\"outputs\">"
        for command in commands.suffix(shownCommands) {
            var output = LiveIncidentHTML.Output()
            let chunks = try store.output(incidentID: incident.id, commandSequence: command.sequence, fromChunk: 0)
            var text = chunks.map { output.add($0.data) }.joined()
            if command.finished { text += output.finish() }
            html += article(
                command: command.sequence, text: command.text, chunks: chunks.count + (command.finished ? 1 : 0))
            html += text + "</pre></article>"
        }
        html += "</div>\n</section>\n<script nonce=\"\(nonce)\">\n\(script)\n</script>\n</body>\n</html>\n"
        return html
    }

    /// The open incidents, newest first, each linked to its page.
    static func index(_ incidents: [Incident], nonce: String) -> String {
        var html = head(title: "Open incidents", nonce: nonce) + "<body>\n<header><h1>Open incidents</h1></header>\n"
        if incidents.isEmpty { return html + "<p>No open incident.</p>\n</body>\n</html>\n" }
        html += "<table class=\"rows\"><thead><tr><th>Incident</th><th>Severity</th><th>Status</th><th>Declared</th>"
        html += "<th>Title</th></tr></thead><tbody>"
        for incident in incidents.sorted(by: { ($0.declaredAt, $0.id) > ($1.declaredAt, $1.id) }) {
            html += "\n<tr><td data-label=\"Incident\"><a href=\"/incidents/\(incident.id)\">\(incident.id)</a></td>"
            html += "<td data-label=\"Severity\">\(escaped(incident.severity.rawValue))</td>"
            html += "<td data-label=\"Status\">\(escaped(incident.status.rawValue))</td>"
            html += "<td data-label=\"Declared\">\(escaped(LiveIncidentHTML.utc(incident.declaredAt)))</td>"
            html += "<td data-label=\"Title\"><a href=\"/incidents/\(incident.id)\">\(escaped(oneLine(incident.title)))"
            html += "</a></td></tr>"
        }
        return html + "\n</tbody></table>\n</body>\n</html>\n"
    }

    /// A short page saying why nothing is shown (401, 404).
    static func message(_ title: String, _ text: String, nonce: String) -> String {
        head(title: title, nonce: nonce)
            + "<body>\n<h1>\(escaped(title))</h1>\n<p>\(escaped(text))</p>\n</body>\n</html>\n"
    }

    private static func head(title: String, nonce: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            + "<meta name=\"referrer\" content=\"no-referrer\">\n<title>\(escaped(title))</title>\n"
            + "<style nonce=\"\(nonce)\">\(LiveIncidentHTML.reportStylesheet)\n\(stylesheet)</style>\n</head>\n"
    }

    private static func facts(_ state: IncidentPageState, incident: Incident) -> String {
        var html = "<dl class=\"facts\">"
        func fact(_ name: String, id: String, _ value: String, attributes: String = "") {
            html += "\n<div><dt>\(name)</dt><dd id=\"\(id)\"\(attributes)>\(escaped(value))</dd></div>"
        }
        fact("Severity", id: "severity", state.severity)
        fact("Status", id: "status", state.status)
        fact("Acknowledged", id: "ack", state.acknowledged ?? "no")
        let deadline = state.deadline.map { " data-deadline=\"\(Int64(($0.timeIntervalSince1970 * 1000).rounded()))\"" }
        fact(
            "Next escalation", id: "countdown",
            state.deadline.map { "at " + LiveIncidentHTML.utc($0) } ?? "none armed", attributes: deadline ?? "")
        fact("Current step", id: "step", state.step ?? "—")
        fact("Driving", id: "driver", state.driver ?? "nobody")
        fact("Environment", id: "environment", incident.environment)
        fact("Declared", id: "declared", LiveIncidentHTML.utc(incident.declaredAt))
        return html + "\n</dl>\n"
    }

    private static func article(command: Int64, text: String, chunks: Int) -> String {
        "\n<article class=\"command\" data-command=\"\(command)\" data-chunks=\"\(chunks)\"><h3><code>$ "
            + escaped(oneLine(text)) + "</code></h3><pre class=\"output\">"
    }

    static func escaped(_ text: String) -> String { LiveIncidentHTML.escaped(text) }

    /// `text` on one line (line breaks shown as ` ↵ `), as the report's headings.
    static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: " ↵ ").replacingOccurrences(of: "\n", with: " ↵ ")
            .replacingOccurrences(of: "\r", with: " ↵ ")
    }

    /// The page's own rules over the report's: the facts in one column on a phone, the live mark.
    static let stylesheet = """
        .live{color:#555;font-size:.9rem}
        #live.on{color:#0a6b2d}#live.off{color:#a3120a}
        .facts dd.due{color:#a3120a;font-weight:600}
        #outputs pre.output{max-height:28rem;overflow:auto}
        @media (max-width:600px){body{padding:.5rem}.facts{display:block}.facts div{display:block}}
        """

    /// The page's script: applies the event stream's messages (rows, output, state) and ticks the countdown from
    /// its deadline. The stream's own reconnection sends `Last-Event-ID`, so nothing is missed or doubled.
    static let script = """
        (function () {
          "use strict";
          var body = document.body, rows = document.getElementById("timeline-rows");
          var outputs = document.getElementById("outputs"), live = document.getElementById("live");
          var countdown = document.getElementById("countdown");
          function text(id, value) { document.getElementById(id).textContent = value; }
          function two(n) { return (n < 10 ? "0" : "") + n; }
          function tick() {
            var deadline = Number(countdown.dataset.deadline || 0);
            if (!deadline) { return; }
            var left = Math.round((deadline - Date.now()) / 1000);
            countdown.classList.toggle("due", left <= 0);
            if (left <= 0) { countdown.textContent = "due now"; return; }
            var h = Math.floor(left / 3600), m = Math.floor(left / 60) % 60, s = left % 60;
            countdown.textContent = "in " + (h ? h + ":" + two(m) : m) + ":" + two(s);
          }
          tick();
          setInterval(tick, 1000);
          function article(command, label) {
            var found = outputs.querySelector('article[data-command="' + command + '"]');
            if (found || label === undefined) { return found; }
            var a = document.createElement("article"), h = document.createElement("h3");
            var c = document.createElement("code"), pre = document.createElement("pre");
            a.className = "command"; a.dataset.command = command; a.dataset.chunks = "0";
            c.textContent = "$ " + label; pre.className = "output";
            h.appendChild(c); a.appendChild(h); a.appendChild(pre); outputs.appendChild(a);
            return a;
          }
          var stream = new EventSource(body.dataset.events);
          stream.onopen = function () { live.textContent = "live"; live.className = "on"; };
          stream.onerror = function () { live.textContent = "reconnecting…"; live.className = "off"; };
          stream.onmessage = function (message) {
            var data = JSON.parse(message.data);
            if (data.rows) {
              var t = document.createElement("template");
              t.innerHTML = data.rows;
              Array.prototype.slice.call(t.content.children).forEach(function (row) {
                var old = row.id && document.getElementById(row.id);
                if (old) { old.replaceWith(row); } else { rows.appendChild(row); }
              });
            }
            if (data.started) { article(data.started.command, data.started.text); }
          };
          stream.addEventListener("output", function (message) {
            var data = JSON.parse(message.data), a = article(data.command);
            if (!a || data.index < Number(a.dataset.chunks)) { return; }
            a.dataset.chunks = String(data.index + 1);
            a.querySelector("pre").insertAdjacentHTML("beforeend", data.html);
          });
          stream.addEventListener("state", function (message) {
            var s = JSON.parse(message.data);
            text("severity", s.severity); text("status", s.status); text("ack", s.acknowledged || "no");
            text("step", s.step || "—"); text("driver", s.driver || "nobody");
            if (s.deadline) { countdown.dataset.deadline = String(s.deadline); tick(); }
            else { delete countdown.dataset.deadline; countdown.className = ""; countdown.textContent = "none armed"; }
            if (s.closed) { stream.close(); live.textContent = "closed: " + s.status; live.className = ""; }
          });
        })();
        """
}
