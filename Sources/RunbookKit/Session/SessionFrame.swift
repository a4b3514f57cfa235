/// A runbook the responder has open, and the item they are at in it.
///
/// Frames form a stack: a choice, `open` or an `on-fail` link to another runbook pushes one, and `next` at the
/// end of that runbook returns to the frame below, after the item that led away.
public struct SessionFrame: Sendable, Hashable {
    /// The runbook.
    public var runbook: Runbook
    /// Index into `runbook.items`; equal to `items.count` when the runbook is finished.
    public var index: Int

    /// Creates a frame at `index` of `runbook`.
    public init(runbook: Runbook, index: Int) {
        self.runbook = runbook
        self.index = index
    }

    /// The item at the current index, or `nil` when the runbook is finished.
    public var item: RunbookItem? {
        runbook.items.indices.contains(index) ? runbook.items[index] : nil
    }
}
