import ArgumentParser
import Foundation
import RunbookKit

/// `runbook note`: adds notes to an incident from any terminal.
struct NoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note",
        abstract: "Add a note to an incident.",
        discussion: """
            With TEXT, records one note.added event. With --stdin, every line read becomes its own note, \
            committed before `#<seq>` is printed, so a second responder can pipe notes in from another \
            terminal. Empty lines are skipped.

              tail -f notes.txt | runbook note 12 --stdin
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The incident id.", valueName: "ID"), completion: ShellCompletion.incidentIDs)
    var incident: Int64

    @Argument(help: "The note (words are joined with spaces).")
    var text: [String] = []

    @Flag(help: "Read notes from standard input, one per line.")
    var stdin = false

    func validate() throws {
        if stdin && !text.isEmpty { throw ValidationError("Give the note as TEXT or with --stdin, not both.") }
        if !stdin && text.isEmpty { throw ValidationError("Missing the note: give TEXT or --stdin.") }
    }

    func run() throws {
        let store = try StoreOpener.open(global, redactor: StoreOpener.recordingRedactor(global))
        let name = store.storeName
        guard try store.incident(incident) != nil else {
            throw TranscriptError.unknownIncident(id: incident, path: name)
        }
        let actor = ResponderIdentity.current().actor
        if stdin {
            while let line = readLine(strippingNewline: true) {
                guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                try record(line, in: store, actor: actor)
            }
        } else {
            try record(text.joined(separator: " "), in: store, actor: actor)
        }
    }

    private func record(_ note: String, in store: any TranscriptStore, actor: String) throws {
        let event = try store.append(
            EventDraft(.noteAdded, payload: ["text": .string(note)]), to: incident, actor: actor, at: Date())
        // Written unbuffered: `#seq` on the screen promises the note is already committed.
        FileHandle.standardOutput.write(Data("#\(event.sequence)\n".utf8))
    }
}
