import Foundation
import Testing

@testable import RunbookKit

/// Where a store under test lives: each test runs once in memory and once on a real file.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case memory, file

    var testDescription: String { rawValue }

    func make(redactor: (any TextRedacting)? = nil) throws -> SQLiteTranscriptStore {
        switch self {
        case .memory: return try SQLiteTranscriptStore.inMemory(redactor: redactor)
        case .file: return try SQLiteTranscriptStore(path: TemporaryDirectory().path + "/t.sqlite3", redactor: redactor)
        }
    }
}

/// A fresh directory under the system temporary directory.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "runbook-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
}

extension IncidentDeclaration {
    static func sample(
        title: String = "Database down", severity: Severity = .p1, isDrill: Bool = false
    ) -> IncidentDeclaration {
        IncidentDeclaration(
            title: title, runbook: "database-issues", environment: "production", severity: severity,
            isDrill: isDrill, host: "bastion-1", user: "alice", policySnapshot: ["contacts": ["DevOps Lead"]])
    }
}

/// Replaces one fixed secret.
struct SecretRedactor: TextRedacting {
    var secret: String
    func redact(_ text: String) -> String { text.replacingOccurrences(of: secret, with: "[REDACTED]") }
}

extension SQLiteTranscriptStore {
    /// Raw SQL, as an attacker with the file (or a careless script) would run it.
    func executeForTesting(_ sql: String) throws {
        try writer.write { db in try db.execute(sql: sql) }
    }
}
