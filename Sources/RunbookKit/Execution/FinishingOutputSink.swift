import Foundation

/// An output sink that holds some output back (for redaction or the size limit) until the command ends.
public protocol FinishingOutputSink: OutputSink {
    /// The command has ended: pass everything held back on, then finish the next sink if it is one too.
    func finish()
}
