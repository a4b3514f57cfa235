import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Large output through the built binary: long lines are cut with a mark, and no export holds the output whole.
@Suite struct ExportSizeTests {
    /// An incident whose one command wrote `chunks` chunks of about `chunkBytes` bytes (lines of 25 bytes), the
    /// first chunk a single line of `chunkBytes` bytes, written with the sqlite3 tool (the output of a real command this
    /// size would take the test minutes).
    static func incident(chunks: Int, chunkBytes: Int) throws -> ScratchDatabase {
        let scratch = ScratchDatabase()
        let store = try SQLiteTranscriptStore(path: scratch.path)
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "Big output", runbook: "", environment: "staging", severity: .p3, host: "h", user: "u"),
            actor: "u@h", at: Date(timeIntervalSince1970: 1_780_000_000))
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": "cat big.log"]), to: incident.id, actor: "u@h",
            at: Date(timeIntervalSince1970: 1_780_000_001))
        _ = try store.append(
            EventDraft(
                .commandFinished,
                payload: ["command_sequence": .int(started.sequence), "exit_code": 0, "duration": 60]),
            to: incident.id, actor: "u@h", at: Date(timeIntervalSince1970: 1_780_000_061))
        let line = "'api-0   1/1   Running   ' || char(10)"
        try scratch.sqlite(
            """
            WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < \(chunks - 1))
            INSERT INTO outputs (incident, command_seq, chunk_index, offset_ms, data)
            SELECT \(incident.id), \(started.sequence), i, i * 100,
              CASE i WHEN 0 THEN CAST(replace(hex(zeroblob(\(chunkBytes / 2))), '0', 'x') || char(10) AS BLOB)
              ELSE CAST(replace(hex(zeroblob(\(chunkBytes / 25))), '00', \(line)) AS BLOB) END
            FROM k;
            """)
        return scratch
    }

    /// `--lines` also bounds each line: a 2 MB line is cut at 1,000 bytes with a mark saying how much was left out.
    @Test func aLongLineIsCutWithAMark() throws {
        let scratch = try Self.incident(chunks: 2, chunkBytes: 2_000_000)
        let markdown = try scratch.run(["export", "1", "--format", "markdown", "-o", "-"])
        #expect(markdown.status == 0, "\(markdown.stderr)")
        let cut = String(repeating: "x", count: 1000) + " [… 1999000 more bytes of this line left out …]\n"
        #expect(markdown.stdout.contains("```text\n" + cut), "\(markdown.stdout.prefix(3000))")
        #expect(markdown.stdout.utf8.count < 20_000)
    }

    /// Exports of 96 MiB of output stay far below it: the output is read a chunk at a time, never held whole.
    @Test(arguments: ["markdown", "json", "asciicast"])
    func anExportOfLargeOutputDoesNotHoldIt(format: String) throws {
        let scratch = try Self.incident(chunks: 96, chunkBytes: 1 << 20)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        let file = scratch.directory + "/export." + format
        process.arguments = ["-f", "%M", BuiltBinary.path, "export", "1", "--format", format, "-o", file]
        process.environment = BuiltBinary.environment(adding: ["RUNBOOK_DB": scratch.path])
        let output = try ProcessRunner.collect(process, stdin: nil)
        let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0
        // The document is written (the JSON and the asciicast hold all of the output).
        #expect(format == "markdown" || size > 96 << 20, "\(size) bytes")
        #expect(output.status == 0, "\(output.stderr)")
        let kilobytes = try #require(Int(output.stderr.split(separator: "\n").last ?? ""), "\(output.stderr)")
        #expect(kilobytes < 64 * 1024, "peak RSS \(kilobytes) KB exporting \(format)")
    }
}
