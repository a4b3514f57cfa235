import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// `runbook import` through the built binary: a directory converted into another, linted, converted again, and a
/// converted runbook run.
@Suite struct ImportEndToEndTests {
    static let fixtures = "Tests/RunbookCLITests/Fixtures/import"

    @Test func importedDirectoryLintsCleanExceptPlaceholdersAndASecondImportChangesNothing() throws {
        let scratch = try ScratchRunbooks("import-dir")
        defer { try? FileManager.default.removeItem(at: scratch.directory) }
        let first = scratch.directory.appendingPathComponent("first").path
        let second = scratch.directory.appendingPathComponent("second").path
        let result = try BuiltBinary.run(["import", Self.fixtures, "-o", first])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(
            result.stdout.contains(
                "\(Self.fixtures)/PodCrashLooping.md: 4 prompts stripped, 2 sample outputs marked, 14 placeholders → 3 variables (NAMESPACE, POD_NAME, DEPLOYMENT), 1 export left as is (capture= is not exact), 8 ids, 6 risk=read, 1 risk=destructive; needs a human: line 40 placeholder `<pod-name>` inside single quotes"
            ), "\(result.stdout)")
        #expect(result.stdout.contains("total: 4 files, 4 changed;"), "\(result.stdout)")
        #expect(result.stdout.hasSuffix("wrote 4 files under \(first)\n"))
        // Lint finds only what needs a human: the placeholder in braces that was left.
        let lint = try BuiltBinary.run(["lint", "--strict", first])
        let findings = lint.stdout.split(separator: "\n").filter {
            $0.contains(": error: ") || $0.contains(": warning: ")
        }
        #expect(
            findings == [
                "\(first)/Variables.md:34:22: error: placeholder `{route_namespace}` left in the command: the shell passes it as written"
            ], "\(lint.stdout)")
        // A second import of the converted files changes nothing.
        let again = try BuiltBinary.run(["import", first, "-o", second])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("total: 4 files, 0 changed;"), "\(again.stdout)")
        for name in try FileManager.default.contentsOfDirectory(atPath: first) {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(first)/\(name)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(second)/\(name)"))
            #expect(a == b, "\(name)")
        }
        // The CRLF file stays CRLF.
        let windows = try String(contentsOfFile: "\(first)/WindowsLineEndings.md", encoding: .utf8)
        #expect(
            windows.contains("```shell {id=look risk=read}\r\noc get nodes -l node-role.kubernetes.io/\"$ROLE\"=\r\n"))
        #expect(!windows.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func outputDirectoryFilesAreNotReplacedWithoutForce() throws {
        let scratch = try ScratchRunbooks("import-force")
        defer { try? FileManager.default.removeItem(at: scratch.directory) }
        let out = scratch.directory.appendingPathComponent("out").path
        #expect(try BuiltBinary.run(["import", Self.fixtures, "-o", out]).status == 0)
        let refused = try BuiltBinary.run(["import", Self.fixtures, "-o", out])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("PodCrashLooping.md: exists already"), "\(refused.stderr)")
        #expect(try BuiltBinary.run(["import", Self.fixtures, "-o", out, "--force"]).status == 0)
        // Two absolute paths with one name would both go to DIR/Runme.md.
        let copy = scratch.runbooks.appendingPathComponent("Runme.md").path
        try "# R\n".write(toFile: copy, atomically: false, encoding: .utf8)
        let fixture = BuiltBinary.packageRoot.appendingPathComponent("\(Self.fixtures)/Runme.md").path
        let clash = try BuiltBinary.run([
            "import", fixture, copy, "-o", scratch.directory.appendingPathComponent("clash").path,
        ])
        #expect(clash.status == 2)
        #expect(clash.stderr.contains("would both be written to"), "\(clash.stderr)")
    }

    @Test func withoutOutputNothingIsWritten() throws {
        let before = try String(contentsOfFile: "\(Self.fixtures)/Runme.md", encoding: .utf8)
        let result = try BuiltBinary.run(["import", "\(Self.fixtures)/Runme.md"])
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("nothing written: give -o DIR or --in-place\n"))
        #expect(try String(contentsOfFile: "\(Self.fixtures)/Runme.md", encoding: .utf8) == before)
        let usage = try BuiltBinary.run(["import", "nowhere.md"])
        #expect(usage.status == 2)
    }

    @Test func inPlaceRewritesTheFileKeepingItsModeAndRefusesALink() throws {
        let scratch = try ScratchRunbooks("import-in-place")
        defer { try? FileManager.default.removeItem(at: scratch.directory) }
        let file = scratch.runbooks.appendingPathComponent("look.md").path
        try "# Look\n\n```bash\n$ echo hi\nhi\n```\n".write(toFile: file, atomically: false, encoding: .utf8)
        chmod(file, 0o640)
        let result = try BuiltBinary.run(["import", "--in-place", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try String(contentsOfFile: file, encoding: .utf8)
                == "# Look\n\n```bash {id=look risk=read}\necho hi\n```\n\nSample output:\n\n```text\nhi\n```\n")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o640)
        let link = scratch.runbooks.appendingPathComponent("link.md").path
        try "# L\n\n```bash\n$ ls\n```\n".write(toFile: file, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        let refused = try BuiltBinary.run(["import", "--in-place", link])
        #expect(refused.status == 2)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "# L\n\n```bash\n$ ls\n```\n")
    }

    @Test func aConvertedStepRunsWithTheVariableTheResponderGives() throws {
        let scratch = try ScratchRunbooks("import-run")
        defer { try? FileManager.default.removeItem(at: scratch.directory) }
        let source = scratch.directory.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try "# Greet\n\n## Say hello\n\n```sh\n$ echo \"hello <pod-name>\"\nhello web-0\n```\n".write(
            to: source.appendingPathComponent("greet.md"), atomically: true, encoding: .utf8)
        let converted = scratch.directory.appendingPathComponent("converted").path
        #expect(try BuiltBinary.run(["import", source.path, "-o", converted]).status == 0)
        let result = try BuiltBinary.run(
            ["start", "greet", "--env", "staging", "--runbooks", converted, "--db", scratch.database],
            stdin: "web-7\ny\nq\n", currentDirectory: scratch.directory)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("pod name (POD_NAME):"), "\(result.stdout)")
        #expect(result.stdout.contains("hello web-7\n"), "\(result.stdout)")
        let events = try SQLiteTranscriptStore(path: scratch.database).events(incidentID: 1)
        let commands = events.filter { $0.type == .commandStarted }.map { $0.payload["command"] }
        #expect(commands == ["echo \"hello $POD_NAME\""])
    }
}
