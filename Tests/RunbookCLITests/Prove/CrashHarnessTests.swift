import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Runs `scripts/crash-harness` (SIGKILL at random moments of a simulated drill) against the built binary.
///
/// CI runs a small number of kills (`RUNBOOK_CRASH_RUNS`, default 10); `scripts/reliability-report` runs 100.
@Suite struct CrashHarnessTests {
    @Test func killedDrillsLoseNoShownEventsVerifyAndResumeAtTheOpenStep() throws {
        let runs = ProcessInfo.processInfo.environment["RUNBOOK_CRASH_RUNS"] ?? "10"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.packageRoot.path + "/scripts/crash-harness")
        process.arguments = [runs]
        var environment = ProcessInfo.processInfo.environment
        environment["BIN"] = BuiltBinary.path
        process.environment = environment
        process.currentDirectoryURL = BuiltBinary.packageRoot
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: DescriptorReading.readToEnd(output.fileHandleForReading), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("crash-harness: \(runs) runs, 0 lost events, 0 failures"), "\(text)")
    }
}
