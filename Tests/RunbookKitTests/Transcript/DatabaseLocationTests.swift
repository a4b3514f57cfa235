import Foundation
import RunbookKit
import Testing

@Suite struct DatabaseLocationTests {
    let scratch = TemporaryDirectory().path

    @Test func theFlagWinsOverEverything() {
        let location = DatabaseLocation.resolve(
            flag: "/tmp/a.sqlite3", environment: ["RUNBOOK_DB": "/tmp/b.sqlite3"], currentDirectory: scratch)
        #expect(location == DatabaseLocation(path: "/tmp/a.sqlite3", source: .flag))
    }

    @Test func theEnvironmentComesNext() {
        let location = DatabaseLocation.resolve(
            flag: nil, environment: ["RUNBOOK_DB": "/tmp/b.sqlite3"], currentDirectory: scratch)
        #expect(location == DatabaseLocation(path: "/tmp/b.sqlite3", source: .environment))
    }

    @Test func aTranscriptsDirectoryInTheWorkingDirectoryIsUsedWhenItExists() throws {
        try FileManager.default.createDirectory(atPath: scratch + "/transcripts", withIntermediateDirectories: true)
        let location = DatabaseLocation.resolve(
            flag: nil, environment: ["RUNBOOK_DB": "", "XDG_STATE_HOME": "/state"], currentDirectory: scratch)
        #expect(location == DatabaseLocation(path: scratch + "/transcripts/runbook.sqlite3", source: .projectDirectory))
    }

    @Test func otherwiseTheXDGStateDirectory() {
        let location = DatabaseLocation.resolve(
            flag: nil, environment: ["XDG_STATE_HOME": "/state", "HOME": "/home/alice"], currentDirectory: scratch)
        #expect(location == DatabaseLocation(path: "/state/runbook/runbook.sqlite3", source: .stateDirectory))
    }

    @Test func aRelativeXDGStateHomeIsIgnoredAsTheSpecificationSays() {
        let location = DatabaseLocation.resolve(
            flag: nil, environment: ["XDG_STATE_HOME": "state", "HOME": "/home/alice"], currentDirectory: scratch)
        #expect(location.path == "/home/alice/.local/state/runbook/runbook.sqlite3")
    }
}
