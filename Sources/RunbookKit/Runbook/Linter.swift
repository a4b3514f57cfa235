import Foundation

/// Checks runbooks for mistakes a responder would trip over: bad attributes, duplicate ids, broken links,
/// undeclared variables, leftover placeholders, unmarked destructive commands, missing titles, and
/// escalation rows that do not parse.
public struct Linter: Sendable {
    /// Environment variables every shell has; using them in a command needs no declaration.
    public static let ordinaryEnvironmentVariables: Set<String> = [
        "HOME", "PATH", "USER", "LOGNAME", "PWD", "OLDPWD", "SHELL", "TERM", "LANG", "LANGUAGE", "LC_ALL",
        "LC_CTYPE", "TMPDIR", "TZ", "HOSTNAME", "HOSTTYPE", "OSTYPE", "UID", "EUID", "PPID", "RANDOM", "SECONDS",
        "LINENO", "BASH", "BASH_SOURCE", "BASH_VERSION", "BASHPID", "IFS", "OPTARG", "OPTIND", "PS1", "PS2", "PS4",
        "EDITOR", "VISUAL", "PAGER", "COLUMNS", "LINES", "REPLY", "PIPESTATUS", "FUNCNAME", "HISTFILE",
        "DISPLAY", "SSH_AUTH_SOCK", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
    ]

    /// Variables the incident always defines.
    public static let incidentVariables: Set<String> = ["ENVIRONMENT"]

    public init() {}

