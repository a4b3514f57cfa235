import Foundation
import RunbookKit
import Testing

/// `ExportFile.write` on real files: atomic replacement, modes kept, symbolic links and foreign files refused.
@Suite struct ExportFileTests {
    let directory = NSTemporaryDirectory() + "runbook-export-file-" + UUID().uuidString
    let marker = "<!-- runbook export"

    struct SinkFailed: Error {}

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    private func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    private func write(_ text: String, to path: String, force: Bool = false) throws {
        try ExportFile.write(to: path, marker: marker, force: force) { sink in
            try Data(text.utf8).withUnsafeBytes { try sink.write($0) }
        }
    }

    private func contents(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func anExportThatFailsHalfwayLeavesTheOldFileWholeAndNoTemporaryFile() throws {
        let path = directory + "/postmortem.md"
        let old = marker + " -->\n" + String(repeating: "the author's words\n", count: 10_000)
        try write(old, to: path)
        #expect(
            throws: SinkFailed.self,
            performing: {
                try ExportFile.write(to: path, marker: marker) { sink in
                    try Data("<!-- runbook export -->\nhalf a docu".utf8).withUnsafeBytes { try sink.write($0) }
                    throw SinkFailed()
                }
            })
        #expect(contents(path) == old)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["postmortem.md"])
    }

    @Test func aNewFileIsPrivateAndAReplacedFileKeepsItsMode() throws {
        let path = directory + "/new.md"
        try write(marker + " -->\none", to: path)
        #expect(try mode(path) == 0o600)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try write(marker + " -->\ntwo", to: path)
        #expect(contents(path) == marker + " -->\ntwo")
        #expect(try mode(path) == 0o644)
    }

    @Test func aFileWithoutTheMarkerIsReplacedOnlyWithForce() throws {
        let path = directory + "/hand-written.md"
        try "# My postmortem\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: ExportError.notAnExport(path: path, marker: marker)) {
            try write(marker + " -->\nexport", to: path)
        }
        #expect(contents(path) == "# My postmortem\n")
        try write(marker + " -->\nexport", to: path, force: true)
        #expect(contents(path) == marker + " -->\nexport")
    }

    @Test func aSymbolicLinkIsNeverWrittenThroughEvenWithForce() throws {
        let target = directory + "/target.md"
        let link = directory + "/link.md"
        try (marker + " -->\ntarget").write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        for force in [false, true] {
            #expect(throws: ExportError.symbolicLink(path: link)) { try write("replaced", to: link, force: force) }
        }
        #expect(contents(target) == marker + " -->\ntarget")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
    }

    @Test func aDeviceIsWrittenInPlace() throws {
        try write("discarded", to: "/dev/null")
        #expect(FileManager.default.fileExists(atPath: "/dev/null"))
    }
}
