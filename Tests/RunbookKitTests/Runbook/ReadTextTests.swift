import Foundation
import Testing

@testable import RunbookKit

/// The linter reads files with `RunbookParser.readText`; it must give what `decode(readFile(path))` gives.
@Suite struct ReadTextTests {
    static func outcome(_ body: () throws -> String) -> String {
        do { return "text:" + (try body()) } catch { return "error:\(error)" }
    }

    @Test func readTextAgreesWithReadFileThenDecode() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("readtext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var contents: [String: Data] = [
            "plain.md": Data("# Title\n\ntext\n".utf8),
            "empty.md": Data(),
            "nul.md": Data("line\nab\0c\n".utf8),
            "latin1.md": Data([0x23, 0x20, 0x43, 0x61, 0x66, 0xE9, 0x0A]),
            "exactly-64k.md": Data(repeating: UInt8(ascii: "x"), count: 65_536),
            "over-64k.md": Data(("é" + String(repeating: "abc\n", count: 40_000)).utf8),
        ]
        contents["subdir.md/inner.md"] = Data("# inner\n".utf8)
        for (name, data) in contents {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        let buffer = RunbookParser.ReadBuffer(capacity: 16)
        let names = contents.keys.sorted() + ["subdir.md", "missing.md", "missing-dir/x.md"]
        for name in names {
            let path = directory.appendingPathComponent(name).path
            let expected = Self.outcome { try RunbookParser.decode(RunbookParser.readFile(path), path: path) }
            let actual = Self.outcome { try RunbookParser.readText(path, buffer: buffer) }
            #expect(actual == expected, "\(name)")
        }
    }
}
