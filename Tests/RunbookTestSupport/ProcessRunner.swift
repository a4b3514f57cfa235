import Foundation

/// Runs a configured `Process` to completion, the one way every test helper does it.
public enum ProcessRunner {
    /// Starts `process`, writes `stdin` (or gives it /dev/null when `nil`) and drains stdout and stderr
    /// concurrently, so neither side ever blocks on a full pipe; then waits for the exit.
    public static func collect(_ process: Process, stdin: Data?) throws -> BuiltBinary.Result {
        let input = Pipe()
        let output = Pipe()
        let error = Pipe()
        if stdin == nil {
            process.standardInput = FileHandle.nullDevice
        } else {
            process.standardInput = input
        }
        process.standardOutput = output
        process.standardError = error
        try process.run()
        if let stdin {
            DispatchQueue(label: "stdin").async {
                input.fileHandleForWriting.write(stdin)
                try? input.fileHandleForWriting.close()
            }
        }
        nonisolated(unsafe) var errorData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorData = error.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return BuiltBinary.Result(
            status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData, as: UTF8.self))
    }
}
