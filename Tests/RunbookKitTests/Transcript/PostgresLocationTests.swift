import Foundation
import Testing

@testable import RunbookPostgres

@Suite struct PostgresLocationTests {
    @Test func thePasswordComesFromTheURLThenPGPASSWORDThenThePasswordFile() throws {
        let directory = TemporaryDirectory().path
        let file = directory + "/pgpass"
        try """
        # comment
        otherhost:5432:*:alice:wrong
        db.example:6543:incidents:alice:from\\:file
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let url = "postgres://alice@db.example:6543/incidents?sslmode=require"
        let fromFile = try PostgresLocation(url: url, environment: ["PGPASSFILE": file])
        #expect(fromFile.password == "from:file")
        #expect(fromFile.sslMode == .require)
        #expect(fromFile.port == 6543)
        let fromEnvironment = try PostgresLocation(url: url, environment: ["PGPASSFILE": file, "PGPASSWORD": "env"])
        #expect(fromEnvironment.password == "env")
        let fromURL = try PostgresLocation(
            url: "postgres://alice:url%40pw@db.example:6543/incidents", environment: ["PGPASSWORD": "env"])
        #expect(fromURL.password == "url@pw")
        #expect(!fromURL.description.contains("url"))
        #expect(fromURL.description == "postgres://alice@db.example:6543/incidents?sslmode=disable")
        let none = try PostgresLocation(url: url, environment: ["PGPASSFILE": directory + "/missing"])
        #expect(none.password == nil)
    }

    @Test func aURLThatCannotBeUsedSaysWhatItLacksWithoutThePassword() {
        #expect(throws: PostgresStoreError.badURL(url: "postgres://:***@db/x", detail: "it needs a user name")) {
            try PostgresLocation(url: "postgres://:secret@db/x", environment: [:])
        }
        #expect(
            throws: PostgresStoreError.badURL(
                url: "postgres://u@db/x?sslmode=allow",
                detail: "sslmode=allow is not supported (use disable, require or verify-full)")
        ) {
            try PostgresLocation(url: "postgres://u@db/x?sslmode=allow", environment: [:])
        }
        #expect(throws: PostgresStoreError.self) { try PostgresLocation(url: "postgres://u@db/", environment: [:]) }
    }
}