    /// Lints files and directories (a directory means its runbooks and its subdirectories' as `RunbookCatalog`
    /// reads them, and whether an escalation policy is found for it).
    public func lint(paths: [String], environment: [String: String] = ProcessInfo.processInfo.environment)
        -> LintReport
    {
        var files: [String] = []
        var unreadable: [RunbookParseError] = []
        var skipped: [Diagnostic] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                do {
                    let listing = try RunbookCatalog.listRunbookFiles(in: path)
                    files += listing.files
                    skipped += listing.skipped.map(\.diagnostic)
                    // A note (never a failure, even with --strict): a CI machine has no user configuration.
                    if let missing = EscalationPolicyLookup.note(runbooksDirectory: path, environment: environment) {
                        skipped.append(missing)
                    }
                } catch {
                    unreadable.append(RunbookParseError(summary: error.summary, hint: error.hint))
                }
            } else {
                files.append(path)
            }
        }
        // Each directory's destructive rules (its `destructive.yaml`) and redaction rules, read once.
        var detectors: [String: DestructiveCommandDetector] = [:]
        var diagnostics = skipped
        for file in files {
            let directory = Self.directory(of: file)
            guard detectors[directory] == nil else { continue }
            let loaded = DestructiveCommandDetector.load(directory: directory)
            detectors[directory] = loaded.detector
            diagnostics += loaded.diagnostics
            // Its redaction rules (`redaction.yaml`), which a session would refuse to start with.
            diagnostics += Redactor.loadPatterns(directory: directory).errors.map {
                Diagnostic.error($0.summary, at: $0.location ?? SourceLocation(file: directory, line: 1), hint: $0.hint)
            }
        }
        var cache = RunbookCache()
        var checked = 0
        for file in files {
            switch cache.takeForLinting(file) {
            case .failure(let error):
                unreadable.append(error)
            case .success(let parsed):
                checked += 1
                diagnostics += parsed.diagnostics
                diagnostics += check(
                    parsed.runbook, cache: &cache, detector: detectors[Self.directory(of: file)] ?? .standard)
            }
        }
        return LintReport(
            diagnostics: Diagnostic.sortedForOutput(diagnostics), unreadable: unreadable, filesChecked: checked)
    }

    /// The directory of `path`, as `destructive.yaml` is looked for in it (`.` for a bare file name).
    static func directory(of path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    /// The linter's own checks on one parsed runbook (parser diagnostics are not included), sorted by position;
    /// `detector` holds the destructive rules of the runbook's directory.
    public func check(_ runbook: Runbook, detector: DestructiveCommandDetector = .standard) -> [Diagnostic] {
        var cache = RunbookCache()
        return Diagnostic.sortedForOutput(check(runbook, cache: &cache, detector: detector))
    }

    private func check(_ runbook: Runbook, cache: inout RunbookCache, detector: DestructiveCommandDetector)
        -> [Diagnostic]
    {
        var diagnostics: [Diagnostic] = []
        let path = runbook.path
        if runbook.title?.isEmpty ?? true {
            diagnostics.append(
                .warning(
                    "runbook has no title", at: SourceLocation(file: path, line: 1),
                    hint: "add `title:` to the front matter or start with a `# Heading`"))
        }
        diagnostics += duplicateIDs(runbook)
        diagnostics += variableDefaults(runbook)
        var captured: Set<String> = []
        let declared = Set(runbook.variables.map(\.name))
        let setAnywhere = runbook.steps.reduce(into: Set<String>()) {
            $0.formUnion(VariableReferences.exportedNames(in: $1.command))
            $0.formUnion(VariableReferences.standaloneAssignedNames(in: $1.command))
        }
        for item in runbook.items {
            switch item {
            case .step(let step):
                diagnostics += variables(
                    step, runbook: runbook, declared: declared, captured: captured, setAnywhere: setAnywhere)
                diagnostics += placeholders(step)
                diagnostics += destructive(step, detector: detector)
                if let onFail = step.attributes.onFail {
                    diagnostics += onFailTarget(onFail, step: step, runbook: runbook, cache: &cache)
                }
                for environment in step.attributes.environments
                where !runbook.environments.isEmpty
                    && !EnvironmentName.list(runbook.environments, contains: environment)
                {
                    diagnostics.append(
                        .warning(
                            "step `\(step.id)` applies in `\(environment)`, which this runbook does not run in",
                            at: step.location,
                            hint: "the runbook's environments: \(runbook.environments.joined(separator: ", "))"))
                }
                if step.attributes.acknowledges {
                    diagnostics.append(
                        .warning(
                            "`ack` on step `\(step.id)` does nothing: only a manual step acknowledges the incident",
                            at: step.location,
                            hint: "put it on the task item instead: - [ ] Acknowledge the alert {ack}"))
                }
                if let capture = step.attributes.capture { captured.insert(capture) }
                // Variables a step exports reach the steps after it (docs/execution.md, "Exported variables").
                captured.formUnion(VariableReferences.exportedNames(in: step.command))
                captured.formUnion(VariableReferences.standaloneAssignedNames(in: step.command))
            case .choice(let choice):
                for option in choice.options {
                    if let problem = linkProblem(option.target, from: runbook, cache: &cache) {
                        diagnostics.append(.error(problem.message, at: option.location, hint: problem.hint))
                    }
                }
            case .manual:
                break
            }
        }
        diagnostics += escalation(runbook)
        return diagnostics
    }

    // MARK: Checks

    private func duplicateIDs(_ runbook: Runbook) -> [Diagnostic] {
        // Where each id is first used, as an index into the items.
        var first: [String: Int] = [:]
        first.reserveCapacity(runbook.items.count)
        var diagnostics: [Diagnostic] = []
        for (index, item) in runbook.items.enumerated() {
            let id = item.id
            if let earlier = first[id] {
                diagnostics.append(
                    .error(
                        "duplicate step id `\(id)` (first used at line \(runbook.items[earlier].location.line))",
                        at: item.location, hint: "ids must be unique within a runbook; rename one of them"))
            } else {
                first[id] = index
            }
        }
        return diagnostics
    }

    private func variableDefaults(_ runbook: Runbook) -> [Diagnostic] {
        var known = Self.incidentVariables
        var diagnostics: [Diagnostic] = []
        for variable in runbook.variables {
            let templates =
                [variable.defaultValue].compactMap { $0 }
                + variable.defaultsByEnvironment.keys.sorted()
                .map { variable.defaultsByEnvironment[$0]! }
            // A default without `$` refers to nothing (most are plain values).
            for name in templates.filter({ $0.utf8.contains(UInt8(ascii: "$")) }).flatMap(VariableReferences.names(in:))
            where !known.contains(name) {
                diagnostics.append(
                    .warning(
                        "default of `\(variable.name)` uses `\(name)`, which is not declared before it",
                        at: variable.location ?? SourceLocation(file: runbook.path, line: 1),
                        hint: "declare `\(name)` above `\(variable.name)`, or use ENVIRONMENT"))
            }
            known.insert(variable.name)
        }
        return diagnostics
    }

    /// `captured` holds the names earlier steps capture or export; `setAnywhere` those any step exports or assigns on its own.
    private func variables(
        _ step: Step, runbook: Runbook, declared: Set<String>, captured: Set<String>, setAnywhere: Set<String>
    ) -> [Diagnostic] {
        // The names the command assigns itself are needed only for a reference nothing else explains, which
        // is rare, so they are worked out on first need.
        var assigned: Set<String>?
        var reported: Set<String> = []
        var diagnostics: [Diagnostic] = []
        VariableReferences.forEachReference(in: step.command) { name, offset in
            guard !declared.contains(name), !captured.contains(name),
                !Self.incidentVariables.contains(name), !Self.ordinaryEnvironmentVariables.contains(name)
            else { return }
            if assigned == nil { assigned = VariableReferences.assignedNames(in: step.command) }
            guard !assigned!.contains(name), reported.insert(name).inserted else { return }
            let laterCapture = runbook.steps.contains { $0.attributes.capture == name }
            let laterExport = !laterCapture && setAnywhere.contains(name)
            diagnostics.append(
                .warning(
                    laterCapture
                        ? "`$\(name)` is used before the step that captures it"
                        : laterExport
                            ? "`$\(name)` is used before the step that sets it" : "`$\(name)` is not declared",
                    at: location(of: offset, in: step),
                    hint: laterCapture
                        ? "move this step after the one with capture=\(name), or declare \(name) in the front matter"
                        : laterExport
                            ? "move this step after the one that sets \(name) (`\(name)=…` or `export \(name)=…`), or declare \(name) in the front matter"
                            : "declare it in the front matter: variables: {\(name): {prompt: \"…\"}}"))
        }
        return diagnostics
    }

    /// Placeholders copied from prose (`<pod-name>`, `{environment}`) that the shell would misread.
    private func placeholders(_ step: Step) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        Self.forEachPlaceholder(in: step.command) { placeholder, offset, quoting in
            // Inside single quotes `<name>` is passed as written and may well be meant (an XML tag, a template).
            guard quoting != .single else { return }
            let quoted = quoting == .double
            let name = placeholder.dropFirst().dropLast().uppercased().replacingOccurrences(of: "-", with: "_")
            // Unquoted, the shell reads `<pod-name>` as a redirection from a file; in double quotes it is passed
            // as written. Either way a person has to fill it in, so it is an error, but the reason differs.
            let why =
                !quoted && placeholder.hasPrefix("<")
                ? "the shell reads `<` as a redirection" : "the shell passes it as written"
            diagnostics.append(
                .error(
                    "placeholder `\(placeholder)` left in the command: \(why)", at: location(of: offset, in: step),
                    hint: "declare a variable and write `${\(name)}` instead"))
        }
        return diagnostics
    }

    /// How the shell quotes the text at a place in a command.
    enum Quoting: Equatable {
        case unquoted, double, single
    }

    /// Calls `body` with each `<name>` or `{name}` (letters, digits, `-`, `_`) outside comments, its UTF-8 offset,
    /// and its quoting; braces inside single quotes are left alone (awk programs, jsonpath), `<name>` there is
    /// reported with `.single`.
    static func forEachPlaceholder(in command: String, _ body: (String, Int, Quoting) -> Void) {
        let bytes = Array(command.utf8)
        var index = 0
        var inSingle = false
        var inDouble = false
        var atWordStart = true
        while index < bytes.count {
            let byte = bytes[index]
            if inSingle {
                if byte == UInt8(ascii: "'") { inSingle = false }
            } else if byte == UInt8(ascii: "\\") {
                index += 2
                atWordStart = false
                continue
            } else if byte == UInt8(ascii: "'") && !inDouble {
                inSingle = true
            } else if byte == UInt8(ascii: "\"") {
                inDouble.toggle()
            } else if byte == UInt8(ascii: "#") && atWordStart && !inDouble {
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            }
            let opens = byte == UInt8(ascii: "<") || (byte == UInt8(ascii: "{") && !inSingle)
            let previous = index > 0 ? bytes[index - 1] : 0
            if opens, previous != UInt8(ascii: "$"), previous != UInt8(ascii: "<") {
                let close = byte == UInt8(ascii: "<") ? UInt8(ascii: ">") : UInt8(ascii: "}")
                var end = index + 1
                while end < bytes.count,
                    VariableReferences.isNameByte(bytes[end]) || bytes[end] == UInt8(ascii: "-")
                {
                    end += 1
                }
                if end < bytes.count, bytes[end] == close, end > index + 1,
                    VariableReferences.isNameStart(bytes[index + 1])
                {
                    body(
                        String(decoding: bytes[index...end], as: UTF8.self), index,
                        inSingle ? .single : inDouble ? .double : .unquoted)
                    index = end + 1
                    atWordStart = false
                    continue
                }
            }
            atWordStart =
                byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "|") || byte == UInt8(ascii: "&")
            index += 1
        }
    }

    private func destructive(_ step: Step, detector: DestructiveCommandDetector) -> [Diagnostic] {
        guard step.attributes.risk != .destructive else { return [] }
        let matches = detector.matches(step.command)
        guard !matches.isEmpty else { return [] }
        let reasons = matches.map { "rule `\($0.name)`: \($0.reason)" }.joined(separator: "; ")
        return [
            .warning(
                "step `\(step.id)` looks destructive (\(reasons)) but is marked risk=\(step.attributes.risk.rawValue)",
                at: step.location, hint: "add risk=destructive to the fence: ```\(step.language) {risk=destructive}")
        ]
    }

    private func onFailTarget(_ target: String, step: Step, runbook: Runbook, cache: inout RunbookCache)
        -> [Diagnostic]
    {
        // A target that does not parse never reaches here: `FenceInfo` reported it at its column and left no
        // `onFail`.
        guard case .success(let linkTarget) = LinkTarget.parse(target, as: .stepOrLink) else { return [] }
        guard let problem = linkProblem(linkTarget, from: runbook, cache: &cache) else { return [] }
        let prefix = if case .step = linkTarget { "on-fail " } else { "on-fail: " }
        return [.error(prefix + problem.message, at: step.location, hint: problem.hint)]
    }

    /// Why a link does not resolve, or nil when it does.
    private func linkProblem(_ target: LinkTarget, from runbook: Runbook, cache: inout RunbookCache)
        -> (message: String, hint: String)?
    {
        switch target {
        case .external:
            return nil
        case .step(let id):
            if runbook.items.contains(where: { $0.id == id }) { return nil }
            return (
                "target `\(id)` is not a step id, `#heading` or `other.md`",
                "step ids here: \(runbook.items.map(\.id).prefix(8).joined(separator: ", "))"
            )
        case .heading(let anchor):
            if runbook.sections.contains(where: { $0.anchor == anchor }) { return nil }
            return (
                "link to missing heading `#\(anchor)`",
                "headings here: \(runbook.sections.map { "#" + $0.anchor }.prefix(8).joined(separator: ", "))"
            )
        case .runbook(let id, let anchor):
            let file = RunbookCatalog.normalized(Self.file(named: "\(id).md", nextTo: runbook.path))
            guard cache.fileExists(file) else {
                return (
                    "link to missing runbook `\(id).md` (\(file))",
                    "links are relative to the linking file; check the spelling or add the runbook"
                )
            }
            guard let anchor else { return nil }
            guard let anchors = cache.anchors(in: file) else { return nil }
            if anchors.contains(anchor) { return nil }
            return (
                "link to missing heading `#\(anchor)` in `\(id).md`",
                "headings there: \(anchors.map { "#" + $0 }.prefix(8).joined(separator: ", "))"
            )
        }
    }

    /// The path of `name` in the directory of `path`.
    static func file(named name: String, nextTo path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? name : (directory as NSString).appendingPathComponent(name)
    }

    private func escalation(_ runbook: Runbook) -> [Diagnostic] {
        let fileName = runbook.path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        let isEscalationFile = fileName.caseInsensitiveCompare("escalation.md") == .orderedSame
        let hasMatrix = runbook.tables.contains { table in
            table.header.contains { $0.caseInsensitiveCompare("Severity") == .orderedSame }
                && table.header.contains { $0.caseInsensitiveCompare("Escalation") == .orderedSame }
        }
        guard isEscalationFile || hasMatrix else { return [] }
        return EscalationPolicy.parse(runbook).diagnostics
    }

    // MARK: Locations

    /// The file position of UTF-8 `offset` in a step's command. Exact for shell blocks; for blocks whose command
    /// is rebuilt from `$ ` lines (`console`, or shell written with prompts) the fence line.
    private func location(of offset: Int, in step: Step) -> SourceLocation {
        guard !step.hasPrompts else { return step.location }
        var line = 0
        var lineStart = 0
        for (index, byte) in step.command.utf8.enumerated() {
            if index >= offset { break }
            if byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
        }
        return SourceLocation(
            file: step.location.file, line: step.location.line + 1 + line,
            column: step.location.column + offset - lineStart)
    }
}

