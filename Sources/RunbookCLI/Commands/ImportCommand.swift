import ArgumentParser
import Foundation
import RunbookKit

/// `runbook import PATH… [-o DIR | --in-place]`: converts existing runbooks into idiomatic ones and says what changed.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert existing runbooks (GitHub Markdown, Hugo, Docusaurus, Runme) into idiomatic ones.",
        discussion: """
            Strips `$ ` prompts and moves sample output into a ```text block, \
            turns <placeholder>s (and variables nothing sets) into declared \
            variables with prompts, adds stable step ids, and marks read-only \
            steps risk=read and steps a destructive rule matches \
            risk=destructive. It never changes what a command does: what it \
            cannot convert exactly it leaves as written and lists under \
            "needs a human". Converting a converted file changes nothing.

            Without -o or --in-place nothing is written: the summary says what \
            would change. -o DIR writes each file under DIR at its path \
            relative to the directory argument (a file argument keeps the \
            relative path it was given with); it never replaces a file unless \
            --force. --in-place replaces each file atomically, keeping its \
            mode; symbolic links are refused.

            Exit status: 0 done (also when some things need a human), 2 usage \
            error, or a file that cannot be read or written.
            """)

    @Argument(help: ArgumentHelp("Runbook files or directories to convert.", valueName: "path"))
    var paths: [String]

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write converted files under this directory.")
    var output: String?

    @Flag(help: "Replace each file with its converted text.")
    var inPlace = false

    @Flag(help: "With -o, replace files that exist in the output directory.")
    var force = false

    /// A usage problem, reported with exit status 2.
    struct UsageProblem: UserFacingError {
        var summary: String
        var hint: String?
        var exitStatus: ExitStatus { .usage }
    }

    func run() throws {
        if output != nil, inPlace {
            throw UsageProblem(summary: "-o and --in-place exclude each other", hint: "give one of them")
        }
        if paths.isEmpty { throw UsageProblem(summary: "no runbooks named", hint: "runbook import DIR -o OUT") }
        // Each file with the path it gets under -o.
        var files: [(path: String, relative: String)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIError.unreadableFile(path: path, reason: "no such file or directory")
            }
            if isDirectory.boolValue {
                let root = path.hasSuffix("/") ? path : path + "/"
                for file in try RunbookCatalog.runbookFiles(in: path) {
                    files.append(
                        (file, file.hasPrefix(root) ? String(file.dropFirst(root.count)) : Self.relativePath(of: file)))
                }
            } else {
                files.append((path, Self.relativePath(of: path)))
            }
        }
        var detectors: [String: DestructiveCommandDetector] = [:]
        var converted: [(path: String, relative: String, text: String, changed: Bool)] = []
        var total = RunbookImporter.Summary()
        var changedFiles = 0
        var report = ""
        for file in files {
            let text = try RunbookParser.decode(RunbookParser.readFile(file.path), path: file.path)
            let directory = (file.path as NSString).deletingLastPathComponent
            let key = directory.isEmpty ? "." : directory
            if detectors[key] == nil { detectors[key] = DestructiveCommandDetector.load(directory: key).detector }
            let importer = RunbookImporter(detector: detectors[key]!)
            let (result, summary) = importer.convert(text, path: file.path)
            total.add(summary)
            total.needsHuman += summary.needsHuman
            let changed = result != text
            if changed { changedFiles += 1 }
            report += "\(file.path): \(summary.description)\n"
            converted.append((file.path, file.relative, result, changed))
        }
        let count = "\(files.count) file\(files.count == 1 ? "" : "s")"
        let human = total.needsHuman.count
        report +=
            "total: \(count), \(changedFiles) changed; \(total.counts(naming: false))"
            + (human > 0 ? "; \(human) thing\(human == 1 ? "" : "s") need\(human == 1 ? "s" : "") a human" : "") + "\n"
        FileHandle.standardOutput.write(Data(report.utf8))
        if let output {
            // Refuse before writing anything when two files would go to one path, or a file would be replaced.
            var targets: Set<String> = []
            for file in converted where !targets.insert(file.relative).inserted {
                throw UsageProblem(
                    summary: "two of the files given would both be written to \(output)/\(file.relative)",
                    hint: "import them into different output directories")
            }
            if !force {
                for file in converted where FileManager.default.fileExists(atPath: output + "/" + file.relative) {
                    throw RunbookImporter.WriteError(
                        path: output + "/" + file.relative, reason: "exists already",
                        hint: "choose an empty output directory, or add --force")
                }
            }
            for file in converted {
                try RunbookImporter.create(output + "/" + file.relative, with: file.text, overwrite: force)
            }
            FileHandle.standardOutput.write(
                Data("wrote \(converted.count) file\(converted.count == 1 ? "" : "s") under \(output)\n".utf8))
        } else if inPlace {
            for file in converted where file.changed {
                try RunbookImporter.replace(file.path, with: file.text)
            }
            FileHandle.standardOutput.write(Data("rewrote \(changedFiles) file\(changedFiles == 1 ? "" : "s")\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data("nothing written: give -o DIR or --in-place\n".utf8))
        }
    }

    /// Where a file argument goes under -o: the relative path it was given with (without `./`), or its name when
    /// it was given as an absolute path or climbs out with `..`.
    static func relativePath(of path: String) -> String {
        var relative = path
        while relative.hasPrefix("./") { relative.removeFirst(2) }
        if relative.hasPrefix("/") || relative.split(separator: "/").contains("..") {
            return (path as NSString).lastPathComponent
        }
        return relative
    }
}
