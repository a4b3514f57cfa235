import Foundation
import Testing

@testable import RunbookKit

/// Imports are module-wide in Swift, so nothing stops a file in `Transcript/` from using a type declared in
/// `Session/`. This suite reads the sources and fails when the folders of `Sources/RunbookKit` (or of
/// `Sources/RunbookCLI`) stop forming layers: a cycle of folders, each using a type another one declares.
@Suite struct FolderCycleTests {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// RunbookKit's folders, and RunbookCLI's (Rendering, REPL, Commands).
    @Test(arguments: [("RunbookKit", 8), ("RunbookCLI", 3)])
    func foldersHaveNoCycle(module: String, atLeast folders: Int) throws {
        let root = Self.sources.appendingPathComponent(module)
        let graph = try FolderGraph(root: root)
        #expect(graph.folders.count >= folders, "read \(graph.folders) under \(root.path)")
        let cycle = graph.cycle()
        #expect(cycle == nil, "folder cycle in \(module): \(cycle.map(graph.describe) ?? "")")
    }

    @Test func aTypeUsedBothWaysIsReportedWithTheFilesThatUseIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cycles-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = [
            "Core/Clock.swift": "public protocol Clock {}\n",
            "Low/Record.swift": "public struct Record { var clock: any Clock }\n// Session is only mentioned here\n",
            "High/Session.swift": "final class Session { let record: Record? = nil\n let name = \"Record\" }\n",
        ]
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        // Comments and string literals do not count: no cycle yet.
        #expect(try FolderGraph(root: root).cycle() == nil)

        try "extension Record { func owner() -> Any { Session.self } }\n"
            .write(to: root.appendingPathComponent("Low/Record+Owner.swift"), atomically: true, encoding: .utf8)
        let graph = try FolderGraph(root: root)
        let cycle = try #require(graph.cycle())
        #expect(Set(cycle) == ["High", "Low"])
        let text = graph.describe(cycle)
        #expect(text.contains("Session (Record+Owner.swift)"))
        #expect(text.contains("Record (Session.swift)"))
    }
}

/// Which folder uses which: an edge A → B when a file in A names a type (or top-level function) declared in B.
struct FolderGraph {
    /// folder → folder it uses → "Type (File.swift)" evidence.
    private(set) var edges: [String: [String: Set<String>]] = [:]
    private(set) var folders: Set<String> = []

    init(root: URL) throws {
        var files: [(folder: String, name: String, text: String)] = []
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let relative = url.path.dropFirst(root.path.count).split(separator: "/")
            guard relative.count >= 2 else { continue }
            let text = Self.code(try String(contentsOf: url, encoding: .utf8))
            files.append((String(relative[0]), url.lastPathComponent, text))
            folders.insert(String(relative[0]))
        }
        // Declarations at the start of a line (top level), with any modifiers.
        let declaration = try Regex(
            #"(?m)^(?:(?:public|package|internal|final|indirect|open)\s+)*(?:struct|class|enum|protocol|actor|typealias|func)\s+([A-Za-z_]\w*)"#
        )
        var owners: [String: Set<String>] = [:]
        for file in files {
            for match in file.text.matches(of: declaration) {
                if let name = match.output[1].substring { owners[String(name), default: []].insert(file.folder) }
            }
        }
        let identifier = try Regex(#"[A-Za-z_][A-Za-z0-9_]*"#)
        for file in files {
            let used = Set(file.text.matches(of: identifier).map { String(file.text[$0.range]) })
            for name in used {
                for owner in owners[name] ?? [] where owner != file.folder {
                    edges[file.folder, default: [:]][owner, default: []].insert("\(name) (\(file.name))")
                }
            }
        }
    }

    /// One cycle of folders, if any (each uses the next, the last uses the first).
    func cycle() -> [String]? {
        var state: [String: Bool] = [:]  // false: on the current path; true: done
        var path: [String] = []
        func visit(_ folder: String) -> [String]? {
            state[folder] = false
            path.append(folder)
            for next in (edges[folder] ?? [:]).keys.sorted() {
                if state[next] == false { return Array(path[path.firstIndex(of: next)!...]) }
                if state[next] == nil, let found = visit(next) { return found }
            }
            path.removeLast()
            state[folder] = true
            return nil
        }
        for folder in folders.sorted() where state[folder] == nil {
            if let found = visit(folder) { return found }
        }
        return nil
    }

    func describe(_ cycle: [String]) -> String {
        zip(cycle, cycle.dropFirst() + [cycle[0]]).map { from, to in
            "\(from) → \(to) by " + (edges[from]?[to] ?? []).sorted().prefix(6).joined(separator: ", ")
        }.joined(separator: "; ")
    }

    /// The text with comments and string literals removed: only code names a type.
    static func code(_ text: String) -> String {
        var result = ""
        var iterator = text.unicodeScalars.makeIterator()
        var previous: Unicode.Scalar?
        var inString = false, inLineComment = false, inBlockComment = false, escaped = false
        while let scalar = iterator.next() {
            defer { previous = scalar }
            if inLineComment {
                if scalar == "\n" { inLineComment = false; result.unicodeScalars.append(scalar) }
            } else if inBlockComment {
                if previous == "*" && scalar == "/" { inBlockComment = false }
            } else if inString {
                if escaped {
                    escaped = false
                } else if scalar == "\\" {
                    escaped = true
                } else if scalar == "\"" {
                    inString = false
                } else if scalar == "\n" {
                    result.unicodeScalars.append(scalar)
                }
            } else if previous == "/" && scalar == "/" {
                result.unicodeScalars.removeLast()
                inLineComment = true
            } else if previous == "/" && scalar == "*" {
                result.unicodeScalars.removeLast()
                inBlockComment = true
            } else if scalar == "\"" {
                inString = true
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
