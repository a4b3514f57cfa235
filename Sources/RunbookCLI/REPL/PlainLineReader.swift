import Foundation
import RunbookKit

/// Reads answers one per line from stdin or an answers file, for scripted mode (CI, tests, piped input).
///
/// It echoes each prompt and the answer it read, so the output reads like the session it drove. Secrets are
/// read the same way but echoed masked. `prefill` is ignored: in a script, the line after `e` is the new command.
public final class PlainLineReader: LineReading {
    private let input: FileHandle
    private let echo: (String) -> Void
    private var buffer = Data()
    private var reachedEnd = false

    /// Completion makes no sense without a terminal; kept only to satisfy the protocol.
    public var completer: ((_ line: String, _ word: String) -> [String])?

    /// Never interactive: no colours from the reader's side, no bells, no live countdown.
    public var isInteractive: Bool { false }

    /// Reads from `input`; `echo` receives the prompt and the answer (standard output by default).
    public init(
        input: FileHandle = .standardInput, echo: @escaping (String) -> Void = PlainLineReader.printToStandardOutput
    ) {
        self.input = input
        self.echo = echo
    }

    /// Reads from the answers file at `path`.
    public convenience init(
        answersFile path: String, echo: @escaping (String) -> Void = PlainLineReader.printToStandardOutput
    )
        throws
    {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CLIError.unreadableFile(path: path, reason: "cannot open the answers file")
        }
        self.init(input: handle, echo: echo)
    }

    /// Writes to standard output unbuffered, so the echo interleaves correctly with command output.
    public static func printToStandardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    public func readLine(prompt: String, prefill: String?, tick: (() -> PromptUpdate)?) -> LineInput {
        guard let line = nextLine() else {
            echo(prompt + "\n")
            return .endOfInput
        }
        echo(prompt + line + "\n")
        return .line(line)
    }

    /// Scripted answers have no history.
    public func addToHistory(_ line: String) {}

    public func readSecret(prompt: String) -> LineInput {
        guard let line = nextLine() else {
            echo(prompt + "\n")
            return .endOfInput
        }
        echo(prompt + (line.isEmpty ? "" : "••••••") + "\n")
        return .line(line)
    }

    /// The next line without its newline (and without a trailing `\r`), or `nil` at the end of input.
    private func nextLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                return String(decoding: line, as: UTF8.self)
            }
            if reachedEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            // `DescriptorReading.read` reads what is there (at least a byte) and returns empty only at the end.
            let chunk = DescriptorReading.read(input)
            if chunk.isEmpty { reachedEnd = true } else { buffer.append(chunk) }
        }
    }
}
