// Measures the transcript store beside the sqlite3 CLI and dd, in the same run. Run by scripts/bench-store.
import Foundation
import RunbookKit

let arguments = CommandLine.arguments
let directory = arguments.count > 1 ? arguments[1] : NSTemporaryDirectory() + "runbook-bench-\(getpid())"
let appendCount = arguments.count > 2 ? Int(arguments[2]) ?? 2000 : 2000
let outputMegabytes = arguments.count > 3 ? Int(arguments[3]) ?? 100 : 100
let readEvents = arguments.count > 4 ? Int(arguments[4]) ?? 100_000 : 100_000
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Runs a program with stdout to /dev/null and returns its wall time.
func timeProcess(_ path: String, _ arguments: [String], stdin: Data? = nil) throws -> Double {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    let input = Pipe()
    if stdin != nil { process.standardInput = input }
    return try seconds {
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { fatalError("\(path) \(arguments) failed") }
    }
}

func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

let declaration = IncidentDeclaration(
    title: "bench", runbook: "bench", environment: "staging", severity: .p2, host: "bench", user: "bench")

// 1. Durable single-event appends: each append is its own BEGIN IMMEDIATE transaction, synchronous = FULL.
let appendStore = try SQLiteTranscriptStore(path: directory + "/appends.sqlite3")
let (appendIncident, _) = try appendStore.declareIncident(declaration, actor: "bench@bench", at: Date())
let appendTime = try seconds {
    for index in 0..<appendCount {
        _ = try appendStore.append(
            EventDraft(.noteAdded, payload: ["text": .string("note number \(index) from the benchmark")]),
            to: appendIncident.id, actor: "bench@bench", at: Date())
    }
}
// Peer: the sqlite3 CLI doing the same number of autocommit INSERTs with the same durability settings.
var peerSQL = """
    PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
    CREATE TABLE events (id INTEGER PRIMARY KEY, incident INTEGER, seq INTEGER, ts_ms INTEGER, actor TEXT,
        type TEXT, step_id TEXT, payload TEXT, prev_hash TEXT, hash TEXT, UNIQUE (incident, seq));

    """
for index in 0..<appendCount {
    peerSQL +=
        "INSERT INTO events (incident, seq, ts_ms, actor, type, payload, prev_hash, hash) VALUES "
        + "(1, \(index + 2), 0, 'bench@bench', 'note.added', '{\"text\":\"note number \(index)\"}', '', '');\n"
}
let peerAppendTime = try timeProcess(
    "/usr/bin/sqlite3", [directory + "/peer-appends.sqlite3"], stdin: Data(peerSQL.utf8))
let appendRate = Double(appendCount) / appendTime
let peerAppendRate = Double(appendCount) / peerAppendTime
print("durable single-event appends: \(format(appendRate, 0))/s (\(appendCount) events in \(format(appendTime, 2)) s)")
print("  sqlite3 CLI, same count of autocommit INSERTs, WAL + synchronous=FULL: \(format(peerAppendRate, 0))/s")
print("  ratio runbook/sqlite3: \(format(appendRate / peerAppendRate, 2))")
result(
    "durable appends/s", format(appendRate, 0), "sqlite3 CLI autocommit INSERTs", format(peerAppendRate, 0),
    peerAppendRate / appendRate, "-")

// 2. Batched output through TranscriptOutputWriter: 4 KiB reads, as a pty delivers them.
let outputStore = try SQLiteTranscriptStore(path: directory + "/output.sqlite3")
let (outputIncident, _) = try outputStore.declareIncident(declaration, actor: "bench@bench", at: Date())
let command = try outputStore.append(
    EventDraft(.commandStarted, payload: ["command": "yes 'some log line'"]), to: outputIncident.id,
    actor: "bench@bench", at: Date())
let line = "2026-01-01T00:00:00Z INFO request served path=/api/v1/items status=200 duration_ms=12\n"
var block = Data()
while block.count < 4096 { block.append(Data(line.utf8)) }
block = block.prefix(4096)
let blocks = outputMegabytes * 1_048_576 / block.count
let writer = TranscriptOutputWriter(
    store: outputStore, incidentID: outputIncident.id, commandSequence: command.sequence)
let outputTime = try seconds {
    for index in 0..<blocks { writer.receive(block, offset: Double(index) / 1000) }
    try writer.finish()
}
let megabytes = Double(blocks * block.count) / 1_048_576
// Peer: dd writing the same number of bytes to a file with an fsync at the end (the disk's own pace).
let ddTime = try timeProcess(
    "/bin/dd",
    ["if=/dev/zero", "of=\(directory)/dd.out", "bs=4096", "count=\(blocks)", "conv=fsync", "status=none"])
print(
    "batched output into the store: \(format(megabytes / outputTime)) MB/s (\(format(megabytes, 0)) MB in \(format(outputTime, 2)) s, search-indexed)"
)
print("  dd, same bytes in 4 KiB writes + fsync: \(format(megabytes / ddTime)) MB/s")
print("  ratio runbook/dd: \(format(ddTime / outputTime, 2))")
result(
    "output into store MB/s", format(megabytes / outputTime), "dd + fsync", format(megabytes / ddTime),
    outputTime / ddTime, "-")

// 3. Reading back 100,000 events, beside the sqlite3 CLI reading the same rows.
let readPath = directory + "/read.sqlite3"
let readStore = try SQLiteTranscriptStore(path: readPath)
let (readIncident, _) = try readStore.declareIncident(declaration, actor: "bench@bench", at: Date())
var remaining = readEvents - 1
while remaining > 0 {
    let count = min(remaining, 5000)
    _ = try readStore.append(
        contentsOf: (0..<count).map { index in
            (
                EventDraft(
                    .commandFinished, stepID: "step-\(index % 40)",
                    payload: ["exit_code": 0, "duration_ms": .int(Int64(index)), "timed_out": false]),
                Date()
            )
        }, to: readIncident.id, actor: "bench@bench")
    remaining -= count
}
var readCount = 0
let readTime = try seconds { readCount = try readStore.events(incidentID: readIncident.id).count }
precondition(readCount == readEvents)
let sqliteReadTime = try timeProcess(
    "/usr/bin/sqlite3",
    [
        readPath,
        "SELECT seq, ts_ms, actor, type, step_id, payload, prev_hash, hash FROM events WHERE incident = \(readIncident.id) ORDER BY seq",
    ])
var intact = false
let verifyTime = try seconds { intact = try readStore.verify(incidentID: readIncident.id).isIntact }
precondition(intact)
print("read back \(readEvents) events (decoded RecordedEvent values): \(format(readTime * 1000, 0)) ms")
print("  sqlite3 CLI printing the same rows (incl. its start-up): \(format(sqliteReadTime * 1000, 0)) ms")
print("  ratio runbook/sqlite3: \(format(readTime / sqliteReadTime, 2))")
result(
    "read \(readEvents) events ms", format(readTime * 1000, 0), "sqlite3 CLI", format(sqliteReadTime * 1000, 0),
    readTime / sqliteReadTime, "-")
print("verify the chain of those \(readEvents) events: \(format(verifyTime * 1000, 0)) ms")
try? FileManager.default.removeItem(atPath: directory)

/// One machine-readable line for scripts/bench: metric, runbook's value, peer, peer's value, time ratio
/// (runbook's time over the peer's: lower is better), target.
func result(_ metric: String, _ value: String, _ peer: String, _ peerValue: String, _ ratio: Double, _ target: String) {
    print(["RESULT", metric, value, peer, peerValue, format(ratio, 2), target].joined(separator: "\t"))
}
