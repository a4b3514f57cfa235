import Crypto
import Foundation

/// The replay of the HTML report: xterm.js and runbook's player, bundled by `scripts/build-xterm-bundle` into a
/// directory holding `replay.js` and `xterm.css`, and inlined into each report.
///
/// The bundle is built with the project (`make build`, `make test`), next to the binary in `runbook-replay/`; an
/// installed binary finds it in `../share/runbook/replay/`; `$RUNBOOK_REPLAY_DIR` names another directory, and set
/// to an empty value turns the replay off. Without a bundle the report keeps its static output and says, where the
/// replay would be, why there is none.
public struct ReplayBundle: Sendable, Equatable {
    /// The bundled script (xterm.js and the player).
    public var script: String
    /// xterm.js's style sheet.
    public var stylesheet: String

    /// The environment variable that names the bundle's directory (empty: no replay).
    public static let environmentVariable = "RUNBOOK_REPLAY_DIR"

    /// A bundle of the given script and style sheet.
    public init(script: String, stylesheet: String) {
        self.script = script
        self.stylesheet = stylesheet
    }

    /// Why no bundle was used, for the person exporting (the report itself says only that there is none).
    public struct Absence: Error, Equatable, Sendable {
        /// What went wrong, naming the places looked in.
        public var reason: String

        /// An absence for `reason`.
        public init(reason: String) {
            self.reason = reason
        }
    }

    /// The directories looked in, in order: `$RUNBOOK_REPLAY_DIR` alone when it is set, else
    /// `EXE_DIR/../share/runbook/replay` (an installed binary) and `EXE_DIR/runbook-replay` (the build directory).
    public static func searchPath(environment: [String: String], executablePath: String) -> [String] {
        if let directory = environment[environmentVariable] { return directory.isEmpty ? [] : [directory] }
        let executableDirectory = (executablePath as NSString).deletingLastPathComponent
        return [
            ((executableDirectory as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent("share/runbook/replay"),
            (executableDirectory as NSString).appendingPathComponent("runbook-replay"),
        ]
    }

    /// The bundle in the first directory of `searchPath` that holds one.
    /// - Throws: `Absence` saying where it looked, or why a bundle found cannot be inlined.
    public static func locate(environment: [String: String], executablePath: String) throws -> ReplayBundle {
        let directories = searchPath(environment: environment, executablePath: executablePath)
        if directories.isEmpty {
            throw Absence(reason: "\(environmentVariable) is set to an empty value, which turns the replay off")
        }
        for directory in directories {
            let script = (directory as NSString).appendingPathComponent("replay.js")
            guard FileManager.default.fileExists(atPath: script) else { continue }
            return try load(directory: directory)
        }
        throw Absence(
            reason: "no replay bundle (replay.js, xterm.css) in \(directories.joined(separator: " or ")); "
                + "build it with `make build`, or `scripts/build-xterm-bundle DIR` and \(environmentVariable)=DIR")
    }

    /// The bundle in `directory`.
    /// - Throws: `Absence` when a file is missing or unreadable, or could end the element it is inlined into.
    public static func load(directory: String) throws -> ReplayBundle {
        func read(_ name: String) throws -> String {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Absence(reason: "cannot read \(path)")
            }
            guard let text = String(validating: data, as: UTF8.self) else {
                throw Absence(reason: "\(path) is not UTF-8")
            }
            return text
        }
        let bundle = ReplayBundle(script: try read("replay.js"), stylesheet: try read("xterm.css"))
        // Inlined as they are: text that would end their element (or open a comment in it) cannot be.
        for (name, text, closing) in [
            ("replay.js", bundle.script, "</script"), ("xterm.css", bundle.stylesheet, "</style"),
        ] {
            let lowered = text.lowercased()
            if lowered.contains(closing) || lowered.contains("<!--") {
                throw Absence(reason: "\(directory)/\(name) holds \(closing) or <!--, so it cannot be inlined")
            }
        }
        return bundle
    }

    /// The CSP source that allows `text` as an inline script or style: `'sha256-BASE64'`.
    static func hashSource(_ text: String) -> String {
        "'sha256-\(Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString())'"
    }

    /// The bundle for this process: `locate` with the process's environment and executable; when absent, a note on
    /// standard error says where it looked, and the report says the replay is missing.
    public static func forThisProcess() -> Result<ReplayBundle, Absence> {
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        do {
            return .success(try locate(environment: ProcessInfo.processInfo.environment, executablePath: executable))
        } catch let absence as Absence {
            FileHandle.standardError.write(Data("note: the HTML report has no replay: \(absence.reason)\n".utf8))
            return .failure(absence)
        } catch {
            return .failure(Absence(reason: "\(error)"))
        }
    }
}
