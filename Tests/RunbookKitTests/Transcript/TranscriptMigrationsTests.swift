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

    /// A file written before incident keys were unique, where two services declared one alert group twice, still
    /// opens: the first incident keeps the key, the later one gets `~ID`, and both transcripts still verify.
    @Test func aFileHoldingOneIncidentKeyTwiceOpensAndKeepsTheFirstIncidentsKey() throws {
        let path = TemporaryDirectory().path + "/t.sqlite3"
        do {
            let store = try SQLiteTranscriptStore(path: path)
            var declaration = IncidentDeclaration.sample()
            declaration.incidentKey = "am-0123456789ab-1"
            _ = try store.declareIncident(declaration, actor: "serve@a", at: Date())
            declaration.incidentKey = "am-0123456789ab-2"
            _ = try store.declareIncident(declaration, actor: "serve@b", at: Date())
            _ = try store.declareIncident(.sample(), actor: "a@h", at: Date())
            // As a file before `v6-incident-key-unique` could be: the second key declared again.
            try store.executeForTesting(
                """
                DROP INDEX incidents_by_key;
                DELETE FROM schema_migrations WHERE name = 'v6-incident-key-unique';
                UPDATE incidents SET incident_key = 'am-0123456789ab-1' WHERE id = 2
                """)
        }
        let store = try SQLiteTranscriptStore(path: path)
        #expect(try store.appliedMigrationNames().last == "v6-incident-key-unique")
        let keys = try store.incidents(openOnly: false, drillsOnly: false).sorted { $0.id < $1.id }.map(\.incidentKey)
        #expect(keys.prefix(2) == ["am-0123456789ab-1", "am-0123456789ab-1~2"])
        #expect(keys[2]?.count == 32)
        for id: Int64 in 1...3 { #expect(try store.verify(incidentID: id).firstBrokenSequence == nil) }
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
