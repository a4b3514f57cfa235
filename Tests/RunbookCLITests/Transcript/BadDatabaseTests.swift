import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Each way a database can be unusable gives a message naming the path, exit 4, and leaves the file alone.
@Suite struct BadDatabaseTests {
    /// Runs `runbook` as a user without special powers: as `nobody` when the tests run as root
    /// (root ignores file modes), else as the current user.
    func runUnprivileged(_ arguments: [String], database: String, timeout: String = "0.3") throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        if getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments =
                ["--reuid=65534", "--regid=65534", "--clear-groups", "--", BuiltBinary.path] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
            process.arguments = arguments
        }
        var environment = ProcessInfo.processInfo.environment
        environment["RUNBOOK_DB"] = database
        environment["RUNBOOK_DB_TIMEOUT"] = timeout
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = DescriptorReading.readToEnd(output.fileHandleForReading)
        let err = DescriptorReading.readToEnd(error.fileHandleForReading)
        process.waitUntilExit()
        return (
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self)
        )
    }

    func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    func chmod(_ path: String, _ mode: Int) throws {
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    @Test func aFileThatIsNotSQLiteIsRefusedUntouched() throws {
        let db = ScratchDatabase()
        let garbage = Data(String(repeating: "this is not a database\n", count: 200).utf8)
        try garbage.write(to: URL(fileURLWithPath: db.path))
        let result = try db.run(["incidents"])
        #expect(result.status == 4)
        #expect(result.stderr.contains(db.path))
        #expect(result.stderr.contains("corrupt or not an SQLite database"))
        #expect(result.stderr.contains("never overwrites"))
        #expect(contents(db.path) == garbage)
    }

    @Test func aDamagedSchemaPageIsReportedAsCorrupt() throws {
        let db = ScratchDatabase()
        _ = try db.declare()
        var bytes = try #require(contents(db.path))
        for index in 100..<4096 { bytes[index] = 0xAB }
        try bytes.write(to: URL(fileURLWithPath: db.path))
        let result = try db.run(["incidents"])
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("corrupt"))
        #expect(result.stderr.contains(db.path))
        #expect(contents(db.path) == bytes)
    }

    @Test func aDatabaseFromANewerRunbookIsRefusedUntouched() throws {
        let db = ScratchDatabase()
        _ = try db.declare()
        try db.sqlite("INSERT INTO schema_migrations (name, applied_at_ms) VALUES ('v9-from-the-future', 0)")
        let before = try #require(contents(db.path))
        let result = try db.run(["note", "1", "hello"])
        #expect(result.status == 4)
        #expect(result.stderr.contains("written by a newer runbook"))
        #expect(result.stderr.contains("v9-from-the-future"))
        #expect(result.stderr.contains(db.path))
        #expect(contents(db.path) == before)
        #expect(try db.sqlite("SELECT count(*) FROM events").trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }

    @Test func aReadOnlyDirectoryIsNamed() throws {
        let db = ScratchDatabase()
        _ = try db.declare()
        try chmod(db.path, 0o666)
        try chmod(db.directory, 0o555)
        defer { try? chmod(db.directory, 0o755) }
        let result = try runUnprivileged(["note", "1", "hello"], database: db.path)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("the directory \(db.directory) is not writable"))
        let fresh = try runUnprivileged(["note", "1", "hello"], database: db.directory + "/new/runbook.sqlite3")
        #expect(fresh.status == 4, "\(fresh.stderr)")
        #expect(fresh.stderr.contains("is not writable"))
    }

    @Test func aReadOnlyFileIsNamedAndNotModified() throws {
        let db = ScratchDatabase()
        _ = try db.declare()
        let before = try #require(contents(db.path))
        try chmod(db.directory, 0o777)
        try chmod(db.path, 0o444)
        let result = try runUnprivileged(["note", "1", "hello"], database: db.path)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("\(db.path): the transcript database is read-only"))
        #expect(result.stderr.contains("chmod u+w"))
        #expect(contents(db.path) == before)
    }

    @Test func anUnreadableFileIsNamed() throws {
        let db = ScratchDatabase()
        _ = try db.declare()
        try chmod(db.directory, 0o777)
        try chmod(db.path, 0o000)
        let result = try runUnprivileged(["incidents"], database: db.path)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("\(db.path): cannot read the transcript database"))
    }

    @Test func aLockHeldLongerThanTheTimeoutIsReportedAsLocked() throws {
        let db = ScratchDatabase()
        let id = try db.declare()
        let holder = try RunningBinary([db.path], executable: "/usr/bin/sqlite3")
        // `.shell` output bypasses sqlite3's stdout buffer, so "locked" arrives once the lock is held.
        holder.write("BEGIN EXCLUSIVE;\n.shell echo locked\n")
        #expect(holder.readLine() == "locked")
        let result = try db.run(["note", String(id), "blocked"], environment: ["RUNBOOK_DB_TIMEOUT": "0.2"])
        holder.write("COMMIT;\n")
        holder.closeInput()
        holder.wait()
        #expect(result.status == 4)
        #expect(result.stderr.contains("stayed locked by another process"))
        #expect(result.stderr.contains(db.path))
        #expect(try db.run(["note", String(id), "after the lock"]).status == 0)
        #expect(try db.run(["verify", String(id)]).status == 0)
    }
}
