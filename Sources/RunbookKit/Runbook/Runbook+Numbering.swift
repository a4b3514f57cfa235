/// How a runbook's steps are counted and numbered: one rule for `runbook list`, `runbook show`, the REPL's step
/// header (`[3/17]`) and `status`.
///
/// A step here is every item the responder answers in turn, in document order: commands, manual items (`- [ ]`)
/// and choices. Each has its number whether or not it applies in the incident's environment (an `env=` step
/// elsewhere, an ignored block): the REPL marks those, so a number always names the same item.
extension Runbook {
    /// The number of steps: commands, manual items and choices.
    public var stepCount: Int { items.count }

    /// The 1-based number of the item with id `itemID`, or `nil` when no item has that id.
    public func stepNumber(of itemID: String) -> Int? {
        items.firstIndex { $0.id == itemID }.map { $0 + 1 }
    }
}