/// Parsed runbooks by path, so a file linked from many others is read once.
///
/// A file's full parse is kept only until it has been linted; after that only its heading anchors are, which is
/// all a link needs. Holding a thousand parsed runbooks until the end cost more in memory (page faults) and in
/// freeing them than the links saved.
struct RunbookCache {
    typealias Parsed = (runbook: Runbook, diagnostics: [Diagnostic])

    private enum Entry {
        /// Parsed for a link, not linted yet.
        case parsed(Result<Parsed, RunbookParseError>)
        /// Linted: the anchors of its headings, or nil when it could not be read.
        case linted(anchors: [String]?)
    }

    private var entries: [String: Entry] = [:]
    private var existing: [String: Bool] = [:]

    /// Whether `path` exists, asked once per path (every copy of a link checks the same few files).
    mutating func fileExists(_ path: String) -> Bool {
        if let known = existing[path] { return known }
        let exists = FileManager.default.fileExists(atPath: path)
        existing[path] = exists
        return exists
    }

    /// The parse of `path` for linting it; from then on only its anchors are kept. A path linted twice is
    /// parsed again (with the same result).
    mutating func takeForLinting(_ path: String) -> Result<Parsed, RunbookParseError> {
        let result: Result<Parsed, RunbookParseError>
        if case .parsed(let earlier) = entries[path] {
            result = earlier
        } else {
            result = parse(path)
        }
        entries[path] = .linted(anchors: try? result.get().runbook.sections.map(\.anchor))
        return result
    }

    /// The heading anchors of the runbook at `path`, or nil when it cannot be read.
    mutating func anchors(in path: String) -> [String]? {
        switch entries[path] {
        case .linted(let anchors):
            return anchors
        case .parsed(let result):
            return try? result.get().runbook.sections.map(\.anchor)
        case nil:
            let result = parse(path)
            entries[path] = .parsed(result)
            return try? result.get().runbook.sections.map(\.anchor)
        }
    }

    private func parse(_ path: String) -> Result<Parsed, RunbookParseError> {
        do {
            return .success(try RunbookParser.parseWithDiagnostics(data: RunbookParser.readFile(path), path: path))
        } catch let error as RunbookParseError {
            return .failure(error)
        } catch {
            return .failure(RunbookParseError(summary: "cannot read \(path): \(error)"))
        }
    }
}
