import Foundation
import GRDB
import RunbookTestSupport
import Testing

@testable import RunbookKit

@Suite struct TranscriptMigrationsTests {
    @Test func migrationNamesAreUnique() {
        let names = TranscriptMigrations.all.map(\.name)
        #expect(Set(names).count == names.count)
    }

    @Test func aNewDatabaseHasEveryMigrationAppliedInOrder() throws {
        let store = try SQLiteTranscriptStore.inMemory()
        #expect(try store.appliedMigrationNames() == TranscriptMigrations.all.map(\.name))
    }

    @Test func reopeningAFileAppliesNothingTwice() throws {
        let path = TemporaryDirectory().path + "/t.sqlite3"
        let first = try SQLiteTranscriptStore(path: path)
        _ = try first.declareIncident(.sample(), actor: "a@h", at: Date())
        let second = try SQLiteTranscriptStore(path: path)
        #expect(try second.appliedMigrationNames() == TranscriptMigrations.all.map(\.name))
        #expect(try second.incidents(openOnly: false, drillsOnly: false).count == 1)
    }

    @Test func aDatabaseWithAnUnknownMigrationIsRefusedWithoutChange() throws {
        let path = TemporaryDirectory().path + "/t.sqlite3"
        do {
            let store = try SQLiteTranscriptStore(path: path)
            try store.executeForTesting(
                "INSERT INTO schema_migrations (name, applied_at_ms) VALUES ('v3-from-the-future', 0)")
        }
        let before = FileManager.default.contents(atPath: path)
        #expect(throws: TranscriptError.newerSchema(path: path, unknownMigrations: ["v3-from-the-future"])) {
            _ = try SQLiteTranscriptStore(path: path)
        }
        #expect(FileManager.default.contents(atPath: path) == before)
    }

    // The openings wait on each other's SQLite lock: on threads of their own, not the cooperative pool's.
    @Test(.ownThreads) func manyConnectionsOpeningANewFileAtOnceMigrateItOnce() async throws {
        let path = TemporaryDirectory().path + "/t.sqlite3"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask { _ = try SQLiteTranscriptStore(path: path) }
            }
            try await group.waitForAll()
        }
        #expect(try SQLiteTranscriptStore(path: path).appliedMigrationNames() == TranscriptMigrations.all.map(\.name))
    }

    @Test func newFilesAreOwnerOnlyAndMissingDirectoriesAre0700() throws {
        let root = TemporaryDirectory().path
        let path = root + "/a/b/t.sqlite3"
        _ = try SQLiteTranscriptStore(path: path)
        let attributes = { (p: String) in try FileManager.default.attributesOfItem(atPath: p)[.posixPermissions] as? Int
        }
        #expect(try attributes(path) == 0o600)
        #expect(try attributes(root + "/a") == 0o700)
        #expect(try attributes(root + "/a/b") == 0o700)
    }
}
