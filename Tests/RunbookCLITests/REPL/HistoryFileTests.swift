import Foundation
import Testing

@testable import RunbookCLI

@Suite struct HistoryFileTests {
    @Test func runbookHistoryOverridesTheStateDirectory() {
        let file = HistoryFile.standard(environment: ["RUNBOOK_HISTORY": "/tmp/h", "XDG_STATE_HOME": "/state"])
        #expect(file?.path == "/tmp/h")
    }

    @Test func anEmptyRunbookHistoryTurnsHistoryOff() {
        #expect(HistoryFile.standard(environment: ["RUNBOOK_HISTORY": "", "HOME": "/home/a"]) == nil)
    }

    @Test func historyLivesInTheXDGStateDirectory() {
        let file = HistoryFile.standard(environment: ["XDG_STATE_HOME": "/state", "HOME": "/home/a"])
        #expect(file?.path == "/state/runbook/history")
    }

    @Test func aRelativeXDGStateHomeIsIgnored() {
        let file = HistoryFile.standard(environment: ["XDG_STATE_HOME": "state", "HOME": "/home/a"])
        #expect(file?.path == "/home/a/.local/state/runbook/history")
    }

    @Test func withoutAHomeThereIsNoHistoryFile() {
        #expect(HistoryFile.standard(environment: [:]) == nil)
    }

    @Test func blankLinesAndLinesStartingWithASpaceAreNotRecorded() {
        #expect(HistoryFile.shouldRecord("next"))
        #expect(HistoryFile.shouldRecord("set TOKEN=x") == true)
        #expect(!HistoryFile.shouldRecord(" set TOKEN=x"))
        #expect(!HistoryFile.shouldRecord(""))
        #expect(!HistoryFile.shouldRecord("\t"))
    }

    @Test func prepareCreatesAPrivateDirectoryAndFile() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("state/runbook/history").path
        try HistoryFile(path: path).prepare()
        #expect(try permissions(of: path) == 0o600)
        #expect(try permissions(of: (path as NSString).deletingLastPathComponent) == 0o700)
    }

    @Test func prepareTightensAFileOthersCouldRead() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("history").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("next\n".utf8)))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try HistoryFile(path: path).prepare()
        #expect(try permissions(of: path) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "next\n")
    }

    @Test func prepareFailsWhereTheFileCannotBeCreated() throws {
        #expect(throws: (any Error).self) { try HistoryFile(path: "/proc/runbook-no/history").prepare() }
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-history-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func permissions(of path: String) throws -> Int {
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        return try #require(mode).intValue & 0o777
    }
}
